//! `mockgen verify SPEC --target URL`: build requests from the spec for every operation
//! (crates/probe), send them to a running implementation (the server crate's client), check
//! every response against the spec (the engine's `check_response`) and report per operation.

use crate::exit;
use crate::files;
use clap::ValueEnum;
use mockgen_engine::{Engine, Finding, Options, ResponseParts};
use mockgen_probe::{Expect, Plan, ProbeOptions};
use mockgen_server::{Client, ClientError, ClientRequest, Upstream};
use serde_json::{Value, json};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The OpenAPI document the target must implement.
    #[arg(value_name = "SPEC")]
    spec: PathBuf,
    /// Base URL of the running implementation (http:// or https://). A path in it replaces
    /// the spec's `servers` path.
    #[arg(long, value_name = "URL")]
    target: String,
    /// Also trust the CA certificates in FILE (PEM) for an https target, besides Mozilla's
    /// and the system's roots (for a staging server with a private CA).
    #[arg(long, value_name = "FILE")]
    cacert: Option<PathBuf>,
    /// A header sent with every request, e.g. credentials: `--header 'Authorization: Bearer
    /// T'`. Repeatable. Without one, placeholder credentials satisfy the security schemes.
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// Also send invalid requests (a required parameter left out, a parameter or body of
    /// the wrong type) and expect a 4xx for each.
    #[arg(long)]
    negative: bool,
    /// Send at most this many requests; operations beyond are reported as skipped.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    max_requests: usize,
    /// Seconds each request may take (connect, send, read the whole response).
    #[arg(long, default_value_t = 10.0, value_name = "SECS")]
    timeout: f64,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = VerifyFormat::Human)]
    format: VerifyFormat,
    /// Seed of the generated parameters and bodies (same seed, same requests).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Only these operations (operationId); repeatable.
    #[arg(long = "operation", value_name = "ID")]
    operations: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum VerifyFormat {
    /// Per operation, a mark and every violation.
    Human,
    /// JUnit XML: one test case per operation.
    Junit,
    /// One JSON document (see README).
    Json,
    /// GitHub Actions workflow commands.
    Github,
}

/// One request sent and what was wrong with its answer.
#[derive(Debug)]
struct Sent {
    method: String,
    target: String,
    /// `None` for a valid request, else the rule it breaks on purpose.
    negative: Option<String>,
    status: Option<u16>,
    findings: Vec<Finding>,
    error: Option<String>,
}

impl Sent {
    fn failures(&self) -> usize {
        self.findings.len() + usize::from(self.error.is_some())
    }
}

#[derive(Debug)]
struct OpResult {
    id: String,
    method: String,
    path: String,
    sent: Vec<Sent>,
    skipped: Option<String>,
}

impl OpResult {
    fn failures(&self) -> usize {
        self.sent.iter().map(Sent::failures).sum()
    }
}

fn parse_header(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| format!("--header {text:?}: expected `Name: value`"))?;
    let name = name.trim();
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    {
        return Err(format!("--header {text:?}: `{name}` is not a header name"));
    }
    Ok((name.to_owned(), value.trim().to_owned()))
}

pub fn run(args: &VerifyArgs) -> u8 {
    let upstream = match Upstream::parse(&args.target) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("error: --target {e}");
            return exit::USAGE;
        }
    };
    let mut headers = Vec::new();
    for h in &args.headers {
        match parse_header(h) {
            Ok(pair) => headers.push(pair),
            Err(e) => {
                eprintln!("error: {e}");
                return exit::USAGE;
            }
        }
    }
    if !(args.timeout.is_finite() && args.timeout > 0.0 && args.timeout <= 86_400.0) {
        eprintln!("error: --timeout must be a positive number of seconds (at most 86400)");
        return exit::USAGE;
    }
    let ca_pem = match crate::proxy_cmd::read_cacert(args.cacert.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let (name, loaded) = match files::load_spec(&args.spec) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let Some(spec) = loaded.spec else {
        crate::render::human(&name, &loaded);
        eprintln!("error: {name} could not be loaded");
        return exit::USAGE;
    };
    let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        eprintln!(
            "warning: {name} has {errors} error(s) (see `mockgen check`); verifying what loads"
        );
    }
    let spec = Arc::new(spec);
    let engine = match Engine::new(
        Arc::clone(&spec),
        Options {
            seed: args.seed,
            ..Options::default()
        },
    ) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot compile {name}: {e}");
            return exit::USAGE;
        }
    };
    let mut selected: Vec<usize> = Vec::new();
    for id in &args.operations {
        match spec.operations.iter().position(|op| &op.id == id) {
            Some(i) => selected.push(i),
            None => {
                eprintln!("error: {name} has no operation `{id}`");
                return exit::USAGE;
            }
        }
    }
    if args.operations.is_empty() {
        selected = (0..spec.operations.len()).collect();
    }
    // A path in --target replaces the spec's server path.
    let base_path = if upstream.base.is_empty() {
        spec.servers
            .first()
            .map(mockgen_spec::Server::base_path)
            .unwrap_or_default()
    } else {
        String::new()
    };
    let options = ProbeOptions {
        base_path,
        headers,
        negative: args.negative,
    };
    // Plans are built as the operations come up, so `--max-requests` also bounds the work of
    // building requests (generation) on a huge spec. The bar counts operations.
    let total = selected.len();

    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::USAGE;
        }
    };
    let bar = if std::io::stderr().is_terminal() && args.format == VerifyFormat::Human {
        let bar = indicatif::ProgressBar::new(total as u64);
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let timeout = Duration::from_secs_f64(args.timeout);
    let results = runtime.block_on(async {
        let client = Client::new(timeout, ca_pem.as_deref()).map_err(|e| {
            format!(
                "--cacert {}: {e}",
                crate::proxy_cmd::show(args.cacert.as_deref())
            )
        })?;
        let mut budget = args.max_requests;
        let mut answered_once = false;
        let mut results = Vec::with_capacity(selected.len());
        for &index in &selected {
            let Some(op) = spec.operations.get(index) else {
                continue;
            };
            bar.inc(1);
            if budget == 0 {
                results.push(OpResult {
                    id: op.id.clone(),
                    method: op.method.to_ascii_uppercase(),
                    path: op.path.clone(),
                    sent: Vec::new(),
                    skipped: Some(format!(
                        "--max-requests {} reached before this request",
                        args.max_requests
                    )),
                });
                continue;
            }
            let plan: Plan = mockgen_probe::plan_operation(&engine, &options, index);
            let mut result = OpResult {
                id: op.id.clone(),
                method: op.method.to_ascii_uppercase(),
                path: op.path.clone(),
                sent: Vec::new(),
                skipped: plan
                    .unbuildable
                    .as_ref()
                    .map(|why| format!("no valid request could be built: {why}")),
            };
            for request in plan.requests {
                if budget == 0 {
                    result.skipped = Some(format!(
                        "--max-requests {} reached before this request",
                        args.max_requests
                    ));
                    break;
                }
                budget -= 1;
                let target = request.target();
                bar.set_message(format!("{} {}", request.method, target));
                let sent = client
                    .send(ClientRequest {
                        method: request.method.clone(),
                        url: upstream.url(&target),
                        headers: request
                            .headers
                            .iter()
                            .map(|(n, v)| (n.clone(), v.clone().into_bytes()))
                            .collect(),
                        body: request.body.clone(),
                    })
                    .await;
                let negative = match &request.expect {
                    Expect::Valid => None,
                    Expect::Refused(what) => Some(what.clone()),
                };
                let mut entry = Sent {
                    method: request.method.clone(),
                    target,
                    negative,
                    status: None,
                    findings: Vec::new(),
                    error: None,
                };
                match sent {
                    Ok(resp) => {
                        answered_once = true;
                        let text = resp.text_headers();
                        let hs: Vec<(&str, &str)> = text.iter().map(|(n, v)| (*n, &**v)).collect();
                        entry.status = Some(resp.status);
                        if let Some(what) = &entry.negative
                            && !(400..500).contains(&resp.status)
                        {
                            entry.findings.push(Finding {
                                rule: "negative-accepted",
                                location: "response.status".to_owned(),
                                pointer: String::new(),
                                keyword: String::new(),
                                message: format!("expected a 4xx for {what}, got {}", resp.status),
                            });
                        }
                        entry.findings.extend(engine.check_response(
                            request.operation,
                            &ResponseParts {
                                method: &request.method,
                                status: resp.status,
                                headers: &hs,
                                body: &resp.body,
                            },
                        ));
                    }
                    Err(ClientError::Unreachable(why)) if !answered_once => {
                        return Err(format!("the target {} is unreachable: {why}", args.target));
                    }
                    Err(e) => entry.error = Some(e.to_string()),
                }
                result.sent.push(entry);
            }
            results.push(result);
        }
        Ok(results)
    });
    bar.finish_and_clear();
    let results = match results {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let text = match args.format {
        VerifyFormat::Human => human(&results),
        VerifyFormat::Json => json_report(&args.target, &results),
        VerifyFormat::Junit => junit(&results),
        VerifyFormat::Github => github(&name, &results),
    };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    if results.iter().any(|r| r.failures() > 0) {
        exit::FINDINGS
    } else {
        exit::OK
    }
}

fn summary(results: &[OpResult]) -> (usize, usize, usize, usize) {
    let requests = results.iter().map(|r| r.sent.len()).sum();
    let failures = results.iter().map(OpResult::failures).sum();
    let failed_ops = results.iter().filter(|r| r.failures() > 0).count();
    (results.len(), requests, failures, failed_ops)
}

fn finding_text(f: &Finding) -> String {
    format!("{} [{}]", f.line(), f.rule)
}

fn human(results: &[OpResult]) -> String {
    let mut out = String::new();
    for r in results {
        let failures = r.failures();
        let mark = if failures > 0 {
            "FAIL"
        } else if r.sent.is_empty() {
            "SKIP"
        } else {
            "ok  "
        };
        out.push_str(&format!(
            "{mark} {} {} ({}): {} request{}",
            r.method,
            r.path,
            r.id,
            r.sent.len(),
            if r.sent.len() == 1 { "" } else { "s" }
        ));
        if failures > 0 {
            out.push_str(&format!(
                ", {failures} violation{}",
                if failures == 1 { "" } else { "s" }
            ));
        }
        out.push('\n');
        for s in &r.sent {
            if s.failures() == 0 {
                continue;
            }
            let status = s.status.map_or("no answer".to_owned(), |c| c.to_string());
            let why = s
                .negative
                .as_ref()
                .map_or(String::new(), |w| format!(" (negative: {w})"));
            out.push_str(&format!("    {} {} → {status}{why}\n", s.method, s.target));
            for f in &s.findings {
                out.push_str(&format!("      {}\n", finding_text(f)));
            }
            if let Some(e) = &s.error {
                out.push_str(&format!("      {e}\n"));
            }
        }
        if let Some(why) = &r.skipped {
            out.push_str(&format!("    skipped: {why}\n"));
        }
    }
    let (ops, requests, failures, failed_ops) = summary(results);
    out.push_str(&format!(
        "{ops} operations, {requests} requests, {failures} violations in {failed_ops} operations\n"
    ));
    out
}

fn json_report(target: &str, results: &[OpResult]) -> String {
    let operations: Vec<Value> = results
        .iter()
        .map(|r| {
            json!({
                "operationId": r.id,
                "method": r.method,
                "path": r.path,
                "skipped": r.skipped,
                "requests": r.sent.iter().map(|s| json!({
                    "method": s.method,
                    "target": s.target,
                    "negative": s.negative,
                    "status": s.status,
                    "error": s.error,
                    "violations": s.findings,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let (ops, requests, failures, failed_ops) = summary(results);
    let doc = json!({
        "target": target,
        "operations": operations,
        "summary": {
            "operations": ops,
            "requests": requests,
            "violations": failures,
            "failedOperations": failed_ops,
        },
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

fn xml_escape(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&apos;".to_owned(),
            other => other.to_string(),
        })
        .collect()
}

fn failure_lines(r: &OpResult) -> Vec<String> {
    let mut lines = Vec::new();
    for s in &r.sent {
        let status = s.status.map_or("no answer".to_owned(), |c| c.to_string());
        for f in &s.findings {
            lines.push(format!(
                "{} {} → {status}: {}",
                s.method,
                s.target,
                finding_text(f)
            ));
        }
        if let Some(e) = &s.error {
            lines.push(format!("{} {}: {e}", s.method, s.target));
        }
    }
    lines
}

fn junit(results: &[OpResult]) -> String {
    let (ops, _, _, failed_ops) = summary(results);
    let skipped = results
        .iter()
        .filter(|r| r.failures() == 0 && r.skipped.is_some())
        .count();
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"mockgen verify\" tests=\"{ops}\" failures=\"{failed_ops}\" skipped=\"{skipped}\">\n"
    );
    for r in results {
        out.push_str(&format!(
            "    <testcase name=\"{}\" classname=\"{}\">\n",
            xml_escape(&r.id),
            xml_escape(&format!("{} {}", r.method, r.path))
        ));
        let lines = failure_lines(r);
        if !lines.is_empty() {
            out.push_str(&format!(
                "      <failure message=\"{} violation(s)\">{}</failure>\n",
                lines.len(),
                xml_escape(&lines.join("\n"))
            ));
        } else if let Some(why) = &r.skipped {
            out.push_str(&format!(
                "      <skipped message=\"{}\"/>\n",
                xml_escape(why)
            ));
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// GitHub workflow command data: `%`, CR and LF escaped.
fn gh_escape(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn github(spec: &str, results: &[OpResult]) -> String {
    let mut out = String::new();
    for r in results {
        for line in failure_lines(r) {
            out.push_str(&format!(
                "::error file={},title={}::{}\n",
                gh_escape(spec).replace(',', "%2C"),
                gh_escape(&format!("verify {}", r.id))
                    .replace(',', "%2C")
                    .replace(':', "%3A"),
                gh_escape(&line)
            ));
        }
        if let Some(why) = &r.skipped {
            out.push_str(&format!(
                "::warning title={}::{}\n",
                gh_escape(&format!("verify {}", r.id))
                    .replace(',', "%2C")
                    .replace(':', "%3A"),
                gh_escape(why)
            ));
        }
    }
    let (ops, requests, failures, _) = summary(results);
    out.push_str(&format!(
        "{ops} operations, {requests} requests, {failures} violations\n"
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_parse() {
        assert_eq!(
            parse_header("Authorization: Bearer x:y"),
            Ok(("Authorization".to_owned(), "Bearer x:y".to_owned()))
        );
        assert!(parse_header("no colon").is_err());
        assert!(parse_header("bad name: x").is_err());
        assert_eq!(xml_escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(gh_escape("50%\nx"), "50%25%0Ax");
    }
}
