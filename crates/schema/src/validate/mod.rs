//! The compiled validator: one jsonschema "dispatcher" per spec, with one slot per (schema
//! location, view), so schemas that reference each other are compiled once.
//!
//! The dispatcher is `{"properties": {"<slot key>": {"$ref": "<doc uri>#<pointer>"}, …}}`
//! over a registry holding every document. Validating slot `k` means validating the envelope
//! `{"k": instance}`; the envelope is virtual (see [`envelope`]), so the instance is never
//! copied. Per-slot validators were measured at 18 GB on an 8 MB spec: every jsonschema
//! validator compiles its whole `$ref` closure and nothing is shared between validators.
//!
//! Draft 2020-12 is forced for the dispatcher and every registered document, and the OAS
//! dialect URIs (`$schema`, `jsonSchemaDialect`) are registered as plain 2020-12 meta-schemas,
//! so nothing is ever fetched. Formats are asserted; unknown ones are ignored.
//!
//! jsonschema's types never leave this module: its minor versions break the API often.

mod envelope;

use crate::pointer;
use crate::view::{self, View};
use envelope::{EnvNode, Enveloped};
use jsonschema::{Draft, Registry, ValidationError};
use serde_json::{Map, Value, json};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

/// Instances nested deeper than this are rejected without running jsonschema, whose
/// validation recurses with the instance and would overflow a 2 MB (tokio worker) stack near
/// 4,000 levels. serde_json's parser stops at 128 levels, so parsed JSON never hits this.
pub const MAX_INSTANCE_DEPTH: usize = 200;

/// [`Validator::validate_limited`] stops counting violations past this many.
pub const MAX_COUNTED: usize = 10_000;

/// Documents (and inline schemas) nested deeper than this are not compiled: validation also
/// recurses along the schema, and ~512 schema levels is far beyond any real spec.
pub const MAX_DOCUMENT_DEPTH: usize = 1024;

/// Compilation recurses along schemas too; it runs on a thread with this much stack (only
/// touched pages are committed) so the build is not bounded by the caller's thread.
const BUILD_STACK_BYTES: usize = 64 << 20;

/// Base URI of the dispatcher schema; errors located under it come from inline slots.
const DISPATCH_URI: &str = "mockgen-dispatch:///";

/// Scheme of the internal URIs under which request and response views of documents are
/// registered; distinct from any document URI the caller can choose in practice.
const VIEW_SCHEME: &str = "mockgen-view:///";

/// OAS dialect meta-schema URIs that 3.1/3.2 documents name in `$schema`/`jsonSchemaDialect`.
/// They are registered as plain 2020-12 dialects so nothing is fetched and nothing fails.
const OAS_DIALECTS: &[&str] = &[
    "https://spec.openapis.org/oas/3.1/dialect/base",
    "https://spec.openapis.org/oas/3.1/dialect/2024-10-25",
    "https://spec.openapis.org/oas/3.1/dialect/2024-11-10",
    "https://spec.openapis.org/oas/3.2/dialect/base",
    "https://spec.openapis.org/oas/3.2/dialect/2025-09-17",
];

/// Handle of one schema entry point in a [`Validator`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SlotId(pub u32);

/// One reason an instance does not match a slot's schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// RFC 6901 pointer within the instance; `""` is the instance itself.
    pub instance_pointer: String,
    /// Pointer inside the document where the failing keyword lives (for inline slots, inside
    /// the inline schema). Empty when the failure is not tied to a keyword.
    pub schema_pointer: String,
    /// The failing keyword, e.g. `type`, `required`, `minLength`.
    pub keyword: String,
    pub message: String,
}

/// Why [`ValidatorBuilder::build`] produced no validator at all. Problems with individual
/// schemas never cause this: they are reported by [`Validator::broken_slots`].
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("cannot start the schema compiler thread: {0}")]
    Thread(#[from] std::io::Error),
    #[error("the schema compiler thread panicked")]
    Panicked,
}

/// Collects documents and slots, then compiles them into one [`Validator`].
#[derive(Debug, Default)]
pub struct ValidatorBuilder {
    documents: Vec<(String, Arc<Value>)>,
    by_uri: HashMap<String, usize>,
    slots: Vec<Target>,
    dedupe: HashMap<(String, String, View), SlotId>,
}

#[derive(Debug)]
enum Target {
    Document {
        uri: String,
        pointer: String,
        view: View,
    },
    Inline(Value),
}

impl ValidatorBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Register a whole document (already normalised to 2020-12) under an absolute URI such
    /// as `mockgen:///doc/0`. Its internal refs (`#/components/schemas/X`) resolve against it;
    /// refs to other documents must use their absolute URIs. Accepts a `Value` or an
    /// `Arc<Value>` (shared, not copied). Registering a URI again replaces the document.
    pub fn add_document(&mut self, uri: &str, doc: impl Into<Arc<Value>>) {
        let uri = normalize_uri(uri).to_owned();
        match self.by_uri.get(&uri) {
            Some(&index) => self.documents[index].1 = doc.into(),
            None => {
                self.by_uri.insert(uri.clone(), self.documents.len());
                self.documents.push((uri, doc.into()));
            }
        }
    }

    /// The schema at `<uri>#<pointer>` seen through `view`. `pointer` is a JSON pointer
    /// (`/components/schemas/Pet`, `""` for the root; a leading `#` is accepted). The same
    /// (uri, pointer, view) gives the same slot.
    pub fn slot(&mut self, uri: &str, pointer: &str, view: View) -> SlotId {
        let uri = normalize_uri(uri).to_owned();
        let pointer = pointer.strip_prefix('#').unwrap_or(pointer).to_owned();
        let key = (uri, pointer, view);
        if let Some(&id) = self.dedupe.get(&key) {
            return id;
        }
        let id = self.next_id();
        let (uri, pointer, view) = key.clone();
        self.slots.push(Target::Document { uri, pointer, view });
        self.dedupe.insert(key, id);
        id
    }

    /// A slot for a schema that lives in no document (e.g. synthesised for parameters). It
    /// may reference registered documents by absolute URI; every call makes a new slot.
    pub fn inline_slot(&mut self, schema: Value) -> SlotId {
        let id = self.next_id();
        self.slots.push(Target::Inline(schema));
        id
    }

    fn next_id(&self) -> SlotId {
        // More than 4 billion slots cannot fit in memory anyway.
        SlotId(u32::try_from(self.slots.len()).unwrap_or(u32::MAX))
    }

    /// Compile every slot into one validator. A slot whose schema cannot be compiled (an
    /// unresolvable `$ref`, an invalid `pattern`, …) is excluded and listed in
    /// [`Validator::broken_slots`]; the other slots are unaffected.
    ///
    /// Runs on its own thread with a large stack; call it off the async runtime.
    pub fn build(self) -> Result<Validator, BuildError> {
        std::thread::scope(|scope| {
            let handle = std::thread::Builder::new()
                .name("mockgen-schema-build".to_owned())
                .stack_size(BUILD_STACK_BYTES)
                .spawn_scoped(scope, move || self.build_here())?;
            handle.join().map_err(|_| BuildError::Panicked)
        })
    }

    fn build_here(self) -> Validator {
        let slot_count = self.slots.len();
        let mut broken: Vec<(SlotId, String)> = Vec::new();

        // Documents too deep to compile safely are left out; slots into them are broken.
        let mut unusable: HashMap<usize, String> = HashMap::new();
        for (index, (_, doc)) in self.documents.iter().enumerate() {
            if pointer::depth_exceeds(doc, MAX_DOCUMENT_DEPTH) {
                unusable.insert(
                    index,
                    format!("document nesting exceeds {MAX_DOCUMENT_DEPTH} levels"),
                );
            }
        }

        let views = Views::build(&self.documents, &unusable, &self.slots);

        // Every resource the dispatcher can reach.
        let mut resources: Vec<(String, Arc<Value>)> = Vec::new();
        for (index, (uri, doc)) in self.documents.iter().enumerate() {
            if !unusable.contains_key(&index) {
                resources.push((uri.clone(), Arc::clone(doc)));
            }
        }
        for ((index, view), doc) in &views.copies {
            resources.push((view_uri(*index, *view), Arc::clone(doc)));
        }
        for (index, (_, doc)) in self.documents.iter().enumerate() {
            if !unusable.contains_key(&index) {
                resources.extend(
                    embedded_resources(doc).filter(|(uri, _)| !self.by_uri.contains_key(uri)),
                );
            }
        }
        let registry = prepare_registry(resources, &mut unusable, &self.by_uri);

        // The dispatcher entry of each slot that passes the cheap checks.
        let mut entries: Vec<(usize, Value)> = Vec::new();
        for (index, target) in self.slots.into_iter().enumerate() {
            let id = SlotId(u32::try_from(index).unwrap_or(u32::MAX));
            match entry_for(target, &self.documents, &self.by_uri, &unusable, &views) {
                Ok(entry) => entries.push((index, entry)),
                Err(message) => broken.push((id, message)),
            }
        }

        let compiler = Compiler {
            registry: registry.as_ref(),
        };
        let (compiled, failed) = compiler.compile_isolating(entries.iter().collect());
        let failed_set: HashSet<usize> = failed.iter().map(|(i, _)| *i).collect();
        broken.extend(
            failed
                .into_iter()
                .map(|(i, message)| (SlotId(u32::try_from(i).unwrap_or(u32::MAX)), message)),
        );
        broken.sort_by_key(|(id, _)| *id);

        let mut keys: Vec<Option<Box<str>>> = vec![None; slot_count];
        for (index, _) in &entries {
            if !failed_set.contains(index) && compiled.is_some() {
                keys[*index] = Some(index.to_string().into_boxed_str());
            }
        }
        Validator {
            compiled,
            keys,
            broken,
            hidden: views.hidden,
        }
    }
}

/// A trailing empty fragment (`uri#`) names the same document as `uri`.
fn normalize_uri(uri: &str) -> &str {
    uri.strip_suffix('#').unwrap_or(uri)
}

fn view_uri(document: usize, view: View) -> String {
    let name = match view {
        View::Neutral => "neutral",
        View::Request => "request",
        View::Response => "response",
    };
    format!("{VIEW_SCHEME}{name}/{document}")
}

/// The request/response copies of documents that need one, keyed by (document, view).
struct Views {
    copies: HashMap<(usize, View), Arc<Value>>,
    /// `<view doc uri>#<pointer>` (not percent-encoded) of every `not` a view added, with the
    /// property it hides, to explain the violations it causes.
    hidden: HashMap<String, (View, String)>,
}

impl Views {
    fn build(
        documents: &[(String, Arc<Value>)],
        unusable: &HashMap<usize, String>,
        slots: &[Target],
    ) -> Views {
        let mut views = Views {
            copies: HashMap::new(),
            hidden: HashMap::new(),
        };
        let wanted = [View::Request, View::Response]
            .into_iter()
            .filter(|wanted| {
                slots
                    .iter()
                    .any(|t| matches!(t, Target::Document { view, .. } if view == wanted))
            });
        let by_uri: HashMap<&str, usize> = documents
            .iter()
            .enumerate()
            .map(|(i, (uri, _))| (uri.as_str(), i))
            .collect();
        for view in wanted {
            let mut copies: HashMap<usize, Value> = HashMap::new();
            for (index, (_, doc)) in documents.iter().enumerate() {
                if unusable.contains_key(&index) {
                    continue;
                }
                let resolve = |reference: &str| resolve_ref(documents, &by_uri, doc, reference);
                if let Some(viewed) = view::document_view(doc, view, &resolve) {
                    let uri = view_uri(index, view);
                    for (at, name) in viewed.hidden {
                        views.hidden.insert(format!("{uri}#{at}"), (view, name));
                    }
                    copies.insert(index, viewed.doc);
                }
            }
            if copies.is_empty() {
                continue;
            }
            // A document referring to a viewed document by absolute URI needs a copy too, so
            // its refs can lead into the view rather than the neutral document.
            if documents.len() > 1 {
                let outgoing: Vec<HashSet<usize>> = documents
                    .iter()
                    .enumerate()
                    .map(|(i, (_, doc))| external_targets(doc, &by_uri, i))
                    .collect();
                loop {
                    let more: Vec<usize> = (0..documents.len())
                        .filter(|i| !copies.contains_key(i) && !unusable.contains_key(i))
                        .filter(|i| outgoing[*i].iter().any(|t| copies.contains_key(t)))
                        .collect();
                    if more.is_empty() {
                        break;
                    }
                    for i in more {
                        copies.insert(i, documents[i].1.as_ref().clone());
                    }
                }
                let viewed: HashMap<&str, String> = copies
                    .keys()
                    .map(|&i| (documents[i].0.as_str(), view_uri(i, view)))
                    .collect();
                for copy in copies.values_mut() {
                    redirect_refs(copy, &viewed);
                }
            }
            for (index, copy) in copies {
                views.copies.insert((index, view), Arc::new(copy));
            }
        }
        views
    }
}

/// Resolve a `$ref` found in `doc` for the view computation: local pointers and absolute
/// `<registered uri>#<pointer>` references.
fn resolve_ref<'a>(
    documents: &'a [(String, Arc<Value>)],
    by_uri: &HashMap<&str, usize>,
    doc: &'a Value,
    reference: &str,
) -> Option<&'a Value> {
    if reference.starts_with('#') {
        return view::resolve_local(doc, reference);
    }
    let (uri, fragment) = reference.split_once('#').unwrap_or((reference, ""));
    let target = &documents[*by_uri.get(uri)?].1;
    pointer::resolve_fragment(target, fragment)
}

/// Every `$ref` string in `value`, without recursion.
fn for_each_ref(value: &mut Value, f: &mut dyn FnMut(&mut String)) {
    let mut stack = vec![value];
    while let Some(node) = stack.pop() {
        match node {
            Value::Object(map) => {
                for (key, child) in map.iter_mut() {
                    match child {
                        Value::String(reference) if key == "$ref" => f(reference),
                        Value::Object(_) | Value::Array(_) => stack.push(child),
                        _ => {}
                    }
                }
            }
            Value::Array(items) => stack.extend(items.iter_mut()),
            _ => {}
        }
    }
}

/// Indices of the other registered documents `doc` refers to by absolute URI.
fn external_targets(doc: &Value, by_uri: &HashMap<&str, usize>, own: usize) -> HashSet<usize> {
    let mut targets = HashSet::new();
    let mut stack = vec![doc];
    while let Some(node) = stack.pop() {
        match node {
            Value::Object(map) => {
                for (key, child) in map {
                    if let (true, Value::String(reference)) = (key == "$ref", child) {
                        let uri = reference
                            .split_once('#')
                            .map_or(reference.as_str(), |(u, _)| u);
                        if let Some(&i) = by_uri.get(uri)
                            && i != own
                        {
                            targets.insert(i);
                        }
                    } else if child.is_object() || child.is_array() {
                        stack.push(child);
                    }
                }
            }
            Value::Array(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    targets
}

/// Point absolute refs to documents that have a view copy at that copy instead.
fn redirect_refs(copy: &mut Value, viewed: &HashMap<&str, String>) {
    for_each_ref(copy, &mut |reference| {
        let (uri, fragment) = reference
            .split_once('#')
            .unwrap_or((reference.as_str(), ""));
        if let Some(view) = viewed.get(uri) {
            *reference = format!("{view}#{fragment}");
        }
    });
}

/// Schemas with an absolute `$id` inside a document, as resources of their own.
///
/// jsonschema finds embedded resources by walking JSON Schema keywords from the document
/// root, and an OpenAPI document's root is not a schema, so a component's `$id` would be
/// unknown: `$ref`s to it fail, and `$ref`s inside it resolve against a base the registry
/// lacks. Only the outermost `$id`s are taken; the registry indexes nested ones itself.
/// These resources are the neutral schemas: a `$ref` by `$id` does not see views.
fn embedded_resources(doc: &Value) -> impl Iterator<Item = (String, Arc<Value>)> {
    let mut found = Vec::new();
    let mut stack: Vec<(&Value, bool)> = vec![(doc, true)];
    while let Some((node, is_root)) = stack.pop() {
        match node {
            Value::Object(map) => {
                if let (false, Some(Value::String(id))) = (is_root, map.get("$id"))
                    && id.contains(':')
                {
                    found.push((normalize_uri(id).to_owned(), Arc::new(node.clone())));
                    continue;
                }
                for (key, child) in map {
                    let data = matches!(
                        key.as_str(),
                        "enum" | "const" | "default" | "example" | "examples"
                    );
                    if !data && (child.is_object() || child.is_array()) {
                        stack.push((child, false));
                    }
                }
            }
            Value::Array(items) => stack.extend(items.iter().map(|item| (item, false))),
            _ => {}
        }
    }
    found.into_iter()
}

/// The innermost schema with an absolute `$id` on the way to `pointer`, as (`$id`, pointer
/// below it). jsonschema resolves a `$ref` inside such a schema against the document rather
/// than the `$id` when it is entered through a document pointer, so slots below an `$id` are
/// entered through the `$id` resource instead (see [`embedded_resources`]).
fn innermost_id(doc: &Value, pointer: &str) -> Option<(String, String)> {
    let mut node = doc;
    let mut found = None;
    let tokens: Vec<&str> = pointer.split('/').skip(1).collect();
    for (depth, token) in tokens.iter().enumerate() {
        let token = token.replace("~1", "/").replace("~0", "~");
        node = match node {
            Value::Object(map) => map.get(&token)?,
            Value::Array(items) => items.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
        if let Some(Value::String(id)) = node.get("$id")
            && id.contains(':')
        {
            let rest: String = tokens[depth + 1..]
                .iter()
                .map(|t| format!("/{t}"))
                .collect();
            found = Some((normalize_uri(id).to_owned(), rest));
        }
    }
    found
}

/// A registry with every usable resource and the OAS dialects. A document the registry
/// rejects (e.g. an unknown `$schema` at its root) is moved to `unusable` and the rest are
/// registered without it.
fn prepare_registry(
    resources: Vec<(String, Arc<Value>)>,
    unusable: &mut HashMap<usize, String>,
    by_uri: &HashMap<String, usize>,
) -> Option<Registry<'static>> {
    let attempt = |resources: &[(String, Arc<Value>)]| {
        let pairs = resources
            .iter()
            .map(|(uri, doc)| (uri.clone(), Arc::clone(doc)))
            .chain(
                OAS_DIALECTS
                    .iter()
                    .map(|uri| ((*uri).to_owned(), Arc::new(dialect_meta_schema(uri)))),
            );
        catch_unwind(AssertUnwindSafe(|| {
            Registry::new()
                .draft(Draft::Draft202012)
                .extend(pairs)
                .and_then(|builder| builder.prepare())
                .map_err(|e| e.to_string())
        }))
        .unwrap_or_else(|_| Err("the schema registry panicked".to_owned()))
    };
    if let Ok(registry) = attempt(&resources) {
        return Some(registry);
    }
    let mut good = Vec::new();
    for resource in resources {
        match attempt(std::slice::from_ref(&resource)) {
            Ok(_) => good.push(resource),
            Err(message) => {
                // View copies fail exactly like their document, which is reported already.
                if let Some(&index) = by_uri.get(&resource.0) {
                    unusable.insert(index, message);
                }
            }
        }
    }
    attempt(&good).ok()
}

/// A minimal stand-in for an OAS dialect meta-schema: 2020-12 with the OAS base vocabulary
/// (whose keywords are annotations for validation) left out.
fn dialect_meta_schema(uri: &str) -> Value {
    json!({
        "$id": uri,
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$dynamicAnchor": "meta",
        "$vocabulary": {
            "https://json-schema.org/draft/2020-12/vocab/core": true,
            "https://json-schema.org/draft/2020-12/vocab/applicator": true,
            "https://json-schema.org/draft/2020-12/vocab/unevaluated": true,
            "https://json-schema.org/draft/2020-12/vocab/validation": true,
            "https://json-schema.org/draft/2020-12/vocab/meta-data": true,
            "https://json-schema.org/draft/2020-12/vocab/format-annotation": true,
            "https://json-schema.org/draft/2020-12/vocab/content": true
        },
        "allOf": [{"$ref": "https://json-schema.org/draft/2020-12/schema"}]
    })
}

/// The dispatcher entry for one slot, or why it is broken before compiling anything.
fn entry_for(
    target: Target,
    documents: &[(String, Arc<Value>)],
    by_uri: &HashMap<String, usize>,
    unusable: &HashMap<usize, String>,
    views: &Views,
) -> Result<Value, String> {
    match target {
        Target::Inline(schema) => {
            if pointer::depth_exceeds(&schema, MAX_DOCUMENT_DEPTH) {
                return Err(format!(
                    "schema nesting exceeds {MAX_DOCUMENT_DEPTH} levels"
                ));
            }
            Ok(schema)
        }
        Target::Document { uri, pointer, view } => {
            let index = *by_uri
                .get(&uri)
                .ok_or_else(|| format!("no document registered as `{uri}`"))?;
            if let Some(message) = unusable.get(&index) {
                return Err(message.clone());
            }
            let (base, doc) = match views.copies.get(&(index, view)) {
                Some(copy) => (view_uri(index, view), copy),
                None => (uri.clone(), &documents[index].1),
            };
            match doc.pointer(&pointer) {
                Some(Value::Object(_) | Value::Bool(_)) => {}
                Some(_) => return Err(format!("`{uri}#{pointer}` is not a schema")),
                None => return Err(format!("nothing at `{uri}#{pointer}`")),
            }
            let (base, pointer) = match innermost_id(&documents[index].1, &pointer) {
                Some((id, rest)) => (id, rest),
                None => (base, pointer),
            };
            Ok(json!({ "$ref": format!("{base}#{}", pointer::to_fragment(&pointer)) }))
        }
    }
}

type Compiled = jsonschema::Validator<Enveloped>;

struct Compiler<'r> {
    registry: Option<&'r Registry<'static>>,
}

impl Compiler<'_> {
    /// Compile the dispatcher for `entries`. A failure anywhere fails the whole dispatcher
    /// and jsonschema does not say which entry caused it, so a failing group is bisected down
    /// to the entries that fail alone; everything else is compiled together.
    fn compile_isolating(
        &self,
        entries: Vec<&(usize, Value)>,
    ) -> (Option<Compiled>, Vec<(usize, String)>) {
        let mut failed = Vec::new();
        let mut good = entries;
        // The union of groups that compiled on their own compiles too; the bound only guards
        // against a jsonschema surprise.
        for _ in 0..3 {
            match self.compile(&good) {
                Ok(compiled) => return (Some(compiled), failed),
                Err(message) => good = self.isolate(good, message, &mut failed),
            }
        }
        let message = "the schema could not be compiled together with the others".to_owned();
        failed.extend(good.iter().map(|(i, _)| (*i, message.clone())));
        (None, failed)
    }

    /// Split `group`, known to fail with `message`, until each failing entry is alone (and
    /// recorded in `failed`); return the entries that compiled.
    fn isolate<'e>(
        &self,
        mut group: Vec<&'e (usize, Value)>,
        message: String,
        failed: &mut Vec<(usize, String)>,
    ) -> Vec<&'e (usize, Value)> {
        if group.len() <= 1 {
            failed.extend(group.iter().map(|(i, _)| (*i, message.clone())));
            return Vec::new();
        }
        let right = group.split_off(group.len() / 2);
        let mut good = Vec::new();
        for half in [group, right] {
            match self.compile(&half) {
                Ok(_) => good.extend(half),
                Err(message) => good.extend(self.isolate(half, message, failed)),
            }
        }
        good
    }

    fn compile(&self, entries: &[&(usize, Value)]) -> Result<Compiled, String> {
        let mut properties = Map::new();
        for (index, entry) in entries {
            properties.insert(index.to_string(), entry.clone());
        }
        let root = json!({ "properties": properties });
        let mut options = jsonschema::options_for::<Enveloped>()
            .with_draft(Draft::Draft202012)
            .with_base_uri(DISPATCH_URI)
            .offline()
            .should_validate_formats(true)
            .should_ignore_unknown_formats(true)
            .with_format("byte", is_base64)
            .with_format("binary", |_: &str| true)
            .with_format("password", |_: &str| true);
        if let Some(registry) = self.registry {
            options = options.with_registry(registry);
        }
        // A jsonschema panic on odd input must cost one slot, not the process.
        catch_unwind(AssertUnwindSafe(|| options.build(&root)))
            .map_err(|_| "the schema compiler panicked on this schema".to_owned())?
            .map_err(|e| e.to_string())
    }
}

/// `format: byte`: base64 (RFC 4648). Lenient on purpose: padding may be omitted and the
/// URL-safe alphabet is accepted, since producers disagree on both.
fn is_base64(text: &str) -> bool {
    let body = text.trim_end_matches('=');
    let padding = text.len() - body.len();
    let alphabet = body
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_'));
    let length = if padding > 0 {
        padding <= 2 && text.len().is_multiple_of(4)
    } else {
        body.len() % 4 != 1
    };
    alphabet && length
}

/// The compiled schemas of one spec. Cheap to share: `Send + Sync`, no interior locking.
pub struct Validator {
    compiled: Option<Compiled>,
    /// Envelope key per slot; `None` for broken slots.
    keys: Vec<Option<Box<str>>>,
    broken: Vec<(SlotId, String)>,
    /// Absolute locations of the `not` keywords views added (with the property each hides),
    /// to explain their violations.
    hidden: HashMap<String, (View, String)>,
}

impl fmt::Debug for Validator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Validator")
            .field("slots", &self.keys.len())
            .field("broken", &self.broken)
            .finish_non_exhaustive()
    }
}

impl Validator {
    /// Whether `instance` matches the slot's schema. Broken and unknown slots accept
    /// everything: their problem is reported once, by [`Validator::broken_slots`].
    pub fn is_valid(&self, slot: SlotId, instance: &Value) -> bool {
        let Some((compiled, key)) = self.entry(slot) else {
            return true;
        };
        if pointer::depth_exceeds(instance, MAX_INSTANCE_DEPTH) {
            return false;
        }
        compiled.is_valid(EnvNode::Envelope { key, instance })
    }

    /// Every violation of the slot's schema by `instance` (empty when valid). Broken and
    /// unknown slots accept everything.
    pub fn validate(&self, slot: SlotId, instance: &Value) -> Vec<Violation> {
        let Some((compiled, key)) = self.entry(slot) else {
            return Vec::new();
        };
        if pointer::depth_exceeds(instance, MAX_INSTANCE_DEPTH) {
            return vec![Violation {
                instance_pointer: String::new(),
                schema_pointer: String::new(),
                keyword: "nesting".to_owned(),
                message: format!("instance nesting exceeds {MAX_INSTANCE_DEPTH} levels"),
            }];
        }
        compiled
            .iter_errors(EnvNode::Envelope { key, instance })
            .map(|error| self.violation(&error, key))
            .collect()
    }

    /// Like [`Validator::validate`], but converts at most `max` violations (each costs a
    /// formatted message) and only counts the rest, up to [`MAX_COUNTED`]: `(first max
    /// violations, how many more)`. Bounds the cost of a hostile instance with millions of
    /// violations.
    pub fn validate_limited(
        &self,
        slot: SlotId,
        instance: &Value,
        max: usize,
    ) -> (Vec<Violation>, usize) {
        let Some((compiled, key)) = self.entry(slot) else {
            return (Vec::new(), 0);
        };
        if pointer::depth_exceeds(instance, MAX_INSTANCE_DEPTH) {
            return (self.validate(slot, instance), 0);
        }
        let mut errors = compiled.iter_errors(EnvNode::Envelope { key, instance });
        let first = errors
            .by_ref()
            .take(max)
            .map(|error| self.violation(&error, key))
            .collect();
        (first, errors.take(MAX_COUNTED).count())
    }

    /// The view (and hidden property) behind the `not` an error comes from, if a view added it.
    fn hidden_by_view(
        &self,
        error: &ValidationError<'_>,
        location: &str,
    ) -> Option<&(View, String)> {
        if self.hidden.is_empty() || error.kind().keyword() != "not" {
            return None;
        }
        let (uri, fragment) = location.split_once('#')?;
        let pointer = percent_encoding::percent_decode_str(fragment)
            .decode_utf8()
            .ok()?;
        self.hidden.get(&format!("{uri}#{pointer}"))
    }

    /// Slots excluded because their schema could not be compiled, with the reason, in slot
    /// order.
    pub fn broken_slots(&self) -> &[(SlotId, String)] {
        &self.broken
    }

    fn entry(&self, slot: SlotId) -> Option<(&Compiled, &str)> {
        let key = self.keys.get(usize::try_from(slot.0).ok()?)?.as_deref()?;
        Some((self.compiled.as_ref()?, key))
    }

    fn violation(&self, error: &ValidationError<'_>, key: &str) -> Violation {
        let instance_path = error.instance_path().as_str();
        let instance_pointer = strip_token(instance_path, key).unwrap_or(instance_path);
        let location = error.absolute_keyword_location().map(|uri| uri.as_str());
        let schema_path = error.schema_path().as_str();
        // Errors inside inline slots are located in the dispatcher: drop `/properties/<key>`.
        let schema_pointer = match location {
            Some(location) if location.starts_with(DISPATCH_URI) => {
                strip_token(schema_path, "properties")
                    .and_then(|rest| strip_token(rest, key))
                    .unwrap_or(schema_path)
            }
            _ => schema_path,
        };
        let mut message = if is_small(error.instance()) {
            error.to_string()
        } else {
            // Large values make unreadable messages (and may echo a whole request body).
            error.masked().to_string()
        };
        let mut instance_pointer = instance_pointer.to_owned();
        let mut keyword = error.kind().keyword().to_owned();
        if let Some((view, name)) = location.and_then(|l| self.hidden_by_view(error, l)) {
            let (flag, side) = match view {
                View::Response => ("writeOnly", "response"),
                _ => ("readOnly", "request"),
            };
            message = format!("`{name}` is {flag}: it must not be sent in a {side}");
            instance_pointer = crate::pointer::join(&instance_pointer, name);
            keyword = flag.to_owned();
        }
        Violation {
            instance_pointer,
            schema_pointer: schema_pointer.to_owned(),
            keyword,
            message,
        }
    }
}

/// `path` without its first token if that token is `token`.
fn strip_token<'p>(path: &'p str, token: &str) -> Option<&'p str> {
    let rest = path.strip_prefix('/')?.strip_prefix(token)?;
    (rest.is_empty() || rest.starts_with('/')).then_some(rest)
}

fn is_small(value: &Value) -> bool {
    match value {
        Value::String(s) => s.len() <= 64,
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        _ => true,
    }
}

#[cfg(test)]
mod tests;
