//! Relations on several columns at load: a dangling pair of values and a parent table
//! that is not unique on the relation's columns are loading errors with their file,
//! line, column and values; a type mix-up in the catalog is refused before loading.

use crate::support::cli::kpic;

const CATALOG: &str = "category c { name: \"C\" }
table accounts { account_id: text key }
table account_products {
  account_product_id: text key
  account_id: text -> accounts
  product_line: text
  first_purchased_on: date optional
}
table orders {
  order_id: text key
  account_id: text -> accounts
  order_date: date time
  product_line: text optional
  revenue: money
  product: (account_id, product_line) -> account_products
}
kpi new_lines { name: \"N\" category: c unit: money better: higher formula: sum(orders.revenue where orders.product.first_purchased_on is not missing and orders.product.first_purchased_on >= period.start) }
";

/// Runs `kpic eval new_lines` over the catalog above with these whitespace rows and
/// orders (header included).
fn eval(products: &str, orders: &str) -> (i32, String, String) {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::write(dir.path().join("catalog.kpi"), CATALOG).expect("write");
    let data = dir.path().join("data");
    std::fs::create_dir(&data).expect("data folder");
    std::fs::write(data.join("accounts.csv"), "account_id\nA1\nA2\n").expect("write");
    std::fs::write(data.join("account_products.csv"), products).expect("write");
    std::fs::write(data.join("orders.csv"), orders).expect("write");
    kpic(&[
        "eval",
        "new_lines",
        "--catalog",
        &dir.path().join("catalog.kpi").display().to_string(),
        "--data",
        &data.display().to_string(),
        "--period",
        "2025",
        "--format",
        "csv",
    ])
}

const PRODUCTS: &str = "account_product_id,account_id,product_line,first_purchased_on\n\
AP1,A1,Widgets,2025-02-01\n\
AP2,A2,Gadgets,2024-01-01\n";

#[test]
fn a_pair_no_parent_row_holds_is_a_loading_error() {
    // A2 has a Gadgets row but no Widgets row; A1 has Widgets. O3's empty product
    // line has no parent and is no error.
    let orders = "order_id,account_id,order_date,product_line,revenue\n\
O1,A1,2025-02-01,Widgets,10.00\n\
O2,A2,2025-03-01,Widgets,20.00\n\
O3,A1,2025-03-01,,5.00\n";
    let (code, out, err) = eval(PRODUCTS, orders);
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("orders.csv:3"), "{err}");
    assert!(err.contains("A2, Widgets"), "{err}");
    assert!(
        err.contains("no row of `account_products` has these (account_id, product_line)"),
        "{err}"
    );
    assert_eq!(err.matches("no row of").count(), 1, "{err}");
}

#[test]
fn a_parent_not_unique_on_the_columns_is_a_loading_error() {
    let products = format!("{PRODUCTS}AP3,A1,Widgets,2025-03-01\n");
    let orders = "order_id,account_id,order_date,product_line,revenue\n\
O1,A1,2025-02-01,Widgets,10.00\n";
    let (code, out, err) = eval(&products, orders);
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("account_products.csv:4"), "{err}");
    assert!(err.contains("A1, Widgets"), "{err}");
    assert!(
        err.contains("the same (account_id, product_line) as line 2"),
        "{err}"
    );
}

#[test]
fn matched_rows_evaluate() {
    let orders = "order_id,account_id,order_date,product_line,revenue\n\
O1,A1,2025-02-01,Widgets,10.00\n\
O2,A2,2025-03-01,Gadgets,20.00\n\
O3,A1,2025-03-01,,5.00\n";
    let (code, out, err) = eval(PRODUCTS, orders);
    assert_eq!(code, 0, "{err}");
    // O1 only: A2's Gadgets were first bought in 2024, O3 has no parent.
    assert!(out.contains("new_lines,") && out.contains(",10"), "{out}");
}
