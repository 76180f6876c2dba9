//! Request body checks: size, presence, content type, syntax and schema.

use crate::problem::{Entry, problem};
use crate::{Engine, MockRequest, decode, header, violation_entry};
use mockgen_media::Kind;
use mockgen_schema::SlotId;
use mockgen_spec::{Loc, MediaType, RequestBody, Spec, media_essence};
use serde_json::{Map, Value};

/// Check the body of `req` against `rb`; hard failures (413, 415, 400) are returned as the
/// response, schema violations are added to `entries`.
pub fn check(
    engine: &Engine,
    rb: &RequestBody,
    slots: &[Option<SlotId>],
    req: &MockRequest<'_>,
    entries: &mut Vec<Entry>,
) -> Result<(), crate::MockResponse> {
    if req.body.len() > engine.options.max_body {
        return Err(problem(
            413,
            "PAYLOAD_TOO_LARGE",
            "Request body too large",
            &format!(
                "The request body has {} bytes; at most {} are accepted.",
                req.body.len(),
                engine.options.max_body
            ),
        ));
    }
    if req.body.is_empty() {
        if rb.required {
            entries.push(Entry {
                location: vec!["body".into()],
                code: "required".into(),
                message: "Body parameter is required".into(),
            });
        }
        return Ok(());
    }
    if rb.content.is_empty() {
        return Ok(());
    }
    let content_type = header(req.headers, "content-type");
    let index = match content_type {
        None => Some(0),
        Some(ct) => find_media(&rb.content, &media_essence(ct)),
    };
    let Some(index) = index else {
        return Err(problem(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "Unsupported media type",
            &format!(
                "The content type {} is not one of: {}",
                content_type.unwrap_or_default(),
                rb.content
                    .iter()
                    .map(|m| m.media_type.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    };
    let Some(media) = rb.content.get(index) else {
        return Ok(());
    };
    let slot = slots.get(index).copied().flatten();
    let effective = content_type.unwrap_or(&media.media_type);
    let value = match mockgen_media::kind(effective) {
        Kind::Json => {
            let Ok(text) = std::str::from_utf8(req.body) else {
                return Err(problem(
                    400,
                    "INVALID_BODY",
                    "Invalid request body",
                    "The JSON body is not valid UTF-8.",
                ));
            };
            match serde_json::from_str::<Value>(text) {
                Ok(v) => v,
                Err(e) => {
                    return Err(problem(
                        400,
                        "INVALID_BODY",
                        "Invalid request body",
                        &format!(
                            "The JSON body does not parse: {} at line {} column {}.",
                            strip_position(&e.to_string()),
                            e.line(),
                            e.column()
                        ),
                    ));
                }
            }
        }
        Kind::Form => {
            let text = String::from_utf8_lossy(req.body);
            parse_form(&engine.spec, media.schema.as_ref(), &text)
        }
        _ => return Ok(()),
    };
    if let Some(slot) = slot {
        let base = vec!["body".to_owned()];
        for v in engine.validator.validate(slot, &value) {
            entries.push(violation_entry(&base, v));
        }
    }
    Ok(())
}

/// serde_json's message without its own " at line L column C" tail.
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |i| &message[..i])
}

/// The declared media type a request content type matches: exact essence first, then a
/// declared wildcard (`type/*`, `*/*`), then structured-syntax suffix (`+json`).
fn find_media(content: &[MediaType], essence: &str) -> Option<usize> {
    let essences: Vec<String> = content
        .iter()
        .map(|m| media_essence(&m.media_type))
        .collect();
    let (top, sub) = essence.split_once('/').unwrap_or((essence, ""));
    if let Some(i) = essences.iter().position(|e| e == essence) {
        return Some(i);
    }
    if let Some(i) = essences.iter().position(|e| {
        let (dt, ds) = e.split_once('/').unwrap_or((e.as_str(), ""));
        e == "*/*" || (ds == "*" && dt == top)
    }) {
        return Some(i);
    }
    let suffix = sub.rsplit_once('+').map(|(_, s)| s);
    essences.iter().position(|e| {
        let (dt, ds) = e.split_once('/').unwrap_or((e.as_str(), ""));
        let dsuffix = ds.rsplit_once('+').map(|(_, s)| s);
        dt == top && (suffix == Some(ds) || dsuffix == Some(sub))
    })
}

/// The schema at `loc`, following local `$ref`s a few times.
fn resolve<'a>(spec: &'a Spec, loc: &Loc) -> Option<&'a Value> {
    let doc = spec.documents.get(loc.doc)?;
    let mut node = doc.pointer(&loc.pointer)?;
    for _ in 0..8 {
        match node.get("$ref").and_then(Value::as_str) {
            Some(r) if r.starts_with('#') => {
                let pointer = decode(&r[1..]);
                node = doc.pointer(&pointer)?;
            }
            _ => break,
        }
    }
    Some(node)
}

fn first_type(schema: &Value) -> Option<&str> {
    match schema.get("type")? {
        Value::String(s) => Some(s),
        Value::Array(a) => a.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    }
}

/// Parse a form body into an object, coercing simple property types.
fn parse_form(spec: &Spec, schema: Option<&Loc>, text: &str) -> Value {
    let root = schema.and_then(|l| resolve(spec, l));
    let props = root
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object);
    let prop_schema = |name: &str| -> Option<&Value> {
        let p = props?.get(name)?;
        match p.get("$ref").and_then(Value::as_str) {
            Some(r) if r.starts_with('#') => schema
                .and_then(|l| spec.documents.get(l.doc))
                .and_then(|d| d.pointer(&decode(&r[1..]))),
            _ => Some(p),
        }
    };
    let scalar = |s: Option<&Value>, raw: String| -> Value {
        match s.and_then(first_type) {
            Some("integer") => raw
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or(Value::String(raw)),
            Some("number") => raw
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .unwrap_or(Value::String(raw)),
            Some("boolean") => match raw.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => Value::String(raw),
            },
            _ => Value::String(raw),
        }
    };
    let mut map = Map::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = (decode(k), decode(v));
        let ps = prop_schema(&k);
        if ps.and_then(first_type) == Some("array") {
            let item = ps.and_then(|s| s.get("items"));
            let value = scalar(item, v);
            match map.entry(k).or_insert_with(|| Value::Array(Vec::new())) {
                Value::Array(a) => a.push(value),
                other => *other = Value::Array(vec![value]),
            }
        } else {
            let value = scalar(ps, v);
            map.insert(k, value);
        }
    }
    Value::Object(map)
}
