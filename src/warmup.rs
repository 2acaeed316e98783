//! Warm-up advice: MSER-5 (White 1997) on a run's time series.
//!
//! The series is the number of messages in the system (`visible +
//! in_flight`), mean over replications, from 0 up to the first fault or the
//! end of sending, whichever is first; faults and the drain phase are not
//! steady state. Producers with a schedule or a trace have no steady state
//! to reach, so no advice is given for them. See `docs/statistics.md`.

use crate::engine::result::ReplicationResult;
use crate::scenario::{Arrivals, Scenario};

/// Samples per MSER batch.
const BATCH: usize = 5;

/// Fewest batches worth judging.
const MIN_BATCHES: usize = 20;

/// The MSER-5 truncation point of `series`, in samples: the `d · 5` that
/// minimises the squared standard error `Σ_{j>d} (Z_j − Z̄_d)² / (m − d)²` of
/// the batch means `Z` left after dropping `d` batches. The search runs to 5
/// batches before the end; a minimum in the second half is MSER's known
/// sign of a run too short or not stationary, and gives no answer (as in
/// Hoad, Robinson & Davies 2010). `None` also with fewer than 20 batches.
pub fn mser5(series: &[f64]) -> Option<usize> {
    let batches: Vec<f64> = series
        .chunks_exact(BATCH)
        .map(|c| c.iter().sum::<f64>() / BATCH as f64)
        .collect();
    let m = batches.len();
    if m < MIN_BATCHES {
        return None;
    }
    let mut best = (f64::INFINITY, 0);
    for d in 0..=m - BATCH {
        let rest = &batches[d..];
        let n = rest.len() as f64;
        let mean = rest.iter().sum::<f64>() / n;
        let sse = rest.iter().map(|z| (z - mean).powi(2)).sum::<f64>();
        let score = sse / (n * n);
        if score < best.0 {
            best = (score, d);
        }
    }
    (best.1 <= m / 2).then_some(best.1 * BATCH)
}

/// The warm-up MSER-5 suggests for `sc` from its replications, in seconds,
/// when it is longer than the scenario's own by more than 5% of the span
/// analysed (less makes no material difference); `None` when the scenario's
/// is long enough or no advice applies.
pub fn suggest_warmup(sc: &Scenario, results: &[ReplicationResult]) -> Option<f64> {
    let steady = sc
        .producers
        .iter()
        .all(|p| p.schedule.is_empty() && !matches!(p.arrivals, Arrivals::Trace { .. }));
    if !steady || results.is_empty() {
        return None;
    }
    let first_fault = sc.faults.iter().map(|f| f.at).min().unwrap_or(sc.duration);
    let limit = first_fault.min(sc.duration).as_secs_f64();
    let interval = sc.sample_interval.as_secs_f64();
    let series: Vec<f64> = results[0]
        .timeseries
        .iter()
        .enumerate()
        .take_while(|(_, s)| s.time < limit)
        .map(|(i, _)| {
            let total: f64 = results
                .iter()
                .filter_map(|r| r.timeseries.get(i))
                .map(|s| s.visible + s.in_flight)
                .sum();
            total / results.len() as f64
        })
        .collect();
    let suggested = mser5(&series)? as f64 * interval;
    let shortfall = suggested - sc.warmup.as_secs_f64();
    (shortfall > 0.05 * limit).then_some(suggested)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(n: usize, seed: u64) -> Vec<f64> {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(seed);
        (0..n).map(|_| rng.random::<f64>() - 0.5).collect()
    }

    #[test]
    fn a_stationary_series_needs_little_or_no_truncation() {
        // I.i.d. noise around 10: whatever MSER picks is a few batches at most.
        for seed in 0..20 {
            let series: Vec<f64> = noise(1000, seed).iter().map(|e| 10.0 + e).collect();
            assert!(mser5(&series).is_none_or(|d| d <= 100), "seed {seed}");
        }
    }

    #[test]
    fn a_ramp_from_empty_is_cut_where_it_levels_off() {
        // 0 → 100 over the first 100 samples, then flat with a little noise.
        let series: Vec<f64> = noise(1000, 7)
            .iter()
            .enumerate()
            .map(|(i, e)| (i as f64).min(100.0) + e)
            .collect();
        let d = mser5(&series).unwrap();
        assert!((90..=110).contains(&d), "d = {d}");
    }

    #[test]
    fn short_series_get_no_advice() {
        assert_eq!(mser5(&[1.0; 99]), None);
    }

    #[test]
    fn a_minimum_in_the_second_half_gives_no_answer() {
        // Still rising at the end: no steady state to truncate to.
        let series: Vec<f64> = (0..500).map(|i| i as f64).collect();
        assert_eq!(mser5(&series), None);
    }
}
