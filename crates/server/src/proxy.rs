//! `mockgen proxy`: forward every request to a real server and check both directions against
//! the spec. Violations go to the request log, to an `x-mockgen-violations` response header
//! and to a report sink (the binary writes it as JSON lines). With `errors`, a request the
//! spec refuses is answered 422 without being forwarded, and a response that breaks the spec
//! becomes a 502 listing what was wrong. An unreachable upstream is a 502 saying so.

use crate::client::{Client, ClientRequest, Upstream, hop_by_hop};
use crate::log;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use mockgen_engine::{Engine, Finding, MockRequest, ResponseParts};
use serde_json::{Value, json};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The header listing a exchange's violations: `N; first; second…` (at most
/// [`HEADER_MAX`] bytes, control characters replaced).
pub const VIOLATIONS_HEADER: &str = "x-mockgen-violations";
const HEADER_MAX: usize = 1024;

/// How the proxy runs.
#[derive(Clone, Debug)]
pub struct ProxyOptions {
    pub host: String,
    pub port: u16,
    pub upstream: Upstream,
    /// Refuse invalid requests (422) and replace invalid responses (502).
    pub errors: bool,
    pub log: crate::LogFormat,
    /// Largest request body forwarded.
    pub max_body: usize,
    /// Talks to the upstream (its timeout bounds each exchange; its roots check https).
    pub client: Client,
}

/// One checked exchange, as the report holds it.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExchangeReport {
    pub method: String,
    /// Path and query as requested.
    pub path: String,
    pub operation_id: Option<String>,
    /// The status the client got.
    pub status: u16,
    /// The upstream's status; `None` when it was not asked or did not answer.
    pub upstream_status: Option<u16>,
    pub request: Vec<Finding>,
    pub response: Vec<Finding>,
    /// Why the upstream gave no answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Receives every exchange (the binary appends it to the report file).
pub type ReportSink = Arc<dyn Fn(&ExchangeReport) + Send + Sync>;

struct ProxyState {
    engine: Arc<Engine>,
    client: Client,
    upstream: Upstream,
    errors: bool,
    max_body: usize,
    log: log::Logger,
    report: Option<ReportSink>,
}

/// Bind, then return the bound address and a future that proxies until `shutdown` resolves.
/// Must be called inside a tokio runtime.
pub async fn bind_proxy<S>(
    engine: Arc<Engine>,
    options: &ProxyOptions,
    report: Option<ReportSink>,
    shutdown: S,
) -> std::io::Result<(SocketAddr, impl Future<Output = std::io::Result<()>> + Send)>
where
    S: Future<Output = ()> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind((options.host.as_str(), options.port)).await?;
    let addr = listener.local_addr()?;
    let (logger, log_thread) = log::Logger::start(options.log);
    let state = Arc::new(ProxyState {
        engine,
        client: options.client.clone(),
        upstream: options.upstream.clone(),
        errors: options.errors,
        max_body: options.max_body,
        log: logger,
        report,
    });
    let router = Router::new().fallback(handle).with_state(state);
    let serve = async move {
        let result = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await;
        if let Some(thread) = log_thread {
            let joined = tokio::task::spawn_blocking(move || thread.join());
            let _ = tokio::time::timeout(Duration::from_secs(1), joined).await;
        }
        result
    };
    Ok((addr, serve))
}

async fn handle(State(state): State<Arc<ProxyState>>, req: Request) -> Response {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| path.clone(), |pq| pq.as_str().to_owned());
    let method = parts.method.as_str().to_owned();
    let body = match axum::body::to_bytes(body, state.max_body).await {
        Ok(b) => b,
        Err(_) => {
            let answer = problem(
                413,
                "PAYLOAD_TOO_LARGE",
                "Request body too large",
                &format!("The request body is larger than {} bytes", state.max_body),
                Vec::new(),
            );
            return finish(&state, started, &method, &target, None, answer, None);
        }
    };
    let headers: Vec<(&str, &str)> = parts
        .headers
        .iter()
        .filter_map(|(n, v)| Some((n.as_str(), v.to_str().ok()?)))
        .collect();
    let mock = MockRequest {
        method: &method,
        path: &path,
        query: query.as_deref(),
        headers: &headers,
        body: &body,
    };
    let mut check = state.engine.check_request(&mock);
    // HEAD is GET without a body unless the spec declares HEAD itself.
    if parts.method == Method::HEAD && check.status == 405 {
        check = state.engine.check_request(&MockRequest {
            method: "GET",
            ..mock
        });
    }
    let operation_id = check
        .operation
        .and_then(|i| state.engine.spec().operations.get(i))
        .map(|op| op.id.clone());
    let mut report = ExchangeReport {
        method: method.clone(),
        path: target.clone(),
        operation_id: operation_id.clone(),
        status: 0,
        upstream_status: None,
        request: check.findings.clone(),
        response: Vec::new(),
        error: None,
    };
    if state.errors && !check.valid {
        let answer = problem(
            422,
            "INVALID_REQUEST",
            "The request does not match the specification",
            "mockgen proxy refused to forward this request; every violation is listed.",
            check.findings.iter().map(validation_entry).collect(),
        );
        return finish(
            &state,
            started,
            &method,
            &target,
            operation_id.as_deref(),
            answer,
            Some(report),
        );
    }
    // Forward. The upstream is asked for an uncompressed body so it can be checked.
    let forwarded: Vec<(String, Vec<u8>)> = parts
        .headers
        .iter()
        .filter(|(n, _)| !hop_by_hop(n.as_str()) && *n != header::ACCEPT_ENCODING)
        .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
        .collect();
    let sent = state
        .client
        .send(ClientRequest {
            method: method.clone(),
            url: state.upstream.url(&target),
            headers: forwarded,
            body: body.to_vec(),
        })
        .await;
    let upstream = match sent {
        Ok(r) => r,
        Err(e) => {
            let detail = format!("The upstream {} did not answer: {e}", state.upstream);
            report.error = Some(detail.clone());
            let answer = problem(
                502,
                "UPSTREAM_UNREACHABLE",
                "Upstream unreachable",
                &detail,
                Vec::new(),
            );
            return finish(
                &state,
                started,
                &method,
                &target,
                operation_id.as_deref(),
                answer,
                Some(report),
            );
        }
    };
    report.upstream_status = Some(upstream.status);
    if let Some(op) = check.operation {
        let text = upstream.text_headers();
        let upstream_headers: Vec<(&str, &str)> = text.iter().map(|(n, v)| (*n, &**v)).collect();
        report.response = state.engine.check_response(
            op,
            &ResponseParts {
                method: &method,
                status: upstream.status,
                headers: &upstream_headers,
                body: &upstream.body,
            },
        );
    }
    if state.errors && !report.response.is_empty() {
        let answer = problem(
            502,
            "INVALID_RESPONSE",
            "The upstream response does not match the specification",
            &format!(
                "The upstream answered {}, which breaks the specification; every violation is listed.",
                upstream.status
            ),
            report.response.iter().map(validation_entry).collect(),
        );
        return finish(
            &state,
            started,
            &method,
            &target,
            operation_id.as_deref(),
            answer,
            Some(report),
        );
    }
    let status = StatusCode::from_u16(upstream.status).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut headers = HeaderMap::with_capacity(upstream.headers.len() + 2);
    for (name, value) in &upstream.headers {
        if hop_by_hop(name) {
            continue;
        }
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value),
        ) {
            headers.append(n, v);
        }
    }
    if !(status.is_informational()
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED)
        && parts.method != Method::HEAD
    {
        headers.insert(
            header::CONTENT_LENGTH,
            HeaderValue::from(upstream.body.len()),
        );
    }
    let mut response = Response::new(Body::from(upstream.body));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    finish(
        &state,
        started,
        &method,
        &target,
        operation_id.as_deref(),
        response,
        Some(report),
    )
}

/// Add the violations header, log the line and hand the report over.
fn finish(
    state: &ProxyState,
    started: Instant,
    method: &str,
    target: &str,
    operation_id: Option<&str>,
    mut response: Response,
    report: Option<ExchangeReport>,
) -> Response {
    let lines: Vec<String> = report
        .iter()
        .flat_map(|r| {
            r.request
                .iter()
                .map(|f| format!("request {}", f.line()))
                .chain(r.response.iter().map(|f| format!("response {}", f.line())))
        })
        .collect();
    if !lines.is_empty()
        && let Ok(v) = HeaderValue::from_str(&header_summary(&lines))
    {
        response.headers_mut().insert(VIOLATIONS_HEADER, v);
    }
    let status = response.status().as_u16();
    state.log.write(&log::Entry {
        method,
        path: target,
        operation_id,
        status,
        elapsed: started.elapsed(),
        violations: &lines,
    });
    if let (Some(sink), Some(mut report)) = (&state.report, report) {
        report.status = status;
        sink(&report);
    }
    response
}

/// `N; line; line…`, visible ASCII only, at most [`HEADER_MAX`] bytes.
pub fn header_summary(lines: &[String]) -> String {
    let mut out = format!("{}", lines.len());
    for line in lines {
        let clean: String = line
            .chars()
            .map(|c| {
                if c.is_ascii_graphic() || c == ' ' {
                    c
                } else {
                    '?'
                }
            })
            .collect();
        if out.len() + 2 + clean.len() > HEADER_MAX {
            out.push_str("; …");
            // The ellipsis is not ASCII: replaced below.
            break;
        }
        out.push_str("; ");
        out.push_str(&clean);
    }
    out.replace('…', "...")
}

fn validation_entry(f: &Finding) -> Value {
    json!({
        "location": f.location.split('.').collect::<Vec<_>>(),
        "severity": "Error",
        "code": f.rule,
        "keyword": f.keyword,
        "pointer": f.pointer,
        "message": f.message,
    })
}

fn problem(status: u16, kind: &str, title: &str, detail: &str, validation: Vec<Value>) -> Response {
    let mut body = json!({
        "type": format!("https://mockgen.dev/errors#{kind}"),
        "title": title,
        "status": status,
        "detail": detail,
    });
    if !validation.is_empty()
        && let Some(map) = body.as_object_mut()
    {
        map.insert("validation".to_owned(), Value::Array(validation));
    }
    let bytes = Bytes::from(body.to_string());
    let mut response = Response::new(Body::from(bytes.clone()));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_is_header_safe_and_bounded() {
        let lines = vec!["response response.body: bad\r\nvalue é".to_owned(); 100];
        let s = header_summary(&lines);
        assert!(s.starts_with("100; response response.body: bad??value ?"));
        assert!(s.len() <= HEADER_MAX + 8);
        assert!(s.ends_with("; ..."));
        assert!(HeaderValue::from_str(&s).is_ok());
    }
}
