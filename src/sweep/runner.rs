//! Runs sweep points' replications across threads, a group of points at a
//! time so every thread has work, under the command's resource guards,
//! with a progress bar. A finished point is handed over at once (and its
//! results dropped), so memory does not grow with the size of a sweep.

use std::io::IsTerminal;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::execution::guard::Guard;
use mqsim::engine::{self, Limits, result::ReplicationResult};
use mqsim::scenario::Scenario;

/// The worker pool, the guards and the progress bar of one command.
pub struct Runner {
    /// Worker threads (charts are drawn in it too).
    pub pool: rayon::ThreadPool,
    threads: usize,
    limits: Limits,
    bar: ProgressBar,
}

impl Runner {
    /// A runner of `threads` workers; replications run under `limits`.
    pub fn new(threads: usize, quiet: bool, limits: Limits) -> Result<Self> {
        let pool = crate::execution::worker_pool(threads)?;
        let bar = if quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            let bar = ProgressBar::new(0);
            let style = ProgressStyle::with_template(
                "{elapsed_precise} [{bar:40}] {pos}/{len} runs, {eta} left",
            )
            .expect("static template")
            .progress_chars("=> ");
            bar.set_style(style);
            bar
        };
        Ok(Runner {
            pool,
            threads,
            limits,
            bar,
        })
    }

    /// Runs the points `todo` (indexes into `scenarios`, in order) and hands
    /// each finished point's results, in replication order, to `finished`.
    /// After a stop request, no further group starts, and points of the
    /// group that was running whose replications were cut short are not
    /// handed over: they did not finish.
    pub fn run_points(
        &self,
        scenarios: &[Scenario],
        todo: &[usize],
        guard: &Guard,
        mut finished: impl FnMut(usize, Vec<ReplicationResult>) -> Result<()>,
    ) -> Result<()> {
        let runs: u64 = todo
            .iter()
            .map(|&p| u64::from(scenarios[p].replications))
            .sum();
        self.bar.inc_length(runs);
        let mut start = 0;
        while start < todo.len() && guard.reason().is_none() {
            let end = self.group_end(scenarios, todo, start);
            let group = &todo[start..end];
            let jobs: Vec<(usize, u32)> = group
                .iter()
                .flat_map(|&p| (0..scenarios[p].replications).map(move |r| (p, r)))
                .collect();
            let results: Vec<(usize, ReplicationResult)> = self.pool.install(|| {
                jobs.par_iter()
                    .map(|&(p, r)| {
                        let result =
                            engine::run_replication_within(&scenarios[p], r, self.limits.clone());
                        self.bar.inc(1);
                        (p, result)
                    })
                    .collect()
            });
            let stopped = guard.reason().is_some();
            let mut results = results.into_iter().peekable();
            for &p in group {
                let mine: Vec<ReplicationResult> =
                    std::iter::from_fn(|| results.next_if(|(q, _)| *q == p).map(|(_, r)| r))
                        .collect();
                if !(stopped && mine.iter().any(|r| r.stopped.is_some())) {
                    finished(p, mine)?;
                }
            }
            start = end;
        }
        Ok(())
    }

    /// The end of the group of points from `todo[start]`: enough
    /// replications to keep every thread busy twice over.
    fn group_end(&self, scenarios: &[Scenario], todo: &[usize], start: usize) -> usize {
        let mut end = start;
        let mut runs = 0;
        while end < todo.len() && runs < 2 * self.threads as u32 {
            runs += scenarios[todo[end]].replications;
            end += 1;
        }
        end
    }

    /// One point's replications across threads, in replication order.
    pub fn run_point(&self, sc: &Scenario) -> Vec<ReplicationResult> {
        self.bar.inc_length(u64::from(sc.replications));
        self.pool.install(|| {
            (0..sc.replications)
                .into_par_iter()
                .map(|r| {
                    let result = engine::run_replication_within(sc, r, self.limits.clone());
                    self.bar.inc(1);
                    result
                })
                .collect()
        })
    }

    /// Clears the progress bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
