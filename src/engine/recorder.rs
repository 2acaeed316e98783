//! Observations of one replication: counters, histograms, time-weighted
//! levels and the time series. The simulation calls `on_*` methods; nothing
//! here schedules events or touches the queue.
//!
//! Warm-up: latency and wait statistics include only messages sent at or
//! after `warmup`; time averages (`backlog_mean`, `consumer_utilization`)
//! integrate from `warmup` on. Peaks and counts cover the whole run, and so
//! does the latency by send interval ([`LatencySeries`]).

use hdrhistogram::Histogram;

use super::latency_series::LatencyRecorder;
use super::result::Sample;

pub use super::hdr_counts::{HdrCounts, latency_histogram};

/// Event counts of one run; each field is the metric of the same name.
#[derive(Clone, Copy, Debug, Default)]
#[allow(missing_docs)] // the metric names are documented on `Metrics`
pub struct Counts {
    pub produced: u64,
    pub dropped: u64,
    pub received: u64,
    pub deleted: u64,
    pub processed_ok: u64,
    pub duplicates: u64,
    pub dead_lettered: u64,
    pub expired: u64,
    pub requests_send: u64,
    pub requests_receive: u64,
    pub requests_receive_empty: u64,
    pub requests_delete: u64,
    pub requests_change_visibility: u64,
    pub delete_errors: u64,
    pub requests_throttled: u64,
    pub deduplicated: u64,
    pub repeated: u64,
    pub duplicates_suppressed: u64,
    pub side_effect_duplicates: u64,
    pub breaker_opens: u64,
    pub redriven: u64,
    /// Messages that arrived from other queues of a network.
    pub arrived_from_queues: u64,
}

impl Counts {
    /// All API requests.
    pub fn requests(&self) -> u64 {
        self.requests_send
            + self.requests_receive
            + self.requests_delete
            + self.requests_change_visibility
    }
}

/// A piecewise-constant level integrated over time from `start`.
#[derive(Clone, Copy, Debug, Default)]
pub struct TimeWeighted {
    /// Current value.
    pub value: u64,
    since: u64,
    start: u64,
    area: u128,
    /// Largest value seen.
    pub max: u64,
    /// First time the largest value was reached, µs.
    pub max_at: u64,
}

impl TimeWeighted {
    /// A level whose mean counts from `start` (µs).
    pub fn starting_at(start: u64) -> Self {
        TimeWeighted {
            start,
            ..Self::default()
        }
    }

    /// The level changes to `value` at `now`.
    #[inline(always)]
    pub fn set(&mut self, now: u64, value: u64) {
        self.advance(now);
        self.value = value;
        if value > self.max {
            self.max = value;
            self.max_at = now;
        }
    }

    #[inline(always)]
    fn advance(&mut self, now: u64) {
        let from = self.since.max(self.start);
        if now > from {
            self.area += u128::from(self.value) * u128::from(now - from);
        }
        self.since = now;
    }

    /// The integral of the level over `[start, now]`, in level × µs.
    pub fn area_until(&mut self, now: u64) -> u128 {
        self.advance(now);
        self.area
    }

    /// Mean level over `[start, end]` (0 for an empty window).
    pub fn mean(&mut self, end: u64) -> f64 {
        self.advance(end);
        if end > self.start {
            self.area as f64 / (end - self.start) as f64
        } else {
            0.0
        }
    }
}

/// Why a message was processed more than once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DuplicateCause {
    /// Its visibility timeout ran out while a consumer held it.
    VisibilityExpired,
    /// Its consumer crashed after processing it, before the delete took effect.
    CrashBeforeDelete,
    /// Its delete failed during a queue outage.
    DeleteFailed,
    /// The queue delivered it twice on its own (`duplicate_delivery`).
    Spontaneous,
}

impl DuplicateCause {
    /// The cause of index `i` - 1 in declaration order (0: none).
    pub fn from_index(i: usize) -> Option<Self> {
        use DuplicateCause::*;
        [
            VisibilityExpired,
            CrashBeforeDelete,
            DeleteFailed,
            Spontaneous,
        ]
        .get(i.checked_sub(1)?)
        .copied()
    }
}

/// Duplicate processings split by cause.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DuplicateCauses {
    /// See [`DuplicateCause::VisibilityExpired`].
    pub visibility_expired: u64,
    /// See [`DuplicateCause::CrashBeforeDelete`].
    pub crash_before_delete: u64,
    /// See [`DuplicateCause::DeleteFailed`].
    pub delete_failed: u64,
    /// See [`DuplicateCause::Spontaneous`].
    pub spontaneous: u64,
}

impl DuplicateCauses {
    /// Names as written in `summary.json`, in order of [`DuplicateCauses::values`].
    pub const NAMES: [&'static str; 4] = [
        "visibility_expired",
        "crash_before_delete",
        "delete_failed",
        "spontaneous",
    ];

    /// Counts in the order of [`DuplicateCauses::NAMES`].
    pub fn values(&self) -> [u64; 4] {
        [
            self.visibility_expired,
            self.crash_before_delete,
            self.delete_failed,
            self.spontaneous,
        ]
    }

    /// Adds `other`'s counts to these.
    pub fn merge(&mut self, other: &DuplicateCauses) {
        self.visibility_expired += other.visibility_expired;
        self.crash_before_delete += other.crash_before_delete;
        self.delete_failed += other.delete_failed;
        self.spontaneous += other.spontaneous;
    }

    fn add(&mut self, cause: DuplicateCause) {
        match cause {
            DuplicateCause::VisibilityExpired => self.visibility_expired += 1,
            DuplicateCause::CrashBeforeDelete => self.crash_before_delete += 1,
            DuplicateCause::DeleteFailed => self.delete_failed += 1,
            DuplicateCause::Spontaneous => self.spontaneous += 1,
        }
    }
}

/// Per-interval counters of the time series.
#[derive(Clone, Copy, Debug, Default)]
struct IntervalCounts {
    sent: u64,
    received: u64,
    deleted: u64,
}

/// Everything observed in one replication.
#[derive(Debug)]
pub struct Recorder {
    warmup: u64,
    /// Event counts.
    pub counts: Counts,
    /// Send → first completed processing, µs.
    pub latency: HdrCounts,
    latency_sum: f64,
    latency_max: u64,
    /// Send → first receive, µs.
    pub wait: HdrCounts,
    wait_sum: f64,
    /// Visible messages (integrated from warm-up).
    pub backlog: TimeWeighted,
    /// Consumers holding messages.
    pub busy: TimeWeighted,
    /// Consumers up.
    pub up: TimeWeighted,
    /// Consumer crashes.
    pub consumer_crashes: u64,
    /// Duplicate processings by cause.
    pub duplicates_by_cause: DuplicateCauses,
    /// Peak in-flight messages.
    pub in_flight_max: u64,
    /// Largest age of a message when it left, µs.
    pub oldest_age_max: u64,
    /// Time series rows so far.
    pub samples: Vec<Sample>,
    /// Consumers paid for (launched and not yet stopped), from time 0.
    pub paid: TimeWeighted,
    interval: IntervalCounts,
    /// Latency of first processings by send interval (warm-up included).
    pub latency_by_sent: LatencyRecorder,
    /// Journeys through a network that ended here (a processing that sent
    /// nothing on), producer's send after warm-up, first processings.
    pub journeys: u64,
    /// Their summed end-to-end latency, µs.
    pub journey_sum: f64,
}

impl Recorder {
    /// A recorder whose statistics start at `warmup` (µs), for a fleet of
    /// `consumers`, all up at the start, sampling every `sample_interval` µs.
    pub fn new(warmup: u64, consumers: u64, sample_interval: u64) -> Self {
        let mut up = TimeWeighted::starting_at(warmup);
        up.set(0, consumers);
        let mut paid = TimeWeighted::starting_at(0);
        paid.set(0, consumers);
        Recorder {
            warmup,
            counts: Counts::default(),
            latency: HdrCounts::default(),
            latency_sum: 0.0,
            latency_max: 0,
            wait: HdrCounts::default(),
            wait_sum: 0.0,
            backlog: TimeWeighted::starting_at(warmup),
            busy: TimeWeighted::starting_at(warmup),
            up,
            consumer_crashes: 0,
            duplicates_by_cause: DuplicateCauses::default(),
            in_flight_max: 0,
            oldest_age_max: 0,
            samples: Vec::new(),
            paid,
            interval: IntervalCounts::default(),
            latency_by_sent: LatencyRecorder::new(sample_interval),
            journeys: 0,
            journey_sum: 0.0,
        }
    }

    /// A message was accepted by the queue.
    pub fn on_sent(&mut self) {
        self.counts.produced += 1;
        self.interval.sent += 1;
    }

    /// A message was delivered; `first` when it is its first receive.
    pub fn on_received(&mut self, now: u64, sent_at: u64, first: bool) {
        self.counts.received += 1;
        self.interval.received += 1;
        if first && sent_at >= self.warmup {
            let wait = now - sent_at;
            self.wait_sum += wait as f64;
            self.wait.record(wait);
        }
    }

    /// A processing completed; `duplicate` names the cause when it is not
    /// the message's first.
    pub fn on_processed(&mut self, now: u64, sent_at: u64, duplicate: Option<DuplicateCause>) {
        self.counts.processed_ok += 1;
        if let Some(cause) = duplicate {
            self.counts.duplicates += 1;
            self.duplicates_by_cause.add(cause);
        } else {
            let latency = now - sent_at;
            self.latency_by_sent.record(sent_at, latency);
            if sent_at >= self.warmup {
                self.latency_sum += latency as f64;
                self.latency_max = self.latency_max.max(latency);
                self.latency.record(latency);
            }
        }
    }

    /// A network journey ended here: the producer's message was sent at
    /// `origin`.
    pub fn on_journey_end(&mut self, now: u64, origin: u64, duplicate: bool) {
        if !duplicate && origin >= self.warmup {
            self.journeys += 1;
            self.journey_sum += (now - origin) as f64;
        }
    }

    /// A message was deleted.
    pub fn on_deleted(&mut self) {
        self.counts.deleted += 1;
        self.interval.deleted += 1;
    }

    /// A message left the queue (any way) at age `age` µs.
    pub fn on_gone(&mut self, age: u64) {
        self.oldest_age_max = self.oldest_age_max.max(age);
    }

    /// Appends one time-series row; levels are given, counts are the
    /// interval's.
    pub fn push_sample(&mut self, mut sample: Sample) {
        sample.sent = self.interval.sent as f64;
        sample.received = self.interval.received as f64;
        sample.deleted = self.interval.deleted as f64;
        self.interval = IntervalCounts::default();
        self.samples.push(sample);
    }

    /// Mean latency in seconds (0 with no sample).
    pub fn latency_mean(&self) -> f64 {
        mean_secs(self.latency_sum, self.latency.len())
    }

    /// Largest latency in seconds (exact).
    pub fn latency_max(&self) -> f64 {
        self.latency_max as f64 / 1e6
    }

    /// Mean wait in seconds (0 with no sample).
    pub fn wait_mean(&self) -> f64 {
        mean_secs(self.wait_sum, self.wait.len())
    }
}

fn mean_secs(sum_us: f64, n: u64) -> f64 {
    if n == 0 { 0.0 } else { sum_us / n as f64 / 1e6 }
}

/// A histogram quantile in seconds (0 when empty).
pub fn quantile_secs(hist: &Histogram<u64>, q: f64) -> f64 {
    if hist.is_empty() {
        0.0
    } else {
        hist.value_at_quantile(q) as f64 / 1e6
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_weighted_mean_starts_at_warmup() {
        let mut level = TimeWeighted::starting_at(10);
        level.set(0, 4); // 4 during [0, 20): only [10, 20) counts
        level.set(20, 2); // 2 during [20, 30)
        assert_eq!(level.mean(30), (4.0 * 10.0 + 2.0 * 10.0) / 20.0);
        assert_eq!((level.max, level.max_at), (4, 0));
    }

    #[test]
    fn latency_excludes_warmup_and_duplicates() {
        let mut r = Recorder::new(100, 1, 1000);
        r.on_processed(150, 50, None); // sent in warm-up
        r.on_processed(400, 200, None);
        r.on_processed(500, 200, Some(DuplicateCause::Spontaneous));
        assert_eq!(r.latency.len(), 1);
        assert_eq!(r.counts.duplicates, 1);
        assert_eq!(r.counts.processed_ok, 3);
        assert!((r.latency_mean() - 200e-6).abs() < 1e-12);
        // The series keeps the warm-up message, not the duplicate.
        let series = r.latency_by_sent.finish();
        assert_eq!(series.rows.len(), 2);
        assert_eq!(series.rows[1].len(), 2);
    }
}
