use serde_json::{json, Value};
use std::sync::Arc;

#[test]
fn scratch_ext() {
    let doc = json!({"components": {"schemas": {
        "Ext": {"$ref": "https://example.com/x.json#/A"},
        "Good": {"type": "object", "properties": {"id": false, "n": {"type": "string"}}},
    }}});
    let reg = jsonschema::Registry::new().draft(jsonschema::Draft::Draft202012).add("mockgen:///doc/0", Arc::new(doc));
    let reg = reg.unwrap().prepare();
    println!("prepare: {:?}", reg.as_ref().err().map(|e| e.to_string()));
    let reg = reg.unwrap();
    for root in [json!({"properties": {"0": {"$ref": "mockgen:///doc/0#/components/schemas/Good"}, "1": {"type": "string", "minLength": 3}}}),
                 json!({"properties": {"0": {"$ref": "mockgen:///doc/0#/components/schemas/Ext"}}})] {
        let v = jsonschema::options().with_draft(jsonschema::Draft::Draft202012).with_registry(&reg).offline().with_base_uri("mockgen-dispatch:///").build(&root);
        match v {
            Err(e) => println!("build err: {e}"),
            Ok(v) => for e in v.iter_errors(&json!({"0": {"id": 1, "n": 2}, "1": "x"})) {
                println!("err {} inst={} schema={} eval={} abs={:?} kw={}", e, e.instance_path(), e.schema_path(), e.evaluation_path(), e.absolute_keyword_location().map(|u| u.to_string()), e.kind().keyword());
            }
        }
    }
}
