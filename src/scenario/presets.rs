//! `[queue] preset` (or `[queues.NAME] preset`, for that queue and its
//! fleet): defaults for other delivery models, mapped onto the engine
//! (docs/presets.md). A preset only fills keys the file leaves out;
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

/// Fills the keys `raw` leaves out from its presets: `[queue] preset`, or
/// each `[queues.NAME] preset` (for that queue and its fleet, if it has
/// one). The request price is one for the whole scenario: queues whose
/// presets set different prices need `[cost] price_per_million_requests`.
pub fn apply(raw: &mut RawScenario) -> Checked<()> {
    let mut price = None;
    if let Some(name) = raw.queue.as_ref().and_then(|q| q.preset.clone()) {
        let queue = raw.queue.get_or_insert_with(RawQueue::default);
        let consumers = raw.consumers.get_or_insert_with(RawConsumers::default);
        price = fill("queue.preset", &name, queue, Some(consumers))?;
    }
    for (queue_name, queue) in raw.queues.iter_mut().flatten() {
        let Some(name) = queue.preset.clone() else {
            continue;
        };
        let key = format!("queues.{queue_name}.preset");
        let mut consumers = queue.consumers.take();
        let set = fill(&key, &name, queue, consumers.as_mut());
        queue.consumers = consumers;
        price = agreed_price(&key, price, set?, raw.cost.as_ref())?;
    }
    if let Some((_, p)) = price {
        let cost = raw.cost.get_or_insert_with(RawCost::default);
        cost.price_per_million_requests.get_or_insert(p);
    }
    Ok(())
}

/// The request price the presets so far set, with the key that set it;
/// two different ones are an error unless `[cost]` gives the price.
fn agreed_price(
    key: &str,
    before: Option<(String, f64)>,
    now: Option<(String, f64)>,
    cost: Option<&RawCost>,
) -> Checked<Option<(String, f64)>> {
    let given = cost.is_some_and(|c| c.price_per_million_requests.is_some());
    match (before, now) {
        (Some((first, a)), Some((_, b))) if a != b && !given => Err(invalid(
            key,
            format!(
                "this preset prices requests at ${b} per million and the one at {first} at \
                 ${a}; the scenario has one request price: set [cost] price_per_million_requests"
            ),
        )),
        (Some(before), _) => Ok(Some(before)),
        (None, now) => Ok(now),
    }
}

/// Fills `queue` and `consumers` from preset `name` (at `key`); returns
/// the request price it sets, if it sets one.
fn fill(
    key: &str,
    name: &str,
    queue: &mut RawQueue,
    consumers: Option<&mut RawConsumers>,
) -> Checked<Option<(String, f64)>> {
    if !NAMES.contains(&name) {
        return Err(invalid(
            key,
            format!(
                "\"{name}\" is not a preset; allowed: {}",
                NAMES.map(|n| format!("\"{n}\"")).join(", ")
            ),
        ));
    }
    // A queue without a fleet (a dead-letter queue, say) keeps none.
    let mut none = RawConsumers::default();
    let consumers = consumers.unwrap_or(&mut none);
    let price = |p: f64| Some((key.to_owned(), p));
    Ok(match name {
        "sqs-fifo" => {
            queue.kind.get_or_insert_with(|| "fifo".into());
            price(0.50)
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
            None
        }
        "rabbitmq-quorum" => {
            queue
                .on_consumer_loss
                .get_or_insert_with(|| "requeue".into());
            queue.visibility_timeout.get_or_insert_with(|| text("30m"));
            queue.max_receive_count.get_or_insert(20);
            price(0.0)
        }
        "pubsub" => {
            queue.visibility_timeout.get_or_insert_with(|| text("10s"));
            queue.max_receive_count.get_or_insert(5);
            consumers.heartbeat.get_or_insert_with(|| text("5s"));
            price(0.0)
        }
        _ => None, // sqs-standard: the defaults are SQS standard's
    })
}
