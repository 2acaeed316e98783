//! From the raw file to a typed [`Scenario`]: defaults and ranges.
//!
//! Defaults and ranges follow SPEC §2 and Amazon SQS's limits (see
//! `docs/scenario.md` for the table); a queue's and a fleet's tables are
//! checked in [`super::queues`], the network form's names and references
//! in [`super::network`], shared resources and what fleets do about them
//! in [`super::resources`], incidents in [`super::incidents`].

use super::files::DataFiles;

use super::burst;
use super::checks::{
    Checked, duration_in, int_in, invalid, number_in, probability, required, safe_name, word,
};
use super::incidents;
use super::model::*;
use super::network::{self, Names};
use super::observed;
use super::queues;
use super::raw::{RawCost, RawProducer, RawQueue, RawScenario};
use super::resources;
use super::schedule_file::{self, ScheduleFile};
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
    let layout = network::layout(&raw)?;
    let nodes = match layout {
        Layout::Single => Names::single(),
        Layout::Network => Names::of(&raw)?,
    }
    .with_resources(&raw)?;
    let resources = resources::resources(raw.resources.take().unwrap_or_default())?;
    let producers = required(
        "producers",
        raw.producers.take(),
        "[[producers]] with rate = 50",
    )?;
    let (producers, epoch_ms) = producers_of(producers, duration, files, &nodes)?;
    let names: Vec<String> = producers.iter().map(|p| p.name.clone()).collect();
    let faults = raw
        .faults
        .take()
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, f)| incidents::fault(i, f, duration, &names, &nodes))
        .collect::<Checked<Vec<_>>>()?;
    let (queues, topics) = match layout {
        Layout::Single => (single_queue(&mut raw, &nodes, files, duration)?, Vec::new()),
        Layout::Network => (
            network::queues(
                raw.queues.take().unwrap_or_default(),
                &nodes,
                files,
                duration,
            )?,
            network::topics(raw.topics.take().unwrap_or_default(), &nodes)?,
        ),
    };
    incidents::faults_fit_their_fleets(&faults, &queues, layout)?;
    incidents::redrives_start_at_dead_letter_queues(&faults, &queues, layout)?;
    incidents::spikes_can_act(&faults, &producers)?;
    let seed = int_in("seed", raw.seed, 1, 0..=i64::MAX)? as u64;
    let replications = int_in("replications", raw.replications, 10, 1..=10_000)? as u32;
    let observed = raw
        .observed
        .take()
        .map(|v| observed::observed(v, &queues, epoch_ms, duration, files))
        .transpose()?;
    Ok(Scenario {
        name,
        description: raw.description.unwrap_or_default(),
        duration,
        drain: raw.drain.unwrap_or(false),
        warmup,
        seed,
        replications,
        sample_interval,
        layout,
        queues,
        topics,
        resources,
        producers,
        faults,
        sweep: sweep(raw.sweep.unwrap_or_default())?,
        slo: slo(raw.slo.unwrap_or_default())?,
        cost: cost(raw.cost.unwrap_or_default())?,
        observed,
    })
}

/// The single form's queue (`[queue]`) with its `[consumers]` fleet.
fn single_queue(
    raw: &mut RawScenario,
    nodes: &Names,
    files: &DataFiles,
    horizon: SimTime,
) -> Checked<Vec<QueueNode>> {
    let fleet = raw.consumers.take().unwrap_or_default();
    if fleet.emit.is_some() {
        return Err(invalid(
            "consumers.emit",
            "emit sends to another queue or topic, so it needs the network form: \
             [queues.NAME] tables, this fleet as [queues.NAME.consumers]",
        ));
    }
    let consumers = queues::consumers(fleet, "consumers", nodes, files, horizon)?;
    let queue = single_queue_table(raw.queue.take().unwrap_or_default())?;
    Ok(vec![QueueNode {
        name: SINGLE_QUEUE.to_owned(),
        queue,
        consumers: Some(consumers),
    }])
}

/// `[queue]` of the single form: the network-only keys are refused.
fn single_queue_table(mut raw: RawQueue) -> Checked<QueueConfig> {
    if raw.dead_letter.is_some() {
        return Err(invalid(
            "queue.dead_letter",
            "a dead-letter queue is a queue of the file, so it needs the network form \
             ([queues.NAME] tables); in the single form dead-lettered messages leave the system: \
             remove dead_letter",
        ));
    }
    if raw.consumers.take().is_some() {
        return Err(invalid(
            "queue.consumers",
            "the single form's fleet is the top-level [consumers] table",
        ));
    }
    queues::queue(raw, "queue")
}

/// The name becomes a directory under `output/`: keep it to safe characters.
fn scenario_name(name: &str) -> Checked<String> {
    safe_name("name", name, "-_.")
}

fn producers_of(
    raw: Vec<RawProducer>,
    horizon: SimTime,
    files: &DataFiles,
    nodes: &Names,
) -> Checked<(Vec<ProducerConfig>, Option<i64>)> {
    if raw.is_empty() || raw.len() > 1000 {
        return Err(invalid(
            "producers",
            "allowed: 1 ..= 1000 [[producers]] entries",
        ));
    }
    let read = raw
        .iter()
        .enumerate()
        .map(|(i, p)| match &p.schedule {
            Some(value) if schedule_file::is_file_form(value) => {
                schedule_file::read(&format!("producers.{i}.schedule"), value, files).map(Some)
            }
            _ => Ok(None),
        })
        .collect::<Checked<Vec<_>>>()?;
    let epoch_ms = schedule_file::epoch_ms(read.iter().flatten());
    let producers = raw
        .into_iter()
        .zip(read)
        .enumerate()
        .map(|(i, (p, read))| {
            let from_file = read.map(|r| {
                let steps = schedule_file::steps(&r, epoch_ms.unwrap_or_default(), horizon);
                (r.spec, steps)
            });
            producer(i, p, horizon, files, nodes, from_file)
        })
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
    Ok((producers, epoch_ms))
}

fn producer(
    i: usize,
    raw: RawProducer,
    horizon: SimTime,
    files: &DataFiles,
    nodes: &Names,
    from_file: Option<(ScheduleFile, Vec<RateStep>)>,
) -> Checked<ProducerConfig> {
    let key = |k: &str| format!("producers.{i}.{k}");
    let arrivals = arrivals(&key("arrivals"), raw.arrivals.as_ref(), horizon, files)?;
    let (schedule_file, file_steps) = from_file.unzip();
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
            let steps = match file_steps {
                Some(steps) => incidents::not_all_zero(&key("schedule"), steps, horizon)?,
                None => incidents::schedule(&key("schedule"), value, horizon)?,
            };
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
    let burst = raw
        .burst
        .as_ref()
        .map(|b| {
            if arrivals != Arrivals::Poisson {
                return Err(invalid(
                    key("burst"),
                    "bursts modulate a Poisson process: remove burst, or use arrivals = \"poisson\"",
                ));
            }
            burst::burst(&key("burst"), b, rate, schedule_file.as_ref().map(|f| f.period))
        })
        .transpose()?;
    let retry = raw.retry.unwrap_or_default();
    Ok(ProducerConfig {
        name: raw.name.unwrap_or_else(|| format!("producer-{i}")),
        // FIFO groups apply to the queue `to` names; a topic's copies keep them.
        to: match raw.to.as_deref() {
            Some(name) => nodes.destination(&key("to"), name)?,
            None => nodes.only_node(&key("to"))?,
        },
        rate,
        schedule,
        schedule_file,
        burst,
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
