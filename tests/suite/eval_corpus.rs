//! The evaluation corpus (`tests/fixtures/eval/<case>/`, see its README) run by every
//! engine: each case's request through `kpic eval` natively, on a DuckDB file, on
//! PostgreSQL and on Spark (`--engine spark`, every case attached to one shared Spark
//! session), each compared with the case's hand-computed expected values. A test per
//! engine runs every case and reports every failure at the end.

use crate::support::corpus;
use crate::support::corpus_engines::Engine;

use corpus::{Case, Outcome, cases, compare, eval, verdict};

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

/// Every case of `cases` run on `engine` and compared with its expected values.
fn outcomes_on<'a>(engine: &Engine, cases: &'a [Case]) -> Vec<(&'a Case, Outcome)> {
    cases
        .iter()
        .map(|case| {
            let outcome = engine.run(case, |flags| {
                eval(case, flags).map(|got| compare(case, engine.name(), &got))
            });
            (case, outcome)
        })
        .collect()
}

/// Every case of the corpus on `engine`, judged.
fn corpus_on(engine: &Engine) {
    judge(engine.name(), outcomes_on(engine, &cases()));
}

#[test]
fn native_engine_matches_the_corpus() {
    corpus_on(&Engine::native());
}

#[test]
fn duckdb_matches_the_corpus() {
    corpus_on(&Engine::duckdb("kpic-corpus-duckdb-"));
}

#[test]
fn postgres_matches_the_corpus() {
    corpus_on(&Engine::postgres("eval_"));
}

#[test]
fn spark_matches_the_corpus() {
    let began = std::time::Instant::now();
    let cases = cases();
    // One Spark session for the whole corpus: each case is a `kpic eval --engine
    // spark` run of its own (its dataset loaded and checked by kpic, handed to Spark)
    // attached to the session the product's driver serves.
    let engine = Engine::spark();
    let started = began.elapsed();
    let outcomes = outcomes_on(&engine, &cases);
    eprintln!(
        "Spark corpus: {:.0?} ({started:.0?} to start Spark, {} cases)",
        began.elapsed(),
        cases.len()
    );
    judge("spark", outcomes);
}
