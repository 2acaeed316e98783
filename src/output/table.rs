//! The terminal summary: one row per metric (mean, 95% interval, min, max,
//! SLO verdict where the metric has a target),
//! then, for a network, one row per queue ([`queue_rows`]), then with
//! shared resources one row per resource and with breakers what each did
//! ([`super::resource_table`]), then the SLO verdicts, one line per fault
//! and the conservation check. Numbers are
//! rounded for reading; the files keep full precision.

use std::io::{self, Write};

use super::summary::{QueueSummary, RunSummary, SloVerdict};
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
    write_queues(summary, out)?;
    super::resource_table::write_resources(summary, out)?;
    super::resource_table::write_breakers(summary, out)?;
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

/// How a per-queue column reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reads {
    /// A count (mean over replications).
    Count,
    /// Seconds, shown in ms below one second.
    Time,
    /// A share, shown as a percentage.
    Share,
}

/// The per-queue columns after the queue's name, as (figure, heading, how
/// it reads): metrics of the queue's own, then the journeys that ended
/// there and their mean end-to-end latency. The report's per-queue table
/// has the same columns.
pub const QUEUE_COLUMNS: [(&str, &str, Reads); 10] = [
    ("produced", "produced", Reads::Count),
    ("deleted", "deleted", Reads::Count),
    ("duplicates", "duplicates", Reads::Count),
    ("dead_lettered", "dead_lettered", Reads::Count),
    ("latency_p99", "latency_p99", Reads::Time),
    ("wait_mean", "wait_mean", Reads::Time),
    ("backlog_max", "backlog_max", Reads::Count),
    ("consumer_utilization", "utilization", Reads::Share),
    ("journeys", "journeys", Reads::Count),
    ("journey_latency_mean", "journey_e2e_mean", Reads::Time),
];

/// One row per queue of a network: its name, each of [`QUEUE_COLUMNS`]
/// (means over replications, to 3 significant digits) and its
/// conservation verdict ("ok" or "VIOLATED").
pub fn queue_rows(summary: &RunSummary) -> Vec<Vec<String>> {
    summary
        .queues
        .iter()
        .map(|q| {
            let mut row = vec![q.name.clone()];
            // A queue without consumers pays no consumer-hours: it has no utilisation.
            let fleet = queue_value(q, "consumer_hours") > 0.0;
            row.extend(QUEUE_COLUMNS.iter().map(|&(c, _, reads)| match reads {
                Reads::Share if !fleet => "-".into(),
                _ => compact(queue_value(q, c), reads),
            }));
            row.push(
                if q.conservation.holds {
                    "ok"
                } else {
                    "VIOLATED"
                }
                .into(),
            );
            row
        })
        .collect()
}

/// The mean of a queue's figure.
fn queue_value(q: &QueueSummary, figure: &str) -> f64 {
    match figure {
        "journeys" => q.journeys.mean,
        "journey_latency_mean" => q.journey_latency_mean.mean,
        name => q
            .metrics
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(f64::NAN, |(_, s)| s.mean),
    }
}

/// A figure in a narrow column: whole numbers as they are, others to 3
/// significant digits, times with their unit, shares as percentages.
pub fn compact(v: f64, reads: Reads) -> String {
    if !v.is_finite() {
        return "-".into();
    }
    match reads {
        Reads::Count if v.fract() == 0.0 => short(v),
        Reads::Count => significant3(v),
        Reads::Time if v == 0.0 => "0".into(),
        Reads::Time if v < 1.0 => format!("{} ms", significant3(v * 1000.0)),
        Reads::Time => format!("{} s", significant3(v)),
        Reads::Share => format!("{}%", significant3(v * 100.0)),
    }
}

/// `v` to 3 significant digits, no exponent.
fn significant3(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let magnitude = v.abs().log10().floor() as i32;
    let decimals = (2 - magnitude).clamp(0, 12) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// A network's per-queue table; nothing for a single queue.
fn write_queues(summary: &RunSummary, out: &mut impl Write) -> io::Result<()> {
    let rows = queue_rows(summary);
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\nqueues (means over replications; latency_p99 and wait_mean from the send to the queue; \
         journeys that ended there and their mean end-to-end latency)"
    )?;
    let name_w = rows.iter().map(|r| r[0].len()).max().unwrap_or(5).max(5);
    let header: Vec<&str> = ["queue"]
        .into_iter()
        .chain(QUEUE_COLUMNS.iter().map(|c| c.1))
        .chain(["conservation"])
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|i| match i {
            0 => name_w,
            i => rows
                .iter()
                .map(|r| r[i].len())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0),
        })
        .collect();
    let line = |cells: &[&str]| {
        let mut s = format!("  {:<w$}", cells[0], w = widths[0]);
        for (c, w) in cells.iter().zip(&widths).skip(1) {
            s += &format!("  {c:>w$}");
        }
        s
    };
    writeln!(out, "{}", line(&header))?;
    for r in &rows {
        let cells: Vec<&str> = r.iter().map(String::as_str).collect();
        writeln!(out, "{}", line(&cells))?;
    }
    Ok(())
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

    #[test]
    fn compact_cells_keep_three_significant_digits_and_units() {
        assert_eq!(compact(144240.0, Reads::Count), "144240");
        assert_eq!(compact(36.2, Reads::Count), "36.2");
        assert_eq!(compact(5.4, Reads::Count), "5.4");
        assert_eq!(compact(1.18561, Reads::Time), "1.19 s");
        assert_eq!(compact(0.0434672, Reads::Time), "43.5 ms");
        assert_eq!(compact(0.000035765, Reads::Time), "0.0358 ms");
        assert_eq!(compact(0.0, Reads::Time), "0");
        assert_eq!(compact(0.80030, Reads::Share), "80%");
        assert_eq!(compact(0.7510, Reads::Share), "75.1%");
        assert_eq!(compact(f64::NAN, Reads::Time), "-");
    }
}
