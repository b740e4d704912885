//! The scan itself: walk -> read -> prefilter -> parse -> match, in parallel, then the findings
//! sorted, scored, and the blast radius and plan computed.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use rayon::prelude::*;

use crate::analyze::{self, FileAnalysis, outline::Outline};
use crate::baseline::Baseline;
use crate::blast::{self, FileIndex};
use crate::cache::{self, Cache, Entry, EntryRef};
use crate::error::Error;
use crate::finding::{self, Finding};
use crate::lang::{Family, Language, ManifestKind};
use crate::prefilter::Prefilter;
use crate::report::{Report, SkippedFile, Summary};
use crate::rules::Registry;
use crate::source::{self, SkipReason, SourceText};
use crate::suppress::Notice;
use crate::{ScanSettings, plan, score, suppress, walk};

enum FileOutcome {
    Scanned(FileAnalysis, bool),
    /// Read, but no rule can fire in it: not parsed. Keeps the modules it may import project
    /// code from (read from its text), in case the blast radius reaches it.
    Prefiltered(Vec<String>),
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

/// What every file of one scan is read and matched with.
struct Context<'a> {
    reg: &'a Registry,
    prefilter: Prefilter,
    settings: &'a ScanSettings,
    /// Files that requirement files include with `-r`/`-c`, read as requirement files.
    included: Vec<PathBuf>,
    cache: Option<Cache>,
}

impl Context<'_> {
    /// Reads a source file, minus minified and generated code (unless asked for) and with stubs
    /// reduced to their imports.
    fn read(&self, path: &Path) -> Result<SourceText, SkipReason> {
        let mut src = source::read_source(path, self.settings.max_file_size)?;
        if !self.settings.include_generated
            && let Some(reason) = source::generated(path, &src.text)
        {
            return Err(reason);
        }
        if source::is_declaration(path) {
            src.text = source::keep_imports(&src.text);
        }
        Ok(src)
    }

    fn scan_file(&self, parsers: &mut Parsers, path: &Path, rel: &str) -> FileOutcome {
        let kind = ManifestKind::from_path(path).or_else(|| {
            self.included
                .binary_search_by(|p| p.as_path().cmp(path))
                .is_ok()
                .then_some(ManifestKind::Requirements)
        });
        // Manifests and config files: read line by line, whatever their content.
        let config = analyze::config::ConfigKind::from_path(path);
        if kind.is_some() || config.is_some() {
            let src = match source::read_source(path, self.settings.max_file_size) {
                Ok(src) => src,
                Err(reason) => return FileOutcome::Skipped(reason),
            };
            // (the kind is in the key: a file becomes a requirements file when another includes it)
            let key = format!("{rel}\n{kind:?} {config:?}");
            return self.cached(&key, src, |src| {
                let mut analysis = match (kind, config) {
                    (Some(kind), _) => {
                        analyze::manifest::analyze_manifest(&src.text, kind, self.reg, rel)
                    }
                    (None, Some(config)) => {
                        analyze::config::analyze_config(&src.text, config, self.reg, rel)
                    }
                    (None, None) => FileAnalysis::default(),
                };
                cap_findings(&mut analysis, rel);
                FileOutcome::Scanned(analysis, src.lossy)
            });
        }
        if crate::lang::is_notebook(path) {
            return self.scan_notebook(parsers, path, rel);
        }
        let Some(lang) = Language::from_path(path) else {
            return FileOutcome::Skipped(SkipReason::NotRegular);
        };
        let src = match self.read(path) {
            Ok(s) => s,
            Err(reason) => return FileOutcome::Skipped(reason),
        };
        self.cached(rel, src, |src| self.analyze(parsers, lang, src, rel, true))
    }

    /// The outcome of a file's text from the cache, or computed by `compute` and cached;
    /// `rel` (the file's path, or the path with what else decides the outcome) keys it.
    fn cached(
        &self,
        rel: &str,
        src: SourceText,
        compute: impl FnOnce(SourceText) -> FileOutcome,
    ) -> FileOutcome {
        let Some(cache) = &self.cache else {
            return compute(src);
        };
        let key = cache::key(rel, &src.text);
        match cache.get(&key) {
            Some(Entry::Prefiltered(modules)) => return FileOutcome::Prefiltered(modules),
            Some(entry) => {
                if let Some((analysis, lossy)) = entry.into_analysis() {
                    return FileOutcome::Scanned(analysis, lossy);
                }
            }
            None => {}
        }
        let outcome = compute(src);
        match &outcome {
            FileOutcome::Scanned(a, lossy) => cache.put(key, &EntryRef::scanned(a, *lossy)),
            FileOutcome::Prefiltered(m) => cache.put(key, &EntryRef::Prefiltered(m)),
            FileOutcome::Skipped(_) => {}
        }
        outcome
    }

    /// A notebook: its code cells as one Python text, findings moved back to the notebook's lines.
    fn scan_notebook(&self, parsers: &mut Parsers, path: &Path, rel: &str) -> FileOutcome {
        let src = match source::read_source(path, self.settings.max_file_size) {
            Ok(s) => s,
            Err(reason) => return FileOutcome::Skipped(reason),
        };
        self.cached(rel, src, |src| {
            let Some(nb) = analyze::notebook::read(&src.text) else {
                return FileOutcome::Skipped(SkipReason::MalformedNotebook);
            };
            let python = SourceText {
                text: nb.python,
                lossy: src.lossy,
            };
            match self.analyze(parsers, Language::Python, python, rel, false) {
                FileOutcome::Scanned(mut analysis, lossy) => {
                    analyze::notebook::remap(&mut analysis, &nb.origins);
                    FileOutcome::Scanned(analysis, lossy)
                }
                // (a notebook is never imported: nothing for the blast radius to reach)
                FileOutcome::Prefiltered(_) => FileOutcome::Prefiltered(Vec::new()),
                skipped => skipped,
            }
        })
    }

    /// Prefilters, parses and matches one source file's text; `module` when other files can
    /// import it (not a notebook's cells).
    fn analyze(
        &self,
        parsers: &mut Parsers,
        lang: Language,
        src: SourceText,
        rel: &str,
        module: bool,
    ) -> FileOutcome {
        let Some(live) = self.prefilter.live(&src.text, lang.family()) else {
            return FileOutcome::Prefiltered(analyze::outline::textual_imports(
                &src.text,
                lang.family(),
            ));
        };
        match parse(parsers, lang, &src.text, self.settings.parse_timeout) {
            Ok(tree) => {
                let mut analysis =
                    analyze::analyze_tree(&tree, &src.text, lang, self.reg, &live, rel);
                cap_findings(&mut analysis, rel);
                // Without findings, a Python module's outline matters only where the blast
                // radius reaches it, and is then read from its tokens: whether the prefilter
                // skipped it or not, a file without findings gets the same outline.
                if lang.family() == Family::Python && analysis.findings.is_empty() {
                    analysis.outline = Outline::default();
                    if module {
                        analysis.imports_from =
                            analyze::outline::textual_imports(&src.text, Family::Python);
                    }
                }
                FileOutcome::Scanned(analysis, src.lossy)
            }
            Err(reason) => FileOutcome::Skipped(reason),
        }
    }

    /// The outline of a prefiltered file, if an import of it names one of `names` (no rule is
    /// matched: the prefilter proved none can fire), and its cache key.
    fn outline_of(
        &self,
        parsers: &mut Parsers,
        path: &Path,
        rel: &str,
        names: &[&str],
    ) -> Option<KeyedOutline> {
        let lang = Language::from_path(path)?;
        let src = self.read(path).ok()?;
        if !analyze::outline::imports_any_name(&src.text, lang.family(), names) {
            return None;
        }
        let key = self
            .cache
            .as_ref()
            .map(|_| format!("outline {}", cache::key(rel, &src.text)));
        if let (Some(cache), Some(key)) = (&self.cache, &key)
            && let Some(Entry::Outline(o)) = cache.get(key)
        {
            return Some((o, Some(key.clone())));
        }
        let lexical = match lang.family() {
            Family::Python => analyze::lexical::python_outline(&src.text),
            Family::Js => None,
        };
        let outline = match lexical {
            Some(outline) => outline,
            None => {
                let tree = parse(parsers, lang, &src.text, self.settings.parse_timeout).ok()?;
                analyze::outline_tree(&tree, &src.text, lang)
            }
        };
        if let (Some(cache), Some(key)) = (&self.cache, &key) {
            cache.put(key.clone(), &EntryRef::Outline(&outline));
        }
        Some((outline, key))
    }
}

/// An outline and its cache key (with the cache).
type KeyedOutline = (Outline, Option<String>);

/// Findings reported per file at most; the rest are counted in a notice. A generated file can
/// hold tens of thousands of model ids, which would drown the report and the memory.
pub const MAX_FINDINGS_PER_FILE: usize = 1000;

/// Parses with a time limit: a file whose parse runs past it is skipped (`parse-timeout`).
fn parse(
    parsers: &mut Parsers,
    lang: Language,
    text: &str,
    limit: Duration,
) -> Result<tree_sitter::Tree, SkipReason> {
    let parser = parsers.get(lang).ok_or(SkipReason::Unreadable)?;
    let start = Instant::now();
    let mut check = |_: &tree_sitter::ParseState| {
        if start.elapsed() > limit {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    let bytes = text.as_bytes();
    let mut input = |at: usize, _| bytes.get(at..).unwrap_or_default();
    let options = tree_sitter::ParseOptions::new().progress_callback(&mut check);
    match parser.parse_with_options(&mut input, None, Some(options)) {
        Some(tree) => Ok(tree),
        None => {
            // A cancelled parse would otherwise resume on the next file.
            parser.reset();
            Err(SkipReason::ParseTimeout)
        }
    }
}

/// Keeps the first `MAX_FINDINGS_PER_FILE` findings of a file and says how many were dropped.
fn cap_findings(analysis: &mut FileAnalysis, rel: &str) {
    let n = analysis.findings.len();
    if n <= MAX_FINDINGS_PER_FILE {
        return;
    }
    analysis.findings.truncate(MAX_FINDINGS_PER_FILE);
    let last = analysis.findings.last().map_or(1, |f| f.line);
    analysis.notices.push(Notice {
        path: rel.to_string(),
        line: last,
        column: 1,
        message: format!(
            "{} more findings in this file are not reported (at most {MAX_FINDINGS_PER_FILE} per file)",
            n - MAX_FINDINGS_PER_FILE
        ),
    });
    analysis.findings_dropped = n - MAX_FINDINGS_PER_FILE;
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
    let mut walked = walk::walk(
        &paths,
        &walk::WalkOptions {
            no_ignore: settings.no_ignore,
            threads: settings.jobs,
        },
        &|path, is_dir| settings.excludes.iter().any(|e| e.excludes(path, is_dir)),
    );
    let included = requirement_includes(&walked.files, &paths);
    walked.files.extend(included.iter().cloned());
    walked.files.sort();
    walked.files.dedup();
    on_file(walked.files.len());
    let rels: Vec<String> = walked
        .files
        .iter()
        .map(|p| walk::display_path(p, &root))
        .collect();
    let cx = Context {
        reg,
        prefilter: if settings.prefilter {
            Prefilter::new(reg, walked.files.len())
        } else {
            Prefilter::disabled(reg)
        },
        settings,
        included,
        cache: settings.cache_dir.as_deref().map(|dir| {
            let scope = format!(
                "lockin {} {}\nrules {}\nprefilter {}\ngenerated {}",
                env!("CARGO_PKG_VERSION"),
                env!("LOCKIN_SOURCE_HASH"),
                reg.fingerprint,
                settings.prefilter,
                settings.include_generated
            );
            Cache::open(dir, &root, &scope)
        }),
    };
    let outcomes: Vec<FileOutcome> = pool.install(|| {
        walked
            .files
            .par_iter()
            .zip(rels.par_iter())
            .map_init(Parsers::default, |parsers, (path, rel)| {
                let outcome = cx.scan_file(parsers, path, rel);
                on_file(0);
                outcome
            })
            .collect()
    });

    let mut prefiltered: Vec<(usize, Vec<String>)> = Vec::new();
    let mut findings: Vec<Finding> = Vec::new();
    let mut outlines: BTreeMap<String, Outline> = BTreeMap::new();
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
            FileOutcome::Prefiltered(modules) => {
                summary.files_scanned += 1;
                summary.files_prefiltered += 1;
                if !modules.is_empty() {
                    prefiltered.push((i, modules));
                }
            }
            FileOutcome::Scanned(mut analysis, lossy) => {
                summary.files_scanned += 1;
                if !analysis.imports_from.is_empty() {
                    prefiltered.push((i, std::mem::take(&mut analysis.imports_from)));
                }
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
                summary.findings_dropped += analysis.findings_dropped;
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
    let blast_radius = pool.install(|| {
        blast_radius(
            &cx,
            &walked.files,
            &rels,
            prefiltered,
            &findings,
            &mut outlines,
        )
    });
    let plan = plan::plan(&findings, reg);
    if let Some(cache) = cx.cache {
        cache.save();
    }
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

/// The blast radius of the scan. It is a function of the findings and the files' paths and
/// texts: with the cache, an unchanged tree gets the radius of the last scan back (and keeps
/// the outlines it was made of for the next change).
fn blast_radius(
    cx: &Context,
    files: &[PathBuf],
    rels: &[String],
    pending: Vec<(usize, Vec<String>)>,
    findings: &[Finding],
    outlines: &mut BTreeMap<String, Outline>,
) -> Vec<blast::BlastRadius> {
    let Some(cache) = &cx.cache else {
        return reach_prefiltered_callers(cx, files, rels, pending, findings, outlines).0;
    };
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(&cache.digest().to_le_bytes());
    h.update(&serde_json::to_vec(findings).unwrap_or_default());
    // (imports resolve among every walked path, skipped files too)
    for rel in rels {
        h.update(rel.as_bytes());
        h.update(b"\n");
    }
    let key = format!("radius {:032x}", h.digest128());
    if let Some(Entry::Radius { radius, outlines }) = cache.get(&key) {
        cache.keep(&outlines);
        return radius;
    }
    let (radius, used) = reach_prefiltered_callers(cx, files, rels, pending, findings, outlines);
    cache.put(
        key,
        &EntryRef::Radius {
            radius: &radius,
            outlines: &used,
        },
    );
    radius
}

/// The blast radius, including callers in prefiltered files: a file with no vendor word can
/// still import and call an affected function. Such a file is parsed (for its outline only)
/// when one of the modules its text imports from is a file with affected functions and one of
/// its imports names one of them; rounds repeat while new files are parsed. Also returns the
/// cache keys of the outlines it parsed or read.
fn reach_prefiltered_callers(
    cx: &Context,
    files: &[PathBuf],
    rels: &[String],
    pending: Vec<(usize, Vec<String>)>,
    findings: &[Finding],
    outlines: &mut BTreeMap<String, Outline>,
) -> (Vec<blast::BlastRadius>, Vec<String>) {
    // Imports resolve among every scanned file, whether its outline is known or not: as they
    // do without the prefilter.
    let index = FileIndex::new(rels.iter());
    // Per pending file, the project files its modules resolve to: the same every round.
    let mut pending: Vec<(usize, Vec<String>)> = pending
        .into_iter()
        .map(|(i, modules)| {
            let mut targets: Vec<String> = modules
                .iter()
                .filter_map(|m| blast::resolve_import(&rels[i], m, &index))
                .collect();
            targets.sort_unstable();
            targets.dedup();
            (i, targets)
        })
        .filter(|(_, targets)| !targets.is_empty())
        .collect();
    // The names last looked for in each pending file: it is read again only for new ones.
    let mut looked_for: HashMap<usize, usize> = HashMap::new();
    let mut used = Vec::new();
    // What breaks with any vendor, grown with each round's outlines.
    let mut reach: Option<blast::Reach> = None;
    while !pending.is_empty() {
        let affected = match reach.as_mut() {
            Some(r) => {
                r.grow(outlines, &index);
                r
            }
            None => reach.insert(blast::Reach::new(findings, outlines, &index)),
        };
        // Per file with affected functions: the names other modules import them by.
        let mut tops: HashMap<&str, Vec<&str>> = HashMap::new();
        for f in affected.functions() {
            let top = f.function.split('.').next().unwrap_or(&f.function);
            let names = tops.entry(f.path.as_str()).or_default();
            if !names.contains(&top) {
                names.push(top);
            }
        }
        let wanted: Vec<(usize, Vec<&str>)> = pending
            .iter()
            .filter_map(|(i, targets)| {
                let mut names: Vec<&str> = targets
                    .iter()
                    .filter_map(|target| tops.get(target.as_str()))
                    .flatten()
                    .copied()
                    .collect();
                names.sort_unstable();
                names.dedup();
                let before = looked_for.get(i).copied().unwrap_or(0);
                (names.len() > before).then_some((*i, names))
            })
            .collect();
        if wanted.is_empty() {
            break;
        }
        let parsed: Vec<(usize, Option<KeyedOutline>)> = wanted
            .par_iter()
            .map_init(Parsers::default, |parsers, (i, names)| {
                (*i, cx.outline_of(parsers, &files[*i], &rels[*i], names))
            })
            .collect();
        let mut done = HashSet::new();
        for ((i, outline), (_, names)) in parsed.into_iter().zip(&wanted) {
            looked_for.insert(i, names.len());
            if let Some((o, key)) = outline {
                done.insert(i);
                outlines.insert(rels[i].clone(), o);
                used.extend(key);
            }
        }
        if done.is_empty() {
            break;
        }
        pending.retain(|(j, _)| !done.contains(j));
    }
    drop(reach);
    (
        blast::blast_radius_indexed(findings, outlines, &index),
        used,
    )
}

/// Files that the scanned requirement files include (`-r`, `--requirement`, `-c`,
/// `--constraint`, followed transitively) and that are not requirement files by name, when they
/// are inside a scanned directory; sorted. The path keeps the scanned directory as its prefix.
fn requirement_includes(files: &[PathBuf], roots: &[PathBuf]) -> Vec<PathBuf> {
    let roots: Vec<(PathBuf, PathBuf)> = roots
        .iter()
        .filter(|r| r.is_dir())
        .filter_map(|r| Some((r.canonicalize().ok()?, r.clone())))
        .collect();
    // The walked files, canonical: made at the first include (a path per file to resolve).
    let mut known: Option<std::collections::HashSet<PathBuf>> = None;
    let mut todo: Vec<PathBuf> = files
        .iter()
        .filter(|f| ManifestKind::from_path(f) == Some(ManifestKind::Requirements))
        .cloned()
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    while let Some(file) = todo.pop() {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let dir = file.parent().unwrap_or(Path::new("."));
        for line in text.lines() {
            let t = line.trim();
            let target = ["-r", "--requirement", "-c", "--constraint"]
                .iter()
                .find_map(|flag| t.strip_prefix(flag))
                .filter(|rest| rest.starts_with([' ', '=', '\t']))
                .map(|rest| rest.trim_start_matches(['=', ' ', '\t']))
                .and_then(|rest| rest.split_whitespace().next());
            let Some(target) = target else { continue };
            let Ok(canon) = dir.join(target).canonicalize() else {
                continue;
            };
            let known = known.get_or_insert_with(|| {
                files.iter().filter_map(|f| f.canonicalize().ok()).collect()
            });
            if !canon.is_file() || known.contains(&canon) || !seen.insert(canon.clone()) {
                continue;
            }
            let Some(shown) = roots
                .iter()
                .find_map(|(c, shown)| Some(shown.join(canon.strip_prefix(c).ok()?)))
            else {
                continue;
            };
            todo.push(shown.clone());
            out.push(shown);
        }
    }
    out.sort();
    out
}

/// The root that report paths are relative to: the directory when one directory is scanned,
/// otherwise the current directory.
pub fn report_root(paths: &[PathBuf]) -> PathBuf {
    match paths {
        [one] if one.is_dir() => one.clone(),
        _ => PathBuf::from("."),
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
