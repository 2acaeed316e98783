//! `mqsim plan`: the smallest value of one swept setting that meets every
//! `[slo]` target, found by bisection over the increasing candidate values
//! ([`mqsim::grid::Plan`]); each value runs all its replications.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{Format, PlanArgs};
use crate::execution::guard::Guard;
use crate::execution::inputs::Inputs;
use crate::execution::{bad_input, outdir, thread_count};
use crate::sweep::present::*;
use crate::sweep::runner::Runner;
use crate::sweep::{axes, blame_vary, default_dir, increasing, point};
use mqsim::grid::{Plan, Point};
use mqsim::output::sweep::{Tried, plain, plan_json};
use mqsim::output::{self, RunSummary};
use mqsim::scenario::Scenario;

/// `mqsim plan`.
pub fn plan(args: &PlanArgs) -> Result<ExitCode> {
    if args.shard.is_some() {
        return Err(bad_input(
            &args.scenario.file,
            "plan cannot be sharded: it chooses each value to try from the results of the last. \
             Shard a sweep of the same key instead (mqsim sweep FILE --vary KEY=... --shard K/N), \
             merge it, and read the smallest passing value in sweep.csv (docs/scale-out.md)",
        ));
    }
    let inputs = Inputs::read(&args.scenario, args.vary.as_slice())?;
    let base = inputs.load(&[])?;
    if base.slo.is_empty() {
        return Err(bad_input(
            &args.scenario.file,
            "plan needs targets: add an [slo] table, e.g. latency_p99 = \"30s\"",
        ));
    }
    let axes = axes(inputs.path(), &base, inputs.vary())?;
    let [axis] = axes.as_slice() else {
        let keys: Vec<&str> = axes.iter().map(|a| a.key.as_str()).collect();
        return Err(bad_input(
            &args.scenario.file,
            format!(
                "plan searches one key and was given {} ({}): keep one --vary KEY=START..END (or \
                 one [sweep] axis) and fix the others with --set KEY=VALUE; `mqsim sweep` runs a \
                 grid of several keys",
                keys.len(),
                if keys.is_empty() {
                    "none".to_owned()
                } else {
                    keys.join(", ")
                }
            ),
        ));
    };
    let values = increasing(&axis.values);
    let scenarios = values
        .iter()
        .map(|v| {
            let p = point(&axis.key, v);
            inputs
                .load(&p.overrides())
                .map_err(|e| blame_vary(e, &p, inputs.vary()))
        })
        .collect::<Result<Vec<_>>>()?;
    let threads = thread_count(args.exec.threads);
    outdir::check_usable(&plan_dir(args, &base))?;
    let guard = Guard::start(args.exec.timeout);
    let limits = guard.limits(args.exec.max_backlog, &base, threads);
    let runner = Runner::new(threads, args.exec.quiet, limits)?;
    let mut search = Plan::new(values.len());
    let mut tried: Vec<(usize, RunSummary)> = Vec::new();
    while let Some(i) = search.next() {
        let summary = output::aggregate(&scenarios[i], &runner.run_point(&scenarios[i]));
        if let Some(reason) = guard.reason() {
            runner.finish();
            eprintln!(
                "error: plan stopped ({}) while trying {} = {} after {} values; nothing written",
                Guard::words(reason),
                axis.key,
                plain(&values[i]),
                tried.len()
            );
            return Ok(ExitCode::from(Guard::exit_code(reason)));
        }
        // A point a guard cut short (its backlog passed --max-backlog) fails.
        search.record(i, summary.slo_pass());
        tried.push((i, summary));
    }
    runner.finish();
    write_plan(PlanOutput {
        args,
        base: &base,
        key: &axis.key,
        values: &values,
        scenarios: &scenarios,
        tried,
        chosen: search.answer(),
        pool: &runner.pool,
    })
}

/// A finished plan: every value tried, and the chosen one.
struct PlanOutput<'a> {
    args: &'a PlanArgs,
    base: &'a Scenario,
    key: &'a str,
    values: &'a [String],
    /// Each value's resolved scenario, in the order of `values`.
    scenarios: &'a [Scenario],
    tried: Vec<(usize, RunSummary)>,
    chosen: Option<usize>,
    pool: &'a rayon::ThreadPool,
}

/// Writes the plan's files (tried points, charts, report, `plan.json`),
/// prints its verdict table, and returns exit 1 when no value passed.
fn write_plan(out: PlanOutput) -> Result<ExitCode> {
    let (args, base, key, values, chosen) = (out.args, out.base, out.key, out.values, out.chosen);
    let mut tried = out.tried;
    tried.sort_by_key(|(i, _)| *i);
    let dir = plan_dir(args, base);
    let points: Vec<(Point, RunSummary)> = tried
        .iter()
        .map(|(i, s)| (point(key, &values[*i]), s.clone()))
        .collect();
    write_points(&dir, &points)?;
    let svgs = out
        .pool
        .install(|| write_sweep_charts(&dir, base, &points, chosen.map(|c| values[c].as_str())))?;
    let grid = plan_grid(key, values, &tried, chosen);
    let details = (&out.scenarios[tried[grid.shown].0], &tried[grid.shown].1);
    write_report(&dir, details, &svgs, grid, &output::command_line())?;
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
        plan_json(key, chosen_value, &list).as_bytes(),
    )?;
    let mut stdout = std::io::stdout().lock();
    match args.scenario.format {
        Format::Json => stdout.write_all(plan_json(key, chosen_value, &list).as_bytes())?,
        Format::Table => write_plan_table(key, values, &tried, chosen, &dir, &mut stdout)?,
    }
    Ok(if chosen.is_some() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `--out`, or `output/<name>-plan/`.
fn plan_dir(args: &PlanArgs, base: &Scenario) -> std::path::PathBuf {
    args.exec
        .out
        .clone()
        .unwrap_or_else(|| default_dir(&base.name, "plan"))
}
