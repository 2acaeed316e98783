//! `mqsim check` for a network: the traffic equations
//! ([`mqsim::traffic`]) give each queue's arrival rate, capacity and
//! utilisation; the bottleneck is the most utilised queue; every queue at
//! or above capacity and every loop that never drains is warned about, as
//! are each fleet's settings (prefixed with its queue's name).
//!
//! The scenario-wide figures of [`Analysis`] mean, for a network: the
//! arrival rate is what producers send; the capacity, its model and the
//! offered load are the bottleneck's (the network keeps up only if its
//! bottleneck does).

use std::io::{self, Write};

use mqsim::capacity::{Conditions, Station};
use mqsim::scenario::Scenario;
use mqsim::traffic::{self, EdgeKind, Traffic};

use super::{Analysis, EVENTS_PER_MESSAGE, faults, fleet_warnings, size_warning};

/// Analyses the network `sc` without simulating it.
pub fn analyse(sc: &Scenario) -> Analysis {
    let traffic = traffic::solve(sc);
    let index = traffic
        .bottleneck
        .as_ref()
        .map(|b| b.index)
        .or_else(|| sc.queues.iter().position(|q| q.consumers.is_some()));
    let station = index
        .and_then(|i| Station::of(sc, i))
        .unwrap_or_else(|| Station::first(sc));
    let most = f64::from(station.consumers.slots());
    let model = station.model(most, station.availability(), &Conditions::default());
    let offered_load = traffic.bottleneck.as_ref().map_or(0.0, |b| b.utilization);
    let mut warnings = traffic_warnings(&traffic);
    warnings.extend(super::resources::warnings(sc, &traffic.resources));
    for q in &sc.queues {
        let Some(c) = &q.consumers else { continue };
        let fleet = fleet_warnings(&q.queue, c);
        warnings.extend(fleet.into_iter().map(|w| format!("queue {}: {w}", q.name)));
    }
    let messages = faults::messages(sc) + super::initial_backlogs(sc);
    // Each message is handled at every queue it reaches.
    let external: f64 = traffic.queues.iter().map(|q| q.external_rate).sum();
    let handled: f64 = traffic.queues.iter().map(|q| q.arrival_rate).sum();
    let per_message = if external > 0.0 {
        handled / external
    } else {
        1.0
    };
    let events = messages * per_message * EVENTS_PER_MESSAGE * f64::from(sc.replications);
    warnings.extend(size_warning(events));
    Analysis {
        arrival_rate: sc.arrival_rate(),
        capacity: model.rate,
        capacity_model: model,
        offered_load,
        capacity_max: None,
        messages,
        events,
        faults: faults::outlook_network(sc, &traffic),
        warnings,
        // In `network.resources`.
        resources: Vec::new(),
        network: Some(traffic),
    }
}

/// Queues at or above capacity, loops that never drain, a solve that did
/// not settle.
fn traffic_warnings(t: &Traffic) -> Vec<String> {
    let mut warnings = Vec::new();
    for q in t.queues.iter().filter(|q| q.overloaded) {
        let cap = q.capacity.unwrap_or(0.0);
        let op = if q.arrival_rate > cap { ">" } else { "≥" };
        let why = q.limited_by.as_deref().unwrap_or("its fleet");
        warnings.push(format!(
            "queue {}: offered {:.1}/s {op} capacity {cap:.1}/s (limited by {why}): its backlog \
             grows for as long as messages arrive, and downstream queues get at most its capacity",
            q.name, q.arrival_rate
        ));
    }
    for c in &t.cycles {
        let (noun, verb) = if c.queues.len() == 1 {
            ("queue", "sends")
        } else {
            ("queues", "send")
        };
        warnings.push(format!(
            "{noun} {} never drain: their emits and dead-letter queues {verb} back at least as \
             many messages as enter (loop gain {:.3} ≥ 1), so the flow grows until a fleet's \
             capacity caps it; lower an emit's p or break the loop",
            c.queues.join(", "),
            c.gain
        ));
    }
    if !t.converged {
        warnings.push(format!(
            "the traffic equations did not settle in {} iterations; the rates shown are the last \
             iterate",
            t.iterations
        ));
    }
    warnings
}

/// Prints a network's analysis for people.
pub fn write(a: &Analysis, t: &Traffic, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# analysis")?;
    writeln!(
        out,
        "arrival rate    {:.4} msg/s from producers (each queue's below)",
        a.arrival_rate
    )?;
    write_queues(t, out)?;
    for topic in &t.topics {
        writeln!(
            out,
            "topic           {}: {:.4} msg/s published",
            topic.name, topic.arrival_rate
        )?;
    }
    for e in &t.edges {
        let what = match e.kind {
            EdgeKind::Send => "send".to_owned(),
            EdgeKind::Emit => format!("emit, p {}", e.share),
            EdgeKind::Subscription => format!("subscription, filter {}", e.share),
            EdgeKind::DeadLetter => format!("dead-letter, {:.2}% of messages", e.share * 100.0),
        };
        writeln!(
            out,
            "flow            {} → {}: {:.4} msg/s ({what})",
            e.from, e.to, e.rate
        )?;
    }
    super::resources::write(&t.resources, out)?;
    match &t.bottleneck {
        Some(b) => writeln!(
            out,
            "bottleneck      {} (utilisation {:.4})",
            b.name, b.utilization
        )?,
        None => writeln!(
            out,
            "bottleneck      none (no queue with consumers gets messages)"
        )?,
    }
    super::write_tail(a, out)
}

/// One line a queue: arrivals, capacity, utilisation, what limits it.
fn write_queues(t: &Traffic, out: &mut dyn Write) -> io::Result<()> {
    let width = t.queues.iter().map(|q| q.name.chars().count()).max();
    let width = width.unwrap_or(0).max("queue".len());
    writeln!(
        out,
        "{:<width$}  {:>13}  {:>14}  {:>11}  limited by",
        "queue", "arrival msg/s", "capacity msg/s", "utilisation"
    )?;
    for q in &t.queues {
        let (cap, util, why) = match (q.capacity, q.utilization) {
            (Some(c), Some(u)) => (
                format!("{c:.4}"),
                format!("{u:.4}"),
                q.limited_by.clone().unwrap_or_default(),
            ),
            _ => (
                "-".to_owned(),
                "-".to_owned(),
                "no consumers: messages stay".to_owned(),
            ),
        };
        writeln!(
            out,
            "{:<width$}  {:>13.4}  {cap:>14}  {util:>11}  {why}",
            q.name, q.arrival_rate
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mqsim::scenario::{Emit, Layout, Node, NodeRef, Subscriber, TopicNode, load_str};
    use std::path::Path;

    fn queue_ref(sc: &Scenario, i: usize) -> NodeRef {
        NodeRef {
            name: sc.queues[i].name.clone(),
            node: Node::Queue(i),
        }
    }

    /// Adds a copy of queue 0 named `name` with `count` consumers of
    /// `ms` milliseconds each (none for 0), no emits, no dead-letter queue.
    fn add(sc: &mut Scenario, name: &str, count: u32, ms: f64) -> usize {
        let mut node = sc.queues[0].clone();
        node.name = name.into();
        node.queue.dead_letter = None;
        node.consumers = node.consumers.filter(|_| count > 0).map(|mut c| {
            c.count = count;
            c.poison_fraction = 0.0;
            c.emit.clear();
            c.processing = mqsim::dist::Dist::constant(ms / 1e3).unwrap();
            c
        });
        sc.queues.push(node);
        sc.queues.len() - 1
    }

    /// SPEC §5's pipeline: orders → order-events → shipping, email (30%);
    /// orders dead-letters its poison to orders-dlq; 52 msg/s in.
    fn pipeline() -> Scenario {
        let text = "name = \"shop\"\nduration = \"1h\"\n[queue]\nmax_receive_count = 5\n\
                    [[producers]]\nrate = 52\n[consumers]\ncount = 20\nprocessing = \"40ms\"\n\
                    batch_size = 1\nrequest_latency = \"0s\"\npoison_fraction = 0.01\n";
        let mut sc = load_str(text, Path::new("shop.toml"), &[]).unwrap();
        sc.layout = Layout::Network;
        sc.queues[0].name = "orders".into();
        sc.producers[0].to = queue_ref(&sc, 0);
        let shipping = add(&mut sc, "shipping", 2, 50.0);
        let email = add(&mut sc, "email", 1, 100.0);
        let dlq = add(&mut sc, "orders-dlq", 0, 0.0);
        sc.queues[0].queue.dead_letter = Some(queue_ref(&sc, dlq));
        let subscribers = [(shipping, 1.0), (email, 0.3)].map(|(q, filter)| Subscriber {
            queue: queue_ref(&sc, q),
            filter,
        });
        sc.topics.push(TopicNode {
            name: "order-events".into(),
            subscribers: subscribers.to_vec(),
        });
        let to = NodeRef {
            name: "order-events".into(),
            node: Node::Topic(0),
        };
        let fleet = sc.queues[0].consumers.as_mut().unwrap();
        fleet.emit.push(Emit { to, p: 1.0 });
        sc
    }

    #[test]
    fn check_names_the_bottleneck_and_every_overloaded_queue() {
        let sc = pipeline();
        let a = super::super::analyse(&sc);
        let mut out = Vec::new();
        super::super::write_analysis(&a, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        println!("{text}");
        assert!(
            text.contains("bottleneck      email (utilisation 1.5444)"),
            "{text}"
        );
        let warned: Vec<_> = a
            .warnings
            .iter()
            .filter(|w| w.contains("offered"))
            .collect();
        assert_eq!(warned.len(), 2, "{:?}", a.warnings);
        assert!(warned[0].starts_with("queue shipping: offered 51.5/s > capacity 40.0/s"));
        assert!(text.contains("flow            orders → orders-dlq: 0.5200 msg/s"));
        assert!(text.contains("orders-dlq         0.5200               -            -"));
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(json["network"]["bottleneck"]["name"], "email");
        assert_eq!(json["network"]["edges"][1]["kind"], "emit");
        assert_eq!(
            json["network"]["queues"][3]["capacity"],
            serde_json::Value::Null
        );
    }

    #[test]
    fn a_loop_that_never_drains_is_warned_about() {
        let mut sc = pipeline();
        // Without poison nothing leaves the loop orders → shipping → orders.
        sc.queues[0].consumers.as_mut().unwrap().poison_fraction = 0.0;
        let back = queue_ref(&sc, 0);
        let fleet = sc.queues[1].consumers.as_mut().unwrap();
        fleet.emit.push(Emit { to: back, p: 1.0 });
        let a = super::super::analyse(&sc);
        let w = a.warnings.iter().find(|w| w.contains("never drain"));
        assert!(
            w.is_some_and(|w| w.starts_with("queues orders, shipping never drain")),
            "{:?}",
            a.warnings
        );
    }

    #[test]
    fn the_single_form_has_no_network_section() {
        let text = "duration = \"1h\"\n[[producers]]\nrate = 5\n[consumers]\ncount = 2\n\
                    processing = \"100ms\"\n";
        let sc = load_str(text, Path::new("t.toml"), &[]).unwrap();
        let a = super::super::analyse(&sc);
        assert!(a.network.is_none());
        let json = serde_json::to_value(&a).unwrap();
        assert!(json.get("network").is_none());
    }
}
