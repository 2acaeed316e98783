//! The validated, typed scenario: what the engine accepts.
//!
//! Every value here has been checked by [`crate::scenario::validate`]: ranges
//! hold, durations are integer ticks ([`SimTime`]), distributions have valid
//! parameters. The engine may rely on these invariants without re-checking.
//! The model knows nothing of TOML; it serializes (for `mqsim check` and for
//! the SHA-256 of the resolved scenario in `summary.json`) with durations as
//! unit strings, so the printed form reads like the input.

use serde::Serialize;

use crate::dist::Dist;
use crate::time::SimTime;

/// A complete, validated scenario.
#[derive(Clone, Debug, Serialize)]
pub struct Scenario {
    /// Scenario name; names the default output directory.
    pub name: String,
    /// Free text for reports.
    pub description: String,
    /// Producers send during `[0, duration)`.
    pub duration: SimTime,
    /// After `duration`, keep running until no message is left and every consumer is idle.
    pub drain: bool,
    /// Messages sent before this instant are left out of latency statistics,
    /// and time averages start here.
    pub warmup: SimTime,
    /// Master seed; replication seeds derive from it.
    pub seed: u64,
    /// Number of independent replications.
    pub replications: u32,
    /// Time-series resolution.
    pub sample_interval: SimTime,
    /// The queue's settings.
    pub queue: QueueConfig,
    /// One or more producers.
    pub producers: Vec<ProducerConfig>,
    /// The consumer fleet.
    pub consumers: ConsumerConfig,
    /// Sweep axes (`[sweep]`), used by `mqsim sweep` and `mqsim plan`; `run` ignores them.
    pub sweep: Vec<SweepAxis>,
    /// Service-level objectives checked in every report.
    pub slo: Vec<SloTarget>,
    /// Prices for `cost_usd`.
    pub cost: CostConfig,
}

/// `[queue]`.
#[derive(Clone, Debug, Serialize)]
pub struct QueueConfig {
    /// Standard or FIFO.
    #[serde(rename = "type")]
    pub kind: QueueKind,
    /// How long a received message stays invisible (0 .. 12h).
    pub visibility_timeout: SimTime,
    /// Messages older than this (since their send) expire (60s .. 14d).
    pub retention: SimTime,
    /// Delivery delay of every message (0 .. 15m).
    pub delay: SimTime,
    /// Redrive to the dead-letter queue after this many receives (1 ..= 1000).
    pub max_receive_count: Option<u32>,
    /// Receives return nothing while this many messages are in flight.
    pub max_in_flight: u32,
    /// Probability that a delivery is repeated spontaneously (standard queues).
    pub duplicate_delivery: f64,
    /// What a delete with a stale receipt handle does.
    pub stale_delete: StaleDelete,
}

/// The queue type.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QueueKind {
    /// Amazon SQS standard queue: best-effort order, at-least-once delivery.
    Standard,
    /// Amazon SQS FIFO queue: ordered message groups.
    Fifo,
}

/// The effect of a delete that carries a receipt handle older than the latest receive.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StaleDelete {
    /// The request succeeds but the message is not deleted (SQS: "might not be deleted").
    Ignored,
    /// The message is deleted anyway.
    Deletes,
}

/// One `[[producers]]` entry.
#[derive(Clone, Debug, Serialize)]
pub struct ProducerConfig {
    /// Producer name (default `producer-<index>`).
    pub name: String,
    /// Messages per second (> 0).
    pub rate: f64,
    /// The arrival process.
    pub arrivals: Arrivals,
    /// Messages per SendMessageBatch call (1 ..= 10).
    pub send_batch: u32,
    /// FIFO message groups, messages spread evenly (>= 1).
    pub groups: u32,
    /// Retries while the queue is unavailable.
    pub retry: RetryPolicy,
    /// Messages a producer holds while it retries; beyond this they are dropped.
    pub buffer: u64,
}

/// How a producer spaces its messages.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Arrivals {
    /// Exponential inter-arrival times (a Poisson process).
    Poisson,
    /// Evenly spaced, `1 / rate` apart, the first at `1 / rate`.
    Constant,
}

/// A producer's retry policy for failed sends.
#[derive(Copy, Clone, Debug, Serialize)]
pub struct RetryPolicy {
    /// Attempts after the first failure.
    pub attempts: u32,
    /// Pause between attempts.
    pub backoff: SimTime,
}

/// `[consumers]`.
#[derive(Clone, Debug, Serialize)]
pub struct ConsumerConfig {
    /// Number of consumers.
    pub count: u32,
    /// ReceiveMessage MaxNumberOfMessages (1 ..= 10).
    pub batch_size: u32,
    /// Long-polling wait (0 .. 20s); 0 is short polling.
    pub wait_time: SimTime,
    /// Processing time of one message.
    pub processing: Dist,
    /// Probability that a processing fails (the message is not deleted).
    pub error_rate: f64,
    /// What a consumer does with a message whose processing failed.
    pub on_error: OnError,
    /// Fraction of messages whose processing always fails.
    pub poison_fraction: f64,
    /// Visibility extension interval while processing, if any.
    pub heartbeat: Option<SimTime>,
    /// Round trip of every API call a consumer makes.
    pub request_latency: SimTime,
}

/// What happens to a message whose processing failed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OnError {
    /// Leave it in flight until its visibility timeout passes.
    Wait,
    /// ChangeMessageVisibility to 0: visible again at once.
    Release,
}

/// One `[sweep]` axis: a dotted scenario key and the values it takes.
#[derive(Clone, Debug, Serialize)]
pub struct SweepAxis {
    /// Dotted key path, e.g. `consumers.count`.
    pub key: String,
    /// Values as TOML literals (`8`, `"30s"`), applied like `--set KEY=VALUE`.
    pub values: Vec<String>,
}

/// One `[slo]` target: the metric's value must not exceed `max`.
#[derive(Clone, Debug, Serialize)]
pub struct SloTarget {
    /// A scalar metric name of SPEC §4.
    pub metric: String,
    /// Upper bound, in the metric's unit (seconds for times).
    pub max: f64,
}

/// `[cost]`.
#[derive(Copy, Clone, Debug, Serialize)]
pub struct CostConfig {
    /// USD per million queue API requests.
    pub price_per_million_requests: f64,
    /// USD per consumer running for one hour.
    pub consumer_hour: f64,
}

impl Scenario {
    /// Total mean arrival rate over all producers, messages per second.
    pub fn arrival_rate(&self) -> f64 {
        self.producers.iter().map(|p| p.rate).sum()
    }

    /// Offered load: arrival rate / (consumers / mean processing time).
    /// Infinite with no consumers.
    pub fn offered_load(&self) -> f64 {
        let capacity = self.consumers.count as f64 / self.consumers.processing.mean();
        self.arrival_rate() / capacity
    }
}
