//! Rendering an overlay: one line per alternative over time, with the
//! shared axis rules of `draw` (y from 0, same decimals on an axis, units
//! in the labels) and the legend in a column beside the plot, so that it
//! covers no line however many alternatives there are (a legend inside the
//! plot hides the top of the highest line).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::draw::{Drawn, FONT, Joins, LABELS, axis_top, runs, segments, ticks};
use super::{Chart, Kind, Line};

/// Pixels per character of a legend entry, and the swatch before it.
const CHAR_PX: u32 = 12;
const SWATCH_PX: u32 = 56;

pub(super) fn draw_overlay<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
    joins: Joins,
) -> Drawn<DB> {
    let Kind::Overlay { lines, windows } = &chart.kind else {
        return Ok(());
    };
    let area = root.titled(&chart.title, (FONT, 28))?;
    let longest = lines
        .iter()
        .map(|l| l.name.chars().count())
        .max()
        .unwrap_or(0) as u32;
    let side = (SWATCH_PX + CHAR_PX * longest + 24).clamp(150, 420);
    let (w, _) = area.dim_in_pixel();
    let (plot, legend) = area.split_horizontally(w.saturating_sub(side));
    let finite = |v: &f64| v.is_finite();
    let points = || lines.iter().flat_map(|l| l.points.iter());
    let x_max = points()
        .map(|p| p.0)
        .filter(finite)
        .fold(0.0, f64::max)
        .max(1e-9);
    let y_max = axis_top(points().map(|p| p.1).filter(finite).fold(0.0, f64::max));
    let mut ctx = ChartBuilder::on(&plot)
        .margin(24)
        .x_label_area_size(70)
        .y_label_area_size(100)
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)?;
    let (x_fmt, y_fmt) = (ticks(0.0, x_max), ticks(0.0, y_max));
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
    for w in windows {
        ctx.draw_series(std::iter::once(Rectangle::new(
            [(w.start, 0.0), (w.end, y_max)],
            w.shade.fill(),
        )))?;
        let at = (w.start, y_max * w.shade.label_at());
        ctx.draw_series(std::iter::once(Text::new(
            w.label.clone(),
            at,
            (FONT, 18).into_font(),
        )))?;
    }
    for l in lines {
        let style = l.color.stroke_width(3);
        let runs = runs(&l.points);
        ctx.draw_series(segments(&runs, style, joins))?;
        // A point with no neighbour would not show as a path.
        let lone = runs.iter().filter(|r| r.len() == 1).map(|r| r[0]);
        ctx.draw_series(lone.map(|p| Circle::new(p, 5, l.color.filled())))?;
    }
    draw_side_legend(&legend, lines)
}

/// One entry per line, top down from the top of the plot.
fn draw_side_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    lines: &[Line],
) -> Drawn<DB> {
    for (i, l) in lines.iter().enumerate() {
        let y = 40 + 34 * i as i32;
        area.draw(&PathElement::new(
            vec![(8, y), (44, y)],
            l.color.stroke_width(4),
        ))?;
        area.draw(&Text::new(
            l.name.clone(),
            (SWATCH_PX as i32, y - 11),
            (FONT, 20).into_font(),
        ))?;
    }
    Ok(())
}
