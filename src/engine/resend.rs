//! Repeated sends: a producer that never sees the response to an accepted
//! send call (`lost_acks`, e.g. a timeout on the way back) sends the same
//! batch again after `retry.backoff`. A standard queue enqueues the copies:
//! each is processed a second time (`repeated`). A FIFO queue drops a
//! repeat within its 5-minute deduplication window (`deduplicated`) and
//! enqueues one that comes later, in the groups of the original.

use std::collections::VecDeque;

use rand::Rng;

use super::events::Event;
use super::rng::Stream;
use super::sim::{MAX_BATCH, Simulation};
use crate::scenario::QueueKind;

/// SQS FIFO's deduplication interval, µs.
pub const DEDUP_WINDOW: u64 = 5 * 60 * 1_000_000;

/// A send call whose response was lost, waiting to be sent again.
#[derive(Clone, Copy, Debug)]
struct Repeat {
    /// When the original call was accepted, µs.
    sent_at: u64,
    /// Its messages' groups (FIFO), the first `count` used.
    groups: [u32; MAX_BATCH],
    count: usize,
}

/// One producer's lost acknowledgements and the repeats they cause.
#[derive(Debug)]
pub(super) struct LostAcks {
    probability: f64,
    rng: Stream,
    /// Repeats in the order they are due (the backoff is constant).
    pending: VecDeque<Repeat>,
}

impl LostAcks {
    pub fn new(probability: f64, rng: Stream) -> Self {
        LostAcks {
            probability,
            rng,
            pending: VecDeque::new(),
        }
    }
}

impl Simulation<'_> {
    /// Producer `p`'s call carrying `groups` was accepted now; its response
    /// may be lost.
    pub(super) fn maybe_lose_ack(&mut self, p: usize, groups: &[u32]) {
        let Some(lost) = self.producers[p].lost_acks.as_mut() else {
            return;
        };
        if lost.rng.random::<f64>() >= lost.probability {
            return;
        }
        let mut repeat = Repeat {
            sent_at: self.now,
            groups: [0; MAX_BATCH],
            count: groups.len(),
        };
        repeat.groups[..groups.len()].copy_from_slice(groups);
        lost.pending.push_back(repeat);
        let at = self.now + self.sc.producers[p].retry.backoff.ticks().max(1);
        self.events
            .schedule(at, Event::Repeat { producer: p as u32 });
    }

    /// Producer `p` sends its oldest lost call again. If the queue is down
    /// the repeat fails and is not tried again (the original was stored).
    pub(super) fn on_repeat(&mut self, p: usize) {
        let Some(repeat) = self.producers[p]
            .lost_acks
            .as_mut()
            .and_then(|l| l.pending.pop_front())
        else {
            return;
        };
        if self.faults.queue_down() {
            return;
        }
        self.rec.counts.requests_send += 1;
        let n = repeat.count as u64;
        let fifo = self.sc.queue().kind == QueueKind::Fifo;
        if fifo && self.now - repeat.sent_at <= DEDUP_WINDOW {
            self.rec.counts.deduplicated += n;
            return;
        }
        self.rec.counts.repeated += n;
        for &group in &repeat.groups[..repeat.count] {
            self.enqueue_in(group);
        }
        self.serve_waiters();
    }
}
