//! Behaviour config for serve: rules (mockgen.yaml, x-mockgen-*), latency and faults.
