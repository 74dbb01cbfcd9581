//! Typing calls of scalar functions (and `previous`), with the arity, argument kinds
//! and result rules of the builtins table, and the diagnostic for an unknown function.

use super::{Checker, Facts, invalid, texpr};
use crate::diagnostic::{Code, Diagnostic, closest, mean};
use crate::ir::*;
use crate::source::Span;
use crate::syntax::ast::{Expr, ExprKind, Ident, TimeClause};
use crate::vocab::{self, AggregateId, ArgKind, Arity, FunctionId, FunctionInfo, ResultRule};

/// The IR function a scalar builtin lowers to (`previous` is a node of its own).
fn ir_func(id: FunctionId) -> Option<Func> {
    Some(match id {
        FunctionId::Coalesce => Func::Coalesce,
        FunctionId::Abs => Func::Abs,
        FunctionId::Round => Func::Round,
        FunctionId::Least => Func::Least,
        FunctionId::Greatest => Func::Greatest,
        FunctionId::DaysBetween => Func::DaysBetween,
        FunctionId::HoursBetween => Func::HoursBetween,
        FunctionId::Concat => Func::Concat,
        FunctionId::ToHours => Func::ToHours,
        FunctionId::ToDays => Func::ToDays,
        FunctionId::Previous | FunctionId::YearAgo => return None,
    })
}

/// The dimension a fixed result rule gives, if it names one.
fn result_dim(rule: ResultRule) -> Option<Dim> {
    match rule {
        ResultRule::Days => Some(Dim::Days),
        ResultRule::Hours => Some(Dim::Hours),
        ResultRule::Count => Some(Dim::Count),
        ResultRule::CommonOfArgs | ResultRule::FirstArg | ResultRule::Text => None,
    }
}

impl<'e, 'd> Checker<'e, 'd> {
    pub(super) fn call(
        &mut self,
        name: &Ident,
        args: &[Expr],
        filter: Option<&Expr>,
        time: Option<&TimeClause>,
        span: Span,
    ) -> (TExpr, Facts) {
        if let Some(agg) = vocab::aggregate(&name.name) {
            return self.aggregate(agg, name, args, filter, time, span);
        }
        let Some(func) = vocab::function(&name.name) else {
            // Neither clauses nor arguments are checked: their meaning depends on the
            // function meant.
            return self.unknown_function(name, span);
        };
        if let Some(f) = filter {
            self.clause_on_function(name, f.span, "where");
        }
        if let Some(t) = time {
            let s = match t {
                TimeClause::Dated { span, .. } | TimeClause::AllTime(span) => *span,
            };
            self.clause_on_function(name, s, "a period clause");
        }
        if !self.arity_ok(
            name,
            func.arity,
            args.len(),
            &call_help(&func.signature(), func.example),
        ) {
            return invalid(span);
        }
        match func.id {
            FunctionId::Previous | FunctionId::YearAgo => {
                self.previous(func.id, name, &args[0], span)
            }
            FunctionId::Coalesce | FunctionId::Least | FunctionId::Greatest => {
                self.common(func, name, args, span)
            }
            FunctionId::Abs | FunctionId::Round => self.numeric(func, name, args, span),
            FunctionId::DaysBetween | FunctionId::HoursBetween => {
                self.between(func, name, args, span)
            }
            FunctionId::Concat => self.concat(name, args, span),
            FunctionId::ToHours | FunctionId::ToDays => self.convert(func, name, args, span),
        }
    }

    /// K0205 unless `n` arguments fit `arity`.
    pub(super) fn arity_ok(&mut self, name: &Ident, arity: Arity, n: usize, help: &str) -> bool {
        if arity.accepts(n) {
            return true;
        }
        let expected = match arity.max {
            Some(max) if max == arity.min => format!("{max}"),
            None => format!("at least {}", arity.min),
            Some(max) => format!("{} to {max}", arity.min),
        };
        self.diags.push(
            Diagnostic::error(
                Code::Arity,
                name.span,
                format!(
                    "`{}` takes {expected} argument{}, not {n}",
                    name.name,
                    if expected == "1" { "" } else { "s" },
                ),
            )
            .label("wrong number of arguments")
            .help(help.to_string()),
        );
        false
    }

    /// `previous(x)` and `year_ago(x)`: x over another period, only outside
    /// aggregates.
    fn previous(&mut self, id: FunctionId, name: &Ident, arg: &Expr, span: Span) -> (TExpr, Facts) {
        if self.row.is_some() {
            self.diags.push(
                Diagnostic::error(
                    Code::InvalidTimeClause,
                    name.span,
                    format!("`{}` inside an aggregate", name.name),
                )
                .label(if id == FunctionId::YearAgo {
                    "rows have no period a year earlier"
                } else {
                    "rows have no previous period"
                })
                .help(format!(
                    "apply `{0}` to the whole aggregate: `{0}({1}(orders.revenue))`",
                    name.name,
                    AggregateId::Sum.name()
                )),
            );
            return invalid(span);
        }
        let (inner, f) = self.expr(arg);
        let ty = inner.ty;
        let kind = if id == FunctionId::YearAgo {
            TExprKind::YearAgo(Box::new(inner))
        } else {
            TExprKind::Previous(Box::new(inner))
        };
        (texpr(kind, ty, span), f)
    }

    /// Functions whose arguments share one type and unit (`coalesce`, `least`,
    /// `greatest`).
    fn common(
        &mut self,
        func: &FunctionInfo,
        name: &Ident,
        args: &[Expr],
        span: Span,
    ) -> (TExpr, Facts) {
        // `coalesce` is how a missing value is given a default, so it accepts optional
        // columns; the others need every argument present.
        let coalesce = func.id == FunctionId::Coalesce;
        let what_guard = format!("`{}`", name.name);
        let mut typed: Vec<(TExpr, Facts)> = args.iter().map(|a| self.expr(a)).collect();
        if let Some(typed_one) = typed
            .iter()
            .find(|(t, _)| !super::conversions::is_missing_literal(t))
            .map(|(t, _)| t.clone())
        {
            for (t, _) in &mut typed {
                super::conversions::adopt(t, &typed_one);
            }
        }
        let (first, mut facts) = typed[0].clone();
        let mut ty = first.ty;
        let mut acc = first;
        for (t, f) in &typed[1..] {
            if !coalesce {
                self.guard(t, *f, &what_guard);
            }
            let what = format!("the arguments of `{}`", name.name);
            ty = self.unify(&acc, facts, t, *f, &what, t.span);
            facts = Facts {
                flexible: facts.flexible && f.flexible,
                optional: coalesce && facts.optional && f.optional,
            };
            acc = TExpr { ty, ..t.clone() };
        }
        if !coalesce {
            self.guard(&typed[0].0, typed[0].1, &what_guard);
        }
        if func.params[0].kind == ArgKind::NumberOrDate
            && !matches!(ty, Type::Number(_) | Type::Date | Type::Error)
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
        let args = typed.into_iter().map(|(t, _)| t).collect();
        match ir_func(func.id) {
            Some(func) => (texpr(TExprKind::Func { func, args }, ty, span), facts),
            None => invalid(span),
        }
    }

    /// Functions of one number, with an optional digits literal (`abs`, `round`).
    fn numeric(
        &mut self,
        func: &FunctionInfo,
        name: &Ident,
        args: &[Expr],
        span: Span,
    ) -> (TExpr, Facts) {
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
                            format!("`{}` takes a whole number of digits", name.name),
                        )
                        .label("expected 0 to 12")
                        .help(format!("e.g. `{}(x, 2)`", name.name)),
                    );
                }
            }
        }
        let ty = x.ty;
        let facts = Facts {
            flexible: fx.flexible,
            optional: false,
        };
        match ir_func(func.id) {
            Some(func) => (
                texpr(TExprKind::Func { func, args: targs }, ty, span),
                facts,
            ),
            None => invalid(span),
        }
    }

    /// Durations between two dates (`days_between`, `hours_between`).
    fn between(
        &mut self,
        func: &FunctionInfo,
        name: &Ident,
        args: &[Expr],
        span: Span,
    ) -> (TExpr, Facts) {
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
        match (ir_func(func.id), result_dim(func.result)) {
            (Some(f), Some(dim)) => (
                texpr(
                    TExprKind::Func {
                        func: f,
                        args: vec![a, b],
                    },
                    Type::Number(dim),
                    span,
                ),
                Facts::default(),
            ),
            _ => invalid(span),
        }
    }

    /// K0111, with what kpic writes instead of a spreadsheet or SQL function, the
    /// builtin spelled in lower case, or the closest builtin name.
    fn unknown_function(&mut self, name: &Ident, span: Span) -> (TExpr, Facts) {
        let lower = name.name.to_ascii_lowercase();
        // The name to put in place, when the help names one.
        let mut replace = None;
        let hint = if let Some(foreign) = vocab::foreign(&name.name) {
            foreign.help()
        } else if lower != name.name && vocab::call_names().any(|n| n == lower) {
            replace = Some(lower.clone());
            format!("kpic writes functions in lower case: `{lower}`")
        } else if let Some(close) = closest(&name.name, vocab::call_names()) {
            let hint = mean(&close);
            replace = Some(close);
            hint
        } else {
            format!(
                "functions: {}",
                vocab::call_names().collect::<Vec<_>>().join(", ")
            )
        };
        self.diags.push(
            Diagnostic::error(
                Code::UnknownFunction,
                name.span,
                format!("unknown function `{}`", name.name),
            )
            .label("not a function")
            .help(hint)
            .fix_name(name.span, replace.as_deref()),
        );
        invalid(span)
    }

    fn clause_on_function(&mut self, name: &Ident, span: Span, clause: &str) {
        let aggregates: Vec<&str> = vocab::AGGREGATES.iter().map(|a| a.name).collect();
        self.diags.push(
            Diagnostic::error(
                Code::Syntax,
                span,
                format!("`{}` is not an aggregate and takes no {clause}", name.name),
            )
            .label(format!("only aggregates take {clause}"))
            .help(format!("aggregates: {}", aggregates.join(", "))),
        );
    }
}

/// The help of a call with the wrong number of arguments: its signature and an example.
pub(super) fn call_help(signature: &str, example: &str) -> String {
    format!("write `{signature}`, e.g. `{example}`")
}
