//! The answer to a query, the same from every engine: one row per KPI, group and
//! breakdown key, with the period's value, the previous period's and the change.

use super::{Compare, Every, Money, Scope};
use crate::ir::Unit;
use serde::{Serialize, Serializer};
use std::borrow::Cow;
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
    /// `value - previous`, when both exist: exact money when both are
    /// ([`Output::Money`]), else a number (never [`Output::Missing`]).
    #[serde(serialize_with = "number_or_null")]
    pub change: Option<Output>,
    /// How the value was obtained, where that is worth saying next to it: for a KPI
    /// that is an aggregate over members (`avg(x per accounts)`), how many members it
    /// folded and how many it skipped, and why. Native engine only, so it is not part
    /// of the results' JSON, which is the same from every engine (`--explain` shows
    /// it).
    #[serde(skip)]
    pub note: Option<String>,
    /// For a KPI whose value is an aggregate over members (`avg(x per accounts)`,
    /// directly or through the measures it names): how many members the value folded
    /// and how many it skipped because their own value was missing. The same from
    /// every engine (the SQL counts them in the grain CTE); absent for other KPIs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<MemberTally>,
    /// The KPI's target for this row's period and group (absent for a KPI without
    /// one; missing with the reason when it has none here). Set once, after the
    /// engine returned, by [`super::apply_targets`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Output>,
    /// Where the target comes from, for a target attached by a `target` item (its
    /// `source:`); absent for a KPI's own `target:`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_source: Option<Arc<str>>,
    /// `value - target` in the KPI's unit (exact for money), when both exist.
    #[serde(
        serialize_with = "number_or_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub gap: Option<Output>,
    /// Green, amber or red against the thresholds, or why there is none; absent for
    /// a KPI without target or thresholds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<super::Status>,
    /// The catalog's benchmarks that apply to this row's KPI and scope, with where
    /// the value stands against each. Set once, after the engine returned, by
    /// [`super::apply_benchmarks`]; absent from JSON when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub benchmarks: Vec<super::Standing>,
    /// For a ratio or an average: the count it was computed from, against the
    /// small-sample threshold. Set once, after the engine returned, by
    /// [`super::apply_samples`]; absent for other KPIs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample: Option<super::Sample>,
    /// For a proportion of whole counts: its 95% Wilson score interval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<super::Interval>,
}

/// How many members an aggregate over members folded into a value and how many it
/// skipped (members the `where` left out are neither).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberTally {
    /// What the members are, as written after `per` (`accounts`, `accounts.manager`).
    pub over: Arc<str>,
    /// Members whose value was folded.
    pub counted: u64,
    /// Members kept by the filter whose value was missing, so left out.
    pub skipped: u64,
}

impl MemberTally {
    /// The short note the table output shows: `38 counted, 2 skipped (accounts)`.
    pub fn describe(&self) -> String {
        let mut s = format!("{} counted", self.counted);
        if self.skipped > 0 {
            s.push_str(&format!(", {} skipped", self.skipped));
        }
        s.push_str(&format!(" ({})", self.over));
        s
    }
}

/// A computed value or the reason there is none. JSON writes `{"value": number}` for
/// both kinds of number (money with every digit of the exact amount, written as a
/// number, not a string) and `{"missing": reason}`.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    Value(f64),
    /// An exact amount of money: sums of money (and what only adds, subtracts or picks
    /// them) are never rounded through a double on their way to the output.
    Money(Money),
    /// Why there is no value. The native engine's reasons are fixed texts, borrowed
    /// rather than copied into every row (per account there are millions).
    Missing(Cow<'static, str>),
}

impl Output {
    /// The value as a double (the nearest one, for money), `None` when missing.
    pub fn number(&self) -> Option<f64> {
        match self {
            Output::Value(v) => Some(*v),
            Output::Money(m) => Some(m.to_f64()),
            Output::Missing(_) => None,
        }
    }

    /// The value as plain decimal text (every digit of exact money; a double as Rust
    /// writes it), empty when missing: what CSV cells hold.
    pub fn plain(&self) -> String {
        match self {
            Output::Value(v) => v.to_string(),
            Output::Money(m) => m.to_string(),
            Output::Missing(_) => String::new(),
        }
    }
}

impl Serialize for Output {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Output::Value(v) => s.serialize_newtype_variant("Output", 0, "value", v),
            Output::Money(m) => {
                s.serialize_newtype_variant("Output", 0, "value", &exact_number(*m)?)
            }
            Output::Missing(r) => s.serialize_newtype_variant("Output", 2, "missing", r),
        }
    }
}

/// Exact money as a JSON number token (not a string, and not the nearest double).
fn exact_number<E: serde::ser::Error>(m: Money) -> Result<Box<serde_json::value::RawValue>, E> {
    serde_json::value::RawValue::from_string(m.json_text()).map_err(E::custom)
}

/// A change as a bare JSON number (exact for money), or `null`.
pub(super) fn number_or_null<S: Serializer>(c: &Option<Output>, s: S) -> Result<S::Ok, S::Error> {
    match c {
        Some(Output::Value(v)) => s.serialize_some(v),
        Some(Output::Money(m)) => s.serialize_some(&exact_number::<S::Error>(*m)?),
        _ => s.serialize_none(),
    }
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
    /// The catalog's diagnostic rules over every scope row (group, grouping,
    /// sub-period), for the rules whose KPIs the request computed: fired with their
    /// message, not fired, or not evaluated and why. Set once, after the engine
    /// returned, by [`super::apply_rules`]; absent from JSON when no rule applied.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<super::RuleOutcome>,
}

impl Results {
    /// How many rows belong to KPIs whose id starts with `prefix` (the hidden KPIs a
    /// pass folds back into the visible rows: maps of them are sized once).
    pub fn count_kpis_prefixed(&self, prefix: &str) -> usize {
        self.rows
            .iter()
            .filter(|r| r.kpi.starts_with(prefix))
            .count()
    }
}

fn is_previous(c: &Compare) -> bool {
    *c == Compare::Previous
}

/// `value - previous`, when both exist. Between two exact amounts of money the change
/// is their exact difference; between two money values that are whole
/// ten-thousandths (a database's double, say) it is too, without the float noise of
/// subtracting doubles (-1257043.96, not -1257043.959999999); other values subtract as
/// they are.
pub fn change(unit: Unit, value: &Output, previous: &Output) -> Option<Output> {
    if let (Output::Money(a), Output::Money(b)) = (value, previous) {
        return Some(
            a.checked_sub(*b)
                .map_or_else(|| Output::Value(a.to_f64() - b.to_f64()), Output::Money),
        );
    }
    let (a, b) = (value.number()?, previous.number()?);
    if unit == Unit::Money
        && let (Some(x), Some(y)) = (ten_thousandths(a), ten_thousandths(b))
    {
        return Some(Output::Money(Money::from_ten_thousandths(x - y)));
    }
    Some(Output::Value(a - b))
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
        let money = |n: i128| Some(Output::Money(Money::from_ten_thousandths(n)));
        // -1,257,043.96 exactly
        assert_eq!(
            change(Unit::Money, &v(1_000_000.01), &v(2_257_043.97)),
            money(-12_570_439_600)
        );
        assert_eq!(1_000_000.01 - 2_257_043.97, -1_257_043.9600000002);
        assert_eq!(change(Unit::Count, &v(3.0), &v(1.0)), Some(v(2.0)));
        // An average of money is not a whole number of ten-thousandths: as it is.
        assert_eq!(
            change(Unit::Money, &v(25894.045208333333), &v(30339.648076923077)),
            Some(v(25894.045208333333 - 30339.648076923077))
        );
        // Exact amounts past a double's 15-16 digits: the exact difference.
        let exact = |n: i128| Output::Money(Money::from_ten_thousandths(n));
        assert_eq!(
            change(
                Unit::Money,
                &exact(1_000_000_000_000_000_012_500),
                &exact(10_000_000_000_000_000_100)
            ),
            money(990_000_000_000_000_012_400)
        );
        assert_eq!(
            change(Unit::Money, &v(1.0), &Output::Missing("no rows".into())),
            None
        );
    }
}
