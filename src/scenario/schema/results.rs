//! What a run is judged against and priced by: `[observed]` production
//! series drawn beside the simulated ones, the `[sweep]` grid, `[slo]`
//! targets (one per metric of [`crate::engine::result::Metrics`]) and
//! `[cost]`.

use serde_json::{Map, Value, json};

use super::duration;
use super::node::{Node, Props, number, props_object, string, table};
use crate::engine::result::Metrics;

/// `[observed]`: CloudWatch exports to compare the run with.
pub fn observed() -> Value {
    let props: Props = vec![
        (
            "queue",
            string("The queue the series were measured on (optional when the file has one queue)")
                .build(),
        ),
        (
            "visible",
            series("ApproximateNumberOfMessagesVisible, drawn beside the simulated backlog"),
        ),
        (
            "age",
            series(
                "ApproximateAgeOfOldestMessage in seconds, drawn beside the simulated oldest age",
            ),
        ),
        (
            "start",
            string(
                "The production time of simulated time 0, an RFC 3339 timestamp such as \
                 \"2026-11-27T09:00:00Z\" (default: the first timestamp of the producers' \
                 schedule files, else of the observed series)",
            )
            .set("format", "date-time")
            .build(),
        ),
    ];
    table(
        "Production series (CloudWatch get-metric-data JSON or CSV timestamp,value) drawn on \
         the run's charts beside the simulated ones, with a distance between them in summary.json.",
        props,
    )
    // At least one series: a table naming neither compares nothing.
    .set(
        "anyOf",
        json!([{ "required": ["visible"] }, { "required": ["age"] }]),
    )
    .build()
}

/// A series file: a path, or `{ file, metric }`.
fn series(doc: &str) -> Value {
    let props: Props = vec![
        (
            "file",
            string("The export, relative to the scenario file").build(),
        ),
        (
            "metric",
            string("The metric (its Id or Label) of a CloudWatch file with several").build(),
        ),
    ];
    Node::described(&format!(
        "{doc}: a file relative to the scenario file, or {{ file, metric }}."
    ))
    .set("type", json!(["string", "object"]))
    .set("properties", props_object(props))
    .set("additionalProperties", false)
    .required(&["file"])
    .build()
}

/// `[sweep]`: `"dotted.key" = [values...]`.
pub fn sweep() -> Value {
    Node::typed(
        "object",
        "The grid of mqsim sweep (and, with one key, the candidates of mqsim plan): \
         \"dotted.key\" = [values...]; run ignores it. Every value is checked by applying it like --set.",
    )
    .set(
        "additionalProperties",
        json!({ "type": "array", "minItems": 1, "description": "The values of this key" }),
    )
    .build()
}

/// `[slo]`: an upper bound per metric.
pub fn slo() -> Value {
    let bound = |metric: &str| {
        Node::described(&format!(
            "Upper bound of {metric}: a number, or a duration for a time metric (\"30s\")"
        ))
        .set("type", json!(["number", "string"]))
        .set("pattern", duration::pattern())
        .min(0)
        .build()
    };
    let props: Map<String, Value> = Metrics::NAMES
        .iter()
        .map(|m| ((*m).to_owned(), bound(m)))
        .collect();
    Node::typed(
        "object",
        "Targets checked in every report and by mqsim plan: any scalar metric (docs/metrics.md) \
         with an upper bound; a target passes when the upper end of the metric's 95% interval \
         is within it.",
    )
    .set("properties", Value::Object(props))
    .set("additionalProperties", false)
    .build()
}

/// `[cost]`.
pub fn cost() -> Value {
    let price = |doc: &str, default: f64| number(doc).min(0).max(1e6).default(default).build();
    table(
        "Prices of the queue's requests and of the consumers.",
        vec![
            (
                "price_per_million_requests",
                price("USD per million queue API requests", 0.40),
            ),
            ("consumer_hour", price("USD per consumer per hour", 0.0)),
        ],
    )
    .build()
}
