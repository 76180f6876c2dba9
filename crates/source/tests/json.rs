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
fn duplicate_keys_are_warnings() {
    // The same document as specs/err/json-duplicate-key.json, shortened.
    let text = r#"{
  "openapi": "3.0.3",
  "paths": {
    "/pets": {
      "get": {"operationId": "listPets"}
    },
    "/pets": {
      "post": {"operationId": "createPet"}
    }
  }
}"#;
    let doc = parse(text).expect("duplicates do not stop loading");
    assert_eq!(
        doc.value["paths"],
        json!({"/pets": {"post": {"operationId": "createPet"}}})
    );
    let [warning] = doc.warnings() else {
        panic!("one warning expected: {:?}", doc.warnings());
    };
    assert_eq!(
        warning.message,
        "duplicate key `/pets`; the last value is used"
    );
    assert_eq!((warning.line, warning.column), (7, 5));
    assert_eq!(&text[warning.span.start..warning.span.end], r#""/pets""#);
    assert_eq!(warning.pointer, "/paths/~1pets");
    assert_eq!(
        warning.to_string(),
        "duplicate key `/pets`; the last value is used at line 7 column 5"
    );
    // Spans follow the value that was kept.
    assert_eq!(doc.key_span("/paths/~1pets"), Some(warning.span));
    assert!(at(&doc, "/paths/~1pets").contains("createPet"));
    assert_eq!(doc.span("/paths/~1pets/get"), None);
    assert_eq!(
        doc.nearest_span("/paths/~1pets/get/operationId"),
        doc.span("/paths/~1pets").expect("span")
    );
}

#[test]
fn every_repeated_key_is_a_warning_in_text_order() {
    let text = "{\"a\": 1, \"b\": [{\"é\": 1, \"\\u00e9\": 2}], \"a\": 2,\n \"a\": {\"x~/\": 0, \"x~/\": {}}}";
    let doc = parse(text).expect("valid JSON");
    assert_eq!(doc.value, json!({"a": {"x~/": {}}, "b": [{"é": 2}]}));
    let got: Vec<_> = doc
        .warnings()
        .iter()
        .map(|w| (w.message.as_str(), w.pointer.as_str(), w.line, w.column))
        .collect();
    assert_eq!(
        got,
        [
            ("duplicate key `é`; the last value is used", "/b/0/é", 1, 25),
            ("duplicate key `a`; the last value is used", "/a", 1, 40),
            ("duplicate key `a`; the last value is used", "/a", 2, 2),
            (
                "duplicate key `x~/`; the last value is used",
                "/a/x~0~1",
                2,
                18
            ),
        ]
    );
    assert_eq!(key_at(&doc, "/b/0/é"), r#""\u00e9""#);
    assert_eq!(at(&doc, "/a/x~0~1"), "{}");
}

#[test]
fn duplicate_key_after_a_byte_order_mark() {
    let doc = parse("\u{feff}{\"a\":1,\"a\":2}").expect("valid JSON");
    assert_eq!(doc.value, json!({"a": 2}));
    let [warning] = doc.warnings() else {
        panic!("one warning expected: {:?}", doc.warnings());
    };
    assert_eq!((warning.line, warning.column), (1, 8));
    assert_eq!(warning.span, Span::new(10, 13));
}

#[test]
fn no_warnings_without_duplicates() {
    let doc = parse(SPEC).expect("valid JSON");
    assert!(doc.warnings().is_empty());
    let doc = parse("a: 1\n").expect("valid YAML");
    assert!(doc.warnings().is_empty());
    // Equal keys in different objects are not duplicates.
    let doc = parse(r#"{"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]}"#).expect("valid JSON");
    assert!(doc.warnings().is_empty());
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
