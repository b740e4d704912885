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
    /// List every rule: id, vendor, category, severity, languages
    Rules(RulesArgs),
    /// Show a rule's rationale, examples and migration hint
    Explain(ExplainArgs),
}

#[derive(Debug, Args)]
pub struct RuleSourceArgs {
    /// Extra rule packs: a directory of *.toml files (repeatable)
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files and directories to scan
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Report format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Write the report to FILE instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub rule_sources: RuleSourceArgs,

    /// Only run these rules, vendors or categories (comma-separated or repeated)
    #[arg(long, value_name = "RULE|VENDOR|CATEGORY")]
    pub select: Vec<String>,

    /// Skip these rules, vendors or categories (comma-separated or repeated)
    #[arg(long, value_name = "RULE|VENDOR|CATEGORY")]
    pub ignore: Vec<String>,

    /// Fail (exit 1) when the portability score is below SCORE
    #[arg(long, value_name = "SCORE", value_parser = clap::value_parser!(u32).range(0..=100))]
    pub fail_under: Option<u32>,

    /// Fail (exit 1) when any finding has this severity or higher
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,

    /// Worker threads (default: the number of CPUs)
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u32).range(1..=512))]
    pub jobs: Option<u32>,

    /// Do not honour .gitignore/.ignore files and do not skip vendored directories
    #[arg(long)]
    pub no_ignore: bool,

    /// Skip files larger than this many bytes
    #[arg(long, value_name = "BYTES", default_value_t = 2 * 1024 * 1024)]
    pub max_file_size: u64,

    /// No notes on stderr; the report and the exit code are unchanged
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// When to colour the text report
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
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
