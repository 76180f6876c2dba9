//! `mockgen serve SPEC...`: load the specs, compile one engine each, mount them under their
//! base paths and serve them over HTTP until SIGINT or SIGTERM, reloading a spec when its
//! files change.

use crate::exit;
use crate::reload::{self, Reloader, Source};
use crate::render;
use crate::serve_state::{HookLayers, Stateful};
use clap::ValueEnum;
use mockgen_engine::{Engine, Options};
use mockgen_server::{
    ArcSwap, LogFormat, Mount, Mounts, ServeOptions, normalise_base, overlapping_routes,
    route_conflicts,
};
use mockgen_spec::Spec;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The OpenAPI documents to mock (JSON or YAML). With several, each is served under its
    /// own base path (see --base-path).
    #[arg(required = true, value_name = "SPEC")]
    specs: Vec<PathBuf>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on (0 picks a free one; the chosen address is printed last).
    #[arg(long, default_value_t = 4010)]
    port: u16,
    /// Serve under this base path instead of the `servers` paths ('' = at the root). With
    /// several specs, `SPEC=PATH` per spec (`--base-path a.yaml=/a --base-path b.yaml=/b`),
    /// or bare paths given to the specs in order.
    #[arg(
        long = "base-path",
        value_name = "[SPEC=]PATH",
        allow_hyphen_values = true
    )]
    base_paths: Vec<String>,
    /// Seed of every generated body, and of configured latency and faults.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Generate a fresh body per request instead of preferring examples.
    #[arg(long)]
    dynamic: bool,
    /// Validate every response before sending it; a response that breaks the spec (a wrong
    /// example) becomes a 500 problem+json listing the violations.
    #[arg(long)]
    errors: bool,
    /// Largest request body accepted (413 beyond): bytes, or with KB, MB, GB (powers of 1024).
    #[arg(long, default_value = "10MB", value_name = "SIZE", value_parser = parse_size)]
    max_body: usize,
    /// Answer CORS preflights and add CORS headers to every response.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    cors: bool,
    /// Request log lines on stderr: short text, one JSON object per line, or none.
    #[arg(long, value_enum, default_value_t = LogFormatArg::Human)]
    log_format: LogFormatArg,
    /// Do not watch the spec files (by default a saved change is served at once).
    #[arg(long)]
    no_watch: bool,
    #[command(flatten)]
    pub(crate) state: crate::serve_state::StateArgs,
    #[command(flatten)]
    pub(crate) behave: crate::serve_behave::BehaveArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum LogFormatArg {
    Human,
    Json,
    Off,
}

/// `10MB`, `512KB`, `1.5MB`, `4096`: sizes in powers of 1024.
fn parse_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => return Err(format!("unknown unit `{other}` (use B, KB, MB or GB)")),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size like 10MB or 512KB"))?;
    let bytes = (value * factor as f64).round();
    if !(0.0..=(usize::MAX as f64)).contains(&bytes) {
        return Err(format!("`{text}` is out of range"));
    }
    Ok(bytes as usize)
}

/// Give each spec its `--base-path`: `SPEC=PATH` by name (as written on the command line or
/// the same file), bare values to the remaining specs in order.
fn assign_base_paths(specs: &[PathBuf], values: &[String]) -> Result<Vec<Option<String>>, String> {
    let mut out: Vec<Option<String>> = vec![None; specs.len()];
    let mut bare: Vec<&str> = Vec::new();
    for value in values {
        let named = value.split_once('=').and_then(|(name, path)| {
            let matching: Vec<usize> = (0..specs.len())
                .filter(|&i| same_file(&specs[i], Path::new(name)))
                .collect();
            let first = *matching.first()?;
            // The same file twice: the next one without a base path.
            let i = matching
                .iter()
                .copied()
                .find(|&i| out[i].is_none())
                .unwrap_or(first);
            Some((i, path))
        });
        match named {
            Some((i, path)) => {
                if out[i].is_some() {
                    return Err(format!(
                        "--base-path is given twice for {}",
                        specs[i].display()
                    ));
                }
                out[i] = Some(normalise_base(path));
            }
            None => bare.push(value),
        }
    }
    let mut free = out
        .iter_mut()
        .filter(|slot| slot.is_none())
        .collect::<Vec<_>>()
        .into_iter();
    for value in bare {
        match free.next() {
            Some(slot) => *slot = Some(normalise_base(value)),
            None if specs.len() == 1 => {
                return Err("--base-path is given more than once".to_owned());
            }
            None => {
                return Err(format!(
                    "--base-path `{value}` is left over: {} specs, and `SPEC=PATH` names a spec",
                    specs.len()
                ));
            }
        }
    }
    Ok(out)
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || match (a.canonicalize(), b.canonicalize()) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        }
}

/// `/v1` for messages; the root is `/`.
fn shown(base: &str) -> &str {
    if base.is_empty() { "/" } else { base }
}

pub fn run(args: &ServeArgs) -> u8 {
    let started = std::time::Instant::now();
    let forced = match assign_base_paths(&args.specs, &args.base_paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let sources: Vec<Source> = args
        .specs
        .iter()
        .zip(forced)
        .map(|(path, forced_base)| Source {
            path: path.clone(),
            name: path.to_string_lossy().into_owned(),
            forced_base,
        })
        .collect();
    let multi = sources.len() > 1;

    // Load every spec (serve whatever model we get, like Prism; the diagnostics say what is
    // off).
    let mut specs: Vec<Arc<Spec>> = Vec::new();
    let mut errors = Vec::new();
    let mut files = Vec::new();
    for source in &sources {
        let read = match reload::read(source) {
            Ok(read) => read,
            Err(e) => {
                eprintln!("error: {e}");
                return exit::USAGE;
            }
        };
        if read.loaded.has_errors() {
            render::human(&source.name, &read.loaded);
        } else {
            // A spec bug that changes what is served (bodies that cannot validate, sent best
            // effort) is worth a line even in a document without errors.
            for d in read
                .loaded
                .diagnostics
                .iter()
                .filter(|d| d.code == "oneof-indistinguishable")
            {
                let file = read
                    .loaded
                    .files()
                    .get(d.file)
                    .map_or(source.name.as_str(), |f| f.name.as_str());
                eprintln!(
                    "{file}:{}:{}: warning[{}]: {}",
                    d.line, d.column, d.code, d.message
                );
            }
        }
        errors.push(reload::error_keys(&read.loaded));
        files.push(read.files);
        let Some(spec) = read.loaded.spec else {
            eprintln!(
                "error: {} could not be loaded; nothing to serve",
                source.name
            );
            return exit::FINDINGS;
        };
        for conflict in route_conflicts(&spec) {
            eprintln!("warning: {}: {conflict}", source.name);
        }
        specs.push(Arc::new(spec));
    }

    let bases: Vec<String> = sources
        .iter()
        .zip(&specs)
        .map(|(source, spec)| reload::mount_base(source, spec))
        .collect();
    if multi && let Some(message) = base_conflicts(&sources, &specs, &bases) {
        eprintln!("{message}");
        return exit::USAGE;
    }

    let template = Options {
        seed: args.seed,
        dynamic: args.dynamic,
        max_body: args.max_body,
        validate_responses: args.errors,
        ..Options::default()
    };
    // Hooks, asked in order (see serve_state.rs and /work/notes/serve-hooks.md): configured
    // rules first, then the stateful store.
    let stateful = Stateful::new(&args.state, &bases);
    let mut layers = HookLayers::default();
    let behave =
        match crate::serve_behave::Behave::new(&args.behave, &sources, args.seed, !args.no_watch) {
            Ok(b) => b,
            Err(code) => return code,
        };
    layers.push(behave.layer());
    if let Some(s) = &stateful {
        layers.push(s.layer());
    }
    let mut mounts = Vec::with_capacity(sources.len());
    for ((source, spec), base) in sources.iter().zip(&specs).zip(bases) {
        let options = reload::engine_options(&template, source, spec, multi);
        match Engine::new(Arc::clone(spec), options) {
            Ok(engine) => {
                let engine = Arc::new(engine);
                let hooks = layers.build(mounts.len(), &engine);
                mounts.push(Mount::new(source.name.clone(), base, engine).with_hooks(hooks));
            }
            Err(e) => {
                eprintln!("error: cannot build the mock for {}: {e}", source.name);
                return exit::FINDINGS;
            }
        }
    }
    if let Err(code) = behave.finish() {
        return code;
    }
    let mounts = Arc::new(ArcSwap::from_pointee(Mounts::new(mounts)));
    if let Some(s) = &stateful {
        if let Err(e) = s.load_file() {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
        eprintln!("{}", s.summary());
    }
    let load_ms = started.elapsed().as_secs_f64() * 1000.0;

    // One worker per core this process may run on (`available_parallelism` honours affinity
    // masks and cgroup quotas): two workers pinned to one core only take turns.
    let workers = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
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
        max_body: args.max_body,
        log: match args.log_format {
            LogFormatArg::Human => LogFormat::Human,
            LogFormatArg::Json => LogFormat::Json,
            LogFormatArg::Off => LogFormat::Off,
        },
        admin: stateful.as_ref().map(Stateful::admin),
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
        let (addr, serve) =
            match mockgen_server::bind(Arc::clone(&mounts), &options, shutdown).await {
                Ok(x) => x,
                Err(e) => {
                    eprintln!(
                        "error: cannot listen on {}:{}: {e}",
                        options.host, options.port
                    );
                    return exit::USAGE;
                }
            };
        // Watch before announcing the address, so a save right after `listening on` is seen.
        if !args.no_watch {
            let reloader = Reloader {
                sources: sources.clone(),
                options: template.clone(),
                mounts: Arc::clone(&mounts),
                errors,
                files,
                hooks: layers.clone(),
            };
            if let Err(e) = reload::spawn(reloader) {
                eprintln!("warning: hot reload is off: {e}");
            }
        }
        print_banner(&mounts.load(), addr, load_ms, multi);
        let served = serve.await;
        let saved = stateful.as_ref().is_none_or(|s| s.save_file());
        match served {
            Ok(()) if !saved => exit::USAGE,
            Ok(()) => exit::OK,
            Err(e) => {
                eprintln!("error: the server stopped: {e}");
                exit::FINDINGS
            }
        }
    })
}

/// With several specs: two under one base path are ambiguous. The message names the specs
/// sharing each base path, the routes that overlap and the fix.
fn base_conflicts(sources: &[Source], specs: &[Arc<Spec>], bases: &[String]) -> Option<String> {
    /// Overlapping routes shown per base path, and spec pairs compared for them.
    const SHOWN: usize = 10;
    const PAIRS: usize = 3;
    let mut out = String::new();
    let mut in_conflict: Vec<usize> = Vec::new();
    let mut groups: Vec<(&str, Vec<usize>)> = Vec::new();
    for (i, base) in bases.iter().enumerate() {
        match groups.iter_mut().find(|(b, _)| *b == base.as_str()) {
            Some((_, members)) => members.push(i),
            None => groups.push((base, vec![i])),
        }
    }
    for (base, members) in groups.iter().filter(|(_, m)| m.len() > 1) {
        in_conflict.extend(members);
        let place = if base.is_empty() {
            "at the root (no base path in their servers)".to_owned()
        } else {
            format!("under `{base}`")
        };
        let names: Vec<&str> = members.iter().map(|&i| sources[i].name.as_str()).collect();
        let (last, rest) = names.split_last().unwrap_or((&"", &[]));
        let all = if rest.len() > 1 { "all" } else { "both" };
        out.push_str(&format!(
            "error: {} and {last} would {all} be served {place}\n",
            rest.join(", ")
        ));
        let mut lines: Vec<String> = Vec::new();
        let pairs = members
            .iter()
            .enumerate()
            .flat_map(|(k, &i)| members[k + 1..].iter().map(move |&j| (i, j)));
        let pair_count = members.len() * (members.len() - 1) / 2;
        for (i, j) in pairs.take(PAIRS) {
            let overlaps = overlapping_routes(&specs[i], &specs[j]);
            if members.len() > 2 && !overlaps.is_empty() {
                lines.push(format!("{} / {}:", sources[i].name, sources[j].name));
            }
            lines.extend(overlaps.into_iter().map(|l| format!("  {l}")));
        }
        if lines.is_empty() && pair_count <= PAIRS {
            out.push_str("  (no route overlaps, but one base path serves only one spec)\n");
        }
        for line in lines.iter().take(SHOWN) {
            out.push_str(&format!("  {line}\n"));
        }
        if lines.len() > SHOWN {
            out.push_str(&format!("  … and {} more\n", lines.len() - SHOWN));
        }
    }
    if out.is_empty() {
        return None;
    }
    in_conflict.sort_unstable();
    let duplicate_names = in_conflict.iter().enumerate().any(|(k, &i)| {
        in_conflict[k + 1..]
            .iter()
            .any(|&j| sources[i].name == sources[j].name)
    });
    let example: Vec<String> = if duplicate_names {
        (1..=sources.len())
            .map(|n| format!("--base-path /api{n}"))
            .collect()
    } else {
        in_conflict
            .iter()
            .enumerate()
            .map(|(n, &i)| format!("--base-path {}=/api{}", sources[i].name, n + 1))
            .collect()
    };
    out.push_str(&format!(
        "help: give each spec its own base path, e.g. {}",
        example.join(" ")
    ));
    Some(out)
}

/// Every route with a sample URL, the load time and, last, the line scripts wait for.
fn print_banner(mounts: &Mounts, addr: SocketAddr, load_ms: f64, multi: bool) {
    let mut out = std::io::stdout().lock();
    // A closed stdout must not stop the server: ignore write errors.
    for mount in mounts.list() {
        let spec = mount.engine.spec();
        // A single spec without --base-path is also served without its servers' path.
        let base = &mount.base;
        if multi {
            let _ = writeln!(out, "{} under {}:", mount.name, shown(&mount.base));
        }
        for op in &spec.operations {
            let _ = writeln!(
                out,
                "  {}  http://{addr}{base}{}  ({})",
                op.method.to_ascii_uppercase(),
                sample_path(&op.path),
                op.id
            );
        }
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
    use super::*;

    #[test]
    fn sample_paths_fill_parameters() {
        assert_eq!(sample_path("/pets/{petId}"), "/pets/1");
        assert_eq!(sample_path("/a/{x}-{y}.json"), "/a/1-1.json");
        assert_eq!(sample_path("/plain"), "/plain");
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("10MB"), Ok(10 * 1024 * 1024));
        assert_eq!(parse_size("512KB"), Ok(512 * 1024));
        assert_eq!(parse_size("512kb"), Ok(512 * 1024));
        assert_eq!(parse_size("1.5M"), Ok(1024 * 1024 * 3 / 2));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("ten").is_err());
        assert!(parse_size("5TB").is_err());
    }

    #[test]
    fn base_paths_by_name_and_order() {
        let specs = [PathBuf::from("a.yaml"), PathBuf::from("b.yaml")];
        let named = assign_base_paths(&specs, &["b.yaml=/b/".to_owned(), "/a".to_owned()]);
        assert_eq!(
            named,
            Ok(vec![Some("/a".to_owned()), Some("/b".to_owned())])
        );
        let ordered = assign_base_paths(&specs, &["/x".to_owned(), String::new()]);
        assert_eq!(
            ordered,
            Ok(vec![Some("/x".to_owned()), Some(String::new())])
        );
        assert!(assign_base_paths(&specs, &["/x".into(), "/y".into(), "/z".into()]).is_err());
        assert!(assign_base_paths(&specs, &["a.yaml=/x".into(), "a.yaml=/y".into()]).is_err());
        let single = [PathBuf::from("a.yaml")];
        assert_eq!(
            assign_base_paths(&single, &[String::new()]),
            Ok(vec![Some(String::new())])
        );
    }
}
