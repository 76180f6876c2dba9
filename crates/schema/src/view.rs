//! Request and response views of whole documents: what `readOnly` and `writeOnly` mean for
//! validation.
//!
//! In the request view a property whose schema is `readOnly: true` must not be sent: it is
//! dropped from `required` and its schema is made to reject everything. The response view
//! does the same for `writeOnly: true`. Without this every readOnly `id` listed in `required`
//! would reject valid POST bodies. Views are built per document, and only when the document
//! has something to hide, so the neutral document is shared otherwise (specs reach 13 MB).
//!
//! The property schema is not replaced by `false`: `false` is appended to its `allOf`
//! instead. Bundled specs reference subschemas of other operations' properties
//! (`#/paths/…/properties/users/items`), and replacing the property would leave those
//! `$ref`s dangling; appending keeps every JSON pointer into the document valid.

use crate::pointer;
use serde_json::Map;
use serde_json::Value;
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

/// Which side of an exchange a schema is seen from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum View {
    /// The schema as written.
    Neutral,
    /// Sent by the client: `readOnly` properties are forbidden and not required.
    Request,
    /// Sent by the server: `writeOnly` properties are forbidden and not required.
    Response,
}

impl View {
    /// The keyword marking the properties this view hides.
    pub fn hidden_by(self) -> Option<&'static str> {
        match self {
            View::Neutral => None,
            View::Request => Some("readOnly"),
            View::Response => Some("writeOnly"),
        }
    }
}

/// Keys holding data rather than schemas or OpenAPI structure: a `properties` object inside an
/// example must not be edited.
const DATA_KEYS: &[&str] = &["example", "examples", "default", "enum", "const"];

/// Keys whose value maps user-chosen names to schemas; inside them a key named `example` (or
/// `properties`) is a name, not a keyword.
const NAME_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
    "schemas",
];

/// How many `$ref`/`allOf` hops a readOnly/writeOnly flag is looked for through; bounds
/// reference cycles.
const MAX_HOPS: usize = 16;

/// A document seen through a view.
#[derive(Clone, Debug, PartialEq)]
pub struct DocumentView {
    pub doc: Value,
    /// `(pointer of the added "not" keyword, property name)` for every hidden property, so
    /// the errors they cause can be explained and placed on the property.
    pub hidden: Vec<(String, String)>,
}

/// `doc` seen through `view`, or `None` when the view would be identical (callers then alias
/// the neutral document instead of cloning it).
///
/// `resolve` maps a `$ref` string found in `doc` to its target; [`resolve_local`] handles the
/// usual `#/...` references. A property is hidden when its schema carries the flag directly,
/// through an `allOf` member, through a `$ref` whose target carries it at its top, or through
/// an `anyOf`/`oneOf` whose branches all carry it (except `{type: null}`, the translated form
/// of a nullable `$ref`).
pub fn document_view<'a>(
    doc: &'a Value,
    view: View,
    resolve: &dyn Fn(&str) -> Option<&'a Value>,
) -> Option<DocumentView> {
    let keyword = view.hidden_by()?;
    let finder = Finder {
        keyword,
        resolve,
        flagged_memo: RefCell::default(),
        declares_memo: RefCell::default(),
    };
    let mut edits = Vec::new();
    walk(doc, &mut |node, path| {
        if let Some(edit) = finder.edit_for(node) {
            edits.push((path.to_owned(), edit));
        }
    });
    if edits.is_empty() {
        return None;
    }
    let mut copy = doc.clone();
    let mut hidden = Vec::new();
    for (at, edit) in edits {
        let Some(Value::Object(schema)) = copy.pointer_mut(&at) else {
            continue;
        };
        if !edit.hide.is_empty() {
            let all_of = schema
                .entry("allOf")
                .or_insert_with(|| Value::Array(Vec::new()));
            // A non-array `allOf` is invalid already; the schema is reported broken elsewhere.
            if let Value::Array(members) = all_of {
                for name in &edit.hide {
                    let index = members.len();
                    members.push(serde_json::json!({ "not": { "required": [name] } }));
                    let at = pointer::join(&pointer::join(&at, "allOf"), &index.to_string());
                    hidden.push((pointer::join(&at, "not"), name.clone()));
                }
            }
        }
        if let Some(Value::Array(required)) = schema.get_mut("required") {
            required.retain(|name| name.as_str().is_none_or(|n| !edit.unrequire.contains(n)));
        }
    }
    Some(DocumentView { doc: copy, hidden })
}

/// Resolve a same-document reference (`#/json/pointer`, percent-encoded) inside `doc`.
pub fn resolve_local<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    pointer::resolve_fragment(doc, reference.strip_prefix('#')?)
}

/// What to change in one schema object.
struct Edit {
    /// Properties that must not be present.
    hide: Vec<String>,
    /// Names removed from `required`.
    unrequire: HashSet<String>,
}

struct Finder<'a, 'r> {
    keyword: &'static str,
    resolve: &'r dyn Fn(&str) -> Option<&'a Value>,
    /// Answers per schema node (by address) for `flagged` and, with a property name, for
    /// `declares_flagged`. Makes the search linear: without it, nested `allOf`s of `$ref`s
    /// are explored once per path to them, which is exponential on hostile input. A node is
    /// recorded as `false` while in progress, so reference cycles end.
    flagged_memo: RefCell<HashMap<usize, bool>>,
    declares_memo: RefCell<HashMap<(usize, String), bool>>,
}

impl<'a> Finder<'a, '_> {
    fn edit_for(&self, node: &'a Value) -> Option<Edit> {
        let schema = node.as_object()?;
        let mut hide = Vec::new();
        if let Some(Value::Object(properties)) = schema.get("properties") {
            for (name, property) in properties {
                if self.flagged(property, 0) {
                    hide.push(name.clone());
                }
            }
        }
        let mut unrequire = HashSet::new();
        if let Some(Value::Array(required)) = schema.get("required") {
            for name in required.iter().filter_map(Value::as_str) {
                // The property may be declared by an `allOf` member (often a `$ref`d base).
                if hide.iter().any(|h| h == name) || self.declares_flagged(node, name, 0) {
                    unrequire.insert(name.to_owned());
                }
            }
        }
        (!hide.is_empty() || !unrequire.is_empty()).then_some(Edit { hide, unrequire })
    }

    /// Whether `schema` is marked with the view's keyword at its top.
    fn flagged(&self, schema: &'a Value, hops: usize) -> bool {
        let Some(map) = schema.as_object() else {
            return false;
        };
        if hops > MAX_HOPS {
            return false;
        }
        let key = std::ptr::from_ref(schema) as usize;
        if let Some(&known) = self.flagged_memo.borrow().get(&key) {
            return known;
        }
        self.flagged_memo.borrow_mut().insert(key, false);
        let result = self.flagged_uncached(schema, map, hops);
        self.flagged_memo.borrow_mut().insert(key, result);
        result
    }

    fn flagged_uncached(
        &self,
        schema: &'a Value,
        map: &'a Map<String, Value>,
        hops: usize,
    ) -> bool {
        if map.get(self.keyword) == Some(&Value::Bool(true)) {
            return true;
        }
        if let Some(target) = self.target(schema)
            && self.flagged(target, hops + 1)
        {
            return true;
        }
        if let Some(Value::Array(members)) = map.get("allOf")
            && members.iter().any(|m| self.flagged(m, hops + 1))
        {
            return true;
        }
        ["anyOf", "oneOf"].iter().any(|keyword| {
            let Some(Value::Array(branches)) = map.get(*keyword) else {
                return false;
            };
            let mut branches = branches.iter().filter(|b| !is_null_schema(b)).peekable();
            branches.peek().is_some() && branches.all(|b| self.flagged(b, hops + 1))
        })
    }

    /// Whether `schema`, its `$ref` target or an `allOf` member declares property `name` with
    /// a flagged schema.
    fn declares_flagged(&self, schema: &'a Value, name: &str, hops: usize) -> bool {
        let Some(map) = schema.as_object() else {
            return false;
        };
        if hops > MAX_HOPS {
            return false;
        }
        let key = (std::ptr::from_ref(schema) as usize, name.to_owned());
        if let Some(&known) = self.declares_memo.borrow().get(&key) {
            return known;
        }
        self.declares_memo.borrow_mut().insert(key.clone(), false);
        let result = self.declares_flagged_uncached(schema, map, name, hops);
        self.declares_memo.borrow_mut().insert(key, result);
        result
    }

    fn declares_flagged_uncached(
        &self,
        schema: &'a Value,
        map: &'a Map<String, Value>,
        name: &str,
        hops: usize,
    ) -> bool {
        if let Some(property) = map.get("properties").and_then(|p| p.get(name))
            && self.flagged(property, hops + 1)
        {
            return true;
        }
        if let Some(target) = self.target(schema)
            && self.declares_flagged(target, name, hops + 1)
        {
            return true;
        }
        match map.get("allOf") {
            Some(Value::Array(members)) => members
                .iter()
                .any(|m| self.declares_flagged(m, name, hops + 1)),
            _ => false,
        }
    }

    fn target(&self, schema: &'a Value) -> Option<&'a Value> {
        (self.resolve)(schema.get("$ref")?.as_str()?)
    }
}

fn is_null_schema(schema: &Value) -> bool {
    schema
        .as_object()
        .is_some_and(|m| m.len() == 1 && m.get("type") == Some(&"null".into()))
}

/// Visit every object in `root` with its JSON pointer, without recursion (documents are
/// large and may be hostile). Data keywords are skipped, see [`DATA_KEYS`].
fn walk<'a>(root: &'a Value, visit: &mut dyn FnMut(&'a Value, &str)) {
    /// Children still to visit in one container, and the pointer length before its token.
    enum Frame<'a> {
        Object {
            members: serde_json::map::Iter<'a>,
            names: bool,
            mark: usize,
        },
        Array {
            items: std::iter::Enumerate<std::slice::Iter<'a, Value>>,
            mark: usize,
        },
    }
    fn frame(value: &Value, names: bool, mark: usize) -> Option<Frame<'_>> {
        match value {
            Value::Object(map) => Some(Frame::Object {
                members: map.iter(),
                names,
                mark,
            }),
            Value::Array(items) => Some(Frame::Array {
                items: items.iter().enumerate(),
                mark,
            }),
            _ => None,
        }
    }

    let mut path = String::new();
    visit(root, &path);
    let mut stack: Vec<Frame<'a>> = frame(root, false, 0).into_iter().collect();
    while let Some(top) = stack.last_mut() {
        let next: Option<(Cow<'a, str>, &'a Value, bool)> = match top {
            Frame::Object { members, names, .. } => members
                .find(|(key, value)| {
                    (value.is_object() || value.is_array())
                        && (*names || !DATA_KEYS.contains(&key.as_str()))
                })
                .map(|(key, value)| {
                    (
                        key.as_str().into(),
                        value,
                        !*names && NAME_MAPS.contains(&key.as_str()),
                    )
                }),
            Frame::Array { items, .. } => items
                .next()
                .map(|(index, value)| (index.to_string().into(), value, false)),
        };
        let Some((token, child, names)) = next else {
            let Some(Frame::Object { mark, .. } | Frame::Array { mark, .. }) = stack.pop() else {
                break;
            };
            path.truncate(mark);
            continue;
        };
        let mark = path.len();
        pointer::push(&mut path, &token);
        visit(child, &path);
        match frame(child, names, mark) {
            Some(frame) => stack.push(frame),
            None => path.truncate(mark),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn view_of(doc: &Value, view: View) -> Option<Value> {
        document_view(doc, view, &|r| resolve_local(doc, r)).map(|v| v.doc)
    }

    /// Whether the view made the schema reject everything.
    /// Does the object schema forbid property `name` (the view's `not: {required: [name]}`)?
    fn forbids(object: &Value, name: &str) -> bool {
        object["allOf"]
            .as_array()
            .is_some_and(|all| all.contains(&json!({"not": {"required": [name]}})))
    }

    fn pet_doc() -> Value {
        json!({
            "components": {"schemas": {
                "Id": {"type": "integer", "readOnly": true},
                "Pet": {
                    "type": "object",
                    "required": ["id", "name", "secret", "ref_id", "all_id"],
                    "properties": {
                        "id": {"type": "integer", "readOnly": true},
                        "name": {"type": "string"},
                        "secret": {"type": "string", "writeOnly": true},
                        "ref_id": {"$ref": "#/components/schemas/Id"},
                        "all_id": {"allOf": [{"$ref": "#/components/schemas/Id"}]}
                    }
                }
            }},
            "paths": {"/pets": {"post": {"requestBody": {"content": {"application/json": {
                "schema": {"type": "object", "required": ["id"],
                           "properties": {"id": {"readOnly": true}}},
                "example": {"properties": {"id": {"readOnly": true}}, "required": ["id"]}
            }}}}}}
        })
    }

    #[test]
    fn request_view_hides_read_only() {
        let doc = pet_doc();
        let view = view_of(&doc, View::Request).expect("has readOnly");
        let pet = &view["components"]["schemas"]["Pet"];
        assert_eq!(pet["required"], json!(["name", "secret"]));
        // The property schema itself stays as written (other refs may point at it).
        assert_eq!(
            pet["properties"]["id"],
            json!({"type": "integer", "readOnly": true})
        );
        assert!(forbids(pet, "id"));
        assert!(forbids(pet, "ref_id"));
        assert_eq!(
            pet["properties"]["all_id"]["allOf"],
            json!([{"$ref": "#/components/schemas/Id"}])
        );
        assert!(forbids(pet, "all_id"));
        assert!(!forbids(pet, "secret"));
        let media = &view["paths"]["/pets"]["post"]["requestBody"]["content"]["application/json"];
        assert_eq!(media["schema"]["required"], json!([]));
        // Examples are data, not schemas.
        assert_eq!(
            media["example"],
            doc["paths"]["/pets"]["post"]["requestBody"]["content"]["application/json"]["example"]
        );
    }

    #[test]
    fn response_view_hides_write_only() {
        let doc = pet_doc();
        let view = view_of(&doc, View::Response).expect("has writeOnly");
        let pet = &view["components"]["schemas"]["Pet"];
        assert_eq!(pet["required"], json!(["id", "name", "ref_id", "all_id"]));
        assert!(forbids(pet, "secret"));
        assert!(!forbids(pet, "id"));
    }

    #[test]
    fn no_view_copy_when_nothing_to_hide() {
        let doc =
            json!({"components": {"schemas": {"A": {"properties": {"x": {"readOnly": true}}}}}});
        assert!(view_of(&doc, View::Response).is_none());
        assert!(view_of(&doc, View::Neutral).is_none());
        assert!(view_of(&doc, View::Request).is_some());
        // `readOnly: false` hides nothing.
        let doc = json!({"properties": {"x": {"readOnly": false}}});
        assert!(view_of(&doc, View::Request).is_none());
    }

    #[test]
    fn required_from_all_of_base() {
        let doc = json!({"components": {"schemas": {
            "Base": {"properties": {"id": {"readOnly": true}, "n": {}}},
            "New": {"allOf": [{"$ref": "#/components/schemas/Base"}], "required": ["id", "n"]}
        }}});
        let view = view_of(&doc, View::Request).expect("view");
        assert_eq!(
            view["components"]["schemas"]["New"]["required"],
            json!(["n"])
        );
        assert!(forbids(&view["components"]["schemas"]["Base"], "id"));
    }

    #[test]
    fn nullable_ref_branch_and_names_that_look_like_keywords() {
        let doc = json!({"components": {"schemas": {
            "Id": {"readOnly": true},
            "A": {"properties": {
                "id": {"anyOf": [{"$ref": "#/components/schemas/Id"}, {"type": "null"}]},
                "example": {"readOnly": true},
                "other": {"anyOf": [{"$ref": "#/components/schemas/Id"}, {"type": "string"}]}
            }}
        }}});
        let view = view_of(&doc, View::Request).expect("view");
        let a = &view["components"]["schemas"]["A"];
        assert!(forbids(a, "id"));
        assert!(forbids(a, "example"));
        assert!(!forbids(a, "other"));
    }

    #[test]
    fn pointers_into_hidden_properties_stay_valid() {
        let doc = json!({"A": {"properties": {
            "users": {"readOnly": true, "type": "array", "items": {"type": "string"}},
            "flag": true
        }}, "B": {"$ref": "#/A/properties/users/items"}});
        let view = document_view(&doc, View::Request, &|r| resolve_local(&doc, r)).expect("view");
        assert_eq!(
            view.doc.pointer("/A/properties/users/items"),
            Some(&json!({"type": "string"}))
        );
        assert_eq!(
            view.hidden,
            [("/A/allOf/0/not".to_owned(), "users".to_owned())]
        );
        assert_eq!(
            view.doc.pointer(&view.hidden[0].0),
            Some(&json!({"required": ["users"]}))
        );
        let doc = json!({"properties": {"x": {"allOf": [true, {"readOnly": true}]}, "y": true}});
        let view = document_view(&doc, View::Request, &|r| resolve_local(&doc, r)).expect("view");
        assert_eq!(view.hidden, [("/allOf/0/not".to_owned(), "x".to_owned())]);
        assert_eq!(
            view.doc.pointer("/properties/x"),
            doc.pointer("/properties/x")
        );
    }

    #[test]
    fn exponential_all_of_graphs_stay_fast() {
        // Level i has two allOf members both pointing at level i + 1: without the memo the
        // search would walk 2^16 paths (the hop limit), with it 40 nodes.
        let mut schemas = Map::new();
        for i in 0..40 {
            let next = json!({"$ref": format!("#/s/{}", i + 1)});
            schemas.insert(i.to_string(), json!({"allOf": [next.clone(), next]}));
        }
        schemas.insert("40".to_owned(), json!({"type": "string"}));
        let doc =
            json!({"s": schemas, "A": {"properties": {"x": {"$ref": "#/s/0"}}, "required": ["x"]}});
        assert!(view_of(&doc, View::Request).is_none());
    }

    #[test]
    fn ref_cycles_terminate() {
        let doc = json!({"components": {"schemas": {
            "A": {"$ref": "#/components/schemas/B"},
            "B": {"$ref": "#/components/schemas/A"},
            "C": {"properties": {"x": {"$ref": "#/components/schemas/A"}}, "required": ["x"]}
        }}});
        assert!(view_of(&doc, View::Request).is_none());
    }

    #[test]
    fn walk_reports_escaped_pointers_and_survives_depth() {
        let mut doc = json!({"a/b": [{"x": 1}]});
        let mut seen = Vec::new();
        walk(&doc, &mut |_, p| seen.push(p.to_owned()));
        assert_eq!(seen, ["", "/a~1b", "/a~1b/0"]);
        for _ in 0..100_000 {
            doc = Value::Array(vec![doc]);
        }
        let mut count = 0;
        walk(&doc, &mut |_, _| count += 1);
        assert_eq!(count, 100_003);
        std::mem::forget(doc);
    }
}
