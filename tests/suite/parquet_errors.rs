//! Parquet input at its edges, on files written in the test with the `parquet` crate:
//! every stored type against the declared one (exact decimals, timestamps in whole
//! seconds, nulls), the errors (snapshotted), mappings, a file next to its CSV, row
//! groups skipped by their dates, and damaged files (an error, never a panic).

use crate::support::cli::kpic;
use crate::support::parquet::{Col, Values, col, dates, decimals, text, write};
use parquet::basic::{LogicalType, TimeUnit};
use std::path::Path;

const CATALOG: &str = r#"
category c { name: "Cases" }

table accounts {
  account_id: text key
}

table orders {
  order_id: text key
  account_id: text -> accounts
  order_date: date time
  revenue: money
  units: int optional
  score: number optional
  paid_at: datetime optional
  rush: bool optional
}

kpi revenue { name: "Revenue" category: c unit: money better: higher formula: sum(orders.revenue) }
kpi units { name: "Units" category: c unit: count better: higher formula: sum(orders.units) }
kpi score { name: "Score" category: c unit: number better: higher formula: sum(orders.score) }
kpi rush { name: "Rush orders" category: c unit: count better: lower formula: count(orders where orders.rush) }
kpi growth { name: "Growth" category: c unit: money better: higher formula: sum(orders.revenue) - previous(sum(orders.revenue)) }
kpi paid_late { name: "Hours to pay" category: c unit: hours better: lower formula: sum(hours_between(orders.order_date, orders.paid_at) where orders.paid_at is not missing) }
"#;

/// A data folder with `accounts.csv` (A1, A2), the catalog beside it; returns
/// (temp dir, data dir, catalog path).
fn dataset() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    std::fs::create_dir(&data).expect("data dir");
    std::fs::write(data.join("accounts.csv"), "account_id\nA1\nA2\n").expect("accounts");
    let catalog = dir.path().join("catalog.kpi");
    std::fs::write(&catalog, CATALOG).expect("catalog");
    (dir, data, catalog)
}

/// Three good orders of 2025, columns in every type.
fn orders(revenue: Col) -> Vec<Col> {
    vec![
        text("order_id", &["o1", "o2", "o3"]),
        text("account_id", &["A1", "A2", "A1"]),
        dates("order_date", &["2025-01-10", "2025-02-11", "2025-03-12"]),
        revenue,
        col("units", None, Values::I64(vec![Some(2), None, Some(5)])),
        col(
            "score",
            None,
            Values::F64(vec![Some(0.5), Some(1.25), None]),
        ),
        col(
            "paid_at",
            Some(LogicalType::timestamp(true, TimeUnit::NANOS)),
            // 2025-01-10 01:00:00, 2025-02-11 00:00:30, null.
            Values::I64(vec![
                Some((20_098 * 86_400 + 3_600) * 1_000_000_000),
                Some((20_130 * 86_400 + 30) * 1_000_000_000),
                None,
            ]),
        ),
        col(
            "rush",
            None,
            Values::Bool(vec![Some(true), Some(false), None]),
        ),
    ]
}

/// `kpic eval KPIS --period 2025 --format csv` over `data`: (exit code, stdout,
/// stderr with the temp folder written as DIR).
fn eval(data: &Path, catalog: &Path, kpis: &[&str], period: &str) -> (i32, String, String) {
    let d = data.display().to_string();
    let c = catalog.display().to_string();
    let args: Vec<&str> = [
        &["eval"][..],
        kpis,
        &[
            "--period",
            period,
            "--format",
            "csv",
            "--data",
            &d,
            "--catalog",
            &c,
        ],
    ]
    .concat();
    let (code, out, err) = kpic(&args);
    (code, out, err.replace(&d, "DIR"))
}

#[test]
fn stored_types_read_exactly() {
    let (_dir, data, catalog) = dataset();
    // DECIMAL(18,2): 1250.50 + 0.05 + 99.99 = 1350.54.
    write(
        &data.join("orders.parquet"),
        &orders(decimals("revenue", 2, &[125_050, 5, 9_999])),
        2,
    );
    let (code, out, err) = eval(
        &data,
        &catalog,
        &["revenue", "units", "score", "rush", "paid_late"],
        "2025",
    );
    assert_eq!(code, 0, "{err}");
    // units 2 + 5 = 7; score 0.5 + 1.25 = 1.75; one rush order; paid 1 h and 30 s
    // after midnight of the order day: 1 + 30/3600 = 1.0083 hours.
    insta::assert_snapshot!(out);
}

#[test]
fn wide_and_fine_decimals_are_money_when_exact() {
    let (_dir, data, catalog) = dataset();
    // DECIMAL(38,6) in 16 bytes: 1.250000, -0.000100 and 2.5 → 3.7499.
    let wide = |v: i128| Some(v.to_be_bytes().to_vec());
    let revenue = col(
        "revenue",
        Some(LogicalType::decimal(6, 38)),
        Values::Fixed(16, vec![wide(1_250_000), wide(-100), wide(2_500_000)]),
    );
    write(&data.join("orders.parquet"), &orders(revenue), 10);
    let (code, out, err) = eval(&data, &catalog, &["revenue"], "2025");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("3.7499"), "{out}");
}

#[test]
fn type_and_cell_errors_name_file_row_column_and_types() {
    let mut report = String::new();
    let cases: Vec<(&str, Vec<Col>)> = vec![
        (
            "money stored as DOUBLE",
            orders(col(
                "revenue",
                None,
                Values::F64(vec![Some(1.5), Some(2.0), Some(3.0)]),
            )),
        ),
        (
            "a decimal with a fifth decimal digit",
            orders(decimals("revenue", 5, &[100_001, 100_000, 0])),
        ),
        (
            "a required cell null, an int past 2^53, money past DECIMAL(18,4), a fraction of a second",
            {
                let mut cols = orders(col(
                    "revenue",
                    Some(LogicalType::decimal(0, 18)),
                    Values::I64(vec![Some(1), None, Some(1_000_000_000_000_000)]),
                ));
                cols[4] = col("units", None, Values::I64(vec![Some(1 << 54), None, None]));
                cols[6] = col(
                    "paid_at",
                    Some(LogicalType::timestamp(false, TimeUnit::MILLIS)),
                    Values::I64(vec![Some(1_500), None, None]),
                );
                cols
            },
        ),
        ("text stored as a number, a date as a timestamp", {
            let mut cols = orders(decimals("revenue", 2, &[1, 2, 3]));
            cols[1] = col(
                "account_id",
                None,
                Values::I64(vec![Some(1), Some(2), Some(1)]),
            );
            cols[2] = col(
                "order_date",
                Some(LogicalType::timestamp(false, TimeUnit::MICROS)),
                Values::I64(vec![Some(0), Some(0), Some(0)]),
            );
            cols
        }),
        ("a required column missing", {
            let mut cols = orders(decimals("revenue", 2, &[1, 2, 3]));
            cols.remove(3);
            cols
        }),
    ];
    for (what, cols) in cases {
        let (_dir, data, catalog) = dataset();
        write(&data.join("orders.parquet"), &cols, 2);
        // Every column the cases break is read by one of these KPIs (only the columns
        // a request reads are converted).
        let (code, _, err) = eval(&data, &catalog, &["revenue", "units", "paid_late"], "2025");
        assert_eq!(code, 1, "{what}: {err}");
        report.push_str(&format!("## {what}\n{err}\n"));
    }
    insta::assert_snapshot!(report);
}

#[test]
fn a_table_with_both_files_is_an_error_naming_both() {
    let (_dir, data, catalog) = dataset();
    write(
        &data.join("accounts.parquet"),
        &[text("account_id", &["A1"])],
        10,
    );
    write(
        &data.join("orders.parquet"),
        &orders(decimals("revenue", 2, &[1, 2, 3])),
        10,
    );
    let (code, _, err) = eval(&data, &catalog, &["revenue"], "2025");
    assert_eq!(code, 1);
    assert!(
        err.contains("both accounts.csv and accounts.parquet are in DIR for table `accounts`"),
        "{err}"
    );
}

/// Two row groups: 2023 with a bad cell (five decimals), 2025 clean. A request for
/// 2025 (compared with 2024) does not read the 2023 group, so the bad cell is no
/// error; a request for 2023 reads it and reports it at its row.
#[test]
fn row_groups_outside_the_period_are_not_read() {
    let (_dir, data, catalog) = dataset();
    let cols = vec![
        text("order_id", &["o1", "o2", "o3", "o4"]),
        text("account_id", &["A1", "A2", "A1", "A2"]),
        dates(
            "order_date",
            &["2023-03-01", "2023-04-01", "2025-05-01", "2025-06-01"],
        ),
        decimals("revenue", 5, &[100_001, 100_000, 250_000, 500_000]),
    ];
    write(&data.join("orders.parquet"), &cols, 2);
    let (code, out, err) = eval(&data, &catalog, &["revenue"], "2025");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("7.5"), "2.5 + 5.0: {out}");
    let (code, _, err) = eval(&data, &catalog, &["revenue"], "2023");
    assert_eq!(code, 1);
    assert!(
        err.contains("orders.parquet row 1 column `revenue` value \"1.00001\""),
        "{err}"
    );
    // A KPI reading the previous year, compared with the year before: 2025 needs 2023.
    let (code, _, err) = eval(&data, &catalog, &["growth"], "2025");
    assert_eq!(code, 1, "growth of 2024 reads 2023: {err}");
    assert!(
        err.contains("orders.parquet row 1 column `revenue`"),
        "{err}"
    );
    let (code, _, err) = eval(&data, &catalog, &["growth"], "2025-H2");
    assert_eq!(code, 0, "2025-H2 reads back to 2024-H2 only: {err}");
    // Without a period every row is read (the default period needs every date).
    let d = data.display().to_string();
    let c = catalog.display().to_string();
    let (code, _, _) = kpic(&["eval", "revenue", "--data", &d, "--catalog", &c]);
    assert_eq!(code, 1);
}

#[test]
fn mappings_apply_to_parquet_files() {
    let (_dir, data, catalog) = dataset();
    std::fs::write(
        data.join("kpic-mapping.toml"),
        r#"
[tables.orders]
file = "Invoices.parquet"
columns = { order_id = "Invoice", revenue = "Net" }
templates = { account_id = "A{Customer}" }
values.rush = { "Y" = true, "N" = false }
drop_where = { "Kind" = "test" }
"#,
    )
    .expect("mapping");
    let cols = vec![
        text("Invoice", &["i1", "i2", "i3"]),
        col(
            "Customer",
            None,
            Values::I64(vec![Some(1), Some(2), Some(2)]),
        ),
        dates("order_date", &["2025-01-10", "2025-02-11", "2025-03-12"]),
        decimals("Net", 2, &[1_000, 2_000, 4_000]),
        text("rush", &["Y", "N", "Y"]),
        text("Kind", &["real", "real", "test"]),
    ];
    write(&data.join("Invoices.parquet"), &cols, 10);
    let (code, out, err) = eval(&data, &catalog, &["revenue", "rush"], "2025");
    assert_eq!(code, 0, "{err}");
    // 10.00 + 20.00 (the test row dropped); one rush order (i1; i3 is dropped).
    assert!(out.contains("\nrevenue,,,money,30,"), "{out}");
    assert!(out.contains("\nrush,,,count,1,"), "{out}");
    // A value the map does not list is an error at its row (for a KPI that reads the
    // column: only the columns a request reads are converted).
    let mut cols = cols;
    cols[4] = text("rush", &["Y", "maybe", "Y"]);
    write(&data.join("Invoices.parquet"), &cols, 10);
    let (code, _, err) = eval(&data, &catalog, &["rush"], "2025");
    assert_eq!(code, 1);
    assert!(
        err.contains("Invoices.parquet row 2 column `rush` value \"maybe\": not in the value map"),
        "{err}"
    );
}

/// A file cut at many lengths is an error naming it, never a panic or a result.
#[test]
fn a_truncated_file_is_an_error() {
    let (_dir, data, catalog) = dataset();
    let path = data.join("orders.parquet");
    write(&path, &orders(decimals("revenue", 2, &[1, 2, 3])), 2);
    let whole = std::fs::read(&path).expect("read back");
    let mut cuts: Vec<usize> = (0..whole.len()).step_by(whole.len() / 23 + 1).collect();
    cuts.extend([whole.len() - 1, whole.len() - 8, 4]);
    for cut in cuts {
        std::fs::write(&path, &whole[..cut]).expect("truncate");
        let (code, _, err) = eval(&data, &catalog, &["revenue"], "2025");
        assert_eq!(code, 1, "cut at {cut}: {err}");
        assert!(err.contains("orders.parquet"), "cut at {cut}: {err}");
        assert!(!err.contains("panicked"), "cut at {cut}: {err}");
    }
    // Damaged in the middle: bytes of the data pages overwritten.
    let mut damaged = whole.clone();
    for b in damaged.iter_mut().skip(8).take(whole.len() / 2) {
        *b = 0xa5;
    }
    std::fs::write(&path, &damaged).expect("damage");
    let (code, _, err) = eval(&data, &catalog, &["revenue"], "2025");
    assert_eq!(code, 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// Four row groups (decoded in parallel, their columns converted in parallel): the
/// errors come in the order of a group-by-group, column-by-column read (row 6's
/// empty account before row 5's bad amount, both in the third group), and a clean
/// file of many groups gives the CSV's values.
#[test]
fn errors_over_several_row_groups_keep_their_order() {
    let (_dir, data, catalog) = dataset();
    let cols = vec![
        text("order_id", &["o1", "o2", "o3", "o4", "o5", "o6", "o7"]),
        col(
            "account_id",
            Some(LogicalType::String),
            Values::Text(vec![
                Some("A1"),
                Some("A2"),
                None,
                Some("A1"),
                Some("A2"),
                None,
                Some("A2"),
            ]),
        ),
        dates("order_date", &["2025-01-01"; 7]),
        decimals(
            "revenue",
            5,
            &[
                100_000, 100_001, 100_000, 100_001, 100_001, 100_000, 100_001,
            ],
        ),
    ];
    write(&data.join("orders.parquet"), &cols, 2);
    let (code, _, err) = eval(&data, &catalog, &["revenue"], "2025");
    assert_eq!(code, 1, "{err}");
    let found: Vec<&str> = err
        .lines()
        .filter_map(|l| {
            let rest = l.split("orders.parquet ").nth(1)?;
            Some(&rest[..=rest.match_indices('`').nth(1)?.0])
        })
        .collect();
    assert_eq!(
        found,
        [
            "row 2 column `revenue`",
            "row 3 column `account_id`",
            "row 4 column `revenue`",
            "row 6 column `account_id`",
            "row 5 column `revenue`",
            "row 7 column `revenue`",
        ],
        "{err}"
    );
    // The same rows without the bad cells, two rows a group: as from CSV.
    let (_dir2, data2, catalog2) = dataset();
    let ids = ["o1", "o2", "o3", "o4", "o5", "o6", "o7"];
    let cols = vec![
        text("order_id", &ids),
        text("account_id", &["A1", "A2", "A1", "A1", "A2", "A1", "A2"]),
        dates("order_date", &["2025-01-01"; 7]),
        decimals("revenue", 2, &[100, 200, 300, 400, 500, 600, 700]),
    ];
    write(&data2.join("orders.parquet"), &cols, 2);
    let (code, out, err) = eval(&data2, &catalog2, &["revenue"], "2025");
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("\nrevenue,,,money,28,"),
        "1 + 2 + ... + 7: {out}"
    );
}

#[test]
fn repeated_keys_and_blank_texts_are_found_in_bulk_conversion() {
    // Texts convert in bulk; a repeated key (after trimming, as in CSV) and a blank
    // required text are reported at their rows, the rows around them read as usual.
    let (_dir, data, catalog) = dataset();
    std::fs::remove_file(data.join("accounts.csv")).expect("accounts.csv");
    write(
        &data.join("accounts.parquet"),
        &[text("account_id", &["A1", "A2", " A1 ", "A3", "A2"])],
        2,
    );
    let mut cols = orders(decimals("revenue", 2, &[1, 2, 3]));
    cols[1] = text("account_id", &["A1", "  ", "A3"]);
    write(&data.join("orders.parquet"), &cols, 2);
    let (code, _, err) = eval(&data, &catalog, &["revenue"], "2025");
    assert_eq!(code, 1, "{err}");
    let found: Vec<&str> = err
        .lines()
        .filter(|l| l.contains(".parquet "))
        .map(str::trim)
        .collect();
    assert_eq!(found.len(), 3, "{err}");
    assert!(found[0].contains("accounts.parquet row 3"), "{err}");
    assert!(found[1].contains("accounts.parquet row 5"), "{err}");
    assert!(found[2].contains("orders.parquet row 2"), "{err}");
    assert!(err.contains("the same `account_id` is on row 1"), "{err}");
    assert!(err.contains("the same `account_id` is on row 2"), "{err}");
    assert!(err.contains("required cell is empty"), "{err}");
}
