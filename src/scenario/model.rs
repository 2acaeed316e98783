//! The validated, typed scenario: what the engine accepts.
//!
//! Every value here has been checked by [`crate::scenario::validate`]: ranges
//! hold, durations are integer ticks ([`SimTime`]), distributions have valid
//! parameters. The engine may rely on these invariants without re-checking.
//! The model knows nothing of TOML; it serializes (for `mqsim check` and for
//! the SHA-256 of the resolved scenario in `summary.json`) in the
//! scenario-file format, so that the printed form loads back to the same
//! scenario ([`super::written`]).

use std::sync::Arc;

use serde::Serialize;

pub use super::burst::Burst;
use super::downstream::{
    Backoff, Breaker, Idempotency, OutageMode, ResourceNode, ResourceRef, Use,
};
use super::observed::Observed;
pub use super::schedule_file::ScheduleFile;
use crate::dist::Dist;
use crate::time::SimTime;

/// A complete, validated scenario (serialized by [`super::written`]).
#[derive(Clone, Debug)]
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
    /// How the file describes its queues: one `[queue]`, or `[queues.NAME]`.
    pub layout: Layout,
    /// The queues, each with its fleet; never empty. The single-queue form
    /// is one queue named [`SINGLE_QUEUE`] whose fleet is `[consumers]`.
    pub queues: Vec<QueueNode>,
    /// SNS-like topics (`[topics.NAME]`), in name order.
    pub topics: Vec<TopicNode>,
    /// Shared resources (`[resources.NAME]`), in name order.
    pub resources: Vec<ResourceNode>,
    /// One or more producers.
    pub producers: Vec<ProducerConfig>,
    /// The incident timeline (`[[faults]]`), in file order.
    pub faults: Vec<Fault>,
    /// Sweep axes (`[sweep]`), used by `mqsim sweep` and `mqsim plan`; `run` ignores them.
    pub sweep: Vec<SweepAxis>,
    /// Service-level objectives checked in every report.
    pub slo: Vec<SloTarget>,
    /// Prices for `cost_usd`.
    pub cost: CostConfig,
    /// What production measured, to compare the run with (`[observed]`).
    pub observed: Option<Observed>,
}

/// The name of the queue of a single-queue scenario (`[queue]`).
pub const SINGLE_QUEUE: &str = "queue";

/// How a scenario file describes its queues.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `[queue]` and `[consumers]`: one queue, outputs as for a single queue.
    Single,
    /// `[queues.NAME]` tables (with topics, emits, dead-letter queues):
    /// outputs add a section per queue.
    Network,
}

/// One queue of the network and the fleet that consumes it.
#[derive(Clone, Debug)]
pub struct QueueNode {
    /// Its name (a key of `[queues]`; [`SINGLE_QUEUE`] in the single form).
    pub name: String,
    /// Its settings.
    pub queue: QueueConfig,
    /// Its consumers (`[queues.NAME.consumers]`), if it has any.
    pub consumers: Option<ConsumerConfig>,
}

/// A node that messages can be sent to, by name and index.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeRef {
    /// The name written in the file.
    pub name: String,
    /// Which node.
    pub node: Node,
}

impl NodeRef {
    /// The queue it names; validation lets only queues stand where this
    /// is asked (a redrive's `from` and `to`).
    pub fn queue_index(&self) -> usize {
        match self.node {
            Node::Queue(q) => q,
            Node::Topic(_) => unreachable!("validation lets only a queue stand here"),
        }
    }
}

/// A queue (index into [`Scenario::queues`]) or a topic (into [`Scenario::topics`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// A queue.
    Queue(usize),
    /// A topic.
    Topic(usize),
}

/// `[topics.NAME]`: every subscriber queue gets a copy of each message.
#[derive(Clone, Debug)]
pub struct TopicNode {
    /// Its name.
    pub name: String,
    /// Subscriber queues, in file order.
    pub subscribers: Vec<Subscriber>,
}

/// One subscription of a topic.
#[derive(Clone, Debug, PartialEq)]
pub struct Subscriber {
    /// The subscribed queue (a [`Node::Queue`]).
    pub queue: NodeRef,
    /// Share of messages that pass its filter policy (0 ..= 1; 1: no filter).
    pub filter: f64,
}

/// One `emit` entry of a fleet: after a processing succeeds, before its
/// delete, send a message to `to` with probability `p`.
#[derive(Clone, Debug, PartialEq)]
pub struct Emit {
    /// A queue or a topic.
    pub to: NodeRef,
    /// Probability that a processed message emits (0 ..= 1).
    pub p: f64,
}

/// `[queue]` (serialized by [`super::written`]).
#[derive(Clone, Debug)]
pub struct QueueConfig {
    /// Standard or FIFO.
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
    /// What a delete with a stale receipt handle does (standard queues).
    pub stale_delete: StaleDelete,
    /// What happens to the messages of a consumer that goes down.
    pub on_consumer_loss: ConsumerLoss,
    /// The preset the defaults came from, if any.
    pub preset: Option<String>,
    /// Send calls per second the queue accepts (SQS FIFO: 300 without
    /// high-throughput mode); calls beyond it are throttled and retried.
    pub throughput_limit: Option<f64>,
    /// Where dead-lettered messages go (a queue of the file), if anywhere;
    /// without one they leave the system.
    pub dead_letter: Option<NodeRef>,
    /// Messages visible at time 0 (sent at 0).
    pub initial_backlog: u64,
}

/// What the queue does with the messages a lost consumer held.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ConsumerLoss {
    /// They stay in flight until their visibility timeout runs out (SQS,
    /// Pub/Sub ack deadlines).
    Timeout,
    /// They are visible again at once (RabbitMQ: the channel closes).
    Requeue,
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

/// One `[[producers]]` entry (serialized by [`super::written`]).
#[derive(Clone, Debug)]
pub struct ProducerConfig {
    /// Producer name (default `producer-<index>`).
    pub name: String,
    /// Mean messages per second over `[0, duration)` (for a schedule, the
    /// time average; for a trace, its count / duration).
    pub rate: f64,
    /// Where its messages go (a queue or a topic).
    pub to: NodeRef,
    /// Piecewise-constant rate: `(from, rate)` steps in time order, the first
    /// at 0. Empty when the rate is constant.
    pub schedule: Vec<RateStep>,
    /// The production export `schedule` was read from, if it was.
    pub schedule_file: Option<ScheduleFile>,
    /// Bursts inside the rate's periods (Poisson arrivals only), if any.
    pub burst: Option<Burst>,
    /// The arrival process.
    pub arrivals: Arrivals,
    /// Messages per SendMessageBatch call (1 ..= 10).
    pub send_batch: u32,
    /// FIFO message groups of this producer (>= 1), its own: group ids do
    /// not overlap between producers.
    pub groups: u32,
    /// 0: messages spread evenly over the groups; s > 0: group k (from 1)
    /// gets a share proportional to 1 / k^s (Zipf), a hot first group.
    pub group_skew: f64,
    /// Probability that the response to an accepted send call is lost, so
    /// the producer sends the batch again after `retry.backoff`.
    pub lost_acks: f64,
    /// Retries while the queue is unavailable.
    pub retry: RetryPolicy,
    /// Messages a producer holds while it retries; beyond this they are dropped.
    pub buffer: u64,
}

/// One step of a rate schedule: `rate` messages per second from `from` on.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct RateStep {
    /// Start of the step.
    pub from: SimTime,
    /// Messages per second (>= 0).
    pub rate: f64,
}

/// Written as in scenario files: `["30m", 80.0]`.
impl Serialize for RateStep {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (self.from, self.rate).serialize(s)
    }
}

/// How a producer spaces its messages (serialized by [`super::written`]).
#[derive(Clone, Debug, PartialEq)]
pub enum Arrivals {
    /// A Poisson process (exponential gaps at the current rate).
    Poisson,
    /// Evenly spaced, `1 / rate` apart, the first at `1 / rate`.
    Constant,
    /// Send times replayed from a file.
    Trace {
        /// The file, as written in the scenario.
        file: String,
        /// Send times in ticks, sorted, each before `duration`.
        times: Arc<[u64]>,
    },
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
    /// Number of consumers (with `autoscale`: at the start).
    pub count: u32,
    /// ReceiveMessage MaxNumberOfMessages (1 ..= 10).
    pub batch_size: u32,
    /// Long-polling wait (0 .. 20s); 0 is short polling.
    pub wait_time: SimTime,
    /// Processing time of one message.
    #[serde(serialize_with = "super::written::dist")]
    pub processing: Dist,
    /// Probability that a processing fails (the message is not deleted).
    pub error_rate: f64,
    /// What a consumer does with a message whose processing failed.
    pub on_error: OnError,
    /// Fraction of messages whose processing always fails.
    pub poison_fraction: f64,
    /// Spontaneous crashes, if any.
    pub crash: Option<CrashConfig>,
    /// Visibility extension interval while processing, if any.
    pub heartbeat: Option<SimTime>,
    /// Round trip of every API call a consumer makes.
    pub request_latency: SimTime,
    /// Whether a failed message fails its whole batch.
    pub batch_failure: BatchFailure,
    /// A receive waits up to this long for a full batch (Lambda's batching
    /// window); 0: it returns with whatever is visible.
    pub batch_window: SimTime,
    /// Target tracking and scheduled capacity, if the fleet scales.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autoscale: Option<Autoscale>,
    /// Messages sent downstream after each successful processing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub emit: Vec<Emit>,
    /// Resources held, in order, after the processing of each message.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub uses: Vec<Use>,
    /// A circuit breaker on the fleet's receives, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breaker: Option<Breaker>,
    /// A lookup of completed message ids before processing, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idempotency: Option<Idempotency>,
}

impl ConsumerConfig {
    /// The most consumers that can ever run: `count`, or the autoscaling
    /// maximum. Outages with a `fraction` cover this many.
    pub fn slots(&self) -> u32 {
        self.autoscale
            .as_ref()
            .map_or(self.count, |a| a.max.max(self.count))
    }
}

/// `[consumers] autoscale`: AWS-style target tracking on visible messages
/// per running consumer, and/or scheduled capacity.
#[derive(Clone, Debug, Serialize)]
pub struct Autoscale {
    /// Target of visible messages / running consumers; `None`: schedule only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_backlog_per_consumer: Option<f64>,
    /// Fewest consumers.
    pub min: u32,
    /// Most consumers.
    pub max: u32,
    /// No scaling action within this long of the previous one.
    pub cooldown: SimTime,
    /// A new consumer serves only after this long.
    pub startup: SimTime,
    /// How often the target is compared with the backlog.
    pub evaluation: SimTime,
    /// What a consumer removed while busy does with its messages.
    pub scale_in: ScaleIn,
    /// Scale in only after the desired count has stayed below the fleet
    /// this long (AWS target tracking: 15 minutes of low datapoints).
    pub scale_in_after: SimTime,
    /// What is divided by the running consumers.
    pub metric: ScaleMetric,
    /// Most consumers launched per minute (Lambda: 300), if limited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale_out_rate: Option<f64>,
    /// Scheduled capacity: from each time on, at least this many consumers
    /// (exactly this many without a target).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub schedule: Vec<CapacityStep>,
}

/// How the failure of one message of a batch is reported.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BatchFailure {
    /// Each message is deleted when it succeeds (SQS consumers; Lambda with
    /// ReportBatchItemFailures).
    Partial,
    /// The batch is deleted at its end only if every message succeeded
    /// (Lambda without partial batch responses).
    Whole,
}

/// The backlog autoscaling tracks.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScaleMetric {
    /// Visible messages (AWS's backlog per instance).
    Visible,
    /// Visible and in-flight messages (work in hand: Lambda's concurrency).
    VisibleAndInFlight,
}

/// Scale-in of a busy consumer.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ScaleIn {
    /// Finishes the messages it holds (deletes them), then stops.
    Finish,
    /// Stops at once; its messages wait out their visibility timeout.
    Abandon,
}

/// One scheduled-capacity step: `count` consumers from `at` on.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct CapacityStep {
    /// Start of the step.
    pub at: SimTime,
    /// Consumers.
    pub count: u32,
}

/// Written as in scenario files: `["8h", 16]`.
impl Serialize for CapacityStep {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (self.at, self.count).serialize(s)
    }
}

/// `crash = { mtbf, restart }`: each consumer fails at exponential times
/// with mean `mtbf` while it is up and comes back after a `restart` draw.
#[derive(Clone, Debug, Serialize)]
pub struct CrashConfig {
    /// Mean time between failures of one consumer, counted while it is up
    /// (none: no crashes on a clock).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mtbf: Option<SimTime>,
    /// Probability that a processing ends in a crash, at a uniform point of
    /// it (failures tied to the work, such as running out of memory).
    pub per_message: f64,
    /// Time to come back.
    #[serde(serialize_with = "super::written::dist")]
    pub restart: Dist,
}

/// One `[[faults]]` entry: `kind` during `[at, at + duration)`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fault {
    /// What goes wrong.
    #[serde(flatten)]
    pub kind: FaultKind,
    /// Start.
    pub at: SimTime,
    /// Length (> 0).
    pub duration: SimTime,
    /// The queue (and its fleet) it strikes; `None`: the only queue. Always
    /// `None` for a spike, a redrive and the resource faults (whose resource
    /// is in their kind).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<NodeRef>,
}

impl Fault {
    /// End of the fault window.
    pub fn end(&self) -> SimTime {
        self.at + self.duration
    }
}

/// The kinds of incident.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FaultKind {
    /// Consumers down, abandoning what they hold; back at the end.
    ConsumerOutage {
        /// How many consumers.
        #[serde(flatten)]
        down: Down,
    },
    /// Sends and every consumer call fail.
    QueueOutage,
    /// Arrival rate multiplied, for every producer or one named producer.
    Spike {
        /// Rate multiplier (> 0).
        factor: f64,
        /// Only this producer, if given.
        #[serde(skip_serializing_if = "Option::is_none")]
        producer: Option<String>,
    },
    /// Processing time multiplied for processings that start in the window.
    Slowdown {
        /// Processing-time multiplier (> 0).
        factor: f64,
    },
    /// `error_rate` replaced during the window.
    ErrorBurst {
        /// The error rate in the window (0 ..= 1).
        error_rate: f64,
    },
    /// A resource is unavailable: acquires fail at once or hang.
    ResourceOutage {
        /// The resource (written as `target`).
        #[serde(rename = "target")]
        resource: ResourceRef,
        /// Fail fast, or hang until the acquire timeout.
        mode: OutageMode,
    },
    /// A resource's hold times multiplied for holds that start in the window.
    ResourceSlowdown {
        /// The resource (written as `target`).
        #[serde(rename = "target")]
        resource: ResourceRef,
        /// Hold-time multiplier (> 0).
        factor: f64,
    },
    /// Dead-lettered messages moved back from queue `from` to queue `to`
    /// at `rate` per second during the window, or until `from` is empty
    /// (SQS StartMessageMoveTask).
    Redrive {
        /// The dead-letter queue messages are moved from.
        from: NodeRef,
        /// The queue they are moved to.
        to: NodeRef,
        /// Messages moved per second (> 0).
        rate: f64,
    },
}

impl FaultKind {
    /// The name used in scenario files.
    pub fn name(&self) -> &'static str {
        match self {
            FaultKind::ConsumerOutage { .. } => "consumer-outage",
            FaultKind::QueueOutage => "queue-outage",
            FaultKind::Spike { .. } => "spike",
            FaultKind::Slowdown { .. } => "slowdown",
            FaultKind::ErrorBurst { .. } => "error-burst",
            FaultKind::ResourceOutage { .. } => "resource-outage",
            FaultKind::ResourceSlowdown { .. } => "resource-slowdown",
            FaultKind::Redrive { .. } => "redrive",
        }
    }
}

/// How many consumers a consumer outage takes down.
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Down {
    /// A number of consumers.
    Count(u32),
    /// A fraction of the fleet, rounded to the nearest consumer.
    Fraction(f64),
}

impl Down {
    /// The number of consumers, out of `fleet`, that go down.
    pub fn of(self, fleet: u32) -> u32 {
        match self {
            Down::Count(n) => n.min(fleet),
            Down::Fraction(f) => ((f * f64::from(fleet)).round() as u32).min(fleet),
        }
    }
}

/// What happens to a message whose processing failed.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum OnError {
    /// Leave it in flight until its visibility timeout passes.
    Wait,
    /// ChangeMessageVisibility to 0: visible again at once.
    Release,
    /// ChangeMessageVisibility to an exponential backoff.
    Backoff(Backoff),
}

/// `"wait"`, `"release"` or the backoff table.
impl Serialize for OnError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            OnError::Wait => s.serialize_str("wait"),
            OnError::Release => s.serialize_str("release"),
            OnError::Backoff(b) => b.serialize(s),
        }
    }
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
    /// The first queue's settings (the only queue of the single form).
    pub fn queue(&self) -> &QueueConfig {
        &self.queues[0].queue
    }

    /// The first fleet (the only one of the single form); validation
    /// makes sure a scenario has one.
    pub fn consumers(&self) -> &ConsumerConfig {
        self.queues
            .iter()
            .find_map(|q| q.consumers.as_ref())
            .expect("validation keeps at least one fleet in a scenario")
    }

    /// The index of the queue named `name`.
    pub fn queue_index(&self, name: &str) -> Option<usize> {
        self.queues.iter().position(|q| q.name == name)
    }

    /// Whether the file has several queues or topics (`[queues.NAME]`).
    pub fn is_network(&self) -> bool {
        self.layout == Layout::Network
    }

    /// Total mean arrival rate over all producers, messages per second.
    pub fn arrival_rate(&self) -> f64 {
        self.producers.iter().map(|p| p.rate).sum()
    }

    /// The busiest instant of the producers' schedules, as (start, total
    /// rate), when any producer has a schedule. Other producers count at
    /// their constant rate; spikes are not included.
    pub fn peak_scheduled_rate(&self) -> Option<(SimTime, f64)> {
        let starts = self.producers.iter().flat_map(|p| &p.schedule);
        let total_at = |t: SimTime| -> f64 {
            self.producers
                .iter()
                .map(|p| {
                    p.schedule
                        .iter()
                        .take_while(|s| s.from <= t)
                        .last()
                        .map_or(p.rate, |s| s.rate)
                })
                .sum()
        };
        starts
            .map(|s| (s.from, total_at(s.from)))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
    }

    /// Offered load: arrival rate / the capacity of `consumers.count`
    /// consumers ([`crate::capacity::capacity`]); infinite with no
    /// consumers. For a network, the bottleneck's utilisation from the
    /// traffic equations ([`crate::traffic`]).
    pub fn offered_load(&self) -> f64 {
        if self.is_network() {
            return crate::traffic::solve(self)
                .bottleneck
                .map_or(0.0, |b| b.utilization);
        }
        self.arrival_rate() / crate::capacity::capacity(self).rate
    }
}
