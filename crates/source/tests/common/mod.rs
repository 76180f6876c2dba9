//! Helpers shared by the integration tests.
#![allow(dead_code)]

use mockgen_source::{Document, Span, push_token};
use serde_json::Value;

/// Text of a span, panicking (with context) if the span is not a valid range of the text.
pub fn slice(doc: &Document, span: Span) -> &str {
    doc.text()
        .get(span.start..span.end)
        .unwrap_or_else(|| panic!("span {span:?} is not a valid range of the text"))
}

/// Text at the value span of `ptr`.
pub fn at<'d>(doc: &'d Document, ptr: &str) -> &'d str {
    let span = doc
        .span(ptr)
        .unwrap_or_else(|| panic!("no span for {ptr:?}"));
    slice(doc, span)
}

/// Text at the key span of `ptr`.
pub fn key_at<'d>(doc: &'d Document, ptr: &str) -> &'d str {
    let span = doc
        .key_span(ptr)
        .unwrap_or_else(|| panic!("no key span for {ptr:?}"));
    slice(doc, span)
}

/// (line, column) of the start of the value at `ptr`.
pub fn loc(doc: &Document, ptr: &str) -> (usize, usize) {
    let span = doc
        .span(ptr)
        .unwrap_or_else(|| panic!("no span for {ptr:?}"));
    let location = doc.location(span.start);
    (location.line, location.column)
}

/// Every pointer of a value (root first), paired with its node, in document order.
pub fn pointers(value: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    let mut todo = vec![(String::new(), value)];
    while let Some((ptr, node)) = todo.pop() {
        match node {
            Value::Object(map) => {
                for (key, child) in map.iter().rev() {
                    let mut p = ptr.clone();
                    push_token(&mut p, key);
                    todo.push((p, child));
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate().rev() {
                    todo.push((format!("{ptr}/{index}"), child));
                }
            }
            _ => {}
        }
        out.push((ptr, node));
    }
    out
}

/// Check that every node has a span inside the text, on character boundaries.
pub fn check_all_spans(doc: &Document) {
    let len = doc.text().len();
    for (ptr, _) in pointers(&doc.value) {
        let span = doc
            .span(&ptr)
            .unwrap_or_else(|| panic!("no span for {ptr:?}"));
        assert!(
            span.start <= span.end && span.end <= len,
            "{ptr:?}: {span:?}"
        );
        slice(doc, span);
        if let Some(key) = doc.key_span(&ptr) {
            assert!(
                key.start <= key.end && key.end <= len,
                "{ptr:?}: key {key:?}"
            );
            slice(doc, key);
        }
        let location = doc.location(span.start);
        assert!(location.line >= 1 && location.column >= 1);
    }
}
