//! Targets, gaps and statuses in `kpic eval`'s output formats, `--status` and
//! `--fail-on` (the data of the corpus case `target_by_segment`).

use crate::support::cli::kpic;

const CASE: &str = "tests/fixtures/eval/target_by_segment";

fn eval(extra: &[&str]) -> (i32, String, String) {
    let catalog = format!("{CASE}/catalog.kpi");
    let data = format!("{CASE}/data");
    let mut args = vec![
        "eval",
        "--catalog",
        &catalog,
        "--data",
        &data,
        "--period",
        "2025",
        "--by",
        "tier",
    ];
    args.extend_from_slice(extra);
    kpic(&args)
}

#[test]
fn every_format_shows_target_gap_and_status() {
    for format in ["table", "json", "csv", "markdown"] {
        let (code, out, err) = eval(&["--format", format]);
        assert_eq!(code, 0, "{format}: {err}");
        // Not a terminal: no colour codes.
        assert!(!out.contains('\u{1b}'), "{format}: {out}");
        insta::assert_snapshot!(format!("targets_{format}"), out);
    }
}

#[test]
fn status_lists_only_rows_of_that_status() {
    let (code, out, err) = eval(&["--status", "red"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("targets_status_red", out);
    let (code, out, _) = eval(&["--status", "amber", "--status", "red", "--format", "csv"]);
    assert_eq!(code, 0);
    let statuses: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth_back(1).unwrap_or_default())
        .collect();
    assert_eq!(statuses, ["red", "amber"], "{out}");
}

#[test]
fn fail_on_sets_the_exit_code_after_printing() {
    // strategic revenue is red, strategic orders amber.
    let (code, out, _) = eval(&["--fail-on", "red"]);
    assert_eq!(code, 1);
    assert!(out.contains("strategic"), "printed first: {out}");
    let (code, _, _) = eval(&["--fail-on", "amber", "--status", "green"]);
    assert_eq!(code, 1, "amber fails on amber or red, whatever is listed");
    let (code, _, _) = eval(&[]);
    assert_eq!(code, 0, "no --fail-on: the exit code is unchanged");
    // No red row: --fail-on red passes.
    let (code, _, err) = eval(&["orders_placed", "--fail-on", "red"]);
    assert_eq!(code, 0, "{err}");
}
