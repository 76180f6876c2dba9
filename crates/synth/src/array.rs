//! Arrays: a small number of items (1–3 by default, `minItems` in minimal mode) each
//! satisfying, for every part of the conjunction, its `prefixItems` entry or else its `items`.
//! `contains` is met by constructing the first `minContains` items from the `contains`
//! schema too, and `maxContains` and `uniqueItems` are enforced by checking and redrawing.

use crate::engine::{At, Gen};
use crate::error::{ErrorKind, GenError, GenResult};
use crate::merge::{Merged, as_count};
use crate::schema::Node;
use crate::value::json_eq;
use rand::RngExt;
use serde_json::Value;

/// Longest array generated (a `minItems` beyond this is treated as pathological).
const MAX_ITEMS: u64 = 10_000;
/// Redraws of one item that duplicates an earlier one under `uniqueItems`.
const UNIQUE_ATTEMPTS: u64 = 12;

/// One `contains` requirement.
struct Contains<'s> {
    schema: Node<'s>,
    min: u64,
    max: Option<u64>,
}

impl<'s> Gen<'s> {
    pub fn array(&mut self, m: &Merged<'s>, at: &At<'_>) -> GenResult<Value> {
        let (doc, pointer) = m
            .parts
            .first()
            .map_or((0, String::new()), |n| (n.doc, n.pointer.to_string()));
        let parts = &m.parts;
        // `items: false` (after prefixItems) caps the length at the prefix.
        let mut max = m.max_items.unwrap_or(u64::MAX);
        for part in parts {
            let prefix = part.list("prefixItems").len() as u64;
            if part.get("items").is_some_and(|i| i == &Value::Bool(false)) {
                max = max.min(prefix);
            }
        }
        let contains: Vec<Contains<'s>> = parts
            .iter()
            .filter_map(|p| {
                let schema = p.sub("contains")?;
                Some(Contains {
                    schema,
                    min: p.get("minContains").and_then(as_count).unwrap_or(1),
                    max: p.get("maxContains").and_then(as_count),
                })
            })
            .collect();
        let need_contains = contains.iter().map(|c| c.min).max().unwrap_or(0);
        let min = m.min_items.max(need_contains);
        if min > max {
            return Err(GenError::unsat(
                doc,
                &pointer,
                format!("at least {min} items are needed but at most {max} are allowed"),
            ));
        }
        if min > MAX_ITEMS {
            return Err(GenError::budget(
                doc,
                &pointer,
                format!("minItems {min} is too many to generate"),
            ));
        }
        let mut rng = at.seed.part("array").rng();
        let (lo, hi) = if at.depth < 2 { (1, 3) } else { (1, 2) };
        let count = if at.minimal {
            min
        } else {
            let lo = u64::max(lo, min).min(max);
            let hi = u64::min(hi, max).max(lo);
            rng.random_range(lo..=hi)
        };
        let mut items: Vec<Value> = Vec::new();
        let mut index = 0u64;
        while (items.len() as u64) < count {
            let i = items.len();
            let mut schemas = self.item_schemas(parts, i);
            if (i as u64) < need_contains {
                schemas.extend(
                    contains
                        .iter()
                        .filter(|c| (i as u64) < c.min)
                        .map(|c| c.schema.clone()),
                );
            }
            let recursion = self.recursion(&schemas);
            let mut produced = None;
            let mut last_err = None;
            for redraw in 0..=UNIQUE_ATTEMPTS {
                let child = At {
                    seed: at.seed.num(index).num(redraw),
                    depth: at.depth + 1,
                    name: at.name,
                    context: at.context.clone(),
                    preferred: None,
                    minimal: at.minimal || at.depth + 1 >= self.max_depth() || recursion >= 1,
                };
                let result = if (i as u64) < min {
                    self.value(&schemas, &child)
                } else {
                    self.optional_value(&schemas, &child)
                };
                match result {
                    Ok(v) => {
                        if m.unique_items && items.iter().any(|x| json_eq(x, &v)) {
                            continue;
                        }
                        // Items beyond the designated ones must not push a `contains` count
                        // over its `maxContains`.
                        let surplus = (i as u64) >= need_contains
                            && contains.iter().any(|c| {
                                c.max.is_some() && self.matches(&c.schema, &v) != Some(false)
                            });
                        if surplus && redraw < UNIQUE_ATTEMPTS {
                            continue;
                        }
                        // Scalars repeated in a short list look like a bug: redraw a few times.
                        if !m.unique_items
                            && redraw < 3
                            && !(v.is_object() || v.is_array())
                            && items.iter().any(|x| json_eq(x, &v))
                        {
                            continue;
                        }
                        produced = Some(v);
                        break;
                    }
                    Err(e) if e.kind == ErrorKind::Budget => return Err(e),
                    Err(e) => {
                        last_err = Some(e);
                        break;
                    }
                }
            }
            index += 1;
            match produced {
                Some(v) => items.push(v),
                // Past the minimum an item that cannot be made just ends the array.
                None if (items.len() as u64) >= min => break,
                None => {
                    return Err(last_err.unwrap_or_else(|| {
                        GenError::unsat(
                            doc,
                            &pointer,
                            format!("cannot find {min} distinct items (uniqueItems)"),
                        )
                    }));
                }
            }
        }
        // maxContains: drop surplus matching items while the minimum allows, else fail (the
        // node is retried with another seed).
        for c in &contains {
            let matching = |g: &Self, items: &[Value]| {
                items
                    .iter()
                    .filter(|v| g.matches(&c.schema, v) != Some(false))
                    .count() as u64
            };
            if let Some(cmax) = c.max {
                while matching(self, &items) > cmax && (items.len() as u64) > min {
                    match items
                        .iter()
                        .rposition(|v| self.matches(&c.schema, v) != Some(false))
                    {
                        Some(pos) => {
                            items.remove(pos);
                        }
                        None => break,
                    }
                }
                if matching(self, &items) > cmax {
                    return Err(GenError::unsat(
                        c.schema.doc,
                        &c.schema.pointer,
                        format!("more than maxContains {cmax} items match `contains`"),
                    ));
                }
            }
            let found = items
                .iter()
                .filter(|v| self.matches(&c.schema, v) != Some(false))
                .count() as u64;
            if found < c.min {
                return Err(GenError::unsat(
                    c.schema.doc,
                    &c.schema.pointer,
                    format!("fewer than minContains {} items match `contains`", c.min),
                ));
            }
        }
        Ok(Value::Array(items))
    }

    /// The schemas item `i` must satisfy.
    pub fn item_schemas(&self, parts: &[Node<'s>], i: usize) -> Vec<Node<'s>> {
        let mut out = Vec::new();
        let mut evaluated = false;
        for part in parts {
            let prefix = part.list("prefixItems");
            // Draft-4 style tuple `items: [..]` (with `additionalItems`) is read the same way.
            let legacy = if prefix.is_empty() && part.get("items").is_some_and(Value::is_array) {
                part.list("items")
            } else {
                Vec::new()
            };
            let tuple = if prefix.is_empty() { legacy } else { prefix };
            if let Some(schema) = tuple.get(i) {
                out.push(schema.clone());
                evaluated = true;
            } else if let Some(items) = part.sub("items").filter(|n| !n.value.is_array()) {
                out.push(items);
                evaluated = true;
            } else if !tuple.is_empty()
                && let Some(additional) = part.sub("additionalItems")
            {
                out.push(additional);
                evaluated = true;
            }
        }
        if !evaluated {
            for part in parts {
                if let Some(u) = part.sub("unevaluatedItems") {
                    out.push(u);
                }
            }
        }
        out
    }
}
