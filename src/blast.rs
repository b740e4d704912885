//! Blast radius: what stops working if a vendor's API is gone. Pure: computed from the
//! findings and the files' outlines (functions, the names they call, local imports).
//!
//! 1. Direct sites: findings of the vendor that call its API or depend on a vendor-only
//!    feature (categories sdk-call, proprietary-feature, tool-calling, endpoint).
//! 2. Functions: the named functions holding direct sites, then, within the same file, every
//!    function that calls one of them, transitively.
//! 3. Importers: modules of the project that import an affected function (or its class) from
//!    the file that defines it; imports are resolved by relative path or by module-path suffix
//!    (the nearest file ending in it).

use std::collections::{BTreeMap, BTreeSet};

use foldhash::{HashMap, HashMapExt, HashSet};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::analyze::outline::Outline;
use crate::finding::Finding;
use crate::rules::{Category, Vendor};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlastRadius {
    pub vendor: Vendor,
    /// Findings that stop working with the vendor's API.
    pub direct_sites: usize,
    /// Files with direct sites.
    pub files: Vec<String>,
    pub functions: Vec<AffectedFunction>,
    pub importers: Vec<Importer>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AffectedFunction {
    pub path: String,
    pub function: String,
    pub line: usize,
    /// Direct sites in the function; 0 when it is affected through a call.
    pub sites: usize,
    /// The affected function it calls, when it has no direct site of its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calls: Option<String>,
}

impl AffectedFunction {
    /// Why it breaks: "3 direct sites", or "calls X" with the callee wrapped in `quote`.
    pub fn reason(&self, quote: &str) -> String {
        match &self.calls {
            Some(callee) => format!("calls {quote}{callee}{quote}"),
            None => format!(
                "{} direct site{}",
                self.sites,
                if self.sites == 1 { "" } else { "s" }
            ),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Importer {
    pub path: String,
    pub line: usize,
    /// The file it imports from.
    pub from: String,
    pub names: Vec<String>,
}

/// Whether a finding breaks outright when the vendor's API is gone.
pub fn is_direct(f: &Finding) -> bool {
    matches!(
        f.category,
        Category::SdkCall
            | Category::ProprietaryFeature
            | Category::ToolCalling
            | Category::Endpoint
    )
}

/// The blast radius of every vendor with direct sites, in vendor order (vendors in parallel);
/// imports resolve among the outlines' files.
pub fn blast_radius(
    findings: &[Finding],
    outlines: &BTreeMap<String, Outline>,
) -> Vec<BlastRadius> {
    blast_radius_indexed(findings, outlines, &FileIndex::new(outlines.keys()))
}

/// `blast_radius` with imports resolved among the files of `index` (a scan's: every walked path).
pub fn blast_radius_indexed(
    findings: &[Finding],
    outlines: &BTreeMap<String, Outline>,
    index: &FileIndex,
) -> Vec<BlastRadius> {
    let vendors: BTreeSet<Vendor> = findings
        .iter()
        .filter(|f| is_direct(f))
        .map(|f| f.vendor)
        .collect();
    let graph = CallGraph::new(outlines, index);
    let vendors: Vec<Vendor> = vendors.into_iter().collect();
    vendors
        .par_iter()
        .map(|v| for_vendor(*v, findings, &graph))
        .collect()
}

/// Who calls what, built once for every vendor: per file, the functions calling each simple
/// name; per file, the project files importing from it.
struct CallGraph<'a> {
    outlines: &'a BTreeMap<String, Outline>,
    callers: HashMap<&'a str, HashMap<&'a str, Vec<usize>>>,
    importers: Importers,
}

/// Per project file, the imports of it.
type Importers = HashMap<String, Vec<Link>>;

/// `path` imports `names` from another project file at `line`.
struct Link {
    path: String,
    line: usize,
    names: Vec<String>,
}

impl<'a> CallGraph<'a> {
    fn new(outlines: &'a BTreeMap<String, Outline>, index: &FileIndex) -> CallGraph<'a> {
        let mut callers: HashMap<&str, HashMap<&str, Vec<usize>>> = HashMap::new();
        let mut importers = Importers::new();
        for (path, o) in outlines {
            callers.insert(path.as_str(), callers_in(o));
            link_imports(&mut importers, path, o, index);
        }
        CallGraph {
            outlines,
            callers,
            importers,
        }
    }

    fn callers(&self, path: &str, name: &str) -> Vec<usize> {
        self.callers
            .get(path)
            .and_then(|by_name| by_name.get(name))
            .cloned()
            .unwrap_or_default()
    }
}

/// Adds the imports of `path` that name something to `importers`, under the file they resolve to.
fn link_imports(importers: &mut Importers, path: &str, o: &Outline, index: &FileIndex) {
    for imp in &o.imports {
        if imp.names.is_empty() {
            continue;
        }
        if let Some(target) = resolve_import(path, &imp.module, index) {
            importers.entry(target).or_default().push(Link {
                path: path.to_string(),
                line: imp.line,
                names: imp.names.clone(),
            });
        }
    }
}

/// A name a file's functions can call to reach an affected function: the function's full name,
/// and the class a method name is restricted to (a method is reached through its own class,
/// `self.m()`, or by constructing the class elsewhere).
type Callee = (String, Option<String>);

fn for_vendor(vendor: Vendor, findings: &[Finding], graph: &CallGraph) -> BlastRadius {
    let direct: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.vendor == vendor && is_direct(f))
        .collect();
    let files: BTreeSet<String> = direct.iter().map(|f| f.path.clone()).collect();
    let (functions, importers) = propagate(&direct, graph);
    BlastRadius {
        vendor,
        direct_sites: direct.len(),
        files: files.into_iter().collect(),
        functions,
        importers: importers
            .into_iter()
            .map(|((path, line, from), names)| Importer {
                path,
                line,
                from,
                names: names.into_iter().collect(),
            })
            .collect(),
    }
}

/// The functions that break with any vendor's API, the union of every vendor's blast radius
/// (being affected is reachability from a direct site, so one pass over all of them gives it),
/// grown as outlines are added: the reach rounds of a scan ask it which files to parse next.
pub struct Reach {
    spread: Spread,
    /// The imports of the outlines followed so far, by the file imported.
    importers: Importers,
    /// The files whose imports were followed.
    linked: HashSet<String>,
}

impl Reach {
    pub fn new(
        findings: &[Finding],
        outlines: &BTreeMap<String, Outline>,
        index: &FileIndex,
    ) -> Reach {
        let direct: Vec<&Finding> = findings.iter().filter(|f| is_direct(f)).collect();
        let mut reach = Reach {
            spread: Spread::default(),
            importers: Importers::new(),
            linked: Default::default(),
        };
        let frontier = reach.spread.seed(&direct, outlines);
        let fresh = reach.new_links(outlines, index);
        reach.keep(fresh);
        // (every import of an affected function is followed from the frontier)
        reach.run(frontier, BTreeSet::new(), outlines);
        reach
    }

    /// Follows the outlines added since: their imports of affected names, then their callers.
    pub fn grow(&mut self, outlines: &BTreeMap<String, Outline>, index: &FileIndex) {
        let fresh = self.new_links(outlines, index);
        // The new imports of names already affected.
        let mut touched = BTreeSet::new();
        for (target, links) in &fresh {
            let tops: BTreeSet<&str> = self
                .spread
                .functions
                .range((target.clone(), String::new())..)
                .take_while(|((p, _), _)| p == target)
                .map(|((_, name), _)| name.split('.').next().unwrap_or(name))
                .collect();
            let mut found = Vec::new();
            for link in links {
                for top in &tops {
                    if link.names.iter().any(|n| n == top) {
                        found.push((link, top.to_string()));
                    }
                }
            }
            for (link, top) in found {
                self.spread.link(link, target, &top, &mut touched);
            }
        }
        self.keep(fresh);
        self.run(Vec::new(), touched, outlines);
    }

    /// The imports of the outlines not seen yet, by the file imported.
    fn new_links(&mut self, outlines: &BTreeMap<String, Outline>, index: &FileIndex) -> Importers {
        let mut fresh = Importers::new();
        for (path, o) in outlines {
            if !self.linked.contains(path) {
                self.linked.insert(path.clone());
                link_imports(&mut fresh, path, o, index);
            }
        }
        fresh
    }

    fn keep(&mut self, fresh: Importers) {
        for (target, links) in fresh {
            self.importers.entry(target).or_default().extend(links);
        }
    }

    /// Spreads from the newly affected `frontier` and the newly callable `touched` names.
    fn run(
        &mut self,
        frontier: Vec<(String, String)>,
        touched: BTreeSet<(String, String)>,
        outlines: &BTreeMap<String, Outline>,
    ) {
        // Per file reached in this round, the functions calling each simple name.
        let mut by_file: HashMap<&str, HashMap<&str, Vec<usize>>> = HashMap::new();
        let mut callers = |path: &str, name: &str| {
            let Some((path, outline)) = outlines.get_key_value(path) else {
                return Vec::new();
            };
            by_file
                .entry(path.as_str())
                .or_insert_with(|| callers_in(outline))
                .get(name)
                .cloned()
                .unwrap_or_default()
        };
        self.spread
            .run(frontier, touched, outlines, &self.importers, &mut callers);
    }

    /// The affected functions, by path and name.
    pub fn functions(&self) -> impl Iterator<Item = &AffectedFunction> {
        self.spread.functions.values()
    }
}

/// The functions of an outline calling each simple name.
fn callers_in(outline: &Outline) -> HashMap<&str, Vec<usize>> {
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, f) in outline.functions.iter().enumerate() {
        for c in &f.calls {
            by_name.entry(c.as_str()).or_default().push(i);
        }
    }
    by_name
}

/// Importing file, line and file imported from, to the affected names imported.
type Imports = BTreeMap<(String, usize, String), BTreeSet<String>>;

/// The functions holding the `direct` sites and their callers, sorted by path, line and name;
/// and the imports of affected names.
fn propagate(direct: &[&Finding], graph: &CallGraph) -> (Vec<AffectedFunction>, Imports) {
    let mut spread = Spread::default();
    let frontier = spread.seed(direct, graph.outlines);
    let mut callers = |path: &str, name: &str| graph.callers(path, name);
    spread.run(
        frontier,
        BTreeSet::new(),
        graph.outlines,
        &graph.importers,
        &mut callers,
    );
    let mut functions: Vec<AffectedFunction> = spread.functions.into_values().collect();
    functions.sort_by(|a, b| (&a.path, a.line, &a.function).cmp(&(&b.path, b.line, &b.function)));
    (functions, spread.importers)
}

/// What is affected so far.
#[derive(Default)]
struct Spread {
    /// By path and function name.
    functions: BTreeMap<(String, String), AffectedFunction>,
    /// Per file, the names its functions can call to reach an affected function.
    callable: HashMap<String, BTreeMap<String, BTreeSet<Callee>>>,
    importers: Imports,
}

impl Spread {
    /// The functions holding direct sites; returns them, to spread from.
    fn seed(
        &mut self,
        direct: &[&Finding],
        outlines: &BTreeMap<String, Outline>,
    ) -> Vec<(String, String)> {
        for f in direct {
            let Some(name) = &f.function else { continue };
            let line = outlines
                .get(&f.path)
                .and_then(|o| o.functions.iter().find(|x| &x.name == name))
                .map_or(f.line, |x| x.line);
            self.functions
                .entry((f.path.clone(), name.clone()))
                .or_insert_with(|| AffectedFunction {
                    path: f.path.clone(),
                    function: name.clone(),
                    line,
                    sites: 0,
                    calls: None,
                })
                .sites += 1;
        }
        self.functions.keys().cloned().collect()
    }

    /// `link` imports the affected `top` from `target`: the importer can call it.
    fn link(
        &mut self,
        link: &Link,
        target: &str,
        top: &str,
        touched: &mut BTreeSet<(String, String)>,
    ) {
        self.callable
            .entry(link.path.to_string())
            .or_default()
            .entry(top.to_string())
            .or_default()
            .insert((top.to_string(), None));
        touched.insert((link.path.to_string(), top.to_string()));
        self.importers
            .entry((link.path.to_string(), link.line, target.to_string()))
            .or_default()
            .insert(top.to_string());
    }

    /// Callers, level by level to a fixed point, from the newly affected functions of
    /// `frontier` and the newly callable names of `touched`: functions of the same file that
    /// call an affected function, and functions of files that import an affected function (or
    /// its class) and call it. Only the callers of the names that became callable are checked.
    fn run(
        &mut self,
        mut frontier: Vec<(String, String)>,
        mut touched: BTreeSet<(String, String)>,
        outlines: &BTreeMap<String, Outline>,
        importers: &Importers,
        callers: &mut dyn FnMut(&str, &str) -> Vec<usize>,
    ) {
        loop {
            for (path, name) in &frontier {
                let class = name.split_once('.').map(|(c, _)| c.to_string());
                self.callable
                    .entry(path.clone())
                    .or_default()
                    .entry(simple(name).to_string())
                    .or_default()
                    .insert((name.clone(), class));
                touched.insert((path.clone(), simple(name).to_string()));
                // Calling an imported function, or constructing an imported class.
                let top = name.split('.').next().unwrap_or(name);
                for link in importers.get(path).into_iter().flatten() {
                    if link.names.iter().any(|n| n == top) {
                        self.link(link, path, top, &mut touched);
                    }
                }
            }
            if touched.is_empty() {
                return;
            }
            let mut candidates: BTreeSet<(&str, usize)> = BTreeSet::new();
            for (path, name) in &std::mem::take(&mut touched) {
                let Some((p, _)) = outlines.get_key_value(path.as_str()) else {
                    continue;
                };
                for i in callers(p, name) {
                    candidates.insert((p, i));
                }
            }
            frontier = Vec::new();
            for (path, i) in candidates {
                let func = &outlines[path].functions[i];
                let key = (path.to_string(), func.name.clone());
                if self.functions.contains_key(&key) {
                    continue;
                }
                let Some(names) = self.callable.get(path) else {
                    continue;
                };
                let own_class = func.name.split_once('.').map(|(c, _)| c);
                let hit = func.calls.iter().find_map(|c| {
                    names.get(c.as_str()).and_then(|callees| {
                        callees
                            .iter()
                            .find(|(_, class)| class.is_none() || class.as_deref() == own_class)
                    })
                });
                if let Some((callee, _)) = hit {
                    self.functions.insert(
                        key.clone(),
                        AffectedFunction {
                            path: key.0.clone(),
                            function: func.name.clone(),
                            line: func.line,
                            sites: 0,
                            calls: Some(callee.clone()),
                        },
                    );
                    frontier.push(key);
                }
            }
        }
    }
}

fn simple(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

/// The scanned files, indexed for import resolution.
pub struct FileIndex<'p> {
    /// Sorted, without duplicates.
    paths: Vec<&'p str>,
    /// Every path suffix (`app/llm.py`, `llm.py`) with a file ending in it (an index into
    /// `paths`), sorted: the files ending alike are neighbours, in path order.
    suffixes: Vec<(&'p str, u32)>,
}

impl<'p> FileIndex<'p> {
    /// Indexes `paths`, in any order.
    pub fn new(paths: impl Iterator<Item = &'p String>) -> FileIndex<'p> {
        let mut paths: Vec<&str> = paths.map(String::as_str).collect();
        paths.sort_unstable();
        paths.dedup();
        let mut suffixes = Vec::new();
        for (i, p) in paths.iter().enumerate() {
            let mut rest = *p;
            loop {
                suffixes.push((rest, i as u32));
                match rest.find('/') {
                    Some(at) => rest = &rest[at + 1..],
                    None => break,
                }
            }
        }
        suffixes.sort_unstable();
        FileIndex { paths, suffixes }
    }

    fn contains(&self, path: &str) -> bool {
        self.paths.binary_search(&path).is_ok()
    }

    /// Of the files ending in `suffix`, the one nearest to `from` (the most leading directories
    /// in common), the first in path order among equals.
    fn nearest(&self, suffix: &str, from: &str) -> Option<&'p str> {
        let shared = |p: &str| {
            p.split('/')
                .zip(from.split('/'))
                .take_while(|(a, b)| a == b)
                .count()
        };
        let first = self.suffixes.partition_point(|(s, _)| *s < suffix);
        let mut best: Option<(usize, &'p str)> = None;
        for (_, i) in self.suffixes[first..]
            .iter()
            .take_while(|(s, _)| *s == suffix)
        {
            let path = self.paths[*i as usize];
            let n = shared(path);
            if best.is_none_or(|(m, _)| n > m) {
                best = Some((n, path));
            }
        }
        best.map(|(_, path)| path)
    }
}

/// The scanned file a module name refers to, if any: `./x` and `../x` relative to the importing
/// file (with the usual extensions), `.x` / `..x` Python-relative, or a dotted module path
/// matched against the end of a file's path (the file nearest to the importing one when several
/// end alike: `services/a/app/views.py` imports `app.llm` from `services/a/app/llm.py`).
pub fn resolve_import(from: &str, module: &str, index: &FileIndex) -> Option<String> {
    let dir: Vec<&str> = from.split('/').collect();
    let dir = &dir[..dir.len().saturating_sub(1)];
    let candidates: Vec<String> = if module.starts_with("./") || module.starts_with("../") {
        let mut parts: Vec<&str> = dir.to_vec();
        for seg in module.split('/') {
            match seg {
                "." | "" => {}
                ".." => {
                    parts.pop();
                }
                s => parts.push(s),
            }
        }
        let base = parts.join("/");
        [
            "",
            ".ts",
            ".tsx",
            ".js",
            ".jsx",
            ".mjs",
            ".cjs",
            "/index.ts",
            "/index.tsx",
            "/index.js",
        ]
        .iter()
        .map(|ext| format!("{base}{ext}"))
        .collect()
    } else if module.starts_with('.') {
        let dots = module.chars().take_while(|c| *c == '.').count();
        let mut parts: Vec<&str> = dir.to_vec();
        for _ in 1..dots {
            parts.pop();
        }
        let rest = &module[dots..];
        parts.extend(rest.split('.').filter(|s| !s.is_empty()));
        let base = parts.join("/");
        vec![format!("{base}.py"), format!("{base}/__init__.py")]
    } else if !module.contains('/') {
        let tail = module.replace('.', "/");
        return [format!("{tail}.py"), format!("{tail}/__init__.py")]
            .iter()
            .find_map(|t| index.nearest(t, from).map(str::to_string));
    } else {
        return None;
    };
    candidates.into_iter().find(|c| index.contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_resolve_to_scanned_files() {
        let files = [
            "backend/app/llm.py".to_string(),
            "web/src/chat.ts".to_string(),
            "web/src/lib/index.ts".to_string(),
        ];
        let refs = FileIndex::new(files.iter());
        assert_eq!(
            resolve_import("backend/app/views.py", ".llm", &refs).as_deref(),
            Some("backend/app/llm.py")
        );
        assert_eq!(
            resolve_import("backend/app/x/views.py", "..llm", &refs).as_deref(),
            Some("backend/app/llm.py")
        );
        assert_eq!(
            resolve_import("backend/views.py", "app.llm", &refs).as_deref(),
            Some("backend/app/llm.py")
        );
        assert_eq!(
            resolve_import("web/src/page.tsx", "./chat", &refs).as_deref(),
            Some("web/src/chat.ts")
        );
        assert_eq!(
            resolve_import("web/src/a/b.ts", "../lib", &refs).as_deref(),
            Some("web/src/lib/index.ts")
        );
        assert_eq!(resolve_import("web/src/page.tsx", "openai", &refs), None);
        assert_eq!(resolve_import("backend/views.py", "os.path", &refs), None);
    }

    #[test]
    fn a_module_path_resolves_to_the_nearest_file_ending_in_it() {
        let files = [
            "svc/b/pkg/llm.py".to_string(),
            "svc/a/pkg/llm.py".to_string(),
            "svc/a/pkg/util.py".to_string(),
        ];
        let refs = FileIndex::new(files.iter());
        let resolve = |from| resolve_import(from, "pkg.llm", &refs);
        assert_eq!(
            resolve("svc/b/app/views.py").as_deref(),
            Some("svc/b/pkg/llm.py")
        );
        assert_eq!(
            resolve("svc/a/app/views.py").as_deref(),
            Some("svc/a/pkg/llm.py")
        );
        // (equally near: the first in path order)
        assert_eq!(resolve("web/views.py").as_deref(), Some("svc/a/pkg/llm.py"));
        assert_eq!(
            resolve_import("svc/b/x.py", "pkg.util", &refs).as_deref(),
            Some("svc/a/pkg/util.py")
        );
    }

    #[test]
    fn the_affected_functions_are_every_vendors_together() {
        let reg = crate::embedded_registry().unwrap();
        let sources = [
            (
                "app/llm.py",
                "from openai import OpenAI\n\ndef answer(q):\n    return OpenAI().chat.completions.create(model=M, messages=[])\n\ndef ask(q):\n    return answer(q)\n",
            ),
            (
                "app/summary.py",
                "import anthropic\n\ndef summarize(t):\n    return anthropic.Anthropic().messages.create(model=M, max_tokens=1, messages=[])\n\ndef both(t):\n    return summarize(t)\n",
            ),
            (
                "app/views.py",
                "from .llm import ask\nfrom .summary import both\n\ndef view(q):\n    return ask(q)\n\ndef page(q):\n    return both(q)\n\ndef health():\n    return 1\n",
            ),
        ];
        let mut findings = Vec::new();
        let mut outlines = BTreeMap::new();
        for (path, src) in sources {
            let mut a = crate::analyze::analyze_source(src, crate::lang::Language::Python, &reg);
            for f in &mut a.findings {
                f.path = path.to_string();
            }
            findings.extend(a.findings);
            outlines.insert(path.to_string(), a.outline);
        }
        let index = FileIndex::new(outlines.keys());
        let names = |fs: &mut dyn Iterator<Item = &AffectedFunction>| {
            let mut v: Vec<String> = fs.map(|f| format!("{}:{}", f.path, f.function)).collect();
            v.sort();
            v.dedup();
            v
        };
        let radius = blast_radius_indexed(&findings, &outlines, &index);
        assert_eq!(radius.len(), 2);
        let together = Reach::new(&findings, &outlines, &index);
        assert_eq!(
            names(&mut together.functions()),
            names(&mut radius.iter().flat_map(|b| &b.functions))
        );
        assert_eq!(
            names(&mut together.functions()),
            [
                "app/llm.py:answer",
                "app/llm.py:ask",
                "app/summary.py:both",
                "app/summary.py:summarize",
                "app/views.py:page",
                "app/views.py:view",
            ]
        );
        // Grown: views.py's outline comes in a later round (the file had no vendor word).
        let mut partial = outlines.clone();
        let views = partial.remove("app/views.py").unwrap();
        let all_paths: Vec<String> = outlines.keys().cloned().collect();
        let index = FileIndex::new(all_paths.iter());
        let mut grown = Reach::new(&findings, &partial, &index);
        assert!(!grown.functions().any(|f| f.path == "app/views.py"));
        partial.insert("app/views.py".to_string(), views);
        grown.grow(&partial, &index);
        assert_eq!(
            names(&mut grown.functions()),
            names(&mut together.functions())
        );
    }
}
