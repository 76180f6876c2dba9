//! `mockgen check` as a user runs it: exit codes, output formats, help, hostile files.

use crate::support::{check_json, mockgen, root};
use std::io::Write;

fn temp_spec(name: &str, body: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mockgen-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(body))
        .expect("write temp spec");
    path
}

#[test]
fn demo_spec_is_clean_and_exits_0() {
    let out = mockgen(&["check", "specs/demo/petstore.yaml"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(
        stdout.contains(
            "specs/demo/petstore.yaml: OpenAPI 3.0.3, 4 operations: 0 error(s), 0 warning(s)"
        ),
        "{stdout}"
    );
}

#[test]
fn errors_exit_1_with_line_and_column_in_every_format() {
    let spec = temp_spec(
        "broken.yaml",
        b"openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Pett'}\ncomponents:\n  schemas:\n    Pet: {type: object}\n",
    );
    let (code, report) = check_json(&spec);
    assert_eq!(code, 1);
    let errors = report[0]["errors"].as_array().expect("errors array");
    assert_eq!(errors.len(), 1, "{report:#}");
    assert_eq!(errors[0]["code"], "ref-unresolved");
    assert_eq!(errors[0]["line"], 11);
    assert_eq!(errors[0]["column"], 30);
    assert_eq!(
        errors[0]["pointer"],
        "/paths/~1a/get/responses/200/content/application~1json/schema/$ref"
    );
    assert!(
        errors[0]["help"].as_str().unwrap_or("").contains("Pet"),
        "{report:#}"
    );

    let path = spec.to_string_lossy();
    let gh = mockgen(&["check", "--format", "github", &path]);
    assert_eq!(gh.status.code(), Some(1));
    let text = String::from_utf8_lossy(&gh.stdout);
    assert!(text.starts_with("::error file="), "{text}");
    assert!(
        text.contains(",line=11,col=30,title=ref-unresolved::"),
        "{text}"
    );

    let human = mockgen(&["check", &path]);
    assert_eq!(human.status.code(), Some(1));
    let err = String::from_utf8_lossy(&human.stderr);
    assert!(err.contains("broken.yaml:11:30: ref-unresolved"), "{err}");
    assert!(err.contains("#/components/schemas/Pett"), "{err}");
}

#[test]
fn warnings_fail_only_with_strict() {
    let spec = temp_spec(
        "warn.yaml",
        b"openapi: 3.1.0\npaths:\n  /a:\n    get:\n      responses:\n        '200': {description: ok}\n",
    );
    let path = spec.to_string_lossy();
    let (code, report) = check_json(&spec);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report[0]["loaded"], true);
    assert_eq!(report[0]["warnings"][0]["code"], "info-missing");
    assert_eq!(
        mockgen(&["check", "--strict", &path]).status.code(),
        Some(1)
    );
}

#[test]
fn io_and_usage_errors_exit_2() {
    let missing = mockgen(&["check", "no/such/file.yaml"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no/such/file.yaml"));
    assert_eq!(mockgen(&["check"]).status.code(), Some(2));
    assert_eq!(
        mockgen(&["check", "--format", "xml", "a.yaml"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(mockgen(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn help_documents_exit_codes() {
    let out = mockgen(&["check", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "Exit codes:",
        "0  no errors",
        "1  at least one error",
        "2  usage error",
        "--format",
        "--strict",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
}

#[test]
fn syntax_error_is_located_and_not_loaded() {
    let spec = temp_spec(
        "syntax.json",
        b"{\n  \"openapi\": \"3.0.0\",\n  \"paths\": {,}\n}\n",
    );
    let (code, report) = check_json(&spec);
    assert_eq!(code, 1);
    assert_eq!(report[0]["loaded"], false);
    let e = &report[0]["errors"][0];
    assert_eq!(e["code"], "syntax");
    assert_eq!(e["line"], 3);
    assert_eq!(e["column"], 13);
}

#[test]
fn invalid_utf8_and_binary_junk_do_not_crash() {
    let bad = temp_spec("bad-utf8.yaml", b"openapi: 3.0.0\ninfo: \xff\xfe\n");
    let out = mockgen(&["check", &bad.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid UTF-8 at line 2, column 7"));
    let junk: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8 & 0x7f)
        .collect();
    let junk = temp_spec("junk.yaml", &junk);
    let out = mockgen(&["check", "--format", "json", &junk.to_string_lossy()]);
    assert!(matches!(out.status.code(), Some(1)), "{out:?}");
}

#[test]
fn remote_refs_are_reported_not_fetched() {
    let spec = temp_spec(
        "remote.yaml",
        b"openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: 'https://example.com/schemas/pet.json#/Pet'\n",
    );
    let (code, report) = check_json(&spec);
    assert_eq!(code, 1);
    let e = &report[0]["errors"][0];
    assert_eq!(e["code"], "ref-remote", "{report:#}");
    assert_eq!(e["line"], 12);
    assert!(
        e["message"]
            .as_str()
            .unwrap_or("")
            .contains("https://example.com/schemas/pet.json#/Pet")
    );
}

#[test]
fn remote_refs_are_fetched_over_http_when_allowed() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("addr").port();
    let server = std::thread::spawn(move || {
        if let Ok((mut conn, _)) = listener.accept() {
            // Read the whole request head before answering.
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && conn.read(&mut byte).is_ok_and(|n| n == 1) {
                head.push(byte[0]);
            }
            let body = "Pet:\n  type: object\n  properties:\n    id: {type: integer}\n";
            let _ = write!(
                conn,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let text = format!(
        "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: 'http://127.0.0.1:{port}/pet.yaml#/Pet'\n              example: {{id: x}}\n"
    );
    let spec = temp_spec("remote-ok.yaml", text.as_bytes());
    let out = mockgen(&[
        "check",
        "--format",
        "json",
        "--allow-remote-refs",
        &spec.to_string_lossy(),
    ]);
    let _ = server.join();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    // The remote schema was fetched: the example is checked against it and found wrong.
    assert_eq!(
        report[0]["errors"][0]["code"], "example-invalid",
        "{report:#}"
    );
    assert_eq!(
        report[0]["errors"].as_array().map(Vec::len),
        Some(1),
        "{report:#}"
    );
}

#[test]
fn several_specs_in_one_run_report_each() {
    let demo = root().join("specs/demo/petstore.yaml");
    let shared = crate::support::shared_specs().join("petstore.swagger20.yaml");
    let out = mockgen(&[
        "check",
        "--format",
        "json",
        &demo.to_string_lossy(),
        &shared.to_string_lossy(),
    ]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report.as_array().map(Vec::len), Some(2));
    assert_eq!(report[1]["version"], "2.0");
    assert_eq!(report[1]["operations"], 20);
}
