//! A fleet's circuit breaker (`breaker`): it stops the fleet's receives
//! while too many of its recent processings fail.
//!
//! Rules (docs/model.md#breakers):
//! - closed: every processing outcome (success or failure, a timed-out or
//!   refused acquire included; a suppressed duplicate is no call) enters a
//!   sliding window of `window`; when the window holds at least
//!   `min_calls` outcomes and the share of failures exceeds `error_rate`,
//!   the breaker opens and the window is emptied;
//! - open: a consumer that would receive waits instead (it is parked);
//!   consumers busy with a batch finish it; after `open_for` the breaker
//!   is half-open;
//! - half-open: one consumer (the first parked, or the first to ask)
//!   receives; the outcome of its first processing closes the breaker (all
//!   parked consumers receive again) or opens it for another `open_for`.

use std::collections::VecDeque;

use super::{Activity, Fleet};
use crate::engine::events::Event;
use crate::engine::queue::Queue;
use crate::engine::shared::Shared;
use crate::scenario::Breaker;

/// A breaker's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Receives flow.
    Closed,
    /// No receives.
    Open,
    /// One probe receives; `Some(c)` once consumer `c` took the probe.
    HalfOpen(Option<u32>),
}

impl State {
    /// The name written in outputs.
    pub fn name(self) -> &'static str {
        match self {
            State::Closed => "closed",
            State::Open => "open",
            State::HalfOpen(_) => "half-open",
        }
    }
}

/// A breaker's state and books.
pub(crate) struct BreakerState {
    cfg: Breaker,
    state: State,
    /// Outcomes in the window: (time, failed).
    calls: VecDeque<(u64, bool)>,
    failures: u32,
    /// Consumers waiting for the breaker to let them receive.
    parked: Vec<u32>,
    /// When it last left the closed state, µs.
    opened_at: u64,
    /// Time spent open or half-open before `opened_at`, µs.
    open_total: u64,
    changes: Vec<(u64, State)>,
    /// Times it opened.
    pub opens: u64,
}

impl BreakerState {
    pub(super) fn new(cfg: Breaker) -> Self {
        BreakerState {
            cfg,
            state: State::Closed,
            calls: VecDeque::new(),
            failures: 0,
            parked: Vec::new(),
            opened_at: 0,
            open_total: 0,
            changes: Vec::new(),
            opens: 0,
        }
    }

    /// Seconds open or half-open until `end`.
    pub(super) fn open_time(&self, end: u64) -> f64 {
        let current = if self.state == State::Closed {
            0
        } else {
            end.saturating_sub(self.opened_at)
        };
        (self.open_total + current) as f64 / 1e6
    }

    /// Its changes of state: (time µs, new state).
    pub(super) fn changes(&self) -> &[(u64, State)] {
        &self.changes
    }

    fn set(&mut self, now: u64, state: State) {
        if self.state == State::Closed {
            self.opened_at = now;
        } else if state == State::Closed {
            self.open_total += now - self.opened_at;
        }
        self.state = state;
        self.changes.push((now, state));
    }

    /// Whether consumer `c` may receive now (taking the probe if it is free).
    fn admits(&mut self, c: u32) -> bool {
        match self.state {
            State::Closed => true,
            State::Open => false,
            State::HalfOpen(None) => {
                self.state = State::HalfOpen(Some(c));
                true
            }
            State::HalfOpen(Some(probe)) => probe == c,
        }
    }

    /// Enters an outcome at `now`; returns the breaker's decision.
    fn record(&mut self, now: u64, c: u32, failed: bool) -> Decision {
        match self.state {
            State::Open | State::HalfOpen(None) => Decision::None,
            State::HalfOpen(Some(probe)) if probe != c => Decision::None,
            State::HalfOpen(Some(_)) if failed => Decision::Open,
            State::HalfOpen(Some(_)) => Decision::Close,
            State::Closed => {
                self.calls.push_back((now, failed));
                self.failures += u32::from(failed);
                let oldest = now.saturating_sub(self.cfg.window.ticks());
                while let Some(&(t, f)) = self.calls.front() {
                    if t > oldest {
                        break;
                    }
                    self.calls.pop_front();
                    self.failures -= u32::from(f);
                }
                let n = self.calls.len();
                let tripped = n >= self.cfg.min_calls as usize
                    && f64::from(self.failures) > self.cfg.error_rate * n as f64;
                if tripped {
                    Decision::Open
                } else {
                    Decision::None
                }
            }
        }
    }
}

/// What an outcome makes the breaker do.
enum Decision {
    None,
    Open,
    Close,
}

impl Fleet<'_> {
    /// Whether consumer `c` may receive; if not, it is parked until the
    /// breaker lets it.
    #[inline(always)]
    pub(super) fn breaker_admits(&mut self, c: usize) -> bool {
        let Some(b) = &mut self.breaker else {
            return true;
        };
        if b.admits(c as u32) {
            return true;
        }
        let consumer = &mut self.consumers[c];
        consumer.activity = Activity::Idle;
        if !consumer.parked {
            consumer.parked = true;
            b.parked.push(c as u32);
        }
        false
    }

    /// Consumer `c`'s processing ended, failed or not.
    #[inline(always)]
    pub(super) fn breaker_outcome(
        &mut self,
        c: usize,
        failed: bool,
        q: &mut Queue,
        sh: &mut Shared,
    ) {
        let Some(b) = &mut self.breaker else {
            return;
        };
        match b.record(sh.now, c as u32, failed) {
            Decision::None => {}
            Decision::Open => {
                b.calls.clear();
                b.failures = 0;
                b.opens += 1;
                q.rec.counts.breaker_opens += 1;
                b.set(sh.now, State::Open);
                let at = sh.now + b.cfg.open_for.ticks();
                sh.events
                    .schedule(at, Event::BreakerProbe { fleet: self.index });
            }
            Decision::Close => {
                b.set(sh.now, State::Closed);
                self.wake_parked(q, sh);
            }
        }
    }

    /// `open_for` passed: the breaker lets one probe through.
    pub fn on_breaker_probe(&mut self, q: &mut Queue, sh: &mut Shared) {
        let b = self
            .breaker
            .as_mut()
            .expect("only a fleet with a breaker probes");
        b.set(sh.now, State::HalfOpen(None));
        self.on_probe_free(q, sh);
    }

    /// Every parked consumer that is up receives again.
    fn wake_parked(&mut self, q: &mut Queue, sh: &mut Shared) {
        let b = self.breaker.as_mut().expect("a breaker closed");
        for c in std::mem::take(&mut b.parked) {
            let consumer = &mut self.consumers[c as usize];
            if consumer.parked && consumer.down == 0 {
                consumer.parked = false;
                self.receive_call(c as usize, q, sh);
            }
        }
    }

    /// Consumer `c` went down: if it held the probe, the next one may.
    pub(super) fn breaker_lost(&mut self, c: usize, q: &mut Queue, sh: &mut Shared) {
        self.consumers[c].parked = false;
        let Some(b) = &mut self.breaker else {
            return;
        };
        if b.state == State::HalfOpen(Some(c as u32)) {
            b.state = State::HalfOpen(None);
            self.on_probe_free(q, sh);
        }
    }

    /// The half-open breaker's probe is free: the first parked consumer
    /// that is up takes it.
    fn on_probe_free(&mut self, q: &mut Queue, sh: &mut Shared) {
        let b = self.breaker.as_mut().expect("a breaker is half-open");
        while !b.parked.is_empty() {
            let c = b.parked.remove(0) as usize;
            let consumer = &mut self.consumers[c];
            if consumer.parked && consumer.down == 0 {
                consumer.parked = false;
                self.receive_call(c, q, sh);
                return;
            }
        }
    }
}
