//! The cells of a sweep's or plan's verdict table: per point, each SLO
//! target's pessimistic value (the upper end of its 95% interval) against
//! its bound, the point's verdict, and in words why it fails.
//!
//! A point a resource guard cut short is STOPPED whatever its targets say:
//! its numbers cover only part of the run ([`RunSummary::slo_pass`]).

use super::Cell;
use super::words::metric_value;
use crate::output::summary::{RunSummary, SloVerdict};

/// The point's verdict: PASS, FAIL, STOPPED (cut short), or "-" without targets.
pub fn point_word(s: &RunSummary) -> &'static str {
    if s.manifest.partial.is_some() {
        return "STOPPED";
    }
    match (s.slo.is_empty(), s.slo_pass()) {
        (true, _) => "-",
        (false, true) => "PASS",
        (false, false) => "FAIL",
    }
}

/// The point's verdict as a coloured cell.
pub fn point_cell(s: &RunSummary) -> Cell {
    match point_word(s) {
        "-" => Cell::plain("-"),
        word => Cell::verdict(word, word == "PASS"),
    }
}

/// One column name per target: "latency_p99 ≤ 30 s".
pub fn target_header(s: &RunSummary) -> Vec<String> {
    s.slo
        .iter()
        .map(|v| format!("{} ≤ {}", v.metric, metric_value(&v.metric, v.max)))
        .collect()
}

/// The pessimistic value the rule compares with the bound.
fn upper(v: &SloVerdict) -> f64 {
    v.ci95_high.unwrap_or(v.mean)
}

/// One cell per target: its upper end in the metric's unit, coloured by
/// whether it holds.
pub fn target_cells(s: &RunSummary) -> Vec<Cell> {
    s.slo
        .iter()
        .map(|v| {
            let text = if v.unmeasured > 0 {
                "not measured".to_owned()
            } else {
                metric_value(&v.metric, upper(v))
            };
            Cell::verdict(text, v.pass)
        })
        .collect()
}

/// Why a point fails, in words; empty when it passes.
pub fn why_fails(s: &RunSummary) -> String {
    if let Some(partial) = &s.manifest.partial {
        return partial.clone();
    }
    let n = s.manifest.replications;
    s.slo
        .iter()
        .filter(|v| !v.pass)
        .map(|v| match v.unmeasured {
            0 => format!(
                "{} {} > {}",
                v.metric,
                metric_value(&v.metric, upper(v)),
                metric_value(&v.metric, v.max)
            ),
            k => format!(
                "{} not measured in {k} of {n} replications (too many messages unfinished at the end)",
                v.metric
            ),
        })
        .collect::<Vec<_>>()
        .join("; ")
}
