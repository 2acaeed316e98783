//! `mqsim run`: all replications of one scenario, in parallel, then its
//! files, table and exit code. [`finish_run`] is also how `merge` writes a
//! run's shards, so both give the same bytes.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;

use crate::analysis;
use crate::cli::{Format, RunArgs};
use crate::execution::guard::Guard;
use crate::execution::inputs::Inputs;
use crate::execution::shard::{self, ShardJob};
use crate::execution::{
    bad_input, default_out_dir, outdir, run_replications_within, thread_count, worker_pool,
};
use mqsim::engine::StopReason;
use mqsim::engine::result::ReplicationResult;
use mqsim::output::{self, Timing};
use mqsim::scenario::Scenario;

/// `mqsim run`.
pub fn run(args: &RunArgs) -> Result<ExitCode> {
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
        analysis::write_warnings(&analysis::analyse(&sc), &mut std::io::stderr())?;
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
        let job = ShardJob {
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
        return shard::run_shard(&job);
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
