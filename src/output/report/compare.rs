//! The `report.html` of `mqsim compare`, in the style of a run's report,
//! to be read top to bottom: how the alternatives were run, the findings in
//! words (each alternative against the first), what each alternative is
//! (its `--alt` settings, or the resolved keys in which its file differs),
//! the headline table, the SLO verdicts, the overlaid charts, then what
//! each alternative simulated in full and how to reproduce the comparison.
//! Every sentence is about the simulated runs ([`crate::output::compare::words`]).

use std::fmt::Write as _;

use super::{Cell, Table, esc, section_charts, section_scenario, table};
use crate::compare::differences::grouped_words;
use crate::output::compare::{Alternative, Comparison, words};
use crate::output::table::{short, verdict_words};
use crate::output::units::with_unit;

/// Differing keys listed per alternative before "and N more".
const MAX_DIFFERENCES: usize = 12;

/// The page. `charts` are (name, SVG text); `command` reproduces it.
pub fn compare_html(c: &Comparison, charts: &[(String, String)], command: &str) -> String {
    let mut h = String::new();
    let title = format!("mqsim compare: {}", c.labels().join(" vs "));
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head><meta charset=\"utf-8\"/>\
         <title>{t}</title><style>{style}</style></head><body>\n<h1>{t}</h1>\n<p>{}</p>\n",
        esc(&words::preamble(c)),
        t = esc(&title),
        style = super::STYLE
    );
    if let Some(partial) = c.partial() {
        let _ = writeln!(
            h,
            "<p class=\"fail\">Partial results: {}</p>",
            esc(&partial)
        );
    }
    findings(&mut h, c);
    alternatives(&mut h, c);
    headline(&mut h, c);
    slo(&mut h, c);
    section_charts(&mut h, charts);
    for a in &c.alternatives {
        section_scenario(&mut h, &a.scenario, &format!(" by {}", a.label));
    }
    reproduce(&mut h, c, command);
    h.push_str("</body></html>");
    h
}

fn findings(h: &mut String, c: &Comparison) {
    let _ = writeln!(h, "<h2>Findings</h2>\n<ul>");
    for i in 1..c.alternatives.len() {
        let _ = writeln!(h, "<li><b>{}</b><ul>", esc(&words::lead_sentence(c, i)));
        for s in words::other_sentences(c, i) {
            let _ = writeln!(h, "<li>{}</li>", esc(&s));
        }
        let _ = writeln!(h, "</ul></li>");
    }
    for s in c.alternatives.iter().filter_map(words::slo_sentence) {
        let _ = writeln!(h, "<li>{}</li>", esc(&s));
    }
    let _ = writeln!(h, "</ul>");
}

fn alternatives(h: &mut String, c: &Comparison) {
    let _ = writeln!(
        h,
        "<h2>Alternatives</h2>\n<p class=\"note\">Every difference is taken from the first, {}.</p>",
        esc(&c.base().label)
    );
    // The last column is prose: every cell left-aligned.
    let _ = writeln!(
        h,
        "<table><tr><th class=\"l\">alternative</th><th class=\"l\">scenario file</th>\
         <th class=\"l\">what it is</th></tr>"
    );
    for (i, a) in c.alternatives.iter().enumerate() {
        let _ = writeln!(
            h,
            "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td></tr>",
            esc(&a.label),
            esc(&a.file),
            esc(&what_it_is(c, i, a))
        );
    }
    let _ = writeln!(h, "</table>");
}

/// The alternative in words: its scenario, and how it differs from the first.
fn what_it_is(c: &Comparison, i: usize, a: &Alternative) -> String {
    let mut parts = vec![format!("scenario \"{}\"", a.scenario.name)];
    if !a.scenario.description.is_empty() {
        parts[0].push_str(&format!(" ({})", a.scenario.description));
    }
    if !a.overrides.is_empty() {
        parts.push(format!("the base file with {}", a.overrides.join(", ")));
    }
    if i == 0 {
        parts.push("the reference".into());
    } else if a.differences.is_empty() {
        parts.push(format!("resolved, the same system as {}", c.base().label));
    } else if a.overrides.is_empty() {
        let base = &c.base().label;
        let mut listed = grouped_words(&a.differences, base);
        if listed.len() > MAX_DIFFERENCES {
            let more = listed.len() - MAX_DIFFERENCES;
            listed.truncate(MAX_DIFFERENCES);
            listed.push(format!("and {more} more (compare.json lists every key)"));
        }
        parts.push(format!("differs from {base} in: {}", listed.join("; ")));
    }
    parts.extend(a.replaced.iter().cloned());
    parts.join("; ")
}

fn headline(h: &mut String, c: &Comparison) {
    let base = &c.base().label;
    // A network's deletes are summed over its queues, so one message
    // counts once per queue it passes: say so where it applies.
    let hops = if c.alternatives.iter().any(|a| a.scenario.is_network()) {
        " (in a network, summed over its queues: a message that passes three queues counts three times)"
    } else {
        ""
    };
    let _ = writeln!(
        h,
        "<h2>Headline metrics</h2>\n<p class=\"note\">Mean over replications with its Student-t 95% interval; \
         the difference from {} is paired replication by replication (same random streams), with the 95% \
         interval of its mean; change is the mean difference in percent of {}'s mean. Times in seconds, \
         cost in USD, throughput in messages deleted per second of sending{hops} (definitions: \
         docs/metrics.md, docs/compare.md).</p>",
        esc(base),
        esc(base)
    );
    let _ = writeln!(
        h,
        "<table><tr><th class=\"l\">metric</th><th class=\"l\">alternative</th><th>mean</th>\
         <th>95% interval</th><th>difference from {}</th><th>95% interval</th><th>change</th></tr>",
        esc(base)
    );
    let interval = |lo: Option<f64>, hi: Option<f64>| match (lo, hi) {
        (Some(lo), Some(hi)) => format!("[{}, {}]", short(lo), short(hi)),
        _ => "-".into(),
    };
    for row in &c.rows {
        for (i, (a, f)) in c.alternatives.iter().zip(&row.figures).enumerate() {
            let metric = if i == 0 { row.metric } else { "" };
            let (diff, diff_ci, change) = match &f.diff {
                Some(d) => (
                    short(d.mean),
                    interval(d.ci95_low, d.ci95_high),
                    d.pct.map_or("-".into(), |p| format!("{p:+.1}%")),
                ),
                None => Default::default(),
            };
            let change = if f.measured() {
                change
            } else {
                format!(
                    "{change} (not measured in {} of {})",
                    f.unmeasured,
                    c.replications()
                )
            };
            let _ = writeln!(
                h,
                "<tr><td class=\"l\">{metric}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{diff}</td>\
                 <td>{diff_ci}</td><td>{change}</td></tr>",
                esc(&a.label),
                short(f.stat.mean),
                interval(f.stat.ci95_low, f.stat.ci95_high),
            );
        }
    }
    let _ = writeln!(h, "</table>");
}

fn slo(h: &mut String, c: &Comparison) {
    let mut targets: Vec<(String, f64)> = Vec::new();
    for a in &c.alternatives {
        for v in &a.summary.slo {
            if !targets
                .iter()
                .any(|(m, max)| *m == v.metric && *max == v.max)
            {
                targets.push((v.metric.clone(), v.max));
            }
        }
    }
    let _ = writeln!(h, "<h2>Service-level objectives</h2>");
    if targets.is_empty() {
        let _ = writeln!(h, "<p>No alternative has [slo] targets.</p>");
        return;
    }
    let _ = writeln!(
        h,
        "<p class=\"note\">Each alternative is judged on the targets of its own scenario: a target holds when the \
         upper end of the metric's 95% interval is within the bound (the cell gives that upper end).</p>"
    );
    let mut header = vec!["target".to_owned()];
    header.extend(c.alternatives.iter().map(|a| a.label.clone()));
    let mut t = Table {
        header,
        rows: Vec::new(),
    };
    for (metric, max) in targets {
        let mut row = vec![Cell::plain(format!(
            "{metric} ≤ {}",
            with_unit(&metric, max)
        ))];
        for a in &c.alternatives {
            let s = &a.summary;
            row.push(
                match s.slo.iter().find(|v| v.metric == metric && v.max == max) {
                    Some(v) => Cell::verdict(
                        format!(
                            "{} ({})",
                            verdict_words(v, s.manifest.replications),
                            with_unit(&metric, v.ci95_high.unwrap_or(v.mean))
                        ),
                        v.pass,
                    ),
                    None => Cell::plain("no such target"),
                },
            );
        }
        t.rows.push(row);
    }
    table(h, &t, None);
}

fn reproduce(h: &mut String, c: &Comparison, command: &str) {
    let _ = writeln!(
        h,
        "<h2>Reproduce</h2>\n<pre>{}</pre>\n<p>mqsim {} · seed {} · {} replications of every alternative. The same \
         command, scenarios and version give the same numbers on any machine. <code>compare.csv</code> and \
         <code>compare.json</code> hold these figures at full precision; <code>summaries/LABEL.json</code> \
         holds every metric of each alternative, as <code>mqsim run</code> writes them.</p>",
        esc(command),
        c.base().summary.manifest.mqsim_version,
        c.seed(),
        c.replications()
    );
    for a in &c.alternatives {
        if let Ok(text) = super::details::scenario_toml(&a.scenario) {
            let _ = writeln!(
                h,
                "<details><summary>Resolved scenario of {} (TOML; SHA-256 <code>{}</code>)</summary><pre>{}</pre></details>",
                esc(&a.label),
                esc(&a.summary.manifest.scenario_sha256),
                esc(&text)
            );
        }
    }
}
