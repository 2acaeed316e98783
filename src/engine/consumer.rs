//! Consumers: receive (short or long polling), process a batch one message
//! at a time, delete or fail each, extend visibility with heartbeats.
//!
//! A consumer's cycle: ReceiveMessage → (messages) process message 1 →
//! DeleteMessage → process message 2 → … → ReceiveMessage again. Every API
//! call costs the consumer `request_latency`. A long poll that finds nothing
//! waits in line (`waiters`, first come first served) and gets messages the
//! moment they are visible, or returns empty after `wait_time`.

use rand::Rng;

use super::events::{Event, Lane};
use super::queue::{Handle, State};
use super::sim::{Activity, Fate, SHORT_POLL_MIN_GAP, Simulation, VISIBILITY_CAP};
use crate::scenario::{OnError, StaleDelete};

impl Simulation<'_> {
    /// Consumer `c` makes a ReceiveMessage call now.
    pub(super) fn receive_call(&mut self, c: usize) {
        self.rec.counts.requests_receive += 1;
        if self.take_batch(c) > 0 {
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
            self.events
                .schedule(at, Event::ReceiveCall { consumer: c as u32 });
        }
    }

    /// Hands visible messages to waiting long polls, first come first served.
    pub(super) fn serve_waiters(&mut self) {
        while self.visible > 0 && self.in_flight < u64::from(self.sc.queue.max_in_flight) {
            let Some((c, poll)) = self.waiters.pop_front() else {
                return;
            };
            let c = c as usize;
            if self.consumers[c].activity != Activity::Waiting(poll) {
                continue; // that poll already ended
            }
            if self.take_batch(c) > 0 {
                self.start_batch(c);
            } else {
                // Everything visible was dead-lettered: keep its place.
                self.waiters.push_front((c as u32, poll));
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
    fn take_batch(&mut self, c: usize) -> usize {
        let batch_size = self.sc.consumers.batch_size as usize;
        let max_in_flight = u64::from(self.sc.queue.max_in_flight);
        let mut n = 0;
        while n < batch_size && self.in_flight < max_in_flight {
            let Some(h) = self.queue.pop_visible() else {
                break;
            };
            let receives = self.queue.get_mut(h).receives;
            if self
                .sc
                .queue
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
        let now = self.now;
        let deadline = now + self.t.visibility;
        let m = self.queue.get_mut(h);
        m.receives += 1;
        m.state = State::InFlight;
        m.deadline = deadline;
        m.received_at = now;
        m.holders += 1;
        let (receipt, sent_at) = (m.receives, m.sent_at);
        self.rec.on_received(now, sent_at, receipt == 1);
        self.set_visible(self.visible - 1);
        self.set_in_flight(self.in_flight + 1);
        let event = Event::VisibilityDeadline { msg: h, receipt };
        self.events.schedule_in(Lane::Visibility, deadline, event);
        receipt
    }

    fn start_batch(&mut self, c: usize) {
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
        let secs = self.processing.sample(&mut self.rng_processing);
        // At least one tick, so that simulated time always advances.
        let service = ((secs * 1e6).round() as u64).max(1);
        let event = Event::ProcessingDone {
            consumer: c as u32,
            batch: self.consumers[c].batch_id,
        };
        self.events.schedule(at + service, event);
    }

    pub(super) fn on_processing_done(&mut self, c: usize, batch: u32) {
        let consumer = &self.consumers[c];
        if consumer.activity != Activity::Processing || consumer.batch_id != batch {
            return;
        }
        let (h, receipt) = consumer.batch[consumer.pos];
        let error_rate = self.sc.consumers.error_rate;
        let failed = self.queue.get_mut(h).poison
            || (error_rate > 0.0 && self.rng_errors.random::<f64>() < error_rate);
        let called_api = if failed {
            self.fail(h, receipt)
        } else {
            self.complete(h, receipt);
            true
        };
        self.queue.get_mut(h).holders -= 1;
        self.queue.free_if_unheld(h);
        let next_at = self.now + if called_api { self.t.latency } else { 0 };
        let consumer = &mut self.consumers[c];
        consumer.pos += 1;
        if consumer.pos < consumer.len {
            self.begin_message(c, next_at);
        } else {
            self.end_batch(c, next_at);
        }
    }

    /// A successful processing: count it, then DeleteMessage with `receipt`.
    fn complete(&mut self, h: Handle, receipt: u32) {
        let m = self.queue.get_mut(h);
        let first = !m.completed;
        m.completed = true;
        let (sent_at, state, receives) = (m.sent_at, m.state, m.receives);
        self.rec.on_processed(self.now, sent_at, first);
        self.rec.counts.requests_delete += 1;
        let alive = matches!(state, State::Visible | State::InFlight);
        let current = receives == receipt || self.sc.queue.stale_delete == StaleDelete::Deletes;
        if alive && current {
            self.leave(h, Fate::Deleted);
            self.serve_waiters();
        }
    }

    /// A failed processing; returns whether an API call was made.
    fn fail(&mut self, h: Handle, receipt: u32) -> bool {
        match self.sc.consumers.on_error {
            OnError::Wait => false,
            OnError::Release => {
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
        self.next_receive(c, next_at);
    }

    /// The next ReceiveMessage call at `at` (now, or now + request latency).
    fn next_receive(&mut self, c: usize, at: u64) {
        if at == self.now {
            self.receive_call(c);
        } else {
            let event = Event::ReceiveCall { consumer: c as u32 };
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
        let deadline = self.now + self.t.visibility;
        let mut extended = false;
        for i in pos..len {
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
