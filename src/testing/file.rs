//! A test file (`NAME.test.toml`): cases that each give a KPI or measure a few rows of
//! the tables it reads, a period and scope, and the value expected.
//!
//! ```toml
//! kpi = "average_order_value"      # the default of every case below
//! period = "2025"
//!
//! [[case]]
//! name = "revenue over orders"
//! expect = "1,575.00"              # with its unit: 12.5%, 1,200.00, 3.5 days, 4 h
//! [case.tables]
//! orders = """
//! order_id, account_id, order_date, revenue, cost
//! O1, A1, 2025-01-15, 1800.00, 1100.00
//! O2, A2, 2025-04-22, 1350.00, 900.00
//! """
//!
//! [[case]]
//! name = "no orders: no value"
//! expect = "missing: no rows"      # `missing`, or `missing: ` and part of the reason
//! [case.tables]
//! orders = "order_id, account_id, order_date, revenue, cost"
//! ```
//!
//! A table a case does not give is not read; `accounts`, when not given, has one row
//! per account id the given rows name and no other value.

use indexmap::IndexMap;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The suffix of a test file's name.
pub const SUFFIX: &str = ".test.toml";

/// One test file, read.
#[derive(Debug, Clone)]
pub struct TestFile {
    pub path: PathBuf,
    pub text: String,
    pub cases: Vec<Case>,
}

/// One case of a test file, with its file's defaults applied.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    /// Byte offset of the case's name in the file, for its line.
    pub offset: usize,
    /// The KPI, or the measure, tested.
    pub target: Target,
    pub period: Option<String>,
    /// `--by` dimensions; the expectation then names each group.
    pub by: Option<String>,
    /// `--account`.
    pub account: Option<String>,
    /// `--where COLUMN=VALUE` filters.
    pub filters: Vec<String>,
    /// Table name → CSV text (header and rows) and the byte offset of its value in
    /// the file (for the lines of errors in it).
    pub tables: IndexMap<String, (String, usize)>,
    pub expect: Expectation,
}

/// What a case tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Kpi(String),
    Measure(String),
}

impl Target {
    /// The id tested.
    pub fn id(&self) -> &str {
        match self {
            Target::Kpi(id) | Target::Measure(id) => id,
        }
    }
}

/// The value (or values, one per group) a case expects, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expectation {
    /// The value of the whole scope.
    One(String),
    /// Group label → value.
    Groups(IndexMap<String, String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    kpi: Option<String>,
    measure: Option<String>,
    period: Option<String>,
    #[serde(default)]
    case: Vec<RawCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    name: Spanned<String>,
    kpi: Option<String>,
    measure: Option<String>,
    period: Option<String>,
    by: Option<String>,
    account: Option<String>,
    #[serde(default, rename = "where")]
    filters: Vec<String>,
    #[serde(default)]
    tables: IndexMap<String, Spanned<String>>,
    expect: RawExpect,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawExpect {
    One(String),
    Groups(IndexMap<String, String>),
}

/// Reads and parses one test file; the error names the file.
pub fn read(path: &Path) -> Result<TestFile, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let cases = parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(TestFile {
        path: path.to_path_buf(),
        text,
        cases,
    })
}

/// Parses a test file's text into its cases.
pub fn parse(text: &str) -> Result<Vec<Case>, String> {
    let raw: RawFile = toml::from_str(text).map_err(|e| e.to_string().trim_end().to_string())?;
    if raw.case.is_empty() {
        return Err("no `[[case]]`: a test file holds at least one case".into());
    }
    let mut cases = Vec::new();
    for c in raw.case {
        let name = c.name.get_ref().clone();
        let target = match (
            c.kpi.or_else(|| raw.kpi.clone()),
            c.measure.or_else(|| raw.measure.clone()),
        ) {
            (Some(k), None) => Target::Kpi(k),
            (None, Some(m)) => Target::Measure(m),
            (Some(_), Some(_)) => {
                return Err(format!(
                    "case \"{name}\": give `kpi` or `measure`, not both"
                ));
            }
            (None, None) => {
                return Err(format!(
                    "case \"{name}\": which KPI? add `kpi = \"ID\"` to the case or the file"
                ));
            }
        };
        let expect = match c.expect {
            RawExpect::One(v) => Expectation::One(v),
            RawExpect::Groups(g) => Expectation::Groups(g),
        };
        match (&expect, &c.by) {
            (Expectation::Groups(_), None) => {
                return Err(format!(
                    "case \"{name}\": `expect` names groups, but the case has no `by`"
                ));
            }
            (Expectation::One(_), Some(by)) => {
                return Err(format!(
                    "case \"{name}\": with `by = \"{by}\"`, `expect` names each group: \
                     expect = {{ retail = \"12.5%\", energy = \"missing\" }}"
                ));
            }
            _ => {}
        }
        cases.push(Case {
            name,
            offset: c.name.span().start,
            target,
            period: c.period.or_else(|| raw.period.clone()),
            by: c.by,
            account: c.account,
            filters: c.filters,
            tables: c
                .tables
                .into_iter()
                .map(|(name, text)| {
                    let at = text.span().start;
                    (name, (text.into_inner(), at))
                })
                .collect(),
            expect,
        });
    }
    Ok(cases)
}

/// Every test file under `paths` (files as given, folders searched recursively for
/// `*.test.toml`), sorted.
pub fn find(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = paths.to_vec();
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            let entries =
                std::fs::read_dir(&p).map_err(|e| format!("{}: cannot read: {e}", p.display()))?;
            for e in entries {
                let e = e.map_err(|e| format!("{}: cannot read: {e}", p.display()))?;
                let path = e.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.to_str().is_some_and(|s| s.ends_with(SUFFIX)) {
                    out.push(path);
                }
            }
        } else if p.is_file() {
            out.push(p);
        } else {
            return Err(format!("{}: no such file or folder", p.display()));
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_of_the_file_apply_to_each_case() {
        let cases = parse(
            "kpi = \"k\"\nperiod = \"2025\"\n[[case]]\nname = \"a\"\nexpect = \"1\"\n\
             [[case]]\nname = \"b\"\nmeasure = \"m\"\nperiod = \"2024\"\nkpi = \"x\"\nexpect = \"2\"\n",
        );
        let e = cases.expect_err("kpi and measure");
        assert!(e.contains("not both"), "{e}");
        let cases = parse(
            "kpi = \"k\"\nperiod = \"2025\"\n[[case]]\nname = \"a\"\nexpect = \"1\"\n\
             [[case]]\nname = \"b\"\nkpi = \"x\"\nperiod = \"2024\"\nby = \"industry\"\n\
             expect = { retail = \"1\" }\n",
        )
        .expect("valid");
        assert_eq!(cases[0].target, Target::Kpi("k".into()));
        assert_eq!(cases[0].period.as_deref(), Some("2025"));
        assert_eq!(cases[1].target, Target::Kpi("x".into()));
        assert_eq!(cases[1].period.as_deref(), Some("2024"));
    }

    #[test]
    fn groups_need_by_and_by_needs_groups() {
        let e = parse("kpi = \"k\"\n[[case]]\nname = \"a\"\nexpect = { a = \"1\" }\n")
            .expect_err("groups without by");
        assert!(e.contains("no `by`"), "{e}");
        let e = parse("kpi = \"k\"\n[[case]]\nname = \"a\"\nby = \"tier\"\nexpect = \"1\"\n")
            .expect_err("by without groups");
        assert!(e.contains("names each group"), "{e}");
        let e = parse("kpi = \"k\"\n[[case]]\nname = \"a\"\nexpected = \"1\"\n")
            .expect_err("unknown key");
        assert!(e.contains("expected"), "{e}");
    }
}
