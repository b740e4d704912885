//! Environment, container and configuration files: `.env` and `.env.*`, Dockerfiles, and YAML,
//! JSON and TOML configuration (docker-compose, GitHub Actions, Kubernetes manifests, app
//! settings). Read line by line, never executed:
//! - variable names are matched against the rules' `env` patterns: `.env` keys, Dockerfile
//!   `ENV`/`ARG`, YAML/JSON/TOML keys, the value of a Kubernetes `name:`, `KEY=...` list items of
//!   compose files, and `secrets.NAME` / `${NAME}` references;
//! - string values of YAML, JSON and TOML are matched against the rules' `string` patterns
//!   (model ids, endpoint URLs, key formats), never keys and never comments;
//! - in `.env` files and Dockerfiles values are never matched or printed: the snippet shows the
//!   variable with its value masked;
//! - Terraform `resource` blocks whose type (and attributes) a rule's `resource` patterns name:
//!   infrastructure that provisions the vendor's AI service; their attribute values are read
//!   like TOML values.

use std::ops::Range;
use std::path::Path;

use tree_sitter::Point;

use super::{FileAnalysis, Hit, findings_from_hits};
use crate::rules::Registry;
use crate::suppress;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigKind {
    /// `.env`, `.env.example`, `.env.local`, ...
    Env,
    /// `Dockerfile`, `Dockerfile.*`, `*.dockerfile`, `Containerfile`
    Dockerfile,
    Yaml,
    Json,
    Toml,
    /// Terraform (`*.tf`): `resource` blocks against the rules' `resource` patterns.
    Terraform,
}

impl ConfigKind {
    pub fn from_path(path: &Path) -> Option<ConfigKind> {
        let name = path.file_name()?.to_str()?;
        let lower = name.to_ascii_lowercase();
        if name == ".env" || name.starts_with(".env.") {
            return Some(ConfigKind::Env);
        }
        if lower == "dockerfile"
            || lower.starts_with("dockerfile.")
            || lower.ends_with(".dockerfile")
            || lower == "containerfile"
        {
            return Some(ConfigKind::Dockerfile);
        }
        // Manifests and lock files are read elsewhere or not at all.
        if matches!(
            name,
            "package.json" | "package-lock.json" | "pyproject.toml" | "composer.json"
        ) {
            return None;
        }
        match lower.rsplit_once('.')?.1 {
            "tf" => Some(ConfigKind::Terraform),
            "yaml" | "yml" => Some(ConfigKind::Yaml),
            "json" => Some(ConfigKind::Json),
            "toml" => Some(ConfigKind::Toml),
            _ => None,
        }
    }
}

/// One line of the file.
struct Line<'a> {
    /// 0-based line number.
    row: usize,
    /// Byte offset of the line in the file.
    at: usize,
    text: &'a str,
}

pub fn analyze_config(src: &str, kind: ConfigKind, reg: &Registry, path: &str) -> FileAnalysis {
    let mut hits: Vec<Hit> = Vec::new();
    if kind == ConfigKind::Terraform {
        terraform(src, reg, &mut hits);
    }
    let mut secrets: Vec<Range<usize>> = Vec::new();
    let mut masked: Vec<Range<usize>> = Vec::new();
    let mut at = 0;
    for (row, text) in src.split_inclusive('\n').enumerate() {
        let line = Line {
            row,
            at,
            text: text.trim_end_matches(['\n', '\r']),
        };
        at += text.len();
        match kind {
            ConfigKind::Env => env_line(&line, reg, &mut hits, &mut masked),
            ConfigKind::Dockerfile => docker_line(&line, reg, src, &mut hits, &mut masked),
            ConfigKind::Yaml | ConfigKind::Toml | ConfigKind::Json | ConfigKind::Terraform => {
                // (Terraform attributes are `key = value`, like TOML)
                let syntax = if kind == ConfigKind::Terraform {
                    ConfigKind::Toml
                } else {
                    kind
                };
                for (range, role) in pairs(&line, syntax) {
                    let s = &src[range.clone()];
                    match role {
                        Role::Key => match_name(s, range, reg, &line, &mut hits),
                        Role::Value { key } => {
                            match_value(s, range, key, reg, &line, &mut hits, &mut secrets)
                        }
                    }
                }
            }
        }
    }
    secrets.extend(masked);
    // One finding per rule and line: `KEY: ${{ secrets.KEY }}` names the variable twice.
    hits.sort_by_key(|h| (h.start.row, h.rule, h.range.start));
    hits.dedup_by_key(|h| (h.start.row, h.rule));
    let findings = findings_from_hits(src, reg, hits, &secrets, path, &|_| None);
    let directives = if kind == ConfigKind::Json {
        Vec::new()
    } else {
        super::manifest::hash_directives(src)
    };
    let (findings, suppressed, notices) = suppress::apply(findings, &directives, reg, path);
    FileAnalysis {
        findings,
        suppressed,
        notices,
        ..FileAnalysis::default()
    }
}

/// A hit on `range`, which lies within `line`.
fn hit(reg: &Registry, rule: usize, line: &Line, range: Range<usize>, matched: &str) -> Hit {
    let point = |offset: usize| Point {
        row: line.row,
        column: offset - line.at,
    };
    Hit {
        rule,
        vendor: reg.rules[rule].vendor,
        start: point(range.start),
        end: point(range.end),
        range,
        matched: Some(matched.to_string()),
        via: None,
    }
}

/// A variable name against the `env` patterns.
fn match_name(name: &str, range: Range<usize>, reg: &Registry, line: &Line, hits: &mut Vec<Hit>) {
    for (ri, pat) in &reg.env {
        if pat.matches(name) {
            hits.push(hit(reg, *ri, line, range.clone(), name));
        }
    }
}

/// A string value: variable names it refers to, then the `string` patterns.
fn match_value(
    value: &str,
    range: Range<usize>,
    key: Option<&str>,
    reg: &Registry,
    line: &Line,
    hits: &mut Vec<Hit>,
    secrets: &mut Vec<Range<usize>>,
) {
    // Kubernetes `- name: OPENAI_API_KEY`, compose `- OPENAI_API_KEY=...`
    if key == Some("name") {
        match_name(value, range.clone(), reg, line, hits);
    }
    if let Some((name, _)) = value.split_once('=')
        && !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        let r = range.start..range.start + name.len();
        match_name(name, r, reg, line, hits);
    }
    // `${{ secrets.OPENAI_API_KEY }}`, `${ANTHROPIC_API_KEY}`, `$GROQ_API_KEY`
    for (i, _) in value.match_indices(['$', '.']) {
        let rest = &value[i + 1..];
        let rest = rest.strip_prefix('{').unwrap_or(rest);
        let is_ref = value[i..].starts_with('$') || value[..i].ends_with("secrets");
        if !is_ref {
            continue;
        }
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if len > 0 {
            let start = range.start + (value.len() - rest.len());
            match_name(&rest[..len], start..start + len, reg, line, hits);
        }
    }
    let found = reg.strings.matches(value);
    for i in found.iter() {
        let ri = reg.string_rules[i];
        if reg.rules[ri].redact {
            secrets.push(range.clone());
        }
        hits.push(hit(reg, ri, line, range.clone(), value));
    }
}

/// `resource "TYPE" "NAME" {` blocks: the type against the rules' `resource` patterns, with the
/// block's `key = "value"` attributes for their conditions. Found on the type, as written.
fn terraform(src: &str, reg: &Registry, hits: &mut Vec<Hit>) {
    if reg.resources.is_empty() {
        return;
    }
    let lines: Vec<Line> = {
        let mut at = 0;
        src.split_inclusive('\n')
            .enumerate()
            .map(|(row, text)| {
                let line = Line {
                    row,
                    at,
                    text: text.trim_end_matches(['\n', '\r']),
                };
                at += text.len();
                line
            })
            .collect()
    };
    for (i, line) in lines.iter().enumerate() {
        let t = line.text.trim_start();
        let Some(rest) = t.strip_prefix("resource") else {
            continue;
        };
        let Some(open) = rest.find('"') else { continue };
        let Some(len) = rest[open + 1..].find('"') else {
            continue;
        };
        let kind = &rest[open + 1..open + 1 + len];
        let kind_at = line.at + (line.text.len() - rest.len()) + open + 1;
        // The block's attributes, up to its closing brace at the block's own indentation.
        let indent = line.text.len() - t.len();
        let mut attrs: Vec<(&str, &str)> = Vec::new();
        for l in &lines[i + 1..] {
            let lt = l.text.trim_start();
            if lt.starts_with('}') && l.text.len() - lt.len() <= indent {
                break;
            }
            if let Some((k, v)) = lt.split_once('=') {
                let v = v.split(['#']).next().unwrap_or("").trim().trim_matches('"');
                attrs.push((k.trim(), v));
            }
        }
        for (ri, pat) in &reg.resources {
            if pat.matches(kind, &attrs) {
                hits.push(hit(reg, *ri, line, kind_at..kind_at + kind.len(), kind));
            }
        }
    }
}

/// `KEY=value` (optionally `export KEY=value`): the key is matched, the value masked.
fn env_line(line: &Line, reg: &Registry, hits: &mut Vec<Hit>, masked: &mut Vec<Range<usize>>) {
    let t = line.text.trim_start();
    if t.is_empty() || t.starts_with('#') {
        return;
    }
    let lead = line.text.len() - t.len();
    let (t, lead) = match t.strip_prefix("export ") {
        Some(rest) => (
            rest.trim_start(),
            lead + (t.len() - rest.trim_start().len()),
        ),
        None => (t, lead),
    };
    let Some(eq) = t.find('=') else { return };
    let name = t[..eq].trim_end();
    let start = line.at + lead;
    match_name(name, start..start + name.len(), reg, line, hits);
    let value_start = start + eq + 1;
    let value_end = line.at + line.text.len();
    if value_end > value_start {
        masked.push(value_start..value_end);
    }
}

/// `ENV KEY=value ...`, `ENV KEY value`, `ARG KEY[=default]`: keys matched, values masked.
fn docker_line(
    line: &Line,
    reg: &Registry,
    src: &str,
    hits: &mut Vec<Hit>,
    masked: &mut Vec<Range<usize>>,
) {
    let t = line.text.trim_start();
    let upper = t.get(..4).map(str::to_ascii_uppercase);
    let Some(instr) = upper.filter(|u| u == "ENV " || u == "ARG ") else {
        return;
    };
    let body_at = line.at + (line.text.len() - t.len()) + 4;
    let body = &t[4..];
    let end = line.at + line.text.len();
    if instr == "ENV " && !body.split_whitespace().next().unwrap_or("").contains('=') {
        // Legacy `ENV KEY value`
        let name = body.trim_start();
        let name_at = body_at + (body.len() - name.len());
        let name = name.split_whitespace().next().unwrap_or("");
        match_name(name, name_at..name_at + name.len(), reg, line, hits);
        let rest = &src[name_at + name.len()..end];
        let value_at = name_at + name.len() + (rest.len() - rest.trim_start().len());
        if end > value_at {
            masked.push(value_at..end);
        }
        return;
    }
    let mut offset = 0;
    for word in body.split(' ') {
        let word_at = body_at + offset;
        offset += word.len() + 1;
        if word.is_empty() {
            continue;
        }
        let name = word.split('=').next().unwrap_or(word);
        match_name(name, word_at..word_at + name.len(), reg, line, hits);
        if word.len() > name.len() {
            masked.push(word_at + name.len() + 1..word_at + word.len());
        }
    }
}

enum Role<'a> {
    Key,
    Value { key: Option<&'a str> },
}

/// The keys and string values of one line of YAML, TOML or JSON, with their byte ranges in the
/// file (quotes excluded). Comments are cut first (`#` outside quotes in YAML and TOML).
fn pairs<'a>(line: &Line<'a>, kind: ConfigKind) -> Vec<(Range<usize>, Role<'a>)> {
    let text = line.text;
    let code = if kind == ConfigKind::Json {
        text
    } else {
        cut_comment(text)
    };
    let mut out = Vec::new();
    // Quoted strings, in order, and what follows each one.
    let mut strings: Vec<(usize, usize)> = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let q = bytes[i];
        if q == b'"' || (q == b'\'' && kind != ConfigKind::Json) {
            let start = i + 1;
            let mut j = start;
            while j < bytes.len() && bytes[j] != q {
                if bytes[j] == b'\\' && q == b'"' {
                    j += 1;
                }
                j += 1;
            }
            strings.push((start, j.min(bytes.len())));
            i = j + 1;
        } else {
            i += 1;
        }
    }
    let after = |end: usize| code[(end + 1).min(code.len())..].trim_start();
    let sep = if kind == ConfigKind::Toml { '=' } else { ':' };
    // An unquoted key (YAML `key: value`, TOML `key = value`).
    let trimmed = code.trim_start();
    let lead = code.len() - trimmed.len();
    let item = trimmed.strip_prefix("- ").map(str::trim_start);
    let body = item.unwrap_or(trimmed);
    let body_at = lead + (trimmed.len() - body.len());
    let mut key: Option<&'a str> = None;
    if kind != ConfigKind::Json
        && let Some(k) = body.find(sep)
        && !body.starts_with(['"', '\''])
        && body[..k]
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' '))
    {
        let name = body[..k].trim_end();
        if !name.is_empty() {
            key = Some(&text[body_at..body_at + name.len()]);
            out.push((line.at + body_at..line.at + body_at + name.len(), Role::Key));
            // An unquoted scalar value.
            let value = body[k + 1..].trim();
            if !value.is_empty() && !value.starts_with(['"', '\'', '[', '{', '|', '>', '&', '*']) {
                let v_at =
                    body_at + k + 1 + (body[k + 1..].len() - body[k + 1..].trim_start().len());
                out.push((
                    line.at + v_at..line.at + v_at + value.len(),
                    Role::Value { key },
                ));
                return out;
            }
        }
    } else if kind == ConfigKind::Yaml
        && item.is_some()
        && !body.is_empty()
        && !body.starts_with(['"', '\''])
    {
        // `- value` list item
        out.push((
            line.at + body_at..line.at + body_at + body.trim_end().len(),
            Role::Value { key: None },
        ));
        return out;
    }
    for (s, e) in strings {
        let is_key = after(e).starts_with(sep) && kind == ConfigKind::Json;
        if is_key {
            key = Some(&text[s..e]);
            out.push((line.at + s..line.at + e, Role::Key));
        } else {
            out.push((line.at + s..line.at + e, Role::Value { key }));
        }
    }
    out
}

/// The line up to a `#` comment that is not inside quotes.
fn cut_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && prev.is_whitespace() => return &line[..i],
            None => {}
        }
        prev = c;
    }
    if line.trim_start().starts_with('#') {
        return "";
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_kinds_by_name() {
        let k = |p: &str| ConfigKind::from_path(Path::new(p));
        assert_eq!(k(".env"), Some(ConfigKind::Env));
        assert_eq!(k("app/.env.example"), Some(ConfigKind::Env));
        assert_eq!(k("Dockerfile"), Some(ConfigKind::Dockerfile));
        assert_eq!(k("api.dockerfile"), Some(ConfigKind::Dockerfile));
        assert_eq!(k("docker-compose.yml"), Some(ConfigKind::Yaml));
        assert_eq!(k("config/settings.json"), Some(ConfigKind::Json));
        assert_eq!(k("package.json"), None);
        assert_eq!(k("pyproject.toml"), None);
        assert_eq!(k("app.py"), None);
        assert_eq!(k("infra/main.tf"), Some(ConfigKind::Terraform));
    }

    #[test]
    fn comments_are_cut_outside_quotes() {
        assert_eq!(cut_comment("model: gpt-4o # the default"), "model: gpt-4o ");
        assert_eq!(
            cut_comment("url: \"http://x/#frag\""),
            "url: \"http://x/#frag\""
        );
        assert_eq!(cut_comment("# model: gpt-4o"), "");
    }
}
