//! Scenario files: read, override, parse, validate.
//!
//! Pipeline: the file's text → `--set` overrides applied to the TOML document
//! ([`overrides`]) → a raw serde mirror that denies unknown keys ([`raw`]) →
//! a typed, checked [`Scenario`] ([`validate`]). Every failure is a
//! [`ScenarioError`] naming the file, the line and column (or the `--set`
//! argument responsible), the dotted key, what is wrong and what is allowed.
//! Nothing here panics on any input.

mod autoscale;
mod burst;
mod checks;
mod distspec;
mod downstream;
pub mod duration;
mod files;
mod incidents;
mod locate;
mod model;
mod network;
pub mod observed;
mod overrides;
pub mod presets;
mod queues;
mod raw;
mod resources;
mod schedule_file;
pub mod schema;
pub mod series;
mod validate;
mod written;

use std::fmt;
use std::path::{Path, PathBuf};

pub use downstream::*;
pub use files::DataFiles;
pub use model::*;

use checks::Invalid;
use locate::{LineCol, Locator};
use overrides::Override;

/// Bad input: the scenario file or an override is unusable. Maps to exit code 2.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ScenarioError {
    /// The scenario file.
    pub file: PathBuf,
    /// Where in the file, if known.
    pub position: Option<LineCol>,
    /// The `--set` argument the error comes from, if any (or another flag,
    /// written with its name: `--vary KEY=VALUES`).
    pub set_arg: Option<String>,
    /// The dotted key, if the error concerns one.
    pub key: Option<String>,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(p) = self.position {
            write!(f, ":{}:{}", p.line, p.column)?;
        }
        match &self.set_arg {
            // Another flag that sets keys (`--vary`) names itself.
            Some(arg) if arg.starts_with("--") => write!(f, ": in {arg}")?,
            Some(arg) => write!(f, ": in --set {arg}")?,
            None => {}
        }
        if let Some(key) = &self.key {
            write!(f, ": {key}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl ScenarioError {
    /// An error about the file as a whole (no line to point at).
    pub fn whole_file(file: &Path, message: impl Into<String>) -> ScenarioError {
        ScenarioError {
            file: file.to_owned(),
            position: None,
            set_arg: None,
            key: None,
            message: message.into(),
        }
    }
}

/// Reads and validates the scenario at `path` with `--set` overrides
/// (`KEY=VALUE` strings) applied.
pub fn load(path: &Path, set: &[String]) -> Result<Scenario, ScenarioError> {
    load_str(&read_text(path)?, path, set)
}

/// The text of the scenario file at `path`, or why it is unusable.
pub fn read_text(path: &Path) -> Result<String, ScenarioError> {
    let bytes = std::fs::read(path)
        .map_err(|e| ScenarioError::whole_file(path, format!("cannot read the scenario: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        ScenarioError::whole_file(
            path,
            format!(
                "not UTF-8 text (invalid byte at offset {}); a scenario is a TOML file",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// Validates scenario `text` as if read from `path` (which names it in
/// errors, gives the default name and anchors relative file names).
pub fn load_str(text: &str, path: &Path, set: &[String]) -> Result<Scenario, ScenarioError> {
    let files = DataFiles::on_disk(path.parent().unwrap_or(Path::new(".")));
    load_str_with(text, path, set, &files)
}

/// [`load_str`] with the data files (traces, empirical samples) taken from
/// `files`, which remembers them.
pub fn load_str_with(
    text: &str,
    path: &Path,
    set: &[String],
    files: &DataFiles,
) -> Result<Scenario, ScenarioError> {
    let overrides = set
        .iter()
        .map(|arg| Override::parse(arg))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|message| ScenarioError::whole_file(path, message))?;
    let text = apply_overrides(text, path, &overrides)?;
    let context = Context {
        path,
        text: &text,
        locator: Locator::new(&text),
        overrides: &overrides,
    };
    let raw: raw::RawScenario = toml::from_str(&text).map_err(|e| context.parse_error(&e))?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let scenario = validate::validate(raw, &stem, files).map_err(|e| context.invalid(e))?;
    drain_can_end(&scenario).map_err(|e| context.invalid(e))?;
    check_sweep(&scenario, &text, path, &overrides, files)?;
    Ok(scenario)
}

/// `drain = true` on a network with a loop that sends on at least as many
/// messages as it receives would never end: refused (`mqsim check` warns
/// about such a loop without `drain`, where the run stops at `duration`).
fn drain_can_end(sc: &Scenario) -> Result<(), Invalid> {
    if !sc.drain || !sc.is_network() {
        return Ok(());
    }
    match crate::traffic::solve(sc).cycles.first() {
        None => Ok(()),
        Some(cycle) => Err(checks::invalid(
            "drain",
            format!(
                "true never ends: queues {} pass on at least as many messages as they receive (loop gain {:.3} >= 1); set drain = false, or lower an emit's p",
                cycle.queues.join(", "),
                cycle.gain
            ),
        )),
    }
}

fn apply_overrides(
    text: &str,
    path: &Path,
    overrides: &[Override],
) -> Result<String, ScenarioError> {
    if overrides.is_empty() {
        return Ok(text.to_owned());
    }
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        let locator = Locator::new(text);
        ScenarioError {
            position: e.span().map(|s| locator.line_col(s.start)),
            ..ScenarioError::whole_file(path, first_line(e.message()))
        }
    })?;
    for o in overrides {
        o.apply(&mut doc)
            .map_err(|message| ScenarioError::whole_file(path, message))?;
    }
    Ok(doc.to_string())
}

/// Each `[sweep]` value must give a valid scenario when applied like `--set`.
fn check_sweep(
    sc: &Scenario,
    text: &str,
    path: &Path,
    overrides: &[Override],
    files: &DataFiles,
) -> Result<(), ScenarioError> {
    for axis in &sc.sweep {
        for value in &axis.values {
            let arg = format!("{}={value}", axis.key);
            let mut set: Vec<String> = overrides.iter().map(|o| o.arg.clone()).collect();
            set.push(arg.clone());
            set.push("sweep={}".into());
            if let Err(e) = load_str_with(text, path, &set, files) {
                return Err(ScenarioError {
                    position: Locator::new(text).position("sweep"),
                    set_arg: None,
                    key: Some(format!("sweep.\"{}\"", axis.key)),
                    message: format!(
                        "the value {value} does not give a valid scenario: {}",
                        e.message
                    ),
                    ..e
                });
            }
        }
    }
    Ok(())
}

/// What an error needs to point at its source.
struct Context<'a> {
    path: &'a Path,
    text: &'a str,
    locator: Locator<'a>,
    overrides: &'a [Override],
}

impl Context<'_> {
    /// A TOML syntax or type error from serde, located by its span.
    fn parse_error(&self, e: &toml::de::Error) -> ScenarioError {
        let offset = e.span().map(|s| s.start);
        let key = offset.and_then(|o| self.locator.path_at(o));
        let message = plain_type_names(&explain_unknown_key(first_line(e.message())));
        self.error(key, offset.map(|o| self.locator.line_col(o)), message)
    }

    fn invalid(&self, e: Invalid) -> ScenarioError {
        let position = self.locator.position(e.at.as_deref().unwrap_or(&e.key));
        self.error(Some(e.key), position, e.message)
    }

    fn error(
        &self,
        key: Option<String>,
        position: Option<LineCol>,
        message: String,
    ) -> ScenarioError {
        let set_arg = key
            .as_deref()
            .and_then(|k| self.overrides.iter().rev().find(|o| o.covers(k)))
            .map(|o| o.arg.clone());
        ScenarioError {
            file: self.path.to_owned(),
            // A position in the rewritten text would mislead for an override.
            position: if set_arg.is_some() { None } else { position },
            set_arg,
            key,
            message,
        }
        .with_text_check(self.text)
    }
}

impl ScenarioError {
    /// Guards against a position past the end of the text (never shown).
    fn with_text_check(self, text: &str) -> ScenarioError {
        let lines = text.lines().count().max(1) + 1;
        match self.position {
            Some(p) if p.line > lines => ScenarioError {
                position: None,
                ..self
            },
            _ => self,
        }
    }
}

fn first_line(message: &str) -> String {
    message
        .lines()
        .next()
        .unwrap_or("invalid TOML")
        .trim()
        .to_owned()
}

/// serde names the Rust type it wanted ("expected i64"); a scenario's
/// author thinks in TOML values.
fn plain_type_names(message: &str) -> String {
    const NAMES: [(&str, &str); 12] = [
        ("i8", "an integer"),
        ("i16", "an integer"),
        ("i32", "an integer"),
        ("i64", "an integer"),
        ("u8", "a whole number"),
        ("u16", "a whole number"),
        ("u32", "a whole number"),
        ("u64", "a whole number"),
        ("usize", "a whole number"),
        ("f32", "a number"),
        ("f64", "a number"),
        ("bool", "true or false"),
    ];
    let mut out = message.to_owned();
    for (rust, plain) in NAMES {
        for end in ["", ",", ")"] {
            let from = format!("expected {rust}{end}");
            if out.ends_with(&from) || (!end.is_empty() && out.contains(&from)) {
                out = out.replace(&from, &format!("expected {plain}{end}"));
            }
        }
    }
    out
}

/// serde says "unknown field `x`, expected one of `a`, `b`"; say it in the
/// user's terms.
fn explain_unknown_key(message: String) -> String {
    match message.strip_prefix("unknown field ") {
        Some(rest) => match rest.split_once(", expected ") {
            Some((field, allowed)) => format!(
                "unknown key {field}; allowed: {}",
                allowed.trim_start_matches("one of ")
            ),
            None => format!("unknown key {rest}"),
        },
        None => message,
    }
}

#[cfg(test)]
mod incident_tests;
#[cfg(test)]
mod network_error_tests;
#[cfg(test)]
mod network_tests;
#[cfg(test)]
mod resource_error_tests;
#[cfg(test)]
mod resource_tests;
#[cfg(test)]
mod tests;
