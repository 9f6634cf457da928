//! Progress on stderr, shown only when stderr is a terminal; and the process's peak memory.

use crate::batch::{Observer, Tally};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Instant;

/// A spinner with a message, hidden when stderr is not a terminal.
pub fn spinner() -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    if std::io::stderr().is_terminal() {
        bar.set_style(
            ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
    } else {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar
}

/// Peak resident memory of this process in KiB (Linux `VmHWM`), if known.
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Progress of a batch run on stderr: input bytes read (with a bar and an ETA when the total size of
/// the inputs is known), comments per second. Hidden when stderr is not a terminal; warnings are
/// printed either way, above the bar.
pub struct BatchProgress {
    bar: ProgressBar,
    started: Instant,
}

impl BatchProgress {
    /// Progress over inputs totalling `total_bytes` (compressed size, as read), when known.
    pub fn new(total_bytes: Option<u64>) -> Self {
        let bar = match total_bytes {
            Some(n) => ProgressBar::new(n),
            None => ProgressBar::new_spinner(),
        };
        if std::io::stderr().is_terminal() {
            let template = match total_bytes {
                Some(_) => {
                    "{elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} ({binary_bytes_per_sec}) \
                     {msg} ETA {eta}"
                }
                None => "{spinner} {elapsed_precise} {bytes} read ({binary_bytes_per_sec}) {msg}",
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> "));
            }
        } else {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        BatchProgress {
            bar,
            started: Instant::now(),
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Observer for BatchProgress {
    fn progress(&mut self, tally: &Tally, bytes_read: u64) {
        if self.bar.is_hidden() {
            return;
        }
        self.bar.set_position(bytes_read);
        let rate = tally.comments as f64 / self.started.elapsed().as_secs_f64().max(1e-9);
        self.bar
            .set_message(format!("{} comments, {rate:.0}/s", tally.comments));
    }

    fn warning(&mut self, message: &str) {
        self.bar
            .suspend(|| eprintln!("redflag: warning: {message}"));
    }
}

/// The total size of `inputs` when all are regular files (for an ETA), else `None`.
pub fn total_size(inputs: &[String]) -> Option<u64> {
    inputs
        .iter()
        .map(|p| {
            (p != "-")
                .then(|| std::fs::metadata(p).ok())
                .flatten()
                .filter(|m| m.is_file())
                .map(|m| m.len())
        })
        .sum()
}
