//! The `mockgen` binary: command-line parsing, file I/O, rendering and exit codes. Everything
//! else lives in the library crates under `crates/`.

mod check_cmd;
mod diff_cmd;
mod exit;
mod files;
mod fixtures_cmd;
mod proxy_cmd;
mod reload;
mod render;
mod serve_behave;
mod serve_cmd;
mod serve_state;
mod verify_cmd;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "mockgen",
    version,
    about = "OpenAPI-driven mock server, request validator and drift checker",
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Load specs and report every error and warning: syntax, unresolved or remote `$ref`s,
    /// invalid structure, and examples or defaults that do not match their schemas.
    #[command(after_help = exit::CHECK_HELP)]
    Check(CheckArgs),
    /// Write deterministic fixture files (one per operation, response status, media type and
    /// named example) and a manifest; with --check, verify them instead.
    #[command(after_help = exit::FIXTURES_HELP)]
    Fixtures(fixtures_cmd::FixturesArgs),
    /// Serve a mock of one or more specs over HTTP until SIGINT or SIGTERM, reloading a spec
    /// when its files change.
    #[command(after_help = exit::SERVE_HELP)]
    Serve(serve_cmd::ServeArgs),
    /// Compare two versions of a spec and report breaking changes.
    #[command(after_help = exit::DIFF_HELP)]
    Diff(diff_cmd::DiffArgs),
    /// Forward requests to a real server and check both directions against the spec.
    #[command(after_help = exit::PROXY_HELP)]
    Proxy(proxy_cmd::ProxyArgs),
    /// Send requests built from the spec to a real server and check its responses.
    #[command(after_help = exit::VERIFY_HELP)]
    Verify(verify_cmd::VerifyArgs),
}

/// How structured (JSON) fixture bodies are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StructuredFormat {
    Json,
    Yaml,
}

/// Output formats of `mockgen check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Source snippets with the offending node underlined.
    Human,
    /// One JSON object per document (see README).
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…,col=…::…`).
    Github,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// OpenAPI documents (JSON or YAML; Swagger 2.0, OpenAPI 3.0, 3.1, 3.2).
    #[arg(required = true, value_name = "SPEC")]
    specs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Exit 1 on warnings too.
    #[arg(long)]
    strict: bool,
    /// Fetch `http://` references instead of reporting them (https is not supported).
    #[arg(long)]
    allow_remote_refs: bool,
    /// Print phase timings and peak memory as one JSON line on stderr (for `cargo xtask bench`).
    #[arg(long, hide = true)]
    timings: bool,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let code = match cli.command {
        Command::Check(args) => check_cmd::run(&args),
        Command::Fixtures(args) => fixtures_cmd::run(&args),
        Command::Serve(args) => serve_cmd::run(&args),
        Command::Diff(args) => diff_cmd::run(&args),
        Command::Proxy(args) => proxy_cmd::run(&args),
        Command::Verify(args) => verify_cmd::run(&args),
    };
    ExitCode::from(code)
}
