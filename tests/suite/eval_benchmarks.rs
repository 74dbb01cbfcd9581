//! Values compared with benchmarks in `kpic eval` (the corpus case `benchmark_scope`):
//! which benchmarks apply to each row (`applies_to`, `period`) and where the value
//! stands, the same on every engine (the comparison runs after the engine); the output
//! formats; and the illustrative benchmarks of `examples/` over the example data.

use crate::support::cli::kpic as run;
use crate::support::corpus::{cases, kpic};
use crate::support::corpus_engines::Engine;
use serde_json::Value;

const CASE: &str = "tests/fixtures/eval/benchmark_scope";

/// Every row of the case's request, `grouping/group/kpi`, with its benchmarks as
/// `id position [difference] [better|worse]`, worked out by hand from the values of the
/// case's expected.toml. Benchmarks sort comparable first, then newest first.
const EXPECTED: &[(&str, &[&str])] = &[
    // 590.75 - 100.00 = +490.75; only `any` applies to the portfolio.
    ("portfolio//revenue", &["revenue_any above 490.7500 better"]),
    // 60% above 20-40%, and lower is better; the monthly figure is not compared.
    (
        "portfolio//small_order_share",
        &[
            "small_share_range above worse",
            "small_share_monthly not_comparable (monthly figure, yearly value)",
        ],
    ),
    // 250.75 - 100.00 = +150.75; above 50-150.
    (
        "industry/Manufacturing/revenue",
        &[
            "revenue_any above 150.7500 better",
            "revenue_manufacturing above better",
        ],
    ),
    // 340.00 - 100.00 = +240.00; the Manufacturing range does not apply to Retail.
    (
        "industry/Retail/revenue",
        &["revenue_any above 240.0000 better"],
    ),
    (
        "industry/Manufacturing/small_order_share",
        &[
            "small_share_range above worse",
            "small_share_monthly not_comparable (monthly figure, yearly value)",
        ],
    ),
    // 50% above 40%; Retail alone does not fix the tier, so the Retail-key benchmark
    // does not apply.
    (
        "industry/Retail/small_order_share",
        &[
            "small_share_range above worse",
            "small_share_monthly not_comparable (monthly figure, yearly value)",
        ],
    ),
    // 50.25 - 100.00 = -49.75; 50 <= 50.25 <= 150: within.
    (
        "industry,tier/Manufacturing / key/revenue",
        &[
            "revenue_any below -49.7500 worse",
            "revenue_manufacturing within",
        ],
    ),
    // 200.50 - 100.00 = +100.50; above 150.
    (
        "industry,tier/Manufacturing / strategic/revenue",
        &[
            "revenue_any above 100.5000 better",
            "revenue_manufacturing above better",
        ],
    ),
    (
        "industry,tier/Retail / key/revenue",
        &["revenue_any above 240.0000 better"],
    ),
    (
        "industry,tier/Manufacturing / key/small_order_share",
        &[
            "small_share_range above worse",
            "small_share_monthly not_comparable (monthly figure, yearly value)",
        ],
    ),
    (
        "industry,tier/Manufacturing / strategic/small_order_share",
        &[
            "small_share_range above worse",
            "small_share_monthly not_comparable (monthly figure, yearly value)",
        ],
    ),
    // Retail and key both fixed: 50% at the 50% benchmark, difference 0.
    (
        "industry,tier/Retail / key/small_order_share",
        &[
            "small_share_range above worse",
            "small_share_retail_key equal 0.0000",
            "small_share_monthly not_comparable (monthly figure, yearly value)",
        ],
    ),
];

/// The rows of `kpic eval --format json` as `(key, benchmarks)`, in output order.
fn standings(json: &str) -> Vec<(String, Vec<String>)> {
    let v: Value = serde_json::from_str(json).expect("JSON results");
    let rows = v["rows"].as_array().expect("rows");
    rows.iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap_or_default().to_string();
            let key = format!("{}/{}/{}", text("grouping"), text("group"), text("kpi"));
            let list = r["benchmarks"]
                .as_array()
                .map(|list| list.iter().map(one).collect())
                .unwrap_or_default();
            (key, list)
        })
        .collect()
}

fn one(b: &Value) -> String {
    let mut s = format!(
        "{} {}",
        b["id"].as_str().unwrap_or_default(),
        b["position"].as_str().unwrap_or_default()
    );
    if let Some(d) = b["difference"].as_f64() {
        s.push_str(&format!(" {d:.4}"));
    }
    if let Some(a) = b["assessment"].as_str() {
        s.push_str(&format!(" {a}"));
    }
    if let Some(r) = b["reason"].as_str() {
        s.push_str(&format!(" ({r})"));
    }
    s
}

fn expected() -> Vec<(String, Vec<String>)> {
    let mut rows: Vec<(String, Vec<String>)> = EXPECTED
        .iter()
        .map(|(k, l)| (k.to_string(), l.iter().map(|s| s.to_string()).collect()))
        .collect();
    rows.sort();
    rows
}

/// The case's JSON on `engine`, its standings sorted by row.
fn on_engine(engine: &Engine) -> Vec<(String, Vec<String>)> {
    let case = cases()
        .into_iter()
        .find(|c| c.name == "benchmark_scope")
        .expect("the corpus has benchmark_scope");
    let json = engine
        .run(&case, |flags| {
            let mut args = vec!["eval".to_string()];
            args.extend(case.request_args());
            args.extend(flags.iter().cloned());
            args.extend(["--format".into(), "json".into()]);
            kpic(&args)
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let mut rows = standings(&json);
    rows.sort();
    rows
}

#[test]
fn native_rows_get_the_benchmarks_that_apply() {
    assert_eq!(on_engine(&Engine::native()), expected());
}

#[test]
fn duckdb_rows_get_the_same_benchmarks() {
    assert_eq!(on_engine(&Engine::duckdb("kpic-bench-duckdb-")), expected());
}

#[test]
fn postgres_rows_get_the_same_benchmarks() {
    assert_eq!(on_engine(&Engine::postgres("bench_")), expected());
}

#[test]
fn spark_rows_get_the_same_benchmarks() {
    assert_eq!(on_engine(&Engine::spark()), expected());
}

/// `kpic eval` of the case's catalog and data with `args`.
fn eval(args: &[&str]) -> (i32, String, String) {
    let catalog = format!("{CASE}/catalog.kpi");
    let data = format!("{CASE}/data");
    let mut all = vec!["eval", "--catalog", &catalog, "--data", &data];
    all.extend_from_slice(args);
    run(&all)
}

#[test]
fn a_yearly_figure_is_not_compared_with_a_quarter() {
    // 2025-Q4: o5 (40.00) only, so 1 / 1 small; revenue 40.00.
    let (code, out, err) = eval(&["--period", "2025-Q4", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let got = standings(&out);
    assert_eq!(
        got,
        [
            (
                "//revenue".to_string(),
                vec!["revenue_any not_comparable (yearly figure, quarterly value)".to_string()]
            ),
            (
                "//small_order_share".to_string(),
                vec![
                    "small_share_range not_comparable (yearly figure, quarterly value)".to_string(),
                    "small_share_monthly not_comparable (monthly figure, quarterly value)"
                        .to_string()
                ]
            ),
        ]
    );
    // A month is compared with the monthly figure: 2025-11 has o5 only, 100% small,
    // 100% - 10% = +90 points, worse (lower is better).
    let (_, out, _) = eval(&[
        "small_order_share",
        "--period",
        "2025-11",
        "--format",
        "json",
    ]);
    assert_eq!(
        standings(&out)[0].1,
        [
            "small_share_monthly above 0.9000 worse",
            "small_share_range not_comparable (yearly figure, monthly value)",
        ]
    );
}

#[test]
fn filters_fix_the_columns_a_benchmark_names() {
    // --where tier=key with --by industry: Retail is A3 alone, with both columns fixed.
    let (code, out, err) = eval(&[
        "small_order_share",
        "--period",
        "2025",
        "--where",
        "tier=key",
        "--by",
        "industry",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let got = standings(&out);
    let retail = got
        .iter()
        .find(|(k, _)| k == "/Retail/small_order_share")
        .expect("a Retail row");
    assert!(
        retail
            .1
            .contains(&"small_share_retail_key equal 0.0000".to_string()),
        "{got:?}"
    );
    // Manufacturing under tier=key is A2 alone: the Retail benchmark does not apply.
    let manufacturing = got
        .iter()
        .find(|(k, _)| k == "/Manufacturing/small_order_share")
        .expect("a Manufacturing row");
    assert!(
        !manufacturing.1.iter().any(|b| b.contains("retail_key")),
        "{got:?}"
    );
}

#[test]
fn every_format_shows_the_benchmarks() {
    for format in ["table", "csv", "markdown", "json"] {
        let (code, out, err) = eval(&["--period", "2025", "--by", "industry", "--format", format]);
        assert_eq!(code, 0, "{format}: {err}");
        insta::assert_snapshot!(format!("benchmarks_{format}"), out);
    }
    // --benchmarks: one line per benchmark in the table.
    let (code, out, err) = eval(&["--period", "2025", "--by", "industry", "--benchmarks"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("benchmarks_table_all", out);
}

#[test]
fn the_illustrative_benchmarks_over_the_example_data() {
    let (code, out, err) = run(&[
        "eval",
        "win_rate",
        "churn_rate",
        "--catalog",
        "kpis",
        "--catalog",
        "examples/benchmarks.kpi",
        "--data",
        "examples/data",
        "--period",
        "2025",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    // The values are those of examples/expected/2025.json: win rate 45 / 97 = 46.39%,
    // churn rate 7 / 26 = 26.92%. Both KPIs' shipped benchmarks apply to the portfolio
    // too (`applies_to: any`).
    let got = standings(&out);
    assert_eq!(
        got,
        [
            (
                "//win_rate".to_string(),
                vec![
                    // 46.39% above 25-35%, and higher is better.
                    "win_rate_illustrative above better".to_string(),
                    // 46.39% - 47.3% = -0.91 points.
                    "win_rate_cso_insights_2018 below -0.0091 worse".to_string(),
                    // 46.39% - 46.6% = -0.21 points.
                    "win_rate_cso_insights_2016 below -0.0021 worse".to_string(),
                ]
            ),
            (
                "//churn_rate".to_string(),
                vec![
                    // 26.92% - 8% = +18.92 points, and lower is better.
                    "churn_rate_illustrative above 0.1892 worse".to_string(),
                    // 26.92% - 13% = +13.92 points.
                    "churn_rate_kbcm_sapphire_2024 above 0.1392 worse".to_string(),
                    // Recurly's figure is monthly.
                    "churn_rate_recurly_b2b_2019 not_comparable (monthly figure, yearly value)"
                        .to_string(),
                ]
            ),
        ]
    );
    // The illustrative NPS benchmark is for Manufacturing accounts only.
    let (code, out, err) = run(&[
        "eval",
        "net_promoter_score",
        "--catalog",
        "kpis",
        "--catalog",
        "examples/benchmarks.kpi",
        "--data",
        "examples/data",
        "--period",
        "2025",
        "--by",
        "industry",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    for (key, list) in standings(&out) {
        let applies = list
            .iter()
            .any(|b| b.starts_with("net_promoter_score_illustrative"));
        assert_eq!(applies, key.contains("/Manufacturing/"), "{key}: {list:?}");
    }
}
