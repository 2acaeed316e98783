//! Byte-identical outputs, the proof that a change of the engine's structure
//! changed nothing it should not: the SHA-256 of every file (timing.json
//! aside) that `run` writes for every example scenario and every golden
//! scenario, and that `sweep` and `plan` write for one example, against
//! `tests/integration/output_hashes.txt`.
//!
//! A change that is meant to change what is simulated or written updates the
//! file with `MQSIM_BLESS=1 cargo test --release output_hashes` and says in
//! its commit which outputs changed and why.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::common::{mqsim, root, toml_files};
use crate::golden;

const MANIFEST: &str = "tests/integration/output_hashes.txt";

/// `relative path → SHA-256` of every file under `dir` but timing.json.
fn hashes(dir: &Path, prefix: &str, into: &mut BTreeMap<String, String>) {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.file_name().is_some_and(|n| n == "timing.json") {
                continue;
            }
            let rel = path.strip_prefix(dir).unwrap().to_string_lossy();
            let digest = Sha256::digest(fs::read(&path).unwrap());
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            into.insert(format!("{prefix}/{rel}"), hex);
        }
    }
}

/// Runs `mqsim ARGS FILE --out DIR` in `cwd` (exit 0 or 1: an SLO may fail
/// by design). `FILE` is relative: the report shows the command line, which
/// must not depend on where the checkout is.
fn outputs_of(args: &[&str], cwd: &Path, file: &str, out: &Path) {
    let status = mqsim()
        .current_dir(cwd)
        .args(args)
        .arg(file)
        .args(["--quiet", "--out"])
        .arg(out)
        .output()
        .unwrap();
    let code = status.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "{args:?} {file}: exit {code:?}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

fn all_outputs() -> BTreeMap<String, String> {
    let tmp = tempfile::tempdir().unwrap();
    let mut all = BTreeMap::new();
    let root = root();
    for name in toml_files(&root.join("scenarios")) {
        let out = tmp.path().join(&name);
        outputs_of(&["run"], &root, &format!("scenarios/{name}"), &out);
        hashes(&out, &format!("run/{name}"), &mut all);
    }
    for (name, text) in golden::scenarios() {
        let file = format!("{name}.toml");
        fs::write(tmp.path().join(&file), text).unwrap();
        let out = tmp.path().join(format!("golden-{name}"));
        outputs_of(&["run"], tmp.path(), &file, &out);
        hashes(&out, &format!("golden/{name}"), &mut all);
    }
    let plan = "scenarios/capacity-plan.toml";
    let out = tmp.path().join("sweep");
    outputs_of(&["sweep", "--replications", "3"], &root, plan, &out);
    hashes(&out, "sweep/capacity-plan.toml", &mut all);
    let out = tmp.path().join("plan");
    outputs_of(&["plan", "--replications", "3"], &root, plan, &out);
    hashes(&out, "plan/capacity-plan.toml", &mut all);
    all
}

fn read_manifest(path: &PathBuf) -> BTreeMap<String, String> {
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(h, f)| (f.to_owned(), h.to_owned()))
        .collect()
}

#[test]
fn every_output_file_is_byte_identical_to_the_recorded_one() {
    let now = all_outputs();
    let path = root().join(MANIFEST);
    if std::env::var_os("MQSIM_BLESS").is_some() {
        let text: String = now.iter().map(|(f, h)| format!("{h} {f}\n")).collect();
        fs::write(&path, text).unwrap();
        return;
    }
    let recorded = read_manifest(&path);
    let mut differences = Vec::new();
    for (file, hash) in &now {
        match recorded.get(file) {
            Some(h) if h == hash => {}
            Some(_) => differences.push(format!("changed: {file}")),
            None => differences.push(format!("new: {file}")),
        }
    }
    for file in recorded.keys().filter(|f| !now.contains_key(*f)) {
        differences.push(format!("gone: {file}"));
    }
    assert!(
        differences.is_empty(),
        "{} of {} output files differ from {MANIFEST} (if intended: MQSIM_BLESS=1):\n{}",
        differences.len(),
        now.len(),
        differences.join("\n")
    );
}
