//! A fitted distribution written as the scenario's `processing = { … }`
//! value, in exactly the syntax `scenario::distspec` reads (its `KINDS`):
//! durations as strings with a unit, unitless parameters as plain numbers,
//! both to 4 significant digits (far finer than any fit's interval).
//! A duration string is rounded to the engine's tick (1 µs) when read, so
//! durations below 1 ms, whose 4 digits reach below the microsecond, are
//! written as plain numbers of seconds, which the parser keeps as written.

use crate::dist::Dist;

/// Significant digits of every parameter written.
const DIGITS: usize = 4;

/// `v` to `digits` significant digits, fixed-point (never an exponent, so
/// that TOML reads it as a number), without trailing zeros.
pub fn sig(v: f64, digits: usize) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    if v == 0.0 {
        return "0".into();
    }
    let magnitude = v.abs().log10().floor() as i64;
    let decimals = (digits as i64 - 1 - magnitude).max(0) as usize;
    let text = format!("{v:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// `secs` as a duration string a scenario reads: `"85.21ms"`, `"1.402s"`,
/// `"350us"`, in the unit that keeps the number between 1 and 1000.
pub fn duration(secs: f64) -> String {
    let (v, unit) = if secs >= 1.0 {
        (secs, "s")
    } else if secs >= 1e-3 {
        (secs * 1e3, "ms")
    } else {
        (secs * 1e6, "us")
    };
    // 999.96 ms rounds to "1000ms": still a valid, exact duration.
    format!("{}{unit}", sig(v, DIGITS))
}

/// `secs` as a duration parameter of a scenario line: [`duration`] in
/// quotes from 1 ms up (exact in ticks), a plain number of seconds below.
pub fn duration_param(secs: f64) -> String {
    if secs >= 1e-3 {
        format!("\"{}\"", duration(secs))
    } else {
        sig(secs, DIGITS)
    }
}

/// The scenario value of a fitted exponential, gamma, lognormal or Weibull
/// distribution (`None` for other kinds).
pub fn scenario_value(dist: &Dist) -> Option<String> {
    let number = |v: f64| sig(v, DIGITS);
    let text = match *dist {
        Dist::Exp { mean } => format!("{{ dist = \"exp\", mean = {} }}", duration_param(mean)),
        Dist::Gamma { shape, scale } => format!(
            "{{ dist = \"gamma\", shape = {}, scale = {} }}",
            number(shape),
            duration_param(scale)
        ),
        Dist::Lognormal { mu, sigma } => format!(
            "{{ dist = \"lognormal\", median = {}, sigma = {} }}",
            duration_param(mu.exp()),
            number(sigma)
        ),
        Dist::Weibull { scale, shape } => format!(
            "{{ dist = \"weibull\", scale = {}, shape = {} }}",
            duration_param(scale),
            number(shape)
        ),
        _ => return None,
    };
    Some(text)
}

/// The scenario value of the sample itself, read from `file`.
pub fn empirical_value(file: &str) -> String {
    format!(
        "{{ dist = \"empirical\", file = {} }}",
        toml::Value::String(file.to_owned())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_four_significant_digits_in_fixed_point() {
        assert_eq!(sig(0.501234, 4), "0.5012");
        assert_eq!(sig(85.2149, 4), "85.21");
        assert_eq!(sig(2.0, 4), "2");
        assert_eq!(sig(123456.7, 4), "123457");
        assert_eq!(sig(0.000001234567, 4), "0.000001235");
        assert_eq!(sig(-4.56789, 3), "-4.57");
    }

    #[test]
    fn durations_pick_a_readable_unit() {
        assert_eq!(duration(0.0852149), "85.21ms");
        assert_eq!(duration(1.40234), "1.402s");
        assert_eq!(duration(350e-6), "350us");
        assert_eq!(duration(152.34), "152.3s");
    }

    #[test]
    fn sub_millisecond_durations_are_written_as_plain_seconds() {
        assert_eq!(duration_param(0.0852149), "\"85.21ms\"");
        assert_eq!(duration_param(0.0003502), "0.0003502");
        assert_eq!(
            scenario_value(&Dist::Exp { mean: 1.0823e-9 }).unwrap(),
            "{ dist = \"exp\", mean = 0.000000001082 }"
        );
    }

    #[test]
    fn empirical_file_names_are_toml_strings() {
        let name = r#"data/a "b" \c.txt"#;
        let table: toml::Table = toml::from_str(&format!("v = {}", empirical_value(name))).unwrap();
        assert_eq!(table["v"]["file"].as_str(), Some(name));
        assert_eq!(table["v"]["dist"].as_str(), Some("empirical"));
    }
}
