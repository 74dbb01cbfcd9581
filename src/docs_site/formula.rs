//! A formula's source as HTML with every name linked to its definition's page: KPIs,
//! measures, tables, columns and categories, as the name index resolved them.

use super::html::{self, esc};
use crate::ir::Catalog;
use crate::names::{Index, Symbol};
use crate::source::{FileId, SourceMap, Span};
use std::collections::HashMap;

/// Every resolved name of the source, by file, sorted by start.
pub struct Names {
    by_file: HashMap<FileId, Vec<(Span, Symbol)>>,
}

impl Names {
    /// Every reference and declaration of every symbol `index` knows.
    pub fn new(index: &Index) -> Names {
        let mut by_file: HashMap<FileId, Vec<(Span, Symbol)>> = HashMap::new();
        for (sym, _) in index.symbols() {
            for loc in index.references(&sym, true) {
                by_file
                    .entry(loc.span.file)
                    .or_default()
                    .push((loc.span, sym.clone()));
            }
        }
        for names in by_file.values_mut() {
            names.sort_by_key(|(span, _)| (span.start, span.end));
            names.dedup_by_key(|(span, _)| (span.start, span.end));
        }
        Names { by_file }
    }

    /// The names inside `span`, in order.
    fn within(&self, span: Span) -> &[(Span, Symbol)] {
        let Some(names) = self.by_file.get(&span.file) else {
            return &[];
        };
        let from = names.partition_point(|(s, _)| s.start < span.start);
        let to = names.partition_point(|(s, _)| s.start < span.end);
        &names[from..to.max(from)]
    }
}

/// The page (and anchor) a symbol's definition is on, if the catalog has it.
pub fn symbol_path(catalog: &Catalog, sym: &Symbol) -> Option<String> {
    match sym {
        Symbol::Kpi(id) => catalog.kpis.contains_key(id).then(|| html::kpi_path(id)),
        Symbol::Measure(id) => catalog
            .measures
            .contains_key(id)
            .then(|| html::measure_path(id)),
        Symbol::Table(t) => catalog.tables.contains_key(t).then(|| html::table_path(t)),
        Symbol::Column { table, column } => catalog
            .tables
            .get(table)
            .is_some_and(|t| t.columns.contains_key(column))
            .then(|| html::column_path(table, column)),
        Symbol::Category(id) => catalog
            .categories
            .contains_key(id)
            .then(|| html::category_path(id)),
    }
}

/// The source text of `span` (a formula as written, comments and line breaks kept),
/// escaped, each name a link to its definition; `root` leads to the site's root.
pub fn linked(
    sources: &SourceMap,
    catalog: &Catalog,
    names: &Names,
    span: Span,
    root: &str,
) -> String {
    let text = sources.get(span.file).text.as_ref();
    let (start, end) = (span.start as usize, span.end as usize);
    let Some(source) = text.get(start..end) else {
        return String::new();
    };
    let mut out = String::with_capacity(source.len() * 2);
    let mut at = start;
    for (s, sym) in names.within(span) {
        let (s_start, s_end) = (s.start as usize, s.end as usize);
        // Names never overlap; a span outside the formula or the text is left as text.
        if s_start < at || s_end > end {
            continue;
        }
        let (Some(before), Some(name)) = (text.get(at..s_start), text.get(s_start..s_end)) else {
            continue;
        };
        out.push_str(&esc(before));
        match symbol_path(catalog, sym) {
            Some(path) => {
                let kind = match sym {
                    Symbol::Kpi(_) => "kpi",
                    Symbol::Measure(_) => "measure",
                    Symbol::Table(_) => "table",
                    Symbol::Column { .. } => "column",
                    Symbol::Category(_) => "category",
                };
                out.push_str(&format!(
                    "<a class=\"{kind}\" href=\"{}{}\" title=\"{}\">{}</a>",
                    esc(root),
                    esc(&path),
                    esc(&sym.describe()),
                    esc(name)
                ));
            }
            None => out.push_str(&esc(name)),
        }
        at = s_end;
    }
    out.push_str(&esc(text.get(at..end).unwrap_or("")));
    // The formula is indented as in its file: the first line starts at `formula:`.
    dedent(&out)
}

/// Removes the indentation the lines after the first share (the first line starts
/// right after `formula:`, so it has none).
fn dedent(text: &str) -> String {
    let mut lines = text.lines();
    let Some(first) = lines.next() else {
        return String::new();
    };
    let rest: Vec<&str> = lines.collect();
    let indent = rest
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out = first.to_string();
    for l in rest {
        out.push('\n');
        // Indentation is ASCII spaces or tabs, so cutting bytes stays on a boundary;
        // a shorter blank line has nothing to keep.
        out.push_str(l.get(indent.min(l.len())..).unwrap_or(l.trim_start()));
    }
    out
}
