//! Generated documentation must match the rule packs. Run with `LOCKIN_BLESS=1` to rewrite it.

use std::path::PathBuf;

const START: &str =
    "<!-- rules:start (generated from rules/*.toml; LOCKIN_BLESS=1 cargo test --test docs) -->\n";
const END: &str = "<!-- rules:end -->";

#[test]
fn the_rule_table_in_docs_rules_md_is_current() {
    let reg = lockin::embedded_registry().unwrap();
    let table = lockin::report::rules::markdown_table(&reg);
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let start = doc
        .find(START)
        .expect("docs/rules.md has the rules:start marker")
        + START.len();
    let end = doc
        .find(END)
        .expect("docs/rules.md has the rules:end marker");
    if doc[start..end] == table {
        return;
    }
    if std::env::var_os("LOCKIN_BLESS").is_some() {
        let fresh = format!("{}{table}{}", &doc[..start], &doc[end..]);
        std::fs::write(&path, fresh).unwrap();
        return;
    }
    panic!(
        "docs/rules.md is stale: run `LOCKIN_BLESS=1 cargo test --test docs` and commit the result"
    );
}
