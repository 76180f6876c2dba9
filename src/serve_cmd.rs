//! `mockgen serve SPEC`: load the spec, compile the engine and serve it over HTTP until SIGINT
//! or SIGTERM.

use crate::exit;
use crate::files::load_spec;
use crate::render;
use mockgen_engine::{Engine, Options};
use mockgen_server::ServeOptions;
use mockgen_spec::Spec;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The OpenAPI document to mock (JSON or YAML).
    #[arg(value_name = "SPEC")]
    spec: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on (0 picks a free one; the chosen address is printed last).
    #[arg(long, default_value_t = 4010)]
    port: u16,
    /// Seed of every generated body.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Generate a fresh body per request instead of preferring examples.
    #[arg(long)]
    dynamic: bool,
    /// Answer CORS preflights and add CORS headers to every response.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    cors: bool,
}

pub fn run(args: &ServeArgs) -> u8 {
    let started = std::time::Instant::now();
    let (name, loaded) = match load_spec(&args.spec) {
        Ok(found) => found,
        Err(code) => return code,
    };
    // Serve whatever model we got (like Prism); the diagnostics tell the user what is off.
    if loaded.diagnostics.iter().any(|d| d.is_error()) {
        render::human(&name, &loaded);
    }
    let Some(spec) = loaded.spec else {
        eprintln!("error: {name} could not be loaded; nothing to serve");
        return exit::FINDINGS;
    };
    let spec = Arc::new(spec);
    let engine_options = Options {
        seed: args.seed,
        dynamic: args.dynamic,
        ..Options::default()
    };
    let max_body = engine_options.max_body;
    let engine = match Engine::new(Arc::clone(&spec), engine_options) {
        Ok(e) => Arc::new(e),
        Err(e) => {
            eprintln!("error: cannot build the mock for {name}: {e}");
            return exit::FINDINGS;
        }
    };
    let load_ms = started.elapsed().as_secs_f64() * 1000.0;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::USAGE;
        }
    };
    let options = ServeOptions {
        host: args.host.clone(),
        port: args.port,
        cors: args.cors,
        max_body,
    };
    runtime.block_on(async {
        // Install the handlers before announcing the address, so a signal sent right after
        // `listening on` already shuts down gracefully.
        let shutdown = match shutdown_signal() {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: cannot install signal handlers: {e}");
                return exit::USAGE;
            }
        };
        let (addr, serve) = match mockgen_server::bind(engine, &options, shutdown).await {
            Ok(x) => x,
            Err(e) => {
                eprintln!(
                    "error: cannot listen on {}:{}: {e}",
                    options.host, options.port
                );
                return exit::USAGE;
            }
        };
        print_banner(&spec, addr, load_ms);
        match serve.await {
            Ok(()) => exit::OK,
            Err(e) => {
                eprintln!("error: the server stopped: {e}");
                exit::FINDINGS
            }
        }
    })
}

/// Every route with a sample URL, the load time and, last, the line scripts wait for.
fn print_banner(spec: &Spec, addr: SocketAddr, load_ms: f64) {
    let base = spec
        .servers
        .first()
        .map(|s| s.base_path())
        .unwrap_or_default();
    let mut out = std::io::stdout().lock();
    // A closed stdout must not stop the server: ignore write errors.
    for op in &spec.operations {
        let _ = writeln!(
            out,
            "  {}  http://{addr}{base}{}  ({})",
            op.method.to_ascii_uppercase(),
            sample_path(&op.path),
            op.id
        );
    }
    let _ = writeln!(out, "loaded in {load_ms:.1} ms");
    let _ = writeln!(out, "listening on http://{addr}");
    let _ = out.flush();
}

/// `/pets/{petId}` → `/pets/1`.
fn sample_path(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut in_param = false;
    for c in template.chars() {
        match c {
            '{' if !in_param => in_param = true,
            '}' if in_param => {
                in_param = false;
                out.push('1');
            }
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::sample_path;

    #[test]
    fn sample_paths_fill_parameters() {
        assert_eq!(sample_path("/pets/{petId}"), "/pets/1");
        assert_eq!(sample_path("/a/{x}-{y}.json"), "/a/1-1.json");
        assert_eq!(sample_path("/plain"), "/plain");
    }
}
