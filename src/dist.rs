//! Probability distributions of durations (processing times, restarts, …).
//!
//! [`Dist`] is the validated description (parameters in seconds), as written in
//! a scenario's `dist = "…"` tables and printed by `mqsim check`. [`Sampler`]
//! is built once from a `Dist` and draws values on the hot path without
//! allocating.
//!
//! Constructors check parameters and say what is allowed; `mean`,
//! `variance` and `cdf` are exact (they feed `mqsim check`'s offered load
//! and the goodness-of-fit tests).

use std::sync::Arc;

use rand::Rng;
use rand_distr::{Distribution, Exp, Gamma, LogNormal, Normal, Pareto, Weibull};
use serde::Serialize;
use statrs::distribution::{Continuous, ContinuousCDF};
use statrs::function::gamma::gamma as gamma_fn;

/// A distribution of non-negative durations, parameters in seconds.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "dist", rename_all = "lowercase")]
#[allow(missing_docs)] // variant fields are documented on the variants
pub enum Dist {
    /// Always `value`.
    Const { value: f64 },
    /// Exponential with mean `mean`.
    Exp { mean: f64 },
    /// Uniform on `[min, max]`.
    Uniform { min: f64, max: f64 },
    /// Normal(mean, sd) truncated at 0 (redrawn while negative).
    Normal { mean: f64, sd: f64 },
    /// Lognormal: `ln X ~ Normal(mu, sigma)`.
    Lognormal { mu: f64, sigma: f64 },
    /// Gamma with `shape` k and `scale` θ (mean kθ).
    Gamma { shape: f64, scale: f64 },
    /// Weibull with `scale` λ and `shape` k.
    Weibull { scale: f64, shape: f64 },
    /// Pareto (type I) with minimum `scale` and tail index `shape`.
    Pareto { scale: f64, shape: f64 },
    /// Uniform choice among the samples read from `file`.
    Empirical {
        /// The file the samples came from, as written in the scenario.
        file: String,
        /// The samples, seconds.
        #[serde(skip)]
        samples: Arc<[f64]>,
    },
}

/// Largest value a sampler returns: about 31 years.
pub const MAX_DRAW_SECS: f64 = 1e9;

/// The 0.99 quantile of the standard normal distribution.
const Z99: f64 = 2.326_347_874_040_841;

fn positive(name: &str, v: f64) -> Result<f64, String> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(format!("{name} must be positive and finite, got {v}"))
    }
}

fn non_negative(name: &str, v: f64) -> Result<f64, String> {
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(format!("{name} must be >= 0 and finite, got {v}"))
    }
}

impl Dist {
    /// Always `value` seconds (`value >= 0`).
    pub fn constant(value: f64) -> Result<Dist, String> {
        Ok(Dist::Const {
            value: non_negative("value", value)?,
        })
    }

    /// Exponential with mean `mean` (> 0).
    pub fn exp(mean: f64) -> Result<Dist, String> {
        Ok(Dist::Exp {
            mean: positive("mean", mean)?,
        })
    }

    /// Uniform on `[min, max]`, `0 <= min <= max`.
    pub fn uniform(min: f64, max: f64) -> Result<Dist, String> {
        let (min, max) = (non_negative("min", min)?, non_negative("max", max)?);
        if min > max {
            return Err(format!("min ({min}) must not exceed max ({max})"));
        }
        Ok(Dist::Uniform { min, max })
    }

    /// Normal(mean, sd) truncated at 0 (`mean > 0`, `sd >= 0`).
    pub fn normal(mean: f64, sd: f64) -> Result<Dist, String> {
        Ok(Dist::Normal {
            mean: positive("mean", mean)?,
            sd: non_negative("sd", sd)?,
        })
    }

    /// Lognormal with the given mean and 99th percentile. With
    /// `ln X ~ N(mu, s)`: `ln(p99/mean) = z·s − s²/2`, whose smaller root is
    /// `s = z − sqrt(z² − 2 ln(p99/mean))`; it exists while
    /// `p99/mean <= exp(z²/2) ≈ 14.97`.
    pub fn lognormal_mean_p99(mean: f64, p99: f64) -> Result<Dist, String> {
        let (mean, p99) = (positive("mean", mean)?, positive("p99", p99)?);
        if p99 <= mean {
            return Err(format!("p99 ({p99}) must be greater than mean ({mean})"));
        }
        let gap = Z99 * Z99 - 2.0 * (p99 / mean).ln();
        if gap < 0.0 {
            return Err(format!(
                "p99/mean = {:.2} is too large for a lognormal (at most {:.2}); use pareto or weibull for heavier tails",
                p99 / mean,
                (Z99 * Z99 / 2.0).exp()
            ));
        }
        let sigma = Z99 - gap.sqrt();
        Ok(Dist::Lognormal {
            mu: mean.ln() - sigma * sigma / 2.0,
            sigma,
        })
    }

    /// Lognormal with the given median (`e^mu`) and `sigma` (both > 0).
    pub fn lognormal_median_sigma(median: f64, sigma: f64) -> Result<Dist, String> {
        Ok(Dist::Lognormal {
            mu: positive("median", median)?.ln(),
            sigma: positive("sigma", sigma)?,
        })
    }

    /// Gamma with the given mean and coefficient of variation (both > 0):
    /// shape = 1/cv², scale = mean·cv².
    pub fn gamma_mean_cv(mean: f64, cv: f64) -> Result<Dist, String> {
        let (mean, cv) = (positive("mean", mean)?, positive("cv", cv)?);
        Ok(Dist::Gamma {
            shape: 1.0 / (cv * cv),
            scale: mean * cv * cv,
        })
    }

    /// Weibull with `scale` and `shape` (both > 0).
    pub fn weibull(scale: f64, shape: f64) -> Result<Dist, String> {
        Ok(Dist::Weibull {
            scale: positive("scale", scale)?,
            shape: positive("shape", shape)?,
        })
    }

    /// Pareto (type I) with minimum `scale` (> 0) and `shape` > 1 (finite mean).
    pub fn pareto(scale: f64, shape: f64) -> Result<Dist, String> {
        let shape = positive("shape", shape)?;
        if shape <= 1.0 {
            return Err(format!(
                "shape must be greater than 1 (the mean is infinite otherwise), got {shape}"
            ));
        }
        Ok(Dist::Pareto {
            scale: positive("scale", scale)?,
            shape,
        })
    }

    /// Uniform choice among `samples` (non-empty, each finite and >= 0).
    pub fn empirical(file: String, samples: Vec<f64>) -> Result<Dist, String> {
        if samples.is_empty() {
            return Err("the file holds no samples".into());
        }
        if let Some(i) = samples.iter().position(|v| !v.is_finite() || *v < 0.0) {
            return Err(format!(
                "sample {} ({}) is not a duration >= 0",
                i + 1,
                samples[i]
            ));
        }
        Ok(Dist::Empirical {
            file,
            samples: samples.into(),
        })
    }

    /// The mean, seconds.
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Const { value } => value,
            Dist::Exp { mean } => mean,
            Dist::Uniform { min, max } => (min + max) / 2.0,
            Dist::Normal { mean, sd } => truncated_normal(mean, sd).0,
            Dist::Lognormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Dist::Gamma { shape, scale } => shape * scale,
            Dist::Weibull { scale, shape } => scale * gamma_fn(1.0 + 1.0 / shape),
            Dist::Pareto { scale, shape } => shape * scale / (shape - 1.0),
            Dist::Empirical { ref samples, .. } => mean_of(samples),
        }
    }

    /// The variance, seconds² (infinite for a Pareto with shape <= 2).
    pub fn variance(&self) -> f64 {
        match *self {
            Dist::Const { .. } => 0.0,
            Dist::Exp { mean } => mean * mean,
            Dist::Uniform { min, max } => (max - min).powi(2) / 12.0,
            Dist::Normal { mean, sd } => truncated_normal(mean, sd).1,
            Dist::Lognormal { mu, sigma } => {
                let s2 = sigma * sigma;
                s2.exp_m1() * (2.0 * mu + s2).exp()
            }
            Dist::Gamma { shape, scale } => shape * scale * scale,
            Dist::Weibull { scale, shape } => {
                let g1 = gamma_fn(1.0 + 1.0 / shape);
                scale * scale * (gamma_fn(1.0 + 2.0 / shape) - g1 * g1)
            }
            Dist::Pareto { scale, shape } if shape > 2.0 => {
                scale * scale * shape / ((shape - 1.0).powi(2) * (shape - 2.0))
            }
            Dist::Pareto { .. } => f64::INFINITY,
            Dist::Empirical { ref samples, .. } => {
                let m = mean_of(samples);
                samples.iter().map(|v| (v - m).powi(2)).sum::<f64>() / samples.len() as f64
            }
        }
    }

    /// `P(X <= x)`.
    pub fn cdf(&self, x: f64) -> f64 {
        if x < 0.0 {
            return 0.0;
        }
        match *self {
            Dist::Const { value } => f64::from(u8::from(x >= value)),
            Dist::Exp { mean } => -(-x / mean).exp_m1(),
            Dist::Uniform { min, max } if max > min => ((x - min) / (max - min)).clamp(0.0, 1.0),
            Dist::Uniform { min, .. } => f64::from(u8::from(x >= min)),
            Dist::Normal { mean, sd } if sd > 0.0 => {
                let n = std_normal();
                let below = n.cdf(-mean / sd);
                (n.cdf((x - mean) / sd) - below) / (1.0 - below)
            }
            Dist::Normal { mean, .. } => f64::from(u8::from(x >= mean)),
            Dist::Lognormal { mu, sigma } if x > 0.0 => std_normal().cdf((x.ln() - mu) / sigma),
            Dist::Lognormal { .. } => 0.0,
            Dist::Gamma { shape, scale } => {
                statrs::distribution::Gamma::new(shape, 1.0 / scale).map_or(f64::NAN, |g| g.cdf(x))
            }
            Dist::Weibull { scale, shape } => -(-(x / scale).powf(shape)).exp_m1(),
            Dist::Pareto { scale, shape } if x >= scale => 1.0 - (scale / x).powf(shape),
            Dist::Pareto { .. } => 0.0,
            Dist::Empirical { ref samples, .. } => {
                samples.iter().filter(|v| **v <= x).count() as f64 / samples.len() as f64
            }
        }
    }

    /// The distribution of `k X`, `X` this one (`k > 0`): the same family
    /// with its scale multiplied, so the mean is `k ×` and the variance
    /// `k² ×` this one's. A slowdown that multiplies every draw by `k`.
    pub fn scaled(&self, k: f64) -> Dist {
        match self {
            Dist::Const { value } => Dist::Const { value: value * k },
            Dist::Exp { mean } => Dist::Exp { mean: mean * k },
            Dist::Uniform { min, max } => Dist::Uniform {
                min: min * k,
                max: max * k,
            },
            // Truncation at 0 commutes with scaling.
            Dist::Normal { mean, sd } => Dist::Normal {
                mean: mean * k,
                sd: sd * k,
            },
            Dist::Lognormal { mu, sigma } => Dist::Lognormal {
                mu: mu + k.ln(),
                sigma: *sigma,
            },
            Dist::Gamma { shape, scale } => Dist::Gamma {
                shape: *shape,
                scale: scale * k,
            },
            Dist::Weibull { scale, shape } => Dist::Weibull {
                scale: scale * k,
                shape: *shape,
            },
            Dist::Pareto { scale, shape } => Dist::Pareto {
                scale: scale * k,
                shape: *shape,
            },
            Dist::Empirical { file, samples } => Dist::Empirical {
                file: file.clone(),
                samples: samples.iter().map(|v| v * k).collect(),
            },
        }
    }

    /// A sampler for the hot path.
    pub fn sampler(&self) -> Sampler {
        // Parameters were checked by the constructors, so building cannot fail;
        // a failure would still fall back to the mean rather than panic.
        let inner = match self {
            Dist::Const { value } => Inner::Const(*value),
            Dist::Exp { mean } => Exp::new(1.0 / mean).map_or(Inner::Const(*mean), Inner::Exp),
            Dist::Uniform { min, max } => Inner::Uniform(*min, max - min),
            Dist::Normal { mean, sd } => {
                Normal::new(*mean, *sd).map_or(Inner::Const(*mean), Inner::Normal)
            }
            Dist::Lognormal { mu, sigma } => {
                LogNormal::new(*mu, *sigma).map_or(Inner::Const(self.mean()), Inner::LogNormal)
            }
            Dist::Gamma { shape, scale } => {
                Gamma::new(*shape, *scale).map_or(Inner::Const(self.mean()), Inner::Gamma)
            }
            Dist::Weibull { scale, shape } => {
                Weibull::new(*scale, *shape).map_or(Inner::Const(self.mean()), Inner::Weibull)
            }
            Dist::Pareto { scale, shape } => {
                Pareto::new(*scale, *shape).map_or(Inner::Const(self.mean()), Inner::Pareto)
            }
            Dist::Empirical { samples, .. } => Inner::Empirical(samples.clone()),
        };
        Sampler { inner }
    }
}

fn std_normal() -> statrs::distribution::Normal {
    statrs::distribution::Normal::new(0.0, 1.0).expect("standard normal is valid")
}

/// Mean and variance of Normal(mean, sd) truncated to `[0, ∞)`.
fn truncated_normal(mean: f64, sd: f64) -> (f64, f64) {
    if sd == 0.0 {
        return (mean, 0.0);
    }
    let n = std_normal();
    let alpha = -mean / sd;
    let lambda = n.pdf(alpha) / (1.0 - n.cdf(alpha));
    let m = mean + sd * lambda;
    let v = sd * sd * (1.0 + alpha * lambda - lambda * lambda);
    (m, v)
}

fn mean_of(samples: &[f64]) -> f64 {
    samples.iter().sum::<f64>() / samples.len() as f64
}

/// Draws from a [`Dist`] without allocating; values are seconds, finite and >= 0.
#[derive(Clone, Debug)]
pub struct Sampler {
    inner: Inner,
}

#[derive(Clone, Debug)]
enum Inner {
    Const(f64),
    Exp(Exp<f64>),
    /// `min`, `max - min`.
    Uniform(f64, f64),
    Normal(Normal<f64>),
    LogNormal(LogNormal<f64>),
    Gamma(Gamma<f64>),
    Weibull(Weibull<f64>),
    Pareto(Pareto<f64>),
    Empirical(Arc<[f64]>),
}

impl Sampler {
    /// One draw, seconds.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let x = match &self.inner {
            Inner::Const(v) => *v,
            Inner::Exp(d) => d.sample(rng),
            Inner::Uniform(min, width) => min + width * rng.random::<f64>(),
            Inner::Normal(d) => loop {
                // The mean is positive, so at least half the draws are kept.
                let x = d.sample(rng);
                if x >= 0.0 {
                    break x;
                }
            },
            Inner::LogNormal(d) => d.sample(rng),
            Inner::Gamma(d) => d.sample(rng),
            Inner::Weibull(d) => d.sample(rng),
            Inner::Pareto(d) => d.sample(rng),
            Inner::Empirical(samples) => samples[rng.random_range(0..samples.len())],
        };
        // A cap keeps simulated time far from overflow whatever the tail draws.
        if x.is_nan() {
            0.0
        } else {
            x.clamp(0.0, MAX_DRAW_SECS)
        }
    }
}

#[cfg(test)]
mod tests;
