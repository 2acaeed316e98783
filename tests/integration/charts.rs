//! Chart files: every run and sweep writes them, as well-formed SVG and
//! decodable PNG of the stated size, with titles and axis labels in them.

use std::fs;
use std::path::Path;

use crate::common::{mqsim, root};

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
    assert_chart(&charts, "oldest_age", &["oldest message", "seconds"]);
    assert_chart(&charts, "consumers", &["consumers", "up", "busy"]);
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
        &["latency_p99 by consumers.count", "SLO 5", "consumers.count"],
    );
    for m in ["backlog_max", "drain_time", "duplicates", "cost_usd"] {
        assert_chart(&charts, &format!("sweep_{m}"), &[m]);
    }
}
