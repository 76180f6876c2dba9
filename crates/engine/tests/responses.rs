//! The response side of the engine: `--errors`, declared 401/422/400 answers, content types,
//! response headers, per-request seeds, content negotiation and the static cache.

use mockgen_engine::{Engine, MockRequest, MockResponse, Options};
use serde_json::{Value, json};
use std::sync::{Arc, OnceLock};

const SPEC: &str = r#"
openapi: 3.1.0
info: {title: responses, version: '1'}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Key}
  schemas:
    Thing:
      type: object
      required: [id, name]
      additionalProperties: false
      properties:
        id: {type: integer}
        name: {type: string}
paths:
  /wrong:
    get:
      responses:
        '200':
          description: the example breaks the schema
          headers:
            X-Rate:
              required: true
              schema: {type: integer, maximum: 10}
              example: 99
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
              examples:
                bad: {value: {id: "seven", name: Rex}}
  /headers:
    get:
      responses:
        '200':
          description: typed headers
          headers:
            X-Flag: {required: true, schema: {type: boolean}}
            X-Count: {required: true, schema: {type: integer, minimum: 1, maximum: 9}}
            X-List: {required: true, schema: {type: array, items: {type: integer}, minItems: 2, maxItems: 2}}
            X-Obj:
              required: true
              schema: {type: object, required: [a], additionalProperties: false, properties: {a: {type: integer, const: 1}}}
            X-Example: {schema: {type: string}, example: fixed}
            Content-Length: {schema: {type: integer}}
          content:
            text/*:
              schema: {type: string, const: hello}
  /empty:
    get:
      responses:
        '200':
          description: a media type without schema or example
          content:
            application/json: {}
  /empty-text:
    get:
      responses:
        '200':
          description: a text media type without schema or example
          content:
            text/plain: {}
  /no-content:
    get:
      responses:
        '200':
          description: no content at all
  /any:
    get:
      responses:
        '200':
          description: wildcard media types
          content:
            '*/*':
              schema: {type: object, required: [ok], properties: {ok: {const: true}}}
  /charset:
    get:
      responses:
        '200':
          description: charset kept
          content:
            application/json; charset=utf-8:
              schema: {type: object, required: [ok], properties: {ok: {const: true}}}
  /seeded:
    get:
      responses:
        '200':
          description: generated
          content:
            application/json:
              schema:
                type: object
                required: [id, code]
                properties:
                  id: {type: string, format: uuid}
                  code: {type: integer, minimum: 0, maximum: 1000000000}
  /negotiate:
    get:
      responses:
        '200':
          description: several media types
          content:
            application/problem+json:
              schema: {type: object, required: [kind], properties: {kind: {const: problem}}}
            application/json:
              schema: {type: object, required: [kind], properties: {kind: {const: json}}}
            text/plain:
              schema: {type: string, const: plain}
  /vendor:
    get:
      responses:
        '200':
          description: only a +json type
          content:
            application/vnd.thing+json:
              schema: {type: object, required: [kind], properties: {kind: {const: vendor}}}
  /secure-declared:
    get:
      security: [{key: []}]
      responses:
        '200': {description: ok}
        '401':
          description: the spec's own 401
          headers:
            X-Reason: {schema: {type: string}, example: no-key}
          content:
            application/json:
              schema: {type: object, required: [error], properties: {error: {type: string}}}
              example: {error: key missing}
  /secure-default:
    get:
      security: [{key: []}]
      responses:
        '200': {description: ok}
        4XX: {description: a range covers 401 too}
  /closed-422:
    get:
      parameters:
        - {name: n, in: query, required: true, schema: {type: integer}}
      responses:
        '200': {description: ok}
        '422':
          description: a closed error body
          content:
            application/json:
              schema:
                type: object
                required: [message]
                additionalProperties: false
                properties: {message: {type: string}}
              example: {message: invalid input}
  /open-400:
    get:
      parameters:
        - {name: n, in: query, required: true, schema: {type: integer}}
      responses:
        '200': {description: ok}
        '400':
          description: an open error body
          content:
            application/json:
              schema:
                type: object
                required: [message]
                properties: {message: {type: string}}
              example: {message: invalid input}
  /switch:
    post:
      responses:
        '101': {description: switching protocols}
        '400': {description: bad}
  /no-success:
    put:
      responses:
        '400': {description: bad}
        '404': {description: not found}
  /user/logout:
    get:
      responses:
        '200': {description: ok}
  /user/{name}:
    parameters:
      - {name: name, in: path, required: true, schema: {type: string}}
    get:
      responses:
        '200': {description: ok}
    put:
      responses:
        '200': {description: ok}
    delete:
      responses:
        '204': {description: ok}
  /malformed-400:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object}
      responses:
        '200': {description: ok}
        '400':
          description: the spec's own 400
          content:
            application/json:
              schema:
                type: object
                required: [message]
                properties: {message: {type: string}}
              example: {message: bad body}
  /malformed-422:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object}
      responses:
        '200': {description: ok}
        '422':
          description: only a 422 is declared
          content:
            application/json:
              schema:
                type: object
                required: [message]
                properties: {message: {type: string}}
              example: {message: unprocessable}
  /default-only:
    get:
      parameters:
        - {name: n, in: query, required: true, schema: {type: integer}}
      responses:
        '200': {description: ok}
        default:
          description: any error
          content:
            application/json:
              schema:
                type: object
                required: [code]
                additionalProperties: false
                properties: {code: {type: integer}}
              example: {code: 7}
  /range-only:
    get:
      parameters:
        - {name: n, in: query, required: true, schema: {type: integer}}
      responses:
        '200': {description: ok}
        4XX:
          description: client errors
          content:
            text/plain:
              schema: {type: string}
              example: nope
"#;

fn engine(validate_responses: bool) -> Engine {
    let loaded = mockgen_spec::load(
        "responses.yaml",
        SPEC.to_owned(),
        &mockgen_spec::NoFiles,
        &Default::default(),
    );
    let spec = loaded.spec.expect("spec loads");
    Engine::new(
        Arc::new(spec),
        Options {
            validate_responses,
            ..Options::default()
        },
    )
    .expect("engine builds")
}

fn plain() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| engine(false))
}

fn strict() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| engine(true))
}

fn get(e: &Engine, path: &str, query: Option<&str>, headers: &[(&str, &str)]) -> MockResponse {
    e.handle(&MockRequest {
        method: "GET",
        path,
        query,
        headers,
        body: b"",
    })
}

fn body(r: &MockResponse) -> Value {
    serde_json::from_slice(&r.body).expect("JSON body")
}

fn locations(v: &Value) -> Vec<Vec<String>> {
    v["validation"]
        .as_array()
        .expect("validation array")
        .iter()
        .map(|e| {
            e["location"]
                .as_array()
                .expect("location")
                .iter()
                .map(|s| s.as_str().expect("string").to_owned())
                .collect()
        })
        .collect()
}

fn loc(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn errors_flag_turns_a_wrong_example_into_500_listing_every_violation() {
    let bad = [("Prefer", "example=bad")];
    let r = get(strict(), "/wrong", None, &bad);
    assert_eq!(r.status, 500, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    let b = body(&r);
    assert_eq!(b["status"], 500);
    let locs = locations(&b);
    assert!(locs.contains(&loc(&["response", "body", "id"])), "{locs:?}");
    assert!(
        locs.contains(&loc(&["response", "header", "X-Rate"])),
        "{locs:?}"
    );
    assert_eq!(r.meta.violations.len(), 2, "{:?}", r.meta.violations);
    assert!(r.meta.violations[0].starts_with("response.body.id: "));
    // Cached renders keep their violations.
    let again = get(strict(), "/wrong", None, &bad);
    assert_eq!(again.status, 500);
    assert_eq!(again.meta.violations, r.meta.violations);
    // With --errors the document's example is what gets checked, even unasked.
    let r = get(strict(), "/wrong", None, &[]);
    assert_eq!(r.status, 500);
    assert_eq!(r.meta.violations.len(), 2, "{:?}", r.meta.violations);
}

#[test]
fn a_wrong_example_is_replaced_by_generated_data_unless_asked_for() {
    let r = get(plain(), "/wrong", None, &[]);
    assert_eq!(r.status, 200);
    let b = body(&r);
    assert!(b["id"].is_i64() && b["name"].is_string(), "{b}");
    // The header example is still the document's (and logged as wrong).
    assert_eq!(r.header("x-rate"), Some("99"));
    assert_eq!(r.meta.violations.len(), 1, "{:?}", r.meta.violations);
    // Asked for by name, the example is served as written, and logged.
    let r = get(plain(), "/wrong", None, &[("Prefer", "example=bad")]);
    assert_eq!(r.status, 200);
    assert_eq!(body(&r), json!({"id": "seven", "name": "Rex"}));
    assert_eq!(r.meta.violations.len(), 2, "{:?}", r.meta.violations);
}

#[test]
fn valid_responses_pass_the_errors_check() {
    for path in ["/headers", "/any", "/seeded", "/negotiate", "/charset"] {
        let r = get(strict(), path, None, &[]);
        assert_eq!(
            r.status,
            200,
            "{path}: {}",
            String::from_utf8_lossy(&r.body)
        );
        assert!(
            r.meta.violations.is_empty(),
            "{path}: {:?}",
            r.meta.violations
        );
    }
}

#[test]
fn declared_401_answers_security_failures_with_a_challenge() {
    let r = get(plain(), "/secure-declared", None, &[]);
    assert_eq!(r.status, 401);
    assert_eq!(body(&r), json!({"error": "key missing"}));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("x-reason"), Some("no-key"));
    assert_eq!(r.header("www-authenticate"), Some("ApiKey"));
    let r = get(plain(), "/secure-declared", None, &[("X-Key", "k")]);
    assert_eq!(r.status, 200);
}

#[test]
fn a_declared_4xx_range_answers_security_failures() {
    // A declared `4XX` (here without content) answers instead of a generated problem.
    let r = get(plain(), "/secure-default", None, &[]);
    assert_eq!(r.status, 401);
    assert_eq!(r.header("content-type"), None);
    assert!(r.body.is_empty());
    assert_eq!(r.header("www-authenticate"), Some("ApiKey"));
}

#[test]
fn declared_422_with_a_closed_schema_is_sent_unchanged() {
    let r = get(plain(), "/closed-422", Some("n=x"), &[]);
    assert_eq!(r.status, 422);
    assert_eq!(body(&r), json!({"message": "invalid input"}));
    assert_eq!(r.meta.violations.len(), 1, "{:?}", r.meta.violations);
    // The declared body is valid, so even --errors sends it.
    let r = get(strict(), "/closed-422", Some("n=x"), &[]);
    assert_eq!(r.status, 422);
    assert!(body(&r).get("validation").is_none());
}

#[test]
fn declared_400_with_an_open_schema_gets_the_validation_list() {
    let r = get(plain(), "/open-400", None, &[]);
    assert_eq!(r.status, 400);
    let b = body(&r);
    assert_eq!(b["message"], "invalid input");
    assert_eq!(locations(&b), vec![loc(&["query", "n"])]);
}

#[test]
fn headers_are_typed_serialised_and_all_required_present() {
    let r = get(plain(), "/headers", None, &[]);
    assert_eq!(r.status, 200);
    let flag = r.header("x-flag").expect("X-Flag");
    assert!(flag == "true" || flag == "false", "{flag}");
    let count: i64 = r.header("x-count").expect("X-Count").parse().expect("int");
    assert!((1..=9).contains(&count));
    let list = r.header("x-list").expect("X-List");
    let items: Vec<i64> = list
        .split(',')
        .map(|s| s.parse().expect("int item"))
        .collect();
    assert_eq!(items.len(), 2, "{list}");
    assert_eq!(r.header("x-obj"), Some("a,1"));
    assert_eq!(r.header("x-example"), Some("fixed"));
    // Framing headers are hyper's business.
    assert!(r.header("content-length").is_none());
    // `text/*` is served as text/plain.
    assert_eq!(r.header("content-type"), Some("text/plain"));
    assert_eq!(r.body, b"hello");
}

#[test]
fn declared_media_without_schema_is_labelled_and_json_parses() {
    // Any value is valid: JSON gets the smallest parseable body, text stays empty; both carry
    // the declared Content-Type (a client was promised that media type).
    let r = get(plain(), "/empty", None, &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(body(&r), json!({}));
    let r = get(plain(), "/empty-text", None, &[]);
    assert_eq!(r.header("content-type"), Some("text/plain"));
    assert!(r.body.is_empty());
}

#[test]
fn no_body_means_no_content_type() {
    let r = get(plain(), "/no-content", None, &[]);
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());
    assert!(r.header("content-type").is_none(), "{:?}", r.headers);
}

#[test]
fn media_ranges_are_served_as_json_and_charsets_kept() {
    let r = get(plain(), "/any", None, &[]);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(body(&r)["ok"], true);
    let r = get(plain(), "/charset", None, &[]);
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(body(&r)["ok"], true);
}

#[test]
fn prefer_seed_gives_reproducible_generated_data() {
    let a = get(plain(), "/seeded", None, &[("Prefer", "seed=1")]);
    let b = get(plain(), "/seeded", None, &[("Prefer", "seed=1")]);
    let c = get(plain(), "/seeded", None, &[("Prefer", "seed=2")]);
    let d = get(plain(), "/seeded", Some("__seed=2"), &[]);
    let plain_body = get(plain(), "/seeded", None, &[]);
    assert_eq!(a.status, 200);
    assert_eq!(a.body, b.body);
    assert_ne!(a.body, c.body);
    assert_eq!(c.body, d.body);
    assert_ne!(a.body, plain_body.body);
    // With dynamic data, the seed makes it reproducible too.
    let e = get(
        plain(),
        "/seeded",
        None,
        &[("Prefer", "dynamic=true, seed=9")],
    );
    let f = get(
        plain(),
        "/seeded",
        None,
        &[("Prefer", "dynamic=true; seed=9")],
    );
    assert_eq!(e.body, f.body);
    let g = get(plain(), "/seeded", None, &[("Prefer", "dynamic=true")]);
    let h = get(plain(), "/seeded", None, &[("Prefer", "dynamic=true")]);
    assert_ne!(g.body, h.body);
}

#[test]
fn static_bodies_are_stable_per_url() {
    let a = get(plain(), "/seeded", Some("x=1"), &[]);
    let b = get(plain(), "/seeded", Some("x=1"), &[]);
    let c = get(plain(), "/seeded", Some("x=2"), &[]);
    assert_eq!(a.body, b.body);
    assert_ne!(a.body, c.body);
    // A fresh engine renders the same bytes (the cache only saves work).
    let fresh = engine(false);
    assert_eq!(get(&fresh, "/seeded", Some("x=1"), &[]).body, a.body);
}

#[test]
fn negotiation_uses_q_values_and_treats_suffixes_as_a_fallback() {
    let kind = |accept: &str| {
        let r = get(plain(), "/negotiate", None, &[("Accept", accept)]);
        (r.status, r.header("content-type").map(str::to_owned))
    };
    assert_eq!(
        kind("application/json"),
        (200, Some("application/json".to_owned()))
    );
    assert_eq!(
        kind("application/problem+json"),
        (200, Some("application/problem+json".to_owned()))
    );
    assert_eq!(
        kind("text/plain;q=0.9, application/json;q=0.4"),
        (200, Some("text/plain".to_owned()))
    );
    assert_eq!(
        kind("application/json;q=0, */*"),
        (200, Some("application/problem+json".to_owned()))
    );
    assert_eq!(
        kind("application/json; charset=utf-8"),
        (200, Some("application/json".to_owned()))
    );
    assert_eq!(kind("image/png").0, 406);
    let r = get(plain(), "/vendor", None, &[("Accept", "application/json")]);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/vnd.thing+json"));
    assert_eq!(body(&r)["kind"], "vendor");
    let r = get(plain(), "/vendor", None, &[("Accept", "text/html")]);
    assert_eq!(r.status, 406);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
}

#[test]
fn head_keeps_the_content_type_of_get() {
    let r = plain().handle(&MockRequest {
        method: "head",
        path: "/any",
        query: None,
        headers: &[],
        body: b"",
    });
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());
    assert_eq!(r.header("content-type"), Some("application/json"));
}

#[test]
fn one_xx_is_never_the_default_answer() {
    let r = plain().handle(&MockRequest {
        method: "POST",
        path: "/switch",
        query: None,
        headers: &[],
        body: b"",
    });
    assert_eq!(r.status, 400);
    // Without a success response, a valid request gets the status that does not call it bad.
    let r = plain().handle(&MockRequest {
        method: "PUT",
        path: "/no-success",
        query: None,
        headers: &[],
        body: b"",
    });
    assert_eq!(r.status, 404);
}

#[test]
fn allow_lists_the_methods_of_the_most_specific_path() {
    let r = plain().handle(&MockRequest {
        method: "POST",
        path: "/user/logout",
        query: None,
        headers: &[],
        body: b"",
    });
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("GET, HEAD, OPTIONS"));
    let r = plain().handle(&MockRequest {
        method: "POST",
        path: "/user/bob",
        query: None,
        headers: &[],
        body: b"",
    });
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("DELETE, GET, HEAD, OPTIONS, PUT"));
}

#[test]
fn malformed_body_answers_the_declared_400() {
    let r = plain().handle(&MockRequest {
        method: "POST",
        path: "/malformed-400",
        query: None,
        headers: &[("Content-Type", "application/json")],
        body: b"{oops",
    });
    assert_eq!(r.status, 400);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let b = body(&r);
    assert_eq!(b["message"], "bad body");
    assert_eq!(locations(&b), vec![loc(&["body"])]);
    assert_eq!(b["validation"][0]["code"], "syntax");
    assert!(!r.meta.violations.is_empty());
}

#[test]
fn malformed_body_stays_a_400_when_only_a_422_is_declared() {
    // RFC 9110: unparseable content is a 400; a declared 422 is for well-formed but invalid
    // content, so it does not carry a syntax error.
    let r = plain().handle(&MockRequest {
        method: "POST",
        path: "/malformed-422",
        query: None,
        headers: &[("Content-Type", "application/json")],
        body: b"\x04NS",
    });
    assert_eq!(r.status, 400);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    let valid = plain().handle(&MockRequest {
        method: "POST",
        path: "/malformed-422",
        query: None,
        headers: &[("Content-Type", "application/json")],
        body: b"[]",
    });
    assert_eq!(valid.status, 422);
    assert_eq!(body(&valid)["message"], "unprocessable");
}

#[test]
fn default_or_range_error_responses_answer_invalid_requests() {
    // The same declared response rendered with another status first: cached per status.
    let r = get(
        plain(),
        "/default-only",
        Some("n=1"),
        &[("Prefer", "code=503")],
    );
    assert_eq!(r.status, 503);
    let r = get(plain(), "/default-only", Some("n=x"), &[]);
    assert_eq!(r.status, 422);
    // Closed schema: the spec's body unchanged.
    assert_eq!(body(&r), json!({"code": 7}));
    let r = get(plain(), "/range-only", None, &[]);
    assert_eq!(r.status, 422);
    assert_eq!(r.header("content-type"), Some("text/plain"));
    assert_eq!(r.body, b"nope");
}

const SWAGGER: &str = r#"
swagger: '2.0'
info: {title: two, version: '1'}
produces: [application/json]
paths:
  /items:
    get:
      parameters:
        - {name: n, in: query, required: true, type: integer}
      responses:
        '200':
          description: ok
          schema: {type: object}
"#;

#[test]
fn swagger2_problems_use_the_json_type_produces_declares() {
    let loaded = mockgen_spec::load(
        "two.yaml",
        SWAGGER.to_owned(),
        &mockgen_spec::NoFiles,
        &Default::default(),
    );
    let e = Engine::new(Arc::new(loaded.spec.expect("spec")), Options::default()).expect("engine");
    let r = get(&e, "/items", Some("n=x"), &[]);
    assert_eq!(r.status, 422);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(body(&r)["status"], 422);
    // 3.x keeps problem+json.
    let r = get(plain(), "/open-400", Some("n=1"), &[("Prefer", "code=418")]);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
}

const SPLICE_SPEC: &str = r#"
openapi: 3.1.0
info: {title: splice, version: '1'}
components:
  parameters:
    n: {name: n, in: query, required: true, schema: {type: integer}}
paths:
  /open:
    get:
      parameters: [{$ref: '#/components/parameters/n'}]
      responses:
        '200': {description: ok}
        '422':
          description: an object its schema lets take a validation list
          content:
            application/json:
              schema: {type: object, properties: {message: {type: string}}}
              example: {message: "bad \"input\" – ü\n"}
  /empty:
    get:
      parameters: [{$ref: '#/components/parameters/n'}]
      responses:
        '200': {description: ok}
        '400':
          description: an empty object
          content:
            application/json:
              schema: {type: object}
              example: {}
  /problem:
    get:
      parameters: [{$ref: '#/components/parameters/n'}]
      responses:
        '200': {description: ok}
        default:
          description: a problem document (its status is set to the one sent)
          content:
            application/problem+json:
              schema: {type: object, required: [status]}
              example: {type: about:blank, title: Bad, status: 400, detail: d}
  /typed:
    get:
      parameters: [{$ref: '#/components/parameters/n'}]
      responses:
        '200': {description: ok}
        '422':
          description: the schema judges the validation list itself
          content:
            application/json:
              schema: {type: object, properties: {validation: {type: array, minItems: 1}}}
              example: {message: typed}
  /judged:
    get:
      parameters: [{$ref: '#/components/parameters/n'}]
      responses:
        '200': {description: ok}
        '422':
          description: validation must be a string here, so the body goes out unchanged
          content:
            application/json:
              schema: {type: object, additionalProperties: {type: string}}
              example: {message: judged}
"#;

/// Declared error bodies with the `validation` list are the pretty document, byte for byte,
/// whether the list is appended to a cached head (schemas that cannot see it) or checked
/// against the schema per request; repeated requests get the same bytes.
#[test]
fn validation_lists_are_written_as_the_pretty_document() {
    let loaded = mockgen_spec::load(
        "splice.yaml",
        SPLICE_SPEC.to_owned(),
        &mockgen_spec::NoFiles,
        &Default::default(),
    );
    let e = Engine::new(
        Arc::new(loaded.spec.expect("spec loads")),
        Options::default(),
    )
    .expect("engine builds");
    for (path, status) in [
        ("/open", 422),
        ("/empty", 400),
        ("/problem", 422),
        ("/typed", 422),
    ] {
        let first = get(&e, path, Some("n=%22q%22&n=%5C"), &[]);
        assert_eq!(first.status, status, "{path}");
        let v = body(&first);
        let pretty = format!("{}\n", serde_json::to_string_pretty(&v).expect("prints"));
        assert_eq!(String::from_utf8_lossy(&first.body), pretty, "{path}");
        assert!(
            v["validation"].as_array().is_some_and(|l| !l.is_empty()),
            "{path}: {v}"
        );
        let again = get(&e, path, Some("n=%22q%22&n=%5C"), &[]);
        assert_eq!(again.body, first.body, "{path}");
        let other = get(&e, path, Some("n=x"), &[]);
        assert_eq!(
            body(&other)["validation"][0]["location"],
            json!(["query", "n"])
        );
    }
    assert_eq!(body(&get(&e, "/problem", None, &[]))["status"], 422);
    assert_eq!(
        body(&get(&e, "/judged", Some("n=x"), &[])),
        json!({"message": "judged"})
    );
}
