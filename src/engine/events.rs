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
//! single heap would. The smallest lane front is kept up to date as lanes
//! are pushed and popped, so that most events (those from the heap) are
//! found with one comparison; only taking from a lane rescans the lanes.
//!
//! The heap's top is removed lazily: an event taken from the heap stays
//! there, marked taken, until the next push or peek. Handling an event
//! mostly schedules the entity's next one (a consumer's next completion, a
//! producer's next arrival), and that push then replaces the taken top
//! with one sift instead of a pop and a push (two).
//!
//! A timer that no longer applies (a visibility deadline after the message
//! was deleted, a poll timeout after the poll was answered) is not removed
//! when it becomes moot: its handler recognises it as stale and ignores it
//! (lazy cancellation). So that moot timers of a long constant delay (a
//! 12 h visibility timeout) neither pile up nor get dispatched, the lanes
//! are compacted: when they hold more than [`EventQueue::lanes_over`]
//! allows, the owner drops every entry it knows to be moot for good
//! ([`EventQueue::retain_lanes`]), which keeps the rest in order. The
//! threshold then doubles what is left, so compaction costs O(1) per push,
//! amortised, and the lanes hold at most about twice the live timers.

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
    /// A consumer in line for a resource gives up (stale unless `ticket`
    /// is its current acquire and it is still in line).
    AcquireTimeout {
        fleet: u16,
        consumer: u32,
        ticket: u32,
    },
    /// A redrive fault moves its `step`-th message (from 0).
    RedriveMove { fault: u32, step: u32 },
    /// A fleet's open circuit breaker lets one probe through (half-open).
    BreakerProbe { fleet: u16 },
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
    /// The heap's top was taken and is still there (see the module docs).
    top_taken: bool,
    lanes: [VecDeque<Entry>; LANES],
    /// The constant delay of each lane in use, `lane_delays.len()` of them.
    lane_delays: Vec<u64>,
    /// The smallest key of each source (heap, then the lanes), kept up to
    /// date on every push and pop, so that finding the smallest lane front
    /// is a scan of a few integers rather than of as many containers.
    fronts: [Key; LANES + 1],
    /// The smallest of the lanes' fronts, `fronts[lanes_source]`.
    lanes_front: Key,
    /// Where [`EventQueue::lanes_front`] is in `fronts` (`1 + lane`).
    lanes_source: usize,
    seq: u64,
    /// Entries in all lanes.
    lane_entries: usize,
    /// Compact the lanes when they hold more entries than this.
    compact_above: usize,
    /// The least `compact_above` ([`COMPACT_FLOOR`]).
    compact_floor: usize,
}

/// The lanes are not compacted below this many entries (512 KiB): short
/// timeouts at moderate rates never hold so many, and pay nothing.
const COMPACT_FLOOR: usize = 1 << 14;

impl Default for EventQueue {
    fn default() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            top_taken: false,
            lanes: Default::default(),
            lane_delays: Vec::new(),
            fronts: [EMPTY; LANES + 1],
            lanes_front: EMPTY,
            lanes_source: 1,
            seq: 0,
            lane_entries: 0,
            compact_above: COMPACT_FLOOR,
            compact_floor: COMPACT_FLOOR,
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
        let entry = Reverse(Entry { key, event });
        if self.top_taken {
            self.top_taken = false;
            if let Some(mut top) = self.heap.peek_mut() {
                *top = entry; // sifted into place when `top` drops
            }
            self.fronts[0] = self.heap_front();
        } else {
            self.heap.push(entry);
            self.fronts[0] = self.fronts[0].min(key);
        }
    }

    fn heap_front(&self) -> Key {
        self.heap.peek().map_or(EMPTY, |Reverse(e)| e.key)
    }

    /// Removes a taken heap top that no push replaced.
    #[inline(always)]
    fn settle(&mut self) {
        if self.top_taken {
            self.top_taken = false;
            self.heap.pop();
            self.fronts[0] = self.heap_front();
        }
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
            if key < self.lanes_front {
                (self.lanes_front, self.lanes_source) = (key, 1 + i);
            }
        }
        queue.push_back(Entry { key, event });
        self.lane_entries += 1;
    }

    /// Whether the lanes hold enough entries that their owner should drop
    /// the moot ones ([`EventQueue::retain_lanes`]).
    #[inline(always)]
    pub fn lanes_over(&self) -> bool {
        self.lane_entries > self.compact_above
    }

    /// Keeps only the lane entries for which `keep(time, event)` holds, in
    /// their order. `keep` may say false only of a timer whose handler
    /// would do nothing whenever it came due: dropping it then changes
    /// nothing but the count of events dispatched.
    #[inline(never)]
    pub fn retain_lanes(&mut self, mut keep: impl FnMut(u64, &Event) -> bool) {
        for (i, lane) in self.lanes.iter_mut().enumerate() {
            lane.retain(|e| keep(key_time(e.key), &e.event));
            // Give back what a burst of moot timers made the lane take.
            if lane.capacity() > 4 * lane.len().max(COMPACT_FLOOR) {
                lane.shrink_to(2 * lane.len().max(COMPACT_FLOOR));
            }
            self.fronts[1 + i] = lane.front().map_or(EMPTY, |e| e.key);
        }
        self.find_lanes_front();
        self.lane_entries = self.lanes.iter().map(VecDeque::len).sum();
        self.compact_above = (2 * self.lane_entries).max(self.compact_floor);
    }

    /// Compacts from `entries` on instead of [`COMPACT_FLOOR`] (`usize::MAX`:
    /// never), for tests that compare the two.
    pub fn set_compact_floor(&mut self, entries: usize) {
        self.compact_floor = entries;
        self.compact_above = entries;
    }

    /// Time of the next event, if any.
    pub fn peek_time(&mut self) -> Option<u64> {
        self.peek().map(|next| next.time)
    }

    /// The next event's time and where it waits, without removing it; pass
    /// it to [`EventQueue::take`] to remove it.
    #[inline(always)]
    pub fn peek(&mut self) -> Option<Next> {
        self.settle();
        let (key, source) = if self.lanes_front < self.fronts[0] {
            (self.lanes_front, self.lanes_source)
        } else {
            (self.fronts[0], 0)
        };
        (key != EMPTY).then(|| Next {
            time: key_time(key),
            source,
        })
    }

    /// Sets [`EventQueue::lanes_front`] after a lane's front grew (a pop,
    /// a compaction).
    #[inline(always)]
    fn find_lanes_front(&mut self) {
        // The smallest so far stays in registers: comparing against
        // `fronts[source]` would reload through the index just chosen, a
        // chain of dependent loads.
        let (mut key, mut source) = (self.fronts[1], 1);
        for (i, &front) in self.fronts.iter().enumerate().skip(2) {
            if front < key {
                (key, source) = (front, i);
            }
        }
        (self.lanes_front, self.lanes_source) = (key, source);
    }

    /// Removes and returns the event `next` (from [`EventQueue::peek`], with
    /// nothing scheduled in between).
    pub fn take(&mut self, next: Next) -> Event {
        debug_assert!(!self.top_taken, "take follows a peek");
        if next.source == 0 {
            // Left in place until the next push or peek; nothing else
            // looks at the heap meanwhile (`fronts[0]` is set then).
            self.top_taken = true;
            let Reverse(entry) = self.heap.peek().expect("peeked event is there");
            return entry.event;
        }
        let lane = &mut self.lanes[next.source - 1];
        let entry = lane.pop_front();
        self.lane_entries -= 1;
        self.fronts[next.source] = lane.front().map_or(EMPTY, |e| e.key);
        self.find_lanes_front();
        entry.expect("peeked event is there").event
    }

    /// Removes and returns the next event.
    pub fn pop(&mut self) -> Option<(u64, Event)> {
        let next = self.peek()?;
        Some((next.time, self.take(next)))
    }

    /// Number of pending events (stale ones included).
    pub fn len(&self) -> usize {
        let heap = self.heap.len() - usize::from(self.top_taken);
        heap + self.lanes.iter().map(VecDeque::len).sum::<usize>()
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
    fn the_heap_and_two_lanes_keep_time_then_insertion_order() {
        // Random pushes to the heap (a taken top replaced by a push) and
        // to two lanes between pops, against a sorted reference of (time,
        // insertion).
        let mut q = EventQueue::new();
        let lanes = [(q.lane(50), 50), (q.lane(20), 20)];
        let (mut reference, mut now, mut s, mut n) = (Vec::new(), 0u64, 7u64, 0u32);
        for step in 0..5_000 {
            s = crate::engine::rng::splitmix64(s);
            for k in 0..(s % 3) {
                n += 1;
                let time = now + (s >> (8 * k + 8)) % 40;
                if (s >> 40) % 3 == 0 {
                    let (lane, delay) = lanes[((s >> (44 + k)) % 2) as usize];
                    q.schedule_in(lane, now + delay, arrival(n));
                    reference.push((now + delay, n));
                } else {
                    q.schedule(time, arrival(n));
                    reference.push((time, n));
                }
            }
            if step % 2 == 0 || s % 5 == 0 {
                reference.sort();
                let Some((time, event)) = q.pop() else {
                    assert!(reference.is_empty());
                    continue;
                };
                let (t, p) = reference.remove(0);
                assert_eq!((time, event), (t, arrival(p)));
                now = time;
            }
            assert_eq!(q.len(), reference.len());
        }
    }

    #[test]
    fn retained_lanes_keep_their_order_and_compact_past_double_what_is_left() {
        let mut q = EventQueue::new();
        q.set_compact_floor(8);
        let (a, b) = (q.lane(10), q.lane(20));
        for p in 0..12 {
            q.schedule_in(
                if p % 3 == 0 { b } else { a },
                10 + u64::from(p),
                arrival(p),
            );
        }
        q.schedule(15, arrival(99));
        assert!(q.lanes_over());
        q.retain_lanes(|time, e| time % 2 == 0 || *e == arrival(9));
        assert!(!q.lanes_over());
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        let kept = [0, 2, 4, 6, 8, 9, 10].map(|p| (10 + u64::from(p), arrival(p)));
        let mut expected = kept.to_vec();
        expected.insert(3, (15, arrival(99)));
        assert_eq!(order, expected);
        // Seven were left: the next compaction comes past fourteen, not
        // past the floor of eight.
        for p in 0..14 {
            q.schedule_in(a, 100, arrival(p));
        }
        assert!(!q.lanes_over());
        q.schedule_in(a, 100, arrival(14));
        assert!(q.lanes_over());
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
