//! `mqsim validate`: the quick suite passes, too few replications are
//! reported as imprecise, and the verdict rule catches a 3% bias on real
//! replications. Also the warm-up advice of `mqsim run`.

use predicates::prelude::*;
use predicates::str::contains;
use rayon::prelude::*;

use crate::common::mqsim;
use mqsim::engine::result::ReplicationResult;
use mqsim::engine::run_replication;
use mqsim::scenario::Scenario;
use mqsim::validation::{Mode, Quantity, Verdict, suite, validate};

#[test]
fn the_quick_suite_passes() {
    let out = mqsim()
        .args(["validate", "--quick", "--quiet", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc["pass"], true);
    let checks = doc["checks"].as_array().unwrap();
    assert!(checks.len() >= 40, "{} checks", checks.len());
    assert!(checks.iter().all(|c| c["verdict"] == "pass"));
}

#[test]
fn too_few_replications_are_imprecise_and_exit_1() {
    mqsim()
        .args(["validate", "--quick", "--quiet", "--replications", "2"])
        .assert()
        .code(1)
        .stdout(contains("IMPRECISE"))
        .stdout(
            contains("model")
                .and(contains("theory"))
                .and(contains("95% interval")),
        );
}

fn run_parallel(sc: &Scenario) -> Vec<ReplicationResult> {
    (0..sc.replications)
        .into_par_iter()
        .map(|i| run_replication(sc, i))
        .collect()
}

/// The full-size M/M/1 model at rho = 0.5 passes as run, and fails its mean
/// checks when the same replications are biased by 3% either way.
#[test]
fn a_three_percent_bias_fails_the_full_rule() {
    let model = suite(Mode::Full, None).remove(0);
    assert!(model.name.starts_with("M/M/1 rho=0.5"));
    let results = run_parallel(&model.scenario);
    let judge = |results: Vec<ReplicationResult>| {
        let run = |_: &Scenario| results.clone();
        validate(
            std::slice::from_ref(&model),
            Mode::Full,
            &run,
            &mut |_, _| {},
        )
    };
    assert!(
        judge(results.clone())
            .iter()
            .all(|c| c.verdict == Verdict::Pass)
    );
    for factor in [1.03, 0.97] {
        let biased: Vec<ReplicationResult> = results
            .iter()
            .cloned()
            .map(|mut r| {
                r.metrics.wait_mean *= factor;
                r.metrics.latency_mean *= factor;
                r
            })
            .collect();
        let checks = judge(biased);
        for (check, e) in checks.iter().zip(&model.expectations) {
            let biased = matches!(e.quantity, Quantity::WaitMean | Quantity::SojournMean);
            let expected = if biased { Verdict::Fail } else { Verdict::Pass };
            assert_eq!(check.verdict, expected, "{} x{factor}", check.quantity);
        }
    }
}

const SLOW_START: &str = r#"
duration = "4h"
replications = 10
sample_interval = "10s"
[queue]
visibility_timeout = "12h"
[[producers]]
rate = 0.95
[consumers]
count = 1
batch_size = 1
processing = { dist = "exp", mean = "1s" }
"#;

#[test]
fn run_warns_when_the_warm_up_is_too_short() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mm1.toml");
    // M/M/1 at rho 0.95 relaxes over ~26 minutes: no warm-up is too short …
    std::fs::write(&file, SLOW_START).unwrap();
    mqsim()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(dir.path().join("a"))
        .assert()
        .success()
        .stderr(contains("warm-up looks too short: MSER-5"));
    // … and two hours is plenty.
    std::fs::write(&file, format!("warmup = \"2h\"\n{SLOW_START}")).unwrap();
    mqsim()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(dir.path().join("b"))
        .assert()
        .success()
        .stderr(contains("warm-up looks too short").not());
}
