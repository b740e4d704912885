//! The team workflow: baselines, inline suppressions, the config file, pre-commit, `init` and
//! shell completions, through the real binary.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

mod common;
use common::{lockin_in as lockin, write};

fn json(cmd: &mut Command) -> (i32, Value) {
    let out = cmd.args(["--format", "json"]).output().unwrap();
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), v)
}

const APP: &str = "from openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.chat.completions.create(model=\"gpt-4o\", messages=[q])\n";

#[test]
fn baseline_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "app.py", APP);
    // scan -> baseline -> scan passes
    lockin(root)
        .args(["baseline", "."])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("wrote 4 findings"));
    let base: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("lockin-baseline.json")).unwrap())
            .unwrap();
    assert_eq!(base["findings"].as_array().unwrap().len(), 4);
    lockin(root)
        .args(["scan", ".", "--fail-on", "low"])
        .assert()
        .code(1);
    let (code, v) = json(lockin(root).args([
        "scan",
        ".",
        "--fail-on",
        "low",
        "--baseline",
        "lockin-baseline.json",
    ]));
    assert_eq!(code, 0);
    assert_eq!(v["summary"]["baselined"], 4);
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
    // Move the code ten lines down and edit other lines: still baselined.
    write(
        root,
        "app.py",
        &format!(
            "\"\"\"Docs.\"\"\"\n{}import json\n{APP}\nprint(json.dumps({{}}))\n",
            "\n".repeat(9)
        ),
    );
    lockin(root)
        .args([
            "scan",
            ".",
            "--fail-on",
            "low",
            "--baseline",
            "lockin-baseline.json",
        ])
        .assert()
        .code(0);
    // Add a finding: only the new one is reported, and the gate fails.
    let moved = std::fs::read_to_string(root.join("app.py")).unwrap();
    write(
        root,
        "app.py",
        &format!("{moved}\nclient.embeddings.create(model=\"text-embedding-3-small\", input=[])\n"),
    );
    let (code, v) = json(lockin(root).args([
        "scan",
        ".",
        "--fail-on",
        "low",
        "--baseline",
        "lockin-baseline.json",
    ]));
    assert_eq!(code, 1);
    let new: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(new, vec!["openai/embeddings", "openai/model-id"]);
    // The same call twice: the second occurrence is new even though the text is the same.
    write(
        root,
        "app.py",
        &format!("{APP}    client.chat.completions.create(model=\"gpt-4o\", messages=[q])\n"),
    );
    let (_, v) = json(lockin(root).args(["scan", ".", "--baseline", "lockin-baseline.json"]));
    assert_eq!(v["findings"].as_array().unwrap().len(), 2);
    // A broken baseline is an error, not an empty baseline.
    write(root, "bad.json", "{\"version\": 1}");
    lockin(root)
        .args(["scan", ".", "--baseline", "bad.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.json"));
    lockin(root)
        .args(["scan", ".", "--baseline", "missing.json"])
        .assert()
        .code(2);
}

#[test]
fn suppressions_are_counted_listed_and_checked() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/negative");
    let (code, v) = json(lockin(&fixtures).args(["scan", "suppressions.py"]));
    assert_eq!(code, 0);
    assert_eq!(v["summary"]["suppressed"], 5);
    assert!(
        v.get("suppressed").is_none(),
        "listed only with --show-suppressed"
    );
    let notices = v["summary"]["notices"].as_array().unwrap();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0]["line"], 19);
    assert!(
        notices[0]["message"]
            .as_str()
            .unwrap()
            .contains("has no reason")
    );

    let (_, v) = json(lockin(&fixtures).args(["scan", "suppressions.py", "--show-suppressed"]));
    let listed = v["suppressed"].as_array().unwrap();
    assert_eq!(listed.len(), 5);
    assert_eq!(listed[0]["rule_id"], "openai/sdk-import");
    assert_eq!(listed[0]["reason"], "this module is the adapter");

    // Unused and unknown allows are reported, on stderr too.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.py",
        "import json  # lockin: allow openai/sdk-import -- stale\nx = 1  # lockin: allow openai/no-such-rule -- typo\n",
    );
    let (_, v) = json(lockin(dir.path()).args(["scan", "."]));
    let messages: Vec<&str> = v["summary"]["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].contains("matches no finding"));
    assert!(messages[1].contains("unknown rule `openai/no-such-rule`"));
    lockin(dir.path())
        .args(["scan", "."])
        .assert()
        .stderr(predicate::str::contains(
            "a.py:1:14: `lockin: allow openai/sdk-import` matches no finding",
        ));
    // An allow for a rule that is not selected is not "unused".
    let (_, v) = json(lockin(dir.path()).args(["scan", ".", "--select", "anthropic"]));
    assert_eq!(v["summary"]["notices"].as_array().unwrap().len(), 1);
}

#[test]
fn config_file_is_found_and_applied() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "src/app.py", APP);
    write(root, "tests/fixtures/sample.py", "import anthropic\n");
    write(
        root,
        "lockin.toml",
        "ignore = [\"openai/sdk-import\"]\nexclude = [\"tests/fixtures/\"]\n[gate]\nfail_on = \"high\"\nfail_under = 10\n[severity]\n\"openai/model-id\" = \"high\"\n",
    );
    // Found from a subdirectory scan root, walking up.
    let (code, v) = json(lockin(root).args(["scan", "src"]));
    assert_eq!(code, 1, "model-id raised to high trips fail_on = high");
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert!(!rules.contains(&"openai/sdk-import"));
    let model = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "openai/model-id")
        .unwrap();
    assert_eq!(model["severity"], "high");
    // Excludes apply to the walk and to files named explicitly.
    let (_, v) = json(lockin(root).args(["scan", "."]));
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| !f["path"].as_str().unwrap().starts_with("tests/"))
    );
    let (_, v) = json(lockin(root).args(["scan", "tests/fixtures/sample.py", "src/app.py"]));
    assert_eq!(v["summary"]["files_excluded"], 1);
    // The command line wins over the file.
    let (code, _) = json(lockin(root).args([
        "scan",
        ".",
        "--fail-on",
        "high",
        "--ignore",
        "openai/model-id",
    ]));
    assert_eq!(code, 0);
    // [tool.lockin] in pyproject.toml.
    let py = tempfile::tempdir().unwrap();
    write(py.path(), "app.py", APP);
    write(
        py.path(),
        "pyproject.toml",
        "[project]\nname = \"x\"\n\n[tool.lockin]\nselect = [\"model-id\"]\n",
    );
    let (_, v) = json(lockin(py.path()).args(["scan", "."]));
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(rules, vec!["openai/model-id"]);
}

#[test]
fn config_errors_point_at_the_key() {
    let cases = [
        (
            "lockin.toml",
            "selec = [\"openai\"]\n",
            "unknown field `selec`",
        ),
        (
            "lockin.toml",
            "[gate]\nfail_on = \"critical\"\n",
            "unknown variant `critical`",
        ),
        (
            "lockin.toml",
            "[gate]\nfail_under = 120\n",
            "between 0 and 100",
        ),
        ("lockin.toml", "max_file_size = \"big\"\n", "invalid type"),
        (
            "lockin.toml",
            "[severity]\n\"openai/modelid\" = \"low\"\n",
            "did you mean openai/model-id",
        ),
        (
            "lockin.toml",
            "select = [\"opneai\"]\n",
            "`opneai` given to --select",
        ),
        (
            "pyproject.toml",
            "[tool.lockin]\nexclude = 3\n",
            "invalid type",
        ),
    ];
    for (file, text, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.py", "import openai\n");
        write(dir.path(), file, text);
        lockin(dir.path())
            .args(["scan", ".", "--color", "never"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(expected))
            .stderr(
                predicate::str::contains(file).or(predicate::str::contains("given to --select")),
            );
    }
    // --config names the file explicitly.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.py", APP);
    write(
        dir.path(),
        "ci/lockin-ci.toml",
        "[gate]\nfail_on = \"low\"\n",
    );
    lockin(dir.path())
        .args(["scan", ".", "--config", "ci/lockin-ci.toml"])
        .assert()
        .code(1);
    lockin(dir.path())
        .args(["scan", ".", "--config", "ci/missing.toml"])
        .assert()
        .code(2);
}

#[test]
fn pre_commit_style_invocation() {
    // pre-commit runs the hook's entry with the staged file names appended; files deleted or
    // renamed since may be among them.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "keep.py", "import os\n");
    write(root, "new.py", APP);
    write(root, "docs/readme.md", "gpt-4o");
    write(root, "lockin.toml", "exclude = [\"generated/\"]\n");
    write(root, "generated/client.py", APP);
    let hooks = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    let entry_line = hooks
        .lines()
        .find(|l| l.trim_start().starts_with("entry:"))
        .unwrap();
    let entry: Vec<&str> = entry_line
        .split_once(':')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    assert_eq!(entry[0], "lockin");
    let args_line = hooks
        .lines()
        .find(|l| l.trim_start().starts_with("args:"))
        .map(|l| l.split_once(':').unwrap().1.trim().to_string());
    let mut cmd = lockin(root);
    cmd.args(&entry[1..]);
    if let Some(args) = args_line {
        let args: Vec<String> = serde_json::from_str(&args).unwrap();
        cmd.args(args);
    }
    cmd.args([
        "keep.py",
        "deleted.py",
        "renamed/old.py",
        "generated/client.py",
        "docs/readme.md",
    ]);
    cmd.assert().code(0);
    let mut failing = lockin(root);
    failing
        .args(&entry[1..])
        .args(["keep.py", "new.py", "deleted.py"]);
    failing
        .assert()
        .code(1)
        .stdout(predicate::str::contains("new.py"));
    // Only missing paths: a usage error.
    lockin(root).args(["scan", "deleted.py"]).assert().code(2);
}

#[test]
fn init_writes_a_config_that_loads() {
    let dir = tempfile::tempdir().unwrap();
    lockin(dir.path())
        .args(["init"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("pre-commit"))
        .stdout(predicate::str::contains("upload-sarif"));
    let text = std::fs::read_to_string(dir.path().join("lockin.toml")).unwrap();
    let uncommented: String = text
        .lines()
        .map(|l| {
            l.strip_prefix("# ")
                .filter(|r| r.contains(" = "))
                .unwrap_or(l)
        })
        .collect::<Vec<_>>()
        .join("\n");
    write(dir.path(), "lockin.toml", &uncommented);
    write(dir.path(), "a.py", "import openai\n");
    std::fs::create_dir_all(dir.path().join("lockin-rules")).unwrap();
    write(
        dir.path(),
        "lockin-baseline.json",
        "{\"version\": 1, \"findings\": []}",
    );
    lockin(dir.path()).args(["scan", "."]).assert().code(0);
    lockin(dir.path())
        .args(["init"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    lockin(dir.path())
        .args(["init", "--force"])
        .assert()
        .code(0);
}

#[test]
fn shell_completions() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        lockin(Path::new("."))
            .args(["completions", shell])
            .assert()
            .code(0)
            .stdout(predicate::str::contains("lockin"));
    }
}
