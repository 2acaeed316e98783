//! Small multiples of a network's queues: one panel per queue, in a grid of
//! two or three columns, each plotting the queue's visible and in-flight
//! messages over time on its own y scale, the fault windows shaded as in the
//! backlog chart, and the periods its own fleet's breaker was open. One
//! legend above the panels serves them all.
//!
//! Contract: [`queue_backlogs`] writes `dir/queues.svg` and `dir/queues.png`
//! atomically and returns ("queues", SVG text) for the report, as
//! [`super::write_charts`] does for the other charts. It follows the charts'
//! axis rules: the time axis in the unit the run charts use for the same
//! horizon, every y axis from 0, every axis named with its unit.

use std::path::Path;

use anyhow::{Context, Result, anyhow};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::draw::{Drawn, FONT, Joins, axis_top, encode_png, register_font, runs, segments, ticks};
use super::{BLUE, ORANGE, Shade, Window, decimate, time_unit};

/// File stem of the chart.
pub const QUEUES_CHART: &str = "queues";

/// One queue's mean time series (seconds, messages). The three slices are
/// read in step; a longer one's tail is ignored. A NaN is a gap.
#[derive(Clone, Copy, Debug)]
pub struct QueueSeries<'a> {
    /// The queue's name: its panel's title.
    pub name: &'a str,
    /// Sample times, seconds.
    pub time: &'a [f64],
    /// Visible messages at each sample.
    pub visible: &'a [f64],
    /// In-flight messages at each sample.
    pub in_flight: &'a [f64],
    /// Periods its fleet's breaker was open (seconds), shaded on its panel only.
    pub open: &'a [(f64, f64)],
}

/// Writes the panels of `series` (in the order given) as
/// `dir/queues.svg` and `.png`; `windows` are the fault windows to shade,
/// with `start` and `end` in seconds like the series. Returns
/// ("queues", SVG text).
pub fn queue_backlogs(
    dir: &Path,
    title: &str,
    series: &[QueueSeries],
    windows: &[Window],
) -> Result<(String, String)> {
    let grid = Grid::of(series.len());
    let svg = svg(&grid, title, series, windows).context("drawing queues")?;
    let png = png(&grid, title, series, windows).context("drawing queues")?;
    super::super::write_file(&dir.join(format!("{QUEUES_CHART}.svg")), svg.as_bytes())?;
    super::super::write_file(&dir.join(format!("{QUEUES_CHART}.png")), &png)?;
    Ok((QUEUES_CHART.to_owned(), svg))
}

/// Height of the title and legend above the panels, px.
const HEADER: u32 = 96;
/// Height of a row of panels, px: two rows make the charts' 1200 × 700.
const ROW: u32 = 302;
/// A panel is about 350 px wide: more points than this many buckets (two
/// points each) cannot be seen.
const PANEL_BUCKETS: usize = 200;
/// Axis labels per panel axis.
const PANEL_LABELS: usize = 5;

/// The panel grid for `n` queues: as square as 2 or 3 columns allow.
struct Grid {
    rows: usize,
    columns: usize,
    size: (u32, u32),
}

impl Grid {
    fn of(n: usize) -> Grid {
        let columns = match n {
            0 | 1 => 1,
            2 | 4 => 2,
            _ => 3,
        };
        let rows = n.div_ceil(columns).max(1);
        Grid {
            rows,
            columns,
            size: (super::SIZE.0, HEADER + ROW * rows as u32),
        }
    }
}

fn svg(grid: &Grid, title: &str, series: &[QueueSeries], windows: &[Window]) -> Result<String> {
    register_font();
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, grid.size).into_drawing_area();
        draw(&root, grid, title, series, windows, Joins::Mitred).map_err(|e| anyhow!("{e}"))?;
        root.present().map_err(|e| anyhow!("{e}"))?;
    }
    Ok(text)
}

fn png(grid: &Grid, title: &str, series: &[QueueSeries], windows: &[Window]) -> Result<Vec<u8>> {
    register_font();
    let (w, h) = grid.size;
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, grid.size).into_drawing_area();
        draw(&root, grid, title, series, windows, Joins::Unjoined).map_err(|e| anyhow!("{e}"))?;
        root.present().map_err(|e| anyhow!("{e}"))?;
    }
    encode_png(&rgb, (w, h))
}

/// The time axis of every panel: its label and seconds per unit, and its end.
struct TimeAxis {
    label: String,
    div: f64,
    end: f64,
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    grid: &Grid,
    title: &str,
    series: &[QueueSeries],
    windows: &[Window],
    joins: Joins,
) -> Drawn<DB> {
    root.fill(&WHITE)?;
    let (header, body) = root.split_vertically(HEADER);
    let breakers = series.iter().any(|s| !s.open.is_empty());
    draw_header(&header, title, !windows.is_empty(), breakers)?;
    if series.is_empty() {
        let style =
            TextStyle::from((FONT, 22).into_font()).pos(Pos::new(HPos::Center, VPos::Center));
        let (w, h) = body.dim_in_pixel();
        return body.draw(&Text::new("no queues", (w as i32 / 2, h as i32 / 2), style));
    }
    let end = series
        .iter()
        .flat_map(|s| s.time.iter().copied())
        .filter(|t| t.is_finite())
        .fold(0.0, f64::max);
    let (unit, div) = time_unit(end);
    let axis = TimeAxis {
        label: format!("time ({unit})"),
        div,
        end: (end / div).max(1e-9),
    };
    let panels = body.split_evenly((grid.rows, grid.columns));
    for (area, s) in panels.iter().zip(series) {
        panel(area, s, windows, &axis, joins)?;
    }
    Ok(())
}

/// The title, and one legend for every panel.
fn draw_header<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    faults: bool,
    breakers: bool,
) -> Drawn<DB> {
    let (w, _) = area.dim_in_pixel();
    let centre = Pos::new(HPos::Center, VPos::Top);
    let caption = TextStyle::from((FONT, 28).into_font()).pos(centre);
    area.draw(&Text::new(title, (w as i32 / 2, 18), caption))?;
    let font = TextStyle::from((FONT, 20).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    let (y, mut x) = (72, 40);
    for (name, color) in [("visible", BLUE), ("in flight", ORANGE)] {
        area.draw(&PathElement::new(
            vec![(x, y), (x + 28, y)],
            color.stroke_width(3),
        ))?;
        area.draw(&Text::new(name, (x + 36, y), font.clone()))?;
        x += 36 + 11 * name.len() as i32 + 40;
    }
    let shades = [
        (faults, Shade::Fault, "fault window"),
        (breakers, Shade::Breaker, "breaker open (replication 0)"),
    ];
    for (_, shade, name) in shades.into_iter().filter(|s| s.0) {
        area.draw(&Rectangle::new([(x, y - 9), (x + 28, y + 9)], shade.fill()))?;
        area.draw(&Text::new(name, (x + 36, y), font.clone()))?;
        x += 36 + 11 * name.len() as i32 + 40;
    }
    Ok(())
}

fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    s: &QueueSeries,
    windows: &[Window],
    axis: &TimeAxis,
    joins: Joins,
) -> Drawn<DB> {
    let visible = points(s.time, s.visible, axis.div);
    let in_flight = points(s.time, s.in_flight, axis.div);
    let top = visible
        .iter()
        .chain(&in_flight)
        .map(|p| p.1)
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let y_max = axis_top(top);
    let mut ctx = ChartBuilder::on(area)
        .caption(s.name, (FONT, 22))
        .margin(14)
        .x_label_area_size(52)
        .y_label_area_size(80)
        .build_cartesian_2d(0.0..axis.end, 0.0..y_max)?;
    let x_fmt = ticks(0.0, axis.end);
    let y_fmt = ticks(0.0, y_max);
    ctx.configure_mesh()
        .x_desc(axis.label.as_str())
        .y_desc("messages")
        // A small panel reads better with its bold grid lines only.
        .light_line_style(TRANSPARENT)
        .label_style((FONT, 17))
        .axis_desc_style((FONT, 18))
        .x_labels(PANEL_LABELS)
        .y_labels(PANEL_LABELS)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .draw()?;
    for w in windows {
        let (start, end) = (w.start / axis.div, w.end / axis.div);
        ctx.draw_series(std::iter::once(Rectangle::new(
            [(start, 0.0), (end, y_max)],
            w.shade.fill(),
        )))?;
        let label = Text::new(
            w.label.clone(),
            (start, y_max * 0.98),
            (FONT, 15).into_font(),
        );
        ctx.draw_series(std::iter::once(label))?;
    }
    // The legend above says what these are: no label in a small panel.
    for &(start, end) in s.open {
        ctx.draw_series(std::iter::once(Rectangle::new(
            [(start / axis.div, 0.0), (end / axis.div, y_max)],
            Shade::Breaker.fill(),
        )))?;
    }
    draw_line(&mut ctx, &visible, BLUE, joins)?;
    draw_line(&mut ctx, &in_flight, ORANGE, joins)
}

/// (time in the axis unit, value), decimated for a panel's width.
fn points(time: &[f64], values: &[f64], div: f64) -> Vec<(f64, f64)> {
    let points = time
        .iter()
        .zip(values)
        .map(|(t, v)| (t / div, *v))
        .collect();
    decimate(points, PANEL_BUCKETS)
}

/// A line with gaps at NaN; a lone measured point shows as a dot.
fn draw_line<'a, DB: DrawingBackend + 'a>(
    ctx: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    points: &[(f64, f64)],
    color: RGBColor,
    joins: Joins,
) -> Drawn<DB> {
    let runs = runs(points);
    ctx.draw_series(segments(&runs, color.stroke_width(2), joins))?;
    let lone = runs.iter().filter(|r| r.len() == 1).map(|r| r[0]);
    ctx.draw_series(lone.map(|p| Circle::new(p, 3, color.filled())))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names, sample times, and per queue its visible and in-flight series.
    type Synthetic = (Vec<String>, Vec<f64>, Vec<Vec<f64>>, Vec<Vec<f64>>);

    /// `n` queues over 20 minutes, each with its own scale, a fault at 5–8 min.
    fn synthetic(n: usize) -> Synthetic {
        let time: Vec<f64> = (0..=1200).map(f64::from).collect();
        let names = (0..n).map(|k| format!("queue-{k}")).collect();
        let scale = |k: usize| 10f64.powi(k as i32 % 4);
        let bump = |t: f64, k: usize| {
            let rise = (t - 300.0 - 10.0 * k as f64).clamp(0.0, 180.0);
            let fall = (t - 480.0).max(0.0) * (1.0 + k as f64);
            (rise - fall).max(0.0)
        };
        let visible = (0..n)
            .map(|k| {
                time.iter()
                    .map(|&t| scale(k) * (2.0 + (t / 17.0).sin() + bump(t, k)))
                    .collect()
            })
            .collect();
        let in_flight = (0..n)
            .map(|k| {
                time.iter()
                    .map(|&t| scale(k) * (5.0 + (t / 23.0).cos()))
                    .collect()
            })
            .collect();
        (names, time, visible, in_flight)
    }

    fn render(n: usize, dir: &Path) -> String {
        let (names, time, visible, in_flight) = synthetic(n);
        let series: Vec<QueueSeries> = (0..n)
            .map(|k| QueueSeries {
                name: &names[k],
                time: &time,
                visible: &visible[k],
                in_flight: &in_flight[k],
                open: &[],
            })
            .collect();
        let windows = [Window {
            label: "consumer-crash".into(),
            start: 300.0,
            end: 480.0,
            shade: Shade::Fault,
        }];
        let title = format!("orders: backlog per queue ({n} queues, mean of 5 replications)");
        let (name, svg) = queue_backlogs(dir, &title, &series, &windows).unwrap();
        assert_eq!(name, QUEUES_CHART);
        svg
    }

    #[test]
    fn renders_one_panel_per_queue_as_svg_and_png() {
        for n in [0, 1, 3, 6] {
            let dir = tempfile::tempdir().unwrap();
            let svg = render(n, dir.path());
            let on_disk = std::fs::read_to_string(dir.path().join("queues.svg")).unwrap();
            assert_eq!(on_disk, svg);
            let doc = roxmltree::Document::parse(&svg).unwrap();
            let texts: Vec<&str> = doc.descendants().filter_map(|t| t.text()).collect();
            for k in 0..n {
                let name = format!("queue-{k}");
                assert!(
                    texts.iter().any(|t| t.trim() == name),
                    "{name} in {texts:?}"
                );
            }
            let png = std::fs::read(dir.path().join("queues.png")).unwrap();
            assert!(png.len() > 1000 && png.starts_with(b"\x89PNG"));
        }
    }

    #[test]
    fn the_grid_has_two_or_three_columns() {
        let shape = |n| {
            let g = Grid::of(n);
            (g.rows, g.columns)
        };
        assert_eq!(shape(3), (1, 3));
        assert_eq!(shape(4), (2, 2));
        assert_eq!(shape(6), (2, 3));
        assert_eq!(shape(7), (3, 3));
        assert_eq!(Grid::of(6).size, super::super::SIZE);
    }

    /// Writes 3 and 6 panels to look at:
    /// `cargo test --release --lib charts::queues::tests::write_examples -- --ignored`.
    #[test]
    #[ignore]
    fn write_examples() {
        for n in [3, 6] {
            let dir = std::env::temp_dir().join(format!("mqsim-queues-{n}"));
            render(n, &dir);
        }
    }
}
