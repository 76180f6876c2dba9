//! Merging the parts of a conjunction (`allOf`, `$ref` + siblings, chosen branches) into one
//! set of scalar constraints, detecting the conflicts that make it unsatisfiable.
//!
//! Only keywords that combine simply are merged here (types, enums, bounds, lengths,
//! patterns, formats, counts). Keywords whose meaning depends on their siblings
//! (`properties` with `additionalProperties`, `items` with `prefixItems`) stay per part and
//! are read by the object and array generators.

use crate::error::{GenError, GenResult};
use crate::schema::Node;
use crate::value::json_eq;
use serde_json::{Map, Value};

/// A set of JSON types. `number` is `INT | FRAC` so that `integer ∩ number = integer`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Types(pub u8);

impl Types {
    pub const NULL: Types = Types(1);
    pub const BOOL: Types = Types(2);
    pub const OBJECT: Types = Types(4);
    pub const ARRAY: Types = Types(8);
    pub const STRING: Types = Types(16);
    pub const INT: Types = Types(32);
    pub const FRAC: Types = Types(64);
    pub const NUMBER: Types = Types(32 | 64);
    pub const ALL: Types = Types(127);
    pub const NONE: Types = Types(0);

    pub fn parse(name: &str) -> Types {
        match name {
            "null" => Types::NULL,
            "boolean" => Types::BOOL,
            "object" => Types::OBJECT,
            "array" => Types::ARRAY,
            "string" => Types::STRING,
            "integer" => Types::INT,
            "number" => Types::NUMBER,
            // An unknown type name admits nothing (the loader reports it).
            _ => Types::NONE,
        }
    }

    /// The types a `type` keyword admits.
    pub fn of_keyword(value: &Value) -> Types {
        match value {
            Value::String(s) => Types::parse(s),
            Value::Array(names) => names
                .iter()
                .filter_map(Value::as_str)
                .fold(Types::NONE, |acc, n| acc | Types::parse(n)),
            _ => Types::ALL,
        }
    }

    /// The type of a value (integers are `INT`, other numbers `FRAC`).
    pub fn of_value(value: &Value) -> Types {
        match value {
            Value::Null => Types::NULL,
            Value::Bool(_) => Types::BOOL,
            Value::Object(_) => Types::OBJECT,
            Value::Array(_) => Types::ARRAY,
            Value::String(_) => Types::STRING,
            Value::Number(n) => {
                let integral =
                    n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0);
                if integral { Types::INT } else { Types::FRAC }
            }
        }
    }

    pub fn has(self, other: Types) -> bool {
        self.0 & other.0 != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn names(self) -> String {
        let mut out = Vec::new();
        for (t, name) in [
            (Types::NULL, "null"),
            (Types::BOOL, "boolean"),
            (Types::OBJECT, "object"),
            (Types::ARRAY, "array"),
            (Types::STRING, "string"),
        ] {
            if self.has(t) {
                out.push(name);
            }
        }
        if self.has(Types::FRAC) {
            out.push("number");
        } else if self.has(Types::INT) {
            out.push("integer");
        }
        out.join(", ")
    }
}

impl std::ops::BitOr for Types {
    type Output = Types;
    fn bitor(self, rhs: Types) -> Types {
        Types(self.0 | rhs.0)
    }
}

impl std::ops::BitAnd for Types {
    type Output = Types;
    fn bitand(self, rhs: Types) -> Types {
        Types(self.0 & rhs.0)
    }
}

impl std::ops::Not for Types {
    type Output = Types;
    fn not(self) -> Types {
        Types(!self.0 & Types::ALL.0)
    }
}

/// A numeric bound.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bound {
    pub value: f64,
    pub exclusive: bool,
}

/// The merged scalar view of a conjunction.
#[derive(Clone, Debug)]
pub struct Merged<'s> {
    pub parts: Vec<Node<'s>>,
    /// Types allowed by every `type` keyword (ALL when none), minus types a `not` excludes.
    pub types: Types,
    /// Whether some part has a `type` keyword.
    pub typed: bool,
    /// Intersection of `enum`/`const` lists, when any part has one.
    pub enumerated: Option<Vec<&'s Value>>,
    /// Values a `not` rules out.
    pub excluded: Vec<&'s Value>,
    pub minimum: Option<Bound>,
    pub maximum: Option<Bound>,
    pub multiple_of: Vec<f64>,
    pub min_length: u64,
    pub max_length: Option<u64>,
    pub patterns: Vec<&'s str>,
    pub formats: Vec<&'s str>,
    pub min_items: u64,
    pub max_items: Option<u64>,
    pub unique_items: bool,
    pub min_properties: u64,
    pub max_properties: Option<u64>,
    /// Names required by some part, in first-seen order.
    pub required: Vec<&'s str>,
    /// Property names that must stay absent (from `not: {required}` and oneOf exclusion).
    pub forbidden: Vec<String>,
    /// `not` schemas, checked against the value with the validator.
    pub nots: Vec<Node<'s>>,
    /// Parts carrying `discriminator`.
    pub discriminator: Option<(&'s str, Option<&'s Map<String, Value>>)>,
    /// Scalar `examples`/`example`/`default` values, as hints for realism.
    pub hints: Vec<&'s Value>,
    pub content_encoding: Option<&'s str>,
    /// A `not` that rejects every value (`not: {}`), if any.
    pub impossible: Option<Node<'s>>,
}

/// Keywords that only make sense for one type, used to infer the type of an untyped schema.
const OBJECT_KEYWORDS: &[&str] = &[
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "minProperties",
    "maxProperties",
    "propertyNames",
    "dependentRequired",
    "dependentSchemas",
    "unevaluatedProperties",
];
const ARRAY_KEYWORDS: &[&str] = &[
    "items",
    "prefixItems",
    "contains",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minContains",
    "maxContains",
    "unevaluatedItems",
];
const STRING_KEYWORDS: &[&str] = &["minLength", "maxLength", "pattern", "contentEncoding"];
const NUMBER_KEYWORDS: &[&str] = &[
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
];

/// Formats that describe numbers rather than strings.
pub const NUMERIC_FORMATS: &[&str] = &["int32", "int64", "float", "double", "integer", "number"];

impl<'s> Merged<'s> {
    /// Merge `parts` (already flattened) plus the extra `nots`.
    pub fn new(parts: &[Node<'s>], extra_nots: &[Node<'s>]) -> GenResult<Merged<'s>> {
        let mut m = Merged {
            parts: parts.to_vec(),
            types: Types::ALL,
            typed: false,
            enumerated: None,
            excluded: Vec::new(),
            minimum: None,
            maximum: None,
            multiple_of: Vec::new(),
            min_length: 0,
            max_length: None,
            patterns: Vec::new(),
            formats: Vec::new(),
            min_items: 0,
            max_items: None,
            unique_items: false,
            min_properties: 0,
            max_properties: None,
            required: Vec::new(),
            forbidden: Vec::new(),
            nots: Vec::new(),
            discriminator: None,
            hints: Vec::new(),
            content_encoding: None,
            impossible: None,
        };
        for part in parts {
            m.add(part)?;
        }
        for not in extra_nots {
            m.add_not(not.clone());
        }
        Ok(m)
    }

    fn add(&mut self, part: &Node<'s>) -> GenResult<()> {
        let Some(map) = part.map() else {
            return Ok(());
        };
        let fail = |message: String| Err(GenError::unsat(part.doc, &part.pointer, message));
        if let Some(t) = map.get("type") {
            let types = Types::of_keyword(t);
            let merged = self.types & types;
            if merged.is_empty() {
                return fail(format!(
                    "`type` conflict: {} here, but other parts of the schema allow only {}",
                    types.names(),
                    if self.types == Types::ALL {
                        "nothing".to_owned()
                    } else {
                        self.types.names()
                    }
                ));
            }
            self.types = merged;
            self.typed = true;
        }
        let mut listed: Option<Vec<&'s Value>> = None;
        if let Some(Value::Array(values)) = map.get("enum") {
            listed = Some(values.iter().collect());
        }
        if let Some(value) = map.get("const") {
            listed = Some(match listed {
                Some(l) => l.into_iter().filter(|v| json_eq(v, value)).collect(),
                None => vec![value],
            });
        }
        if let Some(list) = listed {
            let merged: Vec<&'s Value> = match self.enumerated.take() {
                Some(prev) => prev
                    .into_iter()
                    .filter(|v| list.iter().any(|w| json_eq(v, w)))
                    .collect(),
                None => list,
            };
            if merged.is_empty() {
                return fail("`enum`/`const` conflict: no value is allowed by every part".into());
            }
            self.enumerated = Some(merged);
        }
        let num = |k: &str| map.get(k).and_then(Value::as_f64);
        if let Some(v) = num("minimum") {
            self.raise_min(Bound {
                value: v,
                exclusive: false,
            });
        }
        if let Some(v) = num("exclusiveMinimum") {
            self.raise_min(Bound {
                value: v,
                exclusive: true,
            });
        }
        if let Some(v) = num("maximum") {
            self.lower_max(Bound {
                value: v,
                exclusive: false,
            });
        }
        if let Some(v) = num("exclusiveMaximum") {
            self.lower_max(Bound {
                value: v,
                exclusive: true,
            });
        }
        if let Some(v) = num("multipleOf")
            && v > 0.0
            && v.is_finite()
            && !self.multiple_of.contains(&v)
        {
            self.multiple_of.push(v);
        }
        let count = |k: &str| map.get(k).and_then(as_count);
        if let Some(v) = count("minLength") {
            self.min_length = self.min_length.max(v);
        }
        if let Some(v) = count("maxLength") {
            self.max_length = Some(self.max_length.map_or(v, |m| m.min(v)));
        }
        if let Some(v) = count("minItems") {
            self.min_items = self.min_items.max(v);
        }
        if let Some(v) = count("maxItems") {
            self.max_items = Some(self.max_items.map_or(v, |m| m.min(v)));
        }
        if let Some(v) = count("minProperties") {
            self.min_properties = self.min_properties.max(v);
        }
        if let Some(v) = count("maxProperties") {
            self.max_properties = Some(self.max_properties.map_or(v, |m| m.min(v)));
        }
        if map.get("uniqueItems") == Some(&Value::Bool(true)) {
            self.unique_items = true;
        }
        if let Some(Value::String(p)) = map.get("pattern")
            && !self.patterns.contains(&p.as_str())
        {
            self.patterns.push(p);
        }
        if let Some(Value::String(f)) = map.get("format")
            && !self.formats.contains(&f.as_str())
        {
            self.formats.push(f);
        }
        if let Some(Value::String(e)) = map.get("contentEncoding") {
            self.content_encoding = Some(e);
        }
        if let Some(Value::Array(names)) = map.get("required") {
            for name in names.iter().filter_map(Value::as_str) {
                if !self.required.contains(&name) {
                    self.required.push(name);
                }
            }
        }
        if let Some(not) = part.sub("not") {
            self.add_not(not);
        }
        if self.discriminator.is_none()
            && let Some(Value::Object(d)) = map.get("discriminator")
            && let Some(Value::String(property)) = d.get("propertyName")
        {
            self.discriminator = Some((property, d.get("mapping").and_then(Value::as_object)));
        }
        for key in ["examples", "example", "default"] {
            match map.get(key) {
                Some(Value::Array(values)) if key == "examples" => {
                    self.hints.extend(values.iter().filter(|v| is_scalar(v)));
                }
                Some(v) if key != "examples" && is_scalar(v) => self.hints.push(v),
                _ => {}
            }
        }
        Ok(())
    }

    fn raise_min(&mut self, b: Bound) {
        let replace = match self.minimum {
            None => true,
            Some(cur) => b.value > cur.value || (b.value == cur.value && b.exclusive),
        };
        if replace {
            self.minimum = Some(b);
        }
    }

    fn lower_max(&mut self, b: Bound) {
        let replace = match self.maximum {
            None => true,
            Some(cur) => b.value < cur.value || (b.value == cur.value && b.exclusive),
        };
        if replace {
            self.maximum = Some(b);
        }
    }

    /// Record a `not`: simple forms shape generation directly; every `not` is also checked
    /// against the final value.
    pub fn add_not(&mut self, not: Node<'s>) {
        // `not: {}` / `not: true` rejects everything: no need to try.
        let everything = match not.value {
            Value::Bool(b) => *b,
            Value::Object(map) => map.keys().all(|k| is_annotation(k)),
            _ => false,
        };
        if everything && self.impossible.is_none() {
            self.impossible = Some(not.clone());
        }
        if let Some(map) = not.map() {
            let only = |keys: &[&str]| {
                map.keys()
                    .all(|k| keys.contains(&k.as_str()) || is_annotation(k))
            };
            if only(&["type"])
                && let Some(t) = map.get("type")
            {
                self.types = self.types & !Types::of_keyword(t);
            }
            if only(&["enum", "const"]) {
                if let Some(Value::Array(values)) = map.get("enum") {
                    self.excluded.extend(values.iter());
                }
                if let Some(v) = map.get("const") {
                    self.excluded.push(v);
                }
            }
            if only(&["required", "type"])
                && let Some(Value::Array(names)) = map.get("required")
            {
                // `not: {required: [a, b]}` forbids having both; forbidding the last one is
                // enough and keeps the others possible.
                if let Some(name) = names.iter().rev().find_map(Value::as_str) {
                    self.forbid(name);
                }
            }
            // `not: {anyOf: [{required: [a]}, {required: [b]}]}`: none of them.
            if only(&["anyOf", "oneOf"]) {
                for branch in map
                    .get("anyOf")
                    .or_else(|| map.get("oneOf"))
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(Value::Array(names)) = branch.get("required")
                        && let Some(name) = names.iter().rev().find_map(Value::as_str)
                    {
                        self.forbid(name);
                    }
                }
            }
        }
        if !self.nots.iter().any(|n| n.id() == not.id()) {
            self.nots.push(not);
        }
    }

    pub fn forbid(&mut self, name: &str) {
        if !self.forbidden.iter().any(|n| n == name) {
            self.forbidden.push(name.to_owned());
        }
    }

    /// The types worth generating: the declared ones, or for an untyped schema the ones its
    /// keywords describe (an untyped schema with `properties` is meant to be an object).
    pub fn candidate_types(&self) -> Types {
        if self.typed {
            return self.types;
        }
        let mut inferred = Types::NONE;
        for part in &self.parts {
            let Some(map) = part.map() else { continue };
            let has = |keys: &[&str]| keys.iter().any(|k| map.contains_key(*k));
            if has(OBJECT_KEYWORDS) {
                inferred = inferred | Types::OBJECT;
            }
            if has(ARRAY_KEYWORDS) {
                inferred = inferred | Types::ARRAY;
            }
            if has(STRING_KEYWORDS) {
                inferred = inferred | Types::STRING;
            }
            if has(NUMBER_KEYWORDS) {
                inferred = inferred | Types::NUMBER;
            }
            if let Some(Value::String(f)) = map.get("format") {
                if NUMERIC_FORMATS.contains(&f.as_str()) {
                    inferred = inferred | Types::NUMBER;
                } else {
                    inferred = inferred | Types::STRING;
                }
            }
        }
        let narrowed = inferred & self.types;
        if narrowed.is_empty() {
            self.types
        } else {
            narrowed
        }
    }
}

/// Non-negative integer keyword values (`minLength: 3`, also `3.0`).
pub fn as_count(value: &Value) -> Option<u64> {
    if let Some(n) = value.as_u64() {
        return Some(n);
    }
    let f = value.as_f64()?;
    (f >= 0.0 && f.fract() == 0.0 && f < 1e18).then_some(f as u64)
}

fn is_scalar(value: &Value) -> bool {
    !(value.is_object() || value.is_array())
}

/// Keywords that never constrain a value (for merging, `readOnly`/`writeOnly` neither).
fn is_annotation(key: &str) -> bool {
    mockgen_schema::dialect::is_annotation(key) || matches!(key, "readOnly" | "writeOnly")
}
