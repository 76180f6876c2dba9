//! Every operation × declared response (all statuses, `default` too) × media type with a
//! schema, and every request body, of the 25 real-world specs: generated (examples ignored),
//! then validated by the independent oracle. 100 % valid, zero generation failures, except
//! the schemas in [`UNSATISFIABLE`].

use crate::oracle::Oracle;
use crate::support::{load_file, shared_spec_files};
use mockgen_spec::{Loc, Operation, Spec};
use mockgen_synth::{Options, Synth, View};

/// Schemas no value can satisfy, with the reason (checked by hand). Listed as (file,
/// pointer prefix of the failing node as the error reports it, reason).
const UNSATISFIABLE: &[(&str, &str, &str)] = &[
    (
        "schema-types-example.oas31.yaml",
        "/paths/~1anything~1quirks~1polymorphism/put/requestBody/content/application~1json/schema/allOf/1",
        "allOf [{type: string}, {type: integer}]: the document's own 'entirely incompatible allOf' quirk",
    ),
    (
        "schema-types-example.oas31.yaml",
        "/paths/~1anything~1quirks~1polymorphism/patch/requestBody/content/application~1json/schema/allOf/1",
        "allOf [{type: string}, {type: integer}] (with a description): same quirk",
    ),
    (
        "discriminators-example.oas30.yaml",
        "/paths/~1potentially-undefined-formData/post/requestBody/content/application~1json/schema/oneOf/",
        "oneOf [ApplicationApprovedEvent, ApplicationDeniedEvent], both exactly `allOf: [BasePurchaseWebhookEvent]`: \
         every value matches both branches, so none matches exactly one",
    ),
    (
        "maif.local--otoroshi.oas30.json",
        "/components/schemas/GlobalJwtVerifier/properties/source/oneOf/",
        "oneOf [InQueryParam, InHeader, InCookie]: InQueryParam and InCookie are the same schema \
         ({type, name} strings, both required) and every InHeader value is also one of them",
    ),
];

struct Body {
    op: String,
    what: String,
    loc: Loc,
    view: View,
}

fn all_operations(spec: &Spec) -> Vec<&Operation> {
    let mut ops: Vec<&Operation> = spec.operations.iter().chain(&spec.webhooks).collect();
    let callbacks: Vec<&Operation> = ops
        .iter()
        .flat_map(|o| o.callbacks.iter().flat_map(|c| c.operations.iter()))
        .collect();
    ops.extend(callbacks);
    ops
}

fn bodies(spec: &Spec) -> Vec<Body> {
    let mut out = Vec::new();
    for op in all_operations(spec) {
        for r in &op.responses {
            for m in &r.content {
                if let Some(s) = &m.schema {
                    out.push(Body {
                        op: op.id.clone(),
                        what: format!("{} {}", r.status, m.media_type),
                        loc: s.clone(),
                        view: View::Response,
                    });
                }
            }
        }
        if let Some(rb) = &op.request_body {
            for m in &rb.content {
                if let Some(s) = &m.schema {
                    out.push(Body {
                        op: op.id.clone(),
                        what: format!("request {}", m.media_type),
                        loc: s.clone(),
                        view: View::Request,
                    });
                }
            }
        }
    }
    out
}

#[test]
fn every_body_of_every_real_world_spec_validates() {
    let files = shared_spec_files();
    assert_eq!(files.len(), 25);
    let specs: Vec<(String, Spec)> = files
        .iter()
        .map(|path| {
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                load_file(path),
            )
        })
        .collect();
    check_specs(&specs);
}

/// The GitHub REST description (13 MB, ~1,000 operations), when `cargo xtask corpus` has
/// downloaded it.
#[test]
fn every_body_of_the_github_spec_validates() {
    let path = std::path::Path::new(crate::measure::GITHUB);
    if !path.exists() {
        println!(
            "corpus: {} not found (run `cargo xtask corpus`); skipped",
            path.display()
        );
        return;
    }
    check_specs(&[("api.github.com.json".to_owned(), load_file(path))]);
}

fn check_specs(specs: &[(String, Spec)]) {
    let started = std::time::Instant::now();
    let mut failures = Vec::new();
    let mut total = 0;
    let mut allowed = 0;
    for (file, spec) in specs {
        let file = file.clone();
        let synth = Synth::new(spec, Options::default()).unwrap();
        let bodies = bodies(spec);
        let locs = |view: View| -> Vec<Loc> {
            bodies
                .iter()
                .filter(|b| b.view == view)
                .map(|b| b.loc.clone())
                .collect()
        };
        let response = Oracle::new(spec, View::Response, &locs(View::Response));
        let request = Oracle::new(spec, View::Request, &locs(View::Request));
        for b in &bodies {
            total += 1;
            let key = [b.op.as_str(), b.what.as_str()];
            match synth.generate(&b.loc, b.view, &key) {
                Ok(value) => {
                    let oracle = if b.view == View::Response {
                        &response
                    } else {
                        &request
                    };
                    let errors = oracle.errors(&b.loc, &value);
                    if !errors.is_empty() {
                        failures.push(format!(
                            "{file} {} {}: INVALID {}\n    value: {}",
                            b.op,
                            b.what,
                            errors.join("; "),
                            truncate(&value.to_string())
                        ));
                    }
                }
                Err(e) => {
                    if UNSATISFIABLE
                        .iter()
                        .any(|(f, p, _)| *f == file && e.at.pointer.starts_with(p))
                    {
                        allowed += 1;
                        continue;
                    }
                    failures.push(format!("{file} {} {}: ERROR {e}", b.op, b.what));
                }
            }
        }
    }
    println!(
        "corpus: {total} bodies, {allowed} allowlisted, {} failures, {:?}",
        failures.len(),
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn truncate(s: &str) -> String {
    if s.len() > 600 {
        let cut: String = s.chars().take(600).collect();
        format!("{cut}…")
    } else {
        s.to_owned()
    }
}

/// The oracle does reject invalid bodies (so a green corpus run means something).
#[test]
fn oracle_rejects_invalid_bodies() {
    let spec = load_file(&crate::support::shared_specs().join("petstore.oas30.json"));
    let op = spec.operation("getPetById").unwrap();
    let loc = op.responses[0].content[0].schema.clone().unwrap();
    let oracle = Oracle::new(&spec, View::Response, std::slice::from_ref(&loc));
    assert!(!oracle.errors(&loc, &serde_json::json!({})).is_empty());
    assert!(
        !oracle
            .errors(&loc, &serde_json::json!({"name": 1, "photoUrls": []}))
            .is_empty()
    );
    let synth = Synth::new(&spec, Options::default()).unwrap();
    let value = synth.generate(&loc, View::Response, &["x"]).unwrap();
    assert!(oracle.errors(&loc, &value).is_empty());
}
