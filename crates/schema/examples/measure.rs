//! Measurements for the validator (run with `--release`): validation cost on petstore, and
//! build time and peak RSS of a dispatcher with one slot per response schema of a real spec.
//!
//! `cargo run --release -p mockgen-schema --example measure -- [spec.json]`

use mockgen_schema::{Dialect, SlotId, ValidatorBuilder, View, to_2020_12};
use serde_json::{Value, json};
use std::time::Instant;

const SPECS: &str = "/work/shared/specs";

fn main() {
    if std::env::var_os("SKIP_PETSTORE").is_none() {
        petstore_validation(load(&format!("{SPECS}/petstore.oas30.json")));
    }
    let mut paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        paths.push(format!("{SPECS}/digitalocean.com.oas30.json"));
    }
    for path in paths {
        response_dispatcher(&path);
    }
}

fn load(path: &str) -> Value {
    let text = std::fs::read_to_string(path).expect("read spec");
    serde_json::from_str(&text).expect("parse spec")
}

/// Translate every schema of a 3.0 document (components and `schema` keys) and return the
/// pointers of all `schema` keys. Rough, for measuring only.
fn translate(doc: &mut Value) -> Vec<String> {
    let mut schemas = Vec::new();
    walk(doc, String::new(), &mut schemas);
    schemas
}

fn walk(node: &mut Value, at: String, schemas: &mut Vec<String>) {
    let Value::Object(map) = node else { return };
    for (key, child) in map.iter_mut() {
        let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
        if key == "schema" || at == "/components/schemas" {
            to_2020_12(child, Dialect::Oas30, &mut |_| {}, &mut Vec::new());
            if key == "schema" {
                schemas.push(here);
            }
        } else {
            walk(child, here, schemas);
        }
    }
}

fn petstore_validation(mut doc: Value) {
    translate(&mut doc);
    let mut builder = ValidatorBuilder::new();
    builder.add_document("mockgen:///doc/0", doc);
    let pet = builder.slot("mockgen:///doc/0", "/components/schemas/Pet", View::Neutral);
    let pet_request = builder.slot("mockgen:///doc/0", "/components/schemas/Pet", View::Request);
    let validator = builder.build().expect("build");
    let good = json!({"id": 10, "name": "doggie", "category": {"id": 1, "name": "Dogs"},
                      "photoUrls": ["u"], "tags": [{"id": 1, "name": "t"}], "status": "available"});
    let bad = json!({"id": "x", "category": {"id": "y"}, "photoUrls": [1], "status": "gone"});
    for (label, slot, instance) in [
        ("is_valid, valid Pet", pet, &good),
        ("is_valid, valid Pet, request view", pet_request, &good),
        ("is_valid, invalid Pet", pet, &bad),
    ] {
        time(label, || validator.is_valid(slot, instance));
    }
    time("validate (all errors), valid Pet", || {
        validator.validate(pet, &good).len()
    });
    time("validate (all errors), invalid Pet", || {
        validator.validate(pet, &bad).len()
    });
    println!(
        "  violations of the invalid Pet: {:#?}",
        validator.validate(pet, &bad)
    );

    // The same slot through a plain serde_json dispatcher with a cloned envelope, which is
    // what the virtual envelope avoids.
    let registry = jsonschema::Registry::new()
        .add("mockgen:///doc/0", doc_for_comparison())
        .and_then(|b| b.prepare())
        .expect("registry");
    let plain = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .with_registry(&registry)
        .should_validate_formats(true)
        .build(&json!({"properties": {"0": {"$ref": "mockgen:///doc/0#/components/schemas/Pet"}}}))
        .expect("plain dispatcher");
    let many = Value::Array(vec![good.clone(); 1000]);
    let list =
        json!({"type": "array", "items": {"$ref": "mockgen:///doc/0#/components/schemas/Pet"}});
    let plain_list = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .with_registry(&registry)
        .build(&json!({"properties": {"0": list}}))
        .expect("plain list dispatcher");
    let mut builder = ValidatorBuilder::new();
    builder.add_document("mockgen:///doc/0", doc_for_comparison());
    let list_slot = builder.inline_slot(list);
    let ours = builder.build().expect("build");
    time("plain dispatcher + cloned envelope, valid Pet", || {
        plain.is_valid(&json!({"0": good.clone()}))
    });
    time("virtual envelope, 1000 Pets", || {
        ours.is_valid(list_slot, &many)
    });
    time("plain dispatcher + cloned envelope, 1000 Pets", || {
        plain_list.is_valid(&json!({"0": many.clone()}))
    });
}

fn doc_for_comparison() -> Value {
    let mut doc = load(&format!("{SPECS}/petstore.oas30.json"));
    translate(&mut doc);
    doc
}

/// Mean time per call over about half a second, after a short warm-up.
fn time<T>(label: &str, mut f: impl FnMut() -> T) {
    let warm = Instant::now();
    while warm.elapsed().as_millis() < 100 {
        std::hint::black_box(f());
    }
    let start = Instant::now();
    let mut n = 0_u32;
    while start.elapsed().as_millis() < 500 {
        for _ in 0..16 {
            std::hint::black_box(f());
        }
        n += 16;
    }
    let per = start.elapsed().as_secs_f64() * 1e6 / f64::from(n);
    println!("{label}: {per:.3} µs");
}

fn response_dispatcher(path: &str) {
    let rss_before = peak_rss_kb();
    let mut doc = load(path);
    let schemas = translate(&mut doc);
    let rss_loaded = peak_rss_kb();
    let start = Instant::now();
    let mut builder = ValidatorBuilder::new();
    builder.add_document("mockgen:///doc/0", doc);
    // Responses in the response view; with MEASURE_ALL also every other `schema` (request
    // bodies, parameters) in the request view.
    let all = std::env::var_os("MEASURE_ALL").is_some();
    let slots: Vec<SlotId> = schemas
        .iter()
        .filter_map(|p| match (p.contains("/responses/"), all) {
            (true, _) => Some(builder.slot("mockgen:///doc/0", p, View::Response)),
            (false, true) => Some(builder.slot("mockgen:///doc/0", p, View::Request)),
            (false, false) => None,
        })
        .collect();
    let validator = builder.build().expect("build");
    let elapsed = start.elapsed();
    println!(
        "{path}: {} slots, build {:.0} ms, peak RSS {} MB (after loading {} MB, before {} MB), broken {}",
        slots.len(),
        elapsed.as_secs_f64() * 1e3,
        peak_rss_kb() / 1024,
        rss_loaded / 1024,
        rss_before / 1024,
        validator.broken_slots().len()
    );
    for (slot, message) in validator.broken_slots().iter().take(5) {
        println!("  broken {slot:?}: {message}");
    }
    let start = Instant::now();
    let valid = slots
        .iter()
        .filter(|s| validator.is_valid(**s, &json!({})))
        .count();
    println!(
        "  `{{}}` against every slot: {valid} valid, {:.2} µs per slot",
        start.elapsed().as_secs_f64() * 1e6 / slots.len() as f64
    );
}

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}
