//! Jupyter notebooks: code cells scanned as Python, findings on the notebook's own lines with
//! their cell, outputs and markdown never read, malformed notebooks skipped and counted.

use serde_json::Value;

mod common;

fn scan(args: &[&str]) -> Value {
    let args: Vec<&str> = ["scan"]
        .into_iter()
        .chain(args.iter().copied())
        .chain(["--no-cache"])
        .collect();
    common::json_of(&args)
}

#[test]
fn findings_carry_their_cell_in_json_and_sarif() {
    let v = scan(&["fixtures/rules/notebooks", "--format", "json"]);
    let chat = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "openai/chat-completions")
        .unwrap();
    assert_eq!(
        (
            chat["line"].as_u64(),
            chat["cell"].as_u64(),
            chat["cell_line"].as_u64()
        ),
        (Some(38), Some(2), Some(1))
    );
    assert_eq!(
        chat["snippet"],
        "resp = client.chat.completions.create(model=\"gpt-4o\", messages=[])"
    );
    let sarif = scan(&["fixtures/rules/notebooks", "--format", "sarif"]);
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "openai/chat-completions")
        .unwrap();
    assert_eq!(result["properties"]["cell"], 2);
    assert_eq!(result["properties"]["cellLine"], 1);
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        38
    );
}

#[test]
fn a_notebook_finds_what_the_same_code_in_a_py_file_finds() {
    let dir = tempfile::tempdir().unwrap();
    let code = [
        "import os",
        "from openai import OpenAI",
        "client = OpenAI()",
        "resp = client.chat.completions.create(model=\"gpt-4o\", messages=[])",
        "key = os.environ[\"ANTHROPIC_API_KEY\"]",
    ];
    std::fs::write(dir.path().join("app.py"), code.join("\n") + "\n").unwrap();
    let cells: Vec<Value> = code
        .iter()
        .map(|line| serde_json::json!({"cell_type": "code", "metadata": {}, "outputs": [], "source": [line]}))
        .collect();
    let nb =
        serde_json::json!({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5});
    std::fs::write(
        dir.path().join("app.ipynb"),
        serde_json::to_string_pretty(&nb).unwrap(),
    )
    .unwrap();
    let v = scan(&[dir.path().to_str().unwrap(), "--format", "json"]);
    let rules = |path: &str| -> Vec<String> {
        let mut r: Vec<String> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["path"] == path)
            .map(|f| f["rule_id"].as_str().unwrap().to_string())
            .collect();
        r.sort();
        r
    };
    assert!(!rules("app.py").is_empty());
    assert_eq!(rules("app.ipynb"), rules("app.py"));
}

#[test]
fn malformed_notebooks_are_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cut.ipynb"),
        "{\"cells\": [{\"cell_type\": \"code\", \"source\": [\"import openai\\n\"",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("v3.ipynb"),
        "{\"worksheets\": [], \"nbformat\": 3}",
    )
    .unwrap();
    std::fs::write(dir.path().join("ok.py"), "import openai\n").unwrap();
    let v = scan(&[dir.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(
        v["summary"]["files_skipped"]["malformed-notebook"], 2,
        "{}",
        v["summary"]
    );
    assert_eq!(v["findings"].as_array().unwrap().len(), 1);
}
