//! The command line: outputs of `run`, `check`, and every bad-input path
//! (exit 2 with file, line, column, key and what is allowed; never a panic).

use std::fs;

use predicates::prelude::*;
use predicates::str::contains;

use crate::common::{mqsim, root, toml_files, write};

const VALID: &str = r#"name = "tiny"
duration = "2m"
replications = 3
[queue]
visibility_timeout = "30s"
[[producers]]
rate = 5
[consumers]
count = 2
processing = { dist = "exp", mean = "100ms" }
"#;

/// Runs `mqsim check` on `text` and expects exit 2 with every `needle` in stderr.
fn assert_rejected(text: &str, needles: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "bad.toml", text);
    let mut assert = mqsim().arg("check").arg(&file).assert().code(2);
    for needle in needles {
        assert = assert.stderr(contains(*needle));
    }
    assert.stderr(contains("panicked").not());
}

#[test]
fn run_writes_every_output_file_and_prints_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "tiny.toml", VALID);
    let out = dir.path().join("out");
    mqsim()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout(contains("latency_p99"))
        .stdout(contains("produced"));
    for f in [
        "summary.json",
        "replications.csv",
        "timeseries.csv",
        "latency.csv",
        "timing.json",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let csv = fs::read_to_string(out.join("replications.csv")).unwrap();
    assert!(csv.starts_with("replication,seed,produced,dropped,received,"));
    assert_eq!(csv.lines().count(), 4, "header + 3 replications");
    let ts = fs::read_to_string(out.join("timeseries.csv")).unwrap();
    assert!(ts.starts_with(
        "time,visible,in_flight,delayed,dead_letter,oldest_age,consumers_up,consumers_busy,sent,received,deleted"
    ));
    let leftovers: Vec<_> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn run_default_output_dir_is_output_slash_name() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "tiny.toml", VALID);
    mqsim()
        .current_dir(dir.path())
        .args(["run", "tiny.toml", "--quiet", "--replications", "2"])
        .assert()
        .success()
        .stdout("");
    assert!(dir.path().join("output/tiny/summary.json").is_file());
}

#[test]
fn json_format_prints_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "tiny.toml", VALID);
    let output = mqsim()
        .arg("run")
        .arg(&file)
        .args(["--format", "json", "--out"])
        .arg(dir.path().join("o"))
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let produced = &json["metrics"]["produced"];
    for field in ["mean", "ci95_low", "ci95_high", "min", "max"] {
        assert!(produced.get(field).is_some(), "produced.{field} missing");
    }
    assert_eq!(json["manifest"]["replications"], 3);
    // Wall-clock figures ride along on stdout (never in summary.json).
    assert!(json["timing"]["events_per_second"].as_f64().unwrap() > 0.0);
    assert!(json["timing"]["messages_per_second"].as_f64().unwrap() > 0.0);
    let file: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("o/summary.json")).unwrap()).unwrap();
    assert!(file.get("timing").is_none());
}

#[test]
fn set_overrides_keys_and_seed_flag_changes_results() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "tiny.toml", VALID);
    mqsim()
        .arg("check")
        .arg(&file)
        .args(["--set", "consumers.count=7", "--set", "producers.0.rate=70"])
        .assert()
        .success()
        .stdout(contains("count = 7"))
        .stdout(contains("rate = 70"));
}

#[test]
fn check_reports_offered_load_and_warns_when_unstable() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "tiny.toml", VALID);
    // 5 msg/s against 2 / 0.1 s = 20 msg/s
    mqsim()
        .arg("check")
        .arg(&file)
        .assert()
        .success()
        .stdout(contains("offered load    0.2500"))
        .stdout(contains("warning").not());
    mqsim()
        .arg("check")
        .arg(&file)
        .args(["--set", "producers.0.rate=25"])
        .assert()
        .success()
        .stdout(contains("offered load    1.2500"))
        .stdout(contains("warning: offered load 1.250 is at or above 1"));
}

#[test]
fn every_example_scenario_checks() {
    assert_every_scenario_checks("scenarios");
}

/// `mqsim check` accepts every scenario file in `dir` (from the root).
fn assert_every_scenario_checks(dir: &str) -> usize {
    let names = toml_files(&root().join(dir));
    for name in &names {
        mqsim()
            .current_dir(root())
            .args(["check", &format!("{dir}/{name}")])
            .assert()
            .success();
    }
    names.len()
}

/// The benchmark models (bench/compare.py and docs/performance.md) stay
/// valid as the scenario format changes.
#[test]
fn every_bench_scenario_checks() {
    let checked = assert_every_scenario_checks("bench");
    assert!(checked >= 8, "{checked} bench scenarios");
}

#[test]
fn check_estimates_each_fault_and_set_reaches_into_faults() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{VALID}[[faults]]\nkind = \"consumer-outage\"\nat = \"30s\"\nduration = \"20s\"\n"
    );
    let file = write(dir.path(), "tiny.toml", &text);
    // 5 msg/s for 20 s with every consumer down; 15 msg/s spare afterwards.
    mqsim()
        .arg("check")
        .arg(&file)
        .assert()
        .success()
        .stdout(contains("consumer-outage at 30s for 20s"))
        .stdout(contains("backlog about 100, clears in about 7 s"));
    mqsim()
        .arg("check")
        .arg(&file)
        .args(["--set", "faults.0.duration=40s"])
        .assert()
        .success()
        .stdout(contains("backlog about 200"));
}

#[test]
fn a_backlog_guard_stops_cleanly_with_partial_results() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    mqsim()
        .current_dir(root())
        .args([
            "run",
            "scenarios/flash-sale.toml",
            "--replications",
            "2",
            "--max-backlog",
            "5000",
        ])
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1)
        .stdout(contains(
            "PARTIAL RESULTS: 2 of 2 replications stopped early",
        ))
        .stderr(contains("stopped early").and(contains("--max-backlog")));
    let summary: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    let partial = summary["manifest"]["partial"].as_str().unwrap();
    assert!(partial.contains("more than 5000 messages"), "{partial}");
    assert_eq!(summary["conservation"]["holds"], true);
    assert!(summary["metrics"]["backlog_max"]["max"].as_f64().unwrap() <= 5001.0);
    let report = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("Partial results"));
}

#[test]
fn bad_faults_are_rejected_with_their_key() {
    let fault = |body: &str| format!("{VALID}[[faults]]\n{body}\n");
    assert_rejected(
        &fault("kind = \"spike\"\nat = \"1m\"\nduration = \"2m\"\nfactor = 2"),
        &[
            "bad.toml:",
            "faults.0: the fault (at 1m for 2m)",
            "after the scenario's duration",
        ],
    );
    assert_rejected(
        &fault("kind = \"slowdown\"\nat = \"1m\"\nduration = \"10s\"\nfactor = 0"),
        &["bad.toml:", "faults.0.factor"],
    );
    assert_rejected(
        &fault("kind = \"meteor\"\nat = \"1m\"\nduration = \"10s\""),
        &["faults.0.kind", "queue-outage"],
    );
    assert_rejected(
        &format!("{VALID}crash = {{ mtbf = \"-1h\", restart = \"1s\" }}\n"),
        &["consumers.crash.mtbf"],
    );
    assert_rejected(
        &VALID.replace("rate = 5", "arrivals = { trace = \"missing.csv\" }"),
        &["producers.0.arrivals", "missing.csv"],
    );
}

#[test]
fn unknown_key_names_file_line_column_and_key() {
    let text = VALID.replace("visibility_timeout", "visiblity_timeout");
    assert_rejected(
        &text,
        &["bad.toml:5:", "visiblity_timeout", "visibility_timeout"],
    );
}

#[test]
fn out_of_range_value_says_what_is_allowed() {
    let text = VALID.replace("\"30s\"", "\"13h\"");
    assert_rejected(&text, &["bad.toml:5:", "queue.visibility_timeout", "12h"]);
}

#[test]
fn bad_duration_unit_is_rejected() {
    let text = VALID.replace("\"2m\"", "\"2 fortnights\"");
    assert_rejected(&text, &["bad.toml:2:", "duration"]);
}

#[test]
fn wrong_type_is_rejected() {
    let text = VALID.replace("count = 2", "count = \"two\"");
    assert_rejected(&text, &["bad.toml:9:", "count"]);
}

#[test]
fn syntax_error_is_rejected_with_position() {
    assert_rejected("name = \"x\"\nduration = \n", &["bad.toml:2:"]);
}

#[test]
fn missing_producers_and_empty_file_are_rejected() {
    assert_rejected("", &["producers"]);
    let no_processing = VALID.replace("processing = { dist = \"exp\", mean = \"100ms\" }\n", "");
    assert_rejected(&no_processing, &["processing"]);
}

#[test]
fn bad_distribution_parameters_are_rejected() {
    let text = VALID.replace(
        "{ dist = \"exp\", mean = \"100ms\" }",
        "{ dist = \"lognormal\", mean = \"1s\", p99 = \"500ms\" }",
    );
    assert_rejected(&text, &["bad.toml:10:", "consumers.processing"]);
}

#[test]
fn fifo_and_autoscale_settings_that_cannot_apply_are_rejected() {
    let autoscale = format!("{VALID}autoscale = {{ min = 1, max = 4 }}\n");
    assert_rejected(
        &autoscale,
        &[
            "consumers.autoscale",
            "target_backlog_per_consumer",
            "schedule",
        ],
    );
    let fifo = VALID.replace(
        "[queue]\n",
        "[queue]\ntype = \"fifo\"\nduplicate_delivery = 0.01\n",
    );
    assert_rejected(&fifo, &["queue.duplicate_delivery", "FIFO"]);
}

#[test]
fn missing_file_is_bad_input() {
    mqsim()
        .args(["check", "does-not-exist.toml"])
        .assert()
        .code(2)
        .stderr(contains("does-not-exist.toml"));
}

#[test]
fn binary_garbage_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("garbage.toml");
    fs::write(&file, [0xff_u8, 0xfe, 0x00, 0x12, 0x80]).unwrap();
    mqsim().arg("check").arg(&file).assert().code(2);
}

#[test]
fn bad_set_argument_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "tiny.toml", VALID);
    mqsim()
        .arg("check")
        .arg(&file)
        .args(["--set", "consumers.count"])
        .assert()
        .code(2)
        .stderr(contains("--set"));
    mqsim()
        .arg("check")
        .arg(&file)
        .args(["--set", "consumers.count=-3"])
        .assert()
        .code(2)
        .stderr(contains("consumers.count"));
}

#[test]
fn bad_flags_exit_2() {
    mqsim()
        .args(["run", "x.toml", "--threads", "0"])
        .assert()
        .code(2);
    mqsim().args(["run", "x.toml", "--bogus"]).assert().code(2);
    mqsim()
        .args(["run", "x.toml", "--format", "xml"])
        .assert()
        .code(2);
}

/// A run that takes minutes: for the wall-clock guards.
const LONG: &str = r#"name = "long"
duration = "30d"
replications = 2
sample_interval = "1h"
[[producers]]
rate = 50
[consumers]
count = 10
processing = { dist = "exp", mean = "150ms" }
"#;

#[test]
fn a_timeout_stops_cleanly_with_partial_results() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "long.toml", LONG);
    let out = dir.path().join("out");
    mqsim()
        .args(["run", "--quiet", "--timeout", "500ms", "--out"])
        .arg(&out)
        .arg(&file)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(1)
        .stderr(contains("--timeout"));
    let summary = fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(summary.contains("\"partial\"") && summary.contains("wall-clock --timeout"));
    for file in [
        "replications.csv",
        "timeseries.csv",
        "latency.csv",
        "report.html",
    ] {
        assert!(out.join(file).exists(), "{file}");
    }
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_cleanly_and_writes_partial_results() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "long.toml", LONG);
    let out = dir.path().join("out");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("mqsim"))
        .args(["run", "--quiet", "--out"])
        .arg(&out)
        .arg(&file)
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    crate::common::interrupt(&child);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let summary = fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(summary.contains("interrupted"), "{summary}");
    // Only whole files: no temporary file is left behind.
    let leftovers: Vec<_> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains(".partial-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_bad_timeout_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "tiny.toml", VALID);
    for bad in ["0s", "soon", "5 parsecs"] {
        mqsim()
            .args(["run", "--quiet", "--timeout", bad])
            .arg(&file)
            .assert()
            .code(2)
            .stderr(contains("--timeout"));
    }
}

#[test]
fn run_warns_of_an_unstable_load_before_it_runs() {
    let dir = tempfile::tempdir().unwrap();
    let run = |quiet: bool| {
        let mut cmd = mqsim();
        cmd.current_dir(crate::common::root())
            .args([
                "run",
                "scenarios/quickstart.toml",
                "--set",
                "consumers.count=3",
            ])
            .args(["--set", "duration=\"10m\"", "--replications", "2", "--out"])
            .arg(dir.path().join("out"));
        if quiet {
            cmd.arg("--quiet");
        }
        cmd.assert()
    };
    run(false).stderr(contains("warning: offered load 2.096 is at or above 1"));
    run(true).stderr(contains("warning").not());
}

#[test]
fn a_spike_on_a_trace_producer_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "t.csv", "1\n2\n3\n");
    let text = "duration = \"1m\"\n[[producers]]\nname = \"replay\"\narrivals = { trace = \"t.csv\" }\n\
                [consumers]\ncount = 1\nprocessing = \"10ms\"\n\
                [[faults]]\nkind = \"spike\"\nat = \"10s\"\nduration = \"10s\"\nfactor = 5\nproducer = \"replay\"\n";
    let file = write(dir.path(), "s.toml", text);
    for command in ["check", "run"] {
        mqsim()
            .arg(command)
            .arg(&file)
            .assert()
            .code(2)
            .stderr(contains("s.toml:13:12: faults.0.producer"))
            .stderr(contains("a spike cannot act on producer \"replay\""))
            .stderr(contains("replays a trace"));
    }
}
