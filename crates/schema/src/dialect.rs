//! Translation of Swagger 2.0 and OpenAPI 3.0 schema objects into JSON Schema 2020-12, in place.
//!
//! OpenAPI 3.1 (and 3.2) schemas already are 2020-12; for them only `$ref`s are passed to the
//! caller's rewriter and `int32`/`int64` formats gain their numeric bounds.

use crate::pointer;
use serde_json::{Map, Value, json};

/// The schema dialect a document was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// Swagger 2.0 schema objects (`x-nullable`, `type: file`, string `discriminator`).
    Swagger20,
    /// OpenAPI 3.0 schema objects (`nullable`, boolean exclusive bounds, `example`).
    Oas30,
    /// JSON Schema 2020-12 as used by OpenAPI 3.1 and 3.2.
    Oas31,
}

/// Something the translation changed in a way the user may not expect, or could not translate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// RFC 6901 pointer relative to the schema root given to [`to_2020_12`].
    pub pointer: String,
    pub message: String,
    /// When the translation moved a subtree: `(from, to)`, both relative to the schema root.
    /// Other `$ref`s that pointed into `from` must be rewritten to `to`.
    pub moved: Option<(String, String)>,
}

/// Where a `$ref` sibling that cannot be applied as a keyword is kept (see `legacy_ref`).
pub const IGNORED_SIBLINGS: &str = "x-mockgen-ignored";

/// Schemas nested deeper than this are left untranslated (with a note) so hostile input cannot
/// exhaust the stack; the validator refuses documents this deep anyway.
pub const MAX_SCHEMA_DEPTH: usize = 512;

/// Annotation keywords next to a `$ref`: harmless in every version, never worth a note.
const REF_ANNOTATIONS: &[&str] = &[
    "description",
    "title",
    "readOnly",
    "writeOnly",
    "deprecated",
    "example",
    "examples",
];

/// Whether `key` is an annotation every JSON Schema validator ignores: it never changes which
/// values a schema accepts (`title`, `description`, examples, `default`, `x-*`, …). Callers
/// add what is an annotation for their purpose only (`readOnly`/`writeOnly` outside views,
/// OpenAPI's `discriminator`).
pub fn is_annotation(key: &str) -> bool {
    matches!(
        key,
        "title"
            | "description"
            | "$comment"
            | "examples"
            | "example"
            | "default"
            | "deprecated"
            | "xml"
            | "externalDocs"
    ) || key.starts_with("x-")
}

/// Whether a keyword's value has a shape JSON Schema accepts (only the shapes a bundler gets
/// wrong are checked: lists of subschemas and maps of subschemas).
fn keyword_shape_ok(key: &str, value: &Value) -> bool {
    match key {
        "allOf" | "anyOf" | "oneOf" | "prefixItems" | "required" | "enum" => value.is_array(),
        "properties" | "patternProperties" | "$defs" | "dependentSchemas" | "dependentRequired" => {
            value.is_object()
        }
        _ => true,
    }
}

/// Keywords whose value is a map from names to subschemas (shared with every walker of
/// schemas, so they all agree on where subschemas are).
pub const SCHEMA_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];

/// Keywords whose value is a single subschema.
pub const SCHEMA_SINGLES: &[&str] = &[
    "additionalProperties",
    "items",
    "additionalItems",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contentSchema",
];

/// Keywords whose value is an array of subschemas.
pub const SCHEMA_ARRAYS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];

/// Translate one schema (recursively into all its subschemas, not following `$ref`) in place
/// into JSON Schema 2020-12.
///
/// `rewrite_ref` is called for every `$ref` string found so the caller can rewrite targets
/// (e.g. Swagger 2.0 `#/definitions/X` to `#/components/schemas/X`). Never panics: input that
/// is not a valid schema is left as it is and reported in `notes`.
pub fn to_2020_12(
    schema: &mut Value,
    dialect: Dialect,
    rewrite_ref: &mut dyn FnMut(&mut String),
    notes: &mut Vec<Note>,
) {
    let mut cx = Context {
        dialect,
        rewrite_ref,
        notes,
        pointer: String::new(),
    };
    cx.schema(schema, 0);
}

struct Context<'a> {
    dialect: Dialect,
    rewrite_ref: &'a mut dyn FnMut(&mut String),
    notes: &'a mut Vec<Note>,
    /// Pointer of the schema being translated; pushed and truncated around each child.
    pointer: String,
}

impl Context<'_> {
    fn note(&mut self, message: impl Into<String>) {
        self.notes.push(Note {
            pointer: self.pointer.clone(),
            message: message.into(),
            moved: None,
        });
    }

    fn note_at(&mut self, keyword: &str, message: impl Into<String>) {
        self.notes.push(Note {
            pointer: pointer::join(&self.pointer, keyword),
            message: message.into(),
            moved: None,
        });
    }

    fn legacy(&self) -> bool {
        self.dialect != Dialect::Oas31
    }

    fn schema(&mut self, schema: &mut Value, depth: usize) {
        let map = match schema {
            Value::Object(map) => map,
            Value::Bool(_) => return,
            _ => return self.note("schema is neither an object nor a boolean; left as is"),
        };
        if depth > MAX_SCHEMA_DEPTH {
            return self.note(format!(
                "schema nesting exceeds {MAX_SCHEMA_DEPTH} levels; deeper subschemas left untranslated"
            ));
        }
        if map.contains_key("$ref") {
            self.rewrite_ref(map);
            if self.legacy() {
                return self.legacy_ref(map, depth);
            }
        }
        if self.legacy() {
            self.legacy_keywords(map);
        }
        self.int_format_bounds(map);
        self.children(map, depth);
    }

    fn rewrite_ref(&mut self, map: &mut Map<String, Value>) {
        match map.get_mut("$ref") {
            Some(Value::String(target)) => (self.rewrite_ref)(target),
            _ => self.note_at("$ref", "`$ref` is not a string; left as is"),
        }
    }

    /// A 3.0/2.0 `{$ref, ...siblings}`. The spec says siblings are ignored, but they are kept
    /// and applied (as 2020-12 and json-schema-ref-parser, hence Prism, do) with a note:
    /// dropping them would break other `$ref`s that point into them (bundled specs do that,
    /// e.g. `#/paths/…/schema/allOf/3/…`), and authors who write `required` or `type` there
    /// mean it. A `nullable: true` sibling becomes `anyOf: [{$ref, …}, {type: null}]`.
    fn legacy_ref(&mut self, map: &mut Map<String, Value>, depth: usize) {
        let nullable = self.take_nullable(map) == Some(true);
        // A sibling that cannot be a keyword (`allOf` written as an object: a bundler artifact
        // that 3.0 ignores) is kept under `x-mockgen-ignored`, where refs into it still resolve.
        let misshapen: Vec<String> = map
            .iter()
            .filter(|(k, v)| !keyword_shape_ok(k, v))
            .map(|(k, _)| k.clone())
            .collect();
        for key in misshapen {
            if let Some(value) = map.remove(&key) {
                let ignored = map
                    .entry(IGNORED_SIBLINGS.to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(ignored) = ignored {
                    ignored.insert(key.clone(), value);
                }
                let from = pointer::join(&self.pointer, &key);
                let to = pointer::join(&pointer::join(&self.pointer, IGNORED_SIBLINGS), &key);
                self.notes.push(Note {
                    pointer: from.clone(),
                    message: format!("`{key}` next to `$ref` is not a valid keyword here and is ignored (as OpenAPI 3.0 ignores `$ref` siblings)"),
                    moved: Some((from, to)),
                });
            }
        }
        let applied: Vec<String> = map
            .keys()
            .filter(|k| {
                *k != "$ref" && !REF_ANNOTATIONS.contains(&k.as_str()) && !k.starts_with("x-")
            })
            .cloned()
            .collect();
        if !applied.is_empty() {
            self.note(format!(
                "keywords next to `$ref` are ignored by OpenAPI 3.0 and Swagger 2.0; mockgen applies them, as most tools do: {}",
                applied.join(", ")
            ));
        }
        self.legacy_keywords(map);
        self.int_format_bounds(map);
        self.children(map, depth);
        if nullable {
            // Validation keywords move into the first branch so that `null` stays valid.
            let mut branch = Map::new();
            for key in std::iter::once("$ref".to_owned()).chain(applied) {
                if let Some(v) = map.remove(&key) {
                    branch.insert(key, v);
                }
            }
            map.insert("anyOf".to_owned(), json!([branch, { "type": "null" }]));
            self.note("`nullable` next to `$ref` translated to `anyOf: [$ref, {type: null}]`");
        }
    }

    /// Remove `nullable` (3.0) and `x-nullable` (2.0) and return the boolean value. Both names
    /// are honoured in both dialects: 3.0 documents converted from 2.0 often keep `x-nullable`.
    fn take_nullable(&mut self, map: &mut Map<String, Value>) -> Option<bool> {
        let mut result = None;
        for keyword in ["nullable", "x-nullable"] {
            match map.get(keyword) {
                Some(Value::Bool(flag)) => {
                    result = Some(result.unwrap_or(false) || *flag);
                    map.remove(keyword);
                }
                Some(_) => self.note_at(keyword, "not a boolean; left as is"),
                None => {}
            }
        }
        result
    }

    fn legacy_keywords(&mut self, map: &mut Map<String, Value>) {
        if self.dialect == Dialect::Swagger20 {
            if map.get("type").and_then(Value::as_str) == Some("file") {
                map.insert("type".to_owned(), json!("string"));
                map.insert("format".to_owned(), json!("binary"));
            }
            if let Some(Value::String(name)) = map.get("discriminator") {
                let discriminator = json!({ "propertyName": name });
                map.insert("discriminator".to_owned(), discriminator);
            }
        }
        if self.take_nullable(map) == Some(true) {
            self.nullable(map);
        }
        self.exclusive_bound(map, "exclusiveMinimum", "minimum");
        self.exclusive_bound(map, "exclusiveMaximum", "maximum");
        self.example_to_examples(map);
        // 3.0 forbids array-form `items`, but 2.0 tooling emits it: it is a tuple, which
        // 2020-12 spells `prefixItems`, with `additionalItems` becoming `items`.
        if let Some(Value::Array(_)) = map.get("items") {
            if let Some(tuple) = map.remove("items") {
                map.insert("prefixItems".to_owned(), tuple);
            }
            if let Some(rest) = map.remove("additionalItems") {
                map.insert("items".to_owned(), rest);
            }
        }
    }

    /// Apply `nullable: true`: add `"null"` to `type`. Without `type`, OAS 3.0.3 says nullable
    /// has no effect, so it is just dropped.
    ///
    /// Policy for `enum`: `null` is added to the enum too. The OAI clarification (3.0.3) says a
    /// nullable enum must list `null` explicitly, but many tools and hand-written specs expect
    /// `nullable` alone to admit `null`; a mock server that rejected it would be less useful.
    fn nullable(&mut self, map: &mut Map<String, Value>) {
        match map.get_mut("type") {
            Some(single @ Value::String(_)) => {
                if single != "null" {
                    *single = json!([single.take(), "null"]);
                }
            }
            Some(Value::Array(names)) => {
                if !names.iter().any(|n| n == "null") {
                    names.push(json!("null"));
                }
            }
            Some(_) => return self.note_at("type", "`type` is neither a string nor an array"),
            None => {
                return self.note("`nullable` without `type`: a schema without `type` already accepts null; dropped");
            }
        }
        if let Some(Value::Array(values)) = map.get_mut("enum")
            && !values.iter().any(Value::is_null)
        {
            values.push(Value::Null);
        }
    }

    /// 3.0/2.0 boolean `exclusiveMinimum: true` modifies `minimum`; 2020-12 holds the bound in
    /// `exclusiveMinimum` itself.
    fn exclusive_bound(&mut self, map: &mut Map<String, Value>, exclusive: &str, bound: &str) {
        let Some(Value::Bool(flag)) = map.get(exclusive) else {
            return;
        };
        let flag = *flag;
        map.remove(exclusive);
        if !flag {
            return;
        }
        match map.remove(bound) {
            Some(value) => {
                map.insert(exclusive.to_owned(), value);
            }
            None => self.note_at(exclusive, format!("`{exclusive}: true` without `{bound}`")),
        }
    }

    /// `example: v` becomes `examples: [v]`. A 3.0 schema's `examples` is no keyword, so when
    /// both exist `example` goes first and an array `examples` keeps its items after it.
    fn example_to_examples(&mut self, map: &mut Map<String, Value>) {
        let Some(example) = map.remove("example") else {
            return;
        };
        match map.get_mut("examples") {
            Some(Value::Array(examples)) => examples.insert(0, example),
            Some(_) => {
                self.note_at(
                    "examples",
                    "replaced by `[example]` (not a keyword in a 3.0 schema)",
                );
                map.insert("examples".to_owned(), json!([example]));
            }
            None => {
                map.insert("examples".to_owned(), json!([example]));
            }
        }
    }

    /// `format: int32`/`int64` mean a range; make it a constraint the validator checks. A side
    /// that already has a bound (inclusive or exclusive) is left alone.
    fn int_format_bounds(&mut self, map: &mut Map<String, Value>) {
        let (low, high) = match map.get("format").and_then(Value::as_str) {
            Some("int32") => (json!(i32::MIN), json!(i32::MAX)),
            Some("int64") => (json!(i64::MIN), json!(i64::MAX)),
            _ => return,
        };
        let numeric = |t: &Value| t == "integer" || t == "number";
        let typed = match map.get("type") {
            Some(Value::Array(types)) => types.iter().any(numeric),
            Some(t) => numeric(t),
            None => false,
        };
        if !typed {
            return;
        }
        if !map.contains_key("minimum") && !map.contains_key("exclusiveMinimum") {
            map.insert("minimum".to_owned(), low);
        }
        if !map.contains_key("maximum") && !map.contains_key("exclusiveMaximum") {
            map.insert("maximum".to_owned(), high);
        }
    }

    fn children(&mut self, map: &mut Map<String, Value>, depth: usize) {
        for (key, value) in map.iter_mut() {
            let key = key.as_str();
            let mark = self.pointer.len();
            pointer::push(&mut self.pointer, key);
            if SCHEMA_MAPS.contains(&key) {
                match value {
                    Value::Object(members) => {
                        for (name, member) in members.iter_mut() {
                            let inner = self.pointer.len();
                            pointer::push(&mut self.pointer, name);
                            self.schema(member, depth + 1);
                            self.pointer.truncate(inner);
                        }
                    }
                    _ => self.note("expected a map of schemas; left as is"),
                }
            } else if SCHEMA_SINGLES.contains(&key) {
                match value {
                    // Array-form `items` left here is 3.1 input (invalid 2020-12, reported by
                    // the validator); still translate the schemas inside it.
                    Value::Array(members) => self.schema_array(members, depth),
                    _ => self.schema(value, depth + 1),
                }
            } else if SCHEMA_ARRAYS.contains(&key) {
                match value {
                    Value::Array(members) => self.schema_array(members, depth),
                    _ => self.note("expected an array of schemas; left as is"),
                }
            }
            self.pointer.truncate(mark);
        }
    }

    fn schema_array(&mut self, members: &mut [Value], depth: usize) {
        for (index, member) in members.iter_mut().enumerate() {
            let inner = self.pointer.len();
            pointer::push(&mut self.pointer, &index.to_string());
            self.schema(member, depth + 1);
            self.pointer.truncate(inner);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn translate(mut schema: Value, dialect: Dialect) -> (Value, Vec<Note>) {
        let mut notes = Vec::new();
        to_2020_12(&mut schema, dialect, &mut |_| {}, &mut notes);
        (schema, notes)
    }

    fn oas30(schema: Value) -> Value {
        translate(schema, Dialect::Oas30).0
    }

    #[test]
    fn nullable_adds_null_to_type() {
        assert_eq!(
            oas30(json!({"type": "string", "nullable": true})),
            json!({"type": ["string", "null"]})
        );
        assert_eq!(
            oas30(json!({"type": ["string", "integer"], "nullable": true})),
            json!({"type": ["string", "integer", "null"]})
        );
        assert_eq!(
            oas30(json!({"type": "string", "nullable": false})),
            json!({"type": "string"})
        );
    }

    #[test]
    fn nullable_without_type_is_dropped() {
        let (out, notes) = translate(
            json!({"nullable": true, "allOf": [{"type": "string"}]}),
            Dialect::Oas30,
        );
        assert_eq!(out, json!({"allOf": [{"type": "string"}]}));
        assert_eq!(notes.len(), 1);
    }

    #[test]
    fn nullable_enum_gains_null() {
        assert_eq!(
            oas30(json!({"type": "string", "enum": ["a", "b"], "nullable": true})),
            json!({"type": ["string", "null"], "enum": ["a", "b", null]})
        );
    }

    #[test]
    fn x_nullable_in_swagger() {
        assert_eq!(
            translate(
                json!({"type": "integer", "x-nullable": true}),
                Dialect::Swagger20
            )
            .0,
            json!({"type": ["integer", "null"]})
        );
    }

    #[test]
    fn nullable_ref_becomes_any_of() {
        let (out, notes) = translate(
            json!({"$ref": "#/components/schemas/Pet", "nullable": true, "description": "d",
                   "type": "object", "readOnly": true}),
            Dialect::Oas30,
        );
        assert_eq!(
            out,
            json!({"description": "d", "readOnly": true,
                   "anyOf": [{"$ref": "#/components/schemas/Pet", "type": "object"}, {"type": "null"}]})
        );
        assert_eq!(notes.len(), 2, "{notes:?}");
    }

    #[test]
    fn ref_siblings_kept_and_translated_in_legacy_untouched_in_31() {
        let input = json!({"$ref": "#/a", "type": "string", "title": "t", "example": 1, "x-k": 1});
        assert_eq!(
            oas30(input.clone()),
            json!({"$ref": "#/a", "type": "string", "title": "t", "examples": [1], "x-k": 1})
        );
        // Subschemas next to the `$ref` stay where other refs may point, translated.
        assert_eq!(
            oas30(json!({"$ref": "#/a", "allOf": [{"type": "string", "nullable": true}]})),
            json!({"$ref": "#/a", "allOf": [{"type": ["string", "null"]}]})
        );
        assert_eq!(translate(input.clone(), Dialect::Oas31).0, input);
    }

    #[test]
    fn refs_are_rewritten_everywhere() {
        let mut schema = json!({
            "$ref": "#/definitions/A",
            "properties": {"x": {"$ref": "#/definitions/B"}}
        });
        let mut seen = Vec::new();
        to_2020_12(
            &mut schema,
            Dialect::Oas31,
            &mut |r: &mut String| {
                seen.push(r.clone());
                *r = r.replace("#/definitions/", "#/components/schemas/");
            },
            &mut Vec::new(),
        );
        assert_eq!(seen, ["#/definitions/A", "#/definitions/B"]);
        assert_eq!(schema["properties"]["x"]["$ref"], "#/components/schemas/B");
        assert_eq!(schema["$ref"], "#/components/schemas/A");
    }

    #[test]
    fn boolean_exclusive_bounds() {
        assert_eq!(
            oas30(
                json!({"type": "number", "minimum": 1, "exclusiveMinimum": true,
                         "maximum": 9, "exclusiveMaximum": false})
            ),
            json!({"type": "number", "exclusiveMinimum": 1, "maximum": 9})
        );
        // Numeric form is already 2020-12 and stays.
        assert_eq!(
            oas30(json!({"exclusiveMaximum": 5})),
            json!({"exclusiveMaximum": 5})
        );
        let (out, notes) = translate(json!({"exclusiveMinimum": true}), Dialect::Oas30);
        assert_eq!((out, notes.len()), (json!({}), 1));
    }

    #[test]
    fn example_becomes_examples() {
        assert_eq!(oas30(json!({"example": 3})), json!({"examples": [3]}));
        assert_eq!(
            oas30(json!({"example": 3, "examples": [4]})),
            json!({"examples": [3, 4]})
        );
        assert_eq!(
            oas30(json!({"example": 3, "examples": {"a": 4}})),
            json!({"examples": [3]})
        );
        // 3.1 keeps the deprecated `example` as it is.
        assert_eq!(
            translate(json!({"example": 3}), Dialect::Oas31).0,
            json!({"example": 3})
        );
    }

    #[test]
    fn swagger_file_and_discriminator() {
        assert_eq!(
            translate(json!({"type": "file"}), Dialect::Swagger20).0,
            json!({"type": "string", "format": "binary"})
        );
        assert_eq!(
            translate(json!({"discriminator": "kind"}), Dialect::Swagger20).0,
            json!({"discriminator": {"propertyName": "kind"}})
        );
    }

    #[test]
    fn int_formats_gain_bounds_in_every_dialect() {
        for dialect in [Dialect::Swagger20, Dialect::Oas30, Dialect::Oas31] {
            assert_eq!(
                translate(json!({"type": "integer", "format": "int32"}), dialect).0,
                json!({"type": "integer", "format": "int32",
                       "minimum": -2147483648_i64, "maximum": 2147483647})
            );
        }
        assert_eq!(
            oas30(json!({"type": "integer", "format": "int64", "minimum": 0})),
            json!({"type": "integer", "format": "int64", "minimum": 0,
                   "maximum": 9223372036854775807_i64})
        );
        assert_eq!(
            oas30(json!({"type": ["integer", "null"], "format": "int64",
                         "exclusiveMaximum": 10})),
            json!({"type": ["integer", "null"], "format": "int64", "exclusiveMaximum": 10,
                   "minimum": -9223372036854775808_i64})
        );
        // Exclusive bound translated first, then it counts as a bound.
        assert_eq!(
            oas30(json!({"type": "integer", "format": "int32", "minimum": 0,
                         "exclusiveMinimum": true})),
            json!({"type": "integer", "format": "int32", "exclusiveMinimum": 0,
                   "maximum": 2147483647})
        );
        // Strings that carry int64 in text keep no numeric bounds.
        assert_eq!(
            oas30(json!({"type": "string", "format": "int64"})),
            json!({"type": "string", "format": "int64"})
        );
    }

    #[test]
    fn tuple_items_become_prefix_items() {
        assert_eq!(
            oas30(json!({"items": [{"type": "string", "nullable": true}],
                         "additionalItems": false})),
            json!({"prefixItems": [{"type": ["string", "null"]}], "items": false})
        );
        assert_eq!(
            oas30(json!({"items": [{"type": "string"}]})),
            json!({"prefixItems": [{"type": "string"}]})
        );
    }

    #[test]
    fn annotations_are_untouched() {
        let input = json!({"type": "object", "discriminator": {"propertyName": "k"},
            "readOnly": true, "writeOnly": false, "xml": {"name": "x"}, "format": "uuid",
            "externalDocs": {"url": "u"}, "x-extra": {"nullable": true}});
        assert_eq!(oas30(input.clone()), input);
    }

    #[test]
    fn recurses_into_every_subschema_location() {
        let n = || json!({"type": "string", "nullable": true});
        let t = || json!({"type": ["string", "null"]});
        let input = json!({
            "properties": {"a": n()}, "patternProperties": {"^x": n()},
            "additionalProperties": n(), "items": n(), "allOf": [n()], "anyOf": [n()],
            "oneOf": [n(), n()], "not": n(), "if": n(), "then": n(), "else": n(),
            "dependentSchemas": {"a": n()}, "contains": n(), "propertyNames": n(),
            "$defs": {"a": n()}, "definitions": {"a": n()}, "unevaluatedProperties": n(),
            "unevaluatedItems": n(), "prefixItems": [n()]
        });
        let expected = json!({
            "properties": {"a": t()}, "patternProperties": {"^x": t()},
            "additionalProperties": t(), "items": t(), "allOf": [t()], "anyOf": [t()],
            "oneOf": [t(), t()], "not": t(), "if": t(), "then": t(), "else": t(),
            "dependentSchemas": {"a": t()}, "contains": t(), "propertyNames": t(),
            "$defs": {"a": t()}, "definitions": {"a": t()}, "unevaluatedProperties": t(),
            "unevaluatedItems": t(), "prefixItems": [t()]
        });
        assert_eq!(oas30(input), expected);
    }

    #[test]
    fn data_keywords_are_not_schemas() {
        let input = json!({
            "default": {"nullable": true, "type": "string"},
            "enum": [{"example": 1}],
            "const": {"exclusiveMinimum": true},
            "examples": [{"type": "string", "nullable": true}],
            "x-schema": {"type": "string", "nullable": true}
        });
        assert_eq!(oas30(input.clone()), input);
    }

    #[test]
    fn odd_input_is_noted_not_panicked() {
        let (out, notes) = translate(
            json!({"properties": [1, 2], "type": 5, "nullable": true, "allOf": {"a": 1},
                   "items": 7, "$ref": 3, "not": null}),
            Dialect::Oas31,
        );
        assert_eq!(out["properties"], json!([1, 2]));
        let pointers: Vec<_> = notes.iter().map(|n| n.pointer.as_str()).collect();
        assert!(pointers.contains(&"/properties"), "{notes:?}");
        assert!(pointers.contains(&"/items"), "{notes:?}");
        assert!(pointers.contains(&"/$ref"), "{notes:?}");
        assert!(pointers.contains(&"/not"), "{notes:?}");
        assert!(pointers.contains(&"/allOf"), "{notes:?}");

        let (_, notes) = translate(json!({"type": 5, "nullable": true}), Dialect::Oas30);
        assert_eq!(notes[0].pointer, "/type");
        for odd in [json!(1), json!("x"), json!(null), json!([{}])] {
            assert_eq!(translate(odd.clone(), Dialect::Oas30).0, odd);
        }
        assert_eq!(
            translate(json!(false), Dialect::Oas30),
            (json!(false), vec![])
        );
    }

    #[test]
    fn note_pointers_are_escaped() {
        let (_, notes) = translate(
            json!({"properties": {"a/b": {"properties": {"~": 1}}}}),
            Dialect::Oas30,
        );
        assert_eq!(notes[0].pointer, "/properties/a~1b/properties/~0");
    }

    #[test]
    fn deep_nesting_is_limited() {
        // 10k levels would overflow the stack if translation recursed without a limit.
        let mut schema = json!({"type": "string", "nullable": true});
        for _ in 0..10_000 {
            let mut map = Map::new();
            map.insert("not".to_owned(), schema);
            schema = Value::Object(map);
        }
        let (schema, notes) = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                let mut notes = Vec::new();
                to_2020_12(&mut schema, Dialect::Oas30, &mut |_| {}, &mut notes);
                (schema, notes)
            })
            .expect("spawn")
            .join()
            .expect("no overflow");
        assert_eq!(notes.len(), 1);
        assert!(notes[0].message.contains("512"));
        assert_eq!(
            notes[0].pointer.matches("/not").count(),
            MAX_SCHEMA_DEPTH + 1
        );
        // serde_json drops recursively; leak the tower instead of overflowing in the test.
        std::mem::forget(schema);
    }
}
