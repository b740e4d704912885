//! The result cache: a re-scan gives the same bytes as a fresh one, sees edits, survives a
//! corrupt cache file and concurrent scans, and is never written with --no-cache or into the
//! scanned tree.

use std::path::Path;

use assert_cmd::Command;

mod common;
use common::copy_dir;

/// The JSON report of a scan of `dir` with the cache in `cache` (or none).
fn scan(dir: &Path, cache: Option<&Path>) -> Vec<u8> {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin!("lockin"));
    cmd.arg("scan").arg(dir).args(["--format", "json"]);
    match cache {
        Some(c) => cmd.arg("--cache-dir").arg(c),
        None => cmd.arg("--no-cache"),
    };
    let out = cmd.output().unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn cache_files(dir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .map(|r| r.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

#[test]
fn a_cached_rescan_gives_the_same_bytes_and_sees_edits() {
    let cache = tempfile::tempdir().unwrap();
    let tree = tempfile::tempdir().unwrap();
    copy_dir(Path::new("fixtures/demo"), tree.path());

    let fresh = scan(tree.path(), None);
    assert!(cache_files(cache.path()).is_empty());
    let first = scan(tree.path(), Some(cache.path()));
    assert_eq!(
        cache_files(cache.path()).len(),
        1,
        "one cache file per scanned root"
    );
    let second = scan(tree.path(), Some(cache.path()));
    assert_eq!(first, fresh);
    assert_eq!(second, fresh);

    // An edit is seen: a new model id on a new line.
    let app = tree.path().join("backend/app/llm.py");
    let mut text = std::fs::read_to_string(&app).unwrap();
    text.push_str("\nFALLBACK = \"claude-3-haiku-20240307\"\n");
    std::fs::write(&app, text).unwrap();
    let edited = scan(tree.path(), Some(cache.path()));
    assert_ne!(edited, fresh);
    assert_eq!(edited, scan(tree.path(), None));

    // A corrupt cache file is ignored (and replaced).
    for f in cache_files(cache.path()) {
        std::fs::write(f, b"{not json").unwrap();
    }
    assert_eq!(scan(tree.path(), Some(cache.path())), edited);
    assert_eq!(scan(tree.path(), Some(cache.path())), edited);
}

#[test]
fn a_cached_blast_radius_follows_new_and_removed_callers() {
    let cache = tempfile::tempdir().unwrap();
    let tree = tempfile::tempdir().unwrap();
    copy_dir(Path::new("fixtures/demo"), tree.path());
    let radius = |json: &[u8]| -> serde_json::Value {
        serde_json::from_slice::<serde_json::Value>(json).unwrap()["blast_radius"].clone()
    };
    let before = scan(tree.path(), Some(cache.path()));
    assert_eq!(scan(tree.path(), Some(cache.path())), before);

    // A new module with no vendor word (prefiltered) that imports and calls an affected
    // function: the cached radius must not be reused.
    let caller = tree.path().join("backend/app/report.py");
    std::fs::write(
        &caller,
        "from .llm import answer\n\n\ndef weekly_report():\n    return answer(\"week?\", [])\n",
    )
    .unwrap();
    let with_caller = scan(tree.path(), Some(cache.path()));
    assert_eq!(with_caller, scan(tree.path(), None));
    assert_ne!(radius(&with_caller), radius(&before));
    assert!(
        String::from_utf8_lossy(&with_caller).contains("weekly_report"),
        "the new caller is in the blast radius"
    );
    assert_eq!(scan(tree.path(), Some(cache.path())), with_caller);

    std::fs::remove_file(&caller).unwrap();
    assert_eq!(scan(tree.path(), Some(cache.path())), before);
}

#[test]
fn concurrent_scans_share_the_cache_safely() {
    let cache = tempfile::tempdir().unwrap();
    let expected = scan(Path::new("fixtures/demo"), None);
    let outputs: Vec<Vec<u8>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| scan(Path::new("fixtures/demo"), Some(cache.path()))))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for out in outputs {
        assert_eq!(out, expected);
    }
    // Whatever scan finished last left a whole cache file, which the next scan reads.
    let files = cache_files(cache.path());
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(
        scan(Path::new("fixtures/demo"), Some(cache.path())),
        expected
    );
}

#[test]
fn every_fixture_scans_the_same_with_and_without_the_cache() {
    let cache = tempfile::tempdir().unwrap();
    for dir in ["fixtures", "fixtures/eval-app", "fixtures/repos/spread"] {
        let fresh = scan(Path::new(dir), None);
        assert_eq!(scan(Path::new(dir), Some(cache.path())), fresh, "{dir}");
        assert_eq!(scan(Path::new(dir), Some(cache.path())), fresh, "{dir}");
    }
}
