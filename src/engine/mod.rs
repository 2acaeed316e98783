//! The simulation engine: pure, deterministic, single-threaded.
//!
//! [`run_replication`] takes a validated [`Scenario`] and a replication index
//! and returns a [`ReplicationResult`]. It knows nothing of files, TOML, the
//! terminal or threads; callers run replications in parallel and merge them
//! in replication order.
//!
//! Determinism contract: time is an integer number of microseconds
//! ([`crate::time`]); simultaneous events run in the order they were scheduled
//! ([`events`]); random draws come from one stream per purpose derived from
//! `(seed, replication, purpose)` ([`rng`]). The same inputs give the same
//! result on any machine.
//!
//! Queue semantics follow SPEC §3 (SQS standard queues); see `docs/model.md`
//! for the exact rules and timing conventions.

mod arrivals;
mod autoscale;
mod consumer;
pub mod events;
mod faults;
mod fifo;
mod fleet;
pub mod latency_series;
mod producer;
pub mod queue;
pub mod recorder;
mod resend;
pub mod result;
pub mod rng;
mod sim;
mod window;

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use result::{Conservation, Metrics, ReplicationResult};
pub use rng::replication_seed;
use sim::Simulation;

use crate::scenario::Scenario;

/// Resource guards of a run; a replication that hits one stops early, with
/// its books closed at that moment (conservation still holds) and the reason
/// in [`ReplicationResult::stopped`].
#[derive(Clone, Debug)]
pub struct Limits {
    /// Most messages the queue may hold (visible, in flight, delayed).
    pub max_backlog: u64,
    /// A request from outside to stop (a wall-clock timeout, Ctrl-C),
    /// looked at every few thousand events.
    pub stop: Option<Arc<StopSignal>>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_backlog: u64::MAX,
            stop: None,
        }
    }
}

/// Why a caller asks running replications to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The wall-clock budget ran out.
    Timeout,
    /// The user interrupted the run.
    Interrupted,
}

/// A stop request shared between the caller and running replications. The
/// engine only reads it: the clock and the signal handler live with the
/// caller. The first reason given wins.
#[derive(Debug, Default)]
pub struct StopSignal(AtomicU8);

impl StopSignal {
    /// Asks every replication that looks at this signal to stop.
    pub fn request(&self, reason: StopReason) {
        let code = match reason {
            StopReason::Timeout => 1,
            StopReason::Interrupted => 2,
        };
        let _ = self
            .0
            .compare_exchange(0, code, Ordering::Relaxed, Ordering::Relaxed);
    }

    /// The reason given, if a stop was requested.
    pub fn reason(&self) -> Option<StopReason> {
        match self.0.load(Ordering::Relaxed) {
            1 => Some(StopReason::Timeout),
            2 => Some(StopReason::Interrupted),
            _ => None,
        }
    }
}

/// Runs replication `index` of `scenario` (seeded from `scenario.seed`).
pub fn run_replication(scenario: &Scenario, index: u32) -> ReplicationResult {
    run_replication_within(scenario, index, Limits::default())
}

/// [`run_replication`] under resource `limits`.
pub fn run_replication_within(
    scenario: &Scenario,
    index: u32,
    limits: Limits,
) -> ReplicationResult {
    let seed = replication_seed(scenario.seed, index);
    let mut sim = Simulation::new(scenario, seed);
    sim.max_backlog = limits.max_backlog;
    sim.stop = limits.stop;
    let end = sim.run_to_end();
    let result = sim.finish(index, seed, end);
    debug_assert!(
        result.conservation.holds(),
        "conservation violated: {:?}",
        result.conservation
    );
    result
}

impl Simulation<'_> {
    /// Closes the books at `end` (µs) and builds the result.
    fn finish(mut self, replication: u32, seed: u64, end: u64) -> ReplicationResult {
        self.finish_samples(end);
        self.close_open_faults(end);
        let oldest_at_end = self.queue.oldest().map_or(0, |(_, sent_at)| end - sent_at);
        let rec = &mut self.rec;
        let counts = rec.counts;
        let left = self.visible + self.in_flight + self.delayed;
        let conservation = Conservation {
            produced: counts.produced,
            accounted: counts.deleted + counts.dead_lettered + counts.expired + left,
        };
        let consumers = self.consumers.len() as f64;
        let busy_mean = rec.busy.mean(end);
        let up_mean = rec.up.mean(end);
        let (faults, drain_time) = self.faults.outcomes(end);
        let end_secs = end as f64 / 1e6;
        let cost = &self.sc.cost;
        let consumer_hours = if self.sc.consumers().autoscale.is_some() {
            rec.paid.area_until(end) as f64 / 1e6 / 3600.0
        } else {
            consumers * end_secs / 3600.0
        };
        let cost_usd = counts.requests() as f64 / 1e6 * cost.price_per_million_requests
            + consumer_hours * cost.consumer_hour;
        let fifo = self.queue.fifo_stats(end).unwrap_or_default();
        let metrics = Metrics {
            produced: counts.produced as f64,
            dropped: counts.dropped as f64,
            received: counts.received as f64,
            deleted: counts.deleted as f64,
            processed_ok: counts.processed_ok as f64,
            duplicates: counts.duplicates as f64,
            duplicate_rate: ratio(counts.duplicates, counts.deleted),
            dead_lettered: counts.dead_lettered as f64,
            expired: counts.expired as f64,
            left_visible: self.visible as f64,
            left_in_flight: self.in_flight as f64,
            left_delayed: self.delayed as f64,
            latency_mean: rec.latency_mean(),
            latency_p50: recorder::quantile_secs(&rec.latency, 0.5),
            latency_p90: recorder::quantile_secs(&rec.latency, 0.9),
            latency_p99: recorder::quantile_secs(&rec.latency, 0.99),
            latency_p999: recorder::quantile_secs(&rec.latency, 0.999),
            latency_max: rec.latency_max(),
            wait_mean: rec.wait_mean(),
            wait_p99: recorder::quantile_secs(&rec.wait, 0.99),
            backlog_max: rec.backlog.max as f64,
            backlog_max_at: rec.backlog.max_at as f64 / 1e6,
            backlog_mean: rec.backlog.mean(end),
            in_flight_max: rec.in_flight_max as f64,
            oldest_age_max: rec.oldest_age_max.max(oldest_at_end) as f64 / 1e6,
            drain_time,
            consumer_utilization: if up_mean > 0.0 {
                busy_mean / up_mean
            } else {
                0.0
            },
            consumer_crashes: rec.consumer_crashes as f64,
            requests_send: counts.requests_send as f64,
            requests_receive: counts.requests_receive as f64,
            requests_receive_empty: counts.requests_receive_empty as f64,
            requests_delete: counts.requests_delete as f64,
            requests_change_visibility: counts.requests_change_visibility as f64,
            cost_usd,
            events: self.events_run as f64,
            consumer_hours,
            group_blocked_time_max: fifo.blocked_max as f64 / 1e6,
            group_blocked_time_mean: ratio(fifo.blocked_total, fifo.groups_used) / 1e6,
            out_of_order: fifo.out_of_order as f64,
            delete_errors: counts.delete_errors as f64,
            requests_throttled: counts.requests_throttled as f64,
            deduplicated: counts.deduplicated as f64,
            repeated: counts.repeated as f64,
        };
        ReplicationResult {
            replication,
            seed,
            metrics,
            end: end_secs,
            timeseries: std::mem::take(&mut rec.samples),
            latency: std::mem::replace(&mut rec.latency, recorder::latency_histogram()),
            wait: std::mem::replace(&mut rec.wait, recorder::latency_histogram()),
            latency_by_sent: rec.latency_by_sent.finish(),
            conservation,
            duplicates_by_cause: rec.duplicates_by_cause,
            faults,
            stopped: self.stopped.take(),
        }
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}
