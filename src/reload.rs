//! Loading the specs `mockgen serve` mounts, and reloading them when their files change.
//!
//! Every file the loader reads (the spec and each file reached through `$ref`) is recorded. The
//! *directories* holding them are watched, not the files: editors that save by writing a new
//! file and renaming it over the old one (vim, VS Code, JetBrains) replace the inode a file
//! watch would follow. Events are debounced, filtered down to the recorded files and handed to
//! one reload thread, which loads and compiles off the server's workers and swaps the new
//! engine set in atomically. A version that introduces errors (or cannot be compiled) is not
//! swapped in: the last good one keeps serving and the diagnostics go to stderr.

use crate::files::{FsResolver, read_text};
use mockgen_engine::{Engine, Options};
use mockgen_server::{
    BasePaths, Mount, SharedMounts, default_base, normalise_base, route_conflicts,
};
use mockgen_spec::{Fetched, Loaded, Resolver, Spec};
use notify_debouncer_full::notify::event::{AccessKind, AccessMode, ModifyKind};
use notify_debouncer_full::notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, DebouncedEvent, NoCache, new_debouncer_opt};
use std::cell::RefCell;
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Quiet time after the last event before reloading: long enough to see a whole save (write,
/// rename, several files), short enough to feel immediate.
const DEBOUNCE: Duration = Duration::from_millis(150);

/// One spec given on the command line.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    /// As the user wrote it (used in messages).
    pub name: String,
    /// `--base-path` for this spec, normalised (`""` = the root).
    pub forced_base: Option<String>,
}

/// A spec read from disk with the files it consisted of.
#[derive(Debug)]
pub struct Read {
    pub loaded: Loaded,
    /// Every local file the loader asked for, readable or not (a missing `$ref` target is
    /// watched too, so creating it triggers a reload).
    pub files: Vec<PathBuf>,
}

/// Read and load `source`; an unreadable root file is an error message.
pub fn read(source: &Source) -> Result<Read, String> {
    let text = read_text(&source.path)?;
    let resolver = Recording::default();
    let loaded = mockgen_spec::load(
        &source.name,
        text,
        &resolver,
        &mockgen_spec::LoadOptions::default(),
    );
    let mut files = vec![source.path.clone()];
    files.extend(resolver.seen.into_inner());
    Ok(Read { loaded, files })
}

/// The engine options for one spec: `--base-path` wins; with several specs each engine only
/// accepts its own mount point; a single spec accepts its `servers` paths and none.
pub fn engine_options(template: &Options, source: &Source, spec: &Spec, multi: bool) -> Options {
    let base_paths = match (&source.forced_base, multi) {
        (Some(base), _) => BasePaths::Forced(base.clone()),
        (None, true) => BasePaths::Forced(default_base(spec)),
        (None, false) => BasePaths::FromServers,
    };
    Options {
        base_paths,
        ..template.clone()
    }
}

/// Where a spec is mounted: `--base-path`, else the path of its first server.
pub fn mount_base(source: &Source, spec: &Spec) -> String {
    source
        .forced_base
        .as_deref()
        .map_or_else(|| default_base(spec), normalise_base)
}

/// Errors that identify a problem across versions: a save that only keeps old errors (the spec
/// was served with them) reloads; a save that adds one does not.
type ErrorKey = (&'static str, String, String);

pub fn error_keys(loaded: &Loaded) -> HashSet<ErrorKey> {
    loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            let file = loaded.files().get(d.file).map(|f| f.name.clone());
            (d.code, file.unwrap_or_default(), d.pointer.clone())
        })
        .collect()
}

/// A resolver that remembers which local files the loader asked for.
#[derive(Debug, Default)]
struct Recording {
    inner: FsResolver,
    seen: RefCell<Vec<PathBuf>>,
}

impl Resolver for Recording {
    fn fetch(&self, base: &str, target: &str) -> Result<Fetched, String> {
        let result = self.inner.fetch(base, target);
        let path = match &result {
            Ok(fetched) => Some(PathBuf::from(&fetched.name)),
            Err(_) if !target.contains("://") || target.starts_with("file://") => {
                let target = target.strip_prefix("file://").unwrap_or(target);
                Some(
                    Path::new(base)
                        .parent()
                        .unwrap_or(Path::new(""))
                        .join(target),
                )
            }
            Err(_) => None,
        };
        if let Some(path) = path {
            self.seen.borrow_mut().push(path);
        }
        result
    }
}

/// The state of the reload thread.
#[derive(Debug)]
pub struct Reloader {
    pub sources: Vec<Source>,
    /// Engine options shared by every spec (base paths are set per spec).
    pub options: Options,
    pub mounts: SharedMounts,
    /// Per spec: the errors of the version being served.
    pub errors: Vec<HashSet<ErrorKey>>,
    /// Per spec: the files it was read from.
    pub files: Vec<Vec<PathBuf>>,
    /// Asked for the new mount's hooks (the stateful store keeps its objects across reloads).
    pub hooks: crate::serve_state::HookLayers,
}

/// The watched form of a file: its directory resolved (symlinks, `..`) plus its name, which is
/// also how events name it.
fn watch_key(path: &Path) -> Option<(PathBuf, PathBuf)> {
    let absolute = std::path::absolute(path).ok()?;
    let name = absolute.file_name()?.to_owned();
    let dir = absolute.parent()?.canonicalize().ok()?;
    let key = dir.join(name);
    Some((dir, key))
}

/// Start watching on a thread of its own that lives as long as the process. Errors (no
/// inotify slots, unreadable directory) are for a warning: serving goes on without reload.
pub fn spawn(mut reloader: Reloader) -> Result<(), String> {
    let (tx, rx) = std::sync::mpsc::channel::<DebounceEventResult>();
    let mut debouncer =
        new_debouncer_opt::<_, notify_debouncer_full::notify::RecommendedWatcher, _>(
            DEBOUNCE,
            None,
            tx,
            NoCache,
            notify_debouncer_full::notify::Config::default(),
        )
        .map_err(|e| e.to_string())?;
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    let mut keys: Vec<HashSet<PathBuf>> = Vec::new();
    for files in &reloader.files {
        let mut set = HashSet::new();
        for file in files {
            if let Some((dir, key)) = watch_key(file) {
                set.insert(key);
                if dirs.insert(dir.clone()) {
                    debouncer
                        .watch(&dir, RecursiveMode::NonRecursive)
                        .map_err(|e| format!("cannot watch {}: {e}", dir.display()))?;
                }
            }
        }
        keys.push(set);
    }
    std::thread::Builder::new()
        .name("mockgen-reload".to_owned())
        .spawn(move || {
            // The thread owns the watcher: it lives as long as the process.
            while let Ok(first) = rx.recv() {
                // Batches that queued up during a slow reload are handled together: one
                // reload per spec, of its latest state.
                let mut changed: BTreeSet<usize> = BTreeSet::new();
                for result in std::iter::once(first).chain(rx.try_iter()) {
                    match result {
                        Ok(events) => changed.extend(affected(&events, &keys)),
                        Err(errors) => {
                            for e in errors {
                                eprintln!("warning: file watcher: {e}");
                            }
                        }
                    }
                }
                for index in changed {
                    // A bug in loading or compiling must not end hot reload for good.
                    let reloaded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        reloader.reload(index);
                    }));
                    if reloaded.is_err() {
                        eprintln!(
                            "error: reloading spec #{} failed unexpectedly; still serving the last good version",
                            index + 1
                        );
                    }
                    // A new version may reference new files: watch them too (old ones stay
                    // watched, harmlessly).
                    let Some(set) = keys.get_mut(index) else {
                        continue;
                    };
                    for file in reloader.files.get(index).into_iter().flatten() {
                        if let Some((dir, key)) = watch_key(file) {
                            set.insert(key);
                            if dirs.insert(dir.clone())
                                && let Err(e) = debouncer.watch(&dir, RecursiveMode::NonRecursive)
                            {
                                eprintln!("warning: cannot watch {}: {e}", dir.display());
                            }
                        }
                    }
                }
            }
        })
        .map_err(|e| format!("cannot start the reload thread: {e}"))?;
    Ok(())
}

/// The specs (indexes) whose files these events touch.
fn affected(events: &[DebouncedEvent], keys: &[HashSet<PathBuf>]) -> BTreeSet<usize> {
    events
        .iter()
        .filter(|e| is_change(&e.event.kind))
        .flat_map(|e| e.event.paths.iter())
        .flat_map(|p| {
            keys.iter()
                .enumerate()
                .filter(move |(_, set)| set.contains(p))
                .map(|(i, _)| i)
        })
        .collect()
}

/// Events that can change a file's content; opening and reading (our own reload reads the
/// files!) and metadata changes are not.
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        _ => true,
    }
}

impl Reloader {
    /// Reload spec `index`; swap it in if it is good, else explain and keep the old one.
    fn reload(&mut self, index: usize) {
        let started = Instant::now();
        let Some(source) = self.sources.get(index).cloned() else {
            return;
        };
        let name = &source.name;
        let read = match read(&source) {
            Ok(read) => read,
            Err(e) => {
                // Usually a save in progress (the file is briefly missing); the next event
                // reloads again.
                eprintln!(
                    "error: {name} was not reloaded (still serving the last good version): {e}"
                );
                return;
            }
        };
        if let Some(files) = self.files.get_mut(index) {
            for f in &read.files {
                if !files.contains(f) {
                    files.push(f.clone());
                }
            }
        }
        let loaded = read.loaded;
        let old_errors = self.errors.get(index).cloned().unwrap_or_default();
        let new_errors = error_keys(&loaded);
        let introduced: Vec<&mockgen_spec::Diagnostic> = loaded
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .filter(|d| {
                let file = loaded.files().get(d.file).map(|f| f.name.clone());
                !old_errors.contains(&(d.code, file.unwrap_or_default(), d.pointer.clone()))
            })
            .collect();
        if !introduced.is_empty() || loaded.spec.is_none() {
            eprintln!("error: {name} was not reloaded (still serving the last good version):");
            let shown: Vec<&mockgen_spec::Diagnostic> = if introduced.is_empty() {
                loaded.diagnostics.iter().filter(|d| d.is_error()).collect()
            } else {
                introduced
            };
            for d in shown {
                let file = loaded
                    .files()
                    .get(d.file)
                    .map_or(name.as_str(), |f| f.name.as_str());
                eprintln!(
                    "  {file}:{}:{}: error[{}]: {}",
                    d.line, d.column, d.code, d.message
                );
            }
            return;
        }
        let Some(spec) = loaded.spec else {
            return;
        };
        let multi = self.sources.len() > 1;
        let base = mount_base(&source, &spec);
        let current = self.mounts.load_full();
        if multi
            && let Some(other) = current
                .list()
                .iter()
                .enumerate()
                .find(|(i, m)| *i != index && m.base == base)
        {
            eprintln!(
                "error: {name} was not reloaded (still serving the last good version): it would be served under `{}`, like {}; give each spec its own --base-path",
                if base.is_empty() { "/" } else { &base },
                other.1.name
            );
            return;
        }
        for conflict in route_conflicts(&spec) {
            eprintln!("warning: {name}: {conflict}");
        }
        let spec = Arc::new(spec);
        let options = engine_options(&self.options, &source, &spec, multi);
        let engine = match Engine::new(Arc::clone(&spec), options) {
            Ok(engine) => Arc::new(engine),
            Err(e) => {
                eprintln!(
                    "error: {name} was not reloaded (still serving the last good version): cannot build the mock: {e}"
                );
                return;
            }
        };
        let hooks = self.hooks.build(index, &engine);
        let mount = Mount::new(name.clone(), base, engine).with_hooks(hooks);
        let changes = current
            .list()
            .get(index)
            .map(|old| route_changes(old.engine.spec(), &spec))
            .unwrap_or_default();
        // Only this thread swaps, so load-modify-store cannot lose an update.
        self.mounts.store(Arc::new(current.replace(index, mount)));
        if let Some(slot) = self.errors.get_mut(index) {
            *slot = new_errors;
        }
        eprintln!(
            "reloaded {name} in {:.1} ms: {} operations{changes}",
            started.elapsed().as_secs_f64() * 1000.0,
            spec.operations.len()
        );
    }
}

/// ` (added GET /a; removed DELETE /b)` between two versions, or nothing when the routes are
/// the same. At most a few of each are named.
fn route_changes(old: &Spec, new: &Spec) -> String {
    const NAMED: usize = 5;
    let routes = |spec: &Spec| -> BTreeSet<(String, String)> {
        spec.operations
            .iter()
            .map(|op| (op.method.clone(), op.path.clone()))
            .collect()
    };
    let (before, after) = (routes(old), routes(new));
    let list = |label: &str, items: Vec<&(String, String)>| -> Option<String> {
        if items.is_empty() {
            return None;
        }
        let mut named: Vec<String> = items
            .iter()
            .take(NAMED)
            .map(|(m, p)| format!("{m} {p}"))
            .collect();
        if items.len() > NAMED {
            named.push(format!("{} more", items.len() - NAMED));
        }
        Some(format!("{label} {}", named.join(", ")))
    };
    let parts: Vec<String> = [
        list("added", after.difference(&before).collect()),
        list("removed", before.difference(&after).collect()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify_debouncer_full::notify::event::{CreateKind, DataChange, MetadataKind, RenameMode};

    #[test]
    fn only_content_changes_count() {
        assert!(is_change(&EventKind::Modify(ModifyKind::Data(
            DataChange::Content
        ))));
        assert!(is_change(&EventKind::Modify(ModifyKind::Name(
            RenameMode::To
        ))));
        assert!(is_change(&EventKind::Create(CreateKind::File)));
        assert!(is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        // Our own reads must not trigger a reload, or it would never stop.
        assert!(!is_change(&EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(!is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(!is_change(&EventKind::Modify(ModifyKind::Metadata(
            MetadataKind::AccessTime
        ))));
    }

    #[test]
    fn missing_ref_targets_are_recorded() {
        let recording = Recording::default();
        let result = recording.fetch("some/dir/root.yaml", "./missing-file.yaml");
        assert!(result.is_err());
        assert!(
            recording
                .fetch("some/dir/root.yaml", "http://x/y.yaml")
                .is_err()
        );
        assert_eq!(
            recording.seen.into_inner(),
            vec![PathBuf::from("some/dir/./missing-file.yaml")]
        );
    }
}
