//! The flags `kpic eval`, `kpic report` and `kpic diff` share: what to compute and
//! where, and the request their period and scope flags describe.

use super::eval::Engine;
use super::scope_args::{ScopeArgs, TableArgs};
use super::usage_error;
use kpic::query::{Period, Request};
use std::path::PathBuf;

/// What to compute: the dataset, the catalog, the period and the scope. Flattened
/// into both commands, so a request is written the same way for either.
#[derive(Debug, clap::Args)]
pub struct RequestArgs {
    /// Folder of CSV files, one per table (default: the project's, from kpic.toml, else
    /// the bundled `examples/data`).
    #[arg(long, conflicts_with = "demo")]
    pub data: Option<PathBuf>,
    #[command(flatten)]
    pub source: super::project_args::CatalogFlags,
    /// Period: 2025, 2025-H1, 2025-Q3, 2025-07 or 2025-01-01..2025-03-31 (default:
    /// the latest complete year in the data).
    #[arg(long)]
    pub period: Option<String>,
    #[command(flatten)]
    pub scope: ScopeArgs,
}

/// Where to compute: the engine and how to reach the model's tables in it. A struct
/// of its own because every command puts other flags between it and [`RequestArgs`]
/// (their `--help` keeps that order); `kpic diff` flattens it without `RequestArgs`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Where to compute: natively over `--data`, or in PostgreSQL, DuckDB or Spark (the
    /// generated SQL; results printed as the native engine prints them).
    #[arg(long, value_enum, default_value_t = Engine::Native)]
    pub engine: Engine,
    /// DuckDB database file for `--engine duckdb`, holding the model's tables; opened
    /// read-only.
    #[arg(long, value_name = "FILE", required_if_eq("engine", "duckdb"))]
    pub database: Option<PathBuf>,
    #[command(flatten)]
    pub connect: super::engine_args::EngineArgs,
    #[command(flatten)]
    pub tables: TableArgs,
}

/// The request the period and scope flags describe, with no KPIs yet: `period` is the
/// `--period` flag, the project's settings (`kpic.toml`) fill in what the flags leave
/// open. One function for `kpic eval` and `kpic diff`, so both read a request alike; a
/// time series the period cannot be cut into is refused before any data is read.
pub fn scope_request(
    scope: &ScopeArgs,
    period: Option<&str>,
    catalog: &kpic::Catalog,
) -> Result<Request, u8> {
    let fiscal_year_start = scope.fiscal_year_start()?;
    let period = match scope.period(period)? {
        Some(text) => Some(Period::parse(&text, fiscal_year_start).map_err(usage_error)?),
        None => None,
    };
    let compare = scope.compare()?;
    let g = scope.resolve(catalog).map_err(usage_error)?;
    if let (Some(p), Some(every)) = (period, scope.every) {
        p.split(every.months(), every.name()).map_err(usage_error)?;
    }
    Ok(Request {
        kpis: Vec::new(),
        period,
        fiscal_year_start,
        scope: g.scope,
        filters: g.filters,
        compare,
        every: scope.every,
        groupings: g.groupings,
        today: None,
    })
}
