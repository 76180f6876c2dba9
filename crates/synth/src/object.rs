//! Objects: which properties to include, and the conjunction of schemas each one must satisfy.
//!
//! Properties keep their declared order. Required ones are always present; optional ones are
//! included near the top of a body and thin out with depth, and never in minimal mode (deep
//! or recursive positions). Extra, undeclared properties are added only when
//! `minProperties` forces it. A property's schemas are, for every part of the conjunction,
//! its `properties` entry and every matching `patternProperties` entry, else that part's
//! `additionalProperties` — so `additionalProperties: false` in one `allOf` member correctly
//! rules out properties another member declares.
//!
//! readOnly/writeOnly: a property whose schema is flagged for the view (directly, through
//! `$ref`, an `allOf` member, or every non-null `anyOf`/`oneOf` branch) is left out and
//! unrequired, exactly as the validator's view does.

use crate::engine::{At, Gen, Preferred};
use crate::error::{GenError, GenResult};
use crate::merge::Merged;
use crate::schema::{Flat, Node};
use rand::RngExt;
use serde_json::{Map, Value};
use std::rc::Rc;

/// How many `$ref`/`allOf` hops a readOnly/writeOnly flag is looked for through.
const MAX_HOPS: usize = 16;
/// Rounds of `dependentSchemas` re-planning.
const MAX_DEPENDENT_ROUNDS: usize = 4;

/// A property to generate.
struct Planned {
    name: String,
    /// Must be present (required, a dependency, or needed for minProperties).
    needed: bool,
}

impl<'s> Gen<'s> {
    pub fn object(
        &mut self,
        m: &Merged<'s>,
        flat: &Flat<'s>,
        at: &At<'_>,
        preferred: &Preferred,
    ) -> GenResult<Value> {
        let (doc, pointer) = m
            .parts
            .first()
            .map_or((0, String::new()), |n| (n.doc, n.pointer.to_string()));
        // `dependentSchemas` of included properties join the conjunction, which changes the
        // plan: iterate to a fixed point.
        let mut merged = m.clone();
        let mut plan = self.plan(&merged, at, preferred, &doc, &pointer)?;
        for _ in 0..MAX_DEPENDENT_ROUNDS {
            let mut extra: Vec<Node<'s>> = Vec::new();
            for part in &merged.parts {
                for p in &plan {
                    if let Some(dep) = part.entry("dependentSchemas", &p.name)
                        && !merged.parts.iter().any(|q| q.id() == dep.id())
                    {
                        extra.push(dep);
                    }
                }
            }
            if extra.is_empty() {
                break;
            }
            let mut f = Flat {
                parts: merged.parts.clone(),
                refs: Vec::new(),
            };
            for e in extra {
                f.add(&self.synth.docs, e)?;
            }
            let nots = merged.nots.clone();
            let forbidden = merged.forbidden.clone();
            merged = Merged::new(&f.parts, &nots)?;
            for name in forbidden {
                merged.forbid(&name);
            }
            plan = self.plan(&merged, at, preferred, &doc, &pointer)?;
        }
        let context: Option<Rc<str>> = flat
            .schema_name()
            .map(Rc::from)
            .or_else(|| at.context.clone());
        let mut out = Map::new();
        for p in &plan {
            let schemas = self.property_schemas(&merged.parts, &p.name);
            let preferred_value = preferred.iter().find(|(n, _)| *n == p.name).map(|(_, v)| v);
            let recursion = self.recursion(&schemas);
            let child = At {
                seed: at.seed.part(&p.name),
                depth: at.depth + 1,
                name: Some(&p.name),
                context: context.clone(),
                preferred: preferred_value,
                minimal: at.minimal || at.depth + 1 >= self.max_depth() || recursion >= 1,
            };
            let result = if p.needed {
                self.value(&schemas, &child)
            } else {
                self.optional_value(&schemas, &child)
            };
            match result {
                Ok(v) => {
                    out.insert(p.name.clone(), v);
                }
                Err(e) if p.needed || e.kind == crate::error::ErrorKind::Budget => return Err(e),
                // An optional property that cannot be generated (forbidden by
                // `additionalProperties: false` elsewhere, hidden, contradictory) is left out.
                Err(_) => {}
            }
        }
        let count = u64::try_from(out.len()).unwrap_or(u64::MAX);
        if count < merged.min_properties {
            return Err(GenError::unsat(
                doc,
                &pointer,
                format!(
                    "cannot find {} properties (minProperties) that the schema allows",
                    merged.min_properties
                ),
            ));
        }
        Ok(Value::Object(out))
    }

    /// Which properties to generate, in order.
    fn plan(
        &mut self,
        m: &Merged<'s>,
        at: &At<'_>,
        preferred: &Preferred,
        doc: &usize,
        pointer: &str,
    ) -> GenResult<Vec<Planned>> {
        let parts = &m.parts;
        let mut declared: Vec<&'s str> = Vec::new();
        for part in parts {
            if let Some(Value::Object(props)) = part.get("properties") {
                for name in props.keys() {
                    if !declared.contains(&name.as_str()) {
                        declared.push(name);
                    }
                }
            }
        }
        let hidden: Vec<&str> = declared
            .iter()
            .copied()
            .filter(|name| {
                parts.iter().any(|part| {
                    part.entry("properties", name)
                        .is_some_and(|schema| self.hidden(&schema, 0))
                })
            })
            .collect();
        let mut plan: Vec<Planned> = Vec::new();
        let push = |plan: &mut Vec<Planned>, name: &str, needed: bool| {
            if let Some(p) = plan.iter_mut().find(|p| p.name == name) {
                p.needed |= needed;
            } else {
                plan.push(Planned {
                    name: name.to_owned(),
                    needed,
                });
            }
        };
        let required: Vec<&str> = m
            .required
            .iter()
            .copied()
            .filter(|n| !hidden.contains(n))
            .collect();
        // Declared order first, then required names only some other part declares (or none).
        for name in &declared {
            if required.contains(name) {
                push(&mut plan, name, true);
            } else if !hidden.contains(name)
                && !m.forbidden.iter().any(|f| f == name)
                && (preferred.iter().any(|(p, _)| p == name) || self.include_optional(at, name))
                && self.name_allowed(parts, name)
            {
                push(&mut plan, name, false);
            }
        }
        for name in &required {
            push(&mut plan, name, true);
        }
        // An object with properties but none chosen looks broken (`{}`): keep the first
        // optional one the schema allows, unless minimal.
        if plan.is_empty()
            && !at.minimal
            && let Some(name) = declared.iter().find(|name| {
                !hidden.contains(name)
                    && !m.forbidden.iter().any(|f| f == *name)
                    && self.name_allowed(parts, name)
            })
        {
            push(&mut plan, name, false);
        }
        // dependentRequired: a present property brings its dependencies.
        let mut i = 0;
        while i < plan.len() {
            let name = plan[i].name.clone();
            i += 1;
            for part in parts {
                if let Some(Value::Array(deps)) =
                    part.get("dependentRequired").and_then(|d| d.get(&name))
                {
                    for dep in deps.iter().filter_map(Value::as_str) {
                        push(&mut plan, dep, true);
                    }
                }
            }
        }
        if let Some(max) = m.max_properties {
            let max = usize::try_from(max).unwrap_or(usize::MAX);
            while plan.len() > max {
                match plan.iter().rposition(|p| !p.needed) {
                    Some(i) => {
                        plan.remove(i);
                    }
                    None => {
                        return Err(GenError::unsat(
                            *doc,
                            pointer,
                            format!(
                                "{} required properties exceed maxProperties {max}",
                                plan.len()
                            ),
                        ));
                    }
                }
            }
        }
        let min = usize::try_from(m.min_properties).unwrap_or(usize::MAX);
        if plan.len() < min {
            // More declared properties first, then invented names.
            for name in &declared {
                if plan.len() >= min {
                    break;
                }
                if !hidden.contains(name)
                    && !m.forbidden.iter().any(|f| f == name)
                    && !plan.iter().any(|p| p.name == *name)
                    && self.name_allowed(parts, name)
                {
                    push(&mut plan, name, true);
                }
            }
            let mut n = 0u64;
            while plan.len() < min && n < 64 + m.min_properties * 4 {
                n += 1;
                if let Some(name) = self.extra_name(parts, at, n)
                    && !plan.iter().any(|p| p.name == name)
                    && !declared.contains(&name.as_str())
                    && !m.forbidden.contains(&name)
                {
                    push(&mut plan, &name, true);
                }
            }
        }
        Ok(plan)
    }

    /// Whether an optional property goes into this body. Decided per property from its own
    /// seed, so adding a property elsewhere changes nothing here.
    fn include_optional(&self, at: &At<'_>, name: &str) -> bool {
        if at.minimal {
            return false;
        }
        let p = match at.depth {
            0..=3 => return true,
            4 => 0.6,
            _ => 0.35,
        };
        at.seed.part(name).part("?").rng().random_bool(p)
    }

    /// Whether every `propertyNames` of the conjunction accepts `name`.
    fn name_allowed(&self, parts: &[Node<'s>], name: &str) -> bool {
        let value = Value::String(name.to_owned());
        parts.iter().all(|part| {
            part.sub("propertyNames")
                .is_none_or(|pn| self.matches(&pn, &value) != Some(false))
        })
    }

    /// The schemas property `name` must satisfy.
    pub fn property_schemas(&self, parts: &[Node<'s>], name: &str) -> Vec<Node<'s>> {
        let mut out = Vec::new();
        let mut declared_anywhere = false;
        let name_value = Value::String(name.to_owned());
        for part in parts {
            let mut matched = false;
            if let Some(schema) = part.entry("properties", name) {
                out.push(schema);
                matched = true;
                declared_anywhere = true;
            }
            if let Some(Value::Object(patterns)) = part.get("patternProperties") {
                for (pattern, schema) in patterns {
                    let hit = self
                        .synth
                        .prepared
                        .patterns
                        .get(pattern)
                        .is_some_and(|(slot, _)| self.synth.validator.is_valid(*slot, &name_value));
                    if hit {
                        out.push(part.child(schema, &["patternProperties", pattern]));
                        matched = true;
                        declared_anywhere = true;
                    }
                }
            }
            if !matched && let Some(ap) = part.sub("additionalProperties") {
                out.push(ap);
            }
        }
        if !declared_anywhere {
            for part in parts {
                if let Some(up) = part.sub("unevaluatedProperties") {
                    out.push(up);
                }
            }
        }
        out
    }

    /// An invented property name (for `minProperties`): from `patternProperties` regexes,
    /// else from `propertyNames`, else a plain word; `None` if the schema rules it out.
    fn extra_name(&mut self, parts: &[Node<'s>], at: &At<'_>, n: u64) -> Option<String> {
        let mut rng = at.seed.part("?extra").num(n).rng();
        let mut candidates: Vec<String> = Vec::new();
        for part in parts {
            if let Some(Value::Object(patterns)) = part.get("patternProperties") {
                for pattern in patterns.keys() {
                    if let Some((_, Some(generator))) = self.synth.prepared.patterns.get(pattern)
                        && let Some(s) =
                            generator.sample(&mut rng, usize::try_from(n).unwrap_or(0), 1, Some(24))
                    {
                        candidates.push(s);
                    }
                }
            }
        }
        let names: Vec<Node<'s>> = parts
            .iter()
            .filter_map(|p| p.sub("propertyNames"))
            .collect();
        if !names.is_empty() {
            let child = At {
                seed: at.seed.part("?name").num(n),
                depth: at.depth + 1,
                name: None,
                context: None,
                preferred: None,
                minimal: true,
            };
            if let Ok(Value::String(s)) = self.value(&names, &child) {
                candidates.push(s);
            }
        }
        candidates.push(format!("{}{}", crate::formats::word(&mut rng), n));
        candidates.into_iter().find(|name| {
            self.name_allowed(parts, name)
                && !self
                    .property_schemas(parts, name)
                    .iter()
                    .any(Node::is_false)
        })
    }

    /// Whether `schema` is flagged readOnly/writeOnly for this view (see the module doc).
    pub fn hidden(&self, schema: &Node<'s>, hops: usize) -> bool {
        let Some(keyword) = self.view.hidden_by() else {
            return false;
        };
        if hops > MAX_HOPS || schema.map().is_none() {
            return false;
        }
        if schema.flag(keyword) {
            return true;
        }
        if let Some(Ok(target)) = self.synth.docs.target(schema)
            && self.hidden(&target, hops + 1)
        {
            return true;
        }
        if schema
            .list("allOf")
            .iter()
            .any(|m| self.hidden(m, hops + 1))
        {
            return true;
        }
        ["anyOf", "oneOf"].iter().any(|k| {
            let branches: Vec<Node<'s>> = schema
                .list(k)
                .into_iter()
                .filter(|b| !is_null_schema(b.value))
                .collect();
            !branches.is_empty() && branches.iter().all(|b| self.hidden(b, hops + 1))
        })
    }
}

/// `{type: null}` exactly, as the view treats it.
fn is_null_schema(schema: &Value) -> bool {
    schema
        .as_object()
        .is_some_and(|m| m.len() == 1 && m.get("type") == Some(&"null".into()))
}
