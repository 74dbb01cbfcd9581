//! The `kpic check` and `kpic explain` commands as a user runs them: exit codes and
//! the JSON and GitHub outputs (snapshot-tested).

use crate::support::cli::kpic;

const PRELUDE: &str = "tests/fixtures/prelude.kpi";

#[test]
fn clean_input_exits_zero() {
    let (code, _, err) = kpic(&[
        "check",
        PRELUDE,
        "tests/fixtures/diagnostics/clean_full_kpi.kpi",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("0 errors, 0 warnings"), "{err}");
}

#[test]
fn errors_exit_one() {
    let (code, _, err) = kpic(&[
        "check",
        PRELUDE,
        "tests/fixtures/diagnostics/K0201_unit_mismatch.kpi",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("K0201"), "{err}");
    assert!(err.contains("K0201_unit_mismatch.kpi:2:32"), "{err}");
}

#[test]
fn warnings_fail_only_when_denied() {
    let file = "tests/fixtures/diagnostics/K0402_percent_times_hundred.kpi";
    let (code, _, _) = kpic(&["check", PRELUDE, file]);
    assert_eq!(code, 0);
    let (code, _, _) = kpic(&["check", "--deny", "warnings", PRELUDE, file]);
    assert_eq!(code, 1);
}

#[test]
fn missing_path_and_bad_flags_exit_two() {
    let (code, _, err) = kpic(&["check", "no/such/folder"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no/such/folder: cannot read: no such file or folder"),
        "{err}"
    );
    let (code, _, _) = kpic(&["check", "--format", "xml", PRELUDE]);
    assert_eq!(code, 2);
    let (code, _, err) = kpic(&["explain", "K9999"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a kpic diagnostic code"), "{err}");
}

#[test]
fn json_output() {
    let (code, out, _) = kpic(&[
        "check",
        "--format",
        "json",
        PRELUDE,
        "tests/fixtures/diagnostics/K0203_declared_unit.kpi",
    ]);
    assert_eq!(code, 1);
    let parsed: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(parsed["summary"]["errors"], 2);
    insta::assert_snapshot!(out);
}

#[test]
fn github_output() {
    let (code, out, _) = kpic(&[
        "check",
        "--format",
        "github",
        PRELUDE,
        "tests/fixtures/diagnostics/K0304_unguarded_optional.kpi",
    ]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(out);
}

#[test]
fn explain_prints_the_long_text() {
    let (code, out, _) = kpic(&["explain", "k0301"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("K0301: column used outside an aggregate"),
        "{out}"
    );
    let (code, out, _) = kpic(&["explain"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), kpic::Code::ALL.len());
}
