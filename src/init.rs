//! `lockin init`: a commented starter config, and the snippets that wire lockin into pre-commit
//! and CI.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// The starter `lockin.toml`. Every key is commented out, so it changes nothing until edited;
/// tests/config.rs checks that it parses.
pub const TEMPLATE: &str = r#"# lockin configuration. Reference: docs/configuration.md
# Command-line flags override these settings.

# Only run these rules, vendors or categories (default: all).
# select = ["openai", "anthropic", "proprietary-feature"]

# Skip these rules, vendors or categories.
# ignore = ["openai/sdk-import"]

# Paths not to scan, in .gitignore syntax, relative to this file.
# exclude = ["tests/fixtures/", "*.generated.py"]

# Extra rule packs: directories of *.toml files, relative to this file.
# rules = ["lockin-rules"]

# Skip files larger than this many bytes.
# max_file_size = 2097152

# Findings accepted for now (written by `lockin baseline`); only new findings fail the gate.
# baseline = "lockin-baseline.json"

[gate]
# Exit 1 when the portability score is below this.
# fail_under = 60
# Exit 1 when a finding has this severity or higher: "high", "medium" or "low".
# fail_on = "high"

[severity]
# Per-rule severity overrides.
# "openai/model-id" = "low"
"#;

pub const PRE_COMMIT: &str = r#"# .pre-commit-config.yaml
repos:
  - repo: https://github.com/OWNER/lockin   # where your team hosts lockin
    rev: v0.1.0
    hooks:
      - id: lockin
"#;

pub const GITHUB_ACTIONS: &str = r#"# .github/workflows/lockin.yml (full recipe: docs/ci.md)
      - run: lockin scan . --format sarif --output lockin.sarif --fail-on high
      - uses: github/codeql-action/upload-sarif@v3
        if: always()
        with:
          sarif_file: lockin.sarif
"#;

/// Writes `DIR/lockin.toml`; refuses to overwrite one unless `force`.
pub fn write_config(dir: &Path, force: bool) -> Result<PathBuf, Error> {
    let path = dir.join("lockin.toml");
    if path.exists() && !force {
        return Err(Error::Exists {
            path: path.display().to_string(),
        });
    }
    std::fs::write(&path, TEMPLATE).map_err(|source| Error::Output {
        path: path.display().to_string(),
        source,
    })?;
    Ok(path)
}

/// What `lockin init` prints after writing the config.
pub fn instructions(written: &Path) -> String {
    format!(
        "Wrote {}.\n\nTo check every commit, add lockin to pre-commit:\n\n{PRE_COMMIT}\nTo gate CI and upload findings to code scanning:\n\n{GITHUB_ACTIONS}\nTo accept today's findings and fail only on new ones: lockin baseline && git add lockin-baseline.json\n",
        written.display()
    )
}
