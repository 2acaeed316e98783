//! Where the data files a scenario names (arrival traces, empirical
//! samples) come from: the disk, relative to the scenario file, or copies
//! kept with a shard's results so that `mqsim merge` can rebuild exactly
//! the scenario the shard ran without the original files.
//!
//! Every file read is remembered, by the name written in the scenario, so
//! a caller can store what a scenario depended on.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The source of a scenario's data files, and a record of what was read.
#[derive(Debug)]
pub struct DataFiles {
    /// The scenario file's directory: relative names start here.
    base: PathBuf,
    /// Stored copies by name; `None`: read from the disk.
    stored: Option<BTreeMap<String, String>>,
    /// Every file read so far, by name.
    read: Mutex<BTreeMap<String, String>>,
}

impl DataFiles {
    /// Files on the disk, relative to `base` (the scenario file's directory).
    pub fn on_disk(base: &Path) -> DataFiles {
        DataFiles {
            base: base.to_owned(),
            stored: None,
            read: Mutex::default(),
        }
    }

    /// Stored copies, by the names the scenario writes; `base` only names
    /// them in messages.
    pub fn stored(base: &Path, files: BTreeMap<String, String>) -> DataFiles {
        DataFiles {
            base: base.to_owned(),
            stored: Some(files),
            read: Mutex::default(),
        }
    }

    /// The path a name stands for, for messages.
    pub fn path(&self, name: &str) -> PathBuf {
        self.base.join(name)
    }

    /// The text of the file called `name` in the scenario, or why not.
    pub fn read(&self, name: &str) -> Result<String, String> {
        let text = match &self.stored {
            None => std::fs::read_to_string(self.path(name))
                .map_err(|e| format!("cannot read {}: {e}", self.path(name).display()))?,
            Some(files) => files.get(name).cloned().ok_or_else(|| {
                format!(
                    "{} is not among the files stored with the results",
                    self.path(name).display()
                )
            })?,
        };
        // Sweep points read the same files again: keep the first copy.
        self.read
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .entry(name.to_owned())
            .or_insert_with(|| text.clone());
        Ok(text)
    }

    /// Every file read so far, by name.
    pub fn read_so_far(&self) -> BTreeMap<String, String> {
        self.read
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_files_are_read_by_name_and_recorded() {
        let files = DataFiles::stored(
            Path::new("dir"),
            BTreeMap::from([("a.csv".to_owned(), "1\n2\n".to_owned())]),
        );
        assert_eq!(files.read("a.csv").unwrap(), "1\n2\n");
        let missing = files.read("b.csv").unwrap_err();
        assert!(missing.contains("dir/b.csv"), "{missing}");
        assert_eq!(files.read_so_far().len(), 1);
    }

    #[test]
    fn disk_errors_name_the_path() {
        let files = DataFiles::on_disk(Path::new("/nonexistent-dir"));
        let why = files.read("x.csv").unwrap_err();
        assert!(
            why.starts_with("cannot read /nonexistent-dir/x.csv"),
            "{why}"
        );
    }
}
