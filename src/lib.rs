//! lockin: audit a codebase for lock-in to proprietary hosted AI model APIs.
//!
//! The pipeline runs one way: walk -> read -> parse -> match -> findings -> score -> report.
//! Each stage is a function of the previous stage's output; only `report` writes.

pub mod analyze;
pub mod cli;
pub mod error;
pub mod finding;
pub mod lang;
pub mod report;
pub mod rules;
pub mod score;
pub mod source;
pub mod walk;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use analyze::{FileAnalysis, analyze_source};
use cli::{Cli, ColorChoice, Command, Format, RuleSourceArgs, ScanArgs};
pub use error::Error;
use finding::Finding;
use lang::Language;
use report::{Report, SkippedFile, Summary};
pub use rules::Registry;
use rules::{PackSource, Selector};
use source::SkipReason;

/// Exit code of a finished scan whose gate passed (or had no gate).
pub const EXIT_OK: u8 = 0;
/// Exit code of a finished scan whose gate failed.
pub const EXIT_GATE_FAILED: u8 = 1;

/// Runs a parsed command line; returns the process exit code (0 or 1), or an error (exit 2).
pub fn run(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        Command::Scan(args) => run_scan(&args),
        Command::Rules(args) => {
            let reg = load_registry(&args.rule_sources, &Selector::default())?;
            report::rules::list(&reg, args.format)?;
            Ok(EXIT_OK)
        }
        Command::Explain(args) => {
            let reg = load_registry(&args.rule_sources, &Selector::default())?;
            let Some(rule) = reg.rule(&args.rule_id) else {
                let close = reg.suggest(&args.rule_id);
                let help = if close.is_empty() {
                    "run `lockin rules` to list every rule id".to_string()
                } else {
                    format!("did you mean {}?", close.join(", "))
                };
                return Err(Error::UnknownRule {
                    id: args.rule_id,
                    help: Some(help),
                });
            };
            report::rules::explain(rule)?;
            Ok(EXIT_OK)
        }
    }
}

fn run_scan(args: &ScanArgs) -> Result<u8, Error> {
    let all = load_sources(&args.rule_sources)?;
    let loaded = rules::load_packs(&all)?;
    let selector = Selector::new(&args.select, &args.ignore, &loaded.rules)?;
    let reg = build_registry(loaded, &selector)?;
    for p in &args.paths {
        if std::fs::symlink_metadata(p).is_err() {
            return Err(Error::MissingPath(p.display().to_string()));
        }
    }
    let settings = ScanSettings {
        paths: args.paths.clone(),
        no_ignore: args.no_ignore,
        max_file_size: args.max_file_size,
        jobs: args.jobs.map_or_else(default_jobs, |j| j as usize),
    };
    let report = scan(&settings, &reg)?;

    let gate_failed = args.fail_under.is_some_and(|min| report.score.value < min)
        || args
            .fail_on
            .is_some_and(|sev| report.findings.iter().any(|f| f.severity >= sev.severity()));

    let to_file = args.output.is_some();
    let color = args.format == Format::Text
        && !to_file
        && use_color(args.color, std::io::stdout().is_terminal());
    let emitter = report::emitter(args.format, color);
    report::write(&report, emitter.as_ref(), args.output.as_deref())?;
    if !args.quiet {
        report::notes(&report, args.output.as_deref());
    }
    Ok(if gate_failed {
        EXIT_GATE_FAILED
    } else {
        EXIT_OK
    })
}

fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Colour only on a terminal, never with NO_COLOR or TERM=dumb, unless forced.
fn use_color(choice: ColorChoice, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_terminal
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    }
}

/// Whether error messages on stderr are coloured (decided once, by `main`).
pub fn stderr_color(cli: &Cli) -> bool {
    let choice = match &cli.command {
        Command::Scan(args) => args.color,
        _ => ColorChoice::Auto,
    };
    use_color(choice, std::io::stderr().is_terminal())
}

fn load_sources(args: &RuleSourceArgs) -> Result<Vec<PackSource>, Error> {
    let mut all = rules::embedded_sources();
    for dir in &args.rules {
        all.extend(rules::load::dir_sources(dir)?);
    }
    Ok(all)
}

fn build_registry(loaded: rules::load::Loaded, selector: &Selector) -> Result<Registry, Error> {
    let rules = loaded
        .rules
        .into_iter()
        .filter(|r| selector.keeps(r))
        .collect();
    Registry::new(rules, loaded.packs, loaded.clients, loaded.hosts).map_err(Error::RuleSet)
}

/// The embedded packs plus `--rules` directories, compiled.
pub fn load_registry(args: &RuleSourceArgs, selector: &Selector) -> Result<Registry, Error> {
    build_registry(rules::load_packs(&load_sources(args)?)?, selector)
}

/// The embedded packs alone, compiled (tests and library users).
pub fn embedded_registry() -> Result<Registry, Error> {
    build_registry(
        rules::load_packs(&rules::embedded_sources())?,
        &Selector::default(),
    )
}

/// What to scan and how.
#[derive(Clone, Debug)]
pub struct ScanSettings {
    pub paths: Vec<PathBuf>,
    pub no_ignore: bool,
    pub max_file_size: u64,
    pub jobs: usize,
}

/// The root that report paths are relative to: the directory when one directory is scanned,
/// otherwise the current directory.
pub fn report_root(paths: &[PathBuf]) -> PathBuf {
    match paths {
        [one] if one.is_dir() => one.clone(),
        _ => PathBuf::from("."),
    }
}

enum FileOutcome {
    Scanned(FileAnalysis, bool),
    Skipped(SkipReason),
}

/// One tree-sitter parser per language, created on first use; one set per worker thread.
#[derive(Default)]
struct Parsers([Option<tree_sitter::Parser>; 4]);

impl Parsers {
    fn get(&mut self, lang: Language) -> Option<&mut tree_sitter::Parser> {
        let slot = &mut self.0[lang.index()];
        if slot.is_none() {
            let mut p = tree_sitter::Parser::new();
            p.set_language(&lang.grammar()).ok()?;
            *slot = Some(p);
        }
        slot.as_mut()
    }
}

fn scan_file(
    parsers: &mut Parsers,
    path: &Path,
    rel: &str,
    reg: &Registry,
    max_size: u64,
) -> FileOutcome {
    let Some(lang) = Language::from_path(path) else {
        return FileOutcome::Skipped(SkipReason::NotRegular);
    };
    let src = match source::read_source(path, max_size) {
        Ok(s) => s,
        Err(reason) => return FileOutcome::Skipped(reason),
    };
    let Some(parser) = parsers.get(lang) else {
        return FileOutcome::Skipped(SkipReason::Unreadable);
    };
    match parser.parse(&src.text, None) {
        Some(tree) => FileOutcome::Scanned(
            analyze::analyze_tree(&tree, &src.text, lang, reg, rel),
            src.lossy,
        ),
        None => FileOutcome::Skipped(SkipReason::Unreadable),
    }
}

/// Walks, reads, parses and matches; returns the finished, sorted and scored report.
pub fn scan(settings: &ScanSettings, reg: &Registry) -> Result<Report, Error> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.jobs)
        .build()
        .map_err(|e| Error::Threads(e.to_string()))?;
    let root = report_root(&settings.paths);
    let walked = walk::walk(
        &settings.paths,
        &walk::WalkOptions {
            no_ignore: settings.no_ignore,
            threads: settings.jobs,
        },
    );
    let rels: Vec<String> = walked
        .files
        .iter()
        .map(|p| walk::display_path(p, &root))
        .collect();
    let outcomes: Vec<FileOutcome> = pool.install(|| {
        walked
            .files
            .par_iter()
            .zip(rels.par_iter())
            .map_init(Parsers::default, |parsers, (path, rel)| {
                scan_file(parsers, path, rel, reg, settings.max_file_size)
            })
            .collect()
    });

    let mut findings: Vec<Finding> = Vec::new();
    let mut summary = Summary {
        rules: reg.rules.len(),
        dirs_skipped_vendored: walked.vendored_dirs,
        ..Summary::default()
    };
    let mut skipped: Vec<SkippedFile> = walked
        .skipped
        .iter()
        .map(|(p, reason)| SkippedFile {
            path: walk::display_path(p, &root),
            reason: *reason,
        })
        .collect();
    for ((outcome, rel), _) in outcomes.into_iter().zip(rels).zip(&walked.files) {
        match outcome {
            FileOutcome::Scanned(analysis, lossy) => {
                summary.files_scanned += 1;
                summary.files_with_syntax_errors += usize::from(analysis.syntax_errors);
                summary.files_decoded_lossily += usize::from(lossy);
                findings.extend(analysis.findings);
            }
            FileOutcome::Skipped(reason) => skipped.push(SkippedFile { path: rel, reason }),
        }
    }
    findings.sort();
    skipped.sort();
    let mut by_reason: BTreeMap<SkipReason, usize> = BTreeMap::new();
    for s in &skipped {
        *by_reason.entry(s.reason).or_default() += 1;
    }
    summary.files_skipped = by_reason;
    summary.skipped = skipped;
    summary.count(&findings);
    let score = score::score(&findings);
    Ok(Report {
        version: env!("CARGO_PKG_VERSION"),
        root: root_display(&root),
        score,
        findings,
        summary,
    })
}

fn root_display(root: &Path) -> String {
    let s = root.to_string_lossy().replace('\\', "/");
    let trimmed = s.trim_end_matches('/');
    if trimmed.is_empty() {
        s
    } else {
        trimmed.to_string()
    }
}
