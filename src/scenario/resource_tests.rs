//! Loader tests for shared resources and what fleets do about them
//! (SPEC §5): `[resources.NAME]`, `uses`, a backoff `on_error`, `breaker`,
//! `idempotency`, the resource faults and `redrive`; their defaults, the
//! round trip through the printed TOML, and overrides into them. Parsing
//! only: the engine does not run them yet.

use super::network_tests::load;
use super::*;
use crate::dist::Dist;
use crate::time::SimTime;

/// Every new key, in the network form.
pub(super) const DOWNSTREAM: &str = r#"name = "downstream"
duration = "1h"

[resources.orders-db]
capacity = 20
acquire_timeout = "5s"
contention = { model = "usl", sigma = 0.04, kappa = 0.0008 }

[resources.payments-api]
capacity = 8

[resources.dedup]
capacity = 100
contention = "none"

[queues.orders]
visibility_timeout = "30s"
max_receive_count = 5
dead_letter = "orders-dlq"

[queues.orders.consumers]
count = 20
processing = { dist = "lognormal", mean = "40ms", p99 = "400ms" }
uses = [
  { resource = "orders-db", hold = { dist = "gamma", mean = "12ms", cv = 0.8 } },
  { resource = "payments-api", hold = "30ms" },
]
emit = [{ to = "shipping" }]
on_error = { backoff = "exponential", base = "2s", factor = 2, max = "15m", jitter = true }
breaker = { error_rate = 0.5, window = "30s", min_calls = 20, open_for = "60s" }
idempotency = { ttl = "1h", lookup = "2ms", store = "dedup" }

[queues.orders-dlq]
retention = "14d"

[queues.shipping.consumers]
count = 4
uses = [{ resource = "orders-db", hold = { dist = "exp", mean = "5ms" } }]
on_error = { backoff = "exponential", base = "500ms" }
idempotency = { ttl = "10m" }

[[producers]]
rate = 40
to = "orders"

[[faults]]
kind = "resource-outage"
at = "10m"
duration = "2m"
target = "orders-db"

[[faults]]
kind = "resource-outage"
at = "15m"
duration = "1m"
target = "payments-api"
mode = "hang"

[[faults]]
kind = "resource-slowdown"
at = "20m"
duration = "5m"
target = "orders-db"
factor = 3

[[faults]]
kind = "redrive"
at = "40m"
from = "orders-dlq"
to = "orders"
rate = 10
"#;

/// Every new key that the single form takes (a redrive needs a
/// dead-letter queue of the file, which only a network has).
pub(super) const SINGLE: &str = r#"[resources.db]
capacity = 5
contention = { model = "usl", sigma = 0.1, kappa = 0.01 }

[consumers]
count = 3
uses = [{ resource = "db", hold = "12ms" }]
on_error = { backoff = "exponential", base = "1s", factor = 3.5, max = "1h" }
breaker = { error_rate = 0.25, window = "10s", open_for = "30s" }
idempotency = { ttl = "2h", lookup = { dist = "exp", mean = "1ms" }, store = "db" }

[[producers]]
rate = 5

[[faults]]
kind = "resource-outage"
at = "5m"
duration = "1m"

[[faults]]
kind = "resource-slowdown"
at = "10m"
duration = "1m"
factor = 2
"#;

/// Resource indices in name order.
const DEDUP: usize = 0;
const ORDERS_DB: usize = 1;
const PAYMENTS: usize = 2;

fn resource(name: &str, index: usize) -> ResourceRef {
    ResourceRef {
        name: name.into(),
        index,
    }
}

fn secs(s: u64) -> SimTime {
    SimTime::from_secs(s)
}

fn fleet(sc: &Scenario, queue: &str) -> ConsumerConfig {
    let q = sc.queue_index(queue).unwrap();
    sc.queues[q].consumers.clone().unwrap()
}

#[test]
fn resources_load_in_name_order_with_their_defaults() {
    let sc = load(DOWNSTREAM, &[]).unwrap();
    let names: Vec<&str> = sc.resources.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["dedup", "orders-db", "payments-api"]);
    assert_eq!(
        sc.resources[ORDERS_DB],
        ResourceNode {
            name: "orders-db".into(),
            capacity: 20,
            acquire_timeout: Some(secs(5)),
            contention: Contention::Usl {
                sigma: 0.04,
                kappa: 0.0008
            },
        }
    );
    let payments = &sc.resources[PAYMENTS];
    assert_eq!(payments.capacity, 8);
    assert_eq!(payments.acquire_timeout, None);
    assert_eq!(payments.contention, Contention::None);
    assert_eq!(sc.resources[DEDUP].contention, Contention::None);
    let table = "[resources.x]\ncapacity = 1\ncontention = { model = \"none\" }\n";
    let sc = load(&format!("{DOWNSTREAM}{table}"), &[]).unwrap();
    assert_eq!(sc.resources[3].name, "x");
    assert_eq!(sc.resources[3].contention, Contention::None);
}

#[test]
fn fleets_take_uses_backoff_breaker_and_idempotency() {
    let sc = load(DOWNSTREAM, &[]).unwrap();
    let orders = fleet(&sc, "orders");
    assert_eq!(orders.uses.len(), 2);
    assert_eq!(orders.uses[0].resource, resource("orders-db", ORDERS_DB));
    assert_eq!(
        orders.uses[0].hold,
        Dist::gamma_mean_cv(0.012, 0.8).unwrap()
    );
    assert_eq!(orders.uses[1].resource, resource("payments-api", PAYMENTS));
    assert_eq!(orders.uses[1].hold, Dist::Const { value: 0.03 });
    assert_eq!(
        orders.on_error,
        OnError::Backoff(Backoff {
            base: secs(2),
            factor: 2.0,
            max: secs(900),
            jitter: true
        })
    );
    assert_eq!(
        orders.breaker,
        Some(Breaker {
            error_rate: 0.5,
            window: secs(30),
            min_calls: 20,
            open_for: secs(60)
        })
    );
    assert_eq!(
        orders.idempotency,
        Some(Idempotency {
            ttl: secs(3600),
            lookup: Dist::Const { value: 0.002 },
            store: Some(resource("dedup", DEDUP)),
        })
    );
    // Defaults: processing 0 with uses, factor 2, max 12 h, no jitter,
    // lookup 0, no store; no breaker.
    let shipping = fleet(&sc, "shipping");
    assert_eq!(shipping.processing, Dist::Const { value: 0.0 });
    assert_eq!(
        shipping.on_error,
        OnError::Backoff(Backoff {
            base: SimTime::from_millis(500),
            factor: 2.0,
            max: MAX_BACKOFF,
            jitter: false
        })
    );
    assert_eq!(
        shipping.idempotency,
        Some(Idempotency {
            ttl: secs(600),
            lookup: Dist::Const { value: 0.0 },
            store: None,
        })
    );
    assert_eq!(shipping.breaker, None);
    let sc = load(SINGLE, &[]).unwrap();
    let breaker = sc.consumers().breaker.unwrap();
    assert_eq!(breaker.min_calls, 20);
    assert_eq!(breaker.error_rate, 0.25);
    // The words still work.
    for (word, expected) in [("wait", OnError::Wait), ("release", OnError::Release)] {
        let text = SINGLE.replace(
            "on_error = { backoff = \"exponential\", base = \"1s\", factor = 3.5, max = \"1h\" }",
            &format!("on_error = \"{word}\""),
        );
        assert_eq!(load(&text, &[]).unwrap().consumers().on_error, expected);
    }
}

#[test]
fn resource_faults_and_redrives_keep_their_targets_in_the_kind() {
    let sc = load(DOWNSTREAM, &[]).unwrap();
    let kinds: Vec<&FaultKind> = sc.faults.iter().map(|f| &f.kind).collect();
    assert_eq!(
        kinds[0],
        &FaultKind::ResourceOutage {
            resource: resource("orders-db", ORDERS_DB),
            mode: OutageMode::Fail
        }
    );
    assert_eq!(
        kinds[1],
        &FaultKind::ResourceOutage {
            resource: resource("payments-api", PAYMENTS),
            mode: OutageMode::Hang
        }
    );
    assert_eq!(
        kinds[2],
        &FaultKind::ResourceSlowdown {
            resource: resource("orders-db", ORDERS_DB),
            factor: 3.0
        }
    );
    let queue = |name: &str, i: usize| NodeRef {
        name: name.into(),
        node: Node::Queue(i),
    };
    assert_eq!(
        kinds[3],
        &FaultKind::Redrive {
            from: queue("orders-dlq", 1),
            to: queue("orders", 0),
            rate: 10.0
        }
    );
    assert!(sc.faults.iter().all(|f| f.target.is_none()));
    // A redrive without a duration runs to the end of the run.
    assert_eq!(sc.faults[3].at, secs(40 * 60));
    assert_eq!(sc.faults[3].duration, secs(20 * 60));
    // With one resource, `target` may be left out.
    let sc = load(SINGLE, &[]).unwrap();
    assert_eq!(
        sc.faults[0].kind,
        FaultKind::ResourceOutage {
            resource: resource("db", 0),
            mode: OutageMode::Fail
        }
    );
    assert_eq!(sc.faults[0].target, None);
}

/// Load → write → load gives the same scenario and the same text.
fn round_trips(text: &str) -> String {
    let sc = load(text, &[]).unwrap();
    let printed = toml::to_string(&sc).unwrap();
    let back = load(&printed, &[])
        .unwrap_or_else(|e| panic!("the printed scenario does not load: {e}\n{printed}"));
    assert_eq!(back.resources, sc.resources, "{printed}");
    assert_eq!(back.faults, sc.faults, "{printed}");
    for (a, b) in sc.queues.iter().zip(&back.queues) {
        let (a, b) = (a.consumers.as_ref(), b.consumers.as_ref());
        assert_eq!(a.map(|c| &c.uses), b.map(|c| &c.uses), "{printed}");
        assert_eq!(a.map(|c| c.on_error), b.map(|c| c.on_error), "{printed}");
        assert_eq!(a.map(|c| c.breaker), b.map(|c| c.breaker), "{printed}");
        assert_eq!(
            a.map(|c| &c.idempotency),
            b.map(|c| &c.idempotency),
            "{printed}"
        );
        assert_eq!(
            a.map(|c| &c.processing),
            b.map(|c| &c.processing),
            "{printed}"
        );
    }
    assert_eq!(
        serde_json::to_string(&sc).unwrap(),
        serde_json::to_string(&back).unwrap(),
        "{printed}"
    );
    assert_eq!(toml::to_string(&back).unwrap(), printed);
    printed
}

#[test]
fn the_printed_network_with_resources_loads_back_the_same() {
    let printed = round_trips(DOWNSTREAM);
    for part in [
        "[resources.orders-db]",
        "[resources.dedup]",
        "kind = \"redrive\"",
        "target = \"payments-api\"",
        "mode = \"hang\"",
    ] {
        assert!(printed.contains(part), "{part}:\n{printed}");
    }
    // The default contention is not written.
    assert!(!printed.contains("model = \"none\""), "{printed}");
}

#[test]
fn the_printed_single_form_with_resources_loads_back_the_same() {
    let printed = round_trips(SINGLE);
    assert!(printed.contains("[resources.db]"), "{printed}");
    assert!(printed.contains("[consumers"), "{printed}");
    assert!(!printed.contains("[queues."), "{printed}");
}

#[test]
fn overrides_reach_resources_and_the_new_fleet_tables() {
    let sc = load(
        DOWNSTREAM,
        &[
            "resources.orders-db.capacity=40",
            "resources.orders-db.contention.kappa=0.001",
            "queues.orders.consumers.on_error.base=\"1s\"",
            "queues.orders.consumers.breaker.min_calls=5",
            "queues.shipping.consumers.uses.0.hold=3ms",
        ],
    )
    .unwrap();
    assert_eq!(sc.resources[ORDERS_DB].capacity, 40);
    assert_eq!(
        sc.resources[ORDERS_DB].contention,
        Contention::Usl {
            sigma: 0.04,
            kappa: 0.001
        }
    );
    let orders = fleet(&sc, "orders");
    let OnError::Backoff(b) = orders.on_error else {
        panic!("{:?}", orders.on_error)
    };
    assert_eq!(b.base, secs(1));
    assert_eq!(orders.breaker.unwrap().min_calls, 5);
    assert_eq!(
        fleet(&sc, "shipping").uses[0].hold,
        Dist::Const { value: 0.003 }
    );
    // A whole inline table as the value.
    let table = "{ backoff = \"exponential\", base = \"1s\", jitter = true }";
    let expected = OnError::Backoff(Backoff {
        base: secs(1),
        factor: 2.0,
        max: MAX_BACKOFF,
        jitter: true,
    });
    let sc = load(SINGLE, &[&format!("consumers.on_error={table}")]).unwrap();
    assert_eq!(sc.consumers().on_error, expected);
    let arg = format!("queues.orders.consumers.on_error={table}");
    let sc = load(DOWNSTREAM, &[&arg]).unwrap();
    assert_eq!(fleet(&sc, "orders").on_error, expected);
    // Errors name the argument; a resource the file lacks is listed.
    let e = load(DOWNSTREAM, &["resources.orders-db.capacity=0"]).unwrap_err();
    assert_eq!(e.set_arg.as_deref(), Some("resources.orders-db.capacity=0"));
    assert_eq!(e.key.as_deref(), Some("resources.orders-db.capacity"));
    assert!(e.message.contains("allowed: 1 ..= 1000000"), "{e}");
    let e = load(DOWNSTREAM, &["resources.orders.capacity=3"]).unwrap_err();
    assert!(
        e.message
            .contains("no resource is named \"orders\"; resources: dedup, orders-db, payments-api"),
        "{e}"
    );
}

#[test]
fn sweeps_and_vary_axes_reach_the_new_tables() {
    let table = "{ backoff = \"exponential\", base = \"1s\", jitter = true }";
    let text = format!("{SINGLE}[sweep]\n\"consumers.on_error\" = [\"release\", {table}]\n");
    let sc = load(&text, &[]).unwrap();
    assert_eq!(sc.sweep[0].values.len(), 2);
    for value in &sc.sweep[0].values {
        let arg = format!("{}={value}", sc.sweep[0].key);
        load(&text, &[&arg, "sweep={}"]).unwrap_or_else(|e| panic!("{arg}: {e}"));
    }
    // The printed sweep loads back the same.
    let printed = toml::to_string(&sc).unwrap();
    assert_eq!(
        load(&printed, &[]).unwrap().sweep[0].values,
        sc.sweep[0].values
    );
    let bad = format!(
        "{SINGLE}[sweep]\n\"consumers.on_error\" = [{}]\n",
        table.replace("\"1s\"", "\"0s\"")
    );
    let e = load(&bad, &[]).unwrap_err();
    assert_eq!(e.key.as_deref(), Some("sweep.\"consumers.on_error\""));
    assert!(e.message.contains("base"), "{e}");
    let text = format!(
        "{DOWNSTREAM}[sweep]\n\"resources.orders-db.capacity\" = [10, 40]\n\
         \"resources.orders-db.contention.kappa\" = [0.0, 0.001]\n"
    );
    assert_eq!(load(&text, &[]).unwrap().sweep.len(), 2);
    let e = load(
        &format!("{DOWNSTREAM}[sweep]\n\"resources.orders-db.capacity\" = [10, 0]\n"),
        &[],
    )
    .unwrap_err();
    assert!(e.message.contains("the value 0"), "{e}");
    // `--vary` (and `plan`) apply their values like `--set`.
    let axis = crate::grid::parse_vary("resources.orders-db.capacity=10..30:10").unwrap();
    for value in &axis.values {
        let arg = format!("{}={value}", axis.key);
        let sc = load(DOWNSTREAM, &[&arg]).unwrap();
        assert_eq!(
            sc.resources[ORDERS_DB].capacity.to_string(),
            *value,
            "{arg}"
        );
    }
}

#[test]
fn the_docs_examples_of_resources_load() {
    let docs = include_str!("../../docs/scenario.md");
    let section = &docs[docs.find("## Shared resources").unwrap()..];
    let start = section.find("```toml\n").unwrap() + "```toml\n".len();
    let example = &section[start..start + section[start..].find("```").unwrap()];
    let sc = load(example, &[]).unwrap_or_else(|e| panic!("{e}\n{example}"));
    assert!(!sc.resources.is_empty());
}
