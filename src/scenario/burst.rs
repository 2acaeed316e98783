//! A producer's `burst = { dispersion, window, share, length }`: bursts
//! inside the periods of a rate, as a two-state Markov-modulated Poisson
//! process (MMPP). Per-minute counts hide the bursts that make latency
//! tails; the index of dispersion of counts (variance / mean of the count
//! in a window; 1 for Poisson) is what a log of send times shows of them.
//!
//! Contract: the rate at time t is `rate(t) × m(t)`, where `m` switches
//! between `high` (the burst state, a `share` of the time, spells of mean
//! `length`) and `low`, exponential sojourns, with `share·high +
//! (1−share)·low = 1` so the mean rate is unchanged. `high` is chosen so
//! that at the producer's mean rate λ the counts in a `window` of length
//! T have the given dispersion D:
//!
//! ```text
//! D = 1 + 2 λ δ² p(1−p) / s · (1 − (1 − e^{−sT}) / (sT)),   δ = high − low,
//! ```
//!
//! with p = share and s = 1 / (length · (1 − p)) the sum of the two
//! switching rates (the count variance of an MMPP; Fischer & Meier-Hellstern
//! 1993). `low` cannot go below 0, which bounds D; a larger D is refused
//! with the largest one the other settings allow.

use serde::{Deserialize, Serialize};

use super::checks::{Checked, invalid, number_in, positive_duration, required};
use super::duration::RawDuration;
use crate::time::SimTime;

/// `burst = { ... }` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBurst {
    /// Index of dispersion of counts per window (>= 1).
    pub dispersion: Option<f64>,
    /// The window the dispersion is measured over.
    pub window: Option<RawDuration>,
    /// Fraction of the time in a burst.
    pub share: Option<f64>,
    /// Mean length of a burst.
    pub length: Option<RawDuration>,
}

/// A fitted two-state modulation of a producer's rate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Burst {
    /// Index of dispersion of the counts per `window` at the mean rate.
    pub dispersion: f64,
    /// The window the dispersion is measured over.
    pub window: SimTime,
    /// Fraction of the time in the burst state.
    pub share: f64,
    /// Mean length of a burst.
    pub length: SimTime,
    /// Rate multiplier in a burst.
    #[serde(skip)]
    pub high: f64,
    /// Rate multiplier between bursts.
    #[serde(skip)]
    pub low: f64,
}

impl Burst {
    /// Mean time between bursts (the quiet spell), seconds.
    pub fn quiet_secs(&self) -> f64 {
        self.length.as_secs_f64() * (1.0 - self.share) / self.share
    }
}

const EXAMPLE: &str = "burst = { dispersion = 6.0, window = \"1m\" }";

/// Validates `raw` for a producer of mean rate `rate` (per second);
/// `default_window` is its schedule file's period, if it has one.
pub fn burst(
    key: &str,
    raw: &RawBurst,
    rate: f64,
    default_window: Option<SimTime>,
) -> Checked<Burst> {
    let k = |name: &str| format!("{key}.{name}");
    let dispersion = required(&k("dispersion"), raw.dispersion, EXAMPLE)?;
    let dispersion = number_in(&k("dispersion"), Some(dispersion), 1.0, 1.0..=1e6)?;
    let day = SimTime::from_secs(86_400);
    let window = match (&raw.window, default_window) {
        (Some(w), _) => positive_duration(&k("window"), w, day, "a window")?,
        (None, Some(w)) => w,
        (None, None) => {
            return Err(invalid(
                k("window"),
                format!(
                    "is required (the window the dispersion was measured over) unless the \
                     schedule is read from a file, whose period it then is; e.g. {EXAMPLE}"
                ),
            ));
        }
    };
    let share = number_in(&k("share"), raw.share, 0.1, 1e-6..=0.999_999)?;
    let length = match &raw.length {
        Some(l) => positive_duration(&k("length"), l, day, "a burst")?,
        None => SimTime(window.ticks().div_ceil(10)),
    };
    let (high, low) = multipliers(dispersion, rate, window, share, length).map_err(|most| {
        invalid(
            k("dispersion"),
            format!(
                "{dispersion} cannot be reached at this producer's mean rate ({rate:.4}/s) \
                     with bursts {:.0}% of the time lasting {length}: at most {most:.3} (when the \
                     rate between bursts is 0); lower dispersion, or raise share or length",
                share * 100.0
            ),
        )
    })?;
    Ok(Burst {
        dispersion,
        window,
        share,
        length,
        high,
        low,
    })
}

/// `(high, low)` giving dispersion `d`, or the largest dispersion there is.
fn multipliers(
    d: f64,
    rate: f64,
    window: SimTime,
    p: f64,
    length: SimTime,
) -> Result<(f64, f64), f64> {
    let s = 1.0 / (length.as_secs_f64() * (1.0 - p));
    let x = s * window.as_secs_f64();
    let shape = 1.0 - (-x).exp_m1() / -x;
    let excess_per_delta2 = 2.0 * rate * p * (1.0 - p) / s * shape;
    let most = 1.0 / p;
    let delta = ((d - 1.0) / excess_per_delta2).sqrt();
    if delta.is_nan() || delta > most {
        return Err(1.0 + excess_per_delta2 * most * most);
    }
    Ok((1.0 + (1.0 - p) * delta, 1.0 - p * delta))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dispersion of counts per `window` that `(high, low)` give at `rate`.
    pub(super) fn dispersion_of(b: &Burst, rate: f64) -> f64 {
        let p = b.share;
        let s = 1.0 / (b.length.as_secs_f64() * (1.0 - p));
        let x = s * b.window.as_secs_f64();
        let delta = b.high - b.low;
        1.0 + 2.0 * rate * delta * delta * p * (1.0 - p) / s * (1.0 - (-x).exp_m1() / -x)
    }

    fn raw(d: f64) -> RawBurst {
        RawBurst {
            dispersion: Some(d),
            ..RawBurst::default()
        }
    }

    #[test]
    fn the_fit_gives_the_dispersion_back_and_keeps_the_mean() {
        let minute = Some(SimTime::from_secs(60));
        for (d, rate) in [(1.0, 10.0), (3.0, 10.0), (20.0, 50.0), (6.0, 0.5)] {
            let b = burst("b", &raw(d), rate, minute).unwrap();
            assert!(
                (dispersion_of(&b, rate) - d).abs() < 1e-9 * d,
                "{d} {rate} {b:?}"
            );
            assert!((b.share * b.high + (1.0 - b.share) * b.low - 1.0).abs() < 1e-12);
            assert!(b.low >= 0.0 && b.high >= 1.0);
        }
        let b = burst("b", &raw(5.0), 10.0, minute).unwrap();
        assert_eq!(b.length, SimTime::from_secs(6));
        assert!((b.quiet_secs() - 54.0).abs() < 1e-9);
    }

    #[test]
    fn a_dispersion_past_the_bound_is_refused_with_the_bound() {
        // At 0.5/s, 10% bursts of 6 s: the whole minute's traffic in bursts
        // (low = 0) gives D = 1 + 2 λ (1−p)/(p s) g.
        let e = burst("p.burst", &raw(1000.0), 0.5, Some(SimTime::from_secs(60))).unwrap_err();
        assert_eq!(e.key, "p.burst.dispersion");
        assert!(e.message.contains("at most"), "{e:?}");
        let e = burst("p.burst", &raw(3.0), 10.0, None).unwrap_err();
        assert_eq!(e.key, "p.burst.window");
        let e = burst("p.burst", &RawBurst::default(), 10.0, None).unwrap_err();
        assert_eq!(e.key, "p.burst.dispersion");
        let zero = RawBurst {
            share: Some(0.0),
            ..raw(2.0)
        };
        let e = burst("p.burst", &zero, 10.0, Some(SimTime::from_secs(60))).unwrap_err();
        assert_eq!(e.key, "p.burst.share");
    }
}
