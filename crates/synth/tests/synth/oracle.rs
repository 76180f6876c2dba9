//! An oracle configured independently of the engine's self-check: its own jsonschema
//! validator (draft 2020-12, formats asserted) over its own registry of the spec's documents
//! seen through the request or response view. One dispatcher per (spec, view), with one
//! `properties` entry per schema, so big specs compile once.

use jsonschema::{Draft, Registry};
use mockgen_schema::view::{View, document_view, resolve_local};
use mockgen_spec::{Loc, Spec, doc_uri};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

pub struct Oracle {
    validator: jsonschema::Validator,
    keys: HashMap<Loc, String>,
}

fn is_base64(text: &str) -> bool {
    let body = text.trim_end_matches('=');
    body.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_'))
        && body.len() % 4 != 1
}

impl Oracle {
    pub fn new(spec: &Spec, view: View, schemas: &[Loc]) -> Oracle {
        let docs: Vec<Value> = spec
            .documents
            .iter()
            .map(|doc| {
                let resolve = |r: &str| resolve_local(doc, r);
                match document_view(doc, view, &resolve) {
                    Some(v) => v.doc,
                    None => doc.as_ref().clone(),
                }
            })
            .collect();
        let mut resources: Vec<(String, Value)> = docs
            .into_iter()
            .enumerate()
            .map(|(i, d)| (doc_uri(i), d))
            .collect();
        for uri in [
            "https://spec.openapis.org/oas/3.1/dialect/base",
            "https://spec.openapis.org/oas/3.1/dialect/2024-10-25",
        ] {
            resources.push((
                uri.to_owned(),
                json!({"$id": uri, "$schema": "https://json-schema.org/draft/2020-12/schema",
                       "$dynamicAnchor": "meta",
                       "allOf": [{"$ref": "https://json-schema.org/draft/2020-12/schema"}]}),
            ));
        }
        let registry = Registry::new()
            .draft(Draft::Draft202012)
            .extend(resources)
            .unwrap()
            .prepare()
            .unwrap();
        let mut properties = Map::new();
        let mut keys = HashMap::new();
        for (i, loc) in schemas.iter().enumerate() {
            if keys.contains_key(loc) {
                continue;
            }
            let key = i.to_string();
            let fragment: String = loc
                .pointer
                .chars()
                .map(|c| match c {
                    '{' => "%7B".to_owned(),
                    '}' => "%7D".to_owned(),
                    ' ' => "%20".to_owned(),
                    '%' => "%25".to_owned(),
                    '"' => "%22".to_owned(),
                    '<' => "%3C".to_owned(),
                    '>' => "%3E".to_owned(),
                    '\\' => "%5C".to_owned(),
                    '^' => "%5E".to_owned(),
                    '`' => "%60".to_owned(),
                    '|' => "%7C".to_owned(),
                    '[' => "%5B".to_owned(),
                    ']' => "%5D".to_owned(),
                    '#' => "%23".to_owned(),
                    c => c.to_string(),
                })
                .collect();
            properties.insert(
                key.clone(),
                json!({"$ref": format!("{}#{fragment}", doc_uri(loc.doc))}),
            );
            keys.insert(loc.clone(), key);
        }
        let validator = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .with_registry(&registry)
            .should_validate_formats(true)
            .with_format("byte", is_base64)
            .build(&json!({"properties": properties}))
            .unwrap();
        Oracle { validator, keys }
    }

    /// Violations of `value` against the schema at `loc` (which must have been given to `new`).
    pub fn errors(&self, loc: &Loc, value: &Value) -> Vec<String> {
        let key = &self.keys[loc];
        let envelope = json!({ key.as_str(): value });
        self.validator
            .iter_errors(&envelope)
            .map(|e| format!("{} at {} ({})", e, e.instance_path(), e.schema_path()))
            .collect()
    }
}
