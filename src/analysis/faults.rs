//! A flow estimate of each fault, without simulating: the arrival rate and
//! capacity (the model of [`mqsim::capacity`], with the fault's outage,
//! slowdown or error burst applied) while it lasts, the backlog it can build, and how long the spare
//! capacity after it needs to clear that backlog. Deterministic fluid
//! arithmetic (rates in, rates out), so it ignores randomness, visibility
//! timeouts and duplicates: the simulation is the answer, this is the sanity
//! check a reviewer does on a napkin.
//!
//! In a network each fault is estimated at the queue it targets (the first
//! queue with consumers when it names none), whose arrivals are taken to
//! follow the producers' in proportion ([`outlook_network`]).

use mqsim::capacity::{self, Station};
use mqsim::scenario::{Arrivals, Fault, FaultKind, Node, Scenario};
use mqsim::traffic::Traffic;
use serde::Serialize;

/// What the fluid model expects of one fault.
#[derive(Debug, Serialize)]
pub struct FaultOutlook {
    /// `"<kind> at <at> for <duration>"`.
    pub fault: String,
    /// The queue it is estimated at (networks only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    /// Mean messages per second reaching the queue or its producers during the fault.
    pub arrival_rate: f64,
    /// Messages per second the consumers can take during the fault.
    pub capacity: f64,
    /// Messages that pile up by the fault's end (visible or held by producers).
    pub backlog: f64,
    /// Seconds the spare capacity after the fault needs to clear `backlog`;
    /// `None` when there is no spare capacity.
    pub drain_seconds: Option<f64>,
}

/// The queue a fault outlook is about.
struct Focus<'a> {
    /// Its fleet and settings.
    station: Station<'a>,
    /// Its index, when only the faults that target it (or name no target)
    /// apply; `None`: every fault (the single form).
    index: Option<usize>,
    /// Its arrivals per message the producers send.
    share: f64,
}

impl Focus<'_> {
    /// Whether fault `f` strikes this queue.
    fn applies(&self, f: &Fault) -> bool {
        match (self.index, &f.target) {
            (Some(i), Some(r)) => r.node == Node::Queue(i),
            _ => true,
        }
    }
}

/// The outlook of every fault of `sc`, in file order.
pub fn outlook(sc: &Scenario) -> Vec<FaultOutlook> {
    let focus = Focus {
        station: Station::first(sc),
        index: None,
        share: 1.0,
    };
    sc.faults.iter().map(|f| estimate(sc, f, &focus)).collect()
}

/// The outlook of every fault of the network `sc`, each at its queue,
/// whose arrivals are `t`'s rate scaled by the producers' in the window.
pub fn outlook_network(sc: &Scenario, t: &Traffic) -> Vec<FaultOutlook> {
    let first = sc.queues.iter().position(|q| q.consumers.is_some());
    sc.faults
        .iter()
        .filter_map(|f| {
            let index = match &f.target {
                Some(r) => match r.node {
                    Node::Queue(i) => Some(i),
                    Node::Topic(_) => None,
                },
                None => first,
            }?;
            let total = sc.arrival_rate();
            let arriving = t.queues.get(index).map_or(0.0, |q| q.arrival_rate);
            let focus = Focus {
                station: Station::of(sc, index)?,
                index: Some(index),
                share: if total > 0.0 { arriving / total } else { 0.0 },
            };
            let mut o = estimate(sc, f, &focus);
            o.queue = Some(sc.queues[index].name.clone());
            Some(o)
        })
        .collect()
}

/// The fluid estimate of fault `f` at `focus`.
fn estimate(sc: &Scenario, f: &Fault, focus: &Focus) -> FaultOutlook {
    let (a, b) = (f.at.as_secs_f64(), f.end().as_secs_f64());
    let arrival_rate = focus.share * mean_arrival_rate(sc, a, b);
    let capacity = capacity_at(sc, focus, (a + b) / 2.0);
    let backlog = (arrival_rate - capacity).max(0.0) * (b - a);
    let spare = capacity_at(sc, focus, b) - focus.share * arrival_rate_at(sc, b);
    let drain_seconds = if backlog == 0.0 {
        Some(0.0)
    } else {
        (spare > 0.0).then(|| backlog / spare)
    };
    FaultOutlook {
        fault: format!("{} at {} for {}", f.kind.name(), f.at, f.duration),
        queue: None,
        arrival_rate,
        capacity,
        backlog,
        drain_seconds,
    }
}

/// Messages per second all producers offer at `t` seconds (spikes included;
/// a trace producer counts at its mean rate; 0 from `duration` on).
fn arrival_rate_at(sc: &Scenario, t: f64) -> f64 {
    if t >= sc.duration.as_secs_f64() {
        return 0.0;
    }
    sc.producers
        .iter()
        .map(|p| {
            let base = p
                .schedule
                .iter()
                .take_while(|s| s.from.as_secs_f64() <= t)
                .last()
                .map_or(p.rate, |s| s.rate);
            if matches!(p.arrivals, Arrivals::Trace { .. }) {
                return base;
            }
            let spike: f64 = active(sc, t)
                .filter_map(|f| match &f.kind {
                    FaultKind::Spike { factor, producer }
                        if producer.as_ref().is_none_or(|n| *n == p.name) =>
                    {
                        Some(*factor)
                    }
                    _ => None,
                })
                .product();
            base * spike
        })
        .sum()
}

/// The mean of [`arrival_rate_at`] over `[a, b)`, exact for piecewise
/// constant rates: evaluated on every piece between the rate's breakpoints.
fn mean_arrival_rate(sc: &Scenario, a: f64, b: f64) -> f64 {
    let mut cuts: Vec<f64> = vec![a, b];
    let steps = sc.producers.iter().flat_map(|p| &p.schedule);
    cuts.extend(steps.map(|s| s.from.as_secs_f64()));
    cuts.extend(
        sc.faults
            .iter()
            .flat_map(|f| [f.at.as_secs_f64(), f.end().as_secs_f64()]),
    );
    cuts.retain(|&t| a <= t && t <= b);
    cuts.sort_by(f64::total_cmp);
    cuts.dedup();
    let area: f64 = cuts
        .windows(2)
        .map(|w| arrival_rate_at(sc, w[0]) * (w[1] - w[0]))
        .sum();
    area / (b - a)
}

/// Messages per second the focus's consumers can take at `t` seconds:
/// the capacity model ([`mqsim::capacity`]) for the consumers not in an
/// outage, under the active slowdowns and error bursts that strike it; 0
/// in a queue outage.
fn capacity_at(sc: &Scenario, focus: &Focus, t: f64) -> f64 {
    // An autoscaled fleet at its largest: the optimistic bound.
    let st = &focus.station;
    let fleet = st.consumers.slots();
    let cond = match focus.index {
        None => capacity::conditions_at(sc, t),
        Some(i) => capacity::queue_conditions_at(sc, i, t),
    };
    let Some(cond) = cond else {
        return 0.0;
    };
    let down = active(sc, t)
        .filter(|f| focus.applies(f))
        .filter_map(|f| match &f.kind {
            FaultKind::ConsumerOutage { down } => Some(down.of(fleet)),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let up = f64::from(fleet - down);
    st.model(up, st.availability(), &cond).rate
}

/// Messages all producers send in one replication: the integral of the
/// arrival rate over `[0, duration)`, schedules, spikes and traces included.
pub fn messages(sc: &Scenario) -> f64 {
    let d = sc.duration.as_secs_f64();
    mean_arrival_rate(sc, 0.0, d) * d
}

/// The faults active at `t` seconds.
fn active(sc: &Scenario, t: f64) -> impl Iterator<Item = &Fault> {
    sc.faults
        .iter()
        .filter(move |f| f.at.as_secs_f64() <= t && t < f.end().as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mqsim::scenario::load_str;
    use std::path::Path;

    fn scenario(faults: &str) -> Scenario {
        let text = format!(
            "duration = \"2h\"\n[[producers]]\nrate = 10\n[consumers]\ncount = 12\nprocessing = \"1s\"\n{faults}"
        );
        load_str(&text, Path::new("t.toml"), &[]).unwrap()
    }

    #[test]
    fn a_consumer_outage_builds_rate_times_length_and_drains_at_the_spare_rate() {
        let sc =
            scenario("[[faults]]\nkind = \"consumer-outage\"\nat = \"20m\"\nduration = \"10m\"\n");
        let o = &outlook(&sc)[0];
        assert_eq!((o.arrival_rate, o.capacity), (10.0, 0.0));
        assert_eq!(o.backlog, 6000.0);
        assert_eq!(o.drain_seconds, Some(3000.0));
    }

    #[test]
    fn a_spike_within_a_slowdown_averages_over_the_window() {
        let sc = scenario(
            "[[faults]]\nkind = \"slowdown\"\nat = \"0s\"\nduration = \"20m\"\nfactor = 2\n\
             [[faults]]\nkind = \"spike\"\nat = \"5m\"\nduration = \"10m\"\nfactor = 3\n",
        );
        let o = outlook(&sc);
        // Slowdown: 12 / 2 s = 6/s; arrivals 10 for 10 min and 30 for 10 min.
        assert_eq!(o[0].capacity, 6.0);
        assert!((o[0].arrival_rate - 20.0).abs() < 1e-9);
        assert!((o[0].backlog - 14.0 * 1200.0).abs() < 1e-6);
        assert_eq!(o[0].drain_seconds, Some(14.0 * 1200.0 / 2.0));
        // The spike alone: 30/s against 6/s for 10 minutes.
        assert_eq!(o[1].backlog, 24.0 * 600.0);
    }

    #[test]
    fn no_spare_capacity_means_no_drain_estimate() {
        let sc = scenario("[[faults]]\nkind = \"queue-outage\"\nat = \"1h\"\nduration = \"1h\"\n");
        let o = &outlook(&sc)[0];
        assert_eq!(o.backlog, 36_000.0);
        // After a fault that ends at the horizon, producers have stopped.
        assert_eq!(o.drain_seconds, Some(36_000.0 / 12.0));
        let sc = scenario(
            "[[faults]]\nkind = \"slowdown\"\nat = \"1h\"\nduration = \"30m\"\nfactor = 2\n\
             [[faults]]\nkind = \"spike\"\nat = \"90m\"\nduration = \"30m\"\nfactor = 2\n",
        );
        assert_eq!(outlook(&sc)[0].drain_seconds, None);
    }
}
