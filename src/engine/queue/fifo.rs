//! FIFO queues: message groups, in-order delivery, head-of-line blocking.
//!
//! Every live message of a FIFO queue sits in its group's list in send
//! order. A receive picks a group that is *ready* (it has messages and none
//! of them in flight), takes messages from its head in order, then goes on
//! with the next ready group if the batch is not full. While any message of
//! a group is in flight the group is locked: its in-flight messages are
//! always a prefix of its list (receives take from the head, and nothing else
//! of the group is delivered until the prefix is settled). A message whose
//! visibility timeout runs out stays where it is, so it is the next one
//! delivered: the group stalls behind a slow or poison message, which is the
//! point. Groups become ready in the order they unlock (first come, first
//! served).
//!
//! Blocking: a group is *blocked* while a message that has never been
//! received waits behind one that has been received and is not settled yet
//! (in flight, or visible again after its timeout ran out: a poison message
//! blocks its group from its first receive to its dead-lettering). [`FifoGroups`] keeps each group's blocked time
//! and the longest blocked stretch. Order is checked independently of the
//! mechanism above: every message carries its sequence number within its
//! group, and a first delivery of a message older than one already delivered
//! from the same group counts as out of order (an invariant: always 0).

use std::collections::VecDeque;

use super::store::Handle;

/// One message group.
#[derive(Debug, Default)]
struct Group {
    /// Live messages in send order; the first `in_flight` are in flight.
    messages: VecDeque<Handle>,
    in_flight: u32,
    /// Messages in the list that have been received at least once.
    received: u32,
    /// Listed in `ready` (possibly stale).
    listed: bool,
    /// Sequence number of the next message sent to the group.
    next_seq: u32,
    /// Highest sequence number delivered so far (first deliveries).
    delivered_up_to: Option<u32>,
    /// Start of the current blocked stretch.
    blocked_since: Option<u64>,
    /// Total blocked time, µs.
    blocked_total: u64,
}

impl Group {
    fn ready(&self) -> bool {
        self.in_flight == 0 && !self.messages.is_empty()
    }

    /// Messages that were never received wait behind one that was and is
    /// not settled yet (in flight, or back after its timeout ran out).
    fn blocked(&self) -> bool {
        self.received > 0 && self.messages.len() > self.received as usize
    }
}

/// A message's group and its sequence number within the group.
#[derive(Clone, Copy, Debug, Default)]
struct Tag {
    group: u32,
    seq: u32,
}

/// Whether sequence number `a` was sent before `b`. Numbers wrap after 2^32
/// messages of one group; the wrapped distance is exact for any gap between
/// live messages.
fn precedes(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

/// Blocking and order statistics of a FIFO queue at the end of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FifoStats {
    /// Longest single stretch one group was blocked, µs.
    pub blocked_max: u64,
    /// Blocked time summed over groups, µs.
    pub blocked_total: u64,
    /// Groups that received at least one message.
    pub groups_used: u64,
    /// First deliveries that overtook an earlier message of their group.
    pub out_of_order: u64,
}

/// The groups of a FIFO queue; see the module docs.
#[derive(Debug)]
pub struct FifoGroups {
    groups: Vec<Group>,
    /// Groups that may be ready, in the order they became so.
    ready: VecDeque<u32>,
    /// Per slab slot: the group and sequence of the message in that slot.
    tags: Vec<Tag>,
    /// The group the current receive takes from.
    current: Option<u32>,
    stats: FifoStats,
}

impl FifoGroups {
    /// How many groups there are.
    pub fn len(&self) -> u32 {
        self.groups.len() as u32
    }

    /// `groups` empty groups.
    pub fn new(groups: u32) -> Self {
        FifoGroups {
            groups: (0..groups).map(|_| Group::default()).collect(),
            ready: VecDeque::new(),
            tags: Vec::new(),
            current: None,
            stats: FifoStats::default(),
        }
    }

    /// Tags the message in slot `slot` as the next of `group` (at its send).
    pub fn tag(&mut self, slot: u32, group: u32) {
        let g = &mut self.groups[group as usize];
        let seq = g.next_seq;
        g.next_seq = g.next_seq.wrapping_add(1);
        if seq == 0 {
            self.stats.groups_used += 1;
        }
        let slot = slot as usize;
        if self.tags.len() <= slot {
            self.tags.resize(slot + 1, Tag::default());
        }
        self.tags[slot] = Tag { group, seq };
    }

    fn group_of(&self, h: Handle) -> u32 {
        self.tags[h.slot() as usize].group
    }

    /// `h` (tagged) becomes visible at the tail of its group: at its send,
    /// or when its delivery delay ends.
    pub fn append(&mut self, now: u64, h: Handle) {
        let g = self.group_of(h);
        self.groups[g as usize].messages.push_back(h);
        self.changed(now, g);
    }

    /// A new receive starts: it may take from any ready group.
    pub fn begin_receive(&mut self) {
        self.current = None;
    }

    /// The next message this receive may take, in group order; `None` when
    /// every group with messages is locked. The message stays in its group
    /// (call [`FifoGroups::received`] or remove it).
    pub fn next(&mut self) -> Option<Handle> {
        loop {
            if let Some(g) = self.current {
                let group = &self.groups[g as usize];
                if let Some(&h) = group.messages.get(group.in_flight as usize) {
                    return Some(h);
                }
                self.current = None;
            }
            let g = self.ready.pop_front()?;
            let group = &mut self.groups[g as usize];
            group.listed = false;
            if group.ready() {
                self.current = Some(g);
            }
        }
    }

    /// `h`, just returned by [`FifoGroups::next`], is delivered; `first`
    /// when this is its first delivery.
    pub fn received(&mut self, now: u64, h: Handle, first: bool) {
        let Tag { group: g, seq } = self.tags[h.slot() as usize];
        let group = &mut self.groups[g as usize];
        debug_assert_eq!(group.messages.get(group.in_flight as usize), Some(&h));
        group.in_flight += 1;
        if first {
            group.received += 1;
            match group.delivered_up_to {
                Some(up_to) if precedes(seq, up_to) => self.stats.out_of_order += 1,
                _ => group.delivered_up_to = Some(seq),
            }
        }
        self.changed(now, g);
    }

    /// In-flight `h` becomes visible again, in its place at the head.
    pub fn returned(&mut self, now: u64, h: Handle) {
        let Tag { group: g, seq } = self.tags[h.slot() as usize];
        let tags = &self.tags;
        let group = &mut self.groups[g as usize];
        // It leaves the in-flight prefix and goes to the front of the rest,
        // behind any message of its batch that returned before it but was
        // sent earlier: the rest stays in send order.
        if let Some(i) = group.messages.iter().position(|&m| m == h) {
            group.messages.remove(i);
            let mut j = group.in_flight as usize - 1;
            while let Some(&m) = group.messages.get(j)
                && precedes(tags[m.slot() as usize].seq, seq)
            {
                j += 1;
            }
            group.messages.insert(j, h);
        }
        group.in_flight -= 1;
        self.changed(now, g);
    }

    /// `h` leaves the queue (deleted, dead-lettered, expired); whether it
    /// was in flight, and whether it had ever been received.
    pub fn remove(&mut self, now: u64, h: Handle, in_flight: bool, was_received: bool) {
        let g = self.group_of(h);
        let group = &mut self.groups[g as usize];
        if let Some(i) = group.messages.iter().position(|&m| m == h) {
            group.messages.remove(i);
        }
        if in_flight {
            group.in_flight -= 1;
        }
        if was_received {
            group.received -= 1;
        }
        self.changed(now, g);
    }

    /// After any change to group `g`: list it if it became ready, and
    /// account its blocked time.
    fn changed(&mut self, now: u64, g: u32) {
        let group = &mut self.groups[g as usize];
        if group.ready() && !group.listed {
            group.listed = true;
            self.ready.push_back(g);
        }
        match (group.blocked(), group.blocked_since) {
            (true, None) => group.blocked_since = Some(now),
            (false, Some(since)) => {
                let stretch = now - since;
                group.blocked_since = None;
                group.blocked_total += stretch;
                self.stats.blocked_max = self.stats.blocked_max.max(stretch);
            }
            _ => {}
        }
    }

    /// Statistics at `end`, counting stretches still open then.
    pub fn stats(&self, end: u64) -> FifoStats {
        let mut stats = self.stats;
        stats.blocked_total = 0;
        for group in &self.groups {
            let open = group.blocked_since.map_or(0, |since| end - since);
            stats.blocked_total += group.blocked_total + open;
            stats.blocked_max = stats.blocked_max.max(open);
        }
        stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handles(n: u32) -> Vec<Handle> {
        (0..n).map(|i| Handle::new(i, 0)).collect()
    }

    fn setup(groups: &[u32]) -> (FifoGroups, Vec<Handle>) {
        let mut f = FifoGroups::new(4);
        let hs = handles(groups.len() as u32);
        for (h, &g) in hs.iter().zip(groups) {
            f.tag(h.slot(), g);
            f.append(0, *h);
        }
        (f, hs)
    }

    fn receive(f: &mut FifoGroups, now: u64, n: usize) -> Vec<Handle> {
        f.begin_receive();
        let mut out = Vec::new();
        while out.len() < n {
            let Some(h) = f.next() else { break };
            f.received(now, h, true);
            out.push(h);
        }
        out
    }

    #[test]
    fn a_batch_takes_one_group_in_order_then_the_next() {
        let (mut f, h) = setup(&[0, 1, 0, 0, 1]);
        assert_eq!(receive(&mut f, 0, 4), vec![h[0], h[2], h[3], h[1]]);
        // Both groups are locked now; h[4] waits behind h[1].
        assert_eq!(receive(&mut f, 0, 10), vec![]);
        f.remove(5, h[1], true, true);
        assert_eq!(receive(&mut f, 5, 10), vec![h[4]]);
    }

    #[test]
    fn an_expired_message_is_delivered_again_before_the_rest_of_its_group() {
        let (mut f, h) = setup(&[0, 0, 0]);
        assert_eq!(receive(&mut f, 0, 2), vec![h[0], h[1]]);
        f.remove(3, h[1], true, true);
        f.returned(30, h[0]);
        f.begin_receive();
        let mut again = Vec::new();
        while let Some(m) = f.next() {
            f.received(30, m, m == h[2]);
            again.push(m);
        }
        assert_eq!(again, vec![h[0], h[2]]);
        let stats = f.stats(30);
        assert_eq!((stats.out_of_order, stats.blocked_max), (0, 30));
    }

    #[test]
    fn returned_messages_come_back_in_send_order_before_the_rest() {
        let (mut f, h) = setup(&[0, 0, 0, 0]);
        assert_eq!(receive(&mut f, 0, 3), vec![h[0], h[1], h[2]]);
        f.returned(10, h[1]); // h[0], h[2] still in flight
        f.returned(11, h[0]);
        f.remove(12, h[2], true, true);
        f.begin_receive();
        let mut again = Vec::new();
        while let Some(m) = f.next() {
            f.received(12, m, m == h[3]);
            again.push(m);
        }
        assert_eq!(again, vec![h[0], h[1], h[3]]);
        assert_eq!(f.stats(12).out_of_order, 0);
    }

    #[test]
    fn a_first_delivery_behind_a_later_one_counts_as_out_of_order() {
        let (mut f, h) = setup(&[0, 0]);
        f.begin_receive();
        // Deliver h[1] first, bypassing the group order on purpose.
        f.groups[0].messages.swap(0, 1);
        let first = f.next().unwrap();
        assert_eq!(first, h[1]);
        f.received(0, first, true);
        f.remove(1, first, true, true);
        let second = receive(&mut f, 1, 1);
        assert_eq!(second, vec![h[0]]);
        assert_eq!(f.stats(1).out_of_order, 1);
    }

    #[test]
    fn blocked_time_counts_only_while_a_message_waits_behind() {
        let (mut f, h) = setup(&[2]);
        receive(&mut f, 0, 1);
        f.tag(7, 2);
        let late = Handle::new(7, 0);
        f.append(40, late); // blocked from 40
        f.remove(100, h[0], true, true); // until 100
        assert_eq!(f.stats(100).blocked_total, 60);
        assert_eq!(receive(&mut f, 100, 1), vec![late]);
    }
}
