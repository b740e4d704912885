//! Baselines: the findings a team has accepted, by fingerprint, so that only new ones fail the
//! gate. Fingerprints ignore line numbers, so code moving up or down stays baselined.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::finding::Finding;

pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub fingerprint: String,
    pub rule_id: String,
    pub path: String,
    /// Where it was when the baseline was written; informational only.
    pub line: usize,
}

impl Baseline {
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        let mut entries: Vec<Entry> = findings
            .iter()
            .map(|f| Entry {
                fingerprint: f.fingerprint.clone(),
                rule_id: f.rule_id.clone(),
                path: f.path.clone(),
                line: f.line,
            })
            .collect();
        entries.sort_by(|a, b| {
            (&a.path, a.line, &a.rule_id, &a.fingerprint).cmp(&(
                &b.path,
                b.line,
                &b.rule_id,
                &b.fingerprint,
            ))
        });
        Baseline {
            version: FORMAT_VERSION,
            findings: entries,
        }
    }

    pub fn read(path: &Path) -> Result<Baseline, Error> {
        let err = |message: String| Error::Baseline {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let b: Baseline = serde_json::from_str(&text).map_err(|e| err(e.to_string()))?;
        if b.version != FORMAT_VERSION {
            return Err(err(format!(
                "format version {} is not supported (expected {FORMAT_VERSION})",
                b.version
            )));
        }
        Ok(b)
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Splits findings into (new, baselined).
    pub fn split(&self, findings: Vec<Finding>) -> (Vec<Finding>, usize) {
        let known: BTreeSet<&str> = self
            .findings
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect();
        let before = findings.len();
        let fresh: Vec<Finding> = findings
            .into_iter()
            .filter(|f| !known.contains(f.fingerprint.as_str()))
            .collect();
        let baselined = before - fresh.len();
        (fresh, baselined)
    }
}
