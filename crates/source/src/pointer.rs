//! RFC 6901 JSON pointer helpers: the one addressing scheme every mockgen diagnostic uses.

use std::borrow::Cow;

/// Escape one reference token: `~` becomes `~0` and `/` becomes `~1`.
pub fn escape_token(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    push_escaped(&mut out, token);
    out
}

/// Undo [`escape_token`]: `~1` becomes `/` and `~0` becomes `~`.
///
/// Decoding is a single left-to-right pass, so `~01` is `~1` (not `/`), as RFC 6901 requires.
/// A `~` not followed by `0` or `1` is invalid in a pointer; it is kept as is rather than
/// rejected so that looking up a malformed pointer simply finds nothing.
pub fn unescape_token(token: &str) -> String {
    if !token.contains('~') {
        return token.to_owned();
    }
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '~' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('0') => {
                out.push('~');
                chars.next();
            }
            Some('1') => {
                out.push('/');
                chars.next();
            }
            _ => out.push('~'),
        }
    }
    out
}

/// Strict [`unescape_token`] for lookups: `None` when a `~` is not followed by `0` or `1`, so
/// that a malformed pointer finds nothing (an escaped pointer never contains such a `~`).
pub(crate) fn unescape_token_strict(token: &str) -> Option<Cow<'_, str>> {
    if !token.contains('~') {
        return Some(Cow::Borrowed(token));
    }
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars();
    while let Some(c) = chars.next() {
        if c != '~' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('0') => out.push('~'),
            Some('1') => out.push('/'),
            _ => return None,
        }
    }
    Some(Cow::Owned(out))
}

/// The unescaped reference tokens of a pointer: `"/paths/~1pets/get"` gives
/// `["paths", "/pets", "get"]`, `""` (the whole document) gives no token and `"/"` gives one
/// empty token (the key `""`).
///
/// A pointer must start with `/`; for leniency a missing leading `/` is tolerated here
/// (`"a/b"` gives `["a", "b"]`), but [`crate::Document::span`] does not accept such pointers.
pub fn pointer_tokens(ptr: &str) -> Vec<String> {
    if ptr.is_empty() {
        return Vec::new();
    }
    let body = ptr.strip_prefix('/').unwrap_or(ptr);
    body.split('/').map(unescape_token).collect()
}

/// Append one (unescaped) token to a pointer: `push_token(&mut "/paths".into(), "/pets")`
/// gives `"/paths/~1pets"`.
pub fn push_token(ptr: &mut String, token: &str) {
    ptr.push('/');
    push_escaped(ptr, token);
}

/// The pointer of the parent node, or `None` for the root (`""`) or a string that is not a
/// pointer.
pub fn parent_pointer(ptr: &str) -> Option<&str> {
    ptr.rfind('/').map(|slash| &ptr[..slash])
}

fn push_escaped(out: &mut String, token: &str) {
    // Fast path: almost no key in a spec contains `~` or `/` (except the `paths` entries).
    if !token.contains(['~', '/']) {
        out.push_str(token);
        return;
    }
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_and_unescape_round_trip() {
        for token in [
            "",
            "plain",
            "/pets/{id}",
            "a~b",
            "~1",
            "~0/~1",
            "Ünïcode 🎉/x",
        ] {
            assert_eq!(unescape_token(&escape_token(token)), token);
        }
        assert_eq!(escape_token("/pets/{id}"), "~1pets~1{id}");
        assert_eq!(escape_token("a~/b"), "a~0~1b");
        assert_eq!(unescape_token("~01"), "~1");
        assert_eq!(unescape_token("~10"), "/0");
        assert_eq!(unescape_token("bad~2~"), "bad~2~");
    }

    #[test]
    fn strict_unescape() {
        assert_eq!(unescape_token_strict("plain").as_deref(), Some("plain"));
        assert_eq!(unescape_token_strict("a~0b~1c").as_deref(), Some("a~b/c"));
        assert_eq!(unescape_token_strict("~01").as_deref(), Some("~1"));
        assert_eq!(unescape_token_strict("a~b"), None);
        assert_eq!(unescape_token_strict("a~"), None);
    }

    #[test]
    fn tokens() {
        assert!(pointer_tokens("").is_empty());
        assert_eq!(pointer_tokens("/"), vec![""]);
        assert_eq!(
            pointer_tokens("/paths/~1pets/get"),
            vec!["paths", "/pets", "get"]
        );
        assert_eq!(pointer_tokens("/a~0b//0"), vec!["a~b", "", "0"]);
        assert_eq!(pointer_tokens("a/b"), vec!["a", "b"]);
    }

    #[test]
    fn push_and_parent() {
        let mut ptr = String::new();
        push_token(&mut ptr, "paths");
        push_token(&mut ptr, "/pets");
        push_token(&mut ptr, "get");
        assert_eq!(ptr, "/paths/~1pets/get");
        assert_eq!(parent_pointer(&ptr), Some("/paths/~1pets"));
        assert_eq!(parent_pointer("/paths"), Some(""));
        assert_eq!(parent_pointer(""), None);
    }
}

/// The value at RFC 6901 pointer `ptr` in `root`, like [`serde_json::Value::pointer`] but
/// without allocating for tokens that need no unescaping (the engine resolves schemas by
/// pointer on every request).
pub fn lookup<'a>(root: &'a serde_json::Value, ptr: &str) -> Option<&'a serde_json::Value> {
    if ptr.is_empty() {
        return Some(root);
    }
    let mut cur = root;
    for raw in ptr.strip_prefix('/')?.split('/') {
        let token: Cow<'_, str> = if raw.contains('~') {
            Cow::Owned(unescape_token(raw))
        } else {
            Cow::Borrowed(raw)
        };
        cur = match cur {
            serde_json::Value::Object(map) => map.get(token.as_ref())?,
            serde_json::Value::Array(items) => {
                if token.starts_with('+') || (token.len() > 1 && token.starts_with('0')) {
                    return None;
                }
                items.get(token.parse::<usize>().ok()?)?
            }
            _ => return None,
        };
    }
    Some(cur)
}

#[cfg(test)]
mod lookup_tests {
    use super::lookup;
    use serde_json::json;

    #[test]
    fn agrees_with_serde_json() {
        let v = json!({"a/b": {"c~d": [1, {"e": 2}]}, "": {"x": 0}, "01": 5});
        for ptr in [
            "",
            "/a~1b",
            "/a~1b/c~0d/1/e",
            "/a~1b/c~0d/0",
            "/a~1b/c~0d/01",
            "/a~1b/c~0d/+1",
            "/a~1b/c~0d/9",
            "/",
            "//x",
            "/01",
            "nope",
            "/a~1b/c~0d/1/e/f",
        ] {
            assert_eq!(lookup(&v, ptr), v.pointer(ptr), "{ptr}");
        }
    }
}
