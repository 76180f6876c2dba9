//! `multipart/form-data` (RFC 7578) split into named parts: the boundary from the
//! Content-Type (quoted or not), CRLF (or bare LF) line ends, per-part headers.

/// More parts than this are refused: each becomes a field the validator walks.
pub const MAX_PARTS: usize = 10_000;

/// One part of a multipart body.
#[derive(Debug)]
pub struct Part<'a> {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub body: &'a [u8],
}

/// The value of parameter `name` of a header value such as a Content-Type
/// (`multipart/form-data; boundary="x"`), unquoted.
pub fn header_param(value: &str, name: &str) -> Option<String> {
    let mut rest = value.split_once(';')?.1;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ';']);
        if rest.is_empty() {
            return None;
        }
        let (key, after) = rest.split_once('=').unwrap_or((rest, ""));
        let key = key.trim();
        let after = after.trim_start();
        let (val, next) = if let Some(quoted) = after.strip_prefix('"') {
            // A quoted string: `\"` escapes a quote.
            let mut out = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, n)) = chars.next() {
                            out.push(n);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    _ => out.push(c),
                }
            }
            (out, &quoted[end.min(quoted.len())..])
        } else {
            let (v, n) = after.split_once(';').unwrap_or((after, ""));
            (v.trim().to_owned(), n)
        };
        if key.eq_ignore_ascii_case(name) {
            return Some(val);
        }
        rest = next;
    }
}

/// Split `body` into its parts.
pub fn parse<'a>(content_type: &str, body: &'a [u8]) -> Result<Vec<Part<'a>>, String> {
    let Some(boundary) = header_param(content_type, "boundary") else {
        return Err(
            "The multipart body has no boundary: the Content-Type must carry one, e.g. `multipart/form-data; boundary=XYZ`."
                .to_owned(),
        );
    };
    if boundary.is_empty() || boundary.len() > 70 {
        return Err(format!(
            "The multipart boundary {boundary:?} is invalid (it must have 1 to 70 characters)."
        ));
    }
    let delimiter = format!("--{boundary}").into_bytes();
    // The first delimiter: at the very start, or at the start of a line after a preamble.
    let mut pos = if body.starts_with(&delimiter) {
        delimiter.len()
    } else {
        match find_delimiter(body, 0, &delimiter) {
            Some((_, end)) => end,
            None => {
                return Err(format!(
                    "The multipart body does not contain the boundary {boundary:?}."
                ));
            }
        }
    };
    let mut parts = Vec::new();
    loop {
        // After a delimiter: `--` closes the body, else optional padding and a line end.
        let rest = body.get(pos..).unwrap_or_default();
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        let padding = rest
            .iter()
            .take_while(|b| **b == b' ' || **b == b'\t')
            .count();
        pos += padding;
        pos += match body.get(pos..).unwrap_or_default() {
            r if r.starts_with(b"\r\n") => 2,
            r if r.starts_with(b"\n") => 1,
            _ => {
                return Err(format!(
                    "The multipart body is malformed: a line end must follow the boundary (byte {pos})."
                ));
            }
        };
        if parts.len() == MAX_PARTS {
            return Err(format!(
                "The multipart body has more than {MAX_PARTS} parts."
            ));
        }
        let index = parts.len() + 1;
        let (headers, body_start) = read_headers(body, pos).ok_or_else(|| {
            format!("The multipart body is malformed: the headers of part {index} do not end with an empty line.")
        })?;
        let found = if body
            .get(body_start..)
            .is_some_and(|r| r.starts_with(&delimiter))
        {
            // An empty part whose blank line doubled as the delimiter's line end.
            Some((body_start, body_start + delimiter.len()))
        } else {
            find_delimiter(body, body_start, &delimiter)
        };
        let Some((content_end, next)) = found else {
            return Err(format!(
                "The multipart body is malformed: part {index} is not followed by the boundary {boundary:?} (is the closing `--{boundary}--` missing?)."
            ));
        };
        let mut name = None;
        let mut filename = None;
        let mut content_type = None;
        for (h, v) in headers {
            if h.eq_ignore_ascii_case("content-disposition") {
                // `form-data; name="a"`: header_param wants a `;` before the first parameter.
                name = header_param(&v, "name");
                filename = header_param(&v, "filename");
            } else if h.eq_ignore_ascii_case("content-type") {
                content_type = Some(v);
            }
        }
        let Some(name) = name else {
            return Err(format!(
                "The multipart body is malformed: part {index} has no `Content-Disposition: form-data; name=\"…\"` header."
            ));
        };
        parts.push(Part {
            name,
            filename,
            content_type,
            body: body.get(body_start..content_end).unwrap_or_default(),
        });
        pos = next;
    }
}

/// The next `CRLF--boundary` (or `LF--boundary`) at or after `from`: (where the content
/// before it ends, where the text after the delimiter starts).
fn find_delimiter(body: &[u8], from: usize, delimiter: &[u8]) -> Option<(usize, usize)> {
    let mut i = from;
    while let Some(offset) = body.get(i..)?.iter().position(|b| *b == b'\n') {
        let nl = i + offset;
        let after = nl + 1;
        if body.get(after..).is_some_and(|r| r.starts_with(delimiter)) {
            let end = if nl > from && body.get(nl - 1) == Some(&b'\r') {
                nl - 1
            } else {
                nl
            };
            return Some((end.max(from), after + delimiter.len()));
        }
        i = after;
    }
    None
}

/// The part headers starting at `pos`, and where the part's content starts.
fn read_headers(body: &[u8], mut pos: usize) -> Option<(Vec<(String, String)>, usize)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    loop {
        let rest = body.get(pos..)?;
        let nl = rest.iter().position(|b| *b == b'\n')?;
        let line = rest.get(..nl)?;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        pos += nl + 1;
        if line.is_empty() {
            return Some((headers, pos));
        }
        if headers.len() >= 64 {
            return None;
        }
        let text = String::from_utf8_lossy(line);
        if text.starts_with([' ', '\t']) {
            // Obsolete line folding: continue the previous header.
            if let Some((_, v)) = headers.last_mut() {
                v.push(' ');
                v.push_str(text.trim());
            }
            continue;
        }
        let (h, v) = text.split_once(':')?;
        headers.push((h.trim().to_owned(), v.trim().to_owned()));
    }
}
