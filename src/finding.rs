//! A finding: one rule matched at one place.

use std::cmp::Ordering;

use serde::Serialize;

use crate::rules::{Category, Severity, Vendor};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
