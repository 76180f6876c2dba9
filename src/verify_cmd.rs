//! `mockgen verify` (being built this session; see issue 5).

use crate::exit;

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// Arguments (placeholder until the command lands).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

pub fn run(_args: &VerifyArgs) -> u8 {
    eprintln!("error: mockgen verify is not available in this build");
    exit::USAGE
}
