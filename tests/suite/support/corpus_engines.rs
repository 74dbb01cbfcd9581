//! The one per-engine loop over corpus cases: each case's data put where an engine reads
//! it (nothing for native and Spark, a DuckDB file, a PostgreSQL schema) and the
//! `kpic eval` flags that select the engine, shared by the corpus and the tests that
//! run one case on every engine.

#![allow(dead_code)] // each test of the corpus uses a different engine

use super::corpus::{Case, path_text};
use super::{corpus_load, duckdb, postgres, spark};
use std::path::PathBuf;

/// An engine of `kpic eval`, with what it needs started or found once for many cases.
pub enum Engine {
    /// The native evaluator over the case's CSV files.
    Native,
    /// A DuckDB file per case in a temporary folder, through the DuckDB client `cli`.
    DuckDb {
        cli: PathBuf,
        dir: tempfile::TempDir,
    },
    /// A schema per case, named by `prefix` and the case, on the shared server.
    Postgres {
        server: &'static postgres::TestPostgres,
        prefix: String,
    },
    /// The shared Spark session, handed each case's dataset by `kpic eval` itself.
    Spark { socket: String },
}

impl Engine {
    /// The native engine.
    pub fn native() -> Engine {
        Engine::Native
    }

    /// DuckDB, its files in a temporary folder whose name starts with `prefix`.
    pub fn duckdb(prefix: &str) -> Engine {
        let dir = tempfile::Builder::new()
            .prefix(prefix)
            .tempdir()
            .expect("temp dir");
        Engine::DuckDb {
            cli: duckdb::cli(),
            dir,
        }
    }

    /// PostgreSQL, each case in the schema `{prefix}{case}` (a prefix per test, since
    /// tests share the server and run at once).
    pub fn postgres(prefix: &str) -> Engine {
        Engine::Postgres {
            server: postgres::shared(),
            prefix: prefix.to_string(),
        }
    }

    /// Spark, through the session shared by the test process.
    pub fn spark() -> Engine {
        Engine::Spark {
            socket: spark::shared_session(),
        }
    }

    /// The engine's name, as the corpus's verdict names it.
    pub fn name(&self) -> &'static str {
        match self {
            Engine::Native => "native",
            Engine::DuckDb { .. } => "duckdb",
            Engine::Postgres { .. } => "postgres",
            Engine::Spark { .. } => "spark",
        }
    }

    /// Puts the case's data where the engine reads it, calls `run` with the `kpic eval`
    /// flags that select the engine and that data, then removes what it made (a
    /// PostgreSQL schema; DuckDB files go with the folder).
    pub fn run<T>(
        &self,
        case: &Case,
        run: impl FnOnce(&[String]) -> Result<T, String>,
    ) -> Result<T, String> {
        match self {
            Engine::Native => run(&["--data".to_string(), path_text(&case.data())]),
            Engine::DuckDb { cli, dir } => {
                let file = dir.path().join(format!("{}.duckdb", case.name));
                corpus_load::duckdb_database(case, cli, &file)?;
                let flags = [
                    "--engine",
                    "duckdb",
                    "--database",
                    &path_text(&file),
                    "--duckdb-cli",
                    &path_text(cli),
                ]
                .map(String::from);
                run(&flags)
            }
            Engine::Postgres { server, prefix } => {
                let schema = format!("{prefix}{}", case.name);
                let outcome = corpus_load::postgres_script(case, &schema)
                    .and_then(|script| server.try_psql(&script))
                    .and_then(|_| {
                        let flags = [
                            "--engine",
                            "postgres",
                            "--url",
                            &server.url,
                            "--schema",
                            &schema,
                        ]
                        .map(String::from);
                        run(&flags)
                    });
                let _ = server.try_psql(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE;"));
                outcome
            }
            Engine::Spark { socket } => {
                let flags = [
                    "--data",
                    &path_text(&case.data()),
                    "--engine",
                    "spark",
                    "--spark-session",
                    socket,
                ]
                .map(String::from);
                run(&flags)
            }
        }
    }
}
