//! Compiling a request (KPIs, period, scope) into one SQL query over the model's tables.
//!
//! The query has the same shape as `kpic eval`'s results: one row per KPI, group and
//! breakdown key, with `value` and `previous` (NULL where kpic says missing).
//!
//! Layout: a CTE `acct` maps every account in scope to its group; one CTE per distinct
//! aggregate (and period) computes it per group, so an aggregate shared by several KPIs
//! is computed once; each KPI is then a SELECT over the groups joined to the CTEs it
//! needs, and the KPIs are combined with UNION ALL.

use super::{Dialect, TableNames};

mod aggregate;
mod chain;
mod expr;
mod grain;
mod joins;
mod reason;
use crate::ir::*;
use crate::query::{Compare, Every, Filter, Period, QueryError, Scope, validate};

use indexmap::IndexMap;
use std::collections::BTreeSet;
/// What to compile.
#[derive(Debug, Clone)]
pub struct SqlRequest {
    /// KPI ids; empty means every KPI.
    pub kpis: Vec<String>,
    pub period: Period,
    pub scope: Scope,
    /// Accounts where COLUMN = VALUE.
    pub filters: Vec<Filter>,
    /// What `previous` holds: the period before or the same period a year earlier.
    pub compare: Compare,
    /// `Some`: a time series, one row per KPI, group and sub-period, with a `period`
    /// column after the others.
    pub every: Option<Every>,
    /// Further groupings in the same query, after `scope`, with a `grouping` column
    /// after the others.
    pub groupings: Vec<Scope>,
    pub dialect: Dialect,
    pub names: TableNames,
}
impl SqlRequest {
    /// The SQL request of an engine-neutral [`Query`](crate::query::Query), for a
    /// dialect and the database's table names: what every engine over SQL compiles.
    pub fn from_query(query: &crate::query::Query, dialect: Dialect, names: TableNames) -> Self {
        SqlRequest {
            kpis: query.kpis.clone(),
            period: query.period,
            scope: query.scope.clone(),
            filters: query.filters.clone(),
            compare: query.compare,
            every: query.every,
            groupings: query.groupings.clone(),
            dialect,
            names,
        }
    }
}

/// Compiles the request into one SELECT statement.
///
/// Several groupings ([`SqlRequest::groupings`]) are one query too: each grouping's
/// query (its own `acct`, groups and aggregate CTEs) is a subquery with a `grouping`
/// column, and the subqueries are combined with UNION ALL. (GROUPING SETS would need
/// every aggregate CTE grouped by every dimension at once; subqueries keep each
/// grouping's SQL exactly the SQL of a run of one, on every dialect.)
pub fn compile_query(catalog: &Catalog, req: &SqlRequest) -> Result<String, QueryError> {
    if req.groupings.is_empty() {
        let body = compile_one(catalog, req)?;
        return Ok(format!("{body}\nORDER BY kpi, grp, breakdown\n"));
    }
    let d = req.dialect;
    let mut parts = Vec::new();
    for scope in std::iter::once(&req.scope).chain(&req.groupings) {
        let one = SqlRequest {
            scope: scope.clone(),
            groupings: Vec::new(),
            ..req.clone()
        };
        let body = compile_one(catalog, &one)?;
        parts.push(format!(
            "SELECT kpic_g.*, {} AS {} FROM (\n{body}\n) kpic_g",
            d.string(&scope.label()),
            d.ident("grouping")
        ));
    }
    Ok(format!(
        "{}\nORDER BY {}, kpi, grp, breakdown\n",
        parts.join("\nUNION ALL\n"),
        d.ident("grouping")
    ))
}

/// One grouping's query, without its ORDER BY. A
/// time series is one SELECT per KPI and sub-period, each with a `period` column, all
/// reading the same aggregate CTEs (one per aggregate and dates, so the previous
/// month of one sub-period is the same CTE as the month before it).
fn compile_one(catalog: &Catalog, req: &SqlRequest) -> Result<String, QueryError> {
    let valid = validate(catalog, &req.kpis, &req.scope, &req.filters)?;
    // A dimension of a fact table: the portfolio, split by the column as a breakdown
    // is, for the KPIs it can split; each value of the column is a group.
    let fact = req.scope.fact_dimension();
    let (kpis, scope) = match &fact {
        Some(by) => (
            crate::query::split_by_fact(catalog, &valid.kpis, by)?.0,
            Scope::Portfolio,
        ),
        None => (valid.kpis, req.scope.clone()),
    };
    crate::eval::check_portfolio_tables(catalog, &kpis, &scope, &req.filters)?;
    let key = valid.key.to_string();
    let (periods, series) = match req.every {
        None => (vec![req.period], false),
        Some(e) => (req.period.split(e.months(), e.name())?, true),
    };
    let mut ctes = IndexMap::new();
    let mut terms = 0;
    let mut acct = String::new();
    let mut selects = Vec::new();
    for period in periods {
        let sub = SqlRequest {
            period,
            every: None,
            scope: scope.clone(),
            ..req.clone()
        };
        let mut c = Compiler {
            catalog,
            req: &sub,
            d: req.dialect,
            key: key.clone(),
            ctes: std::mem::take(&mut ctes),
            terms,
            depth: 0,
            too_big: false,
            depth_passed: false,
            split: fact.clone(),
            member: None,
        };
        acct = c.acct_cte();
        for kpi in &kpis {
            let mut select = c.kpi_select(kpi);
            if fact.is_some() {
                // The fact table's values are the groups, as natively.
                select = format!(
                    "SELECT kpi, breakdown AS grp, CAST(NULL AS {}) AS breakdown, value, \
                     previous, value_reason, previous_reason, members_counted, members_skipped \
                     FROM ({select}) kpic_f",
                    c.d.text()
                );
            }
            selects.push(if series {
                format!(
                    "SELECT kpic_s.*, {} AS {} FROM ({select}) kpic_s",
                    c.d.string(&period.label()),
                    c.d.ident("period")
                )
            } else {
                select
            });
            if c.too_big {
                // Name the limit that was passed, and why a formula can get there: the
                // measures and KPIs it reads are written out where they are used.
                let what = if c.depth_passed {
                    format!("it nests deeper than {MAX_SQL_DEPTH} levels")
                } else {
                    format!("the query passes {MAX_SQL_TERMS} terms with it")
                };
                return Err(QueryError(format!(
                    "KPI `{}` is too large for SQL: written out, with every measure or KPI a \
                     formula reads copied in place at each use, {what}; evaluate it with `kpic \
                     eval`, or read each measure fewer times (a measure that uses the one before \
                     it twice doubles at every step)",
                    kpi.id
                )));
            }
        }
        ctes = c.ctes;
        terms = c.terms;
    }
    let mut with = vec![
        format!("acct AS (\n{acct}\n)"),
        "grps AS (SELECT DISTINCT grp FROM acct)".to_string(),
    ];
    for (body, name) in &ctes {
        with.push(format!("{name} AS (\n{body}\n)"));
    }
    Ok(format!(
        "WITH\n{}\nSELECT * FROM (\n{}\n) kpic_result",
        with.join(",\n"),
        selects.join("\nUNION ALL\n")
    ))
}

struct Compiler<'a> {
    catalog: &'a Catalog,
    req: &'a SqlRequest,
    d: Dialect,
    key: String,
    /// Aggregate CTE bodies (deduplicated) and their names.
    ctes: IndexMap<String, String>,
    /// Scope-level terms written so far, and the current nesting: measures are written
    /// out in place, so a long or branching chain of measures could otherwise grow
    /// the SQL without bound (a chain of 30 measures that each use the one before
    /// twice is a billion terms).
    terms: usize,
    depth: usize,
    /// Set once either limit is passed; compilation then stops writing.
    too_big: bool,
    /// The limit passed was the nesting depth (else the number of terms).
    depth_passed: bool,
    /// Inside `per`: aggregates are grouped by member as well as by group.
    member: Option<Members>,
    /// Splits every KPI by this column instead of its breakdown (a fact table's
    /// dimension as the grouping).
    split: Option<ColumnRef>,
}

/// Most scope-level terms one query may write (the shipped catalog writes about 2,000
/// for all its KPIs, per account).
const MAX_SQL_TERMS: usize = 2_000_000;
/// Deepest nesting of scope-level terms (databases refuse much deeper SQL anyway).
const MAX_SQL_DEPTH: usize = 5_000;
impl Compiler<'_> {
    fn table(&self, name: &str) -> String {
        self.req.names.qualified(self.d, name)
    }

    fn text_of(&self, col: &str, alias: &str) -> String {
        format!(
            "COALESCE(CAST({alias}.{} AS {}), '(missing)')",
            self.d.ident(col),
            self.d.text()
        )
    }

    /// Every account in scope with its group. The scope and filters were validated
    /// against the model ([`validate`]).
    fn acct_cte(&self) -> String {
        let grp = match &self.req.scope {
            Scope::Portfolio => "''".to_string(),
            Scope::PerAccount => self.text_of(&self.key, "x"),
            // Several dimensions: their values joined as every engine labels a group.
            Scope::By(_) => self
                .req
                .scope
                .dimensions()
                .iter()
                .map(|dim| self.text_of(dim, "x"))
                .collect::<Vec<_>>()
                .join(&format!(
                    " || {} || ",
                    self.d.string(crate::query::GROUP_SEPARATOR)
                )),
        };
        let mut filters = Vec::new();
        for f in &self.req.filters {
            filters.push(format!(
                "{} = {}",
                self.text_of(&f.column, "x"),
                self.d.string(&f.value)
            ));
        }
        let filter = if filters.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", filters.join(" AND "))
        };
        format!(
            "  SELECT x.{} AS id, {grp} AS grp FROM {} x{filter}",
            self.d.ident(&self.key),
            self.table("accounts")
        )
    }

    fn kpi_select(&mut self, kpi: &KpiDef) -> String {
        let by = self.split.clone();
        let split = by.as_ref().or(kpi.breakdown.as_ref());
        let mut used = BTreeSet::new();
        let step = self.req.compare.step();
        let now = self.scope(&kpi.formula, 0, split, &mut used);
        let prev = self.scope(&kpi.formula, step, split, &mut used);
        // Values as the database writes them: a DECIMAL total of money keeps every
        // digit (engine::rows reads it exactly), a double reads back the same.
        let text = self.d.text();
        let why = |r: Option<String>| {
            r.map_or(format!("CAST(NULL AS {text})"), |r| {
                format!("CAST({r} AS {text})")
            })
        };
        let now_reason = why(self.reason(&kpi.formula, 0, split, &mut used));
        let prev_reason = why(self.reason(&kpi.formula, step, split, &mut used));
        let id = self.d.string(&kpi.id);
        let tally = self.member_tally_columns(kpi, &mut used);
        match split {
            None => {
                let joins: String = used
                    .iter()
                    .map(|n| format!(" LEFT JOIN {n} ON {n}.grp = g.grp"))
                    .collect();
                format!(
                    "SELECT {id} AS kpi, g.grp AS grp, CAST(NULL AS {text}) AS breakdown, \
                     CAST({now} AS {text}) AS value, CAST({prev} AS {text}) AS previous, \
                     CASE WHEN {now} IS NULL THEN {now_reason} END AS value_reason, \
                     CASE WHEN {prev} IS NULL THEN {prev_reason} END AS previous_reason{tally}\nFROM grps g{joins}"
                )
            }
            Some(b) => {
                // Every key of the breakdown column for every group, as natively: a
                // count of 0 for a key the group has no rows of is a value too.
                let col = format!("t.{}", self.d.ident(&b.column));
                let keys = format!(
                    "SELECT g0.grp, k.bk FROM grps g0 CROSS JOIN \
                     (SELECT DISTINCT {col} AS bk FROM {} t WHERE {col} IS NOT NULL) k",
                    self.table(&b.table)
                );
                let joins: String = used
                    .iter()
                    .map(|n| {
                        // An aggregate over members is one value per group, for each key.
                        if n.starts_with("grain") {
                            format!(" LEFT JOIN {n} ON {n}.grp = g.grp")
                        } else {
                            format!(" LEFT JOIN {n} ON {n}.grp = g.grp AND {n}.bk = g.bk")
                        }
                    })
                    .collect();
                format!(
                    "SELECT * FROM (SELECT {id} AS kpi, g.grp AS grp, CAST(g.bk AS {text}) AS breakdown, \
                     CAST({now} AS {text}) AS value, CAST({prev} AS {text}) AS previous, \
                     CASE WHEN {now} IS NULL THEN {now_reason} END AS value_reason, \
                     CASE WHEN {prev} IS NULL THEN {prev_reason} END AS previous_reason{tally}\nFROM ({}) g{joins}) kpic_split \
                     WHERE value IS NOT NULL OR previous IS NOT NULL",
                    keys
                )
            }
        }
    }
    /// Writes one term, one level deeper, with `write`; past the limits, writes
    /// nothing more and returns `fallback`.
    fn guarded<T>(&mut self, fallback: T, write: impl FnOnce(&mut Self) -> T) -> T {
        self.terms += 1;
        if self.too_big || self.terms > MAX_SQL_TERMS || self.depth >= MAX_SQL_DEPTH {
            if !self.too_big {
                self.depth_passed = self.depth >= MAX_SQL_DEPTH;
            }
            self.too_big = true;
            return fallback;
        }
        self.depth += 1;
        let r = write(self);
        self.depth -= 1;
        r
    }
    /// A scope-level expression.
    fn scope(
        &mut self,
        e: &TExpr,
        back: u32,
        split: Option<&ColumnRef>,
        used: &mut BTreeSet<String>,
    ) -> String {
        self.guarded("NULL".into(), |c| c.scope_of(e, back, split, used))
    }

    fn scope_of(
        &mut self,
        e: &TExpr,
        back: u32,
        split: Option<&ColumnRef>,
        used: &mut BTreeSet<String>,
    ) -> String {
        match &e.kind {
            TExprKind::Ref(id) => match self.catalog.formula(id) {
                Some(f) => self.scope(f, back, split, used),
                None => "NULL".into(),
            },
            TExprKind::Previous(inner) => self.scope(inner, back + 1, split, used),
            TExprKind::Grain(g) => self.grain_value(g, back, used),
            TExprKind::Member(column) => self.member_column(column),
            TExprKind::YearAgo(inner) => self.scope(
                inner,
                back.saturating_add(crate::query::YEAR_AGO),
                split,
                used,
            ),
            TExprKind::Binary { .. } if let Some(terms) = chain::terms(e) => {
                self.chain_value(&terms, back, split, used)
            }
            TExprKind::Aggregate(agg) => {
                let name = self.aggregate_cte(agg, back, split);
                used.insert(name.clone());
                if matches!(
                    agg.func,
                    AggFunc::CountRows | AggFunc::Count | AggFunc::CountDistinct
                ) {
                    format!("COALESCE({name}.v, 0)")
                } else {
                    format!("{name}.v")
                }
            }
            _ => {
                let mut kids = Vec::new();
                for k in e.operands() {
                    kids.push(self.scope(k, back, split, used));
                }
                self.combine(e, &kids, back, None)
            }
        }
    }
}
