//! `mockgen diff OLD NEW`: compare two versions of a spec (files or `git:REV:path`) with
//! `mockgen-diff` and report the changes for people, CI and pull requests.

use crate::exit;
use crate::files::read_text;
use mockgen_diff::{Change, Ignore, Severity};
use mockgen_spec::{Fetched, LoadOptions, Loaded, Resolver};
use serde::Serialize;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The previous version: a file, or `git:REV:path` (read with `git show REV:path` in the
    /// repository of the current directory; the path is relative to the repository root,
    /// `./path` to the current directory).
    #[arg(value_name = "OLD")]
    old: String,
    /// The new version, in the same forms.
    #[arg(value_name = "NEW")]
    new: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    format: DiffFormat,
    /// Exit 1 when a change at this level or above is found (and not ignored).
    #[arg(long, value_enum, value_name = "LEVEL", default_value_t = FailOn::Breaking)]
    fail_on: FailOn,
    /// Accepted changes: a YAML or JSON list of `{rule, operation, reason}` (reason required;
    /// no operation = every operation). Ignored changes are listed but not counted.
    #[arg(long, value_name = "FILE")]
    ignore: Option<PathBuf>,
}

/// Output formats of `mockgen diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// Grouped by operation, one line per change.
    Human,
    /// `{"changes": [...], "ignored": [...], "summary": {...}}`.
    Json,
    /// JUnit XML: one test case per change, failed at or above --fail-on.
    Junit,
    /// GitHub Actions annotations (`::error file=…,line=…::…`).
    Github,
    /// A Markdown table for pull-request comments.
    Markdown,
}

/// The level `--fail-on` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Breaking,
    Warning,
    Info,
}

impl FailOn {
    fn severity(self) -> Severity {
        match self {
            FailOn::Breaking => Severity::Breaking,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

/// An ignored change with the reason it was accepted.
#[derive(Debug, Serialize)]
struct IgnoredChange<'a> {
    #[serde(flatten)]
    change: &'a Change,
    reason: &'a str,
}

#[derive(Debug, Default, Serialize)]
struct Summary {
    breaking: usize,
    warning: usize,
    info: usize,
    ignored: usize,
}

#[derive(Debug, Serialize)]
struct Report<'a> {
    changes: Vec<&'a Change>,
    ignored: Vec<IgnoredChange<'a>>,
    summary: Summary,
}

pub fn run(args: &DiffArgs) -> u8 {
    let ignores = match &args.ignore {
        Some(path) => match read_ignores(path) {
            Ok(list) => list,
            Err(e) => {
                eprintln!("error: {e}");
                return exit::USAGE;
            }
        },
        None => Vec::new(),
    };
    let old = match load(&args.old) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let new = match load(&args.new) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let changes = mockgen_diff::diff(&old, &new);
    let mut active: Vec<&Change> = Vec::new();
    let mut ignored: Vec<IgnoredChange<'_>> = Vec::new();
    for c in &changes {
        match ignores.iter().find(|i| i.matches(c)) {
            Some(i) => ignored.push(IgnoredChange {
                change: c,
                reason: &i.reason,
            }),
            None => active.push(c),
        }
    }
    let mut summary = Summary {
        ignored: ignored.len(),
        ..Summary::default()
    };
    for c in &active {
        match c.severity {
            Severity::Breaking => summary.breaking += 1,
            Severity::Warning => summary.warning += 1,
            Severity::Info => summary.info += 1,
        }
    }
    let threshold = args.fail_on.severity();
    let failed = active.iter().any(|c| c.severity >= threshold);
    let report = Report {
        changes: active,
        ignored,
        summary,
    };
    let text = match args.format {
        DiffFormat::Human => human(&args.old, &args.new, &report),
        DiffFormat::Json => match serde_json::to_string_pretty(&report) {
            Ok(s) => s + "\n",
            Err(e) => {
                eprintln!("error: cannot write the report: {e}");
                return exit::USAGE;
            }
        },
        DiffFormat::Junit => junit(&report, threshold),
        DiffFormat::Github => github(&report),
        DiffFormat::Markdown => markdown(&args.old, &args.new, &report),
    };
    print!("{text}");
    if failed { exit::FINDINGS } else { exit::OK }
}

/// Read the ignore file; a problem in it is reported as `file:line:column: message`.
fn read_ignores(path: &Path) -> Result<Vec<Ignore>, String> {
    let text = read_text(path)?;
    let doc = mockgen_source::parse(&text)
        .map_err(|e| format!("{}:{}:{}: {}", path.display(), e.line, e.column, e.message))?;
    mockgen_diff::parse_ignores(&doc.value).map_err(|e| {
        let at = doc.place(&e.pointer, e.at_key);
        format!("{}:{}:{}: {e}", path.display(), at.line, at.column)
    })
}

/// Load OLD or NEW. An unreadable file, a failing `git show` or a document that cannot be
/// interpreted as OpenAPI is reported on stderr and becomes `Err(exit::USAGE)`.
fn load(arg: &str) -> Result<Loaded, u8> {
    let loaded = if let Some(rest) = arg.strip_prefix("git:") {
        let Some((rev, path)) = rest
            .split_once(':')
            .filter(|(r, p)| !r.is_empty() && !p.is_empty())
        else {
            eprintln!("error: `{arg}`: expected git:REV:path (e.g. git:HEAD~1:openapi.yaml)");
            return Err(exit::USAGE);
        };
        // `git show -x…` would read the revision as an option (`--output=FILE` writes a file).
        if rev.starts_with('-') {
            eprintln!(
                "error: `{arg}`: `{rev}` is not a revision (a revision cannot start with `-`)"
            );
            return Err(exit::USAGE);
        }
        let text = match git_show(rev, path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {e}");
                return Err(exit::USAGE);
            }
        };
        let resolver = GitResolver {
            rev: rev.to_owned(),
        };
        mockgen_spec::load(arg, text, &resolver, &LoadOptions::default())
    } else {
        crate::files::load_spec(Path::new(arg))?.1
    };
    if loaded.spec.is_none() {
        eprintln!("error: {arg} could not be loaded as an OpenAPI document:");
        for d in loaded.diagnostics.iter().filter(|d| d.is_error()) {
            let file = loaded.files().get(d.file).map_or(arg, |f| f.name.as_str());
            eprintln!("  {file}:{}:{}: {}", d.line, d.column, d.message);
        }
        return Err(exit::USAGE);
    }
    Ok(loaded)
}

fn git_show(rev: &str, path: &str) -> Result<String, String> {
    let spec = format!("{rev}:{path}");
    let out = Command::new("git")
        .arg("show")
        .arg(&spec)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(format!("git show {spec} failed: {}", stderr.trim()));
    }
    String::from_utf8(out.stdout).map_err(|_| format!("{spec} is not UTF-8; save it as UTF-8"))
}

/// Reads the files a spec at `git:REV:path` refers to from the same revision.
#[derive(Debug)]
struct GitResolver {
    rev: String,
}

impl Resolver for GitResolver {
    fn fetch(&self, base: &str, target: &str) -> Result<Fetched, String> {
        let lower = target.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            return Err("remote references are not fetched".to_owned());
        }
        let base_path = base
            .strip_prefix("git:")
            .and_then(|r| r.split_once(':'))
            .map_or("", |(_, p)| p);
        let target = target.strip_prefix("file://").unwrap_or(target);
        let joined = Path::new(base_path)
            .parent()
            .unwrap_or(Path::new(""))
            .join(target);
        let mut clean = PathBuf::new();
        for c in joined.components() {
            match c {
                Component::CurDir => {}
                Component::ParentDir => {
                    if !clean.pop() {
                        clean.push("..");
                    }
                }
                other => clean.push(other.as_os_str()),
            }
        }
        let mut path = clean.to_string_lossy().replace('\\', "/");
        if base_path.starts_with("./") && !path.starts_with("../") {
            path = format!("./{path}");
        }
        let text = git_show(&self.rev, &path)?;
        Ok(Fetched {
            name: format!("git:{}:{path}", self.rev),
            text,
        })
    }
}

fn where_(c: &Change) -> String {
    if c.line == 0 {
        c.file.clone()
    } else {
        format!("{}:{}:{}", c.file, c.line, c.column)
    }
}

fn operation_title(op: &str) -> &str {
    if op.is_empty() { "(document)" } else { op }
}

fn human(old: &str, new: &str, report: &Report<'_>) -> String {
    let mut out = format!("mockgen diff {old} → {new}\n");
    if report.changes.is_empty() && report.ignored.is_empty() {
        out.push_str("No changes.\n");
        return out;
    }
    let mut current: Option<&str> = None;
    for c in &report.changes {
        if current != Some(c.operation.as_str()) {
            current = Some(c.operation.as_str());
            out.push('\n');
            out.push_str(operation_title(&c.operation));
            out.push('\n');
        }
        out.push_str(&format!(
            "  {:<8}  {}  {}  ({})\n",
            c.severity.as_str(),
            c.rule,
            c.message,
            where_(c)
        ));
    }
    if !report.ignored.is_empty() {
        out.push_str("\nIgnored (accepted):\n");
        for i in &report.ignored {
            out.push_str(&format!(
                "  {:<8}  {}  {}  {}  — {}\n",
                i.change.severity.as_str(),
                i.change.rule,
                operation_title(&i.change.operation),
                i.change.message,
                i.reason
            ));
        }
    }
    let s = &report.summary;
    out.push_str(&format!(
        "\n{} breaking, {} warning(s), {} info, {} ignored\n",
        s.breaking, s.warning, s.info, s.ignored
    ));
    out
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

fn junit(report: &Report<'_>, threshold: Severity) -> String {
    let failures = report
        .changes
        .iter()
        .filter(|c| c.severity >= threshold)
        .count();
    let tests = (report.changes.len() + report.ignored.len()).max(1);
    let skipped = report.ignored.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"mockgen diff\" tests=\"{tests}\" failures=\"{failures}\" skipped=\"{skipped}\">\n"
    ));
    out.push_str(&format!(
        "  <testsuite name=\"mockgen diff\" tests=\"{tests}\" failures=\"{failures}\" skipped=\"{skipped}\">\n"
    ));
    if report.changes.is_empty() && report.ignored.is_empty() {
        out.push_str("    <testcase classname=\"mockgen diff\" name=\"no changes\"/>\n");
    }
    for c in &report.changes {
        let name = xml_escape(&format!("{}: {}", c.rule, c.message));
        let class = xml_escape(operation_title(&c.operation));
        if c.severity >= threshold {
            out.push_str(&format!(
                "    <testcase classname=\"{class}\" name=\"{name}\">\n      <failure type=\"{}\" message=\"{}\">{} {} at {}</failure>\n    </testcase>\n",
                c.severity.as_str(),
                xml_escape(&c.message),
                c.severity.as_str(),
                c.rule,
                xml_escape(&where_(c))
            ));
        } else {
            out.push_str(&format!(
                "    <testcase classname=\"{class}\" name=\"{name}\"/>\n"
            ));
        }
    }
    for i in &report.ignored {
        let c = i.change;
        out.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"{}\">\n      <skipped message=\"{}\"/>\n    </testcase>\n",
            xml_escape(operation_title(&c.operation)),
            xml_escape(&format!("{}: {}", c.rule, c.message)),
            xml_escape(&format!("ignored: {}", i.reason))
        ));
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn gh_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn gh_property(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn github(report: &Report<'_>) -> String {
    let mut out = String::new();
    for c in &report.changes {
        let level = match c.severity {
            Severity::Breaking => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = vec![];
        if !c.file.is_empty() && !c.file.starts_with("git:") {
            props.push(format!("file={}", gh_property(&c.file)));
            if c.line > 0 {
                props.push(format!("line={}", c.line));
                props.push(format!("col={}", c.column));
            }
        }
        props.push(format!("title={}", gh_property(c.rule)));
        let message = if c.operation.is_empty() {
            c.message.clone()
        } else {
            format!("{}: {}", c.operation, c.message)
        };
        out.push_str(&format!(
            "::{level} {}::{}\n",
            props.join(","),
            gh_data(&message)
        ));
    }
    out
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn markdown(old: &str, new: &str, report: &Report<'_>) -> String {
    let s = &report.summary;
    let mut out = format!(
        "### mockgen diff: {} breaking, {} warning(s), {} info\n\n`{}` → `{}`\n\n",
        s.breaking,
        s.warning,
        s.info,
        md_cell(old),
        md_cell(new)
    );
    if report.changes.is_empty() {
        out.push_str("No changes.\n");
    } else {
        out.push_str("| severity | operation | change | rule | where |\n|---|---|---|---|---|\n");
        for c in &report.changes {
            let severity = match c.severity {
                Severity::Breaking => "**breaking**",
                Severity::Warning => "warning",
                Severity::Info => "info",
            };
            out.push_str(&format!(
                "| {severity} | {} | {} | `{}` | {} |\n",
                if c.operation.is_empty() {
                    "(document)".to_owned()
                } else {
                    format!("`{}`", md_cell(&c.operation))
                },
                md_cell(&c.message),
                c.rule,
                md_cell(&where_(c))
            ));
        }
    }
    if !report.ignored.is_empty() {
        out.push_str(&format!(
            "\n<details><summary>{} ignored (accepted) change(s)</summary>\n\n| operation | change | rule | reason |\n|---|---|---|---|\n",
            report.ignored.len()
        ));
        for i in &report.ignored {
            out.push_str(&format!(
                "| {} | {} | `{}` | {} |\n",
                md_cell(operation_title(&i.change.operation)),
                md_cell(&i.change.message),
                i.change.rule,
                md_cell(i.reason)
            ));
        }
        out.push_str("\n</details>\n");
    }
    out
}
