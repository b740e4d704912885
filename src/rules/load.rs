//! Rule packs: TOML text -> compiled rules, with every mistake reported as a miette error that
//! names the file, the line and the field.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use super::{
    Category, ClientSpec, EnvPattern, HostPattern, Matcher, ModelInfo, ModelStatus, Pack,
    PathPattern, Rule, Severity, Shape, Vendor,
};
use crate::error::Error;
use crate::lang::{Language, RuleLang};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
}

/// The text of one pack and the name it is reported under.
#[derive(Clone, Debug)]
pub struct PackSource {
    pub name: String,
    pub text: String,
    /// Compiled into the binary (and tested): its tree-sitter queries are compiled on first
    /// use instead of at start-up.
    pub embedded: bool,
}

/// The packs compiled into the binary, in file-name order.
pub fn embedded_sources() -> Vec<PackSource> {
    embedded::PACKS
        .iter()
        .map(|(name, text)| PackSource {
            name: format!("rules/{name}"),
            text: (*text).to_string(),
            embedded: true,
        })
        .collect()
}

/// Reads every `*.toml` file of a `--rules` directory, in file-name order.
pub fn dir_sources(dir: &Path) -> Result<Vec<PackSource>, Error> {
    let io_err = |source| Error::RulesDir {
        path: dir.display().to_string(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_err)? {
        let path = entry.map_err(io_err)?.path();
        if path.extension().is_some_and(|e| e == "toml") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).map_err(io_err)?;
            Ok(PackSource {
                name: path.display().to_string(),
                text,
                embedded: false,
            })
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    pack: RawHeader,
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    vendor: Vendor,
    name: String,
    docs: Option<String>,
    #[serde(default)]
    modules: Vec<Spanned<String>>,
    #[serde(default)]
    hosts: Vec<Spanned<String>>,
    #[serde(default)]
    clients: Vec<RawClient>,
    #[serde(default)]
    models: Vec<RawModel>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    id: Spanned<String>,
    status: ModelStatus,
    date: Spanned<String>,
    successor: Option<String>,
    /// Where the lifecycle was announced.
    #[allow(dead_code)]
    source: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClient {
    constructors: Vec<Spanned<String>>,
    #[serde(default)]
    base_url: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    vendor: Option<Vendor>,
    category: Category,
    severity: Severity,
    languages: Spanned<Vec<RuleLang>>,
    message: String,
    hint: String,
    why: String,
    docs: Option<String>,
    #[serde(default)]
    example: BTreeMap<RuleLang, String>,
    #[serde(default)]
    instead: BTreeMap<RuleLang, String>,
    #[serde(default)]
    supersedes: Vec<Spanned<String>>,
    #[serde(default)]
    redact: bool,
    #[serde(rename = "match")]
    matcher: Spanned<RawMatch>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatch {
    #[serde(default)]
    import: Vec<Spanned<String>>,
    #[serde(default)]
    call: Vec<Spanned<String>>,
    #[serde(default)]
    arg: Vec<String>,
    #[serde(default)]
    member: Vec<Spanned<String>>,
    #[serde(default)]
    string: Vec<Spanned<String>>,
    #[serde(default)]
    env: Vec<String>,
    #[serde(default)]
    shape: Vec<RawShape>,
    #[serde(default)]
    query: BTreeMap<RuleLang, Spanned<String>>,
    #[serde(default)]
    dependency: Vec<String>,
    #[serde(default)]
    resource: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShape {
    keys: Vec<String>,
    #[serde(default)]
    equals: BTreeMap<String, String>,
}

/// The compiled content of a set of packs.
pub struct Loaded {
    pub rules: Vec<Rule>,
    pub packs: Vec<Pack>,
    pub clients: Vec<ClientSpec>,
    pub hosts: Vec<HostPattern>,
    pub models: HashMap<String, ModelInfo>,
    /// A hash of every pack's name and text: changes when any rule does.
    pub fingerprint: u128,
}

/// Compiles packs in order. Rule ids must be unique across all of them.
pub fn load_packs(sources: &[PackSource]) -> Result<Loaded, Error> {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for s in sources {
        for part in [&s.name, &s.text] {
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
    }
    let mut out = Loaded {
        rules: Vec::new(),
        packs: Vec::new(),
        clients: Vec::new(),
        hosts: Vec::new(),
        models: HashMap::new(),
        fingerprint: hasher.digest128(),
    };
    let mut seen: HashMap<String, String> = HashMap::new();
    for src in sources {
        load_one(src, &mut out, &mut seen)?;
    }
    Ok(out)
}

fn load_one(
    src: &PackSource,
    out: &mut Loaded,
    seen: &mut HashMap<String, String>,
) -> Result<(), Error> {
    let text = &src.text;
    let err = |span: Range<usize>, message: String, label: &str, help: Option<String>| {
        Error::pack(&src.name, text, span, message, label, help)
    };
    let raw: RawPack = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        let message = e.message().trim().to_string();
        err(
            span,
            format!("invalid rule pack: {message}"),
            "here",
            Some("see docs/rules.md for the pack format; every key is listed there".to_string()),
        )
    })?;
    let header = raw.pack;
    let modules = header
        .modules
        .iter()
        .map(|m| {
            PathPattern::parse_module(m.get_ref()).map_err(|e| {
                err(
                    m.span(),
                    format!("invalid `pack.modules` entry: {e}"),
                    "this module",
                    None,
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    for h in &header.hosts {
        let host = h.get_ref();
        let bare = host.strip_prefix("*.").unwrap_or(host);
        if bare.is_empty() || bare.contains(['/', ':', '*', ' ']) {
            return Err(err(
                h.span(),
                format!("invalid `pack.hosts` entry `{host}`"),
                "not a host name",
                Some(
                    "write a bare host (`api.openai.com`) or a suffix (`*.openai.azure.com`)"
                        .into(),
                ),
            ));
        }
        out.hosts.push(HostPattern {
            pattern: host.to_ascii_lowercase(),
            vendor: header.vendor,
        });
    }
    for c in &header.clients {
        let constructors = c
            .constructors
            .iter()
            .map(|p| {
                PathPattern::parse(p.get_ref()).map_err(|e| {
                    err(
                        p.span(),
                        format!("invalid `pack.clients.constructors` pattern: {e}"),
                        "this pattern",
                        None,
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        out.clients.push(ClientSpec {
            vendor: header.vendor,
            constructors,
            base_url: c.base_url.clone(),
        });
    }
    for m in &header.models {
        let date = m.date.get_ref();
        let valid = date.len() == 10
            && date.chars().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    c == '-'
                } else {
                    c.is_ascii_digit()
                }
            });
        if !valid {
            return Err(err(
                m.date.span(),
                format!("invalid `pack.models.date` `{date}`"),
                "not YYYY-MM-DD",
                None,
            ));
        }
        let info = ModelInfo {
            status: m.status,
            date: date.clone(),
            successor: m.successor.clone(),
        };
        if out.models.insert(m.id.get_ref().clone(), info).is_some() {
            return Err(err(
                m.id.span(),
                format!("model `{}` is described twice", m.id.get_ref()),
                "again here",
                None,
            ));
        }
    }
    out.packs.push(Pack {
        file: src.name.clone(),
        vendor: header.vendor,
        name: header.name,
        docs: header.docs,
        modules,
    });

    for r in raw.rule {
        let vendor = r.vendor.unwrap_or(header.vendor);
        let id = r.id.get_ref().clone();
        check_id(&id, vendor)
            .map_err(|(msg, help)| err(r.id.span(), msg, "this id", Some(help)))?;
        if let Some(first) = seen.insert(id.clone(), src.name.clone()) {
            return Err(err(
                r.id.span(),
                format!("duplicate rule id `{id}`"),
                "defined again here",
                Some(format!(
                    "`{id}` is already defined in {first}; rule ids are unique across all packs"
                )),
            ));
        }
        if r.languages.get_ref().is_empty() {
            return Err(err(
                r.languages.span(),
                format!("rule `{id}` has no `languages`"),
                "empty",
                None,
            ));
        }
        let matcher = compile_match(&r.matcher, r.languages.get_ref(), src.embedded, &err)?;
        out.rules.push(Rule {
            id,
            vendor,
            category: r.category,
            severity: r.severity,
            languages: r.languages.into_inner(),
            message: r.message.trim().to_string(),
            hint: r.hint.trim().to_string(),
            why: r.why.trim().to_string(),
            docs: r
                .docs
                .or_else(|| out.packs.last().and_then(|p| p.docs.clone())),
            example: r.example,
            instead: r.instead,
            supersedes: r.supersedes.into_iter().map(Spanned::into_inner).collect(),
            redact: r.redact,
            matcher,
            pack: src.name.clone(),
        });
    }
    Ok(())
}

/// Rule ids are `vendor/name`: the rule's vendor, a slash, lowercase words joined by `-`.
fn check_id(id: &str, vendor: Vendor) -> Result<(), (String, String)> {
    let help = format!(
        "write it as `{}/<name>` with lowercase letters, digits and `-`",
        vendor.id()
    );
    let Some((v, name)) = id.split_once('/') else {
        return Err((
            format!("rule id `{id}` is not of the form `vendor/name`"),
            help,
        ));
    };
    if v != vendor.id() {
        return Err((
            format!(
                "rule id `{id}` starts with `{v}` but the rule's vendor is `{}`",
                vendor.id()
            ),
            help,
        ));
    }
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !ok {
        return Err((format!("rule id `{id}` has an invalid name part"), help));
    }
    Ok(())
}

fn compile_match<E>(
    raw: &Spanned<RawMatch>,
    languages: &[RuleLang],
    lazy_queries: bool,
    err: &E,
) -> Result<Matcher, Error>
where
    E: Fn(Range<usize>, String, &str, Option<String>) -> Error,
{
    let m = raw.get_ref();
    let path_list = |list: &[Spanned<String>], field: &str, module: bool| {
        list.iter()
            .map(|p| {
                let parsed = if module {
                    PathPattern::parse_module(p.get_ref())
                } else {
                    PathPattern::parse(p.get_ref())
                };
                parsed.map_err(|e| {
                    err(
                        p.span(),
                        format!("invalid `match.{field}` pattern: {e}"),
                        "this pattern",
                        Some("see \"Path patterns\" in docs/rules.md".into()),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()
    };
    let imports = path_list(&m.import, "import", true)?;
    let calls = path_list(&m.call, "call", false)?;
    let members = path_list(&m.member, "member", false)?;
    for (p, raw) in members.iter().zip(&m.member) {
        if p.last_name().is_none() {
            return Err(err(
                raw.span(),
                "a `match.member` pattern must end in a name".into(),
                "ends in a wildcard, call or subscript",
                None,
            ));
        }
    }
    if !m.arg.is_empty() && calls.is_empty() {
        return Err(err(
            raw.span(),
            "`match.arg` needs `match.call`: it names arguments of the matched calls".into(),
            "in this matcher",
            None,
        ));
    }
    let strings = m
        .string
        .iter()
        .map(|s| {
            regex::Regex::new(s.get_ref()).map_err(|e| {
                err(
                    s.span(),
                    "invalid regex in `match.string`".into(),
                    "this regex",
                    Some(e.to_string()),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let shapes = m
        .shape
        .iter()
        .map(|s| Shape {
            keys: s.keys.clone(),
            equals: s
                .equals
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        })
        .collect::<Vec<_>>();
    if shapes.iter().any(|s| s.keys.is_empty()) {
        return Err(err(
            raw.span(),
            "a `match.shape` needs at least one key".into(),
            "in this matcher",
            None,
        ));
    }
    let mut queries = Vec::new();
    let mut resources = Vec::new();
    for r in &m.resource {
        resources.push(ResourcePattern::parse(r.get_ref()).map_err(|e| {
            err(
                r.span(),
                "invalid `match.resource` pattern".into(),
                "this pattern",
                Some(e),
            )
        })?);
    }
    let needs_manifest = !m.dependency.is_empty() || !m.resource.is_empty();
    if needs_manifest && !languages.contains(&RuleLang::Manifest) {
        return Err(err(
            raw.span(),
            "`match.dependency` and `match.resource` need `manifest` in the rule's `languages`"
                .into(),
            "in this matcher",
            None,
        ));
    }
    for (rl, text) in &m.query {
        if !languages.contains(rl) {
            return Err(err(
                text.span(),
                format!(
                    "`match.query.{}` is for a language the rule does not declare",
                    rl.name()
                ),
                "this query",
                None,
            ));
        }
        for lang in rl.languages() {
            let q = LazyQuery::new(*lang, text.get_ref());
            if !lazy_queries {
                q.compile().map_err(|e| {
                    err(
                        text.span(),
                        format!("invalid tree-sitter query in `match.query.{}`", rl.name()),
                        "this query",
                        Some(e),
                    )
                })?;
            }
            queries.push((*lang, Arc::new(q)));
        }
    }
    let matcher = Matcher {
        imports,
        calls,
        args: m.arg.clone(),
        members,
        strings,
        env: m.env.iter().map(|e| EnvPattern::new(e)).collect(),
        shapes,
        dependencies: m
            .dependency
            .iter()
            .map(|d| crate::analyze::manifest::normalise_package(d))
            .collect(),
        resources,
        query_text: m
            .query
            .iter()
            .map(|(k, v)| (*k, v.get_ref().clone()))
            .collect(),
        queries,
    };
    let empty = matcher.imports.is_empty()
        && matcher.calls.is_empty()
        && matcher.members.is_empty()
        && matcher.strings.is_empty()
        && matcher.env.is_empty()
        && matcher.shapes.is_empty()
        && matcher.dependencies.is_empty()
        && matcher.resources.is_empty()
        && matcher.queries.is_empty();
    if empty {
        return Err(err(
            raw.span(),
            "the rule's `match` table is empty".into(),
            "no matcher",
            Some(
                "give at least one of: import, call, member, string, env, shape, query, dependency, resource"
                    .into(),
            ),
        ));
    }
    Ok(matcher)
}

/// A Terraform resource type a rule looks for: `aws_bedrock*` (a prefix), `google_vertex_ai_endpoint`
/// (exact), optionally with an attribute the block must set: `azurerm_cognitive_account[kind=OpenAI]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourcePattern {
    pub name: String,
    pub prefix: bool,
    pub attribute: Option<(String, String)>,
}

impl ResourcePattern {
    pub fn parse(text: &str) -> Result<ResourcePattern, String> {
        let (head, attribute) = match text.split_once('[') {
            Some((head, rest)) => {
                let cond = rest
                    .strip_suffix(']')
                    .ok_or("an attribute condition is written `[name=value]`")?;
                let (k, v) = cond
                    .split_once('=')
                    .ok_or("an attribute condition is written `[name=value]`")?;
                (head, Some((k.trim().to_string(), v.trim().to_string())))
            }
            None => (text, None),
        };
        let name = head.trim_end_matches('*');
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(
                "a resource type is letters, digits and `_`, optionally ending in `*`".into(),
            );
        }
        Ok(ResourcePattern {
            name: name.to_string(),
            prefix: head.ends_with('*'),
            attribute,
        })
    }

    /// Whether a resource of type `kind` whose block sets `attrs` matches.
    pub fn matches(&self, kind: &str, attrs: &[(&str, &str)]) -> bool {
        let name_ok = if self.prefix {
            kind.starts_with(&self.name)
        } else {
            kind == self.name
        };
        name_ok
            && self
                .attribute
                .as_ref()
                .is_none_or(|(k, v)| attrs.iter().any(|(ak, av)| ak == k && av == v))
    }
}

/// A tree-sitter query compiled on first use (compiling costs milliseconds at start-up).
pub struct LazyQuery {
    lang: Language,
    text: String,
    compiled: std::sync::OnceLock<Result<tree_sitter::Query, String>>,
}

impl std::fmt::Debug for LazyQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LazyQuery")
            .field("lang", &self.lang)
            .field("text", &self.text)
            .finish()
    }
}

impl LazyQuery {
    pub fn new(lang: Language, text: &str) -> LazyQuery {
        LazyQuery {
            lang,
            text: text.to_string(),
            compiled: std::sync::OnceLock::new(),
        }
    }

    /// The query as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The compiled query, or why it does not compile.
    pub fn compile(&self) -> Result<&tree_sitter::Query, String> {
        self.compiled
            .get_or_init(|| {
                let q = tree_sitter::Query::new(&self.lang.grammar(), &self.text)
                    .map_err(|e| e.to_string())?;
                if q.capture_index_for_name("match").is_none() {
                    return Err("the query needs a `@match` capture: the node to report".into());
                }
                Ok(q)
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_patterns() {
        let p = ResourcePattern::parse("azurerm_cognitive_account[kind=OpenAI]").unwrap();
        assert!(p.matches("azurerm_cognitive_account", &[("kind", "OpenAI")]));
        assert!(!p.matches("azurerm_cognitive_account", &[("kind", "TextAnalytics")]));
        let p = ResourcePattern::parse("aws_bedrock*").unwrap();
        assert!(p.matches("aws_bedrockagent_agent", &[]));
        assert!(!p.matches("aws_s3_bucket", &[]));
        assert!(ResourcePattern::parse("aws bedrock").is_err());
        assert!(ResourcePattern::parse("x[kind]").is_err());
        assert!(ResourcePattern::parse("*").is_err());
    }

    fn load(text: &str) -> Result<Loaded, Error> {
        load_packs(&[PackSource {
            name: "test.toml".into(),
            text: text.into(),
            embedded: false,
        }])
    }

    const HEADER: &str = "[pack]\nvendor = \"openai\"\nname = \"OpenAI\"\n";

    fn rule(body: &str) -> String {
        format!(
            "{HEADER}[[rule]]\nid = \"openai/x\"\ncategory = \"sdk-call\"\nseverity = \"low\"\nlanguages = [\"python\"]\nmessage = \"m\"\nhint = \"h\"\nwhy = \"w\"\n{body}"
        )
    }

    fn message(e: Error) -> String {
        match e {
            Error::RulePack(e) => e.message,
            other => other.to_string(),
        }
    }

    #[test]
    fn the_embedded_packs_load() {
        let loaded = load_packs(&embedded_sources()).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(loaded.rules.len() >= 30);
    }

    #[test]
    fn a_valid_rule_loads() {
        let l = load(&rule("[rule.match]\ncall = [\"openai.OpenAI\"]\n")).unwrap();
        assert_eq!(l.rules[0].id, "openai/x");
    }

    #[test]
    fn mistakes_are_reported_with_their_field() {
        let cases = [
            (
                rule("[rule.match]\ncall = [\"a\"]\nbogus = 1\n"),
                "unknown field `bogus`",
            ),
            (
                rule("[rule.match]\nstring = [\"(\"]\n"),
                "invalid regex in `match.string`",
            ),
            (
                rule("[rule.match]\ncall = [\"a..b\"]\n"),
                "invalid `match.call` pattern",
            ),
            (rule("[rule.match]\n"), "`match` table is empty"),
            (
                rule("[rule.match]\narg = [\"x\"]\n"),
                "`match.arg` needs `match.call`",
            ),
            (
                rule("[rule.match]\nquery = { python = \"(call\" }\n"),
                "invalid tree-sitter query",
            ),
            (
                rule("[rule.match]\nquery = { python = \"(call)\" }\n"),
                "invalid tree-sitter query",
            ),
            (
                rule("[rule.match]\nquery = { javascript = \"(call_expression) @match\" }\n"),
                "does not declare",
            ),
            (
                rule("[rule.match]\ncall = [\"a\"]\n").replace("low", "urgent"),
                "unknown variant `urgent`",
            ),
            (
                rule("[rule.match]\ncall = [\"a\"]\n").replace("sdk-call", "vibes"),
                "unknown variant `vibes`",
            ),
            (
                rule("[rule.match]\ncall = [\"a\"]\n").replace("openai/x", "anthropic/x"),
                "rule's vendor is `openai`",
            ),
            (
                rule("[rule.match]\ncall = [\"a\"]\n").replace("openai/x", "openai/X Y"),
                "invalid name part",
            ),
            (
                rule("[rule.match]\ncall = [\"a\"]\n").replace("[\"python\"]", "[]"),
                "has no `languages`",
            ),
            (
                rule("[rule.match]\ncall = [\"a\"]\n").replace("message = \"m\"\n", ""),
                "missing field `message`",
            ),
        ];
        for (text, expected) in cases {
            let got = message(
                load(&text)
                    .err()
                    .unwrap_or_else(|| panic!("accepted:\n{text}")),
            );
            assert!(got.contains(expected), "expected {expected:?} in {got:?}");
        }
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let one = rule("[rule.match]\ncall = [\"a\"]\n");
        let two = format!("{one}{}", one.trim_start_matches(HEADER));
        assert!(message(load(&two).err().unwrap()).contains("duplicate rule id `openai/x`"));
    }
}
