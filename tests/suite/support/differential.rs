//! What the SQL differential tests share: the native evaluator's results (and reasons
//! for missing values) for a request, and the comparison of a database's rows with
//! them: 1e-9 relative, missing exactly where native is missing, the same set of rows.

use kpic::eval::evaluate;
use kpic::query::{Output, Period, Query, Scope};
use std::collections::BTreeMap;
use std::path::Path;

/// kpi, group, breakdown.
pub type Key = (String, String, Option<String>);
/// One result row of a database: kpi, group, breakdown, value, previous.
pub type Row = (String, String, Option<String>, Option<f64>, Option<f64>);

/// Every KPI of the catalog in `kpis/`, evaluated natively on `data`.
fn evaluate_all(period: &str, scope: Scope, data: &Path) -> Vec<kpic::query::ResultRow> {
    let checked = kpic::check_paths(&["kpis".into()]).expect("catalog");
    let dataset = kpic::data::load_dataset(&checked.catalog, data).expect("data loads");
    let q = Query {
        kpis: vec![],
        period: Period::parse(period, 1).expect("period"),
        scope,
        filters: vec![],
        compare: Default::default(),
        every: None,
        groupings: vec![],
    };
    evaluate(&checked.catalog, &dataset, &q)
        .expect("evaluates")
        .rows
}

/// The native engine's (value, previous) per key, `None` where missing.
pub fn native(
    period: &str,
    scope: Scope,
    data: &Path,
) -> BTreeMap<Key, (Option<f64>, Option<f64>)> {
    let as_opt = Output::number;
    evaluate_all(period, scope, data)
        .into_iter()
        .map(|r| {
            (
                (r.kpi.to_string(), r.group.to_string(), r.breakdown),
                (as_opt(&r.value), as_opt(&r.previous)),
            )
        })
        .collect()
}

/// The native engine's reasons for missing values (None where there is a value).
pub fn native_reasons(
    period: &str,
    scope: Scope,
    data: &Path,
) -> BTreeMap<Key, (Option<String>, Option<String>)> {
    let why = |o: &Output| match o {
        Output::Value(_) | Output::Money(_) => None,
        Output::Missing(r) => Some(r.to_string()),
    };
    evaluate_all(period, scope, data)
        .into_iter()
        .map(|r| {
            (
                (r.kpi.to_string(), r.group.to_string(), r.breakdown),
                (why(&r.value), why(&r.previous)),
            )
        })
        .collect()
}

/// Equal to 1e-9 relative (absolute below 1), or both missing.
pub fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * b.abs().max(1.0),
        _ => false,
    }
}

/// Differences between native results and database rows, as readable lines.
pub fn differences(
    native: &BTreeMap<Key, (Option<f64>, Option<f64>)>,
    rows: Vec<Row>,
) -> Vec<String> {
    let mut problems = Vec::new();
    if native.is_empty() {
        problems.push("the native engine returned no rows: nothing was compared".to_string());
    }
    let mut seen = 0;
    for (kpi, grp, bk, v, p) in rows {
        let key = (kpi, grp, bk);
        match native.get(&key) {
            None => problems.push(format!("{key:?}: only in SQL ({v:?}, {p:?})")),
            Some((nv, np)) => {
                seen += 1;
                if !close(v, *nv) || !close(p, *np) {
                    problems.push(format!(
                        "{key:?}: SQL ({v:?}, {p:?}) vs native ({nv:?}, {np:?})"
                    ));
                }
            }
        }
    }
    if seen != native.len() {
        problems.push(format!(
            "SQL returned {seen} of the {} native rows",
            native.len()
        ));
    }
    problems
}
