//! Preparing a spec: one validator slot per root schema and view, plus a slot for every
//! subschema generation has to test a value against (`oneOf`/`anyOf` branches, `not`, `if`,
//! `then`, `else`, `contains`, `propertyNames`), one per distinct `pattern` and `format`,
//! and a compiled generator per pattern.
//!
//! Everything is compiled into the one dispatcher validator the schema crate builds, so
//! schemas that reference each other are compiled once (per-schema validators were measured
//! at 18 GB on large specs).

use crate::regex::Pattern;
use crate::schema::{Docs, push_token};
use mockgen_schema::{SlotId, ValidatorBuilder, View};
use mockgen_spec::bundle::doc_uri;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};

/// Keywords whose value is one subschema; starred ones get a slot.
const ONE: &[(&str, bool)] = &[
    ("additionalProperties", false),
    ("unevaluatedProperties", false),
    ("items", false),
    ("additionalItems", false),
    ("unevaluatedItems", false),
    ("contains", true),
    ("propertyNames", true),
    ("not", true),
    ("if", true),
    ("then", true),
    ("else", true),
    ("contentSchema", false),
];
/// Keywords whose value is a list of subschemas.
const LIST: &[(&str, bool)] = &[
    ("allOf", false),
    ("anyOf", true),
    ("oneOf", true),
    ("prefixItems", false),
    ("items", false),
];
/// Keywords whose value maps names to subschemas.
const MAP: &[&str] = &["properties", "patternProperties", "dependentSchemas"];

/// What preparation produced.
#[derive(Debug, Default)]
pub struct Prepared {
    /// Slot of a schema node (by address) seen through a view.
    pub slots: HashMap<(usize, View), SlotId>,
    /// Slot `{"pattern": p}` and generator per pattern.
    pub patterns: HashMap<String, (SlotId, Option<Pattern>)>,
    /// Slot `{"format": f}` per format.
    pub formats: HashMap<String, SlotId>,
}

/// Walk every schema reachable from `roots` (following `$ref`s) and register its slots.
pub fn prepare(
    docs: &Docs,
    roots: &[(usize, String, View)],
    builder: &mut ValidatorBuilder,
) -> Prepared {
    let mut out = Prepared::default();
    let mut seen: HashSet<(usize, View)> = HashSet::new();
    let mut stack: Vec<(usize, String, &Value, View, bool)> = Vec::new();
    for (doc, pointer, view) in roots {
        if let Some(value) = docs.docs.get(*doc).and_then(|d| d.pointer(pointer)) {
            stack.push((*doc, pointer.clone(), value, *view, true));
        }
    }
    while let Some((doc, pointer, value, view, slot)) = stack.pop() {
        let id = std::ptr::from_ref(value) as usize;
        if slot && !out.slots.contains_key(&(id, view)) {
            let s = builder.slot(&doc_uri(doc), &pointer, view);
            out.slots.insert((id, view), s);
        }
        if !seen.insert((id, view)) {
            continue;
        }
        let Some(map) = value.as_object() else {
            continue;
        };
        let child = |tokens: &[&str]| {
            let mut p = pointer.clone();
            for t in tokens {
                push_token(&mut p, t);
            }
            p
        };
        for key in ["$ref", "$dynamicRef"] {
            if let Some(Value::String(reference)) = map.get(key)
                && let Some(target) = docs.resolve(doc, reference)
            {
                stack.push((
                    target.doc,
                    target.pointer.to_string(),
                    target.value,
                    view,
                    false,
                ));
            }
        }
        for (key, slotted) in ONE {
            if let Some(sub) = map.get(*key)
                && (sub.is_object() || sub.is_boolean())
            {
                stack.push((doc, child(&[key]), sub, view, *slotted));
            }
        }
        for (key, slotted) in LIST {
            if let Some(Value::Array(items)) = map.get(*key) {
                for (i, sub) in items.iter().enumerate() {
                    stack.push((doc, child(&[key, &i.to_string()]), sub, view, *slotted));
                }
            }
        }
        for key in MAP {
            if let Some(Value::Object(entries)) = map.get(*key) {
                for (name, sub) in entries {
                    stack.push((doc, child(&[key, name]), sub, view, false));
                }
            }
        }
        if let Some(Value::String(p)) = map.get("pattern") {
            add_pattern(&mut out, builder, p);
        }
        if let Some(Value::Object(entries)) = map.get("patternProperties") {
            for p in entries.keys() {
                add_pattern(&mut out, builder, p);
            }
        }
        if let Some(Value::String(f)) = map.get("format")
            && !out.formats.contains_key(f)
        {
            let s = builder.inline_slot(json!({ "format": f }));
            out.formats.insert(f.clone(), s);
        }
    }
    out
}

fn add_pattern(out: &mut Prepared, builder: &mut ValidatorBuilder, pattern: &str) {
    if out.patterns.contains_key(pattern) {
        return;
    }
    let slot = builder.inline_slot(json!({ "pattern": pattern }));
    out.patterns
        .insert(pattern.to_owned(), (slot, Pattern::compile(pattern).ok()));
}
