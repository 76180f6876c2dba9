//! `mockgen fixtures SPEC --out DIR [--check]`: one file per operation × declared response
//! status × media type × named example, plus `manifest.json`; `--check` regenerates in memory
//! and lists every stale, missing, extra or invalid file.

use crate::files::load_spec;
use crate::{StructuredFormat, exit, render};
use mockgen_media::Kind;
use mockgen_schema::{SlotId, ValidatorBuilder, View};
use mockgen_spec::{Loaded, Loc, MediaType, Operation, Response, Spec, StatusKey, doc_uri};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Name of the manifest inside the output folder.
pub const MANIFEST: &str = "manifest.json";

/// `manifest.json`: documented in README; other tools read it, so keep it stable.
#[derive(Debug, Serialize, serde::Deserialize, PartialEq)]
pub struct Manifest {
    pub spec: String,
    pub seed: u64,
    pub entries: Vec<ManifestEntry>,
}

#[derive(Debug, Serialize, serde::Deserialize, PartialEq, Clone)]
#[serde(rename_all = "camelCase")]
pub struct ManifestEntry {
    /// Relative to the output folder, `/`-separated.
    pub file: String,
    pub operation_id: String,
    pub method: String,
    pub path: String,
    /// `200`, `2XX` or `default`.
    pub status: String,
    pub media_type: String,
    /// The example's name, or null for a body that is not a named example.
    pub example: Option<String>,
    /// Where the body came from: `example`, `schema-example`, `default` or `generated`.
    pub source: String,
    /// JSON pointer of the response schema in the original document (`file#pointer` when
    /// the schema lives in another file); null when the media type has no schema.
    pub schema_pointer: Option<String>,
}

/// One fixture to write, with its bytes.
struct Planned {
    entry: ManifestEntry,
    bytes: Vec<u8>,
    schema: Option<Loc>,
    structured: bool,
}

#[derive(Debug, clap::Args)]
pub struct FixturesArgs {
    /// The OpenAPI document.
    #[arg(value_name = "SPEC")]
    spec: PathBuf,
    /// Folder to write into (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Seed of the synthetic data; the same seed gives byte-identical files.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Only operations whose operationId matches this glob (`*` and `?`); repeatable.
    #[arg(long = "operation", value_name = "GLOB")]
    operations: Vec<String>,
    /// Also write 4xx, 5xx and `default` responses (by default only 2xx).
    #[arg(long)]
    include_errors: bool,
    /// How structured (JSON) bodies are written.
    #[arg(long, value_enum, default_value_t = StructuredFormat::Json)]
    format: StructuredFormat,
    /// Locale of realistic data (e.g. en, fr_fr, de_de, ja_jp, pt_br).
    #[arg(long, default_value = "en")]
    locale: String,
    /// Do not write: regenerate in memory and exit 1 listing every file that differs.
    #[arg(long)]
    check: bool,
}

pub fn run(args: &FixturesArgs) -> u8 {
    let (name, loaded) = match load_spec(&args.spec) {
        Ok(found) => found,
        Err(code) => return code,
    };
    let locale: mockgen_synth::Locale = match args.locale.parse() {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let Some(spec) = &loaded.spec else {
        render::human(&name, &loaded);
        return exit::FINDINGS;
    };
    let synth = match mockgen_synth::Synth::new(
        spec,
        mockgen_synth::Options {
            seed: args.seed,
            locale,
            ..mockgen_synth::Options::default()
        },
    ) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::FINDINGS;
        }
    };
    let (planned, failures) = plan(&loaded, spec, &synth, args);
    for f in &failures {
        eprintln!("error: {f}");
    }
    let manifest = Manifest {
        spec: name.clone(),
        seed: args.seed,
        entries: planned.iter().map(|p| p.entry.clone()).collect(),
    };
    let manifest_text =
        mockgen_media::json_pretty(&serde_json::to_value(&manifest).unwrap_or(Value::Null));
    let code = if args.check {
        check(spec, &args.out, &planned, &manifest_text)
    } else {
        write(&args.out, &planned, &manifest_text)
    };
    if code == exit::OK && !failures.is_empty() {
        exit::FINDINGS
    } else {
        code
    }
}

/// `*` and `?` globs over operationIds.
fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// A file-name-safe version of a name: `[A-Za-z0-9._-]`, others become `_`.
fn sanitise(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches(|c| c == '_' || c == '.').to_owned();
    let out: String = out.chars().take(100).collect();
    if out.is_empty() { "_".to_owned() } else { out }
}

fn wanted(status: StatusKey, include_errors: bool) -> bool {
    match status {
        StatusKey::Code(c) => (200..300).contains(&c) || (include_errors && c >= 400),
        StatusKey::Range(r) => r == 2 || (include_errors && r >= 4),
        StatusKey::Default => include_errors,
    }
}

fn plan(
    loaded: &Loaded,
    spec: &Spec,
    synth: &mockgen_synth::Synth,
    args: &FixturesArgs,
) -> (Vec<Planned>, Vec<String>) {
    let mut planned = Vec::new();
    let mut failures = Vec::new();
    let mut used_dirs: BTreeSet<String> = BTreeSet::new();
    let ops: Vec<&Operation> = spec
        .operations
        .iter()
        .filter(|op| {
            args.operations.is_empty() || args.operations.iter().any(|g| glob_match(g, &op.id))
        })
        .collect();
    let progress = progress_bar(ops.len(), args.check);
    for op in ops {
        progress.inc(1);
        let mut dir = sanitise(&op.id);
        if !used_dirs.insert(dir.clone()) {
            let mut n = 2;
            while !used_dirs.insert(format!("{dir}-{n}")) {
                n += 1;
            }
            dir = format!("{dir}-{n}");
        }
        for response in op
            .responses
            .iter()
            .filter(|r| wanted(r.status, args.include_errors))
        {
            // Two media types with the same extension get the media type in their names.
            let mut by_ext: BTreeMap<&str, usize> = BTreeMap::new();
            for m in &response.content {
                *by_ext
                    .entry(extension(&m.media_type, args.format))
                    .or_default() += 1;
            }
            for media in &response.content {
                let ext = extension(&media.media_type, args.format);
                let media_part = if by_ext.get(ext).copied().unwrap_or(0) > 1 {
                    format!(".{}", sanitise(&mockgen_media::essence(&media.media_type)))
                } else {
                    String::new()
                };
                let names: Vec<Option<&str>> = if media.examples.iter().any(|e| e.name.is_some()) {
                    media
                        .examples
                        .iter()
                        .filter_map(|e| e.name.as_deref())
                        .map(Some)
                        .collect()
                } else {
                    vec![None]
                };
                for example in names {
                    let example_part = example
                        .map(|e| format!(".{}", sanitise(e)))
                        .unwrap_or_default();
                    let file = format!(
                        "{dir}/{}{example_part}{media_part}.{ext}",
                        sanitise(&response.status.to_string())
                    );
                    match body(synth, op, response, media, example) {
                        Ok((value, source)) => {
                            let structured = mockgen_media::kind(&media.media_type) == Kind::Json;
                            let bytes = if structured && args.format == StructuredFormat::Yaml {
                                mockgen_media::to_yaml(&value).into_bytes()
                            } else {
                                mockgen_media::encode(
                                    spec,
                                    media.schema.as_ref(),
                                    &media.media_type,
                                    &value,
                                )
                            };
                            planned.push(Planned {
                                entry: ManifestEntry {
                                    file,
                                    operation_id: op.id.clone(),
                                    method: op.method.clone(),
                                    path: op.path.clone(),
                                    status: response.status.to_string(),
                                    media_type: media.media_type.clone(),
                                    example: example.map(str::to_owned),
                                    source: source.to_owned(),
                                    schema_pointer: media
                                        .schema
                                        .as_ref()
                                        .map(|l| original_pointer(loaded, l)),
                                },
                                bytes,
                                schema: media.schema.clone(),
                                structured,
                            });
                        }
                        Err(e) => failures.push(format!(
                            "{} {} {} {}: {e}",
                            op.id,
                            response.status,
                            media.media_type,
                            example.unwrap_or("")
                        )),
                    }
                }
            }
        }
    }
    progress.finish_and_clear();
    (planned, failures)
}

/// The one place that talks to the synthetic-data engine.
fn body(
    synth: &mockgen_synth::Synth,
    op: &Operation,
    response: &Response,
    media: &MediaType,
    example: Option<&str>,
) -> Result<(Value, &'static str), String> {
    let (value, source) = match synth.response_body(op, response, media, example, &[]) {
        Ok(found) => found,
        // No schema and no example: the spec allows any body; write an empty one.
        Err(e) if e.kind == mockgen_synth::ErrorKind::NoSchema => {
            let empty = if mockgen_media::kind(&media.media_type) == Kind::Json {
                Value::Object(serde_json::Map::new())
            } else {
                Value::String(String::new())
            };
            (empty, mockgen_synth::Source::Generated)
        }
        // A schema no value satisfies (a spec bug `mockgen check` reports, e.g.
        // `oneof-indistinguishable`): fixtures are only ever written valid, so none is written
        // (`mockgen serve` sends a best-effort body and logs its violations instead).
        Err(e) if e.kind == mockgen_synth::ErrorKind::Unsatisfiable => {
            return Err(format!(
                "{e}; the schema admits no valid body (see `mockgen check`), so no fixture is written for it"
            ));
        }
        Err(e) => return Err(e.to_string()),
    };
    let source = match source {
        mockgen_synth::Source::Example(_) => "example",
        mockgen_synth::Source::SchemaExample => "schema-example",
        mockgen_synth::Source::Default => "default",
        mockgen_synth::Source::Generated => "generated",
    };
    Ok((value, source))
}

fn extension(media_type: &str, format: StructuredFormat) -> &'static str {
    if mockgen_media::kind(media_type) == Kind::Json && format == StructuredFormat::Yaml {
        "yaml"
    } else {
        mockgen_media::extension(media_type)
    }
}

fn original_pointer(loaded: &Loaded, loc: &Loc) -> String {
    let pointer = loaded
        .bundle
        .origins
        .get(loc.doc)
        .map_or_else(|| loc.pointer.clone(), |o| o.original(&loc.pointer));
    if loc.doc == 0 {
        pointer
    } else {
        let file = loaded.files().get(loc.doc).map_or("", |f| f.name.as_str());
        format!("{file}#{pointer}")
    }
}

fn progress_bar(len: usize, quiet_label: bool) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() || len < 50 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} operations")
    {
        bar.set_style(style);
    }
    bar.set_message(if quiet_label {
        "checking"
    } else {
        "generating"
    });
    bar
}

fn write(out: &Path, planned: &[Planned], manifest_text: &str) -> u8 {
    // Files an earlier run wrote (listed in its manifest) that are no longer produced are
    // removed; nothing else in the folder is touched.
    let previous: Vec<String> = std::fs::read_to_string(out.join(MANIFEST))
        .ok()
        .and_then(|t| serde_json::from_str::<Manifest>(&t).ok())
        .map(|m| m.entries.into_iter().map(|e| e.file).collect())
        .unwrap_or_default();
    let current: BTreeSet<&str> = planned.iter().map(|p| p.entry.file.as_str()).collect();
    for old in previous.iter().filter(|f| !current.contains(f.as_str())) {
        if safe_relative(old) {
            let _ = std::fs::remove_file(out.join(old));
        }
    }
    for p in planned {
        let path = out.join(&p.entry.file);
        if let Some(parent) = path.parent()
            && let Err(e) = std::fs::create_dir_all(parent)
        {
            eprintln!("error: cannot create {}: {e}", parent.display());
            return exit::USAGE;
        }
        if let Err(e) = std::fs::write(&path, &p.bytes) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return exit::USAGE;
        }
    }
    if let Err(e) = std::fs::create_dir_all(out)
        .and_then(|()| std::fs::write(out.join(MANIFEST), manifest_text))
    {
        eprintln!("error: cannot write {}: {e}", out.join(MANIFEST).display());
        return exit::USAGE;
    }
    eprintln!(
        "wrote {} fixture file(s) and {} to {}",
        planned.len(),
        MANIFEST,
        out.display()
    );
    exit::OK
}

/// A manifest path that stays inside the output folder.
fn safe_relative(file: &str) -> bool {
    !file.is_empty()
        && !file.starts_with('/')
        && !file.split('/').any(|part| part == ".." || part.is_empty())
}

fn check(spec: &Spec, out: &Path, planned: &[Planned], manifest_text: &str) -> u8 {
    // One validator for every schema a fixture comes from, to tell a stale file (still valid)
    // from a hand-edited one that no longer matches the spec.
    let mut builder = ValidatorBuilder::new();
    for (i, doc) in spec.documents.iter().enumerate() {
        builder.add_document(&doc_uri(i), std::sync::Arc::clone(doc));
    }
    let slots: Vec<Option<SlotId>> = planned
        .iter()
        .map(|p| {
            p.schema
                .as_ref()
                .map(|l| builder.slot(&doc_uri(l.doc), &l.pointer, View::Response))
        })
        .collect();
    let validator = builder.build().ok();
    let mut problems = Vec::new();
    for (p, slot) in planned.iter().zip(&slots) {
        let path = out.join(&p.entry.file);
        match std::fs::read(&path) {
            Err(_) => problems.push(format!("missing: {}", p.entry.file)),
            Ok(bytes) if bytes == p.bytes => {}
            Ok(bytes) => {
                let parsed = p
                    .structured
                    .then(|| {
                        std::str::from_utf8(&bytes)
                            .ok()
                            .and_then(|t| mockgen_source::parse(t).ok())
                    })
                    .flatten();
                let violations = match (&parsed, slot, &validator) {
                    (Some(doc), Some(slot), Some(v)) => v.validate(*slot, &doc.value),
                    _ => Vec::new(),
                };
                if p.structured && parsed.is_none() {
                    problems.push(format!(
                        "invalid: {} is not valid {}",
                        p.entry.file,
                        if p.entry.file.ends_with(".yaml") {
                            "YAML"
                        } else {
                            "JSON"
                        }
                    ));
                } else if violations.is_empty() {
                    problems.push(format!(
                        "stale: {} differs from what the spec now generates",
                        p.entry.file
                    ));
                } else {
                    let listed: Vec<String> = violations
                        .iter()
                        .take(5)
                        .map(|v| {
                            format!(
                                "at {}: {}",
                                if v.instance_pointer.is_empty() {
                                    "(root)"
                                } else {
                                    &v.instance_pointer
                                },
                                v.message
                            )
                        })
                        .collect();
                    problems.push(format!(
                        "invalid: {} no longer matches its schema: {}",
                        p.entry.file,
                        listed.join("; ")
                    ));
                }
            }
        }
    }
    match std::fs::read_to_string(out.join(MANIFEST)) {
        Ok(t) if t == manifest_text => {}
        Ok(_) => problems.push(format!("stale: {MANIFEST} differs")),
        Err(_) => problems.push(format!("missing: {MANIFEST}")),
    }
    let expected: BTreeSet<String> = planned.iter().map(|p| p.entry.file.clone()).collect();
    for file in list_files(out) {
        if file != MANIFEST && !expected.contains(&file) {
            problems.push(format!("extra: {file} is not produced by the spec"));
        }
    }
    if problems.is_empty() {
        eprintln!(
            "{} fixture file(s) in {} match the spec",
            planned.len(),
            out.display()
        );
        exit::OK
    } else {
        for p in &problems {
            println!("{p}");
        }
        eprintln!(
            "{} problem(s); regenerate with: mockgen fixtures {} --out {}",
            problems.len(),
            spec_arg_hint(),
            out.display()
        );
        exit::FINDINGS
    }
}

fn spec_arg_hint() -> String {
    std::env::args()
        .skip_while(|a| a != "fixtures")
        .nth(1)
        .unwrap_or_else(|| "SPEC".to_owned())
}

/// Every file below `dir`, relative and `/`-separated, sorted.
fn list_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("get*", "getPet"));
        assert!(glob_match("*Pet", "getPet"));
        assert!(glob_match("g?tPet", "getPet"));
        assert!(!glob_match("list*", "getPet"));
        assert!(glob_match("*", ""));
    }

    #[test]
    fn sanitises_names() {
        assert_eq!(sanitise("get /pets/{id}"), "get_pets_id");
        assert_eq!(sanitise("../../etc"), "etc");
        assert_eq!(sanitise("ünï"), "n");
        assert_eq!(sanitise("ü"), "_");
        assert_eq!(sanitise("2XX"), "2XX");
    }

    #[test]
    fn manifest_paths_stay_inside() {
        assert!(safe_relative("getPet/200.json"));
        assert!(!safe_relative("../x"));
        assert!(!safe_relative("/etc/passwd"));
        assert!(!safe_relative("a//b"));
    }
}
