//! What every command that simulates shares: its inputs ([`inputs`]),
//! worker threads, guards against runaway runs ([`guard`]), output paths
//! checked before simulating ([`outdir`]) and running one shard of a run or
//! sweep ([`shard`]). Nothing here knows which command it serves.

pub mod guard;
pub mod inputs;
pub mod outdir;
pub mod shard;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rayon::prelude::*;

use mqsim::engine::{self, result::ReplicationResult};
use mqsim::scenario::{Scenario, ScenarioError};

/// Bad input about `file` as a whole (exit 2): the scenario, or a shard
/// directory.
pub fn bad_input(file: &Path, message: impl Into<String>) -> anyhow::Error {
    ScenarioError::whole_file(file, message.into()).into()
}

/// `--threads`, or every core.
pub fn thread_count(threads: Option<u32>) -> usize {
    threads.map_or_else(rayon::current_num_threads, |t| t as usize)
}

/// A pool of `threads` workers: replications, and chart drawing, run in it.
pub fn worker_pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("starting worker threads")
}

/// All replications on `threads` workers, returned in replication order.
pub fn run_replications(sc: &Scenario, threads: usize) -> Result<Vec<ReplicationResult>> {
    run_replications_within(sc, threads, engine::Limits::default())
}

/// [`run_replications`] under resource `limits`.
pub fn run_replications_within(
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

/// `output/<scenario name>/`, where a run writes by default.
pub fn default_out_dir(name: &str) -> PathBuf {
    Path::new("output").join(name)
}
