//! `mqsim plan`: the smallest value of one swept setting that meets every
//! `[slo]` target, found by bisection over the increasing candidate values
//! ([`mqsim::sweep::Plan`]); each value runs all its replications.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use super::present::*;
use super::runner::Runner;
use super::{axes, default_dir, increasing, point};
use crate::app::{bad_input, thread_count};
use crate::cli::{Format, PlanArgs};
use crate::guard::Guard;
use crate::inputs::Inputs;
use mqsim::output::report::Grid;
use mqsim::output::sweep::{Tried, plain, plan_json};
use mqsim::output::{self, RunSummary};
use mqsim::scenario::Scenario;
use mqsim::sweep::{Plan, Point};

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
    let axes = axes(&base, inputs.vary())?;
    let [axis] = axes.as_slice() else {
        return Err(bad_input(
            &args.scenario.file,
            "plan searches one key: give exactly one --vary KEY=START..END (or one [sweep] axis)",
        ));
    };
    let values = increasing(&axis.values);
    let scenarios = values
        .iter()
        .map(|v| inputs.load(&[format!("{}={v}", axis.key)]))
        .collect::<Result<Vec<_>>>()?;
    let threads = thread_count(args.exec.threads);
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
    let dir = args
        .exec
        .out
        .clone()
        .unwrap_or_else(|| default_dir(&base.name, "plan"));
    let points: Vec<(Point, RunSummary)> = tried
        .iter()
        .map(|(i, s)| (point(key, &values[*i]), s.clone()))
        .collect();
    write_points(&dir, &points)?;
    let svgs = out
        .pool
        .install(|| write_sweep_charts(&dir, base, &points, chosen.map(|c| values[c].as_str())))?;
    let shown = chosen
        .and_then(|c| tried.iter().position(|(i, _)| *i == c))
        .unwrap_or(tried.len() - 1);
    let grid = Grid {
        title: format!("Plan: smallest {} that meets every SLO", key),
        note: match chosen {
            Some(c) => format!(
                "Chosen: {} = {}. Values tried by bisection, in order of value; a target holds when the \
                 upper end of its 95% interval is within the bound. The metrics below are the chosen value's.",
                key,
                plain(&values[c])
            ),
            None => format!(
                "No value of {} in {} .. {} meets every SLO. The metrics below are the largest value's.",
                key,
                plain(&values[0]),
                plain(&values[values.len() - 1])
            ),
        },
        header: plan_header(key, &tried),
        rows: plan_rows(values, &tried),
    };
    write_report(
        &dir,
        base,
        &tried[shown].1,
        &svgs,
        grid,
        &output::command_line(),
    )?;
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
