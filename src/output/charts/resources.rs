//! One chart per shared resource: its mean holders and waiters over time
//! (over replications, from the resource's own samples, taken at the same
//! instants as the queues'), its capacity as a grey level line under them, the fault
//! windows shaded as on the other time charts (resource outages and
//! slowdowns named with their resource), and the periods the breakers of
//! the fleets that hold it were open in replication 0.
//!
//! Contract: [`resource_charts`] gives nothing for a scenario without
//! resources, so the charts of other scenarios do not change; a chart is
//! named `resource_<name>` and its title names the resource.

use super::run::TimeAxis;
use super::*;
use crate::output::resource_summary::ResourceSummary;
use crate::output::summary::RunSummary;
use crate::scenario::Scenario;

/// File stem of resource `name`'s chart.
pub fn chart_name(name: &str) -> String {
    format!("resource_{name}")
}

/// The chart of each resource of `summary`, on the run's time axis `t`.
pub(super) fn resource_charts(sc: &Scenario, summary: &RunSummary, t: &TimeAxis) -> Vec<Chart> {
    let n = summary.manifest.replications;
    summary
        .resources
        .iter()
        .enumerate()
        .map(|(k, r)| Chart {
            name: chart_name(&r.name),
            title: format!(
                "{}: resource {}, consumers holding and waiting ({})",
                sc.name,
                r.name,
                super::replications_note(n as usize, "of")
            ),
            x_label: t.label.clone(),
            y_label: "consumers".into(),
            kind: shaded(sc, summary, t, k).lines(
                vec![
                    capacity(r, t),
                    line("holding it", levels(r, t, |s| s.holders), BLUE),
                    line("waiting for it", levels(r, t, |s| s.waiters), ORANGE),
                ],
                None,
                vec![],
            ),
        })
        .collect()
}

/// The run's axis with the periods the breakers of the fleets that hold
/// resource `k` were open in replication 0 (they stop acquiring then).
fn shaded(sc: &Scenario, summary: &RunSummary, t: &TimeAxis, k: usize) -> TimeAxis {
    let mut axis = t.clone();
    for q in &sc.queues {
        let Some(c) = &q.consumers else { continue };
        let holds = c.uses.iter().any(|u| u.resource.index == k)
            || c.idempotency
                .as_ref()
                .is_some_and(|i| i.store.as_ref().is_some_and(|s| s.index == k));
        if holds && c.breaker.is_some() {
            let label = if sc.is_network() {
                format!("breaker of {} open (replication 0)", q.name)
            } else {
                "breaker open (replication 0)".to_owned()
            };
            axis.windows
                .extend(breaker_windows(summary, &q.name, t.div, &label));
        }
    }
    axis
}

/// The capacity as a level line, drawn first so that the holders show on
/// it when the resource is full (a dashed mark would hide them).
fn capacity(r: &ResourceSummary, t: &TimeAxis) -> Line {
    let level = f64::from(r.capacity);
    let ends = match (r.timeseries.first(), r.timeseries.last()) {
        (Some(a), Some(b)) => vec![(t.x(a.time), level), (t.x(b.time), level)],
        _ => Vec::new(),
    };
    line(&format!("capacity ({})", r.capacity), ends, GREY)
}

/// One of a resource's mean levels over time, decimated for drawing.
fn levels(
    r: &ResourceSummary,
    t: &TimeAxis,
    f: impl Fn(&crate::engine::result::ResourceSample) -> f64,
) -> Vec<(f64, f64)> {
    let points = r.timeseries.iter().map(|s| (t.x(s.time), f(s))).collect();
    decimate(points, MAX_LINE_BUCKETS)
}
