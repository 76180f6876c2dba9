//! YAML documents: saphyr-parser events → `serde_json::Value`, recording every node's span on
//! the way (merge keys, aliases, key stringification and the safety limits live here).
//!
//! We consume the parser's event stream ourselves instead of saphyr's `MarkedYaml` loader:
//! `Parser::load` recurses once per nesting level (a stack overflow on `[[[[…`), the loader
//! compares keys by YAML value (`200` and `"200"` differ there but collide in JSON), and its
//! alias budget does not look into mapping keys. Driving `Parser::next_event` (an explicit state
//! machine) lets us stop at the first problem with a precise location.
//!
//! saphyr is stricter than libyaml in one way real specs trip over: see [`Repairs`].

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr::Scalar;
use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Tag};
use serde_json::{Map, Number, Value};

use crate::pointer::{escape_token, push_token};
use crate::position::{CharOffsets, Span, char_span};
use crate::{NodeSpans, SpanMap, SyntaxError};

/// Deepest nesting of sequences/mappings accepted; the same limit serde_json applies to JSON,
/// so code walking a `Value` recursively can rely on it for both formats.
pub const MAX_DEPTH: usize = 128;

/// Nodes that aliases may add to the document. Literal nodes are bounded by the text size, but
/// each alias copies its anchor, so nested anchors grow exponentially ("billion laughs").
pub const MAX_ALIAS_NODES: usize = 1_000_000;

pub(crate) struct Parsed {
    pub(crate) value: Value,
    pub(crate) spans: SpanMap,
    pub(crate) extra_documents: usize,
}

pub(crate) fn parse(text: &str) -> Result<Parsed, SyntaxError> {
    let mut repairs = Repairs::default();
    loop {
        let repaired = repairs.apply(text);
        match parse_text(&repaired) {
            Ok(mut parsed) => {
                if !repairs.is_empty() {
                    for spans in parsed.spans.values_mut() {
                        spans.value = repairs.original_span(spans.value);
                        spans.key = spans.key.map(|key| repairs.original_span(key));
                    }
                }
                return Ok(parsed);
            }
            Err(failure) => {
                let budget_left = (repairs.count + 1).saturating_mul(text.len()) <= REPAIR_BUDGET;
                if failure.message == QUOTED_INDENT_ERROR && budget_left {
                    let fixes = quoted_scalar_fixes(&repaired, failure.span.start);
                    if !fixes.is_empty() {
                        repairs.add(&fixes);
                        continue;
                    }
                }
                let span = repairs.original_span(failure.span);
                return Err(SyntaxError::new(text, span, failure.message));
            }
        }
    }
}

/// An error located in the text given to the builder (see [`Repairs`]).
struct Failure {
    span: Span,
    message: String,
}

fn parse_text(text: &str) -> Result<Parsed, Failure> {
    let mut builder = Builder::new(text);
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| builder.scan_error(&e))?;
        let span = builder.byte_span(span);
        builder.on_event(event, span)?;
    }
    Ok(builder.finish())
}

struct Builder<'t> {
    text: &'t str,
    chars: CharOffsets<'t>,
    stack: Vec<Frame>,
    /// Pointer of the node being built.
    ptr: String,
    /// Spans in completion order (children before their parent). A Vec rather than a map so
    /// that the entries of a subtree are a contiguous tail, which anchors and merges rely on.
    spans: Vec<(String, NodeSpans)>,
    anchors: HashMap<usize, Anchor>,
    alias_nodes: usize,
    root: Option<Value>,
    documents: usize,
    /// The first document is complete: the rest of the stream is only checked for syntax.
    first_done: bool,
}

/// A completed anchored node, kept to be copied wherever an alias names it.
struct Anchor {
    value: Value,
    depth: usize,
    nodes: usize,
    /// Spans of the subtree, pointers relative to the anchored node.
    spans: Vec<(String, NodeSpans)>,
}

/// A sequence or mapping whose end event has not arrived yet.
struct Frame {
    anchor: usize,
    start: usize,
    /// Length of `ptr` while it addresses this node.
    ptr_len: usize,
    /// Span of this node's key when it is a mapping value.
    key: Option<Span>,
    spans_start: usize,
    /// End of the furthest child: block collections end where their last child ends (the
    /// parser's end event sits on the next token, possibly after blank and comment lines).
    last_end: usize,
    /// Nesting depth of the deepest child (0 for scalars).
    child_depth: usize,
    nodes: usize,
    kind: Kind,
}

enum Kind {
    Sequence(Vec<Value>),
    Mapping(MappingState),
}

struct MappingState {
    /// Explicit entries, in document order.
    map: Map<String, Value>,
    /// Key waiting for its value.
    key: Option<Key>,
    merge: Option<Merge>,
}

struct Key {
    name: String,
    span: Span,
    /// A plain `<<`: its value is merged into the mapping instead of being an entry.
    is_merge: bool,
}

/// The value of a `<<` entry, applied when the mapping ends (explicit keys may follow it).
struct Merge {
    /// Number of explicit entries before `<<`: merged keys are placed there.
    position: usize,
    value: Value,
    /// Spans of the `<<` value, pointers relative to it.
    spans: Vec<(String, NodeSpans)>,
}

/// A completed node on its way into its parent.
struct Built {
    value: Value,
    span: Span,
    depth: usize,
    nodes: usize,
    spans_start: usize,
}

impl<'t> Builder<'t> {
    fn new(text: &'t str) -> Self {
        Self {
            text,
            chars: CharOffsets::new(text),
            stack: Vec::new(),
            ptr: String::new(),
            spans: Vec::new(),
            anchors: HashMap::new(),
            alias_nodes: 0,
            root: None,
            documents: 0,
            first_done: false,
        }
    }

    fn byte_span(&self, span: saphyr_parser::Span) -> Span {
        let start = self.chars.byte(span.start.index());
        let end = self.chars.byte(span.end.index()).max(start);
        Span::new(start, end)
    }

    fn scan_error(&self, err: &ScanError) -> Failure {
        let offset = self.chars.byte(err.marker().index());
        let offset = offending_tab(self.text, err.info(), offset).unwrap_or(offset);
        let span = char_span(self.text, offset);
        Failure {
            span,
            message: err.info().to_owned(),
        }
    }

    fn error(&self, span: Span, message: impl Into<String>) -> Failure {
        Failure {
            span,
            message: message.into(),
        }
    }

    fn finish(self) -> Parsed {
        let mut spans: SpanMap = HashMap::with_capacity(self.spans.len() + 1);
        spans.extend(self.spans);
        // An empty stream has no root node; give the root a span all the same.
        spans.entry(String::new()).or_insert(NodeSpans {
            value: Span::new(0, 0),
            key: None,
        });
        Parsed {
            value: self.root.unwrap_or(Value::Null),
            spans,
            extra_documents: self.documents.saturating_sub(1),
        }
    }

    fn on_event(&mut self, event: Event<'_>, span: Span) -> Result<(), Failure> {
        if self.first_done {
            if matches!(event, Event::DocumentStart(_)) {
                self.documents += 1;
            }
            return Ok(());
        }
        match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
            Event::DocumentStart(_) => self.documents += 1,
            Event::DocumentEnd => self.first_done = true,
            Event::Scalar(text, style, anchor, tag) => {
                self.scalar(&text, style, anchor, tag.as_deref(), span)?;
            }
            Event::SequenceStart(anchor, _) => {
                self.start(anchor, span, Kind::Sequence(Vec::new()))?;
            }
            Event::MappingStart(anchor, _) => {
                let state = MappingState {
                    map: Map::new(),
                    key: None,
                    merge: None,
                };
                self.start(anchor, span, Kind::Mapping(state))?;
            }
            Event::SequenceEnd | Event::MappingEnd => self.end(span)?,
            Event::Alias(id) => self.alias(id, span)?,
        }
        Ok(())
    }

    /// Whether the next node is a mapping key.
    fn expecting_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                kind: Kind::Mapping(MappingState { key: None, .. }),
                ..
            })
        )
    }

    fn current_key_span(&self) -> Option<Span> {
        match self.stack.last() {
            Some(Frame {
                kind: Kind::Mapping(state),
                ..
            }) => state.key.as_ref().map(|k| k.span),
            _ => None,
        }
    }

    /// Point `ptr` at the node about to be built (a sequence item or a mapping value).
    fn begin_child(&mut self) {
        let Some(frame) = self.stack.last() else {
            self.ptr.clear();
            return;
        };
        self.ptr.truncate(frame.ptr_len);
        match &frame.kind {
            Kind::Sequence(items) => push_token(&mut self.ptr, &items.len().to_string()),
            Kind::Mapping(state) => {
                if let Some(key) = &state.key {
                    push_token(&mut self.ptr, &key.name);
                }
            }
        }
    }

    fn scalar(
        &mut self,
        text: &str,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        span: Span,
    ) -> Result<(), Failure> {
        let span = if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
            // The parser's span of a block scalar runs over the trailing blank lines.
            let kept = self.text[span.start..span.end].trim_end().len();
            Span::new(span.start, span.start + kept)
        } else {
            span
        };
        if self.expecting_key() {
            if anchor > 0 {
                let value = self.resolve_scalar(text, style, tag, span)?;
                self.register_scalar_anchor(anchor, value, span);
            }
            return self.set_key(
                key_name(text, style, tag),
                span,
                is_merge_key(text, style, tag),
            );
        }
        let value = self.resolve_scalar(text, style, tag, span)?;
        self.begin_child();
        let spans_start = self.spans.len();
        let key = self.current_key_span();
        self.spans
            .push((self.ptr.clone(), NodeSpans { value: span, key }));
        if anchor > 0 {
            self.register_scalar_anchor(anchor, value.clone(), span);
        }
        self.attach(Built {
            value,
            span,
            depth: 0,
            nodes: 1,
            spans_start,
        })
    }

    fn register_scalar_anchor(&mut self, id: usize, value: Value, span: Span) {
        let spans = vec![(
            String::new(),
            NodeSpans {
                value: span,
                key: None,
            },
        )];
        let anchor = Anchor {
            value,
            depth: 0,
            nodes: 1,
            spans,
        };
        self.anchors.insert(id, anchor);
    }

    /// YAML 1.2 core schema, as saphyr resolves it, plus what JSON needs.
    fn resolve_scalar(
        &self,
        text: &str,
        style: ScalarStyle,
        tag: Option<&Tag>,
        span: Span,
    ) -> Result<Value, Failure> {
        let tag_cow = tag.map(Cow::Borrowed);
        let value = match Scalar::parse_from_cow_and_metadata(text.into(), style, tag_cow.as_ref())
        {
            Some(Scalar::Null) => Value::Null,
            Some(Scalar::Boolean(b)) => Value::Bool(b),
            Some(Scalar::Integer(i)) => Value::from(i),
            Some(Scalar::FloatingPoint(f)) => {
                let explicit_float =
                    tag.is_some_and(|t| t.is_yaml_core_schema() && t.suffix == "float");
                float_value(text, f.0, !explicit_float)
            }
            Some(Scalar::String(s)) => Value::String(s.into_owned()),
            // saphyr gives up on a core-schema tag it does not know (`!!binary`,
            // `!!timestamp`, ...) or whose value does not fit (`!!int abc`).
            None => match tag {
                Some(tag) if matches!(tag.suffix.as_str(), "int" | "float" | "bool" | "null") => {
                    // `!!int 18446744073709551615` is fine for us even if not for an i64.
                    match text.parse::<u64>() {
                        Ok(n) if tag.suffix == "int" || tag.suffix == "float" => Value::from(n),
                        _ => {
                            let message = format!("`{text}` is not a valid !!{} value", tag.suffix);
                            return Err(self.error(span, message));
                        }
                    }
                }
                _ => Value::String(text.to_owned()),
            },
        };
        Ok(value)
    }

    fn set_key(&mut self, name: String, span: Span, is_merge: bool) -> Result<(), Failure> {
        let Some(Frame {
            kind: Kind::Mapping(state),
            ..
        }) = self.stack.last_mut()
        else {
            return Ok(());
        };
        let duplicate = if is_merge {
            state.merge.is_some()
        } else {
            state.map.contains_key(&name)
        };
        if duplicate {
            return Err(self.error(span, format!("duplicate key `{name}`")));
        }
        state.key = Some(Key {
            name,
            span,
            is_merge,
        });
        Ok(())
    }

    fn start(&mut self, anchor: usize, span: Span, kind: Kind) -> Result<(), Failure> {
        if self.expecting_key() {
            return Err(self.error(span, "complex mapping keys are not supported"));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.error(span, format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        self.begin_child();
        let key = self.current_key_span();
        self.stack.push(Frame {
            anchor,
            start: span.start,
            ptr_len: self.ptr.len(),
            key,
            spans_start: self.spans.len(),
            last_end: span.end,
            child_depth: 0,
            nodes: 1,
            kind,
        });
        Ok(())
    }

    fn end(&mut self, span: Span) -> Result<(), Failure> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        // Flow collections end with their `]`/`}` token; block ones have an empty end event.
        let end = if span.is_empty() {
            frame.last_end
        } else {
            span.end
        };
        let node_span = Span::new(frame.start, end.max(frame.start));
        self.ptr.truncate(frame.ptr_len);
        let value = match frame.kind {
            Kind::Sequence(items) => Value::Array(items),
            Kind::Mapping(state) => Value::Object(self.finish_mapping(state)),
        };
        let depth = frame.child_depth + 1;
        self.spans.push((
            self.ptr.clone(),
            NodeSpans {
                value: node_span,
                key: frame.key,
            },
        ));
        if frame.anchor > 0 {
            let spans = self.relative_spans(frame.spans_start);
            let anchor = Anchor {
                value: value.clone(),
                depth,
                nodes: frame.nodes,
                spans,
            };
            self.anchors.insert(frame.anchor, anchor);
        }
        self.attach(Built {
            value,
            span: node_span,
            depth,
            nodes: frame.nodes,
            spans_start: frame.spans_start,
        })
    }

    /// Copies of `spans[start..]`, with pointers made relative to `ptr`; the subtree root's
    /// key is dropped (it belongs to wherever the copy goes).
    fn relative_spans(&self, start: usize) -> Vec<(String, NodeSpans)> {
        let prefix = self.ptr.len();
        self.spans[start..]
            .iter()
            .map(|(ptr, spans)| {
                let rel = ptr.get(prefix..).unwrap_or_default().to_owned();
                let key = if rel.is_empty() { None } else { spans.key };
                (rel, NodeSpans { key, ..*spans })
            })
            .collect()
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<(), Failure> {
        let Some(anchor) = self.anchors.get(&id) else {
            // The parser knows the name, so the anchored node is still open: `&a [*a]`.
            return Err(self.error(
                span,
                "alias refers to its own enclosing anchor (recursive alias)",
            ));
        };
        if self.expecting_key() {
            let name = match &anchor.value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Null => "null".to_owned(),
                Value::Array(_) | Value::Object(_) => {
                    return Err(self.error(span, "complex mapping keys are not supported"));
                }
            };
            return self.set_key(name, span, false);
        }
        let (depth, nodes) = (anchor.depth, anchor.nodes);
        self.alias_nodes = self.alias_nodes.saturating_add(nodes);
        if self.alias_nodes > MAX_ALIAS_NODES {
            let message = format!(
                "document expands to more than {MAX_ALIAS_NODES} nodes through aliases \
                 (possible \"billion laughs\" attack)"
            );
            return Err(self.error(span, message));
        }
        if self.stack.len() + depth > MAX_DEPTH {
            return Err(self.error(span, format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        self.begin_child();
        let key = self.current_key_span();
        let spans_start = self.spans.len();
        let Some(anchor) = self.anchors.get(&id) else {
            return Ok(());
        };
        for (rel, spans) in &anchor.spans {
            if rel.is_empty() {
                // The aliased node itself is where the alias is written; its children keep
                // pointing into the anchor, which is where a user would fix them.
                self.spans
                    .push((self.ptr.clone(), NodeSpans { value: span, key }));
            } else {
                self.spans.push((format!("{}{rel}", self.ptr), *spans));
            }
        }
        let value = anchor.value.clone();
        self.attach(Built {
            value,
            span,
            depth,
            nodes,
            spans_start,
        })
    }

    /// Put a completed node into its parent (or make it the document root).
    fn attach(&mut self, built: Built) -> Result<(), Failure> {
        let Some(frame) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(built.value);
            }
            return Ok(());
        };
        frame.last_end = frame.last_end.max(built.span.end);
        frame.child_depth = frame.child_depth.max(built.depth);
        frame.nodes = frame.nodes.saturating_add(built.nodes);
        match &mut frame.kind {
            Kind::Sequence(items) => items.push(built.value),
            Kind::Mapping(state) => {
                let Some(key) = state.key.take() else {
                    return Ok(());
                };
                if !key.is_merge {
                    state.map.insert(key.name, built.value);
                    return Ok(());
                }
                let mergeable = match &built.value {
                    Value::Object(_) => true,
                    Value::Array(items) => items.iter().all(Value::is_object),
                    _ => false,
                };
                if !mergeable {
                    let message = "the merge key `<<` needs a mapping or a list of mappings";
                    return Err(Failure {
                        span: built.span,
                        message: message.to_owned(),
                    });
                }
                // The `<<` value's own spans leave the map: its entries reappear under the
                // mapping itself when it ends (see `finish_mapping`).
                let prefix = self.ptr.len();
                let spans = self
                    .spans
                    .drain(built.spans_start..)
                    .map(|(ptr, spans)| (ptr.get(prefix..).unwrap_or_default().to_owned(), spans))
                    .collect();
                state.merge = Some(Merge {
                    position: state.map.len(),
                    value: built.value,
                    spans,
                });
            }
        }
        Ok(())
    }

    /// Apply a `<<` merge: explicit keys win over merged ones and earlier sources over later
    /// ones; merged entries take the place of the `<<` entry. `self.ptr` addresses the mapping.
    fn finish_mapping(&mut self, state: MappingState) -> Map<String, Value> {
        let Some(merge) = state.merge else {
            return state.map;
        };
        let explicit = state.map;
        let from_list = merge.value.is_array();
        let sources: Vec<Map<String, Value>> = match merge.value {
            Value::Object(map) => vec![map],
            Value::Array(items) => items
                .into_iter()
                .filter_map(|item| match item {
                    Value::Object(map) => Some(map),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let mut merged = Map::new();
        // Escaped key → index of the source that supplied it, to pick the matching spans.
        let mut winner: HashMap<String, usize> = HashMap::new();
        for (index, source) in sources.into_iter().enumerate() {
            for (key, value) in source {
                if !explicit.contains_key(&key) && !merged.contains_key(&key) {
                    winner.insert(escape_token(&key), index);
                    merged.insert(key, value);
                }
            }
        }
        for (rel, spans) in merge.spans {
            // `rel` is "/key/..." for a single mapping, "/index/key/..." for a list.
            let (index, rest) = if from_list {
                let body = rel.get(1..).unwrap_or_default();
                let (index, rest) = body.split_at(body.find('/').unwrap_or(body.len()));
                (index.parse::<usize>().ok(), rest)
            } else {
                (Some(0), rel.as_str())
            };
            let Some(body) = rest.strip_prefix('/') else {
                continue; // the source mapping itself
            };
            let token = body.split('/').next().unwrap_or_default();
            if index.is_some() && winner.get(token).copied() == index {
                self.spans.push((format!("{}{rest}", self.ptr), spans));
            }
        }
        let mut out = Map::with_capacity(explicit.len() + merged.len());
        let mut merged = Some(merged);
        for (position, (key, value)) in explicit.into_iter().enumerate() {
            if position == merge.position {
                out.extend(merged.take().unwrap_or_default());
            }
            out.insert(key, value);
        }
        out.extend(merged.unwrap_or_default());
        out
    }
}

/// For saphyr's errors about a tab, the offset of that tab when the error's marker is elsewhere.
///
/// A tab used as block indentation is reported after the white space that follows it (at the
/// content of the line), a tab starting block scalar content at the `|`/`>` indicator, and a
/// tab indenting a plain scalar's continuation line at the start of the scalar. Other tab
/// errors already point at the tab.
fn offending_tab(text: &str, message: &str, marker: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let first_tab_of_indentation = |line_start: usize| {
        let indent = bytes
            .get(line_start..)?
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
        let tab = bytes[line_start..line_start + indent]
            .iter()
            .position(|&b| b == b'\t')?;
        Some((line_start + tab, line_start + indent))
    };
    match message {
        "tabs disallowed within this context (block indentation)" => {
            // The marker follows the line's white space, which contains the tab.
            let line_start = text.get(..marker)?.rfind('\n').map_or(0, |i| i + 1);
            let (tab, _) = first_tab_of_indentation(line_start)?;
            (tab < marker).then_some(tab)
        }
        "a block scalar content cannot start with a tab" => {
            // The marker is on the indicator; the tab starts the next line.
            let next_line = marker + text.get(marker..)?.find('\n')? + 1;
            (bytes.get(next_line) == Some(&b'\t')).then_some(next_line)
        }
        "while scanning a plain scalar, found a tab" => {
            // The first continuation line with a tab in its indentation and content after it.
            let mut line_start = marker + text.get(marker..)?.find('\n')? + 1;
            loop {
                if let Some((tab, content)) = first_tab_of_indentation(line_start)
                    && !matches!(bytes.get(content), None | Some(b'\n' | b'\r' | b'#'))
                {
                    return Some(tab);
                }
                line_start += text.get(line_start..)?.find('\n')? + 1;
            }
        }
        _ => None,
    }
}

/// The JSON key for a scalar key: the text as written (`200`, `1.10`, `True` keep their
/// spelling, which is what a user searching the spec expects), except that a null key
/// (`null`, `~`, or nothing) is `"null"`.
fn key_name(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> String {
    let null = style == ScalarStyle::Plain
        && tag.is_none()
        && matches!(text, "" | "~" | "null" | "Null" | "NULL");
    if null {
        "null".to_owned()
    } else {
        text.to_owned()
    }
}

fn is_merge_key(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> bool {
    style == ScalarStyle::Plain && tag.is_none() && text == "<<"
}

/// JSON for a YAML float. saphyr falls back to `f64` for integers outside `i64`: re-read those
/// from the text so that `u64` values stay exact (unless `!!float` asked for a float).
/// Infinities and NaN (`.inf`, `.nan`, `1e999`) have no JSON representation, so they become
/// the string as written rather than an error: an OpenAPI document has no legitimate use for
/// them and a schema check will report the unexpected string with its location.
fn float_value(text: &str, float: f64, integer_ok: bool) -> Value {
    let digits = text.strip_prefix('+').unwrap_or(text);
    let all_digits = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    if integer_ok
        && all_digits
        && let Ok(n) = digits.parse::<u64>()
    {
        return Value::from(n);
    }
    match Number::from_f64(float) {
        Some(n) => Value::Number(n),
        None => Value::String(text.to_owned()),
    }
}

/// saphyr's message for a quoted scalar whose continuation line is not indented more than the
/// enclosing block, which YAML 1.2 forbids but libyaml, PyYAML and Go's yaml accept (and real
/// specs rely on, e.g. Docker's). If saphyr rewords it, repairs just stop happening.
const QUOTED_INDENT_ERROR: &str = "invalid indentation in quoted scalar";

/// Each repair re-parses the whole text: repairs stop once this many bytes would have been
/// parsed again (a few dozen repairs for a typical spec, a handful for a 10 MB one), after
/// which saphyr's error is reported as is. Real specs need few: Docker's needs one.
const REPAIR_BUDGET: usize = 64 << 20;

/// Spaces inserted at the start of lines so that saphyr accepts what libyaml accepts.
///
/// Leading white space of a quoted scalar's continuation lines is discarded by line folding,
/// so indenting those lines never changes a value. Spans found in the repaired text are mapped
/// back to the original one.
#[derive(Default)]
struct Repairs {
    /// (original byte offset, spaces inserted there), sorted by offset.
    inserts: Vec<(usize, usize)>,
    /// Offset in the repaired text of each insertion, for binary searches.
    repaired_at: Vec<usize>,
    count: usize,
}

impl Repairs {
    fn is_empty(&self) -> bool {
        self.inserts.is_empty()
    }

    fn apply<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if self.inserts.is_empty() {
            return Cow::Borrowed(text);
        }
        let extra: usize = self.inserts.iter().map(|&(_, n)| n).sum();
        let mut out = String::with_capacity(text.len() + extra);
        let mut copied = 0;
        for &(at, n) in &self.inserts {
            out.push_str(&text[copied..at]);
            out.extend(std::iter::repeat_n(' ', n));
            copied = at;
        }
        out.push_str(&text[copied..]);
        Cow::Owned(out)
    }

    /// Add insertions given as (offset in the currently repaired text, spaces).
    fn add(&mut self, fixes: &[(usize, usize)]) {
        let fixes: Vec<(usize, usize)> = fixes
            .iter()
            .map(|&(at, n)| (self.original(at), n))
            .collect();
        for (at, n) in fixes {
            match self.inserts.binary_search_by_key(&at, |&(o, _)| o) {
                Ok(i) => self.inserts[i].1 += n,
                Err(i) => self.inserts.insert(i, (at, n)),
            }
        }
        let mut shift = 0;
        self.repaired_at.clear();
        for &(at, n) in &self.inserts {
            self.repaired_at.push(at + shift);
            shift += n;
        }
        self.count += 1;
    }

    /// Original offset of an offset in the repaired text (inserted spaces map to the place
    /// they were inserted at).
    fn original(&self, repaired: usize) -> usize {
        let before = self.repaired_at.partition_point(|&at| at <= repaired);
        let Some(last) = before.checked_sub(1) else {
            return repaired;
        };
        let (at, n) = self.inserts[last];
        let inserted_end = self.repaired_at[last] + n;
        if repaired < inserted_end {
            at
        } else {
            // Past insertion `last`, the shift is everything inserted up to and including it.
            repaired - (inserted_end - at)
        }
    }

    fn original_span(&self, span: Span) -> Span {
        if self.inserts.is_empty() {
            return span;
        }
        Span::new(self.original(span.start), self.original(span.end))
    }
}

/// For the quoted scalar starting at byte `start`, the insertions (offset, spaces) that indent
/// its continuation lines one column past its opening quote.
fn quoted_scalar_fixes(text: &str, start: usize) -> Vec<(usize, usize)> {
    let Some(quote) = text.get(start..).and_then(|rest| rest.chars().next()) else {
        return Vec::new();
    };
    if quote != '"' && quote != '\'' {
        return Vec::new();
    }
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let needed = text[line_start..start].chars().count() + 1;
    let mut fixes = Vec::new();
    let mut chars = text[start + 1..].char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if quote == '"' => {
                chars.next();
            }
            '\'' if quote == '\'' && chars.peek().is_some_and(|&(_, next)| next == '\'') => {
                chars.next();
            }
            c if c == quote => break,
            '\n' => {
                let at = start + 1 + i + 1;
                let indent = text[at..].bytes().take_while(|&b| b == b' ').count();
                if indent < needed {
                    fixes.push((at, needed - indent));
                }
            }
            _ => {}
        }
    }
    fixes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_map_offsets_back() {
        let mut repairs = Repairs::default();
        repairs.add(&[(2, 3), (5, 1)]);
        // Original "abcdefg" becomes "ab   cde fg".
        assert_eq!(repairs.apply("abcdefg"), "ab   cde fg");
        let original: Vec<usize> = (0..=11).map(|i| repairs.original(i)).collect();
        assert_eq!(original, [0, 1, 2, 2, 2, 2, 3, 4, 5, 5, 6, 7]);
        // Later fixes are given in repaired coordinates.
        repairs.add(&[(10, 2), (2, 1)]);
        assert_eq!(repairs.apply("abcdefg"), "ab    cde f  g");
        assert_eq!(repairs.original(13), 6);
        assert_eq!(repairs.original(14), 7);
    }
}
