//! The mock's brain on plain data: a request (method, raw path, query, headers, body) in, a
//! response (status, headers, body) out. Routing, request validation (every violation is
//! collected), security shape checks, response selection (`Prefer`, `__code`, …), content
//! negotiation and body generation follow Prism's public conventions. An HTTP server only
//! converts between its types and [`MockRequest`] / [`MockResponse`].

mod body;
mod negotiate;
mod problem;

use mockgen_route::{Lookup, RouteOptions, RouteTable};
use mockgen_schema::{SlotId, Validator, ValidatorBuilder, View, Violation};
use mockgen_spec::{
    Operation, ParamIn, Response, SecurityRequirement, SecurityScheme, Spec, StatusKey, doc_uri,
};
use mockgen_synth::{ErrorKind, Synth};
use problem::{Entry, problem};
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A request as the server received it.
#[derive(Clone, Copy, Debug)]
pub struct MockRequest<'a> {
    pub method: &'a str,
    /// Raw (percent-encoded) path, without the query string.
    pub path: &'a str,
    /// Raw query string, without the `?`.
    pub query: Option<&'a str>,
    /// Header names in any case.
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
}

/// The response to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MockResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// What the server logs about this exchange; never sent to the client.
    pub meta: Meta,
}

/// Facts about one exchange for the request log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Meta {
    /// Index into `spec.operations` of the matched operation, if any.
    pub operation: Option<usize>,
    /// Every request (or, with `validate_responses`, response) violation, one line each,
    /// `location: message` (`query.limit: must be <= 100`).
    pub violations: Vec<String>,
}

impl MockResponse {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Engine knobs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Seed of every generated body.
    pub seed: u64,
    /// Generate a fresh body per request (ignoring examples) instead of one per URL.
    pub dynamic: bool,
    /// Largest request body accepted, in bytes (413 beyond).
    pub max_body: usize,
    /// `--errors`: validate every response before sending it; a violation becomes a 500
    /// problem+json listing it.
    pub validate_responses: bool,
    /// Base paths the routes accept (`servers[].url` paths by default, or `--base-path`).
    pub base_paths: mockgen_route::BasePaths,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            seed: 0,
            dynamic: false,
            max_body: 10 * 1024 * 1024,
            validate_responses: false,
            base_paths: mockgen_route::BasePaths::FromServers,
        }
    }
}

/// Validator slots of one operation.
#[derive(Debug, Default)]
struct OpSlots {
    /// Per parameter (index into `op.parameters`).
    params: Vec<Option<SlotId>>,
    /// Per request body media type (index into `request_body.content`).
    body: Vec<Option<SlotId>>,
}

/// A compiled mock of one spec. `Send + Sync`; build once, share.
pub struct Engine {
    spec: Arc<Spec>,
    routes: RouteTable,
    synth: Synth,
    validator: Validator,
    slots: Vec<OpSlots>,
    options: Options,
    counter: AtomicU64,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("operations", &self.spec.operations.len())
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// What the client asked for through `Prefer` or the `__code`/`__example`/`__dynamic` query
/// parameters.
#[derive(Debug, Default)]
struct Prefer {
    code: Option<String>,
    example: Option<String>,
    dynamic: Option<bool>,
}

const PREFER_QUERY: [&str; 3] = ["__code", "__example", "__dynamic"];

impl Engine {
    /// Compile routes, validators and the generator for `spec`.
    pub fn new(spec: Arc<Spec>, options: Options) -> Result<Engine, String> {
        let (routes, _conflicts) = RouteTable::new(
            &spec,
            &RouteOptions {
                base_paths: options.base_paths.clone(),
            },
        );
        let synth = Synth::new(
            &spec,
            mockgen_synth::Options {
                seed: options.seed,
                ..Default::default()
            },
        )
        .map_err(|e| e.to_string())?;
        let mut builder = ValidatorBuilder::new();
        for (i, doc) in spec.documents.iter().enumerate() {
            builder.add_document(&doc_uri(i), Arc::clone(doc));
        }
        let mut slots = Vec::with_capacity(spec.operations.len());
        for op in &spec.operations {
            let params = op
                .parameters
                .iter()
                .map(|p| {
                    p.schema
                        .as_ref()
                        .or_else(|| p.content.iter().find_map(|m| m.schema.as_ref()))
                        .map(|s| builder.slot(&doc_uri(s.doc), &s.pointer, View::Neutral))
                })
                .collect();
            let body = op
                .request_body
                .iter()
                .flat_map(|b| &b.content)
                .map(|m| {
                    m.schema
                        .as_ref()
                        .map(|s| builder.slot(&doc_uri(s.doc), &s.pointer, View::Request))
                })
                .collect();
            slots.push(OpSlots { params, body });
        }
        let validator = builder.build().map_err(|e| e.to_string())?;
        Ok(Engine {
            spec,
            routes,
            synth,
            validator,
            slots,
            options,
            counter: AtomicU64::new(0),
        })
    }

    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    /// Answer one request. Never panics.
    pub fn handle(&self, req: &MockRequest<'_>) -> MockResponse {
        let mut meta = Meta::default();
        let mut resp = self.respond(req, &mut meta);
        resp.meta = meta;
        if req.method.eq_ignore_ascii_case("HEAD") {
            resp.body.clear();
        }
        resp
    }

    fn respond(&self, req: &MockRequest<'_>, meta: &mut Meta) -> MockResponse {
        let method = req.method.to_ascii_uppercase();
        let found = match self.routes.lookup(&method, req.path) {
            Lookup::Found(m) => m,
            Lookup::MethodNotAllowed { allow } => {
                let mut r = problem(
                    405,
                    "METHOD_NOT_ALLOWED",
                    "Method not allowed",
                    &format!("{method} is not allowed on {}", req.path),
                );
                r.headers.push(("Allow".into(), allow.join(", ")));
                return r;
            }
            Lookup::NotFound => {
                return problem(
                    404,
                    "NO_PATH_MATCHED_ERROR",
                    "Route not resolved, no path matched",
                    &format!(
                        "The route {} hasn't been found in the specification file",
                        req.path
                    ),
                );
            }
        };
        let Some(op) = self.spec.operations.get(found.operation) else {
            return problem(
                500,
                "INTERNAL",
                "Internal error",
                "routed to an unknown operation",
            );
        };
        meta.operation = Some(found.operation);
        let slots = self.slots.get(found.operation);

        // Prefer and its query fallbacks; the fallbacks are not spec parameters.
        let (prefer, query) = prefer(req);

        // Security comes before validation.
        if let Some(challenge) = self.security_challenge(op, req, query.as_deref()) {
            let mut r = problem(
                401,
                "UNAUTHORIZED",
                "Invalid security scheme used",
                "Your request does not fullfil the security requirements and no HTTP unauthorized response was found in the spec, so mockgen is generating this error for you.",
            );
            r.headers.push(("WWW-Authenticate".into(), challenge));
            return r;
        }

        // Request validation: collect everything.
        let mut entries: Vec<Entry> = Vec::new();
        let path_params: Vec<(&str, String)> = found
            .params
            .iter()
            .map(|(n, v)| (*n, v.to_string()))
            .collect();
        let raw = mockgen_params::RawRequest {
            path_params: &path_params,
            query: query.as_deref(),
            headers: req.headers,
            cookies: header(req.headers, "cookie"),
        };
        let parsed = mockgen_params::parse(&self.spec, op, &raw);
        for p in &parsed.problems {
            entries.push(Entry {
                location: p
                    .location
                    .iter()
                    .filter(|s| !s.is_empty())
                    .cloned()
                    .collect(),
                code: p.code.to_owned(),
                message: p.message.clone(),
            });
        }
        for (index, value) in &parsed.values {
            let (Some(param), Some(Some(slot))) = (
                op.parameters.get(*index),
                slots.and_then(|s| s.params.get(*index)),
            ) else {
                continue;
            };
            let base = vec![param_in(param.location).to_owned(), param.name.clone()];
            for v in self.validator.validate(*slot, value) {
                entries.push(violation_entry(&base, v));
            }
        }
        if let Some(rb) = &op.request_body {
            let body_slots = slots.map(|s| s.body.as_slice()).unwrap_or_default();
            if let Err(r) = body::check(self, rb, body_slots, req, &mut entries) {
                return r;
            }
        }
        if !entries.is_empty() {
            meta.violations = entries
                .iter()
                .map(|e| format!("{}: {}", e.location.join("."), e.message))
                .collect();
            return self.invalid(op, req, entries);
        }
        self.success(op, req, query.as_deref(), &prefer)
    }

    /// `None` when some requirement set is satisfied; else the `WWW-Authenticate` challenge.
    fn security_challenge(
        &self,
        op: &Operation,
        req: &MockRequest<'_>,
        query: Option<&str>,
    ) -> Option<String> {
        let reqs: &[SecurityRequirement] = op.effective_security(&self.spec);
        if reqs.is_empty() || reqs.iter().any(|r| r.schemes.is_empty()) {
            return None;
        }
        if reqs.iter().any(|r| {
            r.schemes
                .iter()
                .all(|(name, _)| self.scheme_satisfied(name, req, query))
        }) {
            return None;
        }
        let mut challenges: Vec<String> = Vec::new();
        for r in reqs {
            for (name, _) in &r.schemes {
                let c = match self.spec.security_schemes.get(name) {
                    Some(SecurityScheme::Http { scheme, .. })
                        if scheme.eq_ignore_ascii_case("basic") =>
                    {
                        "Basic realm=\"mockgen\"".to_owned()
                    }
                    Some(SecurityScheme::Http { scheme, .. }) if !scheme.is_empty() => {
                        let mut s = scheme.clone();
                        if let Some(first) = s.get_mut(0..1) {
                            first.make_ascii_uppercase();
                        }
                        s
                    }
                    Some(SecurityScheme::ApiKey { .. }) => "ApiKey".to_owned(),
                    _ => "Bearer".to_owned(),
                };
                if !challenges.contains(&c) {
                    challenges.push(c);
                }
            }
        }
        Some(challenges.join(", "))
    }

    fn scheme_satisfied(&self, name: &str, req: &MockRequest<'_>, query: Option<&str>) -> bool {
        let authorization = header(req.headers, "authorization")
            .unwrap_or_default()
            .trim();
        let has_auth = |prefix: &str| {
            authorization.len() > prefix.len()
                && authorization
                    .get(..prefix.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
                && !authorization[prefix.len()..].trim().is_empty()
        };
        match self.spec.security_schemes.get(name) {
            Some(SecurityScheme::ApiKey { name, location }) => match location {
                ParamIn::Header => header(req.headers, name).is_some(),
                ParamIn::Query | ParamIn::Querystring => query.is_some_and(|q| {
                    q.split('&').any(|pair| {
                        let key = pair.split('=').next().unwrap_or_default();
                        decode(key) == *name
                    })
                }),
                ParamIn::Cookie => header(req.headers, "cookie").is_some_and(|c| {
                    c.split(';')
                        .any(|kv| kv.split('=').next().unwrap_or_default().trim() == name)
                }),
                ParamIn::Path => true,
            },
            Some(SecurityScheme::Http { scheme, .. }) => {
                if scheme.eq_ignore_ascii_case("basic") {
                    has_auth("Basic ")
                } else if scheme.eq_ignore_ascii_case("bearer") {
                    has_auth("Bearer ")
                } else {
                    !authorization.is_empty()
                }
            }
            Some(SecurityScheme::OAuth2 { .. } | SecurityScheme::OpenIdConnect { .. }) => {
                has_auth("Bearer ")
            }
            // Mutual TLS cannot be seen here; unknown schemes are the spec's problem.
            Some(SecurityScheme::MutualTls) | None => true,
        }
    }

    /// The answer to an invalid request.
    fn invalid(&self, op: &Operation, req: &MockRequest<'_>, entries: Vec<Entry>) -> MockResponse {
        let validation: Vec<Value> = entries.iter().map(Entry::to_json).collect();
        let declared = op
            .responses
            .iter()
            .find(|r| r.status == StatusKey::Code(422))
            .or_else(|| {
                op.responses
                    .iter()
                    .find(|r| r.status == StatusKey::Code(400))
            });
        if let Some(resp) = declared {
            let status = match resp.status {
                StatusKey::Code(c) => c,
                _ => 422,
            };
            if let Ok(mut r) = self.render(op, resp, status, req, None, None, &[req.path]) {
                // Keep the spec's shape and add what was wrong, when the body is a JSON object.
                if let Some(ct) = r.header("content-type")
                    && mockgen_media::kind(ct) == mockgen_media::Kind::Json
                    && let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(&r.body)
                {
                    map.entry("validation")
                        .or_insert_with(|| Value::Array(validation.clone()));
                    // A generated problem document should at least carry the real status.
                    if ct.ends_with("problem+json")
                        && map.get("status").is_some_and(Value::is_number)
                    {
                        map.insert("status".into(), Value::from(status));
                    }
                    r.body = mockgen_media::json_pretty(&Value::Object(map)).into_bytes();
                }
                return r;
            }
        }
        problem::unprocessable(validation)
    }

    /// The response for a valid request.
    fn success(
        &self,
        op: &Operation,
        req: &MockRequest<'_>,
        query: Option<&str>,
        prefer: &Prefer,
    ) -> MockResponse {
        let (resp, status) = if let Some(code) = &prefer.code {
            let Some(found) = code
                .parse::<u16>()
                .ok()
                .and_then(|c| select_code(&op.responses, c).map(|r| (r, c)))
            else {
                return problem(
                    404,
                    "NOT_FOUND",
                    "The server cannot find the requested content",
                    &format!("Requested status code {code} is not defined in the document."),
                );
            };
            found
        } else {
            match select_default(&op.responses) {
                Some(found) => found,
                None => {
                    return MockResponse {
                        status: 200,
                        headers: Vec::new(),
                        body: Vec::new(),
                        meta: Meta::default(),
                    };
                }
            }
        };
        let dynamic = prefer.dynamic.unwrap_or(self.options.dynamic);
        let counter;
        let key: Vec<&str> = if dynamic {
            counter = self.counter.fetch_add(1, Ordering::Relaxed).to_string();
            vec![counter.as_str()]
        } else {
            vec![req.path, query.unwrap_or_default()]
        };
        match self.render(
            op,
            resp,
            status,
            req,
            prefer.example.as_deref(),
            Some(dynamic),
            &key,
        ) {
            Ok(r) => r,
            Err(r) => r,
        }
    }

    /// Render `resp` with `status`: negotiate the media type, produce the body and headers.
    /// `dynamic`: `Some(true)` generates from the schema even when examples exist.
    #[allow(clippy::too_many_arguments)]
    fn render(
        &self,
        op: &Operation,
        resp: &Response,
        status: u16,
        req: &MockRequest<'_>,
        example: Option<&str>,
        dynamic: Option<bool>,
        key: &[&str],
    ) -> Result<MockResponse, MockResponse> {
        let mut headers: Vec<(String, String)> = Vec::new();
        let mut body = Vec::new();
        if resp.content.is_empty() {
            if let Some(name) = example {
                return Err(no_example(name));
            }
        } else {
            let accept = header(req.headers, "accept");
            let Some(media) = negotiate::choose(&resp.content, accept) else {
                return Err(problem(
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
                ));
            };
            let generated = match (&media.schema, dynamic, example) {
                (Some(schema), Some(true), None) => self
                    .synth
                    .generate(schema, View::Response, &dynamic_key(op, resp, key))
                    .map(|v| (v, mockgen_synth::Source::Generated)),
                _ => self.synth.response_body(op, resp, media, example, key),
            };
            let value = match generated {
                Ok((v, _)) => Some(v),
                Err(e) if e.kind == ErrorKind::NoSuchExample => {
                    return Err(no_example(example.unwrap_or_default()));
                }
                Err(e) if e.kind == ErrorKind::NoSchema => None,
                Err(e) => {
                    return Err(problem(
                        500,
                        "GENERATION_FAILED",
                        "Cannot generate a response body",
                        &e.to_string(),
                    ));
                }
            };
            let content_type = if media.media_type.contains('*') {
                "application/json".to_owned()
            } else {
                media.media_type.clone()
            };
            if let Some(v) = value {
                body = mockgen_media::encode(&self.spec, media.schema.as_ref(), &content_type, &v);
            }
            headers.push(("Content-Type".into(), content_type));
        }
        for h in &resp.headers {
            if h.name.eq_ignore_ascii_case("content-type") {
                continue;
            }
            let value = h.examples.iter().find_map(|e| e.value.clone()).or_else(|| {
                let schema = h.schema.as_ref()?;
                let mut k: Vec<&str> = vec![&op.id, "header", &h.name];
                k.extend_from_slice(key);
                self.synth.generate(schema, View::Response, &k).ok()
            });
            if let Some(v) = value {
                let text = match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                headers.push((h.name.clone(), text));
            }
        }
        Ok(MockResponse {
            status,
            headers,
            body,
            meta: Meta::default(),
        })
    }
}

fn dynamic_key<'a>(op: &'a Operation, _resp: &Response, key: &[&'a str]) -> Vec<&'a str> {
    let mut k = vec![op.id.as_str(), "dynamic"];
    k.extend_from_slice(key);
    k
}

fn no_example(name: &str) -> MockResponse {
    problem(
        404,
        "NOT_FOUND",
        "The server cannot find the requested content",
        &format!("Response for contentType and example `{name}` not found."),
    )
}

/// The response for a requested status code: exact, then its range, then `default`.
fn select_code(responses: &[Response], code: u16) -> Option<&Response> {
    responses
        .iter()
        .find(|r| r.status == StatusKey::Code(code))
        .or_else(|| {
            responses
                .iter()
                .find(|r| matches!(r.status, StatusKey::Range(_)) && r.status.matches(code))
        })
        .or_else(|| responses.iter().find(|r| r.status == StatusKey::Default))
}

/// Lowest declared 2xx, then `2XX`, then `default`, then the first declared.
fn select_default(responses: &[Response]) -> Option<(&Response, u16)> {
    let lowest = responses
        .iter()
        .filter_map(|r| match r.status {
            StatusKey::Code(c) if (200..300).contains(&c) => Some((r, c)),
            _ => None,
        })
        .min_by_key(|(_, c)| *c);
    lowest
        .or_else(|| {
            responses
                .iter()
                .find(|r| r.status == StatusKey::Range(2))
                .map(|r| (r, 200))
        })
        .or_else(|| {
            responses
                .iter()
                .find(|r| r.status == StatusKey::Default)
                .map(|r| (r, 200))
        })
        .or_else(|| {
            responses.first().map(|r| {
                let status = match r.status {
                    StatusKey::Code(c) => c,
                    StatusKey::Range(n) => u16::from(n) * 100,
                    StatusKey::Default => 200,
                };
                (r, status)
            })
        })
}

/// Read `Prefer` and the `__code`/`__example`/`__dynamic` query parameters; return the
/// query without the latter.
fn prefer(req: &MockRequest<'_>) -> (Prefer, Option<String>) {
    let mut p = Prefer::default();
    let mut set = |key: &str, value: &str| match key.trim().to_ascii_lowercase().as_str() {
        "code" => p.code = Some(value.trim().to_owned()),
        "example" => p.example = Some(value.trim().trim_matches('"').to_owned()),
        "dynamic" => p.dynamic = Some(value.trim().eq_ignore_ascii_case("true")),
        _ => {}
    };
    let mut query = None;
    if let Some(q) = req.query {
        let mut kept: Vec<&str> = Vec::new();
        for pair in q.split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let k = decode(k);
            if PREFER_QUERY.contains(&k.as_str()) {
                set(&k[2..], &decode(v));
            } else {
                kept.push(pair);
            }
        }
        query = Some(kept.join("&"));
    }
    // The header wins over the query.
    for (name, value) in req.headers {
        if name.eq_ignore_ascii_case("prefer") {
            for item in value.split([',', ';']) {
                if let Some((k, v)) = item.split_once('=') {
                    set(k, v);
                }
            }
        }
    }
    (p, query)
}

fn header<'a>(headers: &[(&'a str, &'a str)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
}

/// Percent-decode a query component (`+` is a space).
fn decode(s: &str) -> String {
    let s = s.replace('+', " ");
    percent_encoding::percent_decode_str(&s)
        .decode_utf8_lossy()
        .into_owned()
}

fn param_in(location: ParamIn) -> &'static str {
    match location {
        ParamIn::Path => "path",
        ParamIn::Query | ParamIn::Querystring => "query",
        ParamIn::Header => "header",
        ParamIn::Cookie => "cookie",
    }
}

/// A schema violation as a validation entry under `base` (`["body"]`, `["query", "limit"]`).
fn violation_entry(base: &[String], v: Violation) -> Entry {
    let mut location = base.to_vec();
    location.extend(
        v.instance_pointer
            .split('/')
            .skip(1)
            .map(|s| s.replace("~1", "/").replace("~0", "~")),
    );
    Entry {
        location,
        code: v.keyword,
        message: v.message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn engine_is_shareable() {
        assert_send_sync::<Engine>();
    }
}
