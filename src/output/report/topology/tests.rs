use super::geometry::{Rect, Route};
use super::layout::layout;
use super::*;

fn node(label: &str, kind: TopoKind) -> TopoNode {
    TopoNode {
        label: label.into(),
        kind,
        detail: None,
        utilization: None,
        bottleneck: false,
    }
}

fn fleet(label: &str, count: u32, u: f64) -> TopoNode {
    TopoNode {
        detail: Some(format!(
            "{count} consumer{}",
            if count == 1 { "" } else { "s" }
        )),
        utilization: Some(u),
        ..node(label, TopoKind::Fleet)
    }
}

fn edge(from: usize, to: usize, rate: f64, kind: EdgeKind) -> TopoEdge {
    TopoEdge {
        from,
        to,
        rate,
        note: None,
        kind,
    }
}

fn pipeline() -> Topology {
    Topology {
        nodes: vec![
            node("producer", TopoKind::Producer),
            TopoNode {
                detail: Some("visible mean 12.5".into()),
                ..node("queue", TopoKind::Queue)
            },
            fleet("consumers", 8, 0.62),
        ],
        edges: vec![
            edge(0, 1, 40.0, EdgeKind::Send),
            edge(1, 2, 40.0, EdgeKind::Deliver),
        ],
    }
}

/// The order pipeline of SPEC §5, with a dead-letter queue.
fn orders() -> Topology {
    use EdgeKind::*;
    use TopoKind::*;
    let mut email = edge(4, 6, 12.0, Subscribe);
    email.note = Some("filter 30%".into());
    Topology {
        nodes: vec![
            node("checkout", Producer),
            TopoNode {
                detail: Some("visible mean 1,234".into()),
                ..node("orders", Queue)
            },
            TopoNode {
                bottleneck: true,
                ..fleet("orders workers", 20, 0.94)
            },
            node("orders-dlq", Queue),
            node("order-events", Topic),
            node("shipping", Queue),
            node("email", Queue),
            fleet("shipping workers", 6, 0.55),
            fleet("email workers", 2, 0.78),
            fleet("dlq workers", 1, 0.02),
        ],
        edges: vec![
            edge(0, 1, 40.0, Send),
            edge(1, 2, 39.8, Deliver),
            edge(2, 4, 39.8, Emit),
            edge(4, 5, 39.8, Subscribe),
            email,
            edge(5, 7, 39.8, Deliver),
            edge(6, 8, 11.9, Deliver),
            edge(1, 3, 0.213, DeadLetter),
            edge(3, 9, 0.213, Deliver),
        ],
    }
}

/// Twelve nodes: two producers, a topic fanning out, a long edge, a cycle.
fn twelve() -> Topology {
    use EdgeKind::*;
    use TopoKind::*;
    let mut nodes = vec![
        node("web", Producer),
        node("mobile", Producer),
        node("ingest", Queue),
        fleet("ingest workers", 30, 0.81),
        node("events", Topic),
        node("billing", Queue),
        node("search-index", Queue),
        node("audit", Queue),
        fleet("billing workers", 4, 0.97),
        fleet("indexers", 10, 0.45),
        fleet("auditors", 1, 0.2),
        node("ingest-dlq", Queue),
    ];
    nodes[8].bottleneck = true;
    let mut edges = vec![
        edge(0, 2, 1234.5, Send),
        edge(1, 2, 410.0, Send),
        edge(2, 3, 1644.0, Deliver),
        edge(3, 4, 1640.0, Emit),
        edge(4, 5, 1640.0, Subscribe),
        edge(4, 6, 820.0, Subscribe),
        edge(4, 7, 1640.0, Subscribe),
        edge(5, 8, 1640.0, Deliver),
        edge(6, 9, 820.0, Deliver),
        edge(7, 10, 1640.0, Deliver),
        edge(2, 11, 4.0, DeadLetter),
        // Billing retries go back to ingest: a cycle.
        edge(8, 2, 16.4, Emit),
        // The web producer also writes audit records directly: a long edge.
        edge(0, 7, 2.5, Send),
    ];
    edges[5].note = Some("filter 50%".into());
    edges[11].note = Some("p 0.01".into());
    Topology { nodes, edges }
}

/// A topic fanning out to five queues with long names, and a retry cycle.
fn fan_out() -> Topology {
    use EdgeKind::*;
    use TopoKind::*;
    let mut nodes = vec![
        node("payments-api", Producer),
        node("payment-events-topic", Topic),
    ];
    let mut edges = vec![edge(0, 1, 250.0, Send)];
    for (k, name) in [
        "ledger",
        "fraud-scoring-service",
        "notifications",
        "analytics-warehouse-loader",
        "receipts",
    ]
    .iter()
    .enumerate()
    {
        nodes.push(node(name, Queue));
        nodes.push(fleet(
            &format!("{name} workers"),
            3 + k as u32,
            0.3 + 0.15 * k as f64,
        ));
        let (q, f) = (nodes.len() - 2, nodes.len() - 1);
        let mut sub = edge(1, q, 250.0 * (1.0 - 0.2 * k as f64), Subscribe);
        sub.note = (k > 0).then(|| format!("filter {}%", 100 - 20 * k));
        edges.push(sub);
        edges.push(edge(q, f, 250.0 * (1.0 - 0.2 * k as f64), Deliver));
    }
    // Fraud scoring re-queues what it could not score yet.
    let mut retry = edge(5, 4, 12.5, Emit);
    retry.note = Some("p 0.05".into());
    edges.push(retry);
    Topology { nodes, edges }
}

fn examples() -> Vec<(&'static str, Topology)> {
    vec![
        ("pipeline", pipeline()),
        ("orders", orders()),
        ("twelve", twelve()),
        ("fan_out", fan_out()),
    ]
}

fn doc(svg: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}\n{svg}"))
}

fn node_boxes(svg: &str) -> usize {
    doc(svg)
        .descendants()
        .filter(|n| n.attribute("class") == Some("node-box"))
        .count()
}

#[test]
fn one_box_per_node_and_one_path_per_edge() {
    for (_, t) in examples() {
        let svg = svg(&t);
        assert_eq!(node_boxes(&svg), t.nodes.len());
        let paths = doc(&svg)
            .descendants()
            .filter(|n| n.attribute("class").is_some_and(|c| c.starts_with("edge ")))
            .count();
        assert_eq!(paths, t.edges.len());
    }
}

#[test]
fn text_is_escaped() {
    let mut t = pipeline();
    t.nodes[1].label = "a<b> & \"c\"\u{1}".into();
    t.edges[0].note = Some("<script>".into());
    let svg = svg(&t);
    let d = doc(&svg);
    let texts: Vec<&str> = d.descendants().filter_map(|n| n.text()).collect();
    assert!(texts.contains(&"a<b> & \"c\""), "{texts:?}");
    assert!(texts.contains(&"<script>"));
    assert!(!svg.contains("<script>"));
}

#[test]
fn the_same_topology_gives_the_same_bytes() {
    assert_eq!(svg(&twelve()), svg(&twelve()));
}

#[test]
fn cycles_terminate_and_are_drawn_under_the_diagram() {
    let t = Topology {
        nodes: vec![node("a", TopoKind::Queue), node("b", TopoKind::Fleet)],
        edges: vec![
            edge(0, 1, 1.0, EdgeKind::Deliver),
            edge(1, 0, 1.0, EdgeKind::Emit),
            edge(1, 1, 1.0, EdgeKind::Emit),
        ],
    };
    let l = layout(&t);
    let floor = l.boxes.iter().map(Rect::bottom).fold(0.0, f64::max);
    let backs: Vec<&Route> = l
        .routes
        .iter()
        .flatten()
        .filter(|r| matches!(r, Route::Back { .. }))
        .collect();
    assert_eq!(backs.len(), 2);
    assert!(
        backs
            .iter()
            .all(|r| matches!(r, Route::Back { low, .. } if *low > floor))
    );
    assert!(l.boxes[0].right() < l.boxes[1].x, "a before b");
    assert_eq!(node_boxes(&svg(&t)), 2);
}

#[test]
fn edges_to_missing_nodes_are_left_out() {
    let mut t = pipeline();
    t.edges.push(edge(1, 7, 1.0, EdgeKind::Emit));
    let l = layout(&t);
    assert_eq!(l.routes[2], None);
    doc(&svg(&t));
    doc(&svg(&Topology::default()));
}

#[test]
fn twelve_nodes_fit_without_overlaps() {
    for (name, t) in examples() {
        fits_without_overlaps(name, &t);
    }
}

fn fits_without_overlaps(name: &str, t: &Topology) {
    let l = layout(t);
    let labels: Vec<Rect> = l.labels.iter().flatten().copied().collect();
    for (i, a) in l.boxes.iter().enumerate() {
        for b in &l.boxes[i + 1..] {
            assert!(!a.overlaps(b), "{name}: {a:?} overlaps {b:?}");
        }
        for b in &labels {
            assert!(!a.overlaps(b), "{name}: box {a:?} under label {b:?}");
        }
    }
    for (i, a) in labels.iter().enumerate() {
        assert!(
            labels[i + 1..].iter().all(|b| !a.overlaps(b)),
            "{name}: {a:?}"
        );
    }
    let inside =
        |r: &Rect| r.x >= 0.0 && r.y >= 0.0 && r.right() <= l.width && r.bottom() <= l.height;
    assert!(l.boxes.iter().chain(&labels).all(inside));
}

#[test]
fn forward_edges_run_left_to_right_into_the_left_side() {
    let t = orders();
    let l = layout(&t);
    for (e, route) in t.edges.iter().zip(&l.routes) {
        let Some(Route::Forward { from, legs, to }) = route else {
            panic!("{e:?} is not forward")
        };
        assert_eq!(*from, (l.boxes[e.from].right(), from.1));
        assert_eq!(*to, (l.boxes[e.to].x, to.1));
        let mut xs = vec![from.0];
        xs.extend(
            legs.iter()
                .flat_map(|l| [l.from.0, l.bend.0, l.bend.1, l.to.0]),
        );
        xs.push(to.0);
        assert!(xs.windows(2).all(|w| w[0] <= w[1]), "{xs:?}");
        assert!(legs.iter().all(|l| l.bend.0 < l.bend.1));
        // The last leg enters horizontally at the port: the arrow points right.
        assert_eq!(legs.last().unwrap().to.1, to.1);
    }
}

#[test]
fn boxes_hold_their_text() {
    let t = orders();
    let l = layout(&t);
    for (n, b) in t.nodes.iter().zip(&l.boxes) {
        let widest = node_lines(n)
            .iter()
            .map(TextLine::width)
            .fold(0.0, f64::max);
        assert!(b.w >= widest + 20.0, "{}", n.label);
    }
}

#[test]
fn numbers_read_at_three_significant_digits() {
    assert_eq!(rate(40.0), "40.0/s");
    assert_eq!(rate(1234.5), "1,230/s");
    assert_eq!(rate(999.7), "1,000/s");
    assert_eq!(rate(0.213), "0.213/s");
    assert_eq!(rate(1_234_567.0), "1,230,000/s");
    assert_eq!(rate(0.0), "0/s");
    assert_eq!(rate(f64::NAN), "–/s");
    assert_eq!(percent(0.94), "94%");
    assert_eq!(percent(0.02), "2.0%");
    assert_eq!(heat(0.69), Heat::Calm);
    assert_eq!(heat(0.7), Heat::Warm);
    assert_eq!(heat(0.9), Heat::Hot);
}

#[test]
fn pipeline_snapshot() {
    insta::assert_snapshot!(svg(&pipeline()));
}

/// Writes the examples as HTML pages to look at:
/// `cargo test --release --lib topology::tests::write_examples -- --ignored`.
#[test]
#[ignore]
fn write_examples() {
    let dir = std::env::temp_dir().join("mqsim-topology");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, t) in examples() {
        let page = format!(
            "<!DOCTYPE html><html><body style=\"font-family:DejaVu Sans,sans-serif;margin:2em auto;\
             max-width:1250px\"><h2>Topology</h2><div class=\"chart\">{}</div></body></html>",
            svg(&t)
        );
        std::fs::write(dir.join(format!("{name}.html")), page).unwrap();
    }
}
