//! `mqsim sweep` and `mqsim plan`: run a grid of scenario points (each with
//! all its replications) and write what a design review needs.
//!
//! Every point is the scenario file with the point's `KEY=VALUE` overrides
//! applied like `--set`, validated up front (a bad value is bad input, exit
//! 2, before anything runs). Points keep the scenario's seed: common random
//! numbers. Each point's replications are summarised and dropped as soon as
//! the point is done ([`runner`]); a sweep keeps finished points on disk so
//! that an interrupted one can be resumed ([`resume`]), and a sharded one is
//! merged into the same files ([`merge_sweep`]).

mod planning;
mod present;
mod resume;
mod runner;

pub use planning::plan;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;

use crate::app::{bad_input, thread_count};
use crate::cli::{Format, MergeArgs, SweepArgs};
use crate::guard::Guard;
use crate::inputs::Inputs;
use crate::shards::{self, ShardJob};
use mqsim::engine::result::ReplicationResult;
use mqsim::output::report::Grid;
use mqsim::output::shard::ShardManifest;
use mqsim::output::sweep::sweep_csv;
use mqsim::output::{self, RunSummary};
use mqsim::scenario::{Scenario, SweepAxis};
use mqsim::sweep::{self, Point};
use present::*;
use runner::Runner;

/// A sweep's grid: the base scenario, its points and each point's scenario.
struct SweepGrid {
    base: Scenario,
    points: Vec<Point>,
    scenarios: Vec<Scenario>,
}

impl SweepGrid {
    /// The grid of the file's `[sweep]` and the `--vary` axes, every point
    /// validated.
    fn of(inputs: &Inputs) -> Result<SweepGrid> {
        let base = inputs.load(&[])?;
        let axes = axes(&base, inputs.vary())?;
        if axes.is_empty() {
            return Err(bad_input(
                inputs.path(),
                "nothing to sweep: give [sweep] in the file or --vary KEY=V1,V2,...",
            ));
        }
        let points =
            sweep::grid(&axes, base.replications).map_err(|why| bad_input(inputs.path(), &why))?;
        let scenarios = points
            .iter()
            .map(|p| inputs.load(&p.overrides()))
            .collect::<Result<Vec<_>>>()?;
        Ok(SweepGrid {
            base,
            points,
            scenarios,
        })
    }
}

/// `mqsim sweep`.
pub fn sweep(args: &SweepArgs) -> Result<ExitCode> {
    let inputs = Inputs::read(&args.scenario, &args.vary)?;
    let grid = SweepGrid::of(&inputs)?;
    let threads = thread_count(args.exec.threads);
    let guard = Guard::start(args.exec.timeout);
    let limits = guard.limits(args.exec.max_backlog, &grid.base, threads);
    if let Some(shard) = args.shard {
        return shards::run_shard(&ShardJob {
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
        command: &output::command_line(),
        format: args.scenario.format,
        quiet: args.exec.quiet,
        pool: &runner.pool,
    })
}

/// `mqsim merge` of a sweep's shards: the same files as the unsharded sweep.
pub fn merge_sweep(
    args: &MergeArgs,
    inputs: &Inputs,
    shards: Vec<(ShardManifest, Vec<ReplicationResult>)>,
    threads: usize,
) -> Result<ExitCode> {
    let grid = SweepGrid::of(inputs)?;
    shards::same_scenario(&grid.base, &args.dirs[0], &shards[0].0.scenario_sha256)?;
    let replications: Vec<u32> = grid.scenarios.iter().map(|s| s.replications).collect();
    let merged = shards::in_item_order(&args.dirs, shards, &replications)?;
    let mut results = merged.results.into_iter().peekable();
    let mut summaries = Vec::with_capacity(grid.points.len());
    for (p, sc) in grid.scenarios.iter().enumerate() {
        let mine: Vec<ReplicationResult> = std::iter::from_fn(|| {
            results
                .next_if(|(item, _)| item.point as usize == p)
                .map(|(_, r)| r)
        })
        .collect();
        summaries.push(output::aggregate(sc, &mine));
    }
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| default_dir(&grid.base.name, "sweep"));
    write_sweep(&SweepOutput {
        dir: &dir,
        base: &grid.base,
        points: grid.points.into_iter().zip(summaries).collect(),
        command: &merged.command_line,
        format: args.format,
        quiet: args.quiet,
        pool: &crate::app::worker_pool(threads)?,
    })
}

/// A finished sweep and where and how to report it.
struct SweepOutput<'a> {
    dir: &'a Path,
    base: &'a Scenario,
    points: Vec<(Point, RunSummary)>,
    command: &'a str,
    format: Format,
    quiet: bool,
    pool: &'a rayon::ThreadPool,
}

/// Writes a sweep's files (points' summaries, `sweep.csv`, charts, report)
/// and prints its table: shared by `sweep` and `merge`.
fn write_sweep(out: &SweepOutput) -> Result<ExitCode> {
    let (dir, base, points) = (out.dir, out.base, &out.points);
    write_points(dir, points)?;
    output::write_file(&dir.join("sweep.csv"), &sweep_csv(points))?;
    let svgs = out
        .pool
        .install(|| write_sweep_charts(dir, base, points, None))?;
    let shown = points.iter().position(|(_, s)| s.slo_pass()).unwrap_or(0);
    let (header, rows) = points_rows(points);
    let grid = Grid {
        title: format!("Sweep: {} points", points.len()),
        note: format!(
            "Every point ran {} replications with the same random streams (common random numbers). \
             The metrics table below is point {} ({}).",
            base.replications,
            shown,
            points[shown].0.overrides().join(", ")
        ),
        header,
        rows,
    };
    write_report(dir, base, &points[shown].1, &svgs, grid, out.command)?;
    let mut stdout = std::io::stdout().lock();
    match out.format {
        Format::Json => stdout.write_all(sweep_json(points).as_bytes())?,
        Format::Table if !out.quiet => {
            writeln!(
                stdout,
                "{}: {} points × {} replications, seed {}",
                base.name,
                points.len(),
                base.replications,
                base.seed
            )?;
            write_points_table(points, &mut stdout)?;
            writeln!(stdout, "outputs in {}", dir.display())?;
        }
        Format::Table => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// The file's `[sweep]` axes, then the `--vary` ones (which replace a
/// `[sweep]` axis of the same key).
fn axes(base: &Scenario, vary: &[String]) -> Result<Vec<SweepAxis>> {
    let mut axes = base.sweep.clone();
    for arg in vary {
        let axis = sweep::parse_vary(arg).map_err(|why| bad_input(Path::new(""), &why))?;
        axes.retain(|a| a.key != axis.key);
        axes.push(axis);
    }
    Ok(axes)
}

/// Numeric values sorted increasingly (duplicates removed); others as given.
fn increasing(values: &[String]) -> Vec<String> {
    let mut numeric: Vec<(f64, String)> = Vec::new();
    for v in values {
        match v.trim().parse::<f64>() {
            Ok(x) => numeric.push((x, v.clone())),
            Err(_) => return values.to_vec(),
        }
    }
    numeric.sort_by(|a, b| a.0.total_cmp(&b.0));
    numeric.dedup_by(|a, b| a.0 == b.0);
    numeric.into_iter().map(|(_, v)| v).collect()
}

fn point(key: &str, value: &str) -> Point {
    Point {
        settings: vec![(key.to_owned(), value.to_owned())],
    }
}

fn default_dir(name: &str, what: &str) -> PathBuf {
    Path::new("output").join(format!("{name}-{what}"))
}
