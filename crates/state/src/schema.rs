//! Just enough schema reading for inference: follow `$ref`s, merge `allOf` properties, find
//! array items and compare schemas by the components they name.

use indexmap::IndexMap;
use mockgen_spec::Spec;
use mockgen_spec::bundle::{RefTarget, fragment_pointer, parse_ref};
use serde_json::Value;

/// Bound on `$ref`/`allOf` chains (cycles, absurd nesting).
const MAX_DEPTH: usize = 24;

/// A schema node: its document and value.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Node<'s> {
    pub doc: usize,
    pub value: &'s Value,
}

impl<'s> Node<'s> {
    pub fn at(spec: &'s Spec, loc: &mockgen_spec::Loc) -> Option<Node<'s>> {
        Some(Node {
            doc: loc.doc,
            value: spec.get(loc)?,
        })
    }

    pub fn get(&self, key: &str) -> Option<&'s Value> {
        self.value.get(key)
    }

    fn child(&self, value: &'s Value) -> Node<'s> {
        Node {
            doc: self.doc,
            value,
        }
    }
}

/// The node a `$ref` chain ends at, and the `(doc, pointer)` of every target on the way.
pub(crate) fn deref<'s>(spec: &'s Spec, mut node: Node<'s>) -> (Node<'s>, Vec<(usize, String)>) {
    let mut chain = Vec::new();
    for _ in 0..MAX_DEPTH {
        let Some(r) = node.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let (doc, fragment) = match parse_ref(r) {
            RefTarget::Local(f) => (node.doc, f),
            RefTarget::Bundled(d, f) => (d, f),
            _ => break,
        };
        let Some(pointer) = fragment_pointer(fragment) else {
            break;
        };
        let Some(target) = spec.documents.get(doc).and_then(|d| d.pointer(&pointer)) else {
            break;
        };
        chain.push((doc, pointer));
        node = Node { doc, value: target };
    }
    (node, chain)
}

/// The schema's own `type` (first non-null one of a list).
pub(crate) fn type_of<'s>(spec: &'s Spec, node: Node<'s>) -> Option<&'s str> {
    let (node, _) = deref(spec, node);
    match node.get("type")? {
        Value::String(s) => Some(s),
        Value::Array(list) => list.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    }
}

/// The properties of an object schema (`allOf` members merged, first definition wins) and
/// its required names.
#[derive(Clone, Debug, Default)]
pub(crate) struct Props<'s> {
    pub props: IndexMap<String, Node<'s>>,
    pub required: Vec<String>,
}

impl<'s> Props<'s> {
    /// Add properties not defined yet (the first definition wins).
    fn add_props(&mut self, props: IndexMap<String, Node<'s>>) {
        for (name, schema) in props {
            self.props.entry(name).or_insert(schema);
        }
    }

    /// Mark `name` required (once).
    fn require(&mut self, name: &str) {
        if !self.required.iter().any(|r| r == name) {
            self.required.push(name.to_owned());
        }
    }
}

pub(crate) fn props<'s>(spec: &'s Spec, node: Node<'s>) -> Props<'s> {
    let mut out = Props::default();
    let mut walk = Walk {
        path: Vec::new(),
        done: std::collections::HashMap::new(),
        budget: MAX_VISITS,
    };
    collect_props(spec, node, &mut out, 0, &mut walk);
    out
}

/// Bound on the schema nodes one [`props`] call visits (a backstop: each node is read once).
const MAX_VISITS: usize = 100_000;

/// What one [`props`] call has walked. `allOf`/`oneOf`/`anyOf` lists that name a schema
/// several times (`A: {anyOf: [B, B]}`, `B: {anyOf: [C, C]}` …) multiply the walk at every
/// level, so each node's properties are read once and reused; a node that contains itself
/// adds nothing new on the way back to itself.
struct Walk<'s> {
    /// Nodes on the current path.
    path: Vec<*const Value>,
    /// Properties of the nodes already read.
    done: std::collections::HashMap<*const Value, Props<'s>>,
    budget: usize,
}

fn collect_props<'s>(
    spec: &'s Spec,
    node: Node<'s>,
    out: &mut Props<'s>,
    depth: usize,
    walk: &mut Walk<'s>,
) {
    if depth > MAX_DEPTH || walk.budget == 0 {
        return;
    }
    walk.budget -= 1;
    let (node, _) = deref(spec, node);
    let here: *const Value = node.value;
    if walk.path.contains(&here) {
        return;
    }
    let own = match walk.done.get(&here) {
        Some(p) => p.clone(),
        None => {
            let mut own = Props::default();
            walk.path.push(here);
            collect_members(spec, node, &mut own, depth, walk);
            walk.path.pop();
            walk.done.insert(here, own.clone());
            own
        }
    };
    out.add_props(own.props);
    for r in &own.required {
        out.require(r);
    }
}

fn collect_members<'s>(
    spec: &'s Spec,
    node: Node<'s>,
    out: &mut Props<'s>,
    depth: usize,
    walk: &mut Walk<'s>,
) {
    if let Some(Value::Object(map)) = node.get("properties") {
        for (name, schema) in map {
            out.props
                .entry(name.clone())
                .or_insert_with(|| node.child(schema));
        }
    }
    if let Some(Value::Array(req)) = node.get("required") {
        for r in req.iter().filter_map(Value::as_str) {
            out.require(r);
        }
    }
    if let Some(Value::Array(all)) = node.get("allOf") {
        for member in all {
            collect_props(spec, node.child(member), out, depth + 1, walk);
        }
    }
    // Alternatives: every property any of them has; required when all require it.
    for key in ["oneOf", "anyOf"] {
        let Some(Value::Array(alternatives)) = node.get(key) else {
            continue;
        };
        let mut common: Option<Vec<String>> = None;
        for member in alternatives {
            let mut one = Props::default();
            collect_props(spec, node.child(member), &mut one, depth + 1, walk);
            out.add_props(one.props);
            common = Some(match common {
                None => one.required,
                Some(c) => c.into_iter().filter(|r| one.required.contains(r)).collect(),
            });
        }
        for r in &common.unwrap_or_default() {
            out.require(r);
        }
    }
}

/// The item schema of an array schema.
pub(crate) fn items<'s>(spec: &'s Spec, node: Node<'s>) -> Option<Node<'s>> {
    let (node, _) = deref(spec, node);
    let is_array = type_of(spec, node) == Some("array") || node.get("items").is_some();
    if !is_array {
        return None;
    }
    node.get("items")
        .filter(|v| v.is_object())
        .map(|v| node.child(v))
}

/// Whether the property schema is `readOnly` (or `writeOnly`), following `$ref`s.
pub(crate) fn flag(spec: &Spec, node: Node<'_>, keyword: &str) -> bool {
    if node.get(keyword).and_then(Value::as_bool) == Some(true) {
        return true;
    }
    let (target, _) = deref(spec, node);
    target.get(keyword).and_then(Value::as_bool) == Some(true)
}

/// The components a schema names (its `$ref` chain), plus those of its `oneOf`/`anyOf`
/// members: two schemas describe the same thing when these sets meet.
pub(crate) fn identities(spec: &Spec, node: Node<'_>) -> Vec<(usize, String)> {
    let (target, mut chain) = deref(spec, node);
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(members)) = target.get(key) {
            for m in members {
                let (_, c) = deref(spec, target.child(m));
                chain.extend(c);
            }
        }
    }
    chain
}

/// Whether `a` is, or is one of the alternatives of, `b` (by named components).
pub(crate) fn same_or_member(spec: &Spec, a: Node<'_>, b: Node<'_>) -> bool {
    let (_, own) = deref(spec, a);
    let Some(first) = own.last() else {
        return false;
    };
    identities(spec, b).iter().any(|x| x == first)
}
