//! `kpic report` in a real headless browser (Chromium, installed by the set-up when
//! absent): each report loads without a console error (no script error, no blocked
//! request), every chart mark shows the value `kpic eval --format json` gives for the
//! same request, text from the catalog and the data never becomes markup, and a
//! screenshot is kept in `target/test-artifacts/report.png`.

use crate::support::browser::{self, Page};
use crate::support::cli;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

const FIXTURE: &str = "tests/fixtures/report";

/// The requests reported on: a time series by segment on the example data, the
/// example targets by tier (bullet graphs), two KPIs of the portfolio without a target (the value next
/// to its comparison), and the hostile fixture.
fn requests() -> Vec<(&'static str, Vec<String>)> {
    let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        (
            "report",
            v(&["--period", "2025", "--every", "quarter", "--by", "industry"]),
        ),
        (
            "report-targets",
            v(&[
                "--catalog",
                "kpis",
                "--catalog",
                "examples/targets.kpi",
                "--by",
                "tier",
            ]),
        ),
        (
            "report-portfolio",
            v(&[
                "meeting_attendance_rate",
                "sales_pipeline",
                "--period",
                "2025-Q4",
            ]),
        ),
        (
            "report-hostile",
            v(&[
                "--catalog",
                &format!("{FIXTURE}/catalog.kpi"),
                "--data",
                &format!("{FIXTURE}/data"),
                "--period",
                "2025",
                "--every",
                "quarter",
                "--by",
                "tier",
            ]),
        ),
    ]
}

/// Identifies a row: kpi, group, grouping, period, breakdown.
type Key = [String; 5];

fn key_of(get: impl Fn(&str) -> Option<String>) -> Key {
    ["kpi", "group", "grouping", "period", "breakdown"].map(|f| get(f).unwrap_or_default())
}

/// The JSON output's rows by key.
fn json_rows(args: &[String]) -> HashMap<Key, Value> {
    let mut a: Vec<&str> = vec!["eval", "--format", "json"];
    a.extend(args.iter().map(String::as_str));
    let json: Value = serde_json::from_str(&cli::ok(&a)).expect("eval writes JSON");
    let rows = json["rows"].as_array().expect("rows").clone();
    rows.into_iter()
        .map(|r| {
            let key = key_of(|f| r[f].as_str().map(String::from));
            (key, r)
        })
        .collect()
}

#[test]
fn reports_load_cleanly_and_chart_the_values_of_the_json_output() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temporary folder");
    let mut kinds = BTreeSet::new();
    for (name, args) in requests() {
        let file = dir.path().join(format!("{name}.html"));
        let mut a: Vec<&str> = vec!["report", "-o", file.to_str().expect("UTF-8 path")];
        a.extend(args.iter().map(String::as_str));
        cli::ok(&a);
        let page = Page::load(&file).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            page.console_errors.is_empty(),
            "{name}: console errors: {:#?}",
            page.console_errors
        );
        let rows = json_rows(&args);
        kinds.extend(check_charts(name, &page.dom, &rows));
        check_no_markup_from_text(name, &page.dom);
        if name == "report" || name == "report-targets" {
            let png = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("target/test-artifacts")
                .join(format!("{name}.png"));
            browser::screenshot(&file, &png, 1200, 3200).unwrap_or_else(|e| panic!("{e}"));
            let bytes = std::fs::read(&png).expect("screenshot readable");
            assert!(bytes.starts_with(b"\x89PNG"), "{name}: not a PNG");
            assert!(
                bytes.len() > 20_000,
                "{name}: a blank screenshot? {} bytes",
                bytes.len()
            );
            crate::support::install::announce(&format!("screenshot kept in {}", png.display()));
        }
    }
    let all: BTreeSet<String> = ["bars", "bullet", "compare", "pipeline", "trend"]
        .map(String::from)
        .into();
    assert_eq!(
        kinds, all,
        "every kind of chart is drawn by one of the reports"
    );
}

/// Every mark's value equals its row's field in the JSON output; every chart has
/// marks. Returns the kinds of chart seen.
fn check_charts(name: &str, dom: &str, rows: &HashMap<Key, Value>) -> BTreeSet<String> {
    let charts = browser::elements_with(dom, "data-chart");
    assert!(!charts.is_empty(), "{name}: no chart");
    let figures = browser::elements_with(dom, "data-kpi")
        .into_iter()
        .filter(|a| {
            !a.iter()
                .any(|(k, _)| k == "data-field" || k == "data-chart")
        })
        .count();
    let marks = browser::elements_with(dom, "data-field");
    let mut charted = BTreeSet::new();
    for m in &marks {
        let get = |f: &str| {
            m.iter()
                .find(|(k, _)| *k == format!("data-{f}"))
                .map(|(_, v)| v.clone())
        };
        let key = key_of(get);
        let row = rows
            .get(&key)
            .unwrap_or_else(|| panic!("{name}: a mark of no JSON row: {key:?}"));
        let field = get("field").expect("data-field");
        let shown: f64 = get("value")
            .expect("data-value")
            .parse()
            .unwrap_or_else(|e| panic!("{name}: {key:?}: {e}"));
        let json = row[&field]["value"]
            .as_f64()
            .unwrap_or_else(|| panic!("{name}: {key:?} has no {field} value in JSON: {row}"));
        assert_eq!(shown, json, "{name}: {key:?} {field}");
        charted.insert(key[0].clone());
    }
    // A figure per charted KPI, and the scorecard's rows (`<tr data-kpi>`) besides.
    let scorecard_rows = dom.matches("<tr data-kpi=").count();
    assert_eq!(
        figures - scorecard_rows,
        charts.len(),
        "{name}: one chart per figure"
    );
    assert_eq!(charted.len(), charts.len(), "{name}: every chart has marks");
    charts
        .iter()
        .filter_map(|a| a.iter().find(|(k, _)| k == "data-chart"))
        .map(|(_, v)| v.clone())
        .collect()
}

/// Names, definitions, citations and cells stay text: no element the page did not
/// write, and links only to anchors and http(s) pages.
fn check_no_markup_from_text(name: &str, dom: &str) {
    assert!(!dom.contains("<script"), "{name}: a script element");
    assert!(!dom.contains("<img"), "{name}: an img element");
    assert!(
        !dom.contains("<b>definition"),
        "{name}: markup from a definition"
    );
    for a in browser::elements_with(dom, "href") {
        let href = &a.iter().find(|(k, _)| k == "href").expect("href").1;
        assert!(
            href.starts_with('#') || href.starts_with("https://") || href.starts_with("http://"),
            "{name}: link to {href}"
        );
    }
    if name == "report-hostile" {
        assert!(dom.contains("&lt;script&gt;alert(\"name\")&lt;/script&gt; &amp; 'quotes'"));
        assert!(
            dom.contains("href=\"https://example.org/study?a=1&amp;b=%222%22\"")
                || dom.contains("href=\"https://example.org/study?a=1&amp;b=&quot;2&quot;\"")
        );
        assert!(!dom.contains("href=\"javascript"), "{name}: a script link");
    }
}

/// The browser harness itself: a page that fails a script, logs an error and asks for
/// a resource its policy forbids reports all three (else a clean report proves
/// nothing).
#[test]
fn the_harness_sees_console_errors() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temporary folder");
    let file = dir.path().join("broken.html");
    std::fs::write(
        &file,
        "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" \
         content=\"default-src 'none'; script-src 'unsafe-inline'\"></head><body>\
         <img src=\"https://cdn.example.invalid/x.png\">\
         <script>console.error('logged'); throw new Error('boom');</script>\
         <p id=\"kept\">text</p></body></html>",
    )
    .expect("written");
    let page = Page::load(&file).unwrap_or_else(|e| panic!("{e}"));
    let all = page.console_errors.join("\n");
    for expected in ["logged", "boom", "Content-Security-Policy img-src"] {
        assert!(all.contains(expected), "{expected} not in {all}");
    }
    assert!(page.dom.contains("<p id=\"kept\">text</p>"), "{}", page.dom);
    assert!(!page.dom.contains("data-test-console-errors"));
}
