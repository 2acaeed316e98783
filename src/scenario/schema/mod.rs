//! The JSON Schema of the scenario file, for editors (Taplo / Even Better
//! TOML read it from a `#:schema` line) and for anyone who checks a
//! scenario before mqsim reads it.
//!
//! Contract: the schema is draft-07 (the draft Taplo validates best) and
//! describes every key the parser accepts, with its type, range, default
//! and meaning (the text of `docs/scenario.md`). Every table that the parser
//! closes to unknown keys is closed here (`additionalProperties: false`). A
//! file the parser accepts is valid under the schema; the converse does not
//! hold, since the schema cannot see files or cross-key rules (a warmup
//! shorter than the duration, a `to` naming a queue of the file, a duration
//! string's range). The lists of distribution kinds, presets and metrics
//! come from the parser's own constants, and tests compare every table's
//! keys with the serde mirror's fields, so the two cannot drift apart.
//!
//! The output is deterministic: keys in file order, pretty-printed, so the
//! committed `schema/mqsim-scenario.schema.json` equals `mqsim schema`.

mod downstream;
mod duration;
mod node;
mod queue;
mod results;
mod traffic;
mod values;

use serde_json::{Value, json};

use self::duration::{DAY, span};
use self::node::{Props, boolean, integer, named, string, table};
use self::values::duration_key;

/// The schema, as JSON.
pub fn scenario_schema() -> Value {
    let mut root = table(
        "A scenario of mqsim, the message-queue simulator: producers, an SQS-like queue (or a \
         network of queues, topics and resources), consumers that fail, and incidents. \
         See docs/scenario.md.",
        top_level(),
    )
    .build();
    let head = json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "mqsim scenario",
    });
    let mut out = head.as_object().cloned().unwrap_or_default();
    if let Value::Object(body) = &mut root {
        out.append(body);
    }
    out.insert(
        "definitions".into(),
        json!({ "distribution": values::distribution() }),
    );
    Value::Object(out)
}

/// The schema as the text `mqsim schema` prints (ends with a newline).
pub fn scenario_schema_text() -> String {
    let mut text =
        serde_json::to_string_pretty(&scenario_schema()).expect("a JSON value always serializes");
    text.push('\n');
    text
}

/// The top-level keys, in the order of docs/scenario.md.
fn top_level() -> Props {
    let year = 365.0 * DAY;
    vec![
        (
            "name",
            string("Names output/<name>/ (default: the file's stem)")
                .set("pattern", "^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$")
                .build(),
        ),
        (
            "description",
            string("Shown in reports").default("").build(),
        ),
        (
            "duration",
            duration_key(
                "Producers send during [0, duration)",
                span(duration::TICK, year),
                Some("1h"),
            ),
        ),
        (
            "drain",
            boolean("After duration, run until no message is left and every consumer is idle")
                .default(false)
                .build(),
        ),
        (
            "warmup",
            duration_key(
                "Messages sent earlier are left out of latency statistics; time averages start \
                 here (shorter than duration)",
                span(0.0, year),
                Some("0s"),
            ),
        ),
        (
            "seed",
            integer("Master seed")
                .min(0)
                .max(i64::MAX)
                .default(1)
                .build(),
        ),
        (
            "replications",
            integer("Independent runs")
                .min(1)
                .max(10_000)
                .default(10)
                .build(),
        ),
        (
            "sample_interval",
            duration_key(
                "Time-series resolution (at most 10^6 samples over duration)",
                span(1e-3, DAY),
                Some("10s"),
            ),
        ),
        ("queue", queue::queue(false)),
        ("consumers", queue::consumers(false)),
        ("producers", traffic::producers()),
        ("faults", traffic::faults()),
        (
            "queues",
            named(
                "The network form: named queues (not with [queue] or [consumers]).",
                downstream::NODE_NAME,
                queue::queue(true),
            )
            .build(),
        ),
        (
            "topics",
            named(
                "SNS-like topics of the network form.",
                downstream::NODE_NAME,
                downstream::topic(),
            )
            .build(),
        ),
        (
            "resources",
            named(
                "Shared resources (database connections, an API's concurrency).",
                downstream::NODE_NAME,
                downstream::resource(),
            )
            .build(),
        ),
        ("observed", results::observed()),
        ("sweep", results::sweep()),
        ("slo", results::slo()),
        ("cost", results::cost()),
    ]
}

#[cfg(test)]
mod tests;
