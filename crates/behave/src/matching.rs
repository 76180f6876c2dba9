//! Does a request match a rule's `when`? Values are read from the validated request
//! ([`Exchange`]): typed parameters when the spec declares them, else the raw text.

use crate::config::{Condition, Matcher, Place};
use mockgen_engine::Exchange;
use serde_json::Value;
use std::borrow::Cow;

/// Whether every condition holds.
pub fn matches(conditions: &[Condition], ex: &Exchange<'_>) -> bool {
    conditions
        .iter()
        .all(|c| test(&c.matcher, lookup(c, ex).as_deref()))
}

/// The value a condition reads, if the request has it.
fn lookup<'e>(c: &Condition, ex: &'e Exchange<'_>) -> Option<Cow<'e, Value>> {
    match c.place {
        Place::Path => ex.param("path", &c.name).map(Cow::Borrowed).or_else(|| {
            ex.path_params
                .iter()
                .find(|(n, _)| *n == c.name)
                .map(|(_, v)| Cow::Owned(Value::String(v.clone())))
        }),
        Place::Query => ex.param("query", &c.name).map(Cow::Borrowed).or_else(|| {
            raw_query(ex.query.unwrap_or_default(), &c.name).map(|v| Cow::Owned(Value::String(v)))
        }),
        Place::Header => ex.param("header", &c.name).map(Cow::Borrowed).or_else(|| {
            ex.headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(&c.name))
                .map(|(_, v)| Cow::Owned(Value::String((*v).to_owned())))
        }),
        Place::Body => ex.body.and_then(|b| b.pointer(&c.name)).map(Cow::Borrowed),
    }
}

/// Whether `value` (`None`: absent) passes every test of `m`.
pub fn test(m: &Matcher, value: Option<&Value>) -> bool {
    let v = match (m.exists, value) {
        (Some(false), v) => return v.is_none(),
        (_, None) => return false,
        (_, Some(v)) => v,
    };
    if let Some(expected) = &m.equals
        && !loose_eq(v, expected)
    {
        return false;
    }
    if let Some(re) = &m.regex
        && !re.is_match(&text(v))
    {
        return false;
    }
    if m.min.is_some() || m.max.is_some() {
        let Some(n) = number(v) else {
            return false;
        };
        if m.min.is_some_and(|lo| n < lo) || m.max.is_some_and(|hi| n > hi) {
            return false;
        }
    }
    true
}

/// Equal as JSON, or as text for scalars (`"42"` in a header equals `42` in the config).
fn loose_eq(a: &Value, b: &Value) -> bool {
    if a == b {
        return true;
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64().is_some_and(|x| Some(x) == y.as_f64()),
        (Value::Object(_) | Value::Array(_), _) | (_, Value::Object(_) | Value::Array(_)) => false,
        _ => text(a) == text(b),
    }
}

fn text(v: &Value) -> Cow<'_, str> {
    match v {
        Value::String(s) => Cow::Borrowed(s),
        other => Cow::Owned(other.to_string()),
    }
}

/// The value as a number for `min`/`max`; `NaN` (which Rust parses from the text `NaN`) is
/// none: it compares false both ways, so it would pass every bound.
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|n: &f64| !n.is_nan())
}

/// The first value of `name` in a raw query string, percent-decoded (`+` is a space).
fn raw_query(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(k) == name).then(|| decode(v))
    })
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                // Two hex digits exactly (`from_str_radix` alone would take `%+1` as 0x01).
                let hex = bytes
                    .get(i + 1..i + 3)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                if let Some(x) = hex {
                    out.push(x);
                    i += 2;
                } else {
                    out.push(b'%');
                }
            }
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;
    use serde_json::json;

    fn m() -> Matcher {
        Matcher::default()
    }

    #[test]
    fn equals_is_loose_for_scalars_only() {
        let eq = |v: Value| Matcher {
            equals: Some(v),
            ..m()
        };
        assert!(test(&eq(json!(42)), Some(&json!("42"))));
        assert!(test(&eq(json!("42")), Some(&json!(42))));
        assert!(test(&eq(json!(1.0)), Some(&json!(1))));
        assert!(test(&eq(json!(true)), Some(&json!("true"))));
        assert!(!test(&eq(json!(42)), Some(&json!(43))));
        assert!(!test(&eq(json!(42)), None));
        assert!(test(&eq(json!({"a": [1]})), Some(&json!({"a": [1]}))));
        assert!(!test(&eq(json!(["1"])), Some(&json!("[\"1\"]"))));
    }

    #[test]
    fn regex_exists_and_ranges() {
        let re = Matcher {
            regex: Some(Regex::new("^ab+c$").expect("valid")),
            ..m()
        };
        assert!(test(&re, Some(&json!("abbc"))));
        assert!(!test(&re, Some(&json!("xabc"))));
        let digits = Matcher {
            regex: Some(Regex::new(r"^\d{3}$").expect("valid")),
            ..m()
        };
        assert!(test(&digits, Some(&json!(123))));
        let present = Matcher {
            exists: Some(true),
            ..m()
        };
        assert!(test(&present, Some(&json!(null))));
        assert!(!test(&present, None));
        let absent = Matcher {
            exists: Some(false),
            ..m()
        };
        assert!(test(&absent, None));
        assert!(!test(&absent, Some(&json!(1))));
        let range = Matcher {
            min: Some(10.0),
            max: Some(20.0),
            ..m()
        };
        assert!(test(&range, Some(&json!(10))));
        assert!(test(&range, Some(&json!(20))));
        assert!(test(&range, Some(&json!("15.5"))));
        assert!(!test(&range, Some(&json!(9.99))));
        assert!(!test(&range, Some(&json!(21))));
        assert!(!test(&range, Some(&json!("many"))));
        let above = Matcher {
            min: Some(100_001.0),
            ..m()
        };
        assert!(test(&above, Some(&json!(250_000))));
        assert!(!test(&above, Some(&json!(100_000))));
    }

    #[test]
    fn raw_queries_decode() {
        assert_eq!(raw_query("a=1&b=x%20y+z", "b").as_deref(), Some("x y z"));
        assert_eq!(raw_query("a=1&flag", "flag").as_deref(), Some(""));
        assert_eq!(raw_query("a=1", "b"), None);
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(decode("caf%C3%A9"), "café");
    }

    #[test]
    fn nan_passes_no_bound() {
        // `"NaN".parse::<f64>()` is NaN, which is neither below `min` nor above `max`.
        let range = Matcher {
            min: Some(1.0),
            max: Some(9.0),
            ..m()
        };
        assert!(!test(&range, Some(&json!("NaN"))));
        assert!(!test(&range, Some(&json!(" nan "))));
        let above = Matcher {
            min: Some(100_001.0),
            ..m()
        };
        assert!(!test(&above, Some(&json!("NaN"))));
        assert!(test(&above, Some(&json!("inf"))));
    }

    #[test]
    fn percent_needs_two_hex_digits() {
        // A `%` without two hex digits is itself; the `+` after it is still a space.
        assert_eq!(decode("%+1"), "% 1");
        assert_eq!(decode("%-1x"), "%-1x");
        assert_eq!(raw_query("a%+1=1", "a\u{1}"), None);
    }
}
