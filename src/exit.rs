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
