//! RFC 6901 JSON pointer and `$ref` fragment helpers shared by the modules.

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};
use serde_json::Value;
use std::borrow::Cow;

/// Append one reference token to `pointer`, escaping `~` and `/`.
pub(crate) fn push(pointer: &mut String, token: &str) {
    pointer.push('/');
    for c in token.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

/// `pointer` with one more token, as a new string.
pub(crate) fn join(pointer: &str, token: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + token.len() + 1);
    out.push_str(pointer);
    push(&mut out, token);
    out
}

/// Characters that may not appear raw in a URI fragment (RFC 3986 §3.5): everything outside
/// `pchar / "/" / "?"`. `~` stays raw so pointer escapes remain readable.
const FRAGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Encode a JSON pointer for use as the fragment of a `$ref` URI.
pub(crate) fn to_fragment(pointer: &str) -> Cow<'_, str> {
    utf8_percent_encode(pointer, FRAGMENT).into()
}

/// Resolve a `$ref` fragment (after `#`, percent-encoded JSON pointer) inside `doc`.
pub(crate) fn resolve_fragment<'a>(doc: &'a Value, fragment: &str) -> Option<&'a Value> {
    let decoded = percent_decode_str(fragment).decode_utf8().ok()?;
    if decoded.is_empty() {
        return Some(doc);
    }
    // Anchors (`#name`) are not pointers; callers treat them as unresolvable.
    if !decoded.starts_with('/') {
        return None;
    }
    doc.pointer(&decoded)
}

/// Whether `value` nests containers more than `limit` levels deep (scalars are 0 deep, `[]` is
/// 1). Iterative, so hostile input cannot overflow the stack here.
pub(crate) fn depth_exceeds(value: &Value, limit: usize) -> bool {
    if !(value.is_array() || value.is_object()) {
        return false;
    }
    let mut stack: Vec<(&Value, usize)> = vec![(value, 0)];
    while let Some((node, depth)) = stack.pop() {
        let depth = depth + 1;
        let children: &mut dyn Iterator<Item = &Value> = match node {
            Value::Array(items) => &mut items.iter(),
            Value::Object(map) => &mut map.values(),
            _ => continue,
        };
        if depth > limit {
            return true;
        }
        for child in children {
            if child.is_array() || child.is_object() {
                stack.push((child, depth));
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escapes_tokens() {
        assert_eq!(join("/paths", "/pets/{id}"), "/paths/~1pets~1{id}");
        assert_eq!(join("", "a~b"), "/a~0b");
    }

    #[test]
    fn fragment_round_trip() {
        let doc = json!({"paths": {"/pets/{id}": {"x y": 1}}});
        let pointer = "/paths/~1pets~1{id}/x y";
        let fragment = to_fragment(pointer);
        assert_eq!(fragment, "/paths/~1pets~1%7Bid%7D/x%20y");
        assert_eq!(resolve_fragment(&doc, &fragment), Some(&json!(1)));
        assert_eq!(resolve_fragment(&doc, ""), Some(&doc));
        assert_eq!(resolve_fragment(&doc, "anchor"), None);
    }

    #[test]
    fn depth() {
        assert!(!depth_exceeds(&json!(1), 0));
        assert!(depth_exceeds(&json!([]), 0));
        assert!(!depth_exceeds(&json!([[1], {"a": 1}]), 2));
        assert!(depth_exceeds(&json!([[1], {"a": []}]), 2));
    }
}
