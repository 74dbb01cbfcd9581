//! Aggregates over members (`avg(x per accounts where ...)`), natively. The members
//! of a kind (the accounts in scope, or the values of a dimension among them) are
//! numbered once per request ([`MemberSet`]); the plan folds every aggregate read inside
//! `per` per member in the same shared scan as the rest (an extra grouping of the scan,
//! not a scan per member); here the inner formula and the member filter are evaluated
//! with one slot per member by the scope-level rules, and the members of each group are
//! folded into the group's value, skipping members whose value is missing.

use super::follow::Parents;
use super::formula::{Evaluator, Slots};
use super::groups::Groups;
use super::row_map::RowMap;
use super::{NONE, Val, scan};
use crate::data::{Column, Dataset};
use crate::ir::{AggFunc, Catalog, ColumnType, Grain, Hop, Members, TExpr, TExprKind};
use crate::query::{MemberTally, Money, Period, missing};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// The members of one kind in a request's scope.
#[derive(Debug)]
pub struct MemberSet {
    /// The group of each member.
    group: Vec<u32>,
    /// The row of its table of each member (per accounts, an account row; per rows of
    /// a table, a row of it; empty per dimension).
    row: Vec<u32>,
    /// Per rows of a table with a time column: the table and that column, by which a
    /// row is a member of a period only when its time is in it.
    timed: Option<(String, String)>,
    /// Per table: the member of every row (`NONE`: no account, or out of scope).
    of_row: HashMap<String, RowMap>,
}

impl MemberSet {
    /// Numbers the members of `members` in the scope of `groups`: each account in
    /// scope, or each (group, value of the dimension) among the accounts in scope. A
    /// missing dimension value is the member `(missing)`, as for `--by`.
    pub fn new(catalog: &Catalog, data: &Dataset, groups: &Groups, members: &Members) -> Self {
        if let Members::Rows(table) = members {
            return Self::rows(catalog, data, groups, table);
        }
        let of_account = groups.group_of_account();
        let mut member_of_account = vec![NONE; of_account.len()];
        let mut group = Vec::new();
        let mut account = Vec::new();
        match members {
            Members::Accounts => {
                for (row, g) in of_account.iter().enumerate() {
                    if *g != NONE {
                        member_of_account[row] = group.len() as u32;
                        group.push(*g);
                        account.push(row as u32);
                    }
                }
            }
            Members::Rows(_) => {}
            Members::Dimension(col) => {
                let column = data.tables.get("accounts").and_then(|t| t.columns.get(col));
                let mut index: HashMap<(u32, String), u32> = HashMap::new();
                for (row, g) in of_account.iter().enumerate() {
                    if *g == NONE {
                        continue;
                    }
                    let value = match column {
                        Some(Column::Text { .. }) => column
                            .and_then(|c| c.text(row))
                            .unwrap_or("(missing)")
                            .to_string(),
                        Some(Column::Bool { values }) => values
                            .get(row)
                            .copied()
                            .flatten()
                            .map_or("(missing)".into(), |b| b.to_string()),
                        _ => "(missing)".into(),
                    };
                    let next = group.len() as u32;
                    let m = *index.entry((*g, value)).or_insert_with(|| {
                        group.push(*g);
                        next
                    });
                    member_of_account[row] = m;
                }
            }
        }
        let member_of_account: Arc<[u32]> = member_of_account.into();
        let of_row = catalog
            .tables
            .keys()
            .filter(|t| data.tables.contains_key(*t))
            .map(|t| {
                (
                    t.clone(),
                    groups.via_account(t, member_of_account.clone(), NONE),
                )
            })
            .collect();
        MemberSet {
            group,
            row: account,
            timed: None,
            of_row,
        }
    }

    /// The members of `per TABLE`: each row of `table` in the scope (its group is its
    /// account's; a row without an account is in the portfolio only). A row of a child
    /// table (one relation `-> table`) belongs to the member its relation names.
    fn rows(catalog: &Catalog, data: &Dataset, groups: &Groups, table: &str) -> Self {
        let of_table = groups.group_of_row(table);
        let mut member = vec![NONE; of_table.len()];
        let mut group = Vec::new();
        let mut row = Vec::new();
        for (r, m) in member.iter_mut().enumerate() {
            let g = of_table.get(r);
            if g != NONE {
                *m = group.len() as u32;
                group.push(g);
                row.push(r as u32);
            }
        }
        let member: Arc<[u32]> = member.into();
        let mut of_row = HashMap::from([(table.to_string(), RowMap::Rows(member.clone()))]);
        for (name, def) in &catalog.tables {
            let links: Vec<&str> = def
                .columns
                .values()
                .filter(|c| c.relation.as_deref() == Some(table))
                .map(|c| c.name.as_str())
                .collect();
            let ([link], Some(rows)) = (&links[..], data.tables.get(name).map(|t| t.rows)) else {
                continue;
            };
            // Until linked: no row of `name` belongs to a member.
            of_row.insert(name.clone(), RowMap::Rows(vec![NONE; rows].into()));
            let hop = Hop {
                column: (*link).to_string(),
                table: table.to_string(),
                on: Vec::new(),
            };
            if let Some((_, parents)) = Parents::new(catalog, data, name).rows(&[hop]) {
                let rows: Arc<[u32]> = parents
                    .iter()
                    .map(|p| member.get(*p as usize).copied().unwrap_or(NONE))
                    .collect();
                of_row.insert(name.clone(), RowMap::Rows(rows));
            }
        }
        let def = catalog.tables.get(table);
        MemberSet {
            group,
            row,
            timed: def
                .and_then(|d| d.time_column.clone())
                .map(|c| (table.to_string(), c)),
            of_row,
        }
    }

    /// Per member, whether it is a member in `period` (per rows of a table with a time
    /// column: its time is in the period); `None` when every member is.
    fn in_period(&self, catalog: &Catalog, data: &Dataset, period: Period) -> Option<Vec<bool>> {
        let (table, column) = self.timed.as_ref()?;
        let timed = catalog
            .tables
            .get(table)
            .and_then(|t| t.columns.get(column))
            .is_some_and(|c| c.ty == ColumnType::DateTime);
        let (start, end) = period.epoch_days();
        let Some(Column::Date { values, valid }) =
            data.tables.get(table).and_then(|t| t.columns.get(column))
        else {
            return Some(vec![false; self.row.len()]);
        };
        // As the scans test a row's time (see the `InPeriod` kernel).
        let day = crate::data::SECONDS_PER_DAY as f64;
        Some(
            self.row
                .iter()
                .map(|r| {
                    let r = *r as usize;
                    let (Some(x), Some(true)) = (values.get(r), valid.get(r)) else {
                        return false;
                    };
                    if timed {
                        *x >= start * day && *x < (end + 1.0) * day
                    } else {
                        *x >= start && *x <= end
                    }
                })
                .collect(),
        )
    }

    /// The number of members.
    pub fn len(&self) -> usize {
        self.group.len()
    }

    /// The member of every row of `table`.
    pub fn of_row(&self, table: &str) -> RowMap {
        self.of_row
            .get(table)
            .cloned()
            .unwrap_or_else(|| RowMap::Rows(Vec::new().into()))
    }
}

/// How one group's value over members was obtained (shown by `--explain`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MemberCounts {
    /// What the members are (`accounts`, `accounts.manager`).
    pub members: String,
    /// Members of the group.
    pub total: usize,
    /// Of those, the ones the `where` kept.
    pub kept: usize,
    /// Of those, the ones whose value was missing and were skipped, by reason (most
    /// frequent first).
    pub skipped: Vec<(String, usize)>,
}

impl MemberCounts {
    /// "over 3 of 5 members (accounts); 2 skipped, their value missing: 1 division by
    /// zero, 1 no rows".
    pub fn describe(&self) -> String {
        let skipped: usize = self.skipped.iter().map(|(_, n)| n).sum();
        let used = self.kept - skipped.min(self.kept);
        let mut out = format!("over {used} of {} members ({})", self.total, self.members);
        if self.kept != self.total {
            out.push_str(&format!(
                "; {} kept by the `where` ({} not)",
                self.kept,
                self.total - self.kept
            ));
        }
        if skipped > 0 {
            let reasons: Vec<String> = self
                .skipped
                .iter()
                .map(|(r, n)| format!("{n} {r}"))
                .collect();
            out.push_str(&format!(
                "; {skipped} skipped, their value missing: {}",
                reasons.join(", ")
            ));
        }
        out
    }
}

impl Evaluator<'_> {
    /// An aggregate over members: one value per slot of this evaluator.
    pub(super) fn grain(&mut self, g: &Grain, back: u32) -> Slots {
        let (values, counts) = self.grain_values(g, back);
        self.member_counts
            .insert((g as *const Grain as usize, back), Arc::new(counts));
        self.spread(values)
    }

    /// For `--explain` and the results' notes: how each group's value over members
    /// was obtained.
    pub(super) fn grain_counts(&mut self, g: &Grain, back: u32) -> Arc<Vec<MemberCounts>> {
        let key = (g as *const Grain as usize, back);
        if let Some(c) = self.member_counts.get(&key) {
            return c.clone();
        }
        let counts = Arc::new(self.grain_values(g, back).1);
        self.member_counts.insert(key, counts.clone());
        counts
    }

    /// For a KPI whose value is an aggregate over members (directly or through the
    /// measures it names), a note per group saying how many members were folded and
    /// how many skipped.
    pub(super) fn member_notes(&mut self, formula: &TExpr) -> Option<Vec<String>> {
        let mut e = formula;
        // Bounded: the checker refuses cycles, and each step is a distinct name.
        for _ in 0..=self.catalog_size() {
            match &e.kind {
                TExprKind::Ref(id) => e = self.formula_of(id)?,
                TExprKind::Grain(g) => {
                    let counts = self.grain_counts(g, 0);
                    return Some(counts.iter().map(MemberCounts::describe).collect());
                }
                _ => return None,
            }
        }
        None
    }

    /// For a KPI whose value is an aggregate over members, per group how many members
    /// were folded and how many skipped (what every engine reports).
    pub(super) fn member_tallies(&mut self, formula: &TExpr) -> Option<Vec<MemberTally>> {
        let g = self.catalog().grain_of(formula)?;
        let over: Arc<str> = g.members.label().into();
        let counts = self.grain_counts(g, 0);
        Some(
            counts
                .iter()
                .map(|c| {
                    let skipped: usize = c.skipped.iter().map(|(_, n)| n).sum();
                    MemberTally {
                        over: over.clone(),
                        counted: c.kept.saturating_sub(skipped) as u64,
                        skipped: skipped as u64,
                    }
                })
                .collect(),
        )
    }

    /// One value per group, and how each was obtained.
    fn grain_values(&mut self, g: &Grain, back: u32) -> (Vec<Val>, Vec<MemberCounts>) {
        let n = self.group_count();
        // The plan numbers the members that inner aggregates are folded by; members
        // read only through their own columns are numbered here.
        let set = self.members_of(&g.members).unwrap_or_else(|| {
            Arc::new(MemberSet::new(
                self.catalog(),
                self.data(),
                self.groups(),
                &g.members,
            ))
        });
        let mut per_member = self.for_members(g.members.clone(), set.clone());
        let inner = g.inner.as_ref().map(|e| {
            per_member.warm(e, back);
            per_member.eval(e, back)
        });
        let keep = g.filter.as_ref().map(|e| {
            per_member.warm(e, back);
            per_member.eval(e, back)
        });
        let in_period = set.in_period(self.catalog(), self.data(), self.period_at(back));
        let mut kept: Vec<Vec<f64>> = vec![Vec::new(); n];
        // The members' exact amounts while every value kept is money: a sum, minimum
        // or maximum of money is then exact money, as natively everywhere else.
        let mut exact: Vec<Option<Vec<i128>>> = vec![Some(Vec::new()); n];
        let mut counts: Vec<MemberCounts> = vec![
            MemberCounts {
                members: g.members.label(),
                ..MemberCounts::default()
            };
            n
        ];
        let mut skipped: Vec<HashMap<&'static str, usize>> = vec![HashMap::new(); n];
        for (m, group) in set.group.iter().enumerate() {
            let group = *group as usize;
            let Some(c) = counts.get_mut(group) else {
                continue;
            };
            if in_period
                .as_ref()
                .is_some_and(|p| !p.get(m).copied().unwrap_or(false))
            {
                continue;
            }
            c.total += 1;
            if keep
                .as_ref()
                .is_some_and(|k| !matches!(k.get(m), Val::Bool(true)))
            {
                continue;
            }
            c.kept += 1;
            match inner.as_ref().map(|v| v.get(m)) {
                None => {
                    kept[group].push(0.0);
                    exact[group] = None;
                }
                Some(Val::Num(x)) => {
                    kept[group].push(*x);
                    exact[group] = None;
                }
                Some(Val::Money(x)) => {
                    kept[group].push(x.to_f64());
                    if let Some(e) = &mut exact[group] {
                        e.push(x.ten_thousandths());
                    }
                }
                Some(Val::Missing(r)) => *skipped[group].entry(r).or_default() += 1,
                Some(_) => *skipped[group].entry("not a number").or_default() += 1,
            }
        }
        for (c, reasons) in counts.iter_mut().zip(skipped) {
            let mut reasons: Vec<(String, usize)> = reasons
                .into_iter()
                .map(|(r, k)| (r.to_string(), k))
                .collect();
            reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            c.skipped = reasons;
        }
        let values = kept
            .iter_mut()
            .zip(&counts)
            .zip(exact)
            .map(|((xs, c), exact)| {
                exact
                    .filter(|e| !e.is_empty())
                    .and_then(|e| fold_money(g, &e))
                    .unwrap_or_else(|| fold(g, xs, c.kept))
            })
            .collect();
        (values, counts)
    }

    /// The member's own value of a column of its table (`accounts`, or the table of
    /// `per TABLE`), one per member.
    pub(super) fn member_attribute(&self, data: &Dataset, column: &str) -> Slots {
        let (Some(set), Some(table)) = (self.member_set(), self.member_table()) else {
            return Slots::Same(Val::missing("invalid expression"));
        };
        let Some(col) = data.tables.get(table).and_then(|t| t.columns.get(column)) else {
            return Slots::Same(Val::missing("table not loaded"));
        };
        let values = set.row.iter().map(|row| cell(col, *row as usize)).collect();
        Slots::Each(Arc::new(values))
    }
}

/// One cell as a scope-level value.
fn cell(col: &Column, i: usize) -> Val {
    let empty = Val::missing(missing::EMPTY_CELL);
    match col {
        Column::Text { .. } => col.text(i).map_or(empty, |t| Val::Text(Arc::from(t))),
        Column::Number { values, valid } => match (values.get(i), valid.get(i)) {
            (Some(x), Some(true)) => Val::Num(*x),
            _ => empty,
        },
        Column::Money { values, valid, .. } => match (values.get(i), valid.get(i)) {
            (Some(x), Some(true)) => Val::Money(Money::from_ten_thousandths(i128::from(*x))),
            _ => empty,
        },
        Column::Date { values, valid } => match (values.get(i), valid.get(i)) {
            (Some(x), Some(true)) => Val::Date(*x),
            _ => empty,
        },
        Column::Bool { values } => values.get(i).copied().flatten().map_or(empty, Val::Bool),
    }
}

/// The sum, minimum or maximum of members' amounts of money, exactly (`None` for the
/// other aggregates, which divide or count).
fn fold_money(g: &Grain, amounts: &[i128]) -> Option<Val> {
    let m = match g.func {
        AggFunc::Sum => amounts.iter().sum(),
        AggFunc::Min => *amounts.iter().min()?,
        AggFunc::Max => *amounts.iter().max()?,
        _ => return None,
    };
    Some(Val::Money(Money::from_ten_thousandths(m)))
}

/// The members' values of one group folded by the outer aggregate; `kept` members
/// passed the filter (the values are those of the kept members with a value).
fn fold(g: &Grain, xs: &mut [f64], kept: usize) -> Val {
    match g.func {
        AggFunc::CountRows => return Val::Num(kept as f64),
        AggFunc::Count => return Val::Num(xs.len() as f64),
        _ => {}
    }
    if xs.is_empty() {
        return Val::missing(if kept == 0 {
            missing::NO_MEMBERS
        } else {
            missing::ALL_MEMBERS_MISSING
        });
    }
    let sum = || xs.iter().sum::<f64>();
    match g.func {
        AggFunc::Sum => Val::Num(sum()),
        AggFunc::Avg => Val::Num(sum() / xs.len() as f64),
        AggFunc::Min => Val::Num(xs.iter().copied().fold(f64::INFINITY, f64::min)),
        AggFunc::Max => Val::Num(xs.iter().copied().fold(f64::NEG_INFINITY, f64::max)),
        _ => {
            xs.sort_unstable_by(f64::total_cmp);
            let q = if g.func == AggFunc::Median {
                0.5
            } else {
                g.fraction.unwrap_or(0.5)
            };
            Val::Num(scan::percentile(xs, q))
        }
    }
}
