//! Realistic output for familiar schemas, and determinism: same inputs, same bytes;
//! unrelated changes elsewhere in a spec leave a body unchanged.

use crate::support::{load_text, response_loc, spec_with};
use mockgen_spec::Loc;
use mockgen_synth::{Locale, Options, Source, Synth, View};
use serde_json::{Value, json};

fn components() -> Value {
    json!({
        "Pet": {
            "type": "object",
            "required": ["id", "name", "photoUrls"],
            "properties": {
                "id": {"type": "integer", "format": "int64", "readOnly": true},
                "name": {"type": "string"},
                "category": {"$ref": "#/components/schemas/Category"},
                "photoUrls": {"type": "array", "items": {"type": "string"}},
                "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
                "status": {"type": "string", "enum": ["available", "pending", "sold"]}
            }
        },
        "Category": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
        "Tag": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
        "User": {
            "type": "object",
            "required": ["id", "email", "firstName", "lastName"],
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "email": {"type": "string"},
                "firstName": {"type": "string"},
                "last_name": {"type": "string"},
                "lastName": {"type": "string"},
                "username": {"type": "string", "maxLength": 30},
                "phone": {"type": "string"},
                "address": {"$ref": "#/components/schemas/Address"},
                "createdAt": {"type": "string", "format": "date-time"},
                "updated_at": {"type": "string"},
                "birthDate": {"type": "string", "format": "date"},
                "website": {"type": "string", "format": "uri"},
                "avatar_url": {"type": "string"},
                "password": {"type": "string", "writeOnly": true}
            }
        },
        "Address": {
            "type": "object",
            "properties": {
                "street": {"type": "string"},
                "city": {"type": "string"},
                "zip": {"type": "string"},
                "country": {"type": "string"},
                "countryCode": {"type": "string", "pattern": "^[A-Z]{2}$"}
            }
        },
        "Money": {
            "type": "object",
            "required": ["amount", "currency"],
            "properties": {
                "amount": {"type": "number", "minimum": 0, "maximum": 10000},
                "currency": {"type": "string", "pattern": "^[A-Z]{3}$"}
            }
        }
    })
}

fn generate(name: &str, options: Options, view: View, key: &[&str]) -> Value {
    let spec = spec_with(
        &json!({"$ref": format!("#/components/schemas/{name}")}),
        &components(),
    );
    let synth = Synth::new(&spec, options).unwrap();
    let loc = match view {
        View::Request => crate::support::request_loc(),
        _ => response_loc(),
    };
    synth.generate(&loc, view, key).unwrap()
}

fn is_recent_date_time(s: &str) -> bool {
    // 2025-01-01 .. 2026-01-01 with the default "now"; RFC 3339 UTC.
    s.len() == 20
        && s.ends_with('Z')
        && (s.starts_with("2025-") || s.starts_with("2026-01-01"))
        && &s[10..11] == "T"
}

#[test]
fn pet_looks_like_a_pet() {
    for key in ["a", "b", "c", "d"] {
        let pet = generate("Pet", Options::default(), View::Response, &[key]);
        let name = pet["name"].as_str().unwrap();
        assert!(!name.is_empty() && name != "string", "{pet}");
        assert!(pet["id"].as_i64().unwrap() > 0, "{pet}");
        assert!(
            ["available", "pending", "sold"].contains(&pet["status"].as_str().unwrap()),
            "{pet}"
        );
        for url in pet["photoUrls"].as_array().unwrap() {
            assert!(url.as_str().unwrap().starts_with("https://"), "{pet}");
        }
        // The category is named like a category, not like a person.
        if let Some(c) = pet["category"]["name"].as_str() {
            assert!(c.chars().all(|c| c.is_ascii_lowercase()), "{pet}");
        }
        // readOnly `id` is absent from requests.
        let request = generate("Pet", Options::default(), View::Request, &[key]);
        assert!(request.get("id").is_none(), "{request}");
    }
}

#[test]
fn user_looks_like_a_user() {
    for key in ["a", "b", "c"] {
        let u = generate("User", Options::default(), View::Response, &[key]);
        let email = u["email"].as_str().unwrap();
        let (local, domain) = email.split_once('@').expect("email has @");
        assert!(!local.is_empty() && domain.contains('.'), "{u}");
        for field in ["firstName", "lastName"] {
            let n = u[field].as_str().unwrap();
            assert!(
                n.chars().next().unwrap().is_uppercase() && n != "string",
                "{field}: {u}"
            );
        }
        assert!(is_recent_date_time(u["createdAt"].as_str().unwrap()), "{u}");
        assert!(
            is_recent_date_time(u["updated_at"].as_str().unwrap()),
            "{u}"
        );
        let birth = u["birthDate"].as_str().unwrap();
        let year: i32 = birth[..4].parse().unwrap();
        assert!((1940..=2008).contains(&year), "{u}");
        assert!(
            u["website"].as_str().unwrap().starts_with("https://"),
            "{u}"
        );
        assert!(
            u["avatar_url"].as_str().unwrap().starts_with("https://"),
            "{u}"
        );
        assert_eq!(u["id"].as_str().unwrap().len(), 36, "{u}");
        let address = &u["address"];
        assert!(
            address["street"]
                .as_str()
                .unwrap()
                .chars()
                .any(|c| c.is_ascii_digit()),
            "{u}"
        );
        let code = address["countryCode"].as_str().unwrap();
        assert!(
            code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase()),
            "{u}"
        );
        // writeOnly `password` never appears in a response, always may in a request.
        assert!(u.get("password").is_none(), "{u}");
        let request = generate("User", Options::default(), View::Request, &[key]);
        assert!(request.get("password").is_some(), "{request}");
    }
}

#[test]
fn money_has_cents_and_an_iso_currency() {
    for key in ["a", "b", "c", "d", "e"] {
        let m = generate("Money", Options::default(), View::Response, &[key]);
        let amount = m["amount"].as_f64().unwrap();
        assert!((0.0..=10000.0).contains(&amount), "{m}");
        let text = m["amount"].to_string();
        let decimals = text.split_once('.').map_or(0, |(_, d)| d.len());
        assert!(decimals <= 2, "{m}");
        let currency = m["currency"].as_str().unwrap();
        assert!(
            [
                "USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "SEK", "NOK", "DKK", "PLN", "CNY",
                "INR", "BRL", "MXN", "SGD", "NZD", "ZAR"
            ]
            .contains(&currency),
            "{m}"
        );
    }
}

#[test]
fn locales_change_names() {
    let en = generate("User", Options::default(), View::Response, &["x"]);
    let fr = generate(
        "User",
        Options {
            locale: Locale::FrFr,
            ..Options::default()
        },
        View::Response,
        &["x"],
    );
    let ja = generate(
        "User",
        Options {
            locale: Locale::JaJp,
            ..Options::default()
        },
        View::Response,
        &["x"],
    );
    assert_ne!(en["lastName"], fr["lastName"]);
    assert!(!ja["lastName"].as_str().unwrap().is_ascii(), "{ja}");
    // Emails stay ASCII whatever the locale.
    assert!(ja["email"].as_str().unwrap().is_ascii(), "{ja}");
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = generate("User", Options::default(), View::Response, &["op", "200"]).to_string();
    let b = generate("User", Options::default(), View::Response, &["op", "200"]).to_string();
    assert_eq!(a, b);
    let c = generate(
        "User",
        Options {
            seed: 1,
            ..Options::default()
        },
        View::Response,
        &["op", "200"],
    )
    .to_string();
    assert_ne!(a, c);
    let d = generate("User", Options::default(), View::Response, &["op", "201"]).to_string();
    assert_ne!(a, d);
}

/// Pinned output: a change here means every generated body changed (say why in the commit).
#[test]
fn output_is_pinned() {
    let m = generate("Money", Options::default(), View::Response, &["pinned"]);
    assert_eq!(m.to_string(), r#"{"amount":329.11,"currency":"USD"}"#);
}

fn two_ops(extra: bool, extra_property: bool) -> (mockgen_spec::Spec, Loc) {
    let mut pet = components()["Pet"].clone();
    if extra_property {
        pet["properties"]["nickname"] = json!({"type": "string"});
    }
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/pets/{id}": {"get": {"operationId": "getPet", "responses": {"200": {"description": "ok",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}}}}
        },
        "components": {"schemas": {"Pet": pet, "Category": components()["Category"], "Tag": components()["Tag"]}}
    });
    if extra {
        doc["paths"]["/users"] = json!({"get": {"operationId": "listUsers", "responses": {"200": {"description": "ok",
            "content": {"application/json": {"schema": {"type": "array", "items": {"type": "string"}}}}}}}});
    }
    let spec = load_text("t.json", &doc.to_string());
    let loc = spec.operation("getPet").unwrap().responses[0].content[0]
        .schema
        .clone()
        .unwrap();
    (spec, loc)
}

#[test]
fn unrelated_changes_do_not_reshuffle_a_body() {
    let body = |extra: bool, extra_property: bool| {
        let (spec, loc) = two_ops(extra, extra_property);
        let synth = Synth::new(&spec, Options::default()).unwrap();
        let op = spec.operation("getPet").unwrap();
        let (value, source) = synth
            .response_body(op, &op.responses[0], &op.responses[0].content[0], None, &[])
            .unwrap();
        assert_eq!(source, Source::Generated);
        let _ = loc;
        value
    };
    let base = body(false, false);
    // Another operation added to the spec: same body.
    assert_eq!(base, body(true, false));
    // An optional property added to the schema: the other properties keep their values.
    let mut with_nickname = body(false, true);
    assert!(with_nickname.get("nickname").is_some());
    with_nickname
        .as_object_mut()
        .unwrap()
        .shift_remove("nickname");
    assert_eq!(base, with_nickname);
}

#[test]
fn examples_come_first() {
    let doc = json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"operationId": "a", "responses": {
            "200": {"description": "ok", "content": {"application/json": {
                "schema": {"type": "object"},
                "examples": {"first": {"value": {"n": 1}}, "second": {"value": {"n": 2}}}
            }}},
            "201": {"description": "ok", "content": {"application/json": {
                "schema": {"type": "object", "examples": [{"s": true}], "default": {"d": true}}
            }}},
            "202": {"description": "ok", "content": {"application/json": {
                "schema": {"type": "object", "default": {"d": true}}
            }}},
            "203": {"description": "ok", "content": {"application/json": {
                "schema": {"type": "integer", "minimum": 5, "maximum": 5}, "example": "not an integer"
            }}}
        }}}}
    });
    let spec = load_text("t.json", &doc.to_string());
    let synth = Synth::new(&spec, Options::default()).unwrap();
    let op = spec.operation("a").unwrap();
    let body = |i: usize, name: Option<&str>| {
        let r = &op.responses[i];
        synth.response_body(op, r, &r.content[0], name, &[])
    };
    assert_eq!(
        body(0, None).unwrap(),
        (json!({"n": 1}), Source::Example(Some("first".into())))
    );
    assert_eq!(
        body(0, Some("second")).unwrap(),
        (json!({"n": 2}), Source::Example(Some("second".into())))
    );
    assert_eq!(
        body(0, Some("nope")).unwrap_err().kind,
        mockgen_synth::ErrorKind::NoSuchExample
    );
    assert_eq!(
        body(1, None).unwrap(),
        (json!({"s": true}), Source::SchemaExample)
    );
    assert_eq!(
        body(2, None).unwrap(),
        (json!({"d": true}), Source::Default)
    );
    // An invalid example is still what the spec says.
    assert_eq!(
        body(3, None).unwrap(),
        (json!("not an integer"), Source::Example(None))
    );
}

#[test]
fn unsatisfiable_schemas_name_their_location() {
    let cases = [
        (
            json!({"allOf": [{"type": "string"}, {"type": "integer"}]}),
            "/allOf/1",
            "`type` conflict",
        ),
        (
            json!({"type": "object", "required": ["a"], "properties": {"a": {"not": {}}}}),
            "/properties/a/not",
            "`not`",
        ),
        (
            json!({"type": "string", "pattern": "^[a-z]{5}$", "maxLength": 3}),
            "",
            "no string satisfies",
        ),
        (
            json!({"type": "integer", "minimum": 5, "maximum": 4}),
            "",
            "no integer",
        ),
        (
            json!({"type": "array", "minItems": 3, "maxItems": 1}),
            "",
            "at least 3 items",
        ),
    ];
    for (schema, suffix, message) in cases {
        let spec = spec_with(&schema, &json!({}));
        let synth = Synth::new(&spec, Options::default()).unwrap();
        let started = std::time::Instant::now();
        let err = synth
            .generate(&response_loc(), View::Response, &["k"])
            .unwrap_err();
        assert_eq!(err.kind, mockgen_synth::ErrorKind::Unsatisfiable, "{err}");
        assert_eq!(
            err.at.pointer,
            format!("{}{suffix}", response_loc().pointer),
            "{err}"
        );
        assert!(err.to_string().contains(message), "{err}");
        println!("unsatisfiable: {err} in {:?}", started.elapsed());
    }
}

#[test]
fn recursive_schemas_terminate_and_stay_small() {
    let components = json!({
        "Node": {"type": "object", "required": ["value", "children"], "properties": {
            "value": {"type": "integer"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
            "parent": {"$ref": "#/components/schemas/Node"}
        }},
        "Expr": {"oneOf": [
            {"type": "object", "required": ["op", "args"], "properties": {
                "op": {"const": "add"},
                "args": {"type": "array", "minItems": 2, "items": {"$ref": "#/components/schemas/Expr"}}}},
            {"type": "integer"}
        ]}
    });
    for name in ["Node", "Expr"] {
        let spec = spec_with(
            &json!({"$ref": format!("#/components/schemas/{name}")}),
            &components,
        );
        let synth = Synth::new(&spec, Options::default()).unwrap();
        for key in ["a", "b", "c", "d", "e"] {
            let v = synth
                .generate(&response_loc(), View::Response, &[key])
                .unwrap();
            assert!(
                v.to_string().len() < 20_000,
                "{name}: {} bytes",
                v.to_string().len()
            );
        }
    }
}

#[test]
fn discriminators_carry_the_branch_value() {
    let components = json!({
        "Pet": {"type": "object", "required": ["petType"], "properties": {"petType": {"type": "string"}},
                "discriminator": {"propertyName": "petType", "mapping": {"kitty": "#/components/schemas/Cat"}}},
        "Cat": {"allOf": [{"$ref": "#/components/schemas/Pet"}, {"type": "object", "properties": {"hunts": {"type": "boolean"}}}]},
        "Dog": {"allOf": [{"$ref": "#/components/schemas/Pet"}, {"type": "object", "properties": {"bark": {"type": "boolean"}}}]}
    });
    let schema = json!({
        "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
        "discriminator": {"propertyName": "petType", "mapping": {"kitty": "#/components/schemas/Cat", "doggo": "#/components/schemas/Dog"}}
    });
    let spec = spec_with(&schema, &components);
    let synth = Synth::new(&spec, Options::default()).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for key in ["a", "b", "c", "d", "e", "f", "g", "h"] {
        let v = synth
            .generate(&response_loc(), View::Response, &[key])
            .unwrap();
        let t = v["petType"].as_str().unwrap();
        // Cat and Dog overlap (neither is closed), so a value may carry a property of the
        // other branch with a wrong type, which is what makes it match exactly one.
        match t {
            "kitty" => assert!(!v.get("bark").is_some_and(Value::is_boolean), "{v}"),
            "doggo" => assert!(!v.get("hunts").is_some_and(Value::is_boolean), "{v}"),
            other => panic!("petType {other}: {v}"),
        }
        seen.insert(t.to_owned());
    }
    assert_eq!(seen.len(), 2, "both branches are used");
    // Inheritance without oneOf: the mapping key of the schema being generated, else its name.
    for (name, expected) in [("Cat", "kitty"), ("Dog", "Dog")] {
        let spec = spec_with(
            &json!({"$ref": format!("#/components/schemas/{name}")}),
            &components,
        );
        let synth = Synth::new(&spec, Options::default()).unwrap();
        let v = synth
            .generate(&response_loc(), View::Response, &["k"])
            .unwrap();
        assert_eq!(v["petType"], expected, "{v}");
    }
}

#[test]
fn never_the_literal_string() {
    let schema = json!({"type": "object", "required": ["a", "b", "c"], "properties": {
        "a": {"type": "string", "example": "string"},
        "b": {"type": "string"},
        "c": {"type": "array", "items": {"type": "string", "examples": ["string"]}}
    }});
    let spec = spec_with(&schema, &json!({}));
    let synth = Synth::new(&spec, Options::default()).unwrap();
    for key in ["a", "b", "c", "d"] {
        let v = synth
            .generate(&response_loc(), View::Response, &[key])
            .unwrap();
        assert!(!v.to_string().contains("\"string\""), "{v}");
    }
}

#[test]
fn pathological_schemas_fail_fast() {
    // Nested oneOfs whose branches always overlap: every level retries, the body budget stops it.
    let components = json!({
        "Loop": {"type": "object", "required": ["a", "b"], "properties": {
            "a": {"oneOf": [{"$ref": "#/components/schemas/Loop"}, {"$ref": "#/components/schemas/Loop"}]},
            "b": {"oneOf": [{"type": "object"}, {"type": "object"}]}
        }}
    });
    // Wide: every property is an overlapping oneOf of objects with overlapping oneOfs.
    let inner = json!({"oneOf": [{"type": "object"}, {"type": "object"}]});
    let branch = json!({"type": "object", "required": ["x", "y", "z"], "properties": {"x": inner, "y": inner, "z": inner}});
    let middle = json!({"oneOf": [branch, branch]});
    let wide = json!({"type": "object", "required": ["a", "b", "c", "d", "e", "f"], "properties": {
        "a": middle, "b": middle, "c": middle, "d": middle, "e": middle, "f": middle
    }});
    // The same where the overlap is only found by the validator (no shortcut).
    let slow = serde_json::from_str::<Value>(&wide.to_string().replace(
        r#"{"oneOf":[{"type":"object"},{"type":"object"}]}"#,
        r#"{"oneOf":[{"type":"object","minProperties":0},{"type":"object","maxProperties":9}]}"#,
    ))
    .unwrap();
    assert_ne!(slow, wide);
    // Nested retries multiply (64 per level): the node budget ends it.
    let mut nested = json!({"oneOf": [{"type": "object", "minProperties": 0}, {"type": "object", "maxProperties": 9}]});
    for _ in 0..4 {
        let branch = json!({"type": "object", "required": ["p"], "properties": {"p": nested}});
        nested = json!({"oneOf": [branch, {"allOf": [branch]}]});
    }
    for schema in [
        json!({"$ref": "#/components/schemas/Loop"}),
        wide,
        slow,
        nested,
    ] {
        let spec = spec_with(&schema, &components);
        let synth = Synth::new(&spec, Options::default()).unwrap();
        let started = std::time::Instant::now();
        let err = synth
            .generate(&response_loc(), View::Response, &["k"])
            .unwrap_err();
        // Termination comes from the node budget (no time limit is asserted: CI is noisy).
        println!("pathological: {err} in {:?}", started.elapsed());
    }
}

/// Deep schemas end with an error (or a value), never a stack overflow, on a 2 MB thread (a
/// tokio worker's stack).
#[test]
fn deep_schemas_fit_a_small_stack() {
    let mut nested = json!({"type": "string"});
    // (serde_json parses at most 128 levels, so these stay below that.)
    for _ in 0..35 {
        nested = json!({"type": "object", "required": ["child"], "properties": {"child": nested}});
    }
    let mut all_of = json!({"type": "integer"});
    for _ in 0..55 {
        all_of = json!({"allOf": [all_of, {"minimum": 0}]});
    }
    for schema in [nested, all_of] {
        let handle = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                let spec = spec_with(&schema, &json!({}));
                let synth = Synth::new(&spec, Options::default()).unwrap();
                synth
                    .generate(&response_loc(), View::Response, &["k"])
                    .map(|_| ())
                    .map_err(|e| e.kind)
            })
            .unwrap();
        let result = handle.join().expect("no stack overflow");
        println!("deep: {result:?}");
    }
}
