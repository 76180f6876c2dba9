//! Loading an OpenAPI document (Swagger 2.0, OpenAPI 3.0, 3.1 or 3.2, JSON or YAML, spread over
//! local files) into one normalised, 3.1-shaped [`Spec`] whose schemas are JSON Schema 2020-12,
//! plus [`Diagnostic`]s located at file, line and column. The crate does no I/O: the caller
//! hands over the root text and a [`Resolver`] for the files it references.
//!
//! Loading never panics and never gives up early: it returns the model it could build together
//! with everything it found wrong. Only a document that cannot be interpreted at all (a syntax
//! error, no OpenAPI version, not a mapping) yields no model.

pub mod build;
pub mod bundle;
pub mod check;
pub mod diag;
pub mod model;
mod oneof;
pub mod swagger2;

pub use bundle::{Bundle, Fetched, NoFiles, Resolver, SourceFile, doc_uri};
pub use diag::{Diagnostic, Severity};
pub use model::*;

use bundle::{RefTarget, for_each_ref, fragment_pointer, parse_ref};
use mockgen_schema::dialect::{self, Dialect};
use serde_json::Value;
use std::collections::HashSet;

/// Knobs for [`load`].
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Hand `http(s)://` references to the resolver instead of reporting them.
    pub allow_remote_refs: bool,
}

/// What [`load`] produced: the model when one could be built, every diagnostic, and the files
/// (with their text and spans) the diagnostics point into.
#[derive(Debug)]
pub struct Loaded {
    pub spec: Option<Spec>,
    pub diagnostics: Vec<Diagnostic>,
    pub bundle: Bundle,
    /// Locations of every schema translated to 2020-12 (roots of schema trees).
    pub schema_roots: Vec<Loc>,
}

impl Loaded {
    pub fn files(&self) -> &[SourceFile] {
        &self.bundle.files
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Load a spec from its root text.
pub fn load(name: &str, text: String, resolver: &dyn Resolver, options: &LoadOptions) -> Loaded {
    let mut diags = Vec::new();
    let mut bundle = Bundle::load(name, text, resolver, options.allow_remote_refs, &mut diags);
    let mut schema_roots = Vec::new();
    let spec = (|| {
        let version = detect_version(&bundle, &mut diags)?;
        report_remote_refs(&mut bundle, options, &mut diags);
        if version == SpecVersion::Swagger20 {
            upgrade_swagger2(&mut bundle, &mut diags);
        }
        let dialect = match version {
            SpecVersion::Swagger20 => Dialect::Swagger20,
            SpecVersion::OpenApi30 => Dialect::Oas30,
            SpecVersion::OpenApi31 | SpecVersion::OpenApi32 => Dialect::Oas31,
        };
        let (roots, moved) = translate_schemas(&mut bundle, dialect, &mut diags);
        schema_roots = roots;
        relocate_refs(&mut bundle, &moved);
        if dialect != Dialect::Oas31 {
            drop_contradicting_ref_types(&mut bundle, &schema_roots, &mut diags);
        }
        check_refs(&mut bundle, &mut diags);
        oneof::check(&bundle, &schema_roots, &mut diags);
        let mut spec = build::Builder::new(&bundle, version, &mut diags).build();
        spec.documents = std::mem::take(&mut bundle.values)
            .into_iter()
            .map(std::sync::Arc::new)
            .collect();
        Some(spec)
    })();
    crate::diag::sort(&mut diags);
    // The same node can be reached twice (a schema under two media types, a shared
    // parameter): say each thing once.
    let mut seen = HashSet::new();
    diags.retain(|d| seen.insert((d.file, d.pointer.clone(), d.code, d.message.clone())));
    Loaded {
        spec,
        diagnostics: diags,
        bundle,
        schema_roots,
    }
}

fn detect_version(bundle: &Bundle, diags: &mut Vec<Diagnostic>) -> Option<SpecVersion> {
    let root = bundle.values.first()?;
    // A root that did not parse has its syntax error reported already.
    bundle.files.first()?.document.as_ref()?;
    let not_openapi = |diags: &mut Vec<Diagnostic>, at: &str, msg: String| {
        diags.push(bundle.diag_at(Severity::Error, "not-openapi", 0, at, msg));
        None
    };
    let Some(map) = root.as_object() else {
        let what = match root {
            Value::Null => "empty",
            Value::Array(_) => "a list",
            _ => "a single value",
        };
        return not_openapi(
            diags,
            "",
            format!(
                "the document is {what}; an OpenAPI document is a mapping with an `openapi` or `swagger` field"
            ),
        );
    };
    let version_value = map.get("openapi").or_else(|| map.get("swagger"));
    let key = if map.contains_key("openapi") {
        "openapi"
    } else {
        "swagger"
    };
    let text = match version_value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => {
            diags.push(bundle.diag_at(
                Severity::Warning,
                "version-not-string",
                0,
                &format!("/{key}"),
                if is_yaml(bundle) {
                    format!(
                        "`{key}: {n}` should be a string (`\"{n}\"`): YAML reads it as a number"
                    )
                } else {
                    format!("`\"{key}\": {n}` should be a string (`\"{n}\"`)")
                },
            ));
            let s = n.to_string();
            if s == "3" { "3.0".to_owned() } else { s }
        }
        Some(_) => {
            return not_openapi(
                diags,
                &format!("/{key}"),
                format!("`{key}` must be a version string like \"3.1.0\""),
            );
        }
        None => {
            if map.contains_key("paths") {
                diags.push(bundle.diag_at(
                    Severity::Warning,
                    "version-missing",
                    0,
                    "",
                    "no `openapi` field; read as OpenAPI 3.0".to_owned(),
                ));
                return Some(SpecVersion::OpenApi30);
            }
            return not_openapi(
                diags,
                "",
                "no `openapi` or `swagger` field: this is not an OpenAPI document".to_owned(),
            );
        }
    };
    let version = if key == "swagger" {
        if text == "2.0" || text == "2" {
            SpecVersion::Swagger20
        } else {
            return not_openapi(
                diags,
                "/swagger",
                format!("`swagger: {text}` is not supported; only Swagger 2.0 is"),
            );
        }
    } else if text.starts_with("3.0") {
        SpecVersion::OpenApi30
    } else if text.starts_with("3.1") {
        SpecVersion::OpenApi31
    } else if text.starts_with("3.2") {
        SpecVersion::OpenApi32
    } else if text.starts_with("3.") {
        diags.push(bundle.diag_at(
            Severity::Warning,
            "version-unknown",
            0,
            "/openapi",
            format!("OpenAPI {text} is newer than mockgen knows; read as 3.2"),
        ));
        SpecVersion::OpenApi32
    } else if text.starts_with('2') {
        return not_openapi(
            diags,
            "/openapi",
            format!("`openapi: {text}`: Swagger 2.0 documents use `swagger: \"2.0\"`"),
        );
    } else {
        return not_openapi(
            diags,
            "/openapi",
            format!("OpenAPI version `{text}` is not supported (2.0, 3.0, 3.1 and 3.2 are)"),
        );
    };
    Some(version)
}

fn is_yaml(bundle: &Bundle) -> bool {
    bundle
        .files
        .first()
        .and_then(|f| f.document.as_ref())
        .is_some_and(|d| d.format == mockgen_source::Format::Yaml)
}

fn report_remote_refs(bundle: &mut Bundle, options: &LoadOptions, diags: &mut Vec<Diagnostic>) {
    if options.allow_remote_refs {
        return;
    }
    for doc in 0..bundle.values.len() {
        let mut found = Vec::new();
        for_each_ref(&mut bundle.values[doc], &mut |r, at| {
            if let RefTarget::Remote(url) = parse_ref(r) {
                found.push((url.to_owned(), at.to_owned()));
            }
        });
        for (url, at) in found {
            let mut d = bundle.diag_at(
                Severity::Error,
                "ref-remote",
                doc,
                &format!("{at}/$ref"),
                format!("remote reference `{url}` is not fetched: mockgen does not use the network at run time"),
            );
            d.help = Some("download the file next to the spec and refer to it by relative path, or pass --allow-remote-refs".to_owned());
            diags.push(d);
        }
    }
}

fn upgrade_swagger2(bundle: &mut Bundle, diags: &mut Vec<Diagnostic>) {
    let up = swagger2::upgrade(&bundle.values[0]);
    // Refs from other files into the root move with the nodes they point at.
    let old_root = std::mem::replace(&mut bundle.values[0], up.value);
    bundle.origins[0] = up.origin;
    for doc in 1..bundle.values.len() {
        for_each_ref(&mut bundle.values[doc], &mut |r, _| {
            if let RefTarget::Bundled(0, fragment) = parse_ref(r)
                && let Some(ptr) = fragment_pointer(fragment)
            {
                *r = format!("{}#{}", doc_uri(0), swagger2::relocate(&ptr, &old_root));
            }
        });
    }
    for (at, message) in up.notes {
        let (span, line, column) = bundle.locate(0, &at);
        diags.push(Diagnostic {
            severity: Severity::Warning,
            code: "swagger2-conversion",
            message,
            file: 0,
            pointer: at,
            line,
            column,
            span,
            help: None,
        });
    }
}

/// Translate every schema of the bundle to JSON Schema 2020-12 once. Returns the schema roots
/// and the subtrees the translation moved (`from` → `to`), whose incoming refs must follow.
fn translate_schemas(
    bundle: &mut Bundle,
    dialect: Dialect,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Loc>, Vec<(Loc, Loc)>) {
    let mut moved = Vec::new();
    let mut queue: Vec<Loc> = Vec::new();
    for doc in 0..bundle.values.len() {
        find_schema_roots(
            &bundle.values[doc],
            doc,
            &mut String::new(),
            false,
            &mut queue,
            0,
        );
    }
    let mut seen: HashSet<Loc> = HashSet::new();
    let mut roots = Vec::new();
    while let Some(loc) = queue.pop() {
        if !seen.insert(loc.clone()) {
            continue;
        }
        let Some(schema) = bundle
            .values
            .get_mut(loc.doc)
            .and_then(|v| v.pointer_mut(&loc.pointer))
        else {
            continue; // unresolved refs are reported by check_refs
        };
        let mut notes = Vec::new();
        let mut targets = Vec::new();
        let here = loc.doc;
        dialect::to_2020_12(
            schema,
            dialect,
            &mut |r: &mut String| {
                let target = match parse_ref(r) {
                    RefTarget::Local(f) => fragment_pointer(f).map(|p| (here, p)),
                    RefTarget::Bundled(d, f) => fragment_pointer(f).map(|p| (d, p)),
                    _ => None,
                };
                if let Some((d, p)) = target {
                    targets.push(Loc::new(d, p));
                }
            },
            &mut notes,
        );
        for note in notes {
            if let Some((from, to)) = &note.moved {
                moved.push((
                    Loc::new(loc.doc, format!("{}{from}", loc.pointer)),
                    Loc::new(loc.doc, format!("{}{to}", loc.pointer)),
                ));
            }
            diags.push(bundle.diag_at(
                Severity::Warning,
                "schema-translation",
                loc.doc,
                &format!("{}{}", loc.pointer, note.pointer),
                note.message,
            ));
        }
        // A ref into a schema that is itself inside a translated root needs no second pass.
        for t in targets {
            if !seen.contains(&t) {
                queue.push(t);
            }
        }
        roots.push(loc);
    }
    roots.sort_by(|a, b| (a.doc, &a.pointer).cmp(&(b.doc, &b.pointer)));
    (roots, moved)
}

/// The `type` set of a schema (following `$ref`s), `None` when unconstrained.
fn type_set(bundle: &Bundle, doc: usize, schema: &Value, hops: usize) -> Option<Vec<String>> {
    if hops > 16 {
        return None;
    }
    let map = schema.as_object()?;
    if let Some(t) = map.get("type") {
        let mut set: Vec<String> = match t {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => return None,
        };
        // An integer is a number.
        if set.iter().any(|t| t == "number") {
            set.push("integer".to_owned());
        }
        return Some(set);
    }
    let r = map.get("$ref").and_then(Value::as_str)?;
    let (d, _, target) = bundle.resolve(doc, r)?;
    type_set(bundle, d, target, hops + 1)
}

/// Visit every schema object under `roots` (document, JSON pointer, the object), through the
/// subschema keywords of the dialect (`$ref`s are not followed: each root is visited on its
/// own). Nesting deeper than 256 is not entered.
pub(crate) fn walk_schemas<'a>(
    bundle: &'a Bundle,
    roots: &[Loc],
    mut visit: impl FnMut(usize, &str, &'a serde_json::Map<String, Value>),
) {
    for root in roots {
        let Some(schema) = bundle
            .values
            .get(root.doc)
            .and_then(|v| v.pointer(&root.pointer))
        else {
            continue;
        };
        let mut stack = vec![(schema, root.pointer.clone(), 0usize)];
        while let Some((node, ptr, depth)) = stack.pop() {
            let Some(map) = node.as_object() else {
                continue;
            };
            if depth > 256 {
                continue;
            }
            visit(root.doc, &ptr, map);
            for (key, child) in map {
                let k = key.as_str();
                if dialect::SCHEMA_SINGLES.contains(&k) {
                    match child {
                        // Draft 4 tuple `items: [...]`.
                        Value::Array(items) => {
                            for (i, c) in items.iter().enumerate() {
                                stack.push((c, format!("{ptr}/{k}/{i}"), depth + 1));
                            }
                        }
                        _ => stack.push((child, format!("{ptr}/{k}"), depth + 1)),
                    }
                } else if dialect::SCHEMA_ARRAYS.contains(&k) {
                    for (i, c) in child.as_array().into_iter().flatten().enumerate() {
                        stack.push((c, format!("{ptr}/{k}/{i}"), depth + 1));
                    }
                } else if dialect::SCHEMA_MAPS.contains(&k) {
                    for (name, c) in child.as_object().into_iter().flatten() {
                        stack.push((c, format!("{ptr}/{k}/{}", bundle::escape(name)), depth + 1));
                    }
                }
            }
        }
    }
}

/// In OpenAPI 3.0 and Swagger 2.0 a `type` next to `$ref` is ignored; mockgen applies
/// siblings (see the dialect), but one that contradicts the referenced schema's type would
/// make the schema unsatisfiable, so it is dropped with a warning instead.
fn drop_contradicting_ref_types(bundle: &mut Bundle, roots: &[Loc], diags: &mut Vec<Diagnostic>) {
    let mut found: Vec<Loc> = Vec::new();
    walk_schemas(bundle, roots, |doc, ptr, map| {
        if let (Some(Value::String(r)), Some(t)) = (map.get("$ref"), map.get("type")) {
            let sibling = type_set(bundle, doc, &serde_json::json!({ "type": t }), 0);
            let target = bundle
                .resolve(doc, r)
                .and_then(|(d, _, v)| type_set(bundle, d, v, 0));
            if let (Some(a), Some(b)) = (sibling, target)
                && !a.iter().any(|x| b.contains(x))
            {
                found.push(Loc::new(doc, ptr.to_owned()));
            }
        }
    });
    found.sort_by(|a, b| (a.doc, &a.pointer).cmp(&(b.doc, &b.pointer)));
    found.dedup();
    for loc in found {
        let removed = bundle
            .values
            .get_mut(loc.doc)
            .and_then(|v| v.pointer_mut(&loc.pointer))
            .and_then(Value::as_object_mut)
            .and_then(|m| m.remove("type"));
        if let Some(t) = removed {
            // The "applied" note for this node said the opposite; this finding replaces it.
            let at = bundle.origins[loc.doc].original(&loc.pointer);
            diags.retain(|d| {
                !(d.code == "schema-translation"
                    && d.file == loc.doc
                    && d.pointer == at
                    && d.message.ends_with("as most tools do: type"))
            });
            diags.push(bundle.diag_at(
                Severity::Warning,
                "ref-sibling-contradiction",
                loc.doc,
                &format!("{}/type", loc.pointer),
                format!("`type: {t}` next to `$ref` contradicts the referenced schema's type; ignored (as OpenAPI 3.0 ignores `$ref` siblings)"),
            ));
        }
    }
}

/// Characters a JSON pointer must not carry raw inside a URI fragment.
const FRAGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'\\')
    .add(b'^')
    .add(b'%')
    .add(b'#');

/// Point every `$ref` that led into a moved subtree at its new place.
fn relocate_refs(bundle: &mut Bundle, moved: &[(Loc, Loc)]) {
    if moved.is_empty() {
        return;
    }
    for doc in 0..bundle.values.len() {
        let mut value = std::mem::take(&mut bundle.values[doc]);
        for_each_ref(&mut value, &mut |r, _| {
            let (target, fragment) = match parse_ref(r) {
                RefTarget::Local(f) => (doc, f),
                RefTarget::Bundled(d, f) => (d, f),
                _ => return,
            };
            let Some(pointer) = fragment_pointer(fragment) else {
                return;
            };
            for (from, to) in moved {
                if from.doc != target {
                    continue;
                }
                let rest = match pointer.strip_prefix(from.pointer.as_str()) {
                    Some(rest) if rest.is_empty() || rest.starts_with('/') => rest,
                    _ => continue,
                };
                let new_pointer = format!("{}{rest}", to.pointer);
                let encoded = percent_encoding::utf8_percent_encode(&new_pointer, FRAGMENT);
                *r = if target == doc {
                    format!("#{encoded}")
                } else {
                    format!("{}#{encoded}", doc_uri(target))
                };
                return;
            }
        });
        bundle.values[doc] = value;
    }
}

/// Collect the locations of schemas in a document by structure: `schema`/`itemSchema` values and
/// `components/schemas/*` (also the top of `definitions` in files that only hold schemas).
fn find_schema_roots(
    v: &Value,
    doc: usize,
    pointer: &mut String,
    in_names: bool,
    out: &mut Vec<Loc>,
    depth: usize,
) {
    if depth > 64 {
        return;
    }
    match v {
        Value::Object(map) => {
            for (key, child) in map {
                if !in_names
                    && (key.starts_with("x-")
                        || matches!(
                            key.as_str(),
                            "example" | "examples" | "default" | "enum" | "const"
                        ))
                {
                    continue;
                }
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&bundle::escape(key));
                if !in_names && matches!(key.as_str(), "schema" | "itemSchema") {
                    out.push(Loc::new(doc, pointer.clone()));
                } else if !in_names
                    && key == "schemas"
                    && pointer.len() == "/components/schemas".len()
                    && pointer == "/components/schemas"
                {
                    for (name, _) in child.as_object().into_iter().flatten() {
                        out.push(Loc::new(
                            doc,
                            format!("/components/schemas/{}", bundle::escape(name)),
                        ));
                    }
                } else if child.is_object() || child.is_array() {
                    let names = !in_names && bundle_name_map(key);
                    find_schema_roots(child, doc, pointer, names, out, depth + 1);
                }
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&i.to_string());
                find_schema_roots(child, doc, pointer, false, out, depth + 1);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

fn bundle_name_map(key: &str) -> bool {
    matches!(
        key,
        "paths"
            | "callbacks"
            | "webhooks"
            | "parameters"
            | "responses"
            | "requestBodies"
            | "headers"
            | "content"
            | "encoding"
            | "pathItems"
            | "links"
            | "securitySchemes"
    )
}

/// Report every `$ref` that does not resolve, with a suggestion when a sibling name is close.
fn check_refs(bundle: &mut Bundle, diags: &mut Vec<Diagnostic>) {
    for doc in 0..bundle.values.len() {
        let mut refs = Vec::new();
        let mut value = std::mem::take(&mut bundle.values[doc]);
        for_each_ref(&mut value, &mut |r, at| {
            refs.push((r.clone(), at.to_owned()))
        });
        bundle.values[doc] = value;
        for (r, at) in refs {
            let (target_doc, fragment) = match parse_ref(&r) {
                RefTarget::Local(f) => (doc, f),
                RefTarget::Bundled(d, f) => (d, f),
                _ => continue, // remote/unreadable files are reported where they were met
            };
            let Some(pointer) = fragment_pointer(fragment) else {
                diags.push(bundle.diag_at(
                    Severity::Warning,
                    "ref-anchor",
                    doc,
                    &format!("{at}/$ref"),
                    format!("`{r}` is a plain-name fragment; mockgen only follows JSON pointers"),
                ));
                continue;
            };
            if bundle
                .values
                .get(target_doc)
                .and_then(|v| v.pointer(&pointer))
                .is_some()
            {
                continue;
            }
            if bundle
                .files
                .get(target_doc)
                .is_none_or(|f| f.document.is_none())
            {
                continue; // the file did not parse: its syntax error is the finding
            }
            // Show the pointer as the user wrote it (a 2.0 root has been rebuilt).
            let written = bundle.origins[target_doc].original(&pointer);
            let shown = if target_doc == doc {
                format!("#{written}")
            } else {
                format!("{}#{written}", bundle.files[target_doc].name)
            };
            let mut d = bundle.diag_at(
                Severity::Error,
                "ref-unresolved",
                doc,
                &format!("{at}/$ref"),
                format!("`$ref` target `{shown}` does not exist"),
            );
            d.help = suggest(&bundle.values[target_doc], &pointer)
                .map(|h| map_suggestion(&h, &bundle.origins[target_doc]));
            diags.push(d);
        }
    }
}

/// Rewrite the `#/…` pointers inside a suggestion to the document as written.
fn map_suggestion(help: &str, origin: &bundle::Origin) -> String {
    let mut out = String::new();
    let mut rest = help;
    while let Some(start) = rest.find("`#") {
        out.push_str(&rest[..start + 2]);
        let after = &rest[start + 2..];
        let end = after.find('`').unwrap_or(after.len());
        out.push_str(&origin.original(&after[..end]));
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// "did you mean": the closest existing key at the first missing step of a pointer.
fn suggest(root: &Value, pointer: &str) -> Option<String> {
    let tokens: Vec<&str> = pointer.split('/').skip(1).collect();
    let mut node = root;
    let mut so_far = String::new();
    for token in tokens {
        let unescaped = token.replace("~1", "/").replace("~0", "~");
        match node {
            Value::Object(map) => match map.get(&unescaped) {
                Some(next) => {
                    node = next;
                    so_far.push('/');
                    so_far.push_str(token);
                }
                None => {
                    let best = map
                        .keys()
                        .map(|k| {
                            (
                                edit_distance(&k.to_lowercase(), &unescaped.to_lowercase()),
                                k,
                            )
                        })
                        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
                        .min();
                    return Some(match best {
                        Some((_, k)) => format!("did you mean `#{so_far}/{}`?", bundle::escape(k)),
                        None if unescaped.is_empty() => format!(
                            "`#{so_far}` has no empty key: a `/` inside a name must be written `~1` (and `~` as `~0`)"
                        ),
                        None => format!("`#{so_far}` has no `{unescaped}`"),
                    });
                }
            },
            _ => return Some(format!("`#{so_far}` is not an object")),
        }
    }
    None
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
