//! Autoscaling consumers: target tracking on visible messages per running
//! consumer, and scheduled capacity (`[consumers] autoscale`).
//!
//! The fleet has `slots()` consumers; those not launched are down for that
//! reason (on top of crashes and outages, see `fleet.rs`). Every
//! `evaluation` the scaler compares `ceil(backlog / target)` (backlog:
//! visible messages, or visible and in flight), clamped to
//! `[max(min, scheduled floor), max]`, with the consumers launched (starting
//! or serving). It launches the difference at once, and retires it only
//! once the desired count has stayed below the fleet for `scale_in_after`
//! (AWS target tracking scales out fast and in slowly); no action within
//! `cooldown` of the previous one. A scheduled step applies at its time, whatever
//! the cooldown: it raises the floor (with a target) or sets the count
//! (without one).
//!
//! Launching takes the lowest free slot; the consumer serves after
//! `startup`. Retiring takes, in order: consumers still starting, then
//! serving ones that hold no batch, then busy ones (highest slot first).
//! A busy one either finishes its batch and then stops (`scale_in =
//! "finish"`) or stops at once, abandoning its messages to their visibility
//! timeouts (`"abandon"`). Consumers are paid for from launch to stop:
//! `consumer_hours`.

use super::{Activity, Fleet};
use crate::engine::events::Event;
use crate::engine::queue::Queue;
use crate::engine::shared::Shared;
use crate::scenario::{ScaleIn, ScaleMetric};

/// Where a consumer slot is in its launch cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provision {
    /// Not launched (down for that reason).
    Off,
    /// Launched; serves when its `startup` ends (launch number `u32`).
    Starting(u32),
    /// Serving (or down for a crash or an outage).
    On,
    /// Retired while busy: stops when its batch is done.
    Draining,
}

/// The scaler's state.
#[derive(Debug, Default)]
pub struct Scaler {
    /// Consumers starting or on (the capacity the target is compared with).
    launched: u32,
    /// Consumers starting.
    pub starting: u32,
    /// Floor set by the latest scheduled step.
    floor: u32,
    last_action: Option<u64>,
    launches: u32,
    /// Since when the desired count has been below the fleet.
    below_since: Option<u64>,
}

impl Scaler {
    pub fn new(launched: u32) -> Self {
        Scaler {
            launched,
            ..Self::default()
        }
    }
}

impl Fleet<'_> {
    /// Arms the first evaluation and the scheduled steps.
    pub(super) fn start_autoscaling(&mut self, sh: &mut Shared) {
        let Some(a) = &self.cfg.autoscale else {
            return;
        };
        let fleet = self.index;
        if a.target_backlog_per_consumer.is_some() {
            sh.events
                .schedule(a.evaluation.ticks(), Event::ScaleEvaluation { fleet });
        }
        for (i, step) in a.schedule.iter().enumerate() {
            let event = Event::CapacityStep {
                fleet,
                step: i as u32,
            };
            sh.events.schedule(step.at.ticks(), event);
        }
    }

    pub fn on_scale_evaluation(&mut self, q: &mut Queue, sh: &mut Shared) {
        let Some(a) = &self.cfg.autoscale else {
            return;
        };
        let now = sh.now;
        let target = a.target_backlog_per_consumer.unwrap_or(f64::INFINITY);
        let lowest = a.min.max(self.scaler.floor);
        let backlog = match a.metric {
            ScaleMetric::Visible => q.visible,
            ScaleMetric::VisibleAndInFlight => q.visible + q.in_flight,
        };
        let wanted = (backlog as f64 / target).ceil() as u32;
        let mut desired = wanted.clamp(lowest, a.max.max(lowest));
        if let Some(per_minute) = a.scale_out_rate {
            // Lambda-style ramp: at most this many launches per minute.
            let step = (per_minute * a.evaluation.as_secs_f64() / 60.0)
                .floor()
                .max(1.0);
            desired = desired.min(self.scaler.launched.saturating_add(step as u32));
        }
        let cooling = self
            .scaler
            .last_action
            .is_some_and(|at| now < at + a.cooldown.ticks());
        // Scale out at once; scale in only once the fleet has been too big
        // for `scale_in_after` without a break.
        let below_since = match self.scaler.below_since {
            _ if desired >= self.scaler.launched => None,
            Some(since) => Some(since),
            None => Some(now),
        };
        self.scaler.below_since = below_since;
        let scale_in_due = below_since.is_some_and(|since| now - since >= a.scale_in_after.ticks());
        if !cooling && (desired > self.scaler.launched || scale_in_due) {
            self.scale_to(desired, q, sh);
            self.scaler.below_since = None;
        }
        let next = now + a.evaluation.ticks();
        let event = Event::ScaleEvaluation { fleet: self.index };
        sh.events.schedule(next, event);
    }

    pub fn on_capacity_step(&mut self, i: usize, q: &mut Queue, sh: &mut Shared) {
        let Some(a) = &self.cfg.autoscale else {
            return;
        };
        let count = a.schedule[i].count;
        self.scaler.floor = count;
        // Without a target the schedule is the fleet; with one, a floor.
        if a.target_backlog_per_consumer.is_none() || self.scaler.launched < count {
            self.scale_to(count, q, sh);
        }
    }

    fn scale_to(&mut self, desired: u32, q: &mut Queue, sh: &mut Shared) {
        while self.scaler.launched < desired && self.launch(q, sh) {}
        while self.scaler.launched > desired && self.retire(q, sh) {}
        self.scaler.last_action = Some(sh.now);
    }

    /// Launches the lowest free slot; false when there is none.
    fn launch(&mut self, q: &mut Queue, sh: &mut Shared) -> bool {
        let Some(c) =
            (0..self.consumers.len()).find(|&c| self.consumers[c].provision == Provision::Off)
        else {
            return false;
        };
        self.scaler.launches += 1;
        let launch = self.scaler.launches;
        self.consumers[c].provision = Provision::Starting(launch);
        self.scaler.launched += 1;
        self.scaler.starting += 1;
        set_paid(q, sh.now, 1);
        let startup = self.cfg.autoscale.as_ref().map_or(0, |a| a.startup.ticks());
        let event = Event::Started {
            fleet: self.index,
            consumer: c as u32,
            launch,
        };
        sh.events.schedule(sh.now + startup, event);
        true
    }

    pub fn on_started(&mut self, c: usize, launch: u32, q: &mut Queue, sh: &mut Shared) {
        if self.consumers[c].provision != Provision::Starting(launch) {
            return; // retired before it started
        }
        self.consumers[c].provision = Provision::On;
        self.scaler.starting -= 1;
        self.come_up(c, q, sh);
    }

    /// Retires one launched consumer (see the module docs for which);
    /// false when none is left.
    fn retire(&mut self, q: &mut Queue, sh: &mut Shared) -> bool {
        let slots = (0..self.consumers.len()).rev();
        let starting = slots
            .clone()
            .find(|&c| matches!(self.consumers[c].provision, Provision::Starting(_)));
        let on = |busy: bool| {
            slots.clone().find(|&c| {
                let consumer = &self.consumers[c];
                consumer.provision == Provision::On
                    && (consumer.activity == Activity::Processing) == busy
            })
        };
        let Some(c) = starting.or_else(|| on(false)).or_else(|| on(true)) else {
            return false;
        };
        self.scaler.launched -= 1;
        match self.consumers[c].provision {
            Provision::Starting(_) => {
                self.scaler.starting -= 1;
                self.consumers[c].provision = Provision::Off;
                set_paid(q, sh.now, -1);
            }
            _ if self.consumers[c].activity == Activity::Processing
                && self.cfg.autoscale.as_ref().map(|a| a.scale_in) == Some(ScaleIn::Finish) =>
            {
                self.consumers[c].provision = Provision::Draining;
            }
            _ => self.stop(c, q, sh),
        }
        true
    }

    /// Consumer `c` stops now: down for good (until launched again).
    pub(super) fn stop(&mut self, c: usize, q: &mut Queue, sh: &mut Shared) {
        self.consumers[c].provision = Provision::Off;
        set_paid(q, sh.now, -1);
        self.go_down(c, q, sh);
    }
}

/// Consumers paid for change by `change` at `now`.
fn set_paid(q: &mut Queue, now: u64, change: i64) {
    let paid = q.rec.paid.value.saturating_add_signed(change);
    q.rec.paid.set(now, paid);
}
