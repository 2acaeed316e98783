//! What a reader of a network run sees is about the network: the report
//! words every queue, fleet, topic and filter from its own settings (never
//! the first queue's), draws the topology with every node, lists each queue
//! with its conservation verdict, and charts each queue's backlog and the
//! busiest queue's throughput; the terminal table and `--format json` list
//! each queue; a sweep's details of one point are worded the same way.

use std::fs;
use std::path::Path;

use crate::common::{mqsim, root, write};

const QUEUES: [&str; 4] = ["email", "orders", "orders-dlq", "shipping"];

/// Runs the order pipeline (2 replications) into `out`; returns stdout.
fn run_pipeline(out: &Path, extra: &[&str]) -> String {
    let assert = mqsim()
        .arg("run")
        .arg(root().join("scenarios/order-pipeline.toml"))
        .args(["--replications", "2", "--out"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

fn document(html: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse_with_options(
        html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("report.html is not well-formed: {e}"))
}

/// All text under `node`, concatenated.
fn text_of(node: roxmltree::Node) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}

/// The sentences under the "Queue \"name\"" item of "What was simulated".
fn queue_section(doc: &roxmltree::Document, name: &str) -> String {
    let head = format!("Queue \"{name}\"");
    let item = doc
        .descendants()
        .filter(|n| n.has_tag_name("li"))
        .find(|li| {
            li.children()
                .any(|c| c.has_tag_name("b") && c.text() == Some(head.as_str()))
        })
        .unwrap_or_else(|| panic!("no section for {head}"));
    text_of(item)
}

#[test]
fn the_pipeline_report_words_every_queue_from_its_own_settings() {
    let dir = tempfile::tempdir().unwrap();
    run_pipeline(dir.path(), &["--quiet"]);
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    let doc = document(&html);
    for name in QUEUES {
        queue_section(&doc, name);
    }
    let orders = queue_section(&doc, "orders");
    assert!(!orders.contains("no dead-letter queue"), "{orders}");
    assert!(
        orders
            .contains("5 times goes to the dead-letter queue \"orders-dlq\" (it has no consumers"),
        "{orders}"
    );
    assert!(orders.contains("12 consumers receive"), "{orders}");
    assert!(orders.contains("to topic \"order-events\""), "{orders}");
    let email = queue_section(&doc, "email");
    assert!(email.contains("3 consumers receive"), "{email}");
    assert!(email.contains("mean 100 ms, p99 500 ms"), "{email}");
    assert!(email.contains("60% of its messages pass"), "{email}");
    assert!(queue_section(&doc, "shipping").contains("8 consumers receive"));
    assert!(queue_section(&doc, "orders-dlq").contains("No consumers"));
    assert!(html.contains(
        "Producer &quot;checkout&quot; sends 40 msg/s (Poisson) to queue &quot;orders&quot;."
    ));
    assert!(html.contains(
        "Topic &quot;order-events&quot; (published to by the consumers of queue &quot;orders&quot;) \
         copies each message to queue &quot;shipping&quot; (every message) and queue &quot;email&quot; \
         (filter: 60% of messages pass)."
    ));
}

#[test]
fn the_pipeline_report_draws_the_topology_and_lists_each_queue() {
    let dir = tempfile::tempdir().unwrap();
    run_pipeline(dir.path(), &["--quiet"]);
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    let doc = document(&html);
    let headings: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("h2"))
        .map(text_of)
        .collect();
    let at = |h: &str| headings.iter().position(|x| x == h).unwrap_or(usize::MAX);
    assert!(at("Topology") < at("What was simulated"), "{headings:?}");
    assert!(
        at("Metrics") < at("Queues") && at("Queues") < usize::MAX,
        "{headings:?}"
    );
    let svg = doc
        .descendants()
        .find(|n| n.has_tag_name("svg") && n.attribute("class") == Some("topology"))
        .expect("the topology is inline");
    let labels: Vec<String> = svg
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(text_of)
        .collect();
    for label in QUEUES.iter().chain(&["checkout", "order-events"]) {
        assert!(labels.iter().any(|l| l == label), "{label} in {labels:?}");
    }
    assert!(labels.iter().any(|l| l == "filter 60%"), "{labels:?}");
    assert!(
        labels.iter().any(|l| l.contains("BOTTLENECK")),
        "{labels:?}"
    );
    assert!(html.contains("The bottleneck is the fleet of queue &quot;email&quot;"));
    // Every edge of the pipeline is counted by the simulation alone.
    assert!(
        !labels.iter().any(|l| l.contains("predicted")),
        "{labels:?}"
    );
    // The per-queue table: a row per queue, each conserved.
    let table = doc
        .descendants()
        .filter(|n| n.has_tag_name("table"))
        .find(|t| text_of(*t).contains("journey e2e mean"))
        .expect("a per-queue table");
    let rows: Vec<String> = table
        .children()
        .filter(|n| n.has_tag_name("tr"))
        .skip(1)
        .map(text_of)
        .collect();
    assert_eq!(rows.len(), QUEUES.len(), "{rows:?}");
    for (row, name) in rows.iter().zip(QUEUES) {
        assert!(row.starts_with(name) && row.ends_with("holds"), "{row}");
    }
    assert!(html.contains("Conservation of the network: holds"));
    assert!(html.contains("per queue: holds for every queue"));
    // Charts: the per-queue panels, the busiest queue's throughput.
    assert!(dir.path().join("charts/queues.svg").is_file());
    assert!(dir.path().join("charts/queues.png").is_file());
    assert!(html.contains("id=\"chart-queues\""));
    let throughput = fs::read_to_string(dir.path().join("charts/throughput.svg")).unwrap();
    assert!(throughput.contains("throughput at queue email, the busiest fleet"));
    assert!(
        throughput.contains("capacity of email&apos;s consumers up")
            || throughput.contains("capacity of email's consumers up")
    );
    let latency = fs::read_to_string(dir.path().join("charts/latency.svg")).unwrap();
    assert!(latency.contains("send to journey"));
}

#[test]
fn the_terminal_table_and_json_list_each_queue() {
    let dir = tempfile::tempdir().unwrap();
    let stdout = run_pipeline(&dir.path().join("table"), &[]);
    let after = stdout
        .split_once("\nqueues (")
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("no per-queue table:\n{stdout}"));
    let lines: Vec<&str> = after.lines().skip(1).take(QUEUES.len() + 1).collect();
    assert!(lines[0].trim_start().starts_with("queue "), "{lines:?}");
    assert!(lines[0].contains("journey_e2e_mean"), "{lines:?}");
    for (line, name) in lines[1..].iter().zip(QUEUES) {
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cells.first(), Some(&name), "{line}");
        assert_eq!(cells.last(), Some(&"ok"), "{line}");
    }
    // A queue without consumers has no utilisation.
    assert!(lines[3].contains(" - "), "{}", lines[3]);
    let json = run_pipeline(&dir.path().join("json"), &["--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    for name in QUEUES {
        assert!(
            doc["queues"][name]["metrics"]["produced"].is_object(),
            "{name}"
        );
    }
}

/// Edges the simulation cannot count alone, and a targeted fault.
const FORK: &str = r#"
name = "fork"
duration = "10m"
replications = 2

[queues.intake.consumers]
count = 4
processing = "20ms"
emit = [{ to = "audit", p = 0.5 }, { to = "audit", p = 0.5 }]

[queues.audit.consumers]
count = 2
processing = "10ms"

[topics.feed]
subscribers = ["intake", { queue = "audit", filter = 0.25 }]

[[producers]]
name = "web"
rate = 20
to = "feed"

[[faults]]
kind = "slowdown"
target = "audit"
at = "2m"
duration = "1m"
factor = 3
"#;

#[test]
fn edges_the_simulation_cannot_count_alone_are_marked_predicted() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "fork.toml", FORK);
    let out = dir.path().join("out");
    mqsim()
        .args(["run", "--quiet", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let doc = document(&html);
    let svg = doc
        .descendants()
        .find(|n| n.has_tag_name("svg") && n.attribute("class") == Some("topology"))
        .unwrap();
    let predicted = svg
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter(|n| text_of(*n).contains("predicted"))
        .count();
    // web → feed, feed → audit, and intake → audit (its two emits drawn as
    // one arrow); feed → intake is intake's only inflow from queues and
    // topics, so it is counted.
    assert_eq!(predicted, 3, "{html}");
    assert!(
        html.contains("3 edges marked &quot;predicted&quot;"),
        "{html}"
    );
    assert!(html.contains("p 0.5 + p 0.5 · predicted"), "{html}");
    assert!(html.contains(
        "Fault slowdown from 2 to 3 min (1 min) at queue &quot;audit&quot;: processings"
    ));
    let audit = queue_section(&doc, "audit");
    assert!(
        audit.contains(
            "Fed by topic \"feed\" (25% of its messages pass the subscription's filter), \
             the consumers of queue \"intake\" (50% of processings) and the consumers of \
             queue \"intake\" (50% of processings)."
        ),
        "{audit}"
    );
    let intake = queue_section(&doc, "intake");
    assert!(
        intake.contains(
            "one message to queue \"audit\" with probability 50% and one message to queue \
             \"audit\" with probability 50%, each independently"
        ),
        "{intake}"
    );
}

#[test]
fn a_sweep_of_the_pipeline_details_its_point_as_a_network() {
    let dir = tempfile::tempdir().unwrap();
    mqsim()
        .arg("sweep")
        .arg(root().join("scenarios/order-pipeline.toml"))
        .args([
            "--vary",
            "queues.email.consumers.count=3,4",
            "--replications",
            "2",
            "--quiet",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    let doc = document(&html);
    let shown = html.contains("What was simulated at queues.email.consumers.count = 3");
    let count = if shown { 3 } else { 4 };
    let email = queue_section(&doc, "email");
    assert!(
        email.contains(&format!("{count} consumers receive")),
        "{email}"
    );
    assert!(queue_section(&doc, "orders").contains("12 consumers receive"));
    assert!(html.contains("<h2>Topology at queues.email.consumers.count"));
    assert!(html.contains("<h2>Queues at queues.email.consumers.count"));
}
