//! Sentences of what lies downstream of a fleet: the shared resources
//! (`[resources.NAME]`) and what a fleet does with them (`uses`,
//! `idempotency`, `breaker`), worded from the resolved scenario.
//!
//! Contract: as [`super::describe`], each sentence states what the model
//! does (docs/model.md, the engine's `fleet::steps`, `fleet::breaker` and
//! `resource` modules): the steps of a processing in their order, who
//! waits and what they hold meanwhile, what fails a processing, when the
//! breaker opens and closes, what the idempotency table skips and what it
//! lets through. A fleet without these settings gets no sentence from here,
//! nor does a scenario without resources.

use super::words::{dist, num, pct, time};
use crate::scenario::{Breaker, ConsumerConfig, Contention, Idempotency, ResourceNode, Scenario};

/// The fleet's sentences about its resources, idempotency and breaker.
pub(super) fn fleet_downstream(c: &ConsumerConfig) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(i) = &c.idempotency {
        out.push(idempotency(i));
    }
    if !c.uses.is_empty() {
        out.push(uses(c));
    }
    if let Some(b) = &c.breaker {
        out.push(breaker(b, c.idempotency.is_some()));
    }
    out
}

/// A message's processing is its resource holds alone (no own time).
pub(super) fn no_own_processing(c: &ConsumerConfig) -> bool {
    (!c.uses.is_empty() || c.idempotency.is_some())
        && c.processing == (crate::dist::Dist::Const { value: 0.0 })
}

fn uses(c: &ConsumerConfig) -> String {
    let holds: Vec<String> = c
        .uses
        .iter()
        .map(|u| format!("resource \"{}\" for {}", u.resource.name, dist(&u.hold)))
        .collect();
    let first = if no_own_processing(c) {
        "For each message a consumer holds"
    } else {
        "After its own processing of each message, a consumer holds"
    };
    let order = if holds.len() > 1 {
        ", one after the other (each released before the next is asked for)"
    } else {
        ""
    };
    format!(
        "{first} {}{order}; while a resource is full it waits in line, first come first served, \
         keeping its message (whose visibility timer runs) and its consumer slot; the hold time \
         is the draw times the resource's contention factor and any slowdown in effect when the \
         hold starts; an acquire that times out or is refused in an outage fails the processing \
         at once, and the rest of it is skipped; otherwise whether the processing fails (errors, \
         poison) is decided when the last hold ends.",
        holds.join(", then ")
    )
}

fn idempotency(i: &Idempotency) -> String {
    let store = match &i.store {
        Some(r) => format!(", holding resource \"{}\" meanwhile", r.name),
        None => String::new(),
    };
    format!(
        "Before processing a message, a consumer looks it up in a table of the messages completed \
         in the last {} (the lookup takes {}{store}); a message found there is deleted without \
         being processed again (nothing emitted: duplicates_suppressed); a message processed again \
         after its record expired, or before its first processing completed, repeats its side \
         effect (side_effect_duplicates); a completion is recorded the moment a processing \
         succeeds.",
        time(i.ttl),
        dist(&i.lookup)
    )
}

fn breaker(b: &Breaker, idempotency: bool) -> String {
    let skipped = if idempotency {
        "; a message skipped by the idempotency lookup is not counted"
    } else {
        ""
    };
    format!(
        "A circuit breaker guards the fleet's receives: when more than {} of the processings that \
         ended in the last {} failed, with at least {} of them (an acquire that timed out or was \
         refused counts as a failure{skipped}), it opens and the fleet stops receiving \
         (consumers busy with a batch finish it); after {} one consumer receives again, and the \
         outcome of its first processing closes the breaker or opens it for another {}.",
        pct(b.error_rate),
        time(b.window),
        b.min_calls,
        time(b.open_for),
        time(b.open_for)
    )
}

/// One sentence per shared resource of `sc`, in its order.
pub(super) fn resource_sentences(sc: &Scenario) -> Vec<String> {
    sc.resources
        .iter()
        .enumerate()
        .map(|(k, r)| resource(sc, k, r))
        .collect()
}

fn resource(sc: &Scenario, k: usize, r: &ResourceNode) -> String {
    let mut s = format!(
        "Resource \"{}\": at most {} consumer{} hold it at once (capacity); the others wait in line",
        r.name,
        r.capacity,
        if r.capacity == 1 { "" } else { "s" }
    );
    s += &match r.acquire_timeout {
        Some(t) => format!(
            ", and one that has waited {} gives up, failing its processing (acquire_timeout)",
            time(t)
        ),
        None => ", as long as it takes (no acquire_timeout)".to_owned(),
    };
    s += &match r.contention {
        Contention::None => "; holds take their drawn time however many hold it".to_owned(),
        Contention::Usl { sigma, kappa } => {
            let mut c = format!(
                "; with n holders a hold takes 1 + σ(n − 1) + κn(n − 1) times its drawn time \
                 (Universal Scalability Law, σ = {}, κ = {})",
                num(sigma),
                num(kappa)
            );
            if let Some(peak) = r.contention.peak_holders() {
                c += &format!(
                    ", so its throughput peaks at about {} holders",
                    num(peak.round())
                );
                if peak < f64::from(r.capacity) {
                    c += " and falls beyond, below its capacity";
                }
            }
            c
        }
    };
    let users = holders(sc, k);
    if !users.is_empty() {
        s += &format!("; held by {}", users.join(" and "));
    }
    s + "."
}

/// Who holds resource `k`: "the consumers of queue \"orders\"" (or "the
/// consumers" for a single queue), as a `uses` entry or idempotency store.
fn holders(sc: &Scenario, k: usize) -> Vec<String> {
    sc.queues
        .iter()
        .filter_map(|q| {
            let c = q.consumers.as_ref()?;
            let uses = c.uses.iter().any(|u| u.resource.index == k);
            let store = c
                .idempotency
                .as_ref()
                .and_then(|i| i.store.as_ref())
                .is_some_and(|s| s.index == k);
            let who = if sc.is_network() {
                format!("the consumers of queue \"{}\"", q.name)
            } else {
                "the consumers".to_owned()
            };
            match (uses, store) {
                (false, false) => None,
                (true, false) => Some(who),
                (false, true) => Some(format!("{who} (idempotency store)")),
                (true, true) => Some(format!("{who} (uses, and idempotency store)")),
            }
        })
        .collect()
}
