//! The alternatives of `mqsim compare`, read and validated before anything
//! is simulated: files (`[LABEL=]FILE ...`) or `--alt` variants of one
//! file, each with `--set` applied first; their labels (given, else the
//! scenario's name; `base` or `--base-label` for the file under `--alt`),
//! unique; and the rules that pair them.
//!
//! Pairing: every alternative runs the first's seed and replications
//! (after `--seed` and `--replications`), noted when its file said
//! otherwise, and must share the first's horizon (`duration`, `warmup`,
//! `drain`): totals such as `cost_usd` or `duplicates` over different
//! horizons are no comparison, so a difference is bad input (exit 2).

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::cli::{CompareArgs, ScenarioArgs};
use crate::execution::bad_input;
use crate::execution::inputs::Inputs;
use mqsim::compare::alternatives::{check_label, first_collision};
use mqsim::compare::{AltArg, FileArg, MAX_ALTERNATIVES};
use mqsim::scenario::{Scenario, ScenarioError};

/// One alternative, loaded.
pub struct Spec {
    /// Its label.
    pub label: String,
    /// Where it came from, for messages: the file, or the `--alt` flag.
    pub origin: String,
    /// The scenario file.
    pub file: PathBuf,
    /// Its `--alt` settings.
    pub overrides: Vec<String>,
    /// Its resolved scenario, paired with the first.
    pub scenario: Scenario,
    /// What pairing replaced in its file, in words.
    pub replaced: Vec<String>,
}

/// Every alternative, validated and paired.
pub fn alternatives(args: &CompareArgs) -> Result<Vec<Spec>> {
    let mut specs = if args.alt.is_empty() {
        from_files(args)?
    } else {
        from_alts(args)?
    };
    let first = &args.files[0];
    if specs.len() < 2 {
        return Err(bad_input(
            Path::new(first),
            "compare needs at least two alternatives: give two or more files (mqsim compare \
             current=a.toml proposed=b.toml), or variants of this one (--alt \"eleven: \
             consumers.count=11\")",
        ));
    }
    if specs.len() > MAX_ALTERNATIVES {
        return Err(bad_input(
            Path::new(first),
            format!(
                "{} alternatives; compare runs at most {MAX_ALTERNATIVES} (one colour each on the \
                 charts): use mqsim sweep for a grid of values",
                specs.len()
            ),
        ));
    }
    unique_labels(&specs)?;
    pair(&mut specs)?;
    let runs = specs.len() as u64 * u64::from(specs[0].scenario.replications);
    if runs > mqsim::grid::MAX_RUNS {
        return Err(bad_input(
            Path::new(first),
            format!(
                "{runs} runs ({} alternatives × {} replications); at most {}: use fewer \
                 replications",
                specs.len(),
                specs[0].scenario.replications,
                mqsim::grid::MAX_RUNS
            ),
        ));
    }
    Ok(specs)
}

fn inputs(args: &CompareArgs, file: &Path) -> Result<Inputs> {
    let scenario = ScenarioArgs {
        file: file.to_owned(),
        set: args.set.clone(),
        seed: args.seed,
        replications: args.replications,
        format: args.format,
    };
    Inputs::read(&scenario, &[])
}

fn from_files(args: &CompareArgs) -> Result<Vec<Spec>> {
    if args.base_label.is_some() {
        return Err(bad_input(
            Path::new(&args.files[0]),
            "--base-label names the file itself among its --alt variants; label files as \
             LABEL=FILE (mqsim compare current=a.toml proposed=b.toml)",
        ));
    }
    let mut specs = Vec::new();
    for (k, arg) in args.files.iter().enumerate() {
        let file =
            FileArg::parse(arg, Path::is_file).map_err(|why| bad_input(Path::new(arg), why))?;
        let sc = inputs(args, &file.path)?.load(&[])?;
        let label = match file.label {
            Some(label) => label,
            None => name_label(&file.path, &sc)?,
        };
        specs.push(Spec {
            label,
            origin: format!("argument {} ({arg})", k + 1),
            file: file.path,
            overrides: Vec::new(),
            scenario: sc,
            replaced: Vec::new(),
        });
    }
    Ok(specs)
}

/// The scenario's name as a label, or why it cannot be one.
fn name_label(path: &Path, sc: &Scenario) -> Result<String> {
    check_label(&sc.name).map_err(|why| {
        bad_input(
            path,
            format!(
                "{why}: it is the scenario's name; give a label as LABEL={}",
                path.display()
            ),
        )
    })?;
    Ok(sc.name.clone())
}

fn from_alts(args: &CompareArgs) -> Result<Vec<Spec>> {
    let [arg] = args.files.as_slice() else {
        return Err(bad_input(
            Path::new(&args.files[0]),
            format!(
                "--alt makes variants of one file and was given {} files; compare several files \
                 without --alt, or one file with --alt",
                args.files.len()
            ),
        ));
    };
    let file = FileArg::parse(arg, Path::is_file).map_err(|why| bad_input(Path::new(arg), why))?;
    let label = match (file.label.clone(), args.base_label.clone()) {
        (Some(_), Some(_)) => {
            return Err(bad_input(
                &file.path,
                "the file has a label twice (LABEL=FILE and --base-label): give one",
            ));
        }
        (Some(l), None) | (None, Some(l)) => l,
        (None, None) => "base".to_owned(),
    };
    check_label(&label).map_err(|why| bad_input(&file.path, format!("--base-label: {why}")))?;
    let inputs = inputs(args, &file.path)?;
    let base = inputs.load(&[])?;
    let mut specs = vec![Spec {
        label,
        origin: file.path.display().to_string(),
        file: file.path.clone(),
        overrides: Vec::new(),
        scenario: base,
        replaced: Vec::new(),
    }];
    for raw in &args.alt {
        let alt = AltArg::parse(raw).map_err(|why| bad_input(&file.path, why))?;
        let sc = inputs
            .load(&alt.overrides)
            .map_err(|e| blame_alt(e, &alt))?;
        specs.push(Spec {
            label: alt.label,
            origin: format!("--alt \"{raw}\""),
            file: file.path.clone(),
            overrides: alt.overrides,
            scenario: sc,
            replaced: Vec::new(),
        });
    }
    Ok(specs)
}

/// An error from one of the settings of `--alt` names that flag.
fn blame_alt(err: anyhow::Error, alt: &AltArg) -> anyhow::Error {
    match err.downcast_ref::<ScenarioError>() {
        Some(e)
            if e.set_arg
                .as_ref()
                .is_some_and(|a| alt.overrides.contains(a)) =>
        {
            ScenarioError {
                set_arg: Some(format!(
                    "--alt \"{}\" ({})",
                    alt.arg,
                    e.set_arg.as_deref().unwrap_or("")
                )),
                ..e.clone()
            }
            .into()
        }
        _ => err.context(format!("alternative {} (--alt \"{}\")", alt.label, alt.arg)),
    }
}

fn unique_labels(specs: &[Spec]) -> Result<()> {
    let labels: Vec<&str> = specs.iter().map(|s| s.label.as_str()).collect();
    let Some((i, j)) = first_collision(&labels) else {
        return Ok(());
    };
    Err(bad_input(
        &specs[j].file,
        format!(
            "the label \"{}\" names two alternatives, {} and {}; labels must be unique: give each \
             its own (LABEL=FILE for files, \"LABEL: ...\" for --alt)",
            labels[j], specs[i].origin, specs[j].origin
        ),
    ))
}

/// Every alternative on the first's seed, replications and horizon.
fn pair(specs: &mut [Spec]) -> Result<()> {
    let (first, rest) = specs.split_first_mut().expect("two or more alternatives");
    let f = &first.scenario;
    for s in rest {
        let sc = &mut s.scenario;
        let horizon = [
            ("duration", sc.duration.to_string(), f.duration.to_string()),
            ("warmup", sc.warmup.to_string(), f.warmup.to_string()),
            ("drain", sc.drain.to_string(), f.drain.to_string()),
        ];
        if let Some((key, here, there)) = horizon.iter().find(|(_, a, b)| a != b) {
            return Err(bad_input(
                &s.file,
                format!(
                    "{} has {key} = {here} but the first alternative, {}, has {key} = {there}: \
                     compare pairs replications over one horizon. Give every alternative the same \
                     {key}, or pass --set {key}={there} to use one for all",
                    s.origin, first.label
                ),
            ));
        }
        if sc.seed != f.seed {
            s.replaced.push(format!(
                "its file's seed {} replaced by {}",
                sc.seed, f.seed
            ));
            sc.seed = f.seed;
        }
        if sc.replications != f.replications {
            s.replaced.push(format!(
                "its file's {} replications replaced by {}",
                sc.replications, f.replications
            ));
            sc.replications = f.replications;
        }
    }
    Ok(())
}
