//! Evaluating checked KPIs over a loaded dataset, for a period and a scope.
//!
//! A request is planned first ([`plan`]): every aggregate the requested KPIs read,
//! through their measures, references and `previous`, is collected once, and each
//! table is scanned once for all of its aggregates ([`scan`]), with the per-row
//! expressions compiled into column kernels ([`program`]). What is left is scope-level
//! arithmetic on one value per group ([`scalar`]), with measures shared between KPIs.

mod canon;
mod groups;
mod kernels;
mod period;
mod plan;
mod program;
mod register;
mod scalar;
mod scan;
mod value;

pub use period::Period;
pub use value::Val;

use crate::data::Dataset;
use crate::ir::*;
use groups::Groups;
use plan::{Computed, Split};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// A scope-level value: the same for every slot, or one per slot (shared, not copied,
/// between the KPIs that use it).
#[derive(Debug, Clone)]
enum Slots {
    Same(Val),
    Each(Arc<Vec<Val>>),
}

impl Slots {
    fn get(&self, i: usize) -> &Val {
        const NO_SLOT: Val = Val::Missing("no group");
        match self {
            Slots::Same(v) => v,
            Slots::Each(v) => v.get(i).unwrap_or(&NO_SLOT),
        }
    }
}

/// "No row / no group" in the compact `u32` row maps.
const NONE: u32 = u32::MAX;

/// How results are grouped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// One value for all accounts in scope.
    Portfolio,
    /// One value per value of an `accounts` dimension.
    By(String),
    /// One value per account.
    PerAccount,
}

/// What to compute.
#[derive(Debug, Clone)]
pub struct Query {
    /// KPI ids; empty means every KPI of the catalog.
    pub kpis: Vec<String>,
    pub period: Period,
    pub scope: Scope,
    /// Keep only accounts whose column equals the value (`--where tier=strategic`,
    /// `--account ID` is `account key = ID`).
    pub filters: Vec<(String, String)>,
}

/// One computed value, with the previous period's and the change.
#[derive(Debug, Clone, Serialize)]
pub struct ResultRow {
    /// Shared by every row of the KPI (per account, there are millions of rows).
    pub kpi: Arc<str>,
    pub name: Arc<str>,
    pub unit: Unit,
    /// The segment or account (empty for the portfolio), shared by its KPIs' rows.
    pub group: Arc<str>,
    /// The breakdown key, for breakdown KPIs.
    pub breakdown: Option<String>,
    pub value: Output,
    pub previous: Output,
    /// `value - previous`, when both exist.
    pub change: Option<f64>,
}

/// A computed value or the reason there is none.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Output {
    Value(f64),
    Missing(String),
}

/// The result of a query.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    pub period: String,
    pub previous_period: String,
    pub scope: Scope,
    pub rows: Vec<ResultRow>,
}

/// An evaluation error that is not about a value (unknown KPI, dimension, ...).
#[derive(Debug, Clone, PartialEq)]
pub struct QueryError(pub String);

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Evaluates a query. The catalog must have checked without errors.
pub fn evaluate(catalog: &Catalog, data: &Dataset, query: &Query) -> Result<Results, QueryError> {
    let ids: Vec<&KpiDef> = if query.kpis.is_empty() {
        catalog.kpis.values().collect()
    } else {
        query
            .kpis
            .iter()
            .map(|id| {
                catalog.kpis.get(id).ok_or_else(|| {
                    let hint = crate::diagnostic::did_you_mean(
                        id,
                        catalog.kpis.keys().map(String::as_str),
                    )
                    .map(|h| format!("; {h}"))
                    .unwrap_or_default();
                    QueryError(format!("no KPI named `{id}`{hint}"))
                })
            })
            .collect::<Result<_, _>>()?
    };
    let timing = std::env::var_os("KPIC_TIMING").is_some();
    let started = std::time::Instant::now();
    let groups = Groups::new(catalog, data, &query.scope, &query.filters)?;
    let grouped = started.elapsed();
    let roots: Vec<_> = ids
        .iter()
        .map(|k| (&k.formula, k.breakdown.as_ref()))
        .collect();
    let computed = plan::compute(catalog, data, &groups, query.period, &roots);
    let scanned = started.elapsed();
    let shared = std::sync::Mutex::new(HashMap::new());
    let rows: Vec<Vec<ResultRow>> = ids
        .par_iter()
        .map(|kpi| {
            let mut ev = Evaluator::new(
                catalog,
                data,
                &groups,
                &computed,
                &shared,
                query.period,
                kpi,
            );
            ev.warm(&kpi.formula, 0);
            ev.warm(&kpi.formula, 1);
            let now = ev.eval(&kpi.formula, 0);
            let before = ev.eval(&kpi.formula, 1);
            ev.result_rows(kpi, &now, &before)
        })
        .collect();
    if timing {
        eprintln!(
            "groups {grouped:?} scans {:?} formulas {:?}",
            scanned - grouped,
            started.elapsed() - scanned
        );
    }
    Ok(Results {
        period: query.period.label(),
        previous_period: query.period.previous().label(),
        scope: query.scope.clone(),
        rows: {
            // One allocation: per account, this is millions of rows.
            let mut all = Vec::with_capacity(rows.iter().map(Vec::len).sum());
            for r in rows {
                all.extend(r);
            }
            all
        },
    })
}

/// One line of an explanation: a sub-expression and its value for the first group.
#[derive(Debug, Clone, Serialize)]
pub struct ExplainLine {
    pub depth: usize,
    /// Where the sub-expression is written.
    pub span: crate::source::Span,
    /// For a reference, the measure or KPI it names.
    pub refers_to: Option<String>,
    pub value: Output,
    /// For aggregates: rows in the table, in the period (first group), kept by the
    /// filter.
    pub rows: Option<(usize, usize, usize)>,
}

/// How a KPI's value was obtained: every sub-expression of its formula (and of the
/// measures it uses) with its value for the first group of the query's scope.
pub fn explain(
    catalog: &Catalog,
    data: &Dataset,
    query: &Query,
    kpi: &str,
) -> Result<(String, Vec<ExplainLine>), QueryError> {
    let def = catalog
        .kpis
        .get(kpi)
        .ok_or_else(|| QueryError(format!("no KPI named `{kpi}`")))?;
    let groups = Groups::new(catalog, data, &query.scope, &query.filters)?;
    let computed = plan::compute(
        catalog,
        data,
        &groups,
        query.period,
        &[(&def.formula, def.breakdown.as_ref())],
    );
    let shared = std::sync::Mutex::new(HashMap::new());
    let mut ev = Evaluator::new(
        catalog,
        data,
        &groups,
        &computed,
        &shared,
        query.period,
        def,
    );
    ev.warm(&def.formula, 0);
    let mut lines = Vec::new();
    // A measure used several times is written out once (its first use); else a chain
    // of measures that each use the one before twice would double at every step.
    let mut expanded = std::collections::HashSet::new();
    let mut stack: Vec<(&TExpr, usize, u32, Option<String>)> = vec![(&def.formula, 0, 0, None)];
    while let Some((e, depth, back, refers_to)) = stack.pop() {
        let values = ev.eval(e, back);
        let value = match values.get(0) {
            Val::Num(x) => Output::Value(*x),
            Val::Missing(r) => Output::Missing(r.to_string()),
            other => Output::Missing(format!("{other:?}")),
        };
        let rows = match &e.kind {
            TExprKind::Aggregate(agg) => ev.aggregate_result(agg, back).map(|r| r.rows),
            _ => None,
        };
        lines.push(ExplainLine {
            depth,
            span: e.span,
            refers_to: refers_to.clone(),
            value,
            rows: None,
        });
        if let Some(last) = lines.last_mut() {
            last.rows = rows;
        }
        match &e.kind {
            TExprKind::Ref(id) => {
                if expanded.insert((id.as_str(), back))
                    && let Some(f) = catalog.formula(id)
                {
                    stack.push((f, depth + 1, back, Some(id.clone())));
                }
            }
            TExprKind::Previous(inner) => stack.push((inner, depth + 1, back + 1, None)),
            TExprKind::Aggregate(_) => {}
            _ => {
                for child in e.operands().into_iter().rev() {
                    stack.push((child, depth + 1, back, None));
                }
            }
        }
    }
    Ok((
        groups
            .names
            .first()
            .map(|n| n.to_string())
            .unwrap_or_default(),
        lines,
    ))
}

/// Scope-level evaluation of one KPI's formula: one value per slot (group, or group x
/// breakdown key), from the computed aggregates.
struct Evaluator<'a> {
    catalog: &'a Catalog,
    groups: &'a Groups,
    computed: &'a Computed,
    /// Values of measures and KPIs (per period step) computed by any KPI of this
    /// request, for KPIs without a breakdown.
    shared: &'a std::sync::Mutex<HashMap<(String, u32), Slots>>,
    period: Period,
    split: Option<Split<'a>>,
    memo: HashMap<(String, u32), Slots>,
}

impl<'a> Evaluator<'a> {
    fn new(
        catalog: &'a Catalog,
        data: &'a Dataset,
        groups: &'a Groups,
        computed: &'a Computed,
        shared: &'a std::sync::Mutex<HashMap<(String, u32), Slots>>,
        period: Period,
        kpi: &'a KpiDef,
    ) -> Self {
        Evaluator {
            catalog,
            groups,
            computed,
            shared,
            period,
            split: Split::of(data, kpi.breakdown.as_ref()),
            memo: HashMap::new(),
        }
    }

    fn slots(&self) -> usize {
        self.groups.names.len() * self.split.as_ref().map_or(1, Split::width)
    }

    fn period_at(&self, back: u32) -> Period {
        (0..back).fold(self.period, |p, _| p.previous())
    }

    /// A scope-level expression: one value per slot (group, or group x breakdown key).
    /// Computes every measure and KPI that `root` refers to (at period step `back` and
    /// through `previous`), dependencies first, so that evaluating `root` finds them
    /// all memoised: recursion then only follows one formula's own nesting, which the
    /// parser bounds, however long a chain of references is.
    fn warm(&mut self, root: &TExpr, back: u32) {
        let mut refs: Vec<(&str, u32)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut stack = vec![(root, back)];
        while let Some((e, back)) = stack.pop() {
            match &e.kind {
                TExprKind::Ref(id) => {
                    if seen.insert((id.as_str(), back))
                        && let Some(f) = self.catalog.formula(id)
                    {
                        refs.push((id.as_str(), back));
                        stack.push((f, back));
                    }
                }
                TExprKind::Previous(inner) => stack.push((inner, back + 1)),
                TExprKind::Aggregate(_) => {}
                _ => stack.extend(e.operands().into_iter().map(|c| (c, back))),
            }
        }
        // A formula depends on names computed at the same or a later period step, and
        // at the same step on names earlier in the catalog's dependency order.
        let position: HashMap<&str, usize> = self
            .catalog
            .order
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        refs.sort_by_key(|(id, back)| {
            (
                std::cmp::Reverse(*back),
                position.get(id).copied().unwrap_or(usize::MAX),
            )
        });
        for (id, back) in refs {
            let reference = TExpr {
                kind: TExprKind::Ref(id.to_string()),
                ty: root.ty,
                span: root.span,
            };
            self.eval(&reference, back);
        }
    }

    fn eval(&mut self, e: &TExpr, back: u32) -> Slots {
        let n = self.slots();
        match &e.kind {
            TExprKind::Number(v) => Slots::Same(Val::Num(*v)),
            TExprKind::Text(t) => Slots::Same(Val::Text(t.as_str().into())),
            TExprKind::Date(d) => Slots::Same(Val::Date(date_days(*d))),
            TExprKind::Bool(b) => Slots::Same(Val::Bool(*b)),
            TExprKind::Period(f) => Slots::Same(period_value(self.period_at(back), *f)),
            TExprKind::Ref(id) => {
                let key = (id.clone(), back);
                if let Some(v) = self.memo.get(&key) {
                    return v.clone();
                }
                let shared = self.split.is_none();
                if shared
                    && let Some(v) = self.shared.lock().ok().and_then(|m| m.get(&key).cloned())
                {
                    return v;
                }
                let Some(formula) = self.catalog.formula(id) else {
                    return Slots::Same(Val::missing("unknown name"));
                };
                let v = self.eval(formula, back);
                if shared && let Ok(mut m) = self.shared.lock() {
                    m.insert(key.clone(), v.clone());
                }
                self.memo.insert(key, v.clone());
                v
            }
            TExprKind::Previous(inner) => self.eval(inner, back + 1),
            TExprKind::Aggregate(agg) => self.aggregate(agg, back),
            TExprKind::Invalid | TExprKind::Column { .. } => {
                Slots::Same(Val::missing("invalid expression"))
            }
            _ => {
                let kids: Vec<Slots> = e
                    .operands()
                    .into_iter()
                    .map(|child| self.eval(child, back))
                    .collect();
                let mut args: Vec<&Val> = Vec::with_capacity(kids.len());
                if kids.iter().all(|k| matches!(k, Slots::Same(_))) {
                    args.extend(kids.iter().map(|k| k.get(0)));
                    return Slots::Same(scalar::combine(e, &args));
                }
                let mut out = Vec::with_capacity(n);
                for i in 0..n {
                    args.clear();
                    args.extend(kids.iter().map(|k| k.get(i)));
                    out.push(scalar::combine(e, &args));
                }
                Slots::Each(Arc::new(out))
            }
        }
    }

    /// The computed aggregate, split by the KPI's breakdown when it reads the breakdown's
    /// table.
    fn aggregate_result(&self, agg: &Aggregate, back: u32) -> Option<&'a scan::AggResult> {
        let split = self.split.as_ref().is_some_and(|s| s.table == agg.table);
        self.computed.get(agg, back, split)
    }

    /// One value per slot; an aggregate that is not split by the breakdown has one
    /// value per group, shared by the group's breakdown keys.
    fn aggregate(&self, agg: &Aggregate, back: u32) -> Slots {
        let n = self.slots();
        let Some(r) = self.aggregate_result(agg, back) else {
            return Slots::Same(Val::missing("not planned"));
        };
        if r.values.len() == n {
            return Slots::Each(r.values.clone());
        }
        let width = self.split.as_ref().map_or(1, Split::width);
        Slots::Each(Arc::new(
            (0..n)
                .map(|s| {
                    r.values
                        .get(s / width)
                        .cloned()
                        .unwrap_or(Val::missing("no group"))
                })
                .collect(),
        ))
    }

    fn result_rows(&self, kpi: &KpiDef, now: &Slots, before: &Slots) -> Vec<ResultRow> {
        let width = self.split.as_ref().map_or(1, |s| s.keys.len().max(1));
        let mut out = Vec::new();
        let id: Arc<str> = kpi.id.as_str().into();
        let display: Arc<str> = kpi.name.as_str().into();
        for (g, name) in self.groups.names.iter().enumerate() {
            let mut keys: Vec<(Option<String>, usize)> = match &self.split {
                Some(s) => s
                    .keys
                    .iter()
                    .enumerate()
                    .map(|(k, key)| (Some(key.to_string()), g * width + k))
                    .collect(),
                None => vec![(None, g)],
            };
            keys.sort();
            for (key, slot) in keys {
                let value = output(now.get(slot));
                let previous = output(before.get(slot));
                if key.is_some()
                    && !matches!(value, Output::Value(_))
                    && !matches!(previous, Output::Value(_))
                {
                    continue;
                }
                let change = match (&value, &previous) {
                    (Output::Value(a), Output::Value(b)) => Some(a - b),
                    _ => None,
                };
                out.push(ResultRow {
                    kpi: id.clone(),
                    name: display.clone(),
                    unit: kpi.unit,
                    group: name.clone(),
                    breakdown: key,
                    value,
                    previous,
                    change,
                });
            }
        }
        out
    }
}

fn output(v: &Val) -> Output {
    match v {
        Val::Num(x) => Output::Value(*x),
        Val::Missing(r) => Output::Missing(r.to_string()),
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
        PeriodField::Days => Val::Num(p.days() as f64),
    }
}
