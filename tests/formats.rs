//! The report formats on fixtures/demo: snapshots (reviewed with `cargo insta review`) and the JSON
//! schema of docs/output.md, mirrored by structs that refuse unknown fields.

use std::collections::BTreeMap;

use assert_cmd::Command;
use serde::Deserialize;

fn run(args: &[&str]) -> String {
    let out = Command::new(assert_cmd::cargo::cargo_bin!("lockin"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
}

#[test]
fn text_report_of_the_demo() {
    insta::assert_snapshot!(
        "demo_text",
        run(&["scan", "fixtures/demo", "--color", "never"])
    );
}

#[test]
fn json_report_of_the_demo() {
    insta::assert_snapshot!(
        "demo_json",
        run(&["scan", "fixtures/demo", "--format", "json"])
    );
}

// The JSON report as documented in docs/output.md.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Report {
    version: String,
    root: String,
    score: Score,
    findings: Vec<Finding>,
    #[serde(default)]
    suppressed: Vec<SuppressedFinding>,
    blast_radius: Vec<BlastRadius>,
    plan: Vec<VendorPlan>,
    what_if: Option<String>,
    summary: Summary,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct BlastRadius {
    vendor: String,
    direct_sites: usize,
    files: Vec<String>,
    functions: Vec<AffectedFunction>,
    importers: Vec<Importer>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct AffectedFunction {
    path: String,
    function: String,
    line: usize,
    sites: usize,
    calls: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Importer {
    path: String,
    line: usize,
    from: String,
    names: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct VendorPlan {
    vendor: String,
    items: Vec<PlanItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct PlanItem {
    kind: String,
    title: String,
    effort: String,
    sites: usize,
    files: Vec<String>,
    rules: Vec<String>,
    target: String,
}

/// A finding with the reason of the `lockin: allow` that suppressed it (serde cannot combine
/// `flatten` with `deny_unknown_fields`, hence the repetition).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct SuppressedFinding {
    rule_id: String,
    vendor: String,
    category: String,
    severity: String,
    path: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: String,
    hint: String,
    snippet: String,
    via: Option<String>,
    fingerprint: String,
    function: Option<String>,
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Score {
    value: u32,
    grade: String,
    penalty: f64,
    by_vendor: Vec<VendorPart>,
    by_category: Vec<CategoryPart>,
    by_file: Vec<FilePart>,
    resilience: Resilience,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Resilience {
    portable_clients: usize,
    relief: f64,
    points: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct VendorPart {
    vendor: String,
    findings: usize,
    files: usize,
    penalty: f64,
    points: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct CategoryPart {
    category: String,
    findings: usize,
    penalty: f64,
    points: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct FilePart {
    path: String,
    findings: usize,
    penalty: f64,
    points: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Finding {
    rule_id: String,
    vendor: String,
    category: String,
    severity: String,
    path: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: String,
    hint: String,
    snippet: String,
    via: Option<String>,
    fingerprint: String,
    function: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Summary {
    files_scanned: usize,
    files_prefiltered: usize,
    files_skipped: BTreeMap<String, usize>,
    files_with_syntax_errors: usize,
    files_decoded_lossily: usize,
    dirs_skipped_vendored: usize,
    files_excluded: usize,
    suppressed: usize,
    baselined: usize,
    portable_clients: usize,
    findings_dropped: usize,
    rules: usize,
    findings: usize,
    by_severity: BTreeMap<String, usize>,
    by_vendor: BTreeMap<String, usize>,
    by_category: BTreeMap<String, usize>,
    skipped: Vec<Skipped>,
    notices: Vec<Notice>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Notice {
    path: String,
    line: usize,
    column: usize,
    message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Skipped {
    path: String,
    reason: String,
}

#[test]
fn json_report_matches_the_documented_schema() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bin.py"), b"\0\0\0").unwrap();
    std::fs::write(dir.path().join("x.py"), "import openai\n").unwrap();
    for args in [
        vec![
            "scan".to_string(),
            "fixtures/demo".into(),
            "--format".into(),
            "json".into(),
        ],
        vec![
            "scan".to_string(),
            dir.path().display().to_string(),
            "--format".into(),
            "json".into(),
        ],
        vec![
            "scan".to_string(),
            "fixtures/demo".into(),
            "--format".into(),
            "json".into(),
            "--what-if".into(),
            "anthropic".into(),
        ],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let text = run(&args);
        let report: Report = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(report.summary.findings, report.findings.len());
        for f in &report.findings {
            assert!(["low", "medium", "high"].contains(&f.severity.as_str()));
            assert!(f.line >= 1 && f.column >= 1 && f.end_line >= f.line);
        }
    }
}

#[test]
fn markdown_report_of_the_demo() {
    insta::assert_snapshot!(
        "demo_markdown",
        run(&["scan", "fixtures/demo", "--format", "markdown"])
    );
}

#[test]
fn what_if_report_of_the_demo() {
    insta::assert_snapshot!(
        "demo_what_if_openai",
        run(&[
            "scan",
            "fixtures/demo",
            "--what-if",
            "openai",
            "--color",
            "never"
        ])
    );
}

#[test]
fn html_report_is_self_contained() {
    let html = run(&["scan", "fixtures/demo", "--format", "html"]);
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<svg class=\"gauge\""), "score gauge");
    assert!(html.contains("Coupling by vendor") && html.contains("Coupling by directory"));
    assert!(html.contains("Migration plan") && html.contains("Blast radius"));
    for banned in ["<script", "src=\"http", "href=\"http", "@import", "url("] {
        assert!(
            !html.contains(banned),
            "the report must not load anything: found {banned}"
        );
    }
    // Everything user-controlled is escaped.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x<y>.py"), "MODEL = \"gpt-4o\"\n").unwrap();
    let html = run(&["scan", dir.path().to_str().unwrap(), "--format", "html"]);
    assert!(html.contains("x&lt;y&gt;.py") && !html.contains("x<y>.py"));
}
