//! Reports: the finished scan, and the emitters that write it. Emitters never sort, filter
//! or re-analyze; they render the `Report` they are given.

mod html;
mod json;
mod markdown;
pub mod progress;
pub mod rules;
mod sarif;
mod text;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use serde::Serialize;

use crate::blast::BlastRadius;
use crate::cli::Format;
use crate::error::Error;
use crate::finding::Finding;
use crate::plan::VendorPlan;
use crate::rules::{Category, Registry, Severity, Vendor};
use crate::score::Score;
use crate::source::SkipReason;
use crate::suppress::{Notice, Suppressed};

/// Everything a scan produced, in report order.
#[derive(Debug, Serialize)]
pub struct Report {
    /// lockin's version.
    pub version: &'static str,
    /// The scanned root that finding paths are relative to.
    pub root: String,
    pub score: Score,
    pub findings: Vec<Finding>,
    /// Findings suppressed by `lockin: allow` comments (listed with `--show-suppressed`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suppressed: Vec<Suppressed>,
    /// What stops working per vendor if its API is gone.
    pub blast_radius: Vec<BlastRadius>,
    /// Migration work items per vendor, easiest first.
    pub plan: Vec<VendorPlan>,
    /// The vendor of `--what-if`: blast radius and plan are shown for it alone, in full.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub what_if: Option<Vendor>,
    pub summary: Summary,
}

impl Report {
    /// Narrows the blast radius and plan to one vendor (`--what-if`).
    pub fn focus(&mut self, vendor: Vendor) {
        self.blast_radius.retain(|b| b.vendor == vendor);
        self.plan.retain(|p| p.vendor == vendor);
        self.what_if = Some(vendor);
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SkippedFile {
    pub path: String,
    pub reason: SkipReason,
}

#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub files_scanned: usize,
    /// Scanned files that contain no word any rule needs, so were not parsed.
    pub files_prefiltered: usize,
    /// Source files not scanned, by reason.
    pub files_skipped: BTreeMap<SkipReason, usize>,
    /// Scanned on the error-recovered tree.
    pub files_with_syntax_errors: usize,
    /// Scanned after replacing invalid UTF-8.
    pub files_decoded_lossily: usize,
    /// Vendored directories (node_modules, .venv, ...) not entered.
    pub dirs_skipped_vendored: usize,
    /// Files and directories left out by `exclude` patterns.
    pub files_excluded: usize,
    /// Findings suppressed by `lockin: allow` comments.
    pub suppressed: usize,
    /// Findings left out because they are in the baseline.
    pub baselined: usize,
    /// OpenAI-compatible clients whose endpoint comes from configuration (portable paths).
    pub portable_clients: usize,
    /// Findings not reported because their file had more than the per-file cap.
    pub findings_dropped: usize,
    pub rules: usize,
    pub findings: usize,
    pub by_severity: BTreeMap<Severity, usize>,
    pub by_vendor: BTreeMap<Vendor, usize>,
    pub by_category: BTreeMap<Category, usize>,
    pub skipped: Vec<SkippedFile>,
    /// Problems with suppression comments.
    pub notices: Vec<Notice>,
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

pub fn emitter(format: Format, color: bool, reg: &Registry, root: &str) -> Box<dyn Emitter> {
    match format {
        Format::Text => Box::new(text::Text { color }),
        Format::Json => Box::new(json::Json),
        Format::Sarif => Box::new(sarif::Sarif::new(reg, root)),
        Format::Markdown => Box::new(markdown::Markdown),
        Format::Html => Box::new(html::Html),
    }
}

/// Writes text to stdout; a closed pipe is not an error.
pub fn print_stdout(text: &str) -> Result<(), Error> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Error::Output {
            path: "<stdout>".into(),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// A note on stderr.
pub fn print_stderr(text: &str) {
    eprint!("{text}");
}

/// `lockin completions SHELL`.
pub fn completions(shell: clap_complete::Shell) -> Result<(), Error> {
    use clap::CommandFactory;
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut crate::cli::Cli::command(), "lockin", &mut buf);
    print_stdout(&String::from_utf8_lossy(&buf))
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

/// Short notes on stderr: suppression problems, and where the report went.
pub fn notes(report: &Report, output: Option<&Path>) {
    for n in &report.summary.notices {
        eprintln!(
            "lockin: warning: {}:{}:{}: {}",
            n.path, n.line, n.column, n.message
        );
    }
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
