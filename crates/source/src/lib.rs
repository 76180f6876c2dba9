//! Spec sources: the text of a JSON or YAML document → `serde_json::Value` plus a span (byte
//! range, line, column) for every node, addressed by JSON pointer.
//!
//! This is the foundation of every mockgen diagnostic: whatever a later stage complains about
//! must be reported as `file:line:column` a user can jump to. The crate does no I/O.
//!
//! ```text
//! let doc = mockgen_source::parse(&text)?;
//! let span = doc.nearest_span("/paths/~1pets/get/responses/200");
//! let at = doc.location(span.start); // 1-based line and column
//! for warning in doc.warnings() { /* e.g. a JSON key given twice */ }
//! ```

mod json;
mod pointer;
mod position;
mod yaml;

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use serde_json::Value;

pub use pointer::{
    escape_token, lookup, parent_pointer, pointer_tokens, push_token, unescape_token,
};
pub use position::{Location, Span};
pub use yaml::{MAX_ALIAS_NODES, MAX_DEPTH};

use position::{LineIndex, locate};

/// Syntax the document was read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Json,
    Yaml,
}

/// The text is not a well-formed document (or uses a YAML feature mockgen cannot represent).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} at line {line} column {column}")]
pub struct SyntaxError {
    pub message: String,
    /// Byte range the error points at (often a single character).
    pub span: Span,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
}

impl SyntaxError {
    pub(crate) fn new(text: &str, span: Span, message: String) -> Self {
        let Location { line, column } = locate(text, span.start);
        Self {
            message,
            span,
            line,
            column,
        }
    }
}

/// Something worth telling the author of a document that was nevertheless loaded, such as a
/// JSON key given twice (JSON parsers disagree on which value wins; mockgen, like serde_json,
/// keeps the last one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceWarning {
    pub message: String,
    /// Byte range the warning points at (for a duplicate key: the repeated key, quotes
    /// included).
    pub span: Span,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// RFC 6901 pointer of the node concerned (for a duplicate key: the member, whose value is
    /// the last one given).
    pub pointer: String,
}

impl fmt::Display for SourceWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {} column {}",
            self.message, self.line, self.column
        )
    }
}

/// Spans of one node: its value and, for a mapping entry, its key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NodeSpans {
    pub(crate) value: Span,
    pub(crate) key: Option<Span>,
}

/// Pointer (RFC 6901, escaped) → spans.
pub(crate) type SpanMap = HashMap<String, NodeSpans>;

/// Where each node of a document is.
#[derive(Clone, Debug)]
enum Spans {
    /// Compact tree scanned from the text on first use.
    Json(json::JsonSpans),
    /// Built while parsing: aliases and merge keys make YAML nodes appear at several
    /// pointers, so YAML keeps a map.
    Yaml(SpanMap),
}

impl Spans {
    fn get(&self, text: &str, pointer: &str) -> Option<NodeSpans> {
        match self {
            Self::Json(index) => index.get(text, pointer),
            Self::Yaml(map) => map.get(pointer).copied(),
        }
    }

    /// Value span of the node at `pointer`, else of its nearest existing ancestor.
    fn nearest(&self, text: &str, pointer: &str) -> Option<Span> {
        match self {
            Self::Json(index) => index.nearest(text, pointer),
            Self::Yaml(map) => {
                let mut current = pointer;
                loop {
                    if let Some(found) = map.get(current) {
                        return Some(found.value);
                    }
                    match parent_pointer(current) {
                        Some(parent) => current = parent,
                        None => return map.get("").map(|root| root.value),
                    }
                }
            }
        }
    }
}

/// A parsed document: its value plus what is needed to locate any node of it in the text.
#[derive(Clone)]
pub struct Document {
    pub value: Value,
    pub format: Format,
    text: String,
    /// Where the JSON value starts (after a byte order mark).
    content_start: usize,
    /// Built while parsing YAML; built on first use for JSON, whose parse must stay fast.
    spans: OnceLock<Spans>,
    lines: OnceLock<LineIndex>,
    extra_documents: usize,
    warnings: Vec<SourceWarning>,
}

/// Parse a JSON or YAML document.
///
/// After a byte order mark and whitespace, `{` or `[` means JSON (serde_json is several times
/// faster and handles surrogate escapes); anything else is YAML. A document that looks like
/// JSON but is not valid JSON is reported as a JSON error rather than retried as YAML: the
/// JSON error is the one that helps its author.
///
/// An empty document (or one with only comments) gives `Value::Null`; reporting it is up to
/// the caller. Only the first document of a YAML stream is used, see
/// [`Document::extra_documents`].
///
/// A key repeated within a JSON object is accepted, the last value winning as in serde_json,
/// and reported by [`Document::warnings`]; in YAML it is a syntax error.
pub fn parse(text: &str) -> Result<Document, SyntaxError> {
    let content_start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let first = text[content_start..].trim_start_matches([' ', '\t', '\r', '\n']);
    let mut document = Document {
        value: Value::Null,
        format: Format::Json,
        text: text.to_owned(),
        content_start,
        spans: OnceLock::new(),
        lines: OnceLock::new(),
        extra_documents: 0,
        warnings: Vec::new(),
    };
    if first.starts_with(['{', '[']) {
        let parsed = json::parse(text, content_start)?;
        document.value = parsed.value;
        if !parsed.objects_with_duplicates.is_empty() {
            document.warn_duplicate_keys(&parsed.objects_with_duplicates);
        }
    } else {
        let parsed = yaml::parse(text)?;
        document.format = Format::Yaml;
        document.value = parsed.value;
        document.spans = OnceLock::from(Spans::Yaml(parsed.spans));
        document.extra_documents = parsed.extra_documents;
    }
    Ok(document)
}

impl Document {
    /// The text the document was parsed from; spans index into it.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Documents after the first in a YAML stream (`---` … `---` …): they are checked for
    /// syntax but ignored, and a caller may want to warn about them.
    pub fn extra_documents(&self) -> usize {
        self.extra_documents
    }

    /// Problems that did not stop the document from loading, in text order: a JSON object
    /// giving the same key twice (YAML forbids it: that is a [`SyntaxError`]).
    pub fn warnings(&self) -> &[SourceWarning] {
        &self.warnings
    }

    /// Span of the node at this RFC 6901 JSON pointer (`""` = root, `"/paths/~1pets/get"`).
    /// For a mapping entry, the span of its VALUE.
    ///
    /// For YAML, nodes copied by an alias or a merge key point into the anchored definition
    /// (the aliased node itself points at the alias).
    pub fn span(&self, pointer: &str) -> Option<Span> {
        self.spans()
            .get(&self.text, pointer)
            .map(|spans| spans.value)
    }

    /// Span of the KEY of the mapping entry at `pointer`, if the node is a mapping entry.
    pub fn key_span(&self, pointer: &str) -> Option<Span> {
        self.spans()
            .get(&self.text, pointer)
            .and_then(|spans| spans.key)
    }

    /// Span of the node at `pointer`, else of its nearest existing ancestor, else of the root.
    pub fn nearest_span(&self, pointer: &str) -> Span {
        self.spans()
            .nearest(&self.text, pointer)
            .unwrap_or(Span::new(0, self.text.len()))
    }

    /// Where to report a problem with the node at `pointer`: the start of its KEY when
    /// `at_key` and it is a mapping entry (an unknown or misplaced field), else of the node
    /// or its nearest existing ancestor.
    pub fn place(&self, pointer: &str, at_key: bool) -> Location {
        let span = at_key
            .then(|| self.key_span(pointer))
            .flatten()
            .unwrap_or_else(|| self.nearest_span(pointer));
        self.location(span.start)
    }

    /// 1-based line and column (in characters) of a byte offset; offsets past the end or
    /// inside a character are clamped to the previous character boundary.
    pub fn location(&self, byte_offset: usize) -> Location {
        self.lines
            .get_or_init(|| LineIndex::new(&self.text))
            .location(&self.text, byte_offset)
    }

    fn spans(&self) -> &Spans {
        self.spans
            .get_or_init(|| Spans::Json(json::JsonSpans::build(&self.text, self.content_start)))
    }

    /// One warning per repeated key (the parse only counted them; finding them needs spans).
    fn warn_duplicate_keys(&mut self, objects: &[json::ObjectOrdinal]) {
        let Spans::Json(index) = self.spans() else {
            return;
        };
        let duplicates = index.duplicate_keys(&self.text, objects);
        let warnings = duplicates
            .into_iter()
            .map(|duplicate| {
                let Location { line, column } = self.location(duplicate.span.start);
                SourceWarning {
                    message: format!("duplicate key `{}`; the last value is used", duplicate.key),
                    span: duplicate.span,
                    line,
                    column,
                    pointer: duplicate.pointer,
                }
            })
            .collect();
        self.warnings = warnings;
    }
}

impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The text and value of a real spec are megabytes: keep Debug output readable.
        f.debug_struct("Document")
            .field("format", &self.format)
            .field("text_len", &self.text.len())
            .field("extra_documents", &self.extra_documents)
            .field("warnings", &self.warnings.len())
            .field("spans_built", &self.spans.get().is_some())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + fmt::Debug>() {}

    #[test]
    fn document_is_send_sync_debug() {
        assert_send_sync::<Document>();
        assert_send_sync::<SyntaxError>();
        assert_send_sync::<SourceWarning>();
    }

    #[test]
    fn json_spans_are_lazy() {
        let doc = parse(r#"{"a": 1}"#).expect("valid JSON");
        assert!(doc.spans.get().is_none());
        assert_eq!(doc.span("/a"), Some(Span::new(6, 7)));
        assert!(doc.spans.get().is_some());
        assert!(format!("{doc:?}").contains("spans_built: true"));
    }
}
