//! `mockgen diff` of the GitHub spec against a mutated copy of itself (target: under 2 s in
//! the release build): one operation removed, a response property removed, a required query
//! parameter added. Part of `cargo xtask bench`.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Apply the breaking edits; returns how many were applied.
fn mutate(doc: &mut serde_json::Value) -> usize {
    let mut applied = 0;
    let methods = ["get", "put", "post", "delete", "patch"];
    if let Some(paths) = doc
        .get_mut("paths")
        .and_then(serde_json::Value::as_object_mut)
    {
        // Remove the first operation of the first path with two or more.
        if let Some(item) = paths
            .values_mut()
            .filter_map(serde_json::Value::as_object_mut)
            .find(|i| methods.iter().filter(|m| i.contains_key(**m)).count() >= 2)
            && let Some(m) = methods.iter().find(|m| item.contains_key(**m))
        {
            item.remove(*m);
            applied += 1;
        }
        // A required query parameter on the last GET.
        if let Some(op) = paths
            .values_mut()
            .rev()
            .filter_map(|i| i.get_mut("get"))
            .find_map(serde_json::Value::as_object_mut)
        {
            let params = op
                .entry("parameters")
                .or_insert_with(|| serde_json::json!([]));
            if let Some(list) = params.as_array_mut() {
                list.push(serde_json::json!({"name": "mockgen_bench", "in": "query", "required": true, "schema": {"type": "string"}}));
                applied += 1;
            }
        }
    }
    // A property removed from the first component schema that has some.
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(serde_json::Value::as_object_mut)
        && let Some(schema) = schemas.values_mut().find(|s| {
            s.get("properties")
                .and_then(serde_json::Value::as_object)
                .is_some_and(|p| !p.is_empty())
        })
        && let Some(props) = schema
            .get_mut("properties")
            .and_then(serde_json::Value::as_object_mut)
        && let Some(first) = props.keys().next().cloned()
    {
        props.shift_remove(&first);
        if let Some(required) = schema
            .get_mut("required")
            .and_then(serde_json::Value::as_array_mut)
        {
            required.retain(|r| r.as_str() != Some(first.as_str()));
        }
        applied += 1;
    }
    applied
}

pub fn run(bin: &Path, github: &Path, quick: bool) -> Result<(), String> {
    let text = std::fs::read_to_string(github)
        .map_err(|e| format!("cannot read {}: {e}", github.display()))?;
    let mut doc: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", github.display()))?;
    let edits = mutate(&mut doc);
    let mutated =
        std::env::temp_dir().join(format!("mockgen-bench-diff-{}.json", std::process::id()));
    std::fs::write(&mutated, doc.to_string())
        .map_err(|e| format!("cannot write {}: {e}", mutated.display()))?;
    let runs = if quick { 1 } else { 5 };
    let mut samples = Vec::new();
    let mut changes = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let out = Command::new(bin)
            .arg("diff")
            .arg("--format")
            .arg("json")
            .arg(github)
            .arg(&mutated)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
        samples.push(started.elapsed().as_secs_f64());
        if !matches!(out.status.code(), Some(0 | 1)) {
            let _ = std::fs::remove_file(&mutated);
            return Err(format!(
                "mockgen diff failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        changes = serde_json::from_slice::<serde_json::Value>(&out.stdout)
            .ok()
            .and_then(|r| r["changes"].as_array().map(Vec::len))
            .unwrap_or(0);
    }
    let _ = std::fs::remove_file(&mutated);
    samples.sort_by(f64::total_cmp);
    let median = samples.get(samples.len() / 2).copied().unwrap_or(f64::NAN);
    println!("\n| spec | task | wall (median of {runs}) | edits | changes reported |");
    println!("|---|---|---:|---:|---:|");
    println!(
        "| GitHub REST (13 MB JSON) vs a mutated copy | diff --format json | {:.0} ms | {edits} | {changes} |",
        median * 1000.0
    );
    Ok(())
}
