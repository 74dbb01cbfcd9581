//! Compiling a request (KPIs, period, scope) into one SQL query over the model's tables.
//!
//! The query has the same shape as `kpic eval`'s results: one row per KPI, group and
//! breakdown key, with `value` and `previous` (NULL where kpic says missing).
//!
//! Layout: a CTE `acct` maps every account in scope to its group; one CTE per distinct
//! aggregate (and period) computes it per group, so an aggregate shared by several KPIs
//! is computed once; each KPI is then a SELECT over the groups joined to the CTEs it
//! needs, and the KPIs are combined with UNION ALL.

use super::Dialect;
use crate::eval::{Period, QueryError, Scope};
use crate::ir::*;
use crate::vocab::BinaryOp;
use indexmap::IndexMap;
use std::collections::{BTreeSet, HashMap};

/// What to compile.
#[derive(Debug, Clone)]
pub struct SqlRequest {
    /// KPI ids; empty means every KPI.
    pub kpis: Vec<String>,
    pub period: Period,
    pub scope: Scope,
    /// Accounts where COLUMN = VALUE.
    pub filters: Vec<(String, String)>,
    pub dialect: Dialect,
    pub names: TableNames,
}

/// Where the model's tables live: an optional schema and per-table renames.
#[derive(Debug, Clone, Default)]
pub struct TableNames {
    pub schema: Option<String>,
    pub rename: HashMap<String, String>,
}

impl TableNames {
    /// The quoted, qualified name of a model table.
    pub fn qualified(&self, dialect: Dialect, table: &str) -> String {
        let name = self.rename.get(table).map_or(table, String::as_str);
        match &self.schema {
            Some(s) => format!("{}.{}", dialect.ident(s), dialect.ident(name)),
            None => dialect.ident(name),
        }
    }
}

/// `CREATE TABLE` statements for every table of the model.
pub fn compile_ddl(catalog: &Catalog, dialect: Dialect, names: &TableNames) -> String {
    let mut out = String::new();
    for t in catalog.tables.values() {
        let cols: Vec<String> = t
            .columns
            .values()
            .map(|c| format!("  {} {}", dialect.ident(&c.name), dialect.column_type(c.ty)))
            .collect();
        out.push_str(&format!(
            "CREATE TABLE {} (\n{}\n);\n",
            names.qualified(dialect, &t.name),
            cols.join(",\n")
        ));
    }
    out
}

/// One SELECT returning one row with one column, `latest_day`: the latest date in the
/// time columns of the model's tables as days since 1970-01-01 (NULL when the tables
/// hold none), the date the default period is chosen from
/// ([`crate::eval::Period::latest_complete_year`]). `None` when no table has a time
/// column.
pub fn compile_latest_day(
    catalog: &Catalog,
    dialect: Dialect,
    names: &TableNames,
) -> Option<String> {
    let parts: Vec<String> = catalog
        .tables
        .values()
        .filter_map(|t| {
            let col = t.time_column.as_ref()?;
            Some(format!(
                "SELECT MAX(CAST(t.{} AS DATE)) AS d FROM {} t",
                dialect.ident(col),
                names.qualified(dialect, &t.name)
            ))
        })
        .collect();
    if parts.is_empty() {
        return None;
    }
    let days = dialect.days_between(&dialect.date("1970-01-01"), "MAX(kpic_dates.d)");
    Some(format!(
        "SELECT CAST({days} AS {}) AS latest_day FROM (\n{}\n) kpic_dates",
        dialect.double(),
        parts.join("\nUNION ALL\n")
    ))
}

/// Compiles the request into one SELECT statement.
pub fn compile_query(catalog: &Catalog, req: &SqlRequest) -> Result<String, QueryError> {
    let kpis: Vec<&KpiDef> = if req.kpis.is_empty() {
        catalog.kpis.values().collect()
    } else {
        req.kpis
            .iter()
            .map(|id| {
                catalog
                    .kpis
                    .get(id)
                    .ok_or_else(|| QueryError(format!("no KPI named `{id}`")))
            })
            .collect::<Result<_, _>>()?
    };
    let accounts = catalog
        .tables
        .get("accounts")
        .ok_or_else(|| QueryError("the data model has no `accounts` table".into()))?;
    let key = accounts
        .key
        .clone()
        .ok_or_else(|| QueryError("`accounts` has no key column".into()))?;
    let mut c = Compiler {
        catalog,
        req,
        d: req.dialect,
        key,
        ctes: IndexMap::new(),
        terms: 0,
        depth: 0,
        too_big: false,
    };
    let acct = c.acct_cte(accounts)?;
    let mut selects = Vec::new();
    for kpi in kpis {
        selects.push(c.kpi_select(kpi));
        if c.too_big {
            return Err(QueryError(format!(
                "KPI `{}` is too large for SQL: its measures are written out in place, and \
                 that exceeds {MAX_SQL_TERMS} terms or {MAX_SQL_DEPTH} levels of nesting; \
                 evaluate it with `kpic eval`, or shorten the chain of measures it reads",
                kpi.id
            )));
        }
    }
    let mut with = vec![
        format!("acct AS (\n{acct}\n)"),
        "grps AS (SELECT DISTINCT grp FROM acct)".to_string(),
    ];
    for (body, name) in &c.ctes {
        with.push(format!("{name} AS (\n{body}\n)"));
    }
    Ok(format!(
        "WITH\n{}\nSELECT * FROM (\n{}\n) kpic_result\nORDER BY kpi, grp, breakdown\n",
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

    fn acct_cte(&self, accounts: &TableDef) -> Result<String, QueryError> {
        let grp = match &self.req.scope {
            Scope::Portfolio => "''".to_string(),
            Scope::PerAccount => self.text_of(&self.key, "x"),
            Scope::By(dim) => {
                if !accounts.columns.get(dim).is_some_and(|c| c.dimension) {
                    return Err(QueryError(format!(
                        "`{dim}` is not a dimension of accounts"
                    )));
                }
                self.text_of(dim, "x")
            }
        };
        let mut filters = Vec::new();
        for (col, value) in &self.req.filters {
            if !accounts.columns.contains_key(col) {
                return Err(QueryError(format!("accounts have no column `{col}`")));
            }
            filters.push(format!(
                "{} = {}",
                self.text_of(col, "x"),
                self.d.string(value)
            ));
        }
        let filter = if filters.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", filters.join(" AND "))
        };
        Ok(format!(
            "  SELECT x.{} AS id, {grp} AS grp FROM {} x{filter}",
            self.d.ident(&self.key),
            self.table("accounts")
        ))
    }

    fn kpi_select(&mut self, kpi: &KpiDef) -> String {
        let split = kpi.breakdown.as_ref();
        let mut used = BTreeSet::new();
        let now = self.scope(&kpi.formula, 0, split, &mut used);
        let prev = self.scope(&kpi.formula, 1, split, &mut used);
        let double = self.d.double();
        let text = self.d.text();
        let why = |r: Option<String>| {
            r.map_or(format!("CAST(NULL AS {text})"), |r| {
                format!("CAST({r} AS {text})")
            })
        };
        let now_reason = why(self.reason(&kpi.formula, 0, split, &mut used));
        let prev_reason = why(self.reason(&kpi.formula, 1, split, &mut used));
        let id = self.d.string(&kpi.id);
        match split {
            None => {
                let joins: String = used
                    .iter()
                    .map(|n| format!(" LEFT JOIN {n} ON {n}.grp = g.grp"))
                    .collect();
                format!(
                    "SELECT {id} AS kpi, g.grp AS grp, CAST(NULL AS {text}) AS breakdown, \
                     CAST({now} AS {double}) AS value, CAST({prev} AS {double}) AS previous, \
                     CASE WHEN {now} IS NULL THEN {now_reason} END AS value_reason, \
                     CASE WHEN {prev} IS NULL THEN {prev_reason} END AS previous_reason\nFROM grps g{joins}"
                )
            }
            Some(_) => {
                let keys: Vec<String> = used
                    .iter()
                    .map(|n| format!("SELECT grp, bk FROM {n}"))
                    .collect();
                let joins: String = used
                    .iter()
                    .map(|n| format!(" LEFT JOIN {n} ON {n}.grp = g.grp AND {n}.bk = g.bk"))
                    .collect();
                format!(
                    "SELECT * FROM (SELECT {id} AS kpi, g.grp AS grp, CAST(g.bk AS {text}) AS breakdown, \
                     CAST({now} AS {double}) AS value, CAST({prev} AS {double}) AS previous, \
                     CASE WHEN {now} IS NULL THEN {now_reason} END AS value_reason, \
                     CASE WHEN {prev} IS NULL THEN {prev_reason} END AS previous_reason\nFROM ({}) g{joins}) kpic_split \
                     WHERE value IS NOT NULL OR previous IS NOT NULL",
                    keys.join(" UNION ")
                )
            }
        }
    }

    /// SQL for why `e` is NULL (when it is), following the native engine: an
    /// aggregate over no rows, a division by zero, else the first missing operand's
    /// reason. `None` when `e` is never NULL.
    fn reason(
        &mut self,
        e: &TExpr,
        back: u32,
        split: Option<&ColumnRef>,
        used: &mut BTreeSet<String>,
    ) -> Option<String> {
        self.guarded(None, |c| c.reason_of(e, back, split, used))
    }

    /// Writes one term, one level deeper, with `write`; past the limits, writes
    /// nothing more and returns `fallback`.
    fn guarded<T>(&mut self, fallback: T, write: impl FnOnce(&mut Self) -> T) -> T {
        self.terms += 1;
        if self.too_big || self.terms > MAX_SQL_TERMS || self.depth >= MAX_SQL_DEPTH {
            self.too_big = true;
            return fallback;
        }
        self.depth += 1;
        let r = write(self);
        self.depth -= 1;
        r
    }

    fn reason_of(
        &mut self,
        e: &TExpr,
        back: u32,
        split: Option<&ColumnRef>,
        used: &mut BTreeSet<String>,
    ) -> Option<String> {
        let null_text = || "NULL".to_string();
        match &e.kind {
            TExprKind::Number(_)
            | TExprKind::Text(_)
            | TExprKind::Date(_)
            | TExprKind::Bool(_)
            | TExprKind::Period(_) => None,
            TExprKind::IsMissing { .. } => None,
            TExprKind::Ref(id) => {
                let f = self.catalog.formula(id)?;
                self.reason(f, back, split, used)
            }
            TExprKind::Previous(inner) => self.reason(inner, back + 1, split, used),
            TExprKind::Aggregate(agg) => match agg.func {
                AggFunc::CountRows | AggFunc::Count | AggFunc::CountDistinct => None,
                _ => Some(self.d.string("no rows")),
            },
            TExprKind::Neg(x) | TExprKind::Not(x) => self.reason(x, back, split, used),
            TExprKind::Binary { op, left, right } => {
                let a = self.scope(left, back, split, used);
                let b = self.scope(right, back, split, used);
                let ra = self
                    .reason(left, back, split, used)
                    .unwrap_or_else(null_text);
                let rb = self
                    .reason(right, back, split, used)
                    .unwrap_or_else(null_text);
                if *op == crate::vocab::BinaryOp::Div {
                    Some(format!(
                        "(CASE WHEN {a} IS NULL THEN {ra} WHEN {b} IS NULL THEN {rb} WHEN {b} = 0 THEN {} END)",
                        self.d.string("division by zero")
                    ))
                } else {
                    Some(format!("(CASE WHEN {a} IS NULL THEN {ra} ELSE {rb} END)"))
                }
            }
            TExprKind::If {
                condition,
                then,
                otherwise,
            } => {
                let c = self.scope(condition, back, split, used);
                let rc = self
                    .reason(condition, back, split, used)
                    .unwrap_or_else(null_text);
                let ra = self
                    .reason(then, back, split, used)
                    .unwrap_or_else(null_text);
                let rb = self
                    .reason(otherwise, back, split, used)
                    .unwrap_or_else(null_text);
                Some(format!(
                    "(CASE WHEN {c} IS NULL THEN {rc} WHEN {c} THEN {ra} ELSE {rb} END)"
                ))
            }
            TExprKind::Func { args, .. } => {
                // The first missing argument's reason (coalesce is missing only when all are).
                let mut arms = String::new();
                for a in args {
                    let v = self.scope(a, back, split, used);
                    let r = self.reason(a, back, split, used).unwrap_or_else(null_text);
                    arms.push_str(&format!(" WHEN {v} IS NULL THEN {r}"));
                }
                Some(format!("(CASE{arms} END)"))
            }
            _ => None,
        }
    }

    fn number(v: f64) -> String {
        let s = format!("{v}");
        if s.contains('.') || s.contains('e') || s.contains("inf") || s.contains("NaN") {
            s
        } else {
            format!("{s}.0")
        }
    }

    fn period(&self, back: u32) -> Period {
        (0..back).fold(self.req.period, |p, _| p.previous())
    }

    fn period_field(&self, f: PeriodField, back: u32) -> String {
        let p = self.period(back);
        match f {
            PeriodField::Start => self.d.date(&p.start.to_string()),
            PeriodField::End => self.d.date(&p.end.to_string()),
            PeriodField::Days => Self::number(p.days() as f64),
        }
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

    /// A per-row expression; `via` is set when an `accounts` column is read through
    /// the row's account.
    fn row(&self, e: &TExpr, back: u32, via: &mut bool) -> String {
        match &e.kind {
            TExprKind::Column {
                column,
                via: through,
                ..
            } => {
                if through.is_some() {
                    *via = true;
                    format!("acc.{}", self.d.ident(column))
                } else {
                    format!("t.{}", self.d.ident(column))
                }
            }
            _ => {
                let kids: Vec<String> = e
                    .operands()
                    .into_iter()
                    .map(|k| self.row(k, back, via))
                    .collect();
                self.combine(e, &kids, back, Some(()))
            }
        }
    }

    /// The SQL of `e`'s operator over its children's SQL.
    fn combine(&self, e: &TExpr, kids: &[String], back: u32, _row: Option<()>) -> String {
        let d = self.d;
        let double = d.double();
        match &e.kind {
            TExprKind::Number(v) => Self::number(*v),
            TExprKind::Text(t) => d.string(t),
            TExprKind::Date(v) => d.date(&v.to_string()),
            TExprKind::Bool(b) => {
                if *b {
                    "TRUE".into()
                } else {
                    "FALSE".into()
                }
            }
            TExprKind::Period(f) => self.period_field(*f, back),
            TExprKind::Neg(_) => format!("(-{})", kids[0]),
            TExprKind::Not(_) => format!("(NOT {})", kids[0]),
            TExprKind::IsMissing { negated, .. } => {
                format!(
                    "({} IS {}NULL)",
                    kids[0],
                    if *negated { "NOT " } else { "" }
                )
            }
            TExprKind::If { .. } => {
                format!(
                    "(CASE WHEN {c} THEN {a} WHEN NOT ({c}) THEN {b} END)",
                    c = kids[0],
                    a = kids[1],
                    b = kids[2]
                )
            }
            TExprKind::Binary { op, left, right } => {
                let (a, b) = (&kids[0], &kids[1]);
                let (lt, rt) = (left.ty, right.ty);
                let is_date = |t: Type| matches!(t, Type::Date | Type::DateTime);
                match op {
                    BinaryOp::Sub if is_date(lt) && is_date(rt) => {
                        if lt == Type::DateTime {
                            d.hours_between(b, a)
                        } else {
                            d.days_between(b, a)
                        }
                    }
                    BinaryOp::Add if is_date(lt) => d.add_days(a, b),
                    BinaryOp::Add if is_date(rt) => d.add_days(b, a),
                    BinaryOp::Sub if is_date(lt) => d.add_days(a, &format!("(-{b})")),
                    BinaryOp::Div => {
                        format!("(CAST({a} AS {double}) / NULLIF(CAST({b} AS {double}), 0))")
                    }
                    _ => {
                        let sym = match op {
                            BinaryOp::Eq => "=",
                            BinaryOp::Ne => "<>",
                            BinaryOp::And => "AND",
                            BinaryOp::Or => "OR",
                            other => other.symbol(),
                        };
                        format!("({a} {sym} {b})")
                    }
                }
            }
            TExprKind::Func { func, .. } => match func {
                Func::Coalesce => format!("COALESCE({})", kids.join(", ")),
                Func::Abs => format!("ABS({})", kids[0]),
                Func::Round => {
                    let digits = match e_arg(e, 1) {
                        Some(TExprKind::Number(n)) => *n as i32,
                        _ => 0,
                    };
                    d.round(&kids[0], digits)
                }
                Func::Least | Func::Greatest => {
                    let any_null: Vec<String> =
                        kids.iter().map(|k| format!("{k} IS NULL")).collect();
                    let f = if *func == Func::Least {
                        "LEAST"
                    } else {
                        "GREATEST"
                    };
                    format!(
                        "(CASE WHEN {} THEN NULL ELSE {f}({}) END)",
                        any_null.join(" OR "),
                        kids.join(", ")
                    )
                }
                Func::DaysBetween => d.days_between(&kids[0], &kids[1]),
                Func::HoursBetween => d.hours_between(&kids[0], &kids[1]),
            },
            _ => "NULL".into(),
        }
    }

    /// The CTE computing `agg` over the period `back` steps before, per group (and per
    /// breakdown key); returns its name.
    fn aggregate_cte(&mut self, agg: &Aggregate, back: u32, split: Option<&ColumnRef>) -> String {
        let d = self.d;
        let mut via = false;
        let arg = agg.arg.as_ref().map(|a| self.row(a, back, &mut via));
        let value = match (agg.func, &arg) {
            (AggFunc::CountRows, _) | (_, None) => "COUNT(*)".to_string(),
            (AggFunc::Count, Some(x)) => format!("COUNT({x})"),
            (AggFunc::CountDistinct, Some(x)) => format!("COUNT(DISTINCT {x})"),
            (AggFunc::Sum, Some(x)) => format!("SUM({x})"),
            // Money averages as the native engine takes them: the exact decimal sum,
            // then one division in double precision.
            (AggFunc::Avg, Some(x))
                if agg
                    .arg
                    .as_ref()
                    .is_some_and(|a| a.ty == crate::ir::Type::Number(crate::ir::Dim::Money)) =>
            {
                format!("CAST(SUM({x}) AS {}) / NULLIF(COUNT({x}), 0)", d.double())
            }
            (AggFunc::Avg, Some(x)) => format!("AVG(CAST({x} AS {}))", d.double()),
            (AggFunc::Min, Some(x)) => format!("MIN({x})"),
            (AggFunc::Max, Some(x)) => format!("MAX({x})"),
            (AggFunc::Median, Some(x)) => {
                d.percentile(&format!("CAST({x} AS {})", d.double()), 0.5)
            }
            (AggFunc::Percentile, Some(x)) => d.percentile(
                &format!("CAST({x} AS {})", d.double()),
                agg.fraction.unwrap_or(0.5),
            ),
        };
        let mut conditions = Vec::new();
        if let TimeFilter::Column(c) = &agg.time {
            let p = self.period(back);
            conditions.push(format!(
                "CAST(t.{c} AS DATE) >= {} AND CAST(t.{c} AS DATE) <= {}",
                d.date(&p.start.to_string()),
                d.date(&p.end.to_string()),
                c = d.ident(c)
            ));
        }
        if let Some(f) = &agg.filter {
            conditions.push(format!("({}) = TRUE", self.row(f, back, &mut via)));
        }
        let def = &self.catalog.tables[&agg.table];
        let link = if agg.table == "accounts" {
            self.key.clone()
        } else {
            def.account_column
                .clone()
                .unwrap_or_else(|| self.key.clone())
        };
        let mut from = format!(
            "  FROM {} t JOIN acct a ON t.{} = a.id",
            self.table(&agg.table),
            d.ident(&link)
        );
        if via {
            from.push_str(&format!(
                " JOIN {} acc ON acc.{} = t.{}",
                self.table("accounts"),
                d.ident(&self.key),
                d.ident(&link)
            ));
        }
        let split_col = split
            .filter(|s| s.table == agg.table)
            .map(|s| format!("t.{}", d.ident(&s.column)));
        let (bk_select, bk_group, bk_where) = match &split_col {
            Some(col) => (
                format!(", {col} AS bk"),
                format!(", {col}"),
                Some(format!("{col} IS NOT NULL")),
            ),
            None => (String::new(), String::new(), None),
        };
        conditions.extend(bk_where);
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("\n  WHERE {}", conditions.join("\n    AND "))
        };
        let body = format!(
            "  SELECT a.grp AS grp{bk_select}, {value} AS v\n{from}{filter}\n  GROUP BY a.grp{bk_group}"
        );
        let next = format!("agg{}", self.ctes.len());
        self.ctes.entry(body).or_insert(next).clone()
    }
}

fn e_arg(e: &TExpr, i: usize) -> Option<&TExprKind> {
    match &e.kind {
        TExprKind::Func { args, .. } => args.get(i).map(|a| &a.kind),
        _ => None,
    }
}
