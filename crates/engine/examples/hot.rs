//! Micro-benchmark of the request path: times `Engine::handle` for a GET with a path
//! parameter, a valid POST and an invalid POST on the petstore-expanded spec.
//!
//! `cargo run --release -p mockgen-engine --example hot [SPEC] [N]`

use mockgen_engine::{Engine, MockRequest, Options};
use std::sync::Arc;
use std::time::Instant;

/// Name, method, path, query, body.
type Case<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, &'a [u8]);

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .unwrap_or_else(|| "/work/shared/specs/petstore-expanded.oas30.yaml".to_owned());
    let n: u32 = args.next().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let loaded = mockgen_spec::load(
        &path,
        text,
        &mockgen_spec::NoFiles,
        &mockgen_spec::LoadOptions::default(),
    );
    let spec = loaded.spec.ok_or("spec does not load")?;
    let load = started.elapsed();
    let engine = Engine::new(Arc::new(spec), Options::default())?;
    println!(
        "spec loaded in {:.1} ms, engine built in {:.1} ms",
        load.as_secs_f64() * 1e3,
        (started.elapsed() - load).as_secs_f64() * 1e3
    );
    let json = [("Content-Type", "application/json"), ("Accept", "*/*")];
    let cases: [Case<'_>; 5] = [
        ("GET /pets/1", "GET", "/pets/1", None, b""),
        ("GET /pets?limit=5", "GET", "/pets", Some("limit=5"), b""),
        (
            "POST /pets valid",
            "POST",
            "/pets",
            None,
            br#"{"name":"Rex","tag":"dog"}"#,
        ),
        (
            "POST /pets invalid",
            "POST",
            "/pets",
            None,
            br#"{"name":5}"#,
        ),
        ("GET /nope (404)", "GET", "/nope", None, b""),
    ];
    for (name, method, p, query, body) in cases {
        let req = MockRequest {
            method,
            path: p,
            query,
            headers: &json,
            body,
        };
        let first = engine.handle(&req);
        for _ in 0..n / 10 {
            std::hint::black_box(engine.handle(&req));
        }
        let t = Instant::now();
        for _ in 0..n {
            std::hint::black_box(engine.handle(&req));
        }
        let us = t.elapsed().as_secs_f64() * 1e6 / f64::from(n);
        println!("{name:<22} {:>3} {:>8.2} µs/call", first.status, us);
    }
    Ok(())
}
