//! The real-world documents in /work/shared/specs: every node gets a span, and the text at a
//! scalar's span reads back as that scalar.

mod common;

use std::path::PathBuf;

use common::{pointers, slice};
use mockgen_source::{Document, Format, parse};
use serde_json::Value;

fn specs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/specs")
}

fn spec_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(specs_dir())
        .expect("the shared specs directory exists")
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| {
            matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("json" | "yaml" | "yml")
            )
        })
        .collect();
    files.sort();
    assert!(
        files.len() >= 20,
        "expected the shared specs, found {files:?}"
    );
    files
}

/// Checks that the text at a scalar's span denotes that scalar.
fn check_scalar(doc: &Document, ptr: &str, value: &Value) {
    let span = doc
        .span(ptr)
        .unwrap_or_else(|| panic!("no span for {ptr:?}"));
    let text = slice(doc, span);
    match doc.format {
        Format::Json => {
            let reread: Value = serde_json::from_str(text)
                .unwrap_or_else(|e| panic!("{ptr:?}: {text:?} does not parse: {e}"));
            assert_eq!(&reread, value, "{ptr:?}");
        }
        Format::Yaml => {
            // Block scalars have their `|`/`>` indicator outside the span: check their first
            // line. Multi-line flow scalars depend on their indentation: check the first word.
            let before = doc.text()[..span.start].trim_end_matches([' ', '\n', '\r']);
            let block = before
                .trim_end_matches(['-', '+', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
                .ends_with(['|', '>']);
            if block {
                let first = text.lines().next().unwrap_or_default();
                let content = value.as_str().unwrap_or_default();
                assert!(content.starts_with(first), "{ptr:?}: {text:?} vs {value:?}");
            } else if text.contains('\n') {
                let first = value
                    .as_str()
                    .and_then(|s| s.lines().next())
                    .unwrap_or_default();
                let first_word = first.split_whitespace().next().unwrap_or_default();
                assert!(text.contains(first_word), "{ptr:?}: {text:?} vs {value:?}");
            } else if !text.starts_with('*') {
                let reread = parse(text)
                    .unwrap_or_else(|e| panic!("{ptr:?}: {text:?} does not parse: {e}"))
                    .value;
                match (&reread, value) {
                    // A one-line block scalar (`|` content) reads back without its newline.
                    (Value::String(a), Value::String(b)) => {
                        assert_eq!(a.trim_end(), b.trim_end(), "{ptr:?}: {text:?}");
                    }
                    _ => assert_eq!(&reread, value, "{ptr:?}: {text:?}"),
                }
            }
        }
    }
}

#[test]
fn every_node_of_every_spec_has_a_span() {
    for path in spec_files() {
        let text = std::fs::read_to_string(&path).expect("readable spec");
        let doc = parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let all = pointers(&doc.value);
        let mut scalars = 0;
        for (ptr, value) in &all {
            let span = doc
                .span(ptr)
                .unwrap_or_else(|| panic!("{}: no span for {ptr:?}", path.display()));
            assert!(span.end <= text.len());
            match value {
                Value::Object(_) => {
                    let opening = slice(&doc, span).trim_start_matches(['&', '!']);
                    assert!(!opening.is_empty(), "{}: {ptr:?}", path.display());
                }
                Value::Array(_) => {}
                _ if scalars < 2000 => {
                    scalars += 1;
                    check_scalar(&doc, ptr, value);
                }
                _ => {}
            }
            if let Some(key) = doc.key_span(ptr) {
                let written = slice(&doc, key);
                let token = ptr.rsplit('/').next().unwrap_or_default();
                let token = mockgen_source::unescape_token(token);
                if doc.format == Format::Json {
                    let key: String = serde_json::from_str(written).expect("JSON key");
                    assert_eq!(key, token, "{}: {ptr:?}", path.display());
                } else {
                    let unquoted = ['"', '\'']
                        .into_iter()
                        .find_map(|q| written.strip_prefix(q)?.strip_suffix(q))
                        .unwrap_or(written);
                    assert_eq!(unquoted, token, "{}: {ptr:?}", path.display());
                }
            }
        }
        // The root span covers the whole document.
        let root = doc.span("").expect("root span");
        assert!(text[..root.start].trim().is_empty() || doc.format == Format::Yaml);
        assert!(text[root.end..].trim().is_empty(), "{}", path.display());
    }
}
