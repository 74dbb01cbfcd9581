//! Half years, `--compare`, time series (`--every`) and several dimensions (`--by`)
//! as a user meets them on the command line: in every output format, and refused with
//! a message that says what to write.

use crate::support::cli::{kpic, kpic_with_env, ok};

/// `kpic ARGS` exits 2 (a request error) and says `message`; its stderr, for more.
fn refused(args: &[&str], message: &str) -> String {
    let (code, _, err) = kpic(args);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(message), "{err}");
    err
}

#[test]
fn half_years_parse_and_are_refused_in_the_same_words_as_quarters() {
    let out = ok(&["eval", "win_rate", "--period", "2025-H1"]);
    assert!(
        out.starts_with("period 2025-H1 (previous: 2024-H2)\n"),
        "{out}"
    );
    for command in ["eval", "sql"] {
        refused(
            &[command, "win_rate", "--period", "2025-H3"],
            "`2025-H3`: half years are H1 and H2",
        );
        refused(
            &[command, "win_rate", "--period", "2025-Hx"],
            "write 2025, 2025-H1, 2025-Q3, 2025-07 or 2025-01-01..2025-03-31",
        );
    }
}

#[test]
fn year_ago_comparisons_name_their_column_in_every_format() {
    let args = [
        "eval",
        "win_rate",
        "--period",
        "2025-Q3",
        "--compare",
        "year-ago",
    ];
    let table = ok(&[&args[..], &["--format", "table"]].concat());
    assert!(
        table.starts_with("period 2025-Q3 (a year earlier: 2024-Q3)\n"),
        "{table}"
    );
    let head = table.lines().nth(1).unwrap_or_default();
    // The shipped win-rate example target and benchmarks follow in their own columns.
    assert!(
        head.contains("year_ago")
            && head.ends_with("change_vs_year_ago  target       gap  status  benchmark"),
        "{head}"
    );
    let csv = ok(&[&args[..], &["--format", "csv"]].concat());
    assert!(
        csv.starts_with(
            "kpi,group,breakdown,unit,value,year_ago,change_vs_year_ago,missing_reason,target,gap,status,status_missing_reason,benchmarks\n"
        ),
        "{csv}"
    );
    let md = ok(&[&args[..], &["--format", "markdown"]].concat());
    assert!(
        md.starts_with("| kpi | breakdown | value | year_ago | change_vs_year_ago |"),
        "{md}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(&[&args[..], &["--format", "json"]].concat())).expect("JSON");
    assert_eq!(json["compare"], "year_ago");
    assert_eq!(json["previous_period"], "2024-Q3");
    // The default comparison keeps the output it always had.
    let json: serde_json::Value = serde_json::from_str(&ok(&[
        "eval", "win_rate", "--period", "2025-Q3", "--format", "json",
    ]))
    .expect("JSON");
    assert!(json.get("compare").is_none(), "{json}");
    assert_eq!(json["previous_period"], "2025-Q2");
}

#[test]
fn a_time_series_has_a_period_column_in_every_format() {
    let args = ["eval", "win_rate", "--period", "2025", "--every", "quarter"];
    let table = ok(&[&args[..], &["--format", "table"]].concat());
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines[0],
        "period 2025, every quarter (each compared with the quarter before)"
    );
    assert!(
        lines[1].contains("period") && lines[1].contains("compared_with"),
        "{table}"
    );
    assert_eq!(lines.len(), 2 + 4, "{table}");
    for (line, (q, before)) in lines[2..].iter().zip([
        ("2025-Q1", "2024-Q4"),
        ("2025-Q2", "2025-Q1"),
        ("2025-Q3", "2025-Q2"),
        ("2025-Q4", "2025-Q3"),
    ]) {
        assert!(line.contains(&format!("{q}  {before}")), "{line}");
    }
    let csv = ok(&[&args[..], &["--format", "csv"]].concat());
    assert!(
        csv.starts_with(
            "kpi,group,breakdown,period,compared_with,unit,value,previous,change,missing_reason,target,gap,status,status_missing_reason,benchmarks\n\
             win_rate,,,2025-Q1,2024-Q4,percent,"
        ),
        "{csv}"
    );
    let md = ok(&[&args[..], &["--format", "markdown"]].concat());
    assert!(
        md.starts_with("| kpi | breakdown | period | compared_with | value | previous | change |"),
        "{md}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(&[&args[..], &["--format", "json"]].concat())).expect("JSON");
    assert_eq!(json["every"], "quarter");
    let periods: Vec<&str> = json["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["period"].as_str())
        .collect();
    assert_eq!(periods, ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]);
}

#[test]
fn a_time_series_must_be_finer_than_its_period() {
    for command in ["eval", "sql"] {
        refused(
            &[
                command, "win_rate", "--period", "2025-Q1", "--every", "year",
            ],
            "`--every year` must be finer than the period: 2025-Q1 is one quarter",
        );
        refused(
            &[
                command,
                "win_rate",
                "--period",
                "2025-01-10..2025-03-31",
                "--every",
                "month",
            ],
            "needs a period of whole months",
        );
    }
}

#[test]
fn several_groupings_run_once_over_data_loaded_once() {
    let args = [
        "eval", "win_rate", "--period", "2025", "--by", "industry", "--by", "tier",
    ];
    let (code, _, err) = kpic_with_env(&args, &[("KPIC_TIMING", "1")]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err.matches("load ").count(), 1, "{err}");
    let table = ok(&args);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[1].starts_with("grouping"), "{table}");
    assert!(lines[2].starts_with("portfolio  win_rate"), "{table}");
    assert!(lines.iter().any(|l| l.starts_with("industry")), "{table}");
    assert!(
        lines.last().is_some_and(|l| l.starts_with("tier")),
        "{table}"
    );
    let csv = ok(&[&args[..], &["--format", "csv"]].concat());
    assert!(csv.starts_with("grouping,kpi,group,"), "{csv}");
    let md = ok(&[&args[..], &["--format", "markdown"]].concat());
    assert!(md.starts_with("| grouping | kpi | group |"), "{md}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(&[&args[..], &["--format", "json"]].concat())).expect("JSON");
    let groupings: std::collections::BTreeSet<&str> = json["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["grouping"].as_str())
        .collect();
    assert_eq!(
        groupings.into_iter().collect::<Vec<_>>(),
        ["industry", "portfolio", "tier"]
    );
}

#[test]
fn crossed_dimensions_label_both_values_and_are_checked() {
    let csv = ok(&[
        "eval",
        "win_rate",
        "--period",
        "2025",
        "--by",
        "industry,tier",
        "--format",
        "csv",
    ]);
    assert!(
        csv.lines()
            .skip(1)
            .all(|l| l.split(',').nth(1).is_some_and(|g| g.contains(" / "))),
        "{csv}"
    );
    for command in ["eval", "sql"] {
        let err = refused(
            &[
                command,
                "win_rate",
                "--period",
                "2025",
                "--by",
                "industry,teir",
            ],
            "`teir` is not a dimension of accounts",
        );
        assert!(err.contains("did you mean `tier`"), "{err}");
        refused(
            &[command, "win_rate", "--period", "2025", "--by", "industry,"],
            "name one dimension, or several",
        );
    }
}

#[test]
fn kpic_sql_writes_series_and_groupings_as_one_query() {
    let sql = ok(&[
        "sql",
        "win_rate",
        "--period",
        "2025",
        "--every",
        "quarter",
        "--compare",
        "year-ago",
        "--by",
        "industry",
        "--by",
        "tier",
    ]);
    assert_eq!(sql.matches("WITH\n").count(), 3, "{sql}");
    assert!(sql.contains("AS \"grouping\""), "{sql}");
    assert!(sql.contains("'2025-Q4' AS \"period\""), "{sql}");
    // 2025-Q1 against 2024-Q1: the year before's dates are read.
    assert!(sql.contains("DATE '2024-01-01'"), "{sql}");
}

/// Every KPI of the shipped catalog (breakdowns, `previous` chains and all) as a time
/// series against a year ago, in four groupings (one a fact table's dimension):
/// PostgreSQL's rows equal the native engine's, one for one, with the same missing
/// values.
#[test]
fn postgres_matches_native_for_a_series_against_a_year_ago_in_several_groupings() {
    let url = crate::sql_differential::example_db();
    let args = [
        "eval",
        "--period",
        "2025-H1",
        "--every",
        "quarter",
        "--compare",
        "year-ago",
        "--by",
        "industry",
        "--by",
        "tier,region",
        "--by",
        "orders.product_line",
        "--format",
        "json",
    ];
    let rows = |extra: &[&str]| -> Vec<serde_json::Value> {
        let text = ok(&[&args[..], extra].concat());
        let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        json["rows"].as_array().expect("rows").clone()
    };
    let native = rows(&[]);
    let database = rows(&["--engine", "postgres", "--url", url, "--schema", "example"]);
    assert!(native.len() > 500, "{} rows", native.len());
    assert_eq!(native.len(), database.len());
    let key = |r: &serde_json::Value| {
        [
            "grouping",
            "kpi",
            "group",
            "period",
            "compared_with",
            "breakdown",
        ]
        .map(|k| r[k].clone())
    };
    let number = |v: &serde_json::Value| v["value"].as_f64();
    for (n, d) in native.iter().zip(&database) {
        assert_eq!(key(n), key(d));
        for field in ["value", "previous"] {
            match (number(&n[field]), number(&d[field])) {
                (Some(a), Some(b)) => {
                    assert!((a - b).abs() <= 1e-9 * a.abs().max(1.0), "{n} vs {d}")
                }
                (None, None) => {}
                _ => panic!("{field}: {n} vs {d}"),
            }
        }
    }
}

#[test]
fn a_fact_table_dimension_groups_the_kpis_that_read_only_that_table() {
    let (code, out, err) = kpic(&["eval", "--period", "2025", "--by", "orders.product_line"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("gross_margin_percentage") && l.contains("Software")),
        "{out}"
    );
    assert!(err.contains("KPIs were not computed\n"), "{err}");
    assert!(
        err.contains(
            "win_rate: not split by `orders.product_line`: it reads `opportunities`, which has \
             no column `product_line`"
        ),
        "{err}"
    );
    for command in ["eval", "sql"] {
        refused(
            &[
                command,
                "win_rate",
                "--period",
                "2025",
                "--by",
                "orders.product_line",
            ],
            "no KPI asked for can be grouped by `orders.product_line`",
        );
        refused(
            &[
                command,
                "win_rate",
                "--period",
                "2025",
                "--by",
                "orders.product_lin",
            ],
            "did you mean `product_line`",
        );
        refused(
            &[
                command,
                "win_rate",
                "--period",
                "2025",
                "--by",
                "industry,orders.product_line",
            ],
            "cannot be crossed with other dimensions",
        );
    }
}
