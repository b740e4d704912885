//! `--select` / `--ignore`: keep or drop rules by rule id, vendor id or category id.

use super::{Category, Rule, Vendor};
use crate::error::Error;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Term {
    Rule(String),
    Vendor(Vendor),
    Category(Category),
}

impl Term {
    fn matches(&self, rule: &Rule) -> bool {
        match self {
            Term::Rule(id) => rule.id == *id,
            Term::Vendor(v) => rule.vendor == *v,
            Term::Category(c) => rule.category == *c,
        }
    }
}

/// Which rules a scan runs.
#[derive(Clone, Debug, Default)]
pub struct Selector {
    select: Vec<Term>,
    ignore: Vec<Term>,
}

impl Selector {
    /// Validates every term against the loaded rules: a typo is an error, not a silent no-op.
    pub fn new(select: &[String], ignore: &[String], rules: &[Rule]) -> Result<Selector, Error> {
        let parse = |flag: &'static str, values: &[String]| {
            values
                .iter()
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| term(flag, v, rules))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(Selector {
            select: parse("select", select)?,
            ignore: parse("ignore", ignore)?,
        })
    }

    pub fn keeps(&self, rule: &Rule) -> bool {
        (self.select.is_empty() || self.select.iter().any(|t| t.matches(rule)))
            && !self.ignore.iter().any(|t| t.matches(rule))
    }
}

fn term(flag: &'static str, value: &str, rules: &[Rule]) -> Result<Term, Error> {
    if let Some(v) = Vendor::from_id(value) {
        return Ok(Term::Vendor(v));
    }
    if let Some(c) = Category::from_id(value) {
        return Ok(Term::Category(c));
    }
    if rules.iter().any(|r| r.id == value) {
        return Ok(Term::Rule(value.to_string()));
    }
    let close = super::suggest(value, rules.iter().map(|r| r.id.as_str()));
    let help = if close.is_empty() {
        "run `lockin rules` for the rule ids; vendors and categories are listed in docs/rules.md"
            .to_string()
    } else {
        format!("did you mean {}?", close.join(", "))
    };
    Err(Error::UnknownSelector {
        flag,
        value: value.to_string(),
        help: Some(help),
    })
}
