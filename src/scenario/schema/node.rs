//! A small builder of JSON Schema (draft-07) nodes, so that the schema of
//! the scenario file reads as a description of its keys rather than as
//! nested JSON literals.
//!
//! Every node is a JSON object of keywords. Keys of a table are written in
//! the order given (the file lists them as `docs/scenario.md` does), and a
//! table denies keys it does not list (`additionalProperties: false`), as
//! the parser does. Union-typed values (a duration is a string or a number)
//! use one node whose keywords each apply to one JSON type (`pattern` to
//! strings, `minimum` to numbers, `properties` to objects), so that an error
//! is reported at the key that is wrong rather than as "no alternative
//! matched".

use serde_json::{Map, Value, json};

/// A schema node under construction.
#[derive(Clone, Debug)]
pub struct Node(Map<String, Value>);

impl Node {
    /// A node of one JSON type with its description.
    pub fn typed(ty: &str, doc: &str) -> Node {
        Node(Map::new()).set("type", ty).doc(doc)
    }

    /// A node that only describes (its keywords come later).
    pub fn described(doc: &str) -> Node {
        Node(Map::new()).doc(doc)
    }

    /// Sets keyword `key`.
    pub fn set(mut self, key: &str, value: impl Into<Value>) -> Node {
        self.0.insert(key.to_owned(), value.into());
        self
    }

    /// The `description` (the doc line editors show).
    pub fn doc(self, doc: &str) -> Node {
        if doc.is_empty() {
            return self;
        }
        self.set("description", doc)
    }

    /// The value used when the key is left out.
    pub fn default(self, value: impl Into<Value>) -> Node {
        self.set("default", value)
    }

    /// `minimum` (inclusive).
    pub fn min(self, x: impl Into<Value>) -> Node {
        self.set("minimum", x)
    }

    /// `exclusiveMinimum`.
    pub fn above(self, x: impl Into<Value>) -> Node {
        self.set("exclusiveMinimum", x)
    }

    /// `maximum` (inclusive).
    pub fn max(self, x: impl Into<Value>) -> Node {
        self.set("maximum", x)
    }

    /// `exclusiveMaximum`.
    pub fn below(self, x: impl Into<Value>) -> Node {
        self.set("exclusiveMaximum", x)
    }

    /// `required` keys of a table.
    pub fn required(self, keys: &[&str]) -> Node {
        self.set("required", json!(keys))
    }

    /// The finished JSON.
    pub fn build(self) -> Value {
        Value::Object(self.0)
    }
}

impl From<Node> for Value {
    fn from(node: Node) -> Value {
        node.build()
    }
}

/// The keys of a table, in file order.
pub type Props = Vec<(&'static str, Value)>;

/// A whole number.
pub fn integer(doc: &str) -> Node {
    Node::typed("integer", doc)
}

/// A number (TOML integer or float).
pub fn number(doc: &str) -> Node {
    Node::typed("number", doc)
}

/// A probability, 0 ..= 1, 0 when left out.
pub fn probability(doc: &str) -> Node {
    number(doc).min(0).max(1).default(0)
}

/// `true` or `false`.
pub fn boolean(doc: &str) -> Node {
    Node::typed("boolean", doc)
}

/// Any text.
pub fn string(doc: &str) -> Node {
    Node::typed("string", doc)
}

/// One of `words`.
pub fn word(doc: &str, words: &[&str]) -> Node {
    string(doc).set("enum", json!(words))
}

/// A table with exactly the keys `props` (none of them required yet).
pub fn table(doc: &str, props: Props) -> Node {
    Node::typed("object", doc)
        .set("properties", props_object(props))
        .set("additionalProperties", false)
}

/// The `properties` object of `props`.
pub fn props_object(props: Props) -> Value {
    Value::Object(props.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

/// A table of named entries (`[queues.NAME]`): names match `names`, each
/// entry is `entry`.
pub fn named(doc: &str, names: &str, entry: impl Into<Value>) -> Node {
    Node::typed("object", doc)
        .set("propertyNames", json!({ "pattern": names }))
        .set("additionalProperties", entry.into())
}

/// A list of `item`.
pub fn list(doc: &str, item: impl Into<Value>) -> Node {
    Node::typed("array", doc).set("items", item.into())
}

/// A `[time, value]` pair of a step list (`[["0s", 50], ["1h", 80]]`).
pub fn step(time: Node, value: Node) -> Node {
    Node(Map::new())
        .set("type", "array")
        .set("items", json!([time.build(), value.build()]))
        .set("additionalItems", false)
        .set("minItems", 2)
}

/// `$ref` to a definition, with a description of its own (draft-07
/// ignores keywords beside a `$ref`, so the reference sits in an `allOf`).
pub fn reference(definition: &str, doc: &str) -> Node {
    Node::described(doc).set(
        "allOf",
        json!([{ "$ref": format!("#/definitions/{definition}") }]),
    )
}

/// An `if`/`then` rule: when `key` of a table equals `value`, `then` applies.
pub fn when(key: &str, value: &str, then: Value) -> Value {
    json!({
        "if": { "type": "object", "properties": { key: { "const": value } }, "required": [key] },
        "then": then
    })
}

/// A table that may hold only `keys` (the keys one kind takes).
pub fn only(keys: &[&str]) -> Value {
    json!({ "propertyNames": { "enum": keys } })
}
