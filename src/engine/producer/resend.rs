//! Repeated sends: a producer that never sees the response to an accepted
//! send call (`lost_acks`, e.g. a timeout on the way back) sends the same
//! batch again after `retry.backoff`. A standard queue enqueues the copies:
//! each is processed a second time (`repeated`). A FIFO queue drops a
//! repeat within its 5-minute deduplication window (`deduplicated`) and
//! enqueues one that comes later, in the groups of the original.

use std::collections::VecDeque;

use rand::Rng;

use super::{Inlet, Producer};
use crate::engine::events::Event;
use crate::engine::fleet::MAX_BATCH;
use crate::engine::rng::Stream;
use crate::engine::shared::Shared;

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
pub struct LostAcks {
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

impl Producer {
    /// The call carrying `groups` was accepted now; its response may be lost.
    pub(super) fn maybe_lose_ack(&mut self, groups: &[u32], sh: &mut Shared) {
        let Some(lost) = self.lost_acks.as_mut() else {
            return;
        };
        if lost.rng.random::<f64>() >= lost.probability {
            return;
        }
        let mut repeat = Repeat {
            sent_at: sh.now,
            groups: [0; MAX_BATCH],
            count: groups.len(),
        };
        repeat.groups[..groups.len()].copy_from_slice(groups);
        lost.pending.push_back(repeat);
        let at = sh.now + self.retry.backoff.ticks().max(1);
        let event = Event::Repeat {
            producer: self.index,
        };
        sh.events.schedule(at, event);
    }

    /// Sends the oldest lost call again. If the destination is down the
    /// repeat fails and is not tried again (the original was stored).
    pub fn on_repeat(&mut self, to: &mut impl Inlet, sh: &mut Shared) {
        let Some(repeat) = self.lost_acks.as_mut().and_then(|l| l.pending.pop_front()) else {
            return;
        };
        if to.down() {
            return;
        }
        to.counts().requests_send += 1;
        let n = repeat.count as u64;
        if to.fifo() && sh.now - repeat.sent_at <= DEDUP_WINDOW {
            to.counts().deduplicated += n;
            return;
        }
        to.counts().repeated += n;
        for &group in &repeat.groups[..repeat.count] {
            to.accept(sh, group);
        }
        to.flush(sh);
    }
}
