//! Measurements, printed (run with `--release --nocapture`); no assertions on time.

use crate::support::{load_file, load_text, shared_specs};
use mockgen_spec::{Spec, StatusKey};
use mockgen_synth::{Options, Synth, View};
use std::time::Instant;

pub const GITHUB: &str = "/root/.cache/mockgen/corpus/api.github.com.json";

fn per_body(synth: &Synth, spec: &Spec, op_id: &str, rounds: usize) -> Option<f64> {
    let op = spec.operation(op_id)?;
    let schema = op
        .responses
        .iter()
        .find_map(|r| r.content.first()?.schema.clone())?;
    let started = Instant::now();
    for i in 0..rounds {
        let key = i.to_string();
        synth
            .generate(&schema, View::Response, &[op_id, &key])
            .ok()?;
    }
    Some(started.elapsed().as_secs_f64() * 1e6 / rounds as f64)
}

#[test]
fn measure_generation_cost() {
    let petstore = load_file(&shared_specs().join("petstore.oas30.json"));
    let synth = Synth::new(&petstore, Options::default()).unwrap();
    if let Some(us) = per_body(&synth, &petstore, "getPetById", 200) {
        println!("measure: petstore Pet: {us:.1} µs per body");
    }
    let Ok(text) = std::fs::read_to_string(GITHUB) else {
        println!("measure: {GITHUB} not found (run `cargo xtask corpus`); GitHub skipped");
        return;
    };
    let started = Instant::now();
    let spec = load_text("api.github.com.json", &text);
    let loaded = started.elapsed();
    let started = Instant::now();
    let synth = Synth::new(&spec, Options::default()).unwrap();
    println!(
        "measure: GitHub load {loaded:?}, Synth::new {:?}",
        started.elapsed()
    );
    for op in ["repos/get", "repos/list-for-org", "pulls/get", "issues/get"] {
        if let Some(us) = per_body(&synth, &spec, op, 20) {
            println!("measure: GitHub {op}: {us:.0} µs per body");
        }
    }
    let started = Instant::now();
    let (mut bodies, mut bytes, mut failed) = (0, 0, 0);
    for op in &spec.operations {
        for r in &op.responses {
            let ok = matches!(r.status, StatusKey::Code(c) if (200..300).contains(&c))
                || r.status == StatusKey::Range(2);
            if !ok {
                continue;
            }
            for m in &r.content {
                if let Some(s) = &m.schema {
                    match synth.generate(s, View::Response, &[&op.id]) {
                        Ok(v) => {
                            bodies += 1;
                            bytes += v.to_string().len();
                        }
                        Err(e) => {
                            failed += 1;
                            println!("measure: {} failed: {e}", op.id);
                        }
                    }
                }
            }
        }
    }
    println!(
        "measure: GitHub, one body per 2xx response: {bodies} bodies ({failed} failed, {:.1} MB) in {:?}",
        bytes as f64 / 1e6,
        started.elapsed()
    );
}
