//! What a byte offset of a file is on: a name in a formula, a column, a call, an
//! item's name, a field's name, a column declaration. Read from the syntax tree, so
//! it works in a file the checker rejects.

use crate::source::Span;
use crate::syntax::ast::{ColumnDecl, Expr, ExprKind, File, Ident, Item, Modifier, TimeClause};

/// The thing under the cursor.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// A bare name: a KPI, measure, table or category (or a unit, a direction, ...).
    Name(&'a Ident),
    /// `table.column` or `table.relation.column`: the column, reached from `table`
    /// through the relations `hops`.
    Column {
        table: &'a Ident,
        hops: &'a [Ident],
        column: &'a Ident,
    },
    /// The name of a function or aggregate in a call.
    Call(&'a Ident),
    /// An item's own name (`kpi NAME {`).
    ItemName(&'a Ident),
    /// A field's name inside an item.
    Field { keyword: &'a str, field: &'a Ident },
    /// A column declared in a table.
    ColumnDecl {
        table: &'a Ident,
        column: &'a ColumnDecl,
    },
}

impl Target<'_> {
    /// The span of the word under the cursor.
    pub fn span(&self) -> Span {
        match self {
            Target::Name(i) | Target::Call(i) => i.span,
            Target::Column { column, .. } => column.span,
            Target::ItemName(name) => name.span,
            Target::Field { field, .. } => field.span,
            Target::ColumnDecl { column, .. } => column.name.span,
        }
    }
}

fn on(span: Span, offset: usize) -> bool {
    span.start as usize <= offset && offset <= span.end as usize
}

/// What `offset` is on in `file`, if anything named.
pub fn at(file: &File, offset: usize) -> Option<Target<'_>> {
    let item = file.items.iter().find(|i| on(i.span(), offset))?;
    match item {
        Item::Table(t) => {
            if on(t.name.span, offset) {
                return Some(Target::ItemName(&t.name));
            }
            for c in &t.columns {
                if on(c.name.span, offset) {
                    return Some(Target::ColumnDecl {
                        table: &t.name,
                        column: c,
                    });
                }
                for m in &c.modifiers {
                    if let Modifier::Relation { target, .. } = m
                        && on(target.span, offset)
                    {
                        return Some(Target::Name(target));
                    }
                }
            }
            t.relations
                .iter()
                .map(|r| &r.target)
                .find(|target| on(target.span, offset))
                .map(Target::Name)
        }
        Item::Block(b) => {
            let keyword = b.kind.name.as_str();
            if on(b.name.span, offset) {
                return Some(Target::ItemName(&b.name));
            }
            for field in &b.fields {
                if on(field.name.span, offset) {
                    return Some(Target::Field {
                        keyword,
                        field: &field.name,
                    });
                }
                if !on(field.value.span(), offset) {
                    continue;
                }
                let exprs: Vec<&Expr> = match &field.value {
                    crate::syntax::ast::Value::Expr(e) => vec![e],
                    crate::syntax::ast::Value::List { items, .. } => items.iter().collect(),
                    // A map's entries name nothing hover or completion knows.
                    crate::syntax::ast::Value::Map { .. } => Vec::new(),
                };
                return exprs.into_iter().find_map(|e| in_expr(e, offset));
            }
            None
        }
    }
}

/// The name under `offset` in a formula (walked with a stack, never recursion).
fn in_expr(root: &Expr, offset: usize) -> Option<Target<'_>> {
    let mut stack = vec![root];
    while let Some(e) = stack.pop() {
        if !on(e.span, offset) {
            continue;
        }
        match &e.kind {
            ExprKind::Path { head, member, hops } => {
                if on(head.span, offset) {
                    return Some(Target::Name(head));
                }
                for (i, hop) in hops.iter().enumerate() {
                    if on(hop.span, offset) {
                        return Some(Target::Column {
                            table: head,
                            hops: &hops[..i],
                            column: hop,
                        });
                    }
                }
                if let Some(m) = member
                    && on(m.span, offset)
                {
                    return Some(Target::Column {
                        table: head,
                        hops,
                        column: m,
                    });
                }
            }
            ExprKind::Call {
                name, time, per, ..
            } => {
                if on(name.span, offset) {
                    return Some(Target::Call(name));
                }
                if let Some(TimeClause::Dated { table, column, .. }) = time.as_deref() {
                    if on(table.span, offset) {
                        return Some(Target::Name(table));
                    }
                    if on(column.span, offset) {
                        return Some(Target::Column {
                            table,
                            hops: &[],
                            column,
                        });
                    }
                }
                if let Some(per) = per.as_deref() {
                    if on(per.table.span, offset) {
                        return Some(Target::Name(&per.table));
                    }
                    if let Some(column) = &per.column
                        && on(column.span, offset)
                    {
                        return Some(Target::Column {
                            table: &per.table,
                            hops: &[],
                            column,
                        });
                    }
                }
            }
            _ => {}
        }
        stack.extend(e.children());
    }
    None
}
