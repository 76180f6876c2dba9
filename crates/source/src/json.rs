//! JSON documents: values come from serde_json (fast, exact), spans from a small scanner that
//! runs only when a diagnostic first asks for one.

use std::collections::HashMap;

use serde_json::Value;
use serde_json::error::Category;

use crate::pointer::push_token;
use crate::position::{LineIndex, Span, char_span};
use crate::{NodeSpans, SpanMap, SyntaxError};

/// Parse `text[start..]` (`start` skips a byte order mark, which serde_json rejects).
pub(crate) fn parse(text: &str, start: usize) -> Result<Value, SyntaxError> {
    let body = &text[start..];
    serde_json::from_str(body).map_err(|err| {
        // serde_json reports a 1-based line and a column counting the BYTES read on that line,
        // the offending one included. Column 0 means the offending byte was the newline ending
        // the previous line; for a truncated document the place to show is the very end.
        let lines = LineIndex::new(body);
        let line_start = lines.line_start(err.line());
        let offset = if err.classify() == Category::Eof {
            body.len()
        } else if err.column() == 0 {
            line_start.saturating_sub(1)
        } else {
            line_start + err.column() - 1
        };
        let span = char_span(text, start + offset.min(body.len()));
        // Display is "<message> at line L column C": keep the message, our Display adds the
        // (character-based) position.
        let full = err.to_string();
        let suffix = format!(" at line {} column {}", err.line(), err.column());
        let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
        SyntaxError::new(text, span, message)
    })
}

/// Build the pointer → span map of a JSON text that serde_json already accepted.
///
/// The scanner trusts that the text is valid JSON, but it still never indexes out of bounds:
/// on anything unexpected it stops and returns what it has.
pub(crate) fn span_map(text: &str, start: usize) -> SpanMap {
    let mut scanner = Scanner {
        text,
        bytes: text.as_bytes(),
        pos: start,
        ptr: String::new(),
        // A node per ~25 bytes is typical of pretty-printed specs; a close guess avoids
        // rehashing a large map several times.
        map: HashMap::with_capacity(text.len() / 25),
    };
    scanner.run();
    scanner.map
}

struct Scanner<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    ptr: String,
    map: SpanMap,
}

/// An open object or array: the scanner keeps an explicit stack instead of recursing.
struct Open {
    is_object: bool,
    start: usize,
    /// Length of `ptr` when it addresses this container.
    ptr_len: usize,
    key: Option<Span>,
    next_index: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> u8 {
        self.bytes.get(self.pos).copied().unwrap_or(0)
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
    }

    fn run(&mut self) {
        let mut stack: Vec<Open> = Vec::new();
        let mut key: Option<Span> = None;
        self.skip_ws();
        loop {
            // At the start of a value whose pointer is `self.ptr`.
            match self.peek() {
                open @ (b'{' | b'[') => {
                    stack.push(Open {
                        is_object: open == b'{',
                        start: self.pos,
                        ptr_len: self.ptr.len(),
                        key: key.take(),
                        next_index: 0,
                    });
                    self.pos += 1;
                    self.skip_ws();
                    if !matches!(self.peek(), b'}' | b']') {
                        match stack.last_mut() {
                            Some(top) => {
                                if !self.enter_child(top, &mut key) {
                                    return;
                                }
                            }
                            None => return,
                        }
                        continue;
                    }
                    // Empty container: falls through to the closing loop below.
                }
                0 => return,
                _ => {
                    let start = self.pos;
                    self.skip_scalar();
                    self.record(Span::new(start, self.pos), key.take());
                }
            }
            // After a value: close finished containers, then move to the next sibling.
            loop {
                self.skip_ws();
                let Some(top) = stack.last_mut() else {
                    return;
                };
                match self.peek() {
                    b',' => {
                        self.pos += 1;
                        self.skip_ws();
                        if !self.enter_child(top, &mut key) {
                            return;
                        }
                        break;
                    }
                    b'}' | b']' => {
                        self.pos += 1;
                        let Some(done) = stack.pop() else {
                            return;
                        };
                        self.ptr.truncate(done.ptr_len);
                        self.record(Span::new(done.start, self.pos), done.key);
                    }
                    _ => return,
                }
            }
        }
    }

    /// Position on the next child of `top` and make `self.ptr` address it; for an object,
    /// read the key (span into `key`) and the colon. Returns false on malformed input.
    fn enter_child(&mut self, top: &mut Open, key: &mut Option<Span>) -> bool {
        self.ptr.truncate(top.ptr_len);
        if !top.is_object {
            push_index(&mut self.ptr, top.next_index);
            top.next_index += 1;
            return true;
        }
        if self.peek() != b'"' {
            return false;
        }
        let start = self.pos;
        self.skip_scalar();
        let span = Span::new(start, self.pos);
        // Between the quotes; `get` keeps a truncated string from panicking.
        let raw = self.text.get(start + 1..self.pos - 1).unwrap_or("");
        if raw.contains('\\') {
            // Rare: let serde_json decode the escapes (including surrogate pairs).
            let decoded: String = serde_json::from_str(&self.text[start..self.pos])
                .unwrap_or_else(|_| raw.to_owned());
            push_token(&mut self.ptr, &decoded);
        } else {
            push_token(&mut self.ptr, raw);
        }
        *key = Some(span);
        self.skip_ws();
        if self.peek() != b':' {
            return false;
        }
        self.pos += 1;
        self.skip_ws();
        true
    }

    /// Skip a string (with its quotes), number or literal.
    fn skip_scalar(&mut self) {
        if self.peek() == b'"' {
            self.pos += 1;
            while let Some(&b) = self.bytes.get(self.pos) {
                self.pos += 1;
                match b {
                    b'"' => return,
                    b'\\' => self.pos += 1,
                    _ => {}
                }
            }
            self.pos = self.pos.min(self.bytes.len());
        } else {
            while matches!(self.peek(), b'0'..=b'9' | b'a'..=b'z' | b'+' | b'-' | b'.' | b'E') {
                self.pos += 1;
            }
        }
    }

    fn record(&mut self, value: Span, key: Option<Span>) {
        // A duplicated key overwrites: serde_json also keeps the last value.
        self.map.insert(self.ptr.clone(), NodeSpans { value, key });
    }
}

fn push_index(ptr: &mut String, index: usize) {
    use std::fmt::Write as _;
    // Writing into a String cannot fail.
    let _ = write!(ptr, "/{index}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<(String, String, Option<String>)> {
        let map = span_map(text, 0);
        let mut out: Vec<_> = map
            .into_iter()
            .map(|(ptr, s)| {
                (
                    ptr,
                    text[s.value.start..s.value.end].to_owned(),
                    s.key.map(|k| text[k.start..k.end].to_owned()),
                )
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn scanner_records_every_node() {
        let text = r#" {"a": [1, {"b~/": null}, []], "e\u0301": {}, "n": -1.5e+3} "#;
        let got = spans(text);
        let want = [
            (
                "",
                r#"{"a": [1, {"b~/": null}, []], "e\u0301": {}, "n": -1.5e+3}"#,
                None,
            ),
            ("/a", r#"[1, {"b~/": null}, []]"#, Some(r#""a""#)),
            ("/a/0", "1", None),
            ("/a/1", r#"{"b~/": null}"#, None),
            ("/a/1/b~0~1", "null", Some(r#""b~/""#)),
            ("/a/2", "[]", None),
            ("/e\u{301}", "{}", Some(r#""e\u0301""#)),
            ("/n", "-1.5e+3", Some(r#""n""#)),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|(p, v, k)| (p.to_string(), v.to_string(), k.map(str::to_owned)))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn scanner_survives_garbage() {
        for text in [
            "",
            "{",
            "[1,",
            r#"{"a" 1}"#,
            r#"{"a":"#,
            "\"abc",
            "{]",
            "[}]",
            "{1:2}",
        ] {
            let _ = span_map(text, 0);
        }
    }
}
