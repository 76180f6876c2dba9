//! mockgen-synth integration tests, in one binary to keep link time low.
//!
//! - `best_effort`: values (and their violations) for schemas no value satisfies.
//! - `corpus`: every body of the 25 real-world specs validates against an independent oracle.
//! - `props`: random schemas from a generator of shapes → generated values validate.
//! - `realism`: realistic output for familiar schemas, determinism and stability.
//! - `measure`: prints generation costs (no assertions on time).

// Test helpers outside `#[test]` functions: a panic is a test failure with a message.
#![allow(clippy::unwrap_used)]

mod best_effort;
mod corpus;
mod measure;
mod oracle;
mod props;
mod realism;
mod support;
