//! JSON documents: values, lazily built spans, locations and errors.

mod common;

use common::{at, check_all_spans, key_at, loc};
use mockgen_source::{Format, Location, Span, parse};
use serde_json::json;

const SPEC: &str = r#"{
  "openapi": "3.0.0",
  "info": {"title": "Pét 🐶 store", "x-emoji": "😀😀"},
  "paths": {
    "/pets/{id}": {
      "get": {
        "tags": ["pets", "🐕", 3, -1.5e3, true, null],
        "responses": {"200": {"description": "ok"}}
      }
    },
    "a~b": 1,
    "esc\/aped\u00e9\ud83d\ude00": {},
    "": []
  }
}
"#;

#[test]
fn values_and_format() {
    let doc = parse(SPEC).expect("valid JSON");
    assert_eq!(doc.format, Format::Json);
    assert_eq!(doc.value["paths"]["esc/apedé😀"], json!({}));
    assert_eq!(doc.value["paths"][""], json!([]));
    check_all_spans(&doc);
}

#[test]
fn spans_of_nested_nodes() {
    let doc = parse(SPEC).expect("valid JSON");
    assert_eq!(at(&doc, "/openapi"), r#""3.0.0""#);
    assert_eq!(
        at(&doc, "/info"),
        r#"{"title": "Pét 🐶 store", "x-emoji": "😀😀"}"#
    );
    assert_eq!(at(&doc, "/info/x-emoji"), r#""😀😀""#);
    let tags = "/paths/~1pets~1{id}/get/tags";
    assert_eq!(at(&doc, tags), r#"["pets", "🐕", 3, -1.5e3, true, null]"#);
    assert_eq!(at(&doc, &format!("{tags}/1")), r#""🐕""#);
    assert_eq!(at(&doc, &format!("{tags}/3")), "-1.5e3");
    assert_eq!(at(&doc, &format!("{tags}/5")), "null");
    assert_eq!(
        at(&doc, "/paths/~1pets~1{id}/get/responses/200/description"),
        r#""ok""#
    );
    assert_eq!(at(&doc, "/paths/a~0b"), "1");
    assert_eq!(at(&doc, "/paths/esc~1apedé😀"), "{}");
    assert_eq!(at(&doc, "/paths/"), "[]");
    assert!(at(&doc, "").starts_with('{') && at(&doc, "").ends_with('}'));
    assert_eq!(doc.span(&format!("{tags}/6")), None);
    assert_eq!(doc.span("/paths/a~b"), None);
    assert_eq!(doc.span("paths"), None);
}

#[test]
fn locations_count_characters_after_non_ascii() {
    let doc = parse(SPEC).expect("valid JSON");
    assert_eq!(loc(&doc, "/openapi"), (2, 14));
    assert_eq!(loc(&doc, "/info/x-emoji"), (3, 47));
    assert_eq!(loc(&doc, "/paths/~1pets~1{id}/get/tags/1"), (7, 26));
    assert_eq!(loc(&doc, "/paths/~1pets~1{id}/get/tags/2"), (7, 31));
    assert_eq!(loc(&doc, "/paths/~1pets~1{id}/get/tags/3"), (7, 34));
}

#[test]
fn key_spans() {
    let doc = parse(SPEC).expect("valid JSON");
    assert_eq!(key_at(&doc, "/paths/~1pets~1{id}"), r#""/pets/{id}""#);
    assert_eq!(
        key_at(&doc, "/paths/esc~1apedé😀"),
        r#""esc\/aped\u00e9\ud83d\ude00""#
    );
    assert_eq!(key_at(&doc, "/info/x-emoji"), r#""x-emoji""#);
    let key = doc.key_span("/info/x-emoji").expect("key span");
    assert_eq!(
        doc.location(key.start),
        Location {
            line: 3,
            column: 36
        }
    );
    assert_eq!(doc.key_span("/paths/~1pets~1{id}/get/tags/0"), None);
    assert_eq!(doc.key_span(""), None);
}

#[test]
fn nearest_span_falls_back_to_ancestors() {
    let doc = parse(SPEC).expect("valid JSON");
    let title = doc.span("/info/title").expect("span");
    assert_eq!(doc.nearest_span("/info/title/x/y"), title);
    let root = doc.span("").expect("root");
    assert_eq!(doc.nearest_span("/missing"), root);
    assert_eq!(doc.nearest_span("garbage"), root);
    assert_eq!(doc.nearest_span(""), root);
}

#[test]
fn syntax_errors_have_exact_locations() {
    let cases: &[(&str, &str, (usize, usize))] = &[
        ("{\"a\": 1,}", "trailing comma", (1, 9)),
        // serde_json stops on the newline after `tru`.
        ("{\n  \"é😀\": tru\n}", "expected ident", (2, 12)),
        ("{\n  \"a\": [1,\n", "EOF while parsing a value", (3, 1)),
        ("{\n  \"é😀\": 1 2\n}", "expected `,` or `}`", (2, 11)),
        ("{\"a\": [1, 2}", "expected `,` or `]`", (1, 12)),
        ("{\"a\": ", "EOF while parsing a value", (1, 7)),
        ("[1] x", "trailing characters", (1, 5)),
        // JSON-looking YAML is reported as the JSON it tried to be.
        ("{a: 1}", "key must be a string", (1, 2)),
        ("[1, 2]\nmore: yaml", "trailing characters", (2, 1)),
    ];
    for (text, message, (line, column)) in cases {
        let err = parse(text).expect_err(text);
        assert_eq!(&err.message, message, "{text:?}");
        assert_eq!((err.line, err.column), (*line, *column), "{text:?}: {err}");
        assert!(err.span.end <= text.len());
    }
    let err = parse("{\"a\": 1,}").expect_err("invalid");
    assert_eq!(err.span, Span::new(8, 9));
    assert_eq!(err.to_string(), "trailing comma at line 1 column 9");
}

#[test]
fn byte_order_mark_and_leading_whitespace() {
    let doc = parse("\u{feff}\n  {\"a\": \"é\", \"b\": [1]}").expect("valid JSON");
    assert_eq!(doc.format, Format::Json);
    assert_eq!(doc.value, json!({"a": "é", "b": [1]}));
    assert_eq!(at(&doc, "/b/0"), "1");
    assert_eq!(loc(&doc, "/a"), (2, 9));
    let doc = parse("\u{feff}{\"a\": 1}").expect("valid JSON");
    assert_eq!(loc(&doc, "/a"), (1, 7));
    let err = parse("\u{feff}{\"a\": x}").expect_err("invalid");
    assert_eq!((err.line, err.column), (1, 7));
    assert_eq!(err.span, Span::new(9, 10));
}

#[test]
fn big_numbers() {
    let doc = parse(r#"{"max": 18446744073709551615, "min": -9223372036854775808, "f": 1e300}"#)
        .expect("valid JSON");
    assert_eq!(doc.value["max"].as_u64(), Some(u64::MAX));
    assert_eq!(doc.value["min"].as_i64(), Some(i64::MIN));
    assert_eq!(at(&doc, "/max"), "18446744073709551615");
    let err = parse(r#"{"inf": 1e999}"#).expect_err("out of range");
    assert_eq!(err.message, "number out of range");
}

#[test]
fn duplicate_keys_keep_the_last_value_like_serde_json() {
    let doc = parse(r#"{"a": {"x": 1}, "a": [2]}"#).expect("valid JSON");
    assert_eq!(doc.value, json!({"a": [2]}));
    assert_eq!(at(&doc, "/a"), "[2]");
    assert_eq!(at(&doc, "/a/0"), "2");
}

#[test]
fn scalar_roots() {
    let doc = parse("[]").expect("valid JSON");
    assert_eq!(at(&doc, ""), "[]");
    // A bare JSON scalar is also valid YAML, and is read as such.
    let doc = parse("\"text\"").expect("valid");
    assert_eq!(doc.format, Format::Yaml);
    assert_eq!(doc.value, json!("text"));
}
