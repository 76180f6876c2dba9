//! A jsonschema instance representation that puts a borrowed instance inside the dispatcher's
//! one-entry envelope `{"<slot key>": instance}` without building (or cloning into) a map.
//!
//! jsonschema 0.60 compiles against any type implementing its `Json` trait. This one is
//! serde_json's `&Value` with one extra node kind, the virtual envelope object at the root;
//! every other node delegates to the serde_json implementation.

use jsonschema::json::{Array, Json, Node, NodeIdentity, Object, SerdeJson};
use jsonschema::types::JsonType;
use serde_json::{Map, Number, Value};
use std::borrow::Cow;

/// Marker type selecting the enveloped representation in `jsonschema::options_for`.
pub(crate) struct Enveloped;

/// A node: the virtual envelope or a real value inside the instance.
#[derive(Clone, Copy)]
pub(crate) enum EnvNode<'a> {
    Envelope { key: &'a str, instance: &'a Value },
    Value(&'a Value),
}

impl Json for Enveloped {
    type Node<'a> = EnvNode<'a>;
    type PreparedKey = String;
    type StringBuffer = Value;
    const KEYS_PER_LOOKUP: usize = <SerdeJson as Json>::KEYS_PER_LOOKUP;

    fn prepare_key(key: &str) -> String {
        <SerdeJson as Json>::prepare_key(key)
    }

    fn with_string_node<T>(
        buffer: &mut Value,
        string: &str,
        f: impl FnOnce(EnvNode<'_>) -> T,
    ) -> T {
        <SerdeJson as Json>::with_string_node(buffer, string, |value| f(EnvNode::Value(value)))
    }
}

impl<'a> Node<'a, Enveloped> for EnvNode<'a> {
    type Object = EnvObject<'a>;
    type Array = EnvArray<'a>;
    type Number = &'a Number;

    fn as_object(&self) -> Option<EnvObject<'a>> {
        match *self {
            EnvNode::Envelope { key, instance } => Some(EnvObject::Envelope { key, instance }),
            EnvNode::Value(value) => value.as_object().map(EnvObject::Map),
        }
    }

    fn as_array(&self) -> Option<EnvArray<'a>> {
        match *self {
            EnvNode::Envelope { .. } => None,
            EnvNode::Value(value) => value.as_array().map(|items| EnvArray(items)),
        }
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        self.value().and_then(|v| Node::<SerdeJson>::as_string(&v))
    }

    fn as_number(&self) -> Option<&'a Number> {
        self.value().and_then(|v| Node::<SerdeJson>::as_number(&v))
    }

    fn as_boolean(&self) -> Option<bool> {
        self.value().and_then(|v| Node::<SerdeJson>::as_boolean(&v))
    }

    fn is_null(&self) -> bool {
        self.value().is_some_and(|v| Node::<SerdeJson>::is_null(&v))
    }

    fn json_type(&self) -> JsonType {
        match self.value() {
            None => JsonType::Object,
            Some(v) => Node::<SerdeJson>::json_type(&v),
        }
    }

    fn string_length(&self) -> Option<u64> {
        self.value()
            .and_then(|v| Node::<SerdeJson>::string_length(&v))
    }

    fn equals_value(&self, expected: &Value) -> bool {
        match self.value() {
            Some(v) => Node::<SerdeJson>::equals_value(&v, expected),
            None => jsonschema::json::cmp::equal(&self.to_value(), expected),
        }
    }

    fn to_value(&self) -> Cow<'a, Value> {
        match *self {
            // Only reached when the envelope itself is reported (never for the dispatcher
            // schema, which puts no constraint on its root): build the real map then.
            EnvNode::Envelope { key, instance } => {
                let mut map = Map::new();
                map.insert(key.to_owned(), instance.clone());
                Cow::Owned(Value::Object(map))
            }
            EnvNode::Value(value) => Cow::Borrowed(value),
        }
    }

    fn identity(&self) -> Option<NodeIdentity> {
        match *self {
            // Tagged so it can never equal the identity of the instance it wraps.
            EnvNode::Envelope { instance, .. } => Some(NodeIdentity::tagged(
                std::ptr::from_ref::<Value>(instance) as usize,
                1,
            )),
            EnvNode::Value(value) => Node::<SerdeJson>::identity(&value),
        }
    }
}

impl<'a> EnvNode<'a> {
    fn value(&self) -> Option<&'a Value> {
        match *self {
            EnvNode::Envelope { .. } => None,
            EnvNode::Value(value) => Some(value),
        }
    }
}

pub(crate) enum EnvObject<'a> {
    Envelope { key: &'a str, instance: &'a Value },
    Map(&'a Map<String, Value>),
}

impl<'a> Object<'a, Enveloped> for EnvObject<'a> {
    type Node = EnvNode<'a>;
    type MemberName = &'a str;
    type MembersIter = Members<'a>;

    fn len(&self) -> usize {
        match self {
            EnvObject::Envelope { .. } => 1,
            EnvObject::Map(map) => map.len(),
        }
    }

    fn get(&self, key: &String) -> Option<EnvNode<'a>> {
        match *self {
            EnvObject::Envelope { key: own, instance } => {
                (own == key.as_str()).then_some(EnvNode::Value(instance))
            }
            EnvObject::Map(map) => map.get(key.as_str()).map(EnvNode::Value),
        }
    }

    fn members(&self) -> Members<'a> {
        match *self {
            EnvObject::Envelope { key, instance } => Members::Envelope(Some((key, instance))),
            EnvObject::Map(map) => Members::Map(map.iter()),
        }
    }
}

pub(crate) enum Members<'a> {
    Envelope(Option<(&'a str, &'a Value)>),
    Map(serde_json::map::Iter<'a>),
}

impl<'a> Iterator for Members<'a> {
    type Item = (&'a str, EnvNode<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Members::Envelope(entry) => entry.take().map(|(k, v)| (k, EnvNode::Value(v))),
            Members::Map(iter) => iter.next().map(|(k, v)| (k.as_str(), EnvNode::Value(v))),
        }
    }
}

pub(crate) struct EnvArray<'a>(&'a [Value]);

impl<'a> Array<'a, Enveloped> for EnvArray<'a> {
    type Node = EnvNode<'a>;
    type ElementsIter = std::iter::Map<std::slice::Iter<'a, Value>, fn(&'a Value) -> EnvNode<'a>>;

    fn len(&self) -> usize {
        self.0.len()
    }

    fn elements(&self) -> Self::ElementsIter {
        self.0
            .iter()
            .map(EnvNode::Value as fn(&'a Value) -> EnvNode<'a>)
    }

    fn is_unique(&self) -> bool {
        Array::<SerdeJson>::is_unique(&self.0)
    }
}
