//! Loading the evaluation corpus's cases into the databases: a DuckDB file per case, a
//! PostgreSQL schema per case, and every case's tables as Spark views of one session;
//! and reading back Spark's rows. The DDL always comes from `kpic sql --ddl`, as a user
//! would make it. See `corpus.rs` for the cases and the comparison.

#![allow(dead_code)] // each test of the corpus uses a different part

use super::corpus::{Case, Cell, Results, Tally, kpic, path_text, show_key};
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

/// Spark: the model tables of every case as views `<case>__<table>`, so one session
/// runs the whole corpus.
pub struct SparkCorpus {
    /// Every case's `CREATE TABLE` statements, concatenated.
    pub ddl: String,
    /// Per case: its query (`kpic sql --dialect spark`), or why there is none.
    pub queries: Vec<Result<String, String>>,
}

/// Writes every case's CSVs into `dir` as `<case>__<table>.csv` with the columns in the
/// order of the Spark DDL (Spark reads CSVs by position) and compiles each case's
/// query. A case without a period has no Spark query: `kpic sql` has no default
/// period to ask the data for.
pub fn spark_corpus(cases: &[Case], dir: &Path) -> Result<SparkCorpus, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut all = SparkCorpus {
        ddl: String::new(),
        queries: Vec::new(),
    };
    for case in cases {
        let mut names = Vec::new();
        for t in case.tables() {
            names.extend(["--table".to_string(), format!("{t}={}__{t}", case.name)]);
        }
        let catalog = ["--catalog".to_string(), path_text(&case.catalog())];
        let ddl = kpic(
            &[
                &[
                    "sql".into(),
                    "--ddl".into(),
                    "--dialect".into(),
                    "spark".into(),
                ][..],
                &catalog,
                &names,
            ]
            .concat(),
        )?;
        for (view, columns) in spark_tables(&ddl) {
            let table = view
                .strip_prefix(&format!("{}__", case.name))
                .ok_or(format!("{}: the Spark DDL names {view}", case.name))?;
            let (header, rows) = read_csv(&case.data().join(format!("{table}.csv")))?;
            let mut w = csv::Writer::from_path(dir.join(format!("{view}.csv")))
                .map_err(|e| format!("{view}.csv: {e}"))?;
            let at: Vec<usize> = columns
                .iter()
                .map(|c| {
                    header
                        .iter()
                        .position(|h| h == c)
                        .ok_or(format!("{}: {table}.csv has no column `{c}`", case.name))
                })
                .collect::<Result<_, _>>()?;
            let write = |w: &mut csv::Writer<std::fs::File>, rec: Vec<&str>| {
                w.write_record(rec).map_err(|e| format!("{view}.csv: {e}"))
            };
            write(&mut w, columns.iter().map(String::as_str).collect())?;
            for r in &rows {
                write(&mut w, at.iter().map(|i| r[*i].as_str()).collect())?;
            }
            w.flush().map_err(|e| format!("{view}.csv: {e}"))?;
        }
        all.ddl.push_str(&ddl);
        all.queries.push(if case.request.period.is_none() {
            Err("no period: `kpic sql` has no default period".into())
        } else {
            kpic(
                &[
                    &["sql".into(), "--dialect".into(), "spark".into()][..],
                    &case.request_args(),
                    &names,
                ]
                .concat(),
            )
        });
    }
    Ok(all)
}

/// (view, columns in order) of each `CREATE TABLE` of a Spark DDL.
fn spark_tables(ddl: &str) -> Vec<(String, Vec<String>)> {
    let mut tables: Vec<(String, Vec<String>)> = Vec::new();
    for line in ddl.lines() {
        if let Some(rest) = line.strip_prefix("CREATE TABLE `") {
            let name = rest.split('`').next().unwrap_or_default();
            tables.push((name.to_string(), Vec::new()));
        } else if let (Some(rest), Some(t)) = (line.strip_prefix("  `"), tables.last_mut()) {
            t.1.push(rest.split('`').next().unwrap_or_default().to_string());
        }
    }
    tables
}

/// A row of the Spark runner (`spark::Row`).
pub type SparkRow = super::spark::Row;

/// Results from Spark's rows (no period labels: the query has none).
pub fn spark_results(rows: Vec<SparkRow>) -> Result<Results, String> {
    let cell = |v: Option<String>, r: Option<String>| match v {
        Some(v) => Cell::Exact(v),
        None => Cell::Missing {
            missing: r.unwrap_or_default(),
        },
    };
    let mut results = Results::default();
    for (k, g, b, v, p, vr, pr, period, grouping, counted, skipped) in rows {
        let key = (k, g, b, period, grouping);
        if results.rows.contains_key(&key) {
            return Err(format!("{} is returned twice", show_key(&key)));
        }
        let whole = |t: &Option<String>| t.as_deref().and_then(|t| t.trim().parse::<u64>().ok());
        if let (Some(counted), Some(skipped)) = (whole(&counted), whole(&skipped)) {
            results
                .members
                .insert(key.clone(), Tally { counted, skipped });
        }
        results.rows.insert(key, (cell(v, vr), cell(p, pr)));
    }
    Ok(results)
}
