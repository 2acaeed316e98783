//! `mqsim compare`, pure: alternatives named on the command line
//! ([`alternatives`]), the headline metrics every run has ([`headline`]),
//! paired differences between alternatives ([`paired`]) and the resolved
//! keys in which two scenarios differ ([`differences`]). Running the
//! alternatives is the binary's; writing the results is
//! [`crate::output::compare`]'s.
//!
//! Contract: every alternative runs the same replication indices with the
//! same master seed, so replication *r* of every alternative draws its
//! arrivals, processing times, errors and crashes from the same streams
//! (`(seed, r, purpose)`, see [`crate::engine`]): common random numbers.
//! The difference of replication *r*, `B_r − A_r`, then leaves out most of
//! the noise both share, and the Student-t interval of the mean of these
//! differences is narrower than the one of two independent means. Two
//! identical alternatives give identical replications: a difference of
//! exactly 0 with an interval of width 0.

pub mod alternatives;
pub mod differences;
pub mod headline;
pub mod paired;

pub use alternatives::{AltArg, FileArg, MAX_ALTERNATIVES, MAX_LABEL_CHARS};
pub use headline::{AltValues, HEADLINE, MetricRow, headline_values, metric_rows};
pub use paired::{Paired, paired};
