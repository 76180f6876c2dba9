//! End-to-end tests: one test binary (faster to link on 2 cores) with a module per area. They
//! run the real `mockgen` binary as a process and read the real-world specs in `../shared/specs`.

mod behave;
mod cli;
mod contract;
mod corpus;
mod diff;
mod drift;
mod fixtures;
mod http;
mod real_specs;
mod serve;
mod serve_ops;
mod serve_reload;
mod stateful;
mod support;
mod unsatisfiable;
