//! Comparing two schemas as clients see them: `$ref`s followed, `allOf` merged, one direction
//! at a time (a request is what clients send, a response what they read).
//!
//! Results are memoised per (old nodes, new nodes, direction) across operations, so a component
//! used by a thousand operations is compared once. Recursion is guarded: a pair met again while
//! it is being compared contributes nothing, and results that depended on such a cut are not
//! memoised (they are recomputed, at most once per top-level comparison).

use crate::Side;
use crate::rules::{self, Rule};
use indexmap::IndexMap;
use mockgen_spec::bundle::{RefTarget, fragment_pointer, parse_ref};
use mockgen_spec::{Loc, Spec};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::rc::Rc;

/// Which way values flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Dir {
    /// Clients send it: tightening breaks them.
    Request,
    /// Clients read it: new shapes break them.
    Response,
}

/// A schema to compare: the `allOf` of these nodes (usually one).
pub(crate) type Node = Vec<Loc>;

/// A change found inside a schema, relative to where the comparison started.
#[derive(Clone, Debug)]
pub(crate) struct SchemaChange {
    pub rule: &'static Rule,
    /// `owner.login`, `items[].id`; empty for the schema itself.
    pub path: String,
    pub detail: String,
    pub side: Side,
    pub loc: Loc,
}

/// Deepest nesting compared (properties of properties of…).
const MAX_DEPTH: usize = 48;
/// Most `$ref`/`allOf` hops merged into one view.
const MAX_PARTS: usize = 128;

/// A schema with its `$ref`s followed and its `allOf` merged.
#[derive(Debug, Default)]
struct View {
    types: Option<Vec<String>>,
    type_loc: Option<Loc>,
    props: IndexMap<String, Node>,
    required: BTreeSet<String>,
    object_shape: bool,
    max: Option<Bound>,
    min: Option<Bound>,
    max_length: Option<Bound>,
    min_length: Option<Bound>,
    max_items: Option<Bound>,
    min_items: Option<Bound>,
    patterns: Vec<(String, Loc)>,
    enum_values: Option<(Vec<Value>, Loc)>,
    format: Option<(String, Loc)>,
    closed: Option<Loc>,
    additional: Node,
    items: Node,
    variants: Option<Vec<Loc>>,
}

#[derive(Clone, Debug)]
struct Bound {
    value: f64,
    exclusive: bool,
    loc: Loc,
}

/// One compared pair: the changes found on it and the pairs below it.
#[derive(Debug, Default)]
struct PairInfo {
    local: Vec<SchemaChange>,
    /// (path segment, pair id).
    children: Vec<(String, usize)>,
}

/// A bound to compare: (keyword, old, new, is an upper bound, rule when tightened).
type BoundCheck<'v> = (
    &'v str,
    &'v Option<Bound>,
    &'v Option<Bound>,
    bool,
    &'static Rule,
);

/// Compares schemas of OLD and NEW. Every (old node, new node, direction) pair is compared
/// once per diff, however many operations reach it; a top-level comparison walks the graph of
/// pairs (cycles included) and collects the changes with the path it first met them at.
pub(crate) struct Comparer<'a> {
    old: &'a Spec,
    new: &'a Spec,
    old_ids: FxMap<Node, usize>,
    new_ids: FxMap<Node, usize>,
    old_nodes: Vec<Node>,
    new_nodes: Vec<Node>,
    old_views: FxMap<usize, Rc<View>>,
    new_views: FxMap<usize, Rc<View>>,
    pair_ids: FxMap<(usize, usize, Dir), usize>,
    pairs: Vec<(usize, usize, Dir, Option<Rc<PairInfo>>)>,
    clean: crate::clean::Clean,
}

impl std::fmt::Debug for Comparer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Comparer")
            .field("pairs", &self.pairs.len())
            .finish_non_exhaustive()
    }
}

/// Resolve a `$ref` written in document `doc` to the location it names (if it exists).
pub(crate) fn follow(spec: &Spec, doc: usize, reference: &str) -> Option<Loc> {
    let (target, fragment) = match parse_ref(reference) {
        RefTarget::Local(f) => (doc, f),
        RefTarget::Bundled(d, f) => (d, f),
        RefTarget::Remote(_) | RefTarget::File(..) => return None,
    };
    let pointer = fragment_pointer(fragment)?;
    let loc = Loc::new(target, pointer);
    spec.get(&loc)?;
    Some(loc)
}

fn child(loc: &Loc, key: &str) -> Loc {
    let mut pointer = String::with_capacity(loc.pointer.len() + key.len() + 1);
    pointer.push_str(&loc.pointer);
    pointer.push('/');
    if key.bytes().any(|b| b == b'~' || b == b'/') {
        pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
    } else {
        pointer.push_str(key);
    }
    Loc::new(loc.doc, pointer)
}

/// Is `key: true` set on this schema, its `$ref` targets or its `allOf` parts?
fn has_flag(spec: &Spec, doc: usize, value: &Value, key: &str, depth: usize) -> bool {
    if depth > 16 {
        return false;
    }
    let Value::Object(map) = value else {
        return false;
    };
    if map.get(key) == Some(&Value::Bool(true)) {
        return true;
    }
    if let Some(r) = map.get("$ref").and_then(Value::as_str)
        && let Some(target) = follow(spec, doc, r)
        && let Some(v) = spec.get(&target)
        && has_flag(spec, target.doc, v, key, depth + 1)
    {
        return true;
    }
    map.get("allOf")
        .and_then(Value::as_array)
        .is_some_and(|parts| parts.iter().any(|p| has_flag(spec, doc, p, key, depth + 1)))
}

/// A small, fast, deterministic hasher (FxHash) for the comparer's internal maps.
#[derive(Default, Clone, Copy)]
pub(crate) struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut buf = [0u8; 8];
            buf[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(buf));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
}

impl Fx {
    fn add(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type FxMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fx>>;

fn types_of(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// Is a value of type `t` allowed by a schema whose types are `set`?
fn covered(t: &str, set: &[String]) -> bool {
    set.iter()
        .any(|s| s == t || (t == "integer" && s == "number"))
}

fn intersect(a: Vec<String>, b: &[String]) -> Vec<String> {
    let mut out: Vec<String> = a.iter().filter(|t| covered(t, b)).cloned().collect();
    for t in b {
        if t == "integer" && a.iter().any(|x| x == "number") && !out.contains(t) {
            out.push(t.clone());
        }
    }
    out
}

fn collect(spec: &Spec, loc: &Loc, view: &mut View, seen: &mut Vec<Loc>) {
    if seen.len() > MAX_PARTS || seen.contains(loc) {
        return;
    }
    seen.push(loc.clone());
    let Some(Value::Object(map)) = spec.get(loc) else {
        return;
    };
    if let Some(r) = map.get("$ref").and_then(Value::as_str)
        && let Some(target) = follow(spec, loc.doc, r)
    {
        collect(spec, &target, view, seen);
    }
    if let Some(Value::Array(parts)) = map.get("allOf") {
        for i in 0..parts.len() {
            collect(
                spec,
                &Loc::new(loc.doc, format!("{}/allOf/{i}", loc.pointer)),
                view,
                seen,
            );
        }
    }
    if let Some(t) = map.get("type") {
        let set = types_of(t);
        view.types = Some(match view.types.take() {
            None => set,
            Some(prev) => intersect(prev, &set),
        });
        view.type_loc.get_or_insert_with(|| child(loc, "type"));
    }
    if let Some(Value::Object(props)) = map.get("properties") {
        view.object_shape = true;
        let base = child(loc, "properties");
        for name in props.keys() {
            view.props
                .entry(name.clone())
                .or_default()
                .push(child(&base, name));
        }
    }
    if let Some(Value::Array(req)) = map.get("required") {
        view.object_shape = true;
        view.required
            .extend(req.iter().filter_map(Value::as_str).map(str::to_owned));
    }
    let number = |key: &str| map.get(key).and_then(Value::as_f64);
    let bound = |key: &str, exclusive: bool| {
        number(key).map(|value| Bound {
            value,
            exclusive,
            loc: child(loc, key),
        })
    };
    for (key, exclusive) in [("maximum", false), ("exclusiveMaximum", true)] {
        if let Some(b) = bound(key, exclusive) {
            tighter(&mut view.max, b, true);
        }
    }
    for (key, exclusive) in [("minimum", false), ("exclusiveMinimum", true)] {
        if let Some(b) = bound(key, exclusive) {
            tighter(&mut view.min, b, false);
        }
    }
    if let Some(b) = bound("maxLength", false) {
        tighter(&mut view.max_length, b, true);
    }
    if let Some(b) = bound("minLength", false) {
        tighter(&mut view.min_length, b, false);
    }
    if let Some(b) = bound("maxItems", false) {
        tighter(&mut view.max_items, b, true);
    }
    if let Some(b) = bound("minItems", false) {
        tighter(&mut view.min_items, b, false);
    }
    if let Some(p) = map.get("pattern").and_then(Value::as_str) {
        view.patterns.push((p.to_owned(), child(loc, "pattern")));
    }
    let values = match (map.get("enum"), map.get("const")) {
        (Some(Value::Array(e)), _) => Some((e.clone(), child(loc, "enum"))),
        (_, Some(c)) => Some((vec![c.clone()], child(loc, "const"))),
        _ => None,
    };
    if let Some((values, at)) = values {
        view.enum_values = Some(match view.enum_values.take() {
            None => (values, at),
            Some((prev, prev_at)) => (
                prev.into_iter().filter(|v| values.contains(v)).collect(),
                prev_at,
            ),
        });
    }
    if view.format.is_none()
        && let Some(f) = map.get("format").and_then(Value::as_str)
    {
        view.format = Some((f.to_owned(), child(loc, "format")));
    }
    match map.get("additionalProperties") {
        Some(Value::Bool(false)) => {
            view.object_shape = true;
            view.closed
                .get_or_insert_with(|| child(loc, "additionalProperties"));
        }
        Some(Value::Object(_)) => {
            view.object_shape = true;
            view.additional.push(child(loc, "additionalProperties"));
        }
        _ => {}
    }
    if let Some(Value::Bool(false)) = map.get("unevaluatedProperties") {
        view.closed
            .get_or_insert_with(|| child(loc, "unevaluatedProperties"));
    }
    if matches!(map.get("items"), Some(Value::Object(_))) {
        view.items.push(child(loc, "items"));
    }
    if view.variants.is_none() {
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(branches)) = map.get(key) {
                let base = child(loc, key);
                view.variants = Some(
                    (0..branches.len())
                        .map(|i| child(&base, &i.to_string()))
                        .collect(),
                );
                break;
            }
        }
    }
}

/// Keep the more restrictive of two bounds (`upper`: the smaller).
fn tighter(slot: &mut Option<Bound>, b: Bound, upper: bool) {
    let replace = match slot {
        None => true,
        Some(cur) => {
            if upper {
                b.value < cur.value || (b.value == cur.value && b.exclusive && !cur.exclusive)
            } else {
                b.value > cur.value || (b.value == cur.value && b.exclusive && !cur.exclusive)
            }
        }
    };
    if replace {
        *slot = Some(b);
    }
}

fn show_bound(b: Option<&Bound>) -> String {
    match b {
        None => "none".to_owned(),
        Some(b) if b.exclusive => format!("{} (exclusive)", b.value),
        Some(b) => b.value.to_string(),
    }
}

/// Join two relative paths: `a` + `b` → `a.b`, `a` + `[]` → `a[]`.
pub(crate) fn join(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_owned()
    } else if b.is_empty() {
        a.to_owned()
    } else if b.starts_with('[') {
        format!("{a}{b}")
    } else {
        format!("{a}.{b}")
    }
}

impl<'a> Comparer<'a> {
    pub(crate) fn new(old: &'a Spec, new: &'a Spec) -> Self {
        Comparer {
            old,
            new,
            old_ids: FxMap::default(),
            new_ids: FxMap::default(),
            old_nodes: Vec::new(),
            new_nodes: Vec::new(),
            old_views: FxMap::default(),
            new_views: FxMap::default(),
            pair_ids: FxMap::default(),
            pairs: Vec::new(),
            clean: crate::clean::Clean::new(old, new),
        }
    }

    /// Compare two schemas from the top (one body, one parameter…): every change reachable,
    /// each once, with the shortest path it is reached by.
    pub(crate) fn compare_top(&mut self, old: &Loc, new: &Loc, dir: Dir) -> Vec<SchemaChange> {
        let root = self.pair(vec![old.clone()], vec![new.clone()], dir);
        let mut out = Vec::new();
        let mut visited: HashSet<usize, std::hash::BuildHasherDefault<Fx>> = HashSet::default();
        visited.insert(root);
        let mut queue = std::collections::VecDeque::new();
        queue.push_back((root, String::new(), 0usize));
        while let Some((id, path, depth)) = queue.pop_front() {
            let info = self.info(id);
            out.extend(info.local.iter().map(|c| SchemaChange {
                path: join(&path, &c.path),
                ..c.clone()
            }));
            if depth >= MAX_DEPTH {
                continue;
            }
            for (segment, child) in &info.children {
                if visited.insert(*child) {
                    queue.push_back((*child, join(&path, segment), depth + 1));
                }
            }
        }
        out
    }

    fn node_id(&mut self, side: Side, node: Node) -> usize {
        let (ids, nodes) = match side {
            Side::Old => (&mut self.old_ids, &mut self.old_nodes),
            Side::New => (&mut self.new_ids, &mut self.new_nodes),
        };
        if let Some(id) = ids.get(&node) {
            return *id;
        }
        let id = nodes.len();
        nodes.push(node.clone());
        ids.insert(node, id);
        id
    }

    fn pair(&mut self, old: Node, new: Node, dir: Dir) -> usize {
        let o = self.node_id(Side::Old, old);
        let n = self.node_id(Side::New, new);
        if let Some(id) = self.pair_ids.get(&(o, n, dir)) {
            return *id;
        }
        let id = self.pairs.len();
        self.pairs.push((o, n, dir, None));
        self.pair_ids.insert((o, n, dir), id);
        id
    }

    fn info(&mut self, id: usize) -> Rc<PairInfo> {
        let Some((o, n, dir, done)) = self.pairs.get(id) else {
            return Rc::default();
        };
        if let Some(info) = done {
            return info.clone();
        }
        let (o, n, dir) = (*o, *n, *dir);
        let old = self.old_nodes.get(o).cloned().unwrap_or_default();
        let new = self.new_nodes.get(n).cloned().unwrap_or_default();
        let info = if old == new && old.iter().all(|l| self.clean.is_clean(l)) {
            Rc::new(PairInfo::default())
        } else {
            Rc::new(self.compare_views(&old, &new, dir))
        };
        if let Some(slot) = self.pairs.get_mut(id) {
            slot.3 = Some(info.clone());
        }
        info
    }

    fn view(&mut self, side: Side, node: &Node) -> Rc<View> {
        let id = self.node_id(side, node.clone());
        let (spec, cache) = match side {
            Side::Old => (self.old, &mut self.old_views),
            Side::New => (self.new, &mut self.new_views),
        };
        if let Some(v) = cache.get(&id) {
            return v.clone();
        }
        let mut view = View::default();
        let mut seen = Vec::new();
        for loc in node {
            collect(spec, loc, &mut view, &mut seen);
        }
        let view = Rc::new(view);
        cache.insert(id, view.clone());
        view
    }

    fn fingerprint(&mut self, side: Side, node: &Node) -> String {
        let v = self.view(side, node);
        let props: BTreeSet<&String> = v.props.keys().collect();
        let mut types = v.types.clone().unwrap_or_default();
        types.sort();
        format!(
            "{types:?}|{props:?}|{:?}|{}",
            v.required,
            v.enum_values
                .as_ref()
                .map(|(e, _)| Value::Array(e.clone()).to_string())
                .unwrap_or_default()
        )
    }

    fn hidden(&self, side: Side, node: Option<&Node>, dir: Dir) -> bool {
        let Some(node) = node else { return false };
        let spec = match side {
            Side::Old => self.old,
            Side::New => self.new,
        };
        let key = match dir {
            Dir::Request => "readOnly",
            Dir::Response => "writeOnly",
        };
        node.iter().any(|loc| {
            spec.get(loc)
                .is_some_and(|v| has_flag(spec, loc.doc, v, key, 0))
        })
    }

    #[allow(clippy::too_many_lines)]
    fn compare_views(&mut self, old: &Node, new: &Node, dir: Dir) -> PairInfo {
        let vo = self.view(Side::Old, old);
        let vn = self.view(Side::New, new);
        let mut out = Vec::new();
        let mut children: Vec<(String, usize)> = Vec::new();
        let here_new = new.first().cloned().unwrap_or_else(|| Loc::new(0, ""));
        let here_old = old.first().cloned().unwrap_or_else(|| Loc::new(0, ""));
        let mut push = |rule: &'static Rule, path: &str, detail: String, side: Side, loc: Loc| {
            out.push(SchemaChange {
                rule,
                path: path.to_owned(),
                detail,
                side,
                loc,
            });
        };
        let request = dir == Dir::Request;

        // Types.
        if let (Some(to), Some(tn)) = (&vo.types, &vn.types) {
            let at = vn.type_loc.clone().unwrap_or_else(|| here_new.clone());
            if request {
                let lost: Vec<&String> = to.iter().filter(|t| !covered(t, tn)).collect();
                if !lost.is_empty() {
                    push(
                        &rules::REQUEST_TYPE_NARROWED,
                        "",
                        format!(
                            "type {} no longer accepted (now {})",
                            list(&lost),
                            list(&tn.iter().collect::<Vec<_>>())
                        ),
                        Side::New,
                        at,
                    );
                }
            } else {
                let gained: Vec<&String> = tn.iter().filter(|t| !covered(t, to)).collect();
                if gained.len() == 1 && gained[0] == "null" {
                    push(
                        &rules::RESPONSE_PROPERTY_BECAME_NULLABLE,
                        "",
                        "may now be null".to_owned(),
                        Side::New,
                        at,
                    );
                } else if !gained.is_empty() {
                    push(
                        &rules::RESPONSE_TYPE_CHANGED,
                        "",
                        format!(
                            "may now be {} (was {})",
                            list(&gained),
                            list(&to.iter().collect::<Vec<_>>())
                        ),
                        Side::New,
                        at,
                    );
                }
            }
        }

        // Numeric and size bounds.
        let bounds: [BoundCheck<'_>; 6] = [
            (
                "maximum",
                &vo.max,
                &vn.max,
                true,
                &rules::REQUEST_MAX_DECREASED,
            ),
            (
                "minimum",
                &vo.min,
                &vn.min,
                false,
                &rules::REQUEST_MIN_INCREASED,
            ),
            (
                "maxLength",
                &vo.max_length,
                &vn.max_length,
                true,
                &rules::REQUEST_MAX_LENGTH_DECREASED,
            ),
            (
                "minLength",
                &vo.min_length,
                &vn.min_length,
                false,
                &rules::REQUEST_MIN_LENGTH_INCREASED,
            ),
            (
                "maxItems",
                &vo.max_items,
                &vn.max_items,
                true,
                &rules::REQUEST_MAX_ITEMS_DECREASED,
            ),
            (
                "minItems",
                &vo.min_items,
                &vn.min_items,
                false,
                &rules::REQUEST_MIN_ITEMS_INCREASED,
            ),
        ];
        for (name, o, n, upper, rule) in bounds {
            let (tightened, loosened) = bound_change(o.as_ref(), n.as_ref(), upper);
            if !tightened && !loosened {
                continue;
            }
            let detail = format!(
                "{name} changed from {} to {}",
                show_bound(o.as_ref()),
                show_bound(n.as_ref())
            );
            let at = n
                .as_ref()
                .map_or_else(|| here_new.clone(), |b| b.loc.clone());
            match (request, tightened) {
                (true, true) => push(rule, "", detail, Side::New, at),
                (true, false) => {
                    push(
                        &rules::REQUEST_CONSTRAINT_LOOSENED,
                        "",
                        detail,
                        Side::New,
                        at,
                    );
                }
                (false, false) => {
                    push(
                        &rules::RESPONSE_CONSTRAINT_LOOSENED,
                        "",
                        detail,
                        Side::New,
                        at,
                    );
                }
                (false, true) => {}
            }
        }

        // Patterns.
        let added: Vec<&(String, Loc)> = vn
            .patterns
            .iter()
            .filter(|(p, _)| !vo.patterns.iter().any(|(q, _)| q == p))
            .collect();
        let removed = vo
            .patterns
            .iter()
            .any(|(p, _)| !vn.patterns.iter().any(|(q, _)| q == p));
        if request {
            if let Some((p, at)) = added.first() {
                push(
                    &rules::REQUEST_PATTERN_ADDED,
                    "",
                    format!("must now match the pattern `{p}`"),
                    Side::New,
                    at.clone(),
                );
            } else if removed {
                push(
                    &rules::REQUEST_CONSTRAINT_LOOSENED,
                    "",
                    "pattern removed".to_owned(),
                    Side::New,
                    here_new.clone(),
                );
            }
        } else if removed && added.is_empty() {
            push(
                &rules::RESPONSE_CONSTRAINT_LOOSENED,
                "",
                "pattern removed".to_owned(),
                Side::New,
                here_new.clone(),
            );
        }

        // Enums.
        match (&vo.enum_values, &vn.enum_values) {
            (Some((o, _)), Some((n, at))) => {
                let gone: Vec<&Value> = o.iter().filter(|v| !n.contains(v)).collect();
                let new_values: Vec<&Value> = n.iter().filter(|v| !o.contains(v)).collect();
                let (gone_rule, added_rule) = if request {
                    (
                        &rules::REQUEST_ENUM_VALUE_REMOVED,
                        &rules::REQUEST_ENUM_VALUE_ADDED,
                    )
                } else {
                    (
                        &rules::RESPONSE_ENUM_VALUE_REMOVED,
                        &rules::RESPONSE_ENUM_WIDENED,
                    )
                };
                if !gone.is_empty() {
                    push(
                        gone_rule,
                        "",
                        format!("enum value(s) {} removed", values(&gone)),
                        Side::New,
                        at.clone(),
                    );
                }
                if !new_values.is_empty() {
                    push(
                        added_rule,
                        "",
                        format!("enum value(s) {} added", values(&new_values)),
                        Side::New,
                        at.clone(),
                    );
                }
            }
            (None, Some((n, at))) if request => push(
                &rules::REQUEST_ENUM_ADDED,
                "",
                format!(
                    "now restricted to {}",
                    values(&n.iter().collect::<Vec<_>>())
                ),
                Side::New,
                at.clone(),
            ),
            (Some(_), None) => {
                let rule = if request {
                    &rules::REQUEST_CONSTRAINT_LOOSENED
                } else {
                    &rules::RESPONSE_ENUM_WIDENED
                };
                push(
                    rule,
                    "",
                    "enum removed: any value is now allowed".to_owned(),
                    Side::New,
                    here_new.clone(),
                );
            }
            _ => {}
        }

        // Format.
        match (&vo.format, &vn.format) {
            (Some((o, _)), Some((n, at))) if o != n => {
                let rule = if request {
                    &rules::REQUEST_FORMAT_CHANGED
                } else {
                    &rules::RESPONSE_FORMAT_CHANGED
                };
                push(
                    rule,
                    "",
                    format!("format changed from `{o}` to `{n}`"),
                    Side::New,
                    at.clone(),
                );
            }
            (None, Some((n, at))) if request => push(
                &rules::REQUEST_FORMAT_CHANGED,
                "",
                format!("format `{n}` added"),
                Side::New,
                at.clone(),
            ),
            _ => {}
        }

        // Objects.
        let not_object = |v: &View| {
            v.types
                .as_ref()
                .is_some_and(|t| !t.iter().any(|x| x == "object"))
        };
        let variants_only =
            |v: &View| v.variants.is_some() && v.props.is_empty() && v.required.is_empty();
        if (vo.object_shape || vn.object_shape)
            && !not_object(&vo)
            && !not_object(&vn)
            && !variants_only(&vo)
            && !variants_only(&vn)
        {
            self.compare_objects(
                &vo,
                &vn,
                dir,
                (&here_old, &here_new),
                &mut out,
                &mut children,
            );
        }

        // Arrays.
        if !vo.items.is_empty() && !vn.items.is_empty() {
            let id = self.pair(vo.items.clone(), vn.items.clone(), dir);
            children.push(("[]".to_owned(), id));
        }

        // oneOf / anyOf.
        if vo.variants.is_some() || vn.variants.is_some() {
            self.compare_variants(&vo, &vn, (old, new), dir, &mut out, &mut children);
        }
        PairInfo {
            local: out,
            children,
        }
    }

    fn compare_objects(
        &mut self,
        vo: &View,
        vn: &View,
        dir: Dir,
        (here_old, here_new): (&Loc, &Loc),
        out: &mut Vec<SchemaChange>,
        children: &mut Vec<(String, usize)>,
    ) {
        let request = dir == Dir::Request;
        let mut names: Vec<&String> = Vec::new();
        let mut seen: HashSet<&String> = HashSet::new();
        for name in vo
            .props
            .keys()
            .chain(vo.required.iter())
            .chain(vn.props.keys())
            .chain(vn.required.iter())
        {
            if seen.insert(name) {
                names.push(name);
            }
        }
        for name in names {
            let po = vo.props.get(name);
            let pn = vn.props.get(name);
            let o_vis =
                (po.is_some() || vo.required.contains(name)) && !self.hidden(Side::Old, po, dir);
            let n_vis =
                (pn.is_some() || vn.required.contains(name)) && !self.hidden(Side::New, pn, dir);
            let o_req = o_vis && vo.required.contains(name);
            let n_req = n_vis && vn.required.contains(name);
            let new_at = pn
                .and_then(|n| n.first().cloned())
                .unwrap_or_else(|| here_new.clone());
            let old_at = po
                .and_then(|n| n.first().cloned())
                .unwrap_or_else(|| here_old.clone());
            let mut add = |rule: &'static Rule, detail: &str, side: Side, loc: Loc| {
                out.push(SchemaChange {
                    rule,
                    path: name.clone(),
                    detail: detail.to_owned(),
                    side,
                    loc,
                });
            };
            match (o_vis, n_vis) {
                (false, false) => {}
                (false, true) => {
                    if !request {
                        add(
                            &rules::RESPONSE_PROPERTY_ADDED,
                            "property added",
                            Side::New,
                            new_at,
                        );
                    } else if n_req {
                        add(
                            &rules::REQUEST_REQUIRED_PROPERTY_ADDED,
                            "required property added",
                            Side::New,
                            new_at,
                        );
                    } else {
                        add(
                            &rules::REQUEST_PROPERTY_ADDED,
                            "optional property added",
                            Side::New,
                            new_at,
                        );
                    }
                }
                (true, false) => {
                    let rule = if request {
                        &rules::REQUEST_PROPERTY_REMOVED
                    } else {
                        &rules::RESPONSE_PROPERTY_REMOVED
                    };
                    add(rule, "property removed", Side::Old, old_at);
                }
                (true, true) => {
                    match (o_req, n_req, request) {
                        (false, true, true) => add(
                            &rules::REQUEST_PROPERTY_BECAME_REQUIRED,
                            "became required",
                            Side::New,
                            new_at,
                        ),
                        (true, false, true) => add(
                            &rules::REQUEST_PROPERTY_BECAME_OPTIONAL,
                            "became optional",
                            Side::New,
                            new_at,
                        ),
                        (true, false, false) => add(
                            &rules::RESPONSE_PROPERTY_BECAME_OPTIONAL,
                            "became optional (may be absent)",
                            Side::New,
                            new_at,
                        ),
                        (false, true, false) => add(
                            &rules::RESPONSE_PROPERTY_BECAME_REQUIRED,
                            "became required (always present)",
                            Side::New,
                            new_at,
                        ),
                        _ => {}
                    }
                    if !request && po.is_some() && pn.is_none() {
                        add(
                            &rules::RESPONSE_PROPERTY_REMOVED,
                            "property schema removed (still required: any value may appear)",
                            Side::Old,
                            old_at,
                        );
                    }
                    if let (Some(a), Some(b)) = (po, pn) {
                        let id = self.pair(a.clone(), b.clone(), dir);
                        children.push((name.clone(), id));
                    }
                }
            }
        }
        if request
            && vo.closed.is_none()
            && let Some(at) = &vn.closed
        {
            out.push(SchemaChange {
                rule: &rules::REQUEST_ADDITIONAL_PROPERTIES_CLOSED,
                path: String::new(),
                detail: "additional properties are no longer accepted".to_owned(),
                side: Side::New,
                loc: at.clone(),
            });
        }
        if !vo.additional.is_empty() && !vn.additional.is_empty() {
            let id = self.pair(vo.additional.clone(), vn.additional.clone(), dir);
            children.push(("*".to_owned(), id));
        }
    }

    fn compare_variants(
        &mut self,
        vo: &View,
        vn: &View,
        (old, new): (&Node, &Node),
        dir: Dir,
        out: &mut Vec<SchemaChange>,
        children: &mut Vec<(String, usize)>,
    ) {
        let branches = |v: &View, whole: &Node| -> Vec<Node> {
            match &v.variants {
                Some(b) => b.iter().map(|l| vec![l.clone()]).collect(),
                None => vec![whole.clone()],
            }
        };
        let ob = branches(vo, old);
        let nb = branches(vn, new);
        let fo: Vec<String> = ob.iter().map(|b| self.fingerprint(Side::Old, b)).collect();
        let fnew: Vec<String> = nb.iter().map(|b| self.fingerprint(Side::New, b)).collect();
        let mut taken = vec![false; nb.len()];
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        let mut old_left: Vec<usize> = Vec::new();
        for (i, f) in fo.iter().enumerate() {
            match (0..nb.len()).find(|&j| !taken[j] && &fnew[j] == f) {
                Some(j) => {
                    taken[j] = true;
                    pairs.push((i, j));
                }
                None => old_left.push(i),
            }
        }
        let new_left: Vec<usize> = (0..nb.len()).filter(|&j| !taken[j]).collect();
        let paired = old_left.len().min(new_left.len());
        for k in 0..paired {
            pairs.push((old_left[k], new_left[k]));
        }
        for &(i, j) in &pairs {
            if ob[i] == *old && nb[j] == *new {
                continue;
            }
            let id = self.pair(ob[i].clone(), nb[j].clone(), dir);
            children.push((String::new(), id));
        }
        for &i in &old_left[paired..] {
            let (rule, detail) = match dir {
                Dir::Request => (
                    &rules::REQUEST_VARIANT_REMOVED,
                    "a oneOf/anyOf branch clients may send was removed",
                ),
                Dir::Response => (
                    &rules::RESPONSE_VARIANT_REMOVED,
                    "a oneOf/anyOf branch was removed",
                ),
            };
            out.push(SchemaChange {
                rule,
                path: String::new(),
                detail: detail.to_owned(),
                side: Side::Old,
                loc: ob[i].first().cloned().unwrap_or_else(|| Loc::new(0, "")),
            });
        }
        for &j in &new_left[paired..] {
            let (rule, detail) = match dir {
                Dir::Request => (
                    &rules::REQUEST_VARIANT_ADDED,
                    "a oneOf/anyOf branch was added",
                ),
                Dir::Response => (
                    &rules::RESPONSE_VARIANT_ADDED,
                    "a oneOf/anyOf branch was added: clients may meet a shape they do not know",
                ),
            };
            out.push(SchemaChange {
                rule,
                path: String::new(),
                detail: detail.to_owned(),
                side: Side::New,
                loc: nb[j].first().cloned().unwrap_or_else(|| Loc::new(0, "")),
            });
        }
    }
}

/// (tightened, loosened) for a bound going from `o` to `n`.
fn bound_change(o: Option<&Bound>, n: Option<&Bound>, upper: bool) -> (bool, bool) {
    match (o, n) {
        (None, None) => (false, false),
        (None, Some(_)) => (true, false),
        (Some(_), None) => (false, true),
        (Some(o), Some(n)) => {
            let stricter = if upper {
                n.value < o.value
            } else {
                n.value > o.value
            };
            let looser = if upper {
                n.value > o.value
            } else {
                n.value < o.value
            };
            let same = n.value == o.value;
            (
                stricter || (same && n.exclusive && !o.exclusive),
                looser || (same && o.exclusive && !n.exclusive),
            )
        }
    }
}

fn list(items: &[&String]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn values(items: &[&Value]) -> String {
    const SHOWN: usize = 8;
    let mut text: Vec<String> = items.iter().take(SHOWN).map(|v| v.to_string()).collect();
    if items.len() > SHOWN {
        text.push(format!("and {} more", items.len() - SHOWN));
    }
    text.join(", ")
}
