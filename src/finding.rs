//! A finding: one rule matched at one place.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::rules::{Category, Severity, Vendor};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule_id: String,
    /// The vendor the code is tied to. Usually the rule's vendor; a client of one vendor's SDK
    /// pointed at another vendor's API host is attributed to that host's vendor.
    pub vendor: Vendor,
    pub category: Category,
    pub severity: Severity,
    /// Relative to the scanned root, with forward slashes.
    pub path: String,
    /// 1-based start line.
    pub line: usize,
    /// 1-based start column, in Unicode code points.
    pub column: usize,
    pub end_line: usize,
    /// 1-based column just past the end, in Unicode code points.
    pub end_column: usize,
    pub message: String,
    pub hint: String,
    /// The source line the finding starts on, with secrets masked.
    pub snippet: String,
    /// The API host a client was pointed at, when that decided the vendor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// Stable across unrelated edits: rule, path, matched text and occurrence, never the line.
    pub fingerprint: String,
    /// The named function or method the finding is in (`Class.method`); none at module level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// In a notebook: the 0-based index of the cell (as Jupyter counts cells, all kinds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<usize>,
    /// In a notebook: the 1-based line within the cell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell_line: Option<usize>,
    /// The matched source text, normalised (first line, whitespace collapsed; secrets redacted).
    #[serde(skip)]
    pub matched: String,
}

/// Sets the fingerprint of sorted findings: a hash of rule id, path, normalised matched text
/// and the occurrence index among findings with the same three, so that moving code up or down,
/// or editing other lines, keeps it.
pub fn assign_fingerprints(findings: &mut [Finding]) {
    let mut seen: std::collections::HashMap<(String, String, String), usize> =
        std::collections::HashMap::new();
    for f in findings.iter_mut() {
        let key = (f.rule_id.clone(), f.path.clone(), f.matched.clone());
        let n = seen.entry(key).or_default();
        let mut h = Fnv::default();
        for part in [f.rule_id.as_str(), f.path.as_str(), f.matched.as_str()] {
            h.write(part.as_bytes());
            h.write(&[0]);
        }
        h.write(&n.to_le_bytes());
        *n += 1;
        f.fingerprint = format!("{:016x}", h.0);
    }
}

/// FNV-1a, 64 bit: a fixed, platform-independent hash for fingerprints.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

impl Ord for Finding {
    /// The report order: path, line, column, rule id (SPEC), then the rest for a total order.
    fn cmp(&self, other: &Self) -> Ordering {
        (
            &self.path,
            self.line,
            self.column,
            &self.rule_id,
            self.end_line,
            self.end_column,
            &self.message,
        )
            .cmp(&(
                &other.path,
                other.line,
                other.column,
                &other.rule_id,
                other.end_line,
                other.end_column,
                &other.message,
            ))
    }
}

impl PartialOrd for Finding {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
