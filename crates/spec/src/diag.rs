//! Diagnostics: what the loader and `check` found, each tied to a file, a JSON pointer and a
//! line/column in the original text.

use mockgen_source::Span;
use serde::Serialize;

/// How bad a finding is. Errors fail `mockgen check`; warnings only with `--strict`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One finding, located in the original text of one of the loaded files.
#[derive(Clone, Debug, Serialize)]
pub struct Diagnostic {
    #[serde(skip)]
    pub severity: Severity,
    /// Stable kebab-case identifier, e.g. `ref-unresolved`; documented in README.
    pub code: &'static str,
    pub message: String,
    /// Index into [`crate::Loaded::files`].
    #[serde(skip)]
    pub file: usize,
    /// RFC 6901 pointer into the original document (before any normalisation).
    pub pointer: String,
    /// 1-based line of the offending node (0 when the file could not be read at all).
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    #[serde(skip)]
    pub span: Option<Span>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

/// Order findings as a reader meets them: by file, then line, then column (stable).
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by_key(|d| (d.file, d.line, d.column));
}

impl Diagnostic {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
