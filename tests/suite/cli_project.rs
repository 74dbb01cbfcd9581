//! Project conventions as a user meets them: `kpic.toml` found from a subfolder, its
//! settings overridden by flags, lint levels, `--catalog` and `--demo` for every catalog
//! command, `kpic show` of measures and tables, and what kpic says outside a project.

use crate::support::cli::{command, kpic, ok};
use std::path::Path;

/// Runs `kpic ARGS` in `dir`: exit code, stdout, stderr.
fn kpic_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = command(args).current_dir(dir).output().expect("kpic runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A project folder with the shipped catalog, the example data and `toml` as its
/// `kpic.toml`, plus an empty subfolder `work/`.
fn project(toml: &str) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("kpic-project-")
        .tempdir()
        .expect("temporary folder");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (from, to) in [("kpis", "catalog"), ("examples/data", "data")] {
        let target = dir.path().join(to);
        std::fs::create_dir_all(&target).expect("folder");
        for entry in std::fs::read_dir(repo.join(from)).expect("shipped folder") {
            let entry = entry.expect("entry");
            // The catalog's files only: its tests (`kpis/tests/`) are a folder.
            if entry.path().is_dir() {
                continue;
            }
            std::fs::copy(entry.path(), target.join(entry.file_name())).expect("copy");
        }
    }
    std::fs::create_dir_all(dir.path().join("work")).expect("folder");
    std::fs::write(dir.path().join("kpic.toml"), toml).expect("kpic.toml");
    dir
}

const SETTINGS: &str = "[catalog]\npaths = [\"catalog\"]\n[data]\nfolder = \"data\"\n\
                        [eval]\nperiod = \"2025-Q3\"\ncompare = \"year-ago\"\n";

#[test]
fn a_project_file_is_found_from_a_subfolder_and_its_settings_apply() {
    let dir = project(SETTINGS);
    let work = dir.path().join("work");
    let (code, out, err) = kpic_in(&work, &["eval", "win_rate", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let results: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(results["period"], "2025-Q3", "{out}");
    assert_eq!(results["previous_period"], "2024-Q3", "{out}");
    // The same as giving every setting as a flag in the repository.
    let flags = ok(&[
        "eval",
        "win_rate",
        "--format",
        "json",
        "--period",
        "2025-Q3",
        "--compare",
        "year-ago",
    ]);
    assert_eq!(out, flags);
    // Flags override the file.
    let (code, out, err) = kpic_in(
        &work,
        &[
            "eval",
            "win_rate",
            "--format",
            "json",
            "--period",
            "2025",
            "--compare",
            "previous",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let results: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(results["period"], "2025");
    assert_eq!(results["previous_period"], "2024");
    // Every catalog command reads the project's catalog.
    for args in [
        &["check"][..],
        &["list"],
        &["show", "win_rate"],
        &["search", "churn"],
        &["export", "--format", "json"],
        &["sql", "win_rate"],
    ] {
        let (code, _, err) = kpic_in(&work, args);
        assert_eq!(code, 0, "kpic {args:?}: {err}");
    }
}

#[test]
fn lint_levels_allow_and_deny() {
    // A KPI without its documentation attributes: K0401 warnings.
    let dir = project("[catalog]\npaths = [\"catalog\", \"draft.kpi\"]\n");
    std::fs::write(
        dir.path().join("draft.kpi"),
        "kpi draft_orders {\n  name: \"Draft orders\"\n  category: revenue\n  unit: count\n  \
         better: higher\n  formula: count(orders)\n}\n",
    )
    .expect("draft");
    let (code, _, err) = kpic_in(dir.path(), &["check"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("K0401"), "{err}");
    assert!(!err.contains(" 0 warnings"), "{err}");

    let text = std::fs::read_to_string(dir.path().join("kpic.toml")).expect("toml");
    std::fs::write(
        dir.path().join("kpic.toml"),
        format!("{text}[lints]\nK0401 = \"allow\"\n"),
    )
    .expect("toml");
    let (code, _, err) = kpic_in(dir.path(), &["check"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("K0401"), "{err}");
    assert!(err.contains("0 errors, 0 warnings"), "{err}");

    std::fs::write(
        dir.path().join("kpic.toml"),
        format!("{text}[lints]\nK0401 = \"deny\"\n"),
    )
    .expect("toml");
    let (code, _, err) = kpic_in(dir.path(), &["check"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("K0401"), "{err}");
    // A denied lint is an error for every command that loads the catalog.
    let (code, _, err) = kpic_in(dir.path(), &["list"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("run `kpic check`"), "{err}");
}

#[test]
fn an_invalid_project_file_is_named_with_the_problem() {
    let dir = project("[catalog]\npath = [\"catalog\"]\n");
    let (code, _, err) = kpic_in(dir.path(), &["list"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("kpic.toml"), "{err}");
    assert!(err.contains("unknown field `path`"), "{err}");

    let dir = project("[lints]\nK0201 = \"allow\"\n");
    let (code, _, err) = kpic_in(dir.path(), &["check"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("K0201") && err.contains("not a lint"), "{err}");
}

#[test]
fn outside_a_project_commands_say_how_to_start() {
    let dir = tempfile::Builder::new()
        .prefix("kpic-noproject-")
        .tempdir()
        .expect("temporary folder");
    for args in [&["check"][..], &["list"], &["eval"], &["show", "win_rate"]] {
        let (code, _, err) = kpic_in(dir.path(), args);
        assert_eq!(code, 2, "kpic {args:?}: {err}");
        assert!(err.contains("no catalog here"), "{err}");
        assert!(err.contains("--demo") && err.contains("kpic init"), "{err}");
    }
    // `--demo` works for every browsing command, from any folder.
    for args in [
        &["list", "--demo"][..],
        &["show", "win_rate", "--demo"],
        &["search", "churn", "--demo"],
        &["check", "--demo"],
        &["export", "--demo", "--format", "json"],
    ] {
        let (code, out, err) = kpic_in(dir.path(), args);
        assert_eq!(code, 0, "kpic {args:?}: {err}");
        assert!(!out.is_empty() || !err.is_empty());
    }
}

#[test]
fn catalog_flag_works_for_every_catalog_command() {
    for args in [
        &["check", "--catalog", "kpis"][..],
        &["list", "--catalog", "kpis"],
        &["show", "win_rate", "--catalog", "kpis"],
        &["search", "churn", "--catalog", "kpis"],
    ] {
        let (code, _, err) = kpic(args);
        assert_eq!(code, 0, "kpic {args:?}: {err}");
    }
}

#[test]
fn show_pages_of_a_measure_and_a_table() {
    insta::assert_snapshot!("show_measure_revenue", ok(&["show", "revenue"]));
    insta::assert_snapshot!("show_table_orders", ok(&["show", "orders"]));
}

#[test]
fn init_makes_a_project_that_checks_and_evaluates_at_once() {
    let dir = tempfile::Builder::new()
        .prefix("kpic-init-")
        .tempdir()
        .expect("temporary folder");
    let (code, out, err) = kpic_in(dir.path(), &["init", "shop"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("cd shop && kpic check && kpic eval"), "{out}");
    let shop = dir.path().join("shop");
    let (code, _, err) = kpic_in(&shop, &["check"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("0 errors, 0 warnings"), "{err}");
    // From a subfolder, the default period is the latest complete year of the data
    // (its last order is dated 2026-01-12): 2025.
    let (code, out, err) = kpic_in(&shop.join("kpis"), &["eval", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let results: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(results["period"], "2025", "{out}");
    let row = &results["rows"][0];
    assert_eq!(row["kpi"], "average_order_value", "{out}");
    // 2025: orders O4–O7, (1,800 + 600 + 3,000 + 900) / 4 = 1,575;
    // 2024: orders O1–O3, (1,200 + 450 + 2,100) / 3 = 1,250.
    assert_eq!(row["value"]["value"], 1575.0, "{out}");
    assert_eq!(row["previous"]["value"], 1250.0, "{out}");
    // A second init into the same folder writes nothing.
    let before = std::fs::read(shop.join("kpis/revenue.kpi")).expect("file");
    let (code, _, err) = kpic_in(dir.path(), &["init", "shop"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("not a new project") && err.contains("kpic.toml"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(shop.join("kpis/revenue.kpi")).expect("file"),
        before
    );
}
