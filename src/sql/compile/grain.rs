//! Aggregates over members (`avg(x per accounts where ...)`) in SQL: a CTE of the
//! members of each kind (every account in scope with its group, and its member key:
//! the account, or its value of the dimension); the aggregates read inside `per` as
//! CTEs grouped by group and member key; one CTE computing the inner formula and the
//! member filter per member; and the outer aggregate over the kept members, grouped by
//! group. Members whose inner value is NULL (missing) are skipped by the SQL aggregates
//! as natively; the reasons are those of [`crate::query::missing`].

use super::Compiler;
use crate::ir::*;
use crate::query::missing;
use std::collections::BTreeSet;

impl Compiler<'_> {
    /// The CTE of the members of `members`: `id` (the account), `grp`, `mk` (the
    /// member key). Per rows of a table with a time column, `during` (a period step)
    /// keeps the rows whose time is in that period; `None` keeps every row (what the
    /// inner aggregates join to). Returns its name.
    pub(super) fn member_cte(&mut self, members: &Members, during: Option<u32>) -> String {
        let body = match members {
            Members::Rows(table) => self.row_members(table, during),
            Members::Accounts => "  SELECT a.id AS id, a.grp AS grp, a.id AS mk FROM acct a".into(),
            Members::Dimension(col) => format!(
                "  SELECT a.id AS id, a.grp AS grp, {} AS mk FROM acct a JOIN {} x ON x.{} = a.id",
                self.text_of(col, "x"),
                self.table("accounts"),
                self.d.ident(&self.key)
            ),
        };
        let next = format!("mem{}", self.ctes.len());
        self.ctes.entry(body).or_insert(next).clone()
    }

    /// The CTE computing `g` per group over the period `back` steps before; returns
    /// its name. Its columns: `grp`, `v` (the value) and `n` (members kept).
    pub(super) fn grain_cte(&mut self, g: &Grain, back: u32) -> String {
        let d = self.d;
        let double = d.double();
        let mem = self.member_cte(&g.members, Some(back));
        let outer = self.member.replace(g.members.clone());
        let mut used = BTreeSet::new();
        let value = match &g.inner {
            Some(e) => self.scope(e, back, None, &mut used),
            None => "NULL".into(),
        };
        let keep = match &g.filter {
            Some(f) => format!("({}) = TRUE", self.scope(f, back, None, &mut used)),
            None => "TRUE".into(),
        };
        self.member = outer;
        let mut joins: String = used
            .iter()
            .map(|n| format!(" LEFT JOIN {n} ON {n}.grp = m.grp AND {n}.mk = m.mk"))
            .collect();
        if let Some(table) = g.members.table() {
            // The member's own columns (`accounts.tier` inside `per accounts`).
            let key = match &g.members {
                Members::Rows(_) => self
                    .catalog
                    .tables
                    .get(table)
                    .and_then(|t| t.key.clone())
                    .unwrap_or_default(),
                _ => self.key.clone(),
            };
            joins.push_str(&format!(
                " LEFT JOIN {} mattr ON mattr.{} = m.mk",
                self.table(table),
                d.ident(&key)
            ));
        }
        let per_member = format!(
            "  SELECT m.grp AS grp, m.mk AS mk, CAST({value} AS {double}) AS v, \
             CASE WHEN {keep} THEN 1 ELSE 0 END AS keep\n  \
             FROM (SELECT DISTINCT grp, mk FROM {mem}) m{joins}"
        );
        let next = format!("mbr{}", self.ctes.len());
        let members = self.ctes.entry(per_member).or_insert(next).clone();
        let v = match g.func {
            AggFunc::CountRows => "COUNT(*)".to_string(),
            AggFunc::Count | AggFunc::CountDistinct => "COUNT(v)".to_string(),
            AggFunc::Sum => "SUM(v)".to_string(),
            AggFunc::Avg => "AVG(v)".to_string(),
            AggFunc::Min => "MIN(v)".to_string(),
            AggFunc::Max => "MAX(v)".to_string(),
            AggFunc::Median => d.percentile("v", 0.5),
            AggFunc::Percentile => d.percentile("v", g.fraction.unwrap_or(0.5)),
        };
        // `c`: the members folded (a member whose value is NULL is skipped; counting
        // the members themselves skips none).
        let c = if g.func == AggFunc::CountRows {
            "COUNT(*)"
        } else {
            "COUNT(v)"
        };
        let body = format!(
            "  SELECT grp, {v} AS v, COUNT(*) AS n, {c} AS c\n  FROM {members}\n  WHERE keep = 1\n  GROUP BY grp"
        );
        let next = format!("grain{}", self.ctes.len());
        self.ctes.entry(body).or_insert(next).clone()
    }

    /// `g` as a scope-level value (joined to the group by `used`).
    pub(super) fn grain_value(
        &mut self,
        g: &Grain,
        back: u32,
        used: &mut BTreeSet<String>,
    ) -> String {
        let name = self.grain_cte(g, back);
        used.insert(name.clone());
        if matches!(g.func, AggFunc::Count | AggFunc::CountRows) {
            format!("COALESCE({name}.v, 0)")
        } else {
            format!("{name}.v")
        }
    }

    /// Why `g` is NULL: no member kept, or every kept member's value missing.
    pub(super) fn grain_reason(
        &mut self,
        g: &Grain,
        back: u32,
        used: &mut BTreeSet<String>,
    ) -> Option<String> {
        if matches!(g.func, AggFunc::Count | AggFunc::CountRows) {
            return None;
        }
        let name = self.grain_cte(g, back);
        used.insert(name.clone());
        Some(format!(
            "(CASE WHEN COALESCE({name}.n, 0) = 0 THEN {} ELSE {} END)",
            self.d.string(missing::NO_MEMBERS),
            self.d.string(missing::ALL_MEMBERS_MISSING)
        ))
    }

    /// The columns `members_counted` and `members_skipped` of a KPI's row (text, as
    /// the values are): for a KPI that is an aggregate over members, how many members
    /// its value folded and how many it skipped; NULL for other KPIs.
    pub(super) fn member_tally_columns(
        &mut self,
        kpi: &KpiDef,
        used: &mut BTreeSet<String>,
    ) -> String {
        let text = self.d.text();
        let catalog = self.catalog;
        let Some(g) = catalog.grain_of(&kpi.formula) else {
            return format!(
                ", CAST(NULL AS {text}) AS members_counted, CAST(NULL AS {text}) AS members_skipped"
            );
        };
        let name = self.grain_cte(g, 0);
        used.insert(name.clone());
        format!(
            ", CAST(COALESCE({name}.c, 0) AS {text}) AS members_counted, \
             CAST(COALESCE({name}.n, 0) - COALESCE({name}.c, 0) AS {text}) AS members_skipped"
        )
    }

    /// The members of `per TABLE`: each row of `table` with its account's group (a row
    /// without an account in the portfolio only, as aggregates take it), keyed by the
    /// table's key; with `during`, only rows whose time is in that period.
    fn row_members(&mut self, table: &str, during: Option<u32>) -> String {
        let d = self.d;
        // The checker resolved the table, with a key and a relation to accounts.
        let def = self.catalog.tables.get(table);
        let key = d.ident(def.and_then(|t| t.key.as_deref()).unwrap_or_default());
        let link = d.ident(
            def.and_then(|t| t.account_column.as_deref())
                .unwrap_or_default(),
        );
        let time = def.and_then(|t| t.time_column.as_ref());
        let portfolio_wide =
            matches!(self.req.scope, crate::query::Scope::Portfolio) && self.req.filters.is_empty();
        let from = if portfolio_wide {
            format!("{} t CROSS JOIN grps a", self.table(table))
        } else {
            format!("{} t JOIN acct a ON t.{link} = a.id", self.table(table))
        };
        let when = match (during, time) {
            (Some(back), Some(c)) => {
                let p = self.period(back);
                format!(
                    " WHERE CAST(t.{c} AS DATE) >= {} AND CAST(t.{c} AS DATE) <= {}",
                    d.date(&p.start.to_string()),
                    d.date(&p.end.to_string()),
                    c = d.ident(c)
                )
            }
            _ => String::new(),
        };
        format!("  SELECT t.{link} AS id, a.grp AS grp, t.{key} AS mk FROM {from}{when}")
    }

    /// Inside `per TABLE`: the column of `table` (an aggregate's) that names the member
    /// its rows belong to, the member table's key or a child's relation to it.
    pub(super) fn member_link(&self, of: &str, table: &str) -> Option<String> {
        if of == table {
            return self.catalog.tables.get(of)?.key.clone();
        }
        let def = self.catalog.tables.get(table)?;
        let mut links = def
            .columns
            .values()
            .filter(|c| c.relation.as_deref() == Some(of));
        match (links.next(), links.next()) {
            (Some(c), None) => Some(c.name.clone()),
            _ => None,
        }
    }

    /// The member's own value of a column of its table (inside `per accounts` or
    /// `per TABLE`).
    pub(super) fn member_column(&self, column: &str) -> String {
        format!("mattr.{}", self.d.ident(column))
    }
}
