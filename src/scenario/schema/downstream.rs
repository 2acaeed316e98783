//! What lies downstream of a fleet (SPEC §5): `[resources.NAME]` tables
//! and a fleet's `uses`, `breaker` and `idempotency`, with the ranges of
//! [`super::super::resources`]; and the `[topics.NAME]` tables.

use serde_json::{Value, json};

use super::duration::{DAY, HOUR, TICK, span};
use super::node::{Node, Props, integer, list, number, string, table, when, word};
use super::values::{distribution_key, duration_key};

/// Names of queues, topics and resources: 1 to 100 letters, digits, `-`
/// or `_` (they appear in dotted keys, so no `.`).
pub const NODE_NAME: &str = "^[A-Za-z0-9_-]{1,100}$";

/// A `[resources.NAME]` table.
pub fn resource() -> Value {
    let props: Props = vec![
        (
            "capacity",
            integer("Most concurrent holders (connections)")
                .min(1)
                .max(1_000_000)
                .build(),
        ),
        (
            "acquire_timeout",
            duration_key(
                "A longer wait for the resource fails the processing (its on_error applies); \
                 none: wait as long as it takes",
                span(TICK, 12.0 * HOUR),
                None,
            ),
        ),
        ("contention", contention()),
    ];
    table(
        "A shared resource that fleets hold after their processing (a database's connections, \
         an API's concurrency), shared by every fleet that names it in `uses`.",
        props,
    )
    .required(&["capacity"])
    .build()
}

/// `"none"`, `{ model = "none" }` or `{ model = "usl", sigma, kappa }`.
fn contention() -> Value {
    let coefficient = |doc: &str| number(doc).min(0).max(1).build();
    let props: Props = vec![
        (
            "model",
            word("The contention model.", &["none", "usl"]).build(),
        ),
        ("sigma", coefficient("USL contention coefficient, 0 ..= 1")),
        ("kappa", coefficient("USL coherency coefficient, 0 ..= 1")),
    ];
    let usl = json!({ "propertyNames": { "enum": ["model", "sigma", "kappa"] },
                      "required": ["sigma", "kappa"] });
    let none = json!({ "propertyNames": { "enum": ["model"] } });
    let as_table = table("", props)
        .required(&["model"])
        .set(
            "allOf",
            json!([when("model", "usl", usl), when("model", "none", none)]),
        )
        .build();
    Node::described(
        "With usl, a hold's time is multiplied by 1 + sigma (n - 1) + kappa n (n - 1) for n \
         concurrent holders: \"none\", { model = \"none\" } or { model = \"usl\", sigma, kappa }.",
    )
    .default("none")
    .set("anyOf", json!([{ "enum": ["none"] }, as_table]))
    .build()
}

/// A fleet's `uses = [{ resource, hold }]`.
pub fn uses() -> Value {
    let entry = table(
        "",
        vec![
            ("resource", string("A resource of the file").build()),
            (
                "hold",
                distribution_key("How long the resource is held (times the contention factor)"),
            ),
        ],
    )
    .required(&["resource", "hold"]);
    list(
        "Resources held in turn after the processing; while a consumer waits it holds its \
         message (the visibility timer runs) and its slot. With uses, processing may be left out.",
        entry,
    )
    .set("maxItems", 8)
    .default(json!([]))
    .build()
}

/// A fleet's `breaker = { error_rate, window, min_calls, open_for }`.
pub fn breaker() -> Value {
    let props: Props = vec![
        (
            "error_rate",
            number(
                "Opens when the share of failed processings over window exceeds this (> 0 and < 1)",
            )
            .above(0)
            .below(1)
            .build(),
        ),
        (
            "window",
            duration_key(
                "The window the error rate is measured over",
                span(TICK, DAY),
                None,
            ),
        ),
        (
            "min_calls",
            integer("Fewest processings in the window for the breaker to open")
                .min(1)
                .max(1_000_000)
                .default(20)
                .build(),
        ),
        (
            "open_for",
            duration_key(
                "While open the fleet does not receive; after this one probe decides",
                span(TICK, DAY),
                None,
            ),
        ),
    ];
    table("A circuit breaker on the fleet's error rate.", props)
        .required(&["error_rate", "window", "open_for"])
        .build()
}

/// A fleet's `idempotency = { ttl, lookup, store }`.
pub fn idempotency() -> Value {
    let props: Props = vec![
        (
            "ttl",
            duration_key(
                "How long a completed message is remembered",
                span(TICK, 14.0 * DAY),
                None,
            ),
        ),
        (
            "lookup",
            distribution_key("Time of the lookup before each processing (default 0)"),
        ),
        (
            "store",
            string("The resource that holds the records (optional)").build(),
        ),
    ];
    table(
        "A processing of a message completed within ttl is skipped after the lookup \
         (duplicates_suppressed); after the record expires it runs again (side_effect_duplicates).",
        props,
    )
    .required(&["ttl"])
    .build()
}

/// A `[topics.NAME]` table.
pub fn topic() -> Value {
    let subscriber = table(
        "",
        vec![
            ("queue", string("A queue of the file").build()),
            (
                "filter",
                number("Share of the messages that pass to this queue")
                    .min(0)
                    .max(1)
                    .default(1)
                    .build(),
            ),
        ],
    )
    .required(&["queue"])
    .build();
    let subscribers = list(
        "Every subscriber queue gets a copy of each message published (a `filter` share of \
         them); queue names or { queue, filter }, each queue at most once.",
        json!({ "anyOf": [{ "type": "string" }, subscriber] }),
    )
    .set("minItems", 1);
    table(
        "An SNS-like topic that fans out to its subscriber queues.",
        vec![("subscribers", subscribers.build())],
    )
    .required(&["subscribers"])
    .build()
}
