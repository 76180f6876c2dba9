//! Rendering one declared response: content negotiation, the body (examples first, else
//! generated), its `Content-Type`, the declared headers, and the check of all of them
//! against the response's schemas (for `--errors` and the request log). Static renders are
//! cached (see [`crate::cache`]).

use crate::cache::{Key, Rendered};
use crate::problem::{Entry, problem};
use crate::{Engine, MockRequest, MockResponse, header, negotiate, violation_entry};
use mockgen_media::Kind;
use mockgen_schema::{SlotId, View};
use mockgen_spec::{Header, Operation, Response};
use mockgen_synth::{ErrorKind, Source};
use serde_json::Value;
use std::sync::Arc;

/// Validator slots of one declared response (View::Response).
#[derive(Debug, Default)]
pub struct ResponseSlots {
    /// Per media type of `content`.
    pub body: Vec<Option<SlotId>>,
    /// Per declared header.
    pub headers: Vec<Option<SlotId>>,
}

/// Which response to render, and how.
pub struct Target<'a> {
    pub op_index: usize,
    pub op: &'a Operation,
    pub resp_index: usize,
    pub resp: &'a Response,
    pub status: u16,
    /// A named example asked for (`Prefer: example=…`).
    pub example: Option<&'a str>,
    /// Fresh data per request, ignoring examples.
    pub dynamic: bool,
    /// A per-request seed (`Prefer: seed=…`).
    pub seed: Option<&'a str>,
    /// The request path and (Prefer-free) query: what a static body derives from.
    pub path: &'a str,
    pub query: &'a str,
    /// A body chosen by a hook: sent instead of examples or generated data, checked against
    /// the schema like an example, never cached.
    pub inline: Option<&'a Value>,
}

/// Headers hyper computes from the body itself; declared ones are not sent.
fn framing(name: &str) -> bool {
    name.eq_ignore_ascii_case("content-type")
        || name.eq_ignore_ascii_case("content-length")
        || name.eq_ignore_ascii_case("transfer-encoding")
}

impl Engine {
    /// Render `t`: `Err` is a ready answer (404 for an unknown example, 406, 500 when no
    /// body can be generated).
    pub(crate) fn render(
        &self,
        t: &Target<'_>,
        req: &MockRequest<'_>,
    ) -> Result<Arc<Rendered>, MockResponse> {
        let media = if t.resp.content.is_empty() {
            if let Some(name) = t.example {
                return Err(no_example(name));
            }
            None
        } else {
            let accept = header(req.headers, "accept");
            let Some(index) = negotiate::choose(&t.resp.content, accept) else {
                return Err(not_acceptable(t.resp, accept));
            };
            Some(index)
        };
        // Static renders are deterministic: reuse them.
        let cacheable = !t.dynamic && t.inline.is_none();
        let key = Key {
            op: t.op_index,
            resp: t.resp_index,
            status: t.status,
            media,
            example: t.example,
            seed: t.seed,
            path: t.path,
            query: t.query,
        };
        if cacheable && let Some(hit) = self.cache.get(&key) {
            return Ok(hit);
        }
        let rendered = Arc::new(self.render_fresh(t, media)?);
        if cacheable {
            self.cache.insert(&key, Arc::clone(&rendered));
        }
        Ok(rendered)
    }

    fn render_fresh(&self, t: &Target<'_>, media: Option<usize>) -> Result<Rendered, MockResponse> {
        let seed_part = t.seed.map(|s| format!("seed={s}"));
        let counter;
        let mut key: Vec<&str> = Vec::with_capacity(3);
        if let Some(s) = &seed_part {
            key.push(s);
        }
        if t.dynamic {
            if seed_part.is_none() {
                counter = self
                    .counter
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                    .to_string();
                key.push(&counter);
            }
        } else {
            key.push(t.path);
            key.push(t.query);
        }
        let slots = self
            .response_slots
            .get(t.op_index)
            .and_then(|r| r.get(t.resp_index));
        let mut out = Rendered {
            status: t.status,
            media,
            ..Rendered::default()
        };
        let mut body_from_example = true;
        if let Some(index) = media
            && let Some(m) = t.resp.content.get(index)
        {
            // Generated bodies are best effort: a schema no value satisfies (a spec bug) still
            // gets a body, sent with its violations in the log (and a 500 with `--errors`).
            let mut unsatisfied = Vec::new();
            let generated = match (&m.schema, t.dynamic, t.example) {
                _ if t.inline.is_some() => Ok((
                    t.inline.cloned().unwrap_or(Value::Null),
                    Source::Example(None),
                    Vec::new(),
                )),
                (Some(schema), true, None) => {
                    let mut k = vec![t.op.id.as_str(), "dynamic"];
                    k.extend_from_slice(&key);
                    self.synth
                        .generate_best_effort(schema, View::Response, &k)
                        .map(|(v, violations)| (v, Source::Generated, violations))
                }
                _ => self
                    .synth
                    .response_body_best_effort(t.op, t.resp, m, t.example, &key),
            };
            let value = match generated {
                Ok((v, source, violations)) => {
                    unsatisfied = violations;
                    Some((v, source))
                }
                Err(e) if e.kind == ErrorKind::NoSuchExample => {
                    return Err(no_example(t.example.unwrap_or_default()));
                }
                // Neither schema nor example: any value is valid. JSON still needs a
                // parseable body (`{}`); other media types are sent empty but labelled.
                Err(e) if e.kind == ErrorKind::NoSchema => {
                    let content_type = negotiate::concrete(&m.media_type);
                    if mockgen_media::kind(&content_type) == mockgen_media::Kind::Json {
                        Some((Value::Object(serde_json::Map::new()), Source::Generated))
                    } else {
                        out.headers
                            .push(("Content-Type".to_owned(), content_type.into_owned()));
                        None
                    }
                }
                Err(e) => {
                    return Err(problem(
                        500,
                        "GENERATION_FAILED",
                        "Cannot generate a response body",
                        &e.to_string(),
                    ));
                }
            };
            if let Some((mut v, mut source)) = value {
                let slot = slots.and_then(|s| s.body.get(index)).copied().flatten();
                // An example the document got wrong is not served unless asked for by name
                // (or `--errors` is on, which exists to show it): the body is generated from
                // the schema instead.
                if source != Source::Generated
                    && t.example.is_none()
                    && t.inline.is_none()
                    && !self.options.validate_responses
                    && let (Some(slot), Some(schema)) = (slot, &m.schema)
                    && !self.validator.is_valid(slot, &v)
                {
                    let status = t.resp.status.to_string();
                    let mut k = vec![t.op.id.as_str(), status.as_str(), m.media_type.as_str()];
                    k.extend_from_slice(&key);
                    if let Ok(generated) = self.synth.generate(schema, View::Response, &k) {
                        v = generated;
                        source = Source::Generated;
                    }
                }
                let content_type = negotiate::concrete(&m.media_type);
                out.body = mockgen_media::encode(&self.spec, m.schema.as_ref(), &content_type, &v);
                out.headers
                    .push(("Content-Type".to_owned(), content_type.into_owned()));
                body_from_example = source != Source::Generated;
                // Generated values were checked by the generator already (a best-effort one
                // came back with its violations).
                if !unsatisfied.is_empty() {
                    let base = ["response".to_owned(), "body".to_owned()];
                    for violation in unsatisfied {
                        out.violations.push(violation_entry(&base, violation));
                    }
                } else if (self.options.validate_responses || body_from_example)
                    && let Some(slot) = slot
                {
                    let base = ["response".to_owned(), "body".to_owned()];
                    for violation in self.validator.validate(slot, &v) {
                        out.violations.push(violation_entry(&base, violation));
                    }
                }
            }
        }
        let mut headers_from_examples = true;
        for (i, h) in t.resp.headers.iter().enumerate() {
            if framing(&h.name) {
                continue;
            }
            let (value, from_example, best_effort) = self.header_value(t.op, h, &key);
            headers_from_examples &= from_example;
            let Some(value) = value else {
                if h.required {
                    out.violations.push(Entry {
                        location: vec!["response".into(), "header".into(), h.name.clone()],
                        code: "required".into(),
                        message: format!(
                            "required header `{}` has neither an example nor a schema",
                            h.name
                        ),
                    });
                }
                continue;
            };
            if (self.options.validate_responses || from_example || best_effort)
                && let Some(slot) = slots.and_then(|s| s.headers.get(i)).copied().flatten()
            {
                let base = ["response".to_owned(), "header".to_owned(), h.name.clone()];
                for violation in self.validator.validate(slot, &value) {
                    out.violations.push(violation_entry(&base, violation));
                }
            }
            let text = if h.schema.is_none()
                && h.content
                    .first()
                    .is_some_and(|m| mockgen_media::kind(&m.media_type) == Kind::Json)
            {
                match value {
                    Value::String(s) => s,
                    other => other.to_string(),
                }
            } else {
                simple_style(&value)
            };
            out.headers.push((h.name.clone(), header_safe(text)));
        }
        out.url_independent = body_from_example && headers_from_examples;
        Ok(out)
    }

    /// A declared header's value: its example, else its content's example, else generated
    /// from its (or its content's) schema, best effort. The flags say whether it came from an
    /// example, and whether it is a best-effort value that breaks its schema.
    fn header_value(
        &self,
        op: &Operation,
        h: &Header,
        key: &[&str],
    ) -> (Option<Value>, bool, bool) {
        let example = h
            .examples
            .iter()
            .chain(h.content.iter().flat_map(|m| &m.examples))
            .find_map(|e| e.value.clone());
        if example.is_some() {
            return (example, true, false);
        }
        let Some(schema) = h
            .schema
            .as_ref()
            .or_else(|| h.content.iter().find_map(|m| m.schema.as_ref()))
        else {
            return (None, true, false);
        };
        let mut k: Vec<&str> = vec![&op.id, "header", &h.name];
        k.extend_from_slice(key);
        match self.synth.generate_best_effort(schema, View::Response, &k) {
            Ok((value, violations)) => (Some(value), false, !violations.is_empty()),
            Err(_) => (None, false, false),
        }
    }
}

/// A header value in `simple` style (explode false): scalars as text, arrays
/// comma-separated, objects as `key,value,key,value`.
pub fn simple_style(value: &Value) -> String {
    fn scalar(v: &Value) -> String {
        match v {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            Value::Bool(_) | Value::Number(_) => v.to_string(),
            other => other.to_string(),
        }
    }
    match value {
        Value::Array(items) => items.iter().map(scalar).collect::<Vec<_>>().join(","),
        Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| [k.clone(), scalar(v)])
            .collect::<Vec<_>>()
            .join(","),
        other => scalar(other),
    }
}

/// Header values cannot hold control characters; they become spaces.
fn header_safe(text: String) -> String {
    if text.chars().any(|c| c.is_control() && c != '\t') {
        text.chars()
            .map(|c| if c.is_control() && c != '\t' { ' ' } else { c })
            .collect()
    } else {
        text
    }
}

pub fn no_example(name: &str) -> MockResponse {
    problem(
        404,
        "NOT_FOUND",
        "The server cannot find the requested content",
        &format!("Response for contentType and example `{name}` not found."),
    )
}

fn not_acceptable(resp: &Response, accept: Option<&str>) -> MockResponse {
    problem(
        406,
        "NOT_ACCEPTABLE",
        "The server cannot produce a representation for your accept header",
        &format!(
            "Unable to find content for {}; available: {}",
            accept.unwrap_or_default(),
            resp.content
                .iter()
                .map(|m| m.media_type.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn simple_style_values() {
        assert_eq!(simple_style(&json!(true)), "true");
        assert_eq!(simple_style(&json!(2.5)), "2.5");
        assert_eq!(simple_style(&json!("a b")), "a b");
        assert_eq!(simple_style(&json!([1, "x", false])), "1,x,false");
        assert_eq!(simple_style(&json!({"a": 1, "b": "y"})), "a,1,b,y");
        assert_eq!(header_safe("a\r\nb".to_owned()), "a  b");
    }
}
