//! What `sweep` and `plan` show: the per-point table on the terminal and
//! in the report, the plan's verdict table, charts of headline metrics
//! against the swept key, `points/<label>/summary.json`, and `--format json`.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use mqsim::grid::Point;
use mqsim::output::report::points::{
    point_cell, point_word, target_cells, target_header, why_fails,
};
use mqsim::output::report::{Cell, Grid, Report, Table, report_html};
use mqsim::output::sweep::plain;
use mqsim::output::table::short;
use mqsim::output::{self, RunSummary};
use mqsim::scenario::Scenario;

/// Metrics shown per point in the terminal.
pub(super) const HEADLINE: [&str; 5] = [
    "latency_p99",
    "backlog_max",
    "drain_time",
    "duplicates",
    "cost_usd",
];

/// Headline metrics against the swept keys (`chosen`: a plan's answer).
pub fn write_sweep_charts(
    dir: &Path,
    base: &Scenario,
    points: &[(Point, RunSummary)],
    chosen: Option<&str>,
) -> Result<Vec<(String, String)>> {
    let charts = output::charts::sweep_charts(base, points, chosen);
    output::charts::write_charts(&dir.join("charts"), &charts)
}

/// Writes `report.html`: `grid` leads; the details are of `shown`, the
/// resolved scenario of the point the grid says it shows, and its summary.
pub fn write_report(
    dir: &Path,
    shown: (&Scenario, &RunSummary),
    svgs: &[(String, String)],
    grid: Grid,
    command: &str,
) -> Result<()> {
    let report = Report {
        scenario: shown.0,
        summary: shown.1,
        charts: svgs,
        grid: Some(grid),
        command,
    };
    output::write_file(&dir.join("report.html"), report_html(&report).as_bytes())
}

/// The settings of a point in words: "consumers.count = 55".
fn label(p: &Point) -> String {
    p.settings
        .iter()
        .map(|(k, v)| format!("{k} = {}", plain(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rows of the report's verdict table: the point's settings, each target,
/// its verdict, why it fails; `note` adds to the last cell.
fn verdict_rows<'a>(
    points: impl Iterator<Item = (&'a Point, &'a RunSummary)>,
    note: impl Fn(usize, &RunSummary) -> String,
) -> Vec<Vec<Cell>> {
    points
        .enumerate()
        .map(|(i, (p, s))| {
            let mut row: Vec<Cell> = p
                .settings
                .iter()
                .map(|(_, v)| Cell::plain(plain(v)))
                .collect();
            row.extend(target_cells(s));
            row.push(point_cell(s));
            row.push(Cell::plain(note(i, s)));
            row
        })
        .collect()
}

fn verdict_header(points: &[(Point, RunSummary)]) -> Vec<String> {
    let Some((p, s)) = points.first() else {
        return vec![];
    };
    let mut header: Vec<String> = p.settings.iter().map(|(k, _)| k.clone()).collect();
    header.extend(target_header(s));
    header.extend(["verdict".into(), "why".into()]);
    header
}

/// The headline metrics of every point, for the report (without the
/// terminal's SLO column: the verdict table has it).
fn headline(points: &[(Point, RunSummary)]) -> Table {
    let (mut header, rows) = points_rows(points);
    header.pop();
    let rows = rows
        .into_iter()
        .map(|mut r| {
            r.pop();
            r.into_iter().map(Cell::plain).collect()
        })
        .collect();
    Table { header, rows }
}

/// The point a sweep's report details, and why: the first that meets
/// every SLO; else the closest to it; else (no targets) the first.
fn sweep_shown(points: &[(Point, RunSummary)]) -> (usize, String) {
    if let Some(i) = points
        .iter()
        .position(|(_, s)| s.slo_pass() && !s.slo.is_empty())
    {
        return (
            i,
            "the first point, in the table's order, that meets every SLO".into(),
        );
    }
    let candidates = points
        .iter()
        .enumerate()
        .filter(|(_, (_, s))| s.manifest.partial.is_none());
    match candidates.min_by(|a, b| shortfall(&a.1.1).total_cmp(&shortfall(&b.1.1))) {
        Some((i, (_, s))) if !s.slo.is_empty() => (
            i,
            "no point meets every SLO; this one comes closest (the smallest worst ratio of a target's \
             upper end to its bound)"
                .into(),
        ),
        _ if points[0].1.slo.is_empty() => (0, "the scenario has no SLO targets; the first point".into()),
        _ => (0, "every point was stopped early; the first point".into()),
    }
}

/// The sweep's part of its report.
pub fn sweep_grid(base: &Scenario, points: &[(Point, RunSummary)]) -> Grid {
    let (shown, why) = sweep_shown(points);
    let rows = verdict_rows(points.iter().map(|(p, s)| (p, s)), |_, s| why_fails(s));
    Grid {
        title: format!("Sweep: {} points", points.len()),
        note: format!(
            "Every point is the scenario with the point's settings applied, run for {} replications with the same \
             random streams (common random numbers). A target holds when the upper end of its 95% interval (shown) \
             is within the bound; STOPPED: a guard cut the point short, so it never passes.",
            base.replications
        ),
        verdicts: Table {
            header: verdict_header(points),
            rows,
        },
        after: vec![],
        headline: headline(points),
        shown,
        shown_label: label(&points[shown].0),
        shown_why: format!(
            "Below: the details of point {} of {} ({}), {why}.",
            shown + 1,
            points.len(),
            label(&points[shown].0)
        ),
    }
}

/// The plan's part of its report. `tried` is in order of value.
pub fn plan_grid(
    key: &str,
    values: &[String],
    tried: &[(usize, RunSummary)],
    chosen: Option<usize>,
) -> Grid {
    let points: Vec<(Point, RunSummary)> = tried
        .iter()
        .map(|(i, s)| (super::point(key, &values[*i]), s.clone()))
        .collect();
    let note = |row: usize, s: &RunSummary| match (chosen == Some(tried[row].0), point_word(s)) {
        (true, _) => "chosen: the smallest value that meets every SLO".to_owned(),
        (false, "PASS") => "meets every SLO (more than needed)".to_owned(),
        _ => why_fails(s),
    };
    let shown = chosen
        .and_then(|c| tried.iter().position(|(i, _)| *i == c))
        .unwrap_or(tried.len() - 1);
    let mut after = Vec::new();
    let shown_why = match chosen {
        Some(c) => {
            after.push(format!("Chosen: {key} = {}.", plain(&values[c])));
            after.extend(
                tried.iter().filter(|(i, _)| *i < c).map(|(i, s)| {
                    format!("{key} = {} fails: {}.", plain(&values[*i]), why_fails(s))
                }),
            );
            let worse: Vec<String> = tried
                .iter()
                .filter(|(i, s)| *i > c && point_word(s) != "PASS")
                .map(|(i, _)| plain(&values[*i]))
                .collect();
            if !worse.is_empty() {
                after.push(format!(
                        "Larger values fail again ({key} = {}): past some point more of {key} makes it worse, \
                         so the search tried the values from the smallest up.",
                        worse.join(", ")
                    ));
            }
            format!(
                "Below: the details of the chosen value, {}.",
                label(&points[shown].0)
            )
        }
        None => {
            after.push(format!(
                "No value of {key} in {} .. {} meets every SLO.",
                plain(&values[0]),
                plain(&values[values.len() - 1])
            ));
            format!(
                "Below: the details of the largest value tried, {}.",
                label(&points[shown].0)
            )
        }
    };
    Grid {
        title: format!("Plan: smallest {key} that meets every SLO"),
        note: format!(
            "{} of {} values of {key} in {} .. {} run, found by {}, in order of value; every value ran all \
             its replications. A target holds when the upper end of its 95% interval (shown) is within the bound.",
            tried.len(),
            values.len(),
            plain(&values[0]),
            plain(&values[values.len() - 1]),
            search_words(tried, values.len())
        ),
        verdicts: Table {
            header: verdict_header(&points),
            rows: verdict_rows(points.iter().map(|(p, s)| (p, s)), note),
        },
        after,
        headline: headline(&points),
        shown,
        shown_label: label(&points[shown].0),
        shown_why,
    }
}

/// How the plan searched: bisection, or (the largest value failed) the
/// values from the smallest up.
fn search_words(tried: &[(usize, RunSummary)], n: usize) -> &'static str {
    let largest_failed = tried
        .iter()
        .any(|(i, s)| *i == n - 1 && point_word(s) != "PASS");
    if largest_failed && tried.len() > 1 {
        "trying the values from the smallest up (the largest failed)"
    } else {
        "bisection"
    }
}

/// `points/<label>/summary.json` for every point.
pub fn write_points(dir: &Path, points: &[(Point, RunSummary)]) -> Result<()> {
    for (i, (point, summary)) in points.iter().enumerate() {
        write_point(dir, i, point, summary)?;
    }
    Ok(())
}

/// `points/<label>/summary.json` for point `index`.
pub fn write_point(dir: &Path, index: usize, point: &Point, summary: &RunSummary) -> Result<()> {
    let sub = dir.join("points").join(point.label(index));
    std::fs::create_dir_all(&sub).with_context(|| format!("creating {}", sub.display()))?;
    output::write_file(
        &sub.join("summary.json"),
        output::summary_json(summary).as_bytes(),
    )
}

pub fn write_points_table(
    points: &[(Point, RunSummary)],
    out: &mut impl Write,
) -> std::io::Result<()> {
    let (header, rows) = points_rows(points);
    write_aligned(&header, &rows, out)
}

/// Header and rows of the per-point table: swept values, headline metrics
/// with intervals, SLO verdict.
pub fn points_rows(points: &[(Point, RunSummary)]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header: Vec<String> = points
        .first()
        .map(|(p, _)| p.settings.iter().map(|(k, _)| k.clone()).collect())
        .unwrap_or_default();
    header.extend(HEADLINE.iter().map(|m| format!("{m} [95%]")));
    header.push("SLO".into());
    let rows = points
        .iter()
        .map(|(p, s)| {
            let mut row: Vec<String> = p.settings.iter().map(|(_, v)| plain(v)).collect();
            row.extend(
                HEADLINE
                    .iter()
                    .map(|m| s.metric(m).map_or("-".into(), with_interval)),
            );
            row.push(slo_word(s));
            row
        })
        .collect();
    (header, rows)
}

pub fn plan_header(key: &str, tried: &[(usize, RunSummary)]) -> Vec<String> {
    let mut header = vec![key.to_owned()];
    let targets = tried
        .first()
        .map(|(_, s)| s.slo.clone())
        .unwrap_or_default();
    header.extend(
        targets
            .iter()
            .map(|t| format!("{} <= {}", t.metric, short(t.max))),
    );
    header.push("verdict".into());
    header
}

pub fn plan_rows(values: &[String], tried: &[(usize, RunSummary)]) -> Vec<Vec<String>> {
    tried
        .iter()
        .map(|(i, s)| {
            let mut row = vec![plain(&values[*i])];
            row.extend(s.slo.iter().map(|v| {
                let upper = v.ci95_high.unwrap_or(v.mean);
                let verdict = match (v.pass, v.unmeasured) {
                    (true, _) => "ok",
                    (false, 0) => "FAIL",
                    (false, _) => "FAIL (not measured)",
                };
                format!("{} {verdict}", short(upper))
            }));
            row.push(slo_word(s));
            row
        })
        .collect()
}

pub fn write_plan_table(
    key: &str,
    values: &[String],
    tried: &[(usize, RunSummary)],
    chosen: Option<usize>,
    dir: &Path,
    out: &mut impl Write,
) -> std::io::Result<()> {
    writeln!(
        out,
        "plan: smallest {key} in {} .. {} that meets every SLO ({} of {} values run; a target holds when \
         the upper end of its 95% interval is within the bound)",
        plain(&values[0]),
        plain(&values[values.len() - 1]),
        tried.len(),
        values.len()
    )?;
    write_aligned(&plan_header(key, tried), &plan_rows(values, tried), out)?;
    match chosen {
        Some(i) => {
            writeln!(out, "\nchosen: {key} = {}", plain(&values[i]))?;
            if let Some((_, below)) = tried.iter().find(|(j, _)| i > 0 && *j == i - 1) {
                let failed: Vec<&str> = below
                    .slo
                    .iter()
                    .filter(|v| !v.pass)
                    .map(|v| v.metric.as_str())
                    .collect();
                writeln!(
                    out,
                    "{} fails: {}",
                    plain(&values[i - 1]),
                    failed.join(", ")
                )?;
            }
        }
        None => {
            let closest = tried
                .iter()
                .min_by(|a, b| shortfall(&a.1).total_cmp(&shortfall(&b.1)))
                .map(|(i, _)| plain(&values[*i]));
            writeln!(
                out,
                "\nno value of {key} in the range meets every SLO; closest: {}",
                closest.unwrap_or_default()
            )?;
        }
    }
    writeln!(out, "outputs in {}", dir.display())
}

/// How far a point is from passing: the worst ratio of upper bound to target.
pub fn shortfall(s: &RunSummary) -> f64 {
    s.slo
        .iter()
        .map(|v| {
            let upper = v.ci95_high.unwrap_or(v.mean);
            if v.max > 0.0 {
                upper / v.max
            } else {
                upper + 1.0
            }
        })
        .fold(0.0, f64::max)
}

pub fn slo_word(s: &RunSummary) -> String {
    point_word(s).into() // STOPPED: a guard cut the point short, see its summary.json
}

pub fn with_interval(s: &mqsim::stats::Stat) -> String {
    match (s.ci95_low, s.ci95_high) {
        (Some(lo), Some(hi)) => format!("{} [{}, {}]", short(s.mean), short(lo), short(hi)),
        _ => short(s.mean),
    }
}

pub fn write_aligned(
    header: &[String],
    rows: &[Vec<String>],
    out: &mut impl Write,
) -> std::io::Result<()> {
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .chain(std::iter::once(header[c].chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        writeln!(out, "{}", cells.join("  ").trim_end())?;
    }
    Ok(())
}

pub fn sweep_json(points: &[(Point, RunSummary)]) -> String {
    let list: Vec<serde_json::Value> = points
        .iter()
        .map(|(p, s)| {
            let settings: serde_json::Map<String, serde_json::Value> = p
                .settings
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(plain(v))))
                .collect();
            serde_json::json!({
                "settings": settings,
                "pass": s.slo_pass(),
                "slo": output::json::slo_json(s),
                "metrics": output::json::metrics_json(s),
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&serde_json::json!({ "points": list }))
        .expect("a JSON value always serializes");
    text.push('\n');
    text
}
