//! The chart of `mqsim fit`: the sample's survival function P(X > x)
//! against each fitted family's, both axes logarithmic, so that the tail
//! (the top 1%, 0.1%) takes as much room as the body and a fit that falls
//! away from the data there shows at once. Dashed lines mark where p99 and
//! p99.9 are read. Written as `fit.svg` and `fit.png`, the size and font of
//! every other chart.

use std::path::Path;

use anyhow::{Result, anyhow};
use plotters::coord::Shift;
use plotters::coord::combinators::IntoLogRange;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::draw::{Drawn, FONT, Joins, draw_legend_at, encode_png, register_font, runs, segments};
use super::{BLUE, GREEN, GREY, ORANGE, PURPLE, SIZE};
use crate::fit::families::ln_cdf_sf;
use crate::fit::line::sig;
use crate::fit::{Family, FitReport, Sample};

/// Points drawn of the sample at most: every one of the top
/// [`TAIL_POINTS`], evenly spaced ones below.
const MAX_POINTS: usize = 1500;
const TAIL_POINTS: usize = 300;
/// Points along each fitted curve, log-spaced.
const CURVE_POINTS: usize = 400;

/// What the chart draws, in axis units (x in `unit`, y a share).
struct Survival {
    title: String,
    unit: (&'static str, f64),
    x: (f64, f64),
    y: (f64, f64),
    /// The sample's (x, P(X > x)) at plotting positions (n − i + ½)/n.
    points: Vec<(f64, f64)>,
    n: usize,
    /// One per family, best first.
    curves: Vec<Curve>,
}

/// A fitted family's survival curve.
struct Curve {
    legend: String,
    color: RGBColor,
    /// Line width: the best fit's is thicker.
    width: u32,
    /// (x, P(X > x)); NaN below the axis.
    points: Vec<(f64, f64)>,
}

/// Writes `fit.svg` and `fit.png` into `dir`.
pub fn write_fit_chart(dir: &Path, report: &FitReport, sample: &Sample) -> Result<()> {
    let chart = survival(report, sample);
    super::super::write_file(&dir.join("fit.svg"), svg(&chart)?.as_bytes())?;
    super::super::write_file(&dir.join("fit.png"), &png(&chart)?)
}

fn color(family: Family) -> RGBColor {
    match family {
        Family::Exponential => GREEN,
        Family::Gamma => ORANGE,
        Family::Lognormal => BLUE,
        Family::Weibull => PURPLE,
    }
}

/// Seconds per unit of the x axis: the unit of the sample's median.
fn unit_of(median: f64) -> (&'static str, f64) {
    if median >= 1.0 {
        ("s", 1.0)
    } else if median >= 1e-3 {
        ("ms", 1e-3)
    } else {
        ("µs", 1e-6)
    }
}

fn survival(report: &FitReport, sample: &Sample) -> Survival {
    let v = sample.values();
    let n = v.len();
    let unit = unit_of(report.sample.p50);
    let x = (v[0] / 1.5 / unit.1, v[n - 1] * 2.0 / unit.1);
    let y = ((0.3 / n as f64).min(3e-4), 1.0);
    let curves = report
        .fits
        .iter()
        .map(|f| {
            let legend = format!(
                "{} (A² = {})",
                f.family.name(),
                sig(f.anderson_darling.a2, 3)
            );
            let width = if f.rank == 1 { 4 } else { 2 };
            let points = (0..CURVE_POINTS)
                .map(|i| {
                    let t = i as f64 / (CURVE_POINTS - 1) as f64;
                    let at = x.0 * (x.1 / x.0).powf(t);
                    let s = ln_cdf_sf(&f.distribution, at * unit.1).1.exp();
                    // Below the axis: a gap, not a line into the floor.
                    (at, if s >= y.0 { s } else { f64::NAN })
                })
                .collect();
            Curve {
                legend,
                color: color(f.family),
                width,
                points,
            }
        })
        .collect();
    Survival {
        title: format!(
            "{}: fits against the sample, P(X > x) on log scales",
            file_name(&report.sample.source.file)
        ),
        unit,
        x,
        y,
        points: sample_points(v, unit.1),
        n,
        curves,
    }
}

fn file_name(file: &Path) -> String {
    file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The sample's survival points, thinned in the body.
fn sample_points(v: &[f64], per_unit: f64) -> Vec<(f64, f64)> {
    let n = v.len();
    let point = |i: usize| (v[i] / per_unit, (n - i) as f64 / n as f64 - 0.5 / n as f64);
    if n <= MAX_POINTS {
        return (0..n).map(point).collect();
    }
    let body = n - TAIL_POINTS;
    let step = body.div_ceil(MAX_POINTS - TAIL_POINTS);
    (0..body).step_by(step).chain(body..n).map(point).collect()
}

fn svg(chart: &Survival) -> Result<String> {
    register_font();
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, SIZE).into_drawing_area();
        draw(&root, chart, Joins::Mitred).map_err(|e| anyhow!("drawing fit.svg: {e}"))?;
        root.present()
            .map_err(|e| anyhow!("drawing fit.svg: {e}"))?;
    }
    Ok(text)
}

fn png(chart: &Survival) -> Result<Vec<u8>> {
    register_font();
    let (w, h) = SIZE;
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area();
        draw(&root, chart, Joins::Unjoined).map_err(|e| anyhow!("drawing fit.png: {e}"))?;
        root.present()
            .map_err(|e| anyhow!("drawing fit.png: {e}"))?;
    }
    encode_png(&rgb, (w, h))
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Survival,
    joins: Joins,
) -> Drawn<DB> {
    root.fill(&WHITE)?;
    let mut ctx = ChartBuilder::on(root)
        .caption(&chart.title, (FONT, 28))
        .margin(24)
        .x_label_area_size(70)
        .y_label_area_size(100)
        .build_cartesian_2d(
            (chart.x.0..chart.x.1).log_scale(),
            (chart.y.0..chart.y.1).log_scale(),
        )?;
    let label = |v: &f64| sig(*v, 2);
    // Every 1..9 × 10ᵏ is a key point of the x axis; 1, 2 and 5 are
    // labelled. Plotters gives each power of 10 twice (as the last light
    // point of a decade and the first bold one of the next): label it once.
    let last = std::cell::Cell::new(f64::NAN);
    let x_label = |v: &f64| {
        let lead = (v / 10f64.powf(v.log10().floor())).round();
        let repeated = (v / last.replace(*v) - 1.0).abs() < 1e-6;
        if [1.0, 2.0, 5.0].contains(&lead) && !repeated {
            sig(*v, 2)
        } else {
            String::new()
        }
    };
    ctx.configure_mesh()
        .x_desc(format!("processing time x ({})", chart.unit.0))
        .y_desc("P(X > x): share of samples longer than x")
        .label_style((FONT, 20))
        .axis_desc_style((FONT, 22))
        .x_labels(40)
        .x_label_formatter(&x_label)
        .y_label_formatter(&label)
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(BLACK.mix(0.04))
        .draw()?;
    for (q, name) in [(0.01, "p99"), (0.001, "p99.9")] {
        if q < chart.y.0 {
            continue;
        }
        let ends = [(chart.x.0, q), (chart.x.1, q)];
        ctx.draw_series(DashedLineSeries::new(ends, 10, 8, GREY.stroke_width(2)))?;
        let style =
            TextStyle::from((FONT, 18).into_font()).pos(Pos::new(HPos::Right, VPos::Bottom));
        let at = (chart.x.1 / (chart.x.1 / chart.x.0).powf(0.01), q * 1.05);
        ctx.draw_series(std::iter::once(Text::new(name, at, style)))?;
    }
    for curve in &chart.curves {
        let (color, width) = (curve.color, curve.width);
        let style = color.stroke_width(width);
        ctx.draw_series(segments(&runs(&curve.points), style, joins))?
            .label(curve.legend.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(width))
            });
    }
    let dot = BLACK.mix(0.6).filled();
    ctx.draw_series(chart.points.iter().map(|&p| Circle::new(p, 3, dot)))?
        .label(format!("sample (n = {})", chart.n))
        .legend(move |(x, y)| Circle::new((x + 12, y), 4, dot));
    draw_legend_at(&mut ctx, SeriesLabelPosition::LowerLeft)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_is_drawn_in_full_and_the_body_thinned() {
        let v: Vec<f64> = (1..=10_000).map(|i| i as f64 * 1e-3).collect();
        let points = sample_points(&v, 1e-3);
        assert!(points.len() <= MAX_POINTS + 1, "{}", points.len());
        let last = &points[points.len() - TAIL_POINTS..];
        assert!(
            last.windows(2)
                .all(|w| (w[1].0 - w[0].0 - 1.0).abs() < 1e-9)
        );
        assert!((points.last().unwrap().1 - 0.5 / 10_000.0).abs() < 1e-12);
        assert!((points[0].1 - (1.0 - 0.5 / 10_000.0)).abs() < 1e-12);
    }
}
