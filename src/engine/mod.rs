//! The simulation engine: pure, deterministic, single-threaded.
//!
//! [`run_replication`] takes a validated [`Scenario`] and a replication index
//! and returns a [`ReplicationResult`]. It knows nothing of files, TOML, the
//! terminal or threads; callers run replications in parallel and merge them
//! in replication order.
//!
//! Determinism contract: time is an integer number of microseconds
//! ([`crate::time`]); simultaneous events run in the order they were scheduled
//! ([`events`]); random draws come from one stream per purpose derived from
//! `(seed, replication, purpose)` ([`rng`]). The same inputs give the same
//! result on any machine.
//!
//! The replication is a network of components (`network`): queues
//! (`queue`), their fleets (`fleet`), producers (`producer`) and topics.
//! Queue semantics follow SPEC §3 and §5; see `docs/model.md`
//! for the exact rules and timing conventions.

pub mod events;
mod faults;
mod fleet;
mod hdr_counts;
pub mod latency_series;
mod network;
mod producer;
pub mod queue;
pub mod recorder;
mod resource;
pub mod result;
pub mod rng;
mod shared;

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use network::Network;
use result::ReplicationResult;
pub use rng::replication_seed;

use crate::scenario::Scenario;

/// Resource guards of a run; a replication that hits one stops early, with
/// its books closed at that moment (conservation still holds) and the reason
/// in [`ReplicationResult::stopped`].
#[derive(Clone, Debug)]
pub struct Limits {
    /// Most messages the queue may hold (visible, in flight, delayed).
    pub max_backlog: u64,
    /// A request from outside to stop (a wall-clock timeout, Ctrl-C),
    /// looked at every few thousand events.
    pub stop: Option<Arc<StopSignal>>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_backlog: u64::MAX,
            stop: None,
        }
    }
}

/// Why a caller asks running replications to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The wall-clock budget ran out.
    Timeout,
    /// The user interrupted the run.
    Interrupted,
}

/// A stop request shared between the caller and running replications. The
/// engine only reads it: the clock and the signal handler live with the
/// caller. The first reason given wins.
#[derive(Debug, Default)]
pub struct StopSignal(AtomicU8);

impl StopSignal {
    /// Asks every replication that looks at this signal to stop.
    pub fn request(&self, reason: StopReason) {
        let code = match reason {
            StopReason::Timeout => 1,
            StopReason::Interrupted => 2,
        };
        let _ = self
            .0
            .compare_exchange(0, code, Ordering::Relaxed, Ordering::Relaxed);
    }

    /// The reason given, if a stop was requested.
    pub fn reason(&self) -> Option<StopReason> {
        match self.0.load(Ordering::Relaxed) {
            1 => Some(StopReason::Timeout),
            2 => Some(StopReason::Interrupted),
            _ => None,
        }
    }
}

/// Runs replication `index` of `scenario` (seeded from `scenario.seed`).
pub fn run_replication(scenario: &Scenario, index: u32) -> ReplicationResult {
    run_replication_within(scenario, index, Limits::default())
}

/// [`run_replication`] under resource `limits`.
pub fn run_replication_within(
    scenario: &Scenario,
    index: u32,
    limits: Limits,
) -> ReplicationResult {
    let seed = replication_seed(scenario.seed, index);
    let mut sim = Network::new(scenario, seed);
    sim.max_backlog = limits.max_backlog;
    sim.stop = limits.stop;
    let end = sim.run_to_end();
    let result = sim.finish(index, seed, end);
    debug_assert!(
        result.conservation.holds(),
        "conservation violated: {:?}",
        result.conservation
    );
    debug_assert!(
        result.queues.iter().all(|q| q.conservation.holds()),
        "conservation violated in a queue"
    );
    result
}
