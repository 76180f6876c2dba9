//! The seam where something other than the spec picks the answer to a valid request: the
//! stateful store (`serve --stateful`) and configured rules (`mockgen.yaml`). A [`Hook`] sees
//! the request after routing, security and validation have passed ([`Exchange`]) and may
//! return an [`Answer`]; the engine renders it like any other response (content negotiation,
//! declared headers, `--errors` checks), so a hook never writes HTTP itself.

use crate::problem::{Entry, problem};
use crate::render::Target;
use crate::{Engine, Meta, MockRequest, MockResponse, select_code, violation_entry};
use mockgen_schema::View;
use mockgen_spec::Operation;
use serde_json::Value;

/// A request that passed routing, security and validation.
#[derive(Clone, Copy, Debug)]
pub struct Exchange<'a> {
    /// Index into `spec.operations`.
    pub operation: usize,
    pub op: &'a Operation,
    /// Upper case.
    pub method: &'a str,
    /// Raw (percent-encoded) path as requested, base path included.
    pub path: &'a str,
    /// Path template variables, percent-decoded, in template order.
    pub path_params: &'a [(&'a str, String)],
    /// Typed parameter values: `(index into op.parameters, value)`.
    pub params: &'a [(usize, Value)],
    /// Raw query without the `__code`/`__example`/… fallbacks.
    pub query: Option<&'a str>,
    pub headers: &'a [(&'a str, &'a str)],
    /// The body as the JSON value its schema judged (JSON, YAML, forms, multipart, XML…);
    /// `None` without a body or when the media type has no structure.
    pub body: Option<&'a Value>,
    pub raw_body: &'a [u8],
}

impl Exchange<'_> {
    /// The typed value of the parameter `name` in `location` (`"query"`, `"path"`,
    /// `"header"`, `"cookie"`); header names case-insensitively.
    pub fn param(&self, location: &str, name: &str) -> Option<&Value> {
        self.params.iter().find_map(|(i, v)| {
            let p = self.op.parameters.get(*i)?;
            let same = if location == "header" {
                p.name.eq_ignore_ascii_case(name)
            } else {
                p.name == name
            };
            (crate::param_in(p.location) == location && same).then_some(v)
        })
    }
}

/// What a hook wants sent.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    /// A status the operation declares (exactly, by range or via `default`); an undeclared
    /// one is still sent, with a generated problem body if no body is given.
    pub status: u16,
    pub body: AnswerBody,
    /// Extra headers, sent after the declared ones (a same-named declared one is replaced).
    pub headers: Vec<(String, String)>,
}

/// The body of an [`Answer`].
#[derive(Clone, Debug, PartialEq)]
pub enum AnswerBody {
    /// What the engine would send for that status: examples first, else generated.
    Declared,
    /// A named example of that response.
    Example(String),
    /// This value, serialised in the negotiated media type and checked against the
    /// response's schema like an example.
    Value(Value),
    /// No body at all (a 204, or a deliberate empty reply).
    Empty,
}

/// Picks the answer to a valid request, or leaves it to the spec (`None`).
pub trait Hook: Send + Sync {
    fn decide(&self, engine: &Engine, exchange: &Exchange<'_>) -> Option<Answer>;

    /// How to deliver the answer to `req`: a delay and/or a fault (configured latency and
    /// faults). Asked by the server before the request is handled, for every request, valid
    /// or not ([`Engine::operation_of`] tells which operation it is routed to). `None` = no
    /// opinion.
    fn plan(&self, _engine: &Engine, _req: &MockRequest<'_>) -> Option<Plan> {
        None
    }
}

/// How the server delivers one answer (see [`Hook::plan`]). Plain data: the server crate
/// turns it into sleeps and socket behaviour.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    /// Wait this long before answering.
    pub delay: std::time::Duration,
    pub fault: Option<Fault>,
}

/// A deliberate failure instead of the normal answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// Answer this status (its declared body, or a problem body) with these extra headers
    /// (`Retry-After`), instead of what the rules, the store or the spec would answer.
    Status {
        status: u16,
        headers: Vec<(String, String)>,
    },
    /// Send nothing and hold the connection open this long, then close it.
    Hang(std::time::Duration),
    /// Close the connection with a TCP reset, nothing sent.
    Reset,
    /// Close the connection, nothing sent.
    Empty,
    /// The normal status and headers with a corrupted (truncated, not-JSON) body.
    Malformed,
}

impl Engine {
    /// Render a hook's answer for operation `op_index`.
    pub(crate) fn answer(
        &self,
        op_index: usize,
        op: &Operation,
        req: &MockRequest<'_>,
        answer: Answer,
        meta: &mut Meta,
    ) -> MockResponse {
        let Some(resp_index) = select_code(&op.responses, answer.status) else {
            let mut r = match answer.body {
                AnswerBody::Value(v) => MockResponse {
                    status: answer.status,
                    headers: vec![("Content-Type".into(), "application/json".into())],
                    body: serde_json::to_vec(&v).unwrap_or_default(),
                    meta: Meta::default(),
                },
                AnswerBody::Empty => MockResponse {
                    status: answer.status,
                    headers: Vec::new(),
                    body: Vec::new(),
                    meta: Meta::default(),
                },
                AnswerBody::Declared | AnswerBody::Example(_) => problem(
                    answer.status,
                    "UNDECLARED_STATUS",
                    "Status not declared by the operation",
                    &format!("The answer {} is not declared by {}.", answer.status, op.id),
                ),
            };
            meta.violations.push(format!(
                "response.status: {} is not declared by the operation",
                answer.status
            ));
            merge_headers(&mut r.headers, answer.headers);
            return r;
        };
        let Some(resp) = op.responses.get(resp_index) else {
            return problem(500, "INTERNAL", "Internal error", "no such response");
        };
        let (example, inline) = match &answer.body {
            AnswerBody::Example(name) => (Some(name.as_str()), None),
            AnswerBody::Value(v) => (None, Some(v)),
            AnswerBody::Declared | AnswerBody::Empty => (None, None),
        };
        let target = Target {
            op_index,
            op,
            resp_index,
            resp,
            status: answer.status,
            example,
            dynamic: false,
            seed: None,
            path: req.path,
            query: req.query.unwrap_or_default(),
            inline,
        };
        let mut r = match self.render(&target, req) {
            Ok(rendered) => self.finish(&rendered, meta),
            Err(r) => r,
        };
        if answer.body == AnswerBody::Empty {
            r.body.clear();
            r.headers
                .retain(|(n, _)| !n.eq_ignore_ascii_case("content-type"));
        }
        merge_headers(&mut r.headers, answer.headers);
        r
    }

    /// The body the engine generates for response `status` of operation `op_index` in its
    /// JSON (or first) media type, keyed by `key` (same key → same value); `None` when the
    /// status is not declared or has no schema. Examples are not used.
    pub fn generate_response_body(
        &self,
        op_index: usize,
        status: u16,
        key: &[&str],
    ) -> Option<Value> {
        let op = self.spec.operations.get(op_index)?;
        let resp = op.responses.get(select_code(&op.responses, status)?)?;
        let media = resp
            .content
            .iter()
            .find(|m| mockgen_media::kind(&m.media_type) == mockgen_media::Kind::Json)
            .or_else(|| resp.content.first())?;
        let schema = media.schema.as_ref()?;
        let mut k = vec![op.id.as_str(), "hook"];
        k.extend_from_slice(key);
        self.synth.generate(schema, View::Response, &k).ok()
    }

    /// Every violation of `value` as the body of response `status` of operation `op_index`
    /// (its JSON, else first, media type), as `location: message` lines (`response.body.id:
    /// …`). Empty when valid or when there is no schema to check against.
    pub fn check_response_body(&self, op_index: usize, status: u16, value: &Value) -> Vec<String> {
        let Some(op) = self.spec.operations.get(op_index) else {
            return Vec::new();
        };
        let Some(resp_index) = select_code(&op.responses, status) else {
            return vec![format!(
                "response.status: {status} is not declared by the operation"
            )];
        };
        let Some(resp) = op.responses.get(resp_index) else {
            return Vec::new();
        };
        let index = resp
            .content
            .iter()
            .position(|m| mockgen_media::kind(&m.media_type) == mockgen_media::Kind::Json)
            .unwrap_or(0);
        let Some(slot) = self
            .response_slots
            .get(op_index)
            .and_then(|r| r.get(resp_index))
            .and_then(|s| s.body.get(index))
            .copied()
            .flatten()
        else {
            return Vec::new();
        };
        let base = ["response".to_owned(), "body".to_owned()];
        self.validator
            .validate(slot, value)
            .into_iter()
            .map(|v| {
                let e: Entry = violation_entry(&base, v);
                format!("{}: {}", e.location.join("."), e.message)
            })
            .collect()
    }
}

fn merge_headers(headers: &mut Vec<(String, String)>, extra: Vec<(String, String)>) {
    for (name, value) in extra {
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
        headers.push((name, value));
    }
}

/// Several hooks asked in order; the first answer wins (rules before the stateful store).
#[derive(Default, Clone)]
pub struct Hooks(pub Vec<std::sync::Arc<dyn Hook>>);

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Hooks({})", self.0.len())
    }
}

impl Hook for Hooks {
    fn decide(&self, engine: &Engine, exchange: &Exchange<'_>) -> Option<Answer> {
        self.0.iter().find_map(|h| h.decide(engine, exchange))
    }

    fn plan(&self, engine: &Engine, req: &MockRequest<'_>) -> Option<Plan> {
        self.0.iter().find_map(|h| h.plan(engine, req))
    }
}

impl Engine {
    /// The operation `req` is routed to (the index into `spec.operations`), without handling
    /// it: what a [`Hook::plan`] is asked about before the request is answered.
    pub fn operation_of(&self, req: &MockRequest<'_>) -> Option<usize> {
        let method = req.method.to_ascii_uppercase();
        let parts = mockgen_route::RequestParts {
            headers: req.headers,
            query: req.query,
        };
        match self.routes.lookup_with(&method, req.path, &parts) {
            mockgen_route::Lookup::Found(m) => Some(m.operation),
            _ => None,
        }
    }
}
