//! The sections of one run's results: SLO verdicts (bounds and values in
//! their units), the metrics table, the fault timeline, and how to
//! reproduce the run, with the resolved scenario embedded as TOML so that
//! it can be rerun without the original file.
//!
//! `of` is appended to every heading: empty for a run, " at KEY = VALUE"
//! for the point of a sweep or plan the details are of.

use std::fmt::Write as _;

use super::words::{metric_value, time};
use super::{Report, esc};
use crate::dist::Dist;
use crate::engine::result::Metrics;
use crate::output::summary::RunSummary;
use crate::output::table::{hidden, short, verdict_words};
use crate::scenario::{Arrivals, FaultKind, Scenario};

pub(super) fn slo(h: &mut String, s: &RunSummary, of: &str) {
    let _ = writeln!(h, "<h2>Service-level objectives{}</h2>", esc(of));
    if s.slo.is_empty() {
        let _ = writeln!(h, "<p>No [slo] targets in this scenario.</p>");
        return;
    }
    let _ = writeln!(
        h,
        "<p class=\"note\">A target holds when the upper end of the metric's 95% interval is within the bound.</p>\n\
         <table><tr><th class=\"l\">metric</th><th>bound</th><th>mean</th><th>95% upper end</th><th>verdict</th></tr>"
    );
    for v in &s.slo {
        let class = if v.pass { "pass" } else { "fail" };
        let word = verdict_words(v, s.manifest.replications);
        let value = |x: f64| metric_value(&v.metric, x);
        let _ = writeln!(
            h,
            "<tr><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{class}\">{}</td></tr>",
            esc(&v.metric),
            esc(&value(v.max)),
            esc(&value(v.mean)),
            v.ci95_high.map_or("-".into(), |x| esc(&value(x))),
            esc(&word)
        );
    }
    let _ = writeln!(h, "</table>");
}

pub(super) fn metrics(h: &mut String, s: &RunSummary, of: &str) {
    let shown: Vec<_> = s.metrics.iter().filter(|(n, st)| !hidden(n, st)).collect();
    let left_out = s.metrics.len() - shown.len();
    let _ = writeln!(
        h,
        "<h2>Metrics{}</h2>\n<p class=\"note\">{}; times in \
         seconds, cost in USD (definitions: docs/metrics.md).{}{}</p>\n<table><tr><th class=\"l\">metric</th>\
         <th>mean</th><th>95% interval</th><th>min</th><th>max</th></tr>",
        esc(of),
        if s.manifest.replications == 1 {
            "The values of the one replication (an interval needs two or more)"
        } else {
            "Mean over replications with its Student-t 95% interval"
        },
        if left_out > 0 {
            format!(
                " {left_out} metrics of features this scenario does not use (FIFO groups, throttling, \
                 repeated sends) are 0 in every replication and left out, as on the terminal; summary.json has them."
            )
        } else {
            String::new()
        },
        super::network::metrics_note(s)
    );
    for (name, st) in shown {
        debug_assert!(Metrics::NAMES.contains(name));
        let interval = match (st.ci95_low, st.ci95_high) {
            (Some(lo), Some(hi)) => format!("[{}, {}]", short(lo), short(hi)),
            _ => "-".into(),
        };
        let _ = writeln!(
            h,
            "<tr><td class=\"l\">{name}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            short(st.mean),
            interval,
            short(st.min),
            short(st.max)
        );
    }
    let c = &s.conservation;
    let _ = writeln!(
        h,
        "</table>\n<p>Conservation: {} (produced {} = accounted {}).</p>",
        if c.holds { "holds" } else { "VIOLATED" },
        c.produced,
        c.accounted
    );
}

pub(super) fn faults(h: &mut String, s: &RunSummary, of: &str) {
    let _ = writeln!(h, "<h2>Fault timeline{}</h2>", esc(of));
    if s.faults.is_empty() {
        let _ = writeln!(h, "<p>No faults in this scenario.</p>");
        return;
    }
    let _ = writeln!(
        h,
        "<p class=\"note\">Means over replications; drain time as defined in docs/metrics.md.</p>\n\
         <table><tr><th class=\"l\">fault</th><th>from</th><th>to</th><th>backlog at end</th><th>peak</th>\
         <th>drain time (s)</th><th>drained</th><th>dropped</th><th>expired</th></tr>"
    );
    for f in &s.faults {
        let what = match &f.fault.kind {
            FaultKind::Spike { factor, .. } | FaultKind::Slowdown { factor } => {
                format!("{} ×{}", f.fault.kind.name(), short(*factor))
            }
            FaultKind::ErrorBurst { error_rate } => {
                format!("error-burst {}%", short(error_rate * 100.0))
            }
            _ => crate::output::charts::fault_label(&f.fault),
        };
        let _ = writeln!(
            h,
            "<tr><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}%</td><td>{}</td><td>{}</td></tr>",
            esc(&what),
            time(f.fault.at),
            time(f.fault.end()),
            short(f.backlog_at_end.mean),
            short(f.backlog_peak.mean),
            short(f.drain_time.mean),
            short(f.drained * 100.0),
            short(f.dropped.mean),
            short(f.expired.mean)
        );
    }
    let _ = writeln!(h, "</table>");
}

/// The resolved scenario as TOML, or why it could not be written.
pub fn scenario_toml(sc: &Scenario) -> Result<String, String> {
    toml::to_string(sc).map_err(|e| e.to_string())
}

/// The data files a scenario names (traces, empirical samples), as written.
fn data_files(sc: &Scenario) -> Vec<&str> {
    let mut files: Vec<&str> = sc
        .producers
        .iter()
        .filter_map(|p| match &p.arrivals {
            Arrivals::Trace { file, .. } => Some(file.as_str()),
            _ => None,
        })
        .collect();
    // Every fleet's (the single form has one).
    let dists = sc
        .queues
        .iter()
        .filter_map(|q| q.consumers.as_ref())
        .flat_map(|c| std::iter::once(&c.processing).chain(c.crash.as_ref().map(|cr| &cr.restart)));
    files.extend(dists.filter_map(|d| match d {
        Dist::Empirical { file, .. } => Some(file.as_str()),
        _ => None,
    }));
    files.dedup();
    files
}

pub(super) fn reproduce(h: &mut String, r: &Report, of: &str) {
    let (sc, m) = (r.scenario, &r.summary.manifest);
    let _ = writeln!(
        h,
        "<h2>Reproduce</h2>\n<pre>{}</pre>\n<p>mqsim {} · scenario SHA-256 <code>{}</code> · seed {} · {}. \
         The same command, scenario and version give the same numbers on any machine.</p>",
        esc(r.command),
        m.mqsim_version,
        esc(&m.scenario_sha256),
        m.seed,
        if m.replications == 1 {
            "1 replication".to_owned()
        } else {
            format!("{} replications", m.replications)
        }
    );
    let file = format!("{}.toml", sc.name);
    let _ = write!(
        h,
        "<p>Without the original file{}: save the resolved scenario below as <code>{}</code> and run \
         <code>mqsim run {} --seed {}</code>.",
        if of.is_empty() {
            String::new()
        } else {
            format!(
                ", for the point shown ({})",
                esc(of.trim_start_matches(" at "))
            )
        },
        esc(&file),
        esc(&file),
        sc.seed
    );
    let files = data_files(sc);
    if !files.is_empty() {
        let _ = write!(
            h,
            " It reads {} by the path written in the original scenario: keep that path relative to the saved file.",
            esc(&files.join(", "))
        );
    }
    let _ = writeln!(h, "</p>");
    match scenario_toml(sc) {
        Ok(text) => {
            let _ = writeln!(
                h,
                "<details><summary>Resolved scenario (TOML)</summary><pre id=\"scenario-toml\">{}</pre></details>",
                esc(&text)
            );
        }
        Err(why) => {
            let _ = writeln!(
                h,
                "<p class=\"fail\">The resolved scenario could not be written as TOML: {}</p>",
                esc(&why)
            );
        }
    }
}
