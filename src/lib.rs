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
pub mod cache;
pub mod cli;
pub mod error;
pub mod finding;
pub mod init;
pub mod lang;
pub mod plan;
pub mod prefilter;
pub mod report;
pub mod rules;
pub mod scan;
pub mod score;
pub mod settings;
pub mod source;
pub mod suppress;
pub mod walk;

use std::io::IsTerminal;
use std::path::PathBuf;

pub use analyze::{FileAnalysis, analyze_example, analyze_file_text, analyze_source};
use baseline::Baseline;
use cli::{BaselineArgs, Cli, ColorChoice, Command, Format, RuleSourceArgs, ScanArgs, ScanOptions};
pub use error::Error;
pub use rules::Registry;
use rules::{PackSource, Selector, Severity};
pub use scan::{report_root, scan};
use settings::{Excludes, LoadedConfig};

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
            report::rules::explain(rule, &reg)?;
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
        prefilter: !opts.no_prefilter,
        include_generated: opts.include_generated
            || file.is_some_and(|f| f.include_generated == Some(true)),
        // Only a scan of one directory is cached: a list of files (pre-commit) is quick anyway.
        cache_dir: match opts.paths.as_slice() {
            [one] if !opts.no_cache && one.is_dir() => {
                opts.cache_dir.clone().or_else(cache::default_dir)
            }
            _ => None,
        },
        parse_timeout: opts.parse_timeout.map_or(
            settings::DEFAULT_PARSE_TIMEOUT,
            std::time::Duration::from_millis,
        ),
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
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(&loaded.fingerprint.to_le_bytes());
    for r in loaded.rules.iter().filter(|r| selector.keeps(r)) {
        hasher.update(r.id.as_bytes());
        hasher.update(&[0, r.severity as u8]);
    }
    let fingerprint = format!("{:032x}", hasher.digest128());
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
    reg.fingerprint = fingerprint;
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
    /// Skip parsing files that contain no word any rule needs, and match in each file only the
    /// rules whose words it contains.
    pub prefilter: bool,
    /// Scan minified and generated files too.
    pub include_generated: bool,
    /// Where the result cache lives; `None`: no cache.
    pub cache_dir: Option<PathBuf>,
    /// A file whose parse takes longer is skipped.
    pub parse_timeout: std::time::Duration,
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
            prefilter: true,
            include_generated: false,
            cache_dir: None,
            parse_timeout: settings::DEFAULT_PARSE_TIMEOUT,
        }
    }
}
