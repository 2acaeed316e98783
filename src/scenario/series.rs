//! Time series exported from production monitoring, as scenario files name
//! them: a producer's `schedule = { file }` (counts per period) and the
//! `[observed]` series (levels at instants).
//!
//! Two formats, told apart by the first character that is not blank:
//!
//! - `{`: the AWS CLI's `cloudwatch get-metric-data` output,
//!   `{"MetricDataResults": [{"Id", "Label", "Timestamps", "Values"}]}`,
//!   newest first (the CLI's default) or in any order. Several documents
//!   may follow one another (pages saved one after another); their entries
//!   with the same `Id` are joined. A file with several metrics needs the
//!   scenario to name one (`metric`, by `Id` or `Label`).
//! - anything else: CSV rows `timestamp,value`, with or without a header
//!   (a header names the columns `timestamp` and `value`; other columns are
//!   ignored), in increasing time. A timestamp is ISO 8601 (RFC 3339, e.g.
//!   `2026-11-03T14:05:00Z`; without an offset it is UTC) or seconds since
//!   the Unix epoch.
//!
//! Contract: [`parse`] returns the points sorted by time, each instant once,
//! every value finite and >= 0, at least one point; anything else is an
//! error naming the row (CSV) or the entry and index (JSON) and saying what
//! is allowed. Time is kept in whole milliseconds since the epoch.

use chrono::{DateTime, NaiveDateTime};
use serde::Deserialize;

/// One point: `value` at `at_ms` (milliseconds since the Unix epoch).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// Milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// The count or level there.
    pub value: f64,
}

/// A series in increasing time, each instant once.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The metric's `Id` (JSON) or the value column's name (CSV).
    pub name: String,
    /// The points in increasing time.
    pub points: Vec<Point>,
}

/// Reads `text` (JSON or CSV, see the module docs); `metric` picks one of a
/// JSON file's metrics by `Id` or `Label`.
pub fn parse(text: &str, metric: Option<&str>) -> Result<Series, String> {
    let series = if text.trim_start().starts_with('{') {
        cloudwatch(text, metric)?
    } else {
        if metric.is_some() {
            return Err("`metric` picks one metric of a CloudWatch JSON file; \
                        a CSV holds one series: remove `metric`"
                .into());
        }
        csv_rows(text)?
    };
    if series.points.is_empty() {
        return Err("no data points".into());
    }
    Ok(series)
}

/// Parses a timestamp: RFC 3339, ISO 8601 without an offset (UTC), or
/// seconds since the epoch.
pub fn timestamp_ms(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(secs) = text.parse::<f64>() {
        let ms = secs * 1000.0;
        return (ms.is_finite() && ms.abs() < 1e17).then(|| ms.round() as i64);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.timestamp_millis());
    }
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
    .map(|t| t.and_utc().timestamp_millis())
}

/// An instant as RFC 3339 in UTC (`2026-11-03T14:05:00Z`).
pub fn format_ms(at_ms: i64) -> String {
    DateTime::from_timestamp_millis(at_ms).map_or_else(
        || format!("{at_ms} ms"),
        |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    )
}

const TIMESTAMP_FORMS: &str =
    "ISO 8601 such as 2026-11-03T14:05:00Z, or seconds since 1970-01-01 such as 1793714700";

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Export {
    metric_data_results: Vec<MetricResult>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MetricResult {
    id: String,
    #[serde(default)]
    label: Option<String>,
    timestamps: Vec<String>,
    values: Vec<f64>,
}

fn cloudwatch(text: &str, metric: Option<&str>) -> Result<Series, String> {
    let mut results = Vec::new();
    for document in serde_json::Deserializer::from_str(text).into_iter::<Export>() {
        let export = document.map_err(|e| {
            format!(
                "{e}; expected the AWS CLI's get-metric-data output: \
                 {{\"MetricDataResults\": [{{\"Id\": ..., \"Timestamps\": [...], \"Values\": [...]}}]}}"
            )
        })?;
        results.extend(export.metric_data_results);
    }
    let id = chosen_metric(&results, metric)?;
    let mut points = Vec::new();
    for (j, r) in results.iter().enumerate().filter(|(_, r)| r.id == id) {
        let at = |k: usize| format!("MetricDataResults[{j}] (Id \"{}\") entry {k}", r.id);
        if r.timestamps.len() != r.values.len() {
            return Err(format!(
                "MetricDataResults[{j}] (Id \"{}\") has {} timestamps but {} values; each timestamp needs its value",
                r.id,
                r.timestamps.len(),
                r.values.len()
            ));
        }
        for (k, (stamp, &value)) in r.timestamps.iter().zip(&r.values).enumerate() {
            let at_ms = timestamp_ms(stamp).ok_or_else(|| {
                format!(
                    "{}: \"{stamp}\" is not a timestamp ({TIMESTAMP_FORMS})",
                    at(k)
                )
            })?;
            points.push((
                at_ms,
                checked_value(value).map_err(|m| format!("{}: {m}", at(k)))?,
            ));
        }
    }
    points.sort_by_key(|&(at_ms, _)| at_ms);
    if let Some(w) = points.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(format!(
            "the timestamp {} appears twice for Id \"{id}\"; pages must not overlap",
            format_ms(w[0].0)
        ));
    }
    Ok(Series {
        name: id,
        points: points
            .into_iter()
            .map(|(at_ms, value)| Point { at_ms, value })
            .collect(),
    })
}

/// The `Id` of the metric to read: the one `metric` names (by `Id` or
/// `Label`), or the file's only one.
fn chosen_metric(results: &[MetricResult], metric: Option<&str>) -> Result<String, String> {
    let mut ids: Vec<&str> = results.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let listed = || {
        results
            .iter()
            .map(|r| match &r.label {
                Some(l) if *l != r.id => format!("\"{}\" (label \"{l}\")", r.id),
                _ => format!("\"{}\"", r.id),
            })
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
            .join(", ")
    };
    match metric {
        Some(m) => results
            .iter()
            .find(|r| r.id == m || r.label.as_deref() == Some(m))
            .map(|r| r.id.clone())
            .ok_or_else(|| {
                format!(
                    "no metric with Id or Label \"{m}\"; the file has {}",
                    listed()
                )
            }),
        None if ids.len() == 1 => Ok(ids[0].to_owned()),
        None if ids.is_empty() => Err("MetricDataResults is empty".into()),
        None => Err(format!(
            "the file holds {} metrics ({}); name one with `metric = \"<Id or Label>\"`",
            ids.len(),
            listed()
        )),
    }
}

fn checked_value(value: f64) -> Result<f64, String> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(format!("{value} is not allowed; values are numbers >= 0"))
    }
}

fn csv_rows(text: &str) -> Result<Series, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .comment(Some(b'#'))
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut columns = (0, 1);
    let mut name = "value".to_owned();
    let mut points: Vec<Point> = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| e.to_string())?;
        let row = record.position().map_or(index as u64 + 1, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        if points.is_empty() && index == 0 && timestamp_ms(&record[0]).is_none() {
            (columns, name) = header(&record, row)?;
            continue;
        }
        points.push(csv_point(&record, row, columns, points.last())?);
    }
    Ok(Series { name, points })
}

/// The columns a header names: `timestamp` and `value` (any case).
fn header(record: &csv::StringRecord, row: u64) -> Result<((usize, usize), String), String> {
    let find = |want: &str| record.iter().position(|h| h.eq_ignore_ascii_case(want));
    match (find("timestamp"), find("value")) {
        (Some(t), Some(v)) => Ok(((t, v), record[v].to_owned())),
        _ => Err(format!(
            "row {row}: the header needs columns `timestamp` and `value` (found: {})",
            record.iter().collect::<Vec<_>>().join(", ")
        )),
    }
}

fn csv_point(
    record: &csv::StringRecord,
    row: u64,
    (t, v): (usize, usize),
    last: Option<&Point>,
) -> Result<Point, String> {
    let cell = |k: usize, what: &str| {
        record
            .get(k)
            .ok_or_else(|| format!("row {row}: no {what} (expected timestamp,value)"))
    };
    let stamp = cell(t, "timestamp")?;
    let at_ms = timestamp_ms(stamp)
        .ok_or_else(|| format!("row {row}: \"{stamp}\" is not a timestamp ({TIMESTAMP_FORMS})"))?;
    let text = cell(v, "value")?;
    let value: f64 = text
        .parse()
        .map_err(|_| format!("row {row}: \"{text}\" is not a number"))?;
    let value = checked_value(value).map_err(|m| format!("row {row}: {m}"))?;
    if let Some(last) = last {
        if at_ms == last.at_ms {
            return Err(format!(
                "row {row}: {} is the timestamp of the row before; each instant appears once",
                format_ms(at_ms)
            ));
        }
        if at_ms < last.at_ms {
            return Err(format!(
                "row {row}: {} is earlier than the row before ({}); rows must be in increasing time",
                format_ms(at_ms),
                format_ms(last.at_ms)
            ));
        }
    }
    Ok(Point { at_ms, value })
}

#[cfg(test)]
#[path = "series_tests.rs"]
mod tests;
