//! Turning replications into estimates and estimates into verdicts.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

use super::Mode;
use super::suite::{Expectation, Model, Quantity};
use super::{network, resources};
use crate::engine::result::ReplicationResult;
use crate::stats::summarize;

/// Two-sided error probability of one statistical check.
pub const ALPHA: f64 = 1e-4;

/// Relative tolerance of the exact identities (Little's law with a drained
/// run): floating-point sums of microseconds, nothing statistical.
const IDENTITY_TOLERANCE: f64 = 1e-9;

/// The outcome of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Theory is inside the interval and the interval is narrow enough.
    Pass,
    /// Theory is outside the interval (or an identity does not hold).
    Fail,
    /// Theory is inside, but the interval is too wide to resolve the bias the
    /// mode promises to catch: more replications or messages are needed.
    Imprecise,
}

/// One row of the validation table.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    /// Model name.
    pub model: String,
    /// Quantity name.
    pub quantity: String,
    /// Theory (for identities: the side computed from the run).
    pub theory: f64,
    /// Mean over replications.
    pub mean: f64,
    /// Student-t 95% interval of the mean (for a share: the binomial 95%
    /// interval of the pooled share).
    pub ci95_low: f64,
    /// Upper end of the 95% interval.
    pub ci95_high: f64,
    /// Half-width of the 99.99% interval the verdict uses (0 for identities;
    /// for a share, of the exact binomial interval of the pooled share).
    pub tolerance: f64,
    /// Replications behind the estimate.
    pub replications: usize,
    /// The verdict.
    pub verdict: Verdict,
}

/// Every expectation of `model` judged on its replications.
pub fn judge_model(model: &Model, results: &[ReplicationResult], mode: Mode) -> Vec<Check> {
    model
        .expectations
        .iter()
        .map(|e| judge(model, e, results, mode))
        .collect()
}

fn judge(model: &Model, e: &Expectation, results: &[ReplicationResult], mode: Mode) -> Check {
    let row = |theory: f64, values: &[f64], tolerance: f64, verdict: Verdict| {
        let s = summarize(values);
        Check {
            model: model.name.clone(),
            quantity: e.quantity.label(),
            theory,
            mean: s.mean,
            ci95_low: s.ci95_low.unwrap_or(s.mean),
            ci95_high: s.ci95_high.unwrap_or(s.mean),
            tolerance,
            replications: values.len(),
            verdict,
        }
    };
    match e.quantity {
        Quantity::Conservation => {
            // Totals over replications; an identity has no interval.
            let produced: u64 = results.iter().map(|r| r.conservation.produced).sum();
            let accounted: u64 = results.iter().map(|r| r.conservation.accounted).sum();
            let holds = results
                .iter()
                .all(|r| r.conservation.holds() && r.queues.iter().all(|q| q.conservation.holds()));
            let mut check = row(produced as f64, &[accounted as f64], 0.0, pass_if(holds));
            check.replications = results.len();
            (check.ci95_low, check.ci95_high) = (f64::NAN, f64::NAN);
            check
        }
        Quantity::LittlesLaw => {
            let rate_times_wait: Vec<f64> = results.iter().map(little_rhs).collect();
            let backlog: Vec<f64> = results.iter().map(|r| r.metrics.backlog_mean).collect();
            let holds = backlog
                .iter()
                .zip(&rate_times_wait)
                .all(|(l, rw)| (l - rw).abs() <= IDENTITY_TOLERANCE * rw.abs().max(1e-12));
            let theory = summarize(&rate_times_wait).mean;
            row(theory, &backlog, 0.0, pass_if(holds))
        }
        Quantity::Copies { .. } | Quantity::Share { .. } => {
            network::judge_counts(model, e, results, mode)
        }
        q => {
            let values: Vec<f64> = results.iter().map(|r| estimate(q, r)).collect();
            let half = half_width(&values);
            let mean = summarize(&values).mean;
            let verdict = if (mean - e.theory).abs() > half {
                Verdict::Fail
            } else if half > mode.resolution() * e.theory.abs() {
                Verdict::Imprecise
            } else {
                Verdict::Pass
            };
            row(e.theory, &values, half, verdict)
        }
    }
}

fn pass_if(ok: bool) -> Verdict {
    if ok { Verdict::Pass } else { Verdict::Fail }
}

/// One replication's estimate of a statistical quantity.
fn estimate(q: Quantity, r: &ReplicationResult) -> f64 {
    match q {
        Quantity::WaitMean => r.metrics.wait_mean,
        Quantity::SojournMean => r.metrics.latency_mean,
        // A wait of 0 is recorded as 1 µs, the histogram's lowest value.
        Quantity::WaitProbability => {
            let zero = r.wait.count_between(0, 1) as f64;
            1.0 - zero / r.wait.len().max(1) as f64
        }
        Quantity::SojournQuantile(p) => crate::engine::recorder::quantile_secs(&r.latency, p),
        // A network queue's own figures (NaN, so a failure, if it is missing).
        Quantity::QueueWaitMean(name) => {
            network::queue(r, name).map_or(f64::NAN, |q| q.metrics.wait_mean)
        }
        Quantity::QueueSojournMean(name) => {
            network::queue(r, name).map_or(f64::NAN, |q| q.metrics.latency_mean)
        }
        Quantity::JourneyMean(name) => {
            network::queue(r, name).map_or(f64::NAN, |q| q.journey_latency_mean)
        }
        Quantity::WaitWithResources => {
            r.metrics.wait_mean
                + r.resources
                    .first()
                    .map_or(f64::NAN, |x| x.metrics.wait_mean)
        }
        Quantity::ResourceUtilization(name) => r
            .resources
            .iter()
            .find(|x| x.name == name)
            .map_or(f64::NAN, |x| x.metrics.utilization),
        Quantity::Throughput(name) => resources::throughput(r, name),
        Quantity::UslPeak => resources::usl_peak(r),
        Quantity::LittlesLaw
        | Quantity::Conservation
        | Quantity::Copies { .. }
        | Quantity::Share { .. } => f64::NAN,
    }
}

/// The right-hand side of Little's law for a run from 0 that drained:
/// realised arrival rate (produced / run length) × mean wait.
fn little_rhs(r: &ReplicationResult) -> f64 {
    r.metrics.produced / r.end * r.metrics.wait_mean
}

/// Half-width of the `1 − ALPHA` Student-t interval of the mean.
fn half_width(values: &[f64]) -> f64 {
    let n = values.len();
    if n < 2 {
        return f64::INFINITY;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let t = StudentsT::new(0.0, 1.0, (n - 1) as f64)
        .map(|t| t.inverse_cdf(1.0 - ALPHA / 2.0))
        .unwrap_or(f64::INFINITY);
    t * (var / n as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verdict_interval_uses_the_t_quantile_of_alpha() {
        // t(1 − 5e-5, 39) ≈ 4.35 (tables); values ±1 → sd √(40/39), se ≈ 0.16.
        let values: Vec<f64> = (0..40)
            .map(|i| if i % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        let se = (40.0f64 / 39.0 / 40.0).sqrt();
        let t = half_width(&values) / se;
        assert!((t - 4.35).abs() < 0.02, "t = {t}");
        assert_eq!(half_width(&[1.0]), f64::INFINITY);
    }
}
