//! Sweeps as the commands run them: the grid of scenario points built from
//! the inputs ([`SweepGrid`], expanded by the pure [`mqsim::grid`]), the
//! runner that gives every point all its replications ([`runner`]), the
//! records that let an interrupted sweep resume ([`resume`]), and what a
//! design review reads ([`present`], [`write_sweep`]). `sweep`, `plan` and
//! `merge` (in [`crate::commands`]) are built from these parts.
//!
//! Every point is the scenario file with the point's `KEY=VALUE` overrides
//! applied like `--set`, validated up front (a bad value is bad input, exit
//! 2, before anything runs). Points keep the scenario's seed: common random
//! numbers. Each point's replications are summarised and dropped as soon as
//! the point is done, so memory does not grow with the size of a sweep.

pub mod present;
pub mod resume;
pub mod runner;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::Format;
use crate::execution::bad_input;
use crate::execution::inputs::Inputs;
use mqsim::grid::{self, Point};
use mqsim::output::sweep::sweep_csv;
use mqsim::output::{self, RunSummary};
use mqsim::scenario::{Scenario, ScenarioError, SweepAxis};
use present::*;

/// A sweep's grid: the base scenario, its points and each point's scenario.
pub struct SweepGrid {
    /// The scenario without any point's overrides.
    pub base: Scenario,
    /// The points, in grid order.
    pub points: Vec<Point>,
    /// Each point's scenario.
    pub scenarios: Vec<Scenario>,
}

impl SweepGrid {
    /// The grid of the file's `[sweep]` and the `--vary` axes, every point
    /// validated.
    pub fn of(inputs: &Inputs) -> Result<SweepGrid> {
        let base = inputs.load(&[])?;
        let axes = axes(inputs.path(), &base, inputs.vary())?;
        if axes.is_empty() {
            return Err(bad_input(
                inputs.path(),
                "nothing to sweep: give [sweep] in the file or --vary KEY=V1,V2,...",
            ));
        }
        let points =
            grid::grid(&axes, base.replications).map_err(|why| bad_input(inputs.path(), &why))?;
        let scenarios = points
            .iter()
            .map(|p| {
                inputs
                    .load(&p.overrides())
                    .map_err(|e| blame_vary(e, p, inputs.vary()))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(SweepGrid {
            base,
            points,
            scenarios,
        })
    }
}

/// A finished sweep and where and how to report it.
pub struct SweepOutput<'a> {
    /// Output directory.
    pub dir: &'a Path,
    /// The scenario without any point's overrides.
    pub base: &'a Scenario,
    /// Every point with its summary, in grid order.
    pub points: Vec<(Point, RunSummary)>,
    /// Each point's resolved scenario, in the order of `points`.
    pub scenarios: &'a [Scenario],
    /// The command line the report shows.
    pub command: &'a str,
    /// What goes to stdout.
    pub format: Format,
    /// No table.
    pub quiet: bool,
    /// Worker threads for drawing charts.
    pub pool: &'a rayon::ThreadPool,
}

/// Writes a sweep's files (points' summaries, `sweep.csv`, charts, report)
/// and prints its table: shared by `sweep` and `merge`.
pub fn write_sweep(out: &SweepOutput) -> Result<ExitCode> {
    let (dir, base, points) = (out.dir, out.base, &out.points);
    write_points(dir, points)?;
    output::write_file(&dir.join("sweep.csv"), &sweep_csv(points))?;
    let svgs = out
        .pool
        .install(|| write_sweep_charts(dir, base, points, None))?;
    let grid = sweep_grid(base, points);
    let shown = grid.shown;
    let details = (&out.scenarios[shown], &points[shown].1);
    write_report(dir, details, &svgs, grid, out.command)?;
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

/// A point's value is applied like `--set`; when it came from `--vary`,
/// the error names that flag (and the range syntax, for `50-70`).
pub fn blame_vary(err: anyhow::Error, point: &Point, vary: &[String]) -> anyhow::Error {
    let Some(e) = err.downcast_ref::<ScenarioError>() else {
        return err;
    };
    let Some((key, value)) = point
        .settings
        .iter()
        .find(|(k, v)| e.set_arg.as_deref() == Some(format!("{k}={v}").as_str()))
    else {
        return err;
    };
    let Some(arg) = vary
        .iter()
        .rev()
        .find(|a| a.split_once('=').is_some_and(|(k, _)| k.trim() == key))
    else {
        return err;
    };
    let mut message = format!(
        "the value {value} does not give a valid scenario: {}",
        e.message
    );
    let plain = value.trim_matches('"');
    if let Some((a, b)) = plain.split_once('-')
        && a.parse::<f64>().is_ok()
        && b.parse::<f64>().is_ok()
    {
        message.push_str(&format!(
            "; a range is written START..END[:STEP], e.g. --vary {key}={a}..{b}"
        ));
    }
    ScenarioError {
        set_arg: Some(format!("--vary {arg}")),
        message,
        ..e.clone()
    }
    .into()
}

/// The file's `[sweep]` axes, then the `--vary` ones (which replace a
/// `[sweep]` axis of the same key).
pub fn axes(path: &Path, base: &Scenario, vary: &[String]) -> Result<Vec<SweepAxis>> {
    let mut axes = base.sweep.clone();
    for arg in vary {
        let axis = grid::parse_vary(arg).map_err(|why| bad_input(path, &why))?;
        axes.retain(|a| a.key != axis.key);
        axes.push(axis);
    }
    Ok(axes)
}

/// Numeric values sorted increasingly (duplicates removed); others as given.
pub fn increasing(values: &[String]) -> Vec<String> {
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

pub fn point(key: &str, value: &str) -> Point {
    Point {
        settings: vec![(key.to_owned(), value.to_owned())],
    }
}

pub fn default_dir(name: &str, what: &str) -> PathBuf {
    Path::new("output").join(format!("{name}-{what}"))
}
