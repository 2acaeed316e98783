//! A network scenario in plain sentences: the producers and where they
//! send, then each queue with its own settings and its fleet's, what feeds
//! it, what its consumers emit, its dead-letter queue; each topic with its
//! subscribers and filters; the faults with their targets.
//!
//! Contract: the per-queue and per-fleet sentences are those of the
//! single-queue report ([`super::describe`]), worded from that queue's own
//! [`QueueConfig`] and [`ConsumerConfig`], never from the first queue's; a
//! setting is worded where it is in effect. A single-queue scenario never
//! comes here, so its words do not change.

use super::describe::{DeadLetter, closing, fault, fleet, horizon, producer, queue};
use super::words::{pct, time};
use crate::scenario::{FaultKind, Node, NodeRef, QueueKind, QueueNode, Scenario, TopicNode};

/// One sentence, with the sentences that belong under it (a queue's).
#[derive(Clone, Debug, PartialEq)]
pub struct Described {
    /// The sentence (or a queue's heading).
    pub text: String,
    /// Sentences under it; empty for most.
    pub details: Vec<String>,
}

impl Described {
    fn plain(text: String) -> Described {
        Described {
            text,
            details: Vec::new(),
        }
    }
}

/// The network in sentences, in the order the report lists them.
pub fn describe_network(sc: &Scenario) -> Vec<Described> {
    let mut out = vec![
        Described::plain(horizon(sc)),
        Described::plain(overview(sc)),
    ];
    for p in &sc.producers {
        let queues = reached_queues(sc, &p.to);
        let fifo = queues
            .iter()
            .any(|&q| sc.queues[q].queue.kind == QueueKind::Fifo);
        let can_fail = queues.iter().any(|&q| sends_can_fail(sc, q));
        let to = format!(" to {}", node_name(&p.to));
        out.push(Described::plain(producer(p, &to, fifo, can_fail)));
    }
    for (i, q) in sc.queues.iter().enumerate() {
        out.push(Described {
            text: format!("Queue \"{}\"", q.name),
            details: queue_sentences(sc, i, q),
        });
    }
    out.extend(sc.topics.iter().map(|t| Described::plain(topic(sc, t))));
    out.extend(
        super::downstream_words::resource_sentences(sc)
            .into_iter()
            .map(Described::plain),
    );
    for f in &sc.faults {
        let target = f.target.as_ref().and_then(|r| match r.node {
            Node::Queue(q) => Some(&sc.queues[q]),
            Node::Topic(_) => None,
        });
        // A fault without a target strikes the only queue.
        let node = target.unwrap_or(&sc.queues[0]);
        let fleet = node.consumers.as_ref();
        let at = match f.kind {
            // These name what they strike themselves.
            FaultKind::Spike { .. }
            | FaultKind::ResourceOutage { .. }
            | FaultKind::ResourceSlowdown { .. }
            | FaultKind::Redrive { .. } => String::new(),
            _ => format!(" at queue \"{}\"", node.name),
        };
        out.push(Described::plain(fault(
            f,
            &at,
            fleet.map_or(0, |c| c.slots()),
            fleet.map_or(0.0, |c| c.error_rate),
        )));
    }
    out.extend(closing(sc).map(Described::plain));
    out
}

fn overview(sc: &Scenario) -> String {
    let names = |v: Vec<&str>| v.join(", ");
    let queues: Vec<&str> = sc.queues.iter().map(|q| q.name.as_str()).collect();
    let mut s = format!(
        "A network of {} queue{} ({})",
        queues.len(),
        if queues.len() == 1 { "" } else { "s" },
        names(queues)
    );
    if !sc.topics.is_empty() {
        let topics: Vec<&str> = sc.topics.iter().map(|t| t.name.as_str()).collect();
        s += &format!(
            " and {} topic{} ({})",
            topics.len(),
            if topics.len() == 1 { "" } else { "s" },
            names(topics)
        );
    }
    s + ", each queue with its own settings and fleet, as listed below and drawn under Topology."
}

/// "queue \"orders\"" or "topic \"order-events\"".
fn node_name(r: &NodeRef) -> String {
    match r.node {
        Node::Queue(_) => format!("queue \"{}\"", r.name),
        Node::Topic(_) => format!("topic \"{}\"", r.name),
    }
}

/// The queues a send to `to` reaches at once (a topic's subscribers).
fn reached_queues(sc: &Scenario, to: &NodeRef) -> Vec<usize> {
    match to.node {
        Node::Queue(q) => vec![q],
        Node::Topic(t) => sc.topics[t]
            .subscribers
            .iter()
            .filter_map(|s| match s.queue.node {
                Node::Queue(q) => Some(q),
                Node::Topic(_) => None,
            })
            .collect(),
    }
}

/// Whether a send to queue `q` can be refused (throttled or in an outage),
/// so that the producers' retries matter.
fn sends_can_fail(sc: &Scenario, q: usize) -> bool {
    sc.queues[q].queue.throughput_limit.is_some()
        || sc.faults.iter().any(|f| {
            f.kind == FaultKind::QueueOutage
                && f.target.as_ref().is_none_or(|r| r.node == Node::Queue(q))
        })
}

fn queue_sentences(sc: &Scenario, i: usize, q: &QueueNode) -> Vec<String> {
    let mut out = vec![fed_by(sc, i)];
    let dead_letter = q.queue.dead_letter.as_ref().map(|d| {
        let has_fleet = match d.node {
            Node::Queue(k) => sc.queues[k].consumers.is_some(),
            Node::Topic(_) => false,
        };
        (d.name.as_str(), has_fleet)
    });
    let dead_letter = if q.consumers.is_some() {
        DeadLetter::Network(dead_letter)
    } else {
        DeadLetter::Unconsumed
    };
    out.push(queue(&q.queue, dead_letter));
    if q.queue.initial_backlog > 0 {
        out.push(format!(
            "It starts with {} visible messages (initial_backlog).",
            q.queue.initial_backlog
        ));
    }
    match &q.consumers {
        Some(c) => {
            out.extend(fleet(c));
            out.push(emits(c));
        }
        None => out.push(format!(
            "No consumers: its messages stay until they expire (retention {}) or the run ends.",
            time(q.queue.retention)
        )),
    }
    out
}

/// What sends messages to queue `i`.
fn fed_by(sc: &Scenario, i: usize) -> String {
    let here = Node::Queue(i);
    let mut from: Vec<String> = sc
        .producers
        .iter()
        .filter(|p| p.to.node == here)
        .map(|p| format!("producer \"{}\"", p.name))
        .collect();
    for t in &sc.topics {
        for s in t.subscribers.iter().filter(|s| s.queue.node == here) {
            from.push(if s.filter >= 1.0 {
                format!("topic \"{}\" (every message)", t.name)
            } else {
                format!(
                    "topic \"{}\" ({} of its messages pass the subscription's filter)",
                    t.name,
                    pct(s.filter)
                )
            });
        }
    }
    for u in &sc.queues {
        for e in u.consumers.iter().flat_map(|c| &c.emit) {
            if e.to.node == here {
                from.push(format!(
                    "the consumers of queue \"{}\"{}",
                    u.name,
                    share(e.p)
                ));
            }
        }
        if u.queue.dead_letter.as_ref().is_some_and(|d| d.node == here) {
            from.push(format!("the dead letters of queue \"{}\"", u.name));
        }
    }
    if from.is_empty() {
        return "Nothing sends to it: it holds only its initial backlog.".into();
    }
    format!("Fed by {}.", and_list(&from))
}

/// " (30% of processings)", or nothing for every processing.
fn share(p: f64) -> String {
    if p >= 1.0 {
        String::new()
    } else {
        format!(" ({} of processings)", pct(p))
    }
}

/// What the fleet's successful processings send on.
fn emits(c: &crate::scenario::ConsumerConfig) -> String {
    if c.emit.is_empty() {
        return "A successful processing sends nothing on: the journeys of its messages end here."
            .into();
    }
    let each: Vec<String> = c
        .emit
        .iter()
        .map(|e| {
            if e.p >= 1.0 {
                format!("one message to {}", node_name(&e.to))
            } else {
                format!(
                    "one message to {} with probability {}",
                    node_name(&e.to),
                    pct(e.p)
                )
            }
        })
        .collect();
    format!(
        "After each successful processing, while it still holds the message (before the delete), \
         a consumer sends {}{}; a message processed twice sends twice.",
        and_list(&each),
        if each.len() > 1 {
            ", each independently"
        } else {
            ""
        }
    )
}

fn topic(sc: &Scenario, t: &TopicNode) -> String {
    let subs: Vec<String> = t
        .subscribers
        .iter()
        .map(|s| {
            if s.filter >= 1.0 {
                format!("queue \"{}\" (every message)", s.queue.name)
            } else {
                format!(
                    "queue \"{}\" (filter: {} of messages pass)",
                    s.queue.name,
                    pct(s.filter)
                )
            }
        })
        .collect();
    let me = sc
        .topics
        .iter()
        .position(|x| x.name == t.name)
        .map(Node::Topic);
    let mut from: Vec<String> = sc
        .producers
        .iter()
        .filter(|p| Some(p.to.node) == me)
        .map(|p| format!("producer \"{}\"", p.name))
        .collect();
    for u in &sc.queues {
        if u.consumers
            .iter()
            .flat_map(|c| &c.emit)
            .any(|e| Some(e.to.node) == me)
        {
            from.push(format!("the consumers of queue \"{}\"", u.name));
        }
    }
    format!(
        "Topic \"{}\" (published to by {}) copies each message to {}.",
        t.name,
        if from.is_empty() {
            "nothing".to_owned()
        } else {
            and_list(&from)
        },
        and_list(&subs)
    )
}

/// "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
