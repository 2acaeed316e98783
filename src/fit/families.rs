//! Maximum-likelihood fits of the four families a scenario can name, with
//! standard errors and 95% intervals from the observed Fisher information.
//!
//! - exponential: mean = x̄.
//! - lognormal: μ, σ the mean and (1/n) standard deviation of ln x; shown
//!   as median e^μ and σ.
//! - gamma: the shape k solves ln k − ψ(k) = ln x̄ − mean(ln x) (Newton, from
//!   Minka's closed-form start, with ψ′ from `special`); scale x̄/k.
//! - Weibull: the shape k solves Σ xᵏ ln x / Σ xᵏ − 1/k = mean(ln x), whose
//!   left side increases with k (Newton kept inside a shrinking bracket,
//!   bisecting when a step leaves it; the sums are taken relative to the
//!   largest value, so xᵏ never overflows); scale (Σ xᵏ / n)^(1/k).
//!
//! Intervals are Wald intervals on the log of each positive parameter,
//! `θ · exp(±1.96 · se/θ)`: they stay positive and cover better than
//! `θ ± 1.96 se` in small samples; `se` is the square root of the diagonal
//! of the inverse observed information at the estimate.

use serde::Serialize;
use statrs::distribution::{Continuous, ContinuousCDF, Normal};
use statrs::function::gamma::{digamma, ln_gamma};

use super::special::trigamma;
use crate::dist::Dist;

/// The 0.975 quantile of the standard normal distribution.
pub const Z975: f64 = 1.959_963_984_540_054;

/// A family of distributions `mqsim fit` tries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// Exponential (one parameter: the mean).
    Exponential,
    /// Gamma (shape, scale).
    Gamma,
    /// Lognormal (median, sigma).
    Lognormal,
    /// Weibull (scale, shape).
    Weibull,
}

impl Family {
    /// Every family, in the order they are fitted.
    pub const ALL: [Family; 4] = [
        Family::Exponential,
        Family::Gamma,
        Family::Lognormal,
        Family::Weibull,
    ];

    /// The name in tables and `fit.json`.
    pub fn name(self) -> &'static str {
        match self {
            Family::Exponential => "exponential",
            Family::Gamma => "gamma",
            Family::Lognormal => "lognormal",
            Family::Weibull => "weibull",
        }
    }
}

/// One estimated parameter.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Param {
    /// The name, as a scenario's `dist` table writes it.
    pub name: &'static str,
    /// The estimate.
    pub value: f64,
    /// Its standard error.
    pub se: f64,
    /// Lower end of the 95% interval.
    pub ci95_low: f64,
    /// Upper end of the 95% interval.
    pub ci95_high: f64,
    /// `"s"` for a duration, `None` for a plain number.
    pub unit: Option<&'static str>,
}

impl Param {
    /// A positive parameter with its log-scale Wald interval.
    fn positive(name: &'static str, value: f64, se: f64, seconds: bool) -> Param {
        let spread = (Z975 * se / value).exp();
        Param {
            name,
            value,
            se,
            ci95_low: value / spread,
            ci95_high: value * spread,
            unit: seconds.then_some("s"),
        }
    }

    /// Whether `v` lies in the 95% interval.
    pub fn covers(&self, v: f64) -> bool {
        self.ci95_low <= v && v <= self.ci95_high
    }
}

/// A fitted family.
#[derive(Clone, Debug)]
pub struct Fit {
    /// The family.
    pub family: Family,
    /// Its parameters, in the order the scenario line writes them.
    pub params: Vec<Param>,
    /// The fitted distribution.
    pub dist: Dist,
    /// The log-likelihood at the estimate (densities in 1/s).
    pub log_likelihood: f64,
}

/// What the estimators need of a sample: computed once for all families.
pub struct Data<'a> {
    /// The values, seconds (any order).
    x: &'a [f64],
    /// Their logarithms.
    ln: Vec<f64>,
    n: f64,
    mean: f64,
    mean_ln: f64,
}

impl<'a> Data<'a> {
    /// The summaries of `x` (non-empty, every value > 0).
    pub fn new(x: &'a [f64]) -> Data<'a> {
        let n = x.len() as f64;
        let ln: Vec<f64> = x.iter().map(|v| v.ln()).collect();
        Data {
            x,
            n,
            mean: x.iter().sum::<f64>() / n,
            mean_ln: ln.iter().sum::<f64>() / n,
            ln,
        }
    }
}

/// The maximum-likelihood fit of `family` to `data`.
pub fn fit(family: Family, data: &Data) -> Fit {
    match family {
        Family::Exponential => exponential(data),
        Family::Gamma => gamma(data),
        Family::Lognormal => lognormal(data),
        Family::Weibull => weibull(data),
    }
}

fn exponential(d: &Data) -> Fit {
    let mean = d.mean;
    Fit {
        family: Family::Exponential,
        params: vec![Param::positive("mean", mean, mean / d.n.sqrt(), true)],
        dist: Dist::Exp { mean },
        log_likelihood: -d.n * (mean.ln() + 1.0),
    }
}

fn lognormal(d: &Data) -> Fit {
    let mu = d.mean_ln;
    let var = d.ln.iter().map(|y| (y - mu).powi(2)).sum::<f64>() / d.n;
    let sigma = var.sqrt();
    let median = mu.exp();
    let ll = -d.n * (mu + sigma.ln() + 0.5 * (2.0 * std::f64::consts::PI).ln() + 0.5);
    Fit {
        family: Family::Lognormal,
        params: vec![
            // se(μ) = σ/√n; the median's is e^μ times that (delta method),
            // so its log-scale interval is exactly exp(μ ± 1.96 σ/√n).
            Param::positive("median", median, median * sigma / d.n.sqrt(), true),
            Param::positive("sigma", sigma, sigma / (2.0 * d.n).sqrt(), false),
        ],
        dist: Dist::Lognormal { mu, sigma },
        log_likelihood: ll,
    }
}

fn gamma(d: &Data) -> Fit {
    let s = (d.mean.ln() - d.mean_ln).max(f64::MIN_POSITIVE);
    let shape = gamma_shape(s);
    let scale = d.mean / shape;
    // Observed information (equal to the expected one at the estimate):
    // n [[ψ′(k), 1/θ], [1/θ, k/θ²]].
    let det = shape * trigamma(shape) - 1.0;
    let se_shape = (shape / (d.n * det)).sqrt();
    let se_scale = (scale * scale * trigamma(shape) / (d.n * det)).sqrt();
    let ll = d.n * ((shape - 1.0) * d.mean_ln - shape - shape * scale.ln() - ln_gamma(shape));
    Fit {
        family: Family::Gamma,
        params: vec![
            Param::positive("shape", shape, se_shape, false),
            Param::positive("scale", scale, se_scale, true),
        ],
        dist: Dist::Gamma { shape, scale },
        log_likelihood: ll,
    }
}

/// The root of ln k − ψ(k) = s (s > 0; the left side falls from ∞ to 0).
fn gamma_shape(s: f64) -> f64 {
    let mut k = (3.0 - s + ((s - 3.0).powi(2) + 24.0 * s).sqrt()) / (12.0 * s);
    for _ in 0..100 {
        let f = k.ln() - digamma(k) - s;
        let slope = 1.0 / k - trigamma(k);
        let mut next = k - f / slope;
        if !(next > 0.0 && next.is_finite()) {
            next = k / 2.0;
        }
        let done = (next - k).abs() <= 1e-13 * k;
        k = next;
        if done {
            break;
        }
    }
    k
}

fn weibull(d: &Data) -> Fit {
    let y_max = d.ln.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let shape = weibull_shape(d, y_max);
    let sum_w: f64 = d.ln.iter().map(|y| (shape * (y - y_max)).exp()).sum();
    let scale = (y_max + (sum_w / d.n).ln() / shape).exp();
    let (se_scale, se_shape) = weibull_errors(d, scale, shape);
    let ll = d.n * (shape.ln() - shape * scale.ln() + (shape - 1.0) * d.mean_ln - 1.0);
    Fit {
        family: Family::Weibull,
        params: vec![
            Param::positive("scale", scale, se_scale, true),
            Param::positive("shape", shape, se_shape, false),
        ],
        dist: Dist::Weibull { scale, shape },
        log_likelihood: ll,
    }
}

/// The root of g(k) = Σ w ln x / Σ w − 1/k − mean(ln x), w = (x/x_max)ᵏ;
/// g′(k) = (weighted variance of ln x) + 1/k² > 0.
fn weibull_shape(d: &Data, y_max: f64) -> f64 {
    let g = |k: f64| {
        let (mut s0, mut s1, mut s2) = (0.0, 0.0, 0.0);
        for y in &d.ln {
            let dy = y - y_max;
            let w = (k * dy).exp();
            s0 += w;
            s1 += w * dy;
            s2 += w * dy * dy;
        }
        let m1 = s1 / s0;
        (
            y_max + m1 - 1.0 / k - d.mean_ln,
            s2 / s0 - m1 * m1 + 1.0 / (k * k),
        )
    };
    let sd_ln = (d.ln.iter().map(|y| (y - d.mean_ln).powi(2)).sum::<f64>() / d.n).sqrt();
    // sd(ln X) = π / (k √6) for a Weibull: the start.
    let mut k = (std::f64::consts::PI / (6f64.sqrt() * sd_ln)).clamp(1e-3, 1e6);
    let (mut lo, mut hi) = (0.0f64, f64::INFINITY);
    for _ in 0..200 {
        let (f, slope) = g(k);
        if f > 0.0 {
            hi = k;
        } else {
            lo = k;
        }
        let mut next = k - f / slope;
        if !(next > lo && next < hi) {
            next = if hi.is_finite() {
                (lo + hi) / 2.0
            } else {
                2.0 * k
            };
        }
        let done = (next - k).abs() <= 1e-13 * k;
        k = next;
        if done {
            break;
        }
    }
    k
}

/// Standard errors of (scale λ, shape k) from the observed information,
/// with z = (x/λ)ᵏ, L = ln(x/λ): −∂²ℓ/∂λ² = (k(k+1) Σz − nk)/λ²,
/// −∂²ℓ/∂λ∂k = (n − Σz − k Σ zL)/λ, −∂²ℓ/∂k² = n/k² + Σ zL².
fn weibull_errors(d: &Data, scale: f64, shape: f64) -> (f64, f64) {
    let (mut sz, mut szl, mut szl2) = (0.0, 0.0, 0.0);
    for &x in d.x {
        let l = (x / scale).ln();
        let z = (shape * l).exp();
        sz += z;
        szl += z * l;
        szl2 += z * l * l;
    }
    let n = d.n;
    let i_ll = (shape * (shape + 1.0) * sz - n * shape) / (scale * scale);
    let i_lk = (n - sz - shape * szl) / scale;
    let i_kk = n / (shape * shape) + szl2;
    let det = i_ll * i_kk - i_lk * i_lk;
    ((i_kk / det).sqrt(), (i_ll / det).sqrt())
}

/// The `p` quantile of a fitted distribution, seconds (NaN unless 0 < p < 1):
/// closed forms, and for the gamma bisection on its CDF (statrs' own
/// inverse stops after a few steps).
pub fn quantile(dist: &Dist, p: f64) -> f64 {
    if !(p > 0.0 && p < 1.0) {
        return f64::NAN;
    }
    match *dist {
        Dist::Exp { mean } => -mean * (-p).ln_1p(),
        Dist::Weibull { scale, shape } => scale * (-(-p).ln_1p()).powf(1.0 / shape),
        Dist::Lognormal { mu, sigma } => (mu + sigma * std_normal().inverse_cdf(p)).exp(),
        _ => bisect_quantile(dist, p),
    }
}

fn bisect_quantile(dist: &Dist, p: f64) -> f64 {
    let m = dist.mean();
    if !(m.is_finite() && m > 0.0) {
        return f64::NAN;
    }
    let (mut lo, mut hi) = (m, m);
    for _ in 0..2000 {
        if dist.cdf(lo) <= p {
            break;
        }
        lo /= 2.0;
    }
    for _ in 0..2000 {
        if dist.cdf(hi) >= p {
            break;
        }
        hi *= 2.0;
    }
    for _ in 0..100 {
        let mid = (lo * hi).sqrt();
        if dist.cdf(mid) >= p {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// (ln F(x), ln(1 − F(x))) of a fitted distribution at x > 0, each exact
/// where a closed form allows (the tails of a poor fit reach 1e-30 and
/// below, where 1 − F rounds to 0 or 1).
pub fn ln_cdf_sf(dist: &Dist, x: f64) -> (f64, f64) {
    match *dist {
        Dist::Exp { mean } => {
            let z = x / mean;
            ((-(-z).exp_m1()).ln(), -z)
        }
        Dist::Weibull { scale, shape } => {
            let z = (x / scale).powf(shape);
            ((-(-z).exp_m1()).ln(), -z)
        }
        Dist::Lognormal { mu, sigma } => {
            let z = (x.ln() - mu) / sigma;
            let n = std_normal();
            (n.cdf(z).ln(), n.sf(z).ln())
        }
        Dist::Gamma { shape, scale } => gamma_ln_cdf_sf(shape, x / scale),
        _ => {
            let f = dist.cdf(x);
            (f.ln(), (-f).ln_1p())
        }
    }
}

/// (ln P(k, z), ln Q(k, z)) of the regularized incomplete gamma function.
/// Below z = 1 by its series, P = zᵏ e⁻ᶻ Σ zʲ / Γ(k + j + 1), summed in
/// logs: statrs takes any z within f64::EPSILON of 0 for 0, which at
/// shapes below about 0.3 is a noticeable share of draws (P(X < 2e-16) =
/// 1e-4 at shape 0.25), each turning A² by hundreds.
fn gamma_ln_cdf_sf(shape: f64, z: f64) -> (f64, f64) {
    if !(z > 0.0 && shape > 0.0) {
        return (f64::NAN, f64::NAN);
    }
    if z < 1.0 {
        let (mut term, mut sum) = (1.0, 1.0);
        for j in 1..200 {
            term *= z / (shape + j as f64);
            sum += term;
            if term < 1e-17 * sum {
                break;
            }
        }
        let ln_p = shape * z.ln() - z - ln_gamma(shape + 1.0) + sum.ln();
        return (ln_p, (-ln_p.exp()).ln_1p());
    }
    match statrs::distribution::Gamma::new(shape, 1.0) {
        Ok(g) => (g.cdf(z).ln(), g.sf(z).ln()),
        Err(_) => (f64::NAN, f64::NAN),
    }
}

/// The density of a fitted distribution at x, 1/s (for tests of the
/// likelihoods).
pub fn pdf(dist: &Dist, x: f64) -> f64 {
    match *dist {
        Dist::Exp { mean } => (-x / mean).exp() / mean,
        Dist::Weibull { scale, shape } => {
            let z = x / scale;
            shape / scale * z.powf(shape - 1.0) * (-z.powf(shape)).exp()
        }
        Dist::Lognormal { mu, sigma } => {
            statrs::distribution::LogNormal::new(mu, sigma).map_or(f64::NAN, |d| d.pdf(x))
        }
        Dist::Gamma { shape, scale } => {
            statrs::distribution::Gamma::new(shape, 1.0 / scale).map_or(f64::NAN, |d| d.pdf(x))
        }
        _ => f64::NAN,
    }
}

fn std_normal() -> Normal {
    Normal::standard()
}
