//! An empty catalog (a folder without `.kpi` files, or files without a KPI) is an error
//! that says so, for `check` and `eval`, instead of a clean check and an `eval` that
//! blames the data.

use crate::support::cli::kpic;

#[test]
fn a_folder_without_kpi_files_is_refused() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().display().to_string();
    for args in [vec!["check", &path], vec!["eval", "--catalog", &path]] {
        let (code, _, err) = kpic(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert_eq!(
            err,
            format!(
                "error: {path}: no .kpi files here; a catalog is one or more .kpi files (or folders of them)\n"
            )
        );
    }
}

#[test]
fn a_catalog_without_a_kpi_is_refused() {
    let model = "tests/fixtures/data/model.kpi";
    let message = "error: the catalog defines no KPI (1 file read); add a `kpi NAME { ... }` or give the folder that holds the KPIs\n";
    let (code, _, err) = kpic(&["check", model]);
    assert_eq!(code, 1, "{err}");
    assert!(err.ends_with(message), "{err}");
    let (code, out, err) = kpic(&["check", "--format", "json", model]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(err, message);
    let (code, _, err) = kpic(&[
        "eval",
        "--catalog",
        model,
        "--data",
        "tests/fixtures/data/mapped_names",
    ]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(err, message);
}
