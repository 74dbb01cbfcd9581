//! Loading the evaluation corpus's cases into the databases: a DuckDB file per case and
//! a PostgreSQL schema per case (Spark is handed each case's dataset by `kpic eval
//! --engine spark --data` itself). The DDL always comes from `kpic sql --ddl`, as a user
//! would make it. See `corpus.rs` for the cases and the comparison.

#![allow(dead_code)] // each test of the corpus uses a different part

use super::corpus::{Case, kpic, path_text};
use std::path::Path;
use std::process::Command;

/// A CSV file's header and rows.
fn read_csv(path: &Path) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let header = reader
        .headers()
        .map_err(|e| format!("{}: {e}", path.display()))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for r in reader.records() {
        let r = r.map_err(|e| format!("{}: {e}", path.display()))?;
        rows.push(r.iter().map(str::to_string).collect());
    }
    Ok((header, rows))
}

fn sql_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Builds `file`, a DuckDB database of the case's tables (`kpic sql --ddl --dialect
/// duckdb`, then each CSV inserted by column name, every cell read as text and cast
/// by the table's types) with the DuckDB client `cli`.
pub fn duckdb_database(case: &Case, cli: &Path, file: &Path) -> Result<(), String> {
    let _ = std::fs::remove_file(file);
    let ddl = kpic(&[
        "sql".into(),
        "--ddl".into(),
        "--dialect".into(),
        "duckdb".into(),
        "--catalog".into(),
        path_text(&case.catalog()),
    ])?;
    let mut script = ddl;
    for t in case.tables() {
        let csv = std::fs::canonicalize(case.data().join(format!("{t}.csv")))
            .map_err(|e| format!("{t}.csv: {e}"))?;
        script.push_str(&format!(
            "INSERT INTO {} BY NAME SELECT * FROM read_csv({}, header = true, delim = ',', \
             quote = '\"', all_varchar = true);\n",
            quoted(&t),
            sql_string(&path_text(&csv))
        ));
    }
    let out = Command::new(cli)
        .arg(file)
        .arg("-bail")
        .arg("-c")
        .arg(&script)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", cli.display()))?;
    if out.status.success() && out.stderr.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "loading into DuckDB failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// The psql script that loads the case into a fresh schema `schema` (dropped first):
/// `kpic sql --ddl --dialect postgres --schema`, then `\copy` of each CSV by the
/// columns of its header (an empty cell is NULL).
pub fn postgres_script(case: &Case, schema: &str) -> Result<String, String> {
    let ddl = kpic(&[
        "sql".into(),
        "--ddl".into(),
        "--dialect".into(),
        "postgres".into(),
        "--schema".into(),
        schema.into(),
        "--catalog".into(),
        path_text(&case.catalog()),
    ])?;
    let mut script = format!(
        "DROP SCHEMA IF EXISTS {s} CASCADE;\nCREATE SCHEMA {s};\n{ddl}",
        s = quoted(schema)
    );
    for t in case.tables() {
        let csv = std::fs::canonicalize(case.data().join(format!("{t}.csv")))
            .map_err(|e| format!("{t}.csv: {e}"))?;
        let (header, _) = read_csv(&csv)?;
        let columns: Vec<String> = header.iter().map(|c| quoted(c)).collect();
        script.push_str(&format!(
            "\\copy {}.{} ({}) FROM {} WITH (FORMAT csv, HEADER true)\n",
            quoted(schema),
            quoted(&t),
            columns.join(", "),
            sql_string(&path_text(&csv))
        ));
    }
    Ok(script)
}
