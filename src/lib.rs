//! mqsim: a deterministic discrete-event simulator of message-queue systems.
//!
//! Lifecycle of a run: the scenario file is **loaded** into a raw TOML mirror
//! ([`scenario`]), **validated** into a typed [`scenario::Scenario`], each
//! replication is **run** by the pure [`engine`] from `(scenario, seed,
//! replication)`, the results are **aggregated** in replication order
//! ([`stats`]) and **exported** ([`output`]).
//!
//! Determinism contract: the same scenario, seed and mqsim version give
//! byte-identical result files whatever the thread count. The engine uses
//! integer time (µs), breaks ties between simultaneous events by insertion
//! order, and draws from one random stream per purpose derived from
//! `(seed, replication, purpose)`.
#![warn(missing_docs)]

pub mod capacity;
pub mod compare;
pub mod dist;
pub mod engine;
pub mod fit;
pub mod grid;
pub mod output;
pub mod scenario;
pub mod stats;
pub mod time;
pub mod traffic;
pub mod validation;
pub mod warmup;
