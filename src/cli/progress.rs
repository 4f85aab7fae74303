//! A progress bar on standard error, for long runs at a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Shows documents and bytes done (a bar when the input size is known, else a
/// spinner), only when standard error is a terminal and `--quiet` is not given.
pub(super) struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A progress display for a run over `inputs`.
    pub(super) fn new(inputs: &[PathBuf], quiet: bool) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let total = input_bytes(inputs);
        let bar = match total {
            Some(total) => ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
                .with_style(
                    ProgressStyle::with_template(
                        "{bar:30} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} {msg} (eta {eta})",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                ),
            None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
                ProgressStyle::with_template("{spinner} {binary_bytes} {binary_bytes_per_sec} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        };
        Progress { bar: Some(bar) }
    }

    /// Counts documents done and their bytes.
    pub(super) fn advance(&self, docs_done: usize, bytes: usize) {
        if let Some(bar) = &self.bar {
            bar.inc(bytes as u64);
            bar.set_message(format!("{docs_done} documents"));
        }
    }

    /// Clears the display.
    pub(super) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The total size of the input files, if they are all files or folders (not stdin).
fn input_bytes(inputs: &[PathBuf]) -> Option<u64> {
    let mut total = 0;
    for input in inputs {
        if input.as_os_str() == "-" {
            return None;
        }
        total += size(input);
    }
    Some(total)
}

fn size(path: &Path) -> u64 {
    if path.is_dir() {
        let mut files = Vec::new();
        if crate::text::input_files(path, &mut files).is_err() {
            return 0;
        }
        files.iter().map(|f| size(f)).sum()
    } else {
        std::fs::metadata(path).map_or(0, |m| m.len())
    }
}
