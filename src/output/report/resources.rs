//! The report's sections of shared resources and circuit breakers:
//! "Resources", one row per resource with the terminal table's columns
//! ([`crate::output::resource_table::RESOURCE_COLUMNS`]) and its
//! utilisation's 95% interval, and "Circuit breakers", what each breaker
//! did in replication 0. Each is left out of scenarios without resources
//! or breakers.
//!
//! `of` is appended to every heading, as in [`super::details`].

use std::fmt::Write as _;

use super::esc;
use crate::output::resource_table::{RESOURCE_COLUMNS, breaker_lines, resource_rows};
use crate::output::summary::RunSummary;
use crate::output::table::{Reads, compact};

/// "Resources": the table, and how to read it.
pub(super) fn resources(h: &mut String, s: &RunSummary, of: &str) {
    if s.resources.is_empty() {
        return;
    }
    let _ = writeln!(
        h,
        "<h2>Resources{}</h2>\n<p class=\"note\">Means over replications. utilization is the \
         time-weighted mean of holders over capacity after warm-up, with its 95% interval; a wait \
         runs from the acquire to the grant (acquires that asked after warm-up), and wait p99 \
         pooled is the 99th percentile of all replications' waits together; timeouts counts the \
         acquires that gave up after acquire_timeout or were refused in an outage (each failed its \
         processing); holders max and waiters max are the most at once; hold mean is the time held, \
         contention and slowdowns included.</p>",
        esc(of)
    );
    h.push_str("<table><tr><th class=\"l\">resource</th>");
    for (_, heading, _) in RESOURCE_COLUMNS {
        let _ = write!(h, "<th>{}</th>", esc(&heading.replace('_', " ")));
    }
    let _ = writeln!(
        h,
        "<th>utilization 95% interval</th><th>wait p99 pooled</th></tr>"
    );
    for (row, r) in resource_rows(s).iter().zip(&s.resources) {
        let _ = write!(
            h,
            "<tr><td class=\"l\" style=\"white-space:nowrap\">{}</td>",
            esc(&row[0])
        );
        for c in &row[1..] {
            let _ = write!(h, "<td style=\"white-space:nowrap\">{}</td>", esc(c));
        }
        let interval = r
            .metric("utilization")
            .and_then(|u| u.ci95_low.zip(u.ci95_high));
        let interval = interval.map_or("-".to_owned(), |(lo, hi)| {
            format!(
                "[{}, {}]",
                compact(lo, Reads::Share),
                compact(hi, Reads::Share)
            )
        });
        let _ = writeln!(
            h,
            "<td style=\"white-space:nowrap\">{}</td><td style=\"white-space:nowrap\">{}</td></tr>",
            esc(&interval),
            esc(&compact(r.wait_p99_pooled, Reads::Time))
        );
    }
    let _ = writeln!(h, "</table>");
}

/// "Circuit breakers": one line per breaker that changed state in
/// replication 0.
pub(super) fn breakers(h: &mut String, s: &RunSummary, of: &str) {
    let Some(lines) = breaker_lines(s) else {
        return;
    };
    let _ = writeln!(
        h,
        "<h2>Circuit breakers{}</h2>\n<p class=\"note\">Replication 0's breakers (the charts shade \
         the periods they were open or half-open); breaker_opens and breaker_open_time in the \
         metrics table are over all replications.</p>\n<ul>",
        esc(of)
    );
    for l in lines {
        let _ = writeln!(h, "<li>{}</li>", esc(&l));
    }
    let _ = writeln!(h, "</ul>");
}
