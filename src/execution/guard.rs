//! Resource guards of `run`, `sweep` and `plan`: a wall-clock `--timeout`,
//! Ctrl-C, and the `--max-backlog` cap on messages held. The engine only
//! reads the stop signal; the clock and the signal handler live here.

use std::sync::Arc;
use std::time::Duration;

use mqsim::engine::{Limits, StopReason, StopSignal};
use mqsim::scenario::Scenario;

/// The stop signal of one command, fed by Ctrl-C and the timeout.
pub struct Guard {
    stop: Arc<StopSignal>,
}

impl Guard {
    /// Starts watching for Ctrl-C and, if given, the wall-clock `timeout`.
    pub fn start(timeout: Option<Duration>) -> Guard {
        let stop = Arc::new(StopSignal::default());
        stop_on_interrupt(&stop);
        if let Some(timeout) = timeout {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                std::thread::sleep(timeout);
                stop.request(StopReason::Timeout);
            });
        }
        Guard { stop }
    }

    /// The limits replications of `sc` run under, `threads` at a time.
    pub fn limits(&self, max_backlog: Option<u64>, sc: &Scenario, threads: usize) -> Limits {
        Limits {
            max_backlog: max_backlog.unwrap_or_else(|| default_max_backlog(sc, threads)),
            stop: Some(Arc::clone(&self.stop)),
        }
    }

    /// Why the command was asked to stop, if it was.
    pub fn reason(&self) -> Option<StopReason> {
        self.stop.reason()
    }

    /// How a message names `reason`.
    pub fn words(reason: StopReason) -> &'static str {
        match reason {
            StopReason::Interrupted => "interrupted",
            StopReason::Timeout => "--timeout",
        }
    }

    /// The exit code of a command stopped for `reason`: 130 for Ctrl-C (the
    /// shell's convention for SIGINT), 1 for the timeout.
    pub fn exit_code(reason: StopReason) -> u8 {
        match reason {
            StopReason::Interrupted => 130,
            StopReason::Timeout => 1,
        }
    }
}

/// The first Ctrl-C asks running replications to stop (their results are
/// written, marked partial); a second one exits at once, writing nothing
/// more (files already written are whole: every write is atomic).
fn stop_on_interrupt(stop: &Arc<StopSignal>) {
    let stop = Arc::clone(stop);
    // Without a handler (none can be installed twice) Ctrl-C simply ends
    // the process; atomic writes still leave no half-written file.
    let _ = ctrlc::set_handler(move || {
        if stop.reason() == Some(StopReason::Interrupted) {
            std::process::exit(130);
        }
        stop.request(StopReason::Interrupted);
    });
}

/// Bytes one waiting message takes (docs/performance.md): a never-received
/// one 8 bytes, counted twice for the FIFO's doubling; with a delivery delay
/// every message has its 40-byte record, an age-index entry and a timer.
fn bytes_per_message(sc: &Scenario) -> u64 {
    if sc.queue().delay.ticks() > 0 { 96 } else { 16 }
}

/// The backlog that half the available memory holds, shared by the
/// replications that run at once (100 million where the memory is unknown).
fn default_max_backlog(sc: &Scenario, threads: usize) -> u64 {
    let available = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        });
    match available {
        Some(kib) => (kib * 1024 / 2 / bytes_per_message(sc) / threads.max(1) as u64).max(1),
        None => 100_000_000,
    }
}
