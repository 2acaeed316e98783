//! Chart files: every run and sweep writes them, as well-formed SVG and
//! decodable PNG of the stated size, with titles and axis labels in them;
//! read back from the SVG, lines sit at the values they stand for (SLO
//! targets, capacity), y axes start at 0, bands contain their line.

mod svg;
mod sweeps;

use std::fs;
use std::path::Path;

use svg::{Svg, horizontal_values, line_values, step};

use crate::common::{mqsim, root};

const RED: &str = "#D62728";
const GREY: &str = "#5A5A5A";

/// Runs `scenario` with extra arguments into a fresh directory.
fn run(scenario: &str, args: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    mqsim()
        .arg("run")
        .arg(root().join("scenarios").join(scenario))
        .args(["--quiet", "--out"])
        .arg(dir.path())
        .args(args)
        .assert()
        .code(predicates::ord::lt(2));
    dir
}

/// The columns of a CSV file by header name.
fn csv_columns(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

/// The bottom y tick of a chart is 0, and it names its unit.
pub(crate) fn assert_axes(svg: &Svg, name: &str, y_unit: &str) {
    let ticks = svg.y_ticks();
    assert!(ticks.len() >= 2, "{name}: y ticks {ticks:?}");
    let bottom = ticks.last().unwrap();
    assert_eq!(bottom.1, 0.0, "{name}: the y axis starts at {}", bottom.1);
    assert!(svg.has_text(y_unit), "{name}: no y unit {y_unit:?}");
}

fn assert_chart(dir: &Path, name: &str, words: &[&str]) {
    let svg = fs::read_to_string(dir.join(format!("{name}.svg"))).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{name}.svg: {e}"));
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let text: String = doc
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join(" ");
    for w in words {
        assert!(text.contains(w), "{name}.svg lacks {w:?}");
    }
    let png = fs::File::open(dir.join(format!("{name}.png"))).unwrap();
    let reader = png::Decoder::new(png).read_info().unwrap();
    let info = reader.info();
    assert_eq!((info.width, info.height), (1200, 700), "{name}.png");
}

#[test]
fn a_run_writes_its_charts_with_faults_labelled() {
    let dir = tempfile::tempdir().unwrap();
    mqsim()
        .arg("run")
        .arg(root().join("scenarios/duplicate-storm.toml"))
        .args(["--quiet", "--replications", "3", "--out"])
        .arg(dir.path())
        .assert()
        .code(1); // the storm misses its SLOs, which is the scenario's point
    let charts = dir.path().join("charts");
    assert_chart(
        &charts,
        "backlog",
        &[
            "backlog",
            "messages",
            "time (min)",
            "consumer-outage",
            "visible",
            "in flight",
            "dead-letter queue",
        ],
    );
    assert_chart(
        &charts,
        "latency",
        &["latency percentiles", "seconds", "p50", "p99.99"],
    );
    assert_chart(
        &charts,
        "oldest_age",
        &[
            "oldest message",
            "seconds",
            "mean over 3 replications",
            "min–max over replications",
        ],
    );
    assert_chart(&charts, "consumers", &["consumers", "up", "busy"]);
    assert_chart(
        &charts,
        "throughput",
        &[
            "throughput",
            "msg/s",
            "arrivals (sent)",
            "completions (deleted)",
            "capacity",
        ],
    );
    assert_chart(
        &charts,
        "latency_over_time",
        &[
            "latency by send time",
            "send time (min)",
            "p50",
            "p90",
            "p99",
            "consumer-outage",
        ],
    );
    for (name, unit) in [
        ("backlog", "messages"),
        ("throughput", "msg/s"),
        ("latency", "seconds"),
        ("latency_over_time", "seconds"),
        ("oldest_age", "seconds"),
        ("consumers", "consumers"),
    ] {
        assert_axes(&Svg::read(&charts.join(format!("{name}.svg"))), name, unit);
    }
}

/// quickstart has `latency_p99 = "5s"`: both latency charts draw it at 5 s.
#[test]
fn latency_charts_draw_the_p99_target_at_its_value() {
    let dir = run("quickstart.toml", &["--replications", "3"]);
    for name in ["latency", "latency_over_time"] {
        let svg = Svg::read(&dir.path().join(format!("charts/{name}.svg")));
        assert!(
            svg.has_text("SLO latency_p99 ≤ 5 s"),
            "{name}: no SLO legend"
        );
        let at = horizontal_values(&svg, RED);
        let dashes = at
            .iter()
            .filter(|v| (*v - 5.0).abs() < step(&svg.y_ticks()) / 20.0)
            .count();
        assert!(dashes >= 10, "{name}: {dashes} dashes at 5 s among {at:?}");
    }
}

/// Targets on other percentiles are drawn too, each at its value.
#[test]
fn every_latency_target_gets_its_line() {
    let dir = run(
        "quickstart.toml",
        &[
            "--replications",
            "2",
            "--set",
            "slo.latency_p50=\"0.5s\"",
            "--set",
            "slo.latency_p999=\"40s\"",
        ],
    );
    let svg = Svg::read(&dir.path().join("charts/latency.svg"));
    for label in [
        "SLO latency_p50 ≤ 0.5 s",
        "SLO latency_p99 ≤ 5 s",
        "SLO latency_p999 ≤ 40 s",
    ] {
        assert!(svg.has_text(label), "no {label:?}");
    }
    let over_time = Svg::read(&dir.path().join("charts/latency_over_time.svg"));
    assert!(over_time.has_text("SLO latency_p50 ≤ 0.5 s"));
    assert!(
        !over_time.has_text("latency_p999"),
        "no p99.9 line to read it against"
    );
}

/// duplicate-storm: 12 consumers of 2 s messages, whose batches outlive the
/// visibility timeout (so the capacity model's rate is below 12 / 2 s); all
/// of them are down from 20 to 30 min. Messages sent during the outage wait
/// for it to end; those sent before it do not.
#[test]
fn throughput_capacity_and_latency_by_send_time_follow_the_outage() {
    let dir = run("duplicate-storm.toml", &["--replications", "3"]);
    let sc = mqsim::scenario::load(&root().join("scenarios/duplicate-storm.toml"), &[]).unwrap();
    let model = mqsim::capacity::capacity_at(&sc, 0.0, f64::from(sc.consumers().count));
    assert!(model > 1.0 && model <= 6.0, "{model}");
    let svg = Svg::read(&dir.path().join("charts/throughput.svg"));
    let capacity = line_values(&svg, GREY);
    let full = capacity
        .iter()
        .filter(|v| (*v - model).abs() < 0.02 * model)
        .count();
    let zero = capacity.iter().filter(|v| v.abs() < 0.05).count();
    assert!(full > 10 && zero > 0, "capacity at {capacity:?}");

    let (header, rows) = csv_columns(&dir.path().join("timeseries.csv"));
    let spec = [
        "time",
        "visible",
        "in_flight",
        "delayed",
        "dead_letter",
        "oldest_age",
        "consumers_up",
        "consumers_busy",
        "sent",
        "received",
        "deleted",
        "consumers_starting",
    ];
    let extra = [
        "latency_p50",
        "latency_p90",
        "latency_p99",
        "oldest_age_min",
        "oldest_age_max",
    ];
    let expected: Vec<&str> = spec.iter().chain(&extra).copied().collect();
    assert_eq!(header, expected, "existing columns first, in their order");
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let num = |row: &[String], name: &str| row[col(name)].parse::<f64>().unwrap_or(f64::NAN);
    assert!(
        rows[0][col("latency_p50")].is_empty(),
        "nothing is sent before time 0"
    );
    let p50_sent = |from: f64, to: f64| -> Vec<f64> {
        rows.iter()
            .filter(|r| (from..to).contains(&num(r, "time")))
            .map(|r| num(r, "latency_p50"))
            .collect()
    };
    assert!(
        p50_sent(60.0, 1200.0).iter().all(|&v| v < 30.0),
        "before the outage"
    );
    assert!(
        p50_sent(1260.0, 1800.0).iter().all(|&v| v > 60.0),
        "during the outage"
    );
    for r in &rows {
        let (p50, p90, p99) = (
            num(r, "latency_p50"),
            num(r, "latency_p90"),
            num(r, "latency_p99"),
        );
        assert!(p50.is_nan() || (p50 <= p90 && p90 <= p99), "{r:?}");
        let (lo, mean, hi) = (
            num(r, "oldest_age_min"),
            num(r, "oldest_age"),
            num(r, "oldest_age_max"),
        );
        assert!(lo <= mean + 1e-9 && mean <= hi + 1e-9, "{r:?}");
    }
    let oldest = Svg::read(&dir.path().join("charts/oldest_age.svg"));
    assert!(oldest.polygons() >= 1, "the min–max band is drawn");
}

/// Intervals never leave the metric's range, whatever the replications:
/// duplicate-storm leaves a message visible at the end in one replication
/// of three (`left_visible` 0, 1, 0), whose t interval starts below 0.
#[test]
fn reported_intervals_are_clipped_to_the_metric_range() {
    let dir = run("duplicate-storm.toml", &["--replications", "3"]);
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("summary.json")).unwrap())
            .unwrap();
    let metrics = json["metrics"].as_object().unwrap();
    for (name, m) in metrics {
        if let Some(low) = m["ci95_low"].as_f64() {
            assert!(low >= 0.0, "{name}: ci95_low {low}");
        }
    }
    let util = metrics["consumer_utilization"]["ci95_high"]
        .as_f64()
        .unwrap();
    assert!(util <= 1.0);
    // The metrics whose raw interval dips below 0 report exactly 0.
    let (header, rows) = csv_columns(&dir.path().join("replications.csv"));
    let clipped: Vec<&String> = header
        .iter()
        .enumerate()
        .skip(2) // replication, seed
        .filter(|(i, _)| {
            let values: Vec<f64> = rows.iter().map(|r| r[*i].parse().unwrap()).collect();
            mqsim::stats::summarize(&values).ci95_low.unwrap() < 0.0
        })
        .map(|(_, h)| h)
        .collect();
    assert!(clipped.iter().any(|h| *h == "left_visible"), "{clipped:?}");
    for h in clipped {
        assert_eq!(metrics[h.as_str()]["ci95_low"].as_f64(), Some(0.0), "{h}");
    }
}

#[test]
fn a_sweep_charts_each_headline_metric_with_its_slo() {
    let dir = tempfile::tempdir().unwrap();
    mqsim()
        .arg("sweep")
        .arg(root().join("scenarios/quickstart.toml"))
        .args([
            "--vary",
            "consumers.count=6..10:2",
            "--replications",
            "3",
            "--quiet",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let charts = dir.path().join("charts");
    assert_chart(
        &charts,
        "sweep_latency_p99",
        &[
            "latency_p99 by consumers.count",
            "SLO latency_p99 ≤ 5",
            "consumers.count (consumers)",
        ],
    );
    for (m, unit) in [
        ("latency_p99", "seconds"),
        ("backlog_max", "messages"),
        ("drain_time", "seconds"),
        ("duplicates", "messages"),
        ("cost_usd", "USD per run"),
    ] {
        assert_chart(&charts, &format!("sweep_{m}"), &[m]);
        let svg = Svg::read(&charts.join(format!("sweep_{m}.svg")));
        assert_axes(&svg, m, unit);
    }
}

/// With one replication there is no interval and no range: the charts say
/// "one replication", draw no band, and the report words its tables so.
#[test]
fn one_replication_draws_no_band_and_says_so() {
    let dir = run("quickstart.toml", &["--replications", "1"]);
    let charts = dir.path().join("charts");
    for name in [
        "backlog",
        "oldest_age",
        "consumers",
        "throughput",
        "latency",
    ] {
        assert_chart(&charts, name, &["(one replication)"]);
        let svg = fs::read_to_string(charts.join(format!("{name}.svg"))).unwrap();
        assert!(!svg.contains("replications"), "{name}.svg: {svg}");
        assert!(!svg.contains("<polygon"), "{name}.svg draws a band");
    }
    let report = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(report.contains("One replication (seed"));
    assert!(report.contains("The values of the one replication"));
    assert!(!report.contains("1 replications"));
    // Two replications keep their bands and means.
    let dir = run("quickstart.toml", &["--replications", "2"]);
    let backlog = fs::read_to_string(dir.path().join("charts/backlog.svg")).unwrap();
    assert!(backlog.contains("mean of 2 replications, 95% band"));
    assert!(backlog.contains("<polygon"));
}
