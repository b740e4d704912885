//! `--format text`: summary tables (comfy-table), then each finding with its source line.

use std::io::{self, Write};

use comfy_table::{CellAlignment, Table, presets};

use super::{Emitter, Report};
use crate::finding::Finding;
use crate::rules::Severity;

pub struct Text {
    pub color: bool,
}

/// How many of the most costly files the text report lists.
const TOP_FILES: usize = 10;

impl Text {
    fn paint(&self, s: &str, code: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn severity(&self, sev: Severity) -> String {
        let code = match sev {
            Severity::High => "1;31",
            Severity::Medium => "1;33",
            Severity::Low => "1;34",
        };
        self.paint(&format!("{:<6}", sev.id()), code)
    }
}

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED);
    t.set_header(header.to_vec());
    t
}

fn right_align(t: &mut Table, from: usize) {
    let n = t.column_count();
    for i in from..n {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
}

impl Emitter for Text {
    fn emit(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let s = &r.summary;
        writeln!(out, "lockin {} · {}", r.version, r.root)?;
        writeln!(out)?;

        let mut overview = Table::new();
        overview.load_style(presets::UTF8_FULL_CONDENSED);
        let mut score_cell = format!("{}/100  grade {}", r.score.value, r.score.grade);
        if r.score.resilience.points > 0 {
            score_cell.push_str(&format!(
                "  (+{} for a portable path: {} configurable OpenAI-compatible client{})",
                r.score.resilience.points,
                r.score.resilience.portable_clients,
                if r.score.resilience.portable_clients == 1 {
                    ""
                } else {
                    "s"
                }
            ));
        }
        overview.add_row(vec!["Portability score".to_string(), score_cell]);
        let mut files = format!("{} scanned", s.files_scanned);
        if s.files_skipped_total() > 0 {
            let reasons: Vec<String> = s
                .files_skipped
                .iter()
                .map(|(reason, n)| format!("{n} {}", reason.describe()))
                .collect();
            files.push_str(&format!(
                ", {} skipped ({})",
                s.files_skipped_total(),
                reasons.join(", ")
            ));
        }
        if s.dirs_skipped_vendored > 0 {
            files.push_str(&format!(
                ", {} not entered",
                plural(
                    s.dirs_skipped_vendored,
                    "vendored directory",
                    "vendored directories"
                )
            ));
        }
        overview.add_row(vec!["Files".to_string(), files]);
        let sev = |x: Severity| s.by_severity.get(&x).copied().unwrap_or(0);
        overview.add_row(vec![
            "Findings".to_string(),
            format!(
                "{} ({} high, {} medium, {} low)",
                s.findings,
                sev(Severity::High),
                sev(Severity::Medium),
                sev(Severity::Low)
            ),
        ]);
        writeln!(out, "{overview}")?;

        if !r.score.by_vendor.is_empty() {
            let mut t = table(&["Vendor", "Findings", "Files", "Points lost"]);
            for v in &r.score.by_vendor {
                t.add_row(vec![
                    v.vendor.id().to_string(),
                    v.findings.to_string(),
                    v.files.to_string(),
                    v.points.to_string(),
                ]);
            }
            right_align(&mut t, 1);
            writeln!(out, "\n{t}")?;

            let mut t = table(&["Category", "Findings", "Points lost"]);
            for c in &r.score.by_category {
                t.add_row(vec![
                    c.category.id().to_string(),
                    c.findings.to_string(),
                    c.points.to_string(),
                ]);
            }
            right_align(&mut t, 1);
            writeln!(out, "\n{t}")?;

            let mut t = table(&["File", "Findings", "Points lost"]);
            for f in r.score.by_file.iter().take(TOP_FILES) {
                t.add_row(vec![
                    f.path.clone(),
                    f.findings.to_string(),
                    f.points.to_string(),
                ]);
            }
            right_align(&mut t, 1);
            let more = r.score.by_file.len().saturating_sub(TOP_FILES);
            writeln!(out, "\n{t}")?;
            if more > 0 {
                writeln!(out, "… and {more} more files")?;
            }
        }

        self.blast_and_plan(r, out)?;

        if !r.findings.is_empty() {
            writeln!(out, "\n{}\n", self.paint("Findings", "1"))?;
        }
        for f in &r.findings {
            self.finding(f, out)?;
        }

        writeln!(out, "{}", self.closing_line(r))
    }
}

impl Text {
    fn blast_and_plan(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        if !r.blast_radius.is_empty() {
            let mut t = table(&[
                "Vendor",
                "Direct sites",
                "Functions",
                "Importing modules",
                "Files",
            ]);
            for b in &r.blast_radius {
                t.add_row(vec![
                    b.vendor.id().to_string(),
                    b.direct_sites.to_string(),
                    b.functions.len().to_string(),
                    b.importers.len().to_string(),
                    b.files.len().to_string(),
                ]);
            }
            right_align(&mut t, 1);
            writeln!(
                out,
                "\n{}\n{t}",
                self.paint(
                    "Blast radius: what stops working if the vendor's API is gone",
                    "1"
                )
            )?;
        }
        if let Some(v) = r.what_if {
            writeln!(
                out,
                "\n{}",
                self.paint(&format!("What stops working without {v}"), "1")
            )?;
            match r.blast_radius.first() {
                None => writeln!(out, "  nothing: no call to {v}'s API was found")?,
                Some(b) => {
                    for f in &b.functions {
                        let why = f.reason("");
                        writeln!(
                            out,
                            "  {}:{}  {}  ({why})",
                            f.path,
                            f.line,
                            self.paint(&f.function, "1")
                        )?;
                    }
                    let outside =
                        b.direct_sites - b.functions.iter().map(|f| f.sites).sum::<usize>();
                    if outside > 0 {
                        writeln!(out, "  … and {outside} direct sites at module level")?;
                    }
                    for i in &b.importers {
                        writeln!(
                            out,
                            "  {}:{}  imports {} from {}",
                            i.path,
                            i.line,
                            i.names.join(", "),
                            i.from
                        )?;
                    }
                }
            }
        }
        if !r.plan.is_empty() {
            writeln!(
                out,
                "\n{}",
                self.paint(
                    "Migration plan (easiest first; effort S/M/L, see docs/scoring.md)",
                    "1"
                )
            )?;
            for p in &r.plan {
                writeln!(out, "\n  {}", self.paint(p.vendor.id(), "1"))?;
                for item in &p.items {
                    writeln!(
                        out,
                        "  {:?}  {} ({} site{} in {} file{})",
                        item.effort,
                        item.title,
                        item.sites,
                        if item.sites == 1 { "" } else { "s" },
                        item.files.len(),
                        if item.files.len() == 1 { "" } else { "s" }
                    )?;
                    writeln!(out, "     → {}", item.target)?;
                }
            }
        }
        Ok(())
    }

    fn finding(&self, f: &Finding, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "{} {}  {}",
            self.severity(f.severity),
            self.paint(&f.rule_id, "1"),
            self.paint(&format!("{}:{}:{}", f.path, f.line, f.column), "36")
        )?;
        writeln!(out, "  {}", f.message)?;
        let num = f.line.to_string();
        let pad = " ".repeat(num.len());
        let line = f.snippet.replace('\t', " ");
        writeln!(out, "  {pad} │")?;
        writeln!(out, "  {} │ {line}", self.paint(&num, "2"))?;
        let width = line.chars().count();
        let start = f.column.saturating_sub(1).min(width);
        let end = if f.end_line == f.line {
            f.end_column.saturating_sub(1)
        } else {
            width
        };
        let len = end.clamp(start + 1, width.max(start + 1)) - start;
        writeln!(
            out,
            "  {pad} │ {}{}",
            " ".repeat(start),
            self.paint(&"^".repeat(len), "1;35")
        )?;
        writeln!(out, "  {} {}\n", self.paint("hint:", "32"), f.hint)
    }

    fn closing_line(&self, r: &Report) -> String {
        let s = &r.summary;
        let mut notes = Vec::new();
        if s.files_skipped_total() > 0 {
            notes.push(format!(
                "{} skipped",
                plural(s.files_skipped_total(), "file", "files")
            ));
        }
        if s.dirs_skipped_vendored > 0 {
            notes.push(format!(
                "{} not entered (--no-ignore scans them)",
                plural(
                    s.dirs_skipped_vendored,
                    "vendored directory",
                    "vendored directories"
                )
            ));
        }
        if s.files_with_syntax_errors > 0 {
            notes.push(format!(
                "{} with syntax errors, scanned with error recovery",
                plural(s.files_with_syntax_errors, "file", "files")
            ));
        }
        if s.files_decoded_lossily > 0 {
            notes.push(format!(
                "{} with invalid UTF-8, scanned lossily",
                plural(s.files_decoded_lossily, "file", "files")
            ));
        }
        let mut line = format!(
            "Scanned {} with {}: {}, score {}/100 ({}).",
            plural(s.files_scanned, "file", "files"),
            plural(s.rules, "rule", "rules"),
            plural(s.findings, "finding", "findings"),
            r.score.value,
            r.score.grade
        );
        if !notes.is_empty() {
            line.push_str(&format!(" Note: {}.", notes.join("; ")));
        }
        for sk in &s.skipped {
            line.push_str(&format!(
                "\n  skipped {}: {}",
                sk.path,
                sk.reason.describe()
            ));
        }
        line
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
