//! Shared resources in the capacity model: what a fleet's processings
//! spend waiting for and holding the resources they name (`uses`, an
//! idempotency `store`), and how many holds a second a resource gives.
//!
//! The engine (src/engine/resource.rs) gives a resource's `capacity`
//! slots first come first served; a hold takes its draw times the
//! contention factor `f(n)` (USL: `1 + sigma (n - 1) + kappa n (n - 1)`)
//! for the `n` holders at its start, itself included. The model:
//!
//! * **A resource's throughput** with `n` holders is `n / (h f(n))` holds
//!   a second, `h` the mean hold draw. Its fleets can put at most their
//!   up consumers there, so when they keep it busy it has `n = min(capacity,
//!   consumers)` holders and gives [`saturated_throughput`] (its capacity
//!   in `check`); the engine does not stop at the USL peak
//!   `sqrt((1 - sigma) / kappa)`, where [`best_throughput`] is.
//! * **The closed loop.** Each busy consumer of the fleets that use a
//!   resource goes round: away from it (its own processing, round trips,
//!   other resources) for `Z` seconds on average, then in its line, then
//!   holding it. For those consumers together this is a birth-death chain
//!   on `j`, the consumers at the resource: arrivals `(N - j) / Z`,
//!   completions `min(j, capacity) / (h f(min(j, capacity)))` (the
//!   product form of a closed network with an infinite-server and a
//!   load-dependent station). Its stationary law gives the holds a
//!   second, the mean holders and the mean line; Little's law turns them
//!   into the mean wait `W` an acquire and the stretch `φ` (mean hold /
//!   mean draw). With more consumers than capacity and little else to
//!   do, the line never empties and the rate is `capacity / (h f(capacity))`
//!   exactly; without contention and with fewer consumers than capacity
//!   there is no wait.
//! * **Fleets together.** A processing takes `Σ (W_r + h φ_r)` seconds more,
//!   one term a visit; the consumer cycle of [`super::Station`] follows
//!   (repeats and caps included), and each fleet's busy consumers are its
//!   rate × its consumer time a message (all of its up consumers when it
//!   is saturated). Several fleets sharing a resource are pooled into its
//!   chain (their consumers summed, `Z` and `h` the means over their
//!   visits), and all wait the same `W` (one FIFO line), so a fleet's
//!   share of the holds follows from its own cycle: the line splits the
//!   throughput by consumers and cycle times, not by offered rates. The
//!   waits and stretches are iterated to their fixed point.
//! * **The limit.** A fleet is limited by a resource when its share of the
//!   resource's throughput (the throughput × its part of the holds) is
//!   below what its consumers would do without waiting; its capacity is
//!   the loop's rate, which never exceeds either.
//!
//! Left out: `acquire_timeout` (a wait is taken to end in a grant; `check`
//! warns when the mean wait nears the timeout), the hold time's shape (the
//! chain takes it exponential; it matters only near the knee), resource
//! outages and slowdowns (faults), and the idempotency lookups that skip
//! the rest of a processing (only duplicates do).

use serde::Serialize;

use super::{Conditions, Held, Station};
use crate::scenario::{ConsumerConfig, Contention, Scenario};

/// Sweeps of the fixed point, at most.
const MAX_ITERATIONS: u32 = 2_000;
/// The waits and stretches settle when none moves by more than this share.
const TOLERANCE: f64 = 1e-10;

/// What a fleet asks of the resources it holds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Demand {
    /// Consumers counted.
    pub consumers: f64,
    /// The share of time a consumer is up.
    pub availability: f64,
    /// The conditions it works under.
    pub cond: Conditions,
    /// Messages per second arriving at its queue; `None`: saturated.
    pub arrivals: Option<f64>,
}

/// One visit of a processing to a resource: which, and its hold draw's
/// mean and variance in seconds.
#[derive(Clone, Copy, Debug)]
struct Visit {
    resource: usize,
    mean: f64,
    var: f64,
}

/// The visits of one processing of fleet `c`: the store lookup, then each
/// `uses` entry.
fn visits(c: &ConsumerConfig) -> Vec<Visit> {
    let lookup = c.idempotency.iter().filter_map(|i| {
        i.store.as_ref().map(|r| Visit {
            resource: r.index,
            mean: i.lookup.mean(),
            var: i.lookup.variance(),
        })
    });
    let uses = c.uses.iter().map(|u| Visit {
        resource: u.resource.index,
        mean: u.hold.mean(),
        var: u.hold.variance(),
    });
    lookup.chain(uses).collect()
}

/// Whether fleet `c`'s processings hold shared resources.
pub(crate) fn holds_any(c: &ConsumerConfig) -> bool {
    !c.uses.is_empty() || c.idempotency.as_ref().is_some_and(|i| i.store.is_some())
}

/// Every fleet of `sc` saturated with its `consumers.count`, queue `index`
/// (if any) with `consumers` of which `availability` is up.
pub fn saturated(
    sc: &Scenario,
    index: Option<usize>,
    consumers: f64,
    availability: f64,
) -> Vec<Option<Demand>> {
    (0..sc.queues.len())
        .map(|i| {
            let st = Station::of(sc, i)?;
            let (consumers, availability) = if Some(i) == index {
                (consumers, availability)
            } else {
                (f64::from(st.consumers.count), st.availability())
            };
            Some(Demand {
                consumers,
                availability,
                cond: Conditions::default(),
                arrivals: None,
            })
        })
        .collect()
}

/// Holds a second of a resource with `holders` concurrent holders of mean
/// draw `mean_hold` seconds: `holders / (mean_hold × f(holders))`.
pub fn saturated_throughput(contention: &Contention, mean_hold: f64, holders: f64) -> f64 {
    if holders <= 0.0 {
        return 0.0;
    }
    holders / (mean_hold * factor(contention, holders))
}

/// The holders in `1..=capacity` that give the most holds a second, and
/// that rate: `capacity` without contention, the USL peak (rounded to the
/// better neighbour) below it.
pub fn best_throughput(contention: &Contention, mean_hold: f64, capacity: u32) -> (u32, f64) {
    let at = |n: u32| (n, saturated_throughput(contention, mean_hold, f64::from(n)));
    let capacity = capacity.max(1);
    match contention.peak_holders() {
        Some(peak) if peak < f64::from(capacity) => {
            let low = (peak.floor() as u32).clamp(1, capacity);
            let high = (peak.ceil() as u32).clamp(1, capacity);
            let (a, b) = (at(low), at(high));
            if b.1 > a.1 { b } else { a }
        }
        _ => at(capacity),
    }
}

/// The contention factor at a real number of holders.
fn factor(contention: &Contention, n: f64) -> f64 {
    match *contention {
        Contention::None => 1.0,
        Contention::Usl { sigma, kappa } => {
            let n = n.max(1.0);
            1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0)
        }
    }
}

/// The stationary means of the birth-death chain of a resource's consumers.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Loop {
    /// Holds a second.
    rate: f64,
    /// Mean holders.
    holders: f64,
    /// Mean consumers in line.
    waiting: f64,
}

impl Loop {
    fn lerp(self, other: Loop, t: f64) -> Loop {
        let mix = |a: f64, b: f64| a + (b - a) * t;
        Loop {
            rate: mix(self.rate, other.rate),
            holders: mix(self.holders, other.holders),
            waiting: mix(self.waiting, other.waiting),
        }
    }
}

/// The chain of `consumers` (interpolated between whole numbers), each
/// away `think` seconds between visits, at a resource of `capacity` slots
/// whose holds take `hold` seconds × the contention factor.
fn closed_loop(
    consumers: f64,
    think: f64,
    hold: f64,
    capacity: u32,
    contention: &Contention,
) -> Loop {
    let consumers = consumers.max(0.0);
    let low = consumers.floor();
    let at = |n: f64| whole_loop(n as u64, think, hold, capacity, contention);
    if consumers == low {
        return at(low);
    }
    at(low).lerp(at(low + 1.0), consumers - low)
}

/// [`closed_loop`] for a whole number of consumers.
fn whole_loop(
    consumers: u64,
    think: f64,
    hold: f64,
    capacity: u32,
    contention: &Contention,
) -> Loop {
    let holding = |j: u64| j.min(u64::from(capacity)) as u32;
    let completions = |j: u64| {
        let n = holding(j);
        f64::from(n) / (hold * contention.factor(n))
    };
    if consumers == 0 {
        return Loop::default();
    }
    if think <= hold * 1e-12 {
        // Nothing else to do: every consumer is at the resource.
        let n = f64::from(holding(consumers));
        return Loop {
            rate: completions(consumers),
            holders: n,
            waiting: consumers as f64 - n,
        };
    }
    // log of the unnormalised probability of j at the resource.
    let mut log = Vec::with_capacity(consumers as usize + 1);
    let mut w = 0.0;
    log.push(w);
    for j in 1..=consumers {
        w += ((consumers - j + 1) as f64 / think).ln() - completions(j).ln();
        log.push(w);
    }
    let top = log.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (mut total, mut sum) = (0.0, Loop::default());
    for (j, l) in log.iter().enumerate() {
        let p = (l - top).exp();
        let j = j as u64;
        let n = f64::from(holding(j));
        total += p;
        sum.rate += p * completions(j);
        sum.holders += p * n;
        sum.waiting += p * (j as f64 - n);
    }
    Loop {
        rate: sum.rate / total,
        holders: sum.holders / total,
        waiting: sum.waiting / total,
    }
}

/// One fleet's part of the solution.
#[derive(Clone, Copy, Debug, Default)]
struct FleetLoad {
    /// Resource seconds a processing.
    held: Held,
    /// Messages a second taken to their end.
    rate: f64,
    /// Processings a message.
    processings: f64,
    /// Consumers busy (rate × consumer seconds a message).
    busy: f64,
}

/// A resource's figures in the capacity model.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ResourceLoad {
    /// Its name.
    pub name: String,
    /// Its `capacity`: most concurrent holders.
    pub capacity: u32,
    /// Up consumers of the fleets that hold it.
    pub consumers: f64,
    /// Holders when its fleets keep it busy: `min(capacity, consumers)`.
    pub holders: f64,
    /// Mean hold draw, seconds, before contention (over its fleets' holds).
    pub mean_hold: f64,
    /// The contention factor at `holders`.
    pub factor: f64,
    /// Holds a second at `holders` ([`saturated_throughput`]): its capacity.
    pub throughput: f64,
    /// The USL peak `sqrt((1 - sigma) / kappa)`, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_holders: Option<f64>,
    /// The holders in `1..=capacity` that would give the most holds a second.
    pub best_holders: u32,
    /// Holds a second at `best_holders`.
    pub best_throughput: f64,
    /// Holds a second in the solution (its fleets at their demands).
    pub holds: f64,
    /// Mean wait for a slot in the solution, seconds.
    pub wait: f64,
    /// Mean holders in the solution.
    pub busy_holders: f64,
}

/// The waits and stretches of every resource, with every fleet's load.
pub struct Solution {
    fleets: Vec<Option<FleetLoad>>,
    /// Each resource's figures.
    pub loads: Vec<ResourceLoad>,
}

impl Solution {
    /// The resource seconds a processing of queue `index`'s fleet takes.
    pub(crate) fn held(&self, index: Option<usize>) -> Held {
        index
            .and_then(|i| self.fleets.get(i).copied().flatten())
            .map_or(Held::default(), |f| f.held)
    }

    /// Holds a second of resource `r` the fleet of queue `index` puts
    /// through per message a second.
    pub fn holds_per_message(&self, sc: &Scenario, index: usize, r: usize) -> f64 {
        let Some(fleet) = self.fleets.get(index).copied().flatten() else {
            return 0.0;
        };
        let Some(c) = sc.queues.get(index).and_then(|q| q.consumers.as_ref()) else {
            return 0.0;
        };
        let n = visits(c).iter().filter(|v| v.resource == r).count();
        fleet.processings * n as f64
    }

    /// The resource that limits `st` (with demand `mine`, taking `held`
    /// seconds a processing, at `rate` messages a second), if its share of
    /// a resource's throughput is below what its consumers would do
    /// without waiting; with the words for [`super::Capacity::limit`].
    pub(crate) fn limit(
        &self,
        st: &Station,
        mine: &Demand,
        held: Held,
        rate: f64,
    ) -> Option<(usize, String)> {
        let index = st.index?;
        let sc = st.scenario;
        let vs = visits(st.consumers);
        let waited: f64 = vs.iter().map(|v| self.loads[v.resource].wait).sum();
        let unwaited = Held {
            mean: held.mean - waited,
            var: held.var,
        };
        let free = st
            .model_held(mine.consumers, mine.availability, &mine.cond, unwaited)
            .0
            .rate;
        let mut best: Option<(usize, f64, f64)> = None;
        for v in &vs {
            let load = &self.loads[v.resource];
            let per = self.holds_per_message(sc, index, v.resource);
            if load.holds <= 0.0 || per <= 0.0 {
                continue;
            }
            let part = rate * per / load.holds;
            let share = load.throughput * part / per;
            if best.is_none_or(|b| share < b.1) {
                best = Some((v.resource, share, part));
            }
        }
        let (r, share, part) = best?;
        if share >= free {
            return None;
        }
        let load = &self.loads[r];
        let shared = if part < 1.0 - 1e-9 {
            format!("; this fleet {:.1}% of them", part * 100.0)
        } else {
            String::new()
        };
        let why = format!(
            "resource {} ({} connections: {:.4} holds/s at {} holders{shared})",
            load.name,
            load.capacity,
            load.throughput,
            count(load.holders)
        );
        Some((r, why))
    }
}

/// A count of consumers or holders: whole, or with one decimal.
pub fn count(n: f64) -> String {
    if (n - n.round()).abs() < 1e-9 {
        format!("{}", n.round())
    } else {
        format!("{n:.1}")
    }
}

/// A fleet of the solve: its queue, station, demand and visits.
struct Member<'a> {
    index: usize,
    station: Station<'a>,
    demand: Demand,
    visits: Vec<Visit>,
}

impl Member<'_> {
    /// Its load when acquires wait `wait` and holds stretch `stretch`.
    fn load(&self, wait: &[f64], stretch: &[f64]) -> FleetLoad {
        let mut held = Held::default();
        for v in &self.visits {
            let phi = stretch[v.resource];
            held.mean += wait[v.resource] + v.mean * phi;
            held.var += v.var * phi * phi;
        }
        let d = &self.demand;
        let (cap, cost) = self
            .station
            .model_held(d.consumers, d.availability, &d.cond, held);
        let rate = d.arrivals.map_or(cap.rate, |a| a.min(cap.rate)).max(0.0);
        FleetLoad {
            held,
            rate,
            processings: cost.processings,
            busy: (rate * cost.total).min(d.consumers * d.availability),
        }
    }
}

/// What a resource's fleets bring it in one sweep.
#[derive(Clone, Copy, Debug, Default)]
struct Pool {
    /// Holds a second.
    holds: f64,
    /// Of which the draws sum to this a second.
    draws: f64,
    /// Consumers busy in the fleets that hold it.
    busy: f64,
    /// Up consumers of those fleets.
    up: f64,
    /// Sum of the fleets' visit means, and visits, for a mean hold
    /// without demand.
    plain: (f64, f64),
}

fn pools(sc: &Scenario, members: &[Member], loads: &[FleetLoad]) -> Vec<Pool> {
    let mut pools = vec![Pool::default(); sc.resources.len()];
    for (m, l) in members.iter().zip(loads) {
        let mut seen = vec![false; pools.len()];
        for v in &m.visits {
            let p = &mut pools[v.resource];
            let visits = l.rate * l.processings;
            p.holds += visits;
            p.draws += visits * v.mean;
            p.plain.0 += v.mean;
            p.plain.1 += 1.0;
            if !seen[v.resource] {
                seen[v.resource] = true;
                p.busy += l.busy;
                p.up += m.demand.consumers * m.demand.availability;
            }
        }
    }
    pools
}

/// Solves the waits and stretches of every resource of `sc` when each
/// fleet asks what `demands` (indexed by queue) says; fleets without a
/// demand are left out.
pub fn solve(sc: &Scenario, demands: &[Option<Demand>]) -> Solution {
    let members: Vec<Member> = (0..sc.queues.len())
        .filter_map(|index| {
            let demand = demands.get(index).copied().flatten()?;
            let station = Station::of(sc, index)?;
            let visits = visits(station.consumers);
            (!visits.is_empty()).then_some(Member {
                index,
                station,
                demand,
                visits,
            })
        })
        .collect();
    let nr = sc.resources.len();
    let mut wait = vec![0.0; nr];
    let mut stretch = vec![1.0; nr];
    let mut lines = vec![Loop::default(); nr];
    for sweep in 0..MAX_ITERATIONS {
        let loads: Vec<FleetLoad> = members.iter().map(|m| m.load(&wait, &stretch)).collect();
        let pools = pools(sc, &members, &loads);
        // Undamped first (one fleet settles in a sweep or two), then damped.
        let alpha = if sweep < 100 { 1.0 } else { 0.5 };
        let mut moved: f64 = 0.0;
        for (r, p) in pools.iter().enumerate() {
            let res = &sc.resources[r];
            let (w, phi, line) = if p.holds > 0.0 && p.draws > 0.0 {
                let hold = p.draws / p.holds;
                let think = (p.busy / p.holds - wait[r] - hold * stretch[r]).max(0.0);
                let line = closed_loop(p.busy, think, hold, res.capacity, &res.contention);
                if line.rate > 0.0 {
                    let phi = line.holders / (line.rate * hold);
                    (line.waiting / line.rate, phi, line)
                } else {
                    (0.0, 1.0, line)
                }
            } else {
                (0.0, 1.0, Loop::default())
            };
            let scale = w.abs() + p.draws / p.holds.max(1e-300) + 1e-300;
            moved = moved
                .max((w - wait[r]).abs() / scale)
                .max((phi - stretch[r]).abs() / phi.max(1.0));
            wait[r] += alpha * (w - wait[r]);
            stretch[r] += alpha * (phi - stretch[r]);
            lines[r] = line;
        }
        if moved <= TOLERANCE {
            break;
        }
    }
    let loads: Vec<FleetLoad> = members.iter().map(|m| m.load(&wait, &stretch)).collect();
    let pools = pools(sc, &members, &loads);
    let mut fleets = vec![None; sc.queues.len()];
    for (m, l) in members.iter().zip(&loads) {
        fleets[m.index] = Some(*l);
    }
    let loads = sc
        .resources
        .iter()
        .zip(&pools)
        .enumerate()
        .map(|(r, (res, p))| {
            let mean_hold = if p.holds > 0.0 && p.draws > 0.0 {
                p.draws / p.holds
            } else if p.plain.1 > 0.0 {
                p.plain.0 / p.plain.1
            } else {
                0.0
            };
            let holders = p.up.min(f64::from(res.capacity));
            let (best_holders, best) = best_throughput(&res.contention, mean_hold, res.capacity);
            ResourceLoad {
                name: res.name.clone(),
                capacity: res.capacity,
                consumers: p.up,
                holders,
                mean_hold,
                factor: factor(&res.contention, holders),
                throughput: saturated_throughput(&res.contention, mean_hold, holders),
                peak_holders: res.contention.peak_holders(),
                best_holders,
                best_throughput: best,
                holds: p.holds,
                wait: wait[r],
                busy_holders: lines[r].holders,
            }
        })
        .collect();
    Solution { fleets, loads }
}

#[cfg(test)]
mod tests {
    use super::*;

    const USL: Contention = Contention::Usl {
        sigma: 0.04,
        kappa: 0.0008,
    };

    #[test]
    fn throughput_is_holders_over_the_stretched_hold() {
        // 10 holders of 100 ms: 100 holds/s; with USL 10 / (0.1 × 1.432).
        let none = Contention::None;
        assert!((saturated_throughput(&none, 0.1, 10.0) - 100.0).abs() < 1e-9);
        let f = 1.0 + 0.04 * 9.0 + 0.0008 * 90.0;
        assert!((saturated_throughput(&USL, 0.1, 10.0) - 10.0 / (0.1 * f)).abs() < 1e-9);
        assert_eq!(saturated_throughput(&USL, 0.1, 0.0), 0.0);
    }

    #[test]
    fn the_best_throughput_is_at_the_usl_peak_or_the_capacity() {
        // Peak at sqrt(0.96 / 0.0008) = 34.64 holders: 35 is better than 34.
        let (n, best) = best_throughput(&USL, 0.01, 60);
        let at = |n: f64| saturated_throughput(&USL, 0.01, n);
        assert_eq!(n, 35);
        assert!((best - at(35.0)).abs() < 1e-9 && at(35.0) > at(34.0));
        for k in 1..=60 {
            assert!(at(f64::from(k)) <= best + 1e-9, "{k}");
        }
        // Below the peak, the capacity; without contention, the capacity.
        assert_eq!(best_throughput(&USL, 0.01, 20).0, 20);
        assert_eq!(best_throughput(&Contention::None, 0.01, 7), (7, 700.0));
    }

    #[test]
    fn a_loop_with_nothing_else_to_do_keeps_the_resource_full() {
        // 50 consumers, 10 slots, 100 ms holds: 100 holds/s, 40 in line.
        let l = closed_loop(50.0, 0.0, 0.1, 10, &Contention::None);
        assert_eq!(
            l,
            Loop {
                rate: 100.0,
                holders: 10.0,
                waiting: 40.0
            }
        );
        // USL: the holders settle at the capacity, past the peak.
        let l = closed_loop(80.0, 0.0, 0.1, 60, &USL);
        assert!((l.rate - saturated_throughput(&USL, 0.1, 60.0)).abs() < 1e-9);
        let l = closed_loop(20.0, 0.0, 0.1, 60, &USL);
        assert!((l.rate - saturated_throughput(&USL, 0.1, 20.0)).abs() < 1e-9);
    }

    #[test]
    fn a_loop_with_room_to_spare_is_an_engset_system() {
        // Fewer consumers than slots, no contention: no line, and each
        // consumer holds h / (Z + h) of the time (binomial holders).
        let l = closed_loop(8.0, 0.3, 0.1, 10, &Contention::None);
        assert!(l.waiting.abs() < 1e-12);
        assert!((l.rate - 8.0 / 0.4).abs() < 1e-9, "{l:?}");
        assert!((l.holders - 8.0 * 0.25).abs() < 1e-9);
        // One slot, two consumers: the machine-repair chain by hand.
        // p1 / p0 = 2 Z⁻¹ h, p2 / p1 = Z⁻¹ h, with Z = h: 1 : 2 : 2.
        let l = closed_loop(2.0, 1.0, 1.0, 1, &Contention::None);
        assert!((l.rate - 0.8).abs() < 1e-12 && (l.waiting - 0.4).abs() < 1e-12);
        // Half a consumer more: half way to the next whole number.
        let a = closed_loop(2.0, 1.0, 1.0, 1, &Contention::None);
        let b = closed_loop(3.0, 1.0, 1.0, 1, &Contention::None);
        let c = closed_loop(2.5, 1.0, 1.0, 1, &Contention::None);
        assert!((c.rate - (a.rate + b.rate) / 2.0).abs() < 1e-12);
    }
}
