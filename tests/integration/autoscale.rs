//! Autoscaling consumers: target tracking through a 4× spike, start-up,
//! scale-in of busy consumers, scheduled capacity.

use crate::common::{mean, run_all, scenario};
use mqsim::engine::result::ReplicationResult;

/// 20 msg/s at exp(500 ms), a 4× spike from 20 to 40 min; `consumers` is the
/// body of `[consumers]` after the processing line.
fn spike(consumers: &str) -> String {
    format!(
        r#"
duration = "1h"
warmup = "5m"
replications = 4
sample_interval = "10s"
[queue]
visibility_timeout = "60s"
[[producers]]
rate = 20
[consumers]
batch_size = 1
processing = {{ dist = "exp", mean = "500ms" }}
{consumers}
[[faults]]
kind = "spike"
at = "20m"
duration = "20m"
factor = 4
"#
    )
}

/// Mean over replications and over samples in `[from, to)` seconds of `f`.
fn during(
    results: &[ReplicationResult],
    from: f64,
    to: f64,
    f: impl Fn(&mqsim::engine::result::Sample) -> f64,
) -> f64 {
    let values: Vec<f64> = results
        .iter()
        .flat_map(|r| {
            r.timeseries
                .iter()
                .filter(|s| s.time >= from && s.time < to)
                .map(&f)
        })
        .collect();
    values.iter().sum::<f64>() / values.len() as f64
}

#[test]
fn through_a_spike_the_fleet_grows_and_backlog_per_consumer_returns_to_target() {
    let scaled = run_all(&scenario(&spike(
        "count = 12\nautoscale = { target_backlog_per_consumer = 10, min = 12, max = 120, \
         cooldown = \"10s\", evaluation = \"10s\" }",
    )));
    let fixed = run_all(&scenario(&spike("count = 12")));
    // 80 msg/s at 0.5 s keeps 40 consumers busy: the fleet grows from 12
    // to about that (target tracking trims it whenever the backlog is low).
    let up_in_spike = during(&scaled, 1320.0, 2400.0, |s| s.consumers_up);
    assert!(
        up_in_spike > 35.0,
        "consumers during the spike {up_in_spike}"
    );
    assert!(during(&scaled, 600.0, 1200.0, |s| s.consumers_up) < 13.0);
    // Scale-in waits for 15 minutes of a fleet too big: the spike ends at
    // 40 min, the fleet stays up until about 55 min, then goes back to 12.
    assert!(
        during(&scaled, 2460.0, 3240.0, |s| s.consumers_up) > 30.0,
        "held after the spike"
    );
    assert!(
        during(&scaled, 3400.0, 3600.0, |s| s.consumers_up) < 13.0,
        "back after the spike"
    );
    // Visible messages per consumer shoot past the target of 10 when the
    // spike starts, then come back to it once the fleet has grown.
    let per_consumer = |from: f64, to: f64| -> Vec<f64> {
        let mut v: Vec<f64> = scaled
            .iter()
            .flat_map(|r| r.timeseries.iter())
            .filter(|s| s.time >= from && s.time < to)
            .map(|s| s.visible / s.consumers_up)
            .collect();
        v.sort_by(f64::total_cmp);
        v
    };
    let surge = per_consumer(1200.0, 1320.0);
    assert!(surge[surge.len() - 1] > 30.0, "surge {surge:?}");
    let settled = per_consumer(1440.0, 2400.0);
    let p90 = settled[settled.len() * 9 / 10];
    assert!(
        p90 <= 15.0,
        "backlog per consumer after the surge, p90 {p90}"
    );
    // The fixed fleet of 12 drowns; the scaled one does not.
    assert!(mean(&fixed, "backlog_max") > 50_000.0);
    assert!(mean(&scaled, "backlog_max") < 2_000.0);
    // Paid for: 12 for 35 minutes, about 40 to 120 for 35.
    let hours = mean(&scaled, "consumer_hours");
    assert!((25.0..=60.0).contains(&hours), "consumer-hours {hours}");
}

#[test]
fn with_instant_start_and_room_to_grow_p99_approaches_a_fleet_sized_for_the_spike() {
    let scaled = run_all(&scenario(&spike(
        "count = 12\nautoscale = { target_backlog_per_consumer = 1, min = 12, max = 120, \
         cooldown = \"1s\", evaluation = \"1s\", startup = \"0s\", scale_in_after = \"1m\" }",
    )));
    let sized = run_all(&scenario(&spike("count = 48")));
    let (p99, p99_sized) = (mean(&scaled, "latency_p99"), mean(&sized, "latency_p99"));
    assert!(
        p99 < 1.25 * p99_sized,
        "p99 {p99} vs {p99_sized} for 48 fixed consumers"
    );
    assert!(mean(&scaled, "consumer_hours") < 0.6 * mean(&sized, "consumer_hours"));
}

#[test]
fn consumers_serve_only_after_their_startup() {
    let with = |startup: &str| {
        run_all(&scenario(&spike(&format!(
            "count = 12\nautoscale = {{ target_backlog_per_consumer = 5, min = 12, max = 120, \
             evaluation = \"10s\", startup = \"{startup}\" }}"
        ))))
    };
    let (instant, slow) = (with("0s"), with("90s"));
    assert!(during(&slow, 1200.0, 1320.0, |s| s.consumers_starting) > 1.0);
    assert_eq!(during(&instant, 0.0, 3600.0, |s| s.consumers_starting), 0.0);
    assert!(mean(&slow, "latency_p99") > 2.0 * mean(&instant, "latency_p99"));
}

#[test]
fn scale_in_either_finishes_or_abandons_the_batch_in_hand() {
    // Long processing, scale-in after the spike: abandoned messages wait out
    // the 60 s visibility timeout before anyone else can take them.
    let with = |mode: &str| {
        run_all(&scenario(
            &spike(&format!(
                "count = 12\nautoscale = {{ target_backlog_per_consumer = 2, min = 12, max = 120, \
                 evaluation = \"10s\", scale_in = \"{mode}\" }}"
            ))
            .replace("mean = \"500ms\"", "mean = \"2s\"")
            .replace("rate = 20", "rate = 5"),
        ))
    };
    let (finish, abandon) = (with("finish"), with("abandon"));
    assert!(mean(&abandon, "latency_max") > 60.0);
    assert!(mean(&finish, "latency_max") < mean(&abandon, "latency_max"));
    assert!(
        mean(&abandon, "received") > mean(&abandon, "produced") - mean(&abandon, "left_visible")
    );
}

#[test]
fn scheduled_capacity_sets_the_fleet_at_its_times() {
    let text = r#"
duration = "1h"
replications = 2
sample_interval = "60s"
[[producers]]
rate = 5
[consumers]
processing = "100ms"
autoscale = { schedule = [["0s", 4], ["30m", 8]], max = 8 }
"#;
    let results = run_all(&scenario(text));
    for r in &results {
        let up: Vec<f64> = r.timeseries.iter().map(|s| s.consumers_up).collect();
        assert!(up[1..30].iter().all(|&n| n == 4.0), "{up:?}");
        assert!(up[31..].iter().all(|&n| n == 8.0), "{up:?}");
        assert!((r.metrics.consumer_hours - 6.0).abs() < 1e-9);
    }
}
