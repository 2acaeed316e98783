//! Observations (`[observed]`) on a run's charts, beside the simulation.
//!
//! Contract: a single queue's backlog chart gets the observed visible
//! messages and its band becomes the range (min to max) of the
//! replications, the band one observation should fall in (see
//! [`crate::output::observed`]); its oldest-age chart, whose band is that
//! range already, gets the observed age. A network's backlog chart sums
//! every queue, which no observation of one queue matches, so it gets one
//! chart per observed series of that queue instead (`observed_visible`,
//! `observed_age`), placed after the backlog chart.

use super::run::TimeAxis;
use super::*;
use crate::engine::result::{ReplicationResult, Sample};
use crate::output::observed::{Level, SeriesBacktest, min_max, values_at};
use crate::output::summary::RunSummary;
use crate::scenario::Scenario;

/// Adds the observations of `summary` to `charts` (the run's, in order).
pub(super) fn add_observed(
    charts: &mut Vec<Chart>,
    sc: &Scenario,
    summary: &RunSummary,
    results: &[ReplicationResult],
    t: &TimeAxis,
) {
    let Some(backtest) = &summary.observed else {
        return;
    };
    let n = results.len();
    if !sc.is_network() {
        for s in &backtest.series {
            let name = match s.level {
                Level::Visible => "backlog",
                Level::Age => "oldest_age",
            };
            let Some(chart) = charts.iter_mut().find(|c| c.name == name) else {
                continue;
            };
            if let Kind::Lines { lines, band, .. } = &mut chart.kind {
                lines.push(observed_line(s, t));
                let of = mean_and_range(n);
                chart.title = if s.level == Level::Visible {
                    if n > 1 {
                        *band = Some(range_band(&per_run(results, None), Level::Visible, t));
                    }
                    format!("{}: backlog ({of}) against observed", sc.name)
                } else {
                    format!(
                        "{}: age of the oldest message ({of}) against observed",
                        sc.name
                    )
                };
            }
        }
        return;
    }
    let q = backtest_queue(sc);
    let runs = per_run(results, Some(q));
    let mean = summary
        .queues
        .get(q)
        .map(|s| &s.timeseries[..])
        .unwrap_or(&[]);
    let at = charts
        .iter()
        .position(|c| c.name == "backlog")
        .map_or(0, |i| i + 1);
    for (k, s) in backtest.series.iter().enumerate() {
        charts.insert(at + k, queue_chart(sc, &backtest.queue, s, &runs, mean, t));
    }
}

fn backtest_queue(sc: &Scenario) -> usize {
    sc.observed.as_ref().map_or(0, |o| o.queue_index)
}

/// Each replication's time series: the run's, or queue `q`'s.
fn per_run(results: &[ReplicationResult], q: Option<usize>) -> Vec<&[Sample]> {
    results
        .iter()
        .map(|r| match q {
            None => &r.timeseries[..],
            Some(q) => r.queues.get(q).map_or(&[][..], |s| &s.timeseries[..]),
        })
        .collect()
}

/// One observed series' chart for a queue of a network.
fn queue_chart(
    sc: &Scenario,
    queue: &str,
    s: &SeriesBacktest,
    runs: &[&[Sample]],
    mean: &[Sample],
    t: &TimeAxis,
) -> Chart {
    let (what, y_label) = match s.level {
        Level::Visible => ("visible messages", "messages"),
        Level::Age => ("age of the oldest message", "seconds"),
    };
    let simulated = decimate(
        mean.iter()
            .map(|x| (t.x(x.time), s.level.simulated(x)))
            .collect(),
        MAX_LINE_BUCKETS,
    );
    Chart {
        name: format!("observed_{}", s.level.key()),
        title: format!(
            "{}: {what} of queue {queue} ({}) against observed",
            sc.name,
            mean_and_range(runs.len())
        ),
        x_label: t.label.clone(),
        y_label: y_label.into(),
        kind: t.lines(
            vec![
                line(&mean_line_name("simulated", runs.len()), simulated, BLUE),
                observed_line(s, t),
            ],
            (runs.len() > 1).then(|| range_band(runs, s.level, t)),
            vec![],
        ),
    }
}

/// What the simulated lines and band are (no band for one replication).
fn mean_and_range(n: usize) -> String {
    of_replications(n, || format!("mean and min–max of {n} replications"))
}

fn observed_line(s: &SeriesBacktest, t: &TimeAxis) -> Line {
    line(
        &format!("observed ({})", s.file),
        s.points.iter().map(|p| (t.x(p.time), p.observed)).collect(),
        RGBColor(20, 20, 20),
    )
}

/// The range (min to max) of the replications at every sample; a
/// replication that has ended counts as drained (0).
fn range_band(runs: &[&[Sample]], level: Level, t: &TimeAxis) -> Band {
    let longest = runs.iter().copied().max_by_key(|r| r.len()).unwrap_or(&[]);
    let points = longest
        .iter()
        .enumerate()
        .map(|(k, sample)| {
            let (lo, hi) = min_max(values_at(runs, k, |x| level.simulated(x)));
            (t.x(sample.time), lo, hi)
        })
        .collect();
    Band {
        label: "min–max over replications".into(),
        points: decimate_band(points, MAX_BAND_BUCKETS),
    }
}
