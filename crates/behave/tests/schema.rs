//! The shipped JSON Schema of the config (schemas/mockgen.schema.json) agrees with the parser:
//! the example configs validate against both, and broken ones are refused by both.

use mockgen_schema::ValidatorBuilder;
use serde_json::{Value, json};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn schema_check() -> impl Fn(&Value) -> Vec<String> {
    let text = std::fs::read_to_string(root().join("schemas/mockgen.schema.json"))
        .expect("the schema is shipped");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    let mut builder = ValidatorBuilder::new();
    let slot = builder.inline_slot(schema);
    let validator = builder.build().expect("the schema compiles");
    assert!(
        validator.broken_slots().is_empty(),
        "{:?}",
        validator.broken_slots()
    );
    move |v: &Value| {
        validator
            .validate(slot, v)
            .into_iter()
            .map(|v| format!("{v:?}"))
            .collect()
    }
}

#[test]
fn shipped_configs_validate() {
    let check = schema_check();
    let files = [
        "specs/demo/bank.mockgen.yaml",
        "specs/behave/shop.mockgen.yaml",
        "specs/behave/chaos.mockgen.yaml",
    ];
    for file in files {
        let text = std::fs::read_to_string(root().join(file)).expect("readable");
        let doc = mockgen_source::parse(&text).expect("parses");
        assert_eq!(check(&doc.value), Vec::<String>::new(), "{file}");
        let (_, issues) = mockgen_behave::parse_config(&doc.value);
        assert!(issues.is_empty(), "{file}: {issues:?}");
    }
}

#[test]
fn schema_and_parser_agree() {
    let check = schema_check();
    let good = [
        json!(null),
        json!({}),
        json!({"latency": 200}),
        json!({"latency": "lognormal:median=120ms,sigma=0.4"}),
        json!({"latency": {"fixed": "1s"}}),
        json!({"faults": ["503:0.1", {"kind": "timeout", "probability": 0.1, "hold": "2s"}]}),
        json!({"operations": {"GET /a": {"rules": [
            {"when": {"query": {"q": 1}, "body": {"": {"exists": true}}}, "then": {"status": "200", "empty": true}},
            {"sequence": [{"status": 202}], "after": "cycle"}
        ]}}}),
    ];
    for v in good {
        assert_eq!(check(&v), Vec::<String>::new(), "{v}");
        let (_, issues) = mockgen_behave::parse_config(&v);
        assert!(issues.is_empty(), "{v}: {issues:?}");
    }
    let bad = [
        json!([]),
        json!({"latncy": 5}),
        json!({"latency": {"uniform": {"min": 1}}}),
        json!({"latency": {"fixed": 1, "uniform": {"min": 1, "max": 2}}}),
        json!({"faults": [{"kind": "reset"}]}),
        json!({"faults": [{"kind": "boom", "probability": 0.1}]}),
        json!({"faults": [{"kind": "reset", "probability": 0.1, "hold": 5}]}),
        json!({"faults": [{"status": 700, "probability": 0.1}]}),
        json!({"faults": [{"status": 500, "probability": 1.5}]}),
        json!({"operations": {"x": {"rulez": []}}}),
        json!({"operations": {"x": {"rules": [{}]}}}),
        json!({"operations": {"x": {"rules": [{"then": {"status": 200}, "sequence": [{"status": 200}]}]}}}),
        json!({"operations": {"x": {"rules": [{"then": {"status": 200}, "after": "cycle"}]}}}),
        json!({"operations": {"x": {"rules": [{"sequence": []}]}}}),
        json!({"operations": {"x": {"rules": [{"then": {"body": 1}}]}}}),
        json!({"operations": {"x": {"rules": [{"then": {"status": 200, "body": 1, "example": "a"}}]}}}),
        json!({"operations": {"x": {"rules": [{"when": {"cookie": {}}, "then": {"status": 200}}]}}}),
        json!({"operations": {"x": {"rules": [{"when": {"body": {"amount": 1}}, "then": {"status": 200}}]}}}),
        json!({"operations": {"x": {"rules": [{"when": {"query": {"a": {"regexp": "x"}}}, "then": {"status": 200}}]}}}),
        json!({"operations": {"x": {"rules": [{"when": {"query": {"a": {}}}, "then": {"status": 200}}]}}}),
        json!({"operations": {"x": {"rules": [{"then": {"status": 200, "headers": {"X": [1]}}}]}}}),
    ];
    for v in bad {
        assert_ne!(check(&v), Vec::<String>::new(), "the schema accepts {v}");
        let (_, issues) = mockgen_behave::parse_config(&v);
        assert!(!issues.is_empty(), "the parser accepts {v}");
    }
}
