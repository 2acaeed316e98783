//! The terminal view of a [`FitReport`]: the sample, one row per family
//! (best first) with its parameters and 95% intervals, the fit's mean and
//! p99 beside the sample's, the statistics and the tail check, then the
//! scenario line to write and the warnings. Numbers are rounded for
//! reading; `fit.json` keeps full precision.

use std::io::{self, Write};

use super::gof::QuantileCheck;
use super::line::{duration, sig};
use super::{FamilyFit, FitReport, Param, STATISTIC};

/// Writes the report as a table.
pub fn write_table(report: &FitReport, out: &mut impl Write) -> io::Result<()> {
    let s = &report.sample;
    let source = match &s.source.column {
        Some(c) => format!("{}, column `{c}`", s.source.file.display()),
        None => s.source.file.display().to_string(),
    };
    writeln!(
        out,
        "sample: {source}: n = {}, mean {}, p50 {}, p99 {}, p99.9 {}, max {}\n",
        s.n,
        duration(s.mean),
        duration(s.p50),
        duration(s.p99),
        duration(s.p999),
        duration(s.max)
    )?;
    let params: Vec<String> = report.fits.iter().map(parameters).collect();
    let width = params.iter().map(|p| p.chars().count()).max().unwrap_or(0);
    writeln!(
        out,
        "{:<4} {:<12} {:<width$}  {:>9} {:>9}  {:>22}  {:>6}  tail: the sample's p99 (p99.9) in the fit's 99% range?",
        "rank", "family", "parameters (95% interval)", "mean", "p99", STATISTIC, "KS D"
    )?;
    for (f, p) in report.fits.iter().zip(&params) {
        let ad = &f.anderson_darling;
        let verdict = if ad.rejected_5pct { "rejected" } else { "ok" };
        writeln!(
            out,
            "{:<4} {:<12} {:<width$}  {:>9} {:>9}  {:>22}  {:>6}  {}",
            f.rank,
            f.family.name(),
            p,
            duration(f.mean),
            duration(f.p99),
            format!("{} ({verdict} at 5%)", sig(ad.a2, 3)),
            format!("{:.3}", f.ks_d),
            tail(f)
        )?;
    }
    writeln!(
        out,
        "{:<4} {:<12} {:<width$}  {:>9} {:>9}",
        "",
        "sample",
        format!("n = {}", s.n),
        duration(s.mean),
        duration(s.p99)
    )?;
    for note in &report.ranking_notes {
        writeln!(out, "note: {note}")?;
    }
    writeln!(out, "\nbest fit ({}):", report.fits[0].family.name())?;
    writeln!(out, "  processing = {}", report.best)?;
    writeln!(out, "empirical (the sample itself):")?;
    writeln!(out, "  processing = {}", report.empirical.line)?;
    writeln!(out, "  ({})", report.empirical.note)?;
    for w in &report.warnings {
        writeln!(out, "\nwarning: {}", w.message)?;
    }
    if report.recommended != report.best {
        writeln!(out, "\nrecommended: processing = {}", report.recommended)?;
    }
    Ok(())
}

/// `name value (low–high)` for each parameter.
fn parameters(f: &FamilyFit) -> String {
    let one = |p: &Param| {
        let v = |x: f64| match p.unit {
            Some(_) => duration(x),
            None => sig(x, 4),
        };
        format!(
            "{} {} ({}–{})",
            p.name,
            v(p.value),
            v(p.ci95_low),
            v(p.ci95_high)
        )
    };
    f.parameters.iter().map(one).collect::<Vec<_>>().join(", ")
}

/// `ok`, or which sample quantile falls outside the fit's range.
fn tail(f: &FamilyFit) -> String {
    let word = |c: &QuantileCheck| {
        let name = if c.q == 0.99 { "p99" } else { "p99.9" };
        format!("{name} out ({}–{})", duration(c.low), duration(c.high))
    };
    let misses: Vec<String> = std::iter::once(&f.tail.p99)
        .chain(&f.tail.p999)
        .filter(|c| !c.inside)
        .map(word)
        .collect();
    if misses.is_empty() {
        format!(
            "ok ({}–{})",
            duration(f.tail.p99.low),
            duration(f.tail.p99.high)
        )
    } else {
        misses.join("; ")
    }
}
