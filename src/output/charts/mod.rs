//! Charts of a run and of a sweep, as SVG and PNG (`plotters`, with a
//! bundled DejaVu Sans so that no system font library is needed).
//!
//! [`run_charts`] and [`sweep_charts`] turn results into chart descriptions
//! (plain data); [`draw`] renders a description on any plotters backend;
//! [`write_charts`] writes `charts/<name>.svg` and `.png` atomically and
//! returns the SVG text for the report. Charts are sized for a slide
//! (1200 × 700) with 20–30 px text.

mod draw;

use std::path::Path;

use anyhow::{Context, Result};
use plotters::style::RGBColor;
use rayon::prelude::*;

use super::summary::RunSummary;
use crate::engine::result::ReplicationResult;
use crate::output::csv_files::LATENCY_QUANTILES;
use crate::scenario::Scenario;
use crate::stats::summarize;

/// Width and height of every chart, pixels.
pub const SIZE: (u32, u32) = (1200, 700);

const BLUE: RGBColor = RGBColor(31, 119, 180);
const ORANGE: RGBColor = RGBColor(255, 127, 14);
const RED: RGBColor = RGBColor(214, 39, 40);
const GREEN: RGBColor = RGBColor(44, 160, 44);

/// One line of a chart.
#[derive(Clone, Debug)]
pub struct Line {
    /// Legend text.
    pub name: String,
    /// (x, y) points.
    pub points: Vec<(f64, f64)>,
    /// Colour.
    pub color: RGBColor,
}

/// An interval band around the first line: (x, low, high).
pub type Band = Vec<(f64, f64, f64)>;

/// A shaded time window (a fault), in x units.
#[derive(Clone, Debug)]
pub struct Window {
    /// Label drawn at its top left.
    pub label: String,
    /// Start.
    pub start: f64,
    /// End.
    pub end: f64,
}

/// One point of a sweep chart: x, mean, 95% interval.
pub type Estimate = (f64, f64, f64, f64);

/// What a chart shows.
#[derive(Clone, Debug)]
pub enum Kind {
    /// Lines over x, an optional band, shaded windows.
    Lines {
        /// The lines.
        lines: Vec<Line>,
        /// Interval band of the first line.
        band: Option<Band>,
        /// Fault windows.
        windows: Vec<Window>,
        /// Category labels for x = 0, 1, 2, … (instead of numbers).
        categories: Option<Vec<String>>,
    },
    /// Means with interval bars over a swept value, and an SLO line.
    Estimates {
        /// The points.
        points: Vec<Estimate>,
        /// The SLO bound, if the metric has one.
        slo: Option<f64>,
    },
}

/// A chart description.
#[derive(Clone, Debug)]
pub struct Chart {
    /// File stem, e.g. `backlog`.
    pub name: String,
    /// Title.
    pub title: String,
    /// X axis label with unit.
    pub x_label: String,
    /// Y axis label with unit.
    pub y_label: String,
    /// The content.
    pub kind: Kind,
}

/// The charts of one run: backlog (with a 95% band of the visible backlog
/// across replications and the faults shaded), latency percentiles, age of
/// the oldest message, consumers up and busy.
pub fn run_charts(
    sc: &Scenario,
    summary: &RunSummary,
    results: &[ReplicationResult],
) -> Vec<Chart> {
    let end = summary.timeseries.last().map_or(0.0, |s| s.time);
    let (unit, div) = time_unit(end);
    let x = |t: f64| t / div;
    let over_time = |f: &dyn Fn(&crate::engine::result::Sample) -> f64| -> Vec<(f64, f64)> {
        summary
            .timeseries
            .iter()
            .map(|s| (x(s.time), f(s)))
            .collect::<Vec<_>>()
    };
    let over_time = |f: &dyn Fn(&crate::engine::result::Sample) -> f64| {
        decimate(over_time(f), MAX_LINE_BUCKETS)
    };
    let windows: Vec<Window> = sc
        .faults
        .iter()
        .map(|f| Window {
            label: f.kind.name().to_owned(),
            start: x(f.at.as_secs_f64()),
            end: x(f.end().as_secs_f64()),
        })
        .collect();
    let band = decimate_band(
        visible_band(results, summary.timeseries.len(), &x),
        MAX_BAND_BUCKETS,
    );
    let x_label = format!("time ({unit})");
    let lines = |lines: Vec<Line>, band: Option<Band>| Kind::Lines {
        lines,
        band,
        windows: windows.clone(),
        categories: None,
    };
    vec![
        Chart {
            name: "backlog".into(),
            title: format!(
                "{}: backlog (mean of {} replications, 95% band)",
                sc.name,
                results.len()
            ),
            x_label: x_label.clone(),
            y_label: "messages".into(),
            kind: lines(
                vec![
                    line("visible", over_time(&|s| s.visible), BLUE),
                    line("in flight", over_time(&|s| s.in_flight), ORANGE),
                    line("dead-letter queue", over_time(&|s| s.dead_letter), RED),
                ],
                Some(band),
            ),
        },
        latency_chart(sc, summary),
        Chart {
            name: "oldest_age".into(),
            title: format!("{}: age of the oldest message", sc.name),
            x_label: x_label.clone(),
            y_label: "seconds".into(),
            kind: lines(
                vec![line("oldest message", over_time(&|s| s.oldest_age), BLUE)],
                None,
            ),
        },
        Chart {
            name: "consumers".into(),
            title: format!("{}: consumers", sc.name),
            x_label,
            y_label: "consumers".into(),
            kind: lines(consumer_lines(sc, &over_time), None),
        },
    ]
}

/// One column of the time series over time, as chart points.
type Series<'a> = &'a dyn Fn(&dyn Fn(&crate::engine::result::Sample) -> f64) -> Vec<(f64, f64)>;

/// Consumers up and busy, and starting when the fleet autoscales.
fn consumer_lines(sc: &Scenario, over_time: Series) -> Vec<Line> {
    let mut lines = vec![
        line("up", over_time(&|s| s.consumers_up), GREEN),
        line("busy", over_time(&|s| s.consumers_busy), ORANGE),
    ];
    if sc.consumers.autoscale.is_some() {
        lines.push(line("starting", over_time(&|s| s.consumers_starting), BLUE));
    }
    lines
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
        title: format!(
            "{}: end-to-end latency percentiles (all replications)",
            sc.name
        ),
        x_label: "percentile".into(),
        y_label: "seconds".into(),
        kind: Kind::Lines {
            lines: vec![line("latency", points, BLUE)],
            band: None,
            windows: vec![],
            categories: Some(categories),
        },
    }
}

/// The 95% interval of the visible backlog at each sample, across
/// replications (a replication that ended earlier counts as drained).
fn visible_band(results: &[ReplicationResult], samples: usize, x: &dyn Fn(f64) -> f64) -> Band {
    (0..samples)
        .filter_map(|k| {
            let values: Vec<f64> = results
                .iter()
                .map(|r| r.timeseries.get(k).map_or(0.0, |s| s.visible))
                .collect();
            let time = results.iter().find_map(|r| r.timeseries.get(k))?.time;
            let s = summarize(&values);
            let (lo, hi) = (s.ci95_low.unwrap_or(s.mean), s.ci95_high.unwrap_or(s.mean));
            Some((x(time), lo.max(0.0), hi))
        })
        .collect()
}

/// Headline metrics of a sweep against its first swept key, with 95%
/// interval bars and the metric's SLO bound. Only numeric keys can be
/// charted; other sweeps get no charts.
pub fn sweep_charts(
    key: &str,
    xs: &[f64],
    summaries: &[&RunSummary],
    slo: &[(String, f64)],
) -> Vec<Chart> {
    const HEADLINE: [(&str, &str); 5] = [
        ("latency_p99", "seconds"),
        ("backlog_max", "messages"),
        ("drain_time", "seconds"),
        ("duplicates", "messages"),
        ("cost_usd", "USD"),
    ];
    HEADLINE
        .iter()
        .map(|&(metric, unit)| {
            let points = xs
                .iter()
                .zip(summaries)
                .filter_map(|(&x, s)| {
                    let st = s.metric(metric)?;
                    Some((
                        x,
                        st.mean,
                        st.ci95_low.unwrap_or(st.mean),
                        st.ci95_high.unwrap_or(st.mean),
                    ))
                })
                .collect();
            Chart {
                name: format!("sweep_{metric}"),
                title: format!("{metric} by {key} (mean, 95% interval)"),
                x_label: key.to_owned(),
                y_label: unit.to_owned(),
                kind: Kind::Estimates {
                    points,
                    slo: slo.iter().find(|(m, _)| m == metric).map(|(_, b)| *b),
                },
            }
        })
        .collect()
}

/// Writes every chart as `dir/<name>.svg` and `dir/<name>.png`; returns
/// (name, SVG text) for the report.
pub fn write_charts(dir: &Path, charts: &[Chart]) -> Result<Vec<(String, String)>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    // Rendering is the costly part and each chart is independent: draw them
    // on all cores (the bytes do not depend on the order), write in order.
    let drawn: Vec<Result<(String, Vec<u8>)>> = charts
        .par_iter()
        .map(|chart| {
            let svg = draw::svg(chart).with_context(|| format!("drawing {}", chart.name))?;
            let png = draw::png(chart).with_context(|| format!("drawing {}", chart.name))?;
            Ok((svg, png))
        })
        .collect();
    let mut svgs = Vec::new();
    for (chart, drawn) in charts.iter().zip(drawn) {
        let (svg, png) = drawn?;
        super::write_file(&dir.join(format!("{}.svg", chart.name)), svg.as_bytes())?;
        super::write_file(&dir.join(format!("{}.png", chart.name)), &png)?;
        svgs.push((chart.name.clone(), svg));
    }
    Ok(svgs)
}

/// A chart's plot area is about 1,050 px wide: more points than this many
/// buckets (two points each) cannot be seen, only paid for in drawing time.
const MAX_LINE_BUCKETS: usize = 500;
/// The band is a filled polygon, whose cost grows with its edges.
const MAX_BAND_BUCKETS: usize = 250;

/// At most `buckets` runs of consecutive points, each drawn as its lowest
/// and highest point in time order: the envelope survives (a one-sample peak
/// stays visible), the point count is bounded whatever the run length.
fn decimate(points: Vec<(f64, f64)>, buckets: usize) -> Vec<(f64, f64)> {
    if points.len() <= 2 * buckets {
        return points;
    }
    let size = points.len().div_ceil(buckets);
    let mut out = Vec::with_capacity(2 * buckets);
    for run in points.chunks(size) {
        let by_y = |a: &&(f64, f64), b: &&(f64, f64)| a.1.total_cmp(&b.1);
        let lo = run.iter().enumerate().min_by(|a, b| by_y(&a.1, &b.1));
        let hi = run.iter().enumerate().max_by(|a, b| by_y(&a.1, &b.1));
        if let (Some((i, &lo)), Some((j, &hi))) = (lo, hi) {
            match i.cmp(&j) {
                std::cmp::Ordering::Less => out.extend([lo, hi]),
                std::cmp::Ordering::Greater => out.extend([hi, lo]),
                std::cmp::Ordering::Equal => out.push(lo),
            }
        }
    }
    out
}

/// [`decimate`] for a band: each run becomes its widest extent, at the run's
/// first and last x.
fn decimate_band(band: Band, buckets: usize) -> Band {
    if band.len() <= 2 * buckets {
        return band;
    }
    let size = band.len().div_ceil(buckets);
    band.chunks(size)
        .flat_map(|run| {
            let lo = run.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
            let hi = run.iter().map(|p| p.2).fold(f64::NEG_INFINITY, f64::max);
            let (first, last) = (run[0].0, run[run.len() - 1].0);
            [(first, lo, hi), (last, lo, hi)]
        })
        .collect()
}

fn line(name: &str, points: Vec<(f64, f64)>, color: RGBColor) -> Line {
    Line {
        name: name.into(),
        points,
        color,
    }
}

/// A readable time unit for a horizon of `end` seconds: (name, seconds per unit).
fn time_unit(end: f64) -> (&'static str, f64) {
    if end <= 600.0 {
        ("s", 1.0)
    } else if end <= 4.0 * 3600.0 {
        ("min", 60.0)
    } else if end <= 4.0 * 86_400.0 {
        ("h", 3600.0)
    } else {
        ("days", 86_400.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimation_bounds_the_points_and_keeps_the_envelope() {
        let mut points: Vec<(f64, f64)> = (0..10_000).map(|i| (i as f64, 1.0)).collect();
        points[4321].1 = 99.0; // a one-sample peak
        points[777].1 = -5.0;
        let out = decimate(points, 100);
        assert!(out.len() <= 200);
        assert!(out.contains(&(4321.0, 99.0)) && out.contains(&(777.0, -5.0)));
        assert!(out.windows(2).all(|w| w[0].0 < w[1].0), "time order kept");
    }

    #[test]
    fn short_series_are_drawn_as_they_are() {
        let points = vec![(0.0, 1.0), (1.0, 3.0), (2.0, 2.0)];
        assert_eq!(decimate(points.clone(), 100), points);
    }

    #[test]
    fn decimated_band_keeps_its_widest_extent() {
        let band: Band = (0..1000)
            .map(|i| (i as f64, if i == 500 { -1.0 } else { 0.0 }, 1.0))
            .collect();
        let out = decimate_band(band, 10);
        assert!(out.len() <= 20);
        assert_eq!(out.iter().map(|p| p.1).fold(0.0, f64::min), -1.0);
        assert_eq!(out.first().unwrap().0, 0.0);
        assert_eq!(out.last().unwrap().0, 999.0);
    }
}
