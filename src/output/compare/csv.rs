//! `compare.csv`: one row per headline metric × alternative, metric by
//! metric in [`crate::compare::HEADLINE`] order, alternatives in their
//! order within each:
//! `label,metric,mean,ci95_low,ci95_high,diff_mean,diff_ci95_low,diff_ci95_high,diff_pct`
//! (the interval names of `summary.json` and `sweep.csv`). `ci95_*` is the 95% interval of the alternative's mean; `diff_*` the
//! paired difference from the first alternative (its mean, 95% interval,
//! and `diff_pct`, the mean difference in percent of the first's mean).
//! The first alternative's diff cells are empty, as is any figure that does
//! not exist (an interval with one replication, a change from 0).

use super::Comparison;
use crate::output::csv_files::fmt_num;

/// The header of `compare.csv`.
pub const HEADER: [&str; 9] = [
    "label",
    "metric",
    "mean",
    "ci95_low",
    "ci95_high",
    "diff_mean",
    "diff_ci95_low",
    "diff_ci95_high",
    "diff_pct",
];

/// The bytes of `compare.csv`.
pub fn compare_csv(c: &Comparison) -> Vec<u8> {
    let cell = |v: Option<f64>| v.map_or_else(String::new, fmt_num);
    let mut out = ::csv::Writer::from_writer(Vec::new());
    out.write_record(HEADER).expect("in-memory write");
    for row in &c.rows {
        for (alt, f) in c.alternatives.iter().zip(&row.figures) {
            let d = f.diff;
            let record = [
                alt.label.clone(),
                row.metric.to_owned(),
                fmt_num(f.stat.mean),
                cell(f.stat.ci95_low),
                cell(f.stat.ci95_high),
                cell(d.map(|d| d.mean)),
                cell(d.and_then(|d| d.ci95_low)),
                cell(d.and_then(|d| d.ci95_high)),
                cell(d.and_then(|d| d.pct)),
            ];
            out.write_record(&record).expect("in-memory write");
        }
    }
    out.into_inner().expect("in-memory flush")
}
