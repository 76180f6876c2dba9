//! `mockgen diff` as a user runs it: formats, exit codes, `--fail-on`, ignore files,
//! `git:REV:path` and the line/column of every change.

use crate::support::{mockgen, root};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const OLD: &str = "specs/diff/old.yaml";
const NEW: &str = "specs/diff/new.yaml";
const ADDITIVE: &str = "specs/diff/additive.yaml";

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mockgen-diff-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn json(out: &Output) -> serde_json::Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("diff --format json printed invalid JSON ({e}): {stdout}"))
}

fn rules(report: &serde_json::Value) -> Vec<(String, String)> {
    report["changes"]
        .as_array()
        .expect("changes is a list")
        .iter()
        .map(|c| {
            (
                c["rule"].as_str().unwrap_or_default().to_owned(),
                c["operation"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// 1-based line and column of the first occurrence of `needle` in a file of the repository.
fn position(file: &str, needle: &str) -> (u64, u64) {
    let text = std::fs::read_to_string(root().join(file)).expect("fixture is readable");
    let at = text.find(needle).expect("needle is in the fixture");
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line as u64, column as u64)
}

#[test]
fn breaking_changes_exit_1_grouped_by_operation() {
    let out = mockgen(&["diff", OLD, NEW]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    // Grouped: each operation once, as a heading, in OLD's order, added ones last.
    let headings: Vec<&str> = stdout
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.is_empty() && l.contains(" /"))
        .collect();
    assert_eq!(
        headings,
        [
            "GET /pets",
            "POST /pets",
            "GET /pets/{petId}",
            "DELETE /pets/{id}",
            "GET /owners"
        ],
        "{stdout}"
    );
    assert!(
        stdout.contains("4 breaking, 3 warning(s), 1 info, 0 ignored"),
        "{stdout}"
    );
}

#[test]
fn json_lists_every_change_with_its_rule_and_location() {
    let out = mockgen(&["diff", "--format", "json", OLD, NEW]);
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    let found = rules(&report);
    for expected in [
        ("request-max-decreased", "GET /pets"),
        ("required-parameter-added", "GET /pets"),
        ("response-enum-widened", "GET /pets"),
        ("request-property-became-required", "POST /pets"),
        ("response-status-removed", "GET /pets/{petId}"),
        ("deprecated-operation-removed", "DELETE /pets/{id}"),
        ("operation-added", "GET /owners"),
    ] {
        assert!(
            found.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "missing {expected:?} in {found:?}"
        );
    }
    // Renaming `Pet` to `Animal`, inlining `NewPet`, renaming `{id}` to `{petId}`, reordering
    // properties and rewording descriptions are not changes.
    assert_eq!(found.len(), 8, "{found:?}");
    let changes = report["changes"].as_array().expect("list");
    for c in changes {
        for key in [
            "rule",
            "severity",
            "operation",
            "message",
            "pointer",
            "line",
            "column",
            "file",
        ] {
            assert!(c.get(key).is_some(), "{key} missing in {c}");
        }
    }
    let added = changes
        .iter()
        .find(|c| c["rule"] == "required-parameter-added")
        .expect("the added parameter");
    assert_eq!(added["file"], NEW);
    assert_eq!(added["severity"], "breaking");
    assert_eq!(added["pointer"], "/paths/~1pets/get/parameters/1");
    let (line, column) = position(NEW, "name: tenant");
    assert_eq!(
        (added["line"].as_u64(), added["column"].as_u64()),
        (Some(line), Some(column))
    );
    // A removal points into OLD.
    let removed = changes
        .iter()
        .find(|c| c["rule"] == "response-status-removed")
        .expect("the removed status");
    assert_eq!(removed["file"], OLD);
    assert_eq!(removed["side"], "old");
    let (line, column) = position(OLD, "'404': {description: not found}");
    assert_eq!(
        (removed["line"].as_u64(), removed["column"].as_u64()),
        (Some(line), Some(column))
    );
    assert_eq!(report["summary"]["breaking"], 4);
}

#[test]
fn fail_on_sets_the_level_that_exits_1() {
    // Only warnings and info between OLD and ADDITIVE.
    let out = mockgen(&["diff", OLD, ADDITIVE]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("0 breaking, 2 warning(s), 5 info"),
        "{stdout}"
    );
    let out = mockgen(&["diff", "--fail-on", "warning", OLD, ADDITIVE]);
    assert_eq!(out.status.code(), Some(1));
    let out = mockgen(&["diff", "--fail-on", "info", OLD, ADDITIVE]);
    assert_eq!(out.status.code(), Some(1));
    // The same document: nothing at all, even with --fail-on info.
    let out = mockgen(&["diff", "--fail-on", "info", OLD, OLD]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("No changes."));
}

#[test]
fn junit_github_and_markdown_formats() {
    let out = mockgen(&["diff", "--format", "junit", OLD, NEW]);
    assert_eq!(out.status.code(), Some(1));
    let xml = String::from_utf8_lossy(&out.stdout);
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(xml.contains("tests=\"8\" failures=\"4\""), "{xml}");
    assert!(
        xml.contains("<testcase classname=\"GET /pets\" name=\"required-parameter-added: required query parameter `tenant` added\">"),
        "{xml}"
    );
    assert_eq!(xml.matches("<failure ").count(), 4, "{xml}");

    let out = mockgen(&["diff", "--format", "github", OLD, NEW]);
    let text = String::from_utf8_lossy(&out.stdout);
    let (line, column) = position(NEW, "name: tenant");
    assert!(
        text.contains(&format!(
            "::error file={NEW},line={line},col={column},title=required-parameter-added::GET /pets: required query parameter `tenant` added"
        )),
        "{text}"
    );
    assert_eq!(
        text.lines().filter(|l| l.starts_with("::error ")).count(),
        4
    );
    assert_eq!(
        text.lines().filter(|l| l.starts_with("::warning ")).count(),
        3
    );
    assert_eq!(
        text.lines().filter(|l| l.starts_with("::notice ")).count(),
        1
    );

    let out = mockgen(&["diff", "--format", "markdown", OLD, NEW]);
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(
        md.starts_with("### mockgen diff: 4 breaking, 3 warning(s), 1 info"),
        "{md}"
    );
    assert!(
        md.contains("| **breaking** | `GET /pets/{petId}` | response 404 removed | `response-status-removed` |"),
        "{md}"
    );
}

#[test]
fn ignore_file_accepts_changes_with_a_reason() {
    let dir = temp_dir("ignore");
    let ignore = dir.join("accepted.yaml");
    std::fs::write(
        &ignore,
        "- rule: request-max-decreased\n  operation: get /pets\n  reason: nobody asks for more than 50\n\
         - rule: required-parameter-added\n  operation: GET /pets\n  reason: tenants are mandatory since v2\n\
         - rule: request-property-became-required\n  reason: tag is needed\n\
         - rule: response-status-removed\n  operation: GET /pets/{id}\n  reason: 404 is now a 200 with an empty list\n",
    )
    .expect("write ignore file");
    let ignore_s = ignore.to_string_lossy().into_owned();
    let out = mockgen(&["diff", "--ignore", &ignore_s, "--format", "json", OLD, NEW]);
    let report = json(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert_eq!(report["summary"]["breaking"], 0);
    assert_eq!(report["summary"]["ignored"], 4);
    let ignored = report["ignored"].as_array().expect("list");
    assert!(
        ignored
            .iter()
            .any(|i| i["rule"] == "response-status-removed"
                && i["reason"] == "404 is now a 200 with an empty list")
    );
    // Human output lists them as ignored.
    let out = mockgen(&["diff", "--ignore", &ignore_s, OLD, NEW]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Ignored (accepted):"), "{stdout}");
    assert!(
        stdout.contains("tenants are mandatory since v2"),
        "{stdout}"
    );

    // A reason is required; an unknown rule is refused.
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        r#"[{"rule": "operation-removed", "operation": "GET /a"}]"#,
    )
    .expect("write");
    let out = mockgen(&["diff", "--ignore", &bad.to_string_lossy(), OLD, NEW]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("reason"));
    std::fs::write(&bad, r#"[{"rule": "no-such-rule", "reason": "x"}]"#).expect("write");
    let out = mockgen(&["diff", "--ignore", &bad.to_string_lossy(), OLD, NEW]);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn reads_old_from_a_git_revision() {
    let dir = temp_dir("git");
    git(&dir, &["init", "-q"]);
    // A spec split over two files: the referenced file is read from the same revision.
    std::fs::create_dir_all(dir.join("api")).expect("mkdir");
    let old = std::fs::read_to_string(root().join(OLD)).expect("old");
    let split = old.replace(
        "schema: {$ref: '#/components/schemas/NewPet'}",
        "schema: {$ref: 'schemas.yaml#/NewPet'}",
    );
    std::fs::write(dir.join("api/openapi.yaml"), &split).expect("write");
    std::fs::write(
        dir.join("api/schemas.yaml"),
        "NewPet:\n  type: object\n  required: [name]\n  properties:\n    name: {type: string}\n    tag: {type: string}\n",
    )
    .expect("write");
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "v1"]);
    // The working copy moves on: the referenced schema gains a required property.
    std::fs::write(
        dir.join("api/schemas.yaml"),
        "NewPet:\n  type: object\n  required: [name, age]\n  properties:\n    name: {type: string}\n    tag: {type: string}\n    age: {type: integer}\n",
    )
    .expect("write");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_mockgen"))
            .args(args)
            .current_dir(&dir)
            .output()
            .expect("mockgen runs")
    };
    let out = run(&[
        "diff",
        "--format",
        "json",
        "git:HEAD:api/openapi.yaml",
        "api/openapi.yaml",
    ]);
    let report = json(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert_eq!(
        rules(&report),
        [(
            "request-required-property-added".to_owned(),
            "POST /pets".to_owned()
        )]
    );
    assert_eq!(report["changes"][0]["file"], "api/schemas.yaml");
    // The same revision on both sides: nothing.
    let out = run(&[
        "diff",
        "git:HEAD:api/openapi.yaml",
        "git:HEAD:api/openapi.yaml",
    ]);
    assert_eq!(out.status.code(), Some(0));
    // A revision or path that does not exist is an I/O error.
    let out = run(&[
        "diff",
        "git:no-such-rev:api/openapi.yaml",
        "api/openapi.yaml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("git show"));
    let out = run(&["diff", "git:HEAD", "api/openapi.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unreadable_or_unloadable_input_exits_2() {
    let out = mockgen(&["diff", "specs/diff/missing.yaml", NEW]);
    assert_eq!(out.status.code(), Some(2));
    let dir = temp_dir("bad");
    let bad = dir.join("not-openapi.yaml");
    std::fs::write(&bad, "just: a mapping\n").expect("write");
    let out = mockgen(&["diff", OLD, &bad.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("could not be loaded"));
    let out = mockgen(&["diff", "--format", "nope", OLD, NEW]);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A revision that starts with `-` would be read by `git show` as an option
/// (`--output=FILE` writes a file): it is refused before git runs.
#[test]
fn a_revision_is_never_an_option() {
    let dir = temp_dir("option-rev");
    // `git show --output=DIR/written:old.yaml` would write the log of HEAD to that file.
    let target = dir.join("written:old.yaml");
    let arg = format!("git:--output={}/written:old.yaml", dir.display());
    let out = mockgen(&["diff", &arg, NEW]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot start with `-`"), "{stderr}");
    assert!(!target.exists(), "git show wrote {}", target.display());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A problem in the ignore file is reported with its line and column.
#[test]
fn ignore_file_problems_name_line_and_column() {
    let dir = temp_dir("ignore-located");
    let file = dir.join("accepted.yaml");
    std::fs::write(
        &file,
        "- rule: request-max-decreased\n  reason: fine\n- rule: no-such-rule\n  reason: x\n",
    )
    .expect("write");
    let path = file.to_string_lossy().into_owned();
    let out = mockgen(&["diff", "--ignore", &path, OLD, NEW]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{path}:3:9: entry 2: unknown rule `no-such-rule`")),
        "{stderr}"
    );
    std::fs::write(
        &file,
        "- rule: request-max-decreased\n  reason: fine\n  when: always\n",
    )
    .expect("write");
    let out = mockgen(&["diff", "--ignore", &path, OLD, NEW]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "{path}:3:3: entry 1 (request-max-decreased): unknown field `when`"
        )),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
