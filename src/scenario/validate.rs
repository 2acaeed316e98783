//! From the raw file to a typed [`Scenario`]: defaults, ranges and the keys
//! this version does not implement yet.
//!
//! Defaults and ranges follow SPEC §2 and Amazon SQS's limits (see
//! `docs/scenario.md` for the table); incidents are checked in
//! [`super::incidents`]. Keys that later versions implement (`autoscale`,
//! FIFO queues) are rejected with "not supported yet", never ignored.

use super::files::DataFiles;

use super::autoscale;
use super::checks::{
    Checked, duration_in, int_in, invalid, number_in, probability, required, word,
};
use super::distspec::parse_dist;
use super::duration::RawDuration;
use super::incidents;
use super::model::*;
use super::raw::{RawConsumers, RawCost, RawProducer, RawQueue, RawScenario};
use crate::engine::result::Metrics;
use crate::time::SimTime;

const SEC: u64 = 1;
const MIN: u64 = 60 * SEC;
const HOUR: u64 = 60 * MIN;
const DAY: u64 = 24 * HOUR;

fn secs(s: u64) -> SimTime {
    SimTime::from_secs(s)
}

/// Most time-series rows a replication may produce.
const MAX_SAMPLES: u64 = 1_000_000;

/// Validates `raw`; `stem` names the scenario when it has no `name`, `files`
/// gives the data files it names.
pub fn validate(mut raw: RawScenario, stem: &str, files: &DataFiles) -> Checked<Scenario> {
    super::presets::apply(&mut raw)?;
    let name = scenario_name(raw.name.as_deref().unwrap_or(stem))?;
    let duration = duration_in(
        "duration",
        raw.duration.as_ref(),
        secs(HOUR),
        (SimTime(1), secs(365 * DAY)),
    )?;
    let warmup = duration_in(
        "warmup",
        raw.warmup.as_ref(),
        SimTime::ZERO,
        (SimTime::ZERO, secs(365 * DAY)),
    )?;
    if warmup >= duration {
        return Err(invalid(
            "warmup",
            format!("{warmup} must be shorter than duration ({duration})"),
        ));
    }
    let sample_interval = duration_in(
        "sample_interval",
        raw.sample_interval.as_ref(),
        secs(10),
        (SimTime::from_millis(1), secs(DAY)),
    )?;
    if duration.ticks() / sample_interval.ticks() > MAX_SAMPLES {
        return Err(invalid(
            "sample_interval",
            format!(
                "{sample_interval} gives more than {MAX_SAMPLES} samples over {duration}; use a longer interval"
            ),
        ));
    }
    let producers = required("producers", raw.producers, "[[producers]] with rate = 50")?;
    let producers = producers_of(producers, duration, files)?;
    let names: Vec<String> = producers.iter().map(|p| p.name.clone()).collect();
    let faults = raw
        .faults
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, f)| incidents::fault(i, f, duration, &names))
        .collect::<Checked<Vec<_>>>()?;
    let consumers = consumers(raw.consumers.unwrap_or_default(), files, duration)?;
    incidents::outages_fit_the_fleet(&faults, consumers.slots())?;
    incidents::spikes_can_act(&faults, &producers)?;
    Ok(Scenario {
        name,
        description: raw.description.unwrap_or_default(),
        duration,
        drain: raw.drain.unwrap_or(false),
        warmup,
        seed: int_in("seed", raw.seed, 1, 0..=i64::MAX)? as u64,
        replications: int_in("replications", raw.replications, 10, 1..=10_000)? as u32,
        sample_interval,
        layout: Layout::Single,
        queues: vec![QueueNode {
            name: SINGLE_QUEUE.to_owned(),
            queue: queue(raw.queue.unwrap_or_default())?,
            consumers: Some(consumers),
        }],
        topics: Vec::new(),
        producers,
        faults,
        sweep: sweep(raw.sweep.unwrap_or_default())?,
        slo: slo(raw.slo.unwrap_or_default())?,
        cost: cost(raw.cost.unwrap_or_default())?,
    })
}

/// The name becomes a directory under `output/`: keep it to safe characters.
fn scenario_name(name: &str) -> Checked<String> {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_.".contains(c);
    if name.is_empty() || name.len() > 100 || name.starts_with('.') || !name.chars().all(safe) {
        return Err(invalid(
            "name",
            format!(
                "\"{name}\" is not a usable name; allowed: 1 to 100 letters, digits, '-', '_' or '.', not starting with '.'"
            ),
        ));
    }
    Ok(name.to_owned())
}

fn queue(raw: RawQueue) -> Checked<QueueConfig> {
    let kind = match word(
        "queue.type",
        raw.kind.as_deref(),
        "standard",
        &["standard", "fifo"],
    )? {
        "fifo" => QueueKind::Fifo,
        _ => QueueKind::Standard,
    };
    let duplicate_delivery = probability("queue.duplicate_delivery", raw.duplicate_delivery)?;
    if kind == QueueKind::Fifo && duplicate_delivery > 0.0 {
        return Err(invalid(
            "queue.duplicate_delivery",
            "FIFO queues deliver each receive once; allowed: 0 (or type = \"standard\")",
        ));
    }
    if kind == QueueKind::Fifo && raw.stale_delete.is_some() {
        return Err(invalid(
            "queue.stale_delete",
            "a FIFO queue answers a stale receipt handle with an error (counted in delete_errors); \
             stale_delete applies to standard queues only: remove it",
        ));
    }
    let throughput_limit = match raw.throughput_limit {
        None => None,
        some => Some(number_in(
            "queue.throughput_limit",
            some,
            0.0,
            f64::MIN_POSITIVE..=1_000_000.0,
        )?),
    };
    let max_receive_count = match raw.max_receive_count {
        None => None,
        some => Some(int_in("queue.max_receive_count", some, 0, 1..=1000)? as u32),
    };
    Ok(QueueConfig {
        kind,
        visibility_timeout: duration_in(
            "queue.visibility_timeout",
            raw.visibility_timeout.as_ref(),
            secs(30),
            (SimTime::ZERO, secs(12 * HOUR)),
        )?,
        retention: duration_in(
            "queue.retention",
            raw.retention.as_ref(),
            secs(4 * DAY),
            (secs(MIN), secs(14 * DAY)),
        )?,
        delay: duration_in(
            "queue.delay",
            raw.delay.as_ref(),
            SimTime::ZERO,
            (SimTime::ZERO, secs(15 * MIN)),
        )?,
        max_receive_count,
        max_in_flight: int_in(
            "queue.max_in_flight",
            raw.max_in_flight,
            120_000,
            1..=10_000_000,
        )? as u32,
        duplicate_delivery,
        stale_delete: match word(
            "queue.stale_delete",
            raw.stale_delete.as_deref(),
            "ignored",
            &["ignored", "deletes"],
        )? {
            "deletes" => StaleDelete::Deletes,
            _ => StaleDelete::Ignored,
        },
        throughput_limit,
        on_consumer_loss: match word(
            "queue.on_consumer_loss",
            raw.on_consumer_loss.as_deref(),
            "timeout",
            &["timeout", "requeue"],
        )? {
            "requeue" => ConsumerLoss::Requeue,
            _ => ConsumerLoss::Timeout,
        },
        preset: raw.preset,
        dead_letter: None,
        initial_backlog: 0,
    })
}

fn producers_of(
    raw: Vec<RawProducer>,
    horizon: SimTime,
    files: &DataFiles,
) -> Checked<Vec<ProducerConfig>> {
    if raw.is_empty() || raw.len() > 1000 {
        return Err(invalid(
            "producers",
            "allowed: 1 ..= 1000 [[producers]] entries",
        ));
    }
    let producers = raw
        .into_iter()
        .enumerate()
        .map(|(i, p)| producer(i, p, horizon, files))
        .collect::<Checked<Vec<_>>>()?;
    for (i, p) in producers.iter().enumerate() {
        if producers[..i].iter().any(|q| q.name == p.name) {
            return Err(invalid(
                format!("producers.{i}.name"),
                format!(
                    "\"{}\" is used by another producer; names must be unique",
                    p.name
                ),
            ));
        }
    }
    Ok(producers)
}

fn producer(
    i: usize,
    raw: RawProducer,
    horizon: SimTime,
    files: &DataFiles,
) -> Checked<ProducerConfig> {
    let key = |k: &str| format!("producers.{i}.{k}");
    let arrivals = arrivals(&key("arrivals"), raw.arrivals.as_ref(), horizon, files)?;
    let (rate, schedule) = match (&arrivals, raw.rate, &raw.schedule) {
        (Arrivals::Trace { times, .. }, None, None) => {
            (times.len() as f64 / horizon.as_secs_f64(), Vec::new())
        }
        (Arrivals::Trace { .. }, _, _) => {
            return Err(invalid(
                key("arrivals"),
                "a trace gives the send times itself: remove `rate` and `schedule`",
            ));
        }
        (_, Some(_), Some(_)) => {
            return Err(invalid(
                key("schedule"),
                "give either rate or schedule, not both",
            ));
        }
        (_, None, Some(value)) => {
            let steps = incidents::schedule(&key("schedule"), value, horizon)?;
            (incidents::mean_rate(&steps, horizon), steps)
        }
        (_, rate, None) => {
            let rate = required(
                &key("rate"),
                rate,
                "rate = 50 (messages per second), or a schedule",
            )?;
            let rate = number_in(
                &key("rate"),
                Some(rate),
                0.0,
                f64::MIN_POSITIVE..=10_000_000.0,
            )?;
            (rate, Vec::new())
        }
    };
    let retry = raw.retry.unwrap_or_default();
    Ok(ProducerConfig {
        name: raw.name.unwrap_or_else(|| format!("producer-{i}")),
        to: NodeRef {
            name: SINGLE_QUEUE.to_owned(),
            node: Node::Queue(0),
        },
        rate,
        schedule,
        arrivals,
        send_batch: int_in(&key("send_batch"), raw.send_batch, 1, 1..=10)? as u32,
        groups: int_in(&key("groups"), raw.groups, 1, 1..=1_000_000)? as u32,
        group_skew: number_in(&key("group_skew"), raw.group_skew, 0.0, 0.0..=10.0)?,
        lost_acks: probability(&key("lost_acks"), raw.lost_acks)?,
        retry: RetryPolicy {
            attempts: int_in(&key("retry.attempts"), retry.attempts, 3, 0..=1000)? as u32,
            backoff: duration_in(
                &key("retry.backoff"),
                retry.backoff.as_ref(),
                SimTime::from_millis(200),
                (SimTime::ZERO, secs(HOUR)),
            )?,
        },
        buffer: int_in(&key("buffer"), raw.buffer, 10_000, 0..=1_000_000_000)? as u64,
    })
}

/// `"poisson"`, `"constant"` or `{ trace = "file.csv" }`.
fn arrivals(
    key: &str,
    value: Option<&toml::Value>,
    horizon: SimTime,
    files: &DataFiles,
) -> Checked<Arrivals> {
    let allowed = "allowed: \"poisson\", \"constant\" or { trace = \"file.csv\" }";
    match value {
        None => Ok(Arrivals::Poisson),
        Some(toml::Value::String(s)) => {
            match word(key, Some(s), "poisson", &["poisson", "constant"])? {
                "constant" => Ok(Arrivals::Constant),
                _ => Ok(Arrivals::Poisson),
            }
        }
        Some(toml::Value::Table(t))
            if t.len() == 1 && t.get("trace").is_some_and(toml::Value::is_str) =>
        {
            let file = t["trace"].as_str().unwrap_or_default();
            let times = incidents::trace(&format!("{key}.trace"), file, files, horizon)?;
            Ok(Arrivals::Trace {
                file: file.to_owned(),
                times: times.into(),
            })
        }
        Some(_) => Err(invalid(key, allowed)),
    }
}

fn consumers(raw: RawConsumers, files: &DataFiles, horizon: SimTime) -> Checked<ConsumerConfig> {
    let max = autoscale::MAX_CONSUMERS;
    let (autoscale, count) = match raw.autoscale {
        Some(a) => {
            let count = match raw.count {
                None => None,
                some => Some(int_in("consumers.count", some, 1, 0..=max)?),
            };
            let (a, count) = autoscale::autoscale(a, count, horizon)?;
            (Some(a), count)
        }
        None => (
            None,
            int_in("consumers.count", raw.count, 1, 0..=max)? as u32,
        ),
    };
    let processing = required(
        "consumers.processing",
        raw.processing.as_ref(),
        "processing = { dist = \"exp\", mean = \"100ms\" }",
    )?;
    Ok(ConsumerConfig {
        count,
        batch_size: int_in("consumers.batch_size", raw.batch_size, 10, 1..=10)? as u32,
        wait_time: duration_in(
            "consumers.wait_time",
            raw.wait_time.as_ref(),
            secs(20),
            (SimTime::ZERO, secs(20)),
        )?,
        processing: parse_dist("consumers.processing", processing, files)?,
        error_rate: probability("consumers.error_rate", raw.error_rate)?,
        on_error: match word(
            "consumers.on_error",
            raw.on_error.as_deref(),
            "wait",
            &["wait", "release"],
        )? {
            "release" => OnError::Release,
            _ => OnError::Wait,
        },
        poison_fraction: probability("consumers.poison_fraction", raw.poison_fraction)?,
        crash: raw.crash.map(|c| incidents::crash(c, files)).transpose()?,
        heartbeat: heartbeat(raw.heartbeat.as_ref())?,
        request_latency: duration_in(
            "consumers.request_latency",
            raw.request_latency.as_ref(),
            SimTime::ZERO,
            (SimTime::ZERO, secs(HOUR)),
        )?,
        batch_failure: match word(
            "consumers.batch_failure",
            raw.batch_failure.as_deref(),
            "partial",
            &["partial", "whole"],
        )? {
            "whole" => BatchFailure::Whole,
            _ => BatchFailure::Partial,
        },
        batch_window: duration_in(
            "consumers.batch_window",
            raw.batch_window.as_ref(),
            SimTime::ZERO,
            (SimTime::ZERO, secs(5 * MIN)),
        )?,
        autoscale,
        emit: Vec::new(),
    })
}

/// `"off"` or an interval in `1ms ..= 12h`.
fn heartbeat(raw: Option<&RawDuration>) -> Checked<Option<SimTime>> {
    match raw {
        None => Ok(None),
        Some(r) if r.as_text() == Some("off") => Ok(None),
        Some(r) => duration_in(
            "consumers.heartbeat",
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

fn sweep(raw: toml::Table) -> Checked<Vec<SweepAxis>> {
    raw.into_iter()
        .map(|(key, values)| {
            let at = |msg: String| super::checks::Invalid {
                key: format!("sweep.\"{key}\""),
                message: msg,
                at: Some("sweep".into()),
            };
            let toml::Value::Array(values) = values else {
                return Err(at("must be a list of values, e.g. [4, 8, 12]".into()));
            };
            if values.is_empty() {
                return Err(at("must list at least one value".into()));
            }
            Ok(SweepAxis {
                key,
                values: values.iter().map(ToString::to_string).collect(),
            })
        })
        .collect()
}

fn slo(raw: toml::Table) -> Checked<Vec<SloTarget>> {
    raw.into_iter()
        .map(|(metric, bound)| {
            let key = format!("slo.{metric}");
            if !Metrics::NAMES.contains(&metric.as_str()) {
                return Err(invalid(
                    key,
                    format!(
                        "\"{metric}\" is not a metric; allowed: {}",
                        Metrics::NAMES.join(", ")
                    ),
                ));
            }
            let max = match &bound {
                toml::Value::Integer(i) => *i as f64,
                toml::Value::Float(f) => *f,
                toml::Value::String(s) => super::duration::parse_duration(s)
                    .map_err(|why| invalid(&key, why))?
                    .as_secs_f64(),
                _ => return Err(invalid(key, "must be a number or a duration")),
            };
            let max = number_in(&key, Some(max), 0.0, 0.0..=f64::MAX)?;
            Ok(SloTarget { metric, max })
        })
        .collect()
}

fn cost(raw: RawCost) -> Checked<CostConfig> {
    Ok(CostConfig {
        price_per_million_requests: number_in(
            "cost.price_per_million_requests",
            raw.price_per_million_requests,
            0.40,
            0.0..=1e6,
        )?,
        consumer_hour: number_in("cost.consumer_hour", raw.consumer_hour, 0.0, 0.0..=1e6)?,
    })
}
