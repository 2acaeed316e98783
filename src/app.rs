//! What each command does: load the scenario, run replications across
//! threads, aggregate in replication order, write outputs, print.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::check;
use crate::cli::{CheckArgs, Cli, Command, Format, RunArgs, ScenarioArgs, ValidateArgs};
use mqsim::engine::{self, StopReason, StopSignal, result::ReplicationResult};
use mqsim::output::{self, Timing};
use mqsim::scenario::{self, Scenario, ScenarioError};
use mqsim::validation::{self, Mode, Verdict};

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run(args) => run_scenario(&args),
        Command::Check(args) => check_scenario(&args),
        Command::Sweep(args) => crate::sweeping::sweep(&args),
        Command::Plan(args) => crate::sweeping::plan(&args),
        Command::Validate(args) => validate(&args),
    }
}

/// Exit code for an error: 2 for bad input, 1 otherwise.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    let bad_input = err
        .chain()
        .any(|cause| cause.downcast_ref::<ScenarioError>().is_some());
    if bad_input { 2 } else { 1 }
}

/// Loads the scenario with `--set`, `--seed` and `--replications` applied.
fn load(args: &ScenarioArgs) -> Result<Scenario> {
    let mut sc = scenario::load(&args.file, &args.set)?;
    if let Some(seed) = args.seed {
        sc.seed = seed;
    }
    if let Some(replications) = args.replications {
        sc.replications = replications;
    }
    Ok(sc)
}

fn run_scenario(args: &RunArgs) -> Result<ExitCode> {
    let sc = load(&args.scenario)?;
    let threads = args
        .exec
        .threads
        .map_or_else(rayon::current_num_threads, |t| t as usize);
    let stop = Arc::new(StopSignal::default());
    stop_on_interrupt(&stop);
    if let Some(timeout) = args.timeout {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            std::thread::sleep(timeout);
            stop.request(StopReason::Timeout);
        });
    }
    let limits = engine::Limits {
        max_backlog: args
            .max_backlog
            .unwrap_or_else(|| default_max_backlog(&sc, threads)),
        stop: Some(Arc::clone(&stop)),
    };
    let started = Instant::now();
    let results = run_replications_within(&sc, threads, limits)?;
    let wall_seconds = started.elapsed().as_secs_f64();
    let summary = output::aggregate(&sc, &results);
    if !args.exec.quiet
        && let Some(suggested) = mqsim::warmup::suggest_warmup(&sc, &results)
    {
        eprintln!(
            "warning: warm-up looks too short: MSER-5 on the time series suggests about {suggested:.0} s \
             (the scenario has {}); latency statistics include the start-up transient \
             (see docs/statistics.md)",
            sc.warmup
        );
    }
    let timing = Timing {
        wall_seconds,
        threads,
        events: results.iter().map(|r| r.metrics.events as u64).sum(),
        messages: results.iter().map(|r| r.metrics.produced as u64).sum(),
    };
    let dir = args
        .exec
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&sc.name));
    let charts = worker_pool(threads)?
        .install(|| output::write_run(&dir, &sc, &summary, &results, &timing))?;
    let report = output::report::Report {
        scenario: &sc,
        summary: &summary,
        charts: &charts,
        grid: None,
        command: &output::command_line(),
    };
    output::write_file(
        &dir.join("report.html"),
        output::report::report_html(&report).as_bytes(),
    )?;
    let mut stdout = std::io::stdout().lock();
    match args.scenario.format {
        Format::Json => stdout.write_all(run_json(&summary, &timing)?.as_bytes())?,
        Format::Table if !args.exec.quiet => {
            writeln!(
                stdout,
                "{}: {} replications, seed {}",
                sc.name, sc.replications, sc.seed
            )?;
            output::write_table(&summary, &mut stdout)?;
            writeln!(stdout, "outputs in {}", dir.display())?;
        }
        Format::Table => {}
    }
    if !args.exec.quiet {
        eprintln!(
            "simulated {} events in {:.3} s ({:.1} M events/s)",
            timing.events,
            wall_seconds,
            timing.events as f64 / wall_seconds.max(1e-9) / 1e6
        );
    }
    if let Some(partial) = &summary.manifest.partial {
        let (advice, code) = match stop.reason() {
            Some(StopReason::Interrupted) => ("partial results are in the outputs", 130),
            Some(StopReason::Timeout) => ("partial results are in the outputs; raise --timeout", 1),
            None => (
                "raise --max-backlog, or give the consumers the capacity (mqsim check shows the \
                 offered load)",
                1,
            ),
        };
        eprintln!(
            "error: stopped early: {partial}; {advice} ({}).",
            dir.display()
        );
        return Ok(ExitCode::from(code));
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
fn run_replications(sc: &Scenario, threads: usize) -> Result<Vec<ReplicationResult>> {
    run_replications_within(sc, threads, engine::Limits::default())
}

/// [`run_replications`] under resource `limits`.
fn run_replications_within(
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

/// The first Ctrl-C asks running replications to stop (their results are
/// written, marked partial); a second one exits at once, writing nothing
/// more (files already written are whole: every write is atomic).
fn stop_on_interrupt(stop: &Arc<StopSignal>) {
    let stop = Arc::clone(stop);
    // Without a handler (none can be installed twice) Ctrl-C simply ends
    // the process; atomic writes still leave no half-written file.
    let _ = ctrlc::set_handler(move || {
        if stop.reason() == Some(StopReason::Interrupted) {
            std::process::exit(130);
        }
        stop.request(StopReason::Interrupted);
    });
}

/// Bytes one waiting message takes (docs/performance.md): a never-received
/// one 8 bytes, counted twice for the FIFO's doubling; with a delivery delay
/// every message has its 40-byte record, an age-index entry and a timer.
fn bytes_per_message(sc: &Scenario) -> u64 {
    if sc.queue.delay.ticks() > 0 { 96 } else { 16 }
}

/// The backlog that half the available memory holds, shared by the
/// replications that run at once (100 million where the memory is unknown).
fn default_max_backlog(sc: &Scenario, threads: usize) -> u64 {
    let available = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        });
    match available {
        Some(kib) => (kib * 1024 / 2 / bytes_per_message(sc) / threads.max(1) as u64).max(1),
        None => 100_000_000,
    }
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

fn default_out_dir(name: &str) -> PathBuf {
    Path::new("output").join(name)
}

fn check_scenario(args: &CheckArgs) -> Result<ExitCode> {
    let sc = load(&args.scenario)?;
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
