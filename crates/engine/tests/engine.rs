use mockgen_engine::{Engine, MockRequest, MockResponse, Options};
use serde_json::Value;
use std::sync::{Arc, OnceLock};

fn load(path: &str) -> Engine {
    let text = std::fs::read_to_string(path).expect("spec file");
    let loaded = mockgen_spec::load(
        path,
        text,
        &mockgen_spec::NoFiles,
        &mockgen_spec::LoadOptions::default(),
    );
    let spec = loaded.spec.expect("spec loads");
    Engine::new(Arc::new(spec), Options::default()).expect("engine builds")
}

fn demo() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        load(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../specs/demo/petstore.yaml"
        ))
    })
}

fn swagger() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| load("/work/shared/specs/petstore.oas30.json"))
}

fn call(
    e: &Engine,
    method: &str,
    path: &str,
    query: Option<&str>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> MockResponse {
    e.handle(&MockRequest {
        method,
        path,
        query,
        headers,
        body,
    })
}

fn get(e: &Engine, path: &str, query: Option<&str>, headers: &[(&str, &str)]) -> MockResponse {
    call(e, "GET", path, query, headers, b"")
}

fn json(r: &MockResponse) -> Value {
    serde_json::from_slice(&r.body).expect("JSON body")
}

fn locations(r: &MockResponse) -> Vec<Vec<String>> {
    json(r)["validation"]
        .as_array()
        .expect("validation array")
        .iter()
        .map(|v| {
            v["location"]
                .as_array()
                .expect("location")
                .iter()
                .map(|s| s.as_str().expect("string").to_owned())
                .collect()
        })
        .collect()
}

const KEY: (&str, &str) = ("X-API-Key", "k");
const CT: (&str, &str) = ("Content-Type", "application/json");

#[test]
fn lists_pets_with_and_without_base_path() {
    for path in ["/v1/pets", "/pets"] {
        let r = get(demo(), path, None, &[]);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type"), Some("application/json"));
        let body = json(&r);
        let pets = body.as_array().expect("array");
        for pet in pets {
            assert!(pet["name"].is_string());
            assert!(pet["id"].is_i64());
            assert!(pet.get("secret").is_none());
        }
        assert!(r.header("X-Total-Count").is_some());
    }
}

#[test]
fn get_one_pet_generates_valid_body() {
    let r = get(demo(), "/pets/7", None, &[]);
    assert_eq!(r.status, 200);
    let pet = json(&r);
    for field in ["id", "name", "status", "createdAt"] {
        assert!(pet.get(field).is_some(), "{field} in {pet}");
    }
    assert!(["available", "pending", "sold"].contains(&pet["status"].as_str().unwrap_or("")));
}

#[test]
fn unknown_path_is_404_problem() {
    let r = get(demo(), "/nothing/here", None, &[]);
    assert_eq!(r.status, 404);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    let b = json(&r);
    assert_eq!(b["status"], 404);
    assert!(b["title"].is_string() && b["type"].is_string() && b["detail"].is_string());
}

#[test]
fn wrong_method_is_405_with_allow() {
    let r = call(demo(), "PATCH", "/pets", None, &[], b"");
    assert_eq!(r.status, 405);
    let allow = r.header("allow").expect("Allow");
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
}

#[test]
fn missing_api_key_is_401() {
    let r = call(
        demo(),
        "POST",
        "/pets",
        None,
        &[CT],
        br#"{"name":"Rex","status":"sold"}"#,
    );
    assert_eq!(r.status, 401);
    assert_eq!(r.header("www-authenticate"), Some("ApiKey"));
}

#[test]
fn valid_post_is_201() {
    let r = call(
        demo(),
        "POST",
        "/pets",
        None,
        &[KEY, CT],
        br#"{"name":"Rex","status":"sold"}"#,
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
}

#[test]
fn invalid_body_reports_every_violation() {
    let r = call(
        demo(),
        "POST",
        "/pets",
        None,
        &[KEY, CT],
        br#"{"name": 5, "id": 3}"#,
    );
    assert_eq!(r.status, 422, "{}", String::from_utf8_lossy(&r.body));
    let locs = locations(&r);
    assert!(
        locs.contains(&vec!["body".to_owned(), "name".to_owned()]),
        "{locs:?}"
    );
    let body = json(&r);
    let codes: Vec<&str> = body["validation"]
        .as_array()
        .expect("validation")
        .iter()
        .filter_map(|v| v["code"].as_str())
        .collect();
    assert!(codes.contains(&"required"), "{codes:?}");
    assert!(codes.contains(&"type"), "{codes:?}");
    assert!(
        locs.len() >= 3,
        "name type, missing status, readOnly id: {locs:?}"
    );
}

#[test]
fn malformed_json_is_400_with_position() {
    let r = call(
        demo(),
        "POST",
        "/pets",
        None,
        &[KEY, CT],
        b"{\n  \"name\": }",
    );
    assert_eq!(r.status, 400);
    let detail = json(&r)["detail"].as_str().unwrap_or_default().to_owned();
    assert!(
        detail.contains("line 2") && detail.contains("column"),
        "{detail}"
    );
}

#[test]
fn invalid_utf8_is_400() {
    let r = call(
        demo(),
        "POST",
        "/pets",
        None,
        &[KEY, CT],
        b"{\"name\": \"\xff\"}",
    );
    assert_eq!(r.status, 400);
}

#[test]
fn wrong_content_type_is_415() {
    let r = call(
        demo(),
        "POST",
        "/pets",
        None,
        &[KEY, ("Content-Type", "text/plain")],
        b"hi",
    );
    assert_eq!(r.status, 415);
}

#[test]
fn too_large_body_is_413() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../specs/demo/petstore.yaml"
    ))
    .expect("spec");
    let loaded = mockgen_spec::load("p.yaml", text, &mockgen_spec::NoFiles, &Default::default());
    let e = Engine::new(
        Arc::new(loaded.spec.expect("spec")),
        Options {
            max_body: 4,
            ..Options::default()
        },
    )
    .expect("engine");
    let r = call(&e, "POST", "/pets", None, &[KEY, CT], br#"{"name":"Rex"}"#);
    assert_eq!(r.status, 413);
}

#[test]
fn bad_query_params_are_422() {
    for q in ["limit=", "limit=abc", "limit=0"] {
        let r = get(demo(), "/pets", Some(q), &[]);
        assert_eq!(r.status, 422, "{q}: {}", String::from_utf8_lossy(&r.body));
        assert!(
            locations(&r).contains(&vec!["query".to_owned(), "limit".to_owned()]),
            "{q}"
        );
    }
    let r = get(demo(), "/pets/abc", None, &[]);
    assert_eq!(r.status, 422);
    assert!(locations(&r).contains(&vec!["path".to_owned(), "petId".to_owned()]));
}

#[test]
fn prefer_code_selects_declared_response() {
    let r = get(demo(), "/pets/1", None, &[("Prefer", "code=404")]);
    assert_eq!(r.status, 404);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    let b = json(&r);
    assert!(b["title"].is_string() && b["status"].is_i64(), "{b}");
    let r = get(demo(), "/pets/1", Some("__code=404"), &[]);
    assert_eq!(r.status, 404);
    let r = get(demo(), "/pets/1", None, &[("Prefer", "code=418")]);
    assert_eq!(r.status, 404);
    assert!(
        json(&r)["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("418")
    );
}

#[test]
fn prefer_example_selects_named_example() {
    let r = get(demo(), "/pets", None, &[("Prefer", "example=two")]);
    assert_eq!(r.status, 200);
    let b = json(&r);
    assert_eq!(b[0]["name"], "Rex");
    assert_eq!(b[1]["name"], "Tom");
    let r = get(demo(), "/pets", Some("__example=two&limit=5"), &[]);
    assert_eq!(json(&r)[1]["name"], "Tom");
    let r = get(demo(), "/pets", None, &[("Prefer", "example=nope")]);
    assert_eq!(r.status, 404);
}

#[test]
fn accept_negotiation() {
    let r = get(demo(), "/pets/1", None, &[("Accept", "application/xml")]);
    assert_eq!(r.status, 406);
    let r = get(
        demo(),
        "/pets/1",
        None,
        &[("Accept", "text/html, application/*;q=0.5")],
    );
    assert_eq!(r.status, 200);
    let r = get(demo(), "/pets/1", None, &[("Accept", "*/*")]);
    assert_eq!(r.status, 200);
}

#[test]
fn static_is_stable_and_dynamic_is_valid() {
    let a = get(demo(), "/pets/3", None, &[]);
    let b = get(demo(), "/pets/3", None, &[]);
    assert_eq!(a.body, b.body);
    for _ in 0..3 {
        let r = get(demo(), "/pets/3", None, &[("Prefer", "dynamic=true")]);
        assert_eq!(r.status, 200);
        let pet = json(&r);
        assert!(pet["name"].is_string() && pet["id"].is_i64(), "{pet}");
    }
}

#[test]
fn head_has_headers_but_no_body() {
    let r = call(demo(), "HEAD", "/pets", None, &[], b"");
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());
    assert_eq!(r.header("content-type"), Some("application/json"));
}

#[test]
fn delete_without_content_is_empty() {
    let r = call(demo(), "DELETE", "/pets/1", None, &[KEY], b"");
    assert_eq!(r.status, 204);
    assert!(r.body.is_empty());
}

#[test]
fn swagger_petstore() {
    let e = swagger();
    let r = get(e, "/v2/pet/1", None, &[("api_key", "x")]);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let r = get(
        e,
        "/pet/findByStatus",
        Some("status=available"),
        &[("Authorization", "Bearer t")],
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let r = get(e, "/pet/findByStatus", Some("status=available"), &[]);
    assert_eq!(r.status, 401);
    assert!(
        r.header("www-authenticate")
            .unwrap_or_default()
            .contains("Bearer")
    );
    let r = get(e, "/nope", None, &[]);
    assert_eq!(r.status, 404);
    let r = call(
        e,
        "POST",
        "/pet",
        None,
        &[("Authorization", "Bearer t"), CT],
        br#"{"name": 5}"#,
    );
    assert!(r.status == 422 || r.status == 400, "{}", r.status);
    assert!(!locations(&r).is_empty());
}

#[test]
fn garbage_never_panics() {
    for (m, p, q) in [
        ("GET", "", None),
        ("GET", "%%%", Some("%%%&&==")),
        ("POST", "/pets/%FF", Some("__code=abc")),
        ("weird", "/pets", Some("__dynamic")),
    ] {
        let _ = call(
            demo(),
            m,
            p,
            q,
            &[("Prefer", "code=,example=;;")],
            b"\x00\xff",
        );
    }
}

#[test]
fn generated_bodies_validate_against_their_schemas() {
    let e = demo();
    let spec = e.spec();
    let mut builder = mockgen_schema::ValidatorBuilder::new();
    for (i, doc) in spec.documents.iter().enumerate() {
        builder.add_document(&mockgen_spec::doc_uri(i), Arc::clone(doc));
    }
    let schema_of = |op: &str| {
        spec.operation(op).expect("op").responses[0].content[0]
            .schema
            .clone()
            .expect("schema")
    };
    let list = schema_of("listPets");
    let one = schema_of("getPet");
    let list_slot = builder.slot(
        &mockgen_spec::doc_uri(list.doc),
        &list.pointer,
        mockgen_schema::View::Response,
    );
    let one_slot = builder.slot(
        &mockgen_spec::doc_uri(one.doc),
        &one.pointer,
        mockgen_schema::View::Response,
    );
    let v = builder.build().expect("validator");
    for (path, slot) in [
        ("/v1/pets", list_slot),
        ("/pets/9", one_slot),
        ("/pets/10", one_slot),
    ] {
        for prefer in ["dynamic=false", "dynamic=true"] {
            let r = get(e, path, None, &[("Prefer", prefer)]);
            assert_eq!(r.status, 200);
            let violations = v.validate(slot, &json(&r));
            assert!(violations.is_empty(), "{path} {prefer}: {violations:?}");
        }
    }
}

const INLINE: &str = r#"
openapi: 3.1.0
info: {title: t, version: '1'}
components:
  securitySchemes:
    basic: {type: http, scheme: basic}
    bearer: {type: http, scheme: bearer}
paths:
  /form:
    post:
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [n, ok]
              properties:
                n: {type: integer, maximum: 10}
                ok: {type: boolean}
                tags: {type: array, items: {type: string}}
      responses:
        '2XX':
          description: ok
          content:
            text/plain:
              schema: {type: string, const: done}
        '400':
          description: bad
          content:
            application/json:
              schema:
                type: object
                required: [error]
                properties:
                  error: {type: string, const: invalid}
  /any:
    put:
      security: [{basic: []}, {bearer: []}]
      requestBody:
        content:
          application/*:
            schema: {type: object}
      responses:
        default:
          description: whatever
"#;

fn inline() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        let loaded = mockgen_spec::load(
            "inline.yaml",
            INLINE.to_owned(),
            &mockgen_spec::NoFiles,
            &Default::default(),
        );
        Engine::new(Arc::new(loaded.spec.expect("spec")), Options::default()).expect("engine")
    })
}

#[test]
fn form_bodies_are_coerced_and_validated() {
    let form = ("Content-Type", "application/x-www-form-urlencoded");
    let r = call(
        inline(),
        "POST",
        "/form",
        None,
        &[form],
        b"n=3&ok=true&tags=a&tags=b",
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.body, b"done");
    assert_eq!(r.header("content-type"), Some("text/plain"));
    // A declared 400 answers invalid requests, with the violations added.
    let r = call(inline(), "POST", "/form", None, &[form], b"n=30");
    assert_eq!(r.status, 400);
    let b = json(&r);
    assert_eq!(b["error"], "invalid");
    let locs = locations(&r);
    assert!(
        locs.contains(&vec!["body".to_owned(), "n".to_owned()]),
        "{locs:?}"
    );
    assert!(
        locs.contains(&vec!["body".to_owned()]),
        "missing ok: {locs:?}"
    );
    let r = call(inline(), "POST", "/form", None, &[form], b"");
    assert_eq!(r.status, 400);
}

#[test]
fn http_auth_and_wildcard_media_types() {
    let put =
        |headers: &[(&str, &str)], body: &[u8]| call(inline(), "PUT", "/any", None, headers, body);
    let r = put(&[], b"");
    assert_eq!(r.status, 401);
    let challenge = r.header("www-authenticate").unwrap_or_default().to_owned();
    assert!(
        challenge.contains("Basic realm=") && challenge.contains("Bearer"),
        "{challenge}"
    );
    assert_eq!(put(&[("Authorization", "Bearer ")], b"").status, 401);
    assert_eq!(put(&[("Authorization", "Basic dTpw")], b"").status, 200);
    let auth = ("Authorization", "bearer abc");
    let r = put(&[auth, ("Content-Type", "application/vnd.x+json")], b"{}");
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());
    let r = put(&[auth, ("Content-Type", "application/json")], b"[1]");
    assert_eq!(r.status, 422);
    let r = put(&[auth, ("Content-Type", "text/plain")], b"x");
    assert_eq!(r.status, 415);
}
