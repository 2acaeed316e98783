//! The fault timeline at run time, and the recovery measurements around it.
//!
//! Each fault has three events: *prep* (10 minutes before it starts, or at 0),
//! *start* and *end*. Between prep and start the visible backlog is averaged:
//! that is the fault's **pre-fault level** (the level at the instant of the
//! start when the fault starts at 0). From its start the fault's peak
//! backlog is tracked; from its end, its **drain time** is the time until the
//! visible backlog is first at or below the pre-fault level with no
//! producer retrying a failed send (messages held back by producers are
//! backlog the queue has not seen yet). The run's
//! `drain_time` is measured the same way from the end of the last fault
//! (the latest end) down to the pre-fault level of the first fault (the
//! earliest start). A backlog that never gets back counts until the end of
//! the run, and the fault is marked not drained.
//!
//! Spikes act through the arrival rate ([`super::arrivals`]); slowdowns and
//! error bursts apply to processings that start / finish while they are
//! active; a queue outage makes sends and every consumer call fail.

use super::events::Event;
use super::result::FaultOutcome;
use super::sim::Simulation;
use crate::scenario::{FaultKind, Scenario};

/// How long before a fault its pre-fault level is measured, µs.
pub const PRE_FAULT_WINDOW: u64 = 600 * 1_000_000;

/// Recovery bookkeeping of one fault, or of the whole timeline.
#[derive(Clone, Copy, Debug, Default)]
struct Watch {
    prep_at: u64,
    prep_area: u128,
    level: f64,
    tracking: bool,
    end: Option<u64>,
    drained_at: Option<u64>,
    peak: u64,
    backlog_at_end: u64,
    dropped_at_start: u64,
    expired_at_start: u64,
    dropped: u64,
    expired: u64,
}

impl Watch {
    fn observe(&mut self, now: u64, visible: u64, held_back: bool) {
        if !self.tracking {
            return;
        }
        self.peak = self.peak.max(visible);
        if self.end.is_some_and(|e| now >= e) && !held_back && visible as f64 <= self.level {
            self.drained_at = Some(now);
            self.tracking = false;
        }
    }
}

/// Fault state of one replication.
pub(super) struct FaultRuntime {
    watches: Vec<Watch>,
    /// The whole timeline: first start to last end.
    overall: Watch,
    last_end: u64,
    first: Option<usize>,
    tracking: usize,
    queue_outages: u32,
    /// Product of the active slowdown factors.
    pub slowdown: f64,
    /// The error rate of the latest-starting active burst, if any.
    pub error_rate: Option<f64>,
}

impl FaultRuntime {
    pub fn new(sc: &Scenario) -> Self {
        let first = (0..sc.faults.len()).min_by_key(|&i| sc.faults[i].at);
        FaultRuntime {
            watches: vec![Watch::default(); sc.faults.len()],
            overall: Watch::default(),
            last_end: sc.faults.iter().map(|f| f.end().ticks()).max().unwrap_or(0),
            first,
            tracking: 0,
            queue_outages: 0,
            slowdown: 1.0,
            error_rate: None,
        }
    }

    /// Whether a queue outage is on.
    pub fn queue_down(&self) -> bool {
        self.queue_outages > 0
    }

    /// Whether any backlog watch needs each change of the visible level.
    pub fn watching(&self) -> bool {
        self.tracking > 0
    }

    /// A change of the visible backlog; `held_back`: a producer is retrying
    /// a failed send (its messages are backlog the queue has not seen yet).
    pub fn observe(&mut self, now: u64, visible: u64, held_back: bool) {
        for w in self
            .watches
            .iter_mut()
            .chain(std::iter::once(&mut self.overall))
        {
            let was = w.tracking;
            w.observe(now, visible, held_back);
            if was && !w.tracking {
                self.tracking -= 1;
            }
        }
    }

    /// Per-fault outcomes and the run's drain time at the end of the run.
    pub fn outcomes(&self, end: u64) -> (Vec<FaultOutcome>, f64) {
        let drain = |w: &Watch| match (w.end, w.drained_at) {
            (Some(e), Some(d)) => ((d - e) as f64 / 1e6, true),
            (Some(e), None) => (end.saturating_sub(e) as f64 / 1e6, false),
            (None, _) => (0.0, false),
        };
        let outcomes = self
            .watches
            .iter()
            .map(|w| {
                let (drain_time, drained) = drain(w);
                FaultOutcome {
                    backlog_at_end: w.backlog_at_end as f64,
                    backlog_peak: w.peak as f64,
                    drain_time,
                    drained,
                    dropped: w.dropped as f64,
                    expired: w.expired as f64,
                }
            })
            .collect();
        let overall = if self.watches.is_empty() {
            0.0
        } else {
            drain(&self.overall).0
        };
        (outcomes, overall)
    }
}

impl Simulation<'_> {
    /// Puts every fault's prep, start and end on the event list.
    pub(super) fn schedule_faults(&mut self) {
        for (i, f) in self.sc.faults.iter().enumerate() {
            let fault = i as u32;
            let at = f.at.ticks();
            self.events.schedule(
                at.saturating_sub(PRE_FAULT_WINDOW),
                Event::FaultPrep { fault },
            );
            self.events.schedule(at, Event::FaultStart { fault });
            self.events
                .schedule(f.end().ticks(), Event::FaultEnd { fault });
        }
    }

    pub(super) fn on_fault_prep(&mut self, i: usize) {
        let area = self.rec.visible_all.area_until(self.now);
        let w = &mut self.faults.watches[i];
        (w.prep_at, w.prep_area) = (self.now, area);
        if self.faults.first == Some(i) {
            (self.faults.overall.prep_at, self.faults.overall.prep_area) = (self.now, area);
        }
    }

    pub(super) fn on_fault_start(&mut self, i: usize) {
        let area = self.rec.visible_all.area_until(self.now);
        let (now, visible) = (self.now, self.visible);
        let counts = self.rec.counts;
        let start = |w: &mut Watch| {
            w.level = if now > w.prep_at {
                (area - w.prep_area) as f64 / (now - w.prep_at) as f64
            } else {
                visible as f64
            };
            w.tracking = true;
            w.peak = visible;
            w.dropped_at_start = counts.dropped;
            w.expired_at_start = counts.expired;
        };
        start(&mut self.faults.watches[i]);
        self.faults.tracking += 1;
        if self.faults.first == Some(i) {
            start(&mut self.faults.overall);
            self.faults.tracking += 1;
        }
        self.apply_fault(i, true);
    }

    pub(super) fn on_fault_end(&mut self, i: usize) {
        let (now, visible, counts) = (self.now, self.visible, self.rec.counts);
        let w = &mut self.faults.watches[i];
        w.end = Some(now);
        w.backlog_at_end = visible;
        w.dropped = counts.dropped - w.dropped_at_start;
        w.expired = counts.expired - w.expired_at_start;
        if now == self.faults.last_end && self.faults.overall.end.is_none() {
            self.faults.overall.end = Some(now);
        }
        self.apply_fault(i, false);
        // The level may already be back (or never have left).
        self.observe_backlog();
    }

    /// Closes the books of faults still on when the run stops at `end` (one
    /// that ends at the horizon of a run without drain): their end-of-fault
    /// figures are taken at `end`, and they count as not drained.
    pub(super) fn close_open_faults(&mut self, end: u64) {
        let (visible, counts) = (self.visible, self.rec.counts);
        let close = |w: &mut Watch| {
            if w.tracking && w.end.is_none() {
                w.end = Some(end);
                w.backlog_at_end = visible;
                w.dropped = counts.dropped - w.dropped_at_start;
                w.expired = counts.expired - w.expired_at_start;
            }
        };
        self.faults.watches.iter_mut().for_each(close);
        close(&mut self.faults.overall);
    }

    /// Turns fault `i` on or off.
    fn apply_fault(&mut self, i: usize, on: bool) {
        match &self.sc.faults[i].kind {
            FaultKind::ConsumerOutage { down } => {
                let n = down.of(self.sc.consumers().slots()) as usize;
                for c in 0..n {
                    if on { self.go_down(c) } else { self.come_up(c) }
                }
            }
            FaultKind::QueueOutage => {
                if on {
                    self.faults.queue_outages += 1;
                } else {
                    self.faults.queue_outages -= 1;
                    self.serve_waiters();
                }
            }
            FaultKind::Spike { .. } => {} // built into the arrival rates
            FaultKind::Slowdown { .. } | FaultKind::ErrorBurst { .. } => self.refresh_factors(),
        }
    }

    /// Recomputes the slowdown factor and burst error rate from the faults
    /// active now (start <= now < end).
    fn refresh_factors(&mut self) {
        let now = self.now;
        let active = self
            .sc
            .faults
            .iter()
            .filter(|f| f.at.ticks() <= now && now < f.end().ticks());
        let mut slowdown = 1.0;
        let mut burst: Option<(u64, f64)> = None;
        for f in active {
            match f.kind {
                FaultKind::Slowdown { factor } => slowdown *= factor,
                FaultKind::ErrorBurst { error_rate }
                    if burst.is_none_or(|(at, _)| f.at.ticks() >= at) =>
                {
                    burst = Some((f.at.ticks(), error_rate));
                }
                _ => {}
            }
        }
        self.faults.slowdown = slowdown;
        self.faults.error_rate = burst.map(|(_, r)| r);
    }
}
