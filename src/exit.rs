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
     would share a base path, or the behaviour config (mockgen.yaml, x-mockgen-*) has errors,
     or the --state-file could not be read at start or written at shutdown";

pub const PROXY_HELP: &str = "\
Every request is checked against the spec (routing, security, parameters, body) and forwarded
to --upstream with its method, path, query, headers (minus hop-by-hop ones and
Accept-Encoding, so the body can be checked) and body; the real response is checked (status
declared, Content-Type, declared headers, body schema). Violations are written to the request
log and sent back in an `x-mockgen-violations: N; location: message; …` header (absent when
there are none). --report FILE gets one JSON object per exchange (JSON lines, written as they
happen). http:// and https:// upstreams (--cacert FILE trusts a private CA). An unreachable
upstream is a 502 problem+json.

Exit codes:
  0  stopped by SIGINT or SIGTERM
  1  the proxy failed while running
  2  usage error, unreadable or unloadable spec, bad --upstream, or the port could not be
     bound";

pub const VERIFY_HELP: &str = "\
For every operation, one valid request (path parameters filled, required parameters in their
style, a body from the example or generated, credentials from --header or placeholders) is
built, checked by mockgen's own validator, sent, and its response checked against the spec
(status declared, Content-Type, declared headers, body schema). --negative adds requests that
break one rule each and must get a 4xx. Requests are sent one at a time, over http:// or
https:// (--cacert FILE trusts a private CA). A progress bar is drawn on a terminal only.

Exit codes:
  0  every response matches the spec
  1  at least one violation (or a request without an answer)
  2  usage error, unreadable or unloadable spec, or the target is unreachable";

pub const DIFF_HELP: &str = "\
OLD and NEW are files, or git:REV:path (`git show REV:path` in the current repository; files
the spec refers to are read from the same revision). The resolved contract is compared: moving
a schema into components, renaming a $ref target or reordering keys is not a change. Every rule
is listed with an example in docs/diff-rules.md.

Exit codes:
  0  no change at the --fail-on level (default breaking) or above, ignored ones aside
  1  at least one such change
  2  usage error, a file or revision could not be read, the ignore file is invalid, or a
     spec could not be loaded";
