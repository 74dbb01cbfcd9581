//! Expressions in SQL: literals, period fields, per-row expressions and each operator
//! over its operands' SQL, as the dialect writes them.

use super::Compiler;
use crate::ir::*;
use crate::query::Period;
use crate::vocab::BinaryOp;

impl Compiler<'_> {
    pub(super) fn number(v: f64) -> String {
        let s = format!("{v}");
        if s.contains('.') || s.contains('e') || s.contains("inf") || s.contains("NaN") {
            s
        } else {
            format!("{s}.0")
        }
    }

    pub(super) fn period(&self, back: u32) -> Period {
        self.req.period.back(back)
    }

    pub(super) fn period_field(&self, f: PeriodField, back: u32) -> String {
        let p = self.period(back);
        match f {
            PeriodField::Start => self.d.date(&p.start.to_string()),
            PeriodField::End => self.d.date(&p.end.to_string()),
            PeriodField::PreviousStart => self.d.date(&p.previous().start.to_string()),
            PeriodField::Days => Self::number(p.days() as f64),
            // Known when the query is compiled: a constant, or NULL (`reason.rs` says
            // why).
            PeriodField::Months | PeriodField::Quarters | PeriodField::Years => {
                match p.length_in_months(months_per(f)) {
                    Ok(n) => Self::number(n),
                    Err(_) => format!("CAST(NULL AS {})", self.d.double()),
                }
            }
        }
    }
    /// A per-row expression over the row `t` of `table`; a column of a parent row is
    /// read from its join, noted in `joins`.
    pub(super) fn row(
        &self,
        e: &TExpr,
        back: u32,
        table: &str,
        joins: &mut super::joins::Joins,
    ) -> String {
        match &e.kind {
            TExprKind::Column { column, via, .. } => {
                let account = self
                    .catalog
                    .tables
                    .get(table)
                    .and_then(|t| t.account_column.as_deref());
                format!("{}.{}", joins.alias(via, account), self.d.ident(column))
            }
            _ => {
                let kids: Vec<String> = e
                    .operands()
                    .into_iter()
                    .map(|k| self.row(k, back, table, joins))
                    .collect();
                self.combine(e, &kids, back, Some(()))
            }
        }
    }

    /// The SQL of `e`'s operator over its children's SQL.
    pub(super) fn combine(
        &self,
        e: &TExpr,
        kids: &[String],
        back: u32,
        _row: Option<()>,
    ) -> String {
        let d = self.d;
        let double = d.double();
        match &e.kind {
            TExprKind::Number(v) => Self::number(*v),
            TExprKind::Text(t) => d.string(t),
            TExprKind::Date(v) => d.date(&v.to_string()),
            TExprKind::Bool(b) => {
                if *b {
                    "TRUE".into()
                } else {
                    "FALSE".into()
                }
            }
            TExprKind::Period(f) => self.period_field(*f, back),
            // Typed, so that a CASE or COALESCE around it has one type in every engine.
            TExprKind::Missing => format!("CAST(NULL AS {})", d.null_type(e.ty)),
            TExprKind::Neg(_) => format!("(-{})", kids[0]),
            TExprKind::Not(_) => format!("(NOT {})", kids[0]),
            TExprKind::IsMissing { negated, .. } => {
                format!(
                    "({} IS {}NULL)",
                    kids[0],
                    if *negated { "NOT " } else { "" }
                )
            }
            TExprKind::If { .. } => {
                format!(
                    "(CASE WHEN {c} THEN {a} WHEN NOT ({c}) THEN {b} END)",
                    c = kids[0],
                    a = kids[1],
                    b = kids[2]
                )
            }
            TExprKind::Binary { op, left, right } => {
                let (a, b) = (&kids[0], &kids[1]);
                let (lt, rt) = (left.ty, right.ty);
                let is_date = |t: Type| matches!(t, Type::Date | Type::DateTime);
                match op {
                    BinaryOp::Sub if is_date(lt) && is_date(rt) => {
                        if lt == Type::DateTime {
                            d.hours_between(b, a)
                        } else {
                            d.days_between(b, a)
                        }
                    }
                    BinaryOp::Add if is_date(lt) => d.add_days(a, b),
                    BinaryOp::Add if is_date(rt) => d.add_days(b, a),
                    BinaryOp::Sub if is_date(lt) => d.add_days(a, &format!("(-{b})")),
                    BinaryOp::Div => {
                        format!("(CAST({a} AS {double}) / NULLIF(CAST({b} AS {double}), 0))")
                    }
                    _ => {
                        let sym = match op {
                            BinaryOp::Eq => "=",
                            BinaryOp::Ne => "<>",
                            BinaryOp::And => "AND",
                            BinaryOp::Or => "OR",
                            other => other.symbol(),
                        };
                        format!("({a} {sym} {b})")
                    }
                }
            }
            TExprKind::Func { func, .. } => match func {
                Func::Coalesce => format!("COALESCE({})", kids.join(", ")),
                Func::Abs => format!("ABS({})", kids[0]),
                Func::Round => {
                    let digits = match e_arg(e, 1) {
                        Some(TExprKind::Number(n)) => *n as i32,
                        _ => 0,
                    };
                    d.round(&kids[0], digits)
                }
                Func::Least | Func::Greatest => {
                    let any_null: Vec<String> =
                        kids.iter().map(|k| format!("{k} IS NULL")).collect();
                    let f = if *func == Func::Least {
                        "LEAST"
                    } else {
                        "GREATEST"
                    };
                    format!(
                        "(CASE WHEN {} THEN NULL ELSE {f}({}) END)",
                        any_null.join(" OR "),
                        kids.join(", ")
                    )
                }
                // With a date-time on either side, days are fractional, as natively.
                Func::DaysBetween
                    if matches!(&e.kind, TExprKind::Func { args, .. }
                        if args.iter().any(|a| a.ty == Type::DateTime)) =>
                {
                    format!("({} / 24.0)", d.hours_between(&kids[0], &kids[1]))
                }
                Func::DaysBetween => d.days_between(&kids[0], &kids[1]),
                Func::HoursBetween => d.hours_between(&kids[0], &kids[1]),
                Func::ToHours => format!("({} * 24.0)", kids[0]),
                Func::ToDays => format!("(CAST({} AS {double}) / 24.0)", kids[0]),
                // `||` is NULL when any side is, in every dialect (their `concat()`
                // functions skip NULLs, which kpic does not).
                Func::Concat => format!("({})", kids.join(" || ")),
                // Rows where any part is NULL are not counted, as natively; the
                // dialect's row value compares part by part, so no separator is needed.
                Func::Tuple => {
                    let present: Vec<String> =
                        kids.iter().map(|k| format!("{k} IS NOT NULL")).collect();
                    format!(
                        "(CASE WHEN {} THEN {} END)",
                        present.join(" AND "),
                        d.tuple(kids)
                    )
                }
            },
            _ => "NULL".into(),
        }
    }
}

/// Months per unit of a calendar-length period field.
pub(super) fn months_per(f: PeriodField) -> u32 {
    match f {
        PeriodField::Quarters => 3,
        PeriodField::Years => 12,
        _ => 1,
    }
}

fn e_arg(e: &TExpr, i: usize) -> Option<&TExprKind> {
    match &e.kind {
        TExprKind::Func { args, .. } => args.get(i).map(|a| &a.kind),
        _ => None,
    }
}
