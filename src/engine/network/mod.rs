//! One replication of a network: its components, the event loop, and the
//! dispatch of each event to the component it names.
//!
//! Components: queues ([`Queue`]), the fleets that consume them
//! ([`Fleet`]), producers ([`Producer`]) and topics (plain fan-out lists,
//! see `route.rs`). Each owns its state and its rules; the network owns
//! only what joins them: which fleet consumes which queue, where a sent
//! message goes (`route.rs`), what a fault strikes (`incidents.rs`), and
//! the books at the end (`finish.rs`). A single-queue scenario is the
//! network of one queue and one fleet, simulated by the same code.
//!
//! Timing conventions (documented for users in docs/model.md):
//! - a producer's message is generated at its arrival instant; with
//!   `send_batch = n` the producer sends when it has `n` messages (and flushes
//!   a partial batch with its last message before `duration`); the queue
//!   accepts a batch at the call (`sent_at`, from which latency is measured);
//! - a consumer's receive and visibility calls take effect at the queue when
//!   they are made; a delete takes effect when its round trip completes; each
//!   call costs the consumer `request_latency` before its next step; a fleet
//!   that emits makes one more round trip (its sends) before the delete;
//! - a message a consumer emits, a topic's copy and a dead-letter move
//!   arrive at their queue at the instant they are sent;
//! - the run ends at `duration`, or with `drain = true` when nothing is left
//!   in any queue or a producer's buffer and no consumer holds a message.

#[cfg(test)]
mod compaction_tests;
mod finish;
mod incidents;
mod route;

use super::events::Event;
use super::faults::Watches;
use super::fleet::Fleet;
use super::producer::Producer;
use super::queue::{Queue, QueueSetup};
use super::recorder::Recorder;
use super::resource::Resource;
use super::rng::{self, Purpose};
use super::shared::{Lineage, Outgoing, Shared};
use crate::scenario::{Node, QueueKind, Scenario};

use route::{Act, Topic};

/// How often (in events) a run looks at its stop signal: rarely enough to
/// cost nothing, often enough to stop within milliseconds.
const STOP_CHECK_EVERY: u64 = 4096;

/// The state of one replication.
pub struct Network<'a> {
    sc: &'a Scenario,
    sh: Shared,
    queues: Vec<Queue<'a>>,
    fleets: Vec<Fleet<'a>>,
    /// The fleet of each queue, if it has one.
    fleet_of: Vec<Option<u16>>,
    producers: Vec<Producer>,
    topics: Vec<Topic>,
    /// The outbox being routed (swapped with the shared one, so routing
    /// never allocates).
    routing: Vec<Outgoing>,
    duration: u64,
    sample: u64,
    samples_taken: u64,
    events_run: u64,
    /// Stop when more messages than this are live in all queues together.
    pub(super) max_backlog: u64,
    /// Why the run stopped before its end, if it did.
    pub(super) stopped: Option<String>,
    /// Looked at every [`STOP_CHECK_EVERY`] events.
    pub(super) stop: Option<std::sync::Arc<super::StopSignal>>,
}

impl<'a> Network<'a> {
    /// Sets up replication state from a validated scenario and the
    /// replication's seed.
    pub fn new(sc: &'a Scenario, seed: u64) -> Self {
        let mut sh = Shared::new(Watches::new(sc));
        sh.integrate_visible = sc.is_network() || !sc.faults.is_empty();
        let (warmup, sample) = (sc.warmup.ticks(), sc.sample_interval.ticks());
        sh.resources = sc
            .resources
            .iter()
            .map(|r| Resource::new(r, warmup))
            .collect();
        if sc.is_network() {
            sh.end_to_end = Some(Box::new(Recorder::new(warmup, 0, sample)));
        }
        let fed = route::fed_by_queues(sc);
        let groups: u32 = sc.producers.iter().map(|p| p.groups).sum();
        let mut queues = Vec::with_capacity(sc.queues.len());
        let mut fleets = Vec::new();
        let mut fleet_of = Vec::with_capacity(sc.queues.len());
        for (i, node) in sc.queues.iter().enumerate() {
            let consumers = node.consumers.as_ref().map_or(0, |c| c.count);
            let setup = QueueSetup {
                index: i as u16,
                rec: Recorder::new(warmup, u64::from(consumers), sample),
                rng_duplicates: rng::stream(seed, rng::for_fleet(Purpose::Duplicates, i as u16)),
                groups: if node.queue.kind == QueueKind::Fifo {
                    groups.max(1)
                } else {
                    0
                },
                fed_by_queues: fed[i],
                dead_letter: node.queue.dead_letter.as_ref().and_then(|d| match d.node {
                    Node::Queue(q) => Some(q as u16),
                    Node::Topic(_) => None,
                }),
            };
            queues.push(Queue::new(&node.queue, setup, &mut sh));
            fleet_of.push(node.consumers.as_ref().map(|cfg| {
                let f = fleets.len() as u16;
                fleets.push(Fleet::new(cfg, f, i as u16, seed, &mut sh));
                f
            }));
        }
        Network {
            sc,
            queues,
            fleets,
            fleet_of,
            producers: (0..sc.producers.len())
                .map(|i| Producer::new(sc, i, seed))
                .collect(),
            topics: sc.topics.iter().map(|t| Topic::new(t, seed)).collect(),
            routing: Vec::with_capacity(16),
            duration: sc.duration.ticks(),
            sample,
            samples_taken: 0,
            events_run: 0,
            max_backlog: u64::MAX,
            stopped: None,
            stop: None,
            sh,
        }
    }

    /// Runs to the end and returns the end time (µs).
    pub fn run_to_end(&mut self) -> u64 {
        self.start();
        while let Some(next) = self.sh.events.peek() {
            if next.time >= self.duration && (!self.sc.drain || self.drained()) {
                break;
            }
            let event = self.sh.events.take(next);
            self.sh.now = next.time;
            self.events_run += 1;
            self.dispatch(event);
            if !self.sh.granted.is_empty() {
                self.hand_grants();
            }
            if !self.sh.outbox.is_empty() {
                self.route_outbox();
            }
            if self.sh.events.lanes_over() {
                self.drop_moot_timers();
            }
            if self.live() > self.max_backlog {
                self.stopped = Some(format!(
                    "more than {} messages in the queues at {:.3} s",
                    self.max_backlog,
                    self.sh.now as f64 / 1e6
                ));
                return self.sh.now;
            }
            if self.events_run % STOP_CHECK_EVERY == 0 && self.stop_requested() {
                return self.sh.now;
            }
        }
        if self.sc.drain {
            self.sh.now.max(self.duration)
        } else {
            self.duration
        }
    }

    /// Drops the lanes' timers that can never apply: visibility deadlines
    /// whose message is gone, received again or no longer in flight (a
    /// receipt only grows, so such a deadline stays moot), and timeouts of
    /// long polls that ended. A deadline superseded by a heartbeat under
    /// the same receipt is kept: a later change of visibility could make
    /// its instant the deadline again. Rare (once
    /// per thousands of pushes), so kept out of the event loop's code.
    #[cold]
    #[inline(never)]
    fn drop_moot_timers(&mut self) {
        let (queues, fleets) = (&self.queues, &self.fleets);
        self.sh.events.retain_lanes(|_, event| match *event {
            Event::VisibilityDeadline {
                queue,
                msg,
                receipt,
            } => queues[usize::from(queue)].holds_current(msg, receipt),
            Event::PollTimeout {
                fleet,
                consumer,
                poll,
            } => fleets[usize::from(fleet)].waits_on(consumer as usize, poll),
            _ => true,
        });
    }

    /// Messages not gone yet, in all queues.
    #[inline]
    fn live(&self) -> u64 {
        match &self.queues[..] {
            [only] => only.live(),
            all => all.iter().map(Queue::live).sum(),
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
        self.stopped = Some(format!("{why} at {:.3} s", self.sh.now as f64 / 1e6));
        true
    }

    fn drained(&self) -> bool {
        self.live() == 0
            && self.fleets.iter().all(|f| f.busy == 0)
            && self.producers.iter().all(|p| p.held() == 0)
    }

    fn start(&mut self) {
        self.sh.events.schedule(self.sample, Event::Sample);
        self.schedule_faults();
        for p in &mut self.producers {
            p.start(&mut self.sh);
        }
        self.fill_initial_backlogs();
        // The first row shows the initial backlogs, before any consumer
        // takes from them.
        self.take_sample();
        for fleet in &mut self.fleets {
            let q = &mut self.queues[usize::from(fleet.queue)];
            fleet.start(q, &mut self.sh);
        }
    }

    /// Each queue's `initial_backlog`: visible at time 0, sent at 0.
    fn fill_initial_backlogs(&mut self) {
        for q in 0..self.queues.len() {
            let n = self.queues[q].cfg.initial_backlog;
            let fleet = self.fleet_of[q].map(|f| &mut self.fleets[usize::from(f)]);
            let queue = &mut self.queues[q];
            let mut fleet = fleet;
            for _ in 0..n {
                let poison = fleet.as_mut().is_some_and(|f| f.draw_poison());
                queue.accept(&mut self.sh, poison, 0, Lineage::root(0));
            }
        }
    }

    /// The fleet `f` and its queue, for one operation.
    #[inline]
    fn station(&mut self, f: u16) -> (&mut Fleet<'a>, &mut Queue<'a>, &mut Shared) {
        let fleet = &mut self.fleets[usize::from(f)];
        let q = &mut self.queues[usize::from(fleet.queue)];
        (fleet, q, &mut self.sh)
    }

    /// Tells queue `q`'s fleet that something changed in its queue.
    fn serve(&mut self, q: u16) {
        if let Some(f) = self.fleet_of[usize::from(q)] {
            let (fleet, queue, sh) = self.station(f);
            fleet.serve_waiters(queue, sh);
        }
    }

    fn dispatch(&mut self, event: Event) {
        match event {
            Event::Arrival { producer } => self.on_producer(producer, Act::Arrival),
            Event::ProducerRetry { producer } => self.on_producer(producer, Act::Retry),
            Event::Repeat { producer } => self.on_producer(producer, Act::Repeat),
            Event::DelayEnd { queue, msg } => {
                if self.queues[usize::from(queue)].on_delay_end(&mut self.sh, msg) {
                    self.serve(queue);
                }
            }
            Event::VisibilityDeadline {
                queue,
                msg,
                receipt,
            } => {
                if self.queues[usize::from(queue)].on_deadline(&mut self.sh, msg, receipt) {
                    self.serve(queue);
                }
            }
            Event::RetentionCheck { queue } => {
                if self.queues[usize::from(queue)].on_retention_check(&mut self.sh) {
                    self.serve(queue);
                }
            }
            Event::ServeWaiters { queue } => self.serve(queue),
            Event::Sample => self.on_sample(),
            Event::FaultPrep { fault } => self.on_fault_prep(fault as usize),
            Event::FaultStart { fault } => self.on_fault_start(fault as usize),
            Event::FaultEnd { fault } => self.on_fault_end(fault as usize),
            Event::ProcessingDone {
                fleet,
                consumer,
                batch,
            } => {
                let (f, q, sh) = self.station(fleet);
                f.on_processing_done(consumer as usize, batch, q, sh);
            }
            Event::ReceiveCall {
                fleet,
                consumer,
                epoch,
            } => {
                let (f, q, sh) = self.station(fleet);
                f.on_receive_call(consumer as usize, epoch, q, sh);
            }
            Event::PollTimeout {
                fleet,
                consumer,
                poll,
            } => {
                let (f, q, sh) = self.station(fleet);
                f.on_poll_timeout(consumer as usize, poll, q, sh);
            }
            Event::Heartbeat {
                fleet,
                consumer,
                batch,
            } => {
                let (f, q, sh) = self.station(fleet);
                f.on_heartbeat(consumer as usize, batch, q, sh);
            }
            Event::DeleteDone {
                fleet,
                consumer,
                batch,
            } => {
                let (f, q, sh) = self.station(fleet);
                f.on_delete_done(consumer as usize, batch, q, sh);
            }
            Event::Crash {
                fleet,
                consumer,
                epoch,
            } => {
                let (f, q, sh) = self.station(fleet);
                f.on_crash(consumer as usize, epoch, q, sh);
            }
            Event::Restart { fleet, consumer } => {
                let (f, q, sh) = self.station(fleet);
                f.on_restart(consumer as usize, q, sh);
            }
            Event::ScaleEvaluation { fleet } => {
                let (f, q, sh) = self.station(fleet);
                f.on_scale_evaluation(q, sh);
            }
            Event::CapacityStep { fleet, step } => {
                let (f, q, sh) = self.station(fleet);
                f.on_capacity_step(step as usize, q, sh);
            }
            Event::WindowEnd {
                fleet,
                consumer,
                poll,
            } => {
                let (f, q, sh) = self.station(fleet);
                f.on_window_end(consumer as usize, poll, q, sh);
            }
            Event::Started {
                fleet,
                consumer,
                launch,
            } => {
                let (f, q, sh) = self.station(fleet);
                f.on_started(consumer as usize, launch, q, sh);
            }
            Event::AcquireTimeout {
                fleet,
                consumer,
                ticket,
            } => {
                let (f, q, sh) = self.station(fleet);
                f.on_acquire_timeout(consumer as usize, ticket, q, sh);
            }
            Event::RedriveMove { fault, step } => self.on_redrive_move(fault as usize, step),
            Event::BreakerProbe { fleet } => {
                let (f, q, sh) = self.station(fleet);
                f.on_breaker_probe(q, sh);
            }
        }
    }

    /// Tells each consumer whose turn at a resource came that it holds it
    /// now (in the order the resources granted).
    fn hand_grants(&mut self) {
        let mut i = 0;
        // Starting a hold grants nothing, but stay general: a grant may
        // come while these are handed.
        while i < self.sh.granted.len() {
            let (w, factor) = self.sh.granted[i];
            let f = &mut self.fleets[usize::from(w.fleet)];
            f.on_granted(w.consumer as usize, w.ticket, factor, &mut self.sh);
            i += 1;
        }
        self.sh.granted.clear();
    }

    // ----- time series -----------------------------------------------------

    fn on_sample(&mut self) {
        self.take_sample();
        for q in &mut self.queues {
            q.compact();
        }
        for f in &mut self.fleets {
            f.compact_waiters();
        }
        let next = self.sh.now + self.sample;
        self.sh.events.schedule(next, Event::Sample);
    }

    /// Samples due at or before `end` that the loop did not reach.
    fn finish_samples(&mut self, end: u64) {
        while self.samples_taken * self.sample <= end {
            self.sh.now = self.samples_taken * self.sample;
            self.take_sample();
        }
        self.sh.now = end;
    }

    /// One time-series row for each queue (and its fleet).
    fn take_sample(&mut self) {
        let now = self.sh.now;
        let time = (self.samples_taken * self.sample) as f64 / 1e6;
        for (i, q) in self.queues.iter_mut().enumerate() {
            let fleet = self.fleet_of[i].map(|f| &self.fleets[usize::from(f)]);
            let oldest_age = q.oldest_age(now);
            let row = crate::engine::result::Sample {
                time,
                visible: q.visible as f64,
                in_flight: q.in_flight as f64,
                delayed: q.delayed as f64,
                dead_letter: q.rec.counts.dead_lettered as f64,
                oldest_age: oldest_age as f64 / 1e6,
                consumers_up: fleet.map_or(0.0, |f| f.up as f64),
                consumers_busy: fleet.map_or(0.0, |f| f.busy as f64),
                consumers_starting: fleet.map_or(0.0, |f| f64::from(f.starting())),
                ..Default::default()
            };
            q.rec.push_sample(row);
        }
        for r in &mut self.sh.resources {
            r.sample(time);
        }
        self.samples_taken += 1;
    }
}
