//! Loader tests: defaults, positions, overrides and messages.

use super::*;
use crate::time::SimTime;

const MINIMAL: &str = "[[producers]]\nrate = 5\n[consumers]\nprocessing = \"100ms\"\n";

fn load(text: &str, set: &[&str]) -> Result<Scenario, ScenarioError> {
    let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
    load_str(text, Path::new("dir/orders.toml"), &set)
}

#[test]
fn defaults_follow_the_spec() {
    let sc = load(MINIMAL, &[]).unwrap();
    assert_eq!(sc.name, "orders");
    assert_eq!(sc.duration, SimTime::from_secs(3600));
    assert_eq!(sc.replications, 10);
    assert_eq!(sc.queue().visibility_timeout, SimTime::from_secs(30));
    assert_eq!(sc.queue().retention, SimTime::from_secs(4 * 86_400));
    assert_eq!(sc.queue().max_in_flight, 120_000);
    assert_eq!(sc.queue().stale_delete, StaleDelete::Ignored);
    assert_eq!(sc.consumers().count, 1);
    assert_eq!(sc.consumers().batch_size, 10);
    assert_eq!(sc.consumers().wait_time, SimTime::from_secs(20));
    assert_eq!(sc.consumers().heartbeat, None);
    assert_eq!(sc.producers[0].name, "producer-0");
    assert_eq!(sc.producers[0].arrivals, Arrivals::Poisson);
    assert_eq!(sc.cost.price_per_million_requests, 0.40);
}

#[test]
fn unknown_keys_are_located_and_list_the_allowed_ones() {
    let e = load(
        &format!("{MINIMAL}[queue]\nvisiblity_timeout = \"30s\"\n"),
        &[],
    )
    .unwrap_err();
    let shown = e.to_string();
    assert!(
        shown.starts_with("dir/orders.toml:6:1: queue.visiblity_timeout: unknown key"),
        "{shown}"
    );
    assert!(shown.contains("visibility_timeout"), "{shown}");
}

#[test]
fn type_errors_name_the_key() {
    let e = load(&MINIMAL.replace("rate = 5", "rate = \"fast\""), &[]).unwrap_err();
    assert_eq!(e.key.as_deref(), Some("producers.0.rate"));
    assert_eq!(e.position.map(|p| p.line), Some(2));
}

#[test]
fn range_errors_point_at_the_value() {
    let e = load(&format!("{MINIMAL}[queue]\nretention = \"30s\"\n"), &[]).unwrap_err();
    assert_eq!(e.key.as_deref(), Some("queue.retention"));
    assert_eq!(
        e.position,
        Some(LineCol {
            line: 6,
            column: 13
        })
    );
    assert!(e.message.contains("1m ..= 14d"), "{}", e.message);
}

#[test]
fn missing_keys_point_at_their_table() {
    let e = load("[[producers]]\nrate = 5\n[consumers]\ncount = 3\n", &[]).unwrap_err();
    assert_eq!(e.key.as_deref(), Some("consumers.processing"));
    assert!(e.message.contains("required"));
}

#[test]
fn overrides_apply_and_their_errors_name_the_argument() {
    let sc = load(
        MINIMAL,
        &["consumers.count=7", "queue.visibility_timeout=45s"],
    )
    .unwrap();
    assert_eq!(sc.consumers().count, 7);
    assert_eq!(sc.queue().visibility_timeout, SimTime::from_secs(45));
    let e = load(MINIMAL, &["consumers.count=-3"]).unwrap_err();
    assert_eq!(e.set_arg.as_deref(), Some("consumers.count=-3"));
    assert!(
        e.to_string()
            .contains("in --set consumers.count=-3: consumers.count: -3 is out of range"),
        "{e}"
    );
}

#[test]
fn override_errors_blame_the_override_and_speak_toml() {
    let fault = "[[faults]]\nkind = \"spike\"\nat = \"5m\"\nduration = \"2m\"\nfactor = 2\n";
    let text = format!("duration = \"10m\"\n{MINIMAL}{fault}");
    let e = load(&text, &["faults.0.at=50m"]).unwrap_err();
    assert_eq!(e.set_arg.as_deref(), Some("faults.0.at=50m"), "{e}");
    let e = load(&text, &["faults.0.at=9m"]).unwrap_err();
    assert_eq!(e.set_arg.as_deref(), Some("faults.0.at=9m"), "{e}");
    assert!(
        e.to_string().contains("faults.0: the fault (at 9m for 2m)"),
        "{e}"
    );
    assert_eq!(
        e.position, None,
        "a position in the rewritten text would mislead"
    );
    for (arg, plain) in [
        ("consumers.count=abc", "expected an integer"),
        ("consumers.count=1.5", "expected an integer"),
        ("consumers.error_rate=\"x\"", "expected a number"),
    ] {
        let e = load(MINIMAL, &[arg]).unwrap_err().to_string();
        assert!(e.contains(plain), "{arg}: {e}");
        assert!(!e.contains("64") && !e.contains("u32"), "{arg}: {e}");
    }
}

#[test]
fn slo_and_sweep_are_checked() {
    let sc = load(&format!("{MINIMAL}[slo]\nlatency_p99 = \"2s\"\ndead_lettered = 0\n[sweep]\n\"consumers.count\" = [1, 2]\n"), &[]).unwrap();
    assert_eq!(sc.slo[0].metric, "latency_p99");
    assert_eq!(sc.slo[0].max, 2.0);
    assert_eq!(sc.sweep[0].values, ["1", "2"]);
    let e = load(&format!("{MINIMAL}[slo]\nlatency_p98 = \"2s\"\n"), &[]).unwrap_err();
    assert!(e.message.contains("latency_p99"), "{}", e.message);
    let e = load(
        &format!("{MINIMAL}[sweep]\n\"consumers.count\" = [1, -2]\n"),
        &[],
    )
    .unwrap_err();
    assert!(e.message.contains("-2"), "{}", e.message);
    assert_eq!(e.position.map(|p| p.line), Some(5));
}

#[test]
fn hostile_text_is_an_error_not_a_panic() {
    for text in [
        "",
        "=",
        "[[producers]]\nrate = nan\n",
        "a = 1\na = 2\n",
        "[queue\n",
        "seed = -1\n",
    ] {
        assert!(load(text, &[]).is_err(), "{text:?}");
    }
    let e = load(
        "[[producers]]\nrate = inf\n[consumers]\nprocessing = \"1s\"\n",
        &[],
    )
    .unwrap_err();
    assert_eq!(e.key.as_deref(), Some("producers.0.rate"));
}

#[test]
fn fifo_queues_refuse_settings_of_standard_queues() {
    for (extra, key) in [
        (
            "[queue]\ntype = \"fifo\"\nduplicate_delivery = 0.1\n",
            "queue.duplicate_delivery",
        ),
        (
            "[queue]\ntype = \"fifo\"\nstale_delete = \"deletes\"\n",
            "queue.stale_delete",
        ),
    ] {
        let e = load(&format!("{MINIMAL}{extra}"), &[]).unwrap_err();
        assert_eq!(e.key.as_deref(), Some(key), "{}", e.message);
    }
    let ok = load(&format!("{MINIMAL}[queue]\ntype = \"fifo\"\n"), &[]).unwrap();
    assert_eq!(ok.queue().kind, crate::scenario::QueueKind::Fifo);
}

#[test]
fn autoscale_is_checked_against_the_fleet_and_needs_a_policy() {
    let cases = [
        (
            "count = 50\nautoscale = { target_backlog_per_consumer = 5, max = 10 }\n",
            "consumers.count",
        ),
        ("autoscale = { min = 2, max = 8 }\n", "consumers.autoscale"),
        (
            "autoscale = { schedule = [[\"0s\", 20]], max = 8 }\n",
            "consumers.autoscale.schedule.0",
        ),
        (
            "autoscale = { target_backlog_per_consumer = 0 }\n",
            "consumers.autoscale.target_backlog_per_consumer",
        ),
        (
            "autoscale = { target_backlog_per_consumer = 5, scale_in = \"kill\" }\n",
            "consumers.autoscale.scale_in",
        ),
    ];
    for (extra, key) in cases {
        let text = MINIMAL.replace("[consumers]\n", &format!("[consumers]\n{extra}"));
        let e = load(&text, &[]).unwrap_err();
        assert_eq!(e.key.as_deref(), Some(key), "{extra}: {}", e.message);
    }
    let text = MINIMAL.replace(
        "[consumers]\n",
        "[consumers]\nautoscale = { target_backlog_per_consumer = 5, min = 3, max = 9 }\n",
    );
    let sc = load(&text, &[]).unwrap();
    assert_eq!(
        (sc.consumers().count, sc.consumers().slots()),
        (3, 9),
        "starts at min"
    );
}

#[test]
fn presets_fill_defaults_the_file_can_override() {
    let with = |queue: &str| load(&format!("{MINIMAL}[queue]\n{queue}"), &[]);
    let e = with("preset = \"kafka\"\n").unwrap_err();
    assert_eq!(e.key.as_deref(), Some("queue.preset"));
    assert!(e.message.contains("\"rabbitmq-quorum\""), "{}", e.message);
    let rabbit = with("preset = \"rabbitmq-quorum\"\n").unwrap();
    assert_eq!(
        rabbit.queue().on_consumer_loss,
        crate::scenario::ConsumerLoss::Requeue
    );
    assert_eq!(rabbit.queue().visibility_timeout, SimTime::from_secs(1800));
    let overridden = with("preset = \"rabbitmq-quorum\"\nvisibility_timeout = \"5m\"\n").unwrap();
    assert_eq!(
        overridden.queue().visibility_timeout,
        SimTime::from_secs(300)
    );
    let lambda = with("preset = \"lambda-sqs\"\n").unwrap();
    let scaling = lambda.consumers().autoscale.as_ref().unwrap();
    assert_eq!(
        (
            lambda.consumers().count,
            scaling.max,
            scaling.scale_out_rate
        ),
        (5, 1000, Some(300.0))
    );
}

#[test]
fn every_new_queue_producer_and_consumer_key_names_itself_when_wrong() {
    let cases = [
        ("[queue]\nthroughput_limit = 0\n", "queue.throughput_limit"),
        (
            "[queue]\non_consumer_loss = \"drop\"\n",
            "queue.on_consumer_loss",
        ),
        (
            "[queue]\ntype = \"fifo\"\nstale_delete = \"ignored\"\n",
            "queue.stale_delete",
        ),
    ];
    for (extra, key) in cases {
        let e = load(&format!("{MINIMAL}{extra}"), &[]).unwrap_err();
        assert_eq!(e.key.as_deref(), Some(key), "{extra}: {}", e.message);
    }
    let in_producer = [
        ("lost_acks = 2\n", "producers.0.lost_acks"),
        ("groups = 0\n", "producers.0.groups"),
    ];
    let in_consumers = [
        ("batch_window = \"10m\"\n", "consumers.batch_window"),
        ("batch_failure = \"some\"\n", "consumers.batch_failure"),
        (
            "autoscale = { target_backlog_per_consumer = 5, metric = \"cpu\" }\n",
            "consumers.autoscale.metric",
        ),
        (
            "autoscale = { target_backlog_per_consumer = 5, scale_in_after = \"2d\" }\n",
            "consumers.autoscale.scale_in_after",
        ),
        (
            "autoscale = { target_backlog_per_consumer = 5, scale_out_rate = 0 }\n",
            "consumers.autoscale.scale_out_rate",
        ),
        (
            "autoscale = { target_backlog_per_consumer = 5, evaluation = \"0s\" }\n",
            "consumers.autoscale.evaluation",
        ),
        (
            "autoscale = { min = 2, color = 3 }\n",
            "consumers.autoscale",
        ),
    ];
    let sections = [
        ("[[producers]]\n", &in_producer[..]),
        ("[consumers]\n", &in_consumers[..]),
    ];
    for (header, cases) in sections {
        for (extra, key) in cases {
            let text = MINIMAL.replace(header, &format!("{header}{extra}"));
            let e = load(&text, &[]).unwrap_err();
            assert!(
                e.key.as_deref().is_some_and(|k| k.starts_with(key)),
                "{extra}: {:?} {}",
                e.key,
                e.message
            );
        }
    }
}
