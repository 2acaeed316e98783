//! The fault timeline at run time: each fault's prep, start and end
//! events, what it strikes, and the recovery watches around it
//! ([`crate::engine::faults`]).
//!
//! A fault's `target` names a queue: a queue outage strikes that queue, a
//! consumer outage, a slowdown or an error burst strikes its fleet. A fault
//! without a target strikes every queue (or fleet): a single-queue
//! scenario's faults, or a network-wide outage.

use super::Network;
use crate::engine::events::Event;
use crate::engine::faults::{Losses, PRE_FAULT_WINDOW};
use crate::scenario::{Fault, FaultKind, Node, OutageMode};

/// Whether `fault` strikes queue (or the fleet of queue) `q`.
fn strikes(fault: &Fault, q: usize) -> bool {
    fault
        .target
        .as_ref()
        .is_none_or(|t| t.node == Node::Queue(q))
}

impl Network<'_> {
    /// Puts every fault's prep, start and end on the event list.
    pub(super) fn schedule_faults(&mut self) {
        for (i, f) in self.sc.faults.iter().enumerate() {
            let fault = i as u32;
            let at = f.at.ticks();
            let events = &mut self.sh.events;
            events.schedule(
                at.saturating_sub(PRE_FAULT_WINDOW),
                Event::FaultPrep { fault },
            );
            events.schedule(at, Event::FaultStart { fault });
            events.schedule(f.end().ticks(), Event::FaultEnd { fault });
        }
    }

    /// Messages lost so far in all queues.
    pub(super) fn losses(&self) -> Losses {
        let mut losses = Losses::default();
        for q in &self.queues {
            losses.dropped += q.rec.counts.dropped;
            losses.expired += q.rec.counts.expired;
        }
        for t in &self.topics {
            losses.dropped += t.counts.dropped;
        }
        losses
    }

    pub(super) fn on_fault_prep(&mut self, i: usize) {
        let now = self.sh.now;
        let area = self.sh.backlog_area(now);
        self.sh.watches.prep(i, now, area);
    }

    pub(super) fn on_fault_start(&mut self, i: usize) {
        let now = self.sh.now;
        let area = self.sh.backlog_area(now);
        let (visible, losses) = (self.sh.backlog(), self.losses());
        self.sh.watches.start(i, now, area, visible, losses);
        self.apply_fault(i, true);
    }

    pub(super) fn on_fault_end(&mut self, i: usize) {
        let (visible, losses) = (self.sh.backlog(), self.losses());
        self.sh.watches.end(i, self.sh.now, visible, losses);
        self.apply_fault(i, false);
        // The level may already be back (or never have left).
        self.sh.observe_backlog();
    }

    /// Closes the books of faults still on at `end`.
    pub(super) fn close_open_faults(&mut self, end: u64) {
        let (visible, losses) = (self.sh.backlog(), self.losses());
        self.sh.watches.close_open(end, visible, losses);
    }

    /// Turns fault `i` on or off.
    fn apply_fault(&mut self, i: usize, on: bool) {
        let fault = &self.sc.faults[i];
        match &fault.kind {
            FaultKind::ConsumerOutage { down } => {
                for f in 0..self.fleets.len() {
                    let fleet = &self.fleets[f];
                    if !strikes(fault, usize::from(fleet.queue)) {
                        continue;
                    }
                    let n = down.of(fleet.cfg().slots()) as usize;
                    let (fleet, q, sh) = self.station(f as u16);
                    for c in 0..n {
                        if on {
                            fleet.go_down(c, q, sh)
                        } else {
                            fleet.come_up(c, q, sh)
                        }
                    }
                }
            }
            FaultKind::QueueOutage => {
                for q in 0..self.queues.len() {
                    if strikes(fault, q) && self.queues[q].outage(on) && !on {
                        self.deliver_pending(q as u16);
                        self.serve(q as u16);
                    }
                }
            }
            FaultKind::Spike { .. } => {} // built into the arrival rates
            FaultKind::Slowdown { .. } | FaultKind::ErrorBurst { .. } => self.refresh_factors(),
            FaultKind::ResourceOutage { resource, mode } => {
                let hang = *mode == OutageMode::Hang;
                let now = self.sh.now;
                let r = &mut self.sh.resources[resource.index];
                r.outage(now, on, hang, &mut self.sh.granted);
            }
            FaultKind::ResourceSlowdown { .. } => self.refresh_resource_factors(),
            FaultKind::Redrive { .. } => self.redrive(i, on),
        }
    }

    /// A redrive starts (its first move now) or ends (later moves are stale).
    fn redrive(&mut self, fault: usize, on: bool) {
        if on {
            self.on_redrive_move(fault, 0);
        }
    }

    /// Move `step` of redrive `fault`: one message from its dead-letter
    /// queue to its destination, then the next at the fault's rate (the
    /// k-th move at `at + k / rate`), until the window ends or nothing is
    /// left to move.
    pub(super) fn on_redrive_move(&mut self, fault: usize, step: u32) {
        let f = &self.sc.faults[fault];
        let FaultKind::Redrive { from, to, rate } = &f.kind else {
            unreachable!("only a redrive moves messages");
        };
        let now = self.sh.now;
        if now >= f.end().ticks() {
            return;
        }
        let (from, to) = (from.queue_index(), to.queue_index());
        if !self.queues[from].move_out(&mut self.sh, to as u16) {
            return;
        }
        let next = f.at.ticks() + crate::time::round_ticks(f64::from(step + 1) * 1e6 / rate);
        let event = Event::RedriveMove {
            fault: fault as u32,
            step: step + 1,
        };
        self.sh.events.schedule(next.max(now), event);
    }

    /// Recomputes each resource's slowdown factor from the
    /// `resource-slowdown` faults active now.
    fn refresh_resource_factors(&mut self) {
        let now = self.sh.now;
        for r in &mut self.sh.resources {
            r.slowdown = 1.0;
        }
        for f in &self.sc.faults {
            if let FaultKind::ResourceSlowdown { resource, factor } = &f.kind
                && f.at.ticks() <= now
                && now < f.end().ticks()
            {
                self.sh.resources[resource.index].slowdown *= factor;
            }
        }
    }

    /// Recomputes each fleet's slowdown factor and burst error rate from
    /// the faults active now (start <= now < end) that strike it.
    fn refresh_factors(&mut self) {
        let now = self.sh.now;
        for fleet in &mut self.fleets {
            let q = usize::from(fleet.queue);
            let active = self
                .sc
                .faults
                .iter()
                .filter(|f| f.at.ticks() <= now && now < f.end().ticks() && strikes(f, q));
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
            fleet.slowdown = slowdown;
            fleet.error_rate = burst.map(|(_, r)| r);
        }
    }
}
