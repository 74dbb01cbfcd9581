//! The name index behind the language server: every place the source names a KPI,
//! measure, table, column or category (a rule message's `{placeholders}` included),
//! resolved once per check, for go to definition, find references, rename and
//! document/workspace symbols.
//!
//! Built from the syntax trees (every name has its exact span there) with the checked
//! catalog answering what a name means (a bare name that is a measure or a KPI, the
//! table a relation leads to). Pure: no I/O, no positions but byte offsets; editors'
//! lines and UTF-16 columns are the server's business.

mod collect;
mod rename;

pub use rename::{KEYWORDS, is_identifier};

use crate::ir;
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::ast;
use serde::Serialize;
use std::collections::HashMap;

/// Something the source names: what a reference resolves to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Symbol {
    Kpi(String),
    Measure(String),
    Table(String),
    Column { table: String, column: String },
    Category(String),
}

impl Symbol {
    /// The name as declared (a column's own name, without its table).
    pub fn name(&self) -> &str {
        match self {
            Symbol::Kpi(n) | Symbol::Measure(n) | Symbol::Table(n) | Symbol::Category(n) => n,
            Symbol::Column { column, .. } => column,
        }
    }

    /// What it is, for messages: "KPI `win_rate`", "column `orders.revenue`".
    pub fn describe(&self) -> String {
        match self {
            Symbol::Kpi(n) => format!("KPI `{n}`"),
            Symbol::Measure(n) => format!("measure `{n}`"),
            Symbol::Table(n) => format!("table `{n}`"),
            Symbol::Column { table, column } => format!("column `{table}.{column}`"),
            Symbol::Category(n) => format!("category `{n}`"),
        }
    }
}

/// A place in the source: the span of a name (`span.file` is the file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Location {
    pub span: Span,
}

/// One text edit: `text` in place of what `span` covers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

/// How an occurrence names its symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The name in its declaration.
    Definition,
    /// The name as declared, anywhere else.
    Reference,
    /// A relation column followed in a path without its `_id` (`opportunities.lead`
    /// for `lead_id`): a rename writes the new name without `_id` too.
    Relation,
    /// A parent's column a relation on several columns names implicitly, by the
    /// child's column of the same name (`(account_id, product_line) -> account_products`):
    /// the span is the child's column; a rename spells the parent's columns out.
    Implied,
}

/// One name in the source and what it resolves to.
#[derive(Debug, Clone)]
struct Occurrence {
    span: Span,
    symbol: Symbol,
    role: Role,
}

/// A relation on several columns declared without its parent's columns: they are the
/// child's, by name. Kept so that renaming one of them spells them out.
#[derive(Debug, Clone)]
struct ImpliedRelation {
    table: String,
    columns: Vec<String>,
    target: String,
    /// Where the parent's columns would be written: just after the target's name.
    after_target: Span,
}

/// The names declared in each namespace, for rename's clash check.
#[derive(Debug, Default)]
struct Declared {
    /// Measures and KPIs: formulas name both bare, so they share one namespace.
    values: HashMap<String, Symbol>,
    tables: HashMap<String, ()>,
    /// Per table: its columns and its relations on several columns (one namespace).
    columns: HashMap<String, Vec<String>>,
    categories: HashMap<String, ()>,
}

/// Every name of a checked catalog's source with what it resolves to. Built once per
/// check ([`Index::build`]); queries are lookups.
#[derive(Debug, Default)]
pub struct Index {
    /// Sorted by file and start.
    occurrences: Vec<Occurrence>,
    /// Each symbol's occurrences (indexes into `occurrences`, ascending).
    by_symbol: HashMap<Symbol, Vec<usize>>,
    /// The first declaration of each symbol.
    definitions: HashMap<Symbol, Span>,
    implied: Vec<ImpliedRelation>,
    declared: Declared,
}

impl Index {
    /// Indexes the names of `files` (the trees `catalog` was checked from). A broken
    /// catalog is fine: a name that resolves to nothing is left out.
    pub fn build(sources: &SourceMap, files: &[ast::File], catalog: &ir::Catalog) -> Index {
        let collected = collect::collect(sources, files, catalog);
        let mut occurrences = collected.occurrences;
        // A span the sources do not hold (a tree from other text) would make edits
        // and positions wrong: such names are left out.
        let files_len: Vec<usize> = sources.iter().map(|(_, f)| f.text.len()).collect();
        occurrences.retain(|o| {
            files_len
                .get(o.span.file.0 as usize)
                .is_some_and(|len| o.span.end as usize <= *len && o.span.start <= o.span.end)
        });
        occurrences.sort_by_key(|o| (o.span.file, o.span.start, o.role == Role::Implied));
        let mut by_symbol: HashMap<Symbol, Vec<usize>> = HashMap::new();
        let mut definitions: HashMap<Symbol, Span> = HashMap::new();
        for (i, o) in occurrences.iter().enumerate() {
            by_symbol.entry(o.symbol.clone()).or_default().push(i);
        }
        // The first declaration in source order of the files given, as the checker
        // keeps the first and reports the others as duplicates.
        for o in &collected.declarations {
            definitions.entry(o.symbol.clone()).or_insert(o.span);
        }
        Index {
            occurrences,
            by_symbol,
            definitions,
            implied: collected.implied,
            declared: collected.declared,
        }
    }

    /// The symbol named at byte `offset` of `file`: on a declaration's name or a
    /// reference, the end of the name included (where an editor's cursor stands
    /// after typing it).
    pub fn symbol_at(&self, file: FileId, offset: usize) -> Option<Symbol> {
        let offset = u32::try_from(offset).ok()?;
        let after = self
            .occurrences
            .partition_point(|o| (o.span.file, o.span.start) <= (file, offset));
        // Names never overlap, so the last one starting at or before the offset is
        // the only candidate (an implied parent column shares its span and sorts
        // after the child's column: the one written wins).
        self.occurrences[..after]
            .iter()
            .rev()
            .take_while(|o| o.span.file == file)
            .find(|o| o.role != Role::Implied)
            .filter(|o| o.span.start <= offset && offset <= o.span.end)
            .map(|o| o.symbol.clone())
    }

    /// The name's span in its declaration (the first, when declared twice).
    pub fn definition(&self, sym: &Symbol) -> Option<Location> {
        self.definitions.get(sym).map(|&span| Location { span })
    }

    /// Every place the source names `sym`, sorted by file and offset; with its
    /// declarations when `include_definition`.
    pub fn references(&self, sym: &Symbol, include_definition: bool) -> Vec<Location> {
        let mut out: Vec<Location> = self
            .occurrences_of(sym)
            .filter(|o| include_definition || o.role != Role::Definition)
            .map(|o| Location { span: o.span })
            .collect();
        out.dedup();
        out
    }

    /// The edits that rename `sym` to `new_name` everywhere (its declaration and
    /// every reference, across files), or why not: `new_name` is not a name of the
    /// language, is a keyword, or is taken in the same namespace.
    pub fn rename(&self, sym: &Symbol, new_name: &str) -> Result<Vec<Edit>, String> {
        rename::rename(self, sym, new_name)
    }

    /// Every declaration with its symbol, sorted by file and offset.
    pub fn symbols(&self) -> Vec<(Symbol, Location)> {
        self.occurrences
            .iter()
            .filter(|o| o.role == Role::Definition)
            .map(|o| (o.symbol.clone(), Location { span: o.span }))
            .collect()
    }

    fn occurrences_of<'a>(&'a self, sym: &Symbol) -> impl Iterator<Item = &'a Occurrence> + 'a {
        self.by_symbol
            .get(sym)
            .into_iter()
            .flatten()
            .map(|&i| &self.occurrences[i])
    }
}
