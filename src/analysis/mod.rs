//! `mqsim check`'s quick analysis: the capacity (the model of
//! [`mqsim::capacity`]) and what limits it, offered load, the run's size,
//! and warnings about settings that usually surprise people (instability,
//! batches that outlive the visibility timeout, heartbeats that come too
//! late). For a network ([`Layout::Network`]) it adds the traffic
//! equations of [`mqsim::traffic`]: each queue's arrival rate, capacity and
//! utilisation, the edges' rates, the bottleneck, and loops that never
//! drain (`network.rs`); a single-queue scenario's analysis is unchanged.

mod faults;
mod network;
mod resources;

use std::io::{self, Write};

use mqsim::capacity::{self, Capacity};
use mqsim::scenario::{ConsumerConfig, Layout, QueueConfig, Scenario};
use mqsim::traffic::{ResourceTraffic, Traffic};
use serde::Serialize;

/// Load figures and warnings for one scenario.
#[derive(Debug, Serialize)]
pub struct Analysis {
    /// Messages per second over all producers (time average).
    pub arrival_rate: f64,
    /// Messages per second `consumers.count` consumers keep up with.
    pub capacity: f64,
    /// The components of `capacity` and what limits it.
    pub capacity_model: Capacity,
    /// arrival_rate / capacity.
    pub offered_load: f64,
    /// With autoscaling: the capacity at `autoscale.max` consumers.
    pub capacity_max: Option<f64>,
    /// Messages one replication sends: the integral of the arrival rate
    /// (schedules, spikes and traces included).
    pub messages: f64,
    /// Events all replications will take, roughly (see [`EVENTS_PER_MESSAGE`]).
    pub events: f64,
    /// The fluid estimate of each fault.
    pub faults: Vec<faults::FaultOutlook>,
    /// Things worth a second look.
    pub warnings: Vec<String>,
    /// A network's traffic: per queue, per edge, the bottleneck, loops
    /// that never drain (absent for the single form).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network: Option<Traffic>,
    /// The shared resources' figures (the single form; a network's are in
    /// `network.resources`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<ResourceTraffic>,
}

/// Analyses `sc` without simulating it.
pub fn analyse(sc: &Scenario) -> Analysis {
    match sc.layout {
        Layout::Single => analyse_single(sc),
        Layout::Network => network::analyse(sc),
    }
}

/// The analysis of the single form: one queue, one fleet.
fn analyse_single(sc: &Scenario) -> Analysis {
    let model = capacity::capacity(sc);
    let capacity = model.rate;
    let arrival_rate = sc.arrival_rate();
    let offered_load = arrival_rate / capacity;
    let mut warnings = Vec::new();
    let capacity_max = sc.consumers().autoscale.as_ref().map(|a| {
        let most = capacity::model(
            sc,
            f64::from(a.max),
            model.availability,
            &capacity::Conditions::default(),
        );
        (a.max, most.rate)
    });
    if let Some((max, most)) = capacity_max {
        // An elastic fleet is unstable only if even its maximum falls short.
        if arrival_rate >= most {
            warnings.push(format!(
                "arrivals ({arrival_rate} msg/s) outpace even autoscale.max = {max} consumers \
                 ({most:.3} msg/s): the backlog grows for as long as producers send"
            ));
        }
    } else if offered_load >= 1.0 {
        warnings.push(format!(
            "offered load {offered_load:.3} is at or above 1: arrivals ({arrival_rate} msg/s) \
             outpace the consumers ({capacity:.3} msg/s, limited by {}), so the backlog grows \
             for as long as producers send",
            model.limit
        ));
    }
    warnings.extend(fleet_warnings(sc.queue(), sc.consumers()));
    peak_warning(sc, capacity, &mut warnings);
    let resources = resource_traffic(sc);
    warnings.extend(resources::warnings(sc, &resources));
    let messages = faults::messages(sc) + initial_backlogs(sc);
    let events = messages * EVENTS_PER_MESSAGE * f64::from(sc.replications);
    warnings.extend(size_warning(events));
    Analysis {
        messages,
        events,
        arrival_rate,
        capacity,
        capacity_model: model,
        capacity_max: capacity_max.map(|(_, most)| most),
        offered_load,
        faults: faults::outlook(sc),
        warnings,
        network: None,
        resources,
    }
}

/// Messages in the queues at time 0 (`initial_backlog`): part of the run.
fn initial_backlogs(sc: &Scenario) -> f64 {
    sc.queues
        .iter()
        .map(|q| q.queue.initial_backlog as f64)
        .sum()
}

/// The traffic equations' figures of `sc`'s resources (none without any).
fn resource_traffic(sc: &Scenario) -> Vec<ResourceTraffic> {
    if sc.resources.is_empty() {
        return Vec::new();
    }
    mqsim::traffic::solve(sc).resources
}

/// Warnings about one fleet's settings against its queue's: batches that
/// outlive the visibility timeout, the Lambda advice, late heartbeats.
fn fleet_warnings(queue: &QueueConfig, c: &ConsumerConfig) -> Vec<String> {
    let mut warnings = Vec::new();
    let mean = c.processing.mean();
    let vt = queue.visibility_timeout.as_secs_f64();
    // Receive, then each message and (partial batches) its delete.
    let latency = c.request_latency.as_secs_f64();
    let delete = match c.batch_failure {
        mqsim::scenario::BatchFailure::Partial => latency,
        mqsim::scenario::BatchFailure::Whole => 0.0,
    };
    let batch_time = latency + f64::from(c.batch_size) * (mean + delete);
    if c.heartbeat.is_none() && batch_time > vt {
        warnings.push(format!(
            "a full batch of {} takes {batch_time:.3} s on average, longer than the visibility \
             timeout ({vt} s): later messages of a batch time out and are processed twice; \
             use a heartbeat, a smaller batch_size or a longer visibility_timeout",
            c.batch_size
        ));
    }
    if queue.preset.as_deref() == Some("lambda-sqs") && vt < 6.0 * batch_time {
        warnings.push(format!(
            "AWS advises a visibility timeout of at least 6 × the function timeout; a batch \
             takes {batch_time:.3} s on average, and visibility_timeout is {vt} s"
        ));
    }
    if let Some(hb) = c.heartbeat
        && hb >= queue.visibility_timeout
    {
        warnings.push(format!(
            "heartbeat ({hb}) is not shorter than the visibility timeout ({}): messages time out \
             before they are extended",
            queue.visibility_timeout
        ));
    }
    warnings
}

/// A warning when the run takes more than ten CPU-minutes.
fn size_warning(events: f64) -> Option<String> {
    let cpu_seconds = events / EVENTS_PER_CPU_SECOND;
    (cpu_seconds > 600.0).then(|| {
        format!(
            "about {events:.2e} events in all: roughly {:.0} CPU-minutes at {:.0} M events/s a core; \
             consider fewer replications, a shorter duration or --timeout",
            cpu_seconds / 60.0,
            EVENTS_PER_CPU_SECOND / 1e6
        )
    })
}

/// Events per message in typical runs (2.9 for M/M/c, 3.4 with crashes and
/// outages; docs/performance.md): enough to size a run, not to predict it.
pub const EVENTS_PER_MESSAGE: f64 = 3.5;
/// A conservative engine speed on one core (docs/performance.md: 14 M).
pub const EVENTS_PER_CPU_SECOND: f64 = 10e6;

/// Warns when a schedule's busiest step outruns the consumers even though
/// the average does not.
fn peak_warning(sc: &Scenario, capacity: f64, warnings: &mut Vec<String>) {
    let Some((from, peak)) = sc.peak_scheduled_rate() else {
        return;
    };
    if peak >= capacity && sc.arrival_rate() < capacity {
        // A rate read from counts per period has many digits: three are enough.
        let peak = format!("{peak:.3}");
        let peak = peak.trim_end_matches('0').trim_end_matches('.');
        warnings.push(format!(
            "the schedule's busiest step (from {from}, {peak} msg/s in all) is at or above \
             capacity ({capacity:.3} msg/s): the backlog grows while it lasts"
        ));
    }
}

/// Prints the analysis's warnings (before `run`: an unstable load, a
/// batch that outlives the visibility timeout, a run of many CPU-minutes).
pub fn write_warnings(a: &Analysis, out: &mut dyn Write) -> io::Result<()> {
    for w in &a.warnings {
        writeln!(out, "warning: {w}")?;
    }
    Ok(())
}

/// Prints the analysis for people.
pub fn write_analysis(a: &Analysis, out: &mut dyn Write) -> io::Result<()> {
    if let Some(t) = &a.network {
        return network::write(a, t, out);
    }
    writeln!(out, "# analysis")?;
    writeln!(out, "arrival rate    {:.4} msg/s", a.arrival_rate)?;
    let m = &a.capacity_model;
    writeln!(out, "capacity        {:.4} msg/s", a.capacity)?;
    writeln!(out, "limited by      {}", m.limit)?;
    writeln!(
        out,
        "per consumer    {:.4} msg/s when saturated ({:.4} s of consumer time a message, \
         {:.1}% of it waiting for API round trips)",
        m.per_consumer_rate,
        m.seconds_per_message,
        m.request_share * 100.0
    )?;
    if let Some(most) = a.capacity_max {
        writeln!(
            out,
            "capacity max    {most:.4} msg/s (autoscale.max; fault estimates below assume \
             the fleet there, so they are lower bounds)"
        )?;
    }
    match a.capacity_max {
        Some(most) => writeln!(
            out,
            "offered load    {:.4} (arrival rate / capacity; {:.4} at autoscale.max)",
            a.offered_load,
            a.arrival_rate / most
        )?,
        None => writeln!(
            out,
            "offered load    {:.4} (arrival rate / capacity)",
            a.offered_load
        )?,
    }
    resources::write(&a.resources, out)?;
    write_tail(a, out)
}

/// The run size, the fault outlooks and the warnings.
fn write_tail(a: &Analysis, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "run size        about {:.3e} messages a replication, {:.2e} events in all",
        a.messages, a.events
    )?;
    for f in &a.faults {
        let drain = match f.drain_seconds {
            Some(s) => format!("clears in about {s:.0} s"),
            None => "no spare capacity after it to clear it".to_owned(),
        };
        let at = f
            .queue
            .as_ref()
            .map_or(String::new(), |q| format!(" (queue {q})"));
        let moves = f.moves.map_or(String::new(), |m| {
            format!(
                "moves about {:.0} messages in {:.0} s; ",
                m.messages, m.seconds
            )
        });
        writeln!(
            out,
            "fault           {}{at}: {moves}{:.4} msg/s in, {:.4} msg/s capacity; backlog about {:.0}, {drain}",
            f.fault, f.arrival_rate, f.capacity, f.backlog
        )?;
    }
    write_warnings(a, out)
}
