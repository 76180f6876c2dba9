//! The set of documents a spec is made of: the root file plus every local file reached through
//! `$ref`, each parsed with spans. External references are rewritten to absolute in-bundle URIs
//! (`mockgen:///doc/N#/pointer`) so later stages never need to know file names.

use crate::diag::{Diagnostic, Severity};
use mockgen_source::{Document, Span};
use serde_json::Value;

/// Prefix of the URI every bundled document is known by. Document `N` is `mockgen:///doc/N`.
pub const DOC_URI_PREFIX: &str = "mockgen:///doc/";

/// The URI of the `index`-th document of a bundle (the root is 0).
pub fn doc_uri(index: usize) -> String {
    format!("{DOC_URI_PREFIX}{index}")
}

/// Reads the files a spec refers to. The library does no I/O itself: the binary supplies this.
pub trait Resolver {
    /// Fetch `target` (the file part of a `$ref`: a relative path, or an absolute URL when remote
    /// references are allowed) as seen from the file named `base`. Returns the canonical name
    /// (used for display and to load each file once) and the text.
    fn fetch(&self, base: &str, target: &str) -> Result<Fetched, String>;
}

/// A file handed over by a [`Resolver`].
#[derive(Debug)]
pub struct Fetched {
    pub name: String,
    pub text: String,
}

/// A resolver for a single in-memory document: every external reference is unresolvable.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoFiles;

impl Resolver for NoFiles {
    fn fetch(&self, _base: &str, _target: &str) -> Result<Fetched, String> {
        Err("no external files are available to this load".to_owned())
    }
}

/// One loaded file: its name and its parsed document (with spans), or the raw text when it
/// could not be parsed.
#[derive(Debug)]
pub struct SourceFile {
    pub name: String,
    pub document: Option<Document>,
    failed_text: Option<String>,
}

impl SourceFile {
    /// The original text of the file.
    pub fn text(&self) -> &str {
        match (&self.document, &self.failed_text) {
            (Some(doc), _) => doc.text(),
            (None, Some(text)) => text,
            (None, None) => "",
        }
    }
}

/// Maps pointers of a normalised document back to where the node stood in the original
/// text (Swagger 2.0 moves things around; other versions map one to one).
#[derive(Debug, Default, Clone)]
pub struct Origin {
    /// `(new prefix, old prefix)`, longest new prefix wins.
    entries: Vec<(String, String)>,
}

impl Origin {
    pub fn add(&mut self, new_prefix: impl Into<String>, old_prefix: impl Into<String>) {
        self.entries.push((new_prefix.into(), old_prefix.into()));
    }

    /// The original pointer of a node at `pointer` in the normalised document.
    pub fn original(&self, pointer: &str) -> String {
        let mut best: Option<&(String, String)> = None;
        for entry in &self.entries {
            let prefix = entry.0.as_str();
            let matches = pointer == prefix
                || (pointer.starts_with(prefix) && pointer[prefix.len()..].starts_with('/'))
                || prefix.is_empty();
            if matches && best.is_none_or(|b| b.0.len() < prefix.len()) {
                best = Some(entry);
            }
        }
        match best {
            Some((new, old)) => format!("{old}{}", &pointer[new.len()..]),
            None => pointer.to_owned(),
        }
    }
}

/// All documents of one spec, with their working (normalised) values.
#[derive(Debug)]
pub struct Bundle {
    pub files: Vec<SourceFile>,
    /// Working copy of each file's value (normalised in place by later stages). `Null` for a
    /// file that failed to parse.
    pub values: Vec<Value>,
    pub origins: Vec<Origin>,
}

/// A parsed `$ref` string.
#[derive(Debug, PartialEq, Eq)]
pub enum RefTarget<'a> {
    /// `#/pointer` in the same document (fragment still percent-encoded).
    Local(&'a str),
    /// `mockgen:///doc/N#/pointer` after bundling.
    Bundled(usize, &'a str),
    /// `http(s)://…` (not fetched unless allowed).
    Remote(&'a str),
    /// `other.yaml#/pointer` before bundling.
    File(&'a str, &'a str),
}

/// Split a `$ref` value into what it points at.
pub fn parse_ref(reference: &str) -> RefTarget<'_> {
    let (file, fragment) = match reference.split_once('#') {
        Some((f, frag)) => (f, frag),
        None => (reference, ""),
    };
    if file.is_empty() {
        return RefTarget::Local(fragment);
    }
    if let Some(rest) = file.strip_prefix(DOC_URI_PREFIX)
        && let Ok(index) = rest.parse::<usize>()
    {
        return RefTarget::Bundled(index, fragment);
    }
    let lower = file.get(..8).unwrap_or(file).to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return RefTarget::Remote(reference);
    }
    RefTarget::File(file, fragment)
}

/// Percent-decode a fragment into a JSON pointer (`~0`/`~1` stay escaped, as
/// `Value::pointer` expects). `None` when it is not a pointer (e.g. a plain-name anchor).
pub fn fragment_pointer(fragment: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(fragment)
        .decode_utf8()
        .ok()?
        .into_owned();
    if decoded.is_empty() || decoded.starts_with('/') {
        Some(decoded)
    } else {
        None
    }
}

/// Keywords whose *value* is what a finding is about (see [`Bundle::locate`]).
const VALUE_KEYWORDS: &[&str] = &[
    "$ref",
    "in",
    "style",
    "type",
    "url",
    "openapi",
    "swagger",
    "operationId",
    "name",
    "required",
    "collectionFormat",
    "pattern",
    "format",
    "example",
    "value",
    "default",
    "explode",
    "scheme",
    "enum",
    "const",
];

/// How the walker reads the keys of the object it is in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// An OpenAPI or schema object: keys are keywords.
    Keywords,
    /// A map whose keys are names (properties, paths, components…): every value is an object.
    Names,
    /// A map of Example objects: their `value` is data.
    Examples,
    /// An Example object: `value` is data.
    Example,
}

const NAME_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
    "paths",
    "callbacks",
    "webhooks",
    "schemas",
    "parameters",
    "responses",
    "requestBodies",
    "headers",
    "securitySchemes",
    "securityDefinitions",
    "links",
    "content",
    "encoding",
    "variables",
    "pathItems",
    "mapping",
];

/// Visit every `$ref` string in a document that is a reference (not data inside an example,
/// default, enum, const or an `x-` extension). `f` gets the ref string and the pointer of the
/// object holding it.
pub fn for_each_ref(value: &mut Value, f: &mut dyn FnMut(&mut String, &str)) {
    let mut pointer = String::new();
    walk_refs(value, Ctx::Keywords, &mut pointer, f, 0);
}

fn walk_refs(
    value: &mut Value,
    ctx: Ctx,
    pointer: &mut String,
    f: &mut dyn FnMut(&mut String, &str),
    depth: usize,
) {
    // Parsers bound nesting already; this guard keeps a hand-built value from overflowing.
    if depth > 2048 {
        return;
    }
    match value {
        Value::Object(map) => {
            if ctx != Ctx::Names
                && let Some(Value::String(r)) = map.get_mut("$ref")
            {
                f(r, pointer);
            }
            for (key, child) in map.iter_mut() {
                let child_ctx = match ctx {
                    Ctx::Names => Ctx::Keywords,
                    Ctx::Examples => Ctx::Example,
                    Ctx::Keywords | Ctx::Example => {
                        if key == "$ref"
                            || key.starts_with("x-")
                            || matches!(key.as_str(), "example" | "default" | "enum" | "const")
                            || (ctx == Ctx::Example && key == "value")
                        {
                            continue;
                        }
                        if key == "examples" {
                            if child.is_array() {
                                continue;
                            }
                            Ctx::Examples
                        } else if NAME_MAPS.contains(&key.as_str()) && child.is_object() {
                            Ctx::Names
                        } else {
                            Ctx::Keywords
                        }
                    }
                };
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&escape(key));
                walk_refs(child, child_ctx, pointer, f, depth + 1);
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&i.to_string());
                let child_ctx = if ctx == Ctx::Names {
                    Ctx::Keywords
                } else {
                    ctx
                };
                walk_refs(child, child_ctx, pointer, f, depth + 1);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

/// Escape one JSON pointer token.
pub fn escape(token: &str) -> std::borrow::Cow<'_, str> {
    if token.contains(['~', '/']) {
        std::borrow::Cow::Owned(token.replace('~', "~0").replace('/', "~1"))
    } else {
        std::borrow::Cow::Borrowed(token)
    }
}

/// Build a pointer from tokens.
pub fn pointer_of(tokens: &[&str]) -> String {
    let mut out = String::new();
    for t in tokens {
        out.push('/');
        out.push_str(&escape(t));
    }
    out
}

impl Bundle {
    /// Parse the root text and every local file it references, rewriting file references to
    /// bundle URIs. Returns `None` in place of the bundle only when the root cannot be parsed.
    pub fn load(
        name: &str,
        text: String,
        resolver: &dyn Resolver,
        allow_remote: bool,
        diags: &mut Vec<Diagnostic>,
    ) -> Bundle {
        let mut bundle = Bundle {
            files: Vec::new(),
            values: Vec::new(),
            origins: Vec::new(),
        };
        bundle.push_file(name.to_owned(), text, diags);
        let mut next = 0;
        while next < bundle.files.len() {
            let index = next;
            next += 1;
            let mut value = std::mem::take(&mut bundle.values[index]);
            let mut wanted: Vec<(String, String, String)> = Vec::new(); // (file, fragment, at)
            for_each_ref(&mut value, &mut |r, at| {
                if let RefTarget::File(file, fragment) = parse_ref(r) {
                    wanted.push((file.to_owned(), fragment.to_owned(), at.to_owned()));
                } else if let RefTarget::Remote(url) = parse_ref(r)
                    && allow_remote
                {
                    let (file, fragment) = url.split_once('#').unwrap_or((url, ""));
                    wanted.push((file.to_owned(), fragment.to_owned(), at.to_owned()));
                }
            });
            // Load each referenced file once, then rewrite refs to bundle URIs.
            let mut map: Vec<(String, Option<usize>)> = Vec::new();
            for (file, _, at) in &wanted {
                if map.iter().any(|(f, _)| f == file) {
                    continue;
                }
                let base = bundle.files[index].name.clone();
                let target = match resolver.fetch(&base, file) {
                    Ok(fetched) => match bundle.files.iter().position(|f| f.name == fetched.name) {
                        Some(existing) => Some(existing),
                        None => Some(bundle.push_file(fetched.name, fetched.text, diags)),
                    },
                    Err(why) => {
                        let d = bundle.diag_at(
                            Severity::Error,
                            "ref-file-unreadable",
                            index,
                            &format!("{at}/$ref"),
                            format!("`{file}` referenced here cannot be loaded: {why}"),
                        );
                        diags.push(d);
                        None
                    }
                };
                map.push((file.clone(), target));
            }
            if !map.is_empty() {
                for_each_ref(&mut value, &mut |r, _| {
                    let key = match parse_ref(r) {
                        RefTarget::File(file, fragment) => Some((file.to_owned(), fragment)),
                        RefTarget::Remote(url) if allow_remote => {
                            let (file, fragment) = url.split_once('#').unwrap_or((url, ""));
                            Some((file.to_owned(), fragment))
                        }
                        _ => None,
                    };
                    if let Some((file, fragment)) = key
                        && let Some((_, Some(target))) = map.iter().find(|(f, _)| *f == file)
                    {
                        *r = format!("{}#{}", doc_uri(*target), fragment);
                    }
                });
            }
            bundle.values[index] = value;
        }
        bundle
    }

    fn push_file(&mut self, name: String, text: String, diags: &mut Vec<Diagnostic>) -> usize {
        let index = self.files.len();
        match mockgen_source::parse(&text) {
            Ok(mut doc) => {
                let value = std::mem::take(&mut doc.value);
                let extra = doc.extra_documents();
                for w in doc.warnings() {
                    diags.push(Diagnostic {
                        severity: Severity::Warning,
                        code: "duplicate-key",
                        message: w.message.clone(),
                        file: index,
                        pointer: w.pointer.clone(),
                        line: w.line,
                        column: w.column,
                        span: Some(w.span),
                        help: None,
                    });
                }
                self.files.push(SourceFile {
                    name,
                    document: Some(doc),
                    failed_text: None,
                });
                self.values.push(value);
                if extra > 0 {
                    let d = self.diag_at(
                        Severity::Warning,
                        "multiple-documents",
                        index,
                        "",
                        format!(
                            "the file holds {} YAML documents; only the first is read",
                            extra + 1
                        ),
                    );
                    diags.push(d);
                }
            }
            Err(err) => {
                diags.push(Diagnostic {
                    severity: Severity::Error,
                    code: "syntax",
                    message: err.message.clone(),
                    file: index,
                    pointer: String::new(),
                    line: err.line,
                    column: err.column,
                    span: Some(err.span),
                    help: None,
                });
                self.files.push(SourceFile {
                    name,
                    document: None,
                    failed_text: Some(text),
                });
                self.values.push(Value::Null);
            }
        }
        self.origins.push(Origin::default());
        index
    }

    /// Make a diagnostic for the node at `pointer` of the working (normalised) document `file`.
    pub fn diag_at(
        &self,
        severity: Severity,
        code: &'static str,
        file: usize,
        pointer: &str,
        message: String,
    ) -> Diagnostic {
        let original = self
            .origins
            .get(file)
            .map_or_else(|| pointer.to_owned(), |o| o.original(pointer));
        let (span, line, column) = self.locate(file, &original);
        Diagnostic {
            severity,
            code,
            message,
            file,
            pointer: original,
            line,
            column,
            span,
            help: None,
        }
    }

    /// Span, line and column of an original pointer in a file (nearest existing ancestor).
    ///
    /// A finding about a whole entry (a path, an operation, a response, an unknown field…)
    /// points at the entry's key; one about a scalar keyword (`$ref`, `in`, `style`, an
    /// example…) or an array element points at the value.
    pub fn locate(&self, file: usize, original: &str) -> (Option<Span>, usize, usize) {
        match self.files.get(file).and_then(|f| f.document.as_ref()) {
            Some(doc) => {
                let last = original.rsplit('/').next().unwrap_or_default();
                // Array elements have no key span and fall back to the value.
                // So are the values of a Swagger 2.0 `examples` map (media type → example).
                let parent = original.rsplit('/').nth(1).unwrap_or_default();
                let at_value =
                    original.is_empty() || VALUE_KEYWORDS.contains(&last) || parent == "examples";
                let span = if at_value {
                    doc.nearest_span(original)
                } else {
                    doc.key_span(original)
                        .unwrap_or_else(|| doc.nearest_span(original))
                };
                let loc = doc.location(span.start);
                (Some(span), loc.line, loc.column)
            }
            None => (None, 0, 0),
        }
    }

    /// Resolve a `$ref` found in document `from`: the document index, the pointer (escaped,
    /// percent-decoded) and the value. `None` when it does not resolve.
    pub fn resolve(&self, from: usize, reference: &str) -> Option<(usize, String, &Value)> {
        let (doc, fragment) = match parse_ref(reference) {
            RefTarget::Local(fragment) => (from, fragment),
            RefTarget::Bundled(doc, fragment) => (doc, fragment),
            RefTarget::Remote(_) | RefTarget::File(..) => return None,
        };
        let pointer = fragment_pointer(fragment)?;
        let value = self.values.get(doc)?.pointer(&pointer)?;
        Some((doc, pointer, value))
    }

    /// Follow `$ref` chains from `(doc, pointer)` to the object that holds no `$ref` (structural
    /// objects: parameters, responses…).
    pub fn deref<'a>(&'a self, doc: usize, pointer: &str) -> Option<(usize, String, &'a Value)> {
        self.deref_checked(doc, pointer).ok()
    }

    /// [`Bundle::deref`], telling a cycle (`Err(true)`) from a missing target (`Err(false)`,
    /// reported elsewhere).
    pub fn deref_checked<'a>(
        &'a self,
        doc: usize,
        pointer: &str,
    ) -> Result<(usize, String, &'a Value), bool> {
        let mut here = (doc, pointer.to_owned());
        let mut visited: Vec<(usize, String)> = Vec::new();
        loop {
            let value = self
                .values
                .get(here.0)
                .and_then(|v| v.pointer(&here.1))
                .ok_or(false)?;
            match value.get("$ref").and_then(Value::as_str) {
                Some(r) => {
                    if visited.contains(&here) || visited.len() > 64 {
                        return Err(true);
                    }
                    visited.push(here.clone());
                    let (d, p, _) = self.resolve(here.0, r).ok_or(false)?;
                    here = (d, p);
                }
                None => return Ok((here.0, here.1, value)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_refs() {
        assert_eq!(parse_ref("#/a/b"), RefTarget::Local("/a/b"));
        assert_eq!(
            parse_ref("mockgen:///doc/3#/x"),
            RefTarget::Bundled(3, "/x")
        );
        assert_eq!(
            parse_ref("common.yaml#/Pet"),
            RefTarget::File("common.yaml", "/Pet")
        );
        assert_eq!(parse_ref("common.yaml"), RefTarget::File("common.yaml", ""));
        assert_eq!(
            parse_ref("HTTPS://example.com/a.json#/x"),
            RefTarget::Remote("HTTPS://example.com/a.json#/x")
        );
    }

    #[test]
    fn fragment_is_percent_decoded_but_tilde_escapes_stay() {
        assert_eq!(
            fragment_pointer("/paths/~1pets~1%7Bid%7D").as_deref(),
            Some("/paths/~1pets~1{id}")
        );
        assert_eq!(fragment_pointer("anchor"), None);
        assert_eq!(fragment_pointer("").as_deref(), Some(""));
    }

    #[test]
    fn origin_maps_longest_prefix() {
        let mut o = Origin::default();
        o.add("/components/schemas", "/definitions");
        o.add("/components", "/x");
        assert_eq!(
            o.original("/components/schemas/Pet/type"),
            "/definitions/Pet/type"
        );
        assert_eq!(o.original("/components/schemasX"), "/x/schemasX");
        assert_eq!(o.original("/paths"), "/paths");
    }

    #[test]
    fn refs_in_examples_are_data() {
        let mut v = serde_json::json!({
            "a": {"$ref": "#/x"},
            "example": {"$ref": "#/not"},
            "examples": {"e": {"$ref": "#/components/examples/e"}, "f": {"value": {"$ref": "#/no"}}},
            "properties": {"example": {"$ref": "#/yes"}},
            "x-foo": {"$ref": "#/no"}
        });
        let mut seen = Vec::new();
        for_each_ref(&mut v, &mut |r, at| seen.push(format!("{at} {r}")));
        assert_eq!(
            seen,
            vec![
                "/a #/x",
                "/examples/e #/components/examples/e",
                "/properties/example #/yes"
            ]
        );
    }
}
