//! The outline of a file for the blast radius: its named functions, the names each of them
//! calls, and the names it imports from the project's own modules.

use serde::{Deserialize, Serialize};
use tree_sitter::Node;

use super::literal::{key_text, string_value};
use crate::lang::{Family, Field, NodeFields};

/// A named function or method and the (simple) names it calls.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionInfo {
    /// `name`, or `Class.method` for methods.
    pub name: String,
    pub line: usize,
    pub calls: Vec<String>,
    #[serde(skip)]
    pub start: usize,
    #[serde(skip)]
    pub end: usize,
}

impl FunctionInfo {
    /// The name callers use: the method name without its class.
    pub fn simple_name(&self) -> &str {
        self.name.rsplit('.').next().unwrap_or(&self.name)
    }
}

/// `from .llm import answer` / `import { answer } from "./llm"`: names imported from a module.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalImport {
    /// The module as written (`.llm`, `app.llm`, `./llm`).
    pub module: String,
    pub names: Vec<String>,
    pub line: usize,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Outline {
    /// Sorted by start offset.
    pub functions: Vec<FunctionInfo>,
    pub imports: Vec<LocalImport>,
}

fn text<'a>(node: Node, src: &'a str) -> &'a str {
    src.get(node.byte_range()).unwrap_or("")
}

/// The name a function node is known by, if it has one.
pub fn function_name(node: Node, src: &str, fam: Family) -> Option<String> {
    let own = |n: Node| n.field(Field::Name).map(|x| text(x, src).to_string());
    match (fam, node.kind()) {
        (Family::Python, "function_definition") => {
            let name = own(node)?;
            // (a decorated method's parent is its decorated definition, in the class's block)
            let class = node
                .parent()
                .and_then(|p| {
                    if p.kind() == "decorated_definition" {
                        p.parent()
                    } else {
                        Some(p)
                    }
                })
                .filter(|b| b.kind() == "block")
                .and_then(|b| b.parent())
                .filter(|c| c.kind() == "class_definition")
                .and_then(own);
            Some(class.map_or(name.clone(), |c| format!("{c}.{name}")))
        }
        (Family::Js, "function_declaration" | "generator_function_declaration") => own(node),
        (Family::Js, "method_definition") => {
            let name = own(node)?;
            let class = node
                .parent()
                .filter(|b| b.kind() == "class_body")
                .and_then(|b| b.parent())
                .and_then(own);
            Some(class.map_or(name.clone(), |c| format!("{c}.{name}")))
        }
        (Family::Js, "arrow_function" | "function_expression" | "function") => {
            let parent = node.parent()?;
            let name = match parent.kind() {
                "variable_declarator" => parent.field(Field::Name)?,
                "pair" => parent.field(Field::Key)?,
                "assignment_expression" => parent.field(Field::Left)?,
                "public_field_definition" | "field_definition" => parent
                    .field(Field::Name)
                    .or_else(|| parent.field(Field::Property))?,
                _ => return None,
            };
            if name.kind() == "object_pattern" || name.kind() == "array_pattern" {
                return None;
            }
            Some(text(name, src).rsplit('.').next().unwrap_or("").to_string())
                .filter(|n| !n.is_empty())
        }
        _ => None,
    }
}

/// Builds a file's outline from the nodes of a pre-order traversal.
#[derive(Default)]
pub struct OutlineBuilder {
    outline: Outline,
    /// (start offset, callee name) of every call, in traversal (so offset) order.
    calls: Vec<(usize, String)>,
}

impl OutlineBuilder {
    pub fn visit(&mut self, node: Node, kind: &str, src: &str, fam: Family) {
        match kind {
            "call" | "call_expression" | "new_expression" => {
                if let Some(name) = callee_name(node, src) {
                    self.calls.push((node.start_byte(), name));
                }
            }
            "function_definition"
            | "function_declaration"
            | "generator_function_declaration"
            | "method_definition"
            | "arrow_function"
            | "function_expression"
            | "function" => {
                if let Some(name) = function_name(node, src, fam) {
                    self.outline.functions.push(FunctionInfo {
                        name,
                        line: node.start_position().row + 1,
                        calls: Vec::new(),
                        start: node.start_byte(),
                        end: node.end_byte(),
                    });
                }
            }
            "import_from_statement" | "import_statement" => {
                if let Some(imp) = local_import(node, src, fam) {
                    self.outline.imports.push(imp);
                }
            }
            _ => {}
        }
    }

    /// The outline, each call attached to the innermost function holding it.
    pub fn finish(mut self) -> Outline {
        self.outline.attach_calls(&self.calls);
        self.outline
    }
}

/// The simple name a call's callee ends in.
pub fn callee_name(call: Node, src: &str) -> Option<String> {
    let mut callee = call
        .field(Field::Function)
        .or_else(|| call.field(Field::Constructor))?;
    // tree-sitter-python reads `[*f(x)]` as a call of `*f`
    if callee.kind() == "list_splat" {
        callee = callee.named_child(0)?;
    }
    let name = match callee.kind() {
        "identifier" => callee,
        "attribute" => callee.field(Field::Attribute)?,
        "member_expression" => callee.field(Field::Property)?,
        _ => return None,
    };
    Some(text(name, src).to_string())
}

/// Names a file imports from other modules (relative or absolute), for cross-module reach.
pub fn local_import(node: Node, src: &str, fam: Family) -> Option<LocalImport> {
    let line = node.start_position().row + 1;
    match (fam, node.kind()) {
        (Family::Python, "import_from_statement") => {
            let module = text(node.field(Field::ModuleName)?, src).to_string();
            let mut names = Vec::new();
            let mut c = node.walk();
            for n in node.children_by_field_name("name", &mut c) {
                let orig = if n.kind() == "aliased_import" {
                    n.field(Field::Name)?
                } else {
                    n
                };
                names.push(text(orig, src).to_string());
            }
            Some(LocalImport {
                module,
                names,
                line,
            })
        }
        (Family::Js, "import_statement") => {
            let module = string_value(node.field(Field::Source)?, src, fam)?.value;
            let mut names = Vec::new();
            let mut stack = vec![node];
            while let Some(n) = stack.pop() {
                match n.kind() {
                    "import_specifier" => {
                        if let Some(name) = n.field(Field::Name).and_then(|k| key_text(k, src, fam))
                        {
                            names.push(name);
                        }
                    }
                    "import_clause" => {
                        let mut c = n.walk();
                        for ch in n.named_children(&mut c) {
                            if ch.kind() == "identifier" {
                                names.push("default".into());
                            } else {
                                stack.push(ch);
                            }
                        }
                    }
                    _ => {
                        let mut c = n.walk();
                        stack.extend(n.named_children(&mut c));
                    }
                }
            }
            names.sort();
            Some(LocalImport {
                module,
                names,
                line,
            })
        }
        _ => None,
    }
}

/// The modules a file may import project code from, read from its text without parsing: every
/// `from X` at the start of a Python line, every `./` or `../` string in JS. A superset of the
/// modules of `local_import` (which the blast radius resolves), for files not parsed.
pub fn textual_imports(text: &str, fam: Family) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    match fam {
        Family::Python => {
            for line in text.lines() {
                let Some(rest) = line.trim_start().strip_prefix("from") else {
                    continue;
                };
                if !rest.starts_with([' ', '\t']) {
                    continue;
                }
                if let Some(module) = rest.split_whitespace().next() {
                    out.push(module.to_string());
                }
            }
        }
        Family::Js => {
            let bytes = text.as_bytes();
            for (i, b) in bytes.iter().enumerate() {
                if !matches!(b, b'"' | b'\'' | b'`') || bytes.get(i + 1) != Some(&b'.') {
                    continue;
                }
                let rest = &text[i + 1..];
                if !(rest.starts_with("./") || rest.starts_with("../")) {
                    continue;
                }
                if let Some(end) = rest.find([*b as char, '\n']) {
                    out.push(rest[..end].to_string());
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether an import statement of the text (as `textual_imports` finds them) names one of
/// `names` as a whole word: only then can the file's outline link it to the functions of that
/// name (the blast radius follows the names an import lists). A superset of what the parsed
/// imports name: in Python the text from `from` to the end of its logical line or, when the
/// names are parenthesized, to the closing `)`; in JS the text between `import` and a `./` or
/// `../` module string.
pub fn imports_any_name(text: &str, fam: Family, names: &[&str]) -> bool {
    let mentions = |region: &str| names.iter().any(|n| has_word(region, n));
    match fam {
        Family::Python => {
            let mut offset = 0;
            for line in text.split_inclusive('\n') {
                let at = offset;
                offset += line.len();
                let trimmed = line.trim_start();
                let Some(rest) = trimmed.strip_prefix("from") else {
                    continue;
                };
                if !rest.starts_with([' ', '\t']) {
                    continue;
                }
                let start = at + (line.len() - trimmed.len());
                if mentions(&text[start..python_import_end(text, start)]) {
                    return true;
                }
            }
            false
        }
        Family::Js => {
            let bytes = text.as_bytes();
            for (i, b) in bytes.iter().enumerate() {
                if !matches!(b, b'"' | b'\'' | b'`') {
                    continue;
                }
                let rest = &text[i + 1..];
                if !(rest.starts_with("./") || rest.starts_with("../")) {
                    continue;
                }
                let before = &text[..i];
                let Some(kw) = rfind_word(before, "import") else {
                    continue;
                };
                if mentions(&before[kw..]) {
                    return true;
                }
            }
            false
        }
    }
}

/// Where a Python `from ... import ...` statement starting at `start` ends: at the `)` closing
/// its parenthesized names, or at the end of its logical line (backslashes continue it).
fn python_import_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = start;
    let mut paren = false;
    while i < bytes.len() {
        match bytes[i] {
            b'(' => paren = true,
            b')' if paren => return i,
            b'\\' if bytes.get(i + 1) == Some(&b'\n') => i += 1,
            b'\\' if bytes.get(i + 1) == Some(&b'\r') && bytes.get(i + 2) == Some(&b'\n') => i += 2,
            b'\n' if !paren => return i,
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// Whether the `len` bytes at `i` of `hay` have no identifier character on either side.
fn whole_word_at(hay: &[u8], i: usize, len: usize) -> bool {
    (i == 0 || !is_word_byte(hay[i - 1])) && hay.get(i + len).is_none_or(|b| !is_word_byte(*b))
}

/// Whether `word` occurs in `hay` with no identifier character on either side.
fn has_word(hay: &str, word: &str) -> bool {
    !word.is_empty()
        && hay
            .match_indices(word)
            .any(|(i, _)| whole_word_at(hay.as_bytes(), i, word.len()))
}

/// The offset of the last whole-word occurrence of `word` in `hay`.
fn rfind_word(hay: &str, word: &str) -> Option<usize> {
    hay.rmatch_indices(word)
        .map(|(i, _)| i)
        .find(|&i| whole_word_at(hay.as_bytes(), i, word.len()))
}

impl Outline {
    /// Attaches each call (start offset, callee name) to the innermost function containing it,
    /// in one sweep (calls must be sorted by offset).
    pub fn attach_calls(&mut self, calls: &[(usize, String)]) {
        let mut stack: Vec<usize> = Vec::new();
        let mut next = 0;
        for (at, name) in calls {
            while next < self.functions.len() && self.functions[next].start <= *at {
                while stack
                    .last()
                    .is_some_and(|&t| self.functions[t].end <= self.functions[next].start)
                {
                    stack.pop();
                }
                stack.push(next);
                next += 1;
            }
            while stack.last().is_some_and(|&t| self.functions[t].end < *at) {
                stack.pop();
            }
            if let Some(&f) = stack.last() {
                let calls = &mut self.functions[f].calls;
                if !calls.contains(name) {
                    calls.push(name.clone());
                }
            }
        }
        for f in &mut self.functions {
            f.calls.sort();
        }
    }

    /// The innermost named function containing a byte offset.
    pub fn enclosing(&self, at: usize) -> Option<&FunctionInfo> {
        let upto = self.functions.partition_point(|f| f.start <= at);
        self.functions[..upto].iter().rev().find(|f| f.end >= at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_statements_name_what_they_import() {
        let py = "import os\nfrom .llm import ask, answer_all\nfrom .tools import (\n    search,\n    fetch,\n)\nfrom .x import \\\n    late\nx = answer(1)\n";
        for name in ["ask", "answer_all", "search", "fetch", "late"] {
            assert!(imports_any_name(py, Family::Python, &[name]), "{name}");
        }
        // `answer` is called but not imported; `os` is not imported with `from`. (Module names
        // count as mentioned: a superset is enough.)
        for name in ["answer", "os", "answer_"] {
            assert!(!imports_any_name(py, Family::Python, &[name]), "{name}");
        }
        let js = "import { ask as a, fetchAll } from './llm';\nimport Client from \"../client\";\nconst s = require('./search');\nask();\n";
        for name in ["ask", "fetchAll", "Client"] {
            assert!(imports_any_name(js, Family::Js, &[name]), "{name}");
        }
        for name in ["as_", "fetch", "search"] {
            assert!(!imports_any_name(js, Family::Js, &[name]), "{name}");
        }
    }
}
