//! The flags that reach a database engine, shared by `kpic eval`, `kpic test` and
//! `kpic diff`: PostgreSQL's URL, the DuckDB client, Spark's Python, master, settings
//! and session, each falling back on kpic.toml's `[engine]` where it has a setting;
//! and the database an `--engine` names, set up once for every command.

use super::eval::Engine;
use kpic::engine::{self, Database, DatabaseKind};
use kpic::sql::TableNames;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How to reach the database engines.
#[derive(Debug, clap::Args)]
pub struct EngineArgs {
    /// Connection URL for `--engine postgres`, e.g. postgresql://user@host:5432/db
    /// (default: `postgres_url` in kpic.toml's `[engine]`).
    #[arg(long)]
    pub url: Option<String>,
    /// The DuckDB command-line client for `--engine duckdb` (default: `duckdb_cli` in
    /// kpic.toml's `[engine]`, else $KPIC_DUCKDB, else `duckdb` on PATH; `pip install
    /// duckdb-cli` installs it).
    #[arg(long, value_name = "PATH")]
    pub duckdb_cli: Option<PathBuf>,
    /// The Python that runs Spark for `--engine spark`; it must be able to `import
    /// pyspark` (default: $KPIC_SPARK_PYTHON, else `python3` on PATH; `pip install
    /// pyspark` installs PySpark, which needs Java: JAVA_HOME or `java` on PATH).
    #[arg(long, value_name = "PATH")]
    pub spark_python: Option<PathBuf>,
    /// Where `--engine spark` runs: `local[*]` (this machine, every core),
    /// `spark://host:7077`, `yarn`, or `sc://host:15002` (Spark Connect, with
    /// `pip install pyspark[connect]`).
    #[arg(long, value_name = "URL", default_value = kpic::engine::spark::DEFAULT_MASTER)]
    pub spark_master: String,
    /// A Spark setting for `--engine spark`, e.g. `--spark-conf spark.driver.memory=8g`
    /// (repeatable).
    #[arg(long, value_name = "KEY=VALUE")]
    pub spark_conf: Vec<String>,
    /// A Spark session shared by several runs (the test suite's batch mode): the Unix
    /// socket of a driver started by `engine::spark::Session::serve`.
    #[arg(long, value_name = "SOCKET", hide = true)]
    pub spark_session: Option<PathBuf>,
}

impl EngineArgs {
    /// The PostgreSQL URL: the flag, else kpic.toml's.
    pub fn postgres_url(&self) -> Result<String, String> {
        // Read (and any error in it reported) before the catalog was loaded.
        let project = super::project_args::current().ok().flatten();
        self.url
            .clone()
            .or_else(|| project.and_then(|p| p.postgres_url.clone()))
            .ok_or_else(|| {
                "`--engine postgres` needs `--url postgresql://USER@HOST:PORT/DB` \
                 (or `postgres_url` under `[engine]` in kpic.toml)"
                    .into()
            })
    }

    /// The DuckDB client: the flag, else kpic.toml's, else $KPIC_DUCKDB or PATH.
    pub fn duckdb_client(&self) -> Result<PathBuf, String> {
        let project = super::project_args::current().ok().flatten();
        let configured = project.and_then(|p| p.duckdb_cli.clone());
        engine::duckdb::locate_client(self.duckdb_cli.as_deref().or(configured.as_deref()))
    }

    /// The Spark session the flags describe: started here, or a shared one attached to.
    pub fn spark_session(&self) -> Result<engine::spark::Session, String> {
        if let Some(socket) = &self.spark_session {
            return engine::spark::Session::attach(socket);
        }
        let mut conf = Vec::new();
        for kv in &self.spark_conf {
            let Some((k, v)) = kv.split_once('=') else {
                return Err(format!("`--spark-conf {kv}`: write KEY=VALUE"));
            };
            conf.push((k.trim().to_string(), v.to_string()));
        }
        let settings = engine::spark::Settings {
            python: engine::spark::locate_python(self.spark_python.as_deref())?,
            master: self.spark_master.clone(),
            conf,
            java_home: None,
        };
        engine::spark::Session::start(&settings)
    }
}

impl EngineArgs {
    /// The database `engine` names (`postgres`, `duckdb`, or `spark` with a session
    /// started here), reached as the flags say; `file` is `--database`, DuckDB's file.
    /// Errors say which flag is missing.
    pub fn database_kind(
        &self,
        engine: Engine,
        file: Option<&Path>,
    ) -> Result<DatabaseKind, String> {
        Ok(match engine {
            Engine::Postgres => DatabaseKind::Postgres {
                url: self.postgres_url()?,
            },
            Engine::Spark => DatabaseKind::Spark {
                session: self.spark_session()?.into(),
            },
            _ => {
                let file = file.map(Path::to_path_buf).unwrap_or_default();
                engine::duckdb::check_file(&file)?;
                let program = self.duckdb_client()?;
                DatabaseKind::Duckdb { program, file }
            }
        })
    }
}

/// A Spark database holding `data` (loaded and checked natively) as its tables,
/// loaded into `session`.
pub fn spark_with_data(
    session: Arc<engine::spark::Session>,
    catalog: &kpic::Catalog,
    data: &kpic::data::Dataset,
    names: TableNames,
) -> Result<Database, String> {
    session
        .load(catalog, data, &names)
        .map_err(|e| e.to_string())?;
    Ok(Database {
        kind: DatabaseKind::Spark { session },
        names,
    })
}
