//! Helpers shared by the integration tests: the real binary, small files, whole directories.
// Each test crate uses a subset of these.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// The lockin binary, run in `dir`, with the caller's NO_COLOR removed.
pub fn lockin_in(dir: &Path) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin!("lockin"));
    cmd.current_dir(dir).env_remove("NO_COLOR");
    cmd
}

/// The lockin binary, run in the repository (so `fixtures/...` paths work).
pub fn lockin() -> Command {
    lockin_in(Path::new(env!("CARGO_MANIFEST_DIR")))
}

/// The JSON a command prints; it must exit 0 or 1.
pub fn json_of(args: &[&str]) -> Value {
    let out = lockin().args(args).output().unwrap();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Writes `text` to `dir/rel`, making the directories on the way.
pub fn write(dir: &Path, rel: &str, text: &str) -> PathBuf {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The importers of one vendor's blast radius, as `path <- imported file`.
pub fn importers(radius: &Value) -> Vec<String> {
    radius["importers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            format!(
                "{} <- {}",
                i["path"].as_str().unwrap(),
                i["from"].as_str().unwrap()
            )
        })
        .collect()
}
