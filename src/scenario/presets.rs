//! `[queue] preset`: defaults for other delivery models, mapped onto the
//! engine (docs/presets.md). A preset only fills keys the file leaves out;
//! anything the file sets wins.
//!
//! | preset | what it sets |
//! |---|---|
//! | `sqs-standard` | the SQS standard queue (the defaults) |
//! | `sqs-fifo` | `type = "fifo"`, FIFO request price $0.50 per million |
//! | `lambda-sqs` | an SQS event source mapping: batches of 10 that fail whole unless `batch_failure = "partial"` (ReportBatchItemFailures), pollers that start at 5 concurrent batches and add up to 300 a minute while messages wait, up to 1,000 |
//! | `rabbitmq-quorum` | a lost consumer's messages requeued at once, the 30-minute consumer timeout as the visibility timeout, delivery limit 20, no request price |
//! | `pubsub` | 10 s ack deadline extended every 5 s while processing, 5 delivery attempts then the dead-letter topic, no request price |

use super::checks::{Checked, invalid};
use super::duration::RawDuration;
use super::raw::{RawAutoscale, RawConsumers, RawCost, RawQueue, RawScenario};

/// The presets, in the order the docs list them.
pub const NAMES: [&str; 5] = [
    "sqs-standard",
    "sqs-fifo",
    "lambda-sqs",
    "rabbitmq-quorum",
    "pubsub",
];

fn text(s: &str) -> RawDuration {
    RawDuration::Text(s.to_owned())
}

/// Fills the keys `raw` leaves out from its preset, if it names one.
pub fn apply(raw: &mut RawScenario) -> Checked<()> {
    let Some(name) = raw.queue.as_ref().and_then(|q| q.preset.clone()) else {
        return Ok(());
    };
    if !NAMES.contains(&name.as_str()) {
        return Err(invalid(
            "queue.preset",
            format!(
                "\"{name}\" is not a preset; allowed: {}",
                NAMES.map(|n| format!("\"{n}\"")).join(", ")
            ),
        ));
    }
    let queue = raw.queue.get_or_insert_with(RawQueue::default);
    let consumers = raw.consumers.get_or_insert_with(RawConsumers::default);
    let cost = raw.cost.get_or_insert_with(RawCost::default);
    match name.as_str() {
        "sqs-fifo" => {
            queue.kind.get_or_insert_with(|| "fifo".into());
            cost.price_per_million_requests.get_or_insert(0.50);
        }
        "lambda-sqs" => {
            consumers.batch_size.get_or_insert(10);
            // Without ReportBatchItemFailures one error fails the batch.
            consumers
                .batch_failure
                .get_or_insert_with(|| "whole".into());
            if consumers.autoscale.is_none() && consumers.count.is_none() {
                consumers.autoscale = Some(RawAutoscale {
                    target_backlog_per_consumer: Some(10.0),
                    min: Some(5),
                    max: Some(1000),
                    cooldown: Some(text("0s")),
                    evaluation: Some(text("1s")),
                    scale_out_rate: Some(300.0),
                    scale_in_after: Some(text("0s")),
                    metric: Some("visible_and_in_flight".into()),
                    ..RawAutoscale::default()
                });
            }
        }
        "rabbitmq-quorum" => {
            queue
                .on_consumer_loss
                .get_or_insert_with(|| "requeue".into());
            queue.visibility_timeout.get_or_insert_with(|| text("30m"));
            queue.max_receive_count.get_or_insert(20);
            cost.price_per_million_requests.get_or_insert(0.0);
        }
        "pubsub" => {
            queue.visibility_timeout.get_or_insert_with(|| text("10s"));
            queue.max_receive_count.get_or_insert(5);
            consumers.heartbeat.get_or_insert_with(|| text("5s"));
            cost.price_per_million_requests.get_or_insert(0.0);
        }
        _ => {} // sqs-standard: the defaults are SQS standard's
    }
    Ok(())
}
