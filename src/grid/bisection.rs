//! The search of `mqsim plan`: the smallest value of one setting (values in
//! increasing order) for which every SLO holds. Bisection, assuming more of
//! the setting never hurts (monotone): it tries the largest value first,
//! then halves the gap between the largest known failure and the smallest
//! known pass. When it stops, the neighbour below the answer has been run
//! and failed (or there is no neighbour): the answer is confirmed, not
//! extrapolated. About log₂(n) + 1 runs instead of n.
//!
//! When the largest value fails, more of the setting may hurt past some
//! point (consumers contending for a shared database): the search then
//! tries the other values from the smallest up and stops at the first that
//! passes, so a pass between failures is found (n runs at most).

use std::collections::BTreeMap;

/// Bisection state over `n` candidate values (indices `0..n`).
#[derive(Clone, Debug)]
pub struct Plan {
    n: usize,
    tried: BTreeMap<usize, bool>,
}

impl Plan {
    /// A search over `n` values.
    pub fn new(n: usize) -> Self {
        Plan {
            n,
            tried: BTreeMap::new(),
        }
    }

    /// Records the verdict of value `i`.
    pub fn record(&mut self, i: usize, pass: bool) {
        self.tried.insert(i, pass);
    }

    /// The next value to run, or `None` when the search is over.
    pub fn next(&self) -> Option<usize> {
        if self.n == 0 {
            return None;
        }
        let top = self.n - 1;
        match self.tried.get(&top) {
            None => return Some(top),
            Some(false) => return self.scan(),
            Some(true) => {}
        }
        let (fail, pass) = self.bracket();
        let below = fail.map_or(0, |f| f + 1);
        (below < pass).then_some((below + pass) / 2)
    }

    /// The next value of the scan from below (the largest failed), until
    /// one passes.
    fn scan(&self) -> Option<usize> {
        if self.tried.values().any(|pass| *pass) {
            return None;
        }
        (0..self.n - 1).find(|i| !self.tried.contains_key(i))
    }

    /// Whether the values failed again above the answer: more of the
    /// setting hurt (found by the scan after the largest value failed).
    pub fn fails_above(&self, answer: usize) -> bool {
        self.tried.range(answer + 1..).any(|(_, pass)| !*pass)
    }

    /// The smallest passing value once the search is over.
    pub fn answer(&self) -> Option<usize> {
        if self.next().is_some() {
            return None;
        }
        self.tried.iter().find(|(_, pass)| **pass).map(|(i, _)| *i)
    }

    /// (largest failure below the smallest pass, smallest pass).
    fn bracket(&self) -> (Option<usize>, usize) {
        let pass = self
            .tried
            .iter()
            .find(|(_, p)| **p)
            .map_or(self.n - 1, |(i, _)| *i);
        let fail = self
            .tried
            .range(..pass)
            .rev()
            .find(|(_, p)| !**p)
            .map(|(i, _)| *i);
        (fail, pass)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the search against a threshold: values >= `first_pass` pass.
    fn search(n: usize, first_pass: usize) -> (Option<usize>, Vec<usize>) {
        let mut plan = Plan::new(n);
        let mut order = vec![];
        while let Some(i) = plan.next() {
            assert!(!order.contains(&i), "value {i} run twice");
            order.push(i);
            plan.record(i, i >= first_pass);
        }
        (plan.answer(), order)
    }

    #[test]
    fn finds_the_threshold_with_few_runs_and_confirms_the_neighbour() {
        for n in 1..40 {
            for t in 0..n {
                let (answer, order) = search(n, t);
                assert_eq!(answer, Some(t), "n {n} threshold {t}");
                if t > 0 {
                    assert!(order.contains(&(t - 1)), "neighbour below not run");
                }
                let bound = (n as f64).log2().ceil() as usize + 2;
                assert!(order.len() <= bound, "n {n}: {} runs", order.len());
            }
        }
    }

    #[test]
    fn nothing_passes_after_every_run_when_all_fail() {
        let (answer, order) = search(10, 10);
        assert_eq!(answer, None);
        assert_eq!(order, vec![9, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
    }

    #[test]
    fn a_pass_between_failures_is_found_from_below() {
        // Values 3..=5 pass; more than that hurts again.
        let mut plan = Plan::new(10);
        let mut order = vec![];
        while let Some(i) = plan.next() {
            order.push(i);
            plan.record(i, (3..=5).contains(&i));
        }
        assert_eq!(plan.answer(), Some(3));
        assert_eq!(order, vec![9, 0, 1, 2, 3]);
        assert!(plan.fails_above(3));
    }
}
