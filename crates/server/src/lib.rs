//! The HTTP side of `mockgen serve`: axum + tokio around [`mockgen_engine::Engine`]. This is the
//! only crate that knows an HTTP framework; it converts requests into [`MockRequest`]s, answers
//! CORS, logs one line per request and shuts down gracefully.

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{HeaderName, HeaderValue};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use mockgen_engine::{Engine, MockRequest, MockResponse};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

/// How and where to serve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServeOptions {
    pub host: String,
    /// `0` picks a free port (see the address [`bind`] returns).
    pub port: u16,
    /// Answer preflights and add Prism-compatible CORS headers to every response.
    pub cors: bool,
    /// Must equal the engine's `Options::max_body`: the engine answers 413 itself for bodies up
    /// to one byte over it, so the server only needs to stop reading beyond that.
    pub max_body: usize,
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions {
            host: "127.0.0.1".to_owned(),
            port: 4010,
            cors: true,
            max_body: mockgen_engine::Options::default().max_body,
        }
    }
}

#[derive(Debug)]
struct AppState {
    engine: Arc<Engine>,
    cors: bool,
    max_body: usize,
}

/// Bind `host:port`, then return the bound address and a future that serves until `shutdown`
/// resolves. Shutdown is graceful: in-flight requests finish first.
pub async fn bind<S>(
    engine: Arc<Engine>,
    options: &ServeOptions,
    shutdown: S,
) -> std::io::Result<(SocketAddr, impl Future<Output = std::io::Result<()>> + Send)>
where
    S: Future<Output = ()> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind((options.host.as_str(), options.port)).await?;
    let addr = listener.local_addr()?;
    let state = Arc::new(AppState {
        engine,
        cors: options.cors,
        max_body: options.max_body,
    });
    // One fallback handler: spec paths are user input and `Router::route` panics on templates
    // OpenAPI allows (conflicts, `{a}-{b}`), so routing stays in the engine.
    let router = Router::new().fallback(handle).with_state(state);
    let serve = async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await
    };
    Ok((addr, serve))
}

async fn handle(State(state): State<Arc<AppState>>, req: Request) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let origin = header_str(req.headers(), "origin").map(str::to_owned);
    let mut response = if state.cors && is_preflight(&method, req.headers()) {
        preflight(req.headers())
    } else {
        answer(&state, req).await
    };
    if state.cors {
        add_cors(response.headers_mut(), origin.as_deref());
    }
    eprintln!(
        "{method} {path} {} {:.1}",
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    response
}

/// Convert the request, run the engine (CPU-light, so directly on the worker) and convert back.
async fn answer(state: &AppState, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    // Read one byte past the limit so the engine sees (and reports) an oversized body itself;
    // anything larger is cut off here. A read error is almost always that limit: a broken
    // connection will not read the answer anyway.
    let limit = state.max_body.saturating_add(1);
    let body = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => return too_large(state.max_body),
    };
    // Non-UTF-8 header values cannot be validated as strings; the engine never sees them.
    let headers: Vec<(&str, &str)> = parts
        .headers
        .iter()
        .filter_map(|(n, v)| Some((n.as_str(), v.to_str().ok()?)))
        .collect();
    let mock = MockRequest {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query(),
        headers: &headers,
        body: &body,
    };
    to_response(state.engine.handle(&mock))
}

fn to_response(mock: MockResponse) -> Response {
    let status = StatusCode::from_u16(mock.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = Response::new(Body::from(mock.body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    for (name, value) in &mock.headers {
        // hyper computes the framing headers from the body it sends.
        if name.eq_ignore_ascii_case("content-length")
            || name.eq_ignore_ascii_case("transfer-encoding")
        {
            continue;
        }
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.append(n, v);
        }
    }
    response
}

fn too_large(max_body: usize) -> Response {
    let body = serde_json::json!({
        "type": "https://stoplight.io/prism/errors#PAYLOAD_TOO_LARGE",
        "title": "Request body too large",
        "status": 413,
        "detail": format!("The request body is larger than {max_body} bytes"),
    });
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn is_preflight(method: &Method, headers: &HeaderMap) -> bool {
    method == Method::OPTIONS && headers.contains_key("access-control-request-method")
}

/// Like Prism: any path, whatever the spec says, and echo what the browser asks for.
fn preflight(req: &HeaderMap) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    let headers = response.headers_mut();
    for (from, to) in [
        (
            "access-control-request-method",
            "access-control-allow-methods",
        ),
        (
            "access-control-request-headers",
            "access-control-allow-headers",
        ),
    ] {
        if let Some(v) = req.get(from) {
            headers.insert(HeaderName::from_static(to), v.clone());
        }
    }
    headers.insert(
        HeaderName::from_static("access-control-max-age"),
        HeaderValue::from_static("86400"),
    );
    response
}

fn add_cors(headers: &mut HeaderMap, origin: Option<&str>) {
    let allow = origin
        .and_then(|o| HeaderValue::from_str(o).ok())
        .unwrap_or_else(|| HeaderValue::from_static("*"));
    headers.insert(
        HeaderName::from_static("access-control-allow-origin"),
        allow,
    );
    // Credentials are only allowed with an explicit origin, never with `*`.
    if origin.is_some() {
        headers.insert(
            HeaderName::from_static("access-control-allow-credentials"),
            HeaderValue::from_static("true"),
        );
    }
    headers.insert(
        HeaderName::from_static("access-control-expose-headers"),
        HeaderValue::from_static("*"),
    );
}
