//! Project chores, run as `cargo xtask <task>` (alias in .cargo/config.toml):
//! - `ci`: everything CI checks (format, lints, tests); what README tells newcomers to run.
//! - `corpus`: download the big real-world specs used by benchmarks into a cache outside the repo.
//! - `bench`: release-build measurements (load time and peak memory on the GitHub spec, …).
//! - `schemathesis`: Schemathesis from PyPI against `mockgen serve` on every shared spec.
//! - `fixtures [--check]`: regenerate (or verify) the committed `fixtures/` of the demo specs.

mod bench;
mod schemathesis;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// npm package holding GitHub's REST API description, pinned.
const OCTOKIT: &str = "@octokit/openapi@23.0.2";
const OCTOKIT_FILE: &str = "package/generated/api.github.com.json";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = args.first().map(String::as_str).unwrap_or("help");
    let result = match task {
        "ci" => ci(),
        "corpus" => corpus().map(|p| println!("{}", p.display())),
        "bench" => bench::run(&args[1..]),
        "schemathesis" => schemathesis::run(&args[1..]),
        "fixtures" => fixtures(args.iter().any(|a| a == "--check")),
        _ => {
            eprintln!("usage: cargo xtask <ci|corpus|bench|schemathesis|fixtures [--check]>");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask {task}: {e}");
            ExitCode::FAILURE
        }
    }
}

pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

pub(crate) fn run(cmd: &mut Command) -> Result<(), String> {
    let shown = format!("{cmd:?}");
    eprintln!("$ {shown}");
    let status = cmd
        .current_dir(root())
        .status()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

pub(crate) fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
}

/// The whole gate, in the order that fails fastest.
fn ci() -> Result<(), String> {
    let started = Instant::now();
    run(cargo().args(["fmt", "--all", "--", "--check"]))?;
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--locked",
        "--",
        "-D",
        "warnings",
    ]))?;
    // The test suite also fails when `fixtures/` is stale (tests/e2e/fixtures.rs), which saves
    // a second build here: `cargo run` resolves features differently from `cargo test`.
    run(cargo().args(["test", "--workspace", "--locked"]))?;
    // Schemathesis (PyPI) against `mockgen serve` on every real-world spec.
    schemathesis::run(&[])?;
    eprintln!("xtask ci: all green in {:.0?}", started.elapsed());
    Ok(())
}

/// The demo specs whose fixtures live in `fixtures/<stem>/`.
fn demo_specs() -> Result<Vec<PathBuf>, String> {
    let dir = root().join("specs/demo");
    let mut specs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "json"))
        .collect();
    specs.sort();
    Ok(specs)
}

/// Regenerate `fixtures/` from the demo specs, or with `check` fail (listing the files and
/// the command to run) when they are stale.
fn fixtures(check: bool) -> Result<(), String> {
    for spec in demo_specs()? {
        let stem = spec
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let rel_spec = format!(
            "specs/demo/{}",
            spec.file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        );
        let out = format!("fixtures/{stem}");
        let mut cmd = cargo();
        cmd.args([
            "run",
            "--quiet",
            "--locked",
            "--bin",
            "mockgen",
            "--",
            "fixtures",
            &rel_spec,
            "--out",
            &out,
            "--include-errors",
        ]);
        if check {
            cmd.arg("--check");
        }
        run(&mut cmd).map_err(|e| {
            if check {
                format!("{e}\nfixtures/ is stale: run `cargo xtask fixtures` and commit the result")
            } else {
                e
            }
        })?;
    }
    Ok(())
}

pub(crate) fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("MOCKGEN_CACHE") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("mockgen").join("corpus")
}

/// Fetch the GitHub REST spec from the npm registry (with npm itself) into the cache.
pub(crate) fn corpus() -> Result<PathBuf, String> {
    let dir = cache_dir();
    let target = dir.join("api.github.com.json");
    if target.exists() {
        return Ok(target);
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let work = dir.join("octokit-pack");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    run(Command::new("npm")
        .args(["pack", OCTOKIT, "--silent", "--pack-destination"])
        .arg(&work))?;
    let tarball = std::fs::read_dir(&work)
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "tgz"))
        .ok_or("npm pack produced no tarball")?;
    run(Command::new("tar")
        .arg("-xzf")
        .arg(&tarball)
        .arg("-C")
        .arg(&work)
        .arg(OCTOKIT_FILE))?;
    std::fs::rename(work.join(OCTOKIT_FILE), &target).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&work);
    Ok(target)
}
