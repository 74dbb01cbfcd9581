//! The scalar operators at scope level: one value per group, after aggregation.
//! Per-row expressions use the kernels of [`super::program`] instead, which follow the
//! same rules (and fold constant sub-expressions through these).

use super::value::{self, Val};
use crate::ir::{Func, TExpr, TExprKind, Type};
use crate::vocab::BinaryOp;

/// Applies `e`'s operator to its children's values.
pub fn combine(e: &TExpr, kids: &[&Val]) -> Val {
    match &e.kind {
        TExprKind::Neg(_) => match kids[0] {
            Val::Num(x) => Val::Num(-x),
            other => other.clone(),
        },
        TExprKind::Not(_) => match kids[0] {
            Val::Bool(b) => Val::Bool(!b),
            other => other.clone(),
        },
        TExprKind::IsMissing { negated, .. } => Val::Bool(kids[0].is_present() == *negated),
        // Date-times are held in days; their difference is typed in hours.
        TExprKind::Binary {
            op: BinaryOp::Sub,
            left,
            right,
        } if left.ty == Type::DateTime && right.ty == Type::DateTime => {
            match value::binary(BinaryOp::Sub, kids[0], kids[1]) {
                Val::Num(days) => Val::Num(days * 24.0),
                other => other,
            }
        }
        TExprKind::Binary { op, .. } => value::binary(*op, kids[0], kids[1]),
        TExprKind::If { .. } => match kids[0] {
            Val::Bool(true) => kids[1].clone(),
            Val::Bool(false) => kids[2].clone(),
            other => other.clone(),
        },
        TExprKind::Func { func, .. } => function(*func, kids),
        _ => Val::missing("invalid expression"),
    }
}

fn function(func: Func, args: &[&Val]) -> Val {
    let num = |v: &Val| match v {
        Val::Num(x) | Val::Date(x) => Some(*x),
        _ => None,
    };
    let first_missing = || {
        args.iter()
            .find(|a| !a.is_present())
            .map_or(Val::missing("missing"), |a| (*a).clone())
    };
    match func {
        Func::Coalesce => args
            .iter()
            .find(|a| a.is_present())
            .map_or_else(first_missing, |a| (*a).clone()),
        Func::Abs => num(args[0]).map_or_else(first_missing, |x| Val::Num(x.abs())),
        Func::Round => {
            let digits = args.get(1).and_then(|d| num(d)).unwrap_or(0.0);
            num(args[0]).map_or_else(first_missing, |x| {
                Val::Num(value::round_decimal(x, digits as i32))
            })
        }
        Func::Least | Func::Greatest => {
            if args.iter().any(|a| !a.is_present()) {
                return first_missing();
            }
            let pick = args.iter().copied().reduce(|a, b| {
                let (x, y) = (num(a).unwrap_or(0.0), num(b).unwrap_or(0.0));
                if (func == Func::Least) == (y < x) {
                    b
                } else {
                    a
                }
            });
            pick.cloned().unwrap_or_else(first_missing)
        }
        Func::DaysBetween | Func::HoursBetween => match (num(args[0]), num(args[1])) {
            (Some(a), Some(b)) => Val::Num(if func == Func::DaysBetween {
                b - a
            } else {
                (b - a) * 24.0
            }),
            _ => first_missing(),
        },
        Func::ToHours | Func::ToDays => num(args[0]).map_or_else(first_missing, |x| {
            Val::Num(if func == Func::ToHours {
                x * 24.0
            } else {
                x / 24.0
            })
        }),
        Func::Concat => {
            let mut out = String::new();
            for a in args {
                match a {
                    Val::Text(t) => out.push_str(t),
                    _ => return first_missing(),
                }
            }
            Val::Text(out.into())
        }
        Func::Tuple => value::tuple_key(args),
    }
}
