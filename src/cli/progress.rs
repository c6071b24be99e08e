//! The progress bar of long runs (the history sweep): blobs read of the
//! total, bytes and rate, on stderr, and only when stderr is a terminal
//! (never in a pipe, a hook's log or CI). Safe to update from every thread.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Redraw the message at most every this many blobs (the bar itself is
/// rate-limited by indicatif).
const MESSAGE_EVERY: u64 = 256;

/// A bar over `total` blobs; hidden unless enabled.
#[derive(Debug)]
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    bytes: AtomicU64,
}

impl Progress {
    /// A bar on stderr when `wanted` and stderr is a terminal.
    pub(crate) fn blobs(total: u64, wanted: bool) -> Progress {
        let bar = (wanted && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{spinner} {elapsed_precise} [{bar:30}] {human_pos}/{human_len} blobs · {msg} · eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress {
            bar,
            bytes: AtomicU64::new(0),
        }
    }

    /// One blob of `bytes` bytes is done.
    pub(crate) fn blob(&self, bytes: u64) {
        let Some(bar) = &self.bar else {
            return;
        };
        let total = self.bytes.fetch_add(bytes, Ordering::Relaxed) + bytes;
        bar.inc(1);
        if bar.position() % MESSAGE_EVERY == 0 {
            let secs = bar.elapsed().as_secs_f64().max(0.001);
            bar.set_message(format!(
                "{} · {}/s",
                human_bytes(total),
                human_bytes((total as f64 / secs) as u64)
            ));
        }
    }

    /// A step without a count (e.g. placing the matches in commits).
    pub(crate) fn phase(&self, text: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(text.to_owned());
        }
    }

    /// Remove the bar from the terminal.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// `512 B`, `47.1 KiB`, `3.2 MiB`.
fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::{Progress, human_bytes};

    #[test]
    fn hidden_bar_counts_nothing_and_never_draws() {
        let p = Progress::blobs(10, false);
        assert!(p.bar.is_none());
        p.blob(100);
        p.phase("placing");
        p.finish();
    }

    #[test]
    fn sizes_are_readable() {
        assert_eq!(human_bytes(10), "10 B");
        assert_eq!(human_bytes(48211), "47.1 KiB");
        assert_eq!(human_bytes(3 * 1024 * 1024), "3.0 MiB");
    }
}
