//! What every component of a replication shares: the clock, the event
//! list, the outbox of messages on their way between queues, and the
//! network-wide backlog that fault recovery is measured on.
//!
//! Components (queues, fleets, producers) receive `&mut Shared` with each
//! call; they never see one another except where a rule joins them (a
//! fleet acts on its own queue). A message that leaves one queue for
//! another (an emit, a topic's copy, a dead-letter move) is put in the
//! outbox; the network routes it when the component's call returns, at the
//! same instant.

use super::events::EventQueue;
use super::faults::Watches;
use super::recorder::{DuplicateCause, Recorder, TimeWeighted};
use super::resource::{Resource, Waiter};

/// Where a message in the outbox goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Destination {
    /// A queue, by index.
    Queue(u16),
    /// A topic, by index: a copy to each subscriber that passes its filter.
    Topic(u16),
}

/// What a message carries from queue to queue: the send time of the
/// producer's message it descends from (end-to-end latency counts from
/// it), and the duplicate it inherits, if the upstream processing that
/// sent it was itself a repeat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lineage(u64);

impl Lineage {
    const CAUSE_SHIFT: u32 = 56;
    const TIME_MASK: u64 = (1 << Self::CAUSE_SHIFT) - 1;

    /// A producer's message sent at `sent_at`.
    pub fn root(sent_at: u64) -> Self {
        Lineage(sent_at & Self::TIME_MASK)
    }

    /// A message that descends from one sent at `origin`, inheriting
    /// `duplicate`.
    pub fn descended(origin: u64, duplicate: Option<DuplicateCause>) -> Self {
        let cause = duplicate.map_or(0, |c| c as u64 + 1);
        Lineage((origin & Self::TIME_MASK) | (cause << Self::CAUSE_SHIFT))
    }

    /// Send time of the producer's message, µs.
    pub fn origin(self) -> u64 {
        self.0 & Self::TIME_MASK
    }

    /// The upstream duplicate this message is a copy of, if any.
    pub fn inherited(self) -> Option<DuplicateCause> {
        DuplicateCause::from_index((self.0 >> Self::CAUSE_SHIFT) as usize)
    }
}

/// A message on its way to another node.
#[derive(Clone, Copy, Debug)]
pub struct Outgoing {
    /// Where to.
    pub to: Destination,
    /// What it carries.
    pub lineage: Lineage,
    /// An identity of the message it is sent for, stable across that
    /// message's repeated processings, so that probabilistic routing
    /// (`emit.p`, a topic's `filter`) decides the same way each time.
    pub key: u64,
}

/// State shared by all components of one replication.
pub struct Shared {
    /// Current simulated time, µs.
    pub now: u64,
    /// The future-event list.
    pub events: EventQueue,
    /// Messages sent between queues during the current call.
    pub outbox: Vec<Outgoing>,
    /// Visible messages in all queues, from time 0 (pre-fault levels; its
    /// area and peak are kept only when [`Shared::integrate_visible`]).
    pub visible_all: TimeWeighted,
    /// Whether anything reads the area or peak of `visible_all` (faults'
    /// pre-fault levels, a network's backlog peak); a single queue without
    /// faults has its own, and spares the work on every change.
    pub integrate_visible: bool,
    /// Fault recovery watches on the network's visible backlog.
    pub watches: Watches,
    /// Producers retrying a failed send: their held messages are backlog
    /// that no queue has seen yet.
    pub retrying: u32,
    /// Messages in all queues hidden by a retry backoff: backlog that waits
    /// out its delay. The fault watches count it with the visible messages.
    pub backing_off: TimeWeighted,
    /// End-to-end observations at the queues that send nothing on (a
    /// network; a single queue's own recorder is the whole story).
    pub end_to_end: Option<Box<Recorder>>,
    /// The shared resources (`[resources.NAME]`), in the scenario's order.
    pub resources: Vec<Resource>,
    /// Consumers whose turn at a resource came during the current call,
    /// with their hold factors: the network tells their fleets when the
    /// call returns, at the same instant.
    pub granted: Vec<(Waiter, f64)>,
}

impl Shared {
    /// Fresh state at time 0.
    pub fn new(watches: Watches) -> Self {
        Shared {
            now: 0,
            events: EventQueue::new(),
            outbox: Vec::with_capacity(16),
            visible_all: TimeWeighted::default(),
            integrate_visible: true,
            watches,
            retrying: 0,
            backing_off: TimeWeighted::default(),
            end_to_end: None,
            resources: Vec::new(),
            granted: Vec::new(),
        }
    }

    /// A queue's visible messages went from `was` to `now_visible`.
    #[inline]
    pub fn visible_changed(&mut self, was: u64, now_visible: u64) {
        // The total includes `was`, so this never wraps.
        let total = self.visible_all.value - was + now_visible;
        if self.integrate_visible {
            self.visible_all.set(self.now, total);
        } else {
            self.visible_all.value = total;
        }
        self.observe_backlog();
    }

    /// Messages hidden by a backoff went up or down by one.
    pub fn backoff_changed(&mut self, delta: i64) {
        let value = self.backing_off.value.wrapping_add_signed(delta);
        self.backing_off.set(self.now, value);
        self.observe_backlog();
    }

    /// The backlog the fault watches see: visible messages and those
    /// waiting out a backoff.
    pub fn backlog(&self) -> u64 {
        self.visible_all.value + self.backing_off.value
    }

    /// The integral of [`Shared::backlog`] until `now`.
    pub fn backlog_area(&mut self, now: u64) -> u128 {
        self.visible_all.area_until(now) + self.backing_off.area_until(now)
    }

    /// Shows the fault watches the backlog (after it or the producers'
    /// retrying changed).
    pub fn observe_backlog(&mut self) {
        if self.watches.watching() {
            let total = self.backlog();
            self.watches.observe(self.now, total, self.retrying > 0);
        }
    }
}
