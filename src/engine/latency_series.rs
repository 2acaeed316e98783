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
//! Cost: most messages complete within a few intervals of being sent, so
//! the [`LatencyRecorder`] keeps the latest `WINDOW` rows as plain arrays of
//! counters (recording is a division, a bucket computation and an
//! increment, no allocation); a row that leaves the window is compacted
//! into an [`IntervalHistogram`], a sorted list of the (bucket, count)
//! pairs that occurred (a few dozen, typically), which later completions of
//! that row update by binary search. Buckets are 16 per power of two: a
//! quantile is reported as its bucket's midpoint, within 3.2% of the exact
//! value (values below 16 µs are exact; values above 2⁴¹ µs, 25 days,
//! count as 2⁴¹ µs).

use serde::{Deserialize, Serialize};

/// Buckets per power of two, as a bit count: 2⁴ = 16.
const SUB_BITS: u32 = 4;
const SUB: u64 = 1 << SUB_BITS;
/// Largest latency told apart, µs; larger ones saturate to it.
const MAX_US: u64 = (1 << 41) - 1;
/// Buckets of a row: up to `bucket(MAX_US)`.
const BUCKETS: usize = (41 - SUB_BITS as usize + 1) * SUB as usize;
/// Rows kept as counter arrays.
const WINDOW: usize = 8;

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
    /// The series of latencies `(sent_at, micros)` with sample interval
    /// `interval` µs (for tests and hand-made results).
    pub fn of(interval: u64, latencies: &[(u64, u64)]) -> Self {
        let mut r = LatencyRecorder::new(interval);
        for &(sent_at, micros) in latencies {
            r.record(sent_at, micros);
        }
        r.finish()
    }
}

/// Records the latency by send interval of one replication.
#[derive(Debug)]
pub struct LatencyRecorder {
    /// Sample interval, µs (> 0).
    interval: u64,
    /// Rows before `start`, compacted.
    done: LatencySeries,
    /// First row of the window.
    start: usize,
    /// Row `start + k` is slot `(start + k) % WINDOW`: `BUCKETS` counters.
    counts: Vec<u32>,
    /// Lowest and highest bucket used in each slot (empty: low > high).
    used: [(usize, usize); WINDOW],
    /// The row of the latest send time seen and its span `[from, to)`, µs:
    /// consecutive messages mostly share a row, and this spares a division.
    last: (usize, u64, u64),
}

impl LatencyRecorder {
    /// A recorder for sample interval `interval` µs.
    pub fn new(interval: u64) -> Self {
        LatencyRecorder {
            interval: interval.max(1),
            done: LatencySeries::default(),
            start: 0,
            counts: vec![0; WINDOW * BUCKETS],
            used: [(usize::MAX, 0); WINDOW],
            last: (1, 0, interval.max(1)),
        }
    }

    /// The row of send time `sent_at`: interval `k` (from 0) is row `k + 1`.
    #[inline(always)]
    fn row_of(&mut self, sent_at: u64) -> usize {
        let (row, from, to) = self.last;
        if (from..to).contains(&sent_at) {
            return row;
        }
        let k = sent_at / self.interval;
        let from = k * self.interval;
        self.last = (k as usize + 1, from, from + self.interval);
        self.last.0
    }

    /// Records `micros` for a message sent at `sent_at` (µs).
    #[inline]
    pub fn record(&mut self, sent_at: u64, micros: u64) {
        let row = self.row_of(sent_at);
        let b = usize::from(bucket(micros.min(MAX_US)));
        if row < self.start {
            // A late completion: its row has been compacted.
            self.done.add(row, b as u16, 1);
            return;
        }
        while row >= self.start + WINDOW {
            self.compact_first();
        }
        let slot = row % WINDOW;
        self.counts[slot * BUCKETS + b] += 1;
        let used = &mut self.used[slot];
        *used = (used.0.min(b), used.1.max(b));
    }

    /// Moves the window's first row into `done`.
    fn compact_first(&mut self) {
        let (row, slot) = (self.start, self.start % WINDOW);
        let (low, high) = self.used[slot];
        let counts = &mut self.counts[slot * BUCKETS..(slot + 1) * BUCKETS];
        if low <= high {
            for (b, count) in counts.iter_mut().enumerate().take(high + 1).skip(low) {
                if *count > 0 {
                    self.done.add(row, b as u16, *count);
                    *count = 0;
                }
            }
        }
        self.used[slot] = (usize::MAX, 0);
        self.start += 1;
    }

    /// Every row recorded, compacted.
    pub fn finish(&mut self) -> LatencySeries {
        for _ in 0..WINDOW {
            self.compact_first();
        }
        self.start = 0;
        std::mem::take(&mut self.done)
    }
}

impl LatencySeries {
    fn add(&mut self, row: usize, b: u16, n: u32) {
        if row >= self.rows.len() {
            self.rows.resize_with(row + 1, IntervalHistogram::default);
        }
        self.rows[row].add_count(b, n);
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
    fn bucket_count_covers_the_largest_latency() {
        assert_eq!(usize::from(bucket(MAX_US)), BUCKETS - 1);
    }

    #[test]
    fn late_completions_reach_compacted_rows() {
        let mut r = LatencyRecorder::new(10);
        r.record(5, 100); // row 1
        r.record(500, 7); // row 51: row 1 leaves the window
        r.record(5, 300); // row 1 again, compacted
        r.record(505, 9);
        let s = r.finish();
        assert_eq!(s.rows.len(), 52);
        assert_eq!(s.rows[1].len(), 2);
        assert_eq!(
            s.rows[1].quantile_secs(1.0).unwrap(),
            midpoint(bucket(300)) as f64 / 1e6
        );
        assert_eq!(s.rows[51].len(), 2);
        assert!(s.rows[2..51].iter().all(IntervalHistogram::is_empty));
        let same = LatencySeries::of(10, &[(5, 100), (5, 300), (500, 7), (505, 9)]);
        assert_eq!(s, same, "the order of completions does not matter");
        assert_eq!(r.finish(), LatencySeries::default(), "finish empties it");
    }

    #[test]
    fn rows_are_the_send_interval_and_merge_adds_counts() {
        // Sent in [0, 10): row 1; at 10: row 2.
        let a = LatencySeries::of(10, &[(0, 3), (9, 5), (10, 7)]);
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
