//! A flow estimate of each fault, without simulating: the arrival rate and
//! capacity (the model of [`mqsim::capacity`], with the fault's outage,
//! slowdown or error burst applied) while it lasts, the backlog it can
//! build, and how long the spare capacity after it needs to clear that
//! backlog. Deterministic fluid
//! arithmetic (rates in, rates out), so it ignores randomness, visibility
//! timeouts and duplicates: the simulation is the answer, this is the sanity
//! check a reviewer does on a napkin.
//!
//! A fleet that holds a resource in a `resource-outage` has no capacity
//! while it lasts; a `resource-slowdown` stretches the resource's holds in
//! the model ([`resources`]). A redrive adds its rate to its `to` queue's
//! arrivals for as long as its move lasts, which is its window here
//! ([`redrive`]). Other fleets that share a resource with a stopped fleet
//! are taken to find it as busy as usual (a lower bound on theirs).
//!
//! In a network each fault is estimated at the queue it targets (the first
//! queue with consumers when it names none), whose arrivals are taken to
//! follow the producers' in proportion, plus the redrives into it
//! ([`outlook_network`]); a resource fault at every queue whose fleet
//! holds the resource, one line each (the first queue with consumers when
//! none does), a redrive at its `to` queue.

mod redrive;
mod resources;

use mqsim::capacity::{self, Station};
use mqsim::scenario::{Arrivals, Fault, FaultKind, Node, Scenario};
use mqsim::traffic::Traffic;
use serde::Serialize;

use redrive::Inflow;
pub use redrive::Move;

/// What the fluid model expects of one fault.
#[derive(Debug, Serialize)]
pub struct FaultOutlook {
    /// `"<kind> at <at> for <duration>"`.
    pub fault: String,
    /// The queue it is estimated at (networks only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    /// A redrive's move: the figures below are over it, not the window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moves: Option<Move>,
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
struct Focus {
    /// Its index, when only the faults that target it (or name no target)
    /// apply; `None`: every fault (the single form).
    index: Option<usize>,
    /// Its arrivals per message the producers send.
    share: f64,
    /// The redrives into it.
    inflows: Vec<Inflow>,
}

impl Focus {
    /// Whether fault `f` strikes this queue.
    fn applies(&self, f: &Fault) -> bool {
        match (self.index, &f.target) {
            (Some(i), Some(r)) => r.node == Node::Queue(i),
            _ => true,
        }
    }

    /// Its fleet and settings in `sc`.
    fn station<'a>(&self, sc: &'a Scenario) -> Option<Station<'a>> {
        match self.index {
            None => Some(Station::first(sc)),
            Some(i) => Station::of(sc, i),
        }
    }

    /// Messages per second reaching it at `t` seconds.
    fn arrival_rate_at(&self, sc: &Scenario, t: f64) -> f64 {
        let moved: f64 = self.inflows.iter().map(|m| m.at(t)).sum();
        self.share * arrival_rate_at(sc, t) + moved
    }

    /// The mean of [`Self::arrival_rate_at`] over `[a, b)`.
    fn mean_arrival_rate(&self, sc: &Scenario, a: f64, b: f64) -> f64 {
        if b <= a {
            return self.arrival_rate_at(sc, a);
        }
        let moved: f64 = self.inflows.iter().map(|m| m.within(a, b)).sum();
        self.share * mean_arrival_rate(sc, a, b) + moved / (b - a)
    }
}

/// The outlook of every fault of `sc`, in file order.
pub fn outlook(sc: &Scenario) -> Vec<FaultOutlook> {
    let focus = Focus {
        index: None,
        share: 1.0,
        inflows: Vec::new(),
    };
    sc.faults
        .iter()
        .map(|f| estimate(sc, f, &focus, None))
        .collect()
}

/// The outlook of every fault of the network `sc`, at each queue it is
/// estimated at ([`queues_of`]), whose arrivals are `t`'s rate scaled by
/// the producers' in the window, plus the redrives into it.
pub fn outlook_network(sc: &Scenario, t: &Traffic) -> Vec<FaultOutlook> {
    let total = sc.arrival_rate();
    let mut outlooks = Vec::new();
    for f in &sc.faults {
        let moves = redrive::move_of(sc, t, f);
        for index in queues_of(sc, f) {
            if Station::of(sc, index).is_none() {
                continue;
            }
            let arriving = t.queues.get(index).map_or(0.0, |q| q.arrival_rate);
            let focus = Focus {
                index: Some(index),
                share: if total > 0.0 { arriving / total } else { 0.0 },
                inflows: redrive::inflows(sc, t, index),
            };
            let mut o = estimate(sc, f, &focus, moves);
            o.queue = Some(sc.queues[index].name.clone());
            outlooks.push(o);
        }
    }
    outlooks
}

/// The queues of the network `sc` fault `f` is estimated at: its target;
/// for a resource fault, every queue whose fleet holds the resource; for a
/// redrive, its `to`; otherwise (and when no fleet holds the resource)
/// the first queue with consumers.
fn queues_of(sc: &Scenario, f: &Fault) -> Vec<usize> {
    let first = sc.queues.iter().position(|q| q.consumers.is_some());
    match (&f.kind, &f.target) {
        (
            FaultKind::ResourceOutage { resource, .. }
            | FaultKind::ResourceSlowdown { resource, .. },
            _,
        ) => {
            let held = resources::holders(sc, resource.index);
            if held.is_empty() {
                first.into_iter().collect()
            } else {
                held
            }
        }
        (FaultKind::Redrive { to, .. }, _) => vec![to.queue_index()],
        (_, Some(r)) => match r.node {
            Node::Queue(i) => vec![i],
            Node::Topic(_) => Vec::new(),
        },
        (_, None) => first.into_iter().collect(),
    }
}

/// The fluid estimate of fault `f` at `focus`; over the move `moves` of a
/// redrive rather than its window.
fn estimate(sc: &Scenario, f: &Fault, focus: &Focus, moves: Option<Move>) -> FaultOutlook {
    let a = f.at.as_secs_f64();
    let b = moves.map_or(f.end().as_secs_f64(), |m| a + m.seconds);
    let arrival_rate = focus.mean_arrival_rate(sc, a, b);
    let capacity = capacity_at(sc, focus, (a + b) / 2.0);
    let backlog = (arrival_rate - capacity).max(0.0) * (b - a);
    let spare = capacity_at(sc, focus, b) - focus.arrival_rate_at(sc, b);
    let drain_seconds = if backlog == 0.0 {
        Some(0.0)
    } else {
        (spare > 0.0).then(|| backlog / spare)
    };
    FaultOutlook {
        fault: format!("{} at {} for {}", f.kind.name(), f.at, f.duration),
        queue: None,
        moves,
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
/// outage, under the active slowdowns, error bursts and resource
/// slowdowns that strike it; 0 in a queue outage or an outage of a
/// resource its fleet holds.
fn capacity_at(sc: &Scenario, focus: &Focus, t: f64) -> f64 {
    let slowed = resources::slowed(sc, t);
    let Some(st) = focus.station(&slowed) else {
        return 0.0;
    };
    if resources::stopped(sc, st.consumers, t) {
        return 0.0;
    }
    // An autoscaled fleet at its largest: the optimistic bound.
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
mod tests;
