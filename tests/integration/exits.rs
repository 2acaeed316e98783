//! Exit codes and the words of command-line mistakes: every error the user can
//! fix is exit 2, found before anything is simulated, and names the flag or
//! file it comes from in the user's terms.

use std::fs;
use std::time::{Duration, Instant};

use predicates::prelude::*;
use predicates::str::contains;

use crate::common::{mqsim, root, write};

/// A scenario that takes minutes to simulate: an error found only after it
/// would make the test time out.
const SLOW: &str = r#"name = "slow"
duration = "400h"
replications = 2
[[producers]]
rate = 200
[consumers]
count = 40
processing = { dist = "exp", mean = "100ms" }
"#;

fn quickstart() -> std::path::PathBuf {
    root().join("scenarios/quickstart.toml")
}

#[test]
fn unusable_output_paths_are_bad_input_found_before_simulating() {
    let dir = tempfile::tempdir().unwrap();
    let slow = write(dir.path(), "slow.toml", SLOW);
    let file = write(dir.path(), "a-file", "x");
    let started = Instant::now();
    for command in ["run", "sweep", "plan"] {
        let mut cmd = mqsim();
        cmd.arg(command).arg(&slow).arg("--out").arg(&file);
        if command != "run" {
            cmd.args(["--vary", "consumers.count=40,41"]);
        }
        if command == "plan" {
            cmd.args(["--set", "slo.latency_p99=\"1s\""]);
        }
        cmd.timeout(Duration::from_secs(60))
            .assert()
            .code(2)
            .stderr(contains("the output path is a file, not a directory"));
    }
    for command in ["run", "sweep"] {
        let mut cmd = mqsim();
        cmd.arg(command).arg(&slow);
        if command == "sweep" {
            cmd.args(["--vary", "consumers.count=40,41"]);
        }
        cmd.args(["--shard", "1/2", "--out"])
            .arg(file.join("under"))
            .timeout(Duration::from_secs(60))
            .assert()
            .code(2)
            .stderr(contains("a-file is a file"));
    }
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the errors must come before simulating 400 h"
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), "x");
}

#[test]
fn long_swept_values_make_short_unique_directories_and_full_values_in_sweep_csv() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = ("a".repeat(300), "b".repeat(300));
    let text = format!(
        "name = \"long\"\nduration = \"1m\"\nreplications = 2\n[[producers]]\nrate = 2\n\
         [consumers]\nprocessing = \"10ms\"\n[sweep]\ndescription = [\"{a}\", \"{b}\"]\n"
    );
    let file = write(dir.path(), "long.toml", &text);
    let out = dir.path().join("out");
    mqsim()
        .arg("sweep")
        .arg(&file)
        .args(["--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let names: Vec<String> = fs::read_dir(out.join("points"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.iter().all(|n| n.len() <= 80), "{names:?}");
    let csv = fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert!(csv.contains(&a) && csv.contains(&b));
}

#[test]
fn vary_mistakes_name_the_flag_and_what_is_allowed() {
    let q = quickstart();
    let cases: [(&[&str], &[&str]); 4] = [
        (
            &["sweep", "--vary", "consumers.count=70..50"],
            &["quickstart.toml: --vary consumers.count=70..50: the range ends"],
        ),
        (
            &["sweep", "--vary", "consumers.count=50-70"],
            &[
                "in --vary consumers.count=50-70",
                "expected an integer",
                "--vary consumers.count=50..70",
            ],
        ),
        (
            &["run", "--vary", "consumers.count=5"],
            &["use `mqsim sweep"],
        ),
        (
            &[
                "plan",
                "--vary",
                "consumers.count=5,6",
                "--vary",
                "queue.visibility_timeout=10,20",
            ],
            &["plan searches one key and was given 2", "--set KEY=VALUE"],
        ),
    ];
    for (args, needles) in cases {
        let mut assert = mqsim()
            .arg(args[0])
            .arg(&q)
            .args(&args[1..])
            .assert()
            .code(2);
        for needle in needles {
            assert = assert.stderr(contains(*needle));
        }
        assert
            .stderr(contains("error: :").not())
            .stderr(contains("-- --vary").not());
    }
}

#[test]
fn set_mistakes_blame_the_override_not_a_line_of_the_file() {
    let plan = root().join("scenarios/capacity-plan.toml");
    mqsim()
        .arg("check")
        .arg(&plan)
        .args(["--set", "faults.0.at=50m"])
        .assert()
        .code(2)
        .stderr(contains(
            "in --set faults.0.at=50m: faults.0: the fault (at 50m",
        ))
        .stderr(predicates::str::is_match(r"toml:\d").unwrap().not());
    mqsim()
        .arg("check")
        .arg(quickstart())
        .args(["--set", "faults.0.at=50m"])
        .assert()
        .code(2)
        .stderr(contains("faults.0: the file has no such entry"))
        .stderr(contains("invalid type: map").not());
    mqsim()
        .arg("check")
        .arg(quickstart())
        .args(["--set", "consumers.count=1.5"])
        .assert()
        .code(2)
        .stderr(contains("expected an integer"))
        .stderr(contains("i64").not());
}
