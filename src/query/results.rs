//! The answer to a query, the same from every engine: one row per KPI, group and
//! breakdown key, with the period's value, the previous period's and the change.

use super::Scope;
use crate::ir::Unit;
use serde::Serialize;
use std::sync::Arc;

/// One computed value, with the previous period's and the change.
#[derive(Debug, Clone, Serialize)]
pub struct ResultRow {
    /// Shared by every row of the KPI (per account, there are millions of rows).
    pub kpi: Arc<str>,
    pub name: Arc<str>,
    pub unit: Unit,
    /// The segment or account (empty for the portfolio), shared by its KPIs' rows.
    pub group: Arc<str>,
    /// The breakdown key, for breakdown KPIs.
    pub breakdown: Option<String>,
    pub value: Output,
    pub previous: Output,
    /// `value - previous`, when both exist.
    pub change: Option<f64>,
    /// How the value was obtained, where that is worth saying next to it: for a KPI
    /// that is an aggregate over members (`avg(x per accounts)`), how many members it
    /// folded and how many it skipped, and why. Native engine only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A computed value or the reason there is none.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Output {
    Value(f64),
    Missing(String),
}

/// The result of a query.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    pub period: String,
    pub previous_period: String,
    pub scope: Scope,
    pub rows: Vec<ResultRow>,
    /// Requested KPIs that could not be computed (a table they read is not in the
    /// dataset), each with why; absent from JSON when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unavailable: Vec<super::Unavailable>,
}

/// `value - previous`, when both exist. Between two amounts of money (values in whole
/// ten-thousandths, as sums of money are) the change is the exact difference, without
/// the float noise of subtracting their nearest doubles (-1257043.96, not
/// -1257043.959999999); other values subtract as they are.
pub fn change(unit: Unit, value: &Output, previous: &Output) -> Option<f64> {
    let (Output::Value(a), Output::Value(b)) = (value, previous) else {
        return None;
    };
    if unit == Unit::Money
        && let (Some(x), Some(y)) = (ten_thousandths(*a), ten_thousandths(*b))
    {
        return Some(crate::data::money_value(x - y));
    }
    Some(a - b)
}

/// The whole number of ten-thousandths `v` stands for, if it is one (up to the error
/// of its nearest double).
fn ten_thousandths(v: f64) -> Option<i128> {
    let scaled = v * crate::data::MONEY_SCALE as f64;
    let whole = scaled.round();
    (whole.abs() < 9e15 && (scaled - whole).abs() < 1e-3).then_some(whole as i128)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_changes_have_no_float_noise() {
        let v = |x: f64| Output::Value(x);
        assert_eq!(
            change(Unit::Money, &v(1_000_000.01), &v(2_257_043.97)),
            Some(-1_257_043.96)
        );
        assert_eq!(1_000_000.01 - 2_257_043.97, -1_257_043.9600000002);
        assert_eq!(change(Unit::Count, &v(3.0), &v(1.0)), Some(2.0));
        // An average of money is not a whole number of ten-thousandths: as it is.
        assert_eq!(
            change(Unit::Money, &v(25894.045208333333), &v(30339.648076923077)),
            Some(25894.045208333333 - 30339.648076923077)
        );
        assert_eq!(
            change(Unit::Money, &v(1.0), &Output::Missing("no rows".into())),
            None
        );
    }
}
