//! Validation of `[consumers] autoscale` (target tracking and scheduled
//! capacity) into [`Autoscale`].

use super::checks::{Checked, duration_in, int_in, invalid, number_in, timed_steps, word};
use super::model::{Autoscale, CapacityStep, ScaleIn, ScaleMetric};
use super::raw::RawAutoscale;
use crate::time::SimTime;

/// The largest fleet a scenario may have (as `consumers.count`).
pub const MAX_CONSUMERS: i64 = 100_000;

/// Checks `raw`, the `autoscale` of the fleet at dotted key `fleet`
/// (`consumers` or `queues.NAME.consumers`), against the initial `count`
/// (`None` when the file gives none: the fleet then starts at `min`).
/// Returns the autoscaling settings and the initial count.
pub fn autoscale(
    raw: RawAutoscale,
    fleet: &str,
    count: Option<i64>,
    horizon: SimTime,
) -> Checked<(Autoscale, u32)> {
    let at = format!("{fleet}.autoscale");
    let key = |k: &str| format!("{at}.{k}");
    let min = int_in(&key("min"), raw.min, 1, 0..=MAX_CONSUMERS)?;
    let max = int_in(
        &key("max"),
        raw.max,
        min.max(count.unwrap_or(0)),
        min.max(1)..=MAX_CONSUMERS,
    )?;
    let count = count.unwrap_or(min);
    if !(min..=max).contains(&count) {
        return Err(invalid(
            format!("{fleet}.count"),
            format!("{count} consumers at the start, but autoscale allows {min} ..= {max}"),
        ));
    }
    let target = match raw.target_backlog_per_consumer {
        None => None,
        some => Some(number_in(
            &key("target_backlog_per_consumer"),
            some,
            0.0,
            f64::MIN_POSITIVE..=1e9,
        )?),
    };
    let schedule = match &raw.schedule {
        None => Vec::new(),
        Some(value) => schedule(&key("schedule"), value, max as u32, horizon)?,
    };
    if target.is_none() && schedule.is_empty() {
        return Err(invalid(
            at,
            "needs target_backlog_per_consumer (target tracking) or schedule (scheduled capacity), e.g. \
             autoscale = { target_backlog_per_consumer = 100, min = 2, max = 64 }",
        ));
    }
    let ms = SimTime::from_millis;
    let hour = SimTime::from_secs(3600);
    let autoscale = Autoscale {
        target_backlog_per_consumer: target,
        min: min as u32,
        max: max as u32,
        cooldown: duration_in(
            &key("cooldown"),
            raw.cooldown.as_ref(),
            SimTime::from_secs(60),
            (SimTime::ZERO, hour),
        )?,
        startup: duration_in(
            &key("startup"),
            raw.startup.as_ref(),
            SimTime::ZERO,
            (SimTime::ZERO, hour),
        )?,
        evaluation: duration_in(
            &key("evaluation"),
            raw.evaluation.as_ref(),
            SimTime::from_secs(60),
            (ms(100), hour),
        )?,
        scale_in: match word(
            &key("scale_in"),
            raw.scale_in.as_deref(),
            "finish",
            &["finish", "abandon"],
        )? {
            "abandon" => ScaleIn::Abandon,
            _ => ScaleIn::Finish,
        },
        schedule,
        scale_in_after: duration_in(
            &key("scale_in_after"),
            raw.scale_in_after.as_ref(),
            SimTime::from_secs(15 * 60),
            (SimTime::ZERO, SimTime::from_secs(24 * 3600)),
        )?,
        metric: match word(
            &key("metric"),
            raw.metric.as_deref(),
            "visible",
            &["visible", "visible_and_in_flight"],
        )? {
            "visible_and_in_flight" => ScaleMetric::VisibleAndInFlight,
            _ => ScaleMetric::Visible,
        },
        scale_out_rate: match raw.scale_out_rate {
            None => None,
            some => Some(number_in(&key("scale_out_rate"), some, 0.0, 0.01..=1e6)?),
        },
    };
    Ok((autoscale, count as u32))
}

/// `[["0s", 4], ["8h", 16]]`: times inside the run, increasing; counts
/// within `0 ..= max`.
fn schedule(
    key: &str,
    value: &toml::Value,
    max: u32,
    horizon: SimTime,
) -> Checked<Vec<CapacityStep>> {
    let example = "schedule = [[\"0s\", 4], [\"8h\", 16]]";
    let mut steps: Vec<CapacityStep> = Vec::new();
    for step in timed_steps(key, value, "count", example, horizon)? {
        let count = int_in(
            &step.key,
            step.value.as_integer().or(Some(-1)),
            0,
            0..=i64::from(max),
        )
        .map_err(|mut e| {
            e.message
                .push_str(" (a whole number of consumers, at most autoscale.max)");
            e
        })?;
        steps.push(CapacityStep {
            at: step.at,
            count: count as u32,
        });
    }
    Ok(steps)
}
