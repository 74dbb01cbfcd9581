//! Small-sample flags and Wilson intervals in `kpic eval`'s output formats, and the
//! project's `[eval] min_sample` (the data of the corpus case
//! `sample_proportion_by_segment`).

use crate::support::cli::{command, kpic};

const CASE: &str = "tests/fixtures/eval/sample_proportion_by_segment";

fn args(extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "eval",
        "--catalog",
        &format!("{CASE}/catalog.kpi"),
        "--data",
        &format!("{CASE}/data"),
        "--period",
        "2025-Q1",
        "--by",
        "tier",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn eval(extra: &[&str]) -> (i32, String, String) {
    let args = args(extra);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    kpic(&args)
}

#[test]
fn every_format_shows_the_sample_flags() {
    for format in ["table", "json", "csv", "markdown"] {
        let (code, out, err) = eval(&["--format", format]);
        assert_eq!(code, 0, "{format}: {err}");
        insta::assert_snapshot!(format!("samples_{format}"), out);
    }
}

#[test]
fn intervals_are_shown_on_request() {
    let (_, plain, _) = eval(&[]);
    assert!(!plain.contains("interval"), "{plain}");
    // CSV adds the sample and interval columns on request only: a CSV reader's
    // columns stay as they were.
    for format in ["table", "markdown", "csv"] {
        let (code, out, err) = eval(&["--intervals", "--format", format]);
        assert_eq!(code, 0, "{format}: {err}");
        insta::assert_snapshot!(format!("samples_intervals_{format}"), out);
    }
}

#[test]
fn the_project_threshold_applies_to_kpis_without_their_own() {
    // A project whose threshold is 2: strategic's 4 deals are no longer a small
    // sample, key's 1 still is; win_points keeps its own min_sample: 3.
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("kpic.toml"), "[eval]\nmin_sample = 2\n")
        .expect("write kpic.toml");
    let root = env!("CARGO_MANIFEST_DIR");
    let mut args = args(&["win_rate", "win_points", "--format", "json"]);
    for a in &mut args {
        if a.starts_with(CASE) {
            *a = format!("{root}/{a}");
        }
    }
    let out = command(&args.iter().map(String::as_str).collect::<Vec<_>>())
        .current_dir(dir.path())
        .output()
        .expect("kpic runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let samples: Vec<(String, String, u64, u64, bool)> = json["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            let s = &r["sample"];
            (
                r["kpi"].as_str().unwrap_or_default().to_string(),
                r["group"].as_str().unwrap_or_default().to_string(),
                s["n"].as_u64().unwrap_or_default(),
                s["min"].as_u64().unwrap_or_default(),
                s["small"].as_bool().unwrap_or_default(),
            )
        })
        .collect();
    let row = |k: &str, g: &str, n, min, small| (k.to_string(), g.to_string(), n, min, small);
    assert_eq!(
        samples,
        [
            row("win_rate", "key", 1, 2, true),
            row("win_rate", "strategic", 4, 2, false),
            row("win_points", "key", 1, 3, true),
            row("win_points", "strategic", 4, 3, false),
        ]
    );
}
