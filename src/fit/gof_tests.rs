//! The goodness-of-fit statistics: A² against a direct computation, the
//! tests' size under their own family (about 5%), and the order-statistic
//! ranges against simulation.

use rand::SeedableRng;
use rand_pcg::Pcg64;

use super::*;
use crate::fit::families::{self, Data};

fn draw(dist: &Dist, n: usize, rng: &mut Pcg64) -> Vec<f64> {
    let sampler = dist.sampler();
    let mut x: Vec<f64> = (0..n).map(|_| sampler.sample(rng)).collect();
    x.sort_by(f64::total_cmp);
    x
}

#[test]
fn a2_and_d_match_their_definitions_on_a_tiny_sample() {
    let dist = Dist::Exp { mean: 1.0 };
    let x = [0.1, 0.5, 2.0];
    let f: Vec<f64> = x.iter().map(|&v| dist.cdf(v)).collect();
    let direct = -3.0
        - ((1.0 * (f[0].ln() + (1.0 - f[2]).ln()))
            + 3.0 * (f[1].ln() + (1.0 - f[1]).ln())
            + 5.0 * (f[2].ln() + (1.0 - f[0]).ln()))
            / 3.0;
    assert!((a2(&dist, &x) - direct).abs() < 1e-12);
    let d = [
        f[0],
        2.0 / 3.0 - f[1],
        f[2] - 2.0 / 3.0,
        1.0 - f[2],
        f[1] - 1.0 / 3.0,
    ]
    .into_iter()
    .fold(0.0, f64::max);
    assert!((ks_d(&dist, &x) - d).abs() < 1e-12);
    // A point far beyond the tail: large and finite.
    assert!(a2(&dist, &[0.1, 0.5, 2000.0]).is_finite());
}

/// Share of `reps` samples of `n` from `dist` whose own fit `family` is
/// rejected at 5%.
fn rejection_rate(family: Family, dist: &Dist, n: usize, reps: usize, seed: u64) -> f64 {
    let mut rng = Pcg64::seed_from_u64(seed);
    let rejected = (0..reps)
        .filter(|_| {
            let x = draw(dist, n, &mut rng);
            let fit = families::fit(family, &Data::new(&x));
            anderson_darling(family, &fit.dist, &x).rejected_5pct
        })
        .count();
    rejected as f64 / reps as f64
}

#[test]
fn each_test_rejects_about_5_percent_of_its_own_family() {
    // 1000 samples: the rate's sd is 0.7 points, so 3%..7% fails a
    // critical value off by about 0.1 (which moves the rate by 2 points).
    let cases = [
        (Family::Exponential, Dist::Exp { mean: 0.1 }, 20),
        (Family::Exponential, Dist::Exp { mean: 0.1 }, 200),
        (
            Family::Lognormal,
            Dist::Lognormal {
                mu: -2.0,
                sigma: 0.8,
            },
            50,
        ),
        (
            Family::Weibull,
            Dist::Weibull {
                scale: 0.2,
                shape: 1.6,
            },
            100,
        ),
        (
            Family::Gamma,
            Dist::Gamma {
                shape: 0.3,
                scale: 0.2,
            },
            200,
        ),
        (
            Family::Gamma,
            Dist::Gamma {
                shape: 0.6,
                scale: 0.2,
            },
            200,
        ),
        (
            Family::Gamma,
            Dist::Gamma {
                shape: 2.0,
                scale: 0.05,
            },
            200,
        ),
        (
            Family::Gamma,
            Dist::Gamma {
                shape: 9.0,
                scale: 0.01,
            },
            100,
        ),
    ];
    for (i, (family, dist, n)) in cases.into_iter().enumerate() {
        let rate = rejection_rate(family, &dist, n, 1000, 100 + i as u64);
        assert!(
            (0.03..=0.07).contains(&rate),
            "{family:?} {dist:?} n = {n}: {rate}"
        );
    }
}

#[test]
fn the_gamma_critical_value_falls_with_the_shape() {
    assert_eq!(gamma_critical(1.0), 0.786);
    assert_eq!(gamma_critical(0.1), 0.898);
    // Linear in 1/shape: 1/1.5 is a third of the way from 1/2 to 1.
    assert!((gamma_critical(1.5) - (0.768 + (0.786 - 0.768) / 3.0)).abs() < 1e-9);
    assert!((gamma_critical(1e6) - 0.752).abs() < 1e-4);
    let mut last = f64::INFINITY;
    for k in [0.2, 0.3, 0.7, 1.0, 2.5, 7.0, 15.0, 50.0] {
        assert!(gamma_critical(k) <= last);
        last = gamma_critical(k);
    }
}

#[test]
fn sample_quantile_ranges_hold_their_share_of_simulated_quantiles() {
    let dist = Dist::Lognormal {
        mu: -2.0,
        sigma: 0.6,
    };
    let mut rng = Pcg64::seed_from_u64(5);
    for (n, q) in [(80, 0.99), (500, 0.99), (3000, 0.999)] {
        let (lo, hi) = sample_quantile_range(&dist, n, q, 0.9);
        let reps = 2000;
        let inside = (0..reps)
            .filter(|_| {
                let x = draw(&dist, n, &mut rng);
                let v = x[nearest_rank(q, n) - 1];
                lo <= v && v <= hi
            })
            .count();
        let share = inside as f64 / reps as f64;
        // sd of the share: 0.0067.
        assert!((0.88..=0.92).contains(&share), "n = {n}, q = {q}: {share}");
    }
}

/// Regenerates the simulated part of [`GAMMA_CRITICAL`] (and checks the
/// published constants): the 95th percentile of the modified A² of each
/// family on 20 000 samples of 200 drawn from it. Slow: run with
/// `cargo test --release --lib critical_values -- --ignored --nocapture`.
#[test]
#[ignore]
fn critical_values_by_simulation() {
    let cases = [
        (
            Family::Gamma,
            Dist::Gamma {
                shape: 0.25,
                scale: 1.0,
            },
        ),
        (
            Family::Gamma,
            Dist::Gamma {
                shape: 0.35,
                scale: 1.0,
            },
        ),
        (
            Family::Gamma,
            Dist::Gamma {
                shape: 0.5,
                scale: 1.0,
            },
        ),
        (
            Family::Gamma,
            Dist::Gamma {
                shape: 0.75,
                scale: 1.0,
            },
        ),
        (
            Family::Gamma,
            Dist::Gamma {
                shape: 1.0,
                scale: 1.0,
            },
        ),
        (
            Family::Gamma,
            Dist::Gamma {
                shape: 2.0,
                scale: 1.0,
            },
        ),
        (Family::Exponential, Dist::Exp { mean: 1.0 }),
        (
            Family::Lognormal,
            Dist::Lognormal {
                mu: 0.0,
                sigma: 1.0,
            },
        ),
        (
            Family::Weibull,
            Dist::Weibull {
                scale: 1.0,
                shape: 1.0,
            },
        ),
    ];
    for (family, dist) in cases {
        let mut rng = Pcg64::seed_from_u64(2026);
        let mut a2s: Vec<f64> = (0..20_000)
            .map(|_| {
                let x = draw(&dist, 200, &mut rng);
                let fit = families::fit(family, &Data::new(&x));
                anderson_darling(family, &fit.dist, &x).a2_modified
            })
            .collect();
        a2s.sort_by(f64::total_cmp);
        println!("{family:?} {dist:?}: 95th percentile {:.3}", a2s[19_000]);
    }
}
