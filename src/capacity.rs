//! The capacity model: how many messages per second a scenario's consumers
//! can take off the queue when they never wait for work (the queue is
//! saturated), without simulating. `mqsim check` prints it; the fault
//! outlooks use it; `tests/integration/capacity.rs` holds it to within 5%
//! of saturated runs.
//!
//! Contract: pure arithmetic on a validated [`Scenario`], deterministic, no
//! faults applied (the caller passes [`Conditions`] for a fault window).
//! The model is of one [`Station`]: a queue, its fleet and the producers
//! whose messages reach it; any queue of a network with consumers is one
//! ([`Station::of`]). The free functions taking `&Scenario` model the first
//! queue with consumers ([`Station::first`]; the only queue of the single
//! form) and are kept for their callers.
//! "A message" is an arriving message taken to its end (deleted, or
//! dead-lettered); the capacity is the arrival rate the fleet keeps up with.
//!
//! The model follows the engine's consumer cycle (src/engine/consumer.rs):
//!
//! * **One consumer.** A receive takes a full batch of `batch_size` (the
//!   queue is saturated) and costs one `request_latency` before the first
//!   processing; each processing takes the processing time (× a slowdown),
//!   then, for `batch_failure = "partial"`, a delete round trip before the
//!   next message; a failed processing costs a visibility change round trip
//!   with `on_error = "release"` and nothing with `"wait"`. With
//!   `batch_failure = "whole"` the batch is deleted at its end without a
//!   wait. Heartbeats do not stop the consumer (the extend is not waited
//!   for), so they cost requests, not capacity; without an effective
//!   heartbeat, a message whose delete lands after its visibility timeout
//!   is processed again if another consumer received it meanwhile (the
//!   chance per batch position comes from a normal approximation of the sum
//!   of processing times, and the next receive from the fleet's receive
//!   rate; a FIFO queue refuses every expired receipt).
//! * **Repeats.** A message is processed until one processing succeeds and
//!   sticks (no error, no crash, no timeout), at most `max_receive_count`
//!   times; poison messages always fail, so they cost `max_receive_count`
//!   processings (without it: as many as fit in the retention period, a
//!   visibility timeout apart with `"wait"`). A whole batch is redone when
//!   any of its messages fails. Spontaneous duplicates add
//!   `duplicate_delivery` processings a delivery (standard queues).
//! * **Crashes.** A consumer is up `mtbf / (mtbf + mean restart)` of the
//!   time; a per-message crash wastes half a processing and a restart, and
//!   the message is processed again.
//! * **Fleet caps.** FIFO: a group is locked while any of its messages is
//!   in flight, and a receive fills its batch from one group, so at most
//!   `groups` consumers are busy; a failure with `on_error = "wait"` keeps
//!   its group locked for a visibility timeout; with `group_skew`, the
//!   busiest group must keep up with its share of the arrivals.
//!   `max_in_flight`: receives stop at the limit, so batches shrink to what
//!   it leaves (about `2 × free slots / consumers - 1` messages, at least
//!   one), at most that many consumers are busy, and a failure left to its
//!   timeout holds a slot that long (Little's law, solved by iteration).
//!   `queue.throughput_limit`: producers cannot send more than the limit ×
//!   messages a send call.
//! * **Shared resources** (`uses`, an idempotency `store`): each processing
//!   also waits for and holds its resources; the waits and the holds'
//!   contention come from a closed-loop model of every fleet that shares
//!   them ([`resources`]; docs/model.md#capacity-with-shared-resources), and a fleet
//!   whose share of a resource's throughput is below what its consumers
//!   would do without waiting is limited by that resource.
//!
//! Left out: `batch_window` and `wait_time` (a saturated queue fills every
//! batch at once), the work lost when a crash abandons a processing on an
//! `mtbf` clock (half a processing per `mtbf`), the rounding of processing
//! times to whole microseconds, and a saturated standard queue's habit of
//! sending a message returned for the third time to the back of its
//! backlog (the capacity is that of a queue that keeps up, where the back
//! is near). docs/model.md#capacity tells the same for users.

use serde::Serialize;

use crate::scenario::{
    BatchFailure, ConsumerConfig, FaultKind, Node, OnError, ProducerConfig, QueueConfig, QueueKind,
    Scenario,
};

pub mod resources;

pub use resources::{ResourceLoad, best_throughput, saturated_throughput};

/// What limits throughput, component by component.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Capacity {
    /// Messages per second one up consumer finishes when saturated (before
    /// the fleet caps): [`per_consumer_rate`] under the conditions given.
    pub per_consumer_rate: f64,
    /// Consumer time per message, seconds (`1 / per_consumer_rate`).
    pub seconds_per_message: f64,
    /// The share of that time spent waiting for API round trips.
    pub request_share: f64,
    /// Consumers counted.
    pub consumers: f64,
    /// The share of time a consumer is up (crashes on an `mtbf` clock).
    pub availability: f64,
    /// Consumers that can be busy at once after the fleet caps, in units of
    /// saturated consumers: `rate / per_consumer_rate`.
    pub effective_consumers: f64,
    /// Messages per second the fleet keeps up with.
    pub rate: f64,
    /// What sets `rate`, in words.
    pub limit: String,
    /// What sets `rate`, by kind (for the bottleneck of the traffic
    /// equations).
    #[serde(skip)]
    pub binding: Binding,
}

/// What kind of thing sets a fleet's capacity.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Binding {
    /// Its consumers (their count, processing time, round trips, repeats).
    #[default]
    Fleet,
    /// A setting of its queue: FIFO groups, `max_in_flight`,
    /// `throughput_limit`.
    Queue,
    /// Its share of shared resource `index` (into `Scenario::resources`).
    Resource(usize),
}

/// The circumstances of a fault window: processing time multiplied, the
/// error rate replaced.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Conditions {
    /// Processing-time multiplier (a `slowdown`), 1 normally.
    pub slowdown: f64,
    /// The error rate in force (an `error-burst`), or the scenario's.
    pub error_rate: Option<f64>,
}

impl Default for Conditions {
    fn default() -> Self {
        Conditions {
            slowdown: 1.0,
            error_rate: None,
        }
    }
}

/// One queue, its fleet, and the producers whose messages reach it: what
/// the capacity model needs to know of a queue.
#[derive(Clone, Debug)]
pub struct Station<'a> {
    /// The queue's settings.
    pub queue: &'a QueueConfig,
    /// Its fleet.
    pub consumers: &'a ConsumerConfig,
    /// The producers whose messages reach the queue, directly or through
    /// topics, emits and dead-letter queues. Their groups are the queue's
    /// FIFO groups (an emitted message is taken to keep the group of the
    /// message that caused it) and their send batches its send calls.
    pub producers: Vec<&'a ProducerConfig>,
    /// The scenario: the other fleets that share its resources.
    pub scenario: &'a Scenario,
    /// The queue's index in `scenario.queues` (`None`: a stand-in for a
    /// scenario without a fleet).
    pub index: Option<usize>,
}

impl<'a> Station<'a> {
    /// Queue `index` of `sc` and its fleet; `None` when it has no consumers
    /// (or there is no such queue).
    pub fn of(sc: &'a Scenario, index: usize) -> Option<Station<'a>> {
        let node = sc.queues.get(index)?;
        let consumers = node.consumers.as_ref()?;
        let reached = reaching(sc, index);
        let producers = sc
            .producers
            .iter()
            .filter(|p| reached.get(node_slot(sc, p.to.node)) == Some(&true))
            .collect();
        Some(Station {
            queue: &node.queue,
            consumers,
            producers,
            scenario: sc,
            index: Some(index),
        })
    }

    /// The first queue with consumers: the only queue of the single form,
    /// whose producers are all of them.
    pub fn first(sc: &'a Scenario) -> Station<'a> {
        let index = sc.queues.iter().position(|q| q.consumers.is_some());
        match index.and_then(|i| Station::of(sc, i)) {
            Some(st) => st,
            // Validation keeps a fleet in every scenario; this is its message.
            None => Station {
                queue: sc.queue(),
                consumers: sc.consumers(),
                producers: sc.producers.iter().collect(),
                scenario: sc,
                index: None,
            },
        }
    }

    /// Messages per second one up consumer completes when saturated,
    /// before the FIFO-group, `max_in_flight` and throughput-limit caps.
    pub fn per_consumer_rate(&self) -> f64 {
        let fleet = f64::from(self.consumers.count) * self.availability();
        let batch = f64::from(self.consumers.batch_size);
        let held = self.held_saturated();
        1.0 / cost(self, &Conditions::default(), batch, fleet, held).total
    }

    /// Whether its processings hold shared resources (`uses`, a `store`).
    pub fn holds_resources(&self) -> bool {
        resources::holds_any(self.consumers)
    }

    /// The resource time a processing takes at `consumers.count`
    /// consumers, every fleet sharing its resources saturated.
    fn held_saturated(&self) -> Held {
        if !self.holds_resources() {
            return Held::default();
        }
        let count = f64::from(self.consumers.count);
        let demands = resources::saturated(self.scenario, self.index, count, self.availability());
        resources::solve(self.scenario, &demands).held(self.index)
    }

    /// Messages per second the fleet keeps up with when `consumers_up`
    /// consumers are up, caps included.
    pub fn fleet_capacity(&self, consumers_up: f64) -> f64 {
        self.model(consumers_up, 1.0, &Conditions::default()).rate
    }

    /// The capacity at `consumers.count` consumers (crashes included).
    pub fn capacity(&self) -> Capacity {
        let a = self.availability();
        let count = f64::from(self.consumers.count);
        self.model(count, a, &Conditions::default())
    }

    /// The share of time a consumer is up: `mtbf / (mtbf + mean restart)`.
    pub fn availability(&self) -> f64 {
        let Some(crash) = &self.consumers.crash else {
            return 1.0;
        };
        let Some(mtbf) = crash.mtbf else {
            return 1.0;
        };
        let mtbf = mtbf.as_secs_f64();
        mtbf / (mtbf + crash.restart.mean())
    }

    /// What becomes of the messages the fleet takes to their end, with
    /// `consumers.count` consumers and no faults.
    pub fn fates(&self) -> Fates {
        let c = self.consumers;
        let up = f64::from(c.count) * self.availability();
        let held = self.held_saturated();
        let full = cost(
            self,
            &Conditions::default(),
            f64::from(c.batch_size),
            up,
            held,
        );
        let f = c.poison_fraction;
        match self.queue.max_receive_count {
            // A good message is dead-lettered when all its tries fail.
            Some(m) => {
                let lost = (1.0 - full.good_ok).clamp(0.0, 1.0).powf(f64::from(m));
                let dead = f + (1.0 - f) * lost;
                Fates {
                    processed: 1.0 - dead,
                    dead_lettered: dead,
                    expired: 0.0,
                }
            }
            // Poison (and good messages that never stick) age out.
            None => {
                let good = if full.good_ok > 0.0 { 1.0 - f } else { 0.0 };
                Fates {
                    processed: good,
                    dead_lettered: 0.0,
                    expired: 1.0 - good,
                }
            }
        }
    }
}

/// The shares of a queue's messages by how they end (they sum to 1).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Fates {
    /// Processed successfully (then deleted; these emit).
    pub processed: f64,
    /// Moved to the dead-letter queue after `max_receive_count` receives.
    pub dead_lettered: f64,
    /// Left to expire at the retention period (no `max_receive_count`).
    pub expired: f64,
}

/// The capacity of queue `index`'s fleet; `None` without consumers.
pub fn capacity_of(sc: &Scenario, index: usize) -> Option<Capacity> {
    Station::of(sc, index).map(|st| st.capacity())
}

/// Messages per second one up consumer completes when saturated, before
/// the FIFO-group, `max_in_flight` and throughput-limit caps
/// ([`Station::first`]).
pub fn per_consumer_rate(sc: &Scenario) -> f64 {
    Station::first(sc).per_consumer_rate()
}

/// Messages per second the whole fleet keeps up with when `consumers_up`
/// consumers are up, caps included ([`Station::first`]).
pub fn fleet_capacity(sc: &Scenario, consumers_up: f64) -> f64 {
    Station::first(sc).fleet_capacity(consumers_up)
}

/// The capacity at `consumers.count` consumers, crashes included
/// ([`Station::first`]).
pub fn capacity(sc: &Scenario) -> Capacity {
    Station::first(sc).capacity()
}

/// The capacity of `consumers` consumers (of which the `availability`
/// share is up) under `cond` ([`Station::first`]).
pub fn model(sc: &Scenario, consumers: f64, availability: f64, cond: &Conditions) -> Capacity {
    Station::first(sc).model(consumers, availability, cond)
}

impl Station<'_> {
    /// The capacity of `consumers` consumers (of which the `availability`
    /// share is up) under `cond`: the smallest of the fleet's rate and the
    /// caps that apply, named in [`Capacity::limit`]. Every other fleet
    /// that shares a resource with it is saturated too, with its
    /// `consumers.count`.
    pub fn model(&self, consumers: f64, availability: f64, cond: &Conditions) -> Capacity {
        if !self.holds_resources() {
            return self
                .model_held(consumers, availability, cond, Held::default())
                .0;
        }
        let mut demands = resources::saturated(self.scenario, self.index, consumers, availability);
        if let Some(Some(d)) = self.index.and_then(|i| demands.get_mut(i)) {
            d.cond = *cond;
        }
        self.model_among(&demands)
    }

    /// The capacity of this fleet, saturated, when the fleets sharing its
    /// resources ask what `demands` says (indexed by queue; this queue's
    /// entry gives its consumers and conditions, its arrivals are ignored).
    pub fn model_among(&self, demands: &[Option<resources::Demand>]) -> Capacity {
        let mine = self.index.and_then(|i| demands.get(i).copied().flatten());
        let Some(mut mine) = mine else {
            let c = f64::from(self.consumers.count);
            let a = self.availability();
            return self
                .model_held(c, a, &Conditions::default(), Held::default())
                .0;
        };
        if !self.holds_resources() {
            return self
                .model_held(
                    mine.consumers,
                    mine.availability,
                    &mine.cond,
                    Held::default(),
                )
                .0;
        }
        mine.arrivals = None;
        let mut demands = demands.to_vec();
        if let Some(i) = self.index {
            demands[i] = Some(mine);
        }
        let solution = resources::solve(self.scenario, &demands);
        let held = solution.held(self.index);
        let (mut cap, _) = self.model_held(mine.consumers, mine.availability, &mine.cond, held);
        if let Some((index, why)) = solution.limit(self, &mine, held, cap.rate) {
            cap.binding = Binding::Resource(index);
            cap.limit = why;
        }
        cap
    }

    /// [`Station::model`] with each processing taking `held` more seconds
    /// at shared resources; also returns the cost of a message.
    fn model_held(
        &self,
        consumers: f64,
        availability: f64,
        cond: &Conditions,
        held: Held,
    ) -> (Capacity, Cost) {
        let batch = f64::from(self.consumers.batch_size);
        let up = consumers * availability;
        let full = cost(self, cond, batch, up, held);
        let mu = 1.0 / full.total;
        let fleet = if availability < 1.0 {
            format!(
                "consumers ({consumers} × {:.1}% up × {mu:.4} msg/s each)",
                availability * 100.0
            )
        } else {
            format!("consumers ({consumers} × {mu:.4} msg/s each)")
        };
        let mut limits: Vec<(f64, String, Binding)> = vec![(up * mu, fleet, Binding::Fleet)];
        let queue = |(rate, why): (f64, String)| (rate, why, Binding::Queue);
        if self.queue.kind == QueueKind::Fifo {
            limits.extend(self.fifo_limits(&full, consumers, up).map(queue));
        }
        if f64::from(self.queue.max_in_flight) < up * batch {
            let limit = self.in_flight_limit(&full, cond, consumers, up, mu, held);
            limits.push(queue(limit));
        }
        if let Some(limit) = self.queue.throughput_limit {
            limits.push(queue(self.throughput_limit(limit)));
        }
        let (rate, limit, binding) = limits
            .into_iter()
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .unwrap_or((up * mu, String::new(), Binding::Fleet));
        let cap = Capacity {
            per_consumer_rate: mu,
            seconds_per_message: full.total,
            request_share: full.requests / full.total,
            consumers,
            availability,
            effective_consumers: rate / mu,
            rate,
            limit,
            binding,
        };
        (cap, full)
    }

    /// The FIFO caps: all groups, and the busiest group alone.
    fn fifo_limits(&self, full: &Cost, consumers: f64, up: f64) -> [(f64, String); 2] {
        // Emitted messages keep their cause's group: without producers
        // reaching the queue (a backlog only), count one group.
        let groups: f64 = self.producers.iter().map(|p| f64::from(p.groups)).sum();
        let groups = if self.producers.is_empty() {
            1.0
        } else {
            groups
        };
        // A failure left to its timeout keeps the group locked that long.
        let locked = if self.consumers.on_error == OnError::Wait {
            full.failures * self.queue.visibility_timeout.as_secs_f64()
        } else {
            0.0
        };
        let per_group = 1.0 / (full.total + locked);
        let why = if groups < up {
            format!("FIFO groups ({groups}) < consumers ({consumers})")
        } else {
            format!("FIFO groups ({groups}), each locked while a failure waits out its timeout")
        };
        let hot = hottest_group_share(&self.producers);
        let busiest = format!(
            "the busiest FIFO group ({:.2}% of messages, one batch at a time)",
            hot * 100.0
        );
        [(groups * per_group, why), (per_group / hot, busiest)]
    }

    /// The `max_in_flight` cap, by Little's law solved by iteration.
    fn in_flight_limit(
        &self,
        full: &Cost,
        cond: &Conditions,
        consumers: f64,
        up: f64,
        mu: f64,
        held: Held,
    ) -> (f64, String) {
        let batch = f64::from(self.consumers.batch_size);
        let max_in_flight = f64::from(self.queue.max_in_flight);
        // Failures left to their timeout hold a slot that long; the rest
        // is shared by the busy consumers, whose batches shrink to fit.
        let hold = if self.consumers.on_error == OnError::Wait {
            full.failures * self.queue.visibility_timeout.as_secs_f64()
        } else {
            0.0
        };
        let mut rate = up * mu;
        for _ in 0..100 {
            let free = (max_in_flight - rate * hold).max(max_in_flight * 1e-3);
            let b = (2.0 * free / up - 1.0).clamp(1.0, batch);
            let busy = up.min(free);
            rate = 0.5 * rate + 0.5 * busy / cost(self, cond, b, busy, held).total;
        }
        let why = format!(
            "max_in_flight ({max_in_flight}) < consumers × batch_size ({})",
            consumers * batch
        );
        (rate, why)
    }

    /// The cap of `queue.throughput_limit` send calls a second.
    fn throughput_limit(&self, limit: f64) -> (f64, String) {
        let total: f64 = self.producers.iter().map(|p| p.rate).sum();
        // Send calls per message, weighted by the producers' rates.
        let calls: f64 = if total > 0.0 {
            let per = |p: &&ProducerConfig| p.rate / f64::from(p.send_batch);
            self.producers.iter().map(per).sum::<f64>() / total
        } else {
            // Without rates, the first producer's batches (emits: one a call).
            1.0 / f64::from(self.producers.first().map_or(1, |p| p.send_batch))
        };
        let why = format!(
            "queue.throughput_limit ({limit} send calls/s, {:.2} messages a call)",
            1.0 / calls
        );
        (limit / calls, why)
    }
}

/// The conditions at `t` seconds: the active slowdowns multiplied, the
/// error rate of the error burst that started last (as in the engine);
/// `None` during a queue outage, when nothing can be received.
pub fn conditions_at(sc: &Scenario, t: f64) -> Option<Conditions> {
    conditions_where(sc, t, |_| true)
}

/// [`conditions_at`] for queue `index`: the faults that target it or
/// name no target.
pub fn queue_conditions_at(sc: &Scenario, index: usize, t: f64) -> Option<Conditions> {
    conditions_where(sc, t, |f| {
        f.target
            .as_ref()
            .is_none_or(|r| r.node == Node::Queue(index))
    })
}

/// The conditions at `t` under the faults `applies` keeps.
fn conditions_where(
    sc: &Scenario,
    t: f64,
    applies: impl Fn(&crate::scenario::Fault) -> bool,
) -> Option<Conditions> {
    let mut cond = Conditions::default();
    let mut burst_at = f64::NEG_INFINITY;
    let active = sc
        .faults
        .iter()
        .filter(|f| f.at.as_secs_f64() <= t && t < f.end().as_secs_f64() && applies(f));
    for f in active {
        match &f.kind {
            FaultKind::QueueOutage => return None,
            FaultKind::Slowdown { factor } => cond.slowdown *= factor,
            FaultKind::ErrorBurst { error_rate } if f.at.as_secs_f64() >= burst_at => {
                burst_at = f.at.as_secs_f64();
                cond.error_rate = Some(*error_rate);
            }
            _ => {}
        }
    }
    Some(cond)
}

/// Messages per second `consumers_up` up consumers keep up with at `t`
/// seconds, under the faults active then (0 in a queue outage).
pub fn capacity_at(sc: &Scenario, t: f64, consumers_up: f64) -> f64 {
    conditions_at(sc, t).map_or(0.0, |cond| model(sc, consumers_up, 1.0, &cond).rate)
}

/// The share of time a consumer is up: `mtbf / (mtbf + mean restart)`
/// ([`Station::first`]).
pub fn availability(sc: &Scenario) -> f64 {
    Station::first(sc).availability()
}

/// Seconds a processing spends at shared resources, waiting and holding:
/// their mean and variance (of the holds only; waits are taken as fixed).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Held {
    mean: f64,
    var: f64,
}

/// Consumer seconds per message, and what they are made of.
struct Cost {
    total: f64,
    /// Processings a message (repeats and duplicates included); each
    /// holds the fleet's resources.
    processings: f64,
    /// Of `total`, waiting for round trips.
    requests: f64,
    /// Failed processings a message (errors, poison), for FIFO locks.
    failures: f64,
    /// The chance that a processing of a good message sticks (with whole
    /// batches: that its batch does), for [`Station::fates`].
    good_ok: f64,
}

/// The consumer time one message costs with batches of `batch` messages.
fn cost(st: &Station, cond: &Conditions, batch: f64, fleet: f64, held: Held) -> Cost {
    let c = st.consumers;
    // An idempotency lookup without a store is consumer time of its own;
    // with one it is a hold of the store (in `held`).
    let (lookup, lookup_var) = c
        .idempotency
        .as_ref()
        .filter(|i| i.store.is_none())
        .map_or((0.0, 0.0), |i| (i.lookup.mean(), i.lookup.variance()));
    let s = c.processing.mean() * cond.slowdown + lookup + held.mean;
    let var = c.processing.variance() * cond.slowdown * cond.slowdown + lookup_var + held.var;
    let l = c.request_latency.as_secs_f64();
    let e = cond.error_rate.unwrap_or(c.error_rate);
    let f = c.poison_fraction;
    let whole = c.batch_failure == BatchFailure::Whole;
    let release = if c.on_error == OnError::Release {
        l
    } else {
        0.0
    };
    let delete = if whole { 0.0 } else { l };
    let (pc, restart) = c
        .crash
        .as_ref()
        .map_or((0.0, 0.0), |k| (k.per_message, k.restart.mean()));
    // Receives come from the whole fleet, one a batch cycle each.
    let gap = (l + batch * (s + l)) / fleet.max(1e-9);
    let q = expiry(st, s, var, l, batch, gap);
    let dup = if st.queue.kind == QueueKind::Standard {
        st.queue.duplicate_delivery
    } else {
        0.0
    };
    let max = st.queue.max_receive_count.map(f64::from);
    // A processing that sticks: no error, no crash, not timed out.
    let good_ok = (1.0 - e) * (1.0 - pc) * (1.0 - q);
    let good_ok = if whole {
        // One failure (a poison message included) redoes the batch.
        (good_ok * (1.0 - f)).powf(batch)
    } else {
        good_ok
    };
    let good_n = tries(good_ok, max);
    let poison_n = match max {
        Some(m) => m,
        None => {
            let gap = if c.on_error == OnError::Wait {
                st.queue.visibility_timeout.as_secs_f64()
            } else {
                s + l
            };
            (st.queue.retention.as_secs_f64() / gap.max(1e-6)).max(1.0)
        }
    };
    // Time of one processing whose failure probability is `fail`.
    let one = |fail: f64| -> (f64, f64) {
        let crashed = pc * (s / 2.0 + restart);
        let work = (1.0 - pc) * s + crashed;
        let trips = (1.0 - pc) * ((1.0 - fail) * delete + fail * release);
        (work + trips, trips)
    };
    let (good_t, good_r) = one(e);
    let (poison_t, poison_r) = one(1.0);
    let n = ((1.0 - f) * good_n + f * poison_n) * (1.0 + dup);
    let receive = l / batch;
    let requests =
        ((1.0 - f) * good_n * good_r + f * poison_n * poison_r) * (1.0 + dup) + n * receive;
    let total = ((1.0 - f) * good_n * good_t + f * poison_n * poison_t) * (1.0 + dup) + n * receive;
    let failures = (1.0 - f) * good_n * e + f * poison_n;
    Cost {
        total,
        processings: n,
        requests,
        failures,
        good_ok,
    }
}

/// Expected processings until one sticks (each with probability `ok`), at
/// most `max`.
fn tries(ok: f64, max: Option<f64>) -> f64 {
    let fail = 1.0 - ok;
    match max {
        _ if fail <= 0.0 => 1.0,
        Some(m) => (1.0 - fail.powf(m)) / ok.max(1e-12),
        None if ok <= 0.0 => f64::INFINITY,
        None => 1.0 / ok,
    }
}

/// The chance that a processing is wasted because its message's visibility
/// timeout ran out before the delete landed and another consumer received
/// it meanwhile, averaged over the positions of a batch; 0 with a heartbeat
/// shorter than the timeout. `gap` is the mean time from a message's return
/// to its next receive (a saturated queue hands the oldest message to the
/// next receive); a FIFO queue refuses every expired receipt, so any
/// expiry counts there.
fn expiry(st: &Station, s: f64, var: f64, l: f64, batch: f64, gap: f64) -> f64 {
    let vt = st.queue.visibility_timeout.as_secs_f64();
    if st
        .consumers
        .heartbeat
        .is_some_and(|h| h < st.queue.visibility_timeout)
    {
        return 0.0;
    }
    let gap = if st.queue.kind == QueueKind::Fifo {
        0.0
    } else {
        gap
    };
    // Wasted when the delete lands `x` seconds after the timeout.
    let wasted = |x: f64| -> f64 {
        match x {
            _ if x <= 0.0 => 0.0,
            _ if gap <= 0.0 => 1.0,
            _ => -(-x / gap).exp_m1(),
        }
    };
    // E[wasted(D - vt)] for D the sum of `n` processings plus `mean - n s`
    // of round trips: a normal approximation, integrated numerically.
    let late = |n: f64, mean: f64| -> f64 {
        let sd = (n * var).sqrt();
        if !(sd.is_finite() && sd > 0.0) {
            return wasted(mean - vt);
        }
        const STEPS: i32 = 240;
        let (mut sum, mut weight) = (0.0, 0.0);
        for k in 0..=STEPS {
            let z = -6.0 + 12.0 * f64::from(k) / f64::from(STEPS);
            let w = (-z * z / 2.0).exp();
            sum += w * wasted(mean + sd * z - vt);
            weight += w;
        }
        sum / weight
    };
    if st.consumers.batch_failure == BatchFailure::Whole {
        return late(batch, l + batch * s);
    }
    let positions = batch.round().max(1.0) as u32;
    let sum: f64 = (1..=positions)
        .map(|i| {
            let i = f64::from(i);
            late(i, l + i * (s + l))
        })
        .sum();
    sum / f64::from(positions)
}

/// The largest share of the arrivals from `producers` that goes to one
/// FIFO group (1 without producers: one group).
fn hottest_group_share(producers: &[&ProducerConfig]) -> f64 {
    if producers.is_empty() {
        return 1.0;
    }
    let total: f64 = producers.iter().map(|p| p.rate).sum();
    producers
        .iter()
        .map(|p| {
            let weight = if total > 0.0 {
                p.rate / total
            } else {
                1.0 / producers.len() as f64
            };
            let norm: f64 = (1..=p.groups)
                .map(|k| f64::from(k).powf(-p.group_skew))
                .sum();
            weight / norm
        })
        .fold(0.0, f64::max)
}

/// Which nodes' messages reach queue `target`, indexed by [`node_slot`]:
/// a node reaches it if it is the queue, or sends to a node that does
/// (a topic to its subscribers, a queue through its fleet's emits and
/// its dead-letter queue).
fn reaching(sc: &Scenario, target: usize) -> Vec<bool> {
    let n = sc.queues.len() + sc.topics.len();
    let mut reached = vec![false; n];
    reached[target] = true;
    // Relax until nothing changes: at most one pass a node.
    for _ in 0..n {
        let mut changed = false;
        for from in 0..n {
            if !reached[from] && successors(sc, from).any(|to| reached.get(to) == Some(&true)) {
                reached[from] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    reached
}

/// The nodes that node `slot` sends messages to, as slots.
fn successors(sc: &Scenario, slot: usize) -> Box<dyn Iterator<Item = usize> + '_> {
    let nq = sc.queues.len();
    match sc.queues.get(slot) {
        Some(q) => {
            let emits = q.consumers.iter().flat_map(|c| &c.emit);
            let dlq = q.queue.dead_letter.iter();
            let to = emits.map(|e| e.to.node).chain(dlq.map(|d| d.node));
            Box::new(to.map(move |n| node_slot(sc, n)))
        }
        None => {
            let subs = sc.topics.get(slot - nq).into_iter();
            let subs = subs.flat_map(|t| &t.subscribers);
            Box::new(subs.map(move |s| node_slot(sc, s.queue.node)))
        }
    }
}

/// A node's index among queues then topics.
fn node_slot(sc: &Scenario, node: Node) -> usize {
    match node {
        Node::Queue(i) => i,
        Node::Topic(i) => sc.queues.len() + i,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_str;
    use std::path::Path;

    fn scenario(queue: &str, consumers: &str) -> Scenario {
        let text = format!(
            "duration = \"1h\"\n[queue]\n{queue}\n[[producers]]\nrate = 10\n\
             [consumers]\ncount = 10\nprocessing = \"100ms\"\n{consumers}\n"
        );
        load_str(&text, Path::new("t.toml"), &[]).unwrap()
    }

    #[test]
    fn a_plain_fleet_is_consumers_over_processing_time() {
        let sc = scenario("", "batch_size = 1");
        let cap = capacity(&sc);
        assert!((cap.rate - 100.0).abs() < 1e-9, "{cap:?}");
        assert!((per_consumer_rate(&sc) - 10.0).abs() < 1e-9);
        assert!(cap.limit.starts_with("consumers (10"), "{}", cap.limit);
    }

    #[test]
    fn round_trips_cost_a_receive_a_batch_and_a_delete_a_message() {
        let sc = scenario("", "batch_size = 10\nrequest_latency = \"10ms\"");
        // 10 ms receive + 10 × (100 ms + 10 ms delete) = 1.11 s a batch.
        assert!((per_consumer_rate(&sc) - 10.0 / 1.11).abs() < 1e-9);
        let cap = capacity(&sc);
        assert!((cap.request_share - 0.11 / 1.11).abs() < 1e-9);
    }

    #[test]
    fn fifo_groups_cap_the_busy_consumers() {
        let sc = scenario("type = \"fifo\"", "batch_size = 1");
        let cap = capacity(&sc);
        assert!(
            (cap.rate - 10.0).abs() < 1e-9,
            "one group: one consumer busy"
        );
        assert_eq!(cap.limit, "FIFO groups (1) < consumers (10)");
        assert!((fleet_capacity(&sc, 10.0) - 10.0).abs() < 1e-9);
    }

    #[test]
    fn max_in_flight_caps_by_littles_law() {
        let sc = scenario(
            "max_in_flight = 4",
            "batch_size = 1\nrequest_latency = \"50ms\"",
        );
        // Four messages held 50 + 100 + 50 ms each.
        assert!((capacity(&sc).rate - 4.0 / 0.2).abs() < 1e-9);
    }

    #[test]
    fn crashes_take_the_down_time_off() {
        let sc = scenario("", "crash = { mtbf = \"90s\", restart = \"10s\" }");
        assert!((capacity(&sc).rate - 90.0).abs() < 1e-9);
    }

    #[test]
    fn errors_and_poison_cost_processings() {
        let sc = scenario(
            "max_receive_count = 4",
            "batch_size = 1\nerror_rate = 0.5\npoison_fraction = 0.1",
        );
        // Good: 1 + 1/2 + 1/4 + 1/8 tries (at most 4); poison: 4.
        let n = 0.9 * 1.875 + 0.1 * 4.0;
        assert!((per_consumer_rate(&sc) - 1.0 / (0.1 * n)).abs() < 1e-9);
    }

    #[test]
    fn any_queue_with_a_fleet_is_a_station() {
        use crate::scenario::{Emit, Layout, NodeRef};
        let mut sc = scenario("type = \"fifo\"", "batch_size = 1");
        sc.layout = Layout::Network;
        let mut b = sc.queues[0].clone();
        b.name = "b".into();
        sc.queues.push(b);
        let mut idle = sc.queues[0].clone();
        idle.consumers = None;
        sc.queues.push(idle);
        let to = NodeRef {
            name: "b".into(),
            node: Node::Queue(1),
        };
        let fleet = sc.queues[0].consumers.as_mut().unwrap();
        fleet.emit.push(Emit { to, p: 1.0 });
        // b is reached through the emit: its groups are the producer's.
        let st = Station::of(&sc, 1).unwrap();
        assert_eq!(st.producers.len(), 1);
        assert_eq!(st.capacity(), capacity(&sc));
        assert!(Station::of(&sc, 2).is_none() && capacity_of(&sc, 3).is_none());
    }

    #[test]
    fn fates_split_dead_lettered_from_processed() {
        let sc = scenario(
            "max_receive_count = 2",
            "batch_size = 1\nerror_rate = 0.5\npoison_fraction = 0.1",
        );
        let f = Station::first(&sc).fates();
        // Poison, and good messages failing both tries (1/4).
        let dead = 0.1 + 0.9 * 0.25;
        assert!((f.dead_lettered - dead).abs() < 1e-12, "{f:?}");
        assert!((f.processed - (1.0 - dead)).abs() < 1e-12);
        let sc = scenario("", "poison_fraction = 0.1");
        let f = Station::first(&sc).fates();
        assert!(f.dead_lettered == 0.0 && (f.expired - 0.1).abs() < 1e-12);
    }
}
