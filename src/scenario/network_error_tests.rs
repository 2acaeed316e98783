//! Loader tests for the network form's errors: every rule, with its
//! dotted key, its position and the names it lists.

use super::network_tests::{EMAIL, ORDERS, PIPELINE, edit, error, line_of, load};

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
        (
            "target = \"orders\"",
            "target = \"order\"",
            "faults.0.target",
            queues,
        ),
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
    let e = error(&edit(
        "dead_letter = \"orders-dlq\"",
        "dead_letter = \"order-events\"",
    ));
    assert!(
        e.message
            .contains("\"order-events\" is a topic, and a queue is needed here"),
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
    assert_eq!(
        e.position.map(|p| p.line),
        Some(line_of(&text, "[topics.email]"))
    );
    for bad in ["\"or ders\"", "\"a.b\"", "\"ünïcode\"", "\"\""] {
        let text = edit("[queues.email]\n", &format!("[queues.{bad}]\n"));
        let e = error(&text);
        assert!(
            e.message
                .contains("is not a usable name; allowed: 1 to 100 letters, digits, '-' or '_'"),
            "{bad}: {e}"
        );
        assert!(
            e.key.as_deref().unwrap().starts_with("queues."),
            "{bad}: {e}"
        );
    }
}

#[test]
fn producers_must_say_where_they_send_when_there_are_several_queues() {
    let text = edit("to = \"orders\"\n", "");
    let e = error(&text);
    assert_eq!(e.key.as_deref(), Some("producers.0.to"));
    assert!(
        e.message
            .starts_with("is required when a scenario has several queues"),
        "{e}"
    );
    assert!(e.message.contains("topics: order-events"), "{e}");
    assert_eq!(
        e.position.map(|p| p.line),
        Some(line_of(&text, "[[producers]]"))
    );
}

#[test]
fn the_single_form_and_the_network_form_do_not_mix() {
    for table in ["[queue]\nretention = \"1d\"\n", "[consumers]\ncount = 2\n"] {
        let text = format!("{PIPELINE}{table}");
        let e = error(&text);
        let name = &table[1..table.find(']').unwrap()];
        assert_eq!(e.key.as_deref(), Some(name), "{e}");
        assert!(
            e.message.contains("cannot be mixed with [queues.NAME]"),
            "{e}"
        );
        assert_eq!(
            e.position.map(|p| p.line),
            Some(line_of(&text, &table[..table.find('\n').unwrap()]))
        );
    }
    let topics_only = "[[producers]]\nrate = 1\nto = \"t\"\n[consumers]\nprocessing = \"1s\"\n\
                       [topics.t]\nsubscribers = [\"queue\"]\n";
    assert_eq!(error(topics_only).key.as_deref(), Some("consumers"));
}

#[test]
fn dead_letter_queues_are_other_queues_of_a_dead_lettering_queue() {
    let e = error(&edit(
        "dead_letter = \"orders-dlq\"",
        "dead_letter = \"orders\"",
    ));
    assert_eq!(e.key.as_deref(), Some("queues.orders.dead_letter"));
    assert!(
        e.message.contains("cannot be its own dead-letter queue"),
        "{e}"
    );
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
        (
            "subscribers = []",
            "topics.order-events.subscribers",
            "non-empty list",
        ),
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
        (
            "subscribers = [3]",
            "topics.order-events.subscribers.0",
            "must be a queue name",
        ),
        (
            "subscribers = \"email\"",
            "topics.order-events.subscribers",
            "non-empty list",
        ),
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
    let e = error(&edit(
        "{ to = \"order-events\" }",
        "{ to = \"order-events\", q = 1 }",
    ));
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
    assert_eq!(
        error("queues = {}\n[[producers]]\nrate = 1\n")
            .key
            .as_deref(),
        Some("queues")
    );
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
        (
            "initial_backlog = 200",
            "initial_backlog = -1",
            "queues.orders.initial_backlog",
        ),
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
        assert_eq!(
            e.position.map(|p| p.line),
            Some(line_of(&text, last)),
            "{to}: {e}"
        );
    }
    let e = error(&edit("count = 2\nprocessing = \"80ms\"\n", "count = 2\n"));
    assert_eq!(e.key.as_deref(), Some("queues.email.consumers.processing"));
    let e = error(&edit("count = 20", "colour = 3"));
    assert_eq!(
        e.key.as_deref(),
        Some("queues.orders.consumers.colour"),
        "{e}"
    );
    assert!(e.message.starts_with("unknown key `colour`"), "{e}");
}

#[test]
fn faults_target_a_queue_and_its_fleet() {
    let e = error(&edit("target = \"orders\"\n", ""));
    assert_eq!(e.key.as_deref(), Some("faults.0.target"));
    assert!(
        e.message
            .contains("is required when there are several queues")
            && e.message
                .contains("queues: email, orders, orders-dlq, shipping"),
        "{e}"
    );
    let e = error(&edit(
        "count = 10\ntarget = \"orders\"",
        "count = 5\ntarget = \"shipping\"",
    ));
    assert_eq!(e.key.as_deref(), Some("faults.0.count"));
    assert!(
        e.message
            .contains("5 consumers down, but queues.shipping.consumers.count is 4"),
        "{e}"
    );
    let no_fleet = edit(
        "[queues.orders-dlq.consumers]\ncount = 1\nprocessing = \"1s\"\n",
        "",
    );
    let slow = "[[faults]]\nkind = \"slowdown\"\nat = \"1m\"\nduration = \"1m\"\nfactor = 2\n\
                target = \"orders-dlq\"\n";
    let e = error(&format!("{no_fleet}{slow}"));
    assert_eq!(e.key.as_deref(), Some("faults.2.target"));
    assert!(
        e.message
            .contains("queue \"orders-dlq\" has no consumers, and a slowdown strikes a fleet")
            && e.message.ends_with("email, orders, shipping"),
        "{e}"
    );
    // A queue outage strikes the queue, with or without a fleet.
    let outage = slow
        .replace("\"slowdown\"", "\"queue-outage\"")
        .replace("factor = 2\n", "");
    assert!(load(&format!("{no_fleet}{outage}"), &[]).is_ok());
    let e = error(&edit("factor = 2\n", "factor = 2\ntarget = \"orders\"\n"));
    assert_eq!(e.key.as_deref(), Some("faults.1.target"));
    assert!(e.message.contains("name a producer"), "{e}");
}

#[test]
fn keys_of_another_fault_kind_are_refused() {
    let e = error(&edit("count = 10\n", "count = 10\nmode = \"hang\"\n"));
    assert_eq!(e.key.as_deref(), Some("faults.0.mode"));
    assert!(e.message.contains("does not take `mode`"), "{e}");
    assert!(e.position.is_some(), "{e}");
    let e = error(&edit("factor = 2\n", "factor = 2\nrate = 5\n"));
    assert_eq!(e.key.as_deref(), Some("faults.1.rate"));
    assert!(
        e.message.contains(
            "a spike fault does not take `rate`; it takes at, duration and factor, producer"
        ),
        "{e}"
    );
}
