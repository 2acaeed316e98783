//! The outputs of `mqsim compare`: `compare.csv` ([`csv`]), `compare.json`
//! ([`json`]), each alternative's `summary.json` under `summaries/`, the
//! overlaid charts ([`crate::output::charts::compare_charts`]),
//! `report.html` ([`crate::output::report::compare`]) and the terminal
//! table ([`table`]); the sentences the report and the terminal share are
//! in [`words`].
//!
//! A [`Comparison`] holds what was run (every alternative's resolved
//! scenario and summary) and the headline rows
//! ([`crate::compare::metric_rows`]); the first alternative is the
//! reference every difference is taken from. Every file is a pure function
//! of it, so its bytes depend only on the scenarios and the seed.

pub mod csv;
pub mod json;
pub mod table;
pub mod words;

use std::path::Path;

use anyhow::Result;

use super::RunSummary;
use crate::compare::MetricRow;
use crate::compare::differences::Difference;
use crate::scenario::Scenario;

/// One alternative as run.
#[derive(Clone, Debug)]
pub struct Alternative {
    /// Its label.
    pub label: String,
    /// The scenario file it was read from, as given.
    pub file: String,
    /// Its `--alt` settings (empty for an alternative given as a file).
    pub overrides: Vec<String>,
    /// Resolved keys in which it differs from the first alternative.
    pub differences: Vec<Difference>,
    /// Settings of its file that compare replaced to pair it with the
    /// first (seed, replications), in words.
    pub replaced: Vec<String>,
    /// Its resolved scenario (with the first's seed and replications).
    pub scenario: Scenario,
    /// Its run's summary.
    pub summary: RunSummary,
}

/// A finished comparison.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// The alternatives, the reference first.
    pub alternatives: Vec<Alternative>,
    /// Every headline metric over the alternatives.
    pub rows: Vec<MetricRow>,
    /// `--set` overrides applied to every alternative.
    pub set: Vec<String>,
}

impl Comparison {
    /// The reference alternative.
    pub fn base(&self) -> &Alternative {
        &self.alternatives[0]
    }

    /// Master seed every alternative ran with.
    pub fn seed(&self) -> u64 {
        self.base().scenario.seed
    }

    /// Replications every alternative ran.
    pub fn replications(&self) -> u32 {
        self.base().summary.manifest.replications
    }

    /// Labels, in order.
    pub fn labels(&self) -> Vec<&str> {
        self.alternatives.iter().map(|a| a.label.as_str()).collect()
    }

    /// Why the results are partial (a replication of some alternative was
    /// stopped by a resource guard), if they are.
    pub fn partial(&self) -> Option<String> {
        self.alternatives.iter().find_map(|a| {
            let p = a.summary.manifest.partial.as_ref()?;
            Some(format!("{}: {p}", a.label))
        })
    }
}

/// Writes `compare.csv`, `compare.json` and `summaries/<label>.json` into
/// `dir` (created if needed), atomically.
pub fn write_files(dir: &Path, c: &Comparison) -> Result<()> {
    super::write_file(&dir.join("compare.csv"), &csv::compare_csv(c))?;
    super::write_file(&dir.join("compare.json"), json::compare_json(c).as_bytes())?;
    for a in &c.alternatives {
        let path = dir.join("summaries").join(format!("{}.json", a.label));
        super::write_file(&path, super::summary_json(&a.summary).as_bytes())?;
    }
    Ok(())
}
