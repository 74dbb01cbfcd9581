//! The member counts of KPIs over members (`avg(x per accounts)`) in every output
//! format: a `members` note in the table, two columns in CSV, a `members` object in
//! JSON. (That every engine reports the same counts is the corpus's `members`.)

use crate::support::cli;

const CASE: &str = "tests/fixtures/eval/grain_median_by_segment";

fn eval(format: &str) -> String {
    cli::ok(&[
        "eval",
        "median_key",
        "median_all",
        "--catalog",
        &format!("{CASE}/catalog.kpi"),
        "--data",
        &format!("{CASE}/data"),
        "--period",
        "2025",
        "--by",
        "tier",
        "--format",
        format,
    ])
}

#[test]
fn table_notes_members_counted_and_skipped() {
    insta::assert_snapshot!(eval("table"));
}

#[test]
fn csv_has_member_count_columns() {
    insta::assert_snapshot!(eval("csv"));
}

#[test]
fn json_has_a_members_object() {
    insta::assert_snapshot!(eval("json"));
}

#[test]
fn kpis_not_over_members_have_no_member_columns() {
    let case = "tests/fixtures/eval/grain_previous";
    let out = cli::ok(&[
        "eval",
        "mean_growth",
        "--catalog",
        &format!("{case}/catalog.kpi"),
        "--data",
        &format!("{case}/data"),
        "--period",
        "2025-Q2",
        "--format",
        "csv",
    ]);
    assert!(!out.contains("members"), "{out}");
}
