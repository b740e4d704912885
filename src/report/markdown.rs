//! `--format markdown`: the summary and findings for a pull-request comment or a CI step summary
//! (GitHub-flavoured; long lists fold into `<details>`).

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::{Emitter, Report};
use crate::finding::Finding;
use crate::rules::Severity;

pub struct Markdown;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

impl Emitter for Markdown {
    fn emit(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let s = &r.summary;
        writeln!(
            out,
            "## lockin: portability {}/100 (grade {})\n",
            r.score.value, r.score.grade
        )?;
        let sev = |x: Severity| s.by_severity.get(&x).copied().unwrap_or(0);
        write!(
            out,
            "{} findings ({} high, {} medium, {} low) in {} scanned files",
            s.findings,
            sev(Severity::High),
            sev(Severity::Medium),
            sev(Severity::Low),
            s.files_scanned
        )?;
        let mut extra = Vec::new();
        if s.baselined > 0 {
            extra.push(format!("{} in the baseline", s.baselined));
        }
        if s.suppressed > 0 {
            extra.push(format!("{} suppressed", s.suppressed));
        }
        if s.files_skipped_total() > 0 {
            extra.push(format!("{} files skipped", s.files_skipped_total()));
        }
        if extra.is_empty() {
            writeln!(out, ".\n")?;
        } else {
            writeln!(out, "; not counted: {}.\n", extra.join(", "))?;
        }
        if r.score.resilience.points > 0 {
            writeln!(
                out,
                "Resilience: +{} points for a portable path ({} OpenAI-compatible client(s) with a configurable endpoint).\n",
                r.score.resilience.points, r.score.resilience.portable_clients
            )?;
        }
        if r.findings.is_empty() {
            return writeln!(out, "No lock-in to proprietary AI APIs found.");
        }

        writeln!(
            out,
            "| vendor | findings | files | points lost |\n|---|---:|---:|---:|"
        )?;
        for v in &r.score.by_vendor {
            writeln!(
                out,
                "| {} | {} | {} | {} |",
                v.vendor, v.findings, v.files, v.points
            )?;
        }
        writeln!(
            out,
            "\n| category | findings | points lost |\n|---|---:|---:|"
        )?;
        for c in &r.score.by_category {
            writeln!(out, "| {} | {} | {} |", c.category, c.findings, c.points)?;
        }

        if !r.blast_radius.is_empty() {
            writeln!(
                out,
                "\n### Blast radius\n\nWhat stops working if the vendor's API is gone.\n\n| vendor | direct sites | functions | importing modules | files |\n|---|---:|---:|---:|---:|"
            )?;
            for b in &r.blast_radius {
                writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    b.vendor,
                    b.direct_sites,
                    b.functions.len(),
                    b.importers.len(),
                    b.files.len()
                )?;
            }
            for b in &r.blast_radius {
                writeln!(
                    out,
                    "\n<details><summary>Functions that break without {}</summary>\n",
                    b.vendor
                )?;
                for f in &b.functions {
                    let why = f.reason("`");
                    writeln!(out, "- `{}` in `{}:{}` ({why})", f.function, f.path, f.line)?;
                }
                for i in &b.importers {
                    writeln!(
                        out,
                        "- `{}:{}` imports `{}` from `{}`",
                        i.path,
                        i.line,
                        i.names.join("`, `"),
                        i.from
                    )?;
                }
                writeln!(out, "\n</details>")?;
            }
        }
        if !r.plan.is_empty() {
            writeln!(
                out,
                "\n### Migration plan\n\nEasiest first. Effort: S is at most 5 sites in at most 2 files, M at most 25 sites in at most 8 files, L beyond; replacing a vendor-only feature counts one step harder."
            )?;
            for p in &r.plan {
                writeln!(
                    out,
                    "\n#### {}\n\n| effort | work item | sites | files | portable target |\n|---|---|---:|---:|---|",
                    p.vendor
                )?;
                for item in &p.items {
                    writeln!(
                        out,
                        "| {:?} | {} | {} | {} | {} |",
                        item.effort,
                        cell(&item.title),
                        item.sites,
                        item.files.len(),
                        cell(&item.target)
                    )?;
                }
            }
        }

        writeln!(
            out,
            "\n<details><summary>Findings by file ({})</summary>\n",
            r.findings.len()
        )?;
        let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        for f in &r.findings {
            by_file.entry(&f.path).or_default().push(f);
        }
        for (path, fs) in by_file {
            writeln!(
                out,
                "#### `{path}`\n\n| line | severity | rule | message | hint |\n|---:|---|---|---|---|"
            )?;
            for f in fs {
                writeln!(
                    out,
                    "| {} | {} | `{}` | {} | {} |",
                    f.line,
                    f.severity,
                    f.rule_id,
                    cell(&f.message),
                    cell(&f.hint)
                )?;
            }
            writeln!(out)?;
        }
        writeln!(out, "</details>")
    }
}
