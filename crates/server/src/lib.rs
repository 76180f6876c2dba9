//! The HTTP side of `mockgen serve`: axum + tokio around [`mockgen_engine::Engine`]. This is the
//! only crate that knows an HTTP framework; it converts requests into [`MockRequest`]s, sends
//! each to the spec mounted at its path, answers CORS, logs one line per request and shuts down
//! gracefully. The engines live in an [`ArcSwap`], so a reload swaps a new set in atomically
//! while in-flight requests finish on the set they started with.

mod admin;
mod client;
mod fault;
mod log;
mod mount;
mod proxy;

pub use admin::{Admin, AdminHandle};
pub use arc_swap::ArcSwap;
pub use client::{Client, ClientError, ClientRequest, ClientResponse, Upstream};
pub use fault::{MAX_PREFER_DELAY, enable_resets};
pub use log::LogFormat;
pub use mockgen_route::BasePaths;
pub use mount::{Mount, Mounts, default_base, normalise_base, overlapping_routes, route_conflicts};
pub use proxy::{ExchangeReport, ProxyOptions, ReportSink, VIOLATIONS_HEADER, bind_proxy};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use axum::serve::ListenerExt;
use mockgen_engine::{MockRequest, MockResponse};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

/// The engines being served, swappable while serving.
pub type SharedMounts = Arc<ArcSwap<Mounts>>;

/// How and where to serve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServeOptions {
    pub host: String,
    /// `0` picks a free port (see the address [`bind`] returns).
    pub port: u16,
    /// Answer preflights and add Prism-compatible CORS headers to every response.
    pub cors: bool,
    /// Must equal the engines' `Options::max_body`: the engine answers 413 itself for bodies up
    /// to one byte over it, so the server only needs to stop reading beyond that.
    pub max_body: usize,
    /// Request log lines on stderr.
    pub log: LogFormat,
    /// Answers `/__mockgen/*` before the specs (`serve --stateful`); `None`: no such paths.
    pub admin: Option<AdminHandle>,
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions {
            host: "127.0.0.1".to_owned(),
            port: 4010,
            cors: true,
            max_body: mockgen_engine::Options::default().max_body,
            log: LogFormat::Human,
            admin: None,
        }
    }
}

#[derive(Debug)]
struct AppState {
    mounts: SharedMounts,
    cors: bool,
    max_body: usize,
    log: log::Logger,
    admin: Option<AdminHandle>,
}

/// Bind `host:port`, then return the bound address and a future that serves until `shutdown`
/// resolves. Shutdown is graceful: in-flight requests finish first.
pub async fn bind<S>(
    mounts: SharedMounts,
    options: &ServeOptions,
    shutdown: S,
) -> std::io::Result<(SocketAddr, impl Future<Output = std::io::Result<()>> + Send)>
where
    S: Future<Output = ()> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind((options.host.as_str(), options.port)).await?;
    let addr = listener.local_addr()?;
    let (logger, log_thread) = log::Logger::start(options.log);
    let state = Arc::new(AppState {
        mounts,
        cors: options.cors,
        max_body: options.max_body,
        log: logger,
        admin: options.admin.clone(),
    });
    // One fallback handler: spec paths are user input and `Router::route` panics on templates
    // OpenAPI allows (conflicts, `{a}-{b}`), so routing stays in the engine.
    let router = Router::new().fallback(handle).with_state(state);
    // Answers are written at once; Nagle's algorithm would only hold small ones back.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let serve = async move {
        // Delayed and held requests (fault.rs) are released at shutdown; a reset needs each
        // connection's socket.
        let shutdown = fault::releasing(shutdown);
        let result = if fault::resets_enabled() {
            let service = router.into_make_service_with_connect_info::<fault::Conn>();
            axum::serve(fault::Tapped(listener), service)
                .with_graceful_shutdown(shutdown)
                .await
        } else {
            axum::serve(listener, router)
                .with_graceful_shutdown(shutdown)
                .await
        };
        // Every connection has finished, so the state (and the log sender) is gone: wait for
        // the last lines to be written, briefly.
        if let Some(thread) = log_thread {
            let joined = tokio::task::spawn_blocking(move || thread.join());
            let _ = tokio::time::timeout(std::time::Duration::from_secs(1), joined).await;
        }
        result
    };
    Ok((addr, serve))
}

async fn handle(State(state): State<Arc<AppState>>, req: Request) -> Response {
    let started = Instant::now();
    // A `HeaderValue` clone shares its bytes: no copy of the origin.
    let origin = if state.cors {
        req.headers().get(header::ORIGIN).cloned()
    } else {
        None
    };
    let (parts, body) = req.into_parts();
    let path = parts.uri.path();
    // Configured latency and faults (fault.rs); `None` for most requests.
    let mut plan = None;
    let mut response = if state.cors && is_preflight(&parts.method, &parts.headers) {
        let response = preflight(&parts.headers);
        state.log.write(&log::Entry {
            method: parts.method.as_str(),
            path,
            operation_id: None,
            status: response.status().as_u16(),
            elapsed: started.elapsed(),
            violations: &[],
        });
        response
    } else {
        // Read one byte past the limit so the engine sees (and reports) an oversized body
        // itself; anything larger is cut off here. A read error is almost always that limit: a
        // broken connection will not read the answer anyway.
        let limit = state.max_body.saturating_add(1);
        let (body, read_error) = match axum::body::to_bytes(body, limit).await {
            Ok(b) => (b, false),
            Err(_) => (Bytes::new(), true),
        };
        // Non-UTF-8 header values cannot be validated as strings; the engine never sees them.
        let mut headers: Vec<(&str, &str)> = Vec::with_capacity(parts.headers.len());
        headers.extend(
            parts
                .headers
                .iter()
                .filter_map(|(n, v)| Some((n.as_str(), v.to_str().ok()?))),
        );
        let head = parts.method == Method::HEAD;
        // The guard pins this set of engines until the answer is built, even if a reload swaps
        // in a new one meanwhile; nothing is awaited while it is held.
        let mounts = state.mounts.load();
        let mount = mounts.select(path);
        // HEAD is GET without the body (RFC 9110), Content-Length included: ask for the GET
        // (axum drops the body after the length is set) unless the spec has HEAD operations
        // of its own.
        let as_get = head && mount.is_some_and(|m| !m.declares_head());
        let mock = MockRequest {
            method: if as_get { "GET" } else { parts.method.as_str() },
            path,
            query: parts.uri.query(),
            headers: &headers,
            body: &body,
        };
        let mut answer = match (read_error, mount) {
            (true, _) => too_large(state.max_body),
            (false, _)
                if let Some(admin) = state
                    .admin
                    .as_ref()
                    .filter(|_| path.starts_with(admin::PREFIX)) =>
            {
                admin::answer(admin, parts.method.as_str(), path, &body)
            }
            // `OPTIONS *` asks about the server as a whole.
            (false, _) if path == "*" && parts.method == Method::OPTIONS => server_options(&mounts),
            (false, Some(mount)) => {
                let (answer, planned) = fault::answer(mount, &mock);
                plan = planned;
                answer
            }
            (false, None) => not_mounted(path, &mounts.bases()),
        };
        // A plain OPTIONS (no preflight headers) on a path that exists answers what it allows.
        if parts.method == Method::OPTIONS && answer.status == 405 {
            answer.status = 204;
            answer.body.clear();
            answer
                .headers
                .retain(|(n, _)| n.eq_ignore_ascii_case("allow"));
        }
        let operation_id = answer
            .meta
            .operation
            .zip(mount)
            .and_then(|(i, mount)| mount.engine.spec().operations.get(i))
            .map(|op| op.id.as_str());
        state.log.write(&log::Entry {
            method: parts.method.as_str(),
            path,
            operation_id,
            status: answer.status,
            elapsed: started.elapsed(),
            violations: &answer.meta.violations,
        });
        to_response(answer)
    };
    if let Some(plan) = plan {
        let conn = parts
            .extensions
            .get::<axum::extract::ConnectInfo<fault::Conn>>();
        response = fault::deliver(plan, response, conn.map(|c| &c.0)).await;
    }
    if state.cors {
        add_cors(response.headers_mut(), origin);
    }
    response
}

/// Move the engine's answer into an HTTP response: the body and header values are handed over,
/// not copied.
fn to_response(mock: MockResponse) -> Response {
    let status = StatusCode::from_u16(mock.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    // Room for the engine's headers, CORS (3) and Content-Length: the map never grows.
    let mut headers = HeaderMap::with_capacity(mock.headers.len() + 4);
    for (name, value) in mock.headers {
        // The framing headers are computed from the body actually sent.
        if name.eq_ignore_ascii_case("content-length")
            || name.eq_ignore_ascii_case("transfer-encoding")
        {
            continue;
        }
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_maybe_shared(Bytes::from(value)),
        ) {
            headers.append(n, v);
        }
    }
    // Set here so axum need not (it also keeps it when it drops a HEAD answer's body: a HEAD
    // answered as its GET announces the GET body's length).
    if !(status.is_informational()
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED)
    {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(mock.body.len()));
    }
    let mut response = Response::new(Body::from(mock.body));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

/// `OPTIONS *`: 204 with every method some served operation uses.
fn server_options(mounts: &Mounts) -> MockResponse {
    let mut methods: Vec<&str> = mounts
        .list()
        .iter()
        .flat_map(|m| m.engine.spec().operations.iter())
        .map(|op| op.method.as_str())
        .collect();
    if methods.contains(&"GET") {
        methods.push("HEAD");
    }
    methods.push("OPTIONS");
    methods.sort_unstable();
    methods.dedup();
    MockResponse {
        status: 204,
        headers: vec![("Allow".to_owned(), methods.join(", "))],
        body: Vec::new(),
        meta: mockgen_engine::Meta::default(),
    }
}

fn problem_response(status: u16, kind: &str, title: &str, detail: String) -> MockResponse {
    let body = serde_json::json!({
        // The engine's problem `type` base, so clients see one vocabulary.
        "type": format!("https://mockgen.dev/errors#{kind}"),
        "title": title,
        "status": status,
        "detail": detail,
    });
    MockResponse {
        status,
        headers: vec![(
            "Content-Type".to_owned(),
            "application/problem+json".to_owned(),
        )],
        body: body.to_string().into_bytes(),
        meta: mockgen_engine::Meta::default(),
    }
}

fn too_large(max_body: usize) -> MockResponse {
    problem_response(
        413,
        "PAYLOAD_TOO_LARGE",
        "Request body too large",
        format!("The request body is larger than {max_body} bytes"),
    )
}

/// With several specs, a path under none of their base paths.
fn not_mounted(path: &str, bases: &[&str]) -> MockResponse {
    let listed: Vec<String> = bases
        .iter()
        .map(|b| {
            if b.is_empty() {
                "/".to_owned()
            } else {
                (*b).to_owned()
            }
        })
        .collect();
    problem_response(
        404,
        "NO_PATH_MATCHED_ERROR",
        "Route not resolved, no path matched",
        format!(
            "The route {path} is under none of the served base paths ({})",
            listed.join(", ")
        ),
    )
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
            header::ACCESS_CONTROL_ALLOW_METHODS,
        ),
        (
            "access-control-request-headers",
            header::ACCESS_CONTROL_ALLOW_HEADERS,
        ),
    ] {
        if let Some(v) = req.get(from) {
            headers.insert(to, v.clone());
        }
    }
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("86400"),
    );
    response
}

fn add_cors(headers: &mut HeaderMap, origin: Option<HeaderValue>) {
    // Credentials are only allowed with an explicit origin, never with `*`.
    match origin {
        Some(origin) => {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
        None => {
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            );
        }
    }
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("*"),
    );
}
