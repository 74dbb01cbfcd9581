//! Typing operators: prefix `-` and `not`, arithmetic and comparisons with the unit
//! algebra of `units.rs`, the common type of two branches, and the guard on optional
//! columns feeding arithmetic.

use super::{Checker, Facts, texpr};
use crate::check::units;
use crate::diagnostic::{Code, Diagnostic};
use crate::ir::*;
use crate::source::Span;
use crate::syntax::ast::Expr;
use crate::vocab::{BinaryOp, FunctionId, UnaryOp};

impl<'e, 'd> Checker<'e, 'd> {
    pub(super) fn unary(&mut self, op: UnaryOp, operand: &Expr, span: Span) -> (TExpr, Facts) {
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
    pub(super) fn guard(&mut self, t: &TExpr, f: Facts, what: &str) {
        if !f.optional {
            return;
        }
        let (table, column) = match &t.kind {
            // Through relations: the path as it can be written from the row.
            TExprKind::Column { via, column, .. } if !via.is_empty() => {
                (self.followed_path(via), column.clone())
            }
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
                "add `where {table}.{column} is not missing` to the aggregate, or write `{}({table}.{column}, DEFAULT)`",
                FunctionId::Coalesce.name()
            )),
        );
    }

    pub(super) fn binary(
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

    pub(super) fn mismatch(
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

    pub(super) fn compare(
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

    pub(super) fn arith(
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
                        if op == BinaryOp::Div {
                            "divide like by like (money / money is a ratio), or by a plain number, a count, days or hours for a rate (revenue per day: `revenue / period.days`)"
                        } else {
                            "scale by a plain number or a count, or divide like by like (money / money is a ratio)"
                        },
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
    pub(super) fn unify(
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
}
