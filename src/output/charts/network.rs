//! A network run's own charts: the throughput of its busiest queue, with
//! that fleet's capacity (a capacity summed over fleets, or the first
//! fleet's, would compare with no line it is drawn beside), and the
//! per-queue backlog panels ([`super::queue_backlogs`]).
//!
//! Contract: [`throughput`] names the queue it draws in its title and
//! legend; [`write_queue_panels`] writes `queues.svg`/`.png` for a network
//! and nothing for a single queue.

use std::path::Path;

use anyhow::Result;

use super::run::{Throughput, throughput_of};
use super::{Chart, QueueSeries, Shade, Window, fault_label, queue_backlogs};
use crate::capacity::{Station, queue_conditions_at};
use crate::output::resource_summary::open_periods;
use crate::output::summary::RunSummary;
use crate::scenario::{Node, Scenario};

/// The throughput chart of a network: arrivals, completions and capacity
/// at the busiest queue ([`RunSummary::busiest_queue`]); with no busy
/// fleet, arrivals and completions summed over queues, no capacity.
pub fn throughput(sc: &Scenario, summary: &RunSummary) -> Chart {
    let busiest = summary
        .busiest_queue()
        .and_then(|(i, _)| Some((i, Station::of(sc, i)?, summary.queues.get(i)?)));
    let Some((i, station, q)) = busiest else {
        return throughput_of(
            sc,
            summary,
            &Throughput {
                title: format!("{}: throughput summed over all queues", sc.name),
                series: &summary.timeseries,
                labels: [
                    "sent to any queue".into(),
                    "deleted from any queue".into(),
                    String::new(),
                ],
                capacity: None,
            },
        );
    };
    let capacity = move |t: f64, up: f64| {
        queue_conditions_at(sc, i, t).map_or(0.0, |c| station.model(up, 1.0, &c).rate)
    };
    throughput_of(
        sc,
        summary,
        &Throughput {
            title: format!(
                "{}: throughput at queue {}, the busiest fleet (mean over replications)",
                sc.name, q.name
            ),
            series: &q.timeseries,
            labels: [
                format!("arrivals at {} (sent)", q.name),
                format!("completions at {} (deleted)", q.name),
                format!(
                    "capacity of {}'s consumers up (mqsim check's model)",
                    q.name
                ),
            ],
            capacity: Some(&capacity),
        },
    )
}

/// Writes the per-queue backlog panels of a network into `dir`; returns
/// ("queues", SVG) for the report, or `None` for a single queue.
pub fn write_queue_panels(
    dir: &Path,
    sc: &Scenario,
    summary: &RunSummary,
) -> Result<Option<(String, String)>> {
    if summary.queues.is_empty() {
        return Ok(None);
    }
    let end = summary.timeseries.last().map_or(0.0, |s| s.time);
    let open: Vec<Vec<(f64, f64)>> = summary
        .queues
        .iter()
        .map(|q| match &summary.breakers {
            Some(changes) => open_periods(changes, &q.name, end),
            None => Vec::new(),
        })
        .collect();
    let columns: Vec<[Vec<f64>; 3]> = summary
        .queues
        .iter()
        .map(|q| {
            let ts = &q.timeseries;
            [
                ts.iter().map(|s| s.time).collect(),
                ts.iter().map(|s| s.visible).collect(),
                ts.iter().map(|s| s.in_flight).collect(),
            ]
        })
        .collect();
    let series: Vec<QueueSeries> = summary
        .queues
        .iter()
        .zip(&columns)
        .zip(&open)
        .map(|((q, [time, visible, in_flight]), open)| QueueSeries {
            name: &q.name,
            time,
            visible,
            in_flight,
            open,
        })
        .collect();
    let windows: Vec<Window> = sc
        .faults
        .iter()
        .map(|f| Window {
            label: match f.target.as_ref().map(|r| (r.node, &r.name)) {
                Some((Node::Queue(_), name)) => format!("{} ({name})", f.kind.name()),
                _ => fault_label(f),
            },
            start: f.at.as_secs_f64(),
            end: f.end().as_secs_f64(),
            shade: Shade::Fault,
        })
        .collect();
    let title = format!(
        "{}: each queue's backlog ({})",
        sc.name,
        super::replications_note(summary.manifest.replications as usize, "of")
    );
    queue_backlogs(dir, &title, &series, &windows).map(Some)
}
