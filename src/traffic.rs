//! The traffic equations of a network of queues: the mean rate into every
//! queue, and along every edge, without simulating. `mqsim check` prints
//! them; the report's topology diagram labels its edges with them.
//!
//! Contract: pure arithmetic on a validated [`Scenario`], deterministic, no
//! faults applied, means only. The arrival rate `λ_q` of queue `q` solves
//!
//! ```text
//! λ_q = ext_q + Σ_u out_u · (processed_u · Σ_emits p · reach(to, q) + dead_u · [dlq_u = q])
//! ```
//!
//! where `ext_q` is what producers send it (directly, or through a topic:
//! `reach(topic, q)` is the sum of `q`'s subscription filters), `out_u =
//! min(λ_u, capacity_u)` the messages queue `u` takes to their end (a queue
//! without consumers passes nothing on; an overloaded one passes on its
//! capacity), and `processed_u`, `dead_u` the shares of them processed
//! successfully and dead-lettered ([`crate::capacity::Fates`]). Left out:
//! duplicates (a message processed twice emits twice), the initial
//! backlogs (a transient, not a rate) and what expires.
//!
//! The equations are solved by Gauss-Seidel iteration from the external
//! rates, which rises to the fixed point because every outflow is capped.
//! A loop of queues whose gain (the spectral radius of the uncapped gain
//! matrix on it) is at least 1 never drains: each message that enters it
//! comes back at least once on average, so its flow grows until a fleet's
//! capacity caps it. [`Traffic::cycles`] names such loops.
//!
//! Shared resources: a fleet's capacity depends on what the other fleets
//! holding its resources ask of them, so the capacities are solved again
//! with every other fleet at its solved arrival rate (capped by its own
//! capacity; this fleet saturated), and the equations with them, until
//! no capacity moves ([`MAX_ROUNDS`]). Each resource's offered holds are
//! `Σ_q λ_q · holds a message_q`, its capacity the holds a second at
//! `min(capacity, consumers)` holders ([`crate::capacity::resources`]).
//!
//! The bottleneck is the most utilised of the queues (named by what
//! limits them: their fleet, a setting of the queue, or a resource) and
//! the resources (offered holds / capacity).

use serde::Serialize;

use crate::capacity::resources::{self, Demand, ResourceLoad};
use crate::capacity::{Binding, Capacity, Conditions, Fates, Station};
use crate::scenario::{Node, Scenario};

/// Iterations of the fixed-point solve, at most.
pub const MAX_ITERATIONS: u32 = 100_000;
/// The solve stops when no rate moves by more than this share of the
/// largest rate (or of 1 msg/s).
pub const TOLERANCE: f64 = 1e-12;
/// A loop whose gain is at least `1 - GAIN_SLACK` never drains.
const GAIN_SLACK: f64 = 1e-9;
/// Rounds of capacities and equations, at most, with shared resources.
pub const MAX_ROUNDS: u32 = 100;

/// The solved traffic of a scenario.
#[derive(Clone, Debug, Serialize)]
pub struct Traffic {
    /// Every queue, in scenario order.
    pub queues: Vec<QueueTraffic>,
    /// Every topic, in scenario order.
    pub topics: Vec<TopicTraffic>,
    /// Every edge with its mean rate: sends, emits, subscriptions,
    /// dead-letter redrives.
    pub edges: Vec<Edge>,
    /// Every shared resource, in scenario order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<ResourceTraffic>,
    /// The most utilised queue or resource, if any queue gets messages.
    pub bottleneck: Option<Bottleneck>,
    /// Loops of queues that never drain (gain ≥ 1).
    pub cycles: Vec<Cycle>,
    /// Gauss-Seidel sweeps taken.
    pub iterations: u32,
    /// Whether the rates settled within [`TOLERANCE`] in [`MAX_ITERATIONS`].
    pub converged: bool,
}

/// One queue's rates.
#[derive(Clone, Debug, Serialize)]
pub struct QueueTraffic {
    /// Its name.
    pub name: String,
    /// Mean messages per second arriving, from every source.
    pub arrival_rate: f64,
    /// Of `arrival_rate`, what producers send (directly or through topics).
    pub external_rate: f64,
    /// Messages per second its fleet keeps up with (at `autoscale.max`
    /// when it scales); `None` without consumers.
    pub capacity: Option<f64>,
    /// What sets `capacity`, in words ([`crate::capacity::Capacity::limit`]).
    pub limited_by: Option<String>,
    /// What sets `capacity`, by kind.
    #[serde(skip)]
    pub binding: Option<Binding>,
    /// `arrival_rate / capacity` (infinite for arrivals at no capacity);
    /// `None` without consumers.
    pub utilization: Option<f64>,
    /// Messages per second taken to their end: `min(arrival_rate, capacity)`.
    pub throughput: f64,
    /// How its messages end; `None` without consumers.
    pub fates: Option<Fates>,
    /// Utilisation at or above 1: the backlog grows.
    pub overloaded: bool,
}

/// One shared resource's load.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ResourceTraffic {
    /// Its figures in the capacity model: capacity in holds a second
    /// (`throughput`), holders, the USL peak.
    #[serde(flatten)]
    pub load: ResourceLoad,
    /// Holds a second the queues' arrival rates ask of it.
    pub offered: f64,
    /// `offered / throughput`.
    pub utilization: f64,
    /// The queues whose fleets hold it, in scenario order.
    pub queues: Vec<String>,
    /// Their indices.
    #[serde(skip)]
    pub indices: Vec<usize>,
}

/// One topic's rate.
#[derive(Clone, Debug, Serialize)]
pub struct TopicTraffic {
    /// Its name.
    pub name: String,
    /// Mean messages per second published to it.
    pub arrival_rate: f64,
}

/// A directed edge of the network and its mean rate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Edge {
    /// What carries the messages.
    pub kind: EdgeKind,
    /// The source's name.
    pub from: String,
    /// The destination's name.
    pub to: String,
    /// The source node.
    #[serde(skip)]
    pub source: Endpoint,
    /// The destination node.
    #[serde(skip)]
    pub target: Endpoint,
    /// Mean messages per second along it.
    pub rate: f64,
    /// The share of the source's messages it carries: 1 for a send, `p`
    /// for an emit (of the processed ones), the filter for a subscription,
    /// the dead-lettered share for a redrive.
    pub share: f64,
}

/// What an edge is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    /// A producer's sends.
    Send,
    /// A fleet's emits after successful processings.
    Emit,
    /// A topic's copies to a subscriber queue.
    Subscription,
    /// Messages a queue dead-letters, to its `dead_letter` queue.
    DeadLetter,
}

/// An end of an edge: an index into the scenario's producers, queues or topics.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// A producer.
    Producer(usize),
    /// A queue.
    Queue(usize),
    /// A topic.
    Topic(usize),
}

/// The most utilised queue or resource.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bottleneck {
    /// What it is.
    pub kind: BottleneckKind,
    /// Index into [`Traffic::queues`]: the queue it limits (for a
    /// resource, the most utilised queue whose fleet holds it).
    pub index: usize,
    /// Its name: the queue's, or the resource's.
    pub name: String,
    /// Index into [`Traffic::resources`] for a resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<usize>,
    /// Its utilisation: the queue's arrival rate over its capacity, or the
    /// resource's offered holds over its capacity (whichever is higher
    /// for a resource that limits a queue).
    pub utilization: f64,
}

/// What kind of node a bottleneck is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BottleneckKind {
    /// A queue's fleet (its consumers).
    Fleet,
    /// A setting of a queue (FIFO groups, `max_in_flight`, `throughput_limit`).
    Queue,
    /// A shared resource.
    Resource,
}

/// A loop of queues that never drains.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cycle {
    /// The queues on it, by name, in scenario order.
    pub queues: Vec<String>,
    /// Their indices.
    #[serde(skip)]
    pub indices: Vec<usize>,
    /// The loop's growth per step: the spectral radius of its gain matrix
    /// (for a ring of queues, the `n`-th root of the product of its gains;
    /// for a queue that emits to itself, its `p` × processed share).
    pub gain: f64,
}

impl Traffic {
    /// The queue named `name`.
    pub fn queue(&self, name: &str) -> Option<&QueueTraffic> {
        self.queues.iter().find(|q| q.name == name)
    }
}

/// Solves the traffic equations of `sc`, with each fleet's capacity from
/// [`crate::capacity`] (at `autoscale.max` for a fleet that scales).
pub fn solve(sc: &Scenario) -> Traffic {
    // Every fleet at its most consumers, saturated.
    let mut demands: Vec<Option<Demand>> = (0..sc.queues.len())
        .map(|i| {
            Station::of(sc, i).map(|st| Demand {
                consumers: f64::from(st.consumers.slots()),
                availability: st.availability(),
                cond: Conditions::default(),
                arrivals: None,
            })
        })
        .collect();
    let models_at = |demands: &[Option<Demand>]| -> Vec<Option<Capacity>> {
        (0..sc.queues.len())
            .map(|i| Station::of(sc, i).map(|st| st.model_among(demands)))
            .collect()
    };
    let rates = |models: &[Option<Capacity>]| -> Vec<Option<f64>> {
        models.iter().map(|m| m.as_ref().map(|m| m.rate)).collect()
    };
    let mut models = models_at(&demands);
    let mut traffic = solve_with(sc, &rates(&models));
    let shared =
        (0..sc.queues.len()).any(|i| Station::of(sc, i).is_some_and(|s| s.holds_resources()));
    if shared {
        for _ in 0..MAX_ROUNDS {
            for (d, q) in demands.iter_mut().zip(&traffic.queues) {
                if let Some(d) = d {
                    d.arrivals = Some(q.arrival_rate);
                }
            }
            let next = models_at(&demands);
            let moved = rates(&models)
                .iter()
                .zip(rates(&next))
                .map(|(a, b)| match (a, b) {
                    (Some(a), Some(b)) => (a - b).abs() / a.abs().max(b.abs()).max(1e-300),
                    _ => 0.0,
                })
                .fold(0.0, f64::max);
            models = next;
            traffic = solve_with(sc, &rates(&models));
            if moved <= TOLERANCE * 1e3 {
                break;
            }
        }
        for (d, q) in demands.iter_mut().zip(&traffic.queues) {
            if let Some(d) = d {
                d.arrivals = Some(q.arrival_rate);
            }
        }
        traffic.resources = resource_rows(sc, &traffic, &demands);
    }
    for (q, m) in traffic.queues.iter_mut().zip(models) {
        q.binding = m.as_ref().map(|m| m.binding);
        q.limited_by = m.map(|m| m.limit);
    }
    traffic.bottleneck = bottleneck(&traffic.queues, &traffic.resources);
    traffic
}

/// Each resource's offered holds and utilisation with every fleet at its
/// arrival rate (`demands`).
fn resource_rows(sc: &Scenario, t: &Traffic, demands: &[Option<Demand>]) -> Vec<ResourceTraffic> {
    let solution = resources::solve(sc, demands);
    solution
        .loads
        .iter()
        .enumerate()
        .map(|(r, load)| {
            let mut offered = 0.0;
            let mut indices = Vec::new();
            for (i, q) in t.queues.iter().enumerate() {
                let per = solution.holds_per_message(sc, i, r);
                if per > 0.0 {
                    offered += q.arrival_rate * per;
                    indices.push(i);
                }
            }
            let utilization = match offered {
                o if o <= 0.0 => 0.0,
                o => o / load.throughput,
            };
            ResourceTraffic {
                load: load.clone(),
                offered,
                utilization,
                queues: indices.iter().map(|&i| sc.queues[i].name.clone()).collect(),
                indices,
            }
        })
        .collect()
}

/// The edges of `sc` with their mean rates ([`solve`]), for diagrams.
pub fn edges(sc: &Scenario) -> Vec<Edge> {
    solve(sc).edges
}

/// Solves the traffic equations of `sc` with the given capacity of each
/// queue (`None`, or a missing entry: no consumers, nothing passes on).
pub fn solve_with(sc: &Scenario, capacities: &[Option<f64>]) -> Traffic {
    let net = Network::new(sc, capacities);
    let (lambda, iterations, converged) = net.iterate();
    let out: Vec<f64> = (0..net.n).map(|q| net.out(q, lambda[q])).collect();
    let queues = queue_rows(sc, &net, &lambda, &out);
    let (edges, topics) = edge_rates(sc, &net, &out);
    let bottleneck = bottleneck(&queues, &[]);
    let cycles = net.cycles(sc);
    Traffic {
        queues,
        topics,
        edges,
        resources: Vec::new(),
        bottleneck,
        cycles,
        iterations,
        converged,
    }
}

/// The linear part of the equations: external rates and gains.
struct Network {
    /// Queues.
    n: usize,
    /// What producers send each queue.
    ext: Vec<f64>,
    /// Each queue's capacity (0 without consumers).
    cap: Vec<f64>,
    /// Each queue's fates (`None` without consumers).
    fates: Vec<Option<Fates>>,
    /// `(from, to, gain)`: messages arriving at `to` per message `from`
    /// takes to its end.
    gains: Vec<(usize, usize, f64)>,
}

impl Network {
    fn new(sc: &Scenario, capacities: &[Option<f64>]) -> Network {
        let n = sc.queues.len();
        let fates: Vec<Option<Fates>> = (0..n)
            .map(|i| Station::of(sc, i).map(|st| st.fates()))
            .collect();
        let cap = (0..n)
            .map(
                |i| match (capacities.get(i).copied().flatten(), &fates[i]) {
                    (Some(c), Some(_)) => c.max(0.0),
                    _ => 0.0,
                },
            )
            .collect();
        let mut ext = vec![0.0; n];
        for p in &sc.producers {
            for (q, share) in reach(sc, p.to.node) {
                if let Some(e) = ext.get_mut(q) {
                    *e += p.rate * share;
                }
            }
        }
        let mut gains = Vec::new();
        for (u, node) in sc.queues.iter().enumerate() {
            let (Some(f), Some(c)) = (&fates[u], &node.consumers) else {
                continue;
            };
            for e in &c.emit {
                for (q, share) in reach(sc, e.to.node) {
                    gains.push((u, q, f.processed * e.p * share));
                }
            }
            if let Some(d) = &node.queue.dead_letter
                && let Node::Queue(q) = d.node
            {
                gains.push((u, q, f.dead_lettered));
            }
        }
        gains.retain(|&(u, q, g)| u < n && q < n && g > 0.0);
        Network {
            n,
            ext,
            cap,
            fates,
            gains,
        }
    }

    /// What queue `q` passes on when `lambda` arrives: at most its capacity.
    fn out(&self, q: usize, lambda: f64) -> f64 {
        lambda.min(self.cap[q])
    }

    /// Gauss-Seidel from the external rates: `(λ, sweeps, converged)`.
    fn iterate(&self) -> (Vec<f64>, u32, bool) {
        let mut into: Vec<Vec<(usize, f64)>> = vec![Vec::new(); self.n];
        for &(u, q, g) in &self.gains {
            into[q].push((u, g));
        }
        let mut lambda = self.ext.clone();
        for sweep in 1..=MAX_ITERATIONS {
            let mut moved: f64 = 0.0;
            for q in 0..self.n {
                let inflow: f64 = into[q]
                    .iter()
                    .map(|&(u, g)| g * self.out(u, lambda[u]))
                    .sum();
                let next = self.ext[q] + inflow;
                moved = moved.max((next - lambda[q]).abs());
                lambda[q] = next;
            }
            let scale = lambda.iter().fold(1.0_f64, |m, &l| m.max(l));
            // Infinite capacities on a loop of gain ≥ 1: no fixed point.
            if !scale.is_finite() {
                return (lambda, sweep, false);
            }
            if moved <= TOLERANCE * scale {
                return (lambda, sweep, true);
            }
        }
        (lambda, MAX_ITERATIONS, false)
    }

    /// The loops (strongly connected sets of queues) whose gain is ≥ 1.
    fn cycles(&self, sc: &Scenario) -> Vec<Cycle> {
        let reach = self.reachability();
        let mut seen = vec![false; self.n];
        let mut cycles = Vec::new();
        for i in 0..self.n {
            if seen[i] {
                continue;
            }
            let set: Vec<usize> = (0..self.n)
                .filter(|&j| reach[i][j] && reach[j][i])
                .collect();
            for &j in &set {
                seen[j] = true;
            }
            if set.is_empty() {
                continue;
            }
            let gain = spectral_radius(&set, &self.gains);
            if gain >= 1.0 - GAIN_SLACK {
                cycles.push(Cycle {
                    queues: set.iter().map(|&j| sc.queues[j].name.clone()).collect(),
                    indices: set,
                    gain,
                });
            }
        }
        cycles
    }

    /// `reach[i][j]`: a path of one edge or more leads from queue `i` to `j`.
    fn reachability(&self) -> Vec<Vec<bool>> {
        let mut next: Vec<Vec<usize>> = vec![Vec::new(); self.n];
        for &(u, q, _) in &self.gains {
            next[u].push(q);
        }
        (0..self.n)
            .map(|i| {
                let mut reached = vec![false; self.n];
                let mut stack = next[i].clone();
                while let Some(j) = stack.pop() {
                    if !reached[j] {
                        reached[j] = true;
                        stack.extend(&next[j]);
                    }
                }
                reached
            })
            .collect()
    }
}

/// The queues a message sent to `node` reaches, with the copies each gets
/// per message: the queue itself, or a topic's subscribers (× filter).
fn reach(sc: &Scenario, node: Node) -> Vec<(usize, f64)> {
    match node {
        Node::Queue(q) => vec![(q, 1.0)],
        Node::Topic(t) => sc.topics.get(t).map_or_else(Vec::new, |t| {
            t.subscribers
                .iter()
                .filter_map(|s| match s.queue.node {
                    Node::Queue(q) => Some((q, s.filter)),
                    Node::Topic(_) => None,
                })
                .collect()
        }),
    }
}

/// The spectral radius of the gain matrix restricted to `set` (strongly
/// connected), by power iteration on `I + G`, which is primitive, so it
/// converges; the Collatz-Wielandt bounds `min (Gx)_i / x_i ≤ ρ ≤ max`
/// say when to stop (or, after 10 000 steps, their midpoint is returned).
fn spectral_radius(set: &[usize], gains: &[(usize, usize, f64)]) -> f64 {
    let pos = |q: usize| set.iter().position(|&s| s == q);
    let inner: Vec<(usize, usize, f64)> = gains
        .iter()
        .filter_map(|&(u, q, g)| Some((pos(u)?, pos(q)?, g)))
        .collect();
    if inner.is_empty() {
        return 0.0;
    }
    let mut x = vec![1.0; set.len()];
    let mut estimate = 0.0;
    for _ in 0..10_000 {
        let mut gx = vec![0.0; set.len()];
        for &(u, q, g) in &inner {
            gx[u] += g * x[q];
        }
        let ratios = gx.iter().zip(&x).map(|(a, b)| a / b);
        let (lo, hi) = ratios.fold((f64::INFINITY, 0.0_f64), |(lo, hi), r| {
            (lo.min(r), hi.max(r))
        });
        estimate = (lo + hi) / 2.0;
        if hi - lo <= 1e-12 * hi.max(1.0) {
            return estimate;
        }
        let norm = x.iter().zip(&gx).map(|(a, b)| a + b).fold(0.0, f64::max);
        for (xi, gi) in x.iter_mut().zip(&gx) {
            *xi = (*xi + gi) / norm;
        }
    }
    estimate
}

/// Each queue's row.
fn queue_rows(sc: &Scenario, net: &Network, lambda: &[f64], out: &[f64]) -> Vec<QueueTraffic> {
    sc.queues
        .iter()
        .enumerate()
        .map(|(q, node)| {
            let fates = net.fates[q];
            let capacity = fates.map(|_| net.cap[q]);
            let utilization = capacity.map(|c| match lambda[q] {
                l if l <= 0.0 => 0.0,
                l => l / c,
            });
            QueueTraffic {
                name: node.name.clone(),
                arrival_rate: lambda[q],
                external_rate: net.ext[q],
                capacity,
                limited_by: None,
                binding: None,
                utilization,
                throughput: out[q],
                fates,
                overloaded: utilization.is_some_and(|u| u >= 1.0),
            }
        })
        .collect()
}

/// Every edge's rate, and each topic's inflow, from what the queues pass on.
fn edge_rates(sc: &Scenario, net: &Network, out: &[f64]) -> (Vec<Edge>, Vec<TopicTraffic>) {
    let name = |e: Endpoint| -> String {
        let found = match e {
            Endpoint::Producer(i) => sc.producers.get(i).map(|p| &p.name),
            Endpoint::Queue(i) => sc.queues.get(i).map(|q| &q.name),
            Endpoint::Topic(i) => sc.topics.get(i).map(|t| &t.name),
        };
        found.cloned().unwrap_or_default()
    };
    let endpoint = |n: Node| match n {
        Node::Queue(i) => Endpoint::Queue(i),
        Node::Topic(i) => Endpoint::Topic(i),
    };
    let mut edges = Vec::new();
    let mut push = |kind, source, target, rate, share| {
        edges.push(Edge {
            kind,
            from: name(source),
            to: name(target),
            source,
            target,
            rate,
            share,
        });
    };
    let mut published = vec![0.0; sc.topics.len()];
    let mut publish = |n: Node, rate: f64| {
        if let Node::Topic(t) = n
            && let Some(p) = published.get_mut(t)
        {
            *p += rate;
        }
    };
    for (i, p) in sc.producers.iter().enumerate() {
        push(
            EdgeKind::Send,
            Endpoint::Producer(i),
            endpoint(p.to.node),
            p.rate,
            1.0,
        );
        publish(p.to.node, p.rate);
    }
    for (u, node) in sc.queues.iter().enumerate() {
        let fates = net.fates.get(u).copied().flatten();
        let processed = fates.map_or(0.0, |f| f.processed) * out[u];
        for e in node.consumers.iter().flat_map(|c| &c.emit) {
            let rate = processed * e.p;
            push(
                EdgeKind::Emit,
                Endpoint::Queue(u),
                endpoint(e.to.node),
                rate,
                e.p,
            );
            publish(e.to.node, rate);
        }
        if let Some(d) = &node.queue.dead_letter {
            let share = fates.map_or(0.0, |f| f.dead_lettered);
            let rate = share * out[u];
            push(
                EdgeKind::DeadLetter,
                Endpoint::Queue(u),
                endpoint(d.node),
                rate,
                share,
            );
        }
    }
    for (t, topic) in sc.topics.iter().enumerate() {
        for s in &topic.subscribers {
            let rate = published[t] * s.filter;
            let target = endpoint(s.queue.node);
            push(
                EdgeKind::Subscription,
                Endpoint::Topic(t),
                target,
                rate,
                s.filter,
            );
        }
    }
    let topics = sc
        .topics
        .iter()
        .zip(published)
        .map(|(t, arrival_rate)| TopicTraffic {
            name: t.name.clone(),
            arrival_rate,
        })
        .collect();
    (edges, topics)
}

/// The most utilised queue or resource (the first of equals, queues
/// first), if any queue with consumers gets messages. A queue whose
/// capacity a resource sets stands for that resource.
fn bottleneck(queues: &[QueueTraffic], resources: &[ResourceTraffic]) -> Option<Bottleneck> {
    let mut best: Option<Bottleneck> = None;
    let mut consider = |b: Bottleneck| {
        if b.utilization > 0.0 && best.as_ref().is_none_or(|o| b.utilization > o.utilization) {
            best = Some(b);
        }
    };
    for (index, q) in queues.iter().enumerate() {
        let Some(u) = q.utilization else { continue };
        let (kind, name, resource) = match q.binding {
            Some(Binding::Resource(r)) if r < resources.len() => (
                BottleneckKind::Resource,
                resources[r].load.name.clone(),
                Some(r),
            ),
            Some(Binding::Queue) => (BottleneckKind::Queue, q.name.clone(), None),
            _ => (BottleneckKind::Fleet, q.name.clone(), None),
        };
        consider(Bottleneck {
            kind,
            index,
            name,
            resource,
            utilization: u,
        });
    }
    for (r, res) in resources.iter().enumerate() {
        // The queue it limits most: the most utilised of its fleets'.
        let index = res.indices.iter().copied().max_by(|&a, &b| {
            let u = |i: usize| queues[i].utilization.unwrap_or(0.0);
            u(a).total_cmp(&u(b)).then(b.cmp(&a))
        });
        let Some(index) = index else { continue };
        consider(Bottleneck {
            kind: BottleneckKind::Resource,
            index,
            name: res.load.name.clone(),
            resource: Some(r),
            utilization: res.utilization,
        });
    }
    best
}

#[cfg(test)]
mod tests;
