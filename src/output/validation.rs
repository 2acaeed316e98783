//! `mqsim validate`'s report: a table for people, JSON for tools.

use std::io::{self, Write};

use super::table::short;
use crate::validation::{Check, Mode, Verdict};

/// Writes the validation table and a one-line verdict.
pub fn write_validation_table(
    checks: &[Check],
    mode: Mode,
    out: &mut impl Write,
) -> io::Result<()> {
    writeln!(
        out,
        "{:<26} {:<28} {:>11} {:>11}  {:<25} {:>5}  verdict",
        "model", "quantity", "theory", "simulated", "95% interval", "reps"
    )?;
    for c in checks {
        writeln!(
            out,
            "{:<26} {:<28} {:>11} {:>11}  {:<25} {:>5}  {}",
            c.model,
            c.quantity,
            short(c.theory),
            short(c.mean),
            format!("[{}, {}]", short(c.ci95_low), short(c.ci95_high)),
            c.replications,
            verdict_word(c.verdict)
        )?;
    }
    let failed = checks.iter().filter(|c| c.verdict != Verdict::Pass).count();
    writeln!(
        out,
        "\n{} of {} checks pass. Rule: theory inside the 99.99% Student-t interval (shares: the \
         exact binomial interval), whose \
         half-width must be <= {}% of theory ({} suite); see docs/validation.md.",
        checks.len() - failed,
        checks.len(),
        mode.resolution() * 100.0,
        match mode {
            Mode::Full => "full",
            Mode::Quick => "quick",
        }
    )
}

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "PASS",
        Verdict::Fail => "FAIL",
        Verdict::Imprecise => "IMPRECISE",
    }
}

/// The checks as a JSON document: `{ "mode", "alpha", "resolution", "pass", "checks": [...] }`.
pub fn validation_json(checks: &[Check], mode: Mode) -> String {
    let doc = serde_json::json!({
        "mode": match mode { Mode::Full => "full", Mode::Quick => "quick" },
        "alpha": crate::validation::ALPHA,
        "resolution": mode.resolution(),
        "pass": checks.iter().all(|c| c.verdict == Verdict::Pass),
        "checks": checks,
    });
    let mut text = serde_json::to_string_pretty(&doc).expect("a JSON value always serializes");
    text.push('\n');
    text
}
