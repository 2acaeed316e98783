//! The schema's numeric ranges are the parser's: for every key of a
//! scenario's tables with a `minimum`, `maximum` or exclusive bound in the
//! schema, the parser accepts the value at an inclusive bound and refuses
//! one just beyond it (durations in their number-of-seconds form).

use std::path::Path;

use serde_json::Value;

/// A scenario holding every table whose keys are checked.
const BASE: &str = r#"
duration = "1h"
[queue]
[consumers]
count = 2
processing = "10ms"
crash = { mtbf = "6h", restart = "1s" }
breaker = { error_rate = 0.5, window = "30s", open_for = "60s" }
idempotency = { ttl = "1h" }
[resources.db]
capacity = 5
[[producers]]
rate = 5
retry = { attempts = 3 }
[cost]
"#;

/// Tables checked: the schema's pointer and the dotted key of `--set`.
const TABLES: &[(&str, &str)] = &[
    ("", ""),
    ("/properties/queue", "queue."),
    ("/properties/consumers", "consumers."),
    ("/properties/consumers/properties/crash", "consumers.crash."),
    (
        "/properties/consumers/properties/breaker",
        "consumers.breaker.",
    ),
    (
        "/properties/consumers/properties/idempotency",
        "consumers.idempotency.",
    ),
    (
        "/properties/resources/additionalProperties",
        "resources.db.",
    ),
    ("/properties/producers/items", "producers.0."),
    (
        "/properties/producers/items/properties/retry",
        "producers.0.retry.",
    ),
    ("/properties/cost", "cost."),
];

/// Bounds the other keys of the base cannot reach, with why.
const OUT_OF_REACH: &[(&str, &str)] = &[
    // 365 days of 10 s samples are more than 10^6 rows.
    ("duration", "maximum"),
    // The warmup must end before the duration.
    ("warmup", "maximum"),
];

/// Extra overrides that let a bound be reached.
fn context(key: &str) -> &'static [&'static str] {
    match key {
        // At the 1 ms minimum, an hour is too many samples.
        "sample_interval" => &["duration=10m"],
        _ => &[],
    }
}

fn load(set: &[String]) -> Result<(), String> {
    mqsim::scenario::load_str(BASE, Path::new("base.toml"), set)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn number(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

/// The value just beyond bound `b` of a key of type `integer` (or not).
fn beyond(b: f64, integer: bool, up: bool) -> f64 {
    let step = if integer {
        1.0
    } else {
        (b.abs() * 1e-6).max(1e-6)
    };
    if up { b + step } else { b - step }
}

/// `x` as `--set` writes it: integers without a fraction.
fn text(x: f64, integer: bool) -> String {
    if integer || (x.fract() == 0.0 && x.abs() < 1e15) {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

#[test]
fn the_parser_accepts_each_bound_and_refuses_beyond_it() {
    let schema: Value =
        serde_json::from_str(&mqsim::scenario::schema::scenario_schema_text()).unwrap();
    assert!(load(&[]).is_ok(), "{:?}", load(&[]));
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (at, prefix) in TABLES {
        let props = schema.pointer(&format!("{at}/properties")).unwrap();
        for (name, node) in props.as_object().unwrap() {
            let key = format!("{prefix}{name}");
            let integer = node["type"] == "integer";
            let bounds = [
                ("minimum", false, true),
                ("maximum", true, true),
                ("exclusiveMinimum", false, false),
                ("exclusiveMaximum", true, false),
            ];
            for (keyword, up, inclusive) in bounds {
                let Some(b) = node.get(keyword).map(number) else {
                    continue;
                };
                if OUT_OF_REACH.contains(&(key.as_str(), keyword)) {
                    continue;
                }
                if key == "seed" && up {
                    // i64::MAX + 1 is no TOML integer: the parser refuses it as such.
                    continue;
                }
                let set = |x: f64| {
                    let mut set: Vec<String> =
                        context(&key).iter().map(|s| (*s).to_owned()).collect();
                    set.push(format!("{key}={}", text(x, integer)));
                    set
                };
                if inclusive {
                    if let Err(e) = load(&set(b)) {
                        wrong.push(format!("{key} = {b} ({keyword}) is refused: {e}"));
                    }
                    let past = beyond(b, integer, up);
                    if load(&set(past)).is_ok() {
                        wrong.push(format!("{key} = {past} (past its {keyword}) is accepted"));
                    }
                } else {
                    if load(&set(b)).is_ok() {
                        wrong.push(format!("{key} = {b} ({keyword}) is accepted"));
                    }
                    let inside = beyond(b, integer, !up);
                    if let Err(e) = load(&set(inside)) {
                        wrong.push(format!(
                            "{key} = {inside} (inside its {keyword}) is refused: {e}"
                        ));
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {checked} bounds disagree:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(checked >= 50, "only {checked} bounds checked");
}
