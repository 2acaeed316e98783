//! Tests of the outputs of shared resources and circuit breakers: snapshots
//! of `summary.json`'s `resources` and `breakers`, of `timeseries.csv` and
//! of the terminal table on a hand-made run of a scenario with a resource
//! and a breaker (built in code, so that the tests do not depend on the
//! parser); a scenario without them writes none of it; a real run's
//! figures are sane; the report shows them only when there are some.

use std::path::Path;

use super::snapshot_tests::replication;
use super::*;
use crate::dist::Dist;
use crate::engine::recorder::latency_histogram;
use crate::engine::result::{
    BreakerChange, ReplicationResult, ResourceMetrics, ResourceResult, ResourceSample,
};
use crate::scenario::{Breaker, Contention, ResourceNode, ResourceRef, Scenario, Use};
use crate::time::SimTime;

const BASE: &str = "name = \"res\"\nseed = 9\nreplications = 2\nduration = \"10m\"\n\
                    [[producers]]\nrate = 80\n[consumers]\ncount = 50\nbatch_size = 1\n\
                    processing = \"0s\"\n";

/// A single queue whose 50 consumers hold `db` (capacity 10, exponential
/// holds of 100 ms) for each message, with a breaker when `breaker`.
pub(crate) fn resource_scenario(text: &str, breaker: bool) -> Scenario {
    let mut sc = crate::scenario::load_str(text, Path::new("res.toml"), &[]).unwrap();
    sc.resources.push(ResourceNode {
        name: "db".into(),
        capacity: 10,
        acquire_timeout: Some(SimTime::from_secs(2)),
        contention: Contention::None,
    });
    let fleet = sc.queues[0].consumers.as_mut().unwrap();
    fleet.uses.push(Use {
        resource: ResourceRef {
            name: "db".into(),
            index: 0,
        },
        hold: Dist::Exp { mean: 0.1 },
    });
    if breaker {
        fleet.breaker = Some(Breaker {
            error_rate: 0.5,
            window: SimTime::from_secs(30),
            min_calls: 20,
            open_for: SimTime::from_secs(60),
        });
    }
    sc
}

fn with_resource(i: u32) -> ReplicationResult {
    let mut r = replication(i, 100.0, 0.9);
    let k = f64::from(i);
    let mut wait = latency_histogram();
    for us in [1, 1, 20_000, 150_000 * u64::from(i + 1)] {
        wait.record(us).unwrap();
    }
    r.resources = vec![ResourceResult {
        name: "db".into(),
        metrics: ResourceMetrics {
            utilization: 0.78 + 0.04 * k,
            wait_mean: 0.02 + 0.001 * k,
            wait_p99: 0.15 * (k + 1.0),
            timeouts: k,
            holders_max: 10.0,
            acquired: 48_000.0 + 100.0 * k,
            waiters_max: 12.0 + k,
            waiters_mean: 0.5,
            hold_mean: 0.1,
        },
        wait,
        timeseries: r
            .timeseries
            .iter()
            .map(|s| ResourceSample {
                time: s.time,
                holders: 8.0 + k,
                waiters: 1.0 + k,
            })
            .collect(),
    }];
    if i == 0 {
        r.metrics.breaker_opens = 1.0;
        r.metrics.breaker_open_time = 60.5;
        r.breaker_changes = [(5.0, "open"), (65.0, "half-open"), (65.5, "closed")]
            .map(|(time, state)| BreakerChange {
                time,
                queue: "queue".into(),
                state: state.into(),
            })
            .to_vec();
    }
    r
}

fn run() -> (Scenario, RunSummary) {
    let sc = resource_scenario(BASE, true);
    let results = vec![with_resource(0), with_resource(1)];
    let summary = aggregate(&sc, &results);
    (sc, summary)
}

#[test]
fn summary_json_resources_snapshot() {
    let (_, summary) = run();
    let json: serde_json::Value = serde_json::from_str(&summary_json(&summary)).unwrap();
    let parts = serde_json::json!({
        "resources": json["resources"],
        "breakers": json["breakers"],
        "breaker_metrics": {
            "breaker_opens": json["metrics"]["breaker_opens"],
            "breaker_open_time": json["metrics"]["breaker_open_time"],
        },
    });
    insta::assert_snapshot!(serde_json::to_string_pretty(&parts).unwrap());
}

#[test]
fn timeseries_csv_resources_snapshot() {
    let (_, summary) = run();
    insta::assert_snapshot!(String::from_utf8(csv_files::timeseries_csv(&summary)).unwrap());
}

#[test]
fn table_resources_snapshot() {
    let (_, summary) = run();
    let mut out = Vec::new();
    write_table(&summary, &mut out).unwrap();
    insta::assert_snapshot!(String::from_utf8(out).unwrap());
}

#[test]
fn a_scenario_without_resources_or_breakers_writes_none_of_them() {
    let sc = crate::scenario::load_str(BASE, Path::new("res.toml"), &[]).unwrap();
    let results = vec![replication(0, 100.0, 0.9), replication(1, 104.0, 1.2)];
    let summary = aggregate(&sc, &results);
    assert!(summary.resources.is_empty() && summary.breakers.is_none());
    let json: serde_json::Value = serde_json::from_str(&summary_json(&summary)).unwrap();
    assert!(json.get("resources").is_none() && json.get("breakers").is_none());
    assert!(json["metrics"].get("breaker_opens").is_none());
    let csv = String::from_utf8(csv_files::timeseries_csv(&summary)).unwrap();
    assert!(!csv.contains("holders") && !csv.contains("waiters"));
    let mut out = Vec::new();
    write_table(&summary, &mut out).unwrap();
    let table = String::from_utf8(out).unwrap();
    assert!(!table.contains("resources") && !table.contains("breaker"));
}

#[test]
fn a_breaker_that_never_changed_writes_an_empty_timeline() {
    let sc = resource_scenario(BASE, true);
    let results = vec![replication(0, 100.0, 0.9)];
    let summary = aggregate(&sc, &results);
    let json: serde_json::Value = serde_json::from_str(&summary_json(&summary)).unwrap();
    assert_eq!(json["breakers"], serde_json::json!([]));
    let lines = resource_table::breaker_lines(&summary).unwrap();
    assert_eq!(lines, ["no breaker opened"]);
}

/// The brief's worked example: 80 msg/s, holds of 100 ms on 10 slots is a
/// load of 8, so utilisation about 0.8 and a short wait (M/M/10: ~20 ms).
#[test]
fn a_real_run_reports_its_resource() {
    let text = BASE.replace("replications = 2", "replications = 1");
    let sc = resource_scenario(&text, false);
    let results = vec![crate::engine::run_replication(&sc, 0)];
    let summary = aggregate(&sc, &results);
    let db = &summary.resources[0];
    assert_eq!((db.name.as_str(), db.capacity), ("db", 10));
    let u = db.mean("utilization");
    assert!((0.74..0.86).contains(&u), "utilization {u}");
    let w = db.mean("wait_mean");
    assert!((0.005..0.05).contains(&w), "wait_mean {w}");
    assert!(db.wait_p99_pooled >= w);
    assert_eq!(db.timeseries.len(), summary.timeseries.len());
    assert!(db.timeseries.iter().all(|s| s.holders <= 10.0));
}

/// The brief's example with a breaker, an outage and a slowdown of `db`.
pub(crate) fn incident_scenario(text: &str) -> Scenario {
    use crate::scenario::{Fault, FaultKind, OutageMode};
    let mut sc = resource_scenario(text, true);
    let db = || ResourceRef {
        name: "db".into(),
        index: 0,
    };
    sc.faults.push(Fault {
        kind: FaultKind::ResourceOutage {
            resource: db(),
            mode: OutageMode::Hang,
        },
        at: SimTime::from_secs(180),
        duration: SimTime::from_secs(60),
        target: None,
    });
    sc.faults.push(Fault {
        kind: FaultKind::ResourceSlowdown {
            resource: db(),
            factor: 1.5,
        },
        at: SimTime::from_secs(360),
        duration: SimTime::from_secs(90),
        target: None,
    });
    sc
}

/// Every output of `sc`'s run, report included, into `dir`.
pub(crate) fn write_everything(sc: &Scenario, dir: &Path) {
    let results: Vec<ReplicationResult> = (0..sc.replications)
        .map(|r| crate::engine::run_replication(sc, r))
        .collect();
    let summary = aggregate(sc, &results);
    let timing = Timing {
        wall_seconds: 1.0,
        threads: 1,
        events: 0,
        messages: 0,
    };
    let charts = write_run(dir, sc, &summary, &results, &timing).unwrap();
    let report = report::Report {
        scenario: sc,
        summary: &summary,
        charts: &charts,
        grid: None,
        command: "mqsim run res.toml",
    };
    write_file(
        &dir.join("report.html"),
        report::report_html(&report).as_bytes(),
    )
    .unwrap();
    let mut table = Vec::new();
    write_table(&summary, &mut table).unwrap();
    write_file(&dir.join("table.txt"), &table).unwrap();
}

/// Writes a run with a resource, faults and a breaker to look at:
/// `MQSIM_DEMO_DIR=/tmp/x cargo test --release --lib resource_tests::write_example -- --ignored`.
#[test]
#[ignore]
fn write_example() {
    let dir = std::env::var("MQSIM_DEMO_DIR").unwrap_or_else(|_| "/tmp/mqsim-resources".into());
    let sc = incident_scenario(BASE);
    write_everything(&sc, Path::new(&dir));
}

/// Writes the order pipeline with shared resources, a breaker, idempotency
/// and an outage, to look at:
/// `MQSIM_DEMO_DIR=/tmp/x cargo test --release --lib resource_tests::write_network_example -- --ignored`.
#[test]
#[ignore]
fn write_network_example() {
    use crate::scenario::{Fault, FaultKind, Idempotency, OutageMode};
    let text = std::fs::read_to_string("scenarios/order-pipeline.toml").unwrap();
    let set = ["replications=3", "duration=\"20m\"", "warmup=\"1m\""].map(String::from);
    let mut sc = crate::scenario::load_str(&text, Path::new("order-pipeline.toml"), &set).unwrap();
    let resource = |name: &str, capacity, timeout| ResourceNode {
        name: name.into(),
        capacity,
        acquire_timeout: Some(SimTime::from_secs(timeout)),
        contention: Contention::Usl {
            sigma: 0.02,
            kappa: 0.002,
        },
    };
    sc.resources = vec![resource("email-api", 3, 3), resource("orders-db", 8, 5)];
    let of = |name: &str, index| ResourceRef {
        name: name.into(),
        index,
    };
    let q = |sc: &mut Scenario, name: &str| {
        let i = sc.queues.iter().position(|q| q.name == name).unwrap();
        sc.queues[i].consumers.as_mut().unwrap().clone()
    };
    for (name, res, index, mean) in [
        ("orders", "orders-db", 1, 0.06),
        ("shipping", "orders-db", 1, 0.04),
        ("email", "email-api", 0, 0.05),
    ] {
        let mut c = q(&mut sc, name);
        c.uses.push(Use {
            resource: of(res, index),
            hold: Dist::Exp { mean },
        });
        if name == "email" {
            c.breaker = Some(Breaker {
                error_rate: 0.5,
                window: SimTime::from_secs(30),
                min_calls: 20,
                open_for: SimTime::from_secs(45),
            });
        }
        if name == "shipping" {
            c.idempotency = Some(Idempotency {
                ttl: SimTime::from_secs(3600),
                lookup: Dist::Const { value: 0.002 },
                store: Some(of("orders-db", 1)),
            });
        }
        let i = sc.queues.iter().position(|q| q.name == name).unwrap();
        sc.queues[i].consumers = Some(c);
    }
    sc.faults.push(Fault {
        kind: FaultKind::ResourceOutage {
            resource: of("email-api", 0),
            mode: OutageMode::Hang,
        },
        at: SimTime::from_secs(480),
        duration: SimTime::from_secs(120),
        target: None,
    });
    let dir = std::env::var("MQSIM_DEMO_DIR").unwrap_or_else(|_| "/tmp/mqsim-network".into());
    write_everything(&sc, Path::new(&dir));
}

/// The report of a run with a resource and a breaker: the diagram with the
/// resource as a cylinder, its section, its words; one without has none.
#[test]
fn the_report_shows_resources_only_when_there_are_some() {
    let text = BASE.replace("replications = 2", "replications = 1");
    let dir = tempfile::tempdir().unwrap();
    write_everything(&incident_scenario(&text), dir.path());
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(&html, options).unwrap();
    for part in [
        "<h2>Topology",
        "class=\"node resource\"",
        "<h2>Resources",
        "<h2>Circuit breakers",
        "Resource &quot;db&quot;: at most 10 consumers hold it at once",
        "For each message a consumer holds resource &quot;db&quot;",
        "A circuit breaker guards the fleet's receives",
        "id=\"chart-resource_db\"",
    ] {
        assert!(html.contains(part), "{part}\n{html}");
    }
    let charts = dir.path().join("charts");
    assert!(charts.join("resource_db.svg").exists() && charts.join("resource_db.png").exists());
    let plain = tempfile::tempdir().unwrap();
    let sc = crate::scenario::load_str(&text, Path::new("res.toml"), &[]).unwrap();
    write_everything(&sc, plain.path());
    let html = std::fs::read_to_string(plain.path().join("report.html")).unwrap();
    for part in [
        "<h2>Topology",
        "<h2>Resources",
        "<h2>Circuit breakers",
        "resource_",
    ] {
        assert!(!html.contains(part), "{part}");
    }
}
