//! Progress on standard error for long work (loading a large dataset, evaluating,
//! running many test cases): drawn only when standard error is a terminal and the
//! user did not ask for quiet or machine-readable output; never on standard output.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

/// A progress bar or spinner, or nothing when progress is not shown.
pub struct Progress(Option<ProgressBar>);

/// Whether progress may be drawn: standard error is a terminal and not `--quiet`.
pub fn wanted(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

impl Progress {
    /// Nothing drawn.
    pub fn none() -> Progress {
        Progress(None)
    }

    /// A bar of `total` items, e.g. test cases, labelled `label`.
    pub fn count(shown: bool, total: u64, label: &str) -> Progress {
        Self::bar(
            shown,
            total,
            label,
            "{prefix} [{bar:30}] {pos}/{len} {wide_msg}",
        )
    }

    /// A spinner for work of unknown length.
    pub fn spinner(shown: bool, message: &str) -> Progress {
        if !shown {
            return Progress::none();
        }
        let bar = ProgressBar::new_spinner().with_message(message.to_string());
        bar.enable_steady_tick(Duration::from_millis(100));
        Progress(Some(bar))
    }

    fn bar(shown: bool, total: u64, label: &str, template: &str) -> Progress {
        if !shown {
            return Progress::none();
        }
        let bar = ProgressBar::new(total).with_prefix(label.to_string());
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        Progress(Some(bar))
    }

    /// Puts the bar at `position` of `length`.
    pub fn set(&self, position: u64, length: u64) {
        if let Some(b) = &self.0 {
            b.set_length(length);
            b.set_position(position);
        }
    }

    /// Moves the bar `n` forward.
    pub fn inc(&self, n: u64) {
        if let Some(b) = &self.0 {
            b.inc(n);
        }
    }

    /// Says what is being done now.
    pub fn say(&self, message: &str) {
        if let Some(b) = &self.0 {
            b.set_message(message.to_string());
        }
    }

    /// Removes the bar from the terminal (the results follow on standard output).
    pub fn clear(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}

/// A size for people: `612.40 MiB`.
pub fn bytes(n: u64) -> String {
    indicatif::HumanBytes(n).to_string()
}

/// The process's peak resident memory so far in bytes (Linux's `VmHWM`), for
/// `KPIC_TIMING`; `None` elsewhere.
pub fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib << 10)
}
