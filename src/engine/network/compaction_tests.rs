//! Dropping moot timers (visibility deadlines, long-poll timeouts) from the
//! lanes changes nothing but the count of events dispatched. The example
//! scenarios whose lanes get compacted, a network, and a scenario built to
//! keep old receipts alive (failures left to time out, crashes,
//! spontaneous duplicates, heartbeats, backoff) give the same results with
//! compaction at every chance and with none, once `events` is set aside.

use std::path::Path;

use serde_json::Value;

use super::Network;
use crate::engine::replication_seed;
use crate::scenario::{Scenario, load, load_str};

/// Replication 0 of `sc` with the lanes compacted from `floor` entries
/// on: its events dispatched, and the rest of its result.
fn result_with_floor(sc: &Scenario, floor: usize) -> (f64, Value) {
    let seed = replication_seed(sc.seed, 0);
    let mut sim = Network::new(sc, seed);
    sim.sh.events.set_compact_floor(floor);
    let end = sim.run_to_end();
    let result = sim.finish(0, seed, end);
    let events = result.metrics.events;
    let mut rest = serde_json::to_value(result).unwrap();
    remove_events(&mut rest);
    (events, rest)
}

/// Every `events` figure (the count compaction changes), at any depth.
fn remove_events(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.remove("events");
            map.values_mut().for_each(remove_events);
        }
        Value::Array(items) => items.iter_mut().for_each(remove_events),
        _ => {}
    }
}

fn assert_compaction_changes_nothing(sc: &Scenario) {
    let (eager_events, eager) = result_with_floor(sc, 0);
    let (all_events, never) = result_with_floor(sc, usize::MAX);
    assert!(
        eager_events < all_events,
        "{}: nothing was dropped ({eager_events} events)",
        sc.name
    );
    assert!(
        eager == never,
        "{}: compaction changed the results",
        sc.name
    );
}

#[test]
fn examples_whose_lanes_are_compacted_give_the_same_results() {
    for name in [
        "lambda-sqs",
        "dlq-redrive",
        "idempotency-ttl",
        "rabbitmq-quorum",
        "order-pipeline",
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(format!("{name}.toml"));
        assert_compaction_changes_nothing(&load(&path, &[]).unwrap());
    }
}

#[test]
fn receipts_kept_alive_every_way_give_the_same_results() {
    let text = r#"name = "old-receipts"
duration = "20m"
seed = 5
[queue]
visibility_timeout = "2m"
duplicate_delivery = 0.01
max_receive_count = 4
[[producers]]
rate = 40
[consumers]
count = 6
batch_size = 4
processing = { dist = "lognormal", mean = "120ms", p99 = "1s" }
error_rate = 0.05
on_error = "wait"
heartbeat = "20s"
crash = { per_message = 0.002, restart = "10s" }
"#;
    let sc = load_str(text, Path::new("old-receipts.toml"), &[]).unwrap();
    assert_compaction_changes_nothing(&sc);
    let backoff = text.replace(
        "on_error = \"wait\"",
        "on_error = { backoff = \"exponential\", base = \"1s\", max = \"5m\", jitter = true }",
    );
    let sc = load_str(&backoff, Path::new("backoff.toml"), &[]).unwrap();
    assert_compaction_changes_nothing(&sc);
}
