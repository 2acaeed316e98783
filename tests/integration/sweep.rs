//! `mqsim sweep` and `mqsim plan` on M/M/c, where theory knows the answer.

use std::fs;

use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;

use crate::common::{mqsim, scenario};
use mqsim::engine::run_replication;
use mqsim::validation::theory::Mmc;

/// λ = 20/s, exp(1 s), p99 target 5.5 s.
const MMC: &str = r#"
name = "mmc"
duration = "2h"
warmup = "10m"
replications = 10
seed = 5
sample_interval = "60s"
[queue]
visibility_timeout = "12h"
[[producers]]
rate = 20
[consumers]
count = 22
batch_size = 1
processing = { dist = "exp", mean = "1s" }
[slo]
latency_p99 = "5.5s"
"#;

fn write(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mmc.toml");
    fs::write(&file, text).unwrap();
    (dir, file)
}

#[test]
fn a_consumer_sweep_lowers_p99_and_writes_sweep_csv() {
    let (dir, file) = write(MMC);
    let out = dir.path().join("out");
    mqsim()
        .arg("sweep")
        .arg(&file)
        .args(["--vary", "consumers.count=21,22,24,28", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let mut reader = csv::Reader::from_path(out.join("sweep.csv")).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let mut expected = vec!["consumers.count".to_owned()];
    for m in crate::common::common_metrics() {
        expected.extend([
            (*m).to_owned(),
            format!("{m}_ci95_low"),
            format!("{m}_ci95_high"),
        ]);
    }
    assert_eq!(header, expected);
    let p99_col = header.iter().position(|h| h == "latency_p99").unwrap();
    let rows: Vec<(u32, f64)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].parse().unwrap(), r[p99_col].parse().unwrap())
        })
        .collect();
    assert_eq!(
        rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        [21, 22, 24, 28]
    );
    assert!(
        rows.windows(2).all(|w| w[1].1 < w[0].1),
        "p99 must fall: {rows:?}"
    );
    for (i, c) in [21, 22, 24, 28].iter().enumerate() {
        let summary = out.join(format!("points/{i:03}_consumers.count={c}/summary.json"));
        assert!(summary.exists(), "{}", summary.display());
    }
}

/// Replication k of every point draws the same arrivals and processing
/// times (in FIFO order message k gets processing draw k at any consumer
/// count), so the difference between two consumer counts varies far less
/// across replications than with independent streams.
#[test]
fn common_random_numbers_shrink_point_to_point_noise() {
    let at = |count: u32, seed: u64| {
        let mut sc = scenario(&MMC.replace("count = 22", &format!("count = {count}")));
        sc.seed = seed;
        sc.replications = 40;
        (0..sc.replications)
            .map(|r| run_replication(&sc, r).metrics.latency_mean)
            .collect::<Vec<f64>>()
    };
    let variance = |d: &[f64]| {
        let m = d.iter().sum::<f64>() / d.len() as f64;
        d.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (d.len() - 1) as f64
    };
    let (a, same, other) = (at(22, 5), at(23, 5), at(23, 6));
    let crn: Vec<f64> = a.iter().zip(&same).map(|(x, y)| x - y).collect();
    let independent: Vec<f64> = a.iter().zip(&other).map(|(x, y)| x - y).collect();
    let (v_crn, v_ind) = (variance(&crn), variance(&independent));
    // Measured ratio ≈ 3.3; with 39 degrees of freedom each, a ratio of 2
    // is beyond the 1% point of the F distribution under equal variances.
    assert!(
        v_crn < v_ind / 2.0,
        "CRN variance {v_crn} vs independent {v_ind}"
    );
}

/// The smallest c whose exact M/M/c sojourn p99 is within 5.5 s.
fn erlang_answer() -> u32 {
    (21..60)
        .find(|&c| {
            let theory = Mmc {
                lambda: 20.0,
                mu: 1.0,
                c,
            };
            theory.sojourn_quantile(0.99) <= 5.5
        })
        .unwrap()
}

#[test]
fn plan_finds_the_erlang_c_answer_with_few_runs() {
    let answer = erlang_answer();
    let (dir, file) = write(MMC);
    let out = dir.path().join("plan");
    mqsim()
        .arg("plan")
        .arg(&file)
        .args(["--vary", "consumers.count=21..60", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(contains(format!("chosen: consumers.count = {answer}")))
        .stdout(contains(format!("{} fails: latency_p99", answer - 1)));
    let plan: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("plan.json")).unwrap()).unwrap();
    assert_eq!(plan["key"], "consumers.count");
    assert_eq!(plan["value"], answer);
    let tried = plan["tried"].as_array().unwrap();
    // Bisection over 40 values: far fewer runs than values.
    assert!(tried.len() <= 8, "{} values tried", tried.len());
    let below = tried.iter().find(|t| t["value"] == answer - 1).unwrap();
    assert_eq!(below["pass"], false);
    assert!(
        tried
            .iter()
            .all(|t| t["metrics"]["latency_p99"]["mean"].is_f64())
    );
}

#[test]
fn plan_exits_1_and_names_the_closest_when_nothing_passes() {
    let (dir, file) = write(MMC);
    mqsim()
        .arg("plan")
        .arg(&file)
        .args(["--vary", "consumers.count=18..21", "--quiet", "--out"])
        .arg(dir.path().join("plan"))
        .assert()
        .code(1)
        .stdout(contains(
            "no value of consumers.count in the range meets every SLO; closest: 21",
        ));
}

#[test]
fn sweep_and_plan_reject_bad_requests_as_bad_input() {
    let (_dir, file) = write(MMC);
    mqsim()
        .arg("sweep")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(contains("nothing to sweep"));
    mqsim()
        .arg("sweep")
        .arg(&file)
        .args(["--vary", "consumers.count=1..5:0"])
        .assert()
        .code(2)
        .stderr(contains("step"));
    mqsim()
        .arg("sweep")
        .arg(&file)
        .args(["--vary", "consumers.cuont=1,2"])
        .assert()
        .code(2)
        .stderr(contains("cuont"));
    let (_dir, no_slo) = write(&MMC.replace("[slo]\nlatency_p99 = \"5.5s\"\n", ""));
    mqsim()
        .arg("plan")
        .arg(&no_slo)
        .args(["--vary", "consumers.count=21..30"])
        .assert()
        .code(2)
        .stderr(contains("[slo]"));
}

/// Quickstart with 3 consumers for 10 minutes: the backlog grows so fast
/// that no message sent after the 5-minute warm-up is processed by the end,
/// and latency_p99 reads 0. Such a target is not measured: it must fail.
#[test]
fn a_latency_target_that_a_backlog_left_unmeasured_fails() {
    let dir = tempfile::tempdir().unwrap();
    let root = crate::common::root();
    mqsim()
        .current_dir(&root)
        .args([
            "run",
            "scenarios/quickstart.toml",
            "--quiet",
            "--replications",
            "3",
        ])
        .args([
            "--set",
            "consumers.count=3",
            "--set",
            "duration=\"10m\"",
            "--out",
        ])
        .arg(dir.path().join("run"))
        .assert()
        .code(1);
    let summary = fs::read_to_string(dir.path().join("run/summary.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&summary).unwrap();
    let p99 = &doc["slo"]["latency_p99"];
    assert_eq!(p99["mean"], serde_json::json!(0), "{summary}");
    assert_eq!(p99["pass"], serde_json::json!(false), "{summary}");
    assert_eq!(p99["unmeasured_replications"], serde_json::json!(3));
    // plan would otherwise choose 3 consumers for a p99 of 0.
    mqsim()
        .current_dir(&root)
        .args(["plan", "scenarios/quickstart.toml", "--replications", "3"])
        .args([
            "--set",
            "duration=\"10m\"",
            "--vary",
            "consumers.count=3,12",
            "--out",
        ])
        .arg(dir.path().join("plan"))
        .assert()
        .success()
        .stdout(contains("FAIL (not measured)").and(contains("chosen: consumers.count = 12")));
}
