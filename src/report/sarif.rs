//! `--format sarif`: SARIF 2.1.0 for code-scanning uploads (validated against the official
//! schema by tests/sarif.rs).

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{Emitter, Report};
use crate::finding::Finding;
use crate::rules::{Registry, Rule, Severity};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The rule metadata SARIF needs, taken from the registry once.
pub struct Sarif {
    rules: BTreeMap<String, RuleMeta>,
    /// Absolute `file://` URI of the scanned root, for `originalUriBaseIds`.
    root_uri: Option<String>,
}

struct RuleMeta {
    vendor: String,
    category: String,
    severity: Severity,
    message: String,
    why: String,
    hint: String,
    docs: Option<String>,
    example: Option<String>,
    instead: Option<String>,
}

impl Sarif {
    pub fn new(reg: &Registry, root: &str) -> Sarif {
        let rules = reg
            .rules
            .iter()
            .map(|r| (r.id.clone(), RuleMeta::from(r)))
            .collect();
        let root_uri = std::path::absolute(root).ok().map(|p| file_uri(&p));
        Sarif { rules, root_uri }
    }
}

impl From<&Rule> for RuleMeta {
    fn from(r: &Rule) -> RuleMeta {
        RuleMeta {
            vendor: r.vendor.id().to_string(),
            category: r.category.id().to_string(),
            severity: r.severity,
            message: r.message.replace("{match}", "…").replace(" `…`", ""),
            why: r.why.clone(),
            hint: r.hint.clone(),
            docs: r.docs.clone(),
            example: r.example.values().next().cloned(),
            instead: r.instead.values().next().cloned(),
        }
    }
}

fn level(sev: Severity) -> &'static str {
    match sev {
        Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'a str,
    version: &'a str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_uri_base_ids: Option<BTreeMap<&'a str, ArtifactLocation>>,
    column_kind: &'a str,
    invocations: Vec<Invocation>,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'a str,
    version: &'a str,
    semantic_version: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'a str>,
    rules: Vec<Descriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    id: String,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
    properties: DescriptorProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct DescriptorProperties {
    tags: Vec<String>,
    precision: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    properties: ResultProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Suppression {
    kind: &'static str,
    justification: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties {
    vendor: String,
    category: String,
    hint: String,
    /// Notebook findings: the cell (0-based) and the line within it (1-based).
    #[serde(skip_serializing_if = "Option::is_none")]
    cell: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cell_line: Option<usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
    snippet: Text,
}

/// "assistants-api" -> "AssistantsApi": SARIF's rule `name`.
fn pascal(id: &str) -> String {
    id.rsplit('/')
        .next()
        .unwrap_or(id)
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
        })
        .collect()
}

fn location(path: &str, region: Option<Region>) -> Location {
    Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: percent_encode(path),
                uri_base_id: Some("%SRCROOT%"),
            },
            region,
        },
    }
}

fn region(f: &Finding) -> Region {
    Region {
        start_line: f.line,
        start_column: f.column,
        end_line: f.end_line,
        end_column: f.end_column.max(1),
        snippet: Text {
            text: f.snippet.clone(),
        },
    }
}

impl Emitter for Sarif {
    fn emit(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        // One descriptor per rule that has a result (reported or suppressed), sorted by id.
        let mut used: Vec<&str> = report
            .findings
            .iter()
            .map(|f| f.rule_id.as_str())
            .chain(report.suppressed.iter().map(|s| s.finding.rule_id.as_str()))
            .collect();
        used.sort_unstable();
        used.dedup();
        let index: BTreeMap<&str, usize> =
            used.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let rules = used
            .iter()
            .filter_map(|id| self.rules.get(*id).map(|m| descriptor(id, m)))
            .collect();

        let result = |f: &Finding, suppression: Option<&str>| SarifResult {
            rule_id: f.rule_id.clone(),
            rule_index: index[f.rule_id.as_str()],
            level: level(f.severity),
            message: Text {
                text: f.message.clone(),
            },
            locations: vec![location(&f.path, Some(region(f)))],
            partial_fingerprints: BTreeMap::from([("lockin/v1", f.fingerprint.clone())]),
            suppressions: suppression
                .map(|reason| {
                    vec![Suppression {
                        kind: "inSource",
                        justification: reason.to_string(),
                    }]
                })
                .unwrap_or_default(),
            properties: ResultProperties {
                vendor: f.vendor.id().to_string(),
                category: f.category.id().to_string(),
                hint: f.hint.clone(),
                cell: f.cell,
                cell_line: f.cell_line,
            },
        };
        let mut results: Vec<SarifResult> =
            report.findings.iter().map(|f| result(f, None)).collect();
        results.extend(
            report
                .suppressed
                .iter()
                .map(|s| result(&s.finding, Some(&s.reason))),
        );

        let mut notifications: Vec<Notification> = report
            .summary
            .skipped
            .iter()
            .map(|s| Notification {
                level: "note",
                message: Text {
                    text: format!("skipped {}: {}", s.path, s.reason.describe()),
                },
                locations: vec![location(&s.path, None)],
            })
            .collect();
        notifications.extend(report.summary.notices.iter().map(|n| Notification {
            level: "warning",
            message: Text {
                text: n.message.clone(),
            },
            locations: vec![location(
                &n.path,
                Some(Region {
                    start_line: n.line,
                    start_column: n.column,
                    end_line: n.line,
                    end_column: n.column + 1,
                    snippet: Text {
                        text: String::new(),
                    },
                }),
            )],
        }));

        let log = Log {
            schema: SCHEMA,
            version: "2.1.0",
            runs: vec![Run {
                tool: Tool {
                    driver: Driver {
                        name: "lockin",
                        version: report.version,
                        semantic_version: report.version,
                        information_uri: option_env!("CARGO_PKG_HOMEPAGE")
                            .filter(|s| !s.is_empty()),
                        rules,
                    },
                },
                original_uri_base_ids: self.root_uri.as_ref().map(|uri| {
                    BTreeMap::from([(
                        "%SRCROOT%",
                        ArtifactLocation {
                            uri: uri.clone(),
                            uri_base_id: None,
                        },
                    )])
                }),
                column_kind: "unicodeCodePoints",
                invocations: vec![Invocation {
                    execution_successful: true,
                    tool_execution_notifications: notifications,
                }],
                results,
            }],
        };
        serde_json::to_writer_pretty(&mut *out, &log)?;
        out.write_all(b"\n")
    }
}

fn descriptor(id: &str, m: &RuleMeta) -> Descriptor {
    let mut markdown = format!("{}\n\n**Migration:** {}\n", m.why, m.hint);
    if let Some(ex) = &m.example {
        markdown.push_str(&format!("\n**Flagged:**\n\n```\n{}\n```\n", ex.trim_end()));
    }
    if let Some(ins) = &m.instead {
        markdown.push_str(&format!(
            "\n**Portable:**\n\n```\n{}\n```\n",
            ins.trim_end()
        ));
    }
    Descriptor {
        id: id.to_string(),
        name: pascal(id),
        short_description: Text {
            text: m.message.clone(),
        },
        full_description: Text {
            text: m.why.replace('\n', " "),
        },
        help: Help {
            text: format!("{}\n\nMigration: {}", m.why, m.hint),
            markdown,
        },
        help_uri: m.docs.clone(),
        default_configuration: Configuration {
            level: level(m.severity),
        },
        properties: DescriptorProperties {
            tags: vec!["lock-in".into(), m.vendor.clone(), m.category.clone()],
            precision: "high",
        },
    }
}

/// `file://` URI of a directory, with a trailing slash (SARIF base URIs must end in one).
fn file_uri(path: &std::path::Path) -> String {
    let mut s = path.to_string_lossy().replace('\\', "/");
    if !s.starts_with('/') {
        s.insert(0, '/');
    }
    if !s.ends_with('/') {
        s.push('/');
    }
    format!("file://{}", percent_encode(&s))
}

/// Percent-encodes everything but unreserved characters and `/`.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_uris() {
        assert_eq!(pascal("openai/assistants-api"), "AssistantsApi");
        assert_eq!(percent_encode("src/my app/ü.py"), "src/my%20app/%C3%BC.py");
        assert_eq!(
            file_uri(std::path::Path::new("/work/x y")),
            "file:///work/x%20y/"
        );
    }
}
