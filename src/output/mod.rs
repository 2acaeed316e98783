//! Results of a run: aggregation across replications ([`summary`]) and one
//! exporter per format ([`json`], [`csv_files`], [`table`]). Every file is
//! written atomically; only `timing.json` holds wall-clock figures, so every
//! other file is byte-identical for the same scenario and seed.

mod atomic;
pub mod charts;
pub mod compare;
pub mod csv_files;
pub mod json;
pub mod observed;
pub mod report;
pub mod resource_summary;
pub mod resource_table;
pub mod shard;
pub mod summary;
pub mod sweep;
pub mod table;
pub mod units;
pub mod validation;

use std::path::Path;

use anyhow::{Context, Result};

use crate::engine::result::{Metrics, ReplicationResult};
use crate::scenario::Scenario;
pub use json::summary_json;
pub use summary::{RunSummary, aggregate};
pub use table::write_table;

/// Wall-clock figures of a run (for `timing.json` only).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    /// Wall time of the simulation, seconds.
    pub wall_seconds: f64,
    /// Worker threads.
    pub threads: usize,
    /// Events simulated over all replications.
    pub events: u64,
    /// Messages produced over all replications.
    pub messages: u64,
}

/// Writes `summary.json`, `replications.csv`, `timeseries.csv`,
/// `latency.csv`, `timing.json` and the charts (for a network, with the
/// per-queue panels) into `dir` (created if needed); returns the charts'
/// (name, SVG) for the report.
pub fn write_run(
    dir: &Path,
    scenario: &Scenario,
    summary: &RunSummary,
    results: &[ReplicationResult],
    timing: &Timing,
) -> Result<Vec<(String, String)>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let files: [(&str, Vec<u8>); 5] = [
        ("summary.json", summary_json(summary).into_bytes()),
        (
            "replications.csv",
            csv_files::replications_csv(results, &Metrics::names_for(scenario)),
        ),
        ("timeseries.csv", csv_files::timeseries_csv(summary)),
        ("latency.csv", csv_files::latency_csv(&summary.latency)),
        ("timing.json", json::timing_json(timing).into_bytes()),
    ];
    let observed = summary
        .observed
        .as_ref()
        .map(|b| ("observed.csv", csv_files::observed_csv(b)));
    for (name, bytes) in files.into_iter().chain(observed) {
        let path = dir.join(name);
        atomic::write_atomic(&path, &bytes)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let charts = charts::run_charts(scenario, summary, results);
    let mut svgs = charts::write_charts(&dir.join("charts"), &charts)?;
    // A network's per-queue panels follow the backlog of all queues.
    if let Some(panels) = charts::write_queue_panels(&dir.join("charts"), scenario, summary)? {
        svgs.insert(1.min(svgs.len()), panels);
    }
    Ok(svgs)
}

/// The command line that reproduces a result, for the report: as typed
/// (arguments with spaces or quotes single-quoted), less the flags that
/// cannot change results (`--threads`, `--out`, `--quiet`, `--format`,
/// `--timeout` and `--resume`, and `--shard`: a merge of shards shows the
/// unsharded command), so that the report is byte-identical whatever they were.
pub fn command_line() -> String {
    let mut args: Vec<String> = Vec::new();
    let mut skip_value = false;
    for a in std::env::args() {
        if skip_value {
            skip_value = false;
            continue;
        }
        let flag = a.split('=').next().unwrap_or("");
        if ["--threads", "--out", "--format", "--shard", "--timeout"].contains(&flag) {
            skip_value = !a.contains('=');
            continue;
        }
        if a == "--quiet" || a == "--resume" {
            continue;
        }
        args.push(a);
    }
    args.into_iter()
        .enumerate()
        .map(|(i, a)| {
            let a = if i == 0 { "mqsim".to_owned() } else { a };
            let plain = a
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./=:,".contains(c));
            if plain {
                a
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Writes one file atomically (temp file, then rename).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    atomic::write_atomic(path, bytes).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod resource_tests;
#[cfg(test)]
mod snapshot_tests;
