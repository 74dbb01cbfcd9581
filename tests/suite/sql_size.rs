//! The size of the SQL `kpic sql` writes: linear in the formula. A flat sum of 2,000
//! terms (two measures of 1,000, the most one formula may hold) compiles to SQL of a
//! few hundred bytes per term, runs on DuckDB (whose parser refuses expressions nested
//! deeper than 1,000) and PostgreSQL, and equals the native value; a KPI that is too
//! large says what is too large.

use crate::sql_differential::example_db;
use crate::support::duckdb;
use kpic::query::{Output, Period, Query, Scope};
use kpic::sql::{Dialect, SqlRequest, TableNames, compile_ddl, compile_query};
use std::path::Path;

const TERMS: usize = 1000;

/// One measure: `TERMS` terms (999 operators, the most one formula may hold), every third
/// one subtracted, revenue and cost sums in turn (so a wrong sign or a lost term changes
/// the value).
fn chain(name: &str, offset: usize) -> String {
    let mut f = String::new();
    for i in 0..TERMS {
        let term = if (i + offset).is_multiple_of(2) {
            "sum(orders.revenue)"
        } else {
            "sum(orders.cost)"
        };
        if i == 0 {
            f.push_str(term);
        } else {
            f.push_str(if i.is_multiple_of(3) { " - " } else { " + " });
            f.push_str(term);
        }
    }
    format!("measure {name} {{\n  unit: money\n  formula: {f}\n}}\n")
}

/// The shipped catalog plus the long sum, checked without errors.
fn catalog(extra: &str) -> (tempfile::TempDir, kpic::ir::Catalog) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("long.kpi");
    std::fs::write(&file, extra).expect("writes");
    let checked = kpic::check_paths(&["kpis".into(), file]).expect("catalog loads");
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.severity == kpic::diagnostic::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    (dir, checked.catalog)
}

fn request(kpi: &str, dialect: Dialect, names: TableNames) -> SqlRequest {
    SqlRequest {
        kpis: vec![kpi.into()],
        period: Period::parse("2025", 1).expect("period"),
        scope: Scope::Portfolio,
        filters: vec![],
        compare: Default::default(),
        every: None,
        groupings: vec![],
        dialect,
        names,
    }
}

#[test]
fn a_flat_sum_of_2000_terms_is_linear_sql_and_runs() {
    let extra = format!(
        "{}{}kpi long_sum {{\n  name: \"Long sum\"\n  category: revenue\n  unit: money\n  \
         better: higher\n  formula: long_a + long_b\n}}\n\
         kpi long_base {{\n  name: \"Base\"\n  category: revenue\n  unit: money\n  \
         better: higher\n  formula: sum(orders.revenue)\n}}\n\
         kpi long_cost {{\n  name: \"Cost\"\n  category: revenue\n  unit: money\n  \
         better: higher\n  formula: sum(orders.cost)\n}}\n",
        chain("long_a", 0),
        chain("long_b", 1)
    );
    let (_dir, catalog) = catalog(&extra);
    let data = Path::new("examples/data");
    let dataset = kpic::data::load_dataset(&catalog, data).expect("data loads");
    let q = Query {
        kpis: vec!["long_sum".into(), "long_base".into(), "long_cost".into()],
        period: Period::parse("2025", 1).expect("period"),
        scope: Scope::Portfolio,
        filters: vec![],
        compare: Default::default(),
        every: None,
        groupings: vec![],
    };
    let native = kpic::eval::evaluate(&catalog, &dataset, &q).expect("evaluates");
    let value_of = |kpi: &str| {
        let row = native
            .rows
            .iter()
            .find(|r| r.kpi.to_string() == kpi)
            .expect("a row per KPI");
        match &row.value {
            Output::Value(v) => *v,
            Output::Money(m) => m.to_f64(),
            Output::Missing(r) => panic!("native {kpi} missing: {r}"),
        }
    };
    let value = value_of("long_sum");
    // By hand: each sum times how often it is added less how often it is subtracted.
    let (mut revenue, mut cost) = (0i64, 0i64);
    for offset in [0usize, 1] {
        for i in 0..TERMS {
            let sign = if i > 0 && i.is_multiple_of(3) { -1 } else { 1 };
            if (i + offset).is_multiple_of(2) {
                revenue += sign;
            } else {
                cost += sign;
            }
        }
    }
    let by_hand = value_of("long_base") * revenue as f64 + value_of("long_cost") * cost as f64;
    assert!(
        (value - by_hand).abs() <= 1e-6 * by_hand.abs(),
        "native {value} vs by hand {by_hand}"
    );

    // Linear: a few hundred bytes per term (it was 5.4 MB for 700 terms).
    let duck = compile_query(
        &catalog,
        &request("long_sum", Dialect::Duckdb, TableNames::default()),
    )
    .expect("2,000 terms compile");
    assert!(
        duck.len() < 2 * TERMS * 400,
        "{} bytes of SQL for {} terms",
        duck.len(),
        2 * TERMS
    );
    let ddl = compile_ddl(&catalog, Dialect::Duckdb, &TableNames::default());
    let rows = duckdb::run(&ddl, &duck, data);
    assert_eq!(rows.len(), 1, "{rows:?}");
    let close = |a: f64| (a - value).abs() <= 1e-9 * value.abs().max(1.0);
    assert!(
        rows[0].3.is_some_and(close),
        "DuckDB {:?} vs native {value}",
        rows[0].3
    );

    let names = TableNames {
        schema: Some("example".into()),
        ..TableNames::default()
    };
    let pg = compile_query(&catalog, &request("long_sum", Dialect::Postgres, names))
        .expect("2,000 terms compile");
    let rows = kpic::engine::postgres::query(example_db(), &pg).expect("PostgreSQL runs it");
    assert_eq!(rows.len(), 1);
    assert!(
        rows[0].value_f64().is_some_and(close),
        "PostgreSQL {:?} vs native {value}",
        rows[0].value
    );
}

/// A KPI whose written-out SQL is too large says what is too large: here a chain of
/// measures that each use the one before twice (2^30 terms), not a long formula.
#[test]
fn too_large_names_what_is_too_large() {
    let mut extra =
        String::from("measure d0 {\n  unit: money\n  formula: sum(orders.revenue)\n}\n");
    for k in 1..=30 {
        extra.push_str(&format!(
            "measure d{k} {{\n  unit: money\n  formula: d{0} + d{0}\n}}\n",
            k - 1
        ));
    }
    extra.push_str(
        "kpi doubled {\n  name: \"Doubled\"\n  category: revenue\n  unit: money\n  \
         better: higher\n  formula: d30\n}\n",
    );
    let (_dir, catalog) = catalog(&extra);
    let err = compile_query(
        &catalog,
        &request("doubled", Dialect::Duckdb, TableNames::default()),
    )
    .expect_err("too large");
    let msg = err.to_string();
    assert!(msg.contains("KPI `doubled` is too large for SQL"), "{msg}");
    assert!(msg.contains("passes 2000000 terms"), "{msg}");
    assert!(msg.contains("copied in place at each use"), "{msg}");
}
