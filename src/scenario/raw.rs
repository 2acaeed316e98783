//! The scenario file as written: a serde mirror of SPEC §2.
//!
//! Every table denies unknown keys, so a typo is an error, never a silently
//! ignored setting. Fields are optional here; defaults and ranges are applied
//! by [`super::validate`]. Keys whose shape varies (distributions, arrivals)
//! or that later versions implement (`autoscale`) are kept as TOML values so
//! validation can give a precise message about them.
//!
//! The network form (SPEC §5) reuses the single form's tables: a
//! `[queues.NAME]` table is a [`RawQueue`] and its `consumers` sub-table a
//! [`RawConsumers`]. Keys that only a network has (`dead_letter`,
//! `consumers` inside a queue, `emit`) are parsed in both forms and refused
//! by validation in the single form with a message saying why. Shared
//! resources (`[resources.NAME]`) and what fleets do about them (`uses`,
//! `breaker`, `idempotency`, a backoff `on_error`) are allowed in both.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::duration::RawDuration;

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: Option<String>,
    pub description: Option<String>,
    pub duration: Option<RawDuration>,
    pub drain: Option<bool>,
    pub warmup: Option<RawDuration>,
    pub seed: Option<i64>,
    pub replications: Option<i64>,
    pub sample_interval: Option<RawDuration>,
    pub queue: Option<RawQueue>,
    /// `[queues.NAME]`, in name order.
    pub queues: Option<BTreeMap<String, RawQueue>>,
    /// `[topics.NAME]`, in name order.
    pub topics: Option<BTreeMap<String, RawTopic>>,
    /// `[resources.NAME]`, in name order.
    pub resources: Option<BTreeMap<String, RawResource>>,
    pub producers: Option<Vec<RawProducer>>,
    pub consumers: Option<RawConsumers>,
    pub faults: Option<Vec<RawFault>>,
    pub sweep: Option<toml::Table>,
    pub slo: Option<toml::Table>,
    pub cost: Option<RawCost>,
    /// `[observed]`, read by [`super::observed`].
    pub observed: Option<toml::Value>,
}

/// `[queue]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQueue {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub visibility_timeout: Option<RawDuration>,
    pub retention: Option<RawDuration>,
    pub delay: Option<RawDuration>,
    pub max_receive_count: Option<i64>,
    pub max_in_flight: Option<i64>,
    pub duplicate_delivery: Option<f64>,
    pub stale_delete: Option<String>,
    pub throughput_limit: Option<f64>,
    pub on_consumer_loss: Option<String>,
    pub preset: Option<String>,
    pub initial_backlog: Option<i64>,
    /// Network form only.
    pub dead_letter: Option<String>,
    /// Network form only: `[queues.NAME.consumers]`.
    pub consumers: Option<RawConsumers>,
}

/// `[topics.NAME]`; subscribers are names or `{ queue, filter }` tables.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTopic {
    pub subscribers: Option<toml::Value>,
}

/// `[resources.NAME]`; `contention` is a word or a table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawResource {
    pub capacity: Option<i64>,
    pub acquire_timeout: Option<RawDuration>,
    pub contention: Option<toml::Value>,
}

/// One `uses = [{ resource, hold }]` entry of a fleet.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUse {
    pub resource: Option<String>,
    pub hold: Option<toml::Value>,
}

/// A fleet's `breaker = { error_rate, window, min_calls, open_for }`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBreaker {
    pub error_rate: Option<f64>,
    pub window: Option<RawDuration>,
    pub min_calls: Option<i64>,
    pub open_for: Option<RawDuration>,
}

/// A fleet's `idempotency = { ttl, lookup, store }`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIdempotency {
    pub ttl: Option<RawDuration>,
    pub lookup: Option<toml::Value>,
    pub store: Option<String>,
}

/// One `emit = [{ to, p }]` entry of a fleet.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEmit {
    pub to: Option<String>,
    pub p: Option<f64>,
}

/// One `[[producers]]` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProducer {
    pub name: Option<String>,
    pub to: Option<String>,
    pub rate: Option<f64>,
    pub schedule: Option<toml::Value>,
    pub burst: Option<super::burst::RawBurst>,
    pub arrivals: Option<toml::Value>,
    pub send_batch: Option<i64>,
    pub groups: Option<i64>,
    pub group_skew: Option<f64>,
    pub lost_acks: Option<f64>,
    pub retry: Option<RawRetry>,
    pub buffer: Option<i64>,
}

/// A producer's `retry = { attempts, backoff }`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRetry {
    pub attempts: Option<i64>,
    pub backoff: Option<RawDuration>,
}

/// `[consumers]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConsumers {
    pub count: Option<i64>,
    pub batch_size: Option<i64>,
    pub wait_time: Option<RawDuration>,
    pub processing: Option<toml::Value>,
    pub error_rate: Option<f64>,
    /// A word or a backoff table.
    pub on_error: Option<toml::Value>,
    pub poison_fraction: Option<f64>,
    pub crash: Option<RawCrash>,
    pub heartbeat: Option<RawDuration>,
    pub request_latency: Option<RawDuration>,
    pub batch_failure: Option<String>,
    pub batch_window: Option<RawDuration>,
    pub autoscale: Option<RawAutoscale>,
    /// Network form only.
    pub emit: Option<Vec<RawEmit>>,
    pub uses: Option<Vec<RawUse>>,
    pub breaker: Option<RawBreaker>,
    pub idempotency: Option<RawIdempotency>,
}

/// `autoscale = { target_backlog_per_consumer, min, max, ... }`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAutoscale {
    pub target_backlog_per_consumer: Option<f64>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub cooldown: Option<RawDuration>,
    pub startup: Option<RawDuration>,
    pub evaluation: Option<RawDuration>,
    pub scale_in: Option<String>,
    pub schedule: Option<toml::Value>,
    pub scale_out_rate: Option<f64>,
    pub scale_in_after: Option<RawDuration>,
    pub metric: Option<String>,
}

/// `[cost]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCost {
    pub price_per_million_requests: Option<f64>,
    pub consumer_hour: Option<f64>,
}

/// `crash = { mtbf, restart }`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCrash {
    pub mtbf: Option<RawDuration>,
    pub per_message: Option<f64>,
    pub restart: Option<toml::Value>,
}

/// One `[[faults]]` entry; which keys apply depends on `kind`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFault {
    pub kind: Option<String>,
    pub at: Option<RawDuration>,
    pub duration: Option<RawDuration>,
    pub fraction: Option<f64>,
    pub count: Option<i64>,
    pub factor: Option<f64>,
    pub producer: Option<String>,
    pub error_rate: Option<f64>,
    /// The queue (and fleet), or the resource, struck.
    pub target: Option<String>,
    /// `resource-outage`.
    pub mode: Option<String>,
    /// `redrive`.
    pub from: Option<String>,
    pub to: Option<String>,
    pub rate: Option<f64>,
}
