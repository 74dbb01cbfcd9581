//! What every database engine shares: the rows a compiled query returns, and how they
//! become the same [`Results`] that the native engine returns (order, missing values
//! with their reasons). The database clients (`postgres.rs`, `duckdb.rs`) only fetch
//! rows.

use crate::ir::Catalog;
use crate::query::{Output, Query, ResultRow, Results, missing};
use std::sync::Arc;

/// One row of a compiled query's result.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlRow {
    pub kpi: String,
    pub grp: String,
    pub breakdown: Option<String>,
    pub value: Option<f64>,
    pub previous: Option<f64>,
    /// Why `value` / `previous` is missing, as the query computed it.
    pub value_reason: Option<String>,
    pub previous_reason: Option<String>,
    /// The sub-period's label, in a time series.
    pub period: Option<String>,
    /// The grouping's label, in a query of several groupings.
    pub grouping: Option<String>,
}

/// Turns database rows into results ordered as the native engine orders them (by
/// grouping, KPI, group, sub-period and breakdown key).
pub fn to_results(catalog: &Catalog, rows: Vec<SqlRow>, query: &Query) -> Results {
    let out = |v: Option<f64>, why: Option<String>| match v {
        Some(x) => Output::Value(x),
        None => Output::Missing(why.unwrap_or_else(|| missing::IN_DATABASE.into())),
    };
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
                value,
                previous,
            })
        })
        .collect();
    result.sort_by(|a, b| {
        let pos = |k: &str| catalog.kpis.get_index_of(k).unwrap_or(usize::MAX);
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
    }
}
