//! The unit of every metric, for each place that shows a value to a person
//! (the terminal table, the report, chart axes): one table, so a bound reads
//! "600 s" wherever it appears. Files (`summary.json`, CSV) hold bare
//! numbers in these units.

use super::table::short;

/// What a metric's number counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Seconds of simulated time.
    Seconds,
    /// Messages.
    Messages,
    /// A share between 0 and 1.
    Share,
    /// US dollars.
    Usd,
    /// Something else counted, named in the plural ("requests").
    Count(&'static str),
}

impl Unit {
    /// The word or symbol an axis label puts in parentheses.
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::Seconds => "s",
            Unit::Messages => "messages",
            Unit::Share => "share",
            Unit::Usd => "USD",
            Unit::Count(what) => what,
        }
    }
}

/// The unit of `metric` (a per-node name such as `orders.latency_p99` has
/// its last part's unit).
pub fn unit_of(metric: &str) -> Unit {
    let name = metric.rsplit('.').next().unwrap_or(metric);
    let time = name.starts_with("latency_")
        || name.starts_with("wait_")
        || name.starts_with("group_blocked_time")
        || matches!(name, "backlog_max_at" | "oldest_age_max" | "drain_time");
    if time {
        return Unit::Seconds;
    }
    match name {
        // duplicate_rate can exceed 1 (two duplicates for one delete), but
        // is shown like the shares: a bare number.
        "duplicate_rate" | "consumer_utilization" | "utilization" => Unit::Share,
        "cost_usd" => Unit::Usd,
        "events" => Unit::Count("events"),
        "consumer_hours" => Unit::Count("consumer-hours"),
        "consumer_crashes" => Unit::Count("crashes"),
        "timeouts" => Unit::Count("timeouts"),
        n if n.starts_with("requests_") => Unit::Count("requests"),
        _ => Unit::Messages,
    }
}

/// `v` in `metric`'s unit for a sentence or a bound: "600 s", "0 messages",
/// "$1.2000", "0.05".
pub fn with_unit(metric: &str, v: f64) -> String {
    with_unit_as(metric, v, short)
}

/// [`with_unit`] with the number written by `number` (a chart legend trims
/// trailing zeros where the table keeps five significant digits).
pub fn with_unit_as(metric: &str, v: f64, number: fn(f64) -> String) -> String {
    match unit_of(metric) {
        Unit::Usd => format!("${}", number(v)),
        Unit::Share => number(v),
        unit => format!("{} {}", number(v), unit.symbol()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_metric_has_its_unit() {
        assert_eq!(with_unit("latency_p99", 600.0), "600 s");
        assert_eq!(with_unit("dead_lettered", 0.0), "0 messages");
        assert_eq!(with_unit("cost_usd", 1.2), "$1.2000");
        assert_eq!(with_unit("duplicate_rate", 0.05), "0.050000");
        assert_eq!(with_unit("requests_receive", 12.0), "12 requests");
        assert_eq!(unit_of("orders.drain_time"), Unit::Seconds);
        assert_eq!(unit_of("backlog_max"), Unit::Messages);
    }
}
