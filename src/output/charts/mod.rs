//! Charts of a run and of a sweep, as SVG and PNG (`plotters`, with a
//! bundled DejaVu Sans so that no system font library is needed).
//!
//! [`run_charts`] and [`sweep_charts`] turn results into chart descriptions
//! (plain data); `draw` renders a description on any plotters backend;
//! [`write_charts`] writes `charts/<name>.svg` and `.png` atomically and
//! returns the SVG text for the report. Charts are sized for a slide
//! (1200 × 700) with 20–30 px text.
//!
//! Every axis names its unit; the y axis of every chart starts at 0 (all
//! charted metrics are non-negative); tick labels of one axis all have the
//! same number of decimals. `docs/design-review.md` says which chart answers
//! which question.

mod compare;
mod draw;
mod draw_grid;
mod draw_overlay;
mod fit;
mod network;
mod observed;
mod queues;
mod resources;
mod run;
mod sweep;

pub use compare::compare_charts;
pub use fit::write_fit_chart;
pub use network::write_queue_panels;
pub use queues::{QUEUES_CHART, QueueSeries, queue_backlogs};
pub use run::{run_charts, throughput_chart};
pub use sweep::sweep_charts;

use std::path::Path;

use anyhow::{Context, Result};
use plotters::style::RGBColor;
use rayon::prelude::*;

/// Width and height of every chart, pixels.
pub const SIZE: (u32, u32) = (1200, 700);

const BLUE: RGBColor = RGBColor(31, 119, 180);
const ORANGE: RGBColor = RGBColor(255, 127, 14);
const RED: RGBColor = RGBColor(214, 39, 40);
const GREEN: RGBColor = RGBColor(44, 160, 44);
const PURPLE: RGBColor = RGBColor(148, 103, 189);
const GREY: RGBColor = RGBColor(90, 90, 90);

/// Colours of the series of a grouped bar chart, in order.
const PALETTE: [RGBColor; 6] = [BLUE, ORANGE, GREEN, PURPLE, RGBColor(140, 86, 75), GREY];

/// One line of a chart. A NaN y is a gap (nothing measured there).
#[derive(Clone, Debug)]
pub struct Line {
    /// Legend text.
    pub name: String,
    /// (x, y) points.
    pub points: Vec<(f64, f64)>,
    /// Colour.
    pub color: RGBColor,
}

/// A band around the first line: (x, low, high), with its legend text.
#[derive(Clone, Debug)]
pub struct Band {
    /// Legend text, e.g. "95% interval over replications".
    pub label: String,
    /// (x, low, high) points.
    pub points: Vec<(f64, f64, f64)>,
}

/// A shaded time window (a fault, or a period a breaker was open), in x units.
#[derive(Clone, Debug)]
pub struct Window {
    /// Label drawn at its top left (empty: none).
    pub label: String,
    /// Start.
    pub start: f64,
    /// End.
    pub end: f64,
    /// What it shades.
    pub shade: Shade,
}

/// What a [`Window`] shades, which sets its colour and where its label sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shade {
    /// A fault window: orange, labelled at the top.
    Fault,
    /// A circuit breaker open or half-open: grey-violet, labelled lower
    /// down, clear of the label of the fault that tripped it.
    Breaker,
}

impl Shade {
    /// The fill of the window.
    fn fill(self) -> plotters::style::ShapeStyle {
        use plotters::style::Color;
        match self {
            Shade::Fault => RGBColor(255, 190, 110).mix(0.35).filled(),
            Shade::Breaker => RGBColor(110, 100, 190).mix(0.22).filled(),
        }
    }

    /// Where the label's top is, as a share of the y axis.
    fn label_at(self) -> f64 {
        match self {
            Shade::Fault => 0.98,
            Shade::Breaker => 0.90,
        }
    }
}

/// The label of a fault window: its kind, and for the faults of a
/// resource or a redrive what they strike.
pub fn fault_label(f: &crate::scenario::Fault) -> String {
    use crate::scenario::FaultKind;
    match &f.kind {
        FaultKind::ResourceOutage { resource, .. } => {
            format!("{} ({})", f.kind.name(), resource.name)
        }
        FaultKind::ResourceSlowdown { resource, factor } => {
            format!("{} ×{factor} ({})", f.kind.name(), resource.name)
        }
        FaultKind::Redrive { from, to, .. } => format!("redrive ({} → {})", from.name, to.name),
        k => k.name().to_owned(),
    }
}

/// The windows replication 0's breaker of queue `queue` was open or
/// half-open (`summary.breakers`), in seconds divided by `div`; the first
/// labelled `label`.
pub fn breaker_windows(
    summary: &crate::output::summary::RunSummary,
    queue: &str,
    div: f64,
    label: &str,
) -> Vec<Window> {
    let Some(changes) = &summary.breakers else {
        return Vec::new();
    };
    let end = summary.timeseries.last().map_or(0.0, |s| s.time);
    crate::output::resource_summary::open_periods(changes, queue, end)
        .into_iter()
        .enumerate()
        .map(|(i, (start, end))| Window {
            label: if i == 0 {
                label.to_owned()
            } else {
                String::new()
            },
            start: start / div,
            end: end / div,
            shade: Shade::Breaker,
        })
        .collect()
}

/// A dashed reference line with a legend entry: an SLO bound (horizontal,
/// at a y value) or a chosen setting (vertical, at an x value).
#[derive(Clone, Debug)]
pub struct Mark {
    /// Legend text, e.g. "SLO latency_p99 ≤ 5 s".
    pub label: String,
    /// Where the line is, in axis units.
    pub value: f64,
    /// Vertical (at an x value) rather than horizontal.
    pub vertical: bool,
    /// Colour.
    pub color: RGBColor,
}

/// One point of a sweep chart: x, mean, 95% interval.
pub type Estimate = (f64, f64, f64, f64);

/// One series of a bar chart: a mean and 95% interval per group (`None`
/// where the sweep has no such point).
#[derive(Clone, Debug)]
pub struct Bars {
    /// Legend text (empty with a single series).
    pub name: String,
    /// (mean, low, high) per group.
    pub values: Vec<Option<(f64, f64, f64)>>,
    /// Colour.
    pub color: RGBColor,
}

/// What a chart shows.
#[derive(Clone, Debug)]
pub enum Kind {
    /// Lines over x, an optional band, shaded windows.
    Lines {
        /// The lines.
        lines: Vec<Line>,
        /// A band around the first line.
        band: Option<Band>,
        /// Fault windows.
        windows: Vec<Window>,
        /// Category labels for x = 0, 1, 2, … (instead of numbers).
        categories: Option<Vec<String>>,
        /// Reference lines.
        marks: Vec<Mark>,
    },
    /// Means with interval bars over a swept value, and reference lines.
    Estimates {
        /// The points.
        points: Vec<Estimate>,
        /// SLO bound and chosen value.
        marks: Vec<Mark>,
        /// A second y axis on the right: (label, right value per left unit).
        secondary: Option<(String, f64)>,
    },
    /// Grouped bars with 95% interval whiskers over categories.
    Bars {
        /// Group labels along x.
        groups: Vec<String>,
        /// One bar per group in each series.
        series: Vec<Bars>,
        /// Title of the series legend (the second key), if several.
        legend: Option<String>,
        /// SLO bound.
        marks: Vec<Mark>,
    },
    /// Lines over time, one per alternative of a comparison, with the
    /// legend beside the plot (it covers no line, however many).
    Overlay {
        /// The lines.
        lines: Vec<Line>,
        /// Windows shaded behind them (faults every alternative has).
        windows: Vec<Window>,
    },
    /// A value per cell of a two-key grid, a colour scale, the SLO boundary.
    Heatmap {
        /// Labels of the columns (first key).
        columns: Vec<String>,
        /// Labels of the rows (second key), bottom to top.
        rows: Vec<String>,
        /// `cells[row][column]`: the mean, NaN where there is no point.
        cells: Vec<Vec<f64>>,
        /// `pass[row][column]`: whether the point meets every SLO target
        /// (`None` without targets: no boundary is drawn).
        pass: Option<Vec<Vec<bool>>>,
        /// What the colour scale measures, with unit.
        scale: String,
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
        let measured = || run.iter().enumerate().filter(|p| !p.1.1.is_nan());
        if measured().next().is_none() {
            // A gap stays a gap.
            out.push((run[0].0, f64::NAN));
            continue;
        }
        let lo = measured().min_by(|a, b| by_y(&a.1, &b.1));
        let hi = measured().max_by(|a, b| by_y(&a.1, &b.1));
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
fn decimate_band(band: Vec<(f64, f64, f64)>, buckets: usize) -> Vec<(f64, f64, f64)> {
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

/// What a chart's lines are made of: `many` for a run of `n > 1`
/// replications ("mean of 5 replications"); for a run of one, "one
/// replication" (no mean, no interval, no band).
fn of_replications(n: usize, many: impl FnOnce() -> String) -> String {
    if n == 1 {
        "one replication".into()
    } else {
        many()
    }
}

/// [`of_replications`] for a mean: "mean `preposition` `n` replications".
fn replications_note(n: usize, preposition: &str) -> String {
    of_replications(n, || format!("mean {preposition} {n} replications"))
}

/// A line's name, marked "(mean)" when it is a mean over replications.
fn mean_line_name(name: &str, n: usize) -> String {
    if n == 1 {
        name.into()
    } else {
        format!("{name} (mean)")
    }
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
    fn decimation_keeps_gaps() {
        let points: Vec<(f64, f64)> = (0..1000)
            .map(|i| {
                (
                    i as f64,
                    if (400..600).contains(&i) {
                        f64::NAN
                    } else {
                        2.0
                    },
                )
            })
            .collect();
        let out = decimate(points, 50);
        assert!(out.iter().any(|p| p.1.is_nan()), "the gap survives");
        assert!(out.iter().filter(|p| !p.1.is_nan()).all(|p| p.1 == 2.0));
    }

    #[test]
    fn short_series_are_drawn_as_they_are() {
        let points = vec![(0.0, 1.0), (1.0, 3.0), (2.0, 2.0)];
        assert_eq!(decimate(points.clone(), 100), points);
    }

    #[test]
    fn decimated_band_keeps_its_widest_extent() {
        let band: Vec<(f64, f64, f64)> = (0..1000)
            .map(|i| (i as f64, if i == 500 { -1.0 } else { 0.0 }, 1.0))
            .collect();
        let out = decimate_band(band, 10);
        assert!(out.len() <= 20);
        assert_eq!(out.iter().map(|p| p.1).fold(0.0, f64::min), -1.0);
        assert_eq!(out.first().unwrap().0, 0.0);
        assert_eq!(out.last().unwrap().0, 999.0);
    }
}
