//! `mqsim check`: validate a scenario and print it resolved, with the
//! capacity analysis of [`crate::analysis`]; nothing is simulated.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::cli::{CheckArgs, Format};
use crate::execution::inputs::Inputs;

/// `mqsim check`.
pub fn check(args: &CheckArgs) -> Result<ExitCode> {
    let sc = Inputs::read(&args.scenario, &[])?.load(&[])?;
    let analysis = crate::analysis::analyse(&sc);
    let mut stdout = std::io::stdout().lock();
    match args.scenario.format {
        Format::Json => {
            let json = serde_json::json!({ "scenario": &sc, "analysis": &analysis });
            writeln!(stdout, "{}", serde_json::to_string_pretty(&json)?)?;
        }
        Format::Table => {
            let resolved = toml::to_string(&sc).context("printing the resolved scenario")?;
            writeln!(stdout, "# resolved scenario\n{resolved}")?;
            crate::analysis::write_analysis(&analysis, &mut stdout)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
