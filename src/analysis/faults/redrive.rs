//! The redrive in the outlook (networks only: the single form has no
//! dead-letter queue). A redrive moves the messages of the dead-letter
//! queue `from` to queue `to` at `rate` a second from `at`, until `from`
//! is empty or the window ends. The fluid model takes `from` to hold, at
//! `at`, its `initial_backlog` plus what the traffic equations say piles
//! up there (its arrival rate less its throughput: all of its arrivals
//! when, as usual, it has no consumers) times `at`; the move lasts
//! `min(duration, those messages / rate)`, and while it lasts `to`
//! receives `rate` a second more. Left out: messages dead-lettered during
//! the move, what earlier redrives from the same queue took, retention,
//! and the moved messages' onward traffic (emits, dead letters).

use mqsim::scenario::{Fault, FaultKind, Scenario};
use mqsim::traffic::Traffic;
use serde::Serialize;

/// What a redrive moves, and for how long.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Move {
    /// Messages moved.
    pub messages: f64,
    /// Seconds the move lasts, from the fault's `at`.
    pub seconds: f64,
}

/// Messages moved into a queue: `rate` a second over `[from, until)`
/// seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Inflow {
    from: f64,
    until: f64,
    rate: f64,
}

impl Inflow {
    /// Messages a second at `t` seconds.
    pub fn at(&self, t: f64) -> f64 {
        if self.from <= t && t < self.until {
            self.rate
        } else {
            0.0
        }
    }

    /// Messages in `[a, b)` seconds.
    pub fn within(&self, a: f64, b: f64) -> f64 {
        (b.min(self.until) - a.max(self.from)).max(0.0) * self.rate
    }
}

/// The move of fault `f` when it is a redrive, `t` the traffic of `sc`.
pub fn move_of(sc: &Scenario, t: &Traffic, f: &Fault) -> Option<Move> {
    let FaultKind::Redrive { from, rate, .. } = &f.kind else {
        return None;
    };
    let q = from.queue_index();
    let piling = t
        .queues
        .get(q)
        .map_or(0.0, |q| (q.arrival_rate - q.throughput).max(0.0));
    let held = sc.queues[q].queue.initial_backlog as f64 + piling * f.at.as_secs_f64();
    let seconds = f.duration.as_secs_f64().min(held / rate);
    Some(Move {
        messages: rate * seconds,
        seconds,
    })
}

/// The redrives into queue `index` of `sc`, each over its move.
pub fn inflows(sc: &Scenario, t: &Traffic, index: usize) -> Vec<Inflow> {
    sc.faults
        .iter()
        .filter_map(|f| match &f.kind {
            FaultKind::Redrive { to, rate, .. } if to.queue_index() == index => {
                let m = move_of(sc, t, f)?;
                let from = f.at.as_secs_f64();
                Some(Inflow {
                    from,
                    until: from + m.seconds,
                    rate: *rate,
                })
            }
            _ => None,
        })
        .collect()
}
