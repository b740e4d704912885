//! Hostile input and trust: the scan completes, counts what it skipped, and never touches the
//! scanned tree. (More classes are covered in tests/cli.rs: binary, oversize, invalid UTF-8,
//! syntax errors, deep nesting, closed pipe.)

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use assert_cmd::Command;
use serde_json::Value;

mod common;

fn scan(dir: &Path, extra: &[&str]) -> (i32, Value, Vec<u8>) {
    let out = Command::new(assert_cmd::cargo::cargo_bin!("lockin"))
        .arg("scan")
        .arg(dir)
        .args(["--format", "json"])
        .args(extra)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), v, out.stdout)
}

fn lines_of(v: &Value, path: &str) -> Vec<(u64, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == path)
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn line_endings_keep_line_numbers_right() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("crlf.py"),
        "import os\r\n\r\nMODEL = \"gpt-4o\"\r\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("cr.py"),
        "import os\r\rMODEL = \"gpt-4o\"\r",
    )
    .unwrap();
    std::fs::write(dir.path().join("bom.ts"), "\u{feff}const m = \"gpt-4o\";\n").unwrap();
    let (code, v, _) = scan(dir.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(
        lines_of(&v, "crlf.py"),
        vec![(3, "openai/model-id".to_string())]
    );
    assert_eq!(
        lines_of(&v, "cr.py"),
        vec![(3, "openai/model-id".to_string())]
    );
    let bom = &v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "bom.ts")
        .unwrap();
    assert_eq!(
        (bom["line"].as_u64(), bom["column"].as_u64()),
        (Some(1), Some(11))
    );
}

#[cfg(unix)]
#[test]
fn odd_files_and_names() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("empty.py"), "").unwrap();
    std::fs::write(root.join("nul.py"), b"import openai\0\0\0").unwrap();
    std::fs::write(root.join("with space ü.py"), "import openai\n").unwrap();
    std::fs::write(
        root.join(std::ffi::OsStr::from_bytes(b"caf\xe9.py")),
        "import anthropic\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(root, root.join("loop")).unwrap();
    std::os::unix::fs::symlink("/", root.join("outside")).unwrap();
    let fifo = root.join("pipe.py");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let (code, v, _) = scan(root, &[]);
    assert_eq!(code, 0);
    let s = &v["summary"];
    assert_eq!(s["files_skipped"]["binary"], 1, "{s}");
    assert_eq!(
        s["files_skipped"]["not-regular"], 1,
        "the FIFO is listed, never opened: {s}"
    );
    let paths: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(paths.contains(&"with space ü.py"));
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("caf") && p.ends_with(".py")),
        "{paths:?}"
    );
    assert!(
        !paths
            .iter()
            .any(|p| p.starts_with("loop/") || p.starts_with("outside/")),
        "symlinks are not followed: {paths:?}"
    );
}

fn snapshot(root: &Path) -> BTreeMap<PathBuf, (u64, SystemTime, bool)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let e = e.unwrap();
            let meta = e.metadata().unwrap();
            if meta.is_dir() {
                stack.push(e.path());
            }
            out.insert(
                e.path(),
                (
                    meta.len(),
                    meta.modified().unwrap(),
                    meta.permissions().readonly(),
                ),
            );
        }
    }
    out
}

#[test]
fn the_scanned_tree_is_never_touched() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
    common::copy_dir(&demo, &root);
    std::fs::write(root.join("lockin.toml"), "[gate]\nfail_on = \"high\"\n").unwrap();
    make_readonly(&root);
    let before = snapshot(&root);
    for format in ["text", "json", "sarif", "markdown", "html"] {
        let out = Command::new(assert_cmd::cargo::cargo_bin!("lockin"))
            .arg("scan")
            .arg(&root)
            .args([
                "--format",
                format,
                "--show-suppressed",
                "--what-if",
                "openai",
            ])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format}: the gate fails on high findings"
        );
    }
    assert_eq!(
        before,
        snapshot(&root),
        "a scan changed the tree (content, mtime or permissions)"
    );
}

fn make_readonly(root: &Path) {
    for (path, _) in snapshot(root) {
        let mut p = std::fs::metadata(&path).unwrap().permissions();
        p.set_readonly(true);
        std::fs::set_permissions(&path, p).unwrap();
    }
}

#[test]
fn thousands_of_files_give_the_same_bytes_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let kinds = [
        "from openai import OpenAI\nclient = OpenAI()\nclient.chat.completions.create(model=\"gpt-4o\", messages=[])\n",
        "import anthropic\nc = anthropic.Anthropic()\nc.messages.create(model=\"claude-3-opus-20240229\", max_tokens=1, messages=[])\n",
        "def plain(x):\n    return x + 1\n",
        "const m = \"gemini-2.5-flash\";\nconst k = process.env.GEMINI_API_KEY;\n",
    ];
    for i in 0..2000 {
        let ext = if i % 4 == 3 { "ts" } else { "py" };
        let sub = dir.path().join(format!("pkg{}", i % 37));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join(format!("m{i}.{ext}")), kinds[i % 4]).unwrap();
    }
    for format in ["json", "sarif", "markdown"] {
        let run = |jobs: &str| {
            Command::new(assert_cmd::cargo::cargo_bin!("lockin"))
                .arg("scan")
                .arg(dir.path())
                .args(["--format", format, "--jobs", jobs])
                .output()
                .unwrap()
                .stdout
        };
        let one = run("1");
        assert!(one.len() > 1000);
        assert_eq!(
            one,
            run("8"),
            "{format} differs between --jobs 1 and --jobs 8"
        );
    }
}

#[test]
fn a_50_mb_minified_line_is_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let line = "var a=\"gpt-4o\";".repeat(50 * 1024 * 1024 / 15);
    std::fs::write(dir.path().join("bundle.js"), &line).unwrap();
    std::fs::write(dir.path().join("app.min.js"), "const m = \"gpt-4o\";\n").unwrap();
    let (code, v, _) = scan(dir.path(), &["--no-cache"]);
    assert_eq!(code, 0);
    assert_eq!(
        v["summary"]["files_skipped"]["too-large"], 1,
        "{}",
        v["summary"]
    );
    assert_eq!(
        v["summary"]["files_skipped"]["minified"], 1,
        "{}",
        v["summary"]
    );
    // Under a raised size cap it is read, recognised as minified by its line, and skipped.
    let (code, v, _) = scan(dir.path(), &["--no-cache", "--max-file-size", "100000000"]);
    assert_eq!(code, 0);
    assert_eq!(
        v["summary"]["files_skipped"]["minified"], 2,
        "{}",
        v["summary"]
    );
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
    // --include-generated scans the small one.
    let (_, v, _) = scan(dir.path(), &["--no-cache", "--include-generated"]);
    assert_eq!(
        lines_of(&v, "app.min.js"),
        [(1, "openai/model-id".to_string())]
    );
}

#[test]
fn a_parse_over_the_time_limit_is_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let body: String = (0..20_000)
        .map(|i| format!("def f{i}(x):\n    return client.chat.completions.create(model=x)\n"))
        .collect();
    std::fs::write(dir.path().join("big.py"), format!("import openai\n{body}")).unwrap();
    std::fs::write(dir.path().join("small.py"), "import openai\n").unwrap();
    let (code, v, _) = scan(
        dir.path(),
        &[
            "--no-cache",
            "--max-file-size",
            "10000000",
            "--parse-timeout",
            "0",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(
        v["summary"]["files_skipped"]["parse-timeout"], 1,
        "{}",
        v["summary"]
    );
    // The parser is reset after a cancelled parse: the next file is whole.
    assert_eq!(
        lines_of(&v, "small.py"),
        [(1, "openai/sdk-import".to_string())]
    );
    let (_, v, _) = scan(dir.path(), &["--no-cache", "--max-file-size", "10000000"]);
    assert!(v["summary"]["files_skipped"].get("parse-timeout").is_none());
}

#[test]
fn findings_per_file_are_capped_with_a_notice() {
    let dir = tempfile::tempdir().unwrap();
    let body: String = (0..1500).map(|i| format!("M{i} = \"gpt-4o\"\n")).collect();
    std::fs::write(dir.path().join("models.py"), body).unwrap();
    // Config files too.
    let list: String = (0..1200).map(|_| "- gpt-4o\n").collect();
    std::fs::write(dir.path().join("models.yaml"), list).unwrap();
    let (code, v, _) = scan(dir.path(), &["--no-cache"]);
    assert_eq!(code, 0);
    assert_eq!(v["findings"].as_array().unwrap().len(), 2000);
    assert_eq!(v["summary"]["findings_dropped"], 700);
    let notices = v["summary"]["notices"].as_array().unwrap();
    assert!(
        notices.iter().any(|n| n["message"]
            .as_str()
            .unwrap()
            .starts_with("500 more findings")),
        "{notices:?}"
    );
}

/// Whether this process can read a file it made unreadable (root can).
fn can_bypass_permissions(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let probe = dir.join("probe");
    std::fs::write(&probe, "x").unwrap();
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o000)).unwrap();
    let readable = std::fs::read(&probe).is_ok();
    std::fs::remove_file(&probe).unwrap();
    readable
}

#[test]
fn unreadable_files_and_directories_are_counted() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    if can_bypass_permissions(root) {
        eprintln!("running with permission to read anything (root): nothing to test here");
        return;
    }
    std::fs::write(root.join("locked.py"), "import openai\n").unwrap();
    std::fs::set_permissions(
        root.join("locked.py"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    std::fs::create_dir(root.join("closed")).unwrap();
    std::fs::write(root.join("closed/x.py"), "import openai\n").unwrap();
    std::fs::set_permissions(root.join("closed"), std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::write(root.join("open.py"), "import anthropic\n").unwrap();
    let (code, v, _) = scan(root, &["--no-cache"]);
    std::fs::set_permissions(root.join("closed"), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(code, 0);
    assert_eq!(
        v["summary"]["files_skipped"]["unreadable"], 2,
        "{}",
        v["summary"]
    );
    assert_eq!(
        lines_of(&v, "open.py"),
        [(1, "anthropic/sdk-import".to_string())]
    );
}

#[test]
fn device_files_are_never_opened() {
    let dir = tempfile::tempdir().unwrap();
    let dev = dir.path().join("null.py");
    // A character device like /dev/null (1, 3); only root may make one.
    let made = std::process::Command::new("mknod")
        .arg(&dev)
        .args(["c", "1", "3"])
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("cannot make a device file here (not root): nothing to test");
        return;
    }
    std::fs::write(dir.path().join("app.py"), "import openai\n").unwrap();
    let (code, v, _) = scan(dir.path(), &["--no-cache"]);
    assert_eq!(code, 0);
    assert_eq!(
        v["summary"]["files_skipped"]["not-regular"], 1,
        "{}",
        v["summary"]
    );
    assert_eq!(
        lines_of(&v, "app.py"),
        [(1, "openai/sdk-import".to_string())]
    );
}
