//! Sweep grids, pure: the axes of `[sweep]` and `--vary`, expanded up front
//! into a flat list of points (the cartesian product, last axis fastest);
//! `plan`'s bisection over one axis ([`Plan`]); which items a shard runs
//! ([`Shard`]). Running them is the binary's (its `sweep` module).
//!
//! A point is a list of `KEY=VALUE` overrides, applied to the scenario text
//! like `--set`, so each point is validated exactly like a hand-edited file.
//! Every point keeps the scenario's seed: replication *k* of every point
//! draws the same arrival and processing streams (common random numbers), so
//! differences between points come from the setting, not from noise.

mod bisection;
mod shard;

pub use bisection::Plan;
pub use shard::{Shard, all_items};

use std::fmt::Write as _;

use crate::scenario::SweepAxis;

/// Longest point label (a directory name; file systems allow 255 bytes).
pub const LABEL_CHARS: usize = 80;

/// Most points a sweep may have.
pub const MAX_POINTS: usize = 10_000;

/// Most point × replication runs a sweep may have.
pub const MAX_RUNS: u64 = 200_000;

/// One point of the grid: a value for every axis, in axis order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Point {
    /// `(key, value)` pairs; values are TOML literals.
    pub settings: Vec<(String, String)>,
}

impl Point {
    /// The point as `--set` arguments.
    pub fn overrides(&self) -> Vec<String> {
        self.settings
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect()
    }

    /// A directory-safe label such as `003_consumers.count=8`, at most
    /// [`LABEL_CHARS`] long whatever the values (a whole inline table may be
    /// swept): the index prefix keeps labels unique when a long one is cut,
    /// and `sweep.csv` has the full values.
    pub fn label(&self, index: usize) -> String {
        let mut s = format!("{index:03}");
        for (k, v) in &self.settings {
            let _ = write!(s, "_{}={}", safe(k), safe(v));
        }
        if s.len() <= LABEL_CHARS {
            return s;
        }
        let mut cut: String = s.chars().take(LABEL_CHARS - 1).collect();
        cut.push('~');
        cut
    }
}

/// `text` with each run of characters other than ASCII letters, digits,
/// `.` and `_` made one `-`, none at the end and none at the start but a
/// minus sign: `{ backoff = "exponential" }` becomes `backoff-exponential`.
fn safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || "._".contains(c) {
            out.push(c);
        } else if !out.ends_with('-') && (!out.is_empty() || c == '-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// Parses `--vary KEY=V1,V2,...` or `--vary KEY=START..END[:STEP]` (numbers;
/// durations as plain seconds). Values keep their TOML spelling.
pub fn parse_vary(arg: &str) -> Result<SweepAxis, String> {
    let usage =
        "expected KEY=V1,V2,... or KEY=START..END[:STEP], e.g. --vary consumers.count=4..16:2";
    let Some((key, spec)) = arg.split_once('=') else {
        return Err(format!("--vary {arg}: {usage}"));
    };
    let (key, spec) = (key.trim(), spec.trim());
    if key.is_empty() || key.split('.').any(str::is_empty) || spec.is_empty() {
        return Err(format!("--vary {arg}: {usage}"));
    }
    let structured = spec.contains(['{', '[', '"', '\'']);
    let values = match spec.split_once("..").filter(|_| !structured) {
        Some((start, rest)) => range(start, rest).map_err(|why| format!("--vary {arg}: {why}"))?,
        None => split_top_level(spec)
            .into_iter()
            .map(|v| literal(v.trim()))
            .collect(),
    };
    if values.iter().any(String::is_empty) {
        return Err(format!("--vary {arg}: empty value; {usage}"));
    }
    Ok(SweepAxis {
        key: key.to_owned(),
        values,
    })
}

/// `spec` cut at the commas outside quotes, inline tables and arrays, so
/// that a value may be `{ backoff = "exponential", base = "1s" }` (also how
/// `mqsim compare --alt` cuts its list of settings).
pub fn split_top_level(spec: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut quote, mut start) = (Vec::new(), 0i32, None, 0);
    for (i, c) in spec.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '{' | '[') => depth += 1,
            (None, '}' | ']') => depth -= 1,
            (None, ',') if depth == 0 => {
                parts.push(&spec[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&spec[start..]);
    parts
}

/// A value as a TOML literal: numbers, booleans, arrays and tables as
/// written, anything else quoted (so `30s` needs no shell quoting).
fn literal(v: &str) -> String {
    let is_toml = v.parse::<toml_edit::Value>().is_ok();
    if is_toml || v.is_empty() {
        v.to_owned()
    } else {
        format!("\"{v}\"")
    }
}

/// `START..END[:STEP]`, both ends included; integers stay integers.
fn range(start: &str, rest: &str) -> Result<Vec<String>, String> {
    let (end, step) = match rest.split_once(':') {
        Some((end, step)) => (end, Some(step)),
        None => (rest, None),
    };
    let ints = [Some(start), Some(end), step]
        .into_iter()
        .flatten()
        .all(|s| s.trim().parse::<i64>().is_ok());
    let number = |s: &str| {
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| format!("\"{s}\" is not a number (give durations in seconds)"))
    };
    let (a, b) = (number(start)?, number(end)?);
    let step = step.map_or(Ok(1.0), number)?;
    if step <= 0.0 {
        return Err(format!("the step must be > 0, not {step}"));
    }
    if b < a {
        return Err(format!("the range ends ({b}) before it starts ({a})"));
    }
    let count = ((b - a) / step + 1e-9).floor() as u64 + 1;
    if count > MAX_POINTS as u64 {
        return Err(format!("{count} values; at most {MAX_POINTS}"));
    }
    Ok((0..count)
        .map(|i| {
            let x = a + i as f64 * step;
            if ints {
                format!("{}", x.round() as i64)
            } else {
                format!("{x}")
            }
        })
        .collect())
}

/// The cartesian product of `axes` (last axis fastest). An axis given twice
/// keeps its last values. Errors when the grid exceeds the caps.
pub fn grid(axes: &[SweepAxis], replications: u32) -> Result<Vec<Point>, String> {
    let mut merged: Vec<SweepAxis> = Vec::new();
    for axis in axes {
        merged.retain(|a| a.key != axis.key);
        merged.push(axis.clone());
    }
    let points: u128 = merged.iter().map(|a| a.values.len() as u128).product();
    let runs = points * u128::from(replications);
    if points > MAX_POINTS as u128 || runs > u128::from(MAX_RUNS) {
        return Err(format!(
            "the sweep has {points} points × {replications} replications = {runs} runs; \
             at most {MAX_POINTS} points and {MAX_RUNS} runs: use fewer values or replications"
        ));
    }
    let mut out = vec![Point { settings: vec![] }];
    for axis in &merged {
        out = out
            .into_iter()
            .flat_map(|p| {
                axis.values.iter().map(move |v| {
                    let mut settings = p.settings.clone();
                    settings.push((axis.key.clone(), v.clone()));
                    Point { settings }
                })
            })
            .collect();
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
