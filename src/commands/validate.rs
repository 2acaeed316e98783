//! `mqsim validate`: the engine against queueing theory
//! ([`mqsim::validation`]), a table or JSON of every check, exit 1 if one
//! fails.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;

use crate::cli::{Format, ValidateArgs};
use crate::execution::run_replications;
use mqsim::engine::result::ReplicationResult;
use mqsim::output;
use mqsim::scenario::Scenario;
use mqsim::validation::{self, Mode, Verdict};

/// `mqsim validate`.
pub fn validate(args: &ValidateArgs) -> Result<ExitCode> {
    let mode = if args.quick { Mode::Quick } else { Mode::Full };
    let threads = args
        .threads
        .map_or_else(rayon::current_num_threads, |t| t as usize);
    let models = validation::suite(mode, args.replications);
    let started = Instant::now();
    let run = |sc: &Scenario| run_replications(sc, threads).expect("worker threads start");
    let mut progress = |model: &validation::Model, results: &[ReplicationResult]| {
        if !args.quiet {
            let messages: f64 = results.iter().map(|r| r.metrics.produced).sum();
            eprintln!(
                "{:<28} {} replications, {:.1} M messages, {:.1} s so far",
                model.name,
                results.len(),
                messages / 1e6,
                started.elapsed().as_secs_f64()
            );
        }
    };
    let checks = validation::validate(&models, mode, &run, &mut progress);
    let mut stdout = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            stdout.write_all(output::validation::validation_json(&checks, mode).as_bytes())?
        }
        Format::Table => output::validation::write_validation_table(&checks, mode, &mut stdout)?,
    }
    let pass = checks.iter().all(|c| c.verdict == Verdict::Pass);
    Ok(if pass {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
