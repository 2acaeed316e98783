//! `mqsim fit`: processing-time samples fitted to the distribution families
//! a scenario can name, so that `processing = { … }` comes from production
//! logs rather than a guess.
//!
//! Contract: [`Sample`] reads and checks the file ([`sample`]); [`fit`]
//! fits exponential, gamma, lognormal and Weibull by maximum likelihood
//! ([`families`]), scores each by Anderson–Darling A² and KS D and checks
//! its tail ([`gof`]), ranks them, writes the best as a scenario line
//! ([`line`]) and says when none will do. The result, [`FitReport`], is
//! plain data: `fit.json` is its serialisation, the table and chart are
//! drawn from it. Everything is deterministic (no random numbers).
//!
//! Ranking: by A², smallest first, with one rule of parsimony. Gamma and
//! Weibull contain the exponential (shape 1), so on exponential data they
//! always fit a little better; such a family ranks above the exponential
//! only if a likelihood-ratio test rejects shape 1 at 5%
//! (2 (ℓ − ℓ_exp) > 3.841, χ² with one degree of freedom).
//!
//! Warnings: fewer than [`SMALL_SAMPLE`] values; a tail no family follows
//! (the sample's p99 or p99.9 outside every fit's range, [`gof::tail_check`]);
//! every family rejected by the Anderson–Darling test at 5%. The last two
//! recommend the sample itself (`dist = "empirical"`) instead of the best fit.

pub mod families;
pub mod gof;
pub mod line;
pub mod sample;
mod special;
pub mod table;

use std::path::PathBuf;

use serde::Serialize;

pub use families::{Family, Param};
pub use sample::{Place, Sample, Source};

use crate::dist::Dist;
use families::Data;
use gof::{AndersonDarling, TailCheck};

/// Below this many values, the fits are reported with a warning.
pub const SMALL_SAMPLE: usize = 50;

/// The χ² (1 degree of freedom) 95% quantile: the likelihood-ratio test of
/// shape 1 in the gamma and Weibull.
const CHI2_1_95: f64 = 3.841_458_820_694_124;

/// The name of the ranking statistic, as every output writes it.
pub const STATISTIC: &str = "Anderson-Darling A²";

/// Why a sample cannot be fitted: always the input's to fix (exit 2).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FitError {
    /// The file cannot be read or is not text.
    #[error("{}: cannot read the sample: {why}", file.display())]
    Unreadable {
        /// The file.
        file: PathBuf,
        /// The operating system's reason.
        why: String,
    },
    /// No values at all.
    #[error("{}: no samples; allowed: {}", file.display(), sample::SAMPLE_FORMS)]
    Empty {
        /// The file.
        file: PathBuf,
    },
    /// A value that is not a duration.
    #[error("{}: {place}: \"{text}\": {why}; allowed: {}", file.display(), sample::SAMPLE_FORMS)]
    NotADuration {
        /// The file.
        file: PathBuf,
        /// Where the value is.
        place: Place,
        /// The value as written.
        text: String,
        /// What is wrong with it.
        why: String,
    },
    /// A value that is 0 or negative.
    #[error(
        "{}: {}\"{text}\" is not > 0; processing times must be > 0: the lognormal, gamma and \
         Weibull families are defined for x > 0 only (their likelihood takes ln x); remove the \
         value or fix its unit",
        file.display(),
        place.as_ref().map_or(String::new(), |p| format!("{p}: "))
    )]
    NotPositive {
        /// The file.
        file: PathBuf,
        /// Where the value is, if read from a file.
        place: Option<Place>,
        /// The value as written.
        text: String,
    },
    /// `--column` names no column of the CSV header.
    #[error(
        "{}: no column `{column}` in the header; columns present: {}",
        file.display(),
        present.join(", ")
    )]
    NoColumn {
        /// The file.
        file: PathBuf,
        /// The column asked for.
        column: String,
        /// The header's columns.
        present: Vec<String>,
    },
    /// A CSV file that does not parse (rows of unequal length, bad quoting).
    #[error("{}: line {line}: {why}; allowed: a CSV file with a header line", file.display())]
    Csv {
        /// The file.
        file: PathBuf,
        /// The line (from 1; 0 if unknown).
        line: u64,
        /// The parser's reason.
        why: String,
    },
    /// Every value is the same: there is no spread to fit.
    #[error(
        "{}: all {n} samples are {}: nothing to fit; write the constant `processing = {}`",
        file.display(),
        line::duration(*value),
        line::duration_param(*value)
    )]
    NoSpread {
        /// The file.
        file: PathBuf,
        /// How many values.
        n: usize,
        /// The value.
        value: f64,
    },
}

/// What the sample itself looks like.
#[derive(Clone, Debug, Serialize)]
pub struct SampleSummary {
    /// The file and column read.
    pub source: Source,
    /// How many values.
    pub n: usize,
    /// Mean, seconds.
    pub mean: f64,
    /// Standard deviation (n − 1), seconds.
    pub sd: f64,
    /// Smallest, seconds.
    pub min: f64,
    /// Median by nearest rank, seconds.
    pub p50: f64,
    /// 99th percentile by nearest rank, seconds.
    pub p99: f64,
    /// 99.9th percentile by nearest rank, seconds.
    pub p999: f64,
    /// Largest, seconds.
    pub max: f64,
    /// How the percentiles are estimated.
    pub quantile_rule: &'static str,
}

/// One fitted family in the report.
#[derive(Clone, Debug, Serialize)]
pub struct FamilyFit {
    /// The family.
    pub family: Family,
    /// 1 for the best.
    pub rank: usize,
    /// Estimates with standard errors and 95% intervals.
    pub parameters: Vec<Param>,
    /// The fitted distribution as `mqsim check` prints it (lognormal: mu, sigma).
    pub distribution: Dist,
    /// The fit's mean, seconds.
    pub mean: f64,
    /// The fit's 99th percentile, seconds.
    pub p99: f64,
    /// The log-likelihood at the estimate.
    pub log_likelihood: f64,
    /// The ranking statistic and its test at 5%.
    pub anderson_darling: AndersonDarling,
    /// Kolmogorov–Smirnov D.
    pub ks_d: f64,
    /// The sample's p99 (p99.9) against the fit.
    pub tail: TailCheck,
    /// The scenario value, e.g. `{ dist = "exp", mean = "120ms" }`.
    pub line: String,
}

/// The sample itself as the scenario's distribution.
#[derive(Clone, Debug, Serialize)]
pub struct EmpiricalOption {
    /// The file the scenario should name.
    pub file: String,
    /// The scenario value.
    pub line: String,
    /// What to do for the line to work.
    pub note: String,
}

/// What kind of warning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// Fewer than [`SMALL_SAMPLE`] values.
    SmallSample,
    /// No family follows the sample's tail.
    Tail,
    /// Every family is rejected by the Anderson–Darling test at 5%.
    AndersonDarling,
}

/// A warning, with its message.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Warning {
    /// What kind.
    pub kind: WarningKind,
    /// What it means and what to do.
    pub message: String,
}

/// Everything `mqsim fit` found: the content of `fit.json`.
#[derive(Clone, Debug, Serialize)]
pub struct FitReport {
    /// The sample.
    pub sample: SampleSummary,
    /// The ranking statistic's name.
    pub statistic: &'static str,
    /// Every family, best first.
    pub fits: Vec<FamilyFit>,
    /// The families, best first.
    pub ranking: Vec<Family>,
    /// Why the ranking departs from A² order, if it does.
    pub ranking_notes: Vec<String>,
    /// The best fit's scenario value.
    pub best: String,
    /// The sample itself as a distribution.
    pub empirical: EmpiricalOption,
    /// What to write: the best fit, or the empirical line when no family
    /// follows the sample.
    pub recommended: String,
    /// Warnings, in the order above.
    pub warnings: Vec<Warning>,
}

/// Fits every family to `sample`; `empirical_file` is the file the
/// empirical line names (the sample's own file, or a copy in the
/// one-value-per-line format when the sample is a CSV column).
pub fn fit(sample: &Sample, empirical_file: &str) -> FitReport {
    let sorted = sample.values();
    let data = Data::new(sorted);
    let fitted: Vec<FamilyFit> = Family::ALL
        .iter()
        .map(|&family| family_fit(family, &data, sorted))
        .collect();
    let (fits, ranking_notes) = rank(fitted);
    let empirical = empirical_option(sample, empirical_file);
    let summary = summarize(sample);
    let warnings = warnings(&summary, &fits, &empirical.line);
    let best = fits[0].line.clone();
    let recommended = if warnings.iter().any(|w| w.kind != WarningKind::SmallSample) {
        empirical.line.clone()
    } else {
        best.clone()
    };
    FitReport {
        sample: summary,
        statistic: STATISTIC,
        ranking: fits.iter().map(|f| f.family).collect(),
        fits,
        ranking_notes,
        best,
        empirical,
        recommended,
        warnings,
    }
}

fn family_fit(family: Family, data: &Data, sorted: &[f64]) -> FamilyFit {
    let fit = families::fit(family, data);
    FamilyFit {
        family,
        rank: 0,
        mean: fit.dist.mean(),
        p99: families::quantile(&fit.dist, 0.99),
        log_likelihood: fit.log_likelihood,
        anderson_darling: gof::anderson_darling(family, &fit.dist, sorted),
        ks_d: gof::ks_d(&fit.dist, sorted),
        tail: gof::tail_check(&fit.dist, sorted),
        line: line::scenario_value(&fit.dist).unwrap_or_default(),
        parameters: fit.params,
        distribution: fit.dist,
    }
}

/// Sorts by A², then moves the exponential up to the place of the best
/// family containing it that does not improve on it significantly.
fn rank(mut fits: Vec<FamilyFit>) -> (Vec<FamilyFit>, Vec<String>) {
    fits.sort_by(|a, b| {
        a.anderson_darling
            .a2
            .total_cmp(&b.anderson_darling.a2)
            .then(a.family.cmp(&b.family))
    });
    let mut notes = Vec::new();
    if let Some(exp_at) = fits.iter().position(|f| f.family == Family::Exponential) {
        let exp_ll = fits[exp_at].log_likelihood;
        let no_better = |f: &FamilyFit| {
            matches!(f.family, Family::Gamma | Family::Weibull)
                && 2.0 * (f.log_likelihood - exp_ll) <= CHI2_1_95
        };
        if let Some(to) = fits[..exp_at].iter().position(no_better) {
            for f in fits[to..exp_at].iter().filter(|f| no_better(f)) {
                let shape = f.parameters.iter().find(|p| p.name == "shape");
                notes.push(format!(
                    "exponential ranked above {}: its shape {} does not differ from 1 \
                     (likelihood-ratio test at 5%: 2Δℓ = {} ≤ {})",
                    f.family.name(),
                    shape.map_or(String::new(), |p| line::sig(p.value, 4)),
                    line::sig(2.0 * (f.log_likelihood - exp_ll), 3),
                    line::sig(CHI2_1_95, 3)
                ));
            }
            let exp = fits.remove(exp_at);
            fits.insert(to, exp);
        }
    }
    for (i, f) in fits.iter_mut().enumerate() {
        f.rank = i + 1;
    }
    (fits, notes)
}

fn summarize(sample: &Sample) -> SampleSummary {
    let v = sample.values();
    SampleSummary {
        source: sample.source.clone(),
        n: v.len(),
        mean: sample.mean(),
        sd: sample.sd(),
        min: v[0],
        p50: sample.quantile(0.5),
        p99: sample.quantile(0.99),
        p999: sample.quantile(0.999),
        max: v[v.len() - 1],
        quantile_rule: "nearest rank: the value of rank ceil(q n)",
    }
}

fn empirical_option(sample: &Sample, file: &str) -> EmpiricalOption {
    let note = match &sample.source.column {
        None => format!(
            "the file is read relative to the scenario file: put {file} beside the scenario, or \
             write its path from the scenario's directory"
        ),
        Some(column) => format!(
            "a CSV column is not an empirical file: {file} holds column `{column}` one value per \
             line, the format `empirical` reads; put it beside the scenario, or write its path \
             from the scenario's directory"
        ),
    };
    EmpiricalOption {
        file: file.to_owned(),
        line: line::empirical_value(file),
        note,
    }
}

fn warnings(sample: &SampleSummary, fits: &[FamilyFit], empirical: &str) -> Vec<Warning> {
    let mut out = Vec::new();
    if sample.n < SMALL_SAMPLE {
        out.push(Warning {
            kind: WarningKind::SmallSample,
            message: format!(
                "only {} samples (fewer than {SMALL_SAMPLE}): the intervals are wide and the \
                 ranking is unreliable; a few hundred samples show the body of the \
                 distribution, a few thousand its p99",
                sample.n
            ),
        });
    }
    if let Some(message) = tail_warning(sample, fits, empirical) {
        out.push(Warning {
            kind: WarningKind::Tail,
            message,
        });
    }
    if fits.iter().all(|f| f.anderson_darling.rejected_5pct) {
        let best = &fits[0];
        out.push(Warning {
            kind: WarningKind::AndersonDarling,
            message: format!(
                "every family is rejected by the {STATISTIC} test at 5% (the best, {}, has {} \
                 against a critical value of {}): none describes the whole sample; the sample \
                 itself does: processing = {empirical}",
                best.family.name(),
                line::sig(best.anderson_darling.a2_modified, 3),
                best.anderson_darling.critical_5pct
            ),
        });
    }
    out
}

/// The tail warning, when no family follows the sample's p99 (p99.9).
fn tail_warning(sample: &SampleSummary, fits: &[FamilyFit], empirical: &str) -> Option<String> {
    if fits.iter().any(|f| f.tail.follows) {
        return None;
    }
    let missed = |f: &FamilyFit| {
        std::iter::once(&f.tail.p99)
            .chain(&f.tail.p999)
            .find(|c| !c.inside)
            .cloned()
    };
    let check = missed(&fits[0])?;
    let name = if check.q == 0.99 { "p99" } else { "p99.9" };
    let side = if check.sample > check.high {
        "longer"
    } else {
        "shorter"
    };
    Some(format!(
        "no family follows the tail: the sample's {name} is {}, outside the range every fit \
         gives it in 99% of samples of {} (the best fit, {}, gives {}–{}); the sample's tail \
         is {side} than the fits', so simulated latency percentiles would be off. Use the \
         sample itself: processing = {empirical}",
        line::duration(check.sample),
        sample.n,
        fits[0].family.name(),
        line::duration(check.low),
        line::duration(check.high)
    ))
}

#[cfg(test)]
mod tests;
