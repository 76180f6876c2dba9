//! The mock's brain on plain data: a request (method, raw path, query, headers, body) in, a
//! response (status, headers, body) out. Routing, request validation (every violation is
//! collected), security shape checks, response selection (`Prefer`, `__code`, …), content
//! negotiation and body generation follow Prism's public conventions. An HTTP server only
//! converts between its types and [`MockRequest`] / [`MockResponse`].

mod body;
mod cache;
mod conform;
mod hook;
mod negotiate;
mod problem;
mod render;

use mockgen_route::{Lookup, RouteOptions, RouteTable};
use mockgen_schema::{SlotId, Validator, View, Violation};
use mockgen_spec::{
    Operation, ParamIn, Response, SecurityRequirement, SecurityScheme, Spec, StatusKey, doc_uri,
};
use mockgen_synth::Synth;
use problem::{Entry, problem};
use render::{ResponseSlots, Target};
use serde_json::Value;
use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

pub use conform::{Finding, RequestCheck, ResponseParts};
pub use hook::{Answer, AnswerBody, Exchange, Fault, Hook, Hooks, Plan};

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
    /// Per parameter: its schema read once, so parsing a request does not walk the spec.
    plans: Vec<mockgen_params::Plan>,
}

/// A compiled mock of one spec. `Send + Sync`; build once, share.
pub struct Engine {
    spec: Arc<Spec>,
    routes: RouteTable,
    synth: Synth,
    /// The synthetic-data engine's validator, shared: one compilation per spec.
    validator: Arc<Validator>,
    slots: Vec<OpSlots>,
    /// Per operation, per declared response.
    response_slots: Vec<Vec<ResponseSlots>>,
    options: Options,
    counter: AtomicU64,
    cache: cache::Cache,
    /// Swagger 2.0 only: per operation, the JSON media type its `produces` declares, which
    /// labels the problem documents the mock generates for it (2.0 `produces` covers every
    /// response of the operation, so `application/problem+json` would be undeclared).
    problem_media: Vec<Option<String>>,
}

/// Bytes of URL-dependent rendered responses kept for reuse.
const CACHE_BYTES: usize = 8 << 20;

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
    /// Digits only.
    seed: Option<String>,
}

const PREFER_QUERY: [&str; 4] = ["__code", "__example", "__dynamic", "__seed"];

impl Engine {
    /// Compile routes, validators and the generator for `spec`.
    pub fn new(spec: Arc<Spec>, options: Options) -> Result<Engine, String> {
        let (routes, _conflicts) = RouteTable::new(
            &spec,
            &RouteOptions {
                base_paths: options.base_paths.clone(),
            },
        );
        // Header `content` schemas are generated too; synth prepares `schema` ones only.
        let extra: Vec<(mockgen_spec::Loc, View)> = spec
            .operations
            .iter()
            .flat_map(|op| &op.responses)
            .flat_map(|r| &r.headers)
            .filter(|h| h.schema.is_none())
            .filter_map(|h| h.content.iter().find_map(|m| m.schema.clone()))
            .map(|loc| (loc, View::Response))
            .collect();
        let mut slots = Vec::with_capacity(spec.operations.len());
        let mut response_slots = Vec::with_capacity(spec.operations.len());
        let synth = Synth::with_builder(
            &spec,
            mockgen_synth::Options {
                seed: options.seed,
                ..Default::default()
            },
            &extra,
            |builder| {
                // The same (location, view) as the generator's slots: shared, not recompiled.
                let mut slot = |loc: &mockgen_spec::Loc, view: View| {
                    builder.slot(&doc_uri(loc.doc), &loc.pointer, view)
                };
                for op in &spec.operations {
                    let params = op
                        .parameters
                        .iter()
                        .map(|p| {
                            p.schema
                                .as_ref()
                                .or_else(|| p.content.iter().find_map(|m| m.schema.as_ref()))
                                .map(|s| slot(s, View::Request))
                        })
                        .collect();
                    let body = op
                        .request_body
                        .iter()
                        .flat_map(|b| &b.content)
                        .map(|m| m.schema.as_ref().map(|s| slot(s, View::Request)))
                        .collect();
                    slots.push(OpSlots {
                        params,
                        body,
                        plans: mockgen_params::plan(&spec, op),
                    });
                    response_slots.push(
                        op.responses
                            .iter()
                            .map(|r| ResponseSlots {
                                body: r
                                    .content
                                    .iter()
                                    .map(|m| m.schema.as_ref().map(|s| slot(s, View::Response)))
                                    .collect(),
                                headers: r
                                    .headers
                                    .iter()
                                    .map(|h| {
                                        h.schema
                                            .as_ref()
                                            .or_else(|| {
                                                h.content.iter().find_map(|m| m.schema.as_ref())
                                            })
                                            .map(|s| slot(s, View::Response))
                                    })
                                    .collect(),
                            })
                            .collect(),
                    );
                }
            },
        )
        .map_err(|e| e.to_string())?;
        let validator = Arc::clone(synth.validator());
        let json_of = |op: &Operation| -> Result<Option<String>, ()> {
            let essences: Vec<String> = op
                .responses
                .iter()
                .flat_map(|r| &r.content)
                .map(|m| mockgen_media::essence(&m.media_type))
                .collect();
            if essences.iter().any(|e| e == "application/problem+json") {
                return Err(());
            }
            Ok(essences
                .into_iter()
                .find(|e| !e.contains('*') && mockgen_media::kind(e) == mockgen_media::Kind::Json))
        };
        // An operation whose responses carry no schema keeps no media type in the model; its
        // `produces` is then almost always the document's: take the JSON type the other
        // operations declare.
        let document_json = spec
            .operations
            .iter()
            .find_map(|op| json_of(op).ok().flatten());
        let problem_media = spec
            .operations
            .iter()
            .map(|op| {
                if spec.version != mockgen_spec::SpecVersion::Swagger20 {
                    return None;
                }
                match json_of(op) {
                    Err(()) => None,
                    Ok(Some(json)) => Some(json),
                    Ok(None) => document_json.clone(),
                }
            })
            .collect();
        Ok(Engine {
            spec,
            routes,
            synth,
            validator,
            slots,
            response_slots,
            options,
            counter: AtomicU64::new(0),
            cache: cache::Cache::new(CACHE_BYTES),
            problem_media,
        })
    }

    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    /// Answer one request. Never panics.
    pub fn handle(&self, req: &MockRequest<'_>) -> MockResponse {
        self.handle_with(req, None)
    }

    /// Answer one request, letting `hook` pick the answer to a request that passed
    /// validation (stateful stores, configured rules). Never panics.
    pub fn handle_with(&self, req: &MockRequest<'_>, hook: Option<&dyn Hook>) -> MockResponse {
        let mut meta = Meta::default();
        let mut resp = self.respond(req, &mut meta, hook);
        if let Some(Some(media)) = meta.operation.and_then(|i| self.problem_media.get(i))
            && let Some((_, ct)) = resp
                .headers
                .iter_mut()
                .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            && ct == "application/problem+json"
        {
            ct.clone_from(media);
        }
        resp.meta = meta;
        if req.method.eq_ignore_ascii_case("HEAD") {
            resp.body.clear();
        }
        resp
    }

    fn respond(
        &self,
        req: &MockRequest<'_>,
        meta: &mut Meta,
        hook: Option<&dyn Hook>,
    ) -> MockResponse {
        let method: Cow<'_, str> = if req.method.bytes().any(|b| b.is_ascii_lowercase()) {
            Cow::Owned(req.method.to_ascii_uppercase())
        } else {
            Cow::Borrowed(req.method)
        };
        let parts = mockgen_route::RequestParts {
            headers: req.headers,
            query: req.query,
        };
        let found = match self.routes.lookup_with(&method, req.path, &parts) {
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
        let op_index = found.operation;
        meta.operation = Some(op_index);
        let slots = self.slots.get(op_index);

        // Prefer and its query fallbacks; the fallbacks are not spec parameters.
        let (prefer, query) = prefer(req);
        let query = query.as_deref();

        // Security comes before validation.
        if let Some(challenge) = self.security_challenge(op, req, query) {
            return self.unauthorized(op_index, op, req, challenge, meta);
        }

        // Request validation: collect everything.
        let mut entries: Vec<Entry> = Vec::new();
        let path_raw: Vec<(&str, &str)> = found
            .params
            .iter()
            .map(|(n, _)| *n)
            .zip(found.raw_params.iter().copied())
            .collect();
        let path_params: Vec<(&str, String)> = found
            .params
            .into_iter()
            .map(|(n, v)| (n, v.into_owned()))
            .collect();
        let raw = mockgen_params::RawRequest {
            path_params: &path_params,
            path_raw: &path_raw,
            query,
            headers: req.headers,
            cookies: header(req.headers, "cookie"),
        };
        let plans = slots.map(|s| s.plans.as_slice()).unwrap_or_default();
        let parsed = mockgen_params::parse_planned(&self.spec, op, plans, &raw);
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
            let violations = self.validator.validate(*slot, value);
            if violations.is_empty() {
                continue;
            }
            let base = [param_in(param.location).to_owned(), param.name.clone()];
            for v in violations {
                entries.push(violation_entry(&base, v));
            }
        }
        let mut body_value = None;
        if let Some(rb) = &op.request_body {
            let body_slots = slots.map(|s| s.body.as_slice()).unwrap_or_default();
            match body::check(self, rb, body_slots, req, &mut entries) {
                Ok(v) => body_value = v,
                Err(r) => return self.unreadable_body(op_index, op, req, r, meta),
            }
        }
        if !entries.is_empty() {
            meta.violations = entries
                .iter()
                .map(|e| format!("{}: {}", e.location.join("."), e.message))
                .collect();
            return self
                .declared_error(op_index, op, req, &[422, 400], &entries, meta)
                .unwrap_or_else(|| {
                    problem::unprocessable(entries.iter().map(Entry::to_json).collect())
                });
        }
        // An explicit `Prefer: code=`/`example=` (or `__code`/`__example`) wins over hooks.
        if let Some(hook) = hook
            && prefer.code.is_none()
            && prefer.example.is_none()
        {
            let exchange = Exchange {
                operation: op_index,
                op,
                method: &method,
                path: req.path,
                path_params: &path_params,
                params: &parsed.values,
                query,
                headers: req.headers,
                body: body_value.as_ref(),
                raw_body: req.body,
            };
            if let Some(answer) = hook.decide(self, &exchange) {
                return self.answer(op_index, op, req, answer, meta);
            }
        }
        self.success(op_index, op, req, query.unwrap_or_default(), &prefer, meta)
    }

    /// A static render of response `resp_index` of `op` (no Prefer), as an error answer uses.
    fn render_declared(
        &self,
        op_index: usize,
        op: &Operation,
        resp_index: usize,
        status: u16,
        req: &MockRequest<'_>,
    ) -> Option<Arc<cache::Rendered>> {
        let resp = op.responses.get(resp_index)?;
        self.render(
            &Target {
                op_index,
                op,
                resp_index,
                resp,
                status,
                example: None,
                dynamic: false,
                seed: None,
                path: req.path,
                query: "",
                inline: None,
            },
            req,
        )
        .ok()
    }

    /// The answer to a request that fails the security requirements: the operation's own
    /// 401 when it declares one (with a challenge added), else a generated problem.
    fn unauthorized(
        &self,
        op_index: usize,
        op: &Operation,
        req: &MockRequest<'_>,
        challenge: String,
        meta: &mut Meta,
    ) -> MockResponse {
        // The operation's own 401, else its `4XX` or `default` (sent with status 401), as for
        // other rejections: a contract-checking client sees a documented body.
        let declared = op
            .responses
            .iter()
            .position(|r| r.status == StatusKey::Code(401))
            .or_else(|| {
                op.responses
                    .iter()
                    .position(|r| r.status == StatusKey::Range(4))
            })
            .or_else(|| {
                op.responses
                    .iter()
                    .position(|r| r.status == StatusKey::Default)
            });
        if let Some(index) = declared
            && let Some(rendered) = self.render_declared(op_index, op, index, 401, req)
        {
            let mut r = self.finish(&rendered, meta);
            if r.status == 401 && r.header("www-authenticate").is_none() {
                r.headers.push(("WWW-Authenticate".into(), challenge));
            }
            return r;
        }
        let mut r = problem(
            401,
            "UNAUTHORIZED",
            "Invalid security scheme used",
            "Your request does not fullfil the security requirements and no HTTP unauthorized response was found in the spec, so mockgen is generating this error for you.",
        );
        r.headers.push(("WWW-Authenticate".into(), challenge));
        r
    }

    /// A rendered response as sent: with `--errors`, a response that breaks its schemas
    /// becomes a 500 listing why; its violations always go to the log.
    fn finish(&self, rendered: &cache::Rendered, meta: &mut Meta) -> MockResponse {
        self.finish_with(rendered, meta, None)
    }

    /// [`Engine::finish`], sending `body` (when given) instead of the rendered one.
    fn finish_with(
        &self,
        rendered: &cache::Rendered,
        meta: &mut Meta,
        body: Option<Vec<u8>>,
    ) -> MockResponse {
        if !rendered.violations.is_empty() {
            meta.violations.extend(
                rendered
                    .violations
                    .iter()
                    .map(|e| format!("{}: {}", e.location.join("."), e.message)),
            );
            if self.options.validate_responses {
                return problem::invalid_response(
                    rendered.violations.iter().map(Entry::to_json).collect(),
                );
            }
        }
        MockResponse {
            status: rendered.status,
            headers: rendered.headers.clone(),
            body: body.unwrap_or_else(|| rendered.body.clone()),
            meta: Meta::default(),
        }
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

    /// A body the engine could not accept (400 unreadable, 413, 415): the operation's own
    /// response for that status when it declares one (see [`Engine::declared_error`]), with
    /// the reason as a one-entry `validation` list when its schema allows; else `generated`.
    fn unreadable_body(
        &self,
        op_index: usize,
        op: &Operation,
        req: &MockRequest<'_>,
        generated: MockResponse,
        meta: &mut Meta,
    ) -> MockResponse {
        let codes: &[u16] = match generated.status {
            400 => &[400],
            413 => &[413],
            415 => &[415],
            _ => return generated,
        };
        let detail = serde_json::from_slice::<Value>(&generated.body)
            .ok()
            .and_then(|v| v.get("detail").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_default();
        meta.violations.push(format!("body: {detail}"));
        let entry = Entry {
            location: vec!["body".into()],
            code: match generated.status {
                413 => "size",
                415 => "contentType",
                _ => "syntax",
            }
            .into(),
            message: detail,
        };
        self.declared_error(op_index, op, req, codes, &[entry], meta)
            .unwrap_or(generated)
    }

    /// The operation's own response for an error the mock answers by itself — the first of
    /// `codes` declared exactly, else a range (`4XX`) or `default` covering `codes[0]` — as
    /// Prism does. The declared body gets the `validation` list only when it still matches
    /// the response's schema that way (a contract-checking client must not see a
    /// non-conformant body); otherwise it is sent as the spec has it. `None` when nothing is
    /// declared (or it cannot be rendered).
    fn declared_error(
        &self,
        op_index: usize,
        op: &Operation,
        req: &MockRequest<'_>,
        codes: &[u16],
        validation: &[Entry],
        meta: &mut Meta,
    ) -> Option<MockResponse> {
        let first = codes.first().copied().unwrap_or(422);
        let (index, status) = codes
            .iter()
            .find_map(|&code| {
                op.responses
                    .iter()
                    .position(|r| r.status == StatusKey::Code(code))
                    .map(|i| (i, code))
            })
            .or_else(|| {
                op.responses
                    .iter()
                    .position(|r| {
                        matches!(r.status, StatusKey::Range(_)) && r.status.matches(first)
                    })
                    .or_else(|| {
                        op.responses
                            .iter()
                            .position(|r| r.status == StatusKey::Default)
                    })
                    .map(|i| (i, first))
            })?;
        let rendered = self.render_declared(op_index, op, index, status, req)?;
        let body = if rendered.status == status {
            self.with_validation(op_index, index, &rendered, validation)
        } else {
            None
        };
        Some(self.finish_with(&rendered, meta, body))
    }

    /// The declared error body with `validation` added (and a problem document's `status`
    /// set), when that still validates against the response's schema. What the body allows
    /// is worked out once per rendered body ([`cache::Splice`]): usually the schema cannot
    /// see the extra member, and the entries are written straight after the cached head.
    fn with_validation(
        &self,
        op_index: usize,
        resp_index: usize,
        rendered: &cache::Rendered,
        validation: &[Entry],
    ) -> Option<Vec<u8>> {
        let slot = || {
            self.response_slots
                .get(op_index)?
                .get(resp_index)?
                .body
                .get(rendered.media?)
                .copied()
                .flatten()
        };
        match rendered
            .splice
            .get_or_init(|| self.splice(op_index, resp_index, rendered))
        {
            cache::Splice::Never => None,
            cache::Splice::Append { head, empty } => {
                let mut out = Vec::with_capacity(head.len() + 256 * validation.len() + 32);
                out.extend_from_slice(head);
                if !*empty {
                    out.push(b',');
                }
                out.extend_from_slice(b"\n  \"validation\": ");
                let mut list = Vec::with_capacity(256 * validation.len() + 8);
                serde_json::to_writer_pretty(&mut list, validation).ok()?;
                // One level deeper: JSON text has no raw newline inside strings.
                for line in list.split_inclusive(|&b| b == b'\n') {
                    out.extend_from_slice(line);
                    if line.ends_with(b"\n") {
                        out.extend_from_slice(b"  ");
                    }
                }
                out.extend_from_slice(b"\n}\n");
                Some(out)
            }
            cache::Splice::Check(map) => {
                let mut map = map.clone();
                map.insert(
                    "validation".into(),
                    Value::Array(validation.iter().map(Entry::to_json).collect()),
                );
                let value = Value::Object(map);
                if let Some(slot) = slot()
                    && !self.validator.is_valid(slot, &value)
                {
                    return None;
                }
                Some(mockgen_media::json_pretty(&value).into_bytes())
            }
        }
    }

    /// How `rendered` (response `resp_index` of operation `op_index`) takes a `validation`
    /// member; see [`cache::Splice`].
    fn splice(
        &self,
        op_index: usize,
        resp_index: usize,
        rendered: &cache::Rendered,
    ) -> cache::Splice {
        use cache::Splice;
        let Some(ct) = rendered
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.as_str())
        else {
            return Splice::Never;
        };
        if mockgen_media::kind(ct) != mockgen_media::Kind::Json {
            return Splice::Never;
        }
        let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(&rendered.body) else {
            return Splice::Never;
        };
        if map.contains_key("validation") {
            return Splice::Never;
        }
        if mockgen_media::essence(ct).ends_with("problem+json")
            && map.get("status").is_some_and(Value::is_number)
        {
            map.insert("status".into(), Value::from(rendered.status));
        }
        // A body without a negotiated media type (or response slots) is sent as it is.
        let (Some(index), Some(slots)) = (
            rendered.media,
            self.response_slots
                .get(op_index)
                .and_then(|r| r.get(resp_index)),
        ) else {
            return Splice::Never;
        };
        let slot = slots.body.get(index).copied().flatten();
        let media = self
            .spec
            .operations
            .get(op_index)
            .and_then(|op| op.responses.get(resp_index))
            .and_then(|r| r.content.get(index));
        let blind = match (slot, media) {
            (None, _) => true,
            (Some(_), Some(m)) => {
                mockgen_params::schema::View::of_loc(&self.spec, m.schema.as_ref())
                    .ignores_member("validation")
            }
            (Some(_), None) => false,
        };
        if !blind {
            return Splice::Check(map);
        }
        let value = Value::Object(map);
        if let Some(slot) = slot
            && !self.validator.is_valid(slot, &value)
        {
            return Splice::Never;
        }
        let mut head = mockgen_media::json_pretty(&value).into_bytes();
        let empty = value.as_object().is_none_or(serde_json::Map::is_empty);
        if empty {
            head.truncate(1);
        } else {
            // `…\n}\n`: keep everything before the closing brace's line.
            head.truncate(head.len().saturating_sub(3));
        }
        Splice::Append { head, empty }
    }

    /// The response for a valid request.
    fn success(
        &self,
        op_index: usize,
        op: &Operation,
        req: &MockRequest<'_>,
        query: &str,
        prefer: &Prefer,
        meta: &mut Meta,
    ) -> MockResponse {
        let (resp_index, status) = if let Some(code) = &prefer.code {
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
        let Some(resp) = op.responses.get(resp_index) else {
            return problem(500, "INTERNAL", "Internal error", "no such response");
        };
        let target = Target {
            op_index,
            op,
            resp_index,
            resp,
            status,
            example: prefer.example.as_deref(),
            dynamic: prefer.dynamic.unwrap_or(self.options.dynamic),
            seed: prefer.seed.as_deref(),
            path: req.path,
            query,
            inline: None,
        };
        match self.render(&target, req) {
            Ok(rendered) => self.finish(&rendered, meta),
            Err(r) => r,
        }
    }
}

/// The response for a requested status code: exact, then its range, then `default`.
fn select_code(responses: &[Response], code: u16) -> Option<usize> {
    responses
        .iter()
        .position(|r| r.status == StatusKey::Code(code))
        .or_else(|| {
            responses
                .iter()
                .position(|r| matches!(r.status, StatusKey::Range(_)) && r.status.matches(code))
        })
        .or_else(|| {
            responses
                .iter()
                .position(|r| r.status == StatusKey::Default)
        })
}

/// Lowest declared 2xx, then `2XX`, then `default`, then the declared status that least
/// suggests a valid request was wrong (see below).
fn select_default(responses: &[Response]) -> Option<(usize, u16)> {
    let lowest = responses
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match r.status {
            StatusKey::Code(c) if (200..300).contains(&c) => Some((i, c)),
            _ => None,
        })
        .min_by_key(|(_, c)| *c);
    lowest
        .or_else(|| {
            responses
                .iter()
                .position(|r| r.status == StatusKey::Range(2))
                .map(|i| (i, 200))
        })
        .or_else(|| {
            responses
                .iter()
                .position(|r| r.status == StatusKey::Default)
                .map(|i| (i, 200))
        })
        .or_else(|| {
            // No success declared. A valid request is not a bad one, so prefer what does not
            // say so: 3xx, then 404, 409, 401, 403, 429, then other 4xx, then 5xx; a mock
            // cannot switch protocols, so 1xx comes last.
            let status = |r: &Response| match r.status {
                StatusKey::Code(c) => c,
                StatusKey::Range(n) => u16::from(n) * 100,
                StatusKey::Default => 200,
            };
            let preference = |code: u16| match code {
                300..=399 => (0, code),
                404 => (1, 0),
                409 => (1, 1),
                401 => (1, 2),
                403 => (1, 3),
                429 => (1, 4),
                400..=499 => (2, code),
                500..=599 => (3, code),
                _ => (4, code),
            };
            responses
                .iter()
                .enumerate()
                .min_by_key(|(_, r)| preference(status(r)))
                .map(|(i, r)| (i, status(r)))
        })
}

/// Read `Prefer` and the `__code`/`__example`/`__dynamic`/`__seed` query parameters; return
/// the query without the latter (borrowed when it has none).
fn prefer<'a>(req: &MockRequest<'a>) -> (Prefer, Option<Cow<'a, str>>) {
    let mut p = Prefer::default();
    let mut set = |key: &str, value: &str| {
        let key = key.trim();
        if key.eq_ignore_ascii_case("code") {
            p.code = Some(value.trim().to_owned());
        } else if key.eq_ignore_ascii_case("example") {
            p.example = Some(value.trim().trim_matches('"').to_owned());
        } else if key.eq_ignore_ascii_case("dynamic") {
            p.dynamic = Some(value.trim().eq_ignore_ascii_case("true"));
        } else if key.eq_ignore_ascii_case("seed") {
            let v = value.trim().trim_matches('"');
            if !v.is_empty() && v.len() <= 20 && v.bytes().all(|b| b.is_ascii_digit()) {
                p.seed = Some(v.to_owned());
            }
        }
    };
    let query = match req.query {
        // `__` may be percent-encoded (`%5F`), so a `_` or `%` means looking closer.
        Some(q) if q.contains(['_', '%']) => {
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
            if kept.len() == q.split('&').count() {
                Some(Cow::Borrowed(q))
            } else {
                Some(Cow::Owned(kept.join("&")))
            }
        }
        other => other.map(Cow::Borrowed),
    };
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
