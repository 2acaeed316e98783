//! The report's backtest section: for each observed series, whether the
//! observation lies inside the simulated band, how far the simulated mean
//! is from it, and how the peaks compare ([`crate::output::observed`]).
//!
//! Contract: every sentence states what was compared (the file, the queue,
//! the points, the band: the range of the replications, not an interval of
//! their mean), and the verdict weighs the share inside against the share a
//! right model gives, (R − 1)/(R + 1) for R replications.

use std::fmt::Write as _;

use super::esc;
use super::words::{num, pct, secs};
use crate::output::observed::{Backtest, Level, SeriesBacktest};
use crate::output::summary::RunSummary;
use crate::scenario::{SINGLE_QUEUE, Scenario};

/// How far below the expected share inside the band a series may fall and
/// still count as reproduced: neighbouring points of a backlog are strongly
/// correlated, so the share of one observation varies much more than a
/// binomial share of independent points would.
const SHARE_SLACK: f64 = 0.15;

/// The section, when the scenario has observations.
pub(super) fn section(h: &mut String, sc: &Scenario, s: &RunSummary, of: &str) {
    let Some(b) = &s.observed else {
        return;
    };
    let _ = writeln!(h, "<h2>Observed and simulated{}</h2>\n<ul>", esc(of));
    for series in &b.series {
        let _ = writeln!(h, "<li>{}</li>", esc(&sentence(sc, b, series)));
    }
    let _ = writeln!(
        h,
        "</ul>\n<p class=\"note\">Simulated time 0 is {}. The band is the range (min to max) of the {} \
         replications at each observed instant; <code>observed.csv</code> lists every point.</p>",
        esc(&b.start),
        sc.replications
    );
}

/// What one series' comparison says.
pub fn sentence(sc: &Scenario, b: &Backtest, s: &SeriesBacktest) -> String {
    let queue = if b.queue == SINGLE_QUEUE {
        "the queue".to_owned()
    } else {
        format!("queue {}", b.queue)
    };
    let (what, value): (&str, fn(f64) -> String) = match s.level {
        Level::Visible => ("visible messages", |v| format!("{} messages", num(v))),
        Level::Age => ("age of the oldest message", secs),
    };
    let n = s.points.len();
    let mut text = format!(
        "Observed {what} of {queue} ({}, {n} points): inside the range of the {} simulated \
         replications at {} of the points ({})",
        s.file,
        sc.replications,
        s.inside,
        pct(round2(s.inside_share()))
    );
    if sc.replications >= 2 {
        text += &format!(
            "; a model that is right puts about {} there",
            pct(round2(s.inside_expected))
        );
    }
    let (above, gap) = if s.bias >= 0.0 {
        ("above", s.bias)
    } else {
        ("below", -s.bias)
    };
    text += &format!(
        ". The simulated mean is {} {above} the observation on average (RMSE {}). ",
        value(gap),
        value(s.rmse)
    );
    let (peak, at) = s.peak_observed;
    text += &format!(
        "Peak: {} observed at {} against {} simulated (the mean of the replications' peaks",
        value(peak),
        secs(at),
        value(s.peak_simulated.mean)
    );
    text += &match s.peak_ratio() {
        Some(r) => format!(", ratio {}). ", num(r)),
        None => "). ".to_owned(),
    };
    text += verdict(sc, s);
    if s.not_compared > 0 {
        text += &format!(
            " {} points before simulated time 0 or after the run are not compared.",
            s.not_compared
        );
    }
    text
}

fn verdict(sc: &Scenario, s: &SeriesBacktest) -> &'static str {
    if sc.replications < 2 {
        return "One replication has no range: run more to judge the fit.";
    }
    if s.inside_share() + SHARE_SLACK >= s.inside_expected {
        "The run reproduces the observation within its spread."
    } else {
        "The observation lies outside the simulated spread far more often than a right model allows: \
         the scenario does not reproduce it (the chart shows where)."
    }
}

/// A share to two decimals, so that 0.818… reads "82%".
fn round2(p: f64) -> f64 {
    (p * 100.0).round() / 100.0
}
