//! The JSON Schema of the scenario file (`mqsim schema`) against the
//! parser: the committed `schema/mqsim-scenario.schema.json` is what the
//! command prints; every example scenario, and each one's resolved form
//! (`mqsim check`, every default written out), is valid under it; broken
//! files are invalid with the error at the key that is wrong.

use std::path::Path;

use predicates::prelude::*;
use serde_json::Value;

use crate::common::{mqsim, root, toml_files};

const COMMITTED: &str = "schema/mqsim-scenario.schema.json";

fn schema() -> Value {
    let text = std::fs::read_to_string(root().join(COMMITTED)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A draft-07 validator of the committed schema (building it checks the
/// schema against the draft's meta-schema).
fn validator() -> jsonschema::Validator {
    jsonschema::draft7::new(&schema()).unwrap_or_else(|e| panic!("the schema is invalid: {e}"))
}

/// A TOML value as JSON, as an editor sees it: datetimes become their
/// RFC 3339 text; a NaN or infinite float (which JSON lacks) a string.
fn to_json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::from(s.as_str()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) if f.is_finite() => Value::from(*f),
        toml::Value::Float(f) => Value::from(f.to_string()),
        toml::Value::Boolean(b) => Value::from(*b),
        toml::Value::Datetime(d) => Value::from(d.to_string()),
        toml::Value::Array(items) => items.iter().map(to_json).collect(),
        toml::Value::Table(t) => t.iter().map(|(k, v)| (k.clone(), to_json(v))).collect(),
    }
}

fn json_of(text: &str) -> Value {
    to_json(&toml::Value::Table(text.parse::<toml::Table>().unwrap()))
}

/// The errors of `text` as `instance path: message` lines.
fn errors(v: &jsonschema::Validator, text: &str) -> Vec<String> {
    let doc = json_of(text);
    v.iter_errors(&doc)
        .map(|e| format!("{}: {e}", e.instance_path().as_str()))
        .collect()
}

#[test]
fn the_committed_schema_is_what_mqsim_schema_prints() {
    let committed = std::fs::read(root().join(COMMITTED)).unwrap();
    let printed = mqsim().arg("schema").assert().success();
    assert!(
        printed.get_output().stdout == committed,
        "{COMMITTED} is out of date: run `mqsim schema --out {COMMITTED}`"
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sub/s.json");
    mqsim()
        .args(["schema", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout("");
    assert_eq!(std::fs::read(&out).unwrap(), committed);
    mqsim()
        .args(["schema", "--out"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a directory"));
}

/// The example scenarios, the TOML blocks of the docs that are whole
/// scenarios, and the resolved form of each example.
#[test]
fn every_example_and_its_resolved_form_are_valid() {
    let v = validator();
    let dir = root().join("scenarios");
    let names = toml_files(&dir);
    assert!(names.len() >= 20, "{names:?}");
    for name in &names {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let errs = errors(&v, &text);
        assert!(errs.is_empty(), "{name}: {errs:#?}");
        let resolved = resolved(&path);
        let errs = errors(&v, &resolved);
        assert!(errs.is_empty(), "{name} resolved: {errs:#?}\n{resolved}");
    }
}

/// The scenario as `mqsim check` prints it: every default written out.
fn resolved(path: &Path) -> String {
    let sc = mqsim::scenario::load(path, &[]).unwrap_or_else(|e| panic!("{e}"));
    toml::to_string(&sc).unwrap()
}

#[test]
fn the_docs_examples_are_valid() {
    let v = validator();
    let mut checked = 0;
    for page in [
        "docs/scenario.md",
        "docs/presets.md",
        "docs/model.md",
        "README.md",
    ] {
        let text = std::fs::read_to_string(root().join(page)).unwrap();
        for block in text.split("```toml\n").skip(1) {
            let block = &block[..block.find("```").unwrap()];
            // Fragments that are no TOML of their own (a `...`) are skipped.
            if block.parse::<toml::Table>().is_err() {
                continue;
            }
            let errs = errors(&v, block);
            assert!(errs.is_empty(), "{page}: {errs:#?}\n{block}");
            checked += 1;
        }
    }
    assert!(checked >= 4, "only {checked} blocks");
}

/// Broken files: each is invalid, with an error at the key that is wrong.
#[test]
fn broken_files_are_invalid_at_the_wrong_key() {
    let v = validator();
    let cases = [
        ("[queue]\nvisiblity_timeout = \"30s\"\n", "/queue"),
        ("[consumers]\ncount = \"eight\"\n", "/consumers/count"),
        ("[consumers]\ncount = 8.5\n", "/consumers/count"),
        ("[consumers]\nbatch_size = 11\n", "/consumers/batch_size"),
        (
            "[queue]\nvisibility_timeout = \"30 parsecs\"\n",
            "/queue/visibility_timeout",
        ),
        (
            "[queue]\nvisibility_timeout = 50000\n",
            "/queue/visibility_timeout",
        ),
        ("[queue]\ntype = \"lifo\"\n", "/queue/type"),
        (
            "[consumers]\nprocessing = { dist = \"poisson\", mean = \"1s\" }\n",
            "/consumers/processing/dist",
        ),
        (
            "[consumers]\nprocessing = { dist = \"exp\", mean = \"soon\" }\n",
            "/consumers/processing/mean",
        ),
        (
            "[consumers]\nprocessing = { dist = \"lognormal\", mean = \"1s\" }\n",
            "/consumers/processing",
        ),
        (
            "[consumers]\nprocessing = { dist = \"exp\", mean = \"1s\", sd = \"1s\" }\n",
            "/consumers/processing",
        ),
        (
            "[consumers]\nprocessing = { dist = \"pareto\", scale = \"1s\", shape = 0.5 }\n",
            "/consumers/processing/shape",
        ),
        ("[[producers]]\nrate = -1\n", "/producers/0/rate"),
        ("[[producers]]\nrate = nan\n", "/producers/0/rate"),
        (
            "[[producers]]\nrate = 5\nburst = { dispersion = 0.5 }\n",
            "/producers/0/burst/dispersion",
        ),
        (
            "[[producers]]\nrate = 5\nburst = { dispersion = 3, share = 1 }\n",
            "/producers/0/burst/share",
        ),
        (
            "[[producers]]\nrate = 5\nburst = { window = \"1m\" }\n",
            "/producers/0/burst",
        ),
        (
            "[[producers]]\nschedule = { period = \"1m\" }\n",
            "/producers/0/schedule",
        ),
        (
            "[[producers]]\nschedule = { file = \"x.json\", scale = 0 }\n",
            "/producers/0/schedule/scale",
        ),
        (
            "[[producers]]\nschedule = [[\"0s\", 5, 6]]\n",
            "/producers/0/schedule/0",
        ),
        (
            "[[producers]]\nschedule = [[\"0s\", -5]]\n",
            "/producers/0/schedule/0/1",
        ),
        (
            "[[producers]]\narrivals = \"bursty\"\n",
            "/producers/0/arrivals",
        ),
        (
            "[[faults]]\nkind = \"meteor\"\nat = \"1m\"\nduration = \"1m\"\n",
            "/faults/0/kind",
        ),
        (
            "[[faults]]\nkind = \"spike\"\nat = \"1m\"\nduration = \"1m\"\n",
            "/faults/0",
        ),
        (
            "[[faults]]\nkind = \"queue-outage\"\nat = \"1m\"\nduration = \"1m\"\nfactor = 2\n",
            "/faults/0",
        ),
        (
            "[consumers]\nheartbeat = \"sometimes\"\n",
            "/consumers/heartbeat",
        ),
        ("[consumers]\non_error = \"retry\"\n", "/consumers/on_error"),
        (
            "[consumers]\ncrash = { mtbf = \"6h\" }\n",
            "/consumers/crash",
        ),
        (
            "[consumers]\nautoscale = { min = 2 }\n",
            "/consumers/autoscale",
        ),
        ("[consumers]\nemit = [{ to = \"x\" }]\n", "/consumers"),
        ("[queues.\"a.b\"]\n", "/queues"),
        ("[resources.db]\ncapacity = 0\n", "/resources/db/capacity"),
        ("[slo]\nlatency_p42 = \"1s\"\n", "/slo"),
        ("[slo]\nlatency_p99 = \"soon\"\n", "/slo/latency_p99"),
        (
            "[observed]\nvisible = { metric = \"m\" }\n",
            "/observed/visible",
        ),
        (
            "[observed]\nvisible = \"v.json\"\nstart = \"yesterday\"\n",
            "/observed/start",
        ),
        ("[observed]\nqueue = \"orders\"\n", "/observed"),
        (
            "[observed]\nage = \"a.json\"\nvisibel = \"v.json\"\n",
            "/observed",
        ),
        ("name = \".hidden\"\n", "/name"),
        (
            "[queue]\ntype = \"fifo\"\nstale_delete = \"deletes\"\n",
            "/queue",
        ),
    ];
    for (broken, at) in cases {
        let errs = errors(&v, broken);
        assert!(
            errs.iter().any(|e| e.starts_with(&format!("{at}: "))),
            "{broken:?} should fail at {at}; errors: {errs:#?}"
        );
    }
}

/// Corpus files whose problem a schema can see are invalid under it.
#[test]
fn the_corpus_problems_a_schema_can_see_are_invalid() {
    let v = validator();
    let dir = root().join("tests/corpus");
    for (name, at) in [
        ("absurd-consumers.toml", "/consumers/count"),
        ("inf-rate.toml", "/producers/0/rate"),
        ("nan-rate.toml", "/producers/0/rate"),
        ("negative-rate.toml", "/producers/0/rate"),
        ("negative-duration.toml", "/duration"),
        ("negative-group-skew.toml", "/producers/0/group_skew"),
        ("slo-unknown-metric.toml", "/slo"),
        ("unknown-key.toml", "/consumers"),
        ("unknown-preset.toml", "/queue/preset"),
        ("weibull-zero-shape.toml", "/consumers/processing/shape"),
        ("wrong-type-rate.toml", "/producers/0/rate"),
        ("fifo-duplicate-delivery.toml", "/queue/duplicate_delivery"),
    ] {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        let errs = errors(&v, &text);
        assert!(
            errs.iter().any(|e| e.starts_with(at)),
            "{name} should fail at {at:?}: {errs:#?}"
        );
    }
}
