//! Why a compiled value is NULL: the SQL that names the reason (an aggregate over no
//! rows, a division by zero, else the first missing operand's reason), with the same
//! words as the native engine ([`crate::query::missing`]).

use super::Compiler;
use crate::ir::*;
use crate::query::{YEAR_AGO, missing};
use std::collections::BTreeSet;

impl Compiler<'_> {
    /// SQL for why `e` is NULL (when it is), following the native engine: an
    /// aggregate over no rows, a division by zero, else the first missing operand's
    /// reason. `None` when `e` is never NULL.
    pub(super) fn reason(
        &mut self,
        e: &TExpr,
        back: u32,
        split: Option<&ColumnRef>,
        used: &mut BTreeSet<String>,
    ) -> Option<String> {
        self.guarded(None, |c| c.reason_of(e, back, split, used))
    }
    pub(super) fn reason_of(
        &mut self,
        e: &TExpr,
        back: u32,
        split: Option<&ColumnRef>,
        used: &mut BTreeSet<String>,
    ) -> Option<String> {
        let null_text = || "NULL".to_string();
        match &e.kind {
            TExprKind::Number(_) | TExprKind::Text(_) | TExprKind::Date(_) | TExprKind::Bool(_) => {
                None
            }
            TExprKind::Missing => Some(self.d.string(missing::SET_MISSING)),
            TExprKind::Period(f) => match f {
                PeriodField::Months | PeriodField::Quarters | PeriodField::Years => self
                    .period(back)
                    .length_in_months(super::expr::months_per(*f))
                    .err()
                    .map(|r| self.d.string(r)),
                _ => None,
            },
            TExprKind::IsMissing { .. } => None,
            TExprKind::Ref(id) => {
                let f = self.catalog.formula(id)?;
                self.reason(f, back, split, used)
            }
            TExprKind::Previous(inner) => self.reason(inner, back + 1, split, used),
            TExprKind::Grain(g) => self.grain_reason(g, back, used),
            TExprKind::Member(_) => Some(self.d.string(missing::EMPTY_CELL)),
            TExprKind::YearAgo(inner) => {
                self.reason(inner, back.saturating_add(YEAR_AGO), split, used)
            }
            TExprKind::Aggregate(agg) => match agg.func {
                AggFunc::CountRows | AggFunc::Count | AggFunc::CountDistinct => None,
                // As natively: no rows read, or rows whose values were all missing.
                _ => {
                    let name = self.aggregate_cte(agg, back, split);
                    used.insert(name.clone());
                    let all = missing::all_rows_missing(self.catalog, agg.arg.as_ref());
                    Some(format!(
                        "(CASE WHEN COALESCE({name}.n, 0) = 0 THEN {} ELSE {} END)",
                        self.d.string(missing::NO_ROWS),
                        self.d.string(all)
                    ))
                }
            },
            TExprKind::Neg(x) | TExprKind::Not(x) => self.reason(x, back, split, used),
            TExprKind::Binary { .. } if let Some(terms) = super::chain::terms(e) => {
                Some(self.chain_reason(&terms, back, split, used))
            }
            TExprKind::Binary { op, left, right } => {
                let a = self.scope(left, back, split, used);
                let b = self.scope(right, back, split, used);
                let ra = self
                    .reason(left, back, split, used)
                    .unwrap_or_else(null_text);
                let rb = self
                    .reason(right, back, split, used)
                    .unwrap_or_else(null_text);
                if *op == crate::vocab::BinaryOp::Div {
                    Some(format!(
                        "(CASE WHEN {a} IS NULL THEN {ra} WHEN {b} IS NULL THEN {rb} WHEN {b} = 0 THEN {} END)",
                        self.d.string(missing::DIVISION_BY_ZERO)
                    ))
                } else {
                    Some(format!("(CASE WHEN {a} IS NULL THEN {ra} ELSE {rb} END)"))
                }
            }
            TExprKind::If {
                condition,
                then,
                otherwise,
            } => {
                let c = self.scope(condition, back, split, used);
                let rc = self
                    .reason(condition, back, split, used)
                    .unwrap_or_else(null_text);
                let ra = self
                    .reason(then, back, split, used)
                    .unwrap_or_else(null_text);
                let rb = self
                    .reason(otherwise, back, split, used)
                    .unwrap_or_else(null_text);
                Some(format!(
                    "(CASE WHEN {c} IS NULL THEN {rc} WHEN {c} THEN {ra} ELSE {rb} END)"
                ))
            }
            TExprKind::Func { args, .. } => {
                // The first missing argument's reason (coalesce is missing only when all are).
                let mut arms = String::new();
                for a in args {
                    let v = self.scope(a, back, split, used);
                    let r = self.reason(a, back, split, used).unwrap_or_else(null_text);
                    arms.push_str(&format!(" WHEN {v} IS NULL THEN {r}"));
                }
                Some(format!("(CASE{arms} END)"))
            }
            _ => None,
        }
    }
}
