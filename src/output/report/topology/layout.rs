//! Where the boxes, arrows and labels go (a small Sugiyama layout).
//!
//! 1. A depth-first search from the sources marks the edges that close a
//!    cycle ("back edges"); the rest form a DAG, so everything terminates.
//! 2. Each node's layer is its longest path from a source; an edge that
//!    spans several layers passes through one dummy vertex per layer, which
//!    keeps it off the boxes it passes.
//! 3. Vertices are ordered within their layer by the barycenter of their
//!    neighbours, sweeping down and up, keeping the order with the fewest
//!    crossings; then each vertex moves toward its neighbours' height.
//! 4. Boxes are sized to their text; the gap after a layer is as wide as the
//!    widest label placed in it. A label sits on its edge's middle leg,
//!    moved along the leg if it would cover a box or another label.
//!
//! Back edges are not layered: they leave the source's right side, run
//! under the diagram in their own channel and enter the target's left side.

use super::{TextLine, TopoNode, Topology, edge_lines, node_lines};

/// A point, px.
pub(super) type Point = (f64, f64);

/// A rectangle, px: top-left corner and size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    fn around((cx, cy): Point, (w, h): (f64, f64)) -> Rect {
        Rect {
            x: cx - w / 2.0,
            y: cy - h / 2.0,
            w,
            h,
        }
    }

    pub fn right(&self) -> f64 {
        self.x + self.w
    }

    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }

    pub fn cx(&self) -> f64 {
        self.x + self.w / 2.0
    }

    /// Whether the two share any area.
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.right() && o.x < self.right() && self.y < o.bottom() && o.y < self.bottom()
    }

    fn grown(&self, d: f64) -> Rect {
        Rect {
            x: self.x - d,
            y: self.y - d,
            w: self.w + 2.0 * d,
            h: self.h + 2.0 * d,
        }
    }
}

/// How an edge is drawn.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Route {
    /// Left to right through these points; each leg leaves and enters
    /// horizontally (an S-curve), so the arrow points right.
    Forward(Vec<Point>),
    /// A cycle's closing edge: out of the source's right side, down to
    /// `low`, left under the diagram, up and into the target's left side.
    Back { from: Point, to: Point, low: f64 },
}

/// Everything placed.
#[derive(Clone, Debug)]
pub(super) struct Layout {
    pub width: f64,
    pub height: f64,
    /// One per node.
    pub boxes: Vec<Rect>,
    /// One per edge; `None` for an edge whose ends are not nodes.
    pub routes: Vec<Option<Route>>,
    /// One per edge: its label's background.
    pub labels: Vec<Option<Rect>>,
}

/// Radius of a back edge's turns, and its distance from the boxes.
pub(super) const TURN: f64 = 16.0;
pub(super) const MARGIN: f64 = 24.0;
const MIN_GAP: f64 = 88.0;
/// Room beside the widest label of a gap, so it can slide along its edge.
const LABEL_ROOM: f64 = 44.0;
const V_GAP: f64 = 36.0;
const DUMMY_H: f64 = 20.0;
const PAD_X: f64 = 14.0;
const PAD_Y: f64 = 8.0;
const MIN_BOX_W: f64 = 96.0;
/// Distance between back-edge channels (a label's height and some).
const CHANNEL: f64 = 46.0;
const PASSES: usize = 4;

/// Extra room at the top of a bottleneck's box, under its tag.
pub(super) const TAG_ROOM: f64 = 6.0;

/// A node's box size: its lines of text, and room for its tag.
fn box_size(n: &TopoNode) -> (f64, f64) {
    let lines = node_lines(n);
    let w = lines.iter().map(TextLine::width).fold(0.0, f64::max);
    let h: f64 = lines.iter().map(TextLine::height).sum();
    let tag = if n.bottleneck { TAG_ROOM } else { 0.0 };
    (
        (w + 2.0 * PAD_X).max(MIN_BOX_W).ceil(),
        (h + 2.0 * PAD_Y + tag).ceil(),
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
    let valid: Vec<bool> = t.edges.iter().map(|e| e.from < n && e.to < n).collect();
    let (back, post) = depth_first(t, &valid);
    let layer = layers(t, &valid, &back, &post);
    let g = Graph::new(t, &layer, &valid, &back);
    let order = order(&g);
    let x = columns(t, &g, &order, back.iter().any(|&b| b));
    let y = rows(&g, &order);
    let boxes: Vec<Rect> = (0..n)
        .map(|v| Rect::around((x[v], y[v]), g.size[v]))
        .collect();
    let routes = routes(t, &g, &boxes, (&x, &y), &back);
    let labels = labels(t, &g, &routes, &boxes);
    let rects = boxes.iter().chain(labels.iter().flatten());
    let right = rects.clone().map(Rect::right).fold(0.0, f64::max);
    let bottom = rects.map(Rect::bottom).fold(0.0, f64::max);
    let lowest = routes.iter().flatten().filter_map(|r| match r {
        Route::Back { from, low, .. } => Some((from.0 + TURN, *low)),
        Route::Forward(_) => None,
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

/// Which edges close a cycle, and the nodes in depth-first postorder.
/// The search starts from the nodes nothing enters, in index order, so a
/// pipeline's edges all point forward.
fn depth_first(t: &Topology, valid: &[bool]) -> (Vec<bool>, Vec<usize>) {
    let n = t.nodes.len();
    let mut out = vec![Vec::new(); n];
    let mut entered = vec![false; n];
    for (i, e) in t.edges.iter().enumerate().filter(|(i, _)| valid[*i]) {
        out[e.from].push(i);
        entered[e.to] |= e.from != e.to;
    }
    let (mut state, mut back, mut post) = (vec![0u8; n], vec![false; t.edges.len()], Vec::new());
    let roots = (0..n).filter(|&v| !entered[v]).chain(0..n);
    for root in roots {
        if state[root] != 0 {
            continue;
        }
        state[root] = 1;
        let mut stack = vec![(root, 0usize)];
        while let Some((v, next)) = stack.last_mut() {
            let v = *v;
            let Some(&e) = out[v].get(*next) else {
                state[v] = 2;
                post.push(v);
                stack.pop();
                continue;
            };
            *next += 1;
            let w = t.edges[e].to;
            match state[w] {
                0 => {
                    state[w] = 1;
                    stack.push((w, 0));
                }
                1 => back[e] = true,
                _ => {}
            }
        }
    }
    (back, post)
}

/// Each node's layer: its longest path from a source over forward edges
/// (reverse postorder is a topological order of those).
fn layers(t: &Topology, valid: &[bool], back: &[bool], post: &[usize]) -> Vec<usize> {
    let mut layer = vec![0usize; t.nodes.len()];
    for &v in post.iter().rev() {
        for (i, e) in t.edges.iter().enumerate() {
            if valid[i] && !back[i] && e.from == v {
                layer[e.to] = layer[e.to].max(layer[v] + 1);
            }
        }
    }
    layer
}

/// The layered graph: the nodes, then the dummy vertices of long edges.
struct Graph {
    /// Vertices from this index on are dummies.
    nodes: usize,
    layer: Vec<usize>,
    size: Vec<(f64, f64)>,
    preds: Vec<Vec<usize>>,
    succs: Vec<Vec<usize>>,
    /// Per edge, its vertices from source to target; empty for a back edge
    /// or an invalid one.
    chains: Vec<Vec<usize>>,
}

impl Graph {
    fn new(t: &Topology, layer: &[usize], valid: &[bool], back: &[bool]) -> Graph {
        let n = t.nodes.len();
        let mut g = Graph {
            nodes: n,
            layer: layer.to_vec(),
            size: t.nodes.iter().map(box_size).collect(),
            preds: vec![Vec::new(); n],
            succs: vec![Vec::new(); n],
            chains: Vec::new(),
        };
        for (i, e) in t.edges.iter().enumerate() {
            if !valid[i] || back[i] {
                g.chains.push(Vec::new());
                continue;
            }
            let mut chain = vec![e.from];
            for l in layer[e.from] + 1..layer[e.to] {
                g.layer.push(l);
                g.size.push((0.0, DUMMY_H));
                g.preds.push(Vec::new());
                g.succs.push(Vec::new());
                chain.push(g.layer.len() - 1);
            }
            chain.push(e.to);
            for w in chain.windows(2) {
                g.succs[w[0]].push(w[1]);
                g.preds[w[1]].push(w[0]);
            }
            g.chains.push(chain);
        }
        g
    }

    fn is_dummy(&self, v: usize) -> bool {
        v >= self.nodes
    }
}

/// The vertices of each layer, top to bottom.
fn order(g: &Graph) -> Vec<Vec<usize>> {
    let depth = g.layer.iter().max().map_or(0, |&l| l + 1);
    let mut layers = vec![Vec::new(); depth];
    for (v, &l) in g.layer.iter().enumerate() {
        layers[l].push(v);
    }
    let (mut best, mut fewest) = (layers.clone(), crossings(g, &layers));
    for sweep in 0..8 {
        if sweep % 2 == 0 {
            for l in 1..depth {
                by_barycenter(&mut layers, l, l - 1, &g.preds);
            }
        } else {
            for l in (0..depth.saturating_sub(1)).rev() {
                by_barycenter(&mut layers, l, l + 1, &g.succs);
            }
        }
        let c = crossings(g, &layers);
        if c < fewest {
            (best, fewest) = (layers.clone(), c);
        }
    }
    best
}

/// Sorts layer `l` by the mean position of each vertex's neighbours in
/// layer `other`; a vertex without any keeps its place.
fn by_barycenter(layers: &mut [Vec<usize>], l: usize, other: usize, nbrs: &[Vec<usize>]) {
    let mut pos = vec![f64::NAN; nbrs.len()];
    for (i, &v) in layers[other].iter().enumerate() {
        pos[v] = i as f64;
    }
    let mut keyed: Vec<(f64, usize, usize)> = layers[l]
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let near: Vec<f64> = nbrs[v]
                .iter()
                .map(|&u| pos[u])
                .filter(|p| !p.is_nan())
                .collect();
            let key = if near.is_empty() {
                i as f64
            } else {
                near.iter().sum::<f64>() / near.len() as f64
            };
            (key, i, v)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    layers[l] = keyed.into_iter().map(|k| k.2).collect();
}

/// Pairs of edges that cross between adjacent layers.
fn crossings(g: &Graph, layers: &[Vec<usize>]) -> usize {
    let mut pos = vec![0usize; g.layer.len()];
    for layer in layers {
        for (i, &v) in layer.iter().enumerate() {
            pos[v] = i;
        }
    }
    let pos = &pos;
    let mut count = 0;
    for layer in layers {
        let legs: Vec<(usize, usize)> = layer
            .iter()
            .flat_map(|&v| g.succs[v].iter().map(move |&w| (pos[v], pos[w])))
            .collect();
        for (i, a) in legs.iter().enumerate() {
            count += legs[i + 1..]
                .iter()
                .filter(|b| (a.0 < b.0 && a.1 > b.1) || (a.0 > b.0 && a.1 < b.1))
                .count();
        }
    }
    count
}

/// Each vertex's x (its layer's centre line). The gap after a layer fits
/// the widest label that sits in it.
fn columns(t: &Topology, g: &Graph, order: &[Vec<usize>], cycles: bool) -> Vec<f64> {
    let mut gaps = vec![MIN_GAP; order.len()];
    for (e, chain) in t.edges.iter().zip(&g.chains) {
        if chain.len() >= 2 {
            let gap = g.layer[chain[0]] + label_leg(chain);
            gaps[gap] = gaps[gap].max(label_size(&edge_lines(e)).0 + LABEL_ROOM);
        }
    }
    // Back edges turn down left of their target's layer.
    let mut left = MARGIN + if cycles { 2.0 * TURN } else { 0.0 };
    let mut centre = Vec::with_capacity(order.len());
    for (l, layer) in order.iter().enumerate() {
        let w = layer.iter().map(|&v| g.size[v].0).fold(0.0, f64::max);
        centre.push(left + w / 2.0);
        left += w + gaps[l];
    }
    g.layer.iter().map(|&l| centre[l]).collect()
}

/// The leg of a chain that carries the label: the middle one.
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
        for l in (0..order.len().saturating_sub(1)).rev() {
            align(g, &order[l], &g.succs, &mut y);
        }
        for l in 1..order.len() {
            align(g, &order[l], &g.preds, &mut y);
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
    (x, y): (&[f64], &[f64]),
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
    let floor = boxes.iter().map(Rect::bottom).fold(0.0, f64::max);
    let floor = (0..x.len())
        .map(|v| y[v] + g.size[v].1 / 2.0)
        .fold(floor, f64::max);
    let mut channel = 0;
    (0..t.edges.len())
        .map(|i| {
            let e = &t.edges[i];
            let chain = &g.chains[i];
            if chain.len() >= 2 {
                let mut points = vec![(boxes[e.from].right(), port_out[i])];
                points.extend(chain[1..chain.len() - 1].iter().map(|&d| (x[d], y[d])));
                points.push((boxes[e.to].x, port_in[i]));
                Some(Route::Forward(points))
            } else if back[i] {
                channel += 1;
                Some(Route::Back {
                    from: (boxes[e.from].right(), port_out[i]),
                    to: (boxes[e.to].x, port_in[i]),
                    low: floor + CHANNEL * channel as f64 - CHANNEL / 3.0,
                })
            } else {
                None
            }
        })
        .collect()
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
            Some(Route::Forward(points)) => {
                let leg = label_leg(&g.chains[i]);
                let (p0, p1) = (points[leg], points[leg + 1]);
                [0.5, 0.38, 0.62, 0.26, 0.74]
                    .iter()
                    .map(|&s| leg_at(p0, p1, s))
                    .collect()
            }
            Some(Route::Back { from, to, low }) => vec![((from.0 + to.0) / 2.0, *low)],
        };
        let free = |r: &Rect| {
            boxes.iter().all(|b| !b.grown(4.0).overlaps(r))
                && placed.iter().all(|p| !p.grown(2.0).overlaps(r))
        };
        let rects: Vec<Rect> = candidates.iter().map(|&c| Rect::around(c, size)).collect();
        let rect = rects.iter().copied().find(free).unwrap_or(rects[0]);
        placed.push(rect);
        out.push(Some(rect));
    }
    out
}

/// The control points of a leg: it leaves and enters horizontally.
pub(super) fn controls(p0: Point, p1: Point) -> (Point, Point) {
    let dx = (p1.0 - p0.0) / 2.0;
    ((p0.0 + dx, p0.1), (p1.0 - dx, p1.1))
}

/// The point at parameter `s` of the leg from `p0` to `p1`.
fn leg_at(p0: Point, p1: Point, s: f64) -> Point {
    let (c0, c1) = controls(p0, p1);
    let r = 1.0 - s;
    let f = |a: f64, b: f64, c: f64, d: f64| {
        r * r * r * a + 3.0 * r * r * s * b + 3.0 * r * s * s * c + s * s * s * d
    };
    (f(p0.0, c0.0, c1.0, p1.0), f(p0.1, c0.1, c1.1, p1.1))
}
