//! Random streams.
//!
//! Every replication has its own seed, a pure function of the master seed and
//! the replication index, and every purpose (each producer's arrivals,
//! processing times, processing errors, crashes, restarts, duplicate
//! deliveries) its own generator seeded from the
//! replication seed and a fixed purpose number. Adding a consumer or a
//! producer therefore does not shift the draws of another purpose, and
//! replication *k* can be re-run alone. The generator is `Pcg64Mcg`, a named
//! algorithm whose output rand_pcg keeps stable.

use rand::SeedableRng;
use rand_pcg::Pcg64Mcg;

/// The generator every stream uses.
pub type Stream = Pcg64Mcg;

/// Purpose numbers: fixed forever, since they define the streams.
#[derive(Clone, Copy, Debug)]
pub enum Purpose {
    /// Processing times.
    Processing,
    /// Processing errors and poison flags.
    Errors,
    /// Consumer crash times.
    Crashes,
    /// Consumer restart times.
    Restarts,
    /// Spontaneous duplicate deliveries.
    Duplicates,
    /// A fleet's resource hold times (`uses`).
    Holds,
    /// A fleet's backoff jitter (`on_error`).
    Jitter,
    /// A fleet's idempotency lookups.
    Lookups,
    /// Arrivals of producer `i` (purpose number `1000 + i`).
    Arrivals(u32),
    /// FIFO message groups of producer `i`'s messages (`2000 + i`).
    Groups(u32),
    /// Lost send acknowledgements of producer `i` (`3000 + i`).
    Resends(u32),
    /// Burst state changes of producer `i` (`4000 + i`).
    Bursts(u32),
    /// Purpose number `n` of fleet or queue `k` >= 1 (`100_000 k + n`);
    /// the first fleet and queue use the plain numbers.
    Component(u16, u64),
}

/// `purpose` for fleet (or queue) `index`.
pub fn for_fleet(purpose: Purpose, index: u16) -> Purpose {
    if index == 0 {
        purpose
    } else {
        Purpose::Component(index, purpose.number())
    }
}

impl Purpose {
    fn number(self) -> u64 {
        match self {
            Purpose::Processing => 1,
            Purpose::Errors => 2,
            Purpose::Crashes => 3,
            Purpose::Restarts => 4,
            Purpose::Duplicates => 5,
            Purpose::Holds => 6,
            Purpose::Jitter => 7,
            Purpose::Lookups => 8,
            Purpose::Arrivals(i) => 1000 + u64::from(i),
            Purpose::Groups(i) => 2000 + u64::from(i),
            Purpose::Resends(i) => 3000 + u64::from(i),
            Purpose::Bursts(i) => 4000 + u64::from(i),
            Purpose::Component(k, n) => 100_000 * u64::from(k) + n,
        }
    }
}

/// SplitMix64 finaliser: a bijective 64-bit mixer.
pub(crate) fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of replication `index` under master seed `master`.
pub fn replication_seed(master: u64, index: u32) -> u64 {
    splitmix64(splitmix64(master) ^ splitmix64(u64::from(index).wrapping_add(0x5851_F42D)))
}

/// The generator for one purpose within a replication.
pub fn stream(replication_seed: u64, purpose: Purpose) -> Stream {
    Stream::seed_from_u64(splitmix64(replication_seed ^ splitmix64(purpose.number())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn seeds_are_distinct_and_stable() {
        let a = replication_seed(42, 0);
        assert_eq!(a, replication_seed(42, 0));
        assert_ne!(a, replication_seed(42, 1));
        assert_ne!(a, replication_seed(43, 0));
        let x: u64 = stream(a, Purpose::Processing).random();
        let y: u64 = stream(a, Purpose::Errors).random();
        assert_ne!(x, y);
    }
}
