//! Several specs in one server: each engine is mounted under a base path and a request goes to
//! the mount whose base path is the longest prefix of its path (on a segment boundary). Also the
//! start-up checks that decide those base paths: conflicts between specs and inside one spec.

use mockgen_engine::{Engine, Hooks};
use mockgen_route::{BasePaths, Lookup, RouteOptions, RouteTable};
use mockgen_spec::Spec;
use std::sync::Arc;

/// One spec served under one base path.
#[derive(Clone, Debug)]
pub struct Mount {
    /// What the user called the spec (its path on the command line); used in messages.
    pub name: String,
    /// Normalised base path (`/v1`; `""` = the root). Only consulted with several mounts: a
    /// single spec's engine strips its own base paths (see `Options::base_paths`).
    pub base: String,
    pub engine: Arc<Engine>,
    /// What picks answers before the spec does (configured rules, the stateful store); empty
    /// = the spec alone. Kept across reloads by whoever builds the new mount.
    pub hooks: Hooks,
    /// Whether the spec declares any `HEAD` operation. When it does not, a `HEAD` is answered
    /// as the `GET` it falls back to, so its `Content-Length` is the `GET` body's.
    declares_head: bool,
}

impl Mount {
    pub fn new(name: String, base: String, engine: Arc<Engine>) -> Mount {
        let declares_head = engine
            .spec()
            .operations
            .iter()
            .any(|op| op.method.eq_ignore_ascii_case("HEAD"));
        Mount {
            name,
            base,
            engine,
            hooks: Hooks::default(),
            declares_head,
        }
    }

    /// The same mount with `hooks` asked before the spec.
    pub fn with_hooks(mut self, hooks: Hooks) -> Mount {
        self.hooks = hooks;
        self
    }

    /// Answer one request through the hooks (if any) and the engine.
    pub fn handle(&self, req: &mockgen_engine::MockRequest<'_>) -> mockgen_engine::MockResponse {
        if self.hooks.0.is_empty() {
            self.engine.handle(req)
        } else {
            self.engine.handle_with(req, Some(&self.hooks))
        }
    }

    pub fn declares_head(&self) -> bool {
        self.declares_head
    }
}

/// The engines being served. Immutable: a reload builds a new set and swaps it in whole.
#[derive(Debug)]
pub struct Mounts {
    /// In command-line order (a reload replaces the entry at the same index).
    list: Vec<Mount>,
    /// Indexes into `list`, longest base path first.
    by_length: Vec<usize>,
}

impl Mounts {
    pub fn new(list: Vec<Mount>) -> Mounts {
        let mut by_length: Vec<usize> = (0..list.len()).collect();
        by_length.sort_by_key(|&i| std::cmp::Reverse(list[i].base.len()));
        Mounts { list, by_length }
    }

    /// The mounts in command-line order.
    pub fn list(&self) -> &[Mount] {
        &self.list
    }

    /// A copy with mount `index` replaced (out of range: unchanged copy).
    pub fn replace(&self, index: usize, mount: Mount) -> Mounts {
        let mut list = self.list.clone();
        if let Some(slot) = list.get_mut(index) {
            *slot = mount;
        }
        Mounts::new(list)
    }

    /// The mount serving `path`: the only one, or the one with the longest matching base path.
    pub fn select(&self, path: &str) -> Option<&Mount> {
        if let [only] = self.list.as_slice() {
            return Some(only);
        }
        self.by_length
            .iter()
            .map(|&i| &self.list[i])
            .find(|m| under(path, &m.base))
    }

    /// The base paths, for the "nothing is mounted here" answer.
    pub fn bases(&self) -> Vec<&str> {
        self.list.iter().map(|m| m.base.as_str()).collect()
    }
}

/// Whether `path` is `base` or below it (`/v1` covers `/v1` and `/v1/x`, not `/v10`).
fn under(path: &str, base: &str) -> bool {
    match path.strip_prefix(base) {
        Some(rest) => rest.is_empty() || rest.starts_with('/') || base.is_empty(),
        None => false,
    }
}

/// `/v1/` → `/v1`, `v1` → `/v1`, `/` and `` → `` (the root).
pub fn normalise_base(p: &str) -> String {
    let p = p.trim().trim_end_matches('/');
    if p.is_empty() || p.starts_with('/') {
        p.to_owned()
    } else {
        format!("/{p}")
    }
}

/// A spec's default base path with several specs: the path part of `servers[0].url`.
pub fn default_base(spec: &Spec) -> String {
    spec.servers
        .first()
        .map(|s| normalise_base(&s.base_path()))
        .unwrap_or_default()
}

/// Route conflicts inside one spec (two operations with the same method and route: the second
/// can never be reached), as messages.
pub fn route_conflicts(spec: &Spec) -> Vec<String> {
    let (_, conflicts) = RouteTable::new(spec, &RouteOptions::default());
    conflicts.into_iter().map(|c| c.message).collect()
}

/// Operations of `a` whose example request would also be routed to an operation of `b` when
/// both are mounted under the same base path: `GET /pets (listPets) also matches GET /pets
/// (findPets)`. Empty when the two specs could share a base path without ambiguity.
pub fn overlapping_routes(a: &Spec, b: &Spec) -> Vec<String> {
    let options = RouteOptions {
        base_paths: BasePaths::Forced(String::new()),
    };
    let (table_a, _) = RouteTable::new(a, &options);
    let (table_b, _) = RouteTable::new(b, &options);
    let mut out = Vec::new();
    for (index, example) in table_a.example_paths() {
        let Some(op) = a.operations.get(index) else {
            continue;
        };
        if let Lookup::Found(m) = table_b.lookup(&op.method, &example)
            && let Some(other) = b.operations.get(m.operation)
        {
            out.push(format!(
                "{} {} ({}) also matches {} {} ({})",
                op.method, op.path, op.id, other.method, other.path, other.id
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases_normalise() {
        assert_eq!(normalise_base("/v1/"), "/v1");
        assert_eq!(normalise_base("v1"), "/v1");
        assert_eq!(normalise_base("/"), "");
        assert_eq!(normalise_base(""), "");
    }

    #[test]
    fn under_respects_segments() {
        assert!(under("/v1/pets", "/v1"));
        assert!(under("/v1", "/v1"));
        assert!(!under("/v10/pets", "/v1"));
        assert!(under("/anything", ""));
    }
}
