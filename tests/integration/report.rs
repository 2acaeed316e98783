//! `report.html`: self-contained (no scripts, links or external sources),
//! well-formed, with the SLO verdicts, every chart inline, every metric, the
//! fault timeline and the command to reproduce it; sweeps and plans add
//! their table.

use std::fs;
use std::path::Path;

use crate::common::{mqsim, root};
use mqsim::engine::result::Metrics;

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
    for m in Metrics::NAMES {
        assert!(html.contains(&format!(">{m}</td>")), "metric {m} missing");
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
