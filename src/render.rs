//! Rendering diagnostics for people (miette, with the source snippet) and for CI.

use miette::{GraphicalReportHandler, LabeledSpan, MietteDiagnostic, NamedSource};
use mockgen_spec::{Loaded, Severity};
use std::sync::Arc;

/// Source snippets with the offending node underlined, then a one-line summary per document.
pub fn human(name: &str, loaded: &Loaded) {
    let handler = GraphicalReportHandler::new();
    let sources: Vec<Arc<str>> = loaded.files().iter().map(|f| Arc::from(f.text())).collect();
    let mut out = String::new();
    for d in &loaded.diagnostics {
        let file = loaded.files().get(d.file);
        let file_name = file.map_or(name, |f| f.name.as_str());
        let mut diag = MietteDiagnostic::new(d.message.clone())
            .with_code(format!("{}:{}:{}: {}", file_name, d.line, d.column, d.code))
            .with_severity(match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            });
        if let Some(help) = &d.help {
            diag = diag.with_help(help.clone());
        }
        if let Some(span) = d.span {
            let len = span.end.saturating_sub(span.start).clamp(1, 200);
            let label = if d.pointer.is_empty() {
                "here".to_owned()
            } else {
                d.pointer.clone()
            };
            diag = diag.with_label(LabeledSpan::at(span.start..span.start + len, label));
        }
        let source = sources
            .get(d.file)
            .cloned()
            .unwrap_or_else(|| Arc::from(""));
        let report =
            miette::Report::new(diag).with_source_code(NamedSource::new(file_name, source));
        out.clear();
        if handler.render_report(&mut out, report.as_ref()).is_ok() {
            eprintln!("{out}");
        } else {
            eprintln!("{file_name}:{}:{}: {}", d.line, d.column, d.message);
        }
    }
    let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = loaded.diagnostics.len() - errors;
    match &loaded.spec {
        Some(spec) => println!(
            "{name}: OpenAPI {}, {} operations: {errors} error(s), {warnings} warning(s)",
            spec.version_string,
            spec.operations.len()
        ),
        None => println!("{name}: not loaded: {errors} error(s), {warnings} warning(s)"),
    }
}

/// GitHub Actions workflow commands.
pub fn github(loaded: &Loaded) {
    for d in &loaded.diagnostics {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let file = loaded.files().get(d.file).map_or("", |f| f.name.as_str());
        println!(
            "::{level} file={},line={},col={},title={}::{}",
            escape_property(file),
            d.line,
            d.column,
            escape_property(d.code),
            escape_data(&d.message)
        );
    }
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}
