//! Loader tests for the network form: queues, topics, emits, dead-letter
//! queues, fault targets, overrides into the network and the round trip.

use super::*;

fn load(text: &str, set: &[&str]) -> Result<Scenario, ScenarioError> {
    let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
    load_str(text, Path::new("dir/pipeline.toml"), &set)
}
