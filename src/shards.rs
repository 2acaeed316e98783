//! `--shard K/N` and `mqsim merge`: a run or sweep split over machines.
//!
//! A shard runs its share of the (point × replication) items
//! ([`mqsim::sweep::Shard`]) and writes a shard directory
//! ([`mqsim::output::shard`]): the scenario's inputs and the items' full
//! results. `merge` checks that the directories are every shard of one run,
//! rebuilds the scenario from the stored inputs, puts the results back in
//! item order and writes through the same code as the unsharded command, so
//! the files are byte-identical (`timing.json` aside).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use rayon::prelude::*;

use crate::app::{self, RunOutput, bad_input};
use crate::cli::MergeArgs;
use crate::guard::Guard;
use crate::inputs::Inputs;
use mqsim::engine::{self, Limits, result::ReplicationResult};
use mqsim::output::shard::{self, Item, ShardManifest};
use mqsim::output::summary::scenario_sha256;
use mqsim::output::{self, Timing};
use mqsim::scenario::Scenario;
use mqsim::sweep::{Shard, all_items};

/// One shard of a run (one point) or of a sweep (every point).
pub struct ShardJob<'a> {
    /// `run` or `sweep`.
    pub command: &'static str,
    /// The scenario's inputs (stored with the results).
    pub inputs: &'a Inputs,
    /// The scenario without a sweep point's overrides (names the output).
    pub base: &'a Scenario,
    /// Every point's scenario (one for `run`).
    pub scenarios: &'a [Scenario],
    /// Which shard.
    pub shard: Shard,
    /// Worker threads.
    pub threads: usize,
    /// Resource guards of every replication.
    pub limits: Limits,
    /// The stop signal's owner.
    pub guard: &'a Guard,
    /// `--out`.
    pub out: Option<PathBuf>,
    /// No notes on stderr.
    pub quiet: bool,
}

/// Runs the shard's items and writes its directory. A shard stopped by
/// Ctrl-C or the timeout writes nothing: it is simply run again.
pub fn run_shard(job: &ShardJob) -> Result<ExitCode> {
    let replications: Vec<u32> = job.scenarios.iter().map(|s| s.replications).collect();
    let items = job.shard.items(&replications);
    let dir = job.out.clone().unwrap_or_else(|| {
        let suffix = if job.command == "sweep" { "-sweep" } else { "" };
        Path::new("output").join(format!(
            "{}{suffix}-shard-{}-of-{}",
            job.base.name, job.shard.index, job.shard.count
        ))
    });
    crate::outdir::check_usable(&dir)?;
    let started = Instant::now();
    let results: Vec<ReplicationResult> = app::worker_pool(job.threads)?.install(|| {
        items
            .par_iter()
            .map(|item| {
                let sc = &job.scenarios[item.point as usize];
                engine::run_replication_within(sc, item.replication, job.limits.clone())
            })
            .collect()
    });
    if let Some(reason) = job.guard.reason() {
        eprintln!(
            "error: shard {} stopped ({}) before it finished; nothing written: run it again",
            job.shard,
            Guard::words(reason)
        );
        return Ok(ExitCode::from(Guard::exit_code(reason)));
    }
    let base = job.base;
    let mut manifest = ShardManifest {
        format: shard::FORMAT,
        mqsim_version: env!("CARGO_PKG_VERSION").to_owned(),
        command: job.command.to_owned(),
        shard: job.shard.index,
        shards: job.shard.count,
        command_line: output::command_line(),
        scenario_sha256: scenario_sha256(base),
        inputs: job.inputs.to_stored(),
        total_items: replications.iter().map(|&r| u64::from(r)).sum(),
        items,
        results_sha256: String::new(),
        wall_seconds: started.elapsed().as_secs_f64(),
        threads: job.threads,
    };
    shard::write_shard(&dir, &mut manifest, &results)?;
    if !job.quiet {
        eprintln!(
            "shard {}: {} of {} items in {:.2} s, written to {}; when every shard is done: mqsim merge DIR...",
            job.shard,
            manifest.items.len(),
            manifest.total_items,
            manifest.wall_seconds,
            dir.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `mqsim merge DIR...`.
pub fn merge(args: &MergeArgs) -> Result<ExitCode> {
    let shards = read_all(&args.dirs)?;
    let (first_dir, first) = (&args.dirs[0], &shards[0].0);
    let inputs = Inputs::stored(first.inputs.clone());
    let threads = app::thread_count(args.threads);
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
                .unwrap_or_else(|| app::default_out_dir(&sc.name));
            crate::outdir::check_usable(&dir)?;
            app::finish_run(&RunOutput {
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
        "sweep" => crate::sweeping::merge_sweep(args, &inputs, shards, threads),
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
