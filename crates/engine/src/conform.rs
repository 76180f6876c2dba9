//! Conformance of real traffic (`mockgen proxy`, `mockgen verify`): is a request one the spec
//! accepts, and is a response one the spec allows for it? The request side runs the mock's own
//! validation (routing, security, parameters, body) without using its answer; the response
//! side checks the status, `Content-Type`, declared headers and the body against the
//! response's schemas in the Response view (readOnly allowed, writeOnly refused).

use crate::{Engine, Exchange, Hook, MockRequest, body, select_code, violation_entry};
use mockgen_schema::View;
use mockgen_spec::{Loc, MediaType, Operation, ParamIn, Parameter, Style, media_essence};
use serde::Serialize;
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};

/// One way a request or response departs from the spec.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable rule id: `request-invalid`, `request-unrouted`, `request-unauthorized`,
    /// `status-undeclared`, `content-type-missing`, `content-type-undeclared`,
    /// `header-missing`, `header-invalid`, `body-missing`, `body-undeclared`,
    /// `body-unparseable`, `body-schema`.
    pub rule: &'static str,
    /// Dotted place, `response.body.items.0.name`, `response.header.X-Rate`, `query.limit`.
    pub location: String,
    /// RFC 6901 pointer inside the checked value (`/items/0/name`); empty for the whole.
    pub pointer: String,
    /// The failing JSON Schema keyword for `body-schema` / `header-invalid`, else empty.
    pub keyword: String,
    pub message: String,
}

impl Finding {
    /// `location: message`, as the request log writes violations.
    pub fn line(&self) -> String {
        format!("{}: {}", self.location, self.message)
    }

    fn new(rule: &'static str, location: &str, message: String) -> Finding {
        Finding {
            rule,
            location: location.to_owned(),
            pointer: String::new(),
            keyword: String::new(),
            message,
        }
    }
}

/// What the spec says about a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestCheck {
    /// Index into `spec.operations` of the matched operation.
    pub operation: Option<usize>,
    /// The request passed routing, security and validation.
    pub valid: bool,
    /// The status the mock would have answered (2xx-ish for a valid request, 4xx otherwise).
    pub status: u16,
    /// Everything wrong with the request (empty when valid).
    pub findings: Vec<Finding>,
}

/// A real response to check.
#[derive(Clone, Copy, Debug)]
pub struct ResponseParts<'a> {
    /// The request's method (a HEAD answer has no body).
    pub method: &'a str,
    pub status: u16,
    /// Header names in any case.
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
}

/// Records that a request reached the hook seam, i.e. passed every check.
#[derive(Debug, Default)]
struct Passed(AtomicBool);

impl Hook for Passed {
    fn decide(&self, _engine: &Engine, _exchange: &Exchange<'_>) -> Option<crate::Answer> {
        self.0.store(true, Ordering::Relaxed);
        None
    }
}

/// Header names a check of declared response headers skips: framing, set by HTTP itself.
fn framing(name: &str) -> bool {
    ["content-type", "content-length", "transfer-encoding"]
        .iter()
        .any(|n| name.eq_ignore_ascii_case(n))
}

impl Engine {
    /// Check a request the way the mock would, without using the mock's answer. `Prefer` and
    /// the `__code`/`__example`/… query fallbacks are ignored (they steer the mock only).
    pub fn check_request(&self, req: &MockRequest<'_>) -> RequestCheck {
        let headers: Vec<(&str, &str)> = req
            .headers
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("prefer"))
            .copied()
            .collect();
        let query: Option<String> = req.query.map(|q| {
            q.split('&')
                .filter(|pair| {
                    let key = pair.split('=').next().unwrap_or_default();
                    let key = crate::decode(key);
                    !crate::PREFER_QUERY.contains(&key.as_str())
                })
                .collect::<Vec<_>>()
                .join("&")
        });
        let stripped = MockRequest {
            headers: &headers,
            query: query.as_deref(),
            ..*req
        };
        let passed = Passed::default();
        let answer = self.handle_with(&stripped, Some(&passed));
        let valid = passed.0.load(Ordering::Relaxed);
        let mut findings = Vec::new();
        if !valid {
            // The answer's own (example) problems are not the request's.
            for line in answer
                .meta
                .violations
                .iter()
                .filter(|l| !l.starts_with("response."))
            {
                let (location, message) = line.split_once(": ").unwrap_or(("request", line));
                findings.push(Finding::new(
                    "request-invalid",
                    location,
                    message.to_owned(),
                ));
            }
            if findings.is_empty() {
                let (rule, location, message) = match answer.status {
                    404 => (
                        "request-unrouted",
                        "request.path",
                        format!("no operation of the spec matches {}", req.path),
                    ),
                    405 => (
                        "request-unrouted",
                        "request.method",
                        format!(
                            "{} is not allowed on {} (allowed: {})",
                            req.method,
                            req.path,
                            answer.header("allow").unwrap_or_default()
                        ),
                    ),
                    401 => (
                        "request-unauthorized",
                        "request.security",
                        format!(
                            "no security requirement is met (expected: {})",
                            answer.header("www-authenticate").unwrap_or_default()
                        ),
                    ),
                    status => (
                        "request-invalid",
                        "request",
                        format!("the mock refuses this request with {status}"),
                    ),
                };
                findings.push(Finding::new(rule, location, message));
            }
        }
        RequestCheck {
            operation: answer.meta.operation,
            valid,
            status: answer.status,
            findings,
        }
    }

    /// Every way `resp` departs from what operation `op_index` declares: status (exact, range
    /// or `default`), `Content-Type`, declared headers (presence of required ones, values
    /// against their schemas) and the body against the response schema.
    pub fn check_response(&self, op_index: usize, resp: &ResponseParts<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        let Some(op) = self.spec.operations.get(op_index) else {
            return out;
        };
        let Some(resp_index) = select_code(&op.responses, resp.status) else {
            if !op.responses.is_empty() {
                let declared: Vec<String> =
                    op.responses.iter().map(|r| r.status.to_string()).collect();
                out.push(Finding::new(
                    "status-undeclared",
                    "response.status",
                    format!(
                        "{} is not declared by {} (declared: {})",
                        resp.status,
                        op.id,
                        declared.join(", ")
                    ),
                ));
            }
            return out;
        };
        let Some(declared) = op.responses.get(resp_index) else {
            return out;
        };
        self.check_headers(op_index, op, resp_index, resp, &mut out);
        let no_body = resp.method.eq_ignore_ascii_case("HEAD")
            || resp.status == 204
            || resp.status == 304
            || (100..200).contains(&resp.status);
        let content_type = crate::header(resp.headers, "content-type")
            .map(str::trim)
            .filter(|c| !c.is_empty());
        if declared.content.is_empty() {
            if !resp.body.is_empty() && !no_body {
                out.push(Finding::new(
                    "body-undeclared",
                    "response.body",
                    format!(
                        "{} declares no content for {}, but {} bytes{} were sent",
                        op.id,
                        declared.status,
                        resp.body.len(),
                        content_type.map_or(String::new(), |c| format!(" of {c}"))
                    ),
                ));
            }
            return out;
        }
        if no_body {
            return out;
        }
        let Some(content_type) = content_type else {
            if resp.body.is_empty() {
                out.push(Finding::new(
                    "body-missing",
                    "response.body",
                    format!(
                        "{} {} declares content ({}), but the response has no body",
                        op.id,
                        declared.status,
                        media_list(&declared.content)
                    ),
                ));
            } else {
                out.push(Finding::new(
                    "content-type-missing",
                    "response.header.Content-Type",
                    format!(
                        "a {}-byte body was sent without a Content-Type (declared: {})",
                        resp.body.len(),
                        media_list(&declared.content)
                    ),
                ));
            }
            return out;
        };
        let Some(media_index) = body::find_media(&declared.content, &media_essence(content_type))
        else {
            out.push(Finding::new(
                "content-type-undeclared",
                "response.header.Content-Type",
                format!(
                    "{content_type} is not declared for {} (declared: {})",
                    declared.status,
                    media_list(&declared.content)
                ),
            ));
            return out;
        };
        let Some(media) = declared.content.get(media_index) else {
            return out;
        };
        let slot = self
            .response_slots
            .get(op_index)
            .and_then(|r| r.get(resp_index))
            .and_then(|s| s.body.get(media_index))
            .copied()
            .flatten();
        if resp.body.is_empty() {
            // An empty body is a value only where the request side says so (text, forms,
            // binary); an empty JSON or XML document is not one.
            if matches!(
                mockgen_media::kind(content_type),
                mockgen_media::Kind::Json | mockgen_media::Kind::Xml
            ) && slot.is_some()
            {
                out.push(Finding::new(
                    "body-missing",
                    "response.body",
                    format!("the {content_type} body is empty"),
                ));
                return out;
            }
        }
        let mut entries = Vec::new();
        let value = match body::read(self, media, content_type, resp.body, &mut entries) {
            Ok(v) => v,
            Err(problem) => {
                let detail = serde_json::from_slice::<Value>(&problem.body)
                    .ok()
                    .and_then(|v| v.get("detail").and_then(Value::as_str).map(str::to_owned))
                    .unwrap_or_else(|| "the body cannot be read".to_owned());
                out.push(Finding::new("body-unparseable", "response.body", detail));
                return out;
            }
        };
        for e in entries {
            out.push(Finding {
                rule: "body-schema",
                location: format!("response.{}", e.location.join(".")),
                pointer: pointer_of(e.location.iter().skip(1)),
                keyword: e.code,
                message: e.message,
            });
        }
        if let (Some(value), Some(slot)) = (value, slot) {
            let base = ["response".to_owned(), "body".to_owned()];
            for v in self.validator.validate(slot, &value) {
                let pointer = v.instance_pointer.clone();
                let e = violation_entry(&base, v);
                out.push(Finding {
                    rule: "body-schema",
                    location: e.location.join("."),
                    pointer,
                    keyword: e.code,
                    message: e.message,
                });
            }
        }
        out
    }

    /// Declared headers of response `resp_index`: required ones present, present ones valid.
    fn check_headers(
        &self,
        op_index: usize,
        op: &Operation,
        resp_index: usize,
        resp: &ResponseParts<'_>,
        out: &mut Vec<Finding>,
    ) {
        let Some(declared) = op.responses.get(resp_index) else {
            return;
        };
        if declared.headers.is_empty() {
            return;
        }
        // The header parameters' parser reads response headers just as well: one synthetic
        // operation whose parameters are the declared headers.
        let mut indices = Vec::new();
        let mut parameters = Vec::new();
        for (i, h) in declared.headers.iter().enumerate() {
            if framing(&h.name) {
                continue;
            }
            indices.push(i);
            parameters.push(Parameter {
                name: h.name.clone(),
                location: ParamIn::Header,
                required: h.required,
                deprecated: false,
                allow_empty_value: false,
                style: Style::Simple,
                explode: false,
                allow_reserved: false,
                schema: h.schema.clone(),
                content: h.content.clone(),
                examples: Vec::new(),
                loc: h.loc.clone(),
            });
        }
        let synthetic = Operation {
            id: op.id.clone(),
            id_generated: false,
            method: op.method.clone(),
            path: op.path.clone(),
            summary: None,
            deprecated: false,
            tags: Vec::new(),
            parameters,
            request_body: None,
            responses: Vec::new(),
            security: None,
            servers: Vec::new(),
            callbacks: Vec::new(),
            loc: op.loc.clone(),
        };
        let raw = mockgen_params::RawRequest {
            path_params: &[],
            path_raw: &[],
            query: None,
            headers: resp.headers,
            cookies: None,
        };
        let parsed = mockgen_params::parse(&self.spec, &synthetic, &raw);
        for p in parsed.problems {
            let name = p.location.get(1).cloned().unwrap_or_default();
            let (rule, message) = if p.code == "required" {
                (
                    "header-missing",
                    format!("required header `{name}` is missing"),
                )
            } else {
                ("header-invalid", p.message)
            };
            out.push(Finding {
                rule,
                location: format!("response.header.{name}"),
                pointer: String::new(),
                keyword: p.code.to_owned(),
                message,
            });
        }
        let slots = self
            .response_slots
            .get(op_index)
            .and_then(|r| r.get(resp_index));
        for (param_index, value) in &parsed.values {
            let Some(&header_index) = indices.get(*param_index) else {
                continue;
            };
            let (Some(h), Some(slot)) = (
                declared.headers.get(header_index),
                slots
                    .and_then(|s| s.headers.get(header_index))
                    .copied()
                    .flatten(),
            ) else {
                continue;
            };
            let base = ["response".to_owned(), "header".to_owned(), h.name.clone()];
            for v in self.validator.validate(slot, value) {
                let pointer = v.instance_pointer.clone();
                let e = violation_entry(&base, v);
                out.push(Finding {
                    rule: "header-invalid",
                    location: e.location.join("."),
                    pointer,
                    keyword: e.code,
                    message: e.message,
                });
            }
        }
    }

    /// A value for the schema at `loc` in the Request view (no readOnly properties), keyed
    /// like every generated value (same key, same value). `None` when it cannot be made.
    pub fn generate_request_value(&self, loc: &Loc, key: &[&str]) -> Option<Value> {
        self.synth.generate(loc, View::Request, key).ok()
    }

    /// A request body for `media` of `op`: its example first, else the schema's example or
    /// default, else generated in the Request view. `None` without schema and example.
    pub fn request_body_value(
        &self,
        op: &Operation,
        media: &MediaType,
        key: &[&str],
    ) -> Option<Value> {
        self.synth
            .request_body(op, media, None, key)
            .ok()
            .map(|(v, _)| v)
    }
}

fn media_list(content: &[MediaType]) -> String {
    content
        .iter()
        .map(|m| m.media_type.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// RFC 6901 pointer of path segments.
fn pointer_of<'a>(segments: impl Iterator<Item = &'a String>) -> String {
    segments
        .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    const SPEC: &str = r#"
openapi: 3.1.0
info: {title: conform, version: '1'}
paths:
  /things/{id}:
    get:
      operationId: getThing
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
        - {name: q, in: query, required: true, schema: {type: string, maxLength: 3}}
      responses:
        '200':
          description: ok
          headers:
            X-Rate: {required: true, schema: {type: integer, maximum: 10}}
          content:
            application/vnd.thing+json:
              schema:
                type: object
                required: [id]
                properties:
                  id: {type: integer, readOnly: true}
                  secret: {type: string, writeOnly: true}
        '4XX':
          description: client error
          content:
            application/json: {schema: {type: object, required: [code]}}
        '204':
          description: nothing
"#;

    fn engine() -> Engine {
        let loaded = mockgen_spec::load(
            "conform.yaml",
            SPEC.to_owned(),
            &mockgen_spec::NoFiles,
            &mockgen_spec::LoadOptions::default(),
        );
        let spec = loaded.spec.expect("the spec loads");
        Engine::new(Arc::new(spec), crate::Options::default()).expect("compiles")
    }

    fn check(engine: &Engine, status: u16, headers: &[(&str, &str)], body: &str) -> Vec<String> {
        engine
            .check_response(
                0,
                &ResponseParts {
                    method: "GET",
                    status,
                    headers,
                    body: body.as_bytes(),
                },
            )
            .iter()
            .map(|f| format!("{} {}", f.rule, f.location))
            .collect()
    }

    #[test]
    fn requests_are_checked_without_answering() {
        let e = engine();
        let req = |path, query| MockRequest {
            method: "GET",
            path,
            query,
            headers: &[("Prefer", "code=404")],
            body: b"",
        };
        let ok = e.check_request(&req("/things/1", Some("q=ab")));
        assert!(ok.valid && ok.findings.is_empty(), "{ok:?}");
        assert_eq!(ok.operation, Some(0));
        let bad = e.check_request(&req("/things/x", Some("q=abcd")));
        assert!(!bad.valid);
        let mut lines: Vec<String> = bad.findings.iter().map(Finding::line).collect();
        lines.sort();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[0].starts_with("path.id: ") && lines[1].starts_with("query.q: "));
        let lost = e.check_request(&req("/nowhere", None));
        assert_eq!(lost.findings[0].rule, "request-unrouted");
        assert_eq!(lost.operation, None);
    }

    #[test]
    fn responses_status_type_headers_and_body() {
        let e = engine();
        let json = [
            ("Content-Type", "application/vnd.thing+json; charset=utf-8"),
            ("X-Rate", "5"),
        ];
        // readOnly is fine in a response.
        assert!(check(&e, 200, &json, r#"{"id": 1}"#).is_empty());
        // writeOnly is not; a missing required property is named.
        assert_eq!(
            check(&e, 200, &json, r#"{"id": 1, "secret": "x"}"#),
            ["body-schema response.body.secret"]
        );
        assert_eq!(check(&e, 200, &json, "{}"), ["body-schema response.body"]);
        assert_eq!(
            check(&e, 200, &json, "{"),
            ["body-unparseable response.body"]
        );
        // Headers: missing, wrong type, out of bounds.
        let ct = ("Content-Type", "application/vnd.thing+json");
        assert_eq!(
            check(&e, 200, &[ct], r#"{"id": 1}"#),
            ["header-missing response.header.X-Rate"]
        );
        assert_eq!(
            check(&e, 200, &[ct, ("X-Rate", "many")], r#"{"id": 1}"#),
            ["header-invalid response.header.X-Rate"]
        );
        assert_eq!(
            check(&e, 200, &[ct, ("X-Rate", "11")], r#"{"id": 1}"#),
            ["header-invalid response.header.X-Rate"]
        );
        // Content types: undeclared, missing.
        assert_eq!(
            check(
                &e,
                200,
                &[("Content-Type", "text/html"), ("X-Rate", "1")],
                "<p>"
            ),
            ["content-type-undeclared response.header.Content-Type"]
        );
        assert_eq!(
            check(&e, 200, &[("X-Rate", "1")], r#"{"id": 1}"#),
            ["content-type-missing response.header.Content-Type"]
        );
        // Status: a range matches; an undeclared one is named; no content, no body.
        let problem = [("Content-Type", "application/json")];
        assert!(check(&e, 418, &problem, r#"{"code": 1}"#).is_empty());
        assert_eq!(
            check(&e, 500, &problem, "{}"),
            ["status-undeclared response.status"]
        );
        assert!(check(&e, 204, &[], "").is_empty());
        assert_eq!(
            check(&e, 204, &problem, "{}"),
            Vec::<String>::new(),
            "a 204 body is HTTP's problem, not the spec's"
        );
    }
}
