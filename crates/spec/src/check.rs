//! `mockgen check`'s second half: every example and default in the spec is validated against
//! the schema it illustrates, with one compiled validator for the whole spec.

use crate::bundle::{Bundle, doc_uri, escape};
use crate::diag::{Diagnostic, Severity};
use crate::model::{Example, Loc, MediaType, Spec};
use mockgen_schema::dialect::{SCHEMA_ARRAYS, SCHEMA_MAPS, SCHEMA_SINGLES};
use mockgen_schema::validate::{SlotId, ValidatorBuilder};
use mockgen_schema::view::View;
use serde_json::Value;

/// Gathers (schema slot, example) pairs while the validator is being assembled.
struct Collector {
    builder: ValidatorBuilder,
    cases: Vec<Case>,
}

impl Collector {
    fn add(&mut self, schema: &Loc, view: View, value: Value, at: Loc, what: String) {
        let slot = self
            .builder
            .slot(&doc_uri(schema.doc), &schema.pointer, view);
        self.cases.push(Case {
            slot,
            schema: schema.clone(),
            value,
            at,
            what,
        });
    }

    fn examples(&mut self, schema: &Loc, view: View, examples: &[Example], ctx: &str) {
        for ex in examples {
            if let Some(v) = &ex.value {
                self.add(
                    schema,
                    view,
                    v.clone(),
                    ex.loc.clone(),
                    example_label(ex, ctx),
                );
            }
        }
    }

    fn media(&mut self, m: &MediaType, view: View, ctx: &str) {
        // Examples of XML, text or binary bodies are strings in their own format; so may be
        // those of form bodies (the encoded form), which only validate when written as objects.
        let Some(schema) = &m.schema else { return };
        if is_json_like(&m.media_type) {
            self.examples(schema, view, &m.examples, ctx);
        } else if is_form(&m.media_type) {
            let objects: Vec<Example> = m
                .examples
                .iter()
                .filter(|e| e.value.as_ref().is_some_and(Value::is_object))
                .cloned()
                .collect();
            self.examples(schema, view, &objects, ctx);
        }
    }
}

/// How many violations one example diagnostic spells out before summarising.
const MAX_LISTED: usize = 5;

struct Case {
    slot: SlotId,
    schema: Loc,
    value: Value,
    /// Where the example stands (normalised pointer).
    at: Loc,
    what: String,
}

/// Validate every example (media type, parameter, header, schema `example(s)` and `default`)
/// against its schema. `schema_roots` are the translated schema trees from loading.
pub fn validate_examples(spec: &Spec, bundle: &Bundle, schema_roots: &[Loc]) -> Vec<Diagnostic> {
    let mut builder = ValidatorBuilder::new();
    for (i, doc) in spec.documents.iter().enumerate() {
        builder.add_document(&doc_uri(i), std::sync::Arc::clone(doc));
    }
    let mut c = Collector {
        builder,
        cases: Vec::new(),
    };
    let all_ops = spec.operations.iter().chain(spec.webhooks.iter()).chain(
        spec.operations
            .iter()
            .flat_map(|o| o.callbacks.iter().flat_map(|c| c.operations.iter())),
    );
    for op in all_ops {
        let label = format!("{} {}", op.method, op.path);
        for p in &op.parameters {
            let ctx = format!("parameter `{}` of {label}", p.name);
            if let Some(schema) = &p.schema {
                c.examples(schema, View::Request, &p.examples, &ctx);
            }
            for m in &p.content {
                c.media(m, View::Request, &ctx);
            }
        }
        if let Some(body) = &op.request_body {
            for m in &body.content {
                c.media(
                    m,
                    View::Request,
                    &format!("request body `{}` of {label}", m.media_type),
                );
            }
        }
        for r in &op.responses {
            for m in &r.content {
                c.media(
                    m,
                    View::Response,
                    &format!("response {} `{}` of {label}", r.status, m.media_type),
                );
            }
            for h in &r.headers {
                let ctx = format!("header `{}` of response {} of {label}", h.name, r.status);
                if let Some(schema) = &h.schema {
                    c.examples(schema, View::Response, &h.examples, &ctx);
                }
            }
        }
    }
    // Schema-level `examples` and `default`, found by walking every schema tree once.
    let mut seen = std::collections::HashSet::new();
    // Every distinct regex is compiled once on its own, so a broken one is reported where it
    // is written, whether or not an example goes through its schema.
    let mut pattern_slots: Vec<(Loc, String, SlotId)> = Vec::new();
    let mut mapping_diags = Vec::new();
    let mut mapping_seen = std::collections::HashSet::new();
    let mut regexes: std::collections::HashMap<String, SlotId> = std::collections::HashMap::new();
    for root in schema_roots {
        let Some(schema) = spec.get(root) else {
            continue;
        };
        let mut found = Vec::new();
        let mut patterns = Vec::new();
        let mut mappings = Vec::new();
        walk_schema(
            schema,
            &mut root.pointer.clone(),
            &mut found,
            &mut patterns,
            &mut mappings,
            0,
        );
        for (at, target) in mappings {
            if !mapping_resolves(spec, root.doc, &target)
                && mapping_seen.insert((root.doc, at.clone()))
            {
                mapping_diags.push(bundle.diag_at(
                    Severity::Warning,
                    "discriminator-mapping-unresolved",
                    root.doc,
                    &at,
                    format!("discriminator mapping target `{target}` is neither a schema name nor a reference to a loaded schema; values that select it cannot be told apart"),
                ));
            }
        }
        for (ptr, regex) in patterns {
            let slot = *regexes.entry(regex.clone()).or_insert_with(|| {
                c.builder
                    .inline_slot(serde_json::json!({ "pattern": regex }))
            });
            pattern_slots.push((Loc::new(root.doc, ptr), regex, slot));
        }
        for (ptr, key, value, index) in found {
            if !seen.insert((root.doc, ptr.clone(), key, index)) {
                continue;
            }
            let loc = Loc::new(root.doc, ptr.clone());
            let at = match index {
                Some(i) => Loc::new(root.doc, format!("{ptr}/{key}/{i}")),
                None => Loc::new(root.doc, format!("{ptr}/{key}")),
            };
            let what = if key == "default" {
                "`default`"
            } else {
                "schema example"
            };
            c.add(&loc, View::Neutral, value, at, what.to_owned());
        }
    }
    let Collector { builder, cases } = c;

    let validator = match builder.build() {
        Ok(v) => v,
        Err(e) => {
            return vec![bundle.diag_at(
                Severity::Error,
                "schema-invalid",
                0,
                "",
                format!("schemas could not be compiled: {e}"),
            )];
        }
    };
    let mut diags = mapping_diags;
    let mut broken_reported = std::collections::HashSet::new();
    // The same example can be reached twice (a path-level parameter shared by operations, a
    // Swagger 2.0 body schema copied under each media type): report each place once.
    let mut reported = std::collections::HashSet::new();
    let mut bad_regexes: Vec<String> = Vec::new();
    let mut pattern_seen = std::collections::HashSet::new();
    for (at, regex, slot) in &pattern_slots {
        if let Some((_, why)) = validator.broken_slots().iter().find(|(s, _)| s == slot) {
            let original = bundle
                .origins
                .get(at.doc)
                .map_or_else(|| at.pointer.clone(), |o| o.original(&at.pointer));
            if !pattern_seen.insert((at.doc, original)) {
                continue;
            }
            bad_regexes.push(regex.clone());
            let mut d = bundle.diag_at(
                Severity::Error,
                "schema-invalid",
                at.doc,
                &at.pointer,
                match why.lines().next().unwrap_or(why) {
                    // The meta-schema's `format: regex` says only that; the regex itself is the news.
                    detail if detail.contains("is not a \"regex\"") => {
                        format!("`{regex}` is not a valid regular expression")
                    }
                    detail => format!("`{regex}` is not a valid regular expression: {detail}"),
                },
            );
            d.help = Some("patterns use ECMA-262 regular expressions; escape literal brackets and parentheses".to_owned());
            diags.push(d);
        }
    }
    for case in &cases {
        if let Some((_, why)) = validator
            .broken_slots()
            .iter()
            .find(|(s, _)| *s == case.slot)
        {
            // A schema broken by one of its regexes was reported at the regex already.
            if bad_regexes.iter().any(|r| why.contains(r.as_str())) {
                continue;
            }
            if broken_reported.insert(case.schema.clone()) {
                diags.push(bundle.diag_at(
                    Severity::Error,
                    "schema-invalid",
                    case.schema.doc,
                    &case.schema.pointer,
                    format!("schema cannot be compiled: {why}"),
                ));
            }
            continue;
        }
        let violations = validator.validate(case.slot, &case.value);
        if violations.is_empty() {
            continue;
        }
        let mut lines: Vec<String> = violations
            .iter()
            .take(MAX_LISTED)
            .map(|v| {
                let at = if v.instance_pointer.is_empty() {
                    "(root)"
                } else {
                    &v.instance_pointer
                };
                format!("at {at}: {}", v.message)
            })
            .collect();
        if violations.len() > MAX_LISTED {
            lines.push(format!("…and {} more", violations.len() - MAX_LISTED));
        }
        let at = example_pointer(bundle, &case.at);
        let original = bundle
            .origins
            .get(case.at.doc)
            .map_or_else(|| at.clone(), |o| o.original(&at));
        if !reported.insert((case.at.doc, original, lines.join("; "))) {
            continue;
        }
        // Sending a readOnly property (or answering a writeOnly one) is a SHOULD NOT in
        // OpenAPI: alone it is a warning; with any other violation the example is invalid.
        let only_visibility = violations
            .iter()
            .all(|v| v.keyword == "readOnly" || v.keyword == "writeOnly");
        let (severity, code) = if only_visibility {
            (Severity::Warning, "example-visibility")
        } else {
            (Severity::Error, "example-invalid")
        };
        let mut d = bundle.diag_at(
            severity,
            code,
            case.at.doc,
            &at,
            format!(
                "{} does not match its schema: {}",
                case.what,
                lines.join("; ")
            ),
        );
        let schema_orig = bundle.origins.get(case.schema.doc).map_or_else(
            || case.schema.pointer.clone(),
            |o| o.original(&case.schema.pointer),
        );
        d.help = Some(format!(
            "schema: {}#{}",
            bundle
                .files
                .get(case.schema.doc)
                .map_or("", |f| f.name.as_str()),
            schema_orig
        ));
        diags.push(d);
    }
    crate::diag::sort(&mut diags);
    diags
}

/// A mapping value is a schema name (`Dog` → `#/components/schemas/Dog`) or a reference.
fn mapping_resolves(spec: &Spec, doc: usize, target: &str) -> bool {
    use crate::bundle::{RefTarget, fragment_pointer, parse_ref};
    if !target.contains('#') && !target.contains('/') {
        return spec
            .documents
            .first()
            .and_then(|d| d.pointer(&format!("/components/schemas/{}", escape(target))))
            .is_some();
    }
    let (d, fragment) = match parse_ref(target) {
        RefTarget::Local(f) => (doc, f),
        RefTarget::Bundled(d, f) => (d, f),
        RefTarget::File(..) | RefTarget::Remote(_) => return false,
    };
    fragment_pointer(fragment)
        .and_then(|p| {
            spec.documents
                .get(d)
                .and_then(|v| v.pointer(&p).map(|_| ()))
        })
        .is_some()
}

/// A schema example that came from a 3.0 `example` now sits at `examples/0`; point at the
/// keyword the user wrote.
fn example_pointer(bundle: &Bundle, at: &Loc) -> String {
    if let Some(base) = at.pointer.strip_suffix("/examples/0") {
        let original = bundle
            .origins
            .get(at.doc)
            .map_or_else(|| base.to_owned(), |o| o.original(base));
        let written = format!("{original}/example");
        if bundle
            .files
            .get(at.doc)
            .and_then(|f| f.document.as_ref())
            .is_some_and(|d| d.span(&written).is_some())
        {
            return format!("{base}/example");
        }
    }
    at.pointer.clone()
}

fn example_label(ex: &Example, ctx: &str) -> String {
    match &ex.name {
        Some(n) => format!("example `{n}` of {ctx}"),
        None => format!("example of {ctx}"),
    }
}

/// JSON and `+json` media types (and wildcards), whose examples are JSON values.
pub fn is_json_like(media_type: &str) -> bool {
    let essence = crate::model::media_essence(media_type);
    essence == "application/json"
        || essence.ends_with("+json")
        || essence == "*/*"
        || essence == "application/*"
        || essence.ends_with("/json")
}

/// Form bodies, whose examples may be written as objects or as the encoded text.
pub fn is_form(media_type: &str) -> bool {
    let essence = crate::model::media_essence(media_type);
    essence == "application/x-www-form-urlencoded" || essence.starts_with("multipart/")
}

type Found = (String, &'static str, Value, Option<usize>);

/// A regular expression in a schema: `(pointer of the pattern or patternProperties key, regex)`.
type Pattern = (String, String);

/// A `discriminator.mapping` entry: `(pointer of the entry, value)`.
type Mapping = (String, String);

/// Collect `examples[i]` and `default` of every subschema below `schema` (not through `$ref`).
fn walk_schema(
    schema: &Value,
    ptr: &mut String,
    out: &mut Vec<Found>,
    patterns: &mut Vec<Pattern>,
    mappings: &mut Vec<Mapping>,
    depth: usize,
) {
    if depth > 256 {
        return;
    }
    let Some(map) = schema.as_object() else {
        return;
    };
    if let Some(Value::String(p)) = map.get("pattern") {
        patterns.push((format!("{ptr}/pattern"), p.clone()));
    }
    for (key, target) in map
        .get("discriminator")
        .and_then(|d| d.get("mapping"))
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Value::String(t) = target {
            mappings.push((
                format!("{ptr}/discriminator/mapping/{}", escape(key)),
                t.clone(),
            ));
        }
    }
    for key in map
        .get("patternProperties")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.keys())
    {
        patterns.push((
            format!("{ptr}/patternProperties/{}", escape(key)),
            key.clone(),
        ));
    }
    if let Some(Value::Array(examples)) = map.get("examples") {
        for (i, e) in examples.iter().enumerate() {
            out.push((ptr.clone(), "examples", e.clone(), Some(i)));
        }
    }
    if let Some(d) = map.get("default") {
        out.push((ptr.clone(), "default", d.clone(), None));
    }
    for (key, child) in map {
        let k = key.as_str();
        let len = ptr.len();
        if SCHEMA_SINGLES.contains(&k) {
            ptr.push('/');
            ptr.push_str(k);
            walk_schema(child, ptr, out, patterns, mappings, depth + 1);
        } else if SCHEMA_ARRAYS.contains(&k) {
            for (i, c) in child.as_array().into_iter().flatten().enumerate() {
                ptr.push_str(&format!("/{k}/{i}"));
                walk_schema(c, ptr, out, patterns, mappings, depth + 1);
                ptr.truncate(len);
            }
        } else if SCHEMA_MAPS.contains(&k) {
            for (name, c) in child.as_object().into_iter().flatten() {
                ptr.push_str(&format!("/{k}/{}", escape(name)));
                walk_schema(c, ptr, out, patterns, mappings, depth + 1);
                ptr.truncate(len);
            }
        }
        ptr.truncate(len);
    }
}
