//! Same scenario + seed ⇒ same bytes, whatever the thread count.

use std::fs;

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

fn run_with_threads(threads: &str, out: &std::path::Path) {
    mqsim()
        .current_dir(root())
        .args(["run", "scenarios/quickstart.toml", "--quiet"])
        .args(["--set", "duration=\"20m\"", "--replications", "6"])
        .args(["--threads", threads, "--out"])
        .arg(out)
        .assert()
        .success();
}

#[test]
fn output_files_are_identical_at_one_and_several_threads() {
    let dir = tempfile::tempdir().unwrap();
    let (one, many) = (dir.path().join("t1"), dir.path().join("t4"));
    run_with_threads("1", &one);
    run_with_threads("4", &many);
    for file in RESULT_FILES {
        let a = fs::read(one.join(file)).unwrap();
        let b = fs::read(many.join(file)).unwrap();
        assert!(a == b, "{file} differs between --threads 1 and --threads 4");
        assert!(!a.is_empty(), "{file} is empty");
    }
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
    for file in [
        "sweep.csv",
        "report.html",
        "points/001_consumers.count=8/summary.json",
        "charts/sweep_latency_p99.svg",
    ] {
        let (a, b) = (
            fs::read(one.join(file)).unwrap(),
            fs::read(two.join(file)).unwrap(),
        );
        assert!(a == b, "{file} differs between --threads 1 and --threads 2");
    }
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
