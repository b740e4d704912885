//! String literals and object keys: what a literal's value is, once quotes and escapes are gone.

use tree_sitter::Node;

use crate::lang::Family;

/// Node kinds that are string literals.
pub fn is_string(node: Node, fam: Family) -> bool {
    is_string_kind(node.kind(), node, fam)
}

/// `is_string` of a node whose kind is known.
pub fn is_string_kind(kind: &str, node: Node, fam: Family) -> bool {
    match fam {
        Family::Python => kind == "string",
        Family::Js => (kind == "string" && node.is_named()) || kind == "template_string",
    }
}

/// The value of a string literal with its quotes removed and escapes decoded. Interpolations
/// (`{x}` in an f-string, `${x}` in a template) stay as written; `exact` tells whether there
/// were none, i.e. the value is fully known.
pub struct StringValue {
    pub value: String,
    pub exact: bool,
}

pub fn string_value(node: Node, src: &str, fam: Family) -> Option<StringValue> {
    let text = src.get(node.byte_range())?;
    let mut exact = true;
    let mut c = node.walk();
    for child in node.children(&mut c) {
        if matches!(child.kind(), "interpolation" | "template_substitution") {
            exact = false;
        }
    }
    let (raw, body) = match fam {
        Family::Python => {
            let quote = text.find(['"', '\''])?;
            let prefix = &text[..quote];
            let rest = &text[quote..];
            let q = if rest.starts_with("\"\"\"") || rest.starts_with("'''") {
                3
            } else {
                1
            };
            // (the quotes are ASCII; an unterminated string in recovered code has no closing one)
            let quotes = &rest[..q.min(rest.len())];
            let body = &rest[quotes.len()..];
            let raw = prefix.contains(['r', 'R']);
            (raw, body.strip_suffix(quotes).unwrap_or(body))
        }
        Family::Js => {
            let open = text
                .chars()
                .next()
                .filter(|c| matches!(c, '"' | '\'' | '`'))?;
            let body = &text[1..];
            (false, body.strip_suffix(open).unwrap_or(body))
        }
    };
    let value = if raw {
        body.to_string()
    } else {
        unescape(body)
    };
    Some(StringValue { value, exact })
}

/// The text of an object/dict key or keyword-argument name.
pub fn key_text(node: Node, src: &str, fam: Family) -> Option<String> {
    match node.kind() {
        "identifier"
        | "property_identifier"
        | "shorthand_property_identifier"
        | "shorthand_property_identifier_pattern" => src.get(node.byte_range()).map(str::to_string),
        _ if is_string(node, fam) => string_value(node, src, fam).map(|v| v.value),
        _ => None,
    }
}

/// Decodes the common backslash escapes shared by Python and JavaScript. Unknown escapes are
/// kept as written.
pub(crate) fn unescape(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('\\') => out.push('\\'),
            Some('\'') => out.push('\''),
            Some('"') => out.push('"'),
            Some('`') => out.push('`'),
            Some('\n') => {}
            Some('x') => {
                let hex: String = chars.clone().take(2).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) if hex.len() == 2 => {
                        out.push(ch);
                        chars.nth(1);
                    }
                    _ => out.push_str("\\x"),
                }
            }
            Some('u') => {
                let hex: String = chars.clone().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) if hex.len() == 4 => {
                        out.push(ch);
                        chars.nth(3);
                    }
                    _ => out.push_str("\\u"),
                }
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::unescape;

    #[test]
    fn escapes_are_decoded() {
        assert_eq!(unescape(r"\n\nHuman: hi"), "\n\nHuman: hi");
        assert_eq!(unescape(r"a\x41\u0042\q"), "aAB\\q");
        assert_eq!(unescape(r"trailing\"), "trailing\\");
        assert_eq!(unescape(r"\xZZ"), "\\xZZ");
    }
}
