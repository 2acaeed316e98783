//! Distributions as scenario files write them (SPEC §2): a bare duration
//! (constant) or a table `{ dist = "<kind>", <parameters> }`. Each kind has a
//! fixed set of parameter keys; unknown or missing ones are errors that list
//! what the kind takes. Empirical samples are read here, relative to the
//! scenario file, so the engine never touches the filesystem.

use super::files::DataFiles;

use toml::Value;

use super::checks::{Checked, invalid};
use super::duration::{DURATION_FORMS, parse_duration};
use crate::dist::Dist;

/// The kinds and the parameter sets each accepts.
pub(super) const KINDS: &[(&str, &[&[&str]])] = &[
    ("const", &[&["value"]]),
    ("exp", &[&["mean"]]),
    ("uniform", &[&["min", "max"]]),
    ("normal", &[&["mean", "sd"]]),
    (
        "lognormal",
        &[&["mean", "p99"], &["median", "sigma"], &["mu", "sigma"]],
    ),
    ("gamma", &[&["mean", "cv"], &["shape", "scale"]]),
    ("weibull", &[&["scale", "shape"]]),
    ("pareto", &[&["scale", "shape"]]),
    ("empirical", &[&["file"]]),
];

/// Parameters that are plain numbers; every other one is a duration.
/// (`mu` is the mean of ln X, X in seconds.)
pub(super) const UNITLESS: &[&str] = &["sigma", "cv", "shape", "mu"];

/// Parses the distribution at `key`; `files` holds the data files it may name.
pub fn parse_dist(key: &str, value: &Value, files: &DataFiles) -> Checked<Dist> {
    let table = match value {
        Value::String(_) | Value::Integer(_) | Value::Float(_) => {
            let secs = seconds(key, value)?;
            return Dist::constant(secs).map_err(|why| invalid(key, why));
        }
        Value::Table(table) => table,
        other => {
            return Err(invalid(
                key,
                format!(
                    "a {} is not a distribution; write a duration or {{ dist = \"exp\", mean = \"100ms\" }}",
                    other.type_str()
                ),
            ));
        }
    };
    let kind = kind_of(key, table)?;
    let params = parameter_set(key, kind, table)?;
    let number = |name: &str| -> Checked<f64> {
        let v = &table[name];
        if UNITLESS.contains(&name) {
            unitless(&format!("{key}.{name}"), v)
        } else {
            seconds(&format!("{key}.{name}"), v)
        }
    };
    let built = match (kind, params) {
        ("const", _) => Dist::constant(number("value")?),
        ("exp", _) => Dist::exp(number("mean")?),
        ("uniform", _) => Dist::uniform(number("min")?, number("max")?),
        ("normal", _) => Dist::normal(number("mean")?, number("sd")?),
        ("lognormal", ["mean", "p99"]) => Dist::lognormal_mean_p99(number("mean")?, number("p99")?),
        ("lognormal", ["median", "sigma"]) => {
            Dist::lognormal_median_sigma(number("median")?, number("sigma")?)
        }
        // The distribution's own parameters, as `mqsim check` prints them.
        ("lognormal", _) => lognormal(number("mu")?, number("sigma")?),
        ("gamma", ["mean", "cv"]) => Dist::gamma_mean_cv(number("mean")?, number("cv")?),
        ("gamma", _) => gamma(number("shape")?, number("scale")?),
        ("weibull", _) => Dist::weibull(number("scale")?, number("shape")?),
        ("pareto", _) => Dist::pareto(number("scale")?, number("shape")?),
        _ => return empirical(key, table, files),
    };
    built.map_err(|why| invalid(key, format!("{kind}: {why}")))
}

fn kind_of(key: &str, table: &toml::Table) -> Checked<&'static str> {
    let names: Vec<String> = KINDS.iter().map(|(k, _)| format!("\"{k}\"")).collect();
    let Some(written) = table.get("dist") else {
        return Err(invalid(
            key,
            format!("missing `dist`; allowed: {}", names.join(", ")),
        ));
    };
    let written = written.as_str().unwrap_or("");
    KINDS
        .iter()
        .map(|(k, _)| *k)
        .find(|k| *k == written)
        .ok_or_else(|| {
            invalid(
                format!("{key}.dist"),
                format!(
                    "\"{written}\" is not a distribution; allowed: {}",
                    names.join(", ")
                ),
            )
        })
}

/// The parameter set of `kind` that the table's keys match exactly.
fn parameter_set(key: &str, kind: &str, table: &toml::Table) -> Checked<&'static [&'static str]> {
    let sets = KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(&[][..], |(_, s)| s);
    let given: Vec<&str> = table
        .keys()
        .map(String::as_str)
        .filter(|k| *k != "dist")
        .collect();
    for set in sets {
        if set.len() == given.len() && set.iter().all(|p| given.contains(p)) {
            return Ok(set);
        }
    }
    let forms: Vec<String> = sets.iter().map(|s| s.join(" + ")).collect();
    Err(invalid(
        key,
        format!(
            "{kind} takes {}; got {}",
            forms.join(", or "),
            if given.is_empty() {
                "no parameters".into()
            } else {
                given.join(", ")
            }
        ),
    ))
}

/// A duration parameter in seconds. A plain number is taken as it is
/// (checked like a duration, not rounded to the microsecond), so that the
/// parameters `mqsim check` prints load back exactly.
fn seconds(key: &str, value: &Value) -> Checked<f64> {
    let t = match value {
        Value::String(s) => parse_duration(s).map(|t| t.as_secs_f64()),
        Value::Integer(i) => super::duration::RawDuration::Seconds(*i as f64)
            .to_time()
            .map(|t| t.as_secs_f64()),
        Value::Float(f) => super::duration::RawDuration::Seconds(*f)
            .to_time()
            .map(|_| *f),
        other => Err(format!("a {} is not {DURATION_FORMS}", other.type_str())),
    };
    t.map_err(|why| invalid(key, why))
}

fn lognormal(mu: f64, sigma: f64) -> Result<Dist, String> {
    if !(sigma.is_finite() && sigma > 0.0) {
        return Err(format!("sigma must be positive and finite, got {sigma}"));
    }
    let mean = (mu + sigma * sigma / 2.0).exp();
    if !(mean.is_finite() && mean > 0.0) {
        return Err(format!(
            "mu = {mu}, sigma = {sigma} give a mean of {mean} s; allowed: a finite, positive mean"
        ));
    }
    Ok(Dist::Lognormal { mu, sigma })
}

fn gamma(shape: f64, scale: f64) -> Result<Dist, String> {
    for (name, v) in [("shape", shape), ("scale", scale)] {
        if !(v.is_finite() && v > 0.0) {
            return Err(format!("{name} must be positive and finite, got {v}"));
        }
    }
    Ok(Dist::Gamma { shape, scale })
}

fn unitless(key: &str, value: &Value) -> Checked<f64> {
    match value {
        Value::Integer(i) => Ok(*i as f64),
        Value::Float(f) if f.is_finite() => Ok(*f),
        _ => Err(invalid(key, "must be a finite number")),
    }
}

/// Reads an empirical sample file: one duration per line (a plain number is
/// seconds); blank lines and lines starting with `#` are skipped.
fn empirical(key: &str, table: &toml::Table, files: &DataFiles) -> Checked<Dist> {
    let file_key = format!("{key}.file");
    let Some(file) = table["file"].as_str() else {
        return Err(invalid(file_key, "must be a file name (a string)"));
    };
    let path = files.path(file);
    let text = files.read(file).map_err(|why| invalid(&file_key, why))?;
    let mut samples = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let t = parse_duration(line).map_err(|why| {
            invalid(
                &file_key,
                format!("{}:{}: {why}", path.display(), index + 1),
            )
        })?;
        samples.push(t.as_secs_f64());
    }
    Dist::empirical(file.to_owned(), samples)
        .map_err(|why| invalid(file_key, format!("{}: {why}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Checked<Dist> {
        let table: toml::Table = toml::from_str(&format!("d = {text}")).unwrap();
        parse_dist(
            "consumers.processing",
            &table["d"],
            &DataFiles::on_disk(std::path::Path::new(".")),
        )
    }

    #[test]
    fn every_kind_parses() {
        assert_eq!(parse("\"250ms\"").unwrap().mean(), 0.25);
        assert_eq!(
            parse("{ dist = \"exp\", mean = \"2s\" }").unwrap().mean(),
            2.0
        );
        let ln = parse("{ dist = \"lognormal\", mean = \"120ms\", p99 = \"800ms\" }").unwrap();
        assert!((ln.mean() - 0.12).abs() < 1e-9);
        assert!(parse("{ dist = \"lognormal\", median = \"1s\", sigma = 0.5 }").is_ok());
        assert!(parse("{ dist = \"gamma\", mean = 1, cv = 0.8 }").is_ok());
        assert!(parse("{ dist = \"uniform\", min = \"1s\", max = \"2s\" }").is_ok());
        assert!(parse("{ dist = \"normal\", mean = \"1s\", sd = \"100ms\" }").is_ok());
        assert!(parse("{ dist = \"weibull\", scale = \"1s\", shape = 1.5 }").is_ok());
        assert!(parse("{ dist = \"pareto\", scale = \"1s\", shape = 2.5 }").is_ok());
        // The distributions' own parameters, exactly as written.
        let ln = parse("{ dist = \"lognormal\", mu = -1.9668421553962012, sigma = 0.84 }");
        assert_eq!(
            ln.unwrap(),
            Dist::Lognormal {
                mu: -1.9668421553962012,
                sigma: 0.84
            }
        );
        let g = parse("{ dist = \"gamma\", shape = 1.5624999999999998, scale = 0.0768000001 }");
        assert_eq!(
            g.unwrap(),
            Dist::Gamma {
                shape: 1.5624999999999998,
                scale: 0.0768000001
            }
        );
        assert!(parse("{ dist = \"lognormal\", mu = 800, sigma = 1 }").is_err());
        assert!(parse("{ dist = \"gamma\", shape = 0, scale = 1 }").is_err());
    }

    #[test]
    fn wrong_parameters_list_what_the_kind_takes() {
        let err = parse("{ dist = \"lognormal\", mean = \"1s\" }").unwrap_err();
        assert!(
            err.message.contains("mean + p99, or median + sigma"),
            "{}",
            err.message
        );
        let err = parse("{ dist = \"poisson\", mean = \"1s\" }").unwrap_err();
        assert_eq!(err.key, "consumers.processing.dist");
        assert!(err.message.contains("\"exp\""));
        let err = parse("{ dist = \"lognormal\", mean = \"1s\", p99 = \"500ms\" }").unwrap_err();
        assert_eq!(err.key, "consumers.processing");
        assert!(
            parse("{ dist = \"exp\", mean = \"soon\" }")
                .unwrap_err()
                .key
                .ends_with(".mean")
        );
        assert!(parse("[1, 2]").is_err());
    }

    #[test]
    fn empirical_reads_samples_relative_to_the_scenario() {
        let dir = std::env::temp_dir().join(format!("mqsim-emp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("s.txt"), "# ms\n100ms\n0.3\n\n").unwrap();
        let table: toml::Table =
            toml::from_str("d = { dist = \"empirical\", file = \"s.txt\" }").unwrap();
        let d = parse_dist("p", &table["d"], &DataFiles::on_disk(&dir)).unwrap();
        assert!((d.mean() - 0.2).abs() < 1e-12);
        std::fs::write(dir.join("s.txt"), "100ms\nlots\n").unwrap();
        let err = parse_dist("p", &table["d"], &DataFiles::on_disk(&dir)).unwrap_err();
        assert!(err.message.contains("s.txt:2:"), "{}", err.message);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
