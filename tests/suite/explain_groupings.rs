//! `kpic eval --explain` with a fact table's dimension as the grouping
//! (`--by orders.product_line`: one explanation per value, equal to the results') and
//! with several groupings (`--by industry --by tier`: each grouping's groups, named).

use crate::support::cli::kpic;

fn run(args: &[&str]) -> String {
    let (code, out, err) = kpic(&[&["eval", "--period", "2025"][..], args].concat());
    assert_eq!(code, 0, "kpic {args:?} failed:\n{err}");
    out
}

/// The first line's value of each explanation, by its header.
fn headline_values(out: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = out.lines().collect();
    lines
        .windows(2)
        .filter(|w| w[0].starts_with("sales_growth for "))
        .map(|w| {
            let value = w[1].rsplit("  = ").next().unwrap_or_default();
            (w[0].to_string(), value.trim().to_string())
        })
        .collect()
}

#[test]
fn explain_by_a_fact_table_dimension_explains_each_value() {
    let out = run(&["--explain", "sales_growth", "--by", "orders.product_line"]);
    insta::assert_snapshot!(out);
    // Each value's explanation gives the value the results give.
    let results = run(&[
        "sales_growth",
        "--by",
        "orders.product_line",
        "--format",
        "csv",
    ]);
    let explained = headline_values(&out);
    let rows: Vec<&str> = results.lines().skip(1).collect();
    assert_eq!(explained.len(), rows.len(), "{out}\n{results}");
    for ((head, value), row) in explained.iter().zip(rows) {
        let cells: Vec<&str> = row.split(',').collect();
        let group = cells.get(1).copied().unwrap_or_default();
        assert!(head.contains(&format!(", {group} ")), "{head} / {row}");
        let want: f64 = cells
            .get(4)
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN);
        let shown = format!("{:.1}%", want * 100.0);
        assert_eq!(*value, shown, "{head}");
    }
}

#[test]
fn explain_a_kpi_the_fact_dimension_cannot_split_says_why() {
    let (code, _, err) = kpic(&[
        "eval",
        "--period",
        "2025",
        "--explain",
        "net_promoter_score",
        "--by",
        "orders.product_line",
    ]);
    assert_ne!(code, 0);
    assert!(
        err.contains("`net_promoter_score`: not split by `orders.product_line`"),
        "{err}"
    );
}

#[test]
fn explain_with_several_groupings_explains_each_grouping() {
    let out = run(&[
        "--explain",
        "sales_growth",
        "--by",
        "industry",
        "--by",
        "tier",
    ]);
    let heads: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("sales_growth for "))
        .collect();
    insta::assert_snapshot!(heads.join("\n"));
    let json = run(&[
        "--explain",
        "sales_growth",
        "--by",
        "industry",
        "--by",
        "tier",
        "--format",
        "json",
    ]);
    assert!(json.contains("\"grouping\": \"tier\""), "{json}");
}
