//! The mutation suite: every real-world document in `../shared/specs` is loaded once, its
//! normalised (3.1-shaped) document is edited programmatically — breaking edits and harmless
//! ones — and reloaded; `diff` must flag every breaking edit with the expected rule on the
//! edited operation, and must report no breaking change for a harmless edit.

use mockgen_diff::{Change, Severity, diff, diff_with};
use mockgen_spec::{LoadOptions, Loaded, NoFiles};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn specs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/specs")
}

fn load_text(name: &str, text: String) -> Loaded {
    mockgen_spec::load(name, text, &NoFiles, &LoadOptions::default())
}

/// What a mutation did: the operation it targeted and the rule `diff` must report there.
struct Edit {
    operation: String,
}

type Mutate = fn(&mut Value) -> Option<Edit>;

// ---------------------------------------------------------------------------------------------
// Navigating the normalised document.

fn ops(doc: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for m in METHODS {
            if item.get(*m).is_some_and(Value::is_object) {
                out.push((path.clone(), (*m).to_owned()));
            }
        }
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn op_ptr(path: &str, method: &str) -> String {
    format!("/paths/{}/{method}", esc(path))
}

fn op_name(path: &str, method: &str) -> String {
    format!("{} {path}", method.to_ascii_uppercase())
}

/// Follow `$ref`s from a pointer to the node that holds none.
fn deref(doc: &Value, ptr: &str) -> Option<String> {
    let mut here = ptr.to_owned();
    for _ in 0..32 {
        let node = doc.pointer(&here)?;
        match node.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let frag = r.strip_prefix('#')?;
                here = mockgen_spec::bundle::fragment_pointer(frag)?;
            }
            None => return Some(here),
        }
    }
    None
}

fn is_json(media: &str) -> bool {
    let m = media.to_ascii_lowercase();
    m.contains("json") && !m.contains('*')
}

/// Pointer to the JSON media type object of an operation's request body.
fn request_media(doc: &Value, op: &str) -> Option<String> {
    let body = deref(doc, &format!("{op}/requestBody"))?;
    let content = doc.pointer(&format!("{body}/content"))?.as_object()?;
    let (name, _) = content.iter().find(|(k, _)| is_json(k))?;
    Some(format!("{body}/content/{}", esc(name)))
}

/// Pointer to the JSON media type object of an operation's first 2xx response.
fn response_media(doc: &Value, op: &str) -> Option<String> {
    let responses = doc.pointer(&format!("{op}/responses"))?.as_object()?;
    let (status, _) = responses.iter().find(|(k, _)| k.starts_with('2'))?;
    let resp = deref(doc, &format!("{op}/responses/{}", esc(status)))?;
    let content = doc.pointer(&format!("{resp}/content"))?.as_object()?;
    let (name, _) = content.iter().find(|(k, _)| is_json(k))?;
    Some(format!("{resp}/content/{}", esc(name)))
}

/// The object schema (with `properties`) a media type's schema resolves to.
fn object_schema(doc: &Value, media: &str) -> Option<String> {
    let s = deref(doc, &format!("{media}/schema"))?;
    let node = doc.pointer(&s)?;
    (node
        .get("properties")
        .is_some_and(|p| p.as_object().is_some_and(|m| !m.is_empty()))
        && node.get("allOf").is_none()
        && node.get("oneOf").is_none()
        && node.get("anyOf").is_none())
    .then_some(s)
}

fn flag(doc: &Value, ptr: &str, key: &str) -> bool {
    doc.pointer(ptr).and_then(|v| v.get(key)) == Some(&Value::Bool(true))
        || deref(doc, ptr)
            .and_then(|p| doc.pointer(&p).and_then(|v| v.get(key)).cloned())
            .is_some_and(|v| v == Value::Bool(true))
}

fn required_of(doc: &Value, obj: &str) -> Vec<String> {
    doc.pointer(&format!("{obj}/required"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Scalar schemas clients send: (operation, schema pointer), parameters first then body
/// properties, in document order.
fn request_sites(doc: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, method) in ops(doc) {
        let op = op_ptr(&path, &method);
        let name = op_name(&path, &method);
        for i in 0..doc
            .pointer(&format!("{op}/parameters"))
            .and_then(Value::as_array)
            .map_or(0, Vec::len)
        {
            let Some(p) = deref(doc, &format!("{op}/parameters/{i}")) else {
                continue;
            };
            let Some(param) = doc.pointer(&p) else {
                continue;
            };
            let location = param.get("in").and_then(Value::as_str).unwrap_or("");
            let pname = param.get("name").and_then(Value::as_str).unwrap_or("");
            if !matches!(location, "query" | "path")
                || ["accept", "content-type", "authorization"].contains(&pname)
            {
                continue;
            }
            if let Some(s) = deref(doc, &format!("{p}/schema")) {
                out.push((name.clone(), s));
            }
        }
        if let Some(media) = request_media(doc, &op)
            && let Some(obj) = object_schema(doc, &media)
        {
            for key in doc
                .pointer(&format!("{obj}/properties"))
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|m| m.keys())
            {
                let prop = format!("{obj}/properties/{}", esc(key));
                if flag(doc, &prop, "readOnly") {
                    continue;
                }
                if let Some(s) = deref(doc, &prop) {
                    out.push((name.clone(), s));
                }
            }
        }
    }
    out
}

fn type_is(doc: &Value, s: &str, t: &str) -> bool {
    doc.pointer(&format!("{s}/type")).and_then(Value::as_str) == Some(t)
}

fn first_site(doc: &Value, pred: impl Fn(&Value, &str) -> bool) -> Option<(String, String)> {
    request_sites(doc).into_iter().find(|(_, s)| pred(doc, s))
}

fn set(doc: &mut Value, ptr: &str, key: &str, v: Value) -> Option<()> {
    doc.pointer_mut(ptr)?
        .as_object_mut()?
        .insert(key.to_owned(), v);
    Some(())
}

/// Response object properties: (operation, object pointer, property name, property pointer).
fn response_props(doc: &Value) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    for (path, method) in ops(doc) {
        let op = op_ptr(&path, &method);
        let Some(media) = response_media(doc, &op) else {
            continue;
        };
        let Some(obj) = object_schema(doc, &media) else {
            continue;
        };
        for key in doc
            .pointer(&format!("{obj}/properties"))
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|m| m.keys())
        {
            let prop = format!("{obj}/properties/{}", esc(key));
            if flag(doc, &prop, "writeOnly") {
                continue;
            }
            out.push((op_name(&path, &method), obj.clone(), key.clone(), prop));
        }
    }
    out
}

fn edit(operation: String) -> Option<Edit> {
    Some(Edit { operation })
}

// ---------------------------------------------------------------------------------------------
// Breaking edits.

fn remove_operation(doc: &mut Value) -> Option<Edit> {
    let (path, method) = ops(doc)
        .into_iter()
        .find(|(p, m)| !flag(doc, &op_ptr(p, m), "deprecated"))?;
    doc["paths"][&path].as_object_mut()?.remove(&method);
    edit(op_name(&path, &method))
}

fn remove_status(doc: &mut Value) -> Option<Edit> {
    let (path, method) = ops(doc).into_iter().find(|(p, m)| {
        doc.pointer(&format!("{}/responses", op_ptr(p, m)))
            .and_then(Value::as_object)
            .is_some_and(|r| r.len() >= 2)
    })?;
    let responses = doc
        .pointer_mut(&format!("{}/responses", op_ptr(&path, &method)))?
        .as_object_mut()?;
    let first = responses.keys().next()?.clone();
    responses.shift_remove(&first);
    edit(op_name(&path, &method))
}

fn add_param(doc: &mut Value, param: Value) -> Option<Edit> {
    let (path, method) = ops(doc).into_iter().next()?;
    let op = doc.pointer_mut(&op_ptr(&path, &method))?.as_object_mut()?;
    let params = op.entry("parameters").or_insert_with(|| json!([]));
    params.as_array_mut()?.push(param);
    edit(op_name(&path, &method))
}

fn add_required_query(doc: &mut Value) -> Option<Edit> {
    add_param(
        doc,
        json!({"name": "mockgenRequired", "in": "query", "required": true, "schema": {"type": "string"}}),
    )
}

fn add_required_header(doc: &mut Value) -> Option<Edit> {
    add_param(
        doc,
        json!({"name": "X-Mockgen-Required", "in": "header", "required": true, "schema": {"type": "string"}}),
    )
}

fn param_becomes_required(doc: &mut Value) -> Option<Edit> {
    for (path, method) in ops(doc) {
        let op = op_ptr(&path, &method);
        let n = doc
            .pointer(&format!("{op}/parameters"))
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        for i in 0..n {
            let Some(p) = deref(doc, &format!("{op}/parameters/{i}")) else {
                continue;
            };
            let param = doc.pointer(&p)?;
            if param.get("in").and_then(Value::as_str) == Some("query")
                && param.get("required") != Some(&Value::Bool(true))
            {
                set(doc, &p, "required", json!(true))?;
                return edit(op_name(&path, &method));
            }
        }
    }
    None
}

fn with_request_object(
    doc: &Value,
    pred: impl Fn(&Value, &str) -> bool,
) -> Option<(String, String)> {
    ops(doc).into_iter().find_map(|(path, method)| {
        let media = request_media(doc, &op_ptr(&path, &method))?;
        let obj = object_schema(doc, &media)?;
        pred(doc, &obj).then(|| (op_name(&path, &method), obj))
    })
}

fn add_required_request_property(doc: &mut Value) -> Option<Edit> {
    let (name, obj) = with_request_object(doc, |_, _| true)?;
    let node = doc.pointer_mut(&obj)?.as_object_mut()?;
    node.get_mut("properties")?
        .as_object_mut()?
        .insert("mockgenNew".into(), json!({"type": "string"}));
    let req = node.entry("required").or_insert_with(|| json!([]));
    req.as_array_mut()?.push(json!("mockgenNew"));
    edit(name)
}

fn optional_request_property(doc: &Value, obj: &str) -> Option<String> {
    let req = required_of(doc, obj);
    doc.pointer(&format!("{obj}/properties"))?
        .as_object()?
        .keys()
        .find(|k| {
            !req.contains(k) && !flag(doc, &format!("{obj}/properties/{}", esc(k)), "readOnly")
        })
        .cloned()
}

fn request_property_becomes_required(doc: &mut Value) -> Option<Edit> {
    let (name, obj) = with_request_object(doc, |d, o| optional_request_property(d, o).is_some())?;
    let prop = optional_request_property(doc, &obj)?;
    let node = doc.pointer_mut(&obj)?.as_object_mut()?;
    let req = node.entry("required").or_insert_with(|| json!([]));
    req.as_array_mut()?.push(json!(prop));
    edit(name)
}

fn has_num(doc: &Value, s: &str) -> bool {
    type_is(doc, s, "integer") || type_is(doc, s, "number")
}

fn max_decreased(doc: &mut Value) -> Option<Edit> {
    let (name, s) = first_site(doc, has_num)?;
    let node = doc.pointer_mut(&s)?.as_object_mut()?;
    let small = |m: &f64| m.abs() < 1e12;
    if let Some(m) = node.get("maximum").and_then(Value::as_f64).filter(small) {
        node.insert("maximum".into(), json!(m - 1.0));
    } else if let Some(m) = node
        .get("exclusiveMaximum")
        .and_then(Value::as_f64)
        .filter(small)
    {
        node.insert("exclusiveMaximum".into(), json!(m - 1.0));
    } else {
        node.remove("exclusiveMaximum");
        node.insert("maximum".into(), json!(1_000_000));
    }
    edit(name)
}

fn min_increased(doc: &mut Value) -> Option<Edit> {
    let (name, s) = first_site(doc, has_num)?;
    let node = doc.pointer_mut(&s)?.as_object_mut()?;
    let small = |m: &f64| m.abs() < 1e12;
    if let Some(m) = node.get("minimum").and_then(Value::as_f64).filter(small) {
        node.insert("minimum".into(), json!(m + 1.0));
    } else if let Some(m) = node
        .get("exclusiveMinimum")
        .and_then(Value::as_f64)
        .filter(small)
    {
        node.insert("exclusiveMinimum".into(), json!(m + 1.0));
    } else {
        node.remove("exclusiveMinimum");
        node.insert("minimum".into(), json!(-1_000_000));
    }
    edit(name)
}

fn is_string(doc: &Value, s: &str) -> bool {
    type_is(doc, s, "string")
}

fn max_length_decreased(doc: &mut Value) -> Option<Edit> {
    let (name, s) = first_site(doc, is_string)?;
    let node = doc.pointer_mut(&s)?.as_object_mut()?;
    let new = match node.get("maxLength").and_then(Value::as_u64) {
        Some(m) if m > 0 => m - 1,
        Some(_) => return None,
        None => 3,
    };
    node.insert("maxLength".into(), json!(new));
    edit(name)
}

fn min_length_increased(doc: &mut Value) -> Option<Edit> {
    let (name, s) = first_site(doc, is_string)?;
    let node = doc.pointer_mut(&s)?.as_object_mut()?;
    let new = node
        .get("minLength")
        .and_then(Value::as_u64)
        .map_or(1, |m| m + 1);
    node.insert("minLength".into(), json!(new));
    edit(name)
}

fn pattern_added(doc: &mut Value) -> Option<Edit> {
    let (name, s) = first_site(doc, is_string)?;
    set(doc, &s, "pattern", json!("^mockgen[a-z]*$"))?;
    edit(name)
}

fn has_enum(doc: &Value, s: &str) -> bool {
    doc.pointer(&format!("{s}/enum"))
        .and_then(Value::as_array)
        .is_some_and(|e| e.len() >= 2)
}

fn enum_value_removed(doc: &mut Value) -> Option<Edit> {
    let (name, s) = first_site(doc, has_enum)?;
    doc.pointer_mut(&format!("{s}/enum"))?.as_array_mut()?.pop();
    edit(name)
}

fn type_narrowed(doc: &mut Value) -> Option<Edit> {
    let (name, s) = first_site(doc, is_string)?;
    set(doc, &s, "type", json!("integer"))?;
    edit(name)
}

fn additional_properties_closed(doc: &mut Value) -> Option<Edit> {
    let (name, obj) = with_request_object(doc, |d, o| {
        d.pointer(o).is_some_and(|n| {
            n.get("additionalProperties") != Some(&Value::Bool(false))
                && n.get("unevaluatedProperties") != Some(&Value::Bool(false))
        })
    })?;
    set(doc, &obj, "additionalProperties", json!(false))?;
    edit(name)
}

fn request_body_required(doc: &mut Value) -> Option<Edit> {
    for (path, method) in ops(doc) {
        let Some(body) = deref(doc, &format!("{}/requestBody", op_ptr(&path, &method))) else {
            continue;
        };
        if doc.pointer(&format!("{body}/required")) != Some(&Value::Bool(true)) {
            set(doc, &body, "required", json!(true))?;
            return edit(op_name(&path, &method));
        }
    }
    None
}

fn remove_response_property(doc: &mut Value) -> Option<Edit> {
    let (name, obj, prop, _) = response_props(doc).into_iter().next()?;
    let node = doc.pointer_mut(&obj)?.as_object_mut()?;
    node.get_mut("properties")?
        .as_object_mut()?
        .shift_remove(&prop);
    if let Some(req) = node.get_mut("required").and_then(Value::as_array_mut) {
        req.retain(|r| r.as_str() != Some(prop.as_str()));
    }
    edit(name)
}

fn response_property_optional(doc: &mut Value) -> Option<Edit> {
    let (name, obj, prop, _) = response_props(doc)
        .into_iter()
        .find(|(_, obj, prop, _)| required_of(doc, obj).contains(prop))?;
    let req = doc
        .pointer_mut(&format!("{obj}/required"))?
        .as_array_mut()?;
    req.retain(|r| r.as_str() != Some(prop.as_str()));
    edit(name)
}

fn typed_response_prop(doc: &Value) -> Option<(String, String)> {
    response_props(doc)
        .into_iter()
        .find_map(|(name, _, _, prop)| {
            let s = deref(doc, &prop)?;
            let t = doc.pointer(&format!("{s}/type"))?.as_str()?;
            (t != "null").then_some((name, s))
        })
}

fn response_nullable(doc: &mut Value) -> Option<Edit> {
    let (name, s) = typed_response_prop(doc)?;
    let t = doc.pointer(&format!("{s}/type"))?.clone();
    set(doc, &s, "type", json!([t, "null"]))?;
    edit(name)
}

fn response_type_changed(doc: &mut Value) -> Option<Edit> {
    let (name, s) = response_props(doc)
        .into_iter()
        .find_map(|(name, _, _, prop)| {
            let s = deref(doc, &prop)?;
            type_is(doc, &s, "string").then_some((name, s))
        })?;
    set(doc, &s, "type", json!("integer"))?;
    edit(name)
}

fn response_enum_widened(doc: &mut Value) -> Option<Edit> {
    let (name, s) = response_props(doc)
        .into_iter()
        .find_map(|(name, _, _, prop)| {
            let s = deref(doc, &prop)?;
            has_enum(doc, &s).then_some((name, s))
        })?;
    doc.pointer_mut(&format!("{s}/enum"))?
        .as_array_mut()?
        .push(json!("mockgen-new-value"));
    edit(name)
}

fn remove_media(doc: &mut Value, request: bool) -> Option<Edit> {
    for (path, method) in ops(doc) {
        let op = op_ptr(&path, &method);
        let containers: Vec<String> = if request {
            deref(doc, &format!("{op}/requestBody"))
                .into_iter()
                .collect()
        } else {
            doc.pointer(&format!("{op}/responses"))
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|r| r.keys())
                .filter_map(|k| deref(doc, &format!("{op}/responses/{}", esc(k))))
                .collect()
        };
        for c in containers {
            let Some(content) = doc
                .pointer(&format!("{c}/content"))
                .and_then(Value::as_object)
            else {
                continue;
            };
            let enough = if request {
                content.len() >= 2
            } else {
                !content.is_empty()
            };
            if !enough || content.keys().any(|k| k.contains('*')) {
                continue;
            }
            let first = content.keys().next()?.clone();
            doc.pointer_mut(&format!("{c}/content"))?
                .as_object_mut()?
                .shift_remove(&first);
            return edit(op_name(&path, &method));
        }
    }
    None
}

fn remove_response_media(doc: &mut Value) -> Option<Edit> {
    remove_media(doc, false)
}

fn remove_request_media(doc: &mut Value) -> Option<Edit> {
    remove_media(doc, true)
}

fn response_variant_added(doc: &mut Value) -> Option<Edit> {
    let (path, method, media) = ops(doc).into_iter().find_map(|(p, m)| {
        let media = response_media(doc, &op_ptr(&p, &m))?;
        doc.pointer(&format!("{media}/schema"))?;
        Some((p, m, media))
    })?;
    let media_obj = doc.pointer_mut(&media)?.as_object_mut()?;
    let old = media_obj.remove("schema")?;
    media_obj.insert(
        "schema".into(),
        json!({"oneOf": [old, {"type": "string", "pattern": "^mockgen$"}]}),
    );
    edit(op_name(&path, &method))
}

fn request_variant_removed(doc: &mut Value) -> Option<Edit> {
    for (path, method) in ops(doc) {
        let Some(media) = request_media(doc, &op_ptr(&path, &method)) else {
            continue;
        };
        let Some(s) = deref(doc, &format!("{media}/schema")) else {
            continue;
        };
        for key in ["oneOf", "anyOf"] {
            let Some(branches) = doc.pointer(&format!("{s}/{key}")).and_then(Value::as_array)
            else {
                continue;
            };
            if branches.len() < 2 {
                continue;
            }
            doc.pointer_mut(&format!("{s}/{key}"))?
                .as_array_mut()?
                .pop();
            return edit(op_name(&path, &method));
        }
    }
    None
}

fn security_added(doc: &mut Value) -> Option<Edit> {
    let (path, method) = ops(doc).into_iter().next()?;
    let root = doc.as_object_mut()?;
    let components = root.entry("components").or_insert_with(|| json!({}));
    let schemes = components
        .as_object_mut()?
        .entry("securitySchemes")
        .or_insert_with(|| json!({}));
    schemes.as_object_mut()?.insert(
        "mockgenKey".into(),
        json!({"type": "apiKey", "name": "X-Mockgen-Key", "in": "header"}),
    );
    set(
        doc,
        &op_ptr(&path, &method),
        "security",
        json!([{"mockgenKey": []}]),
    )?;
    edit(op_name(&path, &method))
}

fn base_path_changed(doc: &mut Value) -> Option<Edit> {
    doc.as_object_mut()?.insert(
        "servers".into(),
        json!([{"url": "https://mockgen.example/mockgen-v2"}]),
    );
    Some(Edit {
        operation: String::new(),
    })
}

// ---------------------------------------------------------------------------------------------
// Harmless edits.

fn add_optional_request_property(doc: &mut Value) -> Option<Edit> {
    let (name, obj) = with_request_object(doc, |_, _| true)?;
    doc.pointer_mut(&format!("{obj}/properties"))?
        .as_object_mut()?
        .insert("mockgenOptional".into(), json!({"type": "string"}));
    edit(name)
}

fn add_response_property(doc: &mut Value) -> Option<Edit> {
    let (name, obj, _, _) = response_props(doc).into_iter().next()?;
    doc.pointer_mut(&format!("{obj}/properties"))?
        .as_object_mut()?
        .insert("mockgenExtra".into(), json!({"type": "integer"}));
    edit(name)
}

fn add_operation(doc: &mut Value) -> Option<Edit> {
    let root = doc.as_object_mut()?;
    let paths = root.entry("paths").or_insert_with(|| json!({}));
    paths.as_object_mut()?.insert(
        "/mockgen-added/{thing}".into(),
        json!({"get": {
            "parameters": [{"name": "thing", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}
        }}),
    );
    edit("GET /mockgen-added/{thing}".to_owned())
}

/// Every media-type schema location of every operation (request first, then responses).
fn media_schemas(doc: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, method) in ops(doc) {
        let op = op_ptr(&path, &method);
        let name = op_name(&path, &method);
        if let Some(m) = request_media(doc, &op) {
            out.push((name.clone(), format!("{m}/schema")));
        }
        if let Some(m) = response_media(doc, &op) {
            out.push((name, format!("{m}/schema")));
        }
    }
    out
}

fn inline_component(doc: &mut Value) -> Option<Edit> {
    let (name, at, target) = media_schemas(doc).into_iter().find_map(|(name, at)| {
        let r = doc.pointer(&at)?.as_object()?;
        if r.len() != 1 {
            return None;
        }
        let target = deref(doc, &at)?;
        target
            .starts_with("/components/schemas/")
            .then_some((name, at, target))
    })?;
    let copy = doc.pointer(&target)?.clone();
    *doc.pointer_mut(&at)? = copy;
    edit(name)
}

fn extract_inline(doc: &mut Value) -> Option<Edit> {
    let (name, at) = media_schemas(doc).into_iter().find(|(_, at)| {
        doc.pointer(at)
            .and_then(Value::as_object)
            .is_some_and(|m| !m.contains_key("$ref") && m.contains_key("properties"))
    })?;
    let schema = doc.pointer(&at)?.clone();
    let root = doc.as_object_mut()?;
    let components = root.entry("components").or_insert_with(|| json!({}));
    let schemas = components
        .as_object_mut()?
        .entry("schemas")
        .or_insert_with(|| json!({}));
    schemas
        .as_object_mut()?
        .insert("MockgenExtracted".into(), schema);
    *doc.pointer_mut(&at)? = json!({"$ref": "#/components/schemas/MockgenExtracted"});
    edit(name)
}

fn rewrite_strings(v: &mut Value, from: &str, to: &str) {
    match v {
        Value::String(s) if s == from || s.starts_with(&format!("{from}/")) => {
            *s = format!("{to}{}", &s[from.len()..]);
        }
        Value::Array(a) => a.iter_mut().for_each(|x| rewrite_strings(x, from, to)),
        Value::Object(m) => m.values_mut().for_each(|x| rewrite_strings(x, from, to)),
        _ => {}
    }
}

fn rename_component(doc: &mut Value) -> Option<Edit> {
    let text = doc.to_string();
    let name = doc
        .pointer("/components/schemas")?
        .as_object()?
        .keys()
        .find(|k| {
            k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && text.contains(&format!("\"#/components/schemas/{k}\""))
        })?
        .clone();
    let renamed = format!("{name}MockgenRenamed");
    let schemas = doc.pointer_mut("/components/schemas")?.as_object_mut()?;
    let value = schemas.shift_remove(&name)?;
    schemas.insert(renamed.clone(), value);
    rewrite_strings(
        doc,
        &format!("#/components/schemas/{name}"),
        &format!("#/components/schemas/{renamed}"),
    );
    edit(String::new())
}

fn reverse_keys(v: &mut Value) {
    match v {
        Value::Array(a) => a.iter_mut().for_each(reverse_keys),
        Value::Object(m) => {
            let taken = std::mem::take(m);
            let mut entries: Vec<(String, Value)> = taken.into_iter().collect();
            entries.reverse();
            for (k, mut child) in entries {
                reverse_keys(&mut child);
                m.insert(k, child);
            }
        }
        _ => {}
    }
}

fn reorder_keys(doc: &mut Value) -> Option<Edit> {
    reverse_keys(doc);
    edit(String::new())
}

fn edit_descriptions(v: &mut Value) {
    match v {
        Value::Array(a) => a.iter_mut().for_each(edit_descriptions),
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                match (k.as_str(), &mut *child) {
                    ("description" | "summary" | "title", Value::String(s)) => {
                        s.push_str(" (edited)");
                    }
                    ("enum" | "const" | "example" | "examples" | "default", _) => {}
                    _ => edit_descriptions(child),
                }
            }
        }
        _ => {}
    }
}

fn change_descriptions(doc: &mut Value) -> Option<Edit> {
    edit_descriptions(doc);
    edit(String::new())
}

fn add_optional_query(doc: &mut Value) -> Option<Edit> {
    add_param(
        doc,
        json!({"name": "mockgenOptional", "in": "query", "schema": {"type": "integer", "maximum": 5}}),
    )
}

fn add_response_status(doc: &mut Value) -> Option<Edit> {
    let (path, method) = ops(doc).into_iter().find(|(p, m)| {
        doc.pointer(&format!("{}/responses/418", op_ptr(p, m)))
            .is_none()
    })?;
    let op = doc.pointer_mut(&op_ptr(&path, &method))?.as_object_mut()?;
    let responses = op.entry("responses").or_insert_with(|| json!({}));
    responses.as_object_mut()?.insert(
        "418".into(),
        json!({"description": "a teapot", "content": {"application/json": {"schema": {"type": "object"}}}}),
    );
    edit(op_name(&path, &method))
}

fn add_request_enum_value(doc: &mut Value) -> Option<Edit> {
    let (name, s) = first_site(doc, has_enum)?;
    let values = doc.pointer_mut(&format!("{s}/enum"))?.as_array_mut()?;
    let extra = if values.iter().any(Value::is_number) {
        json!(987_654)
    } else {
        json!("mockgen-extra")
    };
    values.push(extra);
    edit(name)
}

fn loosen_constraint(doc: &mut Value) -> Option<Edit> {
    let (name, s) = first_site(doc, |d, s| {
        d.pointer(s).is_some_and(|n| {
            ["maximum", "maxLength", "pattern", "minLength", "minimum"]
                .iter()
                .any(|k| n.get(*k).is_some())
        })
    })?;
    let node = doc.pointer_mut(&s)?.as_object_mut()?;
    if let Some(m) = node.get("maximum").and_then(Value::as_f64) {
        node.insert("maximum".into(), json!(m + 1000.0));
    } else if let Some(m) = node.get("maxLength").and_then(Value::as_u64) {
        node.insert("maxLength".into(), json!(m + 1000));
    } else if node.contains_key("pattern") {
        node.remove("pattern");
    } else if node.contains_key("minLength") {
        node.remove("minLength");
    } else {
        node.remove("minimum");
    }
    edit(name)
}

fn add_media_type(doc: &mut Value) -> Option<Edit> {
    let (path, method, media) = ops(doc).into_iter().find_map(|(p, m)| {
        let media = response_media(doc, &op_ptr(&p, &m))?;
        Some((p, m, media))
    })?;
    let copy = doc.pointer(&media)?.clone();
    let (content, _) = media.rsplit_once('/')?;
    doc.pointer_mut(content)?
        .as_object_mut()?
        .insert("application/x-mockgen+json".into(), copy);
    edit(op_name(&path, &method))
}

fn split_into_all_of(doc: &mut Value) -> Option<Edit> {
    let (name, obj) = with_request_object(doc, |d, o| {
        d.pointer(o).is_some_and(|n| {
            n.get("additionalProperties") != Some(&Value::Bool(false))
                && n["properties"].as_object().is_some_and(|p| p.len() >= 2)
        })
    })?;
    let node = doc.pointer_mut(&obj)?.as_object_mut()?;
    let props = node.remove("properties")?;
    let required: Vec<Value> = node
        .remove("required")
        .and_then(|r| r.as_array().cloned())
        .unwrap_or_default();
    let props = props.as_object()?.clone();
    let half = props.len() / 2;
    let mut parts = Vec::new();
    for chunk in [
        props.iter().take(half).collect::<Vec<_>>(),
        props.iter().skip(half).collect::<Vec<_>>(),
    ] {
        let mut p = Map::new();
        let mut r = Vec::new();
        for (k, v) in chunk {
            p.insert(k.clone(), v.clone());
            if required.iter().any(|x| x.as_str() == Some(k)) {
                r.push(json!(k));
            }
        }
        parts.push(json!({"type": "object", "properties": p, "required": r}));
    }
    node.insert("allOf".into(), Value::Array(parts));
    edit(name)
}

fn deprecate_operation(doc: &mut Value) -> Option<Edit> {
    let (path, method) = ops(doc).into_iter().next()?;
    set(doc, &op_ptr(&path, &method), "deprecated", json!(true))?;
    edit(op_name(&path, &method))
}

fn relax_required_request_property(doc: &mut Value) -> Option<Edit> {
    // Only a schema written inline in the request: a shared one may also be a response,
    // where a property becoming optional is breaking.
    let (name, obj) = with_request_object(doc, |d, o| {
        o.starts_with("/paths/") && !required_of(d, o).is_empty()
    })?;
    doc.pointer_mut(&format!("{obj}/required"))?
        .as_array_mut()?
        .pop();
    edit(name)
}

// ---------------------------------------------------------------------------------------------

const BREAKING: &[(&str, &str, Mutate)] = &[
    ("remove an operation", "operation-removed", remove_operation),
    (
        "remove a response status",
        "response-status-removed",
        remove_status,
    ),
    (
        "add a required query parameter",
        "required-parameter-added",
        add_required_query,
    ),
    (
        "add a required header",
        "required-header-added",
        add_required_header,
    ),
    (
        "make a query parameter required",
        "parameter-became-required",
        param_becomes_required,
    ),
    (
        "add a required request property",
        "request-required-property-added",
        add_required_request_property,
    ),
    (
        "make a request property required",
        "request-property-became-required",
        request_property_becomes_required,
    ),
    (
        "lower a request maximum",
        "request-max-decreased",
        max_decreased,
    ),
    (
        "raise a request minimum",
        "request-min-increased",
        min_increased,
    ),
    (
        "lower a request maxLength",
        "request-max-length-decreased",
        max_length_decreased,
    ),
    (
        "raise a request minLength",
        "request-min-length-increased",
        min_length_increased,
    ),
    (
        "add a request pattern",
        "request-pattern-added",
        pattern_added,
    ),
    (
        "remove a request enum value",
        "request-enum-value-removed",
        enum_value_removed,
    ),
    (
        "narrow a request type",
        "request-type-narrowed",
        type_narrowed,
    ),
    (
        "close request additionalProperties",
        "request-additional-properties-closed",
        additional_properties_closed,
    ),
    (
        "make the request body required",
        "request-body-became-required",
        request_body_required,
    ),
    (
        "remove a response property",
        "response-property-removed",
        remove_response_property,
    ),
    (
        "make a response property optional",
        "response-property-became-optional",
        response_property_optional,
    ),
    (
        "make a response property nullable",
        "response-property-became-nullable",
        response_nullable,
    ),
    (
        "change a response property type",
        "response-type-changed",
        response_type_changed,
    ),
    (
        "widen a response enum",
        "response-enum-widened",
        response_enum_widened,
    ),
    (
        "remove a response media type",
        "response-media-type-removed",
        remove_response_media,
    ),
    (
        "remove a request media type",
        "request-media-type-removed",
        remove_request_media,
    ),
    (
        "add a oneOf branch to a response",
        "response-variant-added",
        response_variant_added,
    ),
    (
        "remove a oneOf/anyOf branch from a request",
        "request-variant-removed",
        request_variant_removed,
    ),
    (
        "add a security requirement",
        "security-requirement-added",
        security_added,
    ),
    (
        "change the base path",
        "base-path-changed",
        base_path_changed,
    ),
];

const HARMLESS: &[(&str, Mutate)] = &[
    (
        "add an optional request property",
        add_optional_request_property,
    ),
    ("add a response property", add_response_property),
    ("add an operation", add_operation),
    ("inline a component schema", inline_component),
    ("move an inline schema into components", extract_inline),
    ("rename a component schema", rename_component),
    ("reorder every key", reorder_keys),
    (
        "change descriptions, summaries and titles",
        change_descriptions,
    ),
    ("add an optional query parameter", add_optional_query),
    ("add a response status", add_response_status),
    ("add a request enum value", add_request_enum_value),
    ("loosen a request constraint", loosen_constraint),
    ("add a response media type", add_media_type),
    ("split a request schema into allOf parts", split_into_all_of),
    ("deprecate an operation", deprecate_operation),
    (
        "make a required request property optional",
        relax_required_request_property,
    ),
];

fn breaking(changes: &[Change]) -> Vec<&Change> {
    changes
        .iter()
        .filter(|c| c.severity == Severity::Breaking)
        .collect()
}

fn show(changes: &[&Change]) -> String {
    changes
        .iter()
        .take(5)
        .map(|c| format!("\n    {} {} — {}", c.rule, c.operation, c.message))
        .collect()
}

/// Every check on one spec: (failures, mutation kinds applied).
fn check_spec(file: &std::path::Path) -> (Vec<String>, Vec<&'static str>) {
    let mut failures = Vec::new();
    let mut applied = Vec::new();
    let short = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = std::fs::read_to_string(file).expect("spec is readable");
    let original = load_text(&short, text);
    let Some(spec) = &original.spec else {
        failures.push(format!("{short}: does not load"));
        return (failures, applied);
    };
    let mut base_value = (*spec.documents[0]).clone();
    base_value["openapi"] = json!("3.1.0");
    let base = load_text("base.json", base_value.to_string());
    // Harmless: the normalised 3.1 form of a document is the same contract.
    let changes = diff(&original, &base);
    let b = breaking(&changes);
    if !b.is_empty() {
        failures.push(format!(
            "{short}: normalising to 3.1 reported breaking changes:{}",
            show(&b)
        ));
    }
    // Diffing a document with itself finds nothing at all.
    let same = diff_with(&base, &base, false);
    if !same.is_empty() {
        let all: Vec<&Change> = same.iter().collect();
        failures.push(format!(
            "{short}: diff with itself is not empty:{}",
            show(&all)
        ));
    }
    for (what, rule, mutate) in BREAKING {
        let mut value = base_value.clone();
        let Some(edit) = mutate(&mut value) else {
            continue;
        };
        applied.push(*what);
        let new = load_text("new.json", value.to_string());
        let changes = diff_with(&base, &new, false);
        let found = changes
            .iter()
            .any(|c| c.rule == *rule && c.operation == edit.operation);
        if !found {
            let all: Vec<&Change> = changes.iter().collect();
            failures.push(format!(
                "{short}: {what}: expected {rule} on `{}`; got:{}",
                edit.operation,
                show(&all)
            ));
        }
    }
    for (what, mutate) in HARMLESS {
        let mut value = base_value.clone();
        if mutate(&mut value).is_none() {
            continue;
        }
        applied.push(*what);
        let new = load_text("new.json", value.to_string());
        let changes = diff_with(&base, &new, false);
        let b = breaking(&changes);
        if !b.is_empty() {
            failures.push(format!("{short}: {what} (harmless) reported:{}", show(&b)));
        }
    }
    (failures, applied)
}

#[test]
fn mutations_over_the_real_world_specs() {
    let mut files: Vec<(u64, PathBuf)> = std::fs::read_dir(specs_dir())
        .expect("../shared/specs is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json" || x == "yaml"))
        .map(|p| (std::fs::metadata(&p).map_or(0, |m| m.len()), p))
        .collect();
    assert!(
        files.len() >= 25,
        "expected the 25 shared specs, found {}",
        files.len()
    );
    // Largest first, shared between a few threads (each spec is loaded once, by one thread).
    files.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4));
    let results: Vec<(Vec<String>, Vec<&'static str>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((_, file)) = files.get(i) else { break };
                        mine.push(check_spec(file));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a worker panicked"))
            .collect()
    });
    let mut failures: Vec<String> = Vec::new();
    let mut applied: BTreeMap<&str, usize> = BTreeMap::new();
    for (f, a) in results {
        failures.extend(f);
        for what in a {
            *applied.entry(what).or_default() += 1;
        }
    }
    failures.sort();
    for (what, _, _) in BREAKING {
        if !applied.contains_key(what) {
            failures.push(format!("breaking edit `{what}` applied to no spec"));
        }
    }
    for (what, _) in HARMLESS {
        if !applied.contains_key(what) {
            failures.push(format!("harmless edit `{what}` applied to no spec"));
        }
    }
    eprintln!("edits applied (kind: specs): {applied:?}");
    assert!(BREAKING.len() >= 15 && HARMLESS.len() >= 10);
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every rule the crate can report is documented with an example in docs/diff-rules.md.
#[test]
fn every_rule_is_documented() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/diff-rules.md");
    let text = std::fs::read_to_string(&path).expect("docs/diff-rules.md is readable");
    let missing: Vec<&str> = mockgen_diff::RULES
        .iter()
        .map(|r| r.id)
        .filter(|id| !text.contains(&format!("| `{id}` |")))
        .collect();
    assert!(
        missing.is_empty(),
        "rules missing from docs/diff-rules.md: {missing:?}"
    );
    let mut ids: Vec<&str> = mockgen_diff::RULES.iter().map(|r| r.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), mockgen_diff::RULES.len(), "rule ids are unique");
}

/// Two unrelated documents (each small shared spec against the next one) compare without
/// panicking, in both directions, and the same way twice.
#[test]
fn unrelated_specs_compare_without_panicking() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(specs_dir())
        .expect("../shared/specs is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json" || x == "yaml"))
        .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() < 70_000))
        .collect();
    files.sort();
    let loaded: Vec<Loaded> = files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).expect("readable");
            load_text(&f.to_string_lossy(), text)
        })
        .collect();
    assert!(loaded.len() >= 8);
    for (i, a) in loaded.iter().enumerate() {
        let b = &loaded[(i + 1) % loaded.len()];
        let forward = diff(a, b);
        let backward = diff(b, a);
        assert_eq!(forward, diff(a, b), "deterministic");
        if a.spec.as_ref().is_some_and(|s| !s.operations.is_empty())
            && b.spec.as_ref().is_some_and(|s| !s.operations.is_empty())
        {
            assert!(!forward.is_empty() && !backward.is_empty());
        }
    }
}
