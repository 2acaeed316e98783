//! `mqsim sweep`: every point of the grid with all its replications
//! ([`crate::sweep`]), or one shard of them; an interrupted sweep keeps its
//! finished points and `--resume` continues it.

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::SweepArgs;
use crate::execution::guard::Guard;
use crate::execution::inputs::Inputs;
use crate::execution::shard::{ShardJob, run_shard};
use crate::execution::{outdir, thread_count};
use crate::sweep::runner::Runner;
use crate::sweep::{SweepGrid, SweepOutput, default_dir, resume, write_sweep};
use mqsim::output;

/// `mqsim sweep`.
pub fn sweep(args: &SweepArgs) -> Result<ExitCode> {
    let inputs = Inputs::read(&args.scenario, &args.vary)?;
    let grid = SweepGrid::of(&inputs)?;
    let threads = thread_count(args.exec.threads);
    let guard = Guard::start(args.exec.timeout);
    let limits = guard.limits(args.exec.max_backlog, &grid.base, threads);
    if let Some(shard) = args.shard {
        return run_shard(&ShardJob {
            command: "sweep",
            inputs: &inputs,
            base: &grid.base,
            scenarios: &grid.scenarios,
            shard,
            threads,
            limits,
            guard: &guard,
            out: args.exec.out.clone(),
            quiet: args.exec.quiet,
        });
    }
    let dir = args
        .exec
        .out
        .clone()
        .unwrap_or_else(|| default_dir(&grid.base.name, "sweep"));
    outdir::check_usable(&dir)?;
    let runner = Runner::new(threads, args.exec.quiet, limits)?;
    let run = resume::Resumable {
        dir: &dir,
        points: &grid.points,
        scenarios: &grid.scenarios,
    };
    let summaries = run.run(&runner, &guard, args.resume, args.exec.quiet);
    runner.finish();
    let summaries = match summaries? {
        Ok(summaries) => summaries,
        Err(reason) => return Ok(ExitCode::from(Guard::exit_code(reason))),
    };
    write_sweep(&SweepOutput {
        dir: &dir,
        base: &grid.base,
        points: grid.points.into_iter().zip(summaries).collect(),
        scenarios: &grid.scenarios,
        command: &output::command_line(),
        format: args.scenario.format,
        quiet: args.exec.quiet,
        pool: &runner.pool,
    })
}
