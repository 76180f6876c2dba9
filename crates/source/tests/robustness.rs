//! `parse` must never panic nor overflow the stack, whatever the input.

mod common;

use common::{check_all_spans, pointers};
use mockgen_source::parse;

/// Run `f` on a thread with the default 2 MiB stack of spawned threads, as a server would.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no panic, no stack overflow");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    on_small_stack(|| {
        let n = 100_000;
        let inputs = [
            "[".repeat(n),
            format!("{}{}", "[".repeat(n), "]".repeat(n)),
            "{\"a\":".repeat(n),
            format!("# yaml\n{}", "[".repeat(n)),
            format!("x: {}{}", "[".repeat(n), "]".repeat(n)),
            format!("x: {}", "{a: ".repeat(n)),
            "- ".repeat(n),
            (0..2000)
                .map(|i| format!("{}k:\n", " ".repeat(i)))
                .collect::<String>(),
            format!("a: &a {}\nb: *a\n", "[".repeat(n)),
        ];
        for text in inputs {
            let err = parse(&text).expect_err("too deep");
            assert!(err.span.end <= text.len());
        }
    });
}

#[test]
fn huge_scalars_and_keys() {
    let n = 100_000;
    let text = format!("a: {}\n{}: 1\n", "9".repeat(n), "k".repeat(1000));
    let doc = parse(&text).expect("valid");
    // Beyond f64 range: kept as the string written, like `.inf`.
    assert!(doc.value["a"].is_string());
    check_all_spans(&doc);
    // YAML limits implicit keys to 1024 characters.
    assert!(parse(&format!("{}: 1\n", "k".repeat(n))).is_err());
    let text = format!("{{\"a\": {}}}", "9".repeat(300));
    let doc = parse(&text).expect("valid");
    check_all_spans(&doc);
    let err = parse(&format!("{{\"a\": {}}}", "9".repeat(n))).expect_err("beyond f64");
    assert_eq!(err.message, "number out of range");
}

/// Tiny deterministic generator (Knuth's MMIX LCG): no extra dependency, same cases every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next()).unwrap_or(0) % n.max(1)
    }
}

const YAML: &str = "\
# Ünïcode 😀
openapi: 3.0.0
info: {title: \"Pét\", version: '1'}
base: &base
  type: object
  required: [id]
paths:
  /pets/{id}:
    get:
      <<: *base
      summary: \"needs a
      repair ü\"
      tags: [a, \"b\", 3]
      responses:
        200:
          description: |
            multi
            line
        default: {$ref: '#/x'}
list:
  - - 1
    - 2.5
  - ~
";

const JSON: &str = r#"{"openapi": "3.0.0", "info": {"title": "Pét 😀", "v": [1, 2.5e3, -0, true, null]},
 "paths": {"/pets/{id}": {"get": {"tags": ["a", "b\u00e9\"x"], "a~b": {}}}}, "e": []}"#;

/// Bytes that are likely to change the structure of a document.
const INTERESTING: &[u8] = b"{}[],:\"'-? \n\t#&*!|>~\\/0a";

fn mutate(rng: &mut Lcg, base: &str) -> String {
    let mut bytes = base.as_bytes().to_vec();
    let edits = 1 + rng.below(4);
    for _ in 0..edits {
        let len = bytes.len();
        match rng.below(6) {
            0 => {
                let at = rng.below(len);
                if let Some(b) = bytes.get_mut(at) {
                    *b = INTERESTING[rng.below(INTERESTING.len())];
                }
            }
            1 => bytes.truncate(rng.below(len + 1)),
            2 => {
                let at = rng.below(len + 1);
                bytes.insert(at, INTERESTING[rng.below(INTERESTING.len())]);
            }
            3 => {
                let at = rng.below(len);
                if at < bytes.len() {
                    bytes.remove(at);
                }
            }
            4 => {
                let start = rng.below(len);
                let end = (start + rng.below(40)).min(len);
                let copy = bytes[start..end].to_vec();
                let at = rng.below(len + 1).min(bytes.len());
                bytes.splice(at..at, copy);
            }
            _ => {
                let at = rng.below(len);
                if let Some(b) = bytes.get_mut(at) {
                    *b ^= 1 << rng.below(8);
                }
            }
        }
    }
    // Documents are `&str`: keep the mutant valid UTF-8.
    String::from_utf8_lossy(&bytes).into_owned()
}

fn check(text: &str) {
    match parse(text) {
        Ok(doc) => {
            check_all_spans(&doc);
            for (ptr, _) in pointers(&doc.value).iter().take(50) {
                let span = doc.nearest_span(&format!("{ptr}/x/~2/9"));
                assert!(span.end <= text.len());
            }
            let _ = doc.location(usize::MAX);
            for warning in doc.warnings() {
                let span = warning.span;
                assert!(
                    span.start < span.end && span.end <= text.len(),
                    "{warning:?}"
                );
                assert!(text.is_char_boundary(span.start), "{warning:?}");
                assert!(warning.line >= 1 && warning.column >= 1);
            }
        }
        Err(err) => {
            assert!(
                err.span.start <= err.span.end && err.span.end <= text.len(),
                "{err:?}"
            );
            assert!(text.is_char_boundary(err.span.start), "{err:?}");
            assert!(err.line >= 1 && err.column >= 1);
        }
    }
}

#[test]
fn mutations_never_panic() {
    // MOCKGEN_FUZZ_ITERATIONS / MOCKGEN_FUZZ_SEED allow a longer or different run locally.
    let iterations = env_number("MOCKGEN_FUZZ_ITERATIONS").unwrap_or(400);
    let mut rng = Lcg(env_number("MOCKGEN_FUZZ_SEED").map_or(0x5EED, |seed| seed as u64));
    let mut ok = [0usize; 2];
    for (i, base) in [YAML, JSON].into_iter().enumerate() {
        check(base);
        for _ in 0..iterations {
            let text = mutate(&mut rng, base);
            if std::panic::catch_unwind(|| check(&text)).is_err() {
                panic!("parse panicked on {text:?}");
            }
            ok[i] += usize::from(parse(&text).is_ok());
        }
    }
    // The mutations must exercise both the success and the error paths.
    assert!(
        ok.iter()
            .all(|&n| n > iterations / 20 && n < iterations * 19 / 20),
        "{ok:?}"
    );
}

fn env_number(name: &str) -> Option<usize> {
    std::env::var(name).ok()?.parse().ok()
}

#[test]
fn odd_inputs() {
    let inputs = [
        "\0",
        "\u{feff}\u{feff}",
        "a: \u{feff}",
        "%YAML 1.2\n%TAG ! tag:x,2000:\n--- !foo\na: !bar 1\n",
        "? a\n? b\n",
        "[a, b]: c",
        "*a",
        "&a a: &b b\n*a : *b\n",
        "<<: 1",
        "<<: [*x]",
        "a: &x {<<: {b: 1}}\nc: {<<: *x}\n",
        "- !!map {a: 1}\n- !!seq [1]\n- !!str\n- !!null\n- !!binary aGk=\n",
        "a: |\n\n\n",
        "a: >\n  \u{1F600}\n",
        "\r\r\r",
        "'\\\n",
        "{\"\\ud800\": 1}",
        "[\"\\ud800\"]",
        "{\"a\":1}\n",
        // Duplicate keys, one inside a value that a later duplicate replaces.
        "{\"a\":{\"n\":1,\"n\":{}},\"a\":3,\"a\":[]}",
        "[{},{\"\":1,\"\":2}]",
        "   ",
    ];
    for text in inputs {
        check(text);
    }
}
