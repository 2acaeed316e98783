//! One queue's table and its fleet's table, in either form: `[queue]` and
//! `[consumers]` (keys `queue.X`, `consumers.X`), or `[queues.NAME]` and
//! `[queues.NAME.consumers]` (keys `queues.NAME.X`,
//! `queues.NAME.consumers.X`). Every message names the key under the
//! prefix it is given, so the single form's messages are what they always
//! were. References to other queues (`dead_letter`, `emit`) are resolved by
//! [`super::network`]; here they are left empty. A fleet's downstream keys
//! (`uses`, `breaker`, `idempotency`, a backoff `on_error`) are checked by
//! [`super::resources`], with the resource names.

use super::autoscale;
use super::checks::{
    Checked, duration_in, int_in, invalid, number_in, probability, required, word,
};
use super::distspec::parse_dist;
use super::duration::RawDuration;
use super::files::DataFiles;
use super::incidents;
use super::model::*;
use super::network::Names;
use super::raw::{RawConsumers, RawQueue};
use super::resources;
use crate::dist::Dist;
use crate::time::SimTime;

const SEC: u64 = 1;
const MIN: u64 = 60 * SEC;
const HOUR: u64 = 60 * MIN;
const DAY: u64 = 24 * HOUR;

/// Most messages a queue may start with (`initial_backlog`): the engine
/// holds each one, so the bound keeps memory sane.
pub const MAX_BACKLOG: i64 = 10_000_000;

fn secs(s: u64) -> SimTime {
    SimTime::from_secs(s)
}

/// The queue table at dotted key `at` (`queue` or `queues.NAME`), without
/// its `dead_letter` (resolved by the caller, who has the names).
pub fn queue(raw: RawQueue, at: &str) -> Checked<QueueConfig> {
    let key = |k: &str| format!("{at}.{k}");
    let kind = match word(
        &key("type"),
        raw.kind.as_deref(),
        "standard",
        &["standard", "fifo"],
    )? {
        "fifo" => QueueKind::Fifo,
        _ => QueueKind::Standard,
    };
    let duplicate_delivery = probability(&key("duplicate_delivery"), raw.duplicate_delivery)?;
    if kind == QueueKind::Fifo && duplicate_delivery > 0.0 {
        return Err(invalid(
            key("duplicate_delivery"),
            "FIFO queues deliver each receive once; allowed: 0 (or type = \"standard\")",
        ));
    }
    if kind == QueueKind::Fifo && raw.stale_delete.is_some() {
        return Err(invalid(
            key("stale_delete"),
            "a FIFO queue answers a stale receipt handle with an error (counted in delete_errors); \
             stale_delete applies to standard queues only: remove it",
        ));
    }
    let throughput_limit = match raw.throughput_limit {
        None => None,
        some => Some(number_in(
            &key("throughput_limit"),
            some,
            0.0,
            f64::MIN_POSITIVE..=1_000_000.0,
        )?),
    };
    let max_receive_count = match raw.max_receive_count {
        None => None,
        some => Some(int_in(&key("max_receive_count"), some, 0, 1..=1000)? as u32),
    };
    Ok(QueueConfig {
        kind,
        visibility_timeout: duration_in(
            &key("visibility_timeout"),
            raw.visibility_timeout.as_ref(),
            secs(30),
            (SimTime::ZERO, secs(12 * HOUR)),
        )?,
        retention: duration_in(
            &key("retention"),
            raw.retention.as_ref(),
            secs(4 * DAY),
            (secs(MIN), secs(14 * DAY)),
        )?,
        delay: duration_in(
            &key("delay"),
            raw.delay.as_ref(),
            SimTime::ZERO,
            (SimTime::ZERO, secs(15 * MIN)),
        )?,
        max_receive_count,
        max_in_flight: int_in(
            &key("max_in_flight"),
            raw.max_in_flight,
            120_000,
            1..=10_000_000,
        )? as u32,
        duplicate_delivery,
        stale_delete: match word(
            &key("stale_delete"),
            raw.stale_delete.as_deref(),
            "ignored",
            &["ignored", "deletes"],
        )? {
            "deletes" => StaleDelete::Deletes,
            _ => StaleDelete::Ignored,
        },
        throughput_limit,
        on_consumer_loss: match word(
            &key("on_consumer_loss"),
            raw.on_consumer_loss.as_deref(),
            "timeout",
            &["timeout", "requeue"],
        )? {
            "requeue" => ConsumerLoss::Requeue,
            _ => ConsumerLoss::Timeout,
        },
        preset: raw.preset,
        dead_letter: None,
        initial_backlog: int_in(
            &key("initial_backlog"),
            raw.initial_backlog,
            0,
            0..=MAX_BACKLOG,
        )? as u64,
    })
}

/// The fleet table at dotted key `at` (`consumers` or
/// `queues.NAME.consumers`), without its `emit` (resolved by the caller);
/// `names` gives the resources its `uses` and `idempotency` may name.
pub fn consumers(
    raw: RawConsumers,
    at: &str,
    names: &Names,
    files: &DataFiles,
    horizon: SimTime,
) -> Checked<ConsumerConfig> {
    let key = |k: &str| format!("{at}.{k}");
    let max = autoscale::MAX_CONSUMERS;
    let (autoscale, count) = match raw.autoscale {
        Some(a) => {
            let count = match raw.count {
                None => None,
                some => Some(int_in(&key("count"), some, 1, 0..=max)?),
            };
            let (a, count) = autoscale::autoscale(a, at, count, horizon)?;
            (Some(a), count)
        }
        None => (None, int_in(&key("count"), raw.count, 1, 0..=max)? as u32),
    };
    let uses = raw.uses.unwrap_or_default();
    // A fleet that holds resources may leave its own processing out (0).
    let processing = match (&raw.processing, uses.is_empty()) {
        (None, true) => Some(required(
            &key("processing"),
            None,
            "processing = { dist = \"exp\", mean = \"100ms\" }",
        )?),
        (given, _) => given.as_ref(),
    };
    Ok(ConsumerConfig {
        count,
        batch_size: int_in(&key("batch_size"), raw.batch_size, 10, 1..=10)? as u32,
        wait_time: duration_in(
            &key("wait_time"),
            raw.wait_time.as_ref(),
            secs(20),
            (SimTime::ZERO, secs(20)),
        )?,
        processing: match processing {
            Some(p) => parse_dist(&key("processing"), p, files)?,
            None => Dist::Const { value: 0.0 },
        },
        error_rate: probability(&key("error_rate"), raw.error_rate)?,
        on_error: resources::on_error(&key("on_error"), raw.on_error.as_ref())?,
        poison_fraction: probability(&key("poison_fraction"), raw.poison_fraction)?,
        crash: raw
            .crash
            .map(|c| incidents::crash(c, &key("crash"), files))
            .transpose()?,
        heartbeat: heartbeat(&key("heartbeat"), raw.heartbeat.as_ref())?,
        request_latency: duration_in(
            &key("request_latency"),
            raw.request_latency.as_ref(),
            SimTime::ZERO,
            (SimTime::ZERO, secs(HOUR)),
        )?,
        batch_failure: match word(
            &key("batch_failure"),
            raw.batch_failure.as_deref(),
            "partial",
            &["partial", "whole"],
        )? {
            "whole" => BatchFailure::Whole,
            _ => BatchFailure::Partial,
        },
        batch_window: duration_in(
            &key("batch_window"),
            raw.batch_window.as_ref(),
            SimTime::ZERO,
            (SimTime::ZERO, secs(5 * MIN)),
        )?,
        autoscale,
        emit: Vec::new(),
        uses: resources::uses(at, uses, names, files)?,
        breaker: raw
            .breaker
            .map(|b| resources::breaker(&key("breaker"), b))
            .transpose()?,
        idempotency: raw
            .idempotency
            .map(|i| resources::idempotency(&key("idempotency"), i, names, files))
            .transpose()?,
    })
}

/// `"off"` or an interval in `1ms ..= 12h`.
fn heartbeat(key: &str, raw: Option<&RawDuration>) -> Checked<Option<SimTime>> {
    match raw {
        None => Ok(None),
        Some(r) if r.as_text() == Some("off") => Ok(None),
        Some(r) => duration_in(
            key,
            Some(r),
            SimTime::ZERO,
            (SimTime::from_millis(1), secs(12 * HOUR)),
        )
        .map(Some)
        .map_err(|mut e| {
            e.message.push_str(" (or \"off\")");
            e
        }),
    }
}
