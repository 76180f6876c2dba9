//! The in-memory store: one table per resource, each behind its own lock, items in insertion
//! order. Tables are keyed by the resource's collection template, so they survive a reload
//! of the spec as long as the resource is still there.

use indexmap::IndexMap;
use serde_json::{Map, Value};
use std::sync::{Arc, Mutex, MutexGuard};

/// Items of one resource: `(scope, id)` → object. `scope` is the parent ids joined by `/`
/// (empty for a top-level resource).
#[derive(Clone, Debug, Default)]
pub(crate) struct Data {
    pub items: IndexMap<(String, String), Value>,
    /// The next sequence number (integer ids, generation keys).
    pub next: u64,
    /// Deleted since the last reset: these answer 404 even where the spec declares none.
    pub deleted: std::collections::HashSet<(String, String)>,
}

impl Data {
    /// Restart the sequence after the largest integer id.
    pub fn renumber(&mut self) {
        let max = self
            .items
            .keys()
            .filter_map(|(_, id)| id.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        self.next = self.next.max(max.saturating_add(1)).max(1);
    }

    /// Keep the sequence past `id` when it is an integer, so a fresh id never takes it.
    pub fn reserve(&mut self, id: &str) {
        if let Ok(n) = id.parse::<u64>() {
            self.next = self.next.max(n.saturating_add(1));
        }
    }
}

/// One resource's items, and the state a reset returns to.
#[derive(Debug)]
pub(crate) struct Table {
    data: Mutex<Data>,
    seeded: Mutex<Data>,
    /// How the dump shows it: scoped resources by parent.
    pub scoped: bool,
    pub id_field: Option<String>,
}

/// A lock that survives a panic elsewhere: the data is plain values, always consistent
/// between statements.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Table {
    pub fn new(scoped: bool, id_field: Option<String>) -> Table {
        Table {
            data: Mutex::new(Data {
                items: IndexMap::new(),
                next: 1,
                deleted: Default::default(),
            }),
            seeded: Mutex::new(Data {
                items: IndexMap::new(),
                next: 1,
                deleted: Default::default(),
            }),
            scoped,
            id_field,
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, Data> {
        lock(&self.data)
    }

    /// Make the current items the state a reset returns to.
    pub fn mark_seeded(&self) {
        let now = lock(&self.data).clone();
        *lock(&self.seeded) = now;
    }

    pub fn reset(&self) {
        let seeded = lock(&self.seeded).clone();
        *lock(&self.data) = seeded;
    }

    fn dump(&self) -> Value {
        let data = lock(&self.data);
        if !self.scoped {
            return Value::Array(data.items.values().cloned().collect());
        }
        let mut by_scope: Map<String, Value> = Map::new();
        for ((scope, _), v) in &data.items {
            if let Value::Array(list) = by_scope
                .entry(scope.clone())
                .or_insert_with(|| Value::Array(Vec::new()))
            {
                list.push(v.clone());
            }
        }
        Value::Object(by_scope)
    }

    /// Read `value` (this table's part of a [`Store::dump`]) into items without changing
    /// anything; an error names the offending node by its JSON pointer inside `value`.
    fn parse(&self, value: &Value) -> Result<Data, (String, String)> {
        let mut groups: Vec<(String, String, &Vec<Value>)> = Vec::new();
        match (self.scoped, value) {
            (false, Value::Array(list)) => groups.push((String::new(), String::new(), list)),
            (true, Value::Object(map)) => {
                for (scope, list) in map {
                    let at = format!("/{}", mockgen_spec::bundle::escape(scope));
                    match list {
                        Value::Array(list) => groups.push((scope.clone(), at, list)),
                        _ => {
                            return Err((
                                at,
                                format!(
                                    "the items of parent `{scope}` must be an array of objects"
                                ),
                            ));
                        }
                    }
                }
            }
            (false, _) => return Err((String::new(), "expected an array of objects".to_owned())),
            (true, _) => {
                return Err((
                    String::new(),
                    "expected an object of arrays by parent id".to_owned(),
                ));
            }
        }
        let mut data = Data {
            items: IndexMap::new(),
            next: 1,
            deleted: Default::default(),
        };
        // Which item first gave each id, to name both items of a duplicate.
        let mut first_at: std::collections::HashMap<(String, String), usize> =
            std::collections::HashMap::new();
        let mut unnamed = Vec::new();
        for (scope, base, list) in groups {
            for (i, item) in list.iter().enumerate() {
                let at = format!("{base}/{i}");
                if !item.is_object() {
                    return Err((at, "an item is not an object".to_owned()));
                }
                let id = self
                    .id_field
                    .as_ref()
                    .and_then(|f| item.get(f))
                    .and_then(crate::hook::id_string);
                match id {
                    Some(id) => {
                        let key = (scope.clone(), id);
                        if let Some(first) = first_at.get(&key) {
                            return Err((
                                at,
                                format!(
                                    "id `{}` is also the id of item {first} (ids must be unique)",
                                    key.1
                                ),
                            ));
                        }
                        first_at.insert(key.clone(), i);
                        data.items.insert(key, item.clone());
                    }
                    None => unnamed.push((scope.clone(), at, item.clone())),
                }
            }
        }
        data.renumber();
        for (scope, at, item) in unnamed {
            // The next free number; the sequence can run out (an id of u64::MAX).
            let mut n = Some(data.next);
            while let Some(k) = n
                && data.items.contains_key(&(scope.clone(), k.to_string()))
            {
                n = k.checked_add(1);
            }
            let Some(n) = n else {
                return Err((
                    at,
                    "no integer id is left for this item without an id (ids reach the \
                     largest integer); give it an id"
                        .to_owned(),
                ));
            };
            data.items.insert((scope, n.to_string()), item);
            data.next = n.saturating_add(1);
        }
        Ok(data)
    }

    /// Replace the items by `data`, which also becomes the state a reset returns to.
    fn replace(&self, data: Data) {
        let mut current = lock(&self.data);
        *lock(&self.seeded) = data.clone();
        *current = data;
    }
}

/// Why a state could not be loaded: the resource (collection path as the dump names it;
/// empty for the whole document), the JSON pointer of the offending node inside that
/// resource's value, and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub resource: String,
    pub pointer: String,
    pub message: String,
}

impl LoadError {
    /// The pointer into the whole state document (`/~1pets/2`).
    pub fn document_pointer(&self) -> String {
        if self.resource.is_empty() {
            return self.pointer.clone();
        }
        format!(
            "/{}{}",
            mockgen_spec::bundle::escape(&self.resource),
            self.pointer
        )
    }
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.resource.is_empty() {
            return f.write_str(&self.message);
        }
        write!(f, "{}: {}", self.resource, self.message)?;
        if !self.pointer.is_empty() {
            write!(f, " (at {})", self.document_pointer())?;
        }
        Ok(())
    }
}

/// A state read by [`Store::prepare`], ready to be put in place by [`Store::commit`].
#[derive(Debug)]
pub struct Prepared {
    tables: Vec<(Arc<Table>, Data)>,
    /// Unknown resources, ignored.
    pub warnings: Vec<String>,
}

/// Every table of one served spec.
#[derive(Debug, Default)]
pub struct Store {
    tables: Mutex<IndexMap<String, Arc<Table>>>,
}

impl Store {
    pub fn new() -> Store {
        Store::default()
    }

    /// The table of resource `key`, and whether it was just created (so needs seeding).
    pub(crate) fn table(
        &self,
        key: &str,
        scoped: bool,
        id_field: Option<String>,
    ) -> (Arc<Table>, bool) {
        let mut tables = lock(&self.tables);
        if let Some(t) = tables.get(key)
            && t.scoped == scoped
            && t.id_field == id_field
        {
            return (Arc::clone(t), false);
        }
        let t = Arc::new(Table::new(scoped, id_field));
        tables.insert(key.to_owned(), Arc::clone(&t));
        (t, true)
    }

    /// Back to the seeded state (or the loaded one).
    pub fn reset(&self) {
        for t in lock(&self.tables).values() {
            t.reset();
        }
    }

    /// `{"/pets": [..], "/owners/{ownerId}/pets": {"1": [..]}}`.
    pub fn dump(&self) -> Value {
        Value::Object(
            lock(&self.tables)
                .iter()
                .map(|(k, t)| (k.clone(), t.dump()))
                .collect(),
        )
    }

    /// Replace the tables named in `value` (a [`Store::dump`]); they become the state a reset
    /// returns to. Returns warnings (unknown resources). All or nothing: on an error no
    /// table has changed.
    pub fn load(&self, value: &Value) -> Result<Vec<String>, LoadError> {
        let prepared = self.prepare(value)?;
        Ok(self.commit(prepared))
    }

    /// Check and read a state (a [`Store::dump`]) without changing anything.
    pub fn prepare(&self, value: &Value) -> Result<Prepared, LoadError> {
        let Value::Object(map) = value else {
            return Err(LoadError {
                resource: String::new(),
                pointer: String::new(),
                message: "the state must be an object keyed by collection path".to_owned(),
            });
        };
        let tables = lock(&self.tables);
        let mut prepared = Prepared {
            tables: Vec::new(),
            warnings: Vec::new(),
        };
        for (key, v) in map {
            match tables.get(key) {
                Some(t) => {
                    let data = t.parse(v).map_err(|(pointer, message)| LoadError {
                        resource: key.clone(),
                        pointer,
                        message,
                    })?;
                    prepared.tables.push((Arc::clone(t), data));
                }
                None => prepared
                    .warnings
                    .push(format!("{key}: no such resource in the spec; ignored")),
            }
        }
        Ok(prepared)
    }

    /// Put a prepared state in place; it becomes the state a reset returns to. Returns the
    /// warnings found while preparing it.
    pub fn commit(&self, prepared: Prepared) -> Vec<String> {
        for (table, data) in prepared.tables {
            table.replace(data);
        }
        prepared.warnings
    }

    /// Item count per resource.
    pub fn counts(&self) -> Vec<(String, usize)> {
        lock(&self.tables)
            .iter()
            .map(|(k, t)| (k.clone(), t.lock().items.len()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dump_load_reset_round_trip() {
        let store = Store::new();
        let (pets, new) = store.table("/pets", false, Some("id".to_owned()));
        assert!(new);
        let (again, new) = store.table("/pets", false, Some("id".to_owned()));
        assert!(!new && Arc::ptr_eq(&pets, &again));
        store.table("/o/{o}/pets", true, Some("id".to_owned()));
        pets.lock()
            .items
            .insert((String::new(), "1".to_owned()), json!({"id": 1}));
        pets.mark_seeded();
        let state = json!({
            "/pets": [{"id": 7, "n": "a"}, {"n": "no id"}],
            "/o/{o}/pets": {"x": [{"id": 1}]},
            "/nope": []
        });
        let warnings = store.load(&state).expect("loads");
        assert_eq!(warnings.len(), 1);
        assert_eq!(
            store.dump(),
            json!({
                "/pets": [{"id": 7, "n": "a"}, {"n": "no id"}],
                "/o/{o}/pets": {"x": [{"id": 1}]}
            })
        );
        // The item without an id got the next number after 7.
        assert!(
            pets.lock()
                .items
                .contains_key(&(String::new(), "8".to_owned()))
        );
        assert_eq!(pets.lock().next, 9);
        pets.lock().items.clear();
        store.reset();
        assert_eq!(
            pets.lock().items.len(),
            2,
            "the loaded state is the reset point"
        );
        assert!(store.load(&json!({"/pets": {"a": 1}})).is_err());
        assert!(store.load(&json!([1])).is_err());
    }

    #[test]
    fn a_refused_load_changes_no_table() {
        let store = Store::new();
        let (pets, _) = store.table("/pets", false, Some("id".to_owned()));
        let (owned, _) = store.table("/o/{o}/pets", true, Some("id".to_owned()));
        store
            .load(&json!({"/pets": [{"id": 1}], "/o/{o}/pets": {"a": [{"id": 2}]}}))
            .expect("loads");
        let before = store.dump();
        // The first resource is fine, the second is not: neither changes.
        let e = store
            .load(&json!({"/pets": [{"id": 9}], "/o/{o}/pets": {"a": [{"id": 3}, "x"]}}))
            .expect_err("refused");
        assert_eq!(e.resource, "/o/{o}/pets");
        assert_eq!(e.pointer, "/a/1");
        assert_eq!(e.document_pointer(), "/~1o~1{o}~1pets/a/1");
        assert_eq!(store.dump(), before);
        store.reset();
        assert_eq!(store.dump(), before, "nor does the reset point");
        assert_eq!(pets.lock().items.len(), 1);
        assert_eq!(owned.lock().items.len(), 1);
    }

    #[test]
    fn duplicate_ids_are_refused_not_dropped() {
        let store = Store::new();
        store.table("/pets", false, Some("id".to_owned()));
        let e = store
            .load(&json!({"/pets": [{"id": 7, "n": "a"}, {"id": "7", "n": "b"}]}))
            .expect_err("refused");
        assert_eq!(e.pointer, "/1");
        assert!(e.message.contains("id `7` is also the id of item 0"), "{e}");
        assert_eq!(store.dump(), json!({"/pets": []}));
    }

    #[test]
    fn the_largest_id_leaves_no_number_for_unnamed_items() {
        let store = Store::new();
        let (pets, _) = store.table("/pets", false, Some("id".to_owned()));
        let e = store
            .load(&json!({"/pets": [{"id": u64::MAX}, {"n": "no id"}]}))
            .expect_err("refused, without overflowing");
        assert_eq!(e.pointer, "/1");
        // Just below the end: the unnamed item takes the last number.
        store
            .load(&json!({"/pets": [{"id": u64::MAX - 1}, {"n": "no id"}]}))
            .expect("loads");
        assert!(
            pets.lock()
                .items
                .contains_key(&(String::new(), u64::MAX.to_string()))
        );
        assert_eq!(pets.lock().next, u64::MAX);
    }

    #[test]
    fn a_poisoned_lock_still_serves() {
        let table = Arc::new(Table::new(false, None));
        let t = Arc::clone(&table);
        let _ = std::thread::spawn(move || {
            let _guard = t.lock();
            panic!("poison the lock");
        })
        .join();
        assert!(table.data.is_poisoned());
        assert_eq!(table.lock().items.len(), 0);
    }
}
