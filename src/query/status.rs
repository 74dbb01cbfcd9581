//! Targets, gaps and green/amber/red status of result rows: computed once, after any
//! engine returned, so every engine's rows get them alike. A target read from the
//! dataset is a formula the engine evaluates as a hidden KPI of the request
//! ([`with_target_kpis`]); [`apply_targets`] folds its rows back in.

use super::{GROUP_SEPARATOR, Money, Output, Period, Query, ResultRow, Results, Scope, change};
use crate::ir::{
    Amount, Catalog, Direction, KpiDef, TExpr, TExprKind, TargetKind, Thresholds, Unit,
};
use serde::{Serialize, Serializer};
use std::collections::HashMap;
use std::sync::Arc;

/// The id of the hidden KPI holding a KPI's target formula (not a name a `.kpi` file
/// can declare, so it never clashes).
const HIDDEN: &str = "__target__";

/// Where a value stands against its thresholds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Green,
    Amber,
    Red,
    /// No status: the value or the target is missing, and why.
    Missing(String),
}

impl Status {
    /// `green`, `amber` or `red`; `None` when missing.
    pub fn word(&self) -> Option<&'static str> {
        match self {
            Status::Green => Some("green"),
            Status::Amber => Some("amber"),
            Status::Red => Some("red"),
            Status::Missing(_) => None,
        }
    }
}

/// JSON writes `"green"`, `"amber"`, `"red"`, or `{"missing": reason}` as values do.
impl Serialize for Status {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match (self.word(), self) {
            (Some(w), _) => s.serialize_str(w),
            (None, Status::Missing(r)) => s.serialize_newtype_variant("Status", 3, "missing", r),
            (None, _) => s.serialize_none(),
        }
    }
}

/// The catalog and query an engine runs when a requested KPI reads its target from
/// the dataset: each such target becomes a hidden KPI of the same unit, evaluated for
/// the same periods and groups. `None` when no requested KPI has one.
pub fn with_target_kpis(catalog: &Catalog, query: &Query) -> Option<(Catalog, Query)> {
    let asked = query.asked(catalog);
    let hidden: Vec<KpiDef> = asked
        .iter()
        .filter_map(|k| match k.target.as_ref().map(|t| &t.kind) {
            Some(TargetKind::Formula(f)) => Some(hidden_kpi(k, f)),
            _ => None,
        })
        .collect();
    with_hidden(catalog, query, hidden)
}

/// The catalog and query extended with `hidden` KPIs (computed by the engine beside
/// the request's own, then taken out of the results); `None` when there are none.
/// Shared by the targets read from the data and the sample counts.
pub(super) fn with_hidden(
    catalog: &Catalog,
    query: &Query,
    hidden: Vec<KpiDef>,
) -> Option<(Catalog, Query)> {
    if hidden.is_empty() {
        return None;
    }
    let mut extended = catalog.clone();
    let mut q = query.clone();
    if q.kpis.is_empty() {
        q.kpis = catalog.kpis.keys().cloned().collect();
    }
    for k in hidden {
        q.kpis.push(k.id.clone());
        extended.order.push(k.id.clone());
        extended.kpis.insert(k.id.clone(), k);
    }
    Some((extended, q))
}

fn hidden_kpi(kpi: &KpiDef, formula: &TExpr) -> KpiDef {
    KpiDef {
        breakdown: None,
        ..hidden_kpi_as(HIDDEN, kpi, formula.clone())
    }
}

/// A hidden KPI `{prefix}{kpi.id}` computing `formula` in `kpi`'s scope: no target,
/// status or tags of its own, its dependencies read from the formula.
pub(super) fn hidden_kpi_as(prefix: &str, kpi: &KpiDef, formula: TExpr) -> KpiDef {
    let mut depends_on = Vec::new();
    let mut stack = vec![&formula];
    while let Some(e) = stack.pop() {
        if let TExprKind::Ref(id) = &e.kind {
            depends_on.push(id.clone());
        }
        stack.extend(e.operands());
    }
    KpiDef {
        id: format!("{prefix}{}", kpi.id),
        depends_on,
        target: None,
        status: None,
        tags: Vec::new(),
        formula,
        ..kpi.clone()
    }
}

/// Sets every row's target, gap and status from its KPI's definition, and takes the
/// rows (and unavailability) of the hidden target KPIs out of the results.
pub fn apply_targets(catalog: &Catalog, query: &Query, results: &mut Results) {
    // Read targets, by KPI, grouping, group and period: the KPI's id as the catalog
    // holds it and the rows' own shared texts (per account there are millions of
    // rows; owned strings cost four allocations a key).
    type Key<'c> = (&'c str, Option<Arc<str>>, Arc<str>, Option<Arc<str>>);
    let hidden = results.count_kpis_prefixed(HIDDEN);
    let mut read: HashMap<Key, Output> = HashMap::with_capacity(hidden);
    results
        .rows
        .retain_mut(|r| match r.kpi.strip_prefix(HIDDEN) {
            Some(base) => {
                if let Some((id, _)) = catalog.kpis.get_key_value(base) {
                    // The row goes: its value moves into the map.
                    let value = std::mem::replace(&mut r.value, Output::Value(0.0));
                    read.insert(
                        (
                            id.as_str(),
                            r.grouping.clone(),
                            r.group.clone(),
                            r.period.clone(),
                        ),
                        value,
                    );
                }
                false
            }
            None => true,
        });
    let mut unread: HashMap<String, String> = HashMap::new();
    results
        .unavailable
        .retain(|u| match u.kpi.strip_prefix(HIDDEN) {
            Some(base) => {
                unread.insert(base.to_string(), u.reason.clone());
                false
            }
            None => true,
        });
    let whole = results.period.clone();
    let mut sources: HashMap<&str, Arc<str>> = HashMap::new();
    for row in &mut results.rows {
        let Some(kpi) = catalog.kpis.get(&*row.kpi) else {
            continue;
        };
        let target = kpi.target.as_ref().map(|t| match &t.kind {
            TargetKind::Formula(_) => {
                let key = (
                    kpi.id.as_str(),
                    row.grouping.clone(),
                    row.group.clone(),
                    row.period.clone(),
                );
                read.get(&key).cloned().unwrap_or_else(|| {
                    Output::Missing(match unread.get(&kpi.id) {
                        Some(why) => format!("no target: {why}").into(),
                        None => "no target for this group".into(),
                    })
                })
            }
            kind => declared(kind, kpi.unit, row, query, &whole),
        });
        row.gap = target
            .as_ref()
            .and_then(|t| change(kpi.unit, &row.value, t));
        row.status = kpi
            .status
            .as_ref()
            .map(|th| status(th, kpi.better, &row.value, target.as_ref()));
        row.target = target;
        // One shared text per KPI: per account there are millions of rows.
        row.target_source = kpi
            .target
            .as_ref()
            .and_then(|t| t.origin.as_ref())
            .map(|o| {
                sources
                    .entry(kpi.id.as_str())
                    .or_insert_with(|| Arc::from(o.source.as_str()))
                    .clone()
            });
    }
}

/// A declared target (fixed, per segment, per period) for one row.
fn declared(kind: &TargetKind, unit: Unit, row: &ResultRow, query: &Query, whole: &str) -> Output {
    let found = match kind {
        TargetKind::Fixed(a) => Ok(*a),
        TargetKind::BySegment {
            column,
            values,
            otherwise,
        } => {
            let scope = match row.grouping.as_deref() {
                Some(label) => std::iter::once(&query.scope)
                    .chain(&query.groupings)
                    .find(|s| s.label() == label)
                    .unwrap_or(&query.scope),
                None => &query.scope,
            };
            let segment = match scope {
                Scope::By(_) => scope
                    .dimensions()
                    .iter()
                    .position(|d| d == column)
                    .and_then(|i| row.group.split(GROUP_SEPARATOR).nth(i)),
                _ => None,
            };
            let hit = segment.and_then(|s| values.iter().find(|(k, _)| k == s).map(|(_, a)| *a));
            hit.or(*otherwise).ok_or_else(|| match segment {
                Some(s) => format!("no target for {column} `{s}`"),
                None => format!("the target is per accounts.{column}, with no `else`"),
            })
        }
        TargetKind::ByPeriod { values, otherwise } => {
            let label = row.period.as_deref().unwrap_or(whole);
            let period = Period::parse(label, 1).ok();
            let hit = period.and_then(|p| {
                values
                    .iter()
                    .find(|(s, e, _, _)| *s == p.start && *e == p.end)
                    .map(|v| v.3)
            });
            hit.or(*otherwise).ok_or_else(|| {
                let why = period
                    .and_then(|p| other_length(values, p))
                    .unwrap_or_default();
                format!("no target for {label}{why}")
            })
        }
        TargetKind::Formula(_) => Err("no target".into()),
    };
    match found {
        Ok(a) => amount(a, unit),
        Err(why) => Output::Missing(why.into()),
    }
}

/// Why a `by period` target has none for `period` when no key is a period as long:
/// ": targets are given per year" for a quarter of yearly targets (`--every quarter`;
/// not in parentheses: tables show a missing reason in them).
/// The `else`, where there is one, still applies: this only words the missing reason.
fn other_length(
    values: &[(chrono::NaiveDate, chrono::NaiveDate, String, Amount)],
    period: Period,
) -> Option<String> {
    let months = period.whole_months()?;
    let keys: Vec<Option<u32>> = values
        .iter()
        .map(|(start, end, _, _)| {
            Period::parse(&format!("{start}..{end}"), 1)
                .ok()?
                .whole_months()
        })
        .collect();
    if keys.contains(&Some(months)) {
        return None;
    }
    let per = match keys.first().copied().flatten() {
        Some(m) if keys.iter().all(|k| *k == Some(m)) => match m {
            12 => "per year",
            6 => "per half year",
            3 => "per quarter",
            1 => "per month",
            _ => "for periods of another length",
        },
        _ => "for periods of another length",
    };
    Some(format!(": targets are given {per}"))
}

/// A declared amount as an output: exact for money.
fn amount(a: Amount, unit: Unit) -> Output {
    match (a.money, unit) {
        (Some(m), Unit::Money) => Output::Money(Money::from_ten_thousandths(m)),
        _ => Output::Value(a.value),
    }
}

/// Green, amber or red, or why not.
fn status(th: &Thresholds, better: Direction, value: &Output, target: Option<&Output>) -> Status {
    let Some(v) = value.number() else {
        return Status::Missing(match value {
            Output::Missing(r) => format!("no value: {r}"),
            _ => "no value".into(),
        });
    };
    let (green, amber) = if th.absolute {
        (th.green.value, th.amber.value)
    } else {
        let t = match target {
            Some(Output::Missing(r)) => return Status::Missing(r.to_string()),
            Some(t) => t.number(),
            None => None,
        };
        let Some(t) = t else {
            return Status::Missing("no target".into());
        };
        (th.green.value * t, th.amber.value * t)
    };
    // At a threshold is past it: 27% against 90% of a 30% target is amber, though
    // 0.9 * 0.3 is 0.27000000000000002 in doubles.
    let reaches = |bound: f64| {
        let slack = 1e-9 * bound.abs().max(1e-9);
        match better {
            Direction::Higher => v >= bound - slack,
            Direction::Lower => v <= bound + slack,
        }
    };
    if reaches(green) {
        Status::Green
    } else if reaches(amber) {
        Status::Amber
    } else {
        Status::Red
    }
}
