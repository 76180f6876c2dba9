//! `serve --config/--latency/--fault`: rules, sequences, latency and faults from
//! `mockgen.yaml`, the spec's `x-mockgen-*` extensions and the command line, compiled by
//! `mockgen-behave` into one hook per mount — the first of the chain (see serve_state.rs), so
//! a rule answers before the stateful store and a fault before anything.
//!
//! The config file: `--config FILE` for every spec; else, per spec, the first that exists of
//! `SPEC-STEM.mockgen.yaml`, `SPEC-STEM.mockgen.yml` and `mockgen.yaml` next to the spec, then
//! `mockgen.yaml` in the working directory (`--no-config` turns the search off). Problems in it
//! (syntax, unknown keys or operations, undeclared statuses, unknown examples, inline bodies
//! that break the response schema) are printed as `file:line:column` and stop the start with
//! exit code 2. Unless `--no-watch`, the config files are polled for changes and a version
//! that checks out is swapped in (sequence counters restart); a broken one keeps the last good
//! version. A reloaded spec is checked again (its extensions and schemas may have changed).

use crate::exit;
use crate::reload::Source;
use crate::serve_state::Layer;
use mockgen_behave::{Behaviour, Config, Diagnostic, FaultRule, Flags, Latency, locate};
use mockgen_engine::{Answer, Engine, Exchange, Hook, MockRequest, Plan};
use mockgen_server::ArcSwap;
use mockgen_source::Document;
use mockgen_spec::Loc;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The behaviour flags of `serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct BehaveArgs {
    /// Rules, sequences, latency and faults (see docs/config.md). Default: SPEC-STEM.mockgen.yaml
    /// or mockgen.yaml next to the spec, else ./mockgen.yaml, when one exists.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Do not look for a config file (rules in the spec's x-mockgen-* extensions still apply).
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Delay every answer: 200ms, uniform:100ms..300ms or lognormal:median=120ms,sigma=0.4
    /// (wins over the config's global latency; `Prefer: delay=MS` wins per request).
    #[arg(long, value_name = "LATENCY", value_parser = Latency::parse)]
    pub latency: Option<Latency>,
    /// Inject a fault with a probability, repeatable: 503:0.1, 429:0.2 (Retry-After 1 s),
    /// 429:0.2:5, reset:0.05, empty:0.05, malformed:0.05, timeout:0.05 or timeout:0.05:2s.
    /// Drawn from --seed, so a run repeats exactly.
    #[arg(long = "fault", value_name = "KIND:P", value_parser = mockgen_behave::parse_fault_flag)]
    pub faults: Vec<FaultRule>,
}

/// A config file as last read successfully.
#[derive(Debug)]
struct ConfigFile {
    name: String,
    config: Config,
    doc: Document,
}

/// Per mount: its config file (shared when `--config` names one for all) and its spec.
#[derive(Debug)]
struct Input {
    config_path: Option<PathBuf>,
    config: Mutex<Option<Arc<ConfigFile>>>,
    spec_path: PathBuf,
    spec_name: String,
}

/// The hook of one mount: the current behaviour, swapped when the config file changes.
#[derive(Debug)]
struct Live(ArcSwap<Behaviour>);

impl Hook for Live {
    fn decide(&self, engine: &Engine, exchange: &Exchange<'_>) -> Option<Answer> {
        self.0.load().decide(engine, exchange)
    }

    fn plan(&self, engine: &Engine, req: &MockRequest<'_>) -> Option<Plan> {
        self.0.load().plan(engine, req)
    }
}

/// A mount's hook and the engine it was last built for.
#[derive(Debug, Clone)]
struct Slot {
    live: Arc<Live>,
    engine: Arc<Engine>,
}

/// The behaviour of every mount, built when the mount is first built.
#[derive(Debug)]
pub struct Behave {
    seed: u64,
    flags: Flags,
    /// Re-read config files when they change.
    watch: bool,
    inputs: Vec<Input>,
    built: Mutex<Vec<Option<Slot>>>,
    /// Problems found while building, with how many mounts reported each.
    found: Mutex<Vec<(Diagnostic, usize)>>,
}

impl Behave {
    /// Read the config files; a broken one is printed and gives the exit code.
    pub fn new(
        args: &BehaveArgs,
        sources: &[Source],
        seed: u64,
        watch: bool,
    ) -> Result<Arc<Behave>, u8> {
        // Faults are drawn in order from one uniform number, so shares beyond 1 would make
        // every request fail with the last faults never drawn at their probability (the
        // config file's `faults` list is checked the same way).
        let total: f64 = args.faults.iter().map(|f| f.probability).sum();
        if total > 1.0 + 1e-9 {
            let given: Vec<String> = args
                .faults
                .iter()
                .map(|f| format!("{}:{}", f.kind.name(), f.probability))
                .collect();
            eprintln!(
                "error: the --fault probabilities add up to {total}, more than 1 ({})",
                given.join(", ")
            );
            return Err(exit::USAGE);
        }
        let mut cache: Vec<(PathBuf, Arc<ConfigFile>)> = Vec::new();
        let mut inputs = Vec::with_capacity(sources.len());
        let mut failed = false;
        for source in sources {
            let path = match &args.config {
                Some(p) => Some(p.clone()),
                None if args.no_config => None,
                None => discover(&source.path),
            };
            let config = match &path {
                None => None,
                Some(path) => match cache.iter().find(|(p, _)| p == path) {
                    Some((_, c)) => Some(Arc::clone(c)),
                    None => match read(path) {
                        Ok((file, warnings)) => {
                            for w in warnings {
                                eprintln!("{w}");
                            }
                            let file = Arc::new(file);
                            cache.push((path.clone(), Arc::clone(&file)));
                            Some(file)
                        }
                        Err(diags) => {
                            for d in diags {
                                eprintln!("{d}");
                            }
                            failed = true;
                            None
                        }
                    },
                },
            };
            inputs.push(Input {
                config_path: path,
                config: Mutex::new(config),
                spec_path: source.path.clone(),
                spec_name: source.name.clone(),
            });
        }
        if failed {
            return Err(exit::USAGE);
        }
        let flags = Flags {
            latency: args.latency.clone(),
            faults: (!args.faults.is_empty()).then(|| args.faults.clone()),
        };
        Ok(Arc::new(Behave {
            seed,
            flags,
            watch,
            built: Mutex::new(vec![None; inputs.len()]),
            inputs,
            found: Mutex::new(Vec::new()),
        }))
    }

    /// The rules/latency/faults layer: first in the hook chain.
    pub fn layer(self: &Arc<Self>) -> Layer {
        let me = Arc::clone(self);
        Arc::new(move |index, engine| {
            let live = me.hook(index, engine)?;
            // With a config file the hook stays in the chain: an edit may add rules.
            let keep = me.inputs.get(index)?.config_path.is_some() || live.0.load().is_active();
            keep.then_some(live as Arc<dyn Hook>)
        })
    }

    /// Mount `index`'s hook: built against the first engine, reused after spec reloads (the
    /// rules are keyed by operationId).
    fn hook(&self, index: usize, engine: &Arc<Engine>) -> Option<Arc<Live>> {
        let mut built = self.built.lock().ok()?;
        let input = self.inputs.get(index)?;
        let config = input.config.lock().ok()?.clone();
        if let Some(slot) = built.get_mut(index)?.as_mut() {
            // A reloaded spec: its x-mockgen-* extensions and schemas may have changed.
            if !Arc::ptr_eq(&slot.engine, engine) {
                slot.engine = Arc::clone(engine);
                let (behaviour, diags) = self.compile(input, engine, config.as_deref());
                let errors: Vec<&Diagnostic> = diags.iter().filter(|d| !d.warning).collect();
                if errors.is_empty() {
                    slot.live.0.store(Arc::new(behaviour));
                } else {
                    for d in errors {
                        eprintln!("{d}");
                    }
                    eprintln!(
                        "error: the rules of {} were not updated (the last good ones stay)",
                        input.spec_name
                    );
                }
            }
            return Some(Arc::clone(&slot.live));
        }
        let (behaviour, diags) = self.compile(input, engine, config.as_deref());
        if let Ok(mut found) = self.found.lock() {
            for d in diags {
                match found.iter_mut().find(|(f, _)| *f == d) {
                    Some((_, n)) => *n += 1,
                    None => found.push((d, 1)),
                }
            }
        }
        let live = Arc::new(Live(ArcSwap::from_pointee(behaviour)));
        if let Some(slot) = built.get_mut(index) {
            *slot = Some(Slot {
                live: Arc::clone(&live),
                engine: Arc::clone(engine),
            });
        }
        Some(live)
    }

    /// The behaviour of `input`'s spec under `config`, and every problem found.
    fn compile(
        &self,
        input: &Input,
        engine: &Engine,
        config: Option<&ConfigFile>,
    ) -> (Behaviour, Vec<Diagnostic>) {
        let (ext, ext_issues, elsewhere) = extensions(engine);
        let mut layers: Vec<&Config> = Vec::new();
        if let Some(c) = config {
            layers.push(&c.config);
        }
        layers.push(&ext);
        let (behaviour, issues) = Behaviour::build(engine, self.seed, &self.flags, &layers);
        let spec_doc = (!ext_issues.is_empty()
            || issues.iter().any(|(l, _)| *l == layers.len() - 1))
        .then(|| {
            std::fs::read_to_string(&input.spec_path)
                .ok()
                .and_then(|t| mockgen_source::parse(&t).ok())
        })
        .flatten();
        let locate_ext = |issue: mockgen_behave::Issue| {
            let doc = if elsewhere
                .iter()
                .any(|p| issue.pointer.starts_with(p.as_str()))
            {
                None
            } else {
                spec_doc.as_ref()
            };
            locate(&input.spec_name, doc, issue)
        };
        let mut diags: Vec<Diagnostic> = ext_issues.into_iter().map(&locate_ext).collect();
        for (layer, issue) in issues {
            match (config, layer) {
                (Some(c), 0) => diags.push(locate(&c.name, Some(&c.doc), issue)),
                _ => diags.push(locate_ext(issue)),
            }
        }
        (behaviour, diags)
    }

    /// After every mount is built: print the problems (errors stop the start with the exit
    /// code) and one line on what is active, with the seed that reproduces it; then watch
    /// the config files.
    pub fn finish(self: &Arc<Self>) -> Result<(), u8> {
        let found = self.found.lock().map(|f| f.clone()).unwrap_or_default();
        let mut errors = 0;
        for (d, count) in &found {
            // A shared --config names operations of several specs: an operation is unknown
            // only when no spec has it.
            let sharing = self
                .inputs
                .iter()
                .filter(|i| {
                    i.config_path
                        .as_ref()
                        .is_some_and(|p| p.to_string_lossy() == d.file)
                })
                .count();
            if d.message.starts_with("no operation `") && *count < sharing {
                continue;
            }
            eprintln!("{d}");
            if !d.warning {
                errors += 1;
            }
        }
        if errors > 0 {
            eprintln!(
                "error: {errors} problem{} in the behaviour config; nothing is served",
                if errors == 1 { "" } else { "s" }
            );
            return Err(exit::USAGE);
        }
        let built = self.built.lock().map(|b| b.clone()).unwrap_or_default();
        let active: Vec<Arc<Behaviour>> = built
            .iter()
            .flatten()
            .map(|s| s.live.0.load_full())
            .filter(|b| b.is_active())
            .collect();
        if active.iter().any(|b| b.may_reset()) {
            mockgen_server::enable_resets();
        }
        let files = self.config_paths();
        if !active.is_empty() || !files.is_empty() {
            let rules: usize = active.iter().map(|b| b.rule_count()).sum();
            let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
            eprintln!(
                "behaviour: {rules} rule{}{}; latency and faults drawn from seed {} (reproduce with --seed {})",
                if rules == 1 { "" } else { "s" },
                if names.is_empty() {
                    String::new()
                } else {
                    format!(" from {}", names.join(", "))
                },
                self.seed,
                self.seed
            );
        }
        if self.watch && !files.is_empty() {
            let me = Arc::clone(self);
            let spawned = std::thread::Builder::new()
                .name("mockgen-config".to_owned())
                .spawn(move || me.poll(&files));
            if let Err(e) = spawned {
                eprintln!("warning: config files are not watched: {e}");
            }
        }
        Ok(())
    }

    /// The distinct config files, in command-line order.
    fn config_paths(&self) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = Vec::new();
        for p in self.inputs.iter().filter_map(|i| i.config_path.as_ref()) {
            if !out.contains(p) {
                out.push(p.clone());
            }
        }
        out
    }

    /// Check the config files' modification time and size every [`POLL`]; reload on change.
    fn poll(&self, files: &[PathBuf]) {
        let stamp = |p: &PathBuf| {
            std::fs::metadata(p)
                .ok()
                .map(|m| (m.modified().ok(), m.len()))
        };
        let mut stamps: Vec<_> = files.iter().map(stamp).collect();
        loop {
            std::thread::sleep(POLL);
            for (path, last) in files.iter().zip(stamps.iter_mut()) {
                let now = stamp(path);
                if now != *last && now.is_some() {
                    *last = now;
                    self.reload(path);
                }
            }
        }
    }

    /// Re-read `path` and swap in the behaviours built from it; a broken version keeps the
    /// last good one and prints why.
    fn reload(&self, path: &Path) {
        let shown = path.display();
        let file = match read(path) {
            Ok((file, warnings)) => {
                for w in warnings {
                    eprintln!("{w}");
                }
                Arc::new(file)
            }
            Err(diags) => {
                for d in diags {
                    eprintln!("{d}");
                }
                eprintln!("error: {shown} was not reloaded (the last good version stays)");
                return;
            }
        };
        let Ok(built) = self.built.lock().map(|b| b.clone()) else {
            return;
        };
        let mut fresh = Vec::new();
        let mut errors = Vec::new();
        for (index, input) in self.inputs.iter().enumerate() {
            if input.config_path.as_deref() != Some(path) {
                continue;
            }
            let Some(Some(slot)) = built.get(index) else {
                continue;
            };
            let (behaviour, diags) = self.compile(input, &slot.engine, Some(&file));
            let sharing = self
                .inputs
                .iter()
                .filter(|i| i.config_path.as_deref() == Some(path))
                .count();
            errors.extend(diags.into_iter().filter(|d| {
                let unknown_elsewhere = sharing > 1 && d.message.starts_with("no operation `");
                !(d.warning || unknown_elsewhere)
            }));
            fresh.push((index, slot.live.clone(), behaviour));
        }
        if !errors.is_empty() {
            errors.dedup();
            for d in errors {
                eprintln!("{d}");
            }
            eprintln!("error: {shown} was not reloaded (the last good version stays)");
            return;
        }
        let mut rules = 0;
        for (index, live, behaviour) in fresh {
            rules += behaviour.rule_count();
            live.0.store(Arc::new(behaviour));
            if let Some(Ok(mut slot)) = self.inputs.get(index).map(|i| i.config.lock()) {
                *slot = Some(Arc::clone(&file));
            }
        }
        eprintln!(
            "reloaded {shown}: {rules} rule{}",
            if rules == 1 { "" } else { "s" }
        );
    }
}

/// How often config files are checked for changes.
const POLL: std::time::Duration = std::time::Duration::from_millis(250);

/// The first config file that exists for the spec at `spec`.
fn discover(spec: &Path) -> Option<PathBuf> {
    let dir = spec.parent().unwrap_or(Path::new(""));
    let stem = spec.file_stem().map(|s| s.to_string_lossy().into_owned());
    let mut candidates = Vec::new();
    if let Some(stem) = stem {
        candidates.push(dir.join(format!("{stem}.mockgen.yaml")));
        candidates.push(dir.join(format!("{stem}.mockgen.yml")));
    }
    candidates.push(dir.join("mockgen.yaml"));
    candidates.push(PathBuf::from("mockgen.yaml"));
    candidates.into_iter().find(|p| p.is_file())
}

/// Read and parse a config file: the file and its warnings, or every problem.
fn read(path: &Path) -> Result<(ConfigFile, Vec<Diagnostic>), Vec<Diagnostic>> {
    let name = path.to_string_lossy().into_owned();
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![Diagnostic {
            file: name.clone(),
            line: 0,
            column: 0,
            pointer: String::new(),
            message: format!("cannot read the config: {e}"),
            help: None,
            warning: false,
        }]
    })?;
    let (config, doc, diags) = mockgen_behave::load_config(&name, &text).map_err(|d| vec![d])?;
    if diags.iter().any(|d| !d.warning) {
        return Err(diags);
    }
    Ok((ConfigFile { name, config, doc }, diags))
}

/// The spec's `x-mockgen-*` extensions as a config, their problems, and the operation
/// pointers that live in another file than the root (not located).
fn extensions(engine: &Engine) -> (Config, Vec<mockgen_behave::Issue>, Vec<String>) {
    let spec = engine.spec();
    let mut config = Config::default();
    let mut issues = Vec::new();
    let mut elsewhere = Vec::new();
    if let Some(root) = spec.get(&Loc::new(0, "")) {
        let (global, found) = mockgen_behave::parse_extensions(root, "", "");
        issues.extend(found);
        if let Some(g) = global {
            config.latency = g.latency;
            config.faults = g.faults;
            if !g.rules.is_empty() {
                let mut issue = mockgen_behave::Issue::new(
                    "/x-mockgen-rules",
                    "x-mockgen-rules at the document root is ignored: rules belong to an operation",
                );
                issue.at_key = true;
                issue.warning = true;
                issues.push(issue);
            }
        }
    }
    for op in &spec.operations {
        let Some(node) = spec.get(&op.loc) else {
            continue;
        };
        let (found_op, found) = mockgen_behave::parse_extensions(node, &op.loc.pointer, &op.id);
        if op.loc.doc != 0 {
            elsewhere.push(op.loc.pointer.clone());
        }
        issues.extend(found);
        config.operations.extend(found_op);
    }
    (config, issues, elsewhere)
}
