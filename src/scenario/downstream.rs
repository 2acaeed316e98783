//! The typed model of what lies downstream of a fleet: shared resources
//! (`[resources.NAME]`) and what a fleet does about them (`uses`, an
//! `on_error` backoff, a `breaker`, `idempotency`). Validated like the rest
//! of [`super::model`]; the engine relies on the ranges stated here.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::dist::Dist;
use crate::time::SimTime;

/// The longest visibility a ChangeMessageVisibility may set (SQS: 12 h
/// from the receive), so the longest backoff.
pub const MAX_BACKOFF: SimTime = SimTime::from_secs(12 * 3600);

/// `[resources.NAME]`: something fleets hold while they process (a
/// database's connections, an API's concurrency), shared by every fleet
/// that names it in `uses`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ResourceNode {
    /// Its name (a key of `[resources]`).
    #[serde(skip)]
    pub name: String,
    /// Most concurrent holders (>= 1).
    pub capacity: u32,
    /// A consumer that waited this long for the resource gives up: its
    /// processing fails. `None`: it waits as long as it takes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acquire_timeout: Option<SimTime>,
    /// How concurrent holders slow each other down.
    #[serde(skip_serializing_if = "Contention::is_none")]
    pub contention: Contention,
}

/// How a hold's time grows with the number of concurrent holders.
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "model", rename_all = "lowercase")]
pub enum Contention {
    /// Holds take their drawn time whatever the load.
    None,
    /// The Universal Scalability Law: a hold's time is multiplied by
    /// `1 + sigma (n - 1) + kappa n (n - 1)` for `n` concurrent holders.
    Usl {
        /// Contention (serialisation), 0 ..= 1.
        sigma: f64,
        /// Coherency (crosstalk), 0 ..= 1.
        kappa: f64,
    },
}

impl Contention {
    /// Whether there is no contention (the default, not written).
    pub fn is_none(&self) -> bool {
        *self == Contention::None
    }

    /// The multiplier of a hold's time with `n` holders (the new one included).
    #[inline]
    pub fn factor(&self, n: u32) -> f64 {
        match *self {
            Contention::None => 1.0,
            Contention::Usl { sigma, kappa } => {
                let n = f64::from(n.max(1));
                1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0)
            }
        }
    }

    /// The number of holders at which throughput `n / factor(n)` peaks
    /// (`sqrt((1 - sigma) / kappa)`); `None` when it never does.
    pub fn peak_holders(&self) -> Option<f64> {
        match *self {
            Contention::Usl { sigma, kappa } if kappa > 0.0 => Some(((1.0 - sigma) / kappa).sqrt()),
            _ => None,
        }
    }
}

/// A resource by name and index into [`super::Scenario::resources`];
/// written as its name.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceRef {
    /// The name written in the file.
    pub name: String,
    /// Which resource.
    pub index: usize,
}

impl Serialize for ResourceRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name)
    }
}

/// One `uses` entry: after its own processing, a consumer acquires
/// `resource` (waiting first come first served while it is full) and holds
/// it for a `hold` draw (times the contention factor).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Use {
    /// The resource.
    pub resource: ResourceRef,
    /// Time held, before contention.
    #[serde(serialize_with = "super::written::dist")]
    pub hold: Dist,
}

/// `on_error = { backoff = "exponential", ... }`: a failed message's
/// visibility is set to `min(max, base * factor^(receive_count - 1))`
/// (a ChangeMessageVisibility call), with full jitter a uniform draw in
/// `[0, that]`.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Backoff {
    /// The first retry's delay (> 0).
    pub base: SimTime,
    /// Growth per receive (>= 1).
    pub factor: f64,
    /// The longest delay (<= 12 h).
    pub max: SimTime,
    /// Full jitter: the delay is a uniform draw below the formula's value.
    pub jitter: bool,
}

impl Backoff {
    /// The delay before jitter, in ticks, for a message received
    /// `receive_count` times (from 1).
    pub fn delay_ticks(&self, receive_count: u32) -> u64 {
        let exponent = f64::from(receive_count.max(1) - 1);
        let raw = self.base.ticks() as f64 * self.factor.powf(exponent);
        if raw.is_finite() && raw < self.max.ticks() as f64 {
            crate::time::round_ticks(raw)
        } else {
            self.max.ticks()
        }
    }
}

impl Serialize for Backoff {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(5))?;
        m.serialize_entry("backoff", "exponential")?;
        m.serialize_entry("base", &self.base)?;
        m.serialize_entry("factor", &self.factor)?;
        m.serialize_entry("max", &self.max)?;
        m.serialize_entry("jitter", &self.jitter)?;
        m.end()
    }
}

/// `breaker = { ... }`: the fleet stops receiving while its recent
/// processings fail too often.
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct Breaker {
    /// It opens when the share of failed processings in `window` exceeds this (0 .. 1).
    pub error_rate: f64,
    /// The sliding window the error rate is measured over.
    pub window: SimTime,
    /// Fewest processings in the window for it to open (>= 1).
    pub min_calls: u32,
    /// How long it stays open before one consumer probes (half-open).
    pub open_for: SimTime,
}

/// `idempotency = { ... }`: a consumer looks its message up in a table of
/// completed ids before processing it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Idempotency {
    /// How long a completed id is remembered.
    pub ttl: SimTime,
    /// Time of the lookup (and of recording a completion).
    #[serde(serialize_with = "super::written::dist")]
    pub lookup: Dist,
    /// The resource that holds the table, if it is shared (its lookups
    /// and records hold it like a `uses` entry).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store: Option<ResourceRef>,
}

/// `mode` of a `resource-outage`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutageMode {
    /// Acquires fail at once (connection refused).
    Fail,
    /// Acquires wait (connections hang) until the outage ends or the
    /// resource's `acquire_timeout` runs out.
    Hang,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usl_factor_and_peak() {
        let usl = Contention::Usl {
            sigma: 0.04,
            kappa: 0.0008,
        };
        assert_eq!(usl.factor(1), 1.0);
        assert!((usl.factor(10) - (1.0 + 0.36 + 0.072)).abs() < 1e-12);
        let peak = usl.peak_holders().unwrap();
        assert!((peak - (0.96f64 / 0.0008).sqrt()).abs() < 1e-12);
        assert_eq!(Contention::None.factor(50), 1.0);
        assert_eq!(Contention::None.peak_holders(), None);
    }

    #[test]
    fn backoff_follows_the_formula_up_to_its_max() {
        let b = Backoff {
            base: SimTime::from_secs(2),
            factor: 2.0,
            max: SimTime::from_secs(900),
            jitter: false,
        };
        let secs: Vec<u64> = (1..=11).map(|rc| b.delay_ticks(rc) / 1_000_000).collect();
        assert_eq!(secs, [2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]);
        assert_eq!(b.delay_ticks(u32::MAX), 900_000_000);
    }
}
