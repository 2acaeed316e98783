//! Loader tests for bad resources, fleet downstream keys and resource
//! faults: every rule gives a [`ScenarioError`] with its dotted key, the
//! line where the key (or its table) is written, and what is allowed.

use super::network_tests::{PIPELINE, error, line_of, load};
use super::resource_tests::{DOWNSTREAM, SINGLE};

/// `DOWNSTREAM` with `from` replaced by `to` (which must occur).
fn edit(from: &str, to: &str) -> String {
    assert!(DOWNSTREAM.contains(from), "{from:?} not in DOWNSTREAM");
    DOWNSTREAM.replacen(from, to, 1)
}

/// The error of `text` has dotted key `key`, a position on the line of
/// `line` (a needle of the text), and a message containing each of `says`.
fn refused(text: &str, key: &str, line: &str, says: &[&str]) {
    refused_at(text, key, line_of(text, line), says);
}

/// [`refused`] with the line given by its number.
fn refused_at(text: &str, key: &str, line: usize, says: &[&str]) {
    let e = error(text);
    assert_eq!(e.key.as_deref(), Some(key), "{e}");
    assert_eq!(e.position.map(|p| p.line), Some(line), "{key}: {e}");
    for part in says {
        assert!(e.message.contains(part), "{key}: {part:?} not in: {e}");
    }
}

const FLEET: &str = "queues.orders.consumers";
const RESOURCES: &str = "resources: dedup, orders-db, payments-api";

#[test]
fn unknown_resource_names_list_the_resources() {
    let to = "{ resource = \"payment-api\", hold = \"30ms\" }";
    refused(
        &edit("{ resource = \"payments-api\", hold = \"30ms\" }", to),
        &format!("{FLEET}.uses.1.resource"),
        to,
        &["no resource is named \"payment-api\"", RESOURCES],
    );
    let to = "store = \"dedupe\"";
    refused(
        &edit("store = \"dedup\"", to),
        &format!("{FLEET}.idempotency.store"),
        to,
        &["no resource is named \"dedupe\"", RESOURCES],
    );
    let to = "target = \"payments\"";
    refused(
        &edit("target = \"payments-api\"", to),
        "faults.1.target",
        to,
        &[
            "a resource-outage strikes a resource: no resource is named \"payments\"",
            RESOURCES,
        ],
    );
    // A file without resources says so.
    let text = PIPELINE.replacen(
        "count = 4\n",
        "count = 4\nuses = [{ resource = \"db\", hold = \"1ms\" }]\n",
        1,
    );
    refused(
        &text,
        "queues.shipping.consumers.uses.0.resource",
        "uses = [",
        &["the file has no [resources.NAME] tables"],
    );
}

#[test]
fn a_uses_entry_needs_a_resource_and_a_hold() {
    let to = "{ hold = \"30ms\" }";
    refused(
        &edit("{ resource = \"payments-api\", hold = \"30ms\" }", to),
        &format!("{FLEET}.uses.1.resource"),
        to,
        &["is required", RESOURCES],
    );
    let to = "{ resource = \"payments-api\" }";
    refused(
        &edit("{ resource = \"payments-api\", hold = \"30ms\" }", to),
        &format!("{FLEET}.uses.1.hold"),
        to,
        &["is required", "a distribution"],
    );
    let to = "{ resource = \"payments-api\", hold = \"30ms\", weight = 2 }";
    refused(
        &edit("{ resource = \"payments-api\", hold = \"30ms\" }", to),
        &format!("{FLEET}.uses.1.weight"),
        to,
        &["unknown key `weight`", "resource", "hold"],
    );
    let to = "{ resource = \"payments-api\", hold = \"soon\" }";
    refused(
        &edit("{ resource = \"payments-api\", hold = \"30ms\" }", to),
        &format!("{FLEET}.uses.1.hold"),
        to,
        &["\"soon\" is not a duration"],
    );
    let nine = ["{ resource = \"dedup\", hold = \"1ms\" }"; 9].join(", ");
    let to = format!("uses = [{nine}]");
    refused(
        &edit(
            "uses = [{ resource = \"orders-db\", hold = { dist = \"exp\", mean = \"5ms\" } }]",
            &to,
        ),
        "queues.shipping.consumers.uses",
        &to,
        &["9 entries; allowed: at most 8"],
    );
    // Without uses, processing stays required.
    let text = edit(
        "uses = [{ resource = \"orders-db\", hold = { dist = \"exp\", mean = \"5ms\" } }]\n",
        "",
    );
    let e = error(&text);
    assert_eq!(
        e.key.as_deref(),
        Some("queues.shipping.consumers.processing")
    );
    assert!(e.message.contains("is required"), "{e}");
}

#[test]
fn resource_tables_are_range_checked() {
    refused(
        &edit("capacity = 8", "capacity = 0"),
        "resources.payments-api.capacity",
        "capacity = 0",
        &["0 is out of range; allowed: 1 ..= 1000000"],
    );
    refused(
        &edit("capacity = 8", "capacity = 2.5"),
        "resources.payments-api.capacity",
        "capacity = 2.5",
        &["expected an integer"],
    );
    let text = edit("capacity = 8\n", "");
    let e = error(&text);
    assert_eq!(e.key.as_deref(), Some("resources.payments-api.capacity"));
    assert!(e.message.contains("is required, e.g. capacity = 20"), "{e}");
    assert_eq!(
        e.position.map(|p| p.line),
        Some(line_of(&text, "[resources.payments-api]"))
    );
    for bad in ["\"0s\"", "\"0.1us\"", "\"13h\""] {
        let to = format!("acquire_timeout = {bad}");
        refused(
            &edit("acquire_timeout = \"5s\"", &to),
            "resources.orders-db.acquire_timeout",
            &to,
            &["allowed: 1us ..= 12h"],
        );
    }
    refused(
        &edit("capacity = 8\n", "capacity = 8\nweight = 1\n"),
        "resources.payments-api.weight",
        "weight = 1",
        &[
            "unknown key `weight`",
            "capacity",
            "acquire_timeout",
            "contention",
        ],
    );
}

#[test]
fn contention_coefficients_lie_in_0_to_1() {
    let key = "resources.orders-db.contention";
    for (from, to, at) in [
        ("sigma = 0.04", "sigma = -0.1", "sigma"),
        ("sigma = 0.04", "sigma = 1.5", "sigma"),
        ("sigma = 0.04", "sigma = nan", "sigma"),
        ("kappa = 0.0008", "kappa = 5", "kappa"),
        ("kappa = 0.0008", "kappa = inf", "kappa"),
        ("kappa = 0.0008", "kappa = -1e-9", "kappa"),
    ] {
        refused(
            &edit(from, to),
            &format!("{key}.{at}"),
            to,
            &["is out of range; allowed: 0 ..= 1"],
        );
    }
    let line = "contention = {";
    refused(
        &edit("kappa = 0.0008 }", "kappa = \"high\" }"),
        &format!("{key}.kappa"),
        line,
        &["not a number"],
    );
    refused(
        &edit(", kappa = 0.0008", ""),
        &format!("{key}.kappa"),
        line,
        &["is required, e.g. kappa = 0.0008 (0 ..= 1)"],
    );
    refused(
        &edit("kappa = 0.0008 }", "kappa = 0.0008, alpha = 1 }"),
        &format!("{key}.alpha"),
        line,
        &["unknown key `alpha`; allowed: model, sigma, kappa"],
    );
    refused(
        &edit("model = \"usl\", ", ""),
        &format!("{key}.model"),
        line,
        &["is required"],
    );
    refused(
        &edit("model = \"usl\"", "model = \"amdahl\""),
        &format!("{key}.model"),
        line,
        &["\"amdahl\" is not allowed; allowed: \"none\", \"usl\""],
    );
    refused(
        &edit("model = \"usl\"", "model = \"none\""),
        &format!("{key}.sigma"),
        line,
        &["the model \"none\" takes no `sigma`"],
    );
    for (word, says) in [
        ("\"usl\"", "the usl model needs its coefficients"),
        ("\"linear\"", "\"linear\" is not allowed; allowed: \"none\""),
        ("3", "a integer is not allowed"),
    ] {
        let to = format!("contention = {word}");
        refused(
            &edit("contention = \"none\"", &to),
            "resources.dedup.contention",
            &to,
            &[says],
        );
    }
}

#[test]
fn a_backoff_says_what_it_allows() {
    let key = format!("{FLEET}.on_error");
    // The orders fleet's on_error comes first.
    let line = "on_error = {";
    let cases = [
        (
            "max = \"15m\"",
            "max = \"13h\"",
            "max",
            "13h is longer than 12h, the longest visibility a ChangeMessageVisibility may set; \
             allowed: base (2s) ..= 12h",
        ),
        (
            "max = \"15m\"",
            "max = \"1s\"",
            "max",
            "1s is shorter than base (2s); allowed: 2s ..= 12h",
        ),
        (
            "factor = 2,",
            "factor = 0.5,",
            "factor",
            "0.5 is out of range; allowed: 1 ..= 100",
        ),
        (
            "factor = 2,",
            "factor = 1000,",
            "factor",
            "allowed: 1 ..= 100",
        ),
        (
            "backoff = \"exponential\", base = \"2s\", factor",
            "backoff = \"linear\", base = \"2s\", factor",
            "backoff",
            "\"linear\" is not allowed; allowed: \"exponential\"",
        ),
        (
            "base = \"2s\", factor",
            "base = \"0s\", factor",
            "base",
            "allowed: 1us ..= 12h",
        ),
        (
            "base = \"2s\", factor",
            "base = \"13h\", factor",
            "base",
            "allowed: 1us ..= 12h",
        ),
        (
            "jitter = true }\nbreaker",
            "jitter = \"yes\" }\nbreaker",
            "jitter",
            "allowed: true or false",
        ),
        (
            "jitter = true }\nbreaker",
            "jitter = true, cap = 3 }\nbreaker",
            "cap",
            "unknown key `cap`; allowed: backoff, base, factor, max, jitter",
        ),
        (
            "backoff = \"exponential\", base = \"2s\", factor",
            "base = \"2s\", factor",
            "backoff",
            "is required, e.g. on_error = { backoff = \"exponential\", base = \"2s\" }",
        ),
    ];
    for (from, to, at, says) in cases {
        refused(&edit(from, to), &format!("{key}.{at}"), line, &[says]);
    }
    let to = "on_error = { backoff = \"exponential\" }";
    refused(
        &edit(
            "on_error = { backoff = \"exponential\", base = \"500ms\" }",
            to,
        ),
        "queues.shipping.consumers.on_error.base",
        to,
        &["is required, e.g. base = \"2s\""],
    );
    let to = "on_error = \"retry\"";
    refused(
        &edit(
            "on_error = { backoff = \"exponential\", base = \"500ms\" }",
            to,
        ),
        "queues.shipping.consumers.on_error",
        to,
        &["\"retry\" is not allowed; allowed: \"wait\", \"release\" or { backoff"],
    );
}

#[test]
fn a_breaker_is_range_checked() {
    let key = format!("{FLEET}.breaker");
    let line = "breaker = {";
    let cases = [
        (
            "window = \"30s\"",
            "window = \"0.1us\"",
            "window",
            "\"0.1us\" rounds to 0: a breaker window shorter than the engine's tick (1us) is not \
             allowed; allowed: 1us ..= 1d",
        ),
        (
            "window = \"30s\"",
            "window = 0.0000001",
            "window",
            "rounds to 0: a breaker window shorter than the engine's tick",
        ),
        (
            "window = \"30s\"",
            "window = \"0s\"",
            "window",
            "0s is out of range; allowed: 1us ..= 1d",
        ),
        (
            "window = \"30s\"",
            "window = \"2d\"",
            "window",
            "allowed: 1us ..= 1d",
        ),
        (
            "error_rate = 0.5, window",
            "error_rate = 1, window",
            "error_rate",
            "1 is out of range; allowed: > 0 and < 1",
        ),
        (
            "error_rate = 0.5, window",
            "error_rate = 0, window",
            "error_rate",
            "allowed: > 0 and < 1",
        ),
        (
            "error_rate = 0.5, window",
            "error_rate = nan, window",
            "error_rate",
            "allowed: > 0 and < 1",
        ),
        (
            "min_calls = 20",
            "min_calls = 0",
            "min_calls",
            "allowed: 1 ..= 1000000",
        ),
        (
            "open_for = \"60s\"",
            "open_for = \"0s\"",
            "open_for",
            "allowed: 1us ..= 1d",
        ),
        (
            "error_rate = 0.5, window = \"30s\", ",
            "",
            "error_rate",
            "is required, e.g. error_rate = 0.5",
        ),
        (
            "window = \"30s\", ",
            "",
            "window",
            "is required, e.g. window = \"30s\"",
        ),
        (
            ", open_for = \"60s\"",
            "",
            "open_for",
            "is required, e.g. open_for = \"60s\"",
        ),
        (
            "min_calls = 20",
            "min_calls = 20, half_open = 1",
            "half_open",
            "unknown key `half_open`",
        ),
    ];
    for (from, to, at, says) in cases {
        refused(&edit(from, to), &format!("{key}.{at}"), line, &[says]);
    }
}

#[test]
fn idempotency_is_range_checked() {
    let key = "queues.shipping.consumers.idempotency";
    let cases = [
        (
            "{ ttl = \"10m\" }",
            "{ ttl = \"0s\" }",
            "ttl",
            "allowed: 1us ..= 14d",
        ),
        (
            "{ ttl = \"10m\" }",
            "{ ttl = \"15d\" }",
            "ttl",
            "allowed: 1us ..= 14d",
        ),
        (
            "{ ttl = \"10m\" }",
            "{ lookup = \"1ms\" }",
            "ttl",
            "is required, e.g. ttl = \"1h\"",
        ),
        (
            "{ ttl = \"10m\" }",
            "{ ttl = \"10m\", lookup = { dist = \"exp\" } }",
            "lookup",
            "mean",
        ),
        (
            "{ ttl = \"10m\" }",
            "{ ttl = \"10m\", shared = true }",
            "shared",
            "unknown key `shared`",
        ),
    ];
    for (from, to, at, says) in cases {
        let line = format!("idempotency = {to}");
        refused(
            &edit(&format!("idempotency = {from}"), &line),
            &format!("{key}.{at}"),
            &line,
            &[says],
        );
    }
}

#[test]
fn resource_names_follow_the_queue_rules_and_are_their_own() {
    let text = edit(
        "[resources.dedup]\n",
        "[resources.shipping]\ncapacity = 1\n\n[resources.dedup]\n",
    );
    refused(
        &text,
        "resources.shipping",
        "[resources.shipping]",
        &[
            "\"shipping\" names both a queue and a resource",
            "differ from every queue's",
        ],
    );
    let text = format!("{PIPELINE}[resources.order-events]\ncapacity = 1\n");
    refused(
        &text,
        "resources.order-events",
        "[resources.order-events]",
        &["names both a topic and a resource"],
    );
    let text = format!("{SINGLE}[resources.queue]\ncapacity = 1\n");
    refused(
        &text,
        "resources.queue",
        "[resources.queue]",
        &["names both a queue and a resource (the single form's queue is named \"queue\")"],
    );
    let text = format!("{SINGLE}[resources.\"a.b\"]\ncapacity = 1\n");
    let e = error(&text);
    assert_eq!(e.key.as_deref(), Some("resources.a.b"), "{e}");
    assert!(e.message.contains("is not a usable name"), "{e}");
}

#[test]
fn resource_faults_strike_resources_only() {
    let to = "target = \"orders\"";
    refused(
        &edit("target = \"orders-db\"", to),
        "faults.0.target",
        to,
        &[
            "\"orders\" is a queue, and a resource is needed here",
            RESOURCES,
        ],
    );
    let slowdown = "[[faults]]\nkind = \"slowdown\"\nat = \"1m\"\nduration = \"1m\"\nfactor = 2\n\
                    target = \"orders-db\"\n";
    let last = DOWNSTREAM.lines().count() + slowdown.lines().count();
    refused_at(
        &format!("{DOWNSTREAM}{slowdown}"),
        "faults.4.target",
        last,
        &[],
    );
    let e = error(&format!("{DOWNSTREAM}{slowdown}"));
    assert!(
        e.message
            .contains("\"orders-db\" is a resource, and a slowdown strikes a queue")
            && e.message.contains("kind = \"resource-outage\""),
        "{e}"
    );
    // Without target: fine with one resource, not with several or none.
    let text = edit(
        "duration = \"2m\"\ntarget = \"orders-db\"\n",
        "duration = \"2m\"\n",
    );
    let e = error(&text);
    assert_eq!(e.key.as_deref(), Some("faults.0.target"));
    assert!(
        e.message
            .contains("named in `target` unless the file has exactly one")
            && e.message.ends_with(RESOURCES),
        "{e}"
    );
    assert!(e.position.is_some(), "{e}");
    let outage = "[[faults]]\nkind = \"resource-outage\"\nat = \"1m\"\nduration = \"1m\"\n";
    let e = error(&format!("{PIPELINE}{outage}"));
    assert_eq!(e.key.as_deref(), Some("faults.2.target"));
    assert!(
        e.message
            .contains("the file has no [resources.NAME] tables"),
        "{e}"
    );
    refused(
        &edit("mode = \"hang\"", "mode = \"sometimes\""),
        "faults.1.mode",
        "mode = \"sometimes\"",
        &["\"sometimes\" is not allowed; allowed: \"fail\", \"hang\""],
    );
    refused(
        &edit("factor = 3", "factor = 0"),
        "faults.2.factor",
        "factor = 0",
        &["allowed: > 0 and <= 1000"],
    );
    refused_at(
        &edit("factor = 3", "mode = \"hang\""),
        "faults.2.mode",
        line_of(DOWNSTREAM, "factor = 3"),
        &["a resource-slowdown fault does not take `mode`; it takes at, duration and factor"],
    );
    refused_at(
        &edit("mode = \"hang\"", "factor = 2"),
        "faults.1.factor",
        line_of(DOWNSTREAM, "mode = \"hang\""),
        &["a resource-outage fault does not take `factor`"],
    );
}

#[test]
fn a_redrive_moves_from_a_dead_letter_queue() {
    let to = "from = \"shipping\"";
    refused(
        &edit("from = \"orders-dlq\"", to),
        "faults.3.from",
        to,
        &[
            "\"shipping\" is no queue's dead_letter, and a redrive moves dead-lettered messages back",
            "dead-letter queues: orders-dlq",
        ],
    );
    let to = "from = \"dlq\"";
    refused(
        &edit("from = \"orders-dlq\"", to),
        "faults.3.from",
        to,
        &["no queue is named \"dlq\"; queues: orders, orders-dlq, shipping"],
    );
    // The redrive's `to`, not the producer's.
    let redrive_to = "to = \"orders\"\nrate = 10";
    let to = "to = \"orders-dlq\"";
    refused(
        &edit(redrive_to, &format!("{to}\nrate = 10")),
        "faults.3.to",
        to,
        &["\"orders-dlq\" is also `from`"],
    );
    let to = "to = \"orders-db\"";
    refused(
        &edit(redrive_to, &format!("{to}\nrate = 10")),
        "faults.3.to",
        to,
        &["\"orders-db\" is a resource, and a queue is needed here"],
    );
    for (from, to, at, says) in [
        ("rate = 10", "rate = 0", "rate", "allowed: > 0"),
        ("rate = 10", "rate = -3", "rate", "allowed: > 0"),
        ("rate = 10\n", "", "rate", "is required, e.g. rate = 50"),
        ("from = \"orders-dlq\"\n", "", "from", "is required"),
        ("to = \"orders\"\nrate", "rate", "to", "is required"),
        (
            "rate = 10",
            "rate = 10\ntarget = \"orders\"",
            "target",
            "takes no target",
        ),
        (
            "rate = 10",
            "rate = 10\nfactor = 2",
            "factor",
            "a redrive fault does not take `factor`",
        ),
        (
            "at = \"40m\"",
            "at = \"1h\"",
            "at",
            "runs until the end of the run, and this one starts there (1h)",
        ),
        (
            "rate = 10",
            "rate = 10\nduration = \"30m\"",
            "",
            "ends at 70m, after the scenario's duration",
        ),
    ] {
        let text = edit(from, to);
        let e = error(&text);
        let key = if at.is_empty() {
            "faults.3".to_owned()
        } else {
            format!("faults.3.{at}")
        };
        assert_eq!(e.key.as_deref(), Some(key.as_str()), "{to}: {e}");
        assert!(e.message.contains(says), "{to}: {e}");
        assert!(e.position.is_some(), "{to}: {e}");
    }
    // A queue without a dead_letter anywhere, and the single form.
    let text = edit("dead_letter = \"orders-dlq\"\n", "");
    let e = error(&text);
    assert_eq!(e.key.as_deref(), Some("faults.3.from"));
    assert!(e.message.contains("no queue has a dead_letter"), "{e}");
    let redrive =
        "[[faults]]\nkind = \"redrive\"\nat = \"1m\"\nfrom = \"queue\"\nto = \"queue\"\nrate = 1\n";
    let e = error(&format!("{SINGLE}{redrive}"));
    assert_eq!(e.key.as_deref(), Some("faults.2.from"));
    assert!(
        e.message
            .contains("the single form has no dead-letter queue"),
        "{e}"
    );
}

#[test]
fn nothing_panics_on_odd_values_of_the_new_keys() {
    let odd = [
        "[]",
        "{}",
        "\"\"",
        "-1",
        "1e308",
        "nan",
        "true",
        "[1, 2]",
        "{ a = 1 }",
        "\"1e400s\"",
        "\"-0s\"",
    ];
    let keys = [
        "resources.orders-db.capacity",
        "resources.orders-db.acquire_timeout",
        "resources.orders-db.contention",
        "resources.orders-db.contention.sigma",
        "queues.orders.consumers.uses",
        "queues.orders.consumers.uses.0",
        "queues.orders.consumers.uses.0.hold",
        "queues.orders.consumers.on_error",
        "queues.orders.consumers.on_error.max",
        "queues.orders.consumers.on_error.factor",
        "queues.orders.consumers.breaker",
        "queues.orders.consumers.breaker.window",
        "queues.orders.consumers.idempotency",
        "queues.orders.consumers.idempotency.lookup",
        "faults.0.target",
        "faults.1.mode",
        "faults.3.from",
        "faults.3.rate",
    ];
    for key in keys {
        for value in odd {
            let arg = format!("{key}={value}");
            // Either outcome is fine; it must not panic.
            let _ = load(DOWNSTREAM, &[&arg]);
        }
    }
}
