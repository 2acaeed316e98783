//! Validation of what makes a bad day: the `[[faults]]` timeline, consumer
//! `crash`, rate `schedule`s and trace arrivals.
//!
//! Faults must lie inside the horizon (`at + duration <= duration`), last a
//! positive time, and carry exactly the keys of their kind. A fault that
//! strikes a queue names it in `target` when there are several (with one,
//! `target` may be left out); one that strikes a fleet needs a queue with
//! consumers. A resource fault names a resource in `target` (left out only
//! when there is one resource), kept in its kind: its [`Fault::target`] is
//! `None`, as is a redrive's, which names the queues `from` (a dead-letter
//! queue) and `to` instead and may leave out `duration` (until the end of
//! the run). Trace files are
//! read here, relative to the scenario file; a bad row is reported with its
//! row number.

use super::files::DataFiles;

use super::checks::{
    Checked, duration_in, int_in, invalid, number_in, probability, required, timed_steps, word,
};
use super::distspec::parse_dist;
use super::downstream::{OutageMode, ResourceRef};
use super::model::{
    Arrivals, CrashConfig, Down, Fault, FaultKind, Layout, Node, NodeRef, ProducerConfig,
    QueueNode, RateStep,
};
use super::network::Names;
use super::raw::{RawCrash, RawFault};
use crate::time::SimTime;

pub(super) const KINDS: &str = "\"consumer-outage\", \"queue-outage\", \"spike\", \"slowdown\", \
                     \"error-burst\", \"resource-outage\", \"resource-slowdown\", \"redrive\"";

/// Validates fault `i` against the horizon, the producer names and the
/// queues it may target.
pub fn fault(
    i: usize,
    raw: RawFault,
    horizon: SimTime,
    producers: &[String],
    nodes: &Names,
) -> Checked<Fault> {
    let key = |k: &str| format!("faults.{i}.{k}");
    let kind_name = required(
        &key("kind"),
        raw.kind.as_deref(),
        &format!("kind = \"spike\"; allowed: {KINDS}"),
    )?;
    let at = required(&key("at"), raw.at.as_ref(), "at = \"30m\"")?;
    let at = duration_in(
        &key("at"),
        Some(at),
        SimTime::ZERO,
        (SimTime::ZERO, horizon),
    )?;
    let length = match (&raw.duration, kind_name) {
        // A redrive without a duration runs to the end of the run (the
        // engine ends it early when `from` is empty).
        (None, "redrive") if at < horizon => horizon - at,
        (None, "redrive") => {
            return Err(invalid(
                key("at"),
                format!(
                    "a redrive without a duration runs until the end of the run, and this one \
                     starts there ({horizon}); start it earlier or give a duration"
                ),
            ));
        }
        (length, _) => {
            let length = required(&key("duration"), length.as_ref(), "duration = \"10m\"")?;
            duration_in(
                &key("duration"),
                Some(length),
                SimTime::ZERO,
                (SimTime(1), horizon),
            )?
        }
    };
    if at + length > horizon {
        // Blamed on the fault as a whole: `at` and `duration` share the
        // fault, and either may be the one a `--set` just changed.
        return Err(invalid(
            format!("faults.{i}"),
            format!(
                "the fault (at {at} for {length}) ends at {}, after the scenario's duration \
                 ({horizon}); faults must end within it",
                at + length
            ),
        ));
    }
    let allowed: &[&str] = match kind_name {
        "consumer-outage" => &["fraction", "count"],
        "queue-outage" => &[],
        "spike" => &["factor", "producer"],
        "slowdown" => &["factor"],
        "error-burst" => &["error_rate"],
        "resource-outage" => &["mode"],
        "resource-slowdown" => &["factor"],
        "redrive" => &["from", "to", "rate"],
        other => {
            return Err(invalid(
                key("kind"),
                format!("\"{other}\" is not a fault kind; allowed: {KINDS}"),
            ));
        }
    };
    reject_foreign_keys(&raw, allowed, kind_name, &key)?;
    let kind = match kind_name {
        "consumer-outage" => FaultKind::ConsumerOutage {
            down: down(&raw, &key)?,
        },
        "queue-outage" => FaultKind::QueueOutage,
        "spike" => FaultKind::Spike {
            factor: factor(&raw, &key)?,
            producer: spiked(&raw, &key, producers)?,
        },
        "slowdown" => FaultKind::Slowdown {
            factor: factor(&raw, &key)?,
        },
        "error-burst" => {
            let rate = required(&key("error_rate"), raw.error_rate, "error_rate = 0.5")?;
            FaultKind::ErrorBurst {
                error_rate: probability(&key("error_rate"), Some(rate))?,
            }
        }
        "resource-outage" => FaultKind::ResourceOutage {
            resource: resource_target(&raw, kind_name, &key, nodes)?,
            mode: match word(&key("mode"), raw.mode.as_deref(), "fail", &["fail", "hang"])? {
                "hang" => OutageMode::Hang,
                _ => OutageMode::Fail,
            },
        },
        "resource-slowdown" => FaultKind::ResourceSlowdown {
            resource: resource_target(&raw, kind_name, &key, nodes)?,
            factor: factor(&raw, &key)?,
        },
        _ => redrive(&raw, &key, nodes)?,
    };
    let target = target(&raw, &kind, &key, nodes)?;
    Ok(Fault {
        kind,
        at,
        duration: length,
        target,
    })
}

/// The queue a fault strikes: required with several queues, optional
/// (and then the only queue) with one; a spike strikes producers instead.
fn target(
    raw: &RawFault,
    kind: &FaultKind,
    key: &dyn Fn(&str) -> String,
    nodes: &Names,
) -> Checked<Option<NodeRef>> {
    match kind {
        FaultKind::Spike { .. } => {
            return match raw.target {
                Some(_) => Err(invalid(
                    key("target"),
                    "a spike multiplies producers' rates and strikes no queue; name a producer \
                     with `producer` instead",
                )),
                None => Ok(None),
            };
        }
        // The resource is in the kind.
        FaultKind::ResourceOutage { .. } | FaultKind::ResourceSlowdown { .. } => return Ok(None),
        FaultKind::Redrive { .. } => {
            return match raw.target {
                Some(_) => Err(invalid(
                    key("target"),
                    "a redrive moves messages between two queues and takes no target; \
                     name them with `from` (the dead-letter queue) and `to`",
                )),
                None => Ok(None),
            };
        }
        _ => {}
    }
    match raw.target.as_deref() {
        Some(name) if nodes.is_resource(name) => Err(invalid(
            key("target"),
            format!(
                "\"{name}\" is a resource, and a {} strikes a queue (and its fleet); name a \
                 queue (queues: {}), or strike the resource with kind = \"resource-outage\" \
                 or \"resource-slowdown\"",
                kind.name(),
                nodes.queue_list()
            ),
        )),
        Some(name) => nodes.queue(&key("target"), name).map(Some),
        None if nodes.several_queues() => Err(invalid(
            key("target"),
            format!(
                "is required when there are several queues: name the queue (and fleet) the \
                 {} strikes; queues: {}",
                kind.name(),
                nodes.queue_list()
            ),
        )),
        None => Ok(None),
    }
}

/// A fault that strikes a fleet (consumer outage, slowdown, error burst)
/// targets a queue with consumers, and a consumer outage cannot take down
/// more consumers than its fleet has.
pub fn faults_fit_their_fleets(
    faults: &[Fault],
    queues: &[QueueNode],
    layout: Layout,
) -> Checked<()> {
    for (i, f) in faults.iter().enumerate() {
        if matches!(
            f.kind,
            FaultKind::Spike { .. }
                | FaultKind::QueueOutage
                | FaultKind::ResourceOutage { .. }
                | FaultKind::ResourceSlowdown { .. }
                | FaultKind::Redrive { .. }
        ) {
            continue;
        }
        let q = match f.target.as_ref().map(|t| t.node) {
            Some(Node::Queue(q)) => q,
            _ => 0,
        };
        let Some(node) = queues.get(q) else { continue };
        let fleet = match layout {
            Layout::Single => "consumers".to_owned(),
            Layout::Network => format!("queues.{}.consumers", node.name),
        };
        let Some(consumers) = &node.consumers else {
            let with: Vec<&str> = queues
                .iter()
                .filter(|n| n.consumers.is_some())
                .map(|n| n.name.as_str())
                .collect();
            return Err(invalid(
                format!("faults.{i}.target"),
                format!(
                    "queue \"{}\" has no consumers, and a {} strikes a fleet; queues with \
                     consumers: {}",
                    node.name,
                    f.kind.name(),
                    with.join(", ")
                ),
            ));
        };
        let slots = consumers.slots();
        if let FaultKind::ConsumerOutage {
            down: Down::Count(n),
        } = f.kind
            && n > slots
        {
            return Err(invalid(
                format!("faults.{i}.count"),
                format!(
                    "{n} consumers down, but {fleet}.count is {slots}; allowed: 0 ..= {slots} (or fraction = 1.0 for all)"
                ),
            ));
        }
    }
    Ok(())
}

/// A spike multiplies a rate, and a trace producer has none (its send
/// times are replayed as recorded): a spike that would reach only trace
/// producers would be reported without acting, so it is refused.
pub fn spikes_can_act(faults: &[Fault], producers: &[ProducerConfig]) -> Checked<()> {
    let is_trace = |p: &ProducerConfig| matches!(p.arrivals, Arrivals::Trace { .. });
    let rated: Vec<&str> = producers
        .iter()
        .filter(|p| !is_trace(p))
        .map(|p| p.name.as_str())
        .collect();
    let allowed = if rated.is_empty() {
        "allowed: a spike on a producer with poisson or constant arrivals (there is none \
         here); to replay a busier day, edit the trace file"
            .to_owned()
    } else {
        format!("allowed: producer = one of {}", rated.join(", "))
    };
    for (i, f) in faults.iter().enumerate() {
        let FaultKind::Spike { producer, .. } = &f.kind else {
            continue;
        };
        match producer {
            Some(name) if producers.iter().any(|p| p.name == *name && is_trace(p)) => {
                return Err(invalid(
                    format!("faults.{i}.producer"),
                    format!(
                        "a spike cannot act on producer \"{name}\": it replays a trace, whose \
                         send times are fixed; {allowed}"
                    ),
                ));
            }
            None if rated.is_empty() => {
                return Err(invalid(
                    format!("faults.{i}.kind"),
                    format!(
                        "a spike cannot act here: every producer replays a trace, whose send \
                         times are fixed; {allowed}"
                    ),
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

fn reject_foreign_keys(
    raw: &RawFault,
    allowed: &[&str],
    kind: &str,
    key: &dyn Fn(&str) -> String,
) -> Checked<()> {
    let given = [
        ("fraction", raw.fraction.is_some()),
        ("count", raw.count.is_some()),
        ("factor", raw.factor.is_some()),
        ("producer", raw.producer.is_some()),
        ("error_rate", raw.error_rate.is_some()),
        ("mode", raw.mode.is_some()),
        ("from", raw.from.is_some()),
        ("to", raw.to.is_some()),
        ("rate", raw.rate.is_some()),
    ];
    for (name, present) in given {
        if present && !allowed.contains(&name) {
            let takes = if allowed.is_empty() {
                "no other keys".to_owned()
            } else {
                allowed.join(", ")
            };
            return Err(invalid(
                key(name),
                format!("a {kind} fault does not take `{name}`; it takes at, duration and {takes}"),
            ));
        }
    }
    Ok(())
}

/// The resource a resource fault strikes: `target`, which may be left out
/// when the file has exactly one resource.
fn resource_target(
    raw: &RawFault,
    kind: &str,
    key: &dyn Fn(&str) -> String,
    nodes: &Names,
) -> Checked<ResourceRef> {
    match raw.target.as_deref() {
        Some(name) => nodes.resource(&key("target"), name).map_err(|mut e| {
            e.message = format!("a {kind} strikes a resource: {}", e.message);
            e
        }),
        None => nodes.only_resource().ok_or_else(|| {
            invalid(
                key("target"),
                format!(
                    "a {kind} strikes a resource, named in `target` unless the file has exactly \
                     one; {}",
                    nodes.resource_list()
                ),
            )
        }),
    }
}

/// `from` (checked to be a dead-letter queue once the queues are known,
/// by [`redrives_start_at_dead_letter_queues`]), `to` and `rate`.
fn redrive(raw: &RawFault, key: &dyn Fn(&str) -> String, nodes: &Names) -> Checked<FaultKind> {
    let from = required(
        &key("from"),
        raw.from.as_deref(),
        "from = \"orders-dlq\" (a dead-letter queue)",
    )?;
    let from = nodes.queue(&key("from"), from)?;
    let to = required(&key("to"), raw.to.as_deref(), "to = \"orders\"")?;
    let to = nodes.queue(&key("to"), to)?;
    let rate = required(&key("rate"), raw.rate, "rate = 50 (messages per second)")?;
    Ok(FaultKind::Redrive {
        from,
        to,
        rate: number_in(
            &key("rate"),
            Some(rate),
            0.0,
            f64::MIN_POSITIVE..=1_000_000.0,
        )?,
    })
}

/// A redrive's `from` is a queue that some queue names as its
/// `dead_letter`, and its `to` another queue.
pub fn redrives_start_at_dead_letter_queues(
    faults: &[Fault],
    queues: &[QueueNode],
    layout: Layout,
) -> Checked<()> {
    let dlqs: Vec<&str> = queues
        .iter()
        .filter_map(|q| q.queue.dead_letter.as_ref())
        .map(|d| d.name.as_str())
        .collect();
    for (i, f) in faults.iter().enumerate() {
        let FaultKind::Redrive { from, .. } = &f.kind else {
            continue;
        };
        if dlqs.contains(&from.name.as_str()) {
            continue;
        }
        let known = match (layout, dlqs.is_empty()) {
            (Layout::Single, _) => "the single form has no dead-letter queue (its dead-lettered \
                 messages leave the system); a redrive needs the network form, with a queue's \
                 dead_letter naming another queue"
                .to_owned(),
            (Layout::Network, true) => "no queue has a dead_letter; give the queue that \
                 dead-letters max_receive_count and dead_letter = \"<queue>\""
                .to_owned(),
            (Layout::Network, false) => {
                let mut unique = dlqs.clone();
                unique.sort_unstable();
                unique.dedup();
                format!("dead-letter queues: {}", unique.join(", "))
            }
        };
        return Err(invalid(
            format!("faults.{i}.from"),
            format!(
                "\"{}\" is no queue's dead_letter, and a redrive moves dead-lettered messages \
                 back; {known}",
                from.name
            ),
        ));
    }
    for (i, f) in faults.iter().enumerate() {
        if let FaultKind::Redrive { from, to, .. } = &f.kind
            && from == to
        {
            let names: Vec<&str> = queues.iter().map(|q| q.name.as_str()).collect();
            return Err(invalid(
                format!("faults.{i}.to"),
                format!(
                    "\"{}\" is also `from`; a redrive moves messages to another queue \
                     (queues: {})",
                    to.name,
                    names.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

fn down(raw: &RawFault, key: &dyn Fn(&str) -> String) -> Checked<Down> {
    match (raw.fraction, raw.count) {
        (Some(_), Some(_)) => Err(invalid(
            key("count"),
            "give either fraction or count, not both",
        )),
        (Some(f), None) => Ok(Down::Fraction(number_in(
            &key("fraction"),
            Some(f),
            0.0,
            0.0..=1.0,
        )?)),
        (None, Some(n)) => Ok(Down::Count(
            int_in(&key("count"), Some(n), 0, 0..=100_000)? as u32
        )),
        (None, None) => Ok(Down::Fraction(1.0)),
    }
}

fn factor(raw: &RawFault, key: &dyn Fn(&str) -> String) -> Checked<f64> {
    let f = required(&key("factor"), raw.factor, "factor = 4")?;
    number_in(&key("factor"), Some(f), 0.0, f64::MIN_POSITIVE..=1000.0)
}

fn spiked(
    raw: &RawFault,
    key: &dyn Fn(&str) -> String,
    producers: &[String],
) -> Checked<Option<String>> {
    match &raw.producer {
        None => Ok(None),
        Some(name) if producers.contains(name) => Ok(Some(name.clone())),
        Some(name) => Err(invalid(
            key("producer"),
            format!(
                "no producer is named \"{name}\"; producers: {}",
                producers.join(", ")
            ),
        )),
    }
}

/// `crash = { mtbf = "6h", restart = <distribution> }` at dotted key `at`.
pub fn crash(raw: RawCrash, at: &str, files: &DataFiles) -> Checked<CrashConfig> {
    let key = |k: &str| format!("{at}.{k}");
    if raw.mtbf.is_none() && raw.per_message.is_none() {
        return Err(invalid(
            key("mtbf"),
            "give mtbf (crashes on a clock, e.g. mtbf = \"6h\"), per_message (a probability per processing), or both",
        ));
    }
    let day = SimTime::from_secs(86_400);
    let mtbf = raw
        .mtbf
        .as_ref()
        .map(|m| {
            duration_in(
                &key("mtbf"),
                Some(m),
                SimTime::ZERO,
                (SimTime::from_secs(1), SimTime(365 * day.ticks())),
            )
        })
        .transpose()?;
    let per_message = probability(&key("per_message"), raw.per_message)?;
    let restart = required(
        &key("restart"),
        raw.restart.as_ref(),
        "restart = { dist = \"exp\", mean = \"30s\" }",
    )?;
    Ok(CrashConfig {
        mtbf,
        per_message,
        restart: parse_dist(&key("restart"), restart, files)?,
    })
}

/// `schedule = [["0s", 50], ["1h", 80]]`: steps in increasing time, the
/// first at 0, each inside the horizon, rates >= 0 and not all 0.
pub fn schedule(key: &str, value: &toml::Value, horizon: SimTime) -> Checked<Vec<RateStep>> {
    let example = "schedule = [[\"0s\", 50], [\"1h\", 80]]";
    let mut steps: Vec<RateStep> = Vec::new();
    for step in timed_steps(key, value, "rate", example, horizon)? {
        let rate = step
            .value
            .as_float()
            .or_else(|| step.value.as_integer().map(|n| n as f64));
        let rate = number_in(
            &step.key,
            Some(rate.unwrap_or(f64::NAN)),
            0.0,
            0.0..=10_000_000.0,
        )?;
        if steps.is_empty() && step.at != SimTime::ZERO {
            return Err(invalid(step.key, "the first step must start at \"0s\""));
        }
        steps.push(RateStep {
            from: step.at,
            rate,
        });
    }
    not_all_zero(key, steps, horizon)
}

/// `steps`, unless no rate of them before `horizon` is above 0.
pub fn not_all_zero(key: &str, steps: Vec<RateStep>, horizon: SimTime) -> Checked<Vec<RateStep>> {
    if steps.iter().all(|s| s.rate == 0.0 || s.from >= horizon) {
        return Err(invalid(
            key,
            format!("every rate before the end ({horizon}) is 0: the producer would send nothing"),
        ));
    }
    Ok(steps)
}

/// The time-average rate of `steps` over `[0, horizon)`.
pub fn mean_rate(steps: &[RateStep], horizon: SimTime) -> f64 {
    let mut area = 0.0;
    for (j, step) in steps.iter().enumerate() {
        let end = steps.get(j + 1).map_or(horizon, |next| next.from);
        area += step.rate * (end.ticks() - step.from.ticks()) as f64;
    }
    area / horizon.ticks() as f64
}

/// Reads a trace: send times in seconds from the start, one per line, or a
/// CSV whose header has a `time` column. Times must not decrease; times at or
/// after `horizon` are dropped (the producer stops sending at `duration`).
pub fn trace(key: &str, file: &str, files: &DataFiles, horizon: SimTime) -> Checked<Vec<u64>> {
    let path = files.path(file);
    let text = files.read(file).map_err(|why| invalid(key, why))?;
    let mut records = csv::ReaderBuilder::new()
        .has_headers(false)
        .comment(Some(b'#'))
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes())
        .into_records()
        .filter(|r| r.as_ref().map_or(true, |r| r.iter().any(|f| !f.is_empty())))
        .peekable();
    let column = match records.peek() {
        Some(Ok(first))
            if first
                .iter()
                .any(|f| f.chars().any(|c| c.is_ascii_alphabetic())) =>
        {
            let header: Vec<&str> = first.iter().collect();
            let col = header.iter().position(|h| *h == "time").ok_or_else(|| {
                invalid(
                    key,
                    format!(
                        "{}: the header has no `time` column (found: {})",
                        path.display(),
                        header.join(", ")
                    ),
                )
            })?;
            records.next();
            col
        }
        _ => 0,
    };
    let mut times = Vec::new();
    let mut last = 0u64;
    for record in records {
        let record = record.map_err(|e| invalid(key, format!("{}: {e}", path.display())))?;
        let line = record.position().map_or(0, |p| p.line());
        let row = || format!("{}:{line}", path.display());
        let cell = record.get(column).unwrap_or("");
        let secs: f64 = cell.parse().map_err(|_| {
            invalid(
                key,
                format!("{}: \"{cell}\" is not a number of seconds", row()),
            )
        })?;
        if !secs.is_finite() || secs < 0.0 {
            return Err(invalid(
                key,
                format!("{}: {secs} is not a time >= 0", row()),
            ));
        }
        let t = SimTime::from_secs_f64(secs).ticks();
        if t < last {
            return Err(invalid(
                key,
                format!(
                    "{}: {secs} is earlier than the row before; send times must not decrease",
                    row()
                ),
            ));
        }
        last = t;
        if t < horizon.ticks() {
            times.push(t);
        }
    }
    if times.is_empty() {
        return Err(invalid(
            key,
            format!(
                "{}: no send time before the scenario's duration ({horizon})",
                path.display()
            ),
        ));
    }
    Ok(times)
}
