//! A corpus of broken scenarios (`tests/corpus/*.toml`): syntax errors,
//! wrong types, unknown keys, out-of-range, NaN and infinite values,
//! negative and absurd durations and counts, missing and malformed files,
//! binary garbage, an empty file, bad sweep keys and SLO metrics. Every one
//! is bad input for both `check` and `run`: exit 2, `error: FILE:LINE:COLUMN:
//! KEY: ...` (a whole-file problem has no line), never a panic.

use predicates::prelude::*;

use crate::common::{mqsim, root, toml_files};

/// Problems with the file as a whole: no line to point at.
const WHOLE_FILE: [&str; 2] = ["binary-garbage.toml", "empty.toml"];

#[test]
fn every_broken_scenario_is_bad_input_with_a_position() {
    let dir = root().join("tests/corpus");
    let names = toml_files(&dir);
    assert!(names.len() >= 20, "corpus: {names:?}");
    let out = tempfile::tempdir().unwrap();
    for name in &names {
        let file = dir.join(name);
        for command in ["check", "run"] {
            let mut cmd = mqsim();
            cmd.arg(command).arg(&file);
            if command == "run" {
                cmd.arg("--quiet").arg("--out").arg(out.path());
            }
            let assert = cmd
                .assert()
                .code(2)
                .stderr(predicate::str::contains("panicked").not());
            let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
            assert!(
                stderr.starts_with(&format!("error: {}", file.display())),
                "{name}: {stderr}"
            );
            if !WHOLE_FILE.contains(&name.as_str()) {
                let at = format!("{}:", file.display());
                let rest = &stderr[stderr.find(&at).unwrap() + at.len()..];
                let mut parts = rest.splitn(3, ':');
                let (line, col) = (parts.next().unwrap(), parts.next().unwrap());
                assert!(
                    line.parse::<u32>().is_ok() && col.parse::<u32>().is_ok(),
                    "{name} ({command}) has no line:column: {stderr}"
                );
            }
        }
    }
}
