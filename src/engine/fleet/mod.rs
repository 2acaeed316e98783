//! A fleet: the consumers of one queue and the rules they follow. The
//! receive → process → delete cycle is in `cycle.rs`, the batching window
//! in `window.rs`, crashes and outages in `lifecycle.rs`, autoscaling in
//! `autoscale.rs`; what a successful processing sends downstream (`emit`)
//! goes to the outbox of [`Shared`] for the network to route.
//!
//! Every operation takes the fleet's queue (`&mut Queue`) and the shared
//! state; a fleet never sees another queue or fleet.

mod autoscale;
mod breaker;
mod cycle;
mod lifecycle;
mod steps;
mod window;

use std::collections::VecDeque;

use rand::Rng;

use super::events::Lane;
use super::queue::{Delivery, Handle};
use super::rng::{self, Purpose, Stream};
use super::shared::{Destination, Shared};
use crate::dist::Sampler;
use crate::scenario::{ConsumerConfig, Emit, Node};

use autoscale::{Provision, Scaler};
use breaker::BreakerState;
use steps::{Slot, Stage};

pub(crate) use cycle::unit;

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

/// Most messages a receive returns.
pub const MAX_BATCH: usize = 10;

/// Pause after an empty short poll when `request_latency` is shorter.
const SHORT_POLL_MIN_GAP: u64 = 1_000;

struct Consumer {
    activity: Activity,
    /// Messages of the current batch with the receipt each was received with.
    batch: [Delivery; MAX_BATCH],
    len: usize,
    pos: usize,
    /// Batch number; stale ProcessingDone / Heartbeat events carry an old one.
    batch_id: u32,
    poll_id: u32,
    /// Reasons it is down (a crash, each covering outage); up at 0.
    down: u8,
    /// Up-period number; a crash timer from an earlier period is stale.
    epoch: u32,
    /// The current message is processed and its delete is on its way.
    deleting: bool,
    /// Launched or not (autoscaling; a fixed fleet is always on).
    provision: Provision,
    /// A message of the current batch failed (`batch_failure = "whole"`).
    batch_failed: bool,
    /// Its receive waits for a full batch (`batch_window`).
    window_open: bool,
    /// The step of the current message's processing (index into
    /// [`Fleet::stages`]), for fleets that process in steps.
    stage: u8,
    /// Where it stands with a shared resource.
    slot: Slot,
    /// Its current acquire (a timeout for an earlier one is stale).
    ticket: u32,
    /// The drawn time of the hold it asked for or holds, ticks before contention.
    hold_draw: f64,
    /// When its current hold started, µs.
    hold_start: u64,
    /// Waiting for its fleet's open breaker to let it receive.
    parked: bool,
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
            stage: 0,
            slot: Slot::Free,
            ticket: 0,
            hold_draw: 0.0,
            hold_start: 0,
            parked: false,
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

/// The fleet's durations in ticks, read once.
struct Ticks {
    wait: u64,
    latency: u64,
    heartbeat: Option<u64>,
    batch_window: u64,
}

/// One emit entry, resolved to where it goes.
#[derive(Clone, Copy, Debug)]
struct Route {
    to: Destination,
    p: f64,
}

/// The random streams of a fleet, one per purpose.
struct Streams {
    processing: Stream,
    errors: Stream,
    crashes: Stream,
    restarts: Stream,
    holds: Stream,
    jitter: Stream,
    lookups: Stream,
}

/// The consumers of one queue.
pub struct Fleet<'a> {
    cfg: &'a ConsumerConfig,
    /// Its index (events name it).
    index: u16,
    /// The queue it consumes.
    pub queue: u16,
    t: Ticks,
    poll_lane: Option<Lane>,
    request_lane: Option<Lane>,
    heartbeat_lane: Option<Lane>,
    consumers: Vec<Consumer>,
    /// Long polls waiting for a message, first come first served.
    waiters: VecDeque<(u32, u32)>,
    /// Consumers holding a batch, and consumers up.
    pub busy: u64,
    /// See [`Fleet::busy`].
    pub up: u64,
    scaler: Scaler,
    processing: Sampler,
    restart: Option<Sampler>,
    rng: Streams,
    routes: Vec<Route>,
    /// Identity of the fleet's decisions on routing (seeded per replication).
    route_seed: u64,
    /// Product of the active slowdown factors.
    pub slowdown: f64,
    /// The error rate of the latest-starting active error burst, if any.
    pub error_rate: Option<f64>,
    /// The steps of a message's processing when it has several (shared
    /// resources, an idempotency lookup); empty: one processing draw.
    stages: Vec<Stage>,
    /// Each `uses` entry's resource and hold time.
    holds: Vec<(u16, Sampler)>,
    /// The idempotency lookup's time and the resource holding the table.
    lookup: Option<(Sampler, Option<u16>)>,
    /// The circuit breaker, if the fleet has one.
    breaker: Option<Box<BreakerState>>,
    /// Completed message ids (`idempotency`).
    completed: Option<Box<steps::Completed>>,
}

impl<'a> Fleet<'a> {
    /// Fleet `index` with settings `cfg`, consuming queue `queue`, for the
    /// replication with seed `seed`; its timers take lanes of `sh`'s events.
    pub fn new(
        cfg: &'a ConsumerConfig,
        index: u16,
        queue: u16,
        seed: u64,
        sh: &mut Shared,
    ) -> Self {
        let t = Ticks {
            wait: cfg.wait_time.ticks(),
            latency: cfg.request_latency.ticks(),
            heartbeat: cfg.heartbeat.map(|h| h.ticks()),
            batch_window: cfg.batch_window.ticks(),
        };
        let consumers = (0..cfg.slots())
            .map(|c| {
                if c < cfg.count {
                    Consumer::new()
                } else {
                    Consumer::off()
                }
            })
            .collect();
        let stream = |purpose| rng::stream(seed, rng::for_fleet(purpose, index));
        Fleet {
            cfg,
            index,
            queue,
            poll_lane: sh.events.lane(t.wait),
            request_lane: sh.events.lane(t.latency),
            heartbeat_lane: t.heartbeat.and_then(|h| sh.events.lane(h)),
            t,
            consumers,
            waiters: VecDeque::new(),
            busy: 0,
            up: u64::from(cfg.count),
            scaler: Scaler::new(cfg.count),
            processing: cfg.processing.sampler(),
            restart: cfg.crash.as_ref().map(|c| c.restart.sampler()),
            rng: Streams {
                processing: stream(Purpose::Processing),
                errors: stream(Purpose::Errors),
                crashes: stream(Purpose::Crashes),
                restarts: stream(Purpose::Restarts),
                holds: stream(Purpose::Holds),
                jitter: stream(Purpose::Jitter),
                lookups: stream(Purpose::Lookups),
            },
            routes: cfg.emit.iter().map(route).collect(),
            route_seed: seed ^ u64::from(index).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            slowdown: 1.0,
            error_rate: None,
            stages: steps::stages(cfg),
            holds: cfg
                .uses
                .iter()
                .map(|u| (u.resource.index as u16, u.hold.sampler()))
                .collect(),
            lookup: cfg.idempotency.as_ref().map(|i| {
                let store = i.store.as_ref().map(|r| r.index as u16);
                (i.lookup.sampler(), store)
            }),
            breaker: cfg.breaker.map(|b| Box::new(BreakerState::new(b))),
            completed: cfg
                .idempotency
                .as_ref()
                .map(|i| Box::new(steps::Completed::new(i.ttl.ticks()))),
        }
    }

    /// Its settings.
    pub fn cfg(&self) -> &'a ConsumerConfig {
        self.cfg
    }

    /// Consumer slots (the most that can ever run).
    pub fn slots(&self) -> usize {
        self.consumers.len()
    }

    /// Consumers starting up (autoscaling).
    pub fn starting(&self) -> u32 {
        self.scaler.starting
    }

    /// Seconds its breaker was open or half-open until `end`.
    pub fn breaker_open_time(&self, end: u64) -> f64 {
        self.breaker.as_ref().map_or(0.0, |b| b.open_time(end))
    }

    /// Its breaker's changes of state, if it has one.
    pub fn breaker_changes(&self) -> &[(u64, breaker::State)] {
        self.breaker.as_ref().map_or(&[], |b| b.changes())
    }

    /// Whether consumer `c` still waits on long poll `poll`. A poll that
    /// ended never waits again: each poll takes the next number.
    #[inline]
    pub fn waits_on(&self, c: usize, poll: u32) -> bool {
        self.consumers[c].activity == Activity::Waiting(poll)
    }

    /// Whether the fleet sends anything downstream.
    pub fn emits(&self) -> bool {
        !self.routes.is_empty()
    }

    /// Whether a new message is poison, drawn as the queue accepts it.
    #[inline]
    pub fn draw_poison(&mut self) -> bool {
        let pf = self.cfg.poison_fraction;
        pf > 0.0 && self.rng.errors.random::<f64>() < pf
    }

    /// Starts the fleet at time 0: crash timers, first receives, autoscaling.
    pub fn start(&mut self, q: &mut crate::engine::queue::Queue, sh: &mut Shared) {
        for c in 0..self.cfg.count as usize {
            self.schedule_crash(c, sh);
            self.receive_call(c, q, sh);
        }
        self.start_autoscaling(sh);
    }

    /// Drops waiting entries of polls that ended, when they pile up.
    pub fn compact_waiters(&mut self) {
        if self.waiters.len() > 2 * self.consumers.len() + 64 {
            let consumers = &self.consumers;
            self.waiters
                .retain(|&(c, poll)| consumers[c as usize].activity == Activity::Waiting(poll));
        }
    }
}

/// An emit entry as a destination and probability.
fn route(e: &Emit) -> Route {
    let to = match e.to.node {
        Node::Queue(q) => Destination::Queue(q as u16),
        Node::Topic(t) => Destination::Topic(t as u16),
    };
    Route { to, p: e.p }
}
