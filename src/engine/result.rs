//! What one replication returns: scalar metrics, a time series and latency
//! histograms. Plain data; aggregation across replications and export live
//! elsewhere ([`crate::stats`], [`crate::output`]). It serializes losslessly
//! (histograms in HdrHistogram's V2 encoding) so that shards of a run can be
//! merged exactly.

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::scenario::Scenario;

pub use super::latency_series::{IntervalHistogram, LatencySeries};
pub use super::recorder::DuplicateCauses;

macro_rules! scalar_metrics {
    ($( $(#[$doc:meta])* $name:ident ),* $(,)?) => {
        /// The scalar metrics of one replication (SPEC §4), seconds for times.
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        pub struct Metrics {
            $( $(#[$doc])* pub $name: f64, )*
        }

        impl Metrics {
            /// Metric names in output order (the order of SPEC §4).
            pub const NAMES: &'static [&'static str] = &[$(stringify!($name)),*];

            /// Values in the order of [`Metrics::NAMES`].
            pub fn values(&self) -> Vec<f64> {
                vec![$(self.$name),*]
            }

            /// The metric called `name`, to set, if there is one.
            pub fn get_mut(&mut self, name: &str) -> Option<&mut f64> {
                match name {
                    $(stringify!($name) => Some(&mut self.$name),)*
                    _ => None,
                }
            }

            /// The value of the metric called `name`, if there is one.
            pub fn get(&self, name: &str) -> Option<f64> {
                match name {
                    $(stringify!($name) => Some(self.$name),)*
                    _ => None,
                }
            }
        }
    };
}

scalar_metrics! {
    /// Messages accepted by the queue.
    produced,
    /// Messages a producer gave up on (never accepted).
    dropped,
    /// Deliveries (messages handed out by receives).
    received,
    /// Messages deleted.
    deleted,
    /// Completed processings, whatever became of the message meanwhile.
    processed_ok,
    /// Completed processings beyond the first for the same message.
    duplicates,
    /// duplicates / deleted (0 when nothing was deleted).
    duplicate_rate,
    /// Messages moved to the dead-letter queue.
    dead_lettered,
    /// Messages deleted by retention.
    expired,
    /// Messages visible at the end.
    left_visible,
    /// Messages in flight at the end.
    left_in_flight,
    /// Messages delayed at the end.
    left_delayed,
    /// Mean send → first completed processing, messages sent after warm-up.
    latency_mean,
    /// Latency median.
    latency_p50,
    /// Latency 90th percentile.
    latency_p90,
    /// Latency 99th percentile.
    latency_p99,
    /// Latency 99.9th percentile.
    latency_p999,
    /// Largest latency (exact).
    latency_max,
    /// Mean send → first receive.
    wait_mean,
    /// 99th percentile of send → first receive.
    wait_p99,
    /// Peak number of visible messages.
    backlog_max,
    /// When the peak was first reached, seconds.
    backlog_max_at,
    /// Time-weighted mean of visible messages after warm-up.
    backlog_mean,
    /// Peak number of in-flight messages.
    in_flight_max,
    /// Largest age of the oldest message not yet gone, seconds.
    oldest_age_max,
    /// End of the last fault → visible backlog back to its pre-fault level (0 with no faults).
    drain_time,
    /// Busy consumer-time / up consumer-time after warm-up.
    consumer_utilization,
    /// Consumer crashes.
    consumer_crashes,
    /// SendMessage / SendMessageBatch calls.
    requests_send,
    /// ReceiveMessage calls, empty or not.
    requests_receive,
    /// ReceiveMessage calls that returned nothing.
    requests_receive_empty,
    /// DeleteMessage calls.
    requests_delete,
    /// ChangeMessageVisibility calls.
    requests_change_visibility,
    /// Request cost plus consumer-hours cost, USD.
    cost_usd,
    /// Events simulated.
    events,
    /// Consumer-hours paid for (running consumers over time).
    consumer_hours,
    /// FIFO: longest stretch one message group was blocked (a message in
    /// flight, another waiting behind it), seconds; 0 for standard queues.
    group_blocked_time_max,
    /// FIFO: blocked time per message group that received messages, seconds.
    group_blocked_time_mean,
    /// FIFO: first deliveries that overtook an earlier message of their
    /// group (an invariant: always 0).
    out_of_order,
    /// FIFO: deletes refused because the receipt handle had expired.
    delete_errors,
    /// Send calls refused by `queue.throughput_limit` (retried by the producer).
    requests_throttled,
    /// FIFO: messages of repeated sends dropped by the 5-minute
    /// deduplication window (producers' `lost_acks`).
    deduplicated,
    /// Messages enqueued a second time by a repeated send (standard queues,
    /// or FIFO after the window): each is processed again.
    repeated,
    /// `idempotency`: processings skipped because the lookup found the
    /// message completed within `ttl` (no side effect, nothing emitted).
    duplicates_suppressed,
    /// `idempotency`: processings of a message already completed whose
    /// record had expired (`ttl`) or was not yet written: the side effect
    /// happened twice.
    side_effect_duplicates,
    /// `breaker`: times a circuit breaker opened (half-open probes that
    /// failed included).
    breaker_opens,
    /// `breaker`: seconds a breaker was open or half-open (summed over fleets).
    breaker_open_time,
    /// `redrive` faults: messages moved out of a dead-letter queue.
    redriven,
}

/// Whether a scenario uses a feature.
type UsesFeature = fn(&Scenario) -> bool;

/// Metrics that only a scenario with the feature they measure reports
/// (the outputs of other scenarios stay as they were), with that test.
const FEATURE_METRICS: [(&str, UsesFeature); 5] = [
    ("duplicates_suppressed", has_idempotency),
    ("side_effect_duplicates", has_idempotency),
    ("breaker_opens", has_breaker),
    ("breaker_open_time", has_breaker),
    ("redriven", has_redrive),
];

fn has_redrive(sc: &Scenario) -> bool {
    sc.faults
        .iter()
        .any(|f| matches!(f.kind, crate::scenario::FaultKind::Redrive { .. }))
}

fn fleets(sc: &Scenario) -> impl Iterator<Item = &crate::scenario::ConsumerConfig> {
    sc.queues.iter().filter_map(|q| q.consumers.as_ref())
}

fn has_idempotency(sc: &Scenario) -> bool {
    fleets(sc).any(|c| c.idempotency.is_some())
}

fn has_breaker(sc: &Scenario) -> bool {
    fleets(sc).any(|c| c.breaker.is_some())
}

impl Metrics {
    /// The metrics `sc`'s outputs report, in [`Metrics::NAMES`] order:
    /// all but those of features it does not use.
    pub fn names_for(sc: &Scenario) -> Vec<&'static str> {
        Metrics::NAMES
            .iter()
            .copied()
            .filter(|name| {
                FEATURE_METRICS
                    .iter()
                    .find(|(n, _)| n == name)
                    .is_none_or(|(_, used)| used(sc))
            })
            .collect()
    }

    /// Whether `name` is a metric `sc` reports.
    pub fn reported_by(name: &str, sc: &Scenario) -> bool {
        Metrics::NAMES.contains(&name)
            && FEATURE_METRICS
                .iter()
                .find(|(n, _)| *n == name)
                .is_none_or(|(_, used)| used(sc))
    }
}

macro_rules! resource_metrics {
    ($( $(#[$doc:meta])* $name:ident ),* $(,)?) => {
        /// The scalar metrics of one shared resource in one replication.
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        pub struct ResourceMetrics {
            $( $(#[$doc])* pub $name: f64, )*
        }

        impl ResourceMetrics {
            /// Metric names in output order.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($name)),*];

            /// Values in the order of [`ResourceMetrics::NAMES`].
            pub fn values(&self) -> Vec<f64> {
                vec![$(self.$name),*]
            }

            /// The metric called `name`, if there is one.
            pub fn get(&self, name: &str) -> Option<f64> {
                match name {
                    $(stringify!($name) => Some(self.$name),)*
                    _ => None,
                }
            }
        }
    };
}

resource_metrics! {
    /// Time-weighted mean holders / capacity, after warm-up.
    utilization,
    /// Mean wait for the resource of the acquires granted after warm-up, seconds.
    wait_mean,
    /// 99th percentile of that wait, seconds.
    wait_p99,
    /// Acquires that gave up (`acquire_timeout`) or failed (an outage).
    timeouts,
    /// Most concurrent holders.
    holders_max,
    /// Acquires granted.
    acquired,
    /// Most consumers waiting for it at once.
    waiters_max,
    /// Time-weighted mean consumers waiting, after warm-up.
    waiters_mean,
    /// Mean hold time (contention and slowdowns included), seconds.
    hold_mean,
}

/// One shared resource in one replication.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ResourceResult {
    /// The resource's name.
    pub name: String,
    /// Its metrics.
    pub metrics: ResourceMetrics,
    /// Waits for it (acquire → granted) of acquires after warm-up, µs; a
    /// wait of 0 is recorded as 1 µs.
    #[serde(with = "v2_histogram")]
    pub wait: Histogram<u64>,
    /// Holders and waiters at each sample instant (the rows of `timeseries`).
    pub timeseries: Vec<ResourceSample>,
}

/// A resource's levels at one sample instant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ResourceSample {
    /// Sample instant, seconds.
    pub time: f64,
    /// Consumers holding it.
    pub holders: f64,
    /// Consumers waiting for it.
    pub waiters: f64,
}

/// One row of the time series: levels at `time`, counts during the interval
/// that ends at `time`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Sample instant, seconds.
    pub time: f64,
    /// Visible messages.
    pub visible: f64,
    /// In-flight messages.
    pub in_flight: f64,
    /// Delayed messages.
    pub delayed: f64,
    /// Messages in the dead-letter queue (cumulative).
    pub dead_letter: f64,
    /// Age of the oldest message not yet gone, seconds.
    pub oldest_age: f64,
    /// Consumers running.
    pub consumers_up: f64,
    /// Consumers holding messages.
    pub consumers_busy: f64,
    /// Messages accepted by the queue during the interval.
    pub sent: f64,
    /// Deliveries during the interval.
    pub received: f64,
    /// Deletes during the interval.
    pub deleted: f64,
    /// Consumers launched by autoscaling and not yet serving (`startup`).
    pub consumers_starting: f64,
}

impl Sample {
    /// Column names of `timeseries.csv`, in order.
    pub const COLUMNS: [&'static str; 12] = [
        "time",
        "visible",
        "in_flight",
        "delayed",
        "dead_letter",
        "oldest_age",
        "consumers_up",
        "consumers_busy",
        "sent",
        "received",
        "deleted",
        "consumers_starting",
    ];

    /// Values in the order of [`Sample::COLUMNS`].
    pub fn values(&self) -> [f64; 12] {
        [
            self.time,
            self.visible,
            self.in_flight,
            self.delayed,
            self.dead_letter,
            self.oldest_age,
            self.consumers_up,
            self.consumers_busy,
            self.sent,
            self.received,
            self.deleted,
            self.consumers_starting,
        ]
    }
}

/// The end-of-run identity `produced = deleted + dead_lettered + expired +
/// left_visible + left_in_flight + left_delayed`, with both sides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conservation {
    /// Messages accepted by the queue.
    pub produced: u64,
    /// The sum of the message fates.
    pub accounted: u64,
}

impl Conservation {
    /// Whether every produced message is accounted for.
    pub fn holds(&self) -> bool {
        self.produced == self.accounted
    }
}

/// Everything one replication produces.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ReplicationResult {
    /// Replication index, from 0.
    pub replication: u32,
    /// The replication's own seed (derived from the master seed and index).
    pub seed: u64,
    /// Scalar metrics.
    pub metrics: Metrics,
    /// When the run ended, seconds (`duration`, or later with `drain`).
    pub end: f64,
    /// Time series at the scenario's sample interval, from time 0.
    pub timeseries: Vec<Sample>,
    /// End-to-end latency (send → first completed processing) in microseconds,
    /// messages sent after warm-up; 3 significant digits.
    #[serde(with = "v2_histogram")]
    pub latency: Histogram<u64>,
    /// Wait (send → first receive) in microseconds, messages sent after
    /// warm-up; 3 significant digits. A wait of 0 (a long poll was already
    /// waiting) is recorded as 1 µs, the histogram's lowest value.
    #[serde(with = "v2_histogram")]
    pub wait: Histogram<u64>,
    /// End-to-end latency by send interval, one histogram per row of
    /// `timeseries` (warm-up included; see [`LatencySeries`]).
    pub latency_by_sent: LatencySeries,
    /// Conservation check at the end of the run.
    pub conservation: Conservation,
    /// Duplicate processings split by cause (they sum to `duplicates`).
    pub duplicates_by_cause: DuplicateCauses,
    /// One outcome per fault, in the scenario's order.
    pub faults: Vec<FaultOutcome>,
    /// Why the replication stopped before its end (a resource guard), if it did.
    pub stopped: Option<String>,
    /// Each queue's own results, in the scenario's queue order; empty for
    /// a single-queue scenario (whose top level is its queue).
    pub queues: Vec<QueueResult>,
    /// Each shared resource's results, in the scenario's resource order.
    #[serde(default)]
    pub resources: Vec<ResourceResult>,
    /// When each circuit breaker changed state, in time order.
    #[serde(default)]
    pub breaker_changes: Vec<BreakerChange>,
}

/// A circuit breaker's change of state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BreakerChange {
    /// When, seconds.
    pub time: f64,
    /// The queue whose fleet it guards.
    pub queue: String,
    /// `open`, `half-open` or `closed`.
    pub state: String,
}

/// One queue of a network (with its fleet) in one replication.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct QueueResult {
    /// The queue's name.
    pub name: String,
    /// Its metrics: latency from its own send (the queue's sojourn), counts
    /// of its own messages, its fleet's utilisation and cost.
    pub metrics: Metrics,
    /// Its time series (its own visible, in-flight and counters).
    pub timeseries: Vec<Sample>,
    /// Its sojourn times (send to this queue → first completed processing), µs.
    #[serde(with = "v2_histogram")]
    pub latency: Histogram<u64>,
    /// Its waits (send to this queue → first receive), µs.
    #[serde(with = "v2_histogram")]
    pub wait: Histogram<u64>,
    /// Its conservation identity (`produced`: every message it accepted).
    pub conservation: Conservation,
    /// Its duplicate processings by cause; a copy sent by an upstream
    /// duplicate counts under the upstream duplicate's cause.
    pub duplicates_by_cause: DuplicateCauses,
    /// Messages that arrived from other queues (emits, topics, dead letters).
    pub arrived_from_queues: u64,
    /// Journeys that ended here (a processing that sent nothing on), of
    /// producers' messages sent after warm-up.
    pub journeys: u64,
    /// Their mean end-to-end latency, seconds (0 with none).
    pub journey_latency_mean: f64,
}

/// What one fault did in one replication (see `docs/metrics.md`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FaultOutcome {
    /// Visible messages when the fault ended.
    pub backlog_at_end: f64,
    /// Peak visible messages from the fault's start until it drained.
    pub backlog_peak: f64,
    /// Seconds from the fault's end until the visible backlog was back at
    /// its pre-fault level (until the end of the run if it never was).
    pub drain_time: f64,
    /// Whether the backlog got back to its pre-fault level.
    pub drained: bool,
    /// Messages producers dropped during the fault.
    pub dropped: f64,
    /// Messages that expired during the fault.
    pub expired: f64,
}

/// A histogram as the bytes of HdrHistogram's V2 encoding (uncompressed):
/// every count, and the configuration, survive the round trip.
mod v2_histogram {
    use hdrhistogram::Histogram;
    use hdrhistogram::serialization::{Deserializer, Serializer, V2Serializer};
    use serde::Deserialize;
    use serde::de::Error as _;
    use serde::ser::Error as _;

    pub fn serialize<S: serde::Serializer>(h: &Histogram<u64>, s: S) -> Result<S::Ok, S::Error> {
        let mut bytes = Vec::new();
        V2Serializer::new()
            .serialize(h, &mut bytes)
            .map_err(|e| S::Error::custom(format!("encoding a histogram: {e:?}")))?;
        s.serialize_bytes(&bytes)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Histogram<u64>, D::Error> {
        let bytes = <Vec<u8>>::deserialize(d)?;
        Deserializer::new()
            .deserialize(&mut bytes.as_slice())
            .map_err(|e| D::Error::custom(format!("decoding a histogram: {e:?}")))
    }
}
