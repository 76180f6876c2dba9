//! `oneOf` branches that provably accept the same values (`oneof-indistinguishable`).
//!
//! `oneOf` passes only when exactly one branch matches, so two branches that accept the same
//! values can never be the one: a value valid for either matches both. When every branch is
//! such a twin, or only matches values the twins also take (otoroshi's
//! `source: oneOf [InQueryParam, InHeader, InCookie]`), the schema is unsatisfiable.
//!
//! The check is cheap and conservative (no false positives): two branches are reported only
//! when they are *structurally equal* once `$ref`s are followed — the same validation keywords
//! with the same values (`required` and `type` compared as sets), subschemas equal in turn —
//! which implies they accept the same values. Annotations are ignored (`title`,
//! `description`, examples, `default`, `x-*`, …), and so is `discriminator`: it is an OpenAPI
//! hint that JSON Schema validation (mockgen's, Schemathesis', any validator's) does not
//! consult, so a mapping that names the twins differently does not make any value match
//! exactly one of them. Schemas using dynamic scoping (`$id`, `$anchor`, `$dynamicRef`, …) are
//! never called equal, nor are comparisons that exceed a work budget.

use crate::bundle::Bundle;
use crate::diag::{Diagnostic, Severity};
use crate::model::Loc;
use mockgen_schema::dialect::{SCHEMA_ARRAYS, SCHEMA_MAPS, SCHEMA_SINGLES};
use serde_json::{Map, Value};
use std::collections::HashSet;

/// Node comparisons allowed per `oneOf` (all its branch pairs together).
const BUDGET: usize = 20_000;
/// `$ref` hops followed from one node before giving up.
const MAX_HOPS: usize = 32;
/// Nesting depth of one comparison before giving up.
const MAX_DEPTH: usize = 64;

/// Report every `oneOf` branch that accepts the same values as an earlier branch of the same
/// `oneOf`, once per (`oneOf`, branch), at the later branch.
pub(crate) fn check(bundle: &Bundle, roots: &[Loc], diags: &mut Vec<Diagnostic>) {
    let mut seen: HashSet<(usize, String)> = HashSet::new();
    crate::walk_schemas(bundle, roots, |doc, ptr, map| {
        if let Some(Value::Array(branches)) = map.get("oneOf")
            && branches.len() > 1
            && seen.insert((doc, ptr.to_owned()))
        {
            report(bundle, doc, ptr, map, branches, diags);
        }
    });
}

fn report<'a>(
    bundle: &'a Bundle,
    doc: usize,
    ptr: &str,
    parent: &Map<String, Value>,
    branches: &'a [Value],
    diags: &mut Vec<Diagnostic>,
) {
    let mut cmp = Compare {
        bundle,
        budget: BUDGET,
        assumed: Vec::new(),
    };
    for (j, later) in branches.iter().enumerate().skip(1) {
        let Some(i) = (0..j).find(|i| cmp.same((doc, &branches[*i]), (doc, later), 0)) else {
            continue;
        };
        let mut d = bundle.diag_at(
            Severity::Warning,
            "oneof-indistinguishable",
            doc,
            &format!("{ptr}/oneOf/{j}"),
            format!(
                "`oneOf` branches {} and {} accept the same values: no value can match exactly one of them",
                label(bundle, doc, i, &branches[i]),
                label(bundle, doc, j, later),
            ),
        );
        let discriminator = if parent.contains_key("discriminator") {
            " (the `discriminator` does not change that: JSON Schema validators, mockgen's included, ignore it)"
        } else {
            ""
        };
        d.help = Some(format!(
            "`oneOf` needs exactly one branch to match{discriminator}; use `anyOf`, or make the branches differ (e.g. a property with a different `const` in each). When no value satisfies the schema, `mockgen serve` sends one valid for its first branch and logs the violation"
        ));
        diags.push(d);
    }
}

/// `2`, or `2 (#/components/schemas/InCookie)` for a `$ref` branch (the target as written:
/// its original pointer, with the file name when it lives in another file).
fn label(bundle: &Bundle, doc: usize, index: usize, branch: &Value) -> String {
    let Some(r) = branch.get("$ref").and_then(Value::as_str) else {
        return index.to_string();
    };
    let Some((target_doc, pointer, _)) = bundle.resolve(doc, r) else {
        return format!("{index} ({r})");
    };
    let original = bundle
        .origins
        .get(target_doc)
        .map_or_else(|| pointer.clone(), |o| o.original(&pointer));
    let file = if target_doc == 0 {
        ""
    } else {
        bundle.files.get(target_doc).map_or("", |f| f.name.as_str())
    };
    format!("{index} ({file}#{original})")
}

/// Keywords that never change which values a schema accepts; `discriminator` among them (a
/// hint no validator consults).
fn is_annotation(key: &str) -> bool {
    mockgen_schema::dialect::is_annotation(key) || key == "discriminator"
}

/// Keywords whose meaning depends on more than the node itself: never compared.
fn is_scoped(key: &str) -> bool {
    matches!(
        key,
        "$id" | "$anchor" | "$dynamicRef" | "$dynamicAnchor" | "$recursiveRef" | "$recursiveAnchor"
    )
}

struct Compare<'a> {
    bundle: &'a Bundle,
    budget: usize,
    /// Node pairs being compared (by address): met again below themselves (recursion through
    /// `$ref`), they are assumed equal — if nothing else differs, the two schemas unfold into
    /// the same infinite tree.
    assumed: Vec<(usize, usize)>,
}

impl<'a> Compare<'a> {
    /// Do `a` and `b` (each with the document its `$ref`s resolve in) provably accept the same
    /// values? `false` means "not shown", never "different".
    fn same(&mut self, a: (usize, &'a Value), b: (usize, &'a Value), depth: usize) -> bool {
        if depth > MAX_DEPTH || self.budget == 0 {
            return false;
        }
        self.budget -= 1;
        let (Some(a), Some(b)) = (self.follow(a), self.follow(b)) else {
            return false;
        };
        if std::ptr::eq(a.1, b.1) {
            return true;
        }
        match (a.1, b.1) {
            (Value::Bool(x), Value::Bool(y)) => x == y,
            (Value::Object(x), Value::Object(y)) => {
                let pair = (
                    std::ptr::from_ref(a.1) as usize,
                    std::ptr::from_ref(b.1) as usize,
                );
                if self.assumed.contains(&pair) {
                    return true;
                }
                self.assumed.push(pair);
                let equal = self.same_maps((a.0, x), (b.0, y), depth);
                self.assumed.pop();
                equal
            }
            _ => false,
        }
    }

    /// Follow a `$ref` that stands alone (annotations aside) to its target.
    fn follow(&self, (mut doc, mut value): (usize, &'a Value)) -> Option<(usize, &'a Value)> {
        for _ in 0..MAX_HOPS {
            let Some(map) = value.as_object() else {
                return Some((doc, value));
            };
            let Some(r) = map.get("$ref") else {
                return Some((doc, value));
            };
            if !map.keys().all(|k| k == "$ref" || is_annotation(k)) {
                return Some((doc, value));
            }
            let (d, _, target) = self.bundle.resolve(doc, r.as_str()?)?;
            doc = d;
            value = target;
        }
        None
    }

    fn same_maps(
        &mut self,
        (da, a): (usize, &'a Map<String, Value>),
        (db, b): (usize, &'a Map<String, Value>),
        depth: usize,
    ) -> bool {
        let keys = |m: &'a Map<String, Value>| -> Vec<&'a str> {
            let mut k: Vec<&str> = m
                .keys()
                .map(String::as_str)
                .filter(|k| !is_annotation(k))
                .collect();
            k.sort_unstable();
            k
        };
        let (ka, kb) = (keys(a), keys(b));
        if ka != kb || ka.iter().any(|k| is_scoped(k)) {
            return false;
        }
        for key in ka {
            let (Some(va), Some(vb)) = (a.get(key), b.get(key)) else {
                return false;
            };
            let equal = if key == "$ref" {
                self.same_refs((da, va), (db, vb), depth)
            } else if SCHEMA_MAPS.contains(&key) {
                match (va, vb) {
                    (Value::Object(x), Value::Object(y)) => {
                        x.len() == y.len()
                            && x.iter().all(|(name, sx)| {
                                y.get(name)
                                    .is_some_and(|sy| self.same((da, sx), (db, sy), depth + 1))
                            })
                    }
                    _ => va == vb,
                }
            } else if SCHEMA_SINGLES.contains(&key) || SCHEMA_ARRAYS.contains(&key) {
                match (va, vb) {
                    (Value::Array(x), Value::Array(y)) => {
                        x.len() == y.len()
                            && x.iter()
                                .zip(y)
                                .all(|(sx, sy)| self.same((da, sx), (db, sy), depth + 1))
                    }
                    (Value::Array(_), _) | (_, Value::Array(_)) => false,
                    _ => self.same((da, va), (db, vb), depth + 1),
                }
            } else if key == "required" || key == "type" {
                as_set(va).is_some_and(|x| as_set(vb).is_some_and(|y| x == y)) || va == vb
            } else {
                va == vb
            };
            if !equal {
                return false;
            }
        }
        true
    }

    /// Two `$ref`s beside other keywords: the same target, or targets that compare equal.
    fn same_refs(
        &mut self,
        (da, a): (usize, &'a Value),
        (db, b): (usize, &'a Value),
        depth: usize,
    ) -> bool {
        let (Some(ra), Some(rb)) = (a.as_str(), b.as_str()) else {
            return false;
        };
        match (self.bundle.resolve(da, ra), self.bundle.resolve(db, rb)) {
            (Some((dta, _, ta)), Some((dtb, _, tb))) => self.same((dta, ta), (dtb, tb), depth + 1),
            _ => false,
        }
    }
}

/// A `required`/`type` value as a sorted set of strings.
fn as_set(v: &Value) -> Option<Vec<&str>> {
    let mut out: Vec<&str> = match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().map(Value::as_str).collect::<Option<_>>()?,
        _ => return None,
    };
    out.sort_unstable();
    out.dedup();
    Some(out)
}

#[cfg(test)]
mod tests {
    use crate::{LoadOptions, NoFiles, load};
    use serde_json::{Value, json};

    /// The `oneof-indistinguishable` findings of a 3.1 document with `schemas` as
    /// `components/schemas`: (pointer, message, help).
    fn findings(schemas: &Value) -> Vec<(String, String, String)> {
        let doc = json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {},
            "components": {"schemas": schemas}
        });
        let loaded = load(
            "t.json",
            serde_json::to_string_pretty(&doc).unwrap_or_default(),
            &NoFiles,
            &LoadOptions::default(),
        );
        loaded
            .diagnostics
            .iter()
            .filter(|d| d.code == "oneof-indistinguishable")
            .map(|d| {
                assert!(d.line > 0 && d.column > 0, "{d:?}");
                assert!(!d.is_error(), "a warning: {d:?}");
                (
                    d.pointer.clone(),
                    d.message.clone(),
                    d.help.clone().unwrap_or_default(),
                )
            })
            .collect()
    }

    fn location(description: &str, extra: &[&str]) -> Value {
        let mut props = json!({
            "name": {"type": "string", "description": description},
            "type": {"type": "string"}
        });
        let mut required = vec!["type", "name"];
        for name in extra {
            props[*name] = json!({"type": "string"});
            required.push(name);
        }
        json!({"type": "object", "description": description, "required": required, "properties": props})
    }

    fn with_source(source: Value, more: &[(&str, Value)]) -> Value {
        let mut schemas = json!({
            "Verifier": {"type": "object", "properties": {"source": source}},
            "InQueryParam": location("query", &[]),
            "InHeader": location("header", &["remove"]),
            "InCookie": location("cookie", &[]),
        });
        for (name, schema) in more {
            schemas[*name] = schema.clone();
        }
        schemas
    }

    fn refs(names: &[&str]) -> Value {
        Value::Array(
            names
                .iter()
                .map(|n| json!({"$ref": format!("#/components/schemas/{n}")}))
                .collect(),
        )
    }

    #[test]
    fn twins_behind_refs_are_reported_at_the_later_branch() {
        let found = findings(&with_source(
            json!({"oneOf": refs(&["InQueryParam", "InHeader", "InCookie"])}),
            &[],
        ));
        assert_eq!(found.len(), 1, "{found:?}");
        let (pointer, message, help) = &found[0];
        assert_eq!(
            pointer,
            "/components/schemas/Verifier/properties/source/oneOf/2"
        );
        assert_eq!(
            message,
            "`oneOf` branches 0 (#/components/schemas/InQueryParam) and 2 (#/components/schemas/InCookie) accept the same values: no value can match exactly one of them"
        );
        assert!(help.contains("anyOf"), "{help}");
        assert!(!help.contains("discriminator"), "{help}");
    }

    #[test]
    fn a_discriminator_does_not_tell_twins_apart() {
        let found = findings(&with_source(
            json!({
                "oneOf": refs(&["InQueryParam", "InCookie"]),
                "discriminator": {"propertyName": "type", "mapping": {
                    "q": "#/components/schemas/InQueryParam",
                    "c": "#/components/schemas/InCookie"
                }}
            }),
            &[],
        ));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].2.contains("discriminator"), "{found:?}");
    }

    #[test]
    fn equal_up_to_order_annotations_and_ref_chains() {
        let found = findings(&json!({
            "S": {"oneOf": [
                {"type": ["string", "null"], "title": "a", "x-note": 1},
                {"type": ["null", "string"], "examples": ["b"]},
                {"$ref": "#/components/schemas/Alias"},
                {"$ref": "#/components/schemas/Direct"}
            ]},
            "Alias": {"$ref": "#/components/schemas/Direct", "description": "an alias"},
            "Direct": {"type": "object", "required": ["a", "b"], "additionalProperties": false,
                       "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}}
        }));
        let pointers: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/components/schemas/S/oneOf/1",
                "/components/schemas/S/oneOf/3"
            ],
            "{found:?}"
        );
        assert!(
            found[1]
                .1
                .contains("branches 2 (#/components/schemas/Alias) and 3"),
            "{found:?}"
        );
    }

    #[test]
    fn recursive_twins_are_equal() {
        let node = |name: &str| {
            json!({"type": "object", "properties": {
                "value": {"type": "integer"},
                "children": {"type": "array", "items": {"$ref": format!("#/components/schemas/{name}")}}
            }})
        };
        let found = findings(&json!({
            "S": {"oneOf": refs(&["TreeA", "TreeB"])},
            "TreeA": node("TreeA"),
            "TreeB": node("TreeB"),
        }));
        assert_eq!(found.len(), 1, "{found:?}");
    }

    #[test]
    fn branches_that_differ_are_not_reported() {
        for (a, b) in [
            // A subset is not a twin (the check is structural, never a false positive).
            ("InQueryParam", "InHeader"),
            ("Open", "Closed"),
            ("Open", "OtherFormat"),
            ("Open", "ReadOnlyName"),
            ("Open", "Dynamic"),
        ] {
            let open = location("open", &[]);
            let mut closed = open.clone();
            closed["additionalProperties"] = json!(false);
            let mut other_format = open.clone();
            other_format["properties"]["name"]["format"] = json!("email");
            let mut read_only = open.clone();
            read_only["properties"]["name"]["readOnly"] = json!(true);
            let mut dynamic = open.clone();
            dynamic["$id"] = json!("https://example.com/dynamic");
            let found = findings(&with_source(
                json!({"oneOf": refs(&[a, b])}),
                &[
                    ("Open", open),
                    ("Closed", closed),
                    ("OtherFormat", other_format),
                    ("ReadOnlyName", read_only),
                    ("Dynamic", dynamic),
                ],
            ));
            assert!(found.is_empty(), "{a} vs {b}: {found:?}");
        }
    }
}
