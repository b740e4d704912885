//! The literal prefilter: one Aho-Corasick automaton over words that every rule needs to see in
//! a file before it can fire. A source file containing none of them is not parsed at all.
//!
//! The words are derived from the rules, never written by hand:
//! - import, call and member patterns need their root module's name (an import of it must be in
//!   the file); `?`-rooted patterns need one of the pack's SDK module names;
//! - string regexes need a word of one of their literal prefixes (regex-syntax's extractor); a
//!   word is a run of letters, digits, `-` and `_`, which escapes in source text leave intact;
//! - env rules need the variable name, shapes their first key, queries the literals of their
//!   `#eq?` predicates.
//!
//! A rule for which no such word can be derived makes the prefilter pass every file. Files with a
//! `lockin:` comment always pass, so that their suppressions are checked.

use aho_corasick::AhoCorasick;
use regex_syntax::hir::literal::{ExtractKind, Extractor};

use crate::rules::{PathPattern, Registry, Rule};

pub struct Prefilter {
    /// `None`: some rule has no required word, so every file passes.
    automaton: Option<AhoCorasick>,
}

impl Prefilter {
    pub fn new(reg: &Registry) -> Prefilter {
        let mut words = Vec::new();
        for rule in &reg.rules {
            match rule_words(rule, reg) {
                Some(w) => words.extend(w),
                None => return Prefilter { automaton: None },
            }
        }
        // Suppression comments are checked (and reported when unused) in every file that has them.
        words.push("lockin:".to_string());
        words.sort();
        words.dedup();
        let automaton = AhoCorasick::new(&words).ok();
        Prefilter { automaton }
    }

    /// A prefilter that passes everything (the default; `--prefilter` turns it on).
    pub fn disabled() -> Prefilter {
        Prefilter { automaton: None }
    }

    pub fn passes(&self, text: &str) -> bool {
        self.automaton.as_ref().is_none_or(|ac| ac.is_match(text))
    }

    pub fn is_active(&self) -> bool {
        self.automaton.is_some()
    }
}

/// The words one rule needs, or `None` when it cannot be prefiltered.
pub fn rule_words(rule: &Rule, reg: &Registry) -> Option<Vec<String>> {
    let m = &rule.matcher;
    let mut out = Vec::new();
    let pack_modules = || -> Option<Vec<String>> {
        let names: Vec<String> = reg
            .pack_for(rule.vendor)
            .flat_map(|p| p.modules.iter())
            .filter_map(|p| p.root_name().map(str::to_string))
            .collect();
        (!names.is_empty()).then_some(names)
    };
    for p in m.imports.iter().chain(&m.calls).chain(&m.members) {
        out.extend(pattern_words(p, &pack_modules)?);
    }
    for r in &m.strings {
        out.extend(regex_words(r.as_str())?);
    }
    out.extend(
        m.env
            .iter()
            .map(|e| e.as_str().trim_end_matches('*').to_string()),
    );
    for shape in &m.shapes {
        // Every key and every required value must be in the file: the rarest one will do.
        let all: Vec<String> = shape
            .keys
            .iter()
            .cloned()
            .chain(shape.equals.iter().map(|(_, v)| v.clone()))
            .collect();
        out.push(best_of(&all)?);
    }
    for text in m.query_text.values() {
        out.push(best_of(&eq_literals(text))?);
    }
    // Manifests are read whatever their content; dependency rules need no word.
    if out.iter().any(|w| w.is_empty()) {
        return None;
    }
    Some(out)
}

fn pattern_words(
    p: &PathPattern,
    pack_modules: &dyn Fn() -> Option<Vec<String>>,
) -> Option<Vec<String>> {
    if let Some(root) = p.root_name() {
        return Some(vec![root.to_string()]);
    }
    if p.is_unknown_rooted() {
        return pack_modules();
    }
    None
}

/// Words so common in code that they select nothing; a literal's other words are preferred.
const COMMON: &[&str] = &[
    "http", "https", "www", "com", "api", "id", "name", "type", "role", "text", "data", "code",
    "content", "model", "value", "key", "v1",
];

/// The best word to look for in a file that contains `literal` somewhere in a string or name:
/// the literal itself when escapes cannot change it in source text, else its longest run of
/// `[A-Za-z0-9_-]` (avoiding words in `COMMON`).
fn best_word(literal: &str) -> Option<String> {
    let plain = literal
        .chars()
        .all(|c| (' '..='~').contains(&c) && !matches!(c, '\\' | '"' | '\'' | '`'));
    if plain && literal.len() >= 2 {
        return Some(literal.to_string());
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

/// One word per literal prefix of the regex; `None` when the prefixes are not a finite set.
fn regex_words(regex: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::parse(regex).ok()?;
    let seq = Extractor::new()
        .kind(ExtractKind::Prefix)
        .limit_total(10_000)
        .limit_class(16)
        .limit_repeat(16)
        .extract(&hir);
    let literals = seq.literals()?;
    if literals.is_empty() {
        return None;
    }
    literals
        .iter()
        .map(|lit| best_word(&String::from_utf8_lossy(lit.as_bytes())))
        .collect()
}

/// The most selective of several words that must all be present.
fn best_of(words: &[String]) -> Option<String> {
    words
        .iter()
        .filter(|w| !COMMON.contains(&w.to_ascii_lowercase().as_str()))
        .max_by_key(|w| w.len())
        .or_else(|| words.iter().max_by_key(|w| w.len()))
        .cloned()
}

/// The string literals of a query's `#eq?` predicates.
fn eq_literals(query: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = query;
    while let Some(i) = rest.find("#eq?") {
        rest = &rest[i + 4..];
        let end = rest.find(')').unwrap_or(rest.len());
        let pred = &rest[..end];
        if let Some(start) = pred.find('"')
            && let Some(len) = pred[start + 1..].find('"')
        {
            out.push(pred[start + 1..start + 1 + len].to_string());
        }
        rest = &rest[end..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_of_regexes() {
        let mut human = regex_words(r"\n\n(Human|Assistant):").unwrap();
        human.sort();
        assert_eq!(human, vec!["Assistant".to_string(), "Human".to_string()]);
        assert!(regex_words(r"^[a-z]+$").is_none());
        assert_eq!(
            regex_words(r"^AIza[0-9A-Za-z_-]{35}$").unwrap(),
            vec!["AIza".to_string()]
        );
        let urls = regex_words(r"^(https?|wss)://api\.openai\.com(/|$)").unwrap();
        assert!(
            urls.iter().all(|u| u.contains("api.openai.com")),
            "{urls:?}"
        );
        assert_eq!(regex_words(r"\[/?INST\]").unwrap().len(), 2);
        assert_eq!(best_word("\n\nHuman:").as_deref(), Some("Human"));
        assert_eq!(
            eq_literals(r#"((x) @k (#eq? @k "messages") (#match? @v "a"))"#),
            vec!["messages".to_string()]
        );
    }
}
