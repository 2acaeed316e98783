//! Sampler checks at fixed seeds: mean and variance within a few standard
//! errors of the exact values, and a Kolmogorov–Smirnov test against `cdf`.

use rand::SeedableRng;
use rand_pcg::Pcg64Mcg;

use super::*;

fn draws(d: &Dist, n: usize, seed: u64) -> Vec<f64> {
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let s = d.sampler();
    (0..n).map(|_| s.sample(&mut rng)).collect()
}

fn continuous() -> Vec<Dist> {
    vec![
        Dist::exp(2.0).unwrap(),
        Dist::uniform(0.5, 1.5).unwrap(),
        Dist::normal(1.0, 0.8).unwrap(),
        Dist::lognormal_mean_p99(0.12, 0.8).unwrap(),
        Dist::lognormal_median_sigma(1.0, 0.5).unwrap(),
        Dist::gamma_mean_cv(0.12, 0.8).unwrap(),
        Dist::gamma_mean_cv(1.0, 2.0).unwrap(),
        Dist::weibull(1.0, 1.5).unwrap(),
        Dist::pareto(1.0, 5.0).unwrap(),
    ]
}

#[test]
fn sample_mean_and_variance_match_the_formulas() {
    let n = 200_000;
    for (i, d) in continuous().iter().enumerate() {
        let xs = draws(d, n, 7 + i as u64);
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let se = (d.variance() / n as f64).sqrt();
        assert!(
            (mean - d.mean()).abs() < 4.0 * se,
            "{d:?}: mean {mean} vs {}",
            d.mean()
        );
        // Standard error of the sample variance from the fourth central moment.
        let m4 = xs.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n as f64;
        let se_var = ((m4 - var * var) / n as f64).sqrt();
        assert!(
            (var - d.variance()).abs() < 4.0 * se_var,
            "{d:?}: variance {var} vs {}",
            d.variance()
        );
    }
}

#[test]
fn kolmogorov_smirnov_accepts_every_sampler() {
    let n = 20_000;
    let critical = 1.63 / (n as f64).sqrt(); // 1% level
    for (i, d) in continuous().iter().enumerate() {
        let mut xs = draws(d, n, 100 + i as u64);
        xs.sort_by(f64::total_cmp);
        let stat = xs
            .iter()
            .enumerate()
            .map(|(k, &x)| {
                let f = d.cdf(x);
                (f - k as f64 / n as f64).max((k + 1) as f64 / n as f64 - f)
            })
            .fold(0.0, f64::max);
        assert!(stat < critical, "{d:?}: D = {stat} >= {critical}");
    }
}

#[test]
fn kolmogorov_smirnov_rejects_a_wrong_distribution() {
    // The test has power: exp draws judged against a gamma of the same mean.
    let n = 20_000;
    let mut xs = draws(&Dist::exp(1.0).unwrap(), n, 5);
    xs.sort_by(f64::total_cmp);
    let wrong = Dist::gamma_mean_cv(1.0, 0.9).unwrap();
    let stat = xs
        .iter()
        .enumerate()
        .map(|(k, &x)| (wrong.cdf(x) - k as f64 / n as f64).abs())
        .fold(0.0, f64::max);
    assert!(stat > 1.63 / (n as f64).sqrt());
}

#[test]
fn lognormal_from_p99_hits_both_targets() {
    let d = Dist::lognormal_mean_p99(0.12, 0.8).unwrap();
    assert!((d.mean() - 0.12).abs() < 1e-12);
    assert!((d.cdf(0.8) - 0.99).abs() < 1e-9);
}

#[test]
fn gamma_from_cv_has_that_mean_and_cv() {
    let d = Dist::gamma_mean_cv(0.12, 0.8).unwrap();
    assert!((d.mean() - 0.12).abs() < 1e-12);
    assert!((d.variance().sqrt() / d.mean() - 0.8).abs() < 1e-12);
}

#[test]
fn scaling_multiplies_the_draws() {
    let mut all = continuous();
    all.push(Dist::constant(0.25).unwrap());
    all.push(Dist::empirical("f".into(), vec![1.0, 2.0, 4.0]).unwrap());
    for d in &all {
        let k = 2.5;
        let s = d.scaled(k);
        assert!((s.mean() - k * d.mean()).abs() < 1e-9 * d.mean(), "{d:?}");
        assert!(
            (s.variance() - k * k * d.variance()).abs() < 1e-9 * d.variance().max(1e-12),
            "{d:?}"
        );
        for x in [0.1, 0.5, 1.0, 2.0, 3.0] {
            assert!((s.cdf(k * x) - d.cdf(x)).abs() < 1e-9, "{d:?} at {x}");
        }
    }
}

#[test]
fn const_and_empirical_sample_what_they_hold() {
    assert!(
        draws(&Dist::constant(0.25).unwrap(), 10, 1)
            .iter()
            .all(|x| *x == 0.25)
    );
    let e = Dist::empirical("f".into(), vec![1.0, 2.0, 4.0]).unwrap();
    let xs = draws(&e, 30_000, 2);
    assert!(xs.iter().all(|x| [1.0, 2.0, 4.0].contains(x)));
    let mean = xs.iter().sum::<f64>() / xs.len() as f64;
    assert!((mean - 7.0 / 3.0).abs() < 0.03);
    assert!((e.variance() - (1.0 + 4.0 + 16.0) / 3.0 + (7.0f64 / 3.0).powi(2)).abs() < 1e-12);
}

#[test]
fn bad_parameters_are_rejected() {
    assert!(Dist::exp(0.0).is_err());
    assert!(Dist::exp(f64::NAN).is_err());
    assert!(Dist::constant(-1.0).is_err());
    assert!(Dist::uniform(2.0, 1.0).is_err());
    assert!(Dist::normal(-1.0, 1.0).is_err());
    assert!(
        Dist::lognormal_mean_p99(1.0, 0.5)
            .unwrap_err()
            .contains("greater than mean")
    );
    assert!(
        Dist::lognormal_mean_p99(1.0, 20.0)
            .unwrap_err()
            .contains("too large")
    );
    assert!(Dist::gamma_mean_cv(1.0, 0.0).is_err());
    assert!(Dist::weibull(1.0, -2.0).is_err());
    assert!(
        Dist::pareto(1.0, 1.0)
            .unwrap_err()
            .contains("greater than 1")
    );
    assert!(Dist::empirical("f".into(), vec![]).is_err());
    assert!(
        Dist::empirical("f".into(), vec![1.0, -1.0])
            .unwrap_err()
            .contains("sample 2")
    );
}

/// The parameterisations against their definitions, on draws (independent of
/// the `mean`, `variance` and `cdf` formulas the other tests lean on).
#[test]
fn parameterisations_hold_on_the_draws() {
    let n = 400_000;
    // lognormal from mean + p99: the draws' mean is the mean, and 99% of them
    // are at or below p99 (binomial sd √(0.99 · 0.01 / n) ≈ 0.00016).
    let xs = draws(&Dist::lognormal_mean_p99(0.12, 0.8).unwrap(), n, 41);
    let below = xs.iter().filter(|&&x| x <= 0.8).count() as f64 / n as f64;
    assert!(
        (below - 0.99).abs() < 4.0 * (0.99 * 0.01 / n as f64).sqrt(),
        "{below}"
    );
    let (mean, sd) = moments(&xs);
    assert!((mean - 0.12).abs() < 4.0 * sd / (n as f64).sqrt(), "{mean}");
    // lognormal from median + sigma: half the draws below the median, and
    // ln(x) has standard deviation sigma.
    let xs = draws(&Dist::lognormal_median_sigma(2.0, 0.5).unwrap(), n, 42);
    let below = xs.iter().filter(|&&x| x <= 2.0).count() as f64 / n as f64;
    assert!(
        (below - 0.5).abs() < 4.0 * (0.25 / n as f64).sqrt(),
        "{below}"
    );
    let logs: Vec<f64> = xs.iter().map(|x| x.ln()).collect();
    assert!((moments(&logs).1 - 0.5).abs() < 0.005);
    // gamma from mean + cv: the draws' sd / mean is cv.
    for (i, cv) in [0.5, 2.0].into_iter().enumerate() {
        let xs = draws(&Dist::gamma_mean_cv(3.0, cv).unwrap(), n, 43 + i as u64);
        let (mean, sd) = moments(&xs);
        assert!(
            (mean / 3.0 - 1.0).abs() < 4.0 * cv / (n as f64).sqrt(),
            "{mean}"
        );
        assert!((sd / mean / cv - 1.0).abs() < 0.02, "cv {}", sd / mean);
    }
}

fn moments(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}
