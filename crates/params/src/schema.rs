//! Just enough schema reading to decide how a parameter string becomes JSON: the declared
//! types, the items schema and the property schemas, following `$ref`s and combinators.

use mockgen_spec::Spec;
use mockgen_spec::bundle::{RefTarget, fragment_pointer, parse_ref};
use serde_json::{Map, Number, Value};

/// How deep `$ref`/`allOf` chains are followed; cycles and hostile specs stop here.
const MAX_DEPTH: usize = 16;
/// How many schema nodes one view may gather (wide `anyOf`s stop here).
const MAX_NODES: usize = 64;

pub const INTEGER: u8 = 1;
pub const NUMBER: u8 = 2;
pub const BOOLEAN: u8 = 4;
pub const NULL: u8 = 8;
pub const STRING: u8 = 16;
pub const ARRAY: u8 = 32;
pub const OBJECT: u8 = 64;

/// The overall shape a parameter value is parsed into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Scalar,
    Array,
    Object,
}

/// A schema with its `$ref` targets and `allOf`/`anyOf`/`oneOf` members flattened into one
/// list of nodes. Each node remembers its document so relative `#/…` refs resolve there.
#[derive(Debug, Clone)]
pub struct View<'a> {
    spec: &'a Spec,
    nodes: Vec<(usize, &'a Map<String, Value>)>,
    /// A `$ref` did not resolve or a depth/size limit cut the gathering short.
    partial: bool,
}

impl<'a> View<'a> {
    /// The unknown schema: every value stays a string.
    pub fn empty(spec: &'a Spec) -> Self {
        View {
            spec,
            nodes: Vec::new(),
            partial: false,
        }
    }

    pub fn of_loc(spec: &'a Spec, loc: Option<&mockgen_spec::Loc>) -> Self {
        let mut view = View::empty(spec);
        if let Some(loc) = loc
            && let Some(value) = spec.get(loc)
        {
            view.gather(loc.doc, value, 0);
        }
        view
    }

    fn of_value(spec: &'a Spec, doc: usize, value: &'a Value) -> Self {
        let mut view = View::empty(spec);
        view.gather(doc, value, 0);
        view
    }

    fn gather(&mut self, doc: usize, value: &'a Value, depth: usize) {
        if depth > MAX_DEPTH || self.nodes.len() >= MAX_NODES {
            self.partial = true;
            return;
        }
        let Some(map) = value.as_object() else {
            // `true`/`false` schemas: `false` rejects everything.
            if value != &Value::Bool(true) {
                self.partial = true;
            }
            return;
        };
        self.nodes.push((doc, map));
        if let Some(Value::String(reference)) = map.get("$ref") {
            match resolve(self.spec, doc, reference) {
                Some((target_doc, target)) => self.gather(target_doc, target, depth + 1),
                None => self.partial = true,
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(Value::Array(members)) = map.get(key) {
                for member in members {
                    self.gather(doc, member, depth + 1);
                }
            }
        }
    }

    /// Union of the declared types (bit set); inferred from keywords when none is declared.
    /// Zero means "unknown": values stay strings.
    pub fn types(&self) -> u8 {
        let mut declared = 0;
        let mut any_declared = false;
        for (_, node) in &self.nodes {
            match node.get("type") {
                Some(Value::String(t)) => {
                    any_declared = true;
                    declared |= type_bit(t);
                }
                Some(Value::Array(ts)) => {
                    any_declared = true;
                    for t in ts.iter().filter_map(Value::as_str) {
                        declared |= type_bit(t);
                    }
                }
                _ => {}
            }
        }
        if any_declared {
            return declared;
        }
        // No `type` anywhere: guess from shape keywords and enum/const values, so that
        // `{enum: [1, 2]}` still yields numbers.
        let mut inferred = 0;
        for (_, node) in &self.nodes {
            if node.contains_key("properties") || node.contains_key("additionalProperties") {
                inferred |= OBJECT;
            }
            if node.contains_key("items") || node.contains_key("prefixItems") {
                inferred |= ARRAY;
            }
            let consts = node.get("const").into_iter();
            let enums = node
                .get("enum")
                .and_then(Value::as_array)
                .into_iter()
                .flatten();
            for v in consts.chain(enums) {
                inferred |= value_bit(v);
            }
        }
        inferred
    }

    pub fn shape(&self) -> Shape {
        let t = self.types();
        if t & ARRAY != 0 {
            Shape::Array
        } else if t & OBJECT != 0 {
            Shape::Object
        } else {
            Shape::Scalar
        }
    }

    /// The first `format` keyword found (used to phrase range problems).
    pub fn format(&self) -> Option<&'a str> {
        self.nodes
            .iter()
            .find_map(|(_, n)| n.get("format").and_then(Value::as_str))
    }

    fn sub(&self, key: &str) -> Option<View<'a>> {
        self.nodes.iter().find_map(|(doc, n)| {
            n.get(key)
                .filter(|v| v.is_object())
                .map(|v| View::of_value(self.spec, *doc, v))
        })
    }

    /// The schema of array items.
    pub fn items(&self) -> View<'a> {
        self.sub("items").unwrap_or_else(|| View::empty(self.spec))
    }

    /// Is `name` a declared property?
    pub fn has_property(&self, name: &str) -> bool {
        self.nodes.iter().any(|(_, n)| {
            n.get("properties")
                .and_then(Value::as_object)
                .is_some_and(|p| p.contains_key(name))
        })
    }

    /// Does the object take members beyond its declared properties? Only an explicit
    /// `additionalProperties`/`patternProperties` counts: otherwise an exploded object would
    /// swallow every unrelated query parameter.
    pub fn allows_additional(&self) -> bool {
        self.nodes.iter().any(|(_, n)| {
            n.contains_key("patternProperties")
                || n.get("additionalProperties")
                    .is_some_and(|v| v != &Value::Bool(false))
        })
    }

    /// The first value of keyword `key` in any gathered node (`xml`, `contentMediaType`, …).
    pub fn keyword(&self, key: &str) -> Option<&'a Value> {
        self.nodes.iter().find_map(|(_, n)| n.get(key))
    }

    /// Can an object member `name` be added to any instance without changing whether the
    /// instance is valid? Conservative: `true` only when every gathered node uses nothing but
    /// keywords that cannot see an extra member (no `additionalProperties`, `enum`,
    /// `maxProperties`, `if`, `not`, …) and none of them names `name`.
    pub fn ignores_member(&self, name: &str) -> bool {
        const BLIND: [&str; 35] = [
            "$ref",
            "$schema",
            "$id",
            "$comment",
            "$anchor",
            "$defs",
            "definitions",
            "allOf",
            "anyOf",
            "oneOf",
            "type",
            "properties",
            "required",
            "title",
            "description",
            "default",
            "example",
            "examples",
            "deprecated",
            "readOnly",
            "writeOnly",
            "format",
            "xml",
            "externalDocs",
            "minLength",
            "maxLength",
            "pattern",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
            "items",
            "minItems",
            "maxItems",
        ];
        if self.partial {
            return false;
        }
        self.nodes.iter().all(|(_, n)| {
            n.iter().all(|(k, v)| {
                if k.starts_with("x-") {
                    return true;
                }
                if !BLIND.contains(&k.as_str()) {
                    return false;
                }
                match k.as_str() {
                    "properties" => v.as_object().is_some_and(|p| !p.contains_key(name)),
                    "required" => v
                        .as_array()
                        .is_some_and(|r| !r.iter().any(|m| m.as_str() == Some(name))),
                    _ => true,
                }
            })
        })
    }

    /// No schema node at all: the unknown schema.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Declared property names in declaration order, each once.
    pub fn property_names(&self) -> Vec<&'a str> {
        let mut names: Vec<&'a str> = Vec::new();
        for (_, n) in &self.nodes {
            if let Some(props) = n.get("properties").and_then(Value::as_object) {
                for k in props.keys() {
                    if !names.contains(&k.as_str()) {
                        names.push(k);
                    }
                }
            }
        }
        names
    }

    /// The schema of property `name` (falling back to `additionalProperties`).
    pub fn property(&self, name: &str) -> View<'a> {
        for (doc, n) in &self.nodes {
            if let Some(p) = n
                .get("properties")
                .and_then(Value::as_object)
                .and_then(|p| p.get(name))
            {
                return View::of_value(self.spec, *doc, p);
            }
        }
        self.sub("additionalProperties")
            .unwrap_or_else(|| View::empty(self.spec))
    }
}

fn resolve<'a>(spec: &'a Spec, doc: usize, reference: &str) -> Option<(usize, &'a Value)> {
    let (target_doc, fragment) = match parse_ref(reference) {
        RefTarget::Local(fragment) => (doc, fragment),
        RefTarget::Bundled(index, fragment) => (index, fragment),
        // Unbundled file or remote refs never survive loading; nothing to follow.
        RefTarget::Remote(_) | RefTarget::File(..) => return None,
    };
    let pointer = fragment_pointer(fragment)?;
    let value = spec.documents.get(target_doc)?.pointer(&pointer)?;
    Some((target_doc, value))
}

fn type_bit(t: &str) -> u8 {
    match t {
        "integer" => INTEGER,
        "number" => NUMBER,
        "boolean" => BOOLEAN,
        "null" => NULL,
        "string" => STRING,
        "array" => ARRAY,
        "object" => OBJECT,
        _ => 0,
    }
}

fn value_bit(v: &Value) -> u8 {
    match v {
        Value::Null => NULL,
        Value::Bool(_) => BOOLEAN,
        Value::Number(n) if n.is_f64() => NUMBER,
        Value::Number(_) => INTEGER,
        Value::String(_) => STRING,
        Value::Array(_) => ARRAY,
        Value::Object(_) => OBJECT,
    }
}

/// What [`coerce`] needs of a schema: its declared types and `format`.
pub trait Types {
    /// See [`View::types`].
    fn types(&self) -> u8;
    /// See [`View::format`].
    fn format(&self) -> Option<&str>;
}

impl Types for View<'_> {
    fn types(&self) -> u8 {
        View::types(self)
    }
    fn format(&self) -> Option<&str> {
        View::format(self)
    }
}

/// The types and `format` of a schema, read once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flat<'a> {
    pub types: u8,
    pub format: Option<&'a str>,
}

impl<'a> Flat<'a> {
    pub fn of(view: &View<'a>) -> Flat<'a> {
        Flat {
            types: view.types(),
            format: view.format(),
        }
    }
}

impl Types for Flat<'_> {
    fn types(&self) -> u8 {
        self.types
    }
    fn format(&self) -> Option<&str> {
        self.format
    }
}

/// Why a string could not become the scalar its schema asks for.
#[derive(Debug)]
pub struct CoerceError {
    pub code: &'static str,
    pub message: String,
}

/// Turn one decoded string into the JSON scalar its schema declares.
///
/// Order matters when a schema allows several types: null, boolean, integer, number, and
/// string last, so `["integer","string"]` turns `5` into a number. `null` is produced only
/// when the schema allows null but not string, for the empty string or the literal `null`
/// (with string allowed, `""`/`"null"` are legitimate strings).
pub fn coerce<T: Types + ?Sized>(s: &str, view: &T) -> Result<Value, CoerceError> {
    let t = view.types();
    if t & (INTEGER | NUMBER | BOOLEAN | NULL | STRING) == 0 {
        // Unknown schema, or an array/object where only a scalar fits (nested arrays):
        // hand the string to schema validation unchanged.
        return Ok(Value::String(s.to_owned()));
    }
    if t & NULL != 0 && t & STRING == 0 && (s.is_empty() || s == "null") {
        return Ok(Value::Null);
    }
    if t & BOOLEAN != 0 {
        match s {
            "true" => return Ok(Value::Bool(true)),
            "false" => return Ok(Value::Bool(false)),
            _ => {}
        }
    }
    if t & (INTEGER | NUMBER) != 0 && is_json_number(s) {
        // An integer beyond 64 bits is only approximated by a float: keep the exact text when
        // a string is allowed too.
        let inexact = |n: &Number| n.is_f64() && !s.contains(['.', 'e', 'E']);
        match parse_number(s) {
            Some(n) if t & STRING != 0 && inexact(&n) => {}
            Some(n) if t & NUMBER != 0 || is_integral(&n) => return Ok(Value::Number(n)),
            Some(_) => {}
            None => {
                // Only reachable for values beyond f64.
                if t & STRING == 0 {
                    return Err(CoerceError {
                        code: "format",
                        message: format!(
                            "number {s:?} is out of range{}",
                            view.format().map(|f| format!(" ({f})")).unwrap_or_default()
                        ),
                    });
                }
            }
        }
    }
    if t & STRING != 0 {
        return Ok(Value::String(s.to_owned()));
    }
    Err(CoerceError {
        code: "type",
        message: format!("expected {}, got {s:?}", type_names(t)),
    })
}

fn type_names(t: u8) -> String {
    let names = [
        (INTEGER, "integer"),
        (NUMBER, "number"),
        (BOOLEAN, "boolean"),
        (NULL, "null"),
        (STRING, "string"),
        (ARRAY, "array"),
        (OBJECT, "object"),
    ];
    let list: Vec<&str> = names
        .iter()
        .filter(|(bit, _)| t & bit != 0)
        .map(|(_, n)| *n)
        .collect();
    list.join(" or ")
}

/// `-?digits(.digits)?([eE][+-]?digits)?`, leading zeros allowed (query strings are not JSON
/// and `007` is a reasonable way to write 7).
fn is_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

/// Integers through i64/u64 so values above 2^53 stay exact; fractions, exponents and
/// integers beyond 64 bits go through f64 (JSON Schema integers are unbounded: such a value
/// is still an integer, and a `format: int64` bound still refuses it). `None` only for
/// values that overflow f64.
fn parse_number(s: &str) -> Option<Number> {
    if !s.contains(['.', 'e', 'E']) {
        if let Ok(i) = s.parse::<i64>() {
            return Some(Number::from(i));
        }
        if let Ok(u) = s.parse::<u64>() {
            return Some(Number::from(u));
        }
        // Below i64::MIN: -2^63 - 1 … rounds to exactly -2^63 as a float, which an int64
        // minimum would accept; step one ulp further down.
        let f = s.parse::<f64>().ok()?;
        #[allow(clippy::cast_precision_loss)] // exact: -2^63 is a power of two
        let f = if f == i64::MIN as f64 {
            f.next_down()
        } else {
            f
        };
        return Number::from_f64(f).filter(|_| f.is_finite());
    }
    s.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .and_then(Number::from_f64)
}

fn is_integral(n: &Number) -> bool {
    n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
}
