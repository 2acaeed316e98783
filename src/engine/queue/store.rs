//! The queue's message store: where every message is and in which order
//! visible messages are handed out.
//!
//! A message that has been sent and never received (the bulk of any
//! backlog) is *cold*: 8 bytes in the visible order, its send time and
//! poison flag, and no record. It gets a record when it is first received
//! or, with a delivery delay, when it is sent. So a backlog of 100 million
//! messages takes 0.8 GB, not the 7 GB that a record and index entries each
//! would (issue 6).
//!
//! Records live in a slab (`Vec<Message>` plus a free list), addressed by a
//! [`Handle`] = slot + generation; a freed slot bumps its generation, so any
//! timer or index entry that still names the old message is recognised as
//! stale. A message that is gone (deleted, dead-lettered, expired) keeps its
//! slot while consumers still hold it (`holders > 0`), so a late completion
//! can still tell whether it was the first.
//!
//! Visible order (standard queue, "oldest first, best effort"): each visible
//! message has a position key. A new message's key is its send time (`cold`,
//! a FIFO). A message that becomes visible at the tail (after its delivery
//! delay, or returned after 3 or more receives: SQS moves such messages to
//! the back) gets the current time (`fresh`, a FIFO of records whose keys
//! never decrease). A message whose visibility timeout ran out goes back to
//! its old place (key = the time it first became visible) through the
//! `returned` heap. `pop_visible` takes the smallest key of the three; equal
//! keys go cold, then fresh, then returned (a returned message with the key
//! of a cold one was sent in the same instant, and moved behind it).
//!
//! The age index lists messages with records in send order (lazily pruned
//! and compacted); with the cold FIFO it gives the oldest live message for
//! retention expiry and `oldest_age`. Records are made in send order
//! (delayed messages at their send, cold ones in FIFO order), which keeps
//! the index sorted.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use super::fifo::{FifoGroups, FifoStats};
use crate::engine::shared::Lineage;

/// A reference to a message: slab slot and generation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Handle {
    slot: u32,
    generation: u32,
}

impl Handle {
    /// The handle of `slot` at `generation` (for tests of other indexes).
    #[cfg(test)]
    pub fn new(slot: u32, generation: u32) -> Self {
        Handle { slot, generation }
    }

    /// The slab slot, for indexes kept beside the slab.
    pub fn slot(self) -> u32 {
        self.slot
    }

    /// The slot's generation: with the slot, an identity of the message.
    pub fn generation(self) -> u32 {
        self.generation
    }
}

/// Where a message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Sent, waiting out the delivery delay.
    Delayed,
    /// Can be received.
    Visible,
    /// Received, invisible until its deadline.
    InFlight,
    /// Deleted, dead-lettered or expired; the slot stays while consumers hold it.
    Gone,
    /// Unused slot.
    Free,
}

/// One message: 40 bytes (checked by a test).
#[derive(Clone, Copy, Debug)]
pub struct Message {
    /// When the queue accepted it, µs.
    pub sent_at: u64,
    /// Visibility deadline while in flight, µs.
    pub deadline: u64,
    /// Time of the latest receive, µs (the 12 h extension cap counts from it).
    pub received_at: u64,
    generation: u32,
    /// Receive count; the latest receipt handle is this number.
    pub receives: u32,
    /// Consumers currently processing it.
    pub holders: u32,
    /// Lifecycle state.
    pub state: State,
    /// Every processing of it fails.
    pub poison: bool,
    /// A processing of it has completed.
    pub completed: bool,
    /// Why it was last made visible again after a completed or ongoing
    /// processing: what a later duplicate processing is blamed on.
    pub cause: Redelivery,
}

/// Why a message that was (being) processed could be delivered again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Redelivery {
    /// Nothing yet.
    None,
    /// Its visibility timeout ran out while a consumer held it.
    VisibilityExpired,
    /// Its consumer crashed after processing it, before the delete took effect.
    CrashBeforeDelete,
    /// The delete failed during a queue outage.
    DeleteFailed,
    /// The queue delivered it to a second receiver on its own
    /// (`duplicate_delivery`).
    Spontaneous,
}

/// A returned message at its old place; `seq` orders equal keys by return.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Positioned {
    key: u64,
    seq: u64,
    msg: Handle,
}

/// A message visible at the tail since `key`.
#[derive(Clone, Copy, Debug)]
struct AtTail {
    key: u64,
    msg: Handle,
}

/// A never-received message: its send time, the top bit its poison flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cold(u64);

impl Cold {
    const POISON: u64 = 1 << 63;

    fn new(sent_at: u64, poison: bool) -> Self {
        debug_assert!(sent_at < Self::POISON);
        Cold(sent_at | if poison { Self::POISON } else { 0 })
    }

    fn sent_at(self) -> u64 {
        self.0 & !Self::POISON
    }

    fn poison(self) -> bool {
        self.0 & Self::POISON != 0
    }
}

/// Which part of the visible order holds the next message.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Cold,
    Fresh,
    Returned,
}

/// The oldest live message: a record, or the front of the cold FIFO.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Oldest {
    /// A message with a record.
    Record(Handle),
    /// The oldest never-received message (no record).
    Cold,
}

/// Message store and visible order; see the module docs.
#[derive(Debug, Default)]
pub struct QueueStore {
    slab: Vec<Message>,
    free: Vec<u32>,
    by_age: VecDeque<Handle>,
    cold: VecDeque<Cold>,
    fresh: VecDeque<AtTail>,
    returned: BinaryHeap<Reverse<Positioned>>,
    seq: u64,
    live: u64,
    /// A FIFO queue's groups; they replace the visible order above.
    fifo: Option<FifoGroups>,
    /// Lineages of messages from other queues, if any arrive.
    lineages: Option<Lineages>,
}

/// The lineage of each message, for a queue fed by other queues: one per
/// cold message (beside the cold FIFO) and one per slot. A queue fed only
/// by producers needs none: a message's lineage is its send time.
#[derive(Debug, Default)]
struct Lineages {
    cold: VecDeque<Lineage>,
    slots: Vec<Lineage>,
}

impl QueueStore {
    /// An empty standard queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty FIFO queue with `groups` message groups.
    pub fn fifo(groups: u32) -> Self {
        QueueStore {
            fifo: Some(FifoGroups::new(groups)),
            ..Self::default()
        }
    }

    /// FIFO message groups (0 for a standard queue).
    pub fn groups(&self) -> u32 {
        self.fifo.as_ref().map_or(0, FifoGroups::len)
    }

    /// Keeps each message's lineage (a queue that other queues send to).
    pub fn track_lineage(&mut self) {
        self.lineages = Some(Lineages::default());
    }

    /// The lineage of `h`.
    pub fn lineage(&self, h: Handle) -> Lineage {
        match &self.lineages {
            Some(l) => l.slots[h.slot as usize],
            None => Lineage::root(self.slab[h.slot as usize].sent_at),
        }
    }

    fn set_lineage(&mut self, slot: u32, lineage: Lineage) {
        if let Some(l) = &mut self.lineages {
            let slot = slot as usize;
            if l.slots.len() <= slot {
                l.slots.resize(slot + 1, lineage);
            }
            l.slots[slot] = lineage;
        }
    }

    /// The FIFO queue's blocking and order statistics at `end`.
    pub fn fifo_stats(&self, end: u64) -> Option<FifoStats> {
        self.fifo.as_ref().map(|f| f.stats(end))
    }

    /// Messages not yet gone (visible, in flight or delayed).
    pub fn live(&self) -> u64 {
        self.live
    }

    /// The message `h` names, unless that slot was freed since.
    pub fn get(&self, h: Handle) -> Option<&Message> {
        let m = &self.slab[h.slot as usize];
        (m.generation == h.generation && m.state != State::Free).then_some(m)
    }

    /// Mutable access; `h` must be current (checked in debug builds).
    pub fn get_mut(&mut self, h: Handle) -> &mut Message {
        let m = &mut self.slab[h.slot as usize];
        debug_assert_eq!(m.generation, h.generation);
        m
    }

    /// Accepts a new message sent at `now`, visible at once: it joins the
    /// tail of the visible order, cold (no record until it is received), or
    /// the tail of `group` in a FIFO queue.
    #[inline]
    pub fn insert_visible(&mut self, now: u64, poison: bool, group: u32, lineage: Lineage) {
        self.live += 1;
        if self.fifo.is_some() {
            let h = self.new_record(now, State::Visible, poison);
            self.set_lineage(h.slot, lineage);
            if let Some(fifo) = &mut self.fifo {
                fifo.tag(h.slot, group);
                fifo.append(now, h);
            }
        } else {
            self.cold.push_back(Cold::new(now, poison));
            if let Some(l) = &mut self.lineages {
                l.cold.push_back(lineage);
            }
        }
    }

    /// Accepts a new message sent at `now` that waits out a delivery delay:
    /// it gets its record (and handle, for its delay timer) at once.
    pub fn insert_delayed(
        &mut self,
        now: u64,
        poison: bool,
        group: u32,
        lineage: Lineage,
    ) -> Handle {
        self.live += 1;
        let h = self.new_record(now, State::Delayed, poison);
        self.set_lineage(h.slot, lineage);
        if let Some(fifo) = &mut self.fifo {
            fifo.tag(h.slot, group);
        }
        h
    }

    /// A record for a message sent at `sent_at`, listed in the age index.
    fn new_record(&mut self, sent_at: u64, state: State, poison: bool) -> Handle {
        let slot = match self.free.pop() {
            Some(slot) => slot,
            None => {
                self.slab.push(Message {
                    sent_at: 0,
                    deadline: 0,
                    received_at: 0,
                    generation: 0,
                    receives: 0,
                    holders: 0,
                    state: State::Free,
                    poison: false,
                    completed: false,
                    cause: Redelivery::None,
                });
                (self.slab.len() - 1) as u32
            }
        };
        let m = &mut self.slab[slot as usize];
        *m = Message {
            sent_at,
            deadline: 0,
            received_at: 0,
            generation: m.generation,
            receives: 0,
            holders: 0,
            state,
            poison,
            completed: false,
            cause: Redelivery::None,
        };
        let h = Handle {
            slot,
            generation: m.generation,
        };
        self.by_age.push_back(h);
        h
    }

    /// Makes `h` visible at the tail of the visible order (of its group).
    pub fn push_tail(&mut self, now: u64, h: Handle) {
        self.get_mut(h).state = State::Visible;
        match &mut self.fifo {
            Some(fifo) => fifo.append(now, h),
            None => self.fresh.push_back(AtTail { key: now, msg: h }),
        }
    }

    /// In-flight `h` becomes visible again at `now`. Standard queue: to its
    /// old place (`key`, the time it first became visible), or to the tail
    /// once it has been received 3 or more times (SQS moves such messages to
    /// the back). FIFO: at the head of its group, where it always was.
    #[inline]
    pub fn return_visible(&mut self, now: u64, h: Handle, key: u64) {
        if let Some(fifo) = &mut self.fifo {
            fifo.returned(now, h);
            self.get_mut(h).state = State::Visible;
        } else if self.get_mut(h).receives >= 3 {
            self.push_tail(now, h);
        } else {
            self.push_at(key, h);
        }
    }

    /// A receive call starts (a FIFO receive may fill its batch from one
    /// group, then the next).
    #[inline]
    pub fn begin_receive(&mut self) {
        if let Some(fifo) = &mut self.fifo {
            fifo.begin_receive();
        }
    }

    /// `h`, from [`QueueStore::pop_visible`], was delivered at `now` (its
    /// record already updated).
    #[inline]
    pub fn received(&mut self, now: u64, h: Handle) {
        if let Some(fifo) = &mut self.fifo {
            let first = self.slab[h.slot as usize].receives == 1;
            fifo.received(now, h, first);
        }
    }

    /// Makes `h` visible at its old place, ordered by `key`.
    pub fn push_at(&mut self, key: u64, h: Handle) {
        self.get_mut(h).state = State::Visible;
        self.seq += 1;
        self.returned.push(Reverse(Positioned {
            key,
            seq: self.seq,
            msg: h,
        }));
    }

    /// Removes and returns the first visible message, skipping stale entries
    /// (a cold one gets its record now). The message's state is left as
    /// `Visible`; the caller changes it.
    pub fn pop_visible(&mut self) -> Option<Handle> {
        if let Some(fifo) = &mut self.fifo {
            return fifo.next();
        }
        loop {
            let entry = match self.next_source()? {
                Source::Cold => {
                    let cold = self.cold.pop_front()?;
                    let visible = State::Visible;
                    let h = self.new_record(cold.sent_at(), visible, cold.poison());
                    if let Some(lineage) = self.lineages.as_mut().and_then(|l| l.cold.pop_front()) {
                        self.set_lineage(h.slot, lineage);
                    }
                    return Some(h);
                }
                Source::Fresh => self.fresh.pop_front().map(|e| e.msg),
                Source::Returned => self.returned.pop().map(|Reverse(e)| e.msg),
            }?;
            if self.get(entry).is_some_and(|m| m.state == State::Visible) {
                return Some(entry);
            }
        }
    }

    /// The part of the visible order whose front has the smallest key.
    fn next_source(&self) -> Option<Source> {
        // The common case: no message has come back.
        if self.fresh.is_empty() && self.returned.is_empty() {
            return (!self.cold.is_empty()).then_some(Source::Cold);
        }
        let candidates = [
            (self.cold.front().map(|c| c.sent_at()), Source::Cold),
            (self.fresh.front().map(|e| e.key), Source::Fresh),
            (
                self.returned.peek().map(|Reverse(e)| e.key),
                Source::Returned,
            ),
        ];
        // min_by_key keeps the first of equal keys: cold, fresh, returned.
        candidates
            .into_iter()
            .filter_map(|(key, source)| key.map(|k| (k, source)))
            .min_by_key(|&(key, _)| key)
            .map(|(_, source)| source)
    }

    /// Marks `h` gone at `now` (deleted, dead-lettered or expired) and frees
    /// its slot unless consumers still hold it.
    #[inline]
    pub fn remove(&mut self, now: u64, h: Handle) {
        let m = self.get_mut(h);
        debug_assert!(!matches!(m.state, State::Gone | State::Free));
        let in_flight = m.state == State::InFlight;
        let listed = m.state != State::Delayed;
        let was_received = m.receives > 0;
        m.state = State::Gone;
        if let Some(fifo) = &mut self.fifo
            && listed
        {
            fifo.remove(now, h, in_flight, was_received);
        }
        self.live -= 1;
        self.free_if_unheld(h);
    }

    /// Frees the slot of a gone message once nobody holds it.
    #[inline(always)]
    pub fn free_if_unheld(&mut self, h: Handle) {
        let m = self.get_mut(h);
        if m.state == State::Gone && m.holders == 0 {
            m.state = State::Free;
            m.generation = m.generation.wrapping_add(1);
            self.free.push(h.slot);
        }
    }

    /// The oldest live message and its send time, pruning the age index.
    pub fn oldest(&mut self) -> Option<(Oldest, u64)> {
        let record = self.oldest_record();
        let cold = self.cold.front().map(|c| c.sent_at());
        match (record, cold) {
            (Some((h, a)), Some(b)) if a <= b => Some((Oldest::Record(h), a)),
            (_, Some(b)) => Some((Oldest::Cold, b)),
            (Some((h, a)), None) => Some((Oldest::Record(h), a)),
            (None, None) => None,
        }
    }

    fn oldest_record(&mut self) -> Option<(Handle, u64)> {
        while let Some(&h) = self.by_age.front() {
            match self.get(h) {
                Some(m) if m.state != State::Gone => return Some((h, m.sent_at)),
                _ => {
                    self.by_age.pop_front();
                }
            }
        }
        None
    }

    /// Removes the oldest never-received message (it expired); returns its
    /// send time.
    pub fn expire_cold(&mut self) -> Option<u64> {
        let cold = self.cold.pop_front()?;
        if let Some(l) = &mut self.lineages {
            l.cold.pop_front();
        }
        self.live -= 1;
        Some(cold.sent_at())
    }

    /// Drops index entries of gone messages when they outnumber live ones,
    /// so memory follows the backlog, not the run length. Amortised O(1).
    pub fn compact(&mut self) {
        // Messages with records: only they have index entries.
        let live = self.live as usize - self.cold.len();
        if self.by_age.len() > 2 * live + 1024 {
            let slab = &self.slab;
            self.by_age.retain(|h| {
                let m = &slab[h.slot as usize];
                m.generation == h.generation && !matches!(m.state, State::Gone | State::Free)
            });
        }
        let stale = self.fresh.len() + self.returned.len();
        if stale > 2 * live + 1024 {
            let slab = &self.slab;
            let current = |h: Handle| {
                let m = &slab[h.slot as usize];
                m.generation == h.generation && m.state == State::Visible
            };
            self.fresh.retain(|e| current(e.msg));
            self.returned.retain(|Reverse(p)| current(p.msg));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_record_is_40_bytes_and_a_cold_message_8() {
        assert_eq!(std::mem::size_of::<Message>(), 40);
        assert_eq!(std::mem::size_of::<Cold>(), 8);
    }

    fn sent_at(q: &QueueStore, h: Handle) -> u64 {
        q.get(h).unwrap().sent_at
    }

    /// Receives the next visible message (the caller's part of a receive).
    fn receive(q: &mut QueueStore) -> Option<Handle> {
        let h = q.pop_visible()?;
        q.get_mut(h).state = State::InFlight;
        Some(h)
    }

    #[test]
    fn visible_order_is_send_order_with_returns_in_their_old_place() {
        let mut q = QueueStore::new();
        for t in [10, 20, 30] {
            q.insert_visible(t, false, 0, Lineage::root(t));
        }
        let a = receive(&mut q).unwrap();
        assert_eq!(sent_at(&q, a), 10);
        // a comes back to its old place: ahead of b and c.
        q.push_at(10, a);
        assert_eq!(receive(&mut q), Some(a));
        // pushed to the tail: behind c.
        q.push_tail(40, a);
        let order: Vec<Handle> = std::iter::from_fn(|| receive(&mut q)).collect();
        let order: Vec<u64> = order.into_iter().map(|h| sent_at(&q, h)).collect();
        assert_eq!(order, vec![20, 30, 10]);
    }

    #[test]
    fn equal_keys_go_cold_then_tail_then_old_place() {
        let mut q = QueueStore::new();
        q.insert_visible(5, false, 0, Lineage::root(5));
        q.insert_visible(5, false, 0, Lineage::root(5));
        let (x, y) = (receive(&mut q).unwrap(), receive(&mut q).unwrap());
        q.insert_visible(7, false, 0, Lineage::root(7));
        q.push_at(7, x); // as if x had been sent at 7
        q.push_tail(7, y);
        let order: Vec<Handle> = std::iter::from_fn(|| receive(&mut q)).collect();
        assert_eq!(order.len(), 3);
        assert!(order[0] != x && order[0] != y, "the cold one first");
        assert_eq!(&order[1..], &[y, x]);
    }

    #[test]
    fn cold_messages_get_records_when_received_and_keep_their_poison() {
        let mut q = QueueStore::new();
        q.insert_visible(3, true, 0, Lineage::root(3));
        assert_eq!(q.slab.len(), 0, "no record before the first receive");
        let h = receive(&mut q).unwrap();
        let m = q.get(h).unwrap();
        assert!(m.poison);
        assert_eq!((m.sent_at, q.live()), (3, 1));
    }

    #[test]
    fn removed_messages_are_skipped_and_slots_reused_with_new_generation() {
        let mut q = QueueStore::new();
        let a = q.insert_delayed(0, false, 0, Lineage::root(0));
        q.push_tail(1, a);
        q.remove(0, a);
        assert!(q.get(a).is_none());
        assert_eq!(q.pop_visible(), None);
        let b = q.insert_delayed(1, false, 0, Lineage::root(1));
        assert_ne!(a, b);
        assert_eq!(q.live(), 1);
    }

    #[test]
    fn held_gone_message_keeps_its_slot_until_released() {
        let mut q = QueueStore::new();
        let a = q.insert_delayed(0, false, 0, Lineage::root(0));
        q.get_mut(a).holders = 1;
        q.remove(0, a);
        assert_eq!(q.get(a).map(|m| m.state), Some(State::Gone));
        q.get_mut(a).holders = 0;
        q.free_if_unheld(a);
        assert!(q.get(a).is_none());
    }

    #[test]
    fn oldest_is_the_older_of_records_and_cold_messages() {
        let mut q = QueueStore::new();
        for t in 0..3000 {
            q.insert_visible(t, false, 0, Lineage::root(t));
        }
        let received: Vec<Handle> = (0..2999).map(|_| receive(&mut q).unwrap()).collect();
        assert_eq!(q.oldest(), Some((Oldest::Record(received[0]), 0)));
        for h in &received {
            q.remove(0, *h);
        }
        q.compact();
        assert!(q.by_age.len() <= 1);
        assert_eq!(q.oldest(), Some((Oldest::Cold, 2999)));
        assert_eq!(q.expire_cold(), Some(2999));
        assert_eq!((q.oldest(), q.live()), (None, 0));
    }
}
