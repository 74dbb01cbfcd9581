//! `kpic eval --explain`: sub-expressions shown in full (two lines never read the same
//! for want of room), intermediate values formatted by unit, every row of an
//! aggregate's table accounted for (rows without an account included), and the
//! explanation as JSON with `--format json`.

use crate::support::cli::kpic;

fn explain(args: &[&str]) -> String {
    let (code, out, err) = kpic(&[&["eval", "--period", "2025", "--explain"][..], args].concat());
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

#[test]
fn explain_shows_long_sub_expressions_in_full() {
    let out = explain(&["net_promoter_score"]);
    let lines: Vec<&str> = out.lines().collect();
    let mut seen = std::collections::HashSet::new();
    for l in &lines {
        assert!(!l.contains('…'), "a cut line: {l}");
    }
    // The promoter and detractor counts differ in their conditions: no two
    // aggregate lines may read the same up to their values.
    for l in lines.iter().filter(|l| l.contains("count(")) {
        let label = l.split("  = ").next().unwrap_or(l).trim();
        assert!(
            seen.insert(label.to_string()),
            "two lines read the same: {label}"
        );
    }
    insta::assert_snapshot!(out);
}

#[test]
fn explain_counts_rows_without_an_account() {
    let case = "tests/fixtures/eval/rows_without_account";
    let (catalog, data) = (format!("{case}/catalog.kpi"), format!("{case}/data"));
    let out = explain(&["leads_created", "--catalog", &catalog, "--data", &data]);
    insta::assert_snapshot!("rows_without_account_portfolio", out);
    let out = explain(&[
        "strategic_leads",
        "--catalog",
        &catalog,
        "--data",
        &data,
        "--by",
        "industry",
    ]);
    insta::assert_snapshot!("rows_without_account_by_industry", out);
}

#[test]
fn explain_prints_json_with_format_json() {
    let out = explain(&["average_order_value", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    // One explanation per group: the portfolio is one.
    assert_eq!(json.as_array().map(Vec::len), Some(1), "{out}");
    let json = &json[0];
    assert_eq!(json["kpi"], "average_order_value");
    let lines = json["lines"].as_array().expect("lines");
    assert_eq!(lines[0]["text"], "revenue / order_count");
    assert!(
        lines
            .iter()
            .any(|l| l["rows"]["table"].as_u64().is_some_and(|n| n > 0)),
        "{out}"
    );
}
