//! Content negotiation: `Accept` with q-values over a response's media types.
//!
//! Each declared media type gets the q-value of the most specific `Accept` range matching it
//! (exact type, then `type/*`, then `*/*`, and only then a structured-syntax suffix match
//! such as `application/json` for a declared `application/problem+json`). The declared type
//! with the highest q wins; among equal q-values the more specific match wins (so a suffix
//! match is only a fallback), then the earlier declared. Parameters other than `q` are
//! ignored.

use mockgen_spec::MediaType;

/// One media range of an `Accept` header.
#[derive(Clone, Copy)]
struct Range<'a> {
    top: &'a str,
    sub: &'a str,
    q: f32,
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+.^_`|~-".contains(&b))
}

/// The well-formed ranges of `accept`.
fn parse_accept(accept: &str) -> impl Iterator<Item = Range<'_>> {
    accept.split(',').filter_map(|item| {
        let mut parts = item.split(';');
        let essence = parts.next()?.trim();
        if essence.is_empty() {
            return None;
        }
        // `*` alone is a common shorthand for `*/*`; anything else that is not
        // `type/subtype` made of tokens is malformed and ignored (RFC 9110 lets a server
        // disregard a bad Accept rather than answer 406).
        let (top, sub) = match essence.split_once('/') {
            Some((t, s)) => (t.trim(), s.trim()),
            None if essence == "*" => ("*", "*"),
            None => return None,
        };
        if !is_token(top) || !is_token(sub) {
            return None;
        }
        let mut q = 1.0;
        for p in parts {
            if let Some((k, v)) = p.split_once('=')
                && k.trim().eq_ignore_ascii_case("q")
            {
                q = v.trim().parse::<f32>().unwrap_or(0.0).clamp(0.0, 1.0);
            }
        }
        Some(Range { top, sub, q })
    })
}

/// The structured-syntax suffix of a subtype (`json` of `problem+json`).
fn suffix(sub: &str) -> Option<&str> {
    sub.rsplit_once('+').map(|(_, x)| x)
}

/// How well `range` matches the declared media type: `None` when it does not; larger is
/// more specific. A structured-syntax suffix match (`application/json` for a declared
/// `application/problem+json`, or the reverse) is not an RFC 9110 match: it ranks below
/// everything else, so it only decides when nothing else matches.
fn specificity(range: &Range<'_>, declared: &str) -> Option<u8> {
    let (top, sub) = declared.split_once('/').unwrap_or((declared, ""));
    if range.top == "*" {
        return Some(2);
    }
    if !range.top.eq_ignore_ascii_case(top) && top != "*" {
        return None;
    }
    if range.sub == "*" || sub == "*" {
        return Some(3);
    }
    if range.sub.eq_ignore_ascii_case(sub) {
        return Some(4);
    }
    if suffix(sub).is_some_and(|x| x.eq_ignore_ascii_case(range.sub))
        || suffix(range.sub).is_some_and(|x| x.eq_ignore_ascii_case(sub))
    {
        return Some(1);
    }
    None
}

/// The index of the media type to answer with: the declared one the client accepts most;
/// the first declared when there is no `Accept`. `None`: nothing fits (406).
pub fn choose(content: &[MediaType], accept: Option<&str>) -> Option<usize> {
    if content.is_empty() {
        return None;
    }
    let accept = match accept.map(str::trim) {
        Some(a) if !a.is_empty() => a,
        _ => return Some(0),
    };
    // The common case, one concrete type without parameters (`application/json`): the
    // first declared type equal to it is the best possible match (q 1, most specific).
    if !accept.contains([',', ';', '*'])
        && accept
            .split_once('/')
            .is_some_and(|(t, s)| is_token(t) && is_token(s))
        && let Some(i) = content
            .iter()
            .position(|m| essence(&m.media_type).eq_ignore_ascii_case(accept))
    {
        return Some(i);
    }
    // Up to eight ranges on the stack; longer lists spill to the heap.
    const STACK: usize = 8;
    let none = Range {
        top: "",
        sub: "",
        q: 0.0,
    };
    let mut stack = [none; STACK];
    let mut len = 0;
    let mut heap: Vec<Range<'_>> = Vec::new();
    for range in parse_accept(accept) {
        if heap.is_empty() && len < STACK {
            stack[len] = range;
            len += 1;
        } else {
            if heap.is_empty() {
                heap.extend_from_slice(&stack[..len]);
            }
            heap.push(range);
        }
    }
    let ranges: &[Range<'_>] = if heap.is_empty() {
        &stack[..len]
    } else {
        &heap
    };
    if ranges.is_empty() {
        return Some(0);
    }
    // (index, q, specificity)
    let mut best: Option<(usize, f32, u8)> = None;
    for (index, media) in content.iter().enumerate() {
        // Every comparison ignores ASCII case: no lower-cased copy needed.
        let declared = essence(&media.media_type);
        let Some((s, q)) = ranges
            .iter()
            .filter_map(|r| specificity(r, declared).map(|s| (s, r.q)))
            .max_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)))
        else {
            continue;
        };
        if q > 0.0 && best.is_none_or(|(_, bq, bs)| q > bq || (q == bq && s > bs)) {
            best = Some((index, q, s));
        }
    }
    best.map(|(i, _, _)| i)
}

/// [`mockgen_spec::media_essence`] without lower-casing (so without a copy).
fn essence(media_type: &str) -> &str {
    media_type.split(';').next().unwrap_or_default().trim()
}

/// The media type to label (and encode) a body with when the declared one is a range:
/// `*/*` and `application/*` are served as JSON, `text/*` as plain text, other ranges as
/// octet-stream. Parameters (a charset) are kept.
pub fn concrete(declared: &str) -> std::borrow::Cow<'_, str> {
    let (essence, params) = declared.split_once(';').unwrap_or((declared, ""));
    let essence = essence.trim();
    if !essence.contains('*') {
        return std::borrow::Cow::Borrowed(declared);
    }
    let (top, _) = essence.split_once('/').unwrap_or((essence, ""));
    let concrete = if top.eq_ignore_ascii_case("text") {
        "text/plain"
    } else if top == "*" || top.eq_ignore_ascii_case("application") {
        "application/json"
    } else {
        "application/octet-stream"
    };
    if params.trim().is_empty() {
        std::borrow::Cow::Borrowed(concrete)
    } else {
        std::borrow::Cow::Owned(format!("{concrete}; {}", params.trim()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mockgen_spec::Loc;

    fn media(types: &[&str]) -> Vec<MediaType> {
        types
            .iter()
            .map(|t| MediaType {
                media_type: (*t).to_owned(),
                schema: None,
                item_schema: None,
                examples: Vec::new(),
                encoding: Default::default(),
                loc: Loc::new(0, ""),
            })
            .collect()
    }

    #[test]
    fn q_values_suffix_fallback_and_wildcards() {
        let c = media(&["application/problem+json", "application/json", "text/plain"]);
        assert_eq!(choose(&c, None), Some(0));
        assert_eq!(choose(&c, Some("application/json")), Some(1));
        assert_eq!(
            choose(&c, Some("text/*;q=0.9, application/json;q=0.5")),
            Some(2)
        );
        assert_eq!(choose(&c, Some("*/*")), Some(0));
        assert_eq!(
            choose(&c, Some("*/*, application/problem+json;q=0")),
            Some(1)
        );
        assert_eq!(choose(&c, Some("image/png")), None);
        assert_eq!(choose(&c, Some("application/json; charset=utf-8")), Some(1));
        assert_eq!(choose(&c, Some(" Application/JSON ")), Some(1));
        assert_eq!(choose(&c, Some("text/plain")), Some(2));
        let many = "a/b, c/d, e/f, g/h, i/j, k/l, m/n, o/p, q/r, text/plain;q=0.5";
        assert_eq!(choose(&c, Some(many)), Some(2));
        let c = media(&["application/*", "application/json"]);
        assert_eq!(choose(&c, Some("application/json")), Some(1));
        assert_eq!(choose(&c, Some("application/xml")), Some(0));
        let c = media(&["application/vnd.api+json"]);
        assert_eq!(choose(&c, Some("application/json")), Some(0));
        assert_eq!(choose(&c, Some("application/xml")), None);
    }

    #[test]
    fn malformed_accept_is_ignored_not_a_406() {
        let c = media(&["application/json", "text/plain"]);
        assert_eq!(choose(&c, Some("{}")), Some(0));
        assert_eq!(choose(&c, Some("json")), Some(0));
        assert_eq!(choose(&c, Some("*")), Some(0));
        assert_eq!(choose(&c, Some("{}, text/plain")), Some(1));
        assert_eq!(choose(&c, Some("image/png, {}")), None);
    }

    #[test]
    fn ranges_become_concrete_types() {
        assert_eq!(concrete("*/*"), "application/json");
        assert_eq!(concrete("application/*"), "application/json");
        assert_eq!(
            concrete("text/*; charset=utf-8"),
            "text/plain; charset=utf-8"
        );
        assert_eq!(concrete("image/*"), "application/octet-stream");
        assert_eq!(
            concrete("application/json; charset=utf-8"),
            "application/json; charset=utf-8"
        );
    }
}
