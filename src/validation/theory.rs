//! Closed-form steady-state results the validation suite compares against
//! (the same formulas as `shared/reference/theory.py`).
//!
//! Notation: arrival rate `lambda` (Poisson), service rate `mu` of one
//! server, `c` identical FIFO servers, offered load `a = lambda / mu`,
//! utilisation `rho = a / c`.

/// Erlang C: the probability that an arrival waits in M/M/c (`a < c`).
pub fn erlang_c(c: u32, a: f64) -> f64 {
    let mut b = 1.0; // Erlang B by the stable recursion B(k) = a B(k−1) / (k + a B(k−1))
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    f64::from(c) * b / (f64::from(c) - a * (1.0 - b))
}

/// Steady state of FIFO M/M/c.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mmc {
    /// Arrival rate.
    pub lambda: f64,
    /// Service rate of one server.
    pub mu: f64,
    /// Servers.
    pub c: u32,
}

impl Mmc {
    /// P(wait > 0), Erlang C.
    pub fn p_wait(&self) -> f64 {
        erlang_c(self.c, self.lambda / self.mu)
    }

    /// Mean wait in queue, `C / (c mu − lambda)`.
    pub fn wq(&self) -> f64 {
        self.p_wait() / (f64::from(self.c) * self.mu - self.lambda)
    }

    /// Mean sojourn, `Wq + 1 / mu`.
    pub fn w(&self) -> f64 {
        self.wq() + 1.0 / self.mu
    }

    /// P(W > t): `W = Wq + S`, `Wq` is 0 with probability `1 − C` and
    /// `Exp(theta)` otherwise (`theta = c mu − lambda`), `S ~ Exp(mu)`
    /// independent; the sum of two exponentials is hypoexponential.
    pub fn sojourn_tail(&self, t: f64) -> f64 {
        if t <= 0.0 {
            return 1.0;
        }
        let (mu, theta) = (self.mu, f64::from(self.c) * self.mu - self.lambda);
        let c = self.p_wait();
        let hypo = if (theta - mu).abs() < 1e-12 * theta.max(mu) {
            (1.0 + mu * t) * (-mu * t).exp()
        } else {
            (theta * (-mu * t).exp() - mu * (-theta * t).exp()) / (theta - mu)
        };
        (1.0 - c) * (-mu * t).exp() + c * hypo
    }

    /// The `q` quantile of the sojourn time (0 < q < 1), by bisection of
    /// the tail.
    pub fn sojourn_quantile(&self, q: f64) -> f64 {
        let p = 1.0 - q;
        let mut hi = 1.0;
        while self.sojourn_tail(hi) > p {
            hi *= 2.0;
        }
        let mut lo = 0.0;
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if self.sojourn_tail(mid) > p {
                lo = mid;
            } else {
                hi = mid;
            }
            if hi - lo <= 1e-13 * hi {
                break;
            }
        }
        0.5 * (lo + hi)
    }
}

/// Pollaczek–Khinchine mean wait of M/G/1: `lambda E[S²] / (2 (1 − rho))`.
pub fn pk_wq(lambda: f64, es: f64, es2: f64) -> f64 {
    lambda * es2 / (2.0 * (1.0 - lambda * es))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Values from `python3 shared/reference/theory.py mmc --lam 9 --mu 1 --c 10`.
    const MMC_9_1_10: Mmc = Mmc {
        lambda: 9.0,
        mu: 1.0,
        c: 10,
    };

    #[test]
    fn erlang_c_matches_the_reference() {
        assert!((MMC_9_1_10.p_wait() - 0.668_731_5).abs() < 1e-6);
        assert!((MMC_9_1_10.wq() - 0.668_731_5).abs() < 1e-6);
        // M/M/1: C = rho, Wq = rho / (mu − lambda).
        let mm1 = Mmc {
            lambda: 0.8,
            mu: 1.0,
            c: 1,
        };
        assert!((mm1.p_wait() - 0.8).abs() < 1e-12);
        assert!((mm1.wq() - 4.0).abs() < 1e-12);
    }

    #[test]
    fn sojourn_quantiles_match_the_reference_and_mm1_closed_form() {
        assert!((MMC_9_1_10.sojourn_quantile(0.99) - 6.249_876_7).abs() < 1e-6);
        // M/M/1: W ~ Exp(mu − lambda), so the q quantile is −ln(1 − q) / (mu − lambda).
        let mm1 = Mmc {
            lambda: 0.5,
            mu: 1.0,
            c: 1,
        };
        for q in [0.5, 0.95, 0.99] {
            let exact = -(1.0f64 - q).ln() / 0.5;
            assert!((mm1.sojourn_quantile(q) - exact).abs() < 1e-9, "q {q}");
        }
    }

    #[test]
    fn pollaczek_khinchine_gives_md1_and_mm1() {
        // M/D/1 at rho 0.8, d = 1: rho d / (2 (1 − rho)) = 2.
        assert!((pk_wq(0.8, 1.0, 1.0) - 2.0).abs() < 1e-12);
        // Exponential service: E[S²] = 2 / mu², the M/M/1 value.
        assert!((pk_wq(0.8, 1.0, 2.0) - 4.0).abs() < 1e-12);
    }
}
