//! Network models of the validation suite: an open feed-forward network of
//! M/M/c stations, and a topic's fan-out with a filter.
//!
//! **Feed-forward** (`A → B` with p 0.6, `A → C` with p 0.5, `C → D`):
//! Poisson arrivals at A; each emit is an independent Bernoulli draw after a
//! successful processing. A's departures are Poisson (Burke), and a
//! Bernoulli thinning of a Poisson process is Poisson, so every station sees
//! Poisson arrivals at its traffic-equation rate and is exactly M/M/c: its
//! mean wait (`wait_mean`) and sojourn (`latency_mean` of that queue) are
//! the Erlang C values. The end-to-end mean of the journeys that end at a
//! queue (`journey_latency_mean`) is the sum of the mean sojourns along the
//! path from A: by linearity of expectation, whatever the dependence between
//! the stations, because the emit draws do not depend on how long a
//! processing took. Emits move at once (no API latency), so a message
//! reaches B the instant A finishes with it.
//!
//! **Fan-out** (`A → topic T → S1, S2 with filter 0.3`): S1 receives every
//! message A processed (`S1.produced = A.processed_ok` in every replication,
//! an identity), and S2's count is Binomial(A.processed_ok, 0.3). The emits
//! of the feed-forward network are checked the same way
//! (`B.produced ~ Binomial(A.processed_ok, 0.6)`, `D.produced =
//! C.processed_ok`).
//!
//! **The binomial rule** for a share (`docs/validation.md`): given the
//! counts `n_k` that were offered in replication `k`, the passes are
//! Binomial(n_k, p) and independent. A share check passes when (1) the
//! pooled count `Σ x_k` lies in the exact `1 − ALPHA` interval of
//! Binomial(Σ n_k, p), (2) at most `m` replications fall outside their own
//! exact 99.9% interval, `m` the smallest with P(Binomial(R, 0.001) > m) ≤
//! `ALPHA` (2 for 40 replications), and (3) the pooled interval's half-width
//! is within the mode's resolution of `p` (otherwise IMPRECISE). A correct
//! engine fails (1) or (2) with probability at most 2 ALPHA.

use statrs::distribution::{Binomial, DiscreteCDF};

use super::Mode;
use super::judge::{ALPHA, Check, Verdict};
use super::suite::{Expectation, Model, Quantity, expect, parse};
use super::theory::Mmc;
use crate::engine::result::{QueueResult, ReplicationResult};

/// Error probability of the per-replication binomial interval.
const PER_REPLICATION: f64 = 1e-3;

/// One M/M/c station of the feed-forward network (service rate 1 / mean).
struct Station {
    name: &'static str,
    c: u32,
    mean_service: f64,
    emit: &'static [(&'static str, f64)],
}

/// Arrivals at A, per second.
const LAMBDA_A: f64 = 4.0;

/// In topological order, A first; every station but A is fed by exactly one
/// upstream station, so each has one path from A. Utilisations: A 0.8
/// (λ 4, M/M/5), B 0.6 (λ 2.4, M/M/4), C 0.8 (λ 2, M/M/1, service 0.4 s),
/// D 0.75 (λ 2, M/M/2, service 0.75 s).
const STATIONS: [Station; 4] = [
    station("A", 5, 1.0, &[("B", 0.6), ("C", 0.5)]),
    station("B", 4, 1.0, &[]),
    station("C", 1, 0.4, &[("D", 1.0)]),
    station("D", 2, 0.75, &[]),
];

const fn station(
    name: &'static str,
    c: u32,
    mean_service: f64,
    emit: &'static [(&'static str, f64)],
) -> Station {
    Station {
        name,
        c,
        mean_service,
        emit,
    }
}

/// The network models: feed-forward, then fan-out.
pub fn models(mode: Mode) -> Vec<Model> {
    let shrink = match mode {
        Mode::Full => 1.0,
        Mode::Quick => 0.1,
    };
    vec![feed_forward(shrink), fan_out(shrink)]
}

/// Arrival rate and upstream station of each station, from the traffic
/// equations `λ_j = Σ_i λ_i p_ij` (one pass: the list is topological).
fn traffic() -> Vec<(f64, Option<usize>)> {
    let index = |name: &str| STATIONS.iter().position(|s| s.name == name).unwrap();
    let mut flow = vec![(0.0, None); STATIONS.len()];
    flow[0].0 = LAMBDA_A;
    for (i, s) in STATIONS.iter().enumerate() {
        for &(to, p) in s.emit {
            let j = index(to);
            flow[j] = (flow[j].0 + flow[i].0 * p, Some(i));
        }
    }
    flow
}

fn feed_forward(shrink: f64) -> Model {
    let flow = traffic();
    let theory: Vec<Mmc> = STATIONS
        .iter()
        .zip(&flow)
        .map(|(s, &(lambda, _))| Mmc {
            lambda,
            mu: 1.0 / s.mean_service,
            c: s.c,
        })
        .collect();
    // Transients add up along a path: warm up for 20 relaxation times of
    // every station together.
    let relaxation: f64 = theory
        .iter()
        .map(|m| {
            let rho = m.lambda / (f64::from(m.c) * m.mu);
            1.0 / (f64::from(m.c) * m.mu * (1.0 - rho.sqrt()).powi(2))
        })
        .sum();
    let warmup = (20.0 * relaxation).ceil();
    // A million messages into A per replication (full): every half-width
    // is then at most about 1.1% of its value (pilot runs with 2 million:
    // at most 0.8%, docs/validation.md), 3.5% in the quick suite.
    let duration = (warmup + 1.0e6 * shrink / LAMBDA_A).ceil();
    let mut text = format!(
        "name = \"validate-network\"\nduration = {duration}\nwarmup = {warmup}\n\
         replications = 40\nsample_interval = {}\n\n[[producers]]\nrate = {LAMBDA_A}\nto = \"A\"\n",
        (duration / 100.0).ceil()
    );
    for s in &STATIONS {
        let emit: Vec<String> = s
            .emit
            .iter()
            .map(|(to, p)| format!("{{ to = \"{to}\", p = {p} }}"))
            .collect();
        text.push_str(&queue_table(s.name, s.c, s.mean_service, &emit.join(", ")));
    }
    let mut expectations = Vec::new();
    for (i, s) in STATIONS.iter().enumerate() {
        expectations.push(expect(Quantity::QueueWaitMean(s.name), theory[i].wq()));
        expectations.push(expect(Quantity::QueueSojournMean(s.name), theory[i].w()));
    }
    for (i, s) in STATIONS.iter().enumerate() {
        // Journeys end here unless every processing sends something on.
        let ends = s.emit.iter().map(|(_, p)| 1.0 - p).product::<f64>() > 0.0;
        if ends {
            let mut path_sum = 0.0;
            let mut at = Some(i);
            while let Some(k) = at {
                path_sum += theory[k].w();
                at = flow[k].1;
            }
            expectations.push(expect(Quantity::JourneyMean(s.name), path_sum));
        }
    }
    for (i, s) in STATIONS.iter().enumerate() {
        for &(to, p) in s.emit {
            expectations.push(emit_check(STATIONS[i].name, to, p));
        }
    }
    Model {
        name: "M/M/c network A->{B,C->D}".into(),
        scenario: parse(&text),
        expectations,
    }
}

/// A share `p < 1` is binomial; `p = 1` is the identity "every message".
fn emit_check(from: &'static str, to: &'static str, p: f64) -> Expectation {
    if p >= 1.0 {
        expect(Quantity::Copies { from, to }, f64::NAN)
    } else {
        expect(Quantity::Share { from, to }, p)
    }
}

/// A (M/M/16 at 0.625) publishes every processed message to topic T; S1
/// takes all, S2 a 0.3 share. S1 and S2 have no fleets: their counts are
/// all that is checked, and nothing is spent serving them.
fn fan_out(shrink: f64) -> Model {
    let messages = 1.0e5 * shrink;
    let lambda = 10.0;
    let duration = (100.0 + messages / lambda).ceil();
    let mut text = format!(
        "name = \"validate-fan-out\"\nduration = {duration}\nwarmup = 100\nreplications = 40\n\
         sample_interval = {}\n\n[[producers]]\nrate = {lambda}\nto = \"A\"\n\n\
         [topics.T]\nsubscribers = [\"S1\", {{ queue = \"S2\", filter = 0.3 }}]\n",
        (duration / 100.0).ceil()
    );
    text.push_str(&queue_table("A", 16, 1.0, "{ to = \"T\" }"));
    text.push_str("\n[queues.S1]\nretention = \"14d\"\n\n[queues.S2]\nretention = \"14d\"\n");
    Model {
        name: "fan-out A->T->{S1,S2 0.3}".into(),
        scenario: parse(&text),
        expectations: vec![
            expect(
                Quantity::Copies {
                    from: "A",
                    to: "S1",
                },
                f64::NAN,
            ),
            expect(
                Quantity::Share {
                    from: "A",
                    to: "S2",
                },
                0.3,
            ),
        ],
    }
}

/// A queue and its fleet as exact FIFO servers: one consumer per server,
/// batch 1, long polling, no API latency, a 12 h visibility timeout (the
/// maximum; never reached) and exponential service.
fn queue_table(name: &str, c: u32, mean_service: f64, emit: &str) -> String {
    format!(
        r#"
[queues.{name}]
visibility_timeout = "12h"
retention = "14d"

[queues.{name}.consumers]
count = {c}
batch_size = 1
wait_time = "20s"
request_latency = "0ms"
processing = {{ dist = "exp", mean = "{ms}ms" }}
emit = [{emit}]
"#,
        ms = mean_service * 1000.0
    )
}

/// The queue called `name` in replication `r`.
pub(super) fn queue<'r>(r: &'r ReplicationResult, name: &str) -> Option<&'r QueueResult> {
    r.queues.iter().find(|q| q.name == name)
}

/// The counts a copy or share check compares, per replication: what `from`
/// processed and what `to` accepted (NaN-free: a missing queue counts 0,
/// which fails the check).
fn counts(results: &[ReplicationResult], from: &str, to: &str) -> Vec<(u64, u64)> {
    let count = |r: &ReplicationResult, name: &str, metric: fn(&QueueResult) -> f64| {
        queue(r, name).map_or(0, |q| metric(q) as u64)
    };
    results
        .iter()
        .map(|r| {
            (
                count(r, from, |q| q.metrics.processed_ok),
                count(r, to, |q| q.metrics.produced),
            )
        })
        .collect()
}

/// Judges a [`Quantity::Copies`] or [`Quantity::Share`] expectation.
pub(super) fn judge_counts(
    model: &Model,
    e: &Expectation,
    results: &[ReplicationResult],
    mode: Mode,
) -> Check {
    let (from, to) = match e.quantity {
        Quantity::Copies { from, to } | Quantity::Share { from, to } => (from, to),
        _ => unreachable!("judge_counts judges counts only"),
    };
    let pairs = counts(results, from, to);
    let offered: u64 = pairs.iter().map(|p| p.0).sum();
    let passed: u64 = pairs.iter().map(|p| p.1).sum();
    let mut check = Check {
        model: model.name.clone(),
        quantity: e.quantity.label(),
        theory: offered as f64,
        mean: passed as f64,
        ci95_low: f64::NAN,
        ci95_high: f64::NAN,
        tolerance: 0.0,
        replications: results.len(),
        verdict: Verdict::Fail,
    };
    if let Quantity::Copies { .. } = e.quantity {
        let exact = !pairs.is_empty() && pairs.iter().all(|(n, x)| n == x && *n > 0);
        check.verdict = if exact { Verdict::Pass } else { Verdict::Fail };
        return check;
    }
    let p = e.theory;
    let share = ShareTest::new(&pairs, p);
    let n = offered.max(1) as f64;
    let observed = passed as f64 / n;
    let se = (observed * (1.0 - observed) / n).sqrt();
    check.theory = p;
    check.mean = observed;
    (check.ci95_low, check.ci95_high) = (observed - 1.96 * se, observed + 1.96 * se);
    check.tolerance = share.half_width;
    check.verdict = if !share.pooled_inside || share.misses > share.allowed_misses {
        Verdict::Fail
    } else if share.half_width > mode.resolution() * p {
        Verdict::Imprecise
    } else {
        Verdict::Pass
    };
    check
}

/// The binomial rule applied to `(offered, passed)` per replication.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ShareTest {
    /// Whether the pooled count is inside its exact `1 − ALPHA` interval.
    pub pooled_inside: bool,
    /// Half-width of that interval, as a share of the pooled offered count.
    pub half_width: f64,
    /// Replications outside their own exact 99.9% interval.
    pub misses: u64,
    /// How many misses a correct engine exceeds with probability ≤ ALPHA.
    pub allowed_misses: u64,
}

impl ShareTest {
    /// The rule on `pairs` = (offered, passed) per replication, share `p`.
    pub fn new(pairs: &[(u64, u64)], p: f64) -> Self {
        let offered: u64 = pairs.iter().map(|x| x.0).sum();
        let passed: u64 = pairs.iter().map(|x| x.1).sum();
        let (lo, hi) = binomial_interval(offered, p, ALPHA);
        let misses = pairs
            .iter()
            .filter(|&&(n, x)| {
                let (lo, hi) = binomial_interval(n, p, PER_REPLICATION);
                x < lo || x > hi
            })
            .count() as u64;
        let allowed_misses = Binomial::new(PER_REPLICATION, pairs.len() as u64)
            .map_or(0, |b| b.inverse_cdf(1.0 - ALPHA));
        ShareTest {
            pooled_inside: offered > 0 && (lo..=hi).contains(&passed),
            half_width: (hi - lo) as f64 / 2.0 / offered.max(1) as f64,
            misses,
            allowed_misses,
        }
    }
}

/// The exact central interval `[lo, hi]` of Binomial(n, p) holding at
/// least `1 − alpha`: P(X < lo) ≤ alpha/2 and P(X > hi) ≤ alpha/2.
pub fn binomial_interval(n: u64, p: f64, alpha: f64) -> (u64, u64) {
    match Binomial::new(p, n) {
        Ok(b) if n > 0 => (b.inverse_cdf(alpha / 2.0), b.inverse_cdf(1.0 - alpha / 2.0)),
        _ => (0, n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traffic_equations_give_each_station_its_rate_and_upstream() {
        let flow = traffic();
        let rates: Vec<f64> = flow.iter().map(|f| f.0).collect();
        assert_eq!(rates, [4.0, 2.4, 2.0, 2.0]);
        assert_eq!(flow[3].1, Some(2));
        // The project's solver (`mqsim check`) agrees on the built scenario.
        let solved = crate::traffic::solve(&models(Mode::Quick)[0].scenario);
        for (s, (lambda, _)) in STATIONS.iter().zip(&flow) {
            let q = solved.queue(s.name).unwrap();
            assert!((q.arrival_rate - lambda).abs() < 1e-9, "{}", s.name);
        }
        for (s, (lambda, _)) in STATIONS.iter().zip(&flow) {
            let rho = lambda * s.mean_service / f64::from(s.c);
            assert!((0.5..=0.8 + 1e-12).contains(&rho), "{} rho {rho}", s.name);
        }
    }

    #[test]
    fn the_binomial_interval_is_exact_and_central() {
        // Binomial(10, 0.5): P(X <= 1) = 11/1024 > 0.005 >= P(X = 0) = 1/1024.
        assert_eq!(binomial_interval(10, 0.5, 0.01), (1, 9));
        // Large n: about p n ± 3.89 sqrt(n p (1 − p)) at 1 − 1e-4.
        let (lo, hi) = binomial_interval(1_000_000, 0.3, 1e-4);
        let half = 3.8906 * (1e6f64 * 0.21).sqrt();
        assert!((300_000.0 - lo as f64 - half).abs() < 3.0, "{lo}");
        assert!((hi as f64 - 300_000.0 - half).abs() < 3.0, "{hi}");
    }

    #[test]
    fn the_share_rule_passes_the_expected_count_and_catches_a_one_percent_bias() {
        let fair = vec![(100_000, 30_000); 40];
        let t = ShareTest::new(&fair, 0.3);
        assert!(t.pooled_inside && t.misses == 0);
        assert_eq!(t.allowed_misses, 2);
        // 0.303 instead of 0.3: 4 million draws resolve it.
        let biased = vec![(100_000, 30_300); 40];
        assert!(!ShareTest::new(&biased, 0.3).pooled_inside);
    }

    #[test]
    fn both_models_build_and_every_check_has_a_theory() {
        for mode in [Mode::Full, Mode::Quick] {
            let models = models(mode);
            assert_eq!(models.len(), 2);
            let ff = &models[0];
            assert_eq!(ff.scenario.queues.len(), 4);
            // 4 stations × (Wq, W), journeys ending at A, B, D, emits A→B, A→C, C→D.
            assert_eq!(ff.expectations.len(), 14);
            for e in &ff.expectations {
                let identity = matches!(e.quantity, Quantity::Copies { .. });
                assert!(identity || e.theory > 0.0, "{:?}", e.quantity);
            }
        }
    }
}
