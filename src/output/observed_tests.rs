use super::*;
use crate::time::SimTime;

fn run(visible: &[f64]) -> Vec<Sample> {
    visible
        .iter()
        .enumerate()
        .map(|(k, &v)| Sample {
            time: 60.0 * k as f64,
            visible: v,
            oldest_age: 2.0 * v,
            ..Sample::default()
        })
        .collect()
}

fn observed(points: &[(u64, f64)]) -> ObservedSeries {
    ObservedSeries {
        file: "visible.csv".into(),
        metric: None,
        points: points
            .iter()
            .map(|&(s, v)| (SimTime::from_secs(s), v))
            .collect(),
        dropped: 2,
        spacing: SimTime::from_secs(60),
    }
}

#[test]
fn distances_peaks_and_the_range_of_the_replications() {
    let a = run(&[0.0, 10.0, 30.0, 10.0]);
    let b = run(&[0.0, 20.0, 50.0]);
    let runs: Vec<&[Sample]> = vec![&a, &b];
    // 70 s rounds to the sample at 60 s; the point at 600 s is after the run.
    let s = observed(&[(0, 0.0), (70, 12.0), (120, 60.0), (180, 4.0), (600, 1.0)]);
    let bt = compare(Level::Visible, &s, &runs, 60.0);
    assert_eq!(bt.points.len(), 4);
    assert_eq!(bt.not_compared, 3, "2 before time 0, 1 after the run");
    // Replication b ended before 180 s: drained there (0).
    let means: Vec<f64> = bt.points.iter().map(|p| p.mean).collect();
    assert_eq!(means, vec![0.0, 15.0, 40.0, 5.0]);
    let inside: Vec<bool> = bt.points.iter().map(ComparedPoint::inside).collect();
    assert_eq!(inside, vec![true, true, false, true]);
    assert_eq!(bt.inside, 3);
    let diffs = [0.0, 3.0, -20.0, 1.0_f64];
    let rmse = (diffs.iter().map(|d| d * d).sum::<f64>() / 4.0).sqrt();
    assert!((bt.rmse - rmse).abs() < 1e-12);
    assert!((bt.bias - (-16.0 / 4.0)).abs() < 1e-12);
    assert_eq!(bt.peak_observed, (60.0, 120.0));
    assert_eq!(bt.peak_simulated.mean, 40.0, "mean of the peaks 30 and 50");
    assert_eq!(bt.peak_ratio(), Some(40.0 / 60.0));
    assert!((bt.inside_expected - 1.0 / 3.0).abs() < 1e-12);
}

#[test]
fn the_age_series_reads_the_oldest_age() {
    let a = run(&[1.0, 2.0]);
    let runs: Vec<&[Sample]> = vec![&a];
    let bt = compare(Level::Age, &observed(&[(60, 4.0)]), &runs, 60.0);
    assert_eq!(bt.points[0].mean, 4.0);
    let c = [Sample {
        oldest_age: 0.7,
        ..Sample::default()
    }];
    let floored = compare(Level::Age, &observed(&[(0, 0.0)]), &[&c[..]], 60.0);
    assert_eq!(
        floored.points[0].mean, 0.0,
        "whole seconds, as CloudWatch reports"
    );
    assert_eq!(bt.rmse, 0.0);
    assert_eq!(bt.inside_expected, 0.0, "one replication has no range");
}
