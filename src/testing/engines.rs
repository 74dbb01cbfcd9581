//! Where `kpic test` runs a case: natively, or on a database the case's rows are put
//! into first (a DuckDB file or a PostgreSQL schema per case, Spark's views), so that
//! the database computes the case from the very cells the native loader validated.

use crate::data::Dataset;
use crate::engine::{Database, DatabaseKind, spark};
use crate::ir::Catalog;
use crate::sql::{Dialect, TableNames, compile_ddl};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The engine the cases run on (`kpic test --engine`).
pub enum TestEngine {
    /// kpic's own engine over the loaded rows.
    Native,
    /// The DuckDB command-line client `program`, on a database file made per case.
    Duckdb { program: PathBuf },
    /// The PostgreSQL server at `url`, in a schema made per case and dropped after.
    Postgres { url: String },
    /// A Spark session, the case's tables handed to it as views.
    Spark { session: Arc<spark::Session> },
}

impl TestEngine {
    /// The engine's name as `--engine` writes it.
    pub fn name(&self) -> &'static str {
        match self {
            TestEngine::Native => "native",
            TestEngine::Duckdb { .. } => "duckdb",
            TestEngine::Postgres { .. } => "postgres",
            TestEngine::Spark { .. } => "spark",
        }
    }

    /// The SQL dialect, or `None` natively.
    pub fn dialect(&self) -> Option<Dialect> {
        match self {
            TestEngine::Native => None,
            TestEngine::Duckdb { .. } => Some(Dialect::Duckdb),
            TestEngine::Postgres { .. } => Some(Dialect::Postgres),
            TestEngine::Spark { .. } => Some(Dialect::Spark),
        }
    }

    /// Puts `data` (loaded and checked natively from the case's folder `dir`) into the
    /// database; `None` natively. The returned database lives as long as the case.
    pub(super) fn load(
        &self,
        catalog: &Catalog,
        data: &Dataset,
        dir: &Path,
    ) -> Result<Option<Loaded>, String> {
        let written = || write_tables(catalog, data, dir);
        let (kind, names, schema) = match self {
            TestEngine::Native => return Ok(None),
            TestEngine::Duckdb { program } => {
                let file = dir.join("case.duckdb");
                duckdb_load(program, &file, catalog, &written()?)?;
                let kind = DatabaseKind::Duckdb {
                    program: program.clone(),
                    file,
                };
                (kind, TableNames::default(), None)
            }
            TestEngine::Postgres { url } => {
                let schema = fresh_schema();
                let names = TableNames {
                    schema: Some(schema.clone()),
                    ..TableNames::default()
                };
                // The schema is dropped on every way out, also when loading fails.
                let guard = SchemaGuard {
                    url: url.clone(),
                    schema: schema.clone(),
                };
                postgres_load(url, &names, catalog, &written()?)?;
                let kind = DatabaseKind::Postgres { url: url.clone() };
                (kind, names, Some(guard))
            }
            TestEngine::Spark { session } => {
                session
                    .load(catalog, data, &TableNames::default())
                    .map_err(|e| e.to_string())?;
                let kind = DatabaseKind::Spark {
                    session: Arc::clone(session),
                };
                (kind, TableNames::default(), None)
            }
        };
        Ok(Some(Loaded {
            db: Database { kind, names },
            _schema: schema,
        }))
    }
}

/// A database holding one case's rows.
pub(super) struct Loaded {
    pub db: Database,
    /// Drops the case's PostgreSQL schema when the case is done.
    _schema: Option<SchemaGuard>,
}

struct SchemaGuard {
    url: String,
    schema: String,
}

impl Drop for SchemaGuard {
    fn drop(&mut self) {
        // Best effort: a schema left behind holds only a test's few rows.
        if let Ok(mut client) = crate::engine::postgres::connect(&self.url) {
            let _ = client.batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {} CASCADE",
                Dialect::Postgres.ident(&self.schema)
            ));
        }
    }
}

/// A schema name no other case of this or another `kpic test` run uses.
fn fresh_schema() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "kpic_test_{}_{nanos}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A table with rows, written as CSV for a database to read.
struct WrittenTable {
    name: String,
    columns: Vec<String>,
    path: PathBuf,
}

/// Writes each loaded table with rows as `dir/db-TABLE.csv`, in the text Spark also
/// reads (`engine::spark_data`): money with its ten-thousandths, ISO dates, a missing
/// cell empty. Tables without rows are left to the `CREATE TABLE`s.
fn write_tables(
    catalog: &Catalog,
    data: &Dataset,
    dir: &Path,
) -> Result<Vec<WrittenTable>, String> {
    let mut out = Vec::new();
    for (name, table) in &data.tables {
        let Some(def) = catalog.tables.get(name) else {
            continue;
        };
        if table.rows == 0 {
            continue;
        }
        let path = dir.join(format!("db-{name}.csv"));
        crate::engine::spark_data::write_table(def, Some(table), &path)
            .map_err(|e| format!("cannot write the rows of `{name}` for the database: {e}"))?;
        let columns = table
            .columns
            .keys()
            .filter(|c| def.columns.contains_key(*c))
            .cloned()
            .collect();
        out.push(WrittenTable {
            name: name.clone(),
            columns,
            path,
        });
    }
    Ok(out)
}

/// Makes the DuckDB database `file`: the model's tables (`kpic sql --ddl`), then each
/// written table inserted by column name, every cell read as text and cast by the
/// column's type.
fn duckdb_load(
    program: &Path,
    file: &Path,
    catalog: &Catalog,
    tables: &[WrittenTable],
) -> Result<(), String> {
    let d = Dialect::Duckdb;
    let mut script = compile_ddl(catalog, d, &TableNames::default());
    for t in tables {
        // The client reads its input line by line, and a line starting with `.` is a
        // client command: no path with a line break is ever sent. (Safe mode, which
        // queries run in, would forbid reading the files.)
        if t.path.to_string_lossy().contains(['\n', '\r']) {
            return Err(format!(
                "the temporary folder's path {} holds a line break",
                t.path.display()
            ));
        }
        script.push_str(&format!(
            "INSERT INTO {} BY NAME SELECT * FROM read_csv({}, header = true, delim = ',', \
             quote = '\"', escape = '\"', all_varchar = true);\n",
            d.ident(&t.name),
            d.string(&t.path.to_string_lossy())
        ));
    }
    let no_init = if cfg!(windows) { "NUL" } else { "/dev/null" };
    let mut child = Command::new(program)
        .args(["-init", no_init, "-bail"])
        .arg(file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run the DuckDB client {}: {e}", program.display()))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(script.as_bytes())
            .map_err(|e| format!("cannot send the rows to DuckDB: {e}"))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("the DuckDB client {} failed: {e}", program.display()))?;
    if out.status.success() && out.stderr.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "DuckDB could not load the case's rows:\n{}",
            String::from_utf8_lossy(&out.stderr).trim_end()
        ))
    }
}

/// Makes the case's schema at `url`: the model's tables in it, then each written
/// table copied in by its columns (an empty cell is NULL).
fn postgres_load(
    url: &str,
    names: &TableNames,
    catalog: &Catalog,
    tables: &[WrittenTable],
) -> Result<(), String> {
    let d = Dialect::Postgres;
    let mut client = crate::engine::postgres::connect(url).map_err(|e| e.to_string())?;
    let schema = names.schema.as_deref().unwrap_or_default();
    let ddl = format!(
        "CREATE SCHEMA {};\n{}",
        d.ident(schema),
        compile_ddl(catalog, d, names)
    );
    let refused = |e: postgres::Error| format!("PostgreSQL could not load the case's rows: {e}");
    client.batch_execute(&ddl).map_err(refused)?;
    for t in tables {
        let columns: Vec<String> = t.columns.iter().map(|c| d.ident(c)).collect();
        let copy = format!(
            "COPY {} ({}) FROM STDIN WITH (FORMAT csv, HEADER true)",
            names.qualified(d, &t.name),
            columns.join(", ")
        );
        let bytes =
            std::fs::read(&t.path).map_err(|e| format!("cannot read {}: {e}", t.path.display()))?;
        let mut writer = client.copy_in(&copy).map_err(refused)?;
        writer
            .write_all(&bytes)
            .map_err(|e| format!("cannot send the rows of `{}` to PostgreSQL: {e}", t.name))?;
        writer.finish().map_err(refused)?;
    }
    Ok(())
}
