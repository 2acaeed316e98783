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
