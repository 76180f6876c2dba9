//! `mockgen verify` and `mockgen proxy` against a real upstream: `mockgen serve` of a drifted
//! copy of a spec (specs/drift/drifted.yaml: a removed required field, wrong types, an
//! undeclared status, an undeclared content type) must show every drift, and an upstream
//! serving the same spec must show none — for specs/drift/base.yaml and for real-world specs.

use crate::http::{Reply, Server, head};
use crate::support::{mockgen, root, shared_specs};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BASE: &str = "specs/drift/base.yaml";
const DRIFTED: &str = "specs/drift/drifted.yaml";

fn verify_json(spec: &str, target: &str, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["verify", spec, "--target", target, "--format", "json"];
    args.extend_from_slice(extra);
    let out = mockgen(&args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "verify printed invalid JSON ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), report)
}

/// (operationId, rule, location) of every violation in a verify JSON report.
fn found(report: &Value) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    for op in report["operations"].as_array().expect("operations") {
        for r in op["requests"].as_array().expect("requests") {
            for v in r["violations"].as_array().expect("violations") {
                out.insert((
                    op["operationId"].as_str().unwrap_or_default().to_owned(),
                    v["rule"].as_str().unwrap_or_default().to_owned(),
                    v["location"].as_str().unwrap_or_default().to_owned(),
                ));
            }
        }
    }
    out
}

fn set(items: &[(&str, &str, &str)]) -> BTreeSet<(String, String, String)> {
    items
        .iter()
        .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
        .collect()
}

#[test]
fn verify_finds_every_drift_and_nothing_else() {
    let upstream = Server::start_with(&[DRIFTED, "--log-format", "off"]);
    let target = format!("http://{}", upstream.addr);
    let (code, report) = verify_json(BASE, &target, &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        found(&report),
        set(&[
            ("createPet", "status-undeclared", "response.status"),
            (
                "getOwner",
                "content-type-undeclared",
                "response.header.Content-Type"
            ),
            ("getPet", "body-schema", "response.body"),
            ("listPets", "body-schema", "response.body.0.id"),
            ("listPets", "body-schema", "response.body.1.id"),
            ("listPets", "header-invalid", "response.header.X-Total"),
        ]),
        "{report:#}"
    );
    // The removed field is named, with its keyword and pointer.
    let get_pet = report["operations"]
        .as_array()
        .and_then(|ops| ops.iter().find(|o| o["operationId"] == "getPet"))
        .expect("getPet");
    let v = &get_pet["requests"][0]["violations"][0];
    assert_eq!(v["keyword"], "required");
    assert!(v["message"].as_str().unwrap_or_default().contains("name"));
    let list = report["operations"]
        .as_array()
        .and_then(|ops| ops.iter().find(|o| o["operationId"] == "listPets"))
        .expect("listPets");
    let pointers: Vec<&str> = list["requests"][0]["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .filter_map(|v| v["pointer"].as_str())
        .collect();
    assert!(pointers.contains(&"/0/id"), "{pointers:?}");
    assert_eq!(report["summary"]["violations"], 6);
    assert_eq!(report["summary"]["failedOperations"], 4);

    // The other formats say the same.
    let junit = mockgen(&["verify", BASE, "--target", &target, "--format", "junit"]);
    let text = String::from_utf8_lossy(&junit.stdout);
    assert_eq!(junit.status.code(), Some(1));
    assert!(text.contains("tests=\"5\" failures=\"4\""), "{text}");
    assert!(text.contains("<testcase name=\"getHealth\""), "{text}");
    let github = mockgen(&["verify", BASE, "--target", &target, "--format", "github"]);
    let text = String::from_utf8_lossy(&github.stdout);
    assert_eq!(text.matches("::error ").count(), 6, "{text}");
    let human = mockgen(&["verify", BASE, "--target", &target]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("FAIL POST /pets (createPet)"), "{text}");
    assert!(text.contains("ok   GET /health (getHealth)"), "{text}");

    // --operation narrows the run.
    let (code, report) = verify_json(BASE, &target, &["--operation", "getHealth"]);
    assert_eq!((code, report["summary"]["requests"].clone()), (0, 1.into()));
}

#[test]
fn verify_stops_at_max_requests() {
    let upstream = Server::start_with(&[BASE, "--log-format", "off"]);
    let target = format!("http://{}", upstream.addr);
    let (code, report) = verify_json(BASE, &target, &["--negative", "--max-requests", "3"]);
    assert_eq!(code, 0, "{report:#}");
    let ops = report["operations"].as_array().expect("operations");
    let sent: usize = ops
        .iter()
        .map(|o| o["requests"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(sent, 3, "{report:#}");
    let skipped: Vec<&Value> = ops
        .iter()
        .filter(|o| {
            o["skipped"]
                .as_str()
                .is_some_and(|s| s.contains("--max-requests 3 reached"))
        })
        .collect();
    assert!(!skipped.is_empty(), "{report:#}");
    // Every operation is still listed, those past the budget as skipped.
    assert_eq!(ops.len(), found_operations(BASE), "{report:#}");
}

/// How many operations `verify` lists for `spec` without a budget.
fn found_operations(spec: &str) -> usize {
    let upstream = Server::start_with(&[spec, "--log-format", "off"]);
    let (_, report) = verify_json(spec, &format!("http://{}", upstream.addr), &[]);
    report["operations"].as_array().map_or(0, Vec::len)
}

#[test]
fn verify_same_spec_finds_nothing_and_negatives_get_4xx() {
    let upstream = Server::start_with(&[BASE, "--log-format", "off"]);
    let target = format!("http://{}", upstream.addr);
    let (code, report) = verify_json(BASE, &target, &["--negative", "--seed", "7"]);
    assert_eq!(code, 0, "{report:#}");
    assert!(found(&report).is_empty(), "{report:#}");
    let requests: Vec<Value> = report["operations"]
        .as_array()
        .expect("operations")
        .iter()
        .flat_map(|o| o["requests"].as_array().cloned().unwrap_or_default())
        .collect();
    let negatives: Vec<&Value> = requests
        .iter()
        .filter(|r| !r["negative"].is_null())
        .collect();
    // listPets: limit left out and of the wrong type; createPet: body of the wrong type;
    // getPet: petId of the wrong type.
    assert_eq!(negatives.len(), 4, "{report:#}");
    for n in negatives {
        let status = n["status"].as_u64().unwrap_or_default();
        assert!((400..500).contains(&status), "{n:#}");
    }
    // Same seed, same requests, same report.
    let (_, again) = verify_json(BASE, &target, &["--negative", "--seed", "7"]);
    assert_eq!(report, again);

    // A target that accepts what the spec refuses: every negative is reported.
    let lenient = Server::start_with(&["specs/drift/lenient.yaml", "--log-format", "off"]);
    let (code, report) = verify_json(
        BASE,
        &format!("http://{}", lenient.addr),
        &["--negative", "--seed", "7"],
    );
    assert_eq!(code, 1);
    assert_eq!(
        found(&report),
        set(&[
            ("createPet", "negative-accepted", "response.status"),
            ("getPet", "negative-accepted", "response.status"),
            ("listPets", "negative-accepted", "response.status"),
        ]),
        "{report:#}"
    );
    assert_eq!(report["summary"]["violations"], 4, "{report:#}");
}

#[test]
fn verify_real_specs_against_their_own_mock_finds_nothing() {
    for name in [
        "petstore.oas31.yaml",
        "docker-engine-api.swagger20.yaml",
        "dnd5eapi.co.oas30.json",
        "amazonaws.com--fsx.oas30.json",
    ] {
        let path = shared_specs().join(name);
        let spec = path.to_string_lossy().into_owned();
        let upstream = Server::start_with(&[&spec, "--log-format", "off", "--no-watch"]);
        let (code, report) = verify_json(&spec, &format!("http://{}", upstream.addr), &[]);
        assert!(found(&report).is_empty(), "{name}: {report:#}");
        assert_eq!(code, 0, "{name}");
        // Every operation got a request (none skipped).
        assert_eq!(
            report["summary"]["requests"], report["summary"]["operations"],
            "{name}: {report:#}"
        );
    }
}

#[test]
fn verify_usage_errors_exit_2() {
    let free = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    };
    let out = mockgen(&["verify", BASE, "--target", &format!("http://{free}")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unreachable"));
    let out = mockgen(&["verify", BASE, "--target", "ftp://example.com"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an http:// or https:// URL"));
    let out = mockgen(&["verify", "specs/drift/missing.yaml", "--target", "http://x"]);
    assert_eq!(out.status.code(), Some(2));
    let out = mockgen(&[
        "verify",
        BASE,
        "--target",
        "http://x",
        "--operation",
        "nope",
    ]);
    assert_eq!(out.status.code(), Some(2));
    for timeout in ["0", "1e30", "NaN"] {
        let out = mockgen(&["verify", BASE, "--target", "http://x", "--timeout", timeout]);
        assert_eq!(out.status.code(), Some(2), "--timeout {timeout}");
    }
    let out = mockgen(&["proxy", BASE, "--upstream", "ftp://example.com"]);
    assert_eq!(out.status.code(), Some(2));
    let out = mockgen(&[
        "proxy",
        BASE,
        "--upstream",
        "https://example.com",
        "--cacert",
        "Cargo.toml",
        "--port",
        "0",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no PEM certificate"));
}

/// A running `mockgen proxy … --port 0`, killed on drop.
struct Proxy {
    child: Child,
    addr: SocketAddr,
}

impl Proxy {
    fn start(args: &[&str]) -> Proxy {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mockgen"))
            .arg("proxy")
            .args(args)
            .args(["--port", "0", "--log-format", "off"])
            .current_dir(root())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("mockgen proxy starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.kill();
                let _ = child.wait();
                panic!("proxy exited before `listening on`");
            };
            if let Some(url) = line.strip_prefix("listening on http://") {
                break url.parse().expect("a socket address");
            }
        };
        std::thread::spawn(move || for _ in lines.by_ref() {});
        Proxy { child, addr }
    }

    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        let mut stream = TcpStream::connect(self.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        stream
            .write_all(head(method, path, self.addr, headers, body.len()).as_bytes())
            .expect("write head");
        stream.write_all(body).expect("write body");
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        Reply::parse(&raw)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn violations_header(r: &Reply) -> Option<String> {
    r.header("x-mockgen-violations").map(str::to_owned)
}

#[test]
fn proxy_reports_drift_in_header_and_report_file() {
    let upstream = Server::start_with(&[DRIFTED, "--log-format", "off"]);
    let dir = std::env::temp_dir().join(format!("mockgen-drift-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let report_path = dir.join("report.jsonl");
    let report_arg = report_path.to_string_lossy().into_owned();
    let proxy = Proxy::start(&[
        BASE,
        "--upstream",
        &format!("http://{}", upstream.addr),
        "--report",
        &report_arg,
    ]);

    // A removed required field: forwarded as it is, flagged.
    let r = proxy.request("GET", "/v1/pets/1", &[], b"");
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["id"], 1);
    let h = violations_header(&r).expect("violations header");
    assert!(h.starts_with("1; response response.body: "), "{h}");
    assert!(h.contains("name"), "{h}");

    // Wrong types in the body and a header.
    let r = proxy.request("GET", "/v1/pets?limit=5", &[], b"");
    assert_eq!(r.status, 200);
    let h = violations_header(&r).expect("violations header");
    assert!(h.starts_with("3; "), "{h}");
    assert!(h.contains("response.header.X-Total"), "{h}");

    // An undeclared status.
    let body = br#"{"name": "Rex"}"#;
    let r = proxy.request(
        "POST",
        "/v1/pets",
        &[("Content-Type", "application/json")],
        body,
    );
    assert_eq!(r.status, 202);
    let h = violations_header(&r).expect("violations header");
    assert!(h.contains("response.status: 202 is not declared"), "{h}");

    // An invalid request is forwarded too (without --errors) and flagged.
    let r = proxy.request("GET", "/v1/pets", &[], b"");
    assert_eq!(r.status, 400);
    let h = violations_header(&r).expect("violations header");
    assert!(h.contains("request query.limit"), "{h}");

    // A conforming exchange carries no header.
    let r = proxy.request("GET", "/v1/health", &[], b"");
    assert_eq!(r.status, 204);
    assert_eq!(violations_header(&r), None);

    // The report: one JSON line per exchange, written before the answer.
    let text = std::fs::read_to_string(&report_path).expect("report written");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert_eq!(lines[0]["operationId"], "getPet");
    assert_eq!(lines[0]["upstreamStatus"], 200);
    assert_eq!(lines[0]["response"][0]["rule"], "body-schema");
    assert_eq!(lines[0]["response"][0]["keyword"], "required");
    assert_eq!(lines[2]["response"][0]["rule"], "status-undeclared");
    assert_eq!(lines[3]["request"][0]["location"], "query.limit");
    assert_eq!(lines[4]["request"], Value::Array(Vec::new()));
    assert_eq!(lines[4]["response"], Value::Array(Vec::new()));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn proxy_errors_mode_refuses_and_replaces() {
    let upstream = Server::start_with(&[DRIFTED]);
    let proxy = Proxy::start(&[
        BASE,
        "--upstream",
        &format!("http://{}", upstream.addr),
        "--errors",
    ]);
    // A violating request: 422, not forwarded.
    let r = proxy.request("GET", "/v1/pets?limit=500", &[], b"");
    assert_eq!(r.status, 422);
    assert_eq!(r.locations(), ["query.limit"]);
    // A violating response: 502 listing what was wrong.
    let r = proxy.request("GET", "/v1/pets/1", &[], b"");
    // The upstream saw the second request only.
    let log = upstream.wait_stderr(|l| l.contains("getPet"));
    assert!(log.contains("getPet") && !log.contains("listPets"), "{log}");
    assert_eq!(r.status, 502);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    assert_eq!(
        r.json()["type"],
        "https://mockgen.dev/errors#INVALID_RESPONSE"
    );
    assert_eq!(r.locations(), ["response.body"]);

    // Same spec upstream: passes through untouched.
    let same = Server::start_with(&[BASE, "--log-format", "off"]);
    let clean = Proxy::start(&[
        BASE,
        "--upstream",
        &format!("http://{}", same.addr),
        "--errors",
    ]);
    let r = clean.request("GET", "/v1/pets/1", &[], b"");
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["name"], "Rex");
    assert_eq!(violations_header(&r), None);
    // HEAD is checked as the GET it stands for; its empty body is no violation.
    let r = clean.request("HEAD", "/v1/pets/1", &[], b"");
    assert_eq!((r.status, r.body.len()), (200, 0));
    assert_eq!(violations_header(&r), None);

    // Nothing listening upstream: 502 saying so.
    let free = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    };
    let dead = Proxy::start(&[BASE, "--upstream", &format!("http://{free}")]);
    let r = dead.request("GET", "/v1/pets/1", &[], b"");
    assert_eq!(r.status, 502);
    assert_eq!(
        r.json()["type"],
        "https://mockgen.dev/errors#UPSTREAM_UNREACHABLE"
    );
}

#[test]
fn proxy_real_spec_with_same_upstream_flags_nothing() {
    // verify through the proxy: every exchange is checked twice (by the proxy, both ways, and
    // by verify), and none may be flagged.
    let path = shared_specs().join("docker-engine-api.swagger20.yaml");
    let spec = path.to_string_lossy().into_owned();
    let upstream = Server::start_with(&[&spec, "--log-format", "off", "--no-watch"]);
    let dir = std::env::temp_dir().join(format!("mockgen-drift-real-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let report_path = dir.join("report.jsonl");
    let report_arg = report_path.to_string_lossy().into_owned();
    let proxy = Proxy::start(&[
        &spec,
        "--upstream",
        &format!("http://{}", upstream.addr),
        "--report",
        &report_arg,
    ]);
    let (code, report) = verify_json(&spec, &format!("http://{}", proxy.addr), &[]);
    assert!(found(&report).is_empty(), "{report:#}");
    assert_eq!(code, 0);
    let text = std::fs::read_to_string(&report_path).expect("report written");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 106, "one line per operation");
    for line in &lines {
        assert!(
            line["request"] == Value::Array(Vec::new())
                && line["response"] == Value::Array(Vec::new())
                && line["operationId"].is_string(),
            "{line:#}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A TLS-terminating shim on a free loopback port in front of `upstream`, with the test
/// certificate of tests/tls (localhost and 127.0.0.1, signed by tests/tls/ca.pem). Lives as
/// long as the test process.
fn tls_shim(upstream: SocketAddr) -> SocketAddr {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(root().join("tests/tls/localhost.pem"))
            .expect("test certificate")
            .collect::<Result<_, _>>()
            .expect("test certificate parses");
    let key = PrivateKeyDer::from_pem_file(root().join("tests/tls/localhost.key")).expect("key");
    #[allow(deprecated)]
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocols")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            tx.send(listener.local_addr().expect("addr")).expect("send");
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return; // a client that refused the certificate
                    };
                    if let Ok(mut plain) = tokio::net::TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                    }
                });
            }
        });
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("shim listening")
}

#[test]
fn verify_and_proxy_speak_https() {
    let upstream = Server::start_with(&[DRIFTED, "--log-format", "off"]);
    let shim = tls_shim(upstream.addr);
    let https = format!("https://{shim}");
    let ca = "tests/tls/ca.pem";

    // Over https with the private CA: the very same findings as over plain http.
    let (code, report) = verify_json(BASE, &https, &["--cacert", ca]);
    assert_eq!(code, 1, "{report:#}");
    let (_, plain) = verify_json(BASE, &format!("http://{}", upstream.addr), &[]);
    assert!(!found(&plain).is_empty());
    assert_eq!(found(&report), found(&plain), "{report:#}");

    // Without the CA the certificate is not trusted: unreachable, exit 2, and why.
    let out = mockgen(&["verify", BASE, "--target", &https]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("unreachable"), "{stderr}");
    assert!(stderr.to_lowercase().contains("certificate"), "{stderr}");

    // A --cacert that holds no certificate is a usage error, not "unreachable".
    let out = mockgen(&["verify", BASE, "--target", &https, "--cacert", "Cargo.toml"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no PEM certificate"), "{stderr}");
    let out = mockgen(&[
        "verify",
        BASE,
        "--target",
        &https,
        "--cacert",
        "no/such.pem",
    ]);
    assert_eq!(out.status.code(), Some(2));

    // The proxy forwards to an https upstream and still checks the answer.
    let proxy = Proxy::start(&[BASE, "--upstream", &https, "--cacert", ca]);
    let r = proxy.request("GET", "/v1/pets/1", &[], b"");
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["id"], 1);
    let h = violations_header(&r).expect("violations header");
    assert!(h.starts_with("1; response response.body: "), "{h}");
}

#[test]
fn proxy_forwards_header_bytes_unchanged() {
    // A raw upstream that records the request head and answers with a Latin-1 header value.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let upstream = listener.local_addr().expect("addr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        if let Ok((mut conn, _)) = listener.accept() {
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && conn.read(&mut byte).is_ok_and(|n| n == 1) {
                head.push(byte[0]);
            }
            let _ = conn.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Raw: caf\xe9\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
            );
            let _ = tx.send(head);
        }
    });
    let proxy = Proxy::start(&[BASE, "--upstream", &format!("http://{upstream}")]);
    let mut stream = TcpStream::connect(proxy.addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut request = format!(
        "GET /v1/pets/1 HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
        proxy.addr
    )
    .into_bytes();
    request.extend_from_slice(b"X-Latin: caf\xe9\r\n\r\n");
    stream.write_all(&request).expect("write");
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let seen = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the upstream got the request");
    let has = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    assert!(
        has(&seen, b"x-latin: caf\xe9\r\n"),
        "forwarded as sent: {}",
        String::from_utf8_lossy(&seen)
    );
    assert!(
        has(&raw, b"x-raw: caf\xe9\r\n"),
        "answered as received: {}",
        String::from_utf8_lossy(&raw)
    );
}
