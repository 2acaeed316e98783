//! Small typed checks shared by validation: each takes the dotted key, the
//! raw value and the allowed range, and returns the checked value or an
//! [`Invalid`] that says what is allowed.

use std::ops::RangeInclusive;

use super::duration::{RawDuration, parse_duration};
use crate::time::SimTime;

/// A validation failure: the dotted key and what is wrong with it.
#[derive(Clone, Debug, PartialEq)]
pub struct Invalid {
    /// Dotted key path, e.g. `queue.visibility_timeout`.
    pub key: String,
    /// What is wrong and what is allowed.
    pub message: String,
    /// Where to point in the file when that differs from `key` (a key that
    /// itself contains dots, such as a `[sweep]` entry).
    pub at: Option<String>,
}

/// The result of a check.
pub type Checked<T> = Result<T, Invalid>;

/// An [`Invalid`] for `key`.
pub fn invalid(key: impl Into<String>, message: impl Into<String>) -> Invalid {
    Invalid {
        key: key.into(),
        message: message.into(),
        at: None,
    }
}

/// A name that becomes part of a path or a dotted key: 1 to 100 letters,
/// digits, `extra` characters, not starting with '.'.
pub fn safe_name(key: &str, name: &str, extra: &str) -> Checked<String> {
    let safe = |c: char| c.is_ascii_alphanumeric() || extra.contains(c);
    if name.is_empty() || name.len() > 100 || name.starts_with('.') || !name.chars().all(safe) {
        let allowed: Vec<String> = extra.chars().map(|c| format!("'{c}'")).collect();
        let (last, rest) = allowed.split_last().expect("extra is not empty");
        return Err(invalid(
            key,
            format!(
                "\"{name}\" is not a usable name; allowed: 1 to 100 letters, digits, {} or {last}{}",
                rest.join(", "),
                if extra.contains('.') {
                    ", not starting with '.'"
                } else {
                    ""
                }
            ),
        ));
    }
    Ok(name.to_owned())
}

/// A required key that is absent.
pub fn required<T>(key: &str, value: Option<T>, example: &str) -> Checked<T> {
    value.ok_or_else(|| invalid(key, format!("is required, e.g. {example}")))
}

/// An integer within `range`, or `default` when absent.
pub fn int_in(
    key: &str,
    value: Option<i64>,
    default: i64,
    range: RangeInclusive<i64>,
) -> Checked<i64> {
    let v = value.unwrap_or(default);
    if range.contains(&v) {
        Ok(v)
    } else {
        Err(invalid(
            key,
            format!(
                "{v} is out of range; allowed: {} ..= {}",
                range.start(),
                range.end()
            ),
        ))
    }
}

/// A finite number within `range`, or `default` when absent.
pub fn number_in(
    key: &str,
    value: Option<f64>,
    default: f64,
    range: RangeInclusive<f64>,
) -> Checked<f64> {
    let v = value.unwrap_or(default);
    if v.is_finite() && range.contains(&v) {
        Ok(v)
    } else {
        let allowed = if *range.start() == f64::MIN_POSITIVE {
            format!("> 0 and <= {}", range.end())
        } else {
            format!("{} ..= {}", range.start(), range.end())
        };
        Err(invalid(
            key,
            format!("{v} is out of range; allowed: {allowed}"),
        ))
    }
}

/// A probability (0 ..= 1), 0 when absent.
pub fn probability(key: &str, value: Option<f64>) -> Checked<f64> {
    number_in(key, value, 0.0, 0.0..=1.0)
}

/// A duration within `min ..= max` (both written as in the file, e.g. "12h"),
/// or `default` when absent.
pub fn duration_in(
    key: &str,
    value: Option<&RawDuration>,
    default: SimTime,
    (min, max): (SimTime, SimTime),
) -> Checked<SimTime> {
    let Some(raw) = value else {
        return Ok(default);
    };
    let t = raw.to_time().map_err(|why| invalid(key, why))?;
    if t < min || t > max {
        return Err(invalid(
            key,
            format!("{t} is out of range; allowed: {min} ..= {max}"),
        ));
    }
    Ok(t)
}

/// A duration in `1 tick ..= max` (a required key: `raw` is given). One
/// that rounds to 0 ticks ("0.1us") is refused as shorter than the tick,
/// `what` naming it in the message ("a breaker window").
pub fn positive_duration(
    key: &str,
    raw: &RawDuration,
    max: SimTime,
    what: &str,
) -> Checked<SimTime> {
    let t = raw.to_time().map_err(|why| invalid(key, why))?;
    let tick = SimTime(1);
    if t == SimTime::ZERO && raw.to_seconds().is_ok_and(|s| s > 0.0) {
        let written = match raw {
            RawDuration::Text(text) => format!("\"{text}\""),
            RawDuration::Seconds(secs) => secs.to_string(),
        };
        return Err(invalid(
            key,
            format!(
                "{written} rounds to 0: {what} shorter than the engine's tick ({tick}) is not \
                 allowed; allowed: {tick} ..= {max}"
            ),
        ));
    }
    if t < tick || t > max {
        return Err(invalid(
            key,
            format!("{t} is out of range; allowed: {tick} ..= {max} ({what} must be > 0)"),
        ));
    }
    Ok(t)
}

/// A duration written inside a table kept as a TOML value: a string with
/// a unit or a number of seconds.
pub fn duration_value(key: &str, value: &toml::Value) -> Checked<RawDuration> {
    match value {
        toml::Value::String(s) => Ok(RawDuration::Text(s.clone())),
        toml::Value::Integer(n) => Ok(RawDuration::Seconds(*n as f64)),
        toml::Value::Float(f) => Ok(RawDuration::Seconds(*f)),
        other => Err(invalid(
            key,
            format!(
                "a {} is not a duration; allowed: {}",
                other.type_str(),
                super::duration::DURATION_FORMS
            ),
        )),
    }
}

/// A number written inside a table kept as a TOML value.
pub fn number_value(key: &str, value: &toml::Value) -> Checked<f64> {
    match value {
        toml::Value::Integer(n) => Ok(*n as f64),
        toml::Value::Float(f) => Ok(*f),
        other => Err(invalid(
            key,
            format!(
                "a {} is not a number; a number is needed here",
                other.type_str()
            ),
        )),
    }
}

/// One of `allowed` (lower-case words), or `default` when absent.
pub fn word<'a>(
    key: &str,
    value: Option<&str>,
    default: &'a str,
    allowed: &[&'a str],
) -> Checked<&'a str> {
    let Some(v) = value else {
        return Ok(default);
    };
    allowed.iter().copied().find(|a| *a == v).ok_or_else(|| {
        let list: Vec<String> = allowed.iter().map(|a| format!("\"{a}\"")).collect();
        invalid(
            key,
            format!("\"{v}\" is not allowed; allowed: {}", list.join(", ")),
        )
    })
}

/// One `[time, value]` step of a list such as a rate schedule: its key
/// (`…schedule.2`), its time and its value, not yet checked.
pub struct TimedStep<'v> {
    /// Dotted key of the step.
    pub key: String,
    /// When it starts.
    pub at: SimTime,
    /// The second element.
    pub value: &'v toml::Value,
}

/// A non-empty list of `[time, value]` pairs whose times increase and lie
/// before `horizon`; `what` names the value in messages (`rate`, `count`).
pub fn timed_steps<'v>(
    key: &str,
    value: &'v toml::Value,
    what: &str,
    example: &str,
    horizon: SimTime,
) -> Checked<Vec<TimedStep<'v>>> {
    let rows = value.as_array().filter(|a| !a.is_empty()).ok_or_else(|| {
        invalid(
            key,
            format!("must be a non-empty list of [time, {what}] pairs, e.g. {example}"),
        )
    })?;
    let mut steps: Vec<TimedStep> = Vec::with_capacity(rows.len());
    for (j, row) in rows.iter().enumerate() {
        let at_key = format!("{key}.{j}");
        let pair = row.as_array().filter(|p| p.len() == 2).ok_or_else(|| {
            invalid(
                &at_key,
                format!("must be a [time, {what}] pair, e.g. {example}"),
            )
        })?;
        let at = match &pair[0] {
            toml::Value::String(s) => parse_duration(s),
            toml::Value::Integer(n) => parse_duration(&n.to_string()),
            toml::Value::Float(f) => parse_duration(&f.to_string()),
            _ => Err("the time must be a duration".to_owned()),
        }
        .map_err(|why| invalid(&at_key, why))?;
        if let Some(prev) = steps.last()
            && at <= prev.at
        {
            return Err(invalid(
                at_key,
                format!(
                    "{at} is not after the previous step ({}); steps must be in increasing time",
                    prev.at
                ),
            ));
        }
        if at >= horizon {
            return Err(invalid(
                at_key,
                format!("{at} is not before the scenario's duration ({horizon})"),
            ));
        }
        steps.push(TimedStep {
            key: at_key,
            at,
            value: &pair[1],
        });
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_say_what_is_allowed() {
        assert_eq!(int_in("k", None, 3, 1..=10), Ok(3));
        let err = int_in("k", Some(11), 3, 1..=10).unwrap_err();
        assert_eq!(err.message, "11 is out of range; allowed: 1 ..= 10");
        assert!(number_in("k", Some(f64::NAN), 0.0, 0.0..=1.0).is_err());
        assert!(probability("k", Some(1.5)).is_err());
        let err = word("on_error", Some("retry"), "wait", &["wait", "release"]).unwrap_err();
        assert!(err.message.contains("\"wait\", \"release\""));
    }

    #[test]
    fn durations_are_range_checked_in_units() {
        let range = (SimTime::ZERO, SimTime::from_secs(12 * 3600));
        let raw = RawDuration::Text("13h".into());
        let err =
            duration_in("queue.visibility_timeout", Some(&raw), SimTime::ZERO, range).unwrap_err();
        assert!(err.message.contains("12h"), "{}", err.message);
        assert_eq!(
            duration_in("k", None, SimTime::from_secs(30), range),
            Ok(SimTime::from_secs(30))
        );
    }
}
