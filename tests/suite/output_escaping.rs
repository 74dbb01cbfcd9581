//! Values from a user's data reach every output format escaped: no terminal escape
//! sequence in the table, no spreadsheet formula in CSV, no extra cell in Markdown.

use crate::support::cli;

const MODEL: &str = r#"
category revenue { name: "Revenue" }
table accounts {
  account_id: text key
  region: text dimension
}
table orders {
  order_id: text key
  account_id: text -> accounts
  order_date: date time
  revenue: money
}
kpi revenue { name: "Revenue" category: revenue unit: money better: higher formula: sum(orders.revenue) }
"#;

fn run(format: &str) -> String {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path();
    std::fs::write(dir.join("model.kpi"), MODEL).expect("write");
    std::fs::write(
        dir.join("accounts.csv"),
        "account_id,region\nA,\"=HYPERLINK(\"\"http://x\"\")\"\nB,\"\u{1b}[31mred\"\nC,EMEA | Europe\nD,-1+2\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("orders.csv"),
        "order_id,account_id,order_date,revenue\no1,A,2025-01-01,1.00\no2,B,2025-01-01,2.00\no3,C,2025-01-01,3.00\no4,D,2025-01-01,-4.00\n",
    )
    .expect("write");
    let out = cli::command(&[
        "eval", "--period", "2025", "--by", "region", "--format", format,
    ])
    .arg("--catalog")
    .arg(dir.join("model.kpi"))
    .arg("--data")
    .arg(dir)
    .output()
    .expect("kpic runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn the_table_shows_escape_sequences_instead_of_running_them() {
    let text = run("table");
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(text.contains("\\u{1b}[31mred"), "{text}");
}

#[test]
fn csv_cells_never_start_a_formula() {
    let text = run("csv");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let groups: Vec<String> = reader
        .records()
        .map(|r| r.expect("CSV")[1].to_string())
        .collect();
    assert!(
        groups.contains(&"'=HYPERLINK(\"http://x\")".to_string()),
        "{groups:?}"
    );
    assert!(groups.contains(&"'-1+2".to_string()), "{groups:?}");
    // A negative amount stays a number.
    assert!(text.contains(",-4,"), "{text}");
}

#[test]
fn markdown_rows_keep_their_cells() {
    let text = run("markdown");
    let row = text
        .lines()
        .find(|l| l.contains("EMEA"))
        .expect("the EMEA row");
    assert!(row.contains("EMEA \\| Europe"), "{row}");
    // `| a | b | ... |`: one more bar than cells, none of them inside the value.
    let bars = row.matches('|').count() - row.matches("\\|").count();
    assert_eq!(bars, 7, "{row}");
    assert!(!text.contains('\u{1b}'));
}
