//! `mqsim compare`: every alternative ([`load`], all validated first) runs
//! all its replications with the same seed and replication indices (common
//! random numbers), alternatives side by side on the worker threads; then
//! each is summarised as `mqsim run` would, the headline metrics are
//! paired with the first alternative's, and the files, table and exit code
//! follow. Nothing is written until every alternative has finished; a
//! comparison stopped by Ctrl-C or `--timeout` writes nothing.
//!
//! Exit codes: 0 when the comparison ran (an alternative that fails its
//! `[slo]` is a finding, reported, not a failure), 1 when a replication was
//! cut short by `--max-backlog` (results partial) or `--timeout`, 2 for bad
//! input, 130 after Ctrl-C.

mod load;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;

use crate::analysis;
use crate::cli::{CompareArgs, Format};
use crate::execution::guard::Guard;
use crate::execution::{outdir, thread_count};
use crate::sweep::runner::Runner;
use load::Spec;
use mqsim::compare::alternatives::default_dir_name;
use mqsim::compare::differences::differences;
use mqsim::compare::{AltValues, headline_values, metric_rows};
use mqsim::engine::Limits;
use mqsim::output::compare::{Alternative, Comparison, json, table, write_files};
use mqsim::output::{self, RunSummary, Timing, charts};
use mqsim::scenario::Scenario;

/// `mqsim compare`.
pub fn compare(args: &CompareArgs) -> Result<ExitCode> {
    let specs = load::alternatives(args)?;
    let labels: Vec<&str> = specs.iter().map(|s| s.label.as_str()).collect();
    let dir = args
        .exec
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(default_dir_name(&labels)));
    outdir::check_usable(&dir)?;
    if !args.exec.quiet {
        warn(&specs)?;
    }
    let threads = thread_count(args.exec.threads);
    let guard = Guard::start(args.exec.timeout);
    let limits = limits(&guard, args.exec.max_backlog, &specs, threads);
    let runner = Runner::new(threads, args.exec.quiet, limits)?;
    let scenarios: Vec<Scenario> = specs.iter().map(|s| s.scenario.clone()).collect();
    let started = Instant::now();
    let mut done: Vec<Option<Finished>> = vec![None; specs.len()];
    let (mut events, mut messages) = (0u64, 0u64);
    let todo: Vec<usize> = (0..specs.len()).collect();
    runner.run_points(&scenarios, &todo, &guard, |p, results| {
        events += results.iter().map(|r| r.metrics.events as u64).sum::<u64>();
        messages += results
            .iter()
            .map(|r| r.metrics.produced as u64)
            .sum::<u64>();
        done[p] = Some(Finished {
            summary: output::aggregate(&scenarios[p], &results),
            values: headline_values(&scenarios[p], &results),
        });
        Ok(())
    })?;
    runner.finish();
    let Some(finished) = done.into_iter().collect::<Option<Vec<Finished>>>() else {
        let reason = guard
            .reason()
            .expect("only a stop leaves alternatives unfinished");
        eprintln!(
            "error: compare stopped ({}) before every alternative finished; nothing written",
            Guard::words(reason)
        );
        return Ok(ExitCode::from(Guard::exit_code(reason)));
    };
    let timing = Timing {
        wall_seconds: started.elapsed().as_secs_f64(),
        threads,
        events,
        messages,
    };
    let c = comparison(specs, finished, &args.set);
    write_all(&dir, &c, &timing, &runner.pool)?;
    print(args, &c, &dir, &timing)?;
    if let Some(partial) = c.partial() {
        eprintln!(
            "error: stopped early: {partial}; partial results are in {} (raise --max-backlog, or \
             give the consumers the capacity: mqsim check shows the offered load).",
            dir.display()
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// One alternative's results, kept once its replications are dropped.
#[derive(Clone)]
struct Finished {
    summary: RunSummary,
    values: AltValues,
}

/// The smallest `--max-backlog` default of the alternatives: they run side
/// by side on the same memory.
fn limits(guard: &Guard, max_backlog: Option<u64>, specs: &[Spec], threads: usize) -> Limits {
    let all: Vec<Limits> = specs
        .iter()
        .map(|s| guard.limits(max_backlog, &s.scenario, threads))
        .collect();
    all.into_iter()
        .min_by_key(|l| l.max_backlog)
        .expect("two or more alternatives")
}

/// The load warnings of each alternative, and what pairing replaced.
fn warn(specs: &[Spec]) -> Result<()> {
    let mut err = std::io::stderr().lock();
    for s in specs {
        let mut text = Vec::new();
        analysis::write_warnings(&analysis::analyse(&s.scenario), &mut text)?;
        for line in String::from_utf8_lossy(&text).lines() {
            writeln!(err, "{}: {line}", s.label)?;
        }
        for r in &s.replaced {
            writeln!(
                err,
                "note: {}: {r}, so that every alternative runs the same replications",
                s.label
            )?;
        }
    }
    Ok(())
}

fn comparison(specs: Vec<Spec>, finished: Vec<Finished>, set: &[String]) -> Comparison {
    let values: Vec<AltValues> = finished.iter().map(|f| f.values.clone()).collect();
    let base = specs[0].scenario.clone();
    let alternatives = specs
        .into_iter()
        .zip(finished)
        .map(|(s, f)| Alternative {
            differences: differences(&base, &s.scenario),
            label: s.label,
            file: s.file.display().to_string(),
            overrides: s.overrides,
            replaced: s.replaced,
            scenario: s.scenario,
            summary: f.summary,
        })
        .collect();
    Comparison {
        alternatives,
        rows: metric_rows(&values),
        set: set.to_vec(),
    }
}

fn write_all(dir: &Path, c: &Comparison, timing: &Timing, pool: &rayon::ThreadPool) -> Result<()> {
    write_files(dir, c)?;
    let svgs =
        pool.install(|| charts::write_charts(&dir.join("charts"), &charts::compare_charts(c)))?;
    let html = output::report::compare::compare_html(c, &svgs, &output::command_line());
    output::write_file(&dir.join("report.html"), html.as_bytes())?;
    output::write_file(
        &dir.join("timing.json"),
        output::json::timing_json(timing).as_bytes(),
    )
}

fn print(args: &CompareArgs, c: &Comparison, dir: &Path, timing: &Timing) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match args.format {
        Format::Json => stdout.write_all(json::compare_json(c).as_bytes())?,
        Format::Table if !args.exec.quiet => {
            writeln!(
                stdout,
                "compare {}: {} replications each, seed {}, common random numbers",
                c.labels().join(" vs "),
                c.replications(),
                c.seed()
            )?;
            table::write_compare_table(c, &mut stdout)?;
            writeln!(stdout, "outputs in {}", PathBuf::from(dir).display())?;
        }
        Format::Table => {}
    }
    if !args.exec.quiet {
        eprintln!(
            "simulated {} events in {:.3} s ({:.1} M events/s)",
            timing.events,
            timing.wall_seconds,
            timing.events as f64 / timing.wall_seconds.max(1e-9) / 1e6
        );
    }
    Ok(())
}
