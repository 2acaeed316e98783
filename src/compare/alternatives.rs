//! The alternatives of `mqsim compare` as the command line names them:
//! files (`current=a.toml`, or a bare path), or variants of one file
//! (`--alt "label: key=value, key=value"`), and the rules on labels.
//!
//! A label is at most [`MAX_LABEL_CHARS`] ASCII letters, digits, `-`, `_`
//! and `.`, starting with a letter or digit (it names a chart's legend
//! entry, a CSV cell and a file), and no two alternatives share one. Errors
//! are messages that say what is allowed; the binary turns them into
//! exit 2.

use std::path::{Path, PathBuf};

use crate::grid::split_top_level;

/// Longest label.
pub const MAX_LABEL_CHARS: usize = 40;

/// Most alternatives one comparison runs (a chart shows a colour each).
pub const MAX_ALTERNATIVES: usize = 10;

/// A scenario file argument: `LABEL=PATH` or `PATH`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileArg {
    /// The label given before `=`, if any.
    pub label: Option<String>,
    /// The scenario file.
    pub path: PathBuf,
}

impl FileArg {
    /// Parses `arg`. A path that exists is a path even if it contains `=`;
    /// otherwise text before the first `=` that is a valid label is the
    /// label.
    pub fn parse(arg: &str, exists: impl Fn(&Path) -> bool) -> Result<FileArg, String> {
        if arg.is_empty() {
            return Err("an empty argument is no scenario file".into());
        }
        let whole = FileArg {
            label: None,
            path: PathBuf::from(arg),
        };
        if exists(Path::new(arg)) {
            return Ok(whole);
        }
        match arg.split_once('=') {
            Some((label, path)) if check_label(label).is_ok() => {
                if path.is_empty() {
                    return Err(format!(
                        "{arg}: no file after '{label}='; write LABEL=PATH, e.g. {label}=a.toml"
                    ));
                }
                Ok(FileArg {
                    label: Some(label.to_owned()),
                    path: PathBuf::from(path),
                })
            }
            _ => Ok(whole),
        }
    }
}

/// One `--alt "label: key=value, key=value"`: a label and `--set` style
/// overrides of the base file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AltArg {
    /// The argument as given, for error messages.
    pub arg: String,
    /// Its label.
    pub label: String,
    /// `KEY=VALUE` overrides, in order; values as `--set` takes them
    /// (inline tables, arrays and quoted strings may hold commas).
    pub overrides: Vec<String>,
}

impl AltArg {
    /// Parses `label: key=value, key=value` (no settings: the base file
    /// itself, under another label).
    pub fn parse(arg: &str) -> Result<AltArg, String> {
        let usage =
            "expected \"LABEL: KEY=VALUE, KEY=VALUE\", e.g. --alt \"eleven: consumers.count=11\"";
        let Some((label, settings)) = arg.split_once(':') else {
            return Err(format!("--alt {arg}: no label; {usage}"));
        };
        let label = label.trim();
        check_label(label).map_err(|why| format!("--alt {arg}: {why}; {usage}"))?;
        let mut overrides = Vec::new();
        if !settings.trim().is_empty() {
            for part in split_top_level(settings) {
                let part = part.trim();
                let key = part.split_once('=').map(|(k, _)| k.trim());
                if key.is_none_or(str::is_empty) {
                    return Err(format!(
                        "--alt {arg}: \"{part}\" is not KEY=VALUE (settings are separated by \
                         commas); {usage}"
                    ));
                }
                overrides.push(part.to_owned());
            }
        }
        Ok(AltArg {
            arg: arg.to_owned(),
            label: label.to_owned(),
            overrides,
        })
    }
}

/// Whether `label` is a usable label, or why not.
pub fn check_label(label: &str) -> Result<(), String> {
    if label.is_empty() {
        return Err("the label is empty".into());
    }
    if label.chars().count() > MAX_LABEL_CHARS {
        return Err(format!(
            "the label \"{label}\" is {} characters long; at most {MAX_LABEL_CHARS}",
            label.chars().count()
        ));
    }
    let first_ok = label.starts_with(|c: char| c.is_ascii_alphanumeric());
    let chars_ok = label
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if !first_ok || !chars_ok {
        return Err(format!(
            "the label \"{label}\" may hold only ASCII letters, digits, '-', '_' and '.', and \
             starts with a letter or digit"
        ));
    }
    Ok(())
}

/// The first two alternatives that share a label, as their indexes.
pub fn first_collision(labels: &[&str]) -> Option<(usize, usize)> {
    (1..labels.len()).find_map(|j| {
        labels[..j]
            .iter()
            .position(|l| *l == labels[j])
            .map(|i| (i, j))
    })
}

/// `output/compare-<labels joined by -vs->`, or `compare-<first>` when that
/// would be longer than a directory name should be.
pub fn default_dir_name(labels: &[&str]) -> String {
    let joined = format!("compare-{}", labels.join("-vs-"));
    if joined.len() <= crate::grid::LABEL_CHARS {
        joined
    } else {
        format!(
            "compare-{}",
            labels.first().copied().unwrap_or("alternatives")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(arg: &str) -> Result<FileArg, String> {
        FileArg::parse(arg, |p| p == Path::new("odd=name.toml"))
    }

    #[test]
    fn file_arguments_take_an_optional_label() {
        assert_eq!(
            file("current=a.toml").unwrap(),
            FileArg {
                label: Some("current".into()),
                path: "a.toml".into()
            }
        );
        assert_eq!(file("dir/b.toml").unwrap().label, None);
        // An existing file keeps its '=', and a path before '=' is no label.
        assert_eq!(file("odd=name.toml").unwrap().label, None);
        assert_eq!(file("dir/x=y.toml").unwrap().label, None);
        assert!(file("fifo=").unwrap_err().contains("no file after"));
    }

    #[test]
    fn alternatives_split_at_top_level_commas() {
        let a = AltArg::parse(
            "backoff: consumers.count=11, consumers.on_error={ backoff = \"exponential\", base = \"1s\" }",
        )
        .unwrap();
        assert_eq!(a.label, "backoff");
        assert_eq!(
            a.overrides,
            [
                "consumers.count=11",
                "consumers.on_error={ backoff = \"exponential\", base = \"1s\" }"
            ]
        );
        assert_eq!(
            AltArg::parse("same:").unwrap().overrides,
            Vec::<String>::new()
        );
        assert!(
            AltArg::parse("consumers.count=11")
                .unwrap_err()
                .contains("no label")
        );
        assert!(
            AltArg::parse("a b: x=1")
                .unwrap_err()
                .contains("may hold only")
        );
        assert!(
            AltArg::parse("a: x=1,,y=2")
                .unwrap_err()
                .contains("is not KEY=VALUE")
        );
        assert!(
            AltArg::parse("a: =1")
                .unwrap_err()
                .contains("is not KEY=VALUE")
        );
    }

    #[test]
    fn labels_are_short_safe_and_unique() {
        assert!(check_label("sqs-fifo_2.0").is_ok());
        assert!(
            check_label(&"x".repeat(41))
                .unwrap_err()
                .contains("at most 40")
        );
        assert!(check_label("-x").is_err());
        assert_eq!(first_collision(&["a", "b", "c"]), None);
        assert_eq!(first_collision(&["a", "b", "a", "b"]), Some((0, 2)));
    }

    #[test]
    fn the_default_directory_names_the_labels() {
        assert_eq!(default_dir_name(&["a", "b"]), "compare-a-vs-b");
        let long = ["x".repeat(40), "y".repeat(40)];
        let long: Vec<&str> = long.iter().map(String::as_str).collect();
        assert_eq!(
            default_dir_name(&long),
            format!("compare-{}", "x".repeat(40))
        );
    }
}
