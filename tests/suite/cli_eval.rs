//! `kpic eval` as a user runs it: the demo with no set-up, every output format, the
//! explanation, and clear errors for bad flags and bad data.

use crate::support::cli::{command, kpic};

#[test]
fn demo_runs_with_no_setup_for_the_latest_complete_year() {
    let (code, out, err) = kpic(&["eval"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("period 2025 (previous: 2024)"), "{out}");
    // 53 KPIs, the pipeline split into its 4 open stages: 56 rows + 2 header lines;
    // then, after a blank line, the rules that fired (kpis/rules.kpi).
    let (values, rules) = out.split_once("\n\n").unwrap_or((&out, ""));
    assert_eq!(values.lines().count(), 58, "{out}");
    assert!(rules.starts_with("Rules that fired"), "{out}");
    assert!(
        err.is_empty(),
        "no progress noise when stderr is not a terminal: {err}"
    );
}

#[test]
fn table_output() {
    let (code, out, _) = kpic(&[
        "eval",
        "--period",
        "2025-Q4",
        "win_rate",
        "sales_pipeline",
        "churn_rate",
    ]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(out);
}

#[test]
fn csv_json_and_markdown_outputs() {
    let args = [
        "eval",
        "--period",
        "2025",
        "--by",
        "tier",
        "win_rate",
        "average_order_value",
    ];
    let (_, csv, _) = kpic(&[&args[..], &["--format", "csv"]].concat());
    insta::assert_snapshot!("csv", csv);
    let (_, md, _) = kpic(&[&args[..], &["--format", "markdown"]].concat());
    insta::assert_snapshot!("markdown", md);
    let (_, json, _) = kpic(&[&args[..], &["--format", "json"]].concat());
    let parsed: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(parsed["period"], "2025");
    assert_eq!(parsed["rows"].as_array().map(Vec::len), Some(6));
}

#[test]
fn explain_shows_each_step_with_rows() {
    let (code, out, _) = kpic(&[
        "eval",
        "--period",
        "2025",
        "--explain",
        "average_order_value",
    ]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(out);
}

#[test]
fn bad_flags_exit_two_with_a_clear_message() {
    for (args, message) in [
        (
            &["eval", "--period", "2025-Q5"][..],
            "quarters are Q1 to Q4",
        ),
        (&["eval", "--period", "last year"][..], "is not a period"),
        (&["eval", "win_rte"][..], "did you mean `win_rate`?"),
        (
            &["eval", "--by", "industy"][..],
            "is not a dimension of accounts",
        ),
        (
            &["eval", "--data", "no/such/dir"][..],
            "no such data folder",
        ),
        (&["eval", "--where", "tier"][..], "write COLUMN=VALUE"),
        (
            &["eval", "--where", "tier=nobody"][..],
            "no account matches the filters",
        ),
    ] {
        let (code, _, err) = kpic(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: {err}");
    }
}

#[test]
fn bad_data_exits_one_and_computes_nothing() {
    let temp = tempfile::tempdir().expect("dir");
    let dir = temp.path();
    for entry in std::fs::read_dir("examples/data").expect("data") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, dir.join(path.file_name().expect("name"))).expect("copy");
    }
    let orders = std::fs::read_to_string(dir.join("orders.csv")).expect("orders");
    let broken = orders.replacen(",2024-01-03,", ",03/01/2024,", 1);
    std::fs::write(dir.join("orders.csv"), broken).expect("write");
    let (code, out, err) = kpic(&["eval", "--data", dir.to_str().expect("utf-8 path")]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(
        err.contains("orders.csv:2 column `order_date` value \"03/01/2024\": not a date"),
        "{err}"
    );
    assert!(err.contains("no KPI was computed"), "{err}");
}

#[test]
fn demo_runs_from_any_folder() {
    // An empty folder, which is also where the demo is unpacked (TMPDIR): removed after.
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let out = command(&["eval", "--demo", "--format", "csv", "sales_growth"])
        .current_dir(elsewhere.path())
        .env("TMPDIR", elsewhere.path())
        .output()
        .expect("kpic runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    // 2025 against 2024, as in examples/expected/2025.json.
    assert!(
        text.contains("sales_growth,,,percent,0.0971791106787"),
        "{text}"
    );
}

/// `kpic eval ... | head -1` and `kpic sql ... | head -1`: the reader closes the pipe
/// early; kpic stops quietly with success instead of panicking on the write.
#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::io::Read;
    for args in [
        // Both outputs are larger than a pipe's buffer, so the write meets the closed
        // pipe.
        &["eval", "--per-account", "--format", "csv"][..],
        &[
            "sql",
            "--dialect",
            "duckdb",
            "--period",
            "2025",
            "--per-account",
        ],
    ] {
        let mut child = command(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("kpic starts");
        let mut first = [0u8; 16];
        let mut stdout = child.stdout.take().expect("stdout");
        stdout.read_exact(&mut first).expect("some output");
        drop(stdout);
        let out = child.wait_with_output().expect("kpic ends");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    }
}
