//! `mockgen fixtures` as a user runs it: files and manifest, determinism, `--check` finding
//! every kind of drift, YAML output, filters, and every body of every real-world spec
//! validating against its schema with a validator configured here, apart from the engine.

use crate::support::{mockgen, shared_specs};
use mockgen_schema::{ValidatorBuilder, View};
use mockgen_spec::{LoadOptions, Loc, doc_uri};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mockgen-fixtures-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn run_ok(args: &[&str]) {
    let out = mockgen(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "mockgen {args:?}\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn manifest(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("manifest.json")).expect("manifest written");
    serde_json::from_str(&text).expect("manifest is JSON")
}

fn all_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("readable").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .expect("below")
                    .to_string_lossy()
                    .into_owned();
                out.push((rel, std::fs::read(&p).expect("readable")));
            }
        }
    }
    out.sort();
    out
}

const DEMO: &str = "specs/demo/petstore.yaml";

#[test]
fn writes_files_and_a_manifest_that_describes_them() {
    let dir = temp_dir("demo");
    let d = dir.to_string_lossy();
    run_ok(&["fixtures", DEMO, "--out", &d]);
    let m = manifest(&dir);
    assert_eq!(m["spec"], DEMO);
    assert_eq!(m["seed"], 0);
    let entries = m["entries"].as_array().expect("entries");
    // 2xx only by default: listPets 200 (named example `two`), createPet 201, getPet 200.
    let files: Vec<&str> = entries
        .iter()
        .map(|e| e["file"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        files,
        [
            "listPets/200.two.json",
            "createPet/201.json",
            "getPet/200.json"
        ]
    );
    let first = &entries[0];
    assert_eq!(first["operationId"], "listPets");
    assert_eq!(first["method"], "GET");
    assert_eq!(first["path"], "/pets");
    assert_eq!(first["status"], "200");
    assert_eq!(first["mediaType"], "application/json");
    assert_eq!(first["example"], "two");
    assert_eq!(first["source"], "example");
    assert_eq!(
        first["schemaPointer"],
        "/paths/~1pets/get/responses/200/content/application~1json/schema"
    );
    assert_eq!(entries[1]["example"], Value::Null);
    assert_eq!(entries[1]["source"], "generated");
    for f in files {
        let body: Value = serde_json::from_slice(&std::fs::read(dir.join(f)).expect("file exists"))
            .expect("JSON");
        assert!(!body.is_null(), "{f}");
    }
    // The named example is written as the spec has it.
    let two: Value =
        serde_json::from_slice(&std::fs::read(dir.join("listPets/200.two.json")).expect("file"))
            .expect("json");
    assert_eq!(two[1]["name"], "Tom");
    // A generated Pet never carries the writeOnly `secret`.
    let pet: Value =
        serde_json::from_slice(&std::fs::read(dir.join("getPet/200.json")).expect("file"))
            .expect("json");
    assert!(pet.get("secret").is_none(), "{pet}");
    assert!(
        pet["name"]
            .as_str()
            .is_some_and(|n| !n.is_empty() && n != "string"),
        "{pet}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn same_seed_same_bytes_other_seed_other_data() {
    let (a, b, c) = (temp_dir("seed-a"), temp_dir("seed-b"), temp_dir("seed-c"));
    run_ok(&[
        "fixtures",
        DEMO,
        "--out",
        &a.to_string_lossy(),
        "--include-errors",
    ]);
    run_ok(&[
        "fixtures",
        DEMO,
        "--out",
        &b.to_string_lossy(),
        "--include-errors",
    ]);
    run_ok(&[
        "fixtures",
        DEMO,
        "--out",
        &c.to_string_lossy(),
        "--include-errors",
        "--seed",
        "7",
    ]);
    assert_eq!(all_files(&a), all_files(&b));
    let generated = "getPet/200.json";
    assert_ne!(
        std::fs::read(a.join(generated)).expect("a"),
        std::fs::read(c.join(generated)).expect("c")
    );
    for d in [a, b, c] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn the_repository_fixtures_are_current() {
    // `fixtures/` holds the committed output for the demo spec; regenerate with
    // `cargo xtask fixtures` when the spec or the engine changes.
    let out = mockgen(&[
        "fixtures",
        DEMO,
        "--out",
        "fixtures/petstore",
        "--include-errors",
        "--check",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "fixtures/ is stale; run `cargo xtask fixtures`\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn check_reports_every_kind_of_drift() {
    let dir = temp_dir("check");
    let d = dir.to_string_lossy().into_owned();
    run_ok(&["fixtures", DEMO, "--out", &d, "--include-errors"]);
    run_ok(&["fixtures", DEMO, "--out", &d, "--include-errors", "--check"]);

    // Still valid but different: stale. Edited into something invalid: invalid. Deleted:
    // missing. A stray file: extra.
    let pet = dir.join("getPet/200.json");
    let mut v: Value = serde_json::from_slice(&std::fs::read(&pet).expect("pet")).expect("json");
    v["name"] = Value::from("Hand-edited but valid");
    std::fs::write(&pet, serde_json::to_vec_pretty(&v).expect("json")).expect("write");
    let created = dir.join("createPet/201.json");
    std::fs::write(&created, br#"{"id": "not a number", "name": ""}"#).expect("write");
    std::fs::remove_file(dir.join("listPets/200.two.json")).expect("remove");
    std::fs::write(dir.join("getPet/999.json"), b"{}").expect("write");

    let out = mockgen(&["fixtures", DEMO, "--out", &d, "--include-errors", "--check"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("stale: getPet/200.json"), "{text}");
    assert!(
        text.contains("invalid: createPet/201.json no longer matches its schema"),
        "{text}"
    );
    assert!(text.contains("at /id"), "{text}");
    assert!(text.contains("missing: listPets/200.two.json"), "{text}");
    assert!(text.contains("extra: getPet/999.json"), "{text}");
    // Regenerating removes only what the previous manifest listed: the stray file stays.
    run_ok(&["fixtures", DEMO, "--out", &d, "--include-errors"]);
    assert!(dir.join("getPet/999.json").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn yaml_format_filters_and_error_statuses() {
    let dir = temp_dir("yaml");
    let d = dir.to_string_lossy().into_owned();
    run_ok(&[
        "fixtures",
        DEMO,
        "--out",
        &d,
        "--format",
        "yaml",
        "--operation",
        "get*",
        "--include-errors",
    ]);
    let m = manifest(&dir);
    let files: Vec<String> = m["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["file"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(files, ["getPet/200.yaml", "getPet/404.yaml"]);
    for f in &files {
        let text = std::fs::read_to_string(dir.join(f)).expect("file");
        let doc = mockgen_source::parse(&text).expect("valid YAML");
        assert!(doc.value.is_object(), "{f}: {text}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Responses whose schema no value can satisfy, so `mockgen fixtures` reports them (exit 1)
/// instead of writing an invalid body: `(spec file, operationId, why)`.
const UNSATISFIABLE: &[(&str, &str, &str)] = &[
    // `GlobalJwtVerifier.source` is `oneOf: [InQueryParam, InHeader, InCookie]`; InQueryParam
    // and InCookie are the same schema (`{name, type}` required, other properties allowed), so
    // every value that matches one matches the other and `oneOf` (exactly one) never holds.
    (
        "maif.local--otoroshi.oas30.json",
        "createGlobalJwtVerifier",
        "oneOf with two identical branches",
    ),
    (
        "maif.local--otoroshi.oas30.json",
        "findGlobalJwtVerifiersById",
        "oneOf with two identical branches",
    ),
    (
        "maif.local--otoroshi.oas30.json",
        "patchGlobalJwtVerifier",
        "oneOf with two identical branches",
    ),
    (
        "maif.local--otoroshi.oas30.json",
        "updateGlobalJwtVerifier",
        "oneOf with two identical branches",
    ),
];

/// Every fixture of every real-world spec validates against its schema (response view),
/// checked with a validator built here from the loaded documents.
#[test]
fn every_real_world_fixture_validates() {
    let mut failures = Vec::new();
    let mut total = 0;
    let mut specs: Vec<PathBuf> = std::fs::read_dir(shared_specs())
        .expect("../shared/specs")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json" || x == "yaml"))
        .collect();
    specs.sort();
    for spec_path in specs {
        let name = spec_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dir = temp_dir(&format!("real-{name}"));
        let out = mockgen(&[
            "fixtures",
            &spec_path.to_string_lossy(),
            "--out",
            &dir.to_string_lossy(),
            "--include-errors",
        ]);
        // Generation failures are listed one per line as `error: <operationId> <status> …`;
        // only the allowlisted (genuinely unsatisfiable) ones may appear.
        let stderr = String::from_utf8_lossy(&out.stderr);
        let mut failed_ops = Vec::new();
        for line in stderr.lines().filter_map(|l| l.strip_prefix("error: ")) {
            let op = line.split_whitespace().next().unwrap_or_default();
            if UNSATISFIABLE.iter().any(|(s, o, _)| *s == name && *o == op) {
                failed_ops.push(op.to_owned());
            } else {
                failures.push(format!("{name}: {line}"));
            }
        }
        // An allowlisted failure that no longer happens must leave the list.
        for (_, op, why) in UNSATISFIABLE.iter().filter(|(s, ..)| *s == name) {
            if !failed_ops.iter().any(|f| f == op) {
                failures.push(format!(
                    "{name}: {op} is allowlisted ({why}) but generated fine: remove it"
                ));
            }
        }
        let expected_exit = if failed_ops.is_empty() { 0 } else { 1 };
        if out.status.code() != Some(expected_exit) {
            failures.push(format!("{name}: exit {:?}: {stderr}", out.status.code()));
            continue;
        }
        let text = std::fs::read_to_string(&spec_path).expect("spec");
        let loaded = mockgen_spec::load(
            &spec_path.to_string_lossy(),
            text,
            &mockgen_spec::NoFiles,
            &LoadOptions::default(),
        );
        let spec = loaded.spec.expect("loads");
        let mut builder = ValidatorBuilder::new();
        for (i, doc) in spec.documents.iter().enumerate() {
            builder.add_document(&doc_uri(i), std::sync::Arc::clone(doc));
        }
        let m = manifest(&dir);
        let mut cases = Vec::new();
        for e in m["entries"].as_array().into_iter().flatten() {
            let file = e["file"].as_str().unwrap_or_default().to_owned();
            if mockgen_media::kind(e["mediaType"].as_str().unwrap_or_default())
                != mockgen_media::Kind::Json
            {
                continue;
            }
            if e["source"] != "generated" {
                continue; // the spec's own examples are checked by `mockgen check`
            }
            // Find the media type's schema through the model (the manifest names its pointer).
            let op = spec
                .operation(e["operationId"].as_str().unwrap_or_default())
                .expect("operation");
            let resp = op
                .responses
                .iter()
                .find(|r| r.status.to_string() == e["status"])
                .expect("status");
            let media = resp
                .content
                .iter()
                .find(|m| m.media_type == e["mediaType"])
                .expect("media");
            let Some(loc): Option<&Loc> = media.schema.as_ref() else {
                continue;
            };
            let slot = builder.slot(&doc_uri(loc.doc), &loc.pointer, View::Response);
            cases.push((file, slot));
        }
        let validator = builder.build().expect("validator");
        for (file, slot) in cases {
            total += 1;
            let body: Value =
                serde_json::from_slice(&std::fs::read(dir.join(&file)).expect("file"))
                    .expect("json");
            let violations = validator.validate(slot, &body);
            if !violations.is_empty() {
                failures.push(format!(
                    "{name} {file}: {:?}",
                    violations
                        .iter()
                        .take(3)
                        .map(|v| format!("{} {}", v.instance_pointer, v.message))
                        .collect::<Vec<_>>()
                ));
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(total > 1000, "only {total} generated bodies checked");
    assert!(
        failures.is_empty(),
        "{} invalid fixture(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
