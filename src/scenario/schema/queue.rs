//! A queue's table and its fleet's table, in either form: `[queue]` and
//! `[consumers]`, or `[queues.NAME]` and `[queues.NAME.consumers]`, which
//! add the keys only a network has (`dead_letter`, `consumers`, `emit`).
//! Ranges and defaults are those of [`super::super::queues`].

use serde_json::{Value, json};

use super::super::presets;
use super::downstream;
use super::duration::{DAY, HOUR, MIN, span};
use super::node::{Props, integer, list, number, probability, string, table, when, word};
use super::values::{capacity_schedule, distribution_key, duration_key, on_error};

/// `[queue]` (`network` false) or `[queues.NAME]` (true).
pub fn queue(network: bool) -> Value {
    let mut props: Props = vec![
        (
            "preset",
            word(
                "Defaults for another delivery model; keys the file sets win (docs/presets.md)",
                &presets::NAMES,
            )
            .build(),
        ),
        (
            "type",
            word(
                "Queue type (FIFO: message groups, in-order delivery)",
                &["standard", "fifo"],
            )
            .default("standard")
            .build(),
        ),
        (
            "visibility_timeout",
            duration_key("Invisibility after a receive", span(0.0, 12.0 * HOUR), Some("30s")),
        ),
        (
            "retention",
            duration_key(
                "Older messages expire (counted in `expired`)",
                span(MIN, 14.0 * DAY),
                Some("4d"),
            ),
        ),
        (
            "delay",
            duration_key("Delivery delay of every message", span(0.0, 15.0 * MIN), Some("0s")),
        ),
        (
            "max_receive_count",
            integer("Receives after which a message is redriven to the dead-letter queue (none: never)")
                .min(1)
                .max(1000)
                .build(),
        ),
        (
            "max_in_flight",
            integer("Receives return nothing while this many messages are in flight")
                .min(1)
                .max(10_000_000)
                .default(120_000)
                .build(),
        ),
        (
            "duplicate_delivery",
            probability(
                "Probability that a delivery is repeated to a second receiver (standard queues only)",
            )
            .build(),
        ),
        (
            "stale_delete",
            word(
                "Effect of a delete with an old receipt handle (standard queues only; a FIFO \
                 queue refuses it, counted in delete_errors)",
                &["ignored", "deletes"],
            )
            .default("ignored")
            .build(),
        ),
        (
            "on_consumer_loss",
            word(
                "A lost consumer's messages wait out their visibility timeout (SQS, Pub/Sub), \
                 or are visible again at once (RabbitMQ)",
                &["timeout", "requeue"],
            )
            .default("timeout")
            .build(),
        ),
        (
            "initial_backlog",
            integer("Messages visible at time 0")
                .min(0)
                .max(10_000_000)
                .default(0)
                .build(),
        ),
        (
            "throughput_limit",
            number(
                "Send calls per second the queue accepts (a token bucket holding one second's \
                 worth); calls beyond it are throttled and retried with the producer's `retry`",
            )
            .above(0)
            .max(1e6)
            .build(),
        ),
    ];
    if network {
        props.push((
            "dead_letter",
            string(
                "Another queue of the file, where a message goes after max_receive_count \
                 receives (needs max_receive_count)",
            )
            .build(),
        ));
        props.push(("consumers", consumers(true)));
    }
    let doc = if network {
        "A named queue: every key of [queue], plus dead_letter and its fleet [queues.NAME.consumers]."
    } else {
        "The queue (SQS-like, with visibility timeouts)."
    };
    // A FIFO queue delivers each receive once and refuses stale deletes.
    let fifo = json!({
        "properties": { "duplicate_delivery": { "maximum": 0 } },
        "propertyNames": { "not": { "const": "stale_delete" } }
    });
    table(doc, props)
        .set("allOf", json!([when("type", "fifo", fifo)]))
        .build()
}

/// `[consumers]` (`network` false) or `[queues.NAME.consumers]` (true).
pub fn consumers(network: bool) -> Value {
    let mut props: Props = vec![
        (
            "count",
            integer("Consumers (with autoscale: the fleet at the start, default autoscale.min)")
                .min(0)
                .max(100_000)
                .default(1)
                .build(),
        ),
        (
            "batch_size",
            integer("ReceiveMessage MaxNumberOfMessages")
                .min(1)
                .max(10)
                .default(10)
                .build(),
        ),
        (
            "wait_time",
            duration_key(
                "Long-polling wait; 0 is short polling",
                span(0.0, 20.0),
                Some("20s"),
            ),
        ),
        (
            "processing",
            distribution_key(
                "Time to process one message (required, unless `uses` is given: then 0 by default)",
            ),
        ),
        (
            "error_rate",
            probability("Probability a processing fails (the message is not deleted)").build(),
        ),
        ("on_error", on_error()),
        (
            "poison_fraction",
            probability("Messages whose processing always fails").build(),
        ),
        (
            "heartbeat",
            super::duration::off_or_duration(
                "\"off\", or extend visibility every interval while processing",
                span(1e-3, 12.0 * HOUR),
            )
            .default("off")
            .build(),
        ),
        (
            "request_latency",
            duration_key(
                "Round trip of every API call a consumer makes (a delete takes effect when it returns)",
                span(0.0, HOUR),
                Some("0ms"),
            ),
        ),
        ("crash", crash()),
        (
            "batch_window",
            duration_key(
                "A receive waits up to this long for a full batch, then takes what is visible \
                 (Lambda's MaximumBatchingWindowInSeconds)",
                span(0.0, 5.0 * MIN),
                Some("0s"),
            ),
        ),
        (
            "batch_failure",
            word(
                "Each message deleted when it succeeds; or a batch deleted at its end only if \
                 all succeeded (Lambda without ReportBatchItemFailures)",
                &["partial", "whole"],
            )
            .default("partial")
            .build(),
        ),
        ("autoscale", autoscale()),
        ("uses", downstream::uses()),
        ("breaker", downstream::breaker()),
        ("idempotency", downstream::idempotency()),
    ];
    if network {
        props.push(("emit", emit()));
    }
    let doc = if network {
        "The queue's fleet: every key of [consumers], plus emit."
    } else {
        "The consumers of the queue."
    };
    table(doc, props).build()
}

/// `crash = { mtbf, per_message, restart }`.
fn crash() -> Value {
    let props: Props = vec![
        (
            "mtbf",
            duration_key(
                "Mean up time between crashes, per consumer (exponential)",
                span(1.0, 365.0 * DAY),
                None,
            ),
        ),
        (
            "per_message",
            probability("Probability of a crash part-way through a processing").build(),
        ),
        (
            "restart",
            distribution_key("How long a crashed consumer is down"),
        ),
    ];
    table(
        "Consumers crash after exp(mtbf) of up time and/or part-way through a processing with \
         probability per_message (mtbf, per_message or both); down for a restart draw.",
        props,
    )
    .required(&["restart"])
    .set(
        "anyOf",
        json!([{ "required": ["mtbf"] }, { "required": ["per_message"] }]),
    )
    .build()
}

/// `autoscale = { target_backlog_per_consumer, min, max, ... }`.
fn autoscale() -> Value {
    let props: Props = vec![
        (
            "target_backlog_per_consumer",
            number("Target of visible messages / running consumers (AWS: acceptable latency / mean processing time)")
                .above(0)
                .max(1e9)
                .build(),
        ),
        (
            "min",
            integer("Smallest fleet").min(0).max(100_000).default(1).build(),
        ),
        (
            "max",
            integer("Largest fleet (default max(min, count); min <= count <= max)")
                .min(1)
                .max(100_000)
                .build(),
        ),
        (
            "evaluation",
            duration_key(
                "How often the target is compared with the backlog",
                span(0.1, HOUR),
                Some("60s"),
            ),
        ),
        (
            "cooldown",
            duration_key(
                "No scaling action within this long of the previous one",
                span(0.0, HOUR),
                Some("60s"),
            ),
        ),
        (
            "startup",
            duration_key(
                "A launched consumer serves after this long (paid from launch)",
                span(0.0, HOUR),
                Some("0s"),
            ),
        ),
        (
            "scale_in",
            word(
                "A busy consumer removed finishes its batch, or stops at once (its messages \
                 wait out their timeout)",
                &["finish", "abandon"],
            )
            .default("finish")
            .build(),
        ),
        (
            "scale_out_rate",
            number("Most consumers launched per minute (Lambda: 300)")
                .min(0.01)
                .max(1e6)
                .build(),
        ),
        (
            "scale_in_after",
            duration_key(
                "Scale in only after the desired count has stayed below the fleet this long",
                span(0.0, DAY),
                Some("15m"),
            ),
        ),
        (
            "metric",
            word(
                "The backlog divided by the target: visible messages, or visible and in flight (Lambda)",
                &["visible", "visible_and_in_flight"],
            )
            .default("visible")
            .build(),
        ),
        ("schedule", capacity_schedule()),
    ];
    table(
        "Autoscaling: target tracking on visible messages per running consumer, and/or \
         scheduled capacity (at least one of target_backlog_per_consumer and schedule).",
        props,
    )
    .set(
        "anyOf",
        json!([
            { "required": ["target_backlog_per_consumer"] },
            { "required": ["schedule"] }
        ]),
    )
    .build()
}

/// A network fleet's `emit = [{ to, p }]`.
fn emit() -> Value {
    let entry = table(
        "",
        vec![
            ("to", string("A queue or topic of the file").build()),
            (
                "p",
                number("Probability of the emit")
                    .min(0)
                    .max(1)
                    .default(1)
                    .build(),
            ),
        ],
    )
    .required(&["to"]);
    list(
        "After a processing succeeds, before its delete, each entry independently sends one \
         message to `to` with probability `p`.",
        entry,
    )
    .default(json!([]))
    .build()
}
