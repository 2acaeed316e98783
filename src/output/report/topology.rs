//! The network of a scenario drawn for `report.html`: producers, queues,
//! topics and fleets as boxes, shared resources as cylinders, left to right
//! in the direction messages flow, edges labelled with their mean rates,
//! each fleet's and resource's utilisation as a colour and a percentage,
//! the bottleneck marked.
//!
//! Contract: [`svg`] is a pure function of a [`Topology`] to one `<svg>`
//! element (plain SVG, no scripts, no external fonts or images) to inline in
//! the report. The same input gives the same bytes. All text is XML-escaped,
//! so the element parses as XML whatever the names. Any graph terminates:
//! edges that close a cycle are drawn as curves under the diagram, and edges
//! whose ends are not nodes are left out.
//!
//! `layers` breaks cycles, layers the nodes by longest path and orders each
//! layer by barycenter; `layout` sizes the boxes to their text and places
//! boxes, edges and labels; `draw` writes the SVG.

mod draw;
mod geometry;
mod layers;
mod layout;
#[cfg(test)]
mod tests;

/// A network to draw: nodes, and edges between them by index.
#[derive(Clone, Debug, Default)]
pub struct Topology {
    /// The boxes.
    pub nodes: Vec<TopoNode>,
    /// The arrows; `from` and `to` index `nodes`.
    pub edges: Vec<TopoEdge>,
}

/// One box.
#[derive(Clone, Debug)]
pub struct TopoNode {
    /// Its name, e.g. "orders".
    pub label: String,
    /// What it is (its colour and the word above the name).
    pub kind: TopoKind,
    /// A line under the name, e.g. "20 consumers" or "visible mean 1,234".
    pub detail: Option<String>,
    /// Busy share in 0..1 (fleets): shown as a percentage and as the box's
    /// colour (calm below 0.7, warm below 0.9, hot from 0.9).
    pub utilization: Option<f64>,
    /// The node that limits the network: a thick red border and a tag.
    pub bottleneck: bool,
}

/// What a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TopoKind {
    /// Sends messages into the network.
    Producer,
    /// A queue (SQS-like).
    Queue,
    /// A topic (SNS-like fan-out).
    Topic,
    /// The consumers of a queue.
    Fleet,
    /// A shared resource (a database's connections): drawn as a cylinder.
    Resource,
}

/// One arrow.
#[derive(Clone, Debug)]
pub struct TopoEdge {
    /// Index of the node it leaves.
    pub from: usize,
    /// Index of the node it enters.
    pub to: usize,
    /// Mean rate, messages per second, shown as e.g. "40.0/s".
    pub rate: f64,
    /// A second line under the rate, e.g. "p 0.3" or "filter 30%".
    pub note: Option<String>,
    /// What flows along it.
    pub kind: EdgeKind,
}

/// What an edge carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    /// Producer to queue or topic.
    Send,
    /// Queue to its fleet.
    Deliver,
    /// Fleet to the queue or topic it emits to.
    Emit,
    /// Topic to a subscriber queue.
    Subscribe,
    /// Queue to its dead-letter queue (drawn dashed).
    DeadLetter,
    /// Fleet to a resource it holds (drawn brown, dotted).
    Use,
}

/// The topology as one `<svg>` element.
pub fn svg(t: &Topology) -> String {
    draw::svg(t, &layout::layout(t))
}

/// Font sizes, px, of the texts drawn.
const KIND_SIZE: f64 = 11.0;
const LABEL_SIZE: f64 = 15.0;
const DETAIL_SIZE: f64 = 12.5;
const RATE_SIZE: f64 = 13.0;
const NOTE_SIZE: f64 = 12.0;
/// Height of a line of text, in font sizes.
const LEADING: f64 = 1.3;

/// One line of text in a box or an edge label.
#[derive(Clone, Debug, PartialEq)]
struct TextLine {
    text: String,
    size: f64,
    bold: bool,
    /// The kind word is spaced out in capitals.
    caps: bool,
}

impl TextLine {
    fn new(text: impl Into<String>, size: f64, bold: bool) -> TextLine {
        TextLine {
            text: text.into(),
            size,
            bold,
            caps: false,
        }
    }

    /// Estimated width, px: the browser's font is unknown, so each character
    /// counts by its class in DejaVu Sans (one of the widest sans fonts),
    /// which errs on the side of room.
    fn width(&self) -> f64 {
        let em: f64 = self.text.chars().map(char_em).sum();
        let spacing = if self.caps { 0.08 } else { 0.0 };
        let bold = if self.bold { 1.1 } else { 1.0 };
        self.size * (em * bold + spacing * self.text.chars().count() as f64)
    }

    fn height(&self) -> f64 {
        self.size * LEADING
    }
}

/// Width of a character in em (DejaVu Sans, rounded up).
fn char_em(c: char) -> f64 {
    match c {
        'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | ' ' => 0.32,
        'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '-' | '/' => 0.42,
        'm' | 'w' | 'M' | 'W' | '%' | '@' => 0.95,
        c if c.is_ascii_uppercase() => 0.74,
        c if c.is_ascii_digit() => 0.64,
        c if c.is_ascii() => 0.62,
        // Wide scripts and symbols.
        _ => 1.0,
    }
}

/// The lines of a node's box, top to bottom.
fn node_lines(n: &TopoNode) -> Vec<TextLine> {
    let kind = match n.kind {
        TopoKind::Producer => "PRODUCER",
        TopoKind::Queue => "QUEUE",
        TopoKind::Topic => "TOPIC",
        TopoKind::Fleet => "FLEET",
        TopoKind::Resource => "RESOURCE",
    };
    let mut lines = vec![
        TextLine {
            caps: true,
            ..TextLine::new(kind, KIND_SIZE, false)
        },
        TextLine::new(n.label.clone(), LABEL_SIZE, true),
    ];
    if let Some(d) = &n.detail {
        lines.push(TextLine::new(d.clone(), DETAIL_SIZE, false));
    }
    if let Some(u) = n.utilization {
        lines.push(TextLine::new(
            format!("utilisation {}", percent(u)),
            DETAIL_SIZE,
            true,
        ));
    }
    lines
}

/// The lines of an edge's label: the rate, then the note.
fn edge_lines(e: &TopoEdge) -> Vec<TextLine> {
    let mut lines = vec![TextLine::new(rate(e.rate), RATE_SIZE, true)];
    if let Some(note) = &e.note {
        lines.push(TextLine::new(note.clone(), NOTE_SIZE, false));
    }
    lines
}

/// How busy a share reads: calm, warm or hot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Heat {
    Calm,
    Warm,
    Hot,
}

fn heat(u: f64) -> Heat {
    if u >= 0.9 {
        Heat::Hot
    } else if u >= 0.7 {
        Heat::Warm
    } else {
        Heat::Calm
    }
}

/// A rate as an edge shows it: "40.0/s", "1,230/s", "0.500/s".
fn rate(v: f64) -> String {
    format!("{}/s", significant(v))
}

/// A share as a whole percentage ("85%"), with one decimal below 10%.
fn percent(u: f64) -> String {
    if !u.is_finite() {
        return "–".into();
    }
    let p = u * 100.0;
    if p != 0.0 && p.abs() < 10.0 {
        format!("{p:.1}%")
    } else {
        format!("{p:.0}%")
    }
}

/// `v` to 3 significant digits, thousands separated by commas.
fn significant(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    if v == 0.0 {
        return "0".into();
    }
    // Round first, so that 999.7 counts as the 4 digits of "1,000".
    let magnitude = |x: f64| x.abs().log10().floor() as i32;
    let step = 10f64.powi(magnitude(v) - 2);
    let rounded = (v / step).round() * step;
    let decimals = (2 - magnitude(rounded)).max(0) as usize;
    let text = format!("{rounded:.decimals$}");
    let (int, frac) = text.split_at(text.find('.').unwrap_or(text.len()));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}{frac}")
}
