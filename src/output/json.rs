//! `summary.json` and `timing.json`. Keys keep a fixed order; non-finite
//! numbers are written as `null` so the files are always valid JSON.
//!
//! `summary.json` has a `queues` object only for a network, a `resources`
//! object (`{ "<name>": { "capacity", each resource metric as a statistic,
//! "wait_p99_pooled" } }`) only for a scenario with shared resources, and a
//! `breakers` list (replication 0's `{ time, queue, state }` changes) only
//! when a fleet has a circuit breaker: other scenarios' files are as before.

use serde_json::{Map, Value, json};

use super::Timing;
use super::observed::Backtest;
use super::summary::{FaultSummary, PERCENTILE_METHOD, RunSummary};
use crate::engine::result::BreakerChange;
use crate::stats::Stat;

/// Every metric as `{ mean, ci95_low, ci95_high, min, max }`, in order.
pub fn metrics_json(summary: &RunSummary) -> Map<String, Value> {
    summary
        .metrics
        .iter()
        .map(|(name, stat)| ((*name).to_owned(), stat_json(stat)))
        .collect()
}

/// Every SLO target as `{ max, mean, ci95_high, pass }`, by metric.
pub fn slo_json(summary: &RunSummary) -> Map<String, Value> {
    summary
        .slo
        .iter()
        .map(|v| {
            let mut verdict = json!({
                "max": num(v.max),
                "mean": num(v.mean),
                "ci95_high": v.ci95_high.map_or(Value::Null, num),
                "pass": v.pass,
            });
            if v.unmeasured > 0 {
                verdict["unmeasured_replications"] = json!(v.unmeasured);
            }
            (v.metric.clone(), verdict)
        })
        .collect()
}

/// The pretty-printed `summary.json`, ending in a newline.
pub fn summary_json(summary: &RunSummary) -> String {
    let m = &summary.manifest;
    let metrics = metrics_json(summary);
    let slo = slo_json(summary);
    let duplicates: Map<String, Value> = summary
        .duplicates_by_cause
        .iter()
        .map(|(name, stat)| ((*name).to_owned(), stat_json(stat)))
        .collect();
    let faults: Vec<Value> = summary.faults.iter().map(fault_json).collect();
    let c = &summary.conservation;
    let mut doc = json!({
        "manifest": {
            "mqsim_version": m.mqsim_version,
            "scenario": m.scenario,
            "scenario_sha256": m.scenario_sha256,
            "seed": m.seed,
            "replications": m.replications,
            "warmup_seconds": num(m.warmup_seconds),
            "percentile_method": PERCENTILE_METHOD,
        },
        "metrics": metrics,
        "slo": slo,
        "duplicates_by_cause": duplicates,
        "faults": faults,
        "conservation": {
            "holds": c.holds,
            "produced": c.produced,
            "accounted": c.accounted,
        },
    });
    if !summary.queues.is_empty() {
        doc["queues"] = Value::Object(queues_json(summary));
    }
    if !summary.resources.is_empty() {
        doc["resources"] = Value::Object(resources_json(summary));
    }
    if let Some(changes) = &summary.breakers {
        doc["breakers"] = Value::Array(changes.iter().map(breaker_json).collect());
    }
    if let Some(backtest) = &summary.observed {
        doc["observed"] = observed_json(backtest);
    }
    // Only a run stopped by a resource guard says so.
    if let Some(partial) = &m.partial {
        doc["manifest"]["partial"] = json!(partial);
    }
    pretty(&doc)
}

/// The pretty-printed `timing.json`, ending in a newline.
pub fn timing_json(t: &Timing) -> String {
    let per_sec = |n: u64| num(n as f64 / t.wall_seconds.max(1e-9));
    pretty(&json!({
        "wall_seconds": num(t.wall_seconds),
        "threads": t.threads,
        "events": t.events,
        "events_per_second": per_sec(t.events),
        "messages": t.messages,
        "messages_per_second": per_sec(t.messages),
    }))
}

/// Each queue of a network: its metrics, duplicates by cause, conservation.
fn queues_json(summary: &RunSummary) -> Map<String, Value> {
    let stats = |list: &[(&str, Stat)]| -> Map<String, Value> {
        list.iter()
            .map(|(name, stat)| ((*name).to_owned(), stat_json(stat)))
            .collect()
    };
    summary
        .queues
        .iter()
        .map(|q| {
            let c = &q.conservation;
            let doc = json!({
                "metrics": stats(&q.metrics),
                "duplicates_by_cause": stats(&q.duplicates_by_cause),
                "conservation": {
                    "holds": c.holds,
                    "produced": c.produced,
                    "accounted": c.accounted,
                },
            });
            (q.name.clone(), doc)
        })
        .collect()
}

/// Each shared resource: its capacity, every metric as a statistic over
/// replications, and the 99th percentile of the pooled waits.
fn resources_json(summary: &RunSummary) -> Map<String, Value> {
    summary
        .resources
        .iter()
        .map(|r| {
            let mut doc = Map::new();
            doc.insert("capacity".to_owned(), json!(r.capacity));
            for (name, stat) in &r.metrics {
                doc.insert((*name).to_owned(), stat_json(stat));
            }
            doc.insert("wait_p99_pooled".to_owned(), num(r.wait_p99_pooled));
            (r.name.clone(), Value::Object(doc))
        })
        .collect()
}

fn breaker_json(c: &BreakerChange) -> Value {
    json!({ "time": num(c.time), "queue": c.queue, "state": c.state })
}

fn fault_json(f: &FaultSummary) -> Value {
    let mut doc = serde_json::to_value(&f.fault).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut doc {
        for (key, stat) in [
            ("backlog_at_end", &f.backlog_at_end),
            ("backlog_peak", &f.backlog_peak),
            ("drain_time", &f.drain_time),
            ("dropped", &f.dropped),
            ("expired", &f.expired),
        ] {
            map.insert(key.to_owned(), stat_json(stat));
        }
        map.insert("drained_fraction".to_owned(), num(f.drained));
    }
    doc
}

fn stat_json(s: &Stat) -> Value {
    json!({
        "mean": num(s.mean),
        "ci95_low": s.ci95_low.map_or(Value::Null, num),
        "ci95_high": s.ci95_high.map_or(Value::Null, num),
        "min": num(s.min),
        "max": num(s.max),
    })
}

/// The backtest: per observed series, how far the simulation is from it.
fn observed_json(b: &Backtest) -> Value {
    let mut doc = json!({ "queue": b.queue, "start": b.start });
    for s in &b.series {
        doc[s.level.key()] = json!({
            "file": s.file,
            "metric": s.level.cloudwatch(),
            "points_compared": s.points.len(),
            "points_not_compared": s.not_compared,
            "rmse": num(s.rmse),
            "bias": num(s.bias),
            "peak_observed": num(s.peak_observed.0),
            "peak_observed_at_seconds": num(s.peak_observed.1),
            "peak_simulated": stat_json(&s.peak_simulated),
            "peak_ratio": s.peak_ratio().map_or(Value::Null, num),
            "inside_range_share": num(s.inside_share()),
            "inside_range_expected": num(s.inside_expected),
        });
    }
    doc
}

/// A JSON number; integers without a fraction; non-finite as null.
fn num(v: f64) -> Value {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 {
        Value::from(v as i64)
    } else {
        Value::from(v)
    }
}

fn pretty(doc: &Value) -> String {
    let mut text = serde_json::to_string_pretty(doc).expect("a JSON value always serializes");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_integers_when_whole_and_null_when_not_finite() {
        assert_eq!(num(3.0).to_string(), "3");
        assert_eq!(num(0.25).to_string(), "0.25");
        assert_eq!(num(f64::NAN), Value::Null);
        assert_eq!(num(f64::INFINITY), Value::Null);
    }
}
