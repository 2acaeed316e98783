//! The capacity model (`mqsim::capacity`, what `mqsim check` prints) against
//! saturated runs: producers send well above capacity, faults are off, and
//! the messages taken off the queue per second after a warm-up (deleted or
//! dead-lettered) must match the model within 5%, on every example scenario
//! and on variants where one limit binds.

use std::path::Path;

use crate::common::root;
use mqsim::capacity;
use mqsim::engine::run_replication;
use mqsim::scenario::{Arrivals, Scenario, load};
use mqsim::time::SimTime;

const REPLICATIONS: u32 = 3;
/// Messages taken off the queue a replication, after the warm-up.
const MEASURED: f64 = 12_000.0;

/// `sc` flooded: every producer Poisson at twice its share of the
/// capacity, no schedule, no faults, no drain, long enough to take about
/// [`MEASURED`] messages off after a warm-up of a few batch cycles.
fn saturated(mut sc: Scenario) -> (Scenario, f64) {
    sc.faults.clear();
    sc.drain = false;
    sc.replications = REPLICATIONS;
    let n = sc.producers.len() as f64;
    let cap = capacity::capacity(&sc).rate;
    let fleet_max = sc.consumers().slots();
    let most = capacity::fleet_capacity(&sc, f64::from(fleet_max)).max(cap);
    for p in &mut sc.producers {
        // A skewed group mix caps the arrival rate the fleet keeps up with
        // (the busiest group), not a flood's throughput: tested below.
        p.group_skew = 0.0;
        p.schedule.clear();
        p.arrivals = Arrivals::Poisson;
        p.rate = 2.0 * most / n;
    }
    let c = &sc.consumers();
    let batch_cycle = f64::from(c.batch_size) / capacity::per_consumer_rate(&sc);
    let startup = c.autoscale.as_ref().map_or(0.0, |a| {
        // Time to scale out to the maximum, then serve.
        let steps = (f64::from(a.max) / f64::from(c.count.max(1)))
            .log2()
            .ceil()
            .max(1.0);
        (a.cooldown.as_secs_f64() + a.evaluation.as_secs_f64()) * steps * 2.0
            + a.startup.as_secs_f64()
    });
    let vt = sc.queue().visibility_timeout.as_secs_f64();
    // Poison messages leave only after their last receive: wait for the
    // first ones to reach the dead-letter queue.
    let poison = if c.poison_fraction > 0.0 {
        f64::from(sc.queue().max_receive_count.unwrap_or(1)) * (vt + batch_cycle)
    } else {
        0.0
    };
    let warmup = (20.0 * batch_cycle)
        .max(poison)
        .max(2.0 * vt)
        .max(startup)
        .max(10.0);
    let measure = MEASURED / cap;
    sc.duration = SimTime::from_secs((warmup + measure).ceil() as u64);
    sc.warmup = SimTime::ZERO;
    sc.sample_interval = SimTime::from_secs(1);
    (sc, warmup)
}

/// Messages taken off the queue per second after `warmup`, and the mean
/// number of consumers up meanwhile, over the replications.
fn measured(sc: &Scenario, warmup: f64) -> (f64, f64) {
    let (mut done, mut up, mut span) = (0.0, 0.0, 0.0);
    for i in 0..sc.replications {
        let r = run_replication(sc, i);
        let after: Vec<_> = r.timeseries.iter().filter(|s| s.time > warmup).collect();
        let before = r.timeseries.iter().rfind(|s| s.time <= warmup);
        let dlq_start = before.map_or(0.0, |s| s.dead_letter);
        let last = after.last().expect("samples after the warm-up");
        done += after.iter().map(|s| s.deleted).sum::<f64>() + last.dead_letter - dlq_start;
        up += after.iter().map(|s| s.consumers_up).sum::<f64>() / after.len() as f64;
        span += last.time - warmup;
    }
    (done / span, up / f64::from(sc.replications))
}

/// Checks the model against a saturated run of `sc`; returns a line for
/// the failure message when they differ by more than 5%.
fn compare(name: &str, sc: Scenario) -> Option<String> {
    let (sc, warmup) = saturated(sc);
    let (rate, up) = measured(&sc, warmup);
    let model = if sc.consumers().autoscale.is_some() {
        // The fleet that ran (it scales with the flood) is what the model is given.
        capacity::fleet_capacity(&sc, up)
    } else {
        capacity::capacity(&sc).rate
    };
    let limit = capacity::capacity(&sc).limit;
    let error = (model - rate).abs() / rate;
    println!(
        "{name}: model {model:.3}, run {rate:.3} msg/s ({limit}), {:.1}%, {up:.2} up",
        error * 100.0
    );
    (error > 0.05).then(|| format!("{name}: model {model:.3} vs run {rate:.3} ({limit})"))
}

fn example(name: &str, set: &[&str]) -> Scenario {
    let path = root().join("scenarios").join(name);
    let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
    load(Path::new(&path), &set).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_example_scenario_saturates_at_the_capacity_check_reports() {
    let names = crate::common::toml_files(&root().join("scenarios"));
    // The flood below feeds the producers' queue; a network's queues are
    // fed by each other, so each is flooded on its own (below).
    let failures: Vec<String> = names
        .iter()
        .map(|name| (name, example(name, &[])))
        .filter(|(_, sc)| !sc.is_network())
        .filter_map(|(name, sc)| compare(name, sc))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Queue `index` of network `sc` flooded on its own: an `initial_backlog`
/// larger than its fleet takes in the run, faults off. Its messages taken
/// off per second after a warm-up must match the model of queue `index`
/// (`capacity::capacity_of`, what `check` prints for it) within 5%; the
/// other queues run as written (what they send on only adds to the flood).
fn compare_queue(name: &str, mut sc: Scenario, index: usize) -> Option<String> {
    sc.faults.clear();
    sc.drain = false;
    sc.replications = REPLICATIONS;
    let station = capacity::Station::of(&sc, index).expect("a queue with consumers");
    let model = station.capacity();
    let c = station.consumers;
    let batch_cycle = f64::from(c.batch_size) / station.per_consumer_rate();
    let vt = station.queue.visibility_timeout.as_secs_f64();
    let poison = if c.poison_fraction > 0.0 {
        f64::from(station.queue.max_receive_count.unwrap_or(1)) * (vt + batch_cycle)
    } else {
        0.0
    };
    assert!(
        c.autoscale.is_none(),
        "{name}: flooding an autoscaled network queue"
    );
    let warmup = (20.0 * batch_cycle).max(poison).max(2.0 * vt).max(10.0);
    let duration = (warmup + MEASURED / model.rate).ceil();
    let node = &mut sc.queues[index];
    node.queue.initial_backlog = (2.0 * model.rate * duration).ceil() as u64 + 1000;
    let queue = node.name.clone();
    sc.duration = SimTime::from_secs(duration as u64);
    sc.warmup = SimTime::ZERO;
    sc.sample_interval = SimTime::from_secs(1);
    let (mut done, mut span) = (0.0, 0.0);
    for i in 0..sc.replications {
        let r = run_replication(&sc, i);
        let series = &r
            .queues
            .iter()
            .find(|q| q.name == queue)
            .unwrap()
            .timeseries;
        let after: Vec<_> = series.iter().filter(|s| s.time > warmup).collect();
        let before = series.iter().rfind(|s| s.time <= warmup);
        let last = after.last().expect("samples after the warm-up");
        assert!(last.visible > 0.0, "{name} {queue}: the flood ran out");
        let dead = last.dead_letter - before.map_or(0.0, |s| s.dead_letter);
        done += after.iter().map(|s| s.deleted).sum::<f64>() + dead;
        span += last.time - warmup;
    }
    let rate = done / span;
    let error = (model.rate - rate).abs() / rate;
    println!(
        "{name} {queue}: model {:.3}, run {rate:.3} msg/s ({}), {:.1}%",
        model.rate,
        model.limit,
        error * 100.0
    );
    (error > 0.05).then(|| format!("{name} {queue}: model {:.3} vs run {rate:.3}", model.rate))
}

#[test]
fn every_queue_of_a_network_example_saturates_at_the_capacity_check_reports() {
    let mut failures = Vec::new();
    let mut flooded = 0;
    for name in crate::common::toml_files(&root().join("scenarios")) {
        let sc = example(&name, &[]);
        if !sc.is_network() {
            continue;
        }
        for index in (0..sc.queues.len()).filter(|&i| sc.queues[i].consumers.is_some()) {
            flooded += 1;
            failures.extend(compare_queue(&name, sc.clone(), index));
        }
    }
    assert!(flooded >= 6, "only {flooded} network queues with consumers");
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn each_limit_binds_where_the_model_says() {
    let variants: &[(&str, &str, &[&str])] = &[
        (
            "FIFO, 4 groups < 20 consumers",
            "quickstart.toml",
            &[
                "queue.type=\"fifo\"",
                "producers.0.groups=4",
                "consumers.count=20",
            ],
        ),
        (
            "request_latency 500 ms against 120 ms processing",
            "quickstart.toml",
            &["consumers.request_latency=\"500ms\""],
        ),
        (
            "batches of 10 redone whole on an error",
            "quickstart.toml",
            &[
                "consumers.batch_failure=\"whole\"",
                "consumers.error_rate=0.02",
            ],
        ),
        (
            "single-message batches, errors released",
            "quickstart.toml",
            &[
                "consumers.batch_size=1",
                "consumers.error_rate=0.1",
                "consumers.on_error=\"release\"",
            ],
        ),
        (
            "crashes: up 75% of the time",
            "quickstart.toml",
            &["consumers.crash={ mtbf = \"6s\", restart = { dist = \"exp\", mean = \"2s\" } }"],
        ),
        (
            "crashes per message",
            "quickstart.toml",
            &["consumers.crash={ per_message = 0.05, restart = \"1s\" }"],
        ),
        (
            "max_in_flight 6 < 8 consumers",
            "quickstart.toml",
            // No errors: each would hold a slot for a 30 s timeout, and
            // their count in a short run is too noisy for 5%.
            &[
                "queue.max_in_flight=6",
                "consumers.batch_size=1",
                "consumers.error_rate=0",
            ],
        ),
        (
            "max_in_flight 30 < 8 consumers × batches of 10",
            "quickstart.toml",
            &["queue.max_in_flight=30"],
        ),
        (
            "heartbeats keep batches longer than the visibility timeout",
            "duplicate-storm.toml",
            &["consumers.heartbeat=\"5s\""],
        ),
        (
            "queue.throughput_limit below the fleet",
            "quickstart.toml",
            &["queue.throughput_limit=20"],
        ),
        (
            "spontaneous duplicates",
            "quickstart.toml",
            &["queue.duplicate_delivery=0.2"],
        ),
        (
            "poison messages until the dead-letter queue",
            "poison-dlq.toml",
            // A standard queue moves a message back after its third
            // receive: in a saturated queue it would not come back in time.
            &["consumers.poison_fraction=0.1", "queue.max_receive_count=2"],
        ),
    ];
    let failures: Vec<String> = variants
        .iter()
        .filter_map(|(name, file, set)| compare(name, example(file, set)))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn the_limit_is_named() {
    let fifo = example(
        "quickstart.toml",
        &[
            "queue.type=\"fifo\"",
            "producers.0.groups=4",
            "consumers.count=20",
        ],
    );
    assert_eq!(
        capacity::capacity(&fifo).limit,
        "FIFO groups (4) < consumers (20)"
    );
    let slow = example("quickstart.toml", &["consumers.request_latency=\"10s\""]);
    let cap = capacity::capacity(&slow);
    assert!(cap.request_share > 0.98, "{cap:?}");
    assert!(cap.per_consumer_rate < 0.1, "{cap:?}");
}

/// `mqsim check FILE --format json`'s analysis.
fn analysis(name: &str) -> serde_json::Value {
    let out = crate::common::mqsim()
        .current_dir(root())
        .args(["check", &format!("scenarios/{name}"), "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{name}: {out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    json["analysis"].clone()
}

/// The first replications of an example.
fn runs(name: &str, replications: u32) -> Vec<mqsim::engine::result::ReplicationResult> {
    let sc = example(name, &[]);
    (0..replications).map(|i| run_replication(&sc, i)).collect()
}

#[test]
fn the_run_size_is_the_integral_of_the_arrival_rate() {
    for name in crate::common::toml_files(&root().join("scenarios")) {
        let estimate = analysis(&name)["messages"].as_f64().unwrap();
        let produced = runs(&name, 1)[0].metrics.produced;
        // Poisson counts: a few standard deviations of the count.
        let tolerance = 4.0 * estimate.sqrt() + 1.0;
        assert!(
            (estimate - produced).abs() <= tolerance,
            "{name}: check says {estimate} messages, the run produced {produced}"
        );
    }
}

#[test]
fn spike_and_slowdown_outlooks_match_the_simulated_backlog() {
    for name in crate::common::toml_files(&root().join("scenarios")) {
        let sc = example(&name, &[]);
        let acts = |k: &mqsim::scenario::FaultKind| {
            matches!(
                k,
                mqsim::scenario::FaultKind::Spike { .. }
                    | mqsim::scenario::FaultKind::Slowdown { .. }
            )
        };
        if !sc.faults.iter().any(|f| acts(&f.kind)) {
            continue;
        }
        let outlook = analysis(&name)["faults"].as_array().unwrap().clone();
        let results = runs(&name, 3);
        for (i, _) in sc.faults.iter().enumerate().filter(|(_, f)| acts(&f.kind)) {
            let estimate = outlook[i]["backlog"].as_f64().unwrap();
            let simulated = results
                .iter()
                .map(|r| r.faults[i].backlog_peak)
                .sum::<f64>()
                / 3.0;
            if sc.consumers().autoscale.is_some() {
                // Estimated with the fleet at its largest: a lower bound.
                assert!(
                    estimate <= simulated,
                    "{name} fault {i}: {estimate} > {simulated}"
                );
                continue;
            }
            let tolerance = (0.05 * simulated).max(200.0);
            assert!(
                (estimate - simulated).abs() <= tolerance,
                "{name} fault {i}: check says a backlog of {estimate}, the run peaks at {simulated}"
            );
        }
    }
}

#[test]
fn the_busiest_fifo_group_caps_the_arrival_rate_the_fleet_keeps_up_with() {
    // 100 groups, Zipf 1: the first gets 19% of the messages, and one
    // consumer at a time serves it; 12 consumers could take far more.
    let set = [
        "producers.0.groups=100",
        "producers.0.group_skew=1.0",
        "consumers.poison_fraction=0",
    ];
    let base = example("fifo-orders.toml", &set);
    let cap = capacity::capacity(&base);
    assert!(cap.limit.starts_with("the busiest FIFO group"), "{cap:?}");
    let hot = cap.per_consumer_rate / cap.rate;
    let run = |factor: f64| {
        let mut sc = base.clone();
        sc.producers[0].rate = factor * cap.rate;
        sc.replications = 2;
        (0..2).map(|i| run_replication(&sc, i)).collect::<Vec<_>>()
    };
    // Below the cap the queue keeps up.
    for r in run(0.8) {
        assert!(r.metrics.backlog_max < 300.0, "{}", r.metrics.backlog_max);
    }
    // Above it the busiest group falls behind at its excess rate.
    let excess = 1.25 * cap.rate * hot - cap.per_consumer_rate;
    let expected = excess * base.duration.as_secs_f64();
    for r in run(1.25) {
        let left = r.metrics.left_visible + r.metrics.left_in_flight;
        assert!(
            (left - expected).abs() < 0.15 * expected,
            "left {left}, expected {expected}"
        );
    }
}
