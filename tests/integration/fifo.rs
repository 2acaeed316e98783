//! FIFO queues: head-of-line blocking, throughput with many groups, order,
//! expired receipts, the send throttle.

use crate::common::{mean, run_all, scenario, values};

/// `groups` message groups at 50 msg/s, 10 consumers at exp(100 ms) (ρ 0.5),
/// with `extra` appended to `[queue]`.
fn fifo_load(kind: &str, groups: u32, extra: &str) -> String {
    format!(
        r#"
duration = "1h"
warmup = "5m"
replications = 5
[queue]
type = "{kind}"
visibility_timeout = "30s"
{extra}
[[producers]]
rate = 50
groups = {groups}
[consumers]
count = 10
batch_size = 10
processing = {{ dist = "exp", mean = "100ms" }}
"#
    )
}

#[test]
fn a_poison_message_stalls_its_group_for_max_receive_count_timeouts() {
    // One group, a poison message now and then: each is received 3 times,
    // waits out 30 s each time, and goes to the DLQ on the 4th receive. The
    // messages behind it wait the whole time.
    let sc = scenario(
        r#"
duration = "2h"
replications = 3
[queue]
type = "fifo"
visibility_timeout = "30s"
max_receive_count = 3
[[producers]]
rate = 5
groups = 1
[consumers]
count = 4
batch_size = 1
processing = "10ms"
poison_fraction = 0.002
"#,
    );
    let results = run_all(&sc);
    for r in &results {
        let m = &r.metrics;
        assert!(m.dead_lettered >= 1.0, "a poison message was sent");
        // 3 × 30 s, less the gap before a message arrives behind it (mean 0.2 s).
        assert!(
            (88.0..=90.0).contains(&m.group_blocked_time_max),
            "longest stall {} s",
            m.group_blocked_time_max
        );
        assert_eq!(m.out_of_order, 0.0);
        // Nothing of the group is delivered during a stall: the backlog
        // grows by the arrivals of 90 s.
        assert!(m.backlog_max >= 300.0, "backlog_max {}", m.backlog_max);
    }
}

#[test]
fn with_many_groups_throughput_approaches_the_standard_queues() {
    let standard = run_all(&scenario(&fifo_load("standard", 1, "")));
    let many = run_all(&scenario(&fifo_load("fifo", 10_000, "")));
    let one = run_all(&scenario(&fifo_load("fifo", 1, "")));
    let deleted = |r| mean(r, "deleted");
    // Many groups: within 0.5% of the standard queue (both ≈ everything sent).
    let ratio = deleted(&many) / deleted(&standard);
    assert!((0.995..=1.005).contains(&ratio), "ratio {ratio}");
    let (p50_standard, p50_many) = (mean(&standard, "latency_p50"), mean(&many, "latency_p50"));
    assert!(
        p50_many < 1.25 * p50_standard,
        "p50 {p50_many} vs {p50_standard}"
    );
    // One group: one message at a time, 10/s at most against 50/s offered.
    let per_second = deleted(&one) / 3600.0;
    assert!(per_second < 10.5, "one group deletes {per_second}/s");
    assert!(mean(&one, "backlog_max") > 100_000.0);
    for r in [&standard, &many, &one] {
        assert!(values(r, "out_of_order").iter().all(|&v| v == 0.0));
    }
}

#[test]
fn order_holds_through_crashes_errors_and_expired_timeouts() {
    // Processing sometimes outlasts the visibility timeout, consumers crash
    // mid-batch, 5% of processings fail: messages come back, are received
    // again, go to the DLQ; a skewed hot group. Order must still hold.
    let sc = scenario(
        r#"
duration = "1h"
replications = 4
[queue]
type = "fifo"
visibility_timeout = "2s"
max_receive_count = 4
[[producers]]
rate = 40
groups = 50
group_skew = 1.2
send_batch = 5
[consumers]
count = 8
batch_size = 10
processing = { dist = "lognormal", mean = "200ms", p99 = "2s" }
error_rate = 0.05
crash = { mtbf = "10m", restart = "20s" }
"#,
    );
    let results = run_all(&sc);
    for r in &results {
        let m = &r.metrics;
        assert_eq!(m.out_of_order, 0.0, "replication {}", r.replication);
        assert!(m.dead_lettered > 0.0 && m.consumer_crashes > 0.0);
        // Deletes after the timeout ran out are refused, never applied.
        assert!(m.delete_errors > 0.0);
        assert!(m.group_blocked_time_mean > 0.0);
    }
}

#[test]
fn a_skewed_hot_group_blocks_longest() {
    let even = run_all(&scenario(&fifo_load("fifo", 100, "")));
    let skewed = run_all(&scenario(
        &fifo_load("fifo", 100, "").replace("groups = 100", "groups = 100\ngroup_skew = 1.5"),
    ));
    let (a, b) = (
        mean(&even, "group_blocked_time_max"),
        mean(&skewed, "group_blocked_time_max"),
    );
    assert!(b > 2.0 * a, "hot group's longest stall {b} vs even {a}");
}

#[test]
fn sends_beyond_the_throughput_limit_are_throttled_and_retried() {
    let text = r#"
duration = "10m"
replications = 2
[queue]
type = "fifo"
throughput_limit = 20
[[producers]]
rate = 30
arrivals = "constant"
retry = { attempts = 1000, backoff = "100ms" }
buffer = 1000000
[consumers]
count = 10
processing = "10ms"
"#;
    for r in run_all(&scenario(text)) {
        let m = &r.metrics;
        assert!(m.requests_throttled > 0.0);
        // At most 20 calls a second, plus the first second's burst.
        assert!(
            m.requests_send <= 20.0 * 600.0 + 20.0,
            "{}",
            m.requests_send
        );
        // The queue takes exactly what the limit allows (one message a
        // call); the rest waits in the producer's buffer, none is dropped.
        assert_eq!(m.produced, m.requests_send);
        assert!(m.produced >= 20.0 * 599.0, "{}", m.produced);
        assert_eq!(m.dropped, 0.0);
    }
}

#[test]
fn repeated_sends_are_deduplicated_within_five_minutes_only_on_fifo() {
    let text = |kind: &str, backoff: &str| {
        format!(
            r#"
duration = "1h"
replications = 2
[queue]
type = "{kind}"
[[producers]]
rate = 20
send_batch = 5
groups = 10
lost_acks = 0.02
retry = {{ attempts = 3, backoff = "{backoff}" }}
[consumers]
count = 4
processing = "20ms"
"#
        )
    };
    let fifo = run_all(&scenario(&text("fifo", "2s")));
    let standard = run_all(&scenario(&text("standard", "2s")));
    let late = run_all(&scenario(&text("fifo", "6m")));
    // 20 msg/s in calls of 5: 14,400 calls, 2% of them repeated.
    let repeats = 0.02 * 14_400.0 * 5.0;
    for (results, deduplicated, repeated) in [
        (&fifo, repeats, 0.0),
        (&standard, 0.0, repeats),
        (&late, 0.0, repeats),
    ] {
        let (d, r) = (mean(results, "deduplicated"), mean(results, "repeated"));
        assert!(
            (d - deduplicated).abs() <= 0.25 * repeats,
            "deduplicated {d}"
        );
        assert!((r - repeated).abs() <= 0.25 * repeats, "repeated {r}");
    }
    // A late repeat joins its original group's tail: order still holds.
    assert!(values(&late, "out_of_order").iter().all(|&v| v == 0.0));
    // Repeats are extra messages, processed again.
    assert!(mean(&standard, "produced") > mean(&fifo, "produced"));
}
