//! Validation of what lies downstream of a fleet (SPEC §5): the
//! `[resources.NAME]` tables, and a fleet's `uses`, backoff `on_error`,
//! `breaker` and `idempotency` ([`super::downstream`]).
//!
//! Contract: resources are in name order and every reference to one
//! (`uses.N.resource`, `idempotency.store`, a resource fault's `target`)
//! names one that exists, an error listing those that do; every time that
//! must be positive is at least one tick (a value that rounds to 0 is
//! refused as shorter than the tick); tables kept as TOML values refuse
//! unknown keys, naming the allowed ones.

use std::collections::BTreeMap;

use super::checks::{
    Checked, duration_value, int_in, invalid, number_in, number_value, positive_duration, required,
    word,
};
use super::distspec::parse_dist;
use super::downstream::{
    Backoff, Breaker, Contention, Idempotency, MAX_BACKOFF, ResourceNode, Use,
};
use super::files::DataFiles;
use super::model::OnError;
use super::network::Names;
use super::raw::{RawBreaker, RawIdempotency, RawResource, RawUse};
use crate::dist::Dist;
use crate::time::SimTime;

const HOUR: u64 = 3600;
const DAY: u64 = 24 * HOUR;

/// Most `uses` entries of one fleet.
pub const MAX_USES: usize = 8;

/// Most concurrent holders of one resource.
const MAX_CAPACITY: i64 = 1_000_000;

/// The `[resources.NAME]` tables, in name order (their names were checked
/// by [`Names::with_resources`]).
pub fn resources(raw: BTreeMap<String, RawResource>) -> Checked<Vec<ResourceNode>> {
    raw.into_iter()
        .map(|(name, r)| {
            let key = |k: &str| format!("resources.{name}.{k}");
            let capacity = required(
                &key("capacity"),
                r.capacity,
                "capacity = 20 (concurrent holders)",
            )?;
            let capacity = int_in(&key("capacity"), Some(capacity), 1, 1..=MAX_CAPACITY)? as u32;
            let acquire_timeout = r
                .acquire_timeout
                .as_ref()
                .map(|t| {
                    positive_duration(
                        &key("acquire_timeout"),
                        t,
                        SimTime::from_secs(12 * HOUR),
                        "an acquire timeout",
                    )
                })
                .transpose()?;
            let contention = match &r.contention {
                None => Contention::None,
                Some(value) => contention(&key("contention"), value)?,
            };
            Ok(ResourceNode {
                name,
                capacity,
                acquire_timeout,
                contention,
            })
        })
        .collect()
}

/// `"none"`, `{ model = "none" }` or `{ model = "usl", sigma, kappa }`.
fn contention(key: &str, value: &toml::Value) -> Checked<Contention> {
    let allowed = "allowed: \"none\", { model = \"none\" } or \
                   { model = \"usl\", sigma = 0 ..= 1, kappa = 0 ..= 1 }";
    let table = match value {
        toml::Value::String(s) if s == "none" => return Ok(Contention::None),
        toml::Value::String(s) if s == "usl" => {
            return Err(invalid(
                key,
                "the usl model needs its coefficients: \
                 contention = { model = \"usl\", sigma = 0.04, kappa = 0.0008 }",
            ));
        }
        toml::Value::String(s) => {
            return Err(invalid(key, format!("\"{s}\" is not allowed; {allowed}")));
        }
        toml::Value::Table(t) => t,
        other => {
            return Err(invalid(
                key,
                format!("a {} is not allowed; {allowed}", other.type_str()),
            ));
        }
    };
    let model_key = format!("{key}.model");
    let model = match table.get("model") {
        None => {
            return Err(invalid(
                &model_key,
                "is required, e.g. contention = { model = \"usl\", sigma = 0.04, kappa = 0.0008 }",
            ));
        }
        Some(toml::Value::String(s)) => word(&model_key, Some(s), "none", &["none", "usl"])?,
        Some(other) => {
            return Err(invalid(
                &model_key,
                format!(
                    "a {} is not allowed; allowed: \"none\", \"usl\"",
                    other.type_str()
                ),
            ));
        }
    };
    let keys: &[&str] = match model {
        "usl" => &["model", "sigma", "kappa"],
        _ => &["model"],
    };
    if let Some(other) = table.keys().find(|k| !keys.contains(&k.as_str())) {
        let why = if ["sigma", "kappa"].contains(&other.as_str()) {
            format!(
                "the model \"{model}\" takes no `{other}`; it takes model only (or model = \"usl\")"
            )
        } else {
            format!("unknown key `{other}`; allowed: {}", keys.join(", "))
        };
        return Err(invalid(format!("{key}.{other}"), why));
    }
    if model == "none" {
        return Ok(Contention::None);
    }
    let coefficient = |name: &str, example: &str| -> Checked<f64> {
        let k = format!("{key}.{name}");
        let v = required(
            &k,
            table.get(name),
            &format!("{name} = {example} (0 ..= 1)"),
        )?;
        number_in(&k, Some(number_value(&k, v)?), 0.0, 0.0..=1.0)
    };
    Ok(Contention::Usl {
        sigma: coefficient("sigma", "0.04")?,
        kappa: coefficient("kappa", "0.0008")?,
    })
}

/// A fleet's `uses = [{ resource, hold }]` at dotted key `at` (the fleet).
pub fn uses(at: &str, raw: Vec<RawUse>, names: &Names, files: &DataFiles) -> Checked<Vec<Use>> {
    if raw.len() > MAX_USES {
        return Err(invalid(
            format!("{at}.uses"),
            format!(
                "{} entries; allowed: at most {MAX_USES} resources held per processing",
                raw.len()
            ),
        ));
    }
    raw.into_iter()
        .enumerate()
        .map(|(j, u)| {
            let key = |k: &str| format!("{at}.uses.{j}.{k}");
            let name = required(
                &key("resource"),
                u.resource.as_deref(),
                &format!(
                    "uses = [{{ resource = \"orders-db\", hold = \"12ms\" }}] ({})",
                    names.resource_list()
                ),
            )?;
            let resource = names.resource(&key("resource"), name)?;
            let hold = required(
                &key("hold"),
                u.hold.as_ref(),
                "hold = { dist = \"gamma\", mean = \"12ms\", cv = 0.8 } (a distribution)",
            )?;
            Ok(Use {
                resource,
                hold: parse_dist(&key("hold"), hold, files)?,
            })
        })
        .collect()
}

/// `"wait"`, `"release"` or `{ backoff = "exponential", base, factor, max, jitter }`.
pub fn on_error(key: &str, value: Option<&toml::Value>) -> Checked<OnError> {
    let words = ["wait", "release"];
    let allowed = "allowed: \"wait\", \"release\" or \
                   { backoff = \"exponential\", base = \"2s\", factor = 2, max = \"15m\", jitter = true }";
    match value {
        None => Ok(OnError::Wait),
        Some(toml::Value::String(s)) => match word(key, Some(s), "wait", &words) {
            Ok("release") => Ok(OnError::Release),
            Ok(_) => Ok(OnError::Wait),
            Err(_) => Err(invalid(key, format!("\"{s}\" is not allowed; {allowed}"))),
        },
        Some(toml::Value::Table(t)) => backoff(key, t).map(OnError::Backoff),
        Some(other) => Err(invalid(key, format!("{other} is not allowed; {allowed}"))),
    }
}

/// The backoff table of `on_error`.
fn backoff(key: &str, table: &toml::Table) -> Checked<Backoff> {
    let keys = ["backoff", "base", "factor", "max", "jitter"];
    if let Some(other) = table.keys().find(|k| !keys.contains(&k.as_str())) {
        return Err(invalid(
            format!("{key}.{other}"),
            format!("unknown key `{other}`; allowed: {}", keys.join(", ")),
        ));
    }
    let at = |k: &str| format!("{key}.{k}");
    let example = "on_error = { backoff = \"exponential\", base = \"2s\" }";
    match required(&at("backoff"), table.get("backoff"), example)? {
        toml::Value::String(s) => {
            word(&at("backoff"), Some(s), "exponential", &["exponential"])?;
        }
        other => {
            return Err(invalid(
                at("backoff"),
                format!(
                    "a {} is not allowed; allowed: \"exponential\"",
                    other.type_str()
                ),
            ));
        }
    }
    let base = required(&at("base"), table.get("base"), "base = \"2s\"")?;
    let base = positive_duration(
        &at("base"),
        &duration_value(&at("base"), base)?,
        MAX_BACKOFF,
        "a backoff base",
    )?;
    let factor = match table.get("factor") {
        None => 2.0,
        Some(v) => number_in(
            &at("factor"),
            Some(number_value(&at("factor"), v)?),
            2.0,
            1.0..=100.0,
        )?,
    };
    let max = match table.get("max") {
        None => MAX_BACKOFF,
        Some(v) => {
            let max = duration_value(&at("max"), v)?
                .to_time()
                .map_err(|why| invalid(at("max"), why))?;
            if max > MAX_BACKOFF {
                return Err(invalid(
                    at("max"),
                    format!(
                        "{max} is longer than {MAX_BACKOFF}, the longest visibility a \
                         ChangeMessageVisibility may set; allowed: base ({base}) ..= {MAX_BACKOFF}"
                    ),
                ));
            }
            if max < base {
                return Err(invalid(
                    at("max"),
                    format!(
                        "{max} is shorter than base ({base}); allowed: {base} ..= {MAX_BACKOFF}"
                    ),
                ));
            }
            max
        }
    };
    let jitter = match table.get("jitter") {
        None => false,
        Some(toml::Value::Boolean(b)) => *b,
        Some(other) => {
            return Err(invalid(
                at("jitter"),
                format!(
                    "a {} is not allowed; allowed: true or false",
                    other.type_str()
                ),
            ));
        }
    };
    Ok(Backoff {
        base,
        factor,
        max,
        jitter,
    })
}

/// A fleet's `breaker` at dotted key `key`.
pub fn breaker(key: &str, raw: RawBreaker) -> Checked<Breaker> {
    let at = |k: &str| format!("{key}.{k}");
    let error_rate = required(&at("error_rate"), raw.error_rate, "error_rate = 0.5")?;
    if !(error_rate > 0.0 && error_rate < 1.0) {
        return Err(invalid(
            at("error_rate"),
            format!(
                "{error_rate} is out of range; allowed: > 0 and < 1 (the breaker opens when \
                 the share of failed processings exceeds it, which a share of 1 never does)"
            ),
        ));
    }
    let day = SimTime::from_secs(DAY);
    let window = required(&at("window"), raw.window.as_ref(), "window = \"30s\"")?;
    let window = positive_duration(&at("window"), window, day, "a breaker window")?;
    let open_for = required(&at("open_for"), raw.open_for.as_ref(), "open_for = \"60s\"")?;
    let open_for = positive_duration(&at("open_for"), open_for, day, "a breaker's open_for")?;
    Ok(Breaker {
        error_rate,
        window,
        min_calls: int_in(&at("min_calls"), raw.min_calls, 20, 1..=1_000_000)? as u32,
        open_for,
    })
}

/// A fleet's `idempotency` at dotted key `key`.
pub fn idempotency(
    key: &str,
    raw: RawIdempotency,
    names: &Names,
    files: &DataFiles,
) -> Checked<Idempotency> {
    let at = |k: &str| format!("{key}.{k}");
    let ttl = required(&at("ttl"), raw.ttl.as_ref(), "ttl = \"1h\"")?;
    let ttl = positive_duration(
        &at("ttl"),
        ttl,
        SimTime::from_secs(14 * DAY),
        "an idempotency ttl",
    )?;
    let lookup = match &raw.lookup {
        None => Dist::Const { value: 0.0 },
        Some(v) => parse_dist(&at("lookup"), v, files)?,
    };
    let store = raw
        .store
        .as_deref()
        .map(|name| names.resource(&at("store"), name))
        .transpose()?;
    Ok(Idempotency { ttl, lookup, store })
}
