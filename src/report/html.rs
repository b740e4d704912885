//! `--format html`: one self-contained page (inline CSS and SVG, no scripts, no network): a score
//! gauge, coupling charts per vendor and per directory, the blast radius, the migration plan and
//! the findings.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::{Emitter, Report};

pub struct Html;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn grade_color(grade: &str) -> &'static str {
    match grade {
        "A" => "#1a7f37",
        "B" => "#4c9a2a",
        "C" => "#bf8700",
        "D" => "#d1581a",
        _ => "#cf222e",
    }
}

/// A half-circle gauge from 0 to 100.
fn gauge(value: u32, grade: &str) -> String {
    let v = f64::from(value.min(100)) / 100.0;
    let angle = std::f64::consts::PI * (1.0 - v);
    let (x, y) = (100.0 + 80.0 * angle.cos(), 100.0 - 80.0 * angle.sin());
    format!(
        r##"<svg class="gauge" viewBox="0 0 200 120" role="img" aria-label="portability score {value} of 100, grade {grade}">
<path d="M20 100 A80 80 0 0 1 180 100" fill="none" stroke="#e5e7eb" stroke-width="16" stroke-linecap="round"/>
<path d="M20 100 A80 80 0 0 1 {x:.1} {y:.1}" fill="none" stroke="{color}" stroke-width="16" stroke-linecap="round"/>
<text x="100" y="92" text-anchor="middle" font-size="34" font-weight="700" fill="#111">{value}</text>
<text x="100" y="114" text-anchor="middle" font-size="14" fill="#555">grade {grade}</text>
</svg>"##,
        color = grade_color(grade)
    )
}

/// Horizontal bars, one per (label, value), scaled to the largest.
fn bars(rows: &[(String, f64, String)]) -> String {
    let max = rows
        .iter()
        .map(|r| r.1)
        .fold(0.0_f64, f64::max)
        .max(f64::EPSILON);
    let height = 26 * rows.len().max(1) + 4;
    let mut s = format!(r#"<svg class="bars" viewBox="0 0 520 {height}" role="img">"#);
    for (i, (label, value, note)) in rows.iter().enumerate() {
        let y = 4 + 26 * i;
        let w = 200.0 * value / max;
        let _ = write!(
            s,
            r##"<text x="0" y="{ty}" font-size="12" fill="#222">{label}</text><rect x="170" y="{y}" width="{w:.1}" height="18" rx="3" fill="#6366f1"/><text x="{tx:.1}" y="{ty}" font-size="12" fill="#444">{note}</text>"##,
            ty = y + 14,
            label = esc(label),
            tx = 176.0 + w,
            note = esc(note)
        );
    }
    s.push_str("</svg>");
    s
}

const STYLE: &str = "body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px auto;max-width:1100px;color:#111;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #e5e7eb;padding-bottom:4px}
.muted{color:#666}.top{display:flex;gap:32px;align-items:center;flex-wrap:wrap}.gauge{width:240px}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid #e5e7eb;border-radius:8px;padding:10px 14px;min-width:120px}
.card b{display:block;font-size:20px}.charts{display:grid;grid-template-columns:1fr 1fr;gap:24px}.bars{width:100%}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eee;vertical-align:top}
th{background:#f6f8fa}code{font:12px ui-monospace,Menlo,monospace;background:#f6f8fa;padding:1px 4px;border-radius:4px}
.sev-high{color:#cf222e;font-weight:600}.sev-medium{color:#bf8700;font-weight:600}.sev-low{color:#0969da}
.eff{font-weight:700}details{margin:6px 0}";

impl Emitter for Html {
    fn emit(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let s = &r.summary;
        let mut h = String::new();
        let _ = write!(
            h,
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
             <title>lockin: {root}</title><style>{STYLE}</style></head><body>\n\
             <h1>AI vendor lock-in report</h1><div class=\"muted\">lockin {ver} · {root}</div>\n<div class=\"top\">{gauge}<div class=\"cards\">",
            root = esc(&r.root),
            ver = esc(r.version),
            gauge = gauge(r.score.value, r.score.grade)
        );
        let sev = |x| s.by_severity.get(&x).copied().unwrap_or(0);
        for (label, value) in [
            ("findings", s.findings.to_string()),
            ("high", sev(crate::rules::Severity::High).to_string()),
            ("files scanned", s.files_scanned.to_string()),
            ("vendors", r.score.by_vendor.len().to_string()),
            ("resilience", format!("+{}", r.score.resilience.points)),
        ] {
            let _ = write!(
                h,
                "<div class=\"card\"><b>{}</b>{}</div>",
                esc(&value),
                esc(label)
            );
        }
        h.push_str("</div></div>\n");

        if !r.score.by_vendor.is_empty() {
            let vendors: Vec<(String, f64, String)> = r
                .score
                .by_vendor
                .iter()
                .map(|v| {
                    (
                        v.vendor.id().to_string(),
                        v.penalty,
                        format!("{} points, {} findings", v.points, v.findings),
                    )
                })
                .collect();
            let mut dirs: BTreeMap<String, f64> = BTreeMap::new();
            for f in &r.score.by_file {
                let dir = match f.path.rsplit_once('/') {
                    Some((d, _)) => d.to_string(),
                    None => ".".to_string(),
                };
                *dirs.entry(dir).or_default() += f.penalty;
            }
            let mut dirs: Vec<(String, f64, String)> = dirs
                .into_iter()
                .map(|(d, p)| (d, p, format!("penalty {p:.1}")))
                .collect();
            dirs.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            dirs.truncate(12);
            let _ = writeln!(
                h,
                "<div class=\"charts\"><div><h2>Coupling by vendor</h2>{}</div><div><h2>Coupling by directory</h2>{}</div></div>",
                bars(&vendors),
                bars(&dirs)
            );
        }

        if !r.blast_radius.is_empty() {
            h.push_str("<h2>Blast radius: what stops working if the vendor's API is gone</h2>\n<table><tr><th>vendor</th><th>direct sites</th><th>functions</th><th>importing modules</th><th>files</th></tr>");
            for b in &r.blast_radius {
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    b.vendor,
                    b.direct_sites,
                    b.functions.len(),
                    b.importers.len(),
                    b.files.len()
                );
            }
            h.push_str("</table>\n");
            for b in &r.blast_radius {
                let _ = write!(
                    h,
                    "<details><summary>Functions that break without {}</summary><ul>",
                    b.vendor
                );
                for f in &b.functions {
                    let why = f.reason("");
                    let _ = write!(
                        h,
                        "<li><code>{}</code> in <code>{}:{}</code> ({})</li>",
                        esc(&f.function),
                        esc(&f.path),
                        f.line,
                        esc(&why)
                    );
                }
                h.push_str("</ul></details>\n");
            }
        }

        if !r.plan.is_empty() {
            h.push_str("<h2>Migration plan</h2><p class=\"muted\">Easiest first. Effort: S at most 5 sites in 2 files, M at most 25 sites in 8 files, L beyond; vendor-only features one step harder.</p>\n");
            for p in &r.plan {
                let _ = write!(
                    h,
                    "<h3>{}</h3><table><tr><th>effort</th><th>work item</th><th>sites</th><th>files</th><th>portable target</th></tr>",
                    p.vendor
                );
                for i in &p.items {
                    let _ = write!(
                        h,
                        "<tr><td class=\"eff\">{:?}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        i.effort,
                        esc(&i.title),
                        i.sites,
                        i.files.len(),
                        esc(&i.target)
                    );
                }
                h.push_str("</table>\n");
            }
        }

        let _ = write!(
            h,
            "<h2>Findings ({})</h2><table><tr><th>where</th><th>severity</th><th>rule</th><th>what and how to fix it</th></tr>",
            r.findings.len()
        );
        for f in &r.findings {
            let _ = write!(
                h,
                "<tr><td><code>{}:{}</code></td><td class=\"sev-{sev}\">{sev}</td><td><code>{}</code></td><td>{}<br><span class=\"muted\">{}</span></td></tr>",
                esc(&f.path),
                f.line,
                esc(&f.rule_id),
                esc(&f.message),
                esc(&f.hint),
                sev = f.severity
            );
        }
        h.push_str("</table>\n</body></html>\n");
        out.write_all(h.as_bytes())
    }
}
