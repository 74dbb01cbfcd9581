//! The plan of a request: every aggregate that the requested KPIs read (through their
//! measures, KPI references, `previous` and `year_ago`), for every period of the
//! request (each sub-period of a time series, and the period each is compared with),
//! deduplicated by canonical key and dates, grouped by table into one shared scan
//! each, with each table's per-row expressions compiled into one program.

use super::canon;
use super::follow::Parents;
use super::grain::MemberSet;
use super::groups::Groups;
use super::program::{Program, Source};
use super::scan::{AggResult, AggSpec, TableScan};
use crate::data::{Column, Dataset};
use crate::ir::{
    AggFunc, Aggregate, Catalog, ColumnRef, ColumnType, Members, TExpr, TExprKind, TimeFilter,
};
use crate::query::Period;
use indexmap::IndexMap;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Where an aggregate node is used: its node, the base period (the query's period, or
/// one sub-period of a time series), the period step from it (0: the base period, 1:
/// the one before, [`crate::query::YEAR_AGO`]: a year earlier, ...), whether it is
/// split by its KPI's breakdown, and the members it is computed per (inside `per`;
/// `None`: per group).
type Use = (usize, usize, u32, bool, Option<Members>);

/// An aggregate to compute: its result id, node, period, breakdown and members.
type Planned<'a> = (
    usize,
    &'a Aggregate,
    Period,
    Option<&'a ColumnRef>,
    Option<&'a Members>,
);

/// A measure or KPI walked at a period step, with the breakdown (table, column) and
/// the members it is evaluated per.
type Walked<'a> = (
    &'a str,
    u32,
    Option<(&'a str, &'a str)>,
    Option<&'a Members>,
);

/// A breakdown: the column whose values split a KPI's rows.
#[derive(Debug, Clone)]
pub struct Split<'a> {
    pub table: &'a str,
    pub codes: &'a [u32],
    /// The keys, in code order.
    pub keys: Vec<Arc<str>>,
}

impl<'a> Split<'a> {
    /// The breakdown of a KPI over `data`, if its column is loaded text.
    pub fn of(data: &'a Dataset, breakdown: Option<&'a ColumnRef>) -> Option<Split<'a>> {
        let b = breakdown?;
        match data.tables.get(&b.table)?.columns.get(&b.column)? {
            Column::Text { codes, dict } => Some(Split {
                table: b.table.as_str(),
                codes,
                keys: dict.iter().map(Arc::from).collect(),
            }),
            _ => None,
        }
    }

    /// Keys per group (at least one slot, so a breakdown with no keys still has room).
    pub fn width(&self) -> usize {
        self.keys.len().max(1)
    }
}

/// Every aggregate of a request, computed.
pub struct Computed {
    /// Aggregate node use -> result.
    by_use: HashMap<Use, usize>,
    results: Vec<AggResult>,
    /// The members of each kind that an aggregate over members reads.
    members: HashMap<Members, Arc<MemberSet>>,
}

impl Computed {
    /// The result of `agg` at period step `back` from base period `base`, split or
    /// not, per group or (inside `per`) per member.
    pub fn get(
        &self,
        agg: &Aggregate,
        base: usize,
        back: u32,
        split: bool,
        members: Option<&Members>,
    ) -> Option<&AggResult> {
        let id = self.by_use.get(&(
            agg as *const Aggregate as usize,
            base,
            back,
            split,
            members.cloned(),
        ))?;
        self.results.get(*id)
    }

    /// The members of one kind, if the request reads any aggregate over them.
    pub fn members(&self, members: &Members) -> Option<&Arc<MemberSet>> {
        self.members.get(members)
    }
}

/// Plans and runs the scans for the formulas in `roots` (each with the breakdown of its
/// KPI), for one period at period steps 0 and 1.
pub fn compute<'a>(
    catalog: &'a Catalog,
    data: &'a Dataset,
    groups: &Groups,
    period: Period,
    roots: &[(&'a TExpr, Option<&'a ColumnRef>)],
) -> Computed {
    compute_all(catalog, data, groups, &[period], 1, roots)
}

/// Plans and runs the scans for the formulas in `roots` (each with the breakdown of its
/// KPI), for every base period in `periods` at period steps 0 and `compare`: one scan
/// per table for all of them, whatever the number of periods. An aggregate asked for
/// the same dates from two bases (a month of a series, and the previous month of the
/// next) is computed once.
pub fn compute_all<'a>(
    catalog: &'a Catalog,
    data: &'a Dataset,
    groups: &Groups,
    periods: &[Period],
    compare: u32,
    roots: &[(&'a TExpr, Option<&'a ColumnRef>)],
) -> Computed {
    let mut walker = Walker {
        catalog,
        seen: HashSet::new(),
        uses: Vec::new(),
    };
    for (formula, breakdown) in roots {
        for back in [0, compare] {
            walker.walk(formula, back, *breakdown);
        }
    }
    let member_sets: HashMap<Members, Arc<MemberSet>> = walker
        .uses
        .iter()
        .filter_map(|u| u.3)
        .collect::<HashSet<_>>()
        .into_iter()
        .map(|m| {
            (
                m.clone(),
                Arc::new(MemberSet::new(catalog, data, groups, m)),
            )
        })
        .collect();
    // One result per distinct (key, dates, split, members); one scan per table.
    // All-time aggregates that do not read the period are the same every period.
    type Dates = Option<(chrono::NaiveDate, chrono::NaiveDate)>;
    type Key = (String, Dates, Option<String>, Option<Members>);
    let mut by_key: HashMap<Key, usize> = HashMap::new();
    let mut by_use = HashMap::new();
    let mut specs: IndexMap<&str, Vec<Planned>> = IndexMap::new();
    let mut slots_of: Vec<usize> = Vec::new();
    let mut count = 0;
    let first = periods.first().copied();
    for (agg, back, split, members) in &walker.uses {
        let (key, uses_period) = canon::aggregate(agg);
        let timed = uses_period || agg.time != TimeFilter::None;
        let split_key = split.map(|s| format!("{}.{}", s.table, s.column));
        for (base, period) in periods.iter().enumerate() {
            let p = if timed {
                period.back(*back)
            } else {
                first.unwrap_or(*period)
            };
            let dates = timed.then_some((p.start, p.end));
            let id = *by_key
                .entry((key.clone(), dates, split_key.clone(), members.cloned()))
                .or_insert_with(|| {
                    count += 1;
                    specs.entry(agg.table.as_str()).or_default().push((
                        count - 1,
                        *agg,
                        p,
                        *split,
                        *members,
                    ));
                    slots_of.push(
                        members
                            .and_then(|m| member_sets.get(m))
                            .map_or(groups.names.len(), |m| m.len()),
                    );
                    count - 1
                });
            by_use.insert(
                (
                    *agg as *const Aggregate as usize,
                    base,
                    *back,
                    split.is_some(),
                    members.cloned(),
                ),
                id,
            );
        }
    }
    let accounts = data.tables.get("accounts");
    let large_money = super::money_range::LargeMoney::default();
    let scans: Vec<(Vec<usize>, TableScan)> = specs
        .into_iter()
        .filter_map(|(table, aggs)| {
            let table_data = data.tables.get(table)?;
            let src = Source {
                table: table_data,
                accounts,
                account_rows: groups.accounts_of(table),
                account_column: catalog
                    .tables
                    .get(table)
                    .and_then(|t| t.account_column.as_deref()),
                parents: Parents::new(catalog, data, table),
            };
            let mut program = Program::default();
            let mut ids = Vec::new();
            let mut table_specs = Vec::new();
            for (id, agg, p, split, members) in aggs {
                let mut s = spec(catalog, data, groups, &src, &mut program, agg, p, split);
                s.money_too_large = s.exact.is_none() && large_money.read_by(data, agg);
                if let Some(set) = members.and_then(|m| member_sets.get(m)) {
                    s.slots = set.len();
                    s.members_of_row = Some(set.of_row(table));
                }
                table_specs.push(s);
                ids.push(id);
            }
            Some((
                ids,
                TableScan {
                    rows: table_data.rows,
                    program,
                    specs: table_specs,
                    group_of_row: groups.group_of_row(table),
                },
            ))
        })
        .collect();
    let mut results: Vec<Option<AggResult>> = vec![None; count];
    let done: Vec<(Vec<usize>, Vec<AggResult>)> = scans
        .into_par_iter()
        .map(|(ids, scan)| (ids, scan.run()))
        .collect();
    for (ids, rs) in done {
        for (id, r) in ids.into_iter().zip(rs) {
            results[id] = Some(r);
        }
    }
    Computed {
        by_use,
        // A table without data gives missing values.
        results: results
            .into_iter()
            .zip(slots_of)
            .map(|(r, n)| {
                r.unwrap_or_else(|| AggResult {
                    values: Arc::new(vec![super::Val::missing("table not loaded"); n]),
                    rows: Default::default(),
                })
            })
            .collect(),
        members: member_sets,
    }
}

#[allow(clippy::too_many_arguments)]
fn spec<'a>(
    catalog: &Catalog,
    data: &'a Dataset,
    groups: &Groups,
    src: &Source<'a>,
    program: &mut Program<'a>,
    agg: &Aggregate,
    period: Period,
    split: Option<&'a ColumnRef>,
) -> AggSpec<'a> {
    let in_period = match &agg.time {
        TimeFilter::Column(c) => {
            let timed = catalog
                .tables
                .get(&agg.table)
                .and_then(|t| t.columns.get(c))
                .is_some_and(|c| c.ty == ColumnType::DateTime);
            program.in_period(src, c, timed, period.epoch_days())
        }
        TimeFilter::None => None,
    };
    let filter = agg.filter.as_ref().map(|f| program.compile(src, f, period));
    let exact = match (&agg.func, &agg.arg) {
        (
            AggFunc::Sum | AggFunc::Avg,
            Some(TExpr {
                kind: TExprKind::Column { column, via, .. },
                ..
            }),
        ) if via.is_empty() => match src.table.columns.get(column) {
            Some(Column::Money { values, valid, .. }) => Some((&values[..], &valid[..])),
            _ => None,
        },
        _ => None,
    };
    let arg = match (exact, &agg.arg) {
        (None, Some(a)) => Some(program.compile(src, a, period)),
        _ => None,
    };
    let money_rows = exact.is_none()
        && matches!(agg.func, AggFunc::Sum | AggFunc::Avg)
        && agg.arg.as_ref().is_some_and(money_linear);
    let split = Split::of(data, split);
    let width = split.as_ref().map_or(1, Split::width);
    AggSpec {
        func: agg.func,
        fraction: agg.fraction.unwrap_or(0.5),
        arg,
        exact,
        money_rows,
        filter,
        in_period,
        split: split.map(|s| (s.codes, width as u32)),
        is_date: agg
            .arg
            .as_ref()
            .is_some_and(|a| matches!(a.ty, crate::ir::Type::Date | crate::ir::Type::DateTime)),
        slots: groups.names.len() * width,
        distinct_domain: match (agg.func, arg) {
            (AggFunc::CountDistinct, Some(r)) => program.domain(r),
            _ => None,
        },
        values_missing: crate::query::missing::all_rows_missing(catalog, agg.arg.as_ref()),
        members_of_row: None,
        money_too_large: false,
    }
}

/// Whether a per-row money expression only adds, subtracts and picks money values
/// (`orders.revenue - orders.cost`, `coalesce(orders.discount, 0)`): then each row's
/// value is a whole number of ten-thousandths, and its sum can be exact.
fn money_linear(e: &TExpr) -> bool {
    use crate::vocab::BinaryOp;
    if e.ty != crate::ir::Type::Number(crate::ir::Dim::Money)
        && !matches!(e.kind, TExprKind::Number(_))
    {
        return false;
    }
    match &e.kind {
        TExprKind::Column { .. } => true,
        TExprKind::Number(x) => {
            let scaled = x * crate::data::MONEY_SCALE as f64;
            scaled == scaled.round() && scaled.abs() < 1e15
        }
        TExprKind::Neg(x) => money_linear(x),
        TExprKind::Binary {
            op: BinaryOp::Add | BinaryOp::Sub,
            left,
            right,
        } => money_linear(left) && money_linear(right),
        TExprKind::If {
            then, otherwise, ..
        } => money_linear(then) && money_linear(otherwise),
        TExprKind::Func {
            func:
                crate::ir::Func::Coalesce
                | crate::ir::Func::Least
                | crate::ir::Func::Greatest
                | crate::ir::Func::Abs,
            args,
        } => args.iter().all(money_linear),
        _ => false,
    }
}

/// Finds the aggregates a formula reads, through references, `previous` and
/// `year_ago`.
struct Walker<'a> {
    catalog: &'a Catalog,
    /// (measure or KPI, period step, breakdown) already walked.
    seen: HashSet<Walked<'a>>,
    uses: Vec<Used<'a>>,
}

/// An aggregate node found at a period step, with its breakdown and members.
type Used<'a> = (
    &'a Aggregate,
    u32,
    Option<&'a ColumnRef>,
    Option<&'a Members>,
);

impl<'a> Walker<'a> {
    /// Iterative: a chain of ten thousand measures is ten thousand steps, not frames.
    /// Inside `per`, aggregates are computed per member (and never split by the KPI's
    /// breakdown: a member's value is one number).
    fn walk(&mut self, root: &'a TExpr, back: u32, breakdown: Option<&'a ColumnRef>) {
        let mut stack: Vec<(&TExpr, u32, Option<&Members>)> = vec![(root, back, None)];
        while let Some((e, back, members)) = stack.pop() {
            let breakdown = breakdown.filter(|_| members.is_none());
            match &e.kind {
                TExprKind::Aggregate(agg) => {
                    let split = breakdown.filter(|b| b.table == agg.table);
                    self.uses.push((agg, back, split, members));
                }
                TExprKind::Ref(id) => {
                    let split = breakdown.map(|b| (b.table.as_str(), b.column.as_str()));
                    if self.seen.insert((id.as_str(), back, split, members))
                        && let Some(f) = self.catalog.formula(id)
                    {
                        stack.push((f, back, members));
                    }
                }
                TExprKind::Previous(inner) => stack.push((inner, back + 1, members)),
                TExprKind::YearAgo(inner) => {
                    stack.push((inner, back.saturating_add(crate::query::YEAR_AGO), members))
                }
                TExprKind::Grain(g) => {
                    for part in g.inner.iter().chain(&g.filter) {
                        stack.push((part, back, Some(&g.members)));
                    }
                }
                _ => stack.extend(e.operands().into_iter().rev().map(|c| (c, back, members))),
            }
        }
    }
}
