//! `kpic sql`: print the SQL that computes KPIs in a database.

use super::scope_args::{ScopeArgs, TableArgs};
use super::usage_error;
use kpic::query::Period;
use kpic::sql::{Dialect, SqlRequest, compile_ddl, compile_query};

/// Arguments of `kpic sql`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// KPI ids (default: every KPI of the catalog).
    pub kpis: Vec<String>,
    /// Target SQL dialect.
    #[arg(long, value_enum, default_value_t = Dialect::Postgres)]
    pub dialect: Dialect,
    #[command(flatten)]
    pub source: super::project_args::CatalogFlags,
    /// Period: 2025, 2025-H1, 2025-Q3, 2025-07 or 2025-01-01..2025-03-31 (required for a query:
    /// `kpic sql` sees no data to pick the latest complete year from).
    #[arg(long)]
    pub period: Option<String>,
    #[command(flatten)]
    pub scope: ScopeArgs,
    #[command(flatten)]
    pub tables: TableArgs,
    /// Print `CREATE TABLE` statements for the model instead of a query.
    #[arg(long)]
    pub ddl: bool,
}

/// Runs `kpic sql`.
pub fn run(args: Args) -> u8 {
    let checked = match super::catalog_args::load_checked(Vec::new(), &args.source) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let names = match args.tables.names(&checked.catalog) {
        Ok(n) => n,
        Err(e) => return usage_error(e),
    };
    if args.ddl {
        return super::catalog_args::emit(&compile_ddl(&checked.catalog, args.dialect, &names));
    }
    // `kpic eval` defaults to the latest complete year of the data; `kpic sql` has no
    // data, and a fixed year would silently be the wrong one, so the period is asked for.
    let (period, fiscal_year_start, compare) = match (
        args.scope.period(args.period.as_deref()),
        args.scope.fiscal_year_start(),
        args.scope.compare(),
    ) {
        (Ok(p), Ok(f), Ok(c)) => (p, f, c),
        (Err(code), _, _) | (_, Err(code), _) | (_, _, Err(code)) => return code,
    };
    let Some(period) = period.as_deref() else {
        return usage_error(
            "`kpic sql` needs `--period`: the query is written for one period, and without \
             the data there is no latest complete year to default to\n\
             help: add e.g. `--period 2025` (or 2025-H1, 2025-Q3, 2025-07, 2025-01-01..2025-03-31); \
             `kpic eval --engine duckdb|postgres` without `--period` asks the database for \
             its latest date",
        );
    };
    let period = match Period::parse(period, fiscal_year_start) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    let g = match args.scope.resolve(&checked.catalog) {
        Ok(r) => r,
        Err(e) => return usage_error(e),
    };
    let req = SqlRequest {
        kpis: args.kpis.clone(),
        period,
        scope: g.scope,
        filters: g.filters,
        compare,
        every: args.scope.every,
        groupings: g.groupings,
        dialect: args.dialect,
        names,
    };
    match compile_query(&checked.catalog, &req) {
        Ok(sql) => super::catalog_args::emit(&sql),
        Err(e) => usage_error(e),
    }
}
