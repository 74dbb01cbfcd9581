//! The answer to a query, the same from every engine: one row per KPI, group and
//! breakdown key, with the period's value, the previous period's and the change.

use super::{Compare, Every, Scope};
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
    /// In a time series (`--every`), the sub-period of this value, and the period it
    /// is compared with; absent otherwise (the whole query's period).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compared_with: Option<Arc<str>>,
    /// In a run of several groupings, the grouping of `group` (`portfolio`,
    /// `industry`, `industry,region`, `account`); absent in a run of one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grouping: Option<Arc<str>>,
    pub value: Output,
    pub previous: Output,
    /// `value - previous`, when both exist.
    pub change: Option<f64>,
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
    /// The period the values are compared with (for a time series, the comparison
    /// of the whole period; each row names its own in `compared_with`).
    pub previous_period: String,
    /// What `previous` holds: the period before (`previous`, left out of JSON as
    /// it always was) or the same period a year earlier (`year_ago`).
    #[serde(skip_serializing_if = "is_previous")]
    pub compare: Compare,
    /// The sub-period length of a time series, when the query is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub every: Option<Every>,
    pub scope: Scope,
    pub rows: Vec<ResultRow>,
    /// Requested KPIs that could not be computed (a table they read is not in the
    /// dataset), each with why; absent from JSON when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unavailable: Vec<super::Unavailable>,
}

fn is_previous(c: &Compare) -> bool {
    *c == Compare::Previous
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
