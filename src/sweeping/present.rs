//! What `sweep` and `plan` show: the per-point table on the terminal and
//! in the report, the plan's verdict table, charts of headline metrics
//! against the swept key, `points/<label>/summary.json`, and `--format json`.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use mqsim::output::report::{Grid, Report, report_html};
use mqsim::output::sweep::plain;
use mqsim::output::table::short;
use mqsim::output::{self, RunSummary};
use mqsim::scenario::Scenario;
use mqsim::sweep::Point;

/// Metrics shown per point in the terminal.
pub(super) const HEADLINE: [&str; 5] = [
    "latency_p99",
    "backlog_max",
    "drain_time",
    "duplicates",
    "cost_usd",
];

/// Headline metrics against the swept keys (`chosen`: a plan's answer).
pub(super) fn write_sweep_charts(
    dir: &Path,
    base: &Scenario,
    points: &[(Point, RunSummary)],
    chosen: Option<&str>,
) -> Result<Vec<(String, String)>> {
    let charts = output::charts::sweep_charts(base, points, chosen);
    output::charts::write_charts(&dir.join("charts"), &charts)
}

pub(super) fn write_report(
    dir: &Path,
    sc: &Scenario,
    summary: &RunSummary,
    svgs: &[(String, String)],
    grid: Grid,
    command: &str,
) -> Result<()> {
    let report = Report {
        scenario: sc,
        summary,
        charts: svgs,
        grid: Some(grid),
        command,
    };
    output::write_file(&dir.join("report.html"), report_html(&report).as_bytes())
}

/// `points/<label>/summary.json` for every point.
pub(super) fn write_points(dir: &Path, points: &[(Point, RunSummary)]) -> Result<()> {
    for (i, (point, summary)) in points.iter().enumerate() {
        write_point(dir, i, point, summary)?;
    }
    Ok(())
}

/// `points/<label>/summary.json` for point `index`.
pub(super) fn write_point(
    dir: &Path,
    index: usize,
    point: &Point,
    summary: &RunSummary,
) -> Result<()> {
    let sub = dir.join("points").join(point.label(index));
    std::fs::create_dir_all(&sub).with_context(|| format!("creating {}", sub.display()))?;
    output::write_file(
        &sub.join("summary.json"),
        output::summary_json(summary).as_bytes(),
    )
}

pub(super) fn write_points_table(
    points: &[(Point, RunSummary)],
    out: &mut impl Write,
) -> std::io::Result<()> {
    let (header, rows) = points_rows(points);
    write_aligned(&header, &rows, out)
}

/// Header and rows of the per-point table: swept values, headline metrics
/// with intervals, SLO verdict.
pub(super) fn points_rows(points: &[(Point, RunSummary)]) -> (Vec<String>, Vec<Vec<String>>) {
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

pub(super) fn plan_header(key: &str, tried: &[(usize, RunSummary)]) -> Vec<String> {
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

pub(super) fn plan_rows(values: &[String], tried: &[(usize, RunSummary)]) -> Vec<Vec<String>> {
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

pub(super) fn write_plan_table(
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
pub(super) fn shortfall(s: &RunSummary) -> f64 {
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

pub(super) fn slo_word(s: &RunSummary) -> String {
    if s.manifest.partial.is_some() {
        return "STOPPED".into(); // a guard cut the point short: see its summary.json
    }
    match (s.slo.is_empty(), s.slo_pass()) {
        (true, _) => "-".into(),
        (false, true) => "PASS".into(),
        (false, false) => "FAIL".into(),
    }
}

pub(super) fn with_interval(s: &mqsim::stats::Stat) -> String {
    match (s.ci95_low, s.ci95_high) {
        (Some(lo), Some(hi)) => format!("{} [{}, {}]", short(s.mean), short(lo), short(hi)),
        _ => short(s.mean),
    }
}

pub(super) fn write_aligned(
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

pub(super) fn sweep_json(points: &[(Point, RunSummary)]) -> String {
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
