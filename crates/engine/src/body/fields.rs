//! Named fields — `application/x-www-form-urlencoded` pairs and `multipart/form-data` parts —
//! assembled into one JSON object, each coerced by its property schema and its `encoding`
//! (`style`, `explode`, `contentType`): repeated keys and delimited values become arrays,
//! `a[b]=c` keys nested objects, JSON-typed fields parsed.

use mockgen_params::schema::{BOOLEAN, STRING, Shape, View, coerce};
use mockgen_spec::{Encoding, MediaType, Spec, Style};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// More fields than this are refused.
pub const MAX_FIELDS: usize = 10_000;
/// `a[b][c]…` keys deeper than this are taken as plain names.
const MAX_KEY_DEPTH: usize = 8;

/// One field's value before coercion.
#[derive(Debug)]
pub enum Raw {
    /// Text to coerce by the schema.
    Text(String),
    /// Already a value (a parsed JSON part, a file's content).
    Value(Value),
}

#[derive(Debug)]
pub struct Field {
    pub name: String,
    pub raw: Raw,
}

/// Split a form body into fields (`+` is a space, then percent-decoding).
pub fn form(text: &str) -> Result<Vec<Field>, String> {
    let mut fields = Vec::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        if fields.len() == MAX_FIELDS {
            return Err(format!("The form body has more than {MAX_FIELDS} fields."));
        }
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        fields.push(Field {
            name: crate::decode(k),
            raw: Raw::Text(crate::decode(v)),
        });
    }
    Ok(fields)
}

/// The object the fields describe, shaped by the media type's schema.
pub fn assemble(spec: &Spec, media: &MediaType, fields: Vec<Field>) -> Value {
    let view = View::of_loc(spec, media.schema.as_ref());
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, Vec<Raw>> = HashMap::new();
    let mut deep: Vec<(String, Vec<String>, Raw)> = Vec::new();
    for Field { name, raw } in fields {
        if !view.has_property(&name)
            && let Some((base, keys)) = deep_key(&name)
        {
            deep.push((base, keys, raw));
            continue;
        }
        let raw = match (raw, media.encoding.get(&name)) {
            (Raw::Text(s), Some(enc)) if enc.content_type.as_deref().is_some_and(is_json) => {
                match super::json::parse_str(&s) {
                    Ok(v) => Raw::Value(v),
                    Err(_) => Raw::Text(s),
                }
            }
            (raw, _) => raw,
        };
        match groups.get_mut(&name) {
            Some(list) => list.push(raw),
            None => {
                order.push(name.clone());
                groups.insert(name, vec![raw]);
            }
        }
    }
    let mut map = Map::new();
    for name in order {
        let Some(raws) = groups.remove(&name) else {
            continue;
        };
        let value = value_of(raws, &view.property(&name), media.encoding.get(&name));
        map.insert(name, value);
    }
    for (base, keys, raw) in deep {
        let slot = map.entry(base.clone()).or_insert(Value::Null);
        put(slot, &view.property(&base), &keys, raw);
    }
    Value::Object(map)
}

fn is_json(media_type: &str) -> bool {
    mockgen_media::kind(media_type) == mockgen_media::Kind::Json && !media_type.contains('*')
}

/// `a[b][c]` → (`a`, [`b`, `c`]); `None` for a plain name.
fn deep_key(name: &str) -> Option<(String, Vec<String>)> {
    let (base, mut rest) = name.split_once('[')?;
    if base.is_empty() {
        return None;
    }
    let mut keys = Vec::new();
    loop {
        let (key, after) = rest.split_once(']')?;
        if key.contains('[') || keys.len() == MAX_KEY_DEPTH {
            return None;
        }
        keys.push(key.to_owned());
        if after.is_empty() {
            return Some((base.to_owned(), keys));
        }
        rest = after.strip_prefix('[')?;
    }
}

/// One text coerced by `view`; what does not fit stays a string for the validator to report.
pub fn item(raw: Raw, view: &View<'_>) -> Value {
    match raw {
        Raw::Value(v) => v,
        Raw::Text(s) => {
            if matches!(view.shape(), Shape::Object | Shape::Array)
                && s.trim_start().starts_with(['{', '['])
                && let Ok(v) = super::json::parse_str(&s)
            {
                return v;
            }
            // Python's form encoders spell booleans `True`/`False`.
            if view.types() & (BOOLEAN | STRING) == BOOLEAN {
                match s.as_str() {
                    "True" => return Value::Bool(true),
                    "False" => return Value::Bool(false),
                    _ => {}
                }
            }
            coerce(&s, view).unwrap_or(Value::String(s))
        }
    }
}

/// The value of all fields of one name.
fn value_of(mut raws: Vec<Raw>, view: &View<'_>, encoding: Option<&Encoding>) -> Value {
    let style = encoding.and_then(|e| e.style);
    let explode = encoding.and_then(|e| e.explode).unwrap_or(!matches!(
        style,
        Some(Style::SpaceDelimited | Style::PipeDelimited)
    ));
    match view.shape() {
        Shape::Array => {
            let items = view.items();
            if raws.len() == 1 {
                match raws.pop() {
                    Some(Raw::Value(Value::Array(a))) => return Value::Array(a),
                    Some(Raw::Text(s)) => {
                        if !explode {
                            let sep = match style {
                                Some(Style::SpaceDelimited) => ' ',
                                Some(Style::PipeDelimited) => '|',
                                _ => ',',
                            };
                            if s.is_empty() {
                                return Value::Array(Vec::new());
                            }
                            return Value::Array(
                                s.split(sep)
                                    .map(|p| item(Raw::Text(p.to_owned()), &items))
                                    .collect(),
                            );
                        }
                        // One field holding JSON text: an array is the list itself, an object
                        // is an object where a list belongs (the validator says so).
                        if s.trim_start().starts_with(['[', '{'])
                            && let Ok(v @ (Value::Array(_) | Value::Object(_))) =
                                super::json::parse_str(&s)
                        {
                            return v;
                        }
                        raws.push(Raw::Text(s));
                    }
                    Some(raw) => raws.push(raw),
                    None => {}
                }
            }
            Value::Array(raws.into_iter().map(|r| item(r, &items)).collect())
        }
        Shape::Object if raws.len() == 1 => match raws.pop() {
            Some(Raw::Text(s)) if !explode && !s.trim_start().starts_with('{') => {
                // `a=k,v,k,v`
                let parts: Vec<&str> = s.split(',').collect();
                if parts.len().is_multiple_of(2) {
                    let mut map = Map::new();
                    for kv in parts.chunks_exact(2) {
                        map.insert(
                            kv[0].to_owned(),
                            item(Raw::Text(kv[1].to_owned()), &view.property(kv[0])),
                        );
                    }
                    Value::Object(map)
                } else {
                    Value::String(s)
                }
            }
            Some(raw) => item(raw, view),
            None => Value::Null,
        },
        _ if raws.len() == 1 => raws.pop().map_or(Value::Null, |r| item(r, view)),
        // A scalar given more than once is a list: the validator reports the type.
        _ => Value::Array(raws.into_iter().map(|r| item(r, view)).collect()),
    }
}

/// Put one deep-keyed field (`a[b][c]=x`, `a[]=x`, `a[0]=x`) into `slot`.
fn put(slot: &mut Value, view: &View<'_>, keys: &[String], raw: Raw) {
    let Some((key, rest)) = keys.split_first() else {
        let value = item(raw, view);
        match slot {
            Value::Null => *slot = value,
            Value::Array(items) if view.shape() == Shape::Array => items.push(value),
            other => {
                let old = std::mem::take(other);
                *other = Value::Array(vec![old, value]);
            }
        }
        return;
    };
    let is_index = key.is_empty() || key.bytes().all(|b| b.is_ascii_digit());
    if is_index && view.shape() == Shape::Array {
        if !slot.is_array() {
            *slot = Value::Array(Vec::new());
        }
        if let Value::Array(items) = slot {
            let items_view = view.items();
            let mut value = Value::Null;
            put(&mut value, &items_view, rest, raw);
            items.push(value);
        }
        return;
    }
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    if let Value::Object(map) = slot {
        let child = map.entry(key.clone()).or_insert(Value::Null);
        put(child, &view.property(key), rest, raw);
    }
}
