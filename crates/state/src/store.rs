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

    fn load(&self, value: &Value) -> Result<(), String> {
        let mut groups: Vec<(String, &Vec<Value>)> = Vec::new();
        match (self.scoped, value) {
            (false, Value::Array(list)) => groups.push((String::new(), list)),
            (true, Value::Object(map)) => {
                for (scope, list) in map {
                    match list {
                        Value::Array(list) => groups.push((scope.clone(), list)),
                        _ => return Err(format!("`{scope}` is not an array")),
                    }
                }
            }
            (false, _) => return Err("expected an array of objects".to_owned()),
            (true, _) => return Err("expected an object of arrays by parent id".to_owned()),
        }
        let mut data = Data {
            items: IndexMap::new(),
            next: 1,
            deleted: Default::default(),
        };
        let mut unnamed = Vec::new();
        for (scope, list) in groups {
            for item in list {
                if !item.is_object() {
                    return Err("an item is not an object".to_owned());
                }
                let id = self
                    .id_field
                    .as_ref()
                    .and_then(|f| item.get(f))
                    .and_then(crate::hook::id_string);
                match id {
                    Some(id) => {
                        data.items.insert((scope.clone(), id), item.clone());
                    }
                    None => unnamed.push((scope.clone(), item.clone())),
                }
            }
        }
        data.renumber();
        for (scope, item) in unnamed {
            while data
                .items
                .contains_key(&(scope.clone(), data.next.to_string()))
            {
                data.next += 1;
            }
            data.items.insert((scope, data.next.to_string()), item);
            data.next += 1;
        }
        *lock(&self.data) = data;
        Ok(())
    }
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
    /// returns to. Returns warnings (unknown resources); an error leaves nothing changed
    /// for that resource.
    pub fn load(&self, value: &Value) -> Result<Vec<String>, String> {
        let Value::Object(map) = value else {
            return Err("the state must be an object keyed by collection path".to_owned());
        };
        let tables = lock(&self.tables);
        let mut warnings = Vec::new();
        for (key, v) in map {
            match tables.get(key) {
                Some(t) => {
                    t.load(v).map_err(|e| format!("{key}: {e}"))?;
                    t.mark_seeded();
                }
                None => warnings.push(format!("{key}: no such resource in the spec; ignored")),
            }
        }
        Ok(warnings)
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
