//! Parquet round trips: `kpic convert` of the example dataset and of every corpus
//! case's data, evaluated from CSV and from Parquet with identical results, and the
//! written files read by DuckDB's `read_parquet` give the same KPIs there.

use crate::support::cli::{kpic, kpic_with_env};
use crate::support::corpus::{self, cases, compare, path_text};
use crate::support::duckdb;
use std::path::Path;
use std::process::Command;

/// `kpic convert --data DATA --out OUT [--catalog CATALOG]`, which must succeed.
fn convert(data: &Path, out: &Path, catalog: Option<&Path>) {
    let mut args = vec![
        "convert".to_string(),
        "--data".into(),
        path_text(data),
        "--out".into(),
        path_text(out),
    ];
    if let Some(c) = catalog {
        args.extend(["--catalog".into(), path_text(c)]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, _, err) = kpic(&args);
    assert_eq!(code, 0, "kpic {args:?}: {err}");
}

#[test]
fn the_example_dataset_gives_the_same_results_from_parquet() {
    let dir = tempfile::tempdir().expect("temp dir");
    convert(Path::new("examples/data"), dir.path(), None);
    let pq = path_text(dir.path());
    for extra in [
        &[][..],
        &["--period", "2025"][..],
        &["--period", "2025-Q3", "--by", "industry"][..],
        &[
            "--period",
            "2025",
            "--every",
            "quarter",
            "--compare",
            "year-ago",
        ][..],
        &["--period", "2025-H2", "--per-account"][..],
    ] {
        for format in ["table", "json"] {
            let base: Vec<&str> = [&["eval", "--format", format][..], extra].concat();
            let csv = [&base[..], &["--data", "examples/data"]].concat();
            let parquet = [&base[..], &["--data", &pq]].concat();
            let (c1, from_csv, e1) = kpic(&csv);
            let (c2, from_parquet, e2) = kpic(&parquet);
            assert_eq!((c1, c2), (0, 0), "{extra:?}: {e1} {e2}");
            assert_eq!(from_csv, from_parquet, "{extra:?} {format}");
        }
    }
}

#[test]
fn every_corpus_case_gives_its_hand_values_from_parquet() {
    let root = tempfile::tempdir().expect("temp dir");
    let mut failures = Vec::new();
    for case in cases() {
        let out = root.path().join(&case.name);
        convert(&case.data(), &out, Some(&case.catalog()));
        let from_csv = corpus::eval(&case, &["--data".into(), path_text(&case.data())]);
        let from_parquet = corpus::eval(&case, &["--data".into(), path_text(&out)]);
        match (from_csv, from_parquet) {
            (Ok(csv), Ok(parquet)) => {
                let wrong = compare(&case, "native", &parquet);
                if !wrong.is_empty() {
                    failures.push(format!("{}: {}", case.name, wrong.join("; ")));
                }
                if format!("{:?}", csv.rows) != format!("{:?}", parquet.rows) {
                    failures.push(format!("{}: CSV and Parquet results differ", case.name));
                }
            }
            (a, b) => failures.push(format!("{}: {:?} / {:?}", case.name, a.err(), b.err())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The example dataset converted, loaded into a DuckDB file with `read_parquet` (the
/// types as written: DECIMAL(18,4), DATE, TIMESTAMP, VARCHAR), and `kpic eval --engine
/// duckdb` on it printing what the native engine prints from the same Parquet files.
#[test]
fn duckdb_reads_the_written_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pq = dir.path().join("parquet");
    convert(Path::new("examples/data"), &pq, None);
    let (code, ddl, err) = kpic(&["sql", "--ddl", "--dialect", "duckdb"]);
    assert_eq!(code, 0, "kpic sql --ddl: {err}");
    let mut script = format!("{ddl}\n");
    let checked = kpic::check_paths(&["kpis".into()]).expect("catalog");
    for table in checked.catalog.tables.keys() {
        let file = pq.join(format!("{table}.parquet"));
        script.push_str(&format!(
            "INSERT INTO \"{table}\" BY NAME SELECT * FROM read_parquet('{}');\n",
            path_text(&file).replace('\'', "''")
        ));
    }
    let db = dir.path().join("example.duckdb");
    let mut child = Command::new(duckdb::cli())
        .arg(&db)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the DuckDB client runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(script.as_bytes())
        .expect("write the load script");
    let out = child.wait_with_output().expect("the DuckDB client ends");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "DuckDB could not read the Parquet files:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli = duckdb::cli();
    let cli = path_text(&cli);
    let db = path_text(&db);
    let pq = path_text(&pq);
    for period in ["2025", "2025-Q4"] {
        let (c1, native, e1) = kpic(&["eval", "--period", period, "--data", &pq]);
        let (c2, on_duckdb, e2) = kpic_with_env(
            &[
                "eval",
                "--period",
                period,
                "--engine",
                "duckdb",
                "--database",
                &db,
            ],
            &[("KPIC_DUCKDB", &cli)],
        );
        assert_eq!((c1, c2), (0, 0), "{e1} {e2}");
        assert_eq!(native, on_duckdb, "{period}");
    }
}
