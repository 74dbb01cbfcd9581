//! Running a request on an engine: natively over a loaded dataset, or as generated SQL
//! in PostgreSQL, DuckDB or Spark. One entry point ([`run`]) does what every engine shares —
//! validate the request, choose the default period, compile, run, turn rows into
//! [`Results`] — so a library user gets the same answer from every engine without
//! copying the command line's code.
//!
//! The database clients (`postgres.rs`, `duckdb.rs`, `spark.rs`) are the only modules
//! that talk to a database; `rows.rs` turns their rows into results, shared by all.

pub mod duckdb;
pub mod postgres;
mod rows;
pub mod spark;
pub(crate) mod spark_data;

pub use rows::{SqlRow, to_results};

use crate::data::Dataset;
use crate::eval::Timings;
use crate::ir::Catalog;
use crate::query::DateBound;
use crate::query::{Compare, Filter, Period, Query, QueryError, Request, Results, validate};
use crate::sql::{Dialect, SqlRequest, TableNames, compile_date_bound, compile_query};
use std::path::PathBuf;

/// Where a request is computed.
pub enum Engine<'a> {
    /// kpic's own columnar engine over a dataset loaded in memory.
    Native(&'a Dataset),
    /// The generated SQL, run in a database holding the model's tables.
    Database(&'a Database),
}

/// A database that runs the compiled query, and where the model's tables live in it.
pub struct Database {
    pub kind: DatabaseKind,
    /// Schema and per-table names of the model's tables.
    pub names: TableNames,
}

/// How to reach a database engine.
pub enum DatabaseKind {
    /// A PostgreSQL server.
    Postgres { url: String },
    /// A DuckDB database file, opened read-only by the DuckDB command-line client
    /// `program` ([`duckdb::locate_client`] finds it).
    Duckdb { program: PathBuf, file: PathBuf },
    /// A Spark session ([`spark::Session`]): the tables of a dataset kpic loaded
    /// ([`spark::Session::load`]), or tables already in Spark's catalog.
    Spark {
        session: std::sync::Arc<spark::Session>,
    },
}

/// Why a request gave no results.
#[derive(Debug, Clone, PartialEq)]
pub enum EngineError {
    /// The request itself is wrong (unknown KPI, dimension, a period the data cannot
    /// answer, ...): the same words from every engine.
    Request(QueryError),
    /// The database could not be reached or refused the query.
    Database(QueryError),
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EngineError::Request(e) | EngineError::Database(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for EngineError {}

impl Database {
    /// The SQL dialect the database speaks.
    pub fn dialect(&self) -> Dialect {
        match self.kind {
            DatabaseKind::Postgres { .. } => Dialect::Postgres,
            DatabaseKind::Duckdb { .. } => Dialect::Duckdb,
            DatabaseKind::Spark { .. } => Dialect::Spark,
        }
    }

    /// The engine's name as the command line writes it.
    pub fn name(&self) -> &'static str {
        match self.kind {
            DatabaseKind::Postgres { .. } => "postgres",
            DatabaseKind::Duckdb { .. } => "duckdb",
            DatabaseKind::Spark { .. } => "spark",
        }
    }

    fn query_number(&self, sql: &str) -> Result<Option<f64>, QueryError> {
        match &self.kind {
            DatabaseKind::Postgres { url } => postgres::query_number(url, sql),
            DatabaseKind::Duckdb { program, file } => duckdb::query_number(program, file, sql),
            DatabaseKind::Spark { session } => session.query_number(sql),
        }
    }

    fn query(&self, sql: &str) -> Result<Vec<SqlRow>, QueryError> {
        match &self.kind {
            DatabaseKind::Postgres { url } => postgres::query(url, sql),
            DatabaseKind::Duckdb { program, file } => duckdb::query(program, file, sql),
            DatabaseKind::Spark { session } => session.query(sql),
        }
    }

    /// The distinct values of an `accounts` column, as text, the way the filters and
    /// groups of the compiled query read it (an empty cell reads `(missing)`).
    fn column_values(&self, column: &str) -> Result<Vec<String>, EngineError> {
        let d = self.dialect();
        let sql = format!(
            "SELECT DISTINCT COALESCE(CAST(x.{} AS {}), '(missing)') AS v FROM {} x",
            d.ident(column),
            d.text(),
            self.names.qualified(d, "accounts")
        );
        let values = match &self.kind {
            DatabaseKind::Postgres { url } => postgres::query_texts(url, &sql),
            DatabaseKind::Duckdb { program, file } => duckdb::query_texts(program, file, &sql),
            DatabaseKind::Spark { session } => session.query_texts(&sql),
        }
        .map_err(|e| self.error(e))?;
        Ok(values.into_iter().flatten().collect())
    }

    /// A database error, with a hint where it is about missing tables.
    fn error(&self, e: QueryError) -> EngineError {
        if matches!(self.kind, DatabaseKind::Duckdb { .. }) && e.0.contains("Catalog Error") {
            return EngineError::Database(QueryError(format!(
                "{e}\nhelp: the database must hold the model's tables (`kpic sql --ddl --dialect duckdb` \
                 creates them); map other names with --table MODEL=ACTUAL or --schema SCHEMA"
            )));
        }
        if matches!(self.kind, DatabaseKind::Spark { .. })
            && e.0.contains("TABLE_OR_VIEW_NOT_FOUND")
        {
            return EngineError::Database(QueryError(format!(
                "{e}\nhelp: give the dataset with --data DIR, or name where the model's tables are \
                 in Spark's catalog with --table MODEL=ACTUAL or --schema SCHEMA"
            )));
        }
        EngineError::Database(e)
    }
}

/// The period a request is computed for: the one it names, else the latest complete
/// (fiscal) year in the data, as the engine sees the data.
pub fn period(
    catalog: &Catalog,
    engine: &Engine,
    request: &Request,
) -> Result<Period, EngineError> {
    if let Some(p) = request.period {
        return Ok(p);
    }
    let latest = date_bound(catalog, engine, DateBound::LatestBy(request.today()))?;
    latest
        .and_then(|day| Period::latest_complete_year(day, request.fiscal_year_start))
        .ok_or_else(|| {
            let holder = match engine {
                Engine::Native(_) => {
                    "the data holds no complete year; give one with --period".to_string()
                }
                Engine::Database(db) => format!(
                    "the database holds no complete year; give one with --period (`--engine {}`)",
                    db.name()
                ),
            };
            EngineError::Request(QueryError(holder))
        })
}

/// What an engine answered.
pub struct Answer {
    /// The query as run, with its period fixed.
    pub query: Query,
    pub results: Results,
    /// Where the native engine spent its time (`None` for a database).
    pub timings: Option<Timings>,
    /// What the user should know about the answer (e.g. a period outside the data).
    pub warnings: Vec<String>,
}

/// The earliest or latest date in the data, as the engine sees it.
fn date_bound(
    catalog: &Catalog,
    engine: &Engine,
    bound: DateBound,
) -> Result<Option<f64>, EngineError> {
    Ok(match engine {
        Engine::Native(data) => crate::eval::date_bound(catalog, data, bound),
        Engine::Database(db) => match compile_date_bound(catalog, db.dialect(), &db.names, bound) {
            Some(sql) => db.query_number(&sql).map_err(|e| db.error(e))?,
            None => None,
        },
    })
}

/// A warning when neither the period nor the one it is compared with
/// overlaps the dates in the data: every value would then be missing or zero for want
/// of rows, which says nothing about the accounts.
fn outside_the_data(
    catalog: &Catalog,
    engine: &Engine,
    compare: Compare,
    period: Period,
) -> Result<Option<String>, EngineError> {
    let before = period.back(compare.step());
    let (Some(first), Some(last)) = (
        date_bound(catalog, engine, DateBound::Earliest)?,
        date_bound(catalog, engine, DateBound::Latest)?,
    ) else {
        return Ok(None);
    };
    let overlaps = |p: Period| {
        let (start, end) = p.epoch_days();
        end >= first && start <= last
    };
    if overlaps(period) || overlaps(before) {
        return Ok(None);
    }
    let day = |d: f64| {
        chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
            .and_then(|e| e.checked_add_signed(chrono::Duration::days(d as i64)))
            .map_or_else(|| "?".to_string(), |d| d.to_string())
    };
    Ok(Some(format!(
        "the data has no rows in {} or {} ({}): its dates run from {} to {}",
        period.label(),
        match compare {
            Compare::Previous => "the period before it",
            Compare::YearAgo => "the same period a year earlier",
        },
        before.label(),
        day(first),
        day(last)
    )))
}

/// Computes a request on an engine. The catalog must have checked without errors.
pub fn run(catalog: &Catalog, engine: &Engine, request: &Request) -> Result<Answer, EngineError> {
    for scope in std::iter::once(&request.scope).chain(&request.groupings) {
        validate(catalog, &request.kpis, scope, &request.filters).map_err(EngineError::Request)?;
    }
    // A time series the period cannot be cut into is refused before any data is read.
    if let Some(p) = request.period {
        request
            .with_period(p)
            .periods()
            .map_err(EngineError::Request)?;
    }
    let query = request.with_period(period(catalog, engine, request)?);
    query.periods().map_err(EngineError::Request)?;
    let warnings = outside_the_data(catalog, engine, query.compare, query.period)?
        .into_iter()
        .collect();
    if let Engine::Native(data) = engine {
        native_filters_match(catalog, data, request)?;
    }
    // Targets read from the dataset are evaluated with the KPIs, as hidden KPIs.
    let extended = crate::query::with_target_kpis(catalog, &query);
    let (catalog_run, query_run) = match &extended {
        Some((c, q)) => (c, q),
        None => (catalog, &query),
    };
    // So are the counts that ratios and averages are computed from.
    let sampled = crate::query::with_sample_kpis(catalog_run, query_run);
    let (catalog_run, query_run) = match &sampled {
        Some((c, q)) => (c, q),
        None => (catalog_run, query_run),
    };
    let (mut results, timings) = match engine {
        Engine::Native(data) => {
            let (results, timings) = crate::eval::evaluate_timed(catalog_run, data, query_run)
                .map_err(EngineError::Request)?;
            (results, Some(timings))
        }
        Engine::Database(db) => {
            let results = run_sql(catalog_run, db, query_run)?;
            // No row at all under account filters: no account is in scope (every KPI
            // has a row per group otherwise). Say which filter matched nothing, as the
            // native engine does.
            if results.rows.is_empty() && !request.filters.is_empty() {
                let values = request
                    .filters
                    .iter()
                    .map(|f| db.column_values(&f.column))
                    .collect::<Result<Vec<_>, _>>()?;
                return Err(EngineError::Request(no_account_matches(
                    catalog,
                    &request.filters,
                    &values,
                )));
            }
            (results, None)
        }
    };
    crate::query::apply_samples(catalog, &mut results, crate::query::DEFAULT_MIN_SAMPLE);
    crate::query::apply_targets(catalog, &query, &mut results);
    crate::query::apply_rules(catalog, &mut results);
    crate::query::apply_benchmarks(catalog, &query, &mut results);
    Ok(Answer {
        query,
        results,
        timings,
        warnings,
    })
}

fn run_sql(catalog: &Catalog, db: &Database, query: &Query) -> Result<Results, EngineError> {
    let req = SqlRequest::from_query(query, db.dialect(), db.names.clone());
    let sql = compile_query(catalog, &req).map_err(EngineError::Request)?;
    let rows = db.query(&sql).map_err(|e| db.error(e))?;
    let mut results = to_results(catalog, rows, query);
    // The KPIs a fact table's dimension cannot split, as natively.
    let kpis = validate(catalog, &query.kpis, &query.scope, &query.filters)
        .map_err(EngineError::Request)?
        .kpis;
    for scope in std::iter::once(&query.scope).chain(&query.groupings) {
        if let Some(by) = scope.fact_dimension() {
            results.unavailable.extend(
                crate::query::split_by_fact(catalog, &kpis, &by)
                    .map_err(EngineError::Request)?
                    .1,
            );
        }
    }
    Ok(results)
}

/// Refuses, natively, account filters that together match no account, with the words
/// [`no_account_matches`] gives every engine.
fn native_filters_match(
    catalog: &Catalog,
    data: &Dataset,
    request: &Request,
) -> Result<(), EngineError> {
    if request.filters.is_empty() {
        return Ok(());
    }
    let Some(accounts) = data.tables.get("accounts") else {
        return Ok(());
    };
    // Each filter's column as text per account row, as `eval::groups` reads it.
    let mut cells: Vec<Vec<String>> = Vec::new();
    for f in &request.filters {
        let Some(col) = accounts.columns.get(&f.column) else {
            return Ok(());
        };
        cells.push(
            (0..accounts.rows)
                .map(|i| match col {
                    crate::data::Column::Bool { values } => {
                        values[i].map_or("(missing)".into(), |b| b.to_string())
                    }
                    _ => col.text(i).unwrap_or("(missing)").to_string(),
                })
                .collect(),
        );
    }
    let any = (0..accounts.rows).any(|i| {
        request
            .filters
            .iter()
            .zip(&cells)
            .all(|(f, c)| c[i] == f.value)
    });
    if any || accounts.rows == 0 {
        return Ok(());
    }
    Err(EngineError::Request(no_account_matches(
        catalog,
        &request.filters,
        &cells,
    )))
}

/// Why account filters match no account: the value no account has (with the closest
/// one that exists), or that each filter matches some account but not all together.
/// `values` holds, per filter, the values of its column (duplicates allowed).
fn no_account_matches(catalog: &Catalog, filters: &[Filter], values: &[Vec<String>]) -> QueryError {
    let key = catalog
        .tables
        .get("accounts")
        .and_then(|t| t.key.as_deref());
    let mut unknown = Vec::new();
    for (f, vals) in filters.iter().zip(values) {
        if vals.contains(&f.value) {
            continue;
        }
        let hint = crate::diagnostic::did_you_mean(&f.value, vals.iter().map(String::as_str))
            .map(|h| format!("; {h}"))
            .unwrap_or_default();
        unknown.push(if key == Some(f.column.as_str()) {
            format!("there is no account `{}`{hint}", f.value)
        } else {
            format!("none has {} `{}`{hint}", f.column, f.value)
        });
    }
    if !unknown.is_empty() {
        return QueryError(format!(
            "no account matches the filters: {}",
            unknown.join("\n  ")
        ));
    }
    let each: Vec<String> = filters
        .iter()
        .map(|f| format!("{}={}", f.column, f.value))
        .collect();
    QueryError(format!(
        "no account matches the filters together: each of {} matches some account, but \
         no account matches all of them",
        each.join(", ")
    ))
}
