//! What every database engine shares: the rows a compiled query returns, and how they
//! become the same [`Results`] that the native engine returns (order, missing values
//! with their reasons). The database clients (`postgres.rs`, `duckdb.rs`) only fetch
//! rows.

use crate::ir::Catalog;
use crate::query::{Output, ResultRow, Results, Scope, missing};

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
}

/// Turns database rows into results ordered as the native engine orders them.
pub fn to_results(
    catalog: &Catalog,
    rows: Vec<SqlRow>,
    period: &str,
    previous: &str,
    scope: Scope,
) -> Results {
    let out = |v: Option<f64>, why: Option<String>| match v {
        Some(x) => Output::Value(x),
        None => Output::Missing(why.unwrap_or_else(|| missing::IN_DATABASE.into())),
    };
    let mut result: Vec<ResultRow> = rows
        .into_iter()
        .filter_map(|r| {
            let kpi = catalog.kpis.get(&r.kpi)?;
            let value = out(r.value, r.value_reason);
            let previous = out(r.previous, r.previous_reason);
            Some(ResultRow {
                kpi: r.kpi.as_str().into(),
                name: kpi.name.as_str().into(),
                unit: kpi.unit,
                group: r.grp.into(),
                breakdown: r.breakdown,
                change: crate::query::change(kpi.unit, &value, &previous),
                note: None,
                value,
                previous,
            })
        })
        .collect();
    result.sort_by(|a, b| {
        let pos = |k: &str| catalog.kpis.get_index_of(k).unwrap_or(usize::MAX);
        (pos(&a.kpi), &a.group, &a.breakdown).cmp(&(pos(&b.kpi), &b.group, &b.breakdown))
    });
    Results {
        period: period.to_string(),
        previous_period: previous.to_string(),
        scope,
        rows: result,
        unavailable: Vec::new(),
    }
}
