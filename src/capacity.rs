//! The capacity model: how many messages per second a scenario's consumers
//! can take off the queue when they never wait for work (the queue is
//! saturated), without simulating. `mqsim check` prints it; the fault
//! outlooks use it; `tests/integration/capacity.rs` holds it to within 5%
//! of saturated runs.
//!
//! Contract: pure arithmetic on a validated [`Scenario`], deterministic, no
//! faults applied (the caller passes [`Conditions`] for a fault window).
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
//!
//! Left out: `batch_window` and `wait_time` (a saturated queue fills every
//! batch at once), the work lost when a crash abandons a processing on an
//! `mtbf` clock (half a processing per `mtbf`), the rounding of processing
//! times to whole microseconds, and a saturated standard queue's habit of
//! sending a message returned for the third time to the back of its
//! backlog (the capacity is that of a queue that keeps up, where the back
//! is near). docs/model.md#capacity tells the same for users.

use serde::Serialize;

use crate::scenario::{BatchFailure, FaultKind, OnError, QueueKind, Scenario};

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

/// Messages per second one up consumer completes when saturated, before
/// the FIFO-group, `max_in_flight` and throughput-limit caps.
pub fn per_consumer_rate(sc: &Scenario) -> f64 {
    let fleet = f64::from(sc.consumers().count) * availability(sc);
    let batch = f64::from(sc.consumers().batch_size);
    1.0 / cost(sc, &Conditions::default(), batch, fleet).total
}

/// Messages per second the whole fleet keeps up with when `consumers_up`
/// consumers are up, caps included.
pub fn fleet_capacity(sc: &Scenario, consumers_up: f64) -> f64 {
    model(sc, consumers_up, 1.0, &Conditions::default()).rate
}

/// The capacity at `consumers.count` consumers (crashes included).
pub fn capacity(sc: &Scenario) -> Capacity {
    let a = availability(sc);
    model(
        sc,
        f64::from(sc.consumers().count),
        a,
        &Conditions::default(),
    )
}

/// The capacity of `consumers` consumers (of which the `availability`
/// share is up) under `cond`.
pub fn model(sc: &Scenario, consumers: f64, availability: f64, cond: &Conditions) -> Capacity {
    let c = &sc.consumers();
    let batch = f64::from(c.batch_size);
    let up = consumers * availability;
    let full = cost(sc, cond, batch, up);
    let mu = 1.0 / full.total;
    let mut limits: Vec<(f64, String)> = vec![(
        up * mu,
        if availability < 1.0 {
            format!(
                "consumers ({consumers} × {:.1}% up × {mu:.4} msg/s each)",
                availability * 100.0
            )
        } else {
            format!("consumers ({consumers} × {mu:.4} msg/s each)")
        },
    )];
    if sc.queue().kind == QueueKind::Fifo {
        let groups: f64 = sc.producers.iter().map(|p| f64::from(p.groups)).sum();
        // A failure left to its timeout keeps the group locked that long.
        let locked = if c.on_error == OnError::Wait {
            full.failures * sc.queue().visibility_timeout.as_secs_f64()
        } else {
            0.0
        };
        let per_group = 1.0 / (full.total + locked);
        let why = if groups < up {
            format!("FIFO groups ({groups}) < consumers ({consumers})")
        } else {
            format!("FIFO groups ({groups}), each locked while a failure waits out its timeout")
        };
        limits.push((groups * per_group, why));
        let hot = hottest_group_share(sc);
        limits.push((
            per_group / hot,
            format!(
                "the busiest FIFO group ({:.2}% of messages, one batch at a time)",
                hot * 100.0
            ),
        ));
    }
    let max_in_flight = f64::from(sc.queue().max_in_flight);
    if max_in_flight < up * batch {
        // Failures left to their timeout hold a slot that long; the rest
        // is shared by the busy consumers, whose batches shrink to fit.
        let hold = if c.on_error == OnError::Wait {
            full.failures * sc.queue().visibility_timeout.as_secs_f64()
        } else {
            0.0
        };
        let mut rate = up * mu;
        for _ in 0..100 {
            let free = (max_in_flight - rate * hold).max(max_in_flight * 1e-3);
            let b = (2.0 * free / up - 1.0).clamp(1.0, batch);
            let busy = up.min(free);
            rate = 0.5 * rate + 0.5 * busy / cost(sc, cond, b, busy).total;
        }
        limits.push((
            rate,
            format!(
                "max_in_flight ({max_in_flight}) < consumers × batch_size ({})",
                consumers * batch
            ),
        ));
    }
    if let Some(limit) = sc.queue().throughput_limit {
        let total = sc.arrival_rate();
        // Send calls per message, weighted by the producers' rates.
        let calls: f64 = if total > 0.0 {
            let per = |p: &crate::scenario::ProducerConfig| p.rate / f64::from(p.send_batch);
            sc.producers.iter().map(per).sum::<f64>() / total
        } else {
            1.0 / f64::from(sc.producers[0].send_batch)
        };
        limits.push((
            limit / calls,
            format!(
                "queue.throughput_limit ({limit} send calls/s, {:.2} messages a call)",
                1.0 / calls
            ),
        ));
    }
    let (rate, limit) = limits
        .into_iter()
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .expect("the fleet is always a limit");
    Capacity {
        per_consumer_rate: mu,
        seconds_per_message: full.total,
        request_share: full.requests / full.total,
        consumers,
        availability,
        effective_consumers: rate / mu,
        rate,
        limit,
    }
}

/// The conditions at `t` seconds: the active slowdowns multiplied, the
/// error rate of the error burst that started last (as in the engine);
/// `None` during a queue outage, when nothing can be received.
pub fn conditions_at(sc: &Scenario, t: f64) -> Option<Conditions> {
    let mut cond = Conditions::default();
    let mut burst_at = f64::NEG_INFINITY;
    let active = sc
        .faults
        .iter()
        .filter(|f| f.at.as_secs_f64() <= t && t < f.end().as_secs_f64());
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

/// The share of time a consumer is up: `mtbf / (mtbf + mean restart)`.
pub fn availability(sc: &Scenario) -> f64 {
    let Some(crash) = &sc.consumers().crash else {
        return 1.0;
    };
    let Some(mtbf) = crash.mtbf else {
        return 1.0;
    };
    let mtbf = mtbf.as_secs_f64();
    mtbf / (mtbf + crash.restart.mean())
}

/// Consumer seconds per message, and what they are made of.
struct Cost {
    total: f64,
    /// Of `total`, waiting for round trips.
    requests: f64,
    /// Failed processings a message (errors, poison), for FIFO locks.
    failures: f64,
}

/// The consumer time one message costs with batches of `batch` messages.
fn cost(sc: &Scenario, cond: &Conditions, batch: f64, fleet: f64) -> Cost {
    let c = &sc.consumers();
    let s = c.processing.mean() * cond.slowdown;
    let var = c.processing.variance() * cond.slowdown * cond.slowdown;
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
    let q = expiry(sc, s, var, l, batch, gap);
    let dup = if sc.queue().kind == QueueKind::Standard {
        sc.queue().duplicate_delivery
    } else {
        0.0
    };
    let max = sc.queue().max_receive_count.map(f64::from);
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
                sc.queue().visibility_timeout.as_secs_f64()
            } else {
                s + l
            };
            (sc.queue().retention.as_secs_f64() / gap.max(1e-6)).max(1.0)
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
        requests,
        failures,
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
fn expiry(sc: &Scenario, s: f64, var: f64, l: f64, batch: f64, gap: f64) -> f64 {
    let vt = sc.queue().visibility_timeout.as_secs_f64();
    if sc
        .consumers()
        .heartbeat
        .is_some_and(|h| h < sc.queue().visibility_timeout)
    {
        return 0.0;
    }
    let gap = if sc.queue().kind == QueueKind::Fifo {
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
    if sc.consumers().batch_failure == BatchFailure::Whole {
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

/// The largest share of all arrivals that goes to one FIFO group.
fn hottest_group_share(sc: &Scenario) -> f64 {
    let total = sc.arrival_rate();
    sc.producers
        .iter()
        .map(|p| {
            let weight = if total > 0.0 {
                p.rate / total
            } else {
                1.0 / sc.producers.len() as f64
            };
            let norm: f64 = (1..=p.groups)
                .map(|k| f64::from(k).powf(-p.group_skew))
                .sum();
            weight / norm
        })
        .fold(0.0, f64::max)
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
}
