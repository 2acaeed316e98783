//! The scenario model written back in the scenario-file format: what
//! `mqsim check` prints as the resolved scenario, and what the SHA-256 in
//! `summary.json` hashes (as JSON).
//!
//! Contract: loading the printed TOML gives the same scenario, bit for bit
//! (so the same SHA-256). Hence every value is written exactly:
//! distributions in seconds (plain numbers, which the loader takes
//! exactly), a lognormal as `median` + `sigma` and a gamma as `mean` + `cv`
//! when those give back the same parameters bit for bit, otherwise with
//! their own parameters (`mu` + `sigma`, `shape` + `scale`), keys the loader derives are left out (a
//! scheduled or traced producer's `rate`), and keys a setting forbids are
//! left out (a FIFO queue's `stale_delete`). Data files (traces, empirical
//! samples) are named as written, relative to the scenario file's
//! directory: the printed scenario loads where the original lies.

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeStruct, Serializer};

use super::downstream::ResourceNode;
use super::model::{
    Arrivals, Emit, Layout, NodeRef, ProducerConfig, QueueConfig, QueueKind, QueueNode, Scenario,
    SloTarget, Subscriber, SweepAxis, TopicNode,
};
use crate::dist::Dist;

/// A distribution as `{ dist = "<kind>", <parameters> }`, durations in seconds.
pub fn dist<S: Serializer>(d: &Dist, s: S) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(None)?;
    let (kind, params): (&str, Vec<(&str, f64)>) = match *d {
        Dist::Const { value } => ("const", vec![("value", value)]),
        Dist::Exp { mean } => ("exp", vec![("mean", mean)]),
        Dist::Uniform { min, max } => ("uniform", vec![("min", min), ("max", max)]),
        Dist::Normal { mean, sd } => ("normal", vec![("mean", mean), ("sd", sd)]),
        Dist::Lognormal { mu, sigma } => {
            let median = mu.exp();
            match Dist::lognormal_median_sigma(median, sigma) {
                Ok(back) if back == *d => ("lognormal", vec![("median", median), ("sigma", sigma)]),
                _ => ("lognormal", vec![("mu", mu), ("sigma", sigma)]),
            }
        }
        Dist::Gamma { shape, scale } => {
            let (mean, cv) = (shape * scale, shape.sqrt().recip());
            match Dist::gamma_mean_cv(mean, cv) {
                Ok(back) if back == *d => ("gamma", vec![("mean", mean), ("cv", cv)]),
                _ => ("gamma", vec![("shape", shape), ("scale", scale)]),
            }
        }
        Dist::Weibull { scale, shape } => ("weibull", vec![("scale", scale), ("shape", shape)]),
        Dist::Pareto { scale, shape } => ("pareto", vec![("scale", scale), ("shape", shape)]),
        Dist::Empirical { ref file, .. } => {
            m.serialize_entry("dist", "empirical")?;
            m.serialize_entry("file", file)?;
            return m.end();
        }
    };
    m.serialize_entry("dist", kind)?;
    for (name, value) in params {
        m.serialize_entry(name, &value)?;
    }
    m.end()
}

/// `[sweep]`: each dotted key with its values as TOML values.
pub fn sweep<S: Serializer>(axes: &[SweepAxis], s: S) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(axes.len()))?;
    for axis in axes {
        let values: Vec<toml::Value> = axis.values.iter().map(|v| literal(v)).collect();
        m.serialize_entry(&axis.key, &values)?;
    }
    m.end()
}

/// A TOML literal as the loader kept it (`8`, `"30s"`); a string if it is
/// not one (it always is: the loader wrote it from a parsed value).
fn literal(text: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("v = {text}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(text.to_owned()))
}

/// `[slo]`: metric = bound (seconds for times).
pub fn slo<S: Serializer>(targets: &[SloTarget], s: S) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(targets.len()))?;
    for t in targets {
        m.serialize_entry(&t.metric, &t.max)?;
    }
    m.end()
}

/// `"poisson"`, `"constant"` or `{ trace = "file.csv" }`.
impl Serialize for Arrivals {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Arrivals::Poisson => s.serialize_str("poisson"),
            Arrivals::Constant => s.serialize_str("constant"),
            Arrivals::Trace { file, .. } => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("trace", file)?;
                m.end()
            }
        }
    }
}

/// A producer (with `to` in a network); `rate` only where the file gives
/// it (not for a schedule or a trace, which determine it).
impl Serialize for ProducerConfig {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        WrittenProducer { p: self, to: true }.serialize(s)
    }
}

struct WrittenProducer<'a> {
    p: &'a ProducerConfig,
    /// Whether to write `to` (not in the single form, which has one queue).
    to: bool,
}

impl Serialize for WrittenProducer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.p;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("name", &p.name)?;
        if self.to {
            m.serialize_entry("to", &p.to)?;
        }
        let traced = matches!(p.arrivals, Arrivals::Trace { .. });
        if p.schedule.is_empty() && !traced {
            m.serialize_entry("rate", &p.rate)?;
        }
        match &p.schedule_file {
            Some(file) => m.serialize_entry("schedule", file)?,
            None if !p.schedule.is_empty() => m.serialize_entry("schedule", &p.schedule)?,
            None => {}
        }
        if let Some(burst) = &p.burst {
            m.serialize_entry("burst", burst)?;
        }
        m.serialize_entry("arrivals", &p.arrivals)?;
        m.serialize_entry("send_batch", &p.send_batch)?;
        m.serialize_entry("groups", &p.groups)?;
        if p.group_skew != 0.0 {
            m.serialize_entry("group_skew", &p.group_skew)?;
        }
        if p.lost_acks != 0.0 {
            m.serialize_entry("lost_acks", &p.lost_acks)?;
        }
        m.serialize_entry("retry", &p.retry)?;
        m.serialize_entry("buffer", &p.buffer)?;
        m.end()
    }
}

/// `[queue]`; `stale_delete` only for standard queues (FIFO queues refuse it).
impl Serialize for QueueConfig {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        queue_entries(self, &mut m)?;
        m.end()
    }
}

/// The keys of a queue's table, in the order of the file format.
fn queue_entries<M: SerializeMap>(q: &QueueConfig, m: &mut M) -> Result<(), M::Error> {
    m.serialize_entry("type", &q.kind)?;
    m.serialize_entry("visibility_timeout", &q.visibility_timeout)?;
    m.serialize_entry("retention", &q.retention)?;
    m.serialize_entry("delay", &q.delay)?;
    if let Some(n) = q.max_receive_count {
        m.serialize_entry("max_receive_count", &n)?;
    }
    m.serialize_entry("max_in_flight", &q.max_in_flight)?;
    m.serialize_entry("duplicate_delivery", &q.duplicate_delivery)?;
    if q.kind == QueueKind::Standard {
        m.serialize_entry("stale_delete", &q.stale_delete)?;
    }
    m.serialize_entry("on_consumer_loss", &q.on_consumer_loss)?;
    if let Some(p) = &q.preset {
        m.serialize_entry("preset", p)?;
    }
    if let Some(l) = q.throughput_limit {
        m.serialize_entry("throughput_limit", &l)?;
    }
    if let Some(d) = &q.dead_letter {
        m.serialize_entry("dead_letter", d)?;
    }
    if q.initial_backlog > 0 {
        m.serialize_entry("initial_backlog", &q.initial_backlog)?;
    }
    Ok(())
}

/// The scenario in the form of its file: `[queue]` and `[consumers]` for
/// the single form (so the SHA-256 of a single-queue scenario is what it
/// always was), `[queues.NAME]` and `[topics.NAME]` for a network.
impl Serialize for Scenario {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Scenario", 17)?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("description", &self.description)?;
        st.serialize_field("duration", &self.duration)?;
        st.serialize_field("drain", &self.drain)?;
        st.serialize_field("warmup", &self.warmup)?;
        st.serialize_field("seed", &self.seed)?;
        st.serialize_field("replications", &self.replications)?;
        st.serialize_field("sample_interval", &self.sample_interval)?;
        match self.layout {
            Layout::Single => {
                st.serialize_field("queue", &self.queues[0].queue)?;
                st.serialize_field("producers", &Single(&self.producers))?;
                st.serialize_field("consumers", &self.queues[0].consumers)?;
            }
            Layout::Network => {
                st.serialize_field("queues", &Queues(&self.queues))?;
                if self.topics.is_empty() {
                    st.skip_field("topics")?;
                } else {
                    st.serialize_field("topics", &Topics(&self.topics))?;
                }
                st.serialize_field("producers", &self.producers)?;
            }
        }
        if self.resources.is_empty() {
            st.skip_field("resources")?;
        } else {
            st.serialize_field("resources", &Resources(&self.resources))?;
        }
        if self.faults.is_empty() {
            st.skip_field("faults")?;
        } else {
            st.serialize_field("faults", &self.faults)?;
        }
        if self.sweep.is_empty() {
            st.skip_field("sweep")?;
        } else {
            st.serialize_field("sweep", &Axes(&self.sweep))?;
        }
        if self.slo.is_empty() {
            st.skip_field("slo")?;
        } else {
            st.serialize_field("slo", &Targets(&self.slo))?;
        }
        st.serialize_field("cost", &self.cost)?;
        match &self.observed {
            Some(observed) => st.serialize_field("observed", observed)?,
            None => st.skip_field("observed")?,
        }
        st.end()
    }
}

struct Axes<'a>(&'a [SweepAxis]);

impl Serialize for Axes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        sweep(self.0, s)
    }
}

struct Targets<'a>(&'a [SloTarget]);

impl Serialize for Targets<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        slo(self.0, s)
    }
}

/// The producers of the single form, written without `to` (there is one queue).
struct Single<'a>(&'a [ProducerConfig]);

impl Serialize for Single<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|p| WrittenProducer { p, to: false }))
    }
}

/// `[queues.NAME]` tables: each queue's keys, then its `consumers` table.
struct Queues<'a>(&'a [QueueNode]);

impl Serialize for Queues<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for q in self.0 {
            m.serialize_entry(&q.name, &WrittenNode(q))?;
        }
        m.end()
    }
}

struct WrittenNode<'a>(&'a QueueNode);

impl Serialize for WrittenNode<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        queue_entries(&self.0.queue, &mut m)?;
        if let Some(c) = &self.0.consumers {
            m.serialize_entry("consumers", c)?;
        }
        m.end()
    }
}

/// `[resources.NAME]` tables.
struct Resources<'a>(&'a [ResourceNode]);

impl Serialize for Resources<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for r in self.0 {
            m.serialize_entry(&r.name, r)?;
        }
        m.end()
    }
}

struct Topics<'a>(&'a [TopicNode]);

impl Serialize for Topics<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for t in self.0 {
            let mut table = std::collections::BTreeMap::new();
            table.insert("subscribers", &t.subscribers);
            m.serialize_entry(&t.name, &table)?;
        }
        m.end()
    }
}

/// A node by its name.
impl Serialize for NodeRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name)
    }
}

/// `{ to = "name" }`, with `p` when it is not 1.
impl Serialize for Emit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("to", &self.to)?;
        if self.p != 1.0 {
            m.serialize_entry("p", &self.p)?;
        }
        m.end()
    }
}

/// `"queue"`, or `{ queue = "name", filter = share }` with a filter.
impl Serialize for Subscriber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.filter == 1.0 {
            return self.queue.serialize(s);
        }
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("queue", &self.queue)?;
        m.serialize_entry("filter", &self.filter)?;
        m.end()
    }
}
