//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use mqsim::engine::{result::ReplicationResult, run_replication};
use mqsim::scenario::{Scenario, load_str};

/// The crate's root directory.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A scenario from TOML text (panics with the loader's message if invalid).
pub fn scenario(toml: &str) -> Scenario {
    load_str(toml, Path::new("test.toml"), &[]).unwrap_or_else(|e| panic!("{e}"))
}

/// All replications of `sc`, in order.
pub fn run_all(sc: &Scenario) -> Vec<ReplicationResult> {
    (0..sc.replications)
        .map(|i| run_replication(sc, i))
        .collect()
}

/// The `mqsim` binary.
pub fn mqsim() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("mqsim").expect("binary builds")
}

/// The `.toml` files of `dir`, by name, sorted.
pub fn toml_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    names
}

/// One metric of every replication, in order.
pub fn values(results: &[ReplicationResult], metric: &str) -> Vec<f64> {
    results
        .iter()
        .map(|r| r.metrics.get(metric).unwrap())
        .collect()
}

/// The mean of one metric over replications.
pub fn mean(results: &[ReplicationResult], metric: &str) -> f64 {
    mqsim::stats::summarize(&values(results, metric)).mean
}

/// Sends SIGINT (what Ctrl-C sends) to a running child process.
pub fn interrupt(child: &std::process::Child) {
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -INT failed");
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The metrics every scenario reports: all but those of features
/// (`idempotency`, `breaker`) that only their users see.
pub fn common_metrics() -> Vec<&'static str> {
    const FEATURE: [&str; 5] = [
        "duplicates_suppressed",
        "side_effect_duplicates",
        "breaker_opens",
        "breaker_open_time",
        "redriven",
    ];
    mqsim::engine::result::Metrics::NAMES
        .iter()
        .copied()
        .filter(|m| !FEATURE.contains(m))
        .collect()
}
