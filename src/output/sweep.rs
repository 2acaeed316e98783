//! The files of a sweep and a plan: `sweep.csv` (one row per point) and
//! `plan.json`. Per-point `summary.json` files are written by the ordinary
//! run exporter.

use serde_json::{Value, json};

use super::json::{metrics_json, slo_json};

use super::csv_files::fmt_num;
use super::summary::RunSummary;
use crate::engine::result::Metrics;
use crate::grid::Point;

/// `sweep.csv`: the swept keys, then for every metric its mean,
/// `<metric>_ci95_low` and `<metric>_ci95_high`.
pub fn sweep_csv(points: &[(Point, RunSummary)]) -> Vec<u8> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let keys: Vec<String> = points
        .first()
        .map(|(p, _)| p.settings.iter().map(|(k, _)| k.clone()).collect())
        .unwrap_or_default();
    let mut header = keys;
    let names = points
        .first()
        .map(|(_, s)| s.metrics.iter().map(|(n, _)| *n).collect())
        .unwrap_or_else(|| Metrics::NAMES.to_vec());
    for m in names {
        header.extend([
            (*m).to_owned(),
            format!("{m}_ci95_low"),
            format!("{m}_ci95_high"),
        ]);
    }
    out.write_record(&header).expect("in-memory write");
    for (point, summary) in points {
        let mut row: Vec<String> = point.settings.iter().map(|(_, v)| plain(v)).collect();
        for (_, stat) in &summary.metrics {
            row.push(fmt_num(stat.mean));
            row.push(stat.ci95_low.map_or_else(String::new, fmt_num));
            row.push(stat.ci95_high.map_or_else(String::new, fmt_num));
        }
        out.write_record(&row).expect("in-memory write");
    }
    out.into_inner().expect("in-memory flush")
}

/// A swept value as a CSV cell: TOML strings without their quotes.
pub fn plain(value: &str) -> String {
    value.trim().trim_matches('"').to_owned()
}

/// One value `plan` tried: the point and its summary.
pub struct Tried<'a> {
    /// The value of the planned key, as given.
    pub value: &'a str,
    /// The point's summary.
    pub summary: &'a RunSummary,
}

/// `plan.json`: `{ "key", "value", "rule", "tried": [{ "value", "pass", "slo", "metrics" }] }`,
/// tried values in increasing order; `value` is null when none passed.
pub fn plan_json(key: &str, chosen: Option<&str>, tried: &[Tried]) -> String {
    let tried: Vec<Value> = tried
        .iter()
        .map(|t| {
            json!({
                "value": toml_value(t.value),
                "pass": t.summary.slo_pass(),
                "slo": slo_json(t.summary),
                "metrics": metrics_json(t.summary),
            })
        })
        .collect();
    let doc = json!({
        "key": key,
        "value": chosen.map(toml_value),
        "rule": "a value passes when, for every [slo] target, the upper end of the metric's 95% interval is within the bound",
        "tried": tried,
    });
    let mut text = serde_json::to_string_pretty(&doc).expect("a JSON value always serializes");
    text.push('\n');
    text
}

/// A TOML literal as JSON: numbers as numbers, anything else as text.
fn toml_value(v: &str) -> Value {
    if let Ok(n) = v.trim().parse::<i64>() {
        return json!(n);
    }
    match v.trim().parse::<f64>() {
        Ok(x) if x.is_finite() => json!(x),
        _ => json!(plain(v)),
    }
}
