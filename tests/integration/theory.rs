//! The engine against queueing theory: M/M/1 and M/M/c (batch 1, long
//! visibility timeout, no faults, no API latency), where a consumer is a
//! server and the visible queue is the FIFO waiting line. The mean over
//! replications must hold the Erlang C value inside its 95% interval.
//!
//! Latency (send → completion) is the sojourn time W; wait (send → first
//! receive) is the waiting time Wq.

use crate::common::{run_all, scenario};
use mqsim::engine::result::ReplicationResult;
use mqsim::stats::summarize;

/// Erlang C: probability that an arrival waits in M/M/c (offered load a = λ/μ).
fn erlang_c(c: u32, a: f64) -> f64 {
    let mut b = 1.0; // Erlang B by the stable recursion
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    f64::from(c) * b / (f64::from(c) - a * (1.0 - b))
}

/// (Wq, W) of M/M/c.
fn mmc_waits(lambda: f64, mu: f64, c: u32) -> (f64, f64) {
    let wq = erlang_c(c, lambda / mu) / (f64::from(c) * mu - lambda);
    (wq, wq + 1.0 / mu)
}

fn mmc_scenario(lambda: f64, mean_service: f64, c: u32, duration: &str) -> String {
    format!(
        r#"
duration = "{duration}"
warmup = "2000s"
seed = 2024
replications = 20
sample_interval = "600s"
[queue]
visibility_timeout = "12h"
[[producers]]
rate = {lambda}
[consumers]
count = {c}
batch_size = 1
processing = {{ dist = "exp", mean = "{mean_service}s" }}
"#
    )
}

fn assert_covers(name: &str, values: &[f64], theory: f64) {
    let s = summarize(values);
    let (lo, hi) = (s.ci95_low.unwrap(), s.ci95_high.unwrap());
    assert!(
        lo <= theory && theory <= hi,
        "{name}: theory {theory:.5} outside [{lo:.5}, {hi:.5}] (mean {:.5})",
        s.mean
    );
    // The interval must also be tight enough to mean something (< 6% of the value).
    assert!(
        (hi - lo) / theory < 0.12,
        "{name}: interval too wide: [{lo}, {hi}]"
    );
}

fn check_mmc(lambda: f64, mu: f64, c: u32, duration: &str) -> Vec<ReplicationResult> {
    let sc = scenario(&mmc_scenario(lambda, 1.0 / mu, c, duration));
    let results = run_all(&sc);
    let (wq, w) = mmc_waits(lambda, mu, c);
    let sojourn: Vec<f64> = results.iter().map(|r| r.metrics.latency_mean).collect();
    let wait: Vec<f64> = results.iter().map(|r| r.metrics.wait_mean).collect();
    assert_covers(&format!("M/M/{c} W"), &sojourn, w);
    assert_covers(&format!("M/M/{c} Wq"), &wait, wq);
    for r in &results {
        assert!(r.conservation.holds());
    }
    results
}

#[test]
fn mm1_at_load_0_7_matches_theory() {
    check_mmc(0.7, 1.0, 1, "40000s");
}

#[test]
fn mmc_10_servers_at_load_0_9_matches_erlang_c() {
    let results = check_mmc(9.0, 1.0, 10, "40000s");
    // Sojourn p99 from the exact FIFO M/M/c sojourn distribution
    // (theory.py mmc --lam 9 --mu 1 --c 10: 6.24988 s).
    let p99: Vec<f64> = results.iter().map(|r| r.metrics.latency_p99).collect();
    assert_covers("M/M/10 sojourn p99", &p99, 6.249_877);
}

#[test]
fn mmc_3_servers_at_load_0_8_matches_erlang_c() {
    check_mmc(2.4, 1.0, 3, "40000s");
}

#[test]
fn erlang_c_helper_matches_reference_values() {
    // shared/reference/theory.py mmc --lam 9 --mu 1 --c 10
    let (wq, w) = mmc_waits(9.0, 1.0, 10);
    assert!((wq - 0.668_731_524).abs() < 1e-8, "{wq}");
    assert!((w - 1.668_731_524).abs() < 1e-8);
}
