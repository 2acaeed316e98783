//! The edges of the topology diagram from fleets to the shared resources
//! they hold.
//!
//! Contract: one edge per (fleet, resource) pair, for `uses` entries and an
//! idempotency `store` alike. Its rate is the resource's acquires granted
//! over the run (mean over replications) divided by the `duration`
//! producers send for, when that fleet's entries are the only ones that
//! name the resource; the simulation counts acquires per resource, not per
//! fleet, so where several fleets share it each edge carries its fleet's
//! deliveries times its entries for that resource, noted "estimate" (every
//! delivery is processed once, and holds each entry's resource once unless
//! a refused acquire or a suppressed duplicate ends it first).

use super::flows::{edge, metric};
use crate::output::report::topology::{EdgeKind, TopoEdge};
use crate::output::summary::RunSummary;
use crate::scenario::{ConsumerConfig, Scenario};

/// How many times one processing of fleet `c` holds resource `k`, and
/// whether only as its idempotency store.
fn holds(c: &ConsumerConfig, k: usize) -> (usize, bool) {
    let uses = c.uses.iter().filter(|u| u.resource.index == k).count();
    let store = c
        .idempotency
        .as_ref()
        .and_then(|i| i.store.as_ref())
        .is_some_and(|s| s.index == k);
    (uses + usize::from(store), uses == 0 && store)
}

/// The edges from the fleets (`fleet[q]`: the node of queue `q`'s fleet)
/// to the resources (resource `k` is node `first_resource + k`); `s` is a
/// network's summary (`s.queues` in the order of `sc.queues`).
pub(super) fn use_edges(
    sc: &Scenario,
    s: &RunSummary,
    fleet: &[Option<usize>],
    first_resource: usize,
) -> Vec<TopoEdge> {
    let per_sec = 1.0 / sc.duration.as_secs_f64().max(1e-9);
    let mut out = Vec::new();
    for (k, r) in s.resources.iter().enumerate() {
        let holders: Vec<(usize, usize, usize, bool)> = sc
            .queues
            .iter()
            .enumerate()
            .filter_map(|(q, node)| {
                let (n, store_only) = holds(node.consumers.as_ref()?, k);
                Some((q, fleet.get(q).copied().flatten()?, n, store_only)).filter(|h| h.2 > 0)
            })
            .collect();
        let alone = holders.len() == 1;
        for (q, from, n, store_only) in holders {
            let (rate, estimate) = if alone {
                (r.mean("acquired") * per_sec, false)
            } else {
                let received = s
                    .queues
                    .get(q)
                    .map_or(f64::NAN, |qs| metric(qs, "received"));
                (received * n as f64 * per_sec, true)
            };
            let note = match (store_only, estimate) {
                (true, true) => Some("idempotency store · estimate".to_owned()),
                (true, false) => Some("idempotency store".to_owned()),
                (false, true) => Some("estimate".to_owned()),
                (false, false) => None,
            };
            out.push(edge(from, first_resource + k, rate, note, EdgeKind::Use));
        }
    }
    out
}
