//! Grouping by a dimension of a fact table (`--by orders.product_line`): which KPIs it
//! can split — those whose every aggregate reads that table, so each row falls in
//! exactly one group — and why the others cannot be.

use super::{QueryError, Scope, Unavailable, tables_read};
use crate::ir::{Catalog, ColumnRef, KpiDef};

impl Scope {
    /// The column of a fact table's dimension this scope groups by
    /// (`--by orders.product_line`), if it is one; a dimension of `accounts` is
    /// written without its table.
    pub fn fact_dimension(&self) -> Option<ColumnRef> {
        match self {
            Scope::By(dim) if !dim.contains(',') => {
                let (table, column) = dim.trim().split_once('.')?;
                Some(ColumnRef {
                    table: table.to_string(),
                    column: column.to_string(),
                })
            }
            _ => None,
        }
    }
}

/// How the reason of a KPI that a fact table's dimension cannot split begins.
pub const NOT_SPLIT: &str = "not split by";

/// The KPIs a fact-table dimension `by` splits, in order, and the others with the
/// reason: a KPI reading another table (or `accounts`), or with a breakdown of its
/// own, has no one value per value of the column. An error, with the first reason,
/// when it splits none of them.
pub fn split_by_fact<'a>(
    catalog: &'a Catalog,
    kpis: &[&'a KpiDef],
    by: &ColumnRef,
) -> Result<(Vec<&'a KpiDef>, Vec<Unavailable>), QueryError> {
    let (mut split, mut not) = (Vec::new(), Vec::new());
    for kpi in kpis {
        if kpi.breakdown.is_some() {
            not.push(Unavailable {
                kpi: kpi.id.clone(),
                reason: format!(
                    "{NOT_SPLIT} `{}.{}`: it has a breakdown of its own",
                    by.table, by.column
                ),
            });
            continue;
        }
        let tables = tables_read(catalog, kpi);
        let others: Vec<&str> = tables.iter().copied().filter(|t| *t != by.table).collect();
        if tables.contains(by.table.as_str()) && others.is_empty() {
            split.push(*kpi);
        } else {
            let what = if others.is_empty() {
                "it reads no table".to_string()
            } else {
                format!(
                    "it reads {}, which {} no column `{}`",
                    others
                        .iter()
                        .map(|t| format!("`{t}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    if others.len() == 1 { "has" } else { "have" },
                    by.column
                )
            };
            not.push(Unavailable {
                kpi: kpi.id.clone(),
                reason: format!("{NOT_SPLIT} `{}.{}`: {what}", by.table, by.column),
            });
        }
    }
    if split.is_empty()
        && let Some(first) = not.first()
    {
        return Err(QueryError(format!(
            "no KPI asked for can be grouped by `{}.{}`: only KPIs whose every aggregate \
             reads `{}` can (`{}`: {})",
            by.table, by.column, by.table, first.kpi, first.reason
        )));
    }
    Ok((split, not))
}
