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

use super::model::{Arrivals, ProducerConfig, QueueConfig, QueueKind, SloTarget, SweepAxis};
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

/// A producer; `rate` only where the file gives it (not for a schedule or
/// a trace, which determine it).
impl Serialize for ProducerConfig {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("ProducerConfig", 10)?;
        st.serialize_field("name", &self.name)?;
        let traced = matches!(self.arrivals, Arrivals::Trace { .. });
        if self.schedule.is_empty() && !traced {
            st.serialize_field("rate", &self.rate)?;
        } else {
            st.skip_field("rate")?;
        }
        if self.schedule.is_empty() {
            st.skip_field("schedule")?;
        } else {
            st.serialize_field("schedule", &self.schedule)?;
        }
        st.serialize_field("arrivals", &self.arrivals)?;
        st.serialize_field("send_batch", &self.send_batch)?;
        st.serialize_field("groups", &self.groups)?;
        if self.group_skew == 0.0 {
            st.skip_field("group_skew")?;
        } else {
            st.serialize_field("group_skew", &self.group_skew)?;
        }
        if self.lost_acks == 0.0 {
            st.skip_field("lost_acks")?;
        } else {
            st.serialize_field("lost_acks", &self.lost_acks)?;
        }
        st.serialize_field("retry", &self.retry)?;
        st.serialize_field("buffer", &self.buffer)?;
        st.end()
    }
}

/// `[queue]`; `stale_delete` only for standard queues (FIFO queues refuse it).
impl Serialize for QueueConfig {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("QueueConfig", 11)?;
        st.serialize_field("type", &self.kind)?;
        st.serialize_field("visibility_timeout", &self.visibility_timeout)?;
        st.serialize_field("retention", &self.retention)?;
        st.serialize_field("delay", &self.delay)?;
        match self.max_receive_count {
            Some(n) => st.serialize_field("max_receive_count", &n)?,
            None => st.skip_field("max_receive_count")?,
        }
        st.serialize_field("max_in_flight", &self.max_in_flight)?;
        st.serialize_field("duplicate_delivery", &self.duplicate_delivery)?;
        if self.kind == QueueKind::Standard {
            st.serialize_field("stale_delete", &self.stale_delete)?;
        } else {
            st.skip_field("stale_delete")?;
        }
        st.serialize_field("on_consumer_loss", &self.on_consumer_loss)?;
        match &self.preset {
            Some(p) => st.serialize_field("preset", p)?,
            None => st.skip_field("preset")?,
        }
        match self.throughput_limit {
            Some(l) => st.serialize_field("throughput_limit", &l)?,
            None => st.skip_field("throughput_limit")?,
        }
        st.end()
    }
}
