//! The queue's message store: where every message is and in which order
//! visible messages are handed out.
//!
//! Messages live in a slab (`Vec<Message>` plus a free list), addressed by a
//! [`Handle`] = slot + generation; a freed slot bumps its generation, so any
//! timer or index entry that still names the old message is recognised as
//! stale. A message that is gone (deleted, dead-lettered, expired) keeps its
//! slot while consumers still hold it (`holders > 0`), so a late completion
//! can still tell whether it was the first.
//!
//! Visible order (standard queue, "oldest first, best effort"): each visible
//! message has a position key. A newly visible message gets the current time,
//! so it joins the tail (`fresh`, a FIFO whose keys never decrease). A message
//! whose visibility timeout ran out goes back to its old place (key = the time
//! it first became visible) through the `returned` heap, unless it has been
//! received 3 or more times: then it goes to the tail (SQS moves such
//! messages to the back). `pop_visible` takes the smaller key of the two.
//!
//! The age index lists live messages in send order (lazily pruned and
//! compacted) and gives the oldest message for retention expiry and
//! `oldest_age`.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// A reference to a message: slab slot and generation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Handle {
    slot: u32,
    generation: u32,
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Positioned {
    key: u64,
    seq: u64,
    msg: Handle,
}

/// Message store and visible order; see the module docs.
#[derive(Debug, Default)]
pub struct QueueStore {
    slab: Vec<Message>,
    free: Vec<u32>,
    by_age: VecDeque<Handle>,
    fresh: VecDeque<Positioned>,
    returned: BinaryHeap<Reverse<Positioned>>,
    seq: u64,
    live: u64,
}

impl QueueStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
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

    /// Stores a new message sent at `now`, in `state` (Delayed or Visible).
    /// A visible one joins the tail of the visible order.
    pub fn insert(&mut self, now: u64, state: State, poison: bool) -> Handle {
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
            sent_at: now,
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
        self.live += 1;
        self.by_age.push_back(h);
        if state == State::Visible {
            self.push_tail(now, h);
        }
        h
    }

    /// Makes `h` visible at the tail of the visible order.
    pub fn push_tail(&mut self, now: u64, h: Handle) {
        self.get_mut(h).state = State::Visible;
        self.seq += 1;
        self.fresh.push_back(Positioned {
            key: now,
            seq: self.seq,
            msg: h,
        });
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

    /// Removes and returns the first visible message, skipping stale entries.
    /// The message's state is left as `Visible`; the caller changes it.
    pub fn pop_visible(&mut self) -> Option<Handle> {
        loop {
            let from_fresh = match (self.fresh.front(), self.returned.peek()) {
                (None, None) => return None,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some(f), Some(Reverse(r))) => (f.key, f.seq) < (r.key, r.seq),
            };
            let entry = if from_fresh {
                self.fresh.pop_front()
            } else {
                self.returned.pop().map(|Reverse(e)| e)
            }?;
            if self
                .get(entry.msg)
                .is_some_and(|m| m.state == State::Visible)
            {
                return Some(entry.msg);
            }
        }
    }

    /// Marks `h` gone (deleted, dead-lettered or expired) and frees its slot
    /// unless consumers still hold it.
    pub fn remove(&mut self, h: Handle) {
        let m = self.get_mut(h);
        debug_assert!(!matches!(m.state, State::Gone | State::Free));
        m.state = State::Gone;
        self.live -= 1;
        self.free_if_unheld(h);
    }

    /// Frees the slot of a gone message once nobody holds it.
    pub fn free_if_unheld(&mut self, h: Handle) {
        let m = self.get_mut(h);
        if m.state == State::Gone && m.holders == 0 {
            m.state = State::Free;
            m.generation = m.generation.wrapping_add(1);
            self.free.push(h.slot);
        }
    }

    /// The oldest live message (by send time), pruning the age index.
    pub fn oldest(&mut self) -> Option<(Handle, u64)> {
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

    /// Drops index entries of gone messages when they outnumber live ones,
    /// so memory follows the backlog, not the run length. Amortised O(1).
    pub fn compact(&mut self) {
        let live = self.live as usize;
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
            let current = |p: &Positioned| {
                let m = &slab[p.msg.slot as usize];
                m.generation == p.msg.generation && m.state == State::Visible
            };
            self.fresh.retain(current);
            self.returned.retain(|Reverse(p)| current(p));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_record_is_40_bytes() {
        assert_eq!(std::mem::size_of::<Message>(), 40);
    }

    #[test]
    fn visible_order_is_fresh_fifo_with_returns_in_their_old_place() {
        let mut q = QueueStore::new();
        let a = q.insert(10, State::Visible, false);
        let b = q.insert(20, State::Visible, false);
        let c = q.insert(30, State::Visible, false);
        assert_eq!(q.pop_visible(), Some(a));
        q.get_mut(a).state = State::InFlight;
        // a comes back to its old place: ahead of b and c.
        q.push_at(10, a);
        assert_eq!(q.pop_visible(), Some(a));
        q.get_mut(a).state = State::InFlight;
        // pushed to the tail: behind c.
        q.push_tail(40, a);
        assert_eq!(q.pop_visible(), Some(b));
        assert_eq!(q.pop_visible(), Some(c));
        assert_eq!(q.pop_visible(), Some(a));
        assert_eq!(q.pop_visible(), None);
    }

    #[test]
    fn removed_messages_are_skipped_and_slots_reused_with_new_generation() {
        let mut q = QueueStore::new();
        let a = q.insert(0, State::Visible, false);
        q.remove(a);
        assert!(q.get(a).is_none());
        assert_eq!(q.pop_visible(), None);
        let b = q.insert(1, State::Visible, false);
        assert_ne!(a, b);
        assert_eq!(q.live(), 1);
    }

    #[test]
    fn held_gone_message_keeps_its_slot_until_released() {
        let mut q = QueueStore::new();
        let a = q.insert(0, State::Visible, false);
        q.get_mut(a).holders = 1;
        q.remove(a);
        assert_eq!(q.get(a).map(|m| m.state), Some(State::Gone));
        q.get_mut(a).holders = 0;
        q.free_if_unheld(a);
        assert!(q.get(a).is_none());
    }

    #[test]
    fn oldest_skips_gone_and_compaction_keeps_live() {
        let mut q = QueueStore::new();
        let hs: Vec<_> = (0..3000)
            .map(|t| q.insert(t, State::Visible, false))
            .collect();
        for h in &hs[..2999] {
            q.remove(*h);
        }
        q.compact();
        assert!(q.by_age.len() <= 1);
        assert_eq!(q.oldest(), Some((hs[2999], 2999)));
        assert_eq!(q.pop_visible(), Some(hs[2999]));
    }
}
