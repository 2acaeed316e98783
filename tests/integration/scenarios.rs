//! Every example scenario loads, runs, and satisfies conservation in every
//! replication; each one's headline behaviour is what its comments promise.

use std::fs;

use crate::common::{root, run_all, scenario};
use mqsim::engine::result::ReplicationResult;
use mqsim::stats::summarize;

fn example(name: &str) -> Vec<ReplicationResult> {
    let text = fs::read_to_string(root().join("scenarios").join(name)).unwrap();
    let sc = scenario(&text);
    let results = run_all(&sc);
    for r in &results {
        assert!(
            r.conservation.holds(),
            "{name}: conservation fails in replication {}: {:?}",
            r.replication,
            r.conservation
        );
    }
    results
}

fn mean(results: &[ReplicationResult], metric: &str) -> f64 {
    let values: Vec<f64> = results
        .iter()
        .map(|r| r.metrics.get(metric).unwrap())
        .collect();
    summarize(&values).mean
}

#[test]
fn every_example_scenario_runs_with_conservation() {
    let mut names: Vec<String> = fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    assert!(names.len() >= 3, "examples: {names:?}");
    for name in names {
        let results = example(&name);
        assert!(mean(&results, "produced") > 0.0, "{name} produced nothing");
    }
}

#[test]
fn quickstart_is_stable_and_meets_its_slo() {
    let r = example("quickstart.toml");
    assert!(mean(&r, "consumer_utilization") < 0.95);
    assert!(mean(&r, "latency_p99") < 5.0);
    assert_eq!(mean(&r, "dead_lettered"), 0.0);
}

#[test]
fn flash_sale_builds_a_backlog_and_drains_it() {
    let r = example("flash-sale.toml");
    // Arrivals outpace capacity during the sale, so a backlog of thousands builds …
    assert!(mean(&r, "backlog_max") > 10_000.0);
    // … and with drain = true the run ends with nothing left.
    assert_eq!(mean(&r, "left_visible") + mean(&r, "left_in_flight"), 0.0);
    assert_eq!(
        mean(&r, "produced"),
        mean(&r, "deleted") + mean(&r, "dead_lettered")
    );
}

#[test]
fn poison_messages_end_in_the_dead_letter_queue() {
    let r = example("poison-dlq.toml");
    let expected = mean(&r, "produced") * 0.005;
    let dlq = mean(&r, "dead_lettered");
    // Binomial count: sd ≈ √(0.005 · 144000) ≈ 27 per replication; allow 4 sd
    // of the mean over 10 replications plus the few still in flight at the end.
    assert!((dlq - expected).abs() < 40.0, "dlq {dlq} vs {expected}");
    // Each poison message is received max_receive_count = 4 times.
    assert!(mean(&r, "received") >= mean(&r, "deleted") + 4.0 * dlq);
}
