//! Rendering the charts of discrete sweeps: grouped bars with whiskers
//! (categorical keys) and heatmaps (two keys), with the shared axis rules of
//! `draw` (y from 0, same decimals on an axis, units in the labels).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::draw::{
    Drawn, FONT, LABELS, axis_top, draw_legend_at, draw_marks, legend_corner, ticks,
};
use super::{Chart, Kind};

/// A label for whole-number positions of a category axis, blank elsewhere.
fn category_label(labels: &[String]) -> impl Fn(&f64) -> String + '_ {
    move |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 1e-6 && i >= 0.0 {
            labels.get(i as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    }
}

pub(super) fn draw_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
) -> Drawn<DB> {
    let Kind::Bars {
        groups,
        series,
        legend,
        marks,
    } = &chart.kind
    else {
        return Ok(());
    };
    let n = groups.len().max(1) as f64;
    let (x_min, x_max) = (-0.5, n - 0.5);
    let highs = series
        .iter()
        .flat_map(|s| s.values.iter().flatten().map(|v| v.2));
    let top = highs
        .chain(marks.iter().map(|m| m.value))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let y_max = axis_top(top);
    let mut ctx = ChartBuilder::on(root)
        .caption(&chart.title, (FONT, 28))
        .margin(24)
        .x_label_area_size(70)
        .y_label_area_size(100)
        .build_cartesian_2d(x_min..x_max, 0.0..y_max)?;
    let x_fmt = category_label(groups);
    let y_fmt = ticks(0.0, y_max);
    ctx.configure_mesh()
        .disable_x_mesh()
        .x_desc(chart.x_label.as_str())
        .y_desc(chart.y_label.as_str())
        .label_style((FONT, 20))
        .axis_desc_style((FONT, 22))
        .x_labels(groups.len())
        .y_labels(LABELS)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .draw()?;
    let width = 0.8 / series.len().max(1) as f64;
    for (k, s) in series.iter().enumerate() {
        let color = s.color;
        let bars: Vec<Rectangle<(f64, f64)>> = s
            .values
            .iter()
            .enumerate()
            .filter_map(|(g, v)| {
                let (mean, _, _) = (*v)?;
                let left = g as f64 - 0.4 + k as f64 * width;
                Some(Rectangle::new(
                    [(left + width * 0.05, 0.0), (left + width * 0.95, mean)],
                    color.mix(0.85).filled(),
                ))
            })
            .collect();
        let name = match legend {
            Some(key) => format!("{key} = {}", s.name),
            None => "mean, 95% interval".to_owned(),
        };
        ctx.draw_series(bars)?.label(name).legend(move |(x, y)| {
            Rectangle::new([(x, y - 8), (x + 24, y + 8)], color.mix(0.85).filled())
        });
        for (g, v) in s.values.iter().enumerate() {
            let Some((_, lo, hi)) = *v else { continue };
            let mid = g as f64 - 0.4 + (k as f64 + 0.5) * width;
            let cap = width * 0.2;
            let whisker = [
                vec![(mid, lo), (mid, hi)],
                vec![(mid - cap, lo), (mid + cap, lo)],
                vec![(mid - cap, hi), (mid + cap, hi)],
            ];
            ctx.draw_series(
                whisker
                    .into_iter()
                    .map(|w| PathElement::new(w, BLACK.stroke_width(2))),
            )?;
        }
    }
    draw_marks(&mut ctx, marks, (x_min, x_max), (0.0, y_max))?;
    let tops = series.iter().flat_map(|s| {
        s.values
            .iter()
            .enumerate()
            .filter_map(|(g, v)| v.map(|v| (g as f64, v.2)))
    });
    draw_legend_at(&mut ctx, legend_corner(tops, (x_min, x_max)))
}

/// Width of the colour scale at the right, pixels.
const SCALE_WIDTH: u32 = 170;

pub(super) fn draw_heatmap<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
) -> Drawn<DB> {
    let Kind::Heatmap {
        columns,
        rows,
        cells,
        pass,
        scale,
    } = &chart.kind
    else {
        return Ok(());
    };
    let top = cells
        .iter()
        .flatten()
        .filter(|v| v.is_finite())
        .fold(0.0, |a: f64, &b| a.max(b));
    let v_max = if top > 1e-12 { top } else { 1.0 };
    // The same top margin as the other charts' captions.
    let titled = root.margin(20, 0, 0, 0).titled(&chart.title, (FONT, 28))?;
    let note = if pass.is_some() {
        "thick line: SLO boundary; ✗ = misses an SLO target"
    } else {
        "no [slo] targets: no boundary"
    };
    titled.draw(&Text::new(note, (30, 8), (FONT, 20).into_font()))?;
    let (w, _) = titled.dim_in_pixel();
    let (grid, bar) = titled.split_horizontally(w.saturating_sub(SCALE_WIDTH));
    let (nx, ny) = (columns.len().max(1) as f64, rows.len().max(1) as f64);
    let mut ctx = ChartBuilder::on(&grid)
        .margin(24)
        .x_label_area_size(70)
        .y_label_area_size(140)
        .build_cartesian_2d(-0.5..nx - 0.5, -0.5..ny - 0.5)?;
    let x_fmt = category_label(columns);
    let y_fmt = category_label(rows);
    ctx.configure_mesh()
        .disable_mesh()
        .x_desc(chart.x_label.as_str())
        .y_desc(chart.y_label.as_str())
        .label_style((FONT, 20))
        .axis_desc_style((FONT, 22))
        .x_labels(columns.len())
        .y_labels(rows.len())
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .draw()?;
    let center = Pos::new(HPos::Center, VPos::Center);
    for (r, row) in cells.iter().enumerate() {
        for (c, &v) in row.iter().enumerate() {
            let (x, y) = (c as f64, r as f64);
            let area = [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)];
            let (fill, ink) = if v.is_finite() {
                let t = v / v_max;
                (viridis(t), if t < 0.6 { WHITE } else { BLACK })
            } else {
                (RGBColor(230, 230, 230), BLACK)
            };
            ctx.draw_series(std::iter::once(Rectangle::new(area, fill.filled())))?;
            let fails = pass.as_ref().is_some_and(|p| !p[r][c]);
            let text = match (v.is_finite(), fails) {
                (false, _) => "–".to_owned(),
                (true, false) => significant(v),
                (true, true) => format!("{} ✗", significant(v)),
            };
            let style = TextStyle::from((FONT, 22).into_font())
                .color(&ink)
                .pos(center);
            ctx.draw_series(std::iter::once(Text::new(text, (x, y), style)))?;
        }
    }
    if let Some(pass) = pass {
        let edge = BLACK.stroke_width(6);
        let mut segments = Vec::new();
        for (r, row) in pass.iter().enumerate() {
            for (c, &p) in row.iter().enumerate() {
                let (x, y) = (c as f64, r as f64);
                if row.get(c + 1).is_some_and(|&q| q != p) {
                    segments.push(vec![(x + 0.5, y - 0.5), (x + 0.5, y + 0.5)]);
                }
                if pass
                    .get(r + 1)
                    .and_then(|next| next.get(c))
                    .is_some_and(|&q| q != p)
                {
                    segments.push(vec![(x - 0.5, y + 0.5), (x + 0.5, y + 0.5)]);
                }
            }
        }
        ctx.draw_series(segments.into_iter().map(|s| PathElement::new(s, edge)))?;
    }
    draw_scale(&bar, scale, v_max)
}

/// The colour scale: a gradient from 0 to `v_max` with its axis.
fn draw_scale<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    label: &str,
    v_max: f64,
) -> Drawn<DB> {
    let mut ctx = ChartBuilder::on(area)
        .margin_top(24)
        .margin_bottom(94)
        .margin_right(10)
        .y_label_area_size(110)
        .build_cartesian_2d(0.0..1.0, 0.0..v_max)?;
    let fmt = ticks(0.0, v_max);
    ctx.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_desc(label)
        .label_style((FONT, 18))
        .axis_desc_style((FONT, 20))
        .y_labels(LABELS)
        .y_label_formatter(&fmt)
        .draw()?;
    const STEPS: usize = 100;
    ctx.draw_series((0..STEPS).map(|i| {
        let (a, b) = (i as f64 / STEPS as f64, (i + 1) as f64 / STEPS as f64);
        Rectangle::new([(0.0, a * v_max), (1.0, b * v_max)], viridis(a).filled())
    }))?;
    Ok(())
}

/// The viridis colour map at `t` in [0, 1] (dark blue to yellow), linear
/// between nine of its colours: perceptually even, readable in grey.
fn viridis(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 9] = [
        (68, 1, 84),
        (71, 44, 122),
        (59, 81, 139),
        (44, 113, 142),
        (33, 144, 141),
        (39, 173, 129),
        (92, 200, 99),
        (170, 220, 50),
        (253, 231, 37),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pos = t * (STOPS.len() - 1) as f64;
    let i = (pos.floor() as usize).min(STOPS.len() - 2);
    let f = pos - i as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// A cell value with 3 significant digits.
fn significant(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let digits = (2 - v.abs().log10().floor() as i32).max(0) as usize;
    format!("{v:.digits$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_show_three_significant_digits() {
        assert_eq!(significant(0.0), "0");
        assert_eq!(significant(4.237), "4.24");
        assert_eq!(significant(0.01234), "0.0123");
        assert_eq!(significant(12345.0), "12345");
    }

    #[test]
    fn the_colour_map_runs_from_dark_to_light() {
        let lum = |c: RGBColor| 0.3 * f64::from(c.0) + 0.6 * f64::from(c.1) + 0.1 * f64::from(c.2);
        assert!(lum(viridis(0.0)) < lum(viridis(0.5)));
        assert!(lum(viridis(0.5)) < lum(viridis(1.0)));
        assert_eq!(viridis(f64::NAN), viridis(0.0));
    }
}
