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

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mqsim::engine::result::ReplicationResult;
use mqsim::engine::run_replication;
use mqsim::scenario::load_str;

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
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let (t, e) = q.pop().expect("pending events");
                now = t;
                q.schedule(now + x % 1000, e);
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

criterion_group!(
    benches,
    mmc,
    pipeline,
    event_queue,
    message_store,
    bare_heap_mmc
);
criterion_main!(benches);
