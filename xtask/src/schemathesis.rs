//! `cargo xtask schemathesis [--max-examples N] [--jobs N] [--all] [--stateful] [SPEC-STEM...]`: Schemathesis
//! (PyPI, pinned) against `mockgen serve` for every document in `../shared/specs`, with all
//! its checks and both positive and negative data. Part of `cargo xtask ci`.
//!
//! - Schemathesis is installed into a venv next to the corpus cache
//!   (`~/.cache/mockgen/venv-schemathesis-<version>`) the first time, from PyPI only.
//! - Each spec gets its own `mockgen serve SPEC --port 0` (debug build) and its own
//!   `schemathesis run`, two specs at a time; the seed is fixed, so a run is reproducible.
//! - Specs listed in `tests/schemathesis/pending.txt` (with what is missing) do not pass yet:
//!   CI skips them and prints them; `--all` or naming them runs them.
//! - Configuration lives in `tests/schemathesis/`: `schemathesis.toml` (shared settings),
//!   `specs/<stem>.toml` (per-spec settings appended to it, e.g. credentials),
//!   `not-applicable.txt` (checks that cannot apply to a stateless mock, each with its reason;
//!   they are excluded and printed, never skipped silently).
//! - Reports (Schemathesis' JSON report, JUnit, its console output with a `curl` line per
//!   failure, and the server log) go to `<target>/schemathesis/<stem>/`.
//! - Specs listed in `tests/schemathesis/stateful.txt` get a second run: `mockgen serve
//!   --stateful` and Schemathesis' stateful phase only (links from the document and inferred
//!   from Location headers), with the checks a stateless mock cannot pass (`stateless:` lines
//!   of `not-applicable.txt`) switched back on; reports in `<target>/schemathesis/<stem>-stateful/`.
//! - `# NOTE:` lines of `specs/<stem>.toml` (e.g. a phase capped for some operations, and
//!   why) are printed with the summary.

use crate::{cargo, root, run as run_cmd};
use std::collections::VecDeque;
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Pinned: BENCH.md's peer measurements used this version.
const VERSION: &str = "4.32.5";
/// Test cases per operation and phase; bounds the run (CI budget: ≤ 8 minutes on 2 cores).
const DEFAULT_MAX_EXAMPLES: u32 = 10;
/// Fixed, so every run generates the same requests.
const SEED: u64 = 4_202_611;
/// Specs tested at the same time (each is one Schemathesis process and one server).
const DEFAULT_JOBS: usize = 2;

struct Options {
    max_examples: u32,
    jobs: usize,
    stems: Vec<String>,
    /// Also run the specs of `pending.txt` (which CI does not run yet).
    all: bool,
    /// Only the stateful runs, of the named specs (listed in `stateful.txt` or not).
    stateful_only: bool,
    /// Use the `mockgen` already built in the target directory.
    no_build: bool,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let usage = "usage: cargo xtask schemathesis [--max-examples N] [--jobs N] [--all] [--stateful] [--no-build] [SPEC-STEM...]";
    let mut options = Options {
        max_examples: DEFAULT_MAX_EXAMPLES,
        jobs: DEFAULT_JOBS,
        stems: Vec::new(),
        all: false,
        stateful_only: false,
        no_build: false,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| format!("{name} needs a value; {usage}"))
        };
        match flag {
            "--max-examples" | "-n" => {
                options.max_examples = value(flag)?
                    .parse()
                    .map_err(|e| format!("--max-examples: {e}"))?;
            }
            "--jobs" | "-j" => {
                options.jobs = value(flag)?.parse().map_err(|e| format!("--jobs: {e}"))?;
            }
            "--all" => options.all = true,
            "--stateful" => options.stateful_only = true,
            "--no-build" => options.no_build = true,
            other if other.starts_with('-') => {
                return Err(format!("unknown argument {other}; {usage}"));
            }
            stem => options.stems.push(stem.to_owned()),
        }
    }
    options.jobs = options.jobs.max(1);
    options.max_examples = options.max_examples.max(1);
    Ok(options)
}

pub fn run(args: &[String]) -> Result<(), String> {
    let options = parse_args(args)?;
    let started = Instant::now();
    let config_dir = root().join("tests/schemathesis");
    let not_applicable = read_not_applicable(&config_dir.join("not-applicable.txt"))?;
    let known = read_known(&config_dir.join("known-failures.txt"))?;
    // Specs that do not pass yet, each with what is missing: run on request (`--all` or by
    // name), never silently — CI prints them with their reasons.
    let pending = read_not_applicable(&config_dir.join("pending.txt"))?;
    let stateful = read_stems(&config_dir.join("stateful.txt"))?;
    let mut specs = select_specs(&options.stems)?;
    let mut held_back = Vec::new();
    if options.stems.is_empty() && !options.all {
        specs.retain(|p| {
            let stem = stem_of(p);
            let hold = pending.iter().find(|(s, _)| *s == stem);
            if let Some(entry) = hold {
                held_back.push(entry.clone());
            }
            hold.is_none()
        });
    }
    let st = install()?;
    if !options.no_build {
        run_cmd(cargo().args(["build", "--locked", "--bin", "mockgen"]))?;
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from);
    let target = if target.is_absolute() {
        target
    } else {
        root().join(target)
    };
    let mockgen = target.join("debug/mockgen");
    let out_dir = target.join("schemathesis");
    let shared_config = read(&config_dir.join("schemathesis.toml"))?.replace(
        "@HOOKS@",
        &config_dir
            .join("hooks.py")
            .to_string_lossy()
            .replace('\\', "/"),
    );
    // `phase:NAME` lines name phases not run; the others are checks. `stateless:CHECK` lines
    // apply to the stateless runs only (the stateful run turns the check back on).
    let excluded: Vec<&str> = not_applicable
        .iter()
        .map(|(c, _)| c.strip_prefix("stateless:").unwrap_or(c))
        .filter(|c| !c.starts_with("phase:"))
        .collect();
    let excluded_stateful: Vec<&str> = not_applicable
        .iter()
        .map(|(c, _)| c.as_str())
        .filter(|c| !c.starts_with("phase:") && !c.starts_with("stateless:"))
        .collect();
    let skipped_phases: Vec<&str> = not_applicable
        .iter()
        .filter_map(|(c, _)| c.strip_prefix("phase:"))
        .collect();
    let phases: Vec<&str> = ["examples", "coverage", "fuzzing", "stateful"]
        .into_iter()
        .filter(|p| !skipped_phases.contains(p))
        .collect();
    let phases = phases.join(",");

    // Every selected spec, then the stateful runs of those stateful.txt lists.
    // `--stateful`: the stateful runs of the named specs only.
    let mut jobs: Vec<(PathBuf, bool)> = if options.stateful_only {
        Vec::new()
    } else {
        specs.iter().map(|p| (p.clone(), false)).collect()
    };
    for spec in &specs {
        if options.stateful_only || stateful.contains(&stem_of(spec)) {
            jobs.push((spec.clone(), true));
        }
    }
    let stateless_runs = jobs.iter().filter(|(_, s)| !s).count();
    // Longest first, so the two workers finish together (the document's size predicts a
    // spec's run time well enough; the results are sorted by name again for the summary).
    jobs.sort_by_key(|(p, _)| std::cmp::Reverse(std::fs::metadata(p).map_or(0, |m| m.len())));
    eprintln!(
        "schemathesis {VERSION}: {} stateless and {} stateful runs, --max-examples {}, seed {SEED}, {} at a time",
        stateless_runs,
        jobs.len() - stateless_runs,
        options.max_examples,
        options.jobs
    );
    let queue = Mutex::new(jobs.iter().cloned().collect::<VecDeque<(PathBuf, bool)>>());
    let results = Mutex::new(Vec::<Outcome>::new());
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.min(jobs.len()) {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().map(|mut q| q.pop_front()).ok().flatten();
                    let Some((spec, stateful)) = next else { break };
                    let run = SpecRun {
                        spec: &spec,
                        mockgen: &mockgen,
                        st: &st,
                        out_dir: &out_dir,
                        config_dir: &config_dir,
                        shared_config: &shared_config,
                        excluded: if stateful {
                            &excluded_stateful
                        } else {
                            &excluded
                        },
                        phases: if stateful { "stateful" } else { &phases },
                        stateful,
                        known: &known,
                        max_examples: options.max_examples,
                    };
                    let outcome = run.execute();
                    eprintln!("{}", outcome.line());
                    if let Ok(mut r) = results.lock() {
                        r.push(outcome);
                    }
                }
            });
        }
    });
    let mut results = results.into_inner().map_err(|e| e.to_string())?;
    results.sort_by(|a, b| a.stem.cmp(&b.stem));
    print_summary(
        &results,
        &not_applicable,
        held_back,
        started.elapsed(),
        &out_dir,
    );
    let failed: Vec<&Outcome> = results.iter().filter(|o| !o.ok()).collect();
    if failed.is_empty() {
        Ok(())
    } else {
        let mut msg = format!("{} of {} specs failed:\n", failed.len(), results.len());
        for o in failed {
            let _ = writeln!(msg, "{}", o.details());
        }
        Err(msg)
    }
}

/// `check reason...` per line; `#` comments and blank lines ignored.
fn read_not_applicable(path: &Path) -> Result<Vec<(String, String)>, String> {
    let text = read(path)?;
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (check, reason) = line
            .split_once(char::is_whitespace)
            .map(|(c, r)| (c.trim(), r.trim()))
            .ok_or_else(|| format!("{}: `{line}` has no reason", path.display()))?;
        if reason.is_empty() {
            return Err(format!("{}: `{check}` has no reason", path.display()));
        }
        out.push((check.to_owned(), reason.to_owned()));
    }
    Ok(out)
}

/// One spec stem per line (`#` comments, blank lines ignored); a missing file is empty.
fn read_stems(path: &Path) -> Result<Vec<String>, String> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    Ok(read(path)?
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn stem_of(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    for ext in [".json", ".yaml", ".yml"] {
        if let Some(stem) = name.strip_suffix(ext) {
            return stem.to_owned();
        }
    }
    name
}

fn select_specs(stems: &[String]) -> Result<Vec<PathBuf>, String> {
    let dir = root().join("../shared/specs");
    let mut specs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
        })
        .collect();
    specs.sort();
    if stems.is_empty() {
        return Ok(specs);
    }
    let mut chosen = Vec::new();
    for wanted in stems {
        let found: Vec<&PathBuf> = specs
            .iter()
            .filter(|p| stem_of(p) == *wanted || stem_of(p).starts_with(wanted.as_str()))
            .collect();
        if found.is_empty() {
            return Err(format!("no spec in {} matches `{wanted}`", dir.display()));
        }
        chosen.extend(found.into_iter().cloned());
    }
    chosen.sort();
    chosen.dedup();
    Ok(chosen)
}

/// The venv's `schemathesis` executable, installing the pinned version from PyPI when the
/// venv does not have it yet.
fn install() -> Result<PathBuf, String> {
    let cache = crate::cache_dir();
    let venv = cache
        .parent()
        .map_or_else(|| cache.clone(), Path::to_path_buf)
        .join(format!("venv-schemathesis-{VERSION}"));
    let st = venv.join("bin/schemathesis");
    let installed = Command::new(&st)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains(VERSION));
    if installed {
        return Ok(st);
    }
    let python = ["python3", "python"]
        .into_iter()
        .find(|p| {
            Command::new(p)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .ok_or("Schemathesis needs Python 3.9+ (python3) to install it")?;
    run_cmd(
        Command::new(python)
            .args(["-m", "venv", "--clear"])
            .arg(&venv),
    )?;
    run_cmd(
        Command::new(venv.join("bin/python"))
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .arg(format!("schemathesis=={VERSION}")),
    )?;
    Ok(st)
}

struct SpecRun<'a> {
    spec: &'a Path,
    mockgen: &'a Path,
    st: &'a Path,
    out_dir: &'a Path,
    config_dir: &'a Path,
    shared_config: &'a str,
    excluded: &'a [&'a str],
    phases: &'a str,
    /// Against `mockgen serve --stateful`, stateful phase only; reported as `<stem>-stateful`.
    stateful: bool,
    known: &'a [Known],
    max_examples: u32,
}

/// A failure no server can avoid because of a bug in the document (known-failures.txt).
struct Known {
    stem: String,
    code: String,
    operation: String,
    reason: String,
}

/// `STEM CODE OPERATION -- REASON` per line; `#` comments and blank lines ignored.
fn read_known(path: &Path) -> Result<Vec<Known>, String> {
    let text = read(path)?;
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || {
            format!(
                "{}: `{line}` is not `STEM CODE OPERATION -- REASON`",
                path.display()
            )
        };
        let (head, reason) = line.split_once(" -- ").ok_or_else(bad)?;
        let mut words = head.split_whitespace();
        let (Some(stem), Some(code)) = (words.next(), words.next()) else {
            return Err(bad());
        };
        let operation = words.collect::<Vec<_>>().join(" ");
        if operation.is_empty() || reason.trim().is_empty() {
            return Err(bad());
        }
        out.push(Known {
            stem: stem.to_owned(),
            code: code.to_owned(),
            operation,
            reason: reason.trim().to_owned(),
        });
    }
    Ok(out)
}

/// What one spec's run produced.
struct Outcome {
    stem: String,
    seconds: f64,
    operations: u64,
    test_cases: u64,
    /// `(code title, operations)` per distinct failure kind.
    failures: Vec<(String, Vec<String>)>,
    /// Errors Schemathesis met (schema problems, crashes, health checks), and our own.
    errors: Vec<String>,
    /// Warnings that mean something went untested (e.g. every request got 401).
    warnings: Vec<String>,
    /// Failures excused by a rule of tests/schemathesis/hooks.py: `(rule, count)`.
    excused: Vec<(String, usize)>,
    /// Failures listed in known-failures.txt that did occur.
    known: usize,
    /// Printed with the summary; not failures.
    notes: Vec<String>,
    dir: PathBuf,
}

impl Outcome {
    fn ok(&self) -> bool {
        self.failures.is_empty() && self.errors.is_empty() && self.warnings.is_empty()
    }

    fn failure_count(&self) -> usize {
        self.failures.iter().map(|(_, ops)| ops.len().max(1)).sum()
    }

    fn line(&self) -> String {
        format!(
            "  {:<42} {:>5} ops {:>6} cases {:>4} failures {:>3} errors {:>6.1}s",
            self.stem,
            self.operations,
            self.test_cases,
            self.failure_count(),
            self.errors.len() + self.warnings.len(),
            self.seconds
        )
    }

    fn details(&self) -> String {
        let mut s = format!("{} (see {}):", self.stem, self.dir.display());
        for (kind, ops) in &self.failures {
            let _ = write!(s, "\n  {kind}: {}", ops.join(", "));
        }
        for e in self.errors.iter().chain(&self.warnings) {
            let _ = write!(s, "\n  {e}");
        }
        s
    }
}

impl SpecRun<'_> {
    fn execute(&self) -> Outcome {
        let started = Instant::now();
        let stem = if self.stateful {
            format!("{}-stateful", stem_of(self.spec))
        } else {
            stem_of(self.spec)
        };
        let dir = self.out_dir.join(&stem);
        let mut outcome = Outcome {
            stem,
            seconds: 0.0,
            operations: 0,
            test_cases: 0,
            failures: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            excused: Vec::new(),
            known: 0,
            notes: Vec::new(),
            dir: dir.clone(),
        };
        if let Err(e) = self.run_in(&dir, &mut outcome) {
            outcome.errors.push(e);
        }
        outcome.seconds = started.elapsed().as_secs_f64();
        outcome
    }

    fn run_in(&self, dir: &Path, outcome: &mut Outcome) -> Result<(), String> {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        // Shared settings, then this spec's own (credentials, …).
        let mut config = self.shared_config.to_owned();
        let own = self
            .config_dir
            .join("specs")
            .join(format!("{}.toml", stem_of(self.spec)));
        if own.exists() {
            let text = read(&own)?;
            config.push_str("\n# ---- ");
            config.push_str(&own.display().to_string());
            config.push('\n');
            config.push_str(&text);
            // What the spec's settings change (a capped phase, …) is said with the summary.
            if !self.stateful {
                outcome.notes.extend(
                    text.lines()
                        .filter_map(|l| l.trim().strip_prefix("# NOTE:"))
                        .map(|l| l.trim().to_owned()),
                );
            }
        }
        let config_path = dir.join("schemathesis.toml");
        std::fs::write(&config_path, config).map_err(|e| e.to_string())?;

        let server = Server::start(
            self.mockgen,
            self.spec,
            self.stateful,
            &dir.join("serve.log"),
        )?;
        let report = dir.join("report.json");
        let console = std::fs::File::create(dir.join("schemathesis.log"))
            .map_err(|e| format!("cannot create schemathesis.log: {e}"))?;
        let console_err = console.try_clone().map_err(|e| e.to_string())?;
        let mut cmd = Command::new(self.st);
        cmd.arg("--config-file")
            .arg(&config_path)
            .arg("run")
            .arg(self.spec)
            .args(["--origin", &server.origin])
            .args(["--checks", "all"])
            .args(["--mode", "all"])
            .args(["--phases", self.phases])
            .args(["--max-examples", &self.max_examples.to_string()])
            .args(["--seed", &SEED.to_string()])
            .args(["--generation-database", "none"])
            .args(["--workers", "1"])
            .args(["--no-color"])
            .args(["--report", "json,junit"])
            .arg("--report-json-path")
            .arg(&report)
            .arg("--report-junit-path")
            .arg(dir.join("junit.xml"));
        if !self.excluded.is_empty() {
            cmd.args(["--exclude-checks", &self.excluded.join(",")]);
        }
        let exemptions = dir.join("exemptions.ndjson");
        cmd.current_dir(dir)
            .env("NO_COLOR", "1")
            .env("MOCKGEN_ST_EXEMPTIONS", &exemptions)
            .stdin(Stdio::null())
            .stdout(console)
            .stderr(console_err);
        let status = cmd
            .status()
            .map_err(|e| format!("cannot start {}: {e}", self.st.display()))?;
        drop(server);
        let text = read(&report).map_err(|e| {
            format!("{e} (schemathesis exited with {status}; see schemathesis.log)")
        })?;
        let json: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("report.json: {e}"))?;
        parse_report(&json, outcome, self.stateful);
        if self.stateful {
            stateful_summary(&json, &dir.join("schemathesis.log"), outcome);
        }
        if json
            .pointer("/operations/total")
            .and_then(serde_json::Value::as_u64)
            == Some(0)
        {
            // A document with webhooks only: nothing for a client to call. Said, not hidden.
            outcome
                .notes
                .push("no operations under `paths` (webhooks only): nothing to call".into());
            return Ok(());
        }
        if !status.success() && outcome.failures.is_empty() && outcome.errors.is_empty() {
            outcome
                .errors
                .push(format!("schemathesis exited with {status}"));
        }
        self.apply_known(outcome);
        outcome.excused = count_exemptions(&exemptions);
        Ok(())
    }
}

impl SpecRun<'_> {
    /// Drop the failures known-failures.txt lists for this spec; a listed one that did not
    /// happen is an error (the list must not go stale).
    fn apply_known(&self, outcome: &mut Outcome) {
        for known in self.known.iter().filter(|k| k.stem == outcome.stem) {
            let mut seen = false;
            // `STEM error TITLE -- REASON`: an error Schemathesis reports (by title), e.g. a
            // request schema it cannot generate data for.
            if known.code == "error" {
                let prefix = format!(
                    "error: {{\"title\":{}",
                    serde_json::Value::from(known.operation.as_str())
                );
                let before = outcome.errors.len();
                outcome.errors.retain(|e| !e.starts_with(&prefix));
                seen = outcome.errors.len() != before;
            }
            for (kind, ops) in &mut outcome.failures {
                if kind.split_whitespace().next() == Some(known.code.as_str()) {
                    let before = ops.len();
                    ops.retain(|op| *op != known.operation);
                    seen |= ops.len() != before;
                }
            }
            if seen {
                outcome.known += 1;
            } else {
                outcome.errors.push(format!(
                    "known-failures.txt lists {} {} ({}), which did not fail: remove the line",
                    known.code, known.operation, known.reason
                ));
            }
        }
        outcome.failures.retain(|(_, ops)| !ops.is_empty());
    }
}

/// A stateful run tests only the operations its scenarios reach (the stateless run covers
/// the rest), so skipped operations are expected; a skipped stateful phase is an error, and
/// the scenario and link counts Schemathesis prints go into the summary's notes.
fn stateful_summary(json: &serde_json::Value, console: &Path, outcome: &mut Outcome) {
    let phase = json.pointer("/phases/stateful");
    let status = phase
        .and_then(|p| p.get("status"))
        .and_then(serde_json::Value::as_str)
        .unwrap_or("?");
    if status == "skip" {
        outcome.errors.push(format!(
            "the stateful phase did not run: {}",
            compact(
                phase
                    .and_then(|p| p.get("skip_reason"))
                    .unwrap_or(&serde_json::Value::Null)
            )
        ));
    }
    let text = std::fs::read_to_string(console).unwrap_or_default();
    let counts: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("Scenarios:") || l.starts_with("API Links:"))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let tested = json
        .pointer("/operations/tested")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0);
    outcome.notes.push(format!(
        "stateful phase against `serve --stateful`: {tested} of {} operations reached; {}",
        outcome.operations,
        counts.join("; ")
    ));
}

fn parse_report(json: &serde_json::Value, outcome: &mut Outcome, stateful: bool) {
    let n = |p: &str| {
        json.pointer(p)
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0)
    };
    outcome.operations = n("/operations/selected");
    outcome.test_cases = n("/test_cases/generated");
    let s = |v: &serde_json::Value, k: &str| {
        v.get(k)
            .and_then(serde_json::Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    for f in json
        .get("failures")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
    {
        let ops = f
            .get("operations")
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(serde_json::Value::as_str)
            .map(str::to_owned)
            .collect();
        outcome
            .failures
            .push((format!("{} {}", s(f, "code"), s(f, "title")), ops));
    }
    for e in json
        .get("errors")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
    {
        outcome.errors.push(format!("error: {}", compact(e)));
    }
    if n("/operations/errored") > 0 || (n("/operations/skipped") > 0 && !stateful) {
        outcome.errors.push(format!(
            "operations errored: {}, skipped: {} ({})",
            n("/operations/errored"),
            n("/operations/skipped"),
            compact(
                json.pointer("/operations/skip_reasons")
                    .unwrap_or(&serde_json::Value::Null)
            )
        ));
    }
    // Operations that could not be exercised: every request refused for missing credentials.
    for kind in ["missing_auth"] {
        if let Some(ops) = json
            .pointer(&format!("/warnings/{kind}"))
            .and_then(serde_json::Value::as_array)
            .filter(|a| !a.is_empty())
        {
            outcome.warnings.push(format!(
                "warning {kind}: {}",
                ops.iter()
                    .filter_map(serde_json::Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
}

/// `(rule, count)` from the hooks' exemption log, sorted by rule.
fn count_exemptions(path: &Path) -> Vec<(String, usize)> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut counts: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for line in text.lines() {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
            let rule = v
                .get("rule")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("?")
                .to_owned();
            *counts.entry(rule).or_default() += 1;
        }
    }
    counts.into_iter().collect()
}

fn compact(v: &serde_json::Value) -> String {
    let s = v.to_string();
    if s.len() > 400 {
        let cut = (0..=400)
            .rev()
            .find(|&i| s.is_char_boundary(i))
            .unwrap_or(0);
        format!("{}…", &s[..cut])
    } else {
        s
    }
}

fn print_summary(
    results: &[Outcome],
    not_applicable: &[(String, String)],
    held_back: Vec<(String, String)>,
    elapsed: Duration,
    out_dir: &Path,
) {
    println!("\n## Schemathesis {VERSION} against mockgen serve\n");
    println!(
        "| spec | operations | test cases | failures | errors | known spec bugs | excused (hooks.py) | seconds |"
    );
    println!("|---|---:|---:|---:|---:|---:|---|---:|");
    let (mut ops, mut cases, mut fails) = (0, 0, 0);
    for o in results {
        let excused: Vec<String> = o.excused.iter().map(|(r, n)| format!("{r} {n}")).collect();
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {:.1} |",
            o.stem,
            o.operations,
            o.test_cases,
            o.failure_count(),
            o.errors.len() + o.warnings.len(),
            o.known,
            excused.join(", "),
            o.seconds
        );
        ops += o.operations;
        cases += o.test_cases;
        fails += o.failure_count();
    }
    println!(
        "| **total** | {ops} | {cases} | {fails} | | | | {:.1} wall |",
        elapsed.as_secs_f64()
    );
    for o in results {
        for note in &o.notes {
            println!("\nNote: {}: {note}", o.stem);
        }
    }
    if !held_back.is_empty() {
        println!(
            "\nSpecs NOT run: they do not pass yet (tests/schemathesis/pending.txt; \
             `cargo xtask schemathesis --all` runs them):"
        );
        for (stem, reason) in held_back {
            println!("- {stem}: {reason}");
        }
    }
    if !not_applicable.is_empty() {
        println!("\nChecks and phases not run (tests/schemathesis/not-applicable.txt):");
        for (check, reason) in not_applicable {
            println!("- {check}: {reason}");
        }
    }
    println!("\nReports: {}/<spec>/", out_dir.display());
}

/// A running `mockgen serve SPEC --port 0`, killed on drop.
struct Server {
    child: Child,
    origin: String,
}

impl Server {
    fn start(mockgen: &Path, spec: &Path, stateful: bool, log: &Path) -> Result<Self, String> {
        let file = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let file_err = file.try_clone().map_err(|e| e.to_string())?;
        let child = Command::new(mockgen)
            .arg("serve")
            .arg(spec)
            .args(["--port", "0", "--no-watch"])
            .args(stateful.then_some("--stateful"))
            .stdin(Stdio::null())
            .stdout(file)
            .stderr(file_err)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", mockgen.display()))?;
        let mut server = Server {
            child,
            origin: String::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let mut text = String::new();
            if let Ok(mut f) = std::fs::File::open(log) {
                let _ = f.read_to_string(&mut text);
            }
            if let Some(url) = text
                .lines()
                .find_map(|l| l.trim().strip_prefix("listening on "))
            {
                server.origin = url.trim().trim_end_matches('/').to_owned();
                return Ok(server);
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!(
                    "mockgen serve exited ({status}) before listening:\n{text}"
                ));
            }
            if Instant::now() > deadline {
                return Err(format!("mockgen serve did not start within 60 s:\n{text}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn flags_and_stems_parse() {
        let o = parse_args(&args(&[
            "--stateful",
            "-n",
            "3",
            "--jobs=4",
            "--no-build",
            "petstore.oas30",
        ]))
        .expect("valid arguments");
        assert!(o.stateful_only && o.no_build && !o.all);
        assert_eq!((o.max_examples, o.jobs), (3, 4));
        assert_eq!(o.stems, vec!["petstore.oas30".to_owned()]);
        assert!(parse_args(&args(&["--bogus"])).is_err());
        assert!(parse_args(&args(&["-n"])).is_err());
    }

    #[test]
    fn list_files_parse_and_reject_missing_reasons() {
        let dir = std::env::temp_dir().join(format!("xtask-st-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let stems = dir.join("stateful.txt");
        std::fs::write(
            &stems,
            "# comment\npetstore.oas30  # trailing\n\n  gitea.io.oas30\n",
        )
        .expect("write");
        assert_eq!(
            read_stems(&stems).expect("stems"),
            vec!["petstore.oas30".to_owned(), "gitea.io.oas30".to_owned()]
        );
        assert!(
            read_stems(&dir.join("absent.txt"))
                .expect("missing file is empty")
                .is_empty()
        );
        let known = dir.join("known.txt");
        std::fs::write(&known, "a.oas30 ST201 POST /x/{id} -- why\n").expect("write");
        let k = read_known(&known).expect("known");
        assert_eq!(
            (
                k[0].stem.as_str(),
                k[0].code.as_str(),
                k[0].operation.as_str()
            ),
            ("a.oas30", "ST201", "POST /x/{id}")
        );
        std::fs::write(&known, "a.oas30 ST201 POST /x\n").expect("write");
        assert!(read_known(&known).is_err());
        let na = dir.join("na.txt");
        std::fs::write(&na, "stateless:use_after_free\n").expect("write");
        assert!(read_not_applicable(&na).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
