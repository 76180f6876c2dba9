//! Bodies in their media type. A value produced for a schema becomes the bytes a client
//! receives: JSON (pretty or compact), XML following the OpenAPI `xml` object (names,
//! attributes, wrapped arrays, prefixes and namespaces), plain text, form-urlencoded, or raw
//! binary. Pure functions; no I/O.

mod xml;
mod yaml;

use mockgen_spec::{Loc, Spec};
use serde_json::Value;

pub use xml::to_xml;
pub use yaml::to_yaml;

/// How a media type's body is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `application/json`, `*+json`, and wildcards.
    Json,
    /// `application/xml`, `text/xml`, `*+xml`.
    Xml,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `text/*` other than XML.
    Text,
    /// Anything else (`application/octet-stream`, `image/png`, …).
    Binary,
}

pub use mockgen_spec::media_essence as essence;

/// Classify a media type.
pub fn kind(media_type: &str) -> Kind {
    let e = essence(media_type);
    let (top, sub) = e.split_once('/').unwrap_or((e.as_str(), ""));
    if sub == "json" || sub.ends_with("+json") || e == "*/*" || sub == "*" && top == "application" {
        Kind::Json
    } else if sub == "xml" || sub.ends_with("+xml") {
        Kind::Xml
    } else if e == "application/x-www-form-urlencoded" {
        Kind::Form
    } else if top == "text" {
        Kind::Text
    } else {
        Kind::Binary
    }
}

/// The file extension for a body of this media type (without the dot).
pub fn extension(media_type: &str) -> &'static str {
    let e = essence(media_type);
    match kind(media_type) {
        Kind::Json => "json",
        Kind::Xml => "xml",
        Kind::Form => "txt",
        Kind::Text => match e.as_str() {
            "text/html" => "html",
            "text/csv" => "csv",
            "text/markdown" => "md",
            "text/css" => "css",
            "text/javascript" => "js",
            "text/yaml" | "text/x-yaml" => "yaml",
            _ => "txt",
        },
        Kind::Binary => match e.as_str() {
            "application/pdf" => "pdf",
            "image/png" => "png",
            "image/jpeg" => "jpg",
            "image/gif" => "gif",
            "application/zip" => "zip",
            "application/x-yaml" | "application/yaml" => "yaml",
            _ => "bin",
        },
    }
}

/// Encode a value as the body of `media_type`. `schema` (when known) guides XML element
/// names. Text and binary bodies take a string value as it is; anything else is written as
/// JSON text so nothing is lost.
pub fn encode(spec: &Spec, schema: Option<&Loc>, media_type: &str, value: &Value) -> Vec<u8> {
    match kind(media_type) {
        Kind::Json => json_pretty(value).into_bytes(),
        Kind::Xml => to_xml(spec, schema, value).into_bytes(),
        Kind::Form => form(value).into_bytes(),
        Kind::Text | Kind::Binary => match value {
            Value::String(s) => s.clone().into_bytes(),
            other => json_pretty(other).into_bytes(),
        },
    }
}

/// JSON with two-space indentation and a final newline (what fixture files hold).
pub fn json_pretty(value: &Value) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    s.push('\n');
    s
}

/// `application/x-www-form-urlencoded`: top-level properties; arrays repeat the key; nested
/// objects are written as JSON (what `form` style with `explode` produces for scalars).
pub fn form(value: &Value) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    let enc = |s: &str| percent_encoding::utf8_percent_encode(s, SET).to_string();
    let scalar = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let mut pairs = Vec::new();
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match v {
                    Value::Array(items) => {
                        for item in items {
                            pairs.push(format!("{}={}", enc(k), enc(&scalar(item))));
                        }
                    }
                    other => pairs.push(format!("{}={}", enc(k), enc(&scalar(other)))),
                }
            }
        }
        other => pairs.push(enc(&scalar(other))),
    }
    pairs.join("&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds_and_extensions() {
        assert_eq!(kind("application/json; charset=utf-8"), Kind::Json);
        assert_eq!(kind("application/problem+json"), Kind::Json);
        assert_eq!(kind("*/*"), Kind::Json);
        assert_eq!(kind("application/xml"), Kind::Xml);
        assert_eq!(kind("application/atom+xml"), Kind::Xml);
        assert_eq!(kind("text/plain"), Kind::Text);
        assert_eq!(kind("application/octet-stream"), Kind::Binary);
        assert_eq!(extension("image/png"), "png");
        assert_eq!(extension("text/csv"), "csv");
        assert_eq!(extension("application/vnd.api+json"), "json");
    }

    #[test]
    fn forms_encode_scalars_and_repeat_arrays() {
        assert_eq!(
            form(&json!({"name": "Rex the 2nd", "tags": ["a", "b&c"], "age": 3, "x": null})),
            "name=Rex%20the%202nd&tags=a&tags=b%26c&age=3&x="
        );
    }
}
