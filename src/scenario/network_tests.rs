//! Loader tests for the network form: queues, topics, emits, dead-letter
//! queues, fault targets, presets per queue, overrides into the network
//! and the round trip through `mqsim check`'s printed TOML.

use super::*;
use crate::time::SimTime;

/// The order pipeline of SPEC §5: web → orders → (emit) order-events →
/// shipping and email (filtered); orders dead-letters to orders-dlq,
/// which has a consumer of its own.
pub(super) const PIPELINE: &str = r#"name = "pipeline"
duration = "1h"

[queues.orders]
visibility_timeout = "30s"
max_receive_count = 5
dead_letter = "orders-dlq"
initial_backlog = 200

[queues.orders.consumers]
count = 20
processing = { dist = "lognormal", mean = "40ms", p99 = "400ms" }
emit = [{ to = "order-events" }, { to = "email", p = 0.05 }]

[queues.orders-dlq]
retention = "14d"

[queues.orders-dlq.consumers]
count = 1
processing = "1s"

[topics.order-events]
subscribers = ["shipping", { queue = "email", filter = 0.3 }]

[queues.shipping]
type = "fifo"

[queues.shipping.consumers]
count = 4
processing = "50ms"

[queues.email]

[queues.email.consumers]
count = 2
processing = "80ms"

[[producers]]
name = "web"
rate = 40
to = "orders"
groups = 8

[[faults]]
kind = "consumer-outage"
at = "10m"
duration = "5m"
count = 10
target = "orders"

[[faults]]
kind = "spike"
at = "20m"
duration = "5m"
factor = 2
"#;

/// Queue indices in name order.
pub(super) const EMAIL: usize = 0;
pub(super) const ORDERS: usize = 1;
pub(super) const DLQ: usize = 2;
pub(super) const SHIPPING: usize = 3;

pub(super) fn load(text: &str, set: &[&str]) -> Result<Scenario, ScenarioError> {
    let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
    load_str(text, Path::new("dir/pipeline.toml"), &set)
}

pub(super) fn error(text: &str) -> ScenarioError {
    load(text, &[]).expect_err("the scenario should be refused")
}

/// The line (from 1) of the first line of `text` containing `needle`.
pub(super) fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in the text"))
        + 1
}

/// `PIPELINE` with `from` replaced by `to` (which must occur).
pub(super) fn edit(from: &str, to: &str) -> String {
    assert!(PIPELINE.contains(from), "{from:?} not in PIPELINE");
    PIPELINE.replacen(from, to, 1)
}

pub(super) fn queue_ref(name: &str, i: usize) -> NodeRef {
    NodeRef {
        name: name.into(),
        node: Node::Queue(i),
    }
}

#[test]
fn the_order_pipeline_loads_in_name_order() {
    let sc = load(PIPELINE, &[]).unwrap();
    assert!(sc.is_network());
    let names: Vec<&str> = sc.queues.iter().map(|q| q.name.as_str()).collect();
    assert_eq!(names, ["email", "orders", "orders-dlq", "shipping"]);
    let orders = &sc.queues[ORDERS];
    assert_eq!(orders.queue.dead_letter, Some(queue_ref("orders-dlq", DLQ)));
    assert_eq!(orders.queue.initial_backlog, 200);
    assert_eq!(orders.queue.max_receive_count, Some(5));
    let fleet = orders.consumers.as_ref().unwrap();
    assert_eq!(fleet.count, 20);
    let topic = NodeRef {
        name: "order-events".into(),
        node: Node::Topic(0),
    };
    assert_eq!(
        fleet.emit,
        [
            Emit { to: topic, p: 1.0 },
            Emit {
                to: queue_ref("email", EMAIL),
                p: 0.05
            }
        ]
    );
    assert_eq!(sc.topics.len(), 1);
    assert_eq!(
        sc.topics[0].subscribers,
        [
            Subscriber {
                queue: queue_ref("shipping", SHIPPING),
                filter: 1.0
            },
            Subscriber {
                queue: queue_ref("email", EMAIL),
                filter: 0.3
            }
        ]
    );
    assert_eq!(sc.queues[SHIPPING].queue.kind, QueueKind::Fifo);
    assert_eq!(
        sc.queues[DLQ].queue.retention,
        SimTime::from_secs(14 * 86_400)
    );
    assert_eq!(sc.queues[DLQ].queue.dead_letter, None);
    assert_eq!(sc.producers[0].to, queue_ref("orders", ORDERS));
    assert_eq!(sc.producers[0].groups, 8);
    assert_eq!(sc.faults[0].target, Some(queue_ref("orders", ORDERS)));
    assert_eq!(sc.faults[1].target, None);
}

#[test]
fn the_printed_network_loads_back_the_same() {
    let sc = load(PIPELINE, &[]).unwrap();
    let printed = toml::to_string(&sc).unwrap();
    for table in [
        "[queues.orders]",
        "[queues.orders.consumers]",
        "[queues.orders-dlq]",
        "[topics.order-events]",
    ] {
        assert!(printed.contains(table), "{table}:\n{printed}");
    }
    let back = load(&printed, &[])
        .unwrap_or_else(|e| panic!("the printed scenario does not load: {e}\n{printed}"));
    assert_eq!(
        serde_json::to_string(&sc).unwrap(),
        serde_json::to_string(&back).unwrap(),
        "{printed}"
    );
    assert_eq!(toml::to_string(&back).unwrap(), printed);
}

#[test]
fn a_network_round_trips_with_presets_autoscaling_and_every_fault_kind() {
    let faults = [
        "kind = \"queue-outage\"\nat = \"1m\"\nduration = \"1m\"\ntarget = \"orders-dlq\"",
        "kind = \"slowdown\"\nat = \"2m\"\nduration = \"1m\"\nfactor = 3\ntarget = \"email\"",
        "kind = \"error-burst\"\nat = \"3m\"\nduration = \"1m\"\nerror_rate = 0.5\ntarget = \"shipping\"",
    ]
    .map(|f| format!("[[faults]]\n{f}\n"))
    .concat();
    let text = edit("[queues.email]\n", "[queues.email]\npreset = \"pubsub\"\n").replacen(
        "count = 2\n",
        "autoscale = { target_backlog_per_consumer = 5, min = 1, max = 6 }\n",
        1,
    ) + &faults
        + "[sweep]\n\"queues.orders.consumers.count\" = [10, 30]\n";
    let sc = load(&text, &[]).unwrap();
    let printed = toml::to_string(&sc).unwrap();
    let back = load(&printed, &[])
        .unwrap_or_else(|e| panic!("the printed scenario does not load: {e}\n{printed}"));
    assert_eq!(
        serde_json::to_string(&sc).unwrap(),
        serde_json::to_string(&back).unwrap(),
        "{printed}"
    );
    assert_eq!(back.faults.len(), 5);
    assert_eq!(back.sweep[0].key, "queues.orders.consumers.count");
}

#[test]
fn one_queue_needs_no_to_and_no_target() {
    let text = "[queues.jobs.consumers]\nprocessing = \"10ms\"\n[[producers]]\nrate = 5\n\
                [[faults]]\nkind = \"slowdown\"\nat = \"1m\"\nduration = \"1m\"\nfactor = 2\n";
    let sc = load(text, &[]).unwrap();
    assert_eq!(sc.producers[0].to, queue_ref("jobs", 0));
    assert_eq!(sc.faults[0].target, None);
    assert!(sc.is_network());
    let targeted = format!("{text}target = \"jobs\"\n");
    let sc = load(&targeted, &[]).unwrap();
    assert_eq!(sc.faults[0].target, Some(queue_ref("jobs", 0)));
    let e = error(&format!("{text}target = \"job\"\n"));
    assert_eq!(e.key.as_deref(), Some("faults.0.target"));
    assert!(
        e.message
            .contains("no queue is named \"job\"; queues: jobs"),
        "{e}"
    );
    // A topic makes `to` ambiguous again.
    let topic = format!("{text}[topics.all]\nsubscribers = [\"jobs\"]\n");
    let e = error(&topic);
    assert_eq!(e.key.as_deref(), Some("producers.0.to"), "{e}");
}

#[test]
fn the_single_form_takes_a_backlog_but_no_network_keys() {
    let minimal = "[[producers]]\nrate = 5\n[consumers]\nprocessing = \"100ms\"\n";
    let sc = load(&format!("{minimal}[queue]\ninitial_backlog = 1000\n"), &[]).unwrap();
    assert_eq!(sc.queue().initial_backlog, 1000);
    assert!(!sc.is_network());
    let printed = toml::to_string(&sc).unwrap();
    assert!(printed.contains("initial_backlog = 1000"), "{printed}");
    assert_eq!(
        serde_json::to_string(&load(&printed, &[]).unwrap()).unwrap(),
        serde_json::to_string(&sc).unwrap()
    );
    let cases = [
        (
            "[queue]\nmax_receive_count = 3\ndead_letter = \"dlq\"\n",
            "queue.dead_letter",
            "network form",
        ),
        (
            "[queue.consumers]\ncount = 3\n",
            "queue.consumers",
            "[consumers]",
        ),
        (
            "[queue]\ninitial_backlog = 20000000\n",
            "queue.initial_backlog",
            "out of range",
        ),
    ];
    for (extra, key, what) in cases {
        let e = error(&format!("{minimal}{extra}"));
        assert_eq!(e.key.as_deref(), Some(key), "{extra}: {e}");
        assert!(e.message.contains(what), "{extra}: {e}");
    }
    let e = error(&minimal.replace(
        "[consumers]\n",
        "[consumers]\nemit = [{ to = \"queue\" }]\n",
    ));
    assert_eq!(e.key.as_deref(), Some("consumers.emit"));
    let e = error(&minimal.replace("rate = 5", "rate = 5\nto = \"orders\""));
    assert!(
        e.message
            .contains("no queue or topic is named \"orders\"; queues: queue"),
        "{e}"
    );
    assert!(
        load(
            &minimal.replace("rate = 5", "rate = 5\nto = \"queue\""),
            &[]
        )
        .is_ok()
    );
    let fault = "[[faults]]\nkind = \"slowdown\"\nat = \"1m\"\nduration = \"1m\"\nfactor = 2\n";
    assert!(load(&format!("{minimal}{fault}target = \"queue\"\n"), &[]).is_ok());
    let e = error(&format!("{minimal}{fault}target = \"orders\"\n"));
    assert_eq!(e.key.as_deref(), Some("faults.0.target"));
}

#[test]
fn presets_apply_per_queue() {
    let text = edit("retention = \"14d\"\n", "preset = \"pubsub\"\n")
        .replacen(
            "[queues.shipping]\n",
            "[queues.shipping]\npreset = \"rabbitmq-quorum\"\n",
            1,
        )
        .replacen("type = \"fifo\"\n", "", 1);
    let sc = load(&text, &[]).unwrap();
    let dlq = &sc.queues[DLQ];
    assert_eq!(dlq.queue.visibility_timeout, SimTime::from_secs(10));
    assert_eq!(
        dlq.consumers.as_ref().unwrap().heartbeat,
        Some(SimTime::from_secs(5))
    );
    assert_eq!(
        sc.queues[SHIPPING].queue.on_consumer_loss,
        ConsumerLoss::Requeue
    );
    assert_eq!(
        sc.queues[ORDERS].queue.on_consumer_loss,
        ConsumerLoss::Timeout
    );
    assert_eq!(sc.cost.price_per_million_requests, 0.0);
    // A preset on a queue without a fleet gives it none.
    let fleetless = "[queues.a]\npreset = \"lambda-sqs\"\n[queues.b.consumers]\nprocessing = \"1s\"\n\
                     [[producers]]\nrate = 1\nto = \"b\"\n";
    assert!(load(fleetless, &[]).unwrap().queues[0].consumers.is_none());
    // Two request prices: the scenario has one, so [cost] must say which.
    let fifo = text.replacen(
        "[queues.email]\n",
        "[queues.email]\npreset = \"sqs-fifo\"\n",
        1,
    );
    let e = error(&fifo);
    assert!(e.key.as_deref().unwrap().ends_with(".preset"), "{e}");
    assert!(
        e.message.contains("set [cost] price_per_million_requests"),
        "{e}"
    );
    let priced = format!("{fifo}[cost]\nprice_per_million_requests = 0.5\n");
    assert_eq!(
        load(&priced, &[]).unwrap().cost.price_per_million_requests,
        0.5
    );
    let e = error(&edit(
        "[queues.email]\n",
        "[queues.email]\npreset = \"kafka\"\n",
    ));
    assert_eq!(e.key.as_deref(), Some("queues.email.preset"));
}

#[test]
fn overrides_and_sweeps_reach_into_the_network() {
    let sc = load(
        PIPELINE,
        &[
            "queues.orders.consumers.count=30",
            "queues.orders.visibility_timeout=60s",
            "queues.orders-dlq.consumers.processing=2s",
            "topics.order-events.subscribers=[\"shipping\"]",
            "queues.orders.consumers.emit.1.p=0.5",
        ],
    )
    .unwrap();
    let orders = &sc.queues[ORDERS];
    assert_eq!(orders.consumers.as_ref().unwrap().count, 30);
    assert_eq!(orders.queue.visibility_timeout, SimTime::from_secs(60));
    assert_eq!(orders.consumers.as_ref().unwrap().emit[1].p, 0.5);
    assert_eq!(sc.topics[0].subscribers.len(), 1);
    let e = load(PIPELINE, &["queues.ordrs.consumers.count=3"]).unwrap_err();
    assert!(
        e.message.contains(
            "queues.ordrs: no queue is named \"ordrs\"; queues: email, orders, orders-dlq, shipping"
        ),
        "{e}"
    );
    let e = load(PIPELINE, &["topics.events.subscribers=[\"email\"]"]).unwrap_err();
    assert!(e.message.contains("topics: order-events"), "{e}");
    let e = load(PIPELINE, &["queues.orders.consumers.count=-2"]).unwrap_err();
    assert_eq!(
        e.set_arg.as_deref(),
        Some("queues.orders.consumers.count=-2")
    );
    assert_eq!(e.key.as_deref(), Some("queues.orders.consumers.count"));
    let e = load(PIPELINE, &["consumers.count=2"]).unwrap_err();
    assert!(e.message.contains("cannot be mixed"), "{e}");
    let sweep = |values: &str| {
        format!("{PIPELINE}[sweep]\n\"queues.orders-dlq.consumers.count\" = {values}\n")
    };
    assert_eq!(
        load(&sweep("[1, 2]"), &[]).unwrap().sweep[0].values,
        ["1", "2"]
    );
    let e = error(&sweep("[1, -2]"));
    assert!(
        e.message.contains("-2") && e.message.contains("out of range"),
        "{e}"
    );
    let e = error(&format!(
        "{PIPELINE}[sweep]\n\"queues.nope.consumers.count\" = [1]\n"
    ));
    assert!(e.message.contains("no queue is named \"nope\""), "{e}");
}

#[test]
fn the_docs_example_loads() {
    let docs = include_str!("../../docs/scenario.md");
    let section = &docs[docs.find("## Networks of queues").unwrap()..];
    let start = section.find("```toml\n").unwrap() + "```toml\n".len();
    let example = &section[start..start + section[start..].find("```").unwrap()];
    let sc = load(example, &[]).unwrap_or_else(|e| panic!("{e}\n{example}"));
    assert_eq!(sc.queues.len(), 5);
    assert_eq!(
        sc.queues.iter().filter(|q| q.consumers.is_some()).count(),
        4
    );
}
