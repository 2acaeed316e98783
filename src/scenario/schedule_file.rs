//! A producer's `schedule = { file, period, scale, metric }`: counts per
//! period exported from production ([`super::series`]) become a
//! piecewise-constant rate, `value × scale / period` from each timestamp
//! (CloudWatch stamps a period with its start) to the next period.
//!
//! Contract: the period is the data's spacing (the greatest common divisor
//! of the gaps between timestamps); a `period` given in the file must equal
//! it, since any other reading would scale every rate wrongly. Missing
//! periods (gaps) are zero. Simulated time 0 is the scenario's epoch, the
//! earliest first timestamp of all its schedule files, so that producers
//! read from different files keep their alignment; before a file's first
//! timestamp and after its last period its rate is 0. Periods at or after
//! `duration` are not used.

use serde::{Deserialize, Serialize};

use super::checks::{Checked, invalid, number_in, positive_duration, required};
use super::duration::RawDuration;
use super::files::DataFiles;
use super::model::RateStep;
use super::series::{self, Series, format_ms};
use crate::time::SimTime;

/// The table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScheduleFile {
    file: Option<String>,
    period: Option<RawDuration>,
    scale: Option<f64>,
    metric: Option<String>,
}

/// A schedule read from a file, as the scenario wrote it and as read.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScheduleFile {
    /// The file, as written in the scenario.
    pub file: String,
    /// The length of one count (given, or the data's spacing).
    pub period: SimTime,
    /// Every rate is multiplied by this.
    pub scale: f64,
    /// The metric picked in a CloudWatch file with several.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
    /// Data points read.
    #[serde(skip)]
    pub points: usize,
    /// The first timestamp, ms since the Unix epoch.
    #[serde(skip)]
    pub first_ms: i64,
    /// The last timestamp, ms since the Unix epoch.
    #[serde(skip)]
    pub last_ms: i64,
}

impl ScheduleFile {
    /// What `check` and the report say about it.
    pub fn describe(&self) -> String {
        let scale = if self.scale == 1.0 {
            String::new()
        } else {
            format!(", each multiplied by {}", self.scale)
        };
        format!(
            "{} counts per {} from {} to {}{scale}",
            self.points,
            self.period,
            format_ms(self.first_ms),
            format_ms(self.last_ms + self.period.ticks() as i64 / 1000),
        )
    }
}

/// A file schedule read but not yet placed on the scenario's time axis.
#[derive(Debug)]
pub struct ReadSchedule {
    /// What was read.
    pub spec: ScheduleFile,
    series: Series,
}

/// Whether a `schedule` value is the file form (a table).
pub fn is_file_form(value: &toml::Value) -> bool {
    value.is_table()
}

/// Reads the `schedule` table at `key`.
pub fn read(key: &str, value: &toml::Value, files: &DataFiles) -> Checked<ReadSchedule> {
    let raw: RawScheduleFile = value.clone().try_into().map_err(|e: toml::de::Error| {
        invalid(
            key,
            format!(
                "{}; allowed: schedule = {{ file = \"sent.json\", period = \"1m\", scale = 1.0, metric = \"<Id>\" }} \
                 (file required)",
                e.message()
            ),
        )
    })?;
    let file = required(
        &format!("{key}.file"),
        raw.file,
        "file = \"sent.json\" (CloudWatch get-metric-data JSON or CSV timestamp,value)",
    )?;
    let scale = number_in(
        &format!("{key}.scale"),
        raw.scale,
        1.0,
        f64::MIN_POSITIVE..=1e6,
    )?;
    let path = files.path(&file).display().to_string();
    let text = files
        .read(&file)
        .map_err(|why| invalid(format!("{key}.file"), why))?;
    let series = series::parse(&text, raw.metric.as_deref())
        .map_err(|why| invalid(format!("{key}.file"), format!("{path}: {why}")))?;
    let spacing = spacing_ms(&series);
    let period = match (&raw.period, spacing) {
        (Some(p), _) => {
            let p = positive_duration(
                &format!("{key}.period"),
                p,
                SimTime::from_secs(86_400),
                "a period",
            )?;
            check_period(&format!("{key}.period"), &path, p, spacing)?;
            p
        }
        (None, Some(ms)) => SimTime::from_millis(ms as u64),
        (None, None) => {
            return Err(invalid(
                format!("{key}.period"),
                format!(
                    "{path} has a single data point, so the period cannot be read from it: give period = \"1m\""
                ),
            ));
        }
    };
    let points = series.points.len();
    let (first_ms, last_ms) = (series.points[0].at_ms, series.points[points - 1].at_ms);
    Ok(ReadSchedule {
        spec: ScheduleFile {
            file,
            period,
            scale,
            metric: raw.metric,
            points,
            first_ms,
            last_ms,
        },
        series,
    })
}

/// The greatest common divisor of the gaps between timestamps (None for a
/// single point).
fn spacing_ms(series: &Series) -> Option<i64> {
    series
        .points
        .windows(2)
        .map(|w| w[1].at_ms - w[0].at_ms)
        .reduce(gcd)
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// A given period must be the data's spacing.
fn check_period(key: &str, path: &str, period: SimTime, spacing: Option<i64>) -> Checked<()> {
    let Some(spacing) = spacing else {
        return Ok(());
    };
    let given = period.ticks() as i64 / 1000;
    let data = SimTime::from_millis(spacing as u64);
    if given == spacing && period.ticks() % 1000 == 0 {
        return Ok(());
    }
    let why = if spacing % given.max(1) == 0 {
        format!(
            "the timestamps in {path} are {data} apart (or a multiple of it), so each value counts {data}; \
             reading them as counts per {period} would put {} empty periods between them",
            spacing / given.max(1) - 1
        )
    } else {
        format!(
            "the timestamps in {path} are {data} apart (or a multiple of it), which is not a whole number of {period} periods"
        )
    };
    Err(invalid(
        key,
        format!("{why}; use period = \"{data}\" or leave period out"),
    ))
}

/// The earliest first timestamp of `schedules`: simulated time 0.
pub fn epoch_ms<'a>(schedules: impl IntoIterator<Item = &'a ReadSchedule>) -> Option<i64> {
    schedules.into_iter().map(|s| s.spec.first_ms).min()
}

/// The rate steps of `read` on the time axis that starts at `epoch_ms`,
/// cut at `horizon`; the first step is at 0.
pub fn steps(read: &ReadSchedule, epoch_ms: i64, horizon: SimTime) -> Vec<RateStep> {
    let period = read.spec.period;
    let per_second = read.spec.scale / period.as_secs_f64();
    let mut written = vec![RateStep {
        from: SimTime::ZERO,
        rate: 0.0,
    }];
    for p in &read.series.points {
        let from = SimTime::from_millis((p.at_ms - epoch_ms) as u64);
        written.push(RateStep {
            from,
            rate: p.value * per_second,
        });
        written.push(RateStep {
            from: from + period,
            rate: 0.0,
        });
    }
    // A period that starts where the one before ends replaces its zero.
    let mut steps: Vec<RateStep> = Vec::new();
    for step in written.into_iter().filter(|s| s.from < horizon) {
        if steps.last().is_some_and(|last| last.from == step.from) {
            steps.pop();
        }
        if steps.last().is_none_or(|last| last.rate != step.rate) {
            steps.push(step);
        }
    }
    steps
}

#[cfg(test)]
#[path = "schedule_file_tests.rs"]
mod tests;
