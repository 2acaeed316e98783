//! The charts of a comparison: one line (or bar) per alternative, in the
//! alternative's colour on every chart, with a legend of labels. Over time
//! (each alternative's mean over replications): the visible backlog, the
//! p99 latency of the messages sent in each interval (left out when no
//! alternative completed any), the age of the oldest message, and the
//! consumers up when the alternatives' fleets differ over time. Then bars
//! with 95% interval whiskers: latency mean and percentiles, and cost.

use super::*;
use crate::engine::result::Sample;
use crate::output::compare::Comparison;
use crate::output::summary::RunSummary;

/// Colours of the alternatives, in order (at most
/// [`crate::compare::MAX_ALTERNATIVES`]).
const ALT_COLORS: [RGBColor; 10] = [
    BLUE,
    ORANGE,
    GREEN,
    RED,
    PURPLE,
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    GREY,
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The colour of alternative `i`.
fn color(i: usize) -> RGBColor {
    ALT_COLORS[i % ALT_COLORS.len()]
}

/// The charts of `c`, in the order the report shows them.
pub fn compare_charts(c: &Comparison) -> Vec<Chart> {
    let end = c
        .alternatives
        .iter()
        .filter_map(|a| a.summary.timeseries.last())
        .map(|s| s.time)
        .fold(0.0, f64::max);
    let (unit, div) = time_unit(end);
    let windows = common_faults(c, div);
    let over_time =
        |name: &str, title: &str, y: &str, f: &dyn Fn(&RunSummary) -> Vec<(f64, f64)>| {
            let base = f(&c.base().summary);
            let lines = c
                .alternatives
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let points = f(&a.summary);
                    // An identical line hides the first's: the legend says so.
                    let name = if i > 0 && same_line(&points, &base) {
                        format!("{} (= {})", a.label, c.base().label)
                    } else {
                        a.label.clone()
                    };
                    let points = points.into_iter().map(|(t, v)| (t / div, v)).collect();
                    line(&name, decimate(points, MAX_LINE_BUCKETS), color(i))
                })
                .collect();
            Chart {
                name: name.into(),
                title: title.into(),
                x_label: format!("time ({unit})"),
                y_label: y.into(),
                kind: Kind::Overlay {
                    lines,
                    windows: windows.clone(),
                },
            }
        };
    let r = c.replications();
    let column = |f: fn(&Sample) -> f64| move |s: &RunSummary| series(s, f);
    let mut charts = vec![over_time(
        "backlog",
        &format!("Visible backlog (mean of {r} replications each)"),
        "messages",
        &column(|s| s.visible),
    )];
    let p99 = |s: &RunSummary| {
        s.timeseries
            .iter()
            .zip(&s.latency_by_sent)
            .map(|(row, q)| (row.time, q[2]))
            .collect::<Vec<_>>()
    };
    let measured = c
        .alternatives
        .iter()
        .any(|a| p99(&a.summary).iter().any(|p| p.1.is_finite()));
    if measured {
        charts.push(over_time(
            "latency_p99_over_time",
            &format!("p99 latency of the messages sent in each interval ({r} replications pooled)"),
            "seconds",
            &p99,
        ));
    }
    charts.push(over_time(
        "oldest_age",
        &format!("Age of the oldest message (mean of {r} replications each)"),
        "seconds",
        &column(|s| s.oldest_age),
    ));
    // Fixed fleets are in the table; a fleet that changes over time
    // (autoscaling, crashes, outages) is worth a chart.
    let up = column(|s| s.consumers_up);
    let varies = |points: Vec<(f64, f64)>| points.windows(2).any(|w| w[0].1 != w[1].1);
    if c.alternatives.iter().any(|a| varies(up(&a.summary))) {
        charts.push(over_time(
            "consumers",
            &format!("Consumers up (mean of {r} replications each)"),
            "consumers",
            &up,
        ));
    }
    charts.push(bars(
        c,
        "latency",
        "Latency (mean over replications, 95% interval)",
        "seconds",
        &LATENCIES,
    ));
    let horizon = crate::output::report::words::time(c.base().scenario.duration);
    charts.push(bars(
        c,
        "cost",
        &format!("Cost of the whole run ({horizon} of sending; mean, 95% interval)"),
        "USD",
        &["cost_usd"],
    ));
    charts
}

/// The latency figures of the latency bars, with their group labels.
const LATENCIES: [&str; 4] = ["latency_mean", "latency_p50", "latency_p90", "latency_p99"];

/// The fault windows of the first alternative, in `div` units, when every
/// alternative has the same faults (a window one alternative lacks would
/// mislead about the others).
fn common_faults(c: &Comparison, div: f64) -> Vec<Window> {
    let faults = |a: &crate::output::compare::Alternative| -> Vec<(String, u64, u64)> {
        a.scenario
            .faults
            .iter()
            .map(|f| (fault_label(f), f.at.ticks(), f.end().ticks()))
            .collect()
    };
    let first = faults(c.base());
    if c.alternatives.iter().any(|a| faults(a) != first) {
        return Vec::new();
    }
    c.base()
        .scenario
        .faults
        .iter()
        .map(|f| Window {
            label: fault_label(f),
            start: f.at.as_secs_f64() / div,
            end: f.end().as_secs_f64() / div,
            shade: Shade::Fault,
        })
        .collect()
}

/// Whether two series are the same point for point (NaN gaps alike).
fn same_line(a: &[(f64, f64)], b: &[(f64, f64)]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(p, q)| p.0 == q.0 && (p.1 == q.1 || (p.1.is_nan() && q.1.is_nan())))
}

/// One column of a summary's mean time series, seconds.
fn series(s: &RunSummary, f: fn(&Sample) -> f64) -> Vec<(f64, f64)> {
    s.timeseries.iter().map(|row| (row.time, f(row))).collect()
}

/// Grouped bars: one group per metric, one bar per alternative.
fn bars(c: &Comparison, name: &str, title: &str, y: &str, metrics: &[&str]) -> Chart {
    let rows: Vec<_> = metrics
        .iter()
        .filter_map(|m| c.rows.iter().find(|r| r.metric == *m))
        .collect();
    let series = c
        .alternatives
        .iter()
        .enumerate()
        .map(|(i, a)| Bars {
            name: a.label.clone(),
            values: rows
                .iter()
                .map(|r| {
                    let s = r.figures[i].stat;
                    Some((
                        s.mean,
                        s.ci95_low.unwrap_or(s.mean),
                        s.ci95_high.unwrap_or(s.mean),
                    ))
                })
                .collect(),
            color: color(i),
        })
        .collect();
    Chart {
        name: name.into(),
        title: title.into(),
        x_label: String::new(),
        y_label: y.into(),
        kind: Kind::Bars {
            groups: rows.iter().map(|r| r.metric.to_owned()).collect(),
            series,
            legend: Some("alternative".into()),
            marks: Vec::new(),
        },
    }
}
