//! `kpic test --engine`: the shipped catalog's tests (`kpis/tests/`) pass on DuckDB and
//! PostgreSQL as they do natively, and a representative subset on Spark; the failing
//! fixture reports the same expected and actual values on every engine. The databases
//! are the test set-up's (`tests/suite/support/`: installed when absent).

use crate::support::cli::kpic_with_env;
use crate::support::{duckdb, postgres, spark};

const FAILURES: &str = "tests/fixtures/kpitest/failures.test.toml";

/// `kpic test ARGS` on the DuckDB client the set-up installed.
fn on_duckdb(args: &[&str]) -> (i32, String, String) {
    let cli = duckdb::cli();
    let cli = cli.to_str().expect("UTF-8 path");
    kpic_with_env(
        &[&["test", "--engine", "duckdb"][..], args].concat(),
        &[("KPIC_DUCKDB", cli)],
    )
}

/// `kpic test ARGS` on the set-up's PostgreSQL server.
fn on_postgres(args: &[&str]) -> (i32, String, String) {
    let url = &postgres::shared().url;
    kpic_with_env(
        &[&["test", "--engine", "postgres", "--url", url][..], args].concat(),
        &[],
    )
}

/// `kpic test ARGS` on the test process's shared Spark session.
fn on_spark(args: &[&str]) -> (i32, String, String) {
    let socket = spark::shared_session();
    kpic_with_env(
        &[
            &["test", "--engine", "spark", "--spark-session", &socket][..],
            args,
        ]
        .concat(),
        &[],
    )
}

/// The number of cases natively: every one must pass on the database too.
fn native_count() -> usize {
    let (code, out, err) = kpic_with_env(&["test"], &[]);
    assert_eq!(code, 0, "{out}\n{err}");
    out.lines().filter(|l| l.starts_with("ok ")).count()
}

#[test]
fn the_catalog_tests_pass_on_duckdb() {
    let n = native_count();
    let (code, out, err) = on_duckdb(&[]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        err.contains(&format!("{n} cases: {n} passed, 0 failed")),
        "{err}"
    );
}

#[test]
fn the_catalog_tests_pass_on_postgres() {
    let n = native_count();
    let (code, out, err) = on_postgres(&[]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        err.contains(&format!("{n} cases: {n} passed, 0 failed")),
        "{err}"
    );
}

/// Spark takes seconds per query on this machine, so a representative subset: the
/// KPIs of the brief's "implement first" list and one of each shape the others reuse
/// (a ratio of counts, money over members, a previous-period comparison, a median,
/// days between dates): `--filter` on their ids.
#[test]
fn a_subset_of_the_catalog_tests_passes_on_spark() {
    for kpi in [
        "customer_retention_rate",
        "sales_growth",
        "average_order_value",
        "time_to_close",
    ] {
        let (code, out, err) = on_spark(&["--filter", kpi]);
        assert_eq!(code, 0, "{kpi}:\n{out}\n{err}");
        assert!(err.contains(" 0 failed"), "{kpi}: {err}");
        assert!(!out.is_empty(), "{kpi}: no case ran");
    }
}

/// The report without the lines of how the value was obtained (the native trace, or
/// the SQL a database ran), which differ by engine.
fn without_trace(out: &str) -> String {
    out.lines()
        .filter(|l| !l.starts_with("       | "))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn a_failing_case_reads_the_same_on_every_engine() {
    let (code, native, _) = kpic_with_env(&["test", FAILURES], &[]);
    assert_eq!(code, 1);
    let native = without_trace(&native);
    insta::assert_snapshot!("kpic_test_failures_without_trace", native);
    for (engine, (code, out, err)) in [
        ("duckdb", on_duckdb(&[FAILURES])),
        ("postgres", on_postgres(&[FAILURES])),
        ("spark", on_spark(&[FAILURES])),
    ] {
        assert_eq!(code, 1, "{engine}: {err}");
        assert_eq!(without_trace(&out), native, "{engine}");
        // The database's query stands where the native trace would.
        assert!(
            out.contains(&format!("       | the SQL run on {engine}:")),
            "{engine}: {out}"
        );
    }
}
