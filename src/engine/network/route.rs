//! Where messages go: a producer's sends into its queue or topic, and the
//! outbox (emits, topic copies, dead-letter moves) into the queues they
//! are addressed to.
//!
//! A topic copies each message to every subscriber whose filter passes; a
//! filter's draw is a hash of the message's identity, so a message sent
//! twice (a duplicate upstream) passes the same filters twice. A message
//! for a queue in an outage waits and arrives when the outage ends (the
//! sender, or SNS, retries). A message arriving from another queue draws
//! its poison flag from the receiving fleet and joins a FIFO queue's group
//! by its identity.

use super::Network;
use crate::engine::fleet::{Fleet, unit};
use crate::engine::producer::{Inlet, Producer};
use crate::engine::queue::Queue;
use crate::engine::recorder::Counts;
use crate::engine::rng::splitmix64;
use crate::engine::shared::{Destination, Lineage, Outgoing, Shared};
use crate::scenario::{Node, QueueKind, Scenario, TopicNode};

/// A topic at run time: its subscriptions and what passed through it.
pub struct Topic {
    /// Subscriber queue and the share its filter passes.
    subscribers: Vec<(u16, f64)>,
    /// The producers' publish calls.
    pub counts: Counts,
    /// Identity of producers' messages published here (hash seed, count).
    seed: u64,
    next_key: u64,
}

impl Topic {
    /// The topic `t` in the replication with seed `seed`.
    pub fn new(t: &TopicNode, seed: u64) -> Self {
        let subscribers = t
            .subscribers
            .iter()
            .filter_map(|s| match s.queue.node {
                Node::Queue(q) => Some((q as u16, s.filter)),
                Node::Topic(_) => None,
            })
            .collect();
        Topic {
            subscribers,
            counts: Counts::default(),
            seed: splitmix64(seed ^ 0x7091_C5ED),
            next_key: 0,
        }
    }
}

impl Topic {
    /// Messages producers published here.
    pub fn published_by_producers(&self) -> u64 {
        self.next_key
    }
}

/// Which producer operation an event asks for.
#[derive(Clone, Copy, Debug)]
pub(super) enum Act {
    Arrival,
    Retry,
    Repeat,
}

impl Act {
    fn run(self, p: &mut Producer, to: &mut impl Inlet, sh: &mut Shared) {
        match self {
            Act::Arrival => p.on_arrival(to, sh),
            Act::Retry => p.on_producer_retry(to, sh),
            Act::Repeat => p.on_repeat(to, sh),
        }
    }
}

/// A producer's queue (with its fleet, which draws poison and serves waiting receives).
struct QueueInlet<'q, 'a> {
    queue: &'q mut Queue<'a>,
    fleet: Option<&'q mut Fleet<'a>>,
}

impl Inlet for QueueInlet<'_, '_> {
    #[inline]
    fn down(&self) -> bool {
        self.queue.down()
    }

    #[inline]
    fn admit(&mut self, now: u64, calls: u64) -> u64 {
        self.queue.throttle.admit(now, calls)
    }

    fn fifo(&self) -> bool {
        self.queue.cfg.kind == QueueKind::Fifo
    }

    #[inline]
    fn counts(&mut self) -> &mut Counts {
        &mut self.queue.rec.counts
    }

    #[inline]
    fn accept(&mut self, sh: &mut Shared, group: u32) {
        let poison = self.fleet.as_mut().is_some_and(|f| f.draw_poison());
        self.queue.accept(sh, poison, group, Lineage::root(sh.now));
    }

    #[inline]
    fn flush(&mut self, sh: &mut Shared) {
        if let Some(f) = self.fleet.as_mut() {
            f.serve_waiters(self.queue, sh);
        }
    }
}

/// A producer's topic: publishes always succeed; the copies go out
/// through the outbox.
struct TopicInlet<'t> {
    topic: &'t mut Topic,
    index: u16,
}

impl Inlet for TopicInlet<'_> {
    fn down(&self) -> bool {
        false
    }

    fn admit(&mut self, _now: u64, calls: u64) -> u64 {
        calls
    }

    fn fifo(&self) -> bool {
        false
    }

    fn counts(&mut self) -> &mut Counts {
        &mut self.topic.counts
    }

    fn accept(&mut self, sh: &mut Shared, _group: u32) {
        self.topic.next_key += 1;
        sh.outbox.push(Outgoing {
            to: Destination::Topic(self.index),
            lineage: Lineage::root(sh.now),
            key: splitmix64(self.topic.seed ^ self.topic.next_key),
        });
    }

    fn flush(&mut self, _sh: &mut Shared) {}
}

/// Which queues receive messages from other queues (emits, topics, dead
/// letters): they keep each message's lineage.
pub(super) fn fed_by_queues(sc: &Scenario) -> Vec<bool> {
    let mut fed = vec![false; sc.queues.len()];
    let mut mark = |node: Node| match node {
        Node::Queue(q) => fed[q] = true,
        Node::Topic(t) => {
            for s in &sc.topics[t].subscribers {
                if let Node::Queue(q) = s.queue.node {
                    fed[q] = true;
                }
            }
        }
    };
    for q in &sc.queues {
        if let Some(d) = &q.queue.dead_letter {
            mark(d.node);
        }
        for e in q.consumers.iter().flat_map(|c| &c.emit) {
            mark(e.to.node);
        }
    }
    fed
}

impl Network<'_> {
    /// Producer `p` does `act` against its destination.
    pub(super) fn on_producer(&mut self, p: u32, act: Act) {
        let p = p as usize;
        let producer = &mut self.producers[p];
        match self.sc.producers[p].to.node {
            Node::Queue(q) => {
                let fleet = self.fleet_of[q].map(|f| &mut self.fleets[usize::from(f)]);
                let mut inlet = QueueInlet {
                    queue: &mut self.queues[q],
                    fleet,
                };
                act.run(producer, &mut inlet, &mut self.sh);
            }
            Node::Topic(t) => {
                let mut inlet = TopicInlet {
                    topic: &mut self.topics[t],
                    index: t as u16,
                };
                act.run(producer, &mut inlet, &mut self.sh);
            }
        }
    }

    /// Delivers everything in the outbox, and whatever that sends on.
    pub(super) fn route_outbox(&mut self) {
        while !self.sh.outbox.is_empty() {
            std::mem::swap(&mut self.sh.outbox, &mut self.routing);
            let mut batch = std::mem::take(&mut self.routing);
            for out in batch.drain(..) {
                match out.to {
                    Destination::Queue(q) => self.arrive(q, out),
                    Destination::Topic(t) => self.fan_out(t, out),
                }
            }
            self.routing = batch;
        }
    }

    /// A topic copies `out` to each subscriber whose filter passes.
    fn fan_out(&mut self, t: u16, out: Outgoing) {
        for i in 0..self.topics[usize::from(t)].subscribers.len() {
            let (q, filter) = self.topics[usize::from(t)].subscribers[i];
            let key = splitmix64(out.key ^ (i as u64 + 1).wrapping_mul(0xA24B_AED4_963E_E407));
            if filter >= 1.0 || unit(key) < filter {
                self.arrive(q, Outgoing { key, ..out });
            }
        }
    }

    /// `out` arrives at queue `q` (or waits out the queue's outage).
    fn arrive(&mut self, q: u16, out: Outgoing) {
        let queue = &mut self.queues[usize::from(q)];
        if queue.down() {
            queue.pending.push(out);
            return;
        }
        queue.rec.counts.requests_send += 1;
        let fleet = self.fleet_of[usize::from(q)].map(|f| &mut self.fleets[usize::from(f)]);
        let poison = fleet.is_some_and(|f| f.draw_poison());
        let groups = queue.store.groups().max(1);
        let group = (out.key % u64::from(groups)) as u32;
        queue.accept(&mut self.sh, poison, group, out.lineage);
        queue.rec.counts.arrived_from_queues += 1;
        self.serve(q);
    }

    /// Queue `q` is up again: what waited for it arrives.
    pub(super) fn deliver_pending(&mut self, q: u16) {
        let pending = std::mem::take(&mut self.queues[usize::from(q)].pending);
        for out in pending {
            self.arrive(q, out);
        }
    }
}
