//! Every example scenario loads, runs, and satisfies conservation in every
//! replication; each one's headline behaviour is what its comments promise.

use std::fs;

use crate::common::{mean, root, run_all, scenario, toml_files};
use mqsim::engine::result::ReplicationResult;
use mqsim::stats::summarize;

fn example(name: &str) -> Vec<ReplicationResult> {
    let path = root().join("scenarios").join(name);
    let sc = mqsim::scenario::load(&path, &[]).unwrap_or_else(|e| panic!("{e}"));
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

#[test]
fn every_example_scenario_runs_with_conservation() {
    let names = toml_files(&root().join("scenarios"));
    assert!(names.len() >= 8, "examples: {names:?}");
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
fn flash_sale_spike_builds_a_backlog_that_drains_after_it() {
    let r = example("flash-sale.toml");
    // About 50/s above capacity for 20 minutes: tens of thousands waiting …
    let peak = mean(&r, "backlog_max");
    assert!((45_000.0..80_000.0).contains(&peak), "peak {peak}");
    // … at the end of the sale (30 m + 20 m), drained some minutes later.
    assert!((mean(&r, "backlog_max_at") - 3000.0).abs() < 5.0);
    let drain = mean(&r, "drain_time");
    assert!((300.0..900.0).contains(&drain), "drain {drain}");
    assert!(r.iter().all(|x| x.faults[0].drained));
    assert_eq!(mean(&r, "left_visible"), 0.0);
}

#[test]
fn duplicate_storm_wastes_the_spare_capacity_and_heartbeats_cure_it() {
    let r = example("duplicate-storm.toml");
    let duplicates = mean(&r, "duplicates");
    assert!(duplicates > 500.0, "duplicates {duplicates}");
    // Every duplicate comes from a visibility timeout that ran out mid-batch.
    let by_timeout: u64 = r
        .iter()
        .map(|x| x.duplicates_by_cause.visibility_expired)
        .sum();
    assert_eq!(by_timeout as f64, duplicates * r.len() as f64);
    // Without duplicates the backlog of ~1800 drains at the spare 3/s in
    // ~600 s; the storm makes it far slower.
    assert!(mean(&r, "drain_time") > 840.0);

    let text = fs::read_to_string(root().join("scenarios/duplicate-storm.toml")).unwrap();
    let cured = scenario(&text.replace("request_latency", "heartbeat = \"5s\"\nrequest_latency"));
    let cured = run_all(&cured);
    assert_eq!(mean(&cured, "duplicates"), 0.0);
    assert!(mean(&cured, "drain_time") < 700.0);
}

#[test]
fn slow_downstream_follows_the_lost_capacity() {
    let r = example("slow-downstream.toml");
    assert_eq!(mean(&r, "duplicates"), 0.0);
    // Capacity 20 / (3 × 150 ms + 5 ms) ≈ 44/s during the slowdown: the
    // backlog grows by ≈ 56/s for 900 s …
    let growth = 100.0 - 20.0 / 0.455;
    let peak = mean(&r, "backlog_max");
    assert!((peak / (growth * 900.0) - 1.0).abs() < 0.03, "peak {peak}");
    // … and drains at the spare 20 / 0.155 − 100 ≈ 29/s.
    let drain = mean(&r, "drain_time");
    let expected = growth * 900.0 / (20.0 / 0.155 - 100.0);
    assert!(
        (drain / expected - 1.0).abs() < 0.06,
        "drain {drain} vs {expected}"
    );
}

#[test]
fn queue_outage_drops_beyond_the_buffer_and_duplicates_failed_deletes() {
    let r = example("queue-outage.toml");
    // The api producer sends Poisson(20/s × 300 s) = ~6000 in the outage and
    // holds 5000 (sd of the mean over 10 replications ≈ 25); the batch
    // producer holds everything.
    let dropped = mean(&r, "dropped");
    assert!((dropped - 1000.0).abs() < 120.0, "dropped {dropped}");
    // Drops in the window; a few more until the first retry after it.
    let in_window = summary_of(&r, |x| x.faults[0].dropped);
    assert!(in_window <= dropped && dropped - in_window < 20.0);
    assert!(r.iter().all(|x| x.duplicates_by_cause.delete_failed > 0));
    // The flushed buffers (~11,000) arrive at once when the queue is back.
    assert!(mean(&r, "backlog_max") > 10_000.0);
    assert!(r.iter().all(|x| x.faults[0].drained));
}

#[test]
fn diurnal_day_has_crashes_and_spontaneous_duplicates() {
    let r = example("diurnal.toml");
    // 16 consumers × 24 h / 6 h = 64 crashes a day (sd ≈ 8 per replication).
    let crashes = mean(&r, "consumer_crashes");
    assert!((crashes - 64.0).abs() < 16.0, "crashes {crashes}");
    // One delivery in 2000 is repeated on its own.
    let spontaneous = summary_of(&r, |x| x.duplicates_by_cause.spontaneous as f64);
    let expected = mean(&r, "received") * 0.0005 / 1.0005;
    assert!(
        (spontaneous / expected - 1.0).abs() < 0.1,
        "{spontaneous} vs {expected}"
    );
    // The schedule's daily total: 30.75/s on average.
    let produced = mean(&r, "produced");
    assert!((produced / (30.75 * 86_400.0) - 1.0).abs() < 0.005);
    assert!(mean(&r, "latency_p99") < 5.0);
}

#[test]
fn trace_replay_is_exact_and_bursty() {
    let r = example("trace-replay.toml");
    // The trace's 6059 sends, identical in every replication.
    assert!(r.iter().all(|x| x.metrics.produced == 6059.0));
    // Bursts of 300 at a 50% average load: a latency tail of many seconds.
    assert!(mean(&r, "latency_p99") > 8.0);
    assert!(mean(&r, "backlog_max") > 200.0);
}

#[test]
fn capacity_plan_point_meets_its_slos() {
    let r = example("capacity-plan.toml");
    // 36 consumers ride out the 4× sale with room to spare.
    assert!(mean(&r, "latency_p99") < 5.0);
    assert!(mean(&r, "drain_time") < 60.0);
    assert_eq!(mean(&r, "dead_lettered"), 0.0);
}

fn summary_of(r: &[ReplicationResult], f: impl Fn(&ReplicationResult) -> f64) -> f64 {
    summarize(&r.iter().map(f).collect::<Vec<_>>()).mean
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
