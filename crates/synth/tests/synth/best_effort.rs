//! Best effort for schemas no value satisfies (`Synth::generate_best_effort`): the otoroshi
//! `oneOf` whose branches accept the same values gets a value anyway, valid for its first
//! branch, deterministic, with exactly the violations the validator finds; satisfiable schemas
//! are unaffected, optional parts are left out rather than sent broken, and contradictions
//! construction cannot resolve stay errors.

use crate::support::{response_loc, spec_with};
use mockgen_synth::{ErrorKind, Options, Synth, View};
use serde_json::{Value, json};

/// otoroshi's GlobalJwtVerifier.source: InQueryParam and InCookie are the same schema, and
/// every InHeader value is one of them.
fn components() -> Value {
    let location = |description: &str, extra: bool| {
        let mut props = json!({
            "name": {"type": "string", "description": description},
            "type": {"type": "string"}
        });
        let mut required = json!(["type", "name"]);
        if extra {
            props["remove"] = json!({"type": "string"});
            required = json!(["type", "name", "remove"]);
        }
        json!({"type": "object", "required": required, "properties": props})
    };
    json!({
        "Source": {"oneOf": [
            {"$ref": "#/components/schemas/InQueryParam"},
            {"$ref": "#/components/schemas/InHeader"},
            {"$ref": "#/components/schemas/InCookie"}
        ]},
        "InQueryParam": location("query", false),
        "InHeader": location("header", true),
        "InCookie": location("cookie", false),
    })
}

fn verifier() -> Value {
    json!({
        "type": "object",
        "required": ["id", "source"],
        "properties": {
            "id": {"type": "string"},
            "source": {"$ref": "#/components/schemas/Source"},
            "backup": {"$ref": "#/components/schemas/Source"},
            "more": {"type": "array", "items": {"$ref": "#/components/schemas/Source"}}
        }
    })
}

#[test]
fn an_unsatisfiable_one_of_gets_a_value_for_its_first_branch_and_its_violations() {
    let spec = spec_with(&verifier(), &components());
    let synth = Synth::new(&spec, Options::default()).unwrap();
    let err = synth
        .generate(&response_loc(), View::Response, &["k"])
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unsatisfiable, "{err}");

    let (value, violations) = synth
        .generate_best_effort(&response_loc(), View::Response, &["k"])
        .unwrap();
    let source = value["source"].as_object().expect("an object for source");
    // The first branch (InQueryParam): its required members, not InHeader's `remove`.
    assert!(
        source["name"].is_string() && source["type"].is_string(),
        "{value}"
    );
    assert!(!source.contains_key("remove"), "{value}");
    // Optional parts with the same bug are left out rather than sent broken.
    assert!(value.get("backup").is_none(), "{value}");
    assert!(value.get("more").is_none_or(|m| m == &json!([])), "{value}");
    // Exactly the exclusivity of that one oneOf is broken.
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(violations[0].instance_pointer, "/source");
    assert_eq!(violations[0].keyword, "oneOf");

    // Deterministic: same key, same value, also from a fresh engine.
    let again = Synth::new(&spec, Options::default())
        .unwrap()
        .generate_best_effort(&response_loc(), View::Response, &["k"])
        .unwrap();
    assert_eq!(again.0, value);
    assert_eq!(again.1, violations);
}

#[test]
fn satisfiable_schemas_are_unaffected() {
    let schema = json!({"type": "object", "required": ["shape"], "properties": {"shape": {"oneOf": [
        {"type": "object", "required": ["radius"], "properties": {"radius": {"type": "number"}}},
        {"type": "object", "required": ["side"], "properties": {"side": {"type": "number"}}}
    ]}}});
    let spec = spec_with(&schema, &json!({}));
    let synth = Synth::new(&spec, Options::default()).unwrap();
    for key in ["a", "b", "c"] {
        let strict = synth
            .generate(&response_loc(), View::Response, &[key])
            .unwrap();
        let (value, violations) = synth
            .generate_best_effort(&response_loc(), View::Response, &[key])
            .unwrap();
        assert_eq!(value, strict);
        assert!(violations.is_empty(), "{violations:?}");
    }
}

#[test]
fn contradictions_stay_errors() {
    let schema = json!({"allOf": [{"type": "string"}, {"type": "integer"}]});
    let spec = spec_with(&schema, &json!({}));
    let synth = Synth::new(&spec, Options::default()).unwrap();
    let err = synth
        .generate_best_effort(&response_loc(), View::Response, &["k"])
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unsatisfiable, "{err}");
}
