//! Networks against theory, with the validation suite's own models and
//! rule ([`mqsim::validation::network`]) at the quick size and a seed of
//! their own: an open feed-forward network of M/M/c stations (each
//! station's Wq and W against Erlang C at its traffic-equation rate,
//! end-to-end means against the sum of sojourns along each path, emit
//! shares binomial) and a topic's fan-out (every copy arrives; the filter's
//! share is binomial). Every check must pass, and a 10% bias in a station's
//! wait, in a journey or a 3% bias in a share must fail.

use rayon::prelude::*;

use mqsim::engine::result::ReplicationResult;
use mqsim::engine::run_replication;
use mqsim::validation::network::ShareTest;
use mqsim::validation::{Check, Mode, Model, Verdict, suite, validate};

fn run(model: &Model) -> Vec<ReplicationResult> {
    let sc = &model.scenario;
    (0..sc.replications)
        .into_par_iter()
        .map(|i| run_replication(sc, i))
        .collect()
}

fn judge(model: &Model, results: &[ReplicationResult]) -> Vec<Check> {
    let run = |_: &mqsim::scenario::Scenario| results.to_vec();
    validate(
        std::slice::from_ref(model),
        Mode::Quick,
        &run,
        &mut |_, _| {},
    )
}

fn assert_all_pass(checks: &[Check]) {
    for c in checks {
        eprintln!(
            "{:<28} {:<30} {:>12.6} {:>12.6} [{:.6}, {:.6}] ±{:.6} {:?}",
            c.model, c.quantity, c.theory, c.mean, c.ci95_low, c.ci95_high, c.tolerance, c.verdict
        );
    }
    for c in checks {
        assert_eq!(
            c.verdict,
            Verdict::Pass,
            "{} {}: theory {} simulated {} [{}, {}] tolerance {}",
            c.model,
            c.quantity,
            c.theory,
            c.mean,
            c.ci95_low,
            c.ci95_high,
            c.tolerance
        );
    }
}

/// The suite's quick network models (with its conservation checks), with
/// seeds of this test's own.
fn seeded() -> Vec<Model> {
    let network = mqsim::validation::network::models(Mode::Quick);
    let mut models: Vec<Model> = suite(Mode::Quick, None)
        .into_iter()
        .filter(|m| network.iter().any(|n| n.name == m.name))
        .collect();
    assert_eq!(models.len(), 2);
    for (i, m) in models.iter_mut().enumerate() {
        m.scenario.seed = 4_242 + i as u64;
    }
    models
}

#[test]
fn a_feed_forward_network_of_mmc_stations_matches_erlang_c_along_every_path() {
    let model = seeded().remove(0);
    let results = run(&model);
    let checks = judge(&model, &results);
    // Wq and W at A, B, C, D; journeys ending at A, B, D; emits A→B, A→C,
    // C→D; conservation.
    assert_eq!(checks.len(), 15);
    assert_all_pass(&checks);
    // The rule has teeth: a 10% bias in C's wait, or in the journeys
    // ending at D, fails (quick resolution 5%).
    let biased: Vec<ReplicationResult> = results
        .iter()
        .cloned()
        .map(|mut r| {
            for q in &mut r.queues {
                match q.name.as_str() {
                    "C" => q.metrics.wait_mean *= 1.1,
                    "D" => q.journey_latency_mean *= 0.9,
                    _ => {}
                }
            }
            r
        })
        .collect();
    let failed: Vec<String> = judge(&model, &biased)
        .into_iter()
        .filter(|c| c.verdict != Verdict::Pass)
        .map(|c| c.quantity)
        .collect();
    assert_eq!(failed, ["C: mean wait Wq", "end-to-end, ending at D"]);
}

#[test]
fn a_topic_copies_every_message_and_its_filter_passes_a_binomial_share() {
    let model = seeded().remove(1);
    let results = run(&model);
    let checks = judge(&model, &results);
    assert_eq!(checks.len(), 3);
    assert_all_pass(&checks);
    let queue = |r: &ReplicationResult, name: &str| {
        r.queues
            .iter()
            .find(|q| q.name == name)
            .unwrap()
            .metrics
            .clone()
    };
    // Counts per replication: S1 got exactly what A processed; nothing was
    // duplicated that could blur it.
    let pairs: Vec<(u64, u64)> = results
        .iter()
        .map(|r| {
            let (a, s1, s2) = (queue(r, "A"), queue(r, "S1"), queue(r, "S2"));
            assert_eq!(a.duplicates, 0.0);
            assert_eq!(s1.produced, a.processed_ok);
            (a.processed_ok as u64, s2.produced as u64)
        })
        .collect();
    // A 3% bias in S2's count (0.309 for 0.3) fails the pooled interval.
    let biased: Vec<(u64, u64)> = pairs
        .iter()
        .map(|&(n, x)| (n, (x as f64 * 1.03).round() as u64))
        .collect();
    assert!(!ShareTest::new(&biased, 0.3).pooled_inside);
    assert!(ShareTest::new(&pairs, 0.3).pooled_inside);
}
