//! Matching one parsed file against the registry: one traversal collects bindings and
//! candidate nodes, then each candidate is checked against the rules indexed for it.

pub mod config;
pub mod lexical;
pub(crate) mod literal;
pub mod manifest;
pub mod notebook;
pub mod outline;
mod scope;

use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::{Node, Parser, Point, QueryCursor, StreamingIterator, Tree};

use crate::finding::Finding;
use crate::lang::{Family, Field, Language, NodeFields, preorder};
use crate::prefilter::{Live, QueryRoot};
use crate::rules::{Category, PathPattern, Registry, RuleIdx, Seg, Vendor};
use crate::source::char_column;
use crate::suppress::{self, Directive, Notice, Suppressed};
use literal::{is_string, is_string_kind, key_text, string_value};
use scope::{Attribution, Resolved, Scope};

pub use scope::url_host;

/// What one file produced.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct FileAnalysis {
    pub findings: Vec<Finding>,
    /// Findings an inline `lockin: allow` suppressed, with its reason.
    pub suppressed: Vec<Suppressed>,
    /// Problems with the file's suppression comments.
    pub notices: Vec<Notice>,
    /// The tree had syntax errors; matching ran on the recovered tree.
    pub syntax_errors: bool,
    /// Functions, the names they call and local imports: input to the blast radius.
    pub outline: outline::Outline,
    /// OpenAI-compatible clients built with an endpoint from configuration: a portable path.
    pub portable_clients: usize,
    /// Findings over the per-file cap, not reported.
    #[serde(default)]
    pub findings_dropped: usize,
    /// A Python module without findings keeps no outline from its tree but the modules its
    /// text imports from (`outline::textual_imports`): the blast radius reads its outline from
    /// its tokens if it reaches it, as for a file the prefilter skipped.
    #[serde(default)]
    pub imports_from: Vec<String>,
}

/// Parses and analyzes source text in memory (tests, `explain`, rule examples).
pub fn analyze_source(src: &str, lang: Language, reg: &Registry) -> FileAnalysis {
    analyze_source_with(src, lang, reg, &Live::all(reg.rules.len()))
}

/// Like `analyze_source`, trying only the `live` rules.
pub fn analyze_source_with(src: &str, lang: Language, reg: &Registry, live: &Live) -> FileAnalysis {
    let mut parser = Parser::new();
    if parser.set_language(&lang.grammar()).is_err() {
        return FileAnalysis::default();
    }
    match parser.parse(src, None) {
        Some(tree) => analyze_tree(&tree, src, lang, reg, live, ""),
        None => FileAnalysis::default(),
    }
}

/// Analyzes a file's text by its name: a source language, a notebook or a manifest (tests,
/// examples).
pub fn analyze_file_text(
    src: &str,
    path: &std::path::Path,
    reg: &Registry,
) -> Option<FileAnalysis> {
    if let Some(kind) = crate::lang::ManifestKind::from_path(path) {
        return Some(manifest::analyze_manifest(src, kind, reg, ""));
    }
    if let Some(kind) = config::ConfigKind::from_path(path) {
        return Some(config::analyze_config(src, kind, reg, ""));
    }
    if crate::lang::is_notebook(path) {
        let nb = notebook::read(src)?;
        let mut a = analyze_source(&nb.python, Language::Python, reg);
        notebook::remap(&mut a, &nb.origins);
        return Some(a);
    }
    Language::from_path(path).map(|lang| analyze_source(src, lang, reg))
}

/// Runs a rule's `example`/`instead` snippet written for a rule language; manifest snippets are
/// read as requirements.txt.
pub fn analyze_example(code: &str, lang: crate::lang::RuleLang, reg: &Registry) -> FileAnalysis {
    use crate::lang::RuleLang;
    match lang {
        RuleLang::Python => analyze_source(code, Language::Python, reg),
        RuleLang::Typescript => analyze_source(code, Language::Typescript, reg),
        RuleLang::Javascript => analyze_source(code, Language::Javascript, reg),
        // (manifest examples are requirement lines, or Terraform for `resource` rules)
        RuleLang::Manifest if code.trim_start().starts_with("resource \"") => {
            config::analyze_config(code, config::ConfigKind::Terraform, reg, "")
        }
        RuleLang::Manifest => {
            manifest::analyze_manifest(code, crate::lang::ManifestKind::Requirements, reg, "")
        }
    }
}

/// One rule matched at one node, before it becomes a `Finding`.
pub(crate) struct Hit {
    rule: RuleIdx,
    vendor: Vendor,
    range: Range<usize>,
    start: Point,
    end: Point,
    matched: Option<String>,
    via: Option<String>,
}

struct Analyzer<'t, 'r> {
    src: &'t str,
    lang: Language,
    fam: Family,
    reg: &'r Registry,
    scope: Scope<'t, 'r>,
    hits: Vec<Hit>,
    /// Hits from `?`-rooted patterns: kept only if the file uses that vendor's SDK.
    deferred: Vec<Hit>,
    /// Byte ranges of secrets, masked in every snippet of the file.
    secrets: Vec<Range<usize>>,
    directives: Vec<Directive>,
    /// The rules the prefilter found the words of in this file.
    live: &'r Live,
    /// Some string rule is live.
    strings_live: bool,
}

/// Matches the live rules against a parsed file and builds its outline.
///
/// In a tree with syntax errors every rule is tried, whatever `live` says: error recovery can
/// skip tokens and assemble a match from words that do not stand where the prefilter's anchors
/// look for them (`"function"}parameters": {}` read as a key `parameters`).
pub fn analyze_tree(
    tree: &Tree,
    src: &str,
    lang: Language,
    reg: &Registry,
    live: &Live,
    path: &str,
) -> FileAnalysis {
    let syntax_errors = tree.root_node().has_error();
    let every_rule;
    let live = if syntax_errors {
        every_rule = Live::all(reg.rules.len());
        &every_rule
    } else {
        live
    };
    let fam = lang.family();
    let mut a = Analyzer {
        src,
        lang,
        fam,
        reg,
        scope: Scope::new(src, fam, reg),
        hits: Vec::new(),
        deferred: Vec::new(),
        secrets: Vec::new(),
        directives: Vec::new(),
        live,
        strings_live: live.any_of(&reg.string_rules),
    };
    let mut calls = Vec::new();
    let mut members = Vec::new();
    let mut subscripts = Vec::new();
    let mut outline = outline::OutlineBuilder::default();
    // Nodes a live query can be rooted in (by kind).
    let root_kinds = a.query_root_kinds();
    let mut query_roots = Vec::new();

    preorder(tree, lang, |node, kind| {
        if root_kinds.contains(&kind) {
            query_roots.push(node);
        }
        a.scope.collect(node, kind);
        outline.visit(node, kind, src, fam);
        match kind {
            "call" | "call_expression" | "new_expression" => calls.push(node),
            "attribute" | "member_expression" if a.is_member_candidate(node) => {
                members.push(node);
            }
            "subscript" | "subscript_expression" => subscripts.push(node),
            "dictionary" | "object" => a.match_shapes(node),
            "variable_declarator" => a.match_env_destructuring(node),
            "comment" => a.read_directive(node),
            _ if is_string_kind(kind, node, fam) => a.match_string(node),
            _ => {}
        }
    });
    a.scope.finish();

    for call in &calls {
        if fam == Family::Js
            && let Some(module) = a.scope.js_loaded_module(*call)
        {
            a.scope.imports.push(scope::Import {
                node: *call,
                module,
            });
        }
    }
    a.match_imports();
    for call in calls {
        a.match_call(call);
    }
    for m in members {
        a.match_member(m);
    }
    for s in subscripts {
        a.match_env_subscript(s);
    }
    a.match_queries(tree, &query_roots);
    a.keep_deferred();

    let portable_clients = a.scope.portable_sites.len();
    let directives = std::mem::take(&mut a.directives);
    let outline = outline.finish();
    let findings = findings_from_hits(a.src, a.reg, a.hits, &a.secrets, path, &|at| {
        outline.enclosing(at).map(|f| f.name.clone())
    });
    let (findings, suppressed, notices) = suppress::apply(findings, &directives, reg, path);
    FileAnalysis {
        findings,
        suppressed,
        notices,
        syntax_errors,
        outline,
        portable_clients,
        findings_dropped: 0,
        imports_from: Vec::new(),
    }
}

/// The outline of a parsed file alone, without matching any rule (a file the prefilter proved no
/// rule can fire in, reached by the blast radius): the same outline `analyze_tree` gives.
pub fn outline_tree(tree: &Tree, src: &str, lang: Language) -> outline::Outline {
    let mut outline = outline::OutlineBuilder::default();
    let fam = lang.family();
    preorder(tree, lang, |node, kind| outline.visit(node, kind, src, fam));
    outline.finish()
}

impl<'t, 'r> Analyzer<'t, 'r> {
    fn text(&self, node: Node<'t>) -> &'t str {
        self.src.get(node.byte_range()).unwrap_or("")
    }

    fn applies(&self, rule: RuleIdx) -> bool {
        self.live.contains(rule) && self.reg.rules[rule].applies_to(self.lang)
    }

    fn hit(&self, rule: RuleIdx, node: Node<'t>, matched: Option<String>) -> Hit {
        Hit {
            rule,
            vendor: self.reg.rules[rule].vendor,
            range: node.byte_range(),
            start: node.start_position(),
            end: node.end_position(),
            matched,
            via: None,
        }
    }

    /// A `lockin: allow` comment: on its own line it applies to the next line of code, after
    /// code to its own line.
    fn read_directive(&mut self, node: Node<'t>) {
        let text = self.text(node);
        if !text.contains("lockin:") {
            return;
        }
        let Some((file_level, terms, reason)) = suppress::parse_comment(text) else {
            return;
        };
        let row = node.start_position().row;
        let line_start = node.start_byte() - node.start_position().column;
        let alone = self.src[line_start..node.start_byte()].trim().is_empty();
        let target = if file_level {
            None
        } else if alone {
            let next_code = self.src[node.end_byte()..]
                .split('\n')
                .skip(1)
                .position(|l| {
                    let l = l.trim();
                    !l.is_empty() && !l.starts_with('#') && !l.starts_with("//")
                });
            Some(node.end_position().row + 2 + next_code.unwrap_or(0))
        } else {
            Some(row + 1)
        };
        let column = char_column(
            source_line(self.src, line_start),
            node.start_position().column,
        );
        self.directives.push(Directive {
            line: row + 1,
            column,
            target,
            terms,
            reason,
        });
    }

    fn match_imports(&mut self) {
        let mut hits = Vec::new();
        for imp in &self.scope.imports {
            for (ri, pat) in &self.reg.imports {
                if self.applies(*ri) && pat.matches(&imp.module) {
                    hits.push(self.hit(*ri, imp.node, None));
                }
            }
        }
        self.hits.extend(hits);
    }

    fn match_call(&mut self, call: Node<'t>) {
        let Some(resolved) = self.scope.resolve(call) else {
            return;
        };
        let callee = &resolved.segs[..resolved.segs.len().saturating_sub(1)];
        if self.fam == Family::Python && is_env_getter(callee) {
            let first = call.field(Field::Arguments).and_then(|a| a.named_child(0));
            if let Some(var) = first.and_then(|n| self.exact_string(n)) {
                self.match_env_name(&var, call);
            }
        }
        let reg = self.reg;
        let by_root = match callee.first() {
            Some(Seg::Name(root)) => reg.calls_by_root.get(&**root),
            _ => None,
        };
        let unknown_root = matches!(callee.first(), Some(Seg::Unknown(_)));
        let unknown = reg.calls_unknown.iter().filter(|(_, _, key)| {
            unknown_root
                && callee
                    .iter()
                    .any(|s| matches!(s, Seg::Name(n) if **n == **key))
        });
        let candidates: Vec<(RuleIdx, &PathPattern)> = by_root
            .into_iter()
            .flatten()
            .chain(reg.calls_any.iter())
            .map(|(ri, p)| (*ri, p))
            .chain(unknown.map(|(ri, p, _)| (*ri, p)))
            .collect();
        for (ri, pat) in candidates {
            if !self.applies(ri) || !pat.matches(callee) {
                continue;
            }
            let rule = &reg.rules[ri];
            let Some((vendor, via)) = attribute(&resolved, rule.vendor) else {
                continue;
            };
            let mut hits = Vec::new();
            if rule.matcher.args.is_empty() {
                hits.push(self.hit(ri, call, None));
            } else if let Some(args) = call.field(Field::Arguments) {
                for arg in self.named_args(args, &rule.matcher.args) {
                    hits.push(self.hit(ri, arg, None));
                }
            }
            for mut h in hits {
                h.vendor = vendor;
                h.via.clone_from(&via);
                if pat.is_unknown_rooted() {
                    self.deferred.push(h);
                } else {
                    self.hits.push(h);
                }
            }
        }
    }

    /// Keyword arguments (Python) and top-level option keys (JS) of a call named in `names`.
    fn named_args(&self, args: Node<'t>, names: &[String]) -> Vec<Node<'t>> {
        let mut out = Vec::new();
        let mut c = args.walk();
        for arg in args.named_children(&mut c) {
            match arg.kind() {
                "keyword_argument" => {
                    if let Some(n) = arg.field(Field::Name)
                        && names.iter().any(|x| x == self.text(n))
                    {
                        out.push(arg);
                    }
                }
                "object" => {
                    let mut c2 = arg.walk();
                    for pair in arg.named_children(&mut c2) {
                        let key = match pair.kind() {
                            "pair" => pair
                                .field(Field::Key)
                                .and_then(|k| key_text(k, self.src, self.fam)),
                            "shorthand_property_identifier" => Some(self.text(pair).to_string()),
                            _ => None,
                        };
                        if key.is_some_and(|k| names.contains(&k)) {
                            out.push(pair);
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn is_member_candidate(&self, node: Node<'t>) -> bool {
        let prop = scope::member_parts(node, self.fam).map(|(_, p)| p);
        let Some(prop) = prop else { return false };
        if self.reg.members_by_name.contains_key(self.text(prop)) {
            return true;
        }
        // `process.env.NAME` / `import.meta.env.NAME`
        self.fam == Family::Js
            && node.field(Field::Object).is_some_and(|o| {
                o.kind() == "member_expression"
                    && o.field(Field::Property)
                        .is_some_and(|p| self.text(p) == "env")
            })
    }

    fn match_member(&mut self, node: Node<'t>) {
        let prop = scope::member_parts(node, self.fam).map(|(_, p)| p);
        let Some(prop) = prop else { return };
        let name = self.text(prop);
        if self.fam == Family::Js
            && let Some(obj) = node.field(Field::Object)
            && self.is_env_object(obj)
        {
            self.match_env_name(name, node);
        }
        let reg = self.reg;
        let Some(patterns) = reg.members_by_name.get(name) else {
            return;
        };
        let Some(resolved) = self.scope.resolve(node) else {
            return;
        };
        for (ri, pat) in patterns {
            if !self.applies(*ri) || !pat.matches(&resolved.segs) {
                continue;
            }
            let Some((vendor, via)) = attribute(&resolved, reg.rules[*ri].vendor) else {
                continue;
            };
            let mut h = self.hit(*ri, node, None);
            h.vendor = vendor;
            h.via = via;
            if pat.is_unknown_rooted() {
                self.deferred.push(h);
            } else {
                self.hits.push(h);
            }
        }
    }

    fn is_env_object(&mut self, obj: Node<'t>) -> bool {
        if self.text(obj) == "import.meta.env" {
            return true;
        }
        self.scope.resolve(obj).is_some_and(|r| is_env_map(&r.segs))
    }

    fn match_env_subscript(&mut self, node: Node<'t>) {
        let (obj, key) = match self.fam {
            Family::Python => (node.field(Field::Value), node.field(Field::Subscript)),
            Family::Js => (node.field(Field::Object), node.field(Field::Index)),
        };
        let (Some(obj), Some(key)) = (obj, key) else {
            return;
        };
        let Some(var) = self.exact_string(key) else {
            return;
        };
        if self.is_env_object(obj) {
            self.match_env_name(&var, node);
        }
    }

    /// `const { OPENAI_API_KEY } = process.env`
    fn match_env_destructuring(&mut self, node: Node<'t>) {
        let (Some(pattern), Some(value)) = (node.field(Field::Name), node.field(Field::Value))
        else {
            return;
        };
        if pattern.kind() != "object_pattern" || self.fam != Family::Js {
            return;
        }
        let is_env = value.kind() == "member_expression"
            && value
                .field(Field::Property)
                .is_some_and(|p| self.text(p) == "env")
            && value
                .field(Field::Object)
                .is_some_and(|o| matches!(self.text(o), "process" | "import.meta"));
        if !is_env {
            return;
        }
        let mut c = pattern.walk();
        let props: Vec<Node<'t>> = pattern.named_children(&mut c).collect();
        for prop in props {
            let key = match prop.kind() {
                "shorthand_property_identifier_pattern" => Some(prop),
                "pair_pattern" | "object_assignment_pattern" => {
                    prop.field(Field::Key).or_else(|| prop.field(Field::Left))
                }
                _ => None,
            };
            if let Some(k) = key.and_then(|k| {
                key_text(k, self.src, self.fam).or_else(|| Some(self.text(k).to_string()))
            }) {
                self.match_env_name(&k, prop);
            }
        }
    }

    fn match_env_name(&mut self, var: &str, node: Node<'t>) {
        let mut hits = Vec::new();
        for (ri, pat) in &self.reg.env {
            if self.applies(*ri) && pat.matches(var) {
                hits.push(self.hit(*ri, node, Some(var.to_string())));
            }
        }
        self.hits.extend(hits);
    }

    fn exact_string(&self, node: Node<'t>) -> Option<String> {
        if !is_string(node, self.fam) {
            return None;
        }
        string_value(node, self.src, self.fam)
            .filter(|v| v.exact)
            .map(|v| v.value)
    }

    fn match_string(&mut self, node: Node<'t>) {
        if !self.strings_live || self.is_doc_or_directive(node) {
            return;
        }
        let Some(value) = string_value(node, self.src, self.fam) else {
            return;
        };
        let matches = self.reg.strings.matches(&value.value);
        if !matches.matched_any() {
            return;
        }
        for i in matches.iter() {
            let ri = self.reg.string_rules[i];
            if !self.applies(ri) {
                continue;
            }
            if self.reg.rules[ri].redact {
                self.secrets.push(node.byte_range());
            }
            let h = self.hit(ri, node, Some(value.value.clone()));
            self.hits.push(h);
        }
    }

    /// Docstrings, bare string statements (`"use strict"`) and module specifiers are not
    /// string data: never matched.
    fn is_doc_or_directive(&self, node: Node<'t>) -> bool {
        let mut parent = node.parent();
        if parent.is_some_and(|p| p.kind() == "concatenated_string") {
            parent = parent.and_then(|p| p.parent());
        }
        let Some(p) = parent else { return false };
        match p.kind() {
            "expression_statement" => {
                let mut c = p.walk();
                p.named_children(&mut c)
                    .filter(|n| n.kind() != "comment")
                    .count()
                    == 1
            }
            "import_statement" | "export_statement" | "import_from_statement" => true,
            _ => false,
        }
    }

    fn match_shapes(&mut self, node: Node<'t>) {
        if self.reg.shapes.is_empty() {
            return;
        }
        // (key, node to report, value)
        let mut entries: Vec<(String, Node<'t>, Option<Node<'t>>)> = Vec::new();
        let mut c = node.walk();
        for child in node.named_children(&mut c) {
            match child.kind() {
                "pair" => {
                    // (a bare name keys a Python dict by the variable's value, not its name)
                    if let Some(k) = child
                        .field(Field::Key)
                        .filter(|k| self.fam == Family::Js || is_string(*k, self.fam))
                        .and_then(|k| key_text(k, self.src, self.fam))
                    {
                        entries.push((k, child, child.field(Field::Value)));
                    }
                }
                "shorthand_property_identifier" => {
                    entries.push((self.text(child).to_string(), child, None))
                }
                _ => {}
            }
        }
        if entries.is_empty() {
            return;
        }
        let mut hits = Vec::new();
        for (ri, shape) in &self.reg.shapes {
            if !self.applies(*ri) {
                continue;
            }
            let find = |k: &str| entries.iter().find(|e| e.0 == k);
            let Some(first) = find(&shape.keys[0]) else {
                continue;
            };
            let all_keys = shape.keys.iter().all(|k| find(k).is_some());
            let all_values = shape.equals.iter().all(|(k, want)| {
                find(k)
                    .and_then(|e| e.2)
                    .and_then(|v| self.exact_string(v))
                    .is_some_and(|v| v == *want)
            });
            if all_keys && all_values {
                hits.push(self.hit(*ri, first.1, None));
            }
        }
        self.hits.extend(hits);
    }

    /// The node kinds the live queries of this language are rooted in, where known.
    fn query_root_kinds(&self) -> Vec<&'r str> {
        let i = self.lang.index();
        let mut kinds: Vec<&str> = self.reg.queries[i]
            .iter()
            .zip(&self.reg.query_roots[i])
            .filter(|((ri, _), _)| self.live.contains(*ri))
            .filter_map(|(_, root)| root.as_ref().map(|r| r.kind.as_str()))
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        kinds
    }

    /// Runs the live queries. A query with a known root runs only at the nodes of that kind
    /// that hold its words (`roots`, in pre-order), each match rooted there: the matches of a
    /// run over the whole tree, without visiting the rest of it. Any other query runs on the
    /// whole tree.
    fn match_queries(&mut self, tree: &'t Tree, roots: &[Node<'t>]) {
        let reg = self.reg;
        let i = self.lang.index();
        let queries = &reg.queries[i];
        if queries.is_empty() {
            return;
        }
        let src = self.src.as_bytes();
        let mut cursor = QueryCursor::new();
        for ((ri, q), root) in queries.iter().zip(&reg.query_roots[i]) {
            if !self.live.contains(*ri) {
                continue;
            }
            // (an embedded query that does not compile is caught by the rule tests)
            let Ok(q) = q.compile() else {
                continue;
            };
            let Some(cap) = q.capture_index_for_name("match") else {
                continue;
            };
            let starts = query_starts(tree, src, root.as_ref(), roots);
            let captured = query_captures(&mut cursor, q, cap, &starts, root.is_some(), src);
            let hits: Vec<Hit> = captured
                .into_iter()
                .map(|node| self.hit(*ri, node, None))
                .collect();
            self.hits.extend(hits);
        }
    }

    /// `?`-rooted patterns guess at receivers lockin could not resolve; they count only in a
    /// file that imports the vendor's SDK and does not build a portable client of it.
    fn keep_deferred(&mut self) {
        let deferred = std::mem::take(&mut self.deferred);
        for h in deferred {
            let sdk = self.reg.rules[h.rule].vendor;
            let imports_sdk = self.reg.pack_for(sdk).any(|p| {
                p.modules
                    .iter()
                    .any(|m| self.scope.imports.iter().any(|i| m.matches(&i.module)))
            });
            let only_portable = self.scope.portable_clients.contains(&sdk)
                && !self.scope.direct_clients.contains(&sdk);
            if imports_sdk && !only_portable {
                self.hits.push(h);
            }
        }
    }
}

/// Where a query is run: at each node of `roots` of the query's root kind holding all its words,
/// or (no known root) at the root of the tree.
fn query_starts<'t>(
    tree: &'t Tree,
    src: &[u8],
    root: Option<&QueryRoot>,
    roots: &[Node<'t>],
) -> Vec<Node<'t>> {
    let Some(QueryRoot { kind, words }) = root else {
        return vec![tree.root_node()];
    };
    let at: Vec<Vec<usize>> = words
        .iter()
        .map(|w| memchr::memmem::find_iter(src, w.as_bytes()).collect())
        .collect();
    let holds = |node: &Node| {
        let r = node.byte_range();
        words.iter().zip(&at).all(|(w, at)| {
            let first = at.partition_point(|&p| p < r.start);
            at.get(first).is_some_and(|&p| p + w.len() <= r.end)
        })
    };
    roots
        .iter()
        .filter(|n| n.kind() == kind && holds(n))
        .copied()
        .collect()
}

/// The `@match` captures (index `cap`) of `q` run at each of `starts`; with `rooted`, only
/// matches rooted at the start node itself.
fn query_captures<'t>(
    cursor: &mut QueryCursor,
    q: &tree_sitter::Query,
    cap: u32,
    starts: &[Node<'t>],
    rooted: bool,
    src: &[u8],
) -> Vec<Node<'t>> {
    cursor.set_max_start_depth(rooted.then_some(0));
    let mut out = Vec::new();
    for node in starts {
        let mut it = cursor.matches(q, *node, src);
        while let Some(m) = it.next() {
            out.extend(
                m.captures()
                    .iter()
                    .filter(|c| c.index == cap)
                    .map(|c| c.node),
            );
        }
    }
    out
}

/// Turns raw hits into findings: `supersedes` applied, one finding per rule and place, line
/// and column computed, snippets taken with secrets masked, sorted.
pub(crate) fn findings_from_hits(
    src: &str,
    reg: &Registry,
    mut hits: Vec<Hit>,
    secrets: &[Range<usize>],
    path: &str,
    enclosing: &dyn Fn(usize) -> Option<String>,
) -> Vec<Finding> {
    if hits.is_empty() {
        return Vec::new();
    }
    // A specific rule replaces a general one on the same node (`supersedes`).
    let mut at: HashMap<(usize, usize), Vec<RuleIdx>> = HashMap::new();
    for h in &hits {
        at.entry((h.range.start, h.range.end))
            .or_default()
            .push(h.rule);
    }
    hits.retain(|h| {
        !at[&(h.range.start, h.range.end)]
            .iter()
            .any(|&other| reg.supersedes[other].contains(&h.rule))
    });
    // One finding per rule and place: an inner match of the same rule is dropped.
    hits.sort_by_key(|a| (a.rule, a.range.start, std::cmp::Reverse(a.range.end)));
    let mut kept: Vec<Hit> = Vec::with_capacity(hits.len());
    for h in hits {
        let inside = kept.last().is_some_and(|k| {
            k.rule == h.rule && k.range.start <= h.range.start && h.range.end <= k.range.end
        });
        if !inside {
            kept.push(h);
        }
    }

    let lines = LineIndex::new(src);
    let mut out: Vec<Finding> = kept
        .into_iter()
        .map(|h| {
            let rule = &reg.rules[h.rule];
            let start_line = lines.line(src, h.start.row);
            let end_line = lines.line(src, h.end.row);
            let shown = if rule.redact {
                Some("[redacted]".to_string())
            } else {
                h.matched.clone()
            };
            let mut message = match &shown {
                Some(m) => rule.message.replace("{match}", &truncate(m, 80)),
                None => rule.message.replace("{match}", ""),
            };
            if rule.category == Category::ModelId
                && let Some(m) = &h.matched
            {
                message.push_str(&format!(" ({})", reg.model_note(m)));
            }
            if let Some(host) = &h.via {
                message.push_str(&format!(" (client pointed at {host})"));
            }
            let matched = if rule.redact {
                "[redacted]".to_string()
            } else {
                normalise(&src[h.range.clone()])
            };
            Finding {
                rule_id: rule.id.clone(),
                vendor: h.vendor,
                category: rule.category,
                severity: rule.severity,
                path: path.to_string(),
                line: h.start.row + 1,
                column: char_column(start_line, h.start.column),
                end_line: h.end.row + 1,
                end_column: char_column(end_line, h.end.column),
                message,
                hint: rule.hint.clone(),
                snippet: snippet(src, &lines, h.start.row, secrets),
                via: h.via,
                fingerprint: String::new(),
                matched,
                function: enclosing(h.range.start),
                cell: None,
                cell_line: None,
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Decides who a match through a client belongs to: the client's SDK vendor, or the vendor of
/// the host it was pointed at; `None` when the client is portable.
fn attribute(resolved: &Resolved, rule_vendor: Vendor) -> Option<(Vendor, Option<String>)> {
    match &resolved.client {
        Some(tag) => match &tag.attribution {
            Attribution::Portable => None,
            Attribution::Vendor(v, host) => Some((*v, Some(host.clone()))),
            Attribution::Default => Some((tag.sdk, None)),
        },
        None => Some((rule_vendor, None)),
    }
}

fn root_is(segs: &[Seg], name: &str) -> bool {
    matches!(segs.first(), Some(Seg::Name(n) | Seg::Unknown(n)) if &**n == name)
}

fn seg_is(seg: Option<&Seg>, name: &str) -> bool {
    matches!(seg, Some(Seg::Name(n)) if &**n == name)
}

/// `os.environ` (Python) or `process.env` (JS).
fn is_env_map(segs: &[Seg]) -> bool {
    segs.len() == 2
        && ((root_is(segs, "os") && seg_is(segs.get(1), "environ"))
            || (matches!(&segs[0], Seg::Unknown(n) if &**n == "process")
                && seg_is(segs.get(1), "env")))
}

/// `os.getenv`, `os.environ.get`, `os.environ.setdefault`.
fn is_env_getter(callee: &[Seg]) -> bool {
    (callee.len() == 2 && root_is(callee, "os") && seg_is(callee.get(1), "getenv"))
        || (callee.len() == 3
            && is_env_map(&callee[..2])
            && (seg_is(callee.get(2), "get") || seg_is(callee.get(2), "setdefault")))
}

/// The first line of a matched text with runs of whitespace collapsed, for fingerprints.
fn normalise(text: &str) -> String {
    let first = text.lines().next().unwrap_or("");
    let mut out = String::new();
    for word in first.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
        if out.len() > 200 {
            break;
        }
    }
    out
}

/// The text of the line starting at byte `start`.
fn source_line(src: &str, start: usize) -> &str {
    let rest = &src[start..];
    let line = rest.split('\n').next().unwrap_or("");
    line.strip_suffix('\r').unwrap_or(line)
}

fn truncate(s: &str, max: usize) -> String {
    let one_line = s.lines().next().unwrap_or("");
    if one_line.chars().count() <= max && one_line.len() == s.len() {
        return s.to_string();
    }
    let cut: String = one_line.chars().take(max).collect();
    format!("{cut}…")
}

/// Line starts of a file, for line text by row.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(src: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            src.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    fn range(&self, src: &str, row: usize) -> Range<usize> {
        let start = self.starts.get(row).copied().unwrap_or(src.len());
        let end = self.starts.get(row + 1).map_or(src.len(), |e| e - 1);
        start..end.max(start)
    }

    fn line<'s>(&self, src: &'s str, row: usize) -> &'s str {
        let l = &src[self.range(src, row)];
        l.strip_suffix('\r').unwrap_or(l)
    }

    /// The 0-based row holding a byte offset.
    fn row(&self, at: usize) -> usize {
        self.starts.partition_point(|&s| s <= at) - 1
    }
}

const SNIPPET_MAX: usize = 200;

/// The source line of a finding, with every secret of the file masked, cut to a sane width.
fn snippet(src: &str, lines: &LineIndex, row: usize, secrets: &[Range<usize>]) -> String {
    let range = lines.range(src, row);
    let mut text = String::new();
    let mut pos = range.start;
    for s in secrets
        .iter()
        .filter(|s| s.start < range.end && s.end > range.start)
    {
        let start = s.start.max(pos);
        if start > pos {
            text.push_str(&src[pos..start]);
        }
        text.push_str("\"[redacted]\"");
        pos = s.end.min(range.end).max(pos);
    }
    text.push_str(&src[pos.min(range.end)..range.end]);
    let text = text.trim_end();
    if text.chars().count() > SNIPPET_MAX {
        let cut: String = text.chars().take(SNIPPET_MAX).collect();
        format!("{cut}…")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod query_tests {
    use super::*;

    /// Every source file under `dir`, recursively.
    fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, out);
            } else if Language::from_path(&path).is_some() {
                out.push(path);
            }
        }
    }

    /// A query run at the nodes of its root kind that hold its words finds what it finds run
    /// over the whole tree, on every fixture and on nested and repeated lists.
    #[test]
    fn rooted_queries_find_what_whole_tree_queries_find() {
        let reg = crate::embedded_registry().unwrap();
        let mut files = Vec::new();
        sources(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures")
                .as_path(),
            &mut files,
        );
        let mut texts: Vec<(Language, String)> = files
            .iter()
            .map(|p| {
                (
                    Language::from_path(p).unwrap(),
                    std::fs::read_to_string(p).unwrap(),
                )
            })
            .collect();
        let nested = "f(messages=[{\"role\": \"user\", \"content\": g(messages=[{'role': 'assistant', 'content': '{'}])}, {\"role\": \"assistant\", \"content\": x}])\n";
        texts.push((Language::Python, nested.repeat(3)));
        let nested_js = "f({ messages: [{ role: \"user\", content: g({ messages: [{ role: 'assistant', content: '{' }] }) }, { role: \"assistant\", content: x }] });\n";
        texts.push((Language::Javascript, nested_js.repeat(3)));
        texts.push((Language::Typescript, nested_js.repeat(2)));
        let mut parser = Parser::new();
        let mut cursor = QueryCursor::new();
        let mut found = 0;
        for (lang, text) in &texts {
            parser.set_language(&lang.grammar()).unwrap();
            let tree = parser.parse(text, None).unwrap();
            let mut all = Vec::new();
            preorder(&tree, *lang, |node, _| all.push(node));
            let i = lang.index();
            for ((_, q), root) in reg.queries[i].iter().zip(&reg.query_roots[i]) {
                let Some(root) = root else { continue };
                let q = q.compile().unwrap();
                let cap = q.capture_index_for_name("match").unwrap();
                let src = text.as_bytes();
                let ranges = |nodes: Vec<Node>| {
                    let mut r: Vec<_> = nodes.iter().map(Node::byte_range).collect();
                    r.sort_by_key(|r| (r.start, r.end));
                    r
                };
                let whole = ranges(query_captures(
                    &mut cursor,
                    q,
                    cap,
                    &[tree.root_node()],
                    false,
                    src,
                ));
                let starts = query_starts(&tree, src, Some(root), &all);
                let rooted = ranges(query_captures(&mut cursor, q, cap, &starts, true, src));
                assert_eq!(rooted, whole, "{lang:?}: {text}");
                found += whole.len();
            }
        }
        assert!(found >= 12, "the fixtures hold matches: {found}");
    }
}
