use super::*;
use crate::dialect::{Dialect, to_2020_12};

const DOC: &str = "mockgen:///doc/0";

fn petstore() -> Value {
    json!({
        "openapi": "3.1.0",
        "components": {"schemas": {
            "Pet": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {
                    "id": {"type": "integer", "readOnly": true},
                    "name": {"type": "string", "minLength": 1},
                    "tag": {"type": "string", "maxLength": 3},
                    "category": {"$ref": "#/components/schemas/Category"},
                    "password": {"type": "string", "writeOnly": true}
                }
            },
            "Category": {
                "type": "object",
                "required": ["label"],
                "properties": {"label": {"type": "string"}}
            },
            "Tree": {
                "type": "object",
                "properties": {
                    "value": {"type": "integer"},
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}
                }
            }
        }},
        "paths": {"/pets/{id}": {"get": {"responses": {"200": {"content": {"application/json": {
            "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}
        }}}}}}}
    })
}

fn build(doc: Value, slots: &[(&str, View)]) -> (Validator, Vec<SlotId>) {
    let mut builder = ValidatorBuilder::new();
    builder.add_document(DOC, doc);
    let ids = slots
        .iter()
        .map(|(pointer, view)| builder.slot(DOC, pointer, *view))
        .collect();
    (builder.build().expect("build"), ids)
}

fn schema(name: &str) -> String {
    format!("/components/schemas/{name}")
}

fn summary(violations: &[Violation]) -> Vec<(String, String, String)> {
    violations
        .iter()
        .map(|v| {
            (
                v.instance_pointer.clone(),
                v.keyword.clone(),
                v.schema_pointer.clone(),
            )
        })
        .collect()
}

#[test]
fn validator_is_send_and_sync() {
    fn assert<T: Send + Sync>() {}
    assert::<Validator>();
}

#[test]
fn refs_between_components() {
    let (v, ids) = build(petstore(), &[(&schema("Pet"), View::Neutral)]);
    assert!(v.broken_slots().is_empty(), "{:?}", v.broken_slots());
    let pet = ids[0];
    assert!(v.is_valid(
        pet,
        &json!({"id": 1, "name": "rex", "category": {"label": "dog"}})
    ));
    assert!(!v.is_valid(pet, &json!({"id": 1, "name": "rex", "category": {}})));
    assert_eq!(
        summary(&v.validate(
            pet,
            &json!({"id": 1, "name": "rex", "category": {"label": 5}})
        )),
        [(
            "/category/label".to_owned(),
            "type".to_owned(),
            "/components/schemas/Category/properties/label/type".to_owned()
        )]
    );
}

#[test]
fn all_violations_with_pointers_and_keywords() {
    let (v, ids) = build(petstore(), &[(&schema("Pet"), View::Neutral)]);
    let violations = v.validate(
        ids[0],
        &json!({"id": "x", "tag": "long", "category": {"label": 1}}),
    );
    let mut got = summary(&violations);
    got.sort();
    let pet = "/components/schemas/Pet";
    assert_eq!(
        got,
        [
            ("".into(), "required".into(), format!("{pet}/required")),
            (
                "/category/label".into(),
                "type".into(),
                "/components/schemas/Category/properties/label/type".into()
            ),
            (
                "/id".into(),
                "type".into(),
                format!("{pet}/properties/id/type")
            ),
            (
                "/tag".into(),
                "maxLength".into(),
                format!("{pet}/properties/tag/maxLength")
            ),
        ]
    );
    assert!(violations.iter().all(|v| !v.message.is_empty()));
    assert!(
        v.validate(ids[0], &json!({"id": 1, "name": "a"}))
            .is_empty()
    );
    assert_eq!(
        v.validate(ids[0], &json!({"id": 1, "name": ""}))[0].keyword,
        "minLength"
    );
}

#[test]
fn recursive_schema() {
    let (v, ids) = build(petstore(), &[(&schema("Tree"), View::Neutral)]);
    let tree = json!({"value": 1, "children": [{"value": 2, "children": [{"value": "x"}]}]});
    assert_eq!(
        summary(&v.validate(ids[0], &tree)),
        [(
            "/children/0/children/0/value".to_owned(),
            "type".to_owned(),
            "/components/schemas/Tree/properties/value/type".to_owned()
        )]
    );
}

#[test]
fn slots_are_deduplicated() {
    let mut builder = ValidatorBuilder::new();
    builder.add_document(DOC, petstore());
    let a = builder.slot(DOC, "/components/schemas/Pet", View::Neutral);
    let b = builder.slot(DOC, "#/components/schemas/Pet", View::Neutral);
    let c = builder.slot(
        "mockgen:///doc/0#",
        "/components/schemas/Pet",
        View::Neutral,
    );
    let d = builder.slot(DOC, "/components/schemas/Pet", View::Request);
    let e = builder.inline_slot(json!({"type": "string"}));
    let f = builder.inline_slot(json!({"type": "string"}));
    assert_eq!((a, a), (b, c));
    assert_ne!(a, d);
    assert_ne!(e, f);
    let v = builder.build().expect("build");
    assert!(v.is_valid(e, &json!("x")) && !v.is_valid(f, &json!(1)));
}

#[test]
fn broken_slots_are_isolated() {
    let mut doc = petstore();
    doc["components"]["schemas"]["BadPattern"] = json!({"type": "string", "pattern": "("});
    doc["components"]["schemas"]["UsesBad"] =
        json!({"properties": {"x": {"$ref": "#/components/schemas/BadPattern"}}});
    doc["components"]["schemas"]["Dangling"] = json!({"$ref": "#/components/schemas/Nope"});
    doc["components"]["schemas"]["External"] = json!({"$ref": "https://example.com/x.json"});
    doc["components"]["schemas"]["BadType"] = json!({"type": 5});
    doc["components"]["schemas"]["Number"] = json!(5);
    let mut builder = ValidatorBuilder::new();
    builder.add_document(DOC, doc);
    let good: Vec<SlotId> = (0..20)
        .map(|i| builder.inline_slot(json!({"type": "integer", "minimum": i})))
        .collect();
    let pet = builder.slot(DOC, &schema("Pet"), View::Neutral);
    let bad: Vec<SlotId> = [
        "BadPattern",
        "UsesBad",
        "Dangling",
        "External",
        "BadType",
        "Number",
        "Missing",
    ]
    .iter()
    .map(|name| builder.slot(DOC, &schema(name), View::Neutral))
    .collect();
    let bad_inline = builder.inline_slot(json!({"pattern": "[", "type": "string"}));
    let unknown_doc = builder.slot("mockgen:///doc/9", "", View::Neutral);
    let tree = builder.slot(DOC, &schema("Tree"), View::Neutral);
    let v = builder.build().expect("build");

    let broken: Vec<SlotId> = v.broken_slots().iter().map(|(id, _)| *id).collect();
    let mut expected = bad.clone();
    expected.extend([bad_inline, unknown_doc]);
    assert_eq!(broken, expected, "{:#?}", v.broken_slots());
    assert!(
        v.broken_slots()
            .iter()
            .all(|(_, message)| !message.is_empty())
    );
    // The good slots still validate.
    assert!(v.is_valid(pet, &json!({"id": 1, "name": "rex"})));
    assert!(!v.is_valid(pet, &json!({"id": 1})));
    assert!(v.is_valid(tree, &json!({"children": []})));
    for (i, slot) in good.iter().enumerate() {
        assert!(v.is_valid(*slot, &json!(i)));
        assert!(!v.is_valid(*slot, &json!(-1)));
    }
    // Broken slots accept everything rather than failing every request.
    assert!(v.is_valid(bad[0], &json!(1)) && v.validate(bad[0], &json!(1)).is_empty());
    assert!(v.is_valid(SlotId(999), &json!(1)));
}

#[test]
fn formats() {
    let mut builder = ValidatorBuilder::new();
    let email = builder.inline_slot(json!({"type": "string", "format": "email"}));
    let mut int64 = json!({"type": "integer", "format": "int64"});
    to_2020_12(&mut int64, Dialect::Oas30, &mut |_| {}, &mut Vec::new());
    let int64 = builder.inline_slot(int64);
    let int32 = builder.inline_slot(json!({"type": "integer", "format": "int32"}));
    let byte = builder.inline_slot(json!({"type": "string", "format": "byte"}));
    let other = builder.inline_slot(json!({"type": "string",
        "allOf": [{"format": "binary"}, {"format": "password"}, {"format": "made-up"}]}));
    let v = builder.build().expect("build");
    assert!(v.broken_slots().is_empty(), "{:?}", v.broken_slots());

    assert!(v.is_valid(email, &json!("a@example.com")));
    assert!(!v.is_valid(email, &json!("not an email")));
    assert_eq!(v.validate(email, &json!("nope"))[0].keyword, "format");

    assert!(v.is_valid(int64, &json!(i64::MAX)));
    assert!(v.is_valid(int64, &json!(i64::MIN)));
    assert!(v.is_valid(int64, &json!(9_007_199_254_740_993_i64))); // 2^53 + 1
    assert!(!v.is_valid(int64, &json!(u64::MAX)));
    assert!(!v.is_valid(int64, &json!(1.5)));
    assert!(v.is_valid(int32, &json!(1)));

    assert!(v.is_valid(byte, &json!("aGVsbG8=")));
    assert!(v.is_valid(byte, &json!("aGVsbG8")));
    assert!(!v.is_valid(byte, &json!("not base64!")));
    assert!(!v.is_valid(byte, &json!("a===")));

    assert!(v.is_valid(other, &json!("anything at all")));
}

#[test]
fn base64_rules() {
    for ok in ["", "YQ==", "YWI=", "YWJj", "YQ", "a-_b"] {
        assert!(is_base64(ok), "{ok}");
    }
    for bad in ["Y", "Y===", "YQ=", "Y Q=", "YQ==YQ=="] {
        assert!(!is_base64(bad), "{bad}");
    }
}

#[test]
fn translated_nullable_accepts_null() {
    let doc = json!({"components": {"schemas": {
        "Name": {"type": "string", "nullable": true, "enum": ["a"]},
        "Holder": {"type": "object", "properties": {
            "ref": {"$ref": "#/components/schemas/Category", "nullable": true}
        }},
        "Category": {"type": "object"}
    }}});
    let mut doc2 = json!({"components": {"schemas": {}}});
    if let Some(Value::Object(schemas)) = doc.pointer("/components/schemas") {
        for (name, schema) in schemas {
            let mut schema = schema.clone();
            to_2020_12(&mut schema, Dialect::Oas30, &mut |_| {}, &mut Vec::new());
            doc2["components"]["schemas"][name] = schema;
        }
    }
    let (v, ids) = build(
        doc2,
        &[
            (&schema("Name"), View::Neutral),
            (&schema("Holder"), View::Neutral),
        ],
    );
    assert!(v.is_valid(ids[0], &Value::Null));
    assert!(v.is_valid(ids[0], &json!("a")));
    assert!(!v.is_valid(ids[0], &json!("b")));
    assert!(v.is_valid(ids[1], &json!({"ref": null})));
    assert!(v.is_valid(ids[1], &json!({"ref": {}})));
    assert!(!v.is_valid(ids[1], &json!({"ref": 1})));
}

#[test]
fn oas_dialect_schema_does_not_break() {
    let dialect = "https://spec.openapis.org/oas/3.1/dialect/base";
    let doc = json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": dialect,
        "components": {"schemas": {
            "A": {"$schema": dialect, "type": "string"},
            "B": {"$id": "https://example.com/b", "$schema": dialect, "type": "integer"},
            "C": {"$schema": "https://spec.openapis.org/oas/3.2/dialect/2025-09-17", "type": "boolean"}
        }}
    });
    let mut builder = ValidatorBuilder::new();
    builder.add_document(DOC, doc);
    let a = builder.slot(DOC, &schema("A"), View::Neutral);
    let b = builder.slot(DOC, &schema("B"), View::Neutral);
    let c = builder.slot(DOC, &schema("C"), View::Neutral);
    let inline = builder.inline_slot(json!({"$schema": dialect, "type": "string"}));
    builder.add_document(
        "mockgen:///doc/1",
        json!({"$schema": dialect, "type": "string"}),
    );
    let whole = builder.slot("mockgen:///doc/1", "", View::Neutral);
    let v = builder.build().expect("build");
    assert!(v.broken_slots().is_empty(), "{:?}", v.broken_slots());
    assert!(v.is_valid(a, &json!("x")) && !v.is_valid(a, &json!(1)));
    assert!(v.is_valid(b, &json!(1)) && !v.is_valid(b, &json!("x")));
    assert!(v.is_valid(c, &json!(true)) && !v.is_valid(c, &json!("x")));
    assert!(v.is_valid(inline, &json!("x")) && !v.is_valid(inline, &json!(1)));
    assert!(v.is_valid(whole, &json!("x")) && !v.is_valid(whole, &json!(1)));
}

#[test]
fn request_and_response_views() {
    let pet = schema("Pet");
    let (v, ids) = build(
        petstore(),
        &[
            (&pet, View::Neutral),
            (&pet, View::Request),
            (&pet, View::Response),
        ],
    );
    let [neutral, request, response] = [ids[0], ids[1], ids[2]];
    let without_id = json!({"name": "rex"});
    assert!(!v.is_valid(neutral, &without_id));
    assert!(v.is_valid(request, &without_id));
    assert!(!v.is_valid(response, &without_id));

    let with_id = json!({"id": 1, "name": "rex"});
    let violations = v.validate(request, &with_id);
    assert_eq!(
        summary(&violations),
        [(
            "/id".into(),
            "readOnly".into(),
            format!("{pet}/allOf/0/not")
        )]
    );
    assert_eq!(
        violations[0].message,
        "`id` is readOnly: it must not be sent in a request"
    );
    assert!(
        violations[0].message.contains("readOnly"),
        "{}",
        violations[0].message
    );

    let with_password = json!({"id": 1, "name": "rex", "password": "x"});
    assert!(v.is_valid(neutral, &with_password));
    let violations = v.validate(response, &with_password);
    assert_eq!(violations.len(), 1);
    assert!(
        violations[0].message.contains("writeOnly"),
        "{}",
        violations[0].message
    );

    // Views reach through `$ref`s (the array's items are the viewed Pet).
    let (v, ids) = build(
        petstore(),
        &[(
            "/paths/~1pets~1{id}/get/responses/200/content/application~1json/schema",
            View::Request,
        )],
    );
    assert!(v.broken_slots().is_empty(), "{:?}", v.broken_slots());
    assert!(v.is_valid(ids[0], &json!([{"name": "a"}])));
    assert!(!v.is_valid(ids[0], &json!([{"name": "a", "id": 1}])));
}

#[test]
fn views_follow_refs_across_documents() {
    let mut builder = ValidatorBuilder::new();
    builder.add_document(DOC, petstore());
    builder.add_document(
        "mockgen:///doc/1",
        json!({"Wrapper": {"type": "object", "properties": {
            "pet": {"$ref": "mockgen:///doc/0#/components/schemas/Pet"}
        }}}),
    );
    let request = builder.slot("mockgen:///doc/1", "/Wrapper", View::Request);
    let neutral = builder.slot("mockgen:///doc/1", "/Wrapper", View::Neutral);
    let v = builder.build().expect("build");
    let body = json!({"pet": {"name": "rex"}});
    assert!(v.is_valid(request, &body));
    assert!(!v.is_valid(neutral, &body));
}

#[test]
fn inline_slots_reference_documents() {
    let mut builder = ValidatorBuilder::new();
    builder.add_document(DOC, petstore());
    let slot = builder.inline_slot(json!({
        "type": "object",
        "properties": {"pet": {"$ref": "mockgen:///doc/0#/components/schemas/Pet"}},
        "required": ["pet", "other"]
    }));
    let v = builder.build().expect("build");
    let mut got = summary(&v.validate(slot, &json!({"pet": {"id": 1}})));
    got.sort();
    assert_eq!(
        got,
        [
            ("".into(), "required".into(), "/required".into()),
            (
                "/pet".into(),
                "required".into(),
                "/components/schemas/Pet/required".into()
            ),
        ]
    );
}

#[test]
fn large_values_are_masked_in_messages() {
    let mut builder = ValidatorBuilder::new();
    let slot = builder.inline_slot(json!({"type": "integer"}));
    let v = builder.build().expect("build");
    let long = "x".repeat(10_000);
    let violations = v.validate(slot, &json!(long));
    assert!(
        violations[0].message.len() < 100,
        "{}",
        violations[0].message
    );
    assert!(
        v.validate(slot, &json!("short"))[0]
            .message
            .contains("short")
    );
}

#[test]
fn deep_instances_do_not_overflow() {
    let (v, ids) = build(petstore(), &[(&schema("Tree"), View::Neutral)]);
    let mut builder = ValidatorBuilder::new();
    builder.add_document(
        DOC,
        json!({"List": {"type": ["array", "integer"], "items": {"$ref": "#/List"}}}),
    );
    let list = builder.slot(DOC, "/List", View::Neutral);
    let anything = builder.inline_slot(json!({}));
    let v2 = builder.build().expect("build");

    let mut deep = json!(1);
    for _ in 0..10_000 {
        deep = Value::Array(vec![deep]);
    }
    let mut shallow = json!(1);
    for _ in 0..150 {
        shallow = Value::Array(vec![shallow]);
    }
    // Just under the limit, through a schema that does more per level than `List`.
    let mut tree = json!({"value": "not an integer"});
    for _ in 0..(MAX_INSTANCE_DEPTH - 1) / 2 {
        tree = json!({"value": 1, "children": [tree]});
    }
    // A tokio worker's stack is 2 MB.
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            for (slot, validator) in [(anything, &v2), (list, &v2), (ids[0], &v)] {
                assert!(!validator.is_valid(slot, &deep));
                let violations = validator.validate(slot, &deep);
                assert_eq!(violations.len(), 1);
                assert_eq!(violations[0].keyword, "nesting");
            }
            assert!(v2.is_valid(list, &shallow));
            assert!(v2.validate(list, &shallow).is_empty());
            assert!(!v.is_valid(ids[0], &tree));
            assert_eq!(v.validate(ids[0], &tree)[0].keyword, "type");
            // serde_json drops recursively; leak instead of overflowing in the test.
            std::mem::forget(deep);
        })
        .expect("spawn")
        .join()
        .expect("no stack overflow");
}

#[test]
fn deep_documents_become_broken_slots() {
    let mut deep = json!({"type": "integer"});
    for _ in 0..3_000 {
        let mut map = Map::new();
        map.insert("not".to_owned(), deep);
        deep = Value::Object(map);
    }
    let mut builder = ValidatorBuilder::new();
    builder.add_document(
        DOC,
        json!({"Deep": deep.clone(), "Fine": {"type": "string"}}),
    );
    builder.add_document("mockgen:///doc/1", json!({"Fine": {"type": "string"}}));
    let deep_slot = builder.slot(DOC, "/Deep", View::Neutral);
    let deep_inline = builder.inline_slot(deep);
    let fine = builder.slot("mockgen:///doc/1", "/Fine", View::Neutral);
    let v = builder.build().expect("build");
    let broken: Vec<SlotId> = v.broken_slots().iter().map(|(id, _)| *id).collect();
    assert_eq!(broken, [deep_slot, deep_inline]);
    assert!(v.is_valid(fine, &json!("x")) && !v.is_valid(fine, &json!(1)));
    std::mem::forget(v);
}

#[test]
fn pointers_needing_escapes() {
    let doc = json!({"paths": {"/a/{id}": {"x y": {"type": "string"}}}});
    let (v, ids) = build(doc, &[("/paths/~1a~1{id}/x y", View::Neutral)]);
    assert!(v.broken_slots().is_empty(), "{:?}", v.broken_slots());
    assert!(v.is_valid(ids[0], &json!("s")) && !v.is_valid(ids[0], &json!(1)));
    assert_eq!(
        v.validate(ids[0], &json!(1))[0].schema_pointer,
        "/paths/~1a~1{id}/x y/type"
    );
}

#[test]
fn embedded_ids_resolve() {
    let doc = json!({"components": {"schemas": {
        "B": {"$id": "https://example.com/b", "type": "object",
              "properties": {"id": {"readOnly": true}, "n": {"$ref": "#/$defs/N"}},
              "required": ["id"], "$defs": {"N": {"type": "integer"}}},
        "Uses": {"$ref": "https://example.com/b"}
    }}});
    let (v, ids) = build(
        doc,
        &[
            (&schema("B"), View::Neutral),
            (&schema("B"), View::Request),
            (&schema("Uses"), View::Request),
        ],
    );
    assert!(v.broken_slots().is_empty(), "{:?}", v.broken_slots());
    assert!(!v.is_valid(ids[0], &json!({"n": 1})));
    assert!(v.is_valid(ids[0], &json!({"n": 1, "id": 1})));
    assert!(!v.is_valid(ids[0], &json!({"n": "x", "id": 1})));
    // Schemas with an `$id` are entered through it, which names the neutral resource: views
    // do not apply inside them (a documented limitation).
    assert!(!v.is_valid(ids[1], &json!({"n": 1})));
    assert!(!v.is_valid(ids[2], &json!({"n": 1})));
    assert!(v.is_valid(ids[2], &json!({"n": 1, "id": 1})));
}
