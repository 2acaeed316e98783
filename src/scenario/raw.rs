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
//! by validation in the single form with a message saying why; keys of the
//! next version (`uses`, `breaker`, `idempotency`, `[resources]`, new fault
//! kinds' keys) are parsed so they can be refused as "not supported yet".

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
    /// `[resources.NAME]`: not supported yet.
    pub resources: Option<toml::Value>,
    pub producers: Option<Vec<RawProducer>>,
    pub consumers: Option<RawConsumers>,
    pub faults: Option<Vec<RawFault>>,
    pub sweep: Option<toml::Table>,
    pub slo: Option<toml::Table>,
    pub cost: Option<RawCost>,
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
    /// A word; a backoff table is not supported yet.
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
    /// Not supported yet.
    pub uses: Option<toml::Value>,
    /// Not supported yet.
    pub breaker: Option<toml::Value>,
    /// Not supported yet.
    pub idempotency: Option<toml::Value>,
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
    /// The queue (and fleet) struck.
    pub target: Option<String>,
    /// Keys of fault kinds not supported yet (refused).
    pub mode: Option<toml::Value>,
    pub from: Option<toml::Value>,
    pub to: Option<toml::Value>,
    pub rate: Option<toml::Value>,
}
