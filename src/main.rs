//! The `mqsim` binary: parse the command line, run, map errors to exit codes
//! (2 for bad input, 1 for failed checks and other failures).

use std::process::ExitCode;

use clap::Parser;

mod app;
mod check;
mod cli;
mod guard;
mod inputs;
mod outdir;
mod shards;
mod sweeping;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match app::run(cli) {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err:#}");
            ExitCode::from(app::exit_code(&err))
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
