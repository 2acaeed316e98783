//! `report.html`: one self-contained page for a design review — inline CSS
//! and inline SVG charts, no scripts, no network. It is well-formed XML
//! (XHTML syntax) so that tests can parse it.
//!
//! A run's report: what was simulated (in words, [`describe()`]), the SLO
//! verdicts, the charts, the metrics table with intervals, the fault
//! timeline, and how to reproduce it, with the resolved scenario as TOML.
//! A network's adds the topology diagram above the words (with the
//! simulated rates) and a per-queue table after the metrics, and words
//! every queue, fleet and topic ([`network_words`]). A scenario with shared
//! resources has the topology diagram too (resources as cylinders), and a
//! Resources section after the metrics; one with circuit breakers, a
//! Circuit breakers section ([`resources`]).
//!
//! A sweep's or plan's report leads with every point: each SLO target's
//! verdict per point ([`Grid`]), the headline metrics per point and the
//! charts against the swept key. The details that follow (words, SLO
//! verdicts, metrics, faults, TOML) are of one point, named in their
//! headings, and describe that point's own resolved scenario: a report never
//! words the base file beside a point's numbers.

pub mod compare;
mod describe;
mod details;
mod downstream_words;
mod flows;
mod network;
pub mod network_words;
mod observed;
pub mod points;
mod resource_flows;
mod resources;
pub mod topology;
pub mod words;

use std::fmt::Write as _;

pub use describe::describe;

use super::summary::RunSummary;
use crate::scenario::Scenario;

/// One cell of a report table; `class` colours it ("pass", "fail" or "").
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cell {
    /// The text.
    pub text: String,
    /// CSS class: "pass", "fail" or "".
    pub class: &'static str,
}

impl Cell {
    /// A cell without colour.
    pub fn plain(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            class: "",
        }
    }

    /// A cell coloured by a verdict.
    pub fn verdict(text: impl Into<String>, pass: bool) -> Cell {
        Cell {
            text: text.into(),
            class: if pass { "pass" } else { "fail" },
        }
    }
}

/// A table: column names and rows of cells.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// Column names.
    pub header: Vec<String>,
    /// Rows of cells, as many as the header has columns. The first column
    /// and a last one named "why" are text (left-aligned), the others numbers.
    pub rows: Vec<Vec<Cell>>,
}

/// A sweep's or plan's points, and which one the details describe.
#[derive(Clone, Debug, Default)]
pub struct Grid {
    /// Section title, e.g. "Plan: smallest consumers.count".
    pub title: String,
    /// How to read the verdict table.
    pub note: String,
    /// One row per point: its settings, each SLO target's verdict, the
    /// point's verdict (PASS, FAIL or STOPPED) and why.
    pub verdicts: Table,
    /// Sentences under the verdict table (plan: the chosen value).
    pub after: Vec<String>,
    /// The headline metrics of every point.
    pub headline: Table,
    /// The row of the point the details describe.
    pub shown: usize,
    /// That point's settings, e.g. "consumers.count = 55".
    pub shown_label: String,
    /// Why that point is the one shown.
    pub shown_why: String,
}

/// Everything a report shows.
pub struct Report<'a> {
    /// The resolved scenario the details describe: the run's, or the shown
    /// point's (with its overrides applied).
    pub scenario: &'a Scenario,
    /// The summary of that scenario's run.
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
.fail{color:#fff;background:#c62828;font-weight:bold}tr.shown td{border-top:2px solid #222;border-bottom:2px solid #222}\
tr.shown td.l{font-weight:bold}.chart svg{width:100%;height:auto;border:1px solid #eee;margin:.5em 0}\
code,pre{background:#f6f6f6;padding:.2em .4em}pre{overflow-x:auto}p.note{color:#555}\
details{margin:.5em 0}summary{cursor:pointer;font-weight:bold}";

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
        // A point's settings may contradict the file's free text ("8 consumers").
        let from = if r.grid.is_some() {
            "The scenario file's description, before each point's settings: "
        } else {
            ""
        };
        let _ = writeln!(h, "<p>{from}{}</p>", esc(&sc.description));
    }
    // The details' headings name the point they are of.
    let of = match &r.grid {
        Some(grid) => {
            section_grid(&mut h, grid);
            section_charts(&mut h, r.charts);
            format!(" at {}", grid.shown_label)
        }
        None => String::new(),
    };
    if let Some(partial) = &r.summary.manifest.partial {
        let _ = writeln!(h, "<p class=\"fail\">Partial results: {}</p>", esc(partial));
    }
    if sc.is_network() || !sc.resources.is_empty() {
        network::topology(&mut h, sc, r.summary, &of);
    }
    section_scenario(&mut h, sc, &of);
    details::slo(&mut h, r.summary, &of);
    observed::section(&mut h, sc, r.summary, &of);
    if r.grid.is_none() {
        section_charts(&mut h, r.charts);
    }
    details::metrics(&mut h, r.summary, &of);
    if sc.is_network() {
        network::queues(&mut h, r.summary, &of);
    }
    resources::resources(&mut h, r.summary, &of);
    resources::breakers(&mut h, r.summary, &of);
    details::faults(&mut h, r.summary, &of);
    details::reproduce(&mut h, r, &of);
    h.push_str("</body></html>");
    h
}

fn section_scenario(h: &mut String, sc: &Scenario, of: &str) {
    let _ = writeln!(h, "<h2>What was simulated{}</h2>\n<ul>", esc(of));
    if !sc.is_network() {
        for sentence in describe(sc) {
            let _ = writeln!(h, "<li>{}</li>", esc(&sentence));
        }
        let _ = writeln!(h, "</ul>");
        return;
    }
    for d in network_words::describe_network(sc) {
        if d.details.is_empty() {
            let _ = writeln!(h, "<li>{}</li>", esc(&d.text));
            continue;
        }
        let _ = writeln!(h, "<li><b>{}</b><ul>", esc(&d.text));
        for sentence in &d.details {
            let _ = writeln!(h, "<li>{}</li>", esc(sentence));
        }
        let _ = writeln!(h, "</ul></li>");
    }
    let _ = writeln!(h, "</ul>");
}

fn section_grid(h: &mut String, g: &Grid) {
    let _ = writeln!(
        h,
        "<h2>{}</h2>\n<p class=\"note\">{}</p>",
        esc(&g.title),
        esc(&g.note)
    );
    table(h, &g.verdicts, Some(g.shown));
    if !g.after.is_empty() {
        let _ = writeln!(h, "<ul>");
        for line in &g.after {
            let _ = writeln!(h, "<li>{}</li>", esc(line));
        }
        let _ = writeln!(h, "</ul>");
    }
    let _ = writeln!(h, "<p><b>{}</b></p>", esc(&g.shown_why));
    let _ = writeln!(
        h,
        "<h2>Headline metrics per point</h2>\n<p class=\"note\">Mean over replications [95% interval]; \
         times in seconds, cost in USD.</p>"
    );
    table(h, &g.headline, Some(g.shown));
}

/// A table; the first column and the row `shown` are set off.
fn table(h: &mut String, t: &Table, shown: Option<usize>) {
    let _ = write!(h, "<table><tr>");
    let last = t.header.len().saturating_sub(1);
    let text = |i: usize| i == 0 || (i == last && t.header[i] == "why");
    for (i, col) in t.header.iter().enumerate() {
        let class = if text(i) { " class=\"l\"" } else { "" };
        let _ = write!(h, "<th{class}>{}</th>", esc(col));
    }
    let _ = writeln!(h, "</tr>");
    for (r, row) in t.rows.iter().enumerate() {
        let tr = if Some(r) == shown {
            "<tr class=\"shown\">"
        } else {
            "<tr>"
        };
        h.push_str(tr);
        for (i, cell) in row.iter().enumerate() {
            let class = match cell.class {
                "" if text(i) => " class=\"l\"".to_owned(),
                "" => String::new(),
                c => format!(" class=\"{c}\""),
            };
            let _ = write!(h, "<td{class}>{}</td>", esc(&cell.text));
        }
        let _ = writeln!(h, "</tr>");
    }
    let _ = writeln!(h, "</table>");
}

fn section_charts(h: &mut String, charts: &[(String, String)]) {
    if charts.is_empty() {
        return;
    }
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

/// Escapes text for HTML/XML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
