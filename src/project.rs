//! The project file `kpic.toml`: where a project's catalog and data are, its default
//! period and comparison, lint levels and engine settings. Found by searching upward
//! from the current folder, so commands work from any subfolder of a project.
//!
//! ```toml
//! [catalog]
//! paths = ["kpis"]            # files or folders of .kpi files, relative to kpic.toml
//!
//! [data]
//! folder = "data"             # the dataset `kpic eval` reads
//!
//! [eval]
//! period = "2025"             # default --period
//! compare = "year-ago"        # default --compare: previous | year-ago
//! fiscal_year_start = 4       # default --fiscal-year-start (month 1..12)
//! min_sample = 30             # fewer members flag a ratio or average (default 30)
//!
//! [lints]
//! K0401 = "allow"             # allow | warn | deny, per lint code
//!
//! [engine]
//! duckdb_cli = "/opt/duckdb/duckdb"
//! postgres_url = "postgresql://analyst@warehouse:5432/kam"
//! ```
//!
//! Every key is optional; an unknown key is an error (a misspelt key silently ignored
//! would leave a setting the user believes in unapplied). Command-line flags override
//! the file.

use crate::diagnostic::{Code, Diagnostic, Severity};
use indexmap::IndexMap;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The project file's name.
pub const PROJECT_FILE: &str = "kpic.toml";

/// A project: its file's folder and its settings, paths resolved against that folder.
#[derive(Debug, Clone, Default)]
pub struct Project {
    /// The folder holding `kpic.toml`.
    pub root: PathBuf,
    /// Catalog files or folders (absolute, or relative to the current folder).
    pub catalog: Vec<PathBuf>,
    /// The dataset folder.
    pub data: Option<PathBuf>,
    /// The default period, as written (parsed by the command).
    pub period: Option<String>,
    /// The default comparison: `previous` or `year-ago`.
    pub compare: Option<String>,
    /// The month the fiscal year starts in.
    pub fiscal_year_start: Option<u32>,
    /// The level of each lint code named in `[lints]`.
    pub lints: Lints,
    /// The DuckDB command-line client.
    pub duckdb_cli: Option<PathBuf>,
    /// The PostgreSQL connection URL.
    pub postgres_url: Option<String>,
    /// `kpic eval` lists only rows of these statuses (`green`, `amber`, `red`).
    pub status: Vec<String>,
    /// `kpic eval` exits 1 when a row is at this status or worse (`red`, `amber`).
    pub fail_on: Option<String>,
    /// Fewer members than this flag a ratio's or average's value as a small sample,
    /// for KPIs without a `min_sample` of their own (default 30).
    pub min_sample: Option<u64>,
}

/// How a lint is reported: not at all, as a warning, or as an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Not reported.
    Allow,
    /// Reported as a warning (the default of every lint).
    Warn,
    /// Reported as an error: the catalog fails `kpic check`.
    Deny,
}

/// Lint levels by code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lints(pub IndexMap<Code, Level>);

impl Lints {
    /// Applies the levels to a check's diagnostics: an allowed lint is removed, a denied
    /// one becomes an error. Errors are never touched (only lints have levels).
    pub fn apply(&self, diagnostics: &mut Vec<Diagnostic>) {
        if self.0.is_empty() {
            return;
        }
        diagnostics.retain_mut(|d| match self.0.get(&d.code) {
            Some(Level::Allow) => d.is_error(),
            Some(Level::Deny) => {
                d.severity = Severity::Error;
                true
            }
            Some(Level::Warn) | None => true,
        });
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    catalog: CatalogSection,
    #[serde(default)]
    data: DataSection,
    #[serde(default)]
    eval: EvalSection,
    #[serde(default)]
    lints: IndexMap<String, Level>,
    #[serde(default)]
    engine: EngineSection,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CatalogSection {
    paths: Option<Vec<PathBuf>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct DataSection {
    folder: Option<PathBuf>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct EvalSection {
    period: Option<String>,
    compare: Option<String>,
    fiscal_year_start: Option<u32>,
    status: Option<Vec<String>>,
    fail_on: Option<String>,
    min_sample: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct EngineSection {
    duckdb_cli: Option<PathBuf>,
    postgres_url: Option<String>,
}

/// The nearest `kpic.toml` in `start` or a folder above it.
pub fn find(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(PROJECT_FILE))
        .find(|p| p.is_file())
}

/// Finds and reads the project file above the current folder: `Ok(None)` outside a
/// project, `Err` (naming the file) when it cannot be read or is invalid.
pub fn discover() -> Result<Option<Project>, String> {
    let cwd = std::env::current_dir()
        .map_err(|e| format!("cannot tell the current folder to look for {PROJECT_FILE}: {e}"))?;
    match find(&cwd) {
        Some(path) => read(&path).map(Some),
        None => Ok(None),
    }
}

/// Reads one project file.
pub fn read(path: &Path) -> Result<Project, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let root = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    parse(&text, &root).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses a project file's text; relative paths are taken from `root`.
pub fn parse(text: &str, root: &Path) -> Result<Project, String> {
    let file: File = toml::from_str(text).map_err(|e| e.to_string().trim_end().to_string())?;
    let mut lints = IndexMap::new();
    for (name, level) in file.lints {
        let code = Code::parse(&name).ok_or_else(|| {
            format!("[lints]: `{name}` is not a diagnostic code (`kpic explain` lists them)")
        })?;
        if !code.is_lint() {
            return Err(format!(
                "[lints]: {code} ({}) is an error, not a lint; only lints can be allowed, \
                 warned or denied ({})",
                code.title(),
                Code::ALL
                    .iter()
                    .filter(|c| c.is_lint())
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        lints.insert(code, level);
    }
    if let Some(compare) = &file.eval.compare
        && !matches!(compare.as_str(), "previous" | "year-ago")
    {
        return Err(format!(
            "[eval] compare = \"{compare}\": expected \"previous\" or \"year-ago\""
        ));
    }
    if let Some(m) = file.eval.fiscal_year_start
        && !(1..=12).contains(&m)
    {
        return Err(format!(
            "[eval] fiscal_year_start = {m}: expected a month, 1 to 12"
        ));
    }
    for s in file.eval.status.iter().flatten() {
        if !matches!(s.as_str(), "green" | "amber" | "red") {
            return Err(format!(
                "[eval] status: \"{s}\": expected \"green\", \"amber\" or \"red\""
            ));
        }
    }
    if let Some(f) = &file.eval.fail_on
        && !matches!(f.as_str(), "amber" | "red")
    {
        return Err(format!(
            "[eval] fail_on = \"{f}\": expected \"red\" or \"amber\""
        ));
    }
    if let Some(n) = file.eval.min_sample
        && !(1..=1_000_000_000).contains(&n)
    {
        return Err(format!(
            "[eval] min_sample = {n}: expected a whole number of members, 1 to 1000000000"
        ));
    }
    let under = |p: PathBuf| if p.is_absolute() { p } else { root.join(p) };
    Ok(Project {
        root: root.to_path_buf(),
        catalog: file
            .catalog
            .paths
            .unwrap_or_default()
            .into_iter()
            .map(under)
            .collect(),
        data: file.data.folder.map(under),
        period: file.eval.period,
        compare: file.eval.compare,
        fiscal_year_start: file.eval.fiscal_year_start,
        lints: Lints(lints),
        duckdb_cli: file.engine.duckdb_cli.map(under),
        postgres_url: file.engine.postgres_url,
        status: file.eval.status.unwrap_or_default(),
        fail_on: file.eval.fail_on,
        min_sample: file.eval.min_sample,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_sample_is_a_positive_count() {
        let p = parse("[eval]\nmin_sample = 50\n", Path::new("/proj")).expect("valid");
        assert_eq!(p.min_sample, Some(50));
        let e = parse("[eval]\nmin_sample = 0\n", Path::new("/proj")).expect_err("zero");
        assert!(e.contains("min_sample = 0"), "{e}");
        assert!(parse("[eval]\nmin_sample = -3\n", Path::new("/proj")).is_err());
    }

    #[test]
    fn paths_are_relative_to_the_project_file() {
        let p = parse(
            "[catalog]\npaths = [\"kpis\", \"/abs/more\"]\n[data]\nfolder = \"data\"\n",
            Path::new("/proj"),
        )
        .expect("valid");
        assert_eq!(
            p.catalog,
            vec![PathBuf::from("/proj/kpis"), PathBuf::from("/abs/more")]
        );
        assert_eq!(p.data, Some(PathBuf::from("/proj/data")));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_errors() {
        let root = Path::new(".");
        let e = parse("[catalog]\npath = [\"kpis\"]\n", root).expect_err("unknown key");
        assert!(e.contains("unknown field `path`"), "{e}");
        let e = parse("[lints]\nK0201 = \"allow\"\n", root).expect_err("not a lint");
        assert!(
            e.contains("K0201") && e.contains("is an error, not a lint"),
            "{e}"
        );
        let e = parse("[lints]\nK9999 = \"allow\"\n", root).expect_err("no such code");
        assert!(e.contains("not a diagnostic code"), "{e}");
        let e = parse("[lints]\nK0401 = \"off\"\n", root).expect_err("bad level");
        assert!(e.contains("allow") || e.contains("unknown variant"), "{e}");
        let e = parse("[eval]\ncompare = \"last-year\"\n", root).expect_err("bad compare");
        assert!(e.contains("year-ago"), "{e}");
    }

    #[test]
    fn lint_levels_remove_or_raise_lints_only() {
        use crate::source::Span;
        let span = Span::new(crate::source::FileId(0), 0, 1);
        let mut diags = vec![
            Diagnostic::warning(Code::MissingDoc, span, "no definition"),
            Diagnostic::warning(Code::PercentTimesHundred, span, "times 100"),
        ];
        let p = parse(
            "[lints]\nK0401 = \"allow\"\nK0402 = \"deny\"\n",
            Path::new("."),
        )
        .expect("valid");
        p.lints.apply(&mut diags);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, Code::PercentTimesHundred);
        assert!(diags[0].is_error());
    }
}
