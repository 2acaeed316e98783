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
//! The backlog watched is the network's: visible messages in all queues
//! (in a single-queue scenario, that queue's), plus the messages hidden by
//! a retry backoff, which are backlog waiting out its delay.
//!
//! What a fault does to its target is the target's rule: spikes act through
//! the arrival rate (the producers' arrival processes); a consumer outage,
//! a slowdown or an error burst acts on a fleet; a queue outage on a queue.
//! The network turns them on and off ([`super::network`]).

use super::result::FaultOutcome;
use crate::scenario::Scenario;

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

/// Messages lost so far, network-wide: what a fault's window is charged.
#[derive(Clone, Copy, Debug, Default)]
pub struct Losses {
    /// Messages producers gave up on.
    pub dropped: u64,
    /// Messages expired.
    pub expired: u64,
}

/// The recovery watches of one replication: one per fault and one for the
/// whole timeline.
pub struct Watches {
    watches: Vec<Watch>,
    /// The whole timeline: first start to last end.
    overall: Watch,
    last_end: u64,
    first: Option<usize>,
    tracking: usize,
}

impl Watches {
    /// Watches for the faults of `sc`.
    pub fn new(sc: &Scenario) -> Self {
        let first = (0..sc.faults.len()).min_by_key(|&i| sc.faults[i].at);
        Watches {
            watches: vec![Watch::default(); sc.faults.len()],
            overall: Watch::default(),
            last_end: sc.faults.iter().map(|f| f.end().ticks()).max().unwrap_or(0),
            first,
            tracking: 0,
        }
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

impl Watches {
    /// Fault `i`'s prep instant: the pre-fault window opens (`area`: the
    /// integral of the visible backlog so far).
    pub fn prep(&mut self, i: usize, now: u64, area: u128) {
        let w = &mut self.watches[i];
        (w.prep_at, w.prep_area) = (now, area);
        if self.first == Some(i) {
            (self.overall.prep_at, self.overall.prep_area) = (now, area);
        }
    }

    /// Fault `i` starts with `visible` messages visible.
    pub fn start(&mut self, i: usize, now: u64, area: u128, visible: u64, losses: Losses) {
        let start = |w: &mut Watch| {
            w.level = if now > w.prep_at {
                (area - w.prep_area) as f64 / (now - w.prep_at) as f64
            } else {
                visible as f64
            };
            w.tracking = true;
            w.peak = visible;
            w.dropped_at_start = losses.dropped;
            w.expired_at_start = losses.expired;
        };
        start(&mut self.watches[i]);
        self.tracking += 1;
        if self.first == Some(i) {
            start(&mut self.overall);
            self.tracking += 1;
        }
    }

    /// Fault `i` ends; observe the backlog afterwards (it may already be back).
    pub fn end(&mut self, i: usize, now: u64, visible: u64, losses: Losses) {
        let w = &mut self.watches[i];
        w.end = Some(now);
        w.backlog_at_end = visible;
        w.dropped = losses.dropped - w.dropped_at_start;
        w.expired = losses.expired - w.expired_at_start;
        if now == self.last_end && self.overall.end.is_none() {
            self.overall.end = Some(now);
        }
    }

    /// Closes the books of faults still on when the run stops at `end` (one
    /// that ends at the horizon of a run without drain): their end-of-fault
    /// figures are taken at `end`, and they count as not drained.
    pub fn close_open(&mut self, end: u64, visible: u64, losses: Losses) {
        let close = |w: &mut Watch| {
            if w.tracking && w.end.is_none() {
                w.end = Some(end);
                w.backlog_at_end = visible;
                w.dropped = losses.dropped - w.dropped_at_start;
                w.expired = losses.expired - w.expired_at_start;
            }
        };
        self.watches.iter_mut().for_each(close);
        close(&mut self.overall);
    }
}
