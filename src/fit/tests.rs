//! The estimators against the definition of maximum likelihood, and the
//! ranking and warnings on small constructed samples.

use rand::SeedableRng;
use rand_pcg::Pcg64;

use super::families::{self, Data, Family, pdf};
use super::*;

fn draw(dist: &Dist, n: usize, seed: u64) -> Vec<f64> {
    let sampler = dist.sampler();
    let mut rng = Pcg64::seed_from_u64(seed);
    (0..n).map(|_| sampler.sample(&mut rng)).collect()
}

fn sample(values: Vec<f64>) -> Sample {
    let source = Source {
        file: "t.txt".into(),
        column: None,
    };
    Sample::from_values(source, values).unwrap()
}

fn log_likelihood(dist: &Dist, x: &[f64]) -> f64 {
    x.iter().map(|&v| pdf(dist, v).ln()).sum()
}

/// The same family with each parameter moved by a factor.
fn nudged(dist: &Dist, a: f64, b: f64) -> Dist {
    match *dist {
        Dist::Exp { mean } => Dist::Exp { mean: mean * a },
        Dist::Gamma { shape, scale } => Dist::Gamma {
            shape: shape * a,
            scale: scale * b,
        },
        Dist::Lognormal { mu, sigma } => Dist::Lognormal {
            mu: mu + (a - 1.0),
            sigma: sigma * b,
        },
        Dist::Weibull { scale, shape } => Dist::Weibull {
            scale: scale * a,
            shape: shape * b,
        },
        ref other => other.clone(),
    }
}

#[test]
fn every_estimate_is_a_maximum_of_the_likelihood_it_reports() {
    let x = draw(
        &Dist::Gamma {
            shape: 1.7,
            scale: 0.05,
        },
        400,
        7,
    );
    let data = Data::new(&x);
    for family in Family::ALL {
        let fit = families::fit(family, &data);
        let ll = log_likelihood(&fit.dist, &x);
        assert!(
            (ll - fit.log_likelihood).abs() < 1e-6 * ll.abs(),
            "{family:?}: reported {} but the densities sum to {ll}",
            fit.log_likelihood
        );
        for (a, b) in [(1.01, 1.0), (0.99, 1.0), (1.0, 1.01), (1.0, 0.99)] {
            let moved = nudged(&fit.dist, a, b);
            if moved == fit.dist {
                continue; // the exponential has one parameter
            }
            let moved = log_likelihood(&moved, &x);
            assert!(moved < ll, "{family:?} moved by ({a}, {b}) is more likely");
        }
    }
}

#[test]
fn standard_errors_match_the_curvature_of_the_likelihood() {
    // For one parameter with the other at its estimate, 1/se² is at most
    // the curvature; for the exponential exactly. The Weibull's joint
    // information is checked against a numerical Hessian.
    let x = draw(
        &Dist::Weibull {
            scale: 0.2,
            shape: 1.4,
        },
        2000,
        11,
    );
    let fit = families::fit(Family::Weibull, &Data::new(&x));
    let Dist::Weibull { scale, shape } = fit.dist else {
        unreachable!()
    };
    let ll = |l: f64, k: f64| log_likelihood(&Dist::Weibull { scale: l, shape: k }, &x);
    let (hl, hk) = (scale * 1e-4, shape * 1e-4);
    let d2 = |f: &dyn Fn(f64, f64) -> f64, a: (f64, f64), b: (f64, f64)| {
        (f(scale + a.0 + b.0, shape + a.1 + b.1)
            - f(scale + a.0 - b.0, shape + a.1 - b.1)
            - f(scale - a.0 + b.0, shape - a.1 + b.1)
            + f(scale - a.0 - b.0, shape - a.1 - b.1))
            / (4.0 * (a.0 + a.1) * (b.0 + b.1))
    };
    let i_ll = -d2(&ll, (hl, 0.0), (hl, 0.0));
    let i_kk = -d2(&ll, (0.0, hk), (0.0, hk));
    let i_lk = -d2(&ll, (hl, 0.0), (0.0, hk));
    let det = i_ll * i_kk - i_lk * i_lk;
    let (se_l, se_k) = ((i_kk / det).sqrt(), (i_ll / det).sqrt());
    assert!(
        (fit.params[0].se / se_l - 1.0).abs() < 1e-3,
        "{} vs {se_l}",
        fit.params[0].se
    );
    assert!(
        (fit.params[1].se / se_k - 1.0).abs() < 1e-3,
        "{} vs {se_k}",
        fit.params[1].se
    );
}

#[test]
fn quantiles_invert_the_cdf() {
    for dist in [
        Dist::Exp { mean: 0.1 },
        Dist::Gamma {
            shape: 0.4,
            scale: 2.0,
        },
        Dist::Gamma {
            shape: 30.0,
            scale: 0.001,
        },
        Dist::Lognormal {
            mu: -2.0,
            sigma: 1.3,
        },
        Dist::Weibull {
            scale: 0.3,
            shape: 0.7,
        },
    ] {
        for p in [1e-4, 0.5, 0.99, 0.999_999] {
            let q = families::quantile(&dist, p);
            assert!((dist.cdf(q) - p).abs() < 1e-9, "{dist:?} at {p}");
        }
        assert!(families::quantile(&dist, 1.0).is_nan());
    }
}

#[test]
fn the_exponential_outranks_shapes_that_do_not_differ_from_1() {
    let x = draw(&Dist::Exp { mean: 0.1 }, 300, 3);
    let report = fit(&sample(x), "t.txt");
    assert_eq!(
        report.ranking[0],
        Family::Exponential,
        "{:?}",
        report.ranking
    );
    assert!(report.best.starts_with("{ dist = \"exp\", mean = \""));
    // Clearly non-exponential data: shape 3 is far from 1.
    let x = draw(
        &Dist::Gamma {
            shape: 3.0,
            scale: 0.03,
        },
        300,
        3,
    );
    let report = fit(&sample(x), "t.txt");
    assert_ne!(report.ranking[0], Family::Exponential);
    assert!(report.ranking_notes.is_empty());
    let ranks: Vec<usize> = report.fits.iter().map(|f| f.rank).collect();
    assert_eq!(ranks, [1, 2, 3, 4]);
}

#[test]
fn a_small_sample_is_reported_with_a_warning_and_still_fitted() {
    let x = draw(
        &Dist::Lognormal {
            mu: -2.0,
            sigma: 0.5,
        },
        20,
        5,
    );
    let report = fit(&sample(x), "t.txt");
    assert_eq!(report.warnings[0].kind, WarningKind::SmallSample);
    assert!(report.warnings[0].message.contains("only 20 samples"));
    assert_eq!(report.recommended, report.best);
    // Wide intervals: the median's spans more than ±10%.
    let p = &report
        .fits
        .iter()
        .find(|f| f.family == Family::Lognormal)
        .unwrap()
        .parameters[0];
    assert!(p.ci95_high / p.ci95_low > 1.2, "{p:?}");
}

#[test]
fn a_sample_no_family_follows_recommends_itself() {
    // Two far-apart clusters: no unimodal family has this tail.
    let mut x = draw(
        &Dist::Lognormal {
            mu: -3.0,
            sigma: 0.2,
        },
        2000,
        9,
    );
    x.extend(draw(
        &Dist::Lognormal {
            mu: 1.0,
            sigma: 0.1,
        },
        60,
        10,
    ));
    let report = fit(&sample(x), "t.txt");
    let kinds: Vec<WarningKind> = report.warnings.iter().map(|w| w.kind).collect();
    assert_eq!(kinds, [WarningKind::Tail, WarningKind::AndersonDarling]);
    assert_eq!(
        report.recommended,
        "{ dist = \"empirical\", file = \"t.txt\" }"
    );
    assert!(
        report.warnings[0]
            .message
            .contains("processing = { dist = \"empirical\"")
    );
}

#[test]
fn gamma_tail_logarithms_are_exact_where_statrs_rounds_to_0() {
    let dist = Dist::Gamma {
        shape: 0.25,
        scale: 1.0,
    };
    // P(0.25, z) ≈ z^0.25 / Γ(1.25) for tiny z.
    let (ln_f, ln_s) = families::ln_cdf_sf(&dist, 1e-40);
    let expected = 0.25 * 1e-40f64.ln() - statrs::function::gamma::ln_gamma(1.25);
    assert!((ln_f - expected).abs() < 1e-9, "{ln_f} vs {expected}");
    assert!(ln_s < 0.0 && ln_s > -1e-9);
    for z in [0.3, 0.999, 1.0, 4.0] {
        let (ln_f, ln_s) = families::ln_cdf_sf(&dist, z);
        assert!((ln_f.exp() - dist.cdf(z)).abs() < 1e-12, "z = {z}");
        assert!((ln_f.exp() + ln_s.exp() - 1.0).abs() < 1e-12, "z = {z}");
    }
}
