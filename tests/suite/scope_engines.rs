//! Requests every engine must refuse with the same words and exit code: a KPI reading a
//! table without a relation to accounts (portfolio-level data) asked by segment, per
//! account or under an account filter; account filters that match no account (the
//! value named, the closest existing one suggested). Each runs natively, on DuckDB and
//! on PostgreSQL over a corpus case's data.

use crate::support::cli::kpic;
use crate::support::corpus::{Case, cases, path_text};
use crate::support::{corpus_load, duckdb, postgres};
use std::path::PathBuf;

fn case(name: &str) -> Case {
    cases()
        .into_iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no corpus case {name}"))
}

/// The engines' flags for `case`: native, DuckDB and PostgreSQL (the databases loaded
/// with the case's data).
fn engines(case: &Case) -> Vec<(&'static str, Vec<String>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/kpic-test-scope");
    std::fs::create_dir_all(&dir).expect("create the database folder");
    let file = dir.join(format!("{}.duckdb", case.name));
    let _ = std::fs::remove_file(&file);
    let cli = duckdb::cli();
    corpus_load::duckdb_database(case, &cli, &file).unwrap_or_else(|e| panic!("{e}"));
    let server = postgres::shared();
    let schema = format!("scope_{}", case.name);
    let script = corpus_load::postgres_script(case, &schema).unwrap_or_else(|e| panic!("{e}"));
    server.try_psql(&script).unwrap_or_else(|e| panic!("{e}"));
    let own = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        ("native", own(&["--data", &path_text(&case.data())])),
        (
            "duckdb",
            own(&[
                "--engine",
                "duckdb",
                "--database",
                &path_text(&file),
                "--duckdb-cli",
                &path_text(&cli),
            ]),
        ),
        (
            "postgres",
            own(&[
                "--engine",
                "postgres",
                "--url",
                &server.url,
                "--schema",
                &schema,
            ]),
        ),
    ]
}

/// Runs `kpic eval KPI --catalog … --period 2025 ARGS` on every engine; each must exit
/// 2 with `message` on stderr.
fn refused_alike(case: &Case, engines: &[(&str, Vec<String>)], args: &[&str], message: &str) {
    for (name, flags) in engines {
        let catalog = path_text(&case.catalog());
        let mut all: Vec<&str> = vec!["eval", "--catalog", &catalog, "--period", "2025"];
        all.extend(args);
        all.extend(flags.iter().map(String::as_str));
        let (code, out, err) = kpic(&all);
        assert_eq!(
            code, 2,
            "{name} {args:?}: exit {code}\nstdout: {out}\nstderr: {err}"
        );
        assert!(
            err.contains(message),
            "{name} {args:?}: expected {message:?} in stderr:\n{err}"
        );
    }
}

#[test]
fn a_table_without_relation_is_refused_by_segment_account_and_filter_on_every_engine() {
    let case = case("portfolio_level_table");
    let engines = engines(&case);
    let reads = "`market_total` reads `market`, which has no relation to accounts: its rows \
                 belong to the whole portfolio, so `market_total` has no value for";
    refused_alike(
        &case,
        &engines,
        &["market_total", "--by", "tier"],
        &format!("{reads} a segment (--by)"),
    );
    refused_alike(
        &case,
        &engines,
        &["market_total", "--per-account"],
        &format!("{reads} each account (--per-account)"),
    );
    refused_alike(
        &case,
        &engines,
        &["market_total", "--where", "tier=key"],
        &format!("{reads} an account filter (--where, --account)"),
    );
    refused_alike(
        &case,
        &engines,
        &["market_total", "--account", "A1"],
        "has no value for an account filter",
    );
    // Through a measure and a KPI that also reads a related table.
    refused_alike(
        &case,
        &engines,
        &["revenue_per_market", "--by", "tier"],
        "`revenue_per_market` reads `market`",
    );
}

#[test]
fn filters_matching_no_account_name_the_value_on_every_engine() {
    let case = case("rows_without_account");
    let engines = engines(&case);
    refused_alike(
        &case,
        &engines,
        &["leads_created", "--where", "tier=stratgic"],
        "no account matches the filters: none has tier `stratgic`; did you mean `strategic`?",
    );
    refused_alike(
        &case,
        &engines,
        &["leads_created", "--account", "A9"],
        "no account matches the filters: there is no account `A9`",
    );
    refused_alike(
        &case,
        &engines,
        &[
            "leads_created",
            "--by",
            "industry",
            "--where",
            "industry=Helthcare",
        ],
        "no account matches the filters: none has industry `Helthcare`; did you mean \
         `Healthcare`?",
    );
    refused_alike(
        &case,
        &engines,
        &[
            "leads_created",
            "--where",
            "tier=strategic",
            "--where",
            "industry=Healthcare",
        ],
        "no account matches the filters together: each of tier=strategic, \
         industry=Healthcare matches some account, but no account matches all of them",
    );
}
