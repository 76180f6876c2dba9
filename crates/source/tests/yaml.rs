//! YAML documents: values, spans, locations and errors.

mod common;

use common::{at, check_all_spans, key_at, loc};
use mockgen_source::{Format, Location, MAX_DEPTH, Span, parse};
use serde_json::json;

const SPEC: &str = "\
# Ünïcode 😀 comment
openapi: 3.0.0
info:
  title: \"Pét 🐶 store\"
  x-emoji: 😀😀 é
paths:
  /pets/{id}:
    get:
      tags: [pets, \"🐕\"]
      responses:
        200:
          description: ok
  a~b: 1
";

#[test]
fn values() {
    let doc = parse(SPEC).expect("valid YAML");
    assert_eq!(doc.format, Format::Yaml);
    assert_eq!(
        doc.value,
        json!({
            "openapi": "3.0.0",
            "info": {"title": "Pét 🐶 store", "x-emoji": "😀😀 é"},
            "paths": {
                "/pets/{id}": {"get": {
                    "tags": ["pets", "🐕"],
                    "responses": {"200": {"description": "ok"}}
                }},
                "a~b": 1
            }
        })
    );
    check_all_spans(&doc);
}

#[test]
fn spans_of_nested_nodes() {
    let doc = parse(SPEC).expect("valid YAML");
    assert_eq!(at(&doc, "/openapi"), "3.0.0");
    assert_eq!(at(&doc, "/info/title"), "\"Pét 🐶 store\"");
    assert_eq!(at(&doc, "/info/x-emoji"), "😀😀 é");
    assert_eq!(at(&doc, "/paths/~1pets~1{id}/get/tags"), "[pets, \"🐕\"]");
    assert_eq!(at(&doc, "/paths/~1pets~1{id}/get/tags/0"), "pets");
    assert_eq!(at(&doc, "/paths/~1pets~1{id}/get/tags/1"), "\"🐕\"");
    assert_eq!(
        at(&doc, "/paths/~1pets~1{id}/get/responses/200/description"),
        "ok"
    );
    assert_eq!(at(&doc, "/paths/a~0b"), "1");
    // Block collections end with their last child, not at the next token.
    assert_eq!(
        at(&doc, "/info"),
        "title: \"Pét 🐶 store\"\n  x-emoji: 😀😀 é"
    );
    assert_eq!(
        at(&doc, "/paths/~1pets~1{id}/get/responses"),
        "200:\n          description: ok"
    );
    assert!(at(&doc, "").starts_with("openapi: 3.0.0\ninfo:"));
    assert!(at(&doc, "").ends_with("a~b: 1"));
    assert_eq!(doc.span("/paths/~1pets~1{id}/get/tags/2"), None);
    assert_eq!(doc.span("/paths/~1pets~1{id}/get/tags/01"), None);
    assert_eq!(doc.span("/nope"), None);
    assert_eq!(doc.span("paths"), None);
}

#[test]
fn locations_count_characters_after_non_ascii() {
    let doc = parse(SPEC).expect("valid YAML");
    assert_eq!(loc(&doc, "/openapi"), (2, 10));
    assert_eq!(loc(&doc, "/info/title"), (4, 10));
    assert_eq!(loc(&doc, "/paths/~1pets~1{id}/get/tags/1"), (9, 20));
    assert_eq!(loc(&doc, "/paths/~1pets~1{id}/get/responses/200"), (12, 11));
    // The value starts at column 12 and has 4 characters.
    let emoji = doc.span("/info/x-emoji").expect("span");
    assert_eq!(
        doc.location(emoji.end),
        Location {
            line: 5,
            column: 16
        }
    );
    // x-emoji's value is 😀😀 é: 4 + 4 + 1 + 2 bytes.
    assert_eq!(emoji.len(), 11);
}

#[test]
fn key_spans() {
    let doc = parse(SPEC).expect("valid YAML");
    assert_eq!(key_at(&doc, "/paths/~1pets~1{id}"), "/pets/{id}");
    assert_eq!(key_at(&doc, "/paths/~1pets~1{id}/get/responses/200"), "200");
    assert_eq!(key_at(&doc, "/info/title"), "title");
    assert_eq!(key_at(&doc, "/paths/a~0b"), "a~b");
    let title_key = doc.key_span("/info/title").expect("key span");
    assert_eq!(
        doc.location(title_key.start),
        Location { line: 4, column: 3 }
    );
    // Sequence items and the root are not mapping entries.
    assert_eq!(doc.key_span("/paths/~1pets~1{id}/get/tags/0"), None);
    assert_eq!(doc.key_span(""), None);
}

#[test]
fn nearest_span_falls_back_to_ancestors() {
    let doc = parse(SPEC).expect("valid YAML");
    let title = doc.span("/info/title").expect("span");
    assert_eq!(doc.nearest_span("/info/title"), title);
    assert_eq!(doc.nearest_span("/info/title/deeper/still"), title);
    let info = doc.span("/info").expect("span");
    assert_eq!(doc.nearest_span("/info/missing"), info);
    let root = doc.span("").expect("root span");
    assert_eq!(doc.nearest_span("/missing/x"), root);
    assert_eq!(doc.nearest_span("not a pointer"), root);
    assert_eq!(doc.nearest_span("~~~/\u{0}/"), root);
    assert_eq!(doc.nearest_span(""), root);
}

#[test]
fn scalar_keys_become_strings_as_written() {
    let doc = parse("200: a\ntrue: b\n1.5: c\nnull: d\n1.10: e\n0x1F: f\nTrue: g\n? \n: h0\n")
        .expect_err("`null` and the empty key are both the key \"null\"");
    assert_eq!(doc.message, "duplicate key `null`");
    // saphyr places an empty key at the next token, the `:`.
    assert_eq!((doc.line, doc.column), (9, 1));

    let doc =
        parse("200: a\ntrue: b\n1.5: c\nnull: d\n1.10: e\n0x1F: f\nTrue: g\n").expect("valid YAML");
    assert_eq!(
        doc.value,
        json!({"200": "a", "true": "b", "1.5": "c", "null": "d", "1.10": "e", "0x1F": "f", "True": "g"})
    );
    assert_eq!(key_at(&doc, "/200"), "200");
}

#[test]
fn merge_keys() {
    let text = "\
base: &base
  a: 1
  b: 2
other: &other
  b: 20
  c: 30
m1:
  <<: *base
  b: 3
m2:
  x: 0
  <<: [*base, *other]
  c: 4
m3:
  <<: {inline: true}
  z: 1
";
    let doc = parse(text).expect("valid YAML");
    assert_eq!(doc.value["m1"], json!({"a": 1, "b": 3}));
    assert_eq!(doc.value["m2"], json!({"x": 0, "a": 1, "b": 2, "c": 4}));
    assert_eq!(doc.value["m3"], json!({"inline": true, "z": 1}));
    // Key order: merged keys take the place of `<<`.
    let keys: Vec<_> = doc.value["m2"]
        .as_object()
        .expect("object")
        .keys()
        .collect();
    assert_eq!(keys, ["x", "a", "b", "c"]);
    check_all_spans(&doc);
    // Merged entries point into their definition, explicit ones at themselves.
    assert_eq!(loc(&doc, "/m1/a"), (2, 6));
    assert_eq!(loc(&doc, "/m1/b"), (9, 6));
    assert_eq!(loc(&doc, "/m2/b"), (3, 6));
    assert_eq!(loc(&doc, "/m2/c"), (13, 6));
    assert_eq!(key_at(&doc, "/m2/a"), "a");
    assert_eq!(at(&doc, "/m3/inline"), "true");
    assert_eq!(doc.span("/m1/<<"), None);
    assert_eq!(doc.span("/m2/<</0"), None);
}

#[test]
fn merge_key_errors() {
    let err = parse("a: &a 1\nb:\n  <<: *a\n").expect_err("scalar merge");
    assert_eq!(
        err.message,
        "the merge key `<<` needs a mapping or a list of mappings"
    );
    assert_eq!((err.line, err.column), (3, 7));
    let err = parse("b:\n  <<: {x: 1}\n  <<: {y: 1}\n").expect_err("two merges");
    assert_eq!(err.message, "duplicate key `<<`");
    assert_eq!((err.line, err.column), (3, 3));
    // A quoted `<<` is an ordinary key.
    let doc = parse("\"<<\": {x: 1}\n").expect("valid YAML");
    assert_eq!(doc.value, json!({"<<": {"x": 1}}));
}

#[test]
fn aliases() {
    let text = "\
defs:
  err: &err
    type: object
    props: [a, b]
  id: &id 42
use:
  e: *err
  list: [*id, *err]
";
    let doc = parse(text).expect("valid YAML");
    assert_eq!(
        doc.value["use"]["e"],
        json!({"type": "object", "props": ["a", "b"]})
    );
    assert_eq!(doc.value["use"]["list"][0], json!(42));
    check_all_spans(&doc);
    // The alias itself is located where it is written, its children in the anchor.
    assert_eq!(at(&doc, "/use/e"), "*err");
    assert_eq!(key_at(&doc, "/use/e"), "e");
    assert_eq!(at(&doc, "/use/e/props/1"), "b");
    assert_eq!(loc(&doc, "/use/list/1/type"), (3, 11));
    assert_eq!(at(&doc, "/use/list/0"), "*id");
    assert_eq!(at(&doc, "/defs/id"), "&id 42");
}

#[test]
fn alias_errors() {
    let err = parse("a: &a [1, *a]\n").expect_err("recursive alias");
    assert!(err.message.contains("recursive alias"), "{}", err.message);
    assert_eq!((err.line, err.column), (1, 11));
    let err = parse("a: *nope\n").expect_err("unknown anchor");
    assert_eq!((err.line, err.column), (1, 4));
    let err = parse("a: &a [1]\n*a : x\n").expect_err("sequence used as a key");
    assert_eq!(err.message, "complex mapping keys are not supported");
    // A scalar alias as a key is fine.
    let doc = parse("a: &k name\n*k : x\n").expect("valid YAML");
    assert_eq!(doc.value, json!({"a": "name", "name": "x"}));
}

#[test]
fn billion_laughs_is_refused() {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..10 {
        let prev = level - 1;
        let refs = vec![format!("*a{prev}"); 10].join(", ");
        text.push_str(&format!("a{level}: &a{level} [{refs}]\n"));
    }
    let err = parse(&text).expect_err("exponential expansion");
    assert!(err.message.contains("more than"), "{}", err.message);
    // Mapping keys are no way around the budget either.
    let mut text = String::from("k0: &k0 {x: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}\n");
    for level in 1..10 {
        let prev = level - 1;
        let refs: Vec<_> = (0..10).map(|i| format!("v{i}: *k{prev}")).collect();
        text.push_str(&format!("k{level}: &k{level} {{{}}}\n", refs.join(", ")));
    }
    assert!(parse(&text).is_err());
}

#[test]
fn duplicate_keys() {
    let err = parse("a: 1\nb:\n  c: 1\n  ü: 2\n  ü: 3\n").expect_err("duplicate");
    assert_eq!(err.message, "duplicate key `ü`");
    assert_eq!((err.line, err.column), (5, 3));
    assert_eq!(err.span, Span::new(25, 27));
    // Keys that differ in YAML but not in JSON.
    let err = parse("responses:\n  200: a\n  '200': b\n").expect_err("duplicate");
    assert_eq!(err.message, "duplicate key `200`");
    assert_eq!((err.line, err.column), (3, 3));
    let err = parse("{a: 1, a: 2}").expect_err("flow duplicate (JSON detection applies)");
    assert_eq!((err.line, err.column), (1, 2));
    let err = parse("x: {a: 1, a: 2}").expect_err("flow duplicate");
    assert_eq!(err.message, "duplicate key `a`");
    assert_eq!((err.line, err.column), (1, 11));
}

#[test]
fn tab_indentation_errors_point_at_the_tab() {
    let cases: &[(&str, &str, (usize, usize))] = &[
        (
            "openapi: 3.0.3\ninfo:\n\ttitle: Tab indented\n",
            "tabs disallowed within this context (block indentation)",
            (3, 1),
        ),
        (
            "paths:\n\t/pets: {}\n",
            "tabs disallowed within this context (block indentation)",
            (2, 1),
        ),
        // After leading spaces, and with several tabs: the first tab.
        (
            "a:\n  b:\n  \t\tc: 1\n",
            "tabs disallowed within this context (block indentation)",
            (3, 3),
        ),
        (
            "a:\n\t- 1\n",
            "tabs disallowed within this context (block indentation)",
            (2, 1),
        ),
        // Columns count characters.
        (
            "é😀:\n\t😀: 1\n",
            "tabs disallowed within this context (block indentation)",
            (2, 1),
        ),
        // saphyr reports these at the `|` and at the start of the scalar `1`.
        (
            "a: |\n\tx\n",
            "a block scalar content cannot start with a tab",
            (2, 1),
        ),
        (
            "a:\n  b: 1\n\tc: 2\n",
            "while scanning a plain scalar, found a tab",
            (3, 1),
        ),
        (
            "a:\n  - b\n\n  \t- c\n",
            "while scanning a plain scalar, found a tab",
            (4, 3),
        ),
        // Already at the tab.
        (
            "a: \"x\n\ty\"\n",
            "tab cannot be used as indentation",
            (2, 1),
        ),
    ];
    for (text, message, (line, column)) in cases {
        let err = parse(text).expect_err(text);
        assert_eq!(&err.message, message, "{text:?}");
        assert_eq!((err.line, err.column), (*line, *column), "{text:?}: {err}");
        assert_eq!(&text[err.span.start..err.span.end], "\t", "{text:?}");
    }
    // Tabs that are not indentation are fine.
    for text in [
        "a:\n \tb: 1\n",
        "- a\n-\tb\n",
        "\ta: 1\n",
        "a: [1,\n\t2]\n",
        "a: 1\t# c\n",
    ] {
        parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    }
}

#[test]
fn complex_keys_are_refused() {
    let err = parse("a: 1\n? [x, y]\n: z\n").expect_err("sequence key");
    assert_eq!(err.message, "complex mapping keys are not supported");
    assert_eq!((err.line, err.column), (2, 3));
    let err = parse("a:\n  {b: 1}: z\n").expect_err("mapping key");
    assert_eq!((err.line, err.column), (2, 3));
}

#[test]
fn syntax_errors_have_exact_locations() {
    let cases: &[(&str, &str, (usize, usize))] = &[
        (
            "a: b: c",
            "mapping values are not allowed in this context",
            (1, 5),
        ),
        (
            "ü: b: c",
            "mapping values are not allowed in this context",
            (1, 5),
        ),
        (
            "# 😀\nkey: 😀: c",
            "mapping values are not allowed in this context",
            (2, 7),
        ),
        (
            "a:\n  - 1\n - 2\n",
            "while parsing a block mapping, did not find expected key",
            (3, 2),
        ),
        ("a: @x", "unexpected character: `@'", (1, 4)),
        (
            "a: \"é\nb: 1",
            "while scanning a quoted scalar, found unexpected end of stream",
            (1, 4),
        ),
        (
            "a: \"é",
            "while scanning a quoted scalar, found unexpected end of stream",
            (1, 4),
        ),
    ];
    for (text, message, (line, column)) in cases {
        let err = parse(text).expect_err(text);
        assert_eq!(&err.message, message, "{text:?}");
        assert_eq!((err.line, err.column), (*line, *column), "{text:?}: {err}");
        let Location { line: l, column: c } = parse("x: 1").expect("valid").location(0);
        assert_eq!((l, c), (1, 1));
        assert!(err.span.end <= text.len());
    }
    let err = parse("a: b: c").expect_err("invalid");
    assert_eq!(
        err.to_string(),
        "mapping values are not allowed in this context at line 1 column 5"
    );
}

#[test]
fn byte_order_mark() {
    let doc = parse("\u{feff}openapi: 3.1.0\ninfo: {title: é}\n").expect("valid YAML");
    assert_eq!(
        doc.value,
        json!({"openapi": "3.1.0", "info": {"title": "é"}})
    );
    assert_eq!(at(&doc, "/openapi"), "3.1.0");
    // The BOM is invisible in editors: it does not count as a column.
    assert_eq!(loc(&doc, "/openapi"), (1, 10));
    assert_eq!(loc(&doc, "/info/title"), (2, 15));
    let err = parse("\u{feff}a: b: c").expect_err("invalid");
    assert_eq!((err.line, err.column), (1, 5));
}

#[test]
fn empty_documents() {
    for text in [
        "",
        "\n\n",
        "# only a comment\n",
        "---\n",
        "\u{feff}",
        "---\n...\n",
    ] {
        let doc = parse(text).expect(text);
        assert_eq!(doc.value, serde_json::Value::Null, "{text:?}");
        assert!(doc.span("").is_some());
        assert_eq!(doc.extra_documents(), 0);
    }
}

#[test]
fn multiple_documents() {
    let doc = parse("a: 1\n---\nb: 2\n---\nc\n").expect("valid YAML");
    assert_eq!(doc.value, json!({"a": 1}));
    assert_eq!(doc.extra_documents(), 2);
    assert_eq!(doc.span("/b"), None);
    let doc = parse("---\na: 1\n...\n").expect("valid YAML");
    assert_eq!(doc.extra_documents(), 0);
    // Later documents are still checked for syntax.
    let err = parse("a: 1\n---\nb: c: d\n").expect_err("invalid second document");
    assert_eq!((err.line, err.column), (3, 5));
}

#[test]
fn scalars() {
    let text = "\
max: 18446744073709551615
min: -9223372036854775808
over: 18446744073709551616
plus: +18446744073709551615
hex: 0x1F
oct: 0o17
float: 1.5
exp: 1e3
inf: .inf
ninf: -.Inf
nan: .nan
huge: 1e999
yes: yes
on: on
tilde: ~
empty:
str: !!str 123
int: !!int \"7\"
float_tag: !!float 1
big_tag: !!int 18446744073709551615
custom: !thing 5
quoted: '123'
time: !!timestamp 2001-12-14
block: |
  line1
  line2

folded: >-
  a
  b
";
    let doc = parse(text).expect("valid YAML");
    let v = &doc.value;
    assert_eq!(v["max"], json!(u64::MAX));
    assert_eq!(v["max"].as_u64(), Some(u64::MAX));
    assert_eq!(v["min"].as_i64(), Some(i64::MIN));
    assert_eq!(v["over"].as_f64(), Some(18_446_744_073_709_551_616.0));
    assert_eq!(v["plus"].as_u64(), Some(u64::MAX));
    assert_eq!(v["hex"], json!(31));
    assert_eq!(v["oct"], json!(15));
    assert_eq!(v["float"], json!(1.5));
    assert_eq!(v["exp"], json!(1000.0));
    assert_eq!(v["inf"], json!(".inf"));
    assert_eq!(v["ninf"], json!("-.Inf"));
    assert_eq!(v["nan"], json!(".nan"));
    assert_eq!(v["huge"], json!("1e999"));
    assert_eq!(v["yes"], json!("yes"));
    assert_eq!(v["on"], json!("on"));
    assert_eq!(v["tilde"], json!(null));
    assert_eq!(v["empty"], json!(null));
    assert_eq!(v["str"], json!("123"));
    assert_eq!(
        v["int"],
        json!("7"),
        "a quoted scalar is a string whatever its tag"
    );
    assert_eq!(v["float_tag"], json!(1.0));
    assert_eq!(v["big_tag"].as_u64(), Some(u64::MAX));
    assert_eq!(v["custom"], json!(5));
    assert_eq!(v["quoted"], json!("123"));
    assert_eq!(v["time"], json!("2001-12-14"));
    assert_eq!(v["block"], json!("line1\nline2\n"));
    assert_eq!(v["folded"], json!("a b"));
    check_all_spans(&doc);
    assert_eq!(at(&doc, "/max"), "18446744073709551615");
    assert_eq!(at(&doc, "/str"), "!!str 123");
    assert_eq!(at(&doc, "/block"), "line1\n  line2");
    assert_eq!(at(&doc, "/folded"), "a\n  b");
    assert_eq!(at(&doc, "/empty"), "");
    // saphyr places an empty value on the `:` of its entry.
    assert_eq!(loc(&doc, "/empty"), (16, 6));

    let err = parse("a: !!int abc\n").expect_err("bad !!int");
    assert_eq!(err.message, "`abc` is not a valid !!int value");
    assert_eq!((err.line, err.column), (1, 4));
    assert!(parse("a: !!bool 1\n").is_err());
}

#[test]
fn root_scalars_and_sequences() {
    let doc = parse("just text").expect("valid YAML");
    assert_eq!(doc.value, json!("just text"));
    assert_eq!(at(&doc, ""), "just text");
    let doc = parse("- a\n- b: [1]\n").expect("valid YAML");
    assert_eq!(doc.value, json!(["a", {"b": [1]}]));
    assert_eq!(at(&doc, "/1/b/0"), "1");
    assert_eq!(at(&doc, ""), "- a\n- b: [1]");
}

#[test]
fn nesting_limit() {
    let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    assert!(parse(&format!("# yaml\n{ok}")).is_ok());
    let too_deep = format!(
        "# yaml\n{}{}",
        "[".repeat(MAX_DEPTH + 1),
        "]".repeat(MAX_DEPTH + 1)
    );
    let err = parse(&too_deep).expect_err("too deep");
    assert_eq!(
        err.message,
        format!("nesting deeper than {MAX_DEPTH} levels")
    );
    assert_eq!((err.line, err.column), (2, MAX_DEPTH + 1));
    // Aliases cannot be used to get around the limit.
    let half = MAX_DEPTH / 2 + 1;
    let text = format!(
        "a: &a {}{}\nb: {}*a{}\n",
        "[".repeat(half),
        "]".repeat(half),
        "[".repeat(half),
        "]".repeat(half)
    );
    assert!(parse(&text).is_err());
}

#[test]
fn crlf_line_endings() {
    let doc = parse("a: 1\r\nb:\r\n  c: é\r\n").expect("valid YAML");
    assert_eq!(doc.value, json!({"a": 1, "b": {"c": "é"}}));
    assert_eq!(at(&doc, "/b/c"), "é");
    assert_eq!(loc(&doc, "/b/c"), (3, 6));
}

#[test]
fn under_indented_quoted_continuation_lines_are_accepted_like_libyaml() {
    // YAML 1.2 wants continuation lines indented past the mapping; libyaml, PyYAML and Go do
    // not care, and real specs (Docker's) rely on that.
    let text = "\
a:
  d: \"Ünï x
  y\"
  s: 'it''s
  fine
'
  e: é😀
b: [1]
";
    let doc = parse(text).expect("accepted like libyaml");
    assert_eq!(
        doc.value,
        json!({"a": {"d": "Ünï x y", "s": "it's fine ", "e": "é😀"}, "b": [1]})
    );
    check_all_spans(&doc);
    assert_eq!(at(&doc, "/a/d"), "\"Ünï x\n  y\"");
    assert_eq!(at(&doc, "/a/s"), "'it''s\n  fine\n'");
    assert_eq!(at(&doc, "/a/e"), "é😀");
    assert_eq!(loc(&doc, "/a/e"), (7, 6));
    assert_eq!(at(&doc, "/b/0"), "1");
    assert_eq!(loc(&doc, "/b/0"), (8, 5));
    assert_eq!(key_at(&doc, "/b"), "b");
    // Errors after a repair are located in the original text.
    let err = parse("a:\n  d: \"x\n  y\"\n  e: é: f\n").expect_err("invalid");
    assert_eq!(
        err.message,
        "mapping values are not allowed in this context"
    );
    assert_eq!((err.line, err.column), (4, 7));
    // A quoted scalar that is still unterminated is an error, not an endless repair loop.
    let err = parse("a:\n  d: \"x\n  y\n").expect_err("unterminated");
    assert_eq!(err.line, 2);
}
