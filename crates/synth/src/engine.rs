//! The generator: one value for a conjunction of schema nodes.
//!
//! A value is produced in three steps: flatten the conjunction (`$ref`, `allOf`), resolve its
//! choices (`anyOf`/`oneOf` branches, `if`/`then`/`else`) by adding the chosen branches to the
//! conjunction, then merge and generate by type. Whatever construction cannot guarantee —
//! `not`, the exclusivity of `oneOf`, the `if` a value happens to satisfy — is checked with
//! the compiled validator, and the node is retried with another derived seed (and the next
//! branch) a bounded number of times.
//!
//! Every node draws from its own RNG, derived from the body seed and the node's path, so
//! adding a property to a schema leaves the values of its siblings unchanged.

use crate::Synth;
use crate::error::{ErrorKind, GenError, GenResult};
use crate::formats::Env;
use crate::merge::{Merged, Types};
use crate::names::{self, Kind};
use crate::schema::{Flat, Node};
use crate::seed::Seed;
use crate::value::json_eq;
use mockgen_schema::View;
use rand::RngExt;
use serde_json::Value;
use std::collections::HashMap;
use std::rc::Rc;

/// Attempts per node that has choices or checks (`oneOf`, `anyOf`, `not`, `if`).
pub const MAX_ATTEMPTS: usize = 64;
/// Attempts at a `oneOf` before its exclusivity is repaired with a spoiling property.
pub const SPOIL_AFTER: usize = 4;
/// Nodes (and retries) one body may generate.
pub const NODE_BUDGET: usize = 50_000;
/// Nesting beyond `max_depth` allowed when required properties demand it.
pub const HARD_DEPTH_MARGIN: usize = 24;

/// Where a value is generated: its seed and what is known about its context.
#[derive(Clone, Debug)]
pub struct At<'a> {
    pub seed: Seed,
    pub depth: usize,
    /// The property name the value is for (array items inherit their array's name).
    pub name: Option<&'a str>,
    /// The name of the schema of the enclosing object (`Pet`), for `name`-like properties.
    pub context: Option<Rc<str>>,
    /// A value to use when it satisfies the schema (a discriminator's mapping value).
    pub preferred: Option<&'a Value>,
    /// Generate the smallest value: no optional properties, arrays at `minItems`, branches
    /// that end. Set past the depth limit and inside recursion.
    pub minimal: bool,
}

impl<'a> At<'a> {
    pub fn root(seed: Seed) -> At<'static> {
        At {
            seed,
            depth: 0,
            name: None,
            context: None,
            preferred: None,
            minimal: false,
        }
    }

    pub fn kind(&self) -> Option<Kind> {
        names::classify(self.name?, self.context.as_deref())
    }
}

/// A property a branch choice wants to carry a given value (discriminators).
pub type Preferred = Vec<(String, Value)>;

pub struct Gen<'s> {
    pub synth: &'s Synth,
    pub view: View,
    pub env: Env,
    budget: usize,
    /// Ids of the `$ref` targets being generated, outermost first.
    stack: Vec<usize>,
    /// Conjunctions (node ids, minimal) that exhausted their attempts in this body: asked
    /// again (by an enclosing retry), they fail at once instead of multiplying the work.
    failed: HashMap<(Vec<usize>, bool), GenError>,
    /// Best effort (see [`Gen::set_lenient`]): a conjunction whose attempts are exhausted gets
    /// one more, lenient attempt whose value is returned unchecked.
    lenient: bool,
}

impl<'s> Gen<'s> {
    pub fn new(synth: &'s Synth, view: View) -> Gen<'s> {
        Gen {
            synth,
            view,
            env: Env {
                locale: synth.options.locale,
                now: synth.options.now,
            },
            budget: NODE_BUDGET,
            stack: Vec::new(),
            failed: HashMap::new(),
            lenient: false,
        }
    }

    /// Switch to best effort for the next [`Gen::value`]: every conjunction that cannot be
    /// satisfied (its attempts exhausted, or already known to fail from the strict run of
    /// this `Gen`) yields the value of one lenient attempt instead of an error — the first
    /// branch of each choice, `oneOf` exclusivity, `not` and `if`/`else` left unchecked (a
    /// value that matches other `oneOf` branches is still spoiled against them where it can
    /// be). The caller validates the result and reports its violations. Contradictions that
    /// construction itself cannot resolve (`type`/`enum` conflicts, impossible bounds) stay
    /// errors. Resets the work budget for the new run.
    pub fn set_lenient(&mut self) {
        self.lenient = true;
        self.budget = NODE_BUDGET;
    }

    pub fn max_depth(&self) -> usize {
        self.synth.options.max_depth
    }

    /// A value satisfying every node of `nodes`.
    pub fn value(&mut self, nodes: &[Node<'s>], at: &At<'_>) -> GenResult<Value> {
        let here = nodes
            .first()
            .map_or((0, String::new()), |n| (n.doc, n.pointer.to_string()));
        if self.budget == 0 {
            return Err(GenError::budget(
                here.0,
                &here.1,
                "too much work for one body",
            ));
        }
        self.budget -= 1;
        if at.depth > self.max_depth() + HARD_DEPTH_MARGIN {
            return Err(GenError::budget(
                here.0,
                &here.1,
                format!(
                    "required properties nest deeper than {} levels (unbounded recursion?)",
                    at.depth
                ),
            ));
        }
        let key = (nodes.iter().map(Node::id).collect::<Vec<_>>(), at.minimal);
        let known_failure = self.failed.contains_key(&key);
        if known_failure
            && !self.lenient
            && let Some(e) = self.failed.get(&key)
        {
            return Err(e.clone());
        }
        let mut flat = Flat::default();
        for node in nodes {
            flat.add(&self.synth.docs, node.clone())?;
        }
        let pushed = flat.refs.len();
        self.stack.extend(flat.refs.iter().map(Node::id));
        let mut result = if known_failure {
            self.attempt(&flat, at, 0, at.seed, true)
        } else {
            self.value_flat(&flat, at)
        };
        if let Err(e) = &result
            && e.kind == ErrorKind::Unsatisfiable
            && flat.parts.iter().any(has_choices)
        {
            if !known_failure {
                self.failed.insert(key, e.clone());
            }
            if self.lenient && !known_failure {
                result = self.attempt(&flat, at, 0, at.seed, true);
            }
        }
        self.stack.truncate(self.stack.len() - pushed);
        result
    }

    /// [`Gen::value`] for a value that may be left out (an optional property, an array item
    /// past `minItems`): never lenient, so best effort adds no value that breaks the schema
    /// where leaving it out is valid.
    pub fn optional_value(&mut self, nodes: &[Node<'s>], at: &At<'_>) -> GenResult<Value> {
        let lenient = std::mem::replace(&mut self.lenient, false);
        let result = self.value(nodes, at);
        self.lenient = lenient;
        result
    }

    /// How many times the most repeated `$ref` target of `nodes` is already being generated:
    /// 1 means generating `nodes` recurses once.
    pub fn recursion(&self, nodes: &[Node<'s>]) -> usize {
        let mut flat = Flat::default();
        for node in nodes {
            if flat.add(&self.synth.docs, node.clone()).is_err() {
                return 0;
            }
        }
        flat.refs
            .iter()
            .map(|r| self.stack.iter().filter(|s| **s == r.id()).count())
            .max()
            .unwrap_or(0)
    }

    fn value_flat(&mut self, flat: &Flat<'s>, at: &At<'_>) -> GenResult<Value> {
        let checks = flat.parts.iter().any(has_choices);
        let attempts = if checks { MAX_ATTEMPTS } else { 1 };
        let mut last: Option<GenError> = None;
        for attempt in 0..attempts {
            // Retries count against the body's budget like nodes do: nested retries multiply.
            if attempt > 0 {
                if self.budget == 0 {
                    let (doc, pointer) =
                        flat.parts.first().map_or((0, ""), |p| (p.doc, &*p.pointer));
                    return Err(GenError::budget(doc, pointer, "too much work for one body"));
                }
                self.budget -= 1;
            }
            let at_k = if attempt == 0 {
                at.clone()
            } else {
                At {
                    seed: at.seed.num(attempt as u64),
                    ..at.clone()
                }
            };
            match self.attempt(flat, &at_k, attempt, at.seed, false) {
                Ok(v) => return Ok(v),
                Err(e) if e.kind == ErrorKind::Budget => return Err(e),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| GenError::unsat(0, "", "no attempt was made")))
    }

    /// One attempt: resolve the choices, generate, check. A `lenient` attempt (best effort,
    /// see [`Gen::set_lenient`]) takes the first branch of each choice, does not steer away
    /// from the other `oneOf` branches, and returns its value without the final checks.
    fn attempt(
        &mut self,
        flat: &Flat<'s>,
        at: &At<'_>,
        attempt: usize,
        base: Seed,
        lenient: bool,
    ) -> GenResult<Value> {
        let mut flat = flat.clone();
        let mut extra_nots: Vec<Node<'s>> = Vec::new();
        // (if, else) of each conditional taken through its `then`.
        let mut conditionals: Vec<(Node<'s>, Option<Node<'s>>)> = Vec::new();
        let mut preferred: Preferred = Vec::new();
        // Chosen `oneOf` branches and their siblings, for the exclusivity repair.
        let mut one_of: Vec<(Node<'s>, Vec<Node<'s>>)> = Vec::new();
        let mut i = 0;
        while i < flat.parts.len() {
            let part = flat.parts[i].clone();
            i += 1;
            for keyword in ["oneOf", "anyOf"] {
                let branches = part.list(keyword);
                if branches.is_empty() {
                    continue;
                }
                let chosen =
                    self.choose_branch(&part, keyword, &branches, at, attempt, base, lenient);
                let branch = branches[chosen].clone();
                if let Some((property, value)) = self.discriminator_value(&part, &flat, &branch) {
                    preferred.push((property, value));
                }
                flat.add(&self.synth.docs, branch.clone())?;
                if keyword == "oneOf" {
                    let others: Vec<Node<'s>> = branches
                        .iter()
                        .enumerate()
                        .filter(|(j, _)| *j != chosen)
                        .map(|(_, b)| b.clone())
                        .collect();
                    if !lenient {
                        extra_nots.extend(others.iter().cloned());
                    }
                    one_of.push((branch, others));
                }
            }
            if let Some(condition) = part.sub("if") {
                let then = part.sub("then");
                let otherwise = part.sub("else");
                // Mostly through `then` (construction makes `if` hold); every fourth attempt
                // through `else` (then `if` must fail, which is checked).
                let take_else = otherwise.is_some() && attempt % 4 == 3;
                if take_else {
                    if let Some(e) = otherwise {
                        flat.add(&self.synth.docs, e)?;
                    }
                    extra_nots.push(condition);
                } else {
                    flat.add(&self.synth.docs, condition.clone())?;
                    if let Some(t) = then {
                        flat.add(&self.synth.docs, t)?;
                    }
                    conditionals.push((condition, otherwise));
                }
            }
        }
        let merged = Merged::new(&flat.parts, &extra_nots)?;
        if let Some((property, mapping)) = merged.discriminator
            && !preferred.iter().any(|(p, _)| p == property)
            && let Some(value) = entry_discriminator(&flat, mapping)
        {
            preferred.push((property.to_owned(), value));
        }
        let mut value = self.typed(&merged, &flat, at, &preferred)?;
        if lenient {
            // Best effort: still try to make the value match only its chosen branch; what
            // remains wrong is for the caller's validation to report.
            if !one_of.is_empty() {
                self.spoil(&mut value, &one_of);
            }
            return Ok(value);
        }
        if attempt >= SPOIL_AFTER
            && !one_of.is_empty()
            && merged
                .nots
                .iter()
                .any(|n| self.matches(n, &value) == Some(true))
        {
            self.spoil(&mut value, &one_of);
        }
        for not in &merged.nots {
            if self.matches(not, &value) == Some(true) {
                return Err(GenError::unsat(
                    not.doc,
                    &not.pointer,
                    "every value tried matches this schema, which must not match (`not`, or another `oneOf` branch)",
                ));
            }
        }
        for (condition, otherwise) in &conditionals {
            if self.matches(condition, &value) == Some(false)
                && let Some(e) = otherwise
                && self.matches(e, &value) == Some(false)
            {
                return Err(GenError::unsat(
                    condition.doc,
                    &condition.pointer,
                    "no value tried satisfies `if`+`then` or `else`",
                ));
            }
        }
        Ok(value)
    }

    /// Make a value that matches its chosen `oneOf` branch *and* some sibling match only the
    /// chosen one, by adding a property the sibling declares (and the chosen side leaves
    /// unconstrained) with a value of a type the sibling forbids — at the top, or inside the
    /// properties and items both sides share. Needed for the common
    /// `oneOf: [A, allOf: [A, {name}]]` and for branches that differ only in optional or
    /// nested properties, which no schema-respecting value separates otherwise.
    fn spoil(&self, value: &mut Value, one_of: &[(Node<'s>, Vec<Node<'s>>)]) {
        for (chosen, others) in one_of {
            for other in others {
                if self.matches(other, value) != Some(true) {
                    continue;
                }
                let before = value.clone();
                let changed = self.spoil_against(
                    value,
                    std::slice::from_ref(chosen),
                    std::slice::from_ref(other),
                    0,
                );
                if !changed
                    || self.matches(other, value) != Some(false)
                    || self.matches(chosen, value) == Some(false)
                {
                    *value = before;
                }
            }
        }
    }

    /// Change `value` (valid for `ours`) so it fails `theirs`; true if something changed.
    fn spoil_against(
        &self,
        value: &mut Value,
        ours: &[Node<'s>],
        theirs: &[Node<'s>],
        depth: usize,
    ) -> bool {
        const MAX_SPOIL_DEPTH: usize = 4;
        if depth > MAX_SPOIL_DEPTH {
            return false;
        }
        let flatten = |nodes: &[Node<'s>]| {
            let mut f = Flat::default();
            for n in nodes {
                if f.add(&self.synth.docs, n.clone()).is_err() {
                    return None;
                }
            }
            Some(f.parts)
        };
        let (Some(ours), Some(theirs)) = (flatten(ours), flatten(theirs)) else {
            return false;
        };
        match value {
            Value::Object(map) => {
                for part in &theirs {
                    let Some(Value::Object(props)) = part.get("properties") else {
                        continue;
                    };
                    for (name, schema) in props {
                        // Unconstrained on our side: declared nowhere, no additionalProperties.
                        if map.contains_key(name) || !self.property_schemas(&ours, name).is_empty()
                        {
                            continue;
                        }
                        if let Some(spoiler) =
                            self.spoiler(&part.child(schema, &["properties", name]))
                        {
                            map.insert(name.clone(), spoiler);
                            return true;
                        }
                    }
                }
                let names: Vec<String> = map.keys().cloned().collect();
                for name in names {
                    let their_schemas = self.property_schemas(&theirs, &name);
                    if their_schemas.is_empty() {
                        continue;
                    }
                    let our_schemas = self.property_schemas(&ours, &name);
                    if let Some(child) = map.get_mut(&name)
                        && self.spoil_against(child, &our_schemas, &their_schemas, depth + 1)
                    {
                        return true;
                    }
                }
                false
            }
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    let their_schemas = self.item_schemas(&theirs, i);
                    let our_schemas = self.item_schemas(&ours, i);
                    if !their_schemas.is_empty()
                        && self.spoil_against(item, &our_schemas, &their_schemas, depth + 1)
                    {
                        return true;
                    }
                }
                false
            }
            _ => false,
        }
    }

    /// A value the schema at `node` rejects by type or enum.
    fn spoiler(&self, node: &Node<'s>) -> Option<Value> {
        let mut f = Flat::default();
        f.add(&self.synth.docs, node.clone()).ok()?;
        let m = Merged::new(&f.parts, &[]).ok()?;
        if !m.typed && m.enumerated.is_none() {
            return None;
        }
        [
            Value::from(0),
            Value::Bool(false),
            Value::String("unspecified".into()),
            Value::Array(Vec::new()),
        ]
        .into_iter()
        .find(|v| {
            (m.typed && !m.types.has(Types::of_value(v)))
                || m.enumerated
                    .as_ref()
                    .is_some_and(|e| !e.iter().any(|x| json_eq(x, v)))
        })
    }

    /// Which branch of a `oneOf`/`anyOf` to take on this attempt (`lenient`: the first of
    /// the best-ranked branches, usually branch 0, without the seeded rotation).
    #[allow(clippy::too_many_arguments)]
    fn choose_branch(
        &self,
        part: &Node<'s>,
        keyword: &str,
        branches: &[Node<'s>],
        at: &At<'_>,
        attempt: usize,
        base: Seed,
        lenient: bool,
    ) -> usize {
        let n = branches.len();
        // Rank: in minimal mode, branches that end (scalars, null, no recursion) first;
        // otherwise non-null branches first (a nullable ref is translated to oneOf [X, null]).
        let rank = |b: &Node<'s>| -> usize {
            let null = is_null_branch(b);
            let recursion = self.recursion(std::slice::from_ref(b));
            if at.minimal {
                if null || is_scalar_branch(&self.synth.docs, b) {
                    0
                } else if recursion == 0 {
                    1
                } else {
                    2
                }
            } else if null {
                2
            } else if recursion > 0 {
                1
            } else {
                0
            }
        };
        let ranks: Vec<usize> = branches.iter().map(rank).collect();
        let best = ranks.iter().copied().min().unwrap_or(0);
        let mut order: Vec<usize> = (0..n).filter(|i| ranks[*i] == best).collect();
        if lenient {
            return order.first().copied().unwrap_or(0);
        }
        let mut rest: Vec<usize> = (0..n).filter(|i| ranks[*i] != best).collect();
        rest.sort_by_key(|i| ranks[*i]);
        // A seeded rotation among the best, so bodies vary but stay reproducible; successive
        // attempts walk through every branch from there.
        let seed = base.part(keyword).part(&part.pointer).value();
        let len = u64::try_from(order.len().max(1)).unwrap_or(1);
        let start = usize::try_from(seed % len).unwrap_or(0);
        let shift = start.min(order.len().saturating_sub(1));
        order.rotate_left(shift);
        order.extend(rest);
        order[attempt % order.len().max(1)]
    }

    /// The discriminator value the chosen branch must carry, for a discriminator on `part`
    /// (or elsewhere in the conjunction).
    fn discriminator_value(
        &self,
        part: &Node<'s>,
        flat: &Flat<'s>,
        branch: &Node<'s>,
    ) -> Option<(String, Value)> {
        let d = part
            .get("discriminator")
            .or_else(|| flat.parts.iter().find_map(|p| p.get("discriminator")))?;
        let property = d.get("propertyName")?.as_str()?;
        let reference = branch.str("$ref")?;
        let target = last_token(reference);
        if let Some(mapping) = d.get("mapping").and_then(Value::as_object) {
            for (key, value) in mapping {
                if let Some(v) = value.as_str()
                    && (v == reference || last_token(v) == target)
                {
                    return Some((property.to_owned(), Value::String(key.clone())));
                }
            }
        }
        Some((property.to_owned(), Value::String(target.to_owned())))
    }

    /// Does `value` match the schema at `node` (seen through this view)? `None` when no slot
    /// was prepared for it.
    pub fn matches(&self, node: &Node<'s>, value: &Value) -> Option<bool> {
        let slot = self.synth.prepared.slots.get(&(node.id(), self.view))?;
        Some(self.synth.validator.is_valid(*slot, value))
    }

    /// Whether a scalar candidate satisfies the merged scalar constraints.
    pub fn scalar_ok(&self, m: &Merged<'s>, value: &Value) -> bool {
        if m.excluded.iter().any(|x| json_eq(x, value)) {
            return false;
        }
        if let Some(values) = &m.enumerated
            && !values.iter().any(|x| json_eq(x, value))
        {
            return false;
        }
        let t = Types::of_value(value);
        let types = m.types;
        if !(types.has(t) || (t == Types::INT && types.has(Types::FRAC))) {
            return false;
        }
        match value {
            Value::String(s) => {
                let len = crate::value::char_len(s);
                if len < m.min_length || m.max_length.is_some_and(|max| len > max) {
                    return false;
                }
                let patterns_ok = m.patterns.iter().all(|p| {
                    self.synth
                        .prepared
                        .patterns
                        .get(*p)
                        .is_none_or(|(slot, _)| self.synth.validator.is_valid(*slot, value))
                });
                patterns_ok
                    && m.formats.iter().all(|f| {
                        self.synth
                            .prepared
                            .formats
                            .get(*f)
                            .is_none_or(|slot| self.synth.validator.is_valid(*slot, value))
                    })
            }
            Value::Number(n) => {
                let Some(f) = n.as_f64() else { return false };
                crate::number::within(f, m.minimum, m.maximum)
                    && m.multiple_of
                        .iter()
                        .all(|d| crate::number::is_multiple(f, *d))
            }
            _ => true,
        }
    }

    /// Generate by type.
    fn typed(
        &mut self,
        m: &Merged<'s>,
        flat: &Flat<'s>,
        at: &At<'_>,
        preferred: &Preferred,
    ) -> GenResult<Value> {
        let here = m.parts.first();
        let (doc, pointer) = here.map_or((0, ""), |n| (n.doc, &*n.pointer));
        if let Some(not) = &m.impossible {
            return Err(GenError::unsat(
                not.doc,
                &not.pointer,
                "`not` here rejects every value",
            ));
        }
        let types = m.candidate_types();
        if types.is_empty() {
            return Err(GenError::unsat(
                doc,
                pointer,
                "no type is left once `not` (or the other `oneOf` branches) exclude theirs",
            ));
        }
        if let Some(values) = &m.enumerated {
            return self.pick_enum(m, values, types, at, doc, pointer);
        }
        let mut last: Option<GenError> = None;
        for t in self.type_order(types, m, at) {
            let result = if t == Types::NULL {
                if !self.scalar_ok(m, &Value::Null) {
                    continue;
                }
                Ok(Value::Null)
            } else if t == Types::BOOL {
                self.boolean(m, at, doc, pointer)
            } else if t == Types::STRING {
                self.string(m, at).map(Value::String)
            } else if t == Types::INT {
                self.number(m, at, true, false)
            } else if t == Types::FRAC {
                // `number`: integers allowed too unless excluded.
                self.number(m, at, false, !types.has(Types::INT))
            } else if t == Types::OBJECT {
                self.object(m, flat, at, preferred)
            } else {
                self.array(m, at)
            };
            match result {
                Ok(v) => return Ok(v),
                Err(e) if e.kind == ErrorKind::Budget => return Err(e),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| GenError::unsat(doc, pointer, "no type can be generated")))
    }

    /// The order in which to try the allowed types: the non-null ones first (nullable means
    /// "may be null", and a value is more useful), guided by the property name for untyped
    /// schemas.
    fn type_order(&self, types: Types, m: &Merged<'s>, at: &At<'_>) -> Vec<Types> {
        let mut order: Vec<Types> = Vec::new();
        let push = |t: Types, order: &mut Vec<Types>| {
            if types.has(t) && !order.contains(&t) {
                order.push(t);
            }
        };
        if let Some(p) = at.preferred {
            push(Types::of_value(p), &mut order);
        }
        if let Some(h) = m.hints.first() {
            push(Types::of_value(h), &mut order);
        }
        let untyped = !m.typed;
        if untyped && let Some(kind) = at.kind() {
            let natural = match kind {
                Kind::Count
                | Kind::Age
                | Kind::Year
                | Kind::Port
                | Kind::Page
                | Kind::PageSize
                | Kind::Seconds
                | Kind::Bytes => Types::INT,
                Kind::Price | Kind::Latitude | Kind::Longitude | Kind::Percent | Kind::Rating => {
                    Types::FRAC
                }
                _ => Types::STRING,
            };
            push(natural, &mut order);
        }
        let natural: &[Types] = if untyped && types == Types::ALL {
            &[
                Types::STRING,
                Types::FRAC,
                Types::INT,
                Types::BOOL,
                Types::OBJECT,
                Types::ARRAY,
            ]
        } else {
            &[
                Types::OBJECT,
                Types::ARRAY,
                Types::STRING,
                Types::FRAC,
                Types::INT,
                Types::BOOL,
            ]
        };
        for t in natural {
            // `number` and `integer` share the numeric slot: FRAC stands for "number".
            if *t == Types::FRAC && !types.has(Types::FRAC) {
                continue;
            }
            push(*t, &mut order);
        }
        push(Types::NULL, &mut order);
        order
    }

    fn pick_enum(
        &self,
        m: &Merged<'s>,
        values: &[&'s Value],
        types: Types,
        at: &At<'_>,
        doc: usize,
        pointer: &str,
    ) -> GenResult<Value> {
        let ok: Vec<&Value> = values
            .iter()
            .copied()
            .filter(|v| {
                let t = Types::of_value(v);
                (types.has(t) || (t == Types::INT && types.has(Types::FRAC)))
                    && self.scalar_ok(m, v)
            })
            .collect();
        if ok.is_empty() {
            return Err(GenError::unsat(
                doc,
                pointer,
                "no `enum`/`const` value satisfies the other constraints",
            ));
        }
        if let Some(p) = at.preferred
            && let Some(v) = ok.iter().find(|v| json_eq(v, p))
        {
            return Ok((*v).clone());
        }
        let non_null: Vec<&Value> = ok.iter().copied().filter(|v| !v.is_null()).collect();
        let pool = if non_null.is_empty() { &ok } else { &non_null };
        let mut rng = at.seed.part("enum").rng();
        let pick = rng.random_range(0..pool.len());
        Ok(pool[pick].clone())
    }

    fn boolean(&self, m: &Merged<'s>, at: &At<'_>, doc: usize, pointer: &str) -> GenResult<Value> {
        let mut rng = at.seed.part("bool").rng();
        let first = match at.preferred {
            Some(Value::Bool(b)) => *b,
            _ => rng.random_bool(0.5),
        };
        for b in [first, !first] {
            let v = Value::Bool(b);
            if self.scalar_ok(m, &v) {
                return Ok(v);
            }
        }
        Err(GenError::unsat(
            doc,
            pointer,
            "neither `true` nor `false` is allowed",
        ))
    }
}

/// Whether a part makes generation retry: choices, or checks construction cannot guarantee.
fn has_choices(part: &Node<'_>) -> bool {
    part.map().is_some_and(|m| {
        ["anyOf", "oneOf", "not", "if", "contains", "uniqueItems"]
            .iter()
            .any(|k| m.contains_key(*k))
    })
}

fn last_token(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

/// `{type: null}`: the branch a translated nullable `$ref` adds.
fn is_null_branch(node: &Node<'_>) -> bool {
    node.get("type").and_then(Value::as_str) == Some("null")
        || node
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|e| e.len() == 1 && e[0].is_null())
}

/// A branch whose (flattened) type is scalar: taking it ends any recursion.
fn is_scalar_branch(docs: &crate::schema::Docs, node: &Node<'_>) -> bool {
    let mut flat = Flat::default();
    if flat.add(docs, node.clone()).is_err() {
        return false;
    }
    flat.parts.iter().any(|p| match p.get("type") {
        Some(t) => !Types::of_keyword(t).has(Types::OBJECT | Types::ARRAY),
        None => p.get("enum").is_some() || p.get("const").is_some(),
    })
}

/// For a discriminator reached through inheritance (`Cat: allOf [Pet, …]`, Pet holding the
/// discriminator), the value naming the schema being generated: the mapping key whose target
/// is one of the `$ref`s followed, else the outermost schema's name.
fn entry_discriminator(
    flat: &Flat<'_>,
    mapping: Option<&serde_json::Map<String, Value>>,
) -> Option<Value> {
    if let Some(mapping) = mapping {
        for r in &flat.refs {
            let name = r.name()?;
            for (key, target) in mapping {
                if target.as_str().is_some_and(|t| last_token(t) == name) {
                    return Some(Value::String(key.clone()));
                }
            }
        }
    }
    flat.schema_name().map(Value::String)
}
