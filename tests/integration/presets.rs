//! `[queue] preset`: each delivery model's distinguishing behaviour, on its
//! example scenario.

use std::fs;

use mqsim::engine::result::ReplicationResult;
use mqsim::scenario::{QueueKind, Scenario, load_str};

use crate::common::{mean, root, run_all};

/// `scenarios/<name>.toml` with `set` applied like `--set`.
fn example(name: &str, set: &[&str]) -> Scenario {
    let path = root().join(format!("scenarios/{name}.toml"));
    let text = fs::read_to_string(&path).unwrap();
    let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
    load_str(&text, &path, &set).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn rabbitmq_requeues_a_lost_consumers_messages_at_once() {
    let rabbit = run_all(&example("rabbitmq-quorum", &["replications=3"]));
    // The same deploys where lost messages wait out the 30 min timeout.
    let timeout = run_all(&example(
        "rabbitmq-quorum",
        &["replications=3", "queue.on_consumer_loss=timeout"],
    ));
    assert!(mean(&rabbit, "latency_max") < 60.0);
    assert!(mean(&timeout, "latency_max") >= 1800.0);
    assert!(mean(&rabbit, "consumer_crashes") > 0.0);
}

/// Consumers launched (serving or starting) at `t` seconds, per replication.
fn launched_at(results: &[ReplicationResult], t: f64) -> Vec<f64> {
    results
        .iter()
        .map(|r| {
            let s = r.timeseries.iter().find(|s| s.time == t).unwrap();
            s.consumers_up + s.consumers_starting
        })
        .collect()
}

#[test]
fn lambda_concurrency_ramps_by_300_a_minute_from_5() {
    let results = run_all(&example("lambda-sqs", &["replications=2"]));
    for (at, expected) in [(60.0, 305.0), (120.0, 605.0)] {
        for n in launched_at(&results, at) {
            assert!((n - expected).abs() <= 5.0, "{n} invocations at {at} s");
        }
    }
    // It levels off where the load is met (about 800), below the 1,000 cap.
    let peak = results
        .iter()
        .flat_map(|r| r.timeseries.iter().map(|s| s.consumers_up))
        .fold(0.0, f64::max);
    assert!((700.0..=1000.0).contains(&peak), "peak {peak}");
}

#[test]
fn pubsub_extends_ack_deadlines_and_dead_letters_after_5_attempts() {
    let extended = run_all(&example("pubsub", &["replications=3"]));
    let plain = run_all(&example(
        "pubsub",
        &["replications=3", "consumers.heartbeat=off"],
    ));
    assert_eq!(mean(&extended, "duplicates"), 0.0);
    assert!(mean(&plain, "duplicates") > 100.0);
    assert!(mean(&extended, "dead_lettered") > 0.0);
    // A corrupt image is delivered 5 times, then dead-lettered.
    let sc = example("pubsub", &[]);
    assert_eq!(sc.queue().max_receive_count, Some(5));
    assert_eq!(sc.queue().visibility_timeout.as_secs_f64(), 10.0);
}

#[test]
fn sqs_presets_are_the_plain_queues() {
    let fifo = example("fifo-orders", &[]);
    assert_eq!(fifo.queue().kind, QueueKind::Fifo);
    assert_eq!(fifo.cost.price_per_million_requests, 0.50);
    // sqs-standard changes nothing: the same metrics as without a preset.
    let text = fs::read_to_string(root().join("scenarios/quickstart.toml")).unwrap();
    let path = root().join("scenarios/quickstart.toml");
    let plain = load_str(&text, &path, &["replications=2".into()]).unwrap();
    let preset = load_str(
        &text,
        &path,
        &["replications=2".into(), "queue.preset=sqs-standard".into()],
    )
    .unwrap();
    let metrics =
        |sc: &Scenario| -> Vec<_> { run_all(sc).into_iter().map(|r| r.metrics).collect() };
    assert_eq!(metrics(&plain), metrics(&preset));
}

#[test]
fn fifo_orders_stall_behind_poison_messages_and_stay_in_order() {
    let results = run_all(&example("fifo-orders", &["replications=3"]));
    for r in &results {
        assert_eq!(r.metrics.out_of_order, 0.0);
        // 3 receives × 60 s, more when two poison messages share a group.
        assert!(r.metrics.group_blocked_time_max >= 179.0);
    }
}

#[test]
fn lambda_without_partial_batch_responses_redoes_whole_batches() {
    let with = |mode: &str| {
        run_all(&example(
            "lambda-sqs",
            &[
                "replications=2",
                "consumers.error_rate=0.02",
                &format!("consumers.batch_failure={mode}"),
            ],
        ))
    };
    let (partial, whole) = (with("partial"), with("whole"));
    // Partial: a failed message comes back alone; nothing finished is redone.
    assert_eq!(mean(&partial, "duplicates"), 0.0);
    // Whole: 1 - 0.98^10 ≈ 18% of batches fail and take 9 good messages
    // back with them, to be processed again.
    let ratio = mean(&whole, "duplicates") / mean(&whole, "deleted");
    assert!(
        (0.08..=0.3).contains(&ratio),
        "duplicates per delete {ratio}"
    );
    assert!(mean(&whole, "requests_delete") < 0.2 * mean(&partial, "requests_delete"));
}

#[test]
fn a_batching_window_trades_latency_for_fuller_batches() {
    // 20 msg/s of 10 ms work into batches of 10: without a window most
    // receives return a message or two; with a 2 s window nearly all 10.
    let with = |window: &str| {
        run_all(&example(
            "lambda-sqs",
            &[
                "replications=2",
                "producers.0.schedule=[[\"0s\", 20]]",
                "drain=false",
                "consumers.processing=\"10ms\"",
                &format!("consumers.batch_window={window}"),
            ],
        ))
    };
    let (none, windowed) = (with("0s"), with("2s"));
    let per_receive = |r: &[ReplicationResult]| mean(r, "received") / mean(r, "requests_receive");
    assert!(per_receive(&none) < 3.0, "{}", per_receive(&none));
    assert!(per_receive(&windowed) > 8.0, "{}", per_receive(&windowed));
    // A batch fills in 0.5 s at 20/s: latency grows by about that much.
    let added = mean(&windowed, "latency_mean") - mean(&none, "latency_mean");
    assert!((0.1..=2.0).contains(&added), "latency added {added}");
}
