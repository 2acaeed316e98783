//! What each command does: load the scenario, run replications across
//! threads, aggregate in replication order, write outputs, print.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::check;
use crate::cli::{CheckArgs, Cli, Command, Format, RunArgs, ValidateArgs};
use crate::guard::Guard;
use crate::inputs::Inputs;
use crate::outdir;
use crate::shards;
use mqsim::engine::{self, StopReason, result::ReplicationResult};
use mqsim::output::{self, Timing};
use mqsim::scenario::{Scenario, ScenarioError};
use mqsim::validation::{self, Mode, Verdict};

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run(args) => run_scenario(&args),
        Command::Check(args) => check_scenario(&args),
        Command::Sweep(args) => crate::sweeping::sweep(&args),
        Command::Plan(args) => crate::sweeping::plan(&args),
        Command::Validate(args) => validate(&args),
        Command::Merge(args) => shards::merge(&args),
    }
}

/// Bad input about `file` as a whole (exit 2): the scenario, or a shard
/// directory.
pub(crate) fn bad_input(file: &Path, message: impl Into<String>) -> anyhow::Error {
    ScenarioError::whole_file(file, message.into()).into()
}

/// `--threads`, or every core.
pub(crate) fn thread_count(threads: Option<u32>) -> usize {
    threads.map_or_else(rayon::current_num_threads, |t| t as usize)
}

/// Exit code for an error: 2 for bad input (the user can fix it), 3 for a
/// failure that is not the input's (disk full, an I/O error). A failed check
/// or SLO is not an error: it returns exit 1 as a result.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    let bad_input = err
        .chain()
        .any(|cause| cause.downcast_ref::<ScenarioError>().is_some());
    if bad_input { 2 } else { 3 }
}

fn run_scenario(args: &RunArgs) -> Result<ExitCode> {
    if let Some(vary) = args.vary.first() {
        return Err(bad_input(
            &args.scenario.file,
            format!(
                "run simulates one scenario and takes no --vary: use `mqsim sweep FILE --vary \
                 {vary}` to run every value, or `--set KEY=VALUE` to change one"
            ),
        ));
    }
    let inputs = Inputs::read(&args.scenario, &[])?;
    let sc = inputs.load(&[])?;
    if !args.exec.quiet {
        check::write_warnings(&check::analyse(&sc), &mut std::io::stderr())?;
    }
    let threads = thread_count(args.exec.threads);
    let dir = args
        .exec
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&sc.name));
    if args.shard.is_none() {
        outdir::check_usable(&dir)?;
    }
    let guard = Guard::start(args.exec.timeout);
    let limits = guard.limits(args.exec.max_backlog, &sc, threads);
    if let Some(shard) = args.shard {
        let job = shards::ShardJob {
            command: "run",
            inputs: &inputs,
            base: &sc,
            scenarios: std::slice::from_ref(&sc),
            shard,
            threads,
            limits,
            guard: &guard,
            out: args.exec.out.clone(),
            quiet: args.exec.quiet,
        };
        return shards::run_shard(&job);
    }
    let started = Instant::now();
    let results = run_replications_within(&sc, threads, limits)?;
    let timing = Timing {
        wall_seconds: started.elapsed().as_secs_f64(),
        threads,
        events: results.iter().map(|r| r.metrics.events as u64).sum(),
        messages: results.iter().map(|r| r.metrics.produced as u64).sum(),
    };
    finish_run(&RunOutput {
        dir: &dir,
        scenario: &sc,
        results: &results,
        timing,
        command: &output::command_line(),
        format: args.scenario.format,
        quiet: args.exec.quiet,
        stopped_by: guard.reason(),
    })
}

/// A run's results and where and how to report them.
pub struct RunOutput<'a> {
    /// Output directory.
    pub dir: &'a Path,
    /// The scenario.
    pub scenario: &'a Scenario,
    /// Every replication's result, in replication order.
    pub results: &'a [ReplicationResult],
    /// Wall-clock figures (timing.json).
    pub timing: Timing,
    /// The command line the report shows.
    pub command: &'a str,
    /// What goes to stdout.
    pub format: Format,
    /// No table or notes.
    pub quiet: bool,
    /// Why the run was asked to stop early, if it was.
    pub stopped_by: Option<StopReason>,
}

/// Aggregates and writes a run's outputs, prints the table, and returns the
/// exit code: shared by `run` and by `merge` of a run's shards, so both
/// write the same bytes.
pub fn finish_run(out: &RunOutput) -> Result<ExitCode> {
    let (sc, results, timing) = (out.scenario, out.results, &out.timing);
    let summary = output::aggregate(sc, results);
    if !out.quiet
        && let Some(suggested) = mqsim::warmup::suggest_warmup(sc, results)
    {
        eprintln!(
            "warning: warm-up looks too short: MSER-5 on the time series suggests about {suggested:.0} s \
             (the scenario has {}); latency statistics include the start-up transient \
             (see docs/statistics.md)",
            sc.warmup
        );
    }
    let charts = worker_pool(timing.threads)?
        .install(|| output::write_run(out.dir, sc, &summary, results, timing))?;
    let report = output::report::Report {
        scenario: sc,
        summary: &summary,
        charts: &charts,
        grid: None,
        command: out.command,
    };
    output::write_file(
        &out.dir.join("report.html"),
        output::report::report_html(&report).as_bytes(),
    )?;
    let mut stdout = std::io::stdout().lock();
    match out.format {
        Format::Json => stdout.write_all(run_json(&summary, timing)?.as_bytes())?,
        Format::Table if !out.quiet => {
            writeln!(
                stdout,
                "{}: {} replications, seed {}",
                sc.name, sc.replications, sc.seed
            )?;
            output::write_table(&summary, &mut stdout)?;
            writeln!(stdout, "outputs in {}", out.dir.display())?;
        }
        Format::Table => {}
    }
    if !out.quiet {
        eprintln!(
            "simulated {} events in {:.3} s ({:.1} M events/s)",
            timing.events,
            timing.wall_seconds,
            timing.events as f64 / timing.wall_seconds.max(1e-9) / 1e6
        );
    }
    if let Some(partial) = &summary.manifest.partial {
        let advice = match out.stopped_by {
            Some(StopReason::Interrupted) => "partial results are in the outputs",
            Some(StopReason::Timeout) => "partial results are in the outputs; raise --timeout",
            None => {
                "raise --max-backlog, or give the consumers the capacity (mqsim check shows the \
                 offered load)"
            }
        };
        eprintln!(
            "error: stopped early: {partial}; {advice} ({}).",
            out.dir.display()
        );
        return Ok(ExitCode::from(out.stopped_by.map_or(1, Guard::exit_code)));
    }
    Ok(if summary.slo_pass() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `--format json` for `run`: the content of summary.json plus `timing`
/// (the wall-clock figures of timing.json; stdout is not a result file).
fn run_json(summary: &output::RunSummary, timing: &Timing) -> Result<String> {
    let mut doc: serde_json::Value = serde_json::from_str(&output::summary_json(summary))?;
    let timing: serde_json::Value = serde_json::from_str(&output::json::timing_json(timing))?;
    if let serde_json::Value::Object(map) = &mut doc {
        map.insert("timing".into(), timing);
    }
    Ok(serde_json::to_string_pretty(&doc)? + "\n")
}

/// A pool of `threads` workers: replications, and chart drawing, run in it.
pub(crate) fn worker_pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("starting worker threads")
}

/// All replications on `threads` workers, returned in replication order.
pub(crate) fn run_replications(sc: &Scenario, threads: usize) -> Result<Vec<ReplicationResult>> {
    run_replications_within(sc, threads, engine::Limits::default())
}

/// [`run_replications`] under resource `limits`.
pub(crate) fn run_replications_within(
    sc: &Scenario,
    threads: usize,
    limits: engine::Limits,
) -> Result<Vec<ReplicationResult>> {
    Ok(worker_pool(threads)?.install(|| {
        (0..sc.replications)
            .into_par_iter()
            .map(|i| engine::run_replication_within(sc, i, limits.clone()))
            .collect()
    }))
}

fn validate(args: &ValidateArgs) -> Result<ExitCode> {
    let mode = if args.quick { Mode::Quick } else { Mode::Full };
    let threads = args
        .threads
        .map_or_else(rayon::current_num_threads, |t| t as usize);
    let models = validation::suite(mode, args.replications);
    let started = Instant::now();
    let run = |sc: &Scenario| run_replications(sc, threads).expect("worker threads start");
    let mut progress = |model: &validation::Model, results: &[ReplicationResult]| {
        if !args.quiet {
            let messages: f64 = results.iter().map(|r| r.metrics.produced).sum();
            eprintln!(
                "{:<28} {} replications, {:.1} M messages, {:.1} s so far",
                model.name,
                results.len(),
                messages / 1e6,
                started.elapsed().as_secs_f64()
            );
        }
    };
    let checks = validation::validate(&models, mode, &run, &mut progress);
    let mut stdout = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            stdout.write_all(output::validation::validation_json(&checks, mode).as_bytes())?
        }
        Format::Table => output::validation::write_validation_table(&checks, mode, &mut stdout)?,
    }
    let pass = checks.iter().all(|c| c.verdict == Verdict::Pass);
    Ok(if pass {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub(crate) fn default_out_dir(name: &str) -> PathBuf {
    Path::new("output").join(name)
}

fn check_scenario(args: &CheckArgs) -> Result<ExitCode> {
    let sc = Inputs::read(&args.scenario, &[])?.load(&[])?;
    let analysis = check::analyse(&sc);
    let mut stdout = std::io::stdout().lock();
    match args.scenario.format {
        Format::Json => {
            let json = serde_json::json!({ "scenario": &sc, "analysis": &analysis });
            writeln!(stdout, "{}", serde_json::to_string_pretty(&json)?)?;
        }
        Format::Table => {
            let resolved = toml::to_string(&sc).context("printing the resolved scenario")?;
            writeln!(stdout, "# resolved scenario\n{resolved}")?;
            check::write_analysis(&analysis, &mut stdout)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_input_exits_2_and_other_failures_3() {
        let bad = bad_input(Path::new("a.toml"), "no");
        assert_eq!(exit_code(&bad.context("loading")), 2);
        let disk = anyhow::Error::new(std::io::Error::other("No space left on device"))
            .context("writing output/x/summary.json");
        assert_eq!(exit_code(&disk), 3);
    }
}
