//! Evaluating checked KPIs over a loaded dataset, for a period and a scope.
//!
//! Evaluation works a column at a time: every node of a per-row expression is applied
//! to the whole column of the aggregated table, then rows are masked by the period and
//! the filter and folded into one value per group (the portfolio, each segment, or
//! each account). Measures and KPIs referred to several times are computed once per
//! request and period.

mod period;
mod value;
mod vector;

pub use period::Period;
pub use value::Val;
use vector::Vector;

/// "No row / no group" in the compact `u32` row maps.
const NONE: u32 = u32::MAX;

/// A hashable identity of row `i`'s value, for `count_distinct` (None: missing).
fn distinct_key(v: &Vector, i: usize) -> Option<u64> {
    match v {
        Vector::Num(x, ok) => ok[i].then(|| x[i].to_bits()),
        Vector::Text(codes, _) => (codes[i] != NO_TEXT).then(|| codes[i] as u64),
        Vector::Bool(b) => (b[i] != vector::MISSING).then(|| b[i] as u64),
        other => {
            let val = other.get(i);
            val.is_present().then(|| {
                use std::hash::{Hash, Hasher};
                let mut h = std::collections::hash_map::DefaultHasher::new();
                format!("{val:?}").hash(&mut h);
                h.finish()
            })
        }
    }
}

use crate::data::{Column, Dataset, MONEY_SCALE, NO_TEXT};
use crate::ir::*;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

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
    pub kpi: String,
    pub name: String,
    pub unit: Unit,
    /// The segment or account (empty for the portfolio).
    pub group: String,
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
    let groups = Groups::new(catalog, data, &query.scope, &query.filters)?;
    let rows: Vec<Vec<ResultRow>> = ids
        .par_iter()
        .map(|kpi| {
            let mut ev =
                Evaluator::new(catalog, data, &groups, query.period, kpi.breakdown.as_ref());
            let now = ev.eval(&kpi.formula, 0);
            let before = ev.eval(&kpi.formula, 1);
            ev.result_rows(kpi, &now, &before)
        })
        .collect();
    Ok(Results {
        period: query.period.label(),
        previous_period: query.period.previous().label(),
        scope: query.scope.clone(),
        rows: rows.into_iter().flatten().collect(),
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
    let mut ev = Evaluator::new(catalog, data, &groups, query.period, def.breakdown.as_ref());
    let mut lines = Vec::new();
    let mut stack: Vec<(&TExpr, usize, u32, Option<String>)> = vec![(&def.formula, 0, 0, None)];
    while let Some((e, depth, back, refers_to)) = stack.pop() {
        let values = ev.eval(e, back);
        let value = match values.first() {
            Some(Val::Num(x)) => Output::Value(*x),
            Some(Val::Missing(r)) => Output::Missing(r.to_string()),
            Some(other) => Output::Missing(format!("{other:?}")),
            None => Output::Missing("no group".into()),
        };
        let rows = match &e.kind {
            TExprKind::Aggregate(agg) => ev
                .row_counts
                .get(&(&**agg as *const Aggregate as usize, back))
                .copied(),
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
                if let Some(f) = catalog.formula(id) {
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
    Ok((groups.names.first().cloned().unwrap_or_default(), lines))
}

/// Which group each account belongs to.
struct Groups {
    names: Vec<String>,
    /// Per account row: its group, or none when filtered out.
    of_account: Vec<Option<usize>>,
    /// Account key -> account row.
    account_row: HashMap<Arc<str>, usize>,
    /// Per table: the account row of each row (`NONE` where it has none).
    accounts_of: HashMap<String, Arc<[u32]>>,
    /// Values of measures and KPIs (per period step) already computed by any KPI of
    /// this request, for KPIs without a breakdown.
    memo: std::sync::Mutex<HashMap<(String, u32), Vec<Val>>>,
}

impl Groups {
    fn new(
        catalog: &Catalog,
        data: &Dataset,
        scope: &Scope,
        filters: &[(String, String)],
    ) -> Result<Groups, QueryError> {
        let def = catalog
            .tables
            .get("accounts")
            .ok_or_else(|| QueryError("the data model has no `accounts` table".into()))?;
        let table = data
            .tables
            .get("accounts")
            .ok_or_else(|| QueryError("the dataset has no accounts".into()))?;
        let key = def.key.clone().unwrap_or_default();
        let text_col = |name: &str| -> Result<&Column, QueryError> {
            let col = table.columns.get(name).ok_or_else(|| {
                let hint =
                    crate::diagnostic::did_you_mean(name, def.columns.keys().map(String::as_str))
                        .map(|h| format!("; {h}"))
                        .unwrap_or_default();
                QueryError(format!("accounts have no column `{name}`{hint}"))
            })?;
            match col {
                Column::Text { .. } | Column::Bool { .. } => Ok(col),
                _ => Err(QueryError(format!(
                    "`accounts.{name}` is not text; segment and filter by text columns"
                ))),
            }
        };
        let cell = |col: &Column, i: usize| -> String {
            match col {
                Column::Text { .. } => col.text(i).unwrap_or("(missing)").to_string(),
                Column::Bool { values } => values[i].map_or("(missing)".into(), |b| b.to_string()),
                _ => String::new(),
            }
        };
        let keys = text_col(&key)?;
        let mut account_row = HashMap::new();
        if let Column::Text { codes, dict } = keys {
            for (i, c) in codes.iter().enumerate() {
                if *c != NO_TEXT {
                    account_row.insert(Arc::from(dict.get(*c).unwrap_or_default()), i);
                }
            }
        }
        let filter_cols: Vec<(&Column, &str)> = filters
            .iter()
            .map(|(c, v)| Ok((text_col(c)?, v.as_str())))
            .collect::<Result<_, QueryError>>()?;
        let by = match scope {
            Scope::By(dim) => {
                let dimension = def.columns.get(dim).is_some_and(|c| c.dimension);
                if !dimension {
                    let dims: Vec<&str> = def
                        .columns
                        .values()
                        .filter(|c| c.dimension)
                        .map(|c| c.name.as_str())
                        .collect();
                    return Err(QueryError(format!(
                        "`{dim}` is not a dimension of accounts; dimensions: {}",
                        dims.join(", ")
                    )));
                }
                Some(text_col(dim)?)
            }
            _ => None,
        };
        let mut names: Vec<String> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut of_account = Vec::with_capacity(table.rows);
        for i in 0..table.rows {
            if !filter_cols.iter().all(|(c, v)| cell(c, i) == *v) {
                of_account.push(None);
                continue;
            }
            let name = match (scope, by) {
                (Scope::Portfolio, _) => String::new(),
                (Scope::PerAccount, _) => cell(keys, i),
                (Scope::By(_), Some(c)) => cell(c, i),
                _ => String::new(),
            };
            let next = names.len();
            let g = *index.entry(name.clone()).or_insert_with(|| {
                names.push(name);
                next
            });
            of_account.push(Some(g));
        }
        if names.is_empty() {
            if filters.is_empty() {
                return Err(QueryError("the dataset has no accounts".into()));
            }
            return Err(QueryError("no account matches the filters".into()));
        }
        // Stable, readable order of groups.
        let mut order: Vec<usize> = (0..names.len()).collect();
        order.sort_by(|a, b| names[*a].cmp(&names[*b]));
        let mut rank = vec![0; names.len()];
        for (r, g) in order.iter().enumerate() {
            rank[*g] = r;
        }
        let names = order.iter().map(|g| names[*g].clone()).collect();
        let of_account = of_account.into_iter().map(|g| g.map(|g| rank[g])).collect();
        let mut groups = Groups {
            names,
            of_account,
            account_row,
            accounts_of: HashMap::new(),
            memo: std::sync::Mutex::new(HashMap::new()),
        };
        groups.accounts_of = catalog
            .tables
            .values()
            .filter_map(|t| {
                Some((
                    t.name.clone(),
                    groups.map_accounts(t, data.tables.get(&t.name)?),
                ))
            })
            .collect();
        Ok(groups)
    }

    /// The account row of every row of `table`.
    fn map_accounts(&self, def: &TableDef, data: &crate::data::TableData) -> Arc<[u32]> {
        if def.name == "accounts" {
            return (0..data.rows as u32).collect();
        }
        match def
            .account_column
            .as_ref()
            .and_then(|c| data.columns.get(c))
        {
            Some(Column::Text { codes, dict }) => {
                // Resolve each distinct key once, then map codes.
                let by_code: Vec<u32> = dict
                    .iter()
                    .map(|k| self.account_row.get(k).map_or(NONE, |r| *r as u32))
                    .collect();
                codes
                    .iter()
                    .map(|c| by_code.get(*c as usize).copied().unwrap_or(NONE))
                    .collect()
            }
            _ => vec![NONE; data.rows].into(),
        }
    }
}

/// The breakdown of a KPI: its column's keys.
struct Split<'a> {
    table: &'a str,
    codes: &'a [u32],
    keys: Vec<Arc<str>>,
}

struct Evaluator<'a> {
    catalog: &'a Catalog,
    data: &'a Dataset,
    groups: &'a Groups,
    period: Period,
    split: Option<Split<'a>>,
    memo: HashMap<(String, u32), Vec<Val>>,
    /// For `--explain`: rows of the table, rows of the first group in the period, rows
    /// kept by the filter, per aggregate node and period.
    row_counts: HashMap<(usize, u32), (usize, usize, usize)>,
}

impl<'a> Evaluator<'a> {
    fn new(
        catalog: &'a Catalog,
        data: &'a Dataset,
        groups: &'a Groups,
        period: Period,
        breakdown: Option<&'a ColumnRef>,
    ) -> Self {
        let split =
            breakdown.and_then(
                |b| match data.tables.get(&b.table)?.columns.get(&b.column)? {
                    Column::Text { codes, dict } => Some(Split {
                        table: b.table.as_str(),
                        codes,
                        keys: dict.iter().map(Arc::from).collect(),
                    }),
                    _ => None,
                },
            );
        Evaluator {
            catalog,
            data,
            groups,
            period,
            split,
            memo: HashMap::new(),
            row_counts: HashMap::new(),
        }
    }

    fn slots(&self) -> usize {
        self.groups.names.len() * self.split.as_ref().map_or(1, |s| s.keys.len().max(1))
    }

    fn period_at(&self, back: u32) -> Period {
        (0..back).fold(self.period, |p, _| p.previous())
    }

    /// A scope-level expression: one value per slot (group, or group x breakdown key).
    fn eval(&mut self, e: &TExpr, back: u32) -> Vec<Val> {
        let n = self.slots();
        match &e.kind {
            TExprKind::Number(v) => vec![Val::Num(*v); n],
            TExprKind::Text(t) => vec![Val::Text(t.as_str().into()); n],
            TExprKind::Date(d) => vec![Val::Date(date_days(*d)); n],
            TExprKind::Bool(b) => vec![Val::Bool(*b); n],
            TExprKind::Period(f) => vec![period_value(self.period_at(back), *f); n],
            TExprKind::Ref(id) => {
                let key = (id.clone(), back);
                if let Some(v) = self.memo.get(&key) {
                    return v.clone();
                }
                let shared = self.split.is_none();
                if shared
                    && let Some(v) = self
                        .groups
                        .memo
                        .lock()
                        .ok()
                        .and_then(|m| m.get(&key).cloned())
                {
                    return v;
                }
                let Some(formula) = self.catalog.formula(id) else {
                    return vec![Val::missing("unknown name"); n];
                };
                let v = self.eval(formula, back);
                if shared && let Ok(mut m) = self.groups.memo.lock() {
                    m.insert(key.clone(), v.clone());
                }
                self.memo.insert(key, v.clone());
                v
            }
            TExprKind::Previous(inner) => self.eval(inner, back + 1),
            TExprKind::Aggregate(agg) => self.aggregate(agg, back),
            TExprKind::Invalid | TExprKind::Column { .. } => {
                vec![Val::missing("invalid expression"); n]
            }
            _ => {
                let mut kids = Vec::new();
                for child in e.operands() {
                    kids.push(self.eval(child, back));
                }
                (0..n)
                    .map(|i| combine(e, &kids.iter().map(|k| &k[i]).collect::<Vec<_>>()))
                    .collect()
            }
        }
    }

    /// The account row of every row of `table` (`NONE` where it has none).
    fn accounts_of(&self, table: &str) -> Arc<[u32]> {
        self.groups
            .accounts_of
            .get(table)
            .cloned()
            .unwrap_or_else(|| Vec::new().into())
    }

    fn aggregate(&mut self, agg: &Aggregate, back: u32) -> Vec<Val> {
        let n = self.slots();
        let Some(data) = self.data.tables.get(&agg.table) else {
            return vec![Val::missing("table not loaded"); n];
        };
        let accounts = self.accounts_of(&agg.table);
        let period = self.period_at(back);
        let (start, end) = period.epoch_days();
        // Rows in scope: the row's account is in a group, the date is in the period,
        // the filter holds. `keep[i]` is the row's slot, or NONE.
        let of_account = &self.groups.of_account;
        let mut keep: Vec<u32> = accounts
            .iter()
            .map(|a| {
                of_account
                    .get(*a as usize)
                    .copied()
                    .flatten()
                    .map_or(NONE, |g| g as u32)
            })
            .collect();
        if let TimeFilter::Column(c) = &agg.time
            && let Some(Column::Date { values, valid }) = data.columns.get(c)
        {
            // Date-times carry the time of day as a fraction; dates are whole days.
            let timed = self.catalog.tables[&agg.table]
                .columns
                .get(c)
                .is_some_and(|c| c.ty == ColumnType::DateTime);
            for (i, k) in keep.iter_mut().enumerate() {
                let day = if timed { values[i].floor() } else { values[i] };
                if !valid[i] || day < start || day > end {
                    *k = NONE;
                }
            }
        }
        let in_period = keep.iter().filter(|k| **k == 0).count();
        if let Some(f) = &agg.filter {
            let mask = self.rows(f, &agg.table, period);
            for (i, k) in keep.iter_mut().enumerate() {
                if *k != NONE && !mask.is_true(i) {
                    *k = NONE;
                }
            }
        }
        let kept = keep.iter().filter(|k| **k == 0).count();
        self.row_counts.insert(
            (agg as *const Aggregate as usize, back),
            (data.rows, in_period, kept),
        );
        if let Some(split) = &self.split
            && split.table == agg.table
        {
            let width = split.keys.len().max(1) as u32;
            for (i, k) in keep.iter_mut().enumerate() {
                *k = match split.codes.get(i) {
                    Some(c) if *k != NONE && *c != NO_TEXT => *k * width + *c,
                    _ => NONE,
                };
            }
        }
        // Exact sums of money columns.
        if agg.func == AggFunc::Sum
            && let Some(TExpr {
                kind:
                    TExprKind::Column {
                        column, via: None, ..
                    },
                ..
            }) = &agg.arg
            && let Some(Column::Money { values, valid, .. }) = data.columns.get(column)
        {
            let mut sums = vec![0i128; n];
            let mut seen = vec![false; n];
            for (i, k) in keep.iter().enumerate() {
                if *k != NONE && valid[i] {
                    sums[*k as usize] += values[i] as i128;
                    seen[*k as usize] = true;
                }
            }
            return sums
                .iter()
                .zip(&seen)
                .map(|(s, seen)| {
                    if *seen {
                        Val::Num(*s as f64 / MONEY_SCALE as f64)
                    } else {
                        Val::missing("no rows")
                    }
                })
                .collect();
        }
        let values = agg.arg.as_ref().map(|a| self.rows(a, &agg.table, period));
        let mut counts = vec![0usize; n];
        let mut sums = vec![0f64; n];
        let mut mins = vec![f64::INFINITY; n];
        let mut maxs = vec![f64::NEG_INFINITY; n];
        let keeps_values = matches!(agg.func, AggFunc::Median | AggFunc::Percentile);
        let mut buckets: Vec<Vec<f64>> = vec![Vec::new(); if keeps_values { n } else { 0 }];
        let mut distinct: Vec<HashSet<u64>> = vec![
            HashSet::new();
            if agg.func == AggFunc::CountDistinct {
                n
            } else {
                0
            }
        ];
        for (i, k) in keep.iter().enumerate() {
            if *k == NONE {
                continue;
            }
            let g = *k as usize;
            match (&values, agg.func) {
                (None, _) => counts[g] += 1,
                (Some(v), AggFunc::Count) => counts[g] += v.present(i) as usize,
                (Some(v), AggFunc::CountDistinct) => {
                    if let Some(key) = distinct_key(v, i) {
                        distinct[g].insert(key);
                    }
                }
                (Some(v), _) => {
                    if let Some(x) = v.number(i) {
                        counts[g] += 1;
                        sums[g] += x;
                        mins[g] = mins[g].min(x);
                        maxs[g] = maxs[g].max(x);
                        if keeps_values {
                            buckets[g].push(x);
                        }
                    }
                }
            }
        }
        let is_date = agg
            .arg
            .as_ref()
            .is_some_and(|a| matches!(a.ty, Type::Date | Type::DateTime));
        let wrap = |x: f64| if is_date { Val::Date(x) } else { Val::Num(x) };
        (0..n)
            .map(|g| match agg.func {
                AggFunc::CountRows | AggFunc::Count => Val::Num(counts[g] as f64),
                AggFunc::CountDistinct => Val::Num(distinct[g].len() as f64),
                _ if counts[g] == 0 => Val::missing("no rows"),
                AggFunc::Sum => Val::Num(sums[g]),
                AggFunc::Avg => Val::Num(sums[g] / counts[g] as f64),
                AggFunc::Min => wrap(mins[g]),
                AggFunc::Max => wrap(maxs[g]),
                AggFunc::Median => Val::Num(percentile(&mut buckets[g], 0.5)),
                AggFunc::Percentile => {
                    Val::Num(percentile(&mut buckets[g], agg.fraction.unwrap_or(0.5)))
                }
            })
            .collect()
    }

    /// A per-row expression over every row of `table`, one operator at a time.
    fn rows(&mut self, e: &TExpr, table: &str, period: Period) -> Vector<'a> {
        let n = self.data.tables.get(table).map_or(0, |t| t.rows);
        let data: &'a Dataset = self.data;
        match &e.kind {
            TExprKind::Column {
                table: t,
                column,
                via,
            } => {
                let Some(col) = data
                    .tables
                    .get(t.as_str())
                    .and_then(|d| d.columns.get(column))
                else {
                    return Vector::Const(Val::missing("column not loaded"));
                };
                if via.is_some() {
                    let index = self.accounts_of(table);
                    let index: Vec<Option<usize>> = index
                        .iter()
                        .map(|a| (*a != NONE).then_some(*a as usize))
                        .collect();
                    Vector::column(col, Some(&index))
                } else {
                    Vector::column(col, None)
                }
            }
            TExprKind::Number(v) => Vector::Const(Val::Num(*v)),
            TExprKind::Text(t) => Vector::Const(Val::Text(t.as_str().into())),
            TExprKind::Date(d) => Vector::Const(Val::Date(date_days(*d))),
            TExprKind::Bool(b) => Vector::Const(Val::Bool(*b)),
            TExprKind::Period(f) => Vector::Const(period_value(period, *f)),
            TExprKind::Binary { op, left, right } => {
                let a = self.rows(left, table, period);
                let b = self.rows(right, table, period);
                if let (Vector::Const(x), Vector::Const(y)) = (&a, &b) {
                    return Vector::Const(value::binary(*op, x, y));
                }
                vector::compact(vector::binary(*op, a, b, n))
            }
            TExprKind::Not(inner) => match self.rows(inner, table, period) {
                Vector::Bool(b) => Vector::Bool(
                    b.into_iter()
                        .map(|x| if x == vector::MISSING { x } else { 1 - x })
                        .collect(),
                ),
                other => self.per_row(e, vec![other], n),
            },
            TExprKind::Func {
                func: Func::Coalesce,
                args,
            } if matches!(e.ty, Type::Number(_) | Type::Date | Type::DateTime) => {
                // Numbers and dates: the first present value, one tight loop.
                let kids: Vec<Vector<'a>> =
                    args.iter().map(|a| self.rows(a, table, period)).collect();
                if kids
                    .iter()
                    .all(|k| matches!(k, Vector::Num(..) | Vector::Const(_)))
                {
                    let mut v = Vec::with_capacity(n);
                    let mut ok = Vec::with_capacity(n);
                    for i in 0..n {
                        let first = kids.iter().find_map(|k| k.number(i));
                        v.push(first.unwrap_or(0.0));
                        ok.push(first.is_some());
                    }
                    return Vector::Num(std::borrow::Cow::Owned(v), std::borrow::Cow::Owned(ok));
                }
                self.per_row(e, kids, n)
            }
            TExprKind::IsMissing { operand, negated } => {
                let v = self.rows(operand, table, period);
                Vector::Bool((0..n).map(|i| (v.present(i) == *negated) as u8).collect())
            }
            _ => {
                let kids: Vec<Vector<'a>> = e
                    .operands()
                    .into_iter()
                    .map(|c| self.rows(c, table, period))
                    .collect();
                self.per_row(e, kids, n)
            }
        }
    }

    /// The general path: the scalar operator applied row by row.
    fn per_row(&self, e: &TExpr, kids: Vec<Vector<'a>>, n: usize) -> Vector<'a> {
        if kids.iter().all(|k| matches!(k, Vector::Const(_))) {
            let vals: Vec<Val> = kids.iter().map(|k| k.get(0)).collect();
            return Vector::Const(combine(e, &vals.iter().collect::<Vec<_>>()));
        }
        let mut row = Vec::with_capacity(kids.len());
        let out = (0..n)
            .map(|i| {
                row.clear();
                row.extend(kids.iter().map(|k| k.get(i)));
                combine(e, &row.iter().collect::<Vec<_>>())
            })
            .collect();
        vector::compact(Vector::Vals(out))
    }

    fn result_rows(&self, kpi: &KpiDef, now: &[Val], before: &[Val]) -> Vec<ResultRow> {
        let width = self.split.as_ref().map_or(1, |s| s.keys.len().max(1));
        let mut out = Vec::new();
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
                let value = output(&now[slot]);
                let previous = output(&before[slot]);
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
                    kpi: kpi.id.clone(),
                    name: kpi.name.clone(),
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

fn date_days(d: chrono::NaiveDate) -> f64 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(chrono::NaiveDate::MIN);
    (d - epoch).num_days() as f64
}

fn period_value(p: Period, f: PeriodField) -> Val {
    let (start, end) = p.epoch_days();
    match f {
        PeriodField::Start => Val::Date(start),
        PeriodField::End => Val::Date(end),
        PeriodField::Days => Val::Num(p.days() as f64),
    }
}

/// Linear interpolation between closest ranks (as PostgreSQL's percentile_cont).
fn percentile(values: &mut [f64], q: f64) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    let pos = q * (values.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    values[lo] + (values[hi] - values[lo]) * (pos - lo as f64)
}

/// Applies `e`'s operator to its children's values.
fn combine(e: &TExpr, kids: &[&Val]) -> Val {
    match &e.kind {
        TExprKind::Neg(_) => match kids[0] {
            Val::Num(x) => Val::Num(-x),
            other => other.clone(),
        },
        TExprKind::Not(_) => match kids[0] {
            Val::Bool(b) => Val::Bool(!b),
            other => other.clone(),
        },
        TExprKind::IsMissing { negated, .. } => Val::Bool(kids[0].is_present() == *negated),
        TExprKind::Binary { op, .. } => value::binary(*op, kids[0], kids[1]),
        TExprKind::If { .. } => match kids[0] {
            Val::Bool(true) => kids[1].clone(),
            Val::Bool(false) => kids[2].clone(),
            other => other.clone(),
        },
        TExprKind::Func { func, .. } => function(*func, kids),
        _ => Val::missing("invalid expression"),
    }
}

fn function(func: Func, args: &[&Val]) -> Val {
    let num = |v: &Val| match v {
        Val::Num(x) | Val::Date(x) => Some(*x),
        _ => None,
    };
    let first_missing = || {
        args.iter()
            .find(|a| !a.is_present())
            .map_or(Val::missing("missing"), |a| (*a).clone())
    };
    match func {
        Func::Coalesce => args
            .iter()
            .find(|a| a.is_present())
            .map_or_else(first_missing, |a| (*a).clone()),
        Func::Abs => num(args[0]).map_or_else(first_missing, |x| Val::Num(x.abs())),
        Func::Round => {
            let digits = args.get(1).and_then(|d| num(d)).unwrap_or(0.0);
            let f = 10f64.powi(digits as i32);
            num(args[0]).map_or_else(first_missing, |x| Val::Num((x * f).round() / f))
        }
        Func::Least | Func::Greatest => {
            if args.iter().any(|a| !a.is_present()) {
                return first_missing();
            }
            let pick = args.iter().copied().reduce(|a, b| {
                let (x, y) = (num(a).unwrap_or(0.0), num(b).unwrap_or(0.0));
                if (func == Func::Least) == (y < x) {
                    b
                } else {
                    a
                }
            });
            pick.cloned().unwrap_or_else(first_missing)
        }
        Func::DaysBetween | Func::HoursBetween => match (num(args[0]), num(args[1])) {
            (Some(a), Some(b)) => Val::Num(if func == Func::DaysBetween {
                b - a
            } else {
                (b - a) * 24.0
            }),
            _ => first_missing(),
        },
    }
}
