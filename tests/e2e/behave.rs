//! Rules, sequences, latency and faults (`mockgen.yaml`, `x-mockgen-*`, `--latency`, `--fault`)
//! over a real socket. Timing is only ever checked from below (a delay was at least this
//! long), never from above.

use crate::http::{Reply, Server, head};
use crate::support::root;
use serde_json::{Value, json};
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SHOP: &str = "specs/behave/shop.yaml";
const JSON: (&str, &str) = ("Content-Type", "application/json");

fn shop(extra: &[&str]) -> Server {
    let mut args = vec![SHOP, "--no-watch"];
    args.extend_from_slice(extra);
    Server::start_with(&args)
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mockgen-e2e-behave-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write config");
    path
}

/// `serve` that must refuse to start: its exit code and stderr (killed after 60 s).
fn refused(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mockgen"))
        .arg("serve")
        .args(args)
        .args(["--port", "0", "--no-watch"])
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mockgen runs");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("serve started although its config is broken");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    (status, err)
}

/// Send one request on a fresh connection; what came back, or the read error.
fn exchange(s: &Server, method: &str, path: &str, timeout: Duration) -> Result<Vec<u8>, ErrorKind> {
    let mut stream = TcpStream::connect(s.addr).expect("connect");
    stream.set_read_timeout(Some(timeout)).expect("timeout");
    stream
        .write_all(head(method, path, s.addr, &[], 0).as_bytes())
        .expect("write");
    let mut raw = Vec::new();
    match stream.read_to_end(&mut raw) {
        Ok(_) => Ok(raw),
        Err(e) if raw.is_empty() => Err(e.kind()),
        Err(_) => Ok(raw),
    }
}

#[test]
fn matchers_pick_the_answer() {
    let s = shop(&[]);
    // path equals (typed: the integer 404)
    let r = s.get("/orders/404", &[]);
    assert_eq!(
        (r.status, r.json()),
        (404, json!({"error": "no such order"}))
    );
    // query regex → a named example, with an extra header
    let r = s.get("/orders/1?view=shipping", &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["state"], "shipped");
    assert_eq!(r.header("x-rule"), Some("shipped"));
    // header exists → inline body
    let r = s.get("/orders/1", &[("X-Tenant", "acme")]);
    assert_eq!(r.json(), json!({"id": 9, "state": "lost", "total": 0}));
    // path range
    assert_eq!(s.get("/orders/1500", &[]).status, 503);
    assert_eq!(s.get("/orders/2000", &[]).status, 200);
    // nothing matches → the spec's own answer (its first example)
    let r = s.get("/orders/1", &[]);
    assert_eq!((r.status, r.json()["state"].clone()), (200, json!("open")));
    // body pointer: range and equals
    let post = |body: Value| s.request("POST", "/orders", &[JSON], body.to_string().as_bytes());
    let r = post(json!({"total": 600}));
    assert_eq!(
        (r.status, r.json()),
        (402, json!({"error": "payment required"}))
    );
    let r = post(json!({"total": 5, "coupon": "FREE"}));
    assert_eq!((r.status, r.json()["id"].clone()), (201, json!(99)));
    let r = post(json!({"total": 5}));
    assert_eq!((r.status, r.json()["id"].clone()), (201, json!(7)));
    // An invalid request is still refused before any rule is asked.
    assert_eq!(post(json!({"total": "lots"})).status, 422);
    // An explicit Prefer: code= wins over rules.
    assert_eq!(s.get("/orders/404", &[("Prefer", "code=200")]).status, 200);
}

#[test]
fn sequences_stay_or_cycle() {
    let s = shop(&[]);
    // startExport: 202, 202, then 200 for good (after: stay).
    let statuses: Vec<u16> = (0..5)
        .map(|_| s.request("POST", "/exports", &[], b"").status)
        .collect();
    assert_eq!(statuses, [202, 202, 200, 200, 200]);
    let last = s.request("POST", "/exports", &[], b"");
    assert_eq!(last.json(), json!({"state": "done"}));
    // ping's sequence comes from the spec's x-mockgen-rules, after: cycle.
    let ns: Vec<Value> = (0..4)
        .map(|_| s.get("/ping", &[]).json()["n"].clone())
        .collect();
    assert_eq!(ns, [json!(1), json!(2), json!(1), json!(2)]);
    // The earlier x-mockgen rule matches first and does not advance the sequence.
    let r = s.get("/ping?mode=teapot", &[]);
    assert_eq!(
        (r.status, r.json()),
        (418, json!({"error": "I am a teapot"}))
    );
    assert_eq!(s.get("/ping", &[]).json()["n"], 1);
}

#[test]
fn extensions_work_without_a_config_file() {
    let s = shop(&["--no-config"]);
    assert_eq!(s.get("/ping?mode=teapot", &[]).status, 418);
    // The config file's rules are gone.
    assert_eq!(s.get("/orders/404", &[]).status, 200);
}

#[test]
fn broken_configs_stop_the_start_with_their_location() {
    // Unknown key, with a suggestion, at its line and column.
    let bad = temp_file("typo.yaml", "operations:\n  getOrder:\n    rulez: []\n");
    let (code, err) = refused(&[SHOP, "--config", &bad.to_string_lossy()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("typo.yaml:3:5: unknown key `rulez`"), "{err}");
    assert!(err.contains("did you mean `rules`?"), "{err}");

    // Unknown operation, with a suggestion.
    let bad = temp_file("op.yaml", "operations:\n  getOrders:\n    latency: 5ms\n");
    let (code, err) = refused(&[SHOP, "--config", &bad.to_string_lossy()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("op.yaml:2:3: no operation `getOrders`"),
        "{err}"
    );
    assert!(err.contains("did you mean `getOrder`?"), "{err}");

    // An inline body that breaks the response schema is refused at start, located.
    let bad = temp_file(
        "body.yaml",
        "operations:\n  getOrder:\n    rules:\n      - then:\n          status: 200\n          body: { id: x, state: open, total: 1 }\n",
    );
    let (code, err) = refused(&[SHOP, "--config", &bad.to_string_lossy()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("body.yaml:6:17: this body breaks the 200 response schema of getOrder"),
        "{err}"
    );
    assert!(err.contains("response.body.id"), "{err}");

    // Undeclared status and unknown example.
    let bad = temp_file(
        "reply.yaml",
        "operations:\n  GET /orders/{orderId}:\n    rules:\n      - then: { status: 201 }\n      - then: { status: 200, example: shiped }\n",
    );
    let (code, err) = refused(&[SHOP, "--config", &bad.to_string_lossy()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(
            "reply.yaml:4:25: getOrder does not declare status 201 (declared: 200, 404, 503)"
        ),
        "{err}"
    );
    assert!(err.contains("no example named `shiped`"), "{err}");
    assert!(err.contains("did you mean `shipped`?"), "{err}");

    // A syntax error.
    let bad = temp_file("syntax.yaml", "operations: [\n");
    let (code, err) = refused(&[SHOP, "--config", &bad.to_string_lossy()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("syntax.yaml:"), "{err}");

    // Bad flags are usage errors.
    let (code, _) = refused(&[SHOP, "--fault", "reset:2"]);
    assert_eq!(code, Some(2));
    let (code, _) = refused(&[SHOP, "--latency", "uniform:5ms..1ms"]);
    assert_eq!(code, Some(2));
}

#[test]
fn delays_are_at_least_what_was_asked() {
    let s = shop(&["--no-config"]);
    let started = Instant::now();
    assert_eq!(s.get("/orders/1", &[("Prefer", "delay=300")]).status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let s = shop(&["--no-config", "--latency", "uniform:200ms..250ms"]);
    let started = Instant::now();
    assert_eq!(s.get("/orders/1", &[]).status, 200);
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert!(
        s.stderr().contains("seed 0 (reproduce with --seed 0)"),
        "{}",
        s.stderr()
    );
}

#[test]
fn faults_as_seen_on_the_wire() {
    let config = temp_file(
        "faults.yaml",
        "operations:\n  getOrder: { faults: ['reset:1'] }\n  createOrder: { faults: ['empty:1'] }\n  startExport: { faults: ['malformed:1'] }\n  ping: { faults: [{ kind: timeout, probability: 1, hold: 5s }] }\n",
    );
    let s = shop(&["--config", &config.to_string_lossy()]);
    let quick = Duration::from_secs(10);
    // reset: the read fails with ECONNRESET, nothing was sent.
    assert_eq!(
        exchange(&s, "GET", "/orders/1", quick),
        Err(ErrorKind::ConnectionReset)
    );
    // empty: the connection closes cleanly without a byte.
    assert_eq!(exchange(&s, "POST", "/orders", quick), Ok(Vec::new()));
    // malformed: a well-framed answer whose body is not JSON.
    let raw = exchange(&s, "POST", "/exports", quick).expect("an answer");
    let reply = crate::http::Reply::parse(&raw);
    assert_eq!(reply.status, 200);
    assert!(serde_json::from_slice::<Value>(&reply.body).is_err());
    assert_eq!(
        reply.header("content-length").and_then(|l| l.parse().ok()),
        Some(reply.body.len())
    );
    // timeout: nothing arrives before the client gives up.
    let held = exchange(&s, "GET", "/ping", Duration::from_millis(400));
    assert!(
        matches!(held, Err(ErrorKind::WouldBlock | ErrorKind::TimedOut)),
        "{held:?}"
    );
    // Each fault is in the request log.
    let log = s.wait_stderr(|l| l.contains("malformed body"));
    assert!(log.contains("fault: connection reset"), "{log}");
    assert!(log.contains("fault: empty reply"), "{log}");
}

#[test]
fn malformed_leaves_bodiless_answers_alone() {
    let config = temp_file(
        "malformed-head.yaml",
        "operations:\n  getOrder: { faults: ['malformed:1'] }\n",
    );
    let s = shop(&["--config", &config.to_string_lossy()]);
    let get =
        Reply::parse(&exchange(&s, "GET", "/orders/1", Duration::from_secs(10)).expect("GET"));
    assert_eq!(get.status, 200);
    assert!(
        serde_json::from_slice::<Value>(&get.body).is_err(),
        "GET is corrupted"
    );
    // HEAD: no body may follow the head, so nothing is corrupted and nothing is sent.
    let raw = exchange(&s, "HEAD", "/orders/1", Duration::from_secs(10)).expect("HEAD");
    let text = String::from_utf8_lossy(&raw);
    let (head, rest) = text.split_once("\r\n\r\n").expect("a response head");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_eq!(rest, "", "no bytes after the head of a HEAD answer");
    let log = s.wait_stderr(|l| l.contains("malformed skipped"));
    assert!(log.contains("HEAD /orders/1"), "{log}");
}

#[test]
fn status_faults_answer_the_declared_response_with_retry_after() {
    let s = shop(&["--no-config", "--fault", "503:1"]);
    let r = s.get("/orders/1", &[]);
    assert_eq!(r.status, 503);
    assert_eq!(r.header("retry-after"), Some("1"));
    assert!(r.json()["error"].is_string(), "{}", r.text());
    // Undeclared by createOrder: a problem body.
    let r = s.request("POST", "/orders", &[JSON], br#"{"total": 1}"#);
    assert_eq!(r.status, 503);
    assert_eq!(r.json()["status"], 503);
    let s = shop(&["--no-config", "--fault", "429:1:7"]);
    assert_eq!(s.get("/orders/1", &[]).header("retry-after"), Some("7"));
}

#[test]
fn faults_repeat_with_the_same_seed() {
    let run = |seed: &str| -> Vec<u16> {
        let s = shop(&["--no-config", "--fault", "503:0.5", "--seed", seed]);
        (0..24).map(|_| s.get("/orders/1", &[]).status).collect()
    };
    let first = run("7");
    assert_eq!(first, run("7"));
    assert!(first.contains(&200) && first.contains(&503), "{first:?}");
    assert_ne!(first, run("8"));
}

#[test]
fn bank_insufficient_funds_comes_from_one_rule() {
    let s = Server::start_with(&[
        "specs/demo/bank.yaml",
        "--stateful",
        "--errors",
        "--no-watch",
    ]);
    let send = |method: &str, path: &str, body: Value| {
        s.request(method, path, &[JSON], body.to_string().as_bytes())
    };
    let account = send(
        "POST",
        "/accounts",
        json!({"owner": "Grace Hopper", "balance": 5000}),
    );
    assert_eq!(account.status, 201, "{}", account.text());
    let id = account.json()["id"].as_i64().expect("an id");
    let deposit = send(
        "POST",
        &format!("/accounts/{id}/deposits"),
        json!({"amount": 2000}),
    );
    assert_eq!(deposit.status, 201, "{}", deposit.text());
    assert_eq!(deposit.json()["kind"], "deposit");
    let withdrawal = send(
        "POST",
        &format!("/accounts/{id}/withdrawals"),
        json!({"amount": 1500}),
    );
    assert_eq!(withdrawal.status, 201, "{}", withdrawal.text());
    // The one rule of bank.mockgen.yaml.
    let refused = send(
        "POST",
        &format!("/accounts/{id}/withdrawals"),
        json!({"amount": 250_000}),
    );
    assert_eq!(refused.status, 400, "{}", refused.text());
    assert_eq!(
        refused.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(refused.json()["title"], "Insufficient funds");
    let list = s.get(&format!("/accounts/{id}/transactions"), &[]);
    assert_eq!(list.status, 200, "{}", list.text());
    let amounts: Vec<i64> = list
        .json()
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|t| t["amount"].as_i64())
        .collect();
    assert_eq!(amounts, [2000, 1500], "{}", list.text());
    assert!(
        s.stderr()
            .contains("1 rule from specs/demo/bank.mockgen.yaml"),
        "{}",
        s.stderr()
    );
}

#[test]
fn broken_extensions_in_the_spec_are_located_in_the_spec() {
    let spec = temp_file(
        "ext.yaml",
        "openapi: 3.1.0\ninfo: { title: t, version: '1' }\npaths:\n  /a:\n    get:\n      x-mockgen-rules:\n        - then: { status: 200, body: { n: x } }\n      x-mockgen-latency: soon\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: { type: object, properties: { n: { type: integer } } }\n",
    );
    let (code, err) = refused(&[&spec.to_string_lossy(), "--no-config"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("ext.yaml:7:38: this body breaks the 200 response schema"),
        "{err}"
    );
    assert!(
        err.contains("ext.yaml:8:26: `soon` is not a duration"),
        "{err}"
    );
}

#[test]
fn a_saved_config_is_reloaded_and_a_broken_one_is_not() {
    let rule = |status: u16| {
        format!(
            "operations:\n  getOrder:\n    rules:\n      - when: {{ path: {{ orderId: 5 }} }}\n        then: {{ status: {status}, body: {{ error: v{status} }} }}\n"
        )
    };
    let config = temp_file("live.yaml", &rule(404));
    let s = Server::start_with(&[SHOP, "--config", &config.to_string_lossy()]);
    assert_eq!(s.get("/orders/5", &[]).status, 404);
    std::fs::write(&config, "operations:\n  getOrder:\n    rulez: []\n").expect("write");
    let log = s.wait_stderr(|l| l.contains("was not reloaded"));
    assert!(log.contains("live.yaml:3:5: unknown key `rulez`"), "{log}");
    assert_eq!(s.get("/orders/5", &[]).status, 404);
    std::fs::write(&config, rule(503)).expect("write");
    let log = s.wait_stderr(|l| l.contains("reloaded") && l.contains("live.yaml: 3 rules"));
    assert!(log.contains("live.yaml: 3 rules"), "{log}");
    let r = s.get("/orders/5", &[]);
    assert_eq!((r.status, r.json()), (503, json!({"error": "v503"})));
}

/// `--fault` shares are drawn from one number in [0, 1): together they may not pass 1 (as in
/// the config file), else every request fails and the later faults are never drawn at their
/// probability.
#[test]
fn fault_flags_adding_up_to_more_than_one_are_refused() {
    let (code, stderr) = refused(&[SHOP, "--fault", "503:0.7", "--fault", "reset:0.7"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("the --fault probabilities add up to 1.4, more than 1"),
        "{stderr}"
    );
}
