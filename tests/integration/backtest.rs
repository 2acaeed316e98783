//! Backtesting (`[observed]`): the incident example reproduces what was
//! observed, a wrong model is told so, networks get a chart per observed
//! series, and a bad observation file is refused before anything runs.

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::common::{mqsim, root, write};

fn run(args: &[&str], out: &Path) -> Value {
    let example = root().join("scenarios/incident-replay.toml");
    let mut cmd = mqsim();
    cmd.arg("run")
        .arg(&example)
        .arg("--out")
        .arg(out)
        .arg("--quiet");
    cmd.args(args).assert().success();
    let text = fs::read_to_string(out.join("summary.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn the_incident_replay_reproduces_the_observed_backlog_and_age() {
    let dir = tempfile::tempdir().unwrap();
    let summary = run(&[], dir.path());
    let observed = &summary["observed"];
    assert_eq!(observed["start"], "2026-11-27T13:00:00Z");
    for (series, peak) in [("visible", 36_000.0), ("age", 611.0)] {
        let s = &observed[series];
        assert_eq!(s["points_compared"], 181, "{series}");
        assert_eq!(num(&s["peak_observed"]), peak, "{series}");
        let ratio = num(&s["peak_ratio"]);
        assert!(
            (0.95..1.05).contains(&ratio),
            "{series}: peak ratio {ratio}"
        );
        assert!(
            num(&s["rmse"]) < 0.02 * peak,
            "{series}: rmse {}",
            s["rmse"]
        );
        let (share, expected) = (
            num(&s["inside_range_share"]),
            num(&s["inside_range_expected"]),
        );
        assert!(
            share > expected - 0.15,
            "{series}: {share} inside, {expected} expected"
        );
    }
    let report = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert_eq!(
        report.matches("The run reproduces the observation").count(),
        2
    );
    let csv = fs::read_to_string(dir.path().join("observed.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 2 * 181);
    let backlog = fs::read_to_string(dir.path().join("charts/backlog.svg")).unwrap();
    assert!(backlog.contains("observed (incident/observed.json)"));
}

#[test]
fn a_model_that_misses_the_incident_is_told_so() {
    // Two more workers than production had: the simulated backlog stays a
    // fraction of the observed one.
    let dir = tempfile::tempdir().unwrap();
    let summary = run(&["--set", "consumers.count=16"], dir.path());
    let visible = &summary["observed"]["visible"];
    assert!(num(&visible["peak_ratio"]) < 0.5, "{visible}");
    assert!(num(&visible["inside_range_share"]) < 0.7, "{visible}");
    let report = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(report.contains("the scenario does not reproduce it"));
}

#[test]
fn a_network_compares_the_observed_queue_on_its_own_charts() {
    let dir = tempfile::tempdir().unwrap();
    let example = fs::read_to_string(root().join("scenarios/order-pipeline.toml")).unwrap();
    let csv: String = (0..=60)
        .map(|m| format!("{},{}\n", 1_795_000_000 + 60 * m, m % 7))
        .collect();
    write(
        dir.path(),
        "visible.csv",
        &format!("timestamp,value\n{csv}"),
    );
    let text = format!("{example}\n[observed]\nqueue = \"email\"\nvisible = \"visible.csv\"\n");
    let file = write(dir.path(), "pipeline.toml", &text);
    let out = dir.path().join("out");
    mqsim()
        .args(["run", "--quiet", "--replications", "3", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    let summary: Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["observed"]["queue"], "email");
    assert_eq!(summary["observed"]["visible"]["points_compared"], 61);
    let chart = fs::read_to_string(out.join("charts/observed_visible.svg")).unwrap();
    assert!(chart.contains("queue email"));
}

#[test]
fn bad_observation_files_are_refused_before_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let bad = "timestamp,value\n2026-11-27T13:00:00Z,1\n2026-11-27T12:59:00Z,2\n";
    write(dir.path(), "visible.csv", bad);
    let scenario = "duration = \"10m\"\n[queue]\n[[producers]]\nrate = 5\n[consumers]\n\
                    processing = \"10ms\"\n[observed]\nvisible = \"visible.csv\"\n";
    let file = write(dir.path(), "s.toml", scenario);
    let out = dir.path().join("out");
    let assert = mqsim()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("visible.csv"), "{stderr}");
    assert!(stderr.contains("row 3"), "{stderr}");
    assert!(stderr.contains("observed.visible"), "{stderr}");
    assert!(!out.exists(), "nothing is written for bad input");
}
