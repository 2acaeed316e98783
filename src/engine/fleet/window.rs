//! The batching window (`consumers.batch_window`, Lambda's
//! MaximumBatchingWindowInSeconds): a receive that finds fewer than
//! `batch_size` visible messages does not return at once; the consumer waits
//! until a full batch is visible or the window ends, then takes what there
//! is. A window that ends with nothing visible becomes an ordinary long poll
//! (served by the first message, or empty after `wait_time`). No other
//! receive is billed while a window is open.
//!
//! Waiters are served first come first served, and every window has the
//! same length, so the waiter at the front always has the oldest window: if
//! its window is still open, so are all the others.

use super::{Activity, Fleet};
use crate::engine::events::Event;
use crate::engine::queue::Queue;
use crate::engine::shared::Shared;

impl Fleet<'_> {
    /// Whether consumer `c`'s receive must wait for a fuller batch.
    pub(super) fn window_holds(&self, c: usize, q: &Queue) -> bool {
        self.t.batch_window > 0
            && self.consumers[c].window_open
            && q.available() < u64::from(self.cfg.batch_size)
    }

    /// Consumer `c` starts a receive with a batching window.
    pub(super) fn open_window(&mut self, c: usize, sh: &mut Shared) {
        let consumer = &mut self.consumers[c];
        consumer.poll_id = consumer.poll_id.wrapping_add(1);
        let poll = consumer.poll_id;
        consumer.activity = Activity::Waiting(poll);
        consumer.window_open = true;
        self.waiters.push_back((c as u32, poll));
        let event = Event::WindowEnd {
            fleet: self.index,
            consumer: c as u32,
            poll,
        };
        sh.events.schedule(sh.now + self.t.batch_window, event);
    }

    pub fn on_window_end(&mut self, c: usize, poll: u32, q: &mut Queue, sh: &mut Shared) {
        if self.consumers[c].activity != Activity::Waiting(poll) {
            return; // served with a full batch, or went down
        }
        self.consumers[c].window_open = false;
        if self.take_batch(c, q, sh) > 0 {
            // Processing now: its entry in `waiters` is stale from here on.
            self.start_batch(c, q, sh);
        } else if self.t.wait > 0 {
            self.arm_poll_timeout(c, poll, sh);
        } else {
            self.on_poll_timeout(c, poll, q, sh);
        }
    }
}
