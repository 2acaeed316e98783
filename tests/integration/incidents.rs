//! Incidents against the arithmetic that predicts them: consumer outages
//! (flow argument), retention during an outage, crash rates, queue outages
//! with producer buffers, and scheduled (non-homogeneous Poisson) traffic.
//!
//! Statistical checks use the mean over independent replications and a
//! tolerance of a few standard errors (stated per test), at a fixed seed.

use crate::common::{mean, run_all, scenario, values};
use mqsim::engine::result::ReplicationResult;
use mqsim::stats::summarize;

/// Standard error of the mean over replications.
fn std_error(xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (var / n).sqrt()
}

fn assert_conserved(results: &[ReplicationResult]) {
    for r in results {
        assert!(r.conservation.holds(), "{:?}", r.conservation);
    }
}

/// 10 msg/s, 12 consumers of exp(1 s), all consumers down for 10 minutes.
/// During the outage the backlog grows at 10/s to 6000; afterwards it falls
/// at the spare capacity 12 − 10 = 2/s, so it takes 6000 / 2 = 3000 s.
#[test]
fn consumer_outage_backlog_and_drain_follow_the_flow_argument() {
    let sc = scenario(
        r#"
duration = "2h"
seed = 31
replications = 12
sample_interval = "60s"
[queue]
visibility_timeout = "30s"
[[producers]]
rate = 10
[consumers]
count = 12
batch_size = 1
processing = { dist = "exp", mean = "1s" }
[[faults]]
kind = "consumer-outage"
at = "20m"
duration = "10m"
fraction = 1.0
"#,
    );
    let results = run_all(&sc);
    assert_conserved(&results);

    // Peak: Poisson(6000) arrivals in the outage (sd 77 per replication, 22
    // for the mean of 12), plus the pre-fault queue and the ~10 messages that
    // were in flight and come back after the visibility timeout (tens at
    // most). 2% = 120 messages covers both with room.
    let peak = mean(&results, "backlog_max");
    assert!((peak - 6000.0).abs() < 120.0, "peak backlog {peak}");
    let fault_peak = summarize(
        &results
            .iter()
            .map(|r| r.faults[0].backlog_peak)
            .collect::<Vec<_>>(),
    )
    .mean;
    assert_eq!(fault_peak, peak);

    // Drain: the backlog is a random walk with drift −2/s and variance
    // (10 + 12)/s, so the first-passage time from 6000 has variance
    // 6000 · 22 / 2³ ≈ 16500 s² (sd 128 s, 37 s for the mean of 12). The
    // flow argument itself is exact only to the few messages of the
    // pre-fault level; allow 4 standard errors plus 2% of 3000 s.
    let drains = values(&results, "drain_time");
    let drain = summarize(&drains).mean;
    let tolerance = 4.0 * std_error(&drains) + 60.0;
    assert!(
        (drain - 3000.0).abs() < tolerance,
        "drain {drain} s, tolerance {tolerance}"
    );
    assert!(results.iter().all(|r| r.faults[0].drained));
    assert_eq!(
        drains,
        results
            .iter()
            .map(|r| r.faults[0].drain_time)
            .collect::<Vec<_>>()
    );
}

/// Consumers are down from 10 minutes to the end of the run, and retention is
/// 60 s. Constant arrivals at 10/s are sent at 0.1 s, 0.2 s, …, 3599.9 s
/// (35,999 messages). Every message sent from 600.1 s up to 3539.9 s (29,399)
/// expires while it waits, plus the few that were in flight at 600.05 s and
/// reappear after the visibility timeout; the sends of the last 60 s (600)
/// are still visible at the end (one sent at 3540 s would expire exactly at
/// the horizon, where the run stops).
#[test]
fn retention_shorter_than_an_outage_expires_what_the_arithmetic_says() {
    let sc = scenario(
        r#"
duration = "1h"
seed = 5
replications = 3
[queue]
visibility_timeout = "30s"
retention = "60s"
[[producers]]
rate = 10
arrivals = "constant"
[consumers]
count = 12
batch_size = 1
processing = "500ms"
[[faults]]
kind = "consumer-outage"
at = "600050ms"
duration = "2999950ms"
count = 12
"#,
    );
    let results = run_all(&sc);
    assert_conserved(&results);
    for r in &results {
        let m = &r.metrics;
        // At most consumers × batch_size were in flight when they went down.
        assert!(
            (29_399.0..=29_411.0).contains(&m.expired),
            "expired {}",
            m.expired
        );
        assert_eq!(m.left_visible, 600.0);
        assert_eq!(m.produced, 35_999.0);
        assert_eq!(r.faults[0].expired, m.expired);
    }
}

/// Each consumer crashes at rate 1/mtbf while up and is down for a 30 s
/// restart, so it alternates exp(600 s) up and 30 s down: a renewal process
/// with ≈ horizon / (mtbf + restart) crashes — `consumers × horizon / mtbf`
/// corrected for the time spent down.
#[test]
fn crash_counts_match_the_crash_rate() {
    let sc = scenario(
        r#"
duration = "4h"
seed = 77
replications = 10
[[producers]]
rate = 20
[consumers]
count = 20
processing = { dist = "exp", mean = "200ms" }
request_latency = "50ms"
crash = { mtbf = "10m", restart = "30s" }
"#,
    );
    let results = run_all(&sc);
    assert_conserved(&results);
    let crashes = values(&results, "consumer_crashes");
    let expected = 20.0 * 14_400.0 / 630.0;
    let got = summarize(&crashes).mean;
    // Counts are close to Poisson (sd ≈ √457 ≈ 21 per replication); 4
    // standard errors of the mean over replications.
    let tolerance = 4.0 * std_error(&crashes);
    assert!(
        (got - expected).abs() < tolerance,
        "crashes {got} vs {expected} ± {tolerance}"
    );
    // A crash between a processing and its delete (the 50 ms round trip)
    // leaves work done but not deleted: it is done again, and blamed on the
    // crash.
    let crash_duplicates: u64 = results
        .iter()
        .map(|r| r.duplicates_by_cause.crash_before_delete)
        .sum();
    assert!(crash_duplicates > 0);
    assert_eq!(
        crash_duplicates as f64,
        values(&results, "duplicates").iter().sum::<f64>()
    );
}

/// `per_message = p`: each processing ends in a crash with probability p, at
/// a uniform point of it. Every crash interrupts exactly one processing, so
/// crashes / (completed + crashed processings) estimates p (binomial: with
/// ~70,000 processings a replication at p = 0.005, sd of the estimate over
/// 5 replications ≈ 0.00012; 4 sd tolerance).
#[test]
fn per_message_crashes_happen_in_that_share_of_processings() {
    let sc = scenario(
        r#"
duration = "1h"
seed = 12
replications = 5
[[producers]]
rate = 20
[consumers]
count = 8
batch_size = 1
processing = { dist = "exp", mean = "200ms" }
crash = { per_message = 0.005, restart = "5s" }
"#,
    );
    let results = run_all(&sc);
    assert_conserved(&results);
    let crashes: f64 = values(&results, "consumer_crashes").iter().sum();
    let completed: f64 = values(&results, "processed_ok").iter().sum();
    let share = crashes / (crashes + completed);
    assert!((share - 0.005).abs() < 0.0005, "share {share}");
    // The interrupted work was never done: it is redone, not duplicated.
    assert_eq!(mean(&results, "duplicates"), 0.0);
}

fn queue_outage(attempts: u32, buffer: u32) -> Vec<ReplicationResult> {
    let sc = scenario(&format!(
        r#"
duration = "20m"
seed = 3
replications = 2
[[producers]]
rate = 10
arrivals = "constant"
retry = {{ attempts = {attempts}, backoff = "1s" }}
buffer = {buffer}
[consumers]
count = 4
processing = "100ms"
[[faults]]
kind = "queue-outage"
at = "600050ms"
duration = "60s"
"#
    ));
    let results = run_all(&sc);
    assert_conserved(&results);
    results
}

/// 600 messages arrive during the 60 s outage (constant, 10/s). A producer
/// that does not retry drops all of them; one that retries past the outage
/// keeps `buffer` and drops the rest; one whose 10 retries (10 s) run out
/// drops its whole buffer every 10 s and keeps only the last cycle's buffer.
#[test]
fn queue_outage_drops_what_the_buffer_cannot_hold() {
    for (attempts, buffer, dropped) in [(0, 100, 600.0), (1000, 100, 500.0), (10, 50, 550.0)] {
        for r in queue_outage(attempts, buffer) {
            let m = &r.metrics;
            assert_eq!(m.dropped, dropped, "attempts {attempts}, buffer {buffer}");
            assert_eq!(m.produced + m.dropped, 11_999.0);
            assert_eq!(r.faults[0].dropped, dropped);
        }
    }
}

/// A schedule of 5, 20 and 2 msg/s for an hour each: the sends counted in
/// each hour, summed over replications, pass a chi-square test against the
/// Poisson expectation (3 degrees of freedom, 0.1% critical value 16.27).
#[test]
fn schedule_segments_receive_their_rates() {
    let sc = scenario(
        r#"
duration = "3h"
seed = 8
replications = 10
sample_interval = "1h"
[[producers]]
schedule = [["0s", 5], ["1h", 20], ["2h", 2]]
[consumers]
count = 40
processing = "100ms"
"#,
    );
    let results = run_all(&sc);
    assert_conserved(&results);
    let mut chi2 = 0.0;
    for (hour, rate) in [5.0, 20.0, 2.0].into_iter().enumerate() {
        let observed: f64 = results.iter().map(|r| r.timeseries[hour + 1].sent).sum();
        let expected = rate * 3600.0 * 10.0;
        chi2 += (observed - expected).powi(2) / expected;
    }
    assert!(chi2 < 16.27, "chi-square {chi2}");
}
