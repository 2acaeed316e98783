//! The terminal summary: one row per metric (mean, 95% interval, min, max,
//! SLO verdict where the metric has a target),
//! then the SLO verdicts, one line per fault and the conservation check. Numbers are rounded for
//! reading; the files keep full precision.

use std::io::{self, Write};

use super::summary::{RunSummary, SloVerdict};
use super::units::with_unit;
use crate::stats::Stat;

/// Metrics of features a scenario may not use (FIFO groups, throttling):
/// left out of the terminal table when they are 0 in every replication, to
/// keep it readable. The files always have them.
const HIDDEN_WHEN_ZERO: &[&str] = &[
    "group_blocked_time_max",
    "group_blocked_time_mean",
    "out_of_order",
    "delete_errors",
    "requests_throttled",
    "deduplicated",
    "repeated",
];

/// Whether a summary leaves `name` out: a metric of a feature the scenario
/// does not use, 0 in every replication ([`HIDDEN_WHEN_ZERO`]).
pub fn hidden(name: &str, s: &Stat) -> bool {
    HIDDEN_WHEN_ZERO.contains(&name) && s.min == 0.0 && s.max == 0.0
}

/// Writes the summary table.
pub fn write_table(summary: &RunSummary, out: &mut impl Write) -> io::Result<()> {
    if let Some(partial) = &summary.manifest.partial {
        writeln!(out, "PARTIAL RESULTS: {partial}\n")?;
    }
    writeln!(
        out,
        "{:<28} {:>12}  {:<27} {:>12} {:>12}  SLO",
        "metric", "mean", "95% interval", "min", "max"
    )?;
    for (name, s) in &summary.metrics {
        if hidden(name, s) {
            continue;
        }
        let interval = match (s.ci95_low, s.ci95_high) {
            (Some(lo), Some(hi)) => format!("[{}, {}]", short(lo), short(hi)),
            _ => "-".to_owned(),
        };
        let slo = summary
            .slo
            .iter()
            .find(|v| v.metric == *name)
            .map_or(String::new(), |v| {
                format!(
                    "{} (<= {})",
                    if v.pass { "PASS" } else { "FAIL" },
                    with_unit(&v.metric, v.max)
                )
            });
        let line = format!(
            "{:<28} {:>12}  {:<27} {:>12} {:>12}  {slo}",
            name,
            short(s.mean),
            interval,
            short(s.min),
            short(s.max)
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    if !summary.slo.is_empty() {
        writeln!(
            out,
            "\nSLO (passes when the upper end of the 95% interval is within the bound)"
        )?;
        for v in &summary.slo {
            writeln!(
                out,
                "  {:<26} <= {:<14} upper {:<14} {}",
                v.metric,
                with_unit(&v.metric, v.max),
                with_unit(&v.metric, v.ci95_high.unwrap_or(v.mean)),
                verdict_words(v, summary.manifest.replications)
            )?;
        }
    }
    write_faults(summary, out)?;
    let c = &summary.conservation;
    let verdict = if c.holds { "ok" } else { "VIOLATED" };
    writeln!(
        out,
        "\nconservation: {verdict} (produced {} = accounted {})",
        c.produced, c.accounted
    )
}

/// PASS, FAIL, or why the target could not be judged.
pub fn verdict_words(v: &SloVerdict, replications: u32) -> String {
    match (v.pass, v.unmeasured) {
        (true, _) => "PASS".into(),
        (false, 0) => "FAIL".into(),
        (false, n) => format!(
            "FAIL: not measured in {n} of {replications} replications (too many messages \
             unfinished at the end; see docs/metrics.md)"
        ),
    }
}

/// One line per fault: its peak, backlog at its end and drain time (means).
fn write_faults(summary: &RunSummary, out: &mut impl Write) -> io::Result<()> {
    if summary.faults.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\nfaults (means over replications; drain time as defined in docs/metrics.md)"
    )?;
    for f in &summary.faults {
        let fault = &f.fault;
        let what = format!(
            "{} at {} for {}",
            fault.kind.name(),
            fault.at,
            fault.duration
        );
        writeln!(
            out,
            "  {what:<40} peak {:<9} at end {:<9} drain {} s, drained in {:.0}% of runs",
            short(f.backlog_peak.mean),
            short(f.backlog_at_end.mean),
            with_interval(&f.drain_time),
            f.drained * 100.0
        )?;
    }
    Ok(())
}

fn with_interval(s: &Stat) -> String {
    match (s.ci95_low, s.ci95_high) {
        (Some(lo), Some(hi)) => format!("{} [{}, {}]", short(s.mean), short(lo), short(hi)),
        _ => short(s.mean),
    }
}

/// About five significant digits; whole numbers without decimals.
pub fn short(v: f64) -> String {
    if !v.is_finite() {
        return if v.is_nan() {
            "-".into()
        } else {
            format!("{v}")
        };
    }
    if v.fract() == 0.0 && v.abs() < 1e12 {
        return format!("{}", v as i64);
    }
    let magnitude = if v == 0.0 {
        0
    } else {
        v.abs().log10().floor() as i32
    };
    let decimals = (4 - magnitude).clamp(0, 9) as usize;
    format!("{v:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_keeps_five_significant_digits() {
        assert_eq!(short(1234.0), "1234");
        assert_eq!(short(0.123456), "0.12346");
        assert_eq!(short(12.345678), "12.346");
        assert_eq!(short(123456.7), "123457");
        assert_eq!(short(f64::NAN), "-");
    }
}
