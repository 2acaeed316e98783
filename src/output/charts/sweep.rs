//! The charts of a sweep or plan: each headline metric against the swept
//! keys, chosen by the shape of the grid.
//!
//! - one numeric key: mean and 95% interval bars over the key, the metric's
//!   SLO line, and for a plan the chosen value as a vertical line;
//! - one categorical key (values that are not numbers, e.g.
//!   `queue.type = ["standard", "fifo"]`): a bar per value with whiskers;
//! - two keys: a heatmap of the mean (colour scale, values in the cells,
//!   the boundary between points that meet every SLO and points that do
//!   not), and when a key is categorical also grouped bars with whiskers;
//! - more keys: no charts (a grid of three dimensions does not fit a slide;
//!   `sweep.csv` has every point).

use super::*;
use crate::grid::Point;
use crate::output::summary::RunSummary;
use crate::output::units::with_unit_as;
use crate::scenario::Scenario;
use crate::stats::Stat;

/// Metrics charted for every sweep, with their unit.
const HEADLINE: [(&str, &str); 5] = [
    ("latency_p99", "seconds"),
    ("backlog_max", "messages"),
    ("drain_time", "seconds"),
    ("duplicates", "messages"),
    ("cost_usd", "USD per run"),
];

/// The charts of a sweep over `points` of `base`; `chosen` is a plan's
/// answer (a value of its one key, as in the points).
pub fn sweep_charts(
    base: &Scenario,
    points: &[(Point, RunSummary)],
    chosen: Option<&str>,
) -> Vec<Chart> {
    let Some((first, _)) = points.first() else {
        return vec![];
    };
    let keys: Vec<&str> = first.settings.iter().map(|(k, _)| k.as_str()).collect();
    // The values of each key, point by point in grid order.
    let values: Vec<Vec<&str>> = (0..keys.len())
        .map(|k| {
            points
                .iter()
                .map(|(p, _)| p.settings.get(k).map_or("", |(_, v)| v.as_str()))
                .collect()
        })
        .collect();
    let grid = Grid {
        base,
        keys,
        values,
        summaries: points.iter().map(|(_, s)| s).collect(),
    };
    HEADLINE
        .iter()
        .flat_map(|&(metric, unit)| match grid.keys.len() {
            1 => vec![grid.one_key(metric, unit, chosen)],
            2 => grid.two_keys(metric, unit),
            _ => vec![],
        })
        .collect()
}

/// The points of a sweep, key by key.
struct Grid<'a> {
    base: &'a Scenario,
    keys: Vec<&'a str>,
    values: Vec<Vec<&'a str>>,
    summaries: Vec<&'a RunSummary>,
}

impl Grid<'_> {
    fn stats(&self, metric: &str) -> Vec<Option<Stat>> {
        self.summaries
            .iter()
            .map(|s| s.metric(metric).copied())
            .collect()
    }

    fn slo(&self, metric: &str) -> Option<f64> {
        self.base
            .slo
            .iter()
            .find(|t| t.metric == metric)
            .map(|t| t.max)
    }

    fn one_key(&self, metric: &str, unit: &str, chosen: Option<&str>) -> Chart {
        let (key, xs, stats) = (self.keys[0], &self.values[0], self.stats(metric));
        let numbers: Option<Vec<f64>> = xs.iter().map(|v| number(v)).collect();
        let kind = match numbers {
            Some(numbers) => {
                let slo = self.slo(metric);
                estimates(metric, key, &numbers, &stats, slo, chosen, self.base)
            }
            None => {
                let get = |g: &str, _: &str| stats_at(xs, g, &stats);
                bars(metric, &distinct(xs), &[""], &get, self.slo(metric), None)
            }
        };
        Chart {
            name: format!("sweep_{metric}"),
            title: format!("{metric} by {key} (mean, 95% interval)"),
            x_label: key_label(key),
            y_label: unit.to_owned(),
            kind,
        }
    }

    /// The index of the point with first key `a` and second key `b`.
    fn at(&self, a: &str, b: &str) -> Option<usize> {
        (0..self.summaries.len()).find(|&i| self.values[0][i] == a && self.values[1][i] == b)
    }

    fn two_keys(&self, metric: &str, unit: &str) -> Vec<Chart> {
        let (k1, k2) = (self.keys[0], self.keys[1]);
        let (c1, c2) = (distinct(&self.values[0]), distinct(&self.values[1]));
        let stats = self.stats(metric);
        let mean = |a: &str, b: &str| {
            self.at(a, b)
                .and_then(|i| stats[i])
                .map_or(f64::NAN, |s| s.mean)
        };
        let passes = |a: &str, b: &str| self.at(a, b).is_some_and(|i| self.summaries[i].slo_pass());
        let pass: Option<Vec<Vec<bool>>> = (!self.base.slo.is_empty()).then(|| {
            c2.iter()
                .map(|b| c1.iter().map(|a| passes(a, b)).collect())
                .collect()
        });
        let mut out = vec![Chart {
            name: format!("sweep_{metric}"),
            title: format!("{metric} by {k1} and {k2} (mean)"),
            x_label: key_label(k1),
            y_label: key_label(k2),
            kind: Kind::Heatmap {
                columns: c1.iter().map(|v| category(v)).collect(),
                rows: c2.iter().map(|v| category(v)).collect(),
                cells: c2
                    .iter()
                    .map(|b| c1.iter().map(|a| mean(a, b)).collect())
                    .collect(),
                pass,
                scale: format!("{metric} ({unit})"),
            },
        }];
        let categorical = |k: usize| self.values[k].iter().any(|v| number(v).is_none());
        if categorical(0) || categorical(1) {
            // Grouped by the categorical key; the bars are the other key's values.
            let by_first = categorical(0);
            let (groups, series, key, other) = if by_first {
                (&c1, &c2, k1, k2)
            } else {
                (&c2, &c1, k2, k1)
            };
            let get = |g: &str, s: &str| {
                let (a, b) = if by_first { (g, s) } else { (s, g) };
                self.at(a, b).and_then(|i| stats[i])
            };
            let slo = self.slo(metric);
            out.push(Chart {
                name: format!("sweep_{metric}_bars"),
                title: format!("{metric} by {key} and {other} (mean, 95% interval)"),
                x_label: key_label(key),
                y_label: unit.to_owned(),
                kind: bars(metric, groups, series, &get, slo, Some(other.to_owned())),
            });
        }
        out
    }
}

/// A numeric key: means with interval bars, the SLO and the chosen value.
fn estimates(
    metric: &str,
    key: &str,
    xs: &[f64],
    stats: &[Option<Stat>],
    slo: Option<f64>,
    chosen: Option<&str>,
    base: &Scenario,
) -> Kind {
    let points = xs
        .iter()
        .zip(stats)
        .filter_map(|(&x, st)| {
            let st = (*st)?;
            Some((x, st.mean, low(&st), high(&st)))
        })
        .collect();
    let mut marks: Vec<Mark> = slo.into_iter().map(|b| slo_mark(metric, b)).collect();
    if let Some(v) = chosen.and_then(number) {
        marks.push(Mark {
            label: format!("chosen: {key} = {}", super::run::short(v)),
            value: v,
            vertical: true,
            color: GREEN,
        });
    }
    // Cost per simulated hour of the scenario's duration (not when the
    // duration is what varies: each point would need its own scale).
    let hours = base.duration.as_secs_f64() / 3600.0;
    let secondary = (metric == "cost_usd" && key != "duration" && hours > 0.0)
        .then(|| ("USD per simulated hour".to_owned(), 1.0 / hours));
    Kind::Estimates {
        points,
        marks,
        secondary,
    }
}

/// Bars per group (and per series within a group), from `get(group, series)`.
fn bars(
    metric: &str,
    groups: &[&str],
    series: &[&str],
    get: &dyn Fn(&str, &str) -> Option<Stat>,
    slo: Option<f64>,
    legend: Option<String>,
) -> Kind {
    let series = series
        .iter()
        .enumerate()
        .map(|(k, s)| Bars {
            name: category(s),
            values: groups
                .iter()
                .map(|g| get(g, s).map(|st| (st.mean, low(&st), high(&st))))
                .collect(),
            color: PALETTE[k % PALETTE.len()],
        })
        .collect();
    Kind::Bars {
        groups: groups.iter().map(|g| category(g)).collect(),
        series,
        legend,
        marks: slo.into_iter().map(|b| slo_mark(metric, b)).collect(),
    }
}

/// The stat of the (single) point whose value is `group`.
fn stats_at(xs: &[&str], group: &str, stats: &[Option<Stat>]) -> Option<Stat> {
    xs.iter().position(|v| *v == group).and_then(|i| stats[i])
}

fn slo_mark(metric: &str, bound: f64) -> Mark {
    Mark {
        label: format!(
            "SLO {metric} ≤ {}",
            with_unit_as(metric, bound, super::run::short)
        ),
        value: bound,
        vertical: false,
        color: RED,
    }
}

fn low(s: &Stat) -> f64 {
    s.ci95_low.unwrap_or(s.mean)
}

fn high(s: &Stat) -> f64 {
    s.ci95_high.unwrap_or(s.mean)
}

fn number(v: &str) -> Option<f64> {
    v.trim().parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Distinct values in order of first appearance.
fn distinct<'a>(values: &[&'a str]) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for v in values {
        if !out.contains(v) {
            out.push(v);
        }
    }
    out
}

/// A value as a label: TOML strings without their quotes.
fn category(v: &str) -> String {
    v.trim().trim_matches('"').to_owned()
}

/// The key with the unit of its values, e.g. `consumers.count (consumers)`.
/// Durations are swept in plain seconds (`--vary`), so duration keys say s.
fn key_label(key: &str) -> String {
    let last = key.rsplit('.').next().unwrap_or(key);
    let unit = match last {
        "count" | "min" | "max" if key.starts_with("consumers") => Some("consumers"),
        "count" => Some("consumers"),
        "rate" | "throughput_limit" | "scale_out_rate" => Some("msg/s"),
        "batch_size"
        | "send_batch"
        | "max_in_flight"
        | "buffer"
        | "target_backlog_per_consumer" => Some("messages"),
        "max_receive_count" | "attempts" => Some("attempts"),
        "groups" => Some("message groups"),
        "error_rate" | "poison_fraction" | "duplicate_delivery" | "fraction" | "lost_acks" => {
            Some("share")
        }
        "factor" => Some("×"),
        "consumer_hour" => Some("USD per consumer-hour"),
        "price_per_million_requests" => Some("USD per million requests"),
        "duration" | "warmup" | "sample_interval" | "visibility_timeout" | "retention"
        | "delay" | "wait_time" | "processing" | "request_latency" | "heartbeat"
        | "batch_window" | "cooldown" | "startup" | "evaluation" | "scale_in_after" | "at"
        | "mtbf" | "restart" | "backoff" => Some("s"),
        _ => None,
    };
    match unit {
        Some(u) => format!("{key} ({u})"),
        None => key.to_owned(),
    }
}
