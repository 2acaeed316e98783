//! Traffic and incidents: `[[producers]]` (with `burst`, `retry`) and
//! `[[faults]]`, whose kinds each take their own keys. Ranges and defaults
//! are those of [`super::super::validate`], [`super::super::burst`] and
//! [`super::super::incidents`].

use serde_json::{Value, json};

use super::duration::{DAY, HOUR, TICK, span};
use super::node::{Props, integer, list, number, only, probability, string, table, when, word};
use super::values::{arrivals, duration_key, rate_schedule};

/// The `[[producers]]` list.
pub fn producers() -> Value {
    let props: Props = vec![
        (
            "name",
            string("Unique name of the producer (default producer-<index>)").build(),
        ),
        (
            "to",
            string(
                "The queue or topic the producer sends to; required unless the file has exactly \
                 one queue and no topic",
            )
            .build(),
        ),
        (
            "rate",
            number("Messages per second (required unless schedule or a trace)")
                .above(0)
                .max(1e7)
                .build(),
        ),
        ("schedule", rate_schedule()),
        ("burst", burst()),
        ("arrivals", arrivals()),
        (
            "send_batch",
            integer("Messages per SendMessageBatch request")
                .min(1)
                .max(10)
                .default(1)
                .build(),
        ),
        (
            "groups",
            integer("FIFO message groups of this producer")
                .min(1)
                .max(1_000_000)
                .default(1)
                .build(),
        ),
        (
            "group_skew",
            number("0: messages spread evenly over the groups; s > 0: group k gets a share ∝ 1/k^s (Zipf)")
                .min(0)
                .max(10)
                .default(0)
                .build(),
        ),
        (
            "lost_acks",
            probability(
                "Probability that the response to an accepted send call is lost, so the batch \
                 is sent again after retry.backoff",
            )
            .build(),
        ),
        ("retry", retry()),
        (
            "buffer",
            integer("Messages held while retrying; beyond it they are dropped")
                .min(0)
                .max(1_000_000_000)
                .default(10_000)
                .build(),
        ),
    ];
    let producer = table("A producer of messages.", props);
    list("The producers (at least one, at most 1000).", producer)
        .set("minItems", 1)
        .set("maxItems", 1000)
        .build()
}

/// `retry = { attempts, backoff }`.
fn retry() -> Value {
    let props: Props = vec![
        (
            "attempts",
            integer("Retries of a send that failed")
                .min(0)
                .max(1000)
                .default(3)
                .build(),
        ),
        (
            "backoff",
            duration_key("Wait before each retry", span(0.0, HOUR), Some("200ms")),
        ),
    ];
    table(
        "Retries of a send that failed in a queue outage (or was throttled, or whose ack was lost).",
        props,
    )
    .default(json!({ "attempts": 3, "backoff": "200ms" }))
    .build()
}

/// `burst = { dispersion, window, share, length }`.
fn burst() -> Value {
    let props: Props = vec![
        (
            "dispersion",
            number("Index of dispersion of the counts per window (variance / mean; 1 for Poisson)")
                .min(1)
                .max(1e6)
                .build(),
        ),
        (
            "window",
            duration_key(
                "The window the dispersion is measured over (default: the schedule file's period; \
                 required otherwise)",
                span(TICK, DAY),
                None,
            ),
        ),
        (
            "share",
            number("Fraction of the time in a burst (> 0 and < 1)")
                .above(0)
                .below(1)
                .default(0.1)
                .build(),
        ),
        (
            "length",
            duration_key(
                "Mean length of a burst (default window / 10)",
                span(TICK, DAY),
                None,
            ),
        ),
    ];
    table(
        "Bursts within the periods of the rate, as a two-state Markov-modulated Poisson process \
         fitted to an index of dispersion; the mean rate is unchanged (Poisson arrivals only).",
        props,
    )
    .required(&["dispersion"])
    .build()
}

/// The fault kinds and the keys each takes beside `kind`, `at`, `duration`.
const FAULT_KINDS: &[(&str, &[&str])] = &[
    ("consumer-outage", &["target", "fraction", "count"]),
    ("queue-outage", &["target"]),
    ("spike", &["factor", "producer"]),
    ("slowdown", &["target", "factor"]),
    ("error-burst", &["target", "error_rate"]),
    ("resource-outage", &["target", "mode"]),
    ("resource-slowdown", &["target", "factor"]),
    ("redrive", &["from", "to", "rate"]),
];

/// Keys a kind requires beside `kind` and `at`.
fn fault_required(kind: &str) -> &'static [&'static str] {
    match kind {
        "spike" | "slowdown" | "resource-slowdown" => &["duration", "factor"],
        "error-burst" => &["duration", "error_rate"],
        "redrive" => &["from", "to", "rate"],
        _ => &["duration"],
    }
}

/// The `[[faults]]` list.
pub fn faults() -> Value {
    let kinds: Vec<&str> = FAULT_KINDS.iter().map(|(k, _)| *k).collect();
    let props: Props = vec![
        ("kind", word("What goes wrong.", &kinds).build()),
        (
            "at",
            duration_key(
                "When the fault starts (before `duration`)",
                span(0.0, 365.0 * DAY),
                None,
            ),
        ),
        (
            "duration",
            duration_key(
                "How long it lasts, ending at or before the scenario's duration (a redrive: \
                 default until the end of the run)",
                span(TICK, 365.0 * DAY),
                None,
            ),
        ),
        (
            "target",
            string(
                "The queue (and its fleet) struck, required when there are several; a resource \
                 for the resource kinds (optional when there is one)",
            )
            .build(),
        ),
        (
            "fraction",
            number("consumer-outage: share of the consumers down")
                .min(0)
                .max(1)
                .default(1)
                .build(),
        ),
        (
            "count",
            integer("consumer-outage: consumers down (instead of fraction)")
                .min(0)
                .max(100_000)
                .build(),
        ),
        (
            "factor",
            number("spike: arrival rate x factor; slowdown, resource-slowdown: time x factor")
                .above(0)
                .max(1000)
                .build(),
        ),
        (
            "producer",
            string("spike: the producer struck (default: every producer not replaying a trace)")
                .build(),
        ),
        (
            "error_rate",
            number("error-burst: error_rate during the window")
                .min(0)
                .max(1)
                .build(),
        ),
        (
            "mode",
            word(
                "resource-outage: holds fail at once, or hang until acquire_timeout",
                &["fail", "hang"],
            )
            .default("fail")
            .build(),
        ),
        (
            "from",
            string("redrive: a dead-letter queue of the file").build(),
        ),
        (
            "to",
            string("redrive: the queue messages move back to").build(),
        ),
        (
            "rate",
            number("redrive: messages moved per second")
                .above(0)
                .max(1e6)
                .build(),
        ),
    ];
    let rules: Vec<Value> = FAULT_KINDS
        .iter()
        .map(|(kind, extra)| {
            let mut keys = vec!["kind", "at", "duration"];
            keys.extend_from_slice(extra);
            let mut then = only(&keys);
            then["required"] = json!(fault_required(kind));
            when("kind", kind, then)
        })
        .collect();
    let fault = table(
        "An incident: kind, at, duration, and the keys of its kind and no others.",
        props,
    )
    .required(&["kind", "at"])
    .set("allOf", rules);
    list("The incident timeline (any number, may overlap).", fault).build()
}

#[cfg(test)]
pub(super) fn fault_kinds() -> &'static [(&'static str, &'static [&'static str])] {
    FAULT_KINDS
}
