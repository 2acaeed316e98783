//! Statistics across independent replications.
//!
//! Each replication is one independent run (its own seed), so the per-
//! replication values of a metric are i.i.d. and the classic Student-t
//! interval applies: `mean ± t(0.975, R−1) · s / √R`, with `s` the sample
//! standard deviation (denominator `R−1`). With a single replication there is
//! no interval: the bounds are `None` (written as `null` / empty).
//!
//! Every metric has a range (`[0, ∞)` for counts, times, rates and costs,
//! `[0, 1]` for shares such as utilisation). The t interval knows nothing of
//! it and can reach outside (`[-0.003, 1.2]` for a count that is almost
//! always 0); [`summarize_in`] intersects the interval with the range.
//! The true mean lies in the range, so whenever the t interval covers it so
//! does the intersection: the coverage stays 95%, only impossible values go.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Summary of one metric over replications.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Stat {
    /// Sample mean.
    pub mean: f64,
    /// Lower end of the Student-t 95% interval of the mean.
    pub ci95_low: Option<f64>,
    /// Upper end of the Student-t 95% interval of the mean.
    pub ci95_high: Option<f64>,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom (`df >= 1`).
pub fn t_975(df: u32) -> f64 {
    StudentsT::new(0.0, 1.0, f64::from(df.max(1)))
        .map(|t| t.inverse_cdf(0.975))
        .unwrap_or(f64::NAN)
}

/// The values a metric can take: `[low, high]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    /// Smallest possible value.
    pub low: f64,
    /// Largest possible value.
    pub high: f64,
}

impl Range {
    /// Counts, times, rates, costs: `[0, ∞)`.
    pub const NON_NEGATIVE: Range = Range {
        low: 0.0,
        high: f64::INFINITY,
    };
    /// Shares such as utilisation: `[0, 1]`.
    pub const SHARE: Range = Range {
        low: 0.0,
        high: 1.0,
    };
}

/// The range of the metric called `name` (of `Metrics`, a fault outcome or
/// a duplicate cause): every metric is non-negative, and
/// `consumer_utilization` is a share. `duplicate_rate` is not a share: a
/// message processed three times counts two duplicates for one delete.
pub fn metric_range(name: &str) -> Range {
    match name {
        "consumer_utilization" => Range::SHARE,
        _ => Range::NON_NEGATIVE,
    }
}

/// [`summarize`] with the 95% interval intersected with `range` (see the
/// module docs for why that is still a 95% interval).
pub fn summarize_in(values: &[f64], range: Range) -> Stat {
    let clip = |v: f64| v.clamp(range.low, range.high);
    let s = summarize(values);
    Stat {
        ci95_low: s.ci95_low.map(clip),
        ci95_high: s.ci95_high.map(clip),
        ..s
    }
}

/// Mean, Student-t 95% interval, min and max of `values` (one per
/// replication), the interval as computed (possibly outside the metric's
/// range: see [`summarize_in`]). Empty input gives all-NaN.
pub fn summarize(values: &[f64]) -> Stat {
    let n = values.len();
    if n == 0 {
        return Stat {
            mean: f64::NAN,
            ci95_low: None,
            ci95_high: None,
            min: f64::NAN,
            max: f64::NAN,
        };
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (ci95_low, ci95_high) = if n >= 2 {
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let half = t_975((n - 1) as u32) * (var / n as f64).sqrt();
        (Some(mean - half), Some(mean + half))
    } else {
        (None, None)
    };
    Stat {
        mean,
        ci95_low,
        ci95_high,
        min,
        max,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_tables() {
        assert!((t_975(1) - 12.706).abs() < 1e-3);
        assert!((t_975(9) - 2.262).abs() < 1e-3);
        assert!((t_975(29) - 2.045).abs() < 1e-3);
        assert!((t_975(1000) - 1.962).abs() < 1e-3);
    }

    #[test]
    fn summarize_gives_student_interval() {
        let s = summarize(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(s.mean, 2.5);
        assert_eq!((s.min, s.max), (1.0, 4.0));
        // s = 1.29099, t(3) = 3.18245, half = 3.18245 * 1.29099 / 2
        let half = 3.182_446 * 1.290_994 / 2.0;
        assert!((s.ci95_high.unwrap() - (2.5 + half)).abs() < 1e-4);
        assert!((s.ci95_low.unwrap() - (2.5 - half)).abs() < 1e-4);
    }

    #[test]
    fn intervals_are_clipped_to_the_metric_range() {
        // A count that is 0 in most replications: the t interval dips below 0.
        let values = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3.0];
        let raw = summarize(&values);
        assert!(raw.ci95_low.unwrap() < 0.0);
        let s = summarize_in(&values, Range::NON_NEGATIVE);
        assert_eq!(s.ci95_low, Some(0.0));
        assert_eq!(s.ci95_high, raw.ci95_high);
        assert_eq!((s.mean, s.min, s.max), (raw.mean, raw.min, raw.max));
        // A share near 1 cannot have an upper end above 1.
        let s = summarize_in(&[0.99, 1.0, 0.9, 1.0], Range::SHARE);
        assert_eq!(s.ci95_high, Some(1.0));
        assert!(s.ci95_low.unwrap() > 0.0 && s.ci95_low.unwrap() < 0.9);
        assert_eq!(summarize_in(&[7.0], Range::SHARE).ci95_low, None);
    }

    #[test]
    fn one_replication_has_no_interval() {
        let s = summarize(&[7.0]);
        assert_eq!(s.mean, 7.0);
        assert_eq!(s.ci95_low, None);
    }
}
