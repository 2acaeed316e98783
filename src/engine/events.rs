//! The future-event list.
//!
//! Events are ordered by `(time, seq)` where `seq` is a global insertion
//! counter, so simultaneous events run in the order they were scheduled: the
//! tie-break rule of the determinism contract.
//!
//! Most timers in a queue simulation have a *constant* delay (the visibility
//! timeout, the delivery delay, the long-poll wait, the API round trip, the
//! heartbeat interval). Timers pushed with a constant delay come out in push
//! order, so each such family lives in a FIFO [`Lane`] (O(1) push and pop, no
//! heap); only events with random delays (arrivals, processing completions)
//! go through the binary heap. `pop` takes the smallest `(time, seq)` among
//! the heap top and the lane fronts, which gives exactly the same order as a
//! single heap would.
//!
//! Timers are never removed: a timer that no longer applies (a visibility
//! deadline after the message was deleted, a poll timeout after the poll was
//! answered) is recognised as stale by its handler and ignored (lazy
//! cancellation).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use super::queue::Handle;

/// What happens at an instant. Events name the component they concern by
/// index: `queue` into the queues, `fleet` into the fleets, `producer`
/// into the producers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)] // fields are indices and ids named by the variant docs
pub enum Event {
    /// A producer's next message is ready.
    Arrival { producer: u32 },
    /// A delayed message becomes visible.
    DelayEnd { queue: u16, msg: Handle },
    /// A received message's visibility deadline (stale unless it still applies).
    VisibilityDeadline {
        queue: u16,
        msg: Handle,
        receipt: u32,
    },
    /// A consumer finishes processing the current message of its batch.
    ProcessingDone {
        fleet: u16,
        consumer: u32,
        batch: u32,
    },
    /// A consumer's ReceiveMessage call reaches the queue (stale unless
    /// `epoch` is the consumer's current up period).
    ReceiveCall {
        fleet: u16,
        consumer: u32,
        epoch: u32,
    },
    /// Hand the waiting long polls of a queue's fleet what became available
    /// (a spontaneous copy).
    ServeWaiters { queue: u16 },
    /// A long poll ends with nothing.
    PollTimeout {
        fleet: u16,
        consumer: u32,
        poll: u32,
    },
    /// A consumer extends the visibility of the messages it holds.
    Heartbeat {
        fleet: u16,
        consumer: u32,
        batch: u32,
    },
    /// A consumer's DeleteMessage round trip completes: the delete takes effect.
    DeleteDone {
        fleet: u16,
        consumer: u32,
        batch: u32,
    },
    /// A producer retries a failed send.
    ProducerRetry { producer: u32 },
    /// A consumer crashes (stale unless `epoch` is its current up period).
    Crash {
        fleet: u16,
        consumer: u32,
        epoch: u32,
    },
    /// A crashed consumer comes back.
    Restart { fleet: u16, consumer: u32 },
    /// Start of the window that sets a fault's pre-fault backlog level.
    FaultPrep { fault: u32 },
    /// A fault begins.
    FaultStart { fault: u32 },
    /// A fault ends.
    FaultEnd { fault: u32 },
    /// Expire messages of a queue that reached the retention period.
    RetentionCheck { queue: u16 },
    /// Record one time-series sample.
    Sample,
    /// A fleet's autoscaler compares the backlog with its target.
    ScaleEvaluation { fleet: u16 },
    /// A scheduled-capacity step of a fleet takes effect.
    CapacityStep { fleet: u16, step: u32 },
    /// A receive's batching window ends (stale unless the poll still waits).
    WindowEnd {
        fleet: u16,
        consumer: u32,
        poll: u32,
    },
    /// A producer sends again a call whose response it never saw.
    Repeat { producer: u32 },
    /// A launched consumer's start-up ends (stale unless `launch` is its
    /// current launch).
    Started {
        fleet: u16,
        consumer: u32,
        launch: u32,
    },
}

/// A FIFO lane: timers pushed with one constant delay (a visibility
/// timeout, a delivery delay, a long-poll wait, a round trip, a heartbeat
/// interval). Families with equal delays share a lane; the order of events
/// is by `(time, seq)` whichever lane holds them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lane(u8);

/// Most lanes; families beyond them go through the heap (same order, a
/// little slower). Few, so that finding the next event is a fixed,
/// unrolled scan (unused lanes hold [`EMPTY`]).
const LANES: usize = 5;

/// `(time, seq)` packed into one integer, so that ordering is a single
/// comparison: time in the high 64 bits, the insertion counter in the low.
type Key = u128;

fn key_time(key: Key) -> u64 {
    (key >> 64) as u64
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    key: Key,
    event: Event,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key.cmp(&other.key)
    }
}

/// The next event's place, from [`EventQueue::peek`].
#[derive(Clone, Copy, Debug)]
pub struct Next {
    /// When it happens.
    pub time: u64,
    /// Index into `fronts`: 0 for the heap, `1 + i` for lane `i`.
    source: usize,
}

/// Marks an empty source in `fronts`: larger than any real key.
const EMPTY: Key = Key::MAX;

/// Heap plus FIFO lanes; see the module docs.
#[derive(Debug)]
pub struct EventQueue {
    heap: BinaryHeap<Reverse<Entry>>,
    lanes: [VecDeque<Entry>; LANES],
    /// The constant delay of each lane in use, `lane_delays.len()` of them.
    lane_delays: Vec<u64>,
    /// The smallest key of each source (heap, then the lanes), kept up to
    /// date on every push and pop, so that finding the next event is a scan
    /// of a few integers rather than of as many containers.
    fronts: [Key; LANES + 1],
    seq: u64,
}

impl Default for EventQueue {
    fn default() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            lanes: Default::default(),
            lane_delays: Vec::new(),
            fronts: [EMPTY; LANES + 1],
            seq: 0,
        }
    }
}

impl EventQueue {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// The lane for timers of constant `delay`, made on first use; `None`
    /// when every lane is taken (such timers go through the heap).
    pub fn lane(&mut self, delay: u64) -> Option<Lane> {
        if let Some(i) = self.lane_delays.iter().position(|&d| d == delay) {
            return Some(Lane(i as u8));
        }
        if self.lane_delays.len() == LANES {
            return None;
        }
        self.lane_delays.push(delay);
        Some(Lane((self.lane_delays.len() - 1) as u8))
    }

    fn next_key(&mut self, time: u64) -> Key {
        self.seq += 1;
        (Key::from(time) << 64) | Key::from(self.seq)
    }

    /// Schedules `event` at `time` (any time).
    pub fn schedule(&mut self, time: u64, event: Event) {
        let key = self.next_key(time);
        self.heap.push(Reverse(Entry { key, event }));
        self.fronts[0] = self.fronts[0].min(key);
    }

    /// Schedules `event` at `time` in `lane` (the heap without one). Times
    /// pushed to one lane must not decrease (they are `now + its delay`).
    #[inline(always)]
    pub fn schedule_in(&mut self, lane: Option<Lane>, time: u64, event: Event) {
        let Some(Lane(i)) = lane else {
            return self.schedule(time, event);
        };
        let key = self.next_key(time);
        let i = usize::from(i);
        let queue = &mut self.lanes[i];
        debug_assert!(queue.back().is_none_or(|e| key_time(e.key) <= time));
        if queue.is_empty() {
            self.fronts[1 + i] = key;
        }
        queue.push_back(Entry { key, event });
    }

    /// Time of the next event, if any.
    pub fn peek_time(&self) -> Option<u64> {
        self.peek().map(|next| next.time)
    }

    /// The next event's time and where it waits, without removing it; pass
    /// it to [`EventQueue::take`] to remove it.
    pub fn peek(&self) -> Option<Next> {
        let mut source = 0;
        for i in 1..self.fronts.len() {
            if self.fronts[i] < self.fronts[source] {
                source = i;
            }
        }
        let key = self.fronts[source];
        (key != EMPTY).then(|| Next {
            time: key_time(key),
            source,
        })
    }

    /// Removes and returns the event `next` (from [`EventQueue::peek`], with
    /// nothing scheduled in between).
    pub fn take(&mut self, next: Next) -> Event {
        let (entry, front) = if next.source == 0 {
            let entry = self.heap.pop().map(|Reverse(e)| e);
            (entry, self.heap.peek().map(|Reverse(e)| e.key))
        } else {
            let lane = &mut self.lanes[next.source - 1];
            (lane.pop_front(), lane.front().map(|e| e.key))
        };
        self.fronts[next.source] = front.unwrap_or(EMPTY);
        entry.expect("peeked event is there").event
    }

    /// Removes and returns the next event.
    pub fn pop(&mut self) -> Option<(u64, Event)> {
        let next = self.peek()?;
        Some((next.time, self.take(next)))
    }

    /// Number of pending events (stale ones included).
    pub fn len(&self) -> usize {
        self.heap.len() + self.lanes.iter().map(VecDeque::len).sum::<usize>()
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arrival(p: u32) -> Event {
        Event::Arrival { producer: p }
    }

    #[test]
    fn pops_in_time_then_insertion_order_across_heap_and_lanes() {
        let mut q = EventQueue::new();
        let (visibility, poll) = (q.lane(5), q.lane(10));
        q.schedule(10, arrival(1));
        q.schedule_in(visibility, 5, arrival(2));
        q.schedule_in(visibility, 10, arrival(3));
        q.schedule(5, arrival(4));
        q.schedule_in(poll, 10, arrival(5));
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(
            order,
            vec![
                (5, arrival(2)),
                (5, arrival(4)),
                (10, arrival(1)),
                (10, arrival(3)),
                (10, arrival(5)),
            ]
        );
        assert!(q.is_empty());
    }

    #[test]
    fn an_event_is_16_bytes() {
        assert_eq!(std::mem::size_of::<Event>(), 16);
    }

    #[test]
    fn equal_delays_share_a_lane_and_spare_families_use_the_heap() {
        let mut q = EventQueue::new();
        assert_eq!(q.lane(30), q.lane(30));
        for d in 0..LANES as u64 + 3 {
            q.lane(1000 + d);
        }
        assert_eq!(q.lane(99_999), None);
        q.schedule_in(None, 4, arrival(1));
        let lane = q.lane(30);
        q.schedule_in(lane, 2, arrival(2));
        assert_eq!(q.pop(), Some((2, arrival(2))));
        assert_eq!(q.pop(), Some((4, arrival(1))));
    }

    #[test]
    fn peek_time_sees_lanes() {
        let mut q = EventQueue::new();
        assert_eq!(q.peek_time(), None);
        q.schedule(7, arrival(0));
        let delay = q.lane(3);
        q.schedule_in(delay, 3, arrival(0));
        assert_eq!(q.peek_time(), Some(3));
        assert_eq!(q.len(), 2);
    }
}
