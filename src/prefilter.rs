//! The literal prefilter: one Aho-Corasick automaton over the words each rule needs to see in a
//! file before it can fire. One pass over the text gives the file's live rules; only those are
//! matched, and a source file with no live rule is not parsed at all.
//!
//! The words are derived from the rules, never written by hand:
//! - import, call and member patterns need their root module's name (an import of it must be in
//!   the file); `?`-rooted patterns need one of the pack's SDK module names;
//! - string regexes need a word of one of their literal prefixes (regex-syntax's extractor); a
//!   word is a run of letters, digits, `-` and `_`, which escapes in source text leave intact;
//! - env rules need the variable name, shapes their first key, queries the literals of their
//!   `#eq?` predicates.
//!
//! A rule for which no such word can be derived is live in every file (and then every file is
//! parsed). Files with a `lockin:` comment are always parsed, so that their suppressions are
//! checked.

use aho_corasick::AhoCorasick;
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Hir, HirKind};

use crate::rules::{PathPattern, Registry, Rule, RuleIdx};

/// The rules that can fire in one file: those whose words it contains.
#[derive(Clone, Debug)]
pub struct Live {
    rules: Vec<bool>,
}

impl Live {
    /// Every rule (no prefilter).
    pub fn all(n: usize) -> Live {
        Live {
            rules: vec![true; n],
        }
    }

    /// No rule (a file parsed for its outline alone).
    pub fn none(n: usize) -> Live {
        Live {
            rules: vec![false; n],
        }
    }

    pub fn contains(&self, rule: RuleIdx) -> bool {
        self.rules.get(rule).copied().unwrap_or(false)
    }

    pub fn any_of(&self, rules: &[RuleIdx]) -> bool {
        rules.iter().any(|r| self.contains(*r))
    }
}

pub struct Prefilter {
    /// `None`: disabled, every rule is live in every file.
    automaton: Option<AhoCorasick>,
    /// Conjunctions of words (automaton pattern ids), each making a rule live.
    needs: Vec<(Vec<usize>, RuleIdx)>,
    /// Rules no word can be derived for: live in every file.
    always: Vec<RuleIdx>,
    /// Pattern id of `lockin:`: a file with a suppression comment is parsed to check it.
    directive: usize,
    n_words: usize,
    n_rules: usize,
}

/// What a rule needs in a file's text: any one of several conjunctions of words.
pub type Needs = Vec<Vec<String>>;

impl Prefilter {
    pub fn new(reg: &Registry) -> Prefilter {
        let mut words: Vec<String> = vec!["lockin:".to_string()];
        let mut ids: std::collections::HashMap<String, usize> = Default::default();
        ids.insert("lockin:".to_string(), 0);
        let mut needs = Vec::new();
        let mut always = Vec::new();
        for (ri, rule) in reg.rules.iter().enumerate() {
            let Some(alternatives) = rule_needs(rule, reg) else {
                always.push(ri);
                continue;
            };
            for conj in alternatives {
                let conj: Vec<usize> = conj
                    .into_iter()
                    .map(|w| {
                        *ids.entry(w.clone()).or_insert_with(|| {
                            words.push(w);
                            words.len() - 1
                        })
                    })
                    .collect();
                needs.push((conj, ri));
            }
        }
        Prefilter {
            automaton: AhoCorasick::new(&words).ok(),
            needs,
            always,
            directive: 0,
            n_words: words.len(),
            n_rules: reg.rules.len(),
        }
    }

    /// A prefilter that lets every rule see every file (`--no-prefilter`).
    pub fn disabled(reg: &Registry) -> Prefilter {
        Prefilter {
            automaton: None,
            needs: Vec::new(),
            always: Vec::new(),
            directive: 0,
            n_words: 0,
            n_rules: reg.rules.len(),
        }
    }

    /// The rules that can fire in `text`, or `None` when none can and the file has no
    /// suppression comment: it need not be parsed.
    pub fn live(&self, text: &str) -> Option<Live> {
        let Some(ac) = &self.automaton else {
            return Some(Live::all(self.n_rules));
        };
        let mut seen = vec![false; self.n_words];
        let mut any = false;
        for m in ac.find_overlapping_iter(text) {
            seen[m.pattern().as_usize()] = true;
            any = true;
        }
        let mut rules = vec![false; self.n_rules];
        let mut parse = seen[self.directive];
        for r in &self.always {
            rules[*r] = true;
            parse = true;
        }
        if any {
            for (conj, r) in &self.needs {
                if !rules[*r] && conj.iter().all(|w| seen[*w]) {
                    rules[*r] = true;
                    parse = true;
                }
            }
        }
        parse.then_some(Live { rules })
    }

    /// Whether any rule can fire in `text` (or it must be parsed for a suppression comment).
    pub fn passes(&self, text: &str) -> bool {
        self.live(text).is_some()
    }

    /// Whether some file can be skipped at all: every rule has words.
    pub fn is_active(&self) -> bool {
        self.automaton.is_some() && self.always.is_empty()
    }
}

/// What one rule needs in a file before it can fire (any one of the conjunctions), or `None`
/// when nothing can be derived.
pub fn rule_needs(rule: &Rule, reg: &Registry) -> Option<Needs> {
    let m = &rule.matcher;
    let mut out: Needs = Vec::new();
    let pack_modules = || -> Option<Needs> {
        let names: Needs = reg
            .pack_for(rule.vendor)
            .flat_map(|p| p.modules.iter())
            .filter_map(|p| p.root_name().map(|n| vec![n.to_string()]))
            .collect();
        (!names.is_empty()).then_some(names)
    };
    let mut paths: Needs = Vec::new();
    for p in m.calls.iter().chain(&m.members) {
        paths.extend(pattern_needs(p, rule, reg, &pack_modules)?);
    }
    // A call rule with argument names needs one of them too.
    if m.args.is_empty() {
        out.extend(paths);
    } else {
        for conj in paths {
            for arg in &m.args {
                let mut c = conj.clone();
                c.push(arg.clone());
                out.push(c);
            }
        }
    }
    for p in &m.imports {
        out.extend(pattern_needs(p, rule, reg, &pack_modules)?);
    }
    for r in &m.strings {
        out.extend(regex_words(r.as_str())?.into_iter().map(|w| vec![w]));
    }
    out.extend(
        m.env
            .iter()
            .map(|e| vec![e.as_str().trim_end_matches('*').to_string()]),
    );
    for shape in &m.shapes {
        // Every key and every required value must be in the file.
        let all: Vec<String> = shape
            .keys
            .iter()
            .cloned()
            .chain(shape.equals.iter().map(|(_, v)| v.clone()))
            .collect();
        out.push(all);
    }
    for text in m.query_text.values() {
        let conj = query_words(text);
        if conj.is_empty() {
            return None;
        }
        out.push(conj);
    }
    // Manifests are read whatever their content; dependency rules need no word.
    for conj in &mut out {
        conj.sort();
        conj.dedup();
        if conj.is_empty() || conj.iter().any(|w| w.is_empty()) {
            return None;
        }
    }
    Some(out)
}

/// The words of the needs of a rule, sorted (for `explain` and the tests).
pub fn rule_words(rule: &Rule, reg: &Registry) -> Option<Vec<String>> {
    let mut words: Vec<String> = rule_needs(rule, reg)?.into_iter().flatten().collect();
    words.sort();
    words.dedup();
    Some(words)
}

/// A path pattern needs the names of the module it is rooted in (`google` and `genai` for
/// `google.genai.Client`, as every import of that module spells both); a `?`-rooted one needs
/// one of the pack's SDK modules.
fn pattern_needs(
    p: &PathPattern,
    rule: &Rule,
    reg: &Registry,
    pack_modules: &dyn Fn() -> Option<Needs>,
) -> Option<Needs> {
    if p.is_unknown_rooted() {
        return pack_modules();
    }
    let root = p.root_name()?;
    let names = p.leading_names();
    let module = reg
        .pack_for(rule.vendor)
        .flat_map(|pack| pack.modules.iter())
        .map(|m| m.leading_names())
        .filter(|m| !m.is_empty() && names.starts_with(m))
        .max_by_key(|m| m.len());
    Some(vec![match module {
        Some(m) => m.iter().map(|s| s.to_string()).collect(),
        None => vec![root.to_string()],
    }])
}

/// Words so common in code that they select nothing; a literal's other words are preferred.
const COMMON: &[&str] = &[
    "http", "https", "www", "com", "api", "id", "name", "type", "role", "text", "data", "code",
    "content", "model", "value", "key", "v1",
];

/// How selective a word is, roughly: its length, or 1 for words in `COMMON` and URL schemes.
fn quality(word: &str) -> usize {
    let lower = word.to_ascii_lowercase();
    if COMMON.contains(&lower.trim_end_matches([':', '/']))
        || lower.starts_with("http")
        || lower.starts_with("wss")
    {
        1
    } else {
        word.len()
    }
}

/// The worst word of a set of alternatives: the set is only as selective as it.
fn set_quality(words: &[String]) -> usize {
    words.iter().map(|w| quality(w)).min().unwrap_or(0)
}

/// The best word to look for in a file that contains `literal` somewhere in a string or name:
/// the literal itself when escapes cannot change it in source text, else its longest run of
/// `[A-Za-z0-9_-]` (avoiding words in `COMMON`).
fn best_word(literal: &str) -> Option<String> {
    let plain = literal
        .chars()
        .all(|c| (' '..='~').contains(&c) && !matches!(c, '\\' | '"' | '\'' | '`'));
    // (a URL's `://` is dropped: it can be written `:\/\/` in JS and JSON strings)
    let trimmed = literal.trim_start_matches([':', '/']);
    if plain && trimmed.len() >= 2 {
        return Some(trimmed.to_string());
    }
    let runs: Vec<&str> = literal
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .filter(|w| w.len() >= 2)
        .collect();
    runs.iter()
        .filter(|w| !COMMON.contains(&w.to_ascii_lowercase().as_str()))
        .max_by_key(|w| w.len())
        .or_else(|| runs.iter().max_by_key(|w| w.len()))
        .map(|w| w.to_string())
}

/// Words one of which every match of the regex contains; `None` when no such finite set is
/// found. Looks at the literals anywhere in the regex (not only its prefixes): a concatenation
/// needs what any one of its parts needs, so the most selective part is taken.
fn regex_words(regex: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::parse(regex).ok()?;
    let inner = needed(&hir);
    // Prefix extraction costs start-up time: only when the inner literals are poor.
    if inner.as_deref().is_some_and(|w| set_quality(w) >= 4) {
        return inner;
    }
    let prefix = prefix_words(&hir);
    [inner, prefix]
        .into_iter()
        .flatten()
        .max_by_key(|w| (set_quality(w), std::cmp::Reverse(w.len())))
}

/// What any match of `hir` must contain (one of the words), if a small set can be derived.
fn needed(hir: &Hir) -> Option<Vec<String>> {
    const MAX_WORDS: usize = 64;
    match hir.kind() {
        HirKind::Literal(lit) => best_word(&String::from_utf8_lossy(&lit.0)).map(|w| vec![w]),
        HirKind::Capture(c) => needed(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => needed(&r.sub),
        HirKind::Alternation(alts) => {
            let mut out = Vec::new();
            for a in alts {
                out.extend(needed(a)?);
            }
            out.sort();
            out.dedup();
            (out.len() <= MAX_WORDS).then_some(out)
        }
        HirKind::Concat(parts) => parts
            .iter()
            .filter_map(needed)
            .max_by_key(|w| (set_quality(w), std::cmp::Reverse(w.len()))),
        _ => None,
    }
}

/// One word per literal prefix of the regex; `None` when the prefixes are not a finite set.
fn prefix_words(hir: &Hir) -> Option<Vec<String>> {
    let mut seq = Extractor::new()
        .kind(ExtractKind::Prefix)
        .limit_total(10_000)
        .limit_class(16)
        .limit_repeat(16)
        .extract(hir);
    // Many prefixes (digits spelled out) are cut short until few remain.
    for n in [12, 10, 8, 7, 6, 5, 4, 3] {
        if seq.len().is_none_or(|len| len <= 64) {
            break;
        }
        seq.keep_first_bytes(n);
        seq.dedup();
    }
    let literals = seq.literals()?;
    if literals.is_empty() {
        return None;
    }
    let mut words: Vec<String> = literals
        .iter()
        .map(|lit| best_word(&String::from_utf8_lossy(lit.as_bytes())))
        .collect::<Option<_>>()?;
    words.sort();
    words.dedup();
    Some(words)
}

/// What a query needs: the literals of its `#eq?` predicates and a word of each `#match?`
/// regex, all of them. Only for a query of one pattern without alternations or quantifiers,
/// where every predicate must hold; for any other query nothing (it runs on every file).
fn query_words(query: &str) -> Vec<String> {
    let mut out = Vec::new();
    if !is_simple_query(query) {
        return out;
    }
    for (pred, literal) in predicates(query) {
        match pred {
            "#eq?" => out.push(literal),
            _ => {
                if let Some(words) = regex_words(&literal.replace("\\\"", "\""))
                    && let [one] = words.as_slice()
                {
                    out.push(one.clone());
                }
            }
        }
    }
    out
}

/// One top-level pattern, no `[...]` alternations and no `?`/`*`/`+` quantifiers (with which a
/// predicate on an absent capture holds vacuously): strings, comments and predicate names aside.
fn is_simple_query(query: &str) -> bool {
    let mut depth = 0usize;
    let mut patterns = 0;
    let mut chars = query.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                while let Some(s) = chars.next() {
                    match s {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            ';' => {
                for s in chars.by_ref() {
                    if s == '\n' {
                        break;
                    }
                }
            }
            '#' => {
                while chars
                    .peek()
                    .is_some_and(|s| !s.is_whitespace() && *s != ')')
                {
                    chars.next();
                }
            }
            '(' => {
                if depth == 0 {
                    patterns += 1;
                }
                depth += 1;
            }
            ')' => depth = depth.saturating_sub(1),
            '[' | '?' | '*' | '+' => return false,
            _ => {}
        }
    }
    patterns == 1
}

/// `(#eq? @k "messages")` / `(#match? @v "^x$")`: each predicate's name and string argument.
fn predicates(query: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for pred in ["#eq?", "#match?"] {
        let mut rest = query;
        while let Some(i) = rest.find(pred) {
            rest = &rest[i + pred.len()..];
            let Some(start) = rest.find('"') else { break };
            let body = &rest[start + 1..];
            // The string ends at the first quote not escaped with a backslash.
            let mut end = None;
            let mut escaped = false;
            for (j, c) in body.char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        end = Some(j);
                        break;
                    }
                    _ => escaped = false,
                }
            }
            let Some(end) = end else { break };
            out.push((pred, body[..end].to_string()));
            rest = &body[end..];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(re: &str) -> Vec<String> {
        regex_words(re).unwrap()
    }

    #[test]
    fn words_of_regexes() {
        assert_eq!(words(r"\n\n(Human|Assistant):"), ["Assistant", "Human"]);
        assert!(regex_words(r"^[a-z]+$").is_none());
        assert_eq!(words(r"^AIza[0-9A-Za-z_-]{35}$"), ["AIza"]);
        assert_eq!(
            words(r"^(https?|wss)://api\.openai\.com(/|$)"),
            ["api.openai.com"]
        );
        // The inner literals beat a prefix of URL schemes.
        assert_eq!(
            words(r"^https://[a-z0-9-]+\.(openai\.azure\.com|services\.ai\.azure\.com)(/|$)"),
            ["openai.azure.com", "services.ai.azure.com"]
        );
        assert_eq!(words(r"\[/?INST\]"), ["INST]"]);
        assert_eq!(best_word("\n\nHuman:").as_deref(), Some("Human"));
    }

    #[test]
    fn words_of_queries() {
        let q = r#"((x) @k (#eq? @k "messages") (#match? @v "^[\"']assistant[\"']$") (#eq? @r "role"))"#;
        let mut w = query_words(q);
        w.sort();
        assert_eq!(w, ["assistant", "messages", "role"]);
        // Alternations, quantifiers and several patterns need nothing (run everywhere).
        assert!(query_words(r#"[(a) (b)] @match (#eq? @match "x")"#).is_empty());
        assert!(query_words(r#"((a)? @k (#eq? @k "x")) @match"#).is_empty());
        assert!(query_words(r#"((a) @k (#eq? @k "x")) ((b) @match)"#).is_empty());
        assert!(
            !query_words(
                r#"; a comment with ? and [
((a) @k (#eq? @k "x?[")) @match"#
            )
            .is_empty()
        );
    }
}
