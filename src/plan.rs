//! The migration plan: per vendor, work items grouped by what has to change, each with its
//! files, number of sites, an effort estimate and the portable target. Pure.
//!
//! Effort, from the item's sites (findings) and files:
//! - S: at most 5 sites in at most 2 files;
//! - M: at most 25 sites in at most 8 files;
//! - L: anything larger.
//!
//! Replacing a vendor-only feature is one step harder (S becomes M, M becomes L): it needs a
//! replacement system, not just an edit.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::finding::Finding;
use crate::rules::{Category, Registry, Vendor};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Effort {
    S,
    M,
    L,
}

impl Effort {
    pub fn of(sites: usize, files: usize) -> Effort {
        if sites <= 5 && files <= 2 {
            Effort::S
        } else if sites <= 25 && files <= 8 {
            Effort::M
        } else {
            Effort::L
        }
    }

    fn harder(self) -> Effort {
        match self {
            Effort::S => Effort::M,
            _ => Effort::L,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VendorPlan {
    pub vendor: Vendor,
    pub items: Vec<PlanItem>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlanItem {
    /// `configuration`, `adapter`, `tools`, `prompts` or `feature`.
    pub kind: &'static str,
    pub title: String,
    pub effort: Effort,
    pub sites: usize,
    pub files: Vec<String>,
    pub rules: Vec<String>,
    /// The portable target.
    pub target: String,
}

const OPEN_MODELS: &str = "an open-weight model (Kimi K2, Llama 4, Qwen3, DeepSeek, Mistral)";

pub fn plan(findings: &[Finding], reg: &Registry) -> Vec<VendorPlan> {
    let mut by_vendor: BTreeMap<Vendor, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        by_vendor.entry(f.vendor).or_default().push(f);
    }
    by_vendor
        .into_iter()
        .map(|(vendor, fs)| VendorPlan {
            vendor,
            items: items(&fs, reg),
        })
        .collect()
}

fn items(fs: &[&Finding], reg: &Registry) -> Vec<PlanItem> {
    let pick = |cats: &[Category]| -> Vec<&Finding> {
        fs.iter()
            .copied()
            .filter(|f| cats.contains(&f.category))
            .collect()
    };
    let mut out = Vec::new();
    let mut push =
        |kind: &'static str, title: String, group: Vec<&Finding>, target: String, harder: bool| {
            if group.is_empty() {
                return;
            }
            let files: BTreeSet<String> = group.iter().map(|f| f.path.clone()).collect();
            let rules: BTreeSet<String> = group.iter().map(|f| f.rule_id.clone()).collect();
            let mut effort = Effort::of(group.len(), files.len());
            if harder {
                effort = effort.harder();
            }
            out.push(PlanItem {
                kind,
                title,
                effort,
                sites: group.len(),
                files: files.into_iter().collect(),
                rules: rules.into_iter().collect(),
                target,
            });
        };

    push(
        "configuration",
        "Move model ids, endpoints and credentials to configuration".into(),
        pick(&[Category::ModelId, Category::Endpoint, Category::Credential]),
        format!(
            "LLM_MODEL, LLM_BASE_URL and LLM_API_KEY read in one settings module, naming {OPEN_MODELS} where it fits"
        ),
        false,
    );
    let calls = pick(&[Category::SdkCall]);
    let call_files: BTreeSet<&str> = calls.iter().map(|f| f.path.as_str()).collect();
    let adapter_title = if call_files.len() > 1 {
        format!(
            "Introduce one adapter module for the {} SDK calls spread over {} files, and swap the SDK inside it",
            calls.len(),
            call_files.len()
        )
    } else {
        "Swap the vendor SDK for an OpenAI-compatible client behind your own interface".to_string()
    };
    push(
        "adapter",
        adapter_title,
        pick(&[Category::SdkCall, Category::SdkImport, Category::Dependency]),
        format!(
            "an interface of your own, implemented by an OpenAI-compatible client pointed at a configurable endpoint (vLLM, SGLang, Ollama or TGI) serving {OPEN_MODELS}"
        ),
        false,
    );
    push(
        "tools",
        "Convert tool definitions and tool-call handling to one neutral format".into(),
        pick(&[Category::ToolCalling]),
        "tools defined once as neutral JSON Schema (name, description, parameters) and converted to the provider's format, and tool calls read into your own type, at one edge".into(),
        false,
    );
    push(
        "prompts",
        "Rewrite vendor-specific prompt formats as role-based messages".into(),
        pick(&[Category::PromptFormat]),
        "structured role-based messages; the serving stack applies each model's chat template"
            .into(),
        false,
    );
    let mut features: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in fs
        .iter()
        .filter(|f| f.category == Category::ProprietaryFeature)
    {
        features.entry(f.rule_id.as_str()).or_default().push(f);
    }
    for (rule_id, group) in features {
        let (title, target) = match reg.rule(rule_id) {
            Some(r) => (
                format!(
                    "Replace a vendor-only feature: {}",
                    r.message.replace(" `{match}`", "").replace("{match}", "")
                ),
                r.hint.clone(),
            ),
            None => (
                format!("Replace a vendor-only feature ({rule_id})"),
                group[0].hint.clone(),
            ),
        };
        push("feature", title, group, target, true);
    }
    out.sort_by(|a, b| {
        a.effort
            .cmp(&b.effort)
            .then(b.sites.cmp(&a.sites))
            .then(a.title.cmp(&b.title))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effort_rule() {
        assert_eq!(Effort::of(5, 2), Effort::S);
        assert_eq!(Effort::of(6, 1), Effort::M);
        assert_eq!(Effort::of(25, 8), Effort::M);
        assert_eq!(Effort::of(3, 9), Effort::L);
        assert_eq!(Effort::S.harder(), Effort::M);
        assert_eq!(Effort::M.harder(), Effort::L);
    }
}
