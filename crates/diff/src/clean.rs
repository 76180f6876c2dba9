//! Which parts of NEW are textually identical to OLD, references included: a schema whose
//! subtree is unchanged and whose `$ref`s (transitively) lead only to unchanged subtrees cannot
//! hold a change, so comparing it with itself is skipped. This is what keeps a diff of two
//! versions of a large spec that differ in a few places fast.

use crate::schema::{Fx, follow};
use mockgen_spec::{Loc, Spec};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;

type FxSet<T> = HashSet<T, BuildHasherDefault<Fx>>;
type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// The unchanged parts of a pair of specs.
#[derive(Debug, Default)]
pub(crate) struct Clean {
    /// Nothing is known to be unchanged (documents differ in number).
    none: bool,
    /// Pointers (per document) whose subtree differs, minimal.
    dirty: FxSet<(usize, String)>,
    /// Pointers whose subtree contains a difference or a reference to a changed schema.
    tainted: FxSet<(usize, String)>,
}

fn push_token(ptr: &mut String, key: &str) {
    ptr.push('/');
    if key.bytes().any(|b| b == b'~' || b == b'/') {
        ptr.push_str(&key.replace('~', "~0").replace('/', "~1"));
    } else {
        ptr.push_str(key);
    }
}

/// Every ancestor of a pointer, itself included (`/a/b` → `/a/b`, `/a`, ``).
fn ancestors(pointer: &str) -> impl Iterator<Item = &str> {
    let mut next = Some(pointer);
    std::iter::from_fn(move || {
        let here = next?;
        next = here.rfind('/').map(|i| &here[..i]);
        Some(here)
    })
}

fn walk_diff(a: &Value, b: &Value, ptr: &mut String, out: &mut Vec<String>, depth: usize) {
    if a == b {
        return;
    }
    if depth > 256 {
        out.push(ptr.clone());
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                let len = ptr.len();
                push_token(ptr, k);
                match y.get(k) {
                    Some(vb) => walk_diff(va, vb, ptr, out, depth + 1),
                    None => out.push(ptr.clone()),
                }
                ptr.truncate(len);
            }
            for k in y.keys() {
                if !x.contains_key(k) {
                    let len = ptr.len();
                    push_token(ptr, k);
                    out.push(ptr.clone());
                    ptr.truncate(len);
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                let len = ptr.len();
                ptr.push('/');
                ptr.push_str(&i.to_string());
                walk_diff(va, vb, ptr, out, depth + 1);
                ptr.truncate(len);
            }
        }
        _ => out.push(ptr.clone()),
    }
}

/// Every `$ref` of a document: (pointer of the object holding it, the reference).
fn refs<'v>(v: &'v Value, ptr: &mut String, out: &mut Vec<(String, &'v str)>, depth: usize) {
    if depth > 256 {
        return;
    }
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.push((ptr.clone(), r));
            }
            for (k, child) in map {
                if child.is_object() || child.is_array() {
                    let len = ptr.len();
                    push_token(ptr, k);
                    refs(child, ptr, out, depth + 1);
                    ptr.truncate(len);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                if child.is_object() || child.is_array() {
                    let len = ptr.len();
                    ptr.push('/');
                    ptr.push_str(&i.to_string());
                    refs(child, ptr, out, depth + 1);
                    ptr.truncate(len);
                }
            }
        }
        _ => {}
    }
}

impl Clean {
    pub(crate) fn new(old: &Spec, new: &Spec) -> Clean {
        if old.documents.len() != new.documents.len() {
            return Clean {
                none: true,
                ..Clean::default()
            };
        }
        let mut clean = Clean::default();
        for (doc, (a, b)) in old.documents.iter().zip(&new.documents).enumerate() {
            let mut found = Vec::new();
            walk_diff(a, b, &mut String::new(), &mut found, 0);
            for p in found {
                for anc in ancestors(&p) {
                    clean.tainted.insert((doc, anc.to_owned()));
                }
                clean.dirty.insert((doc, p));
            }
        }
        if clean.dirty.is_empty() {
            return clean;
        }
        // References of NEW (an unchanged place holds the same reference in OLD).
        let mut all: Vec<(usize, String, Loc)> = Vec::new();
        for (doc, value) in new.documents.iter().enumerate() {
            let mut found = Vec::new();
            refs(value, &mut String::new(), &mut found, 0);
            for (at, r) in found {
                if let Some(target) = follow(new, doc, r) {
                    all.push((doc, at, target));
                }
            }
        }
        let targets: FxSet<(usize, &str)> = all
            .iter()
            .map(|(_, _, t)| (t.doc, t.pointer.as_str()))
            .collect();
        // target → the targets whose subtree refers to it.
        let mut users: FxMap<(usize, &str), Vec<(usize, &str)>> = FxMap::default();
        for (doc, at, target) in &all {
            for anc in ancestors(at) {
                if targets.contains(&(*doc, anc)) {
                    users
                        .entry((target.doc, target.pointer.as_str()))
                        .or_default()
                        .push((*doc, anc));
                }
            }
        }
        let mut changed: FxSet<(usize, &str)> = FxSet::default();
        let mut queue: Vec<(usize, &str)> = targets
            .iter()
            .copied()
            .filter(|(d, p)| !clean.unchanged_text(*d, p))
            .collect();
        while let Some(t) = queue.pop() {
            if !changed.insert(t) {
                continue;
            }
            if let Some(list) = users.get(&t) {
                queue.extend(list.iter().copied().filter(|u| !changed.contains(u)));
            }
        }
        let mut more = Vec::new();
        for (doc, at, target) in &all {
            if changed.contains(&(target.doc, target.pointer.as_str())) {
                more.extend(ancestors(at).map(|a| (*doc, a.to_owned())));
            }
        }
        clean.tainted.extend(more);
        clean
    }

    /// The subtree at this pointer is textually the same (references not considered).
    fn unchanged_text(&self, doc: usize, pointer: &str) -> bool {
        !self.tainted.contains(&(doc, pointer.to_owned()))
            && !ancestors(pointer).any(|a| self.dirty.contains(&(doc, a.to_owned())))
    }

    /// The schema at `loc` is the same in OLD and NEW, everything it refers to included.
    pub(crate) fn is_clean(&self, loc: &Loc) -> bool {
        !self.none && self.unchanged_text(loc.doc, &loc.pointer)
    }
}
