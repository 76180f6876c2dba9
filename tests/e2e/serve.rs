//! `mockgen serve` basics over a real socket (the client lives in `http.rs`).

use crate::http::Server;
use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn start_up_prints_every_route_with_an_example_url_then_listening() {
    let server = Server::start();
    let banner = &server.banner;
    assert!(banner.contains("loaded"), "{banner}");
    for route in ["GET", "POST", "/v1/pets", "http://127.0.0.1:"] {
        assert!(banner.contains(route), "{route} missing from {banner}");
    }
    let last = banner.lines().last().unwrap_or_default();
    assert!(last.starts_with("listening on http://127.0.0.1:"), "{last}");
}

#[test]
fn serves_routes_with_and_without_base_path() {
    let server = Server::start();
    let r = server.get("/v1/pets", &[]);
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.json().is_array(), "{r:?}");
    let r = server.get("/pets", &[]);
    assert_eq!(r.status, 200, "{r:?}");
    let a = server.get("/v1/pets/1", &[]);
    let b = server.get("/v1/pets/1", &[]);
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(
        a.body, b.body,
        "static mode answers a URL the same way every time"
    );
}

#[test]
fn errors_are_problem_json() {
    let server = Server::start();
    let r = server.get("/nope", &[]);
    assert_eq!(r.status, 404, "{r:?}");
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    let r = server.request("DELETE", "/v1/pets", &[], b"");
    assert_eq!(r.status, 405, "{r:?}");
    assert!(
        r.header("allow").is_some_and(|a| a.contains("GET")),
        "{r:?}"
    );
    let r = server.request(
        "POST",
        "/v1/pets",
        &[("Content-Type", "application/json")],
        b"{}",
    );
    assert_eq!(r.status, 401, "{r:?}");
    assert!(r.header("www-authenticate").is_some(), "{r:?}");
    let r = server.request(
        "POST",
        "/v1/pets",
        &[("Content-Type", "application/json"), ("X-API-Key", "k")],
        br#"{"name": 5}"#,
    );
    assert_eq!(r.status, 422, "{r:?}");
    assert!(r.json()["validation"].is_array(), "{r:?}");
    let r = server.get("/v1/pets/1", &[("Prefer", "code=404")]);
    assert_eq!(r.status, 404, "{r:?}");
}

#[test]
fn cors_echoes_origin_and_answers_preflights() {
    let server = Server::start();
    let r = server.get("/v1/pets", &[("Origin", "http://app.example")]);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://app.example")
    );
    assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
    let r = server.request(
        "OPTIONS",
        "/not/in/the/spec",
        &[
            ("Origin", "http://app.example"),
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "x-api-key, content-type"),
        ],
        b"",
    );
    assert_eq!(r.status, 204, "{r:?}");
    assert_eq!(r.header("access-control-allow-methods"), Some("PUT"));
    assert_eq!(
        r.header("access-control-allow-headers"),
        Some("x-api-key, content-type")
    );
    assert_eq!(r.header("access-control-max-age"), Some("86400"));
}

#[test]
fn sigterm_shuts_down_gracefully() {
    let mut server = Server::start();
    assert_eq!(server.get("/v1/pets", &[]).status, 200);
    let killed = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(5);
    let status = loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "serve did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
}

#[test]
fn unbindable_port_exits_2() {
    let server = Server::start();
    let port = server.addr.port().to_string();
    let out = crate::support::mockgen(&["serve", "specs/demo/petstore.yaml", "--port", &port]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&port));
}
