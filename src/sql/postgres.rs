//! Running a compiled query on PostgreSQL and reading the rows back into the same
//! [`Results`] that the native evaluator returns.

use crate::eval::{Output, QueryError, ResultRow, Results};
use crate::ir::Catalog;

/// The reason shown when the query gave none (it always does for compiled KPIs).
pub const MISSING_IN_DATABASE: &str = "no value (no rows, an empty cell or a division by zero)";

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

/// Runs `sql` on the PostgreSQL server at `url`.
pub fn query(url: &str, sql: &str) -> Result<Vec<SqlRow>, QueryError> {
    let mut client = postgres::Client::connect(url, postgres::NoTls).map_err(|e| {
        QueryError(format!(
            "cannot connect to PostgreSQL at {}: {e}",
            redact(url)
        ))
    })?;
    let rows = client
        .query(sql, &[])
        .map_err(|e| QueryError(format!("PostgreSQL refused the query: {e}")))?;
    rows.iter()
        .map(|r| {
            Ok(SqlRow {
                kpi: r.try_get(0).map_err(column_error)?,
                grp: r.try_get(1).map_err(column_error)?,
                breakdown: r.try_get(2).map_err(column_error)?,
                value: r.try_get(3).map_err(column_error)?,
                previous: r.try_get(4).map_err(column_error)?,
                value_reason: r.try_get(5).map_err(column_error)?,
                previous_reason: r.try_get(6).map_err(column_error)?,
            })
        })
        .collect()
}

fn column_error(e: postgres::Error) -> QueryError {
    QueryError(format!("unexpected result column from PostgreSQL: {e}"))
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Turns database rows into results ordered as the native engine orders them.
pub fn to_results(
    catalog: &Catalog,
    rows: Vec<SqlRow>,
    period: &str,
    previous: &str,
    scope: crate::eval::Scope,
) -> Results {
    let out = |v: Option<f64>, why: Option<String>| match v {
        Some(x) => Output::Value(x),
        None => Output::Missing(why.unwrap_or_else(|| MISSING_IN_DATABASE.into())),
    };
    let mut result: Vec<ResultRow> = rows
        .into_iter()
        .filter_map(|r| {
            let kpi = catalog.kpis.get(&r.kpi)?;
            Some(ResultRow {
                kpi: r.kpi.clone(),
                name: kpi.name.clone(),
                unit: kpi.unit,
                group: r.grp,
                breakdown: r.breakdown,
                change: match (r.value, r.previous) {
                    (Some(a), Some(b)) => Some(a - b),
                    _ => None,
                },
                value: out(r.value, r.value_reason),
                previous: out(r.previous, r.previous_reason),
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
    }
}
