//! The report's topology diagram of a network run: the scenario's nodes as
//! a [`Topology`], each edge labelled with the rate the simulation measured
//! along it, each fleet with its simulated utilisation, the busiest fleet
//! marked as the bottleneck.
//!
//! Contract: a rate is a count of the run (mean over replications) divided
//! by the `duration` producers send for. The simulation counts per queue,
//! not per edge, so an edge's own count is known only where it is alone:
//! a queue's deliveries (`deleted`) and dead letters always; a producer's
//! sends when it is the only producer sending to that queue; what reaches
//! a queue from other queues and topics when one edge brings all of it
//! (an emit to a topic through a filterless subscriber that only that topic
//! feeds). Every other edge carries the traffic equations' predicted rate
//! ([`crate::traffic::solve`]), its note says "predicted", and
//! [`Flows::predicted`] counts them for the caption.
//!
//! Shared resources are cylinders after the other nodes, each with its
//! capacity and simulated utilisation, and an edge from every fleet that
//! holds it ([`super::resource_flows`]). A single-queue scenario with
//! resources is drawn as a network of one queue, no bottleneck marked.

use crate::output::report::topology::{EdgeKind, TopoEdge, TopoKind, TopoNode, Topology};
use crate::output::report::words::num;
use crate::output::summary::{QueueSummary, RunSummary};
use crate::output::table::{Reads, compact};
use crate::scenario::{Node, Scenario};
use crate::traffic::{self, Endpoint};

/// A network's diagram and how many of its rates are predictions.
pub struct Flows {
    /// The diagram.
    pub topology: Topology,
    /// Edges whose rate is the traffic equations', not the simulation's.
    pub predicted: usize,
    /// The bottleneck fleet's queue and its utilisation, if any fleet worked.
    pub bottleneck: Option<(String, f64)>,
}

/// Node indices of the diagram: producers, then each queue and its fleet,
/// then topics.
struct Index {
    queue: Vec<usize>,
    fleet: Vec<Option<usize>>,
    topic: Vec<usize>,
}

/// The diagram of `sc`'s run summarised by `s` (a network's: `s.queues` in
/// the order of `sc.queues`).
pub fn flows(sc: &Scenario, s: &RunSummary) -> Flows {
    // A single queue with resources is drawn too: its top level is its queue.
    let single = s.queues.is_empty().then(|| as_network(sc, s));
    let s = single.as_ref().unwrap_or(s);
    let mut nodes = Vec::new();
    for p in &sc.producers {
        nodes.push(node(&p.name, TopoKind::Producer, None, None));
    }
    let mut ix = Index {
        queue: Vec::new(),
        fleet: Vec::new(),
        topic: Vec::new(),
    };
    for (q, qs) in sc.queues.iter().zip(&s.queues) {
        ix.queue.push(nodes.len());
        let visible = format!(
            "visible mean {}",
            compact(metric(qs, "backlog_mean"), Reads::Count)
        );
        nodes.push(node(&q.name, TopoKind::Queue, Some(visible), None));
        ix.fleet.push(q.consumers.as_ref().map(|c| {
            nodes.push(node(
                &q.name,
                TopoKind::Fleet,
                Some(fleet_size(c)),
                Some(metric(qs, "consumer_utilization")),
            ));
            nodes.len() - 1
        }));
    }
    for t in &sc.topics {
        ix.topic.push(nodes.len());
        nodes.push(node(&t.name, TopoKind::Topic, None, None));
    }
    let first_resource = nodes.len();
    for r in &s.resources {
        let capacity = format!("capacity {}", r.capacity);
        let u = Some(r.mean("utilization"));
        nodes.push(node(&r.name, TopoKind::Resource, Some(capacity), u));
    }
    // One fleet is no bottleneck among others.
    let bottleneck = match single {
        Some(_) => None,
        None => mark_bottleneck(sc, s, &ix, &mut nodes),
    };
    let (mut edges, predicted) = edges(sc, s, &ix);
    edges.extend(super::resource_flows::use_edges(
        sc,
        s,
        &ix.fleet,
        first_resource,
    ));
    Flows {
        topology: Topology { nodes, edges },
        predicted,
        bottleneck,
    }
}

/// A single queue's summary as a network of one queue: its top level is
/// its queue's.
fn as_network(sc: &Scenario, s: &RunSummary) -> RunSummary {
    let zero = crate::stats::summarize_in(&[0.0], crate::stats::Range::NON_NEGATIVE);
    let queue = QueueSummary {
        name: sc.queues[0].name.clone(),
        metrics: s.metrics.clone(),
        conservation: s.conservation,
        duplicates_by_cause: s.duplicates_by_cause.clone(),
        timeseries: Vec::new(),
        arrived_from_queues: zero,
        journeys: zero,
        journey_latency_mean: zero,
    };
    RunSummary {
        queues: vec![queue],
        ..s.clone()
    }
}

fn node(label: &str, kind: TopoKind, detail: Option<String>, u: Option<f64>) -> TopoNode {
    TopoNode {
        label: label.to_owned(),
        kind,
        detail,
        utilization: u,
        bottleneck: false,
    }
}

fn fleet_size(c: &crate::scenario::ConsumerConfig) -> String {
    match &c.autoscale {
        Some(a) => format!("{}–{} consumers", a.min, a.max),
        None if c.count == 1 => "1 consumer".into(),
        None => format!("{} consumers", c.count),
    }
}

/// The mean of queue metric `name`.
pub(super) fn metric(q: &QueueSummary, name: &str) -> f64 {
    q.metrics
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(f64::NAN, |(_, st)| st.mean)
}

/// Marks the fleet with the highest simulated utilisation
/// ([`RunSummary::busiest_queue`]).
fn mark_bottleneck(
    sc: &Scenario,
    s: &RunSummary,
    ix: &Index,
    nodes: &mut [TopoNode],
) -> Option<(String, f64)> {
    let (q, u) = s.busiest_queue()?;
    nodes[ix.fleet[q]?].bottleneck = true;
    Some((sc.queues[q].name.clone(), u))
}

/// Where messages from other queues reach queue `q` from: emits to it,
/// subscriptions of it, dead-letter queues naming it.
fn queue_fed_sources(sc: &Scenario, q: usize) -> usize {
    let here = Node::Queue(q);
    let emits = sc
        .queues
        .iter()
        .flat_map(|u| u.consumers.iter().flat_map(|c| &c.emit))
        .filter(|e| e.to.node == here)
        .count();
    let subs = sc
        .topics
        .iter()
        .flat_map(|t| &t.subscribers)
        .filter(|s| s.queue.node == here)
        .count();
    let dead = sc
        .queues
        .iter()
        .filter(|u| u.queue.dead_letter.as_ref().is_some_and(|d| d.node == here))
        .count();
    emits + subs + dead
}

/// The simulated rate of what arrives at queue `q` from other queues and
/// topics, when one edge brings all of it.
fn alone_into(sc: &Scenario, s: &RunSummary, q: usize, per_sec: f64) -> Option<f64> {
    (queue_fed_sources(sc, q) == 1).then(|| s.queues[q].arrived_from_queues.mean * per_sec)
}

/// The simulated rate into topic `t`, when one emit is all it gets and a
/// filterless subscriber that only it feeds counts every message.
fn topic_rate(sc: &Scenario, s: &RunSummary, t: usize, per_sec: f64) -> Option<f64> {
    let here = Node::Topic(t);
    let producers = sc.producers.iter().filter(|p| p.to.node == here).count();
    let emits = sc
        .queues
        .iter()
        .flat_map(|u| u.consumers.iter().flat_map(|c| &c.emit))
        .filter(|e| e.to.node == here)
        .count();
    if producers + emits != 1 || emits != 1 {
        return None;
    }
    sc.topics[t]
        .subscribers
        .iter()
        .find_map(|sub| match sub.queue.node {
            Node::Queue(q) if sub.filter >= 1.0 => alone_into(sc, s, q, per_sec),
            _ => None,
        })
}

/// Every edge with its rate, and how many rates are predicted.
fn edges(sc: &Scenario, s: &RunSummary, ix: &Index) -> (Vec<TopoEdge>, usize) {
    let per_sec = 1.0 / sc.duration.as_secs_f64().max(1e-9);
    let node_of = |e: Endpoint| match e {
        Endpoint::Producer(p) => Some(p),
        Endpoint::Queue(q) => Some(ix.queue[q]),
        Endpoint::Topic(t) => Some(ix.topic[t]),
    };
    let mut out = Vec::new();
    let mut parts: Vec<Part> = Vec::new();
    // Deliveries first: the traffic equations have no such edge.
    for (q, fleet) in ix.fleet.iter().enumerate() {
        if let Some(f) = *fleet {
            let deleted = metric(&s.queues[q], "deleted") * per_sec;
            out.push(edge(ix.queue[q], f, deleted, None, EdgeKind::Deliver));
        }
    }
    for e in traffic::solve(sc).edges {
        let (kind, from, simulated, note) = match (e.kind, e.source, e.target) {
            (traffic::EdgeKind::Send, Endpoint::Producer(_), Endpoint::Queue(q)) => {
                let direct = sc.producers.iter().filter(|p| p.to.node == Node::Queue(q));
                let rate = (direct.count() == 1).then(|| direct_sends(sc, s, q) * per_sec);
                (EdgeKind::Send, node_of(e.source), rate, None)
            }
            (traffic::EdgeKind::Send, _, _) => (EdgeKind::Send, node_of(e.source), None, None),
            (traffic::EdgeKind::Emit, Endpoint::Queue(u), target) => {
                let rate = match target {
                    Endpoint::Queue(q) => alone_into(sc, s, q, per_sec),
                    Endpoint::Topic(t) => topic_rate(sc, s, t, per_sec),
                    Endpoint::Producer(_) => None,
                };
                let note = (e.share < 1.0).then(|| format!("p {}", num(e.share)));
                (EdgeKind::Emit, ix.fleet[u], rate, note)
            }
            (traffic::EdgeKind::Subscription, _, Endpoint::Queue(q)) => {
                let note = (e.share < 1.0).then(|| format!("filter {:.0}%", e.share * 100.0));
                let rate = alone_into(sc, s, q, per_sec);
                (EdgeKind::Subscribe, node_of(e.source), rate, note)
            }
            (traffic::EdgeKind::DeadLetter, Endpoint::Queue(u), _) => {
                let rate = metric(&s.queues[u], "dead_lettered") * per_sec;
                (EdgeKind::DeadLetter, node_of(e.source), Some(rate), None)
            }
            _ => continue,
        };
        let (Some(from), Some(to)) = (from, node_of(e.target)) else {
            continue;
        };
        let rate = simulated.unwrap_or(e.rate);
        let predicted = simulated.is_none();
        // Two emits of a fleet to one node are drawn as one arrow, their
        // rates added: parallel arrows would hide each other's labels.
        match parts
            .iter_mut()
            .find(|p| (p.from, p.to, p.kind) == (from, to, kind))
        {
            Some(p) => {
                p.rate += rate;
                p.notes.extend(note);
                p.predicted |= predicted;
            }
            None => parts.push(Part {
                from,
                to,
                kind,
                rate,
                notes: note.into_iter().collect(),
                predicted,
            }),
        }
    }
    let predicted = parts.iter().filter(|p| p.predicted).count();
    out.extend(parts.into_iter().map(|p| {
        let mut note = p.notes.join(" + ");
        if p.predicted {
            note = if note.is_empty() {
                "predicted".into()
            } else {
                format!("{note} · predicted")
            };
        }
        let note = (!note.is_empty()).then_some(note);
        edge(p.from, p.to, p.rate, note, p.kind)
    }));
    (out, predicted)
}

/// An edge being gathered: its ends, rate, share notes, and whether any of
/// its rate is predicted.
struct Part {
    from: usize,
    to: usize,
    kind: EdgeKind,
    rate: f64,
    notes: Vec<String>,
    predicted: bool,
}

/// Messages producers sent straight to queue `q`, mean per replication:
/// what it accepted less what came from other queues and topics and its
/// initial backlog.
fn direct_sends(sc: &Scenario, s: &RunSummary, q: usize) -> f64 {
    let qs = &s.queues[q];
    let initial = sc.queues[q].queue.initial_backlog as f64;
    (metric(qs, "produced") - qs.arrived_from_queues.mean - initial).max(0.0)
}

pub(super) fn edge(
    from: usize,
    to: usize,
    rate: f64,
    note: Option<String>,
    kind: EdgeKind,
) -> TopoEdge {
    TopoEdge {
        from,
        to,
        rate,
        note,
        kind,
    }
}
