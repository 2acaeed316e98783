//! Consumers going down and coming back: spontaneous crashes (`crash`) and
//! `consumer-outage` faults.
//!
//! A consumer is down while it has at least one reason to be (a crash it has
//! not restarted from, each outage that covers it, not being launched by
//! autoscaling). Going down abandons everything it holds: its messages stay
//! in flight until their visibility deadlines pass, then any consumer may
//! receive them (SQS), or they are visible again at once
//! (`on_consumer_loss = "requeue"`: a broker that sees the connection close,
//! such as RabbitMQ). A processed message
//! whose delete was still on its way is blamed, if it is processed again, on
//! the crash. Crash timers run only while a consumer is up (exponential with
//! mean `mtbf`, drawn afresh at each start); a crash while down for an outage
//! cannot happen.

use rand::Rng;
use rand_distr::Exp1;

use super::autoscale::Provision;
use super::events::Event;
use super::queue::{Redelivery, State};
use super::sim::{Activity, Simulation};
use crate::scenario::ConsumerLoss;
use crate::time::round_ticks;

impl Simulation<'_> {
    /// Arms consumer `c`'s next crash, if crashes are on.
    pub(super) fn schedule_crash(&mut self, c: usize) {
        let Some(mtbf) = self.sc.consumers().crash.as_ref().and_then(|c| c.mtbf) else {
            return;
        };
        let gap: f64 = self.rng_crashes.sample(Exp1);
        let at = self.now + round_ticks(gap * mtbf.ticks() as f64);
        let epoch = self.consumers[c].epoch;
        self.events.schedule(
            at.max(self.now + 1),
            Event::Crash {
                consumer: c as u32,
                epoch,
            },
        );
    }

    /// With probability `crash.per_message`, consumer `c` crashes part-way
    /// through the processing it starts at `start` and that takes `service`.
    pub(super) fn maybe_crash_during(&mut self, c: usize, start: u64, service: u64) {
        let p = self
            .sc
            .consumers()
            .crash
            .as_ref()
            .map_or(0.0, |c| c.per_message);
        if p == 0.0 || self.rng_crashes.random::<f64>() >= p {
            return;
        }
        let point: f64 = self.rng_crashes.random();
        let at = start + (point * service as f64) as u64;
        let epoch = self.consumers[c].epoch;
        self.events.schedule(
            at.max(self.now),
            Event::Crash {
                consumer: c as u32,
                epoch,
            },
        );
    }

    pub(super) fn on_crash(&mut self, c: usize, epoch: u32) {
        let consumer = &self.consumers[c];
        if consumer.down > 0 || consumer.epoch != epoch {
            return;
        }
        self.rec.consumer_crashes += 1;
        self.go_down(c);
        if self.consumers[c].provision == Provision::Draining {
            self.stop(c); // it was to stop after its batch: the crash ends it
        }
        let secs = self
            .restart
            .as_ref()
            .map_or(0.0, |s| s.sample(&mut self.rng_restarts));
        let at = self.now + round_ticks(secs * 1e6).max(1);
        self.events
            .schedule(at, Event::Restart { consumer: c as u32 });
    }

    pub(super) fn on_restart(&mut self, c: usize) {
        self.come_up(c);
    }

    /// One more reason for consumer `c` to be down; abandons its work if it was up.
    pub(super) fn go_down(&mut self, c: usize) {
        let consumer = &mut self.consumers[c];
        consumer.down += 1;
        if consumer.down > 1 {
            return;
        }
        let was_busy = consumer.activity == Activity::Processing;
        consumer.activity = Activity::Down;
        consumer.epoch = consumer.epoch.wrapping_add(1);
        // Stale ProcessingDone / DeleteDone / Heartbeat events carry the old batch.
        consumer.batch_id = consumer.batch_id.wrapping_add(1);
        let (pos, len, deleting) = (consumer.pos, consumer.len, consumer.deleting);
        consumer.deleting = false;
        consumer.len = 0;
        if was_busy {
            let requeue = self.sc.queue().on_consumer_loss == ConsumerLoss::Requeue;
            // Whole batches hold every message until the batch ends.
            let first = if self.whole_batches() { 0 } else { pos };
            self.consumers[c].batch_failed = false;
            for i in first..len {
                let (h, receipt) = self.consumers[c].batch[i];
                let m = self.queue.get_mut(h);
                if i == pos && deleting {
                    m.cause = Redelivery::CrashBeforeDelete;
                }
                m.holders -= 1;
                let held = m.state == State::InFlight && m.receives == receipt;
                if requeue && held {
                    // The broker sees the connection close and requeues now.
                    self.set_in_flight(self.in_flight - 1);
                    self.return_visible(h);
                }
                self.queue.free_if_unheld(h);
            }
            self.busy -= 1;
            self.rec.busy.set(self.now, self.busy);
            if requeue {
                self.serve_waiters();
            }
        }
        self.up -= 1;
        self.rec.up.set(self.now, self.up);
    }

    /// One reason fewer for consumer `c` to be down; at none it starts receiving.
    pub(super) fn come_up(&mut self, c: usize) {
        let consumer = &mut self.consumers[c];
        debug_assert!(consumer.down > 0);
        consumer.down -= 1;
        if consumer.down > 0 {
            return;
        }
        consumer.activity = Activity::Idle;
        self.up += 1;
        self.rec.up.set(self.now, self.up);
        self.schedule_crash(c);
        self.receive_call(c);
    }
}
