//! One CTE per distinct aggregate and period: the aggregate per group (and breakdown
//! key), over the table's rows in the period joined to the accounts in scope (every row,
//! with or without an account, when the scope is the whole portfolio), and to the parent
//! rows its expressions read through relations (`joins.rs`).

use super::Compiler;
use super::joins::Joins;
use crate::ir::*;

impl Compiler<'_> {
    /// The CTE computing `agg` over the period `back` steps before, per group (and per
    /// breakdown key); returns its name.
    pub(super) fn aggregate_cte(
        &mut self,
        agg: &Aggregate,
        back: u32,
        split: Option<&ColumnRef>,
    ) -> String {
        let d = self.d;
        let mut joins = Joins::default();
        let arg = agg
            .arg
            .as_ref()
            .map(|a| self.row(a, back, &agg.table, &mut joins));
        let value = match (agg.func, &arg) {
            (AggFunc::CountRows, _) | (_, None) => "COUNT(*)".to_string(),
            (AggFunc::Count, Some(x)) => format!("COUNT({x})"),
            (AggFunc::CountDistinct, Some(x)) => format!("COUNT(DISTINCT {x})"),
            (AggFunc::Sum, Some(x)) => format!("SUM({x})"),
            // Money averages as the native engine takes them: the exact decimal sum,
            // then one division in double precision.
            (AggFunc::Avg, Some(x))
                if agg
                    .arg
                    .as_ref()
                    .is_some_and(|a| a.ty == crate::ir::Type::Number(crate::ir::Dim::Money)) =>
            {
                format!("CAST(SUM({x}) AS {}) / NULLIF(COUNT({x}), 0)", d.double())
            }
            (AggFunc::Avg, Some(x)) => format!("AVG(CAST({x} AS {}))", d.double()),
            (AggFunc::Min, Some(x)) => format!("MIN({x})"),
            (AggFunc::Max, Some(x)) => format!("MAX({x})"),
            (AggFunc::Median, Some(x)) => {
                d.percentile(&format!("CAST({x} AS {})", d.double()), 0.5)
            }
            (AggFunc::Percentile, Some(x)) => d.percentile(
                &format!("CAST({x} AS {})", d.double()),
                agg.fraction.unwrap_or(0.5),
            ),
        };
        let mut conditions = Vec::new();
        if let TimeFilter::Column(c) = &agg.time {
            let p = self.period(back);
            conditions.push(format!(
                "CAST(t.{c} AS DATE) >= {} AND CAST(t.{c} AS DATE) <= {}",
                d.date(&p.start.to_string()),
                d.date(&p.end.to_string()),
                c = d.ident(c)
            ));
        }
        if let Some(f) = &agg.filter {
            conditions.push(format!(
                "({}) = TRUE",
                self.row(f, back, &agg.table, &mut joins)
            ));
        }
        let def = &self.catalog.tables[&agg.table];
        let link = if agg.table == "accounts" {
            Some(self.key.clone())
        } else {
            def.account_column.clone()
        };
        // Rows without an account (an empty optional `-> accounts`, or a table with no
        // relation to accounts) belong to the whole portfolio and to no segment: with
        // the portfolio as scope and no account filter, every row counts (the one group
        // of `grps`); otherwise only rows whose account is in scope (`acct`). A table
        // without a relation is only ever read at portfolio level (see
        // `check_portfolio_tables`).
        let portfolio_wide =
            matches!(self.req.scope, crate::query::Scope::Portfolio) && self.req.filters.is_empty();
        // Inside `per`, rows are grouped by member too, and a row without an account
        // belongs to no member.
        let members = self.member.clone().map(|m| self.member_cte(&m, None));
        // Per rows of a table, a row belongs to the member its key or relation names.
        let row_link = match &self.member {
            Some(Members::Rows(of)) => self.member_link(of, &agg.table),
            _ => None,
        };
        let mut from = match (&link, &members) {
            (_, Some(mem)) if row_link.is_some() => format!(
                "  FROM {} t JOIN {mem} a ON t.{} = a.mk",
                self.table(&agg.table),
                d.ident(row_link.as_deref().unwrap_or_default())
            ),
            (Some(link), Some(mem)) => format!(
                "  FROM {} t JOIN {mem} a ON t.{} = a.id",
                self.table(&agg.table),
                d.ident(link)
            ),
            (Some(link), None) if !portfolio_wide => format!(
                "  FROM {} t JOIN acct a ON t.{} = a.id",
                self.table(&agg.table),
                d.ident(link)
            ),
            _ => format!("  FROM {} t CROSS JOIN grps a", self.table(&agg.table)),
        };
        // Parent rows read through relations (the row's account among them).
        from.push_str(&self.joins_sql(&joins, def.account_column.as_deref()));
        let split_col = split
            .filter(|s| s.table == agg.table && members.is_none())
            .map(|s| format!("t.{}", d.ident(&s.column)));
        let (bk_select, bk_group, bk_where) = match &split_col {
            Some(col) => (
                format!(", {col} AS bk"),
                format!(", {col}"),
                Some(format!("{col} IS NOT NULL")),
            ),
            None => (String::new(), String::new(), None),
        };
        conditions.extend(bk_where);
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("\n  WHERE {}", conditions.join("\n    AND "))
        };
        let (mk_select, mk_group) = match members {
            Some(_) => (", a.mk AS mk", ", a.mk"),
            None => ("", ""),
        };
        let body = format!(
            "  SELECT a.grp AS grp{mk_select}{bk_select}, {value} AS v, COUNT(*) AS n\n{from}{filter}\n  GROUP BY a.grp{mk_group}{bk_group}"
        );
        let next = format!("agg{}", self.ctes.len());
        self.ctes.entry(body).or_insert(next).clone()
    }
}
