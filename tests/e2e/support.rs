//! Shared helpers for the end-to-end tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/specs` next to the repository (tests read the real-world specs from there).
pub fn shared_specs() -> PathBuf {
    root().join("../shared/specs")
}

/// Run the `mockgen` binary built for this test run.
pub fn mockgen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mockgen"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the mockgen binary runs")
}

/// Run `mockgen check --format json` on one file and parse its report.
pub fn check_json(path: &Path) -> (i32, serde_json::Value) {
    let p = path.to_string_lossy();
    let out = mockgen(&["check", "--format", "json", &p]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("check --format json printed invalid JSON ({e}): {stdout}"));
    (out.status.code().unwrap_or(-1), report)
}
