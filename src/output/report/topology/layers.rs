//! The layers of a topology and the order within each (the first half of
//! a Sugiyama layout; `layout` places what this orders).
//!
//! A depth-first search from the sources marks the edges that close a
//! cycle ("back edges"); the rest form a DAG, so layering terminates. Each
//! node's layer is its longest path from a source; an edge that spans
//! several layers passes through one dummy vertex per layer crossed. Each
//! layer is ordered by the barycenter of its neighbours, sweeping down and
//! up, keeping the order with the fewest crossings.

use super::Topology;

/// Height of the slot a long edge takes in a layer it crosses.
const DUMMY_H: f64 = 20.0;
/// Barycenter sweeps, alternately down and up.
const SWEEPS: usize = 8;

/// The layered graph, its back edges and the order of each layer.
pub(super) fn layered(t: &Topology, sizes: Vec<(f64, f64)>) -> (Graph, Vec<bool>, Vec<Vec<usize>>) {
    let n = t.nodes.len();
    let valid: Vec<bool> = t.edges.iter().map(|e| e.from < n && e.to < n).collect();
    let (back, post) = depth_first(t, &valid);
    let layer = layers(t, &valid, &back, &post);
    let g = Graph::new(t, sizes, &layer, &valid, &back);
    let order = order(&g);
    (g, back, order)
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
pub(super) struct Graph {
    /// Vertices from this index on are dummies.
    nodes: usize,
    /// Each vertex's layer.
    pub layer: Vec<usize>,
    /// Each vertex's size, px (a dummy's is a slot with no width).
    pub size: Vec<(f64, f64)>,
    pub preds: Vec<Vec<usize>>,
    pub succs: Vec<Vec<usize>>,
    /// Per edge, its vertices from source to target; empty for a back edge
    /// or an invalid one.
    pub chains: Vec<Vec<usize>>,
}

impl Graph {
    fn new(
        t: &Topology,
        size: Vec<(f64, f64)>,
        layer: &[usize],
        valid: &[bool],
        back: &[bool],
    ) -> Graph {
        let n = t.nodes.len();
        let mut g = Graph {
            nodes: n,
            layer: layer.to_vec(),
            size,
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

    pub fn is_dummy(&self, v: usize) -> bool {
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
    for sweep in 0..SWEEPS {
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
