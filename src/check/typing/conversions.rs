//! Typing `concat` (text only), the unit conversions `to_hours` / `to_days`, the key of
//! `count_distinct` over several values, and the `missing` literal taking the type of
//! the value beside it.

use super::{Checker, Facts, invalid, texpr};
use crate::diagnostic::{Code, Diagnostic};
use crate::ir::*;
use crate::source::Span;
use crate::syntax::ast::{Expr, ExprKind, Ident};
use crate::vocab::{AggregateId, BinaryOp, FunctionId, FunctionInfo};

/// Whether `t` is the `missing` literal, which has no type of its own.
pub(super) fn is_missing_literal(t: &TExpr) -> bool {
    t.kind == TExprKind::Missing
}

/// Gives a `missing` literal the type of the value beside it (the other branch of an
/// `if`, another argument), as a bare number takes the unit of the other operand: the
/// SQL engines need a typed NULL, and a branch of text must not be typed a number.
pub(super) fn adopt(t: &mut TExpr, other: &TExpr) {
    if is_missing_literal(t) && !is_missing_literal(other) && other.ty != Type::Error {
        t.ty = other.ty;
    }
}

impl<'e, 'd> Checker<'e, 'd> {
    /// `concat(a, b, ...)`: text only, since a number or a date has no one written form
    /// that every engine would print alike.
    pub(super) fn concat(&mut self, name: &Ident, args: &[Expr], span: Span) -> (TExpr, Facts) {
        let mut typed = Vec::with_capacity(args.len());
        let mut ok = true;
        for a in args {
            let (mut t, f) = self.expr(a);
            if is_missing_literal(&t) {
                t.ty = Type::Text;
            }
            self.guard(&t, f, &format!("`{}`", name.name));
            match t.ty {
                Type::Text => {}
                Type::Error => ok = false,
                other => {
                    ok = false;
                    let help = format!(
                        "`{0}` joins text only: {1} has no one written form in every engine. \
                         To count combinations of values, give them to `{2}` directly, e.g. \
                         `{2}(orders.account_id, orders.order_date)`; to join text columns, \
                         write `{0}(accounts.region, \"/\", orders.product_line)`",
                        name.name,
                        other.describe(),
                        AggregateId::CountDistinct.name()
                    );
                    self.diags.push(
                        Diagnostic::error(
                            Code::TypeMismatch,
                            t.span,
                            format!("`{}` needs text, not {}", name.name, other.describe()),
                        )
                        .label(format!("this is {}", other.describe()))
                        .help(help),
                    );
                }
            }
            typed.push(t);
        }
        if !ok {
            return invalid(span);
        }
        (
            texpr(
                TExprKind::Func {
                    func: Func::Concat,
                    args: typed,
                },
                Type::Text,
                span,
            ),
            Facts::default(),
        )
    }

    /// `to_hours(days)` and `to_days(hours)`: the argument must carry the unit converted
    /// from, so that a plain number (whose unit kpic cannot know) is never silently
    /// scaled.
    pub(super) fn convert(
        &mut self,
        func: &FunctionInfo,
        name: &Ident,
        args: &[Expr],
        span: Span,
    ) -> (TExpr, Facts) {
        let (from, to, ir, other) = if func.id == FunctionId::ToHours {
            (Dim::Days, Dim::Hours, Func::ToHours, FunctionId::ToDays)
        } else {
            (Dim::Hours, Dim::Days, Func::ToDays, FunctionId::ToHours)
        };
        let (mut x, fx) = self.expr(&args[0]);
        if is_missing_literal(&x) {
            x.ty = Type::Number(from);
        }
        self.guard(&x, fx, &format!("`{}`", name.name));
        let problem = match x.ty {
            Type::Error => return invalid(span),
            Type::Number(d) if d == from => None,
            Type::Number(d) if d == to => Some((
                Code::UnitMismatch,
                format!(
                    "this is already {}; `{}` converts {} into {}",
                    to.name(),
                    name.name,
                    from.name(),
                    to.name()
                ),
                format!(
                    "remove `{}`, or use `{}` to convert the other way",
                    name.name,
                    other.name()
                ),
            )),
            Type::Number(d) => Some((
                Code::UnitMismatch,
                format!("`{}` needs {}, not {}", name.name, from.name(), d.name()),
                format!(
                    "{} come from a column declared `unit {}`{}{}",
                    from.name(),
                    from.name(),
                    if from == Dim::Days {
                        ", `days_between(a, b)` or `period.days`"
                    } else {
                        " or `hours_between(a, b)`"
                    },
                    // A count or plain number may be a duration kpic cannot see as one.
                    if matches!(d, Dim::Plain | Dim::Count) {
                        format!(
                            "; if this {} really is a number of {}, write the arithmetic: `x {}`",
                            d.name().trim_start_matches("a "),
                            from.name(),
                            if from == Dim::Days { "* 24" } else { "/ 24" }
                        )
                    } else {
                        String::new()
                    }
                ),
            )),
            other => Some((
                Code::TypeMismatch,
                format!(
                    "`{}` needs a number of {}, not {}",
                    name.name,
                    from.name(),
                    other.describe()
                ),
                format!(
                    "for the time between two dates, write `{}(a, b)`",
                    if from == Dim::Days {
                        FunctionId::HoursBetween.name()
                    } else {
                        FunctionId::DaysBetween.name()
                    }
                ),
            )),
        };
        if let Some((code, message, help)) = problem {
            self.diags.push(
                Diagnostic::error(code, x.span, message)
                    .label(format!("this is {}", x.ty.describe()))
                    .help(help),
            );
            return invalid(span);
        }
        (
            texpr(
                TExprKind::Func {
                    func: ir,
                    args: vec![x],
                },
                Type::Number(to),
                span,
            ),
            Facts::default(),
        )
    }

    /// `x == missing` (or any comparison with the literal) is missing whatever `x` is,
    /// so never true: refused, with `is missing` as what was meant.
    pub(super) fn compared_with_missing(
        &mut self,
        op: BinaryOp,
        op_span: Span,
        left: &Expr,
        right: &Expr,
    ) -> (TExpr, Facts) {
        let other = if left.kind == ExprKind::Missing {
            right
        } else {
            left
        };
        // Still check the other side, for its own errors.
        let _ = self.expr(other);
        let literal = if left.kind == ExprKind::Missing {
            left
        } else {
            right
        };
        let want = if op == BinaryOp::Ne {
            "is not missing"
        } else {
            "is missing"
        };
        self.diags.push(
            Diagnostic::error(
                Code::InvalidValue,
                op_span,
                format!(
                    "`{}` with `missing` is never true: comparing with a missing value gives a missing value",
                    op.symbol()
                ),
            )
            .label("always missing")
            .with(literal.span, "the `missing` literal")
            .help(format!("to test whether a value is missing, write `x {want}`")),
        );
        invalid(op_span.to(literal.span).to(other.span))
    }

    /// The per-row key of `count_distinct(a, b, ...)`, typed in the aggregate's row
    /// context: one value per combination, missing when any part is (those rows are
    /// not counted, as a missing single value is not). Optional columns need no guard,
    /// for the same reason.
    pub(super) fn distinct_tuple(&mut self, args: &[Expr], span: Span) -> (TExpr, Facts) {
        let mut parts = Vec::with_capacity(args.len());
        let mut ok = true;
        for a in args {
            let (t, _) = self.expr(a);
            if is_missing_literal(&t) {
                self.diags.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        t.span,
                        format!(
                            "`missing` in `{}` leaves out every row",
                            AggregateId::CountDistinct.name()
                        ),
                    )
                    .label("always missing")
                    .help("remove it: rows where any value is missing are not counted"),
                );
                ok = false;
            }
            ok &= t.ty != Type::Error;
            parts.push(t);
        }
        if !ok {
            return invalid(span);
        }
        (
            texpr(
                TExprKind::Func {
                    func: Func::Tuple,
                    args: parts,
                },
                Type::Text,
                span,
            ),
            Facts::default(),
        )
    }
}
