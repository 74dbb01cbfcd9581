//! The SQL that `kpic sql` generates, run on real engines, returns what the native
//! evaluator returns: every KPI of the catalog, several periods, a segmentation and
//! per-account results, on the example dataset. Values equal to 1e-9 relative (money
//! compared to the cent is implied), missing exactly where native is missing.

use crate::support::differential::{differences, native, native_reasons};
use crate::support::postgres as pg;
use crate::support::{cli, duckdb, python};
use kpic::query::{Period, Scope};
use kpic::sql::{Dialect, SqlRequest, TableNames, compile_ddl, compile_query};
use std::path::Path;
use std::sync::OnceLock;

fn sql(period: &str, scope: Scope, dialect: Dialect) -> (String, String) {
    let checked = kpic::check_paths(&["kpis".into()]).expect("catalog");
    let req = SqlRequest {
        kpis: vec![],
        period: Period::parse(period, 1).expect("period"),
        scope,
        filters: vec![],
        compare: Default::default(),
        every: None,
        groupings: vec![],
        dialect,
        names: TableNames::default(),
    };
    (
        compile_ddl(&checked.catalog, dialect, &req.names),
        compile_query(&checked.catalog, &req).expect("compiles"),
    )
}

fn duckdb_case(period: &str, scope: Scope) {
    let data = Path::new("examples/data");
    let (ddl, query) = sql(period, scope.clone(), Dialect::Duckdb);
    let rows = duckdb::run(&ddl, &query, data);
    let problems = differences(&native(period, scope, data), rows);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn duckdb_portfolio_year_quarter_month_and_range() {
    for period in ["2025", "2025-Q4", "2024-07", "2025-02-10..2025-05-20"] {
        duckdb_case(period, Scope::Portfolio);
    }
}

#[test]
fn duckdb_by_industry() {
    duckdb_case("2025", Scope::By("industry".into()));
}

#[test]
fn duckdb_per_account() {
    duckdb_case("2025", Scope::PerAccount);
}

/// The shared server with the example dataset loaded into schema `example` (via
/// `--schema`, so table mapping is exercised too).
pub(crate) fn example_db() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let server = pg::shared();
        let checked = kpic::check_paths(&["kpis".into()]).expect("catalog");
        let names = TableNames {
            schema: Some("example".into()),
            ..TableNames::default()
        };
        let mut script = String::from("CREATE SCHEMA example;\n");
        script.push_str(&compile_ddl(&checked.catalog, Dialect::Postgres, &names));
        let data = std::fs::canonicalize("examples/data").expect("data folder");
        for t in checked.catalog.tables.keys() {
            script.push_str(&format!(
                "\\copy example.\"{t}\" FROM '{}' WITH (FORMAT csv, HEADER true)\n",
                data.join(format!("{t}.csv")).display()
            ));
        }
        server.psql(&script);
        server.url.clone()
    })
}

fn postgres_case(period: &str, scope: Scope) {
    let checked = kpic::check_paths(&["kpis".into()]).expect("catalog");
    let req = SqlRequest {
        kpis: vec![],
        period: Period::parse(period, 1).expect("period"),
        scope: scope.clone(),
        filters: vec![],
        compare: Default::default(),
        every: None,
        groupings: vec![],
        dialect: Dialect::Postgres,
        names: TableNames {
            schema: Some("example".into()),
            ..TableNames::default()
        },
    };
    let query = compile_query(&checked.catalog, &req).expect("compiles");
    let rows =
        kpic::engine::postgres::query(example_db(), &query).expect("PostgreSQL runs the query");
    let reasons = native_reasons(period, scope.clone(), Path::new("examples/data"));
    for r in &rows {
        let key = (r.kpi.clone(), r.grp.clone(), r.breakdown.clone());
        if let Some((value, previous)) = reasons.get(&key) {
            assert_eq!(
                (&r.value_reason, &r.previous_reason),
                (value, previous),
                "{key:?}"
            );
        }
    }
    let rows = rows
        .into_iter()
        .map(|r| (r.value_f64(), r.previous_f64(), r))
        .map(|(v, p, r)| (r.kpi, r.grp, r.breakdown, v, p))
        .collect();
    let problems = differences(&native(period, scope, Path::new("examples/data")), rows);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn postgres_portfolio_year_quarter_month_and_range() {
    for period in ["2025", "2025-Q4", "2024-07", "2025-02-10..2025-05-20"] {
        postgres_case(period, Scope::Portfolio);
    }
}

#[test]
fn postgres_by_industry_and_tier() {
    postgres_case("2025", Scope::By("industry".into()));
    postgres_case("2025-Q3", Scope::By("tier".into()));
}

#[test]
fn postgres_per_account() {
    postgres_case("2025", Scope::PerAccount);
}

#[test]
fn kpic_eval_engine_postgres_prints_what_native_prints() {
    let url = example_db();
    let run = |extra: &[&str]| {
        let out = cli::command(&[
            "eval", "--period", "2025", "--by", "region", "--format", "csv",
        ])
        .args(extra)
        .output()
        .expect("kpic runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let native = run(&[]);
    let db = run(&["--engine", "postgres", "--url", url, "--schema", "example"]);
    // Without --period: the latest complete year, asked of the database, as natively.
    let default = cli::command(&[
        "eval", "win_rate", "--engine", "postgres", "--url", url, "--schema", "example",
    ])
    .output()
    .expect("kpic runs");
    let default = String::from_utf8_lossy(&default.stdout);
    assert!(
        default.starts_with("period 2025 (previous: 2024)\n"),
        "{default}"
    );
    // Same rows in the same order; numbers agree to 1e-9 (text formatting of the
    // last digits may differ between f64 sums in two engines).
    let (n, d): (Vec<&str>, Vec<&str>) = (native.lines().collect(), db.lines().collect());
    assert_eq!(n.len(), d.len());
    for (a, b) in n.iter().zip(&d) {
        let (fa, fb): (Vec<&str>, Vec<&str>) = (a.split(',').collect(), b.split(',').collect());
        assert_eq!(fa[..4], fb[..4], "{a} / {b}");
        // The reason for a missing value is the native engine's, computed in SQL; the
        // numbers after it (target, gap) agree as the values do.
        assert_eq!(fa.len(), fb.len(), "{a} / {b}");
        for (x, y) in fa[4..].iter().zip(&fb[4..]) {
            match (x.parse::<f64>(), y.parse::<f64>()) {
                (Ok(x), Ok(y)) => assert!((x - y).abs() <= 1e-9 * y.abs().max(1.0), "{a} / {b}"),
                _ => assert_eq!(x, y, "{a} / {b}"),
            }
        }
    }
}

/// A generated dataset (bench/gen_data.py, fixed seed, 300 accounts), made once per
/// test run under `target/`.
fn generated_data() -> &'static Path {
    static DIR: OnceLock<std::path::PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/kpic-test-generated-300");
        if !dir.join("accounts.csv").exists() {
            let out = std::process::Command::new(python::python3())
                .args([
                    "bench/gen_data.py",
                    "--accounts",
                    "300",
                    "--seed",
                    "11",
                    "--out",
                ])
                .arg(&dir)
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .output()
                .expect("python3 runs");
            assert!(
                out.status.success(),
                "gen_data.py failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        dir
    })
}

#[test]
fn generated_dataset_duckdb_and_postgres_match_native() {
    let data = generated_data();
    for (period, scope) in [
        ("2025", Scope::Portfolio),
        ("2025-Q2", Scope::By("region".into())),
        ("2024", Scope::PerAccount),
    ] {
        let native = native(period, scope.clone(), data);
        let (ddl, query) = sql(period, scope.clone(), Dialect::Duckdb);
        let problems = differences(&native, duckdb::run(&ddl, &query, data));
        assert!(
            problems.is_empty(),
            "DuckDB {period}:\n{}",
            problems.join("\n")
        );
    }
    // PostgreSQL: the same data in its own schema.
    let server = pg::shared();
    let checked = kpic::check_paths(&["kpis".into()]).expect("catalog");
    let names = TableNames {
        schema: Some("generated".into()),
        ..TableNames::default()
    };
    let mut script = String::from("CREATE SCHEMA generated;\n");
    script.push_str(&compile_ddl(&checked.catalog, Dialect::Postgres, &names));
    for t in checked.catalog.tables.keys() {
        script.push_str(&format!(
            "\\copy generated.\"{t}\" FROM '{}' WITH (FORMAT csv, HEADER true)\n",
            data.join(format!("{t}.csv")).display()
        ));
    }
    server.psql(&script);
    for (period, scope) in [
        ("2025", Scope::Portfolio),
        ("2025-Q2", Scope::By("region".into())),
    ] {
        let req = SqlRequest {
            kpis: vec![],
            period: Period::parse(period, 1).expect("period"),
            scope: scope.clone(),
            filters: vec![],
            compare: Default::default(),
            every: None,
            groupings: vec![],
            dialect: Dialect::Postgres,
            names: names.clone(),
        };
        let query = compile_query(&checked.catalog, &req).expect("compiles");
        let rows = kpic::engine::postgres::query(&server.url, &query).expect("runs");
        let rows = rows
            .into_iter()
            .map(|r| (r.value_f64(), r.previous_f64(), r))
            .map(|(v, p, r)| (r.kpi, r.grp, r.breakdown, v, p))
            .collect();
        let problems = differences(&native(period, scope, data), rows);
        assert!(
            problems.is_empty(),
            "PostgreSQL {period}:\n{}",
            problems.join("\n")
        );
    }
}
