//! `[observed]`: what production measured during the period a scenario
//! replays, for backtesting: a queue's `ApproximateNumberOfMessagesVisible`
//! (`visible`) and `ApproximateAgeOfOldestMessage` in seconds (`age`), each
//! a file in one of the formats of [`super::series`] (a path, or
//! `{ file, metric }` to pick one metric of a CloudWatch file).
//!
//! Contract: simulated time 0 is `start` when given, else the epoch of the
//! producers' schedule files (so a replayed incident and its observations
//! line up without a setting), else the first observed timestamp. Points
//! before time 0 are dropped (counted in `dropped`); at least one point of
//! each series must lie in `[0, duration]`, or the file cannot be about
//! this run. The engine never sees any of this: the observations are
//! compared with the results after the run ([`crate::output::observed`]).

use serde::{Deserialize, Serialize};

use super::checks::{Checked, invalid};
use super::files::DataFiles;
use super::model::{QueueNode, SINGLE_QUEUE};
use super::series::{self, format_ms, timestamp_ms};
use crate::time::SimTime;

/// The table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawObserved {
    queue: Option<String>,
    visible: Option<toml::Value>,
    age: Option<toml::Value>,
    start: Option<String>,
}

/// One series' file as written: a path or `{ file, metric }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSeriesFile {
    file: Option<String>,
    metric: Option<String>,
}

/// The observations of one queue.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Observed {
    /// The queue observed (the single form's is [`SINGLE_QUEUE`]).
    #[serde(skip_serializing_if = "is_single")]
    pub queue: String,
    /// Its index in [`super::Scenario::queues`].
    #[serde(skip)]
    pub queue_index: usize,
    /// The instant of simulated time 0, RFC 3339.
    pub start: String,
    /// The same, ms since the Unix epoch.
    #[serde(skip)]
    pub start_ms: i64,
    /// Messages visible (`ApproximateNumberOfMessagesVisible`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visible: Option<ObservedSeries>,
    /// Age of the oldest message, seconds (`ApproximateAgeOfOldestMessage`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age: Option<ObservedSeries>,
}

/// An instant as RFC 3339, with milliseconds only when it has them (so that
/// the written scenario loads back to the same instant).
fn instant(at_ms: i64) -> String {
    if at_ms % 1000 == 0 {
        return format_ms(at_ms);
    }
    chrono::DateTime::from_timestamp_millis(at_ms).map_or_else(
        || format!("{at_ms} ms"),
        |t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
    )
}

fn is_single(queue: &String) -> bool {
    queue == SINGLE_QUEUE
}

/// One observed series, on the simulated time axis.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ObservedSeries {
    /// The file, as written in the scenario.
    pub file: String,
    /// The metric picked in a CloudWatch file with several.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
    /// (simulated time, value), in increasing time, all at or after 0.
    #[serde(skip)]
    pub points: Vec<(SimTime, f64)>,
    /// Points before simulated time 0, left out.
    #[serde(skip)]
    pub dropped: usize,
    /// The spacing of the points (the smallest gap; 0 for one point).
    #[serde(skip)]
    pub spacing: SimTime,
}

/// A series read but not yet placed on the time axis.
struct ReadSeries {
    file: String,
    metric: Option<String>,
    points: Vec<series::Point>,
}

/// Reads `[observed]`; `epoch_ms` is the schedule files' epoch, if any.
pub fn observed(
    value: toml::Value,
    queues: &[QueueNode],
    epoch_ms: Option<i64>,
    duration: SimTime,
    files: &DataFiles,
) -> Checked<Observed> {
    let raw: RawObserved = value.try_into().map_err(|e: toml::de::Error| {
        invalid(
            "observed",
            format!(
                "{}; allowed: [observed] with queue = \"<queue>\", visible = \"visible.json\", \
                 age = \"age.json\" (a file, or {{ file, metric }}), start = \"2026-11-27T14:00:00Z\"",
                e.message()
            ),
        )
    })?;
    let (queue, queue_index) = observed_queue(raw.queue, queues)?;
    let visible = raw
        .visible
        .map(|v| read_series("observed.visible", v, files))
        .transpose()?;
    let age = raw
        .age
        .map(|v| read_series("observed.age", v, files))
        .transpose()?;
    if visible.is_none() && age.is_none() {
        return Err(invalid(
            "observed",
            "names no series: give visible = \"visible.json\" (ApproximateNumberOfMessagesVisible) \
             and/or age = \"age.json\" (ApproximateAgeOfOldestMessage, seconds)",
        ));
    }
    let start_ms = match raw.start {
        Some(text) => timestamp_ms(&text).ok_or_else(|| {
            invalid(
                "observed.start",
                format!(
                    "\"{text}\" is not a timestamp; allowed: RFC 3339 / ISO 8601 (\"2026-11-27T14:00:00Z\") \
                     or seconds since the Unix epoch"
                ),
            )
        })?,
        None => epoch_ms.unwrap_or_else(|| {
            let first = |s: &Option<ReadSeries>| s.as_ref().map(|s| s.points[0].at_ms);
            [first(&visible), first(&age)]
                .into_iter()
                .flatten()
                .min()
                .expect("one series at least")
        }),
    };
    let place = |key: &str, s: Option<ReadSeries>| {
        s.map(|s| placed(key, s, start_ms, duration, files))
            .transpose()
    };
    Ok(Observed {
        queue,
        queue_index,
        start: instant(start_ms),
        start_ms,
        visible: place("observed.visible", visible)?,
        age: place("observed.age", age)?,
    })
}

/// The queue observed: named, or the only one.
fn observed_queue(queue: Option<String>, queues: &[QueueNode]) -> Checked<(String, usize)> {
    let names: Vec<&str> = queues.iter().map(|q| q.name.as_str()).collect();
    match queue {
        None if queues.len() == 1 => Ok((queues[0].name.clone(), 0)),
        None => Err(invalid(
            "observed.queue",
            format!(
                "is required when the scenario has several queues; allowed: {}",
                names.join(", ")
            ),
        )),
        Some(name) => match names.iter().position(|n| *n == name) {
            Some(i) => Ok((name, i)),
            None if queues.len() == 1 => Err(invalid(
                "observed.queue",
                format!(
                    "\"{name}\" is not a queue of this scenario: a single-queue scenario has one queue, \
                     so leave queue out"
                ),
            )),
            None => Err(invalid(
                "observed.queue",
                format!(
                    "\"{name}\" is not a queue of this scenario; allowed: {}",
                    names.join(", ")
                ),
            )),
        },
    }
}

fn read_series(key: &str, value: toml::Value, files: &DataFiles) -> Checked<ReadSeries> {
    let raw = match value {
        toml::Value::String(file) => RawSeriesFile {
            file: Some(file),
            metric: None,
        },
        value => value.try_into().map_err(|e: toml::de::Error| {
            invalid(
                key,
                format!(
                    "{}; allowed: a file (\"visible.json\") or {{ file = \"visible.json\", metric = \"<Id>\" }}",
                    e.message()
                ),
            )
        })?,
    };
    let file = raw.file.ok_or_else(|| {
        invalid(
            format!("{key}.file"),
            "is required, e.g. file = \"visible.json\" (CloudWatch get-metric-data JSON or CSV timestamp,value)",
        )
    })?;
    let text = files
        .read(&file)
        .map_err(|why| invalid(format!("{key}.file"), why))?;
    let path = files.path(&file).display().to_string();
    let series = series::parse(&text, raw.metric.as_deref())
        .map_err(|why| invalid(key, format!("{path}: {why}")))?;
    Ok(ReadSeries {
        file,
        metric: raw.metric,
        points: series.points,
    })
}

/// `s` on the time axis that starts at `start_ms`.
fn placed(
    key: &str,
    s: ReadSeries,
    start_ms: i64,
    duration: SimTime,
    files: &DataFiles,
) -> Checked<ObservedSeries> {
    let total = s.points.len();
    let points: Vec<(SimTime, f64)> = s
        .points
        .iter()
        .filter(|p| p.at_ms >= start_ms)
        .map(|p| (SimTime::from_millis((p.at_ms - start_ms) as u64), p.value))
        .collect();
    if points.first().is_none_or(|(t, _)| *t > duration) {
        let (first, last) = (s.points[0].at_ms, s.points[total - 1].at_ms);
        return Err(invalid(
            key,
            format!(
                "{}: its points ({} to {}) do not fall within the simulated span, {} to {} \
                 (simulated time 0 is observed.start, else the schedule files' first timestamp, \
                 else the first observed one)",
                files.path(&s.file).display(),
                format_ms(first),
                format_ms(last),
                format_ms(start_ms),
                format_ms(start_ms + (duration.ticks() / 1000) as i64),
            ),
        ));
    }
    let spacing = points
        .windows(2)
        .map(|w| w[1].0 - w[0].0)
        .min()
        .unwrap_or(SimTime::ZERO);
    Ok(ObservedSeries {
        file: s.file,
        metric: s.metric,
        dropped: total - points.len(),
        points,
        spacing,
    })
}

#[cfg(test)]
#[path = "observed_tests.rs"]
mod tests;
