//! Canonical keys of aggregates: two aggregates written alike anywhere in the catalog
//! get the same key (spans are ignored), so the plan computes them once.

use crate::ir::{Aggregate, TExpr, TExprKind, TimeFilter};
use std::fmt::Write;

/// The key of an aggregate, and whether it reads the period (`period.start` etc.) in
/// its argument or filter.
pub fn aggregate(agg: &Aggregate) -> (String, bool) {
    let mut out = String::new();
    let mut uses_period = false;
    write_aggregate(agg, &mut out, &mut uses_period);
    (out, uses_period)
}

fn write_aggregate(agg: &Aggregate, out: &mut String, uses_period: &mut bool) {
    let _ = write!(out, "{:?}({}:", agg.func, agg.table);
    if let Some(a) = &agg.arg {
        write_expr(a, out, uses_period);
    }
    if let Some(f) = agg.fraction {
        let _ = write!(out, ";q{}", f.to_bits());
    }
    out.push_str(";w:");
    if let Some(f) = &agg.filter {
        write_expr(f, out, uses_period);
    }
    match &agg.time {
        TimeFilter::Column(c) => {
            let _ = write!(out, ";t:{c}");
        }
        TimeFilter::None => out.push_str(";t-"),
    }
    out.push(')');
}

fn write_expr(e: &TExpr, out: &mut String, uses_period: &mut bool) {
    match &e.kind {
        TExprKind::Number(v) => {
            let _ = write!(out, "n{}", v.to_bits());
        }
        TExprKind::Text(t) => {
            let _ = write!(out, "s{t:?}");
        }
        TExprKind::Date(d) => {
            let _ = write!(out, "d{d}");
        }
        TExprKind::Bool(b) => {
            let _ = write!(out, "b{b}");
        }
        TExprKind::Column { table, column, via } => {
            let _ = write!(out, "c{table}.{column}/{via:?}");
        }
        TExprKind::Ref(id) => {
            // A measure's value depends on the period.
            *uses_period = true;
            let _ = write!(out, "r{id}");
        }
        TExprKind::Period(f) => {
            *uses_period = true;
            let _ = write!(out, "p{f:?}");
        }
        TExprKind::Aggregate(agg) => {
            *uses_period = true;
            write_aggregate(agg, out, uses_period);
        }
        TExprKind::Previous(inner) => {
            *uses_period = true;
            out.push_str("prev(");
            write_expr(inner, out, uses_period);
            out.push(')');
        }
        TExprKind::YearAgo(inner) => {
            *uses_period = true;
            out.push_str("year_ago(");
            write_expr(inner, out, uses_period);
            out.push(')');
        }
        TExprKind::Invalid => out.push('!'),
        kind => {
            let _ = match kind {
                TExprKind::Neg(_) => write!(out, "neg("),
                TExprKind::Not(_) => write!(out, "not("),
                TExprKind::Binary { op, .. } => write!(out, "{op:?}("),
                TExprKind::IsMissing { negated, .. } => write!(out, "missing{negated}("),
                TExprKind::If { .. } => write!(out, "if("),
                TExprKind::Func { func, .. } => write!(out, "{func:?}("),
                _ => write!(out, "?("),
            };
            for (i, child) in e.operands().into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_expr(child, out, uses_period);
            }
            out.push(')');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Type;

    fn column(span: usize) -> TExpr {
        TExpr {
            kind: TExprKind::Column {
                table: "orders".into(),
                column: "revenue".into(),
                via: Vec::new(),
            },
            ty: Type::Number(crate::ir::Dim::Money),
            span: crate::source::Span::new(crate::source::FileId(0), span, span + 5),
        }
    }

    fn sum_of(arg: TExpr) -> Aggregate {
        Aggregate {
            func: crate::ir::AggFunc::Sum,
            table: "orders".into(),
            arg: Some(arg),
            fraction: None,
            filter: None,
            time: TimeFilter::Column("order_date".into()),
        }
    }

    #[test]
    fn spans_do_not_matter_and_columns_do() {
        assert_eq!(
            aggregate(&sum_of(column(0))),
            aggregate(&sum_of(column(40)))
        );
        let mut other = column(0);
        if let TExprKind::Column { column, .. } = &mut other.kind {
            *column = "cost".into();
        }
        assert_ne!(aggregate(&sum_of(column(0))).0, aggregate(&sum_of(other)).0);
        // Reads no `period.*` (the period filter is part of the key instead).
        assert!(!aggregate(&sum_of(column(0))).1);
    }
}
