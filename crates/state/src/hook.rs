//! The store as an engine [`Hook`]: CRUD answers for the operations of inferred resources.

use crate::infer::{IdKind, Plan, Resource, Role, Shape, infer};
use crate::store::{Data, Store, Table};
use mockgen_engine::{Answer, AnswerBody, Engine, Exchange, Hook};
use mockgen_spec::{ParamIn, StatusKey};
use serde_json::{Map, Value};
use std::sync::Arc;

/// How a new table is filled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seeding {
    /// From the examples of the list and member answers.
    Examples,
    /// This many generated objects per top-level resource.
    Generated(usize),
}

/// The stateful hook of one engine (one mount).
#[derive(Debug)]
pub struct StateHook {
    resources: Vec<Resource>,
    tables: Vec<Arc<Table>>,
    /// Per operation: (resource, plan index).
    roles: Vec<Option<(usize, usize)>>,
}

impl Store {
    /// Infer the resources of `engine`'s spec and bind them to this store's tables; tables
    /// new to the store are seeded. Called again on every reload with the new engine.
    pub fn attach(&self, engine: &Engine, seeding: Seeding) -> StateHook {
        let resources = infer(engine.spec());
        let mut roles = vec![None; engine.spec().operations.len()];
        let mut tables = Vec::with_capacity(resources.len());
        let mut fresh = Vec::new();
        for (ri, r) in resources.iter().enumerate() {
            for (pi, p) in r.plans.iter().enumerate() {
                if let Some(slot) = roles.get_mut(p.operation) {
                    *slot = Some((ri, pi));
                }
            }
            let (table, new) = self.table(&r.key, !r.scope.is_empty(), r.id_field.clone());
            if new {
                fresh.push(ri);
            }
            tables.push(table);
        }
        let hook = StateHook {
            resources,
            tables,
            roles,
        };
        for ri in fresh {
            hook.seed(engine, ri, seeding);
        }
        hook
    }
}

impl StateHook {
    /// The resources found.
    pub fn resources(&self) -> &[Resource] {
        &self.resources
    }

    fn seed(&self, engine: &Engine, ri: usize, seeding: Seeding) {
        let (Some(r), Some(table)) = (self.resources.get(ri), self.tables.get(ri)) else {
            return;
        };
        if !r.scope.is_empty() {
            table.mark_seeded();
            return;
        }
        let mut objects: Vec<Value> = Vec::new();
        match seeding {
            Seeding::Examples => {
                let spec = engine.spec();
                for plan in &r.plans {
                    if !matches!(plan.role, Role::List | Role::Get) {
                        continue;
                    }
                    let Some(op) = spec.operations.get(plan.operation) else {
                        continue;
                    };
                    let Some(resp) = op
                        .responses
                        .iter()
                        .find(|x| x.status == StatusKey::Code(plan.status))
                    else {
                        continue;
                    };
                    for media in &resp.content {
                        for ex in &media.examples {
                            if let Some(v) = &ex.value {
                                objects.extend(unwrap_all(&plan.shape, v));
                            }
                        }
                    }
                }
            }
            Seeding::Generated(n) => {
                if let Some((op, status)) = r.canonical {
                    let shape = self.canonical_shape(r);
                    for i in 0..n {
                        let key = ["seed".to_owned(), i.to_string()];
                        let keys: Vec<&str> = std::iter::once(r.key.as_str())
                            .chain(key.iter().map(String::as_str))
                            .collect();
                        if let Some(v) = engine.generate_response_body(op, status, &keys)
                            && let Some(o) = unwrap_one(&shape, &v)
                        {
                            let mut o = o;
                            // Fresh ids: generated ones may repeat.
                            if let (Some(f), Value::Object(m)) = (&r.id_field, &mut o) {
                                m.remove(f);
                            }
                            objects.push(o);
                        }
                    }
                }
            }
        }
        {
            let mut data = table.lock();
            for o in objects {
                let Value::Object(mut m) = o else { continue };
                let id = r
                    .id_field
                    .as_ref()
                    .and_then(|f| m.get(f))
                    .and_then(id_string);
                let id = match id {
                    Some(id) => id,
                    None => {
                        let Some((id, value)) = self.new_id(engine, r, &mut data) else {
                            continue;
                        };
                        if let Some(f) = &r.id_field {
                            m.insert(f.clone(), value);
                        }
                        id
                    }
                };
                let id = canonical_id(r.id_kind, &id);
                let key = (String::new(), id.clone());
                if data.items.contains_key(&key) {
                    continue;
                }
                let stored = self.conform_object(engine, r, Value::Object(m), &id);
                data.items.insert(key, stored);
                // Not `renumber`: that walks every item, for each of `--seed-items`' thousands.
                data.reserve(&id);
            }
        }
        table.mark_seeded();
    }

    fn canonical_shape(&self, r: &Resource) -> Shape {
        r.canonical
            .and_then(|(op, _)| r.plan(op))
            .map_or(Shape::Object, |p| p.shape.clone())
    }

    /// A fresh id (and its JSON value) from the table's sequence.
    fn new_id(&self, engine: &Engine, r: &Resource, data: &mut Data) -> Option<(String, Value)> {
        for _ in 0..64 {
            let n = data.next;
            data.next = data.next.saturating_add(1);
            let (id, value) = match r.id_kind {
                IdKind::Integer => (n.to_string(), Value::from(n)),
                IdKind::Text => (n.to_string(), Value::String(n.to_string())),
                IdKind::Uuid => {
                    let u = uuid_of(&r.key, n);
                    (u.clone(), Value::String(u))
                }
                IdKind::Generated => {
                    let (op, status) = r.canonical?;
                    let n = n.to_string();
                    let v = engine.generate_response_body(op, status, &[&r.key, "id", &n])?;
                    let o = unwrap_one(&self.canonical_shape(r), &v)?;
                    let value = o.get(r.id_field.as_deref()?)?.clone();
                    (id_string(&value)?, value)
                }
            };
            if !data.items.keys().any(|(_, k)| *k == id) {
                return Some((id, value));
            }
        }
        None
    }

    /// The object as the canonical answer will show it: invalid parts replaced by generated
    /// data (see [`conform`]).
    fn conform_object(&self, engine: &Engine, r: &Resource, obj: Value, id: &str) -> Value {
        let Some((op, status)) = r.canonical else {
            return obj;
        };
        let shape = self.canonical_shape(r);
        let body = conform(engine, r, op, status, &shape, obj.clone(), id);
        unwrap_one(&shape, &body).unwrap_or(obj)
    }

    /// Whether the parent object the path names is not in the store: `Some(deleted)` when
    /// it is missing (`deleted`: it was deleted since the last reset), `None` when it is
    /// there or the resource has no parent.
    fn parent_missing(&self, r: &Resource, ex: &Exchange<'_>) -> Option<bool> {
        let parent = r.parent?;
        let (Some(pr), Some(pt)) = (self.resources.get(parent), self.tables.get(parent)) else {
            return None;
        };
        let values: Vec<&str> = ex.path_params.iter().map(|(_, v)| v.as_str()).collect();
        let n = r.scope.len();
        if n == 0 || values.len() < n {
            return None;
        }
        let scope = values.get(..n - 1)?.join("/");
        let id = canonical_id(pr.id_kind, values.get(n - 1)?);
        let key = (scope, id);
        let data = pt.lock();
        (!data.items.contains_key(&key)).then(|| data.deleted.contains(&key))
    }
}

impl Hook for StateHook {
    fn decide(&self, engine: &Engine, ex: &Exchange<'_>) -> Option<Answer> {
        let (ri, pi) = (*self.roles.get(ex.operation)?)?;
        let r = self.resources.get(ri)?;
        let plan = r.plans.get(pi)?;
        let table = self.tables.get(ri)?;
        let values: Vec<&str> = ex.path_params.iter().map(|(_, v)| v.as_str()).collect();
        let scope = values.get(..r.scope.len())?.join("/");
        if let Some(deleted) = self.parent_missing(r, ex) {
            // Like a missing object: the spec's 404 when it declares one (or the parent was
            // deleted); else the stateless answer, never an undeclared status.
            return (plan.declares_not_found || deleted).then(|| not_found(engine, ex, plan));
        }
        match plan.role {
            Role::Create => self.create(engine, ex, r, plan, table, scope),
            Role::List => Some(self.list(engine, ex, r, plan, table, &scope)),
            Role::Get | Role::Replace | Role::Patch | Role::Delete => {
                // A PUT/PATCH on the collection (`PUT /pet`) names the object in its body.
                let raw = match values.get(r.scope.len()) {
                    Some(raw) => (*raw).to_owned(),
                    None => ex
                        .body
                        .and_then(|b| b.get(r.id_field.as_deref()?))
                        .and_then(id_string)?,
                };
                let id = canonical_id(r.id_kind, &raw);
                let key = (scope, id.clone());
                let obj = match plan.role {
                    Role::Get => table.lock().items.get(&key).cloned(),
                    Role::Delete => {
                        let mut data = table.lock();
                        let removed = data.items.shift_remove(&key);
                        if removed.is_some() {
                            data.deleted.insert(key.clone());
                        }
                        removed
                    }
                    _ => {
                        let body = match ex.body {
                            Some(Value::Object(m)) => m.clone(),
                            None => Map::new(),
                            // Not an object (its schema allowed that): no fields to take.
                            Some(_) => Map::new(),
                        };
                        let mut data = table.lock();
                        let old = data.items.get(&key).cloned();
                        match old {
                            None => None,
                            Some(old) => {
                                let new = if plan.role == Role::Patch {
                                    let mut merged = old.clone();
                                    merge_patch(&mut merged, &Value::Object(body));
                                    merged
                                } else {
                                    let mut new = Value::Object(body);
                                    carry(r, &old, &mut new, &request_defaults(engine, ex));
                                    new
                                };
                                let mut new = new;
                                self.pin(r, &mut new, &key.0, &id);
                                let stored = self.conform_object(engine, r, new, &id);
                                data.items.insert(key.clone(), stored.clone());
                                Some(stored)
                            }
                        }
                    }
                };
                match obj {
                    // The spec has no "not found" for this operation: an id never seen gets
                    // the stateless answer; a deleted one is still gone.
                    None if !plan.declares_not_found && !table.lock().deleted.contains(&key) => {
                        None
                    }
                    None => Some(not_found(engine, ex, plan)),
                    Some(obj) => Some(self.answer_object(engine, r, plan, obj, &id, Vec::new())),
                }
            }
        }
    }
}

impl StateHook {
    fn create(
        &self,
        engine: &Engine,
        ex: &Exchange<'_>,
        r: &Resource,
        plan: &Plan,
        table: &Table,
        scope: String,
    ) -> Option<Answer> {
        let body = match ex.body {
            Some(Value::Object(m)) => m.clone(),
            None => Map::new(),
            // Not an object (its schema allowed that): an object of server fields only.
            Some(_) => Map::new(),
        };
        // The client's own id when it sends one (natural keys: `username`), else a fresh one.
        // The table stays locked until the object is stored: two concurrent creates with the
        // same client id must not both succeed (the second is a 409, or replaces the first),
        // and a fresh id must not be taken by a client-chosen one in between.
        let given = r
            .id_field
            .as_ref()
            .filter(|f| !r.read_only.contains(f))
            .and_then(|f| Some((body.get(f)?.clone(), f)))
            .and_then(|(v, _)| Some((canonical_id(r.id_kind, &id_string(&v)?), v)));
        let mut data = table.lock();
        let (id, id_value) = match given {
            // Taken: the spec's 409 when it has one, else the new object replaces it.
            Some((id, _))
                if plan.conflict && data.items.contains_key(&(scope.clone(), id.clone())) =>
            {
                return Some(Answer {
                    status: 409,
                    body: AnswerBody::Declared,
                    headers: Vec::new(),
                });
            }
            Some((id, v)) => {
                data.reserve(&id);
                (id, v)
            }
            None => self.new_id(engine, r, &mut data)?,
        };
        let mut obj = Value::Object(body);
        // Server-generated fields: readOnly and required ones the client did not send.
        // From this operation's own answer first (`POST …/deposits` answers a Deposit).
        let generated = engine
            .generate_response_body(plan.operation, plan.status, &[&r.key, "create", &id])
            .and_then(|v| unwrap_one(&plan.shape, &v))
            .or_else(|| {
                let (op, status) = r.canonical?;
                let v = engine.generate_response_body(op, status, &[&r.key, "create", &id])?;
                unwrap_one(&self.canonical_shape(r), &v)
            });
        let defaults = request_defaults(engine, ex);
        if let (Value::Object(m), Some(Value::Object(g))) = (&mut obj, &generated) {
            for field in r.read_only.iter().chain(&r.required) {
                if m.contains_key(field) {
                    continue;
                }
                // A default of the request schema is what the client meant by leaving it out.
                if let Some(v) = defaults.get(field).or_else(|| g.get(field)) {
                    m.insert(field.clone(), v.clone());
                }
            }
        }
        if let (Some(f), Value::Object(m)) = (&r.id_field, &mut obj) {
            // The id first, where readers look for it.
            let rest = std::mem::take(m);
            m.insert(f.clone(), id_value);
            m.extend(rest.into_iter().filter(|(k, _)| k != f));
        }
        self.pin(r, &mut obj, &scope, &id);
        let stored = self.conform_object(engine, r, obj, &id);
        let key = (scope.clone(), id.clone());
        data.deleted.remove(&key);
        data.items.insert(key, stored.clone());
        drop(data);
        let mut headers = Vec::new();
        if r.member.is_some() && r.plan_for(Role::Get).is_some() {
            headers.push(("Location".to_owned(), location(ex.path, r, &id)));
        }
        Some(self.answer_object(engine, r, plan, stored, &id, headers))
    }

    /// Set the id and parent-id fields to what the path says.
    fn pin(&self, r: &Resource, obj: &mut Value, scope: &str, id: &str) {
        let Value::Object(m) = obj else { return };
        if let Some(f) = &r.id_field {
            let value = typed(r.id_kind, id, m.get(f));
            if m.contains_key(f) {
                m.insert(f.clone(), value);
            } else {
                // A new id goes first, where readers look for it.
                let rest = std::mem::take(m);
                m.insert(f.clone(), value);
                m.extend(rest);
            }
        }
        let parts: Vec<&str> = if scope.is_empty() {
            Vec::new()
        } else {
            scope.splitn(r.scope.len().max(1), '/').collect()
        };
        for ((field, kind), value) in r.scope_fields.iter().zip(&r.scope_kinds).zip(parts) {
            if let Some(field) = field {
                m.insert(field.clone(), typed(*kind, value, m.get(field)));
            }
        }
    }

    fn answer_object(
        &self,
        engine: &Engine,
        r: &Resource,
        plan: &Plan,
        mut obj: Value,
        id: &str,
        headers: Vec<(String, String)>,
    ) -> Answer {
        let body = if !plan.has_body {
            AnswerBody::Empty
        } else if plan.shape == Shape::Other {
            AnswerBody::Declared
        } else {
            if let Value::Object(m) = &mut obj {
                for f in &r.write_only {
                    m.remove(f);
                }
            }
            AnswerBody::Value(conform(
                engine,
                r,
                plan.operation,
                plan.status,
                &plan.shape,
                obj,
                id,
            ))
        };
        Answer {
            status: plan.status,
            body,
            headers,
        }
    }

    fn list(
        &self,
        engine: &Engine,
        ex: &Exchange<'_>,
        r: &Resource,
        plan: &Plan,
        table: &Table,
        scope: &str,
    ) -> Answer {
        let mut query = Query::read(engine, ex);
        // Only parameters naming a field of the object filter (`tags` → `tag` too).
        query.filters.retain_mut(|(name, _)| {
            if r.fields.contains(name) {
                return true;
            }
            match name.strip_suffix('s') {
                Some(singular) if r.fields.iter().any(|f| f == singular) => {
                    *name = singular.to_owned();
                    true
                }
                _ => false,
            }
        });
        let mut items: Vec<Value> = {
            let data = table.lock();
            data.items
                .iter()
                .filter(|((s, _), _)| s == scope)
                .map(|(_, v)| v.clone())
                .filter(|v| query.matches(v))
                .collect()
        };
        let total = items.len();
        let (start, count) = query.window(total);
        let count = plan.max_items.map_or(count, |m| count.min(m));
        items = items.into_iter().skip(start).take(count).collect();
        for item in &mut items {
            if let Value::Object(m) = item {
                for f in &r.write_only {
                    m.remove(f);
                }
            }
        }
        if !plan.has_body || !matches!(plan.shape, Shape::Array | Shape::Envelope(_)) {
            return Answer {
                status: plan.status,
                body: if plan.has_body {
                    AnswerBody::Declared
                } else {
                    AnswerBody::Empty
                },
                headers: Vec::new(),
            };
        }
        let envelope = match &plan.shape {
            Shape::Envelope(_) => {
                let mut env = engine
                    .generate_response_body(plan.operation, plan.status, &[&r.key, "list"])
                    .unwrap_or(Value::Object(Map::new()));
                if let Value::Object(m) = &mut env {
                    for (k, v) in m.iter_mut() {
                        let lower = k.to_ascii_lowercase().replace('_', "");
                        if v.is_number() {
                            match lower.as_str() {
                                "total" | "count" | "totalcount" | "totalitems"
                                | "totalelements" | "totalresults" => *v = Value::from(total),
                                "limit" | "perpage" | "pagesize" | "size" => {
                                    if let Some(l) = query.limit {
                                        *v = Value::from(l);
                                    }
                                }
                                "offset" | "skip" | "start" => *v = Value::from(start),
                                _ => {}
                            }
                        }
                    }
                }
                Some(env)
            }
            _ => None,
        };
        let op = plan.operation;
        let status = plan.status;
        let mut body = wrap(&plan.shape, Value::Array(items.clone()), envelope.clone());
        if !engine.check_response_body(op, status, &body).is_empty() {
            // Repair item by item, each checked as a one-item list.
            let fixed: Vec<Value> = items
                .into_iter()
                .map(|item| {
                    let id = r
                        .id_field
                        .as_ref()
                        .and_then(|f| item.get(f))
                        .and_then(id_string)
                        .unwrap_or_default();
                    let one = wrap(
                        &plan.shape,
                        Value::Array(vec![item.clone()]),
                        envelope.clone(),
                    );
                    if engine.check_response_body(op, status, &one).is_empty() {
                        return item;
                    }
                    let item_shape = ItemShape {
                        list: plan.shape.clone(),
                        envelope: envelope.clone(),
                    };
                    repair(engine, r, op, status, &item_shape, item, &id)
                })
                .collect();
            body = wrap(&plan.shape, Value::Array(fixed), envelope);
        }
        Answer {
            status,
            body: AnswerBody::Value(body),
            headers: Vec::new(),
        }
    }
}

/// The "no such object" answer: the operation's 404 (or what covers it), with a problem
/// body that says so when the declared schema accepts one, else the declared body.
fn not_found(engine: &Engine, ex: &Exchange<'_>, plan: &Plan) -> Answer {
    let detail = format!("{} is not in the store", ex.path);
    // RFC 9457 first, then the common `{code, message}` error shapes.
    let candidates = [
        serde_json::json!({
            "type": "https://mockgen.dev/errors#NOT_FOUND",
            "title": "Not found",
            "status": plan.not_found,
            "detail": detail,
        }),
        serde_json::json!({ "code": plan.not_found, "message": detail }),
        serde_json::json!({ "message": detail }),
    ];
    let body = candidates
        .into_iter()
        .find(|c| {
            engine
                .check_response_body(plan.operation, plan.not_found, c)
                .is_empty()
        })
        .map_or(AnswerBody::Declared, AnswerBody::Value);
    Answer {
        status: plan.not_found,
        body,
        headers: Vec::new(),
    }
}

/// The `default`s of the request body's top-level properties.
fn request_defaults(engine: &Engine, ex: &Exchange<'_>) -> Map<String, Value> {
    let spec = engine.spec();
    let Some(schema) = ex
        .op
        .request_body
        .as_ref()
        .and_then(|b| b.content.iter().find_map(|m| m.schema.as_ref()))
        .and_then(|loc| crate::schema::Node::at(spec, loc))
    else {
        return Map::new();
    };
    crate::schema::props(spec, schema)
        .props
        .into_iter()
        .filter_map(|(k, n)| {
            let (target, _) = crate::schema::deref(spec, n);
            let d = n.get("default").or_else(|| target.get("default"))?;
            Some((k, d.clone()))
        })
        .collect()
}

/// `/pets` + `7` → `/pets/7`; for a creator elsewhere (`/accounts/1/deposits`), the member
/// path of the resource with the request's parent ids.
fn location(path: &str, r: &Resource, id: &str) -> String {
    let encoded: String =
        percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC).to_string();
    let trimmed = path.trim_end_matches('/');
    let own = trimmed
        .rsplit('/')
        .next()
        .is_some_and(|last| r.key.ends_with(&format!("/{last}")));
    if own {
        return format!("{trimmed}/{encoded}");
    }
    // Creator on a sibling path: replace the last segment by the collection's.
    let parent = trimmed.rsplit_once('/').map_or("", |(p, _)| p);
    let last = r.key.rsplit('/').next().unwrap_or_default();
    format!("{parent}/{last}/{encoded}")
}

/// Carry what the server owns from the old object into a replacement (readOnly fields, and
/// required ones the request left out), in the old object's order.
fn carry(r: &Resource, old: &Value, new: &mut Value, defaults: &Map<String, Value>) {
    let (Value::Object(o), Value::Object(n)) = (old, new) else {
        return;
    };
    for (k, d) in defaults {
        if !n.contains_key(k) {
            n.insert(k.clone(), d.clone());
        }
    }
    let mut out = Map::new();
    for (k, v) in o {
        if let Some(nv) = n.get(k) {
            out.insert(k.clone(), nv.clone());
        } else if r.read_only.contains(k) || r.required.contains(k) {
            out.insert(k.clone(), v.clone());
        }
    }
    for (k, v) in std::mem::take(n) {
        if !out.contains_key(&k) {
            out.insert(k, v);
        }
    }
    *n = out;
}

/// RFC 7396 JSON merge patch.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(t) = target {
        for (k, v) in p {
            if v.is_null() {
                t.remove(k);
            } else {
                merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

/// An id as the store keys it.
pub(crate) fn id_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `007` → `7` for integer ids, so every spelling finds the object.
fn canonical_id(kind: IdKind, raw: &str) -> String {
    if kind == IdKind::Integer
        && let Ok(n) = raw.trim().parse::<i128>()
    {
        return n.to_string();
    }
    raw.to_owned()
}

/// The id as JSON, typed like the field (or its kind).
fn typed(kind: IdKind, id: &str, current: Option<&Value>) -> Value {
    let numeric =
        matches!(current, Some(Value::Number(_))) || (current.is_none() && kind == IdKind::Integer);
    if numeric {
        if let Ok(n) = id.parse::<i64>() {
            return Value::from(n);
        }
        if let Ok(n) = id.parse::<u64>() {
            return Value::from(n);
        }
    }
    Value::String(id.to_owned())
}

/// A version-4-shaped UUID derived from the resource and sequence number (FNV-1a).
fn uuid_of(key: &str, n: u64) -> String {
    let mut h: [u64; 2] = [0xcbf2_9ce4_8422_2325, 0x6c62_272e_07bb_0142];
    for (i, slot) in h.iter_mut().enumerate() {
        for b in key.bytes().chain(n.to_le_bytes()).chain([i as u8]) {
            *slot ^= u64::from(b);
            *slot = slot.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    let a = h[0];
    let b = h[1];
    format!(
        "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        8 + (b >> 62),
        (b >> 48) & 0x0fff,
        b & 0xffff_ffff_ffff
    )
}

/// Put `inner` where `shape` says.
fn wrap(shape: &Shape, inner: Value, envelope: Option<Value>) -> Value {
    match shape {
        Shape::Wrapped(p) | Shape::Envelope(p) => {
            let mut env = match envelope {
                Some(Value::Object(m)) => m,
                _ => Map::new(),
            };
            env.insert(p.clone(), inner);
            Value::Object(env)
        }
        Shape::Object | Shape::Array | Shape::Other => inner,
    }
}

/// The one object of a body shaped by `shape`.
fn unwrap_one(shape: &Shape, body: &Value) -> Option<Value> {
    let v = match shape {
        Shape::Wrapped(p) => body.get(p)?,
        Shape::Array => body.as_array()?.first()?,
        Shape::Envelope(p) => body.get(p)?.as_array()?.first()?,
        Shape::Object | Shape::Other => body,
    };
    v.is_object().then(|| v.clone())
}

/// Every object of a body shaped by `shape` (examples for seeding).
fn unwrap_all(shape: &Shape, body: &Value) -> Vec<Value> {
    let list = match shape {
        Shape::Array => body.as_array(),
        Shape::Envelope(p) => body.get(p).and_then(Value::as_array),
        Shape::Object | Shape::Wrapped(_) | Shape::Other => {
            return unwrap_one(shape, body).into_iter().collect();
        }
    };
    list.map(|l| l.iter().filter(|v| v.is_object()).cloned().collect())
        .unwrap_or_default()
}

/// Where one object goes when a body is checked: alone or as a one-item list.
struct ItemShape {
    list: Shape,
    envelope: Option<Value>,
}

impl ItemShape {
    fn body(&self, obj: Value) -> Value {
        match &self.list {
            Shape::Array | Shape::Envelope(_) => {
                wrap(&self.list, Value::Array(vec![obj]), self.envelope.clone())
            }
            other => wrap(other, obj, self.envelope.clone()),
        }
    }

    fn generated_object(&self, body: &Value) -> Option<Value> {
        unwrap_one(&self.list, body)
    }
}

/// The answer body for `obj` in response `status` of `op`, valid against its schema: the
/// object as is when it validates; else generated data for that response with the
/// object's fields put back one by one, each kept only if the body still validates.
fn conform(
    engine: &Engine,
    r: &Resource,
    op: usize,
    status: u16,
    shape: &Shape,
    obj: Value,
    id: &str,
) -> Value {
    let envelope = match shape {
        Shape::Wrapped(_) => engine.generate_response_body(op, status, &[&r.key, "wrap", id]),
        _ => None,
    };
    let item = ItemShape {
        list: shape.clone(),
        envelope,
    };
    let body = item.body(obj.clone());
    if engine.check_response_body(op, status, &body).is_empty() {
        return body;
    }
    let fixed = repair(engine, r, op, status, &item, obj, id);
    item.body(fixed)
}

fn repair(
    engine: &Engine,
    r: &Resource,
    op: usize,
    status: u16,
    item: &ItemShape,
    obj: Value,
    id: &str,
) -> Value {
    let Some(generated) = engine
        .generate_response_body(op, status, &[&r.key, "repair", id])
        .and_then(|g| item.generated_object(&g))
    else {
        return obj;
    };
    let (Value::Object(fields), Value::Object(mut base)) = (obj.clone(), generated) else {
        return obj;
    };
    // Identity first, then the rest in order.
    let mut order: Vec<&String> = Vec::new();
    if let Some(f) = &r.id_field
        && fields.contains_key(f)
    {
        order.push(f);
    }
    for f in r.scope_fields.iter().flatten() {
        if fields.contains_key(f) {
            order.push(f);
        }
    }
    let rest: Vec<&String> = fields.keys().filter(|k| !order.contains(k)).collect();
    order.extend(rest);
    for k in order {
        let Some(v) = fields.get(k) else { continue };
        let previous = base.insert(k.clone(), v.clone());
        let ok = engine
            .check_response_body(op, status, &item.body(Value::Object(base.clone())))
            .is_empty();
        if !ok {
            match previous {
                Some(p) => {
                    base.insert(k.clone(), p);
                }
                None => {
                    base.remove(k);
                }
            }
        }
    }
    Value::Object(base)
}

/// Names of pagination parameters, lower case without `_`.
const LIMIT: &[&str] = &[
    "limit",
    "perpage",
    "pagesize",
    "size",
    "maxresults",
    "top",
    "first",
    "count",
];
const OFFSET: &[&str] = &["offset", "skip", "start", "from"];
const PAGE: &[&str] = &["page", "pagenumber", "pageno"];
const CURSOR: &[&str] = &[
    "cursor",
    "after",
    "pagetoken",
    "startingafter",
    "continuation",
];

/// What a list request asks for: filters and a window.
#[derive(Debug, Default)]
struct Query {
    filters: Vec<(String, Value)>,
    limit: Option<usize>,
    offset: Option<usize>,
    page: Option<(usize, usize)>,
}

impl Query {
    fn read(engine: &Engine, ex: &Exchange<'_>) -> Query {
        let spec = engine.spec();
        let mut q = Query::default();
        let mut page = None;
        let mut page_base = 1usize;
        for (i, p) in ex.op.parameters.iter().enumerate() {
            if p.location != ParamIn::Query {
                continue;
            }
            let schema = p.schema.as_ref().and_then(|l| spec.get(l));
            let given = ex.params.iter().find(|(j, _)| *j == i).map(|(_, v)| v);
            let value = given.or_else(|| schema.and_then(|s| s.get("default")));
            let norm = p.name.to_ascii_lowercase().replace(['_', '-', '$'], "");
            let number = value.and_then(as_usize);
            if LIMIT.contains(&norm.as_str()) {
                q.limit = number.or(q.limit);
            } else if OFFSET.contains(&norm.as_str()) || CURSOR.contains(&norm.as_str()) {
                if given.is_some() {
                    q.offset = number.or(q.offset);
                }
            } else if PAGE.contains(&norm.as_str()) {
                if schema
                    .and_then(|s| s.get("minimum"))
                    .and_then(Value::as_u64)
                    == Some(0)
                {
                    page_base = 0;
                }
                if given.is_some() {
                    page = number;
                }
            } else if let Some(v) = given {
                q.filters.push((p.name.clone(), v.clone()));
            }
        }
        if let Some(n) = page {
            q.page = Some((n.saturating_sub(page_base), 0));
        }
        q
    }

    fn matches(&self, item: &Value) -> bool {
        let Value::Object(m) = item else { return true };
        self.filters
            .iter()
            .all(|(name, want)| m.get(name).is_some_and(|have| loosely_equal(have, want)))
    }

    /// `(start, count)` of the page asked for among `total` items.
    fn window(&self, total: usize) -> (usize, usize) {
        let limit = self.limit.unwrap_or(total);
        let start = match (self.offset, self.page) {
            (Some(o), _) => o,
            (None, Some((p, _))) => p.saturating_mul(limit),
            (None, None) => 0,
        };
        (start.min(total), limit)
    }
}

fn as_usize(v: &Value) -> Option<usize> {
    match v {
        Value::Number(n) => n.as_u64().and_then(|n| usize::try_from(n).ok()),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// Equality across the types a query parameter and a field may have; lists match when any
/// member matches.
fn loosely_equal(have: &Value, want: &Value) -> bool {
    match (have, want) {
        (_, Value::Array(options)) => options.iter().any(|o| loosely_equal(have, o)),
        (Value::Array(list), _) => list.iter().any(|h| loosely_equal(h, want)),
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::String(a), Value::String(b)) => a == b,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::String(a), b) | (b, Value::String(a)) => a.as_str() == b.to_string().as_str(),
        (a, b) => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc7396() {
        let mut t = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut t, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(t, json!({"a": "z", "c": {"d": "e"}}));
        let mut t = json!({"a": [1]});
        merge_patch(&mut t, &json!({"a": {"b": 1}}));
        assert_eq!(t, json!({"a": {"b": 1}}));
    }

    #[test]
    fn uuids_are_stable_and_shaped() {
        let a = uuid_of("/pets", 1);
        assert_eq!(a, uuid_of("/pets", 1));
        assert_ne!(a, uuid_of("/pets", 2));
        assert_eq!(a.len(), 36);
        assert_eq!(a.as_bytes()[14], b'4');
    }

    #[test]
    fn loose_equality() {
        assert!(loosely_equal(&json!("dog"), &json!(["cat", "dog"])));
        assert!(loosely_equal(&json!(7), &json!("7")));
        assert!(!loosely_equal(&json!("a"), &json!("b")));
    }
}
