//! The days a request reads of each table: for a table read only through aggregates
//! filtered to a period by its time column, the span from the earliest period any of
//! them reaches (`previous`, `year_ago`, the comparison, a time series' sub-periods)
//! to the end of the requested period. Loading may skip rows outside it (Parquet row
//! groups by their statistics); a table read any other way is not listed.

use super::{Compare, Request};
use crate::data::{DayRange, TimeRanges};
use crate::ir::{Catalog, KpiDef, TExpr, TExprKind, TimeFilter};
use std::collections::{HashMap, HashSet};

/// Deeper nesting of `previous`/`year_ago` than this reads every row (no range).
const MAX_STEPS: u32 = 64;

/// The days of each table `kpis` read only within periods, for `request` (its period
/// given); empty without a period. `accounts`, tables a relation points at (their
/// keys are looked up from other rows), tables read through relations, by an
/// aggregate without a period filter, as a breakdown or a grouping dimension are
/// never listed.
pub fn time_ranges(catalog: &Catalog, kpis: &[&KpiDef], request: &Request) -> TimeRanges {
    let Some(period) = request.period else {
        return TimeRanges::new();
    };
    // Per table: the deepest (previous, year_ago) steps an aggregate reads it at.
    let mut steps: HashMap<&str, (u32, u32)> = HashMap::new();
    let mut whole: HashSet<&str> = HashSet::from(["accounts"]);
    for t in catalog.tables.values() {
        for c in t.columns.values() {
            if let Some(target) = &c.relation {
                whole.insert(target.as_str());
            }
        }
    }
    for scope in std::iter::once(&request.scope).chain(&request.groupings) {
        for d in scope.dimensions() {
            if let Some((table, _)) = d.split_once('.') {
                whole.insert(table);
            }
        }
    }
    let mut seen: HashSet<(&str, u32, u32)> = HashSet::new();
    for kpi in kpis {
        if let Some(b) = &kpi.breakdown {
            whole.insert(b.table.as_str());
        }
        let mut stack: Vec<(&TExpr, u32, u32)> = vec![(&kpi.formula, 0, 0)];
        while let Some((e, prev, ago)) = stack.pop() {
            if prev > MAX_STEPS || ago > MAX_STEPS {
                return TimeRanges::new();
            }
            match &e.kind {
                TExprKind::Aggregate(agg) => {
                    match &agg.time {
                        TimeFilter::Column(_) => {
                            let s = steps.entry(agg.table.as_str()).or_insert((0, 0));
                            *s = (s.0.max(prev), s.1.max(ago));
                        }
                        TimeFilter::None => {
                            whole.insert(agg.table.as_str());
                        }
                    }
                    for x in agg.arg.iter().chain(agg.filter.iter()) {
                        stack.push((x, prev, ago));
                    }
                }
                TExprKind::Ref(id) => {
                    if seen.insert((id.as_str(), prev, ago))
                        && let Some(f) = catalog.formula(id)
                    {
                        stack.push((f, prev, ago));
                    }
                }
                TExprKind::Column { via, .. } => {
                    whole.extend(via.iter().map(|h| h.table.as_str()));
                }
                TExprKind::Previous(inner) => stack.push((inner, prev + 1, ago)),
                TExprKind::YearAgo(inner) => stack.push((inner, prev, ago + 1)),
                // Members are accounts, read whole already.
                TExprKind::Grain(g) => {
                    for x in g.inner.iter().chain(&g.filter) {
                        stack.push((x, prev, ago));
                    }
                }
                _ => stack.extend(e.operands().into_iter().map(|x| (x, prev, ago))),
            }
        }
    }
    let bases = match request.every {
        Some(every) => period
            .split(every.months(), "")
            .unwrap_or_else(|_| vec![period]),
        None => vec![period],
    };
    let (compare_prev, compare_ago) = match request.compare {
        Compare::Previous => (1, 0),
        Compare::YearAgo => (0, 1),
    };
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(chrono::NaiveDate::MIN);
    let day = |d: chrono::NaiveDate| (d - epoch).num_days();
    let end = day(period.end) + 1;
    let mut out = TimeRanges::new();
    for (table, (prev, ago)) in steps {
        if whole.contains(table) {
            continue;
        }
        let mut first = day(period.start);
        for base in &bases {
            // Every combination of steps up to the deepest: `back` shifts years first.
            for y in 0..=ago + compare_ago {
                let shifted = (0..y).fold(*base, |p, _| p.year_ago());
                for p in 0..=prev + compare_prev {
                    let at = (0..p).fold(shifted, |q, _| q.previous());
                    first = first.min(day(at.start));
                }
            }
        }
        out.insert(table.to_string(), DayRange { first, end });
    }
    out
}
