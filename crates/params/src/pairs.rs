//! Splitting a raw query string or `Cookie` header into name/value pairs. Names are decoded
//! at once; values stay raw so each parameter can decode them as its location requires.

use percent_encoding::percent_decode_str;

/// More pairs than this in one query string (or cookie header) are ignored with a problem,
/// so a hostile request cannot make every parameter scan an unbounded list.
pub const MAX_PAIRS: usize = 1000;

/// One `name=value` piece. `raw` is the still-encoded value (`""` for a bare `name`).
#[derive(Debug, Clone)]
pub(crate) struct Pair<'a> {
    pub(crate) name: String,
    pub(crate) raw: &'a str,
}

/// How values of a pair list are decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decoding {
    /// `application/x-www-form-urlencoded`: `+` is a space, then `%XX`.
    Form,
    /// `%XX` only (cookie values: a `+` there is a literal plus).
    Percent,
    /// Taken as written (OpenAPI 3.2 `style: cookie`).
    None,
}

/// Decode a value. Invalid UTF-8 after percent-decoding is replaced by U+FFFD rather than
/// rejected: the schema check that follows reports anything that then does not fit.
pub(crate) fn decode(raw: &str, decoding: Decoding) -> String {
    match decoding {
        Decoding::Form => {
            let spaced = raw.replace('+', " ");
            percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
        }
        Decoding::Percent => percent_decode_str(raw).decode_utf8_lossy().into_owned(),
        Decoding::None => raw.to_owned(),
    }
}

/// Split a query string at `&`; empty pieces (`a=1&&b=2`) are skipped. Returns the pairs and
/// whether the cap was hit.
pub(crate) fn query_pairs(query: &str) -> (Vec<Pair<'_>>, bool) {
    split_pairs(query.split('&'), Decoding::Form)
}

/// Split a `Cookie` header (`a=1; b=2`) at `;`, trimming the spaces around each piece.
pub(crate) fn cookie_pairs(header: &str) -> (Vec<Pair<'_>>, bool) {
    split_pairs(header.split(';').map(str::trim), Decoding::Percent)
}

fn split_pairs<'a>(
    pieces: impl Iterator<Item = &'a str>,
    names: Decoding,
) -> (Vec<Pair<'a>>, bool) {
    let mut pairs = Vec::new();
    for piece in pieces.filter(|p| !p.is_empty()) {
        if pairs.len() == MAX_PAIRS {
            return (pairs, true);
        }
        let (name, raw) = piece.split_once('=').unwrap_or((piece, ""));
        pairs.push(Pair {
            name: decode(name, names),
            raw,
        });
    }
    (pairs, false)
}
