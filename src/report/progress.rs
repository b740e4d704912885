//! A progress bar on stderr for long scans, only on a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Scans of fewer files finish before a bar would help.
const MIN_FILES: usize = 500;

pub struct Progress(Option<ProgressBar>);

impl Progress {
    pub fn new(enabled: bool) -> Progress {
        if !enabled {
            return Progress(None);
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{spinner} scanning {pos}/{len} files {wide_bar} {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Progress(Some(bar))
    }

    /// `n > 0`: the walk found `n` files; `n == 0`: one more file is done.
    pub fn tick(&self, n: usize) {
        let Some(bar) = &self.0 else { return };
        if n > 0 {
            bar.set_length(n as u64);
            if n >= MIN_FILES {
                bar.set_draw_target(ProgressDrawTarget::stderr());
            }
        } else {
            bar.inc(1);
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
