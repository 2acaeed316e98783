//! The examples of shared resources, backoff, redrive and idempotency do
//! what their headers promise: each compares the settings its `[sweep]`
//! compares, with fewer replications.

use std::path::Path;

use crate::common::{mean, mqsim, root, run_all};
use mqsim::engine::result::ReplicationResult;

/// Example `name` with `set` overrides, every replication (conservation
/// checked).
fn runs(name: &str, set: &[&str]) -> Vec<ReplicationResult> {
    let path = root().join("scenarios").join(name);
    let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
    let sc = mqsim::scenario::load(Path::new(&path), &set).unwrap_or_else(|e| panic!("{e}"));
    let results = run_all(&sc);
    assert!(
        results.iter().all(|r| r.conservation.holds()),
        "{name} {set:?}"
    );
    results
}

#[test]
fn more_consumers_than_the_database_handles_collapse_the_queue() {
    let at = |n: u32| {
        runs(
            "more-consumers-worse.toml",
            &[&format!("consumers.count={n}"), "replications=3"],
        )
    };
    let (few, best, many) = (at(10), at(14), at(40));
    // The USL peak: 14 workers beat 10, and 40 never recover.
    assert!(mean(&best, "latency_p99") < mean(&few, "latency_p99"));
    assert!(mean(&best, "latency_p99") < 2.5);
    assert!(mean(&many, "latency_p99") > 100.0);
    assert!(mean(&many, "backlog_max") > 50.0 * mean(&best, "backlog_max"));
    assert_eq!(mean(&best, "duplicates"), 0.0);
}

#[test]
fn plan_picks_the_usl_optimum_not_the_largest_count() {
    let out = tempfile::tempdir().unwrap();
    mqsim()
        .current_dir(root())
        .args([
            "plan",
            "scenarios/more-consumers-worse.toml",
            "--quiet",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success();
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("plan.json")).unwrap())
            .unwrap();
    assert_eq!(plan["value"], serde_json::json!(14), "{plan}");
}

#[test]
fn check_warns_that_the_workers_can_hold_the_database_past_its_peak() {
    let output = mqsim()
        .current_dir(root())
        .args(["check", "scenarios/more-consumers-worse.toml"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(
        text.contains("limited by      resource orders-db"),
        "{text}"
    );
    assert!(text.contains("past its USL peak of 14.0 holders"), "{text}");
}

#[test]
fn a_retry_storm_drains_only_with_a_slow_starting_backoff() {
    let with = |on_error: &str| {
        runs(
            "retry-storm.toml",
            &[&format!("consumers.on_error={on_error}"), "replications=2"],
        )
    };
    let backoff = |base: &str| {
        format!(
            "{{ backoff = \"exponential\", base = \"{base}\", factor = 2, max = \"30m\", jitter = true }}"
        )
    };
    let release = with("release");
    let fast = with(&backoff("1s"));
    let slow = with(&backoff("1m"));
    for stuck in [&release, &fast] {
        assert!(stuck.iter().all(|r| !r.faults[0].drained));
    }
    assert!(slow.iter().all(|r| r.faults[0].drained));
    // It drains within the hour, although the backlog hid behind backoffs.
    assert!((600.0..3600.0).contains(&mean(&slow, "drain_time")));
    // Immediate retries spin through the outage: far more requests.
    assert!(mean(&release, "cost_usd") > 10.0 * mean(&slow, "cost_usd"));
}

#[test]
fn a_fast_redrive_costs_the_live_traffic_its_p99() {
    let at = |rate: u32| {
        runs(
            "dlq-redrive.toml",
            &[&format!("faults.0.rate={rate}"), "replications=2"],
        )
    };
    let (fast, slow) = (at(500), at(50));
    for r in fast.iter().chain(&slow) {
        assert_eq!(r.queues[1].metrics.redriven, 50_000.0);
    }
    assert!(mean(&fast, "latency_p99") > 5.0);
    assert!(mean(&slow, "latency_p99") < 0.5);
}

#[test]
fn an_idempotency_ttl_shorter_than_the_visibility_timeout_repeats_side_effects() {
    let at = |ttl: &str| {
        runs(
            "idempotency-ttl.toml",
            &[
                &format!("consumers.idempotency.ttl=\"{ttl}\""),
                "replications=2",
            ],
        )
    };
    let (short, long) = (at("1m"), at("1h"));
    assert!(mean(&short, "side_effect_duplicates") > 10_000.0);
    assert_eq!(mean(&short, "duplicates_suppressed"), 0.0);
    assert_eq!(mean(&long, "side_effect_duplicates"), 0.0);
    assert!(mean(&long, "duplicates_suppressed") > 10_000.0);
}
