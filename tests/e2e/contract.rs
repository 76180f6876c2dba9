//! The serve contract of issue 4, point by point, over a real socket against
//! `specs/serve/contract.yaml` (one operation per behaviour).

use crate::http::{Reply, Server as Mock};
use mockgen_schema::{ValidatorBuilder, View};
use mockgen_spec::doc_uri;
use serde_json::Value;
use std::sync::Arc;

const SPEC: &str = "specs/serve/contract.yaml";

/// A server per test: a shared static one would never be dropped, so never killed.
fn mock() -> Mock {
    Mock::start_with(&[SPEC])
}

const SEARCH_OK: &str = "/api/v2/search?limit=10";
const SEARCH_HEADERS: [(&str, &str); 2] = [
    ("X-Trace", "6f9619ff-8b86-d011-b42d-00cf4fc964ff"),
    ("Cookie", "session=abc"),
];

fn search(m: &Mock, query: &str) -> Reply {
    m.get(&format!("{SEARCH_OK}{query}"), &SEARCH_HEADERS)
}

/// Validate `value` against the response schema of `operation`/`status`/`media` with the
/// project's schema crate, built independently of the server process.
fn assert_valid_response(operation: &str, status: &str, media: &str, value: &Value) {
    let text = std::fs::read_to_string(crate::support::root().join(SPEC)).expect("spec");
    let loaded = mockgen_spec::load(SPEC, text, &mockgen_spec::NoFiles, &Default::default());
    let spec = loaded.spec.expect("loads");
    let mut builder = ValidatorBuilder::new();
    for (i, doc) in spec.documents.iter().enumerate() {
        builder.add_document(&doc_uri(i), Arc::clone(doc));
    }
    let op = spec.operation(operation).expect("operation");
    let resp = op
        .responses
        .iter()
        .find(|r| r.status.to_string() == status)
        .expect("status");
    let m = resp
        .content
        .iter()
        .find(|m| m.media_type == media)
        .expect("media");
    let loc = m.schema.as_ref().expect("schema");
    let slot = builder.slot(&doc_uri(loc.doc), &loc.pointer, View::Response);
    let validator = builder.build().expect("validator");
    let errors = validator.validate(slot, value);
    assert!(
        errors.is_empty(),
        "{value} violates {operation} {status}: {errors:?}"
    );
}

// ---------------------------------------------------------------- routing

#[test]
fn concrete_paths_beat_templated_ones_with_and_without_base_path() {
    let m = mock();
    for prefix in ["/api/v2", ""] {
        let r = m.get(&format!("{prefix}/users/me"), &[]);
        assert_eq!(r.status, 200, "{r:?}");
        assert_eq!(r.json()["name"], "Me Myself", "{r:?}");
        let r = m.get(&format!("{prefix}/users/7"), &[]);
        assert_eq!(r.status, 200, "{r:?}");
        assert_eq!(r.json()["name"], "Alice Liddell", "first example: {r:?}");
    }
    // A path parameter is still validated after matching.
    let r = m.get("/api/v2/users/0", &[]);
    assert_eq!(r.status, 422, "{r:?}");
    assert_eq!(r.locations(), ["path.id"], "{r:?}");
}

#[test]
fn mixed_fragments_and_percent_decoding() {
    let m = mock();
    let r = m.get("/api/v2/files/hello%20world.json", &[]);
    assert_eq!(r.status, 200, "decoded to `hello world`: {r:?}");
    assert!(r.json()["ok"].is_boolean(), "{r:?}");
    // `+` is not a space in a path; the decoded `a+b` breaks the pattern.
    let r = m.get("/api/v2/files/a%2Bb.json", &[]);
    assert_eq!(r.status, 422, "{r:?}");
    assert_eq!(r.locations(), ["path.name"], "{r:?}");
    let r = m.get("/api/v2/files/readme.txt", &[]);
    assert_eq!(r.status, 404, "{r:?}");
}

#[test]
fn not_found_and_method_not_allowed_are_problem_json() {
    let m = mock();
    let r = m.get("/api/v2/nowhere", &[]);
    assert_eq!(r.status, 404, "{r:?}");
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    assert_eq!(r.json()["status"], 404);
    for method in ["PUT", "PATCH", "TRACE", "POST"] {
        let r = m.request(method, "/api/v2/users/3", &[], b"");
        assert_eq!(r.status, 405, "{method}: {r:?}");
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        let allow = r.header("allow").unwrap_or_default().to_owned();
        for m in ["GET", "DELETE", "HEAD"] {
            assert!(allow.contains(m), "{method}: Allow {allow:?} lacks {m}");
        }
        assert!(!allow.contains("PUT"), "Allow {allow:?}");
    }
}

#[test]
fn head_has_get_headers_and_no_body() {
    let m = mock();
    let get = m.get("/api/v2/users/5", &[]);
    let head = m.request("HEAD", "/api/v2/users/5", &[], b"");
    assert_eq!(head.status, 200, "{head:?}");
    assert!(head.body.is_empty(), "{head:?}");
    assert_eq!(head.header("content-type"), get.header("content-type"));
    assert_eq!(head.header("etag"), get.header("etag"));
}

// ---------------------------------------------------------------- parameters

#[test]
fn a_valid_request_with_every_parameter_style_passes() {
    let m = mock();
    let r = search(
        &m,
        "&tags=a&tags=c&ids=1,2,3&words=x%20y&pipes=1|2&filter[color]=red&filter[size]=3\
         &flag=&where=%7B%22a%22%3A1%7D",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    assert_valid_response("search", "200", "application/json", &body);
    let r = m.get("/api/v2/label/.1,2,3", &[]);
    assert_eq!(r.status, 204, "{r:?}");
    let r = m.get("/api/v2/matrix/;x=1;y=2", &[]);
    assert_eq!(r.status, 204, "{r:?}");
}

#[test]
fn every_parameter_violation_is_listed_with_its_location() {
    let m = mock();
    let r = m.get(
        "/api/v2/search?limit=1000&tags=z&ids=1,x&pipes=1|y&filter[size]=big&filter[extra]=1\
         &where=%7B%7D",
        &[("X-Trace", "not-a-uuid")],
    );
    assert_eq!(r.status, 422, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    let locations = r.locations();
    for expected in [
        "query.limit",
        "query.tags.0",
        "query.ids.1",
        "query.pipes.1",
        "query.filter.size",
        "query.filter",
        "query.where",
        "header.X-Trace",
        "cookie.session",
    ] {
        assert!(
            locations.iter().any(|l| l.starts_with(expected)),
            "{expected} missing from {locations:?}"
        );
    }
    let v = &r.json()["validation"][0];
    assert_eq!(v["severity"], "Error");
    assert!(v["code"].is_string() && v["message"].is_string(), "{v}");
}

#[test]
fn empty_values_need_allow_empty_value() {
    let m = mock();
    let r = search(&m, "&flag=");
    assert_eq!(r.status, 200, "{r:?}");
    let r = m.get("/api/v2/search?limit=", &SEARCH_HEADERS);
    assert_eq!(r.status, 422, "{r:?}");
    assert_eq!(r.locations(), ["query.limit"], "{r:?}");
    let r = m.get("/api/v2/search", &SEARCH_HEADERS);
    assert_eq!(r.status, 422, "{r:?}");
    assert_eq!(r.locations(), ["query.limit"], "{r:?}");
}

#[test]
fn big_integers_keep_their_precision() {
    let m = mock();
    // 2^53 + 1 is a valid int64 id; Prism rejects it.
    let r = m.get("/api/v2/users/9007199254740993", &[]);
    assert_eq!(r.status, 200, "{r:?}");
}

// ---------------------------------------------------------------- bodies

const JSON: (&str, &str) = ("Content-Type", "application/json");

#[test]
fn json_bodies_are_validated_with_every_violation() {
    let m = mock();
    let r = m.request(
        "POST",
        "/api/v2/pets",
        &[JSON],
        br#"{"name":"Rex","age":3}"#,
    );
    assert_eq!(r.status, 201, "{}", r.text());
    assert_valid_response("createPet", "201", "application/json", &r.json());
    // readOnly id, wrong type, too old, unknown property: all listed; the spec's own 400 is used.
    let r = m.request(
        "POST",
        "/api/v2/pets",
        &[JSON],
        br#"{"id":1,"name":"","age":99,"color":"red"}"#,
    );
    assert_eq!(r.status, 400, "{}", r.text());
    let body = r.json();
    assert_eq!(
        body["error"], "bad pet",
        "the spec's example is kept: {body}"
    );
    let locations: Vec<String> = body["validation"]
        .as_array()
        .expect("validation fits the declared schema, so it is added")
        .iter()
        .map(|e| {
            e["location"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(".")
        })
        .collect();
    for expected in ["body.id", "body.name", "body.age", "body"] {
        assert!(
            locations.iter().any(|l| l == expected),
            "{expected} missing from {locations:?}"
        );
    }
}

#[test]
fn missing_required_body_and_unsupported_media_types() {
    let m = mock();
    let r = m.request("POST", "/api/v2/pets", &[JSON], b"");
    assert_eq!(r.status, 400, "{}", r.text());
    let r = m.request(
        "POST",
        "/api/v2/pets",
        &[("Content-Type", "application/yaml")],
        b"name: Rex",
    );
    assert_eq!(r.status, 415, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
}

#[test]
fn hostile_json_gets_clear_400s() {
    let m = mock();
    let r = m.request(
        "POST",
        "/api/v2/pets",
        &[JSON],
        b"{\n  \"name\": \"Rex\",\n  oops\n}",
    );
    assert_eq!(r.status, 400, "{}", r.text());
    // The operation declares its own 400: its body, with the reason in `validation`.
    let body = r.json();
    assert_eq!(body["error"], "bad pet", "{body}");
    let detail = body["validation"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(detail.contains("line 3"), "{detail}");
    assert!(detail.contains("column"), "{detail}");
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let r = m.request("POST", "/api/v2/pets", &[JSON], deep.as_bytes());
    assert_eq!(r.status, 400, "{}", r.text());
    let r = m.request("POST", "/api/v2/pets", &[JSON], b"{\"name\":\"R\xffx\"}");
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().to_lowercase().contains("utf-8"), "{}", r.text());
}

#[test]
fn body_size_limit_is_a_413() {
    let small = Mock::start_with(&[SPEC, "--max-body", "1KB"]);
    let big = format!("{{\"name\":\"{}\"}}", "x".repeat(4096));
    let r = small.request("POST", "/api/v2/pets", &[JSON], big.as_bytes());
    assert_eq!(r.status, 413, "{r:?}");
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
}

#[test]
fn form_bodies_are_coerced_then_validated() {
    let m = mock();
    let form = ("Content-Type", "application/x-www-form-urlencoded");
    let r = m.request(
        "POST",
        "/api/v2/pets",
        &[form],
        b"name=Rex&age=4&tags=a&tags=b",
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let r = m.request("POST", "/api/v2/pets", &[form], b"name=Rex&age=old");
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("age"), "{}", r.text());
}

#[test]
fn multipart_bodies_honour_encoding() {
    let m = mock();
    let ct = ("Content-Type", "multipart/form-data; boundary=XyZ");
    let body = "--XyZ\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{\"title\":\"Q3\"}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"count\"\r\n\r\n3\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n\x00\x01\x02\r\n--XyZ--\r\n";
    let r = m.request("POST", "/api/v2/uploads", &[ct], body.as_bytes());
    assert_eq!(r.status, 201, "{}", r.text());
    let bad = "--XyZ\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{\"title\":\"\"}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"count\"\r\n\r\n11\r\n--XyZ--\r\n";
    let r = m.request("POST", "/api/v2/uploads", &[ct], bad.as_bytes());
    assert_eq!(r.status, 422, "{}", r.text());
    let locations = r.locations();
    for expected in ["body.meta.title", "body.count", "body"] {
        assert!(
            locations.iter().any(|l| l == expected),
            "{expected} missing from {locations:?}"
        );
    }
    let r = m.request(
        "POST",
        "/api/v2/uploads",
        &[("Content-Type", "multipart/form-data")],
        body.as_bytes(),
    );
    assert_eq!(r.status, 400, "no boundary: {}", r.text());
}

#[test]
fn text_and_binary_bodies() {
    let m = mock();
    let text = ("Content-Type", "text/plain; charset=utf-8");
    let r = m.request("POST", "/api/v2/notes", &[text], b"short");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), "noted");
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("text/plain"))
    );
    let r = m.request("POST", "/api/v2/notes", &[text], b"far too long for it");
    assert_eq!(r.status, 422, "{}", r.text());
    let bin = ("Content-Type", "application/octet-stream");
    let r = m.request("POST", "/api/v2/notes", &[bin], b"\x00\xff\xfe");
    assert_eq!(r.status, 200, "{}", r.text());
    // The body is optional here.
    let r = m.request("POST", "/api/v2/notes", &[], b"");
    assert_eq!(r.status, 200, "{}", r.text());
}

// ---------------------------------------------------------------- security

#[test]
fn security_is_an_or_of_and_sets() {
    let m = mock();
    let r = m.get("/api/v2/secure", &[]);
    assert_eq!(r.status, 401, "{r:?}");
    assert_eq!(
        r.json()["message"],
        "who are you?",
        "the spec's own 401: {r:?}"
    );
    let challenge = r.header("www-authenticate").unwrap_or_default();
    assert!(challenge.contains("Basic"), "{challenge}");
    assert!(challenge.contains("Bearer"), "{challenge}");
    for headers in [
        vec![("X-API-Key", "k")],
        vec![("Authorization", "Basic dTpw")],
        vec![("Authorization", "Bearer t"), ("Cookie", "sid=1")],
    ] {
        let r = m.get("/api/v2/secure", &headers);
        assert_eq!(r.status, 200, "{headers:?}: {r:?}");
    }
    // Half of an AND set is not enough.
    let r = m.get("/api/v2/secure", &[("Authorization", "Bearer t")]);
    assert_eq!(r.status, 401, "{r:?}");
    let r = m.get("/api/v2/secure", &[("Authorization", "Basic")]);
    assert_eq!(r.status, 401, "an empty credential: {r:?}");
}

// ---------------------------------------------------------------- responses

#[test]
fn prefer_header_and_query_fallbacks() {
    let m = mock();
    let r = m.get("/api/v2/users/1", &[("Prefer", "example=bob")]);
    assert_eq!(r.json()["name"], "Bob Builder", "{r:?}");
    let r = m.get("/api/v2/users/1?__example=bob", &[]);
    assert_eq!(r.json()["name"], "Bob Builder", "{r:?}");
    let r = m.get("/api/v2/users/1", &[("Prefer", "code=404")]);
    assert_eq!(r.status, 404, "{r:?}");
    assert_valid_response("getUser", "404", "application/problem+json", &r.json());
    let r = m.get("/api/v2/users/1?__code=404", &[]);
    assert_eq!(r.status, 404, "{r:?}");
    for (header, query) in [
        ("code=418", "__code=418"),
        ("example=carol", "__example=carol"),
    ] {
        let r = m.get("/api/v2/users/1", &[("Prefer", header)]);
        assert_eq!(r.status, 404, "{header}: {r:?}");
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        let r = m.get(&format!("/api/v2/users/1?{query}"), &[]);
        assert_eq!(r.status, 404, "{query}: {r:?}");
    }
}

#[test]
fn static_is_stable_dynamic_is_fresh_and_valid() {
    let m = mock();
    let a = m.get("/api/v2/report", &[]);
    let b = m.get("/api/v2/report", &[]);
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(a.body, b.body, "static: same URL, same body");
    let mut bodies = Vec::new();
    for _ in 0..5 {
        let r = m.get("/api/v2/report", &[("Prefer", "dynamic=true")]);
        assert_eq!(r.status, 200, "{r:?}");
        let v = r.json();
        assert_valid_response("report", "200", "application/json", &v);
        bodies.push(v);
    }
    bodies.dedup();
    assert!(bodies.len() > 1, "dynamic bodies differ: {bodies:?}");
    let r = m.get("/api/v2/report?__dynamic=true", &[]);
    assert_valid_response("report", "200", "application/json", &r.json());
    // A seed pins a dynamic body.
    let s1 = m.get("/api/v2/report", &[("Prefer", "dynamic=true, seed=7")]);
    let s2 = m.get("/api/v2/report?__dynamic=true&__seed=7", &[]);
    assert_eq!(s1.body, s2.body, "same seed, same body");
}

#[test]
fn content_negotiation_with_q_values() {
    let m = mock();
    let r = m.get(
        "/api/v2/report",
        &[("Accept", "application/json;q=0.5, text/csv;q=0.9")],
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.header("content-type"), Some("text/csv"));
    assert_eq!(r.text(), "id,name\n1,Rex\n");
    let r = m.get("/api/v2/report", &[("Accept", "application/octet-stream")]);
    assert_eq!(r.header("content-type"), Some("application/octet-stream"));
    let r = m.get("/api/v2/report", &[("Accept", "image/png")]);
    assert_eq!(r.status, 406, "{r:?}");
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    let r = m.get("/api/v2/users/1", &[("Accept", "application/xml")]);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.header("content-type"), Some("application/xml"));
    let xml = r.text();
    assert!(xml.contains("<user>") && xml.contains("<email>"), "{xml}");
}

#[test]
fn response_headers_come_from_schemas_and_examples() {
    let m = mock();
    let r = m.get("/api/v2/users/4", &[]);
    assert_eq!(r.header("etag"), Some("\"v1\""), "{r:?}");
    let limit: i64 = r
        .header("x-rate-limit")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("X-Rate-Limit is required: {r:?}"));
    assert!((0..=5000).contains(&limit), "{limit}");
    // No body, no Content-Type.
    let r = m.request("DELETE", "/api/v2/users/4", &[], b"");
    assert_eq!(r.status, 204, "{r:?}");
    assert!(r.header("content-type").is_none(), "{r:?}");
}

#[test]
fn errors_flag_turns_a_wrong_example_into_a_500() {
    let m = mock();
    let plain = m.get("/api/v2/broken-example", &[]);
    assert_eq!(
        plain.status, 200,
        "without --errors the example is served: {plain:?}"
    );
    let strict = Mock::start_with(&[SPEC, "--errors"]);
    let r = strict.get("/api/v2/broken-example", &[]);
    assert_eq!(r.status, 500, "{r:?}");
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    let body = r.json();
    let text = body.to_string();
    assert!(text.contains("count"), "{body}");
    let ok = strict.get("/api/v2/users/1", &[]);
    assert_eq!(ok.status, 200, "a valid response is untouched: {ok:?}");
    let log = strict.wait_stderr(|l| l.contains("brokenExample"));
    assert!(
        log.contains("brokenExample"),
        "logged with its operationId: {log}"
    );
}

#[test]
fn cors_is_on_by_default_and_can_be_turned_off() {
    let m = mock();
    let origin = ("Origin", "http://app.example");
    let r = m.get("/api/v2/users/1", &[origin]);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://app.example")
    );
    let off = Mock::start_with(&[SPEC, "--cors", "false"]);
    let r = off.get("/api/v2/users/1", &[origin]);
    assert_eq!(r.status, 200);
    assert!(r.header("access-control-allow-origin").is_none(), "{r:?}");
}
