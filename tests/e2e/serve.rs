//! `mockgen serve`: a real server process on a loopback port, spoken to over real HTTP with a
//! tiny std-only client (no HTTP client dependency just for tests).

use crate::support::root;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running `mockgen serve`; killed on drop so a failing test never leaks a process.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) addr: SocketAddr,
    /// Everything the server wrote to stderr so far (read by a thread).
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start() -> Server {
        Server::start_with(&["specs/demo/petstore.yaml"])
    }

    /// `mockgen serve ARGS --port 0` from the repository root; waits for `listening on`.
    pub(crate) fn start_with(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mockgen"))
            .arg("serve")
            .args(args)
            .args(["--port", "0"])
            .current_dir(root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("mockgen serve starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err_pipe = child.stderr.take().expect("stderr is piped");
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err_pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .expect("stderr lock")
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.wait();
                panic!(
                    "serve exited before `listening on`; stderr:\n{}",
                    stderr.lock().expect("stderr lock")
                );
            };
            if let Some(url) = line.strip_prefix("listening on http://") {
                break url.parse().expect("a socket address");
            }
        };
        Server {
            child,
            addr,
            stderr,
        }
    }

    /// Stderr so far.
    pub(crate) fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr lock").clone()
    }

    /// Poll until `done` holds for stderr (10 s at most); the final stderr either way.
    pub(crate) fn wait_stderr(&self, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = self.stderr();
            if done(&text) || Instant::now() > deadline {
                return text;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub(crate) fn get(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        self.request("GET", path, headers, b"")
    }

    pub(crate) fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        let mut stream = TcpStream::connect(self.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        for (n, v) in headers {
            req.push_str(&format!("{n}: {v}\r\n"));
        }
        req.push_str("\r\n");
        stream.write_all(req.as_bytes()).expect("write head");
        stream.write_all(body).expect("write body");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("read response");
        Reply::parse(&raw)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    /// Lower-case names.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    fn parse(raw: &[u8]) -> Reply {
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a header/body separator");
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut lines = head.split("\r\n");
        let status_line = lines.next().expect("a status line");
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let mut body = raw[split + 4..].to_vec();
        if headers
            .iter()
            .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"))
        {
            body = dechunk(&body);
        }
        Reply {
            status,
            headers,
            body,
        }
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&data[..eol]).trim(), 16)
            .expect("a chunk size");
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[eol + 2..eol + 2 + size]);
        data = &data[eol + 4 + size..];
    }
    out
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
