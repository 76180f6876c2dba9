//! `mockgen check SPEC...`: load each document, validate its examples, report.

use crate::files::{FsResolver, read_text};
use crate::render;
use crate::{CheckArgs, Format, exit};
use mockgen_spec::{Diagnostic, LoadOptions, Loaded, Severity};
use serde::Serialize;

/// What `--format json` prints for one document.
#[derive(Debug, Serialize)]
pub struct Report {
    pub file: String,
    pub version: Option<String>,
    pub loaded: bool,
    pub operations: usize,
    pub errors: Vec<Finding>,
    pub warnings: Vec<Finding>,
}

/// One finding in `--format json`.
#[derive(Debug, Serialize)]
pub struct Finding {
    pub code: String,
    pub message: String,
    /// The file the finding is in (differs from the document for findings in referenced files).
    pub file: String,
    pub pointer: String,
    pub line: usize,
    pub column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

pub fn run(args: &CheckArgs) -> u8 {
    let resolver = FsResolver {
        allow_remote: args.allow_remote_refs,
    };
    let options = LoadOptions {
        allow_remote_refs: args.allow_remote_refs,
    };
    let mut reports = Vec::new();
    let mut worst = exit::OK;
    for path in &args.specs {
        let name = path.to_string_lossy().into_owned();
        let text = match read_text(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {e}");
                worst = exit::USAGE;
                continue;
            }
        };
        let started = std::time::Instant::now();
        let mut loaded = mockgen_spec::load(&name, text, &resolver, &options);
        let load_ms = started.elapsed().as_secs_f64() * 1000.0;
        let load_peak = if args.timings { peak_rss() } else { None };
        let started = std::time::Instant::now();
        add_example_findings(&mut loaded);
        let examples_ms = started.elapsed().as_secs_f64() * 1000.0;
        if args.timings {
            eprintln!(
                "mockgen-timings: {}",
                serde_json::json!({"file": name, "load_ms": load_ms, "examples_ms": examples_ms, "load_peak_rss_bytes": load_peak, "peak_rss_bytes": peak_rss()})
            );
        }
        let errors = loaded
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        let warnings = loaded.diagnostics.len() - errors;
        if (errors > 0 || (args.strict && warnings > 0)) && worst == exit::OK {
            worst = exit::FINDINGS;
        }
        match args.format {
            Format::Human => render::human(&name, &loaded),
            Format::Github => render::github(&loaded),
            Format::Json => reports.push(report(&name, &loaded)),
        }
    }
    if args.format == Format::Json {
        match serde_json::to_string_pretty(&reports) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: cannot write the report: {e}");
                return exit::USAGE;
            }
        }
    }
    worst
}

/// Peak resident memory of this process (Linux `VmHWM`), if known.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Validate examples and defaults: the second half of what `check` reports.
fn add_example_findings(loaded: &mut Loaded) {
    if let Some(spec) = &loaded.spec {
        let more =
            mockgen_spec::check::validate_examples(spec, &loaded.bundle, &loaded.schema_roots);
        loaded.diagnostics.extend(more);
        mockgen_spec::diag::sort(&mut loaded.diagnostics);
    }
}

fn finding(loaded: &Loaded, d: &Diagnostic) -> Finding {
    Finding {
        code: d.code.to_owned(),
        message: d.message.clone(),
        file: loaded
            .files()
            .get(d.file)
            .map(|f| f.name.clone())
            .unwrap_or_default(),
        pointer: d.pointer.clone(),
        line: d.line,
        column: d.column,
        help: d.help.clone(),
    }
}

fn report(name: &str, loaded: &Loaded) -> Report {
    let (errors, warnings): (Vec<&Diagnostic>, Vec<&Diagnostic>) =
        loaded.diagnostics.iter().partition(|d| d.is_error());
    Report {
        file: name.to_owned(),
        version: loaded.spec.as_ref().map(|s| s.version_string.clone()),
        loaded: loaded.spec.is_some(),
        operations: loaded.spec.as_ref().map_or(0, |s| s.operations.len()),
        errors: errors.into_iter().map(|d| finding(loaded, d)).collect(),
        warnings: warnings.into_iter().map(|d| finding(loaded, d)).collect(),
    }
}
