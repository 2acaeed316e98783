//! `mqsim compare`: its files, labels and bad input (exit 2, nothing
//! written), common random numbers (identical alternatives differ by
//! exactly 0; the paired interval is tighter than the one of independent
//! means), and bytes that do not depend on `--threads`.

use std::fs;
use std::path::Path;

use predicates::prelude::*;
use predicates::str::contains;
use serde_json::Value;

use crate::common::{mqsim, write};

/// A small stable queue: 5 msg/s, 2 consumers of 100 ms mean.
const SMALL: &str = r#"name = "small"
duration = "5m"
warmup = "30s"
seed = 3
replications = 4
sample_interval = "10s"
[queue]
visibility_timeout = "30s"
[[producers]]
rate = 5
[consumers]
count = 2
processing = { dist = "exp", mean = "100ms" }
[slo]
latency_p99 = "2s"
"#;

/// Nearly M/M/c: Poisson arrivals at 9/s, exponential service of 1 s,
/// one message per receive, no request latency.
const MMC: &str = r#"name = "mmc"
duration = "30m"
warmup = "2m"
seed = 7
replications = 20
[queue]
visibility_timeout = "10m"
[[producers]]
rate = 9
[consumers]
count = 10
batch_size = 1
processing = { dist = "exp", mean = "1s" }
"#;

fn json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// The figure of `label` for `metric` in compare.json.
fn figure<'a>(doc: &'a Value, metric: &str, label: &str) -> &'a Value {
    &doc["metrics"][metric][label]
}

fn half_width(v: &Value) -> f64 {
    (v["ci95_high"].as_f64().unwrap() - v["ci95_low"].as_f64().unwrap()) / 2.0
}

#[test]
fn two_files_give_every_output_in_the_default_directory() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.toml", SMALL);
    let fewer = SMALL
        .replace("count = 2", "count = 1")
        .replace("seed = 3", "seed = 99");
    write(dir.path(), "b.toml", &fewer);
    mqsim()
        .current_dir(dir.path())
        .args(["compare", "current=a.toml", "fewer=b.toml"])
        .assert()
        .success()
        .stdout(contains("diff vs current"))
        .stdout(contains("fewer raises p99 latency from"))
        .stderr(contains("fewer: its file's seed 99 replaced by 3"));
    let out = dir.path().join("output/compare-current-vs-fewer");
    let csv = fs::read_to_string(out.join("compare.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "label,metric,mean,ci95_low,ci95_high,diff_mean,diff_ci95_low,diff_ci95_high,diff_pct"
    );
    assert_eq!(csv.lines().count(), 1 + 2 * mqsim::compare::HEADLINE.len());
    let first = lines.next().unwrap();
    assert!(
        first.starts_with("current,latency_p50,") && first.ends_with(",,,,"),
        "{first}"
    );
    assert!(lines.next().unwrap().starts_with("fewer,latency_p50,"));
    let doc = json(&out.join("compare.json"));
    assert_eq!(doc["manifest"]["seed"], 3);
    assert_eq!(
        doc["alternatives"][1]["differences"][0]["key"],
        "consumers.count"
    );
    assert_eq!(doc["slo"]["fewer"]["latency_p99"]["pass"], true);
    for chart in [
        "backlog",
        "latency_p99_over_time",
        "oldest_age",
        "latency",
        "cost",
    ] {
        for ext in ["svg", "png"] {
            assert!(
                out.join(format!("charts/{chart}.{ext}")).is_file(),
                "{chart}.{ext}"
            );
        }
    }
    assert!(
        !out.join("charts/consumers.svg").exists(),
        "fixed fleets: no consumers chart"
    );
    let summary = json(&out.join("summaries/fewer.json"));
    assert_eq!(summary["manifest"]["seed"], 3);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    roxmltree::Document::parse_with_options(
        &html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("report.html is not well-formed: {e}"));
    for needle in [
        "Findings",
        "common random numbers",
        "consumers.count = 1 (current: 2)",
        "What was simulated by fewer",
        "id=\"chart-backlog\"",
    ] {
        assert!(html.contains(needle), "report lacks {needle}");
    }
}

#[test]
fn alternatives_of_one_file_keep_commas_inside_inline_tables() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "small.toml", SMALL);
    let out = dir.path().join("out");
    let assert = mqsim()
        .arg("compare")
        .arg(&file)
        .args(["--base-label", "now", "--format", "json", "--out"])
        .arg(&out)
        .args([
            "--alt",
            "backoff: consumers.on_error={ backoff = \"exponential\", base = \"1s\" }, consumers.count=3",
        ])
        .assert()
        .success();
    let stdout: Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    assert_eq!(
        stdout,
        json(&out.join("compare.json")),
        "--format json prints compare.json"
    );
    let alt = &stdout["alternatives"][1];
    assert_eq!(alt["label"], "backoff");
    assert_eq!(alt["overrides"].as_array().unwrap().len(), 2);
    assert_eq!(stdout["alternatives"][0]["label"], "now");
}

#[test]
fn a_label_used_twice_exits_2_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.toml", SMALL);
    let b = write(dir.path(), "b.toml", SMALL); // the same name: "small"
    let out = dir.path().join("out");
    mqsim()
        .arg("compare")
        .arg(&a)
        .arg(&b)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains("the label \"small\" names two alternatives"))
        .stderr(contains("a.toml").and(contains("b.toml")))
        .stderr(contains("panicked").not());
    mqsim()
        .arg("compare")
        .arg(&a)
        .args([
            "--alt",
            "x: consumers.count=3",
            "--alt",
            "x: consumers.count=4",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains(
            "--alt \"x: consumers.count=3\" and --alt \"x: consumers.count=4\"",
        ));
    assert!(!out.exists(), "nothing may be written");
}

#[test]
fn a_bad_alternative_exits_2_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "small.toml", SMALL);
    let out = dir.path().join("out");
    let cases: [(&[&str], &str); 4] = [
        (
            &[
                "--alt",
                "ok: consumers.count=3",
                "--alt",
                "x: consumers.cont=3",
            ],
            "in --alt \"x: consumers.cont=3\"",
        ),
        (&["--alt", "consumers.count=3"], "no label"),
        (&["--alt", "long: duration=10m"], "--set duration=5m"),
        (&[], "at least two alternatives"),
    ];
    for (args, needle) in cases {
        mqsim()
            .arg("compare")
            .arg(&file)
            .args(args)
            .arg("--out")
            .arg(&out)
            .assert()
            .code(2)
            .stderr(contains(needle))
            .stderr(contains("panicked").not());
        assert!(!out.exists(), "{args:?}: nothing may be written");
    }
}

#[test]
fn identical_alternatives_differ_by_exactly_zero() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "small.toml", SMALL);
    let out = dir.path().join("out");
    mqsim()
        .arg("compare")
        .arg(&file)
        .args(["--alt", "same:", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let csv = fs::read_to_string(out.join("compare.csv")).unwrap();
    let same: Vec<&str> = csv.lines().filter(|l| l.starts_with("same,")).collect();
    assert_eq!(same.len(), mqsim::compare::HEADLINE.len());
    for line in same {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(&cells[5..8], ["0", "0", "0"], "{line}");
    }
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("same has the same p99 latency as base in every replication"));
}

#[test]
fn paired_intervals_are_tighter_than_those_of_independent_means() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "mmc.toml", MMC);
    let out = dir.path().join("out");
    mqsim()
        .arg("compare")
        .arg(&file)
        .args(["--alt", "eleven: consumers.count=11", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let doc = json(&out.join("compare.json"));
    // The largest share of √(hw_A² + hw_B²) the paired half-width may be:
    // arrivals are shared outright, waiting times follow the same bursts.
    let bounds = [
        ("latency_mean", 0.9),
        ("latency_p50", 0.9),
        ("backlog_mean", 0.95),
        ("throughput", 0.2),
        ("consumer_utilization", 0.2),
    ];
    for (metric, most) in bounds {
        let (a, b) = (figure(&doc, metric, "base"), figure(&doc, metric, "eleven"));
        let unpaired = half_width(a).hypot(half_width(b));
        let paired = half_width(&b["diff"]);
        assert!(
            paired < most * unpaired,
            "{metric}: paired half-width {paired} not below {most} × {unpaired}"
        );
    }
    // An eleventh consumer shortens the wait, beyond the noise.
    let d = &figure(&doc, "latency_mean", "eleven")["diff"];
    assert!(d["ci95_high"].as_f64().unwrap() < 0.0, "{d}");
}

#[test]
fn the_files_do_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "small.toml", SMALL);
    let outputs: Vec<_> = ["1", "2"]
        .iter()
        .map(|threads| {
            let out = dir.path().join(format!("out{threads}"));
            mqsim()
                .arg("compare")
                .arg(&file)
                .args([
                    "--alt",
                    "three: consumers.count=3",
                    "--alt",
                    "one: consumers.count=1",
                ])
                .args(["--quiet", "--threads", threads, "--out"])
                .arg(&out)
                .assert()
                .success();
            out
        })
        .collect();
    for name in [
        "compare.csv",
        "compare.json",
        "report.html",
        "charts/backlog.svg",
    ] {
        assert_eq!(
            fs::read(outputs[0].join(name)).unwrap(),
            fs::read(outputs[1].join(name)).unwrap(),
            "{name} differs between --threads 1 and 2"
        );
    }
}
