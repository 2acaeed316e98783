//! The report's sections of a network run: the topology diagram with the
//! simulated rates ([`super::flows`]), and the per-queue table with the
//! conservation verdicts, network-wide and per queue. A single-queue report
//! has neither, unless it has shared resources: then it has the diagram.
//!
//! `of` is appended to every heading, as in [`super::details`].

use std::fmt::Write as _;

use super::esc;
use super::flows::flows;
use super::topology::svg;
use super::words::time;
use crate::output::summary::RunSummary;
use crate::output::table::{QUEUE_COLUMNS, queue_rows, short};
use crate::scenario::Scenario;

/// "Topology": the diagram, and how to read its numbers.
pub(super) fn topology(h: &mut String, sc: &Scenario, s: &RunSummary, of: &str) {
    let f = flows(sc, s);
    let _ = writeln!(h, "<h2>Topology{}</h2>", esc(of));
    let bottleneck = match &f.bottleneck {
        Some((name, u)) => format!(
            " The bottleneck is the fleet of queue \"{}\", the busiest at {:.0}% utilisation.",
            name,
            u * 100.0
        ),
        None => String::new(),
    };
    let predicted = match f.predicted {
        0 => String::new(),
        n => format!(
            " {n} edge{} marked \"predicted\" carr{} the rate mqsim check's traffic equations \
             predict (no faults, no duplicates): the simulation counts per queue, not per edge, \
             and cannot tell that edge's messages apart.",
            if n == 1 { "" } else { "s" },
            if n == 1 { "ies" } else { "y" }
        ),
    };
    let resources = if s.resources.is_empty() {
        ""
    } else {
        " A resource's cylinder shows its capacity and its utilisation (time-weighted holders over \
         capacity); a dotted arrow from a fleet to it carries the acquires granted per second (an \
         estimate from the fleet's deliveries where several fleets share the resource)."
    };
    let note = format!(
        "Simulated mean rates, messages per second: each edge's messages over the run, mean of \
         {} replications, divided by the {} producers send for. A queue's box shows its mean \
         visible backlog; a fleet's, its consumers' busy share (utilisation).{}{}{}",
        s.manifest.replications,
        time(sc.duration),
        resources,
        bottleneck,
        predicted
    );
    let _ = writeln!(h, "<p class=\"note\">{}</p>", esc(&note));
    let _ = writeln!(
        h,
        "<div class=\"chart\" id=\"topology\">{}</div>",
        svg(&f.topology)
    );
}

/// "Queues": one row per queue, then the conservation verdicts.
pub(super) fn queues(h: &mut String, s: &RunSummary, of: &str) {
    let _ = writeln!(
        h,
        "<h2>Queues{}</h2>\n<p class=\"note\">Means over replications. Each queue's own figures: \
         produced is every message it accepted (from producers, topics, emits, dead letters and \
         its initial backlog); latency_p99 and wait_mean run from the send to that queue; \
         utilization is its fleet's busy share. journeys counts the journeys of producers' \
         messages (sent after warm-up) that ended there, with a processing that sent nothing on \
         (each copy a topic makes has a journey of its own), and journey e2e mean is their mean \
         end-to-end latency, from the producer's send.</p>",
        esc(of)
    );
    queue_table(h, s);
    let c = &s.conservation;
    let per_queue_hold = s.queues.iter().all(|q| q.conservation.holds);
    let _ = writeln!(
        h,
        "<p>Conservation of the network: {} (messages accepted by the queues, {}, = messages \
         accounted for, {}: deleted, dead-lettered, expired or left, summed over queues and \
         replications); per queue: {}.</p>",
        if c.holds { "holds" } else { "VIOLATED" },
        c.produced,
        c.accounted,
        if per_queue_hold {
            "holds for every queue".to_owned()
        } else {
            let broken: Vec<&str> = s
                .queues
                .iter()
                .filter(|q| !q.conservation.holds)
                .map(|q| q.name.as_str())
                .collect();
            format!("VIOLATED at {}", broken.join(", "))
        }
    );
}

/// The per-queue table: the queue's name kept on one line, headings
/// that wrap at their words, the conservation verdict coloured.
fn queue_table(h: &mut String, s: &RunSummary) {
    h.push_str("<table><tr><th class=\"l\">queue</th>");
    for (_, heading, _) in QUEUE_COLUMNS {
        let _ = write!(h, "<th>{}</th>", esc(&heading.replace('_', " ")));
    }
    let _ = writeln!(h, "<th>conservation</th></tr>");
    for row in queue_rows(s) {
        let Some((verdict, cells)) = row.split_last() else {
            continue;
        };
        let _ = write!(
            h,
            "<tr><td class=\"l\" style=\"white-space:nowrap\">{}</td>",
            esc(&cells[0])
        );
        for c in &cells[1..] {
            let _ = write!(h, "<td style=\"white-space:nowrap\">{}</td>", esc(c));
        }
        let (class, word) = if verdict == "ok" {
            ("pass", "holds")
        } else {
            ("fail", "VIOLATED")
        };
        let _ = writeln!(h, "<td class=\"{class}\">{word}</td></tr>");
    }
    let _ = writeln!(h, "</table>");
}

/// The note under a network's metrics table: what its top-level figures are.
pub(super) fn metrics_note(s: &RunSummary) -> String {
    if s.queues.is_empty() {
        return String::new();
    }
    let journeys: f64 = s.queues.iter().map(|q| q.journeys.mean).sum();
    format!(
        " These are the whole network's figures: produced counts the producers' messages; \
         latency_* run end to end, from a producer's send to each completed processing that \
         ended one of its journeys (a topic's copies each make a journey: {} journeys ended per \
         replication on average, for {} messages produced); other counts are summed over \
         queues, and backlog covers all queues. The Queues section has each queue's own.",
        short(journeys),
        s.metric("produced").map_or("-".into(), |p| short(p.mean))
    )
}
