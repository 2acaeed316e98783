//! The books at the end of a replication: each queue's metrics from its
//! recorder (and its fleet), and the top level. For a single queue the top
//! level is that queue; for a network it is the system: latency end to end
//! (a producer's send to the completed processing at a queue that sends
//! nothing on), counts summed over queues, the network's backlog.

use super::Network;
use crate::engine::fleet::Fleet;
use crate::engine::queue::Queue;
use crate::engine::recorder::{self, Recorder};
use crate::engine::result::{Conservation, Metrics, QueueResult, ReplicationResult, Sample};
use crate::scenario::CostConfig;

impl Network<'_> {
    /// Closes the books at `end` (µs) and builds the result.
    pub fn finish(mut self, replication: u32, seed: u64, end: u64) -> ReplicationResult {
        self.finish_samples(end);
        self.close_open_faults(end);
        let (faults, drain_time) = self.sh.watches.outcomes(end);
        let events = self.events_run as f64;
        let cost = self.sc.cost;
        let mut stations: Vec<QueueResult> = Vec::with_capacity(self.queues.len());
        for (i, q) in self.queues.iter_mut().enumerate() {
            let fleet = self.fleet_of[i].map(|f| &self.fleets[usize::from(f)]);
            let name = self.sc.queues[i].name.clone();
            stations.push(station(name, q, fleet, end, &cost, drain_time, events));
        }
        let stopped = self.stopped.take();
        let resources = self.resource_results(end);
        let breaker_changes = self.breaker_changes();
        let end_secs = end as f64 / 1e6;
        if !self.sc.is_network() {
            let only = stations.pop().expect("a scenario has a queue");
            return ReplicationResult {
                replication,
                seed,
                metrics: only.metrics,
                end: end_secs,
                timeseries: only.timeseries,
                latency: only.latency,
                wait: only.wait,
                latency_by_sent: self.queues[0].rec.latency_by_sent.finish(),
                conservation: only.conservation,
                duplicates_by_cause: only.duplicates_by_cause,
                faults,
                stopped,
                queues: Vec::new(),
                resources,
                breaker_changes,
            };
        }
        let mut e2e = self
            .sh
            .end_to_end
            .take()
            .expect("a network records end to end");
        let e2e_latency = e2e.latency.to_histogram();
        let mut metrics = system_metrics(&stations, &e2e, &e2e_latency, &self.sh.visible_all);
        metrics.drain_time = drain_time;
        metrics.events = events;
        metrics.produced = stations.iter().map(|s| s.metrics.produced).sum::<f64>()
            - stations
                .iter()
                .map(|s| s.arrived_from_queues as f64)
                .sum::<f64>()
            + self
                .topics
                .iter()
                .map(|t| t.published_by_producers() as f64)
                .sum::<f64>();
        metrics.dropped += self
            .topics
            .iter()
            .map(|t| t.counts.dropped as f64)
            .sum::<f64>();
        metrics.requests_send += self
            .topics
            .iter()
            .map(|t| t.counts.requests_send as f64)
            .sum::<f64>();
        let conservation = Conservation {
            produced: stations.iter().map(|s| s.conservation.produced).sum(),
            accounted: stations.iter().map(|s| s.conservation.accounted).sum(),
        };
        let mut by_cause = crate::engine::result::DuplicateCauses::default();
        for s in &stations {
            by_cause.merge(&s.duplicates_by_cause);
        }
        ReplicationResult {
            replication,
            seed,
            metrics,
            end: end_secs,
            timeseries: summed_series(&stations),
            latency: e2e_latency,
            wait: e2e.wait.to_histogram(),
            latency_by_sent: e2e.latency_by_sent.finish(),
            conservation,
            duplicates_by_cause: by_cause,
            faults,
            stopped,
            queues: stations,
            resources,
            breaker_changes,
        }
    }
}

/// One queue's (and its fleet's) result.
fn station(
    name: String,
    q: &mut Queue,
    fleet: Option<&Fleet>,
    end: u64,
    cost: &CostConfig,
    drain_time: f64,
    events: f64,
) -> QueueResult {
    let oldest_at_end = q.oldest_age(end);
    let left = q.visible + q.in_flight + q.delayed;
    let (visible, in_flight, delayed) = (q.visible, q.in_flight, q.delayed);
    let fifo = q.store.fifo_stats(end).unwrap_or_default();
    let rec = &mut q.rec;
    let counts = rec.counts;
    let conservation = Conservation {
        produced: counts.produced,
        accounted: counts.deleted + counts.dead_lettered + counts.expired + counts.redriven + left,
    };
    let consumers = fleet.map_or(0.0, |f| f.slots() as f64);
    let busy_mean = rec.busy.mean(end);
    let up_mean = rec.up.mean(end);
    let end_secs = end as f64 / 1e6;
    let autoscaled = fleet.is_some_and(|f| f.cfg().autoscale.is_some());
    let consumer_hours = if autoscaled {
        rec.paid.area_until(end) as f64 / 1e6 / 3600.0
    } else {
        consumers * end_secs / 3600.0
    };
    let cost_usd = counts.requests() as f64 / 1e6 * cost.price_per_million_requests
        + consumer_hours * cost.consumer_hour;
    let (latency, wait) = (rec.latency.to_histogram(), rec.wait.to_histogram());
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
        left_visible: visible as f64,
        left_in_flight: in_flight as f64,
        left_delayed: delayed as f64,
        latency_mean: rec.latency_mean(),
        latency_p50: recorder::quantile_secs(&latency, 0.5),
        latency_p90: recorder::quantile_secs(&latency, 0.9),
        latency_p99: recorder::quantile_secs(&latency, 0.99),
        latency_p999: recorder::quantile_secs(&latency, 0.999),
        latency_max: rec.latency_max(),
        wait_mean: rec.wait_mean(),
        wait_p99: recorder::quantile_secs(&wait, 0.99),
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
        events,
        consumer_hours,
        group_blocked_time_max: fifo.blocked_max as f64 / 1e6,
        group_blocked_time_mean: ratio(fifo.blocked_total, fifo.groups_used) / 1e6,
        out_of_order: fifo.out_of_order as f64,
        delete_errors: counts.delete_errors as f64,
        requests_throttled: counts.requests_throttled as f64,
        deduplicated: counts.deduplicated as f64,
        repeated: counts.repeated as f64,
        duplicates_suppressed: counts.duplicates_suppressed as f64,
        side_effect_duplicates: counts.side_effect_duplicates as f64,
        breaker_opens: counts.breaker_opens as f64,
        breaker_open_time: fleet.map_or(0.0, |f| f.breaker_open_time(end)),
        redriven: counts.redriven as f64,
    };
    QueueResult {
        name,
        metrics,
        timeseries: std::mem::take(&mut rec.samples),
        latency,
        wait,
        conservation,
        duplicates_by_cause: rec.duplicates_by_cause,
        arrived_from_queues: counts.arrived_from_queues,
        journeys: rec.journeys,
        journey_latency_mean: if rec.journeys == 0 {
            0.0
        } else {
            rec.journey_sum / rec.journeys as f64 / 1e6
        },
    }
}

/// The network's metrics: sums over queues, the end-to-end latency, the
/// backlog of all queues together.
fn system_metrics(
    stations: &[QueueResult],
    e2e: &Recorder,
    e2e_latency: &hdrhistogram::Histogram<u64>,
    visible_all: &crate::engine::recorder::TimeWeighted,
) -> Metrics {
    let sum = |name: &str| -> f64 { stations.iter().filter_map(|s| s.metrics.get(name)).sum() };
    let max = |name: &str| -> f64 {
        stations
            .iter()
            .filter_map(|s| s.metrics.get(name))
            .fold(0.0, f64::max)
    };
    let mut m = Metrics::default();
    for name in Metrics::NAMES {
        if let Some(slot) = m.get_mut(name) {
            *slot = sum(name);
        }
    }
    m.duplicate_rate = if m.deleted > 0.0 {
        m.duplicates / m.deleted
    } else {
        0.0
    };
    m.latency_mean = e2e.latency_mean();
    m.latency_p50 = recorder::quantile_secs(e2e_latency, 0.5);
    m.latency_p90 = recorder::quantile_secs(e2e_latency, 0.9);
    m.latency_p99 = recorder::quantile_secs(e2e_latency, 0.99);
    m.latency_p999 = recorder::quantile_secs(e2e_latency, 0.999);
    m.latency_max = e2e.latency_max();
    // Waits and ages are a queue's own; the system's are the worst queue's.
    m.wait_mean = max("wait_mean");
    m.wait_p99 = max("wait_p99");
    m.oldest_age_max = max("oldest_age_max");
    m.group_blocked_time_max = max("group_blocked_time_max");
    m.group_blocked_time_mean = max("group_blocked_time_mean");
    m.backlog_max = visible_all.max as f64;
    m.backlog_max_at = visible_all.max_at as f64 / 1e6;
    // Time-weighted from warm-up: the stations' means add up.
    m.backlog_mean = sum("backlog_mean");
    let busy: f64 = stations
        .iter()
        .map(|s| s.metrics.consumer_utilization * s.metrics.consumer_hours)
        .sum();
    let hours = m.consumer_hours;
    m.consumer_utilization = if hours > 0.0 { busy / hours } else { 0.0 };
    m
}

/// The network's time series: each column summed over queues (the oldest
/// age is the oldest of any queue).
fn summed_series(stations: &[QueueResult]) -> Vec<Sample> {
    let rows = stations
        .iter()
        .map(|s| s.timeseries.len())
        .min()
        .unwrap_or(0);
    (0..rows)
        .map(|r| {
            let mut total = Sample {
                time: stations[0].timeseries[r].time,
                ..Default::default()
            };
            for s in stations {
                let row = &s.timeseries[r];
                total.visible += row.visible;
                total.in_flight += row.in_flight;
                total.delayed += row.delayed;
                total.dead_letter += row.dead_letter;
                total.oldest_age = total.oldest_age.max(row.oldest_age);
                total.consumers_up += row.consumers_up;
                total.consumers_busy += row.consumers_busy;
                total.sent += row.sent;
                total.received += row.received;
                total.deleted += row.deleted;
                total.consumers_starting += row.consumers_starting;
            }
            total
        })
        .collect()
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

impl Network<'_> {
    /// Each shared resource's result, in the scenario's order.
    fn resource_results(&mut self, end: u64) -> Vec<crate::engine::result::ResourceResult> {
        let names = self.sc.resources.iter().map(|r| r.name.as_str());
        self.sh
            .resources
            .iter_mut()
            .zip(names)
            .map(|(r, name)| r.finish(name, end))
            .collect()
    }

    /// The breakers' changes of state, in time order (fleet order at the
    /// same instant).
    fn breaker_changes(&mut self) -> Vec<crate::engine::result::BreakerChange> {
        let mut changes: Vec<(u64, usize, &'static str, &str)> = Vec::new();
        for (i, f) in self.fleets.iter().enumerate() {
            let queue = self.sc.queues[usize::from(f.queue)].name.as_str();
            changes.extend(
                f.breaker_changes()
                    .iter()
                    .map(|(t, s)| (*t, i, s.name(), queue)),
            );
        }
        changes.sort_by_key(|&(t, i, _, _)| (t, i));
        changes
            .into_iter()
            .map(
                |(t, _, state, queue)| crate::engine::result::BreakerChange {
                    time: t as f64 / 1e6,
                    queue: queue.to_owned(),
                    state: state.to_owned(),
                },
            )
            .collect()
    }
}
