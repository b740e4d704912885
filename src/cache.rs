//! The result cache: what each file produced, keyed by a hash of its path and text, so that an
//! unchanged file costs a read and a hash on the next scan.
//!
//! One cache file per scanned directory, lockin build (version and a hash of its source), rule
//! set and mode, in the user's cache directory (never in the scanned tree): `$LOCKIN_CACHE_DIR`,
//! else `$XDG_CACHE_HOME/lockin`, else `~/.cache/lockin`. It is read whole at the start and, when anything changed, replaced
//! whole at the end through a temporary file and a rename, so concurrent scans never see half a
//! file (the last one to finish wins). A cache file that cannot be read or parsed is ignored;
//! one that cannot be written is not an error. At most `KEEP` cache files are kept.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use xxhash_rust::xxh3::Xxh3;

use crate::analyze::FileAnalysis;

/// Cache files kept in the cache directory; the least recently written go first.
const KEEP: usize = 32;

/// What one file produced, as the scan needs it again.
#[derive(Debug, Deserialize)]
pub enum Entry {
    Scanned {
        analysis: FileAnalysis,
        /// `Finding::matched` of the findings and of the suppressed findings (not part of
        /// their serialized form, needed for fingerprints).
        matched: Vec<String>,
        suppressed_matched: Vec<String>,
        lossy: bool,
    },
    /// No rule could fire: the modules its text imports from.
    Prefiltered(Vec<String>),
    /// The outline of a prefiltered file that the blast radius reached.
    Outline(crate::analyze::outline::Outline),
    /// The blast radius of a whole scan, and the outline entries it was computed with.
    Radius {
        radius: Vec<crate::blast::BlastRadius>,
        outlines: Vec<String>,
    },
}

/// An `Entry` by reference, serialized exactly like it: what a scan writes without cloning
/// what it produced.
#[derive(Serialize)]
#[serde(rename = "Entry")]
pub enum EntryRef<'a> {
    Scanned {
        analysis: &'a FileAnalysis,
        matched: Vec<&'a str>,
        suppressed_matched: Vec<&'a str>,
        lossy: bool,
    },
    Prefiltered(&'a [String]),
    Outline(&'a crate::analyze::outline::Outline),
    Radius {
        radius: &'a [crate::blast::BlastRadius],
        outlines: &'a [String],
    },
}

impl<'a> EntryRef<'a> {
    pub fn scanned(analysis: &'a FileAnalysis, lossy: bool) -> EntryRef<'a> {
        EntryRef::Scanned {
            matched: analysis
                .findings
                .iter()
                .map(|f| f.matched.as_str())
                .collect(),
            suppressed_matched: analysis
                .suppressed
                .iter()
                .map(|s| s.finding.matched.as_str())
                .collect(),
            analysis,
            lossy,
        }
    }
}

impl Entry {
    /// The analysis back, with the matched texts restored.
    pub fn into_analysis(self) -> Option<(FileAnalysis, bool)> {
        let Entry::Scanned {
            mut analysis,
            matched,
            suppressed_matched,
            lossy,
        } = self
        else {
            return None;
        };
        if matched.len() != analysis.findings.len()
            || suppressed_matched.len() != analysis.suppressed.len()
        {
            return None;
        }
        for (f, m) in analysis.findings.iter_mut().zip(matched) {
            f.matched = m;
        }
        for (s, m) in analysis.suppressed.iter_mut().zip(suppressed_matched) {
            s.finding.matched = m;
        }
        Some((analysis, lossy))
    }
}

#[derive(Deserialize)]
struct CacheFile {
    /// Identifies what the entries are valid for (version, rule set, mode, root).
    scope: String,
    /// Entries stay serialized until a file asks for its own.
    entries: HashMap<String, Box<RawValue>>,
}

pub struct Cache {
    path: PathBuf,
    scope: String,
    old: HashMap<String, Box<RawValue>>,
    /// Keys of `old` this scan used.
    hits: Mutex<Vec<String>>,
    /// Entries this scan computed, serialized.
    fresh: Mutex<Vec<(String, String)>>,
}

/// The cache directory: `$LOCKIN_CACHE_DIR`, `$XDG_CACHE_HOME/lockin` or `~/.cache/lockin`.
pub fn default_dir() -> Option<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    env("LOCKIN_CACHE_DIR")
        .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("lockin")))
        .or_else(|| env("HOME").map(|h| h.join(".cache").join("lockin")))
}

/// The key of one file's result: its path and its text.
pub fn key(rel: &str, text: &str) -> String {
    let mut h = Xxh3::new();
    h.update(&(rel.len() as u64).to_le_bytes());
    h.update(rel.as_bytes());
    h.update(text.as_bytes());
    format!("{:032x}", h.digest128())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Cache {
    /// Opens the cache of a scan of `root` with the given scope (version, rule set, mode).
    pub fn open(dir: &Path, root: &Path, scope: &str) -> Cache {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let scope = format!("{scope}\n{}", root.display());
        let mut h = Xxh3::new();
        h.update(scope.as_bytes());
        let path = dir.join(format!("scan-{:032x}.json", h.digest128()));
        let old = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<CacheFile>(&bytes).ok())
            .filter(|c| c.scope == scope)
            .map(|c| c.entries)
            .unwrap_or_default();
        Cache {
            path,
            scope,
            old,
            hits: Mutex::new(Vec::new()),
            fresh: Mutex::new(Vec::new()),
        }
    }

    /// The cached result for a key, if there is one that reads back.
    pub fn get(&self, key: &str) -> Option<Entry> {
        let raw = self.old.get(key)?;
        let entry = serde_json::from_str(raw.get()).ok()?;
        lock(&self.hits).push(key.to_string());
        Some(entry)
    }

    /// Keeps entries this scan did not read (the outlines a cached blast radius was made of,
    /// which the next scan needs again if a file changes).
    pub fn keep(&self, keys: &[String]) {
        let mut hits = lock(&self.hits);
        hits.extend(keys.iter().filter(|k| self.old.contains_key(*k)).cloned());
    }

    /// A digest of every entry key this scan has read or written so far: after the files are
    /// scanned, it names the paths and texts of all of them.
    pub fn digest(&self) -> u128 {
        let mut keys: Vec<String> = lock(&self.hits).clone();
        keys.extend(lock(&self.fresh).iter().map(|(k, _)| k.clone()));
        keys.sort_unstable();
        keys.dedup();
        let mut h = Xxh3::new();
        for k in &keys {
            h.update(k.as_bytes());
            h.update(b"\n");
        }
        h.digest128()
    }

    pub fn put(&self, key: String, entry: &EntryRef) {
        if let Ok(json) = serde_json::to_string(entry) {
            lock(&self.fresh).push((key, json));
        }
    }

    /// Writes this scan's entries, if anything changed; failures are ignored (the cache is an
    /// optimisation).
    pub fn save(self) {
        let hits = self.hits.into_inner().unwrap_or_else(|e| e.into_inner());
        let fresh = self.fresh.into_inner().unwrap_or_else(|e| e.into_inner());
        if fresh.is_empty() && hits.len() == self.old.len() {
            return;
        }
        let Some(dir) = self.path.parent() else {
            return;
        };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let mut entries: Vec<(&str, &str)> = hits
            .iter()
            .filter_map(|k| Some((k.as_str(), self.old.get(k)?.get())))
            .chain(fresh.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .collect();
        entries.sort_unstable();
        entries.dedup_by(|a, b| a.0 == b.0);
        let Ok(scope) = serde_json::to_string(&self.scope) else {
            return;
        };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let tmp = self
            .path
            .with_extension(format!("tmp.{}.{nanos}", std::process::id()));
        let written = write_entries(&tmp, &scope, &entries);
        if written.is_err() || std::fs::rename(&tmp, &self.path).is_err() {
            let _ = std::fs::remove_file(&tmp);
            return;
        }
        prune(dir);
    }
}

/// Streams the cache file: `{"scope": ..., "entries": {"key": entry, ...}}`.
fn write_entries(path: &Path, scope: &str, entries: &[(&str, &str)]) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    write!(out, "{{\"scope\":{scope},\"entries\":{{")?;
    for (i, (k, v)) in entries.iter().enumerate() {
        // Keys are hex digits (or "outline " and hex digits): nothing to escape.
        write!(out, "{}\"{k}\":{v}", if i > 0 { "," } else { "" })?;
    }
    write!(out, "}}}}")?;
    out.into_inner().map_err(|e| e.into_error())?.sync_all()
}

/// Keeps the `KEEP` most recently written cache files of the directory.
fn prune(dir: &Path) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = read
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with("scan-") && name.ends_with(".json")
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if files.len() <= KEEP {
        return;
    }
    files.sort();
    for (_, p) in &files[..files.len() - KEEP] {
        let _ = std::fs::remove_file(p);
    }
}
