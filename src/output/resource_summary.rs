//! Shared resources and circuit breakers over replications, for the
//! exporters.
//!
//! Contract: [`resource_summaries`] gives one [`ResourceSummary`] per
//! resource of the scenario, in the scenario's order (empty without
//! resources): every [`ResourceMetrics`] metric as a [`Stat`] over
//! replications (mean, Student-t 95% interval clipped to the metric's range:
//! `utilization` a share, the rest non-negative), the 99th percentile of the
//! waits of all replications pooled, and the mean holders and waiters at
//! each sample instant (a replication that has ended counts as drained:
//! nobody holds or waits). [`breaker_timeline`] is replication 0's breaker
//! changes, in time order (`None` when no fleet has a breaker): one
//! replication's timeline, since open periods of different replications do
//! not average into periods.

use crate::engine::recorder::quantile_secs;
use crate::engine::result::{
    BreakerChange, ReplicationResult, ResourceMetrics, ResourceResult, ResourceSample,
};
use crate::scenario::Scenario;
use crate::stats::{Range, Stat, summarize_in};

/// One shared resource over replications.
#[derive(Clone, Debug)]
pub struct ResourceSummary {
    /// The resource's name.
    pub name: String,
    /// Its capacity (most concurrent holders).
    pub capacity: u32,
    /// Its metrics, in [`ResourceMetrics::NAMES`] order.
    pub metrics: Vec<(&'static str, Stat)>,
    /// 99th percentile of the waits of all replications pooled, seconds
    /// (0 when no acquire was granted after warm-up).
    pub wait_p99_pooled: f64,
    /// Mean holders and waiters at each sample instant.
    pub timeseries: Vec<ResourceSample>,
}

impl ResourceSummary {
    /// The summary of the metric called `name`.
    pub fn metric(&self, name: &str) -> Option<&Stat> {
        self.metrics
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| s)
    }

    /// The mean of the metric called `name` (NaN if there is none).
    pub fn mean(&self, name: &str) -> f64 {
        self.metric(name).map_or(f64::NAN, |s| s.mean)
    }
}

/// The range a resource metric lies in.
fn range(name: &str) -> Range {
    match name {
        "utilization" => Range::SHARE,
        _ => Range::NON_NEGATIVE,
    }
}

/// Each resource of `scenario` over `results` (in replication order).
pub fn resource_summaries(
    scenario: &Scenario,
    results: &[ReplicationResult],
) -> Vec<ResourceSummary> {
    scenario
        .resources
        .iter()
        .enumerate()
        .map(|(k, node)| {
            fn get(r: &ReplicationResult, k: usize) -> Option<&ResourceResult> {
                r.resources.get(k)
            }
            let of = |r| get(r, k);
            let rows: Vec<&ResourceMetrics> =
                results.iter().filter_map(of).map(|s| &s.metrics).collect();
            let metrics = ResourceMetrics::NAMES
                .iter()
                .map(|name| {
                    let values: Vec<f64> = rows.iter().filter_map(|m| m.get(name)).collect();
                    (*name, summarize_in(&values, range(name)))
                })
                .collect();
            let waits = super::summary::pooled(results.iter().filter_map(of).map(|s| &s.wait));
            ResourceSummary {
                name: node.name.clone(),
                capacity: node.capacity,
                metrics,
                wait_p99_pooled: quantile_secs(&waits, 0.99),
                timeseries: mean_levels(results, k),
            }
        })
        .collect()
}

/// Mean holders and waiters of resource `k`, row by row.
fn mean_levels(results: &[ReplicationResult], k: usize) -> Vec<ResourceSample> {
    fn levels(r: &ReplicationResult, k: usize) -> &[ResourceSample] {
        r.resources.get(k).map_or(&[][..], |s| &s.timeseries[..])
    }
    let series = |r| levels(r, k);
    let rows = results.iter().map(|r| series(r).len()).max().unwrap_or(0);
    let n = results.len().max(1) as f64;
    (0..rows)
        .map(|i| {
            let mut mean = ResourceSample::default();
            for s in results.iter().filter_map(|r| series(r).get(i)) {
                mean.time = s.time;
                mean.holders += s.holders / n;
                mean.waiters += s.waiters / n;
            }
            mean
        })
        .collect()
}

/// Replication 0's breaker changes (the first result's; none without
/// results), or `None` when no fleet of `scenario` has a breaker.
pub fn breaker_timeline(
    scenario: &Scenario,
    results: &[ReplicationResult],
) -> Option<Vec<BreakerChange>> {
    let breakers = scenario
        .queues
        .iter()
        .filter_map(|q| q.consumers.as_ref())
        .any(|c| c.breaker.is_some());
    breakers.then(|| {
        results
            .first()
            .map_or_else(Vec::new, |r| r.breaker_changes.clone())
    })
}

/// The periods queue `queue`'s breaker was open or half-open in
/// `changes`, as (start, end) seconds; a period still open at the end of
/// the changes ends at `end`.
pub fn open_periods(changes: &[BreakerChange], queue: &str, end: f64) -> Vec<(f64, f64)> {
    let mut periods = Vec::new();
    let mut since: Option<f64> = None;
    for c in changes.iter().filter(|c| c.queue == queue) {
        match (c.state.as_str(), since) {
            ("closed", Some(start)) => {
                periods.push((start, c.time));
                since = None;
            }
            ("closed", None) => {}
            (_, None) => since = Some(c.time),
            (_, Some(_)) => {}
        }
    }
    if let Some(start) = since {
        periods.push((start, end.max(start)));
    }
    periods
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(time: f64, queue: &str, state: &str) -> BreakerChange {
        BreakerChange {
            time,
            queue: queue.into(),
            state: state.into(),
        }
    }

    #[test]
    fn open_periods_run_from_opening_to_closing() {
        let changes = [
            change(10.0, "a", "open"),
            change(20.0, "b", "open"),
            change(40.0, "a", "half-open"),
            change(41.0, "a", "open"),
            change(71.0, "a", "half-open"),
            change(72.0, "a", "closed"),
            change(90.0, "a", "open"),
        ];
        assert_eq!(
            open_periods(&changes, "a", 100.0),
            [(10.0, 72.0), (90.0, 100.0)]
        );
        assert_eq!(open_periods(&changes, "b", 100.0), [(20.0, 100.0)]);
        assert!(open_periods(&changes, "c", 100.0).is_empty());
    }
}
