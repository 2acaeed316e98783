//! The scenario in plain sentences, from the resolved [`Scenario`] the
//! engine ran (for a sweep or plan point: that point's, overrides applied).
//!
//! Contract: every sentence states what the model does with the setting it
//! names (docs/model.md), and every setting that changes the results is
//! worded when it is in effect: the queue type and FIFO groups, the preset,
//! schedules and traces, batch sizes, request latency, the processing
//! distribution (mean and p99), errors, poison messages, heartbeats,
//! crashes and restarts, autoscaling, the dead-letter threshold, every
//! fault, prices and the replications; shared resources, `uses`,
//! `idempotency` and `breaker` through [`super::downstream_words`]. Settings at a value that does nothing
//! (a 0 delay, no heartbeat) are left out.

use super::words::{dist, num, pct, secs, time, usd, window};
use crate::dist::Dist;
use crate::scenario::{
    Arrivals, Autoscale, Backoff, BatchFailure, ConsumerConfig, ConsumerLoss, Down, Fault,
    FaultKind, OnError, OutageMode, ProducerConfig, QueueConfig, QueueKind, ScaleIn, ScaleMetric,
    Scenario, StaleDelete,
};

/// Rate steps listed one by one up to this many; longer schedules are summarised.
const LISTED_STEPS: usize = 6;

/// The scenario in a few plain sentences (a network's: [`super::network_words`]).
pub fn describe(sc: &Scenario) -> Vec<String> {
    let mut out = vec![horizon(sc)];
    let sends_can_fail = sc.queue().throughput_limit.is_some()
        || sc.faults.iter().any(|f| f.kind == FaultKind::QueueOutage);
    let fifo = sc.queue().kind == QueueKind::Fifo;
    for p in &sc.producers {
        out.push(producer(p, "", fifo, sends_can_fail));
    }
    out.push(queue(sc.queue(), DeadLetter::Single));
    out.extend(fleet(sc.consumers()));
    out.extend(super::downstream_words::resource_sentences(sc));
    let slots = sc.consumers().slots();
    out.extend(
        sc.faults
            .iter()
            .map(|f| fault(f, "", slots, sc.consumers().error_rate)),
    );
    out.extend(closing(sc));
    out
}

/// A fleet's sentences: how it receives, processes and scales.
pub(super) fn fleet(c: &ConsumerConfig) -> Vec<String> {
    let mut out = vec![consumers(c), processing(c)];
    if let Some(a) = &c.autoscale {
        out.push(autoscale(a, c.count));
    }
    out.extend(super::downstream_words::fleet_downstream(c));
    out
}

/// The last sentences: prices, replications and warm-up.
pub(super) fn closing(sc: &Scenario) -> [String; 2] {
    [
        format!(
            "Prices: {} per million queue requests, {} per consumer-hour.",
            usd(sc.cost.price_per_million_requests),
            usd(sc.cost.consumer_hour)
        ),
        format!(
            "{} (seed {}); {}.",
            if sc.replications == 1 {
                "One replication".to_owned()
            } else {
                format!("{} independent replications", sc.replications)
            },
            sc.seed,
            if sc.warmup.0 == 0 {
                "no warm-up: every message counts in the latency statistics".to_owned()
            } else {
                format!(
                    "messages sent in the first {} (warm-up) are left out of latency statistics, \
                     and time averages start then",
                    time(sc.warmup)
                )
            }
        ),
    ]
}

/// Where a queue's dead-lettered messages go, as its sentence words it.
#[derive(Clone, Copy, Debug)]
pub(super) enum DeadLetter<'a> {
    /// The single form: "the dead-letter queue", which the model counts.
    Single,
    /// A network queue's `dead_letter`: (its name, whether it has consumers);
    /// `None`: dead-lettered messages leave the system.
    Network(Option<(&'a str, bool)>),
    /// A network queue without consumers: nothing is received, so nothing
    /// fails or is dead-lettered there, and no clause is worded.
    Unconsumed,
}

pub(super) fn horizon(sc: &Scenario) -> String {
    if sc.drain {
        format!(
            "Producers send for {}; the run then goes on until no message is left and every consumer is idle.",
            time(sc.duration)
        )
    } else {
        format!(
            "Producers send for {}; the run stops then, and messages still queued are counted as left.",
            time(sc.duration)
        )
    }
}

/// A producer's sentence; `to` (" to queue \"orders\"", or empty) follows
/// its rate.
pub(super) fn producer(p: &ProducerConfig, to: &str, fifo: bool, sends_can_fail: bool) -> String {
    let rate = |r: f64| format!("{} msg/s", num(r));
    let how = match &p.arrivals {
        Arrivals::Trace { file, times } => format!(
            "replays the {} send times of {file} ({} on average)",
            times.len(),
            rate(p.rate)
        ),
        arrivals => {
            let spacing = if *arrivals == Arrivals::Constant {
                "evenly spaced"
            } else {
                "Poisson"
            };
            if let Some(file) = &p.schedule_file {
                format!(
                    "sends at the rates counted in {} ({}), {spacing} within each period: {}; on average {}",
                    file.file,
                    file.describe(),
                    schedule(p),
                    rate(p.rate)
                )
            } else if p.schedule.is_empty() {
                format!("sends {} ({spacing})", rate(p.rate))
            } else {
                format!(
                    "sends on a schedule averaging {} ({spacing}): {}",
                    rate(p.rate),
                    schedule(p)
                )
            }
        }
    };
    let mut s = format!("Producer \"{}\" {how}{to}", p.name);
    if let Some(b) = &p.burst {
        s += &format!(
            ", in bursts: {} of the time (spells of {} on average, one every {}) it sends {}× its rate and \
             {}× between them, so that counts per {} have an index of dispersion of {} (1 for Poisson)",
            pct(b.share),
            time(b.length),
            secs(b.quiet_secs() + b.length.as_secs_f64()),
            num(b.high),
            num(b.low),
            time(b.window),
            num(b.dispersion)
        );
    }
    if p.send_batch > 1 {
        s += &format!(", up to {} messages per send call", p.send_batch);
    }
    if fifo {
        s += &match (p.groups, p.group_skew) {
            (1, _) => ", all in one message group".to_owned(),
            (g, 0.0) => format!(", spread evenly over {g} message groups"),
            (g, k) => format!(
                ", over {g} message groups with Zipf skew {} (group k gets a share proportional to 1/k^{})",
                num(k),
                num(k)
            ),
        };
    }
    if p.lost_acks > 0.0 {
        s += &format!(
            "; {} of accepted send calls lose their response and are sent again after {}",
            pct(p.lost_acks),
            time(p.retry.backoff)
        );
    }
    if sends_can_fail {
        s += &format!(
            "; a refused send is retried up to {} times, {} apart, with up to {} messages held (beyond that they are dropped)",
            p.retry.attempts,
            time(p.retry.backoff),
            p.buffer
        );
    }
    s + "."
}

fn schedule(p: &ProducerConfig) -> String {
    let step = |from, r: f64| format!("{} msg/s from {}", num(r), time(from));
    if p.schedule.len() <= LISTED_STEPS {
        return p
            .schedule
            .iter()
            .map(|s| step(s.from, s.rate))
            .collect::<Vec<_>>()
            .join(", ");
    }
    let peak = p
        .schedule
        .iter()
        .max_by(|a, b| a.rate.total_cmp(&b.rate).then(b.from.cmp(&a.from)))
        .expect("a schedule has steps");
    let low = p.schedule.iter().map(|s| s.rate).fold(f64::MAX, f64::min);
    format!(
        "{} steps from {} to {} msg/s, the first peak at {}",
        p.schedule.len(),
        num(low),
        num(peak.rate),
        time(peak.from)
    )
}

pub(super) fn queue(q: &QueueConfig, dead_letter: DeadLetter) -> String {
    let preset = q
        .preset
        .as_ref()
        .map_or(String::new(), |p| format!(" (defaults from preset {p})"));
    let mut s = match q.kind {
        QueueKind::Standard => {
            format!(
                "A standard queue{preset}: at-least-once delivery, oldest visible messages first"
            )
        }
        QueueKind::Fifo => format!(
            "A FIFO queue{preset}: each message group is delivered in send order, and while a \
             message of a group is in flight the group's later messages wait"
        ),
    };
    s += &format!(
        "; visibility timeout {}, retention {}",
        time(q.visibility_timeout),
        time(q.retention)
    );
    if q.delay.0 > 0 {
        s += &format!(", every message delayed {}", time(q.delay));
    }
    s += &match q.max_receive_count {
        _ if matches!(dead_letter, DeadLetter::Unconsumed) => String::new(),
        Some(n) => format!(
            "; a message already received {n} time{} {} instead of another delivery",
            if n == 1 { "" } else { "s" },
            dead_letter_words(dead_letter)
        ),
        None => "; no dead-letter queue (a failing message is retried until it expires)".into(),
    };
    if q.max_in_flight < 120_000 {
        s += &format!(
            "; receives return nothing while {} messages are in flight",
            q.max_in_flight
        );
    }
    if q.duplicate_delivery > 0.0 {
        s += &format!(
            "; {} of deliveries are repeated to the next receive (spontaneous duplicates)",
            pct(q.duplicate_delivery)
        );
    }
    if q.stale_delete == StaleDelete::Deletes {
        s += "; a delete with a stale receipt handle deletes the message anyway";
    }
    if q.on_consumer_loss == ConsumerLoss::Requeue {
        s += "; the messages of a consumer that goes down are visible again at once";
    }
    if let Some(limit) = q.throughput_limit {
        s += &format!(
            "; at most {} send calls per second are accepted, the rest throttled",
            num(limit)
        );
    }
    s + "."
}

/// Where a message past `max_receive_count` goes.
fn dead_letter_words(d: DeadLetter) -> String {
    match d {
        DeadLetter::Single => "goes to the dead-letter queue".into(),
        DeadLetter::Network(Some((name, true))) => {
            format!("goes to the dead-letter queue \"{name}\" (whose consumers process it)")
        }
        DeadLetter::Network(Some((name, false))) => format!(
            "goes to the dead-letter queue \"{name}\" (it has no consumers: dead letters wait there)"
        ),
        DeadLetter::Network(None) | DeadLetter::Unconsumed => {
            "is dead-lettered and leaves the system (the queue names no dead_letter queue)".into()
        }
    }
}

fn consumers(c: &ConsumerConfig) -> String {
    let fleet = match &c.autoscale {
        Some(_) => format!("Consumers ({} at the start)", c.count),
        None => format!(
            "{} consumer{}",
            c.count,
            if c.count == 1 { "" } else { "s" }
        ),
    };
    let polling = if c.wait_time.0 == 0 {
        "short polling".to_owned()
    } else {
        format!("long polling {}", time(c.wait_time))
    };
    let mut s = if c.batch_size == 1 {
        format!("{fleet} receive one message at a time ({polling}")
    } else {
        format!(
            "{fleet} receive batches of up to {} ({polling}",
            c.batch_size
        )
    };
    if c.batch_window.0 > 0 {
        s += &format!(", waiting up to {} for a full batch", time(c.batch_window));
    }
    s += if c.batch_size == 1 {
        ")"
    } else {
        ") and process a batch's messages one after another"
    };
    s += &if c.request_latency.0 == 0 {
        "; queue API calls take no time (request_latency 0)".to_owned()
    } else {
        format!(
            "; every queue API call takes {} (request_latency)",
            time(c.request_latency)
        )
    };
    if let Some(h) = c.heartbeat {
        s += &format!(
            "; every {} while processing, a consumer extends its messages' visibility timeout (heartbeat)",
            time(h)
        );
    }
    s + "."
}

fn processing(c: &ConsumerConfig) -> String {
    let mut s = if super::downstream_words::no_own_processing(c) {
        "No processing time of a message's own: its time is its steps below".to_owned()
    } else {
        format!("Processing time per message: {}", dist(&c.processing))
    };
    s += &if c.error_rate == 0.0 {
        "; no processing fails at random".to_owned()
    } else {
        format!("; {} of processings fail", pct(c.error_rate))
    };
    if c.poison_fraction > 0.0 {
        s += &format!(
            "; {} of messages are poison (every processing of them fails)",
            pct(c.poison_fraction)
        );
    }
    // An acquire of a resource that times out or is refused fails it too.
    let holds = !c.uses.is_empty() || c.idempotency.as_ref().is_some_and(|i| i.store.is_some());
    if c.error_rate > 0.0 || c.poison_fraction > 0.0 || holds {
        s += &match c.on_error {
            OnError::Wait => "; a failed message waits out its visibility timeout".to_owned(),
            OnError::Release => "; a failed message is released (visible again at once)".to_owned(),
            OnError::Backoff(b) => backoff(&b),
        };
        if c.batch_failure == BatchFailure::Whole {
            s += ", and one failure fails its whole batch (nothing is deleted unless all succeed)";
        }
    }
    if let Some(cr) = &c.crash {
        let mut how = Vec::new();
        if let Some(m) = cr.mtbf {
            how.push(format!(
                "each consumer crashes at exponential times, on average every {} it is up",
                time(m)
            ));
        }
        if cr.per_message > 0.0 {
            how.push(format!(
                "{} of processings end in a crash",
                pct(cr.per_message)
            ));
        }
        let restart = match &cr.restart {
            Dist::Const { value } => secs(*value),
            d => format!("a restart time ({})", dist(d)),
        };
        s += &format!(
            "; {}; a crashed consumer comes back after {restart}",
            how.join(" and ")
        );
    }
    s + "."
}

fn autoscale(a: &Autoscale, count: u32) -> String {
    let mut s = format!(
        "The fleet autoscales between {} and {} consumers, starting at {count}",
        a.min, a.max
    );
    if let Some(target) = a.target_backlog_per_consumer {
        let metric = match a.metric {
            ScaleMetric::Visible => "visible messages",
            ScaleMetric::VisibleAndInFlight => "visible and in-flight messages",
        };
        s += &format!(
            ": every {} it compares {metric} per running consumer with a target of {}, {}, {}",
            time(a.evaluation),
            num(target),
            if a.cooldown.0 == 0 {
                "with no cooldown between actions".to_owned()
            } else {
                format!("at most one action per {} cooldown", time(a.cooldown))
            },
            if a.scale_in_after.0 == 0 {
                "scaling in as soon as the fleet is too big".to_owned()
            } else {
                format!(
                    "scaling in only after the fleet has been too big for {}",
                    time(a.scale_in_after)
                )
            }
        );
        if let Some(r) = a.scale_out_rate {
            s += &format!(", launching at most {} per minute", num(r));
        }
    }
    if !a.schedule.is_empty() {
        let steps: Vec<String> = a
            .schedule
            .iter()
            .map(|st| format!("{} from {}", st.count, time(st.at)))
            .collect();
        s += &format!(
            "; scheduled capacity ({}): {}",
            if a.target_backlog_per_consumer.is_some() {
                "at least"
            } else {
                "exactly"
            },
            steps.join(", ")
        );
    }
    s += &format!(
        "; a new consumer serves {}; a busy consumer removed {}.",
        if a.startup.0 == 0 {
            "at once".to_owned()
        } else {
            format!("after {} start-up", time(a.startup))
        },
        match a.scale_in {
            ScaleIn::Finish => "finishes the messages it holds first",
            ScaleIn::Abandon => "stops at once, its messages waiting out their visibility timeout",
        }
    );
    s
}

/// What a failed message's exponential backoff does, as a clause.
fn backoff(b: &Backoff) -> String {
    let jitter = if b.jitter { ", with full jitter" } else { "" };
    format!(
        "; a failed message is hidden for {} × {}^(receives − 1), at most {}{jitter} (a ChangeMessageVisibility call)",
        time(b.base),
        num(b.factor),
        time(b.max)
    )
}

/// A fault's sentence; `at` (" at queue \"email\"", or empty) names its
/// target, `slots` and `error_rate` are its fleet's.
pub(super) fn fault(f: &Fault, at: &str, slots: u32, base_error_rate: f64) -> String {
    let what = match &f.kind {
        FaultKind::ConsumerOutage { down } => {
            let n = down.of(slots);
            let who = match down {
                Down::Count(_) => format!("{n} consumers are down"),
                Down::Fraction(x) => {
                    format!(
                        "{} of the {slots} consumer slots ({n} consumers) are down",
                        pct(*x)
                    )
                }
            };
            who + ", abandoning what they hold"
        }
        FaultKind::QueueOutage => {
            "the queue is unavailable: sends and every consumer call fail".to_owned()
        }
        FaultKind::Spike { factor, producer } => format!(
            "the arrival rate of {} is multiplied by {}",
            producer
                .as_ref()
                .map_or("every producer".to_owned(), |p| format!("producer \"{p}\"")),
            num(*factor)
        ),
        FaultKind::Slowdown { factor } => format!(
            "processings that start in the window take {} times as long",
            num(*factor)
        ),
        FaultKind::ErrorBurst { error_rate } => format!(
            "{} of processings fail (instead of {})",
            pct(*error_rate),
            pct(base_error_rate)
        ),
        FaultKind::ResourceOutage { resource, mode } => match mode {
            OutageMode::Fail => format!(
                "resource \"{}\" is down: every acquire is refused, failing its processing 1 ms later",
                resource.name
            ),
            OutageMode::Hang => format!(
                "resource \"{}\" hangs: acquires wait until it is back or their acquire timeout runs out",
                resource.name
            ),
        },
        FaultKind::ResourceSlowdown { resource, factor } => format!(
            "holds of resource \"{}\" that start in the window take {} times as long",
            resource.name,
            num(*factor)
        ),
        FaultKind::Redrive { from, to, rate } => format!(
            "dead-lettered messages are moved from \"{}\" back to \"{}\" at {}/s (until \"{}\" is empty)",
            from.name,
            to.name,
            num(*rate),
            from.name
        ),
    };
    format!(
        "Fault {} {} ({}){at}: {what}.",
        f.kind.name(),
        window(f.at, f.end()),
        time(f.duration)
    )
}
