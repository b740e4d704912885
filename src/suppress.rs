//! Inline suppressions: `# lockin: allow RULE_ID -- reason` (or `// lockin: allow ...`) on the
//! line of a finding or alone on the line above it, and `lockin: allow-file ...` for a whole file.
//! A term may be a rule id, a vendor or a category. An allow without a reason suppresses nothing;
//! it, an allow that matches nothing and an unknown rule id are reported as notices.

use serde::{Deserialize, Serialize};

use crate::finding::Finding;
use crate::rules::{Category, Registry, Vendor};

/// One `lockin: allow` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// 1-based line of the comment.
    pub line: usize,
    pub column: usize,
    /// The line it applies to; `None` for `allow-file`.
    pub target: Option<usize>,
    pub terms: Vec<String>,
    pub reason: Option<String>,
}

/// Something about a suppression comment that the user should fix.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Notice {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// A finding that an allow comment suppressed, and the comment's reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppressed {
    #[serde(flatten)]
    pub finding: Finding,
    pub reason: String,
}

/// Parses the text of one comment. Returns `(file_level, terms, reason)`.
pub fn parse_comment(comment: &str) -> Option<(bool, Vec<String>, Option<String>)> {
    let body = comment
        .trim_start_matches('#')
        .trim_start_matches("//")
        .trim_start_matches("/*")
        .trim_end()
        .trim_end_matches("*/")
        .trim();
    let rest = body.strip_prefix("lockin:")?.trim_start();
    let (file_level, rest) = if let Some(r) = rest.strip_prefix("allow-file") {
        (true, r)
    } else if let Some(r) = rest.strip_prefix("allow") {
        (false, r)
    } else {
        return None;
    };
    if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
        return None;
    }
    let (terms, reason) = match rest.split_once("--") {
        Some((t, r)) => (t, Some(r.trim().to_string()).filter(|r| !r.is_empty())),
        None => (rest, None),
    };
    let terms: Vec<String> = terms
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    Some((file_level, terms, reason))
}

fn term_matches(term: &str, f: &Finding) -> bool {
    term == f.rule_id
        || Vendor::from_id(term) == Some(f.vendor)
        || Category::from_id(term) == Some(f.category)
}

/// Applies a file's directives to its findings: returns (kept, suppressed, notices).
pub fn apply(
    findings: Vec<Finding>,
    directives: &[Directive],
    reg: &Registry,
    path: &str,
) -> (Vec<Finding>, Vec<Suppressed>, Vec<Notice>) {
    let mut used = vec![false; directives.len()];
    let mut kept = Vec::with_capacity(findings.len());
    let mut suppressed = Vec::new();
    for f in findings {
        let hit = directives.iter().enumerate().find(|(_, d)| {
            d.reason.is_some()
                && d.target.is_none_or(|t| t == f.line)
                && d.terms.iter().any(|t| term_matches(t, &f))
        });
        match hit {
            Some((i, d)) => {
                used[i] = true;
                let reason = d.reason.clone().unwrap_or_default();
                suppressed.push(Suppressed { finding: f, reason });
            }
            None => kept.push(f),
        }
    }
    let mut notices = Vec::new();
    let notice = |d: &Directive, message: String| Notice {
        path: path.to_string(),
        line: d.line,
        column: d.column,
        message,
    };
    for (d, used) in directives.iter().zip(used) {
        if d.terms.is_empty() {
            notices.push(notice(
                d,
                "`lockin: allow` names no rule: write `lockin: allow RULE_ID -- reason`".into(),
            ));
            continue;
        }
        let unknown: Vec<&String> = d.terms.iter().filter(|t| !reg.knows_term(t)).collect();
        for t in &unknown {
            notices.push(notice(
                d,
                format!("`lockin: allow` names an unknown rule `{t}`"),
            ));
        }
        if d.reason.is_none() {
            notices.push(notice(
                d,
                format!("`lockin: allow {}` has no reason, so it suppresses nothing: add ` -- why this is acceptable`", d.terms.join(", ")),
            ));
        } else if !used && unknown.is_empty() && d.terms.iter().all(|t| reg.runs_term(t)) {
            notices.push(notice(
                d,
                format!(
                    "`lockin: allow {}` matches no finding: remove it",
                    d.terms.join(", ")
                ),
            ));
        }
    }
    (kept, suppressed, notices)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_parsed() {
        assert_eq!(
            parse_comment("# lockin: allow openai/client, openai/model-id -- pinned for evals"),
            Some((
                false,
                vec!["openai/client".into(), "openai/model-id".into()],
                Some("pinned for evals".into())
            ))
        );
        assert_eq!(
            parse_comment("// lockin: allow-file anthropic -- the adapter"),
            Some((true, vec!["anthropic".into()], Some("the adapter".into())))
        );
        assert_eq!(
            parse_comment("# lockin: allow openai/client"),
            Some((false, vec!["openai/client".into()], None))
        );
        assert_eq!(
            parse_comment("# lockin: allow openai/client --   "),
            Some((false, vec!["openai/client".into()], None))
        );
        assert_eq!(
            parse_comment("/* lockin: allow openai -- x */"),
            Some((false, vec!["openai".into()], Some("x".into())))
        );
        assert_eq!(parse_comment("# lockin: allowance"), None);
        assert_eq!(parse_comment("# see lockin: allow x -- y"), None);
        assert_eq!(parse_comment("# expect: openai/client"), None);
    }
}
