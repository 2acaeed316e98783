//! The fault outlooks against figures worked out by hand.

use super::*;
use mqsim::scenario::load_str;
use std::path::Path;

fn scenario(faults: &str) -> Scenario {
    let text = format!(
        "duration = \"2h\"\n[[producers]]\nrate = 10\n[consumers]\ncount = 12\nprocessing = \"1s\"\n{faults}"
    );
    load_str(&text, Path::new("t.toml"), &[]).unwrap()
}

#[test]
fn a_consumer_outage_builds_rate_times_length_and_drains_at_the_spare_rate() {
    let sc = scenario("[[faults]]\nkind = \"consumer-outage\"\nat = \"20m\"\nduration = \"10m\"\n");
    let o = &outlook(&sc)[0];
    assert_eq!((o.arrival_rate, o.capacity), (10.0, 0.0));
    assert_eq!(o.backlog, 6000.0);
    assert_eq!(o.drain_seconds, Some(3000.0));
}

#[test]
fn a_spike_within_a_slowdown_averages_over_the_window() {
    let sc = scenario(
        "[[faults]]\nkind = \"slowdown\"\nat = \"0s\"\nduration = \"20m\"\nfactor = 2\n\
         [[faults]]\nkind = \"spike\"\nat = \"5m\"\nduration = \"10m\"\nfactor = 3\n",
    );
    let o = outlook(&sc);
    // Slowdown: 12 / 2 s = 6/s; arrivals 10 for 10 min and 30 for 10 min.
    assert_eq!(o[0].capacity, 6.0);
    assert!((o[0].arrival_rate - 20.0).abs() < 1e-9);
    assert!((o[0].backlog - 14.0 * 1200.0).abs() < 1e-6);
    assert_eq!(o[0].drain_seconds, Some(14.0 * 1200.0 / 2.0));
    // The spike alone: 30/s against 6/s for 10 minutes.
    assert_eq!(o[1].backlog, 24.0 * 600.0);
}

/// 24 consumers of 1 s processings that then hold `db` for 1 s: 12/s,
/// with no wait (the resource has a slot for every consumer).
fn holding(faults: &str) -> Scenario {
    let text = format!(
        "duration = \"2h\"\n[[producers]]\nrate = 10\n[consumers]\ncount = 24\n\
         batch_size = 1\nprocessing = \"1s\"\nuses = [{{ resource = \"db\", hold = \"1s\" }}]\n\
         [resources.db]\ncapacity = 24\n{faults}"
    );
    load_str(&text, Path::new("t.toml"), &[]).unwrap()
}

#[test]
fn a_resource_outage_stops_the_fleet_that_holds_it() {
    let sc = holding(
        "[[faults]]\nkind = \"resource-outage\"\ntarget = \"db\"\nat = \"20m\"\n\
         duration = \"10m\"\n",
    );
    let o = &outlook(&sc)[0];
    assert_eq!((o.arrival_rate, o.capacity), (10.0, 0.0));
    assert_eq!(o.backlog, 6000.0);
    // After it: 12/s against 10/s.
    let drain = o.drain_seconds.unwrap();
    assert!((drain - 6000.0 / 2.0).abs() < 1e-6, "{drain}");
}

#[test]
fn a_resource_slowdown_stretches_the_holds() {
    let sc = holding(
        "[[faults]]\nkind = \"resource-slowdown\"\nat = \"20m\"\nduration = \"10m\"\n\
         factor = 3\n",
    );
    let o = &outlook(&sc)[0];
    // 1 s + 3 s a message: 24 / 4 s = 6/s; 4/s short for 10 minutes.
    assert!((o.capacity - 6.0).abs() < 1e-9, "{o:?}");
    assert!((o.backlog - 4.0 * 600.0).abs() < 1e-6);
    let drain = o.drain_seconds.unwrap();
    assert!((drain - 2400.0 / 2.0).abs() < 1e-6, "{drain}");
}

/// Queues `a` (its fleet holds `db` in `uses`), `b` (`db` is its
/// idempotency store) and `c` (no resource), fed 4, 3 and 1 a second.
fn network(faults: &str) -> (Scenario, Traffic) {
    let fleet = |q: &str, count: u32, extra: &str| {
        format!(
            "[queues.{q}]\n[queues.{q}.consumers]\ncount = {count}\nbatch_size = 1\n\
             processing = \"1s\"\n{extra}\n"
        )
    };
    let producer = |q: &str, rate: u32| {
        format!("[[producers]]\nname = \"p{q}\"\nrate = {rate}\nto = \"{q}\"\n")
    };
    let text = [
        "duration = \"2h\"\n".to_owned(),
        fleet("a", 10, "uses = [{ resource = \"db\", hold = \"1s\" }]"),
        fleet(
            "b",
            12,
            "idempotency = { ttl = \"1h\", lookup = \"1s\", store = \"db\" }",
        ),
        fleet("c", 4, ""),
        "[resources.db]\ncapacity = 30\n".to_owned(),
        producer("a", 4),
        producer("b", 3),
        producer("c", 1),
        faults.to_owned(),
    ]
    .concat();
    let sc = load_str(&text, Path::new("t.toml"), &[]).unwrap();
    let t = mqsim::traffic::solve(&sc);
    (sc, t)
}

#[test]
fn a_resource_fault_is_estimated_at_every_fleet_that_holds_it() {
    let (sc, t) = network(
        "[[faults]]\nkind = \"resource-outage\"\nat = \"20m\"\nduration = \"10m\"\n\
         [[faults]]\nkind = \"resource-slowdown\"\nat = \"1h\"\nduration = \"10m\"\n\
         factor = 2\n",
    );
    let o = outlook_network(&sc, &t);
    let queues: Vec<_> = o.iter().map(|o| o.queue.as_deref().unwrap()).collect();
    assert_eq!(queues, ["a", "b", "a", "b"]);
    // The outage: a (capacity 10 / 2 s = 5/s) and b (12 / 2 s = 6/s) stop.
    let near = |x: f64, y: f64| (x - y).abs() < 1e-6;
    assert_eq!((o[0].capacity, o[1].capacity), (0.0, 0.0));
    assert!(near(o[0].backlog, 4.0 * 600.0) && near(o[1].backlog, 3.0 * 600.0));
    assert!(near(o[0].drain_seconds.unwrap(), 2400.0 / 1.0));
    assert!(near(o[1].drain_seconds.unwrap(), 1800.0 / 3.0));
    // The slowdown: a holds 2 s (10 / 3 s), b looks up for 2 s (12 / 3 s).
    assert!(near(o[2].capacity, 10.0 / 3.0) && near(o[3].capacity, 4.0));
    assert!(near(o[2].backlog, (4.0 - 10.0 / 3.0) * 600.0));
    assert!(near(o[2].drain_seconds.unwrap(), o[2].backlog / 1.0));
    assert_eq!((o[3].backlog, o[3].drain_seconds), (0.0, Some(0.0)));
}

/// The redrive example: `orders` (40 consumers of 40 ms: 1000/s) gets
/// 700/s, its dead-letter queue holds `dlq` at the start.
fn redriving(dlq: &str, fleet: &str, fault: &str) -> (Scenario, Traffic) {
    let text = format!(
        "duration = \"1h\"\n[queues.orders]\nmax_receive_count = 5\n\
         dead_letter = \"orders-dlq\"\n[queues.orders.consumers]\ncount = 40\n\
         processing = {{ dist = \"gamma\", mean = \"40ms\", cv = 0.5 }}\n{fleet}\n\
         [queues.orders-dlq]\n{dlq}\n[[producers]]\nrate = 700\nto = \"orders\"\n\
         [[faults]]\nkind = \"redrive\"\nfrom = \"orders-dlq\"\nto = \"orders\"\n\
         rate = 500\nat = \"15m\"\n{fault}"
    );
    let sc = load_str(&text, Path::new("t.toml"), &[]).unwrap();
    let t = mqsim::traffic::solve(&sc);
    (sc, t)
}

#[test]
fn a_redrive_adds_its_rate_to_its_queue_while_it_moves() {
    let (sc, t) = redriving("initial_backlog = 50000", "", "");
    let o = &outlook_network(&sc, &t)[0];
    assert_eq!(o.queue.as_deref(), Some("orders"));
    // 50 000 messages at 500/s: 100 s of 1200/s against 1000/s.
    let m = o.moves.unwrap();
    assert!((m.seconds - 100.0).abs() < 1e-9 && (m.messages - 50_000.0).abs() < 1e-6);
    assert!((o.arrival_rate - 1200.0).abs() < 1e-9);
    assert!((o.capacity - 1000.0).abs() < 1e-9, "{o:?}");
    assert!((o.backlog - 20_000.0).abs() < 1e-6);
    assert!((o.drain_seconds.unwrap() - 20_000.0 / 300.0).abs() < 1e-6);
    // A window shorter than the move ends it: 60 s, 30 000 messages.
    let (sc, t) = redriving("initial_backlog = 50000", "", "duration = \"60s\"\n");
    let o = &outlook_network(&sc, &t)[0];
    assert_eq!(o.moves.unwrap().messages, 30_000.0);
    assert!((o.backlog - 200.0 * 60.0).abs() < 1e-6);
    // What the traffic equations dead-letter counts: 1% poison of
    // 700/s for 15 minutes is 6300 messages, 12.6 s of moving.
    let (sc, t) = redriving("", "poison_fraction = 0.01", "");
    let m = outlook_network(&sc, &t)[0].moves.unwrap();
    assert!((m.messages - 6300.0).abs() < 1e-6 && (m.seconds - 12.6).abs() < 1e-9);
}

#[test]
fn no_spare_capacity_means_no_drain_estimate() {
    let sc = scenario("[[faults]]\nkind = \"queue-outage\"\nat = \"1h\"\nduration = \"1h\"\n");
    let o = &outlook(&sc)[0];
    assert_eq!(o.backlog, 36_000.0);
    // After a fault that ends at the horizon, producers have stopped.
    assert_eq!(o.drain_seconds, Some(36_000.0 / 12.0));
    let sc = scenario(
        "[[faults]]\nkind = \"slowdown\"\nat = \"1h\"\nduration = \"30m\"\nfactor = 2\n\
         [[faults]]\nkind = \"spike\"\nat = \"90m\"\nduration = \"30m\"\nfactor = 2\n",
    );
    assert_eq!(outlook(&sc)[0].drain_seconds, None);
}
