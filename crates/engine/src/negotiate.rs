//! Content negotiation: `Accept` with q-values over a response's media types.

use mockgen_spec::{MediaType, media_essence};

/// One media range of an `Accept` header.
struct Range {
    top: String,
    sub: String,
    q: f32,
}

fn parse_accept(accept: &str) -> Vec<Range> {
    accept
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let essence = parts.next()?.trim().to_ascii_lowercase();
            if essence.is_empty() {
                return None;
            }
            let (top, sub) = essence.split_once('/').unwrap_or((essence.as_str(), "*"));
            let mut q = 1.0;
            for p in parts {
                if let Some((k, v)) = p.split_once('=')
                    && k.trim().eq_ignore_ascii_case("q")
                {
                    q = v.trim().parse::<f32>().unwrap_or(0.0).clamp(0.0, 1.0);
                }
            }
            Some(Range {
                top: top.trim().to_owned(),
                sub: sub.trim().to_owned(),
                q,
            })
        })
        .collect()
}

/// How well `range` matches the declared media type: `None` when it does not; larger is
/// more specific.
fn specificity(range: &Range, declared: &str) -> Option<u8> {
    let (top, sub) = declared.split_once('/').unwrap_or((declared, ""));
    if range.top == "*" {
        return Some(0);
    }
    if range.top != top && top != "*" {
        return None;
    }
    if range.sub == "*" || sub == "*" {
        return Some(1);
    }
    if range.sub == sub {
        return Some(3);
    }
    // `application/json` accepts `application/problem+json` and vice versa.
    let suffix = |s: &str| s.rsplit_once('+').map(|(_, x)| x.to_owned());
    if suffix(sub).as_deref() == Some(range.sub.as_str())
        || suffix(&range.sub).as_deref() == Some(sub)
    {
        return Some(2);
    }
    None
}

/// The media type to answer with: the declared one the client accepts most (ties go to the
/// earlier declared); the first declared when there is no `Accept`. `None`: nothing fits.
pub fn choose<'a>(content: &'a [MediaType], accept: Option<&str>) -> Option<&'a MediaType> {
    let ranges = match accept {
        Some(a) if !a.trim().is_empty() => parse_accept(a),
        _ => return content.first(),
    };
    if ranges.is_empty() {
        return content.first();
    }
    let mut best: Option<(&MediaType, f32)> = None;
    for media in content {
        let declared = media_essence(&media.media_type);
        let q = ranges
            .iter()
            .filter_map(|r| specificity(r, &declared).map(|s| (s, r.q)))
            .max_by_key(|(s, _)| *s)
            .map(|(_, q)| q)
            .unwrap_or(0.0);
        if q > 0.0 && best.is_none_or(|(_, b)| q > b) {
            best = Some((media, q));
        }
    }
    best.map(|(m, _)| m)
}
