//! The native engine: checked KPIs evaluated over a loaded dataset, for a period and a
//! scope.
//!
//! A request is planned first ([`plan`]): every aggregate the requested KPIs read,
//! through their measures, references, `previous` and `year_ago`, for every period
//! of the request (the sub-periods of a time series included), is collected once, and each
//! table is scanned once for all of its aggregates ([`scan`]), with the per-row
//! expressions compiled into column kernels ([`program`]). What is left is scope-level
//! arithmetic on one value per group ([`scalar`], driven by [`formula`]), with
//! measures shared between KPIs. The request and its results are the shared
//! [`crate::query`] types.

mod canon;
mod explain;
mod follow;
mod formula;
mod grain;
mod groups;
mod kernels;
mod money_range;
mod plan;
mod program;
mod register;
mod row_map;
mod scalar;
mod scan;
mod select;
mod value;

pub use explain::{ExplainLine, Explanation, explain, explain_groups};
pub use grain::MemberCounts;
pub use groups::check_portfolio_tables;
/// The scope-level operators, for the rules evaluated over result rows (`query::apply_rules`).
pub(crate) use scalar::combine;
pub use scan::RowCounts;
pub use value::Val;

use crate::data::Dataset;
use crate::ir::*;
use crate::query::{Output, Period, Query, QueryError, ResultRow, Results, validate};
use formula::{Evaluator, Shared};
use groups::Groups;
use rayon::prelude::*;
use std::time::{Duration, Instant};

/// "No row / no group" in the compact `u32` row maps.
const NONE: u32 = u32::MAX;

/// Where an evaluation spent its time (for `KPIC_TIMING`; the library prints nothing).
#[derive(Debug, Clone, Copy, Default)]
pub struct Timings {
    /// Assigning every account and row to its group.
    pub groups: Duration,
    /// The shared table scans.
    pub scans: Duration,
    /// Scope-level formulas.
    pub formulas: Duration,
}

/// Evaluates a query. The catalog must have checked without errors.
pub fn evaluate(catalog: &Catalog, data: &Dataset, query: &Query) -> Result<Results, QueryError> {
    evaluate_timed(catalog, data, query).map(|(results, _)| results)
}

/// [`evaluate`], with where the time went. Several groupings
/// ([`Query::groupings`]) are evaluated one after the other over the same loaded
/// data, each with its own scans; their rows follow one another, each naming its
/// grouping.
pub fn evaluate_timed(
    catalog: &Catalog,
    data: &Dataset,
    query: &Query,
) -> Result<(Results, Timings), QueryError> {
    if query.groupings.is_empty() {
        return evaluate_scope(catalog, data, query);
    }
    let mut all: Option<Results> = None;
    let mut timings = Timings::default();
    for scope in std::iter::once(&query.scope).chain(&query.groupings) {
        let one = Query {
            scope: scope.clone(),
            groupings: Vec::new(),
            ..query.clone()
        };
        let (mut results, t) = evaluate_scope(catalog, data, &one)?;
        let label: std::sync::Arc<str> = scope.label().into();
        for r in &mut results.rows {
            r.grouping = Some(label.clone());
        }
        timings.groups += t.groups;
        timings.scans += t.scans;
        timings.formulas += t.formulas;
        match &mut all {
            None => all = Some(results),
            Some(a) => {
                a.rows.extend(results.rows);
                a.unavailable.extend(results.unavailable);
            }
        }
    }
    let mut results = all.ok_or_else(|| QueryError("no grouping to evaluate".into()))?;
    results.scope = query.scope.clone();
    Ok((results, timings))
}

/// One grouping of a query: every KPI for the period (or each sub-period of a time
/// series) and its comparison, from one plan, so one scan per table.
fn evaluate_scope(
    catalog: &Catalog,
    data: &Dataset,
    query: &Query,
) -> Result<(Results, Timings), QueryError> {
    let ids = validate(catalog, &query.kpis, &query.scope, &query.filters)?.kpis;
    // A dimension of a fact table splits the portfolio's rows of that table as a
    // breakdown does; KPIs reading other tables are left out, each with why.
    let fact = query.scope.fact_dimension();
    let (ids, not_split) = match &fact {
        Some(by) => crate::query::split_by_fact(catalog, &ids, by)?,
        None => (ids, Vec::new()),
    };
    let scope = match fact {
        Some(_) => crate::query::Scope::Portfolio,
        None => query.scope.clone(),
    };
    check_portfolio_tables(catalog, &ids, &scope, &query.filters)?;
    let periods = query.periods()?;
    let compare = query.compare.step();
    let started = Instant::now();
    let groups = Groups::new(catalog, data, &scope, &query.filters)?;
    let grouped = started.elapsed();
    let roots: Vec<_> = ids
        .iter()
        .map(|k| (&k.formula, fact.as_ref().or(k.breakdown.as_ref())))
        .collect();
    let computed = plan::compute_all(catalog, data, &groups, &periods, compare, &roots);
    let scanned = started.elapsed();
    let shared: Vec<Shared> = periods.iter().map(|_| Shared::default()).collect();
    let labels: Option<Vec<(std::sync::Arc<str>, std::sync::Arc<str>)>> = query.every.map(|_| {
        periods
            .iter()
            .map(|p| (p.label().into(), p.back(compare).label().into()))
            .collect()
    });
    let rows_of = |kpi: &&KpiDef| -> Vec<ResultRow> {
        let mut rows = Vec::new();
        for (base, period) in periods.iter().enumerate() {
            let mut ev = Evaluator::new(
                catalog,
                data,
                &groups,
                &computed,
                &shared[base],
                *period,
                kpi,
            )
            .at_base(base, *period)
            .split_by(data, fact.as_ref());
            ev.warm(&kpi.formula, 0);
            ev.warm(&kpi.formula, compare);
            let now = ev.eval(&kpi.formula, 0);
            let before = ev.eval(&kpi.formula, compare);
            let series = labels.as_ref().and_then(|l| l.get(base).cloned());
            rows.extend(ev.result_rows(kpi, &now, &before, series));
        }
        if fact.is_some() {
            // The fact table's values are the groups.
            for r in &mut rows {
                r.group = r.breakdown.take().unwrap_or_default().into();
            }
        }
        if periods.len() > 1 || fact.is_some() {
            // Each group's sub-periods together, in order (the sort is stable).
            rows.sort_by(|a, b| a.group.cmp(&b.group));
        }
        rows
    };
    let rows = assemble(
        &ids,
        fact.is_none(),
        groups.names.len() * periods.len(),
        rows_of,
    );
    let timings = Timings {
        groups: grouped,
        scans: scanned - grouped,
        formulas: started.elapsed() - scanned,
    };
    let results = Results {
        period: query.period.label(),
        previous_period: query.period.back(compare).label(),
        compare: query.compare,
        every: query.every,
        scope: query.scope.clone(),
        rows,
        unavailable: not_split,
        rules: Vec::new(),
    };
    Ok((results, timings))
}

/// Every KPI's result rows, in the order of `ids`, in one vector allocated once.
///
/// Per account this is millions of rows: computing every KPI's rows and then copying
/// them into one vector held them twice at the peak. A KPI without a breakdown (when
/// `unsplit`, no fact dimension splits the groups either) has exactly `per_kpi` rows
/// (one per group and sub-period), so the vector is sized before any is computed;
/// the few split KPIs, whose row counts depend on their keys, are computed first. The
/// others are then computed a few at a time in parallel and moved in, so only the
/// rows of one batch exist twice.
fn assemble<'c, F>(ids: &[&'c KpiDef], unsplit: bool, per_kpi: usize, rows_of: F) -> Vec<ResultRow>
where
    F: Fn(&&'c KpiDef) -> Vec<ResultRow> + Sync,
{
    let exact = |k: &KpiDef| unsplit && k.breakdown.is_none();
    let mut split: Vec<Option<Vec<ResultRow>>> = ids
        .par_iter()
        .map(|k| (!exact(k)).then(|| rows_of(k)))
        .collect();
    let total = split
        .iter()
        .map(|s| s.as_ref().map_or(per_kpi, Vec::len))
        .sum();
    let mut all = Vec::with_capacity(total);
    // Enough KPIs per batch to keep every core busy (their costs differ), few enough
    // that a batch's rows are a small part of the whole.
    let batch = rayon::current_num_threads().max(1) * 4;
    for (ks, done) in ids.chunks(batch).zip(split.chunks_mut(batch)) {
        let rows: Vec<Vec<ResultRow>> = ks
            .par_iter()
            .zip(done.par_iter_mut())
            .map(|(k, d)| d.take().unwrap_or_else(|| rows_of(k)))
            .collect();
        for r in rows {
            all.extend(r);
        }
    }
    all
}

/// The earliest or latest date in the time columns of the dataset's tables (days since
/// 1970-01-01), as `sql::compile_date_bound` asks a database. The latest counts only
/// dates on or before the bound's day: the default period is chosen from it
/// ([`Period::latest_complete_year`]).
pub fn date_bound(
    catalog: &Catalog,
    data: &Dataset,
    bound: crate::query::DateBound,
) -> Option<f64> {
    use crate::query::DateBound;
    let limit = match bound {
        DateBound::Earliest | DateBound::Latest => None,
        DateBound::LatestBy(day) => Some(date_days(day) + 1.0),
    };
    let earliest = bound == DateBound::Earliest;
    let mut found: Option<f64> = None;
    for t in catalog.tables.values() {
        let (Some(col), Some(table)) = (&t.time_column, data.tables.get(&t.name)) else {
            continue;
        };
        let timed = t
            .columns
            .get(col)
            .is_some_and(|c| c.ty == crate::ir::ColumnType::DateTime);
        let per_day = if timed {
            crate::data::SECONDS_PER_DAY as f64
        } else {
            1.0
        };
        if let Some(crate::data::Column::Date { values, valid }) = table.columns.get(col) {
            // One pass over the raw values (whole days or seconds), then one division:
            // a day is at or past the limit exactly when its first second is.
            let below = limit.map(|l| l * per_day);
            let kept = values
                .iter()
                .zip(valid)
                .filter(|(v, ok)| **ok && below.is_none_or(|b| **v < b))
                .map(|(v, _)| *v);
            let bound = if earliest {
                kept.reduce(f64::min)
            } else {
                kept.reduce(f64::max)
            };
            // A date-time (whole seconds) counts as its day.
            if let Some(day) = bound.map(|v| v.div_euclid(per_day)) {
                found = Some(match found {
                    None => day,
                    Some(f) if earliest => f.min(day),
                    Some(f) => f.max(day),
                });
            }
        }
    }
    found
}

pub(super) fn output(v: &Val) -> Output {
    match v {
        Val::Num(x) => Output::Value(*x),
        Val::Money(m) => Output::Money(*m),
        Val::Missing(r) => Output::Missing(std::borrow::Cow::Borrowed(r)),
        _ => Output::Missing("not a number".into()),
    }
}

pub(crate) fn date_days(d: chrono::NaiveDate) -> f64 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(chrono::NaiveDate::MIN);
    (d - epoch).num_days() as f64
}

pub(crate) fn period_value(p: Period, f: PeriodField) -> Val {
    let (start, end) = p.epoch_days();
    match f {
        PeriodField::Start => Val::Date(start),
        PeriodField::End => Val::Date(end),
        PeriodField::PreviousStart => Val::Date(p.previous().epoch_days().0),
        PeriodField::Days => Val::Num(p.days() as f64),
        PeriodField::Months | PeriodField::Quarters | PeriodField::Years => {
            let per = match f {
                PeriodField::Months => 1,
                PeriodField::Quarters => 3,
                _ => 12,
            };
            p.length_in_months(per).map_or_else(Val::missing, Val::Num)
        }
    }
}
