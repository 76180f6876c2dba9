//! Operating `mockgen serve`: several specs under their base paths, `--base-path`, `--errors`,
//! `--max-body`, request logs (text and JSON) and the HTTP methods no spec declares (HEAD,
//! OPTIONS, TRACE, unknown ones), all over a real socket.

use crate::http::Server;
use crate::support::mockgen;
use std::path::PathBuf;

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mockgen-e2e-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// A spec without `servers` with one GET operation at `path`.
fn tiny_spec(path: &str, id: &str) -> String {
    format!(
        "openapi: 3.0.3\ninfo: {{title: {id}, version: '1'}}\npaths:\n  {path}:\n    get:\n      operationId: {id}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{type: object}}\n              example: {{from: {id}}}\n"
    )
}

#[test]
fn several_specs_each_under_their_servers_path() {
    let server = Server::start_with(&["specs/demo/petstore.yaml", "specs/demo/shop.yaml"]);
    let r = server.get("/v1/pets", &[]);
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.json().is_array(), "{r:?}");
    let r = server.get("/api/orders", &[]);
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.json()["items"].is_array(), "{r:?}");
    // Each spec only under its own base path.
    assert_eq!(server.get("/api/pets", &[]).status, 404);
    assert_eq!(server.get("/v1/orders", &[]).status, 404);
    let r = server.get("/pets", &[]);
    assert_eq!(r.status, 404, "{r:?}");
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    let detail = r.json()["detail"].as_str().unwrap_or_default().to_owned();
    assert!(
        detail.contains("/v1") && detail.contains("/api"),
        "{detail}"
    );
}

#[test]
fn same_base_path_is_refused_with_the_overlapping_routes() {
    let out = mockgen(&[
        "serve",
        "specs/demo/petstore.yaml",
        "specs/demo/petstore.yaml",
        "--port",
        "0",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "specs/demo/petstore.yaml and specs/demo/petstore.yaml would both be served under `/v1`"
        ),
        "{err}"
    );
    assert!(
        err.contains("GET /pets/{petId} (getPet) also matches GET /pets/{petId} (getPet)"),
        "{err}"
    );
    assert!(err.contains("--base-path"), "{err}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("listening on"));
}

#[test]
fn specs_without_servers_conflict_at_the_root() {
    let dir = temp_dir("root-conflict");
    let a = dir.join("a.yaml");
    let b = dir.join("b.yaml");
    std::fs::write(&a, tiny_spec("/a", "getA")).expect("write a");
    std::fs::write(&b, tiny_spec("/b", "getB")).expect("write b");
    let (a, b) = (a.to_string_lossy(), b.to_string_lossy());
    let out = mockgen(&["serve", &a, &b, "--port", "0", "--no-watch"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{a} and {b} would both be served at the root")),
        "{err}"
    );

    // Named base paths resolve it.
    let server = Server::start_with(&[
        &a,
        &b,
        "--base-path",
        &format!("{b}=/bee"),
        "--base-path",
        &format!("{a}=/ay/"),
    ]);
    let r = server.get("/ay/a", &[]);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["from"], "getA");
    let r = server.get("/bee/b", &[]);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["from"], "getB");
    assert_eq!(server.get("/a", &[]).status, 404);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_same_spec_twice_under_bare_base_paths_in_order() {
    let server = Server::start_with(&[
        "specs/demo/petstore.yaml",
        "specs/demo/petstore.yaml",
        "--base-path",
        "/one",
        "--base-path",
        "/two",
    ]);
    assert_eq!(server.get("/one/pets", &[]).status, 200);
    assert_eq!(server.get("/two/pets/1", &[]).status, 200);
    assert_eq!(server.get("/v1/pets", &[]).status, 404);
}

#[test]
fn base_path_flag_forces_one_prefix() {
    let server = Server::start_with(&["specs/demo/petstore.yaml", "--base-path", "/mock"]);
    assert_eq!(server.get("/mock/pets", &[]).status, 200);
    assert_eq!(server.get("/v1/pets", &[]).status, 404);
    assert_eq!(server.get("/pets", &[]).status, 404);
    drop(server);
    let server = Server::start_with(&["specs/demo/petstore.yaml", "--base-path", ""]);
    assert_eq!(server.get("/pets", &[]).status, 200);
    assert_eq!(server.get("/v1/pets", &[]).status, 404);
}

#[test]
fn bad_flags_exit_2() {
    for args in [
        &[
            "serve",
            "specs/demo/petstore.yaml",
            "--max-body",
            "5 parsecs",
        ][..],
        &[
            "serve",
            "specs/demo/petstore.yaml",
            "--base-path",
            "/a",
            "--base-path",
            "/b",
        ],
        &["serve", "specs/demo/petstore.yaml", "--log-format", "xml"],
    ] {
        let out = mockgen(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn errors_flag_turns_a_wrong_example_into_500() {
    let dir = temp_dir("errors");
    let spec = dir.join("wrong.yaml");
    std::fs::write(
        &spec,
        "openapi: 3.0.3\ninfo: {title: wrong, version: '1'}\npaths:\n  /thing:\n    get:\n      operationId: getThing\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                type: object\n                required: [id]\n                properties:\n                  id: {type: integer}\n              example: {id: not-a-number}\n",
    )
    .expect("write spec");
    let spec = spec.to_string_lossy().into_owned();

    let plain = Server::start_with(&[&spec, "--no-watch"]);
    let r = plain.get("/thing", &[]);
    assert_eq!(
        r.status, 200,
        "without --errors the example is sent as is: {r:?}"
    );
    drop(plain);

    let server = Server::start_with(&[&spec, "--no-watch", "--errors", "--log-format", "json"]);
    let r = server.get("/thing", &[]);
    assert_eq!(r.status, 500, "{r:?}");
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    let body = String::from_utf8_lossy(&r.body).into_owned();
    assert!(body.contains("id"), "the 500 lists the violation: {body}");
    // And the violation is logged.
    let err = server.wait_stderr(|e| e.contains("\"status\":500"));
    let line = err
        .lines()
        .find(|l| l.contains("\"status\":500"))
        .unwrap_or_else(|| panic!("no log line for the 500: {err}"));
    let logged: serde_json::Value = serde_json::from_str(line).expect("a JSON log line");
    assert_eq!(logged["operationId"], "getThing");
    assert!(
        logged["violations"]
            .as_array()
            .is_some_and(|v| !v.is_empty()),
        "{logged}"
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn max_body_flag_limits_request_bodies() {
    let server = Server::start_with(&["specs/demo/petstore.yaml", "--max-body", "1KB"]);
    let big = format!(r#"{{"name": "{}"}}"#, "x".repeat(2000));
    let r = server.request(
        "POST",
        "/v1/pets",
        &[("Content-Type", "application/json"), ("X-API-Key", "k")],
        big.as_bytes(),
    );
    assert_eq!(r.status, 413, "{r:?}");
    let r = server.request(
        "POST",
        "/v1/pets",
        &[("Content-Type", "application/json"), ("X-API-Key", "k")],
        br#"{"name": "Rex"}"#,
    );
    assert_ne!(r.status, 413, "{r:?}");
}

#[test]
fn json_log_lines_parse() {
    let server = Server::start_with(&["specs/demo/petstore.yaml", "--log-format", "json"]);
    assert_eq!(server.get("/v1/pets/1", &[]).status, 200);
    let r = server.request(
        "POST",
        "/v1/pets",
        &[("Content-Type", "application/json"), ("X-API-Key", "k")],
        br#"{"name": 5}"#,
    );
    assert_eq!(r.status, 422, "{r:?}");
    assert_eq!(server.get("/nope", &[]).status, 404);
    let err = server.wait_stderr(|e| e.lines().filter(|l| l.starts_with('{')).count() >= 3);
    let lines: Vec<serde_json::Value> = err
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), 3, "{err}");
    for line in &lines {
        let ts = line["ts"].as_str().unwrap_or_default();
        assert!(ts.len() == 24 && ts.ends_with('Z'), "{line}");
        assert!(line["ms"].is_number(), "{line}");
        assert!(line["violations"].is_array(), "{line}");
    }
    assert_eq!(lines[0]["method"], "GET");
    assert_eq!(lines[0]["path"], "/v1/pets/1");
    assert_eq!(lines[0]["operationId"], "getPet");
    assert_eq!(lines[0]["status"], 200);
    assert_eq!(lines[1]["operationId"], "createPet");
    assert_eq!(lines[1]["status"], 422);
    let violations = lines[1]["violations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        violations
            .iter()
            .any(|v| v.as_str().is_some_and(|s| s.contains("name"))),
        "{}",
        lines[1]
    );
    assert_eq!(lines[2]["operationId"], serde_json::Value::Null);
    assert_eq!(lines[2]["status"], 404);
}

#[test]
fn human_log_lines_are_one_per_request() {
    let server = Server::start_with(&["specs/demo/petstore.yaml"]);
    assert_eq!(server.get("/v1/pets/1", &[]).status, 200);
    let r = server.request(
        "POST",
        "/v1/pets",
        &[("Content-Type", "application/json"), ("X-API-Key", "k")],
        br#"{"name": 5}"#,
    );
    assert_eq!(r.status, 422);
    let err = server.wait_stderr(|e| e.contains("POST /v1/pets"));
    assert!(
        err.lines()
            .any(|l| l.starts_with("GET /v1/pets/1 getPet 200 ")),
        "{err}"
    );
    let post = err
        .lines()
        .find(|l| l.starts_with("POST /v1/pets createPet 422 "))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        post.contains("violation") && post.contains("name"),
        "{post}"
    );
}

#[test]
fn head_options_trace_and_unknown_methods() {
    let server = Server::start_with(&["specs/demo/petstore.yaml"]);
    let get = server.get("/v1/pets/1", &[]);
    let head = server.request("HEAD", "/v1/pets/1", &[], b"");
    assert_eq!(head.status, 200, "{head:?}");
    assert!(head.body.is_empty(), "{head:?}");
    assert_eq!(head.header("content-type"), get.header("content-type"));
    assert_eq!(
        head.header("content-length"),
        Some(get.body.len().to_string().as_str()),
        "HEAD announces the GET body's length"
    );

    // OPTIONS without preflight headers: what the path allows.
    let r = server.request("OPTIONS", "/v1/pets/1", &[], b"");
    assert_eq!(r.status, 204, "{r:?}");
    let allow = r.header("allow").unwrap_or_default().to_owned();
    assert!(
        allow.contains("GET") && allow.contains("DELETE") && allow.contains("HEAD"),
        "{allow}"
    );
    assert!(r.body.is_empty());
    assert_eq!(server.request("OPTIONS", "/nope", &[], b"").status, 404);
    let r = server.request("OPTIONS", "*", &[], b"");
    assert_eq!(r.status, 204, "{r:?}");
    assert_eq!(r.header("allow"), Some("DELETE, GET, HEAD, OPTIONS, POST"));

    for method in ["TRACE", "PURGE", "CONNECT"] {
        let r = server.request(method, "/v1/pets", &[], b"");
        assert_eq!(r.status, 405, "{method}: {r:?}");
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        let allow = r.header("allow").unwrap_or_default();
        assert!(
            allow.contains("GET") && allow.contains("POST"),
            "{method}: {allow}"
        );
    }
    assert_eq!(server.request("TRACE", "/nope", &[], b"").status, 404);
}

#[test]
fn without_cors_options_is_not_a_preflight() {
    let server = Server::start_with(&["specs/demo/petstore.yaml", "--cors", "false"]);
    let r = server.request(
        "OPTIONS",
        "/v1/pets",
        &[
            ("Origin", "http://app.example"),
            ("Access-Control-Request-Method", "PUT"),
        ],
        b"",
    );
    assert_eq!(r.status, 204, "{r:?}");
    assert!(
        r.header("allow").is_some_and(|a| a.contains("POST")),
        "{r:?}"
    );
    assert_eq!(r.header("access-control-allow-origin"), None);
    assert_eq!(r.header("access-control-allow-methods"), None);
    let r = server.get("/v1/pets", &[("Origin", "http://app.example")]);
    assert_eq!(r.header("access-control-allow-origin"), None);
}

#[test]
fn route_conflicts_inside_a_spec_are_warnings() {
    let dir = temp_dir("route-conflict");
    let spec = dir.join("dup.yaml");
    std::fs::write(
        &spec,
        "openapi: 3.0.3\ninfo: {title: dup, version: '1'}\npaths:\n  /pets/{id}:\n    get:\n      operationId: byId\n      parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n      responses: {'200': {description: ok}}\n  /pets/{petId}:\n    get:\n      operationId: byPetId\n      parameters: [{name: petId, in: path, required: true, schema: {type: string}}]\n      responses: {'200': {description: ok}}\n",
    )
    .expect("write spec");
    let spec = spec.to_string_lossy().into_owned();
    let server = Server::start_with(&[&spec, "--no-watch"]);
    let err = server.wait_stderr(|e| e.contains("warning:"));
    let warning = err
        .lines()
        .find(|l| l.starts_with("warning:"))
        .unwrap_or_else(|| panic!("no warning: {err}"));
    assert!(
        warning.contains(&spec) && warning.contains("byPetId") && warning.contains("byId"),
        "{warning}"
    );
    // The first operation keeps the route.
    assert_eq!(server.get("/pets/1", &[]).status, 200);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
