//! `kpic sql`: print the SQL that computes KPIs in a database.

use super::{FAILED, OK, default_catalog, usage_error};
use kpic::eval::{Period, Scope};
use kpic::sql::{Dialect, SqlRequest, TableNames, compile_ddl, compile_query};
use std::path::PathBuf;

/// Arguments of `kpic sql`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// KPI ids (default: every KPI of the catalog).
    pub kpis: Vec<String>,
    /// Target SQL dialect.
    #[arg(long, value_enum, default_value_t = Dialect::Postgres)]
    pub dialect: Dialect,
    /// Catalog files or folders (default: `kpis/`).
    #[arg(long = "catalog")]
    pub catalog: Vec<PathBuf>,
    /// Period: 2025, 2025-Q3, 2025-07 or 2025-01-01..2025-03-31.
    #[arg(long, default_value = "2025")]
    pub period: String,
    /// First month of the fiscal year (1-12).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=12))]
    pub fiscal_year_start: u32,
    /// One value per value of this accounts dimension.
    #[arg(long, conflicts_with = "per_account")]
    pub by: Option<String>,
    /// One value per account.
    #[arg(long)]
    pub per_account: bool,
    /// Only this account.
    #[arg(long)]
    pub account: Option<String>,
    /// Only accounts where COLUMN=VALUE (repeatable).
    #[arg(long = "where", value_name = "COLUMN=VALUE")]
    pub filters: Vec<String>,
    /// Schema the tables live in.
    #[arg(long)]
    pub schema: Option<String>,
    /// A model table's name in the database (repeatable), e.g. `--table orders=fact_orders`.
    #[arg(long = "table", value_name = "MODEL=ACTUAL")]
    pub tables: Vec<String>,
    /// Print `CREATE TABLE` statements for the model instead of a query.
    #[arg(long)]
    pub ddl: bool,
}

/// Builds the SQL request from flags shared with `kpic eval`.
#[allow(clippy::too_many_arguments)]
pub fn request(
    catalog: &kpic::Catalog,
    kpis: &[String],
    period: Period,
    by: &Option<String>,
    per_account: bool,
    account: &Option<String>,
    filters: &[String],
    dialect: Dialect,
    names: TableNames,
) -> Result<SqlRequest, String> {
    let mut parsed = Vec::new();
    for f in filters {
        match f.split_once('=') {
            Some((c, v)) => parsed.push((c.trim().to_string(), v.trim().to_string())),
            None => {
                return Err(format!(
                    "`--where {f}`: write COLUMN=VALUE, e.g. tier=strategic"
                ));
            }
        }
    }
    if let Some(a) = account {
        let key = catalog
            .tables
            .get("accounts")
            .and_then(|t| t.key.clone())
            .unwrap_or_default();
        parsed.push((key, a.clone()));
    }
    let scope = match (by, per_account) {
        (Some(d), _) => Scope::By(d.clone()),
        (None, true) => Scope::PerAccount,
        _ => Scope::Portfolio,
    };
    Ok(SqlRequest {
        kpis: kpis.to_vec(),
        period,
        scope,
        filters: parsed,
        dialect,
        names,
    })
}

/// Parses `--schema` and `--table MODEL=ACTUAL` flags.
pub fn table_names(schema: &Option<String>, tables: &[String]) -> Result<TableNames, String> {
    let mut names = TableNames {
        schema: schema.clone(),
        ..TableNames::default()
    };
    for t in tables {
        let Some((model, actual)) = t.split_once('=') else {
            return Err(format!(
                "`--table {t}`: write MODEL=ACTUAL, e.g. orders=fact_orders"
            ));
        };
        names
            .rename
            .insert(model.trim().to_string(), actual.trim().to_string());
    }
    Ok(names)
}

/// Runs `kpic sql`.
pub fn run(args: Args) -> u8 {
    let paths = if args.catalog.is_empty() {
        vec![default_catalog()]
    } else {
        args.catalog.clone()
    };
    let checked = match kpic::check_paths(&paths) {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    if checked.error_count() > 0 {
        eprintln!(
            "error: the catalog has {} error(s); run `kpic check` to see them",
            checked.error_count()
        );
        return FAILED;
    }
    let names = match table_names(&args.schema, &args.tables) {
        Ok(n) => n,
        Err(e) => return usage_error(e),
    };
    if let Some(model) = names
        .rename
        .keys()
        .find(|m| !checked.catalog.tables.contains_key(*m))
    {
        return usage_error(format!(
            "`--table {model}=...`: the model has no table `{model}`"
        ));
    }
    if args.ddl {
        print!("{}", compile_ddl(&checked.catalog, args.dialect, &names));
        return OK;
    }
    let period = match Period::parse(&args.period, args.fiscal_year_start) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    let req = match request(
        &checked.catalog,
        &args.kpis,
        period,
        &args.by,
        args.per_account,
        &args.account,
        &args.filters,
        args.dialect,
        names,
    ) {
        Ok(r) => r,
        Err(e) => return usage_error(e),
    };
    match compile_query(&checked.catalog, &req) {
        Ok(sql) => {
            print!("{sql}");
            OK
        }
        Err(e) => usage_error(e),
    }
}
