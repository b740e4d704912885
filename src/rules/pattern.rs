//! Path patterns: how rules name call paths, attribute paths and modules.
//!
//! A resolved path is what an expression means once imports, aliases and assignments are
//! followed: `client.chat.completions.create` after `from openai import OpenAI as O` and
//! `client = O()` is `openai.OpenAI().chat.completions.create`. A pattern is written the same
//! way, with wildcards:
//!
//! | syntax | matches |
//! |---|---|
//! | `name` | that name (a module, attribute or property); the first segment may be a scoped npm package, `@scope/pkg` |
//! | `()` | a call or `new` |
//! | `[]` | a subscript |
//! | `*` | any one name |
//! | `**` | any run of segments, including none |
//! | `?` (first only) | a receiver lockin could not resolve (a parameter, a loop variable) |

use std::fmt;

/// One segment of a resolved path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Name(Box<str>),
    Call,
    Index,
    /// The root of a path whose origin is unknown, with the identifier it was written as.
    Unknown(Box<str>),
}

/// One segment of a pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
enum PSeg {
    Name(Box<str>),
    AnyName,
    AnyMany,
    Call,
    Index,
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathPattern {
    segs: Vec<PSeg>,
    text: String,
}

impl PathPattern {
    /// Parses a pattern; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<PathPattern, String> {
        let mut segs = Vec::new();
        let mut rest = text.trim();
        if rest.is_empty() {
            return Err("a path pattern cannot be empty".into());
        }
        let mut first = true;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix("()") {
                if first {
                    return Err("a pattern must start with a name, `*`, `**` or `?`".into());
                }
                segs.push(PSeg::Call);
                rest = r;
                continue;
            }
            if let Some(r) = rest.strip_prefix("[]") {
                if first {
                    return Err("a pattern must start with a name, `*`, `**` or `?`".into());
                }
                segs.push(PSeg::Index);
                rest = r;
                continue;
            }
            if !first {
                rest = rest.strip_prefix('.').ok_or_else(|| {
                    format!("expected `.`, `()` or `[]` before `{rest}` in `{text}`")
                })?;
            }
            let len = name_len(rest, first);
            let name = &rest[..len];
            rest = &rest[len..];
            segs.push(match name {
                "" => return Err(format!("empty segment in `{text}`")),
                "*" => PSeg::AnyName,
                "**" => PSeg::AnyMany,
                "?" if first => PSeg::Unknown,
                "?" => return Err(format!("`?` may only start a pattern, in `{text}`")),
                n if n.contains(|c: char| c.is_whitespace() || c == ')' || c == ']') => {
                    return Err(format!("`{n}` is not a name, in `{text}`"));
                }
                n if n.contains('*') || n.contains('?') => {
                    return Err(format!(
                        "`{n}` mixes a wildcard with a name; use `*` or `**` as a whole segment"
                    ));
                }
                n => PSeg::Name(n.into()),
            });
            first = false;
        }
        Ok(PathPattern {
            segs,
            text: text.trim().to_string(),
        })
    }

    /// A module pattern matches the module itself and anything inside it.
    pub fn parse_module(text: &str) -> Result<PathPattern, String> {
        let mut p = PathPattern::parse(text)?;
        if p.segs
            .iter()
            .any(|s| matches!(s, PSeg::Call | PSeg::Index | PSeg::Unknown))
        {
            return Err(format!(
                "a module pattern holds names only, `{text}` has a call, subscript or `?`"
            ));
        }
        if p.segs.last() != Some(&PSeg::AnyMany) {
            p.segs.push(PSeg::AnyMany);
        }
        Ok(p)
    }

    pub fn matches(&self, path: &[Seg]) -> bool {
        match_from(&self.segs, path)
    }

    /// The last concrete name of the pattern, if it ends in one: used to index patterns so that
    /// most call sites are rejected without resolving them.
    pub fn last_name(&self) -> Option<&str> {
        match self.segs.last() {
            Some(PSeg::Name(n)) => Some(n),
            _ => None,
        }
    }

    /// The last concrete name anywhere in the pattern: a `?`-rooted pattern can only match a
    /// path that contains it.
    pub fn key_name(&self) -> Option<&str> {
        self.segs.iter().rev().find_map(|s| match s {
            PSeg::Name(n) => Some(&**n),
            _ => None,
        })
    }

    /// Whether the pattern starts at an unresolved receiver (`?`).
    pub fn is_unknown_rooted(&self) -> bool {
        self.segs.first() == Some(&PSeg::Unknown)
    }

    /// The first segment if it is a concrete name (a module): the pattern can only match
    /// paths rooted in that module.
    pub fn root_name(&self) -> Option<&str> {
        match self.segs.first() {
            Some(PSeg::Name(n)) => Some(n),
            _ => None,
        }
    }

    /// The names the pattern starts with, up to its first call, index or wildcard.
    pub fn leading_names(&self) -> Vec<&str> {
        self.segs
            .iter()
            .map_while(|s| match s {
                PSeg::Name(n) => Some(&**n),
                _ => None,
            })
            .collect()
    }

    /// Every concrete name of the pattern, in order: a path it matches has each of them.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.segs.iter().filter_map(|s| match s {
            PSeg::Name(n) => Some(&**n),
            _ => None,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for PathPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Length of the name at the start of `s`. A leading `@scope/` belongs to the first name.
fn name_len(s: &str, first: bool) -> usize {
    let mut start = 0;
    if first
        && s.starts_with('@')
        && let Some(slash) = s.find('/')
    {
        start = slash + 1;
    }
    s[start..]
        .find(['.', '(', '['])
        .map_or(s.len(), |i| i + start)
}

fn match_from(pat: &[PSeg], path: &[Seg]) -> bool {
    let Some((p, prest)) = pat.split_first() else {
        return path.is_empty();
    };
    if *p == PSeg::AnyMany {
        return (0..=path.len()).any(|skip| match_from(prest, &path[skip..]));
    }
    let Some((s, srest)) = path.split_first() else {
        return false;
    };
    let ok = match (p, s) {
        (PSeg::Name(a), Seg::Name(b)) => a == b,
        (PSeg::AnyName, Seg::Name(_)) => true,
        (PSeg::Call, Seg::Call) | (PSeg::Index, Seg::Index) => true,
        (PSeg::Unknown, Seg::Unknown(_)) => true,
        _ => false,
    };
    ok && match_from(prest, srest)
}

/// Renders a resolved path the way patterns are written (for messages and debugging).
pub fn render(path: &[Seg]) -> String {
    let mut out = String::new();
    for (i, s) in path.iter().enumerate() {
        match s {
            Seg::Name(n) | Seg::Unknown(n) => {
                if i > 0 {
                    out.push('.');
                }
                out.push_str(n);
            }
            Seg::Call => out.push_str("()"),
            Seg::Index => out.push_str("[]"),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(s: &str) -> Vec<Seg> {
        // Test helper: a pattern without wildcards doubles as a path.
        PathPattern::parse(s)
            .unwrap()
            .segs
            .into_iter()
            .map(|p| match p {
                PSeg::Name(n) => Seg::Name(n),
                PSeg::Call => Seg::Call,
                PSeg::Index => Seg::Index,
                PSeg::Unknown => Seg::Unknown("x".into()),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn exact_and_wildcard_matches() {
        let p = PathPattern::parse("openai.OpenAI().chat.completions.create").unwrap();
        assert!(p.matches(&path("openai.OpenAI().chat.completions.create")));
        assert!(!p.matches(&path("openai.OpenAI().chat.completions")));
        assert!(!p.matches(&path("openai.OpenAI.chat.completions.create")));
        let p = PathPattern::parse("openai.*().beta.**").unwrap();
        assert!(p.matches(&path("openai.AsyncOpenAI().beta.threads.runs.create")));
        assert!(p.matches(&path("openai.OpenAI().beta")));
        assert!(!p.matches(&path("anthropic.Anthropic().beta")));
        let p = PathPattern::parse("?.choices[].message.tool_calls").unwrap();
        assert!(p.matches(&path("?.choices[].message.tool_calls")));
        assert_eq!(p.last_name(), Some("tool_calls"));
        assert!(p.is_unknown_rooted());
    }

    #[test]
    fn scoped_packages_are_one_segment() {
        let p = PathPattern::parse("@anthropic-ai/sdk().messages.create").unwrap();
        assert_eq!(p.root_name(), Some("@anthropic-ai/sdk"));
        assert!(p.matches(&path("@anthropic-ai/sdk().messages.create")));
        let m = PathPattern::parse_module("@anthropic-ai/sdk").unwrap();
        assert!(m.matches(&[Seg::Name("@anthropic-ai/sdk".into())]));
        assert!(m.matches(&[
            Seg::Name("@anthropic-ai/sdk".into()),
            Seg::Name("resources".into())
        ]));
        assert!(!m.matches(&[Seg::Name("@anthropic-ai/sdk-extra".into())]));
    }

    #[test]
    fn malformed_patterns_are_rejected() {
        for bad in ["", "()", "a..b", "a.b*", "a.?", "a b.c)", "openai.(x)"] {
            assert!(
                PathPattern::parse(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
        assert!(PathPattern::parse_module("openai()").is_err());
    }
}
