//! The walk over the syntax trees that finds every name and resolves it: declarations,
//! formulas (bare names, `table.relation.column` paths, `per`, `dated`), the fields
//! that name an item (`category:`, `breakdown:`, a benchmark's `kpi:`, KPI lists), the
//! `{placeholders}` of rules' messages and the relations of tables.

use super::{Declared, ImpliedRelation, Occurrence, Role, Symbol};
use crate::ir::{Catalog, TableDef};
use crate::source::{SourceMap, Span};
use crate::syntax::ast::{
    Block, Expr, ExprKind, File, Ident, Item, Modifier, Table, TimeClause, Value,
};
use crate::vocab::{self, AggregateId, ItemKind, Shape};

/// What the walk found.
pub(super) struct Collected {
    pub occurrences: Vec<Occurrence>,
    /// The declarations in the order of the files and items given.
    pub declarations: Vec<Occurrence>,
    pub implied: Vec<ImpliedRelation>,
    pub declared: Declared,
}

/// Finds every name of `files`, resolved with `catalog` (tables, columns, relations)
/// and the declarations themselves (measures, KPIs and categories: a declaration with
/// an error is missing from the catalog, but its references are still its own).
pub(super) fn collect(sources: &SourceMap, files: &[File], catalog: &Catalog) -> Collected {
    let declared = declarations(files, catalog);
    let mut w = Walker {
        sources,
        catalog,
        declared: &declared,
        out: Vec::new(),
        implied: Vec::new(),
    };
    for item in files.iter().flat_map(|f| &f.items) {
        match item {
            Item::Table(t) => w.table(t),
            Item::Block(b) => w.block(b),
        }
    }
    let declarations = w
        .out
        .iter()
        .filter(|o| o.role == Role::Definition)
        .cloned()
        .collect();
    Collected {
        occurrences: w.out,
        declarations,
        implied: w.implied,
        declared,
    }
}

/// The names each namespace holds. Measures come first, as in the checker: a name
/// declared as both a measure and a KPI is the measure.
fn declarations(files: &[File], catalog: &Catalog) -> Declared {
    let mut d = Declared::default();
    let blocks = || {
        files.iter().flat_map(|f| &f.items).filter_map(|i| match i {
            Item::Block(b) => Some(b),
            Item::Table(_) => None,
        })
    };
    for kind in [ItemKind::Measure, ItemKind::Kpi] {
        for b in blocks().filter(|b| ItemKind::from_keyword(&b.kind.name) == Some(kind)) {
            let name = b.name.name.clone();
            let sym = match kind {
                ItemKind::Measure => Symbol::Measure(name.clone()),
                _ => Symbol::Kpi(name.clone()),
            };
            d.values.entry(name).or_insert(sym);
        }
    }
    for b in blocks().filter(|b| ItemKind::from_keyword(&b.kind.name) == Some(ItemKind::Category)) {
        d.categories.insert(b.name.name.clone(), ());
    }
    for t in catalog.tables.values() {
        d.tables.insert(t.name.clone(), ());
        let names = t
            .columns
            .keys()
            .cloned()
            .chain(t.relations.iter().map(|r| r.name.clone()))
            .collect();
        d.columns.insert(t.name.clone(), names);
    }
    d
}

struct Walker<'a> {
    /// The files' text: a message's placeholders are read where they are written.
    sources: &'a SourceMap,
    catalog: &'a Catalog,
    declared: &'a Declared,
    out: Vec<Occurrence>,
    implied: Vec<ImpliedRelation>,
}

impl Walker<'_> {
    fn push(&mut self, span: Span, symbol: Symbol, role: Role) {
        self.out.push(Occurrence { span, symbol, role });
    }

    fn column(&mut self, table: &str, column: &Ident, role: Role) {
        let symbol = Symbol::Column {
            table: table.to_string(),
            column: column.name.clone(),
        };
        self.push(column.span, symbol, role);
    }

    /// A table's name is a reference to it when the catalog declares it.
    fn table_ref(&mut self, ident: &Ident) -> bool {
        let known = self.catalog.tables.contains_key(&ident.name);
        if known {
            self.push(
                ident.span,
                Symbol::Table(ident.name.clone()),
                Role::Reference,
            );
        }
        known
    }

    /// A column of `table` named by `ident`, when the catalog declares it.
    fn column_ref(&mut self, table: &str, ident: &Ident) {
        let known = self
            .catalog
            .tables
            .get(table)
            .is_some_and(|t| t.columns.contains_key(&ident.name));
        if known {
            self.column(table, ident, Role::Reference);
        }
    }

    fn table(&mut self, t: &Table) {
        let name = &t.name.name;
        self.push(t.name.span, Symbol::Table(name.clone()), Role::Definition);
        for c in &t.columns {
            self.column(name, &c.name, Role::Definition);
            for m in &c.modifiers {
                if let Modifier::Relation { target, .. } = m {
                    self.table_ref(target);
                }
            }
        }
        for r in &t.relations {
            for c in &r.columns {
                self.column_ref(name, c);
            }
            let target_known = self.table_ref(&r.target);
            match &r.target_columns {
                Some(cols) => {
                    for c in cols {
                        self.column_ref(&r.target.name, c);
                    }
                }
                None if target_known => {
                    // The parent's columns are the child's, by name.
                    for c in &r.columns {
                        let known = self
                            .catalog
                            .tables
                            .get(&r.target.name)
                            .is_some_and(|t| t.columns.contains_key(&c.name));
                        if known {
                            let symbol = Symbol::Column {
                                table: r.target.name.clone(),
                                column: c.name.clone(),
                            };
                            self.push(c.span, symbol, Role::Implied);
                        }
                    }
                    self.implied.push(ImpliedRelation {
                        table: name.clone(),
                        columns: r.columns.iter().map(|c| c.name.clone()).collect(),
                        target: r.target.name.clone(),
                        after_target: Span {
                            start: r.target.span.end,
                            ..r.target.span
                        },
                    });
                }
                None => {}
            }
        }
    }

    fn block(&mut self, b: &Block) {
        let Some(kind) = ItemKind::from_keyword(&b.kind.name) else {
            return;
        };
        let own = match kind {
            ItemKind::Kpi => Some(Symbol::Kpi(b.name.name.clone())),
            ItemKind::Measure => Some(Symbol::Measure(b.name.name.clone())),
            ItemKind::Category => Some(Symbol::Category(b.name.name.clone())),
            ItemKind::Table | ItemKind::Benchmark | ItemKind::Rule | ItemKind::Target => None,
        };
        if let Some(sym) = own {
            self.push(b.name.span, sym, Role::Definition);
        }
        for field in &b.fields {
            let name = field.name.name.as_str();
            match (kind, name) {
                (ItemKind::Kpi | ItemKind::Measure, "formula")
                | (ItemKind::Kpi, "breakdown")
                | (ItemKind::Rule, "condition") => {
                    if let Value::Expr(e) = &field.value {
                        self.expr(e);
                    }
                }
                (ItemKind::Kpi, "target") | (ItemKind::Target, "value") => match &field.value {
                    Value::Expr(e) => self.expr(e),
                    // `by PATH { key: value, ... }`: the path and every value may name
                    // tables, columns and measures; the keys are segment values.
                    Value::Map { by, entries, .. } => {
                        for e in by
                            .iter()
                            .chain(entries.iter().filter_map(|m| m.value.as_ref()))
                        {
                            self.expr(e);
                        }
                    }
                    Value::List { .. } => {}
                },
                (ItemKind::Rule, "message") => {
                    if let Value::Expr(
                        e @ Expr {
                            kind: ExprKind::Text(_),
                            ..
                        },
                    ) = &field.value
                    {
                        self.message(e.span);
                    }
                }
                (ItemKind::Kpi, "category") => {
                    if let Some(w) = word(&field.value)
                        && self.declared.categories.contains_key(&w.name)
                    {
                        self.push(w.span, Symbol::Category(w.name.clone()), Role::Reference);
                    }
                }
                (ItemKind::Benchmark | ItemKind::Target, "kpi") => {
                    if let Some(w) = word(&field.value) {
                        self.kpi_ref(w);
                    }
                }
                (ItemKind::Kpi, _)
                    if vocab::attribute(name).is_some_and(|a| a.shape == Shape::KpiList) =>
                {
                    let items: &[Expr] = match &field.value {
                        Value::List { items, .. } => items,
                        Value::Expr(e) => std::slice::from_ref(e),
                        Value::Map { .. } => &[],
                    };
                    for w in items.iter().filter_map(as_word) {
                        self.kpi_ref(w);
                    }
                }
                _ => {}
            }
        }
    }

    /// The names in the `{placeholders}` of a rule's message written at `span`, each
    /// placeholder parsed where it stands so that its names get exact spans. The
    /// written text is scanned, not the unescaped one: escapes (`\"`, `\\`, `\n`,
    /// `\t`) hold no brace and a text block's dedent removes only indentation, so the
    /// placeholders are the same as `check::rules` reads. A placeholder with a
    /// backslash inside is left out: its written text is not its expression.
    fn message(&mut self, span: Span) {
        let Some(written) = self
            .sources
            .iter()
            .nth(span.file.0 as usize)
            .and_then(|(_, f)| f.text.get(span.range()))
        else {
            return;
        };
        let quote = if written.starts_with("\"\"\"") { 3 } else { 1 };
        let Some(body) = written.get(quote..written.len().saturating_sub(quote)) else {
            return;
        };
        for (from, inner) in placeholders(body) {
            if inner.contains('\\') {
                continue;
            }
            let offset = span.start as usize + quote + from;
            if let Ok((expr, _)) = crate::syntax::parse_expression(span.file, offset, inner) {
                self.expr(&expr);
            }
        }
    }

    /// A name where a KPI id is expected.
    fn kpi_ref(&mut self, w: &Ident) {
        if let Some(sym @ Symbol::Kpi(_)) = self.declared.values.get(&w.name) {
            let sym = sym.clone();
            self.push(w.span, sym, Role::Reference);
        }
    }

    /// Every name of a formula, with an explicit stack (a formula may hold a thousand
    /// operators).
    fn expr(&mut self, root: &Expr) {
        let mut stack = vec![root];
        while let Some(e) = stack.pop() {
            match &e.kind {
                ExprKind::Path { head, member, hops } => self.path(head, member.as_ref(), hops),
                ExprKind::Call {
                    name,
                    args,
                    time,
                    per,
                    ..
                } => {
                    // `count(orders)`: a bare name that is a table counts its rows.
                    if vocab::aggregate(&name.name).is_some_and(|a| a.id == AggregateId::Count)
                        && let Some(Expr {
                            kind:
                                ExprKind::Path {
                                    head, member: None, ..
                                },
                            ..
                        }) = args.first()
                        && self.catalog.tables.contains_key(&head.name)
                    {
                        self.table_ref(head);
                        stack.extend(e.children().skip(1));
                    } else {
                        stack.extend(e.children().rev());
                    }
                    if let Some(p) = per
                        && self.table_ref(&p.table)
                        && let Some(c) = &p.column
                    {
                        self.column_ref(&p.table.name, c);
                    }
                    if let Some(t) = time.as_deref()
                        && let TimeClause::Dated { table, column, .. } = t
                        && self.table_ref(table)
                    {
                        self.column_ref(&table.name, column);
                    }
                }
                _ => stack.extend(e.children().rev()),
            }
        }
    }

    /// `name`, `table.column` or `table.relation….column`.
    fn path(&mut self, head: &Ident, member: Option<&Ident>, hops: &[Ident]) {
        let Some(member) = member else {
            match self.declared.values.get(&head.name) {
                Some(sym) => {
                    let sym = sym.clone();
                    self.push(head.span, sym, Role::Reference);
                }
                // A table written bare (reported by the checker unless counted).
                None => {
                    self.table_ref(head);
                }
            }
            return;
        };
        let Some(mut table) = self.catalog.tables.get(&head.name) else {
            return;
        };
        self.table_ref(head);
        for hop in hops {
            match follow(self.catalog, table, &hop.name) {
                Some(Followed::Column(column, target)) => {
                    let role = if column == hop.name {
                        Role::Reference
                    } else {
                        Role::Relation
                    };
                    let symbol = Symbol::Column {
                        table: table.name.clone(),
                        column,
                    };
                    self.push(hop.span, symbol, role);
                    table = target;
                }
                Some(Followed::On(target)) => table = target,
                None => return,
            }
        }
        let name = table.name.clone();
        self.column_ref(&name, member);
    }
}

/// A relation followed from a table by the name written in a path.
enum Followed<'c> {
    /// A relation column (its name) and the table it leads to.
    Column(String, &'c TableDef),
    /// A relation on several columns (not a symbol of its own) and its table.
    On(&'c TableDef),
}

/// The relation `name` of `table`, as the checker finds it: a relation column written
/// with or without its `_id`, else a relation on several columns.
fn follow<'c>(catalog: &'c Catalog, table: &TableDef, name: &str) -> Option<Followed<'c>> {
    for c in table.columns.values() {
        let Some(target) = c.relation.as_ref().and_then(|t| catalog.tables.get(t)) else {
            continue;
        };
        if c.name == name || relation_name(&c.name) == name {
            return Some(Followed::Column(c.name.clone(), target));
        }
    }
    table
        .relations
        .iter()
        .find(|r| r.name == name)
        .and_then(|r| catalog.tables.get(&r.target))
        .map(Followed::On)
}

/// The name a relation column is followed by in a path: without a trailing `_id`
/// (as `check::typing::relations` reads it).
pub(super) fn relation_name(column: &str) -> &str {
    column
        .strip_suffix("_id")
        .filter(|s| !s.is_empty())
        .unwrap_or(column)
}

/// The placeholders of a message's text: each one's text between `{` and `}` with its
/// byte offset in `text`; `{{` and `}}` are braces, not placeholders (as
/// `check::rules` reads them; an unclosed `{` ends the scan).
fn placeholders(text: &str) -> Vec<(usize, &str)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1)) {
            (b'{', Some(b'{')) | (b'}', Some(b'}')) => i += 2,
            (b'{', _) => {
                let Some(len) = text[i + 1..].find('}') else {
                    break;
                };
                out.push((i + 1, &text[i + 1..i + 1 + len]));
                i += 2 + len;
            }
            // Braces are ASCII: a byte of a longer character is never one.
            _ => i += 1,
        }
    }
    out
}

/// The name of a field whose value is one bare name.
fn word(value: &Value) -> Option<&Ident> {
    match value {
        Value::Expr(e) => as_word(e),
        Value::List { .. } | Value::Map { .. } => None,
    }
}

fn as_word(e: &Expr) -> Option<&Ident> {
    match &e.kind {
        ExprKind::Path {
            head, member: None, ..
        } => Some(head),
        _ => None,
    }
}
