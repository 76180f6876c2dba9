//! `/__mockgen/*`: the server's own endpoints, answered before any spec when something
//! registered them (the stateful store of `serve --stateful`). The server does not know the
//! store: it calls an [`Admin`].
//!
//! - `GET /__mockgen/state`: the state as JSON.
//! - `PUT /__mockgen/state`: replace it (the body is a `GET` dump); it becomes the reset point.
//! - `POST /__mockgen/reset`: back to the seeded (or loaded) state; 204.

use mockgen_engine::{Meta, MockResponse};
use serde_json::Value;
use std::sync::Arc;

/// What the admin endpoints act on.
pub trait Admin: Send + Sync {
    fn state(&self) -> Value;
    fn load(&self, state: Value) -> Result<Vec<String>, String>;
    fn reset(&self);
}

/// A shared [`Admin`], comparable by identity (so options stay `Eq`).
#[derive(Clone)]
pub struct AdminHandle(pub Arc<dyn Admin>);

impl std::fmt::Debug for AdminHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AdminHandle")
    }
}

impl PartialEq for AdminHandle {
    fn eq(&self, other: &AdminHandle) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for AdminHandle {}

/// The prefix of the admin paths.
pub const PREFIX: &str = "/__mockgen/";

/// Answer an admin request.
pub(crate) fn answer(admin: &AdminHandle, method: &str, path: &str, body: &[u8]) -> MockResponse {
    let admin = &admin.0;
    match (method, path.trim_end_matches('/')) {
        ("GET", "/__mockgen/state") => json(200, &admin.state()),
        ("PUT" | "POST", "/__mockgen/state") => match serde_json::from_slice::<Value>(body) {
            Err(e) => problem(400, "Invalid state", &format!("the body is not JSON: {e}")),
            Ok(v) => match admin.load(v) {
                Ok(warnings) => json(200, &serde_json::json!({ "warnings": warnings })),
                Err(e) => problem(400, "Invalid state", &e),
            },
        },
        ("POST", "/__mockgen/reset") => {
            admin.reset();
            MockResponse {
                status: 204,
                headers: Vec::new(),
                body: Vec::new(),
                meta: Meta::default(),
            }
        }
        (_, "/__mockgen/state" | "/__mockgen/reset") => problem(
            405,
            "Method not allowed",
            "GET or PUT /__mockgen/state, POST /__mockgen/reset",
        ),
        _ => problem(
            404,
            "No such admin endpoint",
            "known: GET|PUT /__mockgen/state, POST /__mockgen/reset",
        ),
    }
}

fn json(status: u16, value: &Value) -> MockResponse {
    MockResponse {
        status,
        headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
        body: serde_json::to_vec_pretty(value).unwrap_or_default(),
        meta: Meta::default(),
    }
}

fn problem(status: u16, title: &str, detail: &str) -> MockResponse {
    let body = serde_json::json!({
        "type": "https://mockgen.dev/errors#ADMIN",
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
        meta: Meta::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Fake(Mutex<Value>);

    impl Admin for Fake {
        fn state(&self) -> Value {
            self.0.lock().expect("lock").clone()
        }
        fn load(&self, state: Value) -> Result<Vec<String>, String> {
            if !state.is_object() {
                return Err("not an object".to_owned());
            }
            *self.0.lock().expect("lock") = state;
            Ok(Vec::new())
        }
        fn reset(&self) {
            *self.0.lock().expect("lock") = Value::Null;
        }
    }

    #[test]
    fn routes_and_statuses() {
        let admin = AdminHandle(Arc::new(Fake::default()));
        assert_eq!(
            answer(&admin, "PUT", "/__mockgen/state", br#"{"a":[]}"#).status,
            200
        );
        let got = answer(&admin, "GET", "/__mockgen/state/", b"");
        assert_eq!(got.status, 200);
        assert_eq!(
            serde_json::from_slice::<Value>(&got.body).ok(),
            Some(serde_json::json!({"a": []}))
        );
        assert_eq!(
            answer(&admin, "PUT", "/__mockgen/state", b"[1]").status,
            400
        );
        assert_eq!(answer(&admin, "PUT", "/__mockgen/state", b"{").status, 400);
        assert_eq!(answer(&admin, "POST", "/__mockgen/reset", b"").status, 204);
        assert_eq!(admin.0.state(), Value::Null);
        assert_eq!(
            answer(&admin, "DELETE", "/__mockgen/reset", b"").status,
            405
        );
        assert_eq!(answer(&admin, "GET", "/__mockgen/other", b"").status, 404);
        assert_eq!(admin.clone(), admin);
    }
}
