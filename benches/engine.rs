//! Engine throughput on the M/M/c model of the reference simulators
//! (λ = 9/s, 10 consumers, exponential 1 s processing, batch 1, long
//! visibility timeout): about 1 million messages, one replication, one thread.
//! Criterion reports the time per run; messages per second = produced / time.
//!
//! The same stations as a pipeline of three queues (message-hops per
//! second: messages accepted by a queue, summed over the queues).
//!
//! And the hot paths on their own: the event queue (heap events mixed with a
//! constant-delay lane, as in a run) and the message store (send, receive,
//! delete); and the ceiling, the same M/M/c model as a bare binary-heap loop
//! with nothing else (docs/performance.md).
//!
//! And the structures measured for the next event of each entity: the
//! engine's heap (its taken top replaced by the entity's next event)
//! against next-event slots with a tournament over them
//! (`benches/support/slots.rs`), at 11 and 601 entities; and the lanes with
//! their moot timers compacted away or left to be popped.

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mqsim::engine::result::ReplicationResult;
use mqsim::engine::run_replication;
use mqsim::scenario::load_str;

#[path = "support/slots.rs"]
mod slots;

const MMC: &str = r#"
name = "bench-mmc"
duration = 111111
replications = 1
sample_interval = "60s"
[queue]
visibility_timeout = "12h"
[[producers]]
rate = 9
[consumers]
count = 10
batch_size = 1
processing = { dist = "exp", mean = "1s" }
"#;

/// A pipeline of three M/M/c stations: every message of queue a is
/// emitted to b, and every one of b to c (λ 9/s, 10 consumers, exp 1 s at
/// each); about 1 M messages through all three, 3 M message-hops.
const PIPELINE: &str = r#"
name = "bench-pipeline"
duration = 111111
replications = 1
sample_interval = "60s"
[queues.a]
visibility_timeout = "12h"
[queues.a.consumers]
count = 10
batch_size = 1
processing = { dist = "exp", mean = "1s" }
emit = [{ to = "b" }]
[queues.b]
visibility_timeout = "12h"
[queues.b.consumers]
count = 10
batch_size = 1
processing = { dist = "exp", mean = "1s" }
emit = [{ to = "c" }]
[queues.c]
visibility_timeout = "12h"
[queues.c.consumers]
count = 10
batch_size = 1
processing = { dist = "exp", mean = "1s" }
[[producers]]
rate = 9
to = "a"
"#;

fn pipeline(c: &mut Criterion) {
    // A message-hop: one message accepted by one queue.
    let hops = |r: &ReplicationResult| r.queues.iter().map(|q| q.metrics.produced).sum();
    run_bench(c, "pipeline_3_queues_1M_messages", PIPELINE, hops);
}

fn mmc(c: &mut Criterion) {
    run_bench(c, "mmc_1M_messages", MMC, |r| r.metrics.produced);
}

/// One replication of `text` per iteration, its throughput in the
/// `elements` one run produces.
fn run_bench(c: &mut Criterion, name: &str, text: &str, elements: fn(&ReplicationResult) -> f64) {
    let scenario = load_str(text, Path::new("bench.toml"), &[]).expect("valid bench scenario");
    let count = elements(&run_replication(&scenario, 0)) as u64;
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    group.throughput(Throughput::Elements(count));
    group.bench_function(name, |b| b.iter(|| run_replication(&scenario, 0)));
    group.finish();
}

/// 1 M events through the queue: a random-delay heap event and a
/// constant-delay lane event per step, popped in order, about 100 pending.
fn event_queue(c: &mut Criterion) {
    use mqsim::engine::events::{Event, EventQueue};
    let mut group = c.benchmark_group("hot");
    group.throughput(Throughput::Elements(1_000_000));
    group.bench_function("event_queue_1M", |b| {
        b.iter(|| {
            let mut q = EventQueue::new();
            let visibility = q.lane(30_000);
            let mut x: u64 = 12345;
            let mut now = 0;
            for i in 0..100u32 {
                q.schedule(u64::from(i) * 7, Event::Arrival { producer: i });
            }
            for _ in 0..500_000 {
                let (t, e) = q.pop().expect("pending events");
                now = t;
                q.schedule(now + xorshift(&mut x) % 1000, e);
                q.schedule_in(visibility, now + 30_000, Event::Sample);
                if let Some((t, _)) = q.pop() {
                    now = t;
                }
            }
            now
        })
    });
    group.finish();
}

/// 1 M messages through the store: insert visible, take the oldest, remove.
fn message_store(c: &mut Criterion) {
    use mqsim::engine::queue::{Lineage, QueueStore};
    let mut group = c.benchmark_group("hot");
    group.throughput(Throughput::Elements(1_000_000));
    group.bench_function("message_store_1M", |b| {
        b.iter(|| {
            let mut store = QueueStore::new();
            for t in 0..1_000_000u64 {
                store.insert_visible(t, false, 0, Lineage::root(t));
                if t % 2 == 1 {
                    for _ in 0..2 {
                        let h = store.pop_visible().expect("a visible message");
                        store.remove(t, h);
                    }
                }
            }
            store.live()
        })
    });
    group.finish();
}

/// The ceiling: the same M/M/c model (λ 9/s, 10 servers, exp 1 s, 1 M
/// customers) as a bare binary-heap event loop with nothing else: no queue
/// semantics, no statistics, no time series. mqsim's engine is compared with
/// this in docs/performance.md.
fn bare_heap_mmc(c: &mut Criterion) {
    use rand::{Rng, SeedableRng};
    use rand_distr::Exp1;
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    const CUSTOMERS: u64 = 1_000_000;
    let mut group = c.benchmark_group("hot");
    group.throughput(Throughput::Elements(CUSTOMERS));
    group.bench_function("bare_heap_mmc_1M", |b| {
        b.iter(|| {
            let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(1);
            let mut heap = BinaryHeap::new();
            let (mut seq, mut arrived, mut busy, mut waiting) = (0u64, 0u64, 0u32, 0u64);
            let ticks = |rng: &mut rand_pcg::Pcg64Mcg, mean_us: f64| {
                (rng.sample::<f64, _>(Exp1) * mean_us) as u64 + 1
            };
            heap.push(Reverse((ticks(&mut rng, 1e6 / 9.0), 0u64, true)));
            while let Some(Reverse((now, _, is_arrival))) = heap.pop() {
                seq += 1;
                if is_arrival {
                    arrived += 1;
                    if arrived < CUSTOMERS {
                        heap.push(Reverse((now + ticks(&mut rng, 1e6 / 9.0), seq, true)));
                    }
                    if busy < 10 {
                        busy += 1;
                        heap.push(Reverse((now + ticks(&mut rng, 1e6), seq, false)));
                    } else {
                        waiting += 1;
                    }
                } else if waiting > 0 {
                    waiting -= 1;
                    heap.push(Reverse((now + ticks(&mut rng, 1e6), seq, false)));
                } else {
                    busy -= 1;
                }
            }
            seq
        })
    });
    group.finish();
}

/// Events handled in each next-event and lane bench run.
const EVENTS: u64 = 1_000_000;

/// The next state of a xorshift generator: cheap draws that are the same
/// for every structure a bench compares.
fn xorshift(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

/// A delay in µs, uniform over (0, 2 s].
fn draw(x: &mut u64) -> u64 {
    1 + xorshift(x) % 2_000_000
}

/// `n` entities, each with one pending event. Each event handled
/// schedules its entity's next one, except every third: that entity goes
/// idle and the one idle longest gets its next event (a consumer waiting
/// for a message, woken by an arrival).
fn next_event(c: &mut Criterion) {
    let mut group = c.benchmark_group("next_event");
    group.throughput(Throughput::Elements(EVENTS));
    for n in [11u32, 601] {
        group.bench_function(format!("heap_{n}_entities"), |b| {
            b.iter(|| next_event_heap(n))
        });
        group.bench_function(format!("slots_{n}_entities"), |b| {
            b.iter(|| next_event_slots(n))
        });
    }
    group.finish();
}

fn next_event_heap(n: u32) -> u64 {
    use mqsim::engine::events::{Event, EventQueue};
    let mut q = EventQueue::new();
    let (mut x, mut idle) = (12345u64, None);
    for p in 0..n {
        q.schedule(draw(&mut x), Event::Arrival { producer: p });
    }
    let mut now = 0;
    for i in 0..EVENTS {
        let (t, event) = q.pop().expect("pending events");
        now = t;
        let Event::Arrival { producer } = event else {
            unreachable!("only arrivals are scheduled")
        };
        if i % 3 == 0 {
            let woken = idle.replace(producer).unwrap_or(producer);
            q.schedule(now + draw(&mut x), Event::Arrival { producer: woken });
        } else {
            q.schedule(now + draw(&mut x), event);
        }
    }
    now
}

fn next_event_slots(n: u32) -> u64 {
    let mut tree = slots::Slots::new(n as usize);
    let (mut x, mut seq, mut idle) = (12345u64, 0u64, None);
    let mut key = |time: u64| {
        seq += 1;
        (u128::from(time) << 64) | u128::from(seq)
    };
    for p in 0..n as usize {
        let k = key(draw(&mut x));
        tree.set(p, k);
    }
    let mut now = 0;
    for i in 0..EVENTS {
        let (k, slot) = tree.min();
        now = (k >> 64) as u64;
        if i % 3 == 0 {
            let woken = idle.replace(slot).unwrap_or(slot);
            if woken != slot {
                tree.set(slot, slots::EMPTY);
            }
            let k = key(now + draw(&mut x));
            tree.set(woken, k);
        } else {
            let k = key(now + draw(&mut x));
            tree.set(slot, k);
        }
    }
    now
}

/// A lane of visibility deadlines at 12 h, one per event, of which all
/// but one in a hundred are made moot by a delete: compacted away as the
/// engine does, or left in the lane (and dispatched, were the run long
/// enough).
fn lanes(c: &mut Criterion) {
    use mqsim::engine::events::{Event, EventQueue};
    let mut group = c.benchmark_group("lanes");
    group.throughput(Throughput::Elements(EVENTS));
    for compacted in [true, false] {
        let name = if compacted {
            "moot_deadlines_compacted"
        } else {
            "moot_deadlines_kept"
        };
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut q = EventQueue::new();
                if !compacted {
                    q.set_compact_floor(usize::MAX);
                }
                let lane = q.lane(43_200_000_000);
                for t in 0..EVENTS {
                    let event = Event::Arrival {
                        producer: (t % 100) as u32,
                    };
                    q.schedule_in(lane, t + 43_200_000_000, event);
                    if q.lanes_over() {
                        q.retain_lanes(|_, e| *e == Event::Arrival { producer: 0 });
                    }
                }
                q.len()
            })
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    mmc,
    pipeline,
    event_queue,
    message_store,
    bare_heap_mmc,
    next_event,
    lanes
);
criterion_main!(benches);
