//! The subcommands, one module each, over the shared execution code
//! ([`crate::execution`]: inputs, worker threads, guards, output paths,
//! shards) and the sweep machinery ([`crate::sweep`]). A command reads its
//! arguments, runs, writes its files and returns its exit code; errors are
//! mapped to exit codes here.
//!
//! Dependencies point one way: `merge` reuses `run`'s and `sweep`'s writers
//! (so a merged result is byte-identical to an unsharded one); no command
//! module is imported by the execution or sweep modules.

mod check;
mod compare;
mod completions;
mod fit;
mod merge;
mod plan;
mod run;
mod schema;
mod sweep;
mod validate;

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{Cli, Command};
use mqsim::scenario::ScenarioError;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Check(args) => check::check(&args),
        Command::Sweep(args) => sweep::sweep(&args),
        Command::Plan(args) => plan::plan(&args),
        Command::Validate(args) => validate::validate(&args),
        Command::Merge(args) => merge::merge(&args),
        Command::Fit(args) => fit::fit(&args),
        Command::Compare(args) => compare::compare(&args),
        Command::Schema(args) => schema::schema(&args),
        Command::Completions(args) => completions::completions(&args),
    }
}

/// Exit code for an error: 2 for bad input (the user can fix it), 3 for a
/// failure that is not the input's (disk full, an I/O error). A failed check
/// or SLO is not an error: it returns exit 1 as a result.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    let bad_input = err
        .chain()
        .any(|cause| cause.is::<ScenarioError>() || cause.is::<mqsim::fit::FitError>());
    if bad_input { 2 } else { 3 }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::execution::bad_input;

    #[test]
    fn bad_input_exits_2_and_other_failures_3() {
        let bad = bad_input(Path::new("a.toml"), "no");
        assert_eq!(exit_code(&bad.context("loading")), 2);
        let disk = anyhow::Error::new(std::io::Error::other("No space left on device"))
            .context("writing output/x/summary.json");
        assert_eq!(exit_code(&disk), 3);
    }
}
