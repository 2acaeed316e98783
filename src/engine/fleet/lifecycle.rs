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
use super::{Activity, Fleet};
use crate::engine::events::Event;
use crate::engine::queue::{Queue, Redelivery};
use crate::engine::shared::Shared;
use crate::scenario::ConsumerLoss;
use crate::time::round_ticks;

impl Fleet<'_> {
    fn crash_event(&self, c: usize) -> Event {
        Event::Crash {
            fleet: self.index,
            consumer: c as u32,
            epoch: self.consumers[c].epoch,
        }
    }

    /// Arms consumer `c`'s next crash, if crashes are on.
    pub(super) fn schedule_crash(&mut self, c: usize, sh: &mut Shared) {
        let Some(mtbf) = self.cfg.crash.as_ref().and_then(|c| c.mtbf) else {
            return;
        };
        let gap: f64 = self.rng.crashes.sample(Exp1);
        let at = sh.now + round_ticks(gap * mtbf.ticks() as f64);
        let event = self.crash_event(c);
        sh.events.schedule(at.max(sh.now + 1), event);
    }

    /// With probability `crash.per_message`, consumer `c` crashes part-way
    /// through the processing it starts at `start` and that takes `service`.
    #[inline(always)]
    pub(super) fn maybe_crash_during(
        &mut self,
        c: usize,
        start: u64,
        service: u64,
        sh: &mut Shared,
    ) {
        let p = self.cfg.crash.as_ref().map_or(0.0, |c| c.per_message);
        if p == 0.0 || self.rng.crashes.random::<f64>() >= p {
            return;
        }
        let point: f64 = self.rng.crashes.random();
        let at = start + (point * service as f64) as u64;
        let event = self.crash_event(c);
        sh.events.schedule(at.max(sh.now), event);
    }

    pub fn on_crash(&mut self, c: usize, epoch: u32, q: &mut Queue, sh: &mut Shared) {
        let consumer = &self.consumers[c];
        if consumer.down > 0 || consumer.epoch != epoch {
            return;
        }
        q.rec.consumer_crashes += 1;
        self.go_down(c, q, sh);
        if self.consumers[c].provision == Provision::Draining {
            self.stop(c, q, sh); // it was to stop after its batch: the crash ends it
        }
        let secs = self
            .restart
            .as_ref()
            .map_or(0.0, |s| s.sample(&mut self.rng.restarts));
        let at = sh.now + round_ticks(secs * 1e6).max(1);
        let event = Event::Restart {
            fleet: self.index,
            consumer: c as u32,
        };
        sh.events.schedule(at, event);
    }

    pub fn on_restart(&mut self, c: usize, q: &mut Queue, sh: &mut Shared) {
        self.come_up(c, q, sh);
    }

    /// One more reason for consumer `c` to be down; abandons its work if it was up.
    pub fn go_down(&mut self, c: usize, q: &mut Queue, sh: &mut Shared) {
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
            self.drop_resource(c, sh);
            let requeue = q.cfg.on_consumer_loss == ConsumerLoss::Requeue;
            // Whole batches hold every message until the batch ends.
            let first = if self.whole_batches() { 0 } else { pos };
            self.consumers[c].batch_failed = false;
            for i in first..len {
                let (h, receipt) = self.consumers[c].batch[i];
                let m = q.store.get_mut(h);
                if i == pos && deleting {
                    m.cause = Redelivery::CrashBeforeDelete;
                }
                m.holders -= 1;
                if requeue {
                    // The broker sees the connection close and requeues
                    // now, if the consumer still held it.
                    q.release_now(sh, h, receipt);
                }
                q.store.free_if_unheld(h);
            }
            self.busy -= 1;
            q.rec.busy.set(sh.now, self.busy);
            if requeue {
                self.serve_waiters(q, sh);
            }
        }
        self.up -= 1;
        q.rec.up.set(sh.now, self.up);
        self.breaker_lost(c, q, sh);
    }

    /// One reason fewer for consumer `c` to be down; at none it starts receiving.
    pub fn come_up(&mut self, c: usize, q: &mut Queue, sh: &mut Shared) {
        let consumer = &mut self.consumers[c];
        debug_assert!(consumer.down > 0);
        consumer.down -= 1;
        if consumer.down > 0 {
            return;
        }
        consumer.activity = Activity::Idle;
        self.up += 1;
        q.rec.up.set(sh.now, self.up);
        self.schedule_crash(c, sh);
        self.receive_call(c, q, sh);
    }
}
