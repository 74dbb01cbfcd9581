//! `kpic eval --engine duckdb --database FILE` as a user runs it: a DuckDB file built
//! from the example dataset with the DuckDB command-line client (installed by the test
//! set-up, `tests/suite/support/duckdb.rs`), and the same command with and without the
//! engine printing the same results. Plus the errors: no client, no database file, a
//! table missing in the database.

use crate::support::cli::kpic_with_env;
use crate::support::duckdb;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The example dataset in a DuckDB file, built once per test run: tables in schema
/// `sales`, and `orders` stored as `fact_orders`, so every run needs
/// [`MAPPING`] (and exercises it).
pub(crate) fn database() -> &'static Path {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/kpic-test-duckdb-engine");
        std::fs::create_dir_all(&dir).expect("create the database folder");
        let file = dir.join("example.duckdb");
        let _ = std::fs::remove_file(&file);
        let (code, ddl, err) = kpic_with_env(
            &[
                &["sql", "--ddl", "--dialect", "duckdb"][..],
                MAPPING,
            ]
            .concat(),
            &[],
        );
        assert_eq!(code, 0, "kpic sql --ddl: {err}");
        let mut script = format!("CREATE SCHEMA sales;\n{ddl}\n");
        let data = std::fs::canonicalize("examples/data").expect("examples/data");
        let checked = kpic::check_paths(&["kpis".into()]).expect("catalog");
        for table in checked.catalog.tables.keys() {
            let stored = if table == "orders" {
                "fact_orders"
            } else {
                table
            };
            let csv = data.join(format!("{table}.csv"));
            script.push_str(&format!(
                "INSERT INTO sales.\"{stored}\" BY NAME SELECT * FROM read_csv('{}', header = true, all_varchar = true);\n",
                csv.display().to_string().replace('\'', "''")
            ));
        }
        let mut child = Command::new(duckdb::cli())
            .arg(&file)
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
            "loading the example dataset into DuckDB failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        file
    })
}

/// Where the test database keeps the model's tables.
pub(crate) const MAPPING: &[&str] = &["--schema", "sales", "--table", "orders=fact_orders"];

/// `kpic eval ARGS` natively over examples/data, and with `--engine duckdb` on the test
/// database (the client found through KPIC_DUCKDB); both must succeed.
fn native_and_duckdb(args: &[&str]) -> (String, String) {
    let (code, native, err) = kpic_with_env(&[&["eval"][..], args].concat(), &[]);
    assert_eq!(code, 0, "native {args:?}: {err}");
    let db = database().to_str().expect("UTF-8 path");
    let cli = duckdb::cli();
    let (code, duck, err) = kpic_with_env(
        &[
            &["eval", "--engine", "duckdb", "--database", db][..],
            MAPPING,
            args,
        ]
        .concat(),
        &[("KPIC_DUCKDB", cli.to_str().expect("UTF-8 path"))],
    );
    assert_eq!(code, 0, "duckdb {args:?}: {err}");
    assert!(err.is_empty(), "duckdb {args:?} printed to stderr: {err}");
    (native, duck)
}

/// Values shown rounded (table, markdown) are the native engine's to the last byte.
/// Both engines sum money exactly (the native engine in integer ten-thousandths, also
/// through `revenue - cost`; DuckDB in DECIMAL) and divide once in double precision, so
/// even a value at an exact half cent (gross_margin_per_account of the developing tier
/// in EMEA for 2025-Q4: 7,470.835) rounds the same way.
#[test]
fn table_output_is_the_native_output_byte_for_byte() {
    for args in [
        // No period: the latest complete year, which kpic asks the database for.
        &[][..],
        &["--fiscal-year-start", "7"],
        &["--period", "2025"],
        &["--period", "2025", "--per-account"],
        &["--period", "2025", "--by", "tier", "--where", "region=EMEA"],
        &[
            "--period",
            "2025-Q4",
            "--by",
            "tier",
            "--where",
            "region=EMEA",
        ],
        &["--period", "2025", "--by", "industry"],
        &["--period", "2025-Q4", "--account", "A101"],
        &["--period", "2025-02-10..2025-05-20", "--format", "markdown"],
    ] {
        let (native, duck) = native_and_duckdb(args);
        assert!(native.lines().count() > 50, "{native}");
        let differing: Vec<String> = native
            .lines()
            .zip(duck.lines())
            .filter(|(a, b)| a != b)
            .map(|(a, b)| format!("native: {a}\nduckdb: {b}"))
            .collect();
        assert!(differing.is_empty(), "{args:?}:\n{}", differing.join("\n"));
        assert_eq!(native, duck, "{args:?}");
    }
}

/// Two numbers from two engines: equal to 1e-9 relative. Sums of plain numbers (hours,
/// scores) are f64 in both, added in a different order, so the last digits of a
/// full-precision number can differ.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn csv_by_industry_matches_native() {
    let (native, duck) =
        native_and_duckdb(&["--period", "2025", "--by", "industry", "--format", "csv"]);
    let read = |text: &str| -> Vec<csv::StringRecord> {
        csv::Reader::from_reader(text.as_bytes())
            .records()
            .collect::<Result<_, _>>()
            .expect("CSV")
    };
    let (n, d) = (read(&native), read(&duck));
    assert!(n.len() > 200, "{native}");
    assert_eq!(n.len(), d.len());
    for (a, b) in n.iter().zip(&d) {
        // kpi, group, breakdown, unit; value, previous, change; missing reason.
        assert_eq!(
            a.iter().take(4).collect::<Vec<_>>(),
            b.iter().take(4).collect::<Vec<_>>()
        );
        assert_eq!(a.get(7), b.get(7), "{a:?} / {b:?}");
        for i in 4..7 {
            match (a[i].parse::<f64>(), b[i].parse::<f64>()) {
                (Ok(x), Ok(y)) => assert!(close(x, y), "{a:?} / {b:?}"),
                _ => assert_eq!(a[i], b[i], "{a:?} / {b:?}"),
            }
        }
    }
}

#[test]
fn json_matches_native_including_missing_values_and_reasons() {
    let (native, duck) = native_and_duckdb(&["--period", "2025", "--format", "json"]);
    let n: serde_json::Value = serde_json::from_str(&native).expect("JSON");
    let d: serde_json::Value = serde_json::from_str(&duck).expect("JSON");
    let mut differences = Vec::new();
    same_json(&n, &d, "$", &mut differences);
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    // The dataset has missing values, and their reasons came from DuckDB.
    assert!(duck.contains("\"missing\""), "{duck}");
}

/// Equal JSON, numbers to 1e-9 relative.
fn same_json(a: &serde_json::Value, b: &serde_json::Value, at: &str, out: &mut Vec<String>) {
    use serde_json::Value::*;
    match (a, b) {
        (Number(x), Number(y)) => {
            if !close(
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            ) {
                out.push(format!("{at}: {x} / {y}"));
            }
        }
        (Array(x), Array(y)) if x.len() == y.len() => {
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                same_json(x, y, &format!("{at}[{i}]"), out);
            }
        }
        (Object(x), Object(y)) if x.keys().eq(y.keys()) => {
            for (k, x) in x {
                same_json(x, &y[k], &format!("{at}.{k}"), out);
            }
        }
        _ if a == b => {}
        _ => out.push(format!("{at}: {a} / {b}")),
    }
}

#[test]
fn the_client_is_found_by_flag_and_by_path() {
    let db = database().to_str().expect("UTF-8 path");
    let cli = duckdb::cli();
    let args = [
        &[
            "eval",
            "--engine",
            "duckdb",
            "--database",
            db,
            "--period",
            "2025",
            "win_rate",
        ][..],
        MAPPING,
    ]
    .concat();
    let (code, by_flag, err) = kpic_with_env(
        &[
            &args[..],
            &["--duckdb-cli", cli.to_str().expect("UTF-8 path")],
        ]
        .concat(),
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert!(by_flag.contains("win_rate"), "{by_flag}");
    let dir = cli
        .parent()
        .expect("bin folder")
        .to_str()
        .expect("UTF-8 path");
    let (code, on_path, err) = kpic_with_env(&args, &[("PATH", dir)]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(by_flag, on_path);
}

#[test]
fn no_client_is_a_clear_usage_error() {
    let db = database().to_str().expect("UTF-8 path");
    let temp = tempfile::tempdir().expect("empty folder");
    let empty = temp.path();
    let args = [
        "eval",
        "--engine",
        "duckdb",
        "--database",
        db,
        "--period",
        "2025",
    ];
    let (code, out, err) = kpic_with_env(&args, &[("PATH", empty.to_str().expect("UTF-8 path"))]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    insta::assert_snapshot!("no_client_on_path", err);

    let (code, _, err) = kpic_with_env(
        &[&args[..], &["--duckdb-cli", "no/such/duckdb"]].concat(),
        &[],
    );
    assert_eq!(code, 2, "{err}");
    insta::assert_snapshot!("no_client_at_flag", err);

    let (code, _, err) = kpic_with_env(&args, &[("KPIC_DUCKDB", "/no/such/duckdb")]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("KPIC_DUCKDB=/no/such/duckdb: no such executable"),
        "{err}"
    );
}

#[test]
fn a_missing_database_file_is_a_usage_error_and_is_not_created() {
    let missing = "target/kpic-test-duckdb-engine/no-such.duckdb";
    let (code, out, err) = kpic_with_env(
        &[
            "eval",
            "--engine",
            "duckdb",
            "--database",
            missing,
            "--period",
            "2025",
        ],
        &[("KPIC_DUCKDB", duckdb::cli().to_str().expect("UTF-8 path"))],
    );
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    insta::assert_snapshot!("missing_database", err);
    assert!(!Path::new(env!("CARGO_MANIFEST_DIR")).join(missing).exists());

    let (code, _, err) = kpic_with_env(&["eval", "--engine", "duckdb", "--period", "2025"], &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--database <FILE>"), "{err}");
}

#[test]
fn a_table_missing_in_the_database_names_the_file_and_the_table() {
    let db = database().to_str().expect("UTF-8 path");
    // Without `--table orders=fact_orders` the query reads sales.orders, which the
    // database does not have.
    let (code, out, err) = kpic_with_env(
        &[
            "eval",
            "--engine",
            "duckdb",
            "--database",
            db,
            "--schema",
            "sales",
            "--period",
            "2025",
            "win_rate",
            "average_order_value",
        ],
        &[("KPIC_DUCKDB", duckdb::cli().to_str().expect("UTF-8 path"))],
    );
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty(), "{out}");
    // DuckDB's own message (with the line of the query) follows kpic's first line; it
    // is not snapshotted so that a change in the generated SQL's layout does not
    // break this test.
    assert!(
        err.starts_with(&format!("error: DuckDB could not run the query on {db}:\n")),
        "{err}"
    );
    assert!(
        err.contains("Catalog Error: Table with name orders does not exist!"),
        "{err}"
    );
    assert!(
        err.contains("help: the database must hold the model's tables"),
        "{err}"
    );
}

#[test]
fn without_a_period_an_empty_database_is_a_usage_error() {
    // The model's tables, empty.
    let (code, ddl, err) = kpic_with_env(&["sql", "--ddl", "--dialect", "duckdb"], &[]);
    assert_eq!(code, 0, "{err}");
    let file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("target/kpic-test-duckdb-engine/empty.duckdb");
    let _ = std::fs::remove_file(&file);
    let out = Command::new(duckdb::cli())
        .arg(&file)
        .arg("-c")
        .arg(&ddl)
        .output()
        .expect("the DuckDB client runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (code, out, err) = kpic_with_env(
        &[
            "eval",
            "--engine",
            "duckdb",
            "--database",
            file.to_str().expect("UTF-8 path"),
        ],
        &[("KPIC_DUCKDB", duckdb::cli().to_str().expect("UTF-8 path"))],
    );
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "{out}");
    assert_eq!(
        err,
        "error: the database holds no complete year; give one with --period (`--engine duckdb`)\n"
    );
}
