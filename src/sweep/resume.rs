//! A sweep that survives interruption. Every finished point is recorded
//! at once under `<out>/.resume/` (its replications' results, tied to the
//! SHA-256 of the point's scenario) and its `points/<label>/summary.json`
//! written; `--resume` reads the records back instead of running those
//! points again, so a resumed sweep writes exactly the files of one that
//! was never interrupted. The records are removed when the sweep completes.

use std::path::Path;

use anyhow::{Context, Result};

use super::present::write_point;
use super::runner::Runner;
use crate::execution::guard::Guard;
use mqsim::engine::StopReason;
use mqsim::grid::Point;
use mqsim::output::shard::{read_point_record, write_point_record};
use mqsim::output::summary::scenario_sha256;
use mqsim::output::{self, RunSummary};
use mqsim::scenario::Scenario;

/// Where finished points are recorded, under the sweep's output directory.
pub const RESUME_DIR: &str = ".resume";

/// A sweep's points and where they are recorded.
pub struct Resumable<'a> {
    /// The sweep's output directory.
    pub dir: &'a Path,
    /// The grid's points.
    pub points: &'a [Point],
    /// Each point's scenario.
    pub scenarios: &'a [Scenario],
}

impl Resumable<'_> {
    /// Every point's summary, or why the sweep stopped before it finished
    /// (the finished points are kept for `--resume`). With `resume`, points
    /// recorded by an earlier run of the same scenario are not run again.
    pub fn run(
        &self,
        runner: &Runner,
        guard: &Guard,
        resume: bool,
        quiet: bool,
    ) -> Result<Result<Vec<RunSummary>, StopReason>> {
        let state = self.dir.join(RESUME_DIR);
        let shas: Vec<String> = self.scenarios.iter().map(scenario_sha256).collect();
        let mut summaries: Vec<Option<RunSummary>> = vec![None; self.points.len()];
        if resume {
            self.read_back(&state, &shas, &mut summaries)?;
            let kept = summaries.iter().filter(|s| s.is_some()).count();
            if !quiet {
                eprintln!(
                    "resuming: {kept} of {} points finished earlier in {}",
                    self.points.len(),
                    self.dir.display()
                );
            }
        } else if state.exists() {
            std::fs::remove_dir_all(&state)
                .with_context(|| format!("removing {}", state.display()))?;
        }
        let todo: Vec<usize> = (0..self.points.len())
            .filter(|&p| summaries[p].is_none())
            .collect();
        runner.run_points(self.scenarios, &todo, guard, |p, results| {
            write_point_record(&state.join(record_name(p)), &shas[p], &results)?;
            let summary = output::aggregate(&self.scenarios[p], &results);
            write_point(self.dir, p, &self.points[p], &summary)?;
            summaries[p] = Some(summary);
            Ok(())
        })?;
        let finished = summaries.iter().filter(|s| s.is_some()).count();
        if finished < summaries.len() {
            let reason = guard.reason().unwrap_or(StopReason::Interrupted);
            runner.finish();
            eprintln!(
                "error: sweep stopped ({}): {finished} of {} points finished, kept in {}; run the same \
                 command with --resume to continue",
                Guard::words(reason),
                summaries.len(),
                self.dir.display()
            );
            return Ok(Err(reason));
        }
        if state.exists() {
            std::fs::remove_dir_all(&state)
                .with_context(|| format!("removing {}", state.display()))?;
        }
        Ok(Ok(summaries.into_iter().flatten().collect()))
    }

    /// Summaries of the points recorded for these very scenarios.
    fn read_back(
        &self,
        state: &Path,
        shas: &[String],
        summaries: &mut [Option<RunSummary>],
    ) -> Result<()> {
        for (p, summary) in summaries.iter_mut().enumerate() {
            let path = state.join(record_name(p));
            if !path.exists() {
                continue;
            }
            if let Some(results) = read_point_record(&path, &shas[p])? {
                *summary = Some(output::aggregate(&self.scenarios[p], &results));
            }
        }
        Ok(())
    }
}

fn record_name(point: usize) -> String {
    format!("{point:05}.bin")
}
