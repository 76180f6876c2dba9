//! Requests built from a spec for `mockgen verify`: per operation, one valid request (path
//! parameters filled, required query/header/cookie parameters serialised in their style, a
//! body from the media type's example or the synthetic engine in the Request view, and
//! credentials) and, when asked, negative requests that each break one rule and so must be
//! refused with a 4xx. The mock engine is the oracle: a request is only kept as valid when the
//! engine accepts it, and a negative one only when the engine refuses it. Pure: no I/O;
//! same spec, seed and options give the same requests.

use mockgen_engine::{Engine, MockRequest};
use mockgen_spec::{
    Loc, MediaType, Operation, ParamIn, Parameter, SecurityScheme, Style, media_essence,
};
use serde_json::Value;

/// What to build.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProbeOptions {
    /// Prefix of every path (the target URL's path, else the spec's first server path).
    pub base_path: String,
    /// Headers the user gave (`--header`), sent with every request; they also stand for
    /// credentials (a requirement they satisfy gets no placeholder).
    pub headers: Vec<(String, String)>,
    /// Also build negative requests.
    pub negative: bool,
}

/// What a request is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// A valid request: any declared answer is fine.
    Valid,
    /// A request that breaks one rule (named): a 4xx is expected.
    Refused(String),
}

/// One request to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeRequest {
    /// Index into `spec.operations`.
    pub operation: usize,
    pub expect: Expect,
    /// Upper case.
    pub method: String,
    /// Percent-encoded path, base path included, without the query.
    pub path: String,
    /// Without the `?`.
    pub query: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl ProbeRequest {
    /// Path and query as sent on the request line.
    pub fn target(&self) -> String {
        match &self.query {
            Some(q) if !q.is_empty() => format!("{}?{q}", self.path),
            _ => self.path.clone(),
        }
    }

    fn as_mock<'a>(&'a self, headers: &'a [(&'a str, &'a str)]) -> MockRequest<'a> {
        MockRequest {
            method: &self.method,
            path: &self.path,
            query: self.query.as_deref().filter(|q| !q.is_empty()),
            headers,
            body: &self.body,
        }
    }
}

/// The requests of one operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub operation: usize,
    pub requests: Vec<ProbeRequest>,
    /// Why no valid request could be built (the engine's findings on the best attempt).
    pub unbuildable: Option<String>,
}

/// Plans for every operation, in spec order.
pub fn plan(engine: &Engine, options: &ProbeOptions) -> Vec<Plan> {
    (0..engine.spec().operations.len())
        .map(|i| plan_operation(engine, options, i))
        .collect()
}

/// The plan of operation `index`.
pub fn plan_operation(engine: &Engine, options: &ProbeOptions, index: usize) -> Plan {
    let mut plan = Plan {
        operation: index,
        requests: Vec::new(),
        unbuildable: None,
    };
    let Some(op) = engine.spec().operations.get(index) else {
        plan.unbuildable = Some("no such operation".to_owned());
        return plan;
    };
    // Examples first; when the engine refuses them (a wrong example, readOnly fields in a
    // request example), generated values.
    let mut last_problem = String::new();
    let mut valid = None;
    for use_examples in [true, false] {
        let Some(values) = Values::build(engine, op, use_examples) else {
            last_problem = "no value can be generated for a parameter or the body".to_owned();
            continue;
        };
        let request = assemble(engine, options, index, op, &values, Expect::Valid);
        match accepted(engine, &request) {
            Ok(()) => {
                valid = Some((request, values));
                break;
            }
            Err(problem) => last_problem = problem,
        }
    }
    let Some((request, values)) = valid else {
        plan.unbuildable = Some(last_problem);
        return plan;
    };
    plan.requests.push(request);
    if options.negative {
        for (what, broken) in negatives(engine, op, &values) {
            let r = assemble(engine, options, index, op, &broken, Expect::Refused(what));
            // Only a request the spec itself refuses is a fair negative.
            if accepted(engine, &r).is_err() {
                plan.requests.push(r);
            }
        }
    }
    plan
}

/// `Ok` when the engine accepts the request; else its findings in one line.
fn accepted(engine: &Engine, r: &ProbeRequest) -> Result<(), String> {
    let headers: Vec<(&str, &str)> = r
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let check = engine.check_request(&r.as_mock(&headers));
    if check.valid {
        Ok(())
    } else {
        Err(check
            .findings
            .iter()
            .map(mockgen_engine::Finding::line)
            .collect::<Vec<_>>()
            .join("; "))
    }
}

/// The values of one request: parameters by index, and the body.
#[derive(Clone, Debug)]
struct Values {
    /// `(index into op.parameters, value)`; `None` value: leave the parameter out.
    params: Vec<(usize, Option<Value>)>,
    /// Raw replacement text for a parameter (a negative's wrong type).
    raw: Vec<(usize, String)>,
    /// `(media type, value)`.
    body: Option<(usize, Value)>,
    /// Raw body replacing the encoded value.
    raw_body: Option<Vec<u8>>,
}

impl Values {
    fn build(engine: &Engine, op: &Operation, use_examples: bool) -> Option<Values> {
        let mut params = Vec::new();
        for (i, p) in op.parameters.iter().enumerate() {
            if !(p.required || p.location == ParamIn::Path) || ignored_header(p) {
                continue;
            }
            let example = if use_examples {
                param_example(engine, p)
            } else {
                None
            };
            let value = match example {
                Some(v) => v,
                None => {
                    let loc = param_schema(p)?;
                    engine.generate_request_value(loc, &[&op.id, "probe", "param", &p.name])?
                }
            };
            params.push((i, Some(value)));
        }
        let mut body = None;
        if let Some(rb) = &op.request_body
            && let Some(index) = pick_media(&rb.content)
            && let Some(media) = rb.content.get(index)
        {
            let value = if use_examples {
                engine.request_body_value(op, media, &["probe"])
            } else {
                media
                    .schema
                    .as_ref()
                    .and_then(|s| engine.generate_request_value(s, &[&op.id, "probe", "body"]))
            };
            match value {
                Some(v) => body = Some((index, v)),
                None if rb.required => return None,
                None => {}
            }
        }
        Some(Values {
            params,
            raw: Vec::new(),
            body,
            raw_body: None,
        })
    }
}

/// OpenAPI ignores header parameters named Accept, Content-Type and Authorization.
fn ignored_header(p: &Parameter) -> bool {
    p.location == ParamIn::Header
        && ["accept", "content-type", "authorization"]
            .iter()
            .any(|n| p.name.eq_ignore_ascii_case(n))
}

fn param_schema(p: &Parameter) -> Option<&Loc> {
    p.schema
        .as_ref()
        .or_else(|| p.content.iter().find_map(|m| m.schema.as_ref()))
}

/// The parameter's own example, else its content's, else its schema's example or default.
fn param_example(engine: &Engine, p: &Parameter) -> Option<Value> {
    if let Some(v) = p
        .examples
        .iter()
        .chain(p.content.iter().flat_map(|m| &m.examples))
        .find_map(|e| e.value.clone())
    {
        return Some(v);
    }
    let schema = schema_at(engine, param_schema(p)?)?;
    if let Some(Value::Array(examples)) = schema.get("examples")
        && let Some(first) = examples.first()
    {
        return Some(first.clone());
    }
    schema
        .get("example")
        .or_else(|| schema.get("default"))
        .cloned()
}

/// The schema at `loc` with `$ref`s followed (local and in-bundle ones), at most 16 deep.
fn schema_at<'a>(engine: &'a Engine, loc: &Loc) -> Option<&'a Value> {
    let spec = engine.spec();
    let mut doc = loc.doc;
    let mut value = spec.get(loc)?;
    for _ in 0..16 {
        let Some(Value::String(r)) = value.get("$ref") else {
            return Some(value);
        };
        let (target_doc, pointer) = match r.strip_prefix(mockgen_spec::bundle::DOC_URI_PREFIX) {
            Some(rest) => {
                let (n, pointer) = rest.split_once('#').unwrap_or((rest, ""));
                (n.parse().ok()?, pointer)
            }
            None => (doc, r.strip_prefix('#')?),
        };
        let pointer = percent_encoding::percent_decode_str(pointer)
            .decode_utf8_lossy()
            .into_owned();
        doc = target_doc;
        value = spec.get(&Loc::new(doc, pointer))?;
    }
    None
}

/// The media type to send: the first JSON one, else the first.
fn pick_media(content: &[MediaType]) -> Option<usize> {
    if content.is_empty() {
        return None;
    }
    Some(
        content
            .iter()
            .position(|m| {
                mockgen_media::kind(&m.media_type) == mockgen_media::Kind::Json
                    && !m.media_type.contains('*')
            })
            .unwrap_or(0),
    )
}

/// A declared media type as a concrete `Content-Type` (`*/*` → JSON, `text/*` → text).
fn concrete(media_type: &str) -> String {
    let essence = media_essence(media_type);
    if !essence.contains('*') {
        return media_type.to_owned();
    }
    let top = essence.split('/').next().unwrap_or_default();
    match top {
        "text" => "text/plain".to_owned(),
        "*" | "application" => "application/json".to_owned(),
        "multipart" => "multipart/form-data".to_owned(),
        _ => "application/octet-stream".to_owned(),
    }
}

/// `application/x-ndjson` and kin: one compact JSON value per line.
fn json_lines(media_type: &str) -> bool {
    let essence = media_essence(media_type);
    let sub = essence.split_once('/').map_or("", |(_, s)| s);
    matches!(
        sub,
        "x-ndjson" | "ndjson" | "jsonl" | "x-jsonlines" | "jsonlines" | "json-seq"
    )
}

/// Negative variants of a valid request's values, each breaking one rule.
fn negatives(engine: &Engine, op: &Operation, values: &Values) -> Vec<(String, Values)> {
    let mut out = Vec::new();
    // A required non-path parameter left out.
    if let Some((i, p)) = values.params.iter().find_map(|(i, _)| {
        op.parameters
            .get(*i)
            .filter(|p| p.required && p.location != ParamIn::Path)
            .map(|p| (*i, p))
    }) {
        let mut v = values.clone();
        if let Some(slot) = v.params.iter_mut().find(|(j, _)| *j == i) {
            slot.1 = None;
        }
        out.push((
            format!(
                "required {} parameter `{}` left out",
                loc_name(p.location),
                p.name
            ),
            v,
        ));
    }
    // A number or boolean parameter sent as a word.
    if let Some((i, p)) = values.params.iter().find_map(|(i, _)| {
        let p = op.parameters.get(*i)?;
        let schema = schema_at(engine, param_schema(p)?)?;
        let typed = match schema.get("type") {
            Some(Value::String(t)) => ["integer", "number", "boolean"].contains(&t.as_str()),
            _ => false,
        };
        (typed && p.content.is_empty()).then_some((*i, p))
    }) {
        let mut v = values.clone();
        v.raw.push((i, "not-a-number".to_owned()));
        out.push((
            format!(
                "{} parameter `{}` of the wrong type",
                loc_name(p.location),
                p.name
            ),
            v,
        ));
    }
    // A JSON body of the wrong type.
    if let (Some((index, _)), Some(rb)) = (&values.body, &op.request_body)
        && let Some(media) = rb.content.get(*index)
        && mockgen_media::kind(&media.media_type) == mockgen_media::Kind::Json
        && let Some(schema) = media.schema.as_ref().and_then(|s| schema_at(engine, s))
        && let Some(Value::String(t)) = schema.get("type")
    {
        let wrong = if t == "string" { "[1, 2]" } else { "\"wrong\"" };
        let mut v = values.clone();
        v.raw_body = Some(wrong.as_bytes().to_vec());
        out.push((format!("body of the wrong type (not {t})"), v));
    }
    out
}

fn loc_name(location: ParamIn) -> &'static str {
    match location {
        ParamIn::Path => "path",
        ParamIn::Query | ParamIn::Querystring => "query",
        ParamIn::Header => "header",
        ParamIn::Cookie => "cookie",
    }
}

/// Characters kept as they are in a path segment or query component: RFC 3986 unreserved.
const COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Characters a path template's literal text may hold that a request line may not.
const PATH_LITERAL: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'#')
    .add(b'?')
    .add(b'^')
    .add(b'|')
    .add(b'\\')
    .add(b'[')
    .add(b']');

/// A path template with its literal text percent-encoded and `{name}` kept for filling.
fn encode_template(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let (literal, tail) = rest.split_at(open);
        out.extend(percent_encoding::utf8_percent_encode(literal, PATH_LITERAL));
        match tail.find('}') {
            Some(close) => {
                out.push_str(&tail[..=close]);
                rest = &tail[close + 1..];
            }
            None => {
                out.extend(percent_encoding::utf8_percent_encode(tail, PATH_LITERAL));
                rest = "";
            }
        }
    }
    out.extend(percent_encoding::utf8_percent_encode(rest, PATH_LITERAL));
    out
}

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, COMPONENT).to_string()
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Build the HTTP request from the values.
fn assemble(
    engine: &Engine,
    options: &ProbeOptions,
    index: usize,
    op: &Operation,
    values: &Values,
    expect: Expect,
) -> ProbeRequest {
    let raw_of = |i: usize| {
        values
            .raw
            .iter()
            .find(|(j, _)| *j == i)
            .map(|(_, s)| s.clone())
    };
    // AWS-style `/#X-Amz-Target=A.B` and `/?Action=X`: one path, told apart by a header or
    // query value (see the route crate), which the request must carry.
    let (template, discriminators) = match op.path.find(['#', '?']) {
        Some(at) => (
            &op.path[..at],
            Some((&op.path[at..at + 1], &op.path[at + 1..])),
        ),
        None => (op.path.as_str(), None),
    };
    let mut path = format!(
        "{}{}",
        options.base_path.trim_end_matches('/'),
        encode_template(template)
    );
    let mut query: Vec<String> = Vec::new();
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut cookies: Vec<String> = Vec::new();
    for (i, value) in &values.params {
        let Some(p) = op.parameters.get(*i) else {
            continue;
        };
        let Some(value) = value else {
            continue;
        };
        let raw = raw_of(*i);
        match p.location {
            ParamIn::Path => {
                let text = raw.map_or_else(|| path_value(p, value), |r| enc(&r));
                path = path.replace(&format!("{{{}}}", p.name), &text);
            }
            ParamIn::Query => match raw {
                Some(r) => query.push(format!("{}={}", enc(&p.name), enc(&r))),
                None => query.extend(query_pairs(p, value)),
            },
            ParamIn::Querystring => query.push(match value {
                Value::Object(map) => map
                    .iter()
                    .map(|(k, v)| format!("{}={}", enc(k), enc(&scalar(v))))
                    .collect::<Vec<_>>()
                    .join("&"),
                other => enc(&scalar(other)),
            }),
            ParamIn::Header => {
                let text = raw.unwrap_or_else(|| content_or_simple(p, value));
                headers.push((p.name.clone(), text));
            }
            ParamIn::Cookie => {
                let text = raw.unwrap_or_else(|| content_or_simple(p, value));
                cookies.push(format!("{}={}", p.name, enc(&text)));
            }
        }
    }
    if let Some((sep, pairs)) = discriminators {
        for pair in pairs.split(['&', '#', '?']).filter(|p| !p.is_empty()) {
            let decoded = |s: &str| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            };
            match pair.split_once('=') {
                Some((k, v)) if sep == "#" => {
                    let (k, v) = (decoded(k), decoded(v));
                    headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&k));
                    headers.push((k, v));
                }
                Some((k, v)) => {
                    let key = enc(&decoded(k));
                    query.retain(|q| q.split('=').next() != Some(key.as_str()));
                    query.push(format!("{key}={}", enc(&decoded(v))));
                }
                None => query.push(enc(&decoded(pair))),
            }
        }
    }
    credentials(engine, op, options, &mut headers, &mut query, &mut cookies);
    if !cookies.is_empty() {
        headers.push(("Cookie".to_owned(), cookies.join("; ")));
    }
    let mut body = Vec::new();
    if let (Some((media_index, value)), Some(rb)) = (&values.body, &op.request_body)
        && let Some(media) = rb.content.get(*media_index)
    {
        let ct = concrete(&media.media_type);
        body = match &values.raw_body {
            Some(raw) => raw.clone(),
            None if media_essence(&ct).starts_with("multipart/") => {
                let (bytes, boundary_ct) = multipart(value);
                headers.push(("Content-Type".to_owned(), boundary_ct));
                bytes
            }
            None if json_lines(&ct) => match value {
                Value::Array(items) => items
                    .iter()
                    .map(|v| format!("{v}\n"))
                    .collect::<String>()
                    .into_bytes(),
                other => format!("{other}\n").into_bytes(),
            },
            None => mockgen_media::encode(engine.spec(), media.schema.as_ref(), &ct, value),
        };
        if !headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        {
            headers.push(("Content-Type".to_owned(), ct));
        }
    }
    for (name, value) in &options.headers {
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        headers.push((name.clone(), value.clone()));
    }
    ProbeRequest {
        operation: index,
        expect,
        method: op.method.to_ascii_uppercase(),
        path,
        query: (!query.is_empty()).then(|| query.join("&")),
        headers,
        body,
    }
}

/// Placeholder credentials for the first security alternative, unless the user's headers
/// already satisfy one (a header named like the scheme's, or an `Authorization`).
fn credentials(
    engine: &Engine,
    op: &Operation,
    options: &ProbeOptions,
    headers: &mut Vec<(String, String)>,
    query: &mut Vec<String>,
    cookies: &mut Vec<String>,
) {
    let spec = engine.spec();
    let reqs = op.effective_security(spec);
    if reqs.is_empty() || reqs.iter().any(|r| r.schemes.is_empty()) {
        return;
    }
    let user_has = |name: &str| {
        options
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    };
    let satisfied_by_user = |scheme: &str| match spec.security_schemes.get(scheme) {
        Some(SecurityScheme::ApiKey {
            name,
            location: ParamIn::Header,
        }) => user_has(name),
        Some(SecurityScheme::ApiKey { .. }) => false,
        _ => user_has("authorization"),
    };
    if reqs
        .iter()
        .any(|r| r.schemes.iter().all(|(s, _)| satisfied_by_user(s)))
    {
        return;
    }
    let Some(first) = reqs.first() else {
        return;
    };
    for (scheme, _) in &first.schemes {
        match spec.security_schemes.get(scheme) {
            Some(SecurityScheme::ApiKey { name, location }) => match location {
                ParamIn::Header => headers.push((name.clone(), "mockgen".to_owned())),
                ParamIn::Query | ParamIn::Querystring => {
                    query.push(format!("{}=mockgen", enc(name)));
                }
                ParamIn::Cookie => cookies.push(format!("{name}=mockgen")),
                ParamIn::Path => {}
            },
            Some(SecurityScheme::Http { scheme, .. }) if scheme.eq_ignore_ascii_case("basic") => {
                // mockgen:mockgen
                headers.push((
                    "Authorization".to_owned(),
                    "Basic bW9ja2dlbjptb2NrZ2Vu".to_owned(),
                ));
            }
            Some(SecurityScheme::Http { scheme, .. })
                if !scheme.eq_ignore_ascii_case("bearer") && !scheme.is_empty() =>
            {
                headers.push(("Authorization".to_owned(), format!("{scheme} mockgen")));
            }
            Some(SecurityScheme::MutualTls) | None => {}
            Some(_) => headers.push(("Authorization".to_owned(), "Bearer mockgen".to_owned())),
        }
    }
}

/// A header or cookie value: JSON text for `content` parameters, else simple style.
fn content_or_simple(p: &Parameter, value: &Value) -> String {
    if !p.content.is_empty() {
        return match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
    }
    match value {
        Value::Array(items) => items.iter().map(scalar).collect::<Vec<_>>().join(","),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| {
                if p.explode {
                    format!("{k}={}", scalar(v))
                } else {
                    format!("{k},{}", scalar(v))
                }
            })
            .collect::<Vec<_>>()
            .join(","),
        other => scalar(other),
    }
}

/// A path parameter in its style (simple, label, matrix), percent-encoded.
fn path_value(p: &Parameter, value: &Value) -> String {
    if !p.content.is_empty() {
        return enc(&match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        });
    }
    let items: Vec<(Option<String>, String)> = match value {
        Value::Array(items) => items.iter().map(|v| (None, enc(&scalar(v)))).collect(),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (Some(enc(k)), enc(&scalar(v))))
            .collect(),
        other => vec![(None, enc(&scalar(other)))],
    };
    let joined = |sep: &str, kv: &str| {
        items
            .iter()
            .map(|(k, v)| match k {
                Some(k) => format!("{k}{kv}{v}"),
                None => v.clone(),
            })
            .collect::<Vec<_>>()
            .join(sep)
    };
    let name = enc(&p.name);
    match (p.style, p.explode, value) {
        (Style::Label, true, _) => format!(".{}", joined(".", "=")),
        (Style::Label, false, _) => format!(".{}", joined(",", ",")),
        (Style::Matrix, true, Value::Array(_)) => {
            items.iter().map(|(_, v)| format!(";{name}={v}")).collect()
        }
        (Style::Matrix, true, Value::Object(_)) => format!(";{}", joined(";", "=")),
        (Style::Matrix, _, _) => format!(";{name}={}", joined(",", ",")),
        (_, true, _) => joined(",", "="),
        _ => joined(",", ","),
    }
}

/// `name=value` pairs of a query parameter in its style.
fn query_pairs(p: &Parameter, value: &Value) -> Vec<String> {
    let name = enc(&p.name);
    if !p.content.is_empty() {
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        return vec![format!("{name}={}", enc(&text))];
    }
    match (p.style, value) {
        (Style::DeepObject, Value::Object(map)) => map
            .iter()
            .map(|(k, v)| format!("{name}%5B{}%5D={}", enc(k), enc(&scalar(v))))
            .collect(),
        (Style::SpaceDelimited | Style::PipeDelimited, Value::Array(items)) if !p.explode => {
            let sep = if p.style == Style::SpaceDelimited {
                "%20"
            } else {
                "%7C"
            };
            vec![format!(
                "{name}={}",
                items
                    .iter()
                    .map(|v| enc(&scalar(v)))
                    .collect::<Vec<_>>()
                    .join(sep)
            )]
        }
        (_, Value::Array(items)) if p.explode => items
            .iter()
            .map(|v| format!("{name}={}", enc(&scalar(v))))
            .collect(),
        (_, Value::Array(items)) => vec![format!(
            "{name}={}",
            items
                .iter()
                .map(|v| enc(&scalar(v)))
                .collect::<Vec<_>>()
                .join(",")
        )],
        (_, Value::Object(map)) if p.explode => map
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(&scalar(v))))
            .collect(),
        (_, Value::Object(map)) => vec![format!(
            "{name}={}",
            map.iter()
                .flat_map(|(k, v)| [enc(k), enc(&scalar(v))])
                .collect::<Vec<_>>()
                .join(",")
        )],
        (_, other) => vec![format!("{name}={}", enc(&scalar(other)))],
    }
}

/// A `multipart/form-data` body: one part per top-level property (strings as they are,
/// anything else as JSON); returns the bytes and the `Content-Type` with its boundary.
fn multipart(value: &Value) -> (Vec<u8>, String) {
    const BOUNDARY: &str = "mockgen-probe-boundary";
    let mut out = String::new();
    if let Value::Object(map) = value {
        for (name, v) in map {
            let items: Vec<&Value> = match v {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            for item in items {
                out.push_str(&format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{}\"\r\n",
                    name.replace('"', "%22")
                ));
                let (text, ct) = match item {
                    Value::Object(_) | Value::Array(_) => {
                        (item.to_string(), Some("application/json"))
                    }
                    other => (scalar(other), None),
                };
                if let Some(ct) = ct {
                    out.push_str(&format!("Content-Type: {ct}\r\n"));
                }
                out.push_str(&format!("\r\n{text}\r\n"));
            }
        }
    }
    out.push_str(&format!("--{BOUNDARY}--\r\n"));
    (
        out.into_bytes(),
        format!("multipart/form-data; boundary={BOUNDARY}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn param(name: &str, location: ParamIn, style: Style, explode: bool) -> Parameter {
        Parameter {
            name: name.to_owned(),
            location,
            required: true,
            deprecated: false,
            allow_empty_value: false,
            style,
            explode,
            allow_reserved: false,
            schema: None,
            content: Vec::new(),
            examples: Vec::new(),
            loc: Loc::new(0, ""),
        }
    }

    #[test]
    fn query_styles() {
        let form = param("ids", ParamIn::Query, Style::Form, true);
        assert_eq!(query_pairs(&form, &json!([1, 2])), ["ids=1", "ids=2"]);
        let flat = param("ids", ParamIn::Query, Style::Form, false);
        assert_eq!(query_pairs(&flat, &json!([1, 2])), ["ids=1,2"]);
        let pipe = param("ids", ParamIn::Query, Style::PipeDelimited, false);
        assert_eq!(query_pairs(&pipe, &json!(["a", "b"])), ["ids=a%7Cb"]);
        let deep = param("f", ParamIn::Query, Style::DeepObject, true);
        assert_eq!(query_pairs(&deep, &json!({"a": 1})), ["f%5Ba%5D=1"]);
        assert_eq!(query_pairs(&form, &json!("a b")), ["ids=a%20b"]);
    }

    #[test]
    fn templates_keep_parameters_and_encode_literals() {
        assert_eq!(encode_template("/a b/{id}/ü"), "/a%20b/{id}/%C3%BC");
        assert_eq!(encode_template("/x/{unclosed"), "/x/{unclosed");
        assert_eq!(encode_template("/plain/{a}-{b}"), "/plain/{a}-{b}");
    }

    #[test]
    fn path_styles() {
        let simple = param("id", ParamIn::Path, Style::Simple, false);
        assert_eq!(path_value(&simple, &json!("a/b")), "a%2Fb");
        assert_eq!(path_value(&simple, &json!([1, 2])), "1,2");
        let label = param("id", ParamIn::Path, Style::Label, false);
        assert_eq!(path_value(&label, &json!(5)), ".5");
        let matrix = param("id", ParamIn::Path, Style::Matrix, true);
        assert_eq!(path_value(&matrix, &json!([1, 2])), ";id=1;id=2");
    }

    #[test]
    fn wildcards_become_concrete() {
        assert_eq!(concrete("*/*"), "application/json");
        assert_eq!(concrete("text/*"), "text/plain");
        assert_eq!(concrete("application/xml"), "application/xml");
        let (bytes, ct) = multipart(&json!({"a": "x", "b": {"c": 1}}));
        let text = String::from_utf8(bytes).expect("utf-8");
        assert!(ct.contains("boundary=mockgen-probe-boundary"));
        assert!(text.contains("name=\"a\"\r\n\r\nx\r\n"));
        assert!(text.contains("Content-Type: application/json\r\n\r\n{\"c\":1}"));
    }
}
