//! Property tests over everything that reads untrusted text: the matcher in every language, the
//! notebook, manifest and config-file readers, the rule-pack and config loaders, and the JSON and
//! SARIF reports. The
//! property: no panic, bounded time per input, reports that parse as JSON, and the prefilter
//! never hiding a finding of a mutated source.
//!
//! CI runs a fixed seed and `LOCKIN_FUZZ_CASES` (default 256) cases per property, in well under a
//! minute; a longer run (docs/reliability.md):
//!
//! ```sh
//! LOCKIN_FUZZ_CASES=5000 LOCKIN_FUZZ_SEED=$RANDOM cargo test --release --test fuzz
//! ```

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use lockin::lang::{Language, ManifestKind};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError};

/// Per input; generous for a debug build on a loaded 2-core machine.
const TIME_LIMIT: Duration = Duration::from_secs(5);

fn config() -> Config {
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse().ok());
    Config {
        cases: env("LOCKIN_FUZZ_CASES").unwrap_or(256) as u32,
        rng_seed: RngSeed::Fixed(env("LOCKIN_FUZZ_SEED").unwrap_or(20261125)),
        failure_persistence: None,
        ..Config::default()
    }
}

fn registry() -> &'static lockin::Registry {
    static REG: OnceLock<lockin::Registry> = OnceLock::new();
    REG.get_or_init(|| lockin::embedded_registry().unwrap())
}

fn prefilter() -> &'static lockin::prefilter::Prefilter {
    static PF: OnceLock<lockin::prefilter::Prefilter> = OnceLock::new();
    PF.get_or_init(|| lockin::prefilter::Prefilter::new(registry(), 1))
}

/// The prefilter never hides a finding: the rules it leaves live find what all rules find (in a
/// parsed file with syntax errors every rule is tried). Its stated limit: a file with syntax
/// errors in which no rule's words stand where its anchors look is not parsed at all, though
/// tree-sitter's recovery could have assembled a match from them (an import of `import` on one
/// line and a name on a later one, a key read across a skipped token, code lexed inside a
/// Python comment).
fn prefilter_agrees(
    src: &str,
    lang: Language,
    all: &[lockin::finding::Finding],
    syntax_errors: bool,
) -> Result<(), String> {
    let seen = match prefilter().live(src, lang.family()) {
        Some(live) => lockin::analyze::analyze_source_with(src, lang, registry(), &live).findings,
        None if syntax_errors => return Ok(()),
        None => Vec::new(),
    };
    if seen == all {
        Ok(())
    } else {
        Err(format!(
            "the prefilter changes the findings: {all:?} vs {seen:?}"
        ))
    }
}

/// Every source fixture, to mutate.
fn corpus() -> &'static Vec<(PathBuf, String)> {
    static FILES: OnceLock<Vec<(PathBuf, String)>> = OnceLock::new();
    FILES.get_or_init(|| {
        let mut out = Vec::new();
        let mut stack = vec![PathBuf::from("fixtures")];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if let Ok(text) = std::fs::read_to_string(&p) {
                    out.push((p, text));
                }
            }
        }
        out.sort();
        out
    })
}

/// An edit of a text: at a relative position, delete some bytes and insert others.
#[derive(Clone, Debug)]
struct Edit {
    at: f64,
    delete: usize,
    insert: Vec<u8>,
}

/// Fragments that stress parsers and matchers more than random bytes do.
const FRAGMENTS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "'",
    "'''",
    "`",
    "${",
    "\\",
    "\n",
    "\r",
    "\r\n",
    "\t",
    "    ",
    "#",
    "//",
    "/*",
    "*/",
    ".",
    ",",
    ":",
    "=",
    "=>",
    "import ",
    "from ",
    "require(",
    "openai",
    "OpenAI()",
    ".chat.completions.create(",
    "model=",
    "\"gpt-4o\"",
    "anthropic",
    "# lockin: allow",
    "lockin: allow-file openai -- x",
    "\u{feff}",
    "\u{fffd}",
    "é",
    "\0",
    "async ",
    "await ",
    "class ",
    "def ",
    "function ",
    "=> {",
    "process.env.",
    "os.environ[",
];

fn edit() -> impl Strategy<Value = Edit> {
    let insert = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..16),
        proptest::collection::vec(proptest::sample::select(FRAGMENTS), 1..8)
            .prop_map(|f| f.concat().into_bytes()),
    ];
    (0.0..1.0f64, 0usize..64, insert).prop_map(|(at, delete, insert)| Edit { at, delete, insert })
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for e in edits {
        let at = ((bytes.len() as f64) * e.at) as usize;
        let end = (at + e.delete).min(bytes.len());
        bytes.splice(at..end, e.insert.iter().copied());
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    assert!(
        start.elapsed() < TIME_LIMIT,
        "{what} took {:?}",
        start.elapsed()
    );
    out
}

const LANGUAGES: [Language; 4] = [
    Language::Python,
    Language::Typescript,
    Language::Tsx,
    Language::Javascript,
];

/// Python pieces that move the lexical outline's decisions: headers, decorators, soft keywords,
/// statement starts, f-string fields.
const PYTHON_FRAGMENTS: &[&str] = &[
    "\n",
    "    ",
    "\t",
    ":",
    ";",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    "@dec\n",
    "@",
    "def f():",
    "def ",
    "async ",
    "class C:",
    "class ",
    "lambda: ",
    "lambda x: g(x)",
    ":=",
    "match ",
    "case ",
    "if ",
    "else:",
    "elif ",
    "try:",
    "except E:",
    "from . import x\n",
    "from a import (b,",
    "from __future__ import y\n",
    "import ",
    "yield from ",
    "f\"{",
    "f'{g(x)}'",
    "!r",
    "\\\n",
    "'''",
    "\"",
    "'",
    "#",
    "*",
    "**",
    "not ",
    "await ",
    "print(",
    "x.y(",
    "(a)(b)",
];

/// The outline of a Python text, as the blast radius reads it.
fn seen_outline(o: &lockin::analyze::outline::Outline) -> String {
    serde_json::to_string(o).unwrap()
}

proptest! {
    #![proptest_config(config())]

    /// Mutated Python fixtures: the lexical outline never panics, and where it reads a text
    /// that tree-sitter parses without errors, it reads what the tree holds.
    #[test]
    fn the_lexical_outline_reads_what_the_tree_holds(
        pick in any::<proptest::sample::Index>(),
        edits in proptest::collection::vec(
            (0.0..1.0f64, 0usize..4, proptest::collection::vec(proptest::sample::select(PYTHON_FRAGMENTS), 1..4))
                .prop_map(|(at, delete, f)| Edit { at, delete, insert: f.concat().into_bytes() }),
            1..4,
        ),
    ) {
        let files: Vec<&(PathBuf, String)> = corpus()
            .iter()
            .filter(|(p, _)| p.extension().is_some_and(|x| x == "py"))
            .collect();
        let (path, text) = files[pick.index(files.len())];
        let src = apply(text, &edits);
        let lexical = timed("lexical outline", || lockin::analyze::lexical::python_outline(&src));
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&Language::Python.grammar()).unwrap();
        let tree = parser.parse(&src, None).unwrap();
        if let Some(lexical) = lexical
            && !tree.root_node().has_error()
        {
            let from_tree = lockin::analyze::outline_tree(&tree, &src, Language::Python);
            prop_assert_eq!(seen_outline(&lexical), seen_outline(&from_tree), "{} mutated: {:?}", path.display(), src);
        }
    }

    /// Mutated fixtures, read as every language: the matcher never panics or hangs.
    #[test]
    fn the_matcher_survives_mutated_sources(
        pick in any::<proptest::sample::Index>(),
        edits in proptest::collection::vec(edit(), 1..12),
    ) {
        let files = corpus();
        let (path, text) = &files[pick.index(files.len())];
        let src = apply(text, &edits);
        for lang in LANGUAGES {
            let a = timed(&format!("{} as {lang:?}", path.display()), || {
                lockin::analyze_source(&src, lang, registry())
            });
            for f in &a.findings {
                prop_assert!(f.line >= 1 && f.end_line >= f.line);
                prop_assert!(f.column >= 1);
            }
            prefilter_agrees(&src, lang, &a.findings, a.syntax_errors)
                .map_err(|e| TestCaseError::fail(format!("{} as {lang:?}: {e}", path.display())))?;
        }
        if let Some(kind) = ManifestKind::from_path(path) {
            timed("manifest", || {
                lockin::analyze::manifest::analyze_manifest(&src, kind, registry(), "m")
            });
        }
        // Every input as a notebook and as each config kind too.
        for name in ["n.ipynb", ".env", "Dockerfile", "c.yaml", "c.json", "c.toml", "main.tf"] {
            timed(name, || lockin::analyze_file_text(&src, Path::new(name), registry()));
        }
    }

    /// Arbitrary text made of code fragments, as every language and every manifest kind.
    #[test]
    fn the_matcher_survives_arbitrary_text(
        parts in proptest::collection::vec(
            prop_oneof![proptest::sample::select(FRAGMENTS).prop_map(String::from), ".{0,12}"],
            0..200,
        ),
    ) {
        let src = parts.concat();
        for lang in LANGUAGES {
            let a = timed("arbitrary text", || lockin::analyze_source(&src, lang, registry()));
            prefilter_agrees(&src, lang, &a.findings, a.syntax_errors)
                .map_err(|e| TestCaseError::fail(format!("{src:?} as {lang:?}: {e}")))?;
        }
        for kind in [ManifestKind::Requirements, ManifestKind::Pyproject, ManifestKind::PackageJson] {
            timed("arbitrary manifest", || {
                lockin::analyze::manifest::analyze_manifest(&src, kind, registry(), "m")
            });
        }
    }

    /// A mutated rule pack loads or fails with a diagnostic; it never panics.
    #[test]
    fn the_pack_loader_survives_mutated_packs(
        pick in any::<proptest::sample::Index>(),
        edits in proptest::collection::vec(edit(), 1..6),
    ) {
        let packs = lockin::rules::embedded_sources();
        let base = &packs[pick.index(packs.len())];
        let source = lockin::rules::PackSource {
            name: base.name.clone(),
            text: apply(&base.text, &edits),
            embedded: false,
        };
        if let Err(e) = lockin::rules::load_packs(&[source]) {
            let rendered = format!("{:?}", miette::Report::new(e));
            prop_assert!(!rendered.is_empty());
        }
    }

    /// A mutated lockin.toml loads or fails with a diagnostic.
    #[test]
    fn the_config_loader_survives_mutated_configs(
        edits in proptest::collection::vec(edit(), 1..6),
    ) {
        let base = "select = [\"openai\", \"anthropic/model-id\"]\nignore = [\"dependency\"]\nexclude = [\"tests/\", \"*.gen.py\"]\nmax_file_size = 1000000\ninclude_generated = false\n[gate]\nfail_under = 70\nfail_on = \"high\"\n[severity]\n\"openai/model-id\" = \"low\"\n";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lockin.toml");
        std::fs::write(&path, apply(base, &edits)).unwrap();
        match lockin::settings::load_config(Some(&path), dir.path()) {
            Ok(_) => {}
            Err(e) => {
                let rendered = format!("{:?}", miette::Report::new(e));
                prop_assert!(!rendered.is_empty());
            }
        }
    }
}

proptest! {
    #![proptest_config(Config { cases: config().cases / 4 + 1, ..config() })]

    /// Whole scans of mutated files: the JSON and SARIF reports parse, whatever the input.
    #[test]
    fn reports_stay_valid_json_and_sarif(
        picks in proptest::collection::vec(any::<proptest::sample::Index>(), 1..6),
        edits in proptest::collection::vec(edit(), 1..8),
    ) {
        let files = corpus();
        let dir = tempfile::tempdir().unwrap();
        for (i, pick) in picks.iter().enumerate() {
            let (path, text) = &files[pick.index(files.len())];
            let name = path.file_name().unwrap().to_string_lossy();
            std::fs::write(dir.path().join(format!("{i}-{name}")), apply(text, &edits)).unwrap();
        }
        let reg = registry();
        let mut settings = lockin::ScanSettings::new(vec![dir.path().to_path_buf()]);
        settings.jobs = 1;
        let report = timed("scan", || lockin::scan(&settings, reg, None, &|_| {})).unwrap();
        for format in [lockin::cli::Format::Json, lockin::cli::Format::Sarif] {
            let out = dir.path().join("report.out");
            let emitter = lockin::report::emitter(format, false, reg, &report.root);
            lockin::report::write(&report, emitter.as_ref(), Some(Path::new(&out))).unwrap();
            let parsed: Result<serde_json::Value, _> =
                serde_json::from_slice(&std::fs::read(&out).unwrap());
            prop_assert!(parsed.is_ok(), "{format:?}: {:?}", parsed.err());
        }
    }
}
