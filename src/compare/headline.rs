//! The headline metrics a comparison reports: figures every run has,
//! whatever its queue type, fleet or topology, so that alternatives that
//! differ in anything can be set side by side. All but `throughput` are
//! metrics of `summary.json` (docs/metrics.md), summarised the same way
//! (mean and Student-t 95% interval clipped to the metric's range), so a
//! comparison's means and intervals are those of `mqsim run` on each file.
//!
//! `throughput` is derived: messages deleted per second of the scenario's
//! `duration` (the sending period); a network's `deleted` is summed over
//! its queues, so there a message counts once per queue it passes. Over one horizon it moves with
//! `deleted`; with `drain = true` a run that keeps up deletes everything it
//! was sent, and its throughput is the arrival rate.

use serde::Serialize;

use super::paired::{Paired, paired};
use crate::engine::result::ReplicationResult;
use crate::output::summary::measured;
use crate::scenario::Scenario;
use crate::stats::{Stat, metric_range, summarize_in};

/// The headline metrics, in the order every output lists them.
pub const HEADLINE: [&str; 13] = [
    "latency_p50",
    "latency_p90",
    "latency_p99",
    "latency_mean",
    "throughput",
    "backlog_max",
    "backlog_mean",
    "oldest_age_max",
    "duplicates",
    "dead_lettered",
    "dropped",
    "consumer_utilization",
    "cost_usd",
];

/// The value of headline `metric` in one replication of `sc`.
pub fn value(metric: &str, sc: &Scenario, r: &ReplicationResult) -> f64 {
    match metric {
        "throughput" => {
            let secs = sc.duration.as_secs_f64();
            if secs > 0.0 {
                r.metrics.deleted / secs
            } else {
                f64::NAN
            }
        }
        name => r.metrics.get(name).unwrap_or(f64::NAN),
    }
}

/// One alternative's headline figures, replication by replication.
#[derive(Clone, Debug, PartialEq)]
pub struct AltValues {
    /// Every headline metric's values, in [`HEADLINE`] order, each in
    /// replication order.
    pub values: Vec<Vec<f64>>,
    /// Per headline metric, the replications in which it was not measured
    /// ([`crate::output::summary::measured`]: a latency with too many
    /// messages unfinished at the end).
    pub unmeasured: Vec<u32>,
}

/// The headline figures of `results` (in replication order) of `sc`.
pub fn headline_values(sc: &Scenario, results: &[ReplicationResult]) -> AltValues {
    AltValues {
        values: HEADLINE
            .iter()
            .map(|m| results.iter().map(|r| value(m, sc, r)).collect())
            .collect(),
        unmeasured: HEADLINE
            .iter()
            .map(|m| results.iter().filter(|r| !measured(m, r)).count() as u32)
            .collect(),
    }
}

/// One alternative's figure of one metric.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct AltFigure {
    /// Mean and 95% interval over replications.
    pub stat: Stat,
    /// Paired difference from the first alternative (`None` for the first).
    pub diff: Option<Paired>,
    /// Replications in which the metric was not measured (see
    /// [`AltValues::unmeasured`]).
    pub unmeasured: u32,
}

impl AltFigure {
    /// Whether the metric was measured in every replication.
    pub fn measured(&self) -> bool {
        self.unmeasured == 0
    }
}

/// One metric over every alternative.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricRow {
    /// Metric name.
    pub metric: &'static str,
    /// One figure per alternative, in the alternatives' order.
    pub figures: Vec<AltFigure>,
}

/// The rows of every headline metric from each alternative's
/// [`headline_values`] (the first alternative is the reference).
pub fn metric_rows(alts: &[AltValues]) -> Vec<MetricRow> {
    HEADLINE
        .iter()
        .enumerate()
        .map(|(m, &metric)| MetricRow {
            metric,
            figures: alts
                .iter()
                .enumerate()
                .map(|(i, alt)| AltFigure {
                    stat: summarize_in(&alt.values[m], metric_range(metric)),
                    diff: (i > 0).then(|| paired(&alts[0].values[m], &alt.values[m])),
                    unmeasured: alt.unmeasured[m],
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::result::Metrics;

    #[test]
    fn headline_metrics_are_reported_metrics_or_throughput() {
        for m in HEADLINE {
            assert!(m == "throughput" || Metrics::NAMES.contains(&m), "{m}");
        }
    }

    #[test]
    fn rows_pair_every_alternative_with_the_first() {
        let alt = |x: f64| AltValues {
            values: HEADLINE.iter().map(|_| vec![x, x + 2.0]).collect(),
            unmeasured: vec![0; HEADLINE.len()],
        };
        let rows = metric_rows(&[alt(1.0), alt(1.0), alt(4.0)]);
        assert_eq!(rows.len(), HEADLINE.len());
        let r = &rows[2];
        assert_eq!(r.metric, "latency_p99");
        assert_eq!(r.figures[0].diff, None);
        assert!(r.figures[1].diff.unwrap().is_exactly_zero());
        assert_eq!(r.figures[2].diff.unwrap().mean, 3.0);
        assert_eq!(r.figures[2].stat.mean, 5.0);
    }
}
