//! The `mqsim` binary: parse the command line, run, map errors to exit codes
//! (2 for bad input, 3 for failures that are not the input's; a failed
//! check or SLO returns 1 as its result).

use std::process::ExitCode;

use clap::Parser;

mod analysis;
mod cli;
mod commands;
mod execution;
mod sweep;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err:#}");
            ExitCode::from(commands::exit_code(&err))
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
