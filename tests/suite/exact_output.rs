//! Exact money to the output: the corpus case `exact_money_totals` (totals near 10^15
//! and 10^17 with cents) printed by `kpic eval` as a table, CSV and JSON, natively and
//! on DuckDB and PostgreSQL, byte for byte the same, with every digit (the `change`
//! column too). JSON writes money as a number with every digit, not as a string.

use crate::support::{cli, corpus, corpus_load, duckdb, postgres};

const CASE: &str = "tests/fixtures/eval/exact_money_totals";

fn args(format: &str) -> Vec<String> {
    [
        "eval",
        "revenue_total",
        "net_revenue",
        "revenue_gap",
        "--catalog",
        &format!("{CASE}/catalog.kpi"),
        "--period",
        "2025",
        "--format",
        format,
    ]
    .map(String::from)
    .to_vec()
}

fn run(args: &[String]) -> String {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    cli::ok(&args)
}

fn native(format: &str) -> String {
    run(&[args(format), vec!["--data".into(), format!("{CASE}/data")]].concat())
}

#[test]
fn money_is_printed_from_the_exact_amount_in_every_format() {
    let text = ["table", "csv", "json"]
        .map(|f| format!("--- {f} ---\n{}", native(f)))
        .join("\n");
    // By hand (see the case's expected.toml): 1,000,000,000,000,000.05 now,
    // 100,099,999,999,999,990.02 before, change -99,099,999,999,999,989.97.
    for digits in [
        "1,000,000,000,000,000.05",
        "100,099,999,999,999,990.02",
        "-99,099,999,999,999,989.97",
        "1000000000000000.05,100099999999999990.02,-99099999999999989.97",
        "\"value\": 1000000000000000.05",
        "\"change\": -99099999999999989.97",
    ] {
        assert!(text.contains(digits), "{digits} not in:\n{text}");
    }
    insta::assert_snapshot!(text);
}

#[test]
fn the_databases_print_the_same_digits() {
    let case = corpus::cases()
        .into_iter()
        .find(|c| c.dir.ends_with("exact_money_totals"))
        .expect("the case");
    let dir = tempfile::Builder::new()
        .prefix("kpic-exact-")
        .tempdir()
        .expect("temp dir");
    let cli_path = duckdb::cli();
    let file = dir.path().join("exact.duckdb");
    corpus_load::duckdb_database(&case, &cli_path, &file).expect("loads into DuckDB");
    let server = postgres::shared();
    let schema = "exact_output";
    let script = corpus_load::postgres_script(&case, schema).expect("script");
    server.psql(&script);
    for format in ["table", "csv", "json"] {
        let on_duckdb = run(&[
            args(format),
            [
                "--engine",
                "duckdb",
                "--database",
                &corpus::path_text(&file),
                "--duckdb-cli",
                &corpus::path_text(&cli_path),
            ]
            .map(String::from)
            .to_vec(),
        ]
        .concat());
        let on_postgres = run(&[
            args(format),
            [
                "--engine",
                "postgres",
                "--url",
                &server.url,
                "--schema",
                schema,
            ]
            .map(String::from)
            .to_vec(),
        ]
        .concat());
        let here = native(format);
        assert_eq!(on_duckdb, here, "DuckDB, {format}");
        assert_eq!(on_postgres, here, "PostgreSQL, {format}");
    }
    server.psql(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE;"));
}
