//! Durations as scenario files write them: a string with a unit (`"250ms"`,
//! `"1.5s"`, `"5m"`, `"2h"`, `"4d"`, `"40us"`) or a plain number of seconds.
//!
//! Parsing rounds to the engine's tick (1 µs). Negative, non-finite and
//! absurdly large values are rejected here, so every later range check works
//! on a real [`SimTime`].

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use crate::time::SimTime;

/// What the error messages say a duration may look like.
pub const DURATION_FORMS: &str =
    "a duration such as \"250ms\", \"30s\", \"5m\", \"2h\", \"4d\" or a number of seconds";

/// Longest duration any key accepts before its own range check: 10 years.
const MAX_SECONDS: f64 = 10.0 * 365.0 * 86_400.0;

/// A duration as written, before it is checked.
#[derive(Clone, Debug, PartialEq)]
pub enum RawDuration {
    /// A string such as `"30s"` (or `"off"` where a key allows it).
    Text(String),
    /// A plain number of seconds.
    Seconds(f64),
}

impl RawDuration {
    /// The duration in ticks, or what is wrong with it.
    pub fn to_time(&self) -> Result<SimTime, String> {
        match self {
            RawDuration::Text(text) => parse_duration(text),
            RawDuration::Seconds(secs) => seconds_to_time(*secs, &secs.to_string()),
        }
    }

    /// The duration in seconds as written, before rounding to the tick
    /// (to tell a duration that rounds to 0 from one written as 0).
    pub fn to_seconds(&self) -> Result<f64, String> {
        match self {
            RawDuration::Text(text) => parse_seconds(text),
            RawDuration::Seconds(secs) => Ok(*secs),
        }
    }

    /// The text, if the duration was written as a string.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            RawDuration::Text(text) => Some(text),
            RawDuration::Seconds(_) => None,
        }
    }
}

/// Parses `"250ms"`, `"30s"`, `"1.5h"`, … (see [`DURATION_FORMS`]).
pub fn parse_duration(text: &str) -> Result<SimTime, String> {
    seconds_to_time(parse_seconds(text)?, text)
}

/// The seconds `text` writes, unchecked and not rounded to the tick.
fn parse_seconds(text: &str) -> Result<f64, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+' || c == 'e'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let bad = || format!("\"{text}\" is not {DURATION_FORMS}");
    let value: f64 = number.parse().map_err(|_| bad())?;
    let scale = match unit.trim() {
        "us" | "µs" => 1e-6,
        "ms" => 1e-3,
        "s" | "" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        _ => return Err(bad()),
    };
    Ok(value * scale)
}

fn seconds_to_time(secs: f64, written: &str) -> Result<SimTime, String> {
    if !secs.is_finite() {
        return Err(format!("\"{written}\" is not a finite duration"));
    }
    if secs < 0.0 {
        return Err(format!("\"{written}\" is negative; durations are >= 0"));
    }
    if secs > MAX_SECONDS {
        return Err(format!("\"{written}\" is longer than 10 years"));
    }
    Ok(SimTime::from_secs_f64(secs))
}

impl<'de> Deserialize<'de> for RawDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DurationVisitor)
    }
}

struct DurationVisitor;

impl Visitor<'_> for DurationVisitor {
    type Value = RawDuration;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(DURATION_FORMS)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawDuration, E> {
        Ok(RawDuration::Text(v.to_owned()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawDuration, E> {
        Ok(RawDuration::Seconds(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawDuration, E> {
        Ok(RawDuration::Seconds(v as f64))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawDuration, E> {
        Ok(RawDuration::Seconds(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_scale_to_microseconds() {
        assert_eq!(parse_duration("250ms"), Ok(SimTime::from_millis(250)));
        assert_eq!(parse_duration("30s"), Ok(SimTime::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(SimTime::from_secs(300)));
        assert_eq!(parse_duration("2h"), Ok(SimTime::from_secs(7200)));
        assert_eq!(parse_duration("4d"), Ok(SimTime::from_secs(4 * 86_400)));
        assert_eq!(parse_duration("1.5s"), Ok(SimTime::from_millis(1500)));
        assert_eq!(parse_duration("40us"), Ok(SimTime(40)));
        assert_eq!(parse_duration("12"), Ok(SimTime::from_secs(12)));
    }

    #[test]
    fn bad_forms_are_rejected_with_the_allowed_forms() {
        for text in ["", "s", "2 fortnights", "1.2.3s", "ten", "5x", "inf", "NaN"] {
            let err = parse_duration(text).unwrap_err();
            assert!(
                err.contains("not") && err.contains(text),
                "{text:?} gave {err}"
            );
        }
        assert!(parse_duration("-3s").unwrap_err().contains("negative"));
        assert!(parse_duration("100000d").unwrap_err().contains("10 years"));
    }

    #[test]
    fn numbers_are_seconds() {
        assert_eq!(
            RawDuration::Seconds(0.25).to_time(),
            Ok(SimTime::from_millis(250))
        );
        assert!(RawDuration::Seconds(f64::NAN).to_time().is_err());
        assert!(RawDuration::Seconds(-1.0).to_time().is_err());
    }
}
