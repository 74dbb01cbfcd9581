//! Reading a file in byte ranges on every core gives what reading it in one piece
//! gives: the same columns (text codes in the same first-seen order) and the same
//! errors at the same lines, on the data fixtures, the evaluation corpus and files
//! made to put cuts inside quoted cells, after CRLF line ends and a byte-order mark.

use std::path::Path;

const MODEL: &str = include_str!("../fixtures/data/model.kpi");

/// Everything loading gives: each table's columns in full, or every error.
fn dump(result: Result<kpic::data::Dataset, kpic::data::LoadReport>) -> String {
    match result {
        Ok(data) => format!("{:?}\n{:?}", data.tables, data.absent),
        Err(report) => format!("{:?}\n{}", report.errors, report.more_errors),
    }
}

/// Loads `dir` in one piece and in ranges of several sizes; all must agree.
fn agree(catalog: &kpic::ir::Catalog, dir: &Path) {
    let whole = dump(kpic::data::load_dataset(catalog, dir));
    for bytes in [1, 7, 64, 1000] {
        let split = dump(kpic::data::load_dataset_in_ranges(catalog, dir, bytes));
        assert_eq!(
            whole,
            split,
            "{}: ranges of {bytes} bytes differ",
            dir.display()
        );
    }
}

#[test]
fn ranges_agree_on_the_data_fixtures() {
    let checked = kpic::check_texts([("model.kpi", MODEL)]);
    assert_eq!(checked.error_count(), 0, "{:?}", checked.diagnostics);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/data");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("fixtures")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() > 10);
    for dir in dirs {
        agree(&checked.catalog, &dir);
    }
}

#[test]
fn ranges_agree_on_the_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eval");
    let mut n = 0;
    for entry in std::fs::read_dir(&root).expect("corpus").flatten() {
        let case = entry.path();
        let Ok(own) = std::fs::read_to_string(case.join("catalog.kpi")) else {
            continue;
        };
        let checked = kpic::check_texts([("c.kpi", own.as_str())]);
        assert_eq!(checked.error_count(), 0, "{}", case.display());
        agree(&checked.catalog, &case.join("data"));
        n += 1;
    }
    assert!(n > 20);
}

/// Orders with quoted cells spanning lines (so that small ranges cut inside them),
/// a field no model column reads, CRLF line ends and a byte-order mark; `bad` puts a
/// bad amount on that row.
fn tricky_orders(rows: usize, bad: Option<usize>) -> String {
    let mut out = String::from("\u{feff}order_id,note,account_id,order_date,revenue\r\n");
    for i in 0..rows {
        let note = if i % 3 == 0 {
            format!("\"Line one of {i}\r\nline \"\"two\"\"\n,three\"")
        } else {
            format!("note {i}")
        };
        let revenue = if bad == Some(i) { "12,50" } else { "12.50" };
        out.push_str(&format!(
            "O{i:05},{note},A{},2025-01-{:02},\"{revenue}\"\r\n",
            i % 4,
            i % 28 + 1
        ));
    }
    out
}

#[test]
fn ranges_agree_on_quoted_newlines_crlf_bom_and_a_late_error() {
    let checked = kpic::check_texts([("model.kpi", MODEL)]);
    assert_eq!(checked.error_count(), 0, "{:?}", checked.diagnostics);
    for bad in [None, Some(150)] {
        let dir = tempfile::tempdir().expect("temp dir");
        let orders = tricky_orders(200, bad);
        std::fs::write(dir.path().join("orders.csv"), &orders).expect("write");
        std::fs::write(
            dir.path().join("accounts.csv"),
            "account_id,tier\nA0,gold\nA1,gold\nA2,silver\nA3,silver\n",
        )
        .expect("write");
        let whole = dump(kpic::data::load_dataset(&checked.catalog, dir.path()));
        assert_eq!(whole.contains("12,50"), bad.is_some(), "{whole}");
        // Ranges of a quarter of the file: the third holds the bad row.
        let quarter = orders.len() as u64 / 4 + 1;
        for bytes in [1, 5, 33, 200, quarter] {
            let split = dump(kpic::data::load_dataset_in_ranges(
                &checked.catalog,
                dir.path(),
                bytes,
            ));
            assert_eq!(whole, split, "ranges of {bytes} bytes");
        }
    }
}
