//! Reading a chart back from its SVG: tick labels give the mapping from
//! pixels to axis values, so a line can be checked at the value it stands for.

use std::path::Path;

/// A parsed chart.
pub struct Svg {
    text: String,
}

/// A polyline: its stroke colour, width and points (pixels).
pub struct Polyline {
    pub stroke: String,
    pub width: f64,
    pub points: Vec<(f64, f64)>,
}

impl Svg {
    pub fn read(path: &Path) -> Svg {
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        Svg { text }
    }

    fn doc(&self) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(&self.text).unwrap()
    }

    /// Every text element: (content, x, y, anchor, dy).
    pub fn texts(&self) -> Vec<(String, f64, f64, String, String)> {
        self.doc()
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| {
                let num = |a: &str| {
                    n.attribute(a)
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(f64::NAN)
                };
                let text: String = n
                    .descendants()
                    .filter(|d| d.is_text())
                    .filter_map(|d| d.text())
                    .collect();
                (
                    text.trim().to_owned(),
                    num("x"),
                    num("y"),
                    n.attribute("text-anchor").unwrap_or("").to_owned(),
                    n.attribute("dy").unwrap_or("").to_owned(),
                )
            })
            .collect()
    }

    /// Whether some text element contains `words`.
    pub fn has_text(&self, words: &str) -> bool {
        self.texts().iter().any(|t| t.0.contains(words))
    }

    /// Left y axis ticks: (pixel y, value), top to bottom.
    pub fn y_ticks(&self) -> Vec<(f64, f64)> {
        let left = self
            .texts()
            .into_iter()
            .filter(|t| t.3 == "end")
            .filter_map(|t| number(&t.0).map(|v| (t.1, t.2, v)))
            .collect::<Vec<_>>();
        // The left axis is the numeric column with the smallest x.
        let x = left.iter().map(|t| t.0).fold(f64::INFINITY, f64::min);
        let mut ticks: Vec<(f64, f64)> = left
            .iter()
            .filter(|t| (t.0 - x).abs() < 1.0)
            .map(|t| (t.1, t.2))
            .collect();
        ticks.sort_by(|a, b| a.0.total_cmp(&b.0));
        ticks
    }

    /// X axis ticks: (pixel x, value), left to right.
    pub fn x_ticks(&self) -> Vec<(f64, f64)> {
        let mut ticks: Vec<(f64, f64)> = self
            .texts()
            .into_iter()
            .filter(|t| t.3 == "middle" && t.4 == "0.76em" && t.2 > 500.0)
            .filter_map(|t| number(&t.0).map(|v| (t.1, v)))
            .collect();
        ticks.sort_by(|a, b| a.0.total_cmp(&b.0));
        ticks
    }

    pub fn polylines(&self) -> Vec<Polyline> {
        self.doc()
            .descendants()
            .filter(|n| n.has_tag_name("polyline"))
            .map(|n| Polyline {
                stroke: n.attribute("stroke").unwrap_or("").to_owned(),
                width: n
                    .attribute("stroke-width")
                    .and_then(|w| w.parse().ok())
                    .unwrap_or(1.0),
                points: n
                    .attribute("points")
                    .unwrap_or("")
                    .split_whitespace()
                    .filter_map(|p| {
                        let (x, y) = p.split_once(',')?;
                        Some((x.parse().ok()?, y.parse().ok()?))
                    })
                    .collect(),
            })
            .collect()
    }

    /// Filled rectangles of colour `fill`.
    pub fn rects(&self, fill: &str) -> usize {
        self.doc()
            .descendants()
            .filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some(fill))
            .count()
    }

    pub fn polygons(&self) -> usize {
        self.doc()
            .descendants()
            .filter(|n| n.has_tag_name("polygon"))
            .count()
    }
}

/// The value at `pixel` on an axis with `ticks` (pixel, value), linear.
pub fn value_at(ticks: &[(f64, f64)], pixel: f64) -> f64 {
    let (a, b) = (ticks[0], ticks[ticks.len() - 1]);
    a.1 + (pixel - a.0) * (b.1 - a.1) / (b.0 - a.0)
}

/// A tick label as a number (thousands are grouped with thin spaces).
pub fn number(text: &str) -> Option<f64> {
    text.replace('\u{2009}', "").parse().ok()
}

/// The values of the horizontal `stroke` segments of a chart (dashed lines
/// are many short segments; the legend's sample is one more).
pub fn horizontal_values(svg: &Svg, stroke: &str) -> Vec<f64> {
    let ticks = svg.y_ticks();
    svg.polylines()
        .into_iter()
        .filter(|l| l.stroke == stroke && l.points.len() == 2 && l.points[0].1 == l.points[1].1)
        .map(|l| value_at(&ticks, l.points[0].1))
        .collect()
}

/// The values of the vertical `stroke` segments of a chart.
pub fn vertical_values(svg: &Svg, stroke: &str) -> Vec<f64> {
    let ticks = svg.x_ticks();
    svg.polylines()
        .into_iter()
        .filter(|l| l.stroke == stroke && l.points.len() == 2 && l.points[0].0 == l.points[1].0)
        .map(|l| value_at(&ticks, l.points[0].0))
        .collect()
}

/// The tick spacing of an axis, in value units (the tolerance of a read).
pub fn step(ticks: &[(f64, f64)]) -> f64 {
    (ticks[1].1 - ticks[0].1).abs()
}

/// The y values of every point of the `stroke` lines (data lines are one
/// polyline each in SVG).
pub fn line_values(svg: &Svg, stroke: &str) -> Vec<f64> {
    let ticks = svg.y_ticks();
    svg.polylines()
        .into_iter()
        .filter(|l| l.stroke == stroke && l.points.len() > 2)
        .flat_map(|l| l.points)
        .map(|p| value_at(&ticks, p.1))
        .collect()
}
