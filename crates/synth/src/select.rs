//! Examples first: what a body should be when the spec says so.
//!
//! Order: the example named by the caller; else the media type's lone `example` or first
//! `examples` entry; else the schema's own `examples`/`example` (translated to `examples`)
//! or `default`, looked up on the schema and through `$ref`s and `allOf` members at its
//! top; else nothing, and the caller generates. An example that does not validate is still
//! what the spec says, so it is served as is (the loader reports it).

use crate::schema::{Docs, Flat, Node};
use mockgen_spec::MediaType;
use serde_json::Value;

/// Where a body came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A media-type example: its name in `examples`, or `None` for a lone `example`.
    Example(Option<String>),
    /// The schema's `examples` (or `example`).
    SchemaExample,
    /// The schema's `default`.
    Default,
    /// Synthesised from the schema.
    Generated,
}

/// The media type's example: the named one, else the first with a value. `Err(())` when
/// a name was asked for and no such example (with a value) exists.
pub fn media_example(media: &MediaType, name: Option<&str>) -> Result<Option<(Value, Source)>, ()> {
    if let Some(name) = name {
        return media
            .examples
            .iter()
            .find(|e| e.name.as_deref() == Some(name))
            .and_then(|e| Some((e.value.clone()?, Source::Example(e.name.clone()))))
            .map(Some)
            .ok_or(());
    }
    Ok(media
        .examples
        .iter()
        .find_map(|e| Some((e.value.clone()?, Source::Example(e.name.clone())))))
}

/// The schema-level example or default of the schema at `node`.
pub fn schema_example(docs: &Docs, node: Node<'_>) -> Option<(Value, Source)> {
    let mut flat = Flat::default();
    flat.add(docs, node).ok()?;
    for part in &flat.parts {
        if let Some(Value::Array(examples)) = part.get("examples")
            && let Some(first) = examples.first()
        {
            return Some((first.clone(), Source::SchemaExample));
        }
        if let Some(example) = part.get("example") {
            return Some((example.clone(), Source::SchemaExample));
        }
    }
    flat.parts
        .iter()
        .find_map(|p| p.get("default"))
        .map(|d| (d.clone(), Source::Default))
}
