//! A queue: its messages and the rules of SPEC §3 that the queue itself
//! enforces: what a receive hands out (oldest first, FIFO groups,
//! `max_in_flight`, the dead-letter redrive at `max_receive_count`,
//! spontaneous second deliveries), visibility deadlines and changes,
//! deletes with current or stale receipts, delivery delay, retention, and
//! outages (`queue-outage`: every call fails).
//!
//! The queue never calls a fleet: an operation that may let a waiting
//! receive go on (a message became visible, a delete freed a FIFO group or
//! an in-flight slot) returns `true`, and the caller hands the news to the
//! queue's fleet. A message it dead-letters into another queue of the
//! network goes to the outbox of [`Shared`].
//!
//! Every queue has a [`Recorder`] for its own observations, which its
//! fleet also writes to (busy and up consumers): the station's books.

mod fifo;
mod store;

use std::collections::{HashSet, VecDeque};

use rand::Rng;

use super::events::{Event, Lane};
use super::producer::Throttle;
use super::recorder::Recorder;
use super::rng::Stream;
use super::shared::{Destination, Outgoing, Shared};
use crate::scenario::{QueueConfig, QueueKind, StaleDelete};

pub use super::shared::Lineage;
pub use store::{Handle, Message, Oldest, QueueStore, Redelivery, State};

/// Why a message leaves the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Deleted by a consumer.
    Deleted,
    /// Received past `max_receive_count`.
    DeadLettered,
    /// Older than `retention`.
    Expired,
    /// Moved to queue `to` by a redrive (a new message there).
    Redriven(u16),
}

/// The 12 h cap on visibility, counted from the receive.
pub const VISIBILITY_CAP: u64 = 12 * 3600 * 1_000_000;

/// A message handed out by a receive, with the receipt it got.
pub type Delivery = (Handle, u32);

/// One queue of the network.
pub struct Queue<'a> {
    /// Its settings.
    pub cfg: &'a QueueConfig,
    /// Its index in the network (events name it).
    index: u16,
    visibility: u64,
    delay: u64,
    retention: u64,
    visibility_lane: Option<Lane>,
    delay_lane: Option<Lane>,
    /// The messages.
    pub store: QueueStore,
    /// Messages visible, in flight and delayed.
    pub visible: u64,
    /// See [`Queue::visible`].
    pub in_flight: u64,
    /// See [`Queue::visible`].
    pub delayed: u64,
    /// Spontaneous second deliveries waiting for a receiver: message and the
    /// receipt it had when the copy was made.
    ghosts: VecDeque<Delivery>,
    /// Queue outages covering it now.
    outages: u32,
    /// The limit on send calls per second.
    pub throttle: Throttle,
    retention_timer: bool,
    /// Where dead-lettered messages go, if to a queue of the network.
    dead_letter: Option<u16>,
    /// Its observations (and its fleet's).
    pub rec: Recorder,
    /// Messages from other queues that wait for an outage to end.
    pub pending: Vec<Outgoing>,
    rng_duplicates: Stream,
    /// Slots of the messages hidden by a retry backoff: backlog that waits
    /// out its delay (in flight, but nobody works on it). Empty, and never
    /// looked at, unless a fleet backs off.
    backing_off: HashSet<u32>,
}

/// How a queue is set up: its index, its recorder and its random stream.
pub struct QueueSetup {
    /// Index in the network.
    pub index: u16,
    /// Its recorder.
    pub rec: Recorder,
    /// Its stream for spontaneous duplicates.
    pub rng_duplicates: Stream,
    /// FIFO message groups of the producers that send to it.
    pub groups: u32,
    /// Whether messages arrive from other queues (they carry a lineage).
    pub fed_by_queues: bool,
    /// Dead-letter queue index, if any.
    pub dead_letter: Option<u16>,
}

impl<'a> Queue<'a> {
    /// An empty queue with settings `cfg`; its timers use lanes of `events`.
    pub fn new(cfg: &'a QueueConfig, setup: QueueSetup, sh: &mut Shared) -> Self {
        let mut store = match cfg.kind {
            QueueKind::Standard => QueueStore::new(),
            QueueKind::Fifo => QueueStore::fifo(setup.groups),
        };
        if setup.fed_by_queues {
            store.track_lineage();
        }
        let (visibility, delay) = (cfg.visibility_timeout.ticks(), cfg.delay.ticks());
        Queue {
            cfg,
            index: setup.index,
            visibility,
            delay,
            retention: cfg.retention.ticks(),
            visibility_lane: sh.events.lane(visibility),
            delay_lane: sh.events.lane(delay),
            store,
            visible: 0,
            in_flight: 0,
            delayed: 0,
            ghosts: VecDeque::new(),
            outages: 0,
            throttle: Throttle::new(cfg.throughput_limit),
            retention_timer: false,
            dead_letter: setup.dead_letter,
            rec: setup.rec,
            pending: Vec::new(),
            rng_duplicates: setup.rng_duplicates,
            backing_off: HashSet::new(),
        }
    }

    /// Whether a queue outage is on: every call fails.
    #[inline]
    pub fn down(&self) -> bool {
        self.outages > 0
    }

    /// A queue outage starts (`true`) or ends; returns whether the queue is
    /// up again.
    pub fn outage(&mut self, on: bool) -> bool {
        if on {
            self.outages += 1;
        } else {
            self.outages -= 1;
        }
        self.outages == 0
    }

    /// Messages not gone yet.
    pub fn live(&self) -> u64 {
        self.store.live()
    }

    /// Whether a receive could take something now (visible messages or
    /// spontaneous copies, below `max_in_flight`).
    #[inline(always)]
    pub fn has_work(&self) -> bool {
        (self.visible > 0 || !self.ghosts.is_empty())
            && self.in_flight < u64::from(self.cfg.max_in_flight)
    }

    /// Visible messages and waiting copies: what a batching window counts.
    pub fn available(&self) -> u64 {
        self.visible + self.ghosts.len() as u64
    }

    // ----- levels ----------------------------------------------------------

    #[inline(always)]
    fn set_visible(&mut self, sh: &mut Shared, visible: u64) {
        let was = self.visible;
        self.visible = visible;
        self.rec.backlog.set(sh.now, visible);
        sh.visible_changed(was, visible);
    }

    #[inline(always)]
    fn set_in_flight(&mut self, in_flight: u64) {
        self.in_flight = in_flight;
        self.rec.in_flight_max = self.rec.in_flight_max.max(in_flight);
    }

    // ----- sends -----------------------------------------------------------

    /// Accepts one message now, in FIFO `group` (a standard queue ignores
    /// it), carrying `lineage`.
    #[inline]
    pub fn accept(&mut self, sh: &mut Shared, poison: bool, group: u32, lineage: Lineage) {
        let now = sh.now;
        if self.delay > 0 {
            let h = self.store.insert_delayed(now, poison, group, lineage);
            self.delayed += 1;
            let event = Event::DelayEnd {
                queue: self.index,
                msg: h,
            };
            sh.events
                .schedule_in(self.delay_lane, now + self.delay, event);
        } else {
            self.store.insert_visible(now, poison, group, lineage);
            self.set_visible(sh, self.visible + 1);
        }
        self.rec.on_sent();
        self.arm_retention_timer(sh);
    }

    /// A delayed message's delay ends; true when it became visible.
    pub fn on_delay_end(&mut self, sh: &mut Shared, h: Handle) -> bool {
        if !self.store.get(h).is_some_and(|m| m.state == State::Delayed) {
            return false;
        }
        self.delayed -= 1;
        self.store.push_tail(sh.now, h);
        self.set_visible(sh, self.visible + 1);
        true
    }

    // ----- receives --------------------------------------------------------

    /// A receive takes up to `out.len()` messages: waiting spontaneous
    /// copies first, then visible messages while below `max_in_flight`;
    /// one past `max_receive_count` is dead-lettered instead. Returns how
    /// many were taken.
    pub fn take_batch(&mut self, sh: &mut Shared, out: &mut [Delivery]) -> usize {
        let max_in_flight = u64::from(self.cfg.max_in_flight);
        self.store.begin_receive();
        let mut n = 0;
        while n < out.len()
            && let Some(delivery) = self.take_ghost(sh)
        {
            out[n] = delivery;
            n += 1;
        }
        while n < out.len() && self.in_flight < max_in_flight {
            let Some(h) = self.store.pop_visible() else {
                break;
            };
            let receives = self.store.get_mut(h).receives;
            if self
                .cfg
                .max_receive_count
                .is_some_and(|max| receives >= max)
            {
                self.leave(sh, h, Fate::DeadLettered);
                continue;
            }
            out[n] = (h, self.deliver(sh, h));
            n += 1;
        }
        n
    }

    /// One delivery of a visible message: new receipt, in flight until the
    /// visibility deadline. Returns the receipt.
    #[inline(always)]
    fn deliver(&mut self, sh: &mut Shared, h: Handle) -> u32 {
        self.set_visible(sh, self.visible - 1);
        self.set_in_flight(self.in_flight + 1);
        let receipt = self.receive(sh, h);
        let p = self.cfg.duplicate_delivery;
        if p > 0.0 && self.rng_duplicates.random::<f64>() < p {
            self.ghosts.push_back((h, receipt));
            // Served by the next receive; a waiting long poll gets it now.
            let event = Event::ServeWaiters { queue: self.index };
            sh.events.schedule(sh.now, event);
        }
        receipt
    }

    /// The receive proper: new receipt and deadline, one more holder.
    #[inline(always)]
    fn receive(&mut self, sh: &mut Shared, h: Handle) -> u32 {
        let now = sh.now;
        let deadline = now + self.visibility;
        let m = self.store.get_mut(h);
        m.receives += 1;
        m.state = State::InFlight;
        m.deadline = deadline;
        m.received_at = now;
        m.holders += 1;
        let (receipt, sent_at) = (m.receives, m.sent_at);
        self.store.received(now, h);
        self.rec.on_received(now, sent_at, receipt == 1);
        let event = Event::VisibilityDeadline {
            queue: self.index,
            msg: h,
            receipt,
        };
        sh.events.schedule_in(self.visibility_lane, deadline, event);
        receipt
    }

    /// The next spontaneous copy whose message is still in flight under the
    /// receipt it was copied from; delivered again.
    fn take_ghost(&mut self, sh: &mut Shared) -> Option<Delivery> {
        while let Some((h, receipt)) = self.ghosts.pop_front() {
            let current = self
                .store
                .get(h)
                .is_some_and(|m| m.state == State::InFlight && m.receives == receipt);
            if current {
                self.store.get_mut(h).cause = Redelivery::Spontaneous;
                return Some((h, self.receive(sh, h)));
            }
        }
        None
    }

    // ----- visibility ------------------------------------------------------

    /// A visibility deadline; true when the message became visible again.
    pub fn on_deadline(&mut self, sh: &mut Shared, h: Handle, receipt: u32) -> bool {
        let due = self.store.get(h).is_some_and(|m| {
            m.state == State::InFlight && m.receives == receipt && m.deadline == sh.now
        });
        if due {
            let m = self.store.get_mut(h);
            if m.holders > 0 {
                m.cause = Redelivery::VisibilityExpired;
            }
            self.set_in_flight(self.in_flight - 1);
            self.end_backoff(sh, h);
            self.return_visible(sh, h);
        }
        due
    }

    /// `h` no longer waits out a backoff (visible again, or gone).
    #[inline(always)]
    fn end_backoff(&mut self, sh: &mut Shared, h: Handle) {
        if !self.backing_off.is_empty() && self.backing_off.remove(&h.slot()) {
            sh.backoff_changed(-1);
        }
    }

    /// Whether `h` is in flight under `receipt` (the latest receive).
    #[inline]
    pub fn holds_current(&self, h: Handle, receipt: u32) -> bool {
        self.store
            .get(h)
            .is_some_and(|m| m.state == State::InFlight && m.receives == receipt)
    }

    /// ChangeMessageVisibility to 0 with `receipt`: visible again at once
    /// if the receipt is current; true when it became visible.
    #[inline(always)]
    pub fn release_now(&mut self, sh: &mut Shared, h: Handle, receipt: u32) -> bool {
        if !self.holds_current(h, receipt) {
            return false;
        }
        self.set_in_flight(self.in_flight - 1);
        self.return_visible(sh, h);
        true
    }

    /// ChangeMessageVisibility to `delay` with `receipt` (a backoff): the
    /// message stays in flight until now + `delay`, at most 12 h after its
    /// receive; visible at once with a delay of 0 (true then).
    pub fn hide_for(&mut self, sh: &mut Shared, h: Handle, receipt: u32, delay: u64) -> bool {
        if delay == 0 {
            return self.release_now(sh, h, receipt);
        }
        if !self.holds_current(h, receipt) {
            return false;
        }
        let m = self.store.get_mut(h);
        let deadline = (sh.now + delay).min(m.received_at + VISIBILITY_CAP);
        m.deadline = deadline;
        if self.backing_off.insert(h.slot()) {
            sh.backoff_changed(1);
        }
        let event = Event::VisibilityDeadline {
            queue: self.index,
            msg: h,
            receipt,
        };
        sh.events.schedule(deadline, event);
        false
    }

    /// Extends `h`'s visibility to now + the timeout (a heartbeat), within
    /// the 12 h cap; true when it was extended.
    pub fn extend(&mut self, sh: &mut Shared, h: Handle, receipt: u32) -> bool {
        let deadline = sh.now + self.visibility;
        let m = self.store.get_mut(h);
        if m.state == State::InFlight
            && m.receives == receipt
            && deadline <= m.received_at + VISIBILITY_CAP
        {
            m.deadline = deadline;
            let event = Event::VisibilityDeadline {
                queue: self.index,
                msg: h,
                receipt,
            };
            sh.events.schedule_in(self.visibility_lane, deadline, event);
            return true;
        }
        false
    }

    /// An in-flight message becomes visible again (where: see
    /// [`QueueStore::return_visible`]).
    fn return_visible(&mut self, sh: &mut Shared, h: Handle) {
        let key = self.store.get_mut(h).sent_at + self.delay;
        self.store.return_visible(sh.now, h, key);
        self.set_visible(sh, self.visible + 1);
    }

    // ----- deletes and departures -------------------------------------------

    /// DeleteMessage with `receipt` takes effect (or fails in an outage);
    /// true when the message left.
    #[inline]
    pub fn delete(&mut self, sh: &mut Shared, h: Handle, receipt: u32) -> bool {
        let down = self.down();
        let m = self.store.get_mut(h);
        let alive = matches!(m.state, State::Visible | State::InFlight);
        if down {
            if alive {
                m.cause = Redelivery::DeleteFailed;
            }
            return false;
        }
        let latest = m.receives == receipt;
        let current = latest || self.cfg.stale_delete == StaleDelete::Deletes;
        if self.cfg.kind == QueueKind::Fifo && !(m.state == State::InFlight && latest) {
            // FIFO queues answer an expired receipt handle (its visibility
            // timeout ran out, whatever happened since) with an error.
            self.rec.counts.delete_errors += 1;
            return false;
        }
        if alive && current {
            self.leave(sh, h, Fate::Deleted);
            return true;
        }
        false
    }

    /// Moves the first visible message to queue `to` (a redrive); false
    /// when none is visible.
    pub fn move_out(&mut self, sh: &mut Shared, to: u16) -> bool {
        self.store.begin_receive();
        let Some(h) = self.store.pop_visible() else {
            return false;
        };
        self.leave(sh, h, Fate::Redriven(to));
        true
    }

    /// A consumer lets go of `h` (its slot is freed if the message is gone).
    #[inline(always)]
    pub fn release(&mut self, h: Handle) {
        self.store.get_mut(h).holders -= 1;
        self.store.free_if_unheld(h);
    }

    /// `h` leaves the queue for good; a dead-lettered message moves to the
    /// dead-letter queue, if there is one.
    fn leave(&mut self, sh: &mut Shared, h: Handle, fate: Fate) {
        let m = *self.store.get_mut(h);
        match m.state {
            State::Visible => self.set_visible(sh, self.visible - 1),
            State::InFlight => self.set_in_flight(self.in_flight - 1),
            State::Delayed => self.delayed -= 1,
            State::Gone | State::Free => unreachable!("a message leaves only once"),
        }
        match fate {
            Fate::Deleted => self.rec.on_deleted(),
            Fate::DeadLettered => {
                self.rec.counts.dead_lettered += 1;
                if let Some(dlq) = self.dead_letter {
                    let lineage = self.store.lineage(h);
                    sh.outbox.push(Outgoing {
                        to: Destination::Queue(dlq),
                        lineage,
                        key: 0,
                    });
                }
            }
            Fate::Expired => self.rec.counts.expired += 1,
            Fate::Redriven(to) => {
                self.rec.counts.redriven += 1;
                let lineage = self.store.lineage(h);
                sh.outbox.push(Outgoing {
                    to: Destination::Queue(to),
                    lineage,
                    key: 0,
                });
            }
        }
        self.rec.on_gone(sh.now - m.sent_at);
        self.end_backoff(sh, h);
        self.store.remove(sh.now, h);
    }

    /// The oldest never-received message expires (it has no record).
    fn expire_cold(&mut self, sh: &mut Shared) {
        if let Some(sent_at) = self.store.expire_cold() {
            self.set_visible(sh, self.visible - 1);
            self.rec.counts.expired += 1;
            self.rec.on_gone(sh.now - sent_at);
        }
    }

    fn arm_retention_timer(&mut self, sh: &mut Shared) {
        if !self.retention_timer
            && let Some((_, sent_at)) = self.store.oldest()
        {
            self.retention_timer = true;
            let event = Event::RetentionCheck { queue: self.index };
            sh.events.schedule(sent_at + self.retention, event);
        }
    }

    /// Expires every message past retention. Always returns true: an
    /// expired in-flight message may unlock its FIFO group.
    pub fn on_retention_check(&mut self, sh: &mut Shared) -> bool {
        self.retention_timer = false;
        while let Some((oldest, sent_at)) = self.store.oldest() {
            if sent_at + self.retention > sh.now {
                break;
            }
            match oldest {
                Oldest::Record(h) => self.leave(sh, h, Fate::Expired),
                Oldest::Cold => self.expire_cold(sh),
            }
        }
        self.arm_retention_timer(sh);
        true
    }

    /// Age of the oldest live message at `now`, µs (0 when empty).
    pub fn oldest_age(&mut self, now: u64) -> u64 {
        self.store
            .oldest()
            .map_or(0, |(_, sent_at)| now.saturating_sub(sent_at))
    }

    /// Periodic upkeep: drops stale index entries.
    pub fn compact(&mut self) {
        self.store.compact();
    }

    /// The send time and lineage of `h` (for a processing's statistics).
    pub fn lineage(&self, h: Handle) -> Lineage {
        self.store.lineage(h)
    }
}
