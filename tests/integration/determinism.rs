//! Same scenario + seed ⇒ same bytes, whatever the thread count.

use std::fs;
use std::path::Path;

use crate::common::{mqsim, root};

const RESULT_FILES: [&str; 7] = [
    "summary.json",
    "replications.csv",
    "timeseries.csv",
    "latency.csv",
    "report.html",
    "charts/backlog.svg",
    "charts/latency.png",
];

/// `mqsim run FILE --quiet --set duration=DURATION --replications N` at
/// `threads` threads into `out`.
fn run_with_threads(file: &str, duration: &str, replications: &str, threads: &str, out: &Path) {
    mqsim()
        .current_dir(root())
        .args(["run", file, "--quiet"])
        .args([
            "--set",
            &format!("duration=\"{duration}\""),
            "--replications",
            replications,
        ])
        .args(["--threads", threads, "--out"])
        .arg(out)
        .assert()
        .success();
}

/// Each of `files` has the same bytes under `one` and `many`.
fn assert_same_files(one: &Path, many: &Path, files: &[&str], threads: &str) {
    for file in files {
        let a = fs::read(one.join(file)).unwrap();
        let b = fs::read(many.join(file)).unwrap();
        assert!(
            a == b,
            "{file} differs between --threads 1 and --threads {threads}"
        );
    }
}

#[test]
fn output_files_are_identical_at_one_and_several_threads() {
    let dir = tempfile::tempdir().unwrap();
    let (one, many) = (dir.path().join("t1"), dir.path().join("t4"));
    let quickstart = "scenarios/quickstart.toml";
    run_with_threads(quickstart, "20m", "6", "1", &one);
    run_with_threads(quickstart, "20m", "6", "4", &many);
    assert_same_files(&one, &many, &RESULT_FILES, "4");
    for file in RESULT_FILES {
        assert!(
            !fs::read(one.join(file)).unwrap().is_empty(),
            "{file} is empty"
        );
    }
}

#[test]
fn a_network_gives_the_same_bytes_at_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("t1"), dir.path().join("t2"));
    let pipeline = "scenarios/order-pipeline.toml";
    run_with_threads(pipeline, "15m", "4", "1", &one);
    run_with_threads(pipeline, "15m", "4", "2", &two);
    let files = [
        "summary.json",
        "replications.csv",
        "timeseries.csv",
        "latency.csv",
        "report.html",
        "charts/queues.svg",
    ];
    assert_same_files(&one, &two, &files, "2");
}

#[test]
fn sweep_files_are_identical_at_one_and_several_threads() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = |threads: &str| {
        let out = dir.path().join(format!("t{threads}"));
        mqsim()
            .current_dir(root())
            .args(["sweep", "scenarios/quickstart.toml", "--quiet"])
            .args(["--set", "duration=\"10m\"", "--replications", "3"])
            .args([
                "--vary",
                "consumers.count=6,8,10",
                "--threads",
                threads,
                "--out",
            ])
            .arg(&out)
            .assert()
            .success();
        out
    };
    let (one, two) = (sweep("1"), sweep("2"));
    let files = [
        "sweep.csv",
        "report.html",
        "points/001_consumers.count=8/summary.json",
        "charts/sweep_latency_p99.svg",
    ];
    assert_same_files(&one, &two, &files, "2");
}

#[test]
fn a_replication_does_not_depend_on_the_others() {
    use crate::common::scenario;
    use mqsim::engine::run_replication;
    let text = fs::read_to_string(root().join("scenarios/quickstart.toml")).unwrap();
    let sc = scenario(&text.replace("duration = \"1h\"", "duration = \"10m\""));
    let third = run_replication(&sc, 2);
    let again = run_replication(&sc, 2);
    assert_eq!(third.metrics, again.metrics);
    assert_ne!(third.metrics, run_replication(&sc, 1).metrics);
}
