//! The CSV results: `replications.csv`, `timeseries.csv`, `latency.csv`.
//!
//! Numbers are written the same way everywhere: whole values as integers,
//! others in Rust's shortest round-trip form, NaN as an empty field, so the
//! files are byte-identical for the same inputs on any machine.

use hdrhistogram::Histogram;

use super::observed::Backtest;
use super::summary::RunSummary;
use crate::engine::result::{Metrics, ReplicationResult, ResourceMetrics, Sample};

/// Quantiles reported in `latency.csv`.
pub const LATENCY_QUANTILES: [f64; 9] = [0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9995, 0.9999];

/// `replication,seed,` then each metric of `names` (those the scenario
/// reports, [`Metrics::names_for`]), one row per replication; a network
/// adds `<queue>.<metric>` columns, queue by queue, and shared resources
/// `<resource>.<metric>` columns ([`ResourceMetrics::NAMES`]).
pub fn replications_csv(results: &[ReplicationResult], names: &[&str]) -> Vec<u8> {
    let mut header = vec!["replication".to_owned(), "seed".to_owned()];
    header.extend(names.iter().map(|n| (*n).to_owned()));
    if let Some(first) = results.first() {
        for q in &first.queues {
            header.extend(names.iter().map(|n| format!("{}.{n}", q.name)));
        }
        for r in &first.resources {
            header.extend(
                ResourceMetrics::NAMES
                    .iter()
                    .map(|n| format!("{}.{n}", r.name)),
            );
        }
    }
    let values = |m: &Metrics| -> Vec<String> {
        names
            .iter()
            .map(|n| fmt_num(m.get(n).unwrap_or(f64::NAN)))
            .collect()
    };
    let rows = results.iter().map(|r| {
        let mut row = vec![r.replication.to_string(), r.seed.to_string()];
        row.extend(values(&r.metrics));
        for q in &r.queues {
            row.extend(values(&q.metrics));
        }
        for res in &r.resources {
            row.extend(res.metrics.values().into_iter().map(fmt_num));
        }
        row
    });
    write_csv(header, rows)
}

/// Columns of `timeseries.csv` after [`Sample::COLUMNS`]: the latency of
/// the messages sent in the row's interval, and the range of the oldest
/// age over replications (see `docs/metrics.md`).
pub const EXTRA_COLUMNS: [&str; 5] = [
    "latency_p50",
    "latency_p90",
    "latency_p99",
    "oldest_age_min",
    "oldest_age_max",
];

/// The mean time series, columns of [`Sample::COLUMNS`] then
/// [`EXTRA_COLUMNS`] (an empty latency cell: no message sent in that
/// interval completed), then a network's `<queue>.visible` and
/// `<queue>.in_flight`, then each shared resource's mean
/// `<resource>.holders` and `<resource>.waiters`.
pub fn timeseries_csv(summary: &RunSummary) -> Vec<u8> {
    let mut header: Vec<String> = Sample::COLUMNS
        .iter()
        .chain(&EXTRA_COLUMNS)
        .map(|c| (*c).to_owned())
        .collect();
    for q in &summary.queues {
        header.push(format!("{}.visible", q.name));
        header.push(format!("{}.in_flight", q.name));
    }
    for r in &summary.resources {
        header.push(format!("{}.holders", r.name));
        header.push(format!("{}.waiters", r.name));
    }
    let rows = summary.timeseries.iter().enumerate().map(|(i, s)| {
        let latency = summary
            .latency_by_sent
            .get(i)
            .copied()
            .unwrap_or([f64::NAN; 3]);
        let (lo, hi) = summary
            .oldest_age_range
            .get(i)
            .copied()
            .unwrap_or((f64::NAN, f64::NAN));
        let per_queue = summary.queues.iter().flat_map(|q| {
            let row = q.timeseries.get(i);
            [
                row.map_or(f64::NAN, |r| r.visible),
                row.map_or(f64::NAN, |r| r.in_flight),
            ]
        });
        let per_resource = summary.resources.iter().flat_map(|r| {
            let row = r.timeseries.get(i);
            [
                row.map_or(f64::NAN, |r| r.holders),
                row.map_or(f64::NAN, |r| r.waiters),
            ]
        });
        s.values()
            .into_iter()
            .chain(latency)
            .chain([lo, hi])
            .chain(per_queue)
            .chain(per_resource)
            .map(fmt_num)
            .collect()
    });
    write_csv(header, rows)
}

/// `quantile,seconds` of the pooled latency histogram (µs); no rows when empty.
pub fn latency_csv(latency: &Histogram<u64>) -> Vec<u8> {
    let header = vec!["quantile".to_owned(), "seconds".to_owned()];
    let rows = LATENCY_QUANTILES
        .iter()
        .filter(|_| !latency.is_empty())
        .map(|&q| {
            vec![
                fmt_num(q),
                fmt_num(latency.value_at_quantile(q) as f64 / 1e6),
            ]
        });
    write_csv(header, rows)
}

/// `observed.csv`: each observed point beside the simulation at its
/// instant (the mean and the range of the replications).
pub fn observed_csv(b: &Backtest) -> Vec<u8> {
    let header = [
        "series",
        "time_s",
        "observed",
        "simulated_mean",
        "simulated_min",
        "simulated_max",
    ];
    let rows = b.series.iter().flat_map(|s| {
        s.points.iter().map(|p| {
            let mut row = vec![s.level.key().to_owned()];
            row.extend([p.time, p.observed, p.mean, p.low, p.high].map(fmt_num));
            row
        })
    });
    write_csv(header.map(str::to_owned).to_vec(), rows)
}

/// A number as written in every CSV file.
pub fn fmt_num(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else if v.fract() == 0.0 && v.abs() < 9.0e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn write_csv(header: Vec<String>, rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut out = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    out.write_record(&header).expect("in-memory write");
    for row in rows {
        out.write_record(&row).expect("in-memory write");
    }
    out.into_inner().expect("in-memory flush")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_deterministically() {
        assert_eq!(fmt_num(12.0), "12");
        assert_eq!(fmt_num(-3.0), "-3");
        assert_eq!(fmt_num(0.1), "0.1");
        assert_eq!(fmt_num(1.0 / 3.0), "0.3333333333333333");
        assert_eq!(fmt_num(f64::NAN), "");
    }
}
