//! The exact messages of config and rule-pack errors (miette, no colour), as snapshots.

use assert_cmd::Command;

fn error_for(files: &[(&str, &str)], args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let out = Command::new(assert_cmd::cargo::cargo_bin!("lockin"))
        .current_dir(dir.path())
        .args(args)
        .args(["--color", "never"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    String::from_utf8(out.stderr).unwrap()
}

const CONFIG: &[&str] = &["scan", "a.py", "--config", "lockin.toml"];

#[test]
fn unknown_config_key() {
    let text = "select = [\"openai\"]\nexlude = [\"tests/\"]\n";
    insta::assert_snapshot!(error_for(&[("a.py", ""), ("lockin.toml", text)], CONFIG));
}

#[test]
fn bad_config_value() {
    let text = "[gate]\nfail_on = \"critical\"\n";
    insta::assert_snapshot!(error_for(&[("a.py", ""), ("lockin.toml", text)], CONFIG));
}

#[test]
fn unknown_rule_in_severity_overrides() {
    let text = "[severity]\n\"openai/modelid\" = \"low\"\n";
    insta::assert_snapshot!(error_for(&[("a.py", ""), ("lockin.toml", text)], CONFIG));
}

#[test]
fn invalid_regex_in_a_pack() {
    let pack = "[pack]\nvendor = \"cohere\"\nname = \"Cohere\"\n\n[[rule]]\nid = \"cohere/team-model-id\"\ncategory = \"model-id\"\nseverity = \"medium\"\nlanguages = [\"python\"]\nmessage = \"m\"\nhint = \"h\"\nwhy = \"w\"\n[rule.match]\nstring = ['^command-(r']\n";
    insta::assert_snapshot!(error_for(
        &[("a.py", ""), ("packs/cohere.toml", pack)],
        &["scan", "a.py", "--rules", "packs"]
    ));
}

#[test]
fn duplicate_rule_id_across_packs() {
    let pack = "[pack]\nvendor = \"openai\"\nname = \"Mine\"\n\n[[rule]]\nid = \"openai/client\"\ncategory = \"sdk-call\"\nseverity = \"low\"\nlanguages = [\"python\"]\nmessage = \"m\"\nhint = \"h\"\nwhy = \"w\"\n[rule.match]\ncall = [\"openai.OpenAI\"]\n";
    insta::assert_snapshot!(error_for(
        &[("a.py", ""), ("packs/mine.toml", pack)],
        &["scan", "a.py", "--rules", "packs"]
    ));
}

/// A one-rule pack for vendor cohere; `extra` is appended to the rule, `pack_extra` to `[pack]`.
fn pack_with(pack_extra: &str, rule: &str) -> String {
    format!(
        "[pack]\nvendor = \"cohere\"\nname = \"Cohere\"\n{pack_extra}\n[[rule]]\n{rule}\n[rule.match]\ncall = [\"cohere.Client\"]\n"
    )
}

const RULE: &str = "id = \"cohere/team-client\"\ncategory = \"sdk-call\"\nseverity = \"medium\"\nlanguages = [\"python\"]\nmessage = \"m\"\nhint = \"h\"\nwhy = \"w\"";

fn pack_error(pack: &str) -> String {
    error_for(
        &[("a.py", ""), ("packs/team.toml", pack)],
        &["scan", "a.py", "--rules", "packs"],
    )
}

#[test]
fn pack_toml_syntax_error() {
    insta::assert_snapshot!(pack_error(
        &pack_with("", RULE).replace("name = \"Cohere\"", "name = \"Cohere")
    ));
}

#[test]
fn pack_unknown_rule_key() {
    insta::assert_snapshot!(pack_error(&pack_with(
        "",
        &format!("{RULE}\nseverty = \"low\"")
    )));
}

#[test]
fn pack_wrong_type() {
    insta::assert_snapshot!(pack_error(&pack_with(
        "",
        &RULE.replace("languages = [\"python\"]", "languages = \"python\"")
    )));
}

#[test]
fn pack_unknown_vendor() {
    insta::assert_snapshot!(pack_error(
        &pack_with("", RULE).replace("vendor = \"cohere\"", "vendor = \"cohere-ai\"")
    ));
}

#[test]
fn pack_unknown_category() {
    insta::assert_snapshot!(pack_error(&pack_with(
        "",
        &RULE.replace("\"sdk-call\"", "\"sdk-calls\"")
    )));
}

#[test]
fn pack_unknown_severity() {
    insta::assert_snapshot!(pack_error(&pack_with(
        "",
        &RULE.replace("\"medium\"", "\"critical\"")
    )));
}

#[test]
fn pack_invalid_tree_sitter_query() {
    let pack = pack_with("", RULE).replace(
        "call = [\"cohere.Client\"]",
        "query.python = '''(call function: (identifer) @match)'''",
    );
    insta::assert_snapshot!(pack_error(&pack));
}

#[test]
fn config_toml_syntax_error() {
    let text = "select = [\"openai\"\n";
    insta::assert_snapshot!(error_for(&[("a.py", ""), ("lockin.toml", text)], CONFIG));
}

#[test]
fn config_wrong_type() {
    let text = "max_file_size = \"2MB\"\n";
    insta::assert_snapshot!(error_for(&[("a.py", ""), ("lockin.toml", text)], CONFIG));
}
