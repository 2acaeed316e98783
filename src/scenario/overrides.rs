//! `--set KEY=VALUE`: edits the scenario text before it is parsed, so an
//! override is validated exactly like the same key written in the file.
//!
//! `KEY` is a dotted path (`consumers.count`, `producers.0.rate`,
//! `consumers.processing.mean`); missing tables are created. `VALUE` is a
//! TOML value (`8`, `"30s"`, `{ dist = "exp", mean = "1s" }`); anything that
//! does not parse as one is taken as a string, so `--set
//! queue.visibility_timeout=45s` needs no shell quoting.
//!
//! Keys reach into a network by name: `queues.orders.consumers.count`,
//! `topics.order-events.subscribers`, `resources.orders-db.capacity`
//! (names may contain '-', as TOML bare keys do). An override changes the
//! queues, topics and resources a file has; it cannot create one, so a
//! misspelt name is an error listing the names. A value may be a whole
//! inline table (`consumers.on_error={ backoff = "exponential", base = "1s" }`).

use std::str::FromStr;

use toml_edit::{DocumentMut, InlineTable, Item, Table, Value};

/// One parsed `--set` argument.
#[derive(Clone, Debug)]
pub struct Override {
    /// The argument as given, for error messages.
    pub arg: String,
    /// Dotted key path.
    pub key: String,
    value: Value,
}

impl Override {
    /// Parses `KEY=VALUE`, or says what is allowed.
    pub fn parse(arg: &str) -> Result<Override, String> {
        let Some((key, value)) = arg.split_once('=') else {
            return Err(format!(
                "--set {arg}: expected KEY=VALUE, e.g. --set consumers.count=8"
            ));
        };
        let key = key.trim();
        if key.is_empty() || key.split('.').any(str::is_empty) {
            return Err(format!(
                "--set {arg}: the key must be a dotted path such as consumers.count"
            ));
        }
        let value = value.trim();
        let value = Value::from_str(value).unwrap_or_else(|_| Value::from(value));
        Ok(Override {
            arg: arg.to_owned(),
            key: key.to_owned(),
            value,
        })
    }

    /// Whether an error at dotted `path` concerns this override.
    pub fn covers(&self, path: &str) -> bool {
        path == self.key
            || path.starts_with(&format!("{}.", self.key))
            || self.key.starts_with(&format!("{path}."))
    }

    /// Writes the value into `doc`, or says why the path does not exist.
    pub fn apply(&self, doc: &mut DocumentMut) -> Result<(), String> {
        let segments: Vec<&str> = self.key.split('.').collect();
        self.names_exist(doc)?;
        let (last, parents) = segments.split_last().expect("non-empty path");
        let mut node = Slot::Table(doc.as_table_mut());
        for (depth, segment) in parents.iter().enumerate() {
            let at = segments[..=depth].join(".");
            node = node
                .child(segment)
                .map_err(|why| format!("--set {}: {at}: {why}", self.arg))?;
        }
        node.set(last, self.value.clone())
            .map_err(|why| format!("--set {}: {why}", self.arg))
    }
}

impl Override {
    /// `queues.NAME...`, `topics.NAME...` and `resources.NAME...` must name
    /// a queue, topic or resource of the file: a new table would be a node
    /// without its required keys.
    fn names_exist(&self, doc: &DocumentMut) -> Result<(), String> {
        let mut segments = self.key.split('.');
        let (Some(kind @ ("queues" | "topics" | "resources")), Some(name)) =
            (segments.next(), segments.next())
        else {
            return Ok(());
        };
        let mut names: Vec<&str> = doc
            .get(kind)
            .and_then(Item::as_table_like)
            .map(|t| t.iter().map(|(k, _)| k).collect())
            .unwrap_or_default();
        names.sort_unstable(); // the model's order
        if names.contains(&name) {
            return Ok(());
        }
        let what = &kind[..kind.len() - 1];
        let known = if names.is_empty() {
            format!("the file has no [{kind}.NAME] tables")
        } else {
            format!("{kind}: {}", names.join(", "))
        };
        Err(format!(
            "--set {}: {kind}.{name}: no {what} is named \"{name}\"; {known} \
             (--set changes the {kind} a file has; write a new one in the file)",
            self.arg
        ))
    }
}

/// A mutable place in the document that can hold keys.
enum Slot<'d> {
    Table(&'d mut Table),
    Inline(&'d mut InlineTable),
    Array(&'d mut toml_edit::Array),
    Tables(&'d mut toml_edit::ArrayOfTables),
}

impl<'d> Slot<'d> {
    fn child(self, segment: &str) -> Result<Slot<'d>, String> {
        match self {
            Slot::Table(table) => {
                // A numeric segment names an entry of an array; creating a
                // table called "0" would only fail later with a type error.
                if segment.parse::<usize>().is_ok() && !table.contains_key(segment) {
                    return Err("the file has no such entry; --set changes the entries \
                         a file has (write the new entry in the file)"
                        .into());
                }
                let item = table
                    .entry(segment)
                    .or_insert_with(|| Item::Table(Table::new()));
                slot_of_item(item)
            }
            Slot::Inline(table) => {
                let value = table
                    .entry(segment)
                    .or_insert_with(|| Value::InlineTable(InlineTable::new()));
                slot_of_value(value)
            }
            Slot::Array(array) => {
                let len = array.len();
                let value = array.get_mut(index(segment, len)?).expect("index checked");
                slot_of_value(value)
            }
            Slot::Tables(tables) => {
                let len = tables.len();
                let table = tables.get_mut(index(segment, len)?).expect("index checked");
                Ok(Slot::Table(table))
            }
        }
    }

    fn set(self, key: &str, value: Value) -> Result<(), String> {
        match self {
            Slot::Table(table) => {
                table.insert(key, Item::Value(value));
            }
            Slot::Inline(table) => {
                table.insert(key, value);
            }
            Slot::Array(array) => {
                let len = array.len();
                array.replace(index(key, len)?, value);
            }
            Slot::Tables(_) => {
                return Err("cannot replace a whole [[table]] entry; set its keys".into());
            }
        }
        Ok(())
    }
}

fn slot_of_item(item: &mut Item) -> Result<Slot<'_>, String> {
    match item {
        Item::Table(table) => Ok(Slot::Table(table)),
        Item::ArrayOfTables(tables) => Ok(Slot::Tables(tables)),
        Item::Value(value) => slot_of_value(value),
        Item::None => Err("no such key".into()),
    }
}

fn slot_of_value(value: &mut Value) -> Result<Slot<'_>, String> {
    match value {
        Value::InlineTable(table) => Ok(Slot::Inline(table)),
        Value::Array(array) => Ok(Slot::Array(array)),
        other => Err(format!("is a {}, not a table or array", other.type_name())),
    }
}

fn index(segment: &str, len: usize) -> Result<usize, String> {
    match segment.parse::<usize>() {
        Ok(i) if i < len => Ok(i),
        Ok(i) => Err(format!(
            "index {i} is out of range: there are {len} entries"
        )),
        Err(_) => Err(format!(
            "\"{segment}\" is not an index; use 0 .. {}",
            len.saturating_sub(1)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, arg: &str) -> Result<String, String> {
        let mut doc: DocumentMut = text.parse().unwrap();
        Override::parse(arg)?.apply(&mut doc)?;
        Ok(doc.to_string())
    }

    #[test]
    fn sets_nested_keys_and_array_entries() {
        let text = "[[producers]]\nrate = 5\n[consumers]\nprocessing = { dist = \"exp\", mean = \"1s\" }\n";
        let out = apply(text, "producers.0.rate=70").unwrap();
        assert!(out.contains("rate = 70"), "{out}");
        let out = apply(text, "consumers.processing.mean=2s").unwrap();
        assert!(out.contains("mean = \"2s\""), "{out}");
        let out = apply(text, "cost.consumer_hour=0.1").unwrap();
        assert!(
            out.contains("[cost]") && out.contains("consumer_hour = 0.1"),
            "{out}"
        );
    }

    #[test]
    fn malformed_arguments_say_what_is_allowed() {
        assert!(
            Override::parse("consumers.count")
                .unwrap_err()
                .contains("KEY=VALUE")
        );
        assert!(
            Override::parse("a..b=1")
                .unwrap_err()
                .contains("dotted path")
        );
        let err = apply("[[producers]]\nrate = 5\n", "producers.3.rate=1").unwrap_err();
        assert!(err.contains("out of range"), "{err}");
        let err = apply("duration = 5\n", "faults.0.at=5m").unwrap_err();
        assert!(
            err.contains("faults.0: the file has no such entry"),
            "{err}"
        );
        let err = apply("duration = 5\n", "duration.x=1").unwrap_err();
        assert!(err.contains("not a table"), "{err}");
    }

    #[test]
    fn network_keys_must_name_a_queue_or_topic_of_the_file() {
        let text = "[queues.order-events-dlq]\n[queues.orders.consumers]\ncount = 2\n";
        let out = apply(text, "queues.orders.consumers.count=30").unwrap();
        assert!(out.contains("count = 30"), "{out}");
        let out = apply(text, "queues.order-events-dlq.delay=5s").unwrap();
        assert!(out.contains("delay = \"5s\""), "{out}");
        let err = apply(text, "queues.order.consumers.count=3").unwrap_err();
        assert!(
            err.contains("no queue is named \"order\"; queues: order-events-dlq, orders"),
            "{err}"
        );
        let err = apply("[consumers]\ncount = 1\n", "topics.t.subscribers=[]").unwrap_err();
        assert!(
            err.contains("the file has no [topics.NAME] tables"),
            "{err}"
        );
    }

    #[test]
    fn covers_matches_the_key_and_its_parts() {
        let o = Override::parse("consumers.processing.mean=1s").unwrap();
        assert!(o.covers("consumers.processing.mean"));
        assert!(o.covers("consumers.processing"));
        assert!(!o.covers("consumers.count"));
    }
}
