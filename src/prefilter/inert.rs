//! Where a Python file's text can hold no match of any rule: its comments and its docstrings
//! (a string literal that is a whole statement, which the string rules skip and no other rule
//! looks into). A word the automaton finds there does not make a rule live.
//!
//! A small tokenizer, sound rather than complete: it follows strings (prefixes, triple quotes,
//! escapes, f-string replacement fields with their nested strings and format specs), comments,
//! brackets and line continuations, and where Python's grammar and tree-sitter's could read the
//! text differently (a same-quote string nested in an f-string field, a comment or a backslash
//! inside a field, an unterminated string, a NUL byte anywhere) it stops: nothing after that
//! point is inert. (A parsed file with syntax errors is matched against every rule anyway.)

use std::ops::Range;

/// The inert spans of a Python text, in order and disjoint: comments, and docstrings that are
/// plain (not f-/t-) strings.
pub fn python_inert_spans(text: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    // tree-sitter's lexer ends a comment or a string at a NUL byte; no source file holds one.
    if memchr::memchr(0, text).is_some() {
        return out;
    }
    let n = text.len();
    let mut i = 0;
    let mut depth = 0usize;
    // Only white space since the start of the logical line.
    let mut line_start = true;
    while i < n {
        let b = text[i];
        match b {
            b'#' => {
                let end = memchr::memchr(b'\n', &text[i..]).map_or(n, |e| i + e);
                out.push(i..end);
                i = end;
            }
            b'\n' => {
                line_start |= depth == 0;
                i += 1;
            }
            b' ' | b'\t' | b'\r' | b'\x0c' => i += 1,
            b'\\' => {
                // A line continuation (or a stray backslash): the next line goes on this one.
                line_start = false;
                i += match text.get(i + 1) {
                    Some(b'\n') => 2,
                    Some(b'\r') if text.get(i + 2) == Some(&b'\n') => 3,
                    _ => 1,
                };
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                line_start = false;
                i += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                line_start = false;
                i += 1;
            }
            b'"' | b'\'' => {
                let Some(end) = string_end(text, i, false) else {
                    return out;
                };
                if line_start && depth == 0 && ends_statement(text, end) {
                    out.push(i..end);
                }
                line_start = false;
                i = end;
            }
            _ if ident_start(b) => {
                let end = ident_end(text, i);
                match string_prefix(&text[i..end]).filter(|_| is_quote(text.get(end))) {
                    None => i = end,
                    Some(formatted) => {
                        let Some(close) = string_end(text, end, formatted) else {
                            return out;
                        };
                        if line_start && depth == 0 && !formatted && ends_statement(text, close) {
                            out.push(i..close);
                        }
                        i = close;
                    }
                }
                line_start = false;
            }
            _ => {
                line_start = false;
                i += 1;
            }
        }
    }
    out
}

fn is_quote(b: Option<&u8>) -> bool {
    matches!(b, Some(b'"' | b'\''))
}

pub(crate) fn ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn ident_end(text: &[u8], start: usize) -> usize {
    start
        + text[start..]
            .iter()
            .take_while(|&&b| super::ident_byte(b))
            .count()
}

/// Whether the string whose opening quote is at `q` has a raw prefix (`r"`, `Rb'`, `br"`).
pub(super) fn raw_prefix(text: &[u8], q: usize) -> bool {
    let letters = text[..q]
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_alphabetic())
        .count();
    let word = &text[q - letters..q];
    string_prefix(word).is_some() && word.iter().any(|b| matches!(b, b'r' | b'R'))
}

/// Whether `word` is a string prefix (`r`, `b`, `rb`, `f`, `rf`, `t`, ...), and if so whether
/// it makes a formatted string (f or t).
pub(crate) fn string_prefix(word: &[u8]) -> Option<bool> {
    if word.is_empty() || word.len() > 2 {
        return None;
    }
    let lower: Vec<u8> = word.iter().map(u8::to_ascii_lowercase).collect();
    match lower.as_slice() {
        b"r" | b"u" | b"b" | b"br" | b"rb" => Some(false),
        b"f" | b"t" | b"fr" | b"rf" | b"tr" | b"rt" => Some(true),
        _ => None,
    }
}

/// Whether only white space, a comment or the end of the line or text follows `at`.
fn ends_statement(text: &[u8], at: usize) -> bool {
    let rest = &text[at..];
    let k = rest
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    matches!(rest.get(k), None | Some(b'\n' | b'\r' | b'#'))
}

/// The end (past the closing quotes) of the string whose opening quote is at `q`, or `None`
/// where lexing must stop.
fn string_end(text: &[u8], q: usize, formatted: bool) -> Option<usize> {
    let quote = text[q];
    let triple = text.get(q + 1) == Some(&quote) && text.get(q + 2) == Some(&quote);
    let mut j = q + if triple { 3 } else { 1 };
    loop {
        let b = *text.get(j)?;
        match b {
            b'\\' => j += 2,
            b'\n' if !triple => return None,
            _ if b == quote => {
                if !triple {
                    return Some(j + 1);
                }
                if text.get(j + 1) == Some(&quote) && text.get(j + 2) == Some(&quote) {
                    return Some(j + 3);
                }
                j += 1;
            }
            b'{' if formatted => {
                if text.get(j + 1) == Some(&b'{') {
                    j += 2;
                } else {
                    j = field_end(text, j + 1, quote, triple)?;
                }
            }
            _ => j += 1,
        }
    }
}

/// The end (past its `}`) of an f-string replacement field whose expression starts at `j`.
fn field_end(text: &[u8], mut j: usize, quote: u8, triple: bool) -> Option<usize> {
    let mut depth = 0usize;
    loop {
        let b = *text.get(j)?;
        match b {
            b'\'' | b'"' if b == quote => return None,
            b'\'' | b'"' => j = string_end(text, j, false)?,
            b'#' | b'\\' => return None,
            b'\n' if !triple => return None,
            b'(' | b'[' | b'{' => {
                depth += 1;
                j += 1;
            }
            b')' | b']' => {
                depth = depth.saturating_sub(1);
                j += 1;
            }
            b'}' if depth == 0 => return Some(j + 1),
            b'}' => {
                depth -= 1;
                j += 1;
            }
            b':' if depth == 0 => return spec_end(text, j + 1, quote, triple),
            _ if ident_start(b) => {
                let end = ident_end(text, j);
                j = match string_prefix(&text[j..end]).filter(|_| is_quote(text.get(end))) {
                    Some(_) if text[end] == quote => return None,
                    Some(formatted) => string_end(text, end, formatted)?,
                    None => end,
                };
            }
            _ => j += 1,
        }
    }
}

/// The end (past the field's `}`) of a format spec starting at `j`: literal text with nested
/// fields.
fn spec_end(text: &[u8], mut j: usize, quote: u8, triple: bool) -> Option<usize> {
    loop {
        let b = *text.get(j)?;
        match b {
            b'{' => j = field_end(text, j + 1, quote, triple)?,
            b'}' => return Some(j + 1),
            b'\\' => return None,
            b'\n' if !triple => return None,
            _ if b == quote => return None,
            _ => j += 1,
        }
    }
}

/// Whether a `/` at this point of a JavaScript text starts a regex (an expression may start),
/// divides, or could do either as far as a tokenizer without the grammar can tell.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slash {
    Regex,
    Divide,
    Unknown,
}

/// Words after which an expression starts.
const JS_EXPRESSION_KEYWORDS: &[&[u8]] = &[
    b"return",
    b"typeof",
    b"instanceof",
    b"in",
    b"of",
    b"new",
    b"delete",
    b"void",
    b"throw",
    b"case",
    b"do",
    b"else",
    b"yield",
    b"await",
];

/// The inert spans of a JavaScript or TypeScript text, in order and disjoint: its comments.
///
/// Strings, template literals (with their `${}` substitutions), regex literals and brackets are
/// followed so that a `//` inside them is not taken for a comment. Where a tokenizer cannot
/// tell a regex from a division (a `/` after `)`, `}`, `++` or `--`), at a `<` where an
/// expression starts (JSX, or a TypeScript type assertion), at an unterminated string, comment
/// or regex, or at a NUL byte, it stops: nothing after that point is inert.
pub fn js_inert_spans(text: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    if memchr::memchr(0, text).is_some() {
        return out;
    }
    let n = text.len();
    let mut i = 0;
    let mut slash = Slash::Regex;
    let mut depth = 0usize;
    // The brace depths at which an open template literal resumes.
    let mut templates: Vec<usize> = Vec::new();
    // A hashbang line is a comment to tree-sitter too.
    if text.starts_with(b"#!") {
        i = line_comment_end(text, 0);
    }
    while i < n {
        let b = text[i];
        match b {
            b'/' if text.get(i + 1) == Some(&b'/') => {
                let end = line_comment_end(text, i);
                out.push(i..end);
                i = end;
            }
            b'/' if text.get(i + 1) == Some(&b'*') => {
                let Some(e) = memchr::memmem::find(&text[i + 2..], b"*/") else {
                    return out;
                };
                out.push(i..i + 2 + e + 2);
                i += 2 + e + 2;
            }
            b'/' => match slash {
                Slash::Unknown => return out,
                Slash::Divide => {
                    slash = Slash::Regex;
                    i += 1;
                }
                Slash::Regex => {
                    let Some(end) = regex_end(text, i) else {
                        return out;
                    };
                    i = end;
                    slash = Slash::Divide;
                }
            },
            b'"' | b'\'' => {
                let Some(end) = js_string_end(text, i) else {
                    return out;
                };
                i = end;
                slash = Slash::Divide;
            }
            b'`' => {
                let Some(next) = resume_template(text, i + 1, &mut depth, &mut templates) else {
                    return out;
                };
                (i, slash) = next;
            }
            b'}' if depth > 0 && templates.last() == Some(&(depth - 1)) => {
                templates.pop();
                depth -= 1;
                let Some(next) = resume_template(text, i + 1, &mut depth, &mut templates) else {
                    return out;
                };
                (i, slash) = next;
            }
            b'{' | b'(' | b'[' => {
                depth += usize::from(b == b'{');
                slash = Slash::Regex;
                i += 1;
            }
            b'}' => {
                depth = depth.saturating_sub(1);
                slash = Slash::Unknown;
                i += 1;
            }
            b')' => {
                slash = Slash::Unknown;
                i += 1;
            }
            b']' => {
                slash = Slash::Divide;
                i += 1;
            }
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c' => i += 1,
            b'<' if slash == Slash::Regex => return out,
            b'+' | b'-' if text.get(i + 1) == Some(&b) => {
                slash = Slash::Unknown;
                i += 2;
            }
            b'\\' => return out,
            // A name, a `#private` name or a number.
            _ if js_word_byte(b) => {
                let start = i;
                while i < n && js_word_byte(text[i]) {
                    i += 1;
                }
                // (a number's `.5` or `1.` continues it; `1./2` divides either way)
                slash = if JS_EXPRESSION_KEYWORDS.contains(&&text[start..i]) {
                    Slash::Regex
                } else {
                    Slash::Divide
                };
            }
            _ => {
                // An operator or other punctuation: an expression may follow.
                slash = Slash::Regex;
                i += 1;
            }
        }
    }
    out
}

fn js_word_byte(b: u8) -> bool {
    super::name_byte(b) || b == b'#'
}

/// Where a `//` comment (or a hashbang line) at `at` ends: at the next line terminator (LF, CR,
/// U+2028 or U+2029).
fn line_comment_end(text: &[u8], at: usize) -> usize {
    let mut j = at;
    while j < text.len() {
        match text[j] {
            b'\n' | b'\r' => return j,
            0xE2 if text.get(j + 1) == Some(&0x80)
                && matches!(text.get(j + 2), Some(0xA8 | 0xA9)) =>
            {
                return j;
            }
            _ => j += 1,
        }
    }
    j
}

/// The end (past the closing quote) of the string whose quote is at `q`; `None` if it is not
/// closed on its line.
fn js_string_end(text: &[u8], q: usize) -> Option<usize> {
    let quote = text[q];
    let mut j = q + 1;
    while j < text.len() {
        match text[j] {
            b'\\' => j += 2,
            b'\n' | b'\r' => return None,
            c if c == quote => return Some(j + 1),
            _ => j += 1,
        }
    }
    None
}

/// The end (past the flags) of the regex literal whose `/` is at `at`; `None` if it is not
/// closed on its line.
fn regex_end(text: &[u8], at: usize) -> Option<usize> {
    let mut j = at + 1;
    let mut class = false;
    while j < text.len() {
        match text[j] {
            b'\\' => j += 2,
            b'\n' | b'\r' => return None,
            b'[' => {
                class = true;
                j += 1;
            }
            b']' => {
                class = false;
                j += 1;
            }
            b'/' if !class => {
                j += 1;
                while j < text.len() && text[j].is_ascii_alphabetic() {
                    j += 1;
                }
                return Some(j);
            }
            _ => j += 1,
        }
    }
    None
}

/// Reads template literal text from `from` (after its backtick or a substitution's `}`): where
/// the tokenizer goes on, past the closing backtick or into the next substitution (whose depth
/// it records), and what a `/` there is; `None` if the template is not closed.
fn resume_template(
    text: &[u8],
    from: usize,
    depth: &mut usize,
    templates: &mut Vec<usize>,
) -> Option<(usize, Slash)> {
    Some(match template_end(text, from)? {
        Template::Closed(end) => (end, Slash::Divide),
        Template::Substitution(at) => {
            templates.push(*depth);
            *depth += 1;
            (at, Slash::Regex)
        }
    })
}

enum Template {
    /// Past the closing backtick.
    Closed(usize),
    /// Past the `${` of a substitution.
    Substitution(usize),
}

/// Reads template literal text from `j` to its closing backtick or its next substitution.
fn template_end(text: &[u8], mut j: usize) -> Option<Template> {
    while j < text.len() {
        match text[j] {
            b'\\' => j += 2,
            b'`' => return Some(Template::Closed(j + 1)),
            b'$' if text.get(j + 1) == Some(&b'{') => return Some(Template::Substitution(j + 2)),
            _ => j += 1,
        }
    }
    None
}

/// Whether `at` lies in one of `spans` (in order, disjoint).
pub fn within(spans: &[Range<usize>], at: usize) -> bool {
    let i = spans.partition_point(|s| s.end <= at);
    spans.get(i).is_some_and(|s| s.start <= at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn js_inert(text: &str) -> Vec<&str> {
        js_inert_spans(text.as_bytes())
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn js_comments_are_inert_and_nothing_else() {
        let text = "#!/usr/bin/env node\n/** Example: `new OpenAI()` */\nconst url = \"https://api.openai.com\"; // the host\nconst re = /\\/\\/[/]x/g; const t = `a ${b /* in */ + `//${c}`} //`;\nlet q = x / 2 // half\n";
        assert_eq!(
            js_inert(text),
            [
                "/** Example: `new OpenAI()` */",
                "// the host",
                "/* in */",
                "// half"
            ]
        );
    }

    #[test]
    fn js_tokenizer_stops_where_it_cannot_tell() {
        // `)` then `/`: a regex after `if (x)`, a division after `(a + b)`.
        assert_eq!(js_inert("// a\nif (x) /\"/.test(s) // b\n"), ["// a"]);
        // JSX text may hold `//`.
        assert_eq!(
            js_inert("// a\nconst e = <p>see //x {f()}</p>;\n// b"),
            ["// a"]
        );
        // Unterminated string and block comment.
        assert_eq!(js_inert("// a\nconst s = \"x\n// b"), ["// a"]);
        assert_eq!(js_inert("// a\n/* b"), ["// a"]);
        // A generic type's `<` is an operator, not JSX.
        assert_eq!(js_inert("let x: Array<T> = []; // a"), ["// a"]);
        // U+2028 ends a line comment.
        assert_eq!(js_inert("// a\u{2028}f() // b"), ["// a", "// b"]);
    }

    fn inert(text: &str) -> Vec<&str> {
        python_inert_spans(text.as_bytes())
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn comments_and_docstrings_are_inert() {
        let text = "\"\"\"Module doc: from openai import OpenAI.\"\"\"\nimport os  # a comment\n\ndef f():\n    r'''doc\n    \"role\": \"assistant\"'''\n    x = \"gpt-4o\"\n    return x\n";
        assert_eq!(
            inert(text),
            [
                "\"\"\"Module doc: from openai import OpenAI.\"\"\"",
                "# a comment",
                "r'''doc\n    \"role\": \"assistant\"'''",
            ]
        );
    }

    #[test]
    fn strings_in_code_are_not_inert() {
        for text in [
            "x = \"doc\"\n",
            "f(\n  \"not a statement\"\n)\n",
            "\"a\" \"b\"\n",
            "\"%s\" % x\n",
            "\"a\".join(x)\n",
            "x = \\\n\"continued\"\n",
            "f\"{'gpt-4o'}\"\n",
            "\"a\", \"b\"\n",
            "x = 1; \"after a semicolon\"\n",
        ] {
            assert_eq!(inert(text), Vec::<&str>::new(), "{text:?}");
        }
    }

    #[test]
    fn f_strings_are_followed_or_lexing_stops() {
        // Fields with nested strings, format specs and doubled braces keep the lexer in step.
        let text = "x = f\"{d['k']:>{w}} {{}} {y!r}\"\n# after\n";
        assert_eq!(inert(text), ["# after"]);
        let text = "x = f'''{\"a\"}\n'''\n# after\n";
        assert_eq!(inert(text), ["# after"]);
        // A same-quote string nested in a field (Python 3.12), or an unterminated string: stop.
        for text in [
            "x = f\"{d[\"k\"]}\"\n# after\n",
            "x = 'open\n# after\n",
            "x = f\"{a # c\n}\"\n# after\n",
        ] {
            assert_eq!(inert(text), Vec::<&str>::new(), "{text:?}");
        }
        assert!(within(&[2..5, 8..9], 4));
        assert!(!within(&[2..5, 8..9], 5));
        assert!(!within(&[2..5, 8..9], 1));
    }
}
