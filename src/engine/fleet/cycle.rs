//! Consumers: receive (short or long polling), process a batch one message
//! at a time, delete or fail each, extend visibility with heartbeats.
//!
//! A consumer's cycle: ReceiveMessage → (messages) process message 1 →
//! DeleteMessage → process message 2 → … → ReceiveMessage again. Every API
//! call costs the consumer `request_latency`. A long poll that finds nothing
//! waits in line (`waiters`, first come first served) and gets messages the
//! moment they are visible, or returns empty after `wait_time`.
//!
//! During a queue outage every call fails and is not billed: a receive is
//! retried after [`OUTAGE_BACKOFF`], a delete is lost (the message comes back
//! after its timeout), a visibility change has no effect.
//!
//! Spontaneous duplicates (`duplicate_delivery`): each delivery, with that
//! probability, leaves a copy for the next receive of another consumer; the
//! copy is a real receive (new receipt, new deadline, one more receive
//! count), so the first holder's receipt becomes stale. The message's
//! redelivery cause becomes [`Redelivery::Spontaneous`], so whichever of the
//! two processings completes second is blamed on it.

use rand::Rng;

use super::autoscale::Provision;
use super::{Activity, Fleet, MAX_BATCH, SHORT_POLL_MIN_GAP};
use crate::engine::events::Event;
use crate::engine::queue::{Handle, Queue, Redelivery};
use crate::engine::recorder::DuplicateCause;
use crate::engine::rng::splitmix64 as mix;
use crate::engine::shared::{Lineage, Outgoing, Shared};
use crate::scenario::{BatchFailure, OnError};
use crate::time::round_ticks;

/// Pause before a consumer retries a receive that failed in a queue outage, µs.
pub const OUTAGE_BACKOFF: u64 = 1_000_000;

impl Fleet<'_> {
    /// A scheduled ReceiveCall: stale when the consumer went down since.
    pub fn on_receive_call(&mut self, c: usize, epoch: u32, q: &mut Queue, sh: &mut Shared) {
        let consumer = &self.consumers[c];
        if consumer.down == 0 && consumer.epoch == epoch {
            self.receive_call(c, q, sh);
        }
    }

    /// Consumer `c`'s long poll `poll` ends empty after `wait_time`.
    #[inline(always)]
    pub(super) fn arm_poll_timeout(&self, c: usize, poll: u32, sh: &mut Shared) {
        let event = Event::PollTimeout {
            fleet: self.index,
            consumer: c as u32,
            poll,
        };
        sh.events
            .schedule_in(self.poll_lane, sh.now + self.t.wait, event);
    }

    /// Consumer `c`'s next heartbeat for batch `batch`, if heartbeats are on.
    #[inline(always)]
    fn arm_heartbeat(&self, c: usize, batch: u32, sh: &mut Shared) {
        if let Some(interval) = self.t.heartbeat {
            let event = Event::Heartbeat {
                fleet: self.index,
                consumer: c as u32,
                batch,
            };
            sh.events
                .schedule_in(self.heartbeat_lane, sh.now + interval, event);
        }
    }

    fn receive_event(&self, c: usize) -> Event {
        Event::ReceiveCall {
            fleet: self.index,
            consumer: c as u32,
            epoch: self.consumers[c].epoch,
        }
    }

    /// Consumer `c` makes a ReceiveMessage call now.
    pub(super) fn receive_call(&mut self, c: usize, q: &mut Queue, sh: &mut Shared) {
        if q.down() {
            self.consumers[c].activity = Activity::Idle;
            let event = self.receive_event(c);
            sh.events.schedule(sh.now + OUTAGE_BACKOFF, event);
            return;
        }
        if !self.breaker_admits(c) {
            return;
        }
        q.rec.counts.requests_receive += 1;
        self.consumers[c].window_open = self.t.batch_window > 0;
        if self.window_holds(c, q) {
            self.open_window(c, sh);
        } else if self.take_batch(c, q, sh) > 0 {
            self.start_batch(c, q, sh);
        } else if self.t.wait > 0 {
            let consumer = &mut self.consumers[c];
            consumer.poll_id = consumer.poll_id.wrapping_add(1);
            let poll = consumer.poll_id;
            consumer.activity = Activity::Waiting(poll);
            self.waiters.push_back((c as u32, poll));
            self.arm_poll_timeout(c, poll, sh);
        } else {
            q.rec.counts.requests_receive_empty += 1;
            self.consumers[c].activity = Activity::Idle;
            let at = sh.now + self.t.latency.max(SHORT_POLL_MIN_GAP);
            let event = self.receive_event(c);
            sh.events.schedule(at, event);
        }
    }

    /// Hands visible messages to waiting long polls, first come first served.
    #[inline(always)]
    pub fn serve_waiters(&mut self, q: &mut Queue, sh: &mut Shared) {
        // Checked here, inlined, because most calls find nothing to do.
        if !self.waiters.is_empty() && q.has_work() && !q.down() {
            self.hand_out(q, sh);
        }
    }

    /// [`Fleet::serve_waiters`] when there are waiters and work.
    fn hand_out(&mut self, q: &mut Queue, sh: &mut Shared) {
        while q.has_work() {
            let Some((c, poll)) = self.waiters.pop_front() else {
                return;
            };
            let c = c as usize;
            if !self.waits_on(c, poll) {
                continue; // that poll already ended
            }
            if self.window_holds(c, q) {
                // The oldest window is still open: so are the others.
                self.waiters.push_front((c as u32, poll));
                return;
            }
            if self.take_batch(c, q, sh) > 0 {
                self.start_batch(c, q, sh);
            } else {
                // Everything visible was dead-lettered, or (FIFO) sits in
                // locked groups: keep its place until something changes.
                self.waiters.push_front((c as u32, poll));
                return;
            }
        }
    }

    pub fn on_poll_timeout(&mut self, c: usize, poll: u32, q: &mut Queue, sh: &mut Shared) {
        if !self.waits_on(c, poll) {
            return;
        }
        q.rec.counts.requests_receive_empty += 1;
        self.consumers[c].activity = Activity::Idle;
        self.next_receive(c, sh.now + self.t.latency, q, sh);
    }

    /// Receives up to `batch_size` messages into consumer `c`'s batch.
    pub(super) fn take_batch(&mut self, c: usize, q: &mut Queue, sh: &mut Shared) -> usize {
        let batch_size = (self.cfg.batch_size as usize).min(MAX_BATCH);
        let consumer = &mut self.consumers[c];
        let n = q.take_batch(sh, &mut consumer.batch[..batch_size]);
        consumer.len = n;
        consumer.pos = 0;
        n
    }

    pub(super) fn start_batch(&mut self, c: usize, q: &mut Queue, sh: &mut Shared) {
        self.busy += 1;
        q.rec.busy.set(sh.now, self.busy);
        let consumer = &mut self.consumers[c];
        consumer.activity = Activity::Processing;
        consumer.batch_id = consumer.batch_id.wrapping_add(1);
        let batch = consumer.batch_id;
        self.arm_heartbeat(c, batch, sh);
        self.begin_message(c, sh.now + self.t.latency, sh);
    }

    /// Consumer `c` starts processing the current message of its batch at `at`.
    #[inline(always)]
    fn begin_message(&mut self, c: usize, at: u64, sh: &mut Shared) {
        if self.staged() {
            self.begin_steps(c, at, sh);
            return;
        }
        let secs = self.processing.sample(&mut self.rng.processing) * self.slowdown;
        // At least one tick, so that simulated time always advances.
        let service = round_ticks(secs * 1e6).max(1);
        let event = Event::ProcessingDone {
            fleet: self.index,
            consumer: c as u32,
            batch: self.consumers[c].batch_id,
        };
        sh.events.schedule(at + service, event);
        self.maybe_crash_during(c, at, service, sh);
    }

    pub fn on_processing_done(&mut self, c: usize, batch: u32, q: &mut Queue, sh: &mut Shared) {
        let consumer = &self.consumers[c];
        if consumer.activity != Activity::Processing || consumer.batch_id != batch {
            return;
        }
        if self.staged() {
            self.on_step_done(c, batch, q, sh);
        } else {
            self.complete_message(c, batch, q, sh, false);
        }
    }

    /// The processing of consumer `c`'s current message ends: it fails
    /// (an error draw, poison) or succeeds and its message is deleted;
    /// `suppressed`: an idempotency lookup found it done, so nothing runs.
    #[inline(always)]
    pub(super) fn complete_message(
        &mut self,
        c: usize,
        batch: u32,
        q: &mut Queue,
        sh: &mut Shared,
        suppressed: bool,
    ) {
        let consumer = &self.consumers[c];
        let (h, receipt) = consumer.batch[consumer.pos];
        let error_rate = self.error_rate.unwrap_or(self.cfg.error_rate);
        let failed = !suppressed
            && (q.store.get_mut(h).poison
                || (error_rate > 0.0 && self.rng.errors.random::<f64>() < error_rate));
        if failed {
            self.failed(c, h, receipt, q, sh);
            return;
        }
        if suppressed {
            q.rec.counts.duplicates_suppressed += 1;
        } else {
            self.breaker_outcome(c, false, q, sh);
            self.processed(h, q, sh);
        }
        if self.whole_batches() {
            self.next_message(c, sh.now, q, sh); // deleted with the batch, if at all
            return;
        }
        q.rec.counts.requests_delete += u64::from(!q.down());
        if self.t.latency == 0 {
            self.delete(h, receipt, q, sh);
            self.next_message(c, sh.now, q, sh);
        } else {
            self.consumers[c].deleting = true;
            let event = Event::DeleteDone {
                fleet: self.index,
                consumer: c as u32,
                batch,
            };
            if self.emits() {
                // The sends downstream are one more round trip before the delete.
                sh.events.schedule(sh.now + 2 * self.t.latency, event);
            } else {
                sh.events
                    .schedule_in(self.request_lane, sh.now + self.t.latency, event);
            }
        }
    }

    /// The delete of consumer `c`'s current message completes its round trip.
    pub fn on_delete_done(&mut self, c: usize, batch: u32, q: &mut Queue, sh: &mut Shared) {
        let consumer = &mut self.consumers[c];
        if consumer.batch_id != batch || !consumer.deleting {
            return; // the consumer went down meanwhile: the delete is lost
        }
        consumer.deleting = false;
        let (h, receipt) = consumer.batch[consumer.pos];
        self.delete(h, receipt, q, sh);
        self.next_message(c, sh.now, q, sh);
    }

    /// Releases the current message and goes on with the batch at `at`.
    #[inline(always)]
    fn next_message(&mut self, c: usize, at: u64, q: &mut Queue, sh: &mut Shared) {
        let consumer = &mut self.consumers[c];
        let (h, _) = consumer.batch[consumer.pos];
        consumer.pos += 1;
        let more = consumer.pos < consumer.len;
        if !self.whole_batches() {
            q.release(h);
        }
        if more {
            self.begin_message(c, at, sh);
        } else {
            if self.whole_batches() {
                self.settle_whole_batch(c, q, sh);
            }
            self.end_batch(c, at, q, sh);
        }
    }

    /// `batch_failure = "whole"`: a batch is deleted only if every message
    /// in it succeeded (one DeleteMessageBatch call); otherwise nothing is,
    /// and the successful messages come back with the failed ones.
    pub(super) fn whole_batches(&self) -> bool {
        self.cfg.batch_failure == BatchFailure::Whole
    }

    fn settle_whole_batch(&mut self, c: usize, q: &mut Queue, sh: &mut Shared) {
        let consumer = &mut self.consumers[c];
        let (len, failed) = (consumer.len, std::mem::take(&mut consumer.batch_failed));
        if !failed && !q.down() {
            q.rec.counts.requests_delete += 1;
        }
        for i in 0..len {
            let (h, receipt) = self.consumers[c].batch[i];
            if !failed {
                self.delete(h, receipt, q, sh);
            }
            q.release(h);
        }
    }

    /// A processing completed: count it, blaming a repeat on its cause (or
    /// on the upstream duplicate the message is a copy of), and send what
    /// it emits.
    fn processed(&mut self, h: Handle, q: &mut Queue, sh: &mut Shared) {
        let m = q.store.get_mut(h);
        let own = m.completed.then_some(match m.cause {
            Redelivery::Spontaneous => DuplicateCause::Spontaneous,
            Redelivery::CrashBeforeDelete => DuplicateCause::CrashBeforeDelete,
            Redelivery::DeleteFailed => DuplicateCause::DeleteFailed,
            Redelivery::VisibilityExpired | Redelivery::None => DuplicateCause::VisibilityExpired,
        });
        m.completed = true;
        let sent_at = m.sent_at;
        if sh.end_to_end.is_none() {
            // A single queue: no lineage, nothing sent on, its own books.
            q.rec.on_processed(sh.now, sent_at, own);
            self.record_completed(h, own.is_some(), q, sh.now);
            return;
        }
        let lineage = q.lineage(h);
        let duplicate = own.or(lineage.inherited());
        q.rec.on_processed(sh.now, sent_at, duplicate);
        self.record_completed(h, duplicate.is_some(), q, sh.now);
        let sent_on = self.emits() && self.emit(h, lineage, duplicate, sh);
        if !sent_on && let Some(e2e) = &mut sh.end_to_end {
            // A processing that sends nothing on ends its message's journey.
            e2e.on_processed(sh.now, lineage.origin(), duplicate);
            q.rec
                .on_journey_end(sh.now, lineage.origin(), duplicate.is_some());
        }
    }

    /// Sends a message to each emit destination whose draw passes; true
    /// when it sent any. The draw is a hash of the message's identity, so
    /// a message processed twice emits to the same destinations twice.
    fn emit(
        &mut self,
        h: Handle,
        lineage: Lineage,
        duplicate: Option<DuplicateCause>,
        sh: &mut Shared,
    ) -> bool {
        let key = mix(self.route_seed ^ (u64::from(h.slot()) << 32 | u64::from(h.generation())));
        let lineage = Lineage::descended(lineage.origin(), duplicate);
        let mut sent = false;
        for (i, route) in self.routes.iter().enumerate() {
            let key = mix(key ^ i as u64);
            if route.p >= 1.0 || unit(key) < route.p {
                sh.outbox.push(Outgoing {
                    to: route.to,
                    lineage,
                    key,
                });
                sent = true;
            }
        }
        sent
    }

    /// DeleteMessage with `receipt` takes effect (or fails in an outage).
    #[inline(always)]
    fn delete(&mut self, h: Handle, receipt: u32, q: &mut Queue, sh: &mut Shared) {
        if q.delete(sh, h, receipt) {
            self.serve_waiters(q, sh);
        }
    }

    /// Consumer `c`'s processing of `h` failed: `on_error` applies and the
    /// batch goes on (after the call's round trip, if one was made).
    pub(super) fn failed(
        &mut self,
        c: usize,
        h: Handle,
        receipt: u32,
        q: &mut Queue,
        sh: &mut Shared,
    ) {
        self.breaker_outcome(c, true, q, sh);
        let called_api = self.fail(h, receipt, q, sh);
        let next_at = sh.now + if called_api { self.t.latency } else { 0 };
        self.consumers[c].batch_failed = true;
        self.next_message(c, next_at, q, sh);
    }

    /// A failed processing; returns whether an API call was made.
    fn fail(&mut self, h: Handle, receipt: u32, q: &mut Queue, sh: &mut Shared) -> bool {
        match self.cfg.on_error {
            OnError::Wait => false,
            OnError::Release => {
                if q.down() {
                    return true;
                }
                q.rec.counts.requests_change_visibility += 1;
                if q.release_now(sh, h, receipt) {
                    self.serve_waiters(q, sh);
                }
                true
            }
            OnError::Backoff(b) => {
                if q.down() {
                    return true;
                }
                q.rec.counts.requests_change_visibility += 1;
                let mut delay = b.delay_ticks(receipt);
                if b.jitter {
                    delay = self.rng.jitter.random_range(0..=delay);
                }
                if q.hide_for(sh, h, receipt, delay) {
                    self.serve_waiters(q, sh);
                }
                true
            }
        }
    }

    #[inline(always)]
    fn end_batch(&mut self, c: usize, next_at: u64, q: &mut Queue, sh: &mut Shared) {
        self.busy -= 1;
        q.rec.busy.set(sh.now, self.busy);
        self.consumers[c].activity = Activity::Idle;
        if self.consumers[c].provision == Provision::Draining {
            self.stop(c, q, sh); // retired by autoscaling: its batch is done
        } else {
            self.next_receive(c, next_at, q, sh);
        }
    }

    /// The next ReceiveMessage call at `at` (now, or now + request latency).
    #[inline(always)]
    fn next_receive(&mut self, c: usize, at: u64, q: &mut Queue, sh: &mut Shared) {
        if at == sh.now {
            self.receive_call(c, q, sh);
        } else {
            let event = self.receive_event(c);
            sh.events.schedule_in(self.request_lane, at, event);
        }
    }

    /// Extends the visibility of the messages consumer `c` still holds
    /// (one ChangeMessageVisibilityBatch call), within the 12 h cap.
    pub fn on_heartbeat(&mut self, c: usize, batch: u32, q: &mut Queue, sh: &mut Shared) {
        let consumer = &self.consumers[c];
        if consumer.activity != Activity::Processing || consumer.batch_id != batch {
            return;
        }
        let (pos, len) = (consumer.pos, consumer.len);
        // Whole batches hold their finished messages until the batch ends.
        let first = if self.whole_batches() { 0 } else { pos };
        let mut extended = false;
        for i in first..len {
            if q.down() {
                break;
            }
            let (h, receipt) = self.consumers[c].batch[i];
            extended |= q.extend(sh, h, receipt);
        }
        if extended {
            q.rec.counts.requests_change_visibility += 1;
        }
        self.arm_heartbeat(c, batch, sh);
    }
}

/// A hash as a uniform number in [0, 1).
pub(crate) fn unit(key: u64) -> f64 {
    (key >> 11) as f64 / (1u64 << 53) as f64
}
