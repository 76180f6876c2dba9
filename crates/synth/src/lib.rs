//! Synthetic data for mockgen: deterministic, realistic values that validate against the
//! JSON Schema 2020-12 schemas of a spec.
//!
//! ```text
//! let synth = Synth::new(&spec, Options::default())?;                 // once per spec
//! let (body, source) = synth.response_body(op, response, media, None, &[])?;
//! let value = synth.generate(&loc, View::Response, &["getPet", "200", "application/json"])?;
//! ```
//!
//! - **Examples first** ([`Synth::response_body`], [`Synth::request_body`]): the example
//!   asked for by name, else the media type's example, else the schema's `examples`/`default`,
//!   else generation. An example that does not validate is still served: it is what the
//!   spec says (the loader reports it).
//! - **Valid by construction, verified by the validator.** Generation flattens `$ref` and
//!   `allOf` into one conjunction, resolves `anyOf`/`oneOf`/`if` by adding the chosen branch
//!   to it, merges the scalar keywords (conflicts are errors), and generates by type. What
//!   construction cannot guarantee (`not`, `oneOf` exclusivity, `maxContains`) is checked with
//!   the compiled validator and retried (64 attempts per node at most). Every body is
//!   validated once more before it is returned; a failure there is an engine bug, reported
//!   as [`ErrorKind::SelfCheck`] with the violations.
//! - **Best effort on request** ([`Synth::generate_best_effort`],
//!   [`Synth::response_body_best_effort`]): when a schema admits no value (a spec bug such as
//!   a `oneOf` whose branches accept the same values), the mock would rather send something:
//!   the same generator runs once more leniently — the first branch of each unsatisfiable
//!   choice, exclusivity and `not` unchecked there — and the value comes back *with its
//!   violations* for the caller to report. Deterministic like everything else.
//! - **Realistic**: by `format`, then by property name and the schema it belongs to
//!   (`email`, `firstName`, `createdAt`, `price`, `Pet.name`, …) with fake in the chosen
//!   [`Locale`], then by `pattern`; a heuristic value that would break the schema is dropped
//!   for the next candidate. Never the literal `"string"`.
//! - **Deterministic**: a body's seed is FNV-1a over the seed and its key, and every value
//!   inside derives its own ChaCha8 stream from its path, so the same inputs give the same
//!   bytes everywhere, and unrelated spec changes (another operation, another optional
//!   property) leave the other values alone.
//! - **Bounded**: recursion ends (past `max_depth` or inside recursion values are minimal:
//!   no optional properties, arrays at `minItems`, branches that end), arrays hold 1–3
//!   items unless constrained, and retries and work per body are capped. Unsatisfiable
//!   schemas give an [`ErrorKind::Unsatisfiable`] error naming the schema node.
//!
//! Modules, one job each: `seed` (derivation), `schema` (nodes, `$ref`, flattening),
//! `merge` (`allOf` merging, conflicts), `engine` (choices, checks, retries), `object`,
//! `array`, `string`, `number`, `formats`, `names` (property-name heuristics), `realistic`
//! (values for those), `regex` (`pattern`), `locale`, `select` (examples first), `prepare`
//! (validator slots).

mod array;
mod engine;
mod error;
mod formats;
mod locale;
mod merge;
mod names;
mod number;
mod object;
mod prepare;
mod realistic;
mod regex;
mod schema;
mod seed;
mod select;
mod string;
mod value;

pub use error::{ErrorKind, SynthError};
pub use locale::{Locale, UnknownLocale};
pub use mockgen_schema::View;
pub use select::Source;

use mockgen_schema::{Validator, ValidatorBuilder, Violation};
use mockgen_spec::{Loc, MediaType, Operation, Response, Spec};
use prepare::Prepared;
use schema::Docs;
use serde_json::Value;
use std::fmt;

/// Generation options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The seed every body derives from; same seed and key, same body.
    pub seed: u64,
    pub locale: Locale,
    /// Nesting depth after which values are kept minimal (no optional properties, arrays at
    /// `minItems`, terminating branches).
    pub max_depth: usize,
    /// "Now" for recent dates, in Unix seconds. Fixed by default (2026-01-01T00:00:00Z) so
    /// output does not change from one day to the next.
    pub now: i64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            seed: 0,
            locale: Locale::En,
            max_depth: 6,
            now: 1_767_225_600,
        }
    }
}

/// The generator of one spec: its documents and one compiled validator with a slot for
/// every schema it may generate. `Send + Sync`; build once, share.
pub struct Synth {
    docs: Docs,
    validator: std::sync::Arc<Validator>,
    prepared: Prepared,
    options: Options,
}

impl fmt::Debug for Synth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Synth")
            .field("documents", &self.docs.docs.len())
            .field("slots", &self.prepared.slots.len())
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Synth {
    /// Prepare for a spec: one validator with a slot per request body, parameter (Request
    /// view), response body and response header (Response view) schema, of every operation,
    /// webhook and callback, plus the subschemas generation tests values against.
    pub fn new(spec: &Spec, options: Options) -> Result<Synth, SynthError> {
        Synth::with_schemas(spec, options, &[])
    }

    /// Like [`Synth::new`], also preparing `extra` schemas (e.g. component schemas for
    /// fixtures) in the given views.
    pub fn with_schemas(
        spec: &Spec,
        options: Options,
        extra: &[(Loc, View)],
    ) -> Result<Synth, SynthError> {
        Synth::with_builder(spec, options, extra, |_| {})
    }

    /// Like [`Synth::with_schemas`], letting the caller add its own slots to the one
    /// validator (`register` runs before compilation; slots of the same location and view
    /// are shared). The compiled validator is then available from [`Synth::validator`], so a
    /// caller that validates too (the mock engine) compiles the spec's schemas only once.
    pub fn with_builder(
        spec: &Spec,
        options: Options,
        extra: &[(Loc, View)],
        register: impl FnOnce(&mut ValidatorBuilder),
    ) -> Result<Synth, SynthError> {
        let mut roots: Vec<(usize, String, View)> = Vec::new();
        let mut add = |loc: &Loc, view: View| roots.push((loc.doc, loc.pointer.clone(), view));
        let callbacks = spec
            .operations
            .iter()
            .chain(&spec.webhooks)
            .flat_map(|o| o.callbacks.iter().flat_map(|c| c.operations.iter()));
        for op in spec
            .operations
            .iter()
            .chain(&spec.webhooks)
            .chain(callbacks)
        {
            for p in &op.parameters {
                if let Some(s) = &p.schema {
                    add(s, View::Request);
                }
                for m in &p.content {
                    if let Some(s) = &m.schema {
                        add(s, View::Request);
                    }
                }
            }
            if let Some(body) = &op.request_body {
                for m in &body.content {
                    for s in m.schema.iter().chain(&m.item_schema) {
                        add(s, View::Request);
                    }
                }
            }
            for r in &op.responses {
                for m in &r.content {
                    for s in m.schema.iter().chain(&m.item_schema) {
                        add(s, View::Response);
                    }
                }
                for h in &r.headers {
                    if let Some(s) = &h.schema {
                        add(s, View::Response);
                    }
                }
            }
        }
        for (loc, view) in extra {
            add(loc, *view);
        }
        let docs = Docs {
            docs: spec.documents.clone(),
        };
        let mut builder = ValidatorBuilder::new();
        for (i, doc) in docs.docs.iter().enumerate() {
            builder.add_document(&mockgen_spec::doc_uri(i), std::sync::Arc::clone(doc));
        }
        let prepared = prepare::prepare(&docs, &roots, &mut builder);
        register(&mut builder);
        let validator = builder.build().map_err(|e| SynthError {
            kind: ErrorKind::NotPrepared,
            loc: Loc::new(0, ""),
            at: Loc::new(0, ""),
            message: format!("cannot compile the validator: {e}"),
            violations: Vec::new(),
        })?;
        Ok(Synth {
            docs,
            validator: std::sync::Arc::new(validator),
            prepared,
            options,
        })
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The compiled validator (shared: clone the `Arc` to keep it).
    pub fn validator(&self) -> &std::sync::Arc<Validator> {
        &self.validator
    }

    /// Generate a value for the schema at `loc` seen through `view` (a request body is
    /// generated in [`View::Request`]: no readOnly properties; a response in
    /// [`View::Response`]: no writeOnly ones). `key` holds the parts the body's seed derives
    /// from, e.g. `["getPet", "200", "application/json"]`: the same key gives the same value.
    pub fn generate(&self, loc: &Loc, view: View, key: &[&str]) -> Result<Value, SynthError> {
        let (value, violations) = self.generate_checked(loc, view, key, false)?;
        if violations.is_empty() {
            Ok(value)
        } else {
            Err(SynthError {
                kind: ErrorKind::SelfCheck,
                loc: loc.clone(),
                at: loc.clone(),
                message: format!("generated {value}"),
                violations,
            })
        }
    }

    /// [`Synth::generate`], or — when the schema admits no value the engine can find (an
    /// [`ErrorKind::Unsatisfiable`] error, e.g. a `oneOf` whose branches accept the same
    /// values) — the best candidate anyway, with what it breaks: a value built through the
    /// first branch of every choice that cannot be satisfied, `oneOf` exclusivity, `not` and
    /// `if`/`else` left unchecked where they could not be met (optional properties and array
    /// items beyond `minItems` are still left out rather than sent broken). The violations are
    /// empty exactly when the value is valid; a caller sends the value and reports them.
    /// Same inputs, same value. Other errors (budget, contradictions construction cannot
    /// resolve such as `type` conflicts, missing slots) are returned as by `generate`.
    pub fn generate_best_effort(
        &self,
        loc: &Loc,
        view: View,
        key: &[&str],
    ) -> Result<(Value, Vec<Violation>), SynthError> {
        match self.generate_checked(loc, view, key, false) {
            Err(e) if e.kind == ErrorKind::Unsatisfiable => {
                self.generate_checked(loc, view, key, true)
            }
            other => other,
        }
    }

    /// Generate and validate; `lenient`: strict first, then best effort (see
    /// [`Synth::generate_best_effort`]) with the same derivations.
    fn generate_checked(
        &self,
        loc: &Loc,
        view: View,
        key: &[&str],
        lenient: bool,
    ) -> Result<(Value, Vec<Violation>), SynthError> {
        let error = |kind: ErrorKind, message: String| SynthError {
            kind,
            loc: loc.clone(),
            at: loc.clone(),
            message,
            violations: Vec::new(),
        };
        let node = self
            .docs
            .node(loc.doc, &loc.pointer)
            .ok_or_else(|| error(ErrorKind::NotPrepared, "no schema at this location".into()))?;
        let slot = *self.prepared.slots.get(&(node.id(), view)).ok_or_else(|| {
            error(
                ErrorKind::NotPrepared,
                format!("no validator slot for this schema in the {view:?} view; prepare it with Synth::with_schemas"),
            )
        })?;
        let seed = seed::body_seed(self.options.seed, key);
        let mut g = engine::Gen::new(self, view);
        let mut result = g.value(std::slice::from_ref(&node), &engine::At::root(seed));
        if lenient
            && let Err(e) = &result
            && e.kind == ErrorKind::Unsatisfiable
        {
            // The same generator again, now lenient: the conjunctions that failed above are
            // remembered, so they go straight to their best-effort attempt.
            g.set_lenient();
            result = g.value(&[node], &engine::At::root(seed));
        }
        let value = result.map_err(|e| e.into_synth(loc))?;
        let violations = self.validator.validate(slot, &value);
        Ok((value, violations))
    }

    /// The body of a response: the named example (`example`), else the media type's first
    /// example, else the schema's example or default, else a generated value (keyed by
    /// operation id, status, media type and `key_extra`). Returns where it came from.
    pub fn response_body(
        &self,
        op: &Operation,
        response: &Response,
        media: &MediaType,
        example: Option<&str>,
        key_extra: &[&str],
    ) -> Result<(Value, Source), SynthError> {
        let status = response.status.to_string();
        let key = body_key(&op.id, &status, media, key_extra);
        self.body(media, example, View::Response, &key, false)
            .map(|(value, source, _)| (value, source))
    }

    /// [`Synth::response_body`] with a generated body made by
    /// [`Synth::generate_best_effort`]: the third element lists what the body breaks (empty
    /// for examples, which are returned as they are, and for valid generated values).
    pub fn response_body_best_effort(
        &self,
        op: &Operation,
        response: &Response,
        media: &MediaType,
        example: Option<&str>,
        key_extra: &[&str],
    ) -> Result<(Value, Source, Vec<Violation>), SynthError> {
        let status = response.status.to_string();
        let key = body_key(&op.id, &status, media, key_extra);
        self.body(media, example, View::Response, &key, true)
    }

    /// The body of a request (fixtures, clients): like [`Synth::response_body`], in the
    /// Request view, keyed by operation id, `"request"`, media type and `key_extra`.
    pub fn request_body(
        &self,
        op: &Operation,
        media: &MediaType,
        example: Option<&str>,
        key_extra: &[&str],
    ) -> Result<(Value, Source), SynthError> {
        let key = body_key(&op.id, "request", media, key_extra);
        self.body(media, example, View::Request, &key, false)
            .map(|(value, source, _)| (value, source))
    }

    /// Examples first, then a generated value (`best_effort`: by
    /// [`Synth::generate_best_effort`], with what it breaks; else by [`Synth::generate`]).
    fn body(
        &self,
        media: &MediaType,
        example: Option<&str>,
        view: View,
        key: &[&str],
        best_effort: bool,
    ) -> Result<(Value, Source, Vec<Violation>), SynthError> {
        let loc = media.schema.clone().unwrap_or_else(|| media.loc.clone());
        match select::media_example(media, example) {
            Ok(Some((value, source))) => return Ok((value, source, Vec::new())),
            Ok(None) => {}
            Err(()) => {
                return Err(SynthError {
                    kind: ErrorKind::NoSuchExample,
                    loc: media.loc.clone(),
                    at: media.loc.clone(),
                    message: format!("no example named `{}`", example.unwrap_or_default()),
                    violations: Vec::new(),
                });
            }
        }
        let Some(schema) = &media.schema else {
            return Err(SynthError {
                kind: ErrorKind::NoSchema,
                loc: loc.clone(),
                at: loc,
                message: format!("`{}` has neither a schema nor an example", media.media_type),
                violations: Vec::new(),
            });
        };
        if let Some(node) = self.docs.node(schema.doc, &schema.pointer)
            && let Some((value, source)) = select::schema_example(&self.docs, node)
        {
            return Ok((value, source, Vec::new()));
        }
        if best_effort {
            let (value, violations) = self.generate_best_effort(schema, view, key)?;
            return Ok((value, Source::Generated, violations));
        }
        let value = self.generate(schema, view, key)?;
        Ok((value, Source::Generated, Vec::new()))
    }
}

/// The derivation key of a body: operation id, status (or `"request"`), media type, extras.
fn body_key<'a>(
    op: &'a str,
    part: &'a str,
    media: &'a MediaType,
    extra: &[&'a str],
) -> Vec<&'a str> {
    let mut key = vec![op, part, media.media_type.as_str()];
    key.extend_from_slice(extra);
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn synth_is_shareable() {
        assert_send_sync::<Synth>();
    }
}
