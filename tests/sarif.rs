//! SARIF output: valid against the official SARIF 2.1.0 schema (OASIS errata 01, copied into
//! tests/data), and shaped the way GitHub code scanning expects.

use std::collections::BTreeSet;

use assert_cmd::Command;
use serde_json::Value;

fn sarif_of(args: &[&str]) -> Value {
    let out = Command::new(assert_cmd::cargo::cargo_bin!("lockin"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["scan", "--format", "sarif"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json"))
        .expect("the schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

fn assert_valid(v: &jsonschema::Validator, log: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: SARIF does not validate:\n{}",
        errors.join("\n")
    );
}

#[test]
fn sarif_of_every_fixture_validates() {
    let v = validator();
    assert_valid(&v, &sarif_of(&["fixtures/demo"]), "fixtures/demo");
    for dir in ["fixtures/rules", "fixtures/negative"] {
        assert_valid(&v, &sarif_of(&[dir]), dir);
    }
    // Skipped files become notifications; a suppressed finding carries its justification.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bin.py"), b"\0\0").unwrap();
    std::fs::write(
        dir.path().join("a.py"),
        "import openai  # lockin: allow openai/sdk-import -- the adapter\nimport anthropic  # lockin: allow anthropic/sdk-import\n",
    )
    .unwrap();
    let log = sarif_of(&[dir.path().to_str().unwrap(), "--show-suppressed"]);
    assert_valid(&v, &log, "skipped and suppressed");
    let run = &log["runs"][0];
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n["message"]["text"].as_str().unwrap().contains("bin.py"))
    );
    assert!(
        notes
            .iter()
            .any(|n| n["message"]["text"].as_str().unwrap().contains("no reason"))
    );
    let suppressed: Vec<&Value> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(
        suppressed[0]["suppressions"][0]["justification"],
        "the adapter"
    );
}

#[test]
fn a_broken_log_is_rejected_by_the_validator() {
    // Guards the test itself: the validator must catch a bad level and a zero line.
    let mut log = sarif_of(&["fixtures/demo"]);
    log["runs"][0]["results"][0]["level"] = Value::from("warn");
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    assert!(validator().iter_errors(&log).count() >= 2);
}

#[test]
fn sarif_has_what_code_scanning_needs() {
    let log = sarif_of(&["fixtures/demo"]);
    assert_eq!(log["version"], "2.1.0");
    assert!(
        log["$schema"]
            .as_str()
            .unwrap()
            .contains("sarif-schema-2.1.0")
    );
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
            .as_str()
            .unwrap()
            .starts_with("file:///")
    );
    assert!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
            .as_str()
            .unwrap()
            .ends_with('/')
    );
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "lockin");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(ids, sorted, "one descriptor per rule, sorted by id");
    for r in rules {
        for key in [
            "name",
            "shortDescription",
            "fullDescription",
            "help",
            "defaultConfiguration",
            "properties",
        ] {
            assert!(r.get(key).is_some(), "descriptor without {key}: {r}");
        }
        assert!(
            r["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains("**Migration:**")
        );
        let tags = r["properties"]["tags"].as_array().unwrap();
        assert!(tags.len() <= 10);
    }
    let results = run["results"].as_array().unwrap();
    let used: BTreeSet<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(
        used.len(),
        rules.len(),
        "descriptors only for rules that fired"
    );
    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(
            !loc["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .starts_with('/')
        );
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(
            r["partialFingerprints"]["lockin/v1"]
                .as_str()
                .unwrap()
                .len()
                == 16
        );
        assert!(r["properties"]["vendor"].is_string() && r["properties"]["category"].is_string());
    }
    let levels: BTreeSet<&str> = results
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(
        levels,
        BTreeSet::from(["error", "warning", "note"]),
        "severities map to three levels"
    );
}

#[test]
fn sarif_snapshot_of_the_demo() {
    let mut log = sarif_of(&["fixtures/demo"]);
    log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] = Value::from("file:///[ROOT]/");
    log["runs"][0]["tool"]["driver"]["version"] = Value::from("[VERSION]");
    log["runs"][0]["tool"]["driver"]["semanticVersion"] = Value::from("[VERSION]");
    insta::assert_snapshot!("demo_sarif", serde_json::to_string_pretty(&log).unwrap());
}
