//! `kpic test` as a user runs it: passing cases (values worked out by hand in the
//! fixtures' comments), every kind of failure with its report, the JSON and GitHub
//! outputs, `--filter`, and the project template's own tests.

use crate::support::cli::kpic;

const PASSING: &str = "tests/fixtures/kpitest/passing.test.toml";
const FAILURES: &str = "tests/fixtures/kpitest/failures.test.toml";

#[test]
fn passing_cases_exit_zero() {
    let (code, out, err) = kpic(&["test", PASSING]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("ok ")).count(),
        4,
        "{out}"
    );
    assert!(err.contains("4 cases: 4 passed, 0 failed"), "{err}");
    let (code, out, err) = kpic(&["test", PASSING, "--filter", "win_rate"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 2, "{out}");
}

#[test]
fn failures_are_reported_with_expected_actual_and_the_trace() {
    let (code, out, err) = kpic(&["test", FAILURES]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("6 cases: 0 passed, 6 failed"), "{err}");
    insta::assert_snapshot!("kpic_test_failures_human", out);
    let (code, out, _) = kpic(&["test", FAILURES, "--format", "github"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("kpic_test_failures_github", out);
    let (code, out, _) = kpic(&["test", FAILURES, "--format", "json"]);
    assert_eq!(code, 1);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(doc["summary"]["failed"], 6, "{out}");
    let outcomes: Vec<&str> = doc["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| c["outcome"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        outcomes,
        ["fail", "error", "error", "error", "fail", "fail"]
    );
    assert_eq!(doc["cases"][0]["mismatches"][0]["expected"], "1,000.00");
    assert_eq!(doc["cases"][0]["line"], 8);
}

#[test]
fn the_project_template_passes_its_own_tests() {
    let (code, out, err) = kpic(&[
        "test",
        "--catalog",
        "templates/init/kpis",
        "templates/init/kpis",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(err.contains("3 cases: 3 passed"), "{err}");
}

#[test]
fn no_test_file_is_a_usage_error() {
    let (code, _, err) = kpic(&["test", "tests/fixtures/parse"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no test file"), "{err}");
}

/// The shipped catalog's own tests (`kpis/tests/`, a file per KPI, values worked out by
/// hand in their comments) all pass: CI runs them with the rest of the suite.
#[test]
fn the_shipped_catalog_passes_its_own_tests() {
    let (code, out, err) = kpic(&["test", "kpis"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let files = std::fs::read_dir("kpis/tests")
        .expect("kpis/tests")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".test.toml"))
        })
        .count();
    let kpis = std::fs::read_dir("kpis")
        .expect("kpis")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".kpi"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .map(|text| text.lines().filter(|l| l.starts_with("kpi ")).count())
        .sum::<usize>();
    assert_eq!(files, kpis, "a test file per KPI of the shipped catalog");
    assert!(err.contains("130 cases: 130 passed, 0 failed"), "{err}");
}
