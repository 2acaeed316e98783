//! The SVG text of a placed topology: edges first, then the boxes (a
//! resource as a cylinder), then the edge labels on white so that they stay
//! readable over any line, then a one-line legend of what the colours and
//! dashes mean. What only resources use (their arrowhead, their legend
//! entry) is written only when the diagram has them.

use std::fmt::Write as _;

use super::geometry::{Layout, Leg, Point, Rect, Route, controls};
use super::layout::{CAP, MARGIN, TAG_ROOM, TURN};
use super::{EdgeKind, Heat, TextLine, TopoKind, TopoNode, Topology, edge_lines, heat, node_lines};
use crate::output::report::esc;

/// The report's own font list: the width estimates are DejaVu Sans's.
const FONT: &str = "DejaVu Sans,Helvetica,Arial,sans-serif";
const INK: &str = "#222";
const EDGE: &str = "#666";
const RED: &str = "#c62828";
const LEGEND_H: f64 = 30.0;

pub(super) fn svg(t: &Topology, l: &Layout) -> String {
    let legend = legend_items(t);
    let legend_w = legend.iter().map(|i| i.width()).sum::<f64>();
    let width = l.width.max((legend_w + 2.0 * MARGIN).ceil());
    let height = l.height + if legend.is_empty() { 0.0 } else { LEGEND_H };
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"topology\" width=\"{width}\" \
         height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"{FONT}\" fill=\"{INK}\" \
         style=\"width:auto;max-width:100%;height:auto\" role=\"img\"><title>Network topology</title>"
    );
    s.push_str(DEFS);
    // Only a diagram with resources has their arrowhead: others keep their bytes.
    if t.edges.iter().any(|e| e.kind == EdgeKind::Use) {
        s.push_str(USE_DEFS);
    }
    s.push_str("<g class=\"edges\" fill=\"none\">\n");
    for (e, route) in t.edges.iter().zip(&l.routes) {
        if let Some(route) = route {
            edge(&mut s, e.kind, route);
        }
    }
    s.push_str("</g>\n<g class=\"nodes\">\n");
    for (n, b) in t.nodes.iter().zip(&l.boxes) {
        node(&mut s, n, b);
    }
    s.push_str("</g>\n<g class=\"labels\">\n");
    for (e, rect) in t.edges.iter().zip(&l.labels) {
        if let Some(rect) = rect {
            let _ = write!(
                s,
                "<g class=\"edge-label\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" \
                 rx=\"3\" fill=\"#fff\" fill-opacity=\"0.94\"/>",
                rect.x, rect.y, rect.w, rect.h
            );
            lines(&mut s, &edge_lines(e), rect, INK);
            s.push_str("</g>\n");
        }
    }
    s.push_str("</g>\n");
    draw_legend(&mut s, &legend, l.height + 4.0);
    s.push_str("</svg>");
    s
}

/// Arrowheads: a marker has one colour, so one per edge colour. The ids are
/// prefixed: the SVG shares the page's id space with the charts.
const DEFS: &str = "<defs>\
<marker id=\"mqsim-topo-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"10\" markerHeight=\"10\" markerUnits=\"userSpaceOnUse\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"#666\"/></marker>\
<marker id=\"mqsim-topo-arrow-dlq\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"10\" markerHeight=\"10\" markerUnits=\"userSpaceOnUse\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"#c62828\"/></marker>\
</defs>\n";

/// The arrowhead of an edge to a resource.
const USE_DEFS: &str = "<defs>\
<marker id=\"mqsim-topo-arrow-use\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"10\" markerHeight=\"10\" markerUnits=\"userSpaceOnUse\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"#8d6e63\"/></marker>\
</defs>\n";

/// The colour of resources and of the edges to them.
const BROWN: &str = "#8d6e63";

fn edge(s: &mut String, kind: EdgeKind, route: &Route) {
    let d = match route {
        Route::Forward { from, legs, to } => forward_path(*from, legs, *to),
        Route::Back {
            from,
            to,
            down,
            up,
            low,
        } => back_path(*from, *to, (*down, *up), *low),
    };
    let (class, dashes) = match kind {
        EdgeKind::Send => ("send", ""),
        EdgeKind::Deliver => ("deliver", ""),
        EdgeKind::Emit => ("emit", ""),
        EdgeKind::Subscribe => ("subscribe", ""),
        EdgeKind::DeadLetter => ("dead-letter", " stroke-dasharray=\"7 5\""),
        EdgeKind::Use => ("use", " stroke-dasharray=\"2 4\" stroke-linecap=\"round\""),
    };
    let (color, marker) = match kind {
        EdgeKind::DeadLetter => (RED, "mqsim-topo-arrow-dlq"),
        EdgeKind::Use => (BROWN, "mqsim-topo-arrow-use"),
        _ => (EDGE, "mqsim-topo-arrow"),
    };
    let _ = writeln!(
        s,
        "<path class=\"edge {class}\" d=\"{d}\" stroke=\"{color}\" stroke-width=\"1.8\"{dashes} \
         marker-end=\"url(#{marker})\"/>"
    );
}

/// Straight to each leg's curve, the S-curve (leaving and entering
/// horizontally), straight on through the columns into the target.
fn forward_path(from: Point, legs: &[Leg], to: Point) -> String {
    let mut d = format!("M{:.1},{:.1}", from.0, from.1);
    for leg in legs {
        let (p0, p1) = leg.curve();
        let (c0, c1) = controls(p0, p1);
        let _ = write!(
            d,
            " L{:.1},{:.1} C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
            p0.0, p0.1, c0.0, c0.1, c1.0, c1.1, p1.0, p1.1
        );
    }
    let _ = write!(d, " L{:.1},{:.1}", to.0, to.1);
    d
}

/// Right out of the source, down at `xr`, left along the channel at `low`,
/// up at `xl`, and right into the target, with rounded turns.
fn back_path((x0, y0): Point, (x1, y1): Point, (xr, xl): (f64, f64), low: f64) -> String {
    let r = TURN;
    format!(
        "M{x0:.1},{y0:.1} L{:.1},{y0:.1} Q{xr:.1},{y0:.1} {xr:.1},{:.1} L{xr:.1},{:.1} \
         Q{xr:.1},{low:.1} {:.1},{low:.1} L{:.1},{low:.1} Q{xl:.1},{low:.1} {xl:.1},{:.1} \
         L{xl:.1},{:.1} Q{xl:.1},{y1:.1} {:.1},{y1:.1} L{x1:.1},{y1:.1}",
        xr - r,
        y0 + r,
        low - r,
        xr - r,
        xl + r,
        low - r,
        y1 + r,
        xl + r,
    )
}

/// (fill, border) of a box: by utilisation where it has one, else by kind.
fn colours(n: &TopoNode) -> (&'static str, &'static str) {
    match (n.utilization.map(heat), n.kind) {
        (Some(Heat::Calm), _) => ("#e5f4e3", "#2e7d32"),
        (Some(Heat::Warm), _) => ("#fff1d2", "#d98200"),
        (Some(Heat::Hot), _) => ("#fde0dc", RED),
        (None, TopoKind::Producer) => ("#eeeeee", "#616161"),
        (None, TopoKind::Queue) => ("#e3eefa", "#1f77b4"),
        (None, TopoKind::Topic) => ("#efe6f8", "#8456b3"),
        (None, TopoKind::Fleet) => ("#f6f6f6", "#616161"),
        (None, TopoKind::Resource) => ("#f4ece6", BROWN),
    }
}

fn node(s: &mut String, n: &TopoNode, b: &Rect) {
    let (fill, border) = colours(n);
    let (stroke, width) = if n.bottleneck {
        (RED, 4.0)
    } else {
        (border, 1.5)
    };
    if n.kind == TopoKind::Resource {
        cylinder(s, n, b, (fill, border), (stroke, width));
        return;
    }
    let rx = match n.kind {
        TopoKind::Producer | TopoKind::Queue => 4,
        TopoKind::Fleet | TopoKind::Resource => 10,
        TopoKind::Topic => 18,
    };
    let class = match n.kind {
        TopoKind::Producer => "producer",
        TopoKind::Queue => "queue",
        TopoKind::Topic => "topic",
        TopoKind::Fleet => "fleet",
        TopoKind::Resource => "resource",
    };
    let _ = write!(
        s,
        "<g class=\"node {class}\"><rect class=\"node-box\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" \
         height=\"{:.1}\" rx=\"{rx}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{width}\"/>",
        b.x, b.y, b.w, b.h
    );
    let text_area = if n.bottleneck {
        Rect {
            y: b.y + TAG_ROOM,
            h: b.h - TAG_ROOM,
            ..*b
        }
    } else {
        *b
    };
    lines(s, &node_lines(n), &text_area, border);
    if n.bottleneck {
        tag(s, b);
    }
    s.push_str("</g>\n");
}

/// A resource: a cylinder filling `b` (its body, then the front of its top
/// rim), its text between the rims.
fn cylinder(
    s: &mut String,
    n: &TopoNode,
    b: &Rect,
    (fill, border): (&str, &str),
    (stroke, width): (&str, f64),
) {
    let (rx, c) = (b.w / 2.0, CAP);
    let (left, right, top, bottom) = (b.x, b.x + b.w, b.y + c, b.y + b.h - c);
    let _ = write!(
        s,
        "<g class=\"node resource\"><path class=\"node-box\" d=\"M{left:.1},{top:.1} \
         L{left:.1},{bottom:.1} A{rx:.1},{c:.1} 0 0 0 {right:.1},{bottom:.1} L{right:.1},{top:.1} \
         A{rx:.1},{c:.1} 0 0 0 {left:.1},{top:.1} Z\" fill=\"{fill}\" stroke=\"{stroke}\" \
         stroke-width=\"{width}\"/><ellipse cx=\"{:.1}\" cy=\"{top:.1}\" rx=\"{rx:.1}\" ry=\"{c:.1}\" \
         fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{width}\"/>",
        b.cx()
    );
    let text_area = Rect {
        y: b.y + 2.0 * c,
        h: b.h - 3.0 * c,
        ..*b
    };
    lines(s, &node_lines(n), &text_area, border);
    if n.bottleneck {
        tag(s, b);
    }
    s.push_str("</g>\n");
}

/// The "bottleneck" tag, on the middle of the box's top border.
fn tag(s: &mut String, b: &Rect) {
    let text = TextLine {
        caps: true,
        ..TextLine::new("BOTTLENECK", 10.0, true)
    };
    let (w, h) = (text.width() + 12.0, 16.0);
    let _ = write!(
        s,
        "<g class=\"bottleneck\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{h}\" rx=\"8\" \
         fill=\"{RED}\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" font-weight=\"bold\" \
         letter-spacing=\"0.8\" text-anchor=\"middle\" fill=\"#fff\">BOTTLENECK</text></g>",
        b.cx() - w / 2.0,
        b.y - h / 2.0,
        b.cx(),
        b.y + 3.6,
    );
}

/// Lines of text centred in `r`; the first, if in capitals, in `accent`.
fn lines(s: &mut String, lines: &[TextLine], r: &Rect, accent: &str) {
    let total: f64 = lines.iter().map(TextLine::height).sum();
    let mut top = r.y + (r.h - total) / 2.0;
    for line in lines {
        // A line's middle plus about half the x-height of the font.
        let baseline = top + line.height() / 2.0 + 0.36 * line.size;
        let weight = if line.bold {
            " font-weight=\"bold\""
        } else {
            ""
        };
        let extra = if line.caps {
            format!(
                " letter-spacing=\"{:.1}\" fill=\"{accent}\"",
                0.08 * line.size
            )
        } else {
            String::new()
        };
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{baseline:.1}\" font-size=\"{}\"{weight}{extra} \
             text-anchor=\"middle\">{}</text>",
            r.cx(),
            line.size,
            text(&line.text)
        );
        top += line.height();
    }
}

/// Text for an XML text node: escaped, without the control characters
/// that XML cannot hold at all.
fn text(s: &str) -> String {
    let kept: String = s
        .chars()
        .filter(|&c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect();
    esc(&kept)
}

/// One entry of the legend.
enum Item {
    Swatch(&'static str, &'static str, &'static str),
    Dashed(&'static str),
    Dotted(&'static str),
    Words(&'static str),
}

const SWATCH: f64 = 18.0;
const LEGEND_SIZE: f64 = 12.0;

impl Item {
    fn words(&self) -> TextLine {
        let w = match self {
            Item::Swatch(.., w) | Item::Dashed(w) | Item::Dotted(w) | Item::Words(w) => w,
        };
        TextLine::new(*w, LEGEND_SIZE, false)
    }

    fn width(&self) -> f64 {
        let mark = if matches!(self, Item::Words(_)) {
            0.0
        } else {
            SWATCH + 6.0
        };
        mark + self.words().width() + 16.0
    }
}

/// Only what the diagram uses: utilisation colours, dashed dead letters.
fn legend_items(t: &Topology) -> Vec<Item> {
    let mut items = Vec::new();
    if t.nodes.iter().any(|n| n.utilization.is_some()) {
        items.extend([
            Item::Words("utilisation:"),
            Item::Swatch("#e5f4e3", "#2e7d32", "below 70%"),
            Item::Swatch("#fff1d2", "#d98200", "70–90%"),
            Item::Swatch("#fde0dc", RED, "90% and over"),
        ]);
    }
    if t.edges.iter().any(|e| e.kind == EdgeKind::DeadLetter) {
        items.push(Item::Dashed("to a dead-letter queue"));
    }
    if t.edges.iter().any(|e| e.kind == EdgeKind::Use) {
        items.push(Item::Dotted(
            "holds a shared resource (acquires granted per second)",
        ));
    }
    items
}

fn draw_legend(s: &mut String, items: &[Item], top: f64) {
    if items.is_empty() {
        return;
    }
    s.push_str("<g class=\"legend\">");
    let (mut x, mid) = (MARGIN, top + LEGEND_H / 2.0);
    for item in items {
        match item {
            Item::Swatch(fill, border, _) => {
                let _ = write!(
                    s,
                    "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{SWATCH}\" height=\"12\" rx=\"3\" \
                     fill=\"{fill}\" stroke=\"{border}\" stroke-width=\"1.5\"/>",
                    mid - 6.0
                );
                x += SWATCH + 6.0;
            }
            Item::Dashed(_) => {
                let _ = write!(
                    s,
                    "<path d=\"M{x:.1},{mid:.1} h{SWATCH}\" stroke=\"{RED}\" stroke-width=\"1.8\" \
                     stroke-dasharray=\"5 3\"/>"
                );
                x += SWATCH + 6.0;
            }
            Item::Dotted(_) => {
                let _ = write!(
                    s,
                    "<path d=\"M{x:.1},{mid:.1} h{SWATCH}\" stroke=\"{BROWN}\" stroke-width=\"1.8\" \
                     stroke-dasharray=\"2 4\" stroke-linecap=\"round\"/>"
                );
                x += SWATCH + 6.0;
            }
            Item::Words(_) => {}
        }
        let words = item.words();
        let _ = write!(
            s,
            "<text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"{LEGEND_SIZE}\" fill=\"#555\">{}</text>",
            mid + 0.36 * LEGEND_SIZE,
            text(&words.text)
        );
        x += words.width() + 16.0;
    }
    s.push_str("</g>\n");
}
