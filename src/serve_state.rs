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
use mockgen_state::{LoadError, Seeding, Store};
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
    /// Seed each top-level resource with N generated objects instead of the spec's examples
    /// (at most 10000).
    #[arg(long, value_name = "N", requires = "stateful", value_parser = seed_items)]
    pub seed_items: Option<usize>,
    /// Load the state from FILE at start (when it exists) and save it there on shutdown.
    #[arg(long, value_name = "FILE", requires = "stateful")]
    pub state_file: Option<PathBuf>,
}

/// The most objects `--seed-items` generates per resource: each is generated and checked
/// against the spec at start, so a huge N would only hang the start and exhaust memory.
pub const MAX_SEED_ITEMS: usize = 10_000;

fn seed_items(text: &str) -> Result<usize, String> {
    let n: usize = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of objects"))?;
    if n > MAX_SEED_ITEMS {
        return Err(format!(
            "{n} is too many objects to generate; at most {MAX_SEED_ITEMS} per resource"
        ));
    }
    Ok(n)
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

    /// Load `--state-file` if it exists; an unreadable or invalid one is an error, located
    /// as `file:line:column`. A file that does not exist yet must be creatable where it is
    /// named, so the state is not lost at shutdown for want of a directory.
    pub fn load_file(&self) -> Result<(), String> {
        let Some(path) = &self.file else {
            return Ok(());
        };
        if !path.exists() {
            let tmp = temp_path(path);
            return std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .open(&tmp)
                .and_then(|_| std::fs::remove_file(&tmp))
                .map_err(|e| {
                    format!(
                        "--state-file {}: the state could not be saved there: {e}",
                        path.display()
                    )
                });
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
        let warnings = self.load_state(value).map_err(|e| {
            let at = mockgen_source::parse(&text)
                .map(|doc| {
                    let at = doc.place(&e.document_pointer(), false);
                    format!(":{}:{}", at.line, at.column)
                })
                .unwrap_or_default();
            format!("{}{at}: {e}", path.display())
        })?;
        for w in warnings {
            eprintln!("warning: {}: {w}", path.display());
        }
        Ok(())
    }

    /// Save to `--state-file` (on shutdown): written beside it, flushed to disk and renamed
    /// over it, so a crash at any point leaves either the old file or the new one. False when
    /// the state could not be saved (the error is on stderr, and `serve` exits 2).
    pub fn save_file(&self) -> bool {
        let Some(path) = &self.file else {
            return true;
        };
        let text = match serde_json::to_string_pretty(&self.state()) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot serialise the state: {e}");
                return false;
            }
        };
        let tmp = temp_path(path);
        let written = write_atomically(path, &tmp, &format!("{text}\n"));
        match written {
            Ok(()) => {
                eprintln!("state saved to {}", path.display());
                true
            }
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                eprintln!("error: cannot save the state to {}: {e}", path.display());
                false
            }
        }
    }

    /// Replace the state of every spec from `state` (a [`Admin::state`] dump): all or
    /// nothing, so a refused state leaves every store as it was.
    fn load_state(&self, state: Value) -> Result<Vec<String>, LoadError> {
        let Value::Object(map) = state else {
            return Err(LoadError {
                resource: String::new(),
                pointer: String::new(),
                message: "the state must be an object keyed by collection path".to_owned(),
            });
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
                    if let (Some(part), Some(rest)) = (parts.get_mut(i), key.get(p.len()..)) {
                        part.insert(rest.to_owned(), value);
                    }
                }
                None => warnings.push(format!("{key}: under no served spec; ignored")),
            }
        }
        let mut prepared = Vec::new();
        for ((store, part), prefix) in self.stores.iter().zip(parts).zip(&self.prefixes) {
            if part.is_empty() {
                continue;
            }
            match store.prepare(&Value::Object(part)) {
                Ok(p) => prepared.push((store, p)),
                Err(mut e) => {
                    // Name the resource as the dump does.
                    if !e.resource.is_empty() {
                        e.resource = format!("{prefix}{}", e.resource);
                    }
                    return Err(e);
                }
            }
        }
        for (store, p) in prepared {
            warnings.extend(store.commit(p));
        }
        Ok(warnings)
    }
}

/// Write `text` to `tmp`, flush it to disk and rename it over `path`; then sync the
/// directory so the rename itself is durable (best effort: not every platform can open a
/// directory).
fn write_atomically(
    path: &std::path::Path,
    tmp: &std::path::Path,
    text: &str,
) -> std::io::Result<()> {
    let mut file = std::fs::File::create(tmp)?;
    std::io::Write::write_all(&mut file, text.as_bytes())?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(tmp, path)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Where the state is written before it is renamed over `path`: beside it, same name plus
/// `.tmp~` (so two state files never share one).
fn temp_path(path: &std::path::Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp~");
    path.with_file_name(name)
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
        self.load_state(state).map_err(|e| e.to_string())
    }

    fn reset(&self) {
        for store in &self.stores {
            store.reset();
        }
    }
}
