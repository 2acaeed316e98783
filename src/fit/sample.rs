//! Processing-time samples as `mqsim fit` reads them: a text file of one
//! duration per line (the format a scenario's `empirical` distribution
//! reads, so such a file is usable as it is), or one column of a CSV file
//! with a header.
//!
//! Values are read with the scenario's duration syntax (`"120ms"`,
//! `"1.5s"`, `"2m"`, `"350us"`, a bare number meaning seconds) but kept
//! unrounded. Every value must be > 0: the lognormal, gamma and Weibull
//! likelihoods take `ln x`. A failure names the file, the line (and the CSV
//! row and column) and what is allowed; nothing here panics on any input.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::FitError;
use crate::scenario::duration::{RawDuration, parse_duration};

/// What a sample file may hold, for error messages.
pub const SAMPLE_FORMS: &str = "one duration per line (\"120ms\", \"1.5s\", \"2m\", \"350us\", \
     or a number of seconds); blank lines and lines starting with # are ignored";

/// Where a sample came from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Source {
    /// The file, as given.
    pub file: PathBuf,
    /// The CSV column, if the file is a CSV.
    pub column: Option<String>,
}

/// Where in a file a value sits.
#[derive(Clone, Debug, PartialEq)]
pub enum Place {
    /// A line of a text file (from 1).
    Line(u64),
    /// A cell of a CSV file: its line (from 1, the header is line 1), its
    /// data row (from 1) and the column's name.
    Cell {
        /// Line in the file.
        line: u64,
        /// Data row, the header not counted.
        row: u64,
        /// Column name.
        column: String,
    },
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Line(line) => write!(f, "line {line}"),
            Place::Cell { line, row, column } => {
                write!(f, "line {line} (row {row}), column `{column}`")
            }
        }
    }
}

/// Durations in seconds, all > 0, sorted ascending, with where they came from.
#[derive(Clone, Debug)]
pub struct Sample {
    /// The file (and column) read.
    pub source: Source,
    values: Vec<f64>,
}

impl Sample {
    /// Reads `file`: a text file of durations, or with `column` that column
    /// of a CSV file with a header.
    pub fn read(file: &Path, column: Option<&str>) -> Result<Sample, FitError> {
        let unreadable = |why: String| FitError::Unreadable {
            file: file.to_owned(),
            why,
        };
        let bytes = std::fs::read(file).map_err(|e| unreadable(e.to_string()))?;
        let text =
            String::from_utf8(bytes).map_err(|e| unreadable(format!("not UTF-8 text ({e})")))?;
        match column {
            Some(column) => Sample::from_csv(file, &text, column),
            None => Sample::from_lines(file, &text),
        }
    }

    /// The durations of `text`, one per line (see [`SAMPLE_FORMS`]).
    pub fn from_lines(file: &Path, text: &str) -> Result<Sample, FitError> {
        let mut values = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let place = Place::Line(index as u64 + 1);
            let value = parse_value(file, &place, line).map_err(|e| csv_hint(e, line))?;
            values.push(value);
        }
        Sample::from_values(
            Source {
                file: file.to_owned(),
                column: None,
            },
            values,
        )
    }

    /// The durations in column `column` of the CSV `text` (header on the
    /// first line; lines starting with # are skipped).
    pub fn from_csv(file: &Path, text: &str, column: &str) -> Result<Sample, FitError> {
        let csv_error = |e: csv::Error| FitError::Csv {
            file: file.to_owned(),
            line: e.position().map_or(0, csv::Position::line),
            why: e.to_string(),
        };
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .comment(Some(b'#'))
            .from_reader(text.as_bytes());
        let header = reader.headers().map_err(csv_error)?.clone();
        let Some(at) = header.iter().position(|h| h == column) else {
            return Err(FitError::NoColumn {
                file: file.to_owned(),
                column: column.to_owned(),
                present: header.iter().map(str::to_owned).collect(),
            });
        };
        let mut values = Vec::new();
        for (index, record) in reader.records().enumerate() {
            let record = record.map_err(csv_error)?;
            let place = Place::Cell {
                line: record.position().map_or(0, csv::Position::line),
                row: index as u64 + 1,
                column: column.to_owned(),
            };
            values.push(parse_value(file, &place, record.get(at).unwrap_or(""))?);
        }
        Sample::from_values(
            Source {
                file: file.to_owned(),
                column: Some(column.to_owned()),
            },
            values,
        )
    }

    /// A sample of `values` (seconds, each finite and > 0), which must not
    /// be empty or all equal.
    pub fn from_values(source: Source, mut values: Vec<f64>) -> Result<Sample, FitError> {
        if values.is_empty() {
            return Err(FitError::Empty { file: source.file });
        }
        if let Some(&bad) = values.iter().find(|v| !(v.is_finite() && **v > 0.0)) {
            return Err(FitError::NotPositive {
                file: source.file,
                place: None,
                text: bad.to_string(),
            });
        }
        values.sort_by(f64::total_cmp);
        if values[0] == values[values.len() - 1] {
            return Err(FitError::NoSpread {
                file: source.file,
                n: values.len(),
                value: values[0],
            });
        }
        Ok(Sample { source, values })
    }

    /// The values, seconds, ascending.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// How many values.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Never: a sample holds at least two different values.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The mean, seconds.
    pub fn mean(&self) -> f64 {
        self.values.iter().sum::<f64>() / self.values.len() as f64
    }

    /// The standard deviation (denominator n − 1), seconds.
    pub fn sd(&self) -> f64 {
        let m = self.mean();
        let ss: f64 = self.values.iter().map(|v| (v - m).powi(2)).sum();
        (ss / (self.values.len() - 1).max(1) as f64).sqrt()
    }

    /// The `q` quantile by nearest rank: the value of rank `⌈q·n⌉` (the
    /// rule the run's latency percentiles use).
    pub fn quantile(&self, q: f64) -> f64 {
        self.values[nearest_rank(q, self.values.len()) - 1]
    }

    /// The values in the format an `empirical` distribution reads: one
    /// number of seconds per line, after a comment naming the source.
    pub fn empirical_text(&self) -> String {
        let mut text = format!(
            "# {} samples (seconds) read by mqsim fit from {}{}\n",
            self.values.len(),
            self.source.file.display(),
            self.source
                .column
                .as_ref()
                .map_or(String::new(), |c| format!(", column `{c}`"))
        );
        for v in &self.values {
            text.push_str(&format!("{v}\n"));
        }
        text
    }
}

/// The rank (from 1) of the `q` quantile of `n` values by nearest rank.
pub fn nearest_rank(q: f64, n: usize) -> usize {
    ((q * n as f64).ceil() as usize).clamp(1, n)
}

/// One value, seconds, or why it is not a usable duration.
fn parse_value(file: &Path, place: &Place, text: &str) -> Result<f64, FitError> {
    let bad = |why: String| FitError::NotADuration {
        file: file.to_owned(),
        place: place.clone(),
        text: text.to_owned(),
        why,
    };
    if text.is_empty() {
        return Err(bad("the cell is empty".into()));
    }
    let secs = RawDuration::Text(text.to_owned())
        .to_seconds()
        .map_err(|_| bad("it is not a duration".into()))?;
    if secs <= 0.0 {
        return Err(FitError::NotPositive {
            file: file.to_owned(),
            place: Some(place.clone()),
            text: text.to_owned(),
        });
    }
    // The scenario's own checks (finite, at most 10 years), so that a
    // file that reads here is a valid `empirical` file too.
    parse_duration(text).map_err(bad)?;
    Ok(secs)
}

/// A text file whose line does not read may be a CSV given without
/// `--column`: say so, with its columns.
fn csv_hint(err: FitError, line: &str) -> FitError {
    match err {
        FitError::NotADuration {
            file,
            place,
            text,
            why,
        } if line.contains(',') => FitError::NotADuration {
            why: format!(
                "{why}; for a CSV file give --column NAME (this line has: {})",
                line.split(',')
                    .map(str::trim)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            file,
            place,
            text,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Result<Sample, FitError> {
        Sample::from_lines(Path::new("t.txt"), text)
    }

    #[test]
    fn durations_with_units_and_bare_seconds_are_read_unrounded() {
        let s = lines("# header\n120ms\n\n1.5s\n2m\n350us\n  0.25  \n1e-7\n").unwrap();
        assert_eq!(s.values(), &[1e-7, 350e-6, 0.12, 0.25, 1.5, 120.0]);
        assert_eq!(s.len(), 6);
        assert_eq!(s.quantile(0.5), 0.12);
        assert_eq!(s.quantile(1.0), 120.0);
        assert_eq!(s.quantile(0.0), 1e-7);
    }

    #[test]
    fn bad_lines_name_the_line_and_what_is_allowed() {
        let err = lines("1s\n\n# c\nfast\n").unwrap_err().to_string();
        assert!(err.starts_with("t.txt: line 4: \"fast\""), "{err}");
        assert!(err.contains("allowed: one duration per line"), "{err}");
        let err = lines("1s\n-2ms\n").unwrap_err().to_string();
        assert!(err.contains("line 2") && err.contains("> 0"), "{err}");
        assert!(err.contains("lognormal, gamma and Weibull"), "{err}");
        let err = lines("0\n1s\n").unwrap_err().to_string();
        assert!(err.contains("line 1") && err.contains("> 0"), "{err}");
        let err = lines("\n# only comments\n").unwrap_err().to_string();
        assert!(err.contains("no samples"), "{err}");
        let err = lines("5ms\n5ms\n").unwrap_err().to_string();
        assert!(err.contains("all 2 samples are 5ms"), "{err}");
        let err = lines("id,latency\n1,5ms\n").unwrap_err().to_string();
        assert!(
            err.contains("--column NAME (this line has: id, latency)"),
            "{err}"
        );
    }

    #[test]
    fn a_csv_column_is_read_by_name_with_rows_in_errors() {
        let text = "id, latency ,host\n1,120ms,a\n# skipped\n2,0.3,b\n";
        let s = Sample::from_csv(Path::new("t.csv"), text, "latency").unwrap();
        assert_eq!(s.values(), &[0.12, 0.3]);
        let err = Sample::from_csv(Path::new("t.csv"), text, "duration").unwrap_err();
        let err = err.to_string();
        assert!(err.contains("no column `duration`"), "{err}");
        assert!(err.contains("columns present: id, latency, host"), "{err}");
        let text = "id,latency\n1,120ms\n2,slow\n";
        let err = Sample::from_csv(Path::new("t.csv"), text, "latency").unwrap_err();
        let err = err.to_string();
        assert!(err.contains("line 3 (row 2), column `latency`"), "{err}");
        let text = "id,latency\n1,120ms\n2,\n";
        let err = Sample::from_csv(Path::new("t.csv"), text, "latency").unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
        let text = "id,latency\n1,120ms,extra\n";
        let err = Sample::from_csv(Path::new("t.csv"), text, "latency").unwrap_err();
        assert!(err.to_string().contains("t.csv: line 2"), "{err}");
    }

    #[test]
    fn the_empirical_text_reads_back_through_the_scenario_parser() {
        let s = lines("120ms\n1.5s\n").unwrap();
        let back = lines(&s.empirical_text()).unwrap();
        assert_eq!(back.values(), s.values());
    }
}
