//! How well a fitted distribution follows the sample.
//!
//! - Anderson–Darling A² = −n − (1/n) Σ (2i − 1) [ln F(x₍ᵢ₎) + ln(1 − F(x₍ₙ₊₁₋ᵢ₎))]:
//!   the squared distance between the sample's and the fit's CDFs, weighted
//!   by 1/(F(1 − F)), so that misfits in the tails count as much as in the
//!   body. Smaller is better; it ranks the families. Logarithms are floored
//!   at ln 1e-300, so a point far beyond a fit's tail gives a large, finite A².
//! - Its test at 5% with the parameters estimated from the same sample uses
//!   the critical values of Stephens (in D'Agostino & Stephens, *Goodness-of-
//!   Fit Techniques*, 1986, ch. 4): the exponential's A²(1 + 0.6/n) against
//!   1.321, the lognormal's (the normal test on ln x) A²(1 + 0.75/n +
//!   2.25/n²) against 0.752, the Weibull's (the extreme-value test on ln x)
//!   A²(1 + 0.2/√n) against 0.757, and the gamma's A² against a value that
//!   depends on the shape (0.786 at shape 1 down to 0.752 as it grows;
//!   below 1, up to 0.898 at shape 0.25, from our own simulation). `gof_tests.rs` checks that each
//!   rejects about 5% of samples drawn from the family itself.
//! - Kolmogorov–Smirnov D = sup |Fₙ − F|, shown beside it.
//! - The tail check: if the fit were the true distribution (its parameters
//!   taken as known), the sample's q quantile by nearest rank r = ⌈qn⌉
//!   would be F⁻¹(U₍ᵣ₎) with U₍ᵣ₎ ~ Beta(r, n − r + 1), the r-th of n
//!   uniform order statistics: exact, with no simulation. The sample's p99
//!   (and p99.9 when n ≥ 1000) must lie in the central 99% of that; a fit
//!   whose data it is fails each check in 1% of samples. Estimating the
//!   parameters from the same sample draws the fit towards it, so this
//!   errs towards passing.

use serde::Serialize;
use statrs::distribution::{Beta, ContinuousCDF};

use super::families::{Family, ln_cdf_sf, quantile};
use super::sample::nearest_rank;
use crate::dist::Dist;

/// The floor of every logarithm in A².
const LN_FLOOR: f64 = -690.775_527_898_213_7; // ln 1e-300

/// Share of the order-statistic distribution the tail check accepts.
pub const TAIL_LEVEL: f64 = 0.99;

/// The 5% critical values of the gamma's A² by shape: Stephens' table for
/// shapes ≥ 1, below 1 the 95th percentile of 20 000 simulated samples of
/// 200 per shape (`critical_values_by_simulation` in `gof_tests.rs`, which
/// also gives 0.784 and 0.769 at shapes 1 and 2, against the table's 0.786
/// and 0.768). Below shape 0.25 the 0.25 value is used, so the test there
/// rejects somewhat more often than 5%.
const GAMMA_CRITICAL: &[(f64, f64)] = &[
    (0.25, 0.898),
    (0.35, 0.857),
    (0.5, 0.818),
    (0.75, 0.802),
    (1.0, 0.786),
    (2.0, 0.768),
    (3.0, 0.762),
    (4.0, 0.759),
    (5.0, 0.758),
    (6.0, 0.757),
    (8.0, 0.755),
    (10.0, 0.754),
    (20.0, 0.753),
];

/// The Anderson–Darling statistic of a fit and its test at 5%.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AndersonDarling {
    /// A².
    pub a2: f64,
    /// A² times the family's small-sample factor, what the critical value
    /// is compared with.
    pub a2_modified: f64,
    /// The 5% critical value for this family (and shape).
    pub critical_5pct: f64,
    /// Whether the family is rejected at 5%.
    pub rejected_5pct: bool,
}

/// A² of `dist` on `sorted` (ascending, all > 0).
pub fn a2(dist: &Dist, sorted: &[f64]) -> f64 {
    let n = sorted.len();
    let logs: Vec<(f64, f64)> = sorted
        .iter()
        .map(|&x| {
            let (lf, ls) = ln_cdf_sf(dist, x);
            (floor(lf), floor(ls))
        })
        .collect();
    let sum: f64 = (0..n)
        .map(|i| (2 * i + 1) as f64 * (logs[i].0 + logs[n - 1 - i].1))
        .sum();
    -(n as f64) - sum / n as f64
}

fn floor(ln: f64) -> f64 {
    if ln.is_nan() {
        LN_FLOOR
    } else {
        ln.max(LN_FLOOR)
    }
}

/// The Anderson–Darling test of the `family` fit `dist` on `sorted`.
pub fn anderson_darling(family: Family, dist: &Dist, sorted: &[f64]) -> AndersonDarling {
    let a2 = a2(dist, sorted);
    let n = sorted.len() as f64;
    let (factor, critical) = match (family, dist) {
        (Family::Exponential, _) => (1.0 + 0.6 / n, 1.321),
        (Family::Lognormal, _) => (1.0 + 0.75 / n + 2.25 / (n * n), 0.752),
        (Family::Weibull, _) => (1.0 + 0.2 / n.sqrt(), 0.757),
        (Family::Gamma, Dist::Gamma { shape, .. }) => (1.0, gamma_critical(*shape)),
        (Family::Gamma, _) => (1.0, 0.752),
    };
    AndersonDarling {
        a2,
        a2_modified: a2 * factor,
        critical_5pct: critical,
        rejected_5pct: a2 * factor > critical,
    }
}

/// [`GAMMA_CRITICAL`] interpolated linearly in 1/shape (0.752 at infinity,
/// the normal's; the smallest shape's value below it).
fn gamma_critical(shape: f64) -> f64 {
    let table = GAMMA_CRITICAL;
    if shape <= table[0].0 {
        return table[0].1;
    }
    let inv = 1.0 / shape;
    let mut upper = (0.0, 0.752); // (1/shape, value) at shape = ∞
    for &(k, v) in table.iter().rev() {
        let lower = (1.0 / k, v);
        if inv <= lower.0 {
            let t = (inv - upper.0) / (lower.0 - upper.0);
            return upper.1 + t * (lower.1 - upper.1);
        }
        upper = lower;
    }
    table[0].1
}

/// Kolmogorov–Smirnov D of `dist` on `sorted`.
pub fn ks_d(dist: &Dist, sorted: &[f64]) -> f64 {
    let n = sorted.len() as f64;
    sorted
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = dist.cdf(x);
            ((i + 1) as f64 / n - f).max(f - i as f64 / n)
        })
        .fold(0.0, f64::max)
}

/// One sample quantile against the range it would fall in were the fit true.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QuantileCheck {
    /// Which quantile (0.99, 0.999).
    pub q: f64,
    /// The sample's, seconds.
    pub sample: f64,
    /// The fit's own quantile, seconds.
    pub fit: f64,
    /// Lower end of the central 99% range of the sample quantile under the fit.
    pub low: f64,
    /// Upper end of that range.
    pub high: f64,
    /// Whether the sample's lies in it.
    pub inside: bool,
}

/// The tail check of a fit: p99, and p99.9 when n ≥ 1000.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TailCheck {
    /// The sample's p99 against the fit.
    pub p99: QuantileCheck,
    /// The sample's p99.9 against the fit (n ≥ 1000 only).
    pub p999: Option<QuantileCheck>,
    /// Whether every check passes.
    pub follows: bool,
}

/// The tail check of `dist` on `sorted` (ascending).
pub fn tail_check(dist: &Dist, sorted: &[f64]) -> TailCheck {
    let p99 = quantile_check(dist, sorted, 0.99);
    let p999 = (sorted.len() >= 1000).then(|| quantile_check(dist, sorted, 0.999));
    let follows = p99.inside && p999.as_ref().is_none_or(|c| c.inside);
    TailCheck { p99, p999, follows }
}

fn quantile_check(dist: &Dist, sorted: &[f64], q: f64) -> QuantileCheck {
    let n = sorted.len();
    let sample = sorted[nearest_rank(q, n) - 1];
    let (low, high) = sample_quantile_range(dist, n, q, TAIL_LEVEL);
    QuantileCheck {
        q,
        sample,
        fit: quantile(dist, q),
        low,
        high,
        inside: low <= sample && sample <= high,
    }
}

/// The central `level` range of the nearest-rank `q` quantile of `n`
/// draws from `dist`.
pub fn sample_quantile_range(dist: &Dist, n: usize, q: f64, level: f64) -> (f64, f64) {
    let r = nearest_rank(q, n) as f64;
    let Ok(order) = Beta::new(r, n as f64 - r + 1.0) else {
        return (f64::NAN, f64::NAN);
    };
    let tail = (1.0 - level) / 2.0;
    let at = |u: f64| quantile(dist, order.inverse_cdf(u));
    (at(tail), at(1.0 - tail))
}

#[cfg(test)]
#[path = "gof_tests.rs"]
mod tests;
