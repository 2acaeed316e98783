//! Networks of queues (SPEC §5): conservation in every queue and every
//! replication, duplicates that propagate downstream with their cause,
//! fan-out, initial backlogs, dead-letter queues with consumers, targeted
//! faults, and sweeps over a queue's fleet.

use mqsim::engine::result::{QueueResult, ReplicationResult};
use mqsim::engine::run_replication;

use crate::common::{mqsim, root, run_all, scenario, write};

fn queue<'r>(r: &'r ReplicationResult, name: &str) -> &'r QueueResult {
    r.queues
        .iter()
        .find(|q| q.name == name)
        .unwrap_or_else(|| panic!("no queue {name}"))
}

/// Every queue of every replication accounts for every message it
/// accepted, and so does the network; fails loudly with the queue's books.
fn assert_conserved(results: &[ReplicationResult]) {
    for r in results {
        assert!(
            r.conservation.holds(),
            "replication {}: network conservation {:?}",
            r.replication,
            r.conservation
        );
        for q in &r.queues {
            assert!(
                q.conservation.holds(),
                "replication {}: queue {} conservation {:?}",
                r.replication,
                q.name,
                q.conservation
            );
        }
    }
}

/// One order whose processing (1.5 s) outlasts the visibility timeout (1 s)
/// with two workers: worker A receives it at 0, B at 1 s (A's timeout), A
/// again at 2 s (B's); each delete carries a stale receipt and is ignored;
/// at 3 s the fourth receive finds `max_receive_count = 3` and dead-letters
/// it. Three processings upstream (two duplicates), each emitting: the
/// email queue gets three copies and processes each once: two duplicate
/// emails, blamed on the visibility timeout; the audit queue behind it
/// gets three again.
const RACE: &str = r#"
name = "race"
duration = "10m"
replications = 3

[queues.orders]
visibility_timeout = "1s"
max_receive_count = 3
initial_backlog = 1

[queues.orders.consumers]
count = 2
batch_size = 1
processing = "1.5s"
emit = [{ to = "email" }]

[queues.email]

[queues.email.consumers]
count = 1
processing = "10ms"
emit = [{ to = "audit" }]

[queues.audit]

[queues.audit.consumers]
count = 1
processing = "10ms"

[[producers]]
to = "orders"
rate = 0.001
arrivals = "constant"
"#;

#[test]
fn an_upstream_visibility_race_sends_exactly_its_duplicates_downstream() {
    let results = run_all(&scenario(RACE));
    assert_conserved(&results);
    for r in &results {
        let orders = &queue(r, "orders").metrics;
        assert_eq!(
            (orders.processed_ok, orders.duplicates, orders.dead_lettered),
            (3.0, 2.0, 1.0)
        );
        for name in ["email", "audit"] {
            let q = queue(r, name);
            assert_eq!(q.metrics.produced, 3.0, "{name} gets every copy");
            assert_eq!(q.metrics.processed_ok, 3.0);
            assert_eq!(
                q.metrics.duplicates, 2.0,
                "{name}: two inherited duplicates"
            );
            assert_eq!(q.duplicates_by_cause.visibility_expired, 2);
        }
        assert_eq!(r.metrics.duplicates, 6.0, "2 + 2 + 2 across the network");
        // The journey ends once, at audit: duplicates do not count twice.
        assert_eq!(queue(r, "audit").journeys, 1);
        assert_eq!(r.latency.len(), 1);
    }
}

#[test]
fn the_order_pipeline_conserves_every_message_in_every_queue() {
    let path = root().join("scenarios/order-pipeline.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let sc = scenario(&text);
    let results: Vec<_> = (0..4).map(|i| run_replication(&sc, i)).collect();
    assert_conserved(&results);
    for r in &results {
        let orders = queue(r, "orders");
        let shipping = queue(r, "shipping");
        let email = queue(r, "email");
        // A topic copies every processing to shipping; email's filter
        // passes its 60% share.
        assert_eq!(shipping.metrics.produced, orders.metrics.processed_ok);
        let n = orders.metrics.processed_ok;
        let share = email.metrics.produced / n;
        let sd = (0.6 * 0.4 / n).sqrt();
        assert!((share - 0.6).abs() < 4.0 * sd, "email share {share}");
        // The top level is the system: producers' messages, end to end.
        assert_eq!(r.metrics.produced, orders.metrics.produced);
        assert!(r.metrics.latency_mean > orders.metrics.latency_mean);
        let journeys: u64 = r.queues.iter().map(|q| q.journeys).sum();
        assert_eq!(journeys, r.latency.len());
    }
}

/// A dead-letter queue with its own slow consumer: poison messages move
/// there and are worked off; nothing is lost.
const DLQ: &str = r#"
duration = "20m"
replications = 2

[queues.jobs]
visibility_timeout = "5s"
max_receive_count = 2
dead_letter = "jobs-dlq"

[queues.jobs.consumers]
count = 4
processing = "50ms"
poison_fraction = 0.05
on_error = "release"

[queues.jobs-dlq]

[queues.jobs-dlq.consumers]
count = 1
processing = "1s"

[[producers]]
to = "jobs"
rate = 10
"#;

#[test]
fn dead_lettered_messages_arrive_in_the_dead_letter_queue_and_are_consumed() {
    let results = run_all(&scenario(DLQ));
    assert_conserved(&results);
    for r in &results {
        let jobs = queue(r, "jobs");
        let dlq = queue(r, "jobs-dlq");
        assert!(jobs.metrics.dead_lettered > 0.0);
        assert_eq!(dlq.metrics.produced, jobs.metrics.dead_lettered);
        assert_eq!(dlq.arrived_from_queues as f64, dlq.metrics.produced);
        // Poison stays behind: the DLQ's fleet draws its own (none), so
        // its worker clears them all but the last few.
        let unfinished = dlq.metrics.left_visible + dlq.metrics.left_in_flight;
        assert!(unfinished <= 10.0, "{unfinished} left in the DLQ");
        assert_eq!(dlq.metrics.deleted, dlq.metrics.produced - unfinished);
    }
}

#[test]
fn faults_strike_their_target_only() {
    let text = format!(
        "{DLQ}\n[[faults]]\nkind = \"consumer-outage\"\nat = \"5m\"\nduration = \"5m\"\nfraction = 1.0\ntarget = \"jobs-dlq\"\n"
    );
    let results = run_all(&scenario(&text));
    assert_conserved(&results);
    let quiet = run_all(&scenario(DLQ));
    for (r, q) in results.iter().zip(&quiet) {
        // The jobs queue did not notice (but for the network's own
        // figures: events, and the drain time of the fault); the DLQ's
        // backlog grew.
        let (mut struck, mut calm) = (
            queue(r, "jobs").metrics.clone(),
            queue(q, "jobs").metrics.clone(),
        );
        for m in [&mut struck, &mut calm] {
            (m.events, m.drain_time) = (0.0, 0.0);
        }
        assert_eq!(struck, calm);
        assert!(
            queue(r, "jobs-dlq").metrics.backlog_max >= queue(q, "jobs-dlq").metrics.backlog_max
        );
    }
}

#[test]
fn a_network_run_writes_each_queues_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "dlq.toml", DLQ);
    let out = dir.path().join("out");
    mqsim()
        .args(["run", "--quiet", "--replications", "2", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    for name in ["jobs", "jobs-dlq"] {
        let q = &summary["queues"][name];
        assert!(
            q["metrics"]["produced"]["mean"].as_f64().unwrap() > 0.0,
            "{name}"
        );
        assert_eq!(q["conservation"]["holds"], true);
    }
    let csv = std::fs::read_to_string(out.join("replications.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.contains(",jobs.produced,") && header.contains(",jobs-dlq.latency_p99,"));
    let series = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    assert!(
        series
            .lines()
            .next()
            .unwrap()
            .ends_with("jobs-dlq.visible,jobs-dlq.in_flight")
    );
}

#[test]
fn max_backlog_counts_all_queues_together() {
    let dir = tempfile::tempdir().unwrap();
    let text = DLQ.replace("count = 4", "count = 0");
    let file = write(dir.path(), "stuck.toml", &text);
    let assert = mqsim()
        .args(["run", "--quiet", "--max-backlog", "500", "--out"])
        .arg(dir.path().join("out"))
        .arg(&file)
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("more than 500 messages"), "{stderr}");
}

#[test]
fn a_sweep_reaches_into_a_queues_fleet() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "dlq.toml", DLQ);
    let out = dir.path().join("sweep");
    mqsim()
        .args(["sweep", "--quiet", "--replications", "2"])
        .args(["--vary", "queues.jobs-dlq.consumers.count=1,3", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.starts_with("queues.jobs-dlq.consumers.count,"), "{csv}");
}

fn example(name: &str, sets: &[&str]) -> Vec<ReplicationResult> {
    let path = root().join("scenarios").join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let sets: Vec<String> = sets.iter().map(|s| (*s).to_owned()).collect();
    let sc = mqsim::scenario::load_str(&text, &path, &sets).unwrap_or_else(|e| panic!("{e}"));
    (0..4).map(|i| run_replication(&sc, i)).collect()
}

#[test]
fn an_order_worker_outage_sends_duplicate_emails_that_small_batches_avoid() {
    let results = example("outage-duplicate-emails.toml", &[]);
    assert_conserved(&results);
    for r in &results {
        let (orders, emails) = (queue(r, "orders"), queue(r, "emails"));
        assert!(
            orders.metrics.duplicates > 50.0,
            "{}",
            orders.metrics.duplicates
        );
        // Every duplicate email comes from a duplicate order processing.
        assert_eq!(emails.metrics.duplicates, orders.metrics.duplicates);
        assert_eq!(
            emails.duplicates_by_cause.visibility_expired as f64,
            emails.metrics.duplicates
        );
    }
    let small = example(
        "outage-duplicate-emails.toml",
        &["queues.orders.consumers.batch_size=1"],
    );
    for r in &small {
        assert_eq!(queue(r, "emails").metrics.duplicates, 0.0);
    }
}

#[test]
fn a_slow_dead_letter_consumer_works_off_what_the_error_burst_sent() {
    let results = example("dlq-slow-consumer.toml", &[]);
    assert_conserved(&results);
    for r in &results {
        let (payments, dlq) = (queue(r, "payments"), queue(r, "payments-dlq"));
        assert_eq!(dlq.metrics.produced, payments.metrics.dead_lettered);
        assert!(dlq.metrics.deleted > 0.0 && dlq.metrics.backlog_max > 100.0);
        // The repair job is the busy one.
        assert!(dlq.metrics.consumer_utilization > payments.metrics.consumer_utilization);
    }
}

#[test]
fn check_names_the_bottleneck_and_an_overloaded_queue() {
    let file = root().join("scenarios/order-pipeline.toml");
    let out = mqsim().arg("check").arg(&file).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.contains("bottleneck      email"), "{text}");
    let out = mqsim()
        .arg("check")
        .arg(&file)
        .args(["--set", "queues.email.consumers.count=2"])
        .assert()
        .success();
    let all = String::from_utf8_lossy(&out.get_output().stdout).into_owned()
        + &String::from_utf8_lossy(&out.get_output().stderr);
    assert!(
        all.contains("queue email: offered 24.0/s > capacity 20.0/s"),
        "{all}"
    );
}

/// Runs `text` as file `name`, expecting exit 2; returns stderr.
fn refused(name: &str, text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), name, text);
    let out = mqsim()
        .args(["run", "--out"])
        .arg(dir.path().join("out"))
        .arg(&file)
        .assert()
        .code(2);
    String::from_utf8_lossy(&out.get_output().stderr).into_owned()
}

#[test]
fn a_network_that_is_wrong_is_refused_with_the_names_that_exist() {
    let text = DLQ.replace("dead_letter = \"jobs-dlq\"", "dead_letter = \"jobs-dql\"");
    let stderr = refused("typo.toml", &text);
    assert!(
        stderr.contains("typo.toml:8:15: queues.jobs.dead_letter"),
        "{stderr}"
    );
    assert!(
        stderr.contains("jobs-dlq"),
        "names the queues that exist: {stderr}"
    );
}

#[test]
fn drain_is_refused_on_a_loop_that_never_drains() {
    let text = "drain = true\n[queues.jobs.consumers]\nprocessing = \"10ms\"\nemit = [{ to = \"jobs\" }]\n[[producers]]\nto = \"jobs\"\nrate = 1\n";
    let stderr = refused("loop.toml", text);
    assert!(
        stderr.contains("drain: true never ends: queues jobs"),
        "{stderr}"
    );
}
