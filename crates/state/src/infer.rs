//! Resources inferred from the spec alone: a collection path with `POST` and a member path
//! `/{id}` below it, their id field, their list and object shapes, and who their parent is.

use crate::schema::{self, Node};
use mockgen_spec::{Operation, ParamIn, Spec, StatusKey, media_essence};
use serde_json::Value;

/// What an operation does to its resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Create,
    List,
    Get,
    Replace,
    Patch,
    Delete,
}

/// How the resource's object sits in a response body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shape {
    /// The body is the object.
    Object,
    /// The body is an object whose property holds the object.
    Wrapped(String),
    /// The body is an array of objects.
    Array,
    /// The body is an object whose property holds the array.
    Envelope(String),
    /// No JSON body, or one that is not shaped like the resource.
    Other,
}

/// One operation of a resource and the answer it gives.
#[derive(Clone, Debug)]
pub struct Plan {
    pub operation: usize,
    pub role: Role,
    /// The success status answered.
    pub status: u16,
    /// Whether that response has a body.
    pub has_body: bool,
    pub shape: Shape,
    /// The status for "no such object": 404 (declared or not).
    pub not_found: u16,
    /// Whether the operation declares it (404, `4XX` or `default`). When it does not, an id
    /// never seen gets the spec's stateless answer; only a deleted one gets the 404.
    pub declares_not_found: bool,
    /// Whether the operation declares 409 (a create with a client id already taken).
    pub conflict: bool,
    /// A list answer's `maxItems`: pages are cut to it.
    pub max_items: Option<usize>,
}

/// How ids are made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdKind {
    Integer,
    Uuid,
    /// A plain string: the sequence number.
    Text,
    /// A constrained string (pattern, format, length…): taken from generated data.
    Generated,
}

/// A resource: a collection and its members.
#[derive(Clone, Debug)]
pub struct Resource {
    /// The collection path template (`/owners/{ownerId}/pets`): the resource's name.
    pub key: String,
    /// The member path template (`/pets/{petId}`), when there is one.
    pub member: Option<String>,
    /// The member path's id parameter.
    pub id_param: Option<String>,
    /// The object property holding the id.
    pub id_field: Option<String>,
    pub id_kind: IdKind,
    /// The collection's path parameters (the parent ids), in template order.
    pub scope: Vec<String>,
    /// For each scope parameter, the object property that repeats it (`ownerId`).
    pub scope_fields: Vec<Option<String>>,
    /// How each scope value is typed in the object.
    pub scope_kinds: Vec<IdKind>,
    /// The parent resource (index in the list) when the last scope parameter is its id.
    pub parent: Option<usize>,
    pub plans: Vec<Plan>,
    /// The operation and status whose response is the canonical object (member GET, else the
    /// create answer).
    pub canonical: Option<(usize, u16)>,
    /// Properties filled by the server: readOnly ones and required ones.
    pub read_only: Vec<String>,
    pub required: Vec<String>,
    pub write_only: Vec<String>,
    /// Every property of the object.
    pub fields: Vec<String>,
}

impl Resource {
    pub fn plan(&self, operation: usize) -> Option<&Plan> {
        self.plans.iter().find(|p| p.operation == operation)
    }

    pub fn plan_for(&self, role: Role) -> Option<&Plan> {
        self.plans.iter().find(|p| p.role == role)
    }
}

/// Every resource of `spec`, in path order of first appearance.
pub fn infer(spec: &Spec) -> Vec<Resource> {
    let ops = &spec.operations;
    let mut paths: Vec<String> = Vec::new();
    for op in ops {
        let p = norm(&op.path);
        if !paths.contains(&p) {
            paths.push(p);
        }
    }
    let find = |path: &str, method: &str| -> Option<usize> {
        ops.iter()
            .position(|o| norm(&o.path) == path && o.method.eq_ignore_ascii_case(method))
    };
    let mut out: Vec<Resource> = Vec::new();
    let mut taken: Vec<usize> = Vec::new();
    for collection in &paths {
        let Some(last) = collection.rsplit('/').next() else {
            continue;
        };
        if last.is_empty() || last.contains('{') || !collection.starts_with('/') {
            continue;
        }
        let member = paths.iter().find(|m| {
            m.strip_prefix(collection.as_str())
                .and_then(|rest| rest.strip_prefix('/'))
                .is_some_and(single_param)
        });
        let post = find(collection, "POST");
        let list = find(collection, "GET");
        let (get, put, patch, delete) = match member {
            Some(m) => (
                find(m, "GET"),
                find(m, "PUT"),
                find(m, "PATCH"),
                find(m, "DELETE"),
            ),
            None => (None, None, None, None),
        };
        let member_ops = get.is_some() || put.is_some() || patch.is_some() || delete.is_some();
        // Creators elsewhere: POSTs on sibling paths answering the collection's item schema
        // (`POST /accounts/{id}/deposits` → `GET /accounts/{id}/transactions`).
        let mut creators: Vec<usize> = post.into_iter().collect();
        if post.is_none()
            && let Some(list) = list
            && let Some(item) = list_item(spec, &ops[list])
        {
            let parent = collection.rsplit_once('/').map_or("", |(p, _)| p);
            for (i, op) in ops.iter().enumerate() {
                let p = norm(&op.path);
                let sibling = p
                    .strip_prefix(parent)
                    .and_then(|r| r.strip_prefix('/'))
                    .is_some_and(|r| !r.is_empty() && !r.contains('/') && !r.contains('{'));
                if !sibling || p == *collection || !op.method.eq_ignore_ascii_case("POST") {
                    continue;
                }
                // The sibling must not be a collection of its own.
                if find(&p, "GET").is_some()
                    || paths.iter().any(|m| m.starts_with(&format!("{p}/")))
                {
                    continue;
                }
                if let Some((_, _, Some(schema))) = success(spec, op, Role::Create)
                    && schema::same_or_member(spec, schema, item)
                {
                    creators.push(i);
                }
            }
        }
        // A member path is required (the definition; a POST + GET pair alone is too
        // often an import/export or a search): with POST on the collection, or with creators
        // on sibling paths and a list.
        let formed = member_ops && (post.is_some() || (!creators.is_empty() && list.is_some()));
        if !formed {
            continue;
        }
        let mut roles: Vec<(usize, Role)> = creators.iter().map(|&c| (c, Role::Create)).collect();
        for (op, role) in [
            (list, Role::List),
            (find(collection, "PUT"), Role::Replace),
            (find(collection, "PATCH"), Role::Patch),
            (get, Role::Get),
            (put, Role::Replace),
            (patch, Role::Patch),
            (delete, Role::Delete),
        ] {
            if let Some(op) = op {
                roles.push((op, role));
            }
        }
        // An operation that declares no success answer (`POST /pet` answering only 405)
        // stays stateless: the store must not answer a status the spec does not list.
        roles.retain(|(op, role)| !taken.contains(op) && success(spec, &ops[*op], *role).is_some());
        if !roles.iter().any(|(_, r)| *r == Role::Create) {
            continue;
        }
        taken.extend(roles.iter().map(|(op, _)| *op));
        let id_param = member.and_then(|m| m.rsplit('/').next()).map(param_name);
        out.push(build(spec, collection, member.cloned(), id_param, &roles));
    }
    // Parents: the resource whose member template is the collection's prefix.
    let members: Vec<Option<String>> = out.iter().map(|r| r.member.clone()).collect();
    for r in &mut out {
        let prefix = r.key.rsplit_once('/').map_or("", |(p, _)| p);
        r.parent = members
            .iter()
            .position(|m| m.as_deref() == Some(prefix) && !prefix.is_empty());
    }
    out
}

fn build(
    spec: &Spec,
    collection: &str,
    member: Option<String>,
    id_param: Option<String>,
    roles: &[(usize, Role)],
) -> Resource {
    let ops = &spec.operations;
    // The object schema: member GET, else the create answer, else the list's items.
    let mut object: Option<Node<'_>> = None;
    let mut canonical = None;
    for wanted in [Role::Get, Role::Create, Role::Replace, Role::Patch] {
        if let Some((op, _)) = roles.iter().find(|(_, r)| *r == wanted)
            && let Some((status, _, Some(schema))) = success(spec, &ops[*op], wanted)
        {
            let (target, _) = schema::deref(spec, schema);
            let candidate = unwrap_object(spec, target, id_param.as_deref())
                .map(|(_, n)| n)
                .unwrap_or(target);
            if schema::type_of(spec, candidate).is_some_and(|t| t != "object")
                && candidate.get("properties").is_none()
            {
                continue;
            }
            object = Some(candidate);
            canonical = Some((*op, status));
            break;
        }
    }
    if object.is_none()
        && let Some((op, _)) = roles.iter().find(|(_, r)| *r == Role::List)
    {
        object = list_item(spec, &ops[*op]);
    }
    let props = object.map(|o| schema::props(spec, o)).unwrap_or_default();
    let id_field = id_field(&props, id_param.as_deref(), collection);
    let id_schema = id_field
        .as_ref()
        .and_then(|f| props.props.get(f).copied())
        .or_else(|| {
            let name = id_param.as_deref()?;
            let op = roles
                .iter()
                .find(|(_, r)| *r != Role::Create && *r != Role::List)?
                .0;
            let p = ops[op]
                .parameters
                .iter()
                .find(|p| p.location == ParamIn::Path && p.name == name)?;
            Node::at(spec, p.schema.as_ref()?)
        });
    let kind = id_schema.map_or(IdKind::Text, |s| id_kind(spec, s));
    let scope: Vec<String> = collection
        .split('/')
        .filter(|s| single_param(s))
        .map(param_name)
        .collect();
    let scope_fields: Vec<Option<String>> = scope
        .iter()
        .map(|p| {
            props
                .props
                .keys()
                .find(|k| k.as_str() == p || k.eq_ignore_ascii_case(p))
                .cloned()
        })
        .collect();
    let scope_kinds = scope_fields
        .iter()
        .map(|f: &Option<String>| {
            f.as_ref()
                .and_then(|f| props.props.get(f))
                .map_or(IdKind::Text, |n| id_kind(spec, *n))
        })
        .collect();
    let read_only = props
        .props
        .iter()
        .filter(|(_, n)| schema::flag(spec, **n, "readOnly"))
        .map(|(k, _)| k.clone())
        .collect();
    let write_only = props
        .props
        .iter()
        .filter(|(_, n)| schema::flag(spec, **n, "writeOnly"))
        .map(|(k, _)| k.clone())
        .collect();
    let plans = roles
        .iter()
        .map(|&(op, role)| plan(spec, op, role, id_param.as_deref()))
        .collect();
    Resource {
        key: collection.to_owned(),
        member,
        id_param,
        id_field,
        id_kind: kind,
        scope,
        scope_fields,
        scope_kinds,
        parent: None,
        plans,
        canonical,
        read_only,
        required: props.required.clone(),
        write_only,
        fields: props.props.keys().cloned().collect(),
    }
}

fn plan(spec: &Spec, operation: usize, role: Role, id_param: Option<&str>) -> Plan {
    let op = &spec.operations[operation];
    let not_found = 404;
    let declares_not_found = spec.operations[operation].responses.iter().any(|r| {
        matches!(
            r.status,
            StatusKey::Code(404) | StatusKey::Range(4) | StatusKey::Default
        )
    });
    let conflict = spec.operations[operation]
        .responses
        .iter()
        .any(|r| r.status == StatusKey::Code(409));
    let Some((status, has_body, schema)) = success(spec, op, role) else {
        return Plan {
            operation,
            role,
            status: default_status(role),
            has_body: false,
            shape: Shape::Other,
            not_found,
            declares_not_found,
            conflict,
            max_items: None,
        };
    };
    let mut max_items = None;
    let shape = match schema {
        None => Shape::Other,
        Some(schema) => {
            let (target, _) = schema::deref(spec, schema);
            if role == Role::List {
                let shape = list_shape(spec, target);
                let array = match &shape {
                    Shape::Envelope(p) => schema::props(spec, target).props.get(p).copied(),
                    _ => Some(target),
                };
                max_items = array
                    .map(|a| schema::deref(spec, a).0)
                    .and_then(|a| a.get("maxItems"))
                    .and_then(Value::as_u64)
                    .and_then(|n| usize::try_from(n).ok());
                shape
            } else {
                match unwrap_object(spec, target, id_param) {
                    Some((Some(prop), _)) => Shape::Wrapped(prop),
                    Some((None, _)) => Shape::Object,
                    None => Shape::Other,
                }
            }
        }
    };
    Plan {
        operation,
        role,
        status,
        has_body,
        shape,
        not_found,
        declares_not_found,
        conflict,
        max_items,
    }
}

fn default_status(role: Role) -> u16 {
    match role {
        Role::Create => 201,
        Role::Delete => 204,
        _ => 200,
    }
}

/// The success answer of `op` for `role`: status, whether it has a body, and its JSON schema.
fn success<'s>(
    spec: &'s Spec,
    op: &'s Operation,
    role: Role,
) -> Option<(u16, bool, Option<Node<'s>>)> {
    let preferred: &[u16] = match role {
        Role::Create => &[201, 200, 202],
        Role::Delete => &[204, 200, 202],
        _ => &[200],
    };
    let mut pick = None;
    for code in preferred {
        if let Some(r) = op
            .responses
            .iter()
            .find(|r| r.status == StatusKey::Code(*code))
        {
            pick = Some((*code, r));
            break;
        }
    }
    if pick.is_none() {
        pick = op
            .responses
            .iter()
            .filter_map(|r| match r.status {
                StatusKey::Code(c) if (200..300).contains(&c) => Some((c, r)),
                _ => None,
            })
            .min_by_key(|(c, _)| *c);
    }
    if pick.is_none() {
        pick = op
            .responses
            .iter()
            .find(|r| r.status == StatusKey::Range(2))
            .or_else(|| op.responses.iter().find(|r| r.status == StatusKey::Default))
            .map(|r| (default_status(role), r));
    }
    let (status, resp) = pick?;
    let media = resp
        .content
        .iter()
        .find(|m| {
            let e = media_essence(&m.media_type);
            e == "application/json" || e.ends_with("+json")
        })
        .or_else(|| resp.content.first());
    let has_body = media.is_some() && status != 204;
    let schema = media
        .and_then(|m| m.schema.as_ref())
        .and_then(|loc| Node::at(spec, loc));
    Some((status, has_body, schema))
}

/// The item schema of a list operation's success answer.
fn list_item<'s>(spec: &'s Spec, op: &'s Operation) -> Option<Node<'s>> {
    let (_, _, schema) = success(spec, op, Role::List)?;
    let (target, _) = schema::deref(spec, schema?);
    if let Some(items) = schema::items(spec, target) {
        return Some(items);
    }
    match list_shape(spec, target) {
        Shape::Envelope(prop) => {
            let props = schema::props(spec, target);
            schema::items(spec, *props.props.get(&prop)?)
        }
        _ => None,
    }
}

/// Names an envelope's list property usually has, best first.
const LIST_NAMES: &[&str] = &[
    "data", "items", "results", "records", "content", "entries", "values", "elements", "list",
];
/// Names an object wrapper's property usually has.
const OBJECT_NAMES: &[&str] = &["data", "item", "result", "record", "object", "value"];

fn list_shape(spec: &Spec, target: Node<'_>) -> Shape {
    if schema::items(spec, target).is_some() {
        return Shape::Array;
    }
    let props = schema::props(spec, target);
    let arrays: Vec<&String> = props
        .props
        .iter()
        .filter(|(_, n)| schema::items(spec, **n).is_some())
        .map(|(k, _)| k)
        .collect();
    if let Some(name) = LIST_NAMES
        .iter()
        .find_map(|n| arrays.iter().find(|a| a.eq_ignore_ascii_case(n)))
    {
        return Shape::Envelope((*name).clone());
    }
    match arrays.first() {
        Some(first) => Shape::Envelope((*first).clone()),
        None => Shape::Other,
    }
}

/// Whether `target` is the object itself (`(None, target)`) or wraps it in a property
/// (`(Some(prop), inner)`); `None` when it is not an object.
fn unwrap_object<'s>(
    spec: &'s Spec,
    target: Node<'s>,
    id_param: Option<&str>,
) -> Option<(Option<String>, Node<'s>)> {
    let ty = schema::type_of(spec, target);
    let props = schema::props(spec, target);
    if ty.is_some_and(|t| t != "object") || (ty.is_none() && props.props.is_empty()) {
        return None;
    }
    let has_id = |p: &schema::Props<'_>| {
        p.props.keys().any(|k| {
            k == "id" || Some(k.as_str()) == id_param || k.ends_with("Id") || k.ends_with("_id")
        }) || p
            .props
            .values()
            .any(|n| n.get("x-mockgen-id").and_then(Value::as_bool) == Some(true))
    };
    if has_id(&props) {
        return Some((None, target));
    }
    let wraps = |inner: &Node<'s>| {
        let (inner, _) = schema::deref(spec, *inner);
        (schema::type_of(spec, inner).is_none_or(|t| t == "object")
            && has_id(&schema::props(spec, inner)))
        .then_some(inner)
    };
    for name in OBJECT_NAMES {
        if let Some((k, inner)) = props
            .props
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            && let Some(inner) = wraps(inner)
        {
            return Some((Some(k.clone()), inner));
        }
    }
    // `{droplet: {...}, links: {...}}`: the one property that holds an object with an id.
    let mut found = props.props.iter().filter_map(|(k, n)| Some((k, wraps(n)?)));
    if let (Some((k, inner)), None) = (found.next(), found.next()) {
        return Some((Some(k.clone()), inner));
    }
    Some((None, target))
}

fn id_field(props: &schema::Props<'_>, id_param: Option<&str>, collection: &str) -> Option<String> {
    if let Some((k, _)) = props
        .props
        .iter()
        .find(|(_, n)| n.get("x-mockgen-id").and_then(Value::as_bool) == Some(true))
    {
        return Some(k.clone());
    }
    let mut names: Vec<String> = Vec::new();
    if let Some(p) = id_param {
        names.push(p.to_owned());
    }
    names.push("id".to_owned());
    let segment = collection.rsplit('/').next().unwrap_or_default();
    let singular = segment.strip_suffix('s').unwrap_or(segment);
    names.push(format!("{singular}Id"));
    names.push(format!("{singular}_id"));
    if let Some(p) = id_param {
        names.push(p.replace('_', "").to_ascii_lowercase());
    }
    for n in &names {
        if props.props.contains_key(n) {
            return Some(n.clone());
        }
    }
    for n in &names {
        if let Some(k) = props.props.keys().find(|k| k.eq_ignore_ascii_case(n)) {
            return Some(k.clone());
        }
    }
    None
}

fn id_kind(spec: &Spec, node: Node<'_>) -> IdKind {
    let (target, _) = schema::deref(spec, node);
    match schema::type_of(spec, target) {
        Some("integer") => IdKind::Integer,
        Some("number") => IdKind::Integer,
        _ => {
            let format = target.get("format").and_then(Value::as_str);
            if format == Some("uuid") {
                return IdKind::Uuid;
            }
            let constrained = format.is_some()
                || ["pattern", "enum", "const", "minLength", "maxLength"]
                    .iter()
                    .any(|k| target.get(k).is_some());
            if constrained {
                IdKind::Generated
            } else {
                IdKind::Text
            }
        }
    }
}

/// `/pets/` → `/pets` (the root stays `/`).
fn norm(path: &str) -> String {
    let t = path.trim_end_matches('/');
    if t.is_empty() {
        "/".to_owned()
    } else {
        t.to_owned()
    }
}

/// `{petId}` (a whole segment that is one parameter).
fn single_param(segment: &str) -> bool {
    segment.len() > 2
        && segment.starts_with('{')
        && segment.ends_with('}')
        && !segment[1..segment.len() - 1].contains(['{', '}', '/'])
}

fn param_name(segment: &str) -> String {
    segment
        .trim_start_matches('{')
        .trim_end_matches('}')
        .to_owned()
}
