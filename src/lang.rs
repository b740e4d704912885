//! Languages lockin understands, how a file's language is chosen, and their grammars.

use std::path::Path;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// A source language, one per tree-sitter grammar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Python,
    Typescript,
    Tsx,
    Javascript,
}

/// The languages a rule declares. `typescript` covers both `.ts` and `.tsx` files; `manifest`
/// covers dependency manifests (requirements*.txt, pyproject.toml, package.json).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleLang {
    Python,
    Typescript,
    Javascript,
    Manifest,
}

/// A dependency manifest lockin reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ManifestKind {
    /// `requirements.txt`, `requirements-dev.txt`, `requirements/base.txt`, ...
    Requirements,
    Pyproject,
    PackageJson,
    /// setuptools `setup.cfg`: `install_requires` and `extras_require`
    SetupCfg,
    /// pipenv `Pipfile`: `[packages]` and `[dev-packages]`
    Pipfile,
}

impl ManifestKind {
    pub fn from_path(path: &Path) -> Option<ManifestKind> {
        let name = path.file_name()?.to_str()?;
        match name {
            "pyproject.toml" => Some(ManifestKind::Pyproject),
            "package.json" => Some(ManifestKind::PackageJson),
            "setup.cfg" => Some(ManifestKind::SetupCfg),
            "Pipfile" => Some(ManifestKind::Pipfile),
            _ if name.ends_with(".txt")
                && (name.starts_with("requirements")
                    || path
                        .parent()
                        .and_then(|p| p.file_name())
                        .is_some_and(|d| d == "requirements")) =>
            {
                Some(ManifestKind::Requirements)
            }
            _ => None,
        }
    }
}

/// Whether lockin reads this file at all (a source file, a notebook or a manifest).
pub fn is_scannable(path: &Path) -> bool {
    Language::from_path(path).is_some()
        || ManifestKind::from_path(path).is_some()
        || is_notebook(path)
        || crate::analyze::config::ConfigKind::from_path(path).is_some()
}

/// A Jupyter notebook (`.ipynb`): its code cells are read as Python.
pub fn is_notebook(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "ipynb")
}

/// Syntax family: languages of one family share node kinds closely enough to share matchers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Python,
    Js,
}

impl Language {
    pub const ALL: [Language; 4] = [
        Language::Python,
        Language::Typescript,
        Language::Tsx,
        Language::Javascript,
    ];

    /// The language of a file, chosen by its extension alone.
    pub fn from_path(path: &Path) -> Option<Language> {
        let ext = path.extension()?.to_str()?;
        Some(match ext {
            "py" | "pyi" => Language::Python,
            "ts" | "mts" | "cts" => Language::Typescript,
            "tsx" => Language::Tsx,
            "js" | "jsx" | "mjs" | "cjs" => Language::Javascript,
            _ => return None,
        })
    }

    pub fn grammar(self) -> tree_sitter::Language {
        match self {
            Language::Python => tree_sitter_python::LANGUAGE.into(),
            Language::Typescript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Language::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Language::Javascript => tree_sitter_javascript::LANGUAGE.into(),
        }
    }

    /// The grammar's node kind names by kind id: what `Node::kind` returns, without its
    /// `strlen` and UTF-8 check on every call (the traversal asks it of every node).
    pub fn kind_names(self) -> &'static [&'static str] {
        static TABLES: [OnceLock<Vec<&'static str>>; 4] = [const { OnceLock::new() }; 4];
        TABLES[self.index()].get_or_init(|| {
            let grammar: &'static tree_sitter::Language = Box::leak(Box::new(self.grammar()));
            (0..grammar.node_kind_count())
                .map(|id| {
                    u16::try_from(id)
                        .ok()
                        .and_then(|id| grammar.node_kind_for_id(id))
                        .unwrap_or("")
                })
                .collect()
        })
    }

    pub fn family(self) -> Family {
        match self {
            Language::Python => Family::Python,
            _ => Family::Js,
        }
    }

    /// The rule language this file language answers to.
    pub fn rule_lang(self) -> RuleLang {
        match self {
            Language::Python => RuleLang::Python,
            Language::Typescript | Language::Tsx => RuleLang::Typescript,
            Language::Javascript => RuleLang::Javascript,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::Typescript => "typescript",
            Language::Tsx => "tsx",
            Language::Javascript => "javascript",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// A field of a syntax node that the analysis reads. `Node::child_by_field_name` compares the
/// name with each of the grammar's field names on every call; `NodeFields::field` looks the id
/// up once per grammar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Name,
    Value,
    Type,
    Property,
    Object,
    Key,
    Function,
    Left,
    Arguments,
    Alias,
    Source,
    Right,
    ModuleName,
    Constructor,
    Attribute,
    Subscript,
    Pattern,
    Module,
    Index,
}

impl Field {
    pub const ALL: [Field; 19] = [
        Field::Name,
        Field::Value,
        Field::Type,
        Field::Property,
        Field::Object,
        Field::Key,
        Field::Function,
        Field::Left,
        Field::Arguments,
        Field::Alias,
        Field::Source,
        Field::Right,
        Field::ModuleName,
        Field::Constructor,
        Field::Attribute,
        Field::Subscript,
        Field::Pattern,
        Field::Module,
        Field::Index,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Value => "value",
            Field::Type => "type",
            Field::Property => "property",
            Field::Object => "object",
            Field::Key => "key",
            Field::Function => "function",
            Field::Left => "left",
            Field::Arguments => "arguments",
            Field::Alias => "alias",
            Field::Source => "source",
            Field::Right => "right",
            Field::ModuleName => "module_name",
            Field::Constructor => "constructor",
            Field::Attribute => "attribute",
            Field::Subscript => "subscript",
            Field::Pattern => "pattern",
            Field::Module => "module",
            Field::Index => "index",
        }
    }
}

/// Per grammar, the id of each field (0 where the grammar has no such field).
fn field_ids() -> &'static [(tree_sitter::Language, [u16; Field::ALL.len()])] {
    static TABLE: OnceLock<Vec<(tree_sitter::Language, [u16; Field::ALL.len()])>> = OnceLock::new();
    TABLE.get_or_init(|| {
        Language::ALL
            .iter()
            .map(|lang| {
                let grammar = lang.grammar();
                let ids = Field::ALL.map(|f| {
                    grammar
                        .field_id_for_name(f.name())
                        .map_or(0, std::num::NonZeroU16::get)
                });
                (grammar, ids)
            })
            .collect()
    })
}

/// Field access by id.
pub trait NodeFields<'t> {
    /// The child in `field`, as `child_by_field_name(field.name())` gives it.
    fn field(&self, field: Field) -> Option<tree_sitter::Node<'t>>;
}

impl<'t> NodeFields<'t> for tree_sitter::Node<'t> {
    fn field(&self, field: Field) -> Option<tree_sitter::Node<'t>> {
        let lang = self.language();
        let (_, ids) = field_ids().iter().find(|(g, _)| *g == *lang)?;
        match ids[field as usize] {
            0 => None,
            id => self.child_by_field_id(id),
        }
    }
}

/// Calls `visit` with every node of the tree and its kind, in pre-order, with a cursor (no
/// recursion: deep trees cannot overflow the stack). Kinds come from the grammar's table.
pub fn preorder<'t>(
    tree: &'t tree_sitter::Tree,
    lang: Language,
    mut visit: impl FnMut(tree_sitter::Node<'t>, &'t str),
) {
    let mut cursor = tree.walk();
    let kinds = lang.kind_names();
    loop {
        let node = cursor.node();
        let kind = kinds
            .get(usize::from(node.kind_id()))
            .copied()
            .unwrap_or_else(|| node.kind());
        visit(node, kind);
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

impl RuleLang {
    pub const ALL: [RuleLang; 4] = [
        RuleLang::Python,
        RuleLang::Typescript,
        RuleLang::Javascript,
        RuleLang::Manifest,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RuleLang::Python => "python",
            RuleLang::Typescript => "typescript",
            RuleLang::Javascript => "javascript",
            RuleLang::Manifest => "manifest",
        }
    }

    /// The file languages this rule language covers.
    pub fn languages(self) -> &'static [Language] {
        match self {
            RuleLang::Python => &[Language::Python],
            RuleLang::Typescript => &[Language::Typescript, Language::Tsx],
            RuleLang::Javascript => &[Language::Javascript],
            RuleLang::Manifest => &[],
        }
    }

    /// File extension used for snippets and fixtures of this language.
    pub fn extension(self) -> &'static str {
        match self {
            RuleLang::Python => "py",
            RuleLang::Typescript => "ts",
            RuleLang::Javascript => "js",
            RuleLang::Manifest => "txt",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_grammar_loads_into_the_parser() {
        for lang in Language::ALL {
            let mut parser = tree_sitter::Parser::new();
            parser
                .set_language(&lang.grammar())
                .unwrap_or_else(|e| panic!("{}: {e}", lang.name()));
        }
    }

    #[test]
    fn extensions_map_to_languages() {
        for (file, lang) in [
            ("a.py", Some(Language::Python)),
            ("a.pyi", Some(Language::Python)),
            ("a.ts", Some(Language::Typescript)),
            ("a.mts", Some(Language::Typescript)),
            ("a.cts", Some(Language::Typescript)),
            ("a.tsx", Some(Language::Tsx)),
            ("a.js", Some(Language::Javascript)),
            ("a.jsx", Some(Language::Javascript)),
            ("a.mjs", Some(Language::Javascript)),
            ("a.cjs", Some(Language::Javascript)),
            ("a.rs", None),
            ("Makefile", None),
        ] {
            assert_eq!(Language::from_path(Path::new(file)), lang, "{file}");
        }
    }

    #[test]
    fn fields_by_id_are_the_fields_by_name() {
        let code = "from a import b as c\nimport d.e\nclass F(G):\n  def h(self, i: int = 1): return j.k(l=m[n], *o) or {'p': q}\nimport r, { s as t } from 'u'; const v = new W(x.y); let z = a[b] = { c: 1 }; for (const d of e) {}";
        for f in Field::ALL {
            assert!(
                Language::ALL
                    .iter()
                    .any(|l| l.grammar().field_id_for_name(f.name()).is_some()),
                "no grammar has a field {}",
                f.name()
            );
        }
        for lang in Language::ALL {
            let mut parser = tree_sitter::Parser::new();
            parser.set_language(&lang.grammar()).unwrap();
            let tree = parser.parse(code, None).unwrap();
            let mut found = 0;
            preorder(&tree, lang, |node, _| {
                for f in Field::ALL {
                    let by_name = node.child_by_field_name(f.name());
                    found += usize::from(by_name.is_some());
                    assert_eq!(node.field(f), by_name, "{} {}", lang.name(), f.name());
                }
            });
            assert!(found > 10, "{}", lang.name());
        }
    }

    #[test]
    fn kind_names_are_what_nodes_call_themselves() {
        // Every node of a snippet with errors and aliased nodes in each grammar.
        let code = "import a\nfrom b import (c as d)\nclass E:\n  def f(self): return g(x=`1`, **h) if i else j[k]\nconst { l } = require('m'); let n = <o p=\"q\">{r}</o>; @@@ (";
        for lang in Language::ALL {
            let mut parser = tree_sitter::Parser::new();
            parser.set_language(&lang.grammar()).unwrap();
            let tree = parser.parse(code, None).unwrap();
            let names = lang.kind_names();
            let mut seen = 0;
            preorder(&tree, lang, |node, _| {
                if let Some(name) = names.get(usize::from(node.kind_id())) {
                    assert_eq!(*name, node.kind(), "{}", lang.name());
                    seen += 1;
                } else {
                    assert!(
                        node.is_error(),
                        "{}: {} has no name",
                        lang.name(),
                        node.kind()
                    );
                }
            });
            assert!(seen > 20, "{}", lang.name());
        }
    }
}
