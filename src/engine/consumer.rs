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
use super::events::{Event, Lane};
use super::queue::{Handle, Redelivery, State};
use super::recorder::DuplicateCause;
use super::sim::{Activity, Fate, SHORT_POLL_MIN_GAP, Simulation, VISIBILITY_CAP};
use crate::scenario::{BatchFailure, OnError, QueueKind, StaleDelete};
use crate::time::round_ticks;

/// Pause before a consumer retries a receive that failed in a queue outage, µs.
pub const OUTAGE_BACKOFF: u64 = 1_000_000;

impl Simulation<'_> {
    /// A scheduled ReceiveCall: stale when the consumer went down since.
    pub(super) fn on_receive_call(&mut self, c: usize, epoch: u32) {
        let consumer = &self.consumers[c];
        if consumer.down == 0 && consumer.epoch == epoch {
            self.receive_call(c);
        }
    }

    /// Consumer `c` makes a ReceiveMessage call now.
    pub(super) fn receive_call(&mut self, c: usize) {
        if self.faults.queue_down() {
            self.consumers[c].activity = Activity::Idle;
            let epoch = self.consumers[c].epoch;
            let at = self.now + OUTAGE_BACKOFF;
            let event = Event::ReceiveCall {
                consumer: c as u32,
                epoch,
            };
            self.events.schedule(at, event);
            return;
        }
        self.rec.counts.requests_receive += 1;
        self.consumers[c].window_open = self.t.batch_window > 0;
        if self.window_holds(c) {
            self.open_window(c);
        } else if self.take_batch(c) > 0 {
            self.start_batch(c);
        } else if self.t.wait > 0 {
            let consumer = &mut self.consumers[c];
            consumer.poll_id = consumer.poll_id.wrapping_add(1);
            let poll = consumer.poll_id;
            consumer.activity = Activity::Waiting(poll);
            self.waiters.push_back((c as u32, poll));
            let at = self.now + self.t.wait;
            let event = Event::PollTimeout {
                consumer: c as u32,
                poll,
            };
            self.events.schedule_in(Lane::Poll, at, event);
        } else {
            self.rec.counts.requests_receive_empty += 1;
            self.consumers[c].activity = Activity::Idle;
            let at = self.now + self.t.latency.max(SHORT_POLL_MIN_GAP);
            let epoch = self.consumers[c].epoch;
            self.events.schedule(
                at,
                Event::ReceiveCall {
                    consumer: c as u32,
                    epoch,
                },
            );
        }
    }

    /// Hands visible messages to waiting long polls, first come first served.
    pub(super) fn serve_waiters(&mut self) {
        if self.faults.queue_down() {
            return;
        }
        while (self.visible > 0 || !self.ghosts.is_empty())
            && self.in_flight < u64::from(self.sc.queue().max_in_flight)
        {
            let Some((c, poll)) = self.waiters.pop_front() else {
                return;
            };
            let c = c as usize;
            if self.consumers[c].activity != Activity::Waiting(poll) {
                continue; // that poll already ended
            }
            if self.window_holds(c) {
                // The oldest window is still open: so are the others.
                self.waiters.push_front((c as u32, poll));
                return;
            }
            if self.take_batch(c) > 0 {
                self.start_batch(c);
            } else {
                // Everything visible was dead-lettered, or (FIFO) sits in
                // locked groups: keep its place until something changes.
                self.waiters.push_front((c as u32, poll));
                return;
            }
        }
    }

    pub(super) fn compact_waiters(&mut self) {
        if self.waiters.len() > 2 * self.consumers.len() + 64 {
            let consumers = &self.consumers;
            self.waiters
                .retain(|&(c, poll)| consumers[c as usize].activity == Activity::Waiting(poll));
        }
    }

    pub(super) fn on_poll_timeout(&mut self, c: usize, poll: u32) {
        if self.consumers[c].activity != Activity::Waiting(poll) {
            return;
        }
        self.rec.counts.requests_receive_empty += 1;
        self.consumers[c].activity = Activity::Idle;
        self.next_receive(c, self.now + self.t.latency);
    }

    /// Receives up to `batch_size` visible messages into consumer `c`'s batch;
    /// messages past `max_receive_count` go to the dead-letter queue instead.
    pub(super) fn take_batch(&mut self, c: usize) -> usize {
        let batch_size = self.sc.consumers().batch_size as usize;
        let max_in_flight = u64::from(self.sc.queue().max_in_flight);
        self.queue.begin_receive();
        let mut n = 0;
        while n < batch_size
            && let Some((h, receipt)) = self.take_ghost()
        {
            self.consumers[c].batch[n] = (h, receipt);
            n += 1;
        }
        while n < batch_size && self.in_flight < max_in_flight {
            let Some(h) = self.queue.pop_visible() else {
                break;
            };
            let receives = self.queue.get_mut(h).receives;
            if self
                .sc
                .queue()
                .max_receive_count
                .is_some_and(|max| receives >= max)
            {
                self.leave(h, Fate::DeadLettered);
                continue;
            }
            let receipt = self.deliver(h);
            self.consumers[c].batch[n] = (h, receipt);
            n += 1;
        }
        self.consumers[c].len = n;
        self.consumers[c].pos = 0;
        n
    }

    /// One delivery of a visible message: new receipt, in flight until the
    /// visibility deadline. Returns the receipt.
    fn deliver(&mut self, h: Handle) -> u32 {
        self.set_visible(self.visible - 1);
        self.set_in_flight(self.in_flight + 1);
        let receipt = self.receive(h);
        let p = self.sc.queue().duplicate_delivery;
        if p > 0.0 && self.rng_duplicates.random::<f64>() < p {
            self.ghosts.push_back((h, receipt));
            // Served by the next receive; a waiting long poll gets it now.
            self.events.schedule(self.now, Event::ServeWaiters);
        }
        receipt
    }

    /// The receive proper: new receipt and deadline, one more holder.
    fn receive(&mut self, h: Handle) -> u32 {
        let now = self.now;
        let deadline = now + self.t.visibility;
        let m = self.queue.get_mut(h);
        m.receives += 1;
        m.state = State::InFlight;
        m.deadline = deadline;
        m.received_at = now;
        m.holders += 1;
        let (receipt, sent_at) = (m.receives, m.sent_at);
        self.queue.received(now, h);
        self.rec.on_received(now, sent_at, receipt == 1);
        let event = Event::VisibilityDeadline { msg: h, receipt };
        self.events.schedule_in(Lane::Visibility, deadline, event);
        receipt
    }

    /// The next spontaneous copy whose message is still in flight under the
    /// receipt it was copied from; delivered again.
    fn take_ghost(&mut self) -> Option<(Handle, u32)> {
        while let Some((h, receipt)) = self.ghosts.pop_front() {
            let current = self
                .queue
                .get(h)
                .is_some_and(|m| m.state == State::InFlight && m.receives == receipt);
            if current {
                self.queue.get_mut(h).cause = Redelivery::Spontaneous;
                return Some((h, self.receive(h)));
            }
        }
        None
    }

    pub(super) fn start_batch(&mut self, c: usize) {
        self.busy += 1;
        self.rec.busy.set(self.now, self.busy);
        let consumer = &mut self.consumers[c];
        consumer.activity = Activity::Processing;
        consumer.batch_id = consumer.batch_id.wrapping_add(1);
        let batch = consumer.batch_id;
        if let Some(interval) = self.t.heartbeat {
            let event = Event::Heartbeat {
                consumer: c as u32,
                batch,
            };
            self.events
                .schedule_in(Lane::Heartbeat, self.now + interval, event);
        }
        self.begin_message(c, self.now + self.t.latency);
    }

    /// Consumer `c` starts processing the current message of its batch at `at`.
    fn begin_message(&mut self, c: usize, at: u64) {
        let secs = self.processing.sample(&mut self.rng_processing) * self.faults.slowdown;
        // At least one tick, so that simulated time always advances.
        let service = round_ticks(secs * 1e6).max(1);
        let event = Event::ProcessingDone {
            consumer: c as u32,
            batch: self.consumers[c].batch_id,
        };
        self.events.schedule(at + service, event);
        self.maybe_crash_during(c, at, service);
    }

    pub(super) fn on_processing_done(&mut self, c: usize, batch: u32) {
        let consumer = &self.consumers[c];
        if consumer.activity != Activity::Processing || consumer.batch_id != batch {
            return;
        }
        let (h, receipt) = consumer.batch[consumer.pos];
        let error_rate = self
            .faults
            .error_rate
            .unwrap_or(self.sc.consumers().error_rate);
        let failed = self.queue.get_mut(h).poison
            || (error_rate > 0.0 && self.rng_errors.random::<f64>() < error_rate);
        if failed {
            let called_api = self.fail(h, receipt);
            let next_at = self.now + if called_api { self.t.latency } else { 0 };
            self.consumers[c].batch_failed = true;
            self.next_message(c, next_at);
            return;
        }
        self.processed(h);
        if self.whole_batches() {
            self.next_message(c, self.now); // deleted with the batch, if at all
            return;
        }
        self.rec.counts.requests_delete += u64::from(!self.faults.queue_down());
        if self.t.latency == 0 {
            self.delete(h, receipt);
            self.next_message(c, self.now);
        } else {
            self.consumers[c].deleting = true;
            let at = self.now + self.t.latency;
            let event = Event::DeleteDone {
                consumer: c as u32,
                batch,
            };
            self.events.schedule_in(Lane::Request, at, event);
        }
    }

    /// The delete of consumer `c`'s current message completes its round trip.
    pub(super) fn on_delete_done(&mut self, c: usize, batch: u32) {
        let consumer = &mut self.consumers[c];
        if consumer.batch_id != batch || !consumer.deleting {
            return; // the consumer went down meanwhile: the delete is lost
        }
        consumer.deleting = false;
        let (h, receipt) = consumer.batch[consumer.pos];
        self.delete(h, receipt);
        self.next_message(c, self.now);
    }

    /// Releases the current message and goes on with the batch at `at`.
    fn next_message(&mut self, c: usize, at: u64) {
        let consumer = &mut self.consumers[c];
        let (h, _) = consumer.batch[consumer.pos];
        consumer.pos += 1;
        let more = consumer.pos < consumer.len;
        if !self.whole_batches() {
            self.release(h);
        }
        if more {
            self.begin_message(c, at);
        } else {
            if self.whole_batches() {
                self.settle_whole_batch(c);
            }
            self.end_batch(c, at);
        }
    }

    /// The consumer lets go of `h` (its slot is freed if the message is gone).
    pub(super) fn release(&mut self, h: Handle) {
        self.queue.get_mut(h).holders -= 1;
        self.queue.free_if_unheld(h);
    }

    /// `batch_failure = "whole"`: a batch is deleted only if every message
    /// in it succeeded (one DeleteMessageBatch call); otherwise nothing is,
    /// and the successful messages come back with the failed ones.
    pub(super) fn whole_batches(&self) -> bool {
        self.sc.consumers().batch_failure == BatchFailure::Whole
    }

    fn settle_whole_batch(&mut self, c: usize) {
        let consumer = &mut self.consumers[c];
        let (len, failed) = (consumer.len, std::mem::take(&mut consumer.batch_failed));
        if !failed && !self.faults.queue_down() {
            self.rec.counts.requests_delete += 1;
        }
        for i in 0..len {
            let (h, receipt) = self.consumers[c].batch[i];
            if !failed {
                self.delete(h, receipt);
            }
            self.release(h);
        }
    }

    /// A processing completed: count it, blaming a repeat on its cause.
    fn processed(&mut self, h: Handle) {
        let m = self.queue.get_mut(h);
        let duplicate = m.completed.then_some(match m.cause {
            Redelivery::Spontaneous => DuplicateCause::Spontaneous,
            Redelivery::CrashBeforeDelete => DuplicateCause::CrashBeforeDelete,
            Redelivery::DeleteFailed => DuplicateCause::DeleteFailed,
            Redelivery::VisibilityExpired | Redelivery::None => DuplicateCause::VisibilityExpired,
        });
        m.completed = true;
        let sent_at = m.sent_at;
        self.rec.on_processed(self.now, sent_at, duplicate);
    }

    /// DeleteMessage with `receipt` takes effect (or fails in an outage).
    #[inline]
    fn delete(&mut self, h: Handle, receipt: u32) {
        let m = self.queue.get_mut(h);
        let alive = matches!(m.state, State::Visible | State::InFlight);
        if self.faults.queue_down() {
            if alive {
                m.cause = Redelivery::DeleteFailed;
            }
            return;
        }
        let latest = m.receives == receipt;
        let current = latest || self.sc.queue().stale_delete == StaleDelete::Deletes;
        if self.sc.queue().kind == QueueKind::Fifo && !(m.state == State::InFlight && latest) {
            // FIFO queues answer an expired receipt handle (its visibility
            // timeout ran out, whatever happened since) with an error.
            self.rec.counts.delete_errors += 1;
            return;
        }
        if alive && current {
            self.leave(h, Fate::Deleted);
            self.serve_waiters();
        }
    }

    /// A failed processing; returns whether an API call was made.
    fn fail(&mut self, h: Handle, receipt: u32) -> bool {
        match self.sc.consumers().on_error {
            OnError::Wait => false,
            OnError::Release => {
                if self.faults.queue_down() {
                    return true;
                }
                self.rec.counts.requests_change_visibility += 1;
                let m = self.queue.get_mut(h);
                if m.state == State::InFlight && m.receives == receipt {
                    self.set_in_flight(self.in_flight - 1);
                    self.return_visible(h);
                    self.serve_waiters();
                }
                true
            }
        }
    }

    fn end_batch(&mut self, c: usize, next_at: u64) {
        self.busy -= 1;
        self.rec.busy.set(self.now, self.busy);
        self.consumers[c].activity = Activity::Idle;
        if self.consumers[c].provision == Provision::Draining {
            self.stop(c); // retired by autoscaling: its batch is done
        } else {
            self.next_receive(c, next_at);
        }
    }

    /// The next ReceiveMessage call at `at` (now, or now + request latency).
    fn next_receive(&mut self, c: usize, at: u64) {
        if at == self.now {
            self.receive_call(c);
        } else {
            let epoch = self.consumers[c].epoch;
            let event = Event::ReceiveCall {
                consumer: c as u32,
                epoch,
            };
            self.events.schedule_in(Lane::Request, at, event);
        }
    }

    /// Extends the visibility of the messages consumer `c` still holds
    /// (one ChangeMessageVisibilityBatch call), within the 12 h cap.
    pub(super) fn on_heartbeat(&mut self, c: usize, batch: u32) {
        let consumer = &self.consumers[c];
        if consumer.activity != Activity::Processing || consumer.batch_id != batch {
            return;
        }
        let (pos, len) = (consumer.pos, consumer.len);
        // Whole batches hold their finished messages until the batch ends.
        let first = if self.whole_batches() { 0 } else { pos };
        let deadline = self.now + self.t.visibility;
        let mut extended = false;
        for i in first..len {
            if self.faults.queue_down() {
                break;
            }
            let (h, receipt) = self.consumers[c].batch[i];
            let m = self.queue.get_mut(h);
            if m.state == State::InFlight
                && m.receives == receipt
                && deadline <= m.received_at + VISIBILITY_CAP
            {
                m.deadline = deadline;
                extended = true;
                let event = Event::VisibilityDeadline { msg: h, receipt };
                self.events.schedule_in(Lane::Visibility, deadline, event);
            }
        }
        if extended {
            self.rec.counts.requests_change_visibility += 1;
        }
        if let Some(interval) = self.t.heartbeat {
            let event = Event::Heartbeat {
                consumer: c as u32,
                batch,
            };
            self.events
                .schedule_in(Lane::Heartbeat, self.now + interval, event);
        }
    }
}
