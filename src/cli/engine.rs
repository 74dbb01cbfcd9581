//! `kpic eval --engine postgres|duckdb`: compile the request to SQL, run it where the
//! data lives, and print the rows exactly as the native engine prints its results.
//! The part every database shares (period, scope, table names, compile, results,
//! render) is [`run`]; a [`Database`] only says how to reach the engine. Without
//! `--period` the period is the native default, the latest complete year in the data,
//! found by a first query ([`kpic::sql::compile_latest_day`]).

use super::eval::{Args, Engine};
use super::{FAILED, usage_error};
use kpic::eval::{Period, QueryError};
use kpic::sql::{Dialect, SqlRequest, SqlRow, compile_latest_day, compile_query, to_results};
use std::path::{Path, PathBuf};

/// The environment variable naming the DuckDB command-line client.
pub const DUCKDB_ENV: &str = "KPIC_DUCKDB";

/// A database engine that runs the compiled query, and how to reach it.
pub enum Database {
    /// A PostgreSQL server.
    Postgres { url: String },
    /// A DuckDB database file, run by the DuckDB command-line client `program`.
    Duckdb { program: PathBuf, file: PathBuf },
}

impl Database {
    /// The database the flags name, or a message saying what is missing and how to
    /// fix it. `None` for the native engine.
    pub fn from_args(args: &Args) -> Option<Result<Database, String>> {
        match args.engine {
            Engine::Native => None,
            Engine::Postgres => Some(Ok(Database::Postgres {
                url: args.url.clone().unwrap_or_default(),
            })),
            Engine::Duckdb => Some(duckdb(args)),
        }
    }

    fn dialect(&self) -> Dialect {
        match self {
            Database::Postgres { .. } => Dialect::Postgres,
            Database::Duckdb { .. } => Dialect::Duckdb,
        }
    }

    fn query_number(&self, sql: &str) -> Result<Option<f64>, QueryError> {
        match self {
            Database::Postgres { url } => kpic::sql::postgres::query_number(url, sql),
            Database::Duckdb { program, file } => {
                kpic::sql::duckdb::query_number(program, file, sql)
            }
        }
    }

    fn query(&self, sql: &str) -> Result<Vec<SqlRow>, QueryError> {
        match self {
            Database::Postgres { url } => kpic::sql::postgres::query(url, sql),
            Database::Duckdb { program, file } => kpic::sql::duckdb::query(program, file, sql),
        }
    }
}

/// Runs the request of `args` in `db` and prints the results.
pub fn run(args: &Args, catalog: &kpic::Catalog, db: &Database) -> u8 {
    let engine = match db {
        Database::Postgres { .. } => "postgres",
        Database::Duckdb { .. } => "duckdb",
    };
    let (names, (scope, filters)) = match (args.tables.names(catalog), args.scope.resolve(catalog))
    {
        (Ok(n), Ok(s)) => (n, s),
        (Err(e), _) | (_, Err(e)) => return usage_error(e),
    };
    let fiscal_start = args.scope.fiscal_year_start;
    let period = match &args.period {
        Some(text) => match Period::parse(text, fiscal_start) {
            Ok(p) => p,
            Err(e) => return usage_error(e),
        },
        // As natively: the latest complete year in the data, asked of the database.
        None => {
            let latest = match compile_latest_day(catalog, db.dialect(), &names) {
                Some(sql) => match db.query_number(&sql) {
                    Ok(day) => day,
                    Err(e) => return database_error(db, &e),
                },
                None => None,
            };
            match latest.and_then(|day| Period::latest_complete_year(day, fiscal_start)) {
                Some(p) => p,
                None => {
                    return usage_error(format!(
                        "the database holds no complete year; give one with --period (`--engine {engine}`)"
                    ));
                }
            }
        }
    };
    let req = SqlRequest {
        kpis: args.kpis.clone(),
        period,
        scope,
        filters,
        dialect: db.dialect(),
        names,
    };
    let sql = match compile_query(catalog, &req) {
        Ok(s) => s,
        Err(e) => return usage_error(e),
    };
    match db.query(&sql) {
        Ok(rows) => {
            let results = to_results(
                catalog,
                rows,
                &period.label(),
                &period.previous().label(),
                req.scope,
            );
            super::eval::emit_results(&results, args.format)
        }
        Err(e) => database_error(db, &e),
    }
}

/// Prints what the database said (with a hint where it is about missing tables).
fn database_error(db: &Database, e: &QueryError) -> u8 {
    eprintln!("error: {e}");
    if matches!(db, Database::Duckdb { .. }) && e.0.contains("Catalog Error") {
        eprintln!(
            "help: the database must hold the model's tables (`kpic sql --ddl --dialect duckdb` \
             creates them); map other names with --table MODEL=ACTUAL or --schema SCHEMA"
        );
    }
    FAILED
}

/// `--engine duckdb`: an existing database file and a DuckDB client to open it with.
fn duckdb(args: &Args) -> Result<Database, String> {
    let file = args.database.clone().unwrap_or_default();
    if file.is_dir() {
        return Err(format!(
            "{}: is a folder, not a DuckDB database file (give one with --database FILE)",
            file.display()
        ));
    }
    if !file.is_file() {
        return Err(format!(
            "{}: no such DuckDB database file\n  \
             kpic opens the database read-only and never creates one; give an existing \
             file with --database FILE",
            file.display()
        ));
    }
    let env = std::env::var_os(DUCKDB_ENV).filter(|v| !v.is_empty());
    let program = match (&args.duckdb_cli, &env) {
        (Some(p), _) => find_program(p).ok_or_else(|| {
            format!(
                "`--duckdb-cli {}`: no such executable (`--engine duckdb` runs the DuckDB command-line client)\n{}",
                p.display(),
                INSTALL_HELP
            )
        })?,
        (None, Some(p)) => find_program(Path::new(p)).ok_or_else(|| {
            format!(
                "{DUCKDB_ENV}={}: no such executable (`--engine duckdb` runs the DuckDB command-line client)\n{}",
                p.to_string_lossy(),
                INSTALL_HELP
            )
        })?,
        (None, None) => find_program(Path::new("duckdb")).ok_or_else(|| {
            format!(
                "`--engine duckdb` runs the DuckDB command-line client, and `duckdb` is not on PATH\n{INSTALL_HELP}"
            )
        })?,
    };
    Ok(Database::Duckdb { program, file })
}

const INSTALL_HELP: &str = "  install it with `pip install duckdb-cli` (it puts a `duckdb` executable on PATH),\n  \
     or point kpic at it with --duckdb-cli PATH or the environment variable KPIC_DUCKDB";

/// An executable: a path as given, or a bare name looked up on PATH.
fn find_program(name: &Path) -> Option<PathBuf> {
    if name.components().count() > 1 {
        return is_executable(name).then(|| name.to_path_buf());
    }
    let exe = format!("{}{}", name.display(), std::env::consts::EXE_SUFFIX);
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(&exe))
        .find(|p| is_executable(p))
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}
