//! `mqsim fit` on the command line: where the outputs go, what stdout
//! holds, a CSV column, and every bad input (exit 2 naming the file, the
//! line or row, and what is allowed; nothing written).

use std::fs;

use predicates::prelude::*;
use predicates::str::contains;

use mqsim::dist::Dist;

use super::{check_with, draw, fit_json};
use crate::common::{mqsim, write};

#[test]
fn a_csv_column_is_fitted_and_written_out_for_empirical() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("timestamp,handler,duration\n");
    for (i, v) in draw(&Dist::Exp { mean: 0.2 }, 300, 1).iter().enumerate() {
        text.push_str(&format!(
            "2026-01-01T00:00:{i:02},orders,{:.1}ms\n",
            v * 1e3
        ));
    }
    let file = write(dir.path(), "log.csv", &text);
    let out = dir.path().join("out");
    let json = fit_json(&out, file.to_str().unwrap(), &["--column", "duration"]);
    assert_eq!(json["sample"]["n"], 300);
    assert_eq!(json["sample"]["source"]["column"], "duration");
    let copy = out.join("samples.txt");
    assert_eq!(json["empirical"]["file"], copy.display().to_string());
    assert!(
        json["empirical"]["note"]
            .as_str()
            .unwrap()
            .contains("not an empirical file")
    );
    check_with(json["empirical"]["line"].as_str().unwrap()).success();
}

#[test]
fn outputs_go_to_output_fit_stem_and_stdout_follows_format_and_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let text: String = draw(&Dist::Exp { mean: 0.05 }, 200, 2)
        .iter()
        .map(|v| format!("{v}\n"))
        .collect();
    write(dir.path(), "api-times.txt", &text);
    mqsim()
        .current_dir(dir.path())
        .args(["fit", "api-times.txt"])
        .assert()
        .success()
        .stdout(contains("Anderson-Darling A²"))
        .stdout(contains("KS D"))
        .stdout(contains("processing = { dist = \""))
        .stdout(contains("outputs in output/fit-api-times"));
    let out = dir.path().join("output/fit-api-times");
    for f in ["fit.json", "fit.png", "fit.svg"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    assert!(
        !out.join("samples.txt").exists(),
        "a text sample is usable as it is"
    );
    let svg = fs::read_to_string(out.join("fit.svg")).unwrap();
    roxmltree::Document::parse(&svg).unwrap();
    assert!(svg.contains("P(X &gt; x)") || svg.contains("P(X > x)"));
    let png = fs::read(out.join("fit.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    mqsim()
        .current_dir(dir.path())
        .args(["fit", "api-times.txt", "--quiet"])
        .assert()
        .success()
        .stdout(predicates::str::is_empty());
    let json = fs::read_to_string(out.join("fit.json")).unwrap();
    mqsim()
        .current_dir(dir.path())
        .args(["fit", "api-times.txt", "--quiet", "--format", "json"])
        .assert()
        .success()
        .stdout(json);
}

/// `mqsim fit` on a file holding `text` exits 2 with every needle in stderr.
fn assert_rejected(name: &str, text: &str, extra: &[&str], needles: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), name, text);
    let mut assert = mqsim()
        .arg("fit")
        .arg(&file)
        .arg("--out")
        .arg(dir.path().join("out"))
        .args(extra)
        .assert()
        .code(2)
        .stderr(contains(name));
    for needle in needles {
        assert = assert.stderr(contains(*needle));
    }
    assert.stderr(contains("panicked").not());
    assert!(
        !dir.path().join("out").exists(),
        "nothing is written on bad input"
    );
}

#[test]
fn bad_samples_exit_2_naming_the_line_and_what_is_allowed() {
    assert_rejected(
        "a.txt",
        "120ms\n# ok\n\nquick\n",
        &[],
        &[
            "line 4",
            "\"quick\"",
            "allowed: one duration per line",
            "350us",
        ],
    );
    assert_rejected(
        "b.txt",
        "120ms\n-3ms\n",
        &[],
        &["line 2", "> 0", "lognormal, gamma and Weibull"],
    );
    assert_rejected("c.txt", "0\n120ms\n", &[], &["line 1", "> 0"]);
    assert_rejected("d.txt", "# nothing\n\n", &[], &["no samples"]);
    assert_rejected(
        "e.txt",
        "40ms\n40ms\n",
        &[],
        &["nothing to fit", "processing = \"40ms\""],
    );
    assert_rejected(
        "f.csv",
        "id,ms\n1,30ms\n",
        &[],
        &["line 1", "--column NAME", "id, ms"],
    );
    assert_rejected(
        "g.csv",
        "id,latency\n1,30ms\n2,fast\n",
        &["--column", "latency"],
        &["line 3 (row 2), column `latency`", "\"fast\""],
    );
    assert_rejected(
        "h.csv",
        "id,latency\n1,30ms\n2,0s\n",
        &["--column", "latency"],
        &["row 2", "> 0"],
    );
    assert_rejected(
        "i.csv",
        "id,latency\n1,30ms\n",
        &["--column", "duration"],
        &["no column `duration`", "columns present: id, latency"],
    );
    assert_rejected(
        "j.csv",
        "id,latency\n1,30ms,x\n",
        &["--column", "latency"],
        &["line 2"],
    );
}

#[test]
fn an_unreadable_sample_or_output_path_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    mqsim()
        .arg("fit")
        .arg(dir.path().join("missing.txt"))
        .assert()
        .code(2)
        .stderr(contains("missing.txt: cannot read the sample"));
    let file = write(dir.path(), "bin.txt", "");
    fs::write(&file, [0xff, 0xfe, 0x00]).unwrap();
    mqsim()
        .arg("fit")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(contains("not UTF-8"));
    let file = write(dir.path(), "ok.txt", "1ms\n2ms\n3ms\n");
    let blocker = write(dir.path(), "a-file", "");
    mqsim()
        .arg("fit")
        .arg(&file)
        .arg("--out")
        .arg(&blocker)
        .assert()
        .code(2)
        .stderr(contains("not a directory"));
}
