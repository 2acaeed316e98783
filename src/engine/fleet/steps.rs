//! A message's processing in steps, for fleets that hold shared resources
//! (`uses`) or look their messages up first (`idempotency`).
//!
//! The steps, in order: the idempotency lookup (holding its `store`
//! resource, if any), the fleet's own processing (left out when it is the
//! constant 0), then each `uses` entry: acquire the resource (waiting in
//! its line, first come first served), hold it. A step that needs a
//! resource asks for it at the instant the step starts (after the
//! receive's round trip for the first message of a batch). The outcome
//! (error draw, poison) is decided when the last step ends; an acquire
//! that times out, or fails in a resource outage, fails the processing at
//! once and skips the remaining steps. A lookup that finds the message
//! completed within `ttl` skips the rest: no side effect, nothing emitted,
//! the message is deleted (`duplicates_suppressed`).
//!
//! Every step ends with the consumer's `ProcessingDone` event (its batch
//! number makes a step of an abandoned batch stale); what ended is read
//! from the consumer's [`Slot`] and stage. A consumer that goes down leaves
//! the line, or gives its slot back, at once.

use std::collections::HashMap;

use super::Fleet;
use crate::dist::Dist;
use crate::engine::events::Event;
use crate::engine::queue::{Handle, Queue};
use crate::engine::resource::{Acquire, Waiter};
use crate::engine::shared::Shared;
use crate::scenario::ConsumerConfig;
use crate::time::round_ticks;

/// How long a refused acquire takes to fail: the connection error's round
/// trip. It keeps a consumer that retries at once (`on_error = "release"`)
/// from looping without time passing.
pub(super) const REFUSAL_ROUND_TRIP: u64 = 1_000;

/// One step of a message's processing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stage {
    /// The idempotency lookup.
    Lookup,
    /// The fleet's own processing draw.
    Own,
    /// Holding the resource of `uses` entry `k`.
    Use(u8),
}

/// Where a consumer stands with a shared resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Slot {
    /// Neither waiting for nor holding one.
    Free,
    /// It will ask for resource `r` when its pending event fires.
    Pending(u16),
    /// In resource `r`'s line.
    Waiting(u16),
    /// Refused by a resource in a fail-fast outage; the processing fails
    /// when its pending event fires.
    Refused,
    /// Holding resource `r`.
    Holding(u16),
}

/// The steps of `cfg`'s processing; empty when it is one draw.
pub(super) fn stages(cfg: &ConsumerConfig) -> Vec<Stage> {
    if cfg.uses.is_empty() && cfg.idempotency.is_none() {
        return Vec::new();
    }
    let mut stages = Vec::with_capacity(cfg.uses.len() + 2);
    if cfg.idempotency.is_some() {
        stages.push(Stage::Lookup);
    }
    if cfg.processing != (Dist::Const { value: 0.0 }) {
        stages.push(Stage::Own);
    }
    stages.extend((0..cfg.uses.len()).map(|k| Stage::Use(k as u8)));
    stages
}

/// The ids of messages completed within `ttl` (an idempotency table),
/// with when each completed.
pub(crate) struct Completed {
    ttl: u64,
    at: HashMap<u64, u64>,
    /// Entries beyond this many trigger a sweep of the expired ones.
    sweep_at: usize,
}

impl Completed {
    pub(super) fn new(ttl: u64) -> Self {
        Completed {
            ttl,
            at: HashMap::new(),
            sweep_at: 1024,
        }
    }

    /// Whether `id` completed within the ttl before `now`.
    fn holds(&self, id: u64, now: u64) -> bool {
        self.at.get(&id).is_some_and(|&t| now - t <= self.ttl)
    }

    /// `id` completed at `now`.
    fn record(&mut self, id: u64, now: u64) {
        self.at.insert(id, now);
        if self.at.len() >= self.sweep_at {
            let ttl = self.ttl;
            self.at.retain(|_, t| now - *t <= ttl);
            self.sweep_at = (2 * self.at.len()).max(1024);
        }
    }
}

/// The id an idempotency table knows a message by: its queue's id for it.
fn message_id(h: Handle) -> u64 {
    u64::from(h.slot()) << 32 | u64::from(h.generation())
}

impl Fleet<'_> {
    /// Whether a message's processing takes several steps.
    #[inline(always)]
    pub(super) fn staged(&self) -> bool {
        !self.stages.is_empty()
    }

    /// Consumer `c` starts the steps of its current message at `at`.
    pub(super) fn begin_steps(&mut self, c: usize, at: u64, sh: &mut Shared) {
        self.consumers[c].stage = 0;
        self.start_stage(c, at, sh);
    }

    fn step_done_event(&self, c: usize) -> Event {
        Event::ProcessingDone {
            fleet: self.index,
            consumer: c as u32,
            batch: self.consumers[c].batch_id,
        }
    }

    fn start_stage(&mut self, c: usize, at: u64, sh: &mut Shared) {
        match self.stages[usize::from(self.consumers[c].stage)] {
            Stage::Own => {
                let secs = self.processing.sample(&mut self.rng.processing) * self.slowdown;
                let service = round_ticks(secs * 1e6).max(1);
                let event = self.step_done_event(c);
                sh.events.schedule(at + service, event);
                self.maybe_crash_during(c, at, service, sh);
            }
            Stage::Lookup => {
                let (sampler, store) = self.lookup.as_ref().expect("a lookup stage has a lookup");
                let draw = sampler.sample(&mut self.rng.lookups) * 1e6;
                match *store {
                    Some(r) => self.acquire_at(c, r, draw, at, sh),
                    None => {
                        let event = self.step_done_event(c);
                        sh.events.schedule(at + round_ticks(draw), event);
                    }
                }
            }
            Stage::Use(k) => {
                let (r, sampler) = &self.holds[usize::from(k)];
                let (r, draw) = (*r, sampler.sample(&mut self.rng.holds) * 1e6);
                self.acquire_at(c, r, draw, at, sh);
            }
        }
    }

    /// Consumer `c` will ask for resource `r` at `at`, to hold it `draw`
    /// ticks.
    fn acquire_at(&mut self, c: usize, r: u16, draw: f64, at: u64, sh: &mut Shared) {
        self.consumers[c].hold_draw = draw;
        if at > sh.now {
            self.consumers[c].slot = Slot::Pending(r);
            let event = self.step_done_event(c);
            sh.events.schedule(at, event);
        } else {
            self.acquire(c, r, sh);
        }
    }

    fn waiter(&self, c: usize, now: u64) -> Waiter {
        Waiter {
            fleet: self.index,
            consumer: c as u32,
            ticket: self.consumers[c].ticket,
            since: now,
        }
    }

    /// Consumer `c` asks for resource `r` now. A refusal fails the
    /// processing [`REFUSAL_ROUND_TRIP`] later.
    fn acquire(&mut self, c: usize, r: u16, sh: &mut Shared) {
        let consumer = &mut self.consumers[c];
        consumer.ticket = consumer.ticket.wrapping_add(1);
        let who = self.waiter(c, sh.now);
        match sh.resources[usize::from(r)].acquire(sh.now, who) {
            Acquire::Granted(factor) => self.start_hold(c, r, factor, sh),
            Acquire::Queued => {
                self.consumers[c].slot = Slot::Waiting(r);
                if let Some(t) = sh.resources[usize::from(r)].timeout {
                    let event = Event::AcquireTimeout {
                        fleet: self.index,
                        consumer: c as u32,
                        ticket: who.ticket,
                    };
                    sh.events.schedule(sh.now + t, event);
                }
            }
            Acquire::Failed => {
                self.consumers[c].slot = Slot::Refused;
                let event = self.step_done_event(c);
                sh.events.schedule(sh.now + REFUSAL_ROUND_TRIP, event);
            }
        }
    }

    fn start_hold(&mut self, c: usize, r: u16, factor: f64, sh: &mut Shared) {
        let consumer = &mut self.consumers[c];
        consumer.slot = Slot::Holding(r);
        consumer.hold_start = sh.now;
        let ticks = round_ticks(consumer.hold_draw * factor).max(1);
        let event = self.step_done_event(c);
        sh.events.schedule(sh.now + ticks, event);
    }

    /// The current step of consumer `c` (still on batch `batch`) ended.
    pub(super) fn on_step_done(&mut self, c: usize, batch: u32, q: &mut Queue, sh: &mut Shared) {
        match self.consumers[c].slot {
            Slot::Pending(r) => {
                self.acquire(c, r, sh);
                return;
            }
            Slot::Refused => {
                self.consumers[c].slot = Slot::Free;
                self.step_failed(c, q, sh);
                return;
            }
            Slot::Holding(r) => {
                self.consumers[c].slot = Slot::Free;
                let held = sh.now - self.consumers[c].hold_start;
                sh.resources[usize::from(r)].release(sh.now, held, &mut sh.granted);
            }
            Slot::Free | Slot::Waiting(_) => {}
        }
        let consumer = &self.consumers[c];
        if self.stages[usize::from(consumer.stage)] == Stage::Lookup {
            let (h, _) = consumer.batch[consumer.pos];
            let done = self.completed.as_ref().expect("a lookup stage has a table");
            if done.holds(message_id(h), sh.now) {
                self.complete_message(c, batch, q, sh, true);
                return;
            }
        }
        let consumer = &mut self.consumers[c];
        consumer.stage += 1;
        if usize::from(consumer.stage) < self.stages.len() {
            self.start_stage(c, sh.now, sh);
        } else {
            self.complete_message(c, batch, q, sh, false);
        }
    }

    /// Consumer `c`'s turn at the resource it waits for came, with hold
    /// factor `factor`.
    pub fn on_granted(&mut self, c: usize, ticket: u32, factor: f64, sh: &mut Shared) {
        let consumer = &self.consumers[c];
        let Slot::Waiting(r) = consumer.slot else {
            unreachable!("a consumer leaves every line it stops waiting in");
        };
        debug_assert_eq!(consumer.ticket, ticket);
        self.start_hold(c, r, factor, sh);
    }

    /// Consumer `c`'s acquire `ticket` waited `acquire_timeout`.
    pub fn on_acquire_timeout(&mut self, c: usize, ticket: u32, q: &mut Queue, sh: &mut Shared) {
        let consumer = &self.consumers[c];
        let Slot::Waiting(r) = consumer.slot else {
            return;
        };
        if consumer.ticket != ticket {
            return;
        }
        let who = self.waiter(c, sh.now);
        sh.resources[usize::from(r)].leave_line(sh.now, who, true);
        self.consumers[c].slot = Slot::Free;
        self.step_failed(c, q, sh);
    }

    /// The current processing of consumer `c` fails now (a refused or
    /// timed-out acquire): the remaining steps are skipped.
    fn step_failed(&mut self, c: usize, q: &mut Queue, sh: &mut Shared) {
        let consumer = &self.consumers[c];
        let (h, receipt) = consumer.batch[consumer.pos];
        self.failed(c, h, receipt, q, sh);
    }

    /// Consumer `c` goes down: it leaves any line and gives back any slot.
    pub(super) fn drop_resource(&mut self, c: usize, sh: &mut Shared) {
        let slot = std::mem::replace(&mut self.consumers[c].slot, Slot::Free);
        match slot {
            Slot::Waiting(r) => {
                let who = self.waiter(c, sh.now);
                sh.resources[usize::from(r)].leave_line(sh.now, who, false);
            }
            Slot::Holding(r) => sh.resources[usize::from(r)].abandon(sh.now, &mut sh.granted),
            Slot::Free | Slot::Pending(_) | Slot::Refused => {}
        }
    }

    /// Records message `h` completed at `now`, if the fleet keeps a
    /// table; a `repeat` completed although the table was looked at: its
    /// side effect happened again.
    #[inline(always)]
    pub(super) fn record_completed(&mut self, h: Handle, repeat: bool, q: &mut Queue, now: u64) {
        if let Some(done) = &mut self.completed {
            done.record(message_id(h), now);
            q.rec.counts.side_effect_duplicates += u64::from(repeat);
        }
    }
}
