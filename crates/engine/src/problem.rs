//! `application/problem+json` answers and validation entries in Prism's shape.

use crate::MockResponse;
use serde_json::{Value, json};

/// The base of every `type` URI.
pub const TYPE_BASE: &str = "https://mockgen.dev/errors#";

/// One validation entry: `{location, severity, code, message}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub location: Vec<String>,
    pub code: String,
    pub message: String,
}

impl Entry {
    pub fn to_json(&self) -> Value {
        json!({
            "location": self.location,
            "severity": "Error",
            "code": self.code,
            "message": self.message,
        })
    }
}

/// The same members, in the same order, as [`Entry::to_json`]: entries are written straight
/// into a response body without building a `Value` first.
impl serde::Serialize for Entry {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut s = serializer.serialize_struct("Entry", 4)?;
        s.serialize_field("location", &self.location)?;
        s.serialize_field("severity", "Error")?;
        s.serialize_field("code", &self.code)?;
        s.serialize_field("message", &self.message)?;
        s.end()
    }
}

fn respond(status: u16, body: &Value) -> MockResponse {
    MockResponse {
        status,
        headers: vec![(
            "Content-Type".to_owned(),
            "application/problem+json".to_owned(),
        )],
        body: mockgen_media::json_pretty(body).into_bytes(),
        meta: crate::Meta::default(),
    }
}

/// A problem+json response `{type, title, status, detail}`.
pub fn problem(status: u16, kind: &str, title: &str, detail: &str) -> MockResponse {
    respond(
        status,
        &json!({
            "type": format!("{TYPE_BASE}{kind}"),
            "title": title,
            "status": status,
            "detail": detail,
        }),
    )
}

/// The 422 for an invalid request when the spec declares no error response for it.
pub fn unprocessable(validation: Vec<Value>) -> MockResponse {
    respond(
        422,
        &json!({
            "type": format!("{TYPE_BASE}UNPROCESSABLE_ENTITY"),
            "title": "Invalid request",
            "status": 422,
            "detail": "Your request is not valid and no HTTP validation response was found in the spec, so mockgen is generating this error for you.",
            "validation": validation,
        }),
    )
}

/// The 500 for a response that does not match its own schemas (`--errors`).
pub fn invalid_response(validation: Vec<Value>) -> MockResponse {
    respond(
        500,
        &json!({
            "type": format!("{TYPE_BASE}INVALID_RESPONSE"),
            "title": "Invalid response",
            "status": 500,
            "detail": "The response mockgen was about to send does not match the specification (its example or headers are wrong); every violation is listed.",
            "validation": validation,
        }),
    )
}
