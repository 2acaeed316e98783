//! Engine throughput on the M/M/c model of the reference simulators
//! (λ = 9/s, 10 consumers, exponential 1 s processing, batch 1, long
//! visibility timeout): about 1 million messages, one replication, one thread.
//! Criterion reports the time per run; messages per second = produced / time.

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
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

fn mmc(c: &mut Criterion) {
    let scenario = load_str(MMC, Path::new("bench-mmc.toml"), &[]).expect("valid bench scenario");
    let messages = run_replication(&scenario, 0).metrics.produced as u64;
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    group.throughput(Throughput::Elements(messages));
    group.bench_function("mmc_1M_messages", |b| {
        b.iter(|| run_replication(&scenario, 0))
    });
    group.finish();
}

criterion_group!(benches, mmc);
criterion_main!(benches);
