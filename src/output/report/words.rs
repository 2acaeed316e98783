//! Numbers in the report's prose and SLO tables: values as the terminal
//! table rounds them ([`short`]) without its trailing zeros, durations in
//! the largest unit that keeps them exact ("150 ms", "90 s", "5 min"), and
//! every metric with its unit ("30 s", "0 messages", "$1.20").
//!
//! Durations are rounded to five significant digits, so a processing mean of
//! 0.15000000000000002 s reads "150 ms": the files keep full precision.

use crate::dist::Dist;
use crate::output::table::short;
use crate::output::units::{Unit, unit_of};
use crate::time::SimTime;

/// A number rounded like the terminal table, trailing zeros dropped:
/// `0.3` reads "0.3", not "0.30000".
pub fn num(v: f64) -> String {
    let s = short(v);
    if s.contains('.') && !s.contains(['e', 'E']) {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// A probability as a percentage: `0.0005` reads "0.05%".
pub fn pct(p: f64) -> String {
    format!("{}%", num(p * 100.0))
}

/// Seconds in the largest unit that holds them as a whole number (days,
/// hours, minutes), else seconds, or milliseconds below one second.
pub fn secs(v: f64) -> String {
    // Rounded first, so that 0.99999999 (a bisected p99) reads "1 s".
    let v = short(v).parse().unwrap_or(v);
    if v == 0.0 {
        return "0 s".into();
    }
    if !v.is_finite() {
        return format!("{} s", num(v));
    }
    for (size, unit) in [(86_400.0, "d"), (3_600.0, "h"), (60.0, "min")] {
        let n = v / size;
        if v >= size && (n - n.round()).abs() < 1e-9 * n {
            return format!("{} {unit}", num(n.round()));
        }
    }
    if v >= 1.0 {
        format!("{} s", num(v))
    } else {
        format!("{} ms", num(v * 1000.0))
    }
}

/// A time window "from A to B", both in one unit when one holds both as
/// whole numbers ("from 300 s to 330 s", not "from 5 min to 330 s").
pub fn window(from: SimTime, to: SimTime) -> String {
    let (a, b) = (from.as_secs_f64(), to.as_secs_f64());
    let whole = |x: f64, size: f64| (x / size - (x / size).round()).abs() < 1e-9;
    for (size, unit) in [(86_400.0, "d"), (3_600.0, "h"), (60.0, "min"), (1.0, "s")] {
        if b >= size && whole(a, size) && whole(b, size) {
            return format!("from {} to {} {unit}", num(a / size), num(b / size));
        }
    }
    format!("from {} to {}", secs(a), secs(b))
}

/// A simulated duration, as [`secs`].
pub fn time(t: SimTime) -> String {
    secs(t.as_secs_f64())
}

/// Dollars with cents ("$1.20"), or more digits below a cent.
pub fn usd(v: f64) -> String {
    if v == 0.0 || v.abs() >= 0.01 {
        format!("${v:.2}")
    } else {
        format!("${}", num(v))
    }
}

/// `v` in the unit of `metric` ([`crate::output::units`]): "30 s",
/// "0 messages", "$1.20", "0.001" for the shares and ratios.
pub fn metric_value(metric: &str, v: f64) -> String {
    let count = |unit: &str| {
        if v == 1.0 {
            format!("1 {}", unit.trim_end_matches('s'))
        } else {
            format!("{} {unit}", num(v))
        }
    };
    match unit_of(metric) {
        Unit::Seconds => secs(v),
        Unit::Usd => usd(v),
        // A ratio such as duplicate_rate is no share, but reads the same.
        Unit::Share => num(v),
        Unit::Messages => count("messages"),
        Unit::Count(what) if what.ends_with("hours") => format!("{} {what}", num(v)),
        Unit::Count(what) => count(what),
    }
}

/// The value below which a draw falls with probability `q`: the smallest
/// `x` with `cdf(x) >= q`, by bisection on the exact CDF (every kind of
/// distribution has one; few have a closed-form quantile).
pub fn quantile(d: &Dist, q: f64) -> f64 {
    let mut hi = d.mean();
    if !hi.is_finite() || hi <= 0.0 {
        hi = 1.0;
    }
    while d.cdf(hi) < q && hi < crate::dist::MAX_DRAW_SECS {
        hi *= 2.0;
    }
    let mut lo = 0.0;
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if d.cdf(mid) >= q {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// A distribution of durations in words, with its mean and p99.
pub fn dist(d: &Dist) -> String {
    let shape = match d {
        Dist::Const { value } => return format!("always {}", secs(*value)),
        Dist::Exp { .. } => "exponential".to_owned(),
        Dist::Uniform { min, max } => {
            format!("uniform between {} and {}", secs(*min), secs(*max))
        }
        Dist::Normal { mean, sd } => format!(
            "normal ({} ± {}, redrawn while negative)",
            secs(*mean),
            secs(*sd)
        ),
        Dist::Lognormal { sigma, .. } => format!("lognormal (σ = {})", num(*sigma)),
        Dist::Gamma { shape, .. } => {
            format!(
                "gamma (coefficient of variation {})",
                num(shape.sqrt().recip())
            )
        }
        Dist::Weibull { shape, .. } => format!("Weibull (shape {})", num(*shape)),
        Dist::Pareto { scale, shape } => format!(
            "Pareto (at least {}, tail index {})",
            secs(*scale),
            num(*shape)
        ),
        Dist::Empirical { file, samples } => {
            format!("drawn from the {} samples of {file}", samples.len())
        }
    };
    format!(
        "{shape}, mean {}, p99 {}",
        secs(d.mean()),
        secs(quantile(d, 0.99))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_drop_trailing_zeros() {
        assert_eq!(num(0.3), "0.3");
        assert_eq!(num(60.0), "60");
        assert_eq!(num(1.23456), "1.2346");
        assert_eq!(pct(0.0005), "0.05%");
    }

    #[test]
    fn durations_take_the_largest_exact_unit() {
        assert_eq!(secs(0.15000000000000002), "150 ms");
        assert_eq!(secs(30.0), "30 s");
        assert_eq!(secs(90.0), "90 s");
        assert_eq!(secs(300.0), "5 min");
        assert_eq!(secs(5400.0), "90 min");
        assert_eq!(secs(7200.0), "2 h");
        assert_eq!(secs(1.5), "1.5 s");
        assert_eq!(secs(0.0), "0 s");
        let t = SimTime::from_secs;
        assert_eq!(window(t(300), t(330)), "from 300 to 330 s");
        assert_eq!(window(t(0), t(7200)), "from 0 to 2 h");
        assert_eq!(window(t(1800), t(3000)), "from 30 to 50 min");
    }

    #[test]
    fn metrics_carry_their_unit() {
        assert_eq!(metric_value("latency_p99", 30.0), "30 s");
        assert_eq!(metric_value("dead_lettered", 0.0), "0 messages");
        assert_eq!(metric_value("dead_lettered", 1.0), "1 message");
        assert_eq!(metric_value("cost_usd", 1.2), "$1.20");
        assert_eq!(metric_value("duplicate_rate", 0.001), "0.001");
    }

    #[test]
    fn quantiles_match_closed_forms() {
        let exp = Dist::exp(2.0).unwrap();
        let want = -2.0 * 0.01f64.ln();
        assert!((quantile(&exp, 0.99) - want).abs() < 1e-9 * want);
        let ln = Dist::lognormal_mean_p99(0.3, 1.2).unwrap();
        assert!((quantile(&ln, 0.99) - 1.2).abs() < 1e-9);
        assert_eq!(dist(&ln), "lognormal (σ = 0.70175), mean 300 ms, p99 1.2 s");
        let c = Dist::constant(0.25).unwrap();
        assert_eq!(dist(&c), "always 250 ms");
    }
}
