//! Agreement with the independent SimPy model of `shared/reference/
//! simpy_sqs.py`, through `tests/reference/compare_simpy.py`. Runs only where
//! Python with SimPy and the reference directory are present (CI machines
//! with only Rust skip it and say so); `docs/validation.md` has the table.

use std::path::PathBuf;
use std::process::Command;

use crate::common::root;

fn reference_dir() -> PathBuf {
    root().join("..").join("shared").join("reference")
}

fn simpy_available() -> bool {
    Command::new("python3")
        .args(["-c", "import simpy"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn mqsim_agrees_with_the_simpy_reference() {
    let reference = reference_dir();
    if !reference.join("simpy_sqs.py").exists() || !simpy_available() {
        eprintln!(
            "skipped: needs python3 with simpy (pip install simpy==4.1.2) and {}",
            reference.display()
        );
        return;
    }
    let out = Command::new("python3")
        .arg(root().join("tests/reference/compare_simpy.py"))
        .args(["--seeds", "8", "--mqsim", env!("CARGO_BIN_EXE_mqsim")])
        .arg("--reference")
        .arg(&reference)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("all compared metrics agree"), "{stdout}");
}
