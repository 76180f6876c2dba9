//! Requests built from a spec for verify: examples and synthetic values per operation.
