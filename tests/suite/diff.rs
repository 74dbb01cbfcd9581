//! `kpic diff`: the fixture pairs of `tests/fixtures/diff/<case>/{old,new}/` (with an
//! optional `args` file of extra flags), one snapshot each of the human and JSON
//! output; the values of the `values` case checked against numbers computed apart;
//! two git revisions of the shipped catalog in a repository made by the test; the
//! exit codes of `--fail-on` and the refusals of ambiguous sides.

use crate::support::cli::{command, kpic};
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every case folder, in name order.
fn cases() -> Vec<PathBuf> {
    let dir = root().join("tests/fixtures/diff");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/fixtures/diff")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("old").is_dir())
        .collect();
    out.sort();
    out
}

/// `kpic diff --old-path CASE/old --new-path CASE/new ARGS... EXTRA...`, paths relative
/// to the repository root (as the snapshots show them).
fn diff(case: &Path, extra: &[&str]) -> (i32, String, String) {
    let rel = case.strip_prefix(root()).expect("under the root");
    let old = rel.join("old").display().to_string();
    let new = rel.join("new").display().to_string();
    let mut args = vec![
        "diff".to_string(),
        "--old-path".into(),
        old,
        "--new-path".into(),
        new,
    ];
    if let Ok(text) = std::fs::read_to_string(case.join("args")) {
        args.extend(text.split_whitespace().map(str::to_string));
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    kpic(&args)
}

#[test]
fn fixture_pairs() {
    let all = cases();
    assert!(all.len() >= 4, "found {} cases", all.len());
    for case in all {
        let name = case
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("case")
            .to_string();
        let (code, human, err) = diff(&case, &[]);
        assert_eq!(code, 0, "{name}: {err}");
        insta::assert_snapshot!(format!("{name}_human"), human);
        let (code, json, err) = diff(&case, &["--format", "json"]);
        assert_eq!(code, 0, "{name}: {err}");
        let value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        insta::assert_json_snapshot!(format!("{name}_json"), value);
    }
}

/// The Markdown of a pull-request comment, once.
#[test]
fn markdown_of_a_change() {
    let (code, md, err) = diff(
        &root().join("tests/fixtures/diff/impact_and_rename"),
        &["--format", "markdown"],
    );
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(md);
}

/// The values of the `values` case against sums over `examples/data/orders.csv`
/// computed apart (Python, decimal):
///
/// ```python
/// rows = [r for r in csv.DictReader(open("examples/data/orders.csv"))
///         if r["order_date"].startswith("2025")]            # 193 orders
/// total = sum(Decimal(r["revenue"]) for r in rows)           # 14,192,374.93
/// old = sum(... if r["product_line"] == "Consumables")       #  3,003,892.30
/// new = sum(... if r["product_line"] in ("Consumables", "Training"))  # 3,984,095.14
/// # difference 980,202.84; shares old/total 0.211655..., new/total 0.280720...
/// ```
#[test]
fn values_are_the_sums_computed_apart() {
    let (code, json, err) = diff(
        &root().join("tests/fixtures/diff/values"),
        &["--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let rows = report["values"]["rows"].as_array().expect("rows");
    let find = |kpi: &str| {
        rows.iter()
            .find(|r| r["kpi"] == kpi)
            .unwrap_or_else(|| panic!("no row of {kpi}"))
    };
    let close = |a: &serde_json::Value, b: f64| {
        let a = a.as_f64().expect("a number");
        assert!((a - b).abs() < 1e-6 * b.abs().max(1.0), "{a} != {b}");
    };
    let revenue = find("consumables_revenue");
    close(&revenue["old_value"], 3_003_892.30);
    close(&revenue["new_value"], 3_984_095.14);
    close(&revenue["difference_value"], 980_202.84);
    let share = find("consumables_share");
    close(&share["old_value"], 3_003_892.30 / 14_192_374.93);
    close(&share["new_value"], 3_984_095.14 / 14_192_374.93);
    // Not affected, so not computed.
    assert!(rows.iter().all(|r| r["kpi"] != "order_count"), "{rows:?}");
}

/// The KPIs a case's diff lists as affected.
fn affected(case: &str) -> Vec<String> {
    let (code, json, err) = diff(
        &root().join("tests/fixtures/diff").join(case),
        &["--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    report["affected"]
        .as_array()
        .expect("affected")
        .iter()
        .filter(|a| a["item"] == "kpi")
        .filter_map(|a| a["id"].as_str().map(str::to_string))
        .collect()
}

/// A column change reaches the KPIs that read the column (or follow the relation),
/// not every KPI of its table; a target change reaches nothing.
#[test]
fn only_the_readers_of_a_column_are_affected() {
    assert_eq!(affected("column_change"), ["total_cost", "margin_rate"]);
    assert_eq!(
        affected("key_and_relation_column"),
        ["online_revenue", "premium_revenue", "premium_share"]
    );
    assert_eq!(affected("column_unit"), ["long_tickets"]);
    assert!(affected("targets_and_status").is_empty());
}

#[test]
fn fail_on_semantic_and_any() {
    let base = root().join("tests/fixtures/diff");
    let (code, _, err) = diff(&base.join("no_semantic_change"), &["--fail-on", "semantic"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, _) = diff(&base.join("no_semantic_change"), &["--fail-on", "any"]);
    assert_eq!(code, 1, "a renamed measure is a change");
    let (code, _, _) = diff(&base.join("kinds_of_change"), &["--fail-on", "semantic"]);
    assert_eq!(code, 1);
    let (code, _, _) = diff(&base.join("kinds_of_change"), &[]);
    assert_eq!(code, 0);
    // Test cases changed, the catalogs the same: a change for `any` only.
    let (code, _, err) = diff(&base.join("tests_removed"), &["--fail-on", "semantic"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, _) = diff(&base.join("tests_removed"), &["--fail-on", "any"]);
    assert_eq!(code, 1);
}

/// Runs git in `dir`, expecting success.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "kpic test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "kpic test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Copies the `.kpi` and test files of `from` into `to`.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read").flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_tree(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).expect("copy");
        }
    }
}

/// Two commits of the shipped catalog in a repository made here: the second changes
/// one measure's filter; `kpic diff HEAD~1 HEAD` and `kpic diff HEAD~1` (against the
/// work tree) name it and what it affects.
#[test]
fn two_revisions_of_the_shipped_catalog() {
    let repo = Path::new(env!("CARGO_TARGET_TMPDIR")).join("diff_git_repo");
    let _ = std::fs::remove_dir_all(&repo);
    copy_tree(&root().join("kpis"), &repo.join("kpis"));
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "catalog"]);
    let measures = repo.join("kpis/measures.kpi");
    let text = std::fs::read_to_string(&measures).expect("measures.kpi");
    let edited = text.replacen(
        "formula: sum(orders.revenue)\n",
        "formula: sum(orders.revenue where orders.product_line != \"Training\")\n",
        1,
    );
    assert_ne!(
        text, edited,
        "the measure `revenue` is where the test expects it"
    );
    std::fs::write(&measures, edited).expect("write");
    // The work tree against the last commit first, then two commits.
    let run = |args: &[&str]| {
        let out = command(args)
            .current_dir(&repo)
            .output()
            .expect("kpic runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, worktree, err) = run(&["diff", "HEAD"]);
    assert_eq!(code, 0, "{err}");
    git(&repo, &["commit", "-q", "-am", "revenue without training"]);
    let (code, out, err) = run(&["diff", "HEAD~1", "HEAD", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let changes = report["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["id"], "revenue");
    assert_eq!(changes[0]["class"], "formula");
    let affected = report["affected"].as_array().expect("affected");
    assert!(
        affected
            .iter()
            .any(|a| a["id"] == "gross_margin_percentage"),
        "{affected:?}"
    );
    let tests = report["tests"].as_array().expect("tests");
    assert!(
        !tests.is_empty(),
        "the catalog's tests of affected KPIs are listed"
    );
    // The work tree's diff said the same, in words.
    assert!(
        worktree.contains("measure revenue — changed, formula"),
        "{worktree}"
    );
    assert!(
        worktree.contains("filter added to `sum(orders.revenue)`"),
        "{worktree}"
    );
    // A name that is both a path and a revision is refused.
    git(&repo, &["branch", "kpis"]);
    let (code, _, err) = run(&["diff", "kpis", "HEAD"]);
    assert_eq!(code, 2);
    assert!(err.contains("both a path and a git revision"), "{err}");
    let (code, _, err) = run(&["diff", "no-such-thing"]);
    assert_eq!(code, 2, "{err}");
    std::fs::remove_dir_all(&repo).expect("cleanup");
}

/// A test file that cannot be read is named on standard error (its cases cannot be
/// listed as affected), not left out silently; the diff itself still runs.
#[test]
fn an_unreadable_test_file_is_named() {
    let work = root().join("target/kpic-test-diff-unreadable");
    let _ = std::fs::remove_dir_all(&work);
    let case = root().join("tests/fixtures/diff/no_semantic_change");
    copy_tree(&case.join("old"), &work.join("old"));
    copy_tree(&case.join("new"), &work.join("new"));
    std::fs::write(work.join("new/broken.test.toml"), "[[case]\nname = ").expect("write");
    let old = work.join("old").display().to_string();
    let new = work.join("new").display().to_string();
    let (code, _, err) = kpic(&["diff", "--old-path", &old, "--new-path", &new]);
    let _ = std::fs::remove_dir_all(&work);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("broken.test.toml") && err.contains("cannot be read"),
        "{err}"
    );
}

/// The `values` case's value rows, computed with `ENGINE_FLAGS` (none: natively over
/// `--data examples/data`, from the case's `args`).
fn value_rows(engine_flags: &[&str]) -> serde_json::Value {
    let mut extra = vec!["--format", "json"];
    extra.extend(engine_flags);
    let (code, json, err) = diff(&root().join("tests/fixtures/diff/values"), &extra);
    assert_eq!(code, 0, "{engine_flags:?}: {err}");
    let report: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let rows = report["values"]["rows"].clone();
    assert!(
        rows.as_array().is_some_and(|r| !r.is_empty()),
        "{engine_flags:?}: no rows in {report}"
    );
    rows
}

/// `--engine duckdb`: the old and new values computed by DuckDB on the example dataset
/// (the database of `cli_eval_duckdb`) are the native ones, row for row.
#[test]
fn values_on_duckdb_are_the_native_ones() {
    let db = crate::cli_eval_duckdb::database()
        .to_str()
        .expect("UTF-8 path")
        .to_string();
    let cli = crate::support::duckdb::cli();
    let cli = cli.to_str().expect("UTF-8 path");
    let mut flags = vec!["--engine", "duckdb", "--database", &db, "--duckdb-cli", cli];
    flags.extend(crate::cli_eval_duckdb::MAPPING);
    assert_eq!(value_rows(&flags), value_rows(&[]));
}

/// `--engine postgres`: the same on PostgreSQL (the example dataset in schema `example`
/// of the shared test server).
#[test]
fn values_on_postgres_are_the_native_ones() {
    let url = crate::sql_differential::example_db();
    let flags = ["--engine", "postgres", "--url", url, "--schema", "example"];
    assert_eq!(value_rows(&flags), value_rows(&[]));
}
