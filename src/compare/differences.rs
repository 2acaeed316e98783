//! The resolved keys in which an alternative differs from the first, for
//! the report's "what each alternative is": both scenarios written in the
//! scenario-file format (what `mqsim check` prints), flattened to dotted
//! keys (`consumers.count`, `producers.0.rate`; an array of tables by
//! index, any other array as one value), and compared key by key.
//!
//! Keys that name or run the experiment rather than the system (`name`,
//! `description`, `seed`, `replications`, `[sweep]`) are left out: compare
//! runs every alternative with the first's seed and replications.

use std::collections::BTreeMap;

use toml::Value;

use crate::scenario::Scenario;

/// Keys that do not describe the simulated system.
const IGNORED: [&str; 5] = ["name", "description", "seed", "replications", "sweep"];

/// One differing key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// Dotted key.
    pub key: String,
    /// Its value in the first alternative (`None`: not there).
    pub base: Option<String>,
    /// Its value in this one (`None`: not there).
    pub value: Option<String>,
}

impl Difference {
    /// "consumers.count = 11 (current: 10)".
    pub fn words(&self, base_label: &str) -> String {
        match (&self.base, &self.value) {
            (Some(b), Some(v)) => format!("{} = {v} ({base_label}: {b})", self.key),
            (None, Some(v)) => format!("{} = {v} (not in {base_label})", self.key),
            (Some(b), None) => format!("no {} ({base_label}: {b})", self.key),
            (None, None) => self.key.clone(),
        }
    }
}

/// `diffs` in words, keys one alternative has and the other lacks taken
/// together by table: "consumers.autoscale: max = 64, min = 8 (not in
/// fixed)" rather than a line per key.
pub fn grouped_words(diffs: &[Difference], base_label: &str) -> Vec<String> {
    let parent = |d: &Difference| d.key.rsplit_once('.').map(|(p, _)| p.to_owned());
    let side = |d: &Difference| (d.base.is_none(), d.value.is_none());
    let mut out = Vec::new();
    let mut i = 0;
    while i < diffs.len() {
        let (d, p) = (&diffs[i], parent(&diffs[i]));
        let one_sided = d.base.is_none() != d.value.is_none();
        let run = diffs[i..]
            .iter()
            .take_while(|e| one_sided && parent(e) == p && side(e) == side(d))
            .count();
        match (&p, run) {
            (Some(table), 2..) => {
                let part = |e: &Difference| {
                    let v = e
                        .value
                        .as_ref()
                        .or(e.base.as_ref())
                        .cloned()
                        .unwrap_or_default();
                    format!("{} = {v}", &e.key[table.len() + 1..])
                };
                let keys: Vec<String> = diffs[i..i + run].iter().map(part).collect();
                out.push(if d.base.is_none() {
                    format!("{table}: {} (not in {base_label})", keys.join(", "))
                } else {
                    format!("no {table} ({base_label}: {})", keys.join(", "))
                });
                i += run;
            }
            _ => {
                out.push(d.words(base_label));
                i += 1;
            }
        }
    }
    out
}

/// The keys of `sc` that differ from `base`, in key order.
pub fn differences(base: &Scenario, sc: &Scenario) -> Vec<Difference> {
    let (a, b) = (flatten(base), flatten(sc));
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| Difference {
            key: k.clone(),
            base: a.get(k).cloned(),
            value: b.get(k).cloned(),
        })
        .collect()
}

/// The resolved scenario as dotted key → TOML value text.
fn flatten(sc: &Scenario) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    // A resolved scenario always serializes (`mqsim check` prints it).
    if let Ok(Value::Table(top)) = Value::try_from(sc) {
        for (k, v) in top {
            if !IGNORED.contains(&k.as_str()) {
                walk(&k, &v, &mut out);
            }
        }
    }
    out
}

fn walk(key: &str, v: &Value, out: &mut BTreeMap<String, String>) {
    match v {
        Value::Table(t) => {
            for (k, v) in t {
                walk(&format!("{key}.{k}"), v, out);
            }
        }
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_table) => {
            for (i, v) in items.iter().enumerate() {
                walk(&format!("{key}.{i}"), v, out);
            }
        }
        other => {
            out.insert(key.to_owned(), other.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::scenario::load_str;

    const BASE: &str = "name = \"a\"\nduration = \"10m\"\nseed = 1\n[queue]\nvisibility_timeout = \"30s\"\n\
                        [[producers]]\nrate = 5\n[consumers]\ncount = 2\nprocessing = \"100ms\"\n";

    fn load(text: &str, set: &[&str]) -> Scenario {
        let set: Vec<String> = set.iter().map(|s| (*s).to_owned()).collect();
        load_str(text, Path::new("t.toml"), &set).unwrap()
    }

    #[test]
    fn only_the_changed_keys_of_the_system_are_listed() {
        let base = load(BASE, &[]);
        assert!(differences(&base, &base).is_empty());
        let other = load(
            BASE,
            &[
                "name=b",
                "seed=9",
                "consumers.count=3",
                "producers.0.rate=6",
            ],
        );
        let d = differences(&base, &other);
        let keys: Vec<&str> = d.iter().map(|d| d.key.as_str()).collect();
        assert_eq!(keys, ["consumers.count", "producers.0.rate"]);
        assert_eq!(d[0].words("current"), "consumers.count = 3 (current: 2)");
    }

    #[test]
    fn added_and_removed_keys_say_so() {
        let base = load(BASE, &[]);
        let other = load(BASE, &["slo.latency_p99=5s"]);
        let d = differences(&base, &other);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].words("base"), "slo.latency_p99 = 5.0 (not in base)");
        let back = differences(&other, &base);
        assert_eq!(back[0].words("x"), "no slo.latency_p99 (x: 5.0)");
    }

    #[test]
    fn keys_a_table_adds_are_worded_together() {
        let base = load(BASE, &[]);
        let other = load(
            BASE,
            &[
                "slo.latency_p99=5s",
                "slo.dead_lettered=0",
                "consumers.count=3",
            ],
        );
        let words = grouped_words(&differences(&base, &other), "base");
        assert_eq!(
            words,
            [
                "consumers.count = 3 (base: 2)",
                "slo: dead_lettered = 0.0, latency_p99 = 5.0 (not in base)"
            ]
        );
        let back = grouped_words(&differences(&other, &base), "b");
        assert_eq!(
            back[1],
            "no slo (b: dead_lettered = 0.0, latency_p99 = 5.0)"
        );
    }
}
