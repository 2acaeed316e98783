//! Simulated time.
//!
//! mqsim keeps simulated time as an integer number of **microseconds** (one
//! tick = 1 µs) so that event ordering never depends on floating-point
//! rounding. `u64` microseconds cover about 584,000 years, far beyond any
//! scenario horizon (retention is capped at 14 days).
//!
//! The same type is used for instants (time since the start of a run) and for
//! spans (durations); both are plain tick counts.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// Ticks per second: the engine's time resolution is one microsecond.
pub const TICKS_PER_SEC: u64 = 1_000_000;

/// A point or span of simulated time, in microseconds.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

impl SimTime {
    /// Time zero, the start of every run.
    pub const ZERO: SimTime = SimTime(0);
    /// The largest representable time: "never".
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// Whole seconds.
    pub const fn from_secs(secs: u64) -> SimTime {
        SimTime(secs * TICKS_PER_SEC)
    }

    /// Whole milliseconds.
    pub const fn from_millis(ms: u64) -> SimTime {
        SimTime(ms * 1_000)
    }

    /// Fractional seconds, rounded to the nearest microsecond; negative and NaN
    /// inputs give zero, huge inputs saturate at [`SimTime::MAX`].
    pub fn from_secs_f64(secs: f64) -> SimTime {
        let ticks = (secs * TICKS_PER_SEC as f64).round();
        if ticks.is_nan() || ticks <= 0.0 {
            SimTime::ZERO
        } else if ticks >= u64::MAX as f64 {
            SimTime::MAX
        } else {
            SimTime(ticks as u64)
        }
    }

    /// This time in (fractional) seconds.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / TICKS_PER_SEC as f64
    }

    /// Microsecond ticks.
    pub const fn ticks(self) -> u64 {
        self.0
    }

    /// `self + rhs`, saturating at [`SimTime::MAX`].
    pub const fn saturating_add(self, rhs: SimTime) -> SimTime {
        SimTime(self.0.saturating_add(rhs.0))
    }

    /// `self - rhs`, or zero when `rhs` is later.
    pub const fn saturating_sub(self, rhs: SimTime) -> SimTime {
        SimTime(self.0.saturating_sub(rhs.0))
    }
}

impl Add for SimTime {
    type Output = SimTime;
    fn add(self, rhs: SimTime) -> SimTime {
        SimTime(self.0 + rhs.0)
    }
}

impl AddAssign for SimTime {
    fn add_assign(&mut self, rhs: SimTime) {
        self.0 += rhs.0;
    }
}

impl Sub for SimTime {
    type Output = SimTime;
    fn sub(self, rhs: SimTime) -> SimTime {
        SimTime(self.0 - rhs.0)
    }
}

/// Formats as the shortest exact duration string that the scenario parser
/// accepts back: `"0s"`, `"250ms"`, `"30s"`, `"5m"`, `"2h"`, `"4d"`, `"1.5s"`,
/// `"12us"`.
impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [(u64, &str); 5] = [
            (86_400 * TICKS_PER_SEC, "d"),
            (3_600 * TICKS_PER_SEC, "h"),
            (60 * TICKS_PER_SEC, "m"),
            (TICKS_PER_SEC, "s"),
            (1_000, "ms"),
        ];
        if self.0 == 0 {
            return write!(f, "0s");
        }
        for (size, unit) in UNITS {
            if self.0 % size == 0 {
                return write!(f, "{}{}", self.0 / size, unit);
            }
        }
        if self.0 >= TICKS_PER_SEC {
            // Fractional seconds print exactly: at most six decimals.
            let secs = format!("{:.6}", self.as_secs_f64());
            let secs = secs.trim_end_matches('0').trim_end_matches('.');
            return write!(f, "{secs}s");
        }
        write!(f, "{}us", self.0)
    }
}

impl serde::Serialize for SimTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// `x` (≥ 0, in ticks) rounded to the nearest tick, halves up; NaN and
/// negatives give 0, values from 2^63 saturate there (so that adding the
/// clock to them cannot overflow). A plain add-and-truncate:
/// `f64::round` is a library call on baseline x86-64, and this runs for
/// every arrival and every processing.
#[inline]
pub fn round_ticks(x: f64) -> u64 {
    // Through i64: one instruction, where `as u64` is a branchy sequence.
    (x + 0.5).max(0.0) as i64 as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_picks_the_largest_exact_unit() {
        assert_eq!(SimTime::ZERO.to_string(), "0s");
        assert_eq!(SimTime::from_millis(250).to_string(), "250ms");
        assert_eq!(SimTime::from_secs(30).to_string(), "30s");
        assert_eq!(SimTime::from_secs(300).to_string(), "5m");
        assert_eq!(SimTime::from_secs(7200).to_string(), "2h");
        assert_eq!(SimTime::from_secs(4 * 86_400).to_string(), "4d");
        assert_eq!(SimTime::from_millis(1500).to_string(), "1500ms");
        assert_eq!(SimTime(1_500_001).to_string(), "1.500001s");
        assert_eq!(SimTime(12).to_string(), "12us");
    }

    #[test]
    fn from_secs_f64_rounds_and_clamps() {
        assert_eq!(SimTime::from_secs_f64(0.0000014), SimTime(1));
        assert_eq!(SimTime::from_secs_f64(-3.0), SimTime::ZERO);
        assert_eq!(SimTime::from_secs_f64(f64::NAN), SimTime::ZERO);
        assert_eq!(SimTime::from_secs_f64(1e300), SimTime::MAX);
    }
}

#[cfg(test)]
mod round_tests {
    use super::round_ticks;

    #[test]
    fn rounds_to_the_nearest_tick() {
        assert_eq!(round_ticks(0.0), 0);
        assert_eq!(round_ticks(1.49), 1);
        assert_eq!(round_ticks(1.5), 2);
        assert_eq!(round_ticks(100_000.0), 100_000);
        assert_eq!(round_ticks(f64::NAN), 0);
        assert_eq!(round_ticks(-3.0), 0);
        assert_eq!(round_ticks(1e30), i64::MAX as u64);
        assert_eq!(round_ticks(1.0e12 + 0.4), 1_000_000_000_000);
    }
}
