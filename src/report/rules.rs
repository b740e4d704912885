//! `lockin rules` and `lockin explain`.

use comfy_table::{Table, presets};
use serde::Serialize;

use crate::cli::ListFormat;
use crate::error::Error;
use crate::lang::RuleLang;
use crate::rules::{Category, Registry, Rule, Severity, Vendor};

#[derive(Serialize)]
struct RuleRow<'a> {
    id: &'a str,
    vendor: Vendor,
    category: Category,
    severity: Severity,
    languages: &'a [RuleLang],
    message: &'a str,
}

pub fn list(reg: &Registry, format: ListFormat) -> Result<(), Error> {
    let mut rules: Vec<&Rule> = reg.rules.iter().collect();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    let text = match format {
        ListFormat::Json => {
            let rows: Vec<RuleRow> = rules
                .iter()
                .map(|r| RuleRow {
                    id: &r.id,
                    vendor: r.vendor,
                    category: r.category,
                    severity: r.severity,
                    languages: &r.languages,
                    message: &r.message,
                })
                .collect();
            let mut json = serde_json::to_string_pretty(&rows).unwrap_or_default();
            json.push('\n');
            json
        }
        ListFormat::Text => {
            let mut t = Table::new();
            t.load_style(presets::UTF8_FULL_CONDENSED);
            t.set_header(vec!["id", "vendor", "category", "severity", "languages"]);
            for r in &rules {
                let langs: Vec<&str> = r.languages.iter().map(|l| l.name()).collect();
                t.add_row(vec![
                    r.id.clone(),
                    r.vendor.id().to_string(),
                    r.category.id().to_string(),
                    r.severity.id().to_string(),
                    langs.join(", "),
                ]);
            }
            format!("{t}\n{} rules\n", rules.len())
        }
    };
    super::print_stdout(&text)
}

/// The rule's documentation, rendered from the same fields as docs/rules.md.
pub fn explain_text(rule: &Rule, reg: &Registry) -> String {
    let mut s = String::new();
    let langs: Vec<&str> = rule.languages.iter().map(|l| l.name()).collect();
    s.push_str(&format!("{}\n\n", rule.id));
    s.push_str(&format!(
        "vendor: {}   category: {}   severity: {}   languages: {}\n\n",
        rule.vendor,
        rule.category,
        rule.severity,
        langs.join(", ")
    ));
    s.push_str(&format!("{}\n\n", rule.message.replace("{match}", "…")));
    s.push_str(&format!("Why it locks you in\n{}\n\n", rule.why));
    for (lang, code) in &rule.example {
        s.push_str(&format!(
            "Example ({}), flagged:\n{}\n\n",
            lang.name(),
            indent(code)
        ));
    }
    for (lang, code) in &rule.instead {
        s.push_str(&format!(
            "Instead ({}), portable:\n{}\n\n",
            lang.name(),
            indent(code)
        ));
    }
    s.push_str(&format!("Migration hint\n{}\n", rule.hint));
    if let Some(docs) = &rule.docs {
        s.push_str(&format!("\nVendor docs: {docs}\n"));
    }
    use crate::prefilter::Anchor;
    match crate::prefilter::rule_needs(rule, reg) {
        Some(needs) if needs.is_empty() => s.push_str(
            "\nPrefilter: not used (manifests and config files are read whatever their content)\n",
        ),
        Some(needs) => {
            let mut alternatives: Vec<String> = needs
                .iter()
                .map(|c| {
                    c.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(" + ")
                })
                .collect();
            alternatives.sort();
            alternatives.dedup();
            s.push_str(&format!(
                "\nPrefilter: the rule is tried only on files containing one of: {}\n",
                alternatives.join(", ")
            ));
            if needs.iter().flatten().any(|n| n.anchor != Anchor::Anywhere) {
                s.push_str(
                    "  (`import m`: module m imported; `\"w\"`: w as a whole string literal; \
                     `\"w…`: a string literal starting with w that can match the \
                     rule's pattern; `k: \"w\"`: that literal as the \
                     value of key k; `w:`: w as a dict or object key; `w=`: w as a keyword \
                     argument or key before = or :; `w=[…]`: the same with a list value)\n",
                );
            }
        }
        None => s.push_str("\nPrefilter: none (every file is parsed for this rule)\n"),
    }
    s
}

fn indent(code: &str) -> String {
    code.trim_end()
        .lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn explain(rule: &Rule, reg: &Registry) -> Result<(), Error> {
    super::print_stdout(&explain_text(rule, reg))
}

/// The rule table of docs/rules.md, generated from the packs (checked by tests/docs.rs).
pub fn markdown_table(reg: &Registry) -> String {
    let mut rules: Vec<&Rule> = reg.rules.iter().collect();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    let mut s = String::from(
        "| id | vendor | category | severity | languages | message |\n|---|---|---|---|---|---|\n",
    );
    for r in rules {
        let langs: Vec<&str> = r.languages.iter().map(|l| l.name()).collect();
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            r.id,
            r.vendor,
            r.category,
            r.severity,
            langs.join(", "),
            r.message.replace("{match}", "…").replace('|', "\\|")
        ));
    }
    s
}

/// The reference page of one pack (`docs/rules/<pack>.md`), generated from its TOML; checked by
/// tests/docs.rs.
pub fn pack_page(reg: &Registry, pack_file: &str) -> String {
    let Some(pack) = reg.packs.iter().find(|p| p.file == pack_file) else {
        return String::new();
    };
    let mut rules: Vec<&Rule> = reg.rules.iter().filter(|r| r.pack == pack_file).collect();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    let mut s = format!(
        "<!-- generated from {pack_file} by `LOCKIN_BLESS=1 cargo test --test docs`; do not edit -->\n# {} rules\n\n",
        pack.name
    );
    if let Some(docs) = &pack.docs {
        s.push_str(&format!("Vendor documentation: <{docs}>\n\n"));
    }
    s.push_str(&format!(
        "{} rules. Vendor id: `{}`.\n\n",
        rules.len(),
        pack.vendor
    ));
    s.push_str("| id | category | severity | languages |\n|---|---|---|---|\n");
    for r in &rules {
        let langs: Vec<&str> = r.languages.iter().map(|l| l.name()).collect();
        s.push_str(&format!(
            "| [`{}`](#{}) | {} | {} | {} |\n",
            r.id,
            r.id.replace('/', ""),
            r.category,
            r.severity,
            langs.join(", ")
        ));
    }
    for r in rules {
        s.push_str(&format!("\n## {}\n\n", r.id));
        let langs: Vec<&str> = r.languages.iter().map(|l| l.name()).collect();
        s.push_str(&format!(
            "*{}, {} severity, {}*\n\n{}\n\n",
            r.category,
            r.severity,
            langs.join(", "),
            r.message.replace("{match}", "…")
        ));
        s.push_str(&format!(
            "**Why it locks you in.** {}\n\n",
            r.why.replace('\n', " ")
        ));
        for (lang, code) in &r.example {
            s.push_str(&format!(
                "Flagged ({}):\n\n```{}\n{}\n```\n\n",
                lang.name(),
                fence(*lang),
                code.trim_end()
            ));
        }
        for (lang, code) in &r.instead {
            s.push_str(&format!(
                "Portable ({}):\n\n```{}\n{}\n```\n\n",
                lang.name(),
                fence(*lang),
                code.trim_end()
            ));
        }
        s.push_str(&format!("**Migration:** {}\n", r.hint));
        if let Some(docs) = &r.docs {
            s.push_str(&format!("\nDocs: <{docs}>\n"));
        }
    }
    s
}

fn fence(lang: RuleLang) -> &'static str {
    match lang {
        RuleLang::Python => "python",
        RuleLang::Typescript => "ts",
        RuleLang::Javascript => "js",
        RuleLang::Manifest => "text",
    }
}
