//! Documented exit codes, shared by every subcommand.

/// Everything is fine.
pub const OK: u8 = 0;
/// The input has errors (or warnings, with `--strict`).
pub const FINDINGS: u8 = 1;
/// Bad command line, or a file could not be read or written.
pub const USAGE: u8 = 2;

pub const CHECK_HELP: &str = "\
Exit codes:
  0  no errors (and no warnings with --strict)
  1  at least one error (or warning with --strict)
  2  usage error, or a file could not be read";

pub const FIXTURES_HELP: &str = "\
Exit codes:
  0  fixtures written (or, with --check, all match the spec)
  1  the spec could not be loaded, a body could not be generated, or --check found
     stale, missing, extra or invalid files
  2  usage error, or a file could not be read or written";

pub const SERVE_HELP: &str = "\
Several specs: each is served under the path of its first `servers` URL; two specs under the
same base path (or both without one) are refused at start. Give each its own with
`--base-path a.yaml=/a --base-path b.yaml=/b` (or bare paths, given to the specs in order).

Hot reload: the spec and every file it references are watched; a save that loads is swapped
in at once (`reloaded SPEC in N ms` on stderr), a save with new errors is not (the last good
version keeps serving, the diagnostics go to stderr). --no-watch turns this off.

Exit codes:
  0  stopped by SIGINT or SIGTERM (after finishing in-flight requests)
  1  a spec could not be loaded or compiled, or the server failed
  2  usage error, a file could not be read, the port could not be bound, or two specs
     would share a base path";
