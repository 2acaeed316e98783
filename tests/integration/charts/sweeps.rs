//! Sweep and plan charts: a plan marks its chosen value, two keys give a
//! heatmap with the SLO boundary, categorical keys give bars; every sweep
//! chart has units and a y axis from 0, and sweep.csv intervals stay in range.

use std::path::Path;

use super::svg::{Svg, number, step, vertical_values};
use super::{assert_axes, csv_columns};
use crate::common::{mqsim, root};

const GREEN: &str = "#2CA02C";

fn sweep(command: &str, args: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    mqsim()
        .arg(command)
        .arg(root().join("scenarios/quickstart.toml"))
        .args(args)
        .args(["--quiet", "--out"])
        .arg(dir.path())
        .assert()
        .code(predicates::ord::lt(2));
    dir
}

/// Every `*_ci95_low` of sweep.csv is at least 0.
fn assert_intervals_non_negative(path: &Path) {
    let (header, rows) = csv_columns(path);
    for (i, h) in header
        .iter()
        .enumerate()
        .filter(|(_, h)| h.ends_with("_ci95_low"))
    {
        for r in &rows {
            let v: f64 = r[i].parse().unwrap_or(0.0);
            assert!(v >= 0.0, "{h} = {v}");
        }
    }
}

#[test]
fn a_plan_marks_its_chosen_value_on_every_chart() {
    let dir = sweep(
        "plan",
        &["--vary", "consumers.count=4..12", "--replications", "3"],
    );
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("plan.json")).unwrap())
            .unwrap();
    let chosen = plan["value"]
        .as_f64()
        .expect("quickstart has a passing consumer count");
    for (metric, unit) in [
        ("latency_p99", "seconds"),
        ("backlog_max", "messages"),
        ("drain_time", "seconds"),
        ("duplicates", "messages"),
        ("cost_usd", "USD per run"),
    ] {
        let svg = Svg::read(&dir.path().join(format!("charts/sweep_{metric}.svg")));
        assert!(
            svg.has_text(&format!("chosen: consumers.count = {chosen}")),
            "{metric}"
        );
        assert!(
            svg.has_text("consumers.count (consumers)"),
            "{metric}: x unit"
        );
        let at = vertical_values(&svg, GREEN);
        let tolerance = step(&svg.x_ticks()) / 20.0;
        let dashes = at
            .iter()
            .filter(|v| (*v - chosen).abs() < tolerance)
            .count();
        assert!(
            dashes >= 5,
            "{metric}: the chosen line is at {at:?}, not {chosen}"
        );
        assert_axes(&svg, metric, unit);
    }
    let cost = Svg::read(&dir.path().join("charts/sweep_cost_usd.svg"));
    assert!(
        cost.has_text("USD per simulated hour"),
        "cost per hour on the right"
    );
}

#[test]
fn a_two_key_sweep_draws_heatmaps_with_the_slo_boundary() {
    let dir = sweep(
        "sweep",
        &[
            "--vary",
            "consumers.count=6,10",
            "--vary",
            "producers.0.rate=40,60",
            "--replications",
            "2",
        ],
    );
    let (header, rows) = csv_columns(&dir.path().join("sweep.csv"));
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let svg = Svg::read(&dir.path().join("charts/sweep_latency_p99.svg"));
    for label in [
        "consumers.count (consumers)",
        "producers.0.rate (msg/s)",
        "latency_p99 (seconds)",
    ] {
        assert!(svg.has_text(label), "no {label:?}");
    }
    // Each cell writes its point's mean (3 significant digits); a point
    // over the 5 s target is marked.
    let cells: Vec<String> = svg.texts().into_iter().map(|t| t.0).collect();
    let mut failing = 0;
    for r in &rows {
        let mean: f64 = r[col("latency_p99")].parse().unwrap();
        let high: f64 = r[col("latency_p99_ci95_high")].parse().unwrap_or(mean);
        let fails = high > 5.0;
        failing += usize::from(fails);
        let cell = cells
            .iter()
            .find(|c| {
                number(c.trim_end_matches(" ✗"))
                    .is_some_and(|v| (v - mean).abs() <= mean.abs() * 0.01)
            })
            .unwrap_or_else(|| panic!("no cell shows {mean} among {cells:?}"));
        assert_eq!(cell.ends_with('✗'), fails, "{cell} (upper end {high})");
    }
    let boundary = svg
        .polylines()
        .into_iter()
        .filter(|l| l.stroke == "#000000" && l.width == 6.0)
        .count();
    assert!(
        failing > 0 && failing < rows.len(),
        "the grid should straddle the target"
    );
    assert!(boundary >= 1, "the SLO boundary is drawn");
    assert!(dir.path().join("charts/sweep_cost_usd.svg").exists());
    assert!(
        !dir.path().join("charts/sweep_cost_usd_bars.svg").exists(),
        "numeric keys: no bars"
    );
    assert_intervals_non_negative(&dir.path().join("sweep.csv"));
}

#[test]
fn a_categorical_key_gets_bars_with_whiskers() {
    let dir = sweep(
        "sweep",
        &[
            "--vary",
            "consumers.on_error=wait,release",
            "--replications",
            "2",
            "--set",
            "duration=\"10m\"",
        ],
    );
    let svg = Svg::read(&dir.path().join("charts/sweep_latency_p99.svg"));
    assert!(
        svg.has_text("wait") && svg.has_text("release"),
        "category labels"
    );
    // Two bars and the legend's swatch, in the first series' colour.
    assert!(svg.rects("#1F77B4") >= 3, "bars drawn");
    assert_axes(&svg, "sweep_latency_p99", "seconds");
}
