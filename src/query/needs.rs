//! What a request reads: the tables each requested KPI needs (through its measures, KPI
//! references and `previous`), so that only those are loaded, and a KPI whose table the
//! dataset lacks is reported as unavailable instead of failing the whole run.

use super::Scope;
use crate::ir::{Catalog, KpiDef, TExpr, TExprKind, TimeFilter};
use indexmap::{IndexMap, IndexSet};
use serde::Serialize;
use std::collections::HashSet;

/// A requested KPI that could not be computed, and why ("needs table `service_costs`:
/// no file service_costs.csv in data/").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unavailable {
    pub kpi: String,
    pub reason: String,
}

/// The tables one KPI reads, in the order first met: the table of every aggregate of
/// its formula and of every measure and KPI it references (at any period), every table
/// a relation followed in them leads to, and its breakdown's table. `accounts` is not
/// listed unless an aggregate reads it; every request reads it for its groups
/// ([`tables_needed`]).
pub fn tables_read<'a>(catalog: &'a Catalog, kpi: &'a KpiDef) -> IndexSet<&'a str> {
    let mut tables = IndexSet::new();
    if let Some(b) = &kpi.breakdown {
        tables.insert(b.table.as_str());
    }
    let mut seen: HashSet<&str> = HashSet::new();
    // Iterative: a chain of ten thousand measures is ten thousand steps, not frames.
    let mut stack: Vec<&TExpr> = vec![&kpi.formula];
    // A target read from the dataset reads its tables too.
    stack.extend(target_formula(kpi));
    while let Some(e) = stack.pop() {
        match &e.kind {
            TExprKind::Aggregate(agg) => {
                tables.insert(agg.table.as_str());
                stack.extend(agg.arg.iter().chain(agg.filter.iter()));
            }
            TExprKind::Ref(id) => {
                if seen.insert(id.as_str())
                    && let Some(f) = catalog.formula(id)
                {
                    stack.push(f);
                }
            }
            // A parent row read through relations needs the tables on the way
            // (`accounts` is loaded for every request).
            TExprKind::Column { via, .. } => tables.extend(
                via.iter()
                    .map(|h| h.table.as_str())
                    .filter(|t| *t != "accounts"),
            ),
            // The period does not change which tables are read.
            TExprKind::Previous(inner) | TExprKind::YearAgo(inner) => stack.push(inner),
            TExprKind::Grain(g) => {
                // `per TABLE`: the members are its rows.
                if let crate::ir::Members::Rows(t) = &g.members {
                    tables.insert(t.as_str());
                }
                stack.extend(g.inner.iter().chain(&g.filter));
            }
            _ => stack.extend(e.operands().into_iter().rev()),
        }
    }
    tables
}

/// The tables a request over `kpis` loads: `accounts` (every scope groups by it) and
/// every table one of the KPIs reads, in the model's order.
pub fn tables_needed(catalog: &Catalog, kpis: &[&KpiDef]) -> IndexSet<String> {
    let mut read: HashSet<&str> = HashSet::from(["accounts"]);
    for k in kpis {
        read.extend(tables_read(catalog, k));
    }
    catalog
        .tables
        .keys()
        .filter(|t| read.contains(t.as_str()))
        .cloned()
        .collect()
}

/// What a request reads: its tables ([`tables_needed`]) and, per table, the columns
/// loading converts ([`columns_read`]); a column not listed is skipped unread.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reads {
    pub tables: IndexSet<String>,
    /// Per table of `tables`, the columns read, in the model's order.
    pub columns: IndexMap<String, IndexSet<String>>,
}

/// The tables and columns a request over `kpis` grouped by `scopes` reads:
///
/// - every column of `accounts` (its dimensions and filters serve `--by`, `--where`,
///   `per accounts.X`; it is small);
/// - of every other table: its time column; the columns the KPIs' expressions read
///   (aggregate arguments and filters, the columns of parent rows reached through
///   relations, a breakdown's column, a fact-table dimension of a scope);
/// - every relation column of a loaded table whose target is loaded (the account
///   column that groups rows, the relations followed, and the relation checks between
///   loaded tables), and the key of every loaded table such a column points at.
///
/// A column outside this set is neither converted nor checked: a bad cell there does
/// not stop a run whose KPIs never read it.
pub fn columns_read(catalog: &Catalog, kpis: &[&KpiDef], scopes: &[&Scope]) -> Reads {
    let tables = tables_needed(catalog, kpis);
    let mut read: HashSet<(&str, &str)> = HashSet::new();
    for k in kpis {
        columns_of(catalog, k, &mut read);
    }
    for scope in scopes {
        if let Some(by) = scope.fact_dimension()
            && let Some((t, _)) = catalog.tables.get_key_value(&by.table)
            && let Some((c, _)) = catalog.tables[t].columns.get_key_value(&by.column)
        {
            read.insert((t.as_str(), c.as_str()));
        }
    }
    let mut keys: HashSet<&str> = HashSet::from(["accounts"]);
    for t in tables.iter().filter_map(|t| catalog.tables.get(t)) {
        for c in t.columns.values() {
            if let Some(target) = c.relation.as_deref().filter(|r| tables.contains(*r)) {
                read.insert((t.name.as_str(), c.name.as_str()));
                keys.insert(target);
            }
        }
        // A relation on several columns reads its columns on both sides.
        for r in t.relations.iter().filter(|r| tables.contains(&r.target)) {
            for c in &r.columns {
                read.insert((t.name.as_str(), c.as_str()));
            }
            for c in &r.target_columns {
                read.insert((r.target.as_str(), c.as_str()));
            }
        }
    }
    let columns = tables
        .iter()
        .filter_map(|t| catalog.tables.get(t))
        .map(|t| {
            let cols = t
                .columns
                .values()
                .filter(|c| {
                    t.name == "accounts"
                        || t.time_column.as_deref() == Some(c.name.as_str())
                        || (c.key && keys.contains(t.name.as_str()))
                        || read.contains(&(t.name.as_str(), c.name.as_str()))
                })
                .map(|c| c.name.clone())
                .collect();
            (t.name.clone(), cols)
        })
        .collect();
    Reads { tables, columns }
}

/// Adds the `(table, column)` pairs one KPI's expressions read, through its measures
/// and references at any period.
fn columns_of<'a>(catalog: &'a Catalog, kpi: &'a KpiDef, read: &mut HashSet<(&'a str, &'a str)>) {
    if let Some(b) = &kpi.breakdown {
        read.insert((b.table.as_str(), b.column.as_str()));
    }
    let mut seen: HashSet<&str> = HashSet::new();
    let mut stack: Vec<&TExpr> = vec![&kpi.formula];
    // A target read from the dataset reads its tables too.
    stack.extend(target_formula(kpi));
    while let Some(e) = stack.pop() {
        match &e.kind {
            TExprKind::Aggregate(agg) => {
                if let TimeFilter::Column(c) = &agg.time {
                    read.insert((agg.table.as_str(), c.as_str()));
                }
                stack.extend(agg.arg.iter().chain(agg.filter.iter()));
            }
            TExprKind::Ref(id) => {
                if seen.insert(id.as_str())
                    && let Some(f) = catalog.formula(id)
                {
                    stack.push(f);
                }
            }
            // `table` is the table holding the column (the last of `via`); the
            // relation columns on the way are read as relations (see `columns_read`).
            TExprKind::Column { table, column, .. } => {
                read.insert((table.as_str(), column.as_str()));
            }
            TExprKind::Previous(inner) | TExprKind::YearAgo(inner) => stack.push(inner),
            TExprKind::Grain(g) => {
                // The rows of a table as members are read whole: each is told apart
                // by its key, belongs to its account's group, and its own cells
                // (`TExprKind::Member`) are read per member.
                if let Some(t) = g.members.table().and_then(|t| catalog.tables.get(t)) {
                    for c in t.columns.keys() {
                        read.insert((t.name.as_str(), c.as_str()));
                    }
                }
                stack.extend(g.inner.iter().chain(&g.filter))
            }
            _ => stack.extend(e.operands()),
        }
    }
}

/// Splits `kpis` into those the dataset can answer and those that need a table it
/// lacks (`absent`: table → why it is absent), each with its reason.
pub fn split_available<'a>(
    catalog: &'a Catalog,
    kpis: &[&'a KpiDef],
    absent: &IndexMap<String, String>,
) -> (Vec<&'a KpiDef>, Vec<Unavailable>) {
    let mut available = Vec::new();
    let mut unavailable = Vec::new();
    for k in kpis {
        let missing = tables_read(catalog, k)
            .into_iter()
            .find_map(|t| absent.get(t).map(|why| (t, why)));
        match missing {
            Some((table, why)) => unavailable.push(Unavailable {
                kpi: k.id.clone(),
                reason: format!("needs table `{table}`: {why}"),
            }),
            None => available.push(*k),
        }
    }
    (available, unavailable)
}

/// The formula of a target read from the dataset, if the KPI has one.
fn target_formula(kpi: &KpiDef) -> Option<&TExpr> {
    match kpi.target.as_ref().map(|t| &t.kind) {
        Some(crate::ir::TargetKind::Formula(f)) => Some(f),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODEL: &str = r#"
table accounts {
  account_id: text key
}
table orders {
  order_id: text key
  account_id: text -> accounts
  revenue: money
  order_date: date time
}
table costs {
  cost_id: text key
  account_id: text -> accounts
  amount: money
  cost_date: date time
}
"#;

    fn catalog(kpis: &str) -> Catalog {
        let checked = crate::check_texts([("m.kpi", MODEL), ("k.kpi", kpis)]);
        assert_eq!(checked.error_count(), 0, "{:#?}", checked.diagnostics);
        checked.catalog
    }

    #[test]
    fn tables_are_found_through_measures_references_and_previous() {
        let c = catalog(
            r#"
category c { name: "C" }
measure spend { formula: sum(costs.amount) }
kpi revenue { name: "R" category: c unit: money better: higher formula: sum(orders.revenue) }
kpi margin { name: "M" category: c unit: money better: higher formula: revenue - previous(spend) }
"#,
        );
        let margin = &c.kpis["margin"];
        let read: Vec<&str> = tables_read(&c, margin).into_iter().collect();
        assert_eq!(read, ["orders", "costs"]);
        let revenue = &c.kpis["revenue"];
        let needed: Vec<String> = tables_needed(&c, &[revenue]).into_iter().collect();
        assert_eq!(needed, ["accounts", "orders"]);
        let absent = IndexMap::from([("costs".to_string(), "no file costs.csv".to_string())]);
        let (ok, not) = split_available(&c, &[revenue, margin], &absent);
        assert_eq!(ok.len(), 1);
        assert_eq!(
            not,
            [Unavailable {
                kpi: "margin".into(),
                reason: "needs table `costs`: no file costs.csv".into()
            }]
        );
    }

    #[test]
    fn tables_reached_through_relations_are_read() {
        let model = r#"
table accounts { account_id: text key }
table campaigns { campaign_id: text key  channel: text }
table leads { lead_id: text key  account_id: text -> accounts  campaign_id: text optional -> campaigns }
table deals { deal_id: text key  account_id: text -> accounts  lead_id: text optional -> leads  amount: money }
category c { name: "C" }
kpi email { name: "E" category: c unit: money better: higher
  formula: sum(deals.amount where deals.lead.campaign.channel == "email" and accounts.account_id != "x") }
"#;
        let checked = crate::check_texts([("m.kpi", model)]);
        assert_eq!(checked.error_count(), 0, "{:#?}", checked.diagnostics);
        let c = checked.catalog;
        let read: Vec<&str> = tables_read(&c, &c.kpis["email"]).into_iter().collect();
        assert_eq!(read, ["deals", "leads", "campaigns"]);
        let absent = IndexMap::from([("campaigns".to_string(), "no file".to_string())]);
        let (ok, not) = split_available(&c, &[&c.kpis["email"]], &absent);
        assert!(ok.is_empty());
        assert_eq!(not[0].reason, "needs table `campaigns`: no file");
    }
}
