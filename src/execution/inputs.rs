//! A scenario's inputs as the command line gave them: the file's text,
//! `--set`, `--seed`, `--replications`, `--vary`, and the data files the
//! scenario reads. Points of a sweep are loaded from the same inputs, and a
//! shard stores them so that `mqsim merge` rebuilds the very same scenarios
//! on any machine, without the original files.

use std::path::{Path, PathBuf};

use anyhow::Result;
use mqsim::output::shard::ScenarioInputs;
use mqsim::scenario::{self, DataFiles, Scenario};

use crate::cli::ScenarioArgs;

/// The inputs, and where their data files come from.
pub struct Inputs {
    path: PathBuf,
    text: String,
    set: Vec<String>,
    seed: Option<u64>,
    replications: Option<u32>,
    vary: Vec<String>,
    files: DataFiles,
}

impl Inputs {
    /// Reads the scenario file named by `args`; data files come from the disk.
    pub fn read(args: &ScenarioArgs, vary: &[String]) -> Result<Inputs> {
        let path = args.file.clone();
        Ok(Inputs {
            text: scenario::read_text(&path)?,
            files: DataFiles::on_disk(path.parent().unwrap_or(Path::new("."))),
            path,
            set: args.set.clone(),
            seed: args.seed,
            replications: args.replications,
            vary: vary.to_vec(),
        })
    }

    /// Inputs stored by a shard; data files come from the stored copies.
    pub fn stored(inputs: ScenarioInputs) -> Inputs {
        let path = PathBuf::from(&inputs.path);
        Inputs {
            files: DataFiles::stored(path.parent().unwrap_or(Path::new(".")), inputs.files),
            path,
            text: inputs.text,
            set: inputs.set,
            seed: inputs.seed,
            replications: inputs.replications,
            vary: inputs.vary,
        }
    }

    /// The scenario file, as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `--vary` arguments.
    pub fn vary(&self) -> &[String] {
        &self.vary
    }

    /// The scenario with `--set`, then `point` overrides, `--seed` and
    /// `--replications` applied.
    pub fn load(&self, point: &[String]) -> Result<Scenario> {
        let mut set = self.set.clone();
        set.extend_from_slice(point);
        let mut sc = scenario::load_str_with(&self.text, &self.path, &set, &self.files)?;
        if let Some(seed) = self.seed {
            sc.seed = seed;
        }
        if let Some(r) = self.replications {
            sc.replications = r;
        }
        Ok(sc)
    }

    /// What a shard stores: everything given, and every data file read so far.
    pub fn to_stored(&self) -> ScenarioInputs {
        ScenarioInputs {
            path: self.path.to_string_lossy().into_owned(),
            text: self.text.clone(),
            set: self.set.clone(),
            seed: self.seed,
            replications: self.replications,
            vary: self.vary.clone(),
            files: self.files.read_so_far(),
        }
    }
}
