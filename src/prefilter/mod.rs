//! The literal prefilter: one Aho-Corasick automaton over the words each rule needs to see in a
//! file before it can fire. One pass over the text gives the file's live rules; only those are
//! matched, and a source file with no live rule is not parsed at all.
//!
//! The words are derived from the rules, never written by hand:
//! - import, call and member patterns need every name they spell, their root module imported;
//!   `?`-rooted patterns need one of the pack's SDK modules imported instead of a root;
//! - string regexes need one of a set of words every match contains (inner literals or literal
//!   prefixes, from regex-syntax's HIR and extractor), each a run of characters that escapes in
//!   source text leave intact; call rules with arguments also need one argument name;
//! - env rules need the variable name, shapes every key and required value, queries the literals
//!   of their predicates (only for queries where every predicate must hold).
//!
//! Some words must also stand in the right place (an [`Anchor`]), checked at each occurrence
//! the automaton reports, so that a word common in prose and code selects only what can match:
//! - a module a pattern is rooted in must be imported: in Python the name follows `import` or
//!   `from` on its logical line, as a whole first segment (`openai`, not `langchain_openai` or
//!   `x.openai`); in JS/TS it opens a module specifier string (`"openai"`, `'openai/x'`), as
//!   every import, `require()` and `import()` of it does (paths rooted in a module come only
//!   from such bindings, and `?`-rooted hits are kept only in files that import the SDK);
//! - a string regex anchored with `^` needs its literal prefix right after a quote, and a
//!   plain literal there (its value the bytes up to the closing quote) must match the regex;
//! - a shape's keys must stand as dict or object keys (`"input_schema":`, in JS also
//!   `{ input_schema }`);
//! - a query's `#eq?` literal on a keyword argument's or key's name must stand before `=` or
//!   `:` (and `[` where the query wants a list value: `messages=[`);
//! - a shape's required value (`type = "function"`) needs the whole string literal after its key
//!   and a colon (`"type": "function"`, `type: 'function'`).
//!
//! In Python, words in comments and docstrings do not count (`inert`): no rule matches there.
//!
//! A rule for which no such word can be derived is live in every file (and then every file is
//! parsed). Files with a `lockin:` comment are always parsed, so that their suppressions are
//! checked.

pub(crate) mod inert;

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use regex::Regex;
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Hir, HirKind, Look};

use crate::lang::Family;
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

    pub fn contains(&self, rule: RuleIdx) -> bool {
        self.rules.get(rule).copied().unwrap_or(false)
    }

    pub fn any_of(&self, rules: &[RuleIdx]) -> bool {
        rules.iter().any(|r| self.contains(*r))
    }
}

/// From how many files on a scan builds the automaton as a DFA.
const DFA_FROM_FILES: usize = 200;

/// Where a needed word must stand in a file's text for the need to be met.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Anchor {
    Anywhere,
    /// The first segment of an imported module's name.
    Import,
    /// The start of a string literal (right after its opening quote).
    StringStart,
    /// A whole string literal (between two quotes).
    StringLiteral,
    /// A whole string literal that is the value of a key (`"type": "function"`, `type: 'function'`);
    /// the key is the need's.
    Value,
    /// A keyword argument's or an object key's name: the word, then `=` or `:` (`role: x`).
    Key,
    /// The same with a list literal as the value (`messages=[`, `messages: [`).
    KeyOfList,
    /// A dict or object key: the word, quoted, then `:` (`"input_schema": s`); in JS also bare
    /// (`input_schema: s`) or a shorthand property (`{ input_schema }`).
    DictKey,
}

impl Anchor {
    const ALL: [Anchor; 8] = [
        Anchor::Anywhere,
        Anchor::Import,
        Anchor::StringStart,
        Anchor::StringLiteral,
        Anchor::Value,
        Anchor::Key,
        Anchor::KeyOfList,
        Anchor::DictKey,
    ];

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// One word a rule needs, and where.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Need {
    pub word: String,
    pub anchor: Anchor,
    /// For `Anchor::Value`: the key the word is the value of.
    pub key: Option<String>,
    /// For `Anchor::StringStart`: the rule's string regex (index in its `strings`) that a
    /// literal starting with the word must match, where the literal's whole text is plain.
    pub verify: Option<usize>,
}

impl Need {
    pub fn anywhere(word: impl Into<String>) -> Need {
        Need::new(word, Anchor::Anywhere)
    }

    fn new(word: impl Into<String>, anchor: Anchor) -> Need {
        Need {
            word: word.into(),
            anchor,
            key: None,
            verify: None,
        }
    }

    /// A shape's required value: `key: "value"` where both are plain words, else the value as
    /// a whole string literal (or anywhere, for a value escapes could spell otherwise).
    fn value_of(key: &str, value: &str) -> Need {
        let anchor = literal_anchor(value, Anchor::StringLiteral);
        let plain_key = !key.is_empty()
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$');
        if anchor == Anchor::StringLiteral && plain_key {
            Need {
                word: value.to_string(),
                anchor: Anchor::Value,
                key: Some(key.to_string()),
                verify: None,
            }
        } else {
            Need::new(value, anchor)
        }
    }
}

impl std::fmt::Display for Need {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let w = &self.word;
        match self.anchor {
            Anchor::Anywhere => write!(f, "{w}"),
            Anchor::Import => write!(f, "import {w}"),
            Anchor::StringStart => write!(f, "\"{w}…"),
            Anchor::StringLiteral => write!(f, "\"{w}\""),
            Anchor::Value => write!(f, "{}: \"{w}\"", self.key.as_deref().unwrap_or("")),
            Anchor::Key => write!(f, "{w}="),
            Anchor::KeyOfList => write!(f, "{w}=[…]"),
            Anchor::DictKey => write!(f, "{w}:"),
        }
    }
}

pub struct Prefilter {
    /// `None`: disabled, every rule is live in every file.
    automaton: Option<AhoCorasick>,
    /// Conjunctions of words (automaton pattern ids) with their anchor, each making a rule live.
    needs: Vec<(Vec<(usize, Anchor)>, RuleIdx)>,
    /// Per word, the anchors (bits) some need asks of it besides `Anywhere`.
    anchored: Vec<u8>,
    /// Per word, the keys whose value some `Anchor::Value` need wants it to be.
    value_keys: Vec<Vec<String>>,
    /// Per word, the regexes a plain string literal it starts must match (one of) for its
    /// `Anchor::StringStart`; `None` when some need takes any literal it starts.
    verifiers: Vec<Option<Vec<Regex>>>,
    /// Rules no word can be derived for: live in every file.
    always: Vec<RuleIdx>,
    /// Pattern id of `lockin:`: a file with a suppression comment is parsed to check it.
    directive: usize,
    n_words: usize,
    n_rules: usize,
}

/// What a rule needs in a file's text: any one of several conjunctions of words.
pub type Needs = Vec<Vec<Need>>;

impl Prefilter {
    /// The prefilter of a registry's rules, for a scan of `files` files: a DFA costs a few
    /// milliseconds more to build than the NFA and runs the pass about twice as fast, which pays
    /// from a few hundred files on (a pre-commit run of ten files keeps the NFA).
    pub fn new(reg: &Registry, files: usize) -> Prefilter {
        let mut words: Vec<String> = vec!["lockin:".to_string()];
        let mut ids: std::collections::HashMap<String, usize> = Default::default();
        ids.insert("lockin:".to_string(), 0);
        let mut needs = Vec::new();
        let mut value_keys: Vec<(usize, String)> = Vec::new();
        let mut verify: Vec<(usize, Option<Regex>)> = Vec::new();
        let mut always = Vec::new();
        for (ri, rule) in reg.rules.iter().enumerate() {
            let Some(alternatives) = rule_needs(rule, reg) else {
                always.push(ri);
                continue;
            };
            for conj in alternatives {
                let conj: Vec<(usize, Anchor)> = conj
                    .into_iter()
                    .map(|n| {
                        let id = *ids.entry(n.word.clone()).or_insert_with(|| {
                            words.push(n.word);
                            words.len() - 1
                        });
                        if let Some(key) = n.key {
                            value_keys.push((id, key));
                        }
                        if n.anchor == Anchor::StringStart {
                            let regex = n.verify.and_then(|k| rule.matcher.strings.get(k));
                            verify.push((id, regex.cloned()));
                        }
                        (id, n.anchor)
                    })
                    .collect();
                needs.push((conj, ri));
            }
        }
        let mut keys_of = vec![Vec::new(); words.len()];
        for (id, key) in value_keys {
            if !keys_of[id].contains(&key) {
                keys_of[id].push(key);
            }
        }
        let mut verifiers: Vec<Option<Vec<Regex>>> = vec![Some(Vec::new()); words.len()];
        for (id, regex) in verify {
            match (regex, &mut verifiers[id]) {
                (Some(r), Some(list)) => {
                    if !list.iter().any(|l| l.as_str() == r.as_str()) {
                        list.push(r);
                    }
                }
                (None, v) => *v = None,
                (Some(_), None) => {}
            }
        }
        let mut anchored = vec![0u8; words.len()];
        for (conj, _) in &needs {
            for (w, a) in conj {
                if *a != Anchor::Anywhere {
                    anchored[*w] |= a.bit();
                }
            }
        }
        Prefilter {
            automaton: AhoCorasick::builder()
                .kind(Some(if files >= DFA_FROM_FILES {
                    AhoCorasickKind::DFA
                } else {
                    AhoCorasickKind::ContiguousNFA
                }))
                .build(&words)
                .ok(),
            needs,
            anchored,
            value_keys: keys_of,
            verifiers,
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
            anchored: Vec::new(),
            value_keys: Vec::new(),
            verifiers: Vec::new(),
            always: Vec::new(),
            directive: 0,
            n_words: 0,
            n_rules: reg.rules.len(),
        }
    }

    /// The rules that can fire in `text` (source of the language family `fam`), or `None` when
    /// none can and the file has no suppression comment: it need not be parsed.
    pub fn live(&self, text: &str, fam: Family) -> Option<Live> {
        let Some(ac) = &self.automaton else {
            return Some(Live::all(self.n_rules));
        };
        // Per word, the anchors (bits) at which it was seen.
        let mut seen = vec![0u8; self.n_words];
        let mut any = false;
        let bytes = text.as_bytes();
        // Comments (and Python docstrings), found once the automaton finds a word.
        let mut inert: Option<Vec<std::ops::Range<usize>>> = None;
        for m in ac.find_overlapping_iter(text) {
            let w = m.pattern().as_usize();
            // (a word seen at every anchor it needs has nothing more to tell)
            let wanted = self.anchored[w] | Anchor::Anywhere.bit();
            if seen[w] & wanted == wanted {
                continue;
            }
            if w != self.directive {
                let spans = inert.get_or_insert_with(|| match fam {
                    Family::Python => inert::python_inert_spans(bytes),
                    Family::Js => inert::js_inert_spans(bytes),
                });
                if inert::within(spans, m.start()) {
                    continue;
                }
            }
            seen[w] |= Anchor::Anywhere.bit();
            any = true;
            let missing = self.anchored[w] & !seen[w];
            if missing == 0 {
                continue;
            }
            for a in Anchor::ALL {
                if missing & a.bit() != 0
                    && anchored_at(bytes, m.start(), m.end(), a, fam, &self.value_keys[w])
                    && (a != Anchor::StringStart
                        || self.verifiers[w]
                            .as_deref()
                            .is_none_or(|v| literal_may_match(bytes, m.start(), v, fam)))
                {
                    seen[w] |= a.bit();
                }
            }
        }
        let mut rules = vec![false; self.n_rules];
        let mut parse = seen[self.directive] != 0;
        for r in &self.always {
            rules[*r] = true;
            parse = true;
        }
        if any {
            for (conj, r) in &self.needs {
                if !rules[*r] && conj.iter().all(|(w, a)| seen[*w] & a.bit() != 0) {
                    rules[*r] = true;
                    parse = true;
                }
            }
        }
        parse.then_some(Live { rules })
    }

    /// Whether any rule can fire in `text` (or it must be parsed for a suppression comment).
    pub fn passes(&self, text: &str, fam: Family) -> bool {
        self.live(text, fam).is_some()
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
            .filter_map(|p| p.root_name().map(|n| vec![Need::new(n, Anchor::Import)]))
            .collect();
        (!names.is_empty()).then_some(names)
    };
    let mut paths: Needs = Vec::new();
    for p in m.calls.iter().chain(&m.members) {
        paths.extend(pattern_needs(p, &pack_modules)?);
    }
    // A call rule with argument names needs one of them too.
    if m.args.is_empty() {
        out.extend(paths);
    } else {
        for conj in paths {
            for arg in &m.args {
                let mut c = conj.clone();
                c.push(Need::anywhere(arg));
                out.push(c);
            }
        }
    }
    for p in &m.imports {
        out.extend(pattern_needs(p, &pack_modules)?);
    }
    for (k, r) in m.strings.iter().enumerate() {
        out.extend(regex_needs(r.as_str())?.into_iter().map(|mut n| {
            if n.anchor == Anchor::StringStart {
                n.verify = Some(k);
            }
            vec![n]
        }));
    }
    out.extend(
        m.env
            .iter()
            .map(|e| vec![Need::anywhere(e.as_str().trim_end_matches('*'))]),
    );
    for shape in &m.shapes {
        // Every key must be in the file, and every required value as a whole string literal.
        let all: Vec<Need> = shape
            .keys
            .iter()
            .map(|k| Need::new(k, literal_anchor(k, Anchor::DictKey)))
            .chain(shape.equals.iter().map(|(k, v)| Need::value_of(k, v)))
            .collect();
        out.push(all);
    }
    for text in m.query_text.values() {
        let conj = query_needs(text);
        if conj.is_empty() {
            return None;
        }
        out.push(conj);
    }
    // Manifests are read whatever their content; dependency rules need no word.
    for conj in &mut out {
        conj.sort();
        conj.dedup();
        if conj.is_empty() || conj.iter().any(|n| n.word.is_empty()) {
            return None;
        }
    }
    Some(out)
}

/// The needs of a rule as text (`import openai`, `"function"`, `OPENAI_API_KEY`), sorted.
pub fn rule_words(rule: &Rule, reg: &Registry) -> Option<Vec<String>> {
    let mut words: Vec<String> = rule_needs(rule, reg)?
        .into_iter()
        .flatten()
        .map(|n| n.to_string())
        .collect();
    words.sort();
    words.dedup();
    Some(words)
}

/// The anchor a literal can keep: only a word that is the literal as written in source (no
/// character that escapes or quotes could change) can be looked for next to a quote.
fn literal_anchor(literal: &str, anchor: Anchor) -> Anchor {
    if best_word(literal).as_deref() == Some(literal) && !literal.starts_with([':', '/']) {
        anchor
    } else {
        Anchor::Anywhere
    }
}

/// Whether the occurrence of a word at `start..end` of `text` stands where `anchor` asks.
/// Conservative: where unsure, it says yes.
fn anchored_at(
    text: &[u8],
    start: usize,
    end: usize,
    anchor: Anchor,
    fam: Family,
    keys: &[String],
) -> bool {
    let before = start.checked_sub(1).map(|i| text[i]);
    let after = text.get(end).copied();
    let quote = |b: Option<u8>| b.is_some_and(quote_byte);
    match anchor {
        Anchor::Anywhere => true,
        Anchor::StringStart => quote(before),
        Anchor::StringLiteral => quote(before) && quote(after),
        Anchor::Value => {
            quote(before) && quote(after) && keys.iter().any(|k| keyed(text, start, k))
        }
        // (a name starts after no byte of a name)
        Anchor::Key | Anchor::KeyOfList | Anchor::DictKey if before.is_some_and(name_byte) => false,
        Anchor::Key | Anchor::KeyOfList => key_follows(&text[end..], anchor == Anchor::KeyOfList),
        Anchor::DictKey => dict_key_at(text, before, end, fam),
        // A JS module specifier: `"openai"`, `'openai/resources'`.
        Anchor::Import if fam == Family::Js => {
            quote(before) && (quote(after) || after == Some(b'/'))
        }
        Anchor::Import => {
            let ident = |b: Option<u8>| b.is_some_and(ident_byte);
            if ident(before) || before == Some(b'.') || ident(after) {
                return false;
            }
            let line = &text[logical_line_start(text, start)..start];
            has_keyword(line, b"import") || has_keyword(line, b"from")
        }
    }
}

/// Whether `rest` (the text after a name) goes on with `=` (not `==`) or `:`, and with `list`
/// then `[`, white space allowed around. A comment or a line continuation where the separator
/// or the bracket would be is not looked through: yes.
fn key_follows(rest: &[u8], list: bool) -> bool {
    let opaque = |b: u8| matches!(b, b'#' | b'/' | b'\\');
    let i = space_end(rest, 0);
    match rest.get(i) {
        Some(&b) if opaque(b) => return true,
        Some(b'=') if rest.get(i + 1) != Some(&b'=') => {}
        Some(b':') => {}
        _ => return false,
    }
    if !list {
        return true;
    }
    let j = space_end(rest, i + 1);
    rest.get(j).is_some_and(|&b| b == b'[' || opaque(b))
}

/// Whether the word ending at `end` (after the byte `before`, not part of a name) can be a dict
/// or object key as the shape matcher reads one: the word whole, then its closing quote (one, or
/// three in Python) if it opened with one, white space and `:`; in JS also a bare property name
/// before `:`, or before `,` or `}` (a shorthand property). A Python dict's key is a string: a
/// bare name there is a variable (`name: str` is an annotation). A comment where the colon would
/// be is not looked through: yes.
fn dict_key_at(text: &[u8], before: Option<u8>, end: usize, fam: Family) -> bool {
    let quoted = before.is_some_and(quote_byte);
    if !quoted && fam == Family::Python {
        return false;
    }
    let mut i = end;
    if quoted {
        let closing = if fam == Family::Python { 3 } else { 1 };
        let n = text[end..]
            .iter()
            .take(closing)
            .take_while(|b| Some(**b) == before)
            .count();
        if n == 0 {
            return false;
        }
        i += n;
    }
    let i = space_end(text, i);
    match text.get(i) {
        Some(b':' | b'#' | b'/') => true,
        Some(b',' | b'}') => !quoted,
        _ => false,
    }
}

/// Whether the string literal that opens right before `start` can match one of `regexes` as
/// the analyzer sees it: its value, escapes decoded by the analyzer's own `unescape` (a Python
/// raw string's verbatim). A literal is judged up to the first quote like its opening one that
/// no backslash escapes; with a line break or a `{` (an f-string or template interpolation,
/// which may hold quotes) before that quote, or a doubled opening quote (`""` or a triple
/// quote), it says yes.
fn literal_may_match(text: &[u8], start: usize, regexes: &[Regex], fam: Family) -> bool {
    let Some(&quote) = start.checked_sub(1).and_then(|i| text.get(i)) else {
        return true;
    };
    if start >= 2 && text[start - 2] == quote {
        return true;
    }
    let mut end = start;
    let mut escaped = false;
    loop {
        match text.get(end) {
            None | Some(b'\n' | b'\r' | b'{') => return true,
            Some(b'\\') => {
                escaped = true;
                end += 2;
            }
            Some(&b) if b == quote => break,
            Some(_) => end += 1,
        }
    }
    let Ok(body) = std::str::from_utf8(&text[start..end]) else {
        return true;
    };
    let raw = fam == Family::Python && inert::raw_prefix(text, start - 1);
    let value = if escaped && !raw {
        std::borrow::Cow::Owned(crate::analyze::literal::unescape(body))
    } else {
        std::borrow::Cow::Borrowed(body)
    };
    regexes.iter().any(|r| r.is_match(&value))
}

/// Whether the string literal whose text starts at `start` follows `key` and a colon: back over
/// its quotes and a Python prefix (`f"`, `rb'`), white space, `:`, white space, the key's closing
/// quotes, then the key as a whole word.
fn keyed(text: &[u8], start: usize, key: &str) -> bool {
    let mut i = start;
    while i > 0 && quote_byte(text[i - 1]) {
        i -= 1;
    }
    for _ in 0..2 {
        if i > 0
            && matches!(
                text[i - 1],
                b'r' | b'R' | b'b' | b'B' | b'u' | b'U' | b'f' | b'F' | b't' | b'T'
            )
        {
            i -= 1;
        }
    }
    while i > 0 && text[i - 1].is_ascii_whitespace() {
        i -= 1;
    }
    if i == 0 || text[i - 1] != b':' {
        return false;
    }
    i -= 1;
    while i > 0 && text[i - 1].is_ascii_whitespace() {
        i -= 1;
    }
    while i > 0 && quote_byte(text[i - 1]) {
        i -= 1;
    }
    let Some(k) = i.checked_sub(key.len()) else {
        return false;
    };
    // (a JS key may hold a `$`)
    &text[k..i] == key.as_bytes() && (k == 0 || !name_byte(text[k - 1]))
}

/// Where the logical line holding `at` starts: lines ended with a backslash continue.
fn logical_line_start(text: &[u8], at: usize) -> usize {
    let mut end = at;
    loop {
        let Some(nl) = memchr::memrchr(b'\n', &text[..end]) else {
            return 0;
        };
        let body = &text[..nl];
        let body = body.strip_suffix(b"\r").unwrap_or(body);
        if body.ends_with(b"\\") {
            end = nl;
        } else {
            return nl + 1;
        }
    }
}

/// A byte of a Python identifier (any non-ASCII byte counts: it may be part of one).
pub(crate) fn ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// A byte of a Python or JS name (`$` is one in JS).
fn name_byte(b: u8) -> bool {
    ident_byte(b) || b == b'$'
}

/// A string literal's quote, in Python or JS.
fn quote_byte(b: u8) -> bool {
    matches!(b, b'"' | b'\'' | b'`')
}

/// Where the white space starting at `from` ends.
fn space_end(text: &[u8], from: usize) -> usize {
    from + text[from..]
        .iter()
        .take_while(|b| b.is_ascii_whitespace())
        .count()
}

/// Whether `kw` occurs in `line` as a whole word.
fn has_keyword(line: &[u8], kw: &[u8]) -> bool {
    memchr::memmem::find_iter(line, kw).any(|i| {
        (i == 0 || !ident_byte(line[i - 1]))
            && line.get(i + kw.len()).is_none_or(|b| !ident_byte(*b))
    })
}

/// A path pattern needs every name it spells, since each segment of a resolved path is a name
/// written in the file (an import, an attribute, a module specifier), and the module it is
/// rooted in imported; a `?`-rooted one needs one of the pack's SDK modules imported instead.
fn pattern_needs(p: &PathPattern, pack_modules: &dyn Fn() -> Option<Needs>) -> Option<Needs> {
    let names = p.names().map(Need::anywhere);
    if p.is_unknown_rooted() {
        let names: Vec<Need> = names.collect();
        let mut alternatives = pack_modules()?;
        for conj in &mut alternatives {
            conj.extend(names.iter().cloned());
        }
        return Some(alternatives);
    }
    let root = p.root_name()?;
    Some(vec![
        std::iter::once(Need::new(root, Anchor::Import))
            .chain(names.skip(1))
            .collect(),
    ])
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
/// such characters (avoiding words in `COMMON`): `Human:` for `\n\nHuman:`.
fn best_word(literal: &str) -> Option<String> {
    let is_plain = |c: char| (' '..='~').contains(&c) && !matches!(c, '\\' | '"' | '\'' | '`');
    let plain = literal.chars().all(is_plain);
    // (a URL's `://` is dropped: it can be written `:\/\/` in JS and JSON strings)
    let trimmed = literal.trim_start_matches([':', '/']);
    if plain && trimmed.len() >= 2 {
        return Some(trimmed.to_string());
    }
    let runs: Vec<&str> = literal
        .split(|c: char| !is_plain(c))
        .map(|w| w.trim_start_matches([':', '/']))
        .filter(|w| w.len() >= 2)
        .collect();
    runs.iter()
        .filter(|w| !COMMON.contains(&w.to_ascii_lowercase().as_str()))
        .max_by_key(|w| w.len())
        .or_else(|| runs.iter().max_by_key(|w| w.len()))
        .map(|w| w.to_string())
}

/// What a string regex needs: a regex anchored with `^` needs one of its literal prefixes at
/// the start of a string literal; any other one of the words of `regex_words`.
fn regex_needs(regex: &str) -> Option<Vec<Need>> {
    let hir = regex_syntax::parse(regex).ok()?;
    if hir.properties().look_set_prefix().contains(Look::Start)
        && let Some(words) = prefix_words(&hir, true)
        && set_quality(&words) >= 2
    {
        return Some(
            words
                .into_iter()
                .map(|w| Need::new(w, Anchor::StringStart))
                .collect(),
        );
    }
    Some(
        regex_words(regex)?
            .into_iter()
            .map(Need::anywhere)
            .collect(),
    )
}

/// Words one of which every match of the regex contains; `None` when no such finite set is
/// found. Looks at the literals anywhere in the regex (not only its prefixes): a concatenation
/// needs what any one of its parts needs, so the most selective part is taken.
fn regex_words(regex: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::parse(regex).ok()?;
    let inner = needed(&hir);
    // Prefix extraction costs start-up time: only when the inner literals are not long words.
    if inner.as_deref().is_some_and(|w| set_quality(w) >= 8) {
        return inner;
    }
    let prefix = prefix_words(&hir, false);
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
/// With `whole`, each word is a whole prefix as written in source, or `None`.
fn prefix_words(hir: &Hir, whole: bool) -> Option<Vec<String>> {
    let mut seq = Extractor::new()
        .kind(ExtractKind::Prefix)
        .limit_total(10_000)
        .limit_class(4)
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
        .map(|lit| {
            let lit = String::from_utf8_lossy(lit.as_bytes());
            let word = best_word(&lit)?;
            (!whole || literal_anchor(&lit, Anchor::StringStart) == Anchor::StringStart)
                .then_some(word)
        })
        .collect::<Option<_>>()?;
    words.sort();
    words.dedup();
    Some(words)
}

/// What a query needs: the literals of its `#eq?` predicates and a word of each `#match?`
/// regex, all of them. Only for a query of one pattern without alternations or quantifiers,
/// where every predicate must hold; for any other query nothing (it runs on every file).
fn query_needs(query: &str) -> Vec<Need> {
    let mut out = Vec::new();
    if !is_simple_query(query) {
        return out;
    }
    for (pred, capture, literal) in predicates(query) {
        match pred {
            "#eq?" => {
                let name = !literal.is_empty() && literal.bytes().all(name_byte);
                let anchor = name
                    .then(|| key_anchor(query, &capture))
                    .flatten()
                    .unwrap_or(Anchor::Anywhere);
                out.push(Need::new(literal, anchor));
            }
            _ => {
                let regex = literal.replace("\\\"", "\"");
                if let Some(word) = quoted_literal(&regex) {
                    out.push(Need::new(word, Anchor::StringLiteral));
                } else if let Some(words) = regex_words(&regex)
                    && let [one] = words.as_slice()
                {
                    out.push(Need::anywhere(one));
                }
            }
        }
    }
    out
}

/// Where a query can match: the node kind its one pattern is rooted in and the words (of
/// [`query_needs`]) every match holds inside that node, since each predicate's capture is a
/// node of the pattern. `None` for a query `query_needs` derives nothing from, or one whose
/// pattern does not start with a named node (`((a) @x ...)`, `(_ ...)`).
pub(crate) fn query_root(query: &str) -> Option<QueryRoot> {
    let words: Vec<String> = query_needs(query).into_iter().map(|n| n.word).collect();
    if words.is_empty() {
        return None;
    }
    let mut rest = query.trim_start();
    while let Some(comment) = rest.strip_prefix(';') {
        rest = comment.split_once('\n').map_or("", |(_, r)| r).trim_start();
    }
    let kind: String = rest
        .strip_prefix('(')?
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!kind.is_empty() && kind != "_").then_some(QueryRoot { kind, words })
}

/// The node kind a query's matches are rooted in and the words every match holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryRoot {
    pub kind: String,
    pub words: Vec<String>,
}

/// The word `W` of a regex that matches exactly a string literal's source text, `"W"` or
/// `'W'` (`^["']assistant["']$`), with `W` as written in source.
fn quoted_literal(regex: &str) -> Option<String> {
    let hir = regex_syntax::parse(regex).ok()?;
    let props = hir.properties();
    if !props.look_set_prefix().contains(Look::Start)
        || !props.look_set_suffix().contains(Look::End)
    {
        return None;
    }
    let seq = Extractor::new().kind(ExtractKind::Prefix).extract(&hir);
    if !seq.is_exact() {
        return None;
    }
    let mut word: Option<String> = None;
    for lit in seq.literals()? {
        let text = std::str::from_utf8(lit.as_bytes()).ok()?;
        let inner = text
            .strip_prefix(['"', '\'', '`'])?
            .strip_suffix(['"', '\'', '`'])?;
        if literal_anchor(inner, Anchor::StringLiteral) != Anchor::StringLiteral
            || word.as_deref().is_some_and(|w| w != inner)
        {
            return None;
        }
        word = Some(inner.to_string());
    }
    word
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

/// The anchor of an `#eq?` literal on `capture` where the query puts that capture on a name:
/// `(keyword_argument name: (identifier) @k` or `(pair key: (property_identifier) @k`
/// ([`Anchor::Key`]), followed by `value: (list` or `value: (array` ([`Anchor::KeyOfList`]).
fn key_anchor(query: &str, capture: &str) -> Option<Anchor> {
    let tag = format!("@{capture}");
    let mut from = 0;
    // The capture's definition: `@k` after a node, not as a predicate's argument.
    let (def, before) = loop {
        let at = from + query[from..].find(&tag)?;
        from = at + tag.len();
        let ends = query[from..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.')));
        let before = query[..at].trim_end();
        if ends && before.ends_with(')') {
            break (from, before);
        }
    };
    let node = ["(identifier)", "(property_identifier)"]
        .into_iter()
        .find(|n| before.ends_with(n))?;
    let before = before[..before.len() - node.len()].trim_end();
    let parent = if let Some(b) = before.strip_suffix("name:") {
        b.trim_end().ends_with("(keyword_argument")
    } else if let Some(b) = before.strip_suffix("key:") {
        b.trim_end().ends_with("(pair")
    } else {
        false
    };
    if !parent {
        return None;
    }
    // After it, maybe a predicate group, then the value's field.
    let mut rest = query[def..].trim_start();
    if rest.starts_with("(#") {
        let close = rest.find(')')?;
        rest = rest[close + 1..].trim_start();
    }
    let list = rest.strip_prefix("value:").is_some_and(|v| {
        let v = v.trim_start();
        ["(list", "(array"].into_iter().any(|n| {
            v.strip_prefix(n)
                .is_some_and(|r| r.starts_with(|c: char| c.is_whitespace() || c == ')'))
        })
    });
    Some(if list { Anchor::KeyOfList } else { Anchor::Key })
}

/// `(#eq? @k "messages")` / `(#match? @v "^x$")`: each predicate's name, capture and string
/// argument.
fn predicates(query: &str) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    for pred in ["#eq?", "#match?"] {
        let mut rest = query;
        while let Some(i) = rest.find(pred) {
            rest = &rest[i + pred.len()..];
            let Some(start) = rest.find('"') else { break };
            let capture = rest[..start].trim().trim_start_matches('@').to_string();
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
            out.push((pred, capture, body[..end].to_string()));
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
        assert_eq!(words(r"\n\n(Human|Assistant):"), ["Assistant:", "Human:"]);
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
        assert_eq!(words(r"\[/?INST\]"), ["[/INST]", "[INST]"]);
        assert_eq!(best_word("\n\nHuman:").as_deref(), Some("Human:"));
    }

    fn needs(re: &str) -> Vec<String> {
        regex_needs(re)
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn anchored_regexes_need_their_prefix_at_a_string_start() {
        assert_eq!(needs(r"^sk-ant-[a-z]+$"), ["\"sk-ant-…"]);
        // Not anchored, or only a URL scheme before the anchor: words anywhere.
        assert_eq!(needs(r"sk-ant-[a-z]+"), ["sk-ant-"]);
        assert_eq!(
            needs(r"^https://[a-z]+\.openai\.azure\.com"),
            [".openai.azure.com"]
        );
        // A prefix that escapes could spell differently is looked for anywhere.
        assert_eq!(needs(r"^\n\nHuman:"), ["Human:"]);
        assert_eq!(
            quoted_literal(r#"^["']assistant["']$"#).as_deref(),
            Some("assistant")
        );
        assert_eq!(quoted_literal(r#"^["'](user|assistant)["']$"#), None);
        assert_eq!(quoted_literal(r#"["']assistant["']"#), None);
    }

    /// Asserts that `word` stands (or not) at its `anchor` in each of `texts`.
    fn check(texts: &[&str], word: &str, anchor: Anchor, fam: Family, holds: bool) {
        for text in texts {
            assert_eq!(at(text, word, anchor, fam), holds, "{anchor:?} in {text:?}");
        }
    }

    fn at(text: &str, word: &str, anchor: Anchor, fam: Family) -> bool {
        let start = text.find(word).unwrap();
        anchored_at(
            text.as_bytes(),
            start,
            start + word.len(),
            anchor,
            fam,
            &["type".to_string()],
        )
    }

    #[test]
    fn anchors_hold_where_the_syntax_puts_the_word() {
        use Anchor::*;
        use Family::{Js, Python};
        check(
            &[
                "import openai",
                "import os, openai.types as t",
                "from openai import OpenAI",
                "from openai.types import X",
                "x = 1; import openai",
                "import os, \\\n    openai",
                "import os, \\\r\n    openai",
                "if True:\n    from  openai  import OpenAI",
            ],
            "openai",
            Import,
            Python,
            true,
        );
        check(
            &[
                "from langchain_openai import ChatOpenAI",
                "from x.openai import y",
                "import openai_compat",
                "# see the openai docs",
                "client = openai.OpenAI()",
                "from x import (\n    openai,\n)",
            ],
            "openai",
            Import,
            Python,
            false,
        );
        check(
            &[
                "import OpenAI from \"openai\";",
                "const { OpenAI } = require('openai/index');",
                "await import(`openai`)",
            ],
            "openai",
            Import,
            Js,
            true,
        );
        check(
            &[
                "import x from \"@azure/openai\"",
                "// openai",
                "\"openai-edge\"",
            ],
            "openai",
            Import,
            Js,
            false,
        );
        assert!(at("m = 'gpt-4o-mini'", "gpt-4o", StringStart, Python));
        assert!(at("m = f\"gpt-4o\"", "gpt-4o", StringStart, Python));
        assert!(!at("# uses gpt-4o", "gpt-4o", StringStart, Python));
        assert!(at(
            "{\"type\": 'function'}",
            "function",
            StringLiteral,
            Python
        ));
        assert!(at("{type: `function`}", "function", StringLiteral, Js));
        assert!(!at("function f() {}", "function", StringLiteral, Js));
        assert!(!at("'function calls'", "function", StringLiteral, Js));
        // A shape's value after its key (`type`, in `at`) and a colon.
        check(
            &[
                "{\"type\": \"function\"}",
                "{'type' :\n    f'function'}",
                "{type: \"function\"}",
                "{ type:`function` }",
            ],
            "function",
            Value,
            Python,
            true,
        );
        check(
            &[
                "if t == \"function\":",
                "{\"kind\": \"function\"}",
                "{\"subtype\": \"function\"}",
                "typeof x === \"function\"",
                "{\"type\": \"function calls\"}",
            ],
            "function",
            Value,
            Js,
            false,
        );
    }

    #[test]
    fn names_are_anchored_before_their_value() {
        use Anchor::{DictKey, Key, KeyOfList};
        use Family::{Js, Python};
        check(
            &[
                "f(messages=[m])",
                "f(messages = [\n  m])",
                "{ messages: [m] }",
                "f(messages=  # the turns\n  [m])",
                "x = {messages: /* turns */ [m]}",
            ],
            "messages",
            KeyOfList,
            Python,
            true,
        );
        check(
            &[
                "self.messages.append(m)",
                "f(messages=msgs)",
                "if messages == [m]:",
                "f(all_messages=[m])",
                "f(messages_=[m])",
                "for m in messages:",
            ],
            "messages",
            KeyOfList,
            Python,
            false,
        );
        check(
            &[
                "{\"input_schema\": s}",
                "{'input_schema' : s}",
                "{ input_schema: s }",
                "{ name, input_schema }",
                "{ input_schema,\n name }",
                "{\"input_schema\"  # why\n : s}",
            ],
            "input_schema",
            DictKey,
            Js,
            true,
        );
        check(
            &[
                "{\"input_schema\": s}",
                "{'input_schema' : s}",
                "{\"\"\"input_schema\"\"\": s}",
                "{\"input_schema\"  # why\n : s}",
            ],
            "input_schema",
            DictKey,
            Python,
            true,
        );
        // (a bare name keys a Python dict by its value; `name: T` is an annotation)
        check(
            &[
                "{ input_schema: s }",
                "class Tool(TypedDict):\n    input_schema: dict",
                "{ name, input_schema }",
            ],
            "input_schema",
            DictKey,
            Python,
            false,
        );
        check(
            &[
                "tool.input_schema = s",
                "f(input_schema=s)",
                "\"input_schema is required\"",
                "{\"input_schema\", \"name\"}",
                "x = my_input_schema: s",
                "print(input_schema)",
            ],
            "input_schema",
            DictKey,
            Python,
            false,
        );
        check(&["{ role: 'user' }", "f(role=r)"], "role", Key, Js, true);
        check(
            &["m.role === r", "{ $role: 'user' }", "role == r"],
            "role",
            Key,
            Js,
            false,
        );
    }

    #[test]
    fn words_in_prose_or_in_other_modules_leave_rules_dead() {
        let reg = crate::embedded_registry().unwrap();
        let pf = Prefilter::new(&reg, 1);
        let rule = |id: &str| reg.rules.iter().position(|r| r.id == id).unwrap();
        let py =
            "\"\"\"Works with openai and gpt-4o.\"\"\"\nfrom langchain_openai import ChatOpenAI\n";
        let live = pf.live(py, Family::Python).unwrap();
        assert!(live.contains(rule("openai/framework-import")));
        assert!(!live.contains(rule("openai/sdk-import")));
        assert!(!live.contains(rule("openai/chat-completions")));
        assert!(!live.contains(rule("openai/model-id")));
        let py = "import openai\nopenai.chat.completions.create(model='gpt-4o')\n";
        let live = pf.live(py, Family::Python).unwrap();
        for id in [
            "openai/sdk-import",
            "openai/chat-completions",
            "openai/model-id",
        ] {
            assert!(live.contains(rule(id)), "{id}");
        }
        // A literal that starts like a model id must be one (escapes decoded as the analyzer
        // decodes them, a raw string's kept), unless an interpolation, a line break or a triple
        // quote leave its value unknown.
        let model_id = |text: &str| {
            pf.live(text, Family::Python)
                .is_some_and(|l| l.contains(rule("openai/model-id")))
        };
        for text in [
            "m = 'gpt-4o'",
            "m = \"gpt-4o-mini\"",
            "m = \"gpt-4o-2024-08-06\"",
            "m = 'gpt-4o\\x2dmini'",
            "m = 'gpt-4o-\\\nmini'",
            "m = f'gpt-4o{size}'",
            "m = \"\"\"gpt-4o\"\"\"",
            "m = 'gpt-4o",
            "m = 'gpt-4o is great' or 'gpt-4o'",
        ] {
            assert!(model_id(text), "{text}");
        }
        for text in [
            "m = 'gpt-4o is great'",
            "m = 'gpt-4o\\x41'",
            "m = r'gpt-4o\\x2dmini'",
            "m = 'gpt-4o\\' is great'",
            "m = \"gpt-4o \" + x",
            "print('gpt-4o: done')",
        ] {
            assert!(!model_id(text), "{text}");
        }
        // Python usage examples in docstrings and comments: nothing to parse either.
        let doc = "\"\"\"Usage:\n    from openai import OpenAI\n    client.chat.completions.create(model=\"gpt-4o\", messages=[{\"role\": \"assistant\"}])\n\"\"\"\n# import anthropic\nx = 1\n";
        assert!(pf.live(doc, Family::Python).is_none());
        assert!(
            pf.live(&doc.replace("x = 1", "x = \"gpt-4o\""), Family::Python)
                .is_some()
        );
        // Prose alone: nothing to parse.
        assert!(
            pf.live("// see the openai docs for gpt-4o\n", Family::Js)
                .is_none()
        );
        assert!(
            pf.live("import OpenAI from 'openai';\n", Family::Js)
                .is_some_and(|l| l.contains(rule("openai/sdk-import")))
        );
        // Both automaton kinds agree.
        let dfa = Prefilter::new(&reg, DFA_FROM_FILES);
        for (text, fam) in [
            (py, Family::Python),
            ("x = {'type': 'function'}", Family::Python),
        ] {
            assert_eq!(
                pf.live(text, fam).map(|l| l.rules),
                dfa.live(text, fam).map(|l| l.rules)
            );
        }
    }

    #[test]
    fn words_of_queries() {
        let q = r#"((x) @k (#eq? @k "messages") (#match? @v "^[\"']assistant[\"']$") (#eq? @r "role"))"#;
        let mut w: Vec<String> = query_needs(q).iter().map(ToString::to_string).collect();
        w.sort();
        assert_eq!(w, ["\"assistant\"", "messages", "role"]);
        // Alternations, quantifiers and several patterns need nothing (run everywhere).
        assert!(query_needs(r#"[(a) (b)] @match (#eq? @match "x")"#).is_empty());
        assert!(query_needs(r#"((a)? @k (#eq? @k "x")) @match"#).is_empty());
        assert!(query_needs(r#"((a) @k (#eq? @k "x")) ((b) @match)"#).is_empty());
        // A literal on a keyword argument's or key's name is anchored there.
        let embedded = crate::embedded_registry().unwrap();
        let prefill = embedded
            .rules
            .iter()
            .find(|r| r.id == "anthropic/assistant-prefill")
            .unwrap();
        for (lang, text) in &prefill.matcher.query_text {
            let mut w: Vec<String> = query_needs(text).iter().map(ToString::to_string).collect();
            w.sort();
            let want: &[&str] = if *lang == crate::lang::RuleLang::Python {
                &["\"assistant\"", "\"role\"", "messages=[…]"]
            } else {
                &["\"assistant\"", "messages=[…]", "role="]
            };
            assert_eq!(w, want, "{lang:?}");
        }
        let root = |q: &str| query_root(q).map(|r| r.kind);
        assert_eq!(
            query_root("; c\n(pair key: (x) @k (#eq? @k \"messages\")) @match"),
            Some(QueryRoot {
                kind: "pair".to_string(),
                words: vec!["messages".to_string()]
            })
        );
        assert_eq!(root(r#"((pair) @k (#eq? @k "x")) @match"#), None);
        assert_eq!(root(r#"(_ (x) @k (#eq? @k "x")) @match"#), None);
        assert_eq!(root(r#"[(a) (b)] @match (#eq? @match "x")"#), None);
        assert!(
            !query_needs(
                r#"; a comment with ? and [
((a) @k (#eq? @k "x?[")) @match"#
            )
            .is_empty()
        );
    }
}
