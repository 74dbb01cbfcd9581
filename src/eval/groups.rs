//! Which group (portfolio, segment or account) each row belongs to: computed once per
//! request from the scope and the account filters, shared by every table scan.

use super::NONE;
use super::row_map::RowMap;
use crate::data::{Column, Dataset, NO_TEXT};
use crate::ir::{Catalog, TExpr, TExprKind, TableDef};
use crate::query::{Filter, QueryError, Scope};
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

/// Which group each account belongs to.
pub struct Groups {
    /// Group names in output order (empty name for the portfolio).
    pub names: Vec<Arc<str>>,
    /// Account key -> account row.
    account_row: HashMap<Arc<str>, usize>,
    /// Per table: the account row of each row (`NONE` where it has none).
    accounts_of: HashMap<String, Arc<[u32]>>,
    /// Per account row: its group, `NONE` when filtered out (for [`RowMap`]s).
    slot_of_account: Arc<[u32]>,
    /// The group of a row without an account: the portfolio's (0) when the scope is
    /// the whole portfolio with no account filter, else none.
    unmatched: u32,
}

impl Groups {
    pub fn new(
        catalog: &Catalog,
        data: &Dataset,
        scope: &Scope,
        filters: &[Filter],
    ) -> Result<Groups, QueryError> {
        let def = catalog
            .tables
            .get("accounts")
            .ok_or_else(|| QueryError("the data model has no `accounts` table".into()))?;
        let table = data
            .tables
            .get("accounts")
            .ok_or_else(|| QueryError("the dataset has no accounts".into()))?;
        let key = def.key.clone().unwrap_or_default();
        let text_col = |name: &str| -> Result<&Column, QueryError> {
            let col = table.columns.get(name).ok_or_else(|| {
                let hint =
                    crate::diagnostic::did_you_mean(name, def.columns.keys().map(String::as_str))
                        .map(|h| format!("; {h}"))
                        .unwrap_or_default();
                QueryError(format!("accounts have no column `{name}`{hint}"))
            })?;
            match col {
                Column::Text { .. } | Column::Bool { .. } => Ok(col),
                _ => Err(QueryError(format!(
                    "`accounts.{name}` is not text; segment and filter by text columns"
                ))),
            }
        };
        let cell = |col: &Column, i: usize| -> String {
            match col {
                Column::Text { .. } => col.text(i).unwrap_or("(missing)").to_string(),
                Column::Bool { values } => values[i].map_or("(missing)".into(), |b| b.to_string()),
                _ => String::new(),
            }
        };
        let keys = text_col(&key)?;
        let mut account_row = HashMap::new();
        if let Column::Text { codes, dict } = keys {
            for (i, c) in codes.iter().enumerate() {
                if *c != NO_TEXT {
                    account_row.insert(Arc::from(dict.get(*c).unwrap_or_default()), i);
                }
            }
        }
        let filter_cols: Vec<(&Column, &str)> = filters
            .iter()
            .map(|f| Ok((text_col(&f.column)?, f.value.as_str())))
            .collect::<Result<_, QueryError>>()?;
        // Several dimensions: one group per combination of their values.
        let mut by = Vec::new();
        for dim in scope.dimensions() {
            let dimension = def.columns.get(dim).is_some_and(|c| c.dimension);
            if !dimension {
                let dims: Vec<&str> = def
                    .columns
                    .values()
                    .filter(|c| c.dimension)
                    .map(|c| c.name.as_str())
                    .collect();
                return Err(QueryError(format!(
                    "`{dim}` is not a dimension of accounts; dimensions: {}",
                    dims.join(", ")
                )));
            }
            by.push(text_col(dim)?);
        }
        let mut names: Vec<String> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut of_account = Vec::with_capacity(table.rows);
        for i in 0..table.rows {
            if !filter_cols.iter().all(|(c, v)| cell(c, i) == *v) {
                of_account.push(None);
                continue;
            }
            let name = match scope {
                Scope::Portfolio => String::new(),
                Scope::PerAccount => cell(keys, i),
                Scope::By(_) => by
                    .iter()
                    .map(|c| cell(c, i))
                    .collect::<Vec<_>>()
                    .join(crate::query::GROUP_SEPARATOR),
            };
            let next = names.len();
            let g = *index.entry(name.clone()).or_insert_with(|| {
                names.push(name);
                next
            });
            of_account.push(Some(g));
        }
        if names.is_empty() {
            if filters.is_empty() {
                return Err(QueryError("the dataset has no accounts".into()));
            }
            return Err(QueryError("no account matches the filters".into()));
        }
        // Stable, readable order of groups.
        let mut order: Vec<usize> = (0..names.len()).collect();
        order.sort_by(|a, b| names[*a].cmp(&names[*b]));
        let mut rank = vec![0; names.len()];
        for (r, g) in order.iter().enumerate() {
            rank[*g] = r;
        }
        let names = order
            .iter()
            .map(|g| Arc::from(names[*g].as_str()))
            .collect();
        let slot_of_account = of_account
            .iter()
            .map(|g| g.map_or(NONE, |g| rank[g] as u32))
            .collect();
        // Rows without an account (an optional `-> accounts` left empty, or a table with
        // no relation to accounts) belong to the whole portfolio and to no segment: they
        // count only when the scope is the portfolio with no account filter.
        let portfolio_wide = matches!(scope, Scope::Portfolio) && filters.is_empty();
        let mut groups = Groups {
            names,
            account_row,
            accounts_of: HashMap::new(),
            slot_of_account,
            unmatched: if portfolio_wide { 0 } else { NONE },
        };
        // Tables are mapped in parallel: at scale this is a pass over every row.
        let maps: Vec<(String, Arc<[u32]>)> = catalog
            .tables
            .values()
            .collect::<Vec<_>>()
            .par_iter()
            .filter_map(|t| {
                let accounts = groups.map_accounts(t, data.tables.get(&t.name)?);
                Some((t.name.clone(), accounts))
            })
            .collect();
        groups.accounts_of.extend(maps);
        Ok(groups)
    }

    /// The group of every account row (`NONE`: filtered out of scope).
    pub fn group_of_account(&self) -> &[u32] {
        &self.slot_of_account
    }

    /// The account row of every row of `table` (`NONE` where it has none).
    pub fn accounts_of(&self, table: &str) -> Arc<[u32]> {
        self.accounts_of
            .get(table)
            .cloned()
            .unwrap_or_else(|| Vec::new().into())
    }

    /// The group of every row of `table` (`NONE` where it is out of scope, and where
    /// it has no account unless the scope is the whole portfolio).
    pub fn group_of_row(&self, table: &str) -> RowMap {
        self.via_account(table, self.slot_of_account.clone(), self.unmatched)
    }

    /// The slot of every row of `table` through its account: `of_account` per account
    /// row, `unmatched` where the row has no account.
    pub fn via_account(&self, table: &str, of_account: Arc<[u32]>, unmatched: u32) -> RowMap {
        RowMap::ViaAccount {
            accounts: self.accounts_of(table),
            of_account,
            unmatched,
        }
    }

    /// The account row of every row of `table`.
    fn map_accounts(&self, def: &TableDef, data: &crate::data::TableData) -> Arc<[u32]> {
        if def.name == "accounts" {
            return (0..data.rows as u32).collect();
        }
        match def
            .account_column
            .as_ref()
            .and_then(|c| data.columns.get(c))
        {
            Some(Column::Text { codes, dict }) => {
                // Resolve each distinct key once, then map codes.
                let by_code: Vec<u32> = dict
                    .iter()
                    .map(|k| self.account_row.get(k).map_or(NONE, |r| *r as u32))
                    .collect();
                codes
                    .iter()
                    .map(|c| by_code.get(*c as usize).copied().unwrap_or(NONE))
                    .collect()
            }
            _ => vec![NONE; data.rows].into(),
        }
    }
}

/// Refuses a request whose scope or account filters would split a table that has no
/// relation to `accounts`: such a table is portfolio-level data, with no value per
/// segment or account, so a KPI reading it is computed for the whole portfolio only.
/// Every engine calls this, so every engine refuses the same requests.
pub fn check_portfolio_tables(
    catalog: &Catalog,
    kpis: &[&crate::ir::KpiDef],
    scope: &Scope,
    filters: &[Filter],
) -> Result<(), QueryError> {
    let asked = match scope {
        _ if !filters.is_empty() => "an account filter (--where, --account)",
        Scope::Portfolio => return Ok(()),
        Scope::By(_) => "a segment (--by)",
        Scope::PerAccount => "each account (--per-account)",
    };
    for kpi in kpis {
        if let Some(table) = portfolio_table_read(catalog, &kpi.formula) {
            return Err(QueryError(format!(
                "`{}` reads `{table}`, which has no relation to accounts: its rows belong to \
                 the whole portfolio, so `{}` has no value for {asked}\n\
                 help: evaluate it for the whole portfolio, or give `{table}` a column \
                 `-> accounts`",
                kpi.id, kpi.id
            )));
        }
    }
    Ok(())
}

/// The first table without a relation to `accounts` that `formula` reads, through its
/// measures and KPI references. Iterative, like every walk over formulas.
fn portfolio_table_read<'a>(catalog: &'a Catalog, formula: &'a TExpr) -> Option<&'a str> {
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![formula];
    while let Some(e) = stack.pop() {
        match &e.kind {
            TExprKind::Aggregate(agg) => {
                let related = agg.table == "accounts"
                    || catalog
                        .tables
                        .get(&agg.table)
                        .is_some_and(|t| t.account_column.is_some());
                if !related {
                    return Some(agg.table.as_str());
                }
            }
            TExprKind::Ref(id) => {
                if seen.insert(id.as_str())
                    && let Some(f) = catalog.formula(id)
                {
                    stack.push(f);
                }
            }
            TExprKind::Previous(inner) | TExprKind::YearAgo(inner) => stack.push(inner),
            TExprKind::Grain(g) => stack.extend(g.inner.iter().chain(&g.filter)),
            _ => stack.extend(e.operands()),
        }
    }
    None
}
