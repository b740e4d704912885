//! Dependency manifests: requirements*.txt (and the files they include), pyproject.toml,
//! setup.cfg, Pipfile and package.json. Each declared package is matched against the rules'
//! `dependency` lists and reported on its own line.

use std::collections::HashSet;

use tree_sitter::Point;

use super::{FileAnalysis, Hit, findings_from_hits};
use crate::lang::ManifestKind;
use crate::rules::Registry;
use crate::suppress::{self, Directive};

/// A declared dependency: its normalised name and where the name is written.
struct Declared {
    name: String,
    start: usize,
    end: usize,
}

/// PyPI-style normalisation (lowercase, runs of `-`, `_`, `.` become `-`), applied to npm names
/// too so that one rule list serves both.
pub fn normalise_package(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
            continue;
        }
        if sep && !out.is_empty() && !out.ends_with('/') {
            out.push('-');
        }
        sep = false;
        out.extend(c.to_lowercase());
    }
    out
}

pub fn analyze_manifest(src: &str, kind: ManifestKind, reg: &Registry, path: &str) -> FileAnalysis {
    let (declared, malformed) = match kind {
        ManifestKind::Requirements => (requirements(src), false),
        ManifestKind::Pyproject => pyproject(src),
        ManifestKind::PackageJson => package_json(src),
        ManifestKind::SetupCfg => (setup_cfg(src), false),
        ManifestKind::Pipfile => pipfile(src),
    };
    let mut hits = Vec::new();
    for d in declared {
        let Some(rules) = reg.dependencies.get(&d.name) else {
            continue;
        };
        for &ri in rules {
            hits.push(Hit {
                rule: ri,
                vendor: reg.rules[ri].vendor,
                range: d.start..d.end,
                start: point(src, d.start),
                end: point(src, d.end),
                matched: Some(src[d.start..d.end].trim_matches(['"', '\'']).to_string()),
                via: None,
            });
        }
    }
    let findings = findings_from_hits(src, reg, hits, &[], path, &|_| None);
    let directives = if kind == ManifestKind::PackageJson {
        Vec::new()
    } else {
        hash_directives(src)
    };
    let (findings, suppressed, notices) = suppress::apply(findings, &directives, reg, path);
    FileAnalysis {
        findings,
        suppressed,
        notices,
        syntax_errors: malformed,
        outline: Default::default(),
        portable_clients: 0,
        findings_dropped: 0,
        imports_from: Vec::new(),
    }
}

fn point(src: &str, offset: usize) -> Point {
    let before = &src[..offset];
    let row = before.matches('\n').count();
    let column = offset - before.rfind('\n').map_or(0, |i| i + 1);
    Point { row, column }
}

/// The package name at the start of a requirement specifier (`name[extra]>=1; marker`).
fn spec_name(spec: &str) -> Option<&str> {
    let s = spec.trim_start();
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(s.len());
    let name = &s[..end];
    name.chars()
        .next()
        .filter(char::is_ascii_alphanumeric)
        .map(|_| name)
}

fn requirements(src: &str) -> Vec<Declared> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in src.split_inclusive('\n') {
        let code = match line
            .find(" #")
            .or_else(|| line.starts_with('#').then_some(0))
        {
            Some(i) => &line[..i],
            None => line,
        };
        let trimmed = code.trim_start();
        let lead = code.len() - trimmed.len();
        if !trimmed.is_empty()
            && !trimmed.starts_with('-')
            && let Some(name) = spec_name(trimmed)
        {
            let start = offset + lead;
            out.push(Declared {
                name: normalise_package(name),
                start,
                end: start + name.len(),
            });
        }
        offset += line.len();
    }
    out
}

/// Finds `needle` in `src` at or after `from`, skipping offsets already used.
fn locate(src: &str, needle: &str, from: usize, used: &mut HashSet<usize>) -> Option<usize> {
    let mut at = from;
    while let Some(i) = src.get(at..)?.find(needle) {
        let pos = at + i;
        if used.insert(pos) {
            return Some(pos);
        }
        at = pos + needle.len();
    }
    None
}

fn pyproject(src: &str) -> (Vec<Declared>, bool) {
    let Ok(doc) = toml::from_str::<toml::Table>(src) else {
        return (Vec::new(), true);
    };
    let mut specs: Vec<String> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let strings = |v: Option<&toml::Value>| -> Vec<String> {
        v.and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let project = doc.get("project");
    specs.extend(strings(project.and_then(|p| p.get("dependencies"))));
    for table in [
        project.and_then(|p| p.get("optional-dependencies")),
        doc.get("dependency-groups"),
    ] {
        if let Some(t) = table.and_then(|t| t.as_table()) {
            for v in t.values() {
                specs.extend(strings(Some(v)));
            }
        }
    }
    let tool = doc.get("tool");
    specs.extend(strings(
        tool.and_then(|t| t.get("uv"))
            .and_then(|u| u.get("dev-dependencies")),
    ));
    if let Some(t) = tool
        .and_then(|t| t.get("pdm"))
        .and_then(|p| p.get("dev-dependencies"))
        .and_then(|d| d.as_table())
    {
        for v in t.values() {
            specs.extend(strings(Some(v)));
        }
    }
    let poetry = tool.and_then(|t| t.get("poetry"));
    if let Some(t) = poetry
        .and_then(|p| p.get("dependencies"))
        .and_then(|d| d.as_table())
    {
        keys.extend(t.keys().cloned());
    }
    if let Some(groups) = poetry
        .and_then(|p| p.get("group"))
        .and_then(|g| g.as_table())
    {
        for g in groups.values() {
            if let Some(t) = g.get("dependencies").and_then(|d| d.as_table()) {
                keys.extend(t.keys().cloned());
            }
        }
    }
    let mut used = HashSet::new();
    let mut out = Vec::new();
    for spec in specs {
        let Some(name) = spec_name(&spec) else {
            continue;
        };
        let pos = locate(src, &format!("\"{spec}\""), 0, &mut used)
            .or_else(|| locate(src, &format!("'{spec}'"), 0, &mut used));
        if let Some(p) = pos {
            let start = p + 1 + (spec.len() - spec.trim_start().len());
            out.push(Declared {
                name: normalise_package(name),
                start,
                end: start + name.len(),
            });
        }
    }
    toml_keys(src, &keys, &mut used, &mut out);
    (out, false)
}

/// `[packages]` and `[dev-packages]` of a Pipfile: the keys are package names.
fn pipfile(src: &str) -> (Vec<Declared>, bool) {
    let Ok(doc) = toml::from_str::<toml::Table>(src) else {
        return (Vec::new(), true);
    };
    let keys: Vec<String> = ["packages", "dev-packages"]
        .iter()
        .filter_map(|t| doc.get(*t).and_then(|v| v.as_table()))
        .flat_map(|t| t.keys().cloned())
        .collect();
    let mut out = Vec::new();
    toml_keys(src, &keys, &mut HashSet::new(), &mut out);
    (out, false)
}

/// `install_requires`, `setup_requires`, `tests_require` of `[options]` and every key of
/// `[options.extras_require]` in a setup.cfg: one specifier per line (or `;`-separated).
fn setup_cfg(src: &str) -> Vec<Declared> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut in_list = false;
    let mut offset = 0;
    for line in src.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        let code = line.split(" #").next().unwrap_or(line);
        let t = code.trim();
        if t.starts_with('[') {
            section = t.trim_matches(['[', ']']).trim().to_string();
            in_list = false;
            continue;
        }
        if t.is_empty() || t.starts_with(['#', ';']) {
            continue;
        }
        let continuation = code.starts_with([' ', '\t']);
        let (value, value_at) = if continuation {
            (code, at)
        } else {
            let Some(eq) = code.find('=') else {
                in_list = false;
                continue;
            };
            let key = code[..eq].trim();
            in_list = (section == "options"
                && matches!(key, "install_requires" | "setup_requires" | "tests_require"))
                || section == "options.extras_require";
            (&code[eq + 1..], at + eq + 1)
        };
        if !in_list {
            continue;
        }
        // (after a `;` comes an environment marker)
        let spec = value.split(';').next().unwrap_or("");
        let trimmed = spec.trim_start();
        if let Some(name) = spec_name(trimmed) {
            let start = value_at + (spec.len() - trimmed.len());
            out.push(Declared {
                name: normalise_package(name),
                start,
                end: start + name.len(),
            });
        }
    }
    out
}

/// Locates TOML keys that name packages (`name = ...` or `"name" = ...` at a line start).
fn toml_keys(src: &str, keys: &[String], used: &mut HashSet<usize>, out: &mut Vec<Declared>) {
    for key in keys {
        // A TOML key line: `name = ...` or `"name" = ...`, at the start of a line.
        let mut from = 0;
        while let Some(i) = src[from..].find(key.as_str()) {
            let pos = from + i;
            let line_start = src[..pos].rfind('\n').map_or(0, |n| n + 1);
            let before = src[line_start..pos].trim();
            let after = src[pos + key.len()..]
                .trim_start_matches(['"', '\''])
                .trim_start();
            if (before.is_empty() || before == "\"" || before == "'")
                && after.starts_with('=')
                && used.insert(pos)
            {
                out.push(Declared {
                    name: normalise_package(key),
                    start: pos,
                    end: pos + key.len(),
                });
                break;
            }
            from = pos + key.len();
        }
    }
    out.sort_by_key(|d| d.start);
}

fn package_json(src: &str) -> (Vec<Declared>, bool) {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(src) else {
        return (Vec::new(), true);
    };
    let mut used = HashSet::new();
    let mut out = Vec::new();
    for section in [
        "dependencies",
        "devDependencies",
        "peerDependencies",
        "optionalDependencies",
    ] {
        let Some(deps) = doc.get(section).and_then(|d| d.as_object()) else {
            continue;
        };
        let Some(section_at) = src.find(&format!("\"{section}\"")) else {
            continue;
        };
        for name in deps.keys() {
            let quoted = format!("\"{name}\"");
            let mut from = section_at;
            while let Some(pos) = locate(src, &quoted, from, &mut used) {
                let after = src[pos + quoted.len()..].trim_start();
                if after.starts_with(':') {
                    out.push(Declared {
                        name: normalise_package(name),
                        start: pos + 1,
                        end: pos + 1 + name.len(),
                    });
                    break;
                }
                from = pos + quoted.len();
            }
        }
    }
    out.sort_by_key(|d| d.start);
    (out, false)
}

/// `# lockin: allow ...` comments of a `#`-commented manifest.
pub(crate) fn hash_directives(src: &str) -> Vec<Directive> {
    let lines: Vec<&str> = src.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(at) = line.find('#') else { continue };
        let Some((file_level, terms, reason)) = suppress::parse_comment(&line[at..]) else {
            continue;
        };
        let alone = line[..at].trim().is_empty();
        let target = if file_level {
            None
        } else if alone {
            lines
                .iter()
                .enumerate()
                .skip(i + 1)
                .find(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
                .map(|(j, _)| j + 1)
        } else {
            Some(i + 1)
        };
        out.push(Directive {
            line: i + 1,
            column: line[..at].chars().count() + 1,
            target,
            terms,
            reason,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names_are_normalised() {
        assert_eq!(normalise_package("LangChain_OpenAI"), "langchain-openai");
        assert_eq!(
            normalise_package("llama-index.llms.openai"),
            "llama-index-llms-openai"
        );
        assert_eq!(normalise_package("@anthropic-ai/sdk"), "@anthropic-ai/sdk");
    }

    #[test]
    fn requirement_lines() {
        let src = "# deps\nopenai[datalib]>=1.40 ; python_version>'3.8'  # pinned\n-r base.txt\n  anthropic==0.40\n\n";
        let got: Vec<(String, &str)> = requirements(src)
            .into_iter()
            .map(|d| (d.name, &src[d.start..d.end]))
            .collect();
        assert_eq!(
            got,
            vec![
                ("openai".into(), "openai"),
                ("anthropic".into(), "anthropic")
            ]
        );
    }
}
