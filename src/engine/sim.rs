//! One replication: state, the event loop and queue transitions. Producers
//! are in `producer.rs`, consumers in `consumer.rs`, crashes and outages of
//! consumers in `fleet.rs`, the fault timeline in `faults.rs` (more
//! `impl Simulation` blocks).
//!
//! Timing conventions (documented for users in docs/model.md):
//! - a producer's message is generated at its arrival instant; with
//!   `send_batch = n` the producer sends when it has `n` messages (and flushes
//!   a partial batch with its last message before `duration`); the queue
//!   accepts a batch at the call (`sent_at`, from which latency is measured);
//! - a consumer's receive and visibility calls take effect at the queue when
//!   they are made; a delete takes effect when its round trip completes; each
//!   call costs the consumer `request_latency` before its next step;
//! - the run ends at `duration`, or with `drain = true` when nothing is left
//!   in the queue or a producer's buffer and no consumer holds a message.

use std::collections::VecDeque;

use super::autoscale::{Provision, Scaler};
use super::events::{Event, EventQueue};
use super::faults::FaultRuntime;
use super::producer::{Producer, Throttle};
use super::queue::{Handle, Oldest, QueueStore, Redelivery, State};
use super::recorder::Recorder;
use super::rng::{self, Purpose, Stream};
use crate::dist::Sampler;
use crate::scenario::{QueueKind, Scenario};

/// Why a message leaves the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Fate {
    Deleted,
    DeadLettered,
    Expired,
}

/// What a consumer is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Activity {
    /// Between calls (a ReceiveCall is scheduled).
    Idle,
    /// In a long poll, identified by its poll number.
    Waiting(u32),
    /// Working through a batch.
    Processing,
    /// Crashed or taken down by an outage.
    Down,
}

pub(super) const MAX_BATCH: usize = 10;

pub(super) struct Consumer {
    pub activity: Activity,
    /// Messages of the current batch with the receipt each was received with.
    pub batch: [(Handle, u32); MAX_BATCH],
    pub len: usize,
    pub pos: usize,
    /// Batch number; stale ProcessingDone / Heartbeat events carry an old one.
    pub batch_id: u32,
    pub poll_id: u32,
    /// Reasons it is down (a crash, each covering outage); up at 0.
    pub down: u8,
    /// Up-period number; a crash timer from an earlier period is stale.
    pub epoch: u32,
    /// The current message is processed and its delete is on its way.
    pub deleting: bool,
    /// Launched or not (autoscaling; a fixed fleet is always on).
    pub provision: Provision,
    /// A message of the current batch failed (`batch_failure = "whole"`).
    pub batch_failed: bool,
    /// Its receive waits for a full batch (`batch_window`).
    pub window_open: bool,
}

impl Consumer {
    fn new() -> Self {
        Consumer {
            activity: Activity::Idle,
            batch: [(Handle::default(), 0); MAX_BATCH],
            len: 0,
            pos: 0,
            batch_id: 0,
            poll_id: 0,
            down: 0,
            epoch: 0,
            deleting: false,
            provision: Provision::On,
            batch_failed: false,
            window_open: false,
        }
    }

    /// A slot that autoscaling has not launched: down for that reason.
    fn off() -> Self {
        Consumer {
            activity: Activity::Down,
            down: 1,
            provision: Provision::Off,
            ..Consumer::new()
        }
    }
}

/// Durations of the scenario in ticks, read once.
pub(super) struct Ticks {
    pub duration: u64,
    pub visibility: u64,
    pub delay: u64,
    pub retention: u64,
    pub wait: u64,
    pub latency: u64,
    pub heartbeat: Option<u64>,
    pub sample: u64,
    pub batch_window: u64,
}

/// The 12 h cap on visibility, counted from the receive.
pub(super) const VISIBILITY_CAP: u64 = 12 * 3600 * 1_000_000;
/// How often (in events) a run looks at its stop signal: rarely enough to
/// cost nothing, often enough to stop within milliseconds.
const STOP_CHECK_EVERY: u64 = 4096;
/// Pause after an empty short poll when `request_latency` is shorter.
pub(super) const SHORT_POLL_MIN_GAP: u64 = 1_000;

/// The state of one replication.
pub struct Simulation<'a> {
    pub(super) sc: &'a Scenario,
    pub(super) t: Ticks,
    pub(super) now: u64,
    pub(super) events: EventQueue,
    pub(super) queue: QueueStore,
    pub(super) visible: u64,
    pub(super) in_flight: u64,
    pub(super) delayed: u64,
    pub(super) busy: u64,
    pub(super) up: u64,
    pub(super) producers: Vec<Producer>,
    pub(super) consumers: Vec<Consumer>,
    pub(super) waiters: VecDeque<(u32, u32)>,
    /// Spontaneous second deliveries waiting for a receiver: message and the
    /// receipt it had when the copy was made.
    pub(super) ghosts: VecDeque<(Handle, u32)>,
    pub(super) faults: FaultRuntime,
    pub(super) throttle: Throttle,
    pub(super) scaler: Scaler,
    pub(super) rec: Recorder,
    pub(super) processing: Sampler,
    pub(super) restart: Option<Sampler>,
    pub(super) rng_processing: Stream,
    pub(super) rng_errors: Stream,
    pub(super) rng_crashes: Stream,
    pub(super) rng_restarts: Stream,
    pub(super) rng_duplicates: Stream,
    retention_timer: bool,
    samples_taken: u64,
    pub(super) events_run: u64,
    /// Stop when more messages than this are live (a resource guard).
    pub(super) max_backlog: u64,
    /// Why the run stopped before its end, if it did.
    pub(super) stopped: Option<String>,
    /// Looked at every [`STOP_CHECK_EVERY`] events.
    pub(super) stop: Option<std::sync::Arc<super::StopSignal>>,
}

impl<'a> Simulation<'a> {
    /// Sets up replication state from a validated scenario and the
    /// replication's seed.
    pub fn new(sc: &'a Scenario, seed: u64) -> Self {
        let t = Ticks {
            duration: sc.duration.ticks(),
            visibility: sc.queue().visibility_timeout.ticks(),
            delay: sc.queue().delay.ticks(),
            retention: sc.queue().retention.ticks(),
            wait: sc.consumers().wait_time.ticks(),
            latency: sc.consumers().request_latency.ticks(),
            heartbeat: sc.consumers().heartbeat.map(|h| h.ticks()),
            sample: sc.sample_interval.ticks(),
            batch_window: sc.consumers().batch_window.ticks(),
        };
        let producers = (0..sc.producers.len())
            .map(|i| Producer::new(sc, i, seed))
            .collect();
        let consumers = (0..sc.consumers().slots())
            .map(|c| {
                if c < sc.consumers().count {
                    Consumer::new()
                } else {
                    Consumer::off()
                }
            })
            .collect();
        let queue = match sc.queue().kind {
            QueueKind::Standard => QueueStore::new(),
            QueueKind::Fifo => QueueStore::fifo(sc.producers.iter().map(|p| p.groups).sum()),
        };
        Simulation {
            sc,
            t,
            now: 0,
            events: EventQueue::new(),
            queue,
            visible: 0,
            in_flight: 0,
            delayed: 0,
            busy: 0,
            up: u64::from(sc.consumers().count),
            producers,
            consumers,
            waiters: VecDeque::new(),
            ghosts: VecDeque::new(),
            faults: FaultRuntime::new(sc),
            throttle: Throttle::new(sc.queue().throughput_limit),
            scaler: Scaler::new(sc.consumers().count),
            rec: Recorder::new(
                sc.warmup.ticks(),
                u64::from(sc.consumers().count),
                sc.sample_interval.ticks(),
            ),
            processing: sc.consumers().processing.sampler(),
            restart: sc.consumers().crash.as_ref().map(|c| c.restart.sampler()),
            rng_processing: rng::stream(seed, Purpose::Processing),
            rng_errors: rng::stream(seed, Purpose::Errors),
            rng_crashes: rng::stream(seed, Purpose::Crashes),
            rng_restarts: rng::stream(seed, Purpose::Restarts),
            rng_duplicates: rng::stream(seed, Purpose::Duplicates),
            retention_timer: false,
            samples_taken: 0,
            events_run: 0,
            max_backlog: u64::MAX,
            stopped: None,
            stop: None,
        }
    }

    /// Runs to the end and returns the end time (µs).
    pub fn run_to_end(&mut self) -> u64 {
        self.start();
        while let Some(next) = self.events.peek() {
            if next.time >= self.t.duration && (!self.sc.drain || self.drained()) {
                break;
            }
            let event = self.events.take(next);
            self.now = next.time;
            self.events_run += 1;
            self.dispatch(event);
            if self.queue.live() > self.max_backlog {
                self.stopped = Some(format!(
                    "more than {} messages in the queue at {:.3} s",
                    self.max_backlog,
                    self.now as f64 / 1e6
                ));
                return self.now;
            }
            if self.events_run % STOP_CHECK_EVERY == 0 && self.stop_requested() {
                return self.now;
            }
        }
        if self.sc.drain {
            self.now.max(self.t.duration)
        } else {
            self.t.duration
        }
    }

    /// Whether the caller asked to stop; records why.
    fn stop_requested(&mut self) -> bool {
        let Some(reason) = self.stop.as_ref().and_then(|s| s.reason()) else {
            return false;
        };
        let why = match reason {
            super::StopReason::Timeout => "the wall-clock --timeout ran out",
            super::StopReason::Interrupted => "interrupted",
        };
        self.stopped = Some(format!("{why} at {:.3} s", self.now as f64 / 1e6));
        true
    }

    fn drained(&self) -> bool {
        self.queue.live() == 0 && self.busy == 0 && self.producers.iter().all(|p| p.held == 0)
    }

    fn start(&mut self) {
        self.take_sample();
        self.events.schedule(self.t.sample, Event::Sample);
        self.schedule_faults();
        for p in 0..self.producers.len() {
            if let Some(first) = self.producers[p].arrivals.next_arrival() {
                self.events
                    .schedule(first, Event::Arrival { producer: p as u32 });
            }
        }
        for c in 0..self.sc.consumers().count as usize {
            self.schedule_crash(c);
            self.receive_call(c);
        }
        self.start_autoscaling();
    }

    fn dispatch(&mut self, event: Event) {
        match event {
            Event::Arrival { producer } => self.on_arrival(producer as usize),
            Event::DelayEnd { msg } => self.on_delay_end(msg),
            Event::VisibilityDeadline { msg, receipt } => self.on_deadline(msg, receipt),
            Event::ProcessingDone { consumer, batch } => {
                self.on_processing_done(consumer as usize, batch)
            }
            Event::ReceiveCall { consumer, epoch } => {
                self.on_receive_call(consumer as usize, epoch)
            }
            Event::ServeWaiters => self.serve_waiters(),
            Event::PollTimeout { consumer, poll } => self.on_poll_timeout(consumer as usize, poll),
            Event::Heartbeat { consumer, batch } => self.on_heartbeat(consumer as usize, batch),
            Event::DeleteDone { consumer, batch } => self.on_delete_done(consumer as usize, batch),
            Event::ProducerRetry { producer } => self.on_producer_retry(producer as usize),
            Event::Crash { consumer, epoch } => self.on_crash(consumer as usize, epoch),
            Event::Restart { consumer } => self.on_restart(consumer as usize),
            Event::FaultPrep { fault } => self.on_fault_prep(fault as usize),
            Event::FaultStart { fault } => self.on_fault_start(fault as usize),
            Event::FaultEnd { fault } => self.on_fault_end(fault as usize),
            Event::RetentionCheck => self.on_retention_check(),
            Event::Sample => self.on_sample(),
            Event::ScaleEvaluation => self.on_scale_evaluation(),
            Event::Repeat { producer } => self.on_repeat(producer as usize),
            Event::WindowEnd { consumer, poll } => self.on_window_end(consumer as usize, poll),
            Event::CapacityStep { step } => self.on_capacity_step(step as usize),
            Event::Started { consumer, launch } => self.on_started(consumer as usize, launch),
        }
    }

    // ----- queue transitions ----------------------------------------------

    pub(super) fn set_visible(&mut self, visible: u64) {
        self.visible = visible;
        self.rec.backlog.set(self.now, visible);
        self.rec.visible_all.set(self.now, visible);
        self.observe_backlog();
    }

    /// Shows the fault watches the backlog after a change. Messages that
    /// producers hold back while they retry a failed send are backlog too:
    /// no fault counts as drained while any producer is retrying.
    pub(super) fn observe_backlog(&mut self) {
        if self.faults.watching() {
            let retrying = self.producers.iter().any(|p| p.retrying);
            self.faults.observe(self.now, self.visible, retrying);
        }
    }

    pub(super) fn set_in_flight(&mut self, in_flight: u64) {
        self.in_flight = in_flight;
        self.rec.in_flight_max = self.rec.in_flight_max.max(in_flight);
    }

    fn on_delay_end(&mut self, h: Handle) {
        if self.queue.get(h).is_some_and(|m| m.state == State::Delayed) {
            self.delayed -= 1;
            self.queue.push_tail(self.now, h);
            self.set_visible(self.visible + 1);
            self.serve_waiters();
        }
    }

    fn on_deadline(&mut self, h: Handle, receipt: u32) {
        let due = self.queue.get(h).is_some_and(|m| {
            m.state == State::InFlight && m.receives == receipt && m.deadline == self.now
        });
        if due {
            let m = self.queue.get_mut(h);
            if m.holders > 0 {
                m.cause = Redelivery::VisibilityExpired;
            }
            self.set_in_flight(self.in_flight - 1);
            self.return_visible(h);
            self.serve_waiters();
        }
    }

    /// An in-flight message becomes visible again (where: see
    /// [`QueueStore::return_visible`]).
    pub(super) fn return_visible(&mut self, h: Handle) {
        let key = self.queue.get_mut(h).sent_at + self.t.delay;
        self.queue.return_visible(self.now, h, key);
        self.set_visible(self.visible + 1);
    }

    /// `h` leaves the queue for good.
    pub(super) fn leave(&mut self, h: Handle, fate: Fate) {
        let m = *self.queue.get_mut(h);
        match m.state {
            State::Visible => self.set_visible(self.visible - 1),
            State::InFlight => self.set_in_flight(self.in_flight - 1),
            State::Delayed => self.delayed -= 1,
            State::Gone | State::Free => unreachable!("a message leaves only once"),
        }
        match fate {
            Fate::Deleted => self.rec.on_deleted(),
            Fate::DeadLettered => self.rec.counts.dead_lettered += 1,
            Fate::Expired => self.rec.counts.expired += 1,
        }
        self.rec.on_gone(self.now - m.sent_at);
        self.queue.remove(self.now, h);
    }

    /// The oldest never-received message expires (it has no record).
    fn expire_cold(&mut self) {
        if let Some(sent_at) = self.queue.expire_cold() {
            self.set_visible(self.visible - 1);
            self.rec.counts.expired += 1;
            self.rec.on_gone(self.now - sent_at);
        }
    }

    pub(super) fn arm_retention_timer(&mut self) {
        if !self.retention_timer
            && let Some((_, sent_at)) = self.queue.oldest()
        {
            self.retention_timer = true;
            self.events
                .schedule(sent_at + self.t.retention, Event::RetentionCheck);
        }
    }

    fn on_retention_check(&mut self) {
        self.retention_timer = false;
        while let Some((oldest, sent_at)) = self.queue.oldest() {
            if sent_at + self.t.retention > self.now {
                break;
            }
            match oldest {
                Oldest::Record(h) => self.leave(h, Fate::Expired),
                Oldest::Cold => self.expire_cold(),
            }
        }
        self.arm_retention_timer();
        // An expired in-flight message may unlock its FIFO group.
        self.serve_waiters();
    }

    // ----- time series -----------------------------------------------------

    fn on_sample(&mut self) {
        self.take_sample();
        self.queue.compact();
        self.compact_waiters();
        self.events
            .schedule(self.now + self.t.sample, Event::Sample);
    }

    fn take_sample(&mut self) {
        let oldest_age = self
            .queue
            .oldest()
            .map_or(0, |(_, sent_at)| self.now.saturating_sub(sent_at));
        self.rec.push_sample(crate::engine::result::Sample {
            time: (self.samples_taken * self.t.sample) as f64 / 1e6,
            visible: self.visible as f64,
            in_flight: self.in_flight as f64,
            delayed: self.delayed as f64,
            dead_letter: self.rec.counts.dead_lettered as f64,
            oldest_age: oldest_age as f64 / 1e6,
            consumers_up: self.up as f64,
            consumers_busy: self.busy as f64,
            consumers_starting: f64::from(self.scaler.starting),
            ..Default::default()
        });
        self.samples_taken += 1;
    }

    /// Samples due at or before `end` that the loop did not reach.
    pub(super) fn finish_samples(&mut self, end: u64) {
        while self.samples_taken * self.t.sample <= end {
            self.now = self.samples_taken * self.t.sample;
            self.take_sample();
        }
        self.now = end;
    }
}
