//! `mqsim check FILE` prints the resolved scenario in the scenario-file
//! format: saved next to the original (data files are named relative to
//! the scenario's directory), it loads back to the same scenario, SHA-256
//! for SHA-256, for every example and for variants that exercise every
//! distribution, FIFO, autoscaling, faults, presets, SLOs and costs.

use std::fs;
use std::path::Path;

use crate::common::{mqsim, root, toml_files};
use mqsim::output::summary::scenario_sha256;
use mqsim::scenario::load;

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Prints `file` resolved (with `set`), saves it beside `file`, loads it
/// back, and compares the two scenarios' SHA-256.
fn round_trip(file: &Path, set: &[&str]) {
    let mut cmd = mqsim();
    cmd.arg("check").arg(file);
    for s in set {
        cmd.args(["--set", s]);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}: {out:?}", file.display());
    let text = String::from_utf8(out.stdout).unwrap();
    let resolved = text.split("# analysis").next().unwrap();
    let saved = file.with_extension("resolved.toml");
    fs::write(&saved, resolved).unwrap();
    let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
    let original = load(file, &set).unwrap();
    let back = load(&saved, &[]).unwrap_or_else(|e| {
        panic!(
            "{}: the printed scenario does not load: {e}\n{resolved}",
            file.display()
        )
    });
    assert_eq!(
        scenario_sha256(&original),
        scenario_sha256(&back),
        "{} {set:?}: the printed scenario loads as another one:\n{resolved}",
        file.display()
    );
    fs::remove_file(saved).unwrap();
}

#[test]
fn every_example_scenario_prints_a_scenario_that_loads_back_the_same() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("scenarios"), dir.path());
    for name in toml_files(dir.path()) {
        round_trip(&dir.path().join(name), &[]);
    }
}

#[test]
fn variants_print_scenarios_that_load_back_the_same() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("scenarios"), dir.path());
    fs::write(
        dir.path().join("samples.txt"),
        "100ms\n0.25\n# comment\n1s\n",
    )
    .unwrap();
    let quickstart = dir.path().join("quickstart.toml");
    let processing = [
        "\"150ms\"",
        "{ dist = \"const\", value = \"1s\" }",
        "{ dist = \"exp\", mean = 0.1234567891 }",
        "{ dist = \"uniform\", min = \"10ms\", max = \"1s\" }",
        "{ dist = \"normal\", mean = \"200ms\", sd = \"50ms\" }",
        "{ dist = \"lognormal\", mean = \"200ms\", p99 = \"1s\" }",
        "{ dist = \"lognormal\", median = \"77ms\", sigma = 0.7 }",
        "{ dist = \"gamma\", mean = \"130ms\", cv = 0.3 }",
        "{ dist = \"weibull\", scale = \"100ms\", shape = 1.5 }",
        "{ dist = \"pareto\", scale = \"50ms\", shape = 2.5 }",
        "{ dist = \"empirical\", file = \"samples.txt\" }",
    ];
    for p in processing {
        round_trip(&quickstart, &[&format!("consumers.processing={p}")]);
    }
    let variants: &[&[&str]] = &[
        &[
            "queue.type=\"fifo\"",
            "producers.0.groups=16",
            "producers.0.group_skew=0.5",
        ],
        &["queue.preset=\"sqs-fifo\"", "consumers.heartbeat=\"10s\""],
        &["queue.preset=\"rabbitmq-quorum\""],
        &["queue.preset=\"pubsub\""],
        &["queue.preset=\"lambda-sqs\""],
        &[
            "consumers.autoscale={ target_backlog_per_consumer = 20, min = 2, max = 30, \
             schedule = [[\"0s\", 4], [\"30m\", 8]], scale_out_rate = 60 }",
        ],
        &[
            "consumers.crash={ mtbf = \"2h\", per_message = 0.001, restart = { dist = \"gamma\", mean = \"20s\", cv = 0.7 } }",
            "queue.max_receive_count=3",
            "queue.throughput_limit=300",
            "producers.0.lost_acks=0.01",
            "queue.stale_delete=\"deletes\"",
        ],
        &["producers.0.arrivals=\"constant\"", "queue.delay=\"2s\""],
    ];
    for set in variants {
        round_trip(&quickstart, set);
    }
    // Every kind of fault, a sweep, SLOs and costs: capacity-plan has the
    // sweep and costs; the faults come in a file of their own.
    round_trip(
        &dir.path().join("capacity-plan.toml"),
        &["slo.latency_p99=\"45s\""],
    );
    let faults = fs::read_to_string(&quickstart).unwrap()
        + "\n[[faults]]\nkind = \"consumer-outage\"\nat = \"10m\"\nduration = \"5m\"\ncount = 2\n\
           [[faults]]\nkind = \"consumer-outage\"\nat = \"20m\"\nduration = \"5m\"\nfraction = 0.5\n\
           [[faults]]\nkind = \"queue-outage\"\nat = \"30m\"\nduration = \"1m\"\n\
           [[faults]]\nkind = \"spike\"\nat = \"35m\"\nduration = \"5m\"\nfactor = 2.5\nproducer = \"web\"\n\
           [[faults]]\nkind = \"slowdown\"\nat = \"40m\"\nduration = \"5m\"\nfactor = 3\n\
           [[faults]]\nkind = \"error-burst\"\nat = \"50m\"\nduration = \"5m\"\nerror_rate = 0.3\n";
    let file = dir.path().join("faults.toml");
    fs::write(&file, faults).unwrap();
    round_trip(&file, &[]);
}
