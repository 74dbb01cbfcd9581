//! A request checked against the catalog before any engine runs it, so that every
//! engine refuses the same requests with the same words (and a "did you mean").

use super::{Filter, Scope};
use crate::diagnostic::did_you_mean;
use crate::ir::{Catalog, ColumnType, KpiDef, TableDef};

/// A request that names only what the catalog has.
pub struct Validated<'a> {
    /// The requested KPIs in the order asked (every KPI of the catalog when none was).
    pub kpis: Vec<&'a KpiDef>,
    /// The `accounts` table of the model.
    pub accounts: &'a TableDef,
    /// Its key column.
    pub key: &'a str,
}

/// Checks the KPIs, the grouping dimensions and the filter columns of a request.
pub fn validate<'a>(
    catalog: &'a Catalog,
    kpis: &[String],
    scope: &Scope,
    filters: &[Filter],
) -> Result<Validated<'a>, super::QueryError> {
    let kpis: Vec<&KpiDef> = if kpis.is_empty() {
        catalog.kpis.values().collect()
    } else {
        kpis.iter()
            .map(|id| {
                catalog.kpis.get(id).ok_or_else(|| {
                    let hint = hint(did_you_mean(id, catalog.kpis.keys().map(String::as_str)));
                    format!("no KPI named `{id}`{hint}")
                })
            })
            .collect::<Result<_, _>>()?
    };
    let accounts = catalog
        .tables
        .get("accounts")
        .ok_or_else(|| "the data model has no `accounts` table".to_string())?;
    let key = accounts
        .key
        .as_deref()
        .ok_or_else(|| "`accounts` has no key column".to_string())?;
    for dim in scope.dimensions() {
        if accounts.columns.get(dim).is_some_and(|c| c.dimension) {
            continue;
        }
        if let Some((table, column)) = dim.split_once('.') {
            fact_dimension(catalog, scope, table, column)?;
            continue;
        }
        let dims: Vec<&str> = accounts
            .columns
            .values()
            .filter(|c| c.dimension)
            .map(|c| c.name.as_str())
            .collect();
        let hint = hint(did_you_mean(dim, dims.iter().copied()));
        return Err(format!(
            "`{dim}` is not a dimension of accounts{hint}; dimensions: {}",
            dims.join(", ")
        )
        .into());
    }
    for f in filters {
        let Some(col) = accounts.columns.get(&f.column) else {
            let hint = hint(did_you_mean(
                &f.column,
                accounts.columns.keys().map(String::as_str),
            ));
            return Err(format!("accounts have no column `{}`{hint}", f.column).into());
        };
        if !matches!(col.ty, ColumnType::Text | ColumnType::Bool) {
            return Err(format!(
                "`accounts.{}` is not text; segment and filter by text columns",
                f.column
            )
            .into());
        }
    }
    Ok(Validated {
        kpis,
        accounts,
        key,
    })
}

/// Checks `--by TABLE.COLUMN`: a dimension of a table of the model, grouped by alone.
fn fact_dimension(
    catalog: &Catalog,
    scope: &Scope,
    table: &str,
    column: &str,
) -> Result<(), super::QueryError> {
    if scope.dimensions().len() > 1 {
        return Err(format!(
            "`{table}.{column}` cannot be crossed with other dimensions: group by a \
             dimension of a table alone (`--by {table}.{column}`)"
        )
        .into());
    }
    let Some(def) = catalog.tables.get(table) else {
        let hint = hint(did_you_mean(
            table,
            catalog.tables.keys().map(String::as_str),
        ));
        return Err(
            format!("`--by {table}.{column}`: the model has no table `{table}`{hint}").into(),
        );
    };
    if def.columns.get(column).is_some_and(|c| c.dimension) {
        return Ok(());
    }
    let dims: Vec<&str> = def
        .columns
        .values()
        .filter(|c| c.dimension)
        .map(|c| c.name.as_str())
        .collect();
    let hint = hint(did_you_mean(column, dims.iter().copied()));
    Err(format!(
        "`{column}` is not a dimension of {table}{hint}; dimensions: {}",
        if dims.is_empty() {
            "none".to_string()
        } else {
            dims.join(", ")
        }
    )
    .into())
}

fn hint(h: Option<String>) -> String {
    h.map(|h| format!("; {h}")).unwrap_or_default()
}
