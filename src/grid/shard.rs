//! `--shard K/N`: which (point × replication) items shard K of N runs.
//!
//! Items are numbered point by point, replication by replication (point 0's
//! replications first), and shard K takes every N-th item starting at the
//! K-th. Dealing items round-robin rather than in blocks spreads the costly
//! points of a sweep (an overloaded consumer count, say) over every shard.
//! Shards are numbered from 1, so `K/N` reads "shard K of N".

use std::fmt;
use std::str::FromStr;

use crate::output::shard::Item;

/// One shard of a run or sweep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This shard, 1 ..= `count`.
    pub index: u32,
    /// Number of shards.
    pub count: u32,
}

impl Shard {
    /// This shard's items, in order, of points with these replication counts.
    pub fn items(&self, replications: &[u32]) -> Vec<Item> {
        let (index, count) = (u64::from(self.index - 1), u64::from(self.count));
        all_items(replications)
            .enumerate()
            .filter(|(i, _)| *i as u64 % count == index)
            .map(|(_, item)| item)
            .collect()
    }
}

/// Every item of points with these replication counts, in order.
pub fn all_items(replications: &[u32]) -> impl Iterator<Item = Item> + '_ {
    replications.iter().enumerate().flat_map(|(p, &r)| {
        (0..r).map(move |replication| Item {
            point: p as u32,
            replication,
        })
    })
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let usage = "expected K/N with 1 <= K <= N, e.g. --shard 3/8 (shards are numbered from 1; \
                     with a 0-based index such as Kubernetes' JOB_COMPLETION_INDEX, give $((INDEX + 1))/N)";
        let (k, n) = text.split_once('/').ok_or_else(|| usage.to_owned())?;
        let k: u32 = k.trim().parse().map_err(|_| usage.to_owned())?;
        let n: u32 = n.trim().parse().map_err(|_| usage.to_owned())?;
        if k == 0 || n == 0 || k > n {
            return Err(format!("{text}: {usage}"));
        }
        Ok(Shard { index: k, count: n })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_items_round_robin() {
        let replications = [3, 2, 4];
        let n = 4;
        let mut seen: Vec<Item> = (1..=n)
            .flat_map(|k| Shard { index: k, count: n }.items(&replications))
            .collect();
        let first = Shard { index: 1, count: n }.items(&replications);
        assert_eq!(
            first,
            [
                Item {
                    point: 0,
                    replication: 0
                },
                Item {
                    point: 1,
                    replication: 1
                },
                Item {
                    point: 2,
                    replication: 3
                },
            ]
        );
        seen.sort();
        assert_eq!(seen, all_items(&replications).collect::<Vec<_>>());
    }

    #[test]
    fn more_shards_than_items_leaves_some_empty() {
        assert!(Shard { index: 5, count: 5 }.items(&[3]).is_empty());
    }

    #[test]
    fn parses_k_of_n_from_one() {
        assert_eq!("2/8".parse(), Ok(Shard { index: 2, count: 8 }));
        for bad in ["0/8", "9/8", "1/0", "x/2", "3", "1/2/3", ""] {
            let err = bad.parse::<Shard>().unwrap_err();
            assert!(err.contains("K/N"), "{bad}: {err}");
        }
    }
}
