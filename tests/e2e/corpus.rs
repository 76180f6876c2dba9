//! Data-driven tests over the spec corpus, in the style of rust-analyzer's `test_data/{ok,err}`:
//!
//! * `specs/err/`: small broken documents, one failure each. Each names its primary finding in
//!   its header (a `#` comment in YAML, `info.description` in JSON):
//!   `expect: CODE [at [FILE:]LINE:COLUMN] ["part of the message"]`, FILE relative to the
//!   document's folder (for a finding in a referenced file). The test checks the exit code
//!   (1, or 0 for the [`WARNING_ONLY`] documents), that a finding matches the header, that no
//!   error of another code comes with it, and that every finding has a position; then it
//!   snapshots every finding (file, line, column, code, pointer, message, help, and the source
//!   line with a caret under the column) so a reviewer sees where each diagnostic lands.
//! * `specs/ok/`: small valid documents, one translation or normalisation each. They must check
//!   clean (warnings only where [`OK_WARNINGS`] says), and the normalised model (operations,
//!   servers, security schemes and the 2020-12 schemas) is snapshotted.
//!
//! Documents on which the loader is known to be wrong are listed in [`KNOWN_LOADER_BUGS`]: they
//! are not snapshotted, and the test fails when one of them starts meeting its header, so the
//! entry is removed and the snapshot gets reviewed.
//!
//! Roots: every `.yaml`/`.yml`/`.json` file directly in the folder whose name does not start with
//! `_`, plus `root.yaml`/`root.json` in any subfolder (multi-file specs); the other files of a
//! subfolder, and `_`-prefixed files, are only reached through `$ref`.
//!
//! New snapshots: `INSTA_UPDATE=always cargo test --test e2e corpus` (`cargo insta` is not
//! installed), then review the `tests/e2e/snapshots/e2e__corpus__*.snap` files by hand.

use crate::support::{check_json, root};
use mockgen_spec::{Fetched, LoadOptions, Loc, Resolver};
use serde_json::{Map, Value, json};
use std::path::{Component, Path, PathBuf};

/// `specs/err` documents that only produce warnings: `check` exits 0 for them.
const WARNING_ONLY: &[&str] = &[
    "specs/err/bom-version-number.yaml",
    "specs/err/info-missing.yaml",
    "specs/err/json-duplicate-key.json",
    "specs/err/multiple-documents.yaml",
    "specs/err/openapi32-field-in-31.yaml",
    "specs/err/openapi32-unknown-field.yaml",
    "specs/err/parameter-style-location.yaml",
    "specs/err/ref-sibling-contradiction.yaml",
    "specs/err/path-ambiguous.yaml",
    "specs/err/response-description-missing.yaml",
    "specs/err/response-status-lowercase.yaml",
    "specs/err/server-variable-undeclared.yaml",
    "specs/err/swagger2-collection-format-tsv.yaml",
    "specs/err/version-not-string.yaml",
];

/// `specs/err` documents on which the loader is currently wrong (see the reason). Their
/// findings are NOT snapshotted (that would bake the mistake in); the test only checks the
/// mistake is still there, and fails once it is fixed so the entry gets removed and the
/// document gets its snapshot.
const KNOWN_LOADER_BUGS: &[(&str, &str)] = &[];

/// `specs/ok` documents allowed to have warnings, with the codes they are expected to have.
const OK_WARNINGS: &[(&str, &[&str])] = &[
    // `nullable: true` next to a 3.0 `$ref` becomes `anyOf: [$ref, {type: null}]`, with a note.
    ("specs/ok/oas30-nullable.yaml", &["schema-translation"]),
];

#[test]
fn err_documents_have_their_diagnostics() {
    let docs = roots("specs/err");
    assert!(
        docs.len() >= 30,
        "the err corpus shrank to {} documents",
        docs.len()
    );
    for (bug, _) in KNOWN_LOADER_BUGS {
        assert!(
            docs.iter().any(|d| d == bug),
            "KNOWN_LOADER_BUGS names {bug}, which is not a root document"
        );
    }
    let mut failures = Vec::new();
    for rel in &docs {
        if let Err(e) = check_err_document(rel) {
            failures.push(format!("{rel}: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} err document(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn check_err_document(rel: &str) -> Result<(), String> {
    let expect = Expectation::of(rel, &read(rel))?;
    let (exit, report) = check_json(Path::new(rel));
    let doc = only_report(&report)?;
    let findings = findings(doc);
    let problems = problems(rel, exit, &findings, &expect);

    if let Some((_, why)) = KNOWN_LOADER_BUGS.iter().find(|(d, _)| *d == rel) {
        if problems.is_empty() {
            return Err(format!(
                "meets its expectation now: the loader bug ({why}) looks fixed; remove the document \
                 from KNOWN_LOADER_BUGS and review its new snapshot"
            ));
        }
        eprintln!(
            "note: {rel}: known loader bug, not snapshotted ({why}): {}",
            problems.join("; ")
        );
        return Ok(());
    }
    if !problems.is_empty() {
        return Err(format!(
            "{}\nfindings: {}",
            problems.join("; "),
            serde_json::to_string_pretty(&findings).unwrap_or_default()
        ));
    }
    let snapshot = json!({
        "document": rel,
        "exit": exit,
        "loaded": doc["loaded"],
        "version": doc["version"],
        "findings": findings,
    });
    insta::with_settings!({ description => rel, omit_expression => true, prepend_module_to_snapshot => true }, {
        insta::assert_json_snapshot!(snapshot_name("err", rel), snapshot);
    });
    Ok(())
}

/// What is wrong with the findings of an err document, measured against its header.
fn problems(rel: &str, exit: i32, findings: &[Value], expect: &Expectation) -> Vec<String> {
    let mut out = Vec::new();
    if findings.is_empty() {
        out.push(format!(
            "no findings at all (exit {exit}); expected `{}`",
            expect.code
        ));
        return out;
    }
    let warning_only = WARNING_ONLY.contains(&rel);
    let errors: Vec<&Value> = findings
        .iter()
        .filter(|f| f["severity"] == "error")
        .collect();
    match (warning_only, exit, errors.len()) {
        (false, 1, 1..) | (true, 0, 0) => {}
        _ => out.push(format!(
            "exit {exit} with {} error(s); expected {}",
            errors.len(),
            if warning_only {
                "exit 0, warnings only"
            } else {
                "exit 1 with errors"
            }
        )),
    }
    // One primary finding: no error of another kind (noise after the real problem).
    for f in &errors {
        if f["code"] != expect.code.as_str() {
            out.push(format!(
                "an unexpected `{}` error at {}:{}:{}: {}",
                f["code"].as_str().unwrap_or("?"),
                f["file"].as_str().unwrap_or("?"),
                f["line"],
                f["column"],
                f["message"]
            ));
        }
    }
    for f in findings {
        if f["line"].as_u64().unwrap_or(0) == 0 || f["column"].as_u64().unwrap_or(0) == 0 {
            out.push(format!(
                "a `{}` finding has no position",
                f["code"].as_str().unwrap_or("?")
            ));
        }
        if f["message"].as_str().is_some_and(|m| m.contains("Some(")) {
            out.push(format!(
                "a `{}` message shows Rust debug output: {}",
                f["code"].as_str().unwrap_or("?"),
                f["message"]
            ));
        }
    }
    let same_code: Vec<&Value> = findings
        .iter()
        .filter(|f| f["code"] == expect.code.as_str())
        .collect();
    if same_code.is_empty() {
        let codes: Vec<&str> = findings.iter().filter_map(|f| f["code"].as_str()).collect();
        out.push(format!("no `{}` finding; got {codes:?}", expect.code));
    } else if !same_code.iter().any(|f| expect.matches(f)) {
        let got: Vec<String> = same_code
            .iter()
            .map(|f| {
                format!(
                    "{}:{}:{} {}",
                    f["file"].as_str().unwrap_or("?"),
                    f["line"],
                    f["column"],
                    f["message"]
                )
            })
            .collect();
        out.push(format!(
            "expected `{}` {}; got {}",
            expect.code,
            expect.describe(),
            got.join(" | ")
        ));
    }
    out
}

/// The `expect: CODE [at [FILE:]LINE:COLUMN] ["part of the message"]` of a document's header
/// (a `#` comment in YAML, `info.description` in JSON). FILE is relative to the document's folder.
#[derive(Debug)]
struct Expectation {
    code: String,
    file: String,
    at: Option<(u64, u64)>,
    message: Option<String>,
}

impl Expectation {
    fn of(rel: &str, text: &str) -> Result<Expectation, String> {
        let start = text
            .find("expect: ")
            .ok_or("the header has no `expect: CODE`")?
            + "expect: ".len();
        let line = text[start..].lines().next().unwrap_or_default();
        // Inside a JSON string a quote is escaped.
        let line = if rel.ends_with(".json") {
            line.replace("\\\"", "\"")
        } else {
            line.to_owned()
        };
        let code: String = line
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
            .collect();
        if code.is_empty() {
            return Err("`expect:` is not followed by a code".into());
        }
        let mut rest = line[code.len()..].trim_start();
        let mut file = rel.to_owned();
        let mut at = None;
        if let Some(after) = rest.strip_prefix("at ") {
            let token = after.split_whitespace().next().unwrap_or_default();
            rest = after[token.len()..].trim_start();
            let mut parts = token.rsplitn(3, ':');
            let column = parts.next().and_then(|c| c.parse().ok());
            let line_no = parts.next().and_then(|l| l.parse().ok());
            let (Some(l), Some(c)) = (line_no, column) else {
                return Err(format!(
                    "`at {token}` is not LINE:COLUMN or FILE:LINE:COLUMN"
                ));
            };
            at = Some((l, c));
            if let Some(other) = parts.next() {
                let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
                file = format!("{dir}/{other}");
            }
        }
        let message = rest
            .strip_prefix('"')
            .and_then(|m| m.split_once('"'))
            .map(|(m, _)| m.to_owned());
        Ok(Expectation {
            code,
            file,
            at,
            message,
        })
    }

    fn matches(&self, f: &Value) -> bool {
        f["code"] == self.code.as_str()
            && f["file"] == self.file.as_str()
            && self
                .at
                .is_none_or(|(l, c)| f["line"] == l && f["column"] == c)
            && self.message.as_ref().is_none_or(|m| {
                f["message"]
                    .as_str()
                    .is_some_and(|s| s.contains(m.as_str()))
            })
    }

    fn describe(&self) -> String {
        let mut s = format!("in {}", self.file);
        if let Some((l, c)) = self.at {
            s.push_str(&format!(" at {l}:{c}"));
        }
        if let Some(m) = &self.message {
            s.push_str(&format!(" with a message containing {m:?}"));
        }
        s
    }
}

#[test]
fn ok_documents_load_clean() {
    let docs = roots("specs/ok");
    assert!(!docs.is_empty());
    let mut failures = Vec::new();
    for rel in &docs {
        if let Err(e) = check_ok_document(rel) {
            failures.push(format!("{rel}: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} ok document(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn check_ok_document(rel: &str) -> Result<(), String> {
    let (exit, report) = check_json(Path::new(rel));
    let doc = only_report(&report)?;
    let findings = findings(doc);
    let allowed: &[&str] = OK_WARNINGS
        .iter()
        .find(|(d, _)| *d == rel)
        .map_or(&[], |(_, c)| *c);
    let unexpected: Vec<&Value> = findings
        .iter()
        .filter(|f| f["severity"] == "error" || !allowed.iter().any(|c| f["code"] == *c))
        .collect();
    if exit != 0 || !unexpected.is_empty() {
        return Err(format!(
            "exit {exit}, unexpected findings:\n{}",
            serde_json::to_string_pretty(&unexpected).unwrap_or_default()
        ));
    }

    // The normalised model, straight from the library.
    let loaded = mockgen_spec::load(rel, read(rel), &TestResolver, &LoadOptions::default());
    if loaded.has_errors() {
        return Err(format!(
            "the library reports errors the CLI did not: {:?}",
            loaded.diagnostics
        ));
    }
    let spec = loaded.spec.as_ref().ok_or("no model was built")?;
    if doc["operations"].as_u64() != Some(spec.operations.len() as u64) {
        return Err(format!(
            "check counts {} operations, the model has {}",
            doc["operations"],
            spec.operations.len()
        ));
    }
    let files: Vec<&str> = loaded.files().iter().map(|f| f.name.as_str()).collect();

    // Every schema the operations use, resolved in the normalised documents.
    let mut locs: Vec<Loc> = Vec::new();
    let mut ops: Vec<&mockgen_spec::Operation> =
        spec.operations.iter().chain(&spec.webhooks).collect();
    let mut i = 0;
    while i < ops.len() {
        let op = ops[i];
        ops.extend(op.callbacks.iter().flat_map(|c| &c.operations));
        i += 1;
    }
    for op in &ops {
        for p in &op.parameters {
            locs.extend(p.schema.clone());
            locs.extend(media_schemas(&p.content));
        }
        if let Some(body) = &op.request_body {
            locs.extend(media_schemas(&body.content));
        }
        for r in &op.responses {
            locs.extend(media_schemas(&r.content));
            for h in &r.headers {
                locs.extend(h.schema.clone());
            }
        }
    }
    let mut schemas = Map::new();
    for loc in locs {
        let key = format!(
            "{}#{}",
            files.get(loc.doc).copied().unwrap_or("?"),
            loc.pointer
        );
        let value = spec.get(&loc).cloned().unwrap_or(Value::Null);
        schemas.insert(key, value);
    }
    // Components of the root, and every referenced file as a whole (they are small).
    let mut documents = Map::new();
    for (i, value) in spec.documents.iter().enumerate() {
        let shown = if i == 0 {
            value.get("components").cloned().unwrap_or(Value::Null)
        } else {
            Value::clone(value)
        };
        documents.insert(files.get(i).copied().unwrap_or("?").to_owned(), shown);
    }
    let snapshot = json!({
        "document": rel,
        "files": files,
        "version": spec.version,
        "version_string": spec.version_string,
        // Positions of findings are the err corpus's business: here only what was noted.
        "warnings": findings.iter().map(|f| json!({"code": f["code"], "pointer": f["pointer"], "message": f["message"]})).collect::<Vec<_>>(),
        "servers": spec.servers,
        "security_schemes": spec.security_schemes,
        "security": spec.security,
        "operations": spec.operations,
        "webhooks": spec.webhooks,
        "operation_schemas": schemas,
        "components": documents,
    });
    insta::with_settings!({ description => rel, omit_expression => true, prepend_module_to_snapshot => true }, {
        insta::assert_json_snapshot!(snapshot_name("ok", rel), snapshot);
    });
    Ok(())
}

fn media_schemas(content: &[mockgen_spec::MediaType]) -> impl Iterator<Item = Loc> + '_ {
    content
        .iter()
        .flat_map(|m| m.schema.iter().chain(&m.item_schema).cloned())
}

/// Reads files relative to the repository root, resolving a `$ref`'s file part against the
/// folder of the referring file (names stay repository-relative with forward slashes).
#[derive(Debug)]
struct TestResolver;

impl Resolver for TestResolver {
    fn fetch(&self, base: &str, target: &str) -> Result<Fetched, String> {
        if target.contains("://") {
            return Err(format!("`{target}`: the corpus has no remote files"));
        }
        let joined = Path::new(base)
            .parent()
            .unwrap_or(Path::new(""))
            .join(target);
        let mut clean = PathBuf::new();
        for c in joined.components() {
            match c {
                Component::CurDir => {}
                Component::ParentDir => {
                    if !clean.pop() {
                        return Err(format!("`{target}` leaves the repository"));
                    }
                }
                other => clean.push(other),
            }
        }
        let name = slashes(&clean);
        let text =
            std::fs::read_to_string(root().join(&clean)).map_err(|e| format!("{name}: {e}"))?;
        Ok(Fetched { name, text })
    }
}

/// The root documents of a corpus folder, repository-relative with forward slashes, sorted.
fn roots(dir: &str) -> Vec<String> {
    fn walk(dir: &Path, top: bool, out: &mut Vec<PathBuf>) {
        let entries =
            std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, false, out);
                continue;
            }
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or_default();
            if !matches!(ext, "yaml" | "yml" | "json") {
                continue;
            }
            let is_root = if top {
                !name.starts_with('_')
            } else {
                path.file_stem().is_some_and(|s| s == "root")
            };
            if is_root {
                out.push(path);
            }
        }
    }
    let base = root();
    let mut out = Vec::new();
    walk(&base.join(dir), true, &mut out);
    let mut rels: Vec<String> = out
        .iter()
        .map(|p| slashes(p.strip_prefix(&base).expect("under the repository")))
        .collect();
    rels.sort();
    rels
}

fn slashes(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
}

/// `ok__oas30-nullable.yaml`, `err__multi__root.yaml`.
fn snapshot_name(kind: &str, rel: &str) -> String {
    let under = rel
        .split_once(&format!("specs/{kind}/"))
        .map_or(rel, |(_, r)| r);
    format!("{kind}__{}", under.replace('/', "__"))
}

fn only_report(report: &Value) -> Result<&Value, String> {
    match report.as_array().map(Vec::as_slice) {
        Some([doc]) => Ok(doc),
        _ => Err(format!(
            "expected a report for exactly one document: {report}"
        )),
    }
}

/// Errors and warnings of one report, each with its severity and the source line it points at,
/// sorted by file, then position.
fn findings(doc: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for (severity, key) in [("error", "errors"), ("warning", "warnings")] {
        for f in doc[key].as_array().into_iter().flatten() {
            let file = f["file"].as_str().unwrap_or_default().replace('\\', "/");
            let line = f["line"].as_u64().unwrap_or(0) as usize;
            let column = f["column"].as_u64().unwrap_or(0) as usize;
            let mut finding = json!({
                "file": file,
                "line": line,
                "column": column,
                "severity": severity,
                "code": f["code"],
                "pointer": f["pointer"],
                "message": f["message"],
            });
            if let Some(help) = f.get("help") {
                finding["help"] = help.clone();
            }
            // The line the finding points at, and a caret under its column (in characters).
            let source = std::fs::read_to_string(root().join(&file)).ok();
            if let Some(text) = source
                .as_deref()
                .and_then(|t| t.lines().nth(line.wrapping_sub(1)))
            {
                finding["source"] = json!(text);
                finding["caret"] = json!(format!("{}^", " ".repeat(column.saturating_sub(1))));
            }
            out.push(finding);
        }
    }
    let key = |f: &Value| {
        (
            f["file"].as_str().unwrap_or_default().to_owned(),
            f["line"].as_u64(),
            f["column"].as_u64(),
            f["severity"].as_str().unwrap_or_default().to_owned(),
            f["code"].as_str().unwrap_or_default().to_owned(),
            f["message"].as_str().unwrap_or_default().to_owned(),
        )
    };
    out.sort_by_key(key);
    out
}
