//! Property tests: the loader (and the example check) never panics, whatever it is given. Two
//! generators: byte-level mutations of real documents' text, and structural mutations (a node
//! replaced by a value of the wrong kind, a dangling `$ref`, a self-reference) of their values.

use mockgen_spec::{LoadOptions, NoFiles, check::validate_examples, load};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::path::Path;

fn shared(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/specs")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn seeds() -> Vec<String> {
    [
        "petstore-expanded.oas30.yaml",
        "petstore.swagger20.yaml",
        "schema-circular-example.swagger20.json",
        "webhooks-example.oas31.json",
        "callbacks-example.oas30.json",
        "discriminators-example.oas30.yaml",
    ]
    .iter()
    .map(|n| shared(n))
    .collect()
}

fn load_everything(text: String) {
    let loaded = load("fuzz.yaml", text, &NoFiles, &LoadOptions::default());
    if let Some(spec) = &loaded.spec {
        let _ = validate_examples(spec, &loaded.bundle, &loaded.schema_roots);
    }
    for d in &loaded.diagnostics {
        // Every diagnostic of a parsed document is located.
        if loaded
            .files()
            .get(d.file)
            .is_some_and(|f| f.document.is_some())
        {
            assert!(d.line > 0 && d.column > 0, "unlocated diagnostic {d:?}");
        }
    }
}

#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, String),
    Duplicate(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(a, n)| Edit::Delete(a, n)),
        (
            any::<usize>(),
            prop::sample::select(vec![
                "{",
                "}",
                "[",
                "]",
                ":",
                ",",
                "\"",
                "'",
                "\n",
                "  ",
                "- ",
                "&a ",
                "*a",
                "<<: *a\n",
                "$ref: '#/x'",
                "{\"$ref\":\"#\"}",
                "~1",
                "%7B",
                "null",
                "1e999",
                "\t",
                "\u{feff}",
                "é",
                "#",
            ])
        )
            .prop_map(|(a, s)| Edit::Insert(a, s.to_owned())),
        (any::<usize>(), 1usize..200).prop_map(|(a, n)| Edit::Duplicate(a, n)),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut s: Vec<char> = text.chars().collect();
    for e in edits {
        let len = s.len().max(1);
        match e {
            Edit::Delete(a, n) => {
                let start = a % len;
                let end = (start + n).min(s.len());
                if start < end {
                    s.drain(start..end);
                }
            }
            Edit::Insert(a, t) => {
                let at = (a % len).min(s.len());
                for (i, c) in t.chars().enumerate() {
                    s.insert(at + i, c);
                }
            }
            Edit::Duplicate(a, n) => {
                let start = a % len;
                let end = (start + n).min(s.len());
                let piece: Vec<char> = s[start..end].to_vec();
                let at = end;
                for (i, c) in piece.into_iter().enumerate() {
                    s.insert(at + i, c);
                }
            }
        }
    }
    s.into_iter().collect()
}

/// Every pointer in a value, in document order.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                pointers(
                    c,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                pointers(c, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn replacement() -> impl Strategy<Value = Value> {
    prop::sample::select(vec![
        Value::Null,
        json!(true),
        json!(-1),
        json!(1.5),
        json!("x"),
        json!([]),
        json!({}),
        json!([{"$ref": "#"}]),
        json!({"$ref": "#/nowhere"}),
        json!({"$ref": "#/paths"}),
        json!({"$ref": "other.yaml#/x"}),
        json!({"$ref": "https://example.com/x"}),
        json!({"type": ["string", 3]}),
        json!({"pattern": "("}),
        json!({"allOf": [{"$ref": "#/components/schemas"}]}),
        json!({"in": "body", "name": "b"}),
        json!({"nullable": true, "exclusiveMinimum": true}),
    ])
}

proptest! {
    // A fixed seed keeps CI reproducible; change it (or raise `cases`) locally to explore.
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x6d6f636b67656e),
        ..ProptestConfig::default()
    })]

    #[test]
    fn text_mutations_never_panic(seed in 0usize..6, edits in prop::collection::vec(edit(), 1..6)) {
        let seeds = seeds();
        load_everything(apply(&seeds[seed % seeds.len()], &edits));
    }

    #[test]
    fn structural_mutations_never_panic(seed in 0usize..6, picks in prop::collection::vec((any::<usize>(), replacement()), 1..5)) {
        let seeds = seeds();
        let text = &seeds[seed % seeds.len()];
        let Ok(doc) = mockgen_source::parse(text) else { return Ok(()) };
        let mut value = doc.value;
        for (pick, new) in picks {
            let mut all = Vec::new();
            pointers(&value, String::new(), &mut all);
            let target = &all[pick % all.len()];
            if let Some(slot) = value.pointer_mut(target) {
                *slot = new;
            }
        }
        load_everything(serde_json::to_string(&value).unwrap_or_default());
    }
}

/// Regression: a callback that `$ref`s `#/paths` made the model builder recurse through the
/// same operation's callbacks until the stack overflowed (found by the structural fuzzer).
#[test]
fn callbacks_referring_back_to_their_own_path_item_terminate() {
    let doc = r##"{"openapi":"3.0.0","info":{"pattern":"("},"paths":{"/streams":{"post":{"parameters":[{"$ref":"#/nowhere"}],"responses":{"201":{"description":"ok","content":{"application/json":{"schema":{"required":["subscriptionId"],"properties":{"allOf":[{"$ref":"#/components/schemas"}]}}}}}},"callbacks":{"onData":{"$ref":"#/paths"}}}}}}"##;
    let loaded = load(
        "cycle.json",
        doc.to_owned(),
        &NoFiles,
        &LoadOptions::default(),
    );
    assert!(loaded.spec.is_some());
    assert!(
        loaded
            .diagnostics
            .iter()
            .any(|d| d.code == "callback-cycle"),
        "{:?}",
        loaded.diagnostics
    );
    load_everything(doc.to_owned());
}

#[test]
fn deep_and_self_referencing_documents_terminate() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    load_everything(deep);
    let self_ref = json!({
        "openapi": "3.0.0", "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"$ref": "#/paths/~1a", "get": {"responses": {"200": {"$ref": "#/paths/~1a/get/responses/200"}}}}},
        "components": {"schemas": {"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}}}
    });
    load_everything(self_ref.to_string());
    let aliases = "a: &a [1,2,3,4,5,6,7,8,9]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n";
    load_everything(aliases.to_owned());
}
