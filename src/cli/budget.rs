//! A server hook's time budget (`time_budget` in the server's
//! configuration). GitHub Enterprise Server kills a pre-receive hook after
//! 5 s and rejects the push with a generic message; a watchdog thread stops
//! the hook before that, with its own message and exit code. It is disarmed
//! before the report is written, so a run that finishes in time is never cut
//! short in the middle of its report.

use std::io::{self, Write as _};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// A running watchdog; dropping it disarms it.
pub(super) struct Watchdog {
    state: Arc<(Mutex<bool>, Condvar)>,
}

impl Watchdog {
    /// Start a watchdog that, `budget` after `started`, prints `message()`
    /// on stderr and ends the process with the code it returns.
    pub(super) fn start(
        started: Instant,
        budget: Duration,
        expire: impl FnOnce() -> (String, u8) + Send + 'static,
    ) -> Watchdog {
        let state = Arc::new((Mutex::new(false), Condvar::new()));
        if started.elapsed() >= budget {
            // Spent before the scan began: stop now, on this thread.
            let (message, code) = expire();
            let _ = writeln!(io::stderr().lock(), "{message}");
            std::process::exit(i32::from(code));
        }
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            let (done, wake) = &*shared;
            let mut disarmed = done.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                if *disarmed {
                    return;
                }
                let left = budget.saturating_sub(started.elapsed());
                if left.is_zero() {
                    break;
                }
                disarmed = wake
                    .wait_timeout(disarmed, left)
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
            // Still holding the lock: the run cannot start its report now.
            let (message, code) = expire();
            let _ = writeln!(io::stderr().lock(), "{message}");
            std::process::exit(i32::from(code));
        });
        Watchdog { state }
    }

    /// From now on the budget no longer ends the run. Blocks while an
    /// expiry is ending the process, so the two never interleave.
    pub(super) fn disarm(&self) {
        let (done, wake) = &*self.state;
        *done.lock().unwrap_or_else(|e| e.into_inner()) = true;
        wake.notify_all();
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.disarm();
    }
}
