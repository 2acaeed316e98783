//! `report.html`: one self-contained page for a design review — inline CSS
//! and inline SVG charts, no scripts, no network. It is well-formed XML
//! (XHTML syntax) so that tests can parse it.
//!
//! Order: what was simulated (in words), the SLO verdicts, the sweep or plan
//! result if any, the charts, the metrics table with intervals, the fault
//! timeline, and how to reproduce it.

use std::fmt::Write as _;

use super::summary::RunSummary;
use super::table::short;
use crate::engine::result::Metrics;
use crate::scenario::{Arrivals, FaultKind, Scenario};

/// A table of sweep points or plan steps: header and rows of cells.
#[derive(Clone, Debug, Default)]
pub struct Grid {
    /// Section title, e.g. "Plan: smallest consumers.count".
    pub title: String,
    /// One sentence on how to read it.
    pub note: String,
    /// Column names.
    pub header: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
}

/// Everything a report shows.
pub struct Report<'a> {
    /// The scenario (for a sweep: its base).
    pub scenario: &'a Scenario,
    /// The run's summary (for a sweep or plan: the chosen or first point).
    pub summary: &'a RunSummary,
    /// (name, SVG text) of every chart.
    pub charts: &'a [(String, String)],
    /// A sweep or plan result.
    pub grid: Option<Grid>,
    /// The command line that made it.
    pub command: &'a str,
}

const STYLE: &str = "body{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;margin:2em auto;max-width:1250px;color:#222}\
h1{font-size:1.8em;margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:1.6em}\
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}\
th{background:#f3f3f3}td.l,th.l{text-align:left}.pass{color:#fff;background:#2c8c2c;font-weight:bold}\
.fail{color:#fff;background:#c62828;font-weight:bold}.chart svg{width:100%;height:auto;border:1px solid #eee;margin:.5em 0}\
code,pre{background:#f6f6f6;padding:.2em .4em}p.note{color:#555}";

/// The page.
pub fn report_html(r: &Report) -> String {
    let sc = r.scenario;
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head><meta charset=\"utf-8\"/>\
         <title>mqsim: {name}</title><style>{STYLE}</style></head><body>\n<h1>mqsim: {name}</h1>\n",
        name = esc(&sc.name)
    );
    if !sc.description.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", esc(&sc.description));
    }
    if let Some(partial) = &r.summary.manifest.partial {
        let _ = writeln!(h, "<p class=\"fail\">Partial results: {}</p>", esc(partial));
    }
    section_scenario(&mut h, r);
    section_slo(&mut h, r.summary);
    if let Some(grid) = &r.grid {
        section_grid(&mut h, grid);
    }
    section_charts(&mut h, r.charts);
    section_metrics(&mut h, r.summary);
    section_faults(&mut h, sc, r.summary);
    let _ = writeln!(
        h,
        "<h2>Reproduce</h2>\n<pre>{}</pre>\n<p>mqsim {} · scenario SHA-256 <code>{}</code> · seed {} · {} replications. \
         The same command, scenario and version give the same numbers on any machine.</p>\n</body></html>",
        esc(r.command),
        r.summary.manifest.mqsim_version,
        esc(&r.summary.manifest.scenario_sha256),
        r.summary.manifest.seed,
        r.summary.manifest.replications
    );
    h
}

fn section_scenario(h: &mut String, r: &Report) {
    let _ = writeln!(h, "<h2>What was simulated</h2>\n<ul>");
    for sentence in describe(r.scenario) {
        let _ = writeln!(h, "<li>{}</li>", esc(&sentence));
    }
    let _ = writeln!(h, "</ul>");
}

/// The scenario in a few plain sentences.
pub fn describe(sc: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    let producers: Vec<String> = sc
        .producers
        .iter()
        .map(|p| {
            let how = match &p.arrivals {
                Arrivals::Poisson if p.schedule.is_empty() => {
                    format!("{} msg/s (Poisson)", short(p.rate))
                }
                Arrivals::Poisson => {
                    format!("a schedule averaging {} msg/s (Poisson)", short(p.rate))
                }
                Arrivals::Constant => format!("{} msg/s, evenly spaced", short(p.rate)),
                Arrivals::Trace { file, .. } => format!(
                    "the send times of {file} ({} msg/s on average)",
                    short(p.rate)
                ),
            };
            format!("{} sends {how}", p.name)
        })
        .collect();
    out.push(format!(
        "For {}{}, {}.",
        sc.duration,
        if sc.drain {
            " (then until the queue is empty)"
        } else {
            ""
        },
        producers.join("; ")
    ));
    let c = &sc.consumers;
    out.push(format!(
        "{} consumers receive batches of up to {} (long polling {}) and take {} s per message on average; {}% of processings fail{}.",
        c.count,
        c.batch_size,
        c.wait_time,
        short(c.processing.mean()),
        short(c.error_rate * 100.0),
        c.crash.as_ref().map_or(String::new(), |cr| match cr.mtbf {
            Some(m) => format!("; each consumer crashes about every {m}"),
            None => format!("; {}% of processings end in a crash", short(cr.per_message * 100.0)),
        })
    ));
    let q = &sc.queue;
    out.push(format!(
        "Visibility timeout {}{}; retention {}.",
        q.visibility_timeout,
        q.max_receive_count.map_or(String::new(), |n| format!(
            "; dead-letter queue after {n} receives"
        )),
        q.retention
    ));
    out.push(format!(
        "{} independent replications (seed {}); the first {} of sends are left out of latency statistics.",
        sc.replications, sc.seed, sc.warmup
    ));
    out
}

fn section_slo(h: &mut String, s: &RunSummary) {
    let _ = writeln!(h, "<h2>Service-level objectives</h2>");
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
        let word = super::table::verdict_words(v, s.manifest.replications);
        let _ = writeln!(
            h,
            "<tr><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{class}\">{}</td></tr>",
            esc(&v.metric),
            short(v.max),
            short(v.mean),
            v.ci95_high.map_or("-".into(), short),
            esc(&word)
        );
    }
    let _ = writeln!(h, "</table>");
}

fn section_grid(h: &mut String, g: &Grid) {
    let _ = writeln!(
        h,
        "<h2>{}</h2>\n<p class=\"note\">{}</p>\n<table><tr>",
        esc(&g.title),
        esc(&g.note)
    );
    for col in &g.header {
        let _ = write!(h, "<th>{}</th>", esc(col));
    }
    let _ = writeln!(h, "</tr>");
    for row in &g.rows {
        let _ = write!(h, "<tr>");
        for cell in row {
            let class = match cell.as_str() {
                "PASS" => " class=\"pass\"",
                "FAIL" => " class=\"fail\"",
                _ => "",
            };
            let _ = write!(h, "<td{class}>{}</td>", esc(cell));
        }
        let _ = writeln!(h, "</tr>");
    }
    let _ = writeln!(h, "</table>");
}

fn section_charts(h: &mut String, charts: &[(String, String)]) {
    let _ = writeln!(h, "<h2>Charts</h2>");
    for (name, svg) in charts {
        // plotters writes an XML declaration-free <svg> element: inline it.
        let _ = writeln!(
            h,
            "<div class=\"chart\" id=\"chart-{}\">{}</div>",
            esc(name),
            svg.trim()
        );
    }
}

fn section_metrics(h: &mut String, s: &RunSummary) {
    let _ = writeln!(
        h,
        "<h2>Metrics</h2>\n<p class=\"note\">Mean over replications with its Student-t 95% interval; times in seconds \
         (definitions: docs/metrics.md).</p>\n<table><tr><th class=\"l\">metric</th><th>mean</th><th>95% interval</th>\
         <th>min</th><th>max</th></tr>"
    );
    for (name, st) in &s.metrics {
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

fn section_faults(h: &mut String, sc: &Scenario, s: &RunSummary) {
    let _ = writeln!(h, "<h2>Fault timeline</h2>");
    if sc.faults.is_empty() {
        let _ = writeln!(h, "<p>No faults in this scenario.</p>");
        return;
    }
    let _ = writeln!(
        h,
        "<table><tr><th class=\"l\">fault</th><th>from</th><th>to</th><th>backlog at end</th><th>peak</th>\
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
            k => k.name().to_owned(),
        };
        let _ = writeln!(
            h,
            "<tr><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}%</td><td>{}</td><td>{}</td></tr>",
            esc(&what),
            f.fault.at,
            f.fault.end(),
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

/// Escapes text for HTML/XML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
