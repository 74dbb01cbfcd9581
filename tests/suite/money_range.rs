//! Money past what row arithmetic carries exactly (`eval::money_range`): an aggregate
//! whose row expression or filter reads such an amount is missing with the reason,
//! never a number a few ten-thousandths off (`max` of 99,999,999,999,999.99 printed
//! …999.98 before); the sum of a money column stays exact, and amounts at the limit
//! are computed as before.

use crate::support::cli;

const CASE: &str = "tests/fixtures/money_range";

#[test]
fn large_money_in_row_arithmetic_is_missing_with_its_reason() {
    let csv = cli::ok(&[
        "eval",
        "--catalog",
        &format!("{CASE}/catalog.kpi"),
        "--data",
        &format!("{CASE}/data"),
        "--period",
        "2025",
        "--format",
        "csv",
    ]);
    let row = |kpi: &str| {
        csv.lines()
            .find(|l| l.starts_with(&format!("{kpi},")))
            .unwrap_or_else(|| panic!("no row for {kpi} in\n{csv}"))
            .to_string()
    };
    let reason =
        "an amount of money above 56,294,995,342 in row arithmetic cannot be computed exactly";
    // The sum of the column adds exact integers.
    assert!(
        row("total").starts_with("total,,,money,100000000000000,"),
        "{csv}"
    );
    for kpi in ["top", "net", "large_orders"] {
        assert!(row(kpi).ends_with(&format!("\"{reason}\"")), "{kpi}: {csv}");
    }
    // 56,294,995,342.13 is 562,949,953,421,300 ten-thousandths: below 2^49, exact.
    assert!(
        row("top_small").starts_with("top_small,,,money,56294995342.13,"),
        "{csv}"
    );
    assert!(
        row("net_small").starts_with("net_small,,,money,112589990684.28,"),
        "{csv}"
    );
}
