//! Special functions the maximum-likelihood equations need beyond statrs:
//! the trigamma function ψ′, the derivative of statrs' digamma.

/// ψ′(x) for x > 0: the recurrence ψ′(x) = ψ′(x + 1) + 1/x² up to x ≥ 10,
/// then the asymptotic series 1/x + 1/(2x²) + Σ B₂ₖ/x^(2k+1), whose first
/// omitted term there is below 1e-13.
pub fn trigamma(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    let mut x = x;
    let mut acc = 0.0;
    while x < 10.0 {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    let r = 1.0 / x;
    let r2 = r * r;
    // Bernoulli numbers B2 = 1/6, B4 = -1/30, B6 = 1/42, B8 = -1/30, B10 = 5/66.
    let series = r2
        * (1.0 / 6.0 - r2 * (1.0 / 30.0 - r2 * (1.0 / 42.0 - r2 * (1.0 / 30.0 - r2 * 5.0 / 66.0))));
    acc + r + r2 / 2.0 + r * series
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigamma_matches_known_values_and_the_digamma_slope() {
        // ψ′(1) = π²/6, ψ′(1/2) = π²/2.
        let pi2 = std::f64::consts::PI.powi(2);
        assert!((trigamma(1.0) - pi2 / 6.0).abs() < 1e-12);
        assert!((trigamma(0.5) - pi2 / 2.0).abs() < 1e-12);
        for x in [0.05, 0.7, 3.0, 12.5, 400.0] {
            let h = 1e-5 * x;
            let slope = (statrs::function::gamma::digamma(x + h)
                - statrs::function::gamma::digamma(x - h))
                / (2.0 * h);
            assert!((trigamma(x) - slope).abs() < 1e-6 * trigamma(x), "x = {x}");
        }
        assert!(trigamma(0.0).is_nan() && trigamma(f64::NAN).is_nan());
    }
}
