//! Rendering a [`Chart`] with plotters, to SVG text or PNG bytes.

use std::sync::Once;

use anyhow::{Result, anyhow};
use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Chart, Estimate, Kind, Line, SIZE, Window};

const FONT: &str = "sans-serif";
static REGISTER: Once = Once::new();

/// Makes the bundled DejaVu Sans the "sans-serif" of every chart.
fn register_font() {
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
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    // Fast deflate: the PNGs are 2–4× larger than at best compression but
    // written 10× faster, and they dominated the time of a short run.
    encoder.set_compression(png::Compression::Fast);
    encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
    encoder.write_header()?.write_image_data(&rgb)?;
    Ok(out)
}

/// How a thick line's segments meet. The bitmap rasteriser mitres every
/// join without a limit, so at the sharp turns of a noisy series the mitres
/// shoot far past the plot; PNGs draw each segment on its own instead (SVG
/// viewers limit mitres themselves).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Joins {
    Mitred,
    Unjoined,
}

type Drawn<DB> = std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
    joins: Joins,
) -> Drawn<DB> {
    root.fill(&WHITE)?;
    match &chart.kind {
        Kind::Lines {
            lines,
            band,
            windows,
            categories,
        } => draw_lines(
            root,
            chart,
            lines,
            band.as_deref(),
            windows,
            categories.as_deref(),
            joins,
        ),
        Kind::Estimates { points, slo } => draw_estimates(root, chart, points, *slo),
    }
}

fn draw_lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
    lines: &[Line],
    band: Option<&[(f64, f64, f64)]>,
    windows: &[Window],
    categories: Option<&[String]>,
    joins: Joins,
) -> Drawn<DB> {
    let xs = lines.iter().flat_map(|l| l.points.iter().map(|p| p.0));
    let x_max = xs.fold(0.0f64, f64::max).max(1e-9);
    // Categories sit on whole numbers: leave room for the first and last label.
    let (x_min, x_max) = if categories.is_some() {
        (-0.3, x_max + 0.3)
    } else {
        (0.0, x_max)
    };
    let ys = lines.iter().flat_map(|l| l.points.iter().map(|p| p.1));
    let band_max = band.map_or(0.0, |b| b.iter().map(|p| p.2).fold(0.0, f64::max));
    let y_max = (ys.fold(0.0f64, f64::max).max(band_max) * 1.08).max(1.0);
    let mut ctx = ChartBuilder::on(root)
        .caption(&chart.title, (FONT, 28))
        .margin(24)
        .x_label_area_size(70)
        .y_label_area_size(100)
        .build_cartesian_2d(x_min..x_max, 0.0..y_max)?;
    let label = |x: &f64| match categories {
        Some(c) => {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                c.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        }
        None => format_number(*x),
    };
    let mut mesh = ctx.configure_mesh();
    mesh.x_desc(chart.x_label.as_str())
        .y_desc(chart.y_label.as_str())
        .label_style((FONT, 20))
        .axis_desc_style((FONT, 22))
        .x_label_formatter(&label)
        .y_label_formatter(&|y| format_number(*y));
    if let Some(c) = categories {
        mesh.x_labels(c.len());
    }
    mesh.draw()?;
    for w in windows {
        let shade = RGBColor(255, 190, 110).mix(0.35).filled();
        ctx.draw_series(std::iter::once(Rectangle::new(
            [(w.start, 0.0), (w.end, y_max)],
            shade,
        )))?;
        let text = Text::new(
            w.label.clone(),
            (w.start, y_max * 0.98),
            (FONT, 18).into_font(),
        );
        ctx.draw_series(std::iter::once(text))?;
    }
    if let (Some(band), Some(first)) = (band, lines.first()) {
        let mut outline: Vec<(f64, f64)> = band.iter().map(|p| (p.0, p.2)).collect();
        outline.extend(band.iter().rev().map(|p| (p.0, p.1)));
        ctx.draw_series(std::iter::once(Polygon::new(
            outline,
            first.color.mix(0.25).filled(),
        )))?;
    }
    for l in lines {
        let color = l.color;
        let style = color.stroke_width(3);
        let segments: Vec<PathElement<(f64, f64)>> = match joins {
            Joins::Mitred => vec![PathElement::new(l.points.clone(), style)],
            Joins::Unjoined => l
                .points
                .windows(2)
                .map(|w| PathElement::new(vec![w[0], w[1]], style))
                .collect(),
        };
        ctx.draw_series(segments)?
            .label(l.name.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))
            });
        if categories.is_some() {
            ctx.draw_series(l.points.iter().map(|&p| Circle::new(p, 5, color.filled())))?;
        }
    }
    draw_legend(&mut ctx)
}

fn draw_estimates<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
    points: &[Estimate],
    slo: Option<f64>,
) -> Drawn<DB> {
    let x_min = points.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let x_max = points.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    let pad = ((x_max - x_min) * 0.05).max(0.5);
    let (x_min, x_max) = if x_min.is_finite() {
        (x_min - pad, x_max + pad)
    } else {
        (0.0, 1.0)
    };
    let top = points
        .iter()
        .map(|p| p.3)
        .fold(slo.unwrap_or(0.0), f64::max);
    let bottom = points.iter().map(|p| p.2).fold(0.0, f64::min);
    // All zeros (no duplicates at any point, say): show a 0..1 axis.
    let y_max = if top > 1e-12 { top * 1.1 } else { 1.0 };
    let mut ctx = ChartBuilder::on(root)
        .caption(&chart.title, (FONT, 28))
        .margin(24)
        .x_label_area_size(70)
        .y_label_area_size(100)
        .build_cartesian_2d(x_min..x_max, bottom..y_max)?;
    ctx.configure_mesh()
        .x_desc(chart.x_label.as_str())
        .y_desc(chart.y_label.as_str())
        .label_style((FONT, 20))
        .axis_desc_style((FONT, 22))
        .x_label_formatter(&|x| format_number(*x))
        .y_label_formatter(&|y| format_number(*y))
        .draw()?;
    if let Some(bound) = slo {
        let red = RGBColor(214, 39, 40);
        ctx.draw_series(DashedLineSeries::new(
            [(x_min, bound), (x_max, bound)],
            12,
            8,
            red.stroke_width(3),
        ))?
        .label(format!("SLO {}", format_number(bound)))
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], red.stroke_width(3)));
    }
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
    draw_legend(&mut ctx)
}

/// The legend box, upper right (clear of the fault labels at the top left).
fn draw_legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    ctx: &mut ChartContext<'a, DB, CT>,
) -> Drawn<DB> {
    ctx.configure_series_labels()
        .label_font((FONT, 20))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()
}

/// Axis numbers: integers plainly, small values in scientific notation,
/// others with up to 3 significant decimals.
fn format_number(v: f64) -> String {
    if v != 0.0 && v.abs() < 0.001 {
        format!("{v:.1e}")
    } else if v == 0.0 || v.abs() >= 1000.0 || v.fract() == 0.0 {
        format!("{}", v.round() as i64)
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else if v.abs() >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}
