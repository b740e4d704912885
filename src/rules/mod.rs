//! Rules: the closed vocabulary (vendor, category, severity), the compiled rule and the
//! registry that indexes every matcher for one pass over each syntax tree.

pub mod load;
pub mod pattern;
mod select;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

use regex::{Regex, RegexSet};
use serde::{Deserialize, Serialize};

use crate::lang::{Language, RuleLang};
pub use load::{PackSource, embedded_sources, load_packs};
pub use pattern::{PathPattern, Seg};
pub use select::Selector;

/// A hosted AI API provider. The vocabulary is closed: packs are checked against it when loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Vendor {
    Openai,
    Anthropic,
    Google,
    AwsBedrock,
    AzureOpenai,
    Cohere,
    Mistral,
    Groq,
    Xai,
}

impl Vendor {
    pub const ALL: [Vendor; 9] = [
        Vendor::Openai,
        Vendor::Anthropic,
        Vendor::Google,
        Vendor::AwsBedrock,
        Vendor::AzureOpenai,
        Vendor::Cohere,
        Vendor::Mistral,
        Vendor::Groq,
        Vendor::Xai,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Vendor::Openai => "openai",
            Vendor::Anthropic => "anthropic",
            Vendor::Google => "google",
            Vendor::AwsBedrock => "aws-bedrock",
            Vendor::AzureOpenai => "azure-openai",
            Vendor::Cohere => "cohere",
            Vendor::Mistral => "mistral",
            Vendor::Groq => "groq",
            Vendor::Xai => "xai",
        }
    }

    pub fn from_id(id: &str) -> Option<Vendor> {
        Vendor::ALL.into_iter().find(|v| v.id() == id)
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// What kind of coupling a finding is (SPEC "What is found").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    Dependency,
    SdkImport,
    SdkCall,
    ProprietaryFeature,
    ToolCalling,
    PromptFormat,
    ModelId,
    Endpoint,
    Credential,
}

impl Category {
    pub const ALL: [Category; 9] = [
        Category::Dependency,
        Category::SdkImport,
        Category::SdkCall,
        Category::ProprietaryFeature,
        Category::ToolCalling,
        Category::PromptFormat,
        Category::ModelId,
        Category::Endpoint,
        Category::Credential,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Category::Dependency => "dependency",
            Category::SdkImport => "sdk-import",
            Category::SdkCall => "sdk-call",
            Category::ProprietaryFeature => "proprietary-feature",
            Category::ToolCalling => "tool-calling",
            Category::PromptFormat => "prompt-format",
            Category::ModelId => "model-id",
            Category::Endpoint => "endpoint",
            Category::Credential => "credential",
        }
    }

    pub fn from_id(id: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.id() == id)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn id(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A dictionary/object literal shape: all `keys` present, and each `equals` key holding that
/// string value.
#[derive(Clone, Debug)]
pub struct Shape {
    pub keys: Vec<String>,
    pub equals: Vec<(String, String)>,
}

/// An environment-variable name, exact or with a trailing `*`.
#[derive(Clone, Debug)]
pub struct EnvPattern(String);

impl EnvPattern {
    pub fn new(text: &str) -> EnvPattern {
        EnvPattern(text.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn matches(&self, name: &str) -> bool {
        match self.0.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => name == self.0,
        }
    }
}

/// Everything one rule matches on; the kinds are alternatives (any one fires the rule).
#[derive(Clone, Debug, Default)]
pub struct Matcher {
    pub imports: Vec<PathPattern>,
    pub calls: Vec<PathPattern>,
    /// When set, the rule reports these keyword arguments / object keys of matching calls
    /// instead of the calls themselves.
    pub args: Vec<String>,
    pub members: Vec<PathPattern>,
    pub strings: Vec<Regex>,
    pub env: Vec<EnvPattern>,
    pub shapes: Vec<Shape>,
    /// Package names (normalised) declared in dependency manifests.
    pub dependencies: Vec<String>,
    /// Terraform resource types (infrastructure that provisions the vendor's service).
    pub resources: Vec<load::ResourcePattern>,
    /// Raw tree-sitter queries as written, by rule language.
    pub query_text: BTreeMap<RuleLang, String>,
    /// The same queries compiled for every grammar they apply to; each has a `@match` capture.
    pub queries: Vec<(Language, Arc<load::LazyQuery>)>,
}

/// One compiled rule.
#[derive(Clone, Debug)]
pub struct Rule {
    pub id: String,
    pub vendor: Vendor,
    pub category: Category,
    pub severity: Severity,
    pub languages: Vec<RuleLang>,
    pub message: String,
    pub hint: String,
    pub why: String,
    pub docs: Option<String>,
    pub example: BTreeMap<RuleLang, String>,
    pub instead: BTreeMap<RuleLang, String>,
    pub supersedes: Vec<String>,
    /// The matched text is a secret: never printed, masked in every snippet.
    pub redact: bool,
    pub matcher: Matcher,
    /// The pack file the rule came from (`openai.toml`, or a path for `--rules`).
    pub pack: String,
}

impl Rule {
    pub fn applies_to(&self, lang: Language) -> bool {
        self.languages.contains(&lang.rule_lang())
    }
}

/// How an SDK's client is built, so that calls through it can be attributed (SPEC
/// "Attribution follows how a client is built").
#[derive(Clone, Debug)]
pub struct ClientSpec {
    pub vendor: Vendor,
    pub constructors: Vec<PathPattern>,
    /// Keyword argument / option key names that set the endpoint.
    pub base_url: Vec<String>,
}

/// A vendor API host: exact (`api.openai.com`) or a suffix (`*.openai.azure.com`).
#[derive(Clone, Debug)]
pub struct HostPattern {
    pub pattern: String,
    pub vendor: Vendor,
}

impl HostPattern {
    pub fn matches(&self, host: &str) -> bool {
        match self.pattern.strip_prefix("*.") {
            Some(suffix) => host
                .strip_suffix(suffix)
                .is_some_and(|head| head.ends_with('.')),
            None => host == self.pattern,
        }
    }
}

/// What a pack knows about one model id: its lifecycle, with dates and the successor.
#[derive(Clone, Debug)]
pub struct ModelInfo {
    pub status: ModelStatus,
    /// The date the status takes effect (retirement or deprecation), `YYYY-MM-DD`.
    pub date: String,
    pub successor: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelStatus {
    Deprecated,
    Retired,
}

/// Whether a model id names a dated snapshot: a date or version suffix such as `-2024-08-06`,
/// `-20241022`, `-0613`, `-002`, `@20240620` or `-v1:0`.
pub fn is_pinned(id: &str) -> bool {
    static PINNED: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        Regex::new(r"(-(20\d{2}-\d{2}-\d{2}|20\d{6}|(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01]))(-|$|:)|-\d{3}$|@20\d{6}|-v\d+(:\d+)?$)")
            .expect("valid regex")
    });
    PINNED.is_match(id)
}

/// A pack's header.
#[derive(Clone, Debug)]
pub struct Pack {
    pub file: String,
    pub vendor: Vendor,
    pub name: String,
    pub docs: Option<String>,
    /// SDK modules of the vendor: a `?`-rooted pattern only applies in files importing one.
    pub modules: Vec<PathPattern>,
}

pub type RuleIdx = usize;

/// Every rule, compiled and indexed for one traversal per file. Built once, shared read-only
/// between threads.
pub struct Registry {
    pub rules: Vec<Rule>,
    pub packs: Vec<Pack>,
    pub clients: Vec<ClientSpec>,
    pub hosts: Vec<HostPattern>,
    pub(crate) imports: Vec<(RuleIdx, PathPattern)>,
    /// Call patterns by the module they are rooted in (`openai` for `openai.OpenAI`).
    pub(crate) calls_by_root: HashMap<String, Vec<(RuleIdx, PathPattern)>>,
    /// `?`-rooted call patterns, with the last name they require.
    pub(crate) calls_unknown: Vec<(RuleIdx, PathPattern, String)>,
    /// Patterns rooted in a wildcard: tried on every call.
    pub(crate) calls_any: Vec<(RuleIdx, PathPattern)>,
    pub(crate) members_by_name: HashMap<String, Vec<(RuleIdx, PathPattern)>>,
    pub(crate) strings: RegexSet,
    pub(crate) string_rules: Vec<RuleIdx>,
    pub(crate) env: Vec<(RuleIdx, EnvPattern)>,
    pub(crate) shapes: Vec<(RuleIdx, Shape)>,
    pub(crate) queries: [Vec<(RuleIdx, Arc<load::LazyQuery>)>; 4],
    /// Per query (same order): the node kind its matches are rooted in and the words inside
    /// such a node, where they can be derived (`prefilter::query_root`).
    pub(crate) query_roots: [Vec<Option<crate::prefilter::QueryRoot>>; 4],
    /// Manifest `dependency` rules by normalised package name.
    pub(crate) dependencies: HashMap<String, Vec<RuleIdx>>,
    /// Terraform resource patterns.
    pub(crate) resources: Vec<(RuleIdx, load::ResourcePattern)>,
    /// Constructor patterns by last name, for quick attribution checks.
    pub(crate) constructor_names: HashMap<String, Vec<usize>>,
    pub(crate) supersedes: Vec<Vec<RuleIdx>>,
    /// Ids of every loaded rule, selected or not (for suppression comments).
    pub known_ids: HashSet<String>,
    /// Model lifecycle data from the packs, by model id.
    pub models: HashMap<String, ModelInfo>,
    /// Identifies the rule set: the packs' texts, the selection and severity overrides (the
    /// result cache is only valid for the same one).
    pub fingerprint: String,
}

impl Registry {
    /// Indexes compiled rules; fails only if the string patterns together exceed the regex
    /// size limit.
    pub fn new(
        rules: Vec<Rule>,
        packs: Vec<Pack>,
        clients: Vec<ClientSpec>,
        hosts: Vec<HostPattern>,
        models: HashMap<String, ModelInfo>,
    ) -> Result<Registry, String> {
        let mut imports = Vec::new();
        let mut calls_by_root: HashMap<String, Vec<_>> = HashMap::new();
        let mut calls_unknown = Vec::new();
        let mut calls_any = Vec::new();
        let mut members_by_name: HashMap<String, Vec<_>> = HashMap::new();
        let mut string_patterns = Vec::new();
        let mut string_rules = Vec::new();
        let mut env = Vec::new();
        let mut shapes = Vec::new();
        let mut dependencies: HashMap<String, Vec<RuleIdx>> = HashMap::new();
        let mut resources = Vec::new();
        let mut queries: [Vec<(RuleIdx, Arc<load::LazyQuery>)>; 4] = Default::default();
        let mut query_roots: [Vec<Option<crate::prefilter::QueryRoot>>; 4] = Default::default();
        for (i, rule) in rules.iter().enumerate() {
            let m = &rule.matcher;
            imports.extend(m.imports.iter().map(|p| (i, p.clone())));
            for p in &m.calls {
                if let Some(root) = p.root_name() {
                    calls_by_root
                        .entry(root.to_string())
                        .or_default()
                        .push((i, p.clone()));
                } else if let (true, Some(key)) = (p.is_unknown_rooted(), p.key_name()) {
                    calls_unknown.push((i, p.clone(), key.to_string()));
                } else {
                    calls_any.push((i, p.clone()));
                }
            }
            for p in &m.members {
                // Loading guarantees member patterns end in a name.
                let n = p.last_name().unwrap_or_default().to_string();
                members_by_name.entry(n).or_default().push((i, p.clone()));
            }
            for r in &m.strings {
                string_patterns.push(r.as_str().to_string());
                string_rules.push(i);
            }
            env.extend(m.env.iter().map(|p| (i, p.clone())));
            shapes.extend(m.shapes.iter().map(|s| (i, s.clone())));
            resources.extend(m.resources.iter().map(|r| (i, r.clone())));
            for d in &m.dependencies {
                dependencies.entry(d.clone()).or_default().push(i);
            }
            for (lang, q) in &m.queries {
                queries[lang.index()].push((i, Arc::clone(q)));
                query_roots[lang.index()].push(crate::prefilter::query_root(q.text()));
            }
        }
        let strings = RegexSet::new(&string_patterns).map_err(|e| e.to_string())?;
        let mut constructor_names: HashMap<String, Vec<usize>> = HashMap::new();
        for (ci, c) in clients.iter().enumerate() {
            for p in &c.constructors {
                if let Some(n) = p.last_name() {
                    constructor_names.entry(n.to_string()).or_default().push(ci);
                }
            }
        }
        let by_id: HashMap<&str, usize> = rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        let supersedes = rules
            .iter()
            .map(|r| {
                r.supersedes
                    .iter()
                    .filter_map(|id| by_id.get(id.as_str()).copied())
                    .collect()
            })
            .collect();
        let known_ids = rules.iter().map(|r| r.id.clone()).collect();
        Ok(Registry {
            models,
            known_ids,
            fingerprint: String::new(),
            rules,
            packs,
            clients,
            hosts,
            imports,
            calls_by_root,
            calls_unknown,
            calls_any,
            members_by_name,
            strings,
            string_rules,
            env,
            shapes,
            dependencies,
            resources,
            queries,
            query_roots,
            constructor_names,
            supersedes,
        })
    }

    /// Rule ids close to a mistyped one, best first.
    pub fn suggest(&self, typo: &str) -> Vec<&str> {
        suggest(typo, self.rules.iter().map(|r| r.id.as_str()))
    }

    /// What a model-id finding says about the id: pinned or moving, and its lifecycle.
    pub fn model_note(&self, id: &str) -> String {
        // A router prefix (`anthropic/claude-...`) is not part of the vendor's id.
        let bare = id.rsplit('/').next().unwrap_or(id);
        let mut note = if is_pinned(bare) {
            "pinned snapshot".to_string()
        } else {
            "moving alias: the model behind it can change".to_string()
        };
        if let Some(info) = self.models.get(id).or_else(|| self.models.get(bare)) {
            let what = match info.status {
                ModelStatus::Deprecated => "deprecated, retiring",
                ModelStatus::Retired => "retired",
            };
            note.push_str(&format!("; {what} {}", info.date));
            if let Some(next) = &info.successor {
                note.push_str(&format!(", successor {next}"));
            }
        }
        note
    }

    /// Whether a suppression term names a known rule (selected or not), a vendor or a category.
    pub fn knows_term(&self, term: &str) -> bool {
        self.known_ids.contains(term)
            || Vendor::from_id(term).is_some()
            || Category::from_id(term).is_some()
    }

    /// Whether some rule that runs answers to the term.
    pub fn runs_term(&self, term: &str) -> bool {
        self.rules.iter().any(|r| {
            r.id == term
                || Vendor::from_id(term) == Some(r.vendor)
                || Category::from_id(term) == Some(r.category)
        })
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    pub fn pack_for(&self, vendor: Vendor) -> impl Iterator<Item = &Pack> {
        self.packs.iter().filter(move |p| p.vendor == vendor)
    }

    /// The vendor whose API host this is, if any pack claims it.
    pub fn vendor_of_host(&self, host: &str) -> Option<Vendor> {
        let host = host.to_ascii_lowercase();
        self.hosts
            .iter()
            .find(|h| h.matches(&host))
            .map(|h| h.vendor)
    }
}

/// Candidates within a small edit distance of `typo`, or containing its name part.
pub fn suggest<'a>(typo: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let name = typo.rsplit('/').next().unwrap_or(typo);
    let mut scored: Vec<(usize, &str)> = candidates
        .filter_map(|c| {
            let d = edit_distance(typo, c);
            let contains = name.len() >= 4 && c.contains(name);
            (d <= 3 || contains).then_some((if contains { d.min(2) } else { d }, c))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_close_matches() {
        let ids = ["openai/assistants-api", "openai/client", "anthropic/client"];
        assert_eq!(
            suggest("openai/assistant", ids.into_iter()),
            vec!["openai/assistants-api"]
        );
        assert_eq!(
            suggest("openai/clinet", ids.into_iter()),
            vec!["openai/client"]
        );
        assert!(suggest("zzz", ids.into_iter()).is_empty());
    }

    #[test]
    fn pinned_and_moving_model_ids() {
        for id in [
            "gpt-4o-2024-08-06",
            "claude-3-5-sonnet-20241022",
            "gpt-4-0613",
            "gemini-1.5-pro-002",
            "claude-3-5-sonnet@20240620",
            "anthropic.claude-3-haiku-20240307-v1:0",
            "gpt-4-1106-preview",
            "grok-2-1212",
        ] {
            assert!(is_pinned(id), "{id}");
        }
        for id in [
            "gpt-4o",
            "claude-3-7-sonnet-latest",
            "gemini-2.5-flash",
            "o3-mini",
            "gpt-4",
            "text-embedding-3-small",
            "claude-sonnet-4-5",
        ] {
            assert!(!is_pinned(id), "{id}");
        }
    }

    #[test]
    fn host_patterns() {
        let h = HostPattern {
            pattern: "*.openai.azure.com".into(),
            vendor: Vendor::AzureOpenai,
        };
        assert!(h.matches("acme.openai.azure.com"));
        assert!(!h.matches("openai.azure.com"));
        assert!(!h.matches("evilopenai.azure.com"));
        let h = HostPattern {
            pattern: "api.x.ai".into(),
            vendor: Vendor::Xai,
        };
        assert!(h.matches("api.x.ai"));
        assert!(!h.matches("api.x.ai.example.com"));
    }

    #[test]
    fn env_patterns() {
        assert!(EnvPattern::new("OPENAI_API_KEY").matches("OPENAI_API_KEY"));
        assert!(!EnvPattern::new("OPENAI_API_KEY").matches("OPENAI_API_KEY_2"));
        assert!(EnvPattern::new("ANTHROPIC_*").matches("ANTHROPIC_API_KEY"));
    }
}
