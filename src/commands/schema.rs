//! `mqsim schema`: print the JSON Schema of the scenario file
//! ([`mqsim::scenario::schema`]), or write it to `--out` atomically.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::SchemaArgs;
use crate::execution::bad_input;
use mqsim::scenario::schema::scenario_schema_text;

/// `mqsim schema`.
pub fn schema(args: &SchemaArgs) -> Result<ExitCode> {
    let text = scenario_schema_text();
    match &args.out {
        Some(path) if path.is_dir() => Err(bad_input(
            path,
            "is a directory; give --out a file name, e.g. --out schema/mqsim-scenario.schema.json",
        )),
        Some(path) => {
            mqsim::output::write_file(path, text.as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            std::io::stdout().lock().write_all(text.as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
