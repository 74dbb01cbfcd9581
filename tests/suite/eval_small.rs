//! Evaluation on a tiny hand-made dataset, values worked out by hand in the comments,
//! and every data error with its message snapshotted.

use kpic::eval::evaluate;
use kpic::query::{Output, Period, Query, Scope};
use std::path::Path;
use tempfile::TempDir;

const MODEL: &str = r#"
category revenue { name: "Revenue" }
table accounts {
  account_id: text key
  tier: text dimension
}
table orders {
  order_id: text key
  account_id: text -> accounts
  order_date: date time
  revenue: money
  discount: money optional
}
measure revenue { formula: sum(orders.revenue) }
kpi growth { name: "G" category: revenue unit: percent better: higher formula: (revenue - previous(revenue)) / previous(revenue) }
kpi aov { name: "A" category: revenue unit: money better: higher formula: revenue / count(orders) }
kpi discounted { name: "D" category: revenue unit: count better: lower formula: count(orders where orders.discount is not missing) }
kpi net_aov { name: "N" category: revenue unit: money better: higher formula: sum(orders.revenue - coalesce(orders.discount, 0)) / count(orders) }
kpi per_empty { name: "E" category: revenue unit: money better: higher formula: revenue / count(orders where orders.revenue > 1000000) }
"#;

/// A temporary folder holding the two tables; removed when dropped.
fn dataset(name: &str, accounts: &str, orders: &str) -> TempDir {
    let dir = tempfile::Builder::new()
        .prefix(&format!("kpic-{name}-"))
        .tempdir()
        .expect("temp dir");
    std::fs::write(dir.path().join("accounts.csv"), accounts).expect("write");
    std::fs::write(dir.path().join("orders.csv"), orders).expect("write");
    dir
}

const ACCOUNTS: &str = "account_id,tier\nA,strategic\nB,tail\n";
// 2024: 100.10 + 0.20 = 100.30. 2025: 200.05 (A, on 2025-12-31, the last day) +
// 0.10 (B) + 50.00 (A) = 250.15. The row dated 2026-01-01 is outside 2025.
const ORDERS: &str = "order_id,account_id,order_date,revenue,discount\n\
o1,A,2024-03-01,100.10,\n\
o2,B,2024-06-01,0.20,0.05\n\
o3,A,2025-12-31,200.05,\n\
o4,B,2025-01-01,0.10,0.01\n\
o5,A,2025-07-15,50.00,\n\
o6,A,2026-01-01,999.99,\n";

fn eval(dir: &Path, scope: Scope) -> Vec<(String, String, Output)> {
    let checked = kpic::check_texts([("model.kpi", MODEL)]);
    assert_eq!(checked.error_count(), 0, "{:?}", checked.diagnostics);
    let data = kpic::data::load_dataset(&checked.catalog, dir).expect("loads");
    let q = Query {
        kpis: vec![],
        period: Period::parse("2025", 1).expect("period"),
        scope,
        filters: vec![],
        compare: Default::default(),
        every: None,
        groupings: vec![],
    };
    evaluate(&checked.catalog, &data, &q)
        .expect("evaluates")
        .rows
        .into_iter()
        .map(|r| (r.kpi.to_string(), r.group.to_string(), r.value))
        .collect()
}

fn value(rows: &[(String, String, Output)], kpi: &str, group: &str) -> Output {
    rows.iter()
        .find(|r| r.0 == kpi && r.1 == group)
        .map(|r| r.2.clone())
        .expect("row")
}

#[test]
fn portfolio_values_by_hand() {
    let temp = dataset("small", ACCOUNTS, ORDERS);
    let dir = temp.path();
    let rows = eval(dir, Scope::Portfolio);
    // growth = (250.15 - 100.30) / 100.30 = 149.85 / 100.30
    assert_eq!(value(&rows, "growth", ""), Output::Value(149.85 / 100.30));
    // aov = 250.15 / 3 orders
    let Output::Value(aov) = value(&rows, "aov", "") else {
        panic!("aov missing")
    };
    assert!((aov - 250.15 / 3.0).abs() < 1e-9);
    // one 2025 order has a discount (o4); the empty cells are missing, not zero
    assert_eq!(value(&rows, "discounted", ""), Output::Value(1.0));
    // no order above a million: division by zero is missing with its reason
    assert_eq!(
        value(&rows, "per_empty", ""),
        Output::Missing("division by zero".into())
    );
}

#[test]
fn segment_and_account_values_by_hand() {
    let temp = dataset("seg", ACCOUNTS, ORDERS);
    let dir = temp.path();
    let rows = eval(dir, Scope::By("tier".into()));
    // strategic (A): 2025 = 250.05, 2024 = 100.10; tail (B): 0.10 against 0.20
    assert_eq!(
        value(&rows, "growth", "strategic"),
        Output::Value(149.95 / 100.10)
    );
    assert_eq!(
        value(&rows, "growth", "tail"),
        Output::Value((0.10 - 0.20) / 0.20)
    );
    let rows = eval(dir, Scope::PerAccount);
    let Output::Value(a) = value(&rows, "aov", "A") else {
        panic!("A missing")
    };
    assert!((a - 250.05 / 2.0).abs() < 1e-9);
}

#[test]
fn money_sums_are_exact_to_the_cent() {
    // 100,000 orders of 0.10 each: float addition drifts, the exact sum is 10000.00.
    let mut orders = String::from("order_id,account_id,order_date,revenue,discount\n");
    for i in 0..100_000 {
        orders.push_str(&format!("o{i},A,2025-05-05,0.10,\n"));
    }
    let temp = dataset("exact", ACCOUNTS, &orders);
    let dir = temp.path();
    let checked = kpic::check_texts([("model.kpi", MODEL)]);
    let data = kpic::data::load_dataset(&checked.catalog, dir).expect("loads");
    let q = Query {
        kpis: vec!["aov".into(), "net_aov".into()],
        period: Period::parse("2025", 1).expect("period"),
        scope: Scope::Portfolio,
        filters: vec![],
        compare: Default::default(),
        every: None,
        groupings: vec![],
    };
    let rows = evaluate(&checked.catalog, &data, &q)
        .expect("evaluates")
        .rows;
    // aov = 10000.00 / 100000 = 0.10 exactly when the sum is exact
    assert_eq!(rows[0].value, Output::Value(0.1));
    // the same through an expression: 0.10 - coalesce(empty, 0) per row, summed
    // exactly, then / 100000
    assert_eq!(rows[1].value, Output::Value(0.1));
}

#[test]
fn data_errors_name_file_line_column_and_value() {
    let accounts = "account_id,tier\nA,strategic\nA,tail\n";
    let orders = "order_id,account_id,order_date,revenue,discount\n\
o1,A,2025-02-30,10.00,\n\
o2,Z,2025-03-01,12.5O,\n\
o3,A,,7.00,\n\
o4,A,2025-03-02,1.23456,\n\
o2,A,2025-03-03,5.00,\n";
    let temp = dataset("bad", accounts, orders);
    let dir = temp.path();
    let checked = kpic::check_texts([("model.kpi", MODEL)]);
    let report = kpic::data::load_dataset(&checked.catalog, dir).expect_err("bad data is refused");
    let text: Vec<String> = report
        .errors
        .iter()
        .map(|e| e.to_string().replace(&dir.display().to_string(), "DATA"))
        .collect();
    insta::assert_snapshot!(text.join("\n"));
}

#[test]
fn missing_column_and_missing_file_are_reported() {
    let temp = dataset("nocol", "account_id\nA\n", ORDERS);
    let dir = temp.path();
    std::fs::remove_file(dir.join("orders.csv")).expect("remove");
    let checked = kpic::check_texts([("model.kpi", MODEL)]);
    let report = kpic::data::load_dataset(&checked.catalog, dir).expect_err("refused");
    let text: Vec<String> = report
        .errors
        .iter()
        .map(|e| e.to_string().replace(&dir.display().to_string(), "DATA"))
        .collect();
    insta::assert_snapshot!(text.join("\n"));
}

#[test]
fn mapping_file_maps_names_and_date_formats() {
    // The same orders as ORDERS, exported with other names and day/month/year dates.
    let orders = "Invoice No;Customer;Date;Net Amount;Rebate\n";
    let mut body = String::from(orders);
    for line in ORDERS.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (y, m, d) = (&f[2][0..4], &f[2][5..7], &f[2][8..10]);
        body.push_str(&format!(
            "{};{};{d}/{m}/{y};{};{}\n",
            f[0],
            f[1],
            f[3],
            f.get(4).unwrap_or(&"")
        ));
    }
    let temp = dataset("mapped", ACCOUNTS, "unused");
    let dir = temp.path();
    std::fs::remove_file(dir.join("orders.csv")).expect("remove");
    std::fs::write(dir.join("Invoices.csv"), body.replace(';', ",")).expect("write");
    std::fs::write(
        dir.join("kpic-mapping.toml"),
        r#"
[tables.orders]
file = "Invoices.csv"
date_format = "%d/%m/%Y"
columns = { order_id = "Invoice No", account_id = "Customer", order_date = "Date", revenue = "Net Amount", discount = "Rebate" }
"#,
    )
    .expect("write");
    let rows = eval(dir, Scope::Portfolio);
    assert_eq!(value(&rows, "growth", ""), Output::Value(149.85 / 100.30));
}

#[test]
fn mapping_file_errors_are_reported() {
    let temp = dataset("badmap", ACCOUNTS, ORDERS);
    let dir = temp.path();
    std::fs::write(
        dir.join("kpic-mapping.toml"),
        "[tables.order]\nfile = \"x.csv\"\n[tables.orders]\ncolumns = { revenu = \"Amount\" }\n",
    )
    .expect("write");
    let checked = kpic::check_texts([("model.kpi", MODEL)]);
    let report = kpic::data::load_dataset(&checked.catalog, dir).expect_err("refused");
    let mut text: Vec<String> = report
        .errors
        .iter()
        .map(|e| e.to_string().replace(&dir.display().to_string(), "DATA"))
        .collect();
    text.sort();
    insta::assert_snapshot!(text.join("\n"));
}
