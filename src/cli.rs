//! Command-line types (clap derive). No I/O here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::rules::Severity;

#[derive(Debug, Parser)]
#[command(
    name = "lockin",
    version,
    about = "Audit a codebase for lock-in to proprietary hosted AI model APIs",
    long_about = "Audit a codebase for lock-in to proprietary hosted AI model APIs (OpenAI, \
                  Anthropic, ...): a portability score, findings with exact locations, and a \
                  migration hint for each.\n\nExit codes: 0 scan done and gate passed, 1 gate \
                  failed (--fail-under, --fail-on), 2 usage, config or rule-pack error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories (default: the current directory)
    Scan(ScanArgs),
    /// Write the current findings to a baseline file, so that only new findings fail the gate
    Baseline(BaselineArgs),
    /// List every rule: id, vendor, category, severity, languages
    Rules(RulesArgs),
    /// Show a rule's rationale, examples and migration hint
    Explain(ExplainArgs),
    /// Write a commented lockin.toml and print the pre-commit and CI snippets
    Init(InitArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct RuleSourceArgs {
    /// Extra rule packs: a directory of *.toml files (repeatable)
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
}

/// What to scan and with which rules: shared by `scan` and `baseline`.
#[derive(Debug, Args)]
pub struct ScanOptions {
    /// Files and directories to scan
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Read settings from FILE instead of the lockin.toml / pyproject.toml found above the scan root
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(flatten)]
    pub rule_sources: RuleSourceArgs,

    /// Only run these rules, vendors or categories (comma-separated or repeated)
    #[arg(long, value_name = "RULE|VENDOR|CATEGORY")]
    pub select: Vec<String>,

    /// Skip these rules, vendors or categories (comma-separated or repeated)
    #[arg(long, value_name = "RULE|VENDOR|CATEGORY")]
    pub ignore: Vec<String>,

    /// Do not scan paths matching this .gitignore-style pattern (repeatable; also applies to
    /// files named on the command line)
    #[arg(long, value_name = "PATTERN")]
    pub exclude: Vec<String>,

    /// Worker threads (default: the number of CPUs)
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u32).range(1..=512))]
    pub jobs: Option<u32>,

    /// Do not honour .gitignore/.ignore files and do not skip vendored directories
    #[arg(long)]
    pub no_ignore: bool,

    /// Parse every file and try every rule on it, instead of only the files and rules whose
    /// words the file contains (same findings, more work: for checking the prefilter)
    #[arg(long)]
    pub no_prefilter: bool,

    /// Skip a file whose parse takes longer than this many milliseconds [default: 10000]
    #[arg(long, value_name = "MS")]
    pub parse_timeout: Option<u64>,

    /// Do not read or write the result cache
    #[arg(long)]
    pub no_cache: bool,

    /// Result cache directory [default: $LOCKIN_CACHE_DIR, $XDG_CACHE_HOME/lockin or
    /// ~/.cache/lockin]
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Also scan minified and generated files (`.min.js`, very long lines, a source map beside
    /// the file), which are skipped and counted by default
    #[arg(long)]
    pub include_generated: bool,

    /// Skip files larger than this many bytes [default: 2097152]
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub scan: ScanOptions,

    /// Report format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Write the report to FILE instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Fail (exit 1) when the portability score is below SCORE
    #[arg(long, value_name = "SCORE", value_parser = clap::value_parser!(u32).range(0..=100))]
    pub fail_under: Option<u32>,

    /// Fail (exit 1) when any finding has this severity or higher
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,

    /// Report and gate only findings that are not in this baseline file
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Show what stops working if VENDOR's API is gone: its blast radius (every affected
    /// function and importing module) and its migration plan
    #[arg(long, value_name = "VENDOR")]
    pub what_if: Option<String>,

    /// Also list the findings suppressed by `lockin: allow` comments
    #[arg(long)]
    pub show_suppressed: bool,

    /// No progress bar or notes on stderr; the report and the exit code are unchanged
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// When to colour the text report
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Args)]
pub struct BaselineArgs {
    #[command(flatten)]
    pub scan: ScanOptions,

    /// Where to write the baseline
    #[arg(
        long,
        short = 'o',
        value_name = "FILE",
        default_value = "lockin-baseline.json"
    )]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(flatten)]
    pub rule_sources: RuleSourceArgs,

    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A rule id, e.g. openai/assistants-api
    #[arg(value_name = "RULE_ID")]
    pub rule_id: String,

    #[command(flatten)]
    pub rule_sources: RuleSourceArgs,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory to write lockin.toml into
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,

    /// Overwrite an existing lockin.toml
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate completions for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Markdown,
    Html,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    High,
    Medium,
    Low,
}

impl FailOn {
    pub fn severity(self) -> Severity {
        match self {
            FailOn::High => Severity::High,
            FailOn::Medium => Severity::Medium,
            FailOn::Low => Severity::Low,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}
