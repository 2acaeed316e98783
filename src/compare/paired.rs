//! The paired difference of two alternatives run with common random
//! numbers: per replication `d_r = B_r − A_r`, their mean, the Student-t
//! 95% interval of that mean (`mean ± t(0.975, R−1)·s_d/√R`), and the
//! relative change `mean(d) / mean(A)`.
//!
//! The interval is not clipped: a difference may be of either sign. With
//! one replication there is none. Because replication *r* of both
//! alternatives shares its random streams, `Var(d) = Var(A) + Var(B) −
//! 2 Cov(A, B)` is smaller than the `Var(A) + Var(B)` of independent runs
//! whenever the alternatives respond alike to the same traffic, which is
//! what [`unpaired_half_width`] is the yardstick for.

use serde::Serialize;

use crate::stats::{Stat, summarize};

/// The paired difference of an alternative from the first one.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Paired {
    /// Mean of the per-replication differences.
    pub mean: f64,
    /// Lower end of its Student-t 95% interval.
    pub ci95_low: Option<f64>,
    /// Upper end of its Student-t 95% interval.
    pub ci95_high: Option<f64>,
    /// `mean / mean(A)` in percent; `None` when the first alternative's
    /// mean is 0 (or not a number).
    pub pct: Option<f64>,
}

impl Paired {
    /// Half the width of the interval.
    pub fn half_width(&self) -> Option<f64> {
        Some((self.ci95_high? - self.ci95_low?) / 2.0)
    }

    /// Whether the interval leaves out 0: the alternatives differ beyond
    /// the noise of the replications. A difference of exactly 0 in every
    /// replication is no difference.
    pub fn excludes_zero(&self) -> bool {
        match (self.ci95_low, self.ci95_high) {
            (Some(lo), Some(hi)) => lo > 0.0 || hi < 0.0,
            _ => false,
        }
    }

    /// Whether every replication gave the same value in both alternatives.
    pub fn is_exactly_zero(&self) -> bool {
        self.mean == 0.0 && self.half_width() == Some(0.0)
    }
}

/// The paired difference `alt − base`, replication by replication (both in
/// replication order, of the same length).
pub fn paired(base: &[f64], alt: &[f64]) -> Paired {
    debug_assert_eq!(
        base.len(),
        alt.len(),
        "paired runs have the same replications"
    );
    let d: Vec<f64> = alt.iter().zip(base).map(|(b, a)| b - a).collect();
    let s = summarize(&d);
    let base_mean = summarize(base).mean;
    let pct = (base_mean != 0.0 && base_mean.is_finite()).then(|| s.mean / base_mean * 100.0);
    Paired {
        mean: s.mean,
        ci95_low: s.ci95_low,
        ci95_high: s.ci95_high,
        pct: pct.filter(|p| p.is_finite()),
    }
}

/// Half the width of a summary's 95% interval.
pub fn half_width(s: &Stat) -> Option<f64> {
    Some((s.ci95_high? - s.ci95_low?) / 2.0)
}

/// The half-width the difference of two *independent* means would have,
/// `√(hw_A² + hw_B²)`: what the paired interval is compared with.
pub fn unpaired_half_width(a: &Stat, b: &Stat) -> Option<f64> {
    Some(half_width(a)?.hypot(half_width(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::t_975;

    #[test]
    fn identical_alternatives_differ_by_exactly_zero() {
        let a = [3.0, 5.5, 4.25, 7.0];
        let p = paired(&a, &a);
        assert_eq!(
            (p.mean, p.ci95_low, p.ci95_high),
            (0.0, Some(0.0), Some(0.0))
        );
        assert_eq!(p.pct, Some(0.0));
        assert!(p.is_exactly_zero() && !p.excludes_zero());
    }

    #[test]
    fn the_interval_is_student_t_on_the_differences() {
        let a = [10.0, 12.0, 11.0, 15.0];
        let b = [8.0, 11.0, 9.0, 12.0]; // d = -2, -1, -2, -3
        let p = paired(&a, &b);
        assert_eq!(p.mean, -2.0);
        let sd = (2.0f64 / 3.0).sqrt();
        let half = t_975(3) * sd / 2.0;
        assert!((p.half_width().unwrap() - half).abs() < 1e-12);
        assert!((p.pct.unwrap() - (-2.0 / 12.0 * 100.0)).abs() < 1e-12);
        assert!(p.excludes_zero());
    }

    #[test]
    fn pairing_removes_the_shared_noise() {
        // Replications that vary a lot, with B a little below A in each:
        // the paired interval is far tighter than the independent one.
        let a = [30.0, 45.0, 22.0, 60.0, 38.0, 51.0];
        let b: Vec<f64> = a
            .iter()
            .zip([1.0, 1.4, 0.8, 1.9, 1.2, 1.1])
            .map(|(x, e)| x - e)
            .collect();
        let p = paired(&a, &b);
        let unpaired = unpaired_half_width(&summarize(&a), &summarize(&b)).unwrap();
        assert!(
            p.half_width().unwrap() < unpaired / 10.0,
            "{p:?} vs {unpaired}"
        );
        assert!(p.excludes_zero());
    }

    #[test]
    fn no_relative_change_from_zero_and_no_interval_from_one_replication() {
        let p = paired(&[0.0, 0.0], &[1.0, 3.0]);
        assert_eq!((p.mean, p.pct), (2.0, None));
        let p = paired(&[4.0], &[5.0]);
        assert_eq!((p.ci95_low, p.half_width()), (None, None));
        assert!(!p.excludes_zero());
    }
}
