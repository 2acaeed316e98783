//! End-to-end latency by the sample interval a message was *sent* in: one
//! small log-bucketed histogram per interval, so that the latency of the
//! messages sent during an incident can be told from those sent after it.
//!
//! Contract: row `k` of the series holds the first completed processing of
//! every message sent in `[(k − 1)·Δ, k·Δ)` (Δ the sample interval), the
//! same row as the time series sample at `k·Δ`; row 0 is always empty.
//! Messages sent during warm-up are included (the series covers the whole
//! run, like the rest of the time series); duplicates are not.
//!
//! Cost: a histogram is a sorted list of (bucket, count) pairs holding only
//! the buckets that occurred, usually a few dozen, so recording is a binary
//! search and an increment; it allocates only when an interval meets a
//! bucket for the first time (a handful of times per interval, never per
//! message once its buckets exist). Buckets are 16 per power of two: a
//! quantile is reported as its bucket's midpoint, within 3.2% of the exact
//! value (values below 16 µs are exact).

use serde::{Deserialize, Serialize};

/// Buckets per power of two, as a bit count: 2⁴ = 16.
const SUB_BITS: u32 = 4;
const SUB: u64 = 1 << SUB_BITS;

/// Latencies of one interval, µs, in log buckets.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntervalHistogram {
    /// (bucket, count), sorted by bucket, counts > 0.
    buckets: Vec<(u16, u32)>,
}

impl IntervalHistogram {
    /// Records one latency of `micros`.
    pub fn record(&mut self, micros: u64) {
        self.add_count(bucket(micros), 1);
    }

    fn add_count(&mut self, b: u16, n: u32) {
        match self.buckets.binary_search_by_key(&b, |e| e.0) {
            Ok(i) => self.buckets[i].1 = self.buckets[i].1.saturating_add(n),
            Err(i) => self.buckets.insert(i, (b, n)),
        }
    }

    /// Adds every count of `other` (merging replications).
    pub fn merge(&mut self, other: &IntervalHistogram) {
        for &(b, n) in &other.buckets {
            self.add_count(b, n);
        }
    }

    /// Latencies recorded.
    pub fn len(&self) -> u64 {
        self.buckets.iter().map(|e| u64::from(e.1)).sum()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    /// The quantile `q` in seconds: the midpoint of the bucket holding the
    /// ⌈q·n⌉-th smallest latency; `None` when empty.
    pub fn quantile_secs(&self, q: f64) -> Option<f64> {
        let n = self.len();
        if n == 0 {
            return None;
        }
        let rank = ((q * n as f64).ceil() as u64).clamp(1, n);
        let mut seen = 0;
        for &(b, count) in &self.buckets {
            seen += u64::from(count);
            if seen >= rank {
                return Some(midpoint(b) as f64 / 1e6);
            }
        }
        self.buckets.last().map(|&(b, _)| midpoint(b) as f64 / 1e6)
    }
}

/// The latency histograms of one replication, one per time-series row.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatencySeries {
    /// Row `k`: messages sent in `[(k − 1)·Δ, k·Δ)`.
    pub rows: Vec<IntervalHistogram>,
}

impl LatencySeries {
    /// Records `micros` for a message sent at `sent_at` (µs), with sample
    /// interval `interval` (µs, > 0).
    pub fn record(&mut self, sent_at: u64, interval: u64, micros: u64) {
        let row = (sent_at / interval.max(1) + 1) as usize;
        if row >= self.rows.len() {
            // Rows are added as time passes: this grows once per interval.
            self.rows.resize_with(row + 1, IntervalHistogram::default);
        }
        self.rows[row].record(micros);
    }
}

/// The bucket of `v` µs: exact below 16, then 16 buckets per power of two.
fn bucket(v: u64) -> u16 {
    if v < SUB {
        return v as u16;
    }
    let msb = 63 - v.leading_zeros();
    let shift = msb - SUB_BITS;
    // (v >> shift) is in [16, 32): its low bits pick the sub-bucket.
    (u64::from(shift + 1) * SUB + ((v >> shift) - SUB)) as u16
}

/// The middle of bucket `b`, µs (its value below 16).
fn midpoint(b: u16) -> u64 {
    let b = u64::from(b);
    if b < SUB {
        return b;
    }
    let shift = b / SUB - 1;
    let low = (SUB + b % SUB) << shift;
    low + ((1u64 << shift) - 1) / 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_exact_below_16_us_and_within_3_percent_above() {
        for v in 0..16 {
            assert_eq!(midpoint(bucket(v)), v);
        }
        let mut v = 16u64;
        while v < 16 * 86_400 * 1_000_000 {
            let m = midpoint(bucket(v)) as f64;
            assert!((m - v as f64).abs() / v as f64 <= 1.0 / 32.0, "{v} -> {m}");
            v = v * 21 / 20 + 1;
        }
        assert!(bucket(u64::MAX) < u16::MAX);
    }

    #[test]
    fn quantiles_follow_the_rank_rule() {
        let mut h = IntervalHistogram::default();
        assert_eq!(h.quantile_secs(0.5), None);
        for us in 1..=10 {
            h.record(us);
        }
        assert_eq!(h.len(), 10);
        assert_eq!(h.quantile_secs(0.5), Some(5e-6));
        assert_eq!(h.quantile_secs(0.9), Some(9e-6));
        assert_eq!(h.quantile_secs(0.99), Some(10e-6));
    }

    #[test]
    fn rows_are_the_send_interval_and_merge_adds_counts() {
        let mut a = LatencySeries::default();
        a.record(0, 10, 3); // sent in [0, 10): row 1
        a.record(9, 10, 5);
        a.record(10, 10, 7); // row 2
        assert_eq!(a.rows.len(), 3);
        assert!(a.rows[0].is_empty());
        assert_eq!((a.rows[1].len(), a.rows[2].len()), (2, 1));
        let mut merged = a.rows[1].clone();
        merged.merge(&a.rows[2]);
        merged.merge(&a.rows[1]);
        assert_eq!(merged.len(), 5);
        assert_eq!(merged.quantile_secs(1.0), Some(7e-6));
    }
}
