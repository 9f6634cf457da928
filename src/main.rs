//! The `redflag` binary: parse arguments, run the subcommand, map the outcome to an exit code.
//! This is the only place that prints errors.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = redflag::cli::Cli::parse();
    match redflag::cli::run(cli) {
        Ok(outcome) => ExitCode::from(outcome as u8),
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("redflag: {e}");
            ExitCode::from(2)
        }
    }
}
