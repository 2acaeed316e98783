//! Backtesting: a run's simulated series set against what production
//! observed (`[observed]`, [`crate::scenario::observed`]).
//!
//! Contract: each observed point at simulated time `t` is compared with the
//! sample nearest `t` of the observed queue (a replication that ended
//! earlier counts as drained there, as in the mean time series); points
//! after the last sample of every replication are not compared. Per series:
//! the root-mean-square and mean difference between the simulated mean and
//! the observation, the peaks (the simulated one is the mean over
//! replications of each replication's peak, since the mean curve is
//! smoother than any one run), and the share of points inside the range
//! (min to max) of the replications. One observation is one realization, so
//! the range of the replications is the band it should fall in, not the
//! interval of their mean: if the model is right, a point lies inside the
//! range of R replications with probability (R − 1)/(R + 1). The simulated
//! age is compared in whole seconds, the resolution CloudWatch reports.

use crate::engine::result::{ReplicationResult, Sample};
use crate::scenario::Scenario;
use crate::scenario::observed::ObservedSeries;
use crate::stats::{Range, Stat, summarize_in};

/// The comparison of a run with its observations.
#[derive(Clone, Debug, PartialEq)]
pub struct Backtest {
    /// The queue observed.
    pub queue: String,
    /// Simulated time 0, RFC 3339.
    pub start: String,
    /// The series compared: `visible`, then `age`.
    pub series: Vec<SeriesBacktest>,
}

/// Which level a series observes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// `ApproximateNumberOfMessagesVisible`.
    Visible,
    /// `ApproximateAgeOfOldestMessage`, seconds.
    Age,
}

impl Level {
    /// The key in `[observed]` and `summary.json`.
    pub fn key(self) -> &'static str {
        match self {
            Level::Visible => "visible",
            Level::Age => "age",
        }
    }

    /// The CloudWatch metric it stands for.
    pub fn cloudwatch(self) -> &'static str {
        match self {
            Level::Visible => "ApproximateNumberOfMessagesVisible",
            Level::Age => "ApproximateAgeOfOldestMessage",
        }
    }

    /// The simulated level at a sample.
    pub fn simulated(self, s: &Sample) -> f64 {
        match self {
            Level::Visible => s.visible,
            Level::Age => s.oldest_age,
        }
    }

    /// The simulated level as CloudWatch reports it: the age in whole
    /// seconds (so that a near-empty queue's 0.3 s reads 0, as observed).
    fn reported(self, s: &Sample) -> f64 {
        match self {
            Level::Visible => s.visible,
            Level::Age => s.oldest_age.floor(),
        }
    }
}

/// `of` at each replication's sample `k`; a replication that has ended
/// counts as drained (0) there.
pub fn values_at<'a>(
    runs: &'a [&[Sample]],
    k: usize,
    of: impl Fn(&Sample) -> f64 + 'a,
) -> impl Iterator<Item = f64> + 'a {
    runs.iter().map(move |run| run.get(k).map_or(0.0, &of))
}

/// The smallest and largest of `values`.
pub fn min_max(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    values
        .into_iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)))
}

/// One observed point beside the simulation at its instant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ComparedPoint {
    /// Simulated time, seconds.
    pub time: f64,
    /// What production measured.
    pub observed: f64,
    /// The mean over replications.
    pub mean: f64,
    /// The smallest replication's value.
    pub low: f64,
    /// The largest replication's value.
    pub high: f64,
}

impl ComparedPoint {
    /// Whether the observation lies in the range of the replications.
    pub fn inside(&self) -> bool {
        self.low <= self.observed && self.observed <= self.high
    }
}

/// The comparison of one series.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesBacktest {
    /// What it observes.
    pub level: Level,
    /// The file, as the scenario names it.
    pub file: String,
    /// The points compared, in time order.
    pub points: Vec<ComparedPoint>,
    /// Points before simulated time 0 or after the run, not compared.
    pub not_compared: usize,
    /// Root-mean-square of (simulated mean − observed).
    pub rmse: f64,
    /// Mean of (simulated mean − observed): positive when the model is high.
    pub bias: f64,
    /// The largest observation and its time, seconds.
    pub peak_observed: (f64, f64),
    /// Each replication's largest value at the compared instants.
    pub peak_simulated: Stat,
    /// The points inside the range of the replications.
    pub inside: usize,
    /// The share expected inside if the model were right, (R − 1)/(R + 1).
    pub inside_expected: f64,
}

impl SeriesBacktest {
    /// Mean simulated peak over observed peak (None for a zero observed peak).
    pub fn peak_ratio(&self) -> Option<f64> {
        (self.peak_observed.0 > 0.0).then(|| self.peak_simulated.mean / self.peak_observed.0)
    }

    /// The share of compared points inside the range of the replications.
    pub fn inside_share(&self) -> f64 {
        self.inside as f64 / self.points.len().max(1) as f64
    }
}

/// The backtest of `results` of `sc`, if it has observations.
pub fn backtest(sc: &Scenario, results: &[ReplicationResult]) -> Option<Backtest> {
    let observed = sc.observed.as_ref()?;
    let q = observed.queue_index;
    let runs: Vec<&[Sample]> = results
        .iter()
        .map(|r| {
            if sc.is_network() {
                r.queues.get(q).map_or(&[][..], |s| &s.timeseries[..])
            } else {
                &r.timeseries[..]
            }
        })
        .collect();
    let dt = sc.sample_interval.as_secs_f64();
    let series = [
        (Level::Visible, &observed.visible),
        (Level::Age, &observed.age),
    ]
    .into_iter()
    .filter_map(|(level, s)| Some(compare(level, s.as_ref()?, &runs, dt)))
    .collect();
    Some(Backtest {
        queue: observed.queue.clone(),
        start: observed.start.clone(),
        series,
    })
}

fn compare(level: Level, s: &ObservedSeries, runs: &[&[Sample]], dt: f64) -> SeriesBacktest {
    let longest = runs.iter().map(|run| run.len()).max().unwrap_or(0);
    let mut points = Vec::with_capacity(s.points.len());
    let mut peaks = vec![0.0_f64; runs.len()];
    for &(at, observed) in &s.points {
        let k = (at.as_secs_f64() / dt).round() as usize;
        if k >= longest {
            continue;
        }
        let values: Vec<f64> = values_at(runs, k, |x| level.reported(x)).collect();
        for (peak, v) in peaks.iter_mut().zip(&values) {
            *peak = peak.max(*v);
        }
        let (low, high) = min_max(values.iter().copied());
        points.push(ComparedPoint {
            time: at.as_secs_f64(),
            observed,
            mean: values.iter().sum::<f64>() / values.len().max(1) as f64,
            low,
            high,
        });
    }
    summarize_series(level, s, points, &peaks)
}

fn summarize_series(
    level: Level,
    s: &ObservedSeries,
    points: Vec<ComparedPoint>,
    peaks: &[f64],
) -> SeriesBacktest {
    let n = points.len().max(1) as f64;
    let diff = |p: &ComparedPoint| p.mean - p.observed;
    let rmse = (points.iter().map(|p| diff(p).powi(2)).sum::<f64>() / n).sqrt();
    let bias = points.iter().map(diff).sum::<f64>() / n;
    let peak_observed = points.iter().fold((0.0, 0.0), |best, p| {
        if p.observed > best.0 {
            (p.observed, p.time)
        } else {
            best
        }
    });
    let r = peaks.len() as f64;
    SeriesBacktest {
        level,
        file: s.file.clone(),
        not_compared: s.dropped + s.points.len() - points.len(),
        inside: points.iter().filter(|p| p.inside()).count(),
        points,
        rmse,
        bias,
        peak_observed,
        peak_simulated: summarize_in(peaks, Range::NON_NEGATIVE),
        inside_expected: ((r - 1.0) / (r + 1.0)).max(0.0),
    }
}

#[cfg(test)]
#[path = "observed_tests.rs"]
mod tests;
