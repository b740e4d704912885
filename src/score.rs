//! The portability score: 0-100 (100 = nothing ties the code to one vendor), a grade, and a
//! breakdown that adds up. The formula and its properties are in docs/scoring.md.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::finding::Finding;
use crate::rules::{Category, Severity, Vendor};

/// Weight of one finding by severity.
pub fn weight(sev: Severity) -> f64 {
    match sev {
        Severity::Low => 1.0,
        Severity::Medium => 3.0,
        Severity::High => 8.0,
    }
}

/// Saturation of one file's coupling to one vendor: a file can cost at most this much, so the
/// same calls concentrated in one adapter weigh far less than calls spread over many files.
pub const FILE_CAP: f64 = 10.0;

/// The penalty at which the score is 50.
pub const HALF_SCORE_PENALTY: f64 = 40.0;

/// Share of the penalty relieved when the code already has a portable path.
pub const RESILIENCE_SHARE: f64 = 0.2;

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Score {
    pub value: u32,
    pub grade: &'static str,
    /// Total penalty P (file costs plus vendor-only feature costs); `value = round(100 * K /
    /// (K + P))` with K = 40.
    pub penalty: f64,
    /// Points lost (100 - value), split by vendor; the `points` add up to exactly that.
    pub by_vendor: Vec<VendorPart>,
    pub by_category: Vec<CategoryPart>,
    pub by_file: Vec<FilePart>,
    /// The resilience term: points gained for a working portable path.
    pub resilience: Resilience,
}

/// A portable path already in the code (an OpenAI-compatible client whose endpoint comes from
/// configuration) relieves part of the penalty: the calls have somewhere to go. Its points are
/// added back after the coupling breakdown, so `100 - coupling points + resilience points` is the
/// score.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Resilience {
    pub portable_clients: usize,
    pub relief: f64,
    pub points: u32,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct VendorPart {
    pub vendor: Vendor,
    pub findings: usize,
    pub files: usize,
    pub penalty: f64,
    pub points: u32,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CategoryPart {
    pub category: Category,
    pub findings: usize,
    pub penalty: f64,
    pub points: u32,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct FilePart {
    pub path: String,
    pub findings: usize,
    pub penalty: f64,
    pub points: u32,
}

pub fn grade(value: u32) -> &'static str {
    match value {
        90.. => "A",
        75..=89 => "B",
        60..=74 => "C",
        40..=59 => "D",
        _ => "F",
    }
}

/// The cost of one (vendor, file) pair whose findings weigh `w` in total.
pub fn file_cost(w: f64) -> f64 {
    FILE_CAP * (1.0 - (-w / FILE_CAP).exp())
}

/// Total weight of one (vendor, file) pair, and its split by category.
type PairWeight = (f64, BTreeMap<Category, f64>);

/// Scores sorted findings, with the number of portable clients seen. Pure: the same input always
/// gives the same score.
pub fn score(findings: &[Finding], portable_clients: usize) -> Score {
    // Weight per (vendor, file), and within it per category.
    let mut pairs: BTreeMap<(Vendor, &str), PairWeight> = BTreeMap::new();
    for f in findings {
        let w = weight(f.severity);
        let e = pairs.entry((f.vendor, f.path.as_str())).or_default();
        e.0 += w;
        *e.1.entry(f.category).or_default() += w;
    }
    let mut by_vendor: BTreeMap<Vendor, f64> = BTreeMap::new();
    let mut by_file: BTreeMap<&str, f64> = BTreeMap::new();
    let mut by_category: BTreeMap<Category, f64> = BTreeMap::new();
    let mut total = 0.0;
    for ((vendor, path), (w, cats)) in &pairs {
        let cost = file_cost(*w);
        total += cost;
        *by_vendor.entry(*vendor).or_default() += cost;
        *by_file.entry(path).or_default() += cost;
        for (cat, cw) in cats {
            *by_category.entry(*cat).or_default() += cost * cw / w;
        }
    }
    // Each distinct vendor-only feature costs its weight once more, outside the per-file cap:
    // replacing it needs a system of your own, however contained the calls are. The cost is
    // shared by the files that use the feature.
    let mut features: BTreeMap<(Vendor, &str), (Severity, BTreeSet<&str>)> = BTreeMap::new();
    for f in findings
        .iter()
        .filter(|f| f.category == Category::ProprietaryFeature)
    {
        let e = features
            .entry((f.vendor, f.rule_id.as_str()))
            .or_insert((f.severity, BTreeSet::new()));
        e.0 = e.0.max(f.severity);
        e.1.insert(f.path.as_str());
    }
    for ((vendor, _), (sev, files)) in &features {
        let cost = weight(*sev);
        total += cost;
        *by_vendor.entry(*vendor).or_default() += cost;
        *by_category.entry(Category::ProprietaryFeature).or_default() += cost;
        for path in files {
            *by_file.entry(path).or_default() += cost / files.len() as f64;
        }
    }
    let exact = 100.0 * HALF_SCORE_PENALTY / (HALF_SCORE_PENALTY + total);
    let coupling_value = exact.round() as u32;
    let lost = 100 - coupling_value;
    let relief = if portable_clients > 0 {
        RESILIENCE_SHARE * total
    } else {
        0.0
    };
    let value = (100.0 * HALF_SCORE_PENALTY / (HALF_SCORE_PENALTY + total - relief)).round() as u32;
    let resilience = Resilience {
        portable_clients,
        relief: round2(relief),
        points: value.saturating_sub(coupling_value),
    };

    let count = |pred: &dyn Fn(&Finding) -> bool| findings.iter().filter(|f| pred(f)).count();
    let vendor_points = apportion(lost, by_vendor.values().copied().collect());
    let vendors = by_vendor
        .iter()
        .zip(vendor_points)
        .map(|((v, p), points)| VendorPart {
            vendor: *v,
            findings: count(&|f| f.vendor == *v),
            files: pairs.keys().filter(|(pv, _)| pv == v).count(),
            penalty: round2(*p),
            points,
        })
        .collect();
    let category_points = apportion(lost, by_category.values().copied().collect());
    let categories = by_category
        .iter()
        .zip(category_points)
        .map(|((c, p), points)| CategoryPart {
            category: *c,
            findings: count(&|f| f.category == *c),
            penalty: round2(*p),
            points,
        })
        .collect();
    let file_points = apportion(lost, by_file.values().copied().collect());
    let mut files: Vec<FilePart> = by_file
        .iter()
        .zip(file_points)
        .map(|((path, p), points)| FilePart {
            path: (*path).to_string(),
            findings: count(&|f| f.path == *path),
            penalty: round2(*p),
            points,
        })
        .collect();
    // Most costly first; ties by path.
    files.sort_by(|a, b| {
        b.penalty
            .total_cmp(&a.penalty)
            .then_with(|| a.path.cmp(&b.path))
    });
    Score {
        value,
        grade: grade(value),
        penalty: round2(total),
        by_vendor: vendors,
        by_category: categories,
        by_file: files,
        resilience,
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Splits `total` integer points in proportion to `shares` so that they add up exactly
/// (largest remainder; ties go to the earlier share, so the split is deterministic).
fn apportion(total: u32, shares: Vec<f64>) -> Vec<u32> {
    let sum: f64 = shares.iter().sum();
    if sum <= 0.0 || shares.is_empty() {
        return vec![0; shares.len()];
    }
    let exact: Vec<f64> = shares.iter().map(|s| f64::from(total) * s / sum).collect();
    let mut out: Vec<u32> = exact.iter().map(|e| e.floor() as u32).collect();
    let mut left = total.saturating_sub(out.iter().sum());
    let mut order: Vec<usize> = (0..exact.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = exact[a] - exact[a].floor();
        let rb = exact[b] - exact[b].floor();
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for i in order {
        if left == 0 {
            break;
        }
        out[i] += 1;
        left -= 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(path: &str, vendor: Vendor, category: Category, severity: Severity) -> Finding {
        Finding {
            rule_id: format!("{vendor}/x"),
            vendor,
            category,
            severity,
            path: path.into(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 2,
            message: String::new(),
            hint: String::new(),
            snippet: String::new(),
            via: None,
            fingerprint: String::new(),
            matched: String::new(),
            function: None,
            cell: None,
            cell_line: None,
        }
    }

    fn score_of(findings: &[Finding]) -> Score {
        score(findings, 0)
    }

    fn calls(files: usize, per_file: usize) -> Vec<Finding> {
        let mut out = Vec::new();
        for f in 0..files {
            for _ in 0..per_file {
                out.push(finding(
                    &format!("f{f}.py"),
                    Vendor::Openai,
                    Category::SdkCall,
                    Severity::Medium,
                ));
            }
        }
        out
    }

    #[test]
    fn no_findings_is_a_perfect_score() {
        let s = score_of(&[]);
        assert_eq!((s.value, s.grade), (100, "A"));
        assert!(s.by_vendor.is_empty());
    }

    #[test]
    fn containment_beats_spread() {
        let contained = score_of(&calls(1, 40));
        let spread = score_of(&calls(40, 1));
        assert!(
            contained.value > spread.value + 30,
            "{} vs {}",
            contained.value,
            spread.value
        );
    }

    #[test]
    fn more_or_wider_coupling_never_raises_the_score() {
        let mut findings = Vec::new();
        let mut last = score_of(&findings).value;
        let sevs = [Severity::Low, Severity::Medium, Severity::High];
        for i in 0..60 {
            findings.push(finding(
                &format!("f{}.py", i % 7),
                Vendor::ALL[i % 3],
                Category::SdkCall,
                sevs[i % 3],
            ));
            let now = score_of(&findings).value;
            assert!(now <= last, "score rose from {last} to {now} at step {i}");
            last = now;
        }
    }

    #[test]
    fn vendor_only_features_weigh_more_than_chat_calls_even_contained() {
        let chat = calls(1, 6);
        let mut features = Vec::new();
        for _ in 0..6 {
            features.push(finding(
                "f0.py",
                Vendor::Openai,
                Category::ProprietaryFeature,
                Severity::High,
            ));
        }
        assert!(score_of(&chat).value > score_of(&features).value + 5);
    }

    #[test]
    fn the_breakdown_adds_up() {
        let mut findings = calls(3, 2);
        findings.push(finding(
            "a.ts",
            Vendor::Anthropic,
            Category::ModelId,
            Severity::Low,
        ));
        findings.push(finding(
            "a.ts",
            Vendor::Anthropic,
            Category::ProprietaryFeature,
            Severity::High,
        ));
        let s = score_of(&findings);
        let lost = 100 - s.value;
        assert_eq!(s.by_vendor.iter().map(|p| p.points).sum::<u32>(), lost);
        assert_eq!(s.by_category.iter().map(|p| p.points).sum::<u32>(), lost);
        assert_eq!(s.by_file.iter().map(|p| p.points).sum::<u32>(), lost);
        let pen: f64 = s.by_vendor.iter().map(|p| p.penalty).sum();
        assert!((pen - s.penalty).abs() < 0.05);
    }

    #[test]
    fn a_portable_path_is_its_own_term() {
        let findings = calls(4, 3);
        let without = score(&findings, 0);
        let with = score(&findings, 1);
        assert_eq!(without.resilience.points, 0);
        assert!(with.value > without.value);
        assert_eq!(with.value, without.value + with.resilience.points);
        // The coupling breakdown is the same; resilience is added on top.
        assert_eq!(with.by_vendor, without.by_vendor);
        assert_eq!(score(&[], 3).value, 100);
    }

    #[test]
    fn apportion_is_exact() {
        assert_eq!(apportion(10, vec![1.0, 1.0, 1.0]), vec![4, 3, 3]);
        assert_eq!(apportion(0, vec![1.0]), vec![0]);
        assert_eq!(apportion(7, vec![]), Vec::<u32>::new());
    }
}
