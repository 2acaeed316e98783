//! The network form (SPEC §5): `[queues.NAME]` with their fleets,
//! `[topics.NAME]`, and the references between nodes (`dead_letter`,
//! `emit.to`, `subscribers`, producers' `to`, faults' `target`), and the
//! names of `[resources.NAME]` (in either form) that fleets and faults name.
//!
//! Contract: queues, topics and resources are in name order (the order of
//! their TOML keys, sorted); every name is safe for a dotted key and a path
//! (letters, digits, '-' and '_'), unique across queues, topics and
//! resources; every reference
//! names a node that exists, and an error lists the names that do. Cycles
//! are not looked for: whether a cycle drains is a question of rates
//! (`mqsim check`), and nothing here walks the graph, so no input loops.

use std::collections::BTreeMap;

use super::checks::{Checked, invalid, number_in, required, safe_name};
use super::downstream::ResourceRef;
use super::files::DataFiles;
use super::model::{Emit, Layout, Node, NodeRef, QueueNode, Subscriber, TopicNode};
use super::queues;
use super::raw::{RawEmit, RawQueue, RawScenario, RawTopic};
use crate::time::SimTime;

/// The names of a scenario's queues, topics and resources, in model
/// order: what a reference may name.
pub struct Names {
    queues: Vec<String>,
    topics: Vec<String>,
    resources: Vec<String>,
}

impl Names {
    /// The single form: one queue named [`super::model::SINGLE_QUEUE`].
    pub fn single() -> Names {
        Names {
            queues: vec![super::model::SINGLE_QUEUE.to_owned()],
            topics: Vec::new(),
            resources: Vec::new(),
        }
    }

    /// These names with `raw`'s `[resources.NAME]`, checked: safe, and
    /// unlike every queue's and topic's (a fault's `target` names either).
    pub fn with_resources(mut self, raw: &RawScenario) -> Checked<Names> {
        let resources: Vec<String> = raw
            .resources
            .iter()
            .flat_map(|r| r.keys().cloned())
            .collect();
        for r in &resources {
            let key = format!("resources.{r}");
            safe_name(&key, r, "-_")?;
            let clash = if self.queues.contains(r) {
                "a queue"
            } else if self.topics.contains(r) {
                "a topic"
            } else {
                continue;
            };
            let single = if raw.queues.is_none() && raw.topics.is_none() {
                " (the single form's queue is named \"queue\")"
            } else {
                ""
            };
            return Err(invalid(
                key,
                format!(
                    "\"{r}\" names both {clash} and a resource{single}; a resource's name must \
                     differ from every queue's and topic's, since a fault's target names either"
                ),
            ));
        }
        self.resources = resources;
        Ok(self)
    }

    /// The names of `raw`'s `[queues.NAME]` and `[topics.NAME]`, checked.
    pub fn of(raw: &RawScenario) -> Checked<Names> {
        let queues: Vec<String> = raw.queues.iter().flat_map(|q| q.keys().cloned()).collect();
        let topics: Vec<String> = raw.topics.iter().flat_map(|t| t.keys().cloned()).collect();
        if queues.is_empty() {
            return Err(invalid(
                "queues",
                "a network needs at least one queue, e.g. [queues.orders] with \
                 [queues.orders.consumers]",
            ));
        }
        for q in &queues {
            safe_name(&format!("queues.{q}"), q, "-_")?;
        }
        for t in &topics {
            safe_name(&format!("topics.{t}"), t, "-_")?;
            if queues.contains(t) {
                return Err(invalid(
                    format!("topics.{t}"),
                    format!(
                        "\"{t}\" names both a queue and a topic; a name must be unique across \
                         queues and topics"
                    ),
                ));
            }
        }
        Ok(Names {
            queues,
            topics,
            resources: Vec::new(),
        })
    }

    /// The names that exist, for messages: `queues: a, b; topics: t`.
    fn known(&self, topics: bool) -> String {
        let mut out = format!("queues: {}", self.queues.join(", "));
        if topics && !self.topics.is_empty() {
            out.push_str(&format!("; topics: {}", self.topics.join(", ")));
        }
        out
    }

    /// A queue or a topic, named at `key`.
    pub fn destination(&self, key: &str, name: &str) -> Checked<NodeRef> {
        if let Some(i) = self.topics.iter().position(|t| t == name) {
            return Ok(node_ref(name, Node::Topic(i)));
        }
        self.queue(key, name).map_err(|_| {
            invalid(
                key,
                format!(
                    "no queue or topic is named \"{name}\"; {}",
                    self.known(true)
                ),
            )
        })
    }

    /// A queue (not a topic), named at `key`.
    pub fn queue(&self, key: &str, name: &str) -> Checked<NodeRef> {
        if let Some(i) = self.queues.iter().position(|q| q == name) {
            return Ok(node_ref(name, Node::Queue(i)));
        }
        let why = if self.topics.iter().any(|t| t == name) {
            format!("\"{name}\" is a topic, and a queue is needed here")
        } else if self.is_resource(name) {
            format!("\"{name}\" is a resource, and a queue is needed here")
        } else {
            format!("no queue is named \"{name}\"")
        };
        Err(invalid(key, format!("{why}; {}", self.known(false))))
    }

    /// Where messages go when `key` (a producer's `to`) is omitted: the
    /// only queue, when there is one and no topic.
    pub fn only_node(&self, key: &str) -> Checked<NodeRef> {
        match (self.queues.as_slice(), self.topics.is_empty()) {
            ([only], true) => Ok(node_ref(only, Node::Queue(0))),
            _ => Err(invalid(
                key,
                format!(
                    "is required when a scenario has several queues or a topic, e.g. \
                     to = \"{}\"; {}",
                    self.queues[0],
                    self.known(true)
                ),
            )),
        }
    }

    /// A resource, named at `key`.
    pub fn resource(&self, key: &str, name: &str) -> Checked<ResourceRef> {
        if let Some(index) = self.resources.iter().position(|r| r == name) {
            return Ok(ResourceRef {
                name: name.to_owned(),
                index,
            });
        }
        let why = if self.queues.iter().any(|q| q == name) {
            format!("\"{name}\" is a queue, and a resource is needed here")
        } else if self.topics.iter().any(|t| t == name) {
            format!("\"{name}\" is a topic, and a resource is needed here")
        } else {
            format!("no resource is named \"{name}\"")
        };
        Err(invalid(key, format!("{why}; {}", self.resource_list())))
    }

    /// Whether `name` is a resource's.
    pub fn is_resource(&self, name: &str) -> bool {
        self.resources.iter().any(|r| r == name)
    }

    /// The resources, for messages: `resources: a, b`, or that there are none.
    pub fn resource_list(&self) -> String {
        if self.resources.is_empty() {
            "the file has no [resources.NAME] tables".to_owned()
        } else {
            format!("resources: {}", self.resources.join(", "))
        }
    }

    /// The only resource, if there is exactly one.
    pub fn only_resource(&self) -> Option<ResourceRef> {
        match self.resources.as_slice() {
            [only] => Some(ResourceRef {
                name: only.clone(),
                index: 0,
            }),
            _ => None,
        }
    }

    /// Whether there is more than one queue (faults then need a target).
    pub fn several_queues(&self) -> bool {
        self.queues.len() > 1
    }

    /// The queue names, for messages.
    pub fn queue_list(&self) -> String {
        self.queues.join(", ")
    }
}

fn node_ref(name: &str, node: Node) -> NodeRef {
    NodeRef {
        name: name.to_owned(),
        node,
    }
}

/// Which form `raw` uses; `[queue]`/`[consumers]` mixed with
/// `[queues.*]`/`[topics.*]` is an error (which fleet would be which?).
pub fn layout(raw: &RawScenario) -> Checked<Layout> {
    if raw.queues.is_none() && raw.topics.is_none() {
        return Ok(Layout::Single);
    }
    let single = [
        ("queue", raw.queue.is_some()),
        ("consumers", raw.consumers.is_some()),
    ];
    if let Some((table, _)) = single.into_iter().find(|(_, given)| *given) {
        return Err(invalid(
            table,
            format!(
                "[{table}] belongs to the single-queue form and cannot be mixed with \
                 [queues.NAME] or [topics.NAME]; in a network each queue is a \
                 [queues.NAME] table and its fleet [queues.NAME.consumers]: move these keys there"
            ),
        ));
    }
    Ok(Layout::Network)
}

/// The `[queues.NAME]` tables, in name order, with their fleets; at least
/// one queue has consumers.
pub fn queues(
    raw: BTreeMap<String, RawQueue>,
    names: &Names,
    files: &DataFiles,
    horizon: SimTime,
) -> Checked<Vec<QueueNode>> {
    let nodes = raw
        .into_iter()
        .map(|(name, q)| queue_node(name, q, names, files, horizon))
        .collect::<Checked<Vec<_>>>()?;
    if nodes.iter().all(|n| n.consumers.is_none()) {
        return Err(invalid(
            "queues",
            format!(
                "no queue has consumers, so nothing would be processed; give at least one \
                 a [queues.NAME.consumers] table ({})",
                names.known(false)
            ),
        ));
    }
    Ok(nodes)
}

fn queue_node(
    name: String,
    mut raw: RawQueue,
    names: &Names,
    files: &DataFiles,
    horizon: SimTime,
) -> Checked<QueueNode> {
    let at = format!("queues.{name}");
    let consumers = raw.consumers.take();
    let dead_letter = raw.dead_letter.take();
    let mut queue = queues::queue(raw, &at)?;
    if let Some(dlq) = dead_letter {
        queue.dead_letter = Some(dead_letter_of(&at, &name, &dlq, &queue, names)?);
    }
    let consumers = match consumers {
        None => None,
        Some(mut c) => {
            let fleet = format!("{at}.consumers");
            let emit = c.emit.take().unwrap_or_default();
            let mut config = queues::consumers(c, &fleet, names, files, horizon)?;
            config.emit = emits(&fleet, emit, names)?;
            Some(config)
        }
    };
    Ok(QueueNode {
        name,
        queue,
        consumers,
    })
}

/// `dead_letter = "<queue>"`: another queue of the file, for a queue that
/// dead-letters at all (`max_receive_count`).
fn dead_letter_of(
    at: &str,
    own: &str,
    dlq: &str,
    queue: &super::model::QueueConfig,
    names: &Names,
) -> Checked<NodeRef> {
    let key = format!("{at}.dead_letter");
    let target = names.queue(&key, dlq)?;
    if dlq == own {
        return Err(invalid(
            key,
            format!(
                "\"{own}\" cannot be its own dead-letter queue; name another queue ({})",
                names.known(false)
            ),
        ));
    }
    if queue.max_receive_count.is_none() {
        return Err(invalid(
            key,
            "a dead-letter queue receives messages after max_receive_count receives; \
             give max_receive_count (e.g. 5) or remove dead_letter",
        ));
    }
    Ok(target)
}

/// `emit = [{ to = "<queue or topic>", p = 0.3 }]`; `p` defaults to 1.
fn emits(fleet: &str, raw: Vec<RawEmit>, names: &Names) -> Checked<Vec<Emit>> {
    raw.into_iter()
        .enumerate()
        .map(|(j, e)| {
            let key = |k: &str| format!("{fleet}.emit.{j}.{k}");
            let to = required(
                &key("to"),
                e.to.as_deref(),
                "emit = [{ to = \"shipping\" }]",
            )?;
            Ok(Emit {
                to: names.destination(&key("to"), to)?,
                p: number_in(&key("p"), e.p, 1.0, 0.0..=1.0)?,
            })
        })
        .collect()
}

/// The `[topics.NAME]` tables, in name order.
pub fn topics(raw: BTreeMap<String, RawTopic>, names: &Names) -> Checked<Vec<TopicNode>> {
    raw.into_iter()
        .map(|(name, t)| {
            let key = format!("topics.{name}.subscribers");
            let example = "subscribers = [\"shipping\", { queue = \"email\", filter = 0.3 }]";
            let list = required(&key, t.subscribers.as_ref(), example)?;
            let subscribers = subscribers(&key, &name, list, names)?;
            Ok(TopicNode { name, subscribers })
        })
        .collect()
}

fn subscribers(
    key: &str,
    topic: &str,
    list: &toml::Value,
    names: &Names,
) -> Checked<Vec<Subscriber>> {
    let entries = list.as_array().filter(|a| !a.is_empty()).ok_or_else(|| {
        invalid(
            key,
            format!(
                "a topic needs a non-empty list of subscriber queues, e.g. \
                 subscribers = [\"shipping\"]; {}",
                names.known(false)
            ),
        )
    })?;
    let mut out: Vec<Subscriber> = Vec::with_capacity(entries.len());
    for (j, entry) in entries.iter().enumerate() {
        let sub = subscriber(&format!("{key}.{j}"), entry, names)?;
        if out.iter().any(|s| s.queue == sub.queue) {
            return Err(invalid(
                format!("{key}.{j}"),
                format!(
                    "\"{}\" is subscribed to topic \"{topic}\" twice; a queue subscribes once \
                     (its filter gives the share of messages it gets)",
                    sub.queue.name
                ),
            ));
        }
        out.push(sub);
    }
    Ok(out)
}

/// `"queue"` or `{ queue = "queue", filter = 0.3 }`.
fn subscriber(key: &str, entry: &toml::Value, names: &Names) -> Checked<Subscriber> {
    let shape = "must be a queue name or { queue = \"email\", filter = 0.3 }";
    let (name, filter) = match entry {
        toml::Value::String(name) => (name.as_str(), None),
        toml::Value::Table(t) => {
            if let Some(other) = t.keys().find(|k| *k != "queue" && *k != "filter") {
                return Err(invalid(
                    format!("{key}.{other}"),
                    format!("unknown key `{other}`; allowed: queue, filter"),
                ));
            }
            let name = t.get("queue").and_then(toml::Value::as_str);
            let name = required(&format!("{key}.queue"), name, "queue = \"email\"")?;
            let filter = match t.get("filter") {
                None => None,
                Some(toml::Value::Float(f)) => Some(*f),
                Some(toml::Value::Integer(n)) => Some(*n as f64),
                Some(_) => Some(f64::NAN),
            };
            (name, filter)
        }
        _ => return Err(invalid(key, shape)),
    };
    let queue_key = match entry {
        toml::Value::Table(_) => format!("{key}.queue"),
        _ => key.to_owned(),
    };
    Ok(Subscriber {
        queue: names.queue(&queue_key, name)?,
        filter: number_in(&format!("{key}.filter"), filter, 1.0, 0.0..=1.0)?,
    })
}
