//! Aggregation across replications, in replication order: every metric's
//! mean and Student-t 95% interval ([`crate::stats`]), intersected with the
//! metric's range ([`crate::stats::metric_range`]), SLO verdicts, the
//! conservation check, the pooled latency histogram and the mean time series.
//!
//! SLO rule: a target passes when the pessimistic end of the metric's 95%
//! interval (`ci95_high`, or the mean with one replication) is at most the
//! bound.
//!
//! Time series of different lengths (runs with `drain = true` end at
//! different times) are averaged index by index; a replication that has ended
//! counts as drained: visible, in flight, delayed, oldest age and busy
//! consumers 0, interval counts 0, `dead_letter` and `consumers_up` at their
//! last value. Alongside the mean series: the smallest and largest oldest
//! age of each row over replications (same padding), and the latency of
//! each row's send interval: the replications' histograms of that interval
//! merged, then its quantiles (empty when no message sent then completed).
//! Shared resources and breakers are summarised by [`super::resource_summary`].

use super::observed::{Backtest, backtest};
use hdrhistogram::Histogram;

use super::resource_summary::{ResourceSummary, breaker_timeline, resource_summaries};
use crate::engine::recorder::latency_histogram;
use crate::engine::result::{
    BreakerChange, Conservation, DuplicateCauses, IntervalHistogram, Metrics, QueueResult,
    ReplicationResult, Sample,
};
use crate::scenario::{Fault, Scenario};
use crate::stats::{Range, Stat, metric_range, summarize, summarize_in};

/// How latency percentiles are computed, as stated in `summary.json`.
pub const PERCENTILE_METHOD: &str = "HDR histogram, 3 significant digits: the smallest recorded value v with at least a fraction q of values <= v, reported as the top of v's bucket (relative error <= 0.1%)";

/// Quantiles of the latency by send interval (`timeseries.csv`'s
/// `latency_p50`, `latency_p90`, `latency_p99`).
pub const SERIES_QUANTILES: [f64; 3] = [0.5, 0.9, 0.99];

/// What identifies a run.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    /// mqsim's version.
    pub mqsim_version: &'static str,
    /// Scenario name.
    pub scenario: String,
    /// Hex SHA-256 of the resolved scenario (its JSON form).
    pub scenario_sha256: String,
    /// Master seed.
    pub seed: u64,
    /// Replications run.
    pub replications: u32,
    /// Warm-up left out of latency statistics, seconds.
    pub warmup_seconds: f64,
    /// Set when replications stopped early at a resource guard: the results
    /// are partial.
    pub partial: Option<String>,
}

/// One SLO target and its verdict.
#[derive(Clone, Debug, PartialEq)]
pub struct SloVerdict {
    /// Metric name.
    pub metric: String,
    /// Upper bound.
    pub max: f64,
    /// Mean over replications.
    pub mean: f64,
    /// Upper end of the 95% interval (`None` with one replication).
    pub ci95_high: Option<f64>,
    /// Replications in which a latency or wait target could not be
    /// measured: too many messages were unfinished at the end ([`measured`]).
    pub unmeasured: u32,
    /// Whether the target holds: the interval's upper end is within the
    /// bound and the metric was measured in every replication.
    pub pass: bool,
}

/// Conservation over all replications.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConservationSummary {
    /// Whether every replication accounts for every message.
    pub holds: bool,
    /// Messages accepted, summed over replications.
    pub produced: u64,
    /// Message fates, summed over replications.
    pub accounted: u64,
}

/// What one fault did, over replications.
#[derive(Clone, Debug)]
pub struct FaultSummary {
    /// The fault as configured.
    pub fault: Fault,
    /// Visible messages when it ended.
    pub backlog_at_end: Stat,
    /// Peak visible messages from its start until drained.
    pub backlog_peak: Stat,
    /// Seconds from its end until back at the pre-fault level.
    pub drain_time: Stat,
    /// Fraction of replications in which the backlog got back.
    pub drained: f64,
    /// Messages dropped by producers during it.
    pub dropped: Stat,
    /// Messages expired during it.
    pub expired: Stat,
}

/// One queue of a network over replications.
#[derive(Clone, Debug)]
pub struct QueueSummary {
    /// The queue's name.
    pub name: String,
    /// Its metrics, in [`Metrics::NAMES`] order.
    pub metrics: Vec<(&'static str, Stat)>,
    /// Its conservation check.
    pub conservation: ConservationSummary,
    /// Its duplicates by cause.
    pub duplicates_by_cause: Vec<(&'static str, Stat)>,
    /// Its time series averaged over replications.
    pub timeseries: Vec<Sample>,
    /// Messages that arrived from other queues and topics (emits, topic
    /// copies, dead letters), over replications: with `produced` and the
    /// queue's `initial_backlog`, what producers sent it directly.
    pub arrived_from_queues: Stat,
    /// Journeys that ended here (producers' messages sent after warm-up
    /// whose last processing was here), over replications.
    pub journeys: Stat,
    /// Their mean end-to-end latency, seconds, over replications (the
    /// replications where none ended here left out).
    pub journey_latency_mean: Stat,
}

/// Everything the exporters write about a run.
#[derive(Clone, Debug)]
pub struct RunSummary {
    /// What was run.
    pub manifest: Manifest,
    /// Every scalar metric, in [`Metrics::NAMES`] order.
    pub metrics: Vec<(&'static str, Stat)>,
    /// SLO verdicts in the scenario's order.
    pub slo: Vec<SloVerdict>,
    /// The conservation check.
    pub conservation: ConservationSummary,
    /// `duplicates` split by cause, in [`DuplicateCauses::NAMES`] order.
    pub duplicates_by_cause: Vec<(&'static str, Stat)>,
    /// One summary per fault, in the scenario's order.
    pub faults: Vec<FaultSummary>,
    /// Latency of all replications pooled, µs.
    pub latency: Histogram<u64>,
    /// The time series averaged over replications.
    pub timeseries: Vec<Sample>,
    /// Per row of `timeseries`: (smallest, largest) oldest age over
    /// replications, seconds.
    pub oldest_age_range: Vec<(f64, f64)>,
    /// Per row of `timeseries`: latency quantiles ([`SERIES_QUANTILES`]) of
    /// the messages sent in its interval, all replications merged, seconds;
    /// NaN when none of them completed.
    pub latency_by_sent: Vec<[f64; 3]>,
    /// Each queue of a network (empty for a single queue).
    pub queues: Vec<QueueSummary>,
    /// Each shared resource (empty without resources).
    pub resources: Vec<ResourceSummary>,
    /// Replication 0's circuit-breaker changes, in time order; `None` when
    /// no fleet has a breaker.
    pub breakers: Option<Vec<BreakerChange>>,
    /// The run set against `[observed]`, if the scenario has it.
    pub observed: Option<Backtest>,
}

impl RunSummary {
    /// Whether every SLO target holds (true when there are none) over a
    /// whole run: results a guard cut short never pass.
    pub fn slo_pass(&self) -> bool {
        self.manifest.partial.is_none() && self.slo.iter().all(|v| v.pass)
    }

    /// The queue of a network whose fleet was busiest (highest mean
    /// `consumer_utilization`; ties: the first), with that utilisation;
    /// `None` for a single queue or when no fleet was busy.
    pub fn busiest_queue(&self) -> Option<(usize, f64)> {
        let utilization = |q: &QueueSummary| {
            q.metrics
                .iter()
                .find(|(n, _)| *n == "consumer_utilization")
                .map_or(0.0, |(_, s)| s.mean)
        };
        self.queues
            .iter()
            .map(utilization)
            .enumerate()
            .filter(|&(_, u)| u > 0.0)
            .fold(None, |best, (i, u)| match best {
                Some((_, b)) if b >= u => best,
                _ => Some((i, u)),
            })
    }

    /// The summary of the metric called `name`.
    pub fn metric(&self, name: &str) -> Option<&Stat> {
        self.metrics
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| s)
    }
}

/// Aggregates `results` (in replication order) of `scenario`.
pub fn aggregate(scenario: &Scenario, results: &[ReplicationResult]) -> RunSummary {
    let names = Metrics::names_for(scenario);
    let metrics = metric_stats(&names, results.iter().map(|r| &r.metrics));
    let slo = scenario
        .slo
        .iter()
        .map(|target| {
            let stat = metrics
                .iter()
                .find(|(n, _)| *n == target.metric)
                .map(|(_, s)| *s);
            let stat = stat.unwrap_or_else(|| summarize(&[]));
            let pessimistic = stat.ci95_high.unwrap_or(stat.mean);
            let unmeasured = results
                .iter()
                .filter(|r| !measured(&target.metric, r))
                .count() as u32;
            SloVerdict {
                metric: target.metric.clone(),
                max: target.max,
                mean: stat.mean,
                ci95_high: stat.ci95_high,
                unmeasured,
                pass: pessimistic <= target.max && unmeasured == 0,
            }
        })
        .collect();
    RunSummary {
        manifest: manifest(scenario, results),
        metrics,
        slo,
        conservation: ConservationSummary {
            holds: results
                .iter()
                .all(|r| r.conservation.holds() && r.queues.iter().all(|q| q.conservation.holds())),
            produced: results.iter().map(|r| r.conservation.produced).sum(),
            accounted: results.iter().map(|r| r.conservation.accounted).sum(),
        },
        duplicates_by_cause: cause_stats(results.iter().map(|r| &r.duplicates_by_cause)),
        faults: fault_summaries(scenario, results),
        latency: pooled_latency(results),
        timeseries: mean_timeseries(results, |r| &r.timeseries),
        oldest_age_range: oldest_age_range(results),
        latency_by_sent: latency_by_sent(results),
        queues: queue_summaries(scenario, results),
        resources: resource_summaries(scenario, results),
        breakers: breaker_timeline(scenario, results),
        observed: backtest(scenario, results),
    }
}

/// The statistics over replications of each metric of `names`.
fn metric_stats<'r>(
    names: &[&'static str],
    per_replication: impl Iterator<Item = &'r Metrics>,
) -> Vec<(&'static str, Stat)> {
    let rows: Vec<&Metrics> = per_replication.collect();
    names
        .iter()
        .map(|name| {
            let values: Vec<f64> = rows.iter().filter_map(|m| m.get(name)).collect();
            (*name, summarize_in(&values, metric_range(name)))
        })
        .collect()
}

/// Duplicates by cause over replications, in [`DuplicateCauses::NAMES`] order.
fn cause_stats<'r>(
    per_replication: impl Iterator<Item = &'r DuplicateCauses>,
) -> Vec<(&'static str, Stat)> {
    let rows: Vec<[u64; 4]> = per_replication.map(DuplicateCauses::values).collect();
    DuplicateCauses::NAMES
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let values: Vec<f64> = rows.iter().map(|row| row[i] as f64).collect();
            (*name, summarize_in(&values, Range::NON_NEGATIVE))
        })
        .collect()
}

/// Each queue's summary, for a network.
fn queue_summaries(scenario: &Scenario, results: &[ReplicationResult]) -> Vec<QueueSummary> {
    if !scenario.is_network() {
        return Vec::new();
    }
    let names = Metrics::names_for(scenario);
    (0..scenario.queues.len())
        .map(|q| {
            fn of(r: &ReplicationResult, q: usize) -> Option<&Conservation> {
                r.queues.get(q).map(|s| &s.conservation)
            }
            let of = |r| of(r, q);
            QueueSummary {
                name: scenario.queues[q].name.clone(),
                metrics: metric_stats(
                    &names,
                    results
                        .iter()
                        .filter_map(|r| r.queues.get(q))
                        .map(|s| &s.metrics),
                ),
                conservation: ConservationSummary {
                    holds: results.iter().all(|r| of(r).is_some_and(|c| c.holds())),
                    produced: results.iter().filter_map(of).map(|c| c.produced).sum(),
                    accounted: results.iter().filter_map(of).map(|c| c.accounted).sum(),
                },
                duplicates_by_cause: cause_stats(
                    results
                        .iter()
                        .filter_map(|r| r.queues.get(q))
                        .map(|s| &s.duplicates_by_cause),
                ),
                timeseries: mean_timeseries(results, |r| {
                    r.queues.get(q).map_or(&[][..], |s| &s.timeseries[..])
                }),
                arrived_from_queues: queue_stat(results, q, |s| s.arrived_from_queues as f64),
                journeys: queue_stat(results, q, |s| s.journeys as f64),
                journey_latency_mean: summarize_in(
                    &results
                        .iter()
                        .filter_map(|r| r.queues.get(q))
                        .filter(|s| s.journeys > 0)
                        .map(|s| s.journey_latency_mean)
                        .collect::<Vec<_>>(),
                    Range::NON_NEGATIVE,
                ),
            }
        })
        .collect()
}

/// One non-negative figure of queue `q` over replications.
fn queue_stat(results: &[ReplicationResult], q: usize, f: impl Fn(&QueueResult) -> f64) -> Stat {
    let values: Vec<f64> = results
        .iter()
        .filter_map(|r| r.queues.get(q))
        .map(f)
        .collect();
    summarize_in(&values, Range::NON_NEGATIVE)
}

/// Whether replication `r` measured `metric` well enough to judge a target
/// on it. Latency and wait cover only messages processed (received) by the
/// end, so a run that does not drain and falls behind can leave out its
/// slowest messages, or all of them (its percentiles then read 0). A
/// percentile q is measured when the messages still waiting at the end are
/// at most a 1 − q share of them and the processed ones; a mean or maximum
/// when at least one message was processed or none is waiting. Counting
/// every waiting message (even one sent before warm-up) errs on the safe
/// side; a stable run leaves a share far below any percentile's tail.
pub fn measured(metric: &str, r: &ReplicationResult) -> bool {
    // The tail share a target tolerates unseen (1: a mean or maximum), and
    // whether it is a wait (counted from the first receive) or a latency.
    let (tail, is_wait) = match metric {
        "latency_p50" => (0.5, false),
        "latency_p90" => (0.1, false),
        "latency_p99" => (0.01, false),
        "latency_p999" => (0.001, false),
        "latency_mean" | "latency_max" => (1.0, false),
        "wait_p99" => (0.01, true),
        "wait_mean" => (1.0, true),
        _ => return true,
    };
    let m = &r.metrics;
    let unreceived = m.left_visible + m.left_delayed;
    let (observed, unfinished) = if is_wait {
        (r.wait.len() as f64, unreceived)
    } else {
        (r.latency.len() as f64, unreceived + m.left_in_flight)
    };
    if tail >= 1.0 {
        observed > 0.0 || unfinished == 0.0
    } else {
        let all = unfinished + observed;
        all == 0.0 || unfinished / all <= tail
    }
}

fn fault_summaries(scenario: &Scenario, results: &[ReplicationResult]) -> Vec<FaultSummary> {
    let n = results.len().max(1) as f64;
    scenario
        .faults
        .iter()
        .enumerate()
        .map(|(i, fault)| {
            let stat = |f: &dyn Fn(&crate::engine::result::FaultOutcome) -> f64| {
                let values: Vec<f64> = results
                    .iter()
                    .filter_map(|r| r.faults.get(i))
                    .map(f)
                    .collect();
                // Peaks, counts and times: all non-negative.
                summarize_in(&values, Range::NON_NEGATIVE)
            };
            FaultSummary {
                fault: fault.clone(),
                backlog_at_end: stat(&|o| o.backlog_at_end),
                backlog_peak: stat(&|o| o.backlog_peak),
                drain_time: stat(&|o| o.drain_time),
                drained: results
                    .iter()
                    .filter(|r| r.faults.get(i).is_some_and(|o| o.drained))
                    .count() as f64
                    / n,
                dropped: stat(&|o| o.dropped),
                expired: stat(&|o| o.expired),
            }
        })
        .collect()
}

/// SHA-256 of the resolved scenario (its JSON form), as in `summary.json`.
pub fn scenario_sha256(scenario: &Scenario) -> String {
    let resolved = serde_json::to_string(scenario).unwrap_or_default();
    super::shard::sha256_hex(resolved.as_bytes())
}

fn manifest(scenario: &Scenario, results: &[ReplicationResult]) -> Manifest {
    let replications = results.len();
    let stopped: Vec<&str> = results
        .iter()
        .filter_map(|r| r.stopped.as_deref())
        .collect();
    let partial = stopped.first().map(|first| {
        format!(
            "{} of {replications} replications stopped early ({first}); their figures cover the run up to then",
            stopped.len()
        )
    });
    Manifest {
        mqsim_version: env!("CARGO_PKG_VERSION"),
        scenario: scenario.name.clone(),
        scenario_sha256: scenario_sha256(scenario),
        seed: scenario.seed,
        replications: replications as u32,
        warmup_seconds: scenario.warmup.as_secs_f64(),
        partial,
    }
}

fn pooled_latency(results: &[ReplicationResult]) -> Histogram<u64> {
    pooled(results.iter().map(|r| &r.latency))
}

/// Histograms (µs, the latency histogram's bounds) added up.
pub(super) fn pooled<'h>(histograms: impl Iterator<Item = &'h Histogram<u64>>) -> Histogram<u64> {
    let mut pooled = latency_histogram();
    for h in histograms {
        // Same bounds everywhere, so adding cannot fail; saturate if it did.
        if pooled.add(h).is_err() {
            for v in h.iter_recorded() {
                pooled.saturating_record_n(v.value_iterated_to(), v.count_at_value());
            }
        }
    }
    pooled
}

fn mean_timeseries(
    results: &[ReplicationResult],
    series: impl Fn(&ReplicationResult) -> &[Sample],
) -> Vec<Sample> {
    let rows = results.iter().map(|r| series(r).len()).max().unwrap_or(0);
    let n = results.len() as f64;
    (0..rows)
        .map(|i| {
            let mut sum = [0.0; Sample::COLUMNS.len()];
            let mut time = 0.0;
            for r in results {
                let rows = series(r);
                let row = match rows.get(i) {
                    Some(s) => {
                        time = s.time;
                        s.values()
                    }
                    None => drained(rows.last()).values(),
                };
                for (acc, v) in sum.iter_mut().zip(row) {
                    *acc += v;
                }
            }
            let mean = sum.map(|s| s / n);
            Sample {
                time,
                visible: mean[1],
                in_flight: mean[2],
                delayed: mean[3],
                dead_letter: mean[4],
                oldest_age: mean[5],
                consumers_up: mean[6],
                consumers_busy: mean[7],
                sent: mean[8],
                received: mean[9],
                deleted: mean[10],
                consumers_starting: mean[11],
            }
        })
        .collect()
}

/// Rows of the longest replication's time series.
fn rows(results: &[ReplicationResult]) -> usize {
    results
        .iter()
        .map(|r| r.timeseries.len())
        .max()
        .unwrap_or(0)
}

fn oldest_age_range(results: &[ReplicationResult]) -> Vec<(f64, f64)> {
    (0..rows(results))
        .map(|i| {
            // A replication that has ended is drained: its oldest age is 0.
            let ages = results
                .iter()
                .map(|r| r.timeseries.get(i).map_or(0.0, |s| s.oldest_age));
            ages.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), a| {
                (lo.min(a), hi.max(a))
            })
        })
        .collect()
}

/// Pooling the interval's histograms (rather than averaging per-replication
/// quantiles) is what makes the quantile well defined: a replication may
/// complete no message, or five, sent in a given interval, and the p99 of
/// five messages is their maximum. The pooled quantile is the quantile of
/// the latency of a message sent in that interval, over all replications.
fn latency_by_sent(results: &[ReplicationResult]) -> Vec<[f64; 3]> {
    (0..rows(results))
        .map(|i| {
            let mut pooled = IntervalHistogram::default();
            for r in results {
                if let Some(h) = r.latency_by_sent.rows.get(i) {
                    pooled.merge(h);
                }
            }
            SERIES_QUANTILES.map(|q| pooled.quantile_secs(q).unwrap_or(f64::NAN))
        })
        .collect()
}

/// The row of a replication after its run ended (see the module docs).
fn drained(last: Option<&Sample>) -> Sample {
    let last = last.copied().unwrap_or_default();
    Sample {
        dead_letter: last.dead_letter,
        consumers_up: last.consumers_up,
        ..Sample::default()
    }
}
