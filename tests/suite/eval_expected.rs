//! Every catalog KPI evaluated on the bundled example dataset equals the value computed
//! independently by `examples/expected/compute_expected.py` (plain Python over the
//! CSVs, no kpic): money to the cent, everything else to 1e-9 relative.

use kpic::eval::evaluate;
use kpic::query::{Output, Period, Query, ResultRow, Scope};
use serde_json::Value;
use std::collections::BTreeMap;

fn expected(file: &str) -> Value {
    let text = std::fs::read_to_string(format!("examples/expected/{file}"))
        .expect("expected values exist");
    serde_json::from_str(&text).expect("valid JSON")
}

fn run(period: &str, scope: Scope) -> Vec<ResultRow> {
    let checked = kpic::check_paths(&["kpis".into()]).expect("catalog loads");
    assert_eq!(checked.error_count(), 0);
    let data = kpic::data::load_dataset(&checked.catalog, "examples/data".as_ref())
        .expect("example data loads");
    let query = Query {
        kpis: Vec::new(),
        period: Period::parse(period, 1).expect("period"),
        scope,
        filters: Vec::new(),
        compare: Default::default(),
        every: None,
        groupings: vec![],
    };
    evaluate(&checked.catalog, &data, &query)
        .expect("evaluates")
        .rows
}

/// Compares one value; money arrives as a decimal string, the rest as numbers.
fn same(kpi: &str, got: &Output, want: &Value) -> Result<(), String> {
    // Exact money compares as its nearest double, to the cent.
    let got = &match got {
        Output::Money(m) => Output::Value(m.to_f64()),
        other => other.clone(),
    };
    match (got, want) {
        (Output::Value(g), Value::String(s)) => {
            let w: f64 = s.parse().map_err(|_| format!("{kpi}: bad expected {s}"))?;
            if ((g * 100.0).round() - (w * 100.0).round()).abs() < 0.5 {
                Ok(())
            } else {
                Err(format!("{kpi}: got {g:.4}, expected {s}"))
            }
        }
        (Output::Value(g), Value::Number(n)) => {
            let w = n.as_f64().unwrap_or(f64::NAN);
            if (g - w).abs() <= 1e-9 * w.abs().max(1.0) {
                Ok(())
            } else {
                Err(format!("{kpi}: got {g}, expected {w}"))
            }
        }
        (Output::Missing(_), Value::Null) => Ok(()),
        (g, w) => Err(format!("{kpi}: got {g:?}, expected {w}")),
    }
}

fn compare(
    rows: &[ResultRow],
    values: &serde_json::Map<String, Value>,
    group: &str,
) -> Vec<String> {
    let mut problems = Vec::new();
    let mut by_kpi: BTreeMap<&str, Vec<&ResultRow>> = BTreeMap::new();
    for r in rows.iter().filter(|r| &*r.group == group) {
        by_kpi.entry(&r.kpi).or_default().push(r);
    }
    for (kpi, want) in values {
        let Some(got) = by_kpi.get(kpi.as_str()) else {
            problems.push(format!("{kpi}: not computed"));
            continue;
        };
        match want {
            Value::Object(parts) => {
                for (key, w) in parts {
                    match got.iter().find(|r| r.breakdown.as_deref() == Some(key)) {
                        Some(r) => {
                            problems.extend(same(&format!("{kpi}[{key}]"), &r.value, w).err())
                        }
                        None => problems.push(format!("{kpi}[{key}]: missing")),
                    }
                }
            }
            w => problems.extend(same(kpi, &got[0].value, w).err()),
        }
    }
    problems
}

#[test]
fn portfolio_2025_matches_independent_values() {
    let want = expected("2025.json");
    let values = want["values"].as_object().expect("values");
    assert_eq!(values.len(), 53);
    let problems = compare(&run("2025", Scope::Portfolio), values, "");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn portfolio_2025_q4_matches_independent_values() {
    let want = expected("2025-Q4.json");
    let problems = compare(
        &run("2025-Q4", Scope::Portfolio),
        want["values"].as_object().expect("values"),
        "",
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn by_industry_2025_matches_independent_values() {
    let want = expected("2025_by_industry.json");
    let rows = run("2025", Scope::By("industry".into()));
    let mut problems = Vec::new();
    let mut per_group: BTreeMap<String, serde_json::Map<String, Value>> = BTreeMap::new();
    for (kpi, groups) in want["values"].as_object().expect("values") {
        for (group, v) in groups.as_object().expect("groups") {
            per_group
                .entry(group.clone())
                .or_default()
                .insert(kpi.clone(), v.clone());
        }
    }
    for (group, values) in &per_group {
        problems.extend(compare(&rows, values, group));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
