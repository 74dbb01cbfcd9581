//! DuckDB for the tests: its Python package and its command-line client (the PyPI
//! package `duckdb-cli`), installed by the test set-up into one virtual environment
//! under `target/`. The differential tests drive the Python package with a small
//! script that loads a dataset and runs one query; `kpic eval --engine duckdb` runs
//! the client ([`cli`]). A failure to install or run fails the test loudly; nothing
//! is skipped.

use super::python;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const DRIVER: &str = r#"
import duckdb, json, sys
ddl, query, data = open(sys.argv[1]).read(), open(sys.argv[2]).read(), sys.argv[3]
con = duckdb.connect()
con.execute(ddl)
import re
for t in re.findall(r'CREATE TABLE "([^"]+)"', ddl):
    con.execute(f"INSERT INTO \"{t}\" SELECT * FROM read_csv('{data}/{t}.csv', header=true, all_varchar=true)")
rows = con.execute(query).fetchall()
print(json.dumps([[r[0], r[1], r[2], None if r[3] is None else float(r[3]), None if r[4] is None else float(r[4])] for r in rows]))
"#;

/// One result row: kpi, group, breakdown, value, previous.
pub type Row = (String, String, Option<String>, Option<f64>, Option<f64>);

/// The pinned versions: the Python package of the differential tests, and the
/// command-line client that `kpic eval --engine duckdb` runs.
const PACKAGES: [&str; 2] = ["duckdb==1.1.3", "duckdb-cli==1.5.6"];
const CLI_VERSION: &str = "v1.5.6";

/// The folder of the virtual environment, under `target/`.
const VENV: &str = "kpic-test-duckdb";

/// The venv's Python with both packages installed (checked once per test process).
fn python() -> &'static PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| python::venv(VENV, &PACKAGES))
}

/// The DuckDB command-line client (`duckdb-cli` from PyPI, installed on first use),
/// as a user gets it from `pip install duckdb-cli`.
pub fn cli() -> PathBuf {
    let cli = python().with_file_name("duckdb");
    let version = Command::new(&cli).arg("--version").output();
    assert!(
        version
            .as_ref()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).starts_with(CLI_VERSION)),
        "the DuckDB client at {} is not {CLI_VERSION}: {version:?}",
        cli.display()
    );
    cli
}

/// Loads `data` (one CSV per table) into a fresh in-memory DuckDB with `ddl`, runs
/// `query`, and returns the rows (kpi, grp, breakdown, value, previous).
pub fn run(ddl: &str, query: &str, data: &Path) -> Vec<Row> {
    // Removed when dropped, also when this function panics.
    let temp = tempfile::Builder::new()
        .prefix("kpic-duckdb-")
        .tempdir()
        .expect("temp dir");
    let dir = temp.path();
    let (d, q, s) = (
        dir.join("ddl.sql"),
        dir.join("query.sql"),
        dir.join("driver.py"),
    );
    std::fs::write(&d, ddl).expect("write ddl");
    std::fs::write(&q, query).expect("write query");
    std::fs::write(&s, DRIVER).expect("write driver");
    let out = Command::new(python())
        .arg(&s)
        .arg(&d)
        .arg(&q)
        .arg(data)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "DuckDB failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("driver prints JSON rows")
}
