//! Shared-resource models of the validation suite.
//!
//! **M/M/10 through a connection pool**: Poisson arrivals (λ = 8/s) at a
//! queue whose 50 consumers do nothing but hold one of 10 connections for
//! an exponential time (mean 1 s). A consumer receives at once (50 ≫ the
//! ~8 messages in service), then waits first come first served for a
//! connection: the connections are the servers of an M/M/10 queue at
//! ρ = 0.8, the wait in queue is the queue's wait (≈ 0) plus the wait for
//! a connection, and the sojourn is the message's latency. The mean
//! utilisation of the pool is ρ.
//!
//! **The USL curve**: five queues with `initial_backlog`s far larger than
//! they can process in the run, each with its own fleet of N consumers
//! (N = 5, 15, 35, 60, 90) holding its own resource of capacity N with USL
//! contention (σ = 0.04, κ = 0.0008). With no request latency and no own
//! processing, every consumer always holds its resource, so N holds run at
//! once and each lasts an exponential time of mean `S · (1 + σ(N−1) +
//! κN(N−1))`: the queue's completions are a Poisson process of rate
//! `X(N) = N / (S (1 + σ(N−1) + κN(N−1)))`. Each replication fits the USL
//! to its five throughputs (least squares on
//! `N X(1) / X(N) − 1 = σ(N−1) + κN(N−1)`, with `X(1) = 1/S` known) and yields an estimate of the peak
//! `sqrt((1 − σ) / κ)`; the mean of those estimates is judged like any
//! other mean.

use super::Mode;
use super::suite::{Model, Quantity, expect, parse};
use super::theory::Mmc;
use crate::engine::result::ReplicationResult;

/// The USL parameters of the curve model.
pub const SIGMA: f64 = 0.04;
/// See [`SIGMA`].
pub const KAPPA: f64 = 0.0008;
/// Mean hold before contention, seconds.
const HOLD: f64 = 0.01;
/// The fleets (and resource capacities) of the curve model.
pub const HOLDERS: [u32; 5] = [5, 15, 35, 60, 90];

/// The resource models: the pool as M/M/10, then the USL curve.
pub fn models(mode: Mode) -> Vec<Model> {
    let shrink = match mode {
        Mode::Full => 1.0,
        Mode::Quick => 0.1,
    };
    vec![pool(shrink), usl_curve(shrink)]
}

/// `X(N)` of the curve model, per second.
pub fn usl_throughput(n: u32) -> f64 {
    let n = f64::from(n);
    n / (HOLD * (1.0 + SIGMA * (n - 1.0) + KAPPA * n * (n - 1.0)))
}

fn pool(shrink: f64) -> Model {
    let theory = Mmc {
        lambda: 8.0,
        mu: 1.0,
        c: 10,
    };
    let messages = 2.0e6 * shrink;
    // 20 relaxation times of M/M/10 at 0.8 (as the single-queue models).
    let warmup = (20.0 / (10.0 * (1.0 - 0.8f64.sqrt()).powi(2))).ceil();
    let duration = (warmup + messages / theory.lambda).ceil();
    let text = format!(
        r#"
name = "validate-pool"
duration = {duration}
warmup = {warmup}
replications = 40
sample_interval = {sample}
[queue]
visibility_timeout = "12h"
retention = "14d"
[[producers]]
rate = {lambda}
[consumers]
count = 50
batch_size = 1
uses = [{{ resource = "pool", hold = {{ dist = "exp", mean = "1s" }} }}]
[resources.pool]
capacity = 10
"#,
        sample = (duration / 100.0).ceil(),
        lambda = theory.lambda,
    );
    Model {
        name: "M/M/10 as a 10-conn pool".into(),
        scenario: parse(&text),
        expectations: vec![
            expect(Quantity::WaitWithResources, theory.wq()),
            expect(Quantity::SojournMean, theory.w()),
            expect(Quantity::ResourceUtilization("pool"), 0.8),
        ],
    }
}

fn usl_curve(shrink: f64) -> Model {
    let duration = (200.0 * shrink).ceil();
    let mut text = format!(
        r#"
name = "validate-usl"
duration = {duration}
replications = 40
sample_interval = {duration}
# The file needs a producer; its few messages join q5's backlog.
[[producers]]
rate = 0.001
to = "q{first}"
"#,
        first = HOLDERS[0]
    );
    let mut expectations = Vec::new();
    for n in HOLDERS {
        // Twice what the run can take, so nobody ever waits for work.
        let backlog = (2.0 * usl_throughput(n) * duration).ceil();
        text += &format!(
            r#"
[queues.q{n}]
visibility_timeout = "12h"
retention = "14d"
initial_backlog = {backlog}
[queues.q{n}.consumers]
count = {n}
batch_size = 1
uses = [{{ resource = "r{n}", hold = {{ dist = "exp", mean = "{HOLD}s" }} }}]
[resources.r{n}]
capacity = {n}
contention = {{ model = "usl", sigma = {SIGMA}, kappa = {KAPPA} }}
"#
        );
        expectations.push(expect(
            Quantity::Throughput(queue_name(n)),
            usl_throughput(n),
        ));
    }
    expectations.push(expect(Quantity::UslPeak, ((1.0 - SIGMA) / KAPPA).sqrt()));
    Model {
        name: "USL curve, N = 5..90".into(),
        scenario: parse(&text),
        expectations,
    }
}

/// The queue of the curve model with `n` holders.
fn queue_name(n: u32) -> &'static str {
    match n {
        5 => "q5",
        15 => "q15",
        35 => "q35",
        60 => "q60",
        _ => "q90",
    }
}

/// Completions per second at queue `name` over the whole run.
pub fn throughput(r: &ReplicationResult, name: &str) -> f64 {
    super::network::queue(r, name).map_or(f64::NAN, |q| q.metrics.deleted / r.end)
}

/// One replication's estimate of the USL peak: the least-squares fit of
/// `y = σ(N−1) + κN(N−1)`, `y = N X(1) / X(N) − 1`, to the curve
/// model's queues.
pub fn usl_peak(r: &ReplicationResult) -> f64 {
    usl_peak_of(|n| throughput(r, queue_name(n)))
}

/// The fitted peak of throughputs `x(N)` at [`HOLDERS`].
fn usl_peak_of(x: impl Fn(u32) -> f64) -> f64 {
    let x1 = 1.0 / HOLD;
    let rows: Vec<(f64, f64, f64)> = HOLDERS
        .iter()
        .map(|&n| {
            let nf = f64::from(n);
            let y = nf * x1 / x(n) - 1.0;
            (nf - 1.0, nf * (nf - 1.0), y)
        })
        .collect();
    // Normal equations of the two-parameter fit without intercept.
    let (mut aa, mut ab, mut bb, mut ay, mut by) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (a, b, y) in rows {
        aa += a * a;
        ab += a * b;
        bb += b * b;
        ay += a * y;
        by += b * y;
    }
    let det = aa * bb - ab * ab;
    let sigma = (ay * bb - by * ab) / det;
    let kappa = (aa * by - ab * ay) / det;
    ((1.0 - sigma) / kappa).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fit_recovers_the_peak_from_exact_throughputs() {
        let peak = usl_peak_of(usl_throughput);
        assert!(
            (peak - ((1.0 - SIGMA) / KAPPA).sqrt()).abs() < 1e-9,
            "{peak}"
        );
        // 1% less throughput everywhere is a larger sigma and kappa.
        assert!(usl_peak_of(|n| 0.99 * usl_throughput(n)) != peak);
    }
}
