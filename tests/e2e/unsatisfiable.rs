//! A response schema no value satisfies (`specs/serve/unsatisfiable.yaml`: the otoroshi
//! `oneOf` whose branches accept the same values, in small). `check` warns at the twin branch
//! with its line and column; `serve` names the bug at start-up, answers 200 with a
//! deterministic best-effort body and logs the violation; `--errors` turns that into a 500
//! listing it; `fixtures` writes no invalid file and says why.

use crate::http::Server as Mock;
use crate::support::{check_json, mockgen};
use std::path::Path;

const SPEC: &str = "specs/serve/unsatisfiable.yaml";
const MESSAGE: &str = "`oneOf` branches 0 (#/components/schemas/InQueryParam) and 2 (#/components/schemas/InCookie) accept the same values: no value can match exactly one of them";
/// Where branch 2 of Verifier.source is written.
const LINE: u64 = 54;
const COLUMN: u64 = 15;

#[test]
fn check_warns_at_the_twin_branch() {
    let (code, report) = check_json(Path::new(SPEC));
    assert_eq!(code, 0, "a warning only (liberal loading): {report:#}");
    let doc = &report[0];
    assert_eq!(doc["loaded"], true);
    assert_eq!(doc["errors"], serde_json::json!([]), "{doc:#}");
    let warnings: Vec<&serde_json::Value> =
        doc["warnings"].as_array().into_iter().flatten().collect();
    assert_eq!(warnings.len(), 1, "only the twin, not the control: {doc:#}");
    let w = warnings[0];
    assert_eq!(w["code"], "oneof-indistinguishable");
    assert_eq!(w["message"], MESSAGE);
    assert_eq!(w["file"], SPEC);
    assert_eq!(
        w["pointer"],
        "/components/schemas/Verifier/properties/source/oneOf/2"
    );
    assert_eq!(
        (w["line"].as_u64(), w["column"].as_u64()),
        (Some(LINE), Some(COLUMN))
    );

    // Humans see it too, and --strict makes it fail.
    let out = mockgen(&["check", SPEC]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("oneof-indistinguishable"), "{text}");
    assert!(text.contains(&format!("{SPEC}:{LINE}:{COLUMN}")), "{text}");
    let strict = mockgen(&["check", "--strict", SPEC]);
    assert_eq!(strict.status.code(), Some(1));
}

#[test]
fn serve_sends_a_best_effort_body_and_logs_the_violation() {
    let m = Mock::start_with(&[SPEC]);
    let start = m.wait_stderr(|l| l.contains("oneof-indistinguishable"));
    assert!(
        start.contains(&format!(
            "{SPEC}:{LINE}:{COLUMN}: warning[oneof-indistinguishable]: {MESSAGE}"
        )),
        "named at start-up: {start}"
    );

    let r = m.get("/verifiers/v1", &[]);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.header("content-type"), Some("application/json"));
    let body = r.json();
    let source = body["source"].as_object().expect("source is an object");
    // Valid for the first branch (InQueryParam), all but the exclusivity of the oneOf.
    assert!(
        source["name"].is_string() && source["type"].is_string(),
        "{body}"
    );
    assert!(
        body["id"].is_string() && body["enabled"].is_boolean(),
        "{body}"
    );

    let log = m.wait_stderr(|l| l.contains("getVerifier"));
    let line = log
        .lines()
        .find(|l| l.contains("GET /verifiers/v1 getVerifier 200"))
        .unwrap_or_else(|| panic!("a request log line: {log}"));
    assert!(line.contains("1 violation"), "{line}");
    assert!(line.contains("response.body.source:"), "{line}");
    assert!(
        line.contains("oneOf") || line.contains("more than one"),
        "{line}"
    );

    // Deterministic: the same URL, the same bytes, also from another process.
    let again = m.get("/verifiers/v1", &[]);
    assert_eq!(again.body, r.body);
    let other = Mock::start_with(&[SPEC]);
    assert_eq!(other.get("/verifiers/v1", &[]).body, r.body);

    // The control operation (a oneOf that can be satisfied) logs nothing wrong.
    let ok = m.get("/things/t1", &[]);
    assert_eq!(ok.status, 200, "{ok:?}");
    let log = m.wait_stderr(|l| l.contains("getThing"));
    let line = log
        .lines()
        .find(|l| l.contains("getThing"))
        .unwrap_or_default();
    assert!(!line.contains("violation"), "{line}");
}

#[test]
fn errors_flag_turns_the_best_effort_body_into_a_500() {
    let m = Mock::start_with(&[SPEC, "--errors"]);
    let r = m.get("/verifiers/v1", &[]);
    assert_eq!(r.status, 500, "{r:?}");
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    let body = r.json();
    let entries = body["validation"].as_array().expect("a validation list");
    assert_eq!(entries.len(), 1, "{body}");
    assert_eq!(
        entries[0]["location"],
        serde_json::json!(["response", "body", "source"]),
        "{body}"
    );
    let log = m.wait_stderr(|l| l.contains("getVerifier"));
    assert!(log.contains("response.body.source:"), "{log}");
    let ok = m.get("/things/t1", &[]);
    assert_eq!(ok.status, 200, "a valid response is untouched: {ok:?}");
}

#[test]
fn fixtures_write_no_invalid_file() {
    let dir = std::env::temp_dir().join(format!("mockgen-unsatisfiable-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = mockgen(&["fixtures", SPEC, "--out", &dir.to_string_lossy()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("getVerifier 200"), "{stderr}");
    assert!(stderr.contains("admits no valid body"), "{stderr}");
    assert!(
        !dir.join("getVerifier").exists(),
        "no invalid fixture written"
    );
    assert!(
        dir.join("getThing/200.json").exists(),
        "the others are written"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
