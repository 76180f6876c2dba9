//! Request bodies by media type (JSON, `+json`, forms, multipart, text, binary, XML),
//! required bodies, hostile input (bad UTF-8, deep nesting, duplicate keys, huge arrays, big
//! numbers) and a no-panic property test over random bodies and content types.

use mockgen_engine::{Engine, MockRequest, MockResponse, Options};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use serde_json::Value;
use std::sync::{Arc, OnceLock};

const SPEC: &str = r##"
openapi: 3.1.0
info: {title: bodies, version: '1'}
components:
  schemas:
    Item:
      type: object
      required: [name]
      additionalProperties: false
      properties:
        id: {type: integer, readOnly: true}
        name: {type: string, maxLength: 10}
        count: {type: integer, format: int64}
        tags: {type: array, items: {type: string}}
    Pet:
      type: object
      xml: {name: pet}
      required: [name]
      properties:
        id: {type: integer, xml: {attribute: true}}
        name: {type: string}
        age: {type: integer}
        tags:
          type: array
          xml: {wrapped: true}
          items: {type: string, xml: {name: tag}}
paths:
  /items/{ids}:
    get:
      parameters:
        - {name: ids, in: path, required: true, schema: {type: array, maxItems: 2, items: {type: string}}}
      responses:
        '204': {description: ok}
  /search:
    get:
      parameters:
        - {name: ids, in: query, style: form, explode: false, schema: {type: array, items: {type: integer}}}
        - {name: f, in: query, style: deepObject, schema: {type: object, properties: {page: {type: integer}}}}
        - {name: q, in: query, schema: {type: string}}
        - {name: n, in: query, schema: {type: integer}}
        - {name: strict, in: query, allowEmptyValue: false, schema: {type: string}}
        - {name: Accept, in: header, required: true, schema: {type: string, enum: [application/json]}}
        - {name: content-type, in: header, required: true, schema: {type: integer}}
      responses:
        '204': {description: ok}
  /json:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Item'}
          application/vnd.api+json:
            schema: {$ref: '#/components/schemas/Item'}
      responses:
        '201': {description: created}
  /yaml:
    post:
      requestBody:
        required: true
        content:
          application/yaml:
            schema: {$ref: '#/components/schemas/Item'}
      responses:
        '201': {description: created}
  /lines:
    post:
      requestBody:
        required: true
        content:
          application/x-ndjson:
            schema: {type: array, items: {$ref: '#/components/schemas/Item'}}
      responses:
        '201': {description: created}
  /optional:
    post:
      requestBody:
        content:
          application/json:
            schema: {type: object, required: [a]}
      responses:
        '204': {description: ok}
  /any:
    post:
      requestBody:
        content:
          application/json:
            schema: {}
      responses:
        '204': {description: ok}
  /wild:
    post:
      requestBody:
        content:
          application/*:
            schema: {type: object}
      responses:
        '204': {description: ok}
  /form:
    post:
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [n]
              properties:
                n: {type: integer, maximum: 10}
                x: {type: number}
                ok: {type: boolean}
                name: {type: string}
                tags: {type: array, items: {type: integer}}
                csv: {type: array, items: {type: integer}}
                pipes: {type: array, items: {type: string, enum: [a, b]}}
                filter:
                  type: object
                  additionalProperties: false
                  properties:
                    min: {type: integer}
                    max: {type: integer}
                meta:
                  type: object
                  required: [a]
                  properties: {a: {type: integer}}
            encoding:
              csv: {style: form, explode: false}
              pipes: {style: pipeDelimited}
              filter: {style: deepObject, explode: true}
              meta: {contentType: application/json}
      responses:
        '204': {description: ok}
  /upload:
    post:
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [file, count]
              properties:
                file: {type: string, format: binary}
                count: {type: integer, minimum: 1}
                ids: {type: array, items: {type: integer}}
                meta:
                  type: object
                  required: [a]
                  properties: {a: {type: integer}}
            encoding:
              meta: {contentType: application/json}
      responses:
        '204': {description: ok}
  /text:
    post:
      requestBody:
        required: true
        content:
          text/plain:
            schema: {type: string, maxLength: 5, pattern: '^[a-z]+$'}
      responses:
        '204': {description: ok}
  /bin:
    post:
      requestBody:
        content:
          application/octet-stream:
            schema: {type: string, format: binary, maxLength: 8}
      responses:
        '204': {description: ok}
  /xml:
    post:
      requestBody:
        required: true
        content:
          application/xml:
            schema: {$ref: '#/components/schemas/Pet'}
      responses:
        '204': {description: ok}
"##;

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        let loaded = mockgen_spec::load(
            "bodies.yaml",
            SPEC.to_owned(),
            &mockgen_spec::NoFiles,
            &Default::default(),
        );
        let errors: Vec<_> = loaded.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(errors.is_empty(), "{errors:?}");
        Engine::new(Arc::new(loaded.spec.expect("spec")), Options::default()).expect("engine")
    })
}

fn post(path: &str, content_type: &str, body: &[u8]) -> MockResponse {
    let headers: Vec<(&str, &str)> = if content_type.is_empty() {
        Vec::new()
    } else {
        vec![("Content-Type", content_type)]
    };
    engine().handle(&MockRequest {
        method: "POST",
        path,
        query: None,
        headers: &headers,
        body,
    })
}

fn json(r: &MockResponse) -> Value {
    serde_json::from_slice(&r.body).expect("JSON body")
}

fn text(r: &MockResponse) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

/// `(location joined by '.', code)` of every validation entry.
fn entries(r: &MockResponse) -> Vec<(String, String)> {
    json(r)["validation"]
        .as_array()
        .expect("validation array")
        .iter()
        .map(|v| {
            let loc: Vec<&str> = v["location"]
                .as_array()
                .expect("location")
                .iter()
                .map(|s| s.as_str().expect("string"))
                .collect();
            (loc.join("."), v["code"].as_str().expect("code").to_owned())
        })
        .collect()
}

fn has(r: &MockResponse, location: &str, code: &str) -> bool {
    entries(r).iter().any(|(l, c)| l == location && c == code)
}

fn assert_ok(r: &MockResponse) {
    assert!((200..300).contains(&r.status), "{} {}", r.status, text(r));
}

fn assert_400(r: &MockResponse, needle: &str) {
    assert_eq!(r.status, 400, "{}", text(r));
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    let detail = json(r)["detail"].as_str().unwrap_or_default().to_owned();
    assert!(detail.contains(needle), "{needle:?} not in {detail:?}");
}

// ---------------------------------------------------------------------------------------------
// JSON

#[test]
fn json_violations_are_located_and_all_listed() {
    let r = post(
        "/json",
        "application/json",
        br#"{"name": 5, "tags": ["a", 1, 2]}"#,
    );
    assert_eq!(r.status, 422, "{}", text(&r));
    assert!(has(&r, "body.name", "type"), "{:?}", entries(&r));
    assert!(has(&r, "body.tags.1", "type"), "{:?}", entries(&r));
    assert!(has(&r, "body.tags.2", "type"), "{:?}", entries(&r));
    assert_ok(&post(
        "/json",
        "application/json",
        br#"{"name": "rex", "tags": []}"#,
    ));
}

#[test]
fn yaml_bodies_are_parsed_and_validated() {
    assert_ok(&post(
        "/yaml",
        "application/yaml",
        b"name: Rex\ntags: [a, b]\n",
    ));
    let r = post(
        "/yaml",
        "application/yaml",
        b"name: far too long a name\ncount: x\n",
    );
    assert_eq!(r.status, 422, "{}", text(&r));
    assert!(has(&r, "body.name", "maxLength"), "{:?}", entries(&r));
    assert!(has(&r, "body.count", "type"), "{:?}", entries(&r));
    assert_400(
        &post("/yaml", "application/yaml", b"name: [unclosed\n"),
        "line 2",
    );
}

#[test]
fn json_lines_bodies_are_one_value_per_line() {
    assert_ok(&post(
        "/lines",
        "application/x-ndjson",
        b"{\"name\": \"a\"}\n{\"name\": \"b\"}\n",
    ));
    // One line holding the whole array (otoroshi's `_bulk` bodies), or one item.
    assert_ok(&post(
        "/lines",
        "application/x-ndjson",
        b"[{\"name\": \"a\"}]\n",
    ));
    assert_ok(&post(
        "/lines",
        "application/x-ndjson",
        b"{\"name\": \"a\"}",
    ));
    let r = post("/lines", "application/x-ndjson", b"{\"name\": \"a\"}\n{}\n");
    assert_eq!(r.status, 422, "{}", text(&r));
    assert!(has(&r, "body.1", "required"), "{:?}", entries(&r));
    assert_400(
        &post("/lines", "application/x-ndjson", b"{}\n{oops\n"),
        "line 2",
    );
}

#[test]
fn json_media_types_by_suffix_parameters_and_wildcards() {
    let ok = br#"{"name": "rex"}"#;
    for ct in [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON;charset=\"UTF-8\"",
        "application/vnd.api+json",
        "application/problem+json",
    ] {
        assert_ok(&post("/json", ct, ok));
    }
    let r = post("/json", "application/vnd.api+json", br#"{"name": 1}"#);
    assert!(has(&r, "body.name", "type"), "{:?}", entries(&r));
    // A declared `application/*` takes any application type, read by the request's type.
    assert_ok(&post("/wild", "application/merge-patch+json", b"{}"));
    assert_eq!(post("/wild", "application/json", b"[]").status, 422);
    assert_eq!(post("/wild", "text/plain", b"{}").status, 415);
    assert_eq!(post("/json", "text/plain", ok).status, 415);
    assert_eq!(post("/json", "nonsense", ok).status, 415);
    // A charset mockgen cannot read is refused rather than misread.
    assert_eq!(
        post("/json", "application/json; charset=utf-16", ok).status,
        415
    );
    // No Content-Type: the declared type is assumed.
    assert_ok(&post("/json", "", ok));
}

#[test]
fn required_body_missing_and_optional_body_absent() {
    let r = post("/json", "application/json", b"");
    assert_eq!(r.status, 422, "{}", text(&r));
    assert!(has(&r, "body", "required"), "{:?}", entries(&r));
    assert_ok(&post("/optional", "", b""));
    assert_ok(&post("/optional", "application/json", b""));
    let r = post("/optional", "application/json", b"{}");
    assert!(has(&r, "body", "required"), "{:?}", entries(&r));
}

#[test]
fn read_only_properties_are_refused_in_requests() {
    let r = post("/json", "application/json", br#"{"name": "rex", "id": 3}"#);
    assert_eq!(r.status, 422, "{}", text(&r));
    assert!(
        entries(&r).iter().any(|(l, _)| l.starts_with("body")),
        "{:?}",
        entries(&r)
    );
}

#[test]
fn malformed_json_names_line_and_column() {
    assert_400(
        &post("/json", "application/json", b"{\n  \"name\": \"rex\",\n}"),
        "line 3 column 1",
    );
    assert_400(
        &post("/json", "application/json", b"{\"name\": \"a\"} x"),
        "trailing",
    );
}

#[test]
fn a_byte_order_mark_before_json_is_tolerated() {
    assert_ok(&post(
        "/json",
        "application/json",
        b"\xef\xbb\xbf{\"name\": \"rex\"}",
    ));
}

#[test]
fn duplicate_keys_are_refused() {
    assert_400(
        &post(
            "/json",
            "application/json",
            br#"{"name": "a", "name": "b"}"#,
        ),
        "duplicate key \"name\"",
    );
    // Equal keys in different objects are fine.
    assert_ok(&post(
        "/any",
        "application/json",
        br#"[{"a": 1}, {"a": 2}]"#,
    ));
}

#[test]
fn deep_nesting_is_a_clear_400() {
    for depth in [65, 129, 5000] {
        let body = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert_400(
            &post("/any", "application/json", body.as_bytes()),
            "nesting too deep",
        );
    }
    let body = format!("{}{}", "[".repeat(64), "]".repeat(64));
    assert_ok(&post("/any", "application/json", body.as_bytes()));
    let body = format!("{}1{}", "{\"a\":".repeat(200), "}".repeat(200));
    assert_400(
        &post("/any", "application/json", body.as_bytes()),
        "nesting too deep",
    );
}

#[test]
fn invalid_utf8_is_a_clear_400() {
    assert_400(
        &post("/json", "application/json", b"{\"name\": \"a\xff\"}"),
        "not valid UTF-8: invalid byte at line 1 column 12",
    );
    assert_400(&post("/text", "text/plain", b"ab\xc3"), "not valid UTF-8");
    assert_400(
        &post(
            "/form",
            "application/x-www-form-urlencoded",
            b"n=1&name=\xfe",
        ),
        "not valid UTF-8",
    );
    assert_400(
        &post("/xml", "application/xml", b"<pet>\xff</pet>"),
        "not valid UTF-8",
    );
}

#[test]
fn huge_arrays_list_at_most_a_hundred_violations() {
    let items = vec!["1"; 5000].join(",");
    let body = format!("{{\"name\": \"a\", \"tags\": [{items}]}}");
    let r = post("/json", "application/json", body.as_bytes());
    assert_eq!(r.status, 422);
    let e = entries(&r);
    assert_eq!(e.len(), 101, "{:?}", &e[..3]);
    assert_eq!(e[100], ("body".to_owned(), "truncated".to_owned()));
    let last = &json(&r)["validation"][100]["message"];
    assert!(
        last.as_str().unwrap_or_default().contains("4900 more"),
        "{last}"
    );
}

#[test]
fn violation_counting_is_bounded_too() {
    let items = vec!["1"; 20_000].join(",");
    let body = format!("{{\"name\": \"a\", \"tags\": [{items}]}}");
    let r = post("/json", "application/json", body.as_bytes());
    assert_eq!(entries(&r).len(), 101);
    let last = &json(&r)["validation"][100]["message"];
    assert!(
        last.as_str()
            .unwrap_or_default()
            .contains("…and at least 100"),
        "{last}"
    );
}

#[test]
fn big_numbers_validate_sensibly() {
    // 2^63 + 1 parses exactly (u64) and is beyond int64's maximum.
    let r = post(
        "/json",
        "application/json",
        br#"{"name": "a", "count": 9223372036854775809}"#,
    );
    assert!(has(&r, "body.count", "maximum"), "{:?}", entries(&r));
    // -2^63 - 1 rounds to -2^63 as a float, yet is below int64's minimum.
    let r = post(
        "/json",
        "application/json",
        br#"{"name": "a", "count": -9223372036854775809}"#,
    );
    assert!(has(&r, "body.count", "minimum"), "{:?}", entries(&r));
    // 2^64 becomes a float: still an integer value, still too big.
    let r = post(
        "/json",
        "application/json",
        br#"{"name": "a", "count": 18446744073709551616}"#,
    );
    assert!(has(&r, "body.count", "maximum"), "{:?}", entries(&r));
    assert_ok(&post(
        "/json",
        "application/json",
        br#"{"name": "a", "count": 9223372036854775807}"#,
    ));
    assert_ok(&post(
        "/json",
        "application/json",
        br#"{"name": "a", "count": -9223372036854775808}"#,
    ));
    let r = post(
        "/json",
        "application/json",
        br#"{"name": "a", "count": 1.5}"#,
    );
    assert!(has(&r, "body.count", "type"), "{:?}", entries(&r));
    // Beyond f64 does not parse at all.
    assert_400(
        &post(
            "/json",
            "application/json",
            br#"{"name": "a", "count": 1e400}"#,
        ),
        "out of range",
    );
}

#[test]
fn nul_bytes() {
    // An escaped NUL is a legitimate character; a raw one is a JSON syntax error.
    assert_ok(&post(
        "/json",
        "application/json",
        br#"{"name": "a\u0000b"}"#,
    ));
    assert_400(
        &post("/json", "application/json", b"{\"name\": \"a\x00b\"}"),
        "control character",
    );
    assert_400(
        &post("/json", "application/json", b"\x00"),
        "line 1 column 1",
    );
    let r = post("/text", "text/plain", b"ab\x00");
    assert!(has(&r, "body", "pattern"), "{:?}", entries(&r));
}

// ---------------------------------------------------------------------------------------------
// Forms

const FORM: &str = "application/x-www-form-urlencoded";

#[test]
fn form_fields_are_coerced_by_schema_and_encoding() {
    let body = "n=3&x=1.5&ok=true&name=a+b%21&tags=1&tags=2&csv=1,2,3&pipes=a|b\
                &filter%5Bmin%5D=1&filter[max]=2&meta=%7B%22a%22%3A1%7D";
    assert_ok(&post("/form", FORM, body.as_bytes()));
    assert_ok(&post(
        "/form",
        "application/x-www-form-urlencoded; charset=utf-8",
        b"n=3",
    ));
}

#[test]
fn form_violations_are_located() {
    let r = post(
        "/form",
        FORM,
        b"n=abc&x=no&ok=maybe&tags=1&tags=x&csv=1,b&pipes=a|c&filter[min]=x&filter[other]=1&meta=%7B%7D",
    );
    assert_eq!(r.status, 422, "{}", text(&r));
    for (loc, code) in [
        ("body.n", "type"),
        ("body.x", "type"),
        ("body.ok", "type"),
        ("body.tags.1", "type"),
        ("body.csv.1", "type"),
        ("body.pipes.1", "enum"),
        ("body.filter.min", "type"),
        ("body.filter", "additionalProperties"),
        ("body.meta", "required"),
    ] {
        assert!(has(&r, loc, code), "{loc} {code}: {:?}", entries(&r));
    }
    // Constraints after coercion, missing required fields, a scalar sent twice.
    let r = post("/form", FORM, b"n=11");
    assert!(has(&r, "body.n", "maximum"), "{:?}", entries(&r));
    let r = post("/form", FORM, b"x=1");
    assert!(has(&r, "body", "required"), "{:?}", entries(&r));
    let r = post("/form", FORM, b"n=1&n=2");
    assert!(has(&r, "body.n", "type"), "{:?}", entries(&r));
    let r = post("/form", FORM, b"n=");
    assert!(has(&r, "body.n", "type"), "{:?}", entries(&r));
}

// ---------------------------------------------------------------------------------------------
// Multipart

/// (name, filename, Content-Type, content) of one part.
type PartSpec<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a [u8]);

fn multipart(boundary: &str, parts: &[PartSpec<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, filename, content_type, content) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{name}\"");
        if let Some(f) = filename {
            disposition.push_str(&format!("; filename=\"{f}\""));
        }
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        if let Some(ct) = content_type {
            body.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    body
}

#[test]
fn multipart_parts_are_parsed_coerced_and_validated() {
    let body = multipart(
        "XyZ",
        &[
            (
                "file",
                Some("a.png"),
                Some("image/png"),
                b"\x89PNG\r\n\x00\xff",
            ),
            ("count", None, None, b"2"),
            ("ids", None, None, b"1"),
            ("ids", None, None, b"2"),
            ("meta", None, Some("application/json"), br#"{"a": 1}"#),
        ],
    );
    assert_ok(&post("/upload", "multipart/form-data; boundary=XyZ", &body));
    // A quoted boundary, and the JSON part typed only by the spec's `encoding`.
    let body = multipart(
        "a b:c",
        &[
            ("file", Some("x.bin"), None, b"bytes"),
            ("count", None, Some("text/plain"), b"7"),
            ("meta", None, None, br#"{"a": 2}"#),
        ],
    );
    assert_ok(&post(
        "/upload",
        "multipart/form-data; charset=utf-8; boundary=\"a b:c\"",
        &body,
    ));
    // A preamble before the first boundary is allowed.
    let mut with_preamble = b"ignore me\r\n".to_vec();
    with_preamble.extend_from_slice(&body);
    assert_ok(&post(
        "/upload",
        "multipart/form-data; boundary=\"a b:c\"",
        &with_preamble,
    ));
}

#[test]
fn multipart_violations_are_located() {
    let body = multipart(
        "b",
        &[
            ("count", None, None, b"zero"),
            ("ids", None, None, b"x"),
            ("meta", None, Some("application/json"), br#"{"a": "x"}"#),
        ],
    );
    let r = post("/upload", "multipart/form-data; boundary=b", &body);
    assert_eq!(r.status, 422, "{}", text(&r));
    for (loc, code) in [
        ("body", "required"),
        ("body.count", "type"),
        ("body.ids.0", "type"),
        ("body.meta.a", "type"),
    ] {
        assert!(has(&r, loc, code), "{loc} {code}: {:?}", entries(&r));
    }
    let body = multipart(
        "b",
        &[
            ("file", Some("f"), None, b"x"),
            ("count", None, None, b"0"),
            ("meta", None, Some("application/json"), b"{oops"),
        ],
    );
    let r = post("/upload", "multipart/form-data; boundary=b", &body);
    assert!(has(&r, "body.count", "minimum"), "{:?}", entries(&r));
    assert!(has(&r, "body.meta", "syntax"), "{:?}", entries(&r));
}

#[test]
fn malformed_multipart_is_a_clear_400() {
    let body = multipart("b", &[("count", None, None, b"1")]);
    assert_400(
        &post("/upload", "multipart/form-data", &body),
        "no boundary",
    );
    assert_400(
        &post("/upload", "multipart/form-data; boundary=other", &body),
        "does not contain the boundary",
    );
    let cut = &body[..body.len() - 8];
    assert_400(
        &post("/upload", "multipart/form-data; boundary=b", cut),
        "is not followed by the boundary",
    );
    assert_400(
        &post(
            "/upload",
            "multipart/form-data; boundary=b",
            b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--",
        ),
        "no `Content-Disposition",
    );
    assert_400(
        &post(
            "/upload",
            "multipart/form-data; boundary=b",
            b"--b\r\nContent-Disposition: form-data; name=a",
        ),
        "do not end with an empty line",
    );
}

// ---------------------------------------------------------------------------------------------
// Text, binary, XML

#[test]
fn text_bodies_are_strings_checked_by_the_schema() {
    assert_ok(&post("/text", "text/plain", b"abc"));
    assert_ok(&post("/text", "text/plain; charset=iso-8859-1", b"abc"));
    let r = post("/text", "text/plain", b"abcdefg");
    assert!(has(&r, "body", "maxLength"), "{:?}", entries(&r));
    let r = post("/text", "text/plain", b"ABC");
    assert!(has(&r, "body", "pattern"), "{:?}", entries(&r));
}

#[test]
fn binary_bodies_are_bytes_with_declared_length_bounds() {
    assert_ok(&post(
        "/bin",
        "application/octet-stream",
        b"\xff\xfe\x00\x01",
    ));
    let r = post("/bin", "application/octet-stream", b"123456789");
    assert_eq!(r.status, 422);
    assert!(has(&r, "body", "maxLength"), "{:?}", entries(&r));
    assert_ok(&post("/bin", "", b""));
}

#[test]
fn xml_bodies_follow_the_xml_object() {
    let ok = br#"<?xml version="1.0" encoding="UTF-8"?>
<!-- a pet -->
<pet id="3"><name>Rex &amp; co</name><age> 4 </age><tags><tag>a</tag><tag><![CDATA[<b>]]></tag></tags></pet>"#;
    assert_ok(&post("/xml", "application/xml", ok));
    assert_ok(&post("/xml", "application/xml; charset=utf-8", ok));
    let r = post(
        "/xml",
        "application/xml",
        br#"<pet id="x"><age>old</age><tags><tag>a</tag></tags></pet>"#,
    );
    assert_eq!(r.status, 422, "{}", text(&r));
    for (loc, code) in [
        ("body.id", "type"),
        ("body.age", "type"),
        ("body", "required"),
    ] {
        assert!(has(&r, loc, code), "{loc} {code}: {:?}", entries(&r));
    }
}

#[test]
fn malformed_xml_names_line_and_column() {
    assert_400(
        &post("/xml", "application/xml", b"<pet>\n  <name>Rex</pet>"),
        "</pet> does not close <name> at line 2 column 14",
    );
    assert_400(
        &post("/xml", "application/xml", b"<pet>&bomb;</pet>"),
        "unknown entity",
    );
    assert_400(
        &post("/xml", "application/xml", b"<pet a='1' a='2'/>"),
        "given twice",
    );
    assert_400(
        &post("/xml", "application/xml", b"<pet/><pet/>"),
        "after the root",
    );
    assert_400(
        &post("/xml", "application/xml", b"just text"),
        "root element",
    );
    let deep = format!("{}{}", "<a>".repeat(100), "</a>".repeat(100));
    assert_400(
        &post("/xml", "application/xml", deep.as_bytes()),
        "nesting too deep",
    );
    // Entities declared in a DOCTYPE are never expanded.
    let bomb =
        br#"<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><pet>&lol2;</pet>"#;
    assert_400(
        &post("/xml", "application/xml", bomb),
        "unknown entity &lol2;",
    );
}

// ---------------------------------------------------------------------------------------------
// No panics

fn demo(name: &str) -> Engine {
    let path = format!("{}/../../specs/demo/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("demo spec");
    let loaded = mockgen_spec::load(
        &path,
        text,
        &mockgen_spec::NoFiles,
        &mockgen_spec::LoadOptions::default(),
    );
    Engine::new(Arc::new(loaded.spec.expect("spec")), Options::default()).expect("engine")
}

#[test]
fn random_bodies_and_content_types_never_panic() {
    let demos = [demo("petstore.yaml"), demo("shop.yaml")];
    let targets: Vec<(&Engine, String, &str)> = {
        let mut t: Vec<(&Engine, String, &str)> = Vec::new();
        for (path, method) in [
            ("/json", "POST"),
            ("/form", "POST"),
            ("/upload", "POST"),
            ("/text", "POST"),
            ("/bin", "POST"),
            ("/xml", "POST"),
            ("/wild", "POST"),
        ] {
            t.push((engine(), path.to_owned(), method));
        }
        for e in &demos {
            for op in &e.spec().operations {
                if op.request_body.is_some() {
                    let path = op.path.replace(['{', '}'], "");
                    t.push((e, path, "POST"));
                    t.push((e, op.path.replace(['{', '}'], ""), "PUT"));
                }
            }
        }
        t
    };
    let content_types = prop::sample::select(vec![
        "application/json",
        "application/vnd.x+json; charset=utf-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=b",
        "multipart/form-data; boundary=\"b\"",
        "multipart/form-data",
        "text/plain",
        "text/plain; charset=latin1",
        "application/xml",
        "application/octet-stream",
        "*/*",
        "",
        ";;;",
        "multipart/form-data; boundary=\"",
    ]);
    let bodies = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200),
        "[\\[\\]{}\",:0-9a-z\\\\ -]{0,120}".prop_map(String::into_bytes),
        "(--b\r\n(Content-Disposition: form-data; name=\"[a-z]{0,3}\"\r\n)?(Content-Type: [a-z/+]{0,20}\r\n)?\r\n[a-z0-9{}\\[\\]\":]{0,10}\r\n){0,3}(--b--)?"
            .prop_map(String::into_bytes),
        "<[a-z]{1,3}( [a-z]='[a-z&;]{0,3}')?>([a-z&;<>/]{0,10})</[a-z]{1,3}>"
            .prop_map(String::into_bytes),
        "([a-z\\[\\]]{1,6}=[a-z0-9%,|+]{0,6}&){0,6}".prop_map(String::into_bytes),
    ];
    let mut runner = TestRunner::new(Config {
        cases: 256,
        rng_seed: RngSeed::Fixed(0x00b0_d1e5),
        failure_persistence: None,
        ..Config::default()
    });
    let n = targets.len();
    runner
        .run(&(0..n, content_types, bodies), |(i, ct, body)| {
            let (e, path, method) = &targets[i];
            let headers: Vec<(&str, &str)> = vec![("Content-Type", ct), ("X-API-Key", "k")];
            let r = e.handle(&MockRequest {
                method,
                path,
                query: None,
                headers: &headers,
                body: &body,
            });
            prop_assert!(r.status >= 200 && r.status < 600);
            if r.status == 400 || r.status == 415 || r.status == 422 {
                let v: Value = serde_json::from_slice(&r.body)
                    .map_err(|e| TestCaseError::fail(format!("{e}")))?;
                prop_assert!(v.is_object());
            }
            Ok(())
        })
        .expect("no panics, only problem answers");
}

// ---------------------------------------------------------------------------------------------
// Parameters through the engine

fn search(query: &str) -> MockResponse {
    engine().handle(&MockRequest {
        method: "GET",
        path: "/search",
        query: Some(query),
        headers: &[],
        body: b"",
    })
}

#[test]
fn parameter_items_and_members_are_located_individually() {
    assert_ok(&search("ids=1,2&f[page]=3"));
    let r = search("ids=1,x,y&f[page]=z");
    assert_eq!(r.status, 422, "{}", text(&r));
    for loc in ["query.ids.1", "query.ids.2", "query.f.page"] {
        assert!(has(&r, loc, "type"), "{loc}: {:?}", entries(&r));
    }
}

#[test]
fn empty_query_values_are_checked_by_the_schema() {
    // Without `allowEmptyValue`, `q=` is the empty string and `n=` is not an integer.
    assert_ok(&search("q="));
    let r = search("n=");
    assert!(has(&r, "query.n", "type"), "{:?}", entries(&r));
    // An explicit `allowEmptyValue: false` refuses the empty value itself.
    let r = search("strict=");
    assert!(has(&r, "query.strict", "empty"), "{:?}", entries(&r));
}

#[test]
fn swagger2_multipart_form_data_is_a_required_closed_list() {
    let spec = r#"
swagger: '2.0'
info: {title: t, version: '1'}
paths:
  /upload:
    post:
      consumes: [multipart/form-data]
      parameters:
        - {name: note, in: formData, type: string}
        - {name: file, in: formData, type: file}
      responses:
        '200': {description: ok}
"#;
    let loaded = mockgen_spec::load(
        "swagger.yaml",
        spec.to_owned(),
        &mockgen_spec::NoFiles,
        &Default::default(),
    );
    let e = Engine::new(Arc::new(loaded.spec.expect("spec")), Options::default()).expect("engine");
    let send = |ct: &str, body: &[u8]| {
        let headers = [("Content-Type", ct)];
        e.handle(&MockRequest {
            method: "POST",
            path: "/upload",
            query: None,
            headers: &headers,
            body,
        })
    };
    let r = send("multipart/form-data; boundary=b", b"");
    assert!(has(&r, "body", "required"), "{:?}", entries(&r));
    // An empty multipart document (every field optional) is a body.
    assert_ok(&send("multipart/form-data; boundary=b", b"--b--\r\n"));
    let body = multipart(
        "b",
        &[
            ("note", None, None, b"hi"),
            ("file", Some("f"), None, b"\xff"),
        ],
    );
    assert_ok(&send("multipart/form-data; boundary=b", &body));
    // formData parameters are a closed list.
    let body = multipart(
        "b",
        &[("note", None, None, b"hi"), ("extra", None, None, b"1")],
    );
    let r = send("multipart/form-data; boundary=b", &body);
    assert!(
        has(&r, "body.extra", "additionalProperties"),
        "{:?}",
        entries(&r)
    );
}

#[test]
fn header_parameters_named_accept_content_type_authorization_are_ignored() {
    // Both are declared required with schemas no request here satisfies.
    assert_ok(&search("q=x"));
    let r = engine().handle(&MockRequest {
        method: "GET",
        path: "/search",
        query: None,
        headers: &[("Accept", "*/*"), ("Content-Type", "text/plain")],
        body: b"",
    });
    assert_ok(&r);
}

#[test]
fn an_empty_text_body_with_a_content_type_is_the_empty_string() {
    // `""` is checked by the schema (here: it does not match the pattern)…
    let r = post("/text", "text/plain", b"");
    assert!(has(&r, "body", "pattern"), "{:?}", entries(&r));
    assert!(!has(&r, "body", "required"), "{:?}", entries(&r));
    // …while no Content-Type and no body is a missing body.
    let r = post("/text", "", b"");
    assert!(has(&r, "body", "required"), "{:?}", entries(&r));
    // Zero bytes of a binary type are a (short) body.
    assert_ok(&post("/bin", "application/octet-stream", b""));
}

#[test]
fn encoded_commas_stay_inside_path_array_items() {
    let get = |path: &str| {
        engine().handle(&MockRequest {
            method: "GET",
            path,
            query: None,
            headers: &[],
            body: b"",
        })
    };
    assert_ok(&get("/items/a%2Cb,c"));
    let r = get("/items/a,b,c");
    assert!(has(&r, "path.ids", "maxItems"), "{:?}", entries(&r));
}
