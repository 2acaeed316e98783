//! Latency counts in hdrhistogram's own layout, recorded by a plain index.
//!
//! A [`Histogram`] of 1 µs to 16 days at 3 significant digits keeps one
//! counter per index that its `record` computes, behind range checks,
//! resizing and min/max upkeep that cost more than the counting. The
//! engine records every message's wait and latency, so it counts into the
//! same layout directly ([`HdrCounts::record`]) and makes the histogram
//! once at the end ([`HdrCounts::to_histogram`]): the same counter in
//! every index, hence the same quantiles, mean, min, max and serialized
//! form as recording each value into the histogram.

use hdrhistogram::Histogram;

/// Histogram bounds: 1 µs to 16 days, 3 significant digits (relative error ≤ 0.1%).
pub const HIST_MAX_US: u64 = 16 * 86_400 * 1_000_000;

/// hdrhistogram's layout for 3 significant digits and a lowest value of 1:
/// sub-buckets of 2^11 values (the first half shared with the bucket
/// below), so an index is `(bucket + 1) · 2^10 + sub-bucket − 2^10`.
const SUB_BUCKET_HALF_MAGNITUDE: u32 = 10;
const SUB_BUCKET_HALF: u64 = 1 << SUB_BUCKET_HALF_MAGNITUDE;
const SUB_BUCKET_MASK: u64 = 2 * SUB_BUCKET_HALF - 1;
/// 64 − unit magnitude (0) − sub-bucket count magnitude (11).
const LEADING_ZERO_BASE: u32 = 53;

/// A fresh latency histogram in microseconds.
pub fn latency_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIST_MAX_US, 3).expect("static histogram bounds are valid")
}

/// Counts of values in µs, by hdrhistogram index.
#[derive(Clone, Debug)]
pub struct HdrCounts {
    counts: Vec<u64>,
    total: u64,
}

impl Default for HdrCounts {
    fn default() -> Self {
        HdrCounts {
            // Values are clamped to the bound: no index lies beyond its own.
            counts: vec![0; index(HIST_MAX_US) + 1],
            total: 0,
        }
    }
}

impl HdrCounts {
    /// Counts one value; values beyond the bound saturate, zero counts as 1 µs.
    #[inline(always)]
    pub fn record(&mut self, micros: u64) {
        let i = index(micros.clamp(1, HIST_MAX_US));
        self.counts[i] += 1;
        self.total += 1;
    }

    /// Values counted.
    pub fn len(&self) -> u64 {
        self.total
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The histogram of the values counted.
    pub fn to_histogram(&self) -> Histogram<u64> {
        let mut h = latency_histogram();
        for (i, &n) in self.counts.iter().enumerate().filter(|(_, n)| **n > 0) {
            h.record_n(lowest_value(i), n)
                .expect("an index's value is within the bounds");
        }
        h
    }
}

/// hdrhistogram's index of `v` (1 ≤ v ≤ [`HIST_MAX_US`]).
#[inline(always)]
fn index(v: u64) -> usize {
    let bucket = LEADING_ZERO_BASE - (v | SUB_BUCKET_MASK).leading_zeros();
    let sub_bucket = v >> bucket;
    (((u64::from(bucket) + 1) << SUB_BUCKET_HALF_MAGNITUDE) + sub_bucket - SUB_BUCKET_HALF) as usize
}

/// The lowest value of index `i`.
fn lowest_value(i: usize) -> u64 {
    let i = i as u64;
    let bucket = (i >> SUB_BUCKET_HALF_MAGNITUDE).saturating_sub(1);
    let sub_bucket = if i < 2 * SUB_BUCKET_HALF {
        i
    } else {
        (i & (SUB_BUCKET_HALF - 1)) + SUB_BUCKET_HALF
    };
    sub_bucket << bucket
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values across every bucket: each power of two, its neighbours,
    /// and a scramble in between.
    fn values() -> Vec<u64> {
        let mut v = vec![
            0,
            1,
            2,
            3,
            2047,
            2048,
            2049,
            4095,
            4096,
            HIST_MAX_US,
            u64::MAX,
        ];
        for p in 0..41 {
            let x = 1u64 << p;
            v.extend([x - 1, x, x + 1, x + x / 3]);
        }
        let mut s = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..20_000 {
            s = crate::engine::rng::splitmix64(s);
            v.push(s >> (s % 40 + 24));
        }
        v
    }

    #[test]
    fn counting_by_index_makes_the_histogram_recording_makes() {
        let mut counts = HdrCounts::default();
        let mut direct = latency_histogram();
        for v in values() {
            counts.record(v);
            direct.saturating_record(v.clamp(1, HIST_MAX_US));
        }
        let made = counts.to_histogram();
        assert_eq!(made, direct);
        assert_eq!(made.len(), counts.len());
        for q in [0.0, 0.5, 0.9, 0.99, 0.999, 1.0] {
            assert_eq!(made.value_at_quantile(q), direct.value_at_quantile(q));
        }
        assert_eq!(made.mean(), direct.mean());
        assert_eq!((made.min(), made.max()), (direct.min(), direct.max()));
    }

    #[test]
    fn every_index_maps_back_to_itself() {
        let h = latency_histogram();
        for i in 0..h.distinct_values() {
            let v = lowest_value(i);
            assert_eq!(index(v), i, "index {i}, value {v}");
            assert_eq!(h.lowest_equivalent(v), v, "index {i}");
        }
    }
}
