//! Scale-out and interrupted runs: `--shard K/N` + `mqsim merge` write
//! exactly the files of the unsharded command, a sweep stopped half-way
//! keeps its finished points and `--resume` completes it, and the guards
//! stop `sweep`, `plan` and shards cleanly.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;

use crate::common::{mqsim, root};

/// A scenario that reads a trace and an empirical sample file (both must
/// reach the merge through the shards), with a fault and SLO targets.
const WITH_FILES: &str = r#"
name = "files"
duration = "15m"
warmup = "1m"
replications = 5
sample_interval = "30s"
[[producers]]
name = "replayed"
arrivals = { trace = "data/sends.csv" }
[[producers]]
name = "steady"
rate = 12
[consumers]
count = 4
processing = { dist = "empirical", file = "data/service.txt" }
crash = { mtbf = "5m", restart = "20s" }
[[faults]]
kind = "consumer-outage"
at = "5m"
duration = "2m"
count = 2
[slo]
latency_p99 = "30s"
[sweep]
"consumers.count" = [3, 4, 6]
"#;

/// The scenario and its data files in `dir`; returns the scenario's path.
fn write_scenario(dir: &Path) -> PathBuf {
    fs::create_dir_all(dir.join("data")).unwrap();
    let sends: String = (0..4_000)
        .map(|i| format!("{:.3}\n", i as f64 * 0.2))
        .collect();
    fs::write(dir.join("data/sends.csv"), sends).unwrap();
    fs::write(
        dir.join("data/service.txt"),
        "80ms\n120ms\n0.2\n350ms\n90ms\n1s\n",
    )
    .unwrap();
    let file = dir.join("files.toml");
    fs::write(&file, WITH_FILES).unwrap();
    file
}

/// Every file under `dir` but `timing.json` (the one wall-clock file), by
/// relative path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().unwrap() != "timing.json" {
                let name = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                files.insert(name, fs::read(&path).unwrap());
            }
        }
    }
    files
}

fn assert_same_tree(whole: &Path, merged: &Path) {
    let (a, b) = (tree(whole), tree(merged));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the merge writes other files than the unsharded command"
    );
    for (name, bytes) in &a {
        assert!(
            bytes == &b[name],
            "{name} differs between the whole run and the merge"
        );
    }
    assert!(
        a.contains_key("report.html") && a.len() >= 4,
        "{:?}",
        a.keys()
    );
}

/// Runs `command` on the scenario whole, then as `n` shards (each with
/// another thread count), then merges the shards after the scenario and its
/// data files are gone; returns (whole, merged).
fn whole_and_merged(command: &str, n: u32, tmp: &Path) -> (PathBuf, PathBuf) {
    let scenario_dir = tmp.join("scenario");
    let file = write_scenario(&scenario_dir);
    let whole = tmp.join("whole");
    mqsim()
        .current_dir(tmp)
        .args([command, "scenario/files.toml", "--quiet", "--out", "whole"])
        .assert()
        .code(predicates::ord::le(1)); // 1: an SLO failed, which is a result
    let mut shards = Vec::new();
    for k in 1..=n {
        let out = format!("shard-{k}");
        mqsim()
            .current_dir(tmp)
            .args([command, "scenario/files.toml", "--quiet", "--out", &out])
            .args([
                "--shard",
                &format!("{k}/{n}"),
                "--threads",
                &(k % 3 + 1).to_string(),
            ])
            .assert()
            .success();
        shards.push(out);
    }
    fs::remove_dir_all(&scenario_dir).unwrap();
    assert!(!file.exists());
    mqsim()
        .current_dir(tmp)
        .arg("merge")
        .args(shards.iter().rev())
        .args(["--quiet", "--out", "merged"])
        .assert()
        .code(predicates::ord::le(1));
    (whole, tmp.join("merged"))
}

#[test]
fn a_run_merged_from_shards_is_byte_identical_to_the_whole_run() {
    let tmp = tempfile::tempdir().unwrap();
    let (whole, merged) = whole_and_merged("run", 3, tmp.path());
    assert_same_tree(&whole, &merged);
    assert!(merged.join("timing.json").exists());
}

#[test]
fn a_sweep_merged_from_shards_is_byte_identical_to_the_whole_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    // 4 shards of 15 items: uneven shares, every point split over shards.
    let (whole, merged) = whole_and_merged("sweep", 4, tmp.path());
    assert_same_tree(&whole, &merged);
    assert!(merged.join("sweep.csv").exists());
}

#[test]
fn more_shards_than_replications_still_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let (whole, merged) = whole_and_merged("run", 7, tmp.path());
    assert_same_tree(&whole, &merged);
}

/// Writes shards 1..=n of a small run of quickstart into `tmp`.
fn quickstart_shards(tmp: &Path, n: u32, extra: &[&str]) -> Vec<PathBuf> {
    (1..=n)
        .map(|k| {
            let out = tmp.join(format!("q{k}"));
            mqsim()
                .current_dir(root())
                .args(["run", "scenarios/quickstart.toml", "--quiet"])
                .args(["--set", "duration=\"10m\"", "--replications", "4"])
                .args(extra)
                .args(["--shard", &format!("{k}/{n}"), "--out"])
                .arg(&out)
                .assert()
                .success();
            out
        })
        .collect()
}

#[test]
fn merge_refuses_incomplete_repeated_or_foreign_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let shards = quickstart_shards(tmp.path(), 3, &[]);
    let other = quickstart_shards(&tmp.path().join("other"), 3, &["--seed", "7"]);
    let merge = |dirs: &[&PathBuf], why: &str| {
        mqsim()
            .arg("merge")
            .args(dirs)
            .arg("--out")
            .arg(tmp.path().join("m"))
            .assert()
            .code(2)
            .stderr(contains(why));
    };
    merge(&[&shards[0], &shards[2]], "shards 2 of 3 are missing");
    merge(&[&shards[0], &shards[1], &shards[1]], "given twice");
    merge(
        &[&shards[0], &shards[1], &other[2]],
        "not a shard of the same run",
    );
    merge(&[&tmp.path().join("nowhere")], "shard.json");
    let garbage = tmp.path().join("garbage");
    fs::create_dir_all(&garbage).unwrap();
    fs::write(garbage.join("shard.json"), "{ not json").unwrap();
    merge(&[&garbage], "garbage/shard.json");
    let bin = shards[1].join("results.bin");
    let mut bytes = fs::read(&bin).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    fs::write(&bin, bytes).unwrap();
    merge(
        &[&shards[0], &shards[1], &shards[2]],
        "does not match its manifest",
    );
    let manifest = shards[2].join("shard.json");
    let text = fs::read_to_string(&manifest).unwrap();
    let older = text.replace(env!("CARGO_PKG_VERSION"), "0.0.1");
    fs::write(&manifest, older).unwrap();
    merge(&[&shards[2]], "written by mqsim 0.0.1");
    assert!(
        !tmp.path().join("m").exists(),
        "a refused merge writes nothing"
    );
}

#[test]
fn shard_numbers_start_at_one_and_plan_cannot_be_sharded() {
    mqsim()
        .current_dir(root())
        .args(["run", "scenarios/quickstart.toml", "--shard", "0/4"])
        .assert()
        .code(2)
        .stderr(contains("numbered from 1"));
    mqsim()
        .current_dir(root())
        .args(["plan", "scenarios/capacity-plan.toml", "--shard", "1/2"])
        .assert()
        .code(2)
        .stderr(contains("plan cannot be sharded"));
    mqsim()
        .current_dir(root())
        .args([
            "sweep",
            "scenarios/capacity-plan.toml",
            "--shard",
            "1/2",
            "--resume",
        ])
        .assert()
        .code(2)
        .stderr(contains("--resume"));
}

/// A sweep whose first point takes milliseconds and whose second takes
/// seconds, so that a short --timeout always stops it between the two.
fn slow_sweep(out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    mqsim()
        .current_dir(root())
        .args(["sweep", "scenarios/quickstart.toml", "--quiet"])
        .args(["--replications", "4", "--threads", "2"])
        .args(["--vary", "duration=\"10m\",\"40h\"", "--out"])
        .arg(out)
        .args(extra)
        .timeout(std::time::Duration::from_secs(120))
        .assert()
}

#[test]
fn an_interrupted_sweep_keeps_finished_points_and_resume_completes_it() {
    let tmp = tempfile::tempdir().unwrap();
    let (whole, resumed) = (tmp.path().join("whole"), tmp.path().join("resumed"));
    slow_sweep(&whole, &[]).success();
    slow_sweep(&resumed, &["--timeout", "300ms"])
        .code(1)
        .stderr(contains("1 of 2 points finished").and(contains("--resume")));
    let kept: Vec<_> = fs::read_dir(resumed.join(".resume")).unwrap().collect();
    assert_eq!(kept.len(), 1, "one finished point is recorded");
    assert!(
        resumed
            .join("points/000_duration=10m/summary.json")
            .exists()
    );
    assert!(
        !resumed.join("sweep.csv").exists(),
        "no sweep.csv before the sweep is done"
    );
    slow_sweep(&resumed, &["--resume"]).success();
    assert!(
        !resumed.join(".resume").exists(),
        "records go once the sweep is done"
    );
    assert_same_tree(&whole, &resumed);
}

#[test]
fn a_plan_stopped_by_the_timeout_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("plan");
    mqsim()
        .current_dir(root())
        .args(["plan", "scenarios/quickstart.toml", "--quiet"])
        .args(["--set", "duration=\"40h\"", "--replications", "4"])
        .args([
            "--vary",
            "consumers.count=6..12",
            "--timeout",
            "300ms",
            "--out",
        ])
        .arg(&out)
        .timeout(std::time::Duration::from_secs(120))
        .assert()
        .code(1)
        .stderr(contains("plan stopped (--timeout)"));
    assert!(!out.exists());
}

#[test]
fn a_shard_stopped_by_the_timeout_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("shard");
    mqsim()
        .current_dir(root())
        .args(["run", "scenarios/quickstart.toml", "--quiet"])
        .args(["--set", "duration=\"40h\"", "--replications", "4"])
        .args(["--shard", "1/2", "--timeout", "300ms", "--out"])
        .arg(&out)
        .timeout(std::time::Duration::from_secs(120))
        .assert()
        .code(1)
        .stderr(contains("nothing written"));
    assert!(!out.exists());
}

#[test]
fn max_backlog_marks_overloaded_sweep_points_and_plan_rejects_them() {
    let tmp = tempfile::tempdir().unwrap();
    mqsim()
        .current_dir(root())
        .args(["sweep", "scenarios/quickstart.toml"])
        .args(["--set", "duration=\"20m\"", "--replications", "3"])
        .args([
            "--vary",
            "consumers.count=2,9",
            "--max-backlog",
            "2000",
            "--out",
        ])
        .arg(tmp.path().join("sweep"))
        .assert()
        .success()
        .stdout(contains("STOPPED").and(contains("PASS")));
    let summary = fs::read_to_string(
        tmp.path()
            .join("sweep/points/000_consumers.count=2/summary.json"),
    )
    .unwrap();
    assert!(summary.contains("\"partial\""), "{summary}");
    mqsim()
        .current_dir(root())
        .args(["plan", "scenarios/quickstart.toml", "--quiet"])
        .args(["--set", "duration=\"20m\"", "--replications", "3"])
        .args([
            "--vary",
            "consumers.count=2,9",
            "--max-backlog",
            "2000",
            "--out",
        ])
        .arg(tmp.path().join("plan"))
        .assert()
        .success();
    let plan = fs::read_to_string(tmp.path().join("plan/plan.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&plan).unwrap();
    assert_eq!(doc["value"], serde_json::json!(9), "{plan}");
}

#[test]
fn ctrl_c_stops_a_sweep_between_points_and_resume_continues_it() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sweep");
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("mqsim"))
        .current_dir(root())
        .args(["sweep", "scenarios/quickstart.toml", "--quiet"])
        .args(["--replications", "4", "--threads", "2"])
        .args(["--vary", "duration=\"10m\",\"40h\"", "--out"])
        .arg(&out)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    crate::common::interrupt(&child);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("sweep stopped (interrupted)"), "{stderr}");
    assert_eq!(fs::read_dir(out.join(".resume")).unwrap().count(), 1);
    slow_sweep(&out, &["--resume"]).success();
    assert!(out.join("sweep.csv").exists() && !out.join(".resume").exists());
}

#[test]
fn example_scripts_are_valid_shell() {
    let mut checked = 0;
    for dir in ["slurm", "parallel", "kubernetes"] {
        for entry in fs::read_dir(root().join("examples").join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.to_string_lossy().into_owned();
            if name.ends_with(".sh") || name.ends_with(".sbatch") {
                let status = std::process::Command::new("bash")
                    .arg("-n")
                    .arg(&path)
                    .status()
                    .unwrap();
                assert!(status.success(), "{name} has a syntax error");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 5, "every example script is checked");
}
