//! Where the model's tables live in a database, and the SQL about the tables
//! themselves: `CREATE TABLE` statements and the latest date they hold.

use super::Dialect;
use crate::ir::Catalog;
use crate::query::DateBound as Bound;
use std::collections::HashMap;

/// Where the model's tables live: an optional schema and per-table renames.
#[derive(Debug, Clone, Default)]
pub struct TableNames {
    pub schema: Option<String>,
    pub rename: HashMap<String, String>,
}

impl TableNames {
    /// The quoted, qualified name of a model table.
    pub fn qualified(&self, dialect: Dialect, table: &str) -> String {
        let name = self.rename.get(table).map_or(table, String::as_str);
        match &self.schema {
            Some(s) => format!("{}.{}", dialect.ident(s), dialect.ident(name)),
            None => dialect.ident(name),
        }
    }
}

/// `CREATE TABLE` statements for every table of the model.
pub fn compile_ddl(catalog: &Catalog, dialect: Dialect, names: &TableNames) -> String {
    let mut out = String::new();
    for t in catalog.tables.values() {
        let cols: Vec<String> = t
            .columns
            .values()
            .map(|c| format!("  {} {}", dialect.ident(&c.name), dialect.column_type(c.ty)))
            .collect();
        out.push_str(&format!(
            "CREATE TABLE {} (\n{}\n);\n",
            names.qualified(dialect, &t.name),
            cols.join(",\n")
        ));
    }
    out
}

/// One SELECT returning one row with one column, `day`: the earliest or latest date
/// in the time columns of the model's tables as days since 1970-01-01 (NULL when the
/// tables hold none), as the native engine finds it (`eval::date_bound`). The latest
/// is what the default period is chosen from
/// ([`crate::query::Period::latest_complete_year`]). `None` when no table has a time
/// column.
pub fn compile_date_bound(
    catalog: &Catalog,
    dialect: Dialect,
    names: &TableNames,
    bound: Bound,
) -> Option<String> {
    let parts: Vec<String> = catalog
        .tables
        .values()
        .filter_map(|t| {
            let col = t.time_column.as_ref()?;
            let day = format!("CAST(t.{} AS DATE)", dialect.ident(col));
            let table = names.qualified(dialect, &t.name);
            Some(match bound {
                Bound::Earliest => format!("SELECT MIN({day}) AS d FROM {table} t"),
                Bound::Latest => format!("SELECT MAX({day}) AS d FROM {table} t"),
                Bound::LatestBy(today) => format!(
                    "SELECT MAX({day}) AS d FROM {table} t WHERE {day} <= {}",
                    dialect.date(&today.to_string())
                ),
            })
        })
        .collect();
    if parts.is_empty() {
        return None;
    }
    let pick = match bound {
        Bound::Earliest => "MIN(kpic_dates.d)",
        Bound::Latest | Bound::LatestBy(_) => "MAX(kpic_dates.d)",
    };
    let days = dialect.days_between(&dialect.date("1970-01-01"), pick);
    Some(format!(
        "SELECT CAST({days} AS {}) AS day FROM (\n{}\n) kpic_dates",
        dialect.double(),
        parts.join("\nUNION ALL\n")
    ))
}
