//! `mqsim sweep` and `mqsim plan`: run a grid of scenario points (each with
//! all its replications) and write what a design review needs.
//!
//! Every point is the scenario file with the point's `KEY=VALUE` overrides
//! applied like `--set`, validated up front (a bad value is bad input, exit
//! 2, before anything runs). Points keep the scenario's seed: common random
//! numbers. Runs are spread over cores a group of points at a time, and each
//! point's replications are summarised and dropped as soon as the point is
//! done, so memory does not grow with the size of the sweep.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::cli::{Format, PlanArgs, ScenarioArgs, SweepArgs};
use mqsim::engine;
use mqsim::output::report::{Grid, Report, report_html};
use mqsim::output::sweep::{Tried, plain, plan_json, sweep_csv};
use mqsim::output::table::short;
use mqsim::output::{self, RunSummary};
use mqsim::scenario::{self, Scenario, ScenarioError, SweepAxis};
use mqsim::sweep::{self, Plan, Point};

/// Metrics shown per point in the terminal.
const HEADLINE: [&str; 5] = [
    "latency_p99",
    "backlog_max",
    "drain_time",
    "duplicates",
    "cost_usd",
];

/// `mqsim sweep`.
pub fn sweep(args: &SweepArgs) -> Result<ExitCode> {
    let base = load(&args.scenario, &[])?;
    let axes = axes(&base, &args.vary)?;
    if axes.is_empty() {
        return Err(bad_input(
            &args.scenario.file,
            "nothing to sweep: give [sweep] in the file or --vary KEY=V1,V2,...",
        ));
    }
    let points = sweep::grid(&axes, base.replications)
        .map_err(|why| bad_input(&args.scenario.file, &why))?;
    let scenarios = points
        .iter()
        .map(|p| load(&args.scenario, &p.overrides()))
        .collect::<Result<Vec<_>>>()?;
    let runner = Runner::new(args.exec.threads, args.exec.quiet, &scenarios)?;
    let summaries = runner.run_all(&scenarios);
    let dir = args
        .exec
        .out
        .clone()
        .unwrap_or_else(|| default_dir(&base.name, "sweep"));
    let points: Vec<(Point, RunSummary)> = points.into_iter().zip(summaries).collect();
    write_points(&dir, &points)?;
    output::write_file(&dir.join("sweep.csv"), &sweep_csv(&points))?;
    let svgs = runner
        .pool
        .install(|| write_sweep_charts(&dir, &base, &points))?;
    let shown = points.iter().position(|(_, s)| s.slo_pass()).unwrap_or(0);
    let (header, rows) = points_rows(&points);
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
    write_report(&dir, &base, &points[shown].1, &svgs, grid)?;
    let mut stdout = std::io::stdout().lock();
    match args.scenario.format {
        Format::Json => stdout.write_all(sweep_json(&points).as_bytes())?,
        Format::Table if !args.exec.quiet => {
            writeln!(
                stdout,
                "{}: {} points × {} replications, seed {}",
                base.name,
                points.len(),
                base.replications,
                base.seed
            )?;
            write_points_table(&points, &mut stdout)?;
            writeln!(stdout, "outputs in {}", dir.display())?;
        }
        Format::Table => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// `mqsim plan`.
pub fn plan(args: &PlanArgs) -> Result<ExitCode> {
    let base = load(&args.scenario, &[])?;
    if base.slo.is_empty() {
        return Err(bad_input(
            &args.scenario.file,
            "plan needs targets: add an [slo] table, e.g. latency_p99 = \"30s\"",
        ));
    }
    let axes = axes(&base, args.vary.as_slice())?;
    let [axis] = axes.as_slice() else {
        return Err(bad_input(
            &args.scenario.file,
            "plan searches one key: give exactly one --vary KEY=START..END (or one [sweep] axis)",
        ));
    };
    let values = increasing(&axis.values);
    let scenarios = values
        .iter()
        .map(|v| load(&args.scenario, &[format!("{}={v}", axis.key)]))
        .collect::<Result<Vec<_>>>()?;
    let runner = Runner::new(args.exec.threads, args.exec.quiet, &[])?;
    let mut search = Plan::new(values.len());
    let mut tried: Vec<(usize, RunSummary)> = Vec::new();
    while let Some(i) = search.next() {
        let summary = runner.run_point(&scenarios[i]);
        search.record(i, summary.slo_pass());
        tried.push((i, summary));
    }
    runner.finish();
    tried.sort_by_key(|(i, _)| *i);
    let chosen = search.answer();
    let dir = args
        .exec
        .out
        .clone()
        .unwrap_or_else(|| default_dir(&base.name, "plan"));
    let points: Vec<(Point, RunSummary)> = tried
        .iter()
        .map(|(i, s)| (point(&axis.key, &values[*i]), s.clone()))
        .collect();
    write_points(&dir, &points)?;
    let svgs = runner
        .pool
        .install(|| write_sweep_charts(&dir, &base, &points))?;
    let shown = chosen
        .and_then(|c| tried.iter().position(|(i, _)| *i == c))
        .unwrap_or(tried.len() - 1);
    let grid = Grid {
        title: format!("Plan: smallest {} that meets every SLO", axis.key),
        note: match chosen {
            Some(c) => format!(
                "Chosen: {} = {}. Values tried by bisection, in order of value; a target holds when the \
                 upper end of its 95% interval is within the bound. The metrics below are the chosen value's.",
                axis.key,
                plain(&values[c])
            ),
            None => format!(
                "No value of {} in {} .. {} meets every SLO. The metrics below are the largest value's.",
                axis.key,
                plain(&values[0]),
                plain(&values[values.len() - 1])
            ),
        },
        header: plan_header(&axis.key, &tried),
        rows: plan_rows(&values, &tried),
    };
    write_report(&dir, &base, &tried[shown].1, &svgs, grid)?;
    let list: Vec<Tried> = tried
        .iter()
        .map(|(i, s)| Tried {
            value: &values[*i],
            summary: s,
        })
        .collect();
    let chosen_value = chosen.map(|i| values[i].as_str());
    output::write_file(
        &dir.join("plan.json"),
        plan_json(&axis.key, chosen_value, &list).as_bytes(),
    )?;
    let mut stdout = std::io::stdout().lock();
    match args.scenario.format {
        Format::Json => stdout.write_all(plan_json(&axis.key, chosen_value, &list).as_bytes())?,
        Format::Table => write_plan_table(&axis.key, &values, &tried, chosen, &dir, &mut stdout)?,
    }
    Ok(if chosen.is_some() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The scenario with `--set`, a point's overrides, `--seed` and `--replications`.
fn load(args: &ScenarioArgs, point: &[String]) -> Result<Scenario> {
    let mut set = args.set.clone();
    set.extend_from_slice(point);
    let mut sc = scenario::load(&args.file, &set)?;
    if let Some(seed) = args.seed {
        sc.seed = seed;
    }
    if let Some(r) = args.replications {
        sc.replications = r;
    }
    Ok(sc)
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

fn bad_input(file: &Path, message: &str) -> anyhow::Error {
    ScenarioError::whole_file(file, message.to_owned()).into()
}

fn default_dir(name: &str, what: &str) -> PathBuf {
    Path::new("output").join(format!("{name}-{what}"))
}

/// Runs points' replications across threads, with a progress bar.
struct Runner {
    pool: rayon::ThreadPool,
    threads: usize,
    bar: ProgressBar,
}

impl Runner {
    fn new(threads: Option<u32>, quiet: bool, scenarios: &[Scenario]) -> Result<Self> {
        let threads = threads.map_or_else(rayon::current_num_threads, |t| t as usize);
        let pool = crate::app::worker_pool(threads)?;
        let total: u64 = scenarios.iter().map(|s| u64::from(s.replications)).sum();
        let bar = if quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            let bar = ProgressBar::new(total);
            let style = ProgressStyle::with_template(
                "{elapsed_precise} [{bar:40}] {pos}/{len} runs, {eta} left",
            )
            .expect("static template")
            .progress_chars("=> ");
            bar.set_style(style);
            bar
        };
        Ok(Runner { pool, threads, bar })
    }

    /// Every scenario's summary, in order: groups of points run together so
    /// that every thread has work, each summarised as soon as it is done.
    fn run_all(&self, scenarios: &[Scenario]) -> Vec<RunSummary> {
        let mut out = Vec::with_capacity(scenarios.len());
        let mut start = 0;
        while start < scenarios.len() {
            let mut end = start;
            let mut runs = 0;
            while end < scenarios.len() && runs < 2 * self.threads as u32 {
                runs += scenarios[end].replications;
                end += 1;
            }
            let group = &scenarios[start..end];
            let jobs: Vec<(usize, u32)> = group
                .iter()
                .enumerate()
                .flat_map(|(p, s)| (0..s.replications).map(move |r| (p, r)))
                .collect();
            let results: Vec<_> = self.pool.install(|| {
                jobs.par_iter()
                    .map(|&(p, r)| {
                        let result = engine::run_replication(&group[p], r);
                        self.bar.inc(1);
                        (p, result)
                    })
                    .collect()
            });
            for (p, sc) in group.iter().enumerate() {
                let mine: Vec<_> = results
                    .iter()
                    .filter(|(q, _)| *q == p)
                    .map(|(_, r)| r.clone())
                    .collect();
                out.push(output::aggregate(sc, &mine));
            }
            start = end;
        }
        self.finish();
        out
    }

    /// One point's summary (all its replications across threads).
    fn run_point(&self, sc: &Scenario) -> RunSummary {
        self.bar.inc_length(u64::from(sc.replications));
        let results: Vec<_> = self.pool.install(|| {
            (0..sc.replications)
                .into_par_iter()
                .map(|r| {
                    let result = engine::run_replication(sc, r);
                    self.bar.inc(1);
                    result
                })
                .collect()
        });
        output::aggregate(sc, &results)
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Headline metrics against the swept key, when there is one numeric key.
fn write_sweep_charts(
    dir: &Path,
    base: &Scenario,
    points: &[(Point, RunSummary)],
) -> Result<Vec<(String, String)>> {
    let numeric: Option<Vec<f64>> = points
        .iter()
        .map(|(p, _)| match p.settings.as_slice() {
            [(_, v)] => v.trim().parse::<f64>().ok(),
            _ => None,
        })
        .collect();
    let (Some(xs), Some((first, _))) = (numeric, points.first()) else {
        return Ok(vec![]); // several keys, or values that are not numbers
    };
    let key = &first.settings[0].0;
    let summaries: Vec<&RunSummary> = points.iter().map(|(_, s)| s).collect();
    let slo: Vec<(String, f64)> = base.slo.iter().map(|t| (t.metric.clone(), t.max)).collect();
    let charts = output::charts::sweep_charts(key, &xs, &summaries, &slo);
    output::charts::write_charts(&dir.join("charts"), &charts)
}

fn write_report(
    dir: &Path,
    sc: &Scenario,
    summary: &RunSummary,
    svgs: &[(String, String)],
    grid: Grid,
) -> Result<()> {
    let report = Report {
        scenario: sc,
        summary,
        charts: svgs,
        grid: Some(grid),
        command: &output::command_line(),
    };
    output::write_file(&dir.join("report.html"), report_html(&report).as_bytes())
}

/// `points/<label>/summary.json` for every point.
fn write_points(dir: &Path, points: &[(Point, RunSummary)]) -> Result<()> {
    for (i, (point, summary)) in points.iter().enumerate() {
        let sub = dir.join("points").join(point.label(i));
        std::fs::create_dir_all(&sub).with_context(|| format!("creating {}", sub.display()))?;
        output::write_file(
            &sub.join("summary.json"),
            output::summary_json(summary).as_bytes(),
        )?;
    }
    Ok(())
}

fn write_points_table(points: &[(Point, RunSummary)], out: &mut impl Write) -> std::io::Result<()> {
    let (header, rows) = points_rows(points);
    write_aligned(&header, &rows, out)
}

/// Header and rows of the per-point table: swept values, headline metrics
/// with intervals, SLO verdict.
fn points_rows(points: &[(Point, RunSummary)]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header: Vec<String> = points
        .first()
        .map(|(p, _)| p.settings.iter().map(|(k, _)| k.clone()).collect())
        .unwrap_or_default();
    header.extend(HEADLINE.iter().map(|m| format!("{m} [95%]")));
    header.push("SLO".into());
    let rows = points
        .iter()
        .map(|(p, s)| {
            let mut row: Vec<String> = p.settings.iter().map(|(_, v)| plain(v)).collect();
            row.extend(
                HEADLINE
                    .iter()
                    .map(|m| s.metric(m).map_or("-".into(), with_interval)),
            );
            row.push(slo_word(s));
            row
        })
        .collect();
    (header, rows)
}

fn plan_header(key: &str, tried: &[(usize, RunSummary)]) -> Vec<String> {
    let mut header = vec![key.to_owned()];
    let targets = tried
        .first()
        .map(|(_, s)| s.slo.clone())
        .unwrap_or_default();
    header.extend(
        targets
            .iter()
            .map(|t| format!("{} <= {}", t.metric, short(t.max))),
    );
    header.push("verdict".into());
    header
}

fn plan_rows(values: &[String], tried: &[(usize, RunSummary)]) -> Vec<Vec<String>> {
    tried
        .iter()
        .map(|(i, s)| {
            let mut row = vec![plain(&values[*i])];
            row.extend(s.slo.iter().map(|v| {
                let upper = v.ci95_high.unwrap_or(v.mean);
                format!("{} {}", short(upper), if v.pass { "ok" } else { "FAIL" })
            }));
            row.push(slo_word(s));
            row
        })
        .collect()
}

fn write_plan_table(
    key: &str,
    values: &[String],
    tried: &[(usize, RunSummary)],
    chosen: Option<usize>,
    dir: &Path,
    out: &mut impl Write,
) -> std::io::Result<()> {
    writeln!(
        out,
        "plan: smallest {key} in {} .. {} that meets every SLO ({} of {} values run; a target holds when \
         the upper end of its 95% interval is within the bound)",
        plain(&values[0]),
        plain(&values[values.len() - 1]),
        tried.len(),
        values.len()
    )?;
    write_aligned(&plan_header(key, tried), &plan_rows(values, tried), out)?;
    match chosen {
        Some(i) => {
            writeln!(out, "\nchosen: {key} = {}", plain(&values[i]))?;
            if let Some((_, below)) = tried.iter().find(|(j, _)| i > 0 && *j == i - 1) {
                let failed: Vec<&str> = below
                    .slo
                    .iter()
                    .filter(|v| !v.pass)
                    .map(|v| v.metric.as_str())
                    .collect();
                writeln!(
                    out,
                    "{} fails: {}",
                    plain(&values[i - 1]),
                    failed.join(", ")
                )?;
            }
        }
        None => {
            let closest = tried
                .iter()
                .min_by(|a, b| shortfall(&a.1).total_cmp(&shortfall(&b.1)))
                .map(|(i, _)| plain(&values[*i]));
            writeln!(
                out,
                "\nno value of {key} in the range meets every SLO; closest: {}",
                closest.unwrap_or_default()
            )?;
        }
    }
    writeln!(out, "outputs in {}", dir.display())
}

/// How far a point is from passing: the worst ratio of upper bound to target.
fn shortfall(s: &RunSummary) -> f64 {
    s.slo
        .iter()
        .map(|v| {
            let upper = v.ci95_high.unwrap_or(v.mean);
            if v.max > 0.0 {
                upper / v.max
            } else {
                upper + 1.0
            }
        })
        .fold(0.0, f64::max)
}

fn slo_word(s: &RunSummary) -> String {
    match (s.slo.is_empty(), s.slo_pass()) {
        (true, _) => "-".into(),
        (false, true) => "PASS".into(),
        (false, false) => "FAIL".into(),
    }
}

fn with_interval(s: &mqsim::stats::Stat) -> String {
    match (s.ci95_low, s.ci95_high) {
        (Some(lo), Some(hi)) => format!("{} [{}, {}]", short(s.mean), short(lo), short(hi)),
        _ => short(s.mean),
    }
}

fn write_aligned(
    header: &[String],
    rows: &[Vec<String>],
    out: &mut impl Write,
) -> std::io::Result<()> {
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .chain(std::iter::once(header[c].chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        writeln!(out, "{}", cells.join("  ").trim_end())?;
    }
    Ok(())
}

fn sweep_json(points: &[(Point, RunSummary)]) -> String {
    let list: Vec<serde_json::Value> = points
        .iter()
        .map(|(p, s)| {
            let settings: serde_json::Map<String, serde_json::Value> = p
                .settings
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(plain(v))))
                .collect();
            serde_json::json!({
                "settings": settings,
                "pass": s.slo_pass(),
                "slo": output::json::slo_json(s),
                "metrics": output::json::metrics_json(s),
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&serde_json::json!({ "points": list }))
        .expect("a JSON value always serializes");
    text.push('\n');
    text
}
