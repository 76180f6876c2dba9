//! Latency and faults on the wire. The mount's hooks plan each request before it is handled
//! ([`mockgen_engine::Hook::plan`]: a delay and maybe a fault, decided by `mockgen-behave`
//! from the config and a seed); `Prefer: delay=MS` asks for a delay per request. This module
//! carries the plan out. What a client sees for each fault:
//!
//! - **status** (`500`, `503`, `429`…): an ordinary answer with that status — the operation's
//!   declared response for it (examples first, else generated), or a problem+json body when
//!   it declares none — plus `Retry-After` for 429/503. Rules and the stateful store are not
//!   consulted: nothing is stored.
//! - **timeout**: nothing is sent; the connection stays open for the hold time (or until the
//!   server shuts down), then is closed without an answer. Clients hit their read timeout.
//! - **reset**: nothing is sent; the socket is closed with `SO_LINGER` 0, so the kernel sends
//!   a TCP RST: reads fail with "connection reset by peer" (ECONNRESET).
//! - **empty**: nothing is sent; the connection is closed normally (FIN): the client reads EOF
//!   before any status line (curl: "Empty reply from server").
//! - **malformed**: the normal status line and headers, but the body is the first half of the
//!   real body followed by bytes that are neither UTF-8 nor JSON (`Content-Length` matches
//!   what is sent, so the HTTP framing stays valid; the payload does not parse). Answers that
//!   carry no body (1xx, 204, 304, HEAD) are sent unchanged, as the framing requires.
//!
//! Nothing is written for timeout, reset and empty because the handler returns a body that
//! fails on its first read: hyper then drops the connection before flushing the response head
//! it had only buffered.

use crate::Mount;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::connect_info::Connected;
use axum::response::Response;
use axum::serve::{IncomingStream, Listener};
use mockgen_engine::{
    Answer, AnswerBody, Engine, Exchange, Fault, Hook, MockRequest, MockResponse, Plan,
};
use std::os::fd::{AsFd, OwnedFd};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::Notify;

/// The longest `Prefer: delay=` honoured.
pub const MAX_PREFER_DELAY: Duration = Duration::from_secs(60);

/// Whether connections keep a handle on their socket (to reset it). Off unless some
/// configured fault may reset: a duplicated descriptor per connection is not free.
static RESETS: AtomicBool = AtomicBool::new(false);
/// Wakes delayed and held requests when the server shuts down.
static SHUTDOWN: Notify = Notify::const_new();
static SHUT: AtomicBool = AtomicBool::new(false);

/// Let faults reset connections: call before [`crate::bind`].
pub fn enable_resets() {
    RESETS.store(true, Ordering::Relaxed);
}

pub(crate) fn resets_enabled() -> bool {
    RESETS.load(Ordering::Relaxed)
}

/// `shutdown`, also releasing every delayed or held request so graceful shutdown need not
/// wait for them.
pub(crate) async fn releasing<S>(shutdown: S)
where
    S: Future<Output = ()> + Send + 'static,
{
    shutdown.await;
    SHUT.store(true, Ordering::Relaxed);
    SHUTDOWN.notify_waiters();
}

/// Per connection: a duplicate of its socket when resets are enabled.
#[derive(Clone, Debug)]
pub struct Conn(Option<Arc<OwnedFd>>);

impl<L> Connected<IncomingStream<'_, Tapped<L>>> for Conn
where
    L: Listener<Io = tokio::net::TcpStream>,
{
    fn connect_info(stream: IncomingStream<'_, Tapped<L>>) -> Conn {
        Conn(
            resets_enabled()
                .then(|| stream.io().as_fd().try_clone_to_owned().ok())
                .flatten()
                .map(Arc::new),
        )
    }
}

/// A TCP listener whose connections get a [`Conn`] (axum's own `Connected` impls would
/// overlap with one for its `TapIo`).
#[derive(Debug)]
pub(crate) struct Tapped<L>(pub L);

impl<L> Listener for Tapped<L>
where
    L: Listener<Io = tokio::net::TcpStream>,
{
    type Io = tokio::net::TcpStream;
    type Addr = L::Addr;

    fn accept(&mut self) -> impl Future<Output = (Self::Io, Self::Addr)> + Send {
        self.0.accept()
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// `Prefer: delay=500` (milliseconds), capped at [`MAX_PREFER_DELAY`].
fn prefer_delay(headers: &[(&str, &str)]) -> Option<Duration> {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("prefer"))
        .flat_map(|(_, v)| v.split([',', ';']))
        .find_map(|token| {
            let (k, v) = token.split_once('=')?;
            if !k.trim().eq_ignore_ascii_case("delay") {
                return None;
            }
            let ms: u64 = v.trim().trim_matches('"').parse().ok()?;
            Some(Duration::from_millis(ms).min(MAX_PREFER_DELAY))
        })
}

/// A hook that always gives this answer (a status fault).
struct Fixed(Answer);

impl Hook for Fixed {
    fn decide(&self, _engine: &Engine, _exchange: &Exchange<'_>) -> Option<Answer> {
        Some(self.0.clone())
    }
}

/// Answer `mock` through `mount`, carrying out the synchronous part of its plan (status and
/// malformed faults); the rest (delay, connection faults) is for [`deliver`].
pub(crate) fn answer(mount: &Mount, mock: &MockRequest<'_>) -> (MockResponse, Option<Plan>) {
    let prefer = prefer_delay(mock.headers);
    let planned = if mount.hooks.0.is_empty() {
        None
    } else {
        mount.hooks.plan(&mount.engine, mock)
    };
    let mut plan = match (planned, prefer) {
        (None, None) => return (mount.handle(mock), None),
        (plan, _) => plan.unwrap_or_default(),
    };
    if let Some(delay) = prefer {
        plan.delay = delay;
    }
    let response = match &plan.fault {
        None => mount.handle(mock),
        Some(Fault::Status { status, headers }) => {
            let fixed = Fixed(Answer {
                status: *status,
                body: AnswerBody::Declared,
                headers: headers.clone(),
            });
            let mut r = mount.engine.handle_with(mock, Some(&fixed));
            // An invalid request keeps its 4xx (the hook is only asked about valid ones).
            if r.status == *status {
                r.meta.violations.push(format!("fault: status {status}"));
            }
            r
        }
        Some(Fault::Malformed) => {
            let mut r = mount.handle(mock);
            // A status or method that carries no body (1xx, 204, 304, HEAD) has nothing to
            // corrupt: sending bytes there would break the framing, not the payload.
            if r.status < 200
                || r.status == 204
                || r.status == 304
                || mock.method.eq_ignore_ascii_case("HEAD")
            {
                r.meta
                    .violations
                    .push("fault: malformed skipped (no body allowed)".to_owned());
            } else {
                corrupt(&mut r.body);
                r.meta.violations.push("fault: malformed body".to_owned());
            }
            r
        }
        Some(fault) => {
            let what = match fault {
                Fault::Hang(_) => "timeout",
                Fault::Reset => "connection reset",
                _ => "empty reply",
            };
            let meta = mockgen_engine::Meta {
                operation: mount.engine.operation_of(mock),
                violations: vec![format!("fault: {what} (nothing sent)")],
            };
            MockResponse {
                status: 200,
                headers: Vec::new(),
                body: Vec::new(),
                meta,
            }
        }
    };
    (response, Some(plan))
}

/// Half the body, then bytes no UTF-8 or JSON parser accepts.
fn corrupt(body: &mut Vec<u8>) {
    body.truncate(body.len() / 2);
    body.extend_from_slice(b"\xff\xfe\x00{\"");
}

/// Wait out the plan's delay, then send `response` or break the connection.
pub(crate) async fn deliver(plan: Plan, response: Response, conn: Option<&Conn>) -> Response {
    if !plan.delay.is_zero() {
        wait(plan.delay).await;
    }
    match plan.fault {
        None | Some(Fault::Status { .. } | Fault::Malformed) => response,
        Some(Fault::Empty) => abort(),
        Some(Fault::Reset) => {
            if let Some(Conn(Some(fd))) = conn {
                let _ = socket2::SockRef::from(&**fd).set_linger(Some(Duration::ZERO));
            }
            abort()
        }
        Some(Fault::Hang(hold)) => {
            wait(hold).await;
            abort()
        }
    }
}

/// Sleep `d`, or less if the server shuts down meanwhile.
async fn wait(d: Duration) {
    let released = SHUTDOWN.notified();
    if SHUT.load(Ordering::Relaxed) {
        return;
    }
    tokio::select! {
        () = tokio::time::sleep(d) => {}
        () = released => {}
    }
}

/// A response whose body fails at once: hyper closes the connection without writing it.
fn abort() -> Response {
    Response::new(Body::new(Failing))
}

struct Failing;

impl HttpBody for Failing {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::other(
            "fault: connection dropped",
        ))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefer_delay_parses() {
        assert_eq!(
            prefer_delay(&[("Prefer", "delay=500")]),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            prefer_delay(&[("prefer", "code=200, delay=20")]),
            Some(Duration::from_millis(20))
        );
        assert_eq!(
            prefer_delay(&[("Prefer", "delay=99999999")]),
            Some(MAX_PREFER_DELAY)
        );
        assert_eq!(prefer_delay(&[("Prefer", "delay=soon")]), None);
        assert_eq!(prefer_delay(&[("X-Delay", "delay=5")]), None);
    }

    #[test]
    fn corrupt_bodies_do_not_parse() {
        let mut body = br#"{"id": 1, "name": "Rex"}"#.to_vec();
        corrupt(&mut body);
        assert!(serde_json::from_slice::<serde_json::Value>(&body).is_err());
        assert!(std::str::from_utf8(&body).is_err());
        let mut empty = Vec::new();
        corrupt(&mut empty);
        assert!(!empty.is_empty());
    }
}
