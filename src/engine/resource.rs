//! A shared resource (`[resources.NAME]`): a pool of `capacity` slots
//! (database connections, an API's concurrency) that consumers of any fleet
//! acquire, first come first served, and hold for a while.
//!
//! Rules (docs/model.md#resources):
//! - an acquire is granted at once when a slot is free and nobody waits;
//!   otherwise the consumer joins the line, holding its message (whose
//!   visibility timer runs) and its consumer slot;
//! - a release hands the slot to the first in line, at the same instant;
//! - a hold's time is its draw times the contention factor for the holders
//!   at its start, the new one included (USL: `1 + sigma (n - 1) +
//!   kappa n (n - 1)`), times the slowdowns active at its start;
//! - during an outage an acquire fails at once (`mode = "fail"`), or joins
//!   the line and is served only after the outage (`mode = "hang"`);
//!   holds under way finish;
//! - a consumer in line longer than `acquire_timeout` gives up (a timeout;
//!   its processing fails), as does one that goes down meanwhile (not a
//!   timeout).
//!
//! The resource only keeps its books and its line; telling a consumer that
//! its turn came is the network's job (an event for the consumer's fleet).

use std::collections::VecDeque;

use super::hdr_counts::HdrCounts;
use super::recorder::{TimeWeighted, quantile_secs};
use super::result::{ResourceMetrics, ResourceResult, ResourceSample};
use crate::scenario::{Contention, ResourceNode};

/// A consumer in line for a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Waiter {
    /// Its fleet.
    pub fleet: u16,
    /// The consumer, in its fleet.
    pub consumer: u32,
    /// Which of the consumer's acquires (a later one makes this one stale).
    pub ticket: u32,
    /// When it joined the line, µs.
    pub since: u64,
}

/// The answer to an acquire.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Acquire {
    /// Granted: the hold takes its draw times this factor.
    Granted(f64),
    /// In line: a grant (or a timeout) comes later.
    Queued,
    /// Refused at once (an outage): the processing fails.
    Failed,
}

/// One shared resource of a replication.
pub struct Resource {
    capacity: u32,
    contention: Contention,
    /// `acquire_timeout` in ticks, if any.
    pub timeout: Option<u64>,
    line: VecDeque<Waiter>,
    holders: TimeWeighted,
    waiting: TimeWeighted,
    /// Reasons it is down (overlapping outages); up at 0.
    down: u8,
    /// Whether acquires during the outage hang (rather than fail).
    hangs: bool,
    /// Product of the active slowdown factors.
    pub slowdown: f64,
    warmup: u64,
    wait: HdrCounts,
    wait_sum: f64,
    acquired: u64,
    timeouts: u64,
    hold_sum: f64,
    holds: u64,
    samples: Vec<ResourceSample>,
}

impl Resource {
    /// A resource with settings `cfg` whose statistics start at `warmup` (µs).
    pub fn new(cfg: &ResourceNode, warmup: u64) -> Self {
        Resource {
            capacity: cfg.capacity,
            contention: cfg.contention,
            timeout: cfg.acquire_timeout.map(|t| t.ticks()),
            line: VecDeque::new(),
            holders: TimeWeighted::starting_at(warmup),
            waiting: TimeWeighted::starting_at(warmup),
            down: 0,
            hangs: false,
            slowdown: 1.0,
            warmup,
            wait: HdrCounts::default(),
            wait_sum: 0.0,
            acquired: 0,
            timeouts: 0,
            hold_sum: 0.0,
            holds: 0,
            samples: Vec::new(),
        }
    }

    fn free(&self) -> bool {
        self.down == 0 && (self.holders.value as u32) < self.capacity
    }

    /// Consumer `who` asks for a slot at `now`.
    pub fn acquire(&mut self, now: u64, who: Waiter) -> Acquire {
        if self.down > 0 && !self.hangs {
            self.timeouts += 1;
            return Acquire::Failed;
        }
        if self.free() && self.line.is_empty() {
            return Acquire::Granted(self.grant(now, now));
        }
        self.line.push_back(who);
        self.waiting.set(now, self.line.len() as u64);
        Acquire::Queued
    }

    /// A slot goes to a consumer that asked at `since`; returns its hold factor.
    fn grant(&mut self, now: u64, since: u64) -> f64 {
        let n = self.holders.value + 1;
        self.holders.set(now, n);
        self.acquired += 1;
        if since >= self.warmup {
            self.wait_sum += (now - since) as f64;
            self.wait.record(now - since);
        }
        self.contention.factor(n as u32) * self.slowdown
    }

    /// A hold that took `ticks` ended at `now`; returns the consumers
    /// whose turn came, with their hold factors (at most one, unless an
    /// outage just ended).
    pub fn release(&mut self, now: u64, ticks: u64, granted: &mut Vec<(Waiter, f64)>) {
        self.holders.set(now, self.holders.value - 1);
        self.hold_sum += ticks as f64;
        self.holds += 1;
        self.serve_line(now, granted);
    }

    /// Gives free slots to the line, first come first served.
    fn serve_line(&mut self, now: u64, granted: &mut Vec<(Waiter, f64)>) {
        while self.free() {
            let Some(w) = self.line.pop_front() else {
                break;
            };
            let factor = self.grant(now, w.since);
            granted.push((w, factor));
        }
        self.waiting.set(now, self.line.len() as u64);
    }

    /// Removes `who`'s acquire (its fleet, consumer and ticket) from the
    /// line (it timed out, or went down); true if it was there. A timeout
    /// counts in `timeouts`.
    pub fn leave_line(&mut self, now: u64, who: Waiter, timed_out: bool) -> bool {
        let same =
            |w: &Waiter| (w.fleet, w.consumer, w.ticket) == (who.fleet, who.consumer, who.ticket);
        let Some(i) = self.line.iter().position(same) else {
            return false;
        };
        self.line.remove(i);
        self.waiting.set(now, self.line.len() as u64);
        self.timeouts += u64::from(timed_out);
        true
    }

    /// Gives up a slot without a finished hold (its holder went down).
    pub fn abandon(&mut self, now: u64, granted: &mut Vec<(Waiter, f64)>) {
        self.holders.set(now, self.holders.value - 1);
        self.serve_line(now, granted);
    }

    /// An outage starts (`on`) or ends; acquires hang during it when `hang`.
    pub fn outage(&mut self, now: u64, on: bool, hang: bool, granted: &mut Vec<(Waiter, f64)>) {
        if on {
            self.down += 1;
            self.hangs = hang;
        } else {
            self.down -= 1;
            if self.down == 0 {
                self.serve_line(now, granted);
            }
        }
    }

    /// Appends the levels at a sample instant.
    pub fn sample(&mut self, time: f64) {
        self.samples.push(ResourceSample {
            time,
            holders: self.holders.value as f64,
            waiters: self.line.len() as f64,
        });
    }

    /// The resource's result at `end`.
    pub fn finish(&mut self, name: &str, end: u64) -> ResourceResult {
        let wait = self.wait.to_histogram();
        let per = |sum: f64, n: u64| if n == 0 { 0.0 } else { sum / n as f64 / 1e6 };
        let metrics = ResourceMetrics {
            utilization: self.holders.mean(end) / f64::from(self.capacity),
            wait_mean: per(self.wait_sum, self.wait.len()),
            wait_p99: quantile_secs(&wait, 0.99),
            timeouts: self.timeouts as f64,
            holders_max: self.holders.max as f64,
            acquired: self.acquired as f64,
            waiters_max: self.waiting.max as f64,
            waiters_mean: self.waiting.mean(end),
            hold_mean: per(self.hold_sum, self.holds),
        };
        ResourceResult {
            name: name.to_owned(),
            metrics,
            wait,
            timeseries: std::mem::take(&mut self.samples),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SimTime;

    fn pool(capacity: u32) -> Resource {
        let cfg = ResourceNode {
            name: "db".into(),
            capacity,
            acquire_timeout: Some(SimTime::from_secs(1)),
            contention: Contention::Usl {
                sigma: 0.1,
                kappa: 0.01,
            },
        };
        Resource::new(&cfg, 0)
    }

    fn who(consumer: u32) -> Waiter {
        Waiter {
            fleet: 0,
            consumer,
            ticket: 1,
            since: 0,
        }
    }

    #[test]
    fn grants_up_to_capacity_then_lines_up_first_come_first_served() {
        let mut r = pool(2);
        assert_eq!(r.acquire(0, who(0)), Acquire::Granted(1.0));
        let second = 1.0 + 0.1 + 0.01 * 2.0;
        assert_eq!(r.acquire(0, who(1)), Acquire::Granted(second));
        assert_eq!(r.acquire(5, who(2)), Acquire::Queued);
        assert_eq!(r.acquire(6, who(3)), Acquire::Queued);
        let mut granted = Vec::new();
        r.release(10, 10, &mut granted);
        assert_eq!(granted, [(who(2), second)]);
        assert!(r.leave_line(11, who(3), true));
        assert!(!r.leave_line(11, who(3), true));
        let res = r.finish("db", 20);
        assert_eq!(res.metrics.timeouts, 1.0);
        assert_eq!(res.metrics.holders_max, 2.0);
        assert_eq!(res.metrics.acquired, 3.0);
        assert_eq!(res.metrics.waiters_max, 2.0);
        // Waits 0, 0 and 10 - 0 µs (the waiter asked at 0).
        assert!((res.metrics.wait_mean - 10.0 / 3.0 / 1e6).abs() < 1e-15);
    }

    #[test]
    fn an_outage_fails_or_holds_the_line_until_it_ends() {
        let mut r = pool(1);
        let mut granted = Vec::new();
        r.outage(0, true, false, &mut granted);
        assert_eq!(r.acquire(1, who(0)), Acquire::Failed);
        r.outage(2, false, false, &mut granted);
        r.outage(3, true, true, &mut granted);
        assert_eq!(r.acquire(4, who(1)), Acquire::Queued);
        r.outage(9, false, true, &mut granted);
        assert_eq!(granted, [(who(1), 1.0)]);
        assert_eq!(r.finish("db", 10).metrics.timeouts, 1.0);
    }
}
