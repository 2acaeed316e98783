//! The schema against the parser: every table's keys are the fields of
//! its serde mirror (read from serde itself, so a key added to the parser
//! and forgotten here fails), and the kinds, presets and metrics are the
//! parser's.

use std::collections::BTreeSet;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde_json::Value;

use super::super::burst::RawBurst;
use super::super::distspec::KINDS;
use super::super::observed::{RawObserved, RawSeriesFile};
use super::super::raw::*;
use super::super::schedule_file::RawScheduleFile;
use super::scenario_schema;

/// The field names serde expects of a struct: a deserializer that stops
/// at `deserialize_struct` and reports the names it was given.
struct FieldNames;

#[derive(Debug)]
struct Found(Vec<&'static str>);

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl std::error::Error for Found {}

impl de::Error for Found {
    fn custom<T: fmt::Display>(_: T) -> Found {
        Found(Vec::new())
    }
}

impl<'de> Deserializer<'de> for FieldNames {
    type Error = Found;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Found> {
        Err(Found(Vec::new()))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Found> {
        Err(Found(fields.to_vec()))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// The keys of struct `T` as the file writes them.
fn fields<'de, T: Deserialize<'de>>() -> BTreeSet<String> {
    match T::deserialize(FieldNames) {
        Err(Found(names)) => names.iter().map(|n| (*n).to_owned()).collect(),
        Ok(_) => panic!("not a struct"),
    }
}

/// The keys of the table at JSON pointer `at` of the schema.
fn keys(schema: &Value, at: &str) -> BTreeSet<String> {
    let node = schema
        .pointer(&format!("{at}/properties"))
        .unwrap_or_else(|| panic!("no table at {at}"));
    node.as_object().unwrap().keys().cloned().collect()
}

fn without(mut set: BTreeSet<String>, gone: &[&str]) -> BTreeSet<String> {
    for g in gone {
        assert!(set.remove(*g), "{g} is not a field");
    }
    set
}

#[test]
fn every_table_has_the_parsers_keys() {
    let s = scenario_schema();
    let network_queue = "/properties/queues/additionalProperties";
    let network_fleet = format!("{network_queue}/properties/consumers");
    let fleet = "/properties/consumers";
    let producer = "/properties/producers/items";
    let fault = "/properties/faults/items";
    let tables: Vec<(String, BTreeSet<String>)> = vec![
        (network_queue.to_string(), fields::<RawQueue>()),
        (
            "/properties/queue".to_string(),
            without(fields::<RawQueue>(), &["dead_letter", "consumers"]),
        ),
        (network_fleet.clone(), fields::<RawConsumers>()),
        (
            fleet.to_string(),
            without(fields::<RawConsumers>(), &["emit"]),
        ),
        (
            format!("{network_fleet}/properties/emit/items"),
            fields::<RawEmit>(),
        ),
        (
            "/properties/topics/additionalProperties".to_string(),
            fields::<RawTopic>(),
        ),
        (
            "/properties/resources/additionalProperties".to_string(),
            fields::<RawResource>(),
        ),
        (
            "/properties/consumers/properties/uses/items".to_string(),
            fields::<RawUse>(),
        ),
        (
            "/properties/consumers/properties/breaker".to_string(),
            fields::<RawBreaker>(),
        ),
        (
            "/properties/consumers/properties/idempotency".to_string(),
            fields::<RawIdempotency>(),
        ),
        (
            "/properties/consumers/properties/crash".to_string(),
            fields::<RawCrash>(),
        ),
        (
            "/properties/consumers/properties/autoscale".to_string(),
            fields::<RawAutoscale>(),
        ),
        (producer.to_string(), fields::<RawProducer>()),
        (format!("{producer}/properties/retry"), fields::<RawRetry>()),
        (format!("{producer}/properties/burst"), fields::<RawBurst>()),
        (
            format!("{producer}/properties/schedule"),
            fields::<RawScheduleFile>(),
        ),
        (fault.to_string(), fields::<RawFault>()),
        ("/properties/cost".to_string(), fields::<RawCost>()),
        ("/properties/observed".to_string(), fields::<RawObserved>()),
        (
            "/properties/observed/properties/visible".to_string(),
            fields::<RawSeriesFile>(),
        ),
        (
            "/properties/observed/properties/age".to_string(),
            fields::<RawSeriesFile>(),
        ),
    ];
    for (at, parser) in &tables {
        assert_eq!(&keys(&s, at), parser, "the keys of the table at {at}");
    }
    assert_eq!(keys(&s, ""), fields::<RawScenario>(), "the top-level keys");
}

#[test]
fn distributions_take_the_parsers_kinds_and_parameter_sets() {
    let s = scenario_schema();
    let dist = &s["definitions"]["distribution"];
    let kinds: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
    let written: Vec<&str> = dist["properties"]["dist"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(written, kinds);
    let mut params: BTreeSet<&str> = KINDS
        .iter()
        .flat_map(|(_, sets)| sets.iter().flat_map(|s| s.iter().copied()))
        .collect();
    params.insert("dist");
    let props: BTreeSet<&str> = dist["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(props, params);
    assert_eq!(dist["allOf"].as_array().unwrap().len(), KINDS.len());
}

#[test]
fn fault_kinds_presets_and_metrics_are_the_parsers() {
    let s = scenario_schema();
    let fault_kinds: Vec<String> = super::traffic::fault_kinds()
        .iter()
        .map(|(k, _)| format!("\"{k}\""))
        .collect();
    let parser: String = super::super::incidents::KINDS.split_whitespace().collect();
    assert_eq!(fault_kinds.join(","), parser);
    let presets = &s["properties"]["queue"]["properties"]["preset"]["enum"];
    assert_eq!(presets, &serde_json::json!(super::super::presets::NAMES));
    let slo = keys(&s, "/properties/slo");
    let metrics: BTreeSet<String> = crate::engine::result::Metrics::NAMES
        .iter()
        .map(|m| (*m).to_owned())
        .collect();
    assert_eq!(slo, metrics);
}

/// Every table closed to unknown keys in the parser is closed here too:
/// each `properties` sits beside `additionalProperties: false`.
#[test]
fn every_table_is_closed() {
    fn walk(node: &Value, at: &str) {
        match node {
            Value::Object(map) => {
                // An `if` tests keys and a `then` narrows them: neither is a table.
                let rule = at.ends_with("/if") || at.ends_with("/then");
                if map.contains_key("properties") && !rule {
                    assert_eq!(
                        map.get("additionalProperties"),
                        Some(&Value::Bool(false)),
                        "open table at {at}"
                    );
                }
                for (k, v) in map {
                    walk(v, &format!("{at}/{k}"));
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, &format!("{at}/{i}"));
                }
            }
            _ => {}
        }
    }
    walk(&scenario_schema(), "");
}

#[test]
fn the_text_is_stable_and_ends_with_a_newline() {
    let text = super::scenario_schema_text();
    assert_eq!(text, super::scenario_schema_text());
    assert!(text.ends_with("}\n"));
    let back: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(back, scenario_schema());
}
