//! The sentences of a comparison, for the report and the terminal: what
//! was run, then for each alternative after the first what its simulation
//! gave against the first (p99 latency and cost first, then every other
//! headline metric, sorted into beyond the noise, within it, and the same
//! in every replication), and its SLO verdict.
//!
//! Rules: a change is called a cut or a rise only when the 95% interval of
//! the paired difference leaves out 0; otherwise the sentence says the
//! replications cannot tell it from none. Numbers carry their unit (ms
//! below one second), three significant digits, a true minus sign.

use super::{Alternative, Comparison};
use crate::compare::{MetricRow, Paired};
use crate::output::report::words::time;
use crate::output::table::verdict_words;
use crate::output::units::with_unit;

/// The headline the lead sentence is about.
const LEAD: &str = "latency_p99";
/// The metric the lead sentence prices.
const COST: &str = "cost_usd";

/// `metric` in words: "p99 latency", "peak backlog".
pub fn metric_words(metric: &str) -> &str {
    match metric {
        "latency_p50" => "p50 latency",
        "latency_p90" => "p90 latency",
        "latency_p99" => "p99 latency",
        "latency_mean" => "mean latency",
        "backlog_max" => "peak backlog",
        "backlog_mean" => "mean backlog",
        "oldest_age_max" => "largest age of the oldest message",
        "duplicates" => "duplicate processings",
        "dead_lettered" => "dead-lettered messages",
        "dropped" => "messages dropped by producers",
        "consumer_utilization" => "consumer utilisation",
        "cost_usd" => "cost",
        other => other,
    }
}

/// Three significant digits (whole numbers from 100), trailing zeros
/// dropped, a true minus sign.
pub fn sig(v: f64) -> String {
    if !v.is_finite() {
        return "-".into();
    }
    let text = if v == 0.0 {
        "0".to_owned()
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        let decimals = (2 - v.abs().log10().floor() as i32).clamp(0, 9) as usize;
        let s = format!("{v:.decimals$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_owned()
        } else {
            s
        }
    };
    text.replace('-', "−")
}

/// How a metric's numbers read: (scale, unit before, unit after).
fn unit(metric: &str, magnitude: f64) -> (f64, &'static str, &'static str) {
    match metric {
        m if m.starts_with("latency_") || m == "oldest_age_max" => {
            if magnitude < 1.0 && magnitude > 0.0 {
                (1000.0, "", " ms")
            } else {
                (1.0, "", " s")
            }
        }
        "cost_usd" => (1.0, "$", ""),
        "throughput" => (1.0, "", " msg/s"),
        "consumer_utilization" => (100.0, "", "%"),
        _ => (1.0, "", " messages"),
    }
}

/// A value of `metric` with its unit: "36 s", "410 ms", "$1.20", "80.1%".
pub fn value_words(metric: &str, v: f64) -> String {
    if metric == "cost_usd" && v.is_finite() {
        return money(v);
    }
    let (scale, pre, post) = unit(metric, v.abs());
    format!("{pre}{}{post}", sig(v * scale))
}

/// Dollars to three significant digits with at least cents: "$1.20",
/// "$0.0886", "$1234".
pub fn money(v: f64) -> String {
    let mut digits = sig(v.abs());
    if v.abs() < 100.0 {
        let decimals = digits.split_once('.').map_or(0, |(_, d)| d.len());
        if decimals == 0 {
            digits.push('.');
        }
        for _ in decimals..2 {
            digits.push('0');
        }
    }
    let sign = if v < 0.0 { "−" } else { "" };
    format!("{sign}${digits}")
}

/// A signed number with `metric`'s unit at `scale`: "+1.2 s", "−$0.14".
fn signed(v: f64, scale: f64, pre: &str, post: &str) -> String {
    let sign = if v > 0.0 {
        "+"
    } else if v < 0.0 {
        "−"
    } else {
        ""
    };
    format!("{sign}{pre}{}{post}", sig((v * scale).abs()))
}

/// The paired difference with its interval in one unit:
/// "−32 s [−33.1, −30.9]"; a share's in percentage points.
pub fn diff_words(metric: &str, d: &Paired) -> String {
    let bounds = [Some(d.mean), d.ci95_low, d.ci95_high];
    let magnitude = bounds.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    let (scale, pre, post) = unit(metric, magnitude);
    let post = if post == "%" { " points" } else { post };
    let mean = signed(d.mean, scale, pre, post);
    match (d.ci95_low, d.ci95_high) {
        (Some(lo), Some(hi)) => format!("{mean} [{}, {}]", sig(lo * scale), sig(hi * scale)),
        _ => format!("{mean}, one replication: no interval"),
    }
}

/// A relative change: "−89%", "+12%", "+0.53%".
pub fn pct_words(p: f64) -> String {
    let sign = if p > 0.0 {
        "+"
    } else if p < 0.0 {
        "−"
    } else {
        ""
    };
    let a = p.abs();
    // Three significant digits: −99.6% must not read −100%.
    let digits = sig(a);
    format!("{sign}{digits}%")
}

/// How the replications judge a difference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The same value in every replication.
    Same,
    /// The 95% interval leaves out 0.
    Beyond,
    /// The 95% interval contains 0 (or there is none).
    Within,
}

/// The verdict on `d`.
pub fn verdict(d: &Paired) -> Verdict {
    if d.is_exactly_zero() {
        Verdict::Same
    } else if d.excludes_zero() {
        Verdict::Beyond
    } else {
        Verdict::Within
    }
}

/// What was run, and how to read the differences.
pub fn preamble(c: &Comparison) -> String {
    let sc = &c.base().scenario;
    let drain = if sc.drain { ", then until drained" } else { "" };
    format!(
        "Each of the {} alternatives was simulated {} times (seed {}), producers sending for {}{drain}. \
         Replication r of every alternative draws its arrivals, processing times, errors and crashes \
         from the same random streams (common random numbers), so each difference below is the mean \
         of the per-replication differences from {}, with the Student-t 95% interval of that mean.",
        c.alternatives.len(),
        c.replications(),
        c.seed(),
        time(sc.duration),
        c.base().label
    )
}

/// The row of `metric`.
fn row<'c>(c: &'c Comparison, metric: &str) -> Option<&'c MetricRow> {
    c.rows.iter().find(|r| r.metric == metric)
}

/// "B cuts p99 latency from 36 s to 4.1 s (−32 s [−33.1, −30.9], −89%) at
/// +12% cost ($1.20 → $1.34)."
pub fn lead_sentence(c: &Comparison, i: usize) -> String {
    let (a, b) = (&c.base().label, &c.alternatives[i].label);
    let mut s = String::new();
    if let Some(r) = row(c, LEAD) {
        let (fa, fb) = (&r.figures[0], &r.figures[i]);
        let d = fb
            .diff
            .expect("alternatives after the first have a difference");
        let what = metric_words(LEAD);
        if !fa.measured() || !fb.measured() {
            let mut s = format!("{b} against {a}: {what} {}", unmeasured_words(c, r, i));
            s.push_str(&cost_clause(c, i));
            s.push('.');
            return s;
        }
        let (va, vb) = (
            value_words(LEAD, fa.stat.mean),
            value_words(LEAD, fb.stat.mean),
        );
        let change = match d.pct {
            Some(p) => format!("{}, {}", diff_words(LEAD, &d), pct_words(p)),
            None => diff_words(LEAD, &d),
        };
        s = match verdict(&d) {
            Verdict::Same => format!("{b} has the same {what} as {a} in every replication ({va})"),
            Verdict::Beyond if d.mean < 0.0 => {
                format!("{b} cuts {what} from {va} to {vb} ({change})")
            }
            Verdict::Beyond => format!("{b} raises {what} from {va} to {vb} ({change})"),
            Verdict::Within => format!(
                "{b} has {what} {vb} against {a}'s {va} ({change}): the replications cannot tell \
                 this from no change"
            ),
        };
    }
    s.push_str(&cost_clause(c, i));
    s.push('.');
    s
}

fn cost_clause(c: &Comparison, i: usize) -> String {
    let Some(r) = row(c, COST) else {
        return String::new();
    };
    let (fa, fb) = (&r.figures[0], &r.figures[i]);
    let d = fb
        .diff
        .expect("alternatives after the first have a difference");
    if fa.stat.mean == 0.0 && fb.stat.mean == 0.0 {
        return ", neither with any cost (no prices in [cost])".into();
    }
    let (va, vb) = (money(fa.stat.mean), money(fb.stat.mean));
    match (verdict(&d), d.pct) {
        (Verdict::Same, _) => format!(", at the same cost ({va})"),
        (Verdict::Beyond, Some(p)) => format!(", at {} cost ({va} → {vb})", pct_words(p)),
        (Verdict::Beyond, None) => format!(", at {} cost ({va} → {vb})", diff_words(COST, &d)),
        (Verdict::Within, _) => format!(
            ", at a cost within the noise of {}'s ({va} → {vb})",
            c.base().label
        ),
    }
}

/// Whether the reference or alternative `i` is a network of queues.
fn involves_network(c: &Comparison, i: usize) -> bool {
    [0, i]
        .iter()
        .any(|&k| c.alternatives[k].scenario.is_network())
}

/// The other headline metrics of alternative `i`, sorted by verdict.
pub fn other_sentences(c: &Comparison, i: usize) -> Vec<String> {
    let base = &c.base().label;
    let (mut beyond, mut within, mut same) = (Vec::new(), Vec::new(), Vec::new());
    let mut unmeasured = Vec::new();
    for r in c
        .rows
        .iter()
        .filter(|r| r.metric != LEAD && r.metric != COST)
    {
        let (fa, fb) = (&r.figures[0], &r.figures[i]);
        let Some(d) = fb.diff else { continue };
        let what = if r.metric == "throughput" && involves_network(c, i) {
            // A network's deletes count a message once per queue it passes.
            "throughput (deletes summed over the queues)"
        } else {
            metric_words(r.metric)
        };
        if !fa.measured() || !fb.measured() {
            unmeasured.push(what.to_owned());
            continue;
        }
        match verdict(&d) {
            Verdict::Same => same.push(what.to_owned()),
            Verdict::Within => within.push(what.to_owned()),
            Verdict::Beyond => beyond.push(format!(
                "{what} {} → {} ({}{})",
                value_words(r.metric, fa.stat.mean),
                value_words(r.metric, fb.stat.mean),
                diff_words(r.metric, &d),
                d.pct
                    .map_or(String::new(), |p| format!(", {}", pct_words(p)))
            )),
        }
    }
    let mut out = Vec::new();
    if !beyond.is_empty() {
        out.push(format!("Beyond the noise: {}.", beyond.join("; ")));
    }
    if !within.is_empty() {
        out.push(format!(
            "Within the noise (the 95% interval of the difference from {base} contains 0): {}.",
            within.join(", ")
        ));
    }
    if !same.is_empty() {
        out.push(format!(
            "The same as {base} in every replication: {}.",
            same.join(", ")
        ));
    }
    if !unmeasured.is_empty() {
        out.push(format!(
            "Not compared, not measured in every replication (too many messages unfinished at the \
             end; see docs/metrics.md): {}.",
            unmeasured.join(", ")
        ));
    }
    out
}

/// "is not measured in 10 of 10 replications of x (...)": which
/// alternatives of `row`, the first and `i`, left it unmeasured.
fn unmeasured_words(c: &Comparison, row: &MetricRow, i: usize) -> String {
    let r = c.replications();
    let which: Vec<String> = [0, i]
        .iter()
        .filter(|&&k| !row.figures[k].measured())
        .map(|&k| {
            format!(
                "{} of {r} replications of {}",
                row.figures[k].unmeasured, c.alternatives[k].label
            )
        })
        .collect();
    format!(
        "is not measured in {} (too many messages were unfinished at the end, so the latency of \
         the few completed says little): compare the backlog and the age of the oldest message \
         instead",
        which.join(" and ")
    )
}

/// The alternative's SLO verdict in one sentence (`None` without `[slo]`).
pub fn slo_sentence(a: &Alternative) -> Option<String> {
    let s = &a.summary;
    if s.slo.is_empty() {
        return None;
    }
    let r = s.manifest.replications;
    let failed: Vec<String> = s
        .slo
        .iter()
        .filter(|v| !v.pass)
        .map(|v| {
            format!(
                "{} ≤ {} (95% upper end {}; {})",
                v.metric,
                with_unit(&v.metric, v.max),
                with_unit(&v.metric, v.ci95_high.unwrap_or(v.mean)),
                verdict_words(v, r)
            )
        })
        .collect();
    Some(if failed.is_empty() {
        format!(
            "{} meets every [slo] target of its scenario ({}).",
            a.label,
            targets(a)
        )
    } else {
        format!("{} fails {}.", a.label, failed.join(", "))
    })
}

fn targets(a: &Alternative) -> String {
    a.summary
        .slo
        .iter()
        .map(|v| format!("{} ≤ {}", v.metric, with_unit(&v.metric, v.max)))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_three_significant_digits_and_their_unit() {
        assert_eq!(sig(36.012), "36");
        assert_eq!(sig(4.1), "4.1");
        assert_eq!(sig(-33.14), "−33.1");
        assert_eq!(sig(0.003_41), "0.00341");
        assert_eq!(sig(1234.6), "1235");
        assert_eq!(value_words("latency_p99", 0.41), "410 ms");
        assert_eq!(value_words("latency_p99", 36.0), "36 s");
        assert_eq!(value_words("cost_usd", 1.2), "$1.20");
        assert_eq!(value_words("cost_usd", 0.088_601), "$0.0886");
        assert_eq!(value_words("cost_usd", 0.1), "$0.10");
        assert_eq!(money(1234.4), "$1234");
        assert_eq!(value_words("consumer_utilization", 0.8012), "80.1%");
        assert_eq!(value_words("throughput", 49.97), "50 msg/s");
        assert_eq!(pct_words(-88.6), "−88.6%");
        assert_eq!(pct_words(-99.62), "−99.6%");
        assert_eq!(pct_words(1234.6), "+1235%");
        assert_eq!(pct_words(0.53), "+0.53%");
    }

    #[test]
    fn differences_read_with_their_interval_in_one_unit() {
        let d = Paired {
            mean: -31.9,
            ci95_low: Some(-33.1),
            ci95_high: Some(-30.9),
            pct: Some(-88.6),
        };
        assert_eq!(diff_words("latency_p99", &d), "−31.9 s [−33.1, −30.9]");
        let small = Paired {
            mean: 0.012,
            ci95_low: Some(-0.004),
            ci95_high: Some(0.028),
            pct: None,
        };
        assert_eq!(diff_words("latency_p50", &small), "+12 ms [−4, 28]");
        assert_eq!(verdict(&small), Verdict::Within);
        assert_eq!(verdict(&d), Verdict::Beyond);
        let share = Paired {
            mean: -0.05,
            ci95_low: Some(-0.06),
            ci95_high: Some(-0.04),
            pct: None,
        };
        assert_eq!(
            diff_words("consumer_utilization", &share),
            "−5 points [−6, −4]"
        );
    }
}
