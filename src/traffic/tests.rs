//! Traffic equations on small networks built in code (the `[queues.NAME]`
//! form is parsed elsewhere): each test takes a single-queue scenario and
//! adds queues, topics, emits and dead-letter queues to it.

use super::*;
use crate::scenario::{Emit, Layout, NodeRef, QueueNode, Subscriber, TopicNode, load_str};
use std::path::Path;

/// One queue `a` fed 10 msg/s, its fleet of 100 × 10 ms (100 msg/s).
fn base() -> Scenario {
    let text = "duration = \"1h\"\n[[producers]]\nrate = 10\n\
                [consumers]\ncount = 1\nprocessing = \"10ms\"\nbatch_size = 1\nrequest_latency = \"0s\"\n";
    let mut sc = load_str(text, Path::new("t.toml"), &[]).unwrap();
    sc.layout = Layout::Network;
    sc.queues[0].name = "a".into();
    sc.producers[0].to = qref(&sc, 0);
    sc
}

/// Adds a queue like `a` (one consumer: 100 msg/s), with no emits.
fn add(sc: &mut Scenario, name: &str) -> usize {
    let mut node: QueueNode = sc.queues[0].clone();
    node.name = name.into();
    node.queue.dead_letter = None;
    if let Some(c) = node.consumers.as_mut() {
        c.emit.clear();
    }
    sc.queues.push(node);
    sc.queues.len() - 1
}

fn qref(sc: &Scenario, i: usize) -> NodeRef {
    NodeRef {
        name: sc.queues[i].name.clone(),
        node: Node::Queue(i),
    }
}

/// Queue `from`'s fleet emits to queue `to` with probability `p`.
fn emit(sc: &mut Scenario, from: usize, to: usize, p: f64) {
    let to = qref(sc, to);
    emit_to(sc, from, to, p);
}

fn emit_to(sc: &mut Scenario, from: usize, to: NodeRef, p: f64) {
    let c = sc.queues[from].consumers.as_mut().unwrap();
    c.emit.push(Emit { to, p });
}

fn topic(sc: &mut Scenario, name: &str, subscribers: &[(usize, f64)]) -> NodeRef {
    let subscribers = subscribers
        .iter()
        .map(|&(q, filter)| Subscriber {
            queue: qref(sc, q),
            filter,
        })
        .collect();
    sc.topics.push(TopicNode {
        name: name.into(),
        subscribers,
    });
    NodeRef {
        name: name.into(),
        node: Node::Topic(sc.topics.len() - 1),
    }
}

fn rate(t: &Traffic, name: &str) -> f64 {
    t.queue(name).unwrap().arrival_rate
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

/// Every queue's arrival rate is what its incoming edges carry.
fn assert_conserved(t: &Traffic) {
    for (i, q) in t.queues.iter().enumerate() {
        let into: f64 = t
            .edges
            .iter()
            .filter(|e| e.target == Endpoint::Queue(i))
            .map(|e| e.rate)
            .sum();
        assert!(close(into, q.arrival_rate), "{}: {into} in edges", q.name);
    }
}

#[test]
fn a_chain_passes_its_rate_on() {
    let mut sc = base();
    let b = add(&mut sc, "b");
    let c = add(&mut sc, "c");
    emit(&mut sc, 0, b, 1.0);
    emit(&mut sc, b, c, 1.0);
    let t = solve(&sc);
    assert!(t.converged && t.cycles.is_empty());
    for name in ["a", "b", "c"] {
        assert!(close(rate(&t, name), 10.0), "{name}: {}", rate(&t, name));
    }
    let a = t.queue("a").unwrap();
    assert!(close(a.capacity.unwrap(), 100.0) && close(a.utilization.unwrap(), 0.1));
    assert_eq!(t.edges.len(), 3);
    assert_conserved(&t);
}

#[test]
fn a_topic_fans_out_to_every_subscriber_times_its_filter() {
    let mut sc = base();
    let b = add(&mut sc, "b");
    let c = add(&mut sc, "c");
    let events = topic(&mut sc, "events", &[(b, 1.0), (c, 0.3)]);
    emit_to(&mut sc, 0, events, 1.0);
    let t = solve(&sc);
    assert!(close(rate(&t, "b"), 10.0));
    assert!(close(rate(&t, "c"), 3.0));
    assert!(close(t.topics[0].arrival_rate, 10.0));
    let subs: Vec<_> = t
        .edges
        .iter()
        .filter(|e| e.kind == EdgeKind::Subscription)
        .collect();
    assert_eq!(
        (subs[1].from.as_str(), subs[1].to.as_str()),
        ("events", "c")
    );
    assert_conserved(&t);
}

#[test]
fn producers_can_publish_to_a_topic() {
    let mut sc = base();
    let b = add(&mut sc, "b");
    sc.producers[0].to = topic(&mut sc, "in", &[(0, 0.5), (b, 1.0)]);
    let t = solve(&sc);
    assert!(close(rate(&t, "a"), 5.0) && close(rate(&t, "b"), 10.0));
    assert!(close(t.queue("b").unwrap().external_rate, 10.0));
}

#[test]
fn an_emit_with_p_sends_that_share_of_the_processed() {
    let mut sc = base();
    let b = add(&mut sc, "b");
    emit(&mut sc, 0, b, 0.25);
    let t = solve(&sc);
    assert!(close(rate(&t, "b"), 2.5));
    assert_eq!(t.edges[1].share, 0.25);
}

#[test]
fn dead_lettered_messages_flow_to_the_dead_letter_queue() {
    let mut sc = base();
    let b = add(&mut sc, "b");
    let dlq = add(&mut sc, "dlq");
    sc.queues[dlq].consumers = None;
    sc.queues[0].queue.max_receive_count = Some(3);
    sc.queues[0].queue.dead_letter = Some(qref(&sc, dlq));
    sc.queues[0].consumers.as_mut().unwrap().poison_fraction = 0.2;
    emit(&mut sc, 0, b, 1.0);
    let t = solve(&sc);
    assert!(close(rate(&t, "dlq"), 2.0), "{}", rate(&t, "dlq"));
    // Only the processed messages emit.
    assert!(close(rate(&t, "b"), 8.0));
    let dlq = t.queue("dlq").unwrap();
    assert_eq!(
        (dlq.capacity, dlq.utilization, dlq.throughput),
        (None, None, 0.0)
    );
    assert_eq!(t.bottleneck.as_ref().unwrap().name, "a");
    assert_conserved(&t);
}

#[test]
fn a_loop_with_gain_below_one_converges() {
    let mut sc = base();
    emit(&mut sc, 0, 0, 0.5);
    let t = solve(&sc);
    assert!(t.converged && t.cycles.is_empty(), "{t:?}");
    assert!(close(rate(&t, "a"), 10.0 / (1.0 - 0.5)));
    assert_conserved(&t);
}

#[test]
fn a_loop_with_gain_one_never_drains_and_is_named() {
    let mut sc = base();
    emit(&mut sc, 0, 0, 1.0);
    let t = solve(&sc);
    assert_eq!(t.cycles.len(), 1);
    assert_eq!(t.cycles[0].queues, ["a"]);
    assert!(close(t.cycles[0].gain, 1.0));
    // The fleet caps the flow: 10 new + its 100 msg/s back.
    assert!(t.converged && close(rate(&t, "a"), 110.0));
    assert!(t.queue("a").unwrap().overloaded);

    let mut sc = base();
    let b = add(&mut sc, "b");
    let c = add(&mut sc, "c");
    emit(&mut sc, 0, b, 1.0);
    emit(&mut sc, b, 0, 1.0);
    emit(&mut sc, b, c, 1.0);
    let t = solve(&sc);
    assert_eq!(t.cycles.len(), 1);
    assert_eq!(t.cycles[0].queues, ["a", "b"]);
    assert_eq!(t.cycles[0].indices, [0, b]);
}

#[test]
fn a_loop_diverges_without_capacity_caps_and_the_solve_stops() {
    let mut sc = base();
    let b = add(&mut sc, "b");
    emit(&mut sc, 0, b, 1.0);
    emit(&mut sc, b, 0, 0.9);
    emit(&mut sc, b, 0, 0.2);
    let t = solve_with(&sc, &[Some(f64::INFINITY), Some(f64::INFINITY)]);
    assert!(!t.converged);
    // Round trip 1 × 1.1: ρ = √1.1 a step.
    assert!(close(t.cycles[0].gain, 1.1_f64.sqrt()), "{:?}", t.cycles);
}

#[test]
fn an_overloaded_queue_passes_on_its_capacity() {
    let mut sc = base();
    let b = add(&mut sc, "b");
    emit(&mut sc, 0, b, 1.0);
    sc.producers[0].rate = 150.0;
    let t = solve(&sc);
    let a = t.queue("a").unwrap();
    assert!(a.overloaded && close(a.utilization.unwrap(), 1.5));
    assert!(close(rate(&t, "b"), 100.0));
    assert_eq!(t.bottleneck.as_ref().unwrap().name, "a");
}

#[test]
fn the_feed_forward_validation_network_splits_by_p() {
    // A → B (p 0.6), A → C (p 0.5), C → D: Jackson's λ_B = 0.6 λ_A, etc.
    let mut sc = base();
    let b = add(&mut sc, "b");
    let c = add(&mut sc, "c");
    let d = add(&mut sc, "d");
    emit(&mut sc, 0, b, 0.6);
    emit(&mut sc, 0, c, 0.5);
    emit(&mut sc, c, d, 1.0);
    let t = solve(&sc);
    let a = rate(&t, "a");
    assert!(close(rate(&t, "b"), 0.6 * a));
    assert!(close(rate(&t, "c"), 0.5 * a));
    assert!(close(rate(&t, "d"), 0.5 * a));
    assert_conserved(&t);
}

#[test]
fn the_bottleneck_is_the_most_utilised_queue() {
    let mut sc = base();
    let b = add(&mut sc, "b");
    emit(&mut sc, 0, b, 1.0);
    sc.queues[b].consumers.as_mut().unwrap().processing =
        crate::dist::Dist::constant(0.05).unwrap();
    let t = solve(&sc);
    let bn = t.bottleneck.unwrap();
    assert_eq!((bn.index, bn.name.as_str()), (b, "b"));
    assert!(close(bn.utilization, 0.5));
}

#[test]
fn a_single_queue_scenario_is_a_network_of_one() {
    let mut sc = base();
    sc.layout = Layout::Single;
    let t = solve(&sc);
    assert!(close(rate(&t, "a"), 10.0));
    let cap = crate::capacity::capacity(&sc).rate;
    assert!(close(t.queues[0].capacity.unwrap(), cap));
}

/// Resource `db` of `capacity` slots (USL `sigma`, `kappa` when given),
/// held `hold` seconds (exponential) by the fleets of `queues`.
fn share(sc: &mut Scenario, capacity: u32, usl: Option<(f64, f64)>, hold: f64, queues: &[usize]) {
    use crate::scenario::{Contention, ResourceNode, ResourceRef, Use};
    let contention = usl.map_or(Contention::None, |(sigma, kappa)| Contention::Usl {
        sigma,
        kappa,
    });
    sc.resources.push(ResourceNode {
        name: "db".into(),
        capacity,
        acquire_timeout: None,
        contention,
    });
    let index = sc.resources.len() - 1;
    for &q in queues {
        let c = sc.queues[q].consumers.as_mut().unwrap();
        c.uses.push(Use {
            resource: ResourceRef {
                name: "db".into(),
                index,
            },
            hold: crate::dist::Dist::exp(hold).unwrap(),
        });
    }
}

#[test]
fn a_resource_is_the_bottleneck_when_it_sets_the_capacity() {
    // 50 consumers, 2 slots held 100 ms: 20 holds/s for 10 msg/s.
    let mut sc = base();
    sc.queues[0].consumers.as_mut().unwrap().count = 50;
    share(&mut sc, 2, None, 0.1, &[0]);
    let t = solve(&sc);
    let r = &t.resources[0];
    assert!(
        close(r.load.throughput, 20.0) && close(r.offered, 10.0),
        "{r:?}"
    );
    assert!(close(r.utilization, 0.5) && r.load.holders == 2.0);
    assert_eq!(r.queues, ["a"]);
    let a = &t.queues[0];
    assert_eq!(a.binding, Some(Binding::Resource(0)));
    assert!((a.capacity.unwrap() - 20.0).abs() < 1e-6, "{a:?}");
    let bn = t.bottleneck.unwrap();
    assert_eq!(
        (bn.kind, bn.name.as_str()),
        (BottleneckKind::Resource, "db")
    );
    assert_eq!((bn.index, bn.resource), (0, Some(0)));
    assert!((bn.utilization - 0.5).abs() < 1e-6);
}

#[test]
fn a_fleet_sharing_a_resource_gets_what_the_others_leave() {
    // a and b hold db (20 holds/s). Both flooded they split it; in the
    // traffic equations b asks for its 1 msg/s only, and a keeps the rest.
    let mut sc = base();
    let b = add(&mut sc, "b");
    for q in [0, b] {
        sc.queues[q].consumers.as_mut().unwrap().count = 20;
    }
    let to_b = qref(&sc, b);
    let mut pb = sc.producers[0].clone();
    pb.to = to_b;
    pb.rate = 1.0;
    sc.producers.push(pb);
    share(&mut sc, 2, None, 0.1, &[0, b]);
    let flooded = Station::of(&sc, 0).unwrap().capacity().rate;
    assert!((flooded - 10.0).abs() < 1e-3, "{flooded}");
    let t = solve(&sc);
    let a = t.queues[0].capacity.unwrap();
    assert!((a - 19.0).abs() < 0.1, "{a}");
    assert!(close(t.resources[0].offered, 11.0));
    assert_eq!(t.resources[0].queues, ["a", "b"]);
}

#[test]
fn a_queue_setting_is_a_bottleneck_of_its_own_kind() {
    let mut sc = base();
    sc.queues[0].queue.throughput_limit = Some(12.5);
    let bn = solve(&sc).bottleneck.unwrap();
    assert_eq!((bn.kind, bn.name.as_str()), (BottleneckKind::Queue, "a"));
    assert!(close(bn.utilization, 0.8));
    let mut sc = base();
    sc.queues[0].queue.throughput_limit = None;
    let t = solve(&sc);
    assert_eq!(t.bottleneck.as_ref().unwrap().kind, BottleneckKind::Fleet);
    // No resources: none listed, none written.
    assert!(t.resources.is_empty());
    let json = serde_json::to_value(&t).unwrap();
    assert!(json.get("resources").is_none());
}
