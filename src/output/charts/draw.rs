//! Rendering a [`Chart`] with plotters, to SVG text or PNG bytes.

use std::sync::Once;

use anyhow::{Result, anyhow};
use plotters::coord::Shift;
use plotters::prelude::*;

use plotters::coord::ranged1d::{BoldPoints, Ranged};
use plotters::coord::types::RangedCoordf64;

use super::{Chart, Estimate, Kind, Mark, SIZE};

pub(super) const FONT: &str = "sans-serif";
static REGISTER: Once = Once::new();

/// Makes the bundled DejaVu Sans the "sans-serif" of every chart.
pub(super) fn register_font() {
    REGISTER.call_once(|| {
        let bytes: &'static [u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
        // The bundled font is valid; if it were not, text would be missing,
        // which the chart tests would catch.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, bytes);
    });
}

/// The chart as SVG text.
pub fn svg(chart: &Chart) -> Result<String> {
    register_font();
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, SIZE).into_drawing_area();
        draw(&root, chart, Joins::Mitred).map_err(|e| anyhow!("{e}"))?;
        root.present().map_err(|e| anyhow!("{e}"))?;
    }
    Ok(text)
}

/// The chart as PNG bytes.
pub fn png(chart: &Chart) -> Result<Vec<u8>> {
    register_font();
    let (w, h) = SIZE;
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area();
        draw(&root, chart, Joins::Unjoined).map_err(|e| anyhow!("{e}"))?;
        root.present().map_err(|e| anyhow!("{e}"))?;
    }
    encode_png(&rgb, (w, h))
}

/// An RGB buffer of `size` as PNG bytes, as every chart writes them.
pub(super) fn encode_png(rgb: &[u8], (w, h): (u32, u32)) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    // Fast deflate: the PNGs are 2–4× larger than at best compression but
    // written 10× faster, and they dominated the time of a short run.
    encoder.set_compression(png::Compression::Fast);
    // One filter for every row: choosing per row (adaptive) tries all five
    // and cost 45% more of the encoding for files within 3% of the size
    // (charts are flat fills and thin lines, which Paeth predicts well).
    encoder.set_adaptive_filter(png::AdaptiveFilterType::NonAdaptive);
    encoder.set_filter(png::FilterType::Paeth);
    encoder.write_header()?.write_image_data(rgb)?;
    Ok(out)
}

/// How a thick line's segments meet. The bitmap rasteriser mitres every
/// join without a limit, so at the sharp turns of a noisy series the mitres
/// shoot far past the plot; PNGs draw each segment on its own instead (SVG
/// viewers limit mitres themselves).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Joins {
    /// One path per run of points (SVG).
    Mitred,
    /// One path per segment (PNG).
    Unjoined,
}

/// The runs of measured points of a line: a NaN is a gap.
pub(super) fn runs(points: &[(f64, f64)]) -> Vec<&[(f64, f64)]> {
    points
        .split(|p| !p.1.is_finite())
        .filter(|r| !r.is_empty())
        .collect()
}

/// The paths that draw `runs` in `style`, joined as `joins` says.
pub(super) fn segments(
    runs: &[&[(f64, f64)]],
    style: ShapeStyle,
    joins: Joins,
) -> Vec<PathElement<(f64, f64)>> {
    match joins {
        Joins::Mitred => runs
            .iter()
            .map(|r| PathElement::new(r.to_vec(), style))
            .collect(),
        Joins::Unjoined => runs
            .iter()
            .flat_map(|r| r.windows(2))
            .map(|w| PathElement::new(vec![w[0], w[1]], style))
            .collect(),
    }
}

pub(super) type Drawn<DB> =
    std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
    joins: Joins,
) -> Drawn<DB> {
    root.fill(&WHITE)?;
    match &chart.kind {
        Kind::Lines { .. } => draw_lines(root, chart, joins),
        Kind::Estimates {
            points,
            marks,
            secondary,
        } => draw_estimates(root, chart, points, marks, secondary.as_ref()),
        Kind::Bars { .. } => super::draw_grid::draw_bars(root, chart),
        Kind::Heatmap { .. } => super::draw_grid::draw_heatmap(root, chart),
        Kind::Overlay { .. } => super::draw_overlay::draw_overlay(root, chart, joins),
    }
}

/// Labels per axis (plotters' "bold" key points).
pub(super) const LABELS: usize = 10;

fn draw_lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
    joins: Joins,
) -> Drawn<DB> {
    let Kind::Lines {
        lines,
        band,
        windows,
        categories,
        marks,
    } = &chart.kind
    else {
        return Ok(());
    };
    let finite = |v: &f64| v.is_finite();
    let xs = lines.iter().flat_map(|l| l.points.iter().map(|p| p.0));
    let x_mark = marks.iter().filter(|m| m.vertical).map(|m| m.value);
    let x_max = xs
        .chain(x_mark)
        .filter(finite)
        .fold(0.0f64, f64::max)
        .max(1e-9);
    // Categories sit on whole numbers: leave room for the first and last label.
    let (x_min, x_max) = if categories.is_some() {
        (-0.3, x_max + 0.3)
    } else {
        (0.0, x_max)
    };
    let ys = lines.iter().flat_map(|l| l.points.iter().map(|p| p.1));
    let band_max = band
        .as_ref()
        .map_or(0.0, |b| b.points.iter().map(|p| p.2).fold(0.0, f64::max));
    let y_mark = marks.iter().filter(|m| !m.vertical).map(|m| m.value);
    let top = ys.chain(y_mark).filter(finite).fold(band_max, f64::max);
    // Room above the data for the legend (up to four entries).
    let y_max = axis_top(top * 1.15);
    let mut ctx = ChartBuilder::on(root)
        .caption(&chart.title, (FONT, 28))
        .margin(24)
        .x_label_area_size(70)
        .y_label_area_size(100)
        .build_cartesian_2d(x_min..x_max, 0.0..y_max)?;
    let x_fmt = ticks(x_min, x_max);
    let y_fmt = ticks(0.0, y_max);
    let label = |x: &f64| match categories {
        Some(c) => {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                c.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        }
        None => x_fmt(x),
    };
    let mut mesh = ctx.configure_mesh();
    mesh.x_desc(chart.x_label.as_str())
        .y_desc(chart.y_label.as_str())
        .label_style((FONT, 20))
        .axis_desc_style((FONT, 22))
        .x_labels(LABELS)
        .y_labels(LABELS)
        .x_label_formatter(&label)
        .y_label_formatter(&y_fmt);
    if let Some(c) = categories {
        mesh.x_labels(c.len());
    }
    mesh.draw()?;
    for w in windows {
        ctx.draw_series(std::iter::once(Rectangle::new(
            [(w.start, 0.0), (w.end, y_max)],
            w.shade.fill(),
        )))?;
        if !w.label.is_empty() {
            let text = Text::new(
                w.label.clone(),
                (w.start, y_max * w.shade.label_at()),
                (FONT, 18).into_font(),
            );
            ctx.draw_series(std::iter::once(text))?;
        }
    }
    if let (Some(band), Some(first)) = (band, lines.first()) {
        let mut outline: Vec<(f64, f64)> = band.points.iter().map(|p| (p.0, p.2)).collect();
        outline.extend(band.points.iter().rev().map(|p| (p.0, p.1)));
        let fill = first.color.mix(0.25);
        ctx.draw_series(std::iter::once(Polygon::new(outline, fill.filled())))?
            .label(band.label.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 8), (x + 24, y + 8)], fill.filled()));
    }
    for l in lines {
        let color = l.color;
        let style = color.stroke_width(3);
        // A NaN is a gap: each run of measured points is its own path.
        let runs = runs(&l.points);
        ctx.draw_series(segments(&runs, style, joins))?
            .label(l.name.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))
            });
        // Points with no neighbour would not show as a path.
        let lone = runs.iter().filter(|r| r.len() == 1).map(|r| r[0]);
        let dots: Vec<(f64, f64)> = if categories.is_some() {
            l.points
                .iter()
                .copied()
                .filter(|p| p.1.is_finite())
                .collect()
        } else {
            lone.collect()
        };
        ctx.draw_series(dots.into_iter().map(|p| Circle::new(p, 5, color.filled())))?;
    }
    draw_marks(&mut ctx, marks, (x_min, x_max), (0.0, y_max))?;
    // Percentiles rise to the right, where the legend would hide them;
    // time charts keep the top left for the fault labels.
    match categories {
        Some(_) => draw_legend_at(&mut ctx, SeriesLabelPosition::UpperLeft),
        None => draw_legend(&mut ctx),
    }
}

/// The top of a y axis that starts at 0 and shows `top` with some room;
/// 1 when everything is 0.
pub(super) fn axis_top(top: f64) -> f64 {
    if top > 1e-12 { top * 1.08 } else { 1.0 }
}

/// Dashed reference lines, each with a legend entry.
pub(super) fn draw_marks<'a, DB: DrawingBackend + 'a>(
    ctx: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    marks: &[Mark],
    (x_min, x_max): (f64, f64),
    (y_min, y_max): (f64, f64),
) -> Drawn<DB> {
    for m in marks {
        let color = m.color;
        let ends = if m.vertical {
            [(m.value, y_min), (m.value, y_max)]
        } else {
            [(x_min, m.value), (x_max, m.value)]
        };
        ctx.draw_series(DashedLineSeries::new(ends, 12, 8, color.stroke_width(3)))?
            .label(m.label.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))
            });
    }
    Ok(())
}

fn draw_estimates<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
    points: &[Estimate],
    marks: &[Mark],
    secondary: Option<&(String, f64)>,
) -> Drawn<DB> {
    let x_min = points.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let x_max = points.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    let pad = ((x_max - x_min) * 0.05).max(0.5);
    let x = if x_min.is_finite() {
        (x_min - pad, x_max + pad)
    } else {
        (0.0, 1.0)
    };
    let y_mark = marks.iter().filter(|m| !m.vertical).map(|m| m.value);
    let top = points.iter().map(|p| p.3).chain(y_mark).fold(0.0, f64::max);
    let y_max = axis_top(top);
    let mut builder = ChartBuilder::on(root);
    builder
        .caption(&chart.title, (FONT, 28))
        .margin(24)
        .x_label_area_size(70)
        .y_label_area_size(100);
    if secondary.is_some() {
        builder.right_y_label_area_size(110);
    }
    let ctx = builder.build_cartesian_2d(x.0..x.1, 0.0..y_max)?;
    let corner = legend_corner(points.iter().map(|p| (p.0, p.3)), x);
    match secondary {
        Some((label, per_unit)) => {
            // The secondary axis takes the right label area: set it up
            // before the primary mesh, which would label that area too.
            let y2_max = y_max * per_unit;
            let y2_fmt = ticks(0.0, y2_max);
            let mut dual = ctx.set_secondary_coord(x.0..x.1, 0.0..y2_max);
            dual.configure_secondary_axes()
                .y_desc(label.as_str())
                .label_style((FONT, 20))
                .axis_desc_style((FONT, 22))
                .y_labels(LABELS)
                .y_label_formatter(&y2_fmt)
                .draw()?;
            estimates_body(&mut dual, chart, points, marks, x, y_max)?;
            draw_legend_at(&mut *dual, corner)
        }
        None => {
            let mut ctx = ctx;
            estimates_body(&mut ctx, chart, points, marks, x, y_max)?;
            draw_legend_at(&mut ctx, corner)
        }
    }
}

/// Where the legend hides the least: the upper corner over the lower half
/// of the data (`points`: x and the top of what is drawn there).
pub(super) fn legend_corner(
    points: impl Iterator<Item = (f64, f64)>,
    (x_min, x_max): (f64, f64),
) -> SeriesLabelPosition {
    let mid = (x_min + x_max) / 2.0;
    let (mut left, mut right) = (0.0f64, 0.0f64);
    for (x, y) in points.filter(|p| p.1.is_finite()) {
        if x < mid {
            left = left.max(y);
        } else {
            right = right.max(y);
        }
    }
    if right > left {
        SeriesLabelPosition::UpperLeft
    } else {
        SeriesLabelPosition::UpperRight
    }
}

fn estimates_body<'a, DB: DrawingBackend + 'a>(
    ctx: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    chart: &Chart,
    points: &[Estimate],
    marks: &[Mark],
    (x_min, x_max): (f64, f64),
    y_max: f64,
) -> Drawn<DB> {
    let x_fmt = ticks(x_min, x_max);
    let y_fmt = ticks(0.0, y_max);
    ctx.configure_mesh()
        .x_desc(chart.x_label.as_str())
        .y_desc(chart.y_label.as_str())
        .label_style((FONT, 20))
        .axis_desc_style((FONT, 22))
        .x_labels(LABELS)
        .y_labels(LABELS)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .draw()?;
    let blue = RGBColor(31, 119, 180);
    let cap = (x_max - x_min) * 0.01;
    for &(x, _, lo, hi) in points {
        let bars = [
            vec![(x, lo), (x, hi)],
            vec![(x - cap, lo), (x + cap, lo)],
            vec![(x - cap, hi), (x + cap, hi)],
        ];
        ctx.draw_series(
            bars.into_iter()
                .map(|b| PathElement::new(b, blue.stroke_width(2))),
        )?;
    }
    ctx.draw_series(LineSeries::new(
        points.iter().map(|p| (p.0, p.1)),
        blue.stroke_width(3),
    ))?
    .label("mean, 95% interval")
    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], blue.stroke_width(3)));
    ctx.draw_series(
        points
            .iter()
            .map(|p| Circle::new((p.0, p.1), 6, blue.filled())),
    )?;
    draw_marks(ctx, marks, (x_min, x_max), (0.0, y_max))?;
    // A ring around the estimate at a vertical mark (a plan's choice).
    let rings = marks.iter().filter(|m| m.vertical).flat_map(|m| {
        let color = m.color;
        points
            .iter()
            .filter(move |p| p.0 == m.value)
            .map(move |p| Circle::new((p.0, p.1), 12, color.stroke_width(4)))
    });
    ctx.draw_series(rings)?;
    Ok(())
}

/// The legend box, upper right (clear of the fault labels at the top left).
pub(super) fn draw_legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    ctx: &mut ChartContext<'a, DB, CT>,
) -> Drawn<DB> {
    draw_legend_at(ctx, SeriesLabelPosition::UpperRight)
}

pub(super) fn draw_legend_at<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    ctx: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> Drawn<DB> {
    ctx.configure_series_labels()
        .label_font((FONT, 20))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(position)
        .draw()
}

/// Tick labels of an axis over `[lo, hi]`: every label with the same number
/// of decimals, the fewest that write each of the axis's ticks exactly.
pub(super) fn ticks(lo: f64, hi: f64) -> impl Fn(&f64) -> String {
    let points = RangedCoordf64::from(lo..hi).key_points(BoldPoints(LABELS));
    let decimals = points.iter().map(|&v| decimals_of(v)).max().unwrap_or(0);
    move |v: &f64| format_number(*v, decimals)
}

/// Decimals needed to write `v` (to 6 at most).
fn decimals_of(v: f64) -> usize {
    (0..6)
        .find(|&d| {
            let scale = 10f64.powi(d as i32);
            ((v * scale).round() - v * scale).abs() < 1e-6 * scale.max(v.abs() * scale)
        })
        .unwrap_or(6)
}

/// A tick value with `decimals` decimals; thousands are grouped with a
/// thin space so that 1 200 000 reads at a glance.
fn format_number(v: f64, decimals: usize) -> String {
    let v = if v == 0.0 { 0.0 } else { v }; // no "-0"
    let text = format!("{v:.decimals$}");
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i.to_owned(), format!(".{f}")),
        None => (text.clone(), String::new()),
    };
    let (sign, digits) = match int.strip_prefix('-') {
        Some(d) => ("-", d.to_owned()),
        None => ("", int),
    };
    if digits.len() <= 4 {
        return format!("{sign}{digits}{frac}");
    }
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('\u{2009}');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}{frac}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_of_an_axis_share_their_decimals() {
        let f = ticks(0.0, 2.7);
        assert_eq!(f(&0.0), "0.0");
        assert_eq!(f(&0.5), "0.5");
        assert_eq!(f(&2.0), "2.0");
        let f = ticks(0.0, 0.035);
        assert_eq!((f(&0.0), f(&0.005)), ("0.000".into(), "0.005".into()));
        let f = ticks(0.0, 50_000.0);
        assert_eq!(f(&0.0), "0");
        assert_eq!(f(&45_000.0), "45\u{2009}000");
        assert_eq!(f(&-0.0), "0");
    }
}
