//! Running a compiled query on PostgreSQL and reading its rows back as [`SqlRow`]s.

use super::SqlRow;
use crate::query::QueryError;

/// Runs `sql` on the PostgreSQL server at `url`.
pub fn query(url: &str, sql: &str) -> Result<Vec<SqlRow>, QueryError> {
    let rows = connect(url)?
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
                // Only a time series and a query of several groupings have these.
                period: optional_text(r, "period")?,
                grouping: optional_text(r, "grouping")?,
                members_counted: optional_text(r, "members_counted")?,
                members_skipped: optional_text(r, "members_skipped")?,
            })
        })
        .collect()
}

/// The text column `name` of a row, if the query has one.
fn optional_text(r: &postgres::Row, name: &str) -> Result<Option<String>, QueryError> {
    if r.columns().iter().any(|c| c.name() == name) {
        r.try_get(name).map_err(column_error)
    } else {
        Ok(None)
    }
}

/// Runs `sql`, a query of one text column, and returns its values (`None` for NULL)
/// in the order the query gave them.
pub fn query_texts(url: &str, sql: &str) -> Result<Vec<Option<String>>, QueryError> {
    let rows = connect(url)?
        .query(sql, &[])
        .map_err(|e| QueryError(format!("PostgreSQL refused the query: {e}")))?;
    rows.iter()
        .map(|r| r.try_get(0).map_err(column_error))
        .collect()
}

/// Runs `sql`, a query of one row with one DOUBLE PRECISION column, and returns that
/// value (`None` for NULL).
pub fn query_number(url: &str, sql: &str) -> Result<Option<f64>, QueryError> {
    let row = connect(url)?
        .query_one(sql, &[])
        .map_err(|e| QueryError(format!("PostgreSQL refused the query: {e}")))?;
    row.try_get(0).map_err(column_error)
}

pub(crate) fn connect(url: &str) -> Result<postgres::Client, QueryError> {
    postgres::Client::connect(url, postgres::NoTls).map_err(|e| {
        QueryError(format!(
            "cannot connect to PostgreSQL at {}: {e}",
            redact(url)
        ))
    })
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
