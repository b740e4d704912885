//! Errors that stop lockin before or instead of a report. Every one of them exits 2 (SPEC
//! "Exit codes"); problems with single source files are never errors, they are counted.

use miette::{Diagnostic, LabeledSpan, NamedSource};
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum Error {
    /// A rule pack (embedded or from `--rules`) is malformed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    RulePack(Box<SourceError>),

    /// `lockin.toml` / `[tool.lockin]` is malformed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(Box<SourceError>),

    #[error("cannot read the config file `{path}`: {source}")]
    #[diagnostic(code(lockin::config))]
    ConfigRead {
        path: String,
        #[source]
        source: std::io::Error,
    },

    #[error("invalid exclude pattern `{pattern}`: {message}")]
    #[diagnostic(code(lockin::exclude), help("patterns use .gitignore syntax"))]
    ExcludePattern { pattern: String, message: String },

    #[error("cannot use the baseline `{path}`: {message}")]
    #[diagnostic(
        code(lockin::baseline),
        help("write one with `lockin baseline`; see docs/ci.md")
    )]
    Baseline { path: String, message: String },

    #[error("`{path}` already exists")]
    #[diagnostic(code(lockin::init), help("pass --force to overwrite it"))]
    Exists { path: String },

    #[error("cannot read rule pack directory `{path}`: {source}")]
    #[diagnostic(
        code(lockin::rules_dir),
        help("--rules takes a directory of *.toml rule packs")
    )]
    RulesDir {
        path: String,
        #[source]
        source: std::io::Error,
    },

    #[error("`{0}` does not exist")]
    #[diagnostic(code(lockin::path))]
    MissingPath(String),

    #[error("unknown rule `{id}`")]
    #[diagnostic(code(lockin::unknown_rule))]
    UnknownRule {
        id: String,
        #[help]
        help: Option<String>,
    },

    #[error("`{value}` given to --{flag} is not a rule id, vendor or category")]
    #[diagnostic(code(lockin::selector))]
    UnknownSelector {
        flag: &'static str,
        value: String,
        #[help]
        help: Option<String>,
    },

    #[error("the rule set cannot be compiled: {0}")]
    #[diagnostic(
        code(lockin::rule_set),
        help("too many or too large `match.string` regexes")
    )]
    RuleSet(String),

    #[error("cannot write the report to `{path}`: {source}")]
    #[diagnostic(code(lockin::output))]
    Output {
        path: String,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot start the worker threads: {0}")]
    #[diagnostic(code(lockin::threads))]
    Threads(String),
}

/// A mistake in a TOML file (rule pack or config), with the span it is about.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
pub struct SourceError {
    pub message: String,
    #[source_code]
    pub src: NamedSource<String>,
    #[label(collection)]
    pub labels: Vec<LabeledSpan>,
    #[help]
    pub help: Option<String>,
}

impl Error {
    /// The process exit code for this error (SPEC: 2 for usage, config and rule-pack errors).
    pub fn exit_code(&self) -> u8 {
        2
    }

    /// A config error pointing at `span` of `text`.
    pub fn config(
        file: &str,
        text: &str,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) -> Error {
        Error::Config(SourceError::boxed(file, text, span, message, label, help))
    }

    /// A rule-pack error pointing at `span` of `text`.
    pub fn pack(
        file: &str,
        text: &str,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) -> Error {
        Error::RulePack(SourceError::boxed(file, text, span, message, label, help))
    }
}

impl SourceError {
    fn boxed(
        file: &str,
        text: &str,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) -> Box<SourceError> {
        let start = span.start.min(text.len());
        let len = span.end.clamp(start, text.len()) - start;
        Box::new(SourceError {
            message: message.into(),
            src: NamedSource::new(file, text.to_string()),
            labels: vec![LabeledSpan::new_with_span(Some(label.into()), (start, len))],
            help,
        })
    }
}
