//! Result rows compared with the catalog's benchmarks: which benchmarks apply to a row
//! (its KPI, the accounts its scope fixes, the length of its period) and where the
//! value stands against each. Computed once, after any engine returned, so every
//! engine's rows get the same.

use super::{GROUP_SEPARATOR, Money, Output, Query, ResultRow, Results, Scope, change};
use crate::ir::{BenchmarkDef, Catalog, Direction, PeriodBasis, Unit};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// Where a value stands against one benchmark, with the benchmark's citation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standing {
    /// The benchmark's id.
    pub id: Arc<str>,
    /// The range, for a benchmark given as one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub low: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub high: Option<f64>,
    /// The single value, for a benchmark given as one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    pub position: Position,
    /// Against a single value: `value - benchmark` in the KPI's unit (exact for
    /// money); absent for a range or when the two are not compared.
    #[serde(
        serialize_with = "super::results::number_or_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub difference: Option<Output>,
    /// Whether the position is the better or the worse side by the KPI's `better`;
    /// absent within a range, at the value, or when not compared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessment: Option<Assessment>,
    /// Why the value is not compared (`yearly figure, quarterly value`, no value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub source: Arc<str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<Arc<str>>,
    pub as_of: Option<NaiveDate>,
}

/// Where the value is against the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    Below,
    /// Inside a range, its ends included.
    Within,
    Above,
    /// At a single value.
    Equal,
    /// The benchmark describes another length of period ([`Standing::reason`]).
    NotComparable,
    /// The row has no value ([`Standing::reason`]).
    NoValue,
}

impl Position {
    /// The word output formats show (`below`, `not comparable`).
    pub fn word(self) -> &'static str {
        match self {
            Position::Below => "below",
            Position::Within => "within",
            Position::Above => "above",
            Position::Equal => "at",
            Position::NotComparable => "not comparable",
            Position::NoValue => "no value",
        }
    }
}

/// The better or the worse side of a benchmark, by the KPI's direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Assessment {
    Better,
    Worse,
}

/// Sets every row's benchmarks: those of its KPI that apply to its scope, comparable
/// ones first, newest first.
pub fn apply_benchmarks(catalog: &Catalog, query: &Query, results: &mut Results) {
    if catalog.benchmarks.is_empty() {
        return;
    }
    let mut by_kpi: HashMap<&str, Vec<&BenchmarkDef>> = HashMap::new();
    for b in &catalog.benchmarks {
        by_kpi.entry(b.kpi.as_str()).or_default().push(b);
    }
    for list in by_kpi.values_mut() {
        // Newest first; the catalog's order between figures of the same date.
        list.sort_by_key(|b| std::cmp::Reverse(b.as_of));
    }
    let months = match query.every {
        Some(e) => Some(e.months()),
        None => query.period.whole_months(),
    };
    let days = (query.period.end - query.period.start).num_days() + 1;
    for row in &mut results.rows {
        let Some(list) = by_kpi.get(&*row.kpi) else {
            continue;
        };
        let Some(kpi) = catalog.kpis.get(&*row.kpi) else {
            continue;
        };
        let fixed = fixed_columns(query, row);
        let mut standings: Vec<Standing> = list
            .iter()
            .filter(|b| {
                b.applies_to.iter().all(|c| {
                    fixed
                        .iter()
                        .any(|(col, v)| *col == c.column && *v == c.value)
                })
            })
            .map(|b| standing(b, kpi.unit, kpi.better, &row.value, months, days))
            .collect();
        // Comparable first (a stable sort keeps newest first within each).
        standings.sort_by_key(|s| s.position == Position::NotComparable);
        row.benchmarks = standings;
    }
}

/// The `accounts` columns a row's scope fixes, with their values: the request's
/// filters and the row's group's dimensions.
fn fixed_columns<'a>(query: &'a Query, row: &'a ResultRow) -> Vec<(&'a str, &'a str)> {
    let mut fixed: Vec<(&str, &str)> = query
        .filters
        .iter()
        .map(|f| (f.column.as_str(), f.value.as_str()))
        .collect();
    let scope = match row.grouping.as_deref() {
        Some(label) => std::iter::once(&query.scope)
            .chain(&query.groupings)
            .find(|s| s.label() == label)
            .unwrap_or(&query.scope),
        None => &query.scope,
    };
    if let Scope::By(_) = scope {
        let dims = scope.dimensions();
        // A fact table's dimension (`orders.product_line`) is not an account's.
        if dims.iter().all(|d| !d.contains('.')) {
            fixed.extend(dims.into_iter().zip(row.group.split(GROUP_SEPARATOR)));
        }
    }
    fixed
}

/// Where `value` stands against one benchmark.
fn standing(
    b: &BenchmarkDef,
    unit: Unit,
    better: Direction,
    value: &Output,
    months: Option<u32>,
    days: i64,
) -> Standing {
    let mut s = Standing {
        id: b.id.as_str().into(),
        low: b.low.map(tidy),
        high: b.high.map(tidy),
        value: b.value.map(tidy),
        position: Position::NoValue,
        difference: None,
        assessment: None,
        reason: None,
        source: b.source.as_str().into(),
        url: b.url.as_deref().map(Into::into),
        as_of: b.as_of,
    };
    if let Some(basis) = b.period
        && months != Some(basis.months())
    {
        s.position = Position::NotComparable;
        s.reason = Some(format!(
            "{} figure, {}",
            basis.adjective(),
            value_length(months, days)
        ));
        return s;
    }
    let Some(v) = value.number() else {
        s.reason = Some(match value {
            Output::Missing(r) => format!("no value: {r}"),
            _ => "no value".into(),
        });
        return s;
    };
    s.position = match (s.value, s.low, s.high) {
        (Some(target), _, _) => {
            s.difference = change(unit, value, &exact(target, unit));
            if close(v, target) {
                Position::Equal
            } else if v < target {
                Position::Below
            } else {
                Position::Above
            }
        }
        (None, Some(low), Some(high)) => {
            if v < low && !close(v, low) {
                Position::Below
            } else if v > high && !close(v, high) {
                Position::Above
            } else {
                Position::Within
            }
        }
        // The checker refuses a benchmark without a value or a whole range.
        _ => {
            s.reason = Some("the benchmark has no value".into());
            Position::NotComparable
        }
    };
    s.assessment = match (s.position, better) {
        (Position::Above, Direction::Higher) | (Position::Below, Direction::Lower) => {
            Some(Assessment::Better)
        }
        (Position::Below, Direction::Higher) | (Position::Above, Direction::Lower) => {
            Some(Assessment::Worse)
        }
        _ => None,
    };
    s
}

/// A benchmark's figure as written: `5.15%` is read as 5.15 / 100, which is
/// 0.051500000000000004 in doubles; twelve decimals are more than any benchmark gives.
fn tidy(v: f64) -> f64 {
    if v.abs() < 1e6 {
        (v * 1e12).round() / 1e12
    } else {
        v
    }
}

/// Equal up to the error of doubles: 8% is at an 8% benchmark, though the value was
/// computed as 2/25.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-9)
}

/// A benchmark's value as an output: exact money for a money KPI, so that the
/// difference to an exact amount is exact.
fn exact(v: f64, unit: Unit) -> Output {
    match unit {
        Unit::Money => Money::parse(&v.to_string()).map_or(Output::Value(v), Output::Money),
        _ => Output::Value(v),
    }
}

/// The length of the value's period, as `not comparable` words it.
fn value_length(months: Option<u32>, days: i64) -> String {
    match months {
        Some(m) => match PeriodBasis::ALL.into_iter().find(|b| b.months() == m) {
            Some(b) => format!("{} value", b.adjective()),
            None => format!("value over {m} months"),
        },
        None => format!("value over {days} days"),
    }
}
