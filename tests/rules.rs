//! Rule tests: every annotated fixture under fixtures/rules and fixtures/negative is scanned with
//! the full embedded registry and compared, as exact sets, with its annotations (see
//! docs/rules.md, "Testing a rule"). Coverage meta-tests check that every rule is tested.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use lockin::lang::{Language, ManifestKind, RuleLang, is_scannable};
use lockin::{Registry, analyze_example, analyze_file_text, embedded_registry};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Mark {
    Expect,
    Ok,
    TodoExpect,
    TodoOk,
}

struct Annotated {
    path: PathBuf,
    lang: RuleLang,
    text: String,
    marks: BTreeMap<Mark, BTreeSet<(usize, String)>>,
}

fn registry() -> Registry {
    embedded_registry().unwrap_or_else(|e| panic!("embedded packs: {e:?}"))
}

fn fixture_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules"),
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/negative"),
    ];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if is_scannable(&path) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Parses `expect:` / `ok:` / `todo-expect:` / `todo-ok:` annotations. An annotation alone on its
/// line applies to the next line that is not itself an annotation; a trailing one to its own line.
fn annotations(path: &Path) -> Annotated {
    let text = std::fs::read_to_string(path).unwrap();
    let notebook = lockin::lang::is_notebook(path);
    let config = lockin::analyze::config::ConfigKind::from_path(path);
    let lang = match (Language::from_path(path), ManifestKind::from_path(path)) {
        (Some(l), _) => l.rule_lang(),
        (None, Some(_)) => RuleLang::Manifest,
        (None, None) if notebook => RuleLang::Python,
        // (`#` comments, like a manifest)
        (None, None) if config.is_some() => RuleLang::Manifest,
        (None, None) => unreachable!("only scannable files are fixtures"),
    };
    let mut marks: BTreeMap<Mark, BTreeSet<(usize, String)>> = BTreeMap::new();
    if ManifestKind::from_path(path) == Some(ManifestKind::PackageJson)
        || notebook
        || config == Some(lockin::analyze::config::ConfigKind::Json)
    {
        // No comments in JSON: a sidecar `<file>.expect` with `LINE: expect: ID` lines.
        let sidecar = PathBuf::from(format!("{}.expect", path.display()));
        let side = std::fs::read_to_string(&sidecar).unwrap_or_default();
        for line in side.lines().filter(|l| !l.trim().is_empty()) {
            let (n, rest) = line.split_once(':').expect("LINE: mark: ids");
            let (kind, ids) = rest.split_once(':').expect("LINE: mark: ids");
            let mark = match kind.trim() {
                "expect" => Mark::Expect,
                "ok" => Mark::Ok,
                "todo-expect" => Mark::TodoExpect,
                "todo-ok" => Mark::TodoOk,
                other => panic!("{}: unknown mark {other}", sidecar.display()),
            };
            for id in ids
                .split(" -- ")
                .next()
                .unwrap_or("")
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                marks
                    .entry(mark)
                    .or_default()
                    .insert((n.trim().parse().unwrap(), id.to_string()));
            }
        }
        return Annotated {
            path: path.to_path_buf(),
            lang,
            text,
            marks,
        };
    }
    let marker = if matches!(lang, RuleLang::Python | RuleLang::Manifest) {
        "#"
    } else {
        "//"
    };
    let mut pending: Vec<(Mark, String)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let lineno = i + 1;
        let parsed = line.find(marker).and_then(|at| {
            let comment = line[at + marker.len()..].trim();
            let (kind, rest) = comment.split_once(':')?;
            let mark = match kind.trim() {
                "expect" => Mark::Expect,
                "ok" => Mark::Ok,
                "todo-expect" => Mark::TodoExpect,
                "todo-ok" => Mark::TodoOk,
                _ => return None,
            };
            let ids = rest.split(" -- ").next().unwrap_or("");
            let ids: Vec<String> = ids
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            Some((at, mark, ids))
        });
        match parsed {
            Some((at, mark, ids)) if line[..at].trim().is_empty() => {
                pending.extend(ids.into_iter().map(|id| (mark, id)));
            }
            Some((_, mark, ids)) => {
                for id in ids {
                    marks.entry(mark).or_default().insert((lineno, id));
                }
                for (m, id) in pending.drain(..) {
                    marks.entry(m).or_default().insert((lineno, id));
                }
            }
            None => {
                for (m, id) in pending.drain(..) {
                    marks.entry(m).or_default().insert((lineno, id));
                }
            }
        }
    }
    assert!(
        pending.is_empty(),
        "{}: annotation at the end of the file applies to no line",
        path.display()
    );
    Annotated {
        path: path.to_path_buf(),
        lang,
        text,
        marks,
    }
}

fn rel(path: &Path) -> String {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn fixtures_match_their_annotations() {
    let reg = registry();
    let mut problems = Vec::new();
    let files = fixture_files();
    assert!(!files.is_empty(), "no fixtures found");
    for path in files {
        let a = annotations(&path);
        let found: BTreeSet<(usize, String)> = analyze_file_text(&a.text, &a.path, &reg)
            .unwrap()
            .findings
            .into_iter()
            .map(|f| (f.line, f.rule_id))
            .collect();
        let get = |m: Mark| a.marks.get(&m).cloned().unwrap_or_default();
        let (expect, ok, todo_expect, todo_ok) = (
            get(Mark::Expect),
            get(Mark::Ok),
            get(Mark::TodoExpect),
            get(Mark::TodoOk),
        );
        let line_of = |n: usize| a.text.lines().nth(n - 1).unwrap_or("").trim().to_string();
        let mut report = |n: usize, what: String| {
            problems.push(format!("{}:{n}  {what}\n    {}", rel(&a.path), line_of(n)))
        };
        for (n, id) in expect.difference(&found) {
            report(*n, format!("missing {id}"));
        }
        for (n, id) in found.difference(&expect) {
            if todo_ok.contains(&(*n, id.clone())) {
                continue;
            }
            if todo_expect.contains(&(*n, id.clone())) {
                report(*n, format!("{id} now found: promote todo-expect to expect"));
            } else if ok.contains(&(*n, id.clone())) {
                report(*n, format!("unexpected {id} (the line is marked ok)"));
            } else {
                report(*n, format!("unexpected {id}"));
            }
        }
        for (n, id) in todo_ok.difference(&found) {
            report(*n, format!("{id} no longer found: promote todo-ok to ok"));
        }
    }
    assert!(
        problems.is_empty(),
        "\n{} fixture problem(s):\n{}\n",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_rule_is_covered_by_fixtures() {
    let reg = registry();
    let known: BTreeSet<&str> = reg.rules.iter().map(|r| r.id.as_str()).collect();
    let mut expects: BTreeSet<(String, RuleLang)> = BTreeSet::new();
    let mut oks: BTreeSet<String> = BTreeSet::new();
    let mut problems = Vec::new();
    for path in fixture_files() {
        let a = annotations(&path);
        if a.marks.values().all(BTreeSet::is_empty) {
            problems.push(format!("{}: no annotations", rel(&path)));
        }
        for (mark, set) in &a.marks {
            for (n, id) in set {
                if !known.contains(id.as_str()) {
                    problems.push(format!("{}:{n}: unknown rule id `{id}`", rel(&path)));
                }
                match mark {
                    Mark::Expect => {
                        expects.insert((id.clone(), a.lang));
                    }
                    Mark::Ok => {
                        oks.insert(id.clone());
                    }
                    _ => {}
                }
            }
        }
    }
    for rule in &reg.rules {
        for lang in &rule.languages {
            if !expects.contains(&(rule.id.clone(), *lang)) {
                problems.push(format!(
                    "{}: no `expect` in a {} fixture",
                    rule.id,
                    lang.name()
                ));
            }
        }
        if !oks.contains(&rule.id) {
            problems.push(format!("{}: no `ok` in any fixture", rule.id));
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn rule_examples_fire_and_alternatives_do_not() {
    let reg = registry();
    let mut problems = Vec::new();
    for rule in &reg.rules {
        for lang in &rule.languages {
            if !rule.example.contains_key(lang) {
                problems.push(format!("{}: no `example` for {}", rule.id, lang.name()));
            }
            if !rule.instead.contains_key(lang) {
                problems.push(format!("{}: no `instead` for {}", rule.id, lang.name()));
            }
        }
        for (lang, code) in &rule.example {
            let got = analyze_example(code, *lang, &reg).findings;
            if !got.iter().any(|f| f.rule_id == rule.id) {
                problems.push(format!(
                    "{}: `example.{}` does not fire:\n{code}",
                    rule.id,
                    lang.name()
                ));
            }
        }
        for (lang, code) in &rule.instead {
            let got = analyze_example(code, *lang, &reg).findings;
            if got.iter().any(|f| f.rule_id == rule.id) {
                problems.push(format!(
                    "{}: `instead.{}` fires:\n{code}",
                    rule.id,
                    lang.name()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn every_rule_has_a_message_hint_and_rationale() {
    let reg = registry();
    for rule in &reg.rules {
        assert!(
            !rule.message.is_empty() && !rule.hint.is_empty() && !rule.why.is_empty(),
            "{}",
            rule.id
        );
        assert!(
            rule.hint.len() >= 30,
            "{}: the hint should be a concrete migration step",
            rule.id
        );
    }
    assert!(
        reg.rules
            .iter()
            .filter(|r| matches!(r.vendor.id(), "openai" | "anthropic"))
            .count()
            >= 30
    );
}

#[test]
fn every_embedded_query_compiles() {
    // Embedded queries are compiled on first use, so a broken one would only be skipped.
    let reg = registry();
    for rule in &reg.rules {
        for (lang, q) in &rule.matcher.queries {
            if let Err(e) = q.compile() {
                panic!("{} ({lang:?}): {e}", rule.id);
            }
        }
    }
}

#[test]
fn the_prefilter_is_active_and_never_hides_a_finding() {
    let reg = registry();
    let pf = lockin::prefilter::Prefilter::new(&reg, 1);
    assert!(
        pf.is_active(),
        "some rule has no required word: the prefilter would pass everything"
    );
    // In every fixture, the rules the prefilter leaves live find exactly what all rules find;
    // a fixture it rejects has no finding. Every example passes.
    for path in fixture_files() {
        if Language::from_path(&path).is_none() {
            continue;
        }
        let a = annotations(&path);
        let lang = lockin::lang::Language::from_path(&path).unwrap();
        let all = lockin::analyze_source(&a.text, lang, &reg).findings;
        match pf.live(&a.text, lang.family()) {
            Some(live) => assert_eq!(
                lockin::analyze::analyze_source_with(&a.text, lang, &reg, &live).findings,
                all,
                "{}: the live rules find something else",
                rel(&path)
            ),
            None => assert!(
                all.is_empty(),
                "{} has findings but fails the prefilter",
                rel(&path)
            ),
        }
    }
    for rule in &reg.rules {
        for (lang, code) in &rule.example {
            if *lang != RuleLang::Manifest {
                let fam = if *lang == RuleLang::Python {
                    lockin::lang::Family::Python
                } else {
                    lockin::lang::Family::Js
                };
                assert!(
                    pf.passes(code, fam),
                    "{}: example fails the prefilter",
                    rule.id
                );
            }
        }
    }
}

#[test]
fn the_outline_alone_is_the_outline_of_a_full_analysis() {
    // Prefiltered files reached by the blast radius are outlined without matching: the outline
    // must be exactly the one a full analysis gives, on every fixture and on the demo.
    let reg = registry();
    let demo = std::fs::read_dir("fixtures/demo/backend/app")
        .unwrap()
        .flatten()
        .map(|e| e.path());
    let mut seen = 0;
    for path in fixture_files().into_iter().chain(demo) {
        let Some(lang) = Language::from_path(&path) else {
            continue;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&lang.grammar()).unwrap();
        let tree = parser.parse(&text, None).unwrap();
        let all = lockin::prefilter::Live::all(reg.rules.len());
        let full = lockin::analyze::analyze_tree(&tree, &text, lang, &reg, &all, "").outline;
        let alone = lockin::analyze::outline_tree(&tree, &text, lang);
        assert_eq!(
            serde_json::to_string(&alone).unwrap(),
            serde_json::to_string(&full).unwrap(),
            "{}",
            rel(&path)
        );
        seen += usize::from(!full.functions.is_empty());
    }
    assert!(seen > 20, "only {seen} fixtures have functions");
}
