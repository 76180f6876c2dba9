//! Schema nodes in the bundle: addressing, `$ref` resolution and flattening of the in-place
//! conjunction (`$ref` + siblings + `allOf`) into a list of parts that all apply.
//!
//! Refs are never inlined: a [`Node`] is a borrowed value plus its location, so recursive
//! schemas cost nothing until a value is actually generated through them.

use crate::error::{GenError, GenResult};
use mockgen_spec::bundle::{RefTarget, fragment_pointer, parse_ref};
use serde_json::{Map, Value};
use std::rc::Rc;
use std::sync::Arc;

/// How deep `$ref`/`allOf` chains are followed in one flattening; deeper means a pathological
/// schema, reported rather than followed.
const MAX_FLATTEN_DEPTH: usize = 64;

/// A schema value and where it stands.
#[derive(Clone, Debug)]
pub struct Node<'s> {
    pub doc: usize,
    pub pointer: Rc<str>,
    pub value: &'s Value,
}

impl<'s> Node<'s> {
    /// A stable identity for the node while the documents live: its address.
    pub fn id(&self) -> usize {
        std::ptr::from_ref(self.value) as usize
    }

    pub fn map(&self) -> Option<&'s Map<String, Value>> {
        self.value.as_object()
    }

    pub fn get(&self, keyword: &str) -> Option<&'s Value> {
        self.value.as_object()?.get(keyword)
    }

    /// A child node under `token` (one pointer token, unescaped).
    pub fn child(&self, value: &'s Value, tokens: &[&str]) -> Node<'s> {
        let mut pointer = String::with_capacity(self.pointer.len() + 16);
        pointer.push_str(&self.pointer);
        for token in tokens {
            push_token(&mut pointer, token);
        }
        Node {
            doc: self.doc,
            pointer: pointer.into(),
            value,
        }
    }

    /// `self[keyword]` as a node.
    pub fn sub(&self, keyword: &str) -> Option<Node<'s>> {
        let value = self.get(keyword)?;
        Some(self.child(value, &[keyword]))
    }

    /// The members of an array-of-schemas keyword (`allOf`, `oneOf`, `prefixItems`, …).
    pub fn list(&self, keyword: &str) -> Vec<Node<'s>> {
        match self.get(keyword) {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| self.child(item, &[keyword, &i.to_string()]))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// `self[keyword][name]` for map-of-schemas keywords (`properties`, …).
    pub fn entry(&self, keyword: &str, name: &str) -> Option<Node<'s>> {
        let value = self.get(keyword)?.as_object()?.get(name)?;
        Some(self.child(value, &[keyword, name]))
    }

    pub fn str(&self, keyword: &str) -> Option<&'s str> {
        self.get(keyword)?.as_str()
    }

    pub fn flag(&self, keyword: &str) -> bool {
        self.get(keyword) == Some(&Value::Bool(true))
    }

    pub fn is_false(&self) -> bool {
        self.value == &Value::Bool(false)
    }

    /// The last token of the pointer, unescaped: the schema's name for `…/schemas/Pet`.
    pub fn name(&self) -> Option<String> {
        let last = self.pointer.rsplit('/').next()?;
        if last.is_empty() || last.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(last.replace("~1", "/").replace("~0", "~"))
    }
}

/// Append an escaped pointer token (the loader's own helper, so pointers agree everywhere).
pub use mockgen_source::push_token;

/// The documents of a spec, for resolving references.
#[derive(Debug)]
pub struct Docs {
    pub docs: Vec<Arc<Value>>,
}

impl Docs {
    pub fn node(&self, doc: usize, pointer: &str) -> Option<Node<'_>> {
        let value = self.docs.get(doc)?.pointer(pointer)?;
        Some(Node {
            doc,
            pointer: pointer.into(),
            value,
        })
    }

    /// Resolve a `$ref` string written in document `doc`.
    pub fn resolve(&self, doc: usize, reference: &str) -> Option<Node<'_>> {
        let (doc, fragment) = match parse_ref(reference) {
            RefTarget::Local(fragment) => (doc, fragment),
            RefTarget::Bundled(index, fragment) => (index, fragment),
            RefTarget::Remote(_) | RefTarget::File(..) => return None,
        };
        let pointer = fragment_pointer(fragment)?;
        self.node(doc, &pointer)
    }

    /// The target of the node's `$ref` (or `$dynamicRef`), if it has one.
    pub fn target<'s>(&'s self, node: &Node<'s>) -> Option<GenResult<Node<'s>>> {
        let reference = node.str("$ref").or_else(|| node.str("$dynamicRef"))?;
        Some(self.resolve(node.doc, reference).ok_or_else(|| {
            GenError::unsat(
                node.doc,
                &node.pointer,
                format!("cannot resolve `$ref: {reference}`"),
            )
        }))
    }
}

/// The in-place conjunction of a schema: every part that applies to the same instance.
#[derive(Clone, Debug, Default)]
pub struct Flat<'s> {
    pub parts: Vec<Node<'s>>,
    /// `$ref` targets followed, outermost first (recursion tracking and names).
    pub refs: Vec<Node<'s>>,
}

impl<'s> Flat<'s> {
    /// Add `node` and everything it pulls in through `$ref` and `allOf`.
    pub fn add(&mut self, docs: &'s Docs, node: Node<'s>) -> GenResult<()> {
        self.add_at(docs, node, 0)
    }

    fn add_at(&mut self, docs: &'s Docs, node: Node<'s>, depth: usize) -> GenResult<()> {
        if depth > MAX_FLATTEN_DEPTH {
            return Err(GenError::unsat(
                node.doc,
                &node.pointer,
                "`$ref`/`allOf` nesting is too deep",
            ));
        }
        match node.value {
            Value::Bool(true) => return Ok(()),
            Value::Bool(false) => {
                return Err(GenError::unsat(
                    node.doc,
                    &node.pointer,
                    "the schema is `false`: no value is allowed",
                ));
            }
            Value::Object(_) => {}
            // Not a schema at all; the loader reports it. Treat as no constraint.
            _ => return Ok(()),
        }
        // A part already present (a diamond or a cycle through allOf/$ref) adds nothing new.
        if self.parts.iter().any(|p| p.id() == node.id()) {
            return Ok(());
        }
        self.parts.push(node.clone());
        if let Some(target) = docs.target(&node) {
            let target = target?;
            if !self.refs.iter().any(|r| r.id() == target.id()) {
                self.refs.push(target.clone());
            }
            self.add_at(docs, target, depth + 1)?;
        }
        for member in node.list("allOf") {
            self.add_at(docs, member, depth + 1)?;
        }
        Ok(())
    }

    /// The name of the outermost named schema this conjunction went through (`Pet` for a
    /// `$ref` to `#/components/schemas/Pet`).
    pub fn schema_name(&self) -> Option<String> {
        self.refs.iter().find_map(Node::name)
    }
}
