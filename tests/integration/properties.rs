//! Property tests: random valid scenarios — any mix of batching, errors,
//! poison, heartbeats, delays, retention, crashes, duplicates, every fault
//! kind, FIFO groups, repeated sends, throttling, requeue on consumer loss,
//! whole-batch failure, batching windows and autoscaling — never panic,
//! conserve messages, are deterministic, keep FIFO order, and keep every
//! metric within its obvious bounds.

use proptest::prelude::*;

use crate::common::scenario;
use mqsim::engine::run_replication;

/// A fault line for a horizon of `horizon` seconds.
fn fault(horizon: u32) -> impl Strategy<Value = String> {
    (0..5u8, 0..horizon, 1..horizon, 0.1f64..5.0, 0.0f64..1.0).prop_map(
        move |(kind, at, len, factor, p)| {
            let at = at.min(horizon - 1);
            let len = len.min(horizon - at).max(1);
            let keys = match kind {
                0 => format!("kind = \"consumer-outage\"\nfraction = {p}"),
                1 => "kind = \"queue-outage\"".to_owned(),
                2 => format!("kind = \"spike\"\nfactor = {factor}"),
                3 => format!("kind = \"slowdown\"\nfactor = {factor}"),
                _ => format!("kind = \"error-burst\"\nerror_rate = {p}"),
            };
            format!("[[faults]]\n{keys}\nat = \"{at}s\"\nduration = \"{len}s\"\n")
        },
    )
}

prop_compose! {
    fn scenario_text()(
        horizon in 20u32..400,
        drain in any::<bool>(),
        rate in 0.5f64..40.0,
        constant in any::<bool>(),
        send_batch in 1u32..=10,
        count in 1u32..8,
        batch in 1u32..=10,
        wait in 0u32..=20,
        mean_ms in 5u32..800,
        dist in 0u8..3,
        error_rate in 0.0f64..0.3,
        release in any::<bool>(),
        poison in 0.0f64..0.05,
        vt in 0u32..60,
        max_receive in 0u32..6,
        heartbeat in 0u32..20,
        latency_ms in 0u32..40,
        delay in 0u32..5,
        retention in 60u32..400,
        duplicate in 0.0f64..0.05,
        stale_deletes in any::<bool>(),
        crash_mtbf in 0u32..300,
        crash_per_message in 0.0f64..0.02,
        retry in 0u32..5,
        buffer in 0u32..200,
    )(
        faults in proptest::collection::vec(fault(horizon), 0..4),
        horizon in Just(horizon), drain in Just(drain), rate in Just(rate), constant in Just(constant),
        send_batch in Just(send_batch), count in Just(count), batch in Just(batch), wait in Just(wait),
        mean_ms in Just(mean_ms), dist in Just(dist), error_rate in Just(error_rate), release in Just(release),
        poison in Just(poison), vt in Just(vt), max_receive in Just(max_receive), heartbeat in Just(heartbeat),
        latency_ms in Just(latency_ms), delay in Just(delay), retention in Just(retention),
        duplicate in Just(duplicate), stale_deletes in Just(stale_deletes), crash_mtbf in Just(crash_mtbf),
        crash_per_message in Just(crash_per_message), retry in Just(retry), buffer in Just(buffer),
    ) -> String {
        let processing = match dist {
            0 => format!("\"{mean_ms}ms\""),
            1 => format!("{{ dist = \"exp\", mean = \"{mean_ms}ms\" }}"),
            _ => format!("{{ dist = \"gamma\", mean = \"{mean_ms}ms\", cv = 1.5 }}"),
        };
        let mut text = format!(
            "duration = \"{horizon}s\"\ndrain = {drain}\nreplications = 2\nsample_interval = \"5s\"\n\
             [queue]\nvisibility_timeout = \"{vt}s\"\nretention = \"{retention}s\"\ndelay = \"{delay}s\"\n\
             duplicate_delivery = {duplicate}\nstale_delete = \"{}\"\n",
            if stale_deletes { "deletes" } else { "ignored" }
        );
        if max_receive > 0 {
            text += &format!("max_receive_count = {max_receive}\n");
        }
        text += &format!(
            "[[producers]]\nrate = {rate}\narrivals = \"{}\"\nsend_batch = {send_batch}\n\
             retry = {{ attempts = {retry}, backoff = \"1s\" }}\nbuffer = {buffer}\n",
            if constant { "constant" } else { "poisson" }
        );
        text += &format!(
            "[consumers]\ncount = {count}\nbatch_size = {batch}\nwait_time = \"{wait}s\"\nprocessing = {processing}\n\
             error_rate = {error_rate}\non_error = \"{}\"\npoison_fraction = {poison}\nrequest_latency = \"{latency_ms}ms\"\n",
            if release { "release" } else { "wait" }
        );
        if heartbeat > 0 {
            text += &format!("heartbeat = \"{heartbeat}s\"\n");
        }
        if crash_mtbf > 0 {
            text += &format!(
                "crash = {{ mtbf = \"{crash_mtbf}s\", per_message = {crash_per_message}, restart = {{ dist = \"exp\", mean = \"3s\" }} }}\n"
            );
        }
        text + &faults.concat()
    }
}

/// Settings of FIFO queues, autoscaling and the delivery-model knobs,
/// spliced into a [`scenario_text`].
#[derive(Clone, Debug)]
struct Extras {
    queue: String,
    producer: String,
    consumers: String,
    fifo: bool,
    autoscale: Option<(u32, u32, String)>,
}

prop_compose! {
    fn extras()(
        fifo in any::<bool>(),
        groups in 1u32..20,
        skew in 0.0f64..2.0,
        lost_acks in 0.0f64..0.1,
        throttle in 0u32..30,
        requeue in any::<bool>(),
        whole in any::<bool>(),
        window in 0u32..3,
        autoscale in any::<bool>(),
        min in 0u32..4,
        extra_max in 1u32..8,
        target in 1u32..20,
        (eval, startup, scale_in_after) in (1u32..30, 0u32..20, 0u32..60),
        (abandon, in_flight_metric) in (any::<bool>(), any::<bool>()),
    ) -> Extras {
        let mut queue = format!(
            "on_consumer_loss = \"{}\"\n",
            if requeue { "requeue" } else { "timeout" }
        );
        if fifo {
            queue += "type = \"fifo\"\n";
        }
        if throttle > 0 {
            queue += &format!("throughput_limit = {throttle}\n");
        }
        let producer = format!("groups = {groups}\ngroup_skew = {skew}\nlost_acks = {lost_acks}\n");
        let consumers = format!(
            "batch_failure = \"{}\"\nbatch_window = \"{window}s\"\n",
            if whole { "whole" } else { "partial" }
        );
        let policy = format!(
            "target_backlog_per_consumer = {target}, evaluation = \"{eval}s\", startup = \"{startup}s\", \
             cooldown = \"{eval}s\", scale_in_after = \"{scale_in_after}s\", scale_in = \"{}\", metric = \"{}\"",
            if abandon { "abandon" } else { "finish" },
            if in_flight_metric { "visible_and_in_flight" } else { "visible" }
        );
        Extras { queue, producer, consumers, fifo, autoscale: autoscale.then_some((min, extra_max, policy)) }
    }
}

/// `text` with `extras` spliced into its sections.
fn with_extras(text: &str, extras: &Extras) -> String {
    let mut text = text.replace("[queue]\n", &format!("[queue]\n{}", extras.queue));
    if extras.fifo {
        // Settings of standard queues that FIFO queues reject.
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with("duplicate_delivery") && !l.starts_with("stale_delete"))
            .collect();
        text = lines.join("\n") + "\n";
    }
    text = text.replace(
        "[[producers]]\n",
        &format!("[[producers]]\n{}", extras.producer),
    );
    let mut consumers = extras.consumers.clone();
    if let Some((min, extra_max, policy)) = &extras.autoscale {
        let count: u32 = text
            .lines()
            .find_map(|l| l.strip_prefix("count = "))
            .and_then(|n| n.parse().ok())
            .unwrap_or(1);
        let (min, max) = ((*min).min(count), count + extra_max);
        consumers += &format!("autoscale = {{ min = {min}, max = {max}, {policy} }}\n");
    }
    text.replace("[consumers]\n", &format!("[consumers]\n{consumers}"))
}

/// 96 cases in the suite (about a second); `PROPTEST_CASES=5000` for a hunt.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(96)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn random_scenarios_conserve_and_stay_in_bounds(base in scenario_text(), extras in proptest::option::of(extras())) {
        let text = match &extras {
            Some(e) => with_extras(&base, e),
            None => base,
        };
        let sc = scenario(&text);
        for k in 0..sc.replications {
            let r = run_replication(&sc, k);
            let m = &r.metrics;
            prop_assert!(r.conservation.holds(), "{:?}\n{text}", r.conservation);
            prop_assert_eq!(&run_replication(&sc, k).metrics, m, "not deterministic\n{}", text);
            prop_assert!((0.0..=1.0 + 1e-9).contains(&m.consumer_utilization), "utilization {}\n{text}", m.consumer_utilization);
            prop_assert!(m.duplicates <= m.processed_ok, "duplicates {} > processed {}\n{text}", m.duplicates, m.processed_ok);
            prop_assert!(m.deleted <= m.received, "deleted {} > received {}\n{text}", m.deleted, m.received);
            prop_assert!(m.deleted + m.dead_lettered + m.expired <= m.produced);
            // Percentiles are reported at the top of their 0.1% bucket.
            let top = m.latency_max * 1.001 + 1e-6;
            prop_assert!(m.latency_p50 <= m.latency_p99 && m.latency_p99 <= top, "p50 {} p99 {} max {}\n{text}", m.latency_p50, m.latency_p99, m.latency_max);
            prop_assert!(m.requests_receive_empty <= m.requests_receive);
            let by_cause: u64 = r.duplicates_by_cause.values().iter().sum();
            prop_assert_eq!(by_cause as f64, m.duplicates, "causes do not add up\n{}", text);
            prop_assert!(m.backlog_max >= m.left_visible);
            prop_assert_eq!(m.out_of_order, 0.0, "FIFO order broken\n{}", text);
            prop_assert!(m.consumer_hours >= 0.0 && m.group_blocked_time_max >= 0.0);
            for f in &r.faults {
                prop_assert!(f.drain_time >= 0.0 && f.backlog_peak >= 0.0);
            }
        }
    }
}
