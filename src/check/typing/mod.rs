//! Typing one formula: the entry point, the checker's state and the walk over
//! expression forms; names, operators, calls, aggregates and the K0301 report each
//! have a file of their own. Produces a [`TExpr`] and diagnostics.

mod aggregates;
mod calls;
mod conversions;
mod grain;
mod grain_rows;
mod names;
mod operators;
mod outside;
mod relations;

pub(super) use aggregates::counted_table;

use crate::diagnostic::{Code, Diagnostic};
use crate::ir::*;
use crate::source::{SourceMap, Span};
use crate::syntax::ast::{Expr, ExprKind};
use indexmap::IndexMap;
use std::collections::{BTreeSet, HashSet};

/// What is known of a measure or KPI already checked.
#[derive(Debug, Clone)]
pub struct ValueInfo {
    pub ty: Type,
    /// Where it is defined (for secondary labels).
    pub span: Span,
    /// Tables its aggregates read, directly or through what it refers to.
    pub tables: BTreeSet<String>,
    /// Whether it aggregates over members (`per`), directly or through what it
    /// refers to: then it may not be used inside another `per`.
    pub per: bool,
}

/// Everything a formula may refer to.
pub struct Env<'a> {
    pub tables: &'a IndexMap<String, TableDef>,
    /// Checked measures and KPIs. A declared name missing here had an error.
    pub values: &'a super::Map<String, ValueInfo>,
    /// Every declared measure and KPI id.
    pub declared: &'a super::Set<String>,
    /// The sources, to quote a formula's own text in a suggestion.
    pub sources: &'a SourceMap,
}

/// The result of typing one formula.
pub struct Typed {
    pub expr: TExpr,
    /// Tables read by aggregates (transitively).
    pub tables: BTreeSet<String>,
    /// Measures and KPIs referred to directly.
    pub refs: Vec<String>,
    /// Whether it aggregates over members, directly or through a reference.
    pub per: bool,
}

/// Types `expr` as a formula (aggregate level).
pub fn type_formula(env: &Env, expr: &Expr, diags: &mut Vec<Diagnostic>) -> Typed {
    let mut c = Checker {
        env,
        diags,
        row: None,
        tables: BTreeSet::new(),
        refs: Vec::new(),
        outside: Vec::new(),
        grain: None,
        per: false,
    };
    let (typed, _) = c.expr(expr);
    // Columns used outside an aggregate are reported once the whole formula is seen,
    // one diagnostic per row-level sub-expression rather than one per column.
    let outside = std::mem::take(&mut c.outside);
    if !outside.is_empty() {
        c.report_outside(expr, &outside);
    }
    let per = c.per
        || c.refs
            .iter()
            .any(|r| env.values.get(r).is_some_and(|v| v.per));
    Typed {
        expr: typed,
        tables: c.tables,
        refs: c.refs,
        per,
    }
}

/// The per-row context inside an aggregate.
struct Row<'a> {
    table: &'a TableDef,
    /// Paths the aggregate's filter proves present (`x is not missing`), as written
    /// (`orders.discount`, `opportunities.lead.score`).
    guarded: HashSet<String>,
}

/// Facts about a typed expression that its parent needs.
#[derive(Debug, Clone, Copy, Default)]
struct Facts {
    /// A bare number literal: takes the unit of the other operand.
    flexible: bool,
    /// An optional column not yet guarded.
    optional: bool,
}

/// A column read outside any aggregate (K0301), reported after the walk.
struct OutsideColumn {
    span: Span,
    table: String,
    column: String,
}

struct Checker<'e, 'd> {
    env: &'e Env<'e>,
    diags: &'d mut Vec<Diagnostic>,
    row: Option<Row<'e>>,
    tables: BTreeSet<String>,
    refs: Vec<String>,
    outside: Vec<OutsideColumn>,
    /// Inside `per`: whose members the formula is evaluated for.
    grain: Option<Members>,
    /// An aggregate over members was typed.
    per: bool,
}

fn texpr(kind: TExprKind, ty: Type, span: Span) -> TExpr {
    TExpr { kind, ty, span }
}

fn invalid(span: Span) -> (TExpr, Facts) {
    (
        texpr(TExprKind::Invalid, Type::Error, span),
        Facts::default(),
    )
}

impl<'e, 'd> Checker<'e, 'd> {
    fn expr(&mut self, e: &Expr) -> (TExpr, Facts) {
        match &e.kind {
            ExprKind::Number { value, .. } => (
                texpr(TExprKind::Number(*value), Type::Number(Dim::Plain), e.span),
                Facts {
                    flexible: true,
                    optional: false,
                },
            ),
            ExprKind::Text(t) => (
                texpr(TExprKind::Text(t.clone()), Type::Text, e.span),
                Facts::default(),
            ),
            ExprKind::Date(d) => (
                texpr(TExprKind::Date(*d), Type::Date, e.span),
                Facts::default(),
            ),
            ExprKind::Bool(b) => (
                texpr(TExprKind::Bool(*b), Type::Bool, e.span),
                Facts::default(),
            ),
            ExprKind::Error => invalid(e.span),
            // Typed a bare number until the value beside it gives it a type
            // (`conversions::adopt`); as a number it takes the other operand's unit.
            ExprKind::Missing => (
                texpr(TExprKind::Missing, Type::Number(Dim::Plain), e.span),
                Facts {
                    flexible: true,
                    optional: false,
                },
            ),
            ExprKind::Path { head, member, hops } => self.path(head, member.as_ref(), hops, e.span),

            ExprKind::Unary { op, operand } => self.unary(*op, operand, e.span),
            ExprKind::Binary {
                op,
                op_span,
                left,
                right,
            } if op.is_comparison()
                && (left.kind == ExprKind::Missing || right.kind == ExprKind::Missing) =>
            {
                self.compared_with_missing(*op, *op_span, left, right)
            }
            ExprKind::Binary {
                op,
                op_span,
                left,
                right,
            } => self.binary(*op, *op_span, left, right, e.span),
            ExprKind::IsMissing { operand, negated } => {
                let (inner, _) = self.expr(operand);
                (
                    texpr(
                        TExprKind::IsMissing {
                            operand: Box::new(inner),
                            negated: *negated,
                        },
                        Type::Bool,
                        e.span,
                    ),
                    Facts::default(),
                )
            }
            ExprKind::If {
                condition,
                then,
                otherwise,
            } => {
                let cond = self.condition(condition, "the condition of `if`");
                let (mut a, fa) = self.expr(then);
                let (mut b, fb) = self.expr(otherwise);
                conversions::adopt(&mut a, &b);
                conversions::adopt(&mut b, &a);
                let ty = self.unify(&a, fa, &b, fb, "both branches of `if`", e.span);
                let facts = Facts {
                    flexible: fa.flexible && fb.flexible,
                    optional: fa.optional || fb.optional,
                };
                (
                    texpr(
                        TExprKind::If {
                            condition: Box::new(cond),
                            then: Box::new(a),
                            otherwise: Box::new(b),
                        },
                        ty,
                        e.span,
                    ),
                    facts,
                )
            }
            ExprKind::Call {
                name,
                args,
                filter,
                time,
                per: None,
            } => self.call(name, args, filter.as_deref(), time.as_deref(), e.span),
            ExprKind::Call {
                name,
                args,
                filter,
                time,
                per: Some(per),
            } => self.grain(name, args, per, filter.as_deref(), time.as_deref(), e.span),
        }
    }

    /// A bool-typed sub-expression.
    fn condition(&mut self, e: &Expr, what: &str) -> TExpr {
        let (t, _) = self.expr(e);
        if !matches!(t.ty, Type::Bool | Type::Error) {
            self.diags.push(
                Diagnostic::error(
                    Code::TypeMismatch,
                    e.span,
                    format!("{what} must be true or false"),
                )
                .label(format!("this is {}", t.ty.describe()))
                .help("compare it with something, e.g. `x > 0` or `x == \"won\"`"),
            );
        }
        t
    }
}
