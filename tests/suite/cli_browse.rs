//! The catalog browsing commands (`kpic list`, `show`, `search`, `export`) as a user
//! runs them, against the shipped catalog in `kpis/`.

use crate::support::cli::{command, kpic, ok};
use serde_json::Value;

fn json(args: &[&str]) -> Vec<Value> {
    let out = ok(args);
    match serde_json::from_str(&out) {
        Ok(Value::Array(items)) => items,
        other => panic!("kpic {args:?}: not a JSON array: {other:?}\n{out}"),
    }
}

/// The twelve attribute headings of `kpic show`, plus related KPIs.
const HEADINGS: &[&str] = &[
    "Formula",
    "Depends on",
    "Used by",
    "Definition",
    "Business insights",
    "Measurement approach",
    "Trend analysis",
    "Diagnostic questions",
    "Actionable tips",
    "Visualization suggestions",
    "Risk warnings",
    "Tools & technologies",
    "Integration points",
    "Change impact",
    "Related KPIs",
];

const COLUMNS: &[&str] = &[
    "id",
    "name",
    "category",
    "category_name",
    "unit",
    "direction",
    "cadence",
    "tags",
    "breakdown",
    "formula",
    "definition",
    "insights",
    "measurement",
    "trend",
    "questions",
    "tips",
    "visualization",
    "risks",
    "tools",
    "integration",
    "impact",
    "affects",
    "related",
];

// ------------------------------------------------------------------------------ list

#[test]
fn list_shows_every_kpi_with_a_header() {
    let out = ok(&["list"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 54, "{out}");
    assert!(lines[0].starts_with("ID "), "{out}");
    for h in ["NAME", "CATEGORY", "UNIT", "BETTER"] {
        assert!(lines[0].contains(h), "{}", lines[0]);
    }
    // Columns are aligned: the name starts at the same column on every line.
    let col = lines[0].find("NAME").unwrap();
    let win = lines.iter().find(|l| l.starts_with("win_rate ")).unwrap();
    assert_eq!(win.find("Win Rate"), Some(col), "{win}");
    assert!(win.contains("operational_efficiency") && win.contains("percent"));
    assert!(win.trim_end().ends_with("higher"), "{win}");
}

#[test]
fn list_top12_tag_gives_twelve() {
    let out = ok(&["list", "--tag", "top12"]);
    assert_eq!(out.lines().count(), 1 + 12, "{out}");
    insta::assert_snapshot!("list_top12", out);

    let items = json(&["list", "--tag", "top12", "--format", "json"]);
    assert_eq!(items.len(), 12);
    for item in &items {
        let tags = item["tags"].as_array().unwrap();
        assert!(tags.iter().any(|t| t == "top12"), "{item}");
        for key in ["id", "name", "category", "unit", "better"] {
            assert!(item[key].is_string(), "{key} in {item}");
        }
    }
}

#[test]
fn list_filters_by_category_unit_and_combinations() {
    let all = json(&["list", "--format", "json"]);
    assert_eq!(all.len(), 53);
    let retention: Vec<&Value> = all
        .iter()
        .filter(|k| k["category"] == "retention")
        .collect();
    assert!(!retention.is_empty());

    let out = ok(&["list", "--category", "retention"]);
    let rows: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(rows.len(), retention.len(), "{out}");
    for row in &rows {
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert!(cells.contains(&"retention"), "{row}");
    }
    assert!(rows.iter().any(|r| r.starts_with("churn_rate ")), "{out}");

    // Categories may be given by name, in any case.
    let by_name = json(&[
        "list",
        "--category",
        "customer satisfaction",
        "--format",
        "json",
    ]);
    assert!(!by_name.is_empty());
    assert!(
        by_name
            .iter()
            .all(|k| k["category"] == "customer_satisfaction")
    );

    let hours = json(&["list", "--unit", "hours", "--format", "json"]);
    assert!(!hours.is_empty());
    assert!(hours.iter().all(|k| k["unit"] == "hours"));

    let both = json(&[
        "list",
        "--category",
        "retention",
        "--tag",
        "top12",
        "--format",
        "json",
    ]);
    let ids: Vec<&str> = both.iter().map(|k| k["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"churn_rate"), "{ids:?}");
    assert!(ids.len() < retention.len(), "{ids:?}");
}

#[test]
fn list_rejects_unknown_filter_values_naming_the_valid_ones() {
    let (code, out, err) = kpic(&["list", "--category", "retentoin"]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("unknown category `retentoin`"), "{err}");
    assert!(
        err.contains("valid categories: revenue, customer_satisfaction"),
        "{err}"
    );
    assert!(err.contains("did you mean `retention`?"), "{err}");

    let (code, _, err) = kpic(&["list", "--tag", "top13"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown tag `top13`"), "{err}");
    assert!(err.contains("top12") && err.contains("finance"), "{err}");

    let (code, _, err) = kpic(&["list", "--unit", "euro"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("valid units: money, percent, ratio, count, days, hours, score, number"),
        "{err}"
    );
}

// ------------------------------------------------------------------------------ show

#[test]
fn show_win_rate_has_every_attribute_and_its_relations() {
    let out = ok(&["show", "win_rate"]);
    assert!(out.starts_with("Win Rate (win_rate)\n"), "{out}");
    for heading in HEADINGS {
        assert!(
            out.lines().any(|l| l == *heading),
            "heading {heading:?} missing:\n{out}"
        );
    }
    // Headings come in the documented order.
    let positions: Vec<usize> = HEADINGS
        .iter()
        .map(|h| out.find(&format!("\n{h}\n")).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    for fact in [
        "Operational Efficiency (operational_efficiency)",
        "percent",
        "higher is better",
        "quarterly",
        "top12, crm, sales",
    ] {
        assert!(out.contains(fact), "{fact:?} missing:\n{out}");
    }
    // What it reads, and who names it in their change impact.
    assert!(out.contains("• table opportunities"), "{out}");
    assert!(
        out.contains("• executive_engagement_rate — Executive Engagement Rate"),
        "{out}"
    );
    // Its own change impact and related KPIs, with names.
    assert!(out.contains("• sales_growth — Sales Growth"), "{out}");
    assert!(out.contains("• time_to_close — Time to Close"), "{out}");
    assert!(out.contains("• Run win/loss reviews"), "{out}");
    // The benchmarks kpis/ ships for it are real ones, not the illustrative records.
    assert!(out.contains("\nBenchmarks\n"), "{out}");
    assert!(!out.contains("Illustrative"), "{out}");
}

#[test]
fn show_lists_what_it_depends_on_and_what_uses_it() {
    let out = ok(&["show", "churn_rate"]);
    assert!(
        out.contains("• measure accounts_lost (count) = count(accounts"),
        "{out}"
    );
    let used_by = &out[out.find("\nUsed by\n").unwrap()..out.find("\nDefinition\n").unwrap()];
    assert!(
        used_by.contains("In the formulas of:\n    • customer_lifetime_value"),
        "{used_by}"
    );
    assert!(
        used_by.contains("In the change impact (`affects`) of:"),
        "{used_by}"
    );
    assert!(
        used_by.contains("• net_promoter_score — Net Promoter Score"),
        "{used_by}"
    );
}

#[test]
fn show_sales_growth_layout() {
    let out = ok(&["show", "sales_growth"]);
    assert!(
        out.contains("• measure revenue (money) = sum(orders.revenue)"),
        "{out}"
    );
    insta::assert_snapshot!("show_sales_growth", out);
}

#[test]
fn show_fits_in_100_columns_for_every_kpi() {
    let all = json(&["list", "--format", "json"]);
    for kpi in &all {
        let id = kpi["id"].as_str().unwrap();
        let out = ok(&["show", id]);
        for line in out.lines() {
            assert!(
                line.chars().count() <= 100,
                "{id}: line too long ({}):\n{line}",
                line.chars().count()
            );
        }
        assert!(!out.contains("(not documented)"), "{id}:\n{out}");
    }
}

#[test]
fn show_includes_benchmarks_for_the_kpi() {
    let out = ok(&["show", "win_rate", "kpis", "examples/benchmarks.kpi"]);
    assert!(out.contains("\nBenchmarks\n"), "{out}");
    assert!(
        out.contains("• 25% to 35% — Illustrative: B2B key accounts"),
        "{out}"
    );
    assert!(out.contains("(as of 2025-06-30)"), "{out}");
}

#[test]
fn show_accepts_the_name() {
    let out = ok(&["show", "Churn Rate"]);
    assert!(out.starts_with("Churn Rate (churn_rate)"), "{out}");
}

#[test]
fn show_unknown_kpi_suggests_and_exits_two() {
    let (code, out, err) = kpic(&["show", "win_rte"]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("no KPI, measure or table `win_rte`"), "{err}");
    assert!(err.contains("did you mean `win_rate`?"), "{err}");
}

// ---------------------------------------------------------------------------- search

#[test]
fn search_ranks_name_matches_first() {
    let hits = json(&["search", "churn", "--format", "json"]);
    assert!(hits.len() > 3, "{hits:?}");
    assert_eq!(hits[0]["id"], "churn_rate");
    let scores: Vec<u64> = hits.iter().map(|h| h["score"].as_u64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    // A definition match outranks matches only in other attributes.
    let pos = |id: &str| hits.iter().position(|h| h["id"] == id).unwrap();
    assert!(pos("customer_retention_rate") < pos("issue_resolution_time"));
    for h in &hits {
        let snippet = h["snippet"].as_str().unwrap().to_lowercase();
        assert!(snippet.contains("churn"), "{h}");
    }

    let out = ok(&["search", "churn"]);
    let first: Vec<&str> = out.lines().take(2).collect();
    assert!(first[0].starts_with("churn_rate ") && first[0].ends_with("Churn Rate"));
    assert!(first[1].starts_with("    definition: "), "{out}");
    assert!(out.lines().all(|l| l.chars().count() <= 100), "{out}");
}

#[test]
fn search_needs_every_word_and_ignores_case() {
    let hits = json(&["search", "WIN rate", "--format", "json"]);
    assert_eq!(hits[0]["id"], "win_rate");
    let hits = json(&["search", "detractor CALL", "--format", "json"]);
    let ids: Vec<&str> = hits.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"net_promoter_score"), "{ids:?}");
    // Every hit has both words somewhere: the full export tells.
    let export = json(&["export", "--format", "json"]);
    for id in &ids {
        let kpi = export.iter().find(|k| k["id"] == *id).unwrap();
        let text = kpi.to_string().to_lowercase();
        assert!(text.contains("detractor") && text.contains("call"), "{id}");
    }
    assert!(ids.len() < 53);

    let (code, out, err) = kpic(&["search", "xylophone"]);
    assert_eq!(code, 0);
    assert!(out.is_empty());
    assert!(err.contains("0 KPIs match"), "{err}");
}

// ---------------------------------------------------------------------------- export

/// Parses CSV with the csv crate: header and records.
fn parse_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(bytes);
    let headers = reader
        .headers()
        .expect("a header row")
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            r.expect("a valid record")
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect();
    (headers, rows)
}

fn export_csv(args: &[&str]) -> Vec<u8> {
    let out = command(args).output().expect("kpic runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn export_csv_round_trips_through_a_csv_parser() {
    let bytes = export_csv(&["export", "--format", "csv"]);
    // A UTF-8 byte-order mark for spreadsheets, CRLF between records.
    assert!(bytes.starts_with(b"\xef\xbb\xbfid,name,category,"));
    assert!(bytes.ends_with(b"\r\n"));
    let (headers, rows) = parse_csv(&bytes);
    assert_eq!(headers, COLUMNS);
    assert_eq!(rows.len(), 53);
    assert!(rows.iter().all(|r| r.len() == COLUMNS.len()));

    // Every cell equals the JSON export's value (lists joined with newlines), so
    // commas, quotes and newlines inside cells survived the quoting.
    let export = json(&["export", "--format", "json"]);
    assert_eq!(export.len(), rows.len());
    let (mut commas, mut quotes, mut newlines) = (0, 0, 0);
    for (row, kpi) in rows.iter().zip(&export) {
        for (cell, column) in row.iter().zip(COLUMNS) {
            let expected = match &kpi[*column] {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().unwrap())
                    .collect::<Vec<_>>()
                    .join("\n"),
                other => panic!("unexpected {other}"),
            };
            assert_eq!(cell, &expected, "{} / {column}", row[0]);
            commas += usize::from(cell.contains(','));
            quotes += usize::from(cell.contains('"'));
            newlines += usize::from(cell.contains('\n'));
        }
    }
    assert!(commas > 0 && quotes > 0 && newlines > 0);

    let win = rows.iter().find(|r| r[0] == "win_rate").unwrap();
    assert_eq!(win[1], "Win Rate");
    assert_eq!(win[5], "higher");
    assert_eq!(win[7], "top12\ncrm\nsales");
    assert!(win[9].starts_with("count(opportunities where opportunities.status == \"won\""));
    assert!(
        win[10].contains("\"Total qualified opportunities\""),
        "{}",
        win[10]
    );
    // Text blocks are exported as paragraphs, not as the source's wrapped lines.
    assert!(!win[10].contains('\n'), "{}", win[10]);
    assert_eq!(win[14].lines().count(), 3, "{}", win[14]);
}

#[test]
fn export_filters_and_writes_files() {
    let bytes = export_csv(&[
        "export",
        "--format",
        "csv",
        "--category",
        "retention",
        "--no-bom",
    ]);
    assert!(bytes.starts_with(b"id,name,"));
    let (_, rows) = parse_csv(&bytes);
    assert!(!rows.is_empty() && rows.len() < 53);
    assert!(rows.iter().all(|r| r[2] == "retention"));

    let temp = tempfile::tempdir().expect("temp dir");
    let path = temp.path().join("cli_browse_export.json");
    let (code, out, err) = kpic(&[
        "export",
        "--format",
        "json",
        "--category",
        "retention",
        "--output",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    assert!(err.contains(&format!("wrote {} KPIs", rows.len())), "{err}");
    let written: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(written.len(), rows.len());
    let mut keys: Vec<&str> = written[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    let mut columns = COLUMNS.to_vec();
    columns.sort_unstable();
    assert_eq!(keys, columns);
    // The file lists the keys in column order.
    let text = std::fs::read_to_string(&path).unwrap();
    let first = &text[..text.find('}').unwrap()];
    let offsets: Vec<usize> = COLUMNS
        .iter()
        .map(|c| first.find(&format!("\n    \"{c}\": ")).unwrap())
        .collect();
    assert!(offsets.windows(2).all(|w| w[0] < w[1]), "{first}");
    assert!(written[0]["questions"].is_array());
    assert!(written[0]["definition"].is_string());

    let (code, _, err) = kpic(&["export", "--format", "csv", "--output", "no/such/dir/x.csv"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot write"), "{err}");
}

// -------------------------------------------------------------------------- failures

#[test]
fn browsing_a_catalog_with_errors_exits_one() {
    let broken = [
        "tests/fixtures/prelude.kpi",
        "tests/fixtures/diagnostics/K0201_unit_mismatch.kpi",
    ];
    for command in [
        vec!["list"],
        vec!["show", "x"],
        vec!["search", "x"],
        vec!["export", "--format", "csv"],
    ] {
        let mut args = command.clone();
        args.extend(broken);
        let (code, out, err) = kpic(&args);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(err.contains("the catalog has"), "{err}");
        assert!(err.contains("error"), "{err}");
        assert!(err.contains("run `kpic check`"), "{err}");
    }
    let (code, _, err) = kpic(&["list", "no/such/folder"]);
    assert_eq!(code, 2);
    assert!(err.contains("no/such/folder"), "{err}");
}

#[test]
fn search_tolerates_typos_and_says_what_it_searched() {
    let (code, out, err) = kpic(&["search", "chrun", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("no KPI matches \"chrun\"; showing matches for \"churn\""),
        "{err}"
    );
    let hits: Vec<Value> = serde_json::from_str(&out).expect("JSON");
    assert_eq!(hits, json(&["search", "churn", "--format", "json"]));
    // Two typos in two words, the longer one two letters off.
    let (_, _, err) = kpic(&["search", "retension rtae"]);
    assert!(
        err.contains("showing matches for \"retention rate\""),
        "{err}"
    );
    // A word far from every word of the catalog finds nothing, without a guess.
    let (code, out, err) = kpic(&["search", "xyzzy"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(!err.contains("showing matches"), "{err}");
}

#[test]
fn show_prints_what_a_benchmark_applies_to() {
    // ECDB's order value describes consumer e-commerce accounts and a year.
    let out = ok(&["show", "average_order_value"]);
    assert!(
        out.contains("    applies to: accounts.industry == \"Consumer e-commerce\"\n"),
        "{out}"
    );
    insta::assert_snapshot!("show_average_order_value", out);
}
