//! The Spark SQL that `kpic sql --dialect spark` generates, run on PySpark in local mode,
//! returns what the native evaluator returns: every KPI of the catalog on the example
//! dataset, for a year, a quarter, a month and a custom range (portfolio), by industry
//! and per account. Values equal to 1e-9 relative, missing exactly where native is
//! missing and for the same reason, the same set of rows.
//!
//! One test function, so one Spark session (the JVM starts once) runs every query.

use crate::support::differential::{differences, native, native_reasons};
use crate::support::spark;
use kpic::query::{Period, Scope};
use kpic::sql::{Dialect, SqlRequest, TableNames, compile_ddl, compile_query};
use std::path::Path;
use std::time::Instant;

#[test]
fn spark_matches_native_for_every_kpi_period_and_scope() {
    let began = Instant::now();
    let data = Path::new("examples/data");
    let checked = kpic::check_paths(&["kpis".into()]).expect("catalog");
    let names = TableNames::default();
    let mut cases: Vec<(&str, Scope)> = ["2025", "2025-Q4", "2024-07", "2025-02-10..2025-05-20"]
        .into_iter()
        .map(|p| (p, Scope::Portfolio))
        .collect();
    cases.push(("2025", Scope::By("industry".into())));
    cases.push(("2025", Scope::PerAccount));

    let queries: Vec<String> = cases
        .iter()
        .map(|(period, scope)| {
            let req = SqlRequest {
                kpis: vec![],
                period: Period::parse(period, 1).expect("period"),
                scope: scope.clone(),
                filters: vec![],
                compare: Default::default(),
                every: None,
                groupings: vec![],
                dialect: Dialect::Spark,
                names: names.clone(),
            };
            compile_query(&checked.catalog, &req).expect("compiles")
        })
        .collect();
    let ddl = compile_ddl(&checked.catalog, Dialect::Spark, &names);
    let spark_began = Instant::now();
    let results = spark::run(&ddl, &queries, data);
    let spark_took = spark_began.elapsed();
    assert_eq!(results.len(), cases.len());

    let mut problems = Vec::new();
    for ((period, scope), result) in cases.into_iter().zip(results) {
        let case = format!("{period} {scope:?}");
        let rows = match result {
            Ok(rows) => rows,
            Err(e) => {
                problems.push(format!("{case}: Spark failed: {e}"));
                continue;
            }
        };
        let reasons = native_reasons(period, scope.clone(), data);
        for (kpi, grp, bk, _, _, value_reason, previous_reason, ..) in &rows {
            let key = (kpi.clone(), grp.clone(), bk.clone());
            if let Some(native) = reasons.get(&key)
                && (value_reason, previous_reason) != (&native.0, &native.1)
            {
                problems.push(format!(
                    "{case}: {key:?}: reasons in Spark ({value_reason:?}, {previous_reason:?}) \
                     vs native ({:?}, {:?})",
                    native.0, native.1
                ));
            }
        }
        let rows = rows
            .into_iter()
            .map(|(kpi, grp, bk, v, p, ..)| {
                let num = |t: Option<String>| t.and_then(|t| t.parse::<f64>().ok());
                (kpi, grp, bk, num(v), num(p))
            })
            .collect();
        problems.extend(
            differences(&native(period, scope, data), rows)
                .into_iter()
                .map(|p| format!("{case}: {p}")),
        );
    }
    eprintln!(
        "Spark differential test: {:.1?} ({:.1?} in Spark: install check, JVM start, \
         loading, {} queries)",
        began.elapsed(),
        spark_took,
        queries.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
