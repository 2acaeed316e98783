//! The charts of one run: backlog, throughput, latency percentiles,
//! latency by send time, oldest age, consumers, then each shared
//! resource's holders and waiters ([`super::resources`]). Time charts shade
//! the scenario's fault windows; a single queue's backlog chart also shades
//! the periods its breaker was open in replication 0; latency charts draw
//! the `[slo]` latency targets.
//!
//! For a network the same charts cover every queue (summed; the oldest age
//! of any queue), their titles say so, latency is end to end, and the
//! throughput chart is the busiest queue's, whose fleet's capacity is the
//! one its capacity line can honestly show ([`super::network`]).

use super::*;
use crate::engine::result::{ReplicationResult, Sample};
use crate::output::csv_files::LATENCY_QUANTILES;
use crate::output::summary::{RunSummary, SERIES_QUANTILES};
use crate::scenario::Scenario;
use crate::stats::{Range, summarize_in};

/// Latency targets a latency chart can draw: (metric, quantile, colour).
const LATENCY_TARGETS: [(&str, f64, RGBColor); 4] = [
    ("latency_p50", 0.5, GREEN),
    ("latency_p90", 0.9, ORANGE),
    ("latency_p99", 0.99, RED),
    ("latency_p999", 0.999, PURPLE),
];

/// The charts of one run, in the order the report shows them.
pub fn run_charts(
    sc: &Scenario,
    summary: &RunSummary,
    results: &[ReplicationResult],
) -> Vec<Chart> {
    let t = TimeAxis::new(sc, summary);
    let n = results.len();
    let net = sc.is_network();
    // One replication has no interval and no range: no band then.
    let band = (n > 1).then(|| Band {
        label: "visible: 95% interval over replications".into(),
        points: decimate_band(
            visible_band(results, summary.timeseries.len(), &|s| t.x(s)),
            MAX_BAND_BUCKETS,
        ),
    });
    let oldest = (n > 1).then(|| Band {
        label: "min–max over replications".into(),
        points: decimate_band(
            summary
                .timeseries
                .iter()
                .zip(&summary.oldest_age_range)
                .map(|(s, &(lo, hi))| (t.x(s.time), lo, hi))
                .collect(),
            MAX_BAND_BUCKETS,
        ),
    });
    let backlog_of = of_replications(n, || format!("mean of {n} replications, 95% band"));
    // A single queue's breaker shades its backlog; a network's, its panel.
    let mut backlog_axis = t.clone();
    if !net && let Some(q) = sc.queues.first() {
        backlog_axis.windows.extend(breaker_windows(
            summary,
            &q.name,
            t.div,
            "breaker open (replication 0)",
        ));
    }
    let mut charts = vec![
        Chart {
            name: "backlog".into(),
            title: if net {
                format!("{}: backlog of all queues ({backlog_of})", sc.name)
            } else {
                format!("{}: backlog ({backlog_of})", sc.name)
            },
            x_label: t.label.clone(),
            y_label: "messages".into(),
            kind: backlog_axis.lines(
                vec![
                    line("visible", t.series(summary, &|s| s.visible), BLUE),
                    line("in flight", t.series(summary, &|s| s.in_flight), ORANGE),
                    line(
                        if net {
                            // A network's dead-letter queues are queues: their
                            // messages are in "visible" too.
                            "dead-lettered so far (all queues)"
                        } else {
                            "dead-letter queue"
                        },
                        t.series(summary, &|s| s.dead_letter),
                        RED,
                    ),
                ],
                band,
                vec![],
            ),
        },
        if net {
            super::network::throughput(sc, summary)
        } else {
            throughput_chart(sc, summary, &|t, up| {
                crate::capacity::capacity_at(sc, t, up)
            })
        },
        latency_chart(sc, summary),
        latency_over_time_chart(sc, summary, &t),
        Chart {
            name: "oldest_age".into(),
            title: format!(
                "{}: age of the oldest message{} ({})",
                sc.name,
                if net { " in any queue" } else { "" },
                replications_note(n, "over")
            ),
            x_label: t.label.clone(),
            y_label: "seconds".into(),
            kind: t.lines(
                vec![line(
                    &mean_line_name("oldest message", n),
                    t.series(summary, &|s| s.oldest_age),
                    BLUE,
                )],
                oldest,
                vec![],
            ),
        },
        Chart {
            name: "consumers".into(),
            title: format!(
                "{}: consumers{} ({})",
                sc.name,
                if net { " of all fleets" } else { "" },
                replications_note(n, "over")
            ),
            x_label: t.label.clone(),
            y_label: "consumers".into(),
            kind: t.lines(consumer_lines(sc, summary, &t), None, vec![]),
        },
    ];
    super::observed::add_observed(&mut charts, sc, summary, results, &t);
    charts.extend(super::resources::resource_charts(sc, summary, &t));
    charts
}

/// The run's time axis: its unit, and the fault windows in that unit.
#[derive(Clone)]
pub(super) struct TimeAxis {
    pub label: String,
    pub div: f64,
    pub windows: Vec<Window>,
}

impl TimeAxis {
    pub(super) fn new(sc: &Scenario, summary: &RunSummary) -> Self {
        let end = summary.timeseries.last().map_or(0.0, |s| s.time);
        let (unit, div) = time_unit(end);
        let windows = sc
            .faults
            .iter()
            .map(|f| Window {
                label: fault_label(f),
                start: f.at.as_secs_f64() / div,
                end: f.end().as_secs_f64() / div,
                shade: Shade::Fault,
            })
            .collect();
        TimeAxis {
            label: format!("time ({unit})"),
            div,
            windows,
        }
    }

    pub(super) fn x(&self, seconds: f64) -> f64 {
        seconds / self.div
    }

    /// One column of the mean time series, decimated for drawing.
    fn series(&self, summary: &RunSummary, f: &dyn Fn(&Sample) -> f64) -> Vec<(f64, f64)> {
        let points = summary
            .timeseries
            .iter()
            .map(|s| (self.x(s.time), f(s)))
            .collect();
        decimate(points, MAX_LINE_BUCKETS)
    }

    pub(super) fn lines(&self, lines: Vec<Line>, band: Option<Band>, marks: Vec<Mark>) -> Kind {
        Kind::Lines {
            lines,
            band,
            windows: self.windows.clone(),
            categories: None,
            marks,
        }
    }
}

/// Arrivals, completions and the fleet's capacity over time, msg/s. Each
/// row's counts are those of the interval ending at its time, so the row at
/// time 0 (no interval) is left out. `per_consumer` is what one consumer
/// completes per second.
/// `capacity(t, up)`: messages per second `up` consumers keep up with at
/// `t` seconds ([`crate::capacity::capacity_at`] in a run's charts).
pub fn throughput_chart(
    sc: &Scenario,
    summary: &RunSummary,
    capacity: &dyn Fn(f64, f64) -> f64,
) -> Chart {
    throughput_of(
        sc,
        summary,
        &Throughput {
            title: format!(
                "{}: throughput ({})",
                sc.name,
                pooled(summary, "mean over replications")
            ),
            series: &summary.timeseries,
            // A sample counts the interval before it: its middle's faults apply.
            labels: [
                "arrivals (sent)".into(),
                "completions (deleted)".into(),
                "capacity of the consumers up (mqsim check's model)".into(),
            ],
            capacity: Some(capacity),
        },
    )
}

/// What a throughput chart draws: a time series (the run's, or one
/// queue's), the legend of its three lines, and the capacity of `up`
/// consumers at `t` seconds, if that line is drawn.
pub(super) struct Throughput<'a> {
    pub title: String,
    pub series: &'a [Sample],
    pub labels: [String; 3],
    pub capacity: Option<&'a dyn Fn(f64, f64) -> f64>,
}

pub(super) fn throughput_of(sc: &Scenario, summary: &RunSummary, what: &Throughput) -> Chart {
    let t = TimeAxis::new(sc, summary);
    let dt = sc.sample_interval.as_secs_f64();
    let rate = |f: &dyn Fn(&Sample) -> f64| {
        let points = what
            .series
            .iter()
            .skip(1)
            .map(|s| (t.x(s.time), f(s)))
            .collect();
        decimate(points, MAX_LINE_BUCKETS)
    };
    let [sent, deleted, cap] = &what.labels;
    let mut lines = vec![
        line(sent, rate(&|s| s.sent / dt), BLUE),
        line(deleted, rate(&|s| s.deleted / dt), GREEN),
    ];
    if let Some(capacity) = what.capacity {
        lines.push(line(
            cap,
            rate(&|s| capacity(s.time - dt / 2.0, s.consumers_up)),
            GREY,
        ));
    }
    Chart {
        name: "throughput".into(),
        title: what.title.clone(),
        x_label: t.label.clone(),
        y_label: "msg/s".into(),
        kind: t.lines(lines, None, vec![]),
    }
}

/// Consumers up and busy, and starting when the fleet autoscales.
fn consumer_lines(sc: &Scenario, summary: &RunSummary, t: &TimeAxis) -> Vec<Line> {
    let mut lines = vec![
        line("up", t.series(summary, &|s| s.consumers_up), GREEN),
        line("busy", t.series(summary, &|s| s.consumers_busy), ORANGE),
    ];
    let scales = sc
        .queues
        .iter()
        .filter_map(|q| q.consumers.as_ref())
        .any(|c| c.autoscale.is_some());
    if scales {
        lines.push(line(
            "starting",
            t.series(summary, &|s| s.consumers_starting),
            BLUE,
        ));
    }
    lines
}

/// Horizontal lines at the scenario's targets on latency quantiles up to
/// `max_q`.
fn latency_marks(sc: &Scenario, max_q: f64) -> Vec<Mark> {
    LATENCY_TARGETS
        .iter()
        .filter(|&&(_, q, _)| q <= max_q)
        .filter_map(|&(metric, _, color)| {
            let target = sc.slo.iter().find(|t| t.metric == metric)?;
            Some(Mark {
                label: format!("SLO {metric} ≤ {} s", short(target.max)),
                value: target.max,
                vertical: false,
                color,
            })
        })
        .collect()
}

fn latency_chart(sc: &Scenario, summary: &RunSummary) -> Chart {
    let points: Vec<(f64, f64)> = LATENCY_QUANTILES
        .iter()
        .enumerate()
        .filter(|_| !summary.latency.is_empty())
        .map(|(i, &q)| (i as f64, summary.latency.value_at_quantile(q) as f64 / 1e6))
        .collect();
    let categories = LATENCY_QUANTILES
        .iter()
        .map(|q| format!("p{}", (q * 100.0 * 1000.0).round() / 1000.0))
        .collect();
    Chart {
        name: "latency".into(),
        title: if sc.is_network() {
            format!(
                "{}: end-to-end latency percentiles, send to journey's end ({})",
                sc.name,
                pooled(summary, "all replications")
            )
        } else {
            format!(
                "{}: end-to-end latency percentiles ({})",
                sc.name,
                pooled(summary, "all replications")
            )
        },
        x_label: "percentile".into(),
        y_label: "seconds".into(),
        kind: Kind::Lines {
            lines: vec![line("latency", points, BLUE)],
            band: None,
            windows: vec![],
            categories: Some(categories),
            marks: latency_marks(sc, 1.0),
        },
    }
}

/// p50, p90, p99 of the messages sent in each interval, plotted at the
/// interval's middle: an incident shows at the time its victims were sent.
fn latency_over_time_chart(sc: &Scenario, summary: &RunSummary, t: &TimeAxis) -> Chart {
    let half = sc.sample_interval.as_secs_f64() / 2.0;
    let colors = [GREEN, ORANGE, RED];
    let lines = SERIES_QUANTILES
        .iter()
        .enumerate()
        .map(|(k, q)| {
            let points = summary
                .timeseries
                .iter()
                .zip(&summary.latency_by_sent)
                .skip(1)
                .map(|(s, l)| (t.x(s.time - half), l[k]))
                .collect();
            line(
                &format!("p{}", (q * 1000.0).round() / 10.0),
                decimate(points, MAX_LINE_BUCKETS),
                colors[k],
            )
        })
        .collect();
    // Only the targets these lines can be read against.
    let marks = latency_marks(sc, SERIES_QUANTILES[2]);
    Chart {
        name: "latency_over_time".into(),
        title: if sc.is_network() {
            format!(
                "{}: end-to-end latency by send time ({})",
                sc.name,
                pooled(summary, "all replications merged")
            )
        } else {
            format!(
                "{}: latency by send time ({})",
                sc.name,
                pooled(summary, "all replications merged")
            )
        },
        x_label: format!("send {}", t.label),
        y_label: "seconds".into(),
        kind: t.lines(lines, None, marks),
    }
}

/// [`of_replications`] for the run of `summary`.
fn pooled(summary: &RunSummary, many: &str) -> String {
    of_replications(summary.manifest.replications as usize, || many.into())
}

/// The 95% interval of the visible backlog at each sample, across
/// replications (a replication that ended earlier counts as drained),
/// clipped at 0.
fn visible_band(
    results: &[ReplicationResult],
    samples: usize,
    x: &dyn Fn(f64) -> f64,
) -> Vec<(f64, f64, f64)> {
    (0..samples)
        .filter_map(|k| {
            let values: Vec<f64> = results
                .iter()
                .map(|r| r.timeseries.get(k).map_or(0.0, |s| s.visible))
                .collect();
            let time = results.iter().find_map(|r| r.timeseries.get(k))?.time;
            let s = summarize_in(&values, Range::NON_NEGATIVE);
            let (lo, hi) = (s.ci95_low.unwrap_or(s.mean), s.ci95_high.unwrap_or(s.mean));
            Some((x(time), lo, hi))
        })
        .collect()
}

/// A bound as a legend shows it: up to 4 significant digits.
pub(super) fn short(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_owned()
}
