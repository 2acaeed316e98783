//! Where the boxes, arrows and labels go, once `layers` has ordered them.
//!
//! Boxes are sized to their text and centred on their layer's column; each
//! moves toward the height of its neighbours, keeping its layer's order. The
//! gap between two columns is as wide as the widest label placed in it (and
//! wider where edges climb far). Edges curve only in the gaps and run
//! straight through columns, so they never cross a box; several edges on one
//! side of a box leave it at ports spread along that side. A label sits on
//! its edge's middle gap: beside the arrowhead where its source fans out,
//! beside the source where edges fan in, else halfway, or at the first of
//! those places that covers no box and no other label.
//!
//! Back edges (closing a cycle) leave the source's right side, run under
//! the diagram in a channel of their own and enter the target's left side.

use std::cmp::Ordering;

use super::geometry::{Layout, Leg, Point, Rect, Route, curve_at};
use super::layers::{Graph, layered};
use super::{TextLine, TopoKind, TopoNode, Topology, edge_lines, node_lines};

/// Radius of a back edge's turns, and its distance from the boxes.
pub(super) const TURN: f64 = 16.0;
pub(super) const MARGIN: f64 = 24.0;
const MIN_GAP: f64 = 88.0;
/// Room in a gap beside its widest label: for the arrowhead, and to move
/// the label along its edge.
const LABEL_ROOM: f64 = 48.0;
/// Length of an arrowhead.
pub(super) const ARROW: f64 = 12.0;
/// The width of a curve beside a fan's labels, at least.
const FAN_CURVE: f64 = 50.0;
/// A curve is never narrower than this (else it has no straight run).
const MIN_CURVE: f64 = 36.0;
/// A gap is at least this share of the height its legs climb.
const CLIMB: f64 = 0.45;
const V_GAP: f64 = 36.0;
const PAD_X: f64 = 14.0;
const PAD_Y: f64 = 8.0;
const MIN_BOX_W: f64 = 96.0;
/// Distance between back-edge channels (a label's height and some).
const CHANNEL: f64 = 46.0;
const PASSES: usize = 4;

/// Extra room at the top of a bottleneck's box, under its tag.
pub(super) const TAG_ROOM: f64 = 6.0;
/// Half the height of a resource cylinder's rim ellipses.
pub(super) const CAP: f64 = 7.0;

/// A node's box size: its lines of text, and room for its tag.
fn box_size(n: &TopoNode) -> (f64, f64) {
    let lines = node_lines(n);
    let w = lines.iter().map(TextLine::width).fold(0.0, f64::max);
    let h: f64 = lines.iter().map(TextLine::height).sum();
    let tag = if n.bottleneck { TAG_ROOM } else { 0.0 };
    // A cylinder's top and bottom rims take room above and below the text.
    let rims = if n.kind == TopoKind::Resource {
        3.0 * CAP
    } else {
        0.0
    };
    (
        (w + 2.0 * PAD_X).max(MIN_BOX_W).ceil(),
        (h + 2.0 * PAD_Y + tag + rims).ceil(),
    )
}

/// A label's background size for its lines of text.
pub(super) fn label_size(lines: &[TextLine]) -> (f64, f64) {
    let w = lines.iter().map(TextLine::width).fold(0.0, f64::max);
    let h: f64 = lines.iter().map(TextLine::height).sum();
    ((w + 10.0).ceil(), (h + 4.0).ceil())
}

pub(super) fn layout(t: &Topology) -> Layout {
    let n = t.nodes.len();
    let (g, back, order) = layered(t, t.nodes.iter().map(box_size).collect());
    let y = rows(&g, &order);
    let columns = columns(t, &g, &order, &y, back.iter().any(|&b| b));
    let boxes: Vec<Rect> = (0..n)
        .map(|v| Rect::around((columns.centre(g.layer[v]), y[v]), g.size[v]))
        .collect();
    let routes = routes(t, &g, &boxes, &columns, &y, &back);
    let labels = labels(t, &g, &routes, &boxes);
    let rects = boxes.iter().chain(labels.iter().flatten());
    let right = rects.clone().map(Rect::right).fold(0.0, f64::max);
    let bottom = rects.map(Rect::bottom).fold(0.0, f64::max);
    let lowest = routes.iter().flatten().filter_map(|r| match r {
        Route::Back { down, low, .. } => Some((*down, *low)),
        Route::Forward { .. } => None,
    });
    let (right, bottom) = lowest.fold((right, bottom), |(r, b), (x, y)| (r.max(x), b.max(y)));
    Layout {
        width: (right + MARGIN).ceil(),
        height: (bottom + MARGIN).ceil(),
        boxes,
        routes,
        labels,
    }
}

/// The left and right x of each layer's column.
struct Columns {
    left: Vec<f64>,
    right: Vec<f64>,
}

impl Columns {
    fn centre(&self, layer: usize) -> f64 {
        (self.left[layer] + self.right[layer]) / 2.0
    }
}

/// Each layer's column, as wide as its widest box. The gap after a column
/// fits the widest label that sits in it with room to move along its edge,
/// and is wider where legs climb far, so that they do not turn steeply.
fn columns(t: &Topology, g: &Graph, order: &[Vec<usize>], y: &[f64], cycles: bool) -> Columns {
    let mut gaps = vec![MIN_GAP; order.len()];
    for (e, chain) in t.edges.iter().zip(&g.chains) {
        if chain.len() >= 2 {
            let k = label_leg(chain);
            let label = label_size(&edge_lines(e)).0;
            let need = match fan(g, chain) {
                // A straight run for the label, then a curve.
                Ordering::Greater | Ordering::Less => {
                    let climb = (y[chain[k]] - y[chain[k + 1]]).abs();
                    label + ARROW + 12.0 + (CLIMB * climb).max(FAN_CURVE)
                }
                Ordering::Equal => label + LABEL_ROOM,
            };
            let gap = &mut gaps[g.layer[chain[k]]];
            *gap = gap.max(need);
        }
        for leg in chain.windows(2) {
            let climb = (y[leg[0]] - y[leg[1]]).abs();
            let gap = &mut gaps[g.layer[leg[0]]];
            *gap = gap.max(CLIMB * climb);
        }
    }
    // Back edges turn up left of their target's column.
    let mut at = MARGIN + if cycles { 2.0 * TURN } else { 0.0 };
    let (mut left, mut right) = (Vec::new(), Vec::new());
    for (layer, gap) in order.iter().zip(gaps) {
        let w = layer.iter().map(|&v| g.size[v].0).fold(0.0, f64::max);
        left.push(at);
        right.push(at + w);
        at += w + gap;
    }
    Columns { left, right }
}

/// The leg of a chain that carries the label: the middle one (a chain of
/// k vertices has k - 1 legs).
fn label_leg(chain: &[usize]) -> usize {
    (chain.len() - 2) / 2
}

/// Each vertex's y (centre): stacked in order, then moved toward the mean
/// height of its neighbours, sweeping up and down, ending downward so the
/// flow from the sources reads straight.
fn rows(g: &Graph, order: &[Vec<usize>]) -> Vec<f64> {
    let mut y = vec![0.0; g.layer.len()];
    for layer in order {
        let mut at = 0.0;
        for (i, &v) in layer.iter().enumerate() {
            if i > 0 {
                at += separation(g, layer[i - 1], v);
            }
            y[v] = at;
        }
    }
    for _ in 0..PASSES {
        let last = order.len().saturating_sub(1);
        for layer in order[..last].iter().rev() {
            align(g, layer, &g.succs, &mut y);
        }
        for layer in order.iter().skip(1) {
            align(g, layer, &g.preds, &mut y);
        }
    }
    let top = (0..y.len())
        .map(|v| y[v] - g.size[v].1 / 2.0)
        .fold(f64::INFINITY, f64::min);
    y.iter().map(|c| c - top + MARGIN).collect()
}

/// Distance between the centres of two vertices one above the other.
fn separation(g: &Graph, a: usize, b: usize) -> f64 {
    let gap = match (g.is_dummy(a), g.is_dummy(b)) {
        (true, true) => 10.0,
        (false, false) => V_GAP,
        _ => V_GAP / 2.0,
    };
    (g.size[a].1 + g.size[b].1) / 2.0 + gap
}

/// Moves a layer's vertices toward their neighbours' mean height, keeping
/// their order and separation: packed from the top, then shifted as a block
/// by the mean of what each wanted.
fn align(g: &Graph, layer: &[usize], nbrs: &[Vec<usize>], y: &mut [f64]) {
    let want: Vec<f64> = layer
        .iter()
        .map(|&v| match nbrs[v].len() {
            0 => y[v],
            k => nbrs[v].iter().map(|&u| y[u]).sum::<f64>() / k as f64,
        })
        .collect();
    let mut at = want.clone();
    for i in 1..layer.len() {
        at[i] = at[i].max(at[i - 1] + separation(g, layer[i - 1], layer[i]));
    }
    let shift = want.iter().zip(&at).map(|(w, a)| w - a).sum::<f64>() / layer.len().max(1) as f64;
    for (&v, a) in layer.iter().zip(&at) {
        y[v] = a + shift;
    }
}

/// Each edge's route. Several edges on one side of a box leave (or enter)
/// at ports spread along it, in the order of where they go, so they do not
/// cross at the box; back edges take the lowest ports.
fn routes(
    t: &Topology,
    g: &Graph,
    boxes: &[Rect],
    columns: &Columns,
    y: &[f64],
    back: &[bool],
) -> Vec<Option<Route>> {
    let n = boxes.len();
    let (mut outs, mut ins) = (vec![Vec::new(); n], vec![Vec::new(); n]);
    for (i, (e, chain)) in t.edges.iter().zip(&g.chains).enumerate() {
        if let (&[first, second, ..], &[.., before, last]) = (&chain[..], &chain[..]) {
            outs[first].push((y[second], i));
            ins[last].push((y[before], i));
        } else if back[i] {
            outs[e.from].push((f64::INFINITY, i));
            ins[e.to].push((f64::INFINITY, i));
        }
    }
    let port_out = ports(&mut outs, boxes, t.edges.len());
    let port_in = ports(&mut ins, boxes, t.edges.len());
    let floor = (0..y.len())
        .map(|v| y[v] + g.size[v].1 / 2.0)
        .fold(0.0, f64::max);
    let mut channel = 0;
    (0..t.edges.len())
        .map(|i| {
            let (e, chain) = (&t.edges[i], &g.chains[i]);
            if chain.is_empty() && !back[i] {
                return None; // its ends are not nodes
            }
            let from = (boxes[e.from].right(), port_out[i]);
            let to = (boxes[e.to].x, port_in[i]);
            if chain.len() >= 2 {
                let last = chain.len() - 2;
                let label = label_size(&edge_lines(e)).0;
                let legs = chain
                    .windows(2)
                    .enumerate()
                    .map(|(k, w)| {
                        let y0 = if k == 0 { from.1 } else { y[w[0]] };
                        let y1 = if k == last { to.1 } else { y[w[1]] };
                        let l = g.layer[w[0]];
                        let (x0, x1) = (columns.right[l], columns.left[l + 1]);
                        let fan = if k == label_leg(chain) {
                            fan(g, chain)
                        } else {
                            Ordering::Equal
                        };
                        Leg {
                            from: (x0, y0),
                            to: (x1, y1),
                            bend: bend((x0, x1), fan, label),
                        }
                    })
                    .collect();
                Some(Route::Forward { from, legs, to })
            } else {
                channel += 1;
                Some(Route::Back {
                    from,
                    to,
                    down: columns.right[g.layer[e.from]] + TURN,
                    up: columns.left[g.layer[e.to]] - TURN,
                    low: floor + CHANNEL * channel as f64 - CHANNEL / 3.0,
                })
            }
        })
        .collect()
}

/// Whether the label leg of a chain leaves a box with more edges than
/// enter its other end (`Greater`: a fan-out), fewer (a fan-in) or as many.
fn fan(g: &Graph, chain: &[usize]) -> Ordering {
    let k = label_leg(chain);
    g.succs[chain[k]].len().cmp(&g.preds[chain[k + 1]].len())
}

/// Where a leg from x0 to x1 curves: in a fan-out, before a straight run
/// that holds the label beside the arrowhead; in a fan-in, after a straight
/// run beside the source; else all along. Never steeper than `MIN_CURVE`.
fn bend((x0, x1): (f64, f64), fan: Ordering, label: f64) -> (f64, f64) {
    let (b0, b1) = match fan {
        Ordering::Greater => (x0, x1 - label - ARROW - 10.0),
        Ordering::Less => (x0 + label + 12.0, x1),
        Ordering::Equal => (x0, x1),
    };
    if b1 - b0 >= MIN_CURVE {
        (b0, b1)
    } else {
        (x0, x1)
    }
}

/// The y of each edge's port on one side of its box (by edge index).
fn ports(sides: &mut [Vec<(f64, usize)>], boxes: &[Rect], edges: usize) -> Vec<f64> {
    let mut port = vec![0.0; edges];
    for (side, b) in sides.iter_mut().zip(boxes) {
        side.sort_by(|p, q| p.0.total_cmp(&q.0).then(p.1.cmp(&q.1)));
        let k = side.len() as f64;
        let step = if k > 1.0 {
            (b.h * 0.7 / (k - 1.0)).min(14.0)
        } else {
            0.0
        };
        for (j, &(_, i)) in side.iter().enumerate() {
            port[i] = b.y + b.h / 2.0 + (j as f64 - (k - 1.0) / 2.0) * step;
        }
    }
    port
}

/// Each edge's label: on its middle leg, at the first place along it that
/// covers no box and no label placed before it.
fn labels(t: &Topology, g: &Graph, routes: &[Option<Route>], boxes: &[Rect]) -> Vec<Option<Rect>> {
    let mut placed: Vec<Rect> = Vec::new();
    let mut out = Vec::new();
    for (i, route) in routes.iter().enumerate() {
        let size = label_size(&edge_lines(&t.edges[i]));
        let candidates: Vec<Point> = match route {
            None => {
                out.push(None);
                continue;
            }
            Some(Route::Forward { legs, .. }) => {
                let chain = &g.chains[i];
                let leg = legs[label_leg(chain)];
                let near_target = leg.at_x(leg.to.0 - ARROW - 8.0 - size.0 / 2.0);
                let near_source = leg.at_x(leg.from.0 + 6.0 + size.0 / 2.0);
                let (p0, p1) = leg.curve();
                let middle = curve_at(p0, p1, 0.5);
                match fan(g, chain) {
                    Ordering::Greater => vec![near_target, middle, near_source],
                    Ordering::Less => vec![near_source, middle, near_target],
                    Ordering::Equal => vec![middle, near_target, near_source],
                }
            }
            Some(Route::Back { down, up, low, .. }) => vec![((down + up) / 2.0, *low)],
        };
        // Clear of the boxes and of the arrowheads at their left sides.
        let free = |r: &Rect| {
            boxes.iter().all(|b| !b.with_arrow().grown(4.0).overlaps(r))
                && placed.iter().all(|p| !p.grown(2.0).overlaps(r))
        };
        let rects: Vec<Rect> = candidates.iter().map(|&c| Rect::around(c, size)).collect();
        let rect = rects.iter().copied().find(free).unwrap_or(rects[0]);
        placed.push(rect);
        out.push(Some(rect));
    }
    out
}
