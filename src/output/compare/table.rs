//! The terminal table of a comparison: per headline metric one line per
//! alternative (mean and 95% interval, and after the first the paired
//! difference from it with its interval and the relative change), then
//! each alternative's SLO verdict and the findings in words. Numbers are
//! rounded for reading ([`short`]); `compare.csv` keeps full precision.

use std::io::{self, Write};

use super::{Comparison, words};
use crate::output::table::short;
use crate::stats::Stat;

/// Writes the table.
pub fn write_compare_table(c: &Comparison, out: &mut impl Write) -> io::Result<()> {
    if let Some(partial) = c.partial() {
        writeln!(out, "PARTIAL RESULTS: {partial}\n")?;
    }
    let vs = format!("diff vs {}", c.base().label);
    let width = c
        .labels()
        .iter()
        .map(|l| l.len())
        .max()
        .unwrap_or(0)
        .max(11);
    writeln!(
        out,
        "{:<22} {:<width$} {:>12}  {:<25} {:>12}  {:<25} {:>8}",
        "metric", "alternative", "mean", "95% interval", vs, "95% interval", "change"
    )?;
    for row in &c.rows {
        for (i, (alt, f)) in c.alternatives.iter().zip(&row.figures).enumerate() {
            let metric = if i == 0 { row.metric } else { "" };
            let mut line = format!(
                "{metric:<22} {:<width$} {:>12}  {:<25}",
                alt.label,
                short(f.stat.mean),
                interval(f.stat.ci95_low, f.stat.ci95_high)
            );
            if let Some(d) = &f.diff {
                line.push_str(&format!(
                    " {:>12}  {:<25} {:>8}",
                    short(d.mean),
                    interval(d.ci95_low, d.ci95_high),
                    d.pct.map_or("-".into(), |p| format!("{p:+.1}%"))
                ));
            }
            if !f.measured() {
                line.push_str(&format!(
                    " (not measured in {} of {})",
                    f.unmeasured,
                    c.replications()
                ));
            }
            writeln!(out, "{}", line.trim_end())?;
        }
    }
    let slo: Vec<String> = c
        .alternatives
        .iter()
        .filter_map(words::slo_sentence)
        .collect();
    if !slo.is_empty() {
        writeln!(
            out,
            "\nSLO (a target holds when the upper end of the 95% interval is within the bound)"
        )?;
        for s in slo {
            writeln!(out, "  {s}")?;
        }
    }
    writeln!(out)?;
    for i in 1..c.alternatives.len() {
        writeln!(out, "{}", words::lead_sentence(c, i))?;
    }
    Ok(())
}

fn interval(lo: Option<f64>, hi: Option<f64>) -> String {
    match (lo, hi) {
        (Some(lo), Some(hi)) => format!("[{}, {}]", short(lo), short(hi)),
        _ => "-".into(),
    }
}

/// The mean and interval of `s` as the table writes them.
pub fn stat_cell(s: &Stat) -> String {
    format!("{} {}", short(s.mean), interval(s.ci95_low, s.ci95_high))
}
