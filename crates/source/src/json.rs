//! JSON documents: values come from serde_json (fast, exact), spans from a small scanner that
//! runs only when a diagnostic first asks for one.
//!
//! The span index is a tree of fixed-size records (24 bytes a node) rather than a map from
//! pointer strings: a 13 MB spec has a quarter of a million nodes whose pointers average about
//! a hundred bytes. A lookup walks down from the root, comparing each pointer token with the
//! keys as written in the text.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::error::Category;
use serde_json::{Map, Number, Value};

use crate::pointer::{push_token, unescape_token_strict};
use crate::position::{LineIndex, Span, char_span};
use crate::{NodeSpans, SyntaxError};

/// A JSON value plus where it repeats a key.
pub(crate) struct Parsed {
    pub(crate) value: Value,
    /// Objects in which a key is given twice (or more), as [`ObjectOrdinal`]s in ascending
    /// order. The later value replaced the earlier one, as serde_json does.
    pub(crate) objects_with_duplicates: Vec<ObjectOrdinal>,
}

/// Number of objects that open (`{`) before an object in the text: identifies an object
/// both while parsing and in the span index.
pub(crate) type ObjectOrdinal = usize;

/// Parse `text[start..]` (`start` skips a byte order mark, which serde_json rejects).
pub(crate) fn parse(text: &str, start: usize) -> Result<Parsed, SyntaxError> {
    let body = &text[start..];
    let mut state = ParseState::default();
    let mut deserializer = serde_json::Deserializer::from_str(body);
    let value = ValueSeed { state: &mut state }
        .deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value))
        .map_err(|err| syntax_error(text, start, &err))?;
    let mut objects_with_duplicates = state.objects_with_duplicates;
    // An inner object finishes (and reports) before its parent does.
    objects_with_duplicates.sort_unstable();
    Ok(Parsed {
        value,
        objects_with_duplicates,
    })
}

fn syntax_error(text: &str, start: usize, err: &serde_json::Error) -> SyntaxError {
    let body = &text[start..];
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
}

/// Builds a `Value` exactly as `serde_json::Value`'s own `Deserialize` does, noting the objects
/// in which a key replaces an earlier member (`Map::insert` returning the old value). Noticing
/// costs nothing; locating the keys needs the span index, built only if there are any.
struct ValueSeed<'a> {
    state: &'a mut ParseState,
}

#[derive(Default)]
struct ParseState {
    /// Objects opened so far.
    objects: usize,
    objects_with_duplicates: Vec<ObjectOrdinal>,
}

impl ValueSeed<'_> {
    fn reborrow(&mut self) -> ValueSeed<'_> {
        ValueSeed {
            state: &mut *self.state,
        }
    }
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self.reborrow())? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut access: A) -> Result<Value, A::Error> {
        let ordinal = self.state.objects;
        self.state.objects += 1;
        let mut map = Map::new();
        let mut has_duplicates = false;
        while let Some(key) = access.next_key::<String>()? {
            let value = access.next_value_seed(self.reborrow())?;
            // Last wins, in the first one's place (serde_json's behaviour).
            has_duplicates |= map.insert(key, value).is_some();
        }
        if has_duplicates {
            self.state.objects_with_duplicates.push(ordinal);
        }
        Ok(Value::Object(map))
    }
}

/// Texts this long or longer get no JSON span index (offsets are stored in 31 bits); lookups
/// then find nothing and [`crate::Document::nearest_span`] falls back to the whole text.
const MAX_INDEXED_LEN: usize = 1 << 31;

/// Set in [`Node::children`] when the node's key contains a backslash escape.
const ESCAPED_KEY: u32 = 1 << 31;

/// One node of the span index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Node {
    start: u32,
    end: u32,
    /// Key span (quotes included) of an object member; `key_end == 0` for any other node (a
    /// key span is never empty).
    key_start: u32,
    key_end: u32,
    /// The children are `nodes[first_child..first_child + child_count()]`, in text order.
    first_child: u32,
    /// Number of children, plus [`ESCAPED_KEY`].
    children: u32,
}

impl Node {
    fn span(&self) -> Span {
        Span::new(self.start as usize, self.end as usize)
    }

    fn key_span(&self) -> Option<Span> {
        (self.key_end != 0).then(|| Span::new(self.key_start as usize, self.key_end as usize))
    }

    fn child_count(&self) -> usize {
        (self.children & !ESCAPED_KEY) as usize
    }

    fn key_is_escaped(&self) -> bool {
        self.children & ESCAPED_KEY != 0
    }

    fn spans(&self) -> NodeSpans {
        NodeSpans {
            value: self.span(),
            key: self.key_span(),
        }
    }
}

/// The span index of a JSON text that serde_json accepted.
#[derive(Clone, Debug, Default)]
pub(crate) struct JsonSpans {
    nodes: Vec<Node>,
    /// Index of the root in `nodes` (`None` if the text could not be scanned).
    root: Option<usize>,
}

/// A key that an earlier member of the same object already had.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DuplicateKey {
    /// The key, unescaped.
    pub(crate) key: String,
    /// Pointer of the member (the last one of that key is its value).
    pub(crate) pointer: String,
    /// Span of the repeated key, quotes included.
    pub(crate) span: Span,
}

impl JsonSpans {
    /// Scan `text[start..]`, which must be the JSON text serde_json accepted.
    ///
    /// The scanner trusts that the text is valid JSON, but it still never indexes out of
    /// bounds: on anything unexpected it stops and the index stays empty.
    pub(crate) fn build(text: &str, start: usize) -> Self {
        if text.len() >= MAX_INDEXED_LEN {
            return Self::default();
        }
        let mut scanner = Scanner {
            bytes: text.as_bytes(),
            pos: start,
            // About one node per 40 bytes is typical of specs; the excess is given back below.
            nodes: Vec::with_capacity(text.len() / 40),
            pending: Vec::new(),
        };
        let root = scanner.run();
        let mut nodes = scanner.nodes;
        let root = root.map(|root| {
            nodes.push(root);
            nodes.len() - 1
        });
        nodes.shrink_to_fit();
        Self { nodes, root }
    }

    /// Spans of the node at `pointer`.
    pub(crate) fn get(&self, text: &str, pointer: &str) -> Option<NodeSpans> {
        match self.descend(text, pointer) {
            Some((node, true)) => Some(node.spans()),
            _ => None,
        }
    }

    /// Value span of the node at `pointer`, else of its nearest existing ancestor.
    pub(crate) fn nearest(&self, text: &str, pointer: &str) -> Option<Span> {
        self.descend(text, pointer).map(|(node, _)| node.span())
    }

    /// The deepest node on the way to `pointer`, and whether it is the node at `pointer`.
    fn descend(&self, text: &str, pointer: &str) -> Option<(&Node, bool)> {
        let mut node = self.nodes.get(self.root?)?;
        if pointer.is_empty() {
            return Some((node, true));
        }
        let Some(tokens) = pointer.strip_prefix('/') else {
            return Some((node, false));
        };
        for token in tokens.split('/') {
            match self.child(text, node, token) {
                Some(child) => node = child,
                None => return Some((node, false)),
            }
        }
        Some((node, true))
    }

    fn children(&self, node: &Node) -> &[Node] {
        let first = node.first_child as usize;
        self.nodes
            .get(first..first.saturating_add(node.child_count()))
            .unwrap_or_default()
    }

    /// The child of `node` named by one (escaped) pointer token.
    fn child(&self, text: &str, node: &Node, token: &str) -> Option<&Node> {
        let children = self.children(node);
        if children.is_empty() {
            return None;
        }
        match text.as_bytes().get(node.start as usize) {
            Some(b'[') => children.get(array_index(token)?),
            Some(b'{') => {
                let wanted = unescape_token_strict(token)?;
                // The last member of a duplicated key is the one in the value.
                children
                    .iter()
                    .rev()
                    .find(|child| key_equals(text, child, &wanted))
            }
            _ => None,
        }
    }

    /// Every key repeated within the given objects (ascending [`ObjectOrdinal`]s), in text
    /// order. Walks the whole index, so it is only called when the parse found duplicates.
    pub(crate) fn duplicate_keys(
        &self,
        text: &str,
        objects: &[ObjectOrdinal],
    ) -> Vec<DuplicateKey> {
        let mut found = Vec::new();
        let Some(root) = self.root else {
            return found;
        };
        let mut objects = objects.iter().copied().peekable();
        let mut ordinal: ObjectOrdinal = 0;
        // Depth-first in text order, `pointer` addressing the node on top of `stack`.
        let mut pointer = String::new();
        let mut stack: Vec<Walk> = Vec::new();
        let mut next = Some(root);
        loop {
            if let Some(index) = next.take() {
                let Some(node) = self.nodes.get(index) else {
                    break;
                };
                let is_object = text.as_bytes().get(node.start as usize) == Some(&b'{');
                if is_object {
                    if objects.next_if_eq(&ordinal).is_some() {
                        self.find_duplicates(text, node, &pointer, &mut found);
                    }
                    ordinal += 1;
                    if objects.peek().is_none() {
                        break;
                    }
                }
                stack.push(Walk {
                    node: index,
                    is_object,
                    pointer_len: pointer.len(),
                    next_child: 0,
                });
            }
            let Some(top) = stack.last_mut() else {
                break;
            };
            let Some(node) = self.nodes.get(top.node) else {
                break;
            };
            let Some(child) = self.children(node).get(top.next_child) else {
                stack.pop();
                continue;
            };
            let index = node.first_child as usize + top.next_child;
            top.next_child += 1;
            if child.child_count() == 0 {
                // A scalar or an empty container: nothing to find inside, but an empty object
                // has its ordinal.
                if text.as_bytes().get(child.start as usize) == Some(&b'{') {
                    ordinal += 1;
                }
                continue;
            }
            pointer.truncate(top.pointer_len);
            if top.is_object {
                push_token(&mut pointer, &key_text(text, child).unwrap_or_default());
            } else {
                push_index(&mut pointer, top.next_child - 1);
            }
            next = Some(index);
        }
        found.sort_by_key(|duplicate| duplicate.span.start);
        found
    }

    /// Repeated keys of one object (`pointer` addresses it).
    fn find_duplicates(
        &self,
        text: &str,
        object: &Node,
        pointer: &str,
        found: &mut Vec<DuplicateKey>,
    ) {
        let mut seen = HashSet::new();
        for child in self.children(object) {
            let key = key_text(text, child).unwrap_or_default();
            if seen.contains(&key) {
                let mut member = pointer.to_owned();
                push_token(&mut member, &key);
                found.push(DuplicateKey {
                    key: key.into_owned(),
                    pointer: member,
                    span: child.key_span().unwrap_or_default(),
                });
            } else {
                seen.insert(key);
            }
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.nodes.len()
    }
}

/// A container being walked by [`JsonSpans::duplicate_keys`].
struct Walk {
    node: usize,
    is_object: bool,
    pointer_len: usize,
    next_child: usize,
}

/// A token naming an array item: `0` or digits without a leading zero (RFC 6901).
fn array_index(token: &str) -> Option<usize> {
    let canonical = token == "0"
        || (!token.starts_with('0')
            && !token.is_empty()
            && token.bytes().all(|b| b.is_ascii_digit()));
    if canonical { token.parse().ok() } else { None }
}

/// The unescaped key of an object member.
fn key_text<'t>(text: &'t str, node: &Node) -> Option<Cow<'t, str>> {
    let quoted = text.get(node.key_start as usize..node.key_end as usize)?;
    if node.key_is_escaped() {
        // Rare: let serde_json decode the escapes (including surrogate pairs).
        serde_json::from_str(quoted).ok().map(Cow::Owned)
    } else {
        quoted
            .get(1..quoted.len().checked_sub(1)?)
            .map(Cow::Borrowed)
    }
}

fn key_equals(text: &str, node: &Node, wanted: &str) -> bool {
    if node.key_is_escaped() {
        return key_text(text, node).is_some_and(|key| key == wanted);
    }
    // Without escapes, the key is the text between its quotes. Comparing lengths first keeps
    // a scan of a large object from touching the text of every key.
    let (start, end) = (node.key_start as usize + 1, node.key_end as usize);
    end.checked_sub(1)
        .filter(|&end| end.checked_sub(start) == Some(wanted.len()))
        .and_then(|end| text.as_bytes().get(start..end))
        .is_some_and(|raw| raw == wanted.as_bytes())
}

struct Scanner<'t> {
    bytes: &'t [u8],
    pos: usize,
    /// Finished nodes: the children of each container are contiguous.
    nodes: Vec<Node>,
    /// Completed children of the open containers, moved to `nodes` when their parent closes.
    pending: Vec<Node>,
}

/// An open object or array: the scanner keeps an explicit stack instead of recursing.
struct Open {
    start: usize,
    key: Key,
    /// Length of `pending` when the container opened.
    mark: usize,
}

/// The key of the member being scanned, if any.
#[derive(Clone, Copy, Default)]
struct Key {
    start: u32,
    end: u32,
    escaped: bool,
}

/// Offsets fit: texts of [`MAX_INDEXED_LEN`] bytes or more are not scanned.
fn offset(pos: usize) -> u32 {
    u32::try_from(pos).unwrap_or(u32::MAX)
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

    fn node(&self, start: usize, key: Key, first_child: usize, children: usize) -> Node {
        Node {
            start: offset(start),
            end: offset(self.pos),
            key_start: key.start,
            key_end: key.end,
            first_child: offset(first_child),
            children: offset(children) | if key.escaped { ESCAPED_KEY } else { 0 },
        }
    }

    /// Scan the document; returns its root node (the rest is in `nodes`).
    fn run(&mut self) -> Option<Node> {
        let mut stack: Vec<Open> = Vec::new();
        let mut key = Key::default();
        self.skip_ws();
        loop {
            // At the start of a value; `key` is its key if it is an object member.
            match self.peek() {
                open @ (b'{' | b'[') => {
                    stack.push(Open {
                        start: self.pos,
                        key: std::mem::take(&mut key),
                        mark: self.pending.len(),
                    });
                    self.pos += 1;
                    self.skip_ws();
                    if !matches!(self.peek(), b'}' | b']') {
                        key = self.enter_child(open == b'{')?;
                        continue;
                    }
                    // Empty container: falls through to the closing loop below.
                }
                0 => return None,
                _ => {
                    let start = self.pos;
                    self.skip_string_or_scalar();
                    let leaf = self.node(start, std::mem::take(&mut key), 0, 0);
                    self.pending.push(leaf);
                }
            }
            // After a value: close finished containers, then move to the next sibling.
            loop {
                self.skip_ws();
                let Some(top) = stack.last() else {
                    return self.pending.pop();
                };
                match self.peek() {
                    b',' => {
                        self.pos += 1;
                        self.skip_ws();
                        key = self.enter_child(self.bytes.get(top.start) == Some(&b'{'))?;
                        break;
                    }
                    b'}' | b']' => {
                        self.pos += 1;
                        let done = stack.pop()?;
                        let first = self.nodes.len();
                        let count = self.pending.len().checked_sub(done.mark)?;
                        self.nodes.extend(self.pending.drain(done.mark..));
                        let node = self.node(done.start, done.key, first, count);
                        self.pending.push(node);
                    }
                    _ => return None,
                }
            }
        }
    }

    /// Position on the next child of the open container; for an object, read the key and the
    /// colon and return the key. `None` on malformed input.
    fn enter_child(&mut self, is_object: bool) -> Option<Key> {
        if !is_object {
            return Some(Key::default());
        }
        if self.peek() != b'"' {
            return None;
        }
        let start = self.pos;
        let escaped = self.skip_string_or_scalar();
        let key = Key {
            start: offset(start),
            end: offset(self.pos),
            escaped,
        };
        self.skip_ws();
        if self.peek() != b':' {
            return None;
        }
        self.pos += 1;
        self.skip_ws();
        Some(key)
    }

    /// Skip a string (with its quotes), number or literal; true for a string with escapes.
    fn skip_string_or_scalar(&mut self) -> bool {
        if self.peek() != b'"' {
            while matches!(self.peek(), b'0'..=b'9' | b'a'..=b'z' | b'+' | b'-' | b'.' | b'E') {
                self.pos += 1;
            }
            return false;
        }
        self.pos += 1;
        let mut escaped = false;
        while let Some(&b) = self.bytes.get(self.pos) {
            self.pos += 1;
            match b {
                b'"' => return escaped,
                b'\\' => {
                    escaped = true;
                    self.pos += 1;
                }
                _ => {}
            }
        }
        self.pos = self.pos.min(self.bytes.len());
        escaped
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

    /// Every node as (pointer, value text, key text), sorted by pointer.
    fn spans(text: &str) -> Vec<(String, String, Option<String>)> {
        let index = JsonSpans::build(text, 0);
        let mut out = Vec::new();
        let Some(root) = index.root else {
            return out;
        };
        let slice = |span: Span| text[span.start..span.end].to_owned();
        let mut todo = vec![(root, String::new())];
        while let Some((at, pointer)) = todo.pop() {
            let node = index.nodes[at];
            let is_object = text.as_bytes()[node.start as usize] == b'{';
            for (offset, child) in index.children(&node).iter().enumerate() {
                let mut child_pointer = pointer.clone();
                if is_object {
                    let key = key_text(text, child).expect("a key");
                    push_token(&mut child_pointer, &key);
                } else {
                    push_index(&mut child_pointer, offset);
                }
                // Lookups by pointer find the same node.
                assert_eq!(index.get(text, &child_pointer), Some(child.spans()));
                todo.push((node.first_child as usize + offset, child_pointer));
            }
            out.push((pointer, slice(node.span()), node.key_span().map(slice)));
        }
        assert_eq!(out.len(), index.len());
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
    fn nodes_are_small() {
        assert_eq!(std::mem::size_of::<Node>(), 24);
    }

    #[test]
    fn lookups() {
        let text = r#"{"a": [10, 11, {"x": 1}], "a\"b": 2, "": {"": 3}, "t~": 4, "d": 1, "d": 2}"#;
        let index = JsonSpans::build(text, 0);
        let at = |pointer: &str| {
            index
                .get(text, pointer)
                .map(|spans| &text[spans.value.start..spans.value.end])
        };
        assert_eq!(at("/a/1"), Some("11"));
        assert_eq!(at("/a/2/x"), Some("1"));
        assert_eq!(at("/a/01"), None);
        assert_eq!(at("/a/3"), None);
        assert_eq!(at("/a/-"), None);
        assert_eq!(at("/a/+1"), None);
        assert_eq!(at("/a\"b"), Some("2"));
        assert_eq!(at("//"), Some("3"));
        assert_eq!(at("/t~0"), Some("4"));
        assert_eq!(at("/t~"), None);
        assert_eq!(at("/d"), Some("2"));
        assert_eq!(at("a"), None);
        let nearest = |pointer: &str| {
            index
                .nearest(text, pointer)
                .map(|span| &text[span.start..span.end])
        };
        assert_eq!(nearest("/a/2/y/z"), Some(r#"{"x": 1}"#));
        assert_eq!(nearest("/a/1/0"), Some("11"));
        assert_eq!(nearest("nope"), Some(text));
    }

    #[test]
    fn duplicate_keys_are_found_in_text_order() {
        // Objects, numbered in the order they open: 0 (root), 1 (p), 2, 3 (empty), 4 (k...).
        let text = r#"{"p": {"/x": {"n": 1, "n": 2}, "/x": [{}, {"k": 1, "k": 2, "k\u0020": 3, "k ": 4}]}, "p": 0}"#;
        let parsed = parse(text, 0).expect("valid JSON");
        assert_eq!(parsed.objects_with_duplicates, [0, 1, 2, 4]);
        let index = JsonSpans::build(text, 0);
        let found = index.duplicate_keys(text, &parsed.objects_with_duplicates);
        let got: Vec<_> = found
            .iter()
            .map(|d| {
                let at = &text[d.span.start..d.span.end];
                (d.key.as_str(), d.pointer.as_str(), at)
            })
            .collect();
        assert_eq!(
            got,
            [
                // In the value that the second "/x" replaces.
                ("n", "/p/~1x/n", r#""n""#),
                ("/x", "/p/~1x", r#""/x""#),
                ("k", "/p/~1x/1/k", r#""k""#),
                ("k ", "/p/~1x/1/k ", r#""k ""#),
                ("p", "/p", r#""p""#),
            ]
        );
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
            "]",
        ] {
            let index = JsonSpans::build(text, 0);
            let _ = index.get(text, "/0");
            let _ = index.nearest(text, "/a/b");
            let _ = index.duplicate_keys(text, &[0, 1, 2]);
        }
    }
}
