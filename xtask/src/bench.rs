//! `cargo xtask bench`: release-build measurements.

use crate::{cargo, corpus, root, run as run_cmd};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Run a command `runs` times; median wall time and the `--timings` report of the median run.
fn measure(bin: &Path, args: &[&str], runs: usize) -> Result<(f64, serde_json::Value), String> {
    let mut samples = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let out = Command::new(bin)
            .args(args)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
        let wall = started.elapsed().as_secs_f64();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let timings = stderr
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("mockgen-timings: "))
            .and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or(serde_json::Value::Null);
        samples.push((wall, timings));
    }
    samples.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mid = samples.len() / 2;
    samples
        .into_iter()
        .nth(mid)
        .ok_or_else(|| "no samples".to_owned())
}

pub fn run(_args: &[String]) -> Result<(), String> {
    run_cmd(cargo().args(["build", "--release", "--locked", "--bin", "mockgen"]))?;
    let bin = root().join("target/release/mockgen");
    let github = corpus()?;
    let github_s = github.to_string_lossy().into_owned();
    let petstore = root().join("../shared/specs/petstore.oas30.json");
    let petstore_s = petstore.to_string_lossy().into_owned();
    println!("## mockgen bench (release build, median of 5 runs)\n");
    println!("| spec | task | wall | load | peak RSS after load | examples | peak RSS |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    for (name, path) in [
        ("GitHub REST (13 MB JSON)", &github_s),
        ("petstore 3.0", &petstore_s),
    ] {
        let (wall, t) = measure(&bin, &["check", "--format", "json", "--timings", path], 5)?;
        let ms = |k: &str| {
            t.get(k)
                .and_then(serde_json::Value::as_f64)
                .unwrap_or(f64::NAN)
        };
        println!(
            "| {name} | check | {:.0} ms | {:.0} ms | {:.0} MB | {:.0} ms | {:.0} MB |",
            wall * 1000.0,
            ms("load_ms"),
            ms("load_peak_rss_bytes") / 1e6,
            ms("examples_ms"),
            ms("peak_rss_bytes") / 1e6
        );
    }
    println!("\n| spec | task | wall (median of 3) | files |");
    println!("|---|---|---:|---:|");
    for (name, path) in [
        ("GitHub REST (13 MB JSON)", &github_s),
        ("petstore 3.0", &petstore_s),
    ] {
        let out =
            std::env::temp_dir().join(format!("mockgen-bench-fixtures-{}", std::process::id()));
        let out_s = out.to_string_lossy().into_owned();
        let (wall, _) = measure(
            &bin,
            &["fixtures", path, "--out", &out_s, "--include-errors"],
            3,
        )?;
        let files = std::fs::read_to_string(out.join("manifest.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|m| m["entries"].as_array().map(Vec::len))
            .unwrap_or(0);
        let _ = std::fs::remove_dir_all(&out);
        println!(
            "| {name} | fixtures --include-errors | {:.0} ms | {files} |",
            wall * 1000.0
        );
    }
    Ok(())
}
