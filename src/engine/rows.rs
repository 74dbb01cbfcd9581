//! What every database engine shares: the rows a compiled query returns, and how they
//! become the same [`Results`] that the native engine returns (order, missing values
//! with their reasons). The database clients (`postgres.rs`, `duckdb.rs`) only fetch
//! rows.

use crate::ir::{Catalog, Unit};
use crate::query::{MemberTally, Money, Output, Query, ResultRow, Results, missing};
use std::sync::Arc;

/// One row of a compiled query's result.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlRow {
    pub kpi: String,
    pub grp: String,
    pub breakdown: Option<String>,
    /// The value as the database wrote it (the query casts it to text): a DECIMAL
    /// with every digit, a double with enough digits to read back the same.
    pub value: Option<String>,
    pub previous: Option<String>,
    /// Why `value` / `previous` is missing, as the query computed it.
    pub value_reason: Option<String>,
    pub previous_reason: Option<String>,
    /// The sub-period's label, in a time series.
    pub period: Option<String>,
    /// The grouping's label, in a query of several groupings.
    pub grouping: Option<String>,
    /// For a KPI that is an aggregate over members: the members its value folded and
    /// skipped, as text (NULL for other KPIs).
    pub members_counted: Option<String>,
    pub members_skipped: Option<String>,
}

impl SqlRow {
    /// `value` as a double (the nearest one, for a DECIMAL), `None` when NULL or not a
    /// number.
    pub fn value_f64(&self) -> Option<f64> {
        self.value.as_deref()?.trim().parse().ok()
    }

    /// `previous` as a double, like [`SqlRow::value_f64`].
    pub fn previous_f64(&self) -> Option<f64> {
        self.previous.as_deref()?.trim().parse().ok()
    }
}

/// Turns database rows into results ordered as the native engine orders them (by
/// grouping, KPI in the order asked, group, sub-period and breakdown key).
pub fn to_results(catalog: &Catalog, rows: Vec<SqlRow>, query: &Query) -> Results {
    let step = query.compare.step();
    // The sub-periods in order, with the label of each one's comparison.
    let periods: Vec<(String, Arc<str>)> = query
        .periods()
        .unwrap_or_default()
        .into_iter()
        .map(|p| (p.label(), p.back(step).label().into()))
        .collect();
    let position = |p: &Option<Arc<str>>| {
        p.as_deref()
            .and_then(|p| periods.iter().position(|(l, _)| l == p))
    };
    let scopes: Vec<&crate::query::Scope> = std::iter::once(&query.scope)
        .chain(&query.groupings)
        .collect();
    let groupings: Vec<String> = scopes.iter().map(|s| s.label()).collect();
    let mut result: Vec<ResultRow> = rows
        .into_iter()
        .filter_map(|r| {
            let kpi = catalog.kpis.get(&r.kpi)?;
            let out = |v: Option<String>, why: Option<String>| match v {
                Some(text) => number(&text, kpi.unit),
                None => Output::Missing(why.map_or(missing::IN_DATABASE.into(), Into::into)),
            };
            let members = tally(catalog, kpi, &r.members_counted, &r.members_skipped);
            let value = out(r.value, r.value_reason);
            let previous = out(r.previous, r.previous_reason);
            let compared_with = r
                .period
                .as_deref()
                .and_then(|p| periods.iter().find(|(l, _)| l == p).map(|(_, c)| c.clone()));
            Some(ResultRow {
                kpi: r.kpi.as_str().into(),
                name: kpi.name.as_str().into(),
                unit: kpi.unit,
                group: r.grp.into(),
                breakdown: r.breakdown,
                period: r.period.map(Arc::from),
                compared_with,
                grouping: r.grouping.map(Arc::from),
                change: crate::query::change(kpi.unit, &value, &previous),
                note: None,
                members,
                value,
                previous,
                target: None,
                target_source: None,
                gap: None,
                status: None,
                benchmarks: Vec::new(),
                sample: None,
                interval: None,
            })
        })
        .collect();
    result.sort_by(|a, b| {
        // The KPIs in the order asked, as natively (the catalog's when none was named).
        let pos = |k: &str| match query.kpis.is_empty() {
            true => catalog.kpis.get_index_of(k),
            false => query.kpis.iter().position(|q| q == k),
        };
        let pos = |k: &str| pos(k).unwrap_or(usize::MAX);
        let grouping = |g: &Option<Arc<str>>| {
            g.as_deref()
                .and_then(|g| groupings.iter().position(|x| x == g))
        };
        (
            grouping(&a.grouping),
            pos(&a.kpi),
            &a.group,
            position(&a.period),
            &a.breakdown,
        )
            .cmp(&(
                grouping(&b.grouping),
                pos(&b.kpi),
                &b.group,
                position(&b.period),
                &b.breakdown,
            ))
    });
    Results {
        period: query.period.label(),
        previous_period: query.period.back(step).label(),
        compare: query.compare,
        every: query.every,
        scope: query.scope.clone(),
        rows: result,
        unavailable: Vec::new(),
        rules: Vec::new(),
    }
}

/// The member counts of a KPI that is an aggregate over members, read from the
/// query's `members_counted` and `members_skipped` columns (`None` for other KPIs, or
/// when the database did not return both as whole numbers).
fn tally(
    catalog: &Catalog,
    kpi: &crate::ir::KpiDef,
    counted: &Option<String>,
    skipped: &Option<String>,
) -> Option<MemberTally> {
    let g = catalog.grain_of(&kpi.formula)?;
    let whole = |t: &Option<String>| -> Option<u64> {
        let t = t.as_deref()?.trim();
        // Some databases write a count cast to text with a fraction (`3.0`).
        t.parse::<u64>().ok().or_else(|| {
            t.parse::<f64>()
                .ok()
                .filter(|x| *x >= 0.0)
                .map(|x| x as u64)
        })
    };
    Some(MemberTally {
        over: g.members.label().into(),
        counted: whole(counted)?,
        skipped: whole(skipped)?,
    })
}

/// A value the database wrote as text: money that is a whole number of
/// ten-thousandths (a DECIMAL total, `1234.5000`) exactly, anything else as the double
/// it reads as.
pub fn number(text: &str, unit: Unit) -> Output {
    let text = text.trim();
    if unit == Unit::Money
        && let Some(m) = Money::parse(text)
    {
        return Output::Money(m);
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Output::Value(v),
        _ => Output::Missing(format!("the database returned `{text}`, not a number").into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_numbers_read_exactly() {
        let exact = |n: i128| Output::Money(Money::from_ten_thousandths(n));
        assert_eq!(
            number("100000000000000001.2500", Unit::Money),
            exact(1_000_000_000_000_000_012_500)
        );
        assert_eq!(number("-0.5", Unit::Money), exact(-5_000));
        // an average of money is a double
        assert_eq!(
            number("25894.045208333333", Unit::Money),
            Output::Value(25894.045208333333)
        );
        assert_eq!(number("1e-07", Unit::Ratio), Output::Value(1e-7));
        assert_eq!(number("1234.5000", Unit::Count), Output::Value(1234.5));
        assert!(matches!(number("NaN", Unit::Ratio), Output::Missing(_)));
    }
}
