//! Tiny scenarios whose every count follows by hand from the rules.

use crate::common::scenario;
use mqsim::engine::run_replication;

/// Constant arrivals every 10 s (t = 10, 20, …, 90: 9 messages), constant
/// 5 s processing, visibility timeout 2 s, 3 idle consumers, batch 1.
/// A message received at t is received again at t+2 and t+4 by the other
/// consumers (its timeout keeps running out); at t+6 it would be received a
/// 4th time, so it is dead-lettered instead. The three processings all
/// complete (t+5, t+7, t+9): the first two deletes carry stale receipts and
/// are ignored, the third comes after the message is gone.
fn timeout_shorter_than_processing(extra: &str) -> String {
    format!(
        r#"
duration = "100s"
drain = true
replications = 1
[queue]
visibility_timeout = "2s"
max_receive_count = 3
[[producers]]
rate = 0.1
arrivals = "constant"
[consumers]
count = 3
batch_size = 1
processing = "5s"
{extra}
"#
    )
}

/// One message per second, 100 ms processing, one consumer, batch 1, 10 ms
/// API round trips, long polling: each message waits for nothing.
const CONSTANT_LOAD: &str = r#"
duration = "60s"
replications = 1
[[producers]]
rate = 1
arrivals = "constant"
[consumers]
count = 1
batch_size = 1
processing = "100ms"
request_latency = "10ms"
"#;

/// Nobody consumes; messages expire after 60 s.
const RETENTION: &str = r#"
duration = "10m"
replications = 1
[queue]
retention = "60s"
[[producers]]
rate = 1
arrivals = "constant"
[consumers]
count = 0
processing = "1s"
"#;

/// Every message is delayed 5 s.
const DELAY: &str = r#"
duration = "10s"
replications = 1
[queue]
delay = "5s"
[[producers]]
rate = 1
arrivals = "constant"
[consumers]
count = 1
batch_size = 1
processing = "10ms"
"#;

/// Every golden scenario by name, for the output-hash test.
pub fn scenarios() -> Vec<(&'static str, String)> {
    vec![
        (
            "timeout-shorter-than-processing",
            timeout_shorter_than_processing(""),
        ),
        (
            "heartbeat",
            timeout_shorter_than_processing(r#"heartbeat = "1s""#),
        ),
        ("stale-delete-deletes", stale_delete_deletes()),
        ("constant-load", CONSTANT_LOAD.to_owned()),
        ("retention", RETENTION.to_owned()),
        ("delay", DELAY.to_owned()),
    ]
}

fn stale_delete_deletes() -> String {
    timeout_shorter_than_processing("").replace(
        "max_receive_count = 3",
        "max_receive_count = 3\nstale_delete = \"deletes\"",
    )
}

#[test]
fn short_visibility_timeout_gives_three_processings_and_dead_letters() {
    let sc = scenario(&timeout_shorter_than_processing(""));
    let m = run_replication(&sc, 0).metrics;
    assert_eq!(m.produced, 9.0);
    assert_eq!(m.received, 27.0);
    assert_eq!(m.processed_ok, 27.0);
    assert_eq!(m.duplicates, 18.0);
    assert_eq!(m.deleted, 0.0);
    assert_eq!(m.dead_lettered, 9.0);
    assert_eq!(m.requests_delete, 27.0);
    assert_eq!(m.duplicate_rate, 0.0); // nothing deleted: defined as 0
    // Percentiles are the top of a histogram bucket: within 0.1% above.
    assert!((5.0..=5.005).contains(&m.latency_p50), "{}", m.latency_p50);
    assert_eq!(m.latency_max, 5.0);
    assert_eq!(m.left_visible + m.left_in_flight + m.left_delayed, 0.0);
}

#[test]
fn heartbeat_keeps_the_message_and_it_is_processed_once() {
    let sc = scenario(&timeout_shorter_than_processing(r#"heartbeat = "1s""#));
    let m = run_replication(&sc, 0).metrics;
    assert_eq!(m.produced, 9.0);
    assert_eq!(m.received, 9.0);
    assert_eq!(m.processed_ok, 9.0);
    assert_eq!(m.duplicates, 0.0);
    assert_eq!(m.deleted, 9.0);
    assert_eq!(m.dead_lettered, 0.0);
    // Extensions at t+1 … t+4; the completion at t+5 comes first.
    assert_eq!(m.requests_change_visibility, 36.0);
}

#[test]
fn stale_delete_deletes_when_configured_so() {
    let sc = scenario(&stale_delete_deletes());
    let m = run_replication(&sc, 0).metrics;
    // Received at t, t+2, t+4; the first completion (t+5) deletes with its
    // old receipt, so the later two processings are duplicates and nothing
    // reaches the dead-letter queue.
    assert_eq!(m.received, 27.0);
    assert_eq!(m.deleted, 9.0);
    assert_eq!(m.dead_lettered, 0.0);
    assert_eq!(m.duplicates, 18.0);
}

#[test]
fn constant_load_without_contention_has_exact_latency_and_requests() {
    let sc = scenario(CONSTANT_LOAD);
    let m = run_replication(&sc, 0).metrics;
    assert_eq!(m.produced, 59.0); // t = 1 … 59
    assert_eq!(m.deleted, 59.0);
    assert_eq!(m.wait_mean, 0.0);
    // receive response 10 ms + processing 100 ms
    assert!((m.latency_mean - 0.110).abs() < 1e-9, "{}", m.latency_mean);
    assert_eq!(m.requests_delete, 59.0);
    assert_eq!(
        m.requests_receive_empty, 0.0,
        "polls of 20 s never time out here"
    );
    assert_eq!(m.backlog_max, 1.0);
}

#[test]
fn retention_expires_messages_nobody_consumes() {
    let sc = scenario(RETENTION);
    let m = run_replication(&sc, 0).metrics;
    // Sent at 1 … 599 s; a message expires when it is 60 s old, so those
    // sent up to 539 s have expired before the end at 600 s (the one sent at
    // 540 s would expire at exactly 600 s, which is past the run).
    assert_eq!(m.produced, 599.0);
    assert_eq!(m.expired, 539.0);
    assert_eq!(m.left_visible, 60.0);
    assert_eq!(m.oldest_age_max, 60.0);
}

#[test]
fn delay_holds_messages_back() {
    let sc = scenario(DELAY);
    let m = run_replication(&sc, 0).metrics;
    assert_eq!(m.produced, 9.0);
    // Visible at 6 … 9 s are processed; those sent at 5 … 9 s are still delayed at 10 s.
    assert_eq!(m.deleted, 4.0);
    assert_eq!(m.left_delayed, 5.0);
    assert!((m.wait_mean - 5.0).abs() < 1e-9);
}
