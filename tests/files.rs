//! Files beyond source code: requirement includes followed inside the tree, and a project
//! whose only AI code sits in notebooks and configuration.

use serde_json::Value;

mod common;

fn scan(dir: &std::path::Path) -> Value {
    common::json_of(&[
        "scan",
        dir.to_str().unwrap(),
        "--format",
        "json",
        "--no-cache",
    ])
}

fn at(v: &Value) -> Vec<(String, u64, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn requirement_includes_are_followed_inside_the_tree() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("proj");
    std::fs::create_dir_all(root.join("deps")).unwrap();
    std::fs::write(
        root.join("requirements.txt"),
        "-r deps/ai.in\n--constraint=deps/pins.in\n-r ../outside.in\nrequests\n",
    )
    .unwrap();
    std::fs::write(
        root.join("deps/ai.in"),
        "# LLMs\nanthropic==0.40\n-r more.in\n",
    )
    .unwrap();
    std::fs::write(root.join("deps/more.in"), "\ngroq\n").unwrap();
    std::fs::write(root.join("deps/pins.in"), "openai==1.40.0\n").unwrap();
    std::fs::write(dir.path().join("outside.in"), "cohere\n").unwrap();
    let v = scan(&root);
    assert_eq!(
        at(&v),
        [
            (
                "deps/ai.in".to_string(),
                2,
                "anthropic/dependency".to_string()
            ),
            ("deps/more.in".to_string(), 2, "groq/dependency".to_string()),
            (
                "deps/pins.in".to_string(),
                1,
                "openai/dependency".to_string()
            ),
        ],
        "includes are read as requirement files; one outside the scanned tree is not"
    );
}

#[test]
fn notebooks_and_configs_alone_are_a_full_report() {
    // The same project twice: once as Python, once as a notebook plus configuration.
    let py = tempfile::tempdir().unwrap();
    std::fs::write(
        py.path().join("app.py"),
        "import os\nfrom openai import OpenAI\nclient = OpenAI()\nkey = os.environ[\"OPENAI_API_KEY\"]\nresp = client.chat.completions.create(model=\"gpt-4o\", messages=[])\n",
    )
    .unwrap();
    let nb = tempfile::tempdir().unwrap();
    let cells = serde_json::json!({
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": [
            "from openai import OpenAI\n",
            "client = OpenAI()\n",
            "resp = client.chat.completions.create(model=MODEL, messages=[])\n"
        ]}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5
    });
    std::fs::write(nb.path().join("explore.ipynb"), cells.to_string()).unwrap();
    std::fs::write(nb.path().join(".env.example"), "OPENAI_API_KEY=\n").unwrap();
    std::fs::write(nb.path().join("config.yaml"), "model: gpt-4o\n").unwrap();
    let rules = |v: &Value| -> Vec<String> {
        let mut r: Vec<String> = at(v).into_iter().map(|(_, _, id)| id).collect();
        r.sort();
        r
    };
    let (a, b) = (scan(py.path()), scan(nb.path()));
    assert_eq!(rules(&a), rules(&b));
    assert_eq!(a["summary"]["by_category"], b["summary"]["by_category"]);
    // (the scores differ a little: the per-file cap of the score sees three files, not one)
}
