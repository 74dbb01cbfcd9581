//! The affected KPIs computed under the old and the new definitions over one dataset,
//! side by side with the difference, natively or on a database engine. Only those KPIs
//! are loaded for and computed.

use super::report::{ValueRow, Values};
use super::side::Side;
use crate::data::Dataset;
use crate::engine::{self, Database, Engine};
use crate::ir::{Catalog, Unit};
use crate::query::{Output, Request, ResultRow, columns_read, split_available, time_ranges};
use crate::render::value::{change, shown};
use std::path::Path;

/// One side's results: per (KPI, group) the value and the KPI's unit, in order.
type Computed = Vec<(String, String, Output, Unit)>;

/// Where the values are computed; each side is computed apart, under its own catalog
/// (whose tables may differ), so a database is made per side.
pub enum On<'a> {
    /// Natively, over the dataset in this folder (each side loads what it reads).
    Native(&'a Path),
    /// In a database holding the model's tables: the database for a side's catalog.
    Database(&'a dyn Fn(&Catalog) -> Result<Database, String>),
    /// The dataset in this folder loaded and checked as natively, then handed to a
    /// database (Spark) made for the side's catalog and dataset.
    Loaded(
        &'a Path,
        &'a dyn Fn(&Catalog, &Dataset) -> Result<Database, String>,
    ),
}

/// `kpis` (ids of the new side; absent ones skipped on each side) computed `on` an
/// engine for `request` (its `kpis` ignored), old beside new.
pub fn compare(
    old: &Side,
    new: &Side,
    kpis: &[String],
    on: &On,
    request: &Request,
) -> Result<Values, String> {
    let mut notes = Vec::new();
    let (before, _) = compute(&old.checked.catalog, kpis, on, request, "old", &mut notes)?;
    let (after, period) = compute(&new.checked.catalog, kpis, on, request, "new", &mut notes)?;
    let mut rows = Vec::new();
    // The new side's order, then rows only the old side has.
    for (kpi, group, value, unit) in &after {
        let was = before
            .iter()
            .find(|(k, g, _, _)| k == kpi && g == group)
            .map(|(_, _, v, u)| (v, *u));
        rows.push(row(kpi, group, was, Some((value, *unit))));
    }
    for (kpi, group, value, unit) in &before {
        if !after.iter().any(|(k, g, _, _)| k == kpi && g == group) {
            rows.push(row(kpi, group, Some((value, *unit)), None));
        }
    }
    Ok(Values {
        period: period.unwrap_or_default(),
        rows,
        notes,
    })
}

fn row(
    kpi: &str,
    group: &str,
    old: Option<(&Output, Unit)>,
    new: Option<(&Output, Unit)>,
) -> ValueRow {
    let show = |s: Option<(&Output, Unit)>| s.map_or("—".to_string(), |(o, u)| shown(o, u));
    let num = |s: Option<(&Output, Unit)>| s.and_then(|(o, _)| o.number());
    let (a, b) = (num(old), num(new));
    // Exact money stays exact: 3,984,095.14 − 3,003,892.30 is 980,202.84, not the
    // difference of the nearest doubles.
    let exact = match (old, new) {
        (Some((Output::Money(x), _)), Some((Output::Money(y), _))) => y.checked_sub(*x),
        _ => None,
    };
    let difference_value = exact.map(|m| m.to_f64()).or(a.zip(b).map(|(a, b)| b - a));
    let unit = new.or(old).map_or(Unit::Number, |(_, u)| u);
    let same_unit = old.map(|(_, u)| u) == new.map(|(_, u)| u);
    let difference = match (exact, difference_value) {
        (Some(m), _) if same_unit => change(Some(&Output::Money(m)), unit),
        (None, Some(d)) if same_unit => change(Some(&Output::Value(d)), unit),
        _ => String::new(),
    };
    ValueRow {
        kpi: kpi.to_string(),
        group: group.to_string(),
        old: show(old),
        new: show(new),
        old_value: a,
        new_value: b,
        difference,
        difference_value,
    }
}

/// The KPIs of `kpis` that `catalog` has, computed `on` an engine; and the period shown.
fn compute(
    catalog: &Catalog,
    kpis: &[String],
    on: &On,
    request: &Request,
    side: &str,
    notes: &mut Vec<String>,
) -> Result<(Computed, Option<String>), String> {
    let asked: Vec<&crate::ir::KpiDef> = kpis.iter().filter_map(|k| catalog.kpis.get(k)).collect();
    if asked.is_empty() {
        return Ok((Vec::new(), None));
    }
    let mut request = request.clone();
    let loaded;
    let database;
    let engine = match on {
        On::Database(make) => {
            // The database answers for every table it holds; a missing one is its error.
            request.kpis = asked.iter().map(|k| k.id.clone()).collect();
            database = make(catalog).map_err(|e| format!("the {side} side: {e}"))?;
            Engine::Database(&database)
        }
        On::Native(data) | On::Loaded(data, _) => {
            loaded = load(catalog, &asked, data, &request, side)?;
            let (available, unavailable) = split_available(catalog, &asked, &loaded.absent);
            for u in unavailable {
                notes.push(format!("{} ({side}): {}", u.kpi, u.reason));
            }
            if available.is_empty() {
                return Ok((Vec::new(), None));
            }
            request.kpis = available.iter().map(|k| k.id.clone()).collect();
            match on {
                On::Loaded(_, make) => {
                    database =
                        make(catalog, &loaded).map_err(|e| format!("the {side} side: {e}"))?;
                    Engine::Database(&database)
                }
                _ => Engine::Native(&loaded),
            }
        }
    };
    let answer = engine::run(catalog, &engine, &request).map_err(|e| match e {
        engine::EngineError::Request(e) | engine::EngineError::Database(e) => e.to_string(),
    })?;
    let rows = answer
        .results
        .rows
        .iter()
        .map(|r| (r.kpi.to_string(), group(r), r.value.clone(), r.unit))
        .collect();
    Ok((rows, Some(answer.results.period.clone())))
}

/// The dataset in `data` as the `asked` KPIs of `catalog` read it.
fn load(
    catalog: &Catalog,
    asked: &[&crate::ir::KpiDef],
    data: &Path,
    request: &Request,
    side: &str,
) -> Result<Dataset, String> {
    let scopes: Vec<&crate::query::Scope> = std::iter::once(&request.scope)
        .chain(&request.groupings)
        .collect();
    let needed = columns_read(catalog, asked, &scopes);
    let ranges = time_ranges(catalog, asked, request);
    crate::data::load_read(
        catalog,
        data,
        &needed,
        request.period.is_none(),
        &ranges,
        &mut |_, _, _| {},
    )
    .map_err(|report| {
        let mut text = format!("the data does not load under the {side} catalog:");
        for e in &report.errors {
            text.push_str(&format!("\n  {e}"));
        }
        text
    })
}

/// A result row's group as one label: grouping, sub-period, group and breakdown value.
fn group(r: &ResultRow) -> String {
    [
        r.grouping.as_deref(),
        r.period.as_deref(),
        Some(&*r.group),
        r.breakdown.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(" / ")
}
