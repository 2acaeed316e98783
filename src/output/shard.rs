//! The files a shard (`--shard K/N`) writes instead of a run's outputs, and
//! the per-point records a sweep keeps so that `--resume` can continue it.
//!
//! A shard directory holds `shard.json`, a readable manifest (which command,
//! which shard, the scenario's inputs including the data files it read, and
//! the (point, replication) items the shard ran) and `results.bin`, the
//! items' [`ReplicationResult`]s in that order, encoded with postcard
//! (every float bit-exact, histograms in HdrHistogram's V2 encoding). The
//! manifest carries the SHA-256 of `results.bin`, so a mismatched pair is
//! refused. `mqsim merge` rebuilds the scenario from the inputs and writes
//! what the unsharded run writes, byte for byte.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::engine::result::ReplicationResult;

/// Version of the shard and point-record formats; a merge refuses others.
/// 2: replications carry their latency by send interval.
pub const FORMAT: u32 = 2;

/// Everything needed to rebuild the scenario a shard ran, whatever machine
/// the merge runs on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioInputs {
    /// The scenario file as given on the command line (it names the
    /// scenario by default and appears in messages).
    pub path: String,
    /// The file's text.
    pub text: String,
    /// `--set` overrides, in order.
    pub set: Vec<String>,
    /// `--seed`, if given.
    pub seed: Option<u64>,
    /// `--replications`, if given.
    pub replications: Option<u32>,
    /// `--vary` arguments (sweeps), in order.
    pub vary: Vec<String>,
    /// The data files the scenario read (traces, empirical samples), by the
    /// name written in the scenario.
    pub files: BTreeMap<String, String>,
}

/// One unit of work: a replication of a sweep point (point 0 for `run`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Item {
    /// Sweep point, from 0.
    pub point: u32,
    /// Replication, from 0.
    pub replication: u32,
}

/// `shard.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ShardManifest {
    /// [`FORMAT`].
    pub format: u32,
    /// The mqsim version that ran the shard; a merge needs the same.
    pub mqsim_version: String,
    /// `run` or `sweep`.
    pub command: String,
    /// This shard, from 1.
    pub shard: u32,
    /// Number of shards.
    pub shards: u32,
    /// The command line without `--shard` (the report shows it).
    pub command_line: String,
    /// SHA-256 of the resolved scenario (as in `summary.json`).
    pub scenario_sha256: String,
    /// The scenario's inputs.
    pub inputs: ScenarioInputs,
    /// Every item of the whole run or sweep, so a merge knows what to expect.
    pub total_items: u64,
    /// The items this shard ran, in the order of `results.bin`.
    pub items: Vec<Item>,
    /// SHA-256 of `results.bin`.
    pub results_sha256: String,
    /// Wall-clock seconds the shard took (for `timing.json` only).
    pub wall_seconds: f64,
    /// Worker threads the shard used.
    pub threads: usize,
}

/// Writes `results.bin` then `shard.json` (each atomically): a directory
/// with a manifest is a finished shard.
pub fn write_shard(
    dir: &Path,
    manifest: &mut ShardManifest,
    results: &[ReplicationResult],
) -> Result<()> {
    let bytes = encode(results)?;
    manifest.results_sha256 = sha256_hex(&bytes);
    super::write_file(&dir.join("results.bin"), &bytes)?;
    let mut json = serde_json::to_string_pretty(manifest)?;
    json.push('\n');
    super::write_file(&dir.join("shard.json"), json.as_bytes())
}

/// Reads a shard directory written by [`write_shard`].
pub fn read_shard(dir: &Path) -> Result<(ShardManifest, Vec<ReplicationResult>)> {
    let path = dir.join("shard.json");
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "reading {} (is {} a shard's output directory? a shard that did not finish has none)",
            path.display(),
            dir.display()
        )
    })?;
    let manifest: ShardManifest =
        serde_json::from_str(&text).with_context(|| format!("reading {}", path.display()))?;
    if manifest.format != FORMAT {
        bail!(
            "{}: shard format {} (this mqsim reads format {FORMAT})",
            path.display(),
            manifest.format
        );
    }
    let bin = dir.join("results.bin");
    let bytes = std::fs::read(&bin).with_context(|| format!("reading {}", bin.display()))?;
    if sha256_hex(&bytes) != manifest.results_sha256 {
        bail!(
            "{} does not match its manifest (SHA-256 differs): the shard's files were mixed up or damaged",
            bin.display()
        );
    }
    let results = decode(&bytes).with_context(|| format!("decoding {}", bin.display()))?;
    if results.len() != manifest.items.len() {
        bail!(
            "{} holds {} results, its manifest lists {} items",
            bin.display(),
            results.len(),
            manifest.items.len()
        );
    }
    Ok((manifest, results))
}

/// A finished sweep point kept for `--resume`: the point scenario's
/// SHA-256 and its replications' results.
#[derive(Serialize, Deserialize)]
struct PointRecord {
    format: u32,
    mqsim_version: String,
    scenario_sha256: String,
    results: Vec<ReplicationResult>,
}

/// Writes a finished point's record atomically.
pub fn write_point_record(
    path: &Path,
    scenario_sha256: &str,
    results: &[ReplicationResult],
) -> Result<()> {
    let record = PointRecord {
        format: FORMAT,
        mqsim_version: env!("CARGO_PKG_VERSION").to_owned(),
        scenario_sha256: scenario_sha256.to_owned(),
        results: results.to_vec(),
    };
    let bytes = postcard::to_allocvec(&record).context("encoding a point record")?;
    super::write_file(path, &bytes)
}

/// The results of a point record, if it was written by this mqsim for the
/// scenario with this SHA-256; `None` when it belongs to something else.
pub fn read_point_record(
    path: &Path,
    scenario_sha256: &str,
) -> Result<Option<Vec<ReplicationResult>>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let Ok(record) = postcard::from_bytes::<PointRecord>(&bytes) else {
        return Ok(None);
    };
    let same = record.format == FORMAT
        && record.mqsim_version == env!("CARGO_PKG_VERSION")
        && record.scenario_sha256 == scenario_sha256;
    Ok(same.then_some(record.results))
}

fn encode(results: &[ReplicationResult]) -> Result<Vec<u8>> {
    postcard::to_allocvec(results).context("encoding replication results")
}

fn decode(bytes: &[u8]) -> Result<Vec<ReplicationResult>> {
    Ok(postcard::from_bytes(bytes)?)
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_str;

    fn results() -> Vec<ReplicationResult> {
        let sc = load_str(
            "duration = \"10m\"\nwarmup = \"1m\"\nreplications = 2\n\
             [[producers]]\nrate = 20\n\
             [consumers]\ncount = 3\nprocessing = { dist = \"exp\", mean = \"120ms\" }\n\
             crash = { mtbf = \"2m\", restart = \"10s\" }\n",
            Path::new("shard-test.toml"),
            &[],
        )
        .unwrap();
        (0..2)
            .map(|r| crate::engine::run_replication(&sc, r))
            .collect()
    }

    #[test]
    fn results_survive_the_round_trip_bit_for_bit() {
        let original = results();
        let back = decode(&encode(&original).unwrap()).unwrap();
        for (a, b) in original.iter().zip(&back) {
            let bits = |m: &crate::engine::result::Metrics| -> Vec<u64> {
                m.values().iter().map(|v| v.to_bits()).collect()
            };
            assert_eq!(bits(&a.metrics), bits(&b.metrics));
            assert_eq!(a.timeseries, b.timeseries);
            assert_eq!(a.latency, b.latency);
            assert_eq!(a.wait, b.wait);
            assert_eq!(a.latency.max(), b.latency.max());
            assert_eq!(
                a.latency.value_at_quantile(0.999),
                b.latency.value_at_quantile(0.999)
            );
            assert_eq!(a.faults, b.faults);
            assert_eq!(a.conservation, b.conservation);
        }
        assert_eq!(encode(&back).unwrap(), encode(&original).unwrap());
    }

    #[test]
    fn a_damaged_results_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut manifest = ShardManifest {
            format: FORMAT,
            mqsim_version: env!("CARGO_PKG_VERSION").into(),
            command: "run".into(),
            shard: 1,
            shards: 1,
            command_line: "mqsim run x.toml".into(),
            scenario_sha256: String::new(),
            inputs: ScenarioInputs {
                path: "x.toml".into(),
                text: String::new(),
                set: vec![],
                seed: None,
                replications: None,
                vary: vec![],
                files: BTreeMap::new(),
            },
            total_items: 2,
            items: vec![
                Item {
                    point: 0,
                    replication: 0,
                },
                Item {
                    point: 0,
                    replication: 1,
                },
            ],
            results_sha256: String::new(),
            wall_seconds: 0.0,
            threads: 1,
        };
        write_shard(dir.path(), &mut manifest, &results()).unwrap();
        let (read, back) = read_shard(dir.path()).unwrap();
        assert_eq!(read.items, manifest.items);
        assert_eq!(back.len(), 2);
        let bin = dir.path().join("results.bin");
        let mut bytes = std::fs::read(&bin).unwrap();
        bytes[10] ^= 1;
        std::fs::write(&bin, bytes).unwrap();
        let err = read_shard(dir.path()).unwrap_err().to_string();
        assert!(err.contains("does not match its manifest"), "{err}");
    }

    #[test]
    fn point_records_belong_to_one_scenario() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("000.bin");
        write_point_record(&path, "abc", &results()).unwrap();
        assert_eq!(read_point_record(&path, "abc").unwrap().unwrap().len(), 2);
        assert!(read_point_record(&path, "abd").unwrap().is_none());
        std::fs::write(&path, b"garbage").unwrap();
        assert!(read_point_record(&path, "abc").unwrap().is_none());
    }
}
