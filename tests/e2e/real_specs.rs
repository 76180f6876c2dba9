//! The 25 real-world documents in `../shared/specs`: every one loads with no structural error,
//! and what `check` finds in them (real specs carry invalid examples) is pinned in a snapshot.
//! Each finding in the snapshot was confirmed by hand to be a real problem of the document.

use crate::support::{check_json, shared_specs};
use std::collections::BTreeMap;

/// Finding codes that are about content (examples), not about the document's structure.
const CONTENT_CODES: &[&str] = &["example-invalid"];

fn shared_spec_files() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(shared_specs())
        .expect("../shared/specs exists next to the repository")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json" || x == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn all_real_world_specs_load_without_structural_errors() {
    let files = shared_spec_files();
    assert_eq!(
        files.len(),
        25,
        "expected the 25 documents of ../shared/specs"
    );
    let mut summary = BTreeMap::new();
    let mut problems = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (code, report) = check_json(path);
        let doc = &report[0];
        if doc["loaded"] != true {
            problems.push(format!("{name}: not loaded: {doc:#}"));
            continue;
        }
        let mut findings = Vec::new();
        for (kind, list) in [("error", &doc["errors"]), ("warning", &doc["warnings"])] {
            for f in list.as_array().into_iter().flatten() {
                let code_str = f["code"].as_str().unwrap_or_default();
                if kind == "error" && !CONTENT_CODES.contains(&code_str) {
                    problems.push(format!("{name}: structural error {f}"));
                }
                assert!(
                    f["line"].as_u64().unwrap_or(0) > 0,
                    "{name}: finding without a line: {f}"
                );
                findings.push(format!(
                    "{kind} {code_str} {}:{} {} — {}",
                    f["line"],
                    f["column"],
                    f["pointer"].as_str().unwrap_or_default(),
                    f["message"].as_str().unwrap_or_default()
                ));
            }
        }
        let has_errors = !doc["errors"].as_array().is_none_or(Vec::is_empty);
        assert_eq!(code, if has_errors { 1 } else { 0 }, "{name}: exit code");
        summary.insert(
            name,
            serde_json::json!({
                "version": doc["version"],
                "operations": doc["operations"],
                "findings": findings,
            }),
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    insta::assert_json_snapshot!("real_world_check_findings", summary);
}
