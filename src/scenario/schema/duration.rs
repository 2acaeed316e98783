//! Durations in the schema: a string with a unit, matched by a pattern
//! that accepts what [`crate::scenario::duration::parse_duration`] reads, or
//! a number of seconds, range-checked. A string's range cannot be written as
//! a pattern, so its description says it (in the units of
//! `docs/scenario.md`).

use super::node::Node;

/// A number with an optional fraction and exponent, then an optional unit:
/// the forms `parse_duration` reads ("250ms", "1.5s", "2 h", "40us", "12").
const BODY: &str = r"\s*\+?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*(us|µs|ms|s|m|min|h|d)?\s*";

/// The pattern of a duration string.
pub fn pattern() -> String {
    format!("^{BODY}$")
}

/// The engine's tick, the shortest positive duration: 1 µs.
pub const TICK: f64 = 1e-6;
/// Seconds in a minute, hour, day.
pub const MIN: f64 = 60.0;
/// One hour, in seconds.
pub const HOUR: f64 = 3600.0;
/// One day, in seconds.
pub const DAY: f64 = 86_400.0;

/// The range of a duration key, in seconds.
#[derive(Clone, Copy, Debug)]
pub struct Span {
    /// Shortest allowed.
    pub min: f64,
    /// Longest allowed.
    pub max: f64,
}

/// `min ..= max` seconds.
pub fn span(min: f64, max: f64) -> Span {
    Span { min, max }
}

/// A duration key in `span`; `doc` is its meaning.
pub fn duration(doc: &str, span: Span) -> Node {
    let doc = format!("{doc}. Duration, {}; {FORMS}.", range_text(span));
    Node::described(&doc)
        .set("type", serde_json::json!(["string", "number"]))
        .set("pattern", pattern())
        .min(seconds_value(span.min))
        .max(seconds_value(span.max))
}

/// `"off"` or a duration in `span` (the consumers' `heartbeat`).
pub fn off_or_duration(doc: &str, span: Span) -> Node {
    duration(doc, span).set("pattern", format!("^(off|{BODY})$"))
}

/// A duration parameter of a distribution: any duration >= 0 (or > 0).
pub fn parameter(doc: &str, positive: bool) -> Node {
    let node = Node::described(&format!("{doc}; {FORMS}."))
        .set("type", serde_json::json!(["string", "number"]))
        .set("pattern", pattern());
    if positive { node.above(0) } else { node.min(0) }
}

/// How the descriptions say a duration is written.
const FORMS: &str =
    "a string with a unit (\"250ms\", \"30s\", \"5m\", \"2h\", \"4d\") or a number of seconds";

/// `0 ..= 12h`, `1µs ..= 1d`.
pub fn range_text(span: Span) -> String {
    format!("{} ..= {}", human(span.min), human(span.max))
}

/// A bound as JSON: a whole number of seconds stays an integer.
fn seconds_value(secs: f64) -> serde_json::Value {
    if secs.fract() == 0.0 && secs.abs() < 1e15 {
        serde_json::Value::from(secs as i64)
    } else {
        serde_json::Value::from(secs)
    }
}

/// Seconds in the largest unit that writes them whole: `12h`, `100ms`.
pub fn human(secs: f64) -> String {
    if secs == 0.0 {
        return "0".into();
    }
    let micros = (secs * 1e6).round() as u64;
    let units = [
        ("d", 86_400_000_000),
        ("h", 3_600_000_000),
        ("m", 60_000_000),
        ("s", 1_000_000),
        ("ms", 1_000),
    ];
    for (unit, size) in units {
        if micros % size == 0 {
            return format!("{}{unit}", micros / size);
        }
    }
    format!("{micros}µs")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::duration::parse_duration;

    #[test]
    fn bounds_are_written_in_units() {
        assert_eq!(human(12.0 * HOUR), "12h");
        assert_eq!(human(TICK), "1µs");
        assert_eq!(human(0.1), "100ms");
        assert_eq!(human(90.0), "90s");
        assert_eq!(human(14.0 * DAY), "14d");
        assert_eq!(range_text(span(0.0, 15.0 * MIN)), "0 ..= 15m");
    }

    /// The pattern and the parser agree on every form, good and bad.
    #[test]
    fn the_pattern_accepts_what_the_parser_reads() {
        let re = matcher(pattern());
        for good in [
            "250ms", "30s", "5m", "5min", "2h", "4d", "40us", "40µs", "1.5s", "12", ".5s", "5.s",
            "+3s", "1e3ms", " 2 h ", "0",
        ] {
            assert!(parse_duration(good).is_ok(), "{good}");
            assert!(re(good), "pattern refuses {good:?}");
        }
        for bad in [
            "",
            "s",
            "ten",
            "5x",
            "1.2.3s",
            "inf",
            "NaN",
            "-3s",
            "1E3s",
            "1e",
            "5 fortnights",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
            assert!(!re(bad), "pattern accepts {bad:?}");
        }
    }

    /// A matcher for `pattern` using the JSON Schema validator the tests
    /// use everywhere else, so the regex dialect is the one editors apply.
    fn matcher(pattern: String) -> impl Fn(&str) -> bool {
        let schema = serde_json::json!({ "type": "string", "pattern": pattern });
        let validator = jsonschema::draft7::new(&schema).expect("the pattern compiles");
        move |text| validator.is_valid(&serde_json::json!(text))
    }
}
