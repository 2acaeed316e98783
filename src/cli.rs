//! Command-line interface (clap derive). Parsing only: `app` does the work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use mqsim::grid::Shard;

/// mqsim: simulate message queues (SQS-like) with failing consumers, deterministically.
#[derive(Debug, Parser)]
#[command(name = "mqsim", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the scenario (all replications, in parallel) and write its outputs.
    Run(RunArgs),
    /// Validate the scenario; print the resolved settings and a load analysis.
    Check(CheckArgs),
    /// Run every point of the scenario's [sweep] grid and --vary flags, each with all replications.
    Sweep(SweepArgs),
    /// Find the smallest value of one setting that meets every [slo] target (exit 1 if none does).
    Plan(PlanArgs),
    /// Check the engine against queueing theory (exit 1 if a check fails).
    Validate(ValidateArgs),
    /// Combine the outputs of shards (`--shard K/N`) into the files the unsharded run writes.
    Merge(MergeArgs),
    /// Fit processing-time samples to exponential, gamma, lognormal and Weibull; print the scenario line.
    Fit(FitArgs),
    /// Run alternatives with common random numbers; paired differences from the first.
    Compare(CompareArgs),
    /// Print the JSON Schema of the scenario file (for editors: Taplo, Even Better TOML).
    Schema(SchemaArgs),
    /// Print a shell completion script (bash, zsh, fish, ...).
    Completions(CompletionsArgs),
}

/// `mqsim fit`.
#[derive(Debug, Args)]
pub struct FitArgs {
    /// The samples: one duration per line ("120ms", "1.5s", a number of seconds), or a CSV with --column.
    pub file: PathBuf,
    /// Read this column of a CSV file with a header line.
    #[arg(long, value_name = "NAME")]
    pub column: Option<String>,
    /// Output directory for fit.json and the chart (default `output/fit-<file stem>/`).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// No table: only errors, and `--format json` output.
    #[arg(long)]
    pub quiet: bool,
    /// What goes to stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// `mqsim compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The alternatives' scenario files, each `FILE` or `LABEL=FILE` (the first is the
    /// reference); with --alt, the one file the variants change.
    #[arg(required = true, value_name = "[LABEL=]FILE")]
    pub files: Vec<String>,
    /// A variant of the one file: "LABEL: KEY=VALUE, KEY=VALUE" (values as --set takes them; repeatable).
    #[arg(long = "alt", value_name = "LABEL: KEY=VALUE,...")]
    pub alt: Vec<String>,
    /// The label of the file itself among its --alt variants (default "base").
    #[arg(long, value_name = "LABEL")]
    pub base_label: Option<String>,
    /// Override a key in every alternative, before its --alt settings (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Master seed of every alternative (default: the first's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Replications of every alternative (default: the first's `replications`).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub replications: Option<u32>,
    /// What goes to stdout (json: the content of compare.json).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Threads, output directory (default `output/compare-<labels>/`), quietness, guards.
    #[command(flatten)]
    pub exec: Execution,
}

/// `mqsim schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Write the schema to this file (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// `mqsim completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `mqsim sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Scenario and overrides.
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// A swept key: `KEY=V1,V2,...` or `KEY=START..END[:STEP]` (repeatable; replaces a [sweep] axis of that key).
    #[arg(long = "vary", value_name = "KEY=VALUES")]
    pub vary: Vec<String>,
    /// Continue a sweep that was interrupted: keep the points it finished in
    /// the output directory, run the others.
    #[arg(long, conflicts_with = "shard")]
    pub resume: bool,
    /// Run only shard K of N of the (point × replication) items and write a
    /// shard directory for `mqsim merge` (K from 1).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Threads, output directory, quietness, guards.
    #[command(flatten)]
    pub exec: Execution,
}

/// `mqsim plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Scenario and overrides.
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// The key to plan and its candidate values: `KEY=START..END[:STEP]` or `KEY=V1,V2,...`.
    /// Given more than once, plan explains that it searches one key.
    #[arg(long = "vary", value_name = "KEY=VALUES")]
    pub vary: Vec<String>,
    /// Accepted only to explain why plan cannot be sharded.
    #[arg(long, value_name = "K/N", hide = true)]
    pub shard: Option<Shard>,
    /// Threads, output directory, quietness, guards.
    #[command(flatten)]
    pub exec: Execution,
}

/// `mqsim merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' output directories (every shard of one run or sweep).
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Output directory (default: the unsharded run's, `output/<scenario name>/` or `-sweep/`).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Worker threads for drawing charts (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// No table: only errors, and `--format json` output.
    #[arg(long)]
    pub quiet: bool,
    /// What goes to stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// `mqsim validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The CI-sized suite: 10x fewer messages; resolves a 10% bias instead of 3%.
    #[arg(long)]
    pub quick: bool,
    /// Replications of every model (default: each model's own, 20-40).
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..=10_000))]
    pub replications: Option<u32>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// What goes to stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// No progress lines on stderr.
    #[arg(long)]
    pub quiet: bool,
}

/// How a command runs and where it writes: shared by `run`, `sweep` and `plan`.
#[derive(Debug, Args)]
pub struct Execution {
    /// Stop a replication cleanly when its queue holds more messages than this
    /// (default: what half the available memory holds); results are marked partial.
    #[arg(long, value_name = "MESSAGES", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_backlog: Option<u64>,
    /// Stop cleanly after this much wall-clock time (e.g. 90s, 10m); results
    /// so far are kept (marked partial; a sweep keeps its finished points),
    /// and the exit code is 1.
    #[arg(long, value_name = "DURATION", value_parser = wall_clock)]
    pub timeout: Option<std::time::Duration>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Output directory (default `output/<scenario name>/`; `-sweep/`, `-plan/` for those commands).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// No table or progress bar: only errors, and `--format json` output.
    #[arg(long)]
    pub quiet: bool,
}

/// Flags shared by every command that reads a scenario.
#[derive(Debug, Args)]
pub struct ScenarioArgs {
    /// Scenario file (TOML).
    pub file: PathBuf,
    /// Override a scenario key by its dotted path, e.g. `consumers.count=12` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Master seed (overrides the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Number of replications (overrides the scenario's `replications`).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub replications: Option<u32>,
    /// What goes to stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// `mqsim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario and overrides.
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Run only shard K of N of the replications and write a shard
    /// directory for `mqsim merge` (K from 1).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Accepted only to point to `mqsim sweep`, which runs several values.
    #[arg(long = "vary", value_name = "KEY=VALUES", hide = true)]
    pub vary: Vec<String>,
    /// Threads, output directory, quietness, guards.
    #[command(flatten)]
    pub exec: Execution,
}

/// A wall-clock duration written like the scenario's durations.
fn wall_clock(text: &str) -> Result<std::time::Duration, String> {
    let t = mqsim::scenario::duration::parse_duration(text)?;
    if t.ticks() == 0 {
        return Err("must be longer than 0".into());
    }
    Ok(std::time::Duration::from_micros(t.ticks()))
}

/// `mqsim check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Scenario and overrides.
    #[command(flatten)]
    pub scenario: ScenarioArgs,
}

/// Output format on stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable table.
    Table,
    /// JSON (the content of summary.json for `run`).
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}
