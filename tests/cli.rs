//! The real binary, run the way users run it.

use std::io::{BufRead, BufReader};
use std::process::{Command as StdCommand, Stdio};

use predicates::prelude::*;
use serde_json::Value;

mod common;
use common::{json_of, lockin, write};

#[test]
fn json_report_has_every_documented_field() {
    let v = json_of(&["scan", "fixtures/demo", "--format", "json"]);
    for key in ["version", "root", "score", "findings", "summary"] {
        assert!(v.get(key).is_some(), "missing top-level `{key}`");
    }
    assert_eq!(v["root"], "fixtures/demo");
    for key in [
        "value",
        "grade",
        "penalty",
        "by_vendor",
        "by_category",
        "by_file",
    ] {
        assert!(v["score"].get(key).is_some(), "missing score.{key}");
    }
    let findings = v["findings"].as_array().unwrap();
    assert!(findings.len() > 10);
    for f in findings {
        for key in [
            "rule_id",
            "vendor",
            "category",
            "severity",
            "path",
            "line",
            "column",
            "end_line",
            "end_column",
            "message",
            "hint",
        ] {
            assert!(f.get(key).is_some(), "finding without `{key}`: {f}");
        }
        let path = f["path"].as_str().unwrap();
        assert!(
            !path.starts_with('/') && !path.contains('\\') && !path.starts_with("./"),
            "{path}"
        );
        assert!(
            !path.contains("node_modules"),
            "vendored code was scanned: {path}"
        );
    }
    // Ordered by path, line, column, rule id.
    let keys: Vec<(String, u64, u64, String)> = findings
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(v["summary"]["files_scanned"], 9);
    assert_eq!(v["summary"]["dirs_skipped_vendored"], 1);
    // The breakdown adds up to the points lost.
    // Coupling points are what the coupling costs; the resilience term gives some back.
    let lost = 100 - v["score"]["value"].as_u64().unwrap()
        + v["score"]["resilience"]["points"].as_u64().unwrap();
    for part in ["by_vendor", "by_category", "by_file"] {
        let sum: u64 = v["score"][part]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["points"].as_u64().unwrap())
            .sum();
        assert_eq!(sum, lost, "score.{part} does not add up");
    }
}

#[test]
fn output_is_identical_for_any_thread_count() {
    let one = lockin()
        .args(["scan", "fixtures", "--format", "json", "--jobs", "1"])
        .output()
        .unwrap();
    let many = lockin()
        .args(["scan", "fixtures", "--format", "json", "--jobs", "8"])
        .output()
        .unwrap();
    assert!(!one.stdout.is_empty());
    assert_eq!(one.stdout, many.stdout);
    let text1 = lockin()
        .args(["scan", "fixtures/demo", "-j", "1", "--color", "never"])
        .output()
        .unwrap();
    let text8 = lockin()
        .args(["scan", "fixtures/demo", "-j", "8", "--color", "never"])
        .output()
        .unwrap();
    assert_eq!(text1.stdout, text8.stdout);
}

#[test]
fn gates_set_the_exit_code() {
    // The demo scores below 90 and has high-severity findings.
    lockin().args(["scan", "fixtures/demo"]).assert().code(0);
    lockin()
        .args(["scan", "fixtures/demo", "--fail-under", "90"])
        .assert()
        .code(1);
    lockin()
        .args(["scan", "fixtures/demo", "--fail-under", "10"])
        .assert()
        .code(0);
    lockin()
        .args(["scan", "fixtures/demo", "--fail-on", "high"])
        .assert()
        .code(1);
    let clean = tempfile::tempdir().unwrap();
    write(
        clean.path(),
        "app.py",
        "import json\nprint(json.dumps({}))\n",
    );
    lockin()
        .arg("scan")
        .arg(clean.path())
        .args(["--fail-on", "low", "--fail-under", "100"])
        .assert()
        .code(0);
    // Only low findings: --fail-on medium passes, --fail-on low fails.
    let low = tempfile::tempdir().unwrap();
    write(low.path(), "a.py", "import openai\n");
    lockin()
        .arg("scan")
        .arg(low.path())
        .args(["--fail-on", "medium"])
        .assert()
        .code(0);
    lockin()
        .arg("scan")
        .arg(low.path())
        .args(["--fail-on", "low"])
        .assert()
        .code(1);
}

#[test]
fn usage_and_rule_pack_errors_exit_2() {
    lockin()
        .args(["scan", "--fail-under", "101"])
        .assert()
        .code(2);
    lockin().args(["scan", "--format", "yaml"]).assert().code(2);
    lockin()
        .args(["scan", "no/such/dir"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/dir"));
    lockin()
        .args(["scan", "fixtures/demo", "--select", "openai/no-such-rule"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("given to --select"));

    let packs = tempfile::tempdir().unwrap();
    write(
        packs.path(),
        "broken.toml",
        "[pack]\nvendor = \"openai\"\nname = \"Broken\"\n\n[[rule]]\nid = \"openai/broken\"\ncategory = \"sdk-call\"\nseverity = \"hgh\"\n",
    );
    lockin()
        .args(["scan", "fixtures/demo", "--color", "never", "--rules"])
        .arg(packs.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("broken.toml"))
        .stderr(predicate::str::contains("unknown variant `hgh`"))
        .stderr(predicate::str::contains(":8:"));
}

#[test]
fn a_user_pack_extends_the_embedded_rules() {
    let packs = tempfile::tempdir().unwrap();
    write(
        packs.path(),
        "team.toml",
        r#"[pack]
vendor = "openai"
name = "Acme gateway (team pack)"

[[rule]]
id = "openai/acme-gateway"
category = "endpoint"
severity = "medium"
languages = ["python"]
message = "calls OpenAI through the Acme gateway URL `{match}`"
hint = "Read the gateway URL from configuration"
why = "The gateway only proxies OpenAI."
[rule.match]
string = ['^https://ai-gateway\.acme\.internal/openai(/|$)']
"#,
    );
    let src = tempfile::tempdir().unwrap();
    write(
        src.path(),
        "app.py",
        "URL = \"https://ai-gateway.acme.internal/openai/v1\"\n",
    );
    let out = lockin()
        .arg("scan")
        .arg(src.path())
        .args(["--format", "json", "--rules"])
        .arg(packs.path())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 1);
    assert_eq!(v["findings"][0]["rule_id"], "openai/acme-gateway");
    assert_eq!(
        v["findings"][0]["message"],
        "calls OpenAI through the Acme gateway URL `https://ai-gateway.acme.internal/openai/v1`"
    );
}

#[test]
fn output_file_and_colour() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    lockin()
        .args(["scan", "fixtures/demo", "--format", "json", "--output"])
        .arg(&out)
        .assert()
        .code(0)
        .stdout(predicate::str::is_empty());
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert!(v["findings"].as_array().unwrap().len() > 10);

    let colour = lockin()
        .args(["scan", "fixtures/demo", "--color", "always"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&colour.stdout).contains("\x1b["));
    // Not a terminal: no colour in auto mode, and never with NO_COLOR.
    let auto = lockin().args(["scan", "fixtures/demo"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&auto.stdout).contains("\x1b["));
    let never = lockin()
        .args(["scan", "fixtures/demo"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&never.stdout).contains("\x1b["));
}

#[test]
fn explicit_files_and_directories_mix() {
    let v = json_of(&[
        "scan",
        "fixtures/demo/backend/app/llm.py",
        "fixtures/demo/web",
        "--format",
        "json",
    ]);
    assert_eq!(v["root"], ".");
    let paths: std::collections::BTreeSet<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(paths.contains("fixtures/demo/backend/app/llm.py"));
    assert!(paths.contains("fixtures/demo/web/src/chat.ts"));
    assert!(!paths.iter().any(|p| p.contains("assistant.py")));
}

#[test]
fn ignore_files_and_vendored_directories() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, ".gitignore", "generated/\n");
    write(root, "generated/client.py", "import openai\n");
    write(
        root,
        "node_modules/pkg/index.js",
        "const OpenAI = require('openai');\n",
    );
    write(root, ".hidden/x.py", "import openai\n");
    write(root, "src/app.py", "import anthropic\n");
    let scan = |extra: &[&str]| {
        let out = lockin()
            .arg("scan")
            .arg(root)
            .args(["--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    // .gitignore is honoured without a .git directory; vendored and hidden directories are skipped.
    assert_eq!(scan(&[]), vec!["src/app.py"]);
    let all = scan(&["--no-ignore"]);
    assert!(all.contains(&"generated/client.py".to_string()));
    assert!(all.contains(&"node_modules/pkg/index.js".to_string()));
}

#[test]
fn unscannable_files_are_counted_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "ok.py", "import openai\n");
    std::fs::write(root.join("binary.py"), b"\x00\x01\x02import openai\n").unwrap();
    std::fs::write(root.join("big.js"), "x".repeat(4096)).unwrap();
    std::fs::write(root.join("latin1.py"), b"# caf\xe9\nMODEL = \"gpt-4o\"\n").unwrap();
    write(
        root,
        "broken.ts",
        "const m = \"claude-3-opus-20240229\";\nfunction (( {\n",
    );
    let out = lockin()
        .arg("scan")
        .arg(root)
        .args(["--format", "json", "--max-file-size", "1024"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = &v["summary"];
    assert_eq!(s["files_scanned"], 3);
    assert_eq!(s["files_skipped"]["binary"], 1);
    assert_eq!(s["files_skipped"]["too-large"], 1);
    assert_eq!(s["files_decoded_lossily"], 1);
    assert_eq!(s["files_with_syntax_errors"], 1);
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"openai/model-id"),
        "findings in a lossily decoded file count"
    );
    assert!(
        rules.contains(&"anthropic/model-id"),
        "findings before a syntax error count"
    );
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..300 {
        write(
            dir.path(),
            &format!("m{i:03}.py"),
            "from openai import OpenAI\nclient = OpenAI()\nMODEL = \"gpt-4o\"\n",
        );
    }
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin!("lockin"))
        .arg("scan")
        .arg(dir.path())
        .args(["--color", "never"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is dropped here: the pipe closes while lockin is still writing.
    let out = child.wait_with_output().unwrap();
    assert!(first.starts_with("lockin"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn attribution_follows_the_client_endpoint() {
    let v = json_of(&[
        "scan",
        "fixtures/rules/xai/attribution.py",
        "fixtures/rules/groq/attribution.py",
        "--format",
        "json",
    ]);
    let vendor_of = |path: &str, rule: &str| -> Vec<String> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["path"].as_str().unwrap().ends_with(path) && f["rule_id"] == rule)
            .map(|f| f["vendor"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        vendor_of("xai/attribution.py", "openai/chat-completions"),
        vec!["xai"]
    );
    assert_eq!(
        vendor_of("xai/attribution.py", "openai/client"),
        vec!["xai"]
    );
    assert_eq!(
        vendor_of("groq/attribution.py", "openai/chat-completions"),
        vec!["groq"]
    );
    assert_eq!(
        vendor_of("groq/attribution.py", "openai/sdk-import"),
        vec!["openai"]
    );
}

#[test]
fn secrets_never_reach_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let key = "sk-proj-Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0PpOoNn";
    write(
        dir.path(),
        "leak.py",
        &format!("API_KEY = \"{key}\"  # trailing note\n"),
    );
    for format in ["text", "json"] {
        let out = lockin()
            .arg("scan")
            .arg(dir.path())
            .args(["--format", format, "--color", "never"])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("openai/hardcoded-api-key"),
            "{format}: {stdout}"
        );
        assert!(!stdout.contains(&key[8..]), "{format} output leaks the key");
        assert!(!String::from_utf8_lossy(&out.stderr).contains(&key[8..]));
    }
}

#[test]
fn rules_and_explain() {
    let out = lockin()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let rules: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules = rules.as_array().unwrap();
    assert!(rules.len() >= 30);
    for key in ["id", "vendor", "category", "severity", "languages"] {
        assert!(rules[0].get(key).is_some());
    }
    lockin()
        .args(["explain", "openai/assistants-api"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Why it locks you in"))
        .stdout(predicate::str::contains("Migration hint"))
        .stdout(predicate::str::contains("client.beta.threads.create()"));
    lockin()
        .args(["explain", "openai/assistant"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean"));
}

#[test]
fn a_raw_tree_sitter_query_rule() {
    let packs = tempfile::tempdir().unwrap();
    write(
        packs.path(),
        "query.toml",
        r#"[pack]
vendor = "mistral"
name = "Mistral (query example)"

[[rule]]
id = "mistral/chat-call"
category = "sdk-call"
severity = "medium"
languages = ["python", "typescript"]
message = "calls Mistral's hosted chat"
hint = "Route the call through your own chat() function"
why = "Example of the query escape hatch."
[rule.match]
query.python = '''
((call function: (attribute attribute: (identifier) @m) (#eq? @m "complete")) @match)
'''
query.typescript = '''
((call_expression function: (member_expression property: (property_identifier) @m) (#eq? @m "complete")) @match)
'''
"#,
    );
    let src = tempfile::tempdir().unwrap();
    write(
        src.path(),
        "a.py",
        "# mistral.chat.complete() in a comment\nr = mistral.chat.complete(model=m)\n",
    );
    write(
        src.path(),
        "b.tsx",
        "const r = await mistral.chat.complete({ model });\nconst el = <div>{r}</div>;\n",
    );
    let out = lockin()
        .arg("scan")
        .arg(src.path())
        .args(["--format", "json", "--select", "mistral", "--rules"])
        .arg(packs.path())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let hits: Vec<(String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        hits,
        vec![("a.py".to_string(), 2), ("b.tsx".to_string(), 1)]
    );
}

#[test]
fn deep_nesting_does_not_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let parens = format!(
        "x = {}1{}\nMODEL = \"gpt-4o\"\n",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    write(dir.path(), "parens.py", &parens);
    let chain = format!(
        "from openai import OpenAI\nc = OpenAI()\nc{}.create()\n",
        ".a".repeat(50_000)
    );
    write(dir.path(), "chain.py", &chain);
    let arrays = format!(
        "const m = \"claude-3-opus-20240229\";\nconst x = {}0{};\n",
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    write(dir.path(), "arrays.js", &arrays);
    // (their long lines would make them minified, which is skipped by default)
    let out = lockin()
        .arg("scan")
        .arg(dir.path())
        .args(["--format", "json", "--include-generated"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["files_scanned"], 3);
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"openai/model-id") && rules.contains(&"anthropic/model-id"),
        "{rules:?}"
    );
}

#[test]
fn model_ids_say_pinned_or_moving_and_their_lifecycle() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "models.py",
        "A = \"claude-3-5-sonnet-20241022\"\nB = \"gpt-4o\"\nC = \"o1-preview\"\nD = \"anthropic/claude-2.1\"\n",
    );
    let out = lockin()
        .arg("scan")
        .arg(dir.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let messages: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        vec![
            "hard-codes the Anthropic model id `claude-3-5-sonnet-20241022` (pinned snapshot; retired 2025-10-22, successor claude-sonnet-4-5)",
            "hard-codes the OpenAI model id `gpt-4o` (moving alias: the model behind it can change)",
            "hard-codes the OpenAI model id `o1-preview` (moving alias: the model behind it can change; retired 2025-07-28, successor o3)",
            "names the Anthropic model `anthropic/claude-2.1` through a router or framework (moving alias: the model behind it can change; retired 2025-07-21, successor claude-sonnet-4-20250514)",
        ]
    );
}

/// The blast radius of an uncached JSON scan of `root`, with `extra` arguments.
fn scan_radius(root: &std::path::Path, extra: &[&str]) -> Value {
    let root = root.to_str().unwrap();
    let mut args = vec!["scan", root, "--format", "json", "--no-cache"];
    args.extend_from_slice(extra);
    json_of(&args)["blast_radius"].clone()
}

#[test]
fn same_named_modules_resolve_alike_with_and_without_the_prefilter() {
    // Two services with a `pkg/llm.py` each; only b's calls a vendor. Each `app.views` imports
    // `pkg.llm` from its own service, whether or not the other one was parsed.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "svc/a/pkg/util.py", "def helper(q):\n    return q\n");
    write(
        root,
        "svc/a/pkg/llm.py",
        "from .util import helper\n\n\ndef answer(q):\n    return helper(q)\n",
    );
    write(
        root,
        "svc/b/pkg/llm.py",
        "from openai import OpenAI\n\n\ndef answer(q):\n    return OpenAI().chat.completions.create(model=M, messages=[])\n",
    );
    let view = "from pkg.llm import answer\n\n\ndef view(q):\n    return answer(q)\n";
    write(root, "svc/a/app/views.py", view);
    write(root, "svc/b/app/views.py", view);
    let radius = |extra: &[&str]| scan_radius(root, extra);
    let with = radius(&[]);
    assert_eq!(with, radius(&["--no-prefilter"]));
    let importers = common::importers(&with[0]);
    assert_eq!(importers, ["svc/b/app/views.py <- svc/b/pkg/llm.py"]);
}

#[test]
fn a_decorated_method_is_reached_through_its_class() {
    // `@retry` wraps the method in a decorated definition: it is still `Assistant.ask`, so a
    // module that imports `Assistant` and builds one is in the radius, parsed or not.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "app/llm.py",
        "from openai import OpenAI\n\n\nclass Assistant:\n    @retry(3)\n    def ask(self, q):\n        return OpenAI().chat.completions.create(model=M, messages=[])\n",
    );
    write(
        root,
        "app/views.py",
        "from .llm import Assistant\n\n\ndef view(q):\n    return Assistant().ask(q)\n",
    );
    for extra in [&[][..], &["--no-prefilter"][..]] {
        let radius = &scan_radius(root, extra)[0];
        let functions: Vec<&str> = radius["functions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["function"].as_str().unwrap())
            .collect();
        assert_eq!(functions, ["Assistant.ask", "view"], "{extra:?}");
        assert_eq!(common::importers(radius), ["app/views.py <- app/llm.py"]);
    }
}

#[test]
fn the_prefilter_changes_nothing_but_the_work() {
    // Same findings, blast radius and plan with and without the prefilter, on every fixture.
    for dir in ["fixtures", "fixtures/demo", "fixtures/eval-app"] {
        let with = json_of(&["scan", dir, "--format", "json"]);
        let without = json_of(&["scan", dir, "--format", "json", "--no-prefilter"]);
        for key in ["findings", "blast_radius", "plan", "score"] {
            assert_eq!(
                with[key], without[key],
                "{dir}: `{key}` differs with the prefilter"
            );
        }
        // (every file of the eval app mentions a vendor)
        if dir != "fixtures/eval-app" {
            assert!(
                with["summary"]["files_prefiltered"].as_u64().unwrap() > 0,
                "{dir}: nothing was prefiltered"
            );
        }
        assert_eq!(without["summary"]["files_prefiltered"], 0);
    }
}
