//! `mqsim validate`: the engine against queueing theory.
//!
//! A built-in suite of models with known answers ([`suite`]): M/M/1 and M/M/c
//! up to ρ = 0.95 (Erlang C mean wait and sojourn, P(wait > 0), exact FIFO
//! sojourn quantiles), M/D/1 and M/G/1 with a high-variance service
//! (Pollaczek–Khinchine), Little's law on a scenario with faults, and the
//! conservation identity; and networks ([`network`]): a feed-forward network
//! of M/M/c stations (each station's Wq and W, end-to-end means along each
//! path) and a topic's fan-out (every copy; a filter's binomial share).
//! Each model is an ordinary scenario, run through
//! the ordinary engine; this module only builds the scenarios, turns the
//! replications into estimates and judges them ([`judge`]).
//!
//! The verdict rule (`docs/validation.md`): a statistical check passes when
//! theory lies within the 99.99% Student-t interval of the mean over
//! replications (α = 10⁻⁴ per check, so a correct engine fails the whole
//! suite of ~50 checks with probability ≈ 0.5%) *and* that interval's
//! half-width is at most [`Mode::resolution`] of the theory value (1.5% in
//! the full suite), so that a 3% bias cannot hide inside it: a biased engine
//! passes with probability below α/2. Runs are sized to meet that
//! resolution with room to spare.

mod judge;
pub mod network;
pub mod resources;
mod suite;
pub mod theory;

pub use judge::{ALPHA, Check, Verdict};
pub use suite::{Expectation, Model, Quantity, suite};

use crate::engine::result::ReplicationResult;
use crate::scenario::Scenario;

/// How big the suite is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The full suite: resolves a 3% bias.
    Full,
    /// CI-sized: the same models with 10× fewer messages; resolves a 10%
    /// bias.
    Quick,
}

impl Mode {
    /// The largest allowed half-width of a check's interval, relative to the
    /// theory value.
    pub fn resolution(self) -> f64 {
        match self {
            Mode::Full => 0.015,
            Mode::Quick => 0.05,
        }
    }
}

/// Runs every model with `run` (which returns a scenario's replications in
/// order) and judges every expectation; `progress` hears of each model as
/// it finishes.
pub fn validate(
    models: &[Model],
    mode: Mode,
    run: &dyn Fn(&Scenario) -> Vec<ReplicationResult>,
    progress: &mut dyn FnMut(&Model, &[ReplicationResult]),
) -> Vec<Check> {
    let mut checks = Vec::new();
    for model in models {
        let results = run(&model.scenario);
        progress(model, &results);
        checks.extend(judge::judge_model(model, &results, mode));
    }
    checks
}
