//! Settings: defaults < discovered `lockin.toml` / `[tool.lockin]` < `--config FILE` < command line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::error::Error;
use crate::rules::Severity;

/// File names searched for, in each directory from the scan root upwards.
pub const CONFIG_FILES: &[&str] = &["lockin.toml", ".lockin.toml"];

/// Default `--parse-timeout`: far beyond any real source file (2 MiB parse in about a second).
pub const DEFAULT_PARSE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Default `--max-file-size`.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 2 * 1024 * 1024;

/// `lockin.toml`, or the `[tool.lockin]` table of pyproject.toml. Every key is optional; unknown
/// keys are errors.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Only run these rules, vendors or categories.
    #[serde(default)]
    pub select: Vec<String>,
    /// Skip these rules, vendors or categories.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Paths not to scan, in .gitignore syntax, relative to the config file.
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    /// Extra rule pack directories, relative to the config file.
    #[serde(default)]
    pub rules: Vec<String>,
    pub max_file_size: Option<u64>,
    /// Scan minified and generated files too (skipped and counted by default).
    pub include_generated: Option<bool>,
    /// A baseline file, relative to the config file.
    pub baseline: Option<String>,
    #[serde(default)]
    pub gate: GateConfig,
    /// Severity overrides by rule id.
    #[serde(default)]
    pub severity: BTreeMap<Spanned<String>, Severity>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateConfig {
    pub fail_under: Option<Spanned<u32>>,
    pub fail_on: Option<Severity>,
}

#[derive(Deserialize)]
struct Pyproject {
    tool: Option<PyprojectTool>,
}

#[derive(Deserialize)]
struct PyprojectTool {
    lockin: Option<ConfigFile>,
}

/// A config file that was found and parsed, with where it came from (for spans and relative paths).
#[derive(Debug)]
pub struct LoadedConfig {
    pub path: PathBuf,
    pub text: String,
    pub config: ConfigFile,
}

impl LoadedConfig {
    /// The directory relative paths in the file are resolved against.
    pub fn dir(&self) -> PathBuf {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir.to_path_buf()
        }
    }

    /// An error pointing into this file.
    pub fn error(
        &self,
        span: std::ops::Range<usize>,
        message: String,
        label: &str,
        help: Option<String>,
    ) -> Error {
        Error::config(
            &self.path.display().to_string(),
            &self.text,
            span,
            message,
            label,
            help,
        )
    }
}

/// Reads a config file given with `--config`, or the first one found from `start` upwards.
pub fn load_config(explicit: Option<&Path>, start: &Path) -> Result<Option<LoadedConfig>, Error> {
    if let Some(path) = explicit {
        let text = std::fs::read_to_string(path).map_err(|source| Error::ConfigRead {
            path: path.display().to_string(),
            source,
        })?;
        let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
        return parse(path, text, is_pyproject).map(|c| {
            c.or_else(|| {
                // A pyproject.toml without [tool.lockin] given explicitly: an empty config.
                Some(LoadedConfig {
                    path: path.to_path_buf(),
                    text: String::new(),
                    config: ConfigFile::default(),
                })
            })
        });
    }
    let start = absolute(start);
    let mut dir = if start.is_dir() {
        Some(start.as_path())
    } else {
        start.parent()
    };
    while let Some(d) = dir {
        for name in CONFIG_FILES {
            let path = d.join(name);
            if path.is_file() {
                let text = std::fs::read_to_string(&path).map_err(|source| Error::ConfigRead {
                    path: path.display().to_string(),
                    source,
                })?;
                return parse(&path, text, false);
            }
        }
        let py = d.join("pyproject.toml");
        if let Ok(text) = std::fs::read_to_string(&py)
            && let Some(found) = parse(&py, text, true)?
        {
            return Ok(Some(found));
        }
        dir = d.parent();
    }
    Ok(None)
}

fn parse(path: &Path, text: String, pyproject: bool) -> Result<Option<LoadedConfig>, Error> {
    let name = path.display().to_string();
    let toml_error = |e: toml::de::Error| {
        Error::config(
            &name,
            &text,
            e.span().unwrap_or(0..0),
            format!("invalid config: {}", e.message().trim()),
            "here",
            Some("see docs/configuration.md for every key".into()),
        )
    };
    let config = if pyproject {
        let py: Pyproject = toml::from_str(&text).map_err(toml_error)?;
        match py.tool.and_then(|t| t.lockin) {
            Some(c) => c,
            None => return Ok(None),
        }
    } else {
        toml::from_str::<ConfigFile>(&text).map_err(toml_error)?
    };
    let loaded = LoadedConfig {
        path: path.to_path_buf(),
        text,
        config,
    };
    if let Some(f) = &loaded.config.gate.fail_under
        && *f.get_ref() > 100
    {
        return Err(loaded.error(
            f.span(),
            "`gate.fail_under` must be between 0 and 100".into(),
            "out of range",
            None,
        ));
    }
    Ok(Some(loaded))
}

/// Paths excluded by configuration, matched with .gitignore semantics relative to a root.
#[derive(Debug)]
pub struct Excludes {
    root: PathBuf,
    matcher: Gitignore,
}

impl Excludes {
    /// The `exclude` patterns of a config file, relative to its directory.
    pub fn from_config(cfg: &LoadedConfig) -> Result<Excludes, Error> {
        let mut b = GitignoreBuilder::new(absolute(&cfg.dir()));
        for p in &cfg.config.exclude {
            b.add_line(None, p.get_ref()).map_err(|e| {
                cfg.error(
                    p.span(),
                    format!("invalid `exclude` pattern: {e}"),
                    "this pattern",
                    None,
                )
            })?;
        }
        Excludes::build(&cfg.dir(), b)
    }

    /// `--exclude` patterns, relative to the current directory.
    pub fn from_patterns(patterns: &[String]) -> Result<Excludes, Error> {
        let root = Path::new(".");
        let mut b = GitignoreBuilder::new(absolute(root));
        for p in patterns {
            b.add_line(None, p).map_err(|e| Error::ExcludePattern {
                pattern: p.clone(),
                message: e.to_string(),
            })?;
        }
        Excludes::build(root, b)
    }

    fn build(root: &Path, b: GitignoreBuilder) -> Result<Excludes, Error> {
        let matcher = b.build().map_err(|e| Error::ExcludePattern {
            pattern: String::new(),
            message: e.to_string(),
        })?;
        Ok(Excludes {
            root: absolute(root),
            matcher,
        })
    }

    pub fn none() -> Excludes {
        Excludes {
            root: PathBuf::from("/"),
            matcher: Gitignore::empty(),
        }
    }

    /// Whether `path` (absolute or relative to the current directory) is excluded.
    pub fn excludes(&self, path: &Path, is_dir: bool) -> bool {
        if self.matcher.is_empty() {
            return false;
        }
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        abs.starts_with(&self.root)
            && self
                .matcher
                .matched_path_or_any_parents(&abs, is_dir)
                .is_ignore()
    }
}

/// `path` made absolute against the current directory, without touching the filesystem.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
