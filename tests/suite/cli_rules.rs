//! Diagnostic rules in `kpic eval`'s output formats, `--fail-on-rule`, `--rules`, and
//! the shipped rules on the example data (the data of the corpus case
//! `rule_by_segment`, whose values are worked out by hand in its `expected.toml`).

use crate::support::cli::kpic;

const CASE: &str = "tests/fixtures/eval/rule_by_segment";

fn eval(kpis: &[&str], extra: &[&str]) -> (i32, String, String) {
    let catalog = format!("{CASE}/catalog.kpi");
    let data = format!("{CASE}/data");
    let mut args = vec!["eval"];
    args.extend_from_slice(kpis);
    args.extend([
        "--catalog",
        &catalog,
        "--data",
        &data,
        "--period",
        "2025-Q1",
        "--by",
        "tier",
    ]);
    args.extend_from_slice(extra);
    kpic(&args)
}

#[test]
fn every_format_shows_the_rules_that_fired() {
    for format in ["table", "json", "csv", "markdown"] {
        let (code, out, err) = eval(&[], &["--format", format]);
        assert_eq!(code, 0, "{format}: {err}");
        insta::assert_snapshot!(format!("rules_{format}"), out);
    }
}

#[test]
fn fail_on_rule_sets_the_exit_code_after_printing() {
    // paid_share_low (critical) fires in the key tier, revenue_drop (warning) in the
    // strategic tier.
    let (code, out, _) = eval(&[], &["--fail-on-rule", "critical"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("Rules that fired (key)"),
        "printed first: {out}"
    );
    let (code, _, _) = eval(&["revenue"], &["--rules", "--fail-on-rule", "warning"]);
    assert_eq!(code, 1);
    // Only revenue: paid_share_low does not run, and revenue_drop is a warning.
    let (code, out, _) = eval(&["revenue"], &["--fail-on-rule", "critical"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Rules that fired (strategic)"), "{out}");
    assert!(!out.contains("paid_share_low"), "{out}");
    let (code, _, _) = eval(&[], &[]);
    assert_eq!(code, 0, "no --fail-on-rule: success");
}

#[test]
fn rules_runs_every_rule_computing_the_kpis_it_reads() {
    // Without --rules, a rule runs only when every KPI it reads was asked for.
    let (_, out, _) = eval(&["revenue"], &["--format", "json"]);
    assert!(!out.contains("paid_share"), "{out}");
    let (code, out, err) = eval(&["revenue"], &["--rules", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let kpis: Vec<&str> = json["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["kpi"].as_str())
        .collect();
    assert!(kpis.contains(&"paid_share"), "added by --rules: {kpis:?}");
    let fired: Vec<(&str, &str)> = json["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter(|r| r["fired"] == true)
        .filter_map(|r| Some((r["rule"].as_str()?, r["group"].as_str()?)))
        .collect();
    assert_eq!(
        fired,
        [("paid_share_low", "key"), ("revenue_drop", "strategic")]
    );
}

#[test]
fn shipped_rules_on_the_example_data() {
    // Financial Services in 2025: conversion 14.3% -> 10.3% (< 14.3% - 2 pts) while time
    // to close 52.2 -> 114.0 days (> 52.2 * 1.1): the bottleneck rule fires there (the
    // worked example of LANGUAGE.md).
    let (code, out, err) = kpic(&[
        "eval",
        "--rules",
        "sales_conversion_rate",
        "--by",
        "industry",
        "--period",
        "2025",
        "--data",
        "examples/data",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let fired = json["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .find(|r| r["rule"] == "conversion_bottleneck" && r["group"] == "Financial Services")
        .expect("the rule ran for Financial Services");
    assert_eq!(fired["fired"], true, "{fired}");
    assert_eq!(
        fired["message"],
        "conversion fell from 14.3% to 10.3% while time to close rose from 52.2 days to \
         114.0 days: a bottleneck in the sales process"
    );
    // Retention and churn mirror each other on the example data: 73.1% + 26.9%.
    assert!(
        json["rules"]
            .as_array()
            .expect("rules")
            .iter()
            .filter(|r| r["rule"] == "retention_churn_mirror")
            .all(|r| r["fired"] == false),
        "{out}"
    );
}
