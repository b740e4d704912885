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

#[test]
fn the_per_pack_reference_pages_are_current() {
    let reg = lockin::embedded_registry().unwrap();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
    let bless = std::env::var_os("LOCKIN_BLESS").is_some();
    if bless {
        std::fs::create_dir_all(&dir).unwrap();
    }
    let mut stale = Vec::new();
    let mut expected_files = std::collections::BTreeSet::new();
    for pack in &reg.packs {
        let stem = pack
            .file
            .trim_start_matches("rules/")
            .trim_end_matches(".toml");
        let path = dir.join(format!("{stem}.md"));
        expected_files.insert(path.clone());
        let page = lockin::report::rules::pack_page(&reg, &pack.file);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(page.as_str()) {
            if bless {
                std::fs::write(&path, &page).unwrap();
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if !expected_files.contains(&path) {
            stale.push(format!("{} (no such pack)", path.display()));
        }
    }
    assert!(
        stale.is_empty(),
        "stale pages, run `LOCKIN_BLESS=1 cargo test --test docs`:\n{}",
        stale.join("\n")
    );
}
