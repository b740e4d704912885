//! Reports: the finished scan, and the emitters that write it. Emitters never sort, filter
//! or re-analyze; they render the `Report` they are given.

mod json;
pub mod rules;
mod text;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use serde::Serialize;

use crate::cli::Format;
use crate::error::Error;
use crate::finding::Finding;
use crate::rules::{Category, Severity, Vendor};
use crate::score::Score;
use crate::source::SkipReason;

/// Everything a scan produced, in report order.
#[derive(Debug, Serialize)]
pub struct Report {
    /// lockin's version.
    pub version: &'static str,
    /// The scanned root that finding paths are relative to.
    pub root: String,
    pub score: Score,
    pub findings: Vec<Finding>,
    pub summary: Summary,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SkippedFile {
    pub path: String,
    pub reason: SkipReason,
}

#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub files_scanned: usize,
    /// Source files not scanned, by reason.
    pub files_skipped: BTreeMap<SkipReason, usize>,
    /// Scanned on the error-recovered tree.
    pub files_with_syntax_errors: usize,
    /// Scanned after replacing invalid UTF-8.
    pub files_decoded_lossily: usize,
    /// Vendored directories (node_modules, .venv, ...) not entered.
    pub dirs_skipped_vendored: usize,
    pub rules: usize,
    pub findings: usize,
    pub by_severity: BTreeMap<Severity, usize>,
    pub by_vendor: BTreeMap<Vendor, usize>,
    pub by_category: BTreeMap<Category, usize>,
    pub skipped: Vec<SkippedFile>,
}

impl Summary {
    pub fn count(&mut self, findings: &[Finding]) {
        self.findings = findings.len();
        for f in findings {
            *self.by_severity.entry(f.severity).or_default() += 1;
            *self.by_vendor.entry(f.vendor).or_default() += 1;
            *self.by_category.entry(f.category).or_default() += 1;
        }
    }

    pub fn files_skipped_total(&self) -> usize {
        self.files_skipped.values().sum()
    }
}

/// Renders a finished report to a writer.
pub trait Emitter {
    fn emit(&self, report: &Report, out: &mut dyn Write) -> io::Result<()>;
}

pub fn emitter(format: Format, color: bool) -> Box<dyn Emitter> {
    match format {
        Format::Text => Box::new(text::Text { color }),
        Format::Json => Box::new(json::Json),
    }
}

/// Writes the report to `output` or stdout. A closed stdout (`lockin scan | head`) is not an
/// error.
pub fn write(report: &Report, emitter: &dyn Emitter, output: Option<&Path>) -> Result<(), Error> {
    match output {
        Some(path) => {
            let err = |source| Error::Output {
                path: path.display().to_string(),
                source,
            };
            let file = File::create(path).map_err(err)?;
            let mut w = BufWriter::new(file);
            emitter.emit(report, &mut w).map_err(err)?;
            w.flush().map_err(err)
        }
        None => {
            let stdout = io::stdout();
            let mut w = BufWriter::new(stdout.lock());
            match emitter.emit(report, &mut w).and_then(|()| w.flush()) {
                Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Error::Output {
                    path: "<stdout>".into(),
                    source: e,
                }),
                _ => Ok(()),
            }
        }
    }
}

/// Short notes on stderr: where the report went.
pub fn notes(report: &Report, output: Option<&Path>) {
    if let Some(path) = output {
        eprintln!(
            "lockin: wrote {} findings (score {} {}) to {}",
            report.findings.len(),
            report.score.value,
            report.score.grade,
            path.display()
        );
    }
}
