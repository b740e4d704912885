//! Blast radius, migration plan and score on fixture repositories that differ in one respect
//! each (fixtures/repos/README.md), and on the demo.

use assert_cmd::Command;
use serde_json::Value;

mod common;

fn report(args: &[&str]) -> Value {
    let out = Command::new(assert_cmd::cargo::cargo_bin!("lockin"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["scan", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn score(repo: &str) -> u64 {
    report(&[&format!("fixtures/repos/{repo}")])["score"]["value"]
        .as_u64()
        .unwrap()
}

/// (kind, effort, sites, files) of every plan item, vendor by vendor.
fn plan(repo: &str) -> Vec<(String, String, String, u64, usize)> {
    let v = report(&[&format!("fixtures/repos/{repo}")]);
    let mut out = Vec::new();
    for p in v["plan"].as_array().unwrap() {
        for i in p["items"].as_array().unwrap() {
            out.push((
                p["vendor"].as_str().unwrap().to_string(),
                i["kind"].as_str().unwrap().to_string(),
                i["effort"].as_str().unwrap().to_string(),
                i["sites"].as_u64().unwrap(),
                i["files"].as_array().unwrap().len(),
            ));
        }
    }
    out
}

fn item(
    vendor: &str,
    kind: &str,
    effort: &str,
    sites: u64,
    files: usize,
) -> (String, String, String, u64, usize) {
    (vendor.into(), kind.into(), effort.into(), sites, files)
}

#[test]
fn scores_order_the_repos_as_a_person_would() {
    let contained = score("contained");
    let spread = score("spread");
    let two = score("two-vendors");
    let features = score("features");
    assert!(
        contained > spread,
        "one adapter ({contained}) beats the same calls in every module ({spread})"
    );
    assert!(
        contained > two,
        "one vendor ({contained}) beats two ({two})"
    );
    assert!(
        contained > features + 5,
        "plain chat ({contained}) beats the Assistants API ({features})"
    );
    assert!(
        contained >= 75,
        "calls behind one adapter score high even with a closed SDK: {contained}"
    );
}

#[test]
fn plans_of_the_repos() {
    assert_eq!(
        plan("contained"),
        vec![item("openai", "adapter", "M", 8, 1)]
    );
    assert_eq!(plan("spread"), vec![item("openai", "adapter", "M", 18, 6)]);
    assert_eq!(
        plan("two-vendors"),
        vec![
            item("openai", "adapter", "M", 8, 1),
            item("anthropic", "adapter", "S", 3, 1)
        ]
    );
    assert_eq!(
        plan("features"),
        vec![
            item("openai", "adapter", "S", 2, 1),
            item("openai", "feature", "L", 12, 1)
        ]
    );
    let v = report(&["fixtures/repos/spread"]);
    let title = v["plan"][0]["items"][0]["title"].as_str().unwrap();
    assert!(
        title.contains("Introduce one adapter module for the 12 SDK calls spread over 6 files"),
        "{title}"
    );
}

#[test]
fn what_if_names_every_function_that_breaks() {
    let v = report(&["fixtures/demo", "--what-if", "openai"]);
    assert_eq!(v["what_if"], "openai");
    let blast = v["blast_radius"].as_array().unwrap();
    assert_eq!(blast.len(), 1);
    let functions: Vec<String> = blast[0]["functions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}:{}",
                f["path"].as_str().unwrap(),
                f["function"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        functions,
        vec![
            "backend/app/assistant.py:open_ticket",
            "backend/app/llm.py:answer",
            "backend/app/views.py:handle_question",
            "backend/app/views.py:handle_escalation",
            "web/src/chat.ts:streamReply",
            "web/src/page.tsx:Page",
            "web/src/page.tsx:onAsk",
        ]
    );
    let importers = common::importers(&blast[0]);
    assert_eq!(
        importers,
        vec![
            "backend/app/views.py <- backend/app/assistant.py",
            "backend/app/views.py <- backend/app/llm.py",
            "web/src/page.tsx <- web/src/chat.ts",
        ]
    );
    assert!(
        v["plan"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["vendor"] == "openai")
    );
    // health() in views.py calls nothing of the vendor's: it keeps working.
    assert!(!functions.iter().any(|f| f.ends_with(":health")));
}

#[test]
fn blast_radius_through_a_class() {
    let v = report(&["fixtures/demo", "--what-if", "anthropic"]);
    let functions: Vec<(String, Option<String>)> = v["blast_radius"][0]["functions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["function"].as_str().unwrap().to_string(),
                f["calls"].as_str().map(str::to_string),
            )
        })
        .collect();
    assert_eq!(
        functions,
        vec![
            ("Summarizer.__init__".to_string(), None),
            ("Summarizer.summarize".to_string(), None),
            (
                "handle_escalation".to_string(),
                Some("Summarizer".to_string())
            ),
        ]
    );
}
