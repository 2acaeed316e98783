//! The terminal table's blocks for shared resources and circuit breakers,
//! after the per-queue block: one row per resource ([`resource_rows`],
//! which the report's Resources table shares), then one line per breaker
//! that changed state in replication 0. Both are left out of scenarios
//! without resources or breakers, whose table stays as it was.

use std::io::{self, Write};

use super::resource_summary::{ResourceSummary, open_periods};
use super::summary::RunSummary;
use super::table::{Reads, compact};

/// The per-resource columns after the resource's name, as (figure,
/// heading, how it reads): its capacity, then means over replications of
/// its metrics.
pub const RESOURCE_COLUMNS: [(&str, &str, Reads); 8] = [
    ("capacity", "capacity", Reads::Count),
    ("utilization", "utilization", Reads::Share),
    ("wait_mean", "wait_mean", Reads::Time),
    ("wait_p99", "wait_p99", Reads::Time),
    ("timeouts", "timeouts", Reads::Count),
    ("holders_max", "holders_max", Reads::Count),
    ("waiters_max", "waiters_max", Reads::Count),
    ("hold_mean", "hold_mean", Reads::Time),
];

/// One row per resource: its name and each of [`RESOURCE_COLUMNS`] (to 3
/// significant digits).
pub fn resource_rows(summary: &RunSummary) -> Vec<Vec<String>> {
    summary
        .resources
        .iter()
        .map(|r| {
            let mut row = vec![r.name.clone()];
            row.extend(
                RESOURCE_COLUMNS
                    .iter()
                    .map(|&(c, _, reads)| compact(value(r, c), reads)),
            );
            row
        })
        .collect()
}

fn value(r: &ResourceSummary, figure: &str) -> f64 {
    match figure {
        "capacity" => f64::from(r.capacity),
        name => r.mean(name),
    }
}

/// The resources block; nothing without resources.
pub fn write_resources(summary: &RunSummary, out: &mut impl Write) -> io::Result<()> {
    let rows = resource_rows(summary);
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\nresources (means over replications; wait: from the acquire to the grant; \
         timeouts: acquires that gave up or failed)"
    )?;
    let header: Vec<&str> = ["resource"]
        .into_iter()
        .chain(RESOURCE_COLUMNS.iter().map(|c| c.1))
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].len())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
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

/// What each breaker did in replication 0, one sentence per queue, in the
/// order their breakers first changed; `None` without breakers.
pub fn breaker_lines(summary: &RunSummary) -> Option<Vec<String>> {
    let changes = summary.breakers.as_ref()?;
    let end = summary.timeseries.last().map_or(0.0, |s| s.time);
    let mut queues: Vec<&str> = Vec::new();
    for c in changes {
        if !queues.contains(&c.queue.as_str()) {
            queues.push(&c.queue);
        }
    }
    if queues.is_empty() {
        return Some(vec!["no breaker opened".to_owned()]);
    }
    let lines = queues
        .into_iter()
        .map(|q| {
            let periods = open_periods(changes, q, end);
            let opens = changes
                .iter()
                .filter(|c| c.queue == q && c.state == "open")
                .count();
            let open_for: f64 = periods.iter().map(|(a, b)| b - a).sum();
            let first = periods.first().map_or(f64::NAN, |p| p.0);
            format!(
                "queue \"{q}\": opened {opens} time{}, first at {}, open or half-open {} in all",
                if opens == 1 { "" } else { "s" },
                compact(first, Reads::Time),
                compact(open_for, Reads::Time)
            )
        })
        .collect();
    Some(lines)
}

/// The breakers block; nothing without breakers.
pub fn write_breakers(summary: &RunSummary, out: &mut impl Write) -> io::Result<()> {
    let Some(lines) = breaker_lines(summary) else {
        return Ok(());
    };
    writeln!(
        out,
        "\ncircuit breakers (replication 0; breaker_opens and breaker_open_time above are over all replications)"
    )?;
    for l in lines {
        writeln!(out, "  {l}")?;
    }
    Ok(())
}
