//! Request body checks: size, presence, content type, syntax and schema, for every kind of
//! body a spec can declare — JSON (and `+json`), forms, multipart, text, XML and binary.
//! Hard failures (413, 415, 400 for a body that cannot be read) are returned as the
//! response; schema violations join the request's other validation entries.

mod fields;
mod json;
mod multipart;
mod xml;

use crate::problem::{Entry, problem};
use crate::{Engine, MockRequest, header, violation_entry};
use fields::{Field, Raw};
use mockgen_params::schema::{Shape, View};
use mockgen_schema::SlotId;
use mockgen_spec::{MediaType, RequestBody, media_essence};
use serde_json::Value;
use std::borrow::Cow;

/// At most this many body violations are listed; the rest are counted in one last entry.
pub const MAX_ENTRIES: usize = 100;

/// How a body of a given media type is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Json,
    /// `application/x-ndjson`, `application/jsonl`…: one JSON value per line.
    JsonLines,
    /// `application/yaml`, `text/yaml`, `+yaml`: parsed like a YAML spec (YAML 1.2).
    Yaml,
    Form,
    Multipart,
    Xml,
    Text,
    Binary,
}

fn kind(media_type: &str) -> Kind {
    let essence = media_essence(media_type);
    if essence.starts_with("multipart/") {
        return Kind::Multipart;
    }
    let sub = essence.split_once('/').map_or("", |(_, sub)| sub);
    if matches!(
        sub,
        "x-ndjson" | "ndjson" | "jsonl" | "x-jsonlines" | "jsonlines" | "json-seq"
    ) {
        return Kind::JsonLines;
    }
    if matches!(sub, "yaml" | "x-yaml") || sub.ends_with("+yaml") {
        return Kind::Yaml;
    }
    match mockgen_media::kind(media_type) {
        mockgen_media::Kind::Json => Kind::Json,
        mockgen_media::Kind::Form => Kind::Form,
        mockgen_media::Kind::Xml => Kind::Xml,
        mockgen_media::Kind::Text => Kind::Text,
        mockgen_media::Kind::Binary => Kind::Binary,
    }
}

fn bad_body(detail: &str) -> crate::MockResponse {
    problem(400, "INVALID_BODY", "Invalid request body", detail)
}

/// Check the body of `req` against `rb`; hard failures (413, 415, 400) are returned as the
/// response, schema violations are added to `entries`. `Ok(Some(value))` is the body as the
/// JSON value its schema judged (for hooks: stateful stores, rules).
pub fn check(
    engine: &Engine,
    rb: &RequestBody,
    slots: &[Option<SlotId>],
    req: &MockRequest<'_>,
    entries: &mut Vec<Entry>,
) -> Result<Option<Value>, crate::MockResponse> {
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
    let content_type = header(req.headers, "content-type").filter(|c| !c.trim().is_empty());
    // With a Content-Type, an empty text, form or binary body is a value (`""`, `{}`, zero
    // bytes) for the schema to judge; an empty JSON, XML or multipart body is no body.
    let empty_is_value =
        content_type.is_some_and(|ct| matches!(kind(ct), Kind::Text | Kind::Form | Kind::Binary));
    if req.body.is_empty() && !empty_is_value {
        if rb.required || multipart_form_data_2(engine, rb) {
            entries.push(Entry {
                location: vec!["body".into()],
                code: "required".into(),
                message: "Body parameter is required".into(),
            });
        }
        return Ok(None);
    }
    if rb.content.is_empty() {
        return Ok(None);
    }
    let index = match content_type {
        None => Some(guess_media(&rb.content, req.body)),
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
        return Ok(None);
    };
    let slot = slots.get(index).copied().flatten();
    // The request's own type says how to read the body (a declared `*/*` says nothing).
    let effective = content_type.unwrap_or(&media.media_type);
    let mut found: Vec<Entry> = Vec::new();
    let Some(value) = read(engine, media, effective, req.body, &mut found)? else {
        entries.append(&mut found);
        return Ok(None);
    };
    let mut more = 0;
    if let Some(slot) = slot {
        let base = vec!["body".to_owned()];
        let room = (MAX_ENTRIES + 1).saturating_sub(found.len());
        let (violations, rest) = engine.validator.validate_limited(slot, &value, room);
        more = rest;
        for v in violations {
            found.push(violation_entry(&base, v));
        }
    }
    if found.len() > MAX_ENTRIES || more > 0 {
        more += found.len().saturating_sub(MAX_ENTRIES);
        found.truncate(MAX_ENTRIES);
        found.push(Entry {
            location: vec!["body".into()],
            code: "truncated".into(),
            message: if more >= mockgen_schema::MAX_COUNTED {
                format!("…and at least {more} more violations")
            } else {
                format!("…and {more} more violations")
            },
        });
    }
    entries.append(&mut found);
    Ok(Some(value))
}

/// Swagger 2.0 `formData` parameters sent as `multipart/form-data` ARE the body: even with
/// every field optional the request carries a multipart document (an empty one is just the
/// closing delimiter), so no body at all is refused, as Schemathesis expects. (An empty
/// urlencoded form is an empty body, so that one stays optional.)
fn multipart_form_data_2(engine: &Engine, rb: &RequestBody) -> bool {
    engine.spec.version == mockgen_spec::SpecVersion::Swagger20
        && rb.content.len() == 1
        && rb
            .content
            .iter()
            .all(|m| media_essence(&m.media_type) == "multipart/form-data")
}

/// The body as a JSON value to validate; `None` when there is nothing to validate.
pub(crate) fn read(
    engine: &Engine,
    media: &MediaType,
    content_type: &str,
    body: &[u8],
    entries: &mut Vec<Entry>,
) -> Result<Option<Value>, crate::MockResponse> {
    let spec = &engine.spec;
    // Only forms, multipart and XML need the schema's view; JSON bodies skip building it.
    let view = || View::of_loc(spec, media.schema.as_ref());
    Ok(Some(match kind(content_type) {
        Kind::Json => {
            let text = text(body, content_type, "JSON")?;
            // A byte-order mark is not JSON, but some encoders write one.
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            json::parse_str(text).map_err(|e| bad_body(&e))?
        }
        Kind::JsonLines => {
            let text = text(body, content_type, "JSON lines")?;
            let mut items = Vec::new();
            for (n, line) in text.lines().enumerate() {
                // RFC 7464 json-seq records start with RS (0x1E).
                let line = line.trim_start_matches('\u{1e}').trim();
                if line.is_empty() {
                    continue;
                }
                let value =
                    json::parse_str(line).map_err(|e| bad_body(&format!("line {}: {e}", n + 1)))?;
                items.push(value);
            }
            // Several lines are the array of them. One line is that value, unless the schema
            // wants an array and the line is not one (a stream of one item).
            let single =
                items.len() == 1 && (items[0].is_array() || view().shape() != Shape::Array);
            if single {
                items.pop().unwrap_or(Value::Null)
            } else {
                Value::Array(items)
            }
        }
        Kind::Yaml => {
            let text = text(body, content_type, "YAML")?;
            match mockgen_source::parse(&text) {
                Ok(doc) => doc.value,
                Err(e) => {
                    return Err(bad_body(&format!(
                        "The YAML body does not parse: {} at line {} column {}.",
                        e.message, e.line, e.column
                    )));
                }
            }
        }
        Kind::Form => {
            let text = text(body, content_type, "form")?;
            let fields = fields::form(&text).map_err(|e| bad_body(&e))?;
            undeclared_form_data(engine, &view(), &fields, entries);
            fields::assemble(spec, media, fields)
        }
        Kind::Multipart => {
            let parts = multipart::parse(content_type, body).map_err(|e| bad_body(&e))?;
            let view = view();
            let mut list = Vec::with_capacity(parts.len());
            for part in parts {
                let pv = view.property(&part.name);
                if let Some(raw) = part_value(media, &part, &pv, entries) {
                    list.push(Field {
                        name: part.name,
                        raw,
                    });
                }
            }
            undeclared_form_data(engine, &view, &list, entries);
            fields::assemble(spec, media, list)
        }
        Kind::Xml => {
            let text = text(body, content_type, "XML")?;
            let root = xml::parse(&text).map_err(|e| bad_body(&e))?;
            xml::to_value(&root, &view())
        }
        Kind::Text => {
            let text = text(body, content_type, "text")?;
            fields::item(Raw::Text(text.into_owned()), &view())
        }
        Kind::Binary => {
            binary_lengths(&view(), body, entries);
            return Ok(None);
        }
    }))
}

/// Swagger 2.0 `formData` parameters are a closed list: a field none of them declares is
/// refused (the upgraded schema does not say `additionalProperties: false` by itself).
fn undeclared_form_data(
    engine: &Engine,
    view: &View<'_>,
    fields: &[Field],
    entries: &mut Vec<Entry>,
) {
    if engine.spec.version != mockgen_spec::SpecVersion::Swagger20 || view.is_empty() {
        return;
    }
    let declared = view.property_names();
    let mut seen: Vec<&str> = Vec::new();
    for f in fields {
        let name = f.name.as_str();
        if declared.contains(&name) || seen.contains(&name) {
            continue;
        }
        seen.push(name);
        entries.push(Entry {
            location: vec!["body".into(), f.name.clone()],
            code: "additionalProperties".into(),
            message: format!("{name:?} is not a declared formData parameter"),
        });
        if seen.len() >= MAX_ENTRIES {
            return;
        }
    }
}

/// Bytes are not JSON: only the declared byte-length bounds of a binary string are checked.
fn binary_lengths(view: &View<'_>, body: &[u8], entries: &mut Vec<Entry>) {
    let bound = |k: &str| view.keyword(k).and_then(Value::as_u64);
    let len = u64::try_from(body.len()).unwrap_or(u64::MAX);
    if let Some(max) = bound("maxLength").filter(|m| len > *m) {
        entries.push(Entry {
            location: vec!["body".into()],
            code: "maxLength".into(),
            message: format!("the body has {len} bytes; at most {max} are allowed"),
        });
    }
    if let Some(min) = bound("minLength").filter(|m| len < *m) {
        entries.push(Entry {
            location: vec!["body".into()],
            code: "minLength".into(),
            message: format!("the body has {len} bytes; at least {min} are required"),
        });
    }
}

/// One multipart part as a field: JSON parts parsed, files as their bytes (a string for the
/// validator), text parts left for coercion by the schema.
fn part_value(
    media: &MediaType,
    part: &multipart::Part<'_>,
    view: &View<'_>,
    entries: &mut Vec<Entry>,
) -> Option<Raw> {
    let declared = media
        .encoding
        .get(&part.name)
        .and_then(|e| e.content_type.as_deref());
    let ct = part.content_type.as_deref().or(declared);
    let location = || vec!["body".to_owned(), part.name.clone()];
    let binary_schema = view.format().is_some_and(|f| f == "binary" || f == "byte")
        || view.keyword("contentMediaType").is_some()
        || view.keyword("contentEncoding").is_some();
    let part_kind = ct.map(kind);
    if part_kind == Some(Kind::Json) && view.shape() != Shape::Scalar
        || declared.is_some_and(|d| kind(d) == Kind::Json && !d.contains('*'))
    {
        return match json::parse(part.body) {
            Ok(v) => Some(Raw::Value(v)),
            Err(e) => {
                entries.push(Entry {
                    location: location(),
                    code: "syntax".into(),
                    message: e,
                });
                None
            }
        };
    }
    let is_file = binary_schema
        || part.filename.is_some()
        || matches!(part_kind, Some(Kind::Binary | Kind::Multipart));
    if is_file {
        return Some(Raw::Value(Value::String(
            String::from_utf8_lossy(part.body).into_owned(),
        )));
    }
    match std::str::from_utf8(part.body) {
        Ok(s) => Some(Raw::Text(s.to_owned())),
        Err(e) => {
            entries.push(Entry {
                location: location(),
                code: "encoding".into(),
                message: format!(
                    "the part is not valid UTF-8 (invalid byte at offset {})",
                    e.valid_up_to()
                ),
            });
            None
        }
    }
}

/// The body as text in the Content-Type's charset (UTF-8 unless it says ISO-8859-1).
fn text<'a>(
    body: &'a [u8],
    content_type: &str,
    what: &str,
) -> Result<Cow<'a, str>, crate::MockResponse> {
    let charset = multipart::header_param(content_type, "charset")
        .map(|c| c.to_ascii_lowercase())
        .unwrap_or_default();
    match charset.as_str() {
        "" | "utf-8" | "utf8" | "us-ascii" | "ascii" => utf8(body, what)
            .map(Cow::Borrowed)
            .map_err(|e| bad_body(&e)),
        "iso-8859-1" | "latin1" | "latin-1" | "iso_8859-1" => {
            Ok(Cow::Owned(body.iter().map(|b| char::from(*b)).collect()))
        }
        other => Err(problem(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "Unsupported media type",
            &format!("The charset {other:?} is not supported; send UTF-8."),
        )),
    }
}

/// Strict UTF-8, or a sentence naming where the first invalid byte is.
fn utf8<'a>(bytes: &'a [u8], what: &str) -> Result<&'a str, String> {
    std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = position(bytes, e.valid_up_to());
        format!("The {what} body is not valid UTF-8: invalid byte at line {line} column {column}.")
    })
}

/// 1-based line and column (in characters) of byte `offset`.
fn position(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = bytes.get(..offset).unwrap_or(bytes);
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let tail = before.get(start..).unwrap_or_default();
    let column = String::from_utf8_lossy(tail).chars().count() + 1;
    (line, column)
}

/// Without a Content-Type: the only media type, else a JSON one when the body looks like
/// JSON, else the first.
fn guess_media(content: &[MediaType], body: &[u8]) -> usize {
    if content.len() > 1
        && body
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| matches!(b, b'{' | b'['))
        && let Some(i) = content
            .iter()
            .position(|m| kind(&m.media_type) == Kind::Json)
    {
        return i;
    }
    0
}

/// The declared media type a request content type matches: exact essence first, then a
/// declared wildcard (`type/*`, `*/*`), then structured-syntax suffix (`+json`).
pub(crate) fn find_media(content: &[MediaType], essence: &str) -> Option<usize> {
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
