//! lockin: audit a codebase for lock-in to proprietary hosted AI model APIs.
//!
//! The pipeline runs one way: walk -> read -> parse -> match -> findings -> score -> report.
//! Each stage is a function of the previous stage's output; only `report` writes.
//!
//! In-process use, on source text:
//!
//! ```
//! use lockin::lang::Language;
//!
//! let registry = lockin::embedded_registry().unwrap();
//! let src = "from openai import OpenAI as O\nclient = O()\nclient.chat.completions.create(model=\"gpt-4o\", messages=[])\n";
//! let ids: Vec<String> = lockin::analyze_source(src, Language::Python, &registry)
//!     .findings
//!     .into_iter()
//!     .map(|f| format!("{}:{}", f.line, f.rule_id))
//!     .collect();
//! assert_eq!(ids, ["1:openai/sdk-import", "2:openai/client", "3:openai/chat-completions", "3:openai/model-id"]);
//! ```

pub mod analyze;
pub mod baseline;
pub mod blast;
pub mod cli;
pub mod error;
pub mod finding;
pub mod init;
pub mod lang;
pub mod plan;
pub mod prefilter;
pub mod report;
pub mod rules;
pub mod score;
pub mod settings;
pub mod source;
pub mod suppress;
pub mod walk;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use analyze::{FileAnalysis, analyze_example, analyze_file_text, analyze_source};
use baseline::Baseline;
use cli::{BaselineArgs, Cli, ColorChoice, Command, Format, RuleSourceArgs, ScanArgs, ScanOptions};
pub use error::Error;
use finding::Finding;
use lang::{Language, ManifestKind};
use report::{Report, SkippedFile, Summary};
pub use rules::Registry;
use rules::{PackSource, Selector, Severity};
use settings::{Excludes, LoadedConfig};
use source::SkipReason;

/// Exit code of a finished scan whose gate passed (or had no gate).
pub const EXIT_OK: u8 = 0;
/// Exit code of a finished scan whose gate failed.
pub const EXIT_GATE_FAILED: u8 = 1;

/// Runs a parsed command line; returns the process exit code (0 or 1), or an error (exit 2).
pub fn run(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        Command::Scan(args) => run_scan(&args),
        Command::Baseline(args) => run_baseline(&args),
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
        Command::Init(args) => {
            let written = init::write_config(&args.dir, args.force)?;
            report::print_stdout(&init::instructions(&written))?;
            Ok(EXIT_OK)
        }
        Command::Completions(args) => {
            report::completions(args.shell)?;
            Ok(EXIT_OK)
        }
    }
}

/// Everything a scan needs, merged from defaults, the config file and the command line.
pub struct Resolved {
    pub settings: ScanSettings,
    pub registry: Registry,
    pub config: Option<LoadedConfig>,
}

/// Merges defaults < config file < command line, and compiles the rules.
pub fn resolve(opts: &ScanOptions) -> Result<Resolved, Error> {
    let start = opts
        .paths
        .first()
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    let config = settings::load_config(opts.config.as_deref(), &start)?;
    let file = config.as_ref().map(|c| &c.config);
    let config_dir = config.as_ref().map(LoadedConfig::dir);

    let mut sources = rules::embedded_sources();
    let mut rule_dirs: Vec<PathBuf> = Vec::new();
    if let (Some(f), Some(dir)) = (file, &config_dir) {
        rule_dirs.extend(f.rules.iter().map(|r| dir.join(r)));
    }
    rule_dirs.extend(opts.rule_sources.rules.iter().cloned());
    for dir in &rule_dirs {
        sources.extend(rules::load::dir_sources(dir)?);
    }
    let mut loaded = rules::load_packs(&sources)?;
    if let Some(cfg) = &config {
        for (id, sev) in &cfg.config.severity {
            match loaded.rules.iter_mut().find(|r| r.id == *id.get_ref()) {
                Some(rule) => rule.severity = *sev,
                None => {
                    let close =
                        rules::suggest(id.get_ref(), loaded.rules.iter().map(|r| r.id.as_str()));
                    let help =
                        (!close.is_empty()).then(|| format!("did you mean {}?", close.join(", ")));
                    return Err(cfg.error(
                        id.span(),
                        format!("unknown rule `{}` in `[severity]`", id.get_ref()),
                        "not a rule id",
                        help,
                    ));
                }
            }
        }
    }
    let pick = |cli: &Vec<String>, cfg: Option<&Vec<String>>| -> Vec<String> {
        if cli.is_empty() {
            cfg.cloned().unwrap_or_default()
        } else {
            cli.clone()
        }
    };
    let select = pick(&opts.select, file.map(|f| &f.select));
    let ignore = pick(&opts.ignore, file.map(|f| &f.ignore));
    let selector = Selector::new(&select, &ignore, &loaded.rules)?;
    let registry = build_registry(loaded, &selector)?;

    let mut excludes = Vec::new();
    if let Some(cfg) = &config {
        excludes.push(Excludes::from_config(cfg)?);
    }
    if !opts.exclude.is_empty() {
        excludes.push(Excludes::from_patterns(&opts.exclude)?);
    }
    let settings = ScanSettings {
        paths: opts.paths.clone(),
        no_ignore: opts.no_ignore,
        max_file_size: opts
            .max_file_size
            .or(file.and_then(|f| f.max_file_size))
            .unwrap_or(settings::DEFAULT_MAX_FILE_SIZE),
        jobs: opts.jobs.map_or_else(default_jobs, |j| j as usize),
        excludes,
        prefilter: opts.prefilter,
    };
    Ok(Resolved {
        settings,
        registry,
        config,
    })
}

fn run_scan(args: &ScanArgs) -> Result<u8, Error> {
    let Resolved {
        settings,
        registry,
        config,
    } = resolve(&args.scan)?;
    let gate = config.as_ref().map(|c| &c.config.gate);
    let fail_under = args
        .fail_under
        .or(gate.and_then(|g| g.fail_under.as_ref().map(|f| *f.get_ref())));
    let fail_on: Option<Severity> = args
        .fail_on
        .map(|f| f.severity())
        .or(gate.and_then(|g| g.fail_on));
    let baseline_path = args.baseline.clone().or_else(|| {
        let cfg = config.as_ref()?;
        cfg.config.baseline.as_ref().map(|b| cfg.dir().join(b))
    });
    let baseline = baseline_path.as_deref().map(Baseline::read).transpose()?;

    let progress = report::progress::Progress::new(!args.quiet && std::io::stderr().is_terminal());
    let mut report = scan(&settings, &registry, baseline.as_ref(), &|n| {
        progress.tick(n)
    })?;
    progress.finish();
    if !args.show_suppressed {
        report.suppressed.clear();
    }
    if let Some(v) = &args.what_if {
        let vendor = rules::Vendor::from_id(v).ok_or_else(|| Error::UnknownSelector {
            flag: "what-if",
            value: v.clone(),
            help: Some(format!(
                "vendors: {}",
                rules::Vendor::ALL
                    .iter()
                    .map(|v| v.id())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        })?;
        report.focus(vendor);
    }

    let gate_failed = fail_under.is_some_and(|min| report.score.value < min)
        || fail_on.is_some_and(|sev| report.findings.iter().any(|f| f.severity >= sev));

    let to_file = args.output.is_some();
    let color = args.format == Format::Text
        && !to_file
        && use_color(args.color, std::io::stdout().is_terminal());
    let emitter = report::emitter(args.format, color, &registry, &report.root);
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

fn run_baseline(args: &BaselineArgs) -> Result<u8, Error> {
    let Resolved {
        settings, registry, ..
    } = resolve(&args.scan)?;
    let report = scan(&settings, &registry, None, &|_| {})?;
    let baseline = Baseline::from_findings(&report.findings);
    std::fs::write(&args.output, baseline.to_json()).map_err(|source| Error::Output {
        path: args.output.display().to_string(),
        source,
    })?;
    report::print_stderr(&format!(
        "lockin: wrote {} findings to {}\n",
        baseline.findings.len(),
        args.output.display()
    ));
    Ok(EXIT_OK)
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
    let known: std::collections::HashSet<String> =
        loaded.rules.iter().map(|r| r.id.clone()).collect();
    let rules = loaded
        .rules
        .into_iter()
        .filter(|r| selector.keeps(r))
        .collect();
    let mut reg = Registry::new(
        rules,
        loaded.packs,
        loaded.clients,
        loaded.hosts,
        loaded.models,
    )
    .map_err(Error::RuleSet)?;
    reg.known_ids = known;
    Ok(reg)
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
#[derive(Debug)]
pub struct ScanSettings {
    pub paths: Vec<PathBuf>,
    pub no_ignore: bool,
    pub max_file_size: u64,
    pub jobs: usize,
    /// Exclude patterns from the config file and `--exclude`.
    pub excludes: Vec<Excludes>,
    /// Skip parsing files that contain no word any rule needs (off by default for now).
    pub prefilter: bool,
}

impl ScanSettings {
    /// Plain settings for `paths` (tests and library users).
    pub fn new(paths: Vec<PathBuf>) -> ScanSettings {
        ScanSettings {
            paths,
            no_ignore: false,
            max_file_size: settings::DEFAULT_MAX_FILE_SIZE,
            jobs: default_jobs(),
            excludes: Vec::new(),
            prefilter: false,
        }
    }
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
    /// Read, but no word any rule needs is in it: not parsed.
    Prefiltered,
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
    prefilter: &prefilter::Prefilter,
) -> FileOutcome {
    let src = match source::read_source(path, max_size) {
        Ok(s) => s,
        Err(reason) => return FileOutcome::Skipped(reason),
    };
    if ManifestKind::from_path(path).is_none() && !prefilter.passes(&src.text) {
        return FileOutcome::Prefiltered;
    }
    if let Some(kind) = ManifestKind::from_path(path) {
        return FileOutcome::Scanned(
            analyze::manifest::analyze_manifest(&src.text, kind, reg, rel),
            src.lossy,
        );
    }
    let Some(lang) = Language::from_path(path) else {
        return FileOutcome::Skipped(SkipReason::NotRegular);
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

/// Walks, reads, parses and matches; returns the finished, sorted and scored report. With a
/// baseline, findings in it are left out of the report, the score and the gate (and counted).
/// `on_file` is called with the number of files once walked, then with 0 after each file.
pub fn scan(
    settings: &ScanSettings,
    reg: &Registry,
    baseline: Option<&Baseline>,
    on_file: &(dyn Fn(usize) + Sync),
) -> Result<Report, Error> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.jobs)
        .build()
        .map_err(|e| Error::Threads(e.to_string()))?;
    // A path that does not exist is skipped (pre-commit may pass a file deleted since it was
    // staged); only when none of the paths exists is it a usage error.
    let (paths, missing): (Vec<PathBuf>, Vec<PathBuf>) = settings
        .paths
        .iter()
        .cloned()
        .partition(|p| std::fs::symlink_metadata(p).is_ok());
    if paths.is_empty() {
        let first = missing
            .first()
            .map_or_else(String::new, |p| p.display().to_string());
        return Err(Error::MissingPath(first));
    }
    let root = report_root(&settings.paths);
    let walked = walk::walk(
        &paths,
        &walk::WalkOptions {
            no_ignore: settings.no_ignore,
            threads: settings.jobs,
        },
        &|path, is_dir| settings.excludes.iter().any(|e| e.excludes(path, is_dir)),
    );
    on_file(walked.files.len());
    let rels: Vec<String> = walked
        .files
        .iter()
        .map(|p| walk::display_path(p, &root))
        .collect();
    let prefilter = if settings.prefilter {
        prefilter::Prefilter::new(reg)
    } else {
        prefilter::Prefilter::disabled()
    };
    let outcomes: Vec<FileOutcome> = pool.install(|| {
        walked
            .files
            .par_iter()
            .zip(rels.par_iter())
            .map_init(Parsers::default, |parsers, (path, rel)| {
                let outcome =
                    scan_file(parsers, path, rel, reg, settings.max_file_size, &prefilter);
                on_file(0);
                outcome
            })
            .collect()
    });
    let mut prefiltered: Vec<usize> = Vec::new();

    let mut findings: Vec<Finding> = Vec::new();
    let mut outlines: BTreeMap<String, analyze::outline::Outline> = BTreeMap::new();
    let mut suppressed = Vec::new();
    let mut notices = Vec::new();
    let mut summary = Summary {
        rules: reg.rules.len(),
        dirs_skipped_vendored: walked.vendored_dirs,
        files_excluded: walked.excluded,
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
    skipped.extend(missing.iter().map(|p| SkippedFile {
        path: walk::display_path(p, &root),
        reason: SkipReason::Missing,
    }));
    for (i, (outcome, rel)) in outcomes.into_iter().zip(rels.iter().cloned()).enumerate() {
        match outcome {
            FileOutcome::Prefiltered => {
                summary.files_scanned += 1;
                summary.files_prefiltered += 1;
                prefiltered.push(i);
            }
            FileOutcome::Scanned(mut analysis, lossy) => {
                summary.files_scanned += 1;
                // Keep the outline only where the blast radius can reach: files with findings or
                // with imports (of which some may be of affected project modules).
                if analysis.findings.is_empty() && analysis.outline.imports.is_empty() {
                    analysis.outline.functions.clear();
                }
                if !analysis.outline.functions.is_empty() || !analysis.outline.imports.is_empty() {
                    outlines.insert(rel.clone(), std::mem::take(&mut analysis.outline));
                }
                summary.files_with_syntax_errors += usize::from(analysis.syntax_errors);
                summary.files_decoded_lossily += usize::from(lossy);
                summary.portable_clients += analysis.portable_clients;
                findings.extend(analysis.findings);
                suppressed.extend(analysis.suppressed);
                notices.extend(analysis.notices);
            }
            FileOutcome::Skipped(reason) => skipped.push(SkippedFile { path: rel, reason }),
        }
    }
    findings.sort();
    finding::assign_fingerprints(&mut findings);
    suppressed.sort_by(|a: &suppress::Suppressed, b| a.finding.cmp(&b.finding));
    let mut suppressed_findings: Vec<Finding> =
        suppressed.iter().map(|s| s.finding.clone()).collect();
    finding::assign_fingerprints(&mut suppressed_findings);
    for (s, f) in suppressed.iter_mut().zip(suppressed_findings) {
        s.finding.fingerprint = f.fingerprint;
    }
    if let Some(b) = baseline {
        let (fresh, baselined) = b.split(findings);
        findings = fresh;
        summary.baselined = baselined;
    }
    notices.sort();
    skipped.sort();
    let mut by_reason: BTreeMap<SkipReason, usize> = BTreeMap::new();
    for s in &skipped {
        *by_reason.entry(s.reason).or_default() += 1;
    }
    summary.files_skipped = by_reason;
    summary.skipped = skipped;
    summary.suppressed = suppressed.len();
    summary.notices = notices;
    summary.count(&findings);
    let score = score::score(&findings, summary.portable_clients);
    let blast_radius = reach_prefiltered_callers(
        &pool,
        &walked.files,
        &rels,
        &prefiltered,
        &findings,
        &mut outlines,
        reg,
        settings.max_file_size,
    );
    let plan = plan::plan(&findings, reg);
    Ok(Report {
        version: env!("CARGO_PKG_VERSION"),
        root: root_display(&root),
        score,
        findings,
        suppressed,
        blast_radius,
        plan,
        what_if: None,
        summary,
    })
}

/// The blast radius, after parsing the prefiltered files that may call into affected code: a
/// file with no vendor word can still import and call an affected function. Such files are
/// parsed (for their outline only) when they mention the module name of a file with affected
/// functions, until no new file qualifies.
#[allow(clippy::too_many_arguments)]
fn reach_prefiltered_callers(
    pool: &rayon::ThreadPool,
    files: &[PathBuf],
    rels: &[String],
    prefiltered: &[usize],
    findings: &[Finding],
    outlines: &mut BTreeMap<String, analyze::outline::Outline>,
    reg: &Registry,
    max_size: u64,
) -> Vec<blast::BlastRadius> {
    let mut pending: Vec<usize> = prefiltered.to_vec();
    let mut seen_stems: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    loop {
        let radius = blast::blast_radius(findings, outlines);
        let stems: Vec<String> = radius
            .iter()
            .flat_map(|b| b.functions.iter().map(|f| module_stem(&f.path)))
            .filter(|s| s.len() >= 2 && !seen_stems.contains(s))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if stems.is_empty() || pending.is_empty() {
            return radius;
        }
        seen_stems.extend(stems.iter().cloned());
        let Ok(ac) = aho_corasick::AhoCorasick::new(&stems) else {
            return radius;
        };
        let parsed: Vec<(usize, Option<analyze::outline::Outline>)> = pool.install(|| {
            pending
                .par_iter()
                .map_init(Parsers::default, |parsers, &i| {
                    let outline = source::read_source(&files[i], max_size)
                        .ok()
                        .and_then(|src| {
                            if !imports_any(&src.text, &ac) {
                                return None;
                            }
                            let lang = Language::from_path(&files[i])?;
                            let tree = parsers.get(lang)?.parse(&src.text, None)?;
                            Some(
                                analyze::analyze_tree(&tree, &src.text, lang, reg, &rels[i])
                                    .outline,
                            )
                        });
                    (i, outline)
                })
                .collect()
        });
        let mut grew = false;
        pending.clear();
        for (i, outline) in parsed {
            match outline {
                Some(o) => {
                    grew = true;
                    outlines.insert(rels[i].clone(), o);
                }
                None => pending.push(i),
            }
        }
        if !grew {
            return radius;
        }
    }
}

/// Whether an import line of the text (`import`, `from`, `export`, `require(`, `import(`)
/// mentions one of the automaton's module names.
fn imports_any(text: &str, names: &aho_corasick::AhoCorasick) -> bool {
    text.lines().any(|line| {
        let l = line.trim_start();
        (l.starts_with("import ")
            || l.starts_with("from ")
            || l.starts_with("export ")
            || l.contains("require(")
            || l.contains("import("))
            && names.is_match(l)
    })
}

/// The name other modules import a file by: its stem, or its directory for an index file.
fn module_stem(path: &str) -> String {
    let mut parts = path.rsplit('/');
    let file = parts.next().unwrap_or(path);
    let stem = file.split('.').next().unwrap_or(file);
    if matches!(stem, "index" | "__init__") {
        parts.next().unwrap_or(stem).to_string()
    } else {
        stem.to_string()
    }
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
