//! The resource faults in the outlook. A `resource-outage` stops every
//! fleet that holds its resource (in `uses`, or as its idempotency
//! `store`): with `mode = "fail"` its acquires are refused, with `"hang"`
//! they wait, and either way it completes nothing, so its capacity is 0
//! while the outage lasts. A `resource-slowdown` makes the holds of its
//! resource take `factor` × as long: the capacity is the model's on a copy
//! of the scenario whose holds of that resource (`uses` entries and store
//! lookups) are drawn `factor` × as long ([`Dist::scaled`]; overlapping
//! slowdowns multiply, as in the engine), so the waits and the contention
//! of every fleet that shares it follow.
//!
//! [`Dist::scaled`]: mqsim::dist::Dist::scaled

use std::borrow::Cow;

use mqsim::scenario::{ConsumerConfig, FaultKind, Scenario};

use super::active;

/// Whether fleet `c` holds resource `r`: in `uses`, or as its
/// idempotency store.
pub fn holds(c: &ConsumerConfig, r: usize) -> bool {
    let store = c.idempotency.as_ref().and_then(|i| i.store.as_ref());
    c.uses.iter().any(|u| u.resource.index == r) || store.is_some_and(|s| s.index == r)
}

/// The queues whose fleets hold resource `r`, in scenario order.
pub fn holders(sc: &Scenario, r: usize) -> Vec<usize> {
    let holding = |c: &Option<ConsumerConfig>| c.as_ref().is_some_and(|c| holds(c, r));
    (0..sc.queues.len())
        .filter(|&i| holding(&sc.queues[i].consumers))
        .collect()
}

/// Whether a resource outage active at `t` seconds stops fleet `c`.
pub fn stopped(sc: &Scenario, c: &ConsumerConfig, t: f64) -> bool {
    active(sc, t).any(|f| match &f.kind {
        FaultKind::ResourceOutage { resource, .. } => holds(c, resource.index),
        _ => false,
    })
}

/// `sc` with the holds of each resource under the slowdowns active at `t`
/// seconds drawn their factors' product × as long; `sc` itself when none
/// is active.
pub fn slowed(sc: &Scenario, t: f64) -> Cow<'_, Scenario> {
    let mut factors = vec![1.0; sc.resources.len()];
    for f in active(sc, t) {
        if let FaultKind::ResourceSlowdown { resource, factor } = &f.kind {
            factors[resource.index] *= factor;
        }
    }
    if factors.iter().all(|&k| k == 1.0) {
        return Cow::Borrowed(sc);
    }
    let mut sc = sc.clone();
    for c in sc.queues.iter_mut().filter_map(|q| q.consumers.as_mut()) {
        for u in &mut c.uses {
            u.hold = u.hold.scaled(factors[u.resource.index]);
        }
        if let Some(i) = &mut c.idempotency
            && let Some(store) = &i.store
        {
            i.lookup = i.lookup.scaled(factors[store.index]);
        }
    }
    Cow::Owned(sc)
}
