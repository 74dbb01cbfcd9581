//! Data-driven loading tests: every folder under `tests/fixtures/data/` is a dataset
//! loaded against `tests/fixtures/data/model.kpi`; what loading reports (every error,
//! or each table's rows and missing cells) is pinned in a snapshot that starts with the
//! case's description.

use std::path::Path;

const MODEL: &str = include_str!("../fixtures/data/model.kpi");

/// What loading `dir` reports, with the folder's path replaced by `DATA`.
fn report(dir: &Path) -> String {
    let checked = kpic::check_texts([("model.kpi", MODEL)]);
    assert_eq!(checked.error_count(), 0, "{:?}", checked.diagnostics);
    match kpic::data::load_dataset(&checked.catalog, dir) {
        Err(report) => {
            let mut lines: Vec<String> = report
                .errors
                .iter()
                .map(|e| e.to_string().replace(&dir.display().to_string(), "DATA"))
                .collect();
            if report.more_errors > 0 {
                lines.push(format!("... and {} more", report.more_errors));
            }
            format!("refused:\n{}", lines.join("\n"))
        }
        Ok(data) => {
            let mut out = String::from("loaded:\n");
            for (name, table) in &data.tables {
                out.push_str(&format!("  {name}: {} rows\n", table.rows));
                for (col, column) in &table.columns {
                    let missing = (0..table.rows).filter(|i| column.is_missing(*i)).count();
                    if missing > 0 {
                        out.push_str(&format!("    {col}: {missing} missing\n"));
                    }
                }
            }
            out
        }
    }
}

#[test]
fn data_fixtures() {
    insta::glob!("../fixtures", "data/*/case.txt", |case| {
        let dir = case.parent().expect("case folder");
        let about = std::fs::read_to_string(case).expect("case.txt");
        insta::assert_snapshot!(format!("{}\n{}", about.trim(), report(dir)));
    });
}

/// A table "file" that is a FIFO is refused at once instead of blocking forever.
#[cfg(unix)]
#[test]
fn a_fifo_is_not_read() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path();
    std::fs::write(dir.join("accounts.csv"), "account_id,tier\nA,x\n").expect("write");
    let status = std::process::Command::new("mkfifo")
        .arg(dir.join("orders.csv"))
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    let text = report(dir);
    assert!(
        text.contains("DATA/orders.csv: not a regular file"),
        "{text}"
    );
}
