//! Every `lockin` command in docs/ci.md runs, in order, on a copy of fixtures/demo: the recipes
//! must be valid command lines (exit 0 or 1, never 2) and produce the files they name.

use std::path::Path;

use assert_cmd::Command;

mod common;
use common::copy_dir;

/// The `lockin ...` command lines of the fenced blocks, in document order.
fn recipe_commands(doc: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut in_block = false;
    for line in doc.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if !in_block {
            continue;
        }
        let l = line
            .trim_start()
            .trim_start_matches("- ")
            .trim_start_matches("run: ");
        if let Some(rest) = l.strip_prefix("lockin ") {
            out.push(rest.split_whitespace().map(str::to_string).collect());
        }
    }
    out
}

#[test]
fn every_ci_recipe_command_runs() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(manifest.join("docs/ci.md")).unwrap();
    let commands = recipe_commands(&doc);
    assert!(commands.len() >= 6, "recipes found: {commands:?}");
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&manifest.join("fixtures/demo"), dir.path());
    for args in commands {
        let out = Command::new(assert_cmd::cargo::cargo_bin!("lockin"))
            .current_dir(dir.path())
            .args(&args)
            .output()
            .unwrap();
        let code = out.status.code();
        assert!(
            matches!(code, Some(0 | 1)),
            "`lockin {}` exited {code:?}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        if let Some(i) = args.iter().position(|a| a == "--output") {
            let file = dir.path().join(&args[i + 1]);
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            assert!(
                !text.is_empty(),
                "`lockin {}` wrote nothing to {}",
                args.join(" "),
                file.display()
            );
        }
    }
    // The SARIF the GitHub recipe uploads is well-formed.
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("lockin.sarif")).unwrap())
            .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
}
