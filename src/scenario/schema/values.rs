//! Values whose shape varies: distributions (a bare duration or a table
//! `{ dist = "<kind>", <parameters> }`, generated from the parser's own
//! list of kinds and parameter sets), rate schedules (inline steps or a
//! file), arrivals and a fleet's `on_error`.

use serde_json::{Value, json};

use super::super::distspec::{KINDS, UNITLESS};
use super::duration::{self, DAY, HOUR, Span, TICK, span};
use super::node::{
    Node, Props, boolean, integer, number, only, props_object, step, string, table, when, word,
};

/// What each distribution parameter means.
const PARAMETERS: &[(&str, &str)] = &[
    ("value", "const: the value, >= 0"),
    ("mean", "the mean, > 0"),
    ("min", "uniform: the smallest value, 0 <= min <= max"),
    ("max", "uniform: the largest value"),
    ("sd", "normal: the standard deviation, >= 0"),
    (
        "p99",
        "lognormal: the 99th percentile, mean < p99 <= 14.9 x mean",
    ),
    ("median", "lognormal: the median, > 0"),
    (
        "sigma",
        "lognormal: the standard deviation of ln X (a plain number > 0)",
    ),
    (
        "mu",
        "lognormal: the mean of ln X, X in seconds (a plain number)",
    ),
    (
        "cv",
        "gamma: the coefficient of variation (a plain number > 0)",
    ),
    (
        "shape",
        "gamma, weibull, pareto: the shape (a plain number > 0; pareto: > 1, a finite mean)",
    ),
    ("scale", "gamma, weibull, pareto: the scale, > 0"),
    (
        "file",
        "empirical: a file of one duration per line, relative to the scenario file; \
         `#` comments and blank lines skipped; sampled uniformly",
    ),
];

/// The `distribution` definition: a constant duration, or a table of one
/// kind with exactly one of its parameter sets.
pub fn distribution() -> Value {
    let kinds: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
    let mut props: Props = vec![("dist", word("The kind of distribution.", &kinds).build())];
    for (name, doc) in PARAMETERS {
        props.push((name, parameter(name, doc)));
    }
    let rules: Vec<Value> = KINDS
        .iter()
        .map(|(kind, sets)| when("dist", kind, kind_rule(kind, sets)))
        .collect();
    Node::described(
        "A distribution: a bare duration (a constant), or { dist = \"<kind>\", <parameters> } \
         with exactly one parameter set of the kind (time parameters are durations; sigma, \
         cv, shape and mu are plain numbers).",
    )
    .set("type", json!(["string", "number", "object"]))
    .set("pattern", duration::pattern())
    .min(0)
    .set("properties", props_object(props))
    .set("additionalProperties", false)
    .required(&["dist"])
    .set("allOf", rules)
    .build()
}

/// The schema of one parameter, by its unit.
fn parameter(name: &str, doc: &str) -> Value {
    match name {
        "file" => string(doc).build(),
        "mu" => number(doc).build(),
        _ if UNITLESS.contains(&name) => number(doc).above(0).build(),
        "mean" | "p99" | "median" | "scale" => duration::parameter(doc, true).build(),
        _ => duration::parameter(doc, false).build(),
    }
}

/// For kind `kind`: exactly one of `sets` (plus `dist`).
fn kind_rule(kind: &str, sets: &[&[&str]]) -> Value {
    let set = |keys: &[&str]| {
        let mut all = vec!["dist"];
        all.extend_from_slice(keys);
        let mut rule = only(&all);
        rule["required"] = json!(keys);
        rule
    };
    let mut rule = match sets {
        [one] => set(one),
        many => json!({ "anyOf": many.iter().map(|s| set(s)).collect::<Vec<_>>() }),
    };
    if kind == "pareto" {
        rule["properties"] = json!({ "shape": { "exclusiveMinimum": 1 } });
    }
    rule
}

/// A key whose value is a distribution.
pub fn distribution_key(doc: &str) -> Value {
    super::node::reference("distribution", doc).build()
}

/// A producer's `schedule`: `[[time, rate], ...]` or `{ file, period, scale, metric }`.
pub fn rate_schedule() -> Value {
    let time = duration::duration(
        "When the step starts: the first at \"0s\", times increasing and before `duration`",
        span(0.0, 365.0 * DAY),
    );
    let rate = number("Messages per second from this time, 0 ..= 10^7")
        .min(0)
        .max(1e7);
    let file: Props = vec![
        (
            "file",
            string(
                "CloudWatch get-metric-data JSON (MetricDataResults with Timestamps and Values) \
                 or a CSV of timestamp,value counts per period, relative to the scenario file",
            )
            .build(),
        ),
        (
            "period",
            duration::duration(
                "The length of one count; must equal the data's spacing (default: read from the timestamps)",
                span(TICK, DAY),
            )
            .build(),
        ),
        (
            "scale",
            number("Every rate is multiplied by this").above(0).max(1e6).default(1).build(),
        ),
        (
            "metric",
            string("The metric (its Id or Label) of a CloudWatch file with several").build(),
        ),
    ];
    Node::described(
        "A piecewise-constant rate that replaces `rate`: [[time, rate], ...] (the first at \
         \"0s\", times increasing and before `duration`, rates 0 ..= 10^7, not all 0), or \
         counts per period read from a file: { file, period, scale, metric }.",
    )
    .set("type", json!(["array", "object"]))
    .set("minItems", 1)
    .set("items", step(time, rate).build())
    .set("properties", props_object(file))
    .set("additionalProperties", false)
    .required(&["file"])
    .build()
}

/// A producer's `arrivals`: `"poisson"`, `"constant"` or `{ trace = "file.csv" }`.
pub fn arrivals() -> Value {
    let trace = table(
        "",
        vec![(
            "trace",
            string(
                "Send times in seconds from the start, one per line or a CSV with a `time` \
                 column, relative to the scenario file",
            )
            .build(),
        )],
    )
    .required(&["trace"]);
    Node::described(
        "Poisson process at the current rate; evenly spaced (the first at 1/rate); or send \
         times replayed from a trace file (then no `rate` or `schedule`).",
    )
    .default("poisson")
    .set(
        "anyOf",
        json!([{ "enum": ["poisson", "constant"] }, trace.build()]),
    )
    .build()
}

/// A fleet's `on_error`: `"wait"`, `"release"` or a backoff table.
pub fn on_error() -> Value {
    let backoff: Props = vec![
        (
            "backoff",
            word("The backoff rule.", &["exponential"]).build(),
        ),
        (
            "base",
            duration::duration(
                "Visibility after the first failure",
                span(TICK, 12.0 * HOUR),
            )
            .build(),
        ),
        (
            "factor",
            number("Growth per further receive")
                .min(1)
                .max(100)
                .default(2)
                .build(),
        ),
        (
            "max",
            duration::duration(
                "Longest visibility set (at least `base`; default 12h)",
                span(0.0, 12.0 * HOUR),
            )
            .default("12h")
            .build(),
        ),
        (
            "jitter",
            boolean("Full jitter: a uniform draw below the backoff")
                .default(false)
                .build(),
        ),
    ];
    Node::described(
        "What a failed processing does: \"wait\" for the visibility timeout, \"release\" \
         (ChangeMessageVisibility to 0), or a backoff table: visibility set to \
         min(max, base * factor^(receive_count - 1)), counted and billed.",
    )
    .default("wait")
    .set(
        "anyOf",
        json!([
            { "enum": ["wait", "release"] },
            table("", backoff).required(&["backoff", "base"]).build()
        ]),
    )
    .build()
}

/// A `[time, count]` list of scheduled capacity.
pub fn capacity_schedule() -> Value {
    let time = duration::duration(
        "From this time (increasing, before `duration`)",
        span(0.0, 365.0 * DAY),
    );
    let count = integer("Consumers from this time, 0 ..= autoscale.max")
        .min(0)
        .max(100_000);
    super::node::list(
        "Scheduled capacity: [[time, count], ...], times increasing and before `duration`; from \
         each time at least `count` (with a target) or exactly `count` (without).",
        step(time, count),
    )
    .set("minItems", 1)
    .build()
}

/// A duration key of a table: `doc`, `span` and the default as written.
pub fn duration_key(doc: &str, span: Span, default: Option<&str>) -> Value {
    let node = duration::duration(doc, span);
    match default {
        Some(d) => node.default(d).build(),
        None => node.build(),
    }
}
