//! Typing one formula: name resolution, types, the unit algebra, aggregation levels and
//! optional-column guards. Produces a [`TExpr`] and diagnostics.

use super::units;
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::ir::*;
use crate::source::Span;
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, Ident, TimeClause, UnaryOp};
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
}

/// Everything a formula may refer to.
pub struct Env<'a> {
    pub tables: &'a IndexMap<String, TableDef>,
    /// Checked measures and KPIs. A declared name missing here had an error.
    pub values: &'a super::Map<String, ValueInfo>,
    /// Every declared measure and KPI id.
    pub declared: &'a super::Set<String>,
}

/// The result of typing one formula.
pub struct Typed {
    pub expr: TExpr,
    /// Tables read by aggregates (transitively).
    pub tables: BTreeSet<String>,
    /// Measures and KPIs referred to directly.
    pub refs: Vec<String>,
}

/// Types `expr` as a formula (aggregate level).
pub fn type_formula(env: &Env, expr: &Expr, diags: &mut Vec<Diagnostic>) -> Typed {
    let mut c = Checker {
        env,
        diags,
        row: None,
        tables: BTreeSet::new(),
        refs: Vec::new(),
    };
    let (expr, _) = c.expr(expr);
    Typed {
        expr,
        tables: c.tables,
        refs: c.refs,
    }
}

/// The per-row context inside an aggregate.
struct Row<'a> {
    table: &'a TableDef,
    /// Optional columns the aggregate's filter proves present (`x is not missing`).
    guarded: HashSet<(String, String)>,
}

/// Facts about a typed expression that its parent needs.
#[derive(Debug, Clone, Copy, Default)]
struct Facts {
    /// A bare number literal: takes the unit of the other operand.
    flexible: bool,
    /// An optional column not yet guarded.
    optional: bool,
}

struct Checker<'e, 'd> {
    env: &'e Env<'e>,
    diags: &'d mut Vec<Diagnostic>,
    row: Option<Row<'e>>,
    tables: BTreeSet<String>,
    refs: Vec<String>,
}

const AGGREGATES: &[&str] = &[
    "count",
    "count_distinct",
    "sum",
    "avg",
    "min",
    "max",
    "median",
    "percentile",
];
const FUNCTIONS: &[&str] = &[
    "coalesce",
    "abs",
    "round",
    "least",
    "greatest",
    "days_between",
    "hours_between",
    "previous",
];

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
            ExprKind::Path { head, member } => self.path(head, member.as_ref(), e.span),
            ExprKind::Unary { op, operand } => self.unary(*op, operand, e.span),
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
                let (a, fa) = self.expr(then);
                let (b, fb) = self.expr(otherwise);
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
            } => self.call(name, args, filter.as_deref(), time.as_deref(), e.span),
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

    fn path(&mut self, head: &Ident, member: Option<&Ident>, span: Span) -> (TExpr, Facts) {
        let Some(member) = member else {
            return self.name_ref(head, span);
        };
        if head.name == "period" {
            let field = match member.name.as_str() {
                "start" => (PeriodField::Start, Type::Date),
                "end" => (PeriodField::End, Type::Date),
                "days" => (PeriodField::Days, Type::Number(Dim::Days)),
                other => {
                    let hint = did_you_mean(other, ["start", "end", "days"]).unwrap_or_else(|| {
                        "use `period.start`, `period.end` or `period.days`".into()
                    });
                    self.diags.push(
                        Diagnostic::error(
                            Code::UnknownName,
                            member.span,
                            format!("the period has no field `{other}`"),
                        )
                        .label("unknown period field")
                        .help(hint),
                    );
                    return invalid(span);
                }
            };
            return (
                texpr(TExprKind::Period(field.0), field.1, span),
                Facts::default(),
            );
        }
        let Some(table) = self.env.tables.get(&head.name) else {
            self.unknown_table(head);
            return invalid(span);
        };
        let Some(column) = table.columns.get(&member.name) else {
            let hint = did_you_mean(&member.name, table.columns.keys().map(String::as_str))
                .unwrap_or_else(|| {
                    format!(
                        "columns of `{}`: {}",
                        table.name,
                        table.columns.keys().cloned().collect::<Vec<_>>().join(", ")
                    )
                });
            self.diags.push(
                Diagnostic::error(
                    Code::UnknownName,
                    member.span,
                    format!("table `{}` has no column `{}`", table.name, member.name),
                )
                .label("unknown column")
                .with(table.span, format!("`{}` is declared here", table.name))
                .help(hint),
            );
            return invalid(span);
        };
        let Some(row) = &self.row else {
            self.diags.push(
                Diagnostic::error(
                    Code::ColumnOutsideAggregate,
                    span,
                    format!("column `{}.{}` is used outside an aggregate", head.name, member.name),
                )
                .label("one value per row, but a formula needs one value")
                .help(format!(
                    "wrap it in an aggregate, e.g. `sum({0}.{1})`, `avg({0}.{1})` or `max({0}.{1})`",
                    head.name, member.name
                )),
            );
            return invalid(span);
        };
        let via = if table.name == row.table.name {
            None
        } else if table.name == "accounts" && row.table.account_column.is_some() {
            row.table.account_column.clone()
        } else {
            let help = if table.name == "accounts" {
                format!(
                    "`{}` has no `-> accounts` column; add one to reach account columns",
                    row.table.name
                )
            } else {
                format!(
                    "an aggregate over `{}` can read its own columns and those of `accounts`; aggregate `{}` separately",
                    row.table.name, table.name
                )
            };
            self.diags.push(
                Diagnostic::error(
                    Code::MixedTables,
                    span,
                    format!(
                        "aggregate over `{}` reads a column of `{}`",
                        row.table.name, table.name
                    ),
                )
                .label(format!("column of `{}`", table.name))
                .help(help),
            );
            return invalid(span);
        };
        let guarded = row
            .guarded
            .contains(&(table.name.clone(), column.name.clone()));
        (
            texpr(
                TExprKind::Column {
                    table: table.name.clone(),
                    column: column.name.clone(),
                    via,
                },
                column.value_type,
                span,
            ),
            Facts {
                flexible: false,
                optional: column.optional && !guarded,
            },
        )
    }

    fn unknown_table(&mut self, head: &Ident) {
        let hint = did_you_mean(
            &head.name,
            self.env.tables.keys().map(String::as_str).chain(["period"]),
        )
        .unwrap_or_else(|| "columns are written `table.column`".into());
        self.diags.push(
            Diagnostic::error(
                Code::UnknownName,
                head.span,
                format!("no table named `{}`", head.name),
            )
            .label("unknown table")
            .help(hint),
        );
    }

    /// A bare name: a measure or KPI.
    fn name_ref(&mut self, name: &Ident, span: Span) -> (TExpr, Facts) {
        if let Some(row) = &self.row
            && row.table.columns.contains_key(&name.name)
            && !self.env.declared.contains(&name.name)
        {
            self.diags.push(
                Diagnostic::error(
                    Code::UnknownName,
                    name.span,
                    format!("`{}` needs its table", name.name),
                )
                .label("a column name without its table")
                .help(format!("write `{}.{}`", row.table.name, name.name)),
            );
            return invalid(span);
        }
        if let Some(info) = self.env.values.get(&name.name) {
            if self.row.is_some() {
                self.diags.push(
                    Diagnostic::error(
                        Code::NestedAggregate,
                        name.span,
                        format!(
                            "`{}` is a whole-scope value, used inside an aggregate",
                            name.name
                        ),
                    )
                    .label("one value for the scope, not per row")
                    .with(info.span, "defined here")
                    .help(match &self.row {
                        Some(row) if row.table.columns.contains_key(&name.name) => {
                            format!("for the column of each row, write `{}.{}`", row.table.name, name.name)
                        }
                        _ => "combine it with the aggregate outside, e.g. `sum(orders.revenue) / revenue`".to_string(),
                    }),
                );
                return invalid(span);
            }
            self.refs.push(name.name.clone());
            self.tables.extend(info.tables.iter().cloned());
            return (
                texpr(TExprKind::Ref(name.name.clone()), info.ty, span),
                Facts::default(),
            );
        }
        if self.env.declared.contains(&name.name) {
            // Declared but failed to check (or in a cycle): already reported.
            self.refs.push(name.name.clone());
            return invalid(span);
        }
        let mut d = Diagnostic::error(
            Code::UnknownName,
            name.span,
            format!("unknown name `{}`", name.name),
        )
        .label("not a KPI or measure");
        if self.env.tables.contains_key(&name.name) {
            d = d.help(format!(
                "`{0}` is a table; aggregate it, e.g. `count({0})`",
                name.name
            ));
        } else if let Some(hint) = did_you_mean(
            &name.name,
            self.env
                .declared
                .iter()
                .map(String::as_str)
                .chain(["true", "false"]),
        ) {
            d = d.help(hint);
        } else {
            d = d.help("declare it as a `measure` or `kpi`, or write a column as `table.column`");
        }
        self.diags.push(d);
        invalid(span)
    }

    fn unary(&mut self, op: UnaryOp, operand: &Expr, span: Span) -> (TExpr, Facts) {
        match op {
            UnaryOp::Not => {
                let t = self.condition(operand, "the operand of `not`");
                (
                    texpr(TExprKind::Not(Box::new(t)), Type::Bool, span),
                    Facts::default(),
                )
            }
            UnaryOp::Neg => {
                let (t, f) = self.expr(operand);
                self.guard(&t, f, "negation");
                let ty = match t.ty {
                    Type::Number(_) | Type::Error => t.ty,
                    other => {
                        self.diags.push(
                            Diagnostic::error(
                                Code::TypeMismatch,
                                operand.span,
                                "only numbers can be negated",
                            )
                            .label(format!("this is {}", other.describe())),
                        );
                        Type::Error
                    }
                };
                (
                    texpr(TExprKind::Neg(Box::new(t)), ty, span),
                    Facts {
                        flexible: f.flexible,
                        optional: false,
                    },
                )
            }
        }
    }

    /// K0304: an optional column feeding arithmetic or a function.
    fn guard(&mut self, t: &TExpr, f: Facts, what: &str) {
        if !f.optional {
            return;
        }
        let (table, column) = match &t.kind {
            TExprKind::Column { table, column, .. } => (table.clone(), column.clone()),
            _ => ("table".into(), "column".into()),
        };
        self.diags.push(
            Diagnostic::error(
                Code::UnguardedOptional,
                t.span,
                format!("optional column `{table}.{column}` is used in {what}"),
            )
            .label("may be empty")
            .help(format!(
                "add `where {table}.{column} is not missing` to the aggregate, or write `coalesce({table}.{column}, DEFAULT)`"
            )),
        );
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        op_span: Span,
        l: &Expr,
        r: &Expr,
        span: Span,
    ) -> (TExpr, Facts) {
        if matches!(op, BinaryOp::And | BinaryOp::Or) {
            let what = format!("each side of `{}`", op.symbol());
            let a = self.condition(l, &what);
            let b = self.condition(r, &what);
            return (
                texpr(
                    TExprKind::Binary {
                        op,
                        left: Box::new(a),
                        right: Box::new(b),
                    },
                    Type::Bool,
                    span,
                ),
                Facts::default(),
            );
        }
        let (a, fa) = self.expr(l);
        let (b, fb) = self.expr(r);
        let arithmetic = !op.is_comparison();
        if arithmetic {
            self.guard(&a, fa, &format!("`{}`", op.symbol()));
            self.guard(&b, fb, &format!("`{}`", op.symbol()));
        }
        let ty = if op.is_comparison() {
            self.compare(op, op_span, &a, fa, &b, fb)
        } else {
            self.arith(op, op_span, &a, fa, &b, fb)
        };
        let facts = Facts {
            flexible: arithmetic && fa.flexible && fb.flexible,
            optional: false,
        };
        (
            texpr(
                TExprKind::Binary {
                    op,
                    left: Box::new(a),
                    right: Box::new(b),
                },
                ty,
                span,
            ),
            facts,
        )
    }

    fn mismatch(
        &mut self,
        code: Code,
        op_span: Span,
        a: &TExpr,
        b: &TExpr,
        message: String,
        help: &str,
    ) {
        self.diags.push(
            Diagnostic::error(code, op_span, message)
                .label("these cannot be combined")
                .with(a.span, format!("this is {}", a.ty.describe()))
                .with(b.span, format!("this is {}", b.ty.describe()))
                .help(help.to_string()),
        );
    }

    fn compare(
        &mut self,
        op: BinaryOp,
        op_span: Span,
        a: &TExpr,
        fa: Facts,
        b: &TExpr,
        fb: Facts,
    ) -> Type {
        let ok = match (a.ty, b.ty) {
            (Type::Error, _) | (_, Type::Error) => true,
            (Type::Number(x), Type::Number(y)) => {
                units::same(x, fa.flexible, y, fb.flexible).is_some()
            }
            (Type::Bool, Type::Bool) | (Type::Text, Type::Text) => {
                matches!(op, BinaryOp::Eq | BinaryOp::Ne) || a.ty == Type::Text
            }
            (x, y) => x == y,
        };
        if !ok {
            let code = match (a.ty, b.ty) {
                (Type::Number(_), Type::Number(_)) => Code::UnitMismatch,
                _ => Code::TypeMismatch,
            };
            let message = format!(
                "cannot compare {} with {}",
                a.ty.describe(),
                b.ty.describe()
            );
            self.mismatch(
                code,
                op_span,
                a,
                b,
                message,
                "compare values of the same kind and unit",
            );
        }
        Type::Bool
    }

    fn arith(
        &mut self,
        op: BinaryOp,
        op_span: Span,
        a: &TExpr,
        fa: Facts,
        b: &TExpr,
        fb: Facts,
    ) -> Type {
        use Type::*;
        let sym = op.symbol();
        let result = match (op, a.ty, b.ty) {
            (_, Error, _) | (_, _, Error) => return Error,
            (BinaryOp::Add | BinaryOp::Sub, Number(x), Number(y)) => {
                match units::same(x, fa.flexible, y, fb.flexible) {
                    Some(d) => Ok(Number(d)),
                    None => Err(Code::UnitMismatch),
                }
            }
            (BinaryOp::Sub, Date, Date) => Ok(Number(Dim::Days)),
            (BinaryOp::Sub, DateTime, DateTime) => Ok(Number(Dim::Hours)),
            (BinaryOp::Add | BinaryOp::Sub, Date, Number(d)) if d == Dim::Days || fb.flexible => {
                Ok(Date)
            }
            (BinaryOp::Add, Number(d), Date) if d == Dim::Days || fa.flexible => Ok(Date),
            (BinaryOp::Mul, Number(x), Number(y)) => {
                units::product(x, y).map(Number).ok_or(Code::UnitProduct)
            }
            // A bare literal over a unit takes that unit: `365 / period.days` is days
            // over days, a plain number (an annualising factor).
            (BinaryOp::Div, Number(_), Number(y)) if fa.flexible => {
                let _ = y;
                Ok(Number(Dim::Plain))
            }
            (BinaryOp::Div, Number(x), Number(y)) => {
                units::quotient(x, y).map(Number).ok_or(Code::UnitProduct)
            }
            _ => Err(Code::TypeMismatch),
        };
        match result {
            Ok(t) => t,
            Err(code) => {
                let (message, help) = match code {
                    Code::UnitMismatch => (
                        format!(
                            "cannot {} {} and {}",
                            if op == BinaryOp::Add {
                                "add"
                            } else {
                                "subtract"
                            },
                            a.ty.describe(),
                            b.ty.describe()
                        ),
                        "both sides of `+` and `-` need the same unit",
                    ),
                    Code::UnitProduct => (
                        format!(
                            "{} {sym} {} has no unit kpic knows",
                            a.ty.describe(),
                            b.ty.describe()
                        ),
                        "scale by a plain number or a count, or divide like by like (money / money is a ratio)",
                    ),
                    _ => (
                        format!(
                            "`{sym}` cannot combine {} and {}",
                            a.ty.describe(),
                            b.ty.describe()
                        ),
                        "arithmetic works on numbers; dates allow date - date and date + days",
                    ),
                };
                self.mismatch(code, op_span, a, b, message, help);
                Error
            }
        }
    }

    /// The common type of two values that must agree (if branches, coalesce, ...).
    fn unify(
        &mut self,
        a: &TExpr,
        fa: Facts,
        b: &TExpr,
        fb: Facts,
        what: &str,
        span: Span,
    ) -> Type {
        match (a.ty, b.ty) {
            (Type::Error, _) | (_, Type::Error) => Type::Error,
            (Type::Number(x), Type::Number(y)) => match units::same(x, fa.flexible, y, fb.flexible)
            {
                Some(d) => Type::Number(d),
                None => {
                    self.mismatch(
                        Code::UnitMismatch,
                        span,
                        a,
                        b,
                        format!(
                            "{what} must have one unit, not {} and {}",
                            a.ty.describe(),
                            b.ty.describe()
                        ),
                        "give both the same unit",
                    );
                    Type::Error
                }
            },
            (x, y) if x == y => x,
            _ => {
                self.mismatch(
                    Code::TypeMismatch,
                    span,
                    a,
                    b,
                    format!(
                        "{what} must have one type, not {} and {}",
                        a.ty.describe(),
                        b.ty.describe()
                    ),
                    "give both the same type",
                );
                Type::Error
            }
        }
    }

    fn call(
        &mut self,
        name: &Ident,
        args: &[Expr],
        filter: Option<&Expr>,
        time: Option<&TimeClause>,
        span: Span,
    ) -> (TExpr, Facts) {
        if AGGREGATES.contains(&name.name.as_str()) {
            return self.aggregate(name, args, filter, time, span);
        }
        if let Some(f) = filter {
            self.clause_on_function(name, f.span, "where");
        }
        if let Some(t) = time {
            let s = match t {
                TimeClause::Dated { span, .. } | TimeClause::AllTime(span) => *span,
            };
            self.clause_on_function(name, s, "a period clause");
        }
        let arity = |this: &mut Self, min: usize, max: usize| -> bool {
            if args.len() < min || args.len() > max {
                let expected = if min == max {
                    format!("{min}")
                } else if max == usize::MAX {
                    format!("at least {min}")
                } else {
                    format!("{min} to {max}")
                };
                this.diags.push(
                    Diagnostic::error(
                        Code::Arity,
                        name.span,
                        format!(
                            "`{}` takes {expected} argument{}, not {}",
                            name.name,
                            if expected == "1" { "" } else { "s" },
                            args.len()
                        ),
                    )
                    .label("wrong number of arguments")
                    .help("see LANGUAGE.md, Functions"),
                );
                return false;
            }
            true
        };
        match name.name.as_str() {
            "previous" => {
                if !arity(self, 1, 1) {
                    return invalid(span);
                }
                if self.row.is_some() {
                    self.diags.push(
                        Diagnostic::error(Code::InvalidTimeClause, name.span, "`previous` inside an aggregate")
                            .label("rows have no previous period")
                            .help("apply `previous` to the whole aggregate: `previous(sum(orders.revenue))`"),
                    );
                    return invalid(span);
                }
                let (inner, f) = self.expr(&args[0]);
                let ty = inner.ty;
                (texpr(TExprKind::Previous(Box::new(inner)), ty, span), f)
            }
            "coalesce" | "least" | "greatest" => {
                if !arity(self, 2, usize::MAX) {
                    return invalid(span);
                }
                let typed: Vec<(TExpr, Facts)> = args.iter().map(|a| self.expr(a)).collect();
                let (first, mut facts) = typed[0].clone();
                let mut ty = first.ty;
                let mut acc = first;
                for (t, f) in &typed[1..] {
                    if name.name != "coalesce" {
                        self.guard(t, *f, &format!("`{}`", name.name));
                    }
                    let what = format!("the arguments of `{}`", name.name);
                    ty = self.unify(&acc, facts, t, *f, &what, t.span);
                    facts = Facts {
                        flexible: facts.flexible && f.flexible,
                        optional: if name.name == "coalesce" {
                            facts.optional && f.optional
                        } else {
                            false
                        },
                    };
                    acc = TExpr { ty, ..t.clone() };
                }
                if name.name != "coalesce" {
                    self.guard(&typed[0].0, typed[0].1, &format!("`{}`", name.name));
                }
                if !matches!(ty, Type::Number(_) | Type::Date | Type::Error)
                    && name.name != "coalesce"
                {
                    self.diags.push(
                        Diagnostic::error(
                            Code::TypeMismatch,
                            span,
                            format!("`{}` compares numbers or dates", name.name),
                        )
                        .label(format!("these are {}", ty.describe())),
                    );
                }
                let func = match name.name.as_str() {
                    "coalesce" => Func::Coalesce,
                    "least" => Func::Least,
                    _ => Func::Greatest,
                };
                let args = typed.into_iter().map(|(t, _)| t).collect();
                (texpr(TExprKind::Func { func, args }, ty, span), facts)
            }
            "abs" | "round" => {
                let (min, max) = if name.name == "abs" { (1, 1) } else { (1, 2) };
                if !arity(self, min, max) {
                    return invalid(span);
                }
                let (x, fx) = self.expr(&args[0]);
                self.guard(&x, fx, &format!("`{}`", name.name));
                if !matches!(x.ty, Type::Number(_) | Type::Error) {
                    self.diags.push(
                        Diagnostic::error(
                            Code::TypeMismatch,
                            x.span,
                            format!("`{}` needs a number", name.name),
                        )
                        .label(format!("this is {}", x.ty.describe())),
                    );
                }
                let mut targs = vec![x.clone()];
                if let Some(digits) = args.get(1) {
                    match &digits.kind {
                        ExprKind::Number {
                            value,
                            percent: false,
                            ..
                        } if value.fract() == 0.0 && *value <= 12.0 => targs.push(texpr(
                            TExprKind::Number(*value),
                            Type::Number(Dim::Plain),
                            digits.span,
                        )),
                        _ => {
                            self.diags.push(
                                Diagnostic::error(
                                    Code::InvalidValue,
                                    digits.span,
                                    "`round` takes a whole number of digits",
                                )
                                .label("expected 0 to 12")
                                .help("e.g. `round(x, 2)`"),
                            );
                        }
                    }
                }
                let func = if name.name == "abs" {
                    Func::Abs
                } else {
                    Func::Round
                };
                let ty = x.ty;
                (
                    texpr(TExprKind::Func { func, args: targs }, ty, span),
                    Facts {
                        flexible: fx.flexible,
                        optional: false,
                    },
                )
            }
            "days_between" | "hours_between" => {
                if !arity(self, 2, 2) {
                    return invalid(span);
                }
                let (a, fa) = self.expr(&args[0]);
                let (b, fb) = self.expr(&args[1]);
                let what = format!("`{}`", name.name);
                self.guard(&a, fa, &what);
                self.guard(&b, fb, &what);
                for t in [&a, &b] {
                    if !matches!(t.ty, Type::Date | Type::DateTime | Type::Error) {
                        self.diags.push(
                            Diagnostic::error(
                                Code::TypeMismatch,
                                t.span,
                                format!("`{}` needs dates", name.name),
                            )
                            .label(format!("this is {}", t.ty.describe())),
                        );
                    }
                }
                let (func, dim) = if name.name == "days_between" {
                    (Func::DaysBetween, Dim::Days)
                } else {
                    (Func::HoursBetween, Dim::Hours)
                };
                (
                    texpr(
                        TExprKind::Func {
                            func,
                            args: vec![a, b],
                        },
                        Type::Number(dim),
                        span,
                    ),
                    Facts::default(),
                )
            }
            other => {
                let hint = did_you_mean(other, AGGREGATES.iter().chain(FUNCTIONS).copied())
                    .unwrap_or_else(|| {
                        format!(
                            "functions: {}",
                            AGGREGATES
                                .iter()
                                .chain(FUNCTIONS)
                                .copied()
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    });
                self.diags.push(
                    Diagnostic::error(
                        Code::UnknownFunction,
                        name.span,
                        format!("unknown function `{other}`"),
                    )
                    .label("not a function")
                    .help(hint),
                );
                // The arguments are not checked: their meaning depends on the function.
                invalid(span)
            }
        }
    }

    fn clause_on_function(&mut self, name: &Ident, span: Span, clause: &str) {
        self.diags.push(
            Diagnostic::error(
                Code::Syntax,
                span,
                format!("`{}` is not an aggregate and takes no {clause}", name.name),
            )
            .label(format!("only aggregates take {clause}"))
            .help(format!("aggregates: {}", AGGREGATES.join(", "))),
        );
    }

    fn aggregate(
        &mut self,
        name: &Ident,
        args: &[Expr],
        filter: Option<&Expr>,
        time: Option<&TimeClause>,
        span: Span,
    ) -> (TExpr, Facts) {
        if let Some(row) = &self.row {
            self.diags.push(
                Diagnostic::error(
                    Code::NestedAggregate,
                    name.span,
                    format!("`{}` inside an aggregate over `{}`", name.name, row.table.name),
                )
                .label("aggregate within an aggregate")
                .help("compute the inner aggregate as its own measure and combine the results outside"),
            );
            return invalid(span);
        }
        let (min, max) = if name.name == "percentile" {
            (2, 2)
        } else {
            (1, 1)
        };
        if args.len() < min || args.len() > max {
            self.diags.push(
                Diagnostic::error(
                    Code::Arity,
                    name.span,
                    format!(
                        "`{}` takes {} argument{}, not {}",
                        name.name,
                        min,
                        if min == 1 { "" } else { "s" },
                        args.len()
                    ),
                )
                .label("wrong number of arguments")
                .help(if name.name == "percentile" {
                    "e.g. `percentile(tickets.resolution_hours, 0.9)`"
                } else {
                    "e.g. `sum(orders.revenue where orders.status == \"paid\")`"
                }),
            );
            return invalid(span);
        }
        // `count(orders)`: a bare table name counts rows.
        let counts_rows = name.name == "count"
            && matches!(&args[0].kind, ExprKind::Path { head, member: None } if self.env.tables.contains_key(&head.name));
        let Some(table) = self.aggregated_table(name, &args[0], filter, counts_rows) else {
            return invalid(span);
        };
        self.tables.insert(table.name.clone());
        let guarded = filter.map(present_columns).unwrap_or_default();
        self.row = Some(Row { table, guarded });
        let arg = if counts_rows {
            None
        } else {
            Some(self.expr(&args[0]))
        };
        let tfilter = filter.map(|f| self.condition(f, "the `where` filter"));
        self.row = None;

        let (func, ty) = match (name.name.as_str(), &arg) {
            ("count", None) => (AggFunc::CountRows, Type::Number(Dim::Count)),
            ("count", Some(_)) => (AggFunc::Count, Type::Number(Dim::Count)),
            ("count_distinct", _) => (AggFunc::CountDistinct, Type::Number(Dim::Count)),
            (agg, Some((a, _))) => {
                let func = match agg {
                    "sum" => AggFunc::Sum,
                    "avg" => AggFunc::Avg,
                    "min" => AggFunc::Min,
                    "max" => AggFunc::Max,
                    "median" => AggFunc::Median,
                    _ => AggFunc::Percentile,
                };
                let ok = match a.ty {
                    Type::Number(_) | Type::Error => true,
                    Type::Date | Type::DateTime => matches!(func, AggFunc::Min | AggFunc::Max),
                    _ => false,
                };
                if !ok {
                    self.diags.push(
                        Diagnostic::error(Code::TypeMismatch, a.span, format!("`{agg}` needs numbers"))
                            .label(format!("this is {}", a.ty.describe()))
                            .help(if a.ty == Type::Bool {
                                "to count rows where something holds, write `count(TABLE where CONDITION)`"
                            } else {
                                "aggregate a numeric column, or use `count` / `count_distinct`"
                            }),
                    );
                }
                (func, if ok { a.ty } else { Type::Error })
            }
            (_, None) => (AggFunc::Sum, Type::Error),
        };
        let fraction = if func == AggFunc::Percentile {
            match &args[1].kind {
                ExprKind::Number { value, .. } if (0.0..=1.0).contains(value) => Some(*value),
                _ => {
                    self.diags.push(
                        Diagnostic::error(
                            Code::InvalidValue,
                            args[1].span,
                            "the percentile must be a number from 0 to 1",
                        )
                        .label("expected e.g. 0.9 or 90%")
                        .help("`percentile(x, 0.9)` is the value 90% of rows are at or below"),
                    );
                    None
                }
            }
        } else {
            None
        };
        let time = self.time_filter(table, time);
        let agg = Aggregate {
            func,
            table: table.name.clone(),
            arg: arg.map(|(t, _)| t),
            fraction,
            filter: tfilter,
            time,
        };
        (
            texpr(TExprKind::Aggregate(Box::new(agg)), ty, span),
            Facts::default(),
        )
    }

    /// The table an aggregate runs over: the table named in `count(T)`, else the one
    /// table (other than `accounts`) its argument and filter read, else `accounts`.
    fn aggregated_table(
        &mut self,
        name: &Ident,
        arg: &Expr,
        filter: Option<&Expr>,
        counts_rows: bool,
    ) -> Option<&'e TableDef> {
        let tables = self.env.tables;
        if counts_rows && let ExprKind::Path { head, .. } = &arg.kind {
            return tables.get(&head.name);
        }
        let mut named = Vec::new();
        collect_tables(arg, &mut named);
        if let Some(f) = filter {
            collect_tables(f, &mut named);
        }
        let mut chosen: Option<&Ident> = None;
        for ident in &named {
            if !tables.contains_key(&ident.name) {
                continue;
            }
            match chosen {
                None if ident.name != "accounts" => chosen = Some(ident),
                Some(c) if ident.name != "accounts" && ident.name != c.name => {
                    self.diags.push(
                        Diagnostic::error(
                            Code::MixedTables,
                            ident.span,
                            format!("`{}` reads both `{}` and `{}`", name.name, c.name, ident.name),
                        )
                        .label(format!("column of `{}`", ident.name))
                        .with(c.span, format!("column of `{}`", c.name))
                        .help("one aggregate reads one table (plus `accounts`); aggregate each table separately"),
                    );
                    return None;
                }
                _ => {}
            }
        }
        let table_name = chosen.map(|c| c.name.as_str()).or_else(|| {
            named
                .iter()
                .find(|i| tables.contains_key(&i.name))
                .map(|i| i.name.as_str())
        });
        match table_name {
            Some(t) => tables.get(t),
            None => {
                // No table at all: report unknown tables, or say what is needed.
                if let Some(unknown) = named.first() {
                    self.unknown_table(unknown);
                } else {
                    self.diags.push(
                        Diagnostic::error(
                            Code::MixedTables,
                            arg.span,
                            format!("`{}` does not read any table", name.name),
                        )
                        .label("no column here")
                        .help(format!(
                            "aggregate a column, e.g. `{}(orders.revenue)`",
                            name.name
                        )),
                    );
                }
                None
            }
        }
    }

    fn time_filter(&mut self, table: &TableDef, clause: Option<&TimeClause>) -> TimeFilter {
        match clause {
            None => table
                .time_column
                .clone()
                .map_or(TimeFilter::None, TimeFilter::Column),
            Some(TimeClause::AllTime(span)) => {
                if table.time_column.is_none() {
                    self.diags.push(
                        Diagnostic::error(
                            Code::InvalidTimeClause,
                            *span,
                            format!(
                                "`{}` has no time column, so `all time` changes nothing",
                                table.name
                            ),
                        )
                        .label("nothing to turn off")
                        .help("remove `all time`"),
                    );
                }
                TimeFilter::None
            }
            Some(TimeClause::Dated {
                table: t,
                column,
                span,
            }) => {
                let col = (t.name == table.name)
                    .then(|| table.columns.get(&column.name))
                    .flatten();
                match col {
                    Some(c) if matches!(c.ty, ColumnType::Date | ColumnType::DateTime) => {
                        TimeFilter::Column(c.name.clone())
                    }
                    _ => {
                        let dates: Vec<&str> = table
                            .columns
                            .values()
                            .filter(|c| matches!(c.ty, ColumnType::Date | ColumnType::DateTime))
                            .map(|c| c.name.as_str())
                            .collect();
                        self.diags.push(
                            Diagnostic::error(
                                Code::InvalidTimeClause,
                                *span,
                                format!("`dated` needs a date column of `{}`", table.name),
                            )
                            .label(format!("`{}.{}` is not one", t.name, column.name))
                            .help(if dates.is_empty() {
                                format!("`{}` has no date columns", table.name)
                            } else {
                                format!("date columns of `{}`: {}", table.name, dates.join(", "))
                            }),
                        );
                        TimeFilter::None
                    }
                }
            }
        }
    }
}

/// Heads of `table.column` paths in `e` (not descending into nested calls' clauses
/// matters not: nested aggregates are reported separately).
fn collect_tables<'a>(e: &'a Expr, out: &mut Vec<&'a Ident>) {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        if let ExprKind::Path {
            head,
            member: Some(_),
        } = &e.kind
            && head.name != "period"
        {
            out.push(head);
        }
        stack.extend(e.children());
    }
    // Source order for stable messages.
    out.sort_by_key(|i| i.span.start);
}

/// Columns a filter proves present: `T.c is not missing` among its top-level `and`s.
fn present_columns(filter: &Expr) -> HashSet<(String, String)> {
    let mut out = HashSet::new();
    let mut stack = vec![filter];
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::Binary {
                op: BinaryOp::And,
                left,
                right,
                ..
            } => {
                stack.push(left);
                stack.push(right);
            }
            ExprKind::IsMissing {
                operand,
                negated: true,
            } => {
                if let ExprKind::Path {
                    head,
                    member: Some(member),
                } = &operand.kind
                {
                    out.insert((head.name.clone(), member.name.clone()));
                }
            }
            _ => {}
        }
    }
    out
}
