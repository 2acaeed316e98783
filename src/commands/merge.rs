//! `mqsim merge DIR...`: checks that the directories are every shard of one
//! run or sweep, rebuilds the scenario from the inputs the shards stored,
//! puts the results back in item order and writes through the same code as
//! the unsharded command ([`super::run::finish_run`],
//! [`crate::sweep::write_sweep`]), so the files are byte-identical
//! (`timing.json` aside).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;

use super::run::{RunOutput, finish_run};
use crate::cli::MergeArgs;
use crate::execution::inputs::Inputs;
use crate::execution::{bad_input, default_out_dir, outdir, thread_count, worker_pool};
use crate::sweep::{SweepGrid, SweepOutput, default_dir, write_sweep};
use mqsim::engine::result::ReplicationResult;
use mqsim::grid::all_items;
use mqsim::output::shard::{self, Item, ShardManifest};
use mqsim::output::summary::scenario_sha256;
use mqsim::output::{self, Timing};
use mqsim::scenario::Scenario;

/// `mqsim merge DIR...`.
pub fn merge(args: &MergeArgs) -> Result<ExitCode> {
    let shards = read_all(&args.dirs)?;
    let (first_dir, first) = (&args.dirs[0], &shards[0].0);
    let inputs = Inputs::stored(first.inputs.clone());
    let threads = thread_count(args.threads);
    match first.command.as_str() {
        "run" => {
            let sc = inputs.load(&[])?;
            same_scenario(&sc, first_dir, &first.scenario_sha256)?;
            let items = in_item_order(&args.dirs, shards, &[sc.replications])?;
            let timing = items.timing(threads);
            let results: Vec<ReplicationResult> = items.results.into_values().collect();
            let dir = args
                .out
                .clone()
                .unwrap_or_else(|| default_out_dir(&sc.name));
            outdir::check_usable(&dir)?;
            finish_run(&RunOutput {
                dir: &dir,
                scenario: &sc,
                results: &results,
                timing,
                command: &items.command_line,
                format: args.format,
                quiet: args.quiet,
                stopped_by: None,
            })
        }
        "sweep" => merge_sweep(args, &inputs, shards, threads),
        other => Err(bad_input(
            first_dir,
            format!("unknown command {other:?} in shard.json"),
        )),
    }
}

/// Every shard directory, read and checked to be the shards of one command.
fn read_all(dirs: &[PathBuf]) -> Result<Vec<(ShardManifest, Vec<ReplicationResult>)>> {
    let shards = dirs
        .iter()
        .map(|d| shard::read_shard(d).map_err(|e| bad_input(d, format!("{e:#}"))))
        .collect::<Result<Vec<_>>>()?;
    let first = &shards[0].0;
    let ours = env!("CARGO_PKG_VERSION");
    let mut owner: BTreeMap<u32, &Path> = BTreeMap::new();
    for (dir, (m, _)) in dirs.iter().zip(&shards) {
        if m.mqsim_version != ours {
            return Err(bad_input(
                dir,
                format!(
                    "written by mqsim {}, this is mqsim {ours}: merge with the version that ran the \
                     shards (results may differ between versions)",
                    m.mqsim_version
                ),
            ));
        }
        let same = m.command == first.command
            && m.shards == first.shards
            && m.scenario_sha256 == first.scenario_sha256
            && m.inputs == first.inputs
            && m.command_line == first.command_line;
        if !same {
            return Err(bad_input(
                dir,
                format!(
                    "not a shard of the same {} as {} (the command, scenario, flags or shard count differ)",
                    first.command,
                    dirs[0].display()
                ),
            ));
        }
        if let Some(other) = owner.insert(m.shard, dir) {
            return Err(bad_input(
                dir,
                format!(
                    "shard {}/{} is given twice (also {})",
                    m.shard,
                    m.shards,
                    other.display()
                ),
            ));
        }
    }
    let missing: Vec<String> = (1..=first.shards)
        .filter(|k| !owner.contains_key(k))
        .map(|k| k.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(bad_input(
            &dirs[0],
            format!(
                "shards {} of {} are missing: merge needs every shard's directory",
                missing.join(", "),
                first.shards
            ),
        ));
    }
    Ok(shards)
}

/// The results of every shard by item, with what `timing.json` needs.
pub struct MergedItems {
    /// Every item's result, in item order.
    pub results: BTreeMap<Item, ReplicationResult>,
    /// The command line the shards ran, without `--shard`.
    pub command_line: String,
    /// The shards' wall-clock seconds, added up.
    pub wall_seconds: f64,
}

impl MergedItems {
    /// `timing.json` of the merge: the shards' summed wall time (the
    /// compute spent, not the elapsed time) and the events simulated.
    pub fn timing(&self, threads: usize) -> Timing {
        Timing {
            wall_seconds: self.wall_seconds,
            threads,
            events: self.results.values().map(|r| r.metrics.events as u64).sum(),
            messages: self
                .results
                .values()
                .map(|r| r.metrics.produced as u64)
                .sum(),
        }
    }
}

/// The shards' results keyed by item, checked to be exactly every item of
/// points with these replication counts.
pub fn in_item_order(
    dirs: &[PathBuf],
    shards: Vec<(ShardManifest, Vec<ReplicationResult>)>,
    replications: &[u32],
) -> Result<MergedItems> {
    let command_line = shards[0].0.command_line.clone();
    let wall_seconds = shards.iter().map(|(m, _)| m.wall_seconds).sum();
    let mut results = BTreeMap::new();
    for (dir, (manifest, list)) in dirs.iter().zip(shards) {
        for (item, result) in manifest.items.into_iter().zip(list) {
            if results.insert(item, result).is_some() {
                return Err(bad_input(
                    dir,
                    format!("item {item:?} appears in two shards"),
                ));
            }
        }
    }
    let expected: Vec<Item> = all_items(replications).collect();
    if !results.keys().copied().eq(expected.iter().copied()) {
        return Err(bad_input(
            &dirs[0],
            format!(
                "the shards hold {} items, the scenario has {}: not the shards of this scenario",
                results.len(),
                expected.len()
            ),
        ));
    }
    Ok(MergedItems {
        results,
        command_line,
        wall_seconds,
    })
}

/// Checks that `sc`, rebuilt from a shard's stored inputs, is the scenario
/// the shard ran (the SHA-256 it recorded).
pub fn same_scenario(sc: &Scenario, dir: &Path, sha256: &str) -> Result<()> {
    if scenario_sha256(sc) != sha256 {
        return Err(bad_input(
            dir,
            "the stored inputs no longer give the scenario the shards ran (its SHA-256 differs)",
        ));
    }
    Ok(())
}

/// `mqsim merge` of a sweep's shards: the same files as the unsharded sweep.
fn merge_sweep(
    args: &MergeArgs,
    inputs: &Inputs,
    shards: Vec<(ShardManifest, Vec<ReplicationResult>)>,
    threads: usize,
) -> Result<ExitCode> {
    let grid = SweepGrid::of(inputs)?;
    same_scenario(&grid.base, &args.dirs[0], &shards[0].0.scenario_sha256)?;
    let replications: Vec<u32> = grid.scenarios.iter().map(|s| s.replications).collect();
    let merged = in_item_order(&args.dirs, shards, &replications)?;
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
    outdir::check_usable(&dir)?;
    write_sweep(&SweepOutput {
        dir: &dir,
        base: &grid.base,
        points: grid.points.into_iter().zip(summaries).collect(),
        scenarios: &grid.scenarios,
        command: &merged.command_line,
        format: args.format,
        quiet: args.quiet,
        pool: &worker_pool(threads)?,
    })
}
