//! `mockgen proxy SPEC --upstream URL`: a checking proxy in front of a real server. Every
//! request and the real response are validated against the spec (the server crate's proxy
//! with the engine's checks); this file loads the spec and writes the report file.

use crate::exit;
use crate::files;
use clap::ValueEnum;
use mockgen_engine::{Engine, Options};
use mockgen_server::{Client, ExchangeReport, LogFormat, ProxyOptions, ReportSink, Upstream};
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct ProxyArgs {
    /// The OpenAPI document requests and responses are checked against.
    #[arg(value_name = "SPEC")]
    spec: PathBuf,
    /// The real server to forward to (http:// or https://); a path in it is put in front of
    /// every forwarded path.
    #[arg(long, value_name = "URL")]
    upstream: String,
    /// Also trust the CA certificates in FILE (PEM) for an https upstream, besides Mozilla's
    /// and the system's roots (for a staging server with a private CA).
    #[arg(long, value_name = "FILE")]
    cacert: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on (0 picks a free one; the chosen address is printed last).
    #[arg(long, default_value_t = 4010)]
    port: u16,
    /// Answer a request that breaks the spec with 422 (not forwarded), and replace a
    /// response that breaks it with a 502 problem+json listing the violations.
    #[arg(long)]
    errors: bool,
    /// Append one JSON object per exchange to FILE (JSON lines; truncated at start).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Request log lines on stderr: short text, one JSON object per line, or none.
    #[arg(long, value_enum, default_value_t = LogFormatArg::Human)]
    log_format: LogFormatArg,
    /// Seconds an upstream exchange may take before the client gets a 502.
    #[arg(long, default_value_t = 30.0, value_name = "SECS")]
    timeout: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum LogFormatArg {
    Human,
    Json,
    Off,
}

/// Writes each exchange as one JSON line, flushed at once (a killed proxy loses nothing).
fn report_sink(path: &PathBuf) -> Result<ReportSink, String> {
    let file =
        std::fs::File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let file = Mutex::new(file);
    let shown = path.display().to_string();
    let warned = std::sync::atomic::AtomicBool::new(false);
    Ok(Arc::new(move |report: &ExchangeReport| {
        let Ok(mut line) = serde_json::to_string(report) else {
            return;
        };
        line.push('\n');
        let written = file
            .lock()
            .map_err(|_| ())
            .and_then(|mut f| f.write_all(line.as_bytes()).map_err(|_| ()));
        if written.is_err() && !warned.swap(true, std::sync::atomic::Ordering::Relaxed) {
            eprintln!("warning: cannot append to the report {shown}");
        }
    }))
}

pub fn run(args: &ProxyArgs) -> u8 {
    let upstream = match Upstream::parse(&args.upstream) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("error: --upstream {e}");
            return exit::USAGE;
        }
    };
    if !(args.timeout.is_finite() && args.timeout > 0.0 && args.timeout <= 86_400.0) {
        eprintln!("error: --timeout must be a positive number of seconds (at most 86400)");
        return exit::USAGE;
    }
    let ca_pem = match read_cacert(args.cacert.as_deref()) {
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
    if loaded.has_errors() {
        crate::render::human(&name, &loaded);
    }
    let Some(spec) = loaded.spec else {
        eprintln!("error: {name} could not be loaded");
        return exit::USAGE;
    };
    let engine = match Engine::new(Arc::new(spec), Options::default()) {
        Ok(e) => Arc::new(e),
        Err(e) => {
            eprintln!("error: cannot compile {name}: {e}");
            return exit::USAGE;
        }
    };
    let report = match args.report.as_ref().map(report_sink).transpose() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let timeout = Duration::from_secs_f64(args.timeout);
    let options = |client: Client| ProxyOptions {
        host: args.host.clone(),
        port: args.port,
        upstream,
        errors: args.errors,
        log: match args.log_format {
            LogFormatArg::Human => LogFormat::Human,
            LogFormatArg::Json => LogFormat::Json,
            LogFormatArg::Off => LogFormat::Off,
        },
        max_body: Options::default().max_body,
        client,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(std::thread::available_parallelism().map_or(2, std::num::NonZero::get))
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::USAGE;
        }
    };
    runtime.block_on(async {
        let options = match Client::new(timeout, ca_pem.as_deref()) {
            Ok(client) => options(client),
            Err(e) => {
                eprintln!("error: --cacert {}: {e}", show(args.cacert.as_deref()));
                return exit::USAGE;
            }
        };
        let shutdown = match shutdown_signal() {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: cannot install signal handlers: {e}");
                return exit::USAGE;
            }
        };
        let (addr, serve) =
            match mockgen_server::bind_proxy(Arc::clone(&engine), &options, report, shutdown).await
            {
                Ok(x) => x,
                Err(e) => {
                    eprintln!(
                        "error: cannot listen on {}:{}: {e}",
                        options.host, options.port
                    );
                    return exit::USAGE;
                }
            };
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "proxying {} operations of {name} to {}{}",
            engine.spec().operations.len(),
            options.upstream,
            if options.errors { " (--errors)" } else { "" }
        );
        let _ = writeln!(out, "listening on http://{addr}");
        let _ = out.flush();
        drop(out);
        match serve.await {
            Ok(()) => exit::OK,
            Err(e) => {
                eprintln!("error: the proxy stopped: {e}");
                exit::FINDINGS
            }
        }
    })
}

/// The bytes of `--cacert FILE`, read up front so a wrong path is a usage error at once.
pub fn read_cacert(path: Option<&std::path::Path>) -> Result<Option<Vec<u8>>, String> {
    path.map(|p| std::fs::read(p).map_err(|e| format!("--cacert {}: {e}", p.display())))
        .transpose()
}

/// A `--cacert` path for messages.
pub fn show(path: Option<&std::path::Path>) -> String {
    path.map_or_else(String::new, |p| p.display().to_string())
}

/// Resolves on SIGINT or (on Unix) SIGTERM.
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        eprintln!("shutting down");
    })
}
