//! `cargo xtask bench [--quick] [--no-prism]`: release-build measurements. First `check` and
//! `fixtures` timings on the GitHub spec and petstore, then (`bench_serve.rs`) `mockgen serve`
//! next to Prism over HTTP. `--quick` shortens every measurement (one run, short loads) for a
//! smoke test; `--no-prism` measures mockgen alone. `MOCKGEN_BENCH_BIN=path` measures that
//! binary instead of building one.

#[path = "bench_diff.rs"]
mod diff;
#[path = "bench_serve.rs"]
mod serve;

use crate::{cargo, corpus, root, run as run_cmd};
use std::path::{Path, PathBuf};
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

pub fn run(args: &[String]) -> Result<(), String> {
    let mut plan = serve::Plan {
        quick: false,
        prism: true,
    };
    for arg in args {
        match arg.as_str() {
            "--quick" => plan.quick = true,
            "--no-prism" => plan.prism = false,
            other => {
                return Err(format!(
                    "unknown argument {other}; usage: cargo xtask bench [--quick] [--no-prism]"
                ));
            }
        }
    }
    let (check_runs, fixture_runs) = if plan.quick { (1, 1) } else { (5, 3) };
    // `MOCKGEN_BENCH_BIN` measures a binary built elsewhere (say, of an earlier commit).
    let bin = if let Some(bin) = std::env::var_os("MOCKGEN_BENCH_BIN") {
        PathBuf::from(bin)
    } else {
        run_cmd(cargo().args(["build", "--release", "--locked", "--bin", "mockgen"]))?;
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map_or_else(|| root().join("target"), PathBuf::from);
        target.join("release/mockgen")
    };
    let github = corpus()?;
    let github_s = github.to_string_lossy().into_owned();
    let petstore = root().join("../shared/specs/petstore.oas30.json");
    let petstore_s = petstore.to_string_lossy().into_owned();
    println!("## mockgen bench (release build, median of {check_runs} runs)\n");
    println!("| spec | task | wall | load | peak RSS after load | examples | peak RSS |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    for (name, path) in [
        ("GitHub REST (13 MB JSON)", &github_s),
        ("petstore 3.0", &petstore_s),
    ] {
        let (wall, t) = measure(
            &bin,
            &["check", "--format", "json", "--timings", path],
            check_runs,
        )?;
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
    println!("\n| spec | task | wall (median of {fixture_runs}) | files |");
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
            fixture_runs,
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
    let petstore_expanded = root().join("../shared/specs/petstore-expanded.oas30.yaml");
    diff::run(&bin, &github, plan.quick)?;
    serve::run(plan, &bin, &petstore_expanded, &github)
}
