//! XML bodies following the OpenAPI `xml` object: element names from `xml.name` (else the
//! property name, else the referenced component's name), `attribute: true` properties as
//! attributes, `wrapped` arrays, `prefix` and `namespace`.

use mockgen_spec::bundle::{RefTarget, fragment_pointer, parse_ref};
use mockgen_spec::{Loc, Spec};
use serde_json::{Map, Value};
use std::fmt::Write;

/// How deep values and `$ref` chains are followed (values nest at most 128 levels anyway).
const MAX_DEPTH: usize = 64;

/// A schema node and the document it lives in.
#[derive(Clone, Copy)]
struct Node<'a> {
    doc: usize,
    schema: &'a Value,
}

/// Serialise `value` as an XML document guided by the schema at `schema`.
pub fn to_xml(spec: &Spec, schema: Option<&Loc>, value: &Value) -> String {
    let node = schema.and_then(|loc| {
        Some(Node {
            doc: loc.doc,
            schema: spec.get(loc)?,
        })
    });
    let (node, ref_name) = match node {
        Some(n) => {
            let (resolved, name) = deref(spec, n);
            (Some(resolved), name)
        }
        None => (None, None),
    };
    // A component's own name when the body schema is one (`/components/schemas/Users`).
    let component = schema.and_then(|loc| {
        loc.pointer
            .strip_prefix("/components/schemas/")
            .filter(|rest| !rest.contains('/'))
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
    });
    let name = xml_name_of(node)
        .map(str::to_owned)
        .or(component)
        .or(ref_name)
        .unwrap_or_else(|| "root".to_owned());
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let mut w = Writer {
        spec,
        out: &mut out,
    };
    match value {
        Value::Array(_) => {
            // A bare array needs one root element around its items.
            let wrapped = xml_flag(node, "wrapped");
            let item_node = node.and_then(|n| child_schema(spec, n, "items"));
            if wrapped {
                w.array(&name, node, item_node, value, 0, 0);
            } else {
                w.open(&qualified(&name, node), node, &[], 0);
                let item_name = item_node
                    .map(|n| deref(spec, n))
                    .and_then(|(n, ref_name)| xml_name_of(Some(n)).map(str::to_owned).or(ref_name))
                    .unwrap_or_else(|| "item".to_owned());
                for item in value.as_array().into_iter().flatten() {
                    w.element(&item_name, item_node, item, 1, 0);
                }
                w.close(&qualified(&name, node), 0);
            }
        }
        _ => w.element(&name, node, value, 0, 0),
    }
    out
}

struct Writer<'s, 'o> {
    spec: &'s Spec,
    out: &'o mut String,
}

impl<'s> Writer<'s, '_> {
    fn indent(&mut self, level: usize) {
        for _ in 0..level {
            self.out.push_str("  ");
        }
    }

    fn open(
        &mut self,
        name: &str,
        node: Option<Node<'s>>,
        attrs: &[(String, String)],
        level: usize,
    ) {
        self.indent(level);
        let _ = write!(self.out, "<{name}");
        if let Some(ns) = node
            .and_then(|n| xml_of(n.schema))
            .and_then(|x| x.get("namespace"))
            .and_then(Value::as_str)
        {
            match node
                .and_then(|n| xml_of(n.schema))
                .and_then(|x| x.get("prefix"))
                .and_then(Value::as_str)
            {
                Some(prefix) => {
                    let _ = write!(self.out, " xmlns:{}=\"{}\"", xml_name(prefix), escape(ns));
                }
                None => {
                    let _ = write!(self.out, " xmlns=\"{}\"", escape(ns));
                }
            }
        }
        for (k, v) in attrs {
            let _ = write!(self.out, " {k}=\"{}\"", escape(v));
        }
        self.out.push_str(">\n");
    }

    fn close(&mut self, name: &str, level: usize) {
        self.indent(level);
        let _ = writeln!(self.out, "</{name}>");
    }

    /// One element for `value`, named `name` unless its schema's `xml.name` says otherwise.
    fn element(
        &mut self,
        name: &str,
        node: Option<Node<'s>>,
        value: &Value,
        level: usize,
        depth: usize,
    ) {
        let node = node.map(|n| deref(self.spec, n).0);
        let name = xml_name_of(node).unwrap_or(name).to_owned();
        let tag = qualified(&name, node);
        if depth > MAX_DEPTH {
            self.indent(level);
            let _ = writeln!(self.out, "<{tag}/>");
            return;
        }
        match value {
            Value::Object(map) => self.object(&tag, node, map, level, depth),
            Value::Array(_) => {
                let item_node = node.and_then(|n| child_schema(self.spec, n, "items"));
                self.array(&name, node, item_node, value, level, depth);
            }
            Value::Null => {
                self.indent(level);
                let _ = writeln!(self.out, "<{tag}/>");
            }
            scalar => {
                self.indent(level);
                let _ = writeln!(self.out, "<{tag}>{}</{tag}>", escape(&text_of(scalar)));
            }
        }
    }

    fn object(
        &mut self,
        tag: &str,
        node: Option<Node<'s>>,
        map: &Map<String, Value>,
        level: usize,
        depth: usize,
    ) {
        let mut attrs = Vec::new();
        let mut children = Vec::new();
        for (key, v) in map {
            let prop = node
                .and_then(|n| property_schema(self.spec, n, key, 0))
                .map(|p| deref(self.spec, p).0);
            let x = prop.and_then(|p| xml_of(p.schema));
            let name = x
                .and_then(|x| x.get("name"))
                .and_then(Value::as_str)
                .unwrap_or(key);
            if x.and_then(|x| x.get("attribute")).and_then(Value::as_bool) == Some(true)
                && !v.is_object()
                && !v.is_array()
            {
                attrs.push((qualified(name, prop), text_of(v)));
            } else {
                children.push((key.as_str(), prop, v));
            }
        }
        if children.is_empty() {
            self.indent(level);
            let _ = write!(self.out, "<{tag}");
            for (k, v) in &attrs {
                let _ = write!(self.out, " {k}=\"{}\"", escape(v));
            }
            self.out.push_str("/>\n");
            return;
        }
        self.open(tag, node, &attrs, level);
        for (key, prop, v) in children {
            self.element(key, prop, v, level + 1, depth + 1);
        }
        self.close(tag, level);
    }

    /// An array property: wrapped (`<pets><pet/>…</pets>`) or repeated (`<pet/><pet/>`).
    fn array(
        &mut self,
        name: &str,
        node: Option<Node<'s>>,
        item_node: Option<Node<'s>>,
        value: &Value,
        level: usize,
        depth: usize,
    ) {
        let items = value.as_array().map(Vec::as_slice).unwrap_or_default();
        let item = item_node.map(|n| deref(self.spec, n).0);
        let item_name = xml_name_of(item).unwrap_or(name).to_owned();
        if xml_flag(node, "wrapped") {
            let tag = qualified(name, node);
            self.open(&tag, node, &[], level);
            for item in items {
                self.element(&item_name, item_node, item, level + 1, depth + 1);
            }
            self.close(&tag, level);
        } else {
            for item in items {
                self.element(&item_name, item_node, item, level, depth + 1);
            }
        }
    }
}

fn xml_of(schema: &Value) -> Option<&Map<String, Value>> {
    schema.get("xml").and_then(Value::as_object)
}

/// `xml.name` of a schema, if set.
fn xml_name_of<'a>(node: Option<Node<'a>>) -> Option<&'a str> {
    node.and_then(|n| xml_of(n.schema))
        .and_then(|x| x.get("name"))
        .and_then(Value::as_str)
}

fn xml_flag(node: Option<Node<'_>>, key: &str) -> bool {
    node.and_then(|n| xml_of(n.schema))
        .and_then(|x| x.get(key))
        .and_then(Value::as_bool)
        == Some(true)
}

/// `prefix:name` when the schema's `xml.prefix` says so; names made XML-safe.
fn qualified(name: &str, node: Option<Node<'_>>) -> String {
    let name = xml_name(name);
    match node
        .and_then(|n| xml_of(n.schema))
        .and_then(|x| x.get("prefix"))
        .and_then(Value::as_str)
    {
        Some(prefix) if !prefix.is_empty() => format!("{}:{name}", xml_name(prefix)),
        _ => name,
    }
}

/// Replace characters XML names cannot hold; a name must not start with a digit.
fn xml_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.') {
        out.insert(0, '_');
    }
    out
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {}
            c => out.push(c),
        }
    }
    out
}

/// Follow `$ref`s; also return the name of the first referenced component (XML root name).
fn deref<'s>(spec: &'s Spec, mut node: Node<'s>) -> (Node<'s>, Option<String>) {
    let mut name = None;
    for _ in 0..MAX_DEPTH {
        let Some(r) = node.schema.get("$ref").and_then(Value::as_str) else {
            break;
        };
        // A `$ref` with its own `xml` keeps it (siblings apply in 2020-12).
        if xml_of(node.schema).is_some() {
            break;
        }
        let (doc, fragment) = match parse_ref(r) {
            RefTarget::Local(f) => (node.doc, f),
            RefTarget::Bundled(d, f) => (d, f),
            _ => break,
        };
        let Some(pointer) = fragment_pointer(fragment) else {
            break;
        };
        let Some(target) = spec.documents.get(doc).and_then(|d| d.pointer(&pointer)) else {
            break;
        };
        if name.is_none() {
            name = pointer
                .rsplit('/')
                .next()
                .map(|t| t.replace("~1", "/").replace("~0", "~"));
        }
        node = Node {
            doc,
            schema: target,
        };
    }
    (node, name)
}

/// The schema of `key` among `properties` (also looking into `allOf` members).
fn property_schema<'s>(
    spec: &'s Spec,
    node: Node<'s>,
    key: &str,
    depth: usize,
) -> Option<Node<'s>> {
    if depth > 8 {
        return None;
    }
    let node = deref(spec, node).0;
    if let Some(p) = node.schema.get("properties").and_then(|p| p.get(key)) {
        return Some(Node {
            doc: node.doc,
            schema: p,
        });
    }
    for member in node
        .schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(found) = property_schema(
            spec,
            Node {
                doc: node.doc,
                schema: member,
            },
            key,
            depth + 1,
        ) {
            return Some(found);
        }
    }
    None
}

fn child_schema<'s>(spec: &'s Spec, node: Node<'s>, key: &str) -> Option<Node<'s>> {
    let node = deref(spec, node).0;
    node.schema
        .get(key)
        .filter(|v| v.is_object())
        .map(|schema| Node {
            doc: node.doc,
            schema,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mockgen_spec::{LoadOptions, NoFiles, load};
    use serde_json::json;

    fn spec(yaml: &str) -> Spec {
        load("t.yaml", yaml.to_owned(), &NoFiles, &LoadOptions::default())
            .spec
            .expect("loads")
    }

    #[test]
    fn follows_the_xml_object() {
        let s = spec(
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Pet:\n      type: object\n      xml: {name: pet, prefix: p, namespace: 'urn:pets'}\n      properties:\n        id: {type: integer, xml: {attribute: true}}\n        name: {type: string, xml: {name: petName}}\n        tags:\n          type: array\n          xml: {wrapped: true}\n          items: {type: string, xml: {name: tag}}\n        photo:\n          type: array\n          items: {type: string}\n",
        );
        let loc = Loc::new(0, "/components/schemas/Pet");
        let body = to_xml(
            &s,
            Some(&loc),
            &json!({"id": 7, "name": "Rex & co", "tags": ["a", "b"], "photo": ["x.png", "y.png"]}),
        );
        assert_eq!(
            body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<p:pet xmlns:p=\"urn:pets\" id=\"7\">\n  <petName>Rex &amp; co</petName>\n  <tags>\n    <tag>a</tag>\n    <tag>b</tag>\n  </tags>\n  <photo>x.png</photo>\n  <photo>y.png</photo>\n</p:pet>\n"
        );
    }

    #[test]
    fn root_name_from_the_referenced_component_and_arrays_at_the_root() {
        let s = spec(
            "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    User: {type: object, properties: {name: {type: string}}}\n    Users: {type: array, items: {$ref: '#/components/schemas/User'}}\n    Wrapper: {type: object, properties: {user: {$ref: '#/components/schemas/User'}}}\n",
        );
        let users = to_xml(
            &s,
            Some(&Loc::new(0, "/components/schemas/Users")),
            &json!([{"name": "a"}]),
        );
        assert!(
            users.contains("<Users>\n  <User>\n    <name>a</name>\n  </User>\n</Users>"),
            "{users}"
        );
        let none = to_xml(&s, None, &json!({"1st key": null}));
        assert!(none.contains("<root>\n  <_1st_key/>\n</root>"), "{none}");
    }
}
