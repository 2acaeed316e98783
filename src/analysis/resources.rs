//! The shared resources in `check`: one line a resource (the holds a second
//! its fleets ask of it against what it gives, the USL peak); a warning
//! when its fleets can put more holders on it than its USL peak, where
//! more concurrency only makes each hold slower, and one when the model's
//! mean wait for a slot exceeds a quarter of the `acquire_timeout` (the
//! model takes every wait to end in a grant).

use std::io::{self, Write};

use mqsim::scenario::Scenario;
use mqsim::traffic::ResourceTraffic;

/// One line a resource, after the queues' lines.
pub(super) fn write(resources: &[ResourceTraffic], out: &mut dyn Write) -> io::Result<()> {
    for r in resources {
        let l = &r.load;
        let peak = match l.peak_holders {
            Some(p) => format!(
                "; USL peak {p:.1} holders, {:.4} holds/s at {}",
                l.best_throughput, l.best_holders
            ),
            None => String::new(),
        };
        writeln!(
            out,
            "resource        {}: offered {:.4} holds/s, capacity {:.4} holds/s at {} holders \
             (utilisation {:.4}; capacity {}, mean hold {:.4} s{peak})",
            l.name,
            r.offered,
            l.throughput,
            fmt_holders(l.holders),
            r.utilization,
            l.capacity,
            l.mean_hold
        )?;
    }
    Ok(())
}

fn fmt_holders(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        format!("{n:.1}")
    }
}

/// The warnings about `sc`'s resources (`resources`, in its order).
pub(super) fn warnings(sc: &Scenario, resources: &[ResourceTraffic]) -> Vec<String> {
    let mut warnings = past_peak(resources);
    for (node, r) in sc.resources.iter().zip(resources) {
        let Some(timeout) = node.acquire_timeout else {
            continue;
        };
        let t = timeout.as_secs_f64();
        if r.load.wait > t / 4.0 {
            warnings.push(format!(
                "resource {}: at the queues' arrival rates an acquire waits {:.3} s on average,                  more than a quarter of its acquire_timeout ({t} s): expect timeouts (failed                  processings), which the capacity figures leave out",
                node.name, r.load.wait
            ));
        }
    }
    warnings
}

/// A warning for each resource whose fleets can hold it with more
/// concurrent holders than its USL peak, when that costs throughput.
fn past_peak(resources: &[ResourceTraffic]) -> Vec<String> {
    resources
        .iter()
        .filter_map(|r| {
            let l = &r.load;
            let peak = l.peak_holders?;
            (l.holders > peak && l.best_throughput > 1.01 * l.throughput).then(|| {
                format!(
                    "resource {}: its fleets can hold it {} at once, past its USL peak of \
                     {peak:.1} holders: busy, it completes {:.4} holds/s, against {:.4} at {} \
                     holders. Under a backlog the extra holders only slow every hold down; \
                     fewer consumers (or a smaller capacity) would give more throughput",
                    l.name,
                    fmt_holders(l.holders),
                    l.throughput,
                    l.best_throughput,
                    l.best_holders
                )
            })
        })
        .collect()
}
