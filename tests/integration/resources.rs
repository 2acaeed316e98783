//! Shared resources, backoff, breakers, idempotency and redrive in the
//! engine: exact timelines where the rules fix them (golden), theory
//! where it applies (with replications and intervals), and the books
//! (conservation) everywhere.

use crate::common::{run_all, scenario};
use mqsim::engine::run_replication;
use mqsim::stats::summarize;

/// One poison message, one consumer, backoff 2 s × 2^(n−1) capped at 60 s,
/// dead-lettered after 6 receives: receive k happens 1 ms (the processing)
/// plus the k−1 previous delays after the previous one.
const BACKOFF: &str = r#"
duration = "1s"
drain = true
[queue]
visibility_timeout = "30s"
max_receive_count = 6
initial_backlog = 1
[[producers]]
rate = 0.000001
[consumers]
count = 1
batch_size = 1
processing = "1ms"
poison_fraction = 1.0
on_error = { backoff = "exponential", base = "2s", factor = 2, max = "60s" }
"#;

#[test]
fn backoff_delays_follow_the_formula_exactly() {
    let sc = scenario(BACKOFF);
    let r = run_replication(&sc, 0);
    let m = &r.metrics;
    // Six failed processings, each hidden by one ChangeMessageVisibility
    // call: 2, 4, 8, 16, 32, then min(60, 64) seconds.
    assert_eq!(m.received, 6.0);
    assert_eq!(m.requests_change_visibility, 6.0);
    assert_eq!(m.dead_lettered, 1.0);
    // The seventh receive (which dead-letters it) comes after the six
    // processings and the six delays.
    let expected = 6.0 * 0.001 + (2.0 + 4.0 + 8.0 + 16.0 + 32.0 + 60.0);
    assert!(
        (r.end - expected).abs() < 1e-9,
        "end {} vs {expected}",
        r.end
    );
    assert!(r.conservation.holds());
}

/// Every message fails twice with a full-jitter backoff of 10 s (factor
/// 1), then reaches the dead-letter queue, whose fleet ends its journey at
/// once: the journey is the two jittered delays (mean 5 s each) plus
/// three 1 ms processings.
fn jitter_scenario(jitter: bool) -> String {
    format!(
        r#"
duration = "2000s"
warmup = "100s"
replications = 20
seed = 7
[queues.work]
visibility_timeout = "30s"
max_receive_count = 2
dead_letter = "dlq"
[queues.work.consumers]
count = 50
batch_size = 1
processing = "1ms"
error_rate = 1.0
on_error = {{ backoff = "exponential", base = "10s", factor = 1, max = "10s", jitter = {jitter} }}
[queues.dlq.consumers]
count = 10
batch_size = 1
processing = "1ms"
[[producers]]
rate = 5
to = "work"
"#
    )
}

#[test]
fn full_jitter_halves_the_mean_delay_within_its_interval() {
    for (jitter, theory) in [(true, 10.003), (false, 20.003)] {
        let sc = scenario(&jitter_scenario(jitter));
        let results = run_all(&sc);
        let journeys: Vec<f64> = results
            .iter()
            .map(|r| r.queues[0].journey_latency_mean)
            .collect();
        let s = summarize(&journeys);
        let (lo, hi) = (s.ci95_low.unwrap(), s.ci95_high.unwrap());
        if jitter {
            assert!(
                lo <= theory && theory <= hi,
                "{theory} outside [{lo}, {hi}]"
            );
        } else {
            // Without jitter every journey takes exactly the same time.
            assert!((s.mean - theory).abs() < 1e-6, "{}", s.mean);
        }
        assert!(results.iter().all(|r| r.conservation.holds()));
    }
}

/// Errors everywhere during [100 s, 160 s): the breaker opens, probes
/// (still failing) at open + 30 s, opens again, probes after the burst and
/// closes.
const BREAKER: &str = r#"
duration = "300s"
seed = 11
[queue]
visibility_timeout = "30s"
[[producers]]
rate = 20
[consumers]
count = 4
batch_size = 1
processing = { dist = "exp", mean = "50ms" }
on_error = "release"
breaker = { error_rate = 0.5, window = "10s", min_calls = 20, open_for = "30s" }
[[faults]]
kind = "error-burst"
at = "100s"
duration = "60s"
error_rate = 1.0
"#;

#[test]
fn a_breaker_opens_probes_and_closes_on_its_timeline() {
    let sc = scenario(BREAKER);
    let r = run_replication(&sc, 0);
    let states: Vec<&str> = r.breaker_changes.iter().map(|c| c.state.as_str()).collect();
    assert_eq!(states, ["open", "half-open", "open", "half-open", "closed"]);
    let t: Vec<f64> = r.breaker_changes.iter().map(|c| c.time).collect();
    // It opens inside the burst, once failures outnumber the successes
    // of the 10 s window; each half-open comes exactly open_for later.
    assert!(t[0] > 100.0 && t[0] < 110.0, "{t:?}");
    assert!((t[1] - t[0] - 30.0).abs() < 1e-9, "{t:?}");
    assert!((t[3] - t[2] - 30.0).abs() < 1e-9, "{t:?}");
    // The first probe fails (the burst is on), the second succeeds.
    assert!(t[2] < 160.0 && t[3] > 160.0, "{t:?}");
    assert!(t[4] >= t[3] && t[4] < t[3] + 1.0, "{t:?}");
    assert_eq!(r.metrics.breaker_opens, 2.0);
    let open = r.metrics.breaker_open_time;
    assert!((open - (t[4] - t[0])).abs() < 1e-9, "{open}");
    // While open nobody receives: the queue piles up and drains after.
    assert!(
        r.metrics.backlog_max > 20.0 * 40.0,
        "{}",
        r.metrics.backlog_max
    );
    insta::assert_debug_snapshot!(t);
}

/// 50 consumers, 10 connections, every hold exponential with mean 0.1 s:
/// M/M/10 at rho 0.8 with the wait for a connection as the wait in queue.
const POOL: &str = r#"
duration = "6000s"
warmup = "300s"
replications = 20
seed = 5
[queue]
visibility_timeout = "12h"
[[producers]]
rate = 80
[consumers]
count = 50
batch_size = 1
uses = [{ resource = "db", hold = { dist = "exp", mean = "100ms" } }]
[resources.db]
capacity = 10
"#;

#[test]
fn a_pool_of_ten_connections_behaves_as_m_m_10() {
    let results = run_all(&scenario(POOL));
    let theory = mqsim::validation::theory::Mmc {
        lambda: 80.0,
        mu: 10.0,
        c: 10,
    };
    let covers = |name: &str, values: Vec<f64>, expected: f64| {
        let s = summarize(&values);
        let (lo, hi) = (s.ci95_low.unwrap(), s.ci95_high.unwrap());
        assert!(
            lo <= expected && expected <= hi,
            "{name}: {expected} outside [{lo}, {hi}]"
        );
    };
    let waits = results
        .iter()
        .map(|r| r.metrics.wait_mean + r.resources[0].metrics.wait_mean)
        .collect();
    covers("Wq", waits, theory.wq());
    covers(
        "W",
        results.iter().map(|r| r.metrics.latency_mean).collect(),
        theory.w(),
    );
    let util = results
        .iter()
        .map(|r| r.resources[0].metrics.utilization)
        .collect();
    covers("utilization", util, 0.8);
    for r in &results {
        assert!(r.conservation.holds());
        assert!(r.resources[0].metrics.holders_max <= 10.0);
    }
}

/// Holds of 1 s against a 2 s acquire timeout on one connection: when
/// more than two are in line, the last give up.
const TIMEOUTS: &str = r#"
duration = "600s"
seed = 3
[queue]
visibility_timeout = "60s"
[[producers]]
rate = 2
[consumers]
count = 10
batch_size = 1
on_error = "release"
uses = [{ resource = "api", hold = "1s" }]
[resources.api]
capacity = 1
acquire_timeout = "2s"
"#;

#[test]
fn acquires_past_the_timeout_fail_the_processing() {
    let r = run_replication(&scenario(TIMEOUTS), 0);
    let api = &r.resources[0].metrics;
    assert!(api.timeouts > 100.0, "{api:?}");
    // Nobody waits longer than the timeout for a connection it gets.
    assert!(api.wait_p99 <= 2.001, "{api:?}");
    assert!((api.hold_mean - 1.0).abs() < 1e-9, "{api:?}");
    assert!(api.utilization > 0.95, "{api:?}");
    // One connection, 1 s holds: at most one completion a second.
    assert!(r.metrics.deleted <= 601.0, "{}", r.metrics.deleted);
    assert!(r.conservation.holds());
}

fn outage(mode: &str) -> String {
    format!(
        r#"
duration = "400s"
seed = 9
[queue]
visibility_timeout = "60s"
[[producers]]
rate = 5
[consumers]
count = 20
batch_size = 1
on_error = "release"
uses = [{{ resource = "db", hold = "100ms" }}]
[resources.db]
capacity = 5
acquire_timeout = "10s"
[[faults]]
kind = "resource-outage"
target = "db"
at = "100s"
duration = "60s"
mode = "{mode}"
"#
    )
}

#[test]
fn a_resource_outage_fails_fast_or_hangs_until_the_timeout() {
    let fail = run_replication(&scenario(&outage("fail")), 0);
    let hang = run_replication(&scenario(&outage("hang")), 0);
    let (f, h) = (&fail.resources[0].metrics, &hang.resources[0].metrics);
    // Failing fast, every acquire of the minute fails (released and
    // retried at once): many more failures than hanging, where each
    // consumer gives up only every 10 s.
    assert!(f.timeouts > 10.0 * h.timeouts, "{f:?} vs {h:?}");
    // Hanging, all 20 consumers end up in the line, each giving up every
    // 10 s of the 60 s outage: about 100 timeouts.
    assert_eq!(h.waiters_max, 20.0, "{h:?}");
    assert!((80.0..=120.0).contains(&h.timeouts), "{h:?}");
    for r in [&fail, &hang] {
        assert!(r.conservation.holds());
        assert_eq!(r.metrics.left_visible, 0.0, "{:?}", r.metrics);
    }
}

/// A DLQ of 2,000 messages moved back at 50/s takes 40 s.
const REDRIVE: &str = r#"
duration = "300s"
seed = 4
[queues.orders]
visibility_timeout = "30s"
max_receive_count = 5
dead_letter = "orders-dlq"
[queues.orders.consumers]
count = 10
batch_size = 1
processing = "10ms"
[queues.orders-dlq]
initial_backlog = 2000
[[producers]]
rate = 10
to = "orders"
[[faults]]
kind = "redrive"
from = "orders-dlq"
to = "orders"
rate = 50
at = "100s"
"#;

#[test]
fn a_redrive_moves_the_dead_letters_at_its_rate_until_none_is_left() {
    let r = run_replication(&scenario(REDRIVE), 0);
    let dlq = &r.queues[1];
    assert_eq!(dlq.metrics.redriven, 2000.0);
    assert_eq!(dlq.metrics.left_visible, 0.0);
    let orders = &r.queues[0];
    assert_eq!(orders.arrived_from_queues, 2000);
    // Moves at 100 s + k / 50: the DLQ is empty from 140 s on.
    let empty_at = dlq
        .timeseries
        .iter()
        .find(|s| s.visible == 0.0)
        .map(|s| s.time)
        .unwrap();
    assert!((139.0..=141.0).contains(&empty_at), "{empty_at}");
    assert!(r.conservation.holds() && dlq.conservation.holds());
}

/// Whole batches (Lambda without partial batch responses): one failure
/// brings its batch back after the 60 s visibility timeout, successes
/// included. A table that remembers completions for 1 h skips those
/// repeats; one that remembers them for 10 s skips none.
fn idempotent(ttl: &str) -> String {
    format!(
        r#"
duration = "900s"
seed = 12
[queue]
visibility_timeout = "60s"
[[producers]]
rate = 20
[consumers]
count = 5
batch_size = 10
batch_window = "1s"
batch_failure = "whole"
error_rate = 0.02
on_error = "release"
processing = "20ms"
idempotency = {{ ttl = "{ttl}", lookup = "1ms" }}
"#
    )
}

#[test]
fn idempotency_suppresses_repeats_within_its_ttl_only() {
    let long = run_replication(&scenario(&idempotent("1h")), 0).metrics;
    let short = run_replication(&scenario(&idempotent("10s")), 0).metrics;
    assert!(long.duplicates_suppressed > 100.0, "{long:?}");
    assert_eq!(long.side_effect_duplicates, 0.0);
    assert_eq!(long.duplicates, 0.0);
    assert_eq!(short.duplicates_suppressed, 0.0);
    assert!(short.side_effect_duplicates > 100.0, "{short:?}");
    assert_eq!(short.side_effect_duplicates, short.duplicates);
}
