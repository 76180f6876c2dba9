//! Times route lookups on a large real spec: `cargo run --release -p mockgen-route --example
//! bench_route [spec-path]`. Prints ns per lookup; not a test, so no timing is asserted.

use mockgen_route::{Lookup, RouteOptions, RouteTable};
use std::hint::black_box;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/work/shared/specs/telnyx.com.oas30.json".to_owned());
    let text = std::fs::read_to_string(&path)?;
    let loaded = mockgen_spec::load(
        &path,
        text,
        &mockgen_spec::NoFiles,
        &mockgen_spec::LoadOptions::default(),
    );
    let spec = loaded.spec.ok_or("spec did not load")?;
    let start = Instant::now();
    let (table, conflicts) = RouteTable::new(&spec, &RouteOptions::default());
    let build = start.elapsed();
    let base = spec
        .servers
        .first()
        .map(|s| s.base_path())
        .unwrap_or_default();
    // Half the requests carry the base path, half do not, as clients of a mock do.
    let requests: Vec<(String, String)> = table
        .example_paths()
        .into_iter()
        .enumerate()
        .map(|(n, (i, p))| {
            let p = if n % 2 == 0 { format!("{base}{p}") } else { p };
            (spec.operations[i].method.clone(), p)
        })
        .collect();
    if requests.is_empty() {
        return Err("no operations".into());
    }
    const N: usize = 1_000_000;
    let mut hits = 0usize;
    let start = Instant::now();
    for n in 0..N {
        let (method, path) = &requests[n % requests.len()];
        if let Lookup::Found(m) = table.lookup(black_box(method), black_box(path)) {
            hits += black_box(m).operation & 1;
        }
    }
    let elapsed = start.elapsed();
    let start = Instant::now();
    for n in 0..N / 10 {
        let _ = black_box(table.lookup(
            "GET",
            black_box(if n % 2 == 0 {
                "/definitely/not/a/path"
            } else {
                "/x"
            }),
        ));
    }
    let miss = start.elapsed();
    println!(
        "{path}: {} operations, {} conflicts, table built in {:.2?}",
        spec.operations.len(),
        conflicts.len(),
        build
    );
    println!(
        "hits: {:.0} ns/lookup over {N} lookups (checksum {hits})",
        elapsed.as_nanos() as f64 / N as f64
    );
    println!(
        "404s: {:.0} ns/lookup over {} lookups",
        miss.as_nanos() as f64 / (N / 10) as f64,
        N / 10
    );
    Ok(())
}
