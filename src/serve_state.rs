//! `serve --stateful`: the hook chain of each mount, the stateful store behind it, the
//! `/__mockgen/*` admin endpoints and the `--state-file` dump/load.
//!
//! Hooks are assembled by [`HookLayers`]: an ordered list of layers, each asked for a hook
//! when a mount is built (at start and on every reload); at request time the first hook with
//! an answer wins, so configured rules go before the store. The store itself lives outside
//! the mounts (one [`Store`] per spec), so it survives a reload: a resource still in the new
//! version keeps its objects.

use mockgen_engine::{Engine, Hook, Hooks};
use mockgen_server::{Admin, AdminHandle};
use mockgen_state::{Seeding, Store};
use serde_json::{Map, Value};
use std::path::PathBuf;
use std::sync::Arc;

/// The stateful flags of `serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct StateArgs {
    /// Remember what clients create: resources inferred from the spec (a collection path with
    /// POST and a member path `/{id}`) answer GET, PUT, PATCH and DELETE from an in-memory
    /// store. Also serves GET|PUT /__mockgen/state and POST /__mockgen/reset.
    #[arg(long)]
    pub stateful: bool,
    /// Seed each top-level resource with N generated objects instead of the spec's examples.
    #[arg(long, value_name = "N", requires = "stateful")]
    pub seed_items: Option<usize>,
    /// Load the state from FILE at start (when it exists) and save it there on shutdown.
    #[arg(long, value_name = "FILE", requires = "stateful")]
    pub state_file: Option<PathBuf>,
}

/// Asked for a hook when mount `index` (command-line order) is built around `engine`.
pub type Layer = Arc<dyn Fn(usize, &Arc<Engine>) -> Option<Arc<dyn Hook>> + Send + Sync>;

/// The hook layers, in the order their hooks are asked.
#[derive(Clone, Default)]
pub struct HookLayers(Vec<Layer>);

impl std::fmt::Debug for HookLayers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HookLayers({})", self.0.len())
    }
}

impl HookLayers {
    pub fn push(&mut self, layer: Layer) {
        self.0.push(layer);
    }

    /// The hooks of mount `index`.
    pub fn build(&self, index: usize, engine: &Arc<Engine>) -> Hooks {
        Hooks(self.0.iter().filter_map(|l| l(index, engine)).collect())
    }
}

/// The stores of every served spec.
#[derive(Debug)]
pub struct Stateful {
    stores: Vec<Arc<Store>>,
    /// Per spec: what prefixes its resources in the dump (the base path with several specs).
    prefixes: Vec<String>,
    seeding: Seeding,
    file: Option<PathBuf>,
}

impl Stateful {
    /// `None` without `--stateful`.
    pub fn new(args: &StateArgs, bases: &[String]) -> Option<Arc<Stateful>> {
        if !args.stateful {
            return None;
        }
        let multi = bases.len() > 1;
        Some(Arc::new(Stateful {
            stores: bases.iter().map(|_| Arc::new(Store::new())).collect(),
            prefixes: bases
                .iter()
                .map(|b| if multi { b.clone() } else { String::new() })
                .collect(),
            seeding: args
                .seed_items
                .map_or(Seeding::Examples, Seeding::Generated),
            file: args.state_file.clone(),
        }))
    }

    /// The store's layer: goes after configured rules.
    pub fn layer(self: &Arc<Self>) -> Layer {
        let me = Arc::clone(self);
        Arc::new(move |index, engine| {
            let store = me.stores.get(index)?;
            let hook = store.attach(engine, me.seeding);
            Some(Arc::new(hook) as Arc<dyn Hook>)
        })
    }

    pub fn admin(self: &Arc<Self>) -> AdminHandle {
        AdminHandle(Arc::clone(self) as Arc<dyn Admin>)
    }

    /// One line per spec for stderr: the resources and how many objects each holds.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        for (store, prefix) in self.stores.iter().zip(&self.prefixes) {
            for (key, count) in store.counts() {
                parts.push(format!("{prefix}{key} ({count})"));
            }
        }
        if parts.is_empty() {
            "stateful: no resources found in the spec (every operation stays stateless)".to_owned()
        } else {
            format!("stateful: {} resources: {}", parts.len(), parts.join(", "))
        }
    }

    /// Load `--state-file` if it exists; an unreadable or invalid one is an error.
    pub fn load_file(&self) -> Result<(), String> {
        let Some(path) = &self.file else {
            return Ok(());
        };
        if !path.exists() {
            return Ok(());
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
        for w in self
            .load(value)
            .map_err(|e| format!("{}: {e}", path.display()))?
        {
            eprintln!("warning: {}: {w}", path.display());
        }
        Ok(())
    }

    /// Save to `--state-file` (on shutdown).
    pub fn save_file(&self) {
        let Some(path) = &self.file else {
            return;
        };
        let text = match serde_json::to_string_pretty(&self.state()) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot serialise the state: {e}");
                return;
            }
        };
        // Write beside and rename, so a crash never leaves half a file.
        let tmp = path.with_extension("tmp~");
        let result =
            std::fs::write(&tmp, format!("{text}\n")).and_then(|()| std::fs::rename(&tmp, path));
        match result {
            Ok(()) => eprintln!("state saved to {}", path.display()),
            Err(e) => eprintln!("error: cannot save the state to {}: {e}", path.display()),
        }
    }
}

impl Admin for Stateful {
    fn state(&self) -> Value {
        let mut out = Map::new();
        for (store, prefix) in self.stores.iter().zip(&self.prefixes) {
            if let Value::Object(m) = store.dump() {
                for (k, v) in m {
                    out.insert(format!("{prefix}{k}"), v);
                }
            }
        }
        Value::Object(out)
    }

    fn load(&self, state: Value) -> Result<Vec<String>, String> {
        let Value::Object(map) = state else {
            return Err("the state must be an object keyed by collection path".to_owned());
        };
        // Each key goes to the spec with the longest matching prefix.
        let mut parts: Vec<Map<String, Value>> = vec![Map::new(); self.stores.len()];
        let mut warnings = Vec::new();
        for (key, value) in map {
            let owner = self
                .prefixes
                .iter()
                .enumerate()
                .filter(|(_, p)| key.starts_with(p.as_str()))
                .max_by_key(|(_, p)| p.len());
            match owner {
                Some((i, p)) => {
                    if let Some(part) = parts.get_mut(i) {
                        part.insert(key[p.len()..].to_owned(), value);
                    }
                }
                None => warnings.push(format!("{key}: under no served spec; ignored")),
            }
        }
        for (store, part) in self.stores.iter().zip(parts) {
            if !part.is_empty() {
                warnings.extend(store.load(&Value::Object(part))?);
            }
        }
        Ok(warnings)
    }

    fn reset(&self) {
        for store in &self.stores {
            store.reset();
        }
    }
}
