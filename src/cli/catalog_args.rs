//! What the catalog commands (`list`, `show`, `search`, `export`, and `eval` and `sql`
//! for loading) share: loading a clean catalog, the `--category/--tag/--unit` filters, KPI ordering and
//! the plain-text helpers that turn documentation text blocks into paragraphs and
//! wrap them for a terminal.

use super::project_args::{self, CatalogFlags};
use super::{FAILED, OK, usage_error};
use kpic::Catalog;
use kpic::diagnostic::did_you_mean;
use kpic::ir::{Cadence, Direction, DocValue, KpiDef, Unit};
use kpic::vocab::AttributeInfo;
use std::path::PathBuf;

/// Width the terminal layouts wrap to.
pub const WIDTH: usize = 100;

/// Loads and checks the catalog under `paths` and `flags` (see
/// [`project_args::catalog_paths`]: default the project's, else `kpis/`). A catalog
/// with errors is not browsed: the error count is printed and `Err(exit code)`
/// returned.
pub fn load(paths: Vec<PathBuf>, flags: &CatalogFlags) -> Result<Catalog, u8> {
    load_checked(paths, flags).map(|checked| checked.catalog)
}

/// Like [`load`], keeping the sources (for commands that quote formulas).
pub fn load_checked(paths: Vec<PathBuf>, flags: &CatalogFlags) -> Result<kpic::Checked, u8> {
    let paths = project_args::catalog_paths(paths, flags)?;
    let mut checked = kpic::check_paths(&paths).map_err(usage_error)?;
    project_args::apply_lints(&mut checked)?;
    super::check::print_timings(&checked);
    let errors = checked.error_count();
    if errors > 0 {
        let warnings = checked.warning_count();
        let also = if warnings > 0 {
            format!(" and {warnings} warning{}", plural(warnings))
        } else {
            String::new()
        };
        eprintln!(
            "error: the catalog has {errors} error{}{also}; run `kpic check` to see them",
            plural(errors)
        );
        return Err(FAILED);
    }
    Ok(checked)
}

/// The filters of `list` and `export`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Filters {
    /// Only KPIs of this category (id or name, e.g. `retention`).
    #[arg(long, value_name = "CATEGORY")]
    pub category: Option<String>,
    /// Only KPIs with this tag (e.g. `top12`).
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,
    /// Only KPIs with this unit (e.g. `percent`).
    #[arg(long, value_name = "UNIT")]
    pub unit: Option<String>,
}

impl Filters {
    /// The catalog's KPIs that pass the filters, in catalog order (see [`ordered`]).
    /// An unknown category, tag or unit is a usage error naming the valid values.
    pub fn apply<'c>(&self, catalog: &'c Catalog) -> Result<Vec<&'c KpiDef>, u8> {
        let category = match &self.category {
            None => None,
            Some(wanted) => Some(resolve_category(catalog, wanted)?),
        };
        let tag = match &self.tag {
            None => None,
            Some(wanted) => Some(resolve_tag(catalog, wanted)?),
        };
        let unit = match &self.unit {
            None => None,
            Some(wanted) => Some(resolve_unit(wanted)?),
        };
        Ok(ordered(catalog)
            .into_iter()
            .filter(|k| category.is_none_or(|c| k.category == c))
            .filter(|k| tag.is_none_or(|t| k.tags.iter().any(|x| x == t)))
            .filter(|k| unit.is_none_or(|u| k.unit == u))
            .collect())
    }
}

/// Every KPI, grouped by category in the order the categories are declared, each group
/// in declaration order.
pub fn ordered(catalog: &Catalog) -> Vec<&KpiDef> {
    let mut kpis: Vec<&KpiDef> = catalog.kpis.values().collect();
    kpis.sort_by_key(|k| {
        catalog
            .categories
            .get_index_of(&k.category)
            .unwrap_or(usize::MAX)
    });
    kpis
}

fn resolve_category<'c>(catalog: &'c Catalog, wanted: &str) -> Result<&'c str, u8> {
    let found = catalog
        .categories
        .values()
        .find(|c| c.id.eq_ignore_ascii_case(wanted) || c.name.eq_ignore_ascii_case(wanted));
    match found {
        Some(c) => Ok(&c.id),
        None => Err(unknown(
            "category",
            wanted,
            catalog.categories.keys().map(String::as_str),
        )),
    }
}

fn resolve_tag<'c>(catalog: &'c Catalog, wanted: &str) -> Result<&'c str, u8> {
    let tags = all_tags(catalog);
    match tags.iter().find(|t| t.eq_ignore_ascii_case(wanted)) {
        Some(t) => Ok(t),
        None => Err(unknown("tag", wanted, tags.iter().copied())),
    }
}

fn resolve_unit(wanted: &str) -> Result<Unit, u8> {
    Unit::parse(&wanted.to_ascii_lowercase())
        .ok_or_else(|| unknown("unit", wanted, Unit::NAMES.iter().copied()))
}

/// Every tag used in the catalog, sorted.
fn all_tags(catalog: &Catalog) -> Vec<&str> {
    let mut tags: Vec<&str> = catalog
        .kpis
        .values()
        .flat_map(|k| k.tags.iter().map(String::as_str))
        .collect();
    tags.sort_unstable();
    tags.dedup();
    tags
}

/// "unknown tag `x`; valid tags: a, b, c" (plus a suggestion), as a usage error.
fn unknown<'a>(what: &str, wanted: &str, valid: impl Iterator<Item = &'a str> + Clone) -> u8 {
    let list: Vec<&str> = valid.clone().collect();
    let whats = if what == "category" {
        "categories".to_string()
    } else {
        format!("{what}s")
    };
    let mut message = format!(
        "unknown {what} `{wanted}`; valid {whats}: {}",
        if list.is_empty() {
            "(none in this catalog)".to_string()
        } else {
            list.join(", ")
        }
    );
    if let Some(hint) = did_you_mean(wanted, valid) {
        message.push_str("\nhelp: ");
        message.push_str(&hint);
    }
    usage_error(message)
}

/// A KPI's category name (its id if the category is unknown).
pub fn category_name<'c>(catalog: &'c Catalog, kpi: &'c KpiDef) -> &'c str {
    catalog
        .categories
        .get(&kpi.category)
        .map_or(kpi.category.as_str(), |c| c.name.as_str())
}

/// "higher" or "lower".
pub fn direction(d: Direction) -> &'static str {
    d.as_str()
}

/// "weekly", ..., or `None`.
pub fn cadence(c: Option<Cadence>) -> Option<&'static str> {
    c.map(Cadence::as_str)
}

/// The documentation attributes of a KPI in the vocabulary's order (`related` last),
/// each with its value.
pub fn attributes(kpi: &KpiDef) -> impl Iterator<Item = (&'static AttributeInfo, DocValue<'_>)> {
    kpi.docs.iter()
}

/// A text block as paragraphs: the lines of each paragraph joined with single spaces,
/// paragraphs separated by one blank line.
pub fn reflow(text: &str) -> String {
    paragraphs(text).join("\n\n")
}

/// The paragraphs of a text block, each on one line.
pub fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        for word in line.split_whitespace() {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Wraps `text` (one paragraph) to [`WIDTH`] columns: the first line starts with
/// `first` (e.g. "  • "), the following ones with `rest`. Words longer than a line are
/// left whole. Columns are counted in characters.
pub fn wrap(text: &str, first: &str, rest: &str) -> String {
    let mut out = String::from(first);
    let mut col = first.chars().count();
    let mut line_empty = true;
    for word in text.split_whitespace() {
        let len = word.chars().count();
        if !line_empty && col + 1 + len > WIDTH {
            out.push('\n');
            out.push_str(rest);
            col = rest.chars().count();
            line_empty = true;
        }
        if !line_empty {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += len;
        line_empty = false;
    }
    out
}

/// Prints `text` to standard output. A closed pipe (`kpic list | head`) ends the
/// output quietly; other write errors are usage errors.
pub fn emit(text: &str) -> u8 {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => OK,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => OK,
        Err(e) => usage_error(format!("cannot write to standard output: {e}")),
    }
}

/// "" or "s".
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Pads `text` with spaces to `width` characters.
pub fn pad(text: &str, width: usize) -> String {
    let len = text.chars().count();
    format!("{text}{}", " ".repeat(width.saturating_sub(len)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reflow_joins_lines_and_keeps_paragraphs() {
        assert_eq!(reflow("a b\n  c\n\n\nd\n"), "a b c\n\nd");
        assert_eq!(paragraphs("   \n"), Vec::<String>::new());
    }

    #[test]
    fn wrap_respects_width_and_indents() {
        let text = "word ".repeat(60);
        let wrapped = wrap(&text, "  • ", "    ");
        assert!(wrapped.starts_with("  • word"));
        for line in wrapped.lines() {
            assert!(line.chars().count() <= WIDTH, "{line}");
        }
        assert!(wrapped.lines().skip(1).all(|l| l.starts_with("    word")));
        let long = "x".repeat(150);
        assert_eq!(wrap(&long, "", ""), long);
    }
}
