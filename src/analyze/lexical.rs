//! A Python file's outline read from its tokens, without a parse: the blast radius asks for
//! the outline of every Python file without findings that imports an affected function, and
//! tokenizing is an order of magnitude cheaper than tree-sitter's parse.
//!
//! It reads what `outline::OutlineBuilder` reads from a tree: `def` statements (a method named
//! `Class.method` when it stands, decorated or not, right in a class's block), the calls each holds
//! (a name followed by `(`), and `from ... import ...` statements. Where the text is not a
//! well-formed Python token stream with consistent indentation (an unterminated string or
//! bracket, a stray backslash, an unexpected indent or dedent, a compound statement without
//! its colon, a NUL byte, a same-quote string inside an f-string field), it gives up and the
//! caller parses the file: what a file's outline is depends on its text alone, never on how
//! it was reached.

use std::ops::Range;

use super::LineIndex;
use super::outline::{FunctionInfo, LocalImport, Outline};
use crate::prefilter::ident_byte;
use crate::prefilter::inert::{ident_start, string_prefix};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Name,
    Str,
    Num,
    Punct(u8),
}

#[derive(Clone, Copy, Debug)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
    /// Bracket depth (f-string fields count as one more); an opening bracket has the depth
    /// outside it.
    depth: usize,
}

/// A logical line: its indentation (a tab counts 8, as in tree-sitter's scanner) and tokens.
struct Line {
    indent: usize,
    toks: Range<usize>,
}

struct Lexer<'a> {
    text: &'a [u8],
    toks: Vec<Token>,
}

impl Lexer<'_> {
    fn push(&mut self, kind: Kind, start: usize, end: usize, depth: usize) {
        self.toks.push(Token {
            kind,
            start,
            end,
            depth,
        });
    }

    fn ident_end(&self, i: usize) -> usize {
        i + self.text[i..]
            .iter()
            .take_while(|&&b| ident_byte(b))
            .count()
    }

    /// A name, a number or a string (with its prefix) at `i`; returns the offset past it.
    fn word(&mut self, i: usize, depth: usize) -> Option<usize> {
        let end = self.ident_end(i);
        if let Some(formatted) = string_prefix(&self.text[i..end])
            && matches!(self.text.get(end), Some(b'"' | b'\''))
        {
            return self.string(i, end, formatted, depth);
        }
        self.push(Kind::Name, i, end, depth);
        Some(end)
    }

    fn number(&mut self, i: usize, depth: usize) -> usize {
        let mut j = i;
        while let Some(&b) = self.text.get(j) {
            let exponent_sign = matches!(b, b'+' | b'-')
                && j > i
                && matches!(self.text[j - 1], b'e' | b'E')
                && !self.text[i..j].starts_with(b"0x")
                && !self.text[i..j].starts_with(b"0X");
            if !(ident_byte(b) || b == b'.' || exponent_sign) {
                break;
            }
            j += 1;
        }
        self.push(Kind::Num, i, j, depth);
        j
    }

    /// The string from `start` (its prefix) whose opening quote is at `q`; an f-string's
    /// fields are tokenized one level deeper, each closed by a `}` token, before the string's
    /// own token. Returns the offset past the closing quotes.
    fn string(&mut self, start: usize, q: usize, formatted: bool, depth: usize) -> Option<usize> {
        let text = self.text;
        let quote = text[q];
        let triple = text.get(q + 1) == Some(&quote) && text.get(q + 2) == Some(&quote);
        let mut j = q + if triple { 3 } else { 1 };
        loop {
            let b = *text.get(j)?;
            match b {
                // (`\N{DASH}` names a character: its braces are no field)
                b'\\'
                    if formatted
                        && text.get(j + 1) == Some(&b'N')
                        && text.get(j + 2) == Some(&b'{') =>
                {
                    j += memchr::memchr(b'}', &text[j..])? + 1;
                }
                b'\\' => j += 2,
                b'\n' if !triple => return None,
                _ if b == quote => {
                    if !triple {
                        j += 1;
                        break;
                    }
                    if text.get(j + 1) == Some(&quote) && text.get(j + 2) == Some(&quote) {
                        j += 3;
                        break;
                    }
                    j += 1;
                }
                b'{' if formatted => {
                    if text.get(j + 1) == Some(&b'{') {
                        j += 2;
                    } else {
                        j = self.field(j + 1, quote, triple, depth + 1)?;
                    }
                }
                _ => j += 1,
            }
        }
        self.push(Kind::Str, start, j, depth);
        Some(j)
    }

    /// An f-string replacement field whose expression starts at `j`; returns the offset past
    /// its `}`.
    fn field(&mut self, mut j: usize, quote: u8, triple: bool, depth: usize) -> Option<usize> {
        let text = self.text;
        let mut inner = 0usize;
        loop {
            let b = *text.get(j)?;
            match b {
                // (a same-quote string in a field is Python 3.12's and not every reader's;
                // a single quote inside a triple-quoted f-string is a string to all)
                b'\'' | b'"' if b == quote && (!triple || text[j..].starts_with(&[quote; 3])) => {
                    return None;
                }
                b'\'' | b'"' => j = self.string(j, j, false, depth + inner)?,
                b'#' | b'\\' => return None,
                b'\n' if !triple => return None,
                b' ' | b'\t' | b'\r' | b'\n' => j += 1,
                b'(' | b'[' | b'{' => {
                    self.push(Kind::Punct(b), j, j + 1, depth + inner);
                    inner += 1;
                    j += 1;
                }
                b')' | b']' => {
                    inner = inner.checked_sub(1)?;
                    self.push(Kind::Punct(b), j, j + 1, depth + inner);
                    j += 1;
                }
                b'}' => {
                    if inner == 0 {
                        self.push(Kind::Punct(b'}'), j, j + 1, depth);
                        return Some(j + 1);
                    }
                    inner -= 1;
                    self.push(Kind::Punct(b), j, j + 1, depth + inner);
                    j += 1;
                }
                // `!=` is an operator; `!r` a conversion, which ends the expression like `:`.
                b'!' if inner == 0 && text.get(j + 1) != Some(&b'=') => {
                    j += 1;
                    while text.get(j).is_some_and(|&c| ident_byte(c)) {
                        j += 1;
                    }
                    if text.get(j) == Some(&b':') {
                        return self.spec(j + 1, quote, triple, depth);
                    }
                    if text.get(j) != Some(&b'}') {
                        return None;
                    }
                    self.push(Kind::Punct(b'}'), j, j + 1, depth);
                    return Some(j + 1);
                }
                b':' if inner == 0 => return self.spec(j + 1, quote, triple, depth),
                b'0'..=b'9' => j = self.number(j, depth + inner),
                _ if ident_start(b) => {
                    let end = self.ident_end(j);
                    if string_prefix(&text[j..end]).is_some()
                        && text.get(end) == Some(&quote)
                        && (!triple || text[end..].starts_with(&[quote; 3]))
                    {
                        return None;
                    }
                    j = self.word(j, depth + inner)?;
                }
                _ => {
                    self.push(Kind::Punct(b), j, j + 1, depth + inner);
                    j += 1;
                }
            }
        }
    }

    /// A format spec starting at `j`: literal text with nested fields; returns the offset past
    /// the field's `}`.
    fn spec(&mut self, mut j: usize, quote: u8, triple: bool, depth: usize) -> Option<usize> {
        loop {
            let b = *self.text.get(j)?;
            match b {
                b'{' => j = self.field(j + 1, quote, triple, depth + 1)?,
                b'}' => {
                    self.push(Kind::Punct(b'}'), j, j + 1, depth);
                    return Some(j + 1);
                }
                b'\\' => return None,
                b'\n' if !triple => return None,
                _ if b == quote => return None,
                _ => j += 1,
            }
        }
    }
}

/// The tokens and logical lines of a Python text, or `None` where it is not well formed.
fn tokenize(text: &[u8]) -> Option<(Vec<Token>, Vec<Line>)> {
    if memchr::memchr(0, text).is_some() {
        return None;
    }
    let mut lx = Lexer {
        text,
        toks: Vec::with_capacity(text.len() / 4),
    };
    let mut lines = Vec::new();
    let n = text.len();
    let mut i = 0;
    let mut depth = 0usize;
    // The current logical line's indentation and first token.
    let mut open: Option<(usize, usize)> = None;
    let mut indent = 0;
    let mut line_start = true;
    while i < n {
        if line_start {
            line_start = false;
            indent = 0;
            while i < n {
                match text[i] {
                    b' ' => indent += 1,
                    b'\t' => indent += 8,
                    b'\x0c' => indent = 0,
                    _ => break,
                }
                i += 1;
            }
            continue;
        }
        let b = text[i];
        let starts_token = !matches!(b, b'\n' | b' ' | b'\t' | b'\r' | b'\x0c' | b'#' | b'\\');
        if starts_token && open.is_none() {
            open = Some((indent, lx.toks.len()));
        }
        match b {
            b'\n' => {
                i += 1;
                if depth == 0 {
                    if let Some((indent, first)) = open.take() {
                        lines.push(Line {
                            indent,
                            toks: first..lx.toks.len(),
                        });
                    }
                    line_start = true;
                }
            }
            b' ' | b'\t' | b'\r' | b'\x0c' => i += 1,
            b'#' => i = memchr::memchr(b'\n', &text[i..]).map_or(n, |e| i + e),
            b'\\' => {
                i += match text.get(i + 1) {
                    Some(b'\n') => 2,
                    Some(b'\r') if text.get(i + 2) == Some(&b'\n') => 3,
                    _ => return None,
                };
            }
            b'(' | b'[' | b'{' => {
                lx.push(Kind::Punct(b), i, i + 1, depth);
                depth += 1;
                i += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                lx.push(Kind::Punct(b), i, i + 1, depth);
                i += 1;
            }
            b'"' | b'\'' => i = lx.string(i, i, false, depth)?,
            b'0'..=b'9' => i = lx.number(i, depth),
            b'.' if text.get(i + 1).is_some_and(u8::is_ascii_digit) => i = lx.number(i, depth),
            _ if ident_start(b) => i = lx.word(i, depth)?,
            _ => {
                lx.push(Kind::Punct(b), i, i + 1, depth);
                i += 1;
            }
        }
    }
    if depth != 0 {
        return None;
    }
    if let Some((indent, first)) = open {
        lines.push(Line {
            indent,
            toks: first..lx.toks.len(),
        });
    }
    Some((lx.toks, lines))
}

/// Words that are never a callee: `if (x)`, `not (a)`, `await (f)`, `None` ...
const KEYWORDS: &[&[u8]] = &[
    b"False",
    b"None",
    b"True",
    b"and",
    b"as",
    b"assert",
    b"async",
    b"await",
    b"class",
    b"def",
    b"del",
    b"elif",
    b"else",
    b"except",
    b"finally",
    b"for",
    b"from",
    b"global",
    b"if",
    b"import",
    b"in",
    b"is",
    b"lambda",
    b"nonlocal",
    b"not",
    b"or",
    b"pass",
    b"raise",
    b"return",
    b"try",
    b"while",
    b"with",
    b"yield",
    b"break",
    b"continue",
];

/// Words that open a compound statement's header.
const COMPOUND: &[&[u8]] = &[
    b"if", b"elif", b"else", b"for", b"while", b"try", b"except", b"finally", b"with",
];

#[derive(PartialEq, Eq)]
enum BlockKind {
    Class(String),
    Def(usize),
    Match,
    Other,
}

struct Block {
    /// The header's indentation.
    header: usize,
    /// The body's indentation, once its first line is seen.
    body: usize,
    kind: BlockKind,
}

/// The outline of a Python text, as `outline_tree` would build it from the tree of the same
/// text, or `None` where the text is not well formed enough to tell without parsing it.
pub fn python_outline(text: &str) -> Option<Outline> {
    let bytes = text.as_bytes();
    let (toks, lines) = tokenize(bytes)?;
    let word = |t: &Token| &bytes[t.start..t.end];
    let is = |t: Option<&Token>, w: &[u8]| t.is_some_and(|t| t.kind == Kind::Name && word(t) == w);
    let punct = |t: Option<&Token>, p: u8| t.is_some_and(|t| t.kind == Kind::Punct(p));
    let rows = LineIndex::new(text);

    let mut functions: Vec<FunctionInfo> = Vec::new();
    let mut calls: Vec<(usize, String)> = Vec::new();
    let mut imports: Vec<LocalImport> = Vec::new();
    let mut stack: Vec<Block> = Vec::new();
    // A block was opened by the last line and waits for its first body line.
    let mut awaiting = false;
    let mut last_end = 0;
    for line in &lines {
        let c = line.indent;
        if awaiting {
            let top = stack.last_mut()?;
            if c <= top.header {
                return None;
            }
            top.body = c;
            awaiting = false;
        } else {
            while stack.last().is_some_and(|b| c <= b.header) {
                close(stack.pop()?, &mut functions, last_end);
            }
            if c != stack.last().map_or(0, |b| b.body) {
                return None;
            }
        }
        let ts = &toks[line.toks.clone()];
        last_end = ts.last()?.end;
        let first = ts.first();
        // A line that cannot end where it does (`from` alone, `x =`, `a.`): Python stops at
        // the error, tree-sitter may read on into the next line.
        if unfinished(ts, bytes) || misplaced(first?, ts, bytes) {
            return None;
        }

        // What the line is: a header opens a block (or holds its body after the colon).
        let keyword_at = usize::from(is(first, b"async"));
        let head = ts.get(keyword_at);
        let in_match = stack.last().is_some_and(|b| b.kind == BlockKind::Match);
        let kind = if is(head, b"def") {
            Some(BlockKind::Def(functions.len()))
        } else if is(head, b"class") {
            let name = ts.get(keyword_at + 1).filter(|t| t.kind == Kind::Name)?;
            let name = text.get(name.start..name.end)?;
            Some(BlockKind::Class(name.to_string()))
        } else if COMPOUND.iter().any(|w| is(head, w)) || (in_match && is(first, b"case")) {
            Some(BlockKind::Other)
        } else if is(first, b"match") && ts.len() > 2 && punct(ts.last(), b':') {
            Some(BlockKind::Match)
        } else {
            None
        };
        let colon = match kind {
            Some(_) => Some(header_colon(ts, bytes)?),
            None => None,
        };
        // Tokens where no call is: a `case` clause's pattern (up to its guard or colon).
        let mut pattern = 0..0;
        if matches!(kind, Some(BlockKind::Match)) {
            // (`match (a, b):` is no call)
            pattern = 0..1;
        } else if in_match && is(first, b"case") {
            let guard = ts[..colon.unwrap_or(0)]
                .iter()
                .position(|t| t.depth == ts[0].depth && t.kind == Kind::Name && word(t) == b"if");
            pattern = 0..guard.or(colon).unwrap_or(1);
        }

        if let Some(BlockKind::Def(_)) = kind {
            let name = ts.get(keyword_at + 1).filter(|t| t.kind == Kind::Name)?;
            let name = text.get(name.start..name.end)?;
            let class = match stack.last() {
                Some(Block {
                    kind: BlockKind::Class(class),
                    ..
                }) => Some(class),
                _ => None,
            };
            let start = ts[0].start;
            functions.push(FunctionInfo {
                name: class.map_or_else(|| name.to_string(), |c| format!("{c}.{name}")),
                line: rows.row(start) + 1,
                calls: Vec::new(),
                start,
                end: last_end,
            });
        }

        for (k, t) in ts.iter().enumerate() {
            if t.kind != Kind::Name || !punct(ts.get(k + 1), b'(') || pattern.contains(&k) {
                continue;
            }
            let w = word(t);
            if KEYWORDS.contains(&w)
                || (k > 0 && (is(ts.get(k - 1), b"def") || is(ts.get(k - 1), b"class")))
            {
                continue;
            }
            calls.push((t.start, text.get(t.start..t.end)?.to_string()));
        }

        // Statements start the line, follow a `;` or the header's colon.
        let starts = std::iter::once(0).chain(colon.map(|c| c + 1)).chain(
            (0..ts.len())
                .filter(|&k| ts[k].depth == 0 && ts[k].kind == Kind::Punct(b';'))
                .map(|k| k + 1),
        );
        for s in starts {
            if is(ts.get(s), b"from") {
                imports.extend(from_import(&ts[s..], bytes, &rows)?);
            }
        }

        match (kind, colon) {
            (Some(kind), Some(colon)) if colon + 1 == ts.len() => {
                stack.push(Block {
                    header: c,
                    body: usize::MAX,
                    kind,
                });
                awaiting = true;
            }
            _ => {}
        }
    }
    if awaiting {
        return None;
    }
    while let Some(b) = stack.pop() {
        close(b, &mut functions, last_end);
    }
    let mut outline = Outline { functions, imports };
    outline.attach_calls(&calls);
    Some(outline)
}

/// Words no statement ends with.
const CONTINUED: &[&[u8]] = &[
    b"from",
    b"import",
    b"def",
    b"class",
    b"as",
    b"in",
    b"is",
    b"not",
    b"and",
    b"or",
    b"if",
    b"elif",
    b"while",
    b"for",
    b"with",
    b"except",
    b"lambda",
    b"await",
    b"async",
    b"assert",
    b"del",
    b"global",
    b"nonlocal",
];

/// Whether a logical line ending in its last token is cut short (`...` and `import *` are
/// whole).
fn unfinished(ts: &[Token], text: &[u8]) -> bool {
    let Some(last) = ts.last() else { return false };
    let before = |k: usize| ts.len().checked_sub(k + 1).map(|i| &ts[i]);
    match last.kind {
        Kind::Punct(b'.') => {
            !(before(1).is_some_and(|t| t.kind == Kind::Punct(b'.') && t.end == last.start)
                && before(2).is_some_and(|t| t.kind == Kind::Punct(b'.')))
        }
        Kind::Punct(b'*') => {
            !before(1).is_some_and(|t| t.kind == Kind::Name && &text[t.start..t.end] == b"import")
        }
        Kind::Punct(b) => !matches!(b, b')' | b']' | b'}' | b':' | b',' | b';' | b'`'),
        Kind::Name => CONTINUED.contains(&&text[last.start..last.end]),
        Kind::Str | Kind::Num => false,
    }
}

/// Whether a logical line starts with what no statement starts with (`: x`, `, y`, `= 1`),
/// or holds a lambda without its colon: tree-sitter may have read it as the previous line's
/// continuation.
fn misplaced(first: &Token, ts: &[Token], text: &[u8]) -> bool {
    let ellipsis = text[first.start..].starts_with(b"...");
    let opens = ellipsis
        || !matches!(
            first.kind,
            Kind::Punct(
                b':' | b','
                    | b'='
                    | b')'
                    | b']'
                    | b'}'
                    | b'.'
                    | b'<'
                    | b'>'
                    | b'|'
                    | b'&'
                    | b'^'
                    | b'%'
                    | b'/'
                    | b'!'
                    | b';'
            )
        );
    let (mut lambdas, mut colons) = (0usize, 0usize);
    for t in ts.iter().filter(|t| t.depth == 0) {
        match t.kind {
            Kind::Name if &text[t.start..t.end] == b"lambda" => lambdas += 1,
            Kind::Punct(b':') => colons += 1,
            _ => {}
        }
    }
    !opens || lambdas > colons
}

/// A block ends with the last token of its last line.
fn close(block: Block, functions: &mut [FunctionInfo], end: usize) {
    if let BlockKind::Def(f) = block.kind {
        functions[f].end = end;
    }
}

/// The colon ending a compound statement's header: the first at the header's depth that is
/// neither a walrus (`:=`) nor a lambda's.
fn header_colon(ts: &[Token], text: &[u8]) -> Option<usize> {
    let depth = ts.first()?.depth;
    let mut lambdas = 0usize;
    for (k, t) in ts.iter().enumerate() {
        if t.depth != depth {
            continue;
        }
        match t.kind {
            Kind::Punct(b':') => {
                let walrus = ts
                    .get(k + 1)
                    .is_some_and(|n| n.kind == Kind::Punct(b'=') && n.start == t.end);
                if walrus {
                    continue;
                }
                if lambdas > 0 {
                    lambdas -= 1;
                    continue;
                }
                return Some(k);
            }
            Kind::Name if &text[t.start..t.end] == b"lambda" => lambdas += 1,
            _ => {}
        }
    }
    None
}

/// `from MODULE import NAMES` at the start of `ts` (the rest of its logical line): `Some(None)`
/// for a `from __future__` import (its own statement kind to tree-sitter), `None` where the
/// statement is malformed.
fn from_import(ts: &[Token], text: &[u8], rows: &LineIndex) -> Option<Option<LocalImport>> {
    let s = |t: &Token| std::str::from_utf8(&text[t.start..t.end]).unwrap_or("");
    let depth = ts[0].depth;
    let at = ts
        .iter()
        .position(|t| t.kind == Kind::Name && s(t) == "import" && t.depth == depth)?;
    if at < 2 {
        return None;
    }
    let module = std::str::from_utf8(&text[ts[1].start..ts[at - 1].end]).ok()?;
    if module == "__future__" {
        return Some(None);
    }
    let mut names = Vec::new();
    let mut k = at + 1;
    if ts.get(k).is_some_and(|t| t.kind == Kind::Punct(b'(')) {
        k += 1;
    }
    // Each item: a dotted name, then optionally `as` and an alias.
    while let Some(t) = ts.get(k) {
        if t.kind != Kind::Name {
            break;
        }
        let start = t.start;
        let mut end = t.end;
        k += 1;
        while ts.get(k).is_some_and(|t| t.kind == Kind::Punct(b'.'))
            && ts.get(k + 1).is_some_and(|t| t.kind == Kind::Name)
        {
            end = ts[k + 1].end;
            k += 2;
        }
        names.push(std::str::from_utf8(&text[start..end]).ok()?.to_string());
        if ts
            .get(k)
            .is_some_and(|t| t.kind == Kind::Name && s(t) == "as")
        {
            k += 2;
        }
        if !ts.get(k).is_some_and(|t| t.kind == Kind::Punct(b',')) {
            break;
        }
        k += 1;
    }
    Some(Some(LocalImport {
        module: module.to_string(),
        names,
        line: rows.row(ts[0].start) + 1,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Language;

    fn tree_outline(src: &str) -> (Outline, bool) {
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&Language::Python.grammar()).unwrap();
        let tree = parser.parse(src, None).unwrap();
        let errors = tree.root_node().has_error();
        (
            super::super::outline_tree(&tree, src, Language::Python),
            errors,
        )
    }

    /// What the blast radius reads of an outline (a function's end offset is not: the tree's
    /// takes in the comments after its last statement, which hold no call).
    fn seen(o: &Outline) -> String {
        serde_json::to_string(o).unwrap()
    }

    /// The lexical outline, checked against the tree's.
    fn outline(src: &str) -> Outline {
        let lexical = python_outline(src).expect("well-formed text");
        let (tree, errors) = tree_outline(src);
        assert!(!errors, "the test text has syntax errors");
        assert_eq!(seen(&lexical), seen(&tree), "{src}");
        lexical
    }

    fn calls(o: &Outline) -> Vec<(String, Vec<String>)> {
        o.functions
            .iter()
            .map(|f| (f.name.clone(), f.calls.clone()))
            .collect()
    }

    #[test]
    fn functions_methods_and_their_calls() {
        let o = outline(concat!(
            "import os\n",
            "class Client(Base, metaclass=make_meta()):\n",
            "    def __init__(self, key=default_key()):\n",
            "        self.http = http.Session()\n",
            "    @property\n",
            "    def model(self):\n",
            "        return pick(self)\n",
            "    async def ask(self, q):\n",
            "        def inner():\n",
            "            return send(q)\n",
            "        return [*map(str, inner())]\n",
            "    if DEBUG:\n",
            "        def debug(self): log(self)\n",
            "\n",
            "# a comment(with) parens\n",
            "def top(a, b): return (a)(b) or a[0](b) or f(x)(y)\n",
            "x = lambda: hidden()\n",
            "def stub(): ...\n",
            "def body():\n    \"\"\"Doc.\"\"\"\n    ...\n",
        ));
        assert_eq!(
            calls(&o),
            [
                (
                    "Client.__init__".into(),
                    vec!["Session".into(), "default_key".into()]
                ),
                ("Client.model".into(), vec!["pick".into()]),
                ("Client.ask".into(), vec!["inner".into(), "map".into()]),
                ("inner".into(), vec!["send".into()]),
                ("debug".into(), vec!["log".into()]),
                ("top".into(), vec!["f".into()]),
                ("stub".into(), vec![]),
                ("body".into(), vec![]),
            ]
        );
        assert_eq!(o.functions[0].line, 3);
    }

    #[test]
    fn strings_hold_no_calls_but_f_string_fields_do() {
        let o = outline(concat!(
            "def f():\n",
            "    a = 'call(me)' + \"\"\"no(call)\n here()\"\"\" + rb'raw(x)'\n",
            "    b = f\"{fmt(a)!r:>{width(a)}} {{literal(x)}} {d['k'](1)}\"\n",
            "    c = f'''{\"x\".join(parts(a))}'''\n",
            "    return \\\n        done(b)\n",
        ));
        assert_eq!(
            calls(&o),
            [(
                "f".into(),
                vec![
                    "done".into(),
                    "fmt".into(),
                    "join".into(),
                    "parts".into(),
                    "width".into()
                ]
            )]
        );
    }

    #[test]
    fn imports_wherever_a_statement_starts() {
        let o = outline(concat!(
            "from __future__ import annotations\n",
            "from .llm import ask, answer_all as aa\n",
            "from ..tools import (\n    search,\n    fetch,\n)\n",
            "from . import sibling\n",
            "from pkg.mod import *\n",
            "import os; from a.b import c\n",
            "try: from fast import parse\n",
            "except ImportError: from slow import parse\n",
            "def g():\n    yield from gen()\n    from late import thing\n",
            "raise_ = 1\n",
        ));
        let imports: Vec<(String, Vec<String>, usize)> = o
            .imports
            .iter()
            .map(|i| (i.module.clone(), i.names.clone(), i.line))
            .collect();
        assert_eq!(
            imports,
            [
                (".llm".into(), vec!["ask".into(), "answer_all".into()], 2),
                ("..tools".into(), vec!["search".into(), "fetch".into()], 3),
                (".".into(), vec!["sibling".into()], 7),
                ("pkg.mod".into(), vec![], 8),
                ("a.b".into(), vec!["c".into()], 9),
                ("fast".into(), vec!["parse".into()], 10),
                ("slow".into(), vec!["parse".into()], 11),
                ("late".into(), vec!["thing".into()], 14),
            ]
        );
    }

    #[test]
    fn headers_match_statements_and_soft_keywords() {
        outline(concat!(
            "def f(p, items):\n",
            "    if (n := count(p)) and check(lambda: n):\n",
            "        pass\n",
            "    match (p, shape(p)):\n",
            "        case Point(x=0) | Other() if ok(p):\n",
            "            handle(p)\n",
            "        case {'k': Box()}: other(p)\n",
            "    match = compile(p)\n",
            "    match(p)\n",
            "    for case in items: use(case)\n",
            "    with open(p) as fh, lock():\n",
            "        print(fh)\n",
            "    else_ = not (p)\n",
            "    return await_(p) if p else None\n",
        ));
    }

    #[test]
    fn malformed_text_is_left_to_the_parser() {
        for src in [
            "def f(:\n",
            "x = (1,\n",
            "def f():\nreturn 1\n",
            "x = 1\n    y = 2\n",
            "if x\n    y()\n",
            "s = 'unterminated\n",
            "a = 1 \\ 2\n",
            "a = f\"{d[\"k\"]}\"\n",
            "x = 1\0\n",
            "x = )\n",
            "def f():\n",
            "from\nmod import name\n",
            "x =\n1\n",
            "a = b.\nc()\n",
        ] {
            assert!(python_outline(src).is_none(), "{src:?}");
        }
    }

    #[test]
    fn every_python_fixture_reads_as_the_tree_does() {
        let mut files = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")];
        while let Some(dir) = dirs.pop() {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|x| x == "py") {
                    files.push(p);
                }
            }
        }
        assert!(files.len() > 20);
        let mut read = 0;
        for p in files {
            let src = std::fs::read_to_string(&p).unwrap();
            let (tree, errors) = tree_outline(&src);
            if let Some(o) = python_outline(&src)
                && !errors
            {
                read += 1;
                assert_eq!(seen(&o), seen(&tree), "{}", p.display());
            }
        }
        assert!(read > 20);
    }
}
