//! `report.html`: self-contained (no scripts, links or external sources),
//! well-formed, with the SLO verdicts, every chart inline, every metric of a
//! feature in use, the fault timeline and the command to reproduce it (with
//! the resolved scenario as TOML); sweeps and plans lead with the table of
//! their points, and their details describe the point shown, not the base.

use std::fs;
use std::path::Path;

use crate::common::{mqsim, root};

fn parse(dir: &Path) -> String {
    fs::read_to_string(dir.join("report.html")).unwrap()
}

fn check_structure(html: &str, charts: usize) -> Vec<String> {
    let doc = roxmltree::Document::parse_with_options(
        html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("report.html is not well-formed: {e}"));
    for node in doc.descendants().filter(|n| n.is_element()) {
        let tag = node.tag_name().name();
        assert!(
            !["script", "link", "img", "iframe"].contains(&tag),
            "external or active <{tag}>"
        );
        for attr in ["src", "href"] {
            assert!(
                node.attribute(attr).is_none(),
                "<{tag} {attr}=...> points outside the file"
            );
        }
    }
    let inline_svgs = doc
        .descendants()
        .filter(|n| n.has_tag_name("div") && n.attribute("class") == Some("chart"))
        .filter(|n| n.children().any(|c| c.tag_name().name() == "svg"))
        .count();
    assert_eq!(inline_svgs, charts, "inline charts");
    doc.descendants()
        .filter(|n| n.has_tag_name("h2"))
        .filter_map(|n| n.text().map(str::to_owned))
        .collect()
}

#[test]
fn a_run_report_has_every_section() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/duplicate-storm.toml");
    mqsim()
        .arg("run")
        .arg(&scenario)
        .args(["--replications", "3", "--quiet", "--out"])
        .arg(dir.path())
        .assert()
        .code(1);
    let html = parse(dir.path());
    let sections = check_structure(&html, 6); // backlog, throughput, latency, latency by send time, oldest age, consumers
    assert_eq!(
        sections,
        [
            "What was simulated",
            "Service-level objectives",
            "Charts",
            "Metrics",
            "Fault timeline",
            "Reproduce"
        ]
    );
    // A standard queue without throttling: its FIFO and throttle metrics
    // are 0 and left out, as on the terminal; every other metric is there.
    let hidden = [
        "group_blocked_time_max",
        "group_blocked_time_mean",
        "out_of_order",
        "delete_errors",
        "requests_throttled",
        "deduplicated",
        "repeated",
    ];
    for m in &crate::common::common_metrics() {
        let row = html.contains(&format!(">{m}</td>"));
        assert_eq!(row, !hidden.contains(m), "metric {m}");
    }
    assert!(html.contains("FAIL")); // the storm misses its SLOs
    assert!(html.contains("consumer-outage"));
    assert!(html.contains("12 consumers receive batches of up to 10"));
    assert!(
        html.contains("duplicate-storm.toml --replications 3"),
        "command line"
    );
    assert!(html.contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn sweep_and_plan_reports_carry_their_table_and_charts() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/quickstart.toml");
    mqsim()
        .arg("sweep")
        .arg(&scenario)
        .args([
            "--vary",
            "consumers.count=6,8",
            "--replications",
            "3",
            "--quiet",
            "--out",
        ])
        .arg(dir.path().join("sweep"))
        .assert()
        .success();
    let html = parse(&dir.path().join("sweep"));
    let sections = check_structure(&html, 5);
    assert!(
        sections.contains(&"Sweep: 2 points".to_owned()),
        "{sections:?}"
    );
    mqsim()
        .arg("plan")
        .arg(&scenario)
        .args([
            "--vary",
            "consumers.count=4..10",
            "--replications",
            "3",
            "--quiet",
            "--out",
        ])
        .arg(dir.path().join("plan"))
        .assert()
        .success();
    let html = parse(&dir.path().join("plan"));
    let sections = check_structure(&html, 5);
    assert!(
        sections
            .iter()
            .any(|s| s.starts_with("Plan: smallest consumers.count")),
        "{sections:?}"
    );
    assert!(html.contains("Chosen: consumers.count = "));
}

/// A FIFO scenario with 60 consumers, faults, request latency and a
/// lognormal processing time given by its mean and p99.
const WORDED: &str = r#"
name = "worded"
duration = "10m"
warmup = "1m"
seed = 5
replications = 2

[queue]
type = "fifo"
visibility_timeout = "30s"
max_receive_count = 4

[[producers]]
name = "orders"
rate = 100
groups = 300

[consumers]
count = 60
batch_size = 5
request_latency = "8ms"
processing = { dist = "lognormal", mean = "200ms", p99 = "1s" }
error_rate = 0.01
heartbeat = "10s"

[[faults]]
kind = "consumer-outage"
at = "4m"
duration = "2m"
count = 20

[[faults]]
kind = "spike"
at = "6m"
duration = "1m"
factor = 3

[slo]
latency_p99 = "30s"
dead_lettered = 0
"#;

/// The parsed page: each `<h2>` heading with the text that follows it,
/// up to the next heading.
fn sections(html: &str) -> Vec<(String, String)> {
    let doc = roxmltree::Document::parse_with_options(
        html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap();
    let body = doc.descendants().find(|n| n.has_tag_name("body")).unwrap();
    let mut out: Vec<(String, String)> = Vec::new();
    for node in body.children().filter(|n| n.is_element()) {
        let text: String = node
            .descendants()
            .filter(|d| d.is_text())
            .map(|d| d.text().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(" ");
        if node.has_tag_name("h2") {
            out.push((text, String::new()));
        } else if let Some(last) = out.last_mut() {
            last.1 += &text;
            last.1.push('\n');
        }
    }
    out
}

/// The text of the section whose heading starts with `title`.
fn section<'a>(all: &'a [(String, String)], title: &str) -> &'a str {
    all.iter()
        .find(|(h, _)| h.starts_with(title))
        .map(|(_, t)| t.as_str())
        .unwrap_or_else(|| {
            panic!(
                "no section {title:?} in {:?}",
                all.iter().map(|s| &s.0).collect::<Vec<_>>()
            )
        })
}

/// The resolved scenario embedded in the page.
fn embedded_toml(html: &str) -> String {
    let doc = roxmltree::Document::parse_with_options(
        html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap();
    let pre = doc
        .descendants()
        .find(|n| n.has_tag_name("pre") && n.attribute("id") == Some("scenario-toml"))
        .expect("a <pre id=scenario-toml>");
    assert!(
        pre.ancestors().any(|a| a.has_tag_name("details")),
        "the TOML is collapsed in <details>"
    );
    pre.text().unwrap_or_default().to_owned()
}

fn write_worded(dir: &Path) -> std::path::PathBuf {
    let file = dir.join("worded.toml");
    fs::write(&file, WORDED).unwrap();
    file
}

/// Runs the worded scenario; its directory (kept alive) and report.html.
fn run_worded() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = write_worded(dir.path());
    mqsim()
        .arg("run")
        .arg(&file)
        .args(["--quiet", "--out"])
        .arg(dir.path().join("run"))
        .assert()
        .code(predicates::ord::ge(0));
    let html = parse(&dir.path().join("run"));
    (dir, html)
}

#[test]
fn a_sweep_report_describes_each_point_as_simulated_not_the_base() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_worded(dir.path());
    let out = dir.path().join("sweep");
    mqsim()
        .arg("sweep")
        .arg(&file)
        .args(["--vary", "consumers.count=50,55", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let html = parse(&out);
    let all = sections(&html);
    // The table of all points leads, before any point's details.
    assert_eq!(all[0].0, "Sweep: 2 points", "{all:?}");
    let table = &all[0].1;
    for want in [
        "consumers.count",
        "latency_p99 ≤ 30 s",
        "dead_lettered ≤ 0 messages",
    ] {
        assert!(table.contains(want), "{want:?} in {table}");
    }
    let shown = all
        .iter()
        .find(|(h, _)| h.starts_with("What was simulated at consumers.count = "))
        .expect("the details name their point");
    let count = shown.0.rsplit(' ').next().unwrap();
    assert!(["50", "55"].contains(&count), "{}", shown.0);
    assert!(
        shown
            .1
            .contains(&format!("{count} consumers receive batches")),
        "{}",
        shown.1
    );
    assert!(
        !html.contains("60 consumers"),
        "the base's count is never worded"
    );
    let index = if count == "50" { 1 } else { 2 };
    assert!(
        table.contains(&format!(
            "the details of point {index} of 2 (consumers.count = {count}),"
        )),
        "which point is shown, and why: {table}"
    );
}

#[test]
fn a_plan_report_describes_the_chosen_value() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/quickstart.toml");
    mqsim()
        .arg("plan")
        .arg(&scenario)
        .args([
            "--vary",
            "consumers.count=4..10",
            "--replications",
            "3",
            "--quiet",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let plan: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("plan.json")).unwrap()).unwrap();
    let chosen = plan["value"].to_string();
    assert_ne!(
        chosen, "8",
        "quickstart's own count: the test would not tell them apart"
    );
    let html = parse(dir.path());
    let all = sections(&html);
    assert!(
        all[0].0.starts_with("Plan: smallest consumers.count"),
        "{all:?}"
    );
    assert!(
        all[0]
            .1
            .contains(&format!("Chosen: consumers.count = {chosen}."))
    );
    assert!(
        all[0]
            .1
            .contains("chosen: the smallest value that meets every SLO")
    );
    // Each smaller value tried says which target it fails and by how much.
    assert!(all[0].1.contains("fails: latency_p99 "), "{}", all[0].1);
    let words = section(
        &all,
        &format!("What was simulated at consumers.count = {chosen}"),
    );
    assert!(
        words.contains(&format!("{chosen} consumers receive batches")),
        "{words}"
    );
    assert!(!words.contains("8 consumers"), "{words}");
}

#[test]
fn the_words_name_fifo_groups_faults_latency_and_the_p99() {
    let (_dir, html) = run_worded();
    let all = sections(&html);
    let words = section(&all, "What was simulated");
    for want in [
        "A FIFO queue",
        "spread evenly over 300 message groups",
        "60 consumers receive batches of up to 5",
        "every queue API call takes 8 ms",
        "lognormal",
        "lognormal (σ = 0.84546), mean 200 ms, p99 1 s",
        "1% of processings fail",
        "every 10 s while processing",
        "already received 4 times goes to the dead-letter queue",
        "Fault consumer-outage from 4 to 6 min (2 min): 20 consumers are down",
        "Fault spike from 6 to 7 min (1 min): the arrival rate of every producer is multiplied by 3",
        "2 independent replications (seed 5)",
    ] {
        assert!(words.contains(want), "{want:?} not in {words}");
    }
    let slo = section(&all, "Service-level objectives");
    assert!(slo.contains("30 s") && slo.contains("0 messages"), "{slo}");
    assert!(
        !words.contains("0.30000") && !words.contains("0.20000"),
        "{words}"
    );
    // Reproducible without the original file: the TOML and how to run it.
    assert!(
        html.contains("mqsim run worded.toml --seed 5"),
        "the reproduce hint"
    );
    let toml = embedded_toml(&html);
    assert!(
        toml.contains("count = 60") && toml.contains("request_latency = \"8ms\""),
        "{toml}"
    );
}

#[test]
fn a_standard_queue_report_leaves_out_fifo_metrics_and_numbers_read_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/quickstart.toml");
    mqsim()
        .arg("run")
        .arg(&scenario)
        .args(["--replications", "2", "--quiet", "--out"])
        .arg(dir.path())
        .assert()
        .code(predicates::ord::ge(0));
    let html = parse(dir.path());
    for m in [
        "group_blocked_time_max",
        "group_blocked_time_mean",
        "out_of_order",
        "delete_errors",
    ] {
        assert!(
            !html.contains(&format!(">{m}</td>")),
            "{m} shown for a standard queue"
        );
    }
    assert!(html.contains(">latency_p99</td>"));
    let all = sections(&html);
    let words = section(&all, "What was simulated");
    assert!(words.contains("A standard queue"), "{words}");
    assert!(!words.contains("message groups"), "{words}");
    let slo = section(&all, "Service-level objectives");
    assert!(slo.contains("5 s"), "the bound with its unit: {slo}");
}

#[test]
fn a_sweep_report_marks_a_point_cut_short_as_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/quickstart.toml");
    mqsim()
        .arg("sweep")
        .arg(&scenario)
        .args([
            "--vary",
            "consumers.count=4,8",
            "--replications",
            "2",
            "--max-backlog",
            "5000",
            "--quiet",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let html = parse(dir.path());
    let all = sections(&html);
    let table = &all[0].1;
    assert!(table.contains("STOPPED"), "{table}");
    assert!(table.contains("replications stopped early"), "why: {table}");
    // The point cut short is not the one detailed.
    assert!(
        section(&all, "What was simulated at consumers.count = 8").contains("8 consumers"),
        "{all:?}"
    );
}

#[test]
fn a_report_without_charts_has_no_charts_heading() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/quickstart.toml");
    // Three swept keys: no chart shows a metric against all of them.
    mqsim()
        .arg("sweep")
        .arg(&scenario)
        .args([
            "--vary",
            "consumers.on_error=\"wait\",\"release\"",
            "--vary",
            "consumers.count=8,9",
            "--vary",
            "consumers.batch_size=5,10",
            "--set",
            "duration=\"10m\"",
            "--replications",
            "2",
            "--quiet",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let html = parse(dir.path());
    let sections = check_structure(&html, 0);
    assert!(!sections.iter().any(|s| s == "Charts"), "{sections:?}");
    assert!(sections.contains(&"Headline metrics per point".to_owned()));
}

#[test]
fn the_embedded_toml_loads_back_as_the_same_scenario() {
    let (dir, html) = run_worded();
    assert!(
        html.contains("mqsim run worded.toml --seed 5"),
        "the reproduce hint"
    );
    let saved = dir.path().join("saved.toml");
    fs::write(&saved, embedded_toml(&html)).unwrap();
    let loaded = mqsim::scenario::load(&saved, &[]).unwrap_or_else(|e| panic!("{e}"));
    let original = mqsim::scenario::load(&dir.path().join("worded.toml"), &[]).unwrap();
    assert_eq!(
        serde_json::to_string(&loaded).unwrap(),
        serde_json::to_string(&original).unwrap(),
        "the TOML is the scenario that ran"
    );
}
