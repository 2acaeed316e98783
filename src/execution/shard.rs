//! `--shard K/N`: run one shard of a run's or sweep's (point × replication)
//! items ([`mqsim::grid::Shard`]) and write a shard directory
//! ([`mqsim::output::shard`]): the scenario's inputs and the items' full
//! results, for `mqsim merge`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use rayon::prelude::*;

use super::guard::Guard;
use super::inputs::Inputs;
use mqsim::engine::{self, Limits, result::ReplicationResult};
use mqsim::grid::Shard;
use mqsim::output;
use mqsim::output::shard::{self, ShardManifest};
use mqsim::output::summary::scenario_sha256;
use mqsim::scenario::Scenario;

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
    super::outdir::check_usable(&dir)?;
    let started = Instant::now();
    let results: Vec<ReplicationResult> = super::worker_pool(job.threads)?.install(|| {
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
