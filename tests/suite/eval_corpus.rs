//! The evaluation corpus (`tests/fixtures/eval/<case>/`, see its README) run by every
//! engine: each case's request through `kpic eval` natively, on a DuckDB file, on
//! PostgreSQL and on Spark (`--engine spark`, every case attached to one shared Spark
//! session), each compared with the case's hand-computed expected values. A test per
//! engine runs every case and reports every failure at the end.

use crate::support::{corpus, corpus_load, duckdb, postgres, spark};

use corpus::{Case, Outcome, cases, compare, eval, path_text, verdict};

/// Prints the verdict and fails the test on any unexpected outcome.
fn judge(engine: &str, outcomes: Vec<(&Case, Outcome)>) {
    match verdict(engine, outcomes) {
        Ok(summary) => eprintln!("{summary}"),
        Err(report) => panic!("{report}"),
    }
}

#[test]
fn the_corpus_is_large_and_well_formed() {
    let cases = cases();
    assert!(cases.len() >= 25, "only {} cases", cases.len());
    for case in &cases {
        for kpi in &case.request.kpis {
            assert!(
                case.expected.rows.keys().any(|(k, ..)| k == kpi),
                "{}: no expected value for `{kpi}`",
                case.name
            );
        }
        for (kpi, ..) in case.expected.rows.keys() {
            assert!(
                case.request.kpis.contains(kpi),
                "{}: expected.toml has `{kpi}`, which request.toml does not ask for",
                case.name
            );
        }
    }
}

#[test]
fn native_engine_matches_the_corpus() {
    let cases = cases();
    let outcomes = cases
        .iter()
        .map(|case| {
            let data = ["--data".to_string(), path_text(&case.data())];
            let outcome = eval(case, &data).map(|got| compare(case, "native", &got));
            (case, outcome)
        })
        .collect();
    judge("native", outcomes);
}

#[test]
fn duckdb_matches_the_corpus() {
    let cases = cases();
    let cli = duckdb::cli();
    let dir = tempfile::Builder::new()
        .prefix("kpic-corpus-duckdb-")
        .tempdir()
        .expect("temp dir");
    let outcomes = cases
        .iter()
        .map(|case| {
            let file = dir.path().join(format!("{}.duckdb", case.name));
            let outcome = corpus_load::duckdb_database(case, &cli, &file).and_then(|()| {
                let engine = [
                    "--engine",
                    "duckdb",
                    "--database",
                    &path_text(&file),
                    "--duckdb-cli",
                    &path_text(&cli),
                ]
                .map(String::from);
                let got = eval(case, &engine)?;
                Ok(compare(case, "duckdb", &got))
            });
            (case, outcome)
        })
        .collect();
    judge("duckdb", outcomes);
}

#[test]
fn postgres_matches_the_corpus() {
    let cases = cases();
    let server = postgres::shared();
    let outcomes = cases
        .iter()
        .map(|case| {
            let schema = format!("eval_{}", case.name);
            let outcome = corpus_load::postgres_script(case, &schema)
                .and_then(|script| server.try_psql(&script))
                .and_then(|_| {
                    let engine = ["--engine", "postgres", "--url", &server.url].map(String::from);
                    let got = eval(
                        case,
                        &[&engine[..], &["--schema".into(), schema.clone()]].concat(),
                    )?;
                    Ok(compare(case, "postgres", &got))
                });
            let _ = server.try_psql(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE;"));
            (case, outcome)
        })
        .collect();
    judge("postgres", outcomes);
}

#[test]
fn spark_matches_the_corpus() {
    let began = std::time::Instant::now();
    let cases = cases();
    // One Spark session for the whole corpus: each case is a `kpic eval --engine
    // spark` run of its own (its dataset loaded and checked by kpic, handed to Spark)
    // attached to the session the product's driver serves.
    let socket = spark::shared_session();
    let started = began.elapsed();
    let outcomes = cases
        .iter()
        .map(|case| {
            let engine = [
                "--data",
                &path_text(&case.data()),
                "--engine",
                "spark",
                "--spark-session",
                &socket,
            ]
            .map(String::from);
            let outcome = eval(case, &engine).map(|got| compare(case, "spark", &got));
            (case, outcome)
        })
        .collect();
    eprintln!(
        "Spark corpus: {:.0?} ({started:.0?} to start Spark, {} cases)",
        began.elapsed(),
        cases.len()
    );
    judge("spark", outcomes);
}
