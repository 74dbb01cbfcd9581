//! Whether two syntax trees mean the same: equal but for their spans, the fields of a
//! block compared in canonical order. How `kpic fmt` knows it changed only the layout.

use super::layout::field_rank;
use crate::syntax::ast::{Block, Expr, ExprKind, Field, Item, Modifier, TimeClause, Value};

/// Whether `a` and `b` are the same item written differently.
pub fn same_item(a: &Item, b: &Item) -> bool {
    match (a, b) {
        (Item::Table(x), Item::Table(y)) => {
            x.name.name == y.name.name
                && x.columns.len() == y.columns.len()
                && x.columns.iter().zip(&y.columns).all(|(c, d)| {
                    c.name.name == d.name.name
                        && c.ty.name == d.ty.name
                        && c.modifiers.len() == d.modifiers.len()
                        && c.modifiers
                            .iter()
                            .zip(&d.modifiers)
                            .all(|m| same_modifier(m.0, m.1))
                })
                && x.relations.len() == y.relations.len()
                && x.relations.iter().zip(&y.relations).all(|(r, q)| {
                    let names = |v: &[crate::syntax::ast::Ident]| {
                        v.iter().map(|i| i.name.clone()).collect::<Vec<_>>()
                    };
                    r.name.name == q.name.name
                        && names(&r.columns) == names(&q.columns)
                        && r.target.name == q.target.name
                        && r.target_columns.as_deref().map(names)
                            == q.target_columns.as_deref().map(names)
                })
        }
        (Item::Block(x), Item::Block(y)) => same_block(x, y),
        _ => false,
    }
}

fn same_modifier(a: &Modifier, b: &Modifier) -> bool {
    match (a, b) {
        (Modifier::Flag(x), Modifier::Flag(y)) => x.name == y.name,
        (Modifier::Relation { target: x, .. }, Modifier::Relation { target: y, .. }) => {
            x.name == y.name
        }
        (Modifier::Unit { unit: x, .. }, Modifier::Unit { unit: y, .. }) => x.name == y.name,
        _ => false,
    }
}

/// A block's fields in canonical order.
fn sorted(blk: &Block) -> Vec<&Field> {
    let mut fields: Vec<&Field> = blk.fields.iter().collect();
    fields.sort_by_key(|f| field_rank(&blk.kind.name, &f.name.name));
    fields
}

fn same_block(a: &Block, b: &Block) -> bool {
    a.kind.name == b.kind.name
        && a.name.name == b.name.name
        && a.fields.len() == b.fields.len()
        && sorted(a)
            .into_iter()
            .zip(sorted(b))
            .all(|(f, g)| f.name.name == g.name.name && same_value(&f.value, &g.value))
}

fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Expr(x), Value::Expr(y)) => same_expr(x, y),
        (Value::List { items: x, .. }, Value::List { items: y, .. }) => {
            x.len() == y.len() && x.iter().zip(y).all(|(e, f)| same_expr(e, f))
        }
        (
            Value::Map {
                by: p, entries: x, ..
            },
            Value::Map {
                by: q, entries: y, ..
            },
        ) => {
            let same_opt = |a: Option<&Expr>, b: Option<&Expr>| match (a, b) {
                (Some(a), Some(b)) => same_expr(a, b),
                (None, None) => true,
                _ => false,
            };
            same_opt(p.as_ref(), q.as_ref())
                && x.len() == y.len()
                && x.iter().zip(y).all(|(e, f)| {
                    same_expr(&e.key, &f.key) && same_opt(e.value.as_ref(), f.value.as_ref())
                })
        }
        _ => false,
    }
}

/// Walked with a stack of pairs still to compare: formulas nest deep.
fn same_expr(a: &Expr, b: &Expr) -> bool {
    let mut todo = vec![(a, b)];
    while let Some((a, b)) = todo.pop() {
        let same = match (&a.kind, &b.kind) {
            (
                ExprKind::Number {
                    text: t,
                    value: v,
                    percent: p,
                },
                ExprKind::Number {
                    text: u,
                    value: w,
                    percent: q,
                },
            ) => t == u && v.to_bits() == w.to_bits() && p == q,
            (ExprKind::Text(x), ExprKind::Text(y)) => x == y,
            (ExprKind::Date(x), ExprKind::Date(y)) => x == y,
            (ExprKind::Bool(x), ExprKind::Bool(y)) => x == y,
            (ExprKind::Missing, ExprKind::Missing) | (ExprKind::Error, ExprKind::Error) => true,
            (
                ExprKind::Path {
                    head: h,
                    member: m,
                    hops: s,
                },
                ExprKind::Path {
                    head: i,
                    member: n,
                    hops: t,
                },
            ) => {
                h.name == i.name
                    && m.as_ref().map(|x| &x.name) == n.as_ref().map(|x| &x.name)
                    && s.len() == t.len()
                    && s.iter().zip(t).all(|(x, y)| x.name == y.name)
            }
            (ExprKind::Unary { op: o, operand: x }, ExprKind::Unary { op: p, operand: y }) => {
                todo.push((x, y));
                o == p
            }
            (
                ExprKind::Binary {
                    op: o,
                    left: l,
                    right: r,
                    ..
                },
                ExprKind::Binary {
                    op: p,
                    left: m,
                    right: s,
                    ..
                },
            ) => {
                todo.push((l, m));
                todo.push((r, s));
                o == p
            }
            (
                ExprKind::IsMissing {
                    operand: x,
                    negated: n,
                },
                ExprKind::IsMissing {
                    operand: y,
                    negated: m,
                },
            ) => {
                todo.push((x, y));
                n == m
            }
            (
                ExprKind::If {
                    condition: c,
                    then: t,
                    otherwise: o,
                },
                ExprKind::If {
                    condition: d,
                    then: u,
                    otherwise: p,
                },
            ) => {
                todo.extend([(&**c, &**d), (&**t, &**u), (&**o, &**p)]);
                true
            }
            (
                ExprKind::Call {
                    name: n,
                    args: a,
                    filter: f,
                    time: t,
                    per: p,
                },
                ExprKind::Call {
                    name: m,
                    args: b,
                    filter: g,
                    time: u,
                    per: q,
                },
            ) => {
                let same_time = match (t.as_deref(), u.as_deref()) {
                    (None, None) => true,
                    (Some(TimeClause::AllTime(_)), Some(TimeClause::AllTime(_))) => true,
                    (
                        Some(TimeClause::Dated {
                            table: x,
                            column: y,
                            ..
                        }),
                        Some(TimeClause::Dated {
                            table: v,
                            column: w,
                            ..
                        }),
                    ) => x.name == v.name && y.name == w.name,
                    _ => false,
                };
                let same_per = match (p.as_deref(), q.as_deref()) {
                    (None, None) => true,
                    (Some(x), Some(y)) => {
                        x.table.name == y.table.name
                            && x.column.as_ref().map(|c| &c.name)
                                == y.column.as_ref().map(|c| &c.name)
                    }
                    _ => false,
                };
                match (f, g) {
                    (Some(x), Some(y)) => todo.push((x, y)),
                    (None, None) => {}
                    _ => return false,
                }
                todo.extend(a.iter().zip(b));
                n.name == m.name && a.len() == b.len() && same_time && same_per
            }
            _ => false,
        };
        if !same {
            return false;
        }
    }
    true
}
