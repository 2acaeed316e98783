//! Loader tests for the network form: queues, topics, emits, dead-letter
//! queues, fault targets, presets per queue, overrides into the network
//! and the round trip through `mqsim check`'s printed TOML.

use super::*;
use crate::time::SimTime;

/// The order pipeline of SPEC §5: web → orders → (emit) order-events →
/// shipping and email (filtered); orders dead-letters to orders-dlq,
/// which has a consumer of its own.
const PIPELINE: &str = r#"name = "pipeline"
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
const EMAIL: usize = 0;
const ORDERS: usize = 1;
const DLQ: usize = 2;
const SHIPPING: usize = 3;

fn load(text: &str, set: &[&str]) -> Result<Scenario, ScenarioError> {
    let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
    load_str(text, Path::new("dir/pipeline.toml"), &set)
}

fn error(text: &str) -> ScenarioError {
    load(text, &[]).expect_err("the scenario should be refused")
}

/// The line (from 1) of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in the text"))
        + 1
}

/// `PIPELINE` with `from` replaced by `to` (which must occur).
fn edit(from: &str, to: &str) -> String {
    assert!(PIPELINE.contains(from), "{from:?} not in PIPELINE");
    PIPELINE.replacen(from, to, 1)
}

fn queue_ref(name: &str, i: usize) -> NodeRef {
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
    assert_eq!(sc.queues[DLQ].queue.retention, SimTime::from_secs(14 * 86_400));
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
    let text = edit(
        "[queues.email]\n",
        "[queues.email]\npreset = \"pubsub\"\n",
    )
    .replacen(
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
    assert!(e.message.contains("no queue is named \"job\"; queues: jobs"), "{e}");
    // A topic makes `to` ambiguous again.
    let topic = format!(
        "{text}[topics.all]\nsubscribers = [\"jobs\"]\n"
    );
    let e = error(&topic);
    assert_eq!(e.key.as_deref(), Some("producers.0.to"), "{e}");
}

#[test]
fn unknown_names_are_located_and_list_the_names_that_exist() {
    let all = "queues: email, orders, orders-dlq, shipping; topics: order-events";
    let queues = "queues: email, orders, orders-dlq, shipping";
    let cases = [
        ("to = \"orders\"", "to = \"ordrs\"", "producers.0.to", all),
        (
            "{ to = \"order-events\" }",
            "{ to = \"order-event\" }",
            "queues.orders.consumers.emit.0.to",
            all,
        ),
        (
            "dead_letter = \"orders-dlq\"",
            "dead_letter = \"dlq\"",
            "queues.orders.dead_letter",
            queues,
        ),
        (
            "[\"shipping\",",
            "[\"shiping\",",
            "topics.order-events.subscribers.0",
            queues,
        ),
        (
            "{ queue = \"email\", filter",
            "{ queue = \"e-mail\", filter",
            "topics.order-events.subscribers.1.queue",
            queues,
        ),
        ("target = \"orders\"", "target = \"order\"", "faults.0.target", queues),
    ];
    for (from, to, key, listed) in cases {
        let text = edit(from, to);
        let e = error(&text);
        assert_eq!(e.key.as_deref(), Some(key), "{to}: {e}");
        let name = to.split('"').nth(1).unwrap();
        assert!(
            e.message.contains(&format!("is named \"{name}\"")) && e.message.ends_with(listed),
            "{to}: {e}"
        );
        assert_eq!(e.position.map(|p| p.line), Some(line_of(&text, to)), "{e}");
    }
}

#[test]
fn a_topic_where_a_queue_is_needed_says_so() {
    let e = error(&edit("dead_letter = \"orders-dlq\"", "dead_letter = \"order-events\""));
    assert!(
        e.message.contains("\"order-events\" is a topic, and a queue is needed here"),
        "{e}"
    );
    let e = error(&edit("target = \"orders\"", "target = \"order-events\""));
    assert_eq!(e.key.as_deref(), Some("faults.0.target"), "{e}");
    assert!(e.message.contains("is a topic"), "{e}");
}

#[test]
fn names_are_unique_and_safe() {
    let text = format!("{PIPELINE}[topics.email]\nsubscribers = [\"shipping\"]\n");
    let e = error(&text);
    assert_eq!(e.key.as_deref(), Some("topics.email"));
    assert!(e.message.contains("names both a queue and a topic"), "{e}");
    assert_eq!(e.position.map(|p| p.line), Some(line_of(&text, "[topics.email]")));
    for bad in ["\"or ders\"", "\"a.b\"", "\"ünïcode\"", "\"\""] {
        let text = edit("[queues.email]\n", &format!("[queues.{bad}]\n"));
        let e = error(&text);
        assert!(
            e.message.contains("is not a usable name; allowed: 1 to 100 letters, digits, '-' or '_'"),
            "{bad}: {e}"
        );
        assert!(e.key.as_deref().unwrap().starts_with("queues."), "{bad}: {e}");
    }
}

#[test]
fn producers_must_say_where_they_send_when_there_are_several_queues() {
    let text = edit("to = \"orders\"\n", "");
    let e = error(&text);
    assert_eq!(e.key.as_deref(), Some("producers.0.to"));
    assert!(e.message.starts_with("is required when a scenario has several queues"), "{e}");
    assert!(e.message.contains("topics: order-events"), "{e}");
    assert_eq!(e.position.map(|p| p.line), Some(line_of(&text, "[[producers]]")));
}

#[test]
fn the_single_form_and_the_network_form_do_not_mix() {
    for table in ["[queue]\nretention = \"1d\"\n", "[consumers]\ncount = 2\n"] {
        let text = format!("{PIPELINE}{table}");
        let e = error(&text);
        let name = &table[1..table.find(']').unwrap()];
        assert_eq!(e.key.as_deref(), Some(name), "{e}");
        assert!(e.message.contains("cannot be mixed with [queues.NAME]"), "{e}");
        assert_eq!(e.position.map(|p| p.line), Some(line_of(&text, &table[..table.find('\n').unwrap()])));
    }
    let topics_only = "[[producers]]\nrate = 1\nto = \"t\"\n[consumers]\nprocessing = \"1s\"\n\
                       [topics.t]\nsubscribers = [\"queue\"]\n";
    assert_eq!(error(topics_only).key.as_deref(), Some("consumers"));
}

#[test]
fn dead_letter_queues_are_other_queues_of_a_dead_lettering_queue() {
    let e = error(&edit("dead_letter = \"orders-dlq\"", "dead_letter = \"orders\""));
    assert_eq!(e.key.as_deref(), Some("queues.orders.dead_letter"));
    assert!(e.message.contains("cannot be its own dead-letter queue"), "{e}");
    let e = error(&edit("max_receive_count = 5\n", ""));
    assert_eq!(e.key.as_deref(), Some("queues.orders.dead_letter"));
    assert!(e.message.contains("give max_receive_count"), "{e}");
    // Without a dead-letter queue, dead-lettered messages leave the system.
    let sc = load(&edit("dead_letter = \"orders-dlq\"\n", ""), &[]).unwrap();
    assert_eq!(sc.queues[ORDERS].queue.max_receive_count, Some(5));
    assert_eq!(sc.queues[ORDERS].queue.dead_letter, None);
}

#[test]
fn topics_need_distinct_subscribers_with_filters_in_range() {
    let subs = "subscribers = [\"shipping\", { queue = \"email\", filter = 0.3 }]";
    let cases = [
        ("subscribers = []", "topics.order-events.subscribers", "non-empty list"),
        ("", "topics.order-events.subscribers", "is required"),
        (
            "subscribers = [\"shipping\", \"email\", { queue = \"shipping\" }]",
            "topics.order-events.subscribers.2",
            "\"shipping\" is subscribed to topic \"order-events\" twice",
        ),
        (
            "subscribers = [{ queue = \"email\", filter = 1.5 }]",
            "topics.order-events.subscribers.0.filter",
            "1.5 is out of range; allowed: 0 ..= 1",
        ),
        (
            "subscribers = [{ queue = \"email\", filter = \"half\" }]",
            "topics.order-events.subscribers.0.filter",
            "out of range",
        ),
        (
            "subscribers = [{ queue = \"email\", share = 0.5 }]",
            "topics.order-events.subscribers.0.share",
            "allowed: queue, filter",
        ),
        (
            "subscribers = [{ filter = 0.5 }]",
            "topics.order-events.subscribers.0.queue",
            "is required",
        ),
        ("subscribers = [3]", "topics.order-events.subscribers.0", "must be a queue name"),
        ("subscribers = \"email\"", "topics.order-events.subscribers", "non-empty list"),
    ];
    for (to, key, what) in cases {
        let e = error(&edit(subs, to));
        assert_eq!(e.key.as_deref(), Some(key), "{to}: {e}");
        assert!(e.message.contains(what), "{to}: {e}");
        assert!(e.position.is_some(), "{to}: {e}");
    }
}

#[test]
fn emits_take_a_probability_and_cycles_load() {
    let e = error(&edit("p = 0.05", "p = 1.2"));
    assert_eq!(e.key.as_deref(), Some("queues.orders.consumers.emit.1.p"));
    let e = error(&edit("{ to = \"order-events\" }", "{ p = 0.5 }"));
    assert_eq!(e.key.as_deref(), Some("queues.orders.consumers.emit.0.to"));
    let e = error(&edit("{ to = \"order-events\" }", "{ to = \"order-events\", q = 1 }"));
    assert!(e.message.contains("unknown key `q`"), "{e}");
    // A cycle, even one that can never drain, is check's to judge: loading
    // it terminates.
    let cycle = edit("p = 0.05", "p = 1").replacen(
        "processing = \"80ms\"\n",
        "processing = \"80ms\"\nemit = [{ to = \"orders\" }, { to = \"email\" }]\n",
        1,
    );
    let sc = load(&cycle, &[]).unwrap();
    assert_eq!(sc.queues[EMAIL].consumers.as_ref().unwrap().emit.len(), 2);
}

#[test]
fn at_least_one_queue_has_consumers() {
    let text = "[queues.a]\n[queues.b]\n[[producers]]\nrate = 1\nto = \"a\"\n";
    let e = error(text);
    assert_eq!(e.key.as_deref(), Some("queues"));
    assert!(e.message.contains("no queue has consumers"), "{e}");
    assert!(e.message.contains("queues: a, b"), "{e}");
    assert_eq!(error("queues = {}\n[[producers]]\nrate = 1\n").key.as_deref(), Some("queues"));
}

#[test]
fn a_queue_s_keys_are_named_under_its_table() {
    let cases = [
        ("count = 20", "count = -1", "queues.orders.consumers.count"),
        (
            "visibility_timeout = \"30s\"",
            "visibility_timeout = \"13h\"",
            "queues.orders.visibility_timeout",
        ),
        ("initial_backlog = 200", "initial_backlog = -1", "queues.orders.initial_backlog"),
        (
            "count = 20",
            "crash = { mtbf = \"0s\", restart = \"1s\" }",
            "queues.orders.consumers.crash.mtbf",
        ),
        (
            "count = 20",
            "autoscale = { min = 2 }",
            "queues.orders.consumers.autoscale",
        ),
        (
            "count = 20",
            "on_error = \"retry\"",
            "queues.orders.consumers.on_error",
        ),
        (
            "type = \"fifo\"",
            "type = \"fifo\"\nduplicate_delivery = 0.1",
            "queues.shipping.duplicate_delivery",
        ),
        (
            "processing = \"50ms\"",
            "processing = { dist = \"exp\" }",
            "queues.shipping.consumers.processing",
        ),
    ];
    for (from, to, key) in cases {
        let text = edit(from, to);
        let e = error(&text);
        assert!(
            e.key.as_deref().is_some_and(|k| k.starts_with(key)),
            "{to}: {e}"
        );
        let last = to.lines().last().unwrap();
        assert_eq!(e.position.map(|p| p.line), Some(line_of(&text, last)), "{to}: {e}");
    }
    let e = error(&edit("count = 2\nprocessing = \"80ms\"\n", "count = 2\n"));
    assert_eq!(e.key.as_deref(), Some("queues.email.consumers.processing"));
    let e = error(&edit("count = 20", "colour = 3"));
    assert_eq!(e.key.as_deref(), Some("queues.orders.consumers.colour"), "{e}");
    assert!(e.message.starts_with("unknown key `colour`"), "{e}");
}

#[test]
fn faults_target_a_queue_and_its_fleet() {
    let e = error(&edit("target = \"orders\"\n", ""));
    assert_eq!(e.key.as_deref(), Some("faults.0.target"));
    assert!(
        e.message.contains("is required when there are several queues")
            && e.message.contains("queues: email, orders, orders-dlq, shipping"),
        "{e}"
    );
    let e = error(&edit("count = 10\ntarget = \"orders\"", "count = 5\ntarget = \"shipping\""));
    assert_eq!(e.key.as_deref(), Some("faults.0.count"));
    assert!(
        e.message.contains("5 consumers down, but queues.shipping.consumers.count is 4"),
        "{e}"
    );
    let no_fleet = edit("[queues.orders-dlq.consumers]\ncount = 1\nprocessing = \"1s\"\n", "");
    let slow = "[[faults]]\nkind = \"slowdown\"\nat = \"1m\"\nduration = \"1m\"\nfactor = 2\n\
                target = \"orders-dlq\"\n";
    let e = error(&format!("{no_fleet}{slow}"));
    assert_eq!(e.key.as_deref(), Some("faults.2.target"));
    assert!(
        e.message.contains("queue \"orders-dlq\" has no consumers, and a slowdown strikes a fleet")
            && e.message.ends_with("email, orders, shipping"),
        "{e}"
    );
    // A queue outage strikes the queue, with or without a fleet.
    let outage = slow.replace("\"slowdown\"", "\"queue-outage\"").replace("factor = 2\n", "");
    assert!(load(&format!("{no_fleet}{outage}"), &[]).is_ok());
    let e = error(&edit("factor = 2\n", "factor = 2\ntarget = \"orders\"\n"));
    assert_eq!(e.key.as_deref(), Some("faults.1.target"));
    assert!(e.message.contains("name a producer"), "{e}");
}

#[test]
fn the_next_version_s_keys_are_refused_not_ignored() {
    let cases = [
        (
            "count = 20",
            "count = 20\nuses = [{ resource = \"db\", hold = \"1ms\" }]",
            "queues.orders.consumers.uses",
        ),
        (
            "count = 20",
            "breaker = { error_rate = 0.5 }",
            "queues.orders.consumers.breaker",
        ),
        (
            "count = 20",
            "idempotency = { ttl = \"1h\" }",
            "queues.orders.consumers.idempotency",
        ),
        (
            "count = 20",
            "on_error = { backoff = \"exponential\", base = \"2s\" }",
            "queues.orders.consumers.on_error",
        ),
        ("name = \"pipeline\"", "name = \"pipeline\"\n[resources.db]\ncapacity = 20", "resources"),
        ("kind = \"spike\"", "kind = \"redrive\"", "faults.1.kind"),
        ("kind = \"spike\"", "kind = \"resource-outage\"", "faults.1.kind"),
        ("kind = \"spike\"", "kind = \"resource-slowdown\"", "faults.1.kind"),
    ];
    for (from, to, key) in cases {
        let e = error(&edit(from, to));
        assert_eq!(e.key.as_deref(), Some(key), "{to}: {e}");
        assert!(e.message.contains("not supported yet"), "{to}: {e}");
        assert!(e.position.is_some(), "{to}: {e}");
    }
    let e = error(&edit("count = 10\n", "count = 10\nmode = \"hang\"\n"));
    assert_eq!(e.key.as_deref(), Some("faults.0.mode"));
    assert!(e.message.contains("does not take `mode`"), "{e}");
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
        ("[queue]\nmax_receive_count = 3\ndead_letter = \"dlq\"\n", "queue.dead_letter", "network form"),
        ("[queue.consumers]\ncount = 3\n", "queue.consumers", "[consumers]"),
        ("[queue]\ninitial_backlog = 20000000\n", "queue.initial_backlog", "out of range"),
    ];
    for (extra, key, what) in cases {
        let e = error(&format!("{minimal}{extra}"));
        assert_eq!(e.key.as_deref(), Some(key), "{extra}: {e}");
        assert!(e.message.contains(what), "{extra}: {e}");
    }
    let e = error(&minimal.replace("[consumers]\n", "[consumers]\nemit = [{ to = \"queue\" }]\n"));
    assert_eq!(e.key.as_deref(), Some("consumers.emit"));
    let e = error(&minimal.replace("rate = 5", "rate = 5\nto = \"orders\""));
    assert!(e.message.contains("no queue or topic is named \"orders\"; queues: queue"), "{e}");
    assert!(load(&minimal.replace("rate = 5", "rate = 5\nto = \"queue\""), &[]).is_ok());
    let fault = "[[faults]]\nkind = \"slowdown\"\nat = \"1m\"\nduration = \"1m\"\nfactor = 2\n";
    assert!(load(&format!("{minimal}{fault}target = \"queue\"\n"), &[]).is_ok());
    let e = error(&format!("{minimal}{fault}target = \"orders\"\n"));
    assert_eq!(e.key.as_deref(), Some("faults.0.target"));
}

#[test]
fn presets_apply_per_queue() {
    let text = edit("retention = \"14d\"\n", "preset = \"pubsub\"\n")
        .replacen("[queues.shipping]\n", "[queues.shipping]\npreset = \"rabbitmq-quorum\"\n", 1)
        .replacen("type = \"fifo\"\n", "", 1);
    let sc = load(&text, &[]).unwrap();
    let dlq = &sc.queues[DLQ];
    assert_eq!(dlq.queue.visibility_timeout, SimTime::from_secs(10));
    assert_eq!(dlq.consumers.as_ref().unwrap().heartbeat, Some(SimTime::from_secs(5)));
    assert_eq!(sc.queues[SHIPPING].queue.on_consumer_loss, ConsumerLoss::Requeue);
    assert_eq!(sc.queues[ORDERS].queue.on_consumer_loss, ConsumerLoss::Timeout);
    assert_eq!(sc.cost.price_per_million_requests, 0.0);
    // A preset on a queue without a fleet gives it none.
    let fleetless = "[queues.a]\npreset = \"lambda-sqs\"\n[queues.b.consumers]\nprocessing = \"1s\"\n\
                     [[producers]]\nrate = 1\nto = \"b\"\n";
    assert!(load(fleetless, &[]).unwrap().queues[0].consumers.is_none());
    // Two request prices: the scenario has one, so [cost] must say which.
    let fifo = text.replacen("[queues.email]\n", "[queues.email]\npreset = \"sqs-fifo\"\n", 1);
    let e = error(&fifo);
    assert!(e.key.as_deref().unwrap().ends_with(".preset"), "{e}");
    assert!(e.message.contains("set [cost] price_per_million_requests"), "{e}");
    let priced = format!("{fifo}[cost]\nprice_per_million_requests = 0.5\n");
    assert_eq!(load(&priced, &[]).unwrap().cost.price_per_million_requests, 0.5);
    let e = error(&edit("[queues.email]\n", "[queues.email]\npreset = \"kafka\"\n"));
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
        e.message.contains("queues.ordrs: no queue is named \"ordrs\"; queues: email, orders, orders-dlq, shipping"),
        "{e}"
    );
    let e = load(PIPELINE, &["topics.events.subscribers=[\"email\"]"]).unwrap_err();
    assert!(e.message.contains("topics: order-events"), "{e}");
    let e = load(PIPELINE, &["queues.orders.consumers.count=-2"]).unwrap_err();
    assert_eq!(e.set_arg.as_deref(), Some("queues.orders.consumers.count=-2"));
    assert_eq!(e.key.as_deref(), Some("queues.orders.consumers.count"));
    let e = load(PIPELINE, &["consumers.count=2"]).unwrap_err();
    assert!(e.message.contains("cannot be mixed"), "{e}");
    let sweep = |values: &str| {
        format!("{PIPELINE}[sweep]\n\"queues.orders-dlq.consumers.count\" = {values}\n")
    };
    assert_eq!(load(&sweep("[1, 2]"), &[]).unwrap().sweep[0].values, ["1", "2"]);
    let e = error(&sweep("[1, -2]"));
    assert!(e.message.contains("-2") && e.message.contains("out of range"), "{e}");
    let e = error(&format!("{PIPELINE}[sweep]\n\"queues.nope.consumers.count\" = [1]\n"));
    assert!(e.message.contains("no queue is named \"nope\""), "{e}");
}
