//! `compare.json` (also what `--format json` prints): the manifest (mqsim
//! version, seed, replications, `--set` overrides applied to all), each
//! alternative (label, file, `--alt` settings, scenario name and SHA-256 of
//! its resolved form, the resolved keys in which it differs from the
//! first, what compare replaced in its file, whether it meets its `[slo]`),
//! then per headline metric and alternative `{ mean, ci95_low, ci95_high }`
//! and, after the first, `diff`: `{ mean, ci95_low, ci95_high, pct }` of the
//! paired difference; then each alternative's SLO verdicts as in
//! `summary.json`. Keys keep a fixed order; non-finite numbers are `null`.

use serde_json::{Map, Value, json};

use super::{Alternative, Comparison};
use crate::compare::Paired;
use crate::output::json::slo_json;
use crate::stats::Stat;

/// The pretty-printed `compare.json`, ending in a newline.
pub fn compare_json(c: &Comparison) -> String {
    let base = c.base();
    let mut manifest = json!({
        "mqsim_version": base.summary.manifest.mqsim_version,
        "seed": c.seed(),
        "replications": c.replications(),
        "common_random_numbers": true,
        "set": c.set,
    });
    if let Some(partial) = c.partial() {
        manifest["partial"] = json!(partial);
    }
    let alternatives: Vec<Value> = c.alternatives.iter().map(alternative_json).collect();
    let metrics: Map<String, Value> = c
        .rows
        .iter()
        .map(|row| {
            let per_alt: Map<String, Value> = c
                .alternatives
                .iter()
                .zip(&row.figures)
                .map(|(a, f)| {
                    let mut v = stat_json(&f.stat);
                    if f.unmeasured > 0 {
                        v["unmeasured_replications"] = json!(f.unmeasured);
                    }
                    if let Some(d) = &f.diff {
                        v["diff"] = diff_json(d);
                    }
                    (a.label.clone(), v)
                })
                .collect();
            (row.metric.to_owned(), Value::Object(per_alt))
        })
        .collect();
    let slo: Map<String, Value> = c
        .alternatives
        .iter()
        .map(|a| (a.label.clone(), Value::Object(slo_json(&a.summary))))
        .collect();
    let doc = json!({
        "manifest": manifest,
        "alternatives": alternatives,
        "metrics": metrics,
        "slo": slo,
    });
    let mut text = serde_json::to_string_pretty(&doc).expect("a JSON value always serializes");
    text.push('\n');
    text
}

fn alternative_json(a: &Alternative) -> Value {
    let differences: Vec<Value> = a
        .differences
        .iter()
        .map(|d| json!({ "key": d.key, "base": d.base, "value": d.value }))
        .collect();
    json!({
        "label": a.label,
        "file": a.file,
        "overrides": a.overrides,
        "scenario": a.summary.manifest.scenario,
        "scenario_sha256": a.summary.manifest.scenario_sha256,
        "differences": differences,
        "replaced": a.replaced,
        "slo_pass": a.summary.slo_pass(),
    })
}

fn stat_json(s: &Stat) -> Value {
    json!({
        "mean": num(s.mean),
        "ci95_low": s.ci95_low.map_or(Value::Null, num),
        "ci95_high": s.ci95_high.map_or(Value::Null, num),
    })
}

fn diff_json(d: &Paired) -> Value {
    json!({
        "mean": num(d.mean),
        "ci95_low": d.ci95_low.map_or(Value::Null, num),
        "ci95_high": d.ci95_high.map_or(Value::Null, num),
        "pct": d.pct.map_or(Value::Null, num),
    })
}

/// A JSON number; integers without a fraction; non-finite as null (as in
/// `summary.json`).
fn num(v: f64) -> Value {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 {
        Value::from(v as i64)
    } else if v.is_finite() {
        Value::from(v)
    } else {
        Value::Null
    }
}
