//! Finding the files to scan: the `ignore` crate's parallel walker, with .gitignore/.ignore
//! honoured even outside a git repository, hidden and vendored directories skipped, and the
//! result sorted so that nothing downstream depends on thread timing.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use ignore::{WalkBuilder, WalkState};

use crate::source::SkipReason;

/// Directory names skipped by default: third-party code, not the project's own.
pub const VENDORED_DIRS: &[&str] = &[
    "node_modules",
    ".venv",
    "venv",
    "site-packages",
    "dist",
    "build",
];

#[derive(Clone, Debug)]
pub struct WalkOptions {
    /// Do not read ignore files and do not skip vendored directories.
    pub no_ignore: bool,
    pub threads: usize,
}

/// A source file to scan, or one that was seen and could not be.
#[derive(Debug, Default)]
pub struct Walked {
    /// Source files in path order.
    pub files: Vec<PathBuf>,
    /// Paths the walker could not enter or read, with the reason.
    pub skipped: Vec<(PathBuf, SkipReason)>,
    pub vendored_dirs: usize,
    /// Source files left out by exclude patterns.
    pub excluded: usize,
}

/// Walks `paths`; files for which `excluded(path, false)` holds are left out and counted
/// (explicitly named files included, as pre-commit needs).
pub fn walk(
    paths: &[PathBuf],
    opts: &WalkOptions,
    excluded: &dyn Fn(&Path, bool) -> bool,
) -> Walked {
    let Some((first, rest)) = paths.split_first() else {
        return Walked::default();
    };
    let mut builder = WalkBuilder::new(first);
    for p in rest {
        builder.add(p);
    }
    let honour = !opts.no_ignore;
    builder
        .hidden(false)
        .ignore(honour)
        .git_ignore(honour)
        .git_global(honour)
        .git_exclude(honour)
        .parents(honour)
        .require_git(false)
        .follow_links(false)
        .threads(opts.threads.max(1));
    let vendored = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&vendored);
    builder.filter_entry(move |e| {
        if e.depth() == 0 {
            return true;
        }
        let is_dir = e.file_type().is_some_and(|t| t.is_dir());
        let name = e.file_name().to_str().unwrap_or("");
        // Hidden entries are skipped, except `.env` files and GitHub workflows.
        if name.starts_with('.') {
            return if is_dir {
                name == ".github"
            } else {
                name == ".env" || name.starts_with(".env.")
            };
        }
        let is_vendored = honour && is_dir && VENDORED_DIRS.contains(&name);
        if is_vendored {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        !is_vendored
    });
    let mut out = run(builder);
    out.vendored_dirs = vendored.load(Ordering::Relaxed);
    let before = out.files.len();
    out.files.retain(|f| !excluded(f, false));
    out.excluded = before - out.files.len();
    out
}

fn run(builder: WalkBuilder) -> Walked {
    let files = Mutex::new(Vec::new());
    let skipped = Mutex::new(Vec::new());
    builder.build_parallel().run(|| {
        let files = &files;
        let skipped = &skipped;
        Box::new(move |entry| {
            match entry {
                Ok(e) => {
                    let path = e.path();
                    if !crate::lang::is_scannable(path) {
                        return WalkState::Continue;
                    }
                    match e.file_type() {
                        Some(t) if t.is_file() => lock(files).push(path.to_path_buf()),
                        Some(t) if t.is_dir() || t.is_symlink() => {}
                        _ => lock(skipped).push((path.to_path_buf(), SkipReason::NotRegular)),
                    }
                }
                Err(err) => {
                    if let Some(path) = error_path(&err) {
                        lock(skipped).push((path, SkipReason::Unreadable));
                    }
                }
            }
            WalkState::Continue
        })
    });
    let mut files = files.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut skipped = skipped.into_inner().unwrap_or_else(|e| e.into_inner());
    files.sort();
    files.dedup();
    skipped.sort();
    skipped.dedup();
    Walked {
        files,
        skipped,
        vendored_dirs: 0,
        excluded: 0,
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The path an `ignore` error is about, if it names one.
fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        ignore::Error::Partial(errs) => errs.iter().find_map(error_path),
        _ => None,
    }
}

/// A path as shown in reports: relative to `root` when under it, `/`-separated, without `./`.
pub fn display_path(path: &Path, root: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut out = String::new();
    for c in rel.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::RootDir => out.push('/'),
            other => {
                if !out.is_empty() && !out.ends_with('/') {
                    out.push('/');
                }
                out.push_str(&other.as_os_str().to_string_lossy());
            }
        }
    }
    if out.is_empty() {
        path.file_name()
            .map_or_else(|| ".".to_string(), |n| n.to_string_lossy().into_owned())
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_paths_are_relative_with_forward_slashes() {
        assert_eq!(
            display_path(
                Path::new("fixtures/demo/app/main.py"),
                Path::new("fixtures/demo")
            ),
            "app/main.py"
        );
        assert_eq!(
            display_path(Path::new("./src/a.py"), Path::new(".")),
            "src/a.py"
        );
        assert_eq!(
            display_path(Path::new("src/a.py"), Path::new(".")),
            "src/a.py"
        );
        assert_eq!(
            display_path(Path::new("/abs/x.py"), Path::new(".")),
            "/abs/x.py"
        );
    }
}
