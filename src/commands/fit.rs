//! `mqsim fit FILE`: reads processing-time samples, fits them
//! ([`mqsim::fit`]), writes `fit.json` and the chart `fit.png`/`fit.svg`
//! (and, for a CSV column, `samples.txt`, the column in the format an
//! `empirical` distribution reads) to the output directory, and prints the
//! table or the JSON. Bad input (the file, its values, the column, the
//! output path) exits 2 before anything is written.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{FitArgs, Format};
use crate::execution::{default_out_dir, outdir};
use mqsim::fit::{self, Sample};
use mqsim::output;

/// `mqsim fit`.
pub fn fit(args: &FitArgs) -> Result<ExitCode> {
    let sample = Sample::read(&args.file, args.column.as_deref())?;
    let out = args.out.clone().unwrap_or_else(|| default_dir(&args.file));
    outdir::check_usable(&out)?;
    let copy = out.join("samples.txt");
    let empirical_file = match &args.column {
        None => args.file.display().to_string(),
        Some(_) => copy.display().to_string(),
    };
    let report = fit::fit(&sample, &empirical_file);
    if args.column.is_some() {
        output::write_file(&copy, sample.empirical_text().as_bytes())?;
    }
    let json = serde_json::to_string_pretty(&report)? + "\n";
    output::write_file(&out.join("fit.json"), json.as_bytes())?;
    output::charts::write_fit_chart(&out, &report, &sample)?;
    let mut stdout = std::io::stdout().lock();
    match args.format {
        Format::Json => stdout.write_all(json.as_bytes())?,
        Format::Table if !args.quiet => {
            fit::table::write_table(&report, &mut stdout)?;
            writeln!(stdout, "\noutputs in {}", out.display())?;
        }
        Format::Table => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// `output/fit-<file stem>/`.
fn default_dir(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map_or_else(|| "sample".into(), |s| s.to_string_lossy().into_owned());
    default_out_dir(&format!("fit-{stem}"))
}
